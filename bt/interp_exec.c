/*
 * interp_exec.c - the executor: fetch, decode cache, dispatch, events.
 *
 * The loop (run_loop) does, at every instruction boundary:
 *
 *   events?  (one load: kick, a posted exit, a pending interrupt, an
 *            interrupt window, the STI/MOV SS shadow, single-step)
 *            -> handle_events
 *   fetch    RIP in the fetch window's page: gpa = RIP + delta (fetch_fast);
 *            else RIP -> linear -> access cache or MMU -> gpa (fetch)
 *   decode   decode cache[gpa]: hit, or x86_decode() and remember it
 *   execute  head->fn(cpu, insn): the handler chosen at decode time
 *   result   retired: next; fault: interp_deliver(); exit: back to the
 *            core; halt: VM_EXIT_HLT
 *
 * The decode cache is direct mapped by guest-physical address and mode.
 * A bitmap marks the guest pages it holds instructions of; a write to a
 * marked page (interp_mem.c sends every such write through
 * dc_invalidate_page) clears that page's slots and its mark, so
 * self-modifying code and reused code pages are seen at the next fetch.
 * Instructions that cross a page are decoded every time and never cached.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bt/interp_internal.h"

#define DC_BITS    15
#define DC_ENTRIES (1u << DC_BITS)
#define DC_EMPTY   (~0ull)

/*
 * A decode-cache slot is split in two arrays: the head (what the fetch
 * compares and calls: 16 bytes, four per cache line) and the decoded
 * instruction the handler reads.
 */
struct dc_head {
	uint64_t tag; /* dc_tag(gpa of the first byte, mode); DC_EMPTY if unused */
	interp_handler_fn fn;
};

/* The same bytes decode differently in each mode: the tag holds both
 * (a gpa has at most 52 bits). */
static inline uint64_t dc_tag(gpa_t gpa, unsigned mode)
{
	return gpa | ((uint64_t)mode << 60);
}

static inline gpa_t dc_tag_page(uint64_t tag)
{
	return tag & ((1ull << 52) - 1) & PAGE_MASK;
}

/*
 * code[] has one bit per guest page that may hold cached instructions
 * (RAM pages only: code cannot run from MMIO).  Invalidating a page
 * clears its entries, which all sit in one 4096-slot stretch of the
 * direct-mapped arrays.
 */
struct decode_cache {
	uint64_t *code;            /* bitmap by gfn */
	gfn_t code_pages;          /* bits in it */
	struct dc_head xpage_head; /* the last page-crossing instruction */
	struct x86_insn xpage;
	struct dc_head head[DC_ENTRIES];
	struct x86_insn insn[DC_ENTRIES];
};

/* ---- the handler table --------------------------------------------------- */

