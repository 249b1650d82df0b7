/*
 * b_ptemod.c - memory-technique benchmark "ptemod": the guest rewrites a
 * page-table entry, N times.
 *
 * Boot: direct64.  Command line: n=N (operations).  ucall sequence:
 * SYNC(N), DONE.  Serial output: "ptemod: N operations".
 *
 * One operation is what a kernel does when it remaps a page (copy-on-write
 * break, page migration, mprotect):
 *
 *   *pte = frame[i & 1] | P RW A D     rewrite the entry (two frames, in turn)
 *   invlpg page                        drop the stale translation
 *   load page[0]                       touch the page: must see the new frame
 *
 * Why it separates the two techniques.  Under shadow paging the VMM keeps
 * its own gva->host tables, derived from the guest's, and must hear of
 * every change to them: it write-protects the guest's page-table pages, so
 * the store to the PTE is a *tracing fault* (the VMM decodes the store,
 * performs it and updates or zaps the shadow entry), the invlpg zaps the
 * shadow entry, and the touch misses the shadow and takes a *hidden fault*
 * that walks the guest's tables to fill it again.  Three trips into the
 * VMM per operation: this is the workload shadow paging is worst at.
 * Under nested paging the guest owns its tables outright: the store is an
 * ordinary store, invlpg drops one TLB entry, and the touch costs one TLB
 * miss -- a two-dimensional walk (guest levels, each through the EPT: up
 * to 24 memory references) but no fault at all.
 *
 * Each frame holds its own marker in its first word; an operation whose
 * touch reads the other frame's marker (a stale translation) is counted,
 * and any such count fails the run.
 */
#include <stdint.h>

#include "b_bench.h"

#define PTEMOD_MAX_N   100000000ull
#define PTEMOD_FRAMES  2
#define PTEMOD_MARKER0 0x0123456789abcdefull
#define PTEMOD_MARKER1 0xfedcba9876543210ull

/* The one 4 KiB page: B_BENCH_VA through pdpt -> pd -> pt. */
static b_table pml4, pdpt, pd, pt;

void guest_main(const struct guest_boot_args *args)
{
	const uint64_t va = B_BENCH_VA;
	const uint64_t pte[PTEMOD_FRAMES] = {b_frame(0) | B_PTE_RW_AD,
	                                     b_frame(1) | B_PTE_RW_AD};
	const uint64_t marker[PTEMOD_FRAMES] = {PTEMOD_MARKER0, PTEMOD_MARKER1};
	volatile uint64_t *slot = &pt[b_index(va, 1)];
	uint64_t n, bad = 0;

	b_machine_init();
	n = b_parse_n(args, PTEMOD_MAX_N);
	b_check_ram(args, PTEMOD_FRAMES * B_PAGE_SIZE);
	b_store(b_frame(0), PTEMOD_MARKER0);
	b_store(b_frame(1), PTEMOD_MARKER1);

	uint64_t cr3 = b_root_init(pml4);
	pml4[b_index(va, 4)] = (uint64_t)pdpt | B_PTE_P | B_PTE_RW | B_PTE_A;
	pdpt[b_index(va, 3)] = (uint64_t)pd | B_PTE_P | B_PTE_RW | B_PTE_A;
	pd[b_index(va, 2)] = (uint64_t)pt | B_PTE_P | B_PTE_RW | B_PTE_A;
	*slot = pte[1];
	write_cr3(cr3);
	bad += b_load(va) != PTEMOD_MARKER1; /* the tables work before we start */

	b_begin(n);
	for (uint64_t i = 0; i < n; i++) {
		unsigned f = (unsigned)(i & 1);
		*slot = pte[f];
		invlpg(va);
		bad += b_load(va) != marker[f];
	}
	b_end("ptemod", n, bad, "the touch after invlpg read the old frame");
}
