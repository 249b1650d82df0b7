/*
 * tlb.c - the soft TLB's slow side: lookup with the victim TLB, fill,
 * flush, INVLPG and remaps.
 *
 * The fast path (tlb.h) only ever reads tags.  Everything that writes
 * them is here, called from mmu_translate() (mmu.c) on a miss or from the
 * owner's mmu_flush()/mmu_invlpg()/mmu_memory_changed().  Entries are
 * per 4 KiB linear page even when the guest maps a 2 MiB or 1 GiB page; the
 * bounding range [large_lo, large_hi] of such pieces lets INVLPG find the
 * other pieces of a large page without scanning the TLB every time.
 *
 * A slot that is overwritten by a different page is not lost: it moves to
 * the class's small fully associative victim TLB (round-robin), where the
 * next miss on it finds it and swaps it back.  Two hot pages that collide
 * in the direct-mapped table then cost a swap, not a walk.
 *
 * Under shadow paging an entry also remembers the shadow entries it was
 * made from (info.src), so that zapping one drops exactly the TLB entries
 * derived from it, and its write tag carries MMU_TLB_TRACKED while its
 * guest page is write-tracked (mmu_internal.h, invariant 5).
 */
#include "mmu_internal.h"

#include <string.h>

static const struct mmu_tlb_entry tlb_empty = {
    .tag = {MMU_TLB_INVALID, MMU_TLB_INVALID, MMU_TLB_INVALID},
};

static void tlb_clear(struct mmu_tlb_entry *e, struct mmu_tlb_info *info)
{
	*e = tlb_empty;
	info->valid = false;
}

/* A test on one entry's slow-path information: drop it? */
typedef bool tlb_pred_fn(const struct mmu_tlb_info *info, const void *arg);

/* Clear every entry (slots and victims, every class) that `drop` selects;
 * invalid entries are offered too, so a reset can clear them.  Always
 * inlined, so that each caller's predicate is a direct, inlined call (a
 * flush scans about 530 entries). */
static inline __attribute__((always_inline)) void tlb_drop_if(struct mmu *mmu,
                                                              tlb_pred_fn *drop,
                                                              const void *arg)
{
	for (unsigned cls = 0; cls < MMU_TLB_NR_CLASSES; cls++) {
		for (unsigned i = 0; i < MMU_TLB_SIZE; i++) {
			if (drop(&mmu->info[cls][i], arg))
				tlb_clear(&mmu->tlb.entry[cls][i], &mmu->info[cls][i]);
		}
		for (unsigned v = 0; v < MMU_VTLB_SIZE; v++) {
			struct mmu_victim *victim = &mmu->victim[cls][v];
			if (drop(&victim->info, arg))
				tlb_clear(&victim->e, &victim->info);
		}
	}
}

static bool tlb_any(const struct mmu_tlb_info *info, const void *arg)
{
	(void)info;
	(void)arg;
	return true;
}

void mmu_tlb_reset(struct mmu *mmu)
{
	tlb_drop_if(mmu, tlb_any, NULL);
	mmu->large_lo = UINT64_MAX;
	mmu->large_hi = 0;
	mmu->shadow_src = mmu->has_local = mmu->has_any = false;
}

/* Exchange a slot with a victim entry. */
static void tlb_swap(struct mmu_tlb_entry *e, struct mmu_tlb_info *info,
                     struct mmu_victim *v)
{
	struct mmu_victim slot = {.e = *e, .info = *info};

	*e = v->e;
	*info = v->info;
	*v = slot;
}

struct mmu_tlb_entry *mmu_tlb_find(struct mmu *mmu, enum mmu_tlb_class cls, gva_t la,
                                   struct mmu_tlb_info **info)
{
	gva_t page = la & PAGE_MASK;
	unsigned i = mmu_tlb_index(la);
	struct mmu_tlb_entry *e = &mmu->tlb.entry[cls][i];

	*info = &mmu->info[cls][i];
	if ((*info)->valid && (*info)->page == page)
		return e;
	for (unsigned v = 0; v < MMU_VTLB_SIZE; v++) {
		struct mmu_victim *victim = &mmu->victim[cls][v];
		if (victim->info.valid && victim->info.page == page) {
			tlb_swap(e, *info, victim);
			return e;
		}
	}
	return NULL;
}

/* Move a valid slot to the victim TLB, making room in the slot. */
static void tlb_evict(struct mmu *mmu, enum mmu_tlb_class cls, struct mmu_tlb_entry *e,
                      struct mmu_tlb_info *info)
{
	unsigned v = mmu->victim_next[cls];

	mmu->victim[cls][v] = (struct mmu_victim){.e = *e, .info = *info};
	mmu->victim_next[cls] = (v + 1) % MMU_VTLB_SIZE;
	tlb_clear(e, info);
}

