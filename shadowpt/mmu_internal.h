/*
 * mmu_internal.h - the software MMU's private state, shared by mmu.c (the
 * translate path and the context) and tlb.c (the soft TLB's slow side).
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
 */
#ifndef TRAPEZE_SHADOWPT_MMU_INTERNAL_H
#define TRAPEZE_SHADOWPT_MMU_INTERNAL_H

#include "shadowpt/tlb.h"
#include "shadowpt/walk.h"

/* What the slow path knows about a TLB entry besides its tags. */
struct mmu_tlb_info {
	gva_t page;         /* linear 4 KiB page */
	gpa_t gpa;          /* its guest-physical 4 KiB page */
	uint8_t page_shift; /* the guest page it came from: 12, 21 or 30 */
	bool global;        /* survives mmu_flush(keep_global = true) */
	bool valid;
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

struct mmu {
	struct mmu_tlb tlb; /* first: tlb.h's mmu_tlb() casts */
	struct mmu_tlb_info info[MMU_TLB_NR_CLASSES][MMU_TLB_SIZE];
	struct mmu_victim victim[MMU_TLB_NR_CLASSES][MMU_VTLB_SIZE];
	unsigned victim_next[MMU_TLB_NR_CLASSES]; /* round-robin replacement */
	gva_t large_lo, large_hi;                 /* invariant 4; lo > hi when empty */
	struct mmu_mode mode;
	struct gmem *gm;
};

/* tlb.c: the slow side of the soft TLB */
void mmu_tlb_reset(struct mmu *mmu);
/* The entry for la's page in `cls`, moved into its slot from the victim
 * TLB if it was there; NULL if the page is not cached. */
struct mmu_tlb_entry *mmu_tlb_find(struct mmu *mmu, enum mmu_tlb_class cls, gva_t la,
                                   struct mmu_tlb_info **info);
/* Cache la's page in ctx's class: tags from `rights` under ctx, `gpa` its
 * guest-physical page, the host page from gmem.  Precondition: la's page
 * is not in the victim TLB (mmu_tlb_find() was called first and would
 * have moved it to its slot), which keeps invariant 1. */
void mmu_tlb_fill(struct mmu *mmu, const struct mmu_ctx *ctx, gva_t la, gpa_t gpa,
                  unsigned rights, unsigned page_shift, bool global, bool dirty);
/* Forget la's page in every class (not the rest of a large page). */
void mmu_tlb_drop_page(struct mmu *mmu, gva_t la);

#endif
