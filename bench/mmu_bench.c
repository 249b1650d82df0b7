/*
 * mmu_bench.c - what the software MMU costs per access: a soft-TLB hit on
 * the inline fast path, a hit through mmu_translate(), and a miss that
 * walks the guest's tables (4 KiB and 2 MiB pages).
 *
 * A program, not a test: it prints nanoseconds per operation (median of
 * several runs) for people comparing changes to shadowpt/.  It builds its
 * own guest RAM and page tables, like tests/unit/test_mmu.c.
 *
 *   build/bench/mmu_bench [iterations]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/gmem.h"
#include "core/x86.h"
#include "shadowpt/mmu.h"
#include "shadowpt/tlb.h"
#include "shadowpt/walk.h"

#define MiB       (1ull << 20)
#define RAM_SIZE  (512 * MiB)
#define TABLES    (448 * MiB)     /* page tables live from here up */
#define MAPPED    (256 * MiB)     /* la 0.. MAPPED-1 -> gpa, 4 KiB pages */
#define LARGE_LA  0x8000000000ull /* la of a 2 MiB-page alias of the same RAM */
#define HOT_PAGES 64              /* working set of the hit loops (fits the TLB) */
#define RUNS      5

struct bench {
	struct gmem gm;
	struct mmu *mmu;
	struct mmu_ctx ctx;
	gpa_t next_table;
};

static gpa_t table_alloc(struct bench *b)
{
	gpa_t t = b->next_table;

	b->next_table += PAGE_SIZE;
	gmem_fill(&b->gm, t, 0, PAGE_SIZE);
	return t;
}

/* The entry gpa for la at `level`, creating tables above it. */
static gpa_t entry_for(struct bench *b, gva_t la, enum mmu_level level)
{
	gpa_t table = b->ctx.cr3;

	for (enum mmu_level l = MMU_LEVEL_PML4; l > level; l--) {
		gpa_t e = table + mmu_level_index(la, l) * 8;
		uint64_t v;
		gmem_read_u64(&b->gm, e, &v);
		if (!(v & MMU_PTE_P)) {
			v = table_alloc(b) | MMU_PTE_P | MMU_PTE_RW;
			gmem_write_u64(&b->gm, e, v);
		}
		table = v & MMU_PTE_ADDR_MASK;
	}
	return table + mmu_level_index(la, level) * 8;
}

