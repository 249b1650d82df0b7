/*
 * test_shadow_diff.c - the three MMU models against the page walker, on
 * randomized page tables: the differential half of test_shadow.
 *
 * Four copies of the same guest RAM: one for walk.c's walker alone (the
 * reference: no TLB, no shadow, no EPT), one each for an MMU with the
 * plain, shadow and nested model.  A seeded random program then
 *
 *   - accesses a random page of a fixed set of 81 linear pages (3 indices
 *     at each of the 4 levels, so tables are shared and entries collide),
 *     as a read, write or fetch, from CPL 0 or 3;
 *   - rewrites a random entry of a random table -- not present, reserved
 *     bits, a table pointer (sometimes to a table of another level, or
 *     outside RAM: aliasing the shadow must tell apart), a 4 KiB, 2 MiB
 *     or 1 GiB leaf with random rights, A/D/G bits, MMIO frames -- in all
 *     four copies (telling the shadow MMU, as the interpreter does), then
 *     invalidates as the architecture requires (INVLPG of every page of
 *     the set, or a full flush);
 *   - switches between two roots, toggles CR0.WP and EFER.NXE.
 *
 * After every access the answer (status, gpa, host offset, #PF error code
 * and CR2) must be the walker's, and after every step the page tables of
 * all four copies must be byte-for-byte equal: the same A and D bits.
 * CR3 switches flush globals too, because randomly shared tables may give
 * a global page two different mappings, where the SDM lets a TLB answer
 * either way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/gmem.h"
#include "core/x86.h"
#include "shadowpt/mmu.h"
#include "shadowpt/walk.h"

void models_agree_with_the_walker(void **state);
void models_agree_with_a_tiny_shadow_cap(void **state);

#define MiB (1ull << 20)

#define DIFF_RAM    (16 * MiB)
#define DIFF_TABLES (1 * MiB) /* the tables live here */
#define DIFF_DATA   (4 * MiB) /* 4 KiB leaves point here */
#define MMIO_GPA    0xfee00000ull
#define NR_COPIES   4 /* walker, plain, shadow, nested */
#define PER_LEVEL   3 /* tables per level below the roots */
#define NR_TABLES   (2 + 3 * PER_LEVEL)
#define NR_IDX      3
#define NR_LAS      81 /* NR_IDX ^ 4 */

static const unsigned pml4_idx[NR_IDX] = {0, 1, 511};
static const unsigned low_idx[NR_IDX] = {0, 1, 2};

struct diff {
	struct gmem gm[NR_COPIES];
	struct mmu *mmu[NR_COPIES]; /* [0] is the walker's copy: no MMU */
	struct mmu_ctx ctx;
	gpa_t root[2];
	unsigned cur;
	uint64_t rng;
	gva_t las[NR_LAS];
	unsigned step;
};

static uint64_t rnd(struct diff *d)
{
	d->rng ^= d->rng << 13; /* xorshift64 */
	d->rng ^= d->rng >> 7;
	d->rng ^= d->rng << 17;
	return d->rng;
}

static bool chance(struct diff *d, unsigned percent)
{
	return rnd(d) % 100 < percent;
}

/* Table k: 0, 1 the roots; then PER_LEVEL each for levels 3, 2, 1. */
static gpa_t table_gpa(unsigned k)
{
	return DIFF_TABLES + (gpa_t)k * PAGE_SIZE;
}

static enum mmu_level table_level(unsigned k)
{
	return k < 2 ? MMU_LEVEL_PML4 : (enum mmu_level)(3 - (k - 2) / PER_LEVEL);
}

static gpa_t random_table(struct diff *d, enum mmu_level level)
{
	if (level == MMU_LEVEL_PML4)
		return table_gpa(rnd(d) % 2);
	return table_gpa(2 + (3 - level) * PER_LEVEL + rnd(d) % PER_LEVEL);
}

