/*
 * test_interp_unicorn.c - the reference interpreter (bt/interp*.c)
 * against Unicorn, one instruction at a time, on random user-level
 * instruction streams.
 *
 *   interp_gen*.c      a stream: code, starting registers, data and stack
 *        |             (every instruction's length checked against our
 *        |              decoder and Capstone before it runs)
 *        +--> interp_machine.c   trapeze VM, interp engine, CPL 3
 *        +--> uc_ref.c           Unicorn, flat memory, CPL 0
 *   step both -> compare 16 GPRs, RIP, RFLAGS (undefined flags masked),
 *                the data and stack windows, and the exception raised
 *
 * A difference the manual explains but the two CPUs resolve differently
 * is matched against the allow-list below (each entry names the SDM's
 * rule); the two sides are then put back in step and the stream goes on.
 * Any other difference fails the test with the instruction, the state
 * before, both states after and a one-line reproducer.  docs/differential.md
 * describes the contract, the masks and the entries.
 *
 * Knobs: TRAPEZE_UC_INSNS (instructions to compare, default
 * DEFAULT_INSNS), TRAPEZE_UC_SEED, TRAPEZE_UC_CASE (run one stream and
 * trace it), TRAPEZE_UC_VERBOSE (print every allowed difference).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "bt/decode.h"
#include "core/engine.h"
#include "interp_capstone.h"
#include "interp_gen.h"
#include "interp_machine.h"
#include "uc_ref.h"

#define DEFAULT_INSNS 150000
#define DEFAULT_SEED 0x74726170657a65ull
#define SNIPPETS_PER_STREAM 48
#define MAX_REP_STEPS 4096  /* steps one REP instruction (or a tight LOOP) may take */
#define MAX_STREAM_STEPS 8192
#define MAX_DETAILED 6      /* mismatches printed in full */
#define MAX_LISTED 40       /* then one line each */
#define STRAY_CHECK_EVERY 64 /* streams between whole-user-page comparisons */
#define END_PAD 16          /* HLT bytes after a stream's code */
#define GUARD 64            /* zero bytes either side of a window, compared with it */

#define RFL_CF (1ull << 0)
#define RFL_PF (1ull << 2)
#define RFL_AF (1ull << 4)
#define RFL_ZF (1ull << 6)
#define RFL_SF (1ull << 7)
#define RFL_OF (1ull << 11)
#define RFL_STATUS (RFL_CF | RFL_PF | RFL_AF | RFL_ZF | RFL_SF | RFL_OF)

static const char *const gpr_names[DIFF_NR_GPRS] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15",
};

/* ---- one executed instruction ---------------------------------------------------- */

struct insn_meta {
	struct x86_insn in;  /* our decoder's reading */
	struct icap_info cap;
};

/* The two sides after one instruction, and how they differ. */
struct step {
	const struct insn_meta *m;
	unsigned cls;            /* enum gen_class */
	struct diff_regs pre, uc, im;
	int uc_fault, im_fault;  /* vectors, or DIFF_NO_FAULT */
	const char *uc_err;      /* Unicorn's error text, if any */
	int im_exit;             /* interp_step's exit reason */
	/* differences, after masking */
	uint64_t undef_flags;    /* RFLAGS bits not compared */
	uint32_t undef_gprs;     /* GPRs not compared */
	uint32_t gprs;           /* differing GPRs, one bit each */
	bool rip;
	uint64_t flags;          /* differing RFLAGS bits */
	long mem_at;             /* first differing byte (offset in the user page), or -1 */
	unsigned mem_n;
	bool fault;              /* the exceptions differ */
	const char *frame;       /* a wrong exception frame: what is wrong */
};

static bool step_differs(const struct step *st)
{
	return st->gprs || st->rip || st->flags || st->mem_at >= 0 || st->fault || st->frame;
}

/* ---- masks: what the SDM leaves undefined ---------------------------------------- */

static bool is_shift(enum x86_mnemonic mn)
{
	return mn == X86_I_ROL || mn == X86_I_ROR || mn == X86_I_RCL || mn == X86_I_RCR ||
	       mn == X86_I_SHL || mn == X86_I_SAL || mn == X86_I_SHR || mn == X86_I_SAR ||
	       mn == X86_I_SHLD || mn == X86_I_SHRD;
}

/* The count operand of a shift as the CPU masks it (SDM: 5 bits, 6 with
 * a 64-bit operand). */
