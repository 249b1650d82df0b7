/*
 * cpu.h - the software CPU's state: what the reference interpreter (and,
 * later, the binary translator) keeps for one vCPU.
 *
 * struct cpu wraps the engine-neutral struct x86_state (values only, as
 * get_state/set_state exchange it) with what an interpreter needs beside
 * it:
 *
 *   x86_state s         registers, segments, control registers, MSRs
 *   lazy_flags lf       the last flag-setting ALU operation; the six status
 *                       flags are computed from it only when read
 *   mode, cpl, ...      derived from CR0/EFER/CS, recomputed when those change
 *   exc                 the exception a handler raised (precise fault)
 *   events              asynchronous work for the executor loop: kick,
 *                       a pending interrupt, an interrupt shadow, an exit
 *   tlb, fw             the interpreter's access cache in front of the MMU,
 *                       and the code page of the last fetch
 *   io                  the exit being reported and completed reads
 *
 * Data flow of one instruction (see docs/interpreter.md):
 *
 *   RIP --fetch window or access cache--> gpa --decode cache--> x86_insn
 *       --handler chosen at decode time--> result (retired/fault/exit/halt)
 *
 * Invariants:
 *   1. While lf.op != LF_NONE the status bits (CF PF AF ZF SF OF) of
 *      s.rflags are stale; cpu_rflags() gives the true value.  Every other
 *      bit of s.rflags is always current.
 *   2. mode, long64, prot, cpl and stack_size always describe s.cs,
 *      s.ss, s.cr0, s.efer and RFLAGS.VM: whoever changes those calls
 *      cpu_update_mode().
 *   2a. RFLAGS.TF is set only through cpu_set_rflags() (or set_state),
 *      which keeps CPU_EV_SINGLESTEP in step with it.
 *   3. A tlb entry caches a translation the MMU gave under the current
 *      CR0/CR3/CR4/EFER; any change of those flushes the whole tlb.
 *   4. Nothing here is a host pointer into guest-visible state: the tlb
 *      and decode cache hold host addresses, s never does.
 */
#ifndef TRAPEZE_BT_CPU_H
#define TRAPEZE_BT_CPU_H

#include "bt/decode.h"
#include "core/engine.h"
#include "core/x86.h"
#include "shadowpt/mmu.h"

struct vcpu;
struct decode_cache;

/* ---- results ------------------------------------------------------------- */

/*
 * What a handler (and every helper on its way) returns.  Helpers return
 * INTERP_OK to go on; anything else is passed straight up.
 */
enum interp_result {
	INTERP_OK = 0,    /* retired: RIP and state moved past the instruction */
	INTERP_FAULT = 1, /* cpu.exc holds an exception; the state is exactly as
	                   * before the instruction (a REP string instruction
	                   * keeps the iterations it completed) */
	INTERP_EXIT = 2,  /* the core must act first (a port or MMIO read):
	                   * cpu.io.exit is filled, the instruction has not
	                   * retired and runs again when run() is called */
	INTERP_HALT = 3,  /* HLT retired: the vCPU waits for an interrupt */
};

/* ---- lazy flags ---------------------------------------------------------- */

/*
 * The operations whose flags are computed on demand.  a and b are the
 * operands, res the result, all truncated to `size` bytes.  For ADC/SBB
 * `cin` is the carry that came in; for INC/DEC the carry flag is not
 * touched by the operation and lives (materialized) in s.rflags.  NEG is
 * recorded as SUB with a = 0.
 */
enum lf_op {
	LF_NONE, /* status flags are in s.rflags */
	LF_ADD,
	LF_ADC,
	LF_SUB, /* SUB, CMP, and the comparisons of CMPS/SCAS/CMPXCHG */
	LF_SBB,
	LF_LOGIC, /* AND, OR, XOR, TEST: CF = OF = 0 */
	LF_INC,
	LF_DEC,
	LF_SHL, /* SHL/SAL by b (1..63, masked, non-zero) of a */
	LF_SHR,
	LF_SAR,
	LF_MUL, /* MUL/IMUL: res is the low half, b = 1 if the high half
	         * was lost (CF = OF = b) */
};