/* Random U/S, R/W, XD, A, caching and ignored bits. */
static uint64_t random_flags(struct diff *d, unsigned p_rw_us)
{
	uint64_t v = MMU_PTE_P;

	v |= chance(d, p_rw_us) ? MMU_PTE_RW : 0;
	v |= chance(d, p_rw_us) ? MMU_PTE_US : 0;
	v |= chance(d, 15) ? MMU_PTE_XD : 0;
	v |= chance(d, 50) ? MMU_PTE_A : 0;
	v |= chance(d, 10) ? MMU_PTE_PWT | MMU_PTE_PCD : 0;
	v |= chance(d, 10) ? 1ull << 9 : 0;
	return v;
}

/* A leaf at `level` (1: a PTE; 2, 3: a PS=1 large page). */
static uint64_t random_leaf(struct diff *d, enum mmu_level level)
{
	uint64_t v = random_flags(d, 75);
	gpa_t frame;

	v |= chance(d, 40) ? MMU_PTE_D : 0;
	v |= chance(d, 15) ? MMU_PTE_G : 0;
	if (level == MMU_LEVEL_PT) {
		frame = chance(d, 5) ? MMIO_GPA : DIFF_DATA + (rnd(d) % 32) * PAGE_SIZE;
		return v | frame;
	}
	v |= MMU_PTE_PS;
	if (level == MMU_LEVEL_PD)
		frame = (rnd(d) % 12) << 21; /* some past the end of RAM */
	else
		frame = (rnd(d) % 2) << 30;
	if (chance(d, 5))
		v |= 1ull << 13; /* reserved in a large leaf */
	return v | frame;
}

static uint64_t random_entry(struct diff *d, enum mmu_level level)
{
	unsigned r = (unsigned)(rnd(d) % 100);

	if (r < 8)
		return chance(d, 50) ? 0 : rnd(d) & ~MMU_PTE_P; /* not present */
	if (r < 11)
		return random_flags(d, 80) | table_gpa(2) | 1ull << (40 + rnd(d) % 12);
	if (level == MMU_LEVEL_PT)
		return random_leaf(d, level);
	if (level < MMU_LEVEL_PML4 && r < 35)
		return random_leaf(d, level);
	uint64_t v = random_flags(d, 85);
	if (level == MMU_LEVEL_PML4 && chance(d, 3))
		v |= MMU_PTE_PS; /* reserved in a PML4E */
	if (chance(d, 3))
		return v | 0x7fff000; /* a table past the end of RAM */
	if (chance(d, 5))             /* a table of another level: the same guest page
	                               * shadowed at two levels */
		return v | random_table(d, (enum mmu_level)(1 + rnd(d) % 4));
	return v | random_table(d, level - 1);
}

/* A store to a guest page-table entry, in every copy. */
static void diff_store(struct diff *d, gpa_t gpa, uint64_t v)
{
	for (unsigned c = 0; c < NR_COPIES; c++) {
		assert_int_equal(gmem_write_u64(&d->gm[c], gpa, v), 0);
		if (d->mmu[c])
			mmu_write_tracked(d->mmu[c], gpa, sizeof(v));
	}
}

