/*
 * test_shadow.c - the MMU's shadow and nested paging models.
 *
 * The tests build 4-level guest page tables by hand in guest RAM (as
 * test_mmu.c does) and drive an MMU of one model the way the interpreter
 * does: mmu_translate() per access, mmu_write_tracked() after every store
 * to a page the MMU answered as tracked (here: every store to a page
 * table), mmu_flush()/mmu_invlpg() where the guest would flush.  They
 * check what a student watching the counters would be told:
 *
 *   shadow  a guest PTE write zaps exactly the shadow entries built from
 *           it and the TLB entries made from those; a CR3 switch back to a
 *           cached root is a root-cache hit; INVLPG zaps one mapping; a
 *           clean leaf is write-protected until the first write sets D;
 *           shadow memory stays under its cap while the guest makes 5,000
 *           address spaces
 *   nested  a cold 4 KiB translation costs 24 references, a 2 MiB one 19,
 *           a 1 GiB one 14; the EPT is filled once per guest page
 *   both    give the same answers, faults and A/D bits as the plain page
 *           walker (walk.c) over randomized page tables and accesses
 *
 * White-box where the counters are not enough: the shadow tables are
 * inspected through shadowpt/mmu_internal.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/gmem.h"
#include "core/x86.h"
#include "shadowpt/mmu.h"
#include "shadowpt/mmu_internal.h"
#include "shadowpt/tlb.h"
#include "shadowpt/walk.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

#define RAM_SIZE   (128 * MiB)
#define TABLE_POOL (32 * MiB) /* page tables are allocated from here up */

#define P           MMU_PTE_P
#define RW          MMU_PTE_RW
#define US          MMU_PTE_US
#define A           MMU_PTE_A
#define D           MMU_PTE_D
#define PS          MMU_PTE_PS
#define G           MMU_PTE_G
#define XD          MMU_PTE_XD
#define TABLE_FLAGS (P | RW | US)

struct fx {
	struct gmem gm;
	struct mmu *mmu;
	gpa_t next_table;
	struct mmu_ctx ctx;
	/* what the MMU told its owner */
	unsigned write_protects, owner_flushes;
	gfn_t last_protected;
	gva_t flush_mask, flush_match; /* the last flush's */
};

/* ---- fixture and page-table helpers ---- */

static void on_write_protect(void *opaque, gfn_t gfn)
{
	struct fx *f = opaque;

	f->write_protects++;
	f->last_protected = gfn;
}

static void on_flush(void *opaque, gva_t mask, gva_t match)
{
	struct fx *f = opaque;

	f->owner_flushes++;
	f->flush_mask = mask;
	f->flush_match = match;
}

static gpa_t pt_alloc(struct fx *f)
{
	gpa_t page = f->next_table;

	f->next_table += PAGE_SIZE;
	assert_true(f->next_table <= RAM_SIZE);
	assert_int_equal(gmem_fill(&f->gm, page, 0, PAGE_SIZE), 0);
	return page;
}

static uint64_t pte_get(struct fx *f, gpa_t gpa)
{
	uint64_t v;

	assert_int_equal(gmem_read_u64(&f->gm, gpa, &v), 0);
	return v;
}

/* A guest store to a page-table entry, reported as the interpreter does. */
static void pte_set(struct fx *f, gpa_t gpa, uint64_t v)
{
	assert_int_equal(gmem_write_u64(&f->gm, gpa, v), 0);
	mmu_write_tracked(f->mmu, gpa, sizeof(v));
}

static unsigned pt_index(gva_t la, enum mmu_level level)
{
	return (unsigned)(la >> (12 + 9 * (level - 1))) & 511;
}

/* Map la to pa with a leaf at `leaf` under root cr3; returns the leaf's
 * gpa.  Missing tables are created with TABLE_FLAGS. */
static gpa_t pt_map_in(struct fx *f, gpa_t cr3, gva_t la, gpa_t pa, enum mmu_level leaf,
                       uint64_t flags)
{
	gpa_t table = cr3;

	for (enum mmu_level l = MMU_LEVEL_PML4;; l--) {
		gpa_t e = table + pt_index(la, l) * 8;
		if (l == leaf) {
			pte_set(f, e, pa | flags | (l > MMU_LEVEL_PT ? PS : 0));
			return e;
		}
		uint64_t v = pte_get(f, e);
		if (!(v & P)) {
			v = pt_alloc(f) | TABLE_FLAGS;
			pte_set(f, e, v);
		}
		table = v & MMU_PTE_ADDR_MASK;
	}
}

