/*
 * interp_branch.c - control transfers: Jcc, JMP, CALL, RET, LOOP, JrCXZ,
 * far JMP/CALL/RET through code segments, INT n/INT3/INT1/INTO, IRET in
 * every operand size, SYSCALL/SYSRET and SYSENTER/SYSEXIT.
 *
 * Every transfer checks its target before it changes anything: a
 * non-canonical target in 64-bit mode, or one beyond CS.limit elsewhere,
 * is #GP(0) with RIP still on the branch, and a CALL's push happens only
 * once the target is known to be good.  Far transfers load CS through
 * interp_seg.c (code segments only: call gates and task switches are not
 * modelled).
 */
#include "bt/interp_internal.h"

#define SYSRET_RFLAGS_MASK 0x3c7fd7ull /* the RFLAGS bits SYSRET takes from R11 */
#define STAR_SYSCALL_SHIFT 32
#define STAR_SYSRET_SHIFT  48
#define SYSENTER_CS_MASK   0xfffcull

/* Check target against the current CS (see the top). */
static int branch_ok(struct cpu *c, uint64_t target)
{
	if (c->long64 ? !cpu_canonical(target) : target > c->s.cs.limit)
		return cpu_gp0(c);
	return INTERP_OK;
}

int cpu_jump(struct cpu *c, uint64_t target)
{
	int rc = branch_ok(c, target);

	if (rc)
		return rc;
	c->s.rip = target;
	return INTERP_OK;
}

/* The target of a relative branch (rel from the end of the insn). */
static inline uint64_t rel_target(const struct cpu *c, const struct x86_insn *in)
{
	return (c->s.rip + in->len + (uint64_t)in->opnd[0].rel) &
	       cpu_size_mask(in->opsize);
}

/* ---- near transfers ------------------------------------------------------ */

/*
 * Jcc: the condition is tested from the lazy flags (cpu_cond_fast).  The
 * decode cache picks the variant for the instruction's condition
 * (interp_jcc_for), whose test the compiler specializes.
 */
static inline __attribute__((always_inline)) int
jcc(struct cpu *c, const struct x86_insn *in, unsigned cc)
{
	if (!cpu_cond_fast(c, cc))
		return cpu_retire(c, in);
	return cpu_jump(c, rel_target(c, in));
}

int h_jcc(struct cpu *c, const struct x86_insn *in)
{
	return jcc(c, in, x86_insn_cond(in));
}

static int h_jo(struct cpu *c, const struct x86_insn *in)
{
	return jcc(c, in, 0);
}

static int h_jno(struct cpu *c, const struct x86_insn *in)
{
	return jcc(c, in, 1);
}

static int h_jb(struct cpu *c, const struct x86_insn *in)
{
	return jcc(c, in, 2);
}

static int h_jae(struct cpu *c, const struct x86_insn *in)
{
	return jcc(c, in, 3);
}

static int h_je(struct cpu *c, const struct x86_insn *in)
{
	return jcc(c, in, 4);
}

static int h_jne(struct cpu *c, const struct x86_insn *in)
{
	return jcc(c, in, 5);
}

static int h_jbe(struct cpu *c, const struct x86_insn *in)
{
	return jcc(c, in, 6);
}

static int h_ja(struct cpu *c, const struct x86_insn *in)
{
	return jcc(c, in, 7);
}

static int h_js(struct cpu *c, const struct x86_insn *in)
{
	return jcc(c, in, 8);
}

static int h_jns(struct cpu *c, const struct x86_insn *in)
{
	return jcc(c, in, 9);
}

static int h_jp(struct cpu *c, const struct x86_insn *in)
{
	return jcc(c, in, 10);
}

static int h_jnp(struct cpu *c, const struct x86_insn *in)
{
	return jcc(c, in, 11);
}

static int h_jl(struct cpu *c, const struct x86_insn *in)
{
	return jcc(c, in, 12);
}

