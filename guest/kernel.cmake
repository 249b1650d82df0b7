# guest/kernel.cmake - the teaching kernel and its user programs.
#
#   trapeze_user_lib     user library: crt0, system calls, printf
#   user_NAME            guest/user/NAME.elf, one per program (static ELF64
#                        at 0x400000, small code model)
#   guest_kernel         kernel.elf: higher-half kernel (-mcmodel=kernel)
#                        with every user program embedded; boots by PVH
#                        (trapeze) or multiboot (QEMU -kernel)
#
# Included from guest/CMakeLists.txt.  Outputs land in
# ${CMAKE_BINARY_DIR}/guest/kernel.elf and ${CMAKE_BINARY_DIR}/guest/user/.

set(KERNEL_DIR ${CMAKE_CURRENT_SOURCE_DIR}/kernel)
set(USER_DIR ${CMAKE_CURRENT_SOURCE_DIR}/user)
set(USER_OUT ${CMAKE_BINARY_DIR}/guest/user)

# The same list as USER_PROGRAMS in kernel/programs.h.
set(USER_PROGRAMS hello forktest cowtest pfault compute preempt crash systest)

# ---- user programs ---------------------------------------------------------
add_library(trapeze_user_lib STATIC
  ${USER_DIR}/lib/crt0.S
  ${USER_DIR}/lib/ulib.c
  lib/printf.c
  lib/string.c)
target_link_libraries(trapeze_user_lib PUBLIC trapeze_guest_flags)
target_include_directories(trapeze_user_lib PUBLIC ${USER_DIR} ${KERNEL_DIR})

set(user_elfs)
foreach(prog ${USER_PROGRAMS})
  add_executable(user_${prog} ${USER_DIR}/${prog}.c)
  target_link_libraries(user_${prog} PRIVATE trapeze_user_lib)
  target_link_options(user_${prog} PRIVATE -T ${USER_DIR}/user.ld)
  set_target_properties(user_${prog} PROPERTIES
    OUTPUT_NAME ${prog}
    SUFFIX .elf
    RUNTIME_OUTPUT_DIRECTORY ${USER_OUT}
    LINK_DEPENDS ${USER_DIR}/user.ld)
  list(APPEND user_elfs ${USER_OUT}/${prog}.elf)
endforeach()

# ---- the kernel ------------------------------------------------------------
# The guest library again, in the kernel code model: the kernel's own
# copy (the identity-linked images use trapeze_guest_lib).
add_library(trapeze_guest_lib_kernel STATIC
  lib/boot.c
  lib/console.c
  lib/power.c
  lib/printf.c
  lib/string.c
  lib/uart.c)
target_link_libraries(trapeze_guest_lib_kernel PUBLIC trapeze_guest_flags)
target_compile_options(trapeze_guest_lib_kernel PUBLIC -mcmodel=kernel)
# (lib/string.c keeps the -fno-tree-loop-distribute-patterns that
# CMakeLists.txt gives it, in every library it is part of.)

add_executable(guest_kernel
  ${KERNEL_DIR}/entry.S
  ${KERNEL_DIR}/trap_entry.S
  ${KERNEL_DIR}/switch.S
  ${KERNEL_DIR}/programs.S
  ${KERNEL_DIR}/elf.c
  ${KERNEL_DIR}/frame.c
  ${KERNEL_DIR}/main.c
  ${KERNEL_DIR}/paging.c
  ${KERNEL_DIR}/panic.c
  ${KERNEL_DIR}/pic.c
  ${KERNEL_DIR}/proc.c
  ${KERNEL_DIR}/programs.c
  ${KERNEL_DIR}/sched.c
  ${KERNEL_DIR}/segments.c
  ${KERNEL_DIR}/syscall.c
  ${KERNEL_DIR}/timer.c
  ${KERNEL_DIR}/trap.c
  ${KERNEL_DIR}/uvm.c)
target_include_directories(guest_kernel PRIVATE ${KERNEL_DIR})
target_link_libraries(guest_kernel PRIVATE trapeze_guest_lib_kernel)
target_link_options(guest_kernel PRIVATE -T ${KERNEL_DIR}/kernel.ld
  -Wl,--no-warn-rwx-segments)
# programs.S pastes the user ELF files in with .incbin.
set_source_files_properties(${KERNEL_DIR}/programs.S PROPERTIES
  COMPILE_OPTIONS "-Wa,-I,${USER_OUT}"
  OBJECT_DEPENDS "${user_elfs}")
set_target_properties(guest_kernel PROPERTIES
  OUTPUT_NAME kernel
  SUFFIX .elf
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/guest
  LINK_DEPENDS ${KERNEL_DIR}/kernel.ld)
foreach(prog ${USER_PROGRAMS})
  add_dependencies(guest_kernel user_${prog})
endforeach()
add_dependencies(guest_images guest_kernel)
