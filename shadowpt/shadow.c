/*
 * shadow.c - the shadow paging model: the shadow walk on a TLB miss, hidden
 * and true faults, tracing faults, INVLPG and remaps (shadow.h has the
 * structures and invariants, shadow_page.c the shadow pages' lifecycle).
 *
 * A TLB miss is what the hardware would do with CR3 pointing at the
 * shadow root:
 *
 *   1. shadow walk: root -> PDPT -> PD -> PT spte (4 references, counted
 *      as the walk); the leaf allows the access -> fill the TLB from it.
 *   2. otherwise a #PF reaches the VMM.  It walks the guest's tables
 *      (walk.c: A/D bits set exactly as the CPU sets them):
 *        - the guest's tables refuse: a *true fault*, the guest gets #PF;
 *        - they allow it: a *hidden fault*.  The VMM builds the shadow
 *          path from the walk (shadow_fill) -- finding or creating one
 *          shadow page per guest table, write-tracking each -- and fills
 *          the TLB.  A write to a clean guest leaf (D=0) is a hidden
 *          fault too: the walk sets D, then the spte says DIRTY.
 *
 * A guest store into a tracked page (one of its own page tables) is a
 * *tracing fault* (shadow_write_tracked): the sptes shadowing the bytes
 * written are zapped, with the TLB entries made from them; the next access
 * through them takes a hidden fault and sees the new entry.
 */
#include "mmu_internal.h"

/* A shadow walk, recorded. */
struct shadow_walk {
	unsigned refs;       /* sptes read */
	uint32_t leaf_sp;    /* the level-1 shadow page, or SPT_NONE */
	spte_t leaf;         /* its spte for la (0: not present) */
	unsigned page_shift; /* the guest page's size (from direct pages) */
	uint32_t src[MMU_LEVELS];
};

/* The gpa of the host page an spte maps (a reverse look-up in gmem's
 * region table), or its gfn's gpa for MMIO. */
static gpa_t shadow_leaf_gpa(const struct gmem *gm, spte_t e)
{
	uintptr_t host = (uintptr_t)(e & SPTE_ADDR);

	if (e & SPTE_MMIO)
		return host;
	for (unsigned r = 0; r < gm->nr_regions; r++) {
		const struct gmem_region *reg = &gm->regions[r];
		uintptr_t base = (uintptr_t)reg->hva;
		if (host >= base && host - base < reg->size)
			return reg->gpa + (host - base);
	}
	return 0; /* cannot happen: leaves map RAM or say MMIO */
}

/* Walk the active root's tables for la.  Resets the write-flood counter
 * of every page it passes (the guest still uses them as page tables). */
static void shadow_walk(struct mmu_shadow *sh, gva_t la, struct shadow_walk *sw)
{
	uint32_t id = sh->active;

	*sw = (struct shadow_walk){.leaf_sp = SPT_NONE, .page_shift = PAGE_SHIFT};
	for (unsigned l = 0; l < MMU_LEVELS; l++)
		sw->src[l] = MMU_NO_SRC;
	for (enum mmu_level level = MMU_LEVEL_PML4; id != SPT_NONE; level--) {
		struct spt_page *sp = spt_page(sh, id);
		unsigned i = mmu_level_index(la, level);
		spte_t e = sp->spt[i];

		sp->write_count = 0;
		if (sp->role.direct && sw->page_shift == PAGE_SHIFT)
			sw->page_shift = mmu_level_shift(level + 1);
		sw->refs++;
		sw->src[level - 1] = spt_ref(id, i);
		if (!(e & SPTE_P))
			return;
		if (e & SPTE_LEAF) {
			sw->leaf_sp = id;
			sw->leaf = e;
			return;
		}
		id = spte_child(e);
	}
}

/* The translation a leaf spte gives, for the TLB. */
static void shadow_xlate(struct mmu *mmu, const struct mmu_ctx *ctx,
                         const struct shadow_walk *sw, struct mmu_xlate *x)
{
	spte_t e = sw->leaf;

	x->gpa = shadow_leaf_gpa(mmu->gm, e);
	x->hva = (e & SPTE_MMIO) ? NULL : (hva_t)(uintptr_t)(e & SPTE_ADDR);
	x->rights = spte_rights(e);
	x->page_shift = sw->page_shift;
	x->global = (e & SPTE_G) && mmu_ctx_pge(ctx);
	x->dirty = e & SPTE_DIRTY;
	x->tracked = spt_gfn_tracked(&mmu->shadow, gpa_to_gfn(x->gpa));
	for (unsigned l = 0; l < MMU_LEVELS; l++)
		x->src[l] = sw->src[l];
}

/* The leaf spte for a successful guest walk: host page, rights, D, G;
 * 0 if the host page cannot be encoded (an address above 2^52: a user
 * process on x86-64 never gets one). */
