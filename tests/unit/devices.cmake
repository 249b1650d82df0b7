# Unit tests of the device models (devices/): each drives a device through
# the port-I/O bus of a VM that has no engine.
trapeze_unit_test(test_uart ${CMAKE_CURRENT_LIST_DIR}/test_uart.c ${CMAKE_CURRENT_LIST_DIR}/device_vm.c)
trapeze_unit_test(test_devices ${CMAKE_CURRENT_LIST_DIR}/test_devices.c ${CMAKE_CURRENT_LIST_DIR}/device_vm.c)
trapeze_unit_test(test_pic ${CMAKE_CURRENT_LIST_DIR}/test_pic.c ${CMAKE_CURRENT_LIST_DIR}/device_vm.c)
trapeze_unit_test(test_pit ${CMAKE_CURRENT_LIST_DIR}/test_pit.c ${CMAKE_CURRENT_LIST_DIR}/device_vm.c)