static gpa_t pt_map(struct fx *f, gva_t la, gpa_t pa, enum mmu_level leaf, uint64_t flags)
{
	return pt_map_in(f, f->ctx.cr3 & MMU_PTE_ADDR_MASK, la, pa, leaf, flags);
}

static int fx_setup_model(void **state, enum mmu_model model, unsigned cap)
{
	struct fx *f = test_calloc(1, sizeof(*f));
	struct mmu_config cfg = {.model = model,
	                         .shadow_max_pages = cap,
	                         .write_protect = on_write_protect,
	                         .flush = on_flush,
	                         .opaque = f};

	assert_int_equal(gmem_init(&f->gm, RAM_SIZE), 0);
	f->mmu = mmu_create_model(&f->gm, &cfg);
	assert_non_null(f->mmu);
	assert_int_equal(mmu_model(f->mmu), model);
	f->next_table = TABLE_POOL;
	f->ctx = (struct mmu_ctx){
	    .cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP,
	    .cr4 = X86_CR4_PAE | X86_CR4_PGE,
	    .efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE,
	};
	f->ctx.cr3 = pt_alloc(f);
	*state = f;
	return 0;
}

static int setup_shadow(void **state)
{
	return fx_setup_model(state, MMU_MODEL_SHADOW, 0);
}

static int setup_shadow_capped(void **state)
{
	return fx_setup_model(state, MMU_MODEL_SHADOW, 64);
}

static int setup_nested(void **state)
{
	return fx_setup_model(state, MMU_MODEL_NESTED, 0);
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	mmu_destroy(f->mmu);
	gmem_destroy(&f->gm);
	test_free(f);
	return 0;
}

static int xlate(struct fx *f, gva_t la, enum mmu_access access, struct mmu_result *r)
{
	struct mmu_fault pf;

	memset(r, 0, sizeof(*r));
	return mmu_translate(f->mmu, &f->ctx, la, access, r, &pf);
}

static void expect_gpa(struct fx *f, gva_t la, enum mmu_access access, gpa_t gpa)
{
	struct mmu_result r;

	assert_int_equal(xlate(f, la, access, &r), MMU_OK);
	assert_true(r.gpa == gpa);
}

static const struct mmu_stats *stats(struct fx *f)
{
	return mmu_stats(f->mmu);
}

/* Switch to root cr3 as a MOV to CR3 does. */
static void load_cr3(struct fx *f, gpa_t cr3)
{
	f->ctx.cr3 = cr3;
	mmu_flush(f->mmu, true);
}

/* ---- looking at the shadow tables ---- */

/* The active root's leaf spte for la (0 if the path or the leaf is not
 * present). */
static spte_t shadow_leaf(struct fx *f, gva_t la)
{
	struct mmu_shadow *sh = &f->mmu->shadow;
	uint32_t id = sh->active;

	for (enum mmu_level l = MMU_LEVEL_PML4; id != SPT_NONE; l--) {
		spte_t e = spt_page(sh, id)->spt[pt_index(la, l)];
		if (!(e & SPTE_P) || (e & SPTE_LEAF))
			return e;
		id = (uint32_t)((e & SPTE_ADDR) >> PAGE_SHIFT);
	}
	return 0;
}

/* Present sptes in every live shadow page. */
static unsigned shadow_present(struct fx *f)
{
	struct mmu_shadow *sh = &f->mmu->shadow;
	unsigned n = 0;

	for (uint32_t id = 0; id < sh->nr_slots; id++) {
		const struct spt_page *sp = spt_page(sh, id);
		for (unsigned i = 0; sp->spt && i < SPT_ENTRIES; i++)
			n += (sp->spt[i] & SPTE_P) != 0;
	}
	return n;
}

static bool tracked(struct fx *f, gpa_t gpa)
{
	return spt_gfn_tracked(&f->mmu->shadow, gpa_to_gfn(gpa));
}

