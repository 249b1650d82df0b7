/*
 * walk.h - the guest page walker: one linear address through the guest's
 * 4-level page tables, exactly as the hardware walks them.
 *
 * This is the bottom of the software MMU.  Every model calls it: the plain
 * model on a soft-TLB miss, the shadow model on a hidden fault (to learn
 * what to put in its shadow tables), the nested model with every table
 * reference routed through its software EPT (struct mmu_walk_mem).
 * The walker reads the guest's entries through gmem, or through the
 * caller's struct mmu_walk_mem (a table outside RAM reads as all-ones,
 * like unbacked memory on a PC), checks reserved bits
 * and permissions (Intel SDM Vol. 3 4.5-4.7), writes accessed and dirty
 * bits back into the guest's entries, and records every level it read in a
 * struct mmu_walker so that callers can report or reuse the path.
 *
 * It keeps no state of its own: the result depends only on guest memory
 * and the paging context, so it can be tested alone (tests/unit/test_mmu.c)
 * and used to explain a fault (docs/mmu.md has the long form).
 *
 * Acronyms: la = linear address (gva after segmentation), gpa =
 * guest-physical, pte = a paging-structure entry at any level.
 */
#ifndef TRAPEZE_SHADOWPT_WALK_H
#define TRAPEZE_SHADOWPT_WALK_H

#include "core/x86.h"
#include "shadowpt/mmu.h"

/*
 * trapeze's CPU model reports 40 physical address bits (CPUID
 * 0x80000008 EAX[7:0], core/cpuid.c); entry bits 51:40 are reserved.
 * test_mmu checks that the two agree.
 */
#define MMU_MAXPHYADDR 40
#define MMU_VA_BITS    48 /* 4-level paging: la bits 63:47 must be equal */

/*
 * A paging-structure entry, any level, 4-level paging, MAXPHYADDR = 40:
 *
 *  63 62     52 51      40 39                       12 11  9 8 7 6 5 4 3 2 1 0
 * +--+---------+----------+---------------------------+-----+-+-+-+-+-+-+-+-+-+
 * |X | ignored | reserved | gpa of the next table,    | ign |G|P|D|A|P|P|U|R|P|
 * |D |         | (must be | or of the page (a large   |     | |S| | |C|W|/|/| |
 * |  |         |  zero)   | page uses fewer bits)     |     | | | | |D|T|S|W| |
 * +--+---------+----------+---------------------------+-----+-+-+-+-+-+-+-+-+-+
 *
 *   P    present; with P=0 the CPU looks at no other bit
 *   R/W  writes allowed (needed at every level; supervisor only if CR0.WP)
 *   U/S  user (CPL 3) accesses allowed (needed at every level)
 *   PWT PCD  caching: recorded, no effect here (guest RAM is host RAM)
 *   A    accessed: set by the walk in every entry it used
 *   D    dirty: set on a write, in the leaf only (ignored above the leaf)
 *   PS   page size: in a PDPTE maps a 1 GiB page, in a PDE a 2 MiB page;
 *        reserved in a PML4E; in a PTE this bit is PAT
 *   G    global (leaf only, with CR4.PGE): survives a CR3 write
 *   XD   execute-disable (any level) with EFER.NXE=1; reserved with NXE=0
 *
 * A large-page leaf keeps PAT in bit 12 and has reserved bits below its
 * frame: bits 20:13 (2 MiB) or 29:13 (1 GiB).
 */
#define MMU_PTE_P         (1ull << 0)
#define MMU_PTE_RW        (1ull << 1)
#define MMU_PTE_US        (1ull << 2)
#define MMU_PTE_PWT       (1ull << 3)
#define MMU_PTE_PCD       (1ull << 4)
#define MMU_PTE_A         (1ull << 5)
#define MMU_PTE_D         (1ull << 6)
#define MMU_PTE_PS        (1ull << 7)
#define MMU_PTE_G         (1ull << 8)
#define MMU_PTE_PAT_LARGE (1ull << 12)
#define MMU_PTE_XD        (1ull << 63)

/* bits 51:12: where the address field can live; bits 51:MAXPHYADDR of it
 * are reserved (checked before the field is used) */
#define MMU_PTE_ADDR_MASK 0x000ffffffffff000ull
#define MMU_PTE_RSVD_PHYS (0x000fffffffffffffull & ~((1ull << MMU_MAXPHYADDR) - 1))
/* reserved bits between PAT (bit 12) and a large page's frame */
#define MMU_PTE_RSVD_2M 0x00000000001fe000ull /* bits 20:13 */
#define MMU_PTE_RSVD_1G 0x000000003fffe000ull /* bits 29:13 */