static int h_jge(struct cpu *c, const struct x86_insn *in)
{
	return jcc(c, in, 13);
}

static int h_jle(struct cpu *c, const struct x86_insn *in)
{
	return jcc(c, in, 14);
}

static int h_jg(struct cpu *c, const struct x86_insn *in)
{
	return jcc(c, in, 15);
}

interp_handler_fn interp_jcc_for(unsigned cc)
{
	static const interp_handler_fn by_cc[16] = {
	    h_jo, h_jno, h_jb, h_jae, h_je, h_jne, h_jbe, h_ja,
	    h_js, h_jns, h_jp, h_jnp, h_jl, h_jge, h_jle, h_jg,
	};
	return by_cc[cc & 15];
}

/* The destination of JMP/CALL: relative, or an operand (register/memory). */
static int near_target(struct cpu *c, const struct x86_insn *in, uint64_t *t)
{
	const struct x86_operand *o = &in->opnd[0];

	if (o->kind == X86_OPND_REL) {
		*t = rel_target(c, in);
		return INTERP_OK;
	}
	return op_read(c, in, o, t);
}

int h_jmp(struct cpu *c, const struct x86_insn *in)
{
	uint64_t t;
	int rc = near_target(c, in, &t);

	return rc ? rc : cpu_jump(c, t);
}

int h_call(struct cpu *c, const struct x86_insn *in)
{
	uint64_t t, ret = (c->s.rip + in->len) & cpu_size_mask(in->opsize);
	int rc;

	if ((rc = near_target(c, in, &t)) || (rc = branch_ok(c, t)) ||
	    (rc = stack_push(c, in->opsize, ret)))
		return rc;
	c->s.rip = t;
	return INTERP_OK;
}

/* RET [imm16]: pop the target, then release imm16 more bytes. */
int h_ret(struct cpu *c, const struct x86_insn *in)
{
	unsigned w = in->opsize;
	uint64_t t;
	int rc = stack_read(c, 0, w, &t);

	if (rc || (rc = branch_ok(c, t)))
		return rc;
	stack_set_rsp(c, stack_rsp(c) + w + (in->nopnds ? in->opnd[0].imm : 0));
	c->s.rip = t;
	return INTERP_OK;
}

/* LOOP/LOOPE/LOOPNE: rCX (address size) - 1, branch while non-zero (and
 * ZF=1 / ZF=0).  rCX is written only once the branch is known good. */
int h_loop(struct cpu *c, const struct x86_insn *in)
{
	uint64_t count = (c->s.gpr[X86_RCX] - 1) & cpu_size_mask(in->addrsize);
	enum x86_mnemonic m = x86_insn_mnemonic(in);
	bool take = count != 0;
	int rc;

	if (m == X86_I_LOOPE)
		take = take && cpu_cond_fast(c, 4);
	else if (m == X86_I_LOOPNE)
		take = take && !cpu_cond_fast(c, 4);
	if (take && (rc = branch_ok(c, rel_target(c, in))))
		return rc;
	cpu_gpr_set(c, X86_RC_GPR, X86_RCX, in->addrsize, count);
	if (take) {
		c->s.rip = rel_target(c, in);
		return INTERP_OK;
	}
	return cpu_retire(c, in);
}

int h_jrcxz(struct cpu *c, const struct x86_insn *in)
{
	if (c->s.gpr[X86_RCX] & cpu_size_mask(in->addrsize))
		return cpu_retire(c, in);
	return cpu_jump(c, rel_target(c, in));
}

/* ---- far transfers ------------------------------------------------------- */

