/*
 * interp_except.c - delivering exceptions and interrupts through the IDT.
 *
 * Every event -- an exception an instruction raised, INT n, an external
 * interrupt the core injected, a single-step trap -- ends here:
 *
 *   interp_deliver (exceptions: the double/triple-fault rules)
 *     -> cpu_event_deliver
 *          -> deliver_long    long mode: 16-byte gates, TSS RSPn / IST stacks
 *          -> deliver_prot    32-bit protected mode: 8-byte gates, TSS SS:ESPn
 *          -> deliver_real    real mode: the IVT
 *
 * A delivery first reads and checks everything (gate, code segment,
 * stack), builds the whole frame in a buffer and writes it in one
 * mem_write_bytes (which translates every page before writing), and only
 * then changes registers: an exception during delivery leaves the state
 * as it was, and interp_deliver decides what to deliver instead.
 *
 * The 64-bit frame, from the new RSP (aligned down to 16 bytes) upwards:
 *
 *   [error code]  RIP  CS  RFLAGS  RSP  SS
 *
 * Double faults (SDM Vol. 3 Table 6-5): an exception raised while
 * delivering a contributory exception (#DE #TS #NP #SS #GP) is a #DF if it
 * is contributory too; while delivering a #PF, a contributory exception
 * or another #PF is a #DF; anything while delivering a #DF is a triple
 * fault: the vCPU shuts down (VM_EXIT_SHUTDOWN).  Other combinations are
 * delivered one after the other.
 */
#include "bt/interp_internal.h"

#define IDT_GATE64_BYTES      16
#define IDT_GATE32_BYTES      8
#define IVT_ENTRY_BYTES       4
#define TSS64_RSP0            4
#define TSS64_IST1            0x24
#define DR6_BS                (1ull << 14)
#define DR6_FIXED             0xffff0ff0ull
#define MAX_NESTED_EXCEPTIONS 4

/* RFLAGS bits an event clears (IF too, through an interrupt gate). */
#define EVENT_CLEARS (X86_RFLAGS_TF | X86_RFLAGS_NT | X86_RFLAGS_RF | X86_RFLAGS_VM)

/* ---- common parts -------------------------------------------------------- */

/* Is the event external to the program (the EXT bit of error codes)? */
static bool event_ext(const struct cpu_event *ev)
{
	return ev->source != CPU_SRC_SOFT_INT;
}

/* Error code naming IDT entry `vector`: index, IDT bit, EXT bit. */
static uint32_t idt_error(const struct cpu_event *ev)
{
	return (uint32_t)ev->vector * 8 + 2 + (event_ext(ev) ? 1 : 0);
}

/* The RFLAGS image an event pushes: a fault's image has RF set, as on
 * hardware (so that IRET does not re-trigger an instruction breakpoint). */
static uint64_t event_rflags_image(const struct cpu *c, const struct cpu_event *ev)
{
	uint64_t f = cpu_rflags(c);

	if (ev->source == CPU_SRC_FAULT)
		f |= X86_RFLAGS_RF;
	return f;
}

/* The RFLAGS after the event: TF NT RF VM cleared, IF too for an
 * interrupt gate. */
static void event_rflags_after(struct cpu *c, bool int_gate)
{
	uint64_t f = cpu_rflags(c) & ~EVENT_CLEARS;

	if (int_gate)
		f &= ~X86_RFLAGS_IF;
	cpu_set_rflags(c, f);
}

/* The target code segment of a gate: present code at DPL <= CPL. */
static int gate_code_segment(struct cpu *c, const struct cpu_event *ev, uint16_t sel,
                             bool need64, struct x86_segment *cs)
{
	uint32_t ext = event_ext(ev) ? 1 : 0;
	struct desc d;
	int rc;

	if ((sel & SEL_INDEX_MASK) == 0 && !(sel & SEL_TI))
		return cpu_fault(c, X86_EXC_GP, true, ext);
	if ((rc = desc_read(c, sel, &d, X86_EXC_GP, ext)))
		return rc;
	if (!DESC_S(d) || !(DESC_TYPE(d) & SEGT_CODE) || DESC_DPL(d) > c->cpl ||
	    (need64 && (!DESC_L(d) || DESC_DB(d))))
		return cpu_fault(c, X86_EXC_GP, true, SEL_ERR(sel) | ext);
	if (!DESC_P(d))
		return cpu_fault(c, X86_EXC_NP, true, SEL_ERR(sel) | ext);
	if ((rc = desc_set_accessed(c, sel, &d)))
		return rc;
	unsigned new_cpl = (DESC_TYPE(d) & SEGT_CONFORMING) ? c->cpl : DESC_DPL(d);
	desc_to_seg(&d, (uint16_t)((sel & ~3u) | new_cpl), cs);
	cs->dpl = (uint8_t)new_cpl; /* a conforming segment runs at the caller's CPL */
	return INTERP_OK;
}

