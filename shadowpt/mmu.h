/*
 * mmu.h - the software MMU: guest-virtual to guest-physical (and host) for
 * the software engines.
 *
 * The interpreter turns every memory operand into a linear address
 * (segment base + offset) and asks the MMU for the guest-physical address
 * and, when it is RAM, the host address behind it.  The MMU answers
 * exactly as the hardware would -- permission checks, accessed/dirty bits
 * written back into the guest's entries, #PF error codes -- and keeps a
 * soft TLB in front, so that most accesses cost one compare.  What fills
 * the TLB on a miss is the *model*: how a VMM without hardware help (or
 * with it) maps guest memory.
 *
 *   interpreter --la, access--> mmu_translate --hit--> soft TLB -------------+
 *                                    | miss                                  |
 *                                    v                                       v
 *            plain:  walk the guest tables (no VMM in between)      gpa, hva (RAM)
 *            shadow: walk the VMM's shadow tables (gva -> host);    or gpa only (MMIO)
 *                    a miss there is a hidden fault: walk the
 *                    guest tables, fill the shadow (shadow.c)
 *            nested: walk the guest tables with every reference
 *                    translated by a software EPT (nested.c)
 *                                    | the guest's tables say no
 *                                    v
 *                            struct mmu_fault: #PF error code, CR2
 *
 * All three give the same guest-visible answers (faults, error codes,
 * CR2, A/D bits, NX/WP/U-S, global and large pages); they differ in what
 * they cost and in the counters below.  docs/paging-models.md is the
 * design note, docs/mmu.md the MMU as a whole.
 *
 * Paging modes: CR0.PG=0 (linear == physical: 32-bit boot code) and
 * 4-level long-mode paging (CR0.PG=1, CR4.PAE=1, EFER.LME=1) with 4 KiB,
 * 2 MiB and 1 GiB pages.  Legacy 32-bit and PAE paging report
 * MMU_UNSUPPORTED.
 *
 * The owner's side of the contract:
 *
 *   guest does                           call
 *   MOV to CR3                           mmu_flush(mmu, true)
 *   CR0/CR4/EFER paging bits change      mmu_flush(mmu, false) (the next
 *                                        mmu_translate sees the new context)
 *   INVLPG                               mmu_invlpg()
 *   a write to a page the MMU answered   mmu_write_tracked() after the store
 *   with out->tracked (shadow paging)
 *   VMM remaps guest memory              mmu_memory_changed()
 *   VMM edits guest state or memory      mmu_reset()
 *   under the guest (snapshot restore)
 *
 * and one promise: a write translation answered with out->tracked is
 * never cached outside the MMU.  In return the MMU tells the owner, who
 * may cache translations of its own (the interpreter's access cache),
 * when those must go: config->write_protect when it starts tracking a
 * frame, config->flush when it zapped shadow entries.
 */
#ifndef TRAPEZE_SHADOWPT_MMU_H
#define TRAPEZE_SHADOWPT_MMU_H

#include "core/gmem.h"
#include "core/vm.h" /* VM_SHADOW_PAGES_MIN/MAX */

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
	bool tracked;     /* a write to a write-tracked page (a guest page
	                   * table under shadow paging): store through hva,
	                   * then call mmu_write_tracked(); never cache it */
};

/* mmu_translate results (non-negative; -errno never collides) */
enum mmu_status {
	MMU_OK = 0,
	MMU_PAGE_FAULT = 1,  /* *fault filled: deliver #PF */
	MMU_UNSUPPORTED = 2, /* a paging mode this MMU does not implement */
};

/* What fills the soft TLB on a miss (docs/paging-models.md). */
enum mmu_model {
	MMU_MODEL_PLAIN = 0, /* the guest's tables, as a CPU without a VMM walks them */
	MMU_MODEL_SHADOW,    /* VMM-owned shadow tables gva -> host, write-tracked */
	MMU_MODEL_NESTED,    /* 2D walk: guest tables through a software EPT */
	MMU_NR_MODELS,
};

/* Shadow paging: the cap on shadow pages when the config gives none.
 * 4096 pages of 4 KiB = 16 MiB of shadow tables, enough for the teaching
 * kernel's busiest program (forktest: 64 address spaces) without a
 * reclaim.  Override at build time with -DMMU_SHADOW_MAX_PAGES_DEFAULT=N. */
#ifndef MMU_SHADOW_MAX_PAGES_DEFAULT
#define MMU_SHADOW_MAX_PAGES_DEFAULT 4096u
#endif
#define MMU_SHADOW_MIN_PAGES VM_SHADOW_PAGES_MIN /* smaller caps are raised to this */
#define MMU_SHADOW_MAX_PAGES VM_SHADOW_PAGES_MAX /* larger caps are lowered to this */