/* The far pointer of JMPF/CALLF: ptr16:16/32 immediate, or m16:16/32/64. */
static int far_pointer(struct cpu *c, const struct x86_insn *in, uint16_t *sel,
                       uint64_t *off)
{
	const struct x86_operand *o = &in->opnd[0];
	uint64_t ea, v;
	int rc;

	if (o->kind == X86_OPND_IMM) { /* shown as selector, offset */
		*sel = (uint16_t)o->imm;
		*off = in->opnd[1].imm;
		return INTERP_OK;
	}
	unsigned w = o->size - 2;
	ea = cpu_ea(c, in, &o->mem);
	if ((rc = mem_read(c, o->mem.seg, ea, w, off)) ||
	    (rc = mem_read(c, o->mem.seg, (ea + w) & cpu_size_mask(o->mem.addr_size), 2,
	                   &v)))
		return rc;
	*sel = (uint16_t)v;
	return INTERP_OK;
}

/*
 * far_target - the code segment and offset a far JMP/CALL/RET/IRET
 * lands on: real mode takes the selector as a paragraph; protected mode
 * checks the descriptor; the offset must fit the new segment (canonical
 * for 64-bit code).  new_cpl: the CPL after the transfer.
 */
static int far_target(struct cpu *c, uint16_t sel, uint64_t off, unsigned new_cpl,
                      bool is_ret, struct x86_segment *cs)
{
	int rc;

	if (!c->prot || (c->s.rflags & X86_RFLAGS_VM)) {
		*cs = c->s.cs;
		cs->selector = sel;
		cs->base = (uint64_t)sel << 4;
		return off > cs->limit ? cpu_gp0(c) : INTERP_OK;
	}
	if ((rc = seg_check_code(c, sel, new_cpl, is_ret, cs)))
		return rc;
	if ((c->s.efer & X86_EFER_LMA) && cs->l)
		return cpu_canonical(off) ? INTERP_OK : cpu_gp0(c);
	return off > cs->limit ? cpu_gp0(c) : INTERP_OK;
}

int h_jmpf(struct cpu *c, const struct x86_insn *in)
{
	struct x86_segment cs;
	uint16_t sel;
	uint64_t off;
	int rc;

	if ((rc = far_pointer(c, in, &sel, &off)) ||
	    (rc = far_target(c, sel, off, c->cpl, false, &cs)))
		return rc;
	seg_set_cs(c, &cs);
	c->s.rip = off;
	return INTERP_OK;
}

/* CALLF: push CS and the return address (operand size each), then jump. */
int h_callf(struct cpu *c, const struct x86_insn *in)
{
	struct x86_segment cs;
	unsigned w = in->opsize;
	uint64_t off, frame[2];
	uint8_t buf[16];
	uint16_t sel;
	int rc;

	if ((rc = far_pointer(c, in, &sel, &off)) ||
	    (rc = far_target(c, sel, off, c->cpl, false, &cs)))
		return rc;
	frame[0] = (c->s.rip + in->len) & cpu_size_mask(w); /* lower address */
	frame[1] = c->s.cs.selector;
	for (unsigned i = 0; i < 2; i++)
		for (unsigned b = 0; b < w; b++)
			buf[i * w + b] = (uint8_t)(frame[i] >> (8 * b));
	if ((rc = stack_write_below(c, buf, 2 * w)))
		return rc;
	stack_set_rsp(c, stack_rsp(c) - 2 * w);
	seg_set_cs(c, &cs);
	c->s.rip = off;
	return INTERP_OK;
}

/* The stack segment and pointer a return to an outer level loads. */
static int outer_stack(struct cpu *c, unsigned w, int64_t at, unsigned new_cpl,
                       struct x86_segment *ss, uint64_t *rsp)
{
	uint64_t sel;
	int rc;

	if ((rc = stack_read(c, at, w, rsp)) || (rc = stack_read(c, at + w, w, &sel)))
		return rc;
	return seg_check_stack(c, (uint16_t)sel, new_cpl, ss);
}

/* RETF [imm16]: pop the offset and CS; to an outer level also rSP and SS
 * (after the imm16 bytes of parameters). */
