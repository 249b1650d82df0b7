# The MMU's shadow and nested paging models: unit tests, and the
# differential test of all three models against the page walker.
trapeze_unit_test(test_shadow ${CMAKE_CURRENT_LIST_DIR}/test_shadow.c
  ${CMAKE_CURRENT_LIST_DIR}/test_shadow_diff.c)
