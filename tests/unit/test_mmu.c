/*
 * test_mmu.c - the software MMU: page walk, permissions, #PF error codes,
 * accessed/dirty bits, and the soft TLB in front of them.
 *
 * Each test builds 4-level page tables by hand in a small guest RAM (the
 * pt_* helpers below), translates through mmu_translate() or the inline
 * fast path, and checks what a guest would notice: the gpa and host
 * address, the #PF error code and CR2, the A/D bits in its own entries,
 * and -- for the TLB -- that a cached translation is used exactly until the
 * architecture says it must not be (flush, INVLPG, context change).  A
 * stale-on-purpose entry (a PTE changed without INVLPG) is how the tests
 * see whether the TLB answered or the walk did.
 *
 * The expected results come from the SDM (Vol. 3 4.5-4.7), spelled out
 * case by case in expect_perm() rather than derived from the MMU's code.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/cpuid.h"
#include "core/gmem.h"
#include "core/x86.h"
#include "shadowpt/mmu.h"
#include "shadowpt/tlb.h"
#include "shadowpt/walk.h"

#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)

#define RAM_SIZE   (64 * MiB)
#define TABLE_POOL (32 * MiB)    /* page tables are allocated from here up */
#define MMIO_GPA   0xfee00000ull /* in the hole below 4 GiB: not RAM */

#define P           MMU_PTE_P
#define RW          MMU_PTE_RW
#define US          MMU_PTE_US
#define A           MMU_PTE_A
#define D           MMU_PTE_D
#define PS          MMU_PTE_PS
#define G           MMU_PTE_G
#define XD          MMU_PTE_XD
#define TABLE_FLAGS (P | RW | US) /* tables the helpers create grant everything */

struct fx {
	struct gmem gm;
	struct mmu *mmu;
	gpa_t next_table;
	struct mmu_ctx ctx;
};

/* Where pt_map() put each level's entry for an la. */
struct pt_path {
	gpa_t pte[MMU_LEVELS + 1];
};

/* ---- fixture and page-table helpers ---- */

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

static void pte_set(struct fx *f, gpa_t gpa, uint64_t v)
{
	assert_int_equal(gmem_write_u64(&f->gm, gpa, v), 0);
}

/* la's table index at `level`, computed here rather than by walk.h */
static unsigned pt_index(gva_t la, enum mmu_level level)
{
	return (unsigned)(la >> (12 + 9 * (level - 1))) & 511;
}

/*
 * Map la to pa with a leaf at `leaf` (PT: 4 KiB, PD: 2 MiB, PDPT: 1 GiB),
 * leaf entry = pa | leaf_flags (| PS for a large page), under root `cr3`.
 * Missing tables are created with TABLE_FLAGS; existing ones are reused.
 */
static void pt_map_in(struct fx *f, gpa_t cr3, gva_t la, gpa_t pa, enum mmu_level leaf,
                      uint64_t leaf_flags, struct pt_path *path)
{
	gpa_t table = cr3;

	for (enum mmu_level l = MMU_LEVEL_PML4;; l--) {
		gpa_t e = table + pt_index(la, l) * 8;
		if (path)
			path->pte[l] = e;
		if (l == leaf) {
			pte_set(f, e, pa | leaf_flags | (l > MMU_LEVEL_PT ? PS : 0));
			return;
		}
		uint64_t v = pte_get(f, e);
		if (!(v & P)) {
			v = pt_alloc(f) | TABLE_FLAGS;
			pte_set(f, e, v);
		}
		table = v & MMU_PTE_ADDR_MASK;
	}
}

static void pt_map(struct fx *f, gva_t la, gpa_t pa, enum mmu_level leaf,
                   uint64_t leaf_flags, struct pt_path *path)
{
	pt_map_in(f, f->ctx.cr3 & MMU_PTE_ADDR_MASK, la, pa, leaf, leaf_flags, path);
}

static int fx_setup(void **state)
{
	struct fx *f = test_calloc(1, sizeof(*f));

	assert_int_equal(gmem_init(&f->gm, RAM_SIZE), 0);
	f->mmu = mmu_create(&f->gm);
	assert_non_null(f->mmu);
	f->next_table = TABLE_POOL;
	f->ctx = (struct mmu_ctx){
	    .cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP,
	    .cr4 = X86_CR4_PAE | X86_CR4_PGE,
	    .efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE,
	    .user = false,
	};
	f->ctx.cr3 = pt_alloc(f);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	mmu_destroy(f->mmu);
	gmem_destroy(&f->gm);
	test_free(f);
	return 0;
}

static int xlate(struct fx *f, gva_t la, enum mmu_access access, struct mmu_result *r,
                 struct mmu_fault *pf)
{
	memset(r, 0, sizeof(*r));
	memset(pf, 0, sizeof(*pf));
	return mmu_translate(f->mmu, &f->ctx, la, access, r, pf);
}

/* Translate and expect success at gpa; returns the host address. */
static hva_t expect_gpa(struct fx *f, gva_t la, enum mmu_access access, gpa_t gpa)
{
	struct mmu_result r;
	struct mmu_fault pf;

	assert_int_equal(xlate(f, la, access, &r, &pf), MMU_OK);
	assert_true(r.gpa == gpa);
	return r.hva;
}

/* Translate and expect a #PF with `code` and CR2 = la. */
static void expect_pf(struct fx *f, gva_t la, enum mmu_access access, uint32_t code)
{
	struct mmu_result r;
	struct mmu_fault pf;

	assert_int_equal(xlate(f, la, access, &r, &pf), MMU_PAGE_FAULT);
	assert_int_equal(pf.error_code, code);
	assert_true(pf.addr == la);
}

static const struct mmu_stats *stats(struct fx *f)
{
	return mmu_stats(f->mmu);
}

/* ---- paging off and plain mappings ---- */

static void paging_off_is_identity(void **state)
{
	struct fx *f = *state;
	struct mmu_result r;
	struct mmu_fault pf;

	f->ctx.cr0 = X86_CR0_PE; /* protected mode, no paging */
	assert_int_equal(xlate(f, 0x12345, MMU_WRITE, &r, &pf), MMU_OK);
	assert_true(r.gpa == 0x12345);
	assert_ptr_equal(r.hva, gmem_hva(&f->gm, 0x12345, 1));
	assert_int_equal(r.in_page, 0x1000 - 0x345);
	/* beyond RAM: a device, no host address */
	assert_int_equal(xlate(f, MMIO_GPA + 4, MMU_READ, &r, &pf), MMU_OK);
	assert_true(r.gpa == MMIO_GPA + 4);
	assert_null(r.hva);
	assert_int_equal(stats(f)->walks, 0);
	/* the fast path serves unpaged accesses too */
	assert_ptr_equal(mmu_tlb_hva(f->mmu, &f->ctx, 0x12340, 4, MMU_FETCH),
	                 gmem_hva(&f->gm, 0x12340, 1));
}

