/*
 * mmu.h - the software MMU: guest-virtual to guest-physical for the
 * software engines.
 *
 * The interpreter turns every memory operand into a linear address
 * (segment base + offset) and asks the MMU for the guest-physical address
 * and, when it is RAM, the host address behind it.  The MMU walks the
 * guest's page tables exactly as the hardware does -- permission checks,
 * accessed/dirty bits written back into the guest's entries, #PF error
 * codes -- and keeps a soft TLB in front of the walk so that most accesses
 * cost one compare.
 *
 *   interpreter --la, access--> mmu_translate --hit--> soft TLB ---------+
 *                                    | miss                              |
 *                                    v                                   v
 *                            4-level walk of the guest tables  --> gpa, hva (RAM)
 *                            (A/D updates, U/S, R/W, NX, WP)       or gpa only (MMIO)
 *                                    | violation
 *                                    v
 *                            struct mmu_fault: #PF error code, CR2
 *
 * Paging modes: CR0.PG=0 (linear == physical: 32-bit boot code) and
 * 4-level long-mode paging (CR0.PG=1, CR4.PAE=1, EFER.LME=1) with 4 KiB,
 * 2 MiB and 1 GiB pages.  Legacy 32-bit and PAE paging report
 * MMU_UNSUPPORTED.  This is the first model; shadow and nested paging
 * later fill the same TLB.
 *
 * The TLB caches translations, so the owner must say when they change:
 * mmu_flush() on a CR3 write (non-global entries) or a CR0/CR4 paging bit
 * change (everything), mmu_invlpg() for INVLPG, and mmu_memory_changed()
 * when the VMM remaps guest memory.
 */
#ifndef TRAPEZE_SHADOWPT_MMU_H
#define TRAPEZE_SHADOWPT_MMU_H

#include "core/gmem.h"

enum mmu_access {
	MMU_READ = 0,
	MMU_WRITE = 1,
	MMU_FETCH = 2,
};

/* The paging state an access is made under (copied from the vCPU). */
struct mmu_ctx {
	uint64_t cr0, cr3, cr4, efer;
	bool user; /* a CPL-3 access; false for CPL 0-2 and for implicit
	            * supervisor accesses (descriptor tables, TSS, IDT) */
};

/* #PF error code bits */
#define MMU_PF_P (1u << 0)    /* the page was present (protection violation) */
#define MMU_PF_W (1u << 1)    /* the access was a write */
#define MMU_PF_U (1u << 2)    /* the access was from user mode */
#define MMU_PF_RSVD (1u << 3) /* a reserved bit was set in an entry */
#define MMU_PF_I (1u << 4)    /* the access was an instruction fetch */

struct mmu_fault {
	uint32_t error_code; /* MMU_PF_* */
	gva_t addr;          /* the linear address: becomes CR2 */
};

struct mmu_result {
	gpa_t gpa;
	hva_t hva;        /* host address of gpa, or NULL if not RAM (MMIO) */
	uint64_t in_page; /* bytes from gpa to the end of its guest page
	                   * (4 KiB granular), so a caller can tell whether an
	                   * access crosses into the next page */
};

/* mmu_translate results (non-negative; -errno never collides) */
enum mmu_status {
	MMU_OK = 0,
	MMU_PAGE_FAULT = 1,  /* *fault filled: deliver #PF */
	MMU_UNSUPPORTED = 2, /* a paging mode this MMU does not implement */
};

struct mmu_stats {
	uint64_t tlb_hits, tlb_misses;
	uint64_t walks, walk_refs; /* page walks and guest-memory reads they made */
	uint64_t page_faults;
	uint64_t flushes, invlpgs;
};

struct mmu;

/* An MMU over guest memory `gm`; NULL if out of memory. */
struct mmu *mmu_create(struct gmem *gm);
void mmu_destroy(struct mmu *mmu);

/*
 * mmu_translate - translate linear address `la` for one access.
 * Only the page of `la` is translated: an access that crosses a page
 * boundary is two calls (out->in_page tells).  Returns MMU_OK with *out
 * filled, MMU_PAGE_FAULT with *fault filled (nothing else changed, except
 * accessed bits the walk had legitimately set on the way, as hardware
 * does), or MMU_UNSUPPORTED.
 */
int mmu_translate(struct mmu *mmu, const struct mmu_ctx *ctx, gva_t la,
                  enum mmu_access access, struct mmu_result *out,
                  struct mmu_fault *fault);

/* Drop cached translations: all of them, or keep global pages. */
void mmu_flush(struct mmu *mmu, bool keep_global);
/* INVLPG: drop the translation of the page holding `la` (global too). */
void mmu_invlpg(struct mmu *mmu, gva_t la);
/* Guest memory in [gpa, gpa+len) was remapped by the VMM. */
void mmu_memory_changed(struct mmu *mmu, gpa_t gpa, uint64_t len);

const struct mmu_stats *mmu_stats(const struct mmu *mmu);

#endif
