/*
 * interp_alu.c - the arithmetic flags and the integer arithmetic and
 * logic instructions.
 *
 * Flag-setting operations are the most frequent instructions of integer
 * code, and most of their flags are never read (the next instruction
 * overwrites them).  So ADD, ADC, SUB, SBB, CMP, NEG, INC, DEC, the logic
 * operations, MUL/IMUL and SHL/SHR/SAR (interp_shift.c) only record their
 * operands and result (struct lazy_flags, cpu.h); cpu_rflags() and the
 * condition tests compute flags from that record when someone reads them.
 * The rarer instructions (rotates, bit tests, BCD, ...) set their flags
 * eagerly with cpu_set_status().
 *
 * The status flags, per group (a, b operands; r result; n = operand bits;
 * "-" unchanged, "u" undefined by the SDM, with the value trapeze gives):
 *
 *   group              CF               OF                       AF        SF ZF PF
 *   ADD ADC            carry out of n   sign(a)=sign(b)!=sign(r) carry b3  r  r  r
 *   SUB SBB CMP NEG    borrow           sign(a)!=sign(b),        borrow b3 r  r  r
 *                                       sign(r)!=sign(a)
 *   INC DEC            -                as ADD/SUB with b=1      as ADD/SUB r r  r
 *   AND OR XOR TEST    0                0                        u: 0      r  r  r
 *   MUL IMUL           high half lost   = CF                     u: 0      u: low half of
 * r DIV IDIV           u: unchanged     u: unchanged             u: -      u: -  u: - NOT
 * -                -                        -         -  -  -
 *
 * (PF is the parity of the low 8 bits of r.)  docs/interpreter.md lists
 * every undefined-flag choice.
 */
#include "bt/interp_internal.h"

/* ---- lazy flags ---------------------------------------------------------- */

uint64_t cpu_szp(uint64_t res, unsigned size)
{
	uint64_t f = 0;

	res &= cpu_size_mask(size);
	if (res == 0)
		f |= X86_RFLAGS_ZF;
	if (res & cpu_sign_bit(size))
		f |= X86_RFLAGS_SF;
	if (cpu_parity(res))
		f |= X86_RFLAGS_PF;
	return f;
}

/* Carry flag of the lazy record.  Shifts: the last bit shifted out (0
 * once the count passes the width; SAR keeps shifting the sign). */
static bool lf_cf(const struct lazy_flags *lf, uint64_t rflags)
{
	unsigned bits = 8 * lf->size, n = (unsigned)lf->b;

	switch (lf->op) {
	case LF_ADD:
		return lf->res < lf->a;
	case LF_ADC:
		return lf->cin ? lf->res <= lf->a : lf->res < lf->a;
	case LF_SUB:
		return lf->a < lf->b;
	case LF_SBB:
		return lf->cin ? lf->a <= lf->b : lf->a < lf->b;
	case LF_LOGIC:
		return false;
	case LF_SHL:
		return n <= bits && ((lf->a >> (bits - n)) & 1);
	case LF_SHR:
		return n <= bits && ((lf->a >> (n - 1)) & 1);
	case LF_SAR:
		return (cpu_sext(lf->a, lf->size) >> (n > bits ? bits - 1 : n - 1)) & 1;
	case LF_MUL:
		return lf->b;
	default:
		return rflags & X86_RFLAGS_CF; /* INC, DEC, NONE */
	}
}

/* Overflow flag of the lazy record (shifts by more than 1: the count-1
 * formula on the final values, see interp_shift.c). */
static bool lf_of(const struct lazy_flags *lf, uint64_t rflags)
{
	uint64_t sb = cpu_sign_bit(lf->size);

	switch (lf->op) {
	case LF_ADD:
	case LF_ADC:
	case LF_INC:
		return (lf->a ^ lf->res) & (lf->b ^ lf->res) & sb;
	case LF_SUB:
	case LF_SBB:
	case LF_DEC:
		return (lf->a ^ lf->b) & (lf->a ^ lf->res) & sb;
	case LF_SHL:
		return ((lf->res & sb) != 0) != lf_cf(lf, rflags);
	case LF_SHR:
		return lf->a & sb;
	case LF_MUL:
		return lf->b;
	default: /* LOGIC, SAR */
		return false;
	}
}