static spte_t shadow_make_leaf(struct mmu *mmu, const struct mmu_walker *w)
{
	gpa_t page = w->gpa & PAGE_MASK;
	hva_t host = gmem_hva(mmu->gm, page, PAGE_SIZE);
	spte_t e = SPTE_P | SPTE_LEAF | (spte_t)w->rights << SPTE_RIGHTS_SHIFT;

	if (w->dirty)
		e |= SPTE_DIRTY;
	if (w->pte[w->last_level] & MMU_PTE_G)
		e |= SPTE_G;
	if (!host)
		return e | SPTE_MMIO | (page & SPTE_ADDR);
	if ((uintptr_t)host & ~SPTE_ADDR)
		return 0;
	return e | (uintptr_t)host;
}

/* Link one level of the shadow path: page `*id`'s entry for la points at
 * (gfn, role), found or created.  0, or -1 when out of memory. */
static int shadow_step(struct mmu *mmu, uint32_t *id, gva_t la, enum mmu_level level,
                       gfn_t gfn, union spt_role role, struct mmu_xlate *x)
{
	unsigned i = mmu_level_index(la, level);
	uint32_t child = spt_get(mmu, gfn, role);

	if (child == SPT_NONE || spt_link(mmu, *id, i, child))
		return -1;
	x->src[level - 1] = spt_ref(*id, i);
	spt_page(&mmu->shadow, child)->write_count = 0;
	*id = child;
	return 0;
}

/* Below a guest large leaf at w->last_level: direct shadow pages down to
 * level 1, keyed by the first frame each one maps. */
static int shadow_fill_direct(struct mmu *mmu, uint32_t *id, const struct mmu_walker *w,
                              struct mmu_xlate *x)
{
	union spt_role role = {.word = 0};

	role.direct = 1;
	role.access = w->rights & MMU_RIGHTS_ALL;
	role.dirty = w->dirty;
	role.global = !!(w->pte[w->last_level] & MMU_PTE_G);
	for (enum mmu_level level = w->last_level; level > MMU_LEVEL_PT; level--) {
		/* the child holds level-1 entries: 512^(level-1) frames */
		gfn_t frames = 1ull << (MMU_LEVEL_BITS * (level - 1));
		gfn_t first = gpa_to_gfn(w->gpa) & ~(frames - 1);

		role.level = level - 1;
		if (shadow_step(mmu, id, w->la, level, first, role, x))
			return -1;
	}
	return 0;
}

/*
 * shadow_fill - build the shadow path for a successful guest walk and
 * describe the translation in *x.  One shadow page per guest table on the
 * way (indirect, write-tracked), direct pages under a large guest page, a
 * 4 KiB leaf at the bottom.  0, or -1 when out of host memory (then the
 * shadow may hold part of the path: harmless, every piece is correct).
 */
static int shadow_fill(struct mmu *mmu, const struct mmu_ctx *ctx,
                       const struct mmu_walker *w, struct mmu_xlate *x)
{
	unsigned access = MMU_RIGHTS_ALL;
	uint32_t id;

	for (unsigned l = 0; l < MMU_LEVELS; l++)
		x->src[l] = MMU_NO_SRC;
	spt_make_room(mmu, MMU_LEVELS); /* a path needs at most 4 new pages */
	id = spt_root(mmu, gpa_to_gfn(ctx->cr3 & MMU_CR3_ADDR_MASK), true);
	if (id == SPT_NONE)
		return -1;
	spt_page(&mmu->shadow, id)->write_count = 0;
	for (enum mmu_level level = MMU_LEVEL_PML4; level > w->last_level; level--) {
		union spt_role role = {.word = 0};
		access &= mmu_pte_rights(w->pte[level], w->nxe);
		role.level = level - 1;
		role.access = access;
		if (shadow_step(mmu, &id, w->la, level,
		                gpa_to_gfn(w->pte[level] & MMU_PTE_ADDR_MASK), role, x))
			return -1;
	}
	if (w->last_level > MMU_LEVEL_PT && shadow_fill_direct(mmu, &id, w, x))
		return -1;

	unsigned i = mmu_level_index(w->la, MMU_LEVEL_PT);
	struct shadow_walk sw = {
	    .leaf_sp = id, .leaf = shadow_make_leaf(mmu, w), .page_shift = w->page_shift};
	if (!sw.leaf)
		return -1;
	spt_set_leaf(mmu, id, i, sw.leaf);
	x->src[0] = spt_ref(id, i);
	for (unsigned l = 0; l < MMU_LEVELS; l++)
		sw.src[l] = x->src[l];
	shadow_xlate(mmu, ctx, &sw, x);
	return 0;
}

/* The shadow tables could not answer: the VMM walks the guest's. */
static int shadow_fault(struct mmu *mmu, const struct mmu_ctx *ctx, gva_t la,
                        enum mmu_access access, struct mmu_result *out,
                        struct mmu_fault *fault)
{
	struct mmu_stats *st = mmu_counters(mmu);
	struct mmu_walker w;
	struct mmu_xlate x;

