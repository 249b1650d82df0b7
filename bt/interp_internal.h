/*
 * interp_internal.h - shared between the files of the reference
 * interpreter; nothing outside bt/interp*.c includes it.
 *
 *   interp.c         the engine: engine_ops, state in and out, inject, kick
 *   interp_exec.c    executor loop, instruction fetch, decode cache,
 *                    handler table, interp_step
 *   interp_mem.c     linear addresses and segment checks, the access cache,
 *                    guest memory reads/writes, MMIO and port exits, stack
 *   interp_seg.c     descriptor tables and segment-register loads
 *   interp_except.c  exception and interrupt delivery (IDT), #DF, shutdown
 *   interp_alu.c     lazy flags, conditions, arithmetic and logic, mul/div
 *   interp_shift.c   shifts, rotates, bit tests and scans, BCD
 *   interp_move.c    data movement, exchange, stack instructions, setcc
 *   interp_string.c  string instructions with REP, port I/O instructions
 *   interp_branch.c  jumps, calls, returns, INT/IRET, SYSCALL/SYSRET
 *   interp_system.c  privileged and system instructions, MSRs, CPUID
 */
#ifndef TRAPEZE_BT_INTERP_INTERNAL_H
#define TRAPEZE_BT_INTERP_INTERNAL_H

#include <string.h>

#include "bt/interp.h"

/* ---- handler declarations ------------------------------------------------ */

/* The type of every handler (interp.h: the contract); declared by file. */
typedef int interp_handler_def(struct cpu *c, const struct x86_insn *in);

/* interp_alu.c */
interp_handler_def h_add, h_or, h_adc, h_sbb, h_and, h_sub, h_xor, h_cmp, h_test, h_inc,
    h_dec, h_neg, h_not, h_mul, h_imul, h_div, h_idiv, h_clc, h_stc, h_cmc, h_cld, h_std,
    h_lahf, h_sahf, h_salc;
/* interp_shift.c */
interp_handler_def h_shift, h_shld, h_shrd, h_bt, h_bsf, h_bsr, h_tzcnt, h_lzcnt,
    h_popcnt, h_bswap, h_daa, h_das, h_aaa, h_aas, h_aam, h_aad;
/* interp_move.c */
interp_handler_def h_mov, h_mov_rr, h_mov_load, h_mov_store, h_movzx, h_movsx, h_lea,
    h_xchg, h_cmpxchg, h_cmpxchg8b, h_xadd, h_movbe, h_movnti, h_cbw, h_cwd, h_xlat,
    h_push, h_pop, h_pusha, h_popa, h_pushf, h_popf, h_enter, h_leave, h_setcc, h_cmovcc,
    h_lxs, h_bound;
/* interp_string.c */
interp_handler_def h_movs, h_cmps, h_stos, h_lods, h_scas, h_ins, h_outs, h_in, h_out;
/* interp_branch.c */
interp_handler_def h_jcc, h_jmp, h_call, h_ret, h_jmpf, h_callf, h_retf, h_loop, h_jrcxz,
    h_int, h_int3, h_int1, h_into, h_iret, h_syscall, h_sysret, h_sysenter, h_sysexit;
/* interp_system.c */
interp_handler_def h_nop, h_ud, h_hlt, h_cli, h_sti, h_cpuid, h_rdtsc, h_rdtscp, h_rdmsr,
    h_wrmsr, h_rdpmc, h_mov_cr, h_mov_dr, h_lgdt, h_sgdt, h_lldt, h_ltr, h_sldt, h_str,
    h_lmsw, h_smsw, h_clts, h_invlpg, h_swapgs, h_wbinvd, h_lar, h_lsl, h_verr, h_arpl,
    h_clflush, h_wait, h_mxcsr;

/* The register-only variant of a two-operand ALU instruction (ADD..CMP,
 * TEST with a register destination and no memory), or NULL. */
interp_handler_fn interp_alu_regs(const struct x86_insn *in);

/* Jcc specialized for condition code cc (0..15). */
interp_handler_fn interp_jcc_for(unsigned cc);
/* SHL/SHR/SAR with a register destination, specialized; or NULL. */
interp_handler_fn interp_shift_regs(const struct x86_insn *in);

/* ---- the CPU model (core/cpuid.c), as feature tests ---------------------- */

/* Does the CPUID model report leaf `leaf` register `reg` ("b","c","d")
 * bit `bit`?  Instructions outside the model raise #UD. */
