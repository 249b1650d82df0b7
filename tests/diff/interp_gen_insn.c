/*
 * interp_gen_insn.c - one generator per family of user-level
 * instructions: arithmetic and logic, shifts, multiply and divide, bit
 * tests and scans, string instructions, flags, conditional moves,
 * exchanges and data movement.  Each emits a snippet (setup, then the
 * instruction under test) by the rules of interp_gen_internal.h.
 * Branches and the stack are in interp_gen_branch.c.
 *
 * Opcodes are written as the SDM's opcode maps give them (Vol. 2,
 * Appendix A); "/n" is the ModRM.reg extension.
 */
#include "interp_gen_internal.h"

#define ALU_CMP 7          /* the /7 of 80/81/83, and 38..3D */
#define SHIFT_SAL_ALIAS 6  /* /6 of the shift group: an alias of SHL */
#define BIT_OFFSET_RANGE 4096 /* |bit offset| of BT* on memory: +-512 bytes */
#define BIT_SLACK (BIT_OFFSET_RANGE / 8 + 8)
#define STRING_MAX_COUNT 9 /* RCX of a REP string snippet: 0..8 */
#define STRING_SLACK 96    /* room either side for 8 elements of 8 bytes */
#define DIV_FAULT_DEN 24   /* about 1 divide in 24 is made to raise #DE */

/* Give dst the prefixes that shape src's memory operand (67, segment). */
static void copy_addr_pfx(struct enc_spec *dst, const struct enc_spec *src)
{
	for (unsigned i = 0; i < src->npfx; i++)
		if (src->pfx[i] != 0x66 && src->pfx[i] != 0xf0)
			gen_pfx(dst, src->pfx[i]);
}

/* ---- arithmetic and logic ------------------------------------------------------- */

static void alu_imm(struct gen *g, struct enc_spec *s, unsigned imm_size)
{
	s->imm = gen_value(g);
	s->imm_size = (uint8_t)imm_size;
}

/* ADD OR ADC SBB AND SUB XOR CMP in their five forms. */
void gen_alu(struct gen *g)
{
	struct enc_spec s = gen_spec();
	unsigned op = gen_rnd(g, 8), size = gen_size(g, GEN_SZ_ALL), form = gen_rnd(g, 5);
	bool w = op != ALU_CMP, b = size == 1;

	gen_opsize(&s, size);
	if (form == 2) { /* AL/eAX, imm */
		gen_op(&s, 1, (uint8_t)(op * 8 + (b ? 4 : 5)), 0, 0);
		alu_imm(g, &s, gen_imm_size(size));
		gen_emit(g, &s, GEN_C_ALU);
		return;
	}
	gen_rm(g, &s, size, 0);
	switch (form) {
	case 0: /* Eb,Gb / Ev,Gv */
		gen_op(&s, 1, (uint8_t)(op * 8 + (b ? 0 : 1)), 0, 0);
		gen_regs(g, &s, size, size, true, false, w);
		break;
	case 1: /* Gb,Eb / Gv,Ev */
		gen_op(&s, 1, (uint8_t)(op * 8 + (b ? 2 : 3)), 0, 0);
		gen_regs(g, &s, size, size, true, w, false);
		break;
	case 3: /* 80 /n ib, 81 /n iz */
		gen_op(&s, 1, b ? 0x80 : 0x81, 0, 0);
		s.reg = (uint8_t)op;
		gen_regs(g, &s, size, size, false, false, w);
		alu_imm(g, &s, gen_imm_size(size));
		break;
	default: /* 83 /n ib (80 for bytes) */
		gen_op(&s, 1, b ? 0x80 : 0x83, 0, 0);
		s.reg = (uint8_t)op;
		gen_regs(g, &s, size, size, false, false, w);
		alu_imm(g, &s, 1);
		break;
	}
	if (w && form != 1 && !g->simple) /* LOCK needs a memory destination */
		gen_maybe_lock(g, &s);
	gen_emit(g, &s, GEN_C_ALU);
}