struct lazy_flags {
	uint64_t res, a, b;
	uint8_t op;   /* enum lf_op */
	uint8_t size; /* 1, 2, 4 or 8 */
	uint8_t cin;  /* ADC/SBB carry in */
};

#define X86_RFLAGS_STATUS                                                                \
	(X86_RFLAGS_CF | X86_RFLAGS_PF | X86_RFLAGS_AF | X86_RFLAGS_ZF | X86_RFLAGS_SF | \
	 X86_RFLAGS_OF)
#define X86_RFLAGS_NT         (1ull << 14)
#define X86_RFLAGS_RF         (1ull << 16)
#define X86_RFLAGS_VM         (1ull << 17)
#define X86_RFLAGS_AC         (1ull << 18)
#define X86_RFLAGS_VIF        (1ull << 19)
#define X86_RFLAGS_VIP        (1ull << 20)
#define X86_RFLAGS_ID         (1ull << 21)
#define X86_RFLAGS_IOPL_SHIFT 12

/* ---- events -------------------------------------------------------------- */

/*
 * cpu.events: work for the executor at the next instruction boundary.
 * Set and cleared with atomic operations only, because kick() sets
 * CPU_EV_KICK from a signal handler.  The executor's hot loop tests the
 * whole word once per instruction.
 */
#define CPU_EV_KICK (1u << 0) /* kick(): leave run() with VM_EXIT_KICK */
#define CPU_EV_EXIT                                                                      \
	(1u << 1)            /* a retired instruction posted an exit                     \
	                      * (port or MMIO write): report it */
#define CPU_EV_IRQ (1u << 2) /* s.pending holds an accepted interrupt */
#define CPU_EV_WINDOW                                                                    \
	(1u << 3) /* inject() said -EBUSY: exit with                                     \
	           * VM_EXIT_IRQ_WINDOW once IF=1 */
#define CPU_EV_SHADOW                                                                    \
	(1u << 4) /* STI or MOV SS: no interrupt before the                              \
	           * next instruction retires */
#define CPU_EV_SINGLESTEP                                                                \
	(1u << 5) /* RFLAGS.TF is set: every instruction takes                           \
	           * the slow path, which traps after it */

/* ---- exceptions ---------------------------------------------------------- */

/* Exception vectors */
enum {
	X86_EXC_DE = 0,
	X86_EXC_DB = 1,
	X86_EXC_NMI = 2,
	X86_EXC_BP = 3,
	X86_EXC_OF = 4,
	X86_EXC_BR = 5,
	X86_EXC_UD = 6,
	X86_EXC_NM = 7,
	X86_EXC_DF = 8,
	X86_EXC_TS = 10,
	X86_EXC_NP = 11,
	X86_EXC_SS = 12,
	X86_EXC_GP = 13,
	X86_EXC_PF = 14,
	X86_EXC_MF = 16,
	X86_EXC_AC = 17,
	X86_EXC_MC = 18,
	X86_EXC_XM = 19,
};

/* How an event entered the CPU: decides the DPL check of the gate and the
 * return address (a trap resumes after the instruction). */
enum cpu_event_source {
	CPU_SRC_FAULT,    /* raised by an instruction: return to it */
	CPU_SRC_SOFT_INT, /* INT n, INT3, INTO: gate DPL >= CPL, return after */
	CPU_SRC_ICEBP,    /* INT1: no DPL check, return after */
	CPU_SRC_EXTINT,   /* external interrupt: no DPL check */
	CPU_SRC_TRAP,     /* #DB single-step trap: return after (RIP already there) */
};

struct cpu_exc {
	uint8_t vector;
	bool has_error;
	uint32_t error;
	gva_t cr2; /* #PF: the faulting linear address */
};

/* ---- the access cache ---------------------------------------------------- */

/*
 * A small direct-mapped cache of the MMU's answers, one array per access
 * kind.  tag = page-aligned linear address | CPU_TLB_USER for CPL-3
 * accesses; CPU_TLB_EMPTY never matches.  Only RAM pages are cached (MMIO
 * always takes the slow path), and a page holding decoded code is never
 * cached for writes, so every write to it passes the decode cache's
 * invalidation (see interp_mem.c).
 */