int h_retf(struct cpu *c, const struct x86_insn *in)
{
	unsigned w = in->opsize;
	uint64_t imm = in->nopnds ? in->opnd[0].imm : 0, off, sel, rsp = 0;
	struct x86_segment cs, ss;
	int rc;

	if ((rc = stack_read(c, 0, w, &off)) || (rc = stack_read(c, w, w, &sel)))
		return rc;
	unsigned rpl = c->prot ? SEL_RPL(sel) : 0;
	bool outer = c->prot && rpl > c->cpl;
	if ((rc = far_target(c, (uint16_t)sel, off, rpl, true, &cs)))
		return rc;
	if (outer && (rc = outer_stack(c, w, (int64_t)(2 * w + imm), rpl, &ss, &rsp)))
		return rc;
	if (!outer)
		stack_set_rsp(c, stack_rsp(c) + 2 * w + imm);
	seg_set_cs(c, &cs);
	c->s.rip = off;
	if (outer) {
		c->s.ss = ss;
		cpu_update_mode(c);
		stack_set_rsp(c, rsp + imm);
		seg_fixup_outer(c);
	}
	return INTERP_OK;
}

/* ---- software interrupts ------------------------------------------------- */

/* Deliver software interrupt `vector` as the instruction's effect. */
static int soft_int(struct cpu *c, const struct x86_insn *in, unsigned vector,
                    enum cpu_event_source src)
{
	struct cpu_event ev = {.vector = (uint8_t)vector,
	                       .source = (uint8_t)src,
	                       .return_rip = (c->s.rip + in->len) &
	                                     cpu_size_mask(c->long64 ? 8 : 4)};
	int rc;

	if ((c->s.rflags & X86_RFLAGS_VM) && src == CPU_SRC_SOFT_INT &&
	    ((c->s.rflags & X86_RFLAGS_IOPL) >> X86_RFLAGS_IOPL_SHIFT) < 3)
		return cpu_gp0(c);
	rc = cpu_event_deliver(c, &ev);
	if (rc == INTERP_OK)
		c->stats.soft_ints++;
	return rc;
}

int h_int(struct cpu *c, const struct x86_insn *in)
{
	return soft_int(c, in, (unsigned)in->opnd[0].imm, CPU_SRC_SOFT_INT);
}
int h_int3(struct cpu *c, const struct x86_insn *in)
{
	return soft_int(c, in, X86_EXC_BP, CPU_SRC_SOFT_INT);
}
int h_int1(struct cpu *c, const struct x86_insn *in)
{
	return soft_int(c, in, X86_EXC_DB, CPU_SRC_ICEBP);
}

int h_into(struct cpu *c, const struct x86_insn *in)
{
	if (!cpu_cond_fast(c, 0 /* O */))
		return cpu_retire(c, in);
	return soft_int(c, in, X86_EXC_OF, CPU_SRC_SOFT_INT);
}

/* ---- IRET ---------------------------------------------------------------- */

/* The RFLAGS bits IRET may change at the current CPL and IOPL (RF is not
 * restored: see docs/interpreter.md). */
static uint64_t iret_flags_mask(const struct cpu *c, unsigned w)
{
	uint64_t m = cpu_rflags_writable(c, 8);

	if (c->cpl == 0)
		m |= X86_RFLAGS_VIF | X86_RFLAGS_VIP;
	return m & cpu_size_mask(w);
}

/* Real-mode IRET: IP, CS, FLAGS. */
static int iret_real(struct cpu *c, unsigned w)
{
	uint64_t ip, cs, fl;
	int rc;

	if ((rc = stack_read(c, 0, w, &ip)) || (rc = stack_read(c, w, w, &cs)) ||
	    (rc = stack_read(c, 2 * w, w, &fl)))
		return rc;
	if (ip > c->s.cs.limit)
		return cpu_gp0(c);
	stack_set_rsp(c, stack_rsp(c) + 3 * w);
	c->s.cs.selector = (uint16_t)cs;
	c->s.cs.base = (cs & 0xffff) << 4;
	uint64_t m = iret_flags_mask(c, w);
	cpu_set_rflags(c, (cpu_rflags(c) & ~m) | (fl & m));
	c->s.rip = ip;
	return INTERP_OK;
}