/* TEST: 84/85, A8/A9, F6/F7 /0. */
static void gen_test(struct gen *g)
{
	struct enc_spec s = gen_spec();
	unsigned size = gen_size(g, GEN_SZ_ALL), form = gen_rnd(g, 3);
	bool b = size == 1;

	gen_opsize(&s, size);
	if (form == 0) {
		gen_op(&s, 1, b ? 0xa8 : 0xa9, 0, 0);
		alu_imm(g, &s, gen_imm_size(size));
	} else if (form == 1) {
		gen_rm(g, &s, size, 0);
		gen_op(&s, 1, b ? 0x84 : 0x85, 0, 0);
		gen_regs(g, &s, size, size, true, false, false);
	} else {
		gen_rm(g, &s, size, 0);
		gen_op(&s, 1, b ? 0xf6 : 0xf7, 0, 0);
		gen_regs(g, &s, size, size, false, false, false);
		alu_imm(g, &s, gen_imm_size(size));
	}
	gen_emit(g, &s, GEN_C_ALU);
}

/* INC DEC (FE/FF /0 /1), NOT NEG (F6/F7 /2 /3); and TEST. */
void gen_unary(struct gen *g)
{
	struct enc_spec s = gen_spec();
	unsigned size = gen_size(g, GEN_SZ_ALL), kind = gen_rnd(g, 5);
	bool b = size == 1;

	if (kind == 4) {
		gen_test(g);
		return;
	}
	gen_opsize(&s, size);
	gen_rm(g, &s, size, 0);
	if (kind < 2) {
		gen_op(&s, 1, b ? 0xfe : 0xff, 0, 0);
		s.reg = (uint8_t)kind;
	} else {
		gen_op(&s, 1, b ? 0xf6 : 0xf7, 0, 0);
		s.reg = (uint8_t)kind;
	}
	gen_regs(g, &s, size, size, false, false, true);
	if (!g->simple)
		gen_maybe_lock(g, &s);
	gen_emit(g, &s, GEN_C_UNARY);
}

/* ---- shifts ------------------------------------------------------------------------ */

/* A count with the edges a shift of `bits` cares about. */
static unsigned shift_count(struct gen *g, unsigned bits)
{
	const unsigned edges[] = { 0, 1, bits - 1, bits, bits + 1, 31, 32, 33, 63, 64, 65 };

	if (gen_chance(g, 2, 3))
		return edges[gen_rnd(g, sizeof(edges) / sizeof(edges[0]))];
	return gen_rnd(g, 256);
}

/* Setup: CL = count (mov cl, imm8), unless RCX may not be written. */
static bool set_cl(struct gen *g, unsigned count)
{
	struct enc_spec s = gen_spec();

	if (!gen_writable(g, GEN_RCX) || ((g->pinned >> GEN_RCX) & 1))
		return false;
	gen_op(&s, 1, 0xb0, 0, 0);
	s.opreg = GEN_RCX;
	s.imm = count & 0xff;
	s.imm_size = 1;
	gen_emit(g, &s, GEN_C_SETUP);
	return true;
}

/* ROL ROR RCL RCR SHL SHR SAL SAR by 1 (D0/D1), imm8 (C0/C1) or CL (D2/D3). */
void gen_shift(struct gen *g)
{
	struct enc_spec s = gen_spec();
	unsigned size = gen_size(g, GEN_SZ_ALL), op = gen_rnd(g, 8), form = gen_rnd(g, 3);
	unsigned count = shift_count(g, size * 8);
	bool b = size == 1;

	if (op == SHIFT_SAL_ALIAS && gen_chance(g, 7, 8))
		op = 4; /* mostly the documented SHL encoding */
	gen_opsize(&s, size);
	gen_rm(g, &s, size, 0);
	if (form == 2 && !g->simple && set_cl(g, count)) {
		gen_op(&s, 1, b ? 0xd2 : 0xd3, 0, 0);
	} else if (form == 0) {
		gen_op(&s, 1, b ? 0xd0 : 0xd1, 0, 0);
	} else {
		gen_op(&s, 1, b ? 0xc0 : 0xc1, 0, 0);
		s.imm = count;
		s.imm_size = 1;
	}
	s.reg = (uint8_t)op;
	gen_regs(g, &s, size, size, false, false, true);
	gen_emit(g, &s, GEN_C_SHIFT);
}