/* Does the operation define AF from its operands (else AF = 0)? */
static bool lf_has_af(enum lf_op op)
{
	return op == LF_ADD || op == LF_ADC || op == LF_SUB || op == LF_SBB ||
	       op == LF_INC || op == LF_DEC;
}

/* All six status flags of the lazy record (lf->op != LF_NONE). */
static uint64_t lf_status(const struct lazy_flags *lf, uint64_t rflags)
{
	uint64_t f = cpu_szp(lf->res, lf->size);

	if (lf_cf(lf, rflags))
		f |= X86_RFLAGS_CF;
	if (lf_of(lf, rflags))
		f |= X86_RFLAGS_OF;
	if (lf_has_af(lf->op) && ((lf->a ^ lf->b ^ lf->res) & 0x10))
		f |= X86_RFLAGS_AF;
	return f;
}

uint64_t cpu_rflags(const struct cpu *c)
{
	if (c->lf.op == LF_NONE)
		return c->s.rflags;
	return (c->s.rflags & ~X86_RFLAGS_STATUS) | lf_status(&c->lf, c->s.rflags);
}

void cpu_flags_commit(struct cpu *c)
{
	if (c->lf.op == LF_NONE)
		return;
	c->s.rflags = cpu_rflags(c);
	c->lf.op = LF_NONE;
}

void cpu_set_rflags(struct cpu *c, uint64_t rflags)
{
	c->s.rflags = rflags | X86_RFLAGS_FIXED;
	c->lf.op = LF_NONE;
	if (rflags & X86_RFLAGS_TF)
		cpu_ev_set(c, CPU_EV_SINGLESTEP);
	else if (cpu_ev_test(c, CPU_EV_SINGLESTEP))
		cpu_ev_clear(c, CPU_EV_SINGLESTEP);
}

void cpu_set_status(struct cpu *c, uint64_t mask, uint64_t flags)
{
	cpu_flags_commit(c);
	c->s.rflags = (c->s.rflags & ~mask) | (flags & mask);
}

/* The carry flag now (for ADC, SBB, RCL, RCR, INC/DEC's record). */
static inline bool cpu_cf(const struct cpu *c)
{
	return c->lf.op == LF_NONE ? (c->s.rflags & X86_RFLAGS_CF)
	                           : lf_cf(&c->lf, c->s.rflags);
}

/* The general case of a condition: from materialized flags. */
static bool cond_from_flags(uint64_t f, unsigned cc)
{
	bool cf = f & X86_RFLAGS_CF, zf = f & X86_RFLAGS_ZF, sf = f & X86_RFLAGS_SF;
	bool of = f & X86_RFLAGS_OF, pf = f & X86_RFLAGS_PF;
	bool r;

	switch (cc >> 1) {
	case 0:
		r = of;
		break;
	case 1:
		r = cf;
		break;
	case 2:
		r = zf;
		break;
	case 3:
		r = cf || zf;
		break;
	case 4:
		r = sf;
		break;
	case 5:
		r = pf;
		break;
	case 6:
		r = sf != of;
		break;
	default:
		r = zf || sf != of;
		break;
	}
	return (cc & 1) ? !r : r;
}

/*
 * cpu_cond - condition code cc after the last flag-setting instruction.
 * The common cases are answered from the lazy record inline
 * (cpu_cond_fast in interp_internal.h); this is the general case.
 */
bool cpu_cond(const struct cpu *c, unsigned cc)
{
	return cond_from_flags(cpu_rflags(c), cc);
}

