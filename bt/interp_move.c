/*
 * interp_move.c - data movement: MOV and its extending forms, LEA,
 * exchanges (XCHG, CMPXCHG, CMPXCHG8B/16B, XADD), the stack (PUSH, POP,
 * PUSHA/POPA, PUSHF/POPF, ENTER, LEAVE), sign extensions of rAX, XLAT,
 * SETcc, CMOVcc, far-pointer loads, BOUND.
 *
 * Precision rule for every handler here: read everything and run every
 * check first, then write memory, then write registers.  A stack
 * instruction writes its memory first and moves rSP after, so a fault in
 * the write leaves rSP where it was.  (LOCK and XCHG's implicit lock are
 * accepted and need nothing: there is one vCPU.)
 */
#include "bt/interp_internal.h"

/* ---- MOV ----------------------------------------------------------------- */

/* MOV Sreg, Ew: loading SS also holds off interrupts for one instruction. */
static int mov_to_sreg(struct cpu *c, const struct x86_insn *in)
{
	unsigned seg = in->opnd[0].reg.num;
	uint64_t v;
	int rc = op_read(c, in, &in->opnd[1], &v);

	if (rc || (rc = seg_load(c, seg, (uint16_t)v)))
		return rc;
	if (seg == X86_SEG_SS)
		cpu_ev_set(c, CPU_EV_SHADOW);
	return cpu_retire(c, in);
}

/* MOV Ev, Sreg: a register gets the selector zero-extended, memory a word. */
static int mov_from_sreg(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *d = &in->opnd[0];
	uint16_t sel = cpu_seg(c, in->opnd[1].reg.num)->selector;
	int rc;

	if (d->kind == X86_OPND_REG) {
		cpu_gpr_set(c, d->reg.cls, d->reg.num, d->size, sel);
		return cpu_retire(c, in);
	}
	rc = mem_write(c, d->mem.seg, cpu_ea(c, in, &d->mem), 2, sel);
	return rc ? rc : cpu_retire(c, in);
}

int h_mov(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *d = &in->opnd[0], *s = &in->opnd[1];
	uint64_t v;
	int rc;

	if (d->kind == X86_OPND_REG && s->kind != X86_OPND_MEM &&
	    d->reg.cls <= X86_RC_GPR8H &&
	    (s->kind == X86_OPND_IMM || s->reg.cls <= X86_RC_GPR8H)) {
		v = s->kind == X86_OPND_IMM
		        ? s->imm
		        : cpu_gpr_get(c, s->reg.cls, s->reg.num, s->size);
		cpu_gpr_set(c, d->reg.cls, d->reg.num, d->size, v);
		return cpu_retire(c, in);
	}
	if (d->kind == X86_OPND_REG && d->reg.cls == X86_RC_CR)
		return h_mov_cr(c, in);
	if (s->kind == X86_OPND_REG && s->reg.cls == X86_RC_CR)
		return h_mov_cr(c, in);
	if ((d->kind == X86_OPND_REG && d->reg.cls == X86_RC_DR) ||
	    (s->kind == X86_OPND_REG && s->reg.cls == X86_RC_DR))
		return h_mov_dr(c, in);
	if (d->kind == X86_OPND_REG && d->reg.cls == X86_RC_SEG)
		return mov_to_sreg(c, in);
	if (s->kind == X86_OPND_REG && s->reg.cls == X86_RC_SEG)
		return mov_from_sreg(c, in);
	if ((rc = op_read(c, in, s, &v)))
		return rc;
	if (d->kind == X86_OPND_REG)
		cpu_gpr_set(c, d->reg.cls, d->reg.num, d->size, v);
	else if ((rc = mem_write(c, d->mem.seg, cpu_ea(c, in, &d->mem), d->size, v)))
		return rc;
	return cpu_retire(c, in);
}

