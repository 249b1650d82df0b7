/*
 * nested.h - nested (two-dimensional) paging: the guest's own walk, with
 * every guest-physical address it uses translated through a software EPT.
 * (What Intel EPT and AMD NPT do in hardware; docs/paging-models.md is
 * the design note.)
 *
 * Where it sits: mmu_translate() (mmu.c) misses in the soft TLB and calls
 * nested_translate(), which runs walk.c's guest walk with a struct
 * mmu_walk_mem that sends each table reference through the EPT, then
 * translates the final gpa the same way:
 *
 *             gL4        gL3        gL2        gL1       data
 *   gCR3 --> [EPT 4] --> [EPT 4] --> [EPT 4] --> [EPT 4] --> [EPT 4] --> hva
 *             + read      + read      + read      + read
 *              PML4E       PDPTE       PDE         PTE
 *
 *   4 guest levels x (4 EPT references + 1 guest entry) + 4 = 24
 *
 * The EPT is a real 4-level table of host pages that the VMM builds
 * lazily: a gpa with no entry is an *EPT violation*; the VMM maps that one
 * 4 KiB page of guest RAM (an EPT fill) and the walk goes on.  A gpa that
 * is not RAM is never mapped: the guest sees MMIO, as with an EPT
 * misconfiguration exit.  The EPT depends on the memory map alone, so
 * CR3 switches, INVLPG and guest PTE writes cost it nothing.
 *
 * An EPT entry (Intel's layout, the bits trapeze uses):
 *
 *  63      52 51                                  12 11        3 2 1 0
 * +----------+--------------------------------------+-----------+-+-+-+
 * | ignored  | host address of the next table,      |  ignored  |X|W|R|
 * |          | or of the guest page (hva >> 12)     |           | | | |
 * +----------+--------------------------------------+-----------+-+-+-+
 *   R W X   read, write, execute allowed; all three set, or the entry is
 *           not present (the guest's own tables decide permissions)
 *
 * Counting: the references of the walk that answered -- an EPT walk is 4
 * references whether or not it had to be filled first (the fill is an
 * exit, counted in ept_fills; the hardware would walk again after it).
 */
#ifndef TRAPEZE_SHADOWPT_NESTED_H
#define TRAPEZE_SHADOWPT_NESTED_H

#include "shadowpt/mmu.h"

#define EPT_R    (1ull << 0)
#define EPT_W    (1ull << 1)
#define EPT_X    (1ull << 2)
#define EPT_RWX  (EPT_R | EPT_W | EPT_X)
#define EPT_ADDR 0x000ffffffffff000ull

/* The nested model's state (inside struct mmu). */
struct mmu_nested {
	uint64_t *root; /* the EPT's top table, NULL until the first fill */
	unsigned refs;  /* references of the 2D walk in progress */
	bool oom;       /* a fill found no host memory for a table */
};

struct mmu;

/* The soft TLB missed (paging on or off): the 2D walk.  mmu_translate's
 * contract. */
int nested_translate(struct mmu *mmu, const struct mmu_ctx *ctx, gva_t la,
                     enum mmu_access access, struct mmu_result *out,
                     struct mmu_fault *fault);
/* The VMM remapped guest pages [first, last]: unmap them in the EPT. */
void nested_memory_changed(struct mmu *mmu, gpa_t first, gpa_t last);
/* Free every EPT table. */
void nested_destroy(struct mmu *mmu);

#endif