static void maps_4k_pages(void **state)
{
	struct fx *f = *state;
	struct mmu_result r;
	struct mmu_fault pf;
	const gva_t high = 0xffff800000123000ull; /* a higher-half kernel address */

	pt_map(f, 0x200000, 0x200000, MMU_LEVEL_PT, P | RW, NULL); /* identity */
	pt_map(f, high, 0x345000, MMU_LEVEL_PT, P | RW, NULL);

	assert_ptr_equal(expect_gpa(f, 0x200010, MMU_READ, 0x200010),
	                 gmem_hva(&f->gm, 0x200010, 1));
	assert_int_equal(xlate(f, high + 0x45, MMU_READ, &r, &pf), MMU_OK);
	assert_true(r.gpa == 0x345045);
	assert_ptr_equal(r.hva, gmem_hva(&f->gm, 0x345045, 1));
	assert_int_equal(r.in_page, 0x1000 - 0x45);
	assert_int_equal(stats(f)->walks, 2);
	assert_int_equal(stats(f)->walk_refs, 8); /* four entries per 4 KiB walk */
	/* the neighbouring page is not mapped */
	expect_pf(f, high + PAGE_SIZE, MMU_READ, 0);
}

static void maps_2m_pages(void **state)
{
	struct fx *f = *state;
	const gva_t la = 0x40000000;

	/* PAT (bit 12 of a large leaf) is not an address bit */
	pt_map(f, la, 0x600000, MMU_LEVEL_PD, P | RW | MMU_PTE_PAT_LARGE, NULL);
	expect_gpa(f, la + 0x12345, MMU_READ, 0x612345);
	assert_int_equal(stats(f)->walk_refs, 3);
	expect_gpa(f, la + 0x1ffff8, MMU_WRITE, 0x7ffff8);
	assert_int_equal(stats(f)->walks, 2); /* the TLB caches 4 KiB pieces */
	expect_pf(f, la + 2 * MiB, MMU_READ, 0);
}

static void maps_1g_pages(void **state)
{
	struct fx *f = *state;
	struct mmu_result r;
	struct mmu_fault pf;
	const gva_t la = 0x8000000000ull; /* PML4 slot 1 */

	pt_map(f, la, 0, MMU_LEVEL_PDPT, P | RW, NULL);
	assert_ptr_equal(expect_gpa(f, la + 0x3456789, MMU_READ, 0x3456789),
	                 gmem_hva(&f->gm, 0x3456789, 1));
	assert_int_equal(stats(f)->walk_refs, 2);
	/* the same 1 GiB page reaches past RAM: those pieces are MMIO */
	assert_int_equal(xlate(f, la + 256 * MiB, MMU_READ, &r, &pf), MMU_OK);
	assert_true(r.gpa == 256 * MiB);
	assert_null(r.hva);
}

/* ---- permissions ---- */

struct perm_case {
	enum mmu_level level; /* where the restricting entry is */
	bool us, rw, xd;      /* that entry's bits; every other level grants all */
	bool wp, nxe, user;
	enum mmu_access access;
};

/*
 * SDM Vol. 3 4.6 (no SMEP/SMAP/PKU) and 4.7, one sentence per branch.
 * Returns whether the access faults and, if so, the error code.
 */
static bool expect_perm(const struct perm_case *c, uint32_t *code)
{
	bool write = c->access == MMU_WRITE, fetch = c->access == MMU_FETCH;
	uint32_t how = (write ? MMU_PF_W : 0) | (c->user ? MMU_PF_U : 0) |
	               (fetch && c->nxe ? MMU_PF_I : 0);
	bool allowed;

	/* with IA32_EFER.NXE = 0, bit 63 is reserved */
	if (c->xd && !c->nxe) {
		*code = how | MMU_PF_P | MMU_PF_RSVD;
		return true;
	}
	if (c->user) {
		/* user: U/S=1 everywhere; writes also R/W=1 everywhere (CR0.WP
		 * does not matter); fetches also XD=0 everywhere if NXE=1 */
		allowed = c->us && (!write || c->rw) && (!fetch || !c->xd);
	} else {
		/* supervisor: reads always; writes need R/W=1 everywhere only if
		 * CR0.WP=1; fetches need XD=0 everywhere if NXE=1 */
		allowed = (!write || !c->wp || c->rw) && (!fetch || !c->xd);
	}
	*code = how | MMU_PF_P;
	return !allowed;
}

static void check_perm_case(struct fx *f, const struct perm_case *c,
                            const struct pt_path *path)
{
	const gva_t la = 0x00007f1234567abcull;
	struct mmu_result r;
	struct mmu_fault pf;
	uint32_t code;

	for (enum mmu_level l = MMU_LEVEL_PT; l <= MMU_LEVEL_PML4; l++) {
		uint64_t v = pte_get(f, path->pte[l]) & ~(US | RW | XD | A | D);
		if (l != c->level)
			v |= US | RW;
		else
			v |= (c->us ? US : 0) | (c->rw ? RW : 0) | (c->xd ? XD : 0);
		pte_set(f, path->pte[l], v);
	}
	f->ctx.cr0 = X86_CR0_PE | X86_CR0_PG | (c->wp ? X86_CR0_WP : 0);
	f->ctx.efer = X86_EFER_LME | X86_EFER_LMA | (c->nxe ? X86_EFER_NXE : 0);
	f->ctx.user = c->user;
	mmu_flush(f->mmu, false);

	bool faults = expect_perm(c, &code);
	int status = xlate(f, la, c->access, &r, &pf);
	if (faults) {
		assert_int_equal(status, MMU_PAGE_FAULT);
		assert_int_equal(pf.error_code, code);
		assert_true(pf.addr == la);
	} else {
		assert_int_equal(status, MMU_OK);
		assert_true(r.gpa == 0x456abc);
	}
	/* the TLB agrees with the walk: it hits exactly when access is allowed */
	hva_t h = mmu_tlb_hva(f->mmu, &f->ctx, la, 1, c->access);
	assert_true((h != NULL) == !faults);
}

