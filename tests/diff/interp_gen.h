/*
 * interp_gen.h - random user-level instruction streams for the
 * differential test of the interpreter against Unicorn
 * (tests/diff/test_interp_unicorn.c, docs/differential.md).
 *
 * A stream is straight-line code with forward branches, bounded backward
 * loops and balanced calls, built from "snippets": a few setup
 * instructions that pin down what must stay in bounds (a divisor, a bit
 * offset, string pointers and counts, a shift count) followed by the
 * instruction under test.  Every memory access lands in the data window
 * or the stack window, both inside one 2 MiB user page:
 *
 *   GEN_CODE_BASE   0x200000  code, 64 KiB (never written by a stream)
 *   GEN_DATA_BASE   0x280000  data window, 4 KiB of random bytes;
 *                             the stream's base register points at its
 *                             middle and is never written
 *   GEN_STACK_BASE  0x300000  stack window, 8 KiB of random bytes;
 *                             RSP starts in the middle, and the generator
 *                             keeps pushes and pops within +-3 KiB of it
 *
 * A stream is a pure function of (seed, index): a failure is reproduced
 * by building the same stream again.
 */
#ifndef TRAPEZE_TESTS_DIFF_INTERP_GEN_H
#define TRAPEZE_TESTS_DIFF_INTERP_GEN_H

#include <stdbool.h>
#include <stdint.h>

#define GEN_USER_BASE 0x200000ull /* the user page: code, data and stack */
#define GEN_USER_SIZE 0x200000ull
#define GEN_CODE_BASE 0x200000ull
#define GEN_CODE_SIZE 0x10000u
#define GEN_DATA_BASE 0x280000ull
#define GEN_DATA_SIZE 0x1000u
#define GEN_STACK_BASE 0x300000ull
#define GEN_STACK_SIZE 0x2000u
#define GEN_DATA_PTR (GEN_DATA_BASE + GEN_DATA_SIZE / 2)  /* the base register */
#define GEN_STACK_TOP (GEN_STACK_BASE + GEN_STACK_SIZE / 2) /* initial RSP */
#define GEN_MAX_INSNS 1024
#define GEN_NR_GPRS 16

/* What an instruction is there to test (statistics, allow-list). */
enum gen_class {
	GEN_C_SETUP,  /* puts a value in place for the next instruction */
	GEN_C_ALU,    /* add adc sub sbb cmp and or xor test */
	GEN_C_UNARY,  /* inc dec neg not */
	GEN_C_SHIFT,  /* rol ror rcl rcr shl shr sal sar */
	GEN_C_DSHIFT, /* shld shrd */
	GEN_C_MUL,    /* mul, imul (1, 2 and 3 operands) */
	GEN_C_DIV,    /* div idiv */
	GEN_C_BIT,    /* bt bts btr btc */
	GEN_C_BSCAN,  /* bsf bsr */
	GEN_C_STRING, /* movs cmps stos lods scas (rep, repe, repne), xlat */
	GEN_C_BRANCH, /* jcc jmp call ret loop jrcxz, direct and indirect */
	GEN_C_STACK,  /* push pop enter leave */
	GEN_C_FLAGS,  /* pushf popf lahf sahf clc stc cmc cld std */
	GEN_C_CMOV,   /* cmovcc setcc */
	GEN_C_XCHG,   /* xchg cmpxchg cmpxchg8b xadd */
	GEN_C_MOVE,   /* mov movzx movsx movsxd lea bswap cbw..cqo nop */
	GEN_C_COUNT
};

struct gen_insn {
	uint32_t off; /* from GEN_CODE_BASE */
	uint8_t len;
	uint8_t cls;  /* enum gen_class */
};

struct gen_stream {
	uint64_t seed;
	unsigned index;
	unsigned base_reg; /* holds GEN_DATA_PTR for the whole stream */
	uint8_t code[GEN_CODE_SIZE];
	uint32_t code_len; /* the stream ends when RIP reaches code_len */
	struct gen_insn insn[GEN_MAX_INSNS];
	unsigned ninsn;
	/* The starting state */
	uint64_t gpr[GEN_NR_GPRS];
	uint64_t rflags;
	uint8_t data[GEN_DATA_SIZE];
	uint8_t stack[GEN_STACK_SIZE];
};

/*
 * gen_stream_build - build stream `index` of the run seeded with `seed`,
 * with about `snippets` snippets.  Deterministic.  Returns 0, or -1 if
 * an instruction could not be encoded (a generator bug; err says which).
 */
int gen_stream_build(struct gen_stream *s, uint64_t seed, unsigned index,
                     unsigned snippets, char *err, unsigned errlen);

const char *gen_class_name(enum gen_class c);

/* The RFLAGS bits a stream's POPF may load: the status flags, DF, NT, AC
 * and ID.  IF stays 1 and IOPL 0 (see docs/differential.md: POPF's effect
 * on those depends on CPL, which the two CPUs do not share). */
#define GEN_POPF_BITS 0x244cd5ull
#define GEN_RFLAGS_IF (1ull << 9)
#define GEN_RFLAGS_FIXED (1ull << 1)

#endif
