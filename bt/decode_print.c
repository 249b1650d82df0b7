/*
 * decode_print.c - what callers do with a decoded instruction besides
 * executing it: name it, print it in Intel syntax, and compute the two
 * addresses every user needs (a memory operand's offset and a relative
 * branch's target).
 *
 * The interpreter uses x86_mem_offset() and x86_insn_branch_target() on its
 * hot path; reports and the differential test use the names and the text.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "bt/decode.h"

/* ---- names ------------------------------------------------------------------ */

/* Condition suffixes in encoding order (SDM Vol. 1 Table B-1). */
static const char *const jcc_names[16] = {
	"jo", "jno", "jb", "jae", "je", "jne", "jbe", "ja",
	"js", "jns", "jp", "jnp", "jl", "jge", "jle", "jg",
};
static const char *const setcc_names[16] = {
	"seto", "setno", "setb", "setae", "sete", "setne", "setbe", "seta",
	"sets", "setns", "setp", "setnp", "setl", "setge", "setle", "setg",
};
static const char *const cmovcc_names[16] = {
	"cmovo", "cmovno", "cmovb", "cmovae", "cmove", "cmovne", "cmovbe", "cmova",
	"cmovs", "cmovns", "cmovp", "cmovnp", "cmovl", "cmovge", "cmovle", "cmovg",
};

/* Index by size: 1, 2, 4, 8 bytes -> 0..3 */
static unsigned size_index(unsigned size)
{
	return size >= 8 ? 3 : size >= 4 ? 2 : size >= 2 ? 1 : 0;
}

/* movsb/movsw/movsd/movsq and friends, by operand size */
static const char *string_op_name(enum x86_mnemonic m, unsigned size)
{
	static const char *const names[][4] = {
		{ "movsb", "movsw", "movsd", "movsq" }, { "cmpsb", "cmpsw", "cmpsd", "cmpsq" },
		{ "stosb", "stosw", "stosd", "stosq" }, { "lodsb", "lodsw", "lodsd", "lodsq" },
		{ "scasb", "scasw", "scasd", "scasq" }, { "insb", "insw", "insd", "insd" },
		{ "outsb", "outsw", "outsd", "outsd" },
	};
	static const enum x86_mnemonic order[] = {
		X86_I_MOVS, X86_I_CMPS, X86_I_STOS, X86_I_LODS, X86_I_SCAS, X86_I_INS, X86_I_OUTS,
	};

	for (unsigned i = 0; i < ARRAY_SIZE(order); i++)
		if (order[i] == m)
			return names[i][size_index(size)];
	return x86_mnemonic_name(m);
}

/* 0F 18 /0../3 name their cache level; 0F 0D /2 is PREFETCHWT1 */
static const char *prefetch_name(const struct x86_insn *insn)
{
	static const char *const hint18[4] = {
		"prefetchnta", "prefetcht0", "prefetcht1", "prefetcht2",
	};

	if (insn->opcode == 0x18)
		return hint18[insn->reg & 3];
	if ((insn->reg & 7) == 2)
		return "prefetchwt1";
	return "prefetch";
}

/* The operation's size-specific spelling; `sz` is 2, 4 or 8. */
static const char *sized_name(enum x86_mnemonic m, unsigned sz)
{
	static const char *const cbw[3] = { "cbw", "cwde", "cdqe" };
	static const char *const cwd[3] = { "cwd", "cdq", "cqo" };
	static const char *const iret[3] = { "iret", "iretd", "iretq" };
	static const char *const pushf[3] = { "pushf", "pushfd", "pushfq" };
	static const char *const popf[3] = { "popf", "popfd", "popfq" };
	static const char *const pusha[3] = { "pusha", "pushad", "pushad" };
	static const char *const popa[3] = { "popa", "popad", "popad" };
	unsigned i = size_index(sz) - 1;

	switch (m) {
	case X86_I_CBW: return cbw[i];
	case X86_I_CWD: return cwd[i];
	case X86_I_IRET: return iret[i];
	case X86_I_PUSHF: return pushf[i];
	case X86_I_POPF: return popf[i];
	case X86_I_PUSHA: return pusha[i];
	case X86_I_POPA: return popa[i];
	default: return x86_mnemonic_name(m);
	}
}

/* FXSAVE, XSAVE and friends with REX.W are the SDM's FXSAVE64, XSAVE64, ... */
static const char *rexw_name(enum x86_mnemonic m)
{
	switch (m) {
	case X86_I_FXSAVE: return "fxsave64";
	case X86_I_FXRSTOR: return "fxrstor64";
	case X86_I_XSAVE: return "xsave64";
	case X86_I_XRSTOR: return "xrstor64";
	case X86_I_XSAVEOPT: return "xsaveopt64";
	case X86_I_XSAVEC: return "xsavec64";
	case X86_I_XSAVES: return "xsaves64";
	case X86_I_XRSTORS: return "xrstors64";
	default: return NULL;
	}
}