static void permission_matrix(void **state)
{
	struct fx *f = *state;
	struct pt_path path;
	unsigned faults = 0, cases = 0;

	pt_map(f, 0x00007f1234567abcull, 0x456000, MMU_LEVEL_PT, P | RW | US, &path);
	for (enum mmu_level level = MMU_LEVEL_PT; level <= MMU_LEVEL_PML4; level++)
		for (unsigned bits = 0; bits < 64; bits++)
			for (enum mmu_access acc = MMU_READ; acc <= MMU_FETCH; acc++) {
				struct perm_case c = {
				    .level = level,
				    .us = bits & 1,
				    .rw = bits & 2,
				    .xd = bits & 4,
				    .wp = bits & 8,
				    .nxe = bits & 16,
				    .user = bits & 32,
				    .access = acc,
				};
				uint32_t code;
				check_perm_case(f, &c, &path);
				faults += expect_perm(&c, &code);
				cases++;
			}
	assert_int_equal(cases, 4 * 64 * 3);
	assert_int_equal(stats(f)->page_faults, faults);
}

/* A few error codes written out, as a guest's #PF handler would see them. */
static void error_codes_spelled_out(void **state)
{
	struct fx *f = *state;
	struct pt_path path;

	pt_map(f, 0x1000000, 0x500000, MMU_LEVEL_PT, P | US, &path); /* user, read-only */
	pt_map(f, 0x1001000, 0x501000, MMU_LEVEL_PT, P | RW, NULL);  /* supervisor */
	pt_map(f, 0x1002000, 0x502000, MMU_LEVEL_PT, P | RW | US | XD, NULL);
	pt_map(f, 0x1003000, 0x503000, MMU_LEVEL_PT, RW | US, NULL); /* not present */

	f->ctx.user = true;
	expect_pf(f, 0x1003008, MMU_WRITE, 0x6);       /* not present, user write */
	expect_pf(f, 0x1001010, MMU_READ, 0x5);        /* user read, supervisor page */
	expect_pf(f, 0x1000020, MMU_WRITE, 0x7);       /* user write, read-only page */
	expect_pf(f, 0x1002030, MMU_FETCH, 0x15);      /* user fetch, XD page */
	expect_pf(f, 0x18000000000ull, MMU_READ, 0x4); /* empty PML4 slot */
	f->ctx.user = false;
	expect_pf(f, 0x1000040, MMU_WRITE, 0x3);  /* supervisor write, read-only, WP=1 */
	expect_pf(f, 0x1003050, MMU_FETCH, 0x10); /* not present fetch, NXE=1 */
	f->ctx.efer &= ~X86_EFER_NXE;
	expect_pf(f, 0x1003060, MMU_FETCH, 0x0); /* ...and with NXE=0: no I/D */
	expect_pf(f, 0x1002070, MMU_READ, 0x9);  /* XD set while NXE=0: reserved */
	f->ctx.cr0 &= ~X86_CR0_WP;
	expect_gpa(f, 0x1000080, MMU_WRITE, 0x500080); /* WP=0: supervisor may write */
}

/* ---- reserved bits ---- */

struct rsvd_case {
	const char *what;
	enum mmu_level leaf;   /* the mapping's leaf level */
	enum mmu_level poison; /* the entry that gets the bit */
	uint64_t bit;
	bool reserved;
};

static const struct rsvd_case rsvd_cases[] = {
    {"PML4E bit 40 (above MAXPHYADDR)", MMU_LEVEL_PT, MMU_LEVEL_PML4, 1ull << 40, true},
    {"PML4E bit 51", MMU_LEVEL_PT, MMU_LEVEL_PML4, 1ull << 51, true},
    {"PML4E PS", MMU_LEVEL_PT, MMU_LEVEL_PML4, PS, true},
    {"PML4E bit 52 (ignored)", MMU_LEVEL_PT, MMU_LEVEL_PML4, 1ull << 52, false},
    {"PML4E bit 62 (ignored)", MMU_LEVEL_PT, MMU_LEVEL_PML4, 1ull << 62, false},
    {"PML4E bit 6 (ignored)", MMU_LEVEL_PT, MMU_LEVEL_PML4, 1ull << 6, false},
    {"PML4E bits 11:9 (ignored)", MMU_LEVEL_PT, MMU_LEVEL_PML4, 7ull << 9, false},
    {"PDPTE bit 45", MMU_LEVEL_PT, MMU_LEVEL_PDPT, 1ull << 45, true},
    {"1G PDPTE bit 13", MMU_LEVEL_PDPT, MMU_LEVEL_PDPT, 1ull << 13, true},
    {"1G PDPTE bit 29", MMU_LEVEL_PDPT, MMU_LEVEL_PDPT, 1ull << 29, true},
    {"1G PDPTE bit 12 (PAT)", MMU_LEVEL_PDPT, MMU_LEVEL_PDPT, 1ull << 12, false},
    {"1G PDPTE bit 40", MMU_LEVEL_PDPT, MMU_LEVEL_PDPT, 1ull << 40, true},
    {"PDE bit 47", MMU_LEVEL_PT, MMU_LEVEL_PD, 1ull << 47, true},
    {"2M PDE bit 13", MMU_LEVEL_PD, MMU_LEVEL_PD, 1ull << 13, true},
    {"2M PDE bit 20", MMU_LEVEL_PD, MMU_LEVEL_PD, 1ull << 20, true},
    {"2M PDE bit 12 (PAT)", MMU_LEVEL_PD, MMU_LEVEL_PD, 1ull << 12, false},
    {"2M PDE bits 62:52 (ignored)", MMU_LEVEL_PD, MMU_LEVEL_PD, 0x7ffull << 52, false},
    {"PTE bit 40", MMU_LEVEL_PT, MMU_LEVEL_PT, 1ull << 40, true},
    {"PTE bit 51", MMU_LEVEL_PT, MMU_LEVEL_PT, 1ull << 51, true},
    {"PTE bit 7 (PAT)", MMU_LEVEL_PT, MMU_LEVEL_PT, PS, false},
    {"PTE bits 62:52 (ignored)", MMU_LEVEL_PT, MMU_LEVEL_PT, 0x7ffull << 52, false},
};

