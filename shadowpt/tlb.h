/*
 * tlb.h - the soft TLB's fast path, for callers to inline.
 *
 * Every guest memory access of the software CPU first asks the soft TLB.
 * A hit must cost a handful of instructions, so the lookup lives here as a
 * static inline function that the interpreter (and later the translator's
 * generated code) inlines; everything else -- misses, the victim TLB, the
 * walk, dirty-bit updates, MMIO, faults -- is mmu_translate() in mmu.c.
 *
 *   la, access, size
 *        |
 *        v
 *   mmu_tlb_hva() --hit--> host address: load/store there directly
 *        | NULL (miss, MMIO, clean page on a write, crossing a page)
 *        v
 *   mmu_translate() --> victim TLB --> the model's fill (plain walk,
 *                                      shadow tables, or 2D walk)
 *
 * The TLB is direct-mapped, one table per privilege class (supervisor,
 * user), MMU_TLB_SIZE entries each, indexed by la bits 12 and up.  An entry
 * holds one tag per access kind; a tag is the 4 KiB linear page with flag
 * bits in its low 12 bits:
 *
 *   tag:  63                                          12 11       4 3 2 1 0
 *        +---------------------------------------------+----------+-+-+-+-+
 *        |           linear page (la & PAGE_MASK)      |    0     |T|M|N|I|
 *        +---------------------------------------------+----------+-+-+-+-+
 *         I  MMU_TLB_INVALID   no translation allowing this access here
 *         N  MMU_TLB_NOTDIRTY  (write tag) the leaf's D bit is still clear
 *         M  MMU_TLB_MMIO      the page is not RAM: no host address
 *         T  MMU_TLB_TRACKED   (write tag) the page is write-tracked (a
 *                              guest page table under shadow paging)
 *
 * The fast path compares a tag with la & PAGE_MASK: any flag set makes the
 * compare fail, so one compare answers "mapped, RAM, allowed, nothing to
 * update".  The slow path then sorts out which flag it was.
 *
 * Usage (the interpreter's memory read, say):
 *
 *	hva_t h = mmu_tlb_hva(mmu, &ctx, la, size, MMU_READ);
 *	if (h) {
 *		memcpy(&value, h, size);          // the common case
 *	} else {
 *		// mmu_translate() for the page of la, and when
 *		// res.in_page < size for the next page too; raise #PF from
 *		// the fault; hva NULL means MMIO: go to the bus with res.gpa.
 *		// For a write, translate both pages before writing either;
 *		// after storing to a page answered res.tracked, call
 *		// mmu_write_tracked(mmu, res.gpa, len) (a tracing fault).
 *	}
 *
 * A read-modify-write instruction translates with MMU_WRITE once (the CPU
 * checks write permission before reading).  Instruction fetch uses
 * MMU_FETCH.
 *
 * Keeping the TLB right (the owner's side of the contract):
 *
 *   guest does                          call
 *   MOV to CR3 (any value, even equal)  mmu_flush(mmu, true)
 *   MOV to CR0 or CR4, WRMSR to EFER,   mmu_ctx_changed(mmu, &ctx) with the
 *   task switch, anything loading them  new context, before the next lookup
 *   INVLPG la                           mmu_invlpg(mmu, la)
 *   a store to a page answered tracked  mmu_write_tracked(mmu, gpa, len)
 *   CPL change (syscall, iret, ...)     nothing: each class has its own table
 *
 * mmu_translate() itself compares the context it is given with the one the
 * TLB was filled under and flushes on a difference, so only the inline
 * fast path depends on these calls.  One struct mmu belongs to one vCPU.
 */
#ifndef TRAPEZE_SHADOWPT_TLB_H
#define TRAPEZE_SHADOWPT_TLB_H

#include "shadowpt/mmu.h"

#define MMU_TLB_BITS  8
#define MMU_TLB_SIZE  (1u << MMU_TLB_BITS) /* entries per class */
#define MMU_VTLB_SIZE 8                    /* victim entries per class */

