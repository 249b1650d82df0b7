/*
 * shadow_page.c - shadow pages: allocation under a cap, the (gfn, role)
 * hash, parent links, zapping, the root cache and write tracking.
 *
 * shadow.c decides *what* goes into the shadow tables (from a guest walk);
 * this file keeps the structure sound (shadow.h, invariants 1-5).  The
 * life of one shadow page:
 *
 *   free --spt_get()--> live: in the hash; its gfn write-tracked if it is
 *     ^                 indirect; linked under a parent (spt_link) or a
 *     |                 root in the root list (spt_root)
 *     |                   | sptes filled one hidden fault at a time
 *     |                   | (spt_link, spt_set_leaf) and zapped one
 *     |                   | tracing fault at a time (spt_zap_spte)
 *     |                   v
 *     +--spt_zap_page()-- zapped when it loses its last parent, when the
 *                         guest floods it with writes, when its root is
 *                         reclaimed under the cap, or on a reset: its
 *                         children lose a parent (and may follow), its
 *                         parents' sptes are cleared, the TLB entries made
 *                         from it are dropped, its gfn is untracked
 *
 * Nothing is file-static: all state is in struct mmu_shadow.
 */
#include "mmu_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SPT_MIN_SLOTS     64
#define SPT_HASH_MIN_BITS 6
#define SPT_HASH_MAX_BITS 20

static unsigned sp_hash(const struct mmu_shadow *sh, gfn_t gfn)
{
	return (unsigned)((gfn * 0x9e3779b97f4a7c15ull) >> (64 - sh->hash_bits));
}

/* ---- set-up ---------------------------------------------------------- */

/* Guest frames the tracking bitmap must cover: up to the end of RAM. */
static gfn_t sp_ram_gfns(const struct gmem *gm)
{
	gfn_t end = 0;

	for (unsigned r = 0; r < gm->nr_regions; r++) {
		gfn_t last =
		    gpa_to_gfn(gm->regions[r].gpa + gm->regions[r].size + PAGE_SIZE - 1);
		if (last > end)
			end = last;
	}
	return end;
}

int spt_init(struct mmu *mmu, unsigned max_pages)
{
	struct mmu_shadow *sh = &mmu->shadow;

	if (max_pages == 0)
		max_pages = MMU_SHADOW_MAX_PAGES_DEFAULT;
	if (max_pages < MMU_SHADOW_MIN_PAGES)
		max_pages = MMU_SHADOW_MIN_PAGES;
	if (max_pages > MMU_SHADOW_MAX_PAGES)
		max_pages = MMU_SHADOW_MAX_PAGES;
	memset(sh, 0, sizeof(*sh));
	sh->max_pages = max_pages;
	sh->free_head = sh->lru_head = sh->lru_tail = sh->active = SPT_NONE;
	sh->hash_bits = SPT_HASH_MIN_BITS;
	while (sh->hash_bits < SPT_HASH_MAX_BITS && (1u << sh->hash_bits) < max_pages)
		sh->hash_bits++;
	sh->hash = malloc(sizeof(uint32_t) << sh->hash_bits);
	sh->nr_gfns = sp_ram_gfns(mmu->gm);
	sh->tracked = calloc((size_t)(sh->nr_gfns + 63) / 64 + 1, sizeof(uint64_t));
	if (!sh->hash || !sh->tracked) {
		spt_destroy(mmu);
		return -ENOMEM;
	}
	memset(sh->hash, 0xff, sizeof(uint32_t) << sh->hash_bits);
	return 0;
}

void spt_destroy(struct mmu *mmu)
{
	struct mmu_shadow *sh = &mmu->shadow;

	for (uint32_t id = 0; id < sh->nr_slots; id++) {
		struct spt_page *sp = sh->pages[id];
		if (!sp)
			continue;
		free(sp->spt);
		free(sp->parents);
		free(sp);
	}
	free(sh->pages);
	free(sh->hash);
	free(sh->tracked);
	memset(sh, 0, sizeof(*sh));
}

/* ---- write tracking -------------------------------------------------- */

/* gfn holds a guest table we shadow: from now on every write to it must
 * reach mmu_write_tracked(), so no writable translation may stay cached. */
static void sp_track(struct mmu *mmu, gfn_t gfn)
{
	struct mmu_shadow *sh = &mmu->shadow;

	if (spt_gfn_tracked(sh, gfn))
		return;
	sh->tracked[gfn / 64] |= 1ull << (gfn % 64);
	mmu_counters(mmu)->tracked_pages++;
	mmu_tlb_track_gpa(mmu, gfn_to_gpa(gfn), true);
	if (mmu->cfg.write_protect)
		mmu->cfg.write_protect(mmu->cfg.opaque, gfn);
}