static void reserved_bits_fault(void **state)
{
	struct fx *f = *state;

	f->ctx.user = true;
	for (unsigned i = 0; i < ARRAY_SIZE(rsvd_cases); i++) {
		const struct rsvd_case *c = &rsvd_cases[i];
		const gva_t la = 0x40000000ull * (i + 1); /* a fresh PDPT slot each */
		struct pt_path path;
		struct mmu_result r;
		struct mmu_fault pf;

		pt_map(f, la, 0, c->leaf, P | RW | US, &path);
		uint64_t clean = pte_get(f, path.pte[c->poison]);
		pte_set(f, path.pte[c->poison], clean | c->bit);
		mmu_flush(f->mmu, false);
		int status = xlate(f, la + 0x18, MMU_WRITE, &r, &pf);
		if (c->reserved) {
			if (status != MMU_PAGE_FAULT || pf.error_code != 0xf)
				fail_msg("%s: status %d code %#x, want a RSVD #PF 0xf",
				         c->what, status, pf.error_code);
			assert_true(pf.addr == la + 0x18);
		} else if (status != MMU_OK || r.gpa != 0x18) {
			fail_msg("%s: status %d gpa %#llx, want gpa 0x18", c->what,
			         status, (unsigned long long)r.gpa);
		}
		/* the leaf's A bit is set only when the translation succeeded */
		assert_int_equal(!!(pte_get(f, path.pte[c->leaf]) & A), !c->reserved);
		pte_set(f, path.pte[c->poison], clean); /* the PML4E is shared */
	}
}

/* XD is reserved at every level while EFER.NXE = 0. */
static void xd_is_reserved_without_nxe(void **state)
{
	struct fx *f = *state;
	struct pt_path path;
	const gva_t la = 0x7000000000ull;

	pt_map(f, la, 0x300000, MMU_LEVEL_PT, P | RW, &path);
	f->ctx.efer &= ~X86_EFER_NXE;
	for (enum mmu_level l = MMU_LEVEL_PT; l <= MMU_LEVEL_PML4; l++) {
		uint64_t v = pte_get(f, path.pte[l]);
		pte_set(f, path.pte[l], v | XD);
		mmu_flush(f->mmu, false);
		expect_pf(f, la, MMU_READ, MMU_PF_P | MMU_PF_RSVD);
		pte_set(f, path.pte[l], v);
	}
	expect_gpa(f, la, MMU_READ, 0x300000);
}

/* With P=0 the CPU looks at no other bit: not present, not RSVD. */
static void not_present_ignores_reserved_bits(void **state)
{
	struct fx *f = *state;
	struct pt_path path;

	pt_map(f, 0x5000, 0x5000, MMU_LEVEL_PT, RW | (1ull << 45), &path);
	expect_pf(f, 0x5000, MMU_READ, 0);
}

/* ---- accessed and dirty bits ---- */

static uint64_t ad_bits(struct fx *f, const struct pt_path *path, enum mmu_level l)
{
	return pte_get(f, path->pte[l]) & (A | D);
}

static void read_sets_accessed_everywhere_not_dirty(void **state)
{
	struct fx *f = *state;
	struct pt_path path;

	pt_map(f, 0x600000, 0x600000, MMU_LEVEL_PT, P | RW, &path);
	expect_gpa(f, 0x600000, MMU_READ, 0x600000);
	for (enum mmu_level l = MMU_LEVEL_PT; l <= MMU_LEVEL_PML4; l++)
		assert_int_equal(ad_bits(f, &path, l), A);
}

static void write_sets_dirty_in_the_leaf_only(void **state)
{
	struct fx *f = *state;
	struct pt_path path, big;

	pt_map(f, 0x600000, 0x600000, MMU_LEVEL_PT, P | RW, &path);
	expect_gpa(f, 0x600008, MMU_WRITE, 0x600008);
	assert_int_equal(ad_bits(f, &path, MMU_LEVEL_PT), A | D);
	for (enum mmu_level l = MMU_LEVEL_PD; l <= MMU_LEVEL_PML4; l++)
		assert_int_equal(ad_bits(f, &path, l), A);

	pt_map(f, 0x40000000, 0x800000, MMU_LEVEL_PD, P | RW, &big);
	expect_gpa(f, 0x40000000, MMU_WRITE, 0x800000);
	assert_int_equal(ad_bits(f, &big, MMU_LEVEL_PD), A | D);
	assert_int_equal(ad_bits(f, &big, MMU_LEVEL_PDPT), A);
}

/* Faults: entries the walk used before the faulting level get A; the
 * faulting entry does not; a refused leaf gets neither A nor D. */
static void faults_set_accessed_only_above(void **state)
{
	struct fx *f = *state;
	struct pt_path np, prot, rsvd;

	/* not present at the PT level */
	pt_map(f, 0x600000, 0x600000, MMU_LEVEL_PT, RW, &np);
	expect_pf(f, 0x600000, MMU_WRITE, MMU_PF_W);
	assert_int_equal(ad_bits(f, &np, MMU_LEVEL_PT), 0);
	for (enum mmu_level l = MMU_LEVEL_PD; l <= MMU_LEVEL_PML4; l++)
		assert_int_equal(ad_bits(f, &np, l), A);

	/* protection: a user write to a read-only page */
	pt_map(f, 0x40000000, 0x700000, MMU_LEVEL_PT, P | US, &prot);
	f->ctx.user = true;
	expect_pf(f, 0x40000000, MMU_WRITE, MMU_PF_P | MMU_PF_W | MMU_PF_U);
	assert_int_equal(ad_bits(f, &prot, MMU_LEVEL_PT), 0);
	assert_int_equal(ad_bits(f, &prot, MMU_LEVEL_PD), A);
	f->ctx.user = false;

	/* reserved bit in the PD entry */
	pt_map(f, 0x80000000, 0x800000, MMU_LEVEL_PT, P | RW, &rsvd);
	pte_set(f, rsvd.pte[MMU_LEVEL_PD],
	        pte_get(f, rsvd.pte[MMU_LEVEL_PD]) | (1ull << 44));
	expect_pf(f, 0x80000000, MMU_READ, MMU_PF_P | MMU_PF_RSVD);
	assert_int_equal(ad_bits(f, &rsvd, MMU_LEVEL_PT), 0);
	assert_int_equal(ad_bits(f, &rsvd, MMU_LEVEL_PD), 0);
	assert_int_equal(ad_bits(f, &rsvd, MMU_LEVEL_PDPT), A);
	assert_int_equal(ad_bits(f, &rsvd, MMU_LEVEL_PML4), A);
}