/*
 * SHLD/SHRD Ev,Gv,Ib (0F A4/AC) or CL (0F A5/AD).  A 16-bit operation
 * with a masked count above 16 leaves its result undefined (SDM), so
 * those counts are not generated.
 */
void gen_dshift(struct gen *g)
{
	struct enc_spec s = gen_spec();
	unsigned size = gen_size(g, GEN_SZ_WDQ), bits = size * 8;
	bool right = gen_chance(g, 1, 2), by_cl = gen_chance(g, 1, 2) && !g->simple;
	unsigned count, span = bits == 16 ? 17 : bits;
	const unsigned edges[] = { 0, 1, span - 1, bits - 1 };

	count = gen_chance(g, 1, 2) ? edges[gen_rnd(g, 4)] : gen_rnd(g, span);
	if (gen_chance(g, 1, 4))
		count += bits == 64 ? 64 : 32; /* bits above the mask are ignored */
	gen_opsize(&s, size);
	gen_rm(g, &s, size, 0);
	if (by_cl && set_cl(g, count)) {
		gen_op(&s, 2, 0x0f, right ? 0xad : 0xa5, 0);
	} else {
		gen_op(&s, 2, 0x0f, right ? 0xac : 0xa4, 0);
		s.imm = count;
		s.imm_size = 1;
	}
	gen_regs(g, &s, size, size, true, false, true);
	gen_emit(g, &s, GEN_C_DSHIFT);
}

/* ---- multiply and divide ------------------------------------------------------------ */

/* MUL/IMUL F6/F7 /4 /5, IMUL Gv,Ev (0F AF), Gv,Ev,Ib (6B), Gv,Ev,Iz (69). */
void gen_mul(struct gen *g)
{
	struct enc_spec s = gen_spec();
	unsigned form = gen_rnd(g, 4);
	unsigned size = gen_size(g, form == 0 ? GEN_SZ_ALL : GEN_SZ_WDQ);

	gen_opsize(&s, size);
	gen_rm(g, &s, size, 0);
	switch (form) {
	case 0:
		gen_op(&s, 1, size == 1 ? 0xf6 : 0xf7, 0, 0);
		s.reg = (uint8_t)(4 + gen_rnd(g, 2));
		gen_regs(g, &s, size, size, false, false, false);
		break;
	case 1:
		gen_op(&s, 2, 0x0f, 0xaf, 0);
		gen_regs(g, &s, size, size, true, true, false);
		break;
	case 2:
		gen_op(&s, 1, 0x6b, 0, 0);
		gen_regs(g, &s, size, size, true, true, false);
		s.imm = gen_value(g);
		s.imm_size = 1;
		break;
	default:
		gen_op(&s, 1, 0x69, 0, 0);
		gen_regs(g, &s, size, size, true, true, false);
		s.imm = gen_value(g);
		s.imm_size = (uint8_t)gen_imm_size(size);
		break;
	}
	gen_emit(g, &s, GEN_C_MUL);
}

/* A divisor of `size` bytes: non-zero, except now and then. */
static uint64_t divisor(struct gen *g, unsigned size)
{
	uint64_t m = size == 8 ? ~0ull : (1ull << (8 * size)) - 1, d;

	if (gen_chance(g, 1, DIV_FAULT_DEN))
		return 0;
	do
		d = gen_value(g) & m;
	while (!d);
	return d;
}

/* The sign extension of AL/AX/EAX/RAX into the dividend's high half:
 * CBW (66 98), CWD (66 99), CDQ (99), CQO (REX.W 99). */
static void sign_extend_dividend(struct gen *g, unsigned size)
{
	struct enc_spec s = gen_spec();

	gen_op(&s, 1, size == 1 ? 0x98 : 0x99, 0, 0);
	gen_opsize(&s, size == 1 ? 2 : size);
	gen_emit(g, &s, GEN_C_SETUP);
}

