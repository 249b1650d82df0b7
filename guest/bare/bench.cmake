# b_*.elf: the memory-technique benchmark guests (bench/bench_paging.c runs
# them; included from guest/CMakeLists.txt).  Each is one workload plus the
# machine they share (b_common.c, b_bench.h).
foreach(workload ptemod pgfault ctxsw tlbwalk)
  trapeze_guest_image(b_${workload} BOOT direct64 SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/b_${workload}.c
    ${CMAKE_CURRENT_LIST_DIR}/b_common.c)
endforeach()