static void walker_records_the_path(void **state)
{
	struct fx *f = *state;
	struct pt_path path;
	struct mmu_walker w;
	const gva_t la = 0xffff800000abc123ull;

	pt_map(f, la, 0x900000, MMU_LEVEL_PT, P | RW | G, &path);
	/* a peek reads and reports but writes nothing */
	assert_int_equal(mmu_walk(&f->gm, &f->ctx, la, MMU_WRITE, MMU_WALK_PEEK, &w),
	                 MMU_OK);
	for (enum mmu_level l = MMU_LEVEL_PT; l <= MMU_LEVEL_PML4; l++) {
		assert_true(w.pte_gpa[l] == path.pte[l]);
		assert_true(w.pte[l] == pte_get(f, path.pte[l]));
		assert_int_equal(ad_bits(f, &path, l), 0);
	}
	assert_int_equal(w.nr_refs, 4);
	assert_int_equal(w.last_level, MMU_LEVEL_PT);
	assert_true(w.gpa == 0x900123);
	assert_int_equal(w.page_shift, 12);
	assert_true(w.global);
	assert_false(w.dirty);
	assert_int_equal(w.a_set, 0);

	/* the real walk reports what it wrote */
	assert_int_equal(mmu_walk(&f->gm, &f->ctx, la, MMU_WRITE, 0, &w), MMU_OK);
	assert_int_equal(w.a_set, 0x1e); /* levels 4..1 */
	assert_true(w.d_set && w.dirty);
	assert_int_equal(ad_bits(f, &path, MMU_LEVEL_PT), A | D);

	/* a walk that stops early records where */
	assert_int_equal(mmu_walk(&f->gm, &f->ctx, 0x1234000, MMU_READ, 0, &w),
	                 MMU_PAGE_FAULT);
	assert_int_equal(w.last_level, MMU_LEVEL_PML4); /* PML4 slot 0 is empty */
	assert_int_equal(w.nr_refs, 1);
	assert_int_equal(w.fault.error_code, 0);
}

/* ---- the soft TLB ---- */

static void tlb_hit_after_miss(void **state)
{
	struct fx *f = *state;
	struct pt_path path;
	const gva_t la = 0x700000;

	pt_map(f, la, 0xa00000, MMU_LEVEL_PT, P | RW, &path);
	assert_null(mmu_tlb_hva(f->mmu, &f->ctx, la, 8, MMU_READ));
	hva_t h = expect_gpa(f, la + 8, MMU_READ, 0xa00008);
	assert_int_equal(stats(f)->tlb_misses, 1);
	assert_int_equal(stats(f)->walks, 1);
	assert_int_equal(stats(f)->tlb_hits, 0);

	expect_gpa(f, la + 16, MMU_READ, 0xa00010);
	assert_int_equal(stats(f)->tlb_hits, 1);
	assert_ptr_equal(mmu_tlb_hva(f->mmu, &f->ctx, la + 8, 8, MMU_READ), h);
	assert_int_equal(stats(f)->tlb_hits, 2);
	assert_int_equal(stats(f)->walks, 1);

	/* a PTE changed without INVLPG: the TLB still answers (as a CPU's
	 * would), until INVLPG */
	pte_set(f, path.pte[MMU_LEVEL_PT], 0xb00000 | P | RW);
	expect_gpa(f, la, MMU_READ, 0xa00000);
	mmu_invlpg(f->mmu, la);
	expect_gpa(f, la, MMU_READ, 0xb00000);
	assert_int_equal(stats(f)->invlpgs, 1);
}

static void write_to_clean_page_sets_dirty(void **state)
{
	struct fx *f = *state;
	struct pt_path path;
	const gva_t la = 0x700000;

	pt_map(f, la, 0xa00000, MMU_LEVEL_PT, P | RW, &path);
	expect_gpa(f, la, MMU_READ, 0xa00000);
	/* cached as writable but clean: the fast path declines the write */
	assert_null(mmu_tlb_hva(f->mmu, &f->ctx, la, 4, MMU_WRITE));
	expect_gpa(f, la, MMU_WRITE, 0xa00000);
	assert_int_equal(stats(f)->walks, 2);
	assert_int_equal(ad_bits(f, &path, MMU_LEVEL_PT), A | D);
	assert_non_null(mmu_tlb_hva(f->mmu, &f->ctx, la, 4, MMU_WRITE));

	/* the guest cleans the page (writeback) and flushes: D is set again */
	pte_set(f, path.pte[MMU_LEVEL_PT], pte_get(f, path.pte[MMU_LEVEL_PT]) & ~D);
	mmu_invlpg(f->mmu, la);
	expect_gpa(f, la, MMU_READ, 0xa00000);
	assert_int_equal(ad_bits(f, &path, MMU_LEVEL_PT), A);
	expect_gpa(f, la, MMU_WRITE, 0xa00000);
	assert_int_equal(ad_bits(f, &path, MMU_LEVEL_PT), A | D);
}

static void global_pages_survive_a_cr3_flush(void **state)
{
	struct fx *f = *state;
	struct pt_path glob, local;

	pt_map(f, 0x700000, 0xa00000, MMU_LEVEL_PT, P | RW | G, &glob);
	pt_map(f, 0x701000, 0xa01000, MMU_LEVEL_PT, P | RW, &local);
	expect_gpa(f, 0x700000, MMU_READ, 0xa00000);
	expect_gpa(f, 0x701000, MMU_READ, 0xa01000);
	pte_set(f, glob.pte[MMU_LEVEL_PT], 0xb00000 | P | RW | G);
	pte_set(f, local.pte[MMU_LEVEL_PT], 0xb01000 | P | RW);

	mmu_flush(f->mmu, true);
	expect_gpa(f, 0x700000, MMU_READ, 0xa00000); /* global: kept */
	expect_gpa(f, 0x701000, MMU_READ, 0xb01000); /* not global: re-walked */
	mmu_invlpg(f->mmu, 0x700000);                /* INVLPG drops globals too */
	expect_gpa(f, 0x700000, MMU_READ, 0xb00000);

	pte_set(f, glob.pte[MMU_LEVEL_PT], 0xc00000 | P | RW | G);
	mmu_flush(f->mmu, false);
	expect_gpa(f, 0x700000, MMU_READ, 0xc00000);
	assert_int_equal(stats(f)->flushes, 2);
}

/* G means nothing while CR4.PGE = 0. */
static void global_needs_pge(void **state)
{
	struct fx *f = *state;
	struct pt_path glob;

	f->ctx.cr4 &= ~X86_CR4_PGE;
	pt_map(f, 0x700000, 0xa00000, MMU_LEVEL_PT, P | RW | G, &glob);
	expect_gpa(f, 0x700000, MMU_READ, 0xa00000);
	pte_set(f, glob.pte[MMU_LEVEL_PT], 0xb00000 | P | RW | G);
	mmu_flush(f->mmu, true);
	expect_gpa(f, 0x700000, MMU_READ, 0xb00000);
}