/* Read and check an IDT gate of `bytes` bytes: present, DPL for
 * software interrupts.  Type checks are the caller's. */
static int idt_gate(struct cpu *c, const struct cpu_event *ev, unsigned bytes,
                    struct desc *g)
{
	uint32_t err = idt_error(ev);
	int rc;

	g->hi = 0;
	if ((uint64_t)ev->vector * bytes + bytes - 1 > c->s.idt.limit)
		return cpu_fault(c, X86_EXC_GP, true, err);
	rc = mem_read_bytes(c, c->s.idt.base + (uint64_t)ev->vector * bytes, &g->lo,
	                    bytes > 8 ? 8 : bytes, true);
	if (!rc && bytes == IDT_GATE64_BYTES)
		rc = mem_read_bytes(c, c->s.idt.base + (uint64_t)ev->vector * bytes + 8,
		                    &g->hi, 8, true);
	if (rc)
		return rc;
	if (ev->source == CPU_SRC_SOFT_INT && DESC_DPL(*g) < c->cpl)
		return cpu_fault(c, X86_EXC_GP, true, err);
	return INTERP_OK;
}

/* ---- long mode ----------------------------------------------------------- */

/* The stack a 64-bit delivery switches to (IST, TSS RSPn, or the
 * current one), aligned down to 16 bytes. */
static int long_mode_stack(struct cpu *c, const struct cpu_event *ev, unsigned ist,
                           unsigned new_cpl, uint64_t *rsp)
{
	bool ext = event_ext(ev);
	int rc = INTERP_OK;

	if (ist)
		rc = tss_read_rsp64(c, TSS64_IST1 + 8 * (ist - 1), rsp, ext);
	else if (new_cpl < c->cpl)
		rc = tss_read_rsp64(c, TSS64_RSP0 + 8 * new_cpl, rsp, ext);
	else
		*rsp = c->s.gpr[X86_RSP];
	if (rc)
		return rc;
	if (!cpu_canonical(*rsp))
		return cpu_fault(c, X86_EXC_SS, true, ext ? 1 : 0);
	*rsp &= ~0xfull;
	return INTERP_OK;
}

static int deliver_long(struct cpu *c, const struct cpu_event *ev)
{
	struct desc g;
	struct x86_segment cs;
	uint64_t frame[6], rsp;
	unsigned n = 0;
	int rc = idt_gate(c, ev, IDT_GATE64_BYTES, &g);

	if (rc)
		return rc;
	unsigned type = DESC_TYPE(g);
	if (DESC_S(g) || (type != SYST_INT_GATE && type != SYST_TRAP_GATE))
		return cpu_fault(c, X86_EXC_GP, true, idt_error(ev));
	if (!DESC_P(g))
		return cpu_fault(c, X86_EXC_NP, true, idt_error(ev));
	uint64_t target = (g.lo & 0xffff) | ((g.lo >> 32) & 0xffff0000ull) | (g.hi << 32);
	if ((rc = gate_code_segment(c, ev, (uint16_t)(g.lo >> 16), true, &cs)))
		return rc;
	if (!cpu_canonical(target))
		return cpu_fault(c, X86_EXC_GP, true, event_ext(ev) ? 1 : 0);
	if ((rc = long_mode_stack(c, ev, (unsigned)(g.lo >> 32) & 7, cs.dpl, &rsp)))
		return rc;
	if (ev->has_error)
		frame[n++] = ev->error;
	frame[n++] = ev->return_rip;
	frame[n++] = c->s.cs.selector;
	frame[n++] = event_rflags_image(c, ev);
	frame[n++] = c->s.gpr[X86_RSP];
	frame[n++] = c->s.ss.selector;
	uint64_t new_rsp = rsp - 8 * n;
	if (!cpu_canonical(new_rsp))
		return cpu_fault(c, X86_EXC_SS, true, event_ext(ev) ? 1 : 0);
	if ((rc = mem_write_bytes(c, new_rsp, frame, 8 * n, cs.dpl != 3)))
		return rc;
	/* commit */
	if (cs.dpl != c->cpl) {
		seg_null(&c->s.ss, cs.dpl);
		c->s.ss.dpl = cs.dpl;
		c->s.ss.db = 1;
	}
	c->s.gpr[X86_RSP] = new_rsp;
	seg_set_cs(c, &cs);
	event_rflags_after(c, type == SYST_INT_GATE);
	c->s.rip = target;
	return INTERP_OK;
}

/* ---- 32-bit protected mode ----------------------------------------------- */