/* Remember that a piece of a large guest page is cached (invariant 4). */
static void tlb_note_large(struct mmu *mmu, gva_t page, unsigned page_shift)
{
	uint64_t size = 1ull << page_shift;
	gva_t lo = page & ~(size - 1), hi = lo + (size - 1);

	if (lo < mmu->large_lo)
		mmu->large_lo = lo;
	if (hi > mmu->large_hi)
		mmu->large_hi = hi;
}

/* Drop la's page from the victims of one class. */
static void tlb_drop_victims(struct mmu *mmu, enum mmu_tlb_class cls, gva_t page)
{
	for (unsigned v = 0; v < MMU_VTLB_SIZE; v++) {
		struct mmu_victim *victim = &mmu->victim[cls][v];
		if (victim->info.valid && victim->info.page == page)
			tlb_clear(&victim->e, &victim->info);
	}
}

/* The tag of one access kind for a translation under ctx. */
static uint64_t tlb_tag(const struct mmu_ctx *ctx, gva_t page, const struct mmu_xlate *x,
                        enum mmu_access acc)
{
	uint64_t flags = x->hva ? 0 : MMU_TLB_MMIO;

	if (!mmu_rights_allow(x->rights, acc, ctx->user, mmu_ctx_wp(ctx), mmu_ctx_nxe(ctx)))
		return MMU_TLB_INVALID;
	if (acc == MMU_WRITE) {
		flags |= x->dirty ? 0 : MMU_TLB_NOTDIRTY;
		flags |= x->tracked ? MMU_TLB_TRACKED : 0;
	}
	return page | flags;
}

void mmu_tlb_fill(struct mmu *mmu, const struct mmu_ctx *ctx, gva_t la,
                  const struct mmu_xlate *x)
{
	enum mmu_tlb_class cls = mmu_ctx_class(ctx);
	gva_t page = la & PAGE_MASK;
	unsigned i = mmu_tlb_index(la);
	struct mmu_tlb_entry *e = &mmu->tlb.entry[cls][i];
	struct mmu_tlb_info *info = &mmu->info[cls][i];

	if (info->valid && info->page != page)
		tlb_evict(mmu, cls, e, info);

	for (enum mmu_access acc = MMU_READ; acc <= MMU_FETCH; acc++)
		e->tag[acc] = tlb_tag(ctx, page, x, acc);
	e->addend = x->hva ? (uintptr_t)x->hva - (uintptr_t)page : 0;
	*info = (struct mmu_tlb_info){
	    .page = page,
	    .gpa = x->gpa & PAGE_MASK,
	    .page_shift = (uint8_t)x->page_shift,
	    .global = x->global,
	    .valid = true,
	};
	mmu->has_any = true;
	mmu->has_local |= !x->global;
	memcpy(info->src, x->src, sizeof(info->src));
	if (x->src[0] != MMU_NO_SRC) /* a shadow translation always has a leaf */
		mmu->shadow_src = true;
	if (x->page_shift > PAGE_SHIFT)
		tlb_note_large(mmu, page, x->page_shift);
}

void mmu_tlb_drop_page(struct mmu *mmu, gva_t la)
{
	gva_t page = la & PAGE_MASK;
	unsigned i = mmu_tlb_index(la);

	for (unsigned cls = 0; cls < MMU_TLB_NR_CLASSES; cls++) {
		struct mmu_tlb_info *info = &mmu->info[cls][i];
		if (info->valid && info->page == page)
			tlb_clear(&mmu->tlb.entry[cls][i], info);
		tlb_drop_victims(mmu, cls, page);
	}
}

static bool tlb_not_global(const struct mmu_tlb_info *info, const void *arg)
{
	(void)arg;
	return info->valid && !info->global;
}

/* Flushing scans about 530 entries; a CR3 write already costs the guest a
 * refill of its working set, so the scan is not what dominates.  Only the
 * TLB: shadow tables follow the guest's by write tracking, and the EPT
 * depends on the memory map alone. */
void mmu_flush(struct mmu *mmu, bool keep_global)
{
	mmu->tlb.stats.flushes++;
	if (!keep_global) {
		if (mmu->has_any)
			mmu_tlb_reset(mmu);
		return;
	}
	if (!mmu->has_local)
		return; /* nothing filled since the last flush: nothing to drop */
	tlb_drop_if(mmu, tlb_not_global, NULL);
	mmu->has_local = false;
	/* [large_lo, large_hi] stays: an over-approximation is still correct */
}

/* Is this entry a piece of a large page that holds *(gva_t *)arg? */
static bool tlb_in_large_page(const struct mmu_tlb_info *info, const void *arg)
{
	gva_t la = *(const gva_t *)arg;

	return info->valid && info->page_shift > PAGE_SHIFT &&
	       ((info->page ^ la) >> info->page_shift) == 0;
}

/*
 * INVLPG drops the translation of la's page, global or not.  When the
 * guest maps la with a large page, the TLB may hold other 4 KiB pieces of
 * it, which the hardware would have cached as one entry: those go too.
 * Only an la inside the large-page range pays for the scan.
 */
