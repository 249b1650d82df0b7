# The software MMU (shadowpt/): guest page walker and soft TLB.
# core/CMakeLists.txt adds TRAPEZE_SHADOWPT_SOURCES to trapeze_lib.
set(TRAPEZE_SHADOWPT_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/walk.c
  ${CMAKE_CURRENT_LIST_DIR}/tlb.c
  ${CMAKE_CURRENT_LIST_DIR}/mmu.c)
