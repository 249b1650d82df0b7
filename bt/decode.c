/*
 * decode.c - the x86 decoder engine: walks an instruction's bytes in the
 * order the CPU does and fills a struct x86_insn.
 *
 *   prefixes -> REX -> opcode map -> table row (escapes by ModRM, prefix,
 *   mode, REX) -> validity -> sizes -> ModRM/SIB -> displacement ->
 *   immediates -> operand list
 *
 * What each opcode means lives in the tables (bt/decode_tables.c); this
 * file only knows the instruction format.  Every byte is read through
 * fetch(), which enforces both the caller's `avail` (-EAGAIN) and the
 * architectural 15-byte limit (#GP).
 */
#include <errno.h>
#include <string.h>

#include "bt/decode.h"
#include "bt/decode_tables.h"

/* Prefix bytes */
#define PFX_LOCK 0xf0
#define PFX_REPNE 0xf2
#define PFX_REP 0xf3
#define PFX_OPSIZE 0x66
#define PFX_ADDRSIZE 0x67
#define PFX_ES 0x26
#define PFX_CS 0x2e
#define PFX_SS 0x36
#define PFX_DS 0x3e
#define PFX_FS 0x64
#define PFX_GS 0x65
#define REX_MIN 0x40
#define REX_MAX 0x4f
#define REX_W 0x08
#define REX_R 0x04
#define REX_X 0x02
#define REX_B 0x01

/* Escape bytes */
#define ESC_0F 0x0f
#define ESC_0F38 0x38
#define ESC_0F3A 0x3a
#define ESC_3DNOW 0x0f
#define ESC_VEX3 0xc4
#define ESC_VEX2 0xc5
#define ESC_EVEX 0x62
#define ESC_XOP 0x8f

/* ModRM and SIB fields */
#define MODRM_MOD(b) ((b) >> 6)
#define MODRM_REG(b) (((b) >> 3) & 7)
#define MODRM_RM(b) ((b)&7)
#define MOD_REG 3      /* mod=11: rm is a register */
#define RM_SIB 4       /* rm=100: a SIB byte follows */
#define RM_DISP32 5    /* mod=00 rm=101: disp32 (RIP-relative in 64-bit mode) */
#define SIB_NOINDEX 4  /* index=100 without REX.X: no index */
#define SIB_NOBASE 5   /* base=101 with mod=00: no base, disp32 */
#define RM16_DISP16 6  /* 16-bit addressing mod=00 rm=110: disp16 only */

/* Control and debug registers that exist */
#define CR_VALID_MASK ((1u << 0) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 8))
#define DR_COUNT 8

/* Decoder state beyond what the caller sees. */
struct decoder {
	const uint8_t *buf;
	size_t avail;
	unsigned pos;            /* next byte to read */
	enum x86_mode mode;
	struct x86_insn *insn;
	uint8_t seg_fsgs;        /* last FS/GS override: what 64-bit mode obeys */
	uint8_t osz;             /* operand-size attribute: 2, 4 or 8 */
	uint8_t nimm;            /* immediates read so far */
	struct x86_mem modrm_mem; /* the ModRM memory operand, if any */
};

/* Record why decoding failed; returns `status`. */
static int fail(struct decoder *d, int status, enum x86_decode_error err)
{
	d->insn->error = err;
	return status;
}

/*
 * fetch - read the next instruction byte into *b.  Returns 0, -EAGAIN when
 * the caller's bytes end, or X86_DECODE_GP at the 16th byte.
 */
static int fetch(struct decoder *d, uint8_t *b)
{
	if (d->pos >= X86_MAX_INSN_LEN)
		return fail(d, X86_DECODE_GP, X86_ERR_TOO_LONG);
	if (d->pos >= d->avail)
		return -EAGAIN;
	*b = d->buf[d->pos];
	d->insn->bytes[d->pos++] = *b;
	return 0;
}

/* peek - like fetch, but leaves the byte unread. */
static int peek(struct decoder *d, uint8_t *b)
{
	int r = fetch(d, b);

	if (r == 0)
		d->pos--;
	return r;
}

/* fetch_le - read an n-byte little-endian value (n <= 8), zero-extended. */
static int fetch_le(struct decoder *d, unsigned n, uint64_t *v)
{
	*v = 0;
	for (unsigned i = 0; i < n; i++) {
		uint8_t b;
		int r = fetch(d, &b);
		if (r)
			return r;
		*v |= (uint64_t)b << (8 * i);
	}
	return 0;
}

/* Low `size` bytes set; size >= 8 is all ones. */
static uint64_t size_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* Sign-extend the low `size` bytes (1..8) of v. */
static int64_t sign_extend(uint64_t v, unsigned size)
{
	unsigned shift = 64 - 8 * size;

	if (size == 0 || size >= 8)
		return (int64_t)v;
	return (int64_t)(v << shift) >> shift;
}