enum cpu_feature {
	CPU_FEAT_POPCNT,
	CPU_FEAT_LZCNT,
	CPU_FEAT_BMI1,
	CPU_FEAT_MOVBE,
	CPU_FEAT_CX16,
	CPU_FEAT_RDTSCP,
	CPU_FEAT_SSE,
	CPU_FEAT_FXSR,
	CPU_FEAT_CLFSH,
	CPU_FEAT_SEP,
	CPU_FEAT_RDRAND,
	CPU_FEAT_NX,
	CPU_FEAT_PGE,
	CPU_FEAT_PAE,
	CPU_FEAT_PSE,
	CPU_FEAT_TSC,
	CPU_FEAT_DE,
	CPU_FEAT_MCE,
	CPU_FEAT_PAGE1GB,
	CPU_FEAT_SYSCALL,
	CPU_FEAT_LM,
	CPU_FEAT_PAT,
	CPU_FEAT_CX8,
	CPU_FEAT_LAHF,
	CPU_FEAT_COUNT
};
bool cpu_has(enum cpu_feature f);

/* ---- interp_mem.c: memory ------------------------------------------------ */

/* Effective address (offset) of a memory operand: x86_mem_offset(), inline. */
static inline uint64_t cpu_ea(const struct cpu *c, const struct x86_insn *in,
                              const struct x86_mem *m)
{
	uint64_t ea = (uint64_t)m->disp;

	if (m->base == X86_RIPREG)
		ea += c->s.rip + in->len;
	else if (m->base != X86_NOREG)
		ea += c->s.gpr[m->base];
	if (m->index != X86_NOREG)
		ea += c->s.gpr[m->index] * m->scale;
	return ea & cpu_size_mask(m->addr_size);
}

/* A resolved operand: a register, or memory at a linear address (with the
 * host address when the whole access is in one RAM page). */
enum loc_kind { LOC_REG, LOC_MEM };

struct loc {
	uint8_t kind; /* enum loc_kind */
	uint8_t size;
	uint8_t cls, num; /* LOC_REG */
	uint8_t *hva;     /* LOC_MEM: NULL when the access crosses a page or
	                   * is not RAM (then la is used) */
	gva_t la;
};

/* Linear address for `size` bytes at seg:off, after the segment's checks
 * (limit and type in protected mode, canonical form in 64-bit mode). */
int mem_linear(struct cpu *c, unsigned seg, uint64_t off, unsigned size, enum cpu_acc acc,
               gva_t *la);
/* Read/write 1, 2, 4 or 8 bytes at a linear address, at the CPL. */
int mem_read_la(struct cpu *c, gva_t la, unsigned size, uint64_t *v);
int mem_write_la(struct cpu *c, gva_t la, unsigned size, uint64_t v);
/* Any number of bytes at a linear address; sys: an implicit supervisor
 * access (descriptor tables, TSS).  A write translates every page first:
 * on a fault nothing is written. */
int mem_read_bytes(struct cpu *c, gva_t la, void *buf, unsigned len, bool sys);
int mem_write_bytes(struct cpu *c, gva_t la, const void *buf, unsigned len, bool sys);
/* Check that [la, la+len) can be written (translating it), writing nothing. */
int mem_probe_write(struct cpu *c, gva_t la, unsigned len, bool sys);

/* The slow paths of the inline accessors below (every mode, every case). */
int mem_read_slow(struct cpu *c, unsigned seg, uint64_t off, unsigned size, uint64_t *v);
int mem_write_slow(struct cpu *c, unsigned seg, uint64_t off, unsigned size, uint64_t v);
int mem_loc_slow(struct cpu *c, unsigned seg, uint64_t off, unsigned size,
                 enum cpu_acc acc, struct loc *l);
int loc_read_slow(struct cpu *c, const struct loc *l, uint64_t *v);
int loc_write_slow(struct cpu *c, const struct loc *l, uint64_t v);

static inline uint64_t cpu_load_le(const uint8_t *p, unsigned size)
{
	uint8_t b;
	uint16_t w;
	uint32_t d;
	uint64_t q;

	switch (size) {
	case 1:
		memcpy(&b, p, 1);
		return b;
	case 2:
		memcpy(&w, p, 2);
		return w;
	case 4:
		memcpy(&d, p, 4);
		return d;
	default:
		memcpy(&q, p, 8);
		return q;
	}
}