/* Setup: the dividend's high half (AH, or rDX) below d, so that the
 * unsigned quotient fits; now and then not, for a #DE. */
static void set_dividend_high(struct gen *g, unsigned size, uint64_t d)
{
	uint64_t hi = d ? gen_rand(g) % d : gen_rand(g);
	struct enc_spec s = gen_spec();

	if (gen_chance(g, 1, DIV_FAULT_DEN))
		hi = d + gen_rnd(g, 4);
	if (size != 1) {
		gen_set_reg(g, GEN_RDX, hi & (size == 8 ? ~0ull : (1ull << (8 * size)) - 1));
		return;
	}
	gen_op(&s, 1, 0xb0, 0, 0); /* mov ah, imm8 */
	s.opreg = 4;
	s.imm = hi & 0xff;
	s.imm_size = 1;
	gen_emit(g, &s, GEN_C_SETUP);
}

/*
 * DIV/IDIV (F6/F7 /6 /7) by a register or memory operand whose value the
 * snippet sets; the dividend's high half is set (DIV) or sign-extended
 * (IDIV) so that most divisions do not raise #DE.
 */
void gen_div(struct gen *g)
{
	struct enc_spec s = gen_spec();
	unsigned size = gen_size(g, GEN_SZ_ALL);
	bool is_signed = gen_chance(g, 1, 2);
	uint64_t d = divisor(g, size);
	uint32_t avoid = 1u << GEN_RAX | 1u << GEN_RDX;
	int r;

	if (g->simple) {
		gen_mul(g);
		return;
	}
	gen_opsize(&s, size);
	gen_op(&s, 1, size == 1 ? 0xf6 : 0xf7, 0, 0);
	s.reg = is_signed ? 7 : 6;
	s.modrm = true;
	r = gen_setup_reg(g, avoid);
	if (r < 0)
		return;
	g->pinned |= avoid; /* set below: no index register there */
	gen_set_reg(g, (unsigned)r, is_signed && gen_chance(g, 1, 2) ? -d : d);
	g->pinned |= 1u << r;
	if (gen_chance(g, 1, 3)) { /* the divisor from memory: store it first */
		struct enc_spec st = gen_spec();
		gen_mem(g, &st, size, 0);
		s.rm = st.rm;
		copy_addr_pfx(&s, &st);
		gen_opsize(&st, size);
		gen_op(&st, 1, size == 1 ? 0x88 : 0x89, 0, 0);
		st.reg = (uint8_t)r;
		st.rex = size == 1; /* SPL..DIL and R8B.., never AH..BH */
		gen_emit(g, &st, GEN_C_SETUP);
	} else {
		s.rm.kind = ENC_RM_REG;
		s.rm.reg = (uint8_t)r;
		s.rex = size == 1;
	}
	if (is_signed && !gen_chance(g, 1, DIV_FAULT_DEN))
		sign_extend_dividend(g, size);
	else
		set_dividend_high(g, size, is_signed ? 0 : d);
	gen_emit(g, &s, GEN_C_DIV);
}

/* ---- bit tests and scans -------------------------------------------------------------- */