static unsigned shift_count(const struct x86_insn *in, const struct diff_regs *pre)
{
	const struct x86_operand *o = &in->opnd[in->nopnds - 1];
	unsigned mask = in->opsize == 8 ? 63 : 31;
	uint64_t n;

	if (o->kind == X86_OPND_IMM)
		n = o->imm;
	else if (o->kind == X86_OPND_REG)
		n = pre->gpr[X86_RCX];
	else
		n = 1;
	if (in->nopnds < 2)
		n = 1;
	return (unsigned)(n & mask);
}

/*
 * The status flags a shift or rotate leaves undefined, by the SDM's
 * count rules (Capstone's tables do not depend on the count):
 *   masked count 0        no flag changes: every flag is compared
 *   count != 1            OF undefined
 *   SHL/SHR/SAR/SHLD/SHRD AF undefined
 *   SHL/SHR count >= width (8- and 16-bit operands) CF undefined
 */
static uint64_t shift_undefined(const struct x86_insn *in, const struct diff_regs *pre)
{
	enum x86_mnemonic mn = x86_insn_mnemonic(in);
	unsigned n = shift_count(in, pre), bits = in->opsize * 8;
	uint64_t u = 0;
	bool rotate = mn == X86_I_ROL || mn == X86_I_ROR || mn == X86_I_RCL || mn == X86_I_RCR;

	if (n == 0)
		return 0;
	if (n != 1)
		u |= RFL_OF;
	if (!rotate)
		u |= RFL_AF;
	if ((mn == X86_I_SHL || mn == X86_I_SAL || mn == X86_I_SHR) && n >= bits)
		u |= RFL_CF;
	return u;
}

/* The destination register of in, if it is one (bit), else 0. */
static uint32_t dest_gpr(const struct x86_insn *in)
{
	const struct x86_operand *o = &in->opnd[0];

	if (in->nopnds == 0 || o->kind != X86_OPND_REG)
		return 0;
	if (o->reg.cls == X86_RC_GPR || o->reg.cls == X86_RC_GPR8H)
		return 1u << o->reg.num;
	return 0;
}

static void undefined_masks(struct step *st)
{
	const struct x86_insn *in = &st->m->in;
	enum x86_mnemonic mn = x86_insn_mnemonic(in);

	st->undef_flags = is_shift(mn) ? shift_undefined(in, &st->pre) : st->m->cap.undefined;
	/* Capstone 4 counts IMUL's SF as written; the SDM leaves SF, ZF, AF
	 * and PF undefined after every form of IMUL */
	if (mn == X86_I_IMUL)
		st->undef_flags |= RFL_SF | RFL_ZF | RFL_AF | RFL_PF;
	st->undef_gprs = 0;
	/* BSF/BSR with a zero source: the destination is undefined (SDM);
	 * ZF=1 says the source was zero. */
	if ((mn == X86_I_BSF || mn == X86_I_BSR) && (st->uc.rflags & RFL_ZF))
		st->undef_gprs = dest_gpr(in);
}

/* ---- the run ------------------------------------------------------------------- */

struct config {
	uint64_t seed;
	uint64_t insns;
	long one_case; /* -1: all */
	bool verbose;
};

struct run {
	struct config cfg;
	struct imach *im;
	struct uc_ref *uc;
	struct icap *cap;
	uint8_t *uc_mem;  /* Unicorn's user page */
	uint8_t *im_mem;  /* the interpreter's */
	struct gen_stream *st;
	struct insn_meta *meta;
	int16_t *at;      /* code offset -> instruction index, or -1 */
	/* counts */
	uint64_t compared, streams, faults_both[IMACH_VECTORS];
	uint64_t by_class[GEN_C_COUNT];
	unsigned mismatches, failures;
	uint32_t last_stream_code; /* code bytes the last stream wrote */
};

/* ---- the allow-list ---------------------------------------------------------------- */

/*
 * A difference both CPUs may legitimately show: match() recognises it,
 * rule names the manual's rule, hits counts it.  An entry must be as
 * narrow as the rule it cites.
 */
struct allow {
	const char *id;
	bool (*match)(const struct run *r, const struct step *st);
	const char *rule;
	unsigned long hits;
};

/* Nothing differs but the registers in `gprs`. */
static bool only_gprs(const struct step *st, uint32_t gprs)
{
	return st->gprs && !(st->gprs & ~gprs) && !st->rip && !st->flags && st->mem_at < 0 &&
	       !st->fault && !st->frame;
}

static bool only_flags(const struct step *st)
{
	return st->flags && !st->gprs && !st->rip && st->mem_at < 0 && !st->fault && !st->frame;
}