/* ---- prefixes ------------------------------------------------------------ */

/* Is b a segment-override prefix?  Then *seg is its register. */
static bool legacy_segment(uint8_t b, uint8_t *seg)
{
	switch (b) {
	case PFX_ES: *seg = X86_SEG_ES; return true;
	case PFX_CS: *seg = X86_SEG_CS; return true;
	case PFX_SS: *seg = X86_SEG_SS; return true;
	case PFX_DS: *seg = X86_SEG_DS; return true;
	case PFX_FS: *seg = X86_SEG_FS; return true;
	case PFX_GS: *seg = X86_SEG_GS; return true;
	}
	return false;
}

/*
 * decode_prefixes - consume legacy prefixes and REX; leave the first opcode
 * byte in *op.  A REX counts only if it comes last: a legacy prefix after
 * it makes the CPU ignore it (SDM Vol. 2 2.2.1).
 */
static int decode_prefixes(struct decoder *d, uint8_t *op)
{
	struct x86_insn *in = d->insn;

	for (;;) {
		uint8_t b, seg;
		int r = fetch(d, &b);
		if (r)
			return r;
		if (b >= REX_MIN && b <= REX_MAX && d->mode == X86_MODE_64) {
			in->rex = b;
			continue;
		}
		if (legacy_segment(b, &seg)) {
			in->seg = seg;
			if (seg == X86_SEG_FS || seg == X86_SEG_GS)
				d->seg_fsgs = seg;
		} else if (b == PFX_OPSIZE) {
			in->opsize_pfx = true;
		} else if (b == PFX_ADDRSIZE) {
			in->addrsize_pfx = true;
		} else if (b == PFX_LOCK) {
			in->lock = true;
		} else if (b == PFX_REP) {
			in->rep = X86_REP_REPE;
		} else if (b == PFX_REPNE) {
			in->rep = X86_REP_REPNE;
		} else {
			*op = b;
			break;
		}
		in->rex = 0; /* a REX before a legacy prefix is ignored */
	}
	in->npfx = (uint8_t)(d->pos - 1);
	in->rex_w = in->rex & REX_W;
	in->rex_r = in->rex & REX_R;
	in->rex_x = in->rex & REX_X;
	in->rex_b = in->rex & REX_B;
	return 0;
}

/* ---- VEX, EVEX, XOP, 3DNow!: measured, not described ---------------------- */

/* The legacy-map opcodes that keep an imm8 in VEX/EVEX form. */
static bool vex_has_imm8(uint8_t map, uint8_t op)
{
	if (map == X86_MAP_0F3A)
		return true;
	return map == X86_MAP_0F &&
	       ((op >= 0x70 && op <= 0x73) || op == 0xc2 || (op >= 0xc4 && op <= 0xc6));
}

/* VEX.pp: the implied mandatory prefix */
static const uint8_t vex_pp_prefix[4] = { 0, PFX_OPSIZE, PFX_REP, PFX_REPNE };

/*
 * decode_vex - after C4/C5/62/8F has been taken as a VEX-family escape:
 * read its payload and the opcode, and pick the length-only row.
 *
 *   C5 [R vvvv L pp]                    2-byte VEX, map 0F
 *   C4 [R X B mmmmm] [W vvvv L pp]      3-byte VEX, maps 0F/0F38/0F3A
 *   8F [R X B mmmmm] [W vvvv L pp]      XOP, maps 8/9/10
 *   62 [R X B R' 0 0 mm] [W vvvv 1 pp] [z L'L b V' aaa]   EVEX
 * R, X, B are stored inverted.
 */
