/*
 * b_tlbwalk.c - memory-technique benchmark "tlbwalk": N loads from an
 * array much larger than the TLB's reach, one page apart.
 *
 * Boot: direct64.  Command line: n=N (operations).  ucall sequence:
 * SYNC(N), DONE.  Serial output: "tlbwalk: N operations".
 *
 * The array is TLBWALK_PAGES 4 KiB pages (32 MiB) at B_BENCH_VA, each
 * backed by its own frame.  One operation is one load from the next page
 * (page i % TLBWALK_PAGES), so consecutive loads never share a page and a
 * page comes back only after the whole array: with the soft TLB's 256
 * entries per privilege (1 MiB of reach; a hardware TLB is not much
 * larger) every load is a TLB miss.  The load's offset inside the page
 * moves by one cache line per page, so the host's data caches see
 * different sets rather than the same one 8192 times.  Page p holds p at
 * that offset; a load that reads anything else fails the run.
 *
 * Why it separates the two techniques.  Neither technique faults here
 * once the set-up pass has run: the guest's tables never change.  What
 * differs is the price of a TLB miss.  Under shadow paging the miss is
 * filled from the VMM's gva->host shadow table, a one-dimensional walk
 * (at most 4 references).  Under nested paging it is the two-dimensional
 * walk: each of the 4 guest levels and the final guest-physical address
 * are translated through the 4-level EPT, up to 24 references per miss.
 * This is the workload nested paging is worst at, and why hardware
 * caches the intermediate translations (page-walk caches) and why large
 * pages matter so much under it.
 */
#include <stdint.h>

#include "b_bench.h"
#include "guest_test.h"

#define TLBWALK_MAX_N     1000000000ull
#define TLBWALK_PAGES     8192 /* 32 MiB of 4 KiB pages */
#define TLBWALK_PT_PAGES  (TLBWALK_PAGES / B_PT_ENTRIES)
#define TLBWALK_LINE      64 /* the load's offset moves by a cache line */
#define TLBWALK_LINE_MASK (B_PAGE_SIZE - TLBWALK_LINE)

static b_table pml4, pdpt, pd;
/* The page tables, one after the other: page p's PTE is ptes[p]. */
static uint64_t ptes[TLBWALK_PAGES] __attribute__((aligned(4096)));

/* Address of the word the benchmark loads from page p. */
static inline uint64_t word_of(uint64_t p)
{
	return B_BENCH_VA + p * B_PAGE_SIZE + ((p * TLBWALK_LINE) & TLBWALK_LINE_MASK);
}

void guest_main(const struct guest_boot_args *args)
{
	const uint64_t va = B_BENCH_VA;
	uint64_t n, bad = 0;

	b_machine_init();
	n = b_parse_n(args, TLBWALK_MAX_N);
	b_check_ram(args, TLBWALK_PAGES * B_PAGE_SIZE);

	uint64_t cr3 = b_root_init(pml4);
	pml4[b_index(va, 4)] = (uint64_t)pdpt | B_PTE_P | B_PTE_RW | B_PTE_A;
	pdpt[b_index(va, 3)] = (uint64_t)pd | B_PTE_P | B_PTE_RW | B_PTE_A;
	for (unsigned i = 0; i < TLBWALK_PT_PAGES; i++)
		pd[b_index(va, 2) + i] =
		    (uint64_t)&ptes[i * B_PT_ENTRIES] | B_PTE_P | B_PTE_RW | B_PTE_A;
	for (uint64_t p = 0; p < TLBWALK_PAGES; p++)
		ptes[p] = b_frame(p) | B_PTE_RW_AD;
	write_cr3(cr3);
	/* The set-up pass, through the array's own mapping: afterwards every
	 * technique is in its steady state (shadow tables filled). */
	for (uint64_t p = 0; p < TLBWALK_PAGES; p++)
		b_store(word_of(p), p);

	b_begin(n);
	for (uint64_t i = 0, p = 0; i < n; i++) {
		bad += b_load(word_of(p)) != p;
		if (++p == TLBWALK_PAGES)
			p = 0;
	}
	b_end("tlbwalk", n, bad, "a load read another page's word");
}