/* The last indirect shadow page of gfn is gone: writes are plain again. */
static void sp_untrack(struct mmu *mmu, gfn_t gfn)
{
	struct mmu_shadow *sh = &mmu->shadow;

	for (uint32_t id = sh->hash[sp_hash(sh, gfn)]; id != SPT_NONE;
	     id = spt_page(sh, id)->hash_next) {
		const struct spt_page *sp = spt_page(sh, id);
		if (sp->gfn == gfn && !sp->role.direct)
			return; /* still shadowed under another role */
	}
	sh->tracked[gfn / 64] &= ~(1ull << (gfn % 64));
	mmu_counters(mmu)->tracked_pages--;
	mmu_tlb_track_gpa(mmu, gfn_to_gpa(gfn), false);
}

/* ---- ids, the hash, the root list ------------------------------------ */

/* Grow pages[] (doubling, up to max_pages) and put the new ids on the
 * free list.  0, or -ENOMEM. */
static int sp_grow(struct mmu_shadow *sh)
{
	uint32_t slots = sh->nr_slots ? sh->nr_slots * 2 : SPT_MIN_SLOTS;

	if (slots > sh->max_pages)
		slots = sh->max_pages;
	if (slots <= sh->nr_slots)
		return -ENOMEM; /* cannot happen while invariant 5 holds */
	struct spt_page **pages = realloc(sh->pages, slots * sizeof(*pages));
	if (!pages)
		return -ENOMEM;
	sh->pages = pages;
	while (sh->nr_slots < slots) {
		uint32_t id = sh->nr_slots;
		if (!(pages[id] = calloc(1, sizeof(**pages))))
			break;
		pages[id]->hash_next = sh->free_head;
		sh->free_head = id;
		sh->nr_slots++;
	}
	return sh->free_head == SPT_NONE ? -ENOMEM : 0;
}

/* A free id whose struct exists and whose table is allocated and zeroed,
 * or SPT_NONE (out of memory). */
static uint32_t sp_new_id(struct mmu_shadow *sh)
{
	if (sh->free_head == SPT_NONE && sp_grow(sh))
		return SPT_NONE;
	uint32_t id = sh->free_head;
	struct spt_page *sp = spt_page(sh, id);
	spte_t *spt = calloc(SPT_ENTRIES, sizeof(spte_t));

	if (!spt)
		return SPT_NONE;
	sh->free_head = sp->hash_next;
	struct spt_parent *parents = sp->parents; /* kept for reuse */
	uint32_t max_parents = sp->max_parents;
	*sp = (struct spt_page){.spt = spt,
	                        .parents = parents,
	                        .max_parents = max_parents,
	                        .hash_next = SPT_NONE,
	                        .lru_prev = SPT_NONE,
	                        .lru_next = SPT_NONE};
	return id;
}

/* Put a zapped page's id back on the free list (its table is freed). */
static void sp_free_id(struct mmu_shadow *sh, uint32_t id)
{
	struct spt_page *sp = spt_page(sh, id);

	free(sp->spt);
	sp->spt = NULL;
	sp->hash_next = sh->free_head;
	sh->free_head = id;
}

static void sp_hash_add(struct mmu_shadow *sh, uint32_t id)
{
	struct spt_page *sp = spt_page(sh, id);
	unsigned b = sp_hash(sh, sp->gfn);

	sp->hash_next = sh->hash[b];
	sh->hash[b] = id;
}

static void sp_hash_del(struct mmu_shadow *sh, uint32_t id)
{
	uint32_t *link = &sh->hash[sp_hash(sh, spt_page(sh, id)->gfn)];

	while (*link != id)
		link = &spt_page(sh, *link)->hash_next;
	*link = spt_page(sh, id)->hash_next;
}

static uint32_t sp_lookup(struct mmu_shadow *sh, gfn_t gfn, union spt_role role)
{
	for (uint32_t id = sh->hash[sp_hash(sh, gfn)]; id != SPT_NONE;
	     id = spt_page(sh, id)->hash_next) {
		const struct spt_page *sp = spt_page(sh, id);
		if (sp->gfn == gfn && sp->role.word == role.word)
			return id;
	}
	return SPT_NONE;
}

unsigned spt_pages_of(struct mmu_shadow *sh, gfn_t gfn, uint32_t *ids)
{
	unsigned n = 0;

	for (uint32_t id = sh->hash[sp_hash(sh, gfn)];
	     id != SPT_NONE && n < SPT_MAX_ALIASES; id = spt_page(sh, id)->hash_next) {
		const struct spt_page *sp = spt_page(sh, id);
		if (sp->gfn == gfn && !sp->role.direct)
			ids[n++] = id;
	}
	return n;
}