/*
 * The three common forms of MOV between general registers, immediates
 * and memory, chosen at decode time (interp_handler_for in interp_exec.c) so
 * they skip h_mov's tests; h_mov handles every form.
 */
int h_mov_rr(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *d = &in->opnd[0], *s = &in->opnd[1];
	uint64_t v = s->kind == X86_OPND_IMM
	                 ? s->imm
	                 : cpu_gpr_get(c, s->reg.cls, s->reg.num, s->size);

	cpu_gpr_set(c, d->reg.cls, d->reg.num, d->size, v);
	return cpu_retire(c, in);
}

int h_mov_load(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *d = &in->opnd[0], *s = &in->opnd[1];
	uint64_t v;
	int rc = mem_read(c, s->mem.seg, cpu_ea(c, in, &s->mem), s->size, &v);

	if (rc)
		return rc;
	cpu_gpr_set(c, d->reg.cls, d->reg.num, d->size, v);
	return cpu_retire(c, in);
}

int h_mov_store(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *d = &in->opnd[0], *s = &in->opnd[1];
	uint64_t v = s->kind == X86_OPND_IMM
	                 ? s->imm
	                 : cpu_gpr_get(c, s->reg.cls, s->reg.num, s->size);
	int rc = mem_write(c, d->mem.seg, cpu_ea(c, in, &d->mem), d->size, v);

	return rc ? rc : cpu_retire(c, in);
}

int h_movzx(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *d = &in->opnd[0];
	uint64_t v;
	int rc = op_read(c, in, &in->opnd[1], &v);

	if (rc)
		return rc;
	cpu_gpr_set(c, d->reg.cls, d->reg.num, d->size, v);
	return cpu_retire(c, in);
}

/* MOVSX, and MOVSXD (without REX.W a plain 32-bit move). */
int h_movsx(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *d = &in->opnd[0];
	uint64_t v;
	int rc = op_read(c, in, &in->opnd[1], &v);

	if (rc)
		return rc;
	v = (uint64_t)cpu_sext(v, in->opnd[1].size);
	cpu_gpr_set(c, d->reg.cls, d->reg.num, d->size, v & cpu_size_mask(d->size));
	return cpu_retire(c, in);
}

/* LEA: the effective address (in the address size), truncated to the
 * operand size; no memory is touched. */
int h_lea(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *d = &in->opnd[0];

	cpu_gpr_set(c, d->reg.cls, d->reg.num, d->size, cpu_ea(c, in, &in->opnd[1].mem));
	return cpu_retire(c, in);
}

/* MOVNTI My, Gy (SSE2): a store with a non-temporal hint. */
int h_movnti(struct cpu *c, const struct x86_insn *in)
{
	if (!cpu_has(CPU_FEAT_SSE))
		return cpu_ud(c);
	const struct x86_operand *d = &in->opnd[0], *s = &in->opnd[1];
	int rc = mem_write(c, d->mem.seg, cpu_ea(c, in, &d->mem), d->size,
	                   cpu_gpr_get(c, s->reg.cls, s->reg.num, s->size));
	return rc ? rc : cpu_retire(c, in);
}

/* MOVBE Gv,Mv / Mv,Gv: a byte-swapping move (#UD outside the model). */
int h_movbe(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *d = &in->opnd[0];
	uint64_t v;
	int rc;

	if (!cpu_has(CPU_FEAT_MOVBE))
		return cpu_ud(c);
	if ((rc = op_read(c, in, &in->opnd[1], &v)))
		return rc;
	if (d->size == 8)
		v = __builtin_bswap64(v);
	else if (d->size == 4)
		v = __builtin_bswap32((uint32_t)v);
	else
		v = __builtin_bswap16((uint16_t)v);
	if (d->kind == X86_OPND_REG)
		cpu_gpr_set(c, d->reg.cls, d->reg.num, d->size, v);
	else if ((rc = mem_write(c, d->mem.seg, cpu_ea(c, in, &d->mem), d->size, v)))
		return rc;
	return cpu_retire(c, in);
}

