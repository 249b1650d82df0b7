/*
 * interp_gen_internal.h - shared between interp_gen.c (the stream:
 * randomness, emission, labels, operand picking) and interp_gen_insn.c
 * (one generator per instruction family).  Nothing else includes it.
 *
 * Rules every snippet generator keeps (they are what makes a stream safe
 * to run on both CPUs without setting anything else up):
 *   1. No instruction writes a register in g->forbid: RSP, the base
 *      register, and while a loop or ENTER body is generated, RCX or RBP.
 *      Byte registers count by the register they live in (AH is RAX).
 *   2. Setup instructions do not write a register in g->pinned: values an
 *      earlier setup of the same snippet put in place (an index register).
 *   3. Memory operands come from gen_mem() (data window) or name the stack
 *      through RSP; g->depth follows RSP exactly and stays within
 *      +-GEN_DEPTH_MAX.
 *   4. Branches go to labels of the same stream; backward branches only
 *      close loops whose count register the body cannot write.
 *   5. In "simple" mode (bodies of skipped regions, loops and functions) a
 *      generator emits exactly one instruction, with no setup, no stack
 *      access and no branch.
 */
#ifndef TRAPEZE_TESTS_DIFF_INTERP_GEN_INTERNAL_H
#define TRAPEZE_TESTS_DIFF_INTERP_GEN_INTERNAL_H

#include "interp_enc.h"
#include "interp_gen.h"

#define GEN_MAX_FIXUPS 256
#define GEN_MAX_LABELS 256
#define GEN_DEPTH_MAX 3072 /* bytes RSP may move from GEN_STACK_TOP */
#define GEN_RSP 4
#define GEN_RAX 0
#define GEN_RCX 1
#define GEN_RDX 2
#define GEN_RBX 3
#define GEN_RBP 5
#define GEN_RSI 6
#define GEN_RDI 7

/* A branch or RIP-relative field to patch once its label is bound. */
struct gen_fixup {
	uint32_t at;  /* offset of the field in the code */
	uint32_t end; /* offset of the end of the instruction */
	uint8_t size; /* 1 or 4 */
	int label;
};

struct gen {
	struct gen_stream *s;
	uint64_t rng;
	uint32_t pc;      /* next free code offset */
	uint32_t forbid;  /* rule 1: one bit per register */
	uint32_t pinned;  /* rule 2 */
	int depth;        /* RSP - GEN_STACK_TOP */
	bool simple;      /* rule 5 */
	int last_disp;    /* code offset of the last emitted displacement, or -1 */
	bool failed;
	char *err;
	unsigned errlen;
	struct gen_fixup fix[GEN_MAX_FIXUPS];
	unsigned nfix;
	int32_t label[GEN_MAX_LABELS]; /* bound offset, or -1 */
	unsigned nlabels;
};

/* ---- randomness (interp_gen.c) ---- */
uint64_t gen_rand(struct gen *g);
static inline unsigned gen_rnd(struct gen *g, unsigned n) { return (unsigned)(gen_rand(g) % n); }
static inline bool gen_chance(struct gen *g, unsigned num, unsigned den)
{
	return gen_rnd(g, den) < num;
}
/* A value biased towards the edges: 0, 1, -1, sign bits, maxima. */
uint64_t gen_value(struct gen *g);
/* An operand size: 1, 2, 4 or 8 (sizes: a mask of allowed ones, bit = size). */
unsigned gen_size(struct gen *g, unsigned sizes);
#define GEN_SZ_ALL (1u << 1 | 1u << 2 | 1u << 4 | 1u << 8)
#define GEN_SZ_WDQ (1u << 2 | 1u << 4 | 1u << 8)
#define GEN_SZ_DQ (1u << 4 | 1u << 8)

/* ---- specs and emission (interp_gen.c) ---- */
struct enc_spec gen_spec(void);
void gen_pfx(struct enc_spec *s, uint8_t b);
void gen_op(struct enc_spec *s, unsigned nbytes, uint8_t b0, uint8_t b1, uint8_t b2);
/* 66 for 2 bytes, REX.W for 8. */
void gen_opsize(struct enc_spec *s, unsigned size);
/* Immediate bytes for an operation of `size` bytes (8 takes an imm32). */
static inline unsigned gen_imm_size(unsigned size) { return size >= 4 ? 4 : size; }
void gen_emit(struct gen *g, struct enc_spec *s, enum gen_class cls);
void gen_fail(struct gen *g, const char *what);

int gen_label(struct gen *g);
void gen_bind(struct gen *g, int label);
/* Emit s (whose last immediate is the rel field of `rel_size` bytes) as a
 * branch to `label`. */
void gen_branch(struct gen *g, struct enc_spec *s, unsigned rel_size, int label);
/* Emit s, whose RIP-relative operand is patched to point at `label`. */
void gen_rip_to_label(struct gen *g, struct enc_spec *s, int label, enum gen_class cls);

/* ---- registers and operands (interp_gen.c) ---- */
/* The register an encoding touches: AH..BH (byte, no REX) live in RAX..RBX. */
static inline unsigned gen_phys(unsigned enc, unsigned size, bool rex)
{
	return (size == 1 && !rex && enc >= 4 && enc < 8) ? enc - 4 : enc;
}
static inline bool gen_writable(const struct gen *g, unsigned phys)
{
	return !((g->forbid >> phys) & 1);
}
/* A register a setup instruction may write (rules 1 and 2), or -1. */
int gen_setup_reg(struct gen *g, uint32_t avoid);
/*
 * Fill in ModRM register numbers: reg (when reg_used) and rm.reg (when rm
 * is a register) at sizes reg_size/rm_size, such that the written ones
 * are writable.  Byte operations sometimes carry a bare REX (SPL..DIL).
 */
void gen_regs(struct gen *g, struct enc_spec *s, unsigned reg_size, unsigned rm_size,
              bool reg_used, bool w_reg, bool w_rm);
/* rm is a memory operand in the data window (gen_mem) or a register. */
void gen_rm(struct gen *g, struct enc_spec *s, unsigned size, unsigned slack);
/* rm names `size` bytes in the data window, `slack` bytes from its edges;
 * may emit a setup for an index register (not in simple mode). */
void gen_mem(struct gen *g, struct enc_spec *s, unsigned size, unsigned slack);
/* LOCK on a memory destination, sometimes. */
void gen_maybe_lock(struct gen *g, struct enc_spec *s);
/* Setup: reg (all 64 bits) = v. */
void gen_set_reg(struct gen *g, unsigned reg, uint64_t v);

/* ---- the families (interp_gen_insn.c) ---- */
void gen_alu(struct gen *g);
void gen_unary(struct gen *g);
void gen_shift(struct gen *g);
void gen_dshift(struct gen *g);
void gen_mul(struct gen *g);
void gen_div(struct gen *g);
void gen_bit(struct gen *g);
void gen_bscan(struct gen *g);
void gen_string(struct gen *g);
void gen_stack(struct gen *g);
void gen_flags(struct gen *g);
void gen_cmov(struct gen *g);
void gen_xchg(struct gen *g);
void gen_move(struct gen *g);
/* interp_gen_branch.c */
void gen_branch_snippet(struct gen *g);
/* One instruction for a body (rule 5). */
void gen_simple(struct gen *g);

#endif
