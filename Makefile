# trapeze - a thin wrapper around CMake + Ninja.
#
#   make           build everything into build/ (the VMM, guests, tests)
#   make demo      set up, build, boot build/guest/hello.elf and show stats
#   make test      set up, build, run every test (ctest)
#   make sanitize  the tests again, built with ASan + UBSan (build-asan/)
#   make coverage  the tests with gcov, then a gcovr report (build-cov/)
#   make bench     the benchmarks: compute (native, every engine, QEMU side by
#                  side) and paging (shadow vs nested, with KVM for reference)
#   make long      long differential runs: decoder vs Capstone (>= 1M cases
#                  per generator and mode), interpreter vs Unicorn (1M insns),
#                  random ring-0 code on the interpreter (30k streams)
#   make clean     remove the build directories

BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all setup demo test sanitize coverage bench long clean

all: setup
	@test -f $(BUILD)/build.ninja || cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)

setup:
	@sh scripts/setup.sh

demo: all
	./$(BUILD)/trapeze info
	./$(BUILD)/trapeze run --stats --timeout=60 $(BUILD)/guest/hello.elf
	./$(BUILD)/trapeze run --stats --timeout=60 $(BUILD)/guest/kernel.elf -- run=forktest
	./$(BUILD)/trapeze run --stats --timeout=60 --engine=interp --paging=shadow \
	  $(BUILD)/guest/kernel.elf -- run=forktest

test: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

sanitize:
	$(MAKE) test BUILD=build-asan CMAKE_FLAGS=-DTRAPEZE_SANITIZE=ON

coverage:
	$(MAKE) test BUILD=build-cov CMAKE_FLAGS=-DTRAPEZE_COVERAGE=ON
	gcovr -r . --object-directory build-cov --exclude 'tests/' --exclude 'guest/' \
	  --html-details build-cov/coverage.html --print-summary
	@echo "coverage report: build-cov/coverage.html"

bench: all
	./$(BUILD)/bench/trapeze-bench --build $(BUILD)
	./$(BUILD)/bench/trapeze-bench-paging --build $(BUILD)

long: all
	TRAPEZE_DIFF_ITERS=1000000 ./$(BUILD)/tests/test_decode_capstone
	TRAPEZE_UC_INSNS=1000000 ./$(BUILD)/tests/test_interp_unicorn
	TRAPEZE_FUZZ_STREAMS=30000 ./$(BUILD)/tests/test_interp_fuzz

clean:
	rm -rf build build-asan build-cov
