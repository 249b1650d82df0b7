/*
 * interp_string.c - string instructions (MOVS CMPS STOS LODS SCAS INS
 * OUTS) with their REP prefixes, and port I/O (IN, OUT).
 *
 * A string instruction works on elements at DS:rSI (overridable) and
 * ES:rDI, stepping by the element size forward (DF=0) or backward; the
 * registers have the address size (16, 32 or 64 bits).  With REP the
 * count is rCX, and CMPS/SCAS also stop on ZF (REPE: while equal, REPNE:
 * while different).
 *
 * A REP instruction is interruptible: this handler runs at most
 * REP_CHUNK iterations per call, or fewer when an event is waiting (a
 * kick, an interrupt, a posted exit), and then returns with RIP still on
 * the instruction and rCX/rSI/rDI updated.  The executor handles the event
 * and simply runs the instruction again.  A fault in an iteration leaves
 * the registers as the previous iteration left them.
 *
 * Port I/O leaves the interpreter as a VM_EXIT_IO to the core's device
 * models.  OUT/OUTS post the exit and retire; IN/INS exit first and get
 * their data when the instruction runs again (interp_exec.c replays it).
 * REP INS and REP OUTS make one exit per element.
 */
#include <string.h>

#include "bt/interp_internal.h"

#define REP_CHUNK 4096

enum str_op { STR_MOVS, STR_CMPS, STR_STOS, STR_LODS, STR_SCAS, STR_INS, STR_OUTS };

/* One string instruction's parameters. */
struct str_ctx {
	unsigned size;  /* element bytes */
	unsigned asize; /* address size */
	unsigned src_seg;
	uint64_t step; /* +size or -size, modulo 2^64 */
};

static uint64_t str_reg(const struct cpu *c, const struct str_ctx *s, unsigned r)
{
	return c->s.gpr[r] & cpu_size_mask(s->asize);
}

static void str_advance(struct cpu *c, const struct str_ctx *s, unsigned r)
{
	cpu_gpr_set(c, X86_RC_GPR, r, s->asize, c->s.gpr[r] + s->step);
}

int cpu_io_allowed(struct cpu *c)
{
	unsigned iopl =
	    (unsigned)((c->s.rflags & X86_RFLAGS_IOPL) >> X86_RFLAGS_IOPL_SHIFT);

	/* No I/O permission bitmap is modelled: CPL > IOPL is always #GP(0). */
	if (c->prot && (c->cpl > iopl || (c->s.rflags & X86_RFLAGS_VM)))
		return cpu_gp0(c);
	return INTERP_OK;
}

/* ---- one element --------------------------------------------------------- */

/* CMPS/SCAS compare: flags of a - b. */
static void str_compare(struct cpu *c, unsigned size, uint64_t a, uint64_t b)
{
	lf_set(c, LF_SUB, size, (a - b) & cpu_size_mask(size), a, b);
}

static int str_in(struct cpu *c, const struct str_ctx *s)
{
	struct loc dst;
	uint64_t v;
	int rc;

	/* the destination is checked before the port is read */
	if ((rc = mem_loc(c, X86_SEG_ES, str_reg(c, s, X86_RDI), s->size, CPU_ACC_WRITE,
	                  &dst)) ||
	    (rc = io_read(c, CPU_IO_PIO, c->s.gpr[X86_RDX] & 0xffff, s->size, &v)) ||
	    (rc = loc_write(c, &dst, v)))
		return rc;
	str_advance(c, s, X86_RDI);
	return INTERP_OK;
}

