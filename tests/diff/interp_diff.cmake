# Differential test: the reference interpreter (bt/interp*.c) against
# Unicorn on random user-level instruction streams, one instruction at a
# time (docs/differential.md, "Interpreter vs Unicorn").
#
#   TRAPEZE_UC_INSNS    instructions to compare (default 150000, a few
#                       seconds; `make long` asks for 1000000 or more)
#   TRAPEZE_UC_SEED     the run's seed (every stream derives from it)
#   TRAPEZE_UC_CASE     run only stream N and trace every instruction
#   TRAPEZE_UC_VERBOSE  print each difference the allow-list accepts
#
#   TRAPEZE_UC_INSNS=1000000 build/tests/test_interp_unicorn
#
# Without Unicorn (pkg-config `unicorn`, Debian's libunicorn-dev) the test
# is built anyway and skips, saying so.
trapeze_unit_test(test_interp_unicorn
  ${CMAKE_CURRENT_LIST_DIR}/test_interp_unicorn.c
  ${CMAKE_CURRENT_LIST_DIR}/interp_machine.c
  ${CMAKE_CURRENT_LIST_DIR}/interp_gen.c
  ${CMAKE_CURRENT_LIST_DIR}/interp_gen_insn.c
  ${CMAKE_CURRENT_LIST_DIR}/interp_gen_branch.c
  ${CMAKE_CURRENT_LIST_DIR}/interp_enc.c
  ${CMAKE_CURRENT_LIST_DIR}/interp_capstone.c
  ${CMAKE_CURRENT_LIST_DIR}/uc_ref.c)
if(UNICORN_FOUND)
  target_link_libraries(test_interp_unicorn PRIVATE PkgConfig::UNICORN)
  target_compile_definitions(test_interp_unicorn PRIVATE TRAPEZE_HAVE_UNICORN)
else()
  message(STATUS "Unicorn not found: test_interp_unicorn will skip")
endif()