static void diff_init(struct diff *d, uint64_t seed, unsigned shadow_cap)
{
	static const enum mmu_model models[NR_COPIES] = {
	    MMU_MODEL_PLAIN, MMU_MODEL_PLAIN, MMU_MODEL_SHADOW, MMU_MODEL_NESTED};
	unsigned n = 0;

	memset(d, 0, sizeof(*d));
	d->rng = seed * 0x9e3779b97f4a7c15ull + 1;
	for (unsigned c = 0; c < NR_COPIES; c++) {
		struct mmu_config cfg = {.model = models[c],
		                         .shadow_max_pages = shadow_cap};
		assert_int_equal(gmem_init(&d->gm[c], DIFF_RAM), 0);
		if (c > 0)
			assert_non_null(d->mmu[c] = mmu_create_model(&d->gm[c], &cfg));
	}
	for (unsigned k = 0; k < NR_TABLES; k++)
		for (unsigned i = 0; i < NR_IDX; i++) {
			unsigned idx = k < 2 ? pml4_idx[i] : low_idx[i];
			diff_store(d, table_gpa(k) + idx * 8,
			           random_entry(d, table_level(k)));
		}
	for (unsigned a = 0; a < NR_IDX; a++)
		for (unsigned b = 0; b < NR_IDX; b++)
			for (unsigned c = 0; c < NR_IDX; c++)
				for (unsigned e = 0; e < NR_IDX; e++) {
					uint64_t la = (uint64_t)pml4_idx[a] << 39 |
					              (uint64_t)low_idx[b] << 30 |
					              (uint64_t)low_idx[c] << 21 |
					              (uint64_t)low_idx[e] << 12;
					d->las[n++] = (gva_t)((int64_t)(la << 16) >> 16);
				}
	d->root[0] = table_gpa(0);
	d->root[1] = table_gpa(1);
	d->ctx = (struct mmu_ctx){
	    .cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP,
	    .cr3 = d->root[0],
	    .cr4 = X86_CR4_PAE | X86_CR4_PGE,
	    .efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE,
	};
}

static void diff_destroy(struct diff *d)
{
	for (unsigned c = 0; c < NR_COPIES; c++) {
		mmu_destroy(d->mmu[c]);
		gmem_destroy(&d->gm[c]);
	}
}

/* Where a host address lies in copy c's RAM (-1: no host address). */
static int64_t ram_offset(const struct diff *d, unsigned c, hva_t h)
{
	return h ? (int64_t)(h - d->gm[c].base) : -1;
}

/* One access in every model; each must give the walker's answer. */
static void diff_access(struct diff *d)
{
	gva_t la = d->las[rnd(d) % NR_LAS] | (rnd(d) % PAGE_SIZE & ~7ull);
	enum mmu_access access = (enum mmu_access)(rnd(d) % 3);
	struct mmu_walker w;

	d->ctx.user = chance(d, 50);
	int want = mmu_walk(&d->gm[0], &d->ctx, la, access, 0, &w);
	int64_t want_off =
	    want == MMU_OK ? ram_offset(d, 0, gmem_hva(&d->gm[0], w.gpa, 1)) : 0;
	for (unsigned c = 1; c < NR_COPIES; c++) {
		struct mmu_result r = {0};
		struct mmu_fault pf = {0};
		int got = mmu_translate(d->mmu[c], &d->ctx, la, access, &r, &pf);
		const char *model = mmu_model_name(mmu_model(d->mmu[c]));
		if (got != want)
			fail_msg("step %u, %s: la %#llx access %d user %d: status %d, "
			         "walker %d",
			         d->step, model, (unsigned long long)la, access,
			         d->ctx.user, got, want);
		if (want == MMU_OK &&
		    (r.gpa != w.gpa || ram_offset(d, c, r.hva) != want_off))
			fail_msg("step %u, %s: la %#llx: gpa %#llx, walker %#llx",
			         d->step, model, (unsigned long long)la,
			         (unsigned long long)r.gpa, (unsigned long long)w.gpa);
		if (want == MMU_PAGE_FAULT &&
		    (pf.error_code != w.fault.error_code || pf.addr != w.fault.addr))
			fail_msg("step %u, %s: la %#llx: #PF %#x, walker %#x", d->step,
			         model, (unsigned long long)la, pf.error_code,
			         w.fault.error_code);
	}
}

/* Rewrite one entry, then invalidate what the architecture requires. */
static void diff_mutate(struct diff *d)
{
	unsigned k = (unsigned)(rnd(d) % NR_TABLES);
	unsigned i = (unsigned)(rnd(d) % NR_IDX);
	unsigned idx = k < 2 ? pml4_idx[i] : low_idx[i];
	bool full = chance(d, 30);

	diff_store(d, table_gpa(k) + idx * 8, random_entry(d, table_level(k)));
	for (unsigned c = 1; c < NR_COPIES; c++) {
		if (full) {
			mmu_flush(d->mmu[c], false);
			continue;
		}
		for (unsigned a = 0; a < NR_LAS; a++)
			mmu_invlpg(d->mmu[c], d->las[a]);
	}
}

