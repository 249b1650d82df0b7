# The software CPU (bt/): so far the x86 decoder.  core/CMakeLists.txt adds
# TRAPEZE_BT_SOURCES to trapeze_lib.
set(TRAPEZE_BT_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/decode.c
  ${CMAKE_CURRENT_LIST_DIR}/decode_tables.c
  ${CMAKE_CURRENT_LIST_DIR}/decode_print.c)