/* Does the inline fast path hit for la? */
static bool tlb_hit(struct fx *f, gva_t la, enum mmu_access access)
{
	return mmu_tlb_hva(f->mmu, &f->ctx, la, 1, access) != NULL;
}

/* ---- shadow paging ---- */

static void hidden_fault_builds_the_shadow(void **state)
{
	struct fx *f = *state;

	pt_map(f, 0x400000, 0x800000, MMU_LEVEL_PT, P | RW | A | D);
	expect_gpa(f, 0x400123, MMU_READ, 0x800123);
	assert_int_equal(stats(f)->hidden_faults, 1);
	assert_int_equal(stats(f)->true_faults, 0);
	/* root + PDPT + PD + PT, each guest table write-tracked */
	assert_int_equal(stats(f)->shadow_pages, 4);
	assert_int_equal(stats(f)->tracked_pages, 4);
	assert_int_equal(f->write_protects, 4);
	assert_true(tracked(f, f->ctx.cr3));
	spte_t e = shadow_leaf(f, 0x400000);
	assert_true((e & SPTE_P) && (e & SPTE_LEAF) && (e & SPTE_DIRTY));
	assert_ptr_equal((hva_t)(uintptr_t)(e & SPTE_ADDR),
	                 gmem_hva(&f->gm, 0x800000, 1));

	/* another page under the same tables: the shadow walk misses only at
	 * the last level; no new shadow page */
	pt_map(f, 0x401000, 0x801000, MMU_LEVEL_PT, P | RW);
	expect_gpa(f, 0x401000, MMU_READ, 0x801000);
	assert_int_equal(stats(f)->hidden_faults, 2);
	assert_int_equal(stats(f)->shadow_pages, 4);
	assert_int_equal(stats(f)->walk_refs_hist[4], 1); /* PT spte not present */

	/* a TLB flush: the shadow answers without a guest walk (4 references) */
	mmu_flush(f->mmu, false);
	expect_gpa(f, 0x401000, MMU_READ, 0x801000);
	assert_int_equal(stats(f)->hidden_faults, 2);
	assert_int_equal(stats(f)->walk_refs_hist[4], 2);

	/* an unmapped page is a true fault, and nothing is cached for it */
	struct mmu_result r;
	assert_int_equal(xlate(f, 0x402000, MMU_READ, &r), MMU_PAGE_FAULT);
	assert_int_equal(stats(f)->true_faults, 1);
	assert_int_equal(stats(f)->page_faults, 1);
	assert_int_equal(shadow_leaf(f, 0x402000), 0);
}

static void pte_write_zaps_exactly_its_entries(void **state)
{
	struct fx *f = *state;

	gpa_t pte1 = pt_map(f, 0x400000, 0x800000, MMU_LEVEL_PT, P | RW | A | D);
	pt_map(f, 0x401000, 0x801000, MMU_LEVEL_PT, P | RW | A | D);
	/* another PD and PT (and another TLB slot: la bits 19:12 differ) */
	pt_map(f, 0x40002000, 0x802000, MMU_LEVEL_PT, P | RW | A | D);
	expect_gpa(f, 0x400000, MMU_WRITE, 0x800000);
	expect_gpa(f, 0x401000, MMU_WRITE, 0x801000);
	expect_gpa(f, 0x40002000, MMU_WRITE, 0x802000);
	unsigned before = shadow_present(f);
	uint64_t faults = stats(f)->tracing_faults, flushes = f->owner_flushes;
	assert_true(tlb_hit(f, 0x400000, MMU_WRITE) && tlb_hit(f, 0x401000, MMU_WRITE));

	/* the guest moves la 0x400000 to another frame */
	pte_set(f, pte1, 0x900000 | P | RW | A | D);
	assert_int_equal(stats(f)->tracing_faults, faults + 1);
	assert_int_equal(stats(f)->zaps, 1);
	assert_int_equal(shadow_present(f), before - 1);
	assert_int_equal(shadow_leaf(f, 0x400000), 0);
	assert_true(shadow_leaf(f, 0x401000) & SPTE_P);
	assert_true(shadow_leaf(f, 0x40002000) & SPTE_P);
	/* the owner drops its translations of la bits 20:12 = 0 only */
	assert_int_equal(f->owner_flushes, flushes + 1);
	assert_true(f->flush_mask == 0x1ff000 && f->flush_match == 0);
	/* the TLB entry made from the zapped spte is gone, the others stay */
	assert_false(tlb_hit(f, 0x400000, MMU_WRITE));
	assert_true(tlb_hit(f, 0x401000, MMU_WRITE));
	assert_true(tlb_hit(f, 0x40002000, MMU_WRITE));
	/* and the guest sees its new entry at once */
	expect_gpa(f, 0x400000, MMU_READ, 0x900000);

	/* a write to a non-present entry's slot zaps nothing */
	pte_set(f, pte1 + 16, 0);
	assert_int_equal(stats(f)->zaps, 1);
	assert_int_equal(stats(f)->tracing_faults, faults + 2);
}

