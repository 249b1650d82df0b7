/*
 * plain.c - the plain model: the soft TLB is filled straight from the
 * guest's own page tables, as a CPU with no VMM in between fills its TLB.
 *
 * This is the reference the other two models are checked against
 * (tests/unit/test_shadow.c runs all three on the same tables), the model
 * tests/unit/test_mmu.c exercises, and the "native" column when the costs
 * of shadow and nested paging are compared: one walk of at most 4
 * references per TLB miss, no hidden faults, nothing to keep in step.
 */
#include "mmu_internal.h"

int plain_unpaged(struct mmu *mmu, const struct mmu_ctx *ctx, gva_t la,
                  enum mmu_access access, struct mmu_result *out)
{
	struct mmu_xlate x = {
	    .gpa = la & PAGE_MASK,
	    .hva = gmem_hva(mmu->gm, la & PAGE_MASK, PAGE_SIZE),
	    .rights = MMU_RIGHTS_ALL,
	    .page_shift = PAGE_SHIFT,
	    .dirty = true,
	};

	for (unsigned l = 0; l < MMU_LEVELS; l++)
		x.src[l] = MMU_NO_SRC;
	return mmu_answer(mmu, ctx, la, access, &x, out);
}

int plain_translate(struct mmu *mmu, const struct mmu_ctx *ctx, gva_t la,
                    enum mmu_access access, struct mmu_result *out,
                    struct mmu_fault *fault)
{
	struct mmu_walker w;
	struct mmu_xlate x;
	int status = mmu_walk(mmu->gm, ctx, la, access, 0, &w);

	mmu_count_walk(mmu, w.nr_refs);
	if (status == MMU_PAGE_FAULT)
		return mmu_page_fault(mmu, la, &w.fault, fault);
	mmu_xlate_from_walk(&w, gmem_hva(mmu->gm, w.gpa & PAGE_MASK, PAGE_SIZE), &x);
	return mmu_answer(mmu, ctx, la, access, &x, out);
}
