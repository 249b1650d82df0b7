# t_timer.elf: PIT interrupts through the PIC into a bare direct64 guest
# (included from guest/CMakeLists.txt).
trapeze_guest_image(t_timer BOOT direct64 SOURCES ${CMAKE_CURRENT_LIST_DIR}/t_timer.c)
