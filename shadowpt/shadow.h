/*
 * shadow.h - shadow paging: page tables the VMM owns, mapping guest-virtual
 * addresses straight to host pages, kept in step with the guest's own
 * tables by write-tracking them.  (The model Linux KVM's shadow MMU uses
 * when the CPU has no EPT/NPT; docs/paging-models.md is the design note.)
 *
 * Where it sits: mmu_translate() (mmu.c) misses in the soft TLB and calls
 * shadow_translate(), which walks the *shadow* tables -- the walk the
 * hardware would do with CR3 pointing at them:
 *
 *   TLB miss --> shadow walk --leaf allows it--> fill the TLB from the spte
 *                   | missing, or refuses
 *                   v
 *               hidden fault: walk the guest tables (walk.c, A/D bits)
 *                   |ok: build the shadow path, fill the TLB     (hidden)
 *                   |#PF: the guest's own tables refuse it       (true fault)
 *
 *   guest store to a write-tracked page --> mmu_write_tracked():
 *               tracing fault: zap the sptes built from those bytes
 *
 * Acronyms (the KVM names): gva guest-virtual (linear) address, gpa
 * guest-physical, gfn guest frame number (gpa >> 12), hva host-virtual
 * address (trapeze's "host physical"), gpte a guest page-table entry, spte
 * a shadow page-table entry, sp a shadow page (one table of 512 sptes).
 *
 * A shadow page is keyed by (gfn, role):
 *   indirect  shadows the guest table at gfn, seen through entries that
 *             grant `access` above it: spte[i] is the shadow of gpte[i]
 *   direct    maps a piece of a guest large page (2 MiB or 1 GiB) as
 *             4 KiB sptes: there is no guest table behind it, gfn is the
 *             first frame it maps; dirty/global copy the guest leaf's D/G
 * The same guest table reached with different rights above it gets a
 * shadow page per rights (an spte holds the combined rights of its path).
 *
 * An spte (our own layout; nothing but the shadow walk reads it):
 *
 *  63     52 51                                      12 11    8 7 6 5 4   2 1 0
 * +---------+------------------------------------------+-------+-+-+-+-----+-+-+
 * |   0     | leaf: host page (hva >> 12)              |   0   |M|G|D|X W U|L|P|
 * |         |       or its gfn when M=1 (not RAM)      |       | | | |     | | |
 * |         | table: id of the child shadow page       |       | | | |     | | |
 * +---------+------------------------------------------+-------+-+-+-+-----+-+-+
 *   P  present          L  leaf (maps a 4 KiB page; else points to a child)
 *   U W X  the guest's rights over the whole path (MMU_RIGHT_*)
 *   D  the guest leaf's D was set: writes need no walk (unless the frame
 *      is write-tracked: that is checked when the TLB is filled)
 *   G  the guest leaf's G bit (global with CR4.PGE=1)
 *   M  the page is not RAM: the address field is its gfn (MMIO)
 *
 * Shadow leaves are always 4 KiB, so the shadow walk is always 4
 * references; guest large pages are split into direct shadow pages.
 *
 * Invariants:
 *   1. Every live shadow page is a root (in the root list) or has at least
 *      one parent spte pointing at it; a page that loses its last parent
 *      is zapped at once.  Levels strictly decrease downwards, so there
 *      are no cycles and a zap cascades at most 3 levels.
 *   2. p->parents lists exactly the sptes that point at p.
 *   3. A gfn is write-tracked (its bit in `tracked`) exactly while some
 *      indirect shadow page has that gfn.  Every guest write to it reaches
 *      mmu_write_tracked(), so every spte says what the guest's tables
 *      say, except for A/D bits (an spte is never stale in rights or frame;
 *      a clean leaf is merely slower: D=0 sends the first write to a walk).
 *   4. Non-present guest entries are never cached: a guest that sets P
 *      sees it at once.
 *   5. nr_pages <= max_pages: room is made (oldest roots first) before a
 *      fill allocates.
 */
#ifndef TRAPEZE_SHADOWPT_SHADOW_H
#define TRAPEZE_SHADOWPT_SHADOW_H

#include "shadowpt/walk.h"

typedef uint64_t spte_t;

#define SPT_ENTRIES    512
#define SPT_INDEX_BITS 9
#define SPT_NONE       UINT32_MAX /* no shadow page */

#define SPTE_P            (1ull << 0)
#define SPTE_LEAF         (1ull << 1)
#define SPTE_RIGHTS_SHIFT 2 /* bits 4:2: MMU_RIGHT_USER, _WRITE, _EXEC */
#define SPTE_DIRTY        (1ull << 5)
#define SPTE_G            (1ull << 6)
#define SPTE_MMIO         (1ull << 7)
#define SPTE_ADDR         0x000ffffffffff000ull

/* A guest that writes one shadowed page this many times with no TLB miss
 * using it in between no longer uses it as a page table: unshadow it. */
#define SPT_FLOOD_WRITES 3

/* The role: everything besides the gfn that tells two shadow pages apart
 * (`word` compares them all at once). */
union spt_role {
	uint32_t word;
	struct {
		uint32_t level : 3;  /* 1..4: the level of the entries it holds */
		uint32_t direct : 1; /* a piece of a guest large page */
		uint32_t access : 3; /* MMU_RIGHT_*: granted above (indirect), or
		                      * by the whole guest path (direct) */
		uint32_t dirty : 1;  /* direct: the guest leaf's D */
		uint32_t global : 1; /* direct: the guest leaf's G */
	};
};

/* A parent: the spte `index` of shadow page `sp` points here. */
struct spt_parent {
	uint32_t sp;
	uint32_t index;
};