/* ---- exchanges ----------------------------------------------------------- */

int h_xchg(struct cpu *c, const struct x86_insn *in)
{
	struct loc a, b;
	uint64_t va, vb;
	int rc;

	if ((rc = op_loc(c, in, &in->opnd[0], CPU_ACC_WRITE, &a)) ||
	    (rc = op_loc(c, in, &in->opnd[1], CPU_ACC_WRITE, &b)) ||
	    (rc = loc_read(c, &a, &va)) || (rc = loc_read(c, &b, &vb)))
		return rc;
	/* memory (at most one operand) first */
	if (a.kind == LOC_MEM) {
		if ((rc = loc_write(c, &a, vb)))
			return rc;
		loc_write(c, &b, va);
	} else {
		if ((rc = loc_write(c, &b, va)))
			return rc;
		loc_write(c, &a, vb);
	}
	return cpu_retire(c, in);
}

/* CMPXCHG Eb/Ev, Gb/Gv: flags as CMP rAX, dest.  Equal: dest = src.
 * Not equal: rAX = dest, and a memory dest is written back unchanged (the
 * processor always writes it); a register dest is left alone. */
int h_cmpxchg(struct cpu *c, const struct x86_insn *in)
{
	unsigned size = in->opnd[0].size;
	uint64_t acc = cpu_gpr_get(c, X86_RC_GPR, X86_RAX, size), dv, src;
	struct loc dst;
	int rc;

	if ((rc = op_loc(c, in, &in->opnd[0], CPU_ACC_WRITE, &dst)) ||
	    (rc = op_read(c, in, &in->opnd[1], &src)) || (rc = loc_read(c, &dst, &dv)))
		return rc;
	bool equal = acc == dv;
	if (equal || dst.kind == LOC_MEM) {
		if ((rc = loc_write(c, &dst, equal ? src : dv)))
			return rc;
	}
	if (!equal)
		cpu_gpr_set(c, X86_RC_GPR, X86_RAX, size, dv);
	lf_set(c, LF_SUB, size, (acc - dv) & cpu_size_mask(size), acc, dv);
	return cpu_retire(c, in);
}

/* CMPXCHG8B m64 / CMPXCHG16B m128 (REX.W; 16-byte aligned, and #UD
 * unless the model has CX16): rDX:rAX against memory; ZF only. */
int h_cmpxchg8b(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *o = &in->opnd[0];
	bool wide = x86_insn_mnemonic(in) == X86_I_CMPXCHG16B;
	unsigned half = wide ? 8 : 4;
	uint64_t m = cpu_size_mask(half), ea = cpu_ea(c, in, &o->mem), mem[2] = {0, 0};
	uint64_t cur[2];
	gva_t la;
	int rc;

	if (!cpu_has(wide ? CPU_FEAT_CX16 : CPU_FEAT_CX8))
		return cpu_ud(c);
	if (wide && (ea & 15))
		return cpu_gp0(c);
	if ((rc = mem_linear(c, o->mem.seg, ea, 2 * half, CPU_ACC_WRITE, &la)) ||
	    (rc = mem_probe_write(c, la, 2 * half, false)) ||
	    (rc = mem_read_bytes(c, la, mem, 2 * half, false)))
		return rc;
	if (!wide) { /* unpack the 8 bytes into two 4-byte halves */
		mem[1] = mem[0] >> 32;
		mem[0] &= m;
	}
	bool equal =
	    mem[0] == (c->s.gpr[X86_RAX] & m) && mem[1] == (c->s.gpr[X86_RDX] & m);
	if (equal) {
		cur[0] = c->s.gpr[X86_RBX] & m;
		cur[1] = c->s.gpr[X86_RCX] & m;
	} else {
		cur[0] = mem[0];
		cur[1] = mem[1];
	}
	if (!wide)
		cur[0] |= cur[1] << 32;
	if ((rc = mem_write_bytes(c, la, cur, 2 * half, false)))
		return rc;
	if (!equal) {
		cpu_gpr_set(c, X86_RC_GPR, X86_RAX, half, mem[0]);
		cpu_gpr_set(c, X86_RC_GPR, X86_RDX, half, mem[1]);
	}
	cpu_set_status(c, X86_RFLAGS_ZF, equal ? X86_RFLAGS_ZF : 0);
	return cpu_retire(c, in);
}

