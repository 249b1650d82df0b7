# The software MMU (shadowpt/): guest page walker, soft TLB, and the three
# models that fill it (plain walk, shadow page tables, nested paging).
# core/CMakeLists.txt adds TRAPEZE_SHADOWPT_SOURCES to trapeze_lib.
set(TRAPEZE_SHADOWPT_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/walk.c
  ${CMAKE_CURRENT_LIST_DIR}/tlb.c
  ${CMAKE_CURRENT_LIST_DIR}/mmu.c
  ${CMAKE_CURRENT_LIST_DIR}/plain.c
  ${CMAKE_CURRENT_LIST_DIR}/shadow.c
  ${CMAKE_CURRENT_LIST_DIR}/shadow_page.c
  ${CMAKE_CURRENT_LIST_DIR}/nested.c)