static int decode_vex(struct decoder *d, uint8_t esc, const struct x86_opcode **row)
{
	struct x86_insn *in = d->insn;
	uint8_t p0, p1 = 0, p2, mmmmm;
	int r;

	if (in->opsize_pfx || in->rep || in->lock || in->rex)
		return fail(d, X86_DECODE_UD, X86_ERR_VEX_PREFIX);
	in->vex = esc;
	if ((r = fetch(d, &p0)))
		return r;
	if (esc == ESC_VEX2) {
		/* expand to the 3-byte form: X=B=0 (stored as 1s), map 0F, W=0 */
		p1 = p0 & 0x7f;
		p0 = (uint8_t)((p0 & 0x80) | 0x60 | 1);
	} else if ((r = fetch(d, &p1))) {
		return r;
	}
	if (esc == ESC_EVEX) {
		if ((p0 & 0x0c) || !(p1 & 0x04))
			return fail(d, X86_DECODE_UD, X86_ERR_OPCODE);
		if ((r = fetch(d, &p2)))
			return r;
	}
	mmmmm = p0 & (esc == ESC_EVEX ? 0x03 : 0x1f);
	if (d->mode == X86_MODE_64) {
		in->rex_r = !(p0 & 0x80);
		in->rex_x = !(p0 & 0x40);
		in->rex_b = !(p0 & 0x20);
		in->rex_w = p1 & 0x80;
	}
	in->mandatory = vex_pp_prefix[p1 & 3];
	if ((r = fetch(d, &in->opcode)))
		return r;

	if (esc == ESC_XOP) {
		static const struct x86_opcode *const xop_rows[3] = {
			&x86_row_xop_ib, &x86_row_xop, &x86_row_xop_id,
		};
		if (mmmmm < 8 || mmmmm > 10)
			return fail(d, X86_DECODE_UD, X86_ERR_OPCODE);
		in->map = (uint8_t)(X86_MAP_XOP8 + (mmmmm - 8));
		*row = xop_rows[mmmmm - 8];
		return 0;
	}
	if (mmmmm < 1 || mmmmm > 3)
		return fail(d, X86_DECODE_UD, X86_ERR_OPCODE);
	in->map = (uint8_t)(X86_MAP_0F + (mmmmm - 1));
	if (esc == ESC_EVEX)
		*row = vex_has_imm8(in->map, in->opcode) ? &x86_row_evex_ib : &x86_row_evex;
	else if (in->map == X86_MAP_0F && in->opcode == 0x77)
		*row = &x86_row_vex_nomodrm; /* VZEROUPPER, VZEROALL */
	else
		*row = vex_has_imm8(in->map, in->opcode) ? &x86_row_vex_ib : &x86_row_vex;
	return 0;
}

/*
 * is_vex_escape - C4/C5 (VEX), 62 (EVEX): always in 64-bit mode; elsewhere
 * only when the next byte has mod=11, which LES/LDS/BOUND cannot use.
 * 8F (XOP): when the next byte's low 5 bits (XOP's map) are 8 or more,
 * which POP Ev (reg=0) cannot produce.
 */
static int is_vex_escape(struct decoder *d, uint8_t op, bool *yes)
{
	uint8_t next;
	int r;

	*yes = false;
	if (op != ESC_VEX3 && op != ESC_VEX2 && op != ESC_EVEX && op != ESC_XOP)
		return 0;
	if (op != ESC_XOP && d->mode == X86_MODE_64) {
		*yes = true;
		return 0;
	}
	if ((r = peek(d, &next)))
		return r;
	if (op == ESC_XOP)
		*yes = (next & 0x1f) >= 8;
	else
		*yes = MODRM_MOD(next) == MOD_REG;
	return 0;
}

/* ---- opcode and table walk ----------------------------------------------- */

/* decode_opcode - read the escape and opcode bytes and find the first row. */
static int decode_opcode(struct decoder *d, uint8_t op, const struct x86_opcode **row)
{
	struct x86_insn *in = d->insn;
	const struct x86_opcode *map = x86_map_onebyte, *dflt = NULL;
	bool vex;
	int r;

	if ((r = is_vex_escape(d, op, &vex)))
		return r;
	if (vex)
		return decode_vex(d, op, row);
	in->map = X86_MAP_NONE;
	in->opcode = op;
	if (op == ESC_0F) {
		if ((r = fetch(d, &in->opcode)))
			return r;
		in->map = X86_MAP_0F;
		map = x86_map_0f;
		if (in->opcode == ESC_0F38 || in->opcode == ESC_0F3A) {
			bool is38 = in->opcode == ESC_0F38;
			in->map = is38 ? X86_MAP_0F38 : X86_MAP_0F3A;
			map = is38 ? x86_map_0f38 : x86_map_0f3a;
			dflt = is38 ? &x86_row_0f38_default : &x86_row_0f3a_default;
			if ((r = fetch(d, &in->opcode)))
				return r;
		} else if (in->opcode == ESC_3DNOW) {
			in->map = X86_MAP_3DNOW; /* opcode: the suffix, read last */
			*row = &x86_row_3dnow;
			return 0;
		}
	}
	*row = &map[in->opcode];
	if (dflt && (*row)->mnem == X86_I_INVALID && (*row)->esc == X86_ESC_NONE)
		*row = dflt;
	return 0;
}

/* need_modrm - read the ModRM byte if not yet read; fill mod/reg/rm. */
static int need_modrm(struct decoder *d)
{
	struct x86_insn *in = d->insn;
	int r;

	if (in->has_modrm)
		return 0;
	if ((r = fetch(d, &in->modrm)))
		return r;
	in->has_modrm = true;
	in->mod = MODRM_MOD(in->modrm);
	in->reg = (uint8_t)(MODRM_REG(in->modrm) | (in->rex_r ? 8 : 0));
	in->rm = (uint8_t)(MODRM_RM(in->modrm) | (in->rex_b ? 8 : 0));
	return 0;
}

