/*
 * interp_seg.c - segment descriptors and segment-register loads.
 *
 * Protected mode (and long mode, which keeps a little of it) describes
 * each segment by an 8-byte descriptor in the GDT or LDT, named by a
 * selector:
 *
 *   selector:  15                     3  2   1 0
 *             +------------------------+----+---+
 *             | index                  | TI |RPL|   TI: 0 GDT, 1 LDT
 *             +------------------------+----+---+
 *
 *   descriptor (SDM Vol. 3 3.4.5):
 *   63    56 55 54 53 52 51  48 47 46 45 44 43   40 39      16 15      0
 *  +--------+--+--+--+--+------+--+-----+--+-------+----------+---------+
 *  |base hi | G|DB| L|AV|lim hi| P| DPL | S| type  | base lo  | limit lo|
 *  +--------+--+--+--+--+------+--+-----+--+-------+----------+---------+
 *  In long mode, system descriptors (TSS, LDT, gates) take 16 bytes: the
 *  next 8 hold bits 63:32 of the base (or the gate's offset).
 *
 * A load checks the descriptor against the selector's RPL and the CPL and
 * copies it into the register's hidden part (struct x86_segment), where
 * every later access finds base, limit and type.  The interpreter reads
 * descriptors with implicit supervisor accesses and sets their accessed
 * bit as the hardware does.  Call gates and task switches are outside the
 * model (#GP: see docs/interpreter.md).
 */
#include "bt/interp_internal.h"

#define DESC_BYTES 8
#define TSS64_RSP0 4
#define TSS32_ESP0 4
#define TSS16_SP0  2

/* ---- reading descriptors ------------------------------------------------- */

/* Linear address of the descriptor table entry for sel, after the limit
 * check (bytes: 8, or 16 for a long-mode system descriptor). */
static int desc_addr(struct cpu *c, uint16_t sel, unsigned bytes, unsigned vector,
                     bool ext, gva_t *la)
{
	uint64_t base, limit, idx = sel & SEL_INDEX_MASK;
	uint32_t err = SEL_ERR(sel) | (ext ? 1u : 0);

	if (sel & SEL_TI) {
		if (c->s.ldt.unusable || !c->s.ldt.present)
			return cpu_fault(c, vector, true, err);
		base = c->s.ldt.base;
		limit = c->s.ldt.limit;
	} else {
		base = c->s.gdt.base;
		limit = c->s.gdt.limit;
	}
	if (idx + bytes - 1 > limit)
		return cpu_fault(c, vector, true, err);
	*la = base + idx;
	if (!(c->s.efer & X86_EFER_LMA))
		*la &= 0xffffffffull;
	return INTERP_OK;
}

int desc_read(struct cpu *c, uint16_t sel, struct desc *d, unsigned vector, bool ext)
{
	gva_t la = 0;
	int rc = desc_addr(c, sel, DESC_BYTES, vector, ext, &la);

	d->hi = 0;
	return rc ? rc : mem_read_bytes(c, la, &d->lo, DESC_BYTES, true);
}

/* A 16-byte long-mode system descriptor (LDT, TSS). */
static int desc_read16(struct cpu *c, uint16_t sel, struct desc *d, unsigned vector)
{
	gva_t la = 0;
	int rc = desc_addr(c, sel, 2 * DESC_BYTES, vector, false, &la);

	if (rc || (rc = mem_read_bytes(c, la, &d->lo, DESC_BYTES, true)))
		return rc;
	return mem_read_bytes(c, la + DESC_BYTES, &d->hi, DESC_BYTES, true);
}

/* Write the low 8 bytes of sel's descriptor back (accessed or busy bit). */
static int desc_write_lo(struct cpu *c, uint16_t sel, const struct desc *d)
{
	gva_t la = 0;
	int rc = desc_addr(c, sel, DESC_BYTES, X86_EXC_GP, false, &la);

	return rc ? rc : mem_write_bytes(c, la, &d->lo, DESC_BYTES, true);
}

int desc_set_accessed(struct cpu *c, uint16_t sel, struct desc *d)
{
	if (d->lo & DESC_ACCESSED)
		return INTERP_OK;
	d->lo |= DESC_ACCESSED;
	return desc_write_lo(c, sel, d);
}