void mmu_tlb_invlpg(struct mmu *mmu, gva_t la)
{
	mmu_tlb_drop_page(mmu, la);
	if (la < mmu->large_lo || la > mmu->large_hi)
		return;
	tlb_drop_if(mmu, tlb_in_large_page, &la);
}

/* Is this entry's guest-physical page in [range[0], range[1]]? */
static bool tlb_in_gpa_range(const struct mmu_tlb_info *info, const void *arg)
{
	const gpa_t *range = arg;

	return info->valid && info->gpa >= range[0] && info->gpa <= range[1];
}

/*
 * The VMM remapped guest pages [first, last] (page addresses): drop every
 * entry whose guest-physical page lies in it (its host address may have
 * changed).  Entries whose translation merely went through a page-table
 * page in the range stay: a remap keeps the page's contents (sharing) or
 * takes a page the guest gave up (ballooning).  Whoever changes contents
 * under the guest's page tables (a snapshot restore) calls mmu_reset().
 */
void mmu_tlb_drop_gpa_range(struct mmu *mmu, gpa_t first, gpa_t last)
{
	gpa_t range[2] = {first & PAGE_MASK, last & PAGE_MASK};

	tlb_drop_if(mmu, tlb_in_gpa_range, range);
}

/* A shadow entry reference and the mask to compare it under. */
struct tlb_src_match {
	uint32_t ref, mask;
};

/* Was this entry made from the shadow entry (or page) in *arg? */
static bool tlb_from_src(const struct mmu_tlb_info *info, const void *arg)
{
	const struct tlb_src_match *m = arg;

	if (!info->valid)
		return false;
	for (unsigned l = 0; l < MMU_LEVELS; l++)
		if (info->src[l] != MMU_NO_SRC && (info->src[l] & m->mask) == m->ref)
			return true;
	return false;
}

/*
 * A shadow entry was zapped: the TLB entries made from it go too (what a
 * hardware shadow MMU does with a TLB flush after changing an spte).  The
 * scan is about 530 entries; models that never set src[] skip it.
 */
void mmu_tlb_drop_src(struct mmu *mmu, uint32_t ref, uint32_t mask)
{
	struct tlb_src_match m = {.ref = ref & mask, .mask = mask};

	if (mmu->shadow_src)
		tlb_drop_if(mmu, tlb_from_src, &m);
}

/*
 * A level-1 spte at index i maps linear pages whose bits 20:12 are i, so
 * every TLB entry made from it sits in slot (i mod MMU_TLB_SIZE) of its
 * class, or among the victims: no need to look anywhere else.
 */
_Static_assert(MMU_TLB_BITS <= SPT_INDEX_BITS, "a leaf spte's index picks its TLB slot");

void mmu_tlb_drop_leaf_src(struct mmu *mmu, uint32_t ref)
{
	struct tlb_src_match m = {.ref = ref, .mask = ~0u};
	unsigned i = ref & (MMU_TLB_SIZE - 1);

	if (!mmu->shadow_src)
		return;
	for (unsigned cls = 0; cls < MMU_TLB_NR_CLASSES; cls++) {
		if (tlb_from_src(&mmu->info[cls][i], &m))
			tlb_clear(&mmu->tlb.entry[cls][i], &mmu->info[cls][i]);
		for (unsigned v = 0; v < MMU_VTLB_SIZE; v++) {
			struct mmu_victim *victim = &mmu->victim[cls][v];
			if (tlb_from_src(&victim->info, &m))
				tlb_clear(&victim->e, &victim->info);
		}
	}
}

/* Set or clear MMU_TLB_TRACKED in one entry's write tag if it maps gpa
 * and allows writes at all. */
static void tlb_track_one(struct mmu_tlb_entry *e, const struct mmu_tlb_info *info,
                          gpa_t gpa, bool tracked)
{
	if (!info->valid || info->gpa != gpa || (e->tag[MMU_WRITE] & MMU_TLB_INVALID))
		return;
	if (tracked)
		e->tag[MMU_WRITE] |= MMU_TLB_TRACKED;
	else
		e->tag[MMU_WRITE] &= ~MMU_TLB_TRACKED;
}

void mmu_tlb_track_gpa(struct mmu *mmu, gpa_t gpa, bool tracked)
{
	gpa &= PAGE_MASK;
	for (unsigned cls = 0; cls < MMU_TLB_NR_CLASSES; cls++) {
		for (unsigned i = 0; i < MMU_TLB_SIZE; i++)
			tlb_track_one(&mmu->tlb.entry[cls][i], &mmu->info[cls][i], gpa, tracked);
		for (unsigned v = 0; v < MMU_VTLB_SIZE; v++)
			tlb_track_one(&mmu->victim[cls][v].e, &mmu->victim[cls][v].info, gpa,
			              tracked);
	}
}
