# Unit tests of the x86 decoder (bt/decode.c, bt/decode_tables.c,
# bt/decode_print.c), which trapeze_lib carries through bt/bt.cmake.
trapeze_unit_test(test_decode ${CMAKE_CURRENT_LIST_DIR}/test_decode.c)
trapeze_unit_test(test_decode_rules ${CMAKE_CURRENT_LIST_DIR}/test_decode_rules.c)