/*
 * Unicorn bug: SHLD/SHRD Ev,Gv,Ib with a RIP-relative memory operand.
 * RIP-relative addresses count from the end of the instruction (SDM Vol.
 * 2, 2.2.1.6), imm8 included; QEMU 5 forms the address before it knows
 * an imm8 follows and reads and writes one byte too low.
 */
static bool uc_shxd_rip_imm8(const struct run *r, const struct step *st)
{
	const struct x86_insn *in = &st->m->in;
	enum x86_mnemonic mn = x86_insn_mnemonic(in);

	return (mn == X86_I_SHLD || mn == X86_I_SHRD) && in->opnd[0].kind == X86_OPND_MEM &&
	       in->opnd[0].mem.base == X86_RIPREG && in->opnd[2].kind == X86_OPND_IMM &&
	       !st->gprs && !st->rip && !st->fault;
}

/* Memory operand 0 of the step's instruction, in a user page copy. */
static uint64_t operand_value(const struct step *st, const uint8_t *mem)
{
	const struct x86_insn *in = &st->m->in;
	uint64_t ea = x86_mem_offset(in, &in->opnd[0].mem, st->pre.gpr, st->pre.rip), v = 0;

	if (ea >= GEN_USER_BASE && ea + in->opsize <= GEN_USER_BASE + GEN_USER_SIZE)
		memcpy(&v, mem + (ea - GEN_USER_BASE), in->opsize);
	return v;
}

/*
 * Unicorn bug: LOCK NEG m computes the flags from the value it wrote,
 * negated once more.  The SDM's NEG sets CF = (source != 0) and OF, SF,
 * ZF, AF, PF from 0 - source; the interpreter's flags are checked against
 * that rule here, so the entry does not hide an interpreter bug.
 */
static bool uc_lock_neg_flags(const struct run *r, const struct step *st)
{
	const struct x86_insn *in = &st->m->in;
	unsigned bits = in->opsize * 8;
	uint64_t m = bits == 64 ? ~0ull : (1ull << bits) - 1, sign = 1ull << (bits - 1);
	uint64_t res, src, want = 0;

	if (x86_insn_mnemonic(in) != X86_I_NEG || !in->lock || !only_flags(st))
		return false;
	res = operand_value(st, r->im_mem) & m;
	src = (0 - res) & m;
	want |= src ? RFL_CF : 0;
	want |= src == sign ? RFL_OF : 0;
	want |= res & sign ? RFL_SF : 0;
	want |= res ? 0 : RFL_ZF;
	want |= (src & 0xf) ? RFL_AF : 0;
	want |= __builtin_parity((unsigned)(res & 0xff)) ? 0 : RFL_PF;
	return (st->im.rflags & RFL_STATUS) == want;
}

/*
 * Unicorn bug: 32-bit CMPXCHG writes back a register it must not touch.
 * Succeeding, CMPXCHG writes only the destination, so RAX keeps its upper
 * half; failing, it loads EAX, and a register destination is not written
 * at all, so that register keeps its upper half (hardware behaviour; QEMU
 * 7 fixed both).  QEMU 5 writes the register anyway and zero-extends it.
 */
static bool uc_cmpxchg32_upper(const struct run *r, const struct step *st)
{
	const struct x86_insn *in = &st->m->in;
	bool ok = st->uc.rflags & RFL_ZF;
	uint32_t d = ok ? 1u << X86_RAX : dest_gpr(in);
	unsigned n = d ? (unsigned)__builtin_ctz(d) : 0;

	return x86_insn_mnemonic(in) == X86_I_CMPXCHG && in->opsize == 4 && d &&
	       only_gprs(st, d) && st->uc.gpr[n] == (uint32_t)st->pre.gpr[n] &&
	       st->im.gpr[n] == st->pre.gpr[n];
}

static struct allow allow_list[] = {
	{ "unicorn: shld/shrd rip+imm8", uc_shxd_rip_imm8,
	  "RIP-relative displacement counts from the end of the instruction", 0 },
	{ "unicorn: lock neg flags", uc_lock_neg_flags,
	  "NEG: CF = (src != 0); OF SF ZF AF PF from the result", 0 },
	{ "unicorn: cmpxchg32 upper half", uc_cmpxchg32_upper,
	  "CMPXCHG writes RAX only on failure, a register destination only on success", 0 },
	{ NULL, NULL, NULL, 0 },
};

static struct allow *allowed(const struct run *r, const struct step *st)
{
	for (struct allow *a = allow_list; a->id; a++)
		if (a->match(r, st))
			return a;
	return NULL;
}