static void pde_write_drops_the_table_below(void **state)
{
	struct fx *f = *state;

	gpa_t pte = pt_map(f, 0x400000, 0x800000, MMU_LEVEL_PT, P | RW);
	pt_map(f, 0x40000000, 0x802000, MMU_LEVEL_PT, P | RW);
	expect_gpa(f, 0x400000, MMU_READ, 0x800000);
	expect_gpa(f, 0x40000000, MMU_READ, 0x802000);
	gpa_t pt = pte & PAGE_MASK;
	gpa_t pde = (pte_get(f, f->ctx.cr3) & MMU_PTE_ADDR_MASK); /* PDPT */
	pde =
	    (pte_get(f, pde) & MMU_PTE_ADDR_MASK) + pt_index(0x400000, MMU_LEVEL_PD) * 8;
	assert_true(tracked(f, pt));
	uint64_t pages = stats(f)->shadow_pages;

	/* clearing the PDE unlinks the PT's shadow page: it had no other
	 * parent, so it goes, and its guest page is no longer tracked */
	pte_set(f, pde, 0);
	assert_int_equal(stats(f)->shadow_pages, pages - 1);
	assert_int_equal(stats(f)->shadow_page_zaps, 1);
	assert_false(tracked(f, pt));
	assert_true(shadow_leaf(f, 0x40000000) & SPTE_P);
	struct mmu_result r;
	assert_int_equal(xlate(f, 0x400000, MMU_READ, &r), MMU_PAGE_FAULT);
}

static void write_flood_unshadows_a_page(void **state)
{
	struct fx *f = *state;

	gpa_t pte = pt_map(f, 0x400000, 0x800000, MMU_LEVEL_PT, P | RW);
	expect_gpa(f, 0x400000, MMU_READ, 0x800000);
	gpa_t pt = pte & PAGE_MASK;

	/* the guest reuses the page for data: writes with no TLB miss through
	 * it in between */
	for (unsigned i = 0; i < SPT_FLOOD_WRITES; i++)
		pte_set(f, pt + 512 + 8 * i, 0x1234);
	assert_int_equal(stats(f)->write_floods, 1);
	assert_false(tracked(f, pt));
	uint64_t faults = stats(f)->tracing_faults;
	pte_set(f, pt + 1024, 0x5678); /* plain writes now */
	assert_int_equal(stats(f)->tracing_faults, faults);

	/* using it as a table again tracks it again */
	expect_gpa(f, 0x400000, MMU_READ, 0x800000);
	assert_true(tracked(f, pt));
}

