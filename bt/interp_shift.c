/*
 * interp_shift.c - shifts and rotates, double shifts, bit tests and bit
 * scans, BSWAP, and the legacy BCD adjustments.
 *
 * These instructions set their flags eagerly (cpu_set_status): their
 * carry and overflow depend on the count, which the lazy record of
 * interp_alu.c does not keep.  The count is masked to 5 bits (6 with a
 * 64-bit operand); a masked count of 0 changes no flags and no value (a
 * 32-bit register destination is still zero-extended, as for any 32-bit
 * write).
 *
 *   insn      CF                       OF (count 1; else u)      SF ZF PF  AF
 *   SHL/SAL   last bit out             MSB(r) ^ CF               r         u: 0
 *   SHR       last bit out             MSB(a)                    r         u: 0
 *   SAR       last bit out             0                         r         u: 0
 *   ROL       LSB(r)                   MSB(r) ^ CF               -         -
 *   ROR       MSB(r)                   MSB(r) ^ MSB-1(r)         -         -
 *   RCL       last bit out             MSB(r) ^ CF               -         -
 *   RCR       last bit out             MSB(a) ^ old CF           -         -
 *   SHLD      last bit out of dest     MSB(r) ^ MSB(a)           r         u: 0
 *   SHRD      last bit out of dest     MSB(r) ^ MSB(a)           r         u: 0
 *   BT*       the bit                  u: -                      u: - (ZF -) u: -
 *   BSF/BSR   u: -                     u: -                      ZF = src==0; SF PF u: -
 *
 * For a count above 1 the OF is undefined; trapeze applies the count-1
 * formula to the final values.  A count larger than the operand (8- and
 * 16-bit SHL/SHR/SAR, 16-bit SHLD/SHRD) shifts as if the operand were
 * wide enough (CF and the result then follow from the bits shifted in).
 */
#include "bt/interp_internal.h"

/* ---- shifts and rotates -------------------------------------------------- */

struct shift_out {
	uint64_t r;
	bool cf, of;
	bool szp; /* SF ZF PF AF are set from r (shifts), or kept (rotates) */
};

static void do_shl(uint64_t a, unsigned n, unsigned bits, struct shift_out *o)
{
	uint64_t m = cpu_size_mask(bits / 8);

	o->r = n >= bits ? 0 : (a << n) & m;
	o->cf = n <= bits ? (a >> (bits - n)) & 1 : 0;
	o->of = ((o->r >> (bits - 1)) & 1) ^ o->cf;
	o->szp = true;
}

static void do_shr(uint64_t a, unsigned n, unsigned bits, struct shift_out *o)
{
	o->r = n >= bits ? 0 : a >> n;
	o->cf = n <= bits ? (a >> (n - 1)) & 1 : 0;
	o->of = (a >> (bits - 1)) & 1;
	o->szp = true;
}

static void do_sar(uint64_t a, unsigned n, unsigned bits, struct shift_out *o)
{
	int64_t sa = cpu_sext(a, bits / 8);

	o->r = (uint64_t)(sa >> (n >= bits ? bits - 1 : n)) & cpu_size_mask(bits / 8);
	o->cf = (sa >> (n > bits ? bits - 1 : n - 1)) & 1;
	o->of = false;
	o->szp = true;
}

/* ROL/ROR: rotate by n mod bits; CF and OF change even when that is 0. */
static void do_rot(uint64_t a, unsigned n, unsigned bits, bool left, struct shift_out *o)
{
	uint64_t m = cpu_size_mask(bits / 8);
	unsigned k = n % bits;

	if (k == 0)
		o->r = a;
	else if (left)
		o->r = ((a << k) | (a >> (bits - k))) & m;
	else
		o->r = ((a >> k) | (a << (bits - k))) & m;
	if (left) {
		o->cf = o->r & 1;
		o->of = ((o->r >> (bits - 1)) & 1) ^ o->cf;
	} else {
		o->cf = (o->r >> (bits - 1)) & 1;
		o->of = o->cf ^ ((o->r >> (bits - 2)) & 1);
	}
	o->szp = false;
}

/* RCL/RCR: rotate the (bits+1)-bit value CF:a by n mod (bits+1). */
static void do_rc(uint64_t a, unsigned n, unsigned bits, bool left, bool cf,
                  struct shift_out *o)
{
	unsigned w = bits + 1, k = n % w;
	unsigned __int128 v = ((unsigned __int128)cf << bits) | a, r = v;
	unsigned __int128 wm = ((unsigned __int128)1 << w) - 1;

