/*
 * mmu.c - the software MMU's translate path: context, soft TLB, walk.
 *
 * mmu_translate() is the slow path behind tlb.h's inline lookup, and the
 * one entry point for callers that do not inline.  For one access it
 *
 *   1. compares the paging context with the one the TLB was filled under
 *      and flushes if it changed (mmu_ctx_changed),
 *   2. picks the paging mode: off (linear == physical), 4-level, or a mode
 *      this MMU does not implement,
 *   3. looks in the soft TLB (slot, then victim TLB): a tag that allows
 *      the access, or that is only marked MMIO, is a hit,
 *   4. on a miss walks the guest tables (walk.c) and fills the TLB, or
 *      reports the #PF and forgets la's page, as the CPU does on a fault.
 *
 * The counters in struct mmu_stats are kept here and in tlb.c; the fast
 * path adds its hits.  docs/mmu.md describes the whole MMU.
 */
#include "mmu_internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(offsetof(struct mmu, tlb) == 0, "tlb.h's mmu_tlb() casts a struct mmu *");

struct mmu *mmu_create(struct gmem *gm)
{
	void *p;

	if (posix_memalign(&p, _Alignof(struct mmu), sizeof(struct mmu)))
		return NULL;
	struct mmu *mmu = p;
	memset(mmu, 0, sizeof(*mmu));
	mmu->gm = gm;
	mmu_tlb_reset(mmu);
	return mmu;
}

void mmu_destroy(struct mmu *mmu)
{
	free(mmu);
}

const struct mmu_stats *mmu_stats(const struct mmu *mmu)
{
	return &mmu->tlb.stats;
}

/* Control-register bits whose change makes every cached translation
 * stale: paging on/off and its mode, write protection, global pages, NX. */
#define MMU_MODE_CR0  (X86_CR0_PG | X86_CR0_WP)
#define MMU_MODE_CR4  (X86_CR4_PSE | X86_CR4_PAE | X86_CR4_PGE)
#define MMU_MODE_EFER (X86_EFER_LME | X86_EFER_NXE)

void mmu_ctx_changed(struct mmu *mmu, const struct mmu_ctx *ctx)
{
	struct mmu_mode now = {
	    .cr0 = ctx->cr0 & MMU_MODE_CR0,
	    .cr4 = ctx->cr4 & MMU_MODE_CR4,
	    .efer = ctx->efer & MMU_MODE_EFER,
	    .cr3 = ctx->cr3 & MMU_CR3_ADDR_MASK,
	    .known = true,
	};
	struct mmu_mode *was = &mmu->mode;

	if (was->known) {
		if (now.cr0 != was->cr0 || now.cr4 != was->cr4 || now.efer != was->efer)
			mmu_flush(mmu, false);
		else if (now.cr3 != was->cr3)
			mmu_flush(mmu, true);
	}
	*was = now;
}

/* The answer for la from a TLB entry for its page. */
static int translate_result(const struct mmu_tlb_entry *e,
                            const struct mmu_tlb_info *info, gva_t la,
                            enum mmu_access access, struct mmu_result *out)
{
	uint64_t offset = la & ~PAGE_MASK;

	out->gpa = info->gpa | offset;
	out->hva =
	    (e->tag[access] & MMU_TLB_MMIO) ? NULL : (hva_t)(uintptr_t)(la + e->addend);
	out->in_page = PAGE_SIZE - offset;
	return MMU_OK;
}

/* A TLB hit: the entry allows the access and needs no update.  MMIO is
 * still a hit (the caller goes to the bus); NOTDIRTY and INVALID are not. */
static bool translate_tag_hits(const struct mmu_tlb_entry *e, gva_t la,
                               enum mmu_access access)
{
	return (e->tag[access] & ~MMU_TLB_MMIO) == (la & PAGE_MASK);
}

/* A miss with paging off: linear == physical, everything allowed. */
static int translate_unpaged(struct mmu *mmu, const struct mmu_ctx *ctx, gva_t la,
                             enum mmu_access access, struct mmu_result *out)
{
	enum mmu_tlb_class cls = ctx->user ? MMU_TLB_USER : MMU_TLB_SUPERVISOR;
	struct mmu_tlb_info *info;

	mmu_tlb_fill(mmu, ctx, la, la, MMU_RIGHTS_ALL, PAGE_SHIFT, false, true);
	struct mmu_tlb_entry *e = mmu_tlb_find(mmu, cls, la, &info);
	return translate_result(e, info, la, access, out);
}

/* A miss with 4-level paging: walk, then fill or fault. */
static int translate_walk(struct mmu *mmu, const struct mmu_ctx *ctx, gva_t la,
                          enum mmu_access access, struct mmu_result *out,
                          struct mmu_fault *fault)
{
	enum mmu_tlb_class cls = ctx->user ? MMU_TLB_USER : MMU_TLB_SUPERVISOR;
	struct mmu_stats *stats = &mmu->tlb.stats;
	struct mmu_walker w;
	struct mmu_tlb_info *info;

	int status = mmu_walk(mmu->gm, ctx, la, access, 0, &w);
	stats->walks++;
	stats->walk_refs += w.nr_refs;
	if (status == MMU_PAGE_FAULT) {
		stats->page_faults++;
		mmu_tlb_drop_page(mmu, la); /* a #PF invalidates la's translation */
		*fault = w.fault;
		return MMU_PAGE_FAULT;
	}
	mmu_tlb_fill(mmu, ctx, la, w.gpa, w.rights, w.page_shift, w.global, w.dirty);
	struct mmu_tlb_entry *e = mmu_tlb_find(mmu, cls, la, &info);
	return translate_result(e, info, la, access, out);
}

int mmu_translate(struct mmu *mmu, const struct mmu_ctx *ctx, gva_t la,
                  enum mmu_access access, struct mmu_result *out, struct mmu_fault *fault)
{
	enum mmu_tlb_class cls = ctx->user ? MMU_TLB_USER : MMU_TLB_SUPERVISOR;
	bool paging = mmu_ctx_paging(ctx);
	struct mmu_tlb_info *info;

	mmu_ctx_changed(mmu, ctx);
	if (paging && !mmu_ctx_long_paging(ctx))
		return MMU_UNSUPPORTED; /* 32-bit or PAE paging */
	if (paging && !mmu_la_canonical(la))
		return MMU_UNSUPPORTED; /* the caller's #GP/#SS, not a #PF */

	struct mmu_tlb_entry *e = mmu_tlb_find(mmu, cls, la, &info);
	if (e && translate_tag_hits(e, la, access)) {
		mmu->tlb.stats.tlb_hits++;
		return translate_result(e, info, la, access, out);
	}
	mmu->tlb.stats.tlb_misses++;
	if (!paging)
		return translate_unpaged(mmu, ctx, la, access, out);
	return translate_walk(mmu, ctx, la, access, out, fault);
}