static const interp_handler_fn handler_table[X86_I_COUNT] = {
    [X86_I_ADD] = h_add,
    [X86_I_OR] = h_or,
    [X86_I_ADC] = h_adc,
    [X86_I_SBB] = h_sbb,
    [X86_I_AND] = h_and,
    [X86_I_SUB] = h_sub,
    [X86_I_XOR] = h_xor,
    [X86_I_CMP] = h_cmp,
    [X86_I_TEST] = h_test,
    [X86_I_INC] = h_inc,
    [X86_I_DEC] = h_dec,
    [X86_I_NEG] = h_neg,
    [X86_I_NOT] = h_not,
    [X86_I_MUL] = h_mul,
    [X86_I_IMUL] = h_imul,
    [X86_I_DIV] = h_div,
    [X86_I_IDIV] = h_idiv,
    [X86_I_ROL] = h_shift,
    [X86_I_ROR] = h_shift,
    [X86_I_RCL] = h_shift,
    [X86_I_RCR] = h_shift,
    [X86_I_SHL] = h_shift,
    [X86_I_SHR] = h_shift,
    [X86_I_SAL] = h_shift,
    [X86_I_SAR] = h_shift,
    [X86_I_SHLD] = h_shld,
    [X86_I_SHRD] = h_shrd,
    [X86_I_BT] = h_bt,
    [X86_I_BTS] = h_bt,
    [X86_I_BTR] = h_bt,
    [X86_I_BTC] = h_bt,
    [X86_I_BSF] = h_bsf,
    [X86_I_BSR] = h_bsr,
    [X86_I_TZCNT] = h_tzcnt,
    [X86_I_LZCNT] = h_lzcnt,
    [X86_I_POPCNT] = h_popcnt,
    [X86_I_MOV] = h_mov,
    [X86_I_MOVZX] = h_movzx,
    [X86_I_MOVSX] = h_movsx,
    [X86_I_MOVSXD] = h_movsx,
    [X86_I_LEA] = h_lea,
    [X86_I_XCHG] = h_xchg,
    [X86_I_CMPXCHG] = h_cmpxchg,
    [X86_I_CMPXCHG8B] = h_cmpxchg8b,
    [X86_I_CMPXCHG16B] = h_cmpxchg8b,
    [X86_I_XADD] = h_xadd,
    [X86_I_BSWAP] = h_bswap,
    [X86_I_MOVBE] = h_movbe,
    [X86_I_MOVNTI] = h_movnti,
    [X86_I_CBW] = h_cbw,
    [X86_I_CWD] = h_cwd,
    [X86_I_XLAT] = h_xlat,
    [X86_I_LAHF] = h_lahf,
    [X86_I_SAHF] = h_sahf,
    [X86_I_PUSH] = h_push,
    [X86_I_POP] = h_pop,
    [X86_I_PUSHA] = h_pusha,
    [X86_I_POPA] = h_popa,
    [X86_I_PUSHF] = h_pushf,
    [X86_I_POPF] = h_popf,
    [X86_I_ENTER] = h_enter,
    [X86_I_LEAVE] = h_leave,
    [X86_I_JCC] = h_jcc,
    [X86_I_JMP] = h_jmp,
    [X86_I_JMPF] = h_jmpf,
    [X86_I_CALL] = h_call,
    [X86_I_CALLF] = h_callf,
    [X86_I_RET] = h_ret,
    [X86_I_RETF] = h_retf,
    [X86_I_LOOP] = h_loop,
    [X86_I_LOOPE] = h_loop,
    [X86_I_LOOPNE] = h_loop,
    [X86_I_JRCXZ] = h_jrcxz,
    [X86_I_INT] = h_int,
    [X86_I_INT3] = h_int3,
    [X86_I_INT1] = h_int1,
    [X86_I_INTO] = h_into,
    [X86_I_IRET] = h_iret,
    [X86_I_SYSCALL] = h_syscall,
    [X86_I_SYSRET] = h_sysret,
    [X86_I_SYSENTER] = h_sysenter,
    [X86_I_SYSEXIT] = h_sysexit,
    [X86_I_SETCC] = h_setcc,
    [X86_I_CMOVCC] = h_cmovcc,
    [X86_I_MOVS] = h_movs,
    [X86_I_CMPS] = h_cmps,
    [X86_I_STOS] = h_stos,
    [X86_I_LODS] = h_lods,
    [X86_I_SCAS] = h_scas,
    [X86_I_INS] = h_ins,
    [X86_I_OUTS] = h_outs,
    [X86_I_IN] = h_in,
    [X86_I_OUT] = h_out,
    [X86_I_CLC] = h_clc,
    [X86_I_STC] = h_stc,
    [X86_I_CMC] = h_cmc,
    [X86_I_CLI] = h_cli,
    [X86_I_STI] = h_sti,
    [X86_I_CLD] = h_cld,
    [X86_I_STD] = h_std,
    [X86_I_HLT] = h_hlt,
    [X86_I_NOP] = h_nop,
    [X86_I_PAUSE] = h_nop,
    [X86_I_CPUID] = h_cpuid,
    [X86_I_RDTSC] = h_rdtsc,
    [X86_I_RDTSCP] = h_rdtscp,
    [X86_I_RDMSR] = h_rdmsr,
    [X86_I_WRMSR] = h_wrmsr,
    [X86_I_RDPMC] = h_rdpmc,
    [X86_I_LGDT] = h_lgdt,
    [X86_I_LIDT] = h_lgdt,
    [X86_I_SGDT] = h_sgdt,
    [X86_I_SIDT] = h_sgdt,
    [X86_I_LLDT] = h_lldt,
    [X86_I_LTR] = h_ltr,
    [X86_I_SLDT] = h_sldt,
    [X86_I_STR] = h_str,
    [X86_I_LMSW] = h_lmsw,
    [X86_I_SMSW] = h_smsw,
    [X86_I_VERR] = h_verr,
    [X86_I_VERW] = h_verr,
    [X86_I_LAR] = h_lar,
    [X86_I_LSL] = h_lsl,
    [X86_I_ARPL] = h_arpl,
    [X86_I_INVLPG] = h_invlpg,
    [X86_I_SWAPGS] = h_swapgs,
    [X86_I_CLTS] = h_clts,
    [X86_I_WBINVD] = h_wbinvd,
    [X86_I_INVD] = h_wbinvd,
    [X86_I_LSS] = h_lxs,
    [X86_I_LFS] = h_lxs,
    [X86_I_LGS] = h_lxs,
    [X86_I_LES] = h_lxs,
    [X86_I_LDS] = h_lxs,
    [X86_I_BOUND] = h_bound,
    [X86_I_DAA] = h_daa,
    [X86_I_DAS] = h_das,
    [X86_I_AAA] = h_aaa,
    [X86_I_AAS] = h_aas,
    [X86_I_AAM] = h_aam,
    [X86_I_AAD] = h_aad,
    [X86_I_SALC] = h_salc,
    [X86_I_WAIT] = h_wait,
    [X86_I_ENDBR64] = h_nop,
    [X86_I_ENDBR32] = h_nop,
    [X86_I_MFENCE] = h_nop,
    [X86_I_LFENCE] = h_nop,
    [X86_I_SFENCE] = h_nop,
    [X86_I_CLFLUSH] = h_clflush,
    [X86_I_PREFETCH] = h_nop,
    [X86_I_PREFETCHW] = h_nop,
    [X86_I_LDMXCSR] = h_mxcsr,
    [X86_I_STMXCSR] = h_mxcsr,
    /* Everything else -- UD0/1/2, x87, SSE, AVX, XSAVE, VMX/SVM, TSX, and
     * the instructions whose CPUID bit the model does not set -- is #UD. */
};