static inline void cpu_store_le(uint8_t *p, unsigned size, uint64_t v)
{
	uint8_t b = (uint8_t)v;
	uint16_t w = (uint16_t)v;
	uint32_t d = (uint32_t)v;

	switch (size) {
	case 1:
		memcpy(p, &b, 1);
		break;
	case 2:
		memcpy(p, &w, 2);
		break;
	case 4:
		memcpy(p, &d, 4);
		break;
	default:
		memcpy(p, &v, 8);
		break;
	}
}

/*
 * mem_fast - the host address of `size` bytes at seg:off for acc when the
 * common case holds: 64-bit mode, a segment with base 0, a canonical
 * offset whose page the access cache has and that the access does not
 * leave.  NULL sends the caller to the slow path (which also raises any
 * fault).
 */
static inline uint8_t *mem_fast(const struct cpu *c, unsigned seg, uint64_t off,
                                unsigned size, enum cpu_acc acc)
{
	if (!c->long64 || seg == X86_SEG_FS || seg == X86_SEG_GS || !cpu_canonical(off))
		return NULL;
	const struct cpu_tlb_entry *e =
	    &c->tlb.e[acc][(off >> PAGE_SHIFT) & (CPU_TLB_SIZE - 1)];
	if (e->tag != ((off & PAGE_MASK) | (c->cpl == 3 ? CPU_TLB_USER : 0)) ||
	    (off & (PAGE_SIZE - 1)) + size > PAGE_SIZE)
		return NULL;
	return e->hva + (off & (PAGE_SIZE - 1));
}

/* Read/write 1, 2, 4 or 8 bytes at seg:off. */
static inline int mem_read(struct cpu *c, unsigned seg, uint64_t off, unsigned size,
                           uint64_t *v)
{
	const uint8_t *p = mem_fast(c, seg, off, size, CPU_ACC_READ);

	if (__builtin_expect(p != NULL, 1)) {
		*v = cpu_load_le(p, size);
		return INTERP_OK;
	}
	return mem_read_slow(c, seg, off, size, v);
}

static inline int mem_write(struct cpu *c, unsigned seg, uint64_t off, unsigned size,
                            uint64_t v)
{
	uint8_t *p = mem_fast(c, seg, off, size, CPU_ACC_WRITE);

	if (__builtin_expect(p != NULL, 1)) {
		cpu_store_le(p, size, v);
		return INTERP_OK;
	}
	return mem_write_slow(c, seg, off, size, v);
}

/* Resolve `size` bytes at seg:off as a memory location for access acc. */
static inline int mem_loc(struct cpu *c, unsigned seg, uint64_t off, unsigned size,
                          enum cpu_acc acc, struct loc *l)
{
	uint8_t *p = mem_fast(c, seg, off, size, acc);

	if (__builtin_expect(p != NULL, 1)) {
		l->kind = LOC_MEM;
		l->size = (uint8_t)size;
		l->hva = p;
		l->la = off;
		return INTERP_OK;
	}
	return mem_loc_slow(c, seg, off, size, acc, l);
}

/* Resolve operand o of in for access acc (CPU_ACC_READ, CPU_ACC_WRITE;
 * a read-modify-write operand is resolved for CPU_ACC_WRITE). */
static inline int op_loc(struct cpu *c, const struct x86_insn *in,
                         const struct x86_operand *o, enum cpu_acc acc, struct loc *l)
{
	if (o->kind == X86_OPND_REG) {
		l->kind = LOC_REG;
		l->size = o->size;
		l->cls = o->reg.cls;
		l->num = o->reg.num;
		return INTERP_OK;
	}
	return mem_loc(c, o->mem.seg, cpu_ea(c, in, &o->mem), o->size, acc, l);
}

static inline int loc_read(struct cpu *c, const struct loc *l, uint64_t *v)
{
	if (l->kind == LOC_REG) {
		*v = cpu_gpr_get(c, l->cls, l->num, l->size);
		return INTERP_OK;
	}
	if (__builtin_expect(l->hva != NULL, 1)) {
		*v = cpu_load_le(l->hva, l->size);
		return INTERP_OK;
	}
	return loc_read_slow(c, l, v);
}