/* Two rows describe the same instruction (e.g. BSF with and without 66). */
static bool same_row(const struct x86_opcode *a, const struct x86_opcode *b)
{
	return a->mnem == b->mnem && a->esc == b->esc && a->flags == b->flags &&
	       a->sub == b->sub && !memcmp(a->op, b->op, sizeof(a->op));
}

/* The row an X86_ESC_PREFIX escape selects: F2/F3 (the last one) beat 66. */
static const struct x86_opcode *prefix_row(struct decoder *d, const struct x86_opcode *e)
{
	static const uint8_t slot_prefix[4] = { 0, PFX_OPSIZE, PFX_REP, PFX_REPNE };
	struct x86_insn *in = d->insn;
	unsigned slot = 0;

	if (in->rep == X86_REP_REPE)
		slot = 2;
	else if (in->rep == X86_REP_REPNE)
		slot = 3;
	else if (in->opsize_pfx)
		slot = 1;
	/* A prefix is "mandatory" (consumed) only if it changed the row. */
	if (slot && !same_row(&e->sub[slot], &e->sub[0]))
		in->mandatory = slot_prefix[slot];
	return &e->sub[slot];
}

/* walk_escapes - follow escape rows down to an instruction row. */
static int walk_escapes(struct decoder *d, const struct x86_opcode **rowp)
{
	struct x86_insn *in = d->insn;
	const struct x86_opcode *row = *rowp;
	int r;

	while (row->esc != X86_ESC_NONE) {
		switch (row->esc) {
		case X86_ESC_REG:
		case X86_ESC_MOD:
		case X86_ESC_RM:
			if ((r = need_modrm(d)))
				return r;
			if (row->esc == X86_ESC_REG)
				row = &row->sub[MODRM_REG(in->modrm)];
			else if (row->esc == X86_ESC_MOD)
				row = &row->sub[in->mod == MOD_REG];
			else
				row = &row->sub[MODRM_RM(in->modrm)];
			break;
		case X86_ESC_PREFIX:
			row = prefix_row(d, row);
			break;
		case X86_ESC_MODE64:
			row = &row->sub[d->mode == X86_MODE_64];
			break;
		case X86_ESC_REXW:
			row = &row->sub[in->rex_w];
			break;
		case X86_ESC_REXB:
			row = &row->sub[in->rex_b];
			break;
		case X86_ESC_NONE:
			break;
		}
	}
	*rowp = row;
	return 0;
}

/* ---- sizes ----------------------------------------------------------------- */

/*
 * operand_size_attr - the operand-size attribute (SDM Vol. 1 3.6, Vol. 2
 * 2.2.1.2): REX.W beats 66; in 64-bit mode d64 rows default to 64 bits and
 * f64 rows are always 64 bits (66 is ignored: Intel's behaviour on near
 * branches; AMD CPUs honour it - see docs/decoder.md).
 */
static uint8_t operand_size_attr(const struct decoder *d, uint32_t flags)
{
	const struct x86_insn *in = d->insn;
	bool o16 = in->opsize_pfx && in->mandatory != PFX_OPSIZE;

	switch (d->mode) {
	case X86_MODE_16:
		return o16 ? 4 : 2;
	case X86_MODE_32:
		return o16 ? 2 : 4;
	case X86_MODE_64:
		break;
	}
	if ((flags & X86_F_F64) || in->rex_w)
		return 8;
	if (o16)
		return 2;
	return (flags & X86_F_D64) ? 8 : 4;
}

/* The address size: the mode's default, switched by 67. */
static uint8_t address_size(enum x86_mode mode, bool a67)
{
	switch (mode) {
	case X86_MODE_16:
		return a67 ? 4 : 2;
	case X86_MODE_32:
		return a67 ? 2 : 4;
	case X86_MODE_64:
		break;
	}
	return a67 ? 4 : 8;
}

/* Size in bytes of an operand of type `ot` (is_reg: a register operand). */
static uint8_t ot_size(const struct decoder *d, uint8_t ot, bool is_reg)
{
	uint8_t osz = d->osz;
	bool m64 = d->mode == X86_MODE_64;

	switch (ot) {
	case X86_OT_b: case X86_OT_bs: return 1;
	case X86_OT_w: return 2;
	case X86_OT_d: return 4;
	case X86_OT_q: return 8;
	case X86_OT_dq: return 16;
	case X86_OT_v: return osz;
	case X86_OT_z: return osz == 2 ? 2 : 4;
	case X86_OT_y: return osz == 8 ? 8 : 4;
	case X86_OT_p: return (uint8_t)(osz + 2);
	case X86_OT_s: return m64 ? 10 : 6;
	case X86_OT_a: return (uint8_t)(2 * osz);
	case X86_OT_dqm: return m64 ? 8 : 4;
	case X86_OT_RvMw: return is_reg ? osz : 2;
	case X86_OT_RzMw: return is_reg ? (osz == 2 ? 2 : 4) : 2;
	}
	return 0; /* X86_OT_NONE, X86_OT_x: not described */
}

