/*
 * test_decode_capstone.c - the decoder (bt/decode.c) against Capstone 4 on
 * random instructions.
 *
 * Two generators feed both decoders the same bytes: plain random bytes, and
 * a generator biased towards what the interpreter runs (random legal
 * prefixes, an opcode row taken from our tables, random ModRM/SIB/
 * displacement/immediate bytes).  Each runs in 64-bit, 32-bit (also what
 * compatibility mode decodes) and 16-bit mode.  Where both decoders accept
 * an instruction they must agree on its length, and for instructions we
 * describe fully, on the name, the operand count, kinds, sizes, registers,
 * address components and immediates.  Where one accepts and the other does
 * not, or they disagree, the case must fall in a documented class (the
 * `known` table below; docs/decoder.md explains each with the SDM's rule).
 * Anything else fails the test, printing the bytes and both readings.
 *
 * TRAPEZE_DIFF_ITERS sets the number of cases per generator and mode (the
 * default keeps `make test` short); TRAPEZE_DIFF_SEED changes the seed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>

#include "bt/decode.h"
#include "bt/decode_tables.h"
#include "capstone_ref.h"

#define DEFAULT_ITERS 150000
#define DEFAULT_SEED 0x7472617065ull
#define CASE_BYTES 16
#define BASE_ADDR 0x1000
#define MAX_GROUPS 256
#define EXAMPLES_PER_GROUP 3

/* ---- one case ---------------------------------------------------------------- */

struct diff_case {
	enum x86_mode mode;
	uint8_t bytes[CASE_BYTES];
	int ours;         /* x86_decode() result */
	struct x86_insn insn;
	bool ref_ok;      /* Capstone decoded it */
	struct ref_insn ref;
	const char *what; /* the first difference, when both decoded */
	int bad_opnd;     /* the operand it is in, or -1 */
};

static const struct x86_insn *ours_ok(const struct diff_case *c)
{
	return c->ours == X86_DECODE_OK ? &c->insn : NULL;
}

static enum x86_mnemonic our_mnem(const struct diff_case *c)
{
	return ours_ok(c) ? x86_insn_mnemonic(&c->insn) : X86_I_INVALID;
}

/* The row reached, even when decoding then failed (e.g. past 15 bytes). */
static enum x86_mnemonic row_mnem(const struct diff_case *c)
{
	return c->insn.entry ? (enum x86_mnemonic)c->insn.entry->mnem : X86_I_INVALID;
}

/* Ours went past 15 bytes where Capstone, reading a shorter form, did not. */
static bool too_long(const struct diff_case *c)
{
	return c->ours == X86_DECODE_GP && c->ref_ok;
}

static bool length_only(const struct diff_case *c)
{
	return ours_ok(c) && x86_insn_has(&c->insn, X86_F_LENGTH);
}

/* ---- comparing a case ---------------------------------------------------------- */

static uint64_t mask_to(uint64_t v, unsigned size)
{
	return size >= 8 || size == 0 ? v : v & ((1ull << (8 * size)) - 1);
}

/* Capstone's mnemonic with prefixes ("lock", "rep", "bnd", ...) removed. */
static const char *ref_base_name(const struct ref_insn *r)
{
	const char *last = strrchr(r->mnemonic, ' ');
	return last ? last + 1 : r->mnemonic;
}

/* Capstone spellings that differ from ours (GNU-style names for the same
 * instruction). */