#define CPU_TLB_BITS  8
#define CPU_TLB_SIZE  (1u << CPU_TLB_BITS)
#define CPU_TLB_USER  1ull
#define CPU_TLB_EMPTY (~0ull)

enum cpu_acc { CPU_ACC_READ, CPU_ACC_WRITE, CPU_ACC_FETCH, CPU_ACC_KINDS };

struct cpu_tlb_entry {
	uint64_t tag;
	uint8_t *hva; /* host address of the page */
	gpa_t gpa;    /* guest-physical address of the page */
};

struct cpu_tlb {
	struct cpu_tlb_entry e[CPU_ACC_KINDS][CPU_TLB_SIZE];
};

/*
 * The fetch window: the code page RIP was last fetched from, so that the
 * next instruction on the same page skips the access cache.  Valid in
 * 64-bit mode only; reset (page = CPU_TLB_EMPTY) whenever the access
 * cache is flushed or the mode or CPL may have changed.
 */
struct cpu_fetch_window {
	uint64_t page;  /* linear page, or CPU_TLB_EMPTY */
	uint64_t delta; /* gpa - linear address for any byte of the page */
};

/* ---- I/O and MMIO exits -------------------------------------------------- */

#define CPU_IO_DONE_MAX 4  /* completed reads one instruction may consume */
#define CPU_IO_BUF      16 /* bytes of the exit data buffer */

enum cpu_io_kind { CPU_IO_PIO = 1, CPU_IO_MMIO = 2 };

/* A read the core has completed: the instruction consumes it when it
 * runs again and asks for the same port/address and size. */
struct cpu_io_done {
	uint8_t kind; /* enum cpu_io_kind */
	uint8_t size;
	uint64_t addr;
	uint64_t data;
};

struct cpu_io {
	struct vm_exit exit;      /* the exit posted by the current instruction */
	uint8_t data[CPU_IO_BUF]; /* exit.io.data / exit.mmio.data point here */
	bool read_pending;        /* exit is a read whose data the core fills */
	struct cpu_io_done done[CPU_IO_DONE_MAX];
	unsigned ndone;  /* completed reads of the instruction being replayed */
	unsigned cursor; /* the next of them its execution consumes */
};

/* ---- counters ------------------------------------------------------------ */

struct cpu_stats {
	uint64_t insns;              /* instructions retired */
	uint64_t exceptions[32];     /* exceptions delivered, by vector */
	uint64_t interrupts;         /* external interrupts delivered */
	uint64_t soft_ints;          /* INT n / INT3 / INTO delivered */
	uint64_t decodes;            /* instructions decoded (decode cache misses) */
	uint64_t code_invalidations; /* code pages invalidated by writes */
	uint64_t tlb_misses;         /* access cache misses (MMU calls) */
	uint64_t tlb_flushes;
	uint64_t io_exits, mmio_exits;
};

/* ---- the CPU ------------------------------------------------------------- */

struct cpu {
	struct x86_state s;
	struct lazy_flags lf;

	/* Derived from s (invariant 2) */
	uint8_t mode; /* enum x86_mode: how instructions decode */
	bool long64;  /* 64-bit mode: EFER.LMA and CS.L */
	bool prot;    /* CR0.PE */
	uint8_t cpl;
	uint8_t stack_size; /* 2, 4 or 8: SS.B (8 in 64-bit mode) */

	/* Debug registers (not part of struct x86_state; breakpoints are not
	 * implemented: see docs/interpreter.md) */
	uint64_t dr[8];

	/* The exception a handler raised */
	struct cpu_exc exc;
	/* Events for the executor (atomic: see CPU_EV_*) */
	uint32_t events;
	bool halted;
	bool shutdown; /* a triple fault happened */

	/* Memory */
	struct gmem *mem;
	struct mmu *mmu;
	struct cpu_tlb tlb;
	struct cpu_fetch_window fw;
	struct decode_cache *dc;

	struct cpu_io io;
	int64_t tsc_offset; /* guest TSC = host clock (ns) + tsc_offset */

	struct cpu_stats stats;
	struct vcpu *vcpu;
};

/* ---- small inline helpers ------------------------------------------------ */

static inline uint64_t cpu_size_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static inline uint64_t cpu_sign_bit(unsigned size)
{
	return 1ull << (8 * size - 1);
}

