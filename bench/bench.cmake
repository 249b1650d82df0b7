# Benchmarks: programs, not tests (`make bench`).  trapeze-bench runs the
# teaching kernel's compute program natively, on every usable engine and
# under QEMU TCG, and reports medians and ratios side by side.

# The compute workload, built for the host from the guest program's source.
add_executable(bench_native_compute ${PROJECT_SOURCE_DIR}/bench/native/compute_native.c)
target_include_directories(bench_native_compute PRIVATE ${PROJECT_SOURCE_DIR})
target_compile_options(bench_native_compute PRIVATE -O2 -mgeneral-regs-only -fno-builtin)
set_target_properties(bench_native_compute PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)

add_executable(trapeze-bench ${PROJECT_SOURCE_DIR}/bench/bench.c)
target_link_libraries(trapeze-bench PRIVATE trapeze_lib)
set_target_properties(trapeze-bench PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
add_dependencies(trapeze-bench bench_native_compute guest_images)

# Micro-benchmark of the software MMU: TLB fast path, translate, walks.
add_executable(mmu_bench ${PROJECT_SOURCE_DIR}/bench/mmu_bench.c)
target_link_libraries(mmu_bench PRIVATE trapeze_lib)
set_target_properties(mmu_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)

# The memory-technique benchmark: shadow vs nested paging on the guests
# guest/bare/b_*.c (ptemod, pgfault, ctxsw, tlbwalk), KVM as a reference.
add_executable(trapeze-bench-paging ${PROJECT_SOURCE_DIR}/bench/bench_paging.c)
target_link_libraries(trapeze-bench-paging PRIVATE trapeze_lib m)
set_target_properties(trapeze-bench-paging PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
add_dependencies(trapeze-bench-paging guest_images)