/* The stack for a 32-bit delivery to new_cpl: SS and ESP from the TSS on
 * a privilege change (the new SS's checks raise #GP/#SS rather than #TS: a
 * simplification), else the current ones. */
static int prot_stack(struct cpu *c, const struct cpu_event *ev, unsigned new_cpl,
                      struct x86_segment *ss, uint64_t *esp)
{
	uint16_t sel;
	uint32_t e;
	int rc;

	if (new_cpl == c->cpl) {
		*ss = c->s.ss;
		*esp = c->s.gpr[X86_RSP] & cpu_size_mask(c->stack_size);
		return INTERP_OK;
	}
	if ((rc = tss_read_ss_esp32(c, new_cpl, &sel, &e, event_ext(ev))))
		return rc;
	if ((rc = seg_check_stack(c, sel, new_cpl, ss)))
		return rc;
	*esp = ss->db ? e : (e & 0xffff);
	return INTERP_OK;
}

/* Push `len` bytes of frame below esp on stack segment ss (new_cpl's). */
static int prot_push_frame(struct cpu *c, const struct x86_segment *ss, uint64_t esp,
                           const void *frame, unsigned len, unsigned new_cpl,
                           uint64_t *new_esp)
{
	uint64_t mask = ss->db ? 0xffffffffull : 0xffffull;
	uint64_t lo = (esp - len) & mask;

	if (!(ss->type & SEGT_EXPDOWN) && lo + len - 1 > ss->limit)
		return cpu_fault(c, X86_EXC_SS, true, 0);
	*new_esp = lo;
	return mem_write_bytes(c, (ss->base + lo) & 0xffffffffull, frame, len,
	                       new_cpl != 3);
}

/* Append a value of gate size `w` (2 or 4 bytes) to a frame buffer. */
static void frame_put(uint8_t *buf, unsigned *off, unsigned w, uint64_t v)
{
	for (unsigned i = 0; i < w; i++)
		buf[(*off)++] = (uint8_t)(v >> (8 * i));
}

static int deliver_prot(struct cpu *c, const struct cpu_event *ev)
{
	struct desc g;
	struct x86_segment cs, ss;
	uint64_t esp = 0, new_esp = 0;
	uint8_t frame[24];
	unsigned len = 0;
	int rc = idt_gate(c, ev, IDT_GATE32_BYTES, &g);

	if (rc)
		return rc;
	unsigned type = DESC_TYPE(g), w = (type & 8) ? 4 : 2;
	/* task gates (task switching) are not modelled */
	if (DESC_S(g) || (type != SYST_INT_GATE && type != SYST_TRAP_GATE &&
	                  type != SYST_INT_GATE16 && type != SYST_TRAP_GATE16))
		return cpu_fault(c, X86_EXC_GP, true, idt_error(ev));
	if (!DESC_P(g))
		return cpu_fault(c, X86_EXC_NP, true, idt_error(ev));
	uint64_t target = (g.lo & 0xffff) | (w == 4 ? (g.lo >> 32) & 0xffff0000ull : 0);
	if ((rc = gate_code_segment(c, ev, (uint16_t)(g.lo >> 16), false, &cs)))
		return rc;
	if (target > cs.limit)
		return cpu_fault(c, X86_EXC_GP, true, 0);
	if ((rc = prot_stack(c, ev, cs.dpl, &ss, &esp)))
		return rc;
	/* the frame, lowest address first */
	if (ev->has_error)
		frame_put(frame, &len, w, ev->error);
	frame_put(frame, &len, w, ev->return_rip);
	frame_put(frame, &len, w, c->s.cs.selector);
	frame_put(frame, &len, w, event_rflags_image(c, ev));
	if (cs.dpl != c->cpl) {
		frame_put(frame, &len, w, c->s.gpr[X86_RSP]);
		frame_put(frame, &len, w, c->s.ss.selector);
	}
	if ((rc = prot_push_frame(c, &ss, esp, frame, len, cs.dpl, &new_esp)))
		return rc;
	c->s.ss = ss;
	seg_set_cs(c, &cs);
	stack_set_rsp(c, new_esp);
	event_rflags_after(c, (type & 7) == (SYST_INT_GATE & 7));
	c->s.rip = target;
	return INTERP_OK;
}

/* ---- real mode ----------------------------------------------------------- */