/* XADD Eb/Ev, Gb/Gv: tmp = dest + src; src = dest; dest = tmp (the
 * destination is written last, so XADD r, r with one register keeps the
 * sum).  Flags as ADD. */
int h_xadd(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *s = &in->opnd[1];
	unsigned size = in->opnd[0].size;
	uint64_t dv, sv = cpu_gpr_get(c, s->reg.cls, s->reg.num, size), sum;
	struct loc dst;
	int rc;

	if ((rc = op_loc(c, in, &in->opnd[0], CPU_ACC_WRITE, &dst)) ||
	    (rc = loc_read(c, &dst, &dv)))
		return rc;
	sum = (dv + sv) & cpu_size_mask(size);
	if (dst.kind == LOC_MEM && (rc = loc_write(c, &dst, sum)))
		return rc;
	cpu_gpr_set(c, s->reg.cls, s->reg.num, size, dv);
	if (dst.kind == LOC_REG)
		loc_write(c, &dst, sum);
	lf_set(c, LF_ADD, size, sum, dv, sv);
	return cpu_retire(c, in);
}

/* ---- rAX extensions and XLAT --------------------------------------------- */

/* CBW / CWDE / CDQE: sign-extend the lower half of rAX into rAX. */
int h_cbw(struct cpu *c, const struct x86_insn *in)
{
	unsigned size = in->opsize;
	uint64_t v = (uint64_t)cpu_sext(c->s.gpr[X86_RAX], size / 2);

	cpu_gpr_set(c, X86_RC_GPR, X86_RAX, size, v & cpu_size_mask(size));
	return cpu_retire(c, in);
}

/* CWD / CDQ / CQO: rDX = the sign of rAX, repeated. */
int h_cwd(struct cpu *c, const struct x86_insn *in)
{
	unsigned size = in->opsize;
	bool neg = c->s.gpr[X86_RAX] & cpu_sign_bit(size);

	cpu_gpr_set(c, X86_RC_GPR, X86_RDX, size, neg ? cpu_size_mask(size) : 0);
	return cpu_retire(c, in);
}

/* The data segment of an instruction without a memory operand in the
 * decoder's list (XLAT): DS, or the override (only FS/GS in 64-bit mode). */
static unsigned implicit_ds(const struct cpu *c, const struct x86_insn *in)
{
	if (in->seg == X86_SEG_NONE)
		return X86_SEG_DS;
	if (c->long64 && in->seg != X86_SEG_FS && in->seg != X86_SEG_GS)
		return X86_SEG_DS;
	return in->seg;
}

/* XLAT: AL = [seg:rBX + AL] in the address size. */
int h_xlat(struct cpu *c, const struct x86_insn *in)
{
	uint64_t off = (c->s.gpr[X86_RBX] + (c->s.gpr[X86_RAX] & 0xff)) &
	               cpu_size_mask(in->addrsize);
	uint64_t v;
	int rc = mem_read(c, implicit_ds(c, in), off, 1, &v);

	if (rc)
		return rc;
	cpu_gpr_set(c, X86_RC_GPR, X86_RAX, 1, v);
	return cpu_retire(c, in);
}

/* ---- the stack ----------------------------------------------------------- */

/* PUSH r/m/imm/Sreg.  A segment register is pushed zero-extended to the
 * operand size (recent Intel CPUs write only its 16 bits; see
 * docs/interpreter.md). */