static void tracked_pages_report_their_writes(void **state)
{
	struct fx *f = *state;
	struct mmu_result r;

	/* la 0x600000 maps the guest's own PT page (as a kernel's direct map
	 * does): a write through it must be reported, a read need not be */
	gpa_t pte = pt_map(f, 0x400000, 0x800000, MMU_LEVEL_PT, P | RW | A | D);
	gpa_t pt = pte & PAGE_MASK;
	pt_map(f, 0x600000, pt, MMU_LEVEL_PT, P | RW | A | D);
	expect_gpa(f, 0x400000, MMU_READ, 0x800000);
	assert_int_equal(xlate(f, 0x600000, MMU_WRITE, &r), MMU_OK);
	assert_true(r.tracked);
	assert_false(tlb_hit(f, 0x600000, MMU_WRITE));
	assert_true(tlb_hit(f, 0x600000, MMU_READ));

	/* a data page with a cached write translation becomes a page table:
	 * the translation turns tracked, and the owner is told to drop its own */
	gpa_t data = 0xa00000;
	pt_map(f, 0x700000, data, MMU_LEVEL_PT, P | RW | A | D);
	assert_int_equal(xlate(f, 0x700000, MMU_WRITE, &r), MMU_OK);
	assert_false(r.tracked);
	assert_true(tlb_hit(f, 0x700000, MMU_WRITE));
	pte_set(f, data, 0x900000 | P | RW); /* its entry 0, then a PDE to it */
	gpa_t pd =
	    pte_get(f, pte_get(f, f->ctx.cr3) & MMU_PTE_ADDR_MASK) & MMU_PTE_ADDR_MASK;
	pte_set(f, pd + 8 * 5, data | TABLE_FLAGS); /* la 0xa00000 */
	unsigned protects = f->write_protects;
	expect_gpa(f, 0xa00000, MMU_READ, 0x900000);
	assert_int_equal(f->write_protects, protects + 1);
	assert_true(f->last_protected == gpa_to_gfn(data));
	assert_false(tlb_hit(f, 0x700000, MMU_WRITE));
	assert_int_equal(xlate(f, 0x700000, MMU_WRITE, &r), MMU_OK);
	assert_true(r.tracked);
}

static void cr3_switch_back_hits_the_root_cache(void **state)
{
	struct fx *f = *state;
	gpa_t root_a = f->ctx.cr3, root_b = pt_alloc(f);

	pt_map_in(f, root_a, 0x400000, 0x800000, MMU_LEVEL_PT, P | RW);
	pt_map_in(f, root_b, 0x400000, 0x900000, MMU_LEVEL_PT, P | RW);
	expect_gpa(f, 0x400000, MMU_READ, 0x800000);
	assert_int_equal(stats(f)->root_switches, 1);
	load_cr3(f, root_b);
	expect_gpa(f, 0x400000, MMU_READ, 0x900000);
	assert_int_equal(stats(f)->root_switches, 2);
	assert_int_equal(stats(f)->root_cache_hits, 0);
	uint64_t hidden = stats(f)->hidden_faults;

	load_cr3(f, root_a);
	expect_gpa(f, 0x400000, MMU_READ, 0x800000);
	assert_int_equal(stats(f)->root_switches, 3);
	assert_int_equal(stats(f)->root_cache_hits, 1);
	assert_int_equal(stats(f)->hidden_faults, hidden); /* the shadow was kept */
	assert_int_equal(stats(f)->roots, 2);

	/* the same CR3 again is a TLB flush, not a root switch */
	load_cr3(f, root_a);
	expect_gpa(f, 0x400000, MMU_READ, 0x800000);
	assert_int_equal(stats(f)->root_switches, 3);
}

static void invlpg_zaps_one_mapping(void **state)
{
	struct fx *f = *state;

	pt_map(f, 0x400000, 0x800000, MMU_LEVEL_PT, P | RW);
	pt_map(f, 0x401000, 0x801000, MMU_LEVEL_PT, P | RW);
	expect_gpa(f, 0x400000, MMU_READ, 0x800000);
	expect_gpa(f, 0x401000, MMU_READ, 0x801000);
	unsigned before = shadow_present(f);
	uint64_t hidden = stats(f)->hidden_faults;

	mmu_invlpg(f->mmu, 0x400abc);
	assert_int_equal(stats(f)->invlpgs, 1);
	assert_int_equal(stats(f)->zaps, 1);
	assert_int_equal(shadow_present(f), before - 1);
	assert_int_equal(shadow_leaf(f, 0x400000), 0);
	assert_true(shadow_leaf(f, 0x401000) & SPTE_P);
	assert_false(tlb_hit(f, 0x400000, MMU_READ));
	assert_true(tlb_hit(f, 0x401000, MMU_READ));
	expect_gpa(f, 0x400000, MMU_READ, 0x800000);
	assert_int_equal(stats(f)->hidden_faults, hidden + 1);

	/* INVLPG of a page with no shadow entry zaps nothing */
	mmu_invlpg(f->mmu, 0x7000000);
	assert_int_equal(stats(f)->zaps, 1);
}

