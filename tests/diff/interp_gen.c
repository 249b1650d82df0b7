/*
 * interp_gen.c - the stream generator's frame: randomness, emission,
 * labels and fixups, register and memory operand picking, and the loop
 * that strings snippets into a stream (see interp_gen.h for the memory
 * layout and interp_gen_internal.h for the rules every snippet keeps).
 * The instruction families themselves are in interp_gen_insn.c and
 * interp_gen_branch.c.
 */
#include <stdio.h>
#include <string.h>

#include "interp_gen_internal.h"

#define SNIPPET_ROOM 1024   /* code bytes kept free for one more snippet */
#define SNIPPET_INSNS 48    /* instruction records kept free for one */
#define INDEX_RANGE 64      /* |index register| of a SIB operand */
#define SEG_OVERRIDES 6

/* ---- randomness ------------------------------------------------------------- */

/* splitmix64: tiny, good enough, and the same everywhere. */
uint64_t gen_rand(struct gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t gen_value(struct gen *g)
{
	static const uint64_t edges[] = {
		0, 1, 2, ~0ull, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
		0x80000000, 0xffffffff, 0x100000000ull, 0x7fffffffffffffffull,
		0x8000000000000000ull, 0xffffffff00000000ull, 0x5555555555555555ull,
	};
	unsigned kind = gen_rnd(g, 8);

	if (kind < 2)
		return edges[gen_rnd(g, sizeof(edges) / sizeof(edges[0]))];
	if (kind == 2)
		return gen_rnd(g, 64);
	if (kind == 3)
		return -(uint64_t)gen_rnd(g, 64);
	if (kind == 4) { /* a random value of a random width */
		unsigned shift = 8 * gen_rnd(g, 8); /* drawn first: one order on every compiler */
		return gen_rand(g) >> shift;
	}
	return gen_rand(g);
}

unsigned gen_size(struct gen *g, unsigned sizes)
{
	for (;;) {
		unsigned size = 1u << gen_rnd(g, 4);
		if (sizes & (1u << size))
			return size;
	}
}

/* ---- specs and emission ------------------------------------------------------ */

struct enc_spec gen_spec(void)
{
	struct enc_spec s;

	memset(&s, 0, sizeof(s));
	s.opreg = -1;
	return s;
}

void gen_pfx(struct enc_spec *s, uint8_t b)
{
	for (unsigned i = 0; i < s->npfx; i++)
		if (s->pfx[i] == b)
			return;
	if (s->npfx < ENC_MAX_PFX)
		s->pfx[s->npfx++] = b;
}

void gen_op(struct enc_spec *s, unsigned nbytes, uint8_t b0, uint8_t b1, uint8_t b2)
{
	s->nop = (uint8_t)nbytes;
	s->op[0] = b0;
	s->op[1] = b1;
	s->op[2] = b2;
}

void gen_opsize(struct enc_spec *s, unsigned size)
{
	if (size == 2)
		gen_pfx(s, 0x66);
	else if (size == 8)
		s->w = true;
}

void gen_fail(struct gen *g, const char *what)
{
	if (g->failed)
		return;
	g->failed = true;
	snprintf(g->err, g->errlen, "stream %u: %s at code offset %#x", g->s->index, what,
	         g->pc);
}

void gen_emit(struct gen *g, struct enc_spec *s, enum gen_class cls)
{
	struct gen_stream *st = g->s;
	uint8_t b[ENC_MAX_LEN];
	unsigned n;
	int disp;

	if (g->failed)
		return;
	/* legacy prefixes may come in any order */
	for (unsigned i = s->npfx; i > 1; i--) {
		unsigned j = gen_rnd(g, i);
		uint8_t t = s->pfx[i - 1];
		s->pfx[i - 1] = s->pfx[j];
		s->pfx[j] = t;
	}
	n = enc_encode(s, GEN_CODE_BASE + g->pc, b, &disp);
	if (!n || g->pc + n > GEN_CODE_SIZE || st->ninsn >= GEN_MAX_INSNS) {
		gen_fail(g, n ? "stream too long" : "unencodable instruction");
		return;
	}
	memcpy(st->code + g->pc, b, n);
	st->insn[st->ninsn++] = (struct gen_insn){ .off = g->pc, .len = (uint8_t)n,
	                                           .cls = (uint8_t)cls };
	g->last_disp = disp >= 0 ? (int)g->pc + disp : -1;
	g->pc += n;
}

int gen_label(struct gen *g)
{
	if (g->nlabels >= GEN_MAX_LABELS) {
		gen_fail(g, "too many labels");
		return 0;
	}
	g->label[g->nlabels] = -1;
	return (int)g->nlabels++;
}

void gen_bind(struct gen *g, int label)
{
	g->label[label] = (int32_t)g->pc;
}

static void add_fixup(struct gen *g, uint32_t at, unsigned size, int label)
{
	if (g->nfix >= GEN_MAX_FIXUPS) {
		gen_fail(g, "too many fixups");
		return;
	}
	g->fix[g->nfix++] = (struct gen_fixup){ .at = at, .end = g->pc, .size = (uint8_t)size,
	                                        .label = label };
}

void gen_branch(struct gen *g, struct enc_spec *s, unsigned rel_size, int label)
{
	s->imm = 0;
	s->imm_size = (uint8_t)rel_size;
	gen_emit(g, s, GEN_C_BRANCH);
	if (!g->failed)
		add_fixup(g, g->pc - rel_size, rel_size, label);
}

void gen_rip_to_label(struct gen *g, struct enc_spec *s, int label, enum gen_class cls)
{
	s->rm.kind = ENC_RM_RIP;
	s->rm.target = GEN_CODE_BASE + g->pc; /* patched below */
	gen_emit(g, s, cls);
	if (!g->failed && g->last_disp >= 0)
		add_fixup(g, (uint32_t)g->last_disp, 4, label);
}

/* Patch every branch and RIP-relative field now that all labels are bound. */
static void resolve_fixups(struct gen *g)
{
	for (unsigned i = 0; i < g->nfix && !g->failed; i++) {
		const struct gen_fixup *f = &g->fix[i];
		int64_t rel;

		if (g->label[f->label] < 0) {
			gen_fail(g, "unbound label");
			return;
		}
		rel = (int64_t)g->label[f->label] - (int64_t)f->end;
		if (f->size == 1 && (rel < -128 || rel > 127)) {
			gen_fail(g, "rel8 branch out of reach");
			return;
		}
		for (unsigned k = 0; k < f->size; k++)
			g->s->code[f->at + k] = (uint8_t)((uint64_t)rel >> (8 * k));
	}
}

/* ---- registers and operands ----------------------------------------------------- */

int gen_setup_reg(struct gen *g, uint32_t avoid)
{
	uint32_t bad = g->forbid | g->pinned | avoid;

	if ((bad & 0xffff) == 0xffff)
		return -1;
	for (;;) {
		unsigned r = gen_rnd(g, GEN_NR_GPRS);
		if (!((bad >> r) & 1))
			return (int)r;
	}
}

void gen_regs(struct gen *g, struct enc_spec *s, unsigned reg_size, unsigned rm_size,
              bool reg_used, bool w_reg, bool w_rm)
{
	bool rm_reg = s->rm.kind == ENC_RM_REG;

	s->modrm = true;
	for (;;) {
		bool rex;

		if (reg_used)
			s->reg = (uint8_t)gen_rnd(g, GEN_NR_GPRS);
		if (rm_reg)
			s->rm.reg = (uint8_t)gen_rnd(g, GEN_NR_GPRS);
		s->rex = (reg_size == 1 || rm_size == 1) && gen_chance(g, 1, 3);
		rex = enc_has_rex(s);
		if (reg_used && w_reg && !gen_writable(g, gen_phys(s->reg, reg_size, rex)))
			continue;
		if (rm_reg && w_rm && !gen_writable(g, gen_phys(s->rm.reg, rm_size, rex)))
			continue;
		return;
	}
}

void gen_rm(struct gen *g, struct enc_spec *s, unsigned size, unsigned slack)
{
	s->modrm = true;
	if (gen_chance(g, 2, 5))
		gen_mem(g, s, size, slack);
	else
		s->rm.kind = ENC_RM_REG;
}

/* [base + index*scale + disp] with a setup that puts a small value in the
 * index register, or the base-only form when no register is free. */
static void mem_sib(struct gen *g, struct enc_spec *s, uint64_t addr)
{
	int idx = gen_setup_reg(g, 1u << GEN_RSP);
	int64_t v = (int64_t)gen_rnd(g, 2 * INDEX_RANGE + 1) - INDEX_RANGE;
	uint8_t scale = (uint8_t)(1u << gen_rnd(g, 4));
	bool no_base = gen_chance(g, 1, 4);

	if (idx < 0) {
		s->rm.kind = ENC_RM_BASE;
		s->rm.base = (uint8_t)g->s->base_reg;
		s->rm.disp = (int32_t)(addr - GEN_DATA_PTR);
		return;
	}
	gen_set_reg(g, (unsigned)idx, (uint64_t)v);
	g->pinned |= 1u << idx;
	s->rm.kind = ENC_RM_SIB;
	s->rm.index = (uint8_t)idx;
	s->rm.scale = scale;
	s->rm.base = no_base ? ENC_NO_REG : (uint8_t)g->s->base_reg;
	s->rm.disp = (int32_t)((int64_t)addr - (no_base ? 0 : (int64_t)GEN_DATA_PTR) -
	                       v * scale);
}

void gen_mem(struct gen *g, struct enc_spec *s, unsigned size, unsigned slack)
{
	static const uint8_t segs[SEG_OVERRIDES] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65 };
	uint64_t lo = GEN_DATA_BASE + slack, hi = GEN_DATA_BASE + GEN_DATA_SIZE - slack - size;
	uint64_t addr = lo + gen_rnd(g, (unsigned)(hi - lo + 1));
	unsigned form = gen_rnd(g, 10);

	if (gen_chance(g, 1, 2) && (addr & ~(uint64_t)(size - 1)) >= lo)
		addr &= ~(uint64_t)(size - 1);
	s->modrm = true;
	memset(&s->rm, 0, sizeof(s->rm));
	s->rm.disp_size = gen_chance(g, 1, 4) ? 4 : 0;
	if (form < 3 && !g->simple) {
		mem_sib(g, s, addr);
	} else if (form < 7) {
		s->rm.kind = ENC_RM_BASE;
		s->rm.base = (uint8_t)g->s->base_reg;
		s->rm.disp = (int32_t)(addr - GEN_DATA_PTR);
	} else if (form < 9) {
		s->rm.kind = ENC_RM_RIP;
		s->rm.target = addr;
	} else {
		s->rm.kind = ENC_RM_ABS;
		s->rm.disp = (int32_t)addr;
	}
	if (gen_chance(g, 1, 8))
		gen_pfx(s, 0x67); /* every address here fits in 32 bits */
	if (gen_chance(g, 1, 12))
		gen_pfx(s, segs[gen_rnd(g, SEG_OVERRIDES)]); /* all bases are 0 */
}