interp_handler_fn interp_handler(enum x86_mnemonic m)
{
	if ((unsigned)m >= X86_I_COUNT || !handler_table[m])
		return h_ud;
	return handler_table[m];
}

/* Is operand o a general register (or an immediate, if imm_ok)? */
static bool is_gpr_or_imm(const struct x86_operand *o, bool imm_ok)
{
	if (o->kind == X86_OPND_IMM)
		return imm_ok;
	return o->kind == X86_OPND_REG &&
	       (o->reg.cls == X86_RC_GPR || o->reg.cls == X86_RC_GPR8H);
}

/* MOV's handler by operand form: control and debug registers, and the
 * three common forms between registers, immediates and memory. */
static interp_handler_fn select_mov(const struct x86_insn *in)
{
	const struct x86_operand *d = &in->opnd[0], *s = &in->opnd[1];

	for (unsigned i = 0; i < 2; i++) {
		if (in->opnd[i].kind != X86_OPND_REG)
			continue;
		if (in->opnd[i].reg.cls == X86_RC_CR)
			return h_mov_cr;
		if (in->opnd[i].reg.cls == X86_RC_DR)
			return h_mov_dr;
	}
	if (is_gpr_or_imm(d, false) && is_gpr_or_imm(s, true))
		return h_mov_rr;
	if (is_gpr_or_imm(d, false) && s->kind == X86_OPND_MEM)
		return h_mov_load;
	if (d->kind == X86_OPND_MEM && is_gpr_or_imm(s, true))
		return h_mov_store;
	return h_mov;
}

/* The handler for one decoded instruction: interp_handler(), or a
 * variant specialized for the operands (MOV's forms, register-only ALU
 * and shift forms, Jcc by condition). */