/* Execute one element of operation op. */
static int str_element(struct cpu *c, const struct str_ctx *s, enum str_op op)
{
	uint64_t a, b;
	int rc;

	switch (op) {
	case STR_MOVS:
		if ((rc = mem_read(c, s->src_seg, str_reg(c, s, X86_RSI), s->size, &a)) ||
		    (rc = mem_write(c, X86_SEG_ES, str_reg(c, s, X86_RDI), s->size, a)))
			return rc;
		str_advance(c, s, X86_RSI);
		str_advance(c, s, X86_RDI);
		return INTERP_OK;
	case STR_CMPS:
		if ((rc = mem_read(c, s->src_seg, str_reg(c, s, X86_RSI), s->size, &a)) ||
		    (rc = mem_read(c, X86_SEG_ES, str_reg(c, s, X86_RDI), s->size, &b)))
			return rc;
		str_compare(c, s->size, a, b);
		str_advance(c, s, X86_RSI);
		str_advance(c, s, X86_RDI);
		return INTERP_OK;
	case STR_STOS:
		a = c->s.gpr[X86_RAX] & cpu_size_mask(s->size);
		if ((rc = mem_write(c, X86_SEG_ES, str_reg(c, s, X86_RDI), s->size, a)))
			return rc;
		str_advance(c, s, X86_RDI);
		return INTERP_OK;
	case STR_LODS:
		if ((rc = mem_read(c, s->src_seg, str_reg(c, s, X86_RSI), s->size, &a)))
			return rc;
		cpu_gpr_set(c, X86_RC_GPR, X86_RAX, s->size, a);
		str_advance(c, s, X86_RSI);
		return INTERP_OK;
	case STR_SCAS:
		if ((rc = mem_read(c, X86_SEG_ES, str_reg(c, s, X86_RDI), s->size, &b)))
			return rc;
		str_compare(c, s->size, c->s.gpr[X86_RAX] & cpu_size_mask(s->size), b);
		str_advance(c, s, X86_RDI);
		return INTERP_OK;
	case STR_INS:
		return str_in(c, s);
	case STR_OUTS:
		if ((rc = mem_read(c, s->src_seg, str_reg(c, s, X86_RSI), s->size, &a)) ||
		    (rc =
		         io_write(c, CPU_IO_PIO, c->s.gpr[X86_RDX] & 0xffff, s->size, a)))
			return rc;
		str_advance(c, s, X86_RSI);
		return INTERP_OK;
	}
	return INTERP_OK;
}

/* ---- fast paths for REP MOVS / REP STOS on RAM --------------------------- */

/*
 * rep_fast - do as many whole iterations of REP MOVS/STOS (DF=0) as fit
 * in the current pages of both operands, with memmove/memset, when every
 * byte involved is plain RAM the access cache already allows.  Returns the
 * number of iterations done (0: take the element-by-element path).
 */
static uint64_t rep_fast(struct cpu *c, const struct str_ctx *s, enum str_op op,
                         uint64_t count)
{
	struct loc dst, src;
	uint64_t di = str_reg(c, s, X86_RDI), si = str_reg(c, s, X86_RSI);
	uint64_t room = PAGE_SIZE - (di & (PAGE_SIZE - 1)), n;

	if (op == STR_MOVS) {
		uint64_t sroom = PAGE_SIZE - (si & (PAGE_SIZE - 1));
		room = room < sroom ? room : sroom;
	}
	n = room / s->size;
	if (n > count)
		n = count;
	if (n < 2 || (di + n * s->size) > cpu_size_mask(s->asize))
		return 0;
	if (mem_loc(c, X86_SEG_ES, di, (unsigned)(n * s->size), CPU_ACC_WRITE, &dst) ||
	    !dst.hva)
		return 0;
	if (op == STR_STOS) {
		uint64_t a = c->s.gpr[X86_RAX];
		if (s->size == 1)
			memset(dst.hva, (int)(a & 0xff), n);
		else
			for (uint64_t i = 0; i < n; i++)
				memcpy(dst.hva + i * s->size, &a, s->size);
		return n;
	}
	if ((si + n * s->size) > cpu_size_mask(s->asize) ||
	    mem_loc(c, s->src_seg, si, (unsigned)(n * s->size), CPU_ACC_READ, &src) ||
	    !src.hva)
		return 0;
	/* element-wise forward copy differs from memmove when dst overlaps
	 * the source from above */
	if (dst.hva > src.hva && dst.hva < src.hva + n * s->size)
		return 0;
	memmove(dst.hva, src.hva, n * s->size);
	return n;
}

/* ---- the instructions ---------------------------------------------------- */