void gen_maybe_lock(struct gen *g, struct enc_spec *s)
{
	if (s->rm.kind != ENC_RM_REG && gen_chance(g, 1, 6))
		gen_pfx(s, 0xf0);
}

void gen_set_reg(struct gen *g, unsigned reg, uint64_t v)
{
	struct enc_spec s = gen_spec();

	if (v <= 0xffffffffull && gen_chance(g, 1, 2)) {
		gen_op(&s, 1, 0xb8, 0, 0); /* mov r32, imm32: zero-extends */
		s.opreg = (int8_t)reg;
		s.imm = v;
		s.imm_size = 4;
	} else if ((int64_t)v == (int32_t)v) {
		gen_op(&s, 1, 0xc7, 0, 0); /* mov r/m64, imm32: sign-extends */
		s.w = true;
		s.modrm = true;
		s.rm.kind = ENC_RM_REG;
		s.rm.reg = (uint8_t)reg;
		s.imm = v;
		s.imm_size = 4;
	} else {
		gen_op(&s, 1, 0xb8, 0, 0); /* mov r64, imm64 */
		s.w = true;
		s.opreg = (int8_t)reg;
		s.imm = v;
		s.imm_size = 8;
	}
	gen_emit(g, &s, GEN_C_SETUP);
}

/* ---- the stream ------------------------------------------------------------------ */