	if (k)
		r = left ? ((v << k) | (v >> (w - k))) & wm
		         : ((v >> k) | (v << (w - k))) & wm;
	o->r = (uint64_t)r & cpu_size_mask(bits / 8);
	o->cf = (r >> bits) & 1;
	if (left)
		o->of = ((o->r >> (bits - 1)) & 1) ^ o->cf;
	else
		o->of = ((a >> (bits - 1)) & 1) ^ cf;
	o->szp = false;
}

/* Set the flags of a shift or rotate with a non-zero masked count. */
static void shift_flags(struct cpu *c, const struct shift_out *o, unsigned size)
{
	uint64_t f = (o->cf ? X86_RFLAGS_CF : 0) | (o->of ? X86_RFLAGS_OF : 0);

	if (o->szp)
		cpu_set_status(c, X86_RFLAGS_STATUS, f | cpu_szp(o->r, size));
	else
		cpu_set_status(c, X86_RFLAGS_CF | X86_RFLAGS_OF, f);
}

/* A masked count of 0 changes no flags and no value, but a register
 * destination is still written: a 32-bit one is zero-extended. */
static int count_zero(struct cpu *c, const struct x86_insn *in, const struct loc *dst,
                      uint64_t a)
{
	if (dst->kind == LOC_REG)
		loc_write(c, dst, a);
	return cpu_retire(c, in);
}

/* ROL ROR RCL RCR SHL SHR SAL SAR: Eb/Ev by 1, CL or Ib. */
int h_shift(struct cpu *c, const struct x86_insn *in)
{
	unsigned size = in->opnd[0].size, bits = 8 * size;
	uint64_t a, cnt;
	struct shift_out o;
	struct loc dst;
	int rc;

	if ((rc = op_read(c, in, &in->opnd[1], &cnt)))
		return rc;
	if ((rc = op_loc(c, in, &in->opnd[0], CPU_ACC_WRITE, &dst)))
		return rc;
	if ((rc = loc_read(c, &dst, &a)))
		return rc;
	unsigned n = (unsigned)(cnt & (size == 8 ? 0x3f : 0x1f));
	if (n == 0)
		return count_zero(c, in, &dst, a);
	enum lf_op lop = LF_NONE;
	switch (x86_insn_mnemonic(in)) {
	case X86_I_ROL:
		do_rot(a, n, bits, true, &o);
		break;
	case X86_I_ROR:
		do_rot(a, n, bits, false, &o);
		break;
	case X86_I_RCL:
		do_rc(a, n, bits, true, cpu_rflags(c) & X86_RFLAGS_CF, &o);
		break;
	case X86_I_RCR:
		do_rc(a, n, bits, false, cpu_rflags(c) & X86_RFLAGS_CF, &o);
		break;
	case X86_I_SHR:
		do_shr(a, n, bits, &o);
		lop = LF_SHR;
		break;
	case X86_I_SAR:
		do_sar(a, n, bits, &o);
		lop = LF_SAR;
		break;
	default:
		do_shl(a, n, bits, &o);
		lop = LF_SHL;
		break; /* SHL, SAL */
	}
	if ((rc = loc_write(c, &dst, o.r)))
		return rc;
	if (lop != LF_NONE)
		lf_set(c, lop, size, o.r, a, n); /* flags computed when read */
	else
		shift_flags(c, &o, size);
	return cpu_retire(c, in);
}

/*
 * shift_regs - SHL/SAL, SHR, SAR of a register by an immediate or CL:
 * the common forms, picked by the decode cache (interp_shift_regs) so the
 * operation is known at compile time and nothing can fault.
 */
static inline __attribute__((always_inline)) int
shift_regs(struct cpu *c, const struct x86_insn *in, enum lf_op lop)
{
	const struct x86_operand *d = &in->opnd[0], *s = &in->opnd[1];
	unsigned size = d->size, bits = 8 * size;
	uint64_t cnt =
	    s->kind == X86_OPND_IMM ? s->imm : cpu_gpr_get(c, s->reg.cls, s->reg.num, 1);
	uint64_t a = cpu_gpr_get(c, d->reg.cls, d->reg.num, size), r;
	unsigned n = (unsigned)(cnt & (size == 8 ? 0x3f : 0x1f));

	if (n == 0)
		r = a; /* still written: a 32-bit register is zero-extended */
	else if (lop == LF_SHL)
		r = n >= bits ? 0 : (a << n) & cpu_size_mask(size);
	else if (lop == LF_SHR)
		r = n >= bits ? 0 : a >> n;
	else
		r = (uint64_t)(cpu_sext(a, size) >> (n >= bits ? bits - 1 : n)) &
		    cpu_size_mask(size);
	cpu_gpr_set(c, d->reg.cls, d->reg.num, size, r);
	if (n)
		lf_set(c, lop, size, r, a, n);
	return cpu_retire(c, in);
}

