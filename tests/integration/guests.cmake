# Integration tests: guest images booted on every engine, and the CLI.
trapeze_unit_test(test_guests ${CMAKE_CURRENT_LIST_DIR}/test_guests.c
  ${CMAKE_CURRENT_LIST_DIR}/guest_runner.c)
if(TARGET guest_images)
  add_dependencies(test_guests guest_images)
endif()
trapeze_unit_test(test_cli ${CMAKE_CURRENT_LIST_DIR}/test_cli.c)
add_dependencies(test_cli trapeze)
if(TARGET guest_images)
  add_dependencies(test_cli guest_images)
endif()
trapeze_unit_test(test_engine_state ${CMAKE_CURRENT_LIST_DIR}/test_engine_state.c)
