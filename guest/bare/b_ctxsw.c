/*
 * b_ctxsw.c - memory-technique benchmark "ctxsw": switching between two
 * address spaces, N times.
 *
 * Boot: direct64.  Command line: n=N (operations).  ucall sequence:
 * SYNC(N), DONE.  Serial output: "ctxsw: N operations".
 *
 * Two roots, as two processes would have: both share the kernel entries
 * (PML4 slot 0, global pages when the CPU has PGE) and each maps
 * CTXSW_PAGES private pages at the same virtual address B_BENCH_VA, with
 * page tables of its own.  One operation is the memory side of a context
 * switch:
 *
 *   mov root[i & 1] -> CR3       switch address space (flushes the
 *                                non-global TLB entries)
 *   load each private page       the new process touches its memory
 *
 * Each private page holds a marker naming its root and page; a touch that
 * reads another root's marker (a stale translation) fails the run.
 *
 * Why it separates the two techniques.  Under shadow paging every guest
 * CR3 write traps: the VMM must find the shadow root that belongs to the
 * new guest root (a *root switch*; when it has kept one from earlier, a
 * *root cache hit* -- otherwise it would rebuild the shadow from scratch
 * at every switch).  Once the shadow root is found, the TLB misses that
 * follow are filled from the shadow tables without walking the guest's.
 * Under nested paging the CR3 write is the guest's business alone (no VMM
 * trip), but the flush is real: every private page touched afterwards
 * costs a full two-dimensional walk.  So shadow pays a VMM trip per
 * switch, nested pays CTXSW_PAGES long walks.
 */
#include <stdint.h>

#include "b_bench.h"

#define CTXSW_MAX_N 100000000ull
#define CTXSW_ROOTS 2
#define CTXSW_PAGES 4 /* private pages each "process" touches per switch */
/* The marker in the first word of root r's private page k. */
#define CTXSW_MARKER(r, k) (0x5157000000000000ull | (uint64_t)(r) << 16 | (uint64_t)(k))

/* Per root: pml4 -> pdpt -> pd -> pt -> CTXSW_PAGES frames. */
static b_table pml4[CTXSW_ROOTS], pdpt[CTXSW_ROOTS], pd[CTXSW_ROOTS], pt[CTXSW_ROOTS];

void guest_main(const struct guest_boot_args *args)
{
	const uint64_t va = B_BENCH_VA;
	uint64_t cr3[CTXSW_ROOTS];
	uint64_t n, bad = 0;

	b_machine_init();
	n = b_parse_n(args, CTXSW_MAX_N);
	b_check_ram(args, CTXSW_ROOTS * CTXSW_PAGES * B_PAGE_SIZE);

	for (unsigned r = 0; r < CTXSW_ROOTS; r++) {
		cr3[r] = b_root_init(pml4[r]);
		pml4[r][b_index(va, 4)] =
		    (uint64_t)pdpt[r] | B_PTE_P | B_PTE_RW | B_PTE_A;
		pdpt[r][b_index(va, 3)] = (uint64_t)pd[r] | B_PTE_P | B_PTE_RW | B_PTE_A;
		pd[r][b_index(va, 2)] = (uint64_t)pt[r] | B_PTE_P | B_PTE_RW | B_PTE_A;
		for (unsigned k = 0; k < CTXSW_PAGES; k++) {
			uint64_t frame = b_frame(r * CTXSW_PAGES + k);
			pt[r][b_index(va, 1) + k] = frame | B_PTE_RW_AD;
			b_store(frame, CTXSW_MARKER(r, k));
		}
	}
	/* Both roots once, so the loop starts in the steady state. */
	for (unsigned r = 0; r < CTXSW_ROOTS; r++) {
		write_cr3(cr3[r]);
		for (unsigned k = 0; k < CTXSW_PAGES; k++)
			bad += b_load(va + k * B_PAGE_SIZE) != CTXSW_MARKER(r, k);
	}

	b_begin(n);
	for (uint64_t i = 0; i < n; i++) {
		unsigned r = (unsigned)(i & 1);
		write_cr3(cr3[r]);
		for (unsigned k = 0; k < CTXSW_PAGES; k++)
			bad += b_load(va + k * B_PAGE_SIZE) != CTXSW_MARKER(r, k);
	}
	b_end("ctxsw", n, bad, "a private page read another root's marker");
}