/* ---- setting up and loading a stream ----------------------------------------------- */

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);
	return v && *v ? strtoull(v, NULL, 0) : dflt;
}

static void read_config(struct config *c)
{
	const char *one = getenv("TRAPEZE_UC_CASE");

	c->seed = env_u64("TRAPEZE_UC_SEED", DEFAULT_SEED);
	c->insns = env_u64("TRAPEZE_UC_INSNS", DEFAULT_INSNS);
	c->one_case = one && *one ? strtol(one, NULL, 0) : -1;
	c->verbose = env_u64("TRAPEZE_UC_VERBOSE", 0) != 0;
}

static void reproducer(const struct run *r)
{
	print_message("    reproduce: TRAPEZE_UC_SEED=%#llx TRAPEZE_UC_CASE=%u "
	              "build/tests/test_interp_unicorn\n",
	              (unsigned long long)r->cfg.seed, r->st->index);
}

/*
 * Decode every instruction of the stream with our decoder and Capstone;
 * both must agree with the encoder on its length.  Fills r->meta, r->at.
 */
static bool check_stream(struct run *r)
{
	const struct gen_stream *s = r->st;

	memset(r->at, 0xff, GEN_CODE_SIZE * sizeof(*r->at));
	for (unsigned i = 0; i < s->ninsn; i++) {
		const struct gen_insn *gi = &s->insn[i];
		struct insn_meta *m = &r->meta[i];
		const uint8_t *b = s->code + gi->off;
		int rc = x86_decode(b, gi->len, X86_MODE_64, &m->in);
		bool cap = icap_describe(r->cap, b, gi->len, GEN_CODE_BASE + gi->off, &m->cap);

		if (rc != X86_DECODE_OK || m->in.len != gi->len || !cap || m->cap.len != gi->len) {
			char hex[3 * X86_MAX_INSN_LEN + 1] = "";
			for (unsigned k = 0; k < gi->len; k++)
				snprintf(hex + 3 * k, 4, "%02x ", b[k]);
			print_error("generator: stream %u insn %u (%s): %s: encoder %u bytes, "
			            "decoder %s/%u, capstone %s/%u\n", s->index, i,
			            gen_class_name(gi->cls), hex, gi->len,
			            rc == X86_DECODE_OK ? "ok" : "rejects", m->in.len,
			            cap ? m->cap.text : "rejects", m->cap.len);
			return false;
		}
		r->at[gi->off] = (int16_t)i;
	}
	return true;
}

/* Put the stream into both machines' memory and registers. */
static bool load_stream(struct run *r)
{
	const struct gen_stream *s = r->st;
	struct diff_regs regs;
	uint32_t code = s->code_len + END_PAD;
	uint32_t span = code > r->last_stream_code ? code : r->last_stream_code;
	uint8_t *mems[2] = { r->uc_mem, r->im_mem };

	for (unsigned i = 0; i < 2; i++) {
		uint8_t *u = mems[i];
		memset(u, 0xf4, span); /* HLT after the code: running off the end shows */
		memcpy(u, s->code, s->code_len);
		memset(u + (GEN_DATA_BASE - GEN_USER_BASE) - GUARD, 0, GEN_DATA_SIZE + 2 * GUARD);
		memset(u + (GEN_STACK_BASE - GEN_USER_BASE) - GUARD, 0, GEN_STACK_SIZE + 2 * GUARD);
		memcpy(u + (GEN_DATA_BASE - GEN_USER_BASE), s->data, GEN_DATA_SIZE);
		memcpy(u + (GEN_STACK_BASE - GEN_USER_BASE), s->stack, GEN_STACK_SIZE);
	}
	r->last_stream_code = code;
	memcpy(regs.gpr, s->gpr, sizeof(regs.gpr));
	regs.rip = GEN_CODE_BASE;
	regs.rflags = s->rflags;
	imach_code_changed(r->im, GEN_CODE_BASE, span);
	if (imach_load(r->im, &regs) || uc_ref_reset(r->uc, &regs)) {
		print_error("cannot load stream %u into a machine\n", s->index);
		return false;
	}
	return true;
}

/* Step Unicorn until RIP leaves the instruction (REP runs one iteration
 * per step) or it faults. */
static void step_unicorn(struct run *r, struct step *st)
{
	struct uc_ref_step res;
	unsigned n = 0;

	do {
		uc_ref_step(r->uc, &res);
		uc_ref_get(r->uc, &st->uc);
	} while (st->uc.rip == st->pre.rip && res.fault == DIFF_NO_FAULT && !res.err &&
	         ++n < MAX_REP_STEPS);
	st->uc_fault = res.fault;
	st->uc_err = res.err ? res.why : NULL;
}