static int h_shl_r(struct cpu *c, const struct x86_insn *in)
{
	return shift_regs(c, in, LF_SHL);
}

static int h_shr_r(struct cpu *c, const struct x86_insn *in)
{
	return shift_regs(c, in, LF_SHR);
}

static int h_sar_r(struct cpu *c, const struct x86_insn *in)
{
	return shift_regs(c, in, LF_SAR);
}

interp_handler_fn interp_shift_regs(const struct x86_insn *in)
{
	if (in->nopnds != 2 || in->opnd[0].kind != X86_OPND_REG)
		return NULL;
	switch (x86_insn_mnemonic(in)) {
	case X86_I_SHL:
	case X86_I_SAL:
		return h_shl_r;
	case X86_I_SHR:
		return h_shr_r;
	case X86_I_SAR:
		return h_sar_r;
	default:
		return NULL;
	}
}

/*
 * SHLD/SHRD Ev, Gv, Ib/CL.  For 32 and 64 bits the masked count is below
 * the operand width.  For 16 bits a count of 17..31 is undefined by the
 * SDM; trapeze shifts the 48-bit value dest:src:dest.
 */
static int double_shift(struct cpu *c, const struct x86_insn *in, bool left)
{
	unsigned size = in->opnd[0].size, bits = 8 * size;
	uint64_t a, b, cnt, m = cpu_size_mask(size);
	struct shift_out o;
	struct loc dst;
	int rc;

	if ((rc = op_read(c, in, &in->opnd[2], &cnt)) ||
	    (rc = op_read(c, in, &in->opnd[1], &b)) ||
	    (rc = op_loc(c, in, &in->opnd[0], CPU_ACC_WRITE, &dst)) ||
	    (rc = loc_read(c, &dst, &a)))
		return rc;
	unsigned n = (unsigned)(cnt & (size == 8 ? 0x3f : 0x1f));
	if (n == 0)
		return count_zero(c, in, &dst, a);
	if (size == 2) {
		/* x = a:b:a (48 bits); the result is a 16-bit window of it */
		unsigned __int128 x = ((unsigned __int128)a << 32) | (b << 16) | a;
		o.r = (uint64_t)(left ? (x << n) >> 32 : x >> n) & m;
		o.cf = (x >> (left ? 48 - n : n - 1)) & 1;
	} else if (left) { /* n < bits for 32 and 64 bits */
		o.r = ((a << n) | (b >> (bits - n))) & m;
		o.cf = (a >> (bits - n)) & 1;
	} else {
		o.r = ((a >> n) | (b << (bits - n))) & m;
		o.cf = (a >> (n - 1)) & 1;
	}
	o.of = ((o.r ^ a) >> (bits - 1)) & 1;
	o.szp = true;
	if ((rc = loc_write(c, &dst, o.r)))
		return rc;
	shift_flags(c, &o, size);
	return cpu_retire(c, in);
}

int h_shld(struct cpu *c, const struct x86_insn *in)
{
	return double_shift(c, in, true);
}
int h_shrd(struct cpu *c, const struct x86_insn *in)
{
	return double_shift(c, in, false);
}

/* ---- bit tests ----------------------------------------------------------- */

/*
 * BT, BTS, BTR, BTC Ev,Gv / Ev,Ib.  With a register bit offset and a
 * memory operand the offset is signed and selects the operand-sized unit
 * at ea + size * floor(offset / bits); otherwise it is taken modulo the
 * operand width.  CF = the bit; the other flags are unchanged.
 */
int h_bt(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *d = &in->opnd[0];
	unsigned size = d->size, bits = 8 * size;
	enum x86_mnemonic mn = x86_insn_mnemonic(in);
	bool writes = mn != X86_I_BT;
	uint64_t off, v;
	struct loc dst;
	int rc = op_read(c, in, &in->opnd[1], &off);

	if (rc)
		return rc;
	if (d->kind == X86_OPND_MEM && in->opnd[1].kind == X86_OPND_REG) {
		int64_t so = cpu_sext(off, size);
		int64_t unit = so >= 0 ? so / bits : -((-so + bits - 1) / bits);
		uint64_t ea = cpu_ea(c, in, &d->mem) + (uint64_t)(unit * (int64_t)size);
		ea &= cpu_size_mask(d->mem.addr_size);
		off = (uint64_t)(so - unit * (int64_t)bits);
		rc = mem_loc(c, d->mem.seg, ea, size,
		             writes ? CPU_ACC_WRITE : CPU_ACC_READ, &dst);
	} else {
		off &= bits - 1;
		rc = op_loc(c, in, d, writes ? CPU_ACC_WRITE : CPU_ACC_READ, &dst);
	}
	if (rc || (rc = loc_read(c, &dst, &v)))
		return rc;
	uint64_t bit = 1ull << off;
	bool cf = v & bit;
	if (mn == X86_I_BTS)
		v |= bit;
	else if (mn == X86_I_BTR)
		v &= ~bit;
	else if (mn == X86_I_BTC)
		v ^= bit;
	if (writes && (rc = loc_write(c, &dst, v)))
		return rc;
	cpu_set_status(c, X86_RFLAGS_CF, cf ? X86_RFLAGS_CF : 0);
	return cpu_retire(c, in);
}