static void clean_leaf_is_write_protected_until_dirty(void **state)
{
	struct fx *f = *state;
	struct mmu_result r;

	gpa_t pte = pt_map(f, 0x400000, 0x800000, MMU_LEVEL_PT, P | RW);
	expect_gpa(f, 0x400000, MMU_READ, 0x800000);
	assert_int_equal(pte_get(f, pte) & (A | D), A);
	spte_t e = shadow_leaf(f, 0x400000);
	assert_true((e & SPTE_P) && !(e & SPTE_DIRTY));
	assert_true(spte_rights(e) & MMU_RIGHT_WRITE); /* the guest allows it... */
	assert_false(tlb_hit(f, 0x400000, MMU_WRITE)); /* ...the spte does not yet */
	uint64_t hidden = stats(f)->hidden_faults;

	/* the first write is a hidden fault: the walk sets D, then the spte
	 * allows writes */
	assert_int_equal(xlate(f, 0x400000, MMU_WRITE, &r), MMU_OK);
	assert_int_equal(stats(f)->hidden_faults, hidden + 1);
	assert_int_equal(pte_get(f, pte) & (A | D), A | D);
	assert_true(shadow_leaf(f, 0x400000) & SPTE_DIRTY);
	assert_true(tlb_hit(f, 0x400000, MMU_WRITE));

	/* the guest cleans the page (D=0): writes are protected again */
	pte_set(f, pte, 0x800000 | P | RW | A);
	expect_gpa(f, 0x400000, MMU_READ, 0x800000);
	assert_false(tlb_hit(f, 0x400000, MMU_WRITE));
	assert_int_equal(xlate(f, 0x400000, MMU_WRITE, &r), MMU_OK);
	assert_int_equal(pte_get(f, pte) & D, D);
}

static void large_pages_use_direct_shadow_pages(void **state)
{
	struct fx *f = *state;
	struct mmu_result r;

	gpa_t pde = pt_map(f, 0x40000000, 0x1000000, MMU_LEVEL_PD, P | RW | A);
	expect_gpa(f, 0x40123456, MMU_READ, 0x1123456);
	/* root, PDPT, PD (tracked) and one direct page for the 2 MiB page */
	assert_int_equal(stats(f)->shadow_pages, 4);
	assert_int_equal(stats(f)->tracked_pages, 3);
	assert_false(tlb_hit(f, 0x40123456, MMU_WRITE)); /* leaf D=0 */
	assert_int_equal(xlate(f, 0x40123456, MMU_WRITE, &r), MMU_OK);
	assert_int_equal(pte_get(f, pde) & D, D);
	/* D=1 is another direct page; the clean one lost its parent */
	assert_int_equal(stats(f)->shadow_pages, 4);
	assert_int_equal(stats(f)->shadow_page_zaps, 1);
	assert_true(tlb_hit(f, 0x40123456, MMU_WRITE));
	/* INVLPG anywhere in the large page drops every cached piece */
	expect_gpa(f, 0x40005000, MMU_READ, 0x1005000);
	mmu_invlpg(f->mmu, 0x40100000);
	assert_false(tlb_hit(f, 0x40005000, MMU_READ));

	/* a 1 GiB page: a direct level-2 page and a direct level-1 page */
	pt_map(f, 0x8000000000ull, 0, MMU_LEVEL_PDPT, P | RW | A | D);
	uint64_t pages = stats(f)->shadow_pages;
	expect_gpa(f, 0x8000345678ull, MMU_WRITE, 0x345678);
	assert_int_equal(stats(f)->shadow_pages, pages + 3); /* PDPT, L2, L1 */
}

static void mode_change_drops_the_shadow(void **state)
{
	struct fx *f = *state;

	pt_map(f, 0x400000, 0x800000, MMU_LEVEL_PT, P | RW | XD);
	expect_gpa(f, 0x400000, MMU_READ, 0x800000);
	assert_int_equal(stats(f)->shadow_pages, 4);
	/* WP and PGE only change how sptes are read: the shadow stays */
	f->ctx.cr0 &= ~X86_CR0_WP;
	expect_gpa(f, 0x400000, MMU_READ, 0x800000);
	assert_int_equal(stats(f)->resets, 0);
	/* NXE changes what the guest's entries mean: it goes */
	f->ctx.efer &= ~X86_EFER_NXE;
	struct mmu_result r;
	assert_int_equal(xlate(f, 0x400000, MMU_READ, &r), MMU_PAGE_FAULT); /* XD rsvd */
	assert_int_equal(stats(f)->resets, 1);
	assert_int_equal(stats(f)->shadow_pages, 1); /* the new root only */
	mmu_reset(f->mmu);
	assert_int_equal(stats(f)->shadow_pages, 0);
	assert_int_equal(stats(f)->tracked_pages, 0);
}