static void bench_setup(struct bench *b)
{
	if (gmem_init(&b->gm, RAM_SIZE) || !(b->mmu = mmu_create(&b->gm))) {
		fprintf(stderr, "mmu_bench: cannot create %llu MiB of guest RAM\n",
		        (unsigned long long)(RAM_SIZE / MiB));
		exit(1);
	}
	b->next_table = TABLES;
	b->ctx = (struct mmu_ctx){
	    .cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP,
	    .cr4 = X86_CR4_PAE | X86_CR4_PGE,
	    .efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE,
	};
	b->ctx.cr3 = table_alloc(b);
	for (gpa_t pa = 0; pa < MAPPED; pa += PAGE_SIZE)
		gmem_write_u64(&b->gm, entry_for(b, pa, MMU_LEVEL_PT),
		               pa | MMU_PTE_P | MMU_PTE_RW | MMU_PTE_A | MMU_PTE_D);
	for (gpa_t pa = 0; pa < MAPPED; pa += 2 * MiB)
		gmem_write_u64(&b->gm, entry_for(b, LARGE_LA + pa, MMU_LEVEL_PD),
		               pa | MMU_PTE_P | MMU_PTE_RW | MMU_PTE_PS | MMU_PTE_A |
		                   MMU_PTE_D);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static volatile uint64_t sink;

/* Inline fast path plus the 8-byte load it guards. */
static double run_fast_hits(struct bench *b, uint64_t n)
{
	uint64_t sum = 0;
	double t0 = now_ns();

	for (uint64_t i = 0; i < n; i++) {
		gva_t la = ((i % HOT_PAGES) << PAGE_SHIFT) + ((i * 8) & 0xff8);
		hva_t h = mmu_tlb_hva(b->mmu, &b->ctx, la, 8, MMU_READ);
		if (__builtin_expect(h == NULL, 0)) {
			struct mmu_result r;
			struct mmu_fault f;
			mmu_translate(b->mmu, &b->ctx, la, MMU_READ, &r, &f);
			h = r.hva;
		}
		uint64_t v;
		memcpy(&v, h, sizeof(v));
		sum += v;
	}
	sink = sum;
	return (now_ns() - t0) / (double)n;
}

/* The same loads straight from the host mapping: the floor. */
static double run_native(struct bench *b, uint64_t n)
{
	uint64_t sum = 0;
	double t0 = now_ns();

	for (uint64_t i = 0; i < n; i++) {
		gva_t la = ((i % HOT_PAGES) << PAGE_SHIFT) + ((i * 8) & 0xff8);
		uint64_t v;
		memcpy(&v, b->gm.base + la, sizeof(v));
		sum += v;
	}
	sink = sum;
	return (now_ns() - t0) / (double)n;
}

static double run_translate_hits(struct bench *b, uint64_t n)
{
	struct mmu_result r;
	struct mmu_fault f;
	uint64_t sum = 0;
	double t0 = now_ns();

	for (uint64_t i = 0; i < n; i++) {
		gva_t la = ((i % HOT_PAGES) << PAGE_SHIFT) + ((i * 8) & 0xff8);
		mmu_translate(b->mmu, &b->ctx, la, MMU_READ, &r, &f);
		sum += r.gpa;
	}
	sink = sum;
	return (now_ns() - t0) / (double)n;
}

/* Every access a different page, MAPPED/PAGE_SIZE pages round: each one
 * misses (direct-mapped slot and victims long since reused) and walks. */
static double run_misses(struct bench *b, gva_t base, uint64_t n)
{
	struct mmu_result r;
	struct mmu_fault f;
	uint64_t pages = MAPPED / PAGE_SIZE, sum = 0;
	double t0 = now_ns();

	for (uint64_t i = 0; i < n; i++) {
		/* a stride that visits every page before repeating one */
		gva_t la = base + (((i * 4099) % pages) << PAGE_SHIFT);
		mmu_translate(b->mmu, &b->ctx, la, MMU_READ, &r, &f);
		sum += r.gpa;
	}
	sink = sum;
	return (now_ns() - t0) / (double)n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double (*fn)(struct bench *, uint64_t), struct bench *b, uint64_t n)
{
	double t[RUNS];

	for (int i = 0; i < RUNS; i++)
		t[i] = fn(b, n);
	qsort(t, RUNS, sizeof(t[0]), cmp_double);
	return t[RUNS / 2];
}

static double misses_4k(struct bench *b, uint64_t n)
{
	return run_misses(b, 0, n);
}
static double misses_2m(struct bench *b, uint64_t n)
{
	return run_misses(b, LARGE_LA, n);
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 50000000ull;
	struct bench b;

	bench_setup(&b);
	run_native(&b, n / 10); /* warm up host pages and the TLB */
	run_fast_hits(&b, n / 10);

	double native = median(run_native, &b, n);
	double fast = median(run_fast_hits, &b, n);
	double slow = median(run_translate_hits, &b, n / 4);
	uint64_t walks0 = mmu_stats(b.mmu)->walks;
	double miss4k = median(misses_4k, &b, n / 20);
	uint64_t walks1 = mmu_stats(b.mmu)->walks;
	double miss2m = median(misses_2m, &b, n / 20);

	printf("soft TLB, %u entries x %u classes + %u victims\n", MMU_TLB_SIZE,
	       MMU_TLB_NR_CLASSES, MMU_VTLB_SIZE);
	printf("  native 8-byte load             %6.2f ns\n", native);
	printf("  fast-path hit + load           %6.2f ns  (+%.2f ns over native)\n",
	       fast, fast - native);
	printf("  mmu_translate() hit            %6.2f ns\n", slow);
	printf("  miss + walk, 4 KiB pages       %6.2f ns  (%.2f walks per access)\n",
	       miss4k, (double)(walks1 - walks0) / (double)(RUNS * (n / 20)));
	printf("  miss + walk, 2 MiB pages       %6.2f ns\n", miss2m);
	mmu_destroy(b.mmu);
	gmem_destroy(&b.gm);
	return 0;
}
