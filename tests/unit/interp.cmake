# Unit tests of the reference interpreter (bt/interp*.c): instructions from
# bytes in guest memory to expected registers, flags and memory.
trapeze_unit_test(test_interp ${CMAKE_CURRENT_LIST_DIR}/test_interp.c)