static void remap_zaps_the_leaves_of_the_range(void **state)
{
	struct fx *f = *state;

	pt_map(f, 0x400000, 0x800000, MMU_LEVEL_PT, P | RW);
	pt_map(f, 0x401000, 0x801000, MMU_LEVEL_PT, P | RW);
	expect_gpa(f, 0x400000, MMU_READ, 0x800000);
	expect_gpa(f, 0x401000, MMU_READ, 0x801000);
	mmu_memory_changed(f->mmu, 0x801000, PAGE_SIZE);
	assert_true(shadow_leaf(f, 0x400000) & SPTE_P);
	assert_int_equal(shadow_leaf(f, 0x401000), 0);
	assert_true(tlb_hit(f, 0x400000, MMU_READ));
	assert_false(tlb_hit(f, 0x401000, MMU_READ));
}

/*
 * 5,000 address spaces, each with its own PML4 and PDPT over one shared
 * PD and PT, under a cap of 64 shadow pages: the count never passes the
 * cap, the oldest roots are the ones reclaimed, and every translation is
 * still right.
 */
static void shadow_memory_stays_under_the_cap(void **state)
{
	struct fx *f = *state;
	enum { ROOTS = 5000 };
	const gva_t la = 0x12345000;
	gpa_t shared_pd = pt_alloc(f), first = 0, prev = 0;

	for (unsigned i = 0; i < ROOTS; i++) {
		gpa_t root = pt_alloc(f), pdpt = pt_alloc(f);
		pte_set(f, root + pt_index(la, MMU_LEVEL_PML4) * 8, pdpt | TABLE_FLAGS);
		pte_set(f, pdpt + pt_index(la, MMU_LEVEL_PDPT) * 8,
		        shared_pd | TABLE_FLAGS);
		if (i == 0) {
			pt_map_in(f, root, la, 0x800000, MMU_LEVEL_PT, P | RW);
			first = root;
		}
		load_cr3(f, root);
		expect_gpa(f, la + 8, MMU_READ, 0x800008);
		assert_true(stats(f)->shadow_pages <= 64);
		prev = i == ROOTS - 2 ? root : prev;
	}
	/* room for a whole path (4 pages) is made before a fill */
	assert_true(stats(f)->shadow_pages_peak <= 64 &&
	            stats(f)->shadow_pages_peak >= 60);
	assert_true(stats(f)->reclaims > ROOTS / 2);
	assert_int_equal(stats(f)->root_switches, ROOTS);
	/* the root before last is still cached; the first one is long gone */
	load_cr3(f, prev);
	expect_gpa(f, la, MMU_READ, 0x800000);
	assert_int_equal(stats(f)->root_cache_hits, 1);
	load_cr3(f, first);
	expect_gpa(f, la, MMU_READ, 0x800000);
	assert_int_equal(stats(f)->root_cache_hits, 1);
	assert_int_equal(stats(f)->root_switches, ROOTS + 2);
}

/* ---- nested paging ---- */

static void nested_walk_costs_24_references(void **state)
{
	struct fx *f = *state;

	pt_map(f, 0x400000, 0x800000, MMU_LEVEL_PT, P | RW);
	expect_gpa(f, 0x400000, MMU_READ, 0x800000);
	assert_int_equal(stats(f)->walks, 1);
	assert_int_equal(stats(f)->walk_refs, 24);
	assert_int_equal(stats(f)->walk_refs_hist[24], 1);
	/* one EPT fill per guest page touched: 4 tables and the data page */
	assert_int_equal(stats(f)->ept_fills, 5);
	assert_int_equal(stats(f)->hidden_faults, 0);

	/* a hit costs nothing; a neighbour needs one more EPT fill */
	expect_gpa(f, 0x400008, MMU_READ, 0x800008);
	assert_int_equal(stats(f)->walks, 1);
	pt_map(f, 0x401000, 0x801000, MMU_LEVEL_PT, P | RW);
	expect_gpa(f, 0x401000, MMU_READ, 0x801000);
	assert_int_equal(stats(f)->walk_refs_hist[24], 2);
	assert_int_equal(stats(f)->ept_fills, 6);

	/* CR3 switches and INVLPG cost the EPT nothing */
	mmu_invlpg(f->mmu, 0x401000);
	load_cr3(f, f->ctx.cr3);
	expect_gpa(f, 0x401000, MMU_READ, 0x801000);
	assert_int_equal(stats(f)->ept_fills, 6);
}

