# Random ring-0 code on the interpreter: no crash, no host access outside
# guest RAM (the sanitizer build checks every access).
#   TRAPEZE_FUZZ_STREAMS=20000 build/tests/test_interp_fuzz
trapeze_unit_test(test_interp_fuzz ${CMAKE_CURRENT_LIST_DIR}/test_interp_fuzz.c)