static void lru_del(struct mmu_shadow *sh, uint32_t id)
{
	struct spt_page *sp = spt_page(sh, id);

	if (sp->lru_prev != SPT_NONE)
		spt_page(sh, sp->lru_prev)->lru_next = sp->lru_next;
	else
		sh->lru_head = sp->lru_next;
	if (sp->lru_next != SPT_NONE)
		spt_page(sh, sp->lru_next)->lru_prev = sp->lru_prev;
	else
		sh->lru_tail = sp->lru_prev;
}

static void lru_add_head(struct mmu_shadow *sh, uint32_t id)
{
	struct spt_page *sp = spt_page(sh, id);

	sp->lru_prev = SPT_NONE;
	sp->lru_next = sh->lru_head;
	if (sh->lru_head != SPT_NONE)
		spt_page(sh, sh->lru_head)->lru_prev = id;
	else
		sh->lru_tail = id;
	sh->lru_head = id;
}

/* ---- parents ---------------------------------------------------------- */

static int sp_parent_add(struct spt_page *sp, uint32_t parent, unsigned index)
{
	if (sp->nr_parents == sp->max_parents) {
		uint32_t max = sp->max_parents ? sp->max_parents * 2 : 2;
		struct spt_parent *p = realloc(sp->parents, max * sizeof(*p));
		if (!p)
			return -ENOMEM;
		sp->parents = p;
		sp->max_parents = max;
	}
	sp->parents[sp->nr_parents++] = (struct spt_parent){.sp = parent, .index = index};
	return 0;
}

static void sp_parent_del(struct spt_page *sp, uint32_t parent, unsigned index)
{
	for (uint32_t k = 0; k < sp->nr_parents; k++) {
		if (sp->parents[k].sp == parent && sp->parents[k].index == index) {
			sp->parents[k] = sp->parents[--sp->nr_parents];
			return;
		}
	}
}

/* spte `index` of page `parent` no longer points at `child`: the child
 * loses that parent, and is zapped if it was the last (invariant 1). */
static void sp_drop_child(struct mmu *mmu, uint32_t child, uint32_t parent,
                          unsigned index)
{
	struct spt_page *sp = spt_page(&mmu->shadow, child);

	sp_parent_del(sp, parent, index);
	if (sp->nr_parents == 0 && !sp->root)
		spt_zap_page(mmu, child);
}

/* spte `index` of `id` used to hold `old` and now holds something else:
 * the TLB entries made from it go, and so does a child it pointed to. */
static void sp_forget(struct mmu *mmu, uint32_t id, unsigned index, spte_t old)
{
	if (!(old & SPTE_P))
		return;
	if (old & SPTE_LEAF) {
		/* leaves are level 1: la bits 20:12 are the index */
		mmu_tlb_drop_leaf_src(mmu, spt_ref(id, index));
		mmu_owner_flush(mmu, (gva_t)(SPT_ENTRIES - 1) << PAGE_SHIFT,
		                (gva_t)index << PAGE_SHIFT);
		return;
	}
	mmu_tlb_drop_src(mmu, spt_ref(id, index), ~0u);
	mmu_owner_flush(mmu, 0, 0);
	sp_drop_child(mmu, spte_child(old), id, index);
}

/* ---- entries ------------------------------------------------------------ */

int spt_link(struct mmu *mmu, uint32_t id, unsigned index, uint32_t child)
{
	struct mmu_shadow *sh = &mmu->shadow;
	spte_t old = spt_page(sh, id)->spt[index];

	if ((old & SPTE_P) && !(old & SPTE_LEAF) && spte_child(old) == child)
		return 0;
	if (sp_parent_add(spt_page(sh, child), id, index))
		return -ENOMEM;
	spt_page(sh, id)->spt[index] = SPTE_P | (spte_t)child << PAGE_SHIFT;
	sp_forget(mmu, id, index, old);
	return 0;
}

void spt_set_leaf(struct mmu *mmu, uint32_t id, unsigned index, spte_t leaf)
{
	spte_t *e = &spt_page(&mmu->shadow, id)->spt[index];
	spte_t old = *e;

	*e = leaf;
	if (old != leaf)
		sp_forget(mmu, id, index, old);
}

void spt_zap_spte(struct mmu *mmu, uint32_t id, unsigned index)
{
	spte_t *e = &spt_page(&mmu->shadow, id)->spt[index];
	spte_t old = *e;

	*e = 0;
	sp_forget(mmu, id, index, old);
}

/* ---- pages -------------------------------------------------------------- */

