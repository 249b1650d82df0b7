/*
 * interp_mem.c - guest memory as instructions see it: segmentation, the
 * access cache in front of the software MMU, RAM and MMIO, the stack.
 *
 * An operand's address goes through three steps:
 *
 *   seg:offset --mem_linear--> linear address      segment checks (limit,
 *                                                   type) or the canonical
 *                                                   check in 64-bit mode
 *   linear --access cache / mmu_translate--> gpa    paging, A/D bits, #PF
 *   gpa --RAM--> host address                       a plain load or store
 *       --not RAM--> MMIO exit to the core          (io_read / io_write)
 *
 * The access cache (struct cpu_tlb) keeps the MMU's answers per page and
 * access kind, so a hit costs one compare.  It never caches MMIO, and
 * never caches a write to a page that holds decoded instructions or that
 * the MMU write-tracks (a guest page table under shadow paging): such a
 * write goes the slow way, which tells the decode cache (self-modifying
 * code, and code pages the guest reuses for data) or the MMU (a tracing
 * fault: mmu_write_tracked after the store).
 *
 * Precision: a write translates every page it touches before it writes a
 * byte, so a #PF on the second page of a crossing write leaves memory
 * unchanged.  Instructions with several writes build them into one buffer
 * (stack frames) or finish all their reads and checks first.
 */
#include <string.h>

#include "bt/interp_internal.h"

#define PAGE_OFFSET(la) ((la) & (PAGE_SIZE - 1))

/* ---- segmentation -------------------------------------------------------- */

/* The fault for a segment violation: #SS(0) for the stack, else #GP(0). */
static int seg_fault(struct cpu *c, unsigned seg)
{
	return cpu_fault(c, seg == X86_SEG_SS ? X86_EXC_SS : X86_EXC_GP, true, 0);
}

/* Limit and type checks of protected and real mode (SDM Vol. 3 5.3, 5.4). */
static int linear_legacy(struct cpu *c, unsigned seg, uint64_t off, unsigned size,
                         enum cpu_acc acc, gva_t *la)
{
	const struct x86_segment *s = cpu_seg(c, seg);
	uint64_t last = off + size - 1;

	if (c->prot) {
		if (s->unusable || !s->present)
			return seg_fault(c, seg);
		bool code = s->type & SEGT_CODE;
		if (acc == CPU_ACC_WRITE && (code || !(s->type & SEGT_WRITABLE)))
			return seg_fault(c, seg);
		if (acc == CPU_ACC_READ && code && !(s->type & SEGT_READABLE))
			return seg_fault(c, seg);
		if (!code && (s->type & SEGT_EXPDOWN)) {
			uint64_t upper = s->db ? 0xffffffffull : 0xffffull;
			if (off <= s->limit || last > upper)
				return seg_fault(c, seg);
		} else if (last > s->limit) {
			return seg_fault(c, seg);
		}
	} else if (last > s->limit) {
		return seg_fault(c, seg);
	}
	*la = (s->base + off) & 0xffffffffull;
	return INTERP_OK;
}

int mem_linear(struct cpu *c, unsigned seg, uint64_t off, unsigned size, enum cpu_acc acc,
               gva_t *la)
{
	if (c->long64) {
		uint64_t a = off;
		if (seg == X86_SEG_FS || seg == X86_SEG_GS)
			a += cpu_seg(c, seg)->base;
		if (!cpu_canonical(a) || !cpu_canonical(a + size - 1))
			return seg_fault(c, seg);
		*la = a;
		return INTERP_OK;
	}
	return linear_legacy(c, seg, off, size, acc, la);
}

/* ---- the access cache ---------------------------------------------------- */

static inline struct cpu_tlb_entry *tlb_slot(struct cpu *c, enum cpu_acc acc, gva_t la)
{
	return &c->tlb.e[acc][(la >> PAGE_SHIFT) & (CPU_TLB_SIZE - 1)];
}

static inline uint64_t tlb_tag(gva_t la, bool user)
{
	return (la & PAGE_MASK) | (user ? CPU_TLB_USER : 0);
}

/* Host address of [la, la+len) for acc if the cache has its page and the
 * access stays inside it; NULL otherwise. */