/*
 * A byte operation (insn->opsize = 1): the first operand that carries data
 * (not an immediate, not the DX port number) is a byte.  MOVZX Gv,Eb is not
 * one; OUT DX,AL is.
 */
static bool is_byte_op(const struct x86_opcode *row)
{
	for (unsigned i = 0; i < X86_MAX_OPNDS && row->op[i].am; i++) {
		const struct x86_opspec *s = &row->op[i];
		if (s->am == X86_AM_I || s->am == X86_AM_J || s->am == X86_AM_ONE)
			continue;
		if (s->am == X86_AM_FIXED && s->reg == X86_RDX && s->ot == X86_OT_w)
			continue;
		return s->ot == X86_OT_b;
	}
	return false;
}

/* ---- ModRM memory operands ------------------------------------------------- */

/* rSP and rBP bases address the stack segment (SDM Vol. 1 3.7.4). */
static uint8_t default_seg(uint8_t base)
{
	return (base == X86_RSP || base == X86_RBP) ? X86_SEG_SS : X86_SEG_DS;
}

/* The segment a memory operand uses: 64-bit mode ignores CS/DS/ES/SS
 * overrides (they do not even cancel an earlier FS/GS one). */
static uint8_t effective_seg(const struct decoder *d, uint8_t dflt)
{
	if (d->mode == X86_MODE_64)
		return d->seg_fsgs != X86_SEG_NONE ? d->seg_fsgs : dflt;
	return d->insn->seg != X86_SEG_NONE ? d->insn->seg : dflt;
}

/* read_disp - a ModRM displacement of `size` bytes, sign-extended. */
static int read_disp(struct decoder *d, unsigned size)
{
	struct x86_insn *in = d->insn;
	uint64_t v;
	int r;

	in->disp_off = (uint8_t)d->pos;
	if ((r = fetch_le(d, size, &v)))
		return r;
	in->disp = sign_extend(v, size);
	in->disp_size = (uint8_t)size;
	return 0;
}

/*
 * 16-bit addressing (SDM Vol. 2 Table 2-1):
 *   rm  000 BX+SI  001 BX+DI  010 BP+SI  011 BP+DI  100 SI  101 DI  110 BP  111 BX
 *   mod=00 rm=110 is a bare disp16; mod=01 adds disp8, mod=10 disp16.
 */
static int decode_mem16(struct decoder *d)
{
	static const uint8_t base16[8] = {
		X86_RBX, X86_RBX, X86_RBP, X86_RBP, X86_RSI, X86_RDI, X86_RBP, X86_RBX,
	};
	static const uint8_t index16[8] = {
		X86_RSI, X86_RDI, X86_RSI, X86_RDI, X86_NOREG, X86_NOREG, X86_NOREG, X86_NOREG,
	};
	struct x86_insn *in = d->insn;
	unsigned rm = MODRM_RM(in->modrm);

	in->base = base16[rm];
	in->index = index16[rm];
	if (in->mod == 0 && rm == RM16_DISP16) {
		in->base = X86_NOREG;
		return read_disp(d, 2);
	}
	if (in->mod == 1)
		return read_disp(d, 1);
	if (in->mod == 2)
		return read_disp(d, 2);
	return 0;
}

/*
 * 32/64-bit addressing (SDM Vol. 2 Tables 2-2, 2-3): rm=100 brings a SIB;
 * mod=00 rm=101 is disp32, RIP-relative in 64-bit mode; SIB base=101 with
 * mod=00 is "no base, disp32"; SIB index=100 is "no index" unless REX.X.
 * REX.B does not change these special cases (r12 needs a SIB, r13 a disp).
 */
