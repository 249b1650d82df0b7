/*
 * decode_test.h - helpers shared by the decoder's unit tests
 * (test_decode.c, test_decode_rules.c): hex strings in, decoded
 * instructions out, and assertions on operands.
 *
 * Instructions are written as hex strings, one instruction per string
 * ("48 01 d8").  ok() decodes from a heap buffer of exactly that many bytes,
 * so that the sanitizer build catches any read beyond `avail`, and insists
 * the decoder used every byte.
 */
#ifndef TRAPEZE_TESTS_UNIT_DECODE_TEST_H
#define TRAPEZE_TESTS_UNIT_DECODE_TEST_H

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

#define M16       X86_MODE_16
#define M32       X86_MODE_32
#define M64       X86_MODE_64
#define NOREG     X86_NOREG
#define MAX_BYTES 32

/* Parse "48 01 d8" into bytes; returns the count. */
static inline size_t parse_hex(const char *hex, uint8_t *out)
{
	size_t n = 0;

	while (*hex) {
		unsigned v;
		if (*hex == ' ') {
			hex++;
			continue;
		}
		assert_int_equal(sscanf(hex, "%2x", &v), 1);
		assert_true(n < MAX_BYTES);
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

/* Decode exactly the bytes of `hex` (from a heap buffer of that size, so
 * the sanitizer build catches any read beyond `avail`). */
static inline int decode_exact(enum x86_mode mode, const uint8_t *bytes, size_t n,
                        struct x86_insn *insn)
{
	uint8_t *buf = malloc(n ? n : 1);
	int r;

	assert_non_null(buf);
	memcpy(buf, bytes, n);
	r = x86_decode(buf, n, mode, insn);
	free(buf);
	return r;
}

static inline int decode(enum x86_mode mode, const char *hex, struct x86_insn *insn)
{
	uint8_t bytes[MAX_BYTES];
	size_t n = parse_hex(hex, bytes);

	return decode_exact(mode, bytes, n, insn);
}

/* Decode one complete instruction: it must succeed and use every byte. */
static inline struct x86_insn ok(enum x86_mode mode, const char *hex)
{
	uint8_t bytes[MAX_BYTES];
	size_t n = parse_hex(hex, bytes);
	struct x86_insn insn;
	int r = decode_exact(mode, bytes, n, &insn);

	if (r != X86_DECODE_OK)
		fail_msg("%s: result %d (%s)", hex, r, x86_decode_error_str(insn.error));
	assert_int_equal(insn.len, n);
	assert_memory_equal(insn.bytes, bytes, n);
	return insn;
}

/* The instruction must be #UD for `why`. */
static inline void ud(enum x86_mode mode, const char *hex, enum x86_decode_error why)
{
	struct x86_insn insn;
	int r = decode(mode, hex, &insn);

	if (r != X86_DECODE_UD)
		fail_msg("%s: expected #UD, got %d", hex, r);
	if (insn.error != why)
		fail_msg("%s: expected '%s', got '%s'", hex, x86_decode_error_str(why),
		         x86_decode_error_str(insn.error));
}

static inline void assert_name(const struct x86_insn *insn, const char *name)
{
	assert_string_equal(x86_insn_name(insn), name);
}

static inline void assert_reg(const struct x86_operand *o, unsigned cls, unsigned num,
                       unsigned size)
{
	assert_int_equal(o->kind, X86_OPND_REG);
	assert_int_equal(o->reg.cls, cls);
	assert_int_equal(o->reg.num, num);
	assert_int_equal(o->size, size);
}

static inline void assert_gpr(const struct x86_operand *o, unsigned num, unsigned size)
{
	assert_reg(o, X86_RC_GPR, num, size);
}

static inline void assert_mem(const struct x86_operand *o, unsigned base, unsigned index,
                       unsigned scale, int64_t disp, unsigned size)
{
	assert_int_equal(o->kind, X86_OPND_MEM);
	assert_int_equal(o->mem.base, base);
	assert_int_equal(o->mem.index, index);
	assert_int_equal(o->mem.scale, scale);
	assert_int_equal(o->mem.disp, disp);
	assert_int_equal(o->size, size);
}

static inline void assert_imm(const struct x86_operand *o, uint64_t value, unsigned size)
{
	assert_int_equal(o->kind, X86_OPND_IMM);
	assert_int_equal(o->imm, value);
	assert_int_equal(o->size, size);
}

static inline void assert_rel(const struct x86_operand *o, int64_t rel, unsigned size)
{
	assert_int_equal(o->kind, X86_OPND_REL);
	assert_int_equal(o->rel, rel);
	assert_int_equal(o->size, size);
}

#endif