static void tlb_follows_wp(void **state)
{
	struct fx *f = *state;
	const gva_t la = 0x700000;

	pt_map(f, la, 0xa00000, MMU_LEVEL_PT, P | D, NULL); /* read-only, already dirty */
	f->ctx.cr0 &= ~X86_CR0_WP;
	expect_gpa(f, la, MMU_WRITE, 0xa00000); /* supervisor may write with WP=0 */
	assert_non_null(mmu_tlb_hva(f->mmu, &f->ctx, la, 1, MMU_WRITE));

	f->ctx.cr0 |= X86_CR0_WP;
	mmu_ctx_changed(f->mmu, &f->ctx);
	assert_null(mmu_tlb_hva(f->mmu, &f->ctx, la, 1, MMU_WRITE));
	expect_pf(f, la, MMU_WRITE, MMU_PF_P | MMU_PF_W);

	/* and without the owner's call, mmu_translate notices by itself */
	f->ctx.cr0 &= ~X86_CR0_WP;
	expect_gpa(f, la, MMU_WRITE, 0xa00000);
	f->ctx.cr0 |= X86_CR0_WP;
	expect_pf(f, la, MMU_WRITE, MMU_PF_P | MMU_PF_W);
}

static void tlb_follows_nxe(void **state)
{
	struct fx *f = *state;
	const gva_t la = 0x700000;

	pt_map(f, la, 0xa00000, MMU_LEVEL_PT, P | RW | XD, NULL);
	expect_gpa(f, la, MMU_READ, 0xa00000);
	expect_pf(f, la, MMU_FETCH, MMU_PF_P | MMU_PF_I);
	expect_gpa(f, la, MMU_READ, 0xa00000);
	assert_non_null(mmu_tlb_hva(f->mmu, &f->ctx, la, 1, MMU_READ));

	f->ctx.efer &= ~X86_EFER_NXE; /* now bit 63 is reserved */
	mmu_ctx_changed(f->mmu, &f->ctx);
	assert_null(mmu_tlb_hva(f->mmu, &f->ctx, la, 1, MMU_READ));
	expect_pf(f, la, MMU_READ, MMU_PF_P | MMU_PF_RSVD);

	/* and without the owner's call, mmu_translate notices by itself */
	f->ctx.efer |= X86_EFER_NXE;
	expect_gpa(f, la, MMU_READ, 0xa00000);
	f->ctx.efer &= ~X86_EFER_NXE;
	expect_pf(f, la, MMU_READ, MMU_PF_P | MMU_PF_RSVD);
}

static void tlb_keeps_privilege_classes_apart(void **state)
{
	struct fx *f = *state;
	const gva_t kern = 0x700000, user = 0x701000;

	pt_map(f, kern, 0xa00000, MMU_LEVEL_PT, P | RW | D, NULL);
	pt_map(f, user, 0xa01000, MMU_LEVEL_PT, P | RW | US | D, NULL);
	expect_gpa(f, kern, MMU_READ, 0xa00000);
	expect_gpa(f, user, MMU_WRITE, 0xa01000); /* supervisor touching a user page */

	f->ctx.user = true;
	assert_null(mmu_tlb_hva(f->mmu, &f->ctx, kern, 1, MMU_READ));
	assert_null(mmu_tlb_hva(f->mmu, &f->ctx, user, 1, MMU_READ)); /* other class */
	expect_pf(f, kern, MMU_READ, MMU_PF_P | MMU_PF_U);
	expect_gpa(f, user, MMU_WRITE, 0xa01000);
	assert_non_null(mmu_tlb_hva(f->mmu, &f->ctx, user, 1, MMU_WRITE));

	f->ctx.user = false; /* back in the kernel: its entry for `user` is there */
	uint64_t walks = stats(f)->walks;
	assert_non_null(mmu_tlb_hva(f->mmu, &f->ctx, user, 1, MMU_WRITE));
	expect_gpa(f, user, MMU_READ, 0xa01000);
	assert_int_equal(stats(f)->walks, walks);
	assert_int_equal(stats(f)->flushes, 0); /* CPL changes flush nothing */
	/* but the user's #PF on `kern` dropped that page in every class, as a
	 * CPU drops la's entries on a #PF */
	assert_null(mmu_tlb_hva(f->mmu, &f->ctx, kern, 1, MMU_READ));
	expect_gpa(f, kern, MMU_READ, 0xa00000);
	assert_int_equal(stats(f)->walks, walks + 1);
}

static void tlb_follows_cr3(void **state)
{
	struct fx *f = *state;
	const gva_t la = 0x400000;
	gpa_t root_a = f->ctx.cr3, root_b = pt_alloc(f);

	pt_map_in(f, root_a, la, 0xa00000, MMU_LEVEL_PT, P | RW, NULL);
	pt_map_in(f, root_b, la, 0xb00000, MMU_LEVEL_PT, P | RW, NULL);
	expect_gpa(f, la, MMU_READ, 0xa00000);

	f->ctx.cr3 = root_b;
	mmu_ctx_changed(f->mmu, &f->ctx);
	assert_null(mmu_tlb_hva(f->mmu, &f->ctx, la, 1, MMU_READ));
	expect_gpa(f, la, MMU_READ, 0xb00000);
	f->ctx.cr3 = root_a; /* no call: mmu_translate notices */
	expect_gpa(f, la, MMU_READ, 0xa00000);
	assert_int_equal(stats(f)->flushes, 2);
}

static void access_crossing_a_page(void **state)
{
	struct fx *f = *state;
	struct mmu_result r;
	struct mmu_fault pf;
	const gva_t la = 0x40000000;

	pt_map(f, la, 0x600000, MMU_LEVEL_PD, P | RW | D, NULL);
	assert_int_equal(xlate(f, la + 0xffc, MMU_READ, &r, &pf), MMU_OK);
	assert_int_equal(r.in_page, 4);
	assert_non_null(mmu_tlb_hva(f->mmu, &f->ctx, la + 0xffc, 4, MMU_READ));
	assert_null(mmu_tlb_hva(f->mmu, &f->ctx, la + 0xffc, 8, MMU_READ));
	assert_int_equal(xlate(f, la + 0xfff, MMU_WRITE, &r, &pf), MMU_OK);
	assert_int_equal(r.in_page, 1); /* 4 KiB granular, even in a 2 MiB page */
	assert_int_equal(xlate(f, la + 0x1000, MMU_WRITE, &r, &pf), MMU_OK);
	assert_int_equal(r.in_page, 0x1000);
}