/* x86_insn_name - see decode.h. */
const char *x86_insn_name(const struct x86_insn *insn)
{
	static const char *const jrcxz[3] = { "jcxz", "jecxz", "jrcxz" };
	enum x86_mnemonic m = x86_insn_mnemonic(insn);

	switch (m) {
	case X86_I_JCC:
		return jcc_names[x86_insn_cond(insn)];
	case X86_I_SETCC:
		return setcc_names[x86_insn_cond(insn)];
	case X86_I_CMOVCC:
		return cmovcc_names[x86_insn_cond(insn)];
	case X86_I_MOVS: case X86_I_CMPS: case X86_I_STOS: case X86_I_LODS:
	case X86_I_SCAS: case X86_I_INS: case X86_I_OUTS:
		return string_op_name(m, insn->opsize);
	case X86_I_JRCXZ:
		return jrcxz[size_index(insn->addrsize) - 1];
	case X86_I_RETF:
		return insn->opsize == 8 ? "retfq" : "retf";
	case X86_I_PREFETCH:
		return prefetch_name(insn);
	default:
		if (insn->rex_w && rexw_name(m))
			return rexw_name(m);
		return sized_name(m, insn->opsize < 2 ? 2 : insn->opsize);
	}
}

/* x86_decode_error_str - see decode.h. */
const char *x86_decode_error_str(enum x86_decode_error err)
{
	switch (err) {
	case X86_ERR_NONE: return "no error";
	case X86_ERR_OPCODE: return "undefined opcode";
	case X86_ERR_MODE: return "not valid in this CPU mode";
	case X86_ERR_LOCK: return "LOCK prefix not allowed";
	case X86_ERR_MODRM_FORM: return "register/memory form not allowed";
	case X86_ERR_REGISTER: return "no such register";
	case X86_ERR_VEX_PREFIX: return "prefix not allowed before VEX/EVEX/XOP";
	case X86_ERR_TOO_LONG: return "instruction longer than 15 bytes";
	}
	return "unknown decode error";
}

/* ---- addresses -------------------------------------------------------------- */

/* v modulo 2^(8*size) */
static uint64_t mask_to(uint64_t v, unsigned size)
{
	return size >= 8 ? v : v & ((1ull << (8 * size)) - 1);
}

/* x86_mem_offset - see decode.h.  RIP-relative: from the next instruction. */
uint64_t x86_mem_offset(const struct x86_insn *insn, const struct x86_mem *m,
			const uint64_t gpr[X86_NR_GPRS], uint64_t rip)
{
	uint64_t ea = (uint64_t)m->disp;

	if (m->base == X86_RIPREG)
		ea += rip + insn->len;
	else if (m->base != X86_NOREG)
		ea += gpr[m->base];
	if (m->index != X86_NOREG)
		ea += gpr[m->index] * m->scale;
	return mask_to(ea, m->addr_size);
}

/* x86_insn_branch_target - see decode.h. */
uint64_t x86_insn_branch_target(const struct x86_insn *insn, uint64_t rip)
{
	for (unsigned i = 0; i < insn->nopnds; i++)
		if (insn->opnd[i].kind == X86_OPND_REL)
			return mask_to(rip + insn->len + (uint64_t)insn->opnd[i].rel,
				       insn->opsize);
	return mask_to(rip + insn->len, insn->opsize);
}

/* ---- Intel-syntax text -------------------------------------------------------- */

struct textbuf {
	char *buf;
	size_t size;
	size_t len; /* what would have been written */
};

/* Append printf-style text; past the end only the length grows. */
static void emit(struct textbuf *t, const char *fmt, ...)
{
	va_list ap;
	size_t room = t->len < t->size ? t->size - t->len : 0;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? t->buf + t->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n;
}

/* "r8d", "ax", ... by register number and width in bytes */
static const char *gpr_name(unsigned num, unsigned size)
{
	static const char *const names[4][16] = {
		{ "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
		  "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b" },
		{ "ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
		  "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w" },
		{ "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
		  "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d" },
		{ "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
		  "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" },
	};

	return names[size_index(size)][num & 15];
}

static const char *const seg_names[6] = { "es", "cs", "ss", "ds", "fs", "gs" };