int cpu_fault(struct cpu *c, unsigned vector, bool has_error, uint32_t error)
{
	c->exc.vector = (uint8_t)vector;
	c->exc.has_error = has_error;
	c->exc.error = error;
	return INTERP_FAULT;
}

/* ---- two-operand arithmetic and logic ------------------------------------ */

enum alu_op {
	ALU_ADD,
	ALU_OR,
	ALU_ADC,
	ALU_SBB,
	ALU_AND,
	ALU_SUB,
	ALU_XOR,
	ALU_CMP,
	ALU_TEST
};

/* Compute a (op) b at `size` bytes and record the flags.  Inlined into
 * each handler, so the switch folds away. */
static inline __attribute__((always_inline)) uint64_t
alu_compute(struct cpu *c, enum alu_op op, unsigned size, uint64_t a, uint64_t b)
{
	uint64_t m = cpu_size_mask(size), r;
	bool cin;

	switch (op) {
	case ALU_ADD:
		r = (a + b) & m;
		lf_set(c, LF_ADD, size, r, a, b);
		return r;
	case ALU_ADC:
		cin = cpu_cf(c);
		r = (a + b + cin) & m;
		lf_set(c, LF_ADC, size, r, a, b);
		c->lf.cin = cin;
		return r;
	case ALU_SUB:
	case ALU_CMP:
		r = (a - b) & m;
		lf_set(c, LF_SUB, size, r, a, b);
		return r;
	case ALU_SBB:
		cin = cpu_cf(c);
		r = (a - b - cin) & m;
		lf_set(c, LF_SBB, size, r, a, b);
		c->lf.cin = cin;
		return r;
	case ALU_AND:
	case ALU_TEST:
		r = a & b;
		break;
	case ALU_OR:
		r = a | b;
		break;
	default: /* ALU_XOR */
		r = a ^ b;
		break;
	}
	lf_set(c, LF_LOGIC, size, r, 0, 0);
	return r;
}

/*
 * alu_regs - the register-destination forms with a register or immediate
 * source: no memory, so nothing can fault.
 */
static inline __attribute__((always_inline)) int
alu_regs(struct cpu *c, const struct x86_insn *in, enum alu_op op)
{
	const struct x86_operand *d = &in->opnd[0], *s = &in->opnd[1];
	unsigned size = d->size;
	uint64_t a = cpu_gpr_get(c, d->reg.cls, d->reg.num, size), r;
	uint64_t b = s->kind == X86_OPND_IMM
	                 ? s->imm
	                 : cpu_gpr_get(c, s->reg.cls, s->reg.num, size);

	r = alu_compute(c, op, size, a, b);
	if (op != ALU_CMP && op != ALU_TEST)
		cpu_gpr_set(c, d->reg.cls, d->reg.num, size, r);
	return cpu_retire(c, in);
}

/*
 * alu_binary - dst (op)= src for the two-operand forms (Eb,Gb; Gv,Ev;
 * AL,Ib; Ev,Iz; ...).  CMP and TEST do not write dst.  Every read comes
 * before the write, and the flags are recorded only after the write
 * succeeded, so a fault changes nothing.
 */
static inline __attribute__((always_inline)) int
alu_binary(struct cpu *c, const struct x86_insn *in, enum alu_op op)
{
	const struct x86_operand *d = &in->opnd[0], *s = &in->opnd[1];
	unsigned size = d->size;
	bool writes = op != ALU_CMP && op != ALU_TEST;
	uint64_t a, b, r;
	struct lazy_flags saved;
	struct loc dst;
	int rc;

	if (d->kind == X86_OPND_REG && s->kind != X86_OPND_MEM)
		return alu_regs(c, in, op);
	rc = op_loc(c, in, d, writes ? CPU_ACC_WRITE : CPU_ACC_READ, &dst);
	if (rc)
		return rc;
	rc = op_read(c, in, s, &b);
	if (rc)
		return rc;
	rc = loc_read(c, &dst, &a);
	if (rc)
		return rc;
	saved = c->lf;
	r = alu_compute(c, op, size, a, b);
	if (writes && (rc = loc_write(c, &dst, r))) {
		c->lf = saved;
		return rc;
	}
	return cpu_retire(c, in);
}