static inline int loc_write(struct cpu *c, const struct loc *l, uint64_t v)
{
	if (l->kind == LOC_REG) {
		cpu_gpr_set(c, l->cls, l->num, l->size, v);
		return INTERP_OK;
	}
	if (__builtin_expect(l->hva != NULL, 1)) {
		cpu_store_le(l->hva, l->size, v);
		return INTERP_OK;
	}
	return loc_write_slow(c, l, v);
}

/* Read an operand's value (register, immediate or memory). */
static inline int op_read(struct cpu *c, const struct x86_insn *in,
                          const struct x86_operand *o, uint64_t *v)
{
	switch (o->kind) {
	case X86_OPND_REG:
		*v = cpu_gpr_get(c, o->reg.cls, o->reg.num, o->size);
		return INTERP_OK;
	case X86_OPND_IMM:
		*v = o->imm;
		return INTERP_OK;
	default:
		return mem_read(c, o->mem.seg, cpu_ea(c, in, &o->mem), o->size, v);
	}
}

/* Stack: rSP-relative accesses through SS with the stack's address size. */
uint64_t stack_rsp(const struct cpu *c);
void stack_set_rsp(struct cpu *c, uint64_t rsp);
/* Read `size` bytes at SS:(rSP + off); rSP is not changed. */
int stack_read(struct cpu *c, int64_t off, unsigned size, uint64_t *v);
/* Write `len` bytes ending at SS:rSP (a push of the whole buffer, lowest
 * address first in buf); rSP is not changed. */
int stack_write_below(struct cpu *c, const void *buf, unsigned len);
/* push: write then move rSP, so a fault changes nothing. */
int stack_push(struct cpu *c, unsigned size, uint64_t v);

/* Port I/O and MMIO: exits to the core */
/* A read: the data of a completed read (INTERP_OK), or post the exit
 * (INTERP_EXIT). */
int io_read(struct cpu *c, enum cpu_io_kind kind, uint64_t addr, unsigned size,
            uint64_t *v);
/* A write: post the exit (retires; reported after the instruction). */
int io_write(struct cpu *c, enum cpu_io_kind kind, uint64_t addr, unsigned size,
             uint64_t v);
/* Stop with VM_EXIT_INTERNAL (what: static text); returns INTERP_EXIT. */
int cpu_internal_exit(struct cpu *c, const char *what);

/* The access cache (cpu_tlb_flush: cpu.h) */
/* The paging state changed (CR0/CR3/CR4/EFER): flush the MMU's TLB and
 * ours.  keep_global: a CR3 write without a paging-mode change. */
void cpu_paging_changed(struct cpu *c, bool keep_global);
/* Translate a linear address for an instruction fetch: host and guest
 * physical address of `la`, or a fault; *in_page: bytes left in the page. */
int mem_fetch_translate(struct cpu *c, gva_t la, uint8_t **hva, gpa_t *gpa);

/* ---- interp_exec.c: executor and decode cache ---------------------------- */

/* engine_ops.run: execute until the core must act; fills *exit.  0. */
int interp_exec_run(struct cpu *c, struct vm_exit *exit);

/* ---- interp_exec.c: decode cache ----------------------------------------- */

struct decode_cache *dc_create(const struct gmem *gm);
void dc_destroy(struct decode_cache *dc);
/* Forget every decoded instruction. */
void dc_flush(struct decode_cache *dc);
/* Does guest page gfn hold decoded instructions? */
bool dc_page_has_code(const struct decode_cache *dc, gfn_t gfn);
/* Guest page gfn is being written: forget its decoded instructions. */
void dc_invalidate_page(struct cpu *c, gfn_t gfn);
/* Drop the access cache's write entries for page gpa (it now holds code,
 * or the MMU write-tracks it). */
void tlb_drop_writes_to(struct cpu *c, gpa_t page);
/* struct mmu_config.write_protect for the interpreter's MMU (opaque: the
 * struct cpu): the MMU now write-tracks gfn. */
void cpu_mmu_write_protect(void *opaque, gfn_t gfn);
/* struct mmu_config.flush: the MMU zapped shadow entries; drop the
 * translations of the linear pages la with (la & mask) == match. */
void cpu_mmu_flush(void *opaque, gva_t mask, gva_t match);

/* ---- interp_seg.c: segments and descriptors ------------------------------ */

/* A descriptor as read from the GDT/LDT: the raw 8 bytes (and the next 8
 * for long-mode system descriptors). */
struct desc {
	uint64_t lo, hi;
};