/* tag flags (low bits of a tag; a linear page has them all clear) */
#define MMU_TLB_INVALID  (1ull << 0)
#define MMU_TLB_NOTDIRTY (1ull << 1)
#define MMU_TLB_MMIO     (1ull << 2)
#define MMU_TLB_TRACKED  (1ull << 3)
#define MMU_TLB_FLAGS    (MMU_TLB_INVALID | MMU_TLB_NOTDIRTY | MMU_TLB_MMIO | MMU_TLB_TRACKED)

/* Privilege classes: a CPL-3 access and a supervisor access to the same
 * page may have different rights, so they are cached apart. */
enum mmu_tlb_class {
	MMU_TLB_SUPERVISOR = 0,
	MMU_TLB_USER = 1,
	MMU_TLB_NR_CLASSES = 2,
};

#define MMU_NR_ACCESSES 3 /* MMU_READ, MMU_WRITE, MMU_FETCH index tag[] */
_Static_assert(MMU_READ == 0 && MMU_WRITE == 1 && MMU_FETCH == 2,
               "enum mmu_access indexes mmu_tlb_entry.tag");

/*
 * The part of a TLB entry the fast path reads (32 bytes, two per cache
 * line).  The rest of the entry -- its gpa, page size, global bit -- is
 * kept apart in struct mmu (mmu_internal.h) and read only on the slow path.
 */
struct mmu_tlb_entry {
	uint64_t tag[MMU_NR_ACCESSES]; /* page | MMU_TLB_* flags, per access */
	uintptr_t addend;              /* hva - la for any la in the page (RAM) */
};

/* The head of every struct mmu (a struct mmu * points to it). */
struct mmu_tlb {
	struct mmu_stats stats; /* the fast path counts its hits here */
	_Alignas(64) struct mmu_tlb_entry entry[MMU_TLB_NR_CLASSES][MMU_TLB_SIZE];
};

static inline struct mmu_tlb *mmu_tlb(struct mmu *mmu)
{
	return (struct mmu_tlb *)(void *)mmu; /* the first member, see mmu.c */
}

static inline unsigned mmu_tlb_index(gva_t la)
{
	return (unsigned)(la >> PAGE_SHIFT) & (MMU_TLB_SIZE - 1);
}

/*
 * mmu_tlb_hva - the host address of [la, la+size) for `access` under
 * `ctx`, if the TLB already holds an entry that allows it; else NULL.
 * NULL is not an error: call mmu_translate(), which knows why (a miss, a
 * fault, MMIO, a write to a page whose dirty bit is still clear or that
 * is write-tracked, or an access crossing into the next page).  size >= 1.  Counts hits only (the
 * slow path counts the rest).  Valid while the context matches the TLB's:
 * see the table above.
 */
static inline hva_t mmu_tlb_hva(struct mmu *mmu, const struct mmu_ctx *ctx, gva_t la,
                                uint64_t size, enum mmu_access access)
{
	struct mmu_tlb *tlb = mmu_tlb(mmu);
	const struct mmu_tlb_entry *e = &tlb->entry[ctx->user][mmu_tlb_index(la)];

	if (e->tag[access] != (la & PAGE_MASK))
		return NULL;
	if ((la & ~PAGE_MASK) + size > PAGE_SIZE)
		return NULL;
	tlb->stats.tlb_hits++;
	return (hva_t)(uintptr_t)(la + e->addend);
}

/*
 * mmu_ctx_changed - the paging context may have changed (CR0, CR4 or EFER
 * written, or CR3 loaded by a task switch): flush what it made stale.
 * A change of CR0.PG/WP, CR4.PAE/PGE/PSE or EFER.LME/NXE flushes
 * everything; a different CR3 flushes non-global entries; nothing
 * changed, nothing flushed.  Cheap enough to call after every such write.
 */
void mmu_ctx_changed(struct mmu *mmu, const struct mmu_ctx *ctx);

#endif