	if (mmu_walk(mmu->gm, ctx, la, access, 0, &w) == MMU_PAGE_FAULT) {
		st->true_faults++;
		return mmu_page_fault(mmu, la, &w.fault, fault);
	}
	st->hidden_faults++;
	if (shadow_fill(mmu, ctx, &w, &x)) {
		/* out of host memory: answer this access from the walk alone */
		mmu_xlate_from_walk(&w, gmem_hva(mmu->gm, w.gpa & PAGE_MASK, PAGE_SIZE),
		                    &x);
		x.tracked = spt_gfn_tracked(&mmu->shadow, gpa_to_gfn(w.gpa));
	}
	return mmu_answer(mmu, ctx, la, access, &x, out);
}

int shadow_translate(struct mmu *mmu, const struct mmu_ctx *ctx, gva_t la,
                     enum mmu_access access, struct mmu_result *out,
                     struct mmu_fault *fault)
{
	struct mmu_shadow *sh = &mmu->shadow;
	struct shadow_walk sw;
	struct mmu_xlate x;

	gfn_t root = gpa_to_gfn(ctx->cr3 & MMU_CR3_ADDR_MASK);

	/* CR3 names the root: the active one, a cached one, or a new one
	 * (what a shadow MMU does when the guest loads CR3) */
	if (spt_root(mmu, root, false) == SPT_NONE) {
		spt_make_room(mmu, 1);
		spt_root(mmu, root, true);
	}
	shadow_walk(sh, la, &sw);
	mmu_count_walk(mmu, sw.refs);
	if (sw.leaf_sp == SPT_NONE ||
	    !mmu_rights_allow(spte_rights(sw.leaf), access, ctx->user, mmu_ctx_wp(ctx),
	                      mmu_ctx_nxe(ctx)) ||
	    (access == MMU_WRITE && !(sw.leaf & SPTE_DIRTY)))
		return shadow_fault(mmu, ctx, la, access, out, fault);
	shadow_xlate(mmu, ctx, &sw, &x);
	return mmu_answer(mmu, ctx, la, access, &x, out);
}

/* ---- tracing faults, INVLPG, remaps ----------------------------------- */

/* A guest write to `len` bytes at gpa in the tracked page: zap what the
 * shadow pages of that page derived from those bytes, or the whole page
 * when the guest floods it with writes (it no longer uses it as a table;
 * the active root is spared: its writes are the kernel's own). */
void shadow_write_tracked(struct mmu *mmu, gpa_t gpa, unsigned len)
{
	struct mmu_shadow *sh = &mmu->shadow;
	struct mmu_stats *st = mmu_counters(mmu);
	uint32_t ids[SPT_MAX_ALIASES];
	unsigned offset = (unsigned)(gpa & ~PAGE_MASK);
	unsigned first = offset / sizeof(spte_t);
	unsigned last = (offset + (len ? len : 1) - 1) / sizeof(spte_t);

	if (!spt_gfn_tracked(sh, gpa_to_gfn(gpa)))
		return;
	st->tracing_faults++;
	if (last >= SPT_ENTRIES)
		last = SPT_ENTRIES - 1; /* the caller splits at page ends */
	unsigned n = spt_pages_of(sh, gpa_to_gfn(gpa), ids);
	for (unsigned k = 0; k < n; k++) {
		struct spt_page *sp = spt_page(sh, ids[k]);
		if (!sp->spt)
			continue; /* zapped by an earlier one's cascade */
		if (++sp->write_count >= SPT_FLOOD_WRITES && ids[k] != sh->active) {
			st->write_floods++;
			spt_zap_page(mmu, ids[k]);
			continue;
		}
		for (unsigned i = first; i <= last; i++) {
			if (!(sp->spt[i] & SPTE_P))
				continue;
			spt_zap_spte(mmu, ids[k], i);
			st->zaps++;
		}
	}
}

/* INVLPG: zap the active root's leaf for la (the shadow never goes stale,
 * invariant 3, but this is the zap a shadow MMU does for INVLPG). */
void shadow_invlpg(struct mmu *mmu, gva_t la)
{
	struct shadow_walk sw;

	shadow_walk(&mmu->shadow, la, &sw);
	if (sw.leaf_sp == SPT_NONE)
		return;
	spt_zap_spte(mmu, sw.leaf_sp, mmu_level_index(la, MMU_LEVEL_PT));
	mmu_counters(mmu)->zaps++;
}

/* The VMM remapped guest pages [first, last]: every leaf that maps one of
 * them is zapped (its host page may have changed).  A scan of every
 * shadow page: remaps are rare. */
void shadow_memory_changed(struct mmu *mmu, gpa_t first, gpa_t last)
{
	struct mmu_shadow *sh = &mmu->shadow;

	for (uint32_t id = 0; id < sh->nr_slots; id++) {
		struct spt_page *sp = spt_page(sh, id);
		if (!sp->spt || sp->role.level != MMU_LEVEL_PT)
			continue;
		for (unsigned i = 0; i < SPT_ENTRIES; i++) {
			spte_t e = sp->spt[i];
			if (!(e & SPTE_P))
				continue;
			gpa_t gpa = shadow_leaf_gpa(mmu->gm, e);
			if (gpa >= first && gpa <= last) {
				spt_zap_spte(mmu, id, i);
				mmu_counters(mmu)->zaps++;
			}
		}
	}
}
