# Unit tests for the ELF reader and the boot loaders (core/elf.c,
# core/loader.c).  Both build their test images in memory.
trapeze_unit_test(test_elf ${CMAKE_CURRENT_LIST_DIR}/test_elf.c)
trapeze_unit_test(test_loader ${CMAKE_CURRENT_LIST_DIR}/test_loader.c)