/*
 * The handlers: any operand form (h_add ...), and the register-only forms
 * the decode cache picks when it can (h_add_r ...: see interp_alu_regs()),
 * which are small enough to need no stack frame.
 */
int h_add(struct cpu *c, const struct x86_insn *in)
{
	return alu_binary(c, in, ALU_ADD);
}

int h_or(struct cpu *c, const struct x86_insn *in)
{
	return alu_binary(c, in, ALU_OR);
}

int h_adc(struct cpu *c, const struct x86_insn *in)
{
	return alu_binary(c, in, ALU_ADC);
}

int h_sbb(struct cpu *c, const struct x86_insn *in)
{
	return alu_binary(c, in, ALU_SBB);
}

int h_and(struct cpu *c, const struct x86_insn *in)
{
	return alu_binary(c, in, ALU_AND);
}

int h_sub(struct cpu *c, const struct x86_insn *in)
{
	return alu_binary(c, in, ALU_SUB);
}

int h_xor(struct cpu *c, const struct x86_insn *in)
{
	return alu_binary(c, in, ALU_XOR);
}

int h_cmp(struct cpu *c, const struct x86_insn *in)
{
	return alu_binary(c, in, ALU_CMP);
}

int h_test(struct cpu *c, const struct x86_insn *in)
{
	return alu_binary(c, in, ALU_TEST);
}

static int h_add_r(struct cpu *c, const struct x86_insn *in)
{
	return alu_regs(c, in, ALU_ADD);
}

static int h_or_r(struct cpu *c, const struct x86_insn *in)
{
	return alu_regs(c, in, ALU_OR);
}

static int h_adc_r(struct cpu *c, const struct x86_insn *in)
{
	return alu_regs(c, in, ALU_ADC);
}

static int h_sbb_r(struct cpu *c, const struct x86_insn *in)
{
	return alu_regs(c, in, ALU_SBB);
}

static int h_and_r(struct cpu *c, const struct x86_insn *in)
{
	return alu_regs(c, in, ALU_AND);
}

static int h_sub_r(struct cpu *c, const struct x86_insn *in)
{
	return alu_regs(c, in, ALU_SUB);
}

static int h_xor_r(struct cpu *c, const struct x86_insn *in)
{
	return alu_regs(c, in, ALU_XOR);
}

static int h_cmp_r(struct cpu *c, const struct x86_insn *in)
{
	return alu_regs(c, in, ALU_CMP);
}

static int h_test_r(struct cpu *c, const struct x86_insn *in)
{
	return alu_regs(c, in, ALU_TEST);
}

interp_handler_fn interp_alu_regs(const struct x86_insn *in)
{
	const struct x86_operand *d = &in->opnd[0], *s = &in->opnd[1];

	if (in->nopnds != 2 || d->kind != X86_OPND_REG || s->kind == X86_OPND_MEM)
		return NULL;
	switch (x86_insn_mnemonic(in)) {
	case X86_I_ADD:
		return h_add_r;
	case X86_I_OR:
		return h_or_r;
	case X86_I_ADC:
		return h_adc_r;
	case X86_I_SBB:
		return h_sbb_r;
	case X86_I_AND:
		return h_and_r;
	case X86_I_SUB:
		return h_sub_r;
	case X86_I_XOR:
		return h_xor_r;
	case X86_I_CMP:
		return h_cmp_r;
	case X86_I_TEST:
		return h_test_r;
	default:
		return NULL;
	}
}

/* ---- one-operand arithmetic ---------------------------------------------- */

/* Read-modify-write of operand 0: *dst resolved and *v its value. */
static int rmw_begin(struct cpu *c, const struct x86_insn *in, struct loc *dst,
                     uint64_t *v)
{
	int rc = op_loc(c, in, &in->opnd[0], CPU_ACC_WRITE, dst);
	return rc ? rc : loc_read(c, dst, v);
}

