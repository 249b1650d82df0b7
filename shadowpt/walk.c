/*
 * walk.c - the guest page walker (walk.h has the entry layout and the
 * contract; docs/mmu.md the rules chosen where the SDM leaves a choice).
 *
 * One walk, top down:
 *
 *   CR3 -> PML4[la 47:39] -> PDPT[la 38:30] -> PD[la 29:21] -> PT[la 20:12] -> 4 KiB
 *                               |                 |
 *                               PS=1: 1 GiB page  PS=1: 2 MiB page
 *
 * At each level: read the entry (one guest-memory reference); P=0 is a
 * not-present fault; a reserved bit set is a RSVD fault; otherwise the
 * entry's U/S, R/W and XD are folded into the rights, and above the leaf
 * its A bit is set and the walk goes down.  At the leaf the rights are
 * checked against the access, then A (and on a write D) is set.
 */
#include "walk.h"

/* Read the entry at gpa for `level` (one guest-memory reference), and
 * remember where it lives for the A/D updates.  Outside RAM it reads as
 * all-ones, which has reserved bits set, so such a walk ends in a RSVD
 * fault at that level. */
static uint64_t walk_read_pte(const struct mmu_walk_mem *mem, struct mmu_walker *w,
                              enum mmu_level level, gpa_t gpa)
{
	/* the plain walk calls gmem directly: no indirect call per level */
	hva_t h = mem->entry_hva ? mem->entry_hva(mem->opaque, gpa)
	                         : gmem_hva(mem->opaque, gpa, sizeof(uint64_t));

	w->pte_hva[level] = h;
	if (!h)
		return MMU_PTE_UNBACKED;
	/* entries are 8-byte aligned in guest RAM, and so in the host mapping */
	return __atomic_load_n((uint64_t *)(void *)h, __ATOMIC_RELAXED);
}

/* Set `bits` in the entry the walk read at `level`.  An atomic OR, not a
 * read-modify-write of the whole entry: the guest (on another vCPU) may be
 * changing the entry at the same time, and its change must not be undone. */
static void walk_set_bits(struct mmu_walker *w, enum mmu_level level, uint64_t bits)
{
	hva_t h = w->pte_hva[level];

	if (h) /* always: only entries read from RAM get here */
		__atomic_fetch_or((uint64_t *)(void *)h, bits, __ATOMIC_RELAXED);
}

/* The bits of `pte` (present, at `level`) that must be zero. */
static uint64_t walk_rsvd_mask(enum mmu_level level, uint64_t pte, bool nxe)
{
	uint64_t mask = MMU_PTE_RSVD_PHYS;

	if (!nxe)
		mask |= MMU_PTE_XD;
	switch (level) {
	case MMU_LEVEL_PML4:
		mask |= MMU_PTE_PS;
		break;
	case MMU_LEVEL_PDPT:
		if (pte & MMU_PTE_PS)
			mask |= MMU_PTE_RSVD_1G;
		break;
	case MMU_LEVEL_PD:
		if (pte & MMU_PTE_PS)
			mask |= MMU_PTE_RSVD_2M;
		break;
	case MMU_LEVEL_PT:
		break;
	}
	return mask;
}

/* Does `pte` (present, valid, at `level`) map a page rather than a table? */
static bool walk_is_leaf(enum mmu_level level, uint64_t pte)
{
	return level == MMU_LEVEL_PT || (pte & MMU_PTE_PS);
}

/* Fill w->fault.  `why` is 0 (not present), MMU_PF_P (protection) or
 * MMU_PF_P | MMU_PF_RSVD; the other bits describe the access. */
static int walk_fault(struct mmu_walker *w, uint32_t why)
{
	uint32_t code = why;

	if (w->access == MMU_WRITE)
		code |= MMU_PF_W;
	if (w->user)
		code |= MMU_PF_U;
	/* I/D is defined only with PAE-style paging and NXE=1 (no SMEP here) */
	if (w->access == MMU_FETCH && w->nxe)
		code |= MMU_PF_I;
	w->fault.error_code = code;
	w->fault.addr = w->la;
	return MMU_PAGE_FAULT;
}