void desc_to_seg(const struct desc *d, uint16_t sel, struct x86_segment *s)
{
	uint64_t lo = d->lo;
	uint32_t limit = (uint32_t)((lo & 0xffff) | ((lo >> 32) & 0xf0000));
	bool g = (lo >> 55) & 1;

	*s = (struct x86_segment){
	    .base = ((lo >> 16) & 0xffffff) | (((lo >> 56) & 0xff) << 24) |
	            (DESC_S(*d) ? 0 : (d->hi & 0xffffffffull) << 32),
	    .limit = g ? (limit << 12) | 0xfff : limit,
	    .selector = sel,
	    .type = (uint8_t)DESC_TYPE(*d),
	    .present = (uint8_t)DESC_P(*d),
	    .dpl = (uint8_t)DESC_DPL(*d),
	    .db = (uint8_t)DESC_DB(*d),
	    .s = (uint8_t)DESC_S(*d),
	    .l = (uint8_t)DESC_L(*d),
	    .g = g,
	    .avl = (uint8_t)((lo >> 52) & 1),
	};
}

void seg_null(struct x86_segment *s, uint16_t sel)
{
	*s = (struct x86_segment){.selector = sel, .unusable = 1};
}

/* ---- data and stack segment loads ---------------------------------------- */

/* SS (SDM MOV: "IF SS is loaded"): a writable data segment at exactly
 * the CPL; a null selector only in 64-bit mode below CPL 3. */
static int check_ss(struct cpu *c, uint16_t sel, unsigned cpl, bool allow_null,
                    struct desc *d)
{
	int rc;

	if ((sel & SEL_INDEX_MASK) == 0 && !(sel & SEL_TI)) {
		if (allow_null && SEL_RPL(sel) == cpl)
			return INTERP_OK;
		return cpu_gp0(c);
	}
	if ((rc = desc_read(c, sel, d, X86_EXC_GP, false)))
		return rc;
	if (SEL_RPL(sel) != cpl || !DESC_S(*d) || (DESC_TYPE(*d) & SEGT_CODE) ||
	    !(DESC_TYPE(*d) & SEGT_WRITABLE) || DESC_DPL(*d) != cpl)
		return cpu_fault(c, X86_EXC_GP, true, SEL_ERR(sel));
	if (!DESC_P(*d))
		return cpu_fault(c, X86_EXC_SS, true, SEL_ERR(sel));
	return INTERP_OK;
}

/* DS, ES, FS, GS: data or readable code, reachable from CPL and RPL
 * (conforming code from any level); null loads an unusable segment. */
static int check_data(struct cpu *c, uint16_t sel, struct desc *d)
{
	unsigned type;
	int rc;

	if ((rc = desc_read(c, sel, d, X86_EXC_GP, false)))
		return rc;
	type = DESC_TYPE(*d);
	if (!DESC_S(*d) || ((type & SEGT_CODE) && !(type & SEGT_READABLE)))
		return cpu_fault(c, X86_EXC_GP, true, SEL_ERR(sel));
	bool conforming_code = (type & SEGT_CODE) && (type & SEGT_CONFORMING);
	if (!conforming_code && (SEL_RPL(sel) > DESC_DPL(*d) || c->cpl > DESC_DPL(*d)))
		return cpu_fault(c, X86_EXC_GP, true, SEL_ERR(sel));
	if (!DESC_P(*d))
		return cpu_fault(c, X86_EXC_NP, true, SEL_ERR(sel));
	return INTERP_OK;
}