interp_handler_fn interp_handler_for(const struct x86_insn *in)
{
	if (x86_insn_has(in, X86_F_LENGTH))
		return h_ud;
	if (x86_insn_mnemonic(in) == X86_I_MOV)
		return select_mov(in);
	if (x86_insn_mnemonic(in) == X86_I_JCC)
		return interp_jcc_for(x86_insn_cond(in));
	interp_handler_fn fn = interp_alu_regs(in);
	if (!fn)
		fn = interp_shift_regs(in);
	return fn ? fn : interp_handler(x86_insn_mnemonic(in));
}

/* ---- the decode cache ---------------------------------------------------- */

struct decode_cache *dc_create(const struct gmem *gm)
{
	struct decode_cache *dc = malloc(sizeof(*dc));
	gpa_t top = 0;

	if (!dc)
		return NULL;
	for (unsigned i = 0; i < gm->nr_regions; i++)
		if (gm->regions[i].gpa + gm->regions[i].size > top)
			top = gm->regions[i].gpa + gm->regions[i].size;
	dc->code_pages = gpa_to_gfn(top);
	dc->code = calloc((dc->code_pages + 63) / 64, sizeof(uint64_t));
	if (!dc->code) {
		free(dc);
		return NULL;
	}
	for (unsigned i = 0; i < DC_ENTRIES; i++)
		dc->head[i].tag = DC_EMPTY;
	dc->xpage_head.tag = DC_EMPTY;
	return dc;
}

void dc_destroy(struct decode_cache *dc)
{
	if (dc)
		free(dc->code);
	free(dc);
}

void dc_flush(struct decode_cache *dc)
{
	for (unsigned i = 0; i < DC_ENTRIES; i++)
		dc->head[i].tag = DC_EMPTY;
	memset(dc->code, 0, (dc->code_pages + 63) / 64 * sizeof(uint64_t));
}

bool dc_page_has_code(const struct decode_cache *dc, gfn_t gfn)
{
	return gfn < dc->code_pages && (dc->code[gfn / 64] >> (gfn % 64) & 1);
}

/* (Called for every page the VMM remaps, so a page without code costs
 * one bit test.) */
void dc_invalidate_page(struct cpu *c, gfn_t gfn)
{
	struct decode_cache *dc = c->dc;
	unsigned first = (unsigned)(gfn_to_gpa(gfn) & (DC_ENTRIES - 1));

	if (!dc_page_has_code(dc, gfn))
		return;
	for (unsigned i = first; i < first + PAGE_SIZE; i++)
		if (dc->head[i].tag != DC_EMPTY &&
		    dc_tag_page(dc->head[i].tag) == gfn_to_gpa(gfn))
			dc->head[i].tag = DC_EMPTY;
	dc->code[gfn / 64] &= ~(1ull << (gfn % 64));
	c->stats.code_invalidations++;
}

/* Remember that the page of gpa now holds decoded code: its writes must
 * reach dc_invalidate_page, so the access cache may not keep them. */
static void dc_mark_code(struct cpu *c, gpa_t gpa)
{
	gfn_t gfn = gpa_to_gfn(gpa);

	if (gfn >= c->dc->code_pages || dc_page_has_code(c->dc, gfn))
		return;
	c->dc->code[gfn / 64] |= 1ull << (gfn % 64);
	tlb_drop_writes_to(c, gpa & PAGE_MASK);
}

/* ---- fetch and decode ---------------------------------------------------- */

/* Map a decoder status to the exception the CPU raises. */
static int decode_fault(struct cpu *c, int r)
{
	if (r == X86_DECODE_GP)
		return cpu_gp0(c);
	return cpu_ud(c);
}

/* Decode an instruction that may continue on the next page: fetch the
 * rest (a #PF there is reported at its address) and decode into the
 * uncached slot. */
static int decode_crossing(struct cpu *c, gva_t la, const uint8_t *hva, unsigned avail,
                           unsigned *idx)
{
	uint8_t buf[X86_MAX_INSN_LEN];
	uint8_t *next;
	gpa_t gpa2;
	gva_t la2 = (la + avail) & (c->long64 ? ~0ull : 0xffffffffull);
	int rc = mem_fetch_translate(c, la2, &next, &gpa2);

	if (rc)
		return rc;
	memcpy(buf, hva, avail);
	memcpy(buf + avail, next, X86_MAX_INSN_LEN - avail);
	int r = x86_decode(buf, X86_MAX_INSN_LEN, (enum x86_mode)c->mode, &c->dc->xpage);
	if (r != X86_DECODE_OK)
		return decode_fault(c, r);
	c->dc->xpage_head.fn = interp_handler_for(&c->dc->xpage);
	*idx = DC_ENTRIES; /* the xpage slot */
	return INTERP_OK;
}