static inline uint8_t *tlb_hit(struct cpu *c, gva_t la, unsigned len, enum cpu_acc acc,
                               bool user)
{
	const struct cpu_tlb_entry *e = tlb_slot(c, acc, la);

	if (e->tag == tlb_tag(la, user) && PAGE_OFFSET(la) + len <= PAGE_SIZE)
		return e->hva + PAGE_OFFSET(la);
	return NULL;
}

void cpu_tlb_flush(struct cpu *c)
{
	memset(&c->tlb, 0xff, sizeof(c->tlb));
	c->fw.page = CPU_TLB_EMPTY;
	c->stats.tlb_flushes++;
}

void cpu_paging_changed(struct cpu *c, bool keep_global)
{
	mmu_flush(c->mmu, keep_global);
	cpu_tlb_flush(c);
}

/* The MMU now write-tracks gfn (struct mmu_config.write_protect): no
 * write to it may hit the access cache any more. */
void cpu_mmu_write_protect(void *opaque, gfn_t gfn)
{
	tlb_drop_writes_to(opaque, gfn_to_gpa(gfn));
}

/* The MMU zapped shadow entries (struct mmu_config.flush): the access
 * cache's translations of the linear pages la with (la & mask) == match
 * may be stale.  When the mask pins la bits 19:12 they all sit in one
 * slot per access kind; otherwise flush everything. */
void cpu_mmu_flush(void *opaque, gva_t mask, gva_t match)
{
	struct cpu *c = opaque;
	const gva_t slot_bits = (gva_t)(CPU_TLB_SIZE - 1) << PAGE_SHIFT;

	if ((mask & slot_bits) != slot_bits) {
		cpu_tlb_flush(c);
		return;
	}
	for (unsigned acc = 0; acc < CPU_ACC_KINDS; acc++) {
		struct cpu_tlb_entry *e = tlb_slot(c, acc, match);
		if (e->tag != CPU_TLB_EMPTY && (e->tag & mask) == match)
			e->tag = CPU_TLB_EMPTY;
	}
	if (c->fw.page != CPU_TLB_EMPTY && (c->fw.page & mask) == match)
		c->fw.page = CPU_TLB_EMPTY;
	c->stats.tlb_flushes++;
}

void tlb_drop_writes_to(struct cpu *c, gpa_t page)
{
	for (unsigned i = 0; i < CPU_TLB_SIZE; i++) {
		struct cpu_tlb_entry *e = &c->tlb.e[CPU_ACC_WRITE][i];
		if (e->tag != CPU_TLB_EMPTY && e->gpa == page)
			e->tag = CPU_TLB_EMPTY;
	}
}

static const enum mmu_access mmu_access_of[CPU_ACC_KINDS] = {
    [CPU_ACC_READ] = MMU_READ,
    [CPU_ACC_WRITE] = MMU_WRITE,
    [CPU_ACC_FETCH] = MMU_FETCH,
};

/*
 * translate - the page of linear address la for access acc: *gpa, and
 * *hva (NULL when the gpa is not RAM).  Fills the access cache (see the
 * top for what is never cached).  INTERP_FAULT with #PF, or INTERP_EXIT
 * when the MMU cannot walk the guest's paging mode.
 */
static int translate(struct cpu *c, gva_t la, enum cpu_acc acc, bool user, uint8_t **hva,
                     gpa_t *gpa, bool *tracked)
{
	struct mmu_ctx ctx = {.cr0 = c->s.cr0,
	                      .cr3 = c->s.cr3,
	                      .cr4 = c->s.cr4,
	                      .efer = c->s.efer,
	                      .user = user};
	struct mmu_result res;
	struct mmu_fault f;
	int r;

	c->stats.tlb_misses++;
	r = mmu_translate(c->mmu, &ctx, la, mmu_access_of[acc], &res, &f);
	if (r == MMU_PAGE_FAULT) {
		c->exc.cr2 = f.addr;
		return cpu_fault(c, X86_EXC_PF, true, f.error_code);
	}
	if (r != MMU_OK)
		return cpu_internal_exit(c,
		                         "the guest enabled a paging mode the software "
		                         "MMU does not implement (only 4-level long-mode "
		                         "paging is): legacy 32-bit or PAE paging");
	*gpa = res.gpa;
	*hva = res.hva;
	*tracked = res.tracked;
	if (!res.hva)
		return INTERP_OK; /* MMIO: never cached */
	if (res.tracked)
		return INTERP_OK; /* writes to tracked page tables report each time */
	if (acc == CPU_ACC_WRITE && dc_page_has_code(c->dc, gpa_to_gfn(res.gpa)))
		return INTERP_OK; /* writes to code pages take the slow path */
	struct cpu_tlb_entry *e = tlb_slot(c, acc, la);
	e->tag = tlb_tag(la, user);
	e->gpa = res.gpa & PAGE_MASK;
	e->hva = res.hva - PAGE_OFFSET(res.gpa);
	return INTERP_OK;
}