int h_push(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *o = &in->opnd[0];
	uint64_t v;
	int rc;

	if (o->kind == X86_OPND_REG && o->reg.cls == X86_RC_SEG)
		v = cpu_seg(c, o->reg.num)->selector;
	else if ((rc = op_read(c, in, o, &v)))
		return rc;
	rc = stack_push(c, in->opsize, v);
	return rc ? rc : cpu_retire(c, in);
}

/* POP r/m/Sreg.  A memory destination addressed through rSP sees rSP
 * after the pop; on a fault rSP is put back. */
int h_pop(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *o = &in->opnd[0];
	unsigned size = in->opsize;
	uint64_t v, old = c->s.gpr[X86_RSP];
	int rc = stack_read(c, 0, size, &v);

	if (rc)
		return rc;
	if (o->kind == X86_OPND_REG && o->reg.cls == X86_RC_SEG) {
		if ((rc = seg_load(c, o->reg.num, (uint16_t)v)))
			return rc;
		stack_set_rsp(c, stack_rsp(c) + size);
		if (o->reg.num == X86_SEG_SS)
			cpu_ev_set(c, CPU_EV_SHADOW);
		return cpu_retire(c, in);
	}
	stack_set_rsp(c, stack_rsp(c) + size);
	if (o->kind == X86_OPND_REG) {
		cpu_gpr_set(c, o->reg.cls, o->reg.num, size, v);
		return cpu_retire(c, in);
	}
	if ((rc = mem_write(c, o->mem.seg, cpu_ea(c, in, &o->mem), size, v))) {
		c->s.gpr[X86_RSP] = old;
		return rc;
	}
	return cpu_retire(c, in);
}

/* PUSHA/PUSHAD (outside 64-bit mode): AX CX DX BX (old SP) BP SI DI. */
int h_pusha(struct cpu *c, const struct x86_insn *in)
{
	unsigned size = in->opsize;
	uint8_t buf[8 * 4];
	int rc;

	for (unsigned i = 0; i < 8; i++) { /* EDI lowest: reverse register order */
		uint64_t v = c->s.gpr[7 - i];
		for (unsigned b = 0; b < size; b++)
			buf[i * size + b] = (uint8_t)(v >> (8 * b));
	}
	if ((rc = stack_write_below(c, buf, 8 * size)))
		return rc;
	stack_set_rsp(c, stack_rsp(c) - 8 * size);
	return cpu_retire(c, in);
}

/* POPA/POPAD: the reverse, skipping the saved SP. */
int h_popa(struct cpu *c, const struct x86_insn *in)
{
	unsigned size = in->opsize;
	uint64_t v[8];
	int rc;

	for (unsigned i = 0; i < 8; i++)
		if ((rc = stack_read(c, (int64_t)(i * size), size, &v[i])))
			return rc;
	for (unsigned i = 0; i < 8; i++)
		if (7 - i != X86_RSP)
			cpu_gpr_set(c, X86_RC_GPR, 7 - i, size, v[i]);
	stack_set_rsp(c, stack_rsp(c) + 8 * size);
	return cpu_retire(c, in);
}

/* PUSHF: RFLAGS with VM and RF cleared in the image. */
int h_pushf(struct cpu *c, const struct x86_insn *in)
{
	uint64_t f = cpu_rflags(c) & ~(X86_RFLAGS_VM | X86_RFLAGS_RF);
	int rc = stack_push(c, in->opsize, f & cpu_size_mask(in->opsize));

	return rc ? rc : cpu_retire(c, in);
}

uint64_t cpu_rflags_writable(const struct cpu *c, unsigned opsize)
{
	uint64_t iopl = (c->s.rflags & X86_RFLAGS_IOPL) >> X86_RFLAGS_IOPL_SHIFT;
	uint64_t m = X86_RFLAGS_STATUS | X86_RFLAGS_TF | X86_RFLAGS_DF | X86_RFLAGS_NT |
	             X86_RFLAGS_AC | X86_RFLAGS_ID;

	if (c->cpl == 0)
		m |= X86_RFLAGS_IOPL;
	if (c->cpl <= iopl)
		m |= X86_RFLAGS_IF;
	return m & cpu_size_mask(opsize);
}