static int string_insn(struct cpu *c, const struct x86_insn *in, enum str_op op)
{
	struct str_ctx s = {
	    .size = in->opsize, .asize = in->addrsize, .src_seg = X86_SEG_DS};
	bool rep = in->rep != X86_REP_NONE;
	bool cond = op == STR_CMPS || op == STR_SCAS;
	uint64_t amask = cpu_size_mask(in->addrsize);
	int rc;

	for (unsigned i = 0; i < in->nopnds; i++)
		if (in->opnd[i].kind == X86_OPND_MEM && in->opnd[i].mem.base == X86_RSI)
			s.src_seg = in->opnd[i].mem.seg;
	s.step = (c->s.rflags & X86_RFLAGS_DF) ? (uint64_t) - (int64_t)s.size : s.size;
	if ((op == STR_INS || op == STR_OUTS) && (rc = cpu_io_allowed(c)))
		return rc;
	if (!rep) {
		rc = str_element(c, &s, op);
		return rc ? rc : cpu_retire(c, in);
	}
	for (unsigned n = 0;; n++) {
		uint64_t count = c->s.gpr[X86_RCX] & amask;
		if (count == 0)
			return cpu_retire(c, in);
		uint64_t done = 0;
		if ((op == STR_MOVS || op == STR_STOS) && !(c->s.rflags & X86_RFLAGS_DF))
			done = rep_fast(c, &s, op, count);
		if (done) {
			cpu_gpr_set(c, X86_RC_GPR, X86_RDI, s.asize,
			            c->s.gpr[X86_RDI] + done * s.size);
			if (op == STR_MOVS)
				cpu_gpr_set(c, X86_RC_GPR, X86_RSI, s.asize,
				            c->s.gpr[X86_RSI] + done * s.size);
		} else if ((rc = str_element(c, &s, op))) {
			return rc;
		} else {
			done = 1;
		}
		cpu_gpr_set(c, X86_RC_GPR, X86_RCX, s.asize, count - done);
		if (count == done)
			return cpu_retire(c, in);
		if (cond && cpu_cond_fast(c, 4 /* E */) != (in->rep == X86_REP_REPE))
			return cpu_retire(c, in);
		/* yield: RIP stays on the instruction.  After an element that
		 * used a completed device read (io.ndone), so that the next
		 * element's read exits afresh. */
		if (n >= REP_CHUNK || op == STR_INS || op == STR_OUTS || c->io.ndone ||
		    __atomic_load_n(&c->events, __ATOMIC_RELAXED))
			return INTERP_OK;
	}
}

int h_movs(struct cpu *c, const struct x86_insn *in)
{
	return string_insn(c, in, STR_MOVS);
}
int h_cmps(struct cpu *c, const struct x86_insn *in)
{
	return string_insn(c, in, STR_CMPS);
}
int h_stos(struct cpu *c, const struct x86_insn *in)
{
	return string_insn(c, in, STR_STOS);
}
int h_lods(struct cpu *c, const struct x86_insn *in)
{
	return string_insn(c, in, STR_LODS);
}
int h_scas(struct cpu *c, const struct x86_insn *in)
{
	return string_insn(c, in, STR_SCAS);
}
int h_ins(struct cpu *c, const struct x86_insn *in)
{
	return string_insn(c, in, STR_INS);
}
int h_outs(struct cpu *c, const struct x86_insn *in)
{
	return string_insn(c, in, STR_OUTS);
}

/* IN AL/eAX, Ib/DX: exits to the core, then completes when run again. */
int h_in(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *d = &in->opnd[0], *p = &in->opnd[1];
	uint64_t port = p->kind == X86_OPND_IMM ? p->imm : (c->s.gpr[X86_RDX] & 0xffff),
	         v;
	int rc;

	if ((rc = cpu_io_allowed(c)) || (rc = io_read(c, CPU_IO_PIO, port, d->size, &v)))
		return rc;
	cpu_gpr_set(c, X86_RC_GPR, X86_RAX, d->size, v);
	return cpu_retire(c, in);
}

/* OUT Ib/DX, AL/eAX: retires and posts the exit. */
int h_out(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *p = &in->opnd[0], *s = &in->opnd[1];
	uint64_t port = p->kind == X86_OPND_IMM ? p->imm : (c->s.gpr[X86_RDX] & 0xffff);
	int rc;

	if ((rc = cpu_io_allowed(c)) ||
	    (rc = io_write(c, CPU_IO_PIO, port, s->size,
	                   cpu_gpr_get(c, X86_RC_GPR, X86_RAX, s->size))))
		return rc;
	return cpu_retire(c, in);
}