static int decode_mem32(struct decoder *d)
{
	struct x86_insn *in = d->insn;
	unsigned rm = MODRM_RM(in->modrm);
	int r;

	in->base = in->rm;
	if (rm == RM_SIB) {
		unsigned idx;
		if ((r = fetch(d, &in->sib)))
			return r;
		in->has_sib = true;
		in->scale = (uint8_t)(1u << MODRM_MOD(in->sib));
		idx = MODRM_REG(in->sib) | (in->rex_x ? 8 : 0);
		in->index = idx == SIB_NOINDEX ? X86_NOREG : (uint8_t)idx;
		in->base = (uint8_t)(MODRM_RM(in->sib) | (in->rex_b ? 8 : 0));
		if (in->mod == 0 && MODRM_RM(in->sib) == SIB_NOBASE) {
			in->base = X86_NOREG;
			return read_disp(d, 4);
		}
	} else if (in->mod == 0 && rm == RM_DISP32) {
		in->rip_rel = d->mode == X86_MODE_64;
		in->base = in->rip_rel ? X86_RIPREG : X86_NOREG;
		return read_disp(d, 4);
	}
	if (in->mod == 1)
		return read_disp(d, 1);
	if (in->mod == 2)
		return read_disp(d, 4);
	return 0;
}

/* decode_modrm_mem - SIB and displacement of a ModRM memory operand. */
static int decode_modrm_mem(struct decoder *d)
{
	struct x86_insn *in = d->insn;
	struct x86_mem *m = &d->modrm_mem;
	int r;

	in->scale = 1;
	in->index = X86_NOREG;
	r = in->addrsize == 2 ? decode_mem16(d) : decode_mem32(d);
	if (r)
		return r;
	m->base = in->base;
	m->index = in->index;
	m->scale = in->scale;
	m->disp = in->disp;
	m->addr_size = in->addrsize;
	m->seg = effective_seg(d, in->base == X86_RIPREG ? X86_SEG_DS : default_seg(in->base));
	return 0;
}

/* ---- validity --------------------------------------------------------------- */

/* The row's instruction has a ModRM byte (an operand lives there, or the
 * row says so). */
static bool uses_modrm(const struct x86_opcode *row)
{
	if (row->flags & X86_F_MODRM)
		return true;
	for (unsigned i = 0; i < X86_MAX_OPNDS; i++) {
		switch (row->op[i].am) {
		case X86_AM_C: case X86_AM_D: case X86_AM_E: case X86_AM_G:
		case X86_AM_M: case X86_AM_R: case X86_AM_S:
			return true;
		}
	}
	return false;
}

/* check_operands - register forms, memory forms and register numbers that
 * the encoding allows but the CPU rejects with #UD. */
static int check_operands(struct decoder *d, const struct x86_opcode *row)
{
	struct x86_insn *in = d->insn;
	bool regform = in->mod == MOD_REG || (row->flags & X86_F_MODREG);

	for (unsigned i = 0; i < X86_MAX_OPNDS; i++) {
		switch (row->op[i].am) {
		case X86_AM_M:
			if (regform)
				return fail(d, X86_DECODE_UD, X86_ERR_MODRM_FORM);
			break;
		case X86_AM_R:
			if (!regform)
				return fail(d, X86_DECODE_UD, X86_ERR_MODRM_FORM);
			break;
		case X86_AM_S: /* six segment registers; CS cannot be loaded */
			if (MODRM_REG(in->modrm) > X86_SEG_GS ||
			    (i == 0 && MODRM_REG(in->modrm) == X86_SEG_CS))
				return fail(d, X86_DECODE_UD, X86_ERR_REGISTER);
			break;
		case X86_AM_C:
			if (!(CR_VALID_MASK & (1u << in->reg)))
				return fail(d, X86_DECODE_UD, X86_ERR_REGISTER);
			break;
		case X86_AM_D:
			if (in->reg >= DR_COUNT)
				return fail(d, X86_DECODE_UD, X86_ERR_REGISTER);
			break;
		}
	}
	return 0;
}

/* check_row - mode and LOCK rules, once the row and ModRM are known. */
static int check_row(struct decoder *d, const struct x86_opcode *row)
{
	struct x86_insn *in = d->insn;
	bool m64 = d->mode == X86_MODE_64;

	if (row->mnem == X86_I_INVALID)
		return fail(d, X86_DECODE_UD, X86_ERR_OPCODE);
	if ((m64 && (row->flags & X86_F_I64)) || (!m64 && (row->flags & X86_F_O64)))
		return fail(d, X86_DECODE_UD, X86_ERR_MODE);
	/* LOCK needs a lockable instruction with a memory destination (SDM
	 * Vol. 2 LOCK: "#UD if the destination operand is not memory") */
	if (in->lock && (!(row->flags & X86_F_LOCK) || !in->has_modrm || in->mod == MOD_REG))
		return fail(d, X86_DECODE_UD, X86_ERR_LOCK);
	return check_operands(d, row);
}

/* ---- immediates ------------------------------------------------------------- */

/* Record an immediate in insn->imm, or imm2 for the second one. */
static void store_imm(struct decoder *d, uint64_t v, unsigned size)
{
	struct x86_insn *in = d->insn;

	if (d->nimm++ == 0) {
		in->imm = v;
		in->imm_size = (uint8_t)size;
	} else {
		in->imm2 = v;
		in->imm2_size = (uint8_t)size;
	}
}