/*
 * Protected- and long-mode IRET: pop RIP, CS, RFLAGS; in 64-bit mode, or
 * when returning to an outer level, also RSP and SS.  Task returns
 * (NT=1) and returns to virtual-8086 mode are not modelled (#GP(0)).
 */
static int iret_prot(struct cpu *c, unsigned w)
{
	uint64_t rip, sel, fl, rsp = 0;
	struct x86_segment cs, ss;
	int rc;

	if ((c->s.rflags & X86_RFLAGS_NT))
		return cpu_gp0(c);
	if ((rc = stack_read(c, 0, w, &rip)) || (rc = stack_read(c, w, w, &sel)) ||
	    (rc = stack_read(c, 2 * w, w, &fl)))
		return rc;
	if ((fl & X86_RFLAGS_VM) && w == 4 && !(c->s.efer & X86_EFER_LMA) && c->cpl == 0)
		return cpu_gp0(c);
	unsigned rpl = SEL_RPL(sel);
	bool pop_stack = c->long64 || rpl > c->cpl;
	if ((rc = far_target(c, (uint16_t)sel, rip, rpl, true, &cs)))
		return rc;
	if (pop_stack && (rc = outer_stack(c, w, (int64_t)(3 * w), rpl, &ss, &rsp)))
		return rc;
	uint64_t m = iret_flags_mask(c, w);
	uint64_t flags = (cpu_rflags(c) & ~m) | (fl & m);
	bool outer = rpl > c->cpl;
	if (!pop_stack)
		stack_set_rsp(c, stack_rsp(c) + 3 * w);
	seg_set_cs(c, &cs);
	cpu_set_rflags(c, flags);
	cpu_update_mode(c);
	c->s.rip = rip;
	if (pop_stack) {
		c->s.ss = ss;
		cpu_update_mode(c);
		if (c->s.efer & X86_EFER_LMA)
			c->s.gpr[X86_RSP] = rsp; /* IRETQ loads all of RSP */
		else
			stack_set_rsp(c, rsp);
	}
	if (outer)
		seg_fixup_outer(c);
	return INTERP_OK;
}

int h_iret(struct cpu *c, const struct x86_insn *in)
{
	unsigned w = in->opsize;

	if (!c->prot)
		return iret_real(c, w);
	if (c->s.rflags & X86_RFLAGS_VM)
		return cpu_gp0(c); /* IRET in virtual-8086 mode: not modelled */
	return iret_prot(c, w);
}

/* ---- fast system calls --------------------------------------------------- */

/* A flat code or data segment of the fast system-call instructions. */
static struct x86_segment flat_seg(uint16_t sel, bool code, bool l, unsigned dpl)
{
	return (struct x86_segment){
	    .selector = sel,
	    .base = 0,
	    .limit = 0xffffffff,
	    .present = 1,
	    .s = 1,
	    .type = code ? 0xb : 0x3,
	    .dpl = (uint8_t)dpl,
	    .g = 1,
	    .l = l,
	    .db = !l,
	};
}

/* SYSCALL (64-bit mode, EFER.SCE; #UD otherwise, as on Intel CPUs). */
int h_syscall(struct cpu *c, const struct x86_insn *in)
{
	uint16_t sel = (uint16_t)(c->s.msr.star >> STAR_SYSCALL_SHIFT);

	if (!(c->s.efer & X86_EFER_SCE) || !c->long64)
		return cpu_ud(c);
	uint64_t f = cpu_rflags(c) & ~X86_RFLAGS_RF;
	c->s.gpr[X86_RCX] = c->s.rip + in->len;
	c->s.gpr[X86_R11] = f;
	cpu_set_rflags(c, f & ~c->s.msr.sfmask);
	c->s.ss = flat_seg((uint16_t)((sel + 8) & 0xfffc), false, false, 0);
	struct x86_segment cs = flat_seg(sel & 0xfffc, true, true, 0);
	seg_set_cs(c, &cs);
	c->s.rip = c->s.msr.lstar;
	return INTERP_OK;
}

