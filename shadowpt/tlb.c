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
 */
#include "mmu_internal.h"

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
 * invalid entries are offered too, so a reset can clear them. */
static void tlb_drop_if(struct mmu *mmu, tlb_pred_fn *drop, const void *arg)
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
	return true;
}

void mmu_tlb_reset(struct mmu *mmu)
{
	tlb_drop_if(mmu, tlb_any, NULL);
	mmu->large_lo = UINT64_MAX;
	mmu->large_hi = 0;
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

void mmu_tlb_fill(struct mmu *mmu, const struct mmu_ctx *ctx, gva_t la, gpa_t gpa,
                  unsigned rights, unsigned page_shift, bool global, bool dirty)
{
	enum mmu_tlb_class cls = ctx->user ? MMU_TLB_USER : MMU_TLB_SUPERVISOR;
	gva_t page = la & PAGE_MASK;
	unsigned i = mmu_tlb_index(la);
	struct mmu_tlb_entry *e = &mmu->tlb.entry[cls][i];
	struct mmu_tlb_info *info = &mmu->info[cls][i];
	bool user = ctx->user, wp = mmu_ctx_wp(ctx), nxe = mmu_ctx_nxe(ctx);

	if (info->valid && info->page != page)
		tlb_evict(mmu, cls, e, info);

	gpa &= PAGE_MASK;
	hva_t host = gmem_hva(mmu->gm, gpa, PAGE_SIZE);
	uint64_t mmio = host ? 0 : MMU_TLB_MMIO;
	uint64_t notdirty = dirty ? 0 : MMU_TLB_NOTDIRTY;

	for (enum mmu_access acc = MMU_READ; acc <= MMU_FETCH; acc++) {
		bool allowed = mmu_rights_allow(rights, acc, user, wp, nxe);
		uint64_t flags = mmio | (acc == MMU_WRITE ? notdirty : 0);
		e->tag[acc] = allowed ? page | flags : MMU_TLB_INVALID;
	}
	e->addend = host ? (uintptr_t)host - (uintptr_t)page : 0;
	*info = (struct mmu_tlb_info){
	    .page = page,
	    .gpa = gpa,
	    .page_shift = (uint8_t)page_shift,
	    .global = global,
	    .valid = true,
	};
	if (page_shift > PAGE_SHIFT)
		tlb_note_large(mmu, page, page_shift);
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
	return info->valid && !info->global;
}

/* Flushing scans about 530 entries; a CR3 write already costs the guest a
 * refill of its working set, so the scan is not what dominates. */
void mmu_flush(struct mmu *mmu, bool keep_global)
{
	mmu->tlb.stats.flushes++;
	if (!keep_global) {
		mmu_tlb_reset(mmu);
		return;
	}
	tlb_drop_if(mmu, tlb_not_global, NULL);
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
void mmu_invlpg(struct mmu *mmu, gva_t la)
{
	mmu->tlb.stats.invlpgs++;
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
 * The VMM remapped [gpa, gpa+len): drop every entry whose guest-physical
 * page lies in it (its host address may have changed).  Entries whose
 * translation merely went through a page-table page in the range stay:
 * a remap keeps the page's contents (sharing) or takes a page the guest
 * gave up (ballooning).  Whoever changes contents under the guest's page
 * tables (a snapshot restore) flushes with mmu_flush(mmu, false).
 */
void mmu_memory_changed(struct mmu *mmu, gpa_t gpa, uint64_t len)
{
	if (len == 0)
		return;
	gpa_t first = gpa & PAGE_MASK;
	gpa_t last = len - 1 > UINT64_MAX - gpa ? UINT64_MAX : gpa + (len - 1);

	gpa_t range[2] = {first, last & PAGE_MASK};

	tlb_drop_if(mmu, tlb_in_gpa_range, range);
}
