/*
 * mmu_internal.h - the software MMU's private state, shared by the files
 * of shadowpt/: mmu.c (translate path, context, counters), tlb.c (the
 * soft TLB's slow side), plain.c, shadow*.c and nested.c (the models
 * that fill the TLB).
 *
 * Nothing outside shadowpt/ includes this: callers see mmu.h (the
 * interface) and tlb.h (the inline fast path over struct mmu_tlb, which is
 * the first member here).
 *
 * Invariants:
 *   1. A linear page appears at most once per class, either in its
 *      direct-mapped slot or in the victim TLB.
 *   2. A slot or victim entry with info.valid == false has every tag equal
 *      to MMU_TLB_INVALID; a valid one has info.page == its tags' page.
 *   3. Every valid entry was filled under `mode` (mmu_ctx_changed() flushes
 *      before `mode` changes), so its tags are right for that context.
 *   4. Every valid entry whose guest page is larger than 4 KiB lies in
 *      [large_lo, large_hi] (used by INVLPG, see tlb.c).
 *   5. Shadow model: a valid entry's src[] names live shadow entries that
 *      still say what the entry says (zapping an spte drops the entries
 *      made from it), and its write tag carries MMU_TLB_TRACKED exactly
 *      when its guest page is write-tracked (shadow_page.c keeps both).
 */
#ifndef TRAPEZE_SHADOWPT_MMU_INTERNAL_H
#define TRAPEZE_SHADOWPT_MMU_INTERNAL_H

#include "shadowpt/nested.h"
#include "shadowpt/shadow.h"
#include "shadowpt/tlb.h"
#include "shadowpt/walk.h"

/* A TLB entry's src[] slot that names no shadow entry. */
#define MMU_NO_SRC UINT32_MAX

/* What the slow path knows about a TLB entry besides its tags. */
struct mmu_tlb_info {
	gva_t page;         /* linear 4 KiB page */
	gpa_t gpa;          /* its guest-physical 4 KiB page */
	uint8_t page_shift; /* the guest page it came from: 12, 21 or 30 */
	bool global;        /* survives mmu_flush(keep_global = true) */
	bool valid;
	/* shadow model: the sptes this entry was made from, src[level - 1]
	 * for levels 1..4 (spt_ref()), MMU_NO_SRC where none */
	uint32_t src[MMU_LEVELS];
};

/* A victim-TLB entry: an evicted slot, tags and all. */
struct mmu_victim {
	struct mmu_tlb_entry e;
	struct mmu_tlb_info info;
};

/* The paging context the TLB's entries were filled under (masked to the
 * bits that change translations). */
struct mmu_mode {
	uint64_t cr0, cr4, efer, cr3;
	bool known; /* false until the first context is seen */
};

/*
 * One translation, as a model hands it to the soft TLB: the 4 KiB page
 * of la, what the guest's tables allow, and (shadow) where it came from.
 */
struct mmu_xlate {
	gpa_t gpa;           /* guest-physical 4 KiB page */
	hva_t hva;           /* its host page, NULL if not RAM */
	unsigned rights;     /* MMU_RIGHT_* over every level */
	unsigned page_shift; /* the guest page's size: 12, 21 or 30 */
	bool global;         /* leaf G=1 and CR4.PGE=1 */
	bool dirty;          /* leaf D=1: a write needs no walk */
	bool tracked;        /* the page is write-tracked: writes report */
	uint32_t src[MMU_LEVELS];
};

struct mmu {
	struct mmu_tlb tlb; /* first: tlb.h's mmu_tlb() casts */
	struct mmu_tlb_info info[MMU_TLB_NR_CLASSES][MMU_TLB_SIZE];
	struct mmu_victim victim[MMU_TLB_NR_CLASSES][MMU_VTLB_SIZE];
	unsigned victim_next[MMU_TLB_NR_CLASSES]; /* round-robin replacement */
	gva_t large_lo, large_hi;                 /* invariant 4; lo > hi when empty */
	bool shadow_src; /* some valid entry may have src[] set (a hint) */
	bool has_local;  /* a non-global entry was filled since the last flush */
	bool has_any;    /* an entry was filled since the last full flush */
	/* sptes were zapped: call cfg.flush(owner_mask, owner_match) on the
	 * way out (mmu_owner_flush() merges what each zap needs) */
	bool owner_flush;
	gva_t owner_mask, owner_match;
	struct mmu_mode mode;
	struct gmem *gm;
	struct mmu_config cfg;
	struct mmu_shadow shadow; /* MMU_MODEL_SHADOW */
	struct mmu_nested nested; /* MMU_MODEL_NESTED */
};