static bool same_name(const struct diff_case *c)
{
	static const char *const alias[][2] = {
		{ "movabs", "mov" },   { "pushal", "pushad" }, { "pushaw", "pusha" },
		{ "popal", "popad" },  { "popaw", "popa" },     { "ud2b", "ud1" },
	};
	const char *theirs = ref_base_name(&c->ref), *mine = x86_insn_name(&c->insn);

	if (!strcmp(theirs, mine))
		return true;
	for (unsigned i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (!strcmp(theirs, alias[i][0]) && !strcmp(mine, alias[i][1]))
			return true;
	return false;
}

static const char *compare_mem(const struct diff_case *c, const struct x86_operand *o,
			       const struct ref_operand *r)
{
	const struct x86_mem *m = &o->mem;

	if (o->size && r->size != o->size)
		return "memory operand size";
	if (r->base != m->base || r->index != m->index)
		return "memory base/index";
	if (m->index != X86_NOREG && r->scale != m->scale)
		return "memory scale";
	if (mask_to((uint64_t)r->disp, m->addr_size) != mask_to((uint64_t)m->disp, m->addr_size))
		return "displacement";
	/* Capstone names explicit overrides, and ES for string destinations */
	if (r->seg != REF_NOREG && r->seg != c->insn.seg && r->seg != m->seg)
		return "segment";
	return NULL;
}

static const char *compare_operand(const struct diff_case *c, unsigned i)
{
	const struct x86_operand *o = &c->insn.opnd[i];
	const struct ref_operand *r = &c->ref.op[i];
	unsigned isz;

	switch (o->kind) {
	case X86_OPND_REG:
		if (r->kind != REF_OP_REG)
			return "operand kind";
		if (r->cls != o->reg.cls || r->num != o->reg.num)
			return "register";
		return r->size == o->size ? NULL : "register size";
	case X86_OPND_MEM:
		return r->kind != REF_OP_MEM ? "operand kind" : compare_mem(c, o, r);
	case X86_OPND_IMM:
		if (r->kind != REF_OP_IMM)
			return "operand kind";
		/* the encoded bits: Capstone extends some immediates differently */
		isz = o->size;
		return mask_to((uint64_t)r->imm, isz) == mask_to(o->imm, isz) ? NULL : "immediate";
	case X86_OPND_REL:
		if (r->kind != REF_OP_IMM)
			return "operand kind";
		return (uint64_t)r->imm == x86_insn_branch_target(&c->insn, BASE_ADDR)
			       ? NULL
			       : "branch target";
	}
	return "operand kind";
}

/* compare - the first difference between two successful decodes, or NULL. */
static const char *compare(struct diff_case *c)
{
	if (c->ref.len != c->insn.len)
		return "length";
	if (length_only(c))
		return NULL;
	if (!same_name(c))
		return "name";
	if (c->ref.nops != c->insn.nopnds)
		return "operand count";
	for (unsigned i = 0; i < c->insn.nopnds; i++) {
		const char *what = compare_operand(c, i);
		if (what) {
			c->bad_opnd = (int)i;
			return what;
		}
	}
	return NULL;
}

/* ---- documented disagreement classes -------------------------------------------- */

/*
 * Each class is a predicate over a case on which the decoders disagree,
 * and the section of docs/decoder.md that explains it.
 */
struct known_class {
	const char *name;
	bool (*match)(const struct diff_case *c);
	unsigned long hits;
	struct diff_case example; /* the first case seen (TRAPEZE_DIFF_VERBOSE) */
};

/* The last legacy prefix byte before the REX/opcode, or 0. */
static uint8_t last_legacy_prefix(const struct diff_case *c)
{
	unsigned n = c->insn.npfx;

	if (c->insn.rex && n)
		n--;
	return n ? c->bytes[n - 1] : 0;
}

static bool op_is(const struct diff_case *c, unsigned map, unsigned lo, unsigned hi)
{
	return c->insn.map == map && c->insn.opcode >= lo && c->insn.opcode <= hi;
}

static const struct x86_opspec *bad_spec(const struct diff_case *c)
{
	return c->bad_opnd >= 0 && c->insn.entry ? &c->insn.entry->op[c->bad_opnd] : NULL;
}

/* 1. LOCK: Capstone only refuses LOCK with a register destination when
 * LOCK is the last REP/LOCK prefix; the SDM makes every other use #UD. */
static bool k_lock(const struct diff_case *c)
{
	return c->ours == X86_DECODE_UD && c->insn.error == X86_ERR_LOCK;
}

/* 2. MOV to/from CR1, CR5-7, CR9-15, DR8-15: #UD per the SDM. */
static bool k_crdr(const struct diff_case *c)
{
	return c->ours == X86_DECODE_UD && c->insn.error == X86_ERR_REGISTER &&
	       op_is(c, X86_MAP_0F, 0x20, 0x23);
}

/* 3. MOV CS, r/m: #UD per the SDM; Capstone decodes it. */
static bool k_mov_cs(const struct diff_case *c)
{
	return c->ours == X86_DECODE_UD && c->insn.error == X86_ERR_REGISTER &&
	       op_is(c, X86_MAP_NONE, 0x8e, 0x8e);
}

/* 4. MOV Sreg with REX.R: the bit selects nothing and is ignored; Capstone
 * rejects the instruction. */
static bool k_sreg_rexr(const struct diff_case *c)
{
	return !c->ref_ok && ours_ok(c) && c->insn.rex_r &&
	       (op_is(c, X86_MAP_NONE, 0x8c, 0x8c) || op_is(c, X86_MAP_NONE, 0x8e, 0x8e));
}

/* 5. 64-bit mode near branches with rel32 (E8, E9, 0F 8x) and a 66 prefix
 * (or 67 with REX.W): Intel ignores 66, Capstone reads a rel16 (AMD). */
static bool k_jz_66(const struct diff_case *c)
{
	const struct x86_opspec *s = c->insn.entry ? &c->insn.entry->op[0] : NULL;

	return (ours_ok(c) || too_long(c)) && c->mode == X86_MODE_64 && s &&
	       s->am == X86_AM_J && s->ot == X86_OT_z &&
	       (c->insn.opsize_pfx || c->insn.addrsize_pfx);
}

/* 6. Far pointers in memory (Mp): Capstone's sizes are 8 or 10 whatever the
 * operand size; the SDM's m16:16, m16:32, m16:64 are 4, 6, 10 bytes. */
static bool k_mp_size(const struct diff_case *c)
{
	const struct x86_opspec *s = bad_spec(c);
	return s && s->am == X86_AM_M && s->ot == X86_OT_p;
}

/* 7. The reserved-NOP hint space 0F 18..1F: register forms are valid NOPs
 * (SDM Table A-3); Capstone rejects many, lists ModRM.reg as a second
 * operand for others, ignores REX.W in the operand size, and knows
 * ENDBR64/ENDBR32 only without other prefixes. */
static bool k_hint_nop(const struct diff_case *c)
{
	enum x86_mnemonic m = our_mnem(c);

	return (m == X86_I_NOP || m == X86_I_ENDBR64 || m == X86_I_ENDBR32) &&
	       op_is(c, X86_MAP_0F, 0x18, 0x1f);
}

/* 8. UD0 (0F FF) and UD1 (0F B9) take a ModRM byte (SDM "UD0 r32, r/m32");
 * Capstone ends them after the opcode. */
static bool k_ud01(const struct diff_case *c)
{
	return (row_mnem(c) == X86_I_UD0 || row_mnem(c) == X86_I_UD1) &&
	       (too_long(c) || !c->ref_ok || !strcmp(c->what, "length"));
}

/* 9. 0F 0D /r: PREFETCHW (Intel) and AMD's PREFETCH aliases; Capstone 4
 * knows only /1. */
static bool k_prefetchw(const struct diff_case *c)
{
	return !c->ref_ok && ours_ok(c) && op_is(c, X86_MAP_0F, 0x0d, 0x0d);
}

/* 10. 66 together with F2/F3 where F2/F3 do not select the instruction:
 * the 66 still sets the operand size; Capstone often drops it. */
static bool k_66_with_rep(const struct diff_case *c)
{
	return ours_ok(c) && c->insn.opsize_pfx && c->insn.rep && !c->insn.mandatory;
}

/* 11. A mandatory prefix that is not the last prefix byte (F3 2E 0F B8,
 * or F3 and 66 in either order): CPUs use it wherever it is, F2/F3 before
 * 66; Capstone only looks at the prefix next to the opcode. */
static bool k_mandatory_order(const struct diff_case *c)
{
	return ours_ok(c) && c->insn.mandatory && last_legacy_prefix(c) != c->insn.mandatory;
}

/* 12. VMREAD/VMWRITE are NP; with 66, F2 or F3 they are #UD (or AMD's
 * EXTRQ/INSERTQ register forms); Capstone ignores the prefix. */
static bool k_vmread_pfx(const struct diff_case *c)
{
	return c->ref_ok && op_is(c, X86_MAP_0F, 0x78, 0x79) &&
	       (c->insn.opsize_pfx || c->insn.rep) &&
	       (c->ours == X86_DECODE_UD || too_long(c) || length_only(c));
}

/* 13. Instructions newer than Capstone 4: RDPKRU/WRPKRU, MONITORX/MWAITX,
 * CLZERO, RDPID, CLWB, and the ENDBR32 spelling. */
static bool k_newer(const struct diff_case *c)
{
	switch (our_mnem(c)) {
	case X86_I_RDPKRU: case X86_I_WRPKRU: case X86_I_MONITORX: case X86_I_MWAITX:
	case X86_I_CLZERO: case X86_I_RDPID: case X86_I_CLWB: case X86_I_ENDBR32:
		return true;
	default:
		return false;
	}
}

/* 14. MOVSXD without REX.W has a 32-bit destination (SDM "MOVSXD r32,
 * r/m32"); Capstone shows a 64-bit one. */
static bool k_movsxd(const struct diff_case *c)
{
	return our_mnem(c) == X86_I_MOVSXD && !c->insn.rex_w && c->bad_opnd == 0 &&
	       !strcmp(c->what, "register size");
}

/* 15. LAR/LSL read a word from memory and a 32-bit register at most (SDM
 * "LSL r64, r32/m16"); Capstone shows the operand size for LSL. */
static bool k_lsl_mem(const struct diff_case *c)
{
	return (our_mnem(c) == X86_I_LSL || our_mnem(c) == X86_I_LAR) && c->bad_opnd == 1 &&
	       (!strcmp(c->what, "memory operand size") || !strcmp(c->what, "register size"));
}

/* 16. VEX after 66, F2 or F3: #UD per the SDM; Capstone decodes it. */
static bool k_vex_prefix(const struct diff_case *c)
{
	return c->ours == X86_DECODE_UD && c->insn.error == X86_ERR_VEX_PREFIX;
}

/* 17. REX.W with 66 or 67 in 64-bit mode: REX.W wins over 66 and 67 never
 * changes the operand size (SDM 2.2.1.2); Capstone 4 then shows 16-bit
 * operands, 16-bit immediates or another instruction. */
static bool k_rexw_66_67(const struct diff_case *c)
{
	return c->mode == X86_MODE_64 && c->insn.rex_w &&
	       (c->insn.opsize_pfx || c->insn.addrsize_pfx) &&
	       (ours_ok(c) || c->ref_ok);
}

/* 18. LFENCE/MFENCE/SFENCE ignore ModRM.rm (0F AE E8..EF are all LFENCE,
 * SDM Table A-6); Capstone accepts only rm=0. */
static bool k_fence_rm(const struct diff_case *c)
{
	switch (our_mnem(c)) {
	case X86_I_LFENCE: case X86_I_MFENCE: case X86_I_SFENCE:
		return !c->ref_ok;
	default:
		return false;
	}
}

/* 19. AMD SVM instructions (VMRUN, VMLOAD, VMSAVE, SKINIT, INVLPGA): their
 * register operands are implicit; Capstone lists them. */
static bool k_svm(const struct diff_case *c)
{
	return ours_ok(c) && op_is(c, X86_MAP_0F, 0x01, 0x01) && c->insn.modrm >= 0xd8 &&
	       c->insn.modrm <= 0xdf && !strcmp(c->what, "operand count");
}

/* 20. XCHG rAX, r (91..97) with 66: both operands are 16-bit; Capstone
 * shows eax. */
static bool k_xchg_66(const struct diff_case *c)
{
	return ours_ok(c) && op_is(c, X86_MAP_NONE, 0x91, 0x97) && c->insn.opsize_pfx &&
	       c->bad_opnd == 0;
}

/* 21. CBW/CWD with a 16-bit operand size: Capstone prints cwde/cdq (in
 * 16-bit mode always, elsewhere with 66). */
static bool k_cbw16(const struct diff_case *c)
{
	return ours_ok(c) && c->insn.opsize == 2 && !strcmp(c->what, "name") &&
	       (our_mnem(c) == X86_I_CBW || our_mnem(c) == X86_I_CWD);
}

/* 22. JCXZ/JECXZ/JRCXZ are named by the address size; Capstone loses a 67
 * that is not next to the opcode. */
static bool k_jrcxz(const struct diff_case *c)
{
	return our_mnem(c) == X86_I_JRCXZ && !strcmp(c->what, "name");
}

/*
 * 23. An NP instruction (SDM: "66/F2/F3 not allowed") with such a prefix:
 * #UD, or another instruction; Capstone ignores the prefix.  Recognised by
 * decoding again with the 66/F2/F3 bytes turned into DS overrides: then we
 * accept it, as Capstone did.
 */
static bool k_np_prefix(const struct diff_case *c)
{
	struct x86_insn again;
	uint8_t bytes[CASE_BYTES];

	if (c->ours != X86_DECODE_UD || c->insn.error != X86_ERR_OPCODE || !c->ref_ok)
		return false;
	memcpy(bytes, c->bytes, sizeof(bytes));
	for (unsigned i = 0; i < c->insn.npfx; i++)
		if (bytes[i] == 0x66 || bytes[i] == 0xf2 || bytes[i] == 0xf3 || bytes[i] == 0xf0)
			bytes[i] = 0x3e;
	return x86_decode(bytes, sizeof(bytes), c->mode, &again) == X86_DECODE_OK &&
	       again.len == c->ref.len;
}

/* 24. AAM/AAD with the usual base 10: Capstone omits the operand. */
static bool k_aam10(const struct diff_case *c)
{
	return (our_mnem(c) == X86_I_AAM || our_mnem(c) == X86_I_AAD) && c->insn.imm == 10 &&
	       !strcmp(c->what, "operand count");
}

/* 25. Relative branch targets outside 64-bit mode with 66 or 67: the new
 * EIP is truncated to the operand size (SDM Jcc/JMP/CALL: "if the operand
 * size is 16, the upper two bytes of EIP are cleared"); Capstone truncates
 * by the address size. */
static bool k_branch_trunc(const struct diff_case *c)
{
	return c->mode != X86_MODE_64 && !strcmp(c->what, "branch target") &&
	       (c->insn.opsize_pfx || c->insn.addrsize_pfx);
}

/* 26. SWAPGS (and the FSGSBASE instructions) outside 64-bit mode: #UD per
 * the SDM; Capstone decodes them. */
static bool k_o64(const struct diff_case *c)
{
	return c->ours == X86_DECODE_UD && c->insn.error == X86_ERR_MODE && c->insn.entry &&
	       (c->insn.entry->flags & X86_F_O64);
}

/* 27. 16-bit mode: Capstone ignores mandatory prefixes (F3 90 PAUSE, F3 0F
 * B8 POPCNT, F3 0F BC TZCNT, F2 0F 38 F0 CRC32, 66 0F AE /7 CLFLUSHOPT,
 * ...), which select the same instructions in every mode. */
static bool k_16bit_mandatory(const struct diff_case *c)
{
	return c->mode == X86_MODE_16 && ours_ok(c) && c->insn.mandatory;
}

/* 28. VIA PadLock (0F A6, 0F A7: XSHA, XCRYPT, ...): not Intel or AMD
 * instructions, #UD on their CPUs; Capstone decodes them. */
static bool k_padlock(const struct diff_case *c)
{
	return c->ours == X86_DECODE_UD && c->ref_ok && op_is(c, X86_MAP_0F, 0xa6, 0xa7);
}

/* 29. 90 with REX and other prefixes: NOP unless REX.B (then XCHG with
 * r8), PAUSE with F3; Capstone's reading depends on the prefix order. */
static bool k_nop90(const struct diff_case *c)
{
	return ours_ok(c) && op_is(c, X86_MAP_NONE, 0x90, 0x90) && c->insn.npfx > 1 &&
	       !strcmp(c->what, "name");
}

/* 30. XOP map 10 (AMD BEXTR/LWPINS/LWPVAL imm32) in 16-bit mode: the
 * immediate is always 32 bits; Capstone reads 16. */
static bool k_xop_imm32(const struct diff_case *c)
{
	return c->mode == X86_MODE_16 && c->insn.map == X86_MAP_XOPA && length_only(c) &&
	       !strcmp(c->what, "length");
}

static struct known_class known[] = {
	{ "LOCK on a non-lockable form or register destination", k_lock, 0, { 0 } },
	{ "MOV to/from a CR or DR that does not exist", k_crdr, 0, { 0 } },
	{ "MOV CS, r/m", k_mov_cs, 0, { 0 } },
	{ "MOV Sreg with REX.R", k_sreg_rexr, 0, { 0 } },
	{ "64-bit near branch rel32 with 66 (or 67+REX.W)", k_jz_66, 0, { 0 } },
	{ "far pointer (Mp) memory operand size", k_mp_size, 0, { 0 } },
	{ "hint NOPs 0F 18..1F", k_hint_nop, 0, { 0 } },
	{ "UD0/UD1 have a ModRM byte", k_ud01, 0, { 0 } },
	{ "0F 0D prefetch forms", k_prefetchw, 0, { 0 } },
	{ "66 with an ignored F2/F3", k_66_with_rep, 0, { 0 } },
	{ "mandatory prefix not next to the opcode", k_mandatory_order, 0, { 0 } },
	{ "VMREAD/VMWRITE with 66/F2/F3", k_vmread_pfx, 0, { 0 } },
	{ "instructions newer than Capstone 4", k_newer, 0, { 0 } },
	{ "MOVSXD without REX.W", k_movsxd, 0, { 0 } },
	{ "LAR/LSL source is r32/m16", k_lsl_mem, 0, { 0 } },
	{ "VEX after 66/F2/F3", k_vex_prefix, 0, { 0 } },
	{ "REX.W with 66 or 67", k_rexw_66_67, 0, { 0 } },
	{ "fences ignore ModRM.rm", k_fence_rm, 0, { 0 } },
	{ "SVM implicit register operands", k_svm, 0, { 0 } },
	{ "XCHG rAX, r with 66", k_xchg_66, 0, { 0 } },
	{ "CBW/CWD with a 16-bit operand size", k_cbw16, 0, { 0 } },
	{ "JrCXZ name with a distant 67", k_jrcxz, 0, { 0 } },
	{ "NP instruction with 66/F2/F3", k_np_prefix, 0, { 0 } },
	{ "AAM/AAD with base 10", k_aam10, 0, { 0 } },
	{ "branch target truncation with 66/67 (16/32-bit modes)", k_branch_trunc, 0, { 0 } },
	{ "64-bit-only instruction outside 64-bit mode", k_o64, 0, { 0 } },
	{ "16-bit mode mandatory prefixes", k_16bit_mandatory, 0, { 0 } },
	{ "VIA PadLock 0F A6/A7", k_padlock, 0, { 0 } },
	{ "90 with REX and other prefixes", k_nop90, 0, { 0 } },
	{ "XOP imm32 in 16-bit mode", k_xop_imm32, 0, { 0 } },
	{ NULL, NULL, 0, { 0 } },
};

/* ---- generators ---------------------------------------------------------------- */

static uint64_t rng_state;

/* xorshift64*: small, fast, the same on every host */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static unsigned rnd_below(unsigned n) { return (unsigned)(rnd() % n); }

static void gen_random(struct diff_case *c)
{
	for (unsigned i = 0; i < CASE_BYTES; i++)
		c->bytes[i] = (uint8_t)rnd();
}

/* A row worth generating: an instruction or escape we describe fully. */
static bool interesting_row(const struct x86_opcode *row)
{
	if (row->esc != X86_ESC_NONE)
		return true;
	return row->mnem != X86_I_INVALID && !(row->flags & X86_F_LENGTH);
}

static unsigned pick_opcode(const struct x86_opcode *map)
{
	for (;;) {
		unsigned op = rnd_below(X86_MAP_ROWS);
		if (interesting_row(&map[op]))
			return op;
	}
}

/*
 * gen_biased - 0..3 legacy prefixes, maybe a REX, an opcode whose row we
 * describe (one-byte, 0F or 0F 38), then random bytes for ModRM, SIB,
 * displacement and immediate.
 */
static void gen_biased(struct diff_case *c)
{
	static const uint8_t prefixes[] = {
		0x66, 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0xf3, 0x2e, 0x3e, 0x26, 0x36, 0x64, 0x65,
	};
	unsigned n = 0, npfx = rnd_below(4) == 0 ? rnd_below(4) : 0;

	gen_random(c);
	for (unsigned i = 0; i < npfx; i++)
		c->bytes[n++] = prefixes[rnd_below(sizeof(prefixes))];
	if (c->mode == X86_MODE_64 && rnd_below(3) == 0)
		c->bytes[n++] = (uint8_t)(0x40 | rnd_below(16));
	switch (rnd_below(8)) {
	case 0: case 1: case 2:
		c->bytes[n++] = 0x0f;
		c->bytes[n++] = (uint8_t)pick_opcode(x86_map_0f);
		break;
	case 3:
		c->bytes[n++] = 0x0f;
		c->bytes[n++] = 0x38;
		c->bytes[n++] = (uint8_t)(0xf0 + rnd_below(8));
		break;
	default:
		c->bytes[n++] = (uint8_t)pick_opcode(x86_map_onebyte);
		break;
	}
}

/*
 * gen_long - 9..14 prefixes before an instruction from the tables, so that
 * the 15-byte limit is reached often (both decoders must reject beyond it).
 */
static void gen_long(struct diff_case *c)
{
	static const uint8_t prefixes[] = { 0x66, 0x67, 0x2e, 0x3e, 0x26, 0x36, 0x64, 0x65 };
	unsigned n = 9 + rnd_below(6);

	gen_biased(c);
	memmove(c->bytes + n, c->bytes, CASE_BYTES - n);
	for (unsigned i = 0; i < n; i++)
		c->bytes[i] = prefixes[rnd_below(sizeof(prefixes))];
}

/* ---- running and classifying ------------------------------------------------------ */

enum outcome {
	OUT_AGREE,        /* same instruction (or both invalid) */
	OUT_UNSUPPORTED,  /* a length-only row Capstone rejects: #UD either way */
	OUT_KNOWN,        /* a documented disagreement */
	OUT_UNKNOWN,      /* a failure */
	OUT_COUNT
};

struct group {
	const char *what;
	uint8_t map, opcode;
	int ours;
	bool ref_ok;
	unsigned long count;
	struct diff_case examples[EXAMPLES_PER_GROUP];
};

struct stats {
	unsigned long cases, both_ok, both_invalid, outcome[OUT_COUNT];
	unsigned long full_agree; /* both decoded, compared operand by operand */
	unsigned ngroups;
	struct group groups[MAX_GROUPS];
};

static void run_case(struct diff_case *c, struct ref_decoder *ref)
{
	c->ours = x86_decode(c->bytes, CASE_BYTES, c->mode, &c->insn);
	c->ref_ok = ref_decode(ref, c->bytes, CASE_BYTES, BASE_ADDR, &c->ref);
	c->what = NULL;
	c->bad_opnd = -1;
	if (c->ours == X86_DECODE_OK && c->ref_ok)
		c->what = compare(c);
	else if (c->ours == X86_DECODE_OK)
		c->what = "Capstone rejects";
	else if (c->ref_ok)
		c->what = "we reject";
}

static enum outcome classify(struct diff_case *c)
{
	if (!c->what)
		return OUT_AGREE;
	if (!c->ref_ok && length_only(c))
		return OUT_UNSUPPORTED;
	for (unsigned i = 0; known[i].name; i++)
		if (known[i].match(c)) {
			if (known[i].hits++ == 0)
				known[i].example = *c;
			return OUT_KNOWN;
		}
	return OUT_UNKNOWN;
}

static void record_unknown(struct stats *s, const struct diff_case *c)
{
	struct group *g = NULL;

	for (unsigned i = 0; i < s->ngroups; i++) {
		struct group *h = &s->groups[i];
		if (h->what == c->what && h->map == c->insn.map && h->opcode == c->insn.opcode &&
		    h->ours == c->ours && h->ref_ok == c->ref_ok)
			g = h;
	}
	if (!g && s->ngroups < MAX_GROUPS) {
		g = &s->groups[s->ngroups++];
		*g = (struct group){ .what = c->what, .map = c->insn.map,
				     .opcode = c->insn.opcode, .ours = c->ours,
				     .ref_ok = c->ref_ok };
	}
	if (g && g->count < EXAMPLES_PER_GROUP)
		g->examples[g->count] = *c;
	if (g)
		g->count++;
}

static void print_case(const struct diff_case *c)
{
	static const char *const mode_names[] = { "16", "32", "64" };
	char text[160];

	fprintf(stderr, "    [%s-bit]", mode_names[c->mode]);
	for (unsigned i = 0; i < 15; i++)
		fprintf(stderr, " %02x", c->bytes[i]);
	fprintf(stderr, "\n      capstone: ");
	if (c->ref_ok)
		fprintf(stderr, "len %u  %s %s\n", c->ref.len, c->ref.mnemonic, c->ref.op_str);
	else
		fprintf(stderr, "invalid\n");
	fprintf(stderr, "      ours:     ");
	if (c->ours == X86_DECODE_OK) {
		x86_insn_format(&c->insn, BASE_ADDR, text, sizeof(text));
		fprintf(stderr, "len %u  %s\n", c->insn.len, text);
	} else {
		fprintf(stderr, "%s (%s)\n", c->ours == -EAGAIN ? "-EAGAIN" : "invalid",
			x86_decode_error_str(c->insn.error));
	}
}

static void report(const struct stats *s, bool verbose)
{
	fprintf(stderr, "decoder vs Capstone: %lu cases: %lu both decoded, %lu both invalid; "
			"agree %lu (%lu of them operand by operand), length-only rows "
			"Capstone rejects %lu, documented %lu, undocumented %lu\n",
		s->cases, s->both_ok, s->both_invalid, s->outcome[OUT_AGREE], s->full_agree,
		s->outcome[OUT_UNSUPPORTED], s->outcome[OUT_KNOWN], s->outcome[OUT_UNKNOWN]);
	for (unsigned i = 0; known[i].name; i++) {
		if (!known[i].hits)
			continue;
		fprintf(stderr, "  documented: %-60s %lu\n", known[i].name, known[i].hits);
		if (verbose)
			print_case(&known[i].example);
	}
	for (unsigned i = 0; i < s->ngroups; i++) {
		const struct group *g = &s->groups[i];
		fprintf(stderr, "  UNDOCUMENTED: %s (map %u opcode %02x): %lu cases\n", g->what,
			g->map, g->opcode, g->count);
		for (unsigned j = 0; j < g->count && j < EXAMPLES_PER_GROUP; j++)
			print_case(&g->examples[j]);
	}
}

static unsigned long env_ulong(const char *name, unsigned long dflt)
{
	const char *v = getenv(name);
	return v && *v ? strtoul(v, NULL, 0) : dflt;
}

static void run_mode(struct stats *s, enum x86_mode mode, int bits, unsigned long iters)
{
	struct ref_decoder *ref = ref_open(bits);
	static struct diff_case c;

	assert_non_null(ref);
	for (unsigned long i = 0; i < 2 * iters + iters / 4; i++) {
		enum outcome o;
		c.mode = mode;
		if (i < iters)
			gen_random(&c);
		else if (i < 2 * iters)
			gen_biased(&c);
		else
			gen_long(&c);
		run_case(&c, ref);
		s->cases++;
		s->both_ok += c.ours == X86_DECODE_OK && c.ref_ok;
		s->both_invalid += c.ours != X86_DECODE_OK && !c.ref_ok;
		o = classify(&c);
		s->outcome[o]++;
		s->full_agree += o == OUT_AGREE && c.ours == X86_DECODE_OK && c.ref_ok &&
				 !length_only(&c);
		if (o == OUT_UNKNOWN)
			record_unknown(s, &c);
	}
	ref_close(ref);
}

static void test_against_capstone(void **state)
{
	static struct stats s;
	unsigned long iters = env_ulong("TRAPEZE_DIFF_ITERS", DEFAULT_ITERS);

	(void)state;
	rng_state = env_ulong("TRAPEZE_DIFF_SEED", DEFAULT_SEED) ^ 0x9e3779b97f4a7c15ull;
	run_mode(&s, X86_MODE_64, 64, iters);
	run_mode(&s, X86_MODE_32, 32, iters);
	run_mode(&s, X86_MODE_16, 16, iters);
	report(&s, env_ulong("TRAPEZE_DIFF_VERBOSE", 0) != 0);
	assert_int_equal(s.outcome[OUT_UNKNOWN], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_capstone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