struct spt_page {
	spte_t *spt; /* SPT_ENTRIES entries (one host page); NULL when free */
	gfn_t gfn;
	union spt_role role;
	uint32_t hash_next;          /* next page in the gfn's hash chain (or the
	                              * free list), SPT_NONE ends it */
	uint32_t lru_prev, lru_next; /* roots: most recently used first */
	struct spt_parent *parents;  /* invariant 2; none for a root */
	uint32_t nr_parents, max_parents;
	uint8_t write_count; /* tracing faults since a TLB miss used it */
	bool root;
	bool zapping; /* being zapped: its children must not zap it again */
};

/* The shadow model's state (inside struct mmu). */
struct mmu_shadow {
	struct spt_page **pages; /* by id; grown on demand up to max_pages */
	uint32_t nr_slots;       /* entries allocated in pages[] */
	uint32_t nr_pages;       /* shadow pages in use */
	uint32_t max_pages;      /* the cap (invariant 5) */
	uint32_t free_head;      /* free ids, chained through hash_next */
	uint32_t *hash;          /* gfn -> first page id, SPT_NONE */
	unsigned hash_bits;
	uint32_t lru_head, lru_tail; /* the root list */
	uint32_t active;             /* the root in use, or SPT_NONE */
	gfn_t active_gfn;            /* its gfn (the guest CR3's PML4) */
	uint64_t *tracked;           /* one bit per gfn: invariant 3 */
	gfn_t nr_gfns;               /* gfns the bitmap covers */
};

/* A reference to one spte (struct mmu_tlb_info.src): id << 9 | index. */
static inline uint32_t spt_ref(uint32_t id, unsigned index)
{
	return id << SPT_INDEX_BITS | index;
}
/* The mask that makes mmu_tlb_drop_src() match a whole shadow page. */
static inline uint32_t spt_page_mask(void)
{
	return ~(uint32_t)(SPT_ENTRIES - 1);
}

/* The child shadow page a table spte points at. */
static inline uint32_t spte_child(spte_t e)
{
	return (uint32_t)((e & SPTE_ADDR) >> PAGE_SHIFT);
}

/* The guest's rights a leaf spte records (MMU_RIGHT_*). */
static inline unsigned spte_rights(spte_t e)
{
	return (unsigned)(e >> SPTE_RIGHTS_SHIFT) & MMU_RIGHTS_ALL;
}

struct mmu;
struct mmu_walker;

/* ---- shadow_page.c: shadow pages, their lifecycle and the root cache ---- */

/* Set up an empty shadow MMU capped at max_pages; 0 or -ENOMEM. */
int spt_init(struct mmu *mmu, unsigned max_pages);
void spt_destroy(struct mmu *mmu);
/* Zap every shadow page (paging mode change, mmu_reset). */
void spt_zap_all(struct mmu *mmu);
static inline struct spt_page *spt_page(struct mmu_shadow *sh, uint32_t id)
{
	return sh->pages[id];
}
static inline bool spt_gfn_tracked(const struct mmu_shadow *sh, gfn_t gfn)
{
	return gfn < sh->nr_gfns && (sh->tracked[gfn / 64] >> (gfn % 64) & 1);
}
/* Make room for n more shadow pages, reclaiming the least recently used
 * roots (the active one last). */
void spt_make_room(struct mmu *mmu, unsigned n);
/* The root for the guest PML4 at `gfn`: the active one, a cached one
 * (a root cache hit), or -- if `create` -- a new one; SPT_NONE if none
 * (or out of memory).  Makes it the active root. */
uint32_t spt_root(struct mmu *mmu, gfn_t gfn, bool create);
/* The shadow page (gfn, role), found or created (write-tracking gfn if
 * indirect); SPT_NONE if out of memory.  Call spt_make_room() first. */
uint32_t spt_get(struct mmu *mmu, gfn_t gfn, union spt_role role);
/* Point spte `index` of page `id` at page `child` (which gains a parent),
 * dropping what was there.  0, or -ENOMEM (nothing changed). */
int spt_link(struct mmu *mmu, uint32_t id, unsigned index, uint32_t child);
/* Set leaf spte `index` of page `id`, dropping what was there. */
void spt_set_leaf(struct mmu *mmu, uint32_t id, unsigned index, spte_t leaf);
/* Clear spte `index` of page `id` and drop the TLB entries made from it;
 * a child that loses its last parent is zapped. */
void spt_zap_spte(struct mmu *mmu, uint32_t id, unsigned index);
/* Free shadow page `id`: unlink it from its parents and its children. */
void spt_zap_page(struct mmu *mmu, uint32_t id);
/* The most indirect shadow pages one gfn can have: one per level and
 * rights above it. */
#define SPT_MAX_ALIASES (MMU_LEVELS * (MMU_RIGHTS_ALL + 1))
/* The ids of gfn's indirect shadow pages into ids[SPT_MAX_ALIASES]. */
unsigned spt_pages_of(struct mmu_shadow *sh, gfn_t gfn, uint32_t *ids);

/* ---- shadow.c: the model ---- */

/* The soft TLB missed with 4-level paging on: walk the shadow tables,
 * take a hidden or true fault if they cannot answer.  mmu_translate's
 * contract. */
int shadow_translate(struct mmu *mmu, const struct mmu_ctx *ctx, gva_t la,
                     enum mmu_access access, struct mmu_result *out,
                     struct mmu_fault *fault);
/* The guest stored len bytes at gpa (a tracked page): a tracing fault. */
void shadow_write_tracked(struct mmu *mmu, gpa_t gpa, unsigned len);
/* INVLPG: zap the active root's leaf spte for la. */
void shadow_invlpg(struct mmu *mmu, gva_t la);
/* The VMM remapped guest pages [first, last]: zap leaves mapping them. */
void shadow_memory_changed(struct mmu *mmu, gpa_t first, gpa_t last);

#endif
