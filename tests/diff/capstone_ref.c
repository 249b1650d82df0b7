/*
 * capstone_ref.c - Capstone 4 wrapped as a reference decoder (see
 * capstone_ref.h).  Registers are translated by name ("r8d" is GPR 8,
 * 4 bytes), which keeps this file free of Capstone's register enum order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <capstone/capstone.h>

#include "capstone_ref.h"

struct ref_decoder {
	csh handle;
	cs_insn *insn;
};

struct ref_decoder *ref_open(int bits)
{
	struct ref_decoder *r = calloc(1, sizeof(*r));
	cs_mode mode = bits == 64 ? CS_MODE_64 : bits == 32 ? CS_MODE_32 : CS_MODE_16;

	if (!r)
		return NULL;
	if (cs_open(CS_ARCH_X86, mode, &r->handle) != CS_ERR_OK) {
		free(r);
		return NULL;
	}
	cs_option(r->handle, CS_OPT_DETAIL, CS_OPT_ON);
	r->insn = cs_malloc(r->handle);
	return r;
}

void ref_close(struct ref_decoder *r)
{
	if (!r)
		return;
	cs_free(r->insn, 1);
	cs_close(&r->handle);
	free(r);
}

/* GPR names by number and width. */
static const char *const gpr_names[4][16] = {
	{ "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
	  "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b" },
	{ "ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
	  "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w" },
	{ "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
	  "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d" },
	{ "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	  "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" },
};
static const char *const high8_names[4] = { "ah", "ch", "dh", "bh" };
static const char *const seg_names[6] = { "es", "cs", "ss", "ds", "fs", "gs" };

/* Translate a Capstone register into class/number/width (bytes). */
static void translate_reg(csh h, unsigned reg, uint8_t *cls, uint8_t *num, uint8_t *width)
{
	const char *name = reg ? cs_reg_name(h, reg) : NULL;
	unsigned n;

	*cls = REF_RC_OTHER;
	*num = REF_NOREG;
	*width = 0;
	if (!name)
		return;
	for (unsigned w = 0; w < 4; w++)
		for (unsigned i = 0; i < 16; i++)
			if (!strcmp(name, gpr_names[w][i])) {
				*cls = REF_RC_GPR;
				*num = (uint8_t)i;
				*width = (uint8_t)(1u << w);
				return;
			}
	for (unsigned i = 0; i < 4; i++)
		if (!strcmp(name, high8_names[i])) {
			*cls = REF_RC_GPR8H;
			*num = (uint8_t)i;
			*width = 1;
			return;
		}
	for (unsigned i = 0; i < 6; i++)
		if (!strcmp(name, seg_names[i])) {
			*cls = REF_RC_SEG;
			*num = (uint8_t)i;
			*width = 2;
			return;
		}
	if (!strcmp(name, "rip") || !strcmp(name, "eip")) {
		*cls = REF_RC_RIP;
		*num = REF_RIP;
		return;
	}
	if (sscanf(name, "cr%u", &n) == 1) {
		*cls = REF_RC_CR;
		*num = (uint8_t)n;
	} else if (sscanf(name, "dr%u", &n) == 1) {
		*cls = REF_RC_DR;
		*num = (uint8_t)n;
	}
}

static void translate_operand(csh h, const cs_x86_op *in, struct ref_operand *o)
{
	uint8_t cls, width;

	memset(o, 0, sizeof(*o));
	o->size = in->size;
	switch (in->type) {
	case X86_OP_REG:
		o->kind = REF_OP_REG;
		translate_reg(h, in->reg, &o->cls, &o->num, &width);
		break;
	case X86_OP_IMM:
		o->kind = REF_OP_IMM;
		o->imm = in->imm;
		break;
	case X86_OP_MEM:
		o->kind = REF_OP_MEM;
		translate_reg(h, in->mem.base, &cls, &o->base, &width);
		translate_reg(h, in->mem.index, &cls, &o->index, &width);
		translate_reg(h, in->mem.segment, &cls, &o->seg, &width);
		o->scale = (uint8_t)in->mem.scale;
		o->disp = in->mem.disp;
		break;
	default:
		o->kind = REF_OP_OTHER;
		break;
	}
}

bool ref_decode(struct ref_decoder *r, const uint8_t *buf, size_t len, uint64_t addr,
		struct ref_insn *out)
{
	const uint8_t *code = buf;
	size_t size = len;
	uint64_t address = addr;
	const cs_x86 *x;

	memset(out, 0, sizeof(*out));
	if (!cs_disasm_iter(r->handle, &code, &size, &address, r->insn))
		return false;
	out->len = r->insn->size;
	snprintf(out->mnemonic, sizeof(out->mnemonic), "%s", r->insn->mnemonic);
	snprintf(out->op_str, sizeof(out->op_str), "%s", r->insn->op_str);
	x = &r->insn->detail->x86;
	out->nops = x->op_count < REF_MAX_OPS ? x->op_count : REF_MAX_OPS;
	for (unsigned i = 0; i < out->nops; i++)
		translate_operand(r->handle, &x->operands[i], &out->op[i]);
	return true;
}