static void mmio_has_no_host_address(void **state)
{
	struct fx *f = *state;
	struct mmu_result r;
	struct mmu_fault pf;
	struct pt_path path;

	pt_map(f, 0x700000, MMIO_GPA, MMU_LEVEL_PT, P | RW, &path);
	pt_map(f, 0x701000, RAM_SIZE - PAGE_SIZE, MMU_LEVEL_PT, P | RW, NULL);
	pt_map(f, 0x702000, RAM_SIZE, MMU_LEVEL_PT, P | RW, NULL);

	assert_int_equal(xlate(f, 0x700030, MMU_READ, &r, &pf), MMU_OK);
	assert_true(r.gpa == MMIO_GPA + 0x30);
	assert_null(r.hva);
	assert_null(mmu_tlb_hva(f->mmu, &f->ctx, 0x700030, 4, MMU_READ));
	/* cached all the same: the next access is a hit, no walk */
	assert_int_equal(xlate(f, 0x700034, MMU_READ, &r, &pf), MMU_OK);
	assert_null(r.hva);
	assert_int_equal(stats(f)->walks, 1);
	assert_int_equal(stats(f)->tlb_hits, 1);
	/* a write still sets the leaf's D bit in (RAM) page tables */
	assert_int_equal(xlate(f, 0x700038, MMU_WRITE, &r, &pf), MMU_OK);
	assert_null(r.hva);
	assert_int_equal(ad_bits(f, &path, MMU_LEVEL_PT), A | D);

	/* the last page of RAM is RAM; the next one is not */
	assert_ptr_equal(expect_gpa(f, 0x701ff8, MMU_READ, RAM_SIZE - 8),
	                 gmem_hva(&f->gm, RAM_SIZE - 8, 8));
	assert_null(expect_gpa(f, 0x702000, MMU_READ, RAM_SIZE));
}

/* Tables outside RAM read as all-ones: a RSVD fault, and no host access
 * outside guest memory (the ASan build checks the second half). */
static void tables_outside_ram(void **state)
{
	struct fx *f = *state;
	struct pt_path path;
	struct mmu_walker w;

	gpa_t root = f->ctx.cr3;
	f->ctx.cr3 = MMIO_GPA;
	expect_pf(f, 0x1000, MMU_READ, MMU_PF_P | MMU_PF_RSVD);
	assert_int_equal(mmu_walk(&f->gm, &f->ctx, 0x1000, MMU_READ, 0, &w),
	                 MMU_PAGE_FAULT);
	assert_true(w.pte[MMU_LEVEL_PML4] == MMU_PTE_UNBACKED);
	assert_int_equal(w.nr_refs, 1);
	f->ctx.cr3 = RAM_SIZE; /* the first byte past RAM */
	expect_pf(f, 0x1000, MMU_WRITE, MMU_PF_P | MMU_PF_RSVD | MMU_PF_W);
	f->ctx.cr3 = root;

	/* a PDPT pointer past RAM: the PML4E was used, so it is accessed */
	pt_map(f, 0x8000000000ull, 0x1000, MMU_LEVEL_PT, P | RW, &path);
	pte_set(f, path.pte[MMU_LEVEL_PML4], (RAM_SIZE + 0x3000) | P | RW);
	expect_pf(f, 0x8000000000ull, MMU_READ, MMU_PF_P | MMU_PF_RSVD);
	assert_int_equal(ad_bits(f, &path, MMU_LEVEL_PML4), A);

	/* a PT pointer at the highest table address MAXPHYADDR allows */
	pt_map(f, 0x10000000000ull, 0x1000, MMU_LEVEL_PT, P | RW, &path);
	pte_set(f, path.pte[MMU_LEVEL_PD], 0xfffffff000ull | P | RW);
	expect_pf(f, 0x10000000000ull, MMU_FETCH, MMU_PF_P | MMU_PF_RSVD | MMU_PF_I);
}

static void unsupported_modes(void **state)
{
	struct fx *f = *state;
	struct mmu_result r;
	struct mmu_fault pf;

	pt_map(f, 0xffff800000000000ull, 0x1000, MMU_LEVEL_PT, P | RW, NULL);
	expect_gpa(f, 0xffff800000000000ull, MMU_READ, 0x1000);
	/* non-canonical: #GP or #SS is the caller's to raise */
	assert_int_equal(xlate(f, 0x0000800000000000ull, MMU_READ, &r, &pf),
	                 MMU_UNSUPPORTED);
	assert_int_equal(xlate(f, 0xfff0800000000000ull, MMU_READ, &r, &pf),
	                 MMU_UNSUPPORTED);
	f->ctx.efer &= ~(X86_EFER_LME | X86_EFER_LMA); /* PAE paging */
	assert_int_equal(xlate(f, 0x1000, MMU_READ, &r, &pf), MMU_UNSUPPORTED);
	f->ctx.cr4 &= ~X86_CR4_PAE; /* 32-bit paging */
	assert_int_equal(xlate(f, 0x1000, MMU_READ, &r, &pf), MMU_UNSUPPORTED);
	assert_int_equal(stats(f)->walks, 1);
}

static void memory_changed_drops_affected_entries(void **state)
{
	struct fx *f = *state;
	struct pt_path path;
	const gva_t la = 0x700000;

	pt_map(f, la, 0xa00000, MMU_LEVEL_PT, P | RW, &path);
	expect_gpa(f, la, MMU_READ, 0xa00000);
	pte_set(f, path.pte[MMU_LEVEL_PT], 0xb00000 | P | RW); /* stale on purpose */

	mmu_memory_changed(f->mmu, 0xa01000, 16 * PAGE_SIZE); /* just after it */
	mmu_memory_changed(f->mmu, 0x9ff000, PAGE_SIZE);      /* just before it */
	mmu_memory_changed(f->mmu, 0xa00000, 0);
	expect_gpa(f, la, MMU_READ, 0xa00000);
	mmu_memory_changed(f->mmu, 0xa00fff, 1);
	expect_gpa(f, la, MMU_READ, 0xb00000);

	/* a range that would wrap past 2^64 means "to the end" */
	pte_set(f, path.pte[MMU_LEVEL_PT], 0xc00000 | P | RW);
	mmu_memory_changed(f->mmu, 0x100000, UINT64_MAX);
	expect_gpa(f, la, MMU_READ, 0xc00000);
}