/* The same for the interpreter (a REP chunk may cover several iterations). */
static void step_interp(struct run *r, struct step *st)
{
	struct imach_step res;
	unsigned n = 0;

	do {
		imach_step(r->im, &res);
		imach_get(r->im, &st->im);
	} while (st->im.rip == st->pre.rip && res.fault == DIFF_NO_FAULT && !res.rc &&
	         res.exit_reason == 0 && ++n < MAX_REP_STEPS);
	st->im_fault = res.fault;
	st->im_exit = res.rc ? -1 : res.exit_reason;
}

/* ---- comparing ------------------------------------------------------------------------- */

static void compare_window(const struct run *r, struct step *st, uint64_t base, unsigned size)
{
	size_t off = base - GEN_USER_BASE;

	if (!memcmp(r->uc_mem + off, r->im_mem + off, size))
		return;
	for (unsigned i = 0; i < size; i++) {
		if (r->uc_mem[off + i] == r->im_mem[off + i])
			continue;
		if (st->mem_at < 0)
			st->mem_at = (long)(off + i);
		st->mem_n++;
	}
}

static void compare_gprs(struct step *st, uint32_t skip)
{
	for (unsigned i = 0; i < DIFF_NR_GPRS; i++)
		if (!((skip >> i) & 1) && st->uc.gpr[i] != st->im.gpr[i])
			st->gprs |= 1u << i;
}

/*
 * Both raised the same exception.  Unicorn stops on the instruction; the
 * interpreter is in the handler with a frame on the kernel stack.  No
 * GPR but RSP (now the kernel's) may have changed, and the frame must
 * describe the user state before the instruction (RF ignored: the SDM
 * sets it in the image of a fault).
 */
static void compare_fault(struct run *r, struct step *st)
{
	struct imach_frame f;
	const uint64_t rf = 1ull << 16;

	compare_gprs(st, 1u << X86_RSP);
	if (imach_frame(r->im, &f))
		st->frame = "cannot read the exception frame";
	else if (f.rip != st->pre.rip)
		st->frame = "frame RIP is not the faulting instruction";
	else if (f.rsp != st->pre.gpr[X86_RSP])
		st->frame = "frame RSP is not the user RSP";
	else if ((f.rflags ^ st->pre.rflags) & ~rf)
		st->frame = "frame RFLAGS differ from RFLAGS before the instruction";
	else if (f.cs != IMACH_USER_CS || f.ss != IMACH_USER_SS)
		st->frame = "frame CS/SS are not the user selectors";
}

static void compare(struct run *r, struct step *st)
{
	st->mem_at = -1;
	/* a write just outside a window shows at the instruction that made it */
	compare_window(r, st, GEN_DATA_BASE - GUARD, GEN_DATA_SIZE + 2 * GUARD);
	compare_window(r, st, GEN_STACK_BASE - GUARD, GEN_STACK_SIZE + 2 * GUARD);
	if (st->uc_fault != st->im_fault || st->im_exit != 0) {
		st->fault = true;
		return;
	}
	if (st->uc_fault != DIFF_NO_FAULT) {
		compare_fault(r, st);
		return;
	}
	undefined_masks(st);
	compare_gprs(st, st->undef_gprs);
	st->rip = st->uc.rip != st->im.rip;
	st->flags = (st->uc.rflags ^ st->im.rflags) & ~st->undef_flags;
}

/* ---- getting back in step --------------------------------------------------------------- */

/* After an exception both raised: skip the instruction on both. */
static void resync_skip(struct run *r, const struct step *st, struct diff_regs *cur)
{
	*cur = st->pre;
	cur->rip += st->m->in.len;
	uc_ref_recover(r->uc, cur);
	imach_load(r->im, cur);
}

/* After an allowed difference: the interpreter takes Unicorn's state. */
static void resync_to_unicorn(struct run *r, const struct step *st, struct diff_regs *cur)
{
	size_t data = GEN_DATA_BASE - GEN_USER_BASE - GUARD;
	size_t stack = GEN_STACK_BASE - GEN_USER_BASE - GUARD;

	memcpy(r->im_mem + data, r->uc_mem + data, GEN_DATA_SIZE + 2 * GUARD);
	memcpy(r->im_mem + stack, r->uc_mem + stack, GEN_STACK_SIZE + 2 * GUARD);
	*cur = st->uc;
	imach_load(r->im, cur);
}