static inline struct mmu_stats *mmu_counters(struct mmu *mmu)
{
	return &mmu->tlb.stats;
}

static inline enum mmu_tlb_class mmu_ctx_class(const struct mmu_ctx *ctx)
{
	return ctx->user ? MMU_TLB_USER : MMU_TLB_SUPERVISOR;
}

/* ---- mmu.c: shared by the models ---- */

/* The owner must drop its translations of the linear pages la with
 * (la & mask) == match (mask 0: all) before the MMU call returns. */
void mmu_owner_flush(struct mmu *mmu, gva_t mask, gva_t match);
/* Count one TLB-miss walk that made `refs` memory references. */
void mmu_count_walk(struct mmu *mmu, unsigned refs);
/* Fill the TLB with x for la and answer the access from it: MMU_OK. */
int mmu_answer(struct mmu *mmu, const struct mmu_ctx *ctx, gva_t la,
               enum mmu_access access, const struct mmu_xlate *x, struct mmu_result *out);
/* Report the #PF a walk ended in: count it, forget la's page (the CPU
 * drops la's translations on a fault), copy it out.  MMU_PAGE_FAULT. */
int mmu_page_fault(struct mmu *mmu, gva_t la, const struct mmu_fault *walk_fault,
                   struct mmu_fault *fault);
/* The translation a successful walk found (no shadow sources). */
void mmu_xlate_from_walk(const struct mmu_walker *w, hva_t hva, struct mmu_xlate *x);

/* ---- plain.c: the plain model ---- */
int plain_translate(struct mmu *mmu, const struct mmu_ctx *ctx, gva_t la,
                    enum mmu_access access, struct mmu_result *out,
                    struct mmu_fault *fault);
/* Paging off (plain and shadow): linear == physical, everything allowed. */
int plain_unpaged(struct mmu *mmu, const struct mmu_ctx *ctx, gva_t la,
                  enum mmu_access access, struct mmu_result *out);

/* ---- tlb.c: the slow side of the soft TLB ---- */
void mmu_tlb_reset(struct mmu *mmu);
/* The entry for la's page in `cls`, moved into its slot from the victim
 * TLB if it was there; NULL if the page is not cached. */
struct mmu_tlb_entry *mmu_tlb_find(struct mmu *mmu, enum mmu_tlb_class cls, gva_t la,
                                   struct mmu_tlb_info **info);
/* Cache la's page in ctx's class: tags from x->rights under ctx.
 * Precondition: la's page is not in the victim TLB (mmu_tlb_find() was
 * called first and would have moved it to its slot), which keeps
 * invariant 1. */
void mmu_tlb_fill(struct mmu *mmu, const struct mmu_ctx *ctx, gva_t la,
                  const struct mmu_xlate *x);
/* Forget la's page in every class (not the rest of a large page). */
void mmu_tlb_drop_page(struct mmu *mmu, gva_t la);
/* INVLPG's part in the TLB: la's page and every cached piece of the large
 * page that holds la. */
void mmu_tlb_invlpg(struct mmu *mmu, gva_t la);
/* Forget every entry whose guest-physical page is in [first, last]. */
void mmu_tlb_drop_gpa_range(struct mmu *mmu, gpa_t first, gpa_t last);
/* Forget every entry made from a shadow entry `ref` names under `mask`
 * (one spte: mask ~0; a whole shadow page: spt_page_mask()). */
void mmu_tlb_drop_src(struct mmu *mmu, uint32_t ref, uint32_t mask);
/* The same for one level-1 (leaf) spte: its entries can only be in the
 * slot its index selects, so this looks at 2 slots and the victims. */
void mmu_tlb_drop_leaf_src(struct mmu *mmu, uint32_t ref);
/* Guest page `gpa` became write-tracked (or stopped being): set (clear)
 * MMU_TLB_TRACKED in the write tags of the entries that map it. */
void mmu_tlb_track_gpa(struct mmu *mmu, gpa_t gpa, bool tracked);

#endif
