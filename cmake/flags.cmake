# Compiler flags, kept on two interface targets so that host options
# (sanitizers, coverage) never leak into freestanding guest code.

add_library(trapeze_host_flags INTERFACE)
target_compile_options(trapeze_host_flags INTERFACE
  -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wvla -g -O2
  -D_GNU_SOURCE)
target_include_directories(trapeze_host_flags INTERFACE ${PROJECT_SOURCE_DIR})
if(TRAPEZE_SANITIZE)
  target_compile_options(trapeze_host_flags INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined
    -fno-omit-frame-pointer)
  target_link_options(trapeze_host_flags INTERFACE -fsanitize=address,undefined)
endif()
if(TRAPEZE_COVERAGE)
  target_compile_options(trapeze_host_flags INTERFACE --coverage -O0)
  target_link_options(trapeze_host_flags INTERFACE --coverage)
endif()

# Guest code: freestanding x86-64, no libc, no SSE, no red zone.
add_library(trapeze_guest_flags INTERFACE)
target_compile_options(trapeze_guest_flags INTERFACE
  -Wall -Wextra -Werror -Wno-unused-parameter -std=gnu11 -O2 -g
  -ffreestanding -fno-pic -fno-pie -fno-stack-protector -mno-red-zone
  -mgeneral-regs-only -fno-asynchronous-unwind-tables -fcf-protection=none
  -fno-builtin -nostdlib
  # __FILE__ in guest assertion reports: "guest/bare/t_assert.c"
  -fmacro-prefix-map=${PROJECT_SOURCE_DIR}/=)
# The code model is left to each image: identity-linked images at 1 MiB use
# the default (small); a higher-half kernel adds -mcmodel=kernel.
target_include_directories(trapeze_guest_flags INTERFACE
  ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/guest/include)
target_link_options(trapeze_guest_flags INTERFACE
  -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=0x1000
  -Wl,-z,noexecstack)