/* SYSRET: back to CPL 3, 64-bit (REX.W) or compatibility mode. */
int h_sysret(struct cpu *c, const struct x86_insn *in)
{
	uint16_t base = (uint16_t)(c->s.msr.star >> STAR_SYSRET_SHIFT);
	bool to64 = in->opsize == 8;
	struct x86_segment cs;

	if (!(c->s.efer & X86_EFER_SCE) || !c->long64)
		return cpu_ud(c);
	if (c->cpl != 0 || (to64 && !cpu_canonical(c->s.gpr[X86_RCX])))
		return cpu_gp0(c);
	cs = flat_seg((uint16_t)((to64 ? base + 16 : base) | 3), true, to64, 3);
	c->s.ss = flat_seg((uint16_t)((base + 8) | 3), false, false, 3);
	cpu_set_rflags(c, (c->s.gpr[X86_R11] & SYSRET_RFLAGS_MASK) | X86_RFLAGS_FIXED);
	c->s.rip = to64 ? c->s.gpr[X86_RCX] : (c->s.gpr[X86_RCX] & 0xffffffffull);
	seg_set_cs(c, &cs);
	return INTERP_OK;
}

/* SYSENTER (#UD unless the model has SEP): to CPL 0 at SYSENTER_EIP. */
int h_sysenter(struct cpu *c, const struct x86_insn *in)
{
	uint16_t sel = (uint16_t)(c->s.msr.sysenter_cs & SYSENTER_CS_MASK);
	bool lma = c->s.efer & X86_EFER_LMA;

	if (!cpu_has(CPU_FEAT_SEP))
		return cpu_ud(c);
	if (!c->prot || sel == 0)
		return cpu_gp0(c);
	cpu_set_rflags(c,
	               cpu_rflags(c) & ~(X86_RFLAGS_VM | X86_RFLAGS_IF | X86_RFLAGS_RF));
	struct x86_segment cs = flat_seg(sel, true, lma, 0);
	c->s.ss = flat_seg((uint16_t)(sel + 8), false, false, 0);
	seg_set_cs(c, &cs);
	c->s.gpr[X86_RSP] = lma ? c->s.msr.sysenter_esp : (uint32_t)c->s.msr.sysenter_esp;
	c->s.rip = lma ? c->s.msr.sysenter_eip : (uint32_t)c->s.msr.sysenter_eip;
	return INTERP_OK;
}

/* SYSEXIT (#UD unless the model has SEP): to CPL 3 at rDX with rSP = rCX. */
int h_sysexit(struct cpu *c, const struct x86_insn *in)
{
	uint16_t sel = (uint16_t)(c->s.msr.sysenter_cs & SYSENTER_CS_MASK);
	bool to64 = in->opsize == 8;

	if (!cpu_has(CPU_FEAT_SEP))
		return cpu_ud(c);
	if (!c->prot || sel == 0 || c->cpl != 0)
		return cpu_gp0(c);
	if (to64 &&
	    (!cpu_canonical(c->s.gpr[X86_RDX]) || !cpu_canonical(c->s.gpr[X86_RCX])))
		return cpu_gp0(c);
	struct x86_segment cs =
	    flat_seg((uint16_t)((sel + (to64 ? 32 : 16)) | 3), true, to64, 3);
	c->s.ss = flat_seg((uint16_t)((sel + (to64 ? 40 : 24)) | 3), false, false, 3);
	seg_set_cs(c, &cs);
	c->s.gpr[X86_RSP] = to64 ? c->s.gpr[X86_RCX] : (uint32_t)c->s.gpr[X86_RCX];
	c->s.rip = to64 ? c->s.gpr[X86_RDX] : (uint32_t)c->s.gpr[X86_RDX];
	return INTERP_OK;
}