/* ---- bit scans ----------------------------------------------------------- */

/* BSF/BSR: ZF = (src == 0) and the destination is left unchanged then
 * (the SDM says undefined; AMD documents that it is kept, and Intel CPUs
 * keep it too); CF OF SF AF PF are undefined and left unchanged. */
static int bit_scan(struct cpu *c, const struct x86_insn *in, bool forward)
{
	const struct x86_operand *d = &in->opnd[0];
	uint64_t v;
	int rc = op_read(c, in, &in->opnd[1], &v);

	if (rc)
		return rc;
	if (v == 0) {
		cpu_set_status(c, X86_RFLAGS_ZF, X86_RFLAGS_ZF);
		return cpu_retire(c, in);
	}
	uint64_t idx =
	    forward ? (uint64_t)__builtin_ctzll(v) : (uint64_t)(63 - __builtin_clzll(v));
	cpu_gpr_set(c, d->reg.cls, d->reg.num, d->size, idx);
	cpu_set_status(c, X86_RFLAGS_ZF, 0);
	return cpu_retire(c, in);
}

int h_bsf(struct cpu *c, const struct x86_insn *in)
{
	return bit_scan(c, in, true);
}
int h_bsr(struct cpu *c, const struct x86_insn *in)
{
	return bit_scan(c, in, false);
}

/* TZCNT/LZCNT: a CPU without BMI1/LZCNT ignores the F3 prefix and runs
 * BSF/BSR -- so does trapeze when the model lacks them.  With them:
 * CF = (src == 0), ZF = (result == 0), OF SF AF PF undefined (cleared). */
static int count_zeros(struct cpu *c, const struct x86_insn *in, bool trailing)
{
	const struct x86_operand *d = &in->opnd[0];
	unsigned bits = 8 * d->size;
	uint64_t v, n;
	int rc = op_read(c, in, &in->opnd[1], &v);

	if (rc)
		return rc;
	if (v == 0)
		n = bits;
	else if (trailing)
		n = (uint64_t)__builtin_ctzll(v);
	else
		n = (uint64_t)(__builtin_clzll(v) - (64 - (int)bits));
	cpu_gpr_set(c, d->reg.cls, d->reg.num, d->size, n);
	cpu_set_status(c, X86_RFLAGS_STATUS,
	               (v == 0 ? X86_RFLAGS_CF : 0) | (n == 0 ? X86_RFLAGS_ZF : 0));
	return cpu_retire(c, in);
}

int h_tzcnt(struct cpu *c, const struct x86_insn *in)
{
	return cpu_has(CPU_FEAT_BMI1) ? count_zeros(c, in, true) : bit_scan(c, in, true);
}

int h_lzcnt(struct cpu *c, const struct x86_insn *in)
{
	return cpu_has(CPU_FEAT_LZCNT) ? count_zeros(c, in, false)
	                               : bit_scan(c, in, false);
}

/* POPCNT (#UD outside the model): ZF = (src == 0), other flags cleared. */
int h_popcnt(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *d = &in->opnd[0];
	uint64_t v;
	int rc;

	if (!cpu_has(CPU_FEAT_POPCNT))
		return cpu_ud(c);
	if ((rc = op_read(c, in, &in->opnd[1], &v)))
		return rc;
	cpu_gpr_set(c, d->reg.cls, d->reg.num, d->size,
	            (uint64_t)__builtin_popcountll(v));
	cpu_set_status(c, X86_RFLAGS_STATUS, v == 0 ? X86_RFLAGS_ZF : 0);
	return cpu_retire(c, in);
}

/* BSWAP r32/r64.  With a 16-bit operand the SDM says undefined; trapeze
 * clears the register's low word. */