/* What a read of an entry outside guest RAM returns (a PC's unbacked
 * physical memory reads as all-ones); it always has reserved bits set. */
#define MMU_PTE_UNBACKED (~0ull)

/* CR3 in long mode without PCIDs: bits 51:12 hold the PML4 table's gpa. */
#define MMU_CR3_ADDR_MASK MMU_PTE_ADDR_MASK

/* Levels are numbered as in the SDM's tables and KVM: the leaf of a
 * 4 KiB page is level 1, the root (PML4) level 4. */
enum mmu_level {
	MMU_LEVEL_PT = 1,
	MMU_LEVEL_PD = 2,
	MMU_LEVEL_PDPT = 3,
	MMU_LEVEL_PML4 = 4,
};
#define MMU_LEVELS         4
#define MMU_PTES_PER_TABLE 512
#define MMU_LEVEL_BITS     9 /* la bits that index one table */

/* The page size a leaf at `level` maps: 12, 21 or 30. */
static inline unsigned mmu_level_shift(enum mmu_level level)
{
	return PAGE_SHIFT + MMU_LEVEL_BITS * (unsigned)(level - 1);
}

/* The index of la's entry in the table at `level` (la bits 47:39, 38:30,
 * 29:21 or 20:12). */
static inline unsigned mmu_level_index(gva_t la, enum mmu_level level)
{
	return (unsigned)(la >> mmu_level_shift(level)) & (MMU_PTES_PER_TABLE - 1);
}

/* Is la canonical for 4-level paging (bits 63:47 all equal)? */
static inline bool mmu_la_canonical(gva_t la)
{
	int64_t s = (int64_t)la;
	return (s >> (MMU_VA_BITS - 1)) == 0 || (s >> (MMU_VA_BITS - 1)) == -1;
}

/*
 * Rights that the walk accumulates over the levels, as one bit mask:
 * USER and WRITE survive only if every level grants them, EXEC is lost if
 * any level has XD=1 (and EFER.NXE=1).
 */
#define MMU_RIGHT_USER  (1u << 0)
#define MMU_RIGHT_WRITE (1u << 1)
#define MMU_RIGHT_EXEC  (1u << 2)
#define MMU_RIGHTS_ALL  (MMU_RIGHT_USER | MMU_RIGHT_WRITE | MMU_RIGHT_EXEC)

/*
 * mmu_rights_allow - may an access be made to a page with `rights`?
 * The access-rights rules of SDM Vol. 3 4.6 for a CPU without SMEP, SMAP
 * and protection keys (trapeze's model has none of them):
 *
 *              read            write                     fetch
 *   user       USER            USER and WRITE            USER and (EXEC or !NXE)
 *   supervisor always          WRITE, or always if !WP   EXEC or !NXE
 *
 * Pure: used both for the walk's permission check and to decide which of
 * a TLB entry's tags may hit.
 */
static inline bool mmu_rights_allow(unsigned rights, enum mmu_access access, bool user,
                                    bool wp, bool nxe)
{
	if (user && !(rights & MMU_RIGHT_USER))
		return false;
	switch (access) {
	case MMU_READ:
		return true;
	case MMU_WRITE:
		return (rights & MMU_RIGHT_WRITE) || (!user && !wp);
	case MMU_FETCH:
		return (rights & MMU_RIGHT_EXEC) || !nxe;
	}
	return false;
}

/* The rights one present, valid entry grants (MMU_RIGHT_*): XD takes
 * EXEC away only with EFER.NXE=1. */
static inline unsigned mmu_pte_rights(uint64_t pte, bool nxe)
{
	unsigned rights = 0;

	if (pte & MMU_PTE_US)
		rights |= MMU_RIGHT_USER;
	if (pte & MMU_PTE_RW)
		rights |= MMU_RIGHT_WRITE;
	if (!(nxe && (pte & MMU_PTE_XD)))
		rights |= MMU_RIGHT_EXEC;
	return rights;
}

