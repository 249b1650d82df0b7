/*
 * capstone_ref.h - Capstone as a reference decoder, behind a neutral
 * struct, for tests/diff/test_decode_capstone.c.
 *
 * Capstone's <capstone/x86.h> declares `enum x86_insn`, which cannot live in
 * the same file as our `struct x86_insn`; so Capstone is wrapped here, in
 * its own translation unit, and its answers are translated into the
 * decoder's vocabulary (register classes and numbers, byte sizes).
 */
#ifndef TRAPEZE_TESTS_DIFF_CAPSTONE_REF_H
#define TRAPEZE_TESTS_DIFF_CAPSTONE_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REF_MAX_OPS 8
#define REF_NOREG 0xff
#define REF_RIP 0x10

enum ref_kind { REF_OP_REG, REF_OP_MEM, REF_OP_IMM, REF_OP_OTHER };

/* Register classes, numbered like enum x86_regclass where they overlap. */
enum ref_regclass {
	REF_RC_GPR, REF_RC_GPR8H, REF_RC_SEG, REF_RC_CR, REF_RC_DR, REF_RC_RIP,
	REF_RC_OTHER, /* x87, MMX, XMM, ... */
};

struct ref_operand {
	uint8_t kind;  /* enum ref_kind */
	uint8_t size;  /* bytes, as Capstone reports them */
	uint8_t cls;   /* REF_OP_REG: enum ref_regclass */
	uint8_t num;   /* REF_OP_REG: register number */
	uint8_t base, index, scale, seg; /* REF_OP_MEM (seg: 0..5 or REF_NOREG) */
	int64_t disp;
	int64_t imm;   /* REF_OP_IMM (branch targets are absolute) */
};

struct ref_insn {
	unsigned len;
	char mnemonic[32];
	char op_str[160];
	unsigned nops;
	struct ref_operand op[REF_MAX_OPS];
};

struct ref_decoder;

/* Open Capstone for 16-, 32- or 64-bit code; NULL on failure. */
struct ref_decoder *ref_open(int bits);
void ref_close(struct ref_decoder *r);

/*
 * ref_decode - decode one instruction at buf (address `addr`) with
 * Capstone.  Returns false when Capstone finds no valid instruction.
 */
bool ref_decode(struct ref_decoder *r, const uint8_t *buf, size_t len, uint64_t addr,
		struct ref_insn *out);

#endif