/* One page's worth of an access: where it goes. */
struct piece {
	gva_t la;
	unsigned len;
	uint8_t *hva; /* NULL: MMIO at gpa */
	gpa_t gpa;
	bool tracked; /* a write the MMU must hear of (mmu_write_tracked) */
};

/* Translate the (at most two) pages of [la, la+len) for acc, len <= 4096:
 * fills p[0..*n).  Nothing is accessed. */
static int translate_range(struct cpu *c, gva_t la, unsigned len, enum cpu_acc acc,
                           bool sys, struct piece p[2], unsigned *n)
{
	bool user = c->cpl == 3 && !sys;
	unsigned first = (unsigned)(PAGE_SIZE - PAGE_OFFSET(la));
	gva_t wrap = c->long64 ? ~0ull : 0xffffffffull;
	int rc;

	if (first > len)
		first = len;
	p[0] = (struct piece){.la = la, .len = first};
	*n = 1;
	if (first < len) {
		p[1] = (struct piece){.la = (la + first) & wrap, .len = len - first};
		*n = 2;
	}
	for (unsigned i = 0; i < *n; i++) {
		uint8_t *hit = tlb_hit(c, p[i].la, p[i].len, acc, user);
		if (hit) {
			/* never a tracked page: those are not cached for writes */
			p[i].hva = hit;
			p[i].gpa = tlb_slot(c, acc, p[i].la)->gpa | PAGE_OFFSET(p[i].la);
			continue;
		}
		if ((rc = translate(c, p[i].la, acc, user, &p[i].hva, &p[i].gpa,
		                    &p[i].tracked)))
			return rc;
	}
	return INTERP_OK;
}

/* ---- reads and writes ---------------------------------------------------- */

int mem_read_bytes(struct cpu *c, gva_t la, void *buf, unsigned len, bool sys)
{
	struct piece p[2];
	uint8_t *out = buf;
	unsigned n;
	int rc = translate_range(c, la, len, CPU_ACC_READ, sys, p, &n);

	if (rc)
		return rc;
	for (unsigned i = 0; i < n; i++) {
		if (p[i].hva) {
			memcpy(out, p[i].hva, p[i].len);
		} else {
			uint64_t v;
			if (p[i].len > 8)
				return cpu_internal_exit(
				    c, "an MMIO read wider than 8 bytes");
			if ((rc = io_read(c, CPU_IO_MMIO, p[i].gpa, p[i].len, &v)))
				return rc;
			memcpy(out, &v, p[i].len);
		}
		out += p[i].len;
	}
	return INTERP_OK;
}

int mem_write_bytes(struct cpu *c, gva_t la, const void *buf, unsigned len, bool sys)
{
	struct piece p[2];
	const uint8_t *in = buf;
	unsigned n;
	int rc = translate_range(c, la, len, CPU_ACC_WRITE, sys, p, &n);

	if (rc)
		return rc;
	for (unsigned i = 0; i < n; i++) {
		if (p[i].hva) {
			gfn_t gfn = gpa_to_gfn(p[i].gpa);
			if (dc_page_has_code(c->dc, gfn))
				dc_invalidate_page(c, gfn);
			memcpy(p[i].hva, in, p[i].len);
			if (p[i].tracked)
				mmu_write_tracked(c->mmu, p[i].gpa, p[i].len);
		} else {
			uint64_t v = 0;
			if (p[i].len > 8)
				return cpu_internal_exit(
				    c, "an MMIO write wider than 8 bytes");
			memcpy(&v, in, p[i].len);
			if ((rc = io_write(c, CPU_IO_MMIO, p[i].gpa, p[i].len, v)))
				return rc;
		}
		in += p[i].len;
	}
	return INTERP_OK;
}