const char *gen_class_name(enum gen_class c)
{
	static const char *const names[GEN_C_COUNT] = {
		[GEN_C_SETUP] = "setup",   [GEN_C_ALU] = "alu",       [GEN_C_UNARY] = "unary",
		[GEN_C_SHIFT] = "shift",   [GEN_C_DSHIFT] = "dshift", [GEN_C_MUL] = "mul",
		[GEN_C_DIV] = "div",       [GEN_C_BIT] = "bit",       [GEN_C_BSCAN] = "bscan",
		[GEN_C_STRING] = "string", [GEN_C_BRANCH] = "branch", [GEN_C_STACK] = "stack",
		[GEN_C_FLAGS] = "flags",   [GEN_C_CMOV] = "cmov",     [GEN_C_XCHG] = "xchg",
		[GEN_C_MOVE] = "move",
	};
	return (unsigned)c < GEN_C_COUNT ? names[c] : "?";
}

/* One snippet, the family drawn by weight. */
static void snippet(struct gen *g)
{
	static void (*const families[])(struct gen *) = {
		gen_alu, gen_alu, gen_alu, gen_unary, gen_shift, gen_shift, gen_dshift,
		gen_mul, gen_div, gen_div, gen_bit, gen_bscan, gen_string, gen_string,
		gen_branch_snippet, gen_branch_snippet, gen_stack, gen_flags, gen_cmov,
		gen_xchg, gen_move, gen_move,
	};

	g->pinned = 0;
	families[gen_rnd(g, sizeof(families) / sizeof(families[0]))](g);
}

