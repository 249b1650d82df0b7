# The boot loaders (direct64, PVH, multiboot) and the ELF reader under them.
# Included from core/CMakeLists.txt, so CMAKE_CURRENT_LIST_DIR is core/.
set(TRAPEZE_LOADER_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/elf.c
  ${CMAKE_CURRENT_LIST_DIR}/loader.c
  ${CMAKE_CURRENT_LIST_DIR}/loader_boot.c)