/* The encoded size of an immediate, relative offset or moffs. */
static unsigned imm_bytes(const struct decoder *d, const struct x86_opspec *s)
{
	if (s->am == X86_AM_O)
		return d->insn->addrsize;
	if (s->am == X86_AM_A)
		return d->osz == 2 ? 2 : 4;
	switch (s->ot) {
	case X86_OT_b: case X86_OT_bs: return 1;
	case X86_OT_w: return 2;
	case X86_OT_d: return 4;
	case X86_OT_z: return d->osz == 2 ? 2 : 4;
	case X86_OT_v: return d->osz;
	}
	return 0;
}

/*
 * read_immediate - one I/J/A/O operand's bytes.  Values are stored extended
 * the way the instruction uses them: Ibs and Iz sign-extended to the operand
 * size, other immediates zero-extended, J offsets sign-extended, a moffs
 * zero-extended into the displacement.
 */
static int read_immediate(struct decoder *d, const struct x86_opspec *s)
{
	struct x86_insn *in = d->insn;
	unsigned n = imm_bytes(d, s);
	unsigned off = d->pos;
	uint64_t v, sel;
	int r;

	if ((r = fetch_le(d, n, &v)))
		return r;
	if (d->nimm == 0 && s->am != X86_AM_O)
		in->imm_off = (uint8_t)off;
	switch (s->am) {
	case X86_AM_O:
		in->disp = (int64_t)v;
		in->disp_size = (uint8_t)n;
		in->disp_off = (uint8_t)off;
		return 0;
	case X86_AM_J:
		store_imm(d, (uint64_t)sign_extend(v, n), n);
		return 0;
	case X86_AM_A: /* ptr16:16 / ptr16:32: offset first, then selector */
		if ((r = fetch_le(d, 2, &sel)))
			return r;
		store_imm(d, v, n);
		store_imm(d, sel, 2);
		return 0;
	}
	if (s->ot == X86_OT_bs || (s->ot == X86_OT_z && d->osz == 8))
		v = (uint64_t)sign_extend(v, n) & size_mask(d->osz);
	store_imm(d, v, n);
	return 0;
}

/* read_immediates - the row's immediate operands, in operand order. */
static int read_immediates(struct decoder *d, const struct x86_opcode *row)
{
	for (unsigned i = 0; i < X86_MAX_OPNDS; i++) {
		uint8_t am = row->op[i].am;
		int r;
		if (am != X86_AM_I && am != X86_AM_J && am != X86_AM_A && am != X86_AM_O)
			continue;
		if ((r = read_immediate(d, &row->op[i])))
			return r;
	}
	return 0;
}

/* ---- the operand list --------------------------------------------------------- */

/* A general-register operand of `size` bytes. */
static void set_gpr(struct x86_operand *o, const struct x86_insn *in, unsigned num,
		    unsigned size)
{
	o->kind = X86_OPND_REG;
	o->size = (uint8_t)size;
	o->reg.cls = X86_RC_GPR;
	o->reg.num = (uint8_t)num;
	/* Without REX, byte registers 4..7 are AH, CH, DH, BH (SDM Vol. 1 3.4.1.1) */
	if (size == 1 && !in->rex && num >= 4 && num < 8) {
		o->reg.cls = X86_RC_GPR8H;
		o->reg.num = (uint8_t)(num - 4);
	}
}

/* A segment, control or debug register operand. */
static void set_reg(struct x86_operand *o, unsigned cls, unsigned num, unsigned size)
{
	o->kind = X86_OPND_REG;
	o->size = (uint8_t)size;
	o->reg.cls = (uint8_t)cls;
	o->reg.num = (uint8_t)num;
}

/* A memory operand at seg:[base] (string operands, moffs). */
static void set_string_mem(struct decoder *d, struct x86_operand *o, uint8_t base,
			   uint8_t seg, unsigned size)
{
	o->kind = X86_OPND_MEM;
	o->size = (uint8_t)size;
	o->mem.seg = seg;
	o->mem.base = base;
	o->mem.index = X86_NOREG;
	o->mem.scale = 1;
	o->mem.addr_size = d->insn->addrsize;
	o->mem.disp = 0;
}

/* An immediate operand. */
static void set_imm(struct x86_operand *o, uint64_t v, unsigned size)
{
	o->kind = X86_OPND_IMM;
	o->size = (uint8_t)size;
	o->imm = v;
}