/* The paging-context bits the walker needs, from a struct mmu_ctx. */
static inline bool mmu_ctx_wp(const struct mmu_ctx *ctx)
{
	return ctx->cr0 & X86_CR0_WP;
}
static inline bool mmu_ctx_nxe(const struct mmu_ctx *ctx)
{
	return ctx->efer & X86_EFER_NXE;
}
static inline bool mmu_ctx_pge(const struct mmu_ctx *ctx)
{
	return ctx->cr4 & X86_CR4_PGE;
}
static inline bool mmu_ctx_paging(const struct mmu_ctx *ctx)
{
	return ctx->cr0 & X86_CR0_PG;
}
/* 4-level paging: CR0.PG=1, CR4.PAE=1, EFER.LME=1. */
static inline bool mmu_ctx_long_paging(const struct mmu_ctx *ctx)
{
	return mmu_ctx_paging(ctx) && (ctx->cr4 & X86_CR4_PAE) &&
	       (ctx->efer & X86_EFER_LME);
}

/*
 * One walk, recorded.  Inputs are copied in by mmu_walk(); each level the
 * walk read is kept (indexed by enum mmu_level, from MMU_LEVEL_PML4 down to
 * `last_level`), so a report can print the path and a shadow-paging model
 * can learn which guest page-table pages a translation depends on.
 */
struct mmu_walker {
	/* inputs */
	gva_t la;
	enum mmu_access access;
	bool user, wp, nxe, pge;

	/* the path: entries as read, before this walk's own A/D updates;
	 * levels MMU_LEVEL_PML4 down to last_level are valid, lower ones are
	 * left as they were */
	enum mmu_level last_level; /* the leaf, or the level where it stopped */
	gpa_t pte_gpa[MMU_LEVELS + 1];
	uint64_t pte[MMU_LEVELS + 1];
	hva_t pte_hva[MMU_LEVELS + 1]; /* where the entry was read (NULL: not RAM) */
	unsigned nr_refs; /* guest page-table entries the walk read */
	unsigned rights;  /* MMU_RIGHT_* over the levels read */

	/* on MMU_OK */
	gpa_t gpa;           /* la translated */
	unsigned page_shift; /* the guest page's size: 12, 21 or 30 */
	bool global;         /* leaf G=1 and CR4.PGE=1 */
	bool dirty;          /* leaf D=1 after the walk */
	uint8_t a_set;       /* bit (1 << level): this walk set that entry's A */
	bool d_set;          /* this walk set the leaf's D */

	/* on MMU_PAGE_FAULT */
	struct mmu_fault fault;
};

/* mmu_walk flags */
#define MMU_WALK_PEEK (1u << 0) /* write no A/D bits (reports, debuggers) */

/*
 * mmu_walk - translate `la` for one access through the guest's 4-level
 * tables at ctx->cr3.
 * Preconditions: mmu_ctx_long_paging(ctx) and mmu_la_canonical(la) (the
 * caller's job: a non-canonical address is #GP/#SS, not #PF).
 * Returns MMU_OK with w->gpa, page_shift, global, dirty filled and the
 * accessed bits (and on a write the leaf's dirty bit) set in guest memory;
 * or MMU_PAGE_FAULT with w->fault filled, having set the accessed bits of
 * the non-leaf entries it used before the faulting level (docs/mmu.md,
 * "Accessed and dirty bits").  With MMU_WALK_PEEK guest memory is only read.
 * Never touches memory outside guest RAM; cannot fail otherwise.
 */
int mmu_walk(struct gmem *gm, const struct mmu_ctx *ctx, gva_t la, enum mmu_access access,
             unsigned flags, struct mmu_walker *w);

/*
 * How a walk reaches the guest's page-table entries.  entry_hva() returns
 * the host address of the 8-byte entry at guest-physical `gpa`, or NULL
 * when gpa is not RAM (the entry then reads as MMU_PTE_UNBACKED).  The
 * walker calls it once per entry it reads and writes A/D bits through the
 * same address, so a model that translates gpas itself (the nested model:
 * through its EPT) sees, and can count, every reference.  entry_hva NULL
 * means the VMM's own map: opaque is the struct gmem (mmu_walk()).
 */
struct mmu_walk_mem {
	hva_t (*entry_hva)(void *opaque, gpa_t gpa);
	void *opaque;
};

/* mmu_walk() with the guest's tables reached through `mem`: same
 * preconditions, results and guarantees. */
int mmu_walk_via(const struct mmu_walk_mem *mem, const struct mmu_ctx *ctx, gva_t la,
                 enum mmu_access access, unsigned flags, struct mmu_walker *w);

#endif