/* INC and DEC: CF is not touched, so it is materialized first. */
static int inc_dec(struct cpu *c, const struct x86_insn *in, bool inc)
{
	unsigned size = in->opnd[0].size;
	struct loc dst;
	uint64_t a, r;
	int rc = rmw_begin(c, in, &dst, &a);

	if (rc)
		return rc;
	r = (inc ? a + 1 : a - 1) & cpu_size_mask(size);
	rc = loc_write(c, &dst, r);
	if (rc)
		return rc;
	if (c->lf.op != LF_INC && c->lf.op != LF_DEC) {
		bool cf = cpu_cf(c);
		c->s.rflags = (c->s.rflags & ~X86_RFLAGS_CF) | (cf ? X86_RFLAGS_CF : 0);
	}
	lf_set(c, inc ? LF_INC : LF_DEC, size, r, a, 1);
	return cpu_retire(c, in);
}

int h_inc(struct cpu *c, const struct x86_insn *in)
{
	return inc_dec(c, in, true);
}
int h_dec(struct cpu *c, const struct x86_insn *in)
{
	return inc_dec(c, in, false);
}

int h_neg(struct cpu *c, const struct x86_insn *in)
{
	unsigned size = in->opnd[0].size;
	struct loc dst;
	uint64_t a, r;
	int rc = rmw_begin(c, in, &dst, &a);

	if (rc)
		return rc;
	r = (0 - a) & cpu_size_mask(size);
	rc = loc_write(c, &dst, r);
	if (rc)
		return rc;
	lf_set(c, LF_SUB, size, r, 0, a);
	return cpu_retire(c, in);
}

int h_not(struct cpu *c, const struct x86_insn *in)
{
	struct loc dst;
	uint64_t a;
	int rc = rmw_begin(c, in, &dst, &a);

	if (rc)
		return rc;
	rc = loc_write(c, &dst, ~a & cpu_size_mask(in->opnd[0].size));
	return rc ? rc : cpu_retire(c, in);
}

/* ---- multiply ------------------------------------------------------------ */

/* MUL/IMUL flags: CF = OF = `lost`; SF, ZF, PF from the stored low half
 * (undefined by the SDM), AF = 0 (undefined). */
static void mul_flags(struct cpu *c, uint64_t low, unsigned size, bool lost)
{
	lf_set(c, LF_MUL, size, low & cpu_size_mask(size), 0, lost);
}

/* Store a double-width product: AX for bytes, else rDX:rAX. */
static void mul_store(struct cpu *c, unsigned size, uint64_t lo, uint64_t hi)
{
	if (size == 1) {
		cpu_gpr_set(c, X86_RC_GPR, X86_RAX, 2, (lo & 0xff) | (hi & 0xff) << 8);
		return;
	}
	cpu_gpr_set(c, X86_RC_GPR, X86_RAX, size, lo);
	cpu_gpr_set(c, X86_RC_GPR, X86_RDX, size, hi);
}

/* The double-width product of a and b at `size` bytes: low and high
 * halves, each truncated to size. */
static void mul_wide(uint64_t a, uint64_t b, unsigned size, bool is_signed, uint64_t *lo,
                     uint64_t *hi)
{
	unsigned bits = 8 * size;
	uint64_t m = cpu_size_mask(size);

	if (size == 8) {
		unsigned __int128 p;
		if (is_signed)
			p = (unsigned __int128)((__int128)(int64_t)a * (int64_t)b);
		else
			p = (unsigned __int128)a * b;
		*lo = (uint64_t)p;
		*hi = (uint64_t)(p >> 64);
		return;
	}
	uint64_t p =
	    is_signed ? (uint64_t)(cpu_sext(a, size) * cpu_sext(b, size)) : a * b;
	*lo = p & m;
	*hi = (p >> bits) & m;
}