int seg_load(struct cpu *c, unsigned seg, uint16_t sel)
{
	struct x86_segment *s = cpu_seg(c, seg);
	struct desc d;
	int rc;

	if (!c->prot || (c->s.rflags & X86_RFLAGS_VM)) { /* real (or virtual-8086) mode */
		s->selector = sel;
		s->base = (uint64_t)sel << 4;
		s->unusable = 0;
		s->present = 1;
		return INTERP_OK;
	}
	bool null = (sel & SEL_INDEX_MASK) == 0 && !(sel & SEL_TI);
	if (seg == X86_SEG_SS) {
		if ((rc = check_ss(c, sel, c->cpl, c->long64 && c->cpl < 3, &d)))
			return rc;
	} else if (null) {
		/* Intel zeroes the base of a null FS/GS, and so do we */
		seg_null(s, sel);
		return INTERP_OK;
	} else if ((rc = check_data(c, sel, &d))) {
		return rc;
	}
	if (null) { /* SS in 64-bit mode below CPL 3 */
		seg_null(s, sel);
		s->dpl = (uint8_t)c->cpl;
		s->db = 1;
		cpu_update_mode(c);
		return INTERP_OK;
	}
	if ((rc = desc_set_accessed(c, sel, &d)))
		return rc;
	desc_to_seg(&d, sel, s);
	if (seg == X86_SEG_SS)
		cpu_update_mode(c);
	return INTERP_OK;
}

/* ---- code segments: far transfers ---------------------------------------- */

int seg_check_code(struct cpu *c, uint16_t sel, unsigned new_cpl, bool is_ret,
                   struct x86_segment *s)
{
	struct desc d;
	unsigned type, dpl;
	int rc;

	if ((sel & SEL_INDEX_MASK) == 0 && !(sel & SEL_TI))
		return cpu_gp0(c);
	if ((rc = desc_read(c, sel, &d, X86_EXC_GP, false)))
		return rc;
	type = DESC_TYPE(d);
	dpl = DESC_DPL(d);
	/* only code segments: call gates and TSS/task gates are not modelled */
	if (!DESC_S(d) || !(type & SEGT_CODE))
		return cpu_fault(c, X86_EXC_GP, true, SEL_ERR(sel));
	if (is_ret) {
		if (SEL_RPL(sel) < c->cpl ||
		    ((type & SEGT_CONFORMING) ? dpl > SEL_RPL(sel) : dpl != SEL_RPL(sel)))
			return cpu_fault(c, X86_EXC_GP, true, SEL_ERR(sel));
	} else if ((type & SEGT_CONFORMING) ? dpl > c->cpl
	                                    : (SEL_RPL(sel) > c->cpl || dpl != c->cpl)) {
		return cpu_fault(c, X86_EXC_GP, true, SEL_ERR(sel));
	}
	if (!DESC_P(d))
		return cpu_fault(c, X86_EXC_NP, true, SEL_ERR(sel));
	if ((c->s.efer & X86_EFER_LMA) && DESC_L(d) && DESC_DB(d))
		return cpu_fault(c, X86_EXC_GP, true, SEL_ERR(sel));
	if ((rc = desc_set_accessed(c, sel, &d)))
		return rc;
	desc_to_seg(&d, (uint16_t)((sel & ~3u) | new_cpl), s);
	return INTERP_OK;
}

int seg_check_stack(struct cpu *c, uint16_t sel, unsigned new_cpl, struct x86_segment *s)
{
	struct desc d;
	bool null = (sel & SEL_INDEX_MASK) == 0 && !(sel & SEL_TI);
	int rc = check_ss(c, sel, new_cpl, (c->s.efer & X86_EFER_LMA) && new_cpl < 3, &d);

	if (rc)
		return rc;
	if (null) {
		seg_null(s, sel);
		s->dpl = (uint8_t)new_cpl;
		s->db = 1;
		return INTERP_OK;
	}
	if ((rc = desc_set_accessed(c, sel, &d)))
		return rc;
	desc_to_seg(&d, sel, s);
	return INTERP_OK;
}

void seg_set_cs(struct cpu *c, const struct x86_segment *cs)
{
	c->s.cs = *cs;
	cpu_update_mode(c);
}

/* SDM IRET/RET "RETURN-TO-OUTER-PRIVILEGE-LEVEL": data segments the new
 * CPL may not use are nulled.  In 64-bit mode FS/GS keep their base. */
