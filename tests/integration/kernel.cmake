# The teaching kernel (guest/kernel) on every engine, and compared with
# QEMU: see test_kernel.c.
trapeze_unit_test(test_kernel ${CMAKE_CURRENT_LIST_DIR}/test_kernel.c
  ${CMAKE_CURRENT_LIST_DIR}/guest_runner.c)
add_dependencies(test_kernel guest_images)
# Programs that sleep or need preemption are skipped until the board has
# a timer: the i8259 PIC and the i8254 PIT device models.
if(EXISTS ${PROJECT_SOURCE_DIR}/devices/i8259.c AND
   EXISTS ${PROJECT_SOURCE_DIR}/devices/i8254.c)
  target_compile_definitions(test_kernel PRIVATE TRAPEZE_BOARD_HAS_TIMER=1)
endif()