/* ---- reports --------------------------------------------------------------------------------- */

static const char *flag_names(uint64_t f, char *buf, size_t len)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} names[] = {
		{ RFL_CF, "CF" },     { RFL_PF, "PF" },     { RFL_AF, "AF" },
		{ RFL_ZF, "ZF" },     { RFL_SF, "SF" },     { 1ull << 8, "TF" },
		{ 1ull << 9, "IF" },  { 1ull << 10, "DF" }, { RFL_OF, "OF" },
		{ 3ull << 12, "IOPL" }, { 1ull << 14, "NT" }, { 1ull << 16, "RF" },
		{ 1ull << 18, "AC" }, { 1ull << 21, "ID" },
	};
	size_t n = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((f & names[i].bit) && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " " : "", names[i].name);
	if (!n)
		snprintf(buf, len, "-");
	return buf;
}

static const char *fault_name(int v, int exit_reason)
{
	static char buf[32];

	if (exit_reason < 0)
		return "interp_step failed";
	if (exit_reason > 0) {
		snprintf(buf, sizeof(buf), "stopped: %s",
		         vm_exit_reason_name((enum vm_exit_reason)exit_reason));
		return buf;
	}
	if (v == DIFF_NO_FAULT)
		return "none";
	return x86_vector_name((unsigned)v) ? x86_vector_name((unsigned)v) : "?";
}

/* Our decoder's text for the step's instruction (x86_insn_format). */
static const char *ours(const struct step *st, char *buf, size_t len)
{
	x86_insn_format(&st->m->in, st->pre.rip, buf, len);
	return buf;
}

static void print_insn(const struct run *r, const struct step *st)
{
	const struct x86_insn *in = &st->m->in;
	char hex[3 * X86_MAX_INSN_LEN + 1], text[96];

	for (unsigned k = 0; k < in->len; k++)
		snprintf(hex + 3 * k, 4, "%02x ", in->bytes[k]);
	print_message("    insn   %#llx: %-30s ours \"%s\"  capstone \"%s\"  [%s]\n",
	              (unsigned long long)st->pre.rip, hex, ours(st, text, sizeof(text)),
	              st->m->cap.text,
	              gen_class_name((enum gen_class)st->cls));
}

static void print_regs(const struct step *st)
{
	char a[64], b[64], c[64];

	print_message("    %-6s %-18s %-18s %-18s\n", "", "before", "unicorn", "interp");
	for (unsigned i = 0; i < DIFF_NR_GPRS; i++)
		print_message("    %-6s %#018llx %#018llx %#018llx%s\n", gpr_names[i],
		              (unsigned long long)st->pre.gpr[i], (unsigned long long)st->uc.gpr[i],
		              (unsigned long long)st->im.gpr[i],
		              (st->gprs >> i) & 1 ? "  <<" : (st->undef_gprs >> i) & 1 ? "  (undefined)" : "");
	print_message("    %-6s %#018llx %#018llx %#018llx%s\n", "rip",
	              (unsigned long long)st->pre.rip, (unsigned long long)st->uc.rip,
	              (unsigned long long)st->im.rip, st->rip ? "  <<" : "");
	print_message("    %-6s %#018llx %#018llx %#018llx%s\n", "rflags",
	              (unsigned long long)st->pre.rflags, (unsigned long long)st->uc.rflags,
	              (unsigned long long)st->im.rflags, st->flags ? "  <<" : "");
	print_message("    flags  before [%s]  unicorn [%s]  interp [%s]\n",
	              flag_names(st->pre.rflags, a, sizeof(a)),
	              flag_names(st->uc.rflags, b, sizeof(b)),
	              flag_names(st->im.rflags, c, sizeof(c)));
	print_message("    differing flags [%s], undefined (not compared) [%s]\n",
	              flag_names(st->flags, a, sizeof(a)), flag_names(st->undef_flags, b, sizeof(b)));
}

static void print_memory(const struct run *r, const struct step *st)
{
	unsigned shown = 0;

	if (st->mem_at < 0)
		return;
	print_message("    memory differs in %u byte(s):", st->mem_n);
	for (long i = st->mem_at; i < (long)GEN_USER_SIZE && shown < 8; i++) {
		if (r->uc_mem[i] == r->im_mem[i])
			continue;
		print_message(" [%#llx] uc %02x interp %02x;",
		              (unsigned long long)(GEN_USER_BASE + (uint64_t)i), r->uc_mem[i],
		              r->im_mem[i]);
		shown++;
	}
	print_message("\n");
}

