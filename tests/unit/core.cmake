# Core unit tests: guest memory, buses, the run loop on a scripted engine.
trapeze_unit_test(test_gmem_bus ${CMAKE_CURRENT_LIST_DIR}/test_gmem_bus.c)
trapeze_unit_test(test_exits ${CMAKE_CURRENT_LIST_DIR}/test_exits.c
  ${PROJECT_SOURCE_DIR}/tests/fake_engine.c)