/* A register operand's name. */
static void emit_reg(struct textbuf *t, const struct x86_operand *o)
{
	static const char *const high8[4] = { "ah", "ch", "dh", "bh" };

	switch (o->reg.cls) {
	case X86_RC_GPR: emit(t, "%s", gpr_name(o->reg.num, o->size)); break;
	case X86_RC_GPR8H: emit(t, "%s", high8[o->reg.num & 3]); break;
	case X86_RC_SEG: emit(t, "%s", seg_names[o->reg.num % 6]); break;
	case X86_RC_CR: emit(t, "cr%u", o->reg.num); break;
	case X86_RC_DR: emit(t, "dr%u", o->reg.num); break;
	}
}

/* Intel syntax size keyword for a memory operand */
static const char *ptr_name(unsigned size)
{
	switch (size) {
	case 1: return "byte ptr ";
	case 2: return "word ptr ";
	case 4: return "dword ptr ";
	case 6: return "fword ptr ";
	case 8: return "qword ptr ";
	case 10: return "tbyte ptr ";
	case 16: return "xmmword ptr ";
	}
	return "";
}

/* 0x-prefixed hex */
static void emit_hex(struct textbuf *t, uint64_t v)
{
	emit(t, "0x%" PRIx64, v);
}

/* "dword ptr fs:[base + index*scale + disp]", and a RIP-relative target */
static void emit_mem(struct textbuf *t, const struct x86_insn *insn,
		     const struct x86_operand *o, uint64_t rip)
{
	const struct x86_mem *m = &o->mem;
	bool any = false;

	emit(t, "%s", ptr_name(o->size));
	if (insn->seg != X86_SEG_NONE && m->seg == insn->seg)
		emit(t, "%s:", seg_names[m->seg % 6]);
	emit(t, "[");
	if (m->base == X86_RIPREG) {
		emit(t, m->addr_size == 4 ? "eip" : "rip");
		any = true;
	} else if (m->base != X86_NOREG) {
		emit(t, "%s", gpr_name(m->base, m->addr_size));
		any = true;
	}
	if (m->index != X86_NOREG) {
		emit(t, "%s%s", any ? " + " : "", gpr_name(m->index, m->addr_size));
		if (m->scale > 1)
			emit(t, "*%u", m->scale);
		any = true;
	}
	if (m->disp || !any) {
		if (any)
			emit(t, m->disp < 0 ? " - " : " + ");
		emit_hex(t, any && m->disp < 0 ? -(uint64_t)m->disp : (uint64_t)m->disp);
	}
	emit(t, "]");
	if (m->base == X86_RIPREG) {
		uint64_t target = rip + insn->len + (uint64_t)m->disp;
		emit(t, " <");
		emit_hex(t, m->addr_size == 4 ? (uint32_t)target : target);
		emit(t, ">");
	}
}

/* One operand; relative branches print their target. */
static void emit_operand(struct textbuf *t, const struct x86_insn *insn,
			 const struct x86_operand *o, uint64_t rip)
{
	switch (o->kind) {
	case X86_OPND_REG: emit_reg(t, o); break;
	case X86_OPND_MEM: emit_mem(t, insn, o, rip); break;
	case X86_OPND_IMM: emit_hex(t, o->imm); break;
	case X86_OPND_REL: emit_hex(t, x86_insn_branch_target(insn, rip)); break;
	}
}

/* lock, rep/repe/repne where they mean something */
static void emit_prefixes(struct textbuf *t, const struct x86_insn *insn)
{
	if (insn->lock)
		emit(t, "lock ");
	if (insn->rep && x86_insn_has(insn, X86_F_REP)) {
		enum x86_mnemonic m = x86_insn_mnemonic(insn);
		bool cond = m == X86_I_CMPS || m == X86_I_SCAS;
		if (insn->rep == X86_REP_REPNE)
			emit(t, "repne ");
		else
			emit(t, cond ? "repe " : "rep ");
	}
}

/* x86_insn_format - see decode.h. */
int x86_insn_format(const struct x86_insn *insn, uint64_t rip, char *buf, size_t size)
{
	struct textbuf t = { .buf = buf, .size = size };

	if (size)
		buf[0] = '\0';
	if (!insn->entry) {
		emit(&t, "(bad)");
		return (int)t.len;
	}
	emit_prefixes(&t, insn);
	emit(&t, "%s", x86_insn_name(insn));
	if (x86_insn_has(insn, X86_F_LENGTH)) {
		for (unsigned i = insn->npfx; i < insn->len; i++)
			emit(&t, " %02x", insn->bytes[i]);
		return (int)t.len;
	}
	if (insn->entry->op[0].am == X86_AM_A) { /* far pointer: selector:offset */
		emit(&t, " 0x%" PRIx64 ":0x%" PRIx64, insn->imm2, insn->imm);
		return (int)t.len;
	}
	for (unsigned i = 0; i < insn->nopnds; i++) {
		emit(&t, i ? ", " : " ");
		emit_operand(&t, insn, &insn->opnd[i], rip);
	}
	return (int)t.len;
}