/* Print a difference: in full for the first few, then one line each. */
static void report(struct run *r, const struct step *st, const char *what, unsigned nth)
{
	char text[96];

	if (nth > MAX_LISTED)
		return;
	if (nth > MAX_DETAILED) {
		print_message("%s: stream %u at %#llx: %s (%s)\n", what, r->st->index,
		              (unsigned long long)st->pre.rip, ours(st, text, sizeof(text)),
		              st->m->cap.text);
		return;
	}
	print_message("%s: stream %u, instruction at %#llx\n", what, r->st->index,
	              (unsigned long long)st->pre.rip);
	print_insn(r, st);
	print_message("    exception: unicorn %s%s%s, interp %s\n",
	              fault_name(st->uc_fault, 0), st->uc_err ? " / " : "",
	              st->uc_err ? st->uc_err : "", fault_name(st->im_fault, st->im_exit));
	if (st->frame)
		print_message("    exception frame: %s\n", st->frame);
	print_regs(st);
	print_memory(r, st);
	reproducer(r);
}

static void trace(const struct step *st)
{
	char f[64];

	print_message("  %#llx  %-36s", (unsigned long long)st->pre.rip, st->m->cap.text);
	for (unsigned i = 0; i < DIFF_NR_GPRS; i++)
		if (st->uc.gpr[i] != st->pre.gpr[i])
			print_message(" %s=%#llx", gpr_names[i], (unsigned long long)st->uc.gpr[i]);
	print_message(" [%s]%s\n", flag_names(st->uc.rflags & RFL_STATUS, f, sizeof(f)),
	              step_differs(st) ? "  DIFFERS" : "");
}

/* ---- running a stream ---------------------------------------------------------------------- */

enum stream_result { STREAM_OK, STREAM_MISMATCH, STREAM_BROKEN };

/* Execute and compare the instruction at cur->rip; false on a mismatch. */
static bool run_one(struct run *r, struct diff_regs *cur, int idx)
{
	struct step st;
	struct allow *a;

	memset(&st, 0, sizeof(st));
	st.pre = *cur;
	st.m = &r->meta[idx];
	st.cls = r->st->insn[idx].cls;
	step_unicorn(r, &st);
	step_interp(r, &st);
	compare(r, &st);
	r->compared++;
	r->by_class[st.cls]++;
	if (r->cfg.one_case >= 0)
		trace(&st);
	if (!step_differs(&st)) {
		if (st.uc_fault == DIFF_NO_FAULT) {
			/* undefined flags or registers may differ: carry
			 * Unicorn's over, or the next instruction would see them */
			if (memcmp(&st.uc, &st.im, sizeof(st.uc)))
				imach_put(r->im, &st.uc);
			*cur = st.uc;
			return true;
		}
		r->faults_both[st.uc_fault & (IMACH_VECTORS - 1)]++;
		resync_skip(r, &st, cur);
		return true;
	}
	a = allowed(r, &st);
	if (!a) {
		report(r, &st, "MISMATCH", ++r->mismatches);
		return false;
	}
	a->hits++;
	if (r->cfg.verbose) {
		char what[64];
		snprintf(what, sizeof(what), "allowed (%s)", a->id);
		report(r, &st, what, 1);
	}
	resync_to_unicorn(r, &st, cur);
	return true;
}

/*
 * A write far outside the compared windows shows here, every few streams
 * (reported once: the interpreter's page is then made Unicorn's again).
 */
static bool stray_writes(struct run *r)
{
	for (size_t i = 0; i < GEN_USER_SIZE; i++) {
		if (r->uc_mem[i] == r->im_mem[i])
			continue;
		print_error("memory differs outside the compared windows at %#llx, found after "
		            "stream %u (uc %02x, interp %02x)\n",
		            (unsigned long long)(GEN_USER_BASE + i), r->st->index, r->uc_mem[i],
		            r->im_mem[i]);
		memcpy(r->im_mem, r->uc_mem, GEN_USER_SIZE);
		return true;
	}
	return false;
}

static enum stream_result run_stream(struct run *r, unsigned index)
{
	char err[256];
	struct diff_regs cur;
	uint64_t end;