int h_mul(struct cpu *c, const struct x86_insn *in)
{
	unsigned size = in->opnd[0].size;
	uint64_t a = cpu_gpr_get(c, X86_RC_GPR, X86_RAX, size), b, lo, hi;
	int rc = op_read(c, in, &in->opnd[0], &b);

	if (rc)
		return rc;
	mul_wide(a, b, size, false, &lo, &hi);
	mul_store(c, size, lo, hi);
	mul_flags(c, lo, size, hi != 0);
	return cpu_retire(c, in);
}

int h_imul(struct cpu *c, const struct x86_insn *in)
{
	unsigned size = in->opnd[0].size;
	uint64_t a, b, lo, hi;
	bool lost;
	int rc;

	if (in->nopnds == 1) { /* rDX:rAX = rAX * Ev */
		a = cpu_gpr_get(c, X86_RC_GPR, X86_RAX, size);
		if ((rc = op_read(c, in, &in->opnd[0], &b)))
			return rc;
		mul_wide(a, b, size, true, &lo, &hi);
		lost = hi != ((cpu_sext(lo, size) < 0) ? cpu_size_mask(size) : 0);
		mul_store(c, size, lo, hi);
		mul_flags(c, lo, size, lost);
		return cpu_retire(c, in);
	}
	/* Gv = Gv * Ev, or Gv = Ev * imm */
	const struct x86_operand *d = &in->opnd[0];
	if ((rc = op_read(c, in, &in->opnd[1], &a)))
		return rc;
	if (in->nopnds == 3)
		b = in->opnd[2].imm;
	else
		b = cpu_gpr_get(c, d->reg.cls, d->reg.num, size);
	mul_wide(a, b, size, true, &lo, &hi);
	lost = hi != ((cpu_sext(lo, size) < 0) ? cpu_size_mask(size) : 0);
	cpu_gpr_set(c, d->reg.cls, d->reg.num, size, lo);
	mul_flags(c, lo, size, lost);
	return cpu_retire(c, in);
}

/* ---- divide -------------------------------------------------------------- */

/* The dividend: AX for bytes, else rDX:rAX. */
static unsigned __int128 div_dividend(const struct cpu *c, unsigned size)
{
	if (size == 1)
		return c->s.gpr[X86_RAX] & 0xffff;
	uint64_t m = cpu_size_mask(size);
	return ((unsigned __int128)(c->s.gpr[X86_RDX] & m) << (8 * size)) |
	       (c->s.gpr[X86_RAX] & m);
}

/* Store quotient and remainder: AL/AH for bytes, else rAX/rDX. */
static void div_store(struct cpu *c, unsigned size, uint64_t q, uint64_t r)
{
	if (size == 1) {
		cpu_gpr_set(c, X86_RC_GPR, X86_RAX, 2, (q & 0xff) | (r & 0xff) << 8);
		return;
	}
	cpu_gpr_set(c, X86_RC_GPR, X86_RAX, size, q);
	cpu_gpr_set(c, X86_RC_GPR, X86_RDX, size, r);
}

/* DIV: #DE for a zero divisor or a quotient that does not fit.  The flags
 * are undefined by the SDM and left unchanged. */
int h_div(struct cpu *c, const struct x86_insn *in)
{
	unsigned size = in->opnd[0].size;
	uint64_t b;
	int rc = op_read(c, in, &in->opnd[0], &b);

	if (rc)
		return rc;
	if (b == 0)
		return cpu_fault(c, X86_EXC_DE, false, 0);
	unsigned __int128 n = div_dividend(c, size), q = n / b;
	if (q > cpu_size_mask(size))
		return cpu_fault(c, X86_EXC_DE, false, 0);
	div_store(c, size, (uint64_t)q, (uint64_t)(n % b));
	return cpu_retire(c, in);
}