/* INVLPG of any address in a large page drops all its cached pieces, and
 * nothing outside it. */
static void invlpg_drops_a_whole_large_page(void **state)
{
	struct fx *f = *state;
	struct pt_path big, small;
	const gva_t la = 0x40000000, other = 0x700000;

	pt_map(f, la, 0x600000, MMU_LEVEL_PD, P | RW, &big);
	pt_map(f, other, 0xa00000, MMU_LEVEL_PT, P | RW, &small);
	expect_gpa(f, la, MMU_READ, 0x600000);
	expect_gpa(f, la + 0x5000, MMU_READ, 0x605000);
	expect_gpa(f, other, MMU_READ, 0xa00000);
	pte_set(f, big.pte[MMU_LEVEL_PD], 0x800000 | P | RW | PS);
	pte_set(f, small.pte[MMU_LEVEL_PT], 0xb00000 | P | RW);

	mmu_invlpg(f->mmu, la + 0x1000); /* a piece never cached */
	expect_gpa(f, la, MMU_READ, 0x800000);
	expect_gpa(f, la + 0x5000, MMU_READ, 0x805000);
	expect_gpa(f, other, MMU_READ, 0xa00000); /* still the stale one */
}

static void victim_tlb_catches_conflicts(void **state)
{
	struct fx *f = *state;
	struct pt_path path;
	const gva_t la = 0x700000, alias = la + MMU_TLB_SIZE * PAGE_SIZE; /* same slot */

	pt_map(f, la, 0xa00000, MMU_LEVEL_PT, P | RW, &path);
	pt_map(f, alias, 0xb00000, MMU_LEVEL_PT, P | RW, NULL);
	expect_gpa(f, la, MMU_READ, 0xa00000);
	expect_gpa(f, alias, MMU_READ, 0xb00000);
	assert_null(mmu_tlb_hva(f->mmu, &f->ctx, la, 1, MMU_READ)); /* evicted */
	expect_gpa(f, la, MMU_READ, 0xa00000);                      /* from the victim */
	assert_int_equal(stats(f)->walks, 2);
	assert_non_null(mmu_tlb_hva(f->mmu, &f->ctx, la, 1, MMU_READ)); /* swapped back */
	expect_gpa(f, alias, MMU_READ, 0xb00000);
	assert_int_equal(stats(f)->walks, 2);

	/* INVLPG and flushes reach victims too */
	pte_set(f, path.pte[MMU_LEVEL_PT], 0xc00000 | P | RW);
	mmu_invlpg(f->mmu, la); /* la sits in the victim TLB now */
	expect_gpa(f, la, MMU_READ, 0xc00000);
	pte_set(f, path.pte[MMU_LEVEL_PT], 0xd00000 | P | RW);
	expect_gpa(f, alias, MMU_READ, 0xb00000); /* la to the victim again */
	mmu_flush(f->mmu, true);
	expect_gpa(f, la, MMU_READ, 0xd00000);
}

/* A #PF drops the faulting address's entry, as the CPU does: a later
 * access sees the tables, not an entry cached before the fault. */
static void page_fault_invalidates_the_entry(void **state)
{
	struct fx *f = *state;
	struct pt_path path;
	const gva_t la = 0x700000;

	f->ctx.user = true;
	pt_map(f, la, 0xa00000, MMU_LEVEL_PT, P | US, &path);
	expect_gpa(f, la, MMU_READ, 0xa00000);
	expect_pf(f, la, MMU_WRITE, MMU_PF_P | MMU_PF_W | MMU_PF_U);
	pte_set(f, path.pte[MMU_LEVEL_PT], 0); /* no INVLPG */
	expect_pf(f, la, MMU_READ, MMU_PF_U);
	assert_int_equal(stats(f)->page_faults, 2);
}

/* The MMU's reserved-bit mask must match the CPU model's MAXPHYADDR, and
 * the model must announce the 1 GiB pages the walker accepts. */
static void cpu_model_agrees(void **state)
{
	struct cpuid_entry e;

	cpuid_lookup(0x80000008, 0, CPUID_ENGINE_INTERP, &e);
	assert_int_equal(e.eax & 0xff, MMU_MAXPHYADDR);
	assert_int_equal((e.eax >> 8) & 0xff, MMU_VA_BITS);
	cpuid_lookup(0x80000001, 0, CPUID_ENGINE_INTERP, &e);
	assert_true(e.edx & (1u << 26)); /* Page1GB */
	assert_true(e.edx & (1u << 20)); /* NX */
}

#define FX_TEST(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    FX_TEST(paging_off_is_identity),
	    FX_TEST(maps_4k_pages),
	    FX_TEST(maps_2m_pages),
	    FX_TEST(maps_1g_pages),
	    FX_TEST(permission_matrix),
	    FX_TEST(error_codes_spelled_out),
	    FX_TEST(reserved_bits_fault),
	    FX_TEST(xd_is_reserved_without_nxe),
	    FX_TEST(not_present_ignores_reserved_bits),
	    FX_TEST(read_sets_accessed_everywhere_not_dirty),
	    FX_TEST(write_sets_dirty_in_the_leaf_only),
	    FX_TEST(faults_set_accessed_only_above),
	    FX_TEST(walker_records_the_path),
	    FX_TEST(tlb_hit_after_miss),
	    FX_TEST(write_to_clean_page_sets_dirty),
	    FX_TEST(global_pages_survive_a_cr3_flush),
	    FX_TEST(global_needs_pge),
	    FX_TEST(tlb_follows_wp),
	    FX_TEST(tlb_follows_nxe),
	    FX_TEST(tlb_keeps_privilege_classes_apart),
	    FX_TEST(tlb_follows_cr3),
	    FX_TEST(access_crossing_a_page),
	    FX_TEST(mmio_has_no_host_address),
	    FX_TEST(tables_outside_ram),
	    FX_TEST(unsupported_modes),
	    FX_TEST(memory_changed_drops_affected_entries),
	    FX_TEST(invlpg_drops_a_whole_large_page),
	    FX_TEST(victim_tlb_catches_conflicts),
	    FX_TEST(page_fault_invalidates_the_entry),
	    cmocka_unit_test(cpu_model_agrees),
	};
	return cmocka_run_group_tests_name("mmu", tests, NULL, NULL);
}