	if (gen_stream_build(r->st, r->cfg.seed, index, SNIPPETS_PER_STREAM, err,
	                     sizeof(err))) {
		print_error("generator: %s\n", err);
		return STREAM_BROKEN;
	}
	if (!check_stream(r) || !load_stream(r))
		return STREAM_BROKEN;
	r->streams++;
	end = GEN_CODE_BASE + r->st->code_len;
	imach_get(r->im, &cur);
	for (unsigned steps = 0; cur.rip != end; steps++) {
		uint64_t off = cur.rip - GEN_CODE_BASE;
		int idx = off < r->st->code_len ? r->at[off] : -1;

		if (idx < 0 || steps >= MAX_STREAM_STEPS) {
			print_error("generator: stream %u went to %#llx after %u steps (not an "
			            "instruction of the stream, or no end)\n", index,
			            (unsigned long long)cur.rip, steps);
			return STREAM_BROKEN;
		}
		if (!run_one(r, &cur, idx))
			return STREAM_MISMATCH;
	}
	if (index % STRAY_CHECK_EVERY == 0 && stray_writes(r))
		return STREAM_BROKEN;
	return STREAM_OK;
}

/* ---- the test ----------------------------------------------------------------------------------- */

static void summary(const struct run *r, double secs)
{
	print_message("interp vs %s: seed %#llx, %llu instructions compared in %llu streams, "
	              "%.1f s\n", uc_ref_version(), (unsigned long long)r->cfg.seed,
	              (unsigned long long)r->compared, (unsigned long long)r->streams, secs);
	print_message("  by class:");
	for (unsigned c = 0; c < GEN_C_COUNT; c++)
		print_message(" %s %llu", gen_class_name((enum gen_class)c),
		              (unsigned long long)r->by_class[c]);
	print_message("\n  exceptions raised on both:");
	for (unsigned v = 0; v < IMACH_VECTORS; v++)
		if (r->faults_both[v])
			print_message(" %s %llu", x86_vector_name(v) ? x86_vector_name(v) : "?",
			              (unsigned long long)r->faults_both[v]);
	print_message("\n");
	for (const struct allow *a = allow_list; a->id; a++)
		print_message("  allowed %-30s %6lu  (%s)\n", a->id, a->hits, a->rule);
	print_message("  mismatches: %u, broken streams: %u\n", r->mismatches, r->failures);
}

static bool open_run(struct run *r, char *why, size_t len)
{
	read_config(&r->cfg);
	r->im = imach_create(why, len);
	if (!r->im)
		return false;
	r->im_mem = imach_user(r->im);
	r->uc_mem = aligned_alloc(4096, GEN_USER_SIZE);
	r->st = malloc(sizeof(*r->st));
	r->meta = calloc(GEN_MAX_INSNS, sizeof(*r->meta));
	r->at = calloc(GEN_CODE_SIZE, sizeof(*r->at));
	r->cap = icap_open();
	if (!r->uc_mem || !r->st || !r->meta || !r->at || !r->cap) {
		snprintf(why, len, "out of memory, or Capstone failed");
		return false;
	}
	memset(r->uc_mem, 0, GEN_USER_SIZE);
	memset(r->im_mem, 0, GEN_USER_SIZE);
	r->uc = uc_ref_open(r->uc_mem, GEN_USER_BASE, GEN_USER_SIZE, why, len);
	return r->uc != NULL;
}

static void close_run(struct run *r)
{
	uc_ref_close(r->uc);
	icap_close(r->cap);
	imach_destroy(r->im);
	free(r->uc_mem);
	free(r->st);
	free(r->meta);
	free(r->at);
	free(r);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void interp_matches_unicorn(void **state)
{
	struct run *r = calloc(1, sizeof(*r));
	char why[256] = "";
	double t0;

	assert_non_null(r);
	if (!open_run(r, why, sizeof(why))) {
		bool no_unicorn = !uc_ref_available();
		close_run(r);
		if (no_unicorn) {
			print_message("skipping: %s\n", why);
			skip();
		}
		fail_msg("%s", why);
	}
	t0 = now_s();
	if (r->cfg.one_case >= 0) {
		if (run_stream(r, (unsigned)r->cfg.one_case) == STREAM_BROKEN)
			r->failures++;
	} else {
		for (unsigned i = 0; r->compared < r->cfg.insns; i++)
			if (run_stream(r, i) == STREAM_BROKEN)
				r->failures++;
	}
	summary(r, now_s() - t0);
	if (r->mismatches || r->failures) {
		unsigned m = r->mismatches, f = r->failures;
		close_run(r);
		fail_msg("%u mismatch(es) outside the allow-list, %u broken stream(s)", m, f);
	}
	close_run(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(interp_matches_unicorn),
	};

	return cmocka_run_group_tests_name("interpreter vs unicorn", tests, NULL, NULL);
}
