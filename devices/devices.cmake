# The device models and the board, compiled into trapeze_lib
# (included from core/CMakeLists.txt).
set(TRAPEZE_DEVICE_SOURCES
  ${PROJECT_SOURCE_DIR}/devices/board.c
  ${PROJECT_SOURCE_DIR}/devices/uart16550.c
  ${PROJECT_SOURCE_DIR}/devices/debug_exit.c
  ${PROJECT_SOURCE_DIR}/devices/sysctl.c
  ${PROJECT_SOURCE_DIR}/devices/testport.c
  ${PROJECT_SOURCE_DIR}/devices/i8259.c
  ${PROJECT_SOURCE_DIR}/devices/i8254.c)