static void diff_flush_all(struct diff *d)
{
	for (unsigned c = 1; c < NR_COPIES; c++)
		mmu_flush(d->mmu[c], false);
}

static void diff_step(struct diff *d)
{
	unsigned r = (unsigned)(rnd(d) % 100);

	if (r < 72) {
		diff_access(d);
	} else if (r < 86) {
		diff_mutate(d);
	} else if (r < 91) {
		d->cur ^= 1;
		d->ctx.cr3 = d->root[d->cur];
		diff_flush_all(d);
	} else if (r < 94) {
		d->ctx.cr0 ^= X86_CR0_WP;
	} else if (r < 96) {
		d->ctx.efer ^= X86_EFER_NXE;
	} else {
		gva_t la = d->las[rnd(d) % NR_LAS];
		for (unsigned c = 1; c < NR_COPIES; c++)
			mmu_invlpg(d->mmu[c], la);
	}
}

/* The tables of every copy must match the walker's, A/D bits included. */
static void diff_compare_tables(struct diff *d)
{
	hva_t ref = gmem_hva(&d->gm[0], DIFF_TABLES, NR_TABLES * PAGE_SIZE);

	for (unsigned c = 1; c < NR_COPIES; c++) {
		hva_t got = gmem_hva(&d->gm[c], DIFF_TABLES, NR_TABLES * PAGE_SIZE);
		for (size_t off = 0; off < NR_TABLES * PAGE_SIZE; off += 8) {
			uint64_t a, b;
			memcpy(&a, ref + off, 8);
			memcpy(&b, got + off, 8);
			if (a != b)
				fail_msg("step %u, %s: entry at %#llx is %#llx, walker's "
				         "%#llx",
				         d->step, mmu_model_name(mmu_model(d->mmu[c])),
				         (unsigned long long)(DIFF_TABLES + off),
				         (unsigned long long)b, (unsigned long long)a);
		}
	}
}

static void diff_run(uint64_t seed, unsigned steps, unsigned shadow_cap)
{
	struct diff *d = test_calloc(1, sizeof(*d));
	uint64_t accesses = 0;

	diff_init(d, seed, shadow_cap);
	for (d->step = 0; d->step < steps; d->step++) {
		uint64_t before =
		    mmu_stats(d->mmu[1])->tlb_hits + mmu_stats(d->mmu[1])->tlb_misses;
		diff_step(d);
		accesses += mmu_stats(d->mmu[1])->tlb_hits +
		            mmu_stats(d->mmu[1])->tlb_misses - before;
		diff_compare_tables(d);
	}
	/* the program did exercise what it claims to */
	const struct mmu_stats *sh = mmu_stats(d->mmu[2]);
	assert_true(accesses > steps / 2);
	assert_true(sh->hidden_faults > 0 && sh->true_faults > 0 &&
	            sh->tracing_faults > 0);
	assert_true(sh->zaps > 0);
	assert_true(mmu_stats(d->mmu[3])->ept_fills > 0);
	if (shadow_cap)
		assert_true(sh->shadow_pages_peak <= shadow_cap && sh->reclaims > 0);
	diff_destroy(d);
	test_free(d);
}

void models_agree_with_the_walker(void **state)
{
	for (uint64_t seed = 1; seed <= 6; seed++)
		diff_run(seed, 4000, 0);
}

/* The same with the smallest cap, so roots are reclaimed all the time. */
void models_agree_with_a_tiny_shadow_cap(void **state)
{
	for (uint64_t seed = 101; seed <= 104; seed++)
		diff_run(seed, 4000, MMU_SHADOW_MIN_PAGES);
}
