# Differential tests: the decoder against Capstone on random instructions.
# TRAPEZE_DIFF_ITERS (cases per generator and mode; default 150000, about
# 1,000,000 cases in all, a second or two), TRAPEZE_DIFF_SEED and
# TRAPEZE_DIFF_VERBOSE (print an example of each documented class) tune a run:
#   TRAPEZE_DIFF_ITERS=1000000 build/tests/test_decode_capstone
trapeze_unit_test(test_decode_capstone
  ${CMAKE_CURRENT_LIST_DIR}/test_decode_capstone.c
  ${CMAKE_CURRENT_LIST_DIR}/capstone_ref.c)