/* BT BTS BTR BTC: Ev,Gv (0F A3/AB/B3/BB) or Ev,Ib (0F BA /4../7). */
void gen_bit(struct gen *g)
{
	static const uint8_t reg_ops[4] = { 0xa3, 0xab, 0xb3, 0xbb };
	struct enc_spec s = gen_spec();
	unsigned size = gen_size(g, GEN_SZ_WDQ), op = gen_rnd(g, 4);
	bool by_imm = gen_chance(g, 1, 3), mem = gen_chance(g, 1, 2);
	int r;

	gen_opsize(&s, size);
	if (by_imm) {
		gen_op(&s, 2, 0x0f, 0xba, 0);
		if (mem)
			gen_mem(g, &s, size, 0);
		else
			s.rm.kind = ENC_RM_REG;
		s.reg = (uint8_t)(4 + op);
		gen_regs(g, &s, size, size, false, false, op != 0);
		s.imm = gen_rnd(g, 256);
		s.imm_size = 1;
	} else if (mem && !g->simple) {
		/* a register bit offset reaches outside the operand: keep it small */
		gen_op(&s, 2, 0x0f, reg_ops[op], 0);
		gen_mem(g, &s, size, BIT_SLACK);
		r = gen_setup_reg(g, 0);
		if (r < 0)
			return;
		gen_set_reg(g, (unsigned)r,
		            (uint64_t)((int64_t)gen_rnd(g, 2 * BIT_OFFSET_RANGE) - BIT_OFFSET_RANGE));
		s.reg = (uint8_t)r;
	} else {
		gen_op(&s, 2, 0x0f, reg_ops[op], 0);
		s.rm.kind = ENC_RM_REG;
		gen_regs(g, &s, size, size, true, false, op != 0);
	}
	if (op != 0 && !g->simple)
		gen_maybe_lock(g, &s);
	gen_emit(g, &s, GEN_C_BIT);
}

/* BSF/BSR Gv,Ev (0F BC/BD); a quarter of them scan a zero source. */
void gen_bscan(struct gen *g)
{
	struct enc_spec s = gen_spec();
	unsigned size = gen_size(g, GEN_SZ_WDQ);
	bool zero = gen_chance(g, 1, 4) && !g->simple;

	gen_opsize(&s, size);
	gen_op(&s, 2, 0x0f, gen_chance(g, 1, 2) ? 0xbc : 0xbd, 0);
	gen_rm(g, &s, size, 0);
	gen_regs(g, &s, size, size, true, true, false);
	if (zero && s.rm.kind != ENC_RM_REG) {
		struct enc_spec z = gen_spec(); /* mov Ev, 0 */
		z.rm = s.rm;
		z.modrm = true;
		gen_opsize(&z, size);
		gen_op(&z, 1, 0xc7, 0, 0);
		z.imm_size = (uint8_t)gen_imm_size(size);
		copy_addr_pfx(&z, &s);
		gen_emit(g, &z, GEN_C_SETUP);
	} else if (zero && gen_writable(g, s.rm.reg) && !((g->pinned >> s.rm.reg) & 1)) {
		gen_set_reg(g, s.rm.reg, 0);
	}
	gen_emit(g, &s, GEN_C_BSCAN);
}

/* ---- string instructions ---------------------------------------------------------------- */

/* Setup: LEA reg, [base + off] (a pointer into the data window). */
static void set_pointer(struct gen *g, unsigned reg, uint64_t addr)
{
	struct enc_spec s = gen_spec();

	gen_op(&s, 1, 0x8d, 0, 0);
	s.w = true;
	s.modrm = true;
	s.reg = (uint8_t)reg;
	s.rm.kind = ENC_RM_BASE;
	s.rm.base = (uint8_t)g->s->base_reg;
	s.rm.disp = (int32_t)(addr - GEN_DATA_PTR);
	gen_emit(g, &s, GEN_C_SETUP);
}

static void set_df(struct gen *g, bool df)
{
	struct enc_spec s = gen_spec();

	gen_op(&s, 1, df ? 0xfd : 0xfc, 0, 0); /* STD / CLD */
	gen_emit(g, &s, GEN_C_FLAGS);
}

static uint64_t string_addr(struct gen *g)
{
	return GEN_DATA_BASE + STRING_SLACK + gen_rnd(g, GEN_DATA_SIZE - 2 * STRING_SLACK);
}

/* XLAT (D7): AL = [rBX + AL]. */
static void gen_xlat(struct gen *g)
{
	struct enc_spec s = gen_spec();

	if (g->s->base_reg != GEN_RBX) {
		if (!gen_writable(g, GEN_RBX))
			return;
		set_pointer(g, GEN_RBX, GEN_DATA_BASE + gen_rnd(g, GEN_DATA_SIZE - 256));
	}
	gen_op(&s, 1, 0xd7, 0, 0);
	s.w = gen_chance(g, 1, 4);
	gen_emit(g, &s, GEN_C_STRING);
}