/* build_operands - turn the row's specs into insn->opnd[]. */
static void build_operands(struct decoder *d, const struct x86_opcode *row)
{
	struct x86_insn *in = d->insn;
	bool regform = in->mod == MOD_REG || (row->flags & X86_F_MODREG);
	unsigned nimm = 0;

	for (unsigned i = 0; i < X86_MAX_OPNDS && row->op[i].am; i++) {
		const struct x86_opspec *s = &row->op[i];
		struct x86_operand *o = &in->opnd[in->nopnds++];
		unsigned size = ot_size(d, s->ot, true);

		switch (s->am) {
		case X86_AM_E:
		case X86_AM_M:
		case X86_AM_R:
			if (regform) {
				set_gpr(o, in, in->rm, size);
				break;
			}
			o->kind = X86_OPND_MEM;
			o->size = ot_size(d, s->ot, false);
			o->mem = d->modrm_mem;
			break;
		case X86_AM_G:
			set_gpr(o, in, in->reg, size);
			break;
		case X86_AM_Z:
			set_gpr(o, in, (in->opcode & 7) | (in->rex_b ? 8 : 0), size);
			break;
		case X86_AM_FIXED:
			set_gpr(o, in, s->reg, size);
			break;
		case X86_AM_C:
			set_reg(o, X86_RC_CR, in->reg, size);
			break;
		case X86_AM_D:
			set_reg(o, X86_RC_DR, in->reg, size);
			break;
		case X86_AM_S:
			set_reg(o, X86_RC_SEG, MODRM_REG(in->modrm), 2);
			break;
		case X86_AM_SEG:
			set_reg(o, X86_RC_SEG, s->reg, 2);
			break;
		case X86_AM_ONE:
			set_imm(o, 1, 1);
			break;
		case X86_AM_X:
			set_string_mem(d, o, X86_RSI, effective_seg(d, X86_SEG_DS), size);
			break;
		case X86_AM_Y: /* ES:rDI cannot be overridden */
			set_string_mem(d, o, X86_RDI, X86_SEG_ES, size);
			break;
		case X86_AM_O:
			set_string_mem(d, o, X86_NOREG, effective_seg(d, X86_SEG_DS), size);
			o->mem.disp = in->disp;
			break;
		case X86_AM_J:
			o->kind = X86_OPND_REL;
			o->size = in->imm_size;
			o->rel = (int64_t)in->imm;
			break;
		case X86_AM_A: /* shown as selector:offset, two operands */
			set_imm(o, in->imm2, 2);
			set_imm(&in->opnd[in->nopnds++], in->imm, in->imm_size);
			break;
		case X86_AM_I:
			if (nimm++ == 0)
				set_imm(o, in->imm, in->imm_size);
			else
				set_imm(o, in->imm2, in->imm2_size);
			break;
		}
	}
}

/* ---- the decoder -------------------------------------------------------------- */

/* decode_body - everything after the opcode: table walk, checks, sizes,
 * ModRM memory operand, immediates, operands. */
static int decode_body(struct decoder *d, const struct x86_opcode *row)
{
	struct x86_insn *in = d->insn;
	int r;

	if ((r = walk_escapes(d, &row)))
		return r;
	in->entry = row;
	if (uses_modrm(row) && (r = need_modrm(d)))
		return r;
	if ((r = check_row(d, row)))
		return r;
	d->osz = operand_size_attr(d, row->flags);
	in->opsize = is_byte_op(row) ? 1 : d->osz;
	if (in->has_modrm && in->mod != MOD_REG && !(row->flags & X86_F_MODREG) &&
	    (r = decode_modrm_mem(d)))
		return r;
	if ((r = read_immediates(d, row)))
		return r;
	if (in->map == X86_MAP_3DNOW)
		in->opcode = (uint8_t)in->imm; /* the suffix names the operation */
	if (!(row->flags & X86_F_LENGTH))
		build_operands(d, row);
	return 0;
}

/* x86_decode - see decode.h. */
int x86_decode(const uint8_t *buf, size_t avail, enum x86_mode mode, struct x86_insn *out)
{
	struct decoder d = {
		.buf = buf, .avail = avail, .mode = mode, .insn = out,
		.seg_fsgs = X86_SEG_NONE,
	};
	const struct x86_opcode *row;
	uint8_t op;
	int r;

	memset(out, 0, sizeof(*out));
	out->mode = (uint8_t)mode;
	out->seg = X86_SEG_NONE;
	out->index = out->base = X86_NOREG;
	out->scale = 1;

	if ((r = decode_prefixes(&d, &op)))
		return r;
	out->addrsize = address_size(mode, out->addrsize_pfx);
	if ((r = decode_opcode(&d, op, &row)))
		return r;
	if ((r = decode_body(&d, row)))
		return r;
	out->len = (uint8_t)d.pos;
	return X86_DECODE_OK;
}