static void initial_state(struct gen *g)
{
	struct gen_stream *s = g->s;
	static const uint8_t bases[] = { GEN_RBX, GEN_RBP, 8, 9, 10, 11, 12, 13, 14, 15 };

	/* the base register must not be one an instruction writes implicitly
	 * (RAX RCX RDX RSI RDI) */
	s->base_reg = bases[gen_rnd(g, sizeof(bases))];
	for (unsigned r = 0; r < GEN_NR_GPRS; r++)
		s->gpr[r] = gen_value(g);
	s->gpr[GEN_RSP] = GEN_STACK_TOP;
	s->gpr[s->base_reg] = GEN_DATA_PTR;
	s->rflags = GEN_RFLAGS_FIXED | GEN_RFLAGS_IF | (gen_rand(g) & GEN_POPF_BITS);
	for (unsigned i = 0; i < GEN_DATA_SIZE; i++)
		s->data[i] = (uint8_t)gen_rand(g);
	for (unsigned i = 0; i < GEN_STACK_SIZE; i++)
		s->stack[i] = (uint8_t)gen_rand(g);
	g->forbid = 1u << GEN_RSP | 1u << s->base_reg;
}

int gen_stream_build(struct gen_stream *s, uint64_t seed, unsigned index,
                     unsigned snippets, char *err, unsigned errlen)
{
	struct gen g;

	memset(&g, 0, sizeof(g));
	g.s = s;
	g.err = err;
	g.errlen = errlen;
	g.rng = seed ^ ((uint64_t)index * 0xd1342543de82ef95ull);
	g.last_disp = -1;
	memset(s, 0, sizeof(*s));
	s->seed = seed;
	s->index = index;
	initial_state(&g);
	for (unsigned i = 0; i < snippets && !g.failed; i++) {
		if (g.pc + SNIPPET_ROOM > GEN_CODE_SIZE || s->ninsn + SNIPPET_INSNS > GEN_MAX_INSNS)
			break;
		snippet(&g);
	}
	resolve_fixups(&g);
	s->code_len = g.pc;
	return g.failed ? -1 : 0;
}