/* POPF: only the bits the CPL and IOPL allow change; IF and IOPL changes
 * the CPL may not make are ignored silently; RF is cleared. */
int h_popf(struct cpu *c, const struct x86_insn *in)
{
	unsigned size = in->opsize;
	uint64_t v, m = cpu_rflags_writable(c, size);
	int rc = stack_read(c, 0, size, &v);

	if (rc)
		return rc;
	if ((c->s.rflags & X86_RFLAGS_VM) &&
	    ((c->s.rflags & X86_RFLAGS_IOPL) >> X86_RFLAGS_IOPL_SHIFT) < 3)
		return cpu_gp0(c); /* virtual-8086 mode with IOPL < 3 */
	stack_set_rsp(c, stack_rsp(c) + size);
	cpu_set_rflags(c, ((cpu_rflags(c) & ~m) | (v & m)) & ~X86_RFLAGS_RF);
	return cpu_retire(c, in);
}

/*
 * The frame pointer ENTER copies from SS:addr while it has already pushed
 * `pushed` bytes into buf (which ends at rSP): when rBP points into that
 * new area the read sees the pushed bytes, as the one-push-at-a-time
 * algorithm of the SDM does.
 */
static int enter_read(struct cpu *c, uint64_t addr, unsigned w, const uint8_t *buf,
                      unsigned len, unsigned pushed, uint64_t *v)
{
	uint64_t mask = cpu_size_mask(c->stack_size), rsp = stack_rsp(c);
	int rc = mem_read(c, X86_SEG_SS, addr, w, v);

	if (rc)
		return rc;
	for (unsigned b = 0; b < w; b++) {
		uint64_t below = (rsp - ((addr + b) & mask)) & mask; /* bytes below rSP */
		if (below >= 1 && below <= pushed) {
			uint64_t byte = buf[len - below];
			*v = (*v & ~(0xffull << (8 * b))) | (byte << (8 * b));
		}
	}
	return INTERP_OK;
}

/* Store v as the w-byte push number `i` (0: the first) into buf, which
 * holds n pushes and ends at rSP. */
static void enter_put(uint8_t *buf, unsigned n, unsigned w, unsigned i, uint64_t v)
{
	for (unsigned b = 0; b < w; b++)
		buf[(n - 1 - i) * w + b] = (uint8_t)(v >> (8 * b));
}

/*
 * ENTER size, level: push rBP; with level L > 0 copy L-1 frame pointers
 * from the old frame and push the new one; rBP = frame; rSP -= size.
 * All the pushes go to memory in one write.
 */
int h_enter(struct cpu *c, const struct x86_insn *in)
{
	unsigned w = in->opsize, level = (unsigned)in->opnd[1].imm & 31;
	unsigned n = level ? level + 1 : 1;
	uint64_t mask = cpu_size_mask(c->stack_size), rbp = c->s.gpr[X86_RBP], v;
	uint64_t frame = (stack_rsp(c) - w) & mask;
	uint8_t buf[33 * 8];
	int rc;

	enter_put(buf, n, w, 0, rbp);
	for (unsigned i = 1; i < level; i++) {
		rc = enter_read(c, (rbp - i * w) & mask, w, buf, n * w, i * w, &v);
		if (rc)
			return rc;
		enter_put(buf, n, w, i, v);
	}
	if (level)
		enter_put(buf, n, w, level, frame);
	if ((rc = stack_write_below(c, buf, n * w)))
		return rc;
	cpu_gpr_set(c, X86_RC_GPR, X86_RBP, c->stack_size, frame);
	stack_set_rsp(c, (frame - (n - 1) * w - in->opnd[0].imm) & mask);
	return cpu_retire(c, in);
}

