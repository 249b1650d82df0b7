/*
 * b_pgfault.c - memory-technique benchmark "pgfault": demand paging, N
 * page faults that the guest's own handler resolves.
 *
 * Boot: direct64.  Command line: n=N (operations, at most PGFAULT_MAX_N).
 * ucall sequence: SYNC(N), DONE.  Serial output: "pgfault: N operations".
 *
 * The guest reserves N pages of virtual memory at B_BENCH_VA whose PTEs
 * are not present (page tables exist, all zero).  One operation touches
 * the next fresh page with a store; the store faults, and the #PF handler
 * does what a kernel's anonymous-memory fault path does at its core:
 *
 *   CR2 -> page index -> *pte = frame | P RW A D -> iretq -> store retried
 *
 * (The frames come round-robin from a small pool and are not zeroed:
 * zeroing 4 KiB would dominate and is the same under both techniques.)
 * The operation reads its value back, so a fault that "returned" without
 * mapping the page cannot pass.
 *
 * Why it separates the two techniques.  Under shadow paging the first
 * store misses the shadow tables: a *hidden fault* walks the guest's
 * tables, finds the PTE not present and so becomes a *true fault*,
 * injected into the guest.  The handler's store to the PTE hits a
 * write-protected guest page-table page: a *tracing fault*.  After iretq
 * the retried store misses the shadow again: another hidden fault, which
 * fills it.  Under nested paging the hardware (here the software MMU) walks
 * the guest's tables in two dimensions, finds P=0 and delivers #PF
 * directly; the handler's PTE store is a plain store; the retry is one
 * more 2D walk.  No VMM trip at all, only longer walks -- the case nested
 * paging was built for.
 */
#include <stdbool.h>
#include <stdint.h>

#include "b_bench.h"
#include "guest_test.h"

/* One page directory of page tables: 1 GiB of fresh virtual memory. */
#define PGFAULT_PT_PAGES B_PT_ENTRIES
#define PGFAULT_MAX_N    ((uint64_t)PGFAULT_PT_PAGES * B_PT_ENTRIES)
/* Frames the handler maps, round-robin (4 MiB). */
#define PGFAULT_FRAMES 1024

static b_table pml4, pdpt, pd;
/* The page tables, one after the other, so page p's PTE is ptes[p]:
 * 2 MiB of zeroes, no PTE present. */
static uint64_t ptes[PGFAULT_MAX_N] __attribute__((aligned(4096)));
static volatile uint64_t faults;
static uint64_t pages; /* N: the handler maps only these */

/* The #PF handler: map the page that faulted, count it. */
static bool map_on_demand(uint64_t cr2, uint64_t error)
{
	uint64_t page = (cr2 - B_BENCH_VA) / B_PAGE_SIZE;

	(void)error;
	if (cr2 < B_BENCH_VA || page >= pages)
		return false;
	ptes[page] = b_frame(page % PGFAULT_FRAMES) | B_PTE_RW_AD;
	faults++;
	return true;
}

void guest_main(const struct guest_boot_args *args)
{
	const uint64_t va = B_BENCH_VA;
	uint64_t n, bad = 0;

	b_machine_init();
	n = b_parse_n(args, PGFAULT_MAX_N);
	b_check_ram(args, PGFAULT_FRAMES * B_PAGE_SIZE);
	pages = n;

	uint64_t cr3 = b_root_init(pml4);
	pml4[b_index(va, 4)] = (uint64_t)pdpt | B_PTE_P | B_PTE_RW | B_PTE_A;
	pdpt[b_index(va, 3)] = (uint64_t)pd | B_PTE_P | B_PTE_RW | B_PTE_A;
	for (uint64_t i = 0; i < (n + B_PT_ENTRIES - 1) / B_PT_ENTRIES; i++)
		pd[i] = (uint64_t)&ptes[i * B_PT_ENTRIES] | B_PTE_P | B_PTE_RW | B_PTE_A;
	write_cr3(cr3);
	b_set_pf_handler(map_on_demand);

	b_begin(n);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t page = va + i * B_PAGE_SIZE;
		b_store(page, i);
		bad += b_load(page) != i;
	}
	if (faults != n)
		guest_ucall_assert(__FILE__, __LINE__, faults, n,
		                   "%llu page faults for %llu fresh pages",
		                   (unsigned long long)faults, (unsigned long long)n);
	b_end("pgfault", n, bad, "a page read back another value than was stored");
}