/* Decode the instruction at (la, gpa, hva) into slot idx. */
static int decode_at(struct cpu *c, gva_t la, gpa_t gpa, const uint8_t *hva,
                     unsigned *idx)
{
	struct decode_cache *dc = c->dc;
	unsigned avail = (unsigned)(PAGE_SIZE - (la & (PAGE_SIZE - 1)));
	struct dc_head *h = &dc->head[*idx];
	int r;

	c->stats.decodes++;
	h->tag = DC_EMPTY;
	r = x86_decode(hva, avail < X86_MAX_INSN_LEN ? avail : X86_MAX_INSN_LEN,
	               (enum x86_mode)c->mode, &dc->insn[*idx]);
	if (r == -EAGAIN && avail < X86_MAX_INSN_LEN)
		return decode_crossing(c, la, hva, avail, idx);
	if (r != X86_DECODE_OK)
		return decode_fault(c, r);
	h->fn = interp_handler_for(&dc->insn[*idx]);
	h->tag = dc_tag(gpa, c->mode);
	dc_mark_code(c, gpa);
	return INTERP_OK;
}

/* The head and instruction of slot idx (DC_ENTRIES: the crossing one). */
static inline const struct dc_head *dc_head_at(const struct decode_cache *dc,
                                               unsigned idx)
{
	return idx == DC_ENTRIES ? &dc->xpage_head : &dc->head[idx];
}

static inline const struct x86_insn *dc_insn_at(const struct decode_cache *dc,
                                                unsigned idx)
{
	return idx == DC_ENTRIES ? &dc->xpage : &dc->insn[idx];
}

/*
 * fetch - the decode-cache slot of the instruction at RIP.  Faults:
 * #GP(0) for a RIP outside CS (or non-canonical), #PF from the fetch,
 * #UD/#GP(0) from the decoder; INTERP_EXIT for code outside RAM.
 */
static int fetch(struct cpu *c, unsigned *idx)
{
	uint64_t rip = c->s.rip;
	gva_t la;
	uint8_t *hva;
	gpa_t gpa;
	int rc;

	if (c->long64) {
		if (!cpu_canonical(rip))
			return cpu_gp0(c);
		la = rip;
	} else {
		if (rip > c->s.cs.limit)
			return cpu_gp0(c);
		la = (c->s.cs.base + rip) & 0xffffffffull;
	}
	if ((rc = mem_fetch_translate(c, la, &hva, &gpa)))
		return rc;
	*idx = gpa & (DC_ENTRIES - 1);
	if (c->dc->head[*idx].tag != dc_tag(gpa, c->mode) &&
	    (rc = decode_at(c, la, gpa, hva, idx)))
		return rc;
	if (!c->long64 && rip + dc_insn_at(c->dc, *idx)->len - 1 > c->s.cs.limit)
		return cpu_gp0(c);
	if (c->long64) { /* the next fetch from this page can skip all this */
		c->fw.page = la & PAGE_MASK;
		c->fw.delta = (gpa & PAGE_MASK) - (la & PAGE_MASK);
	}
	return INTERP_OK;
}

/*
 * fetch_fast - the slot of the instruction at RIP when RIP is still in
 * the fetch window's page (64-bit mode) and the slot holds it; -1 sends
 * the caller to fetch().
 */
static inline int fetch_fast(const struct cpu *c)
{
	uint64_t rip = c->s.rip;

	if ((rip & PAGE_MASK) != c->fw.page)
		return -1;
	gpa_t gpa = rip + c->fw.delta;
	unsigned idx = gpa & (DC_ENTRIES - 1);
	if (c->dc->head[idx].tag != dc_tag(gpa, X86_MODE_64))
		return -1;
	return (int)idx;
}

/* ---- executing ----------------------------------------------------------- */