int h_bswap(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *d = &in->opnd[0];
	uint64_t v = cpu_gpr_get(c, d->reg.cls, d->reg.num, d->size);

	if (d->size == 8)
		v = __builtin_bswap64(v);
	else if (d->size == 4)
		v = __builtin_bswap32((uint32_t)v);
	else
		v = 0;
	cpu_gpr_set(c, d->reg.cls, d->reg.num, d->size, v);
	return cpu_retire(c, in);
}

/* ---- BCD (outside 64-bit mode only; the decoder rejects them there) ------ */

static uint8_t reg_al(const struct cpu *c)
{
	return (uint8_t)c->s.gpr[X86_RAX];
}
static uint8_t reg_ah(const struct cpu *c)
{
	return (uint8_t)(c->s.gpr[X86_RAX] >> 8);
}

/* DAA/DAS: decimal adjust after ADD/SUB.  OF is undefined: cleared. */
static int decimal_adjust(struct cpu *c, const struct x86_insn *in, bool add)
{
	uint64_t f = cpu_rflags(c);
	uint8_t al = reg_al(c), old_al = al;
	bool old_cf = f & X86_RFLAGS_CF, cf = false, af = false;

	if ((al & 0xf) > 9 || (f & X86_RFLAGS_AF)) {
		cf = old_cf || (add ? al > 0xff - 6 : al < 6);
		al = (uint8_t)(add ? al + 6 : al - 6);
		af = true;
	}
	if (old_al > 0x99 || old_cf) {
		al = (uint8_t)(add ? al + 0x60 : al - 0x60);
		cf = true;
	}
	cpu_gpr_set(c, X86_RC_GPR, X86_RAX, 1, al);
	cpu_set_status(c, X86_RFLAGS_STATUS,
	               cpu_szp(al, 1) | (cf ? X86_RFLAGS_CF : 0) |
	                   (af ? X86_RFLAGS_AF : 0));
	return cpu_retire(c, in);
}

int h_daa(struct cpu *c, const struct x86_insn *in)
{
	return decimal_adjust(c, in, true);
}
int h_das(struct cpu *c, const struct x86_insn *in)
{
	return decimal_adjust(c, in, false);
}

/* AAA/AAS: ASCII adjust; AF = CF = adjusted.  OF SF ZF PF are undefined:
 * SF ZF PF from AL, OF cleared. */
static int ascii_adjust(struct cpu *c, const struct x86_insn *in, bool add)
{
	uint64_t f = cpu_rflags(c);
	uint16_t ax = (uint16_t)c->s.gpr[X86_RAX];
	bool adj = (ax & 0xf) > 9 || (f & X86_RFLAGS_AF);

	if (adj) {
		if (add)
			ax = (uint16_t)(ax + 0x106);
		else
			ax = (uint16_t)(((ax & 0xff) - 6) & 0xff) |
			     (uint16_t)((ax & 0xff00) - 0x100);
	}
	ax &= 0xff0f;
	cpu_gpr_set(c, X86_RC_GPR, X86_RAX, 2, ax);
	cpu_set_status(c, X86_RFLAGS_STATUS,
	               cpu_szp(ax & 0xff, 1) | (adj ? X86_RFLAGS_CF | X86_RFLAGS_AF : 0));
	return cpu_retire(c, in);
}

int h_aaa(struct cpu *c, const struct x86_insn *in)
{
	return ascii_adjust(c, in, true);
}
int h_aas(struct cpu *c, const struct x86_insn *in)
{
	return ascii_adjust(c, in, false);
}

/* AAM imm8: AH = AL / imm, AL = AL % imm (#DE for 0); AAD imm8:
 * AL = AL + AH * imm, AH = 0.  SF ZF PF from AL; OF AF CF undefined:
 * cleared. */
int h_aam(struct cpu *c, const struct x86_insn *in)
{
	uint8_t base = (uint8_t)in->opnd[0].imm, al = reg_al(c);

	if (base == 0)
		return cpu_fault(c, X86_EXC_DE, false, 0);
	uint16_t ax = (uint16_t)((al / base) << 8 | (al % base));
	cpu_gpr_set(c, X86_RC_GPR, X86_RAX, 2, ax);
	cpu_set_status(c, X86_RFLAGS_STATUS, cpu_szp(ax & 0xff, 1));
	return cpu_retire(c, in);
}

int h_aad(struct cpu *c, const struct x86_insn *in)
{
	uint8_t base = (uint8_t)in->opnd[0].imm;
	uint8_t al = (uint8_t)(reg_al(c) + reg_ah(c) * base);

	cpu_gpr_set(c, X86_RC_GPR, X86_RAX, 2, al);
	cpu_set_status(c, X86_RFLAGS_STATUS, cpu_szp(al, 1));
	return cpu_retire(c, in);
}
