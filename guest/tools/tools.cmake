# Checks of the guest images, registered with ctest:
#   guest_NAME_imgcheck  ELF/boot headers of every image (tools/imgcheck.c)
#   guest_hello_qemu     hello.elf on QEMU (tools/qemu_hello.sh); skipped
#                        when qemu-system-x86_64 is missing
# Included from guest/CMakeLists.txt after the images are defined.

enable_testing()

add_executable(guest_imgcheck ${CMAKE_CURRENT_LIST_DIR}/imgcheck.c)
target_link_libraries(guest_imgcheck PRIVATE trapeze_host_flags)
set_target_properties(guest_imgcheck PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/guest)

foreach(boot boot32 direct64)
  get_property(images GLOBAL PROPERTY TRAPEZE_GUEST_IMAGES_${boot})
  foreach(target ${images})
    add_test(NAME ${target}_imgcheck
      COMMAND guest_imgcheck --${boot} $<TARGET_FILE:${target}>)
  endforeach()
endforeach()

find_program(TRAPEZE_QEMU qemu-system-x86_64)
if(TRAPEZE_QEMU)
  add_test(NAME guest_hello_qemu
    COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/qemu_hello.sh ${TRAPEZE_QEMU}
            $<TARGET_FILE:guest_hello>)
  set_tests_properties(guest_hello_qemu PROPERTIES
    SKIP_RETURN_CODE 77 TIMEOUT 150)
else()
  message(STATUS "qemu-system-x86_64 not found: guest_hello_qemu not registered")
endif()