enum step_result {
	STEP_CONTINUE, /* go on with the next instruction */
	STEP_STOP,     /* *exit is filled: return to the core */
};

/* The exit of a triple fault. */
static enum step_result shutdown_exit(struct vm_exit *exit)
{
	exit->reason = VM_EXIT_SHUTDOWN;
	return STEP_STOP;
}

/* After a handler (or fetch) did not simply retire: deliver a fault,
 * report an exit or a halt. */
static enum step_result finish_slow(struct cpu *c, int rc, struct vm_exit *exit)
{
	switch (rc) {
	case INTERP_FAULT:
		rc = interp_deliver(c);
		if (rc == INTERP_HALT)
			return shutdown_exit(exit);
		if (rc == INTERP_EXIT) {
			*exit = c->io.exit;
			return STEP_STOP;
		}
		return STEP_CONTINUE;
	case INTERP_EXIT:
		*exit = c->io.exit;
		return STEP_STOP;
	case INTERP_HALT:
		c->halted = true;
		exit->reason = VM_EXIT_HLT;
		return STEP_STOP;
	default:
		return STEP_CONTINUE;
	}
}

/* Execute one instruction (no event handling). */
static enum step_result exec_one(struct cpu *c, struct vm_exit *exit)
{
	unsigned idx = 0;
	int rc = fetch(c, &idx);

	if (rc == INTERP_OK) {
		bool tf = c->s.rflags & X86_RFLAGS_TF;
		rc = dc_head_at(c->dc, idx)->fn(c, dc_insn_at(c->dc, idx));
		if (rc == INTERP_OK) {
			c->stats.insns++;
			if (tf && cpu_deliver_step_trap(c) == INTERP_HALT)
				return shutdown_exit(exit);
			return STEP_CONTINUE;
		}
		if (rc == INTERP_HALT)
			c->stats.insns++;
	}
	return finish_slow(c, rc, exit);
}

enum event_result {
	EVENT_NONE,      /* nothing happened: execute the next instruction */
	EVENT_DELIVERED, /* an interrupt was delivered */
	EVENT_STOP,      /* *exit is filled */
};

/* The work CPU_EV_* flags ask for at an instruction boundary. */
static enum event_result handle_events(struct cpu *c, struct vm_exit *exit, bool kicks)
{
	uint32_t ev = __atomic_load_n(&c->events, __ATOMIC_RELAXED);

	if (ev & CPU_EV_EXIT) {
		cpu_ev_clear(c, CPU_EV_EXIT);
		*exit = c->io.exit;
		return EVENT_STOP;
	}
	if ((ev & CPU_EV_KICK) && kicks) {
		cpu_ev_clear(c, CPU_EV_KICK);
		exit->reason = VM_EXIT_KICK;
		return EVENT_STOP;
	}
	if (ev & CPU_EV_SHADOW) {
		cpu_ev_clear(c, CPU_EV_SHADOW); /* blocks interrupts at this boundary */
		return EVENT_NONE;
	}
	if (!(c->s.rflags & X86_RFLAGS_IF))
		return EVENT_NONE;
	if (ev & CPU_EV_IRQ) {
		uint8_t vector = c->s.pending.vector;
		cpu_ev_clear(c, CPU_EV_IRQ);
		c->s.pending = (struct x86_event){.kind = X86_EVENT_NONE};
		int rc = cpu_deliver_extint(c, vector);
		if (rc == INTERP_HALT) {
			shutdown_exit(exit);
			return EVENT_STOP;
		}
		if (rc == INTERP_EXIT) {
			*exit = c->io.exit;
			return EVENT_STOP;
		}
		return EVENT_DELIVERED;
	}
	if (ev & CPU_EV_WINDOW) {
		cpu_ev_clear(c, CPU_EV_WINDOW);
		exit->reason = VM_EXIT_IRQ_WINDOW;
		return EVENT_STOP;
	}
	return EVENT_NONE;
}

/*
 * run_loop - execute until something needs the core.  The hot path is a
 * fetch from the caches and a call through the entry's handler pointer;
 * everything else (events, faults, exits, single-step) leaves it.
 */