struct mmu_config {
	enum mmu_model model;
	unsigned shadow_max_pages; /* shadow: cap on shadow pages (0: default) */
	/* shadow: the MMU now write-tracks guest frame `gfn`: drop any
	 * writable translation of it kept outside the MMU.  May be NULL. */
	void (*write_protect)(void *opaque, gfn_t gfn);
	/* shadow: the MMU zapped shadow entries (a guest page-table write,
	 * INVLPG, a shadow page dropped): drop the translations kept outside
	 * the MMU of every linear page la with (la & mask) == match -- mask 0
	 * means all of them -- as a shadow MMU flushes the TLB after changing
	 * sptes.  Called once, on the way out of the MMU call that zapped.
	 * May be NULL. */
	void (*flush)(void *opaque, gva_t mask, gva_t match);
	void *opaque;
};

/* Longest walk counted: 4 guest levels x (4 EPT references + the entry
 * itself) + 4 EPT references for the final gpa. */
#define MMU_WALK_REFS_MAX 24

/*
 * Counters (mmu_stats_emit() names each one "mmu.<field>"; the walk
 * histogram is mmu.walk_refs_hist_0 .. _24).  A "walk" is what the
 * hardware would do on a TLB miss: the guest tables (plain), the shadow
 * tables (shadow), the 2D walk (nested).  docs/paging-models.md says what
 * the literature calls each one.
 */
struct mmu_stats {
	/* every model */
	uint64_t tlb_hits, tlb_misses;
	uint64_t walks, walk_refs; /* TLB-miss walks and the memory references they made */
	uint64_t walk_refs_hist[MMU_WALK_REFS_MAX + 1]; /* walks by references made */
	uint64_t page_faults; /* #PFs the guest sees */
	uint64_t flushes, invlpgs;
	/* shadow paging */
	uint64_t hidden_faults;  /* shadow misses the VMM filled (guest never knows) */
	uint64_t true_faults;    /* shadow misses the guest's own tables refuse: #PF */
	uint64_t tracing_faults; /* guest writes to write-tracked page tables */
	uint64_t zaps;           /* shadow entries zapped (tracing faults, INVLPG, remaps) */
	uint64_t shadow_page_zaps; /* shadow pages freed (unlinked, flooded, reclaimed, reset) */
	uint64_t write_floods;   /* shadow pages dropped because the guest kept writing them */
	uint64_t reclaims;       /* roots reclaimed to stay under the cap */
	uint64_t shadow_pages, shadow_pages_peak; /* in use now, and the most ever */
	uint64_t roots;          /* shadow roots cached now */
	uint64_t tracked_pages;  /* guest frames write-tracked now */
	uint64_t root_switches;  /* the active root changed (a CR3 switch, or a rebuild) */
	uint64_t root_cache_hits; /* ... to a root that was already built */
	uint64_t resets;         /* every shadow page dropped (paging mode change, reset) */
	/* nested paging */
	uint64_t ept_fills;  /* EPT violations: a gpa mapped on first use */
	uint64_t ept_tables; /* EPT table pages in use */
};

struct mmu;

/* A plain-model MMU over guest memory `gm`; NULL if out of memory. */
struct mmu *mmu_create(struct gmem *gm);
/* An MMU with the given model and limits (cfg NULL: plain, defaults);
 * NULL if out of memory or cfg->model is not a model. */
struct mmu *mmu_create_model(struct gmem *gm, const struct mmu_config *cfg);
void mmu_destroy(struct mmu *mmu);

enum mmu_model mmu_model(const struct mmu *mmu);
/* "plain", "shadow", "nested" */
const char *mmu_model_name(enum mmu_model model);

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

/*
 * mmu_write_tracked - the guest has just stored `len` bytes at `gpa`, in a
 * page mmu_translate() answered with out->tracked.  This is a tracing
 * fault: the shadow entries built from the bytes written are zapped (and
 * the TLB entries made from them), or the whole shadow page when the
 * guest keeps writing a page it no longer uses as a page table.  Cheap
 * no-op for a page that is not tracked (any more).  Cannot fail.
 */
void mmu_write_tracked(struct mmu *mmu, gpa_t gpa, unsigned len);

/* Drop cached translations: all of them, or keep global pages.  The
 * shadow tables stay (they follow the guest's tables by write tracking),
 * so do the EPT's. */
void mmu_flush(struct mmu *mmu, bool keep_global);
/* INVLPG: drop the translation of the page holding `la` (global too). */
void mmu_invlpg(struct mmu *mmu, gva_t la);
/* Guest memory in [gpa, gpa+len) was remapped by the VMM. */
void mmu_memory_changed(struct mmu *mmu, gpa_t gpa, uint64_t len);
/* Forget everything derived from guest memory and state: the TLB, every
 * shadow page (the EPT stays: it depends on the memory map only). */
void mmu_reset(struct mmu *mmu);

const struct mmu_stats *mmu_stats(const struct mmu *mmu);
/* Call emit(ctx, "mmu.<counter>", value) for every counter, zeros
 * included (the names are a contract: docs/paging-models.md). */
void mmu_stats_emit(const struct mmu *mmu,
                    void (*emit)(void *ctx, const char *name, uint64_t value), void *ctx);

#endif
