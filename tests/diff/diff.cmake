# Differential tests: the decoder against Capstone on random instructions.
# TRAPEZE_DIFF_ITERS (cases per generator and mode; default 40000, about
# 270,000 cases in all) and TRAPEZE_DIFF_SEED tune a run, e.g.
#   TRAPEZE_DIFF_ITERS=1000000 build/tests/test_decode_capstone
trapeze_unit_test(test_decode_capstone
  ${CMAKE_CURRENT_LIST_DIR}/test_decode_capstone.c
  ${CMAKE_CURRENT_LIST_DIR}/capstone_ref.c)
