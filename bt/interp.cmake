# The reference interpreter (bt/interp*.c): the software CPU engine
# "interp".  The core adds TRAPEZE_INTERP_SOURCES to trapeze_lib; it needs
# the software MMU (shadowpt/) beside it.
set(TRAPEZE_INTERP_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/interp.c
  ${CMAKE_CURRENT_LIST_DIR}/interp_exec.c
  ${CMAKE_CURRENT_LIST_DIR}/interp_mem.c
  ${CMAKE_CURRENT_LIST_DIR}/interp_seg.c
  ${CMAKE_CURRENT_LIST_DIR}/interp_except.c
  ${CMAKE_CURRENT_LIST_DIR}/interp_alu.c
  ${CMAKE_CURRENT_LIST_DIR}/interp_shift.c
  ${CMAKE_CURRENT_LIST_DIR}/interp_move.c
  ${CMAKE_CURRENT_LIST_DIR}/interp_string.c
  ${CMAKE_CURRENT_LIST_DIR}/interp_branch.c
  ${CMAKE_CURRENT_LIST_DIR}/interp_system.c)
