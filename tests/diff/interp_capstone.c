/*
 * interp_capstone.c - Capstone 4 behind interp_capstone.h.  Capstone's
 * X86_EFLAGS_* bits are translated into RFLAGS bit positions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <capstone/capstone.h>

#include "interp_capstone.h"

#define RFL_CF (1ull << 0)
#define RFL_PF (1ull << 2)
#define RFL_AF (1ull << 4)
#define RFL_ZF (1ull << 6)
#define RFL_SF (1ull << 7)
#define RFL_OF (1ull << 11)

struct icap {
	csh handle;
	cs_insn *insn;
};

/* Capstone's undefined and modified bits for each status flag. */
static const struct {
	uint64_t undefined, modified, rflags;
} flag_map[] = {
	{ X86_EFLAGS_UNDEFINED_CF, X86_EFLAGS_MODIFY_CF, RFL_CF },
	{ X86_EFLAGS_UNDEFINED_PF, X86_EFLAGS_MODIFY_PF, RFL_PF },
	{ X86_EFLAGS_UNDEFINED_AF, X86_EFLAGS_MODIFY_AF, RFL_AF },
	{ X86_EFLAGS_UNDEFINED_ZF, X86_EFLAGS_MODIFY_ZF, RFL_ZF },
	{ X86_EFLAGS_UNDEFINED_SF, X86_EFLAGS_MODIFY_SF, RFL_SF },
	{ X86_EFLAGS_UNDEFINED_OF, X86_EFLAGS_MODIFY_OF, RFL_OF },
};

struct icap *icap_open(void)
{
	struct icap *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &c->handle) != CS_ERR_OK) {
		free(c);
		return NULL;
	}
	cs_option(c->handle, CS_OPT_DETAIL, CS_OPT_ON);
	c->insn = cs_malloc(c->handle);
	return c;
}

void icap_close(struct icap *c)
{
	if (!c)
		return;
	cs_free(c->insn, 1);
	cs_close(&c->handle);
	free(c);
}

bool icap_describe(struct icap *c, const uint8_t *code, size_t avail, uint64_t addr,
                   struct icap_info *out)
{
	const uint8_t *p = code;
	size_t n = avail;
	uint64_t a = addr, ef;

	memset(out, 0, sizeof(*out));
	if (!cs_disasm_iter(c->handle, &p, &n, &a, c->insn))
		return false;
	out->len = c->insn->size;
	snprintf(out->text, sizeof(out->text), "%.31s%s%.60s", c->insn->mnemonic,
	         c->insn->op_str[0] ? " " : "", c->insn->op_str);
	ef = c->insn->detail->x86.eflags;
	for (unsigned i = 0; i < sizeof(flag_map) / sizeof(flag_map[0]); i++) {
		if (ef & flag_map[i].undefined)
			out->undefined |= flag_map[i].rflags;
		if (ef & flag_map[i].modified)
			out->modified |= flag_map[i].rflags;
	}
	return true;
}