/*
 * MOVS CMPS STOS LODS SCAS (A4..AF) of 1, 2, 4 or 8 bytes, plain or with
 * REP/REPE (F3) or REPNE (F2, CMPS and SCAS only), either direction, with
 * RSI, RDI and RCX set up first; a 67 prefix makes them ESI/EDI/ECX.
 */
void gen_string(struct gen *g)
{
	static const uint8_t ops[5] = { 0xa4, 0xa6, 0xaa, 0xac, 0xae };
	struct enc_spec s = gen_spec();
	unsigned op = gen_rnd(g, 6), size = gen_size(g, GEN_SZ_ALL), rep = gen_rnd(g, 3);
	uint32_t need = 1u << GEN_RSI | 1u << GEN_RDI | 1u << GEN_RCX | 1u << GEN_RAX;

	if (g->simple || (g->forbid & need))
		return;
	if (op == 5) {
		gen_xlat(g);
		return;
	}
	set_df(g, gen_chance(g, 1, 3));
	set_pointer(g, GEN_RSI, string_addr(g));
	set_pointer(g, GEN_RDI, string_addr(g));
	gen_set_reg(g, GEN_RCX, gen_rnd(g, STRING_MAX_COUNT));
	gen_op(&s, 1, (uint8_t)(ops[op] + (size == 1 ? 0 : 1)), 0, 0);
	gen_opsize(&s, size);
	if (rep == 1)
		gen_pfx(&s, 0xf3);
	else if (rep == 2)
		gen_pfx(&s, (ops[op] == 0xa6 || ops[op] == 0xae) ? 0xf2 : 0xf3);
	if (gen_chance(g, 1, 8))
		gen_pfx(&s, 0x67);
	if (gen_chance(g, 1, 10) && ops[op] != 0xaa && ops[op] != 0xae)
		gen_pfx(&s, 0x2e + 0x10 * (uint8_t)gen_rnd(g, 2)); /* CS or DS: base 0 */
	gen_emit(g, &s, GEN_C_STRING);
	if (gen_chance(g, 1, 2))
		set_df(g, false);
}

/* ---- flags -------------------------------------------------------------------------------- */

/* CLC STC CMC CLD STD LAHF SAHF (F8 F9 F5 FC FD 9F 9E); PUSHF/POPF are
 * with the stack (interp_gen_branch.c). */
void gen_flags(struct gen *g)
{
	static const uint8_t ops[] = { 0xf8, 0xf9, 0xf5, 0xfc, 0xfd, 0x9f, 0x9e };
	struct enc_spec s = gen_spec();
	uint8_t op = ops[gen_rnd(g, sizeof(ops))];

	if (op == 0x9f && !gen_writable(g, GEN_RAX))
		return;
	gen_op(&s, 1, op, 0, 0);
	gen_emit(g, &s, GEN_C_FLAGS);
}

/* ---- conditional moves ----------------------------------------------------------------------- */

/* CMOVcc Gv,Ev (0F 40+cc) and SETcc Eb (0F 90+cc). */
void gen_cmov(struct gen *g)
{
	struct enc_spec s = gen_spec();
	unsigned cc = gen_rnd(g, 16);

	if (gen_chance(g, 1, 2)) {
		unsigned size = gen_size(g, GEN_SZ_WDQ);
		gen_opsize(&s, size);
		gen_op(&s, 2, 0x0f, (uint8_t)(0x40 + cc), 0);
		gen_rm(g, &s, size, 0);
		gen_regs(g, &s, size, size, true, true, false);
	} else {
		gen_op(&s, 2, 0x0f, (uint8_t)(0x90 + cc), 0);
		gen_rm(g, &s, 1, 0);
		s.reg = 0;
		gen_regs(g, &s, 1, 1, false, false, true);
	}
	gen_emit(g, &s, GEN_C_CMOV);
}

/* ---- exchanges ----------------------------------------------------------------------------------- */

