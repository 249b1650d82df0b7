# The software MMU: walker, permissions, A/D bits, soft TLB.
trapeze_unit_test(test_mmu ${CMAKE_CURRENT_LIST_DIR}/test_mmu.c)