#define SEL_RPL(sel)   ((sel)&3u)
#define SEL_TI         4u
#define SEL_INDEX_MASK 0xfff8u
#define SEL_ERR(sel)   ((uint32_t)(sel)&0xfffcu)

#define DESC_TYPE(d)  ((unsigned)((d).lo >> 40) & 0xf)
#define DESC_S(d)     ((unsigned)((d).lo >> 44) & 1)
#define DESC_DPL(d)   ((unsigned)((d).lo >> 45) & 3)
#define DESC_P(d)     ((unsigned)((d).lo >> 47) & 1)
#define DESC_L(d)     ((unsigned)((d).lo >> 53) & 1)
#define DESC_DB(d)    ((unsigned)((d).lo >> 54) & 1)
#define DESC_ACCESSED (1ull << 40)

/* Segment type bits (S=1) */
#define SEGT_ACCESSED   0x1
#define SEGT_WRITABLE   0x2 /* data */
#define SEGT_READABLE   0x2 /* code */
#define SEGT_EXPDOWN    0x4 /* data */
#define SEGT_CONFORMING 0x4 /* code */
#define SEGT_CODE       0x8
/* System descriptor types (S=0) */
#define SYST_LDT         0x2
#define SYST_TSS16_AVAIL 0x1
#define SYST_TSS_AVAIL   0x9
#define SYST_TSS_BUSY    0xb
#define SYST_CALL_GATE   0xc
#define SYST_INT_GATE    0xe
#define SYST_TRAP_GATE   0xf
#define SYST_INT_GATE16  0x6
#define SYST_TRAP_GATE16 0x7
#define SYST_TASK_GATE   0x5

/* Read the descriptor for selector sel (not null).  On a selector outside
 * its table: fault `vector` with error code sel (plus ext). */
int desc_read(struct cpu *c, uint16_t sel, struct desc *d, unsigned vector, bool ext);
/* Set the accessed bit of sel's descriptor in memory if it is clear. */
int desc_set_accessed(struct cpu *c, uint16_t sel, struct desc *d);
/* Decode d into a segment register's hidden part. */
void desc_to_seg(const struct desc *d, uint16_t sel, struct x86_segment *s);
/* A null segment register (loaded with selector sel, RPL kept). */
void seg_null(struct x86_segment *s, uint16_t sel);
/* MOV/POP/LxS to DS, ES, FS, GS or SS with every protected-mode check;
 * real mode: base = sel << 4.  The register changes only on success. */
int seg_load(struct cpu *c, unsigned seg, uint16_t sel);
/* Check a code segment for a far JMP/CALL/RET/IRET to `sel` with target
 * CPL `cpl` (same-privilege transfers: cpl == c->cpl); fills *s. */
int seg_check_code(struct cpu *c, uint16_t sel, unsigned new_cpl, bool is_ret,
                   struct x86_segment *s);
/* Check SS for a return to an outer privilege level new_cpl. */
int seg_check_stack(struct cpu *c, uint16_t sel, unsigned new_cpl, struct x86_segment *s);
/* Load CS (already checked) and re-derive the mode. */
void seg_set_cs(struct cpu *c, const struct x86_segment *cs);
/* After a return to an outer level: null data segments the new CPL may
 * not use. */
void seg_fixup_outer(struct cpu *c);
/* LLDT / LTR: load LDTR or TR from the GDT (TR: marks the TSS busy). */
int seg_load_system(struct cpu *c, uint16_t sel, bool is_tr);
/* Read a TSS stack pointer: 64-bit TSS RSPn (n 0..2) or ISTn (n 1..7),
 * or a 32-bit TSS's SS:ESPn. */
int tss_read_rsp64(struct cpu *c, unsigned offset, uint64_t *rsp, bool ext);
int tss_read_ss_esp32(struct cpu *c, unsigned cpl, uint16_t *ss, uint32_t *esp, bool ext);

/* ---- interp_except.c: events --------------------------------------------- */

struct cpu_event {
	uint8_t vector;
	uint8_t source; /* enum cpu_event_source */
	bool has_error;
	uint32_t error;
	uint64_t return_rip; /* RIP the handler returns to */
};

/* Deliver one event through the IDT.  INTERP_OK, or INTERP_FAULT with the
 * exception the delivery raised in c->exc (state unchanged). */