/* CMPXCHG8B m64 (0F C7 /1), half of the time against the value in memory. */
static void gen_cmpxchg8b(struct gen *g)
{
	struct enc_spec s = gen_spec();

	if (g->simple || !gen_writable(g, GEN_RAX) || !gen_writable(g, GEN_RDX))
		return;
	gen_op(&s, 2, 0x0f, 0xc7, 0);
	s.reg = 1;
	gen_mem(g, &s, 8, 0);
	if (gen_chance(g, 1, 2) && !((g->pinned >> GEN_RAX) & 1) &&
	    !((g->pinned >> GEN_RDX) & 1)) {
		struct enc_spec ld = gen_spec(); /* mov eax, [m]; mov edx, [m+4] */
		ld.rm = s.rm;
		ld.modrm = true;
		gen_op(&ld, 1, 0x8b, 0, 0);
		ld.reg = GEN_RAX;
		copy_addr_pfx(&ld, &s);
		gen_emit(g, &ld, GEN_C_SETUP);
		ld.reg = GEN_RDX;
		ld.rm.disp += 4;
		ld.rm.target += 4;
		gen_emit(g, &ld, GEN_C_SETUP);
	}
	gen_maybe_lock(g, &s);
	gen_emit(g, &s, GEN_C_XCHG);
}

/* XCHG (86/87, 90+r), CMPXCHG (0F B0/B1), XADD (0F C0/C1), CMPXCHG8B. */
void gen_xchg(struct gen *g)
{
	struct enc_spec s = gen_spec();
	unsigned kind = gen_rnd(g, 5), size = gen_size(g, GEN_SZ_ALL);
	bool b = size == 1;

	if (kind == 4) {
		gen_cmpxchg8b(g);
		return;
	}
	gen_opsize(&s, size);
	if (kind == 3 && !b) { /* xchg rAX, r: 90+r (90 alone is NOP) */
		gen_op(&s, 1, 0x90, 0, 0);
		do
			s.opreg = (int8_t)gen_rnd(g, GEN_NR_GPRS);
		while (!gen_writable(g, (unsigned)s.opreg));
		gen_emit(g, &s, GEN_C_XCHG);
		return;
	}
	gen_rm(g, &s, size, 0);
	if (kind == 0 || kind == 3)
		gen_op(&s, 1, b ? 0x86 : 0x87, 0, 0);
	else
		gen_op(&s, 2, 0x0f, (uint8_t)((kind == 1 ? 0xb0 : 0xc0) + (b ? 0 : 1)), 0);
	gen_regs(g, &s, size, size, true, kind != 1, true);
	if (!g->simple)
		gen_maybe_lock(g, &s);
	gen_emit(g, &s, GEN_C_XCHG);
}

/* ---- data movement ---------------------------------------------------------------------------------- */

/* MOVZX/MOVSX Gv,Eb/Ew (0F B6/B7/BE/BF), MOVSXD Gq,Ed (REX.W 63). */
static void gen_extend(struct gen *g)
{
	struct enc_spec s = gen_spec();
	unsigned kind = gen_rnd(g, 5), dst = gen_size(g, GEN_SZ_WDQ), src;

	if (kind == 4) {
		gen_op(&s, 1, 0x63, 0, 0);
		dst = 8;
		src = 4;
	} else {
		src = kind & 1 ? 2 : 1;
		gen_op(&s, 2, 0x0f, (uint8_t)((kind & 2 ? 0xbe : 0xb6) + (src == 2)), 0);
	}
	gen_opsize(&s, dst);
	gen_rm(g, &s, src, 0);
	gen_regs(g, &s, dst, src, true, true, false);
	gen_emit(g, &s, GEN_C_MOVE);
}

/* MOV in its register, memory and immediate forms (88..8B, C6/C7, B0+r,
 * B8+r with imm64). */