static void run_loop(struct cpu *c, struct vm_exit *exit)
{
	const struct decode_cache *dc = c->dc;
	uint64_t retired = 0; /* added to the counter when the loop ends */

	for (;;) {
		if (__builtin_expect(__atomic_load_n(&c->events, __ATOMIC_RELAXED) != 0,
		                     0)) {
			if (handle_events(c, exit, true) == EVENT_STOP)
				break;
			if (c->halted) { /* still waiting: no interrupt it can take */
				exit->reason = VM_EXIT_HLT;
				break;
			}
			if (cpu_ev_test(c, CPU_EV_SINGLESTEP)) {
				if (exec_one(c, exit) == STEP_STOP)
					break;
				continue;
			}
		}
		int idx = fetch_fast(c);
		if (__builtin_expect(idx >= 0, 1)) {
			int rc = dc->head[idx].fn(c, &dc->insn[idx]);
			if (__builtin_expect(rc == INTERP_OK, 1)) {
				retired++;
				continue;
			}
			if (rc == INTERP_HALT)
				retired++;
			if (finish_slow(c, rc, exit) == STEP_STOP)
				break;
			continue;
		}
		if (exec_one(c, exit) == STEP_STOP)
			break;
	}
	c->stats.insns += retired;
}

/*
 * complete_read - the core has filled the data of the read exit we
 * returned: run that instruction again now, before any event, so it
 * consumes the data (as KVM completes an MMIO or IN on the next KVM_RUN).
 * Returns true if the instruction stopped again (*exit filled).
 */
static bool complete_read(struct cpu *c, struct vm_exit *exit)
{
	struct cpu_io *io = &c->io;
	const struct vm_exit *e = &io->exit;
	struct cpu_io_done *d = &io->done[io->ndone++];
	enum step_result r;

	d->kind = e->reason == VM_EXIT_IO ? CPU_IO_PIO : CPU_IO_MMIO;
	d->addr = e->reason == VM_EXIT_IO ? e->io.port : e->mmio.addr;
	d->size = e->reason == VM_EXIT_IO ? e->io.size : e->mmio.len;
	d->data = 0;
	memcpy(&d->data, io->data, d->size);
	io->read_pending = false;
	io->cursor = 0;
	r = exec_one(c, exit);
	if (!io->read_pending)
		io->ndone = 0;
	if (r == STEP_STOP)
		return true;
	if (cpu_ev_test(c, CPU_EV_EXIT)) {
		cpu_ev_clear(c, CPU_EV_EXIT);
		*exit = io->exit;
		return true;
	}
	return false;
}

/*
 * enter_checks - start of run()/interp_step(): a shutdown, a read to
 * complete (*stepped: that instruction ran), a halt.  True if the caller
 * must return with *exit.
 */
static bool enter_checks(struct cpu *c, struct vm_exit *exit, bool *stepped)
{
	*stepped = false;
	if (c->shutdown) {
		exit->reason = VM_EXIT_SHUTDOWN;
		return true;
	}
	if (c->io.read_pending) {
		*stepped = true;
		if (complete_read(c, exit))
			return true;
	}
	if (c->halted && !(cpu_ev_test(c, CPU_EV_IRQ) && (c->s.rflags & X86_RFLAGS_IF))) {
		exit->reason = VM_EXIT_HLT;
		return true;
	}
	return false;
}

int interp_exec_run(struct cpu *c, struct vm_exit *exit)
{
	bool stepped;

	if (!enter_checks(c, exit, &stepped))
		run_loop(c, exit);
	return 0;
}

int interp_step(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct cpu *c = interp_cpu(vcpu);
	bool stepped;

	if (!c)
		return -EINVAL;
	memset(exit, 0, sizeof(*exit));
	if (enter_checks(c, exit, &stepped) || stepped)
		return 0;
	if (c->events) {
		enum event_result r = handle_events(c, exit, false);
		if (r != EVENT_NONE || c->halted)
			return 0;
	}
	if (exec_one(c, exit) == STEP_STOP)
		return 0;
	if (cpu_ev_test(c, CPU_EV_EXIT)) {
		cpu_ev_clear(c, CPU_EV_EXIT);
		*exit = c->io.exit;
	}
	return 0;
}