/* Sign-extend the low `size` bytes of v. */
static inline int64_t cpu_sext(uint64_t v, unsigned size)
{
	unsigned shift = 64 - 8 * size;
	return (int64_t)(v << shift) >> shift;
}

static inline void cpu_ev_set(struct cpu *c, uint32_t ev)
{
	__atomic_or_fetch(&c->events, ev, __ATOMIC_RELAXED);
}

static inline void cpu_ev_clear(struct cpu *c, uint32_t ev)
{
	__atomic_and_fetch(&c->events, ~ev, __ATOMIC_RELAXED);
}

static inline bool cpu_ev_test(const struct cpu *c, uint32_t ev)
{
	return __atomic_load_n(&c->events, __ATOMIC_RELAXED) & ev;
}

/* Read general register `num` as `size` bytes (cls X86_RC_GPR8H: AH..BH). */
static inline uint64_t cpu_gpr_get(const struct cpu *c, unsigned cls, unsigned num,
                                   unsigned size)
{
	if (cls == X86_RC_GPR8H)
		return (c->s.gpr[num] >> 8) & 0xff;
	return c->s.gpr[num] & cpu_size_mask(size);
}

/*
 * Write general register `num` with the x86-64 rules: a 32-bit write
 * zero-extends to 64 bits, 8- and 16-bit writes keep the other bits.
 */
static inline void cpu_gpr_set(struct cpu *c, unsigned cls, unsigned num, unsigned size,
                               uint64_t v)
{
	uint64_t *r = &c->s.gpr[num];

	switch (size) {
	case 1:
		if (cls == X86_RC_GPR8H)
			*r = (*r & ~0xff00ull) | ((v & 0xff) << 8);
		else
			*r = (*r & ~0xffull) | (v & 0xff);
		break;
	case 2:
		*r = (*r & ~0xffffull) | (v & 0xffff);
		break;
	case 4:
		*r = v & 0xffffffffull;
		break;
	default:
		*r = v;
		break;
	}
}

/* The segment register for enum x86_seg `seg` (ES..GS). */
static inline struct x86_segment *cpu_seg(struct cpu *c, unsigned seg)
{
	switch (seg) {
	case X86_SEG_ES:
		return &c->s.es;
	case X86_SEG_CS:
		return &c->s.cs;
	case X86_SEG_SS:
		return &c->s.ss;
	case X86_SEG_DS:
		return &c->s.ds;
	case X86_SEG_FS:
		return &c->s.fs;
	default:
		return &c->s.gs;
	}
}

/* Is v a canonical 48-bit linear address? */
static inline bool cpu_canonical(uint64_t v)
{
	return (uint64_t)((int64_t)(v << 16) >> 16) == v;
}

/* ---- functions shared by the interpreter's files ------------------------- */

/* Recompute mode, long64, prot, cpl and stack_size from s (invariant 2). */
void cpu_update_mode(struct cpu *c);
/* RFLAGS with the status flags materialized (the lazy state is kept). */
uint64_t cpu_rflags(const struct cpu *c);
/* Replace RFLAGS wholesale (status flags included): ends the lazy state. */
void cpu_set_rflags(struct cpu *c, uint64_t rflags);
/* Materialize the status flags into s.rflags and end the lazy state. */
void cpu_flags_commit(struct cpu *c);
/* Evaluate condition code cc (0..15, SDM Table B-1) from materialized
 * flags; handlers use the faster cpu_cond_fast() (interp_internal.h). */
bool cpu_cond(const struct cpu *c, unsigned cc);
/* Record exception `vector` (with error code if has_error) in c->exc and
 * return INTERP_FAULT, for `return cpu_fault(...)`. */
int cpu_fault(struct cpu *c, unsigned vector, bool has_error, uint32_t error);
static inline int cpu_ud(struct cpu *c)
{
	return cpu_fault(c, X86_EXC_UD, false, 0);
}
static inline int cpu_gp0(struct cpu *c)
{
	return cpu_fault(c, X86_EXC_GP, true, 0);
}
/* Flush the access cache and the fetch window (not the MMU's TLB). */
void cpu_tlb_flush(struct cpu *c);

#endif