static void gen_mov(struct gen *g)
{
	struct enc_spec s = gen_spec();
	unsigned size = gen_size(g, GEN_SZ_ALL), form = gen_rnd(g, 4);
	bool b = size == 1;

	gen_opsize(&s, size);
	if (form == 3) { /* B0+r ib / B8+r iz / REX.W B8+r io */
		gen_op(&s, 1, b ? 0xb0 : 0xb8, 0, 0);
		s.rex = b && gen_chance(g, 1, 2);
		do
			s.opreg = (int8_t)gen_rnd(g, GEN_NR_GPRS);
		while (!gen_writable(g, gen_phys((unsigned)s.opreg, size, enc_has_rex(&s))));
		s.imm = gen_value(g);
		s.imm_size = (uint8_t)(size == 8 ? 8 : size);
		gen_emit(g, &s, GEN_C_MOVE);
		return;
	}
	gen_rm(g, &s, size, 0);
	if (form == 2) {
		gen_op(&s, 1, b ? 0xc6 : 0xc7, 0, 0);
		gen_regs(g, &s, size, size, false, false, true);
		s.imm = gen_value(g);
		s.imm_size = (uint8_t)gen_imm_size(size);
	} else {
		gen_op(&s, 1, (uint8_t)(0x88 + (b ? 0 : 1) + (form ? 2 : 0)), 0, 0);
		gen_regs(g, &s, size, size, true, form == 1, form == 0);
	}
	gen_emit(g, &s, GEN_C_MOVE);
}

/* LEA Gv,M (8D) with any address form, 16/32/64-bit, with or without 67. */
static void gen_lea(struct gen *g)
{
	struct enc_spec s = gen_spec();
	unsigned size = gen_size(g, GEN_SZ_WDQ);

	gen_opsize(&s, size);
	gen_op(&s, 1, 0x8d, 0, 0);
	gen_mem(g, &s, 1, 0);
	gen_regs(g, &s, size, size, true, true, false);
	gen_emit(g, &s, GEN_C_MOVE);
}

/* BSWAP r32/r64 (0F C8+r), CBW/CWDE/CDQE (98), CWD/CDQ/CQO (99), NOPs. */
static void gen_misc_move(struct gen *g)
{
	struct enc_spec s = gen_spec();
	unsigned kind = gen_rnd(g, 4), size = gen_size(g, kind ? GEN_SZ_WDQ : GEN_SZ_DQ);

	switch (kind) {
	case 0:
		gen_op(&s, 2, 0x0f, 0xc8, 0);
		do
			s.opreg = (int8_t)gen_rnd(g, GEN_NR_GPRS);
		while (!gen_writable(g, (unsigned)s.opreg));
		break;
	case 1:
	case 2:
		if (!gen_writable(g, kind == 1 ? GEN_RAX : GEN_RDX))
			return;
		gen_op(&s, 1, kind == 1 ? 0x98 : 0x99, 0, 0);
		break;
	default: /* NOP, or the multi-byte NOP Ev (0F 1F /0) */
		if (gen_chance(g, 1, 2)) {
			gen_op(&s, 1, 0x90, 0, 0);
			size = 4;
		} else { /* memory form: Capstone 4 rejects the register form */
			gen_op(&s, 2, 0x0f, 0x1f, 0);
			gen_mem(g, &s, size, 0);
			gen_regs(g, &s, size, size, false, false, false);
		}
		break;
	}
	gen_opsize(&s, size);
	gen_emit(g, &s, GEN_C_MOVE);
}

void gen_move(struct gen *g)
{
	switch (gen_rnd(g, 5)) {
	case 0:
		gen_extend(g);
		break;
	case 1:
	case 2:
		gen_mov(g);
		break;
	case 3:
		gen_lea(g);
		break;
	default:
		gen_misc_move(g);
		break;
	}
}

/* ---- simple instructions for bodies ----------------------------------------------------------------- */

void gen_simple(struct gen *g)
{
	static void (*const families[])(struct gen *) = {
		gen_alu, gen_alu, gen_unary, gen_shift, gen_dshift, gen_mul, gen_bit, gen_bscan,
		gen_flags, gen_cmov, gen_xchg, gen_move,
	};
	bool was = g->simple;

	g->simple = true;
	families[gen_rnd(g, sizeof(families) / sizeof(families[0]))](g);
	g->simple = was;
}