int mem_probe_write(struct cpu *c, gva_t la, unsigned len, bool sys)
{
	struct piece p[2];
	unsigned n;

	return translate_range(c, la, len, CPU_ACC_WRITE, sys, p, &n);
}

int mem_read_la(struct cpu *c, gva_t la, unsigned size, uint64_t *v)
{
	uint8_t *p = tlb_hit(c, la, size, CPU_ACC_READ, c->cpl == 3);

	if (__builtin_expect(p != NULL, 1)) {
		*v = cpu_load_le(p, size);
		return INTERP_OK;
	}
	*v = 0;
	return mem_read_bytes(c, la, v, size, false);
}

int mem_write_la(struct cpu *c, gva_t la, unsigned size, uint64_t v)
{
	uint8_t *p = tlb_hit(c, la, size, CPU_ACC_WRITE, c->cpl == 3);

	if (__builtin_expect(p != NULL, 1)) {
		cpu_store_le(p, size, v);
		return INTERP_OK;
	}
	return mem_write_bytes(c, la, &v, size, false);
}

int mem_read_slow(struct cpu *c, unsigned seg, uint64_t off, unsigned size, uint64_t *v)
{
	gva_t la;
	int rc = mem_linear(c, seg, off, size, CPU_ACC_READ, &la);

	return rc ? rc : mem_read_la(c, la, size, v);
}

int mem_write_slow(struct cpu *c, unsigned seg, uint64_t off, unsigned size, uint64_t v)
{
	gva_t la;
	int rc = mem_linear(c, seg, off, size, CPU_ACC_WRITE, &la);

	return rc ? rc : mem_write_la(c, la, size, v);
}

/* ---- operand locations --------------------------------------------------- */

int mem_loc_slow(struct cpu *c, unsigned seg, uint64_t off, unsigned size,
                 enum cpu_acc acc, struct loc *l)
{
	struct piece p[2];
	unsigned n;
	int rc;

	l->kind = LOC_MEM;
	l->size = (uint8_t)size;
	if ((rc = mem_linear(c, seg, off, size, acc, &l->la)))
		return rc;
	l->hva = tlb_hit(c, l->la, size, acc, c->cpl == 3);
	if (__builtin_expect(l->hva != NULL, 1))
		return INTERP_OK;
	/* Translate now (a read-modify-write checks write access before it
	 * reads); keep the host address only for a plain single RAM page. */
	if ((rc = translate_range(c, l->la, size, acc, false, p, &n)))
		return rc;
	if (n == 1 && p[0].hva && !p[0].tracked &&
	    !(acc == CPU_ACC_WRITE && dc_page_has_code(c->dc, gpa_to_gfn(p[0].gpa))))
		l->hva = p[0].hva;
	return INTERP_OK;
}

int loc_read_slow(struct cpu *c, const struct loc *l, uint64_t *v)
{
	*v = 0;
	return mem_read_bytes(c, l->la, v, l->size, false);
}

int loc_write_slow(struct cpu *c, const struct loc *l, uint64_t v)
{
	return mem_write_bytes(c, l->la, &v, l->size, false);
}

/* ---- the stack ----------------------------------------------------------- */

uint64_t stack_rsp(const struct cpu *c)
{
	return c->s.gpr[X86_RSP] & cpu_size_mask(c->stack_size);
}

void stack_set_rsp(struct cpu *c, uint64_t rsp)
{
	cpu_gpr_set(c, X86_RC_GPR, X86_RSP, c->stack_size, rsp);
}

int stack_read(struct cpu *c, int64_t off, unsigned size, uint64_t *v)
{
	uint64_t a = (stack_rsp(c) + (uint64_t)off) & cpu_size_mask(c->stack_size);

	return mem_read(c, X86_SEG_SS, a, size, v);
}