/* Set A in the entry at `level` if it is clear (never writes a set bit). */
static void walk_set_accessed(struct mmu_walker *w, enum mmu_level level, unsigned flags)
{
	if ((w->pte[level] & MMU_PTE_A) || (flags & MMU_WALK_PEEK))
		return;
	walk_set_bits(w, level, MMU_PTE_A);
	w->a_set |= (uint8_t)(1u << level);
}

/* The leaf at w->last_level: permission check, then A/D and the result. */
static int walk_leaf(struct mmu_walker *w, unsigned flags)
{
	enum mmu_level level = w->last_level;
	uint64_t pte = w->pte[level];

	if (!mmu_rights_allow(w->rights, w->access, w->user, w->wp, w->nxe))
		return walk_fault(w, MMU_PF_P);

	walk_set_accessed(w, level, flags);
	w->dirty = pte & MMU_PTE_D;
	if (w->access == MMU_WRITE && !w->dirty && !(flags & MMU_WALK_PEEK)) {
		walk_set_bits(w, level, MMU_PTE_D);
		w->dirty = w->d_set = true;
	}

	w->page_shift = mmu_level_shift(level);
	uint64_t offset_mask = (1ull << w->page_shift) - 1;
	w->gpa = (pte & MMU_PTE_ADDR_MASK & ~offset_mask) | (w->la & offset_mask);
	w->global = w->pge && (pte & MMU_PTE_G);
	return MMU_OK;
}

static void walk_start(struct mmu_walker *w, const struct mmu_ctx *ctx, gva_t la,
                       enum mmu_access access)
{
	/* Field by field: pte[] and pte_gpa[] are written as levels are read
	 * (valid from PML4 down to last_level), and zeroing the whole struct
	 * (a "rep stos") cost a third of a walk. */
	w->la = la;
	w->access = access;
	w->user = ctx->user;
	w->wp = mmu_ctx_wp(ctx);
	w->nxe = mmu_ctx_nxe(ctx);
	w->pge = mmu_ctx_pge(ctx);
	w->last_level = MMU_LEVEL_PML4;
	w->nr_refs = 0;
	w->gpa = 0;
	w->page_shift = 0;
	w->global = w->dirty = w->d_set = false;
	w->a_set = 0;
	w->fault = (struct mmu_fault){0};
	w->rights = MMU_RIGHTS_ALL;
}

int mmu_walk_via(const struct mmu_walk_mem *mem, const struct mmu_ctx *ctx, gva_t la,
                 enum mmu_access access, unsigned flags, struct mmu_walker *w)
{
	gpa_t table = ctx->cr3 & MMU_CR3_ADDR_MASK;
	enum mmu_level level = MMU_LEVEL_PML4;

	walk_start(w, ctx, la, access);
	for (;;) {
		gpa_t gpa = table + mmu_level_index(la, level) * sizeof(uint64_t);
		uint64_t pte = walk_read_pte(mem, w, level, gpa);

		w->last_level = level;
		w->pte_gpa[level] = gpa;
		w->pte[level] = pte;
		w->nr_refs++;
		if (!(pte & MMU_PTE_P))
			return walk_fault(w, 0);
		if (pte & walk_rsvd_mask(level, pte, w->nxe))
			return walk_fault(w, MMU_PF_P | MMU_PF_RSVD);
		w->rights &= mmu_pte_rights(pte, w->nxe);
		if (walk_is_leaf(level, pte))
			return walk_leaf(w, flags);
		/* used to reach the next level: accessed, whatever happens below */
		walk_set_accessed(w, level, flags);
		table = pte & MMU_PTE_ADDR_MASK;
		level--;
	}
}

int mmu_walk(struct gmem *gm, const struct mmu_ctx *ctx, gva_t la, enum mmu_access access,
             unsigned flags, struct mmu_walker *w)
{
	const struct mmu_walk_mem mem = {.entry_hva = NULL, .opaque = gm};

	return mmu_walk_via(&mem, ctx, la, access, flags, w);
}
