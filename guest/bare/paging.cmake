# t_paging.elf: page-table conformance, every access checked against the
# SDM's paging rules (included from guest/CMakeLists.txt).
trapeze_guest_image(t_paging BOOT direct64 SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/t_paging.c
  ${CMAKE_CURRENT_LIST_DIR}/t_paging_asm.S)
