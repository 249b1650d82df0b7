/*
 * nested.c - the nested paging model: a software EPT (gpa -> host page,
 * 4 levels, filled on EPT violations) and the two-dimensional walk that
 * goes through it (nested.h has the picture and the entry layout).
 *
 * The guest walk itself is walk.c's, unchanged: nested_entry_hva() is its
 * struct mmu_walk_mem, so each guest entry the walker reads (and each A/D
 * bit it sets) goes through an EPT walk first.  What this file adds is the
 * EPT and the counting: 4 references per EPT walk, 1 per guest entry, and
 * 4 more for the final gpa -- 24 for a 4 KiB page, 19 for 2 MiB, 14 for
 * 1 GiB (fewer when the guest walk stops early at a fault).
 */
#include "mmu_internal.h"

#include <stdlib.h>
#include <string.h>

#define EPT_LEVELS 4

/* A zeroed table of 512 entries: one page-aligned host page (an entry
 * keeps only bits 51:12 of its address), or NULL. */
static uint64_t *ept_new_table(struct mmu *mmu)
{
	void *t;

	if (posix_memalign(&t, PAGE_SIZE, PAGE_SIZE))
		return NULL;
	memset(t, 0, PAGE_SIZE);
	mmu_counters(mmu)->ept_tables++;
	return t;
}

static inline uint64_t *ept_next(uint64_t e)
{
	return (uint64_t *)(uintptr_t)(e & EPT_ADDR);
}

/*
 * An EPT violation on `gpa`: map its 4 KiB page if it is RAM, creating
 * the tables on the way.  true if mapped now; false if it is not RAM (the
 * access is MMIO) or no host memory was left for a table.
 */
static bool ept_fill(struct mmu *mmu, gpa_t gpa)
{
	struct mmu_nested *n = &mmu->nested;
	hva_t host = gmem_hva(mmu->gm, gpa & PAGE_MASK, PAGE_SIZE);
	uint64_t *table;

	if (!host)
		return false;
	if (!n->root && !(n->root = ept_new_table(mmu)))
		goto oom;
	table = n->root;
	for (enum mmu_level level = EPT_LEVELS; level > MMU_LEVEL_PT; level--) {
		uint64_t *e = &table[mmu_level_index(gpa, level)];
		if (!(*e & EPT_R)) {
			uint64_t *t = ept_new_table(mmu);
			if (!t)
				goto oom;
			*e = ((uintptr_t)t & EPT_ADDR) | EPT_RWX;
		}
		table = ept_next(*e);
	}
	table[mmu_level_index(gpa, MMU_LEVEL_PT)] =
	    ((uintptr_t)host & EPT_ADDR) | EPT_RWX;
	mmu_counters(mmu)->ept_fills++;
	return true;
oom:
	n->oom = true;
	return false;
}

/* One EPT walk: the references it made, and the host address of gpa (or
 * NULL: the walk met an entry that is not present). */
static hva_t ept_walk(const struct mmu_nested *n, gpa_t gpa, unsigned *refs)
{
	const uint64_t *table = n->root;

	*refs = 0;
	for (enum mmu_level level = EPT_LEVELS; table; level--) {
		uint64_t e = table[mmu_level_index(gpa, level)];
		(*refs)++;
		if (!(e & EPT_R))
			return NULL;
		if (level == MMU_LEVEL_PT)
			return (hva_t)ept_next(e) + (gpa & ~PAGE_MASK);
		table = ept_next(e);
	}
	return NULL;
}

/* gpa -> hva through the EPT, filling it on a violation; adds the
 * references of the walk that answered to n->refs.  NULL: not RAM. */
static hva_t ept_translate(struct mmu *mmu, gpa_t gpa)
{
	struct mmu_nested *n = &mmu->nested;
	unsigned refs;
	hva_t h = ept_walk(n, gpa, &refs);

	if (!h && ept_fill(mmu, gpa))
		h = ept_walk(n, gpa, &refs);
	if (!h && n->oom)
		h = gmem_hva(mmu->gm, gpa, 1); /* no EPT, but still the right page */
	n->refs += refs;
	return h;
}

/* struct mmu_walk_mem for the guest walk: each entry through the EPT. */
static hva_t nested_entry_hva(void *opaque, gpa_t gpa)
{
	return ept_translate(opaque, gpa);
}

/* Paging off: la is the gpa; only the EPT stands between. */
static int nested_unpaged(struct mmu *mmu, const struct mmu_ctx *ctx, gva_t la,
                          enum mmu_access access, struct mmu_result *out)
{
	struct mmu_xlate x = {.gpa = la & PAGE_MASK,
	                      .rights = MMU_RIGHTS_ALL,
	                      .page_shift = PAGE_SHIFT,
	                      .dirty = true};

	mmu->nested.refs = 0;
	x.hva = ept_translate(mmu, x.gpa);
	mmu_count_walk(mmu, mmu->nested.refs);
	for (unsigned l = 0; l < MMU_LEVELS; l++)
		x.src[l] = MMU_NO_SRC;
	return mmu_answer(mmu, ctx, la, access, &x, out);
}

int nested_translate(struct mmu *mmu, const struct mmu_ctx *ctx, gva_t la,
                     enum mmu_access access, struct mmu_result *out,
                     struct mmu_fault *fault)
{
	const struct mmu_walk_mem mem = {.entry_hva = nested_entry_hva, .opaque = mmu};
	struct mmu_nested *n = &mmu->nested;
	struct mmu_walker w;
	struct mmu_xlate x;

	if (!mmu_ctx_paging(ctx))
		return nested_unpaged(mmu, ctx, la, access, out);
	n->refs = 0;
	if (mmu_walk_via(&mem, ctx, la, access, 0, &w) == MMU_PAGE_FAULT) {
		mmu_count_walk(mmu, n->refs + w.nr_refs);
		return mmu_page_fault(mmu, la, &w.fault, fault);
	}
	mmu_xlate_from_walk(&w, ept_translate(mmu, w.gpa & PAGE_MASK), &x);
	mmu_count_walk(mmu, n->refs + w.nr_refs);
	return mmu_answer(mmu, ctx, la, access, &x, out);
}

/* Clear the leaves for [first, last] in one table at `level` that covers
 * gpas from `base`; tables stay (they are few, and the next fill reuses
 * them). */
static void ept_unmap(uint64_t *table, enum mmu_level level, gpa_t base, gpa_t first,
                      gpa_t last)
{
	uint64_t span = 1ull << mmu_level_shift(level);

	for (unsigned i = 0; i < MMU_PTES_PER_TABLE; i++) {
		gpa_t lo = base + i * span, hi = lo + (span - 1);
		if (hi < first || lo > last || !(table[i] & EPT_R))
			continue;
		if (level == MMU_LEVEL_PT)
			table[i] = 0;
		else
			ept_unmap(ept_next(table[i]), level - 1, lo, first, last);
	}
}

void nested_memory_changed(struct mmu *mmu, gpa_t first, gpa_t last)
{
	if (mmu->nested.root)
		ept_unmap(mmu->nested.root, EPT_LEVELS, 0, first, last);
}

static void ept_free(uint64_t *table, enum mmu_level level)
{
	for (unsigned i = 0; level > MMU_LEVEL_PT && i < MMU_PTES_PER_TABLE; i++)
		if (table[i] & EPT_R)
			ept_free(ept_next(table[i]), level - 1);
	free(table);
}

void nested_destroy(struct mmu *mmu)
{
	if (mmu->nested.root)
		ept_free(mmu->nested.root, EPT_LEVELS);
	mmu->nested.root = NULL;
	mmu_counters(mmu)->ept_tables = 0;
}