uint32_t spt_get(struct mmu *mmu, gfn_t gfn, union spt_role role)
{
	struct mmu_shadow *sh = &mmu->shadow;
	struct mmu_stats *st = mmu_counters(mmu);
	uint32_t id = sp_lookup(sh, gfn, role);

	if (id != SPT_NONE)
		return id;
	if (!role.direct && gfn >= sh->nr_gfns)
		return SPT_NONE; /* a table we could not track (not RAM) */
	if ((id = sp_new_id(sh)) == SPT_NONE)
		return SPT_NONE;
	struct spt_page *sp = spt_page(sh, id);
	sp->gfn = gfn;
	sp->role = role;
	sp_hash_add(sh, id);
	sh->nr_pages++;
	st->shadow_pages = sh->nr_pages;
	if (st->shadow_pages > st->shadow_pages_peak)
		st->shadow_pages_peak = st->shadow_pages;
	if (!role.direct)
		sp_track(mmu, gfn);
	return id;
}

/* Unlink page `id` from its children (which may follow it) and from its
 * parents (whose sptes are cleared). */
static void sp_unlink(struct mmu *mmu, uint32_t id)
{
	struct spt_page *sp = spt_page(&mmu->shadow, id);

	if (sp->role.level > MMU_LEVEL_PT) {
		for (unsigned i = 0; i < SPT_ENTRIES; i++) {
			spte_t e = sp->spt[i];
			if (!(e & SPTE_P) || (e & SPTE_LEAF))
				continue;
			sp->spt[i] = 0;
			sp_drop_child(mmu, spte_child(e), id, i);
		}
	}
	for (uint32_t k = 0; k < sp->nr_parents; k++) {
		const struct spt_parent *p = &sp->parents[k];
		spt_page(&mmu->shadow, p->sp)->spt[p->index] = 0;
	}
	sp->nr_parents = 0;
}

void spt_zap_page(struct mmu *mmu, uint32_t id)
{
	struct mmu_shadow *sh = &mmu->shadow;
	struct mmu_stats *st = mmu_counters(mmu);
	struct spt_page *sp = spt_page(sh, id);

	if (sp->zapping)
		return;
	sp->zapping = true;
	sp_unlink(mmu, id);
	/* every TLB entry made through this page names one of its sptes */
	mmu_tlb_drop_src(mmu, spt_ref(id, 0), spt_page_mask());
	mmu_owner_flush(mmu, 0, 0);
	if (sp->root) {
		lru_del(sh, id);
		st->roots--;
		if (sh->active == id)
			sh->active = SPT_NONE;
	}
	sp_hash_del(sh, id);
	if (!sp->role.direct)
		sp_untrack(mmu, sp->gfn);
	sp_free_id(sh, id);
	sh->nr_pages--;
	st->shadow_pages = sh->nr_pages;
	st->shadow_page_zaps++;
}

void spt_zap_all(struct mmu *mmu)
{
	struct mmu_shadow *sh = &mmu->shadow;

	/* zapping every root takes every other page with it (invariant 1) */
	while (sh->lru_head != SPT_NONE)
		spt_zap_page(mmu, sh->lru_head);
}

/* ---- roots and the cap ---------------------------------------------------- */

void spt_make_room(struct mmu *mmu, unsigned n)
{
	struct mmu_shadow *sh = &mmu->shadow;

	/* The active root sits at the head of the list, so it goes last;
	 * with no roots left there are no pages left (invariant 1). */
	while (sh->nr_pages + n > sh->max_pages && sh->lru_tail != SPT_NONE) {
		spt_zap_page(mmu, sh->lru_tail);
		mmu_counters(mmu)->reclaims++;
	}
}

uint32_t spt_root(struct mmu *mmu, gfn_t gfn, bool create)
{
	struct mmu_shadow *sh = &mmu->shadow;
	struct mmu_stats *st = mmu_counters(mmu);
	union spt_role role = {.word = 0};
	uint32_t id;

	if (sh->active != SPT_NONE && sh->active_gfn == gfn)
		return sh->active;
	role.level = MMU_LEVEL_PML4;
	role.access = MMU_RIGHTS_ALL;
	id = sp_lookup(sh, gfn, role);
	if (id != SPT_NONE) {
		st->root_cache_hits++;
		lru_del(sh, id);
	} else {
		sh->active = SPT_NONE;
		if (!create || (id = spt_get(mmu, gfn, role)) == SPT_NONE)
			return SPT_NONE;
		spt_page(sh, id)->root = true;
		st->roots++;
	}
	lru_add_head(sh, id);
	st->root_switches++;
	sh->active = id;
	sh->active_gfn = gfn;
	return id;
}