/* IDIV: signed; the quotient is truncated toward zero and must fit the
 * signed operand size (so INT_MIN / -1 is #DE); flags unchanged. */
int h_idiv(struct cpu *c, const struct x86_insn *in)
{
	unsigned size = in->opnd[0].size, bits = 8 * size;
	uint64_t braw;
	int rc = op_read(c, in, &in->opnd[0], &braw);

	if (rc)
		return rc;
	if (braw == 0)
		return cpu_fault(c, X86_EXC_DE, false, 0);
	unsigned __int128 un = div_dividend(c, size);
	/* sign-extend the 2*bits dividend to 128 bits */
	__int128 n = (__int128)(un << (128 - 2 * bits)) >> (128 - 2 * bits);
	__int128 d = cpu_sext(braw, size);
	__int128 max = ((__int128)1 << (bits - 1)) - 1, min = -max - 1;
	__int128 n_min = (__int128)((unsigned __int128)1 << 127) >> (128 - 2 * bits);
	if (d == -1 && n == n_min)
		return cpu_fault(c, X86_EXC_DE, false, 0); /* -2^(2n-1) / -1 */
	__int128 q = n / d, r = n % d;
	if (q > max || q < min)
		return cpu_fault(c, X86_EXC_DE, false, 0);
	div_store(c, size, (uint64_t)q & cpu_size_mask(size),
	          (uint64_t)r & cpu_size_mask(size));
	return cpu_retire(c, in);
}

/* ---- flag instructions --------------------------------------------------- */

int h_clc(struct cpu *c, const struct x86_insn *in)
{
	cpu_set_status(c, X86_RFLAGS_CF, 0);
	return cpu_retire(c, in);
}

int h_stc(struct cpu *c, const struct x86_insn *in)
{
	cpu_set_status(c, X86_RFLAGS_CF, X86_RFLAGS_CF);
	return cpu_retire(c, in);
}

int h_cmc(struct cpu *c, const struct x86_insn *in)
{
	cpu_flags_commit(c);
	c->s.rflags ^= X86_RFLAGS_CF;
	return cpu_retire(c, in);
}

int h_cld(struct cpu *c, const struct x86_insn *in)
{
	c->s.rflags &= ~X86_RFLAGS_DF;
	return cpu_retire(c, in);
}

int h_std(struct cpu *c, const struct x86_insn *in)
{
	c->s.rflags |= X86_RFLAGS_DF;
	return cpu_retire(c, in);
}

/* LAHF/SAHF: AH <-> SF ZF 0 AF 0 PF 1 CF.  In 64-bit mode only with
 * CPUID.80000001H:ECX.LAHF-SAHF (in the model). */
#define LAHF_MASK                                                                        \
	(X86_RFLAGS_SF | X86_RFLAGS_ZF | X86_RFLAGS_AF | X86_RFLAGS_PF | X86_RFLAGS_CF)

int h_lahf(struct cpu *c, const struct x86_insn *in)
{
	if (c->long64 && !cpu_has(CPU_FEAT_LAHF))
		return cpu_ud(c);
	uint64_t f = (cpu_rflags(c) & LAHF_MASK) | X86_RFLAGS_FIXED;
	cpu_gpr_set(c, X86_RC_GPR8H, X86_RAX, 1, f);
	return cpu_retire(c, in);
}

int h_sahf(struct cpu *c, const struct x86_insn *in)
{
	if (c->long64 && !cpu_has(CPU_FEAT_LAHF))
		return cpu_ud(c);
	cpu_set_status(c, LAHF_MASK, (c->s.gpr[X86_RAX] >> 8) & 0xff);
	return cpu_retire(c, in);
}

/* SALC (undocumented, outside 64-bit mode): AL = CF ? 0xff : 0. */
int h_salc(struct cpu *c, const struct x86_insn *in)
{
	cpu_gpr_set(c, X86_RC_GPR, X86_RAX, 1, cpu_cf(c) ? 0xff : 0);
	return cpu_retire(c, in);
}