static int deliver_real(struct cpu *c, const struct cpu_event *ev)
{
	uint32_t entry = 0;
	uint16_t frame[3];
	int rc;

	if ((uint64_t)ev->vector * IVT_ENTRY_BYTES + 3 > c->s.idt.limit)
		return cpu_fault(c, X86_EXC_GP, true, 0);
	if ((rc = mem_read_bytes(c, c->s.idt.base + ev->vector * IVT_ENTRY_BYTES, &entry,
	                         IVT_ENTRY_BYTES, true)))
		return rc;
	frame[0] = (uint16_t)ev->return_rip;
	frame[1] = c->s.cs.selector;
	frame[2] = (uint16_t)cpu_rflags(c);
	if ((rc = stack_write_below(c, frame, sizeof(frame))))
		return rc;
	stack_set_rsp(c, stack_rsp(c) - sizeof(frame));
	c->s.cs.selector = (uint16_t)(entry >> 16);
	c->s.cs.base = (entry >> 16) << 4;
	cpu_set_rflags(c,
	               cpu_rflags(c) & ~(X86_RFLAGS_IF | X86_RFLAGS_TF | X86_RFLAGS_AC));
	c->s.rip = entry & 0xffff;
	return INTERP_OK;
}

/* ---- entry points -------------------------------------------------------- */

int cpu_event_deliver(struct cpu *c, const struct cpu_event *ev)
{
	int rc;

	if (!c->prot)
		rc = deliver_real(c, ev);
	else if (c->s.efer & X86_EFER_LMA)
		rc = deliver_long(c, ev);
	else
		rc = deliver_prot(c, ev);
	if (rc == INTERP_OK)
		c->halted = false;
	return rc;
}

enum exc_class { EXC_BENIGN, EXC_CONTRIBUTORY, EXC_PAGE_FAULT, EXC_DOUBLE };

static enum exc_class exc_class_of(unsigned vector)
{
	switch (vector) {
	case X86_EXC_DE:
	case X86_EXC_TS:
	case X86_EXC_NP:
	case X86_EXC_SS:
	case X86_EXC_GP:
		return EXC_CONTRIBUTORY;
	case X86_EXC_PF:
		return EXC_PAGE_FAULT;
	case X86_EXC_DF:
		return EXC_DOUBLE;
	default:
		return EXC_BENIGN;
	}
}

/* Does `second`, raised while delivering `first`, make a #DF? */
static bool makes_double_fault(unsigned first, unsigned second)
{
	enum exc_class a = exc_class_of(first), b = exc_class_of(second);

	if (a == EXC_CONTRIBUTORY)
		return b == EXC_CONTRIBUTORY;
	if (a == EXC_PAGE_FAULT)
		return b == EXC_CONTRIBUTORY || b == EXC_PAGE_FAULT;
	return false;
}

static bool has_error_code(unsigned vector)
{
	return vector == X86_EXC_DF || (vector >= X86_EXC_TS && vector <= X86_EXC_PF) ||
	       vector == X86_EXC_AC;
}

int interp_deliver(struct cpu *c)
{
	struct cpu_exc cur = c->exc;

	for (unsigned i = 0; i < MAX_NESTED_EXCEPTIONS; i++) {
		struct cpu_event ev = {.vector = cur.vector,
		                       .source = CPU_SRC_FAULT,
		                       .has_error = has_error_code(cur.vector),
		                       .error = cur.error,
		                       .return_rip = c->s.rip};
		if (cur.vector == X86_EXC_PF)
			c->s.cr2 = cur.cr2;
		int rc = cpu_event_deliver(c, &ev);
		if (rc == INTERP_OK) {
			c->stats.exceptions[cur.vector & 31]++;
			return INTERP_OK;
		}
		if (rc != INTERP_FAULT)
			return rc;
		if (c->exc.vector == X86_EXC_PF)
			c->s.cr2 = c->exc.cr2; /* loaded when the fault is detected */
		if (cur.vector == X86_EXC_DF)
			break; /* triple fault */
		if (makes_double_fault(cur.vector, c->exc.vector))
			cur = (struct cpu_exc){.vector = X86_EXC_DF, .has_error = true};
		else
			cur = c->exc;
	}
	c->shutdown = true;
	return INTERP_HALT;
}

int cpu_deliver_extint(struct cpu *c, uint8_t vector)
{
	struct cpu_event ev = {
	    .vector = vector, .source = CPU_SRC_EXTINT, .return_rip = c->s.rip};
	int rc = cpu_event_deliver(c, &ev);

	if (rc == INTERP_OK)
		c->stats.interrupts++;
	return rc == INTERP_FAULT ? interp_deliver(c) : rc;
}

/* The single-step trap after an instruction that began with TF=1. */
int cpu_deliver_step_trap(struct cpu *c)
{
	struct cpu_event ev = {
	    .vector = X86_EXC_DB, .source = CPU_SRC_TRAP, .return_rip = c->s.rip};
	int rc;

	c->dr[6] = (c->dr[6] | DR6_FIXED | DR6_BS);
	rc = cpu_event_deliver(c, &ev);
	if (rc == INTERP_OK)
		c->stats.exceptions[X86_EXC_DB]++;
	return rc == INTERP_FAULT ? interp_deliver(c) : rc;
}