int stack_write_below(struct cpu *c, const void *buf, unsigned len)
{
	uint64_t a = (stack_rsp(c) - len) & cpu_size_mask(c->stack_size);
	gva_t la;
	int rc = mem_linear(c, X86_SEG_SS, a, len, CPU_ACC_WRITE, &la);

	return rc ? rc : mem_write_bytes(c, la, buf, len, false);
}

int stack_push(struct cpu *c, unsigned size, uint64_t v)
{
	uint64_t a = (stack_rsp(c) - size) & cpu_size_mask(c->stack_size);
	int rc = mem_write(c, X86_SEG_SS, a, size, v);

	if (rc)
		return rc;
	stack_set_rsp(c, a);
	return INTERP_OK;
}

/* ---- exits to the core --------------------------------------------------- */

int cpu_internal_exit(struct cpu *c, const char *what)
{
	c->io.exit = (struct vm_exit){.reason = VM_EXIT_INTERNAL};
	c->io.exit.internal.what = what;
	c->io.read_pending = false;
	return INTERP_EXIT;
}

/* Fill c->io.exit for one access of `size` bytes. */
static void io_fill_exit(struct cpu *c, enum cpu_io_kind kind, uint64_t addr,
                         unsigned size, bool is_write)
{
	struct vm_exit *e = &c->io.exit;

	memset(e, 0, sizeof(*e));
	if (kind == CPU_IO_PIO) {
		e->reason = VM_EXIT_IO;
		e->io.port = (uint16_t)addr;
		e->io.size = (uint8_t)size;
		e->io.is_write = is_write;
		e->io.count = 1;
		e->io.data = c->io.data;
		c->stats.io_exits++;
	} else {
		e->reason = VM_EXIT_MMIO;
		e->mmio.addr = addr;
		e->mmio.len = (uint8_t)size;
		e->mmio.is_write = is_write;
		e->mmio.data = c->io.data;
		c->stats.mmio_exits++;
	}
}

int io_read(struct cpu *c, enum cpu_io_kind kind, uint64_t addr, unsigned size,
            uint64_t *v)
{
	struct cpu_io *io = &c->io;

	if (io->cursor < io->ndone) {
		const struct cpu_io_done *d = &io->done[io->cursor];
		if (d->kind == kind && d->addr == addr && d->size == size) {
			io->cursor++;
			*v = d->data;
			return INTERP_OK;
		}
		io->ndone = io->cursor; /* a different access: forget the rest */
	}
	if (io->ndone == CPU_IO_DONE_MAX)
		return cpu_internal_exit(c, "an instruction made more port/MMIO reads "
		                            "than the interpreter can replay");
	io_fill_exit(c, kind, addr, size, false);
	memset(io->data, 0, sizeof(io->data));
	io->read_pending = true;
	return INTERP_EXIT;
}

int io_write(struct cpu *c, enum cpu_io_kind kind, uint64_t addr, unsigned size,
             uint64_t v)
{
	if (cpu_ev_test(c, CPU_EV_EXIT))
		return cpu_internal_exit(c, "an instruction made two port/MMIO writes");
	io_fill_exit(c, kind, addr, size, true);
	memset(c->io.data, 0, sizeof(c->io.data));
	memcpy(c->io.data, &v, size);
	cpu_ev_set(c, CPU_EV_EXIT);
	return INTERP_OK;
}

/* ---- instruction fetch --------------------------------------------------- */

int mem_fetch_translate(struct cpu *c, gva_t la, uint8_t **hva, gpa_t *gpa)
{
	bool user = c->cpl == 3, tracked;
	const struct cpu_tlb_entry *e = tlb_slot(c, CPU_ACC_FETCH, la);
	int rc;

	if (e->tag == tlb_tag(la, user)) {
		*hva = e->hva + PAGE_OFFSET(la);
		*gpa = e->gpa | PAGE_OFFSET(la);
		return INTERP_OK;
	}
	if ((rc = translate(c, la, CPU_ACC_FETCH, user, hva, gpa, &tracked)))
		return rc;
	if (!*hva)
		return cpu_internal_exit(c,
		                         "the guest executes from an address that is not "
		                         "RAM (an MMIO or unbacked guest-physical page)");
	return INTERP_OK;
}