int cpu_event_deliver(struct cpu *c, const struct cpu_event *ev);
/* Deliver external interrupt `vector` now (the caller checked IF).
 * INTERP_OK, or INTERP_HALT after a triple fault (c->shutdown). */
int cpu_deliver_extint(struct cpu *c, uint8_t vector);
/* Deliver the single-step #DB trap after an instruction (same results). */
int cpu_deliver_step_trap(struct cpu *c);

/* ---- interp_branch.c / interp_system.c helpers --------------------------- */

/* Set RIP to a branch target: canonical in 64-bit mode, within CS.limit
 * elsewhere (#GP(0) otherwise). */
int cpu_jump(struct cpu *c, uint64_t target);
/* RFLAGS bits that POPF/IRET may change at the current CPL and IOPL. */
uint64_t cpu_rflags_writable(const struct cpu *c, unsigned opsize);
/* The guest's time-stamp counter now. */
uint64_t cpu_tsc(const struct cpu *c);
/* Port access allowed at this CPL/IOPL (else #GP(0)). */
int cpu_io_allowed(struct cpu *c);
/* #GP(0) unless CPL is 0. */
static inline int cpu_need_cpl0(struct cpu *c)
{
	return c->cpl == 0 ? INTERP_OK : cpu_gp0(c);
}
/* Retire: move RIP past the instruction (EIP and IP wrap). */
static inline int cpu_retire(struct cpu *c, const struct x86_insn *in)
{
	c->s.rip += in->len;
	if (!c->long64)
		c->s.rip &= c->mode == X86_MODE_16 ? 0xffffull : 0xffffffffull;
	return INTERP_OK;
}

/* interp_alu.c: set lazy flags after an operation */
static inline void lf_set(struct cpu *c, enum lf_op op, unsigned size, uint64_t res,
                          uint64_t a, uint64_t b)
{
	c->lf.op = (uint8_t)op;
	c->lf.size = (uint8_t)size;
	c->lf.res = res;
	c->lf.a = a;
	c->lf.b = b;
}
/*
 * cpu_cond_fast - condition code cc (SDM Table B-1), answered from the
 * lazy record where that is cheap: after CMP/SUB by comparing the
 * operands, after logic operations from the result, ZF and SF from any
 * result.  Everything else goes to cpu_cond().
 */
static inline bool cpu_cond_fast(const struct cpu *c, unsigned cc)
{
	const struct lazy_flags *lf = &c->lf;
	bool r;

	if (lf->op == LF_SUB) {
		switch (cc >> 1) {
		case 1:
			r = lf->a < lf->b;
			break;
		case 2:
			r = lf->a == lf->b;
			break;
		case 3:
			r = lf->a <= lf->b;
			break;
		case 4:
			r = lf->res & cpu_sign_bit(lf->size);
			break;
		case 6:
			r = cpu_sext(lf->a, lf->size) < cpu_sext(lf->b, lf->size);
			break;
		case 7:
			r = cpu_sext(lf->a, lf->size) <= cpu_sext(lf->b, lf->size);
			break;
		default:
			return cpu_cond(c, cc);
		}
	} else if (lf->op == LF_LOGIC) {
		bool neg = lf->res & cpu_sign_bit(lf->size);
		switch (cc >> 1) {
		case 0:
		case 1:
			r = false;
			break; /* OF = CF = 0 */
		case 2:
		case 3:
			r = lf->res == 0;
			break;
		case 4:
		case 6:
			r = neg;
			break;
		case 7:
			r = lf->res == 0 || neg;
			break;
		default:
			return cpu_cond(c, cc);
		}
	} else if (lf->op != LF_NONE && (cc >> 1) == 2) {
		r = lf->res == 0;
	} else if (lf->op != LF_NONE && (cc >> 1) == 4) {
		r = lf->res & cpu_sign_bit(lf->size);
	} else {
		return cpu_cond(c, cc);
	}
	return (cc & 1) ? !r : r;
}

/* Parity flag of the low byte of v (PF=1 for an even number of ones). */
static inline bool cpu_parity(uint64_t v)
{
	return !__builtin_parity((unsigned)(v & 0xff));
}
/* Set the status flags eagerly: those in `mask` from `flags`. */
void cpu_set_status(struct cpu *c, uint64_t mask, uint64_t flags);
/* Flags of a result: ZF, SF, PF of res at size. */
uint64_t cpu_szp(uint64_t res, unsigned size);

#endif