static void nested_large_pages_walk_less(void **state)
{
	struct fx *f = *state;
	struct mmu_result r;

	pt_map(f, 0x40000000, 0x1000000, MMU_LEVEL_PD, P | RW);
	expect_gpa(f, 0x40000000, MMU_READ, 0x1000000);
	assert_int_equal(stats(f)->walk_refs_hist[19], 1); /* 3 x 5 + 4 */
	pt_map(f, 0x8000000000ull, 0, MMU_LEVEL_PDPT, P | RW);
	expect_gpa(f, 0x8000000000ull, MMU_READ, 0);
	assert_int_equal(stats(f)->walk_refs_hist[14], 1); /* 2 x 5 + 4 */
	/* a walk that stops at a not-present PML4E: 4 EPT + 1 */
	assert_int_equal(xlate(f, 0x10000000000ull, MMU_READ, &r), MMU_PAGE_FAULT);
	assert_int_equal(stats(f)->walk_refs_hist[5], 1);
	/* paging off: only the EPT walk */
	f->ctx.cr0 &= ~X86_CR0_PG;
	expect_gpa(f, 0x2000, MMU_READ, 0x2000);
	assert_int_equal(stats(f)->walk_refs_hist[4], 1);
}

static void nested_remap_refills_the_ept(void **state)
{
	struct fx *f = *state;

	pt_map(f, 0x400000, 0x800000, MMU_LEVEL_PT, P | RW);
	expect_gpa(f, 0x400000, MMU_READ, 0x800000);
	uint64_t fills = stats(f)->ept_fills;
	mmu_memory_changed(f->mmu, 0x800000, PAGE_SIZE);
	expect_gpa(f, 0x400000, MMU_READ, 0x800000);
	assert_int_equal(stats(f)->ept_fills, fills + 1);
}

/* ---- the models side by side (test_shadow_diff.c) ---- */

void models_agree_with_the_walker(void **state);
void models_agree_with_a_tiny_shadow_cap(void **state);

int main(void)
{
#define SHADOW(t) cmocka_unit_test_setup_teardown(t, setup_shadow, fx_teardown)
#define NESTED(t) cmocka_unit_test_setup_teardown(t, setup_nested, fx_teardown)
	const struct CMUnitTest tests[] = {
	    SHADOW(hidden_fault_builds_the_shadow),
	    SHADOW(pte_write_zaps_exactly_its_entries),
	    SHADOW(pde_write_drops_the_table_below),
	    SHADOW(write_flood_unshadows_a_page),
	    SHADOW(tracked_pages_report_their_writes),
	    SHADOW(cr3_switch_back_hits_the_root_cache),
	    SHADOW(invlpg_zaps_one_mapping),
	    SHADOW(clean_leaf_is_write_protected_until_dirty),
	    SHADOW(large_pages_use_direct_shadow_pages),
	    SHADOW(mode_change_drops_the_shadow),
	    SHADOW(remap_zaps_the_leaves_of_the_range),
	    cmocka_unit_test_setup_teardown(shadow_memory_stays_under_the_cap,
	                                    setup_shadow_capped, fx_teardown),
	    NESTED(nested_walk_costs_24_references),
	    NESTED(nested_large_pages_walk_less),
	    NESTED(nested_remap_refills_the_ept),
	    cmocka_unit_test(models_agree_with_the_walker),
	    cmocka_unit_test(models_agree_with_a_tiny_shadow_cap),
	};
	return cmocka_run_group_tests_name("shadow and nested paging", tests, NULL, NULL);
}