/* LEAVE: rSP = rBP, then pop rBP. */
int h_leave(struct cpu *c, const struct x86_insn *in)
{
	unsigned w = in->opsize;
	uint64_t rbp = c->s.gpr[X86_RBP] & cpu_size_mask(c->stack_size), v;
	int rc = mem_read(c, X86_SEG_SS, rbp, w, &v);

	if (rc)
		return rc;
	stack_set_rsp(c, rbp + w);
	cpu_gpr_set(c, X86_RC_GPR, X86_RBP, w, v);
	return cpu_retire(c, in);
}

/* ---- conditional moves --------------------------------------------------- */

int h_setcc(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *d = &in->opnd[0];
	uint64_t v = cpu_cond_fast(c, x86_insn_cond(in));
	int rc;

	if (d->kind == X86_OPND_REG) {
		cpu_gpr_set(c, d->reg.cls, d->reg.num, 1, v);
		return cpu_retire(c, in);
	}
	rc = mem_write(c, d->mem.seg, cpu_ea(c, in, &d->mem), 1, v);
	return rc ? rc : cpu_retire(c, in);
}

/* CMOVcc: the source is read (and may fault) whatever the condition; a
 * 32-bit destination is zero-extended even when nothing moves. */
int h_cmovcc(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *d = &in->opnd[0];
	uint64_t v;
	int rc = op_read(c, in, &in->opnd[1], &v);

	if (rc)
		return rc;
	if (!cpu_cond_fast(c, x86_insn_cond(in)))
		v = cpu_gpr_get(c, d->reg.cls, d->reg.num, d->size);
	cpu_gpr_set(c, d->reg.cls, d->reg.num, d->size, v);
	return cpu_retire(c, in);
}

/* ---- far pointers and BOUND ---------------------------------------------- */

/* LSS/LFS/LGS/LES/LDS Gv, Mp: offset, then the selector after it. */
int h_lxs(struct cpu *c, const struct x86_insn *in)
{
	static const uint8_t seg_of[X86_I_COUNT] = {
	    [X86_I_LSS] = X86_SEG_SS, [X86_I_LFS] = X86_SEG_FS, [X86_I_LGS] = X86_SEG_GS,
	    [X86_I_LES] = X86_SEG_ES, [X86_I_LDS] = X86_SEG_DS,
	};
	const struct x86_operand *d = &in->opnd[0], *m = &in->opnd[1];
	unsigned w = d->size;
	uint64_t ea = cpu_ea(c, in, &m->mem), off, sel;
	int rc;

	if ((rc = mem_read(c, m->mem.seg, ea, w, &off)) ||
	    (rc = mem_read(c, m->mem.seg, (ea + w) & cpu_size_mask(m->mem.addr_size), 2,
	                   &sel)) ||
	    (rc = seg_load(c, seg_of[x86_insn_mnemonic(in)], (uint16_t)sel)))
		return rc;
	cpu_gpr_set(c, d->reg.cls, d->reg.num, w, off);
	return cpu_retire(c, in);
}

/* BOUND Gv, Ma (outside 64-bit mode): #BR unless lower <= index <= upper. */
int h_bound(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *d = &in->opnd[0], *m = &in->opnd[1];
	unsigned w = d->size;
	uint64_t ea = cpu_ea(c, in, &m->mem), lo, hi;
	int rc;

	if ((rc = mem_read(c, m->mem.seg, ea, w, &lo)) ||
	    (rc = mem_read(c, m->mem.seg, (ea + w) & cpu_size_mask(m->mem.addr_size), w,
	                   &hi)))
		return rc;
	int64_t idx = cpu_sext(cpu_gpr_get(c, d->reg.cls, d->reg.num, w), w);
	if (idx < cpu_sext(lo, w) || idx > cpu_sext(hi, w))
		return cpu_fault(c, X86_EXC_BR, false, 0);
	return cpu_retire(c, in);
}