void seg_fixup_outer(struct cpu *c)
{
	static const uint8_t segs[] = {X86_SEG_ES, X86_SEG_DS, X86_SEG_FS, X86_SEG_GS};

	for (unsigned i = 0; i < ARRAY_SIZE(segs); i++) {
		struct x86_segment *s = cpu_seg(c, segs[i]);
		bool conforming = (s->type & SEGT_CODE) && (s->type & SEGT_CONFORMING);
		if (s->unusable || conforming || s->dpl >= c->cpl)
			continue;
		uint64_t base = s->base;
		seg_null(s, 0);
		if (c->long64 && (segs[i] == X86_SEG_FS || segs[i] == X86_SEG_GS))
			s->base = base;
	}
}

/* ---- the task-state segment ---------------------------------------------- */

/* Read `len` bytes at offset off of the TSS (#TS(TR) beyond its limit). */
static int tss_read(struct cpu *c, unsigned off, void *buf, unsigned len, bool ext)
{
	const struct x86_segment *tr = &c->s.tr;

	if (tr->unusable || !tr->present || off + len - 1 > tr->limit)
		return cpu_fault(c, X86_EXC_TS, true,
		                 SEL_ERR(tr->selector) | (ext ? 1u : 0));
	return mem_read_bytes(c, tr->base + off, buf, len, true);
}

int tss_read_rsp64(struct cpu *c, unsigned offset, uint64_t *rsp, bool ext)
{
	*rsp = 0;
	return tss_read(c, offset, rsp, sizeof(*rsp), ext);
}

int tss_read_ss_esp32(struct cpu *c, unsigned cpl, uint16_t *ss, uint32_t *esp, bool ext)
{
	int rc;

	*ss = 0;
	*esp = 0;
	if (c->s.tr.type == SYST_TSS_BUSY || c->s.tr.type == SYST_TSS_AVAIL) {
		if ((rc = tss_read(c, TSS32_ESP0 + 8 * cpl, esp, 4, ext)))
			return rc;
		return tss_read(c, TSS32_ESP0 + 8 * cpl + 4, ss, 2, ext);
	}
	uint16_t sp = 0;
	if ((rc = tss_read(c, TSS16_SP0 + 4 * cpl, &sp, 2, ext)))
		return rc;
	*esp = sp;
	return tss_read(c, TSS16_SP0 + 4 * cpl + 2, ss, 2, ext);
}

/* ---- LLDT and LTR (called from interp_system.c) -------------------------- */

/* Load LDTR (a null selector makes it unusable) or TR (an available TSS,
 * marked busy in the GDT). */
int seg_load_system(struct cpu *c, uint16_t sel, bool is_tr)
{
	struct desc d;
	struct x86_segment s;
	bool lma = c->s.efer & X86_EFER_LMA;
	int rc;

	if ((sel & SEL_INDEX_MASK) == 0 && !(sel & SEL_TI)) {
		if (is_tr)
			return cpu_gp0(c);
		seg_null(&c->s.ldt, sel);
		return INTERP_OK;
	}
	if (sel & SEL_TI)
		return cpu_fault(c, X86_EXC_GP, true, SEL_ERR(sel));
	rc = lma ? desc_read16(c, sel, &d, X86_EXC_GP)
	         : desc_read(c, sel, &d, X86_EXC_GP, false);
	if (rc)
		return rc;
	unsigned type = DESC_TYPE(d);
	bool ok = is_tr ? type == SYST_TSS_AVAIL || (!lma && type == SYST_TSS16_AVAIL)
	                : type == SYST_LDT;
	if (DESC_S(d) || !ok)
		return cpu_fault(c, X86_EXC_GP, true, SEL_ERR(sel));
	if (lma && ((d.hi >> 40) & 0x1f) != 0)
		return cpu_fault(c, X86_EXC_GP, true, SEL_ERR(sel));
	if (!DESC_P(d))
		return cpu_fault(c, X86_EXC_NP, true, SEL_ERR(sel));
	if (is_tr) {
		d.lo |= (uint64_t)2 << 40; /* busy */
		if ((rc = desc_write_lo(c, sel, &d)))
			return rc;
	}
	desc_to_seg(&d, sel, &s);
	if (is_tr)
		c->s.tr = s;
	else
		c->s.ldt = s;
	return INTERP_OK;
}
