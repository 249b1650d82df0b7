/*
 * interp_gen_branch.c - the snippets that move RIP or RSP: forward
 * branches over short bodies, bounded backward loops, calls to a small
 * function and back, indirect jumps and calls, PUSH/POP, PUSHF/POPF,
 * ENTER/LEAVE.  All targets are labels of the stream (rule 4 of
 * interp_gen_internal.h), and g->depth follows RSP (rule 3).
 *
 * Near branches never carry a 66 prefix: in 64-bit mode Intel ignores it
 * and AMD truncates RIP to 16 bits, so it is outside the contract.
 */
#include <string.h>

#include "interp_gen_internal.h"

#define BODY_MAX 3      /* simple instructions in a body */
#define LOOP_MAX 4      /* iterations of a backward loop */
#define ENTER_MAX_FRAME 256
#define ENTER_MAX_LEVEL 4
#define ENTER_LEVEL_MASK 0x1f
#define RSP_SLOTS 4     /* PUSH/POP [rsp + 8k], k = -1..2 */

static void body(struct gen *g)
{
	unsigned n = gen_rnd(g, BODY_MAX + 1);

	for (unsigned i = 0; i < n; i++)
		gen_simple(g);
}

static bool setup_free(const struct gen *g, unsigned reg)
{
	return gen_writable(g, reg) && !((g->pinned >> reg) & 1);
}

/* ---- branches -------------------------------------------------------------------- */

/* Jcc rel8/rel32, JMP rel8/rel32 or JRCXZ/JECXZ over a short body. */
static void forward_branch(struct gen *g)
{
	struct enc_spec s = gen_spec();
	int over = gen_label(g);
	unsigned kind = gen_rnd(g, 6), cc = gen_rnd(g, 16), rel = 1;

	switch (kind) {
	case 0:
	case 1:
		gen_op(&s, 1, (uint8_t)(0x70 + cc), 0, 0);
		break;
	case 2:
		gen_op(&s, 2, 0x0f, (uint8_t)(0x80 + cc), 0);
		rel = 4;
		break;
	case 3:
		rel = gen_chance(g, 1, 2) ? 1 : 4;
		gen_op(&s, 1, rel == 1 ? 0xeb : 0xe9, 0, 0);
		break;
	default:
		if (gen_chance(g, 1, 2) && setup_free(g, GEN_RCX))
			gen_set_reg(g, GEN_RCX, gen_chance(g, 1, 2) ? 0 : 1ull << 32);
		gen_op(&s, 1, 0xe3, 0, 0);
		if (gen_chance(g, 1, 3))
			gen_pfx(&s, 0x67); /* JECXZ */
		break;
	}
	gen_branch(g, &s, rel, over);
	body(g);
	gen_bind(g, over);
}

/* RCX = 1..LOOP_MAX; top: body; LOOP/LOOPE/LOOPNE top, or DEC ECX; JNZ top. */
static void backward_loop(struct gen *g)
{
	struct enc_spec s = gen_spec();
	uint32_t forbid = g->forbid;
	unsigned kind = gen_rnd(g, 4);
	int top;

	if (!setup_free(g, GEN_RCX))
		return;
	gen_set_reg(g, GEN_RCX, 1 + gen_rnd(g, LOOP_MAX));
	g->forbid |= 1u << GEN_RCX;
	top = gen_label(g);
	gen_bind(g, top);
	body(g);
	if (kind < 3) {
		gen_op(&s, 1, (uint8_t)(0xe2 - kind), 0, 0); /* LOOP, LOOPE, LOOPNE */
		if (gen_chance(g, 1, 4))
			gen_pfx(&s, 0x67); /* counts in ECX */
		gen_branch(g, &s, 1, top);
	} else {
		struct enc_spec dec = gen_spec(); /* dec ecx (FF /1) */
		gen_op(&dec, 1, 0xff, 0, 0);
		dec.modrm = true;
		dec.reg = 1;
		dec.rm.kind = ENC_RM_REG;
		dec.rm.reg = GEN_RCX;
		gen_emit(g, &dec, GEN_C_UNARY);
		if (gen_chance(g, 1, 2)) {
			gen_op(&s, 1, 0x75, 0, 0);
			gen_branch(g, &s, 1, top);
		} else {
			gen_op(&s, 2, 0x0f, 0x85, 0);
			gen_branch(g, &s, 4, top);
		}
	}
	g->forbid = forbid;
}

/* Setup: LEA r, [rip + label]; returns r, or -1 when no register is free. */
static int label_address(struct gen *g, int label)
{
	struct enc_spec s = gen_spec();
	int r = gen_setup_reg(g, 0);

	if (r < 0)
		return -1;
	gen_op(&s, 1, 0x8d, 0, 0);
	s.w = true;
	s.modrm = true;
	s.reg = (uint8_t)r;
	gen_rip_to_label(g, &s, label, GEN_C_SETUP);
	g->pinned |= 1u << r;
	return r;
}

/*
 * An indirect transfer FF /n through register r, or through memory after
 * storing r there (mov [m], r).  ext: 2 for CALL, 4 for JMP.
 */
static void indirect(struct gen *g, int r, unsigned ext)
{
	struct enc_spec s = gen_spec();

	gen_op(&s, 1, 0xff, 0, 0);
	s.modrm = true;
	s.reg = (uint8_t)ext;
	if (gen_chance(g, 1, 2)) {
		struct enc_spec st = gen_spec();
		gen_mem(g, &st, 8, 0);
		s.rm = st.rm;
		for (unsigned i = 0; i < st.npfx; i++)
			gen_pfx(&s, st.pfx[i]);
		gen_op(&st, 1, 0x89, 0, 0);
		st.w = true;
		st.reg = (uint8_t)r;
		gen_emit(g, &st, GEN_C_SETUP);
	} else {
		s.rm.kind = ENC_RM_REG;
		s.rm.reg = (uint8_t)r;
	}
	gen_emit(g, &s, GEN_C_BRANCH);
}

/* JMP r/m64 forward over a body. */
static void indirect_jump(struct gen *g)
{
	int over = gen_label(g);
	int r = label_address(g, over);

	if (r < 0) {
		gen_bind(g, over);
		return;
	}
	indirect(g, r, 4);
	body(g);
	gen_bind(g, over);
}

/*
 * CALL fn (E8, or FF /2 through a register or memory); JMP after;
 * fn: body; RET or RET imm16.  RET imm16 leaves RSP imm16 bytes higher.
 */
static void call_return(struct gen *g)
{
	struct enc_spec s = gen_spec();
	int fn = gen_label(g), after = gen_label(g);
	unsigned pop = gen_chance(g, 1, 4) ? 8 * gen_rnd(g, 3) : 0;

	if (g->depth - 8 < -GEN_DEPTH_MAX || g->depth + (int)pop > GEN_DEPTH_MAX)
		return;
	if (gen_chance(g, 1, 2)) {
		gen_op(&s, 1, 0xe8, 0, 0);
		gen_branch(g, &s, 4, fn);
	} else {
		int r = label_address(g, fn);
		if (r < 0)
			return;
		indirect(g, r, 2);
	}
	s = gen_spec();
	gen_op(&s, 1, 0xeb, 0, 0);
	gen_branch(g, &s, 1, after);
	gen_bind(g, fn);
	body(g);
	s = gen_spec();
	if (pop || gen_chance(g, 1, 8)) {
		gen_op(&s, 1, 0xc2, 0, 0);
		s.imm = pop;
		s.imm_size = 2;
	} else {
		gen_op(&s, 1, 0xc3, 0, 0);
	}
	gen_emit(g, &s, GEN_C_BRANCH);
	gen_bind(g, after);
	g->depth += (int)pop;
}

void gen_branch_snippet(struct gen *g)
{
	if (g->simple)
		return;
	switch (gen_rnd(g, 8)) {
	case 0:
	case 1:
	case 2:
		forward_branch(g);
		break;
	case 3:
	case 4:
		backward_loop(g);
		break;
	case 5:
	case 6:
		call_return(g);
		break;
	default:
		indirect_jump(g);
		break;
	}
}

/* ---- the stack ---------------------------------------------------------------------- */

static bool room(const struct gen *g, int delta)
{
	return g->depth + delta >= -GEN_DEPTH_MAX && g->depth + delta <= GEN_DEPTH_MAX;
}

/*
 * The memory operand of PUSH r/m or POP r/m: the data window, or now and
 * then the stack itself through RSP.  POP computes an RSP-based address
 * with the RSP it has already incremented (SDM, POP).
 */
static void stack_mem(struct gen *g, struct enc_spec *s, unsigned size)
{
	if (gen_chance(g, 2, 3)) {
		gen_mem(g, s, size, 0);
		return;
	}
	s->modrm = true;
	memset(&s->rm, 0, sizeof(s->rm));
	s->rm.kind = ENC_RM_BASE;
	s->rm.base = GEN_RSP;
	s->rm.disp = 8 * ((int32_t)gen_rnd(g, RSP_SLOTS) - 1); /* [rsp-8] .. [rsp+16] */
}

/* PUSH r (50+r), imm8 (6A), imm32 (68), r/m (FF /6); 66 makes them 16-bit. */
static void push(struct gen *g)
{
	struct enc_spec s = gen_spec();
	unsigned size = gen_chance(g, 1, 6) ? 2 : 8, kind = gen_rnd(g, 4);

	if (!room(g, -(int)size))
		return;
	if (size == 2)
		gen_pfx(&s, 0x66);
	if (kind == 0) {
		gen_op(&s, 1, 0x50, 0, 0);
		s.opreg = (int8_t)gen_rnd(g, GEN_NR_GPRS); /* PUSH RSP pushes the old value */
	} else if (kind == 1) {
		gen_op(&s, 1, 0x6a, 0, 0);
		s.imm = gen_value(g);
		s.imm_size = 1;
	} else if (kind == 2) {
		gen_op(&s, 1, 0x68, 0, 0);
		s.imm = gen_value(g);
		s.imm_size = (uint8_t)(size == 2 ? 2 : 4);
	} else {
		gen_op(&s, 1, 0xff, 0, 0);
		s.reg = 6;
		stack_mem(g, &s, size);
	}
	gen_emit(g, &s, GEN_C_STACK);
	g->depth -= (int)size;
}

/* POP r (58+r) or r/m (8F /0); 66 makes them 16-bit. */
static void pop(struct gen *g)
{
	struct enc_spec s = gen_spec();
	unsigned size = gen_chance(g, 1, 6) ? 2 : 8;

	if (!room(g, (int)size))
		return;
	if (size == 2)
		gen_pfx(&s, 0x66);
	if (gen_chance(g, 1, 2)) {
		gen_op(&s, 1, 0x58, 0, 0);
		do
			s.opreg = (int8_t)gen_rnd(g, GEN_NR_GPRS);
		while (!gen_writable(g, (unsigned)s.opreg));
	} else {
		gen_op(&s, 1, 0x8f, 0, 0);
		s.reg = 0;
		stack_mem(g, &s, size);
	}
	gen_emit(g, &s, GEN_C_STACK);
	g->depth += (int)size;
}

static void emit_byte(struct gen *g, bool p66, uint8_t op, enum gen_class cls)
{
	struct enc_spec s = gen_spec();

	if (p66)
		gen_pfx(&s, 0x66);
	gen_op(&s, 1, op, 0, 0);
	gen_emit(g, &s, cls);
}

/*
 * PUSHF/POPF (9C/9D; 66 for 16 bits).  A POPF loads either what PUSHF
 * stored or an image pushed as an immediate, whose IF is 1 and IOPL 0
 * like the current ones (see GEN_POPF_BITS).
 */
static void flags_stack(struct gen *g)
{
	bool p66 = gen_chance(g, 1, 4);
	unsigned size = p66 ? 2 : 8;
	struct enc_spec s = gen_spec();

	if (!room(g, -(int)size))
		return;
	if (gen_chance(g, 1, 2)) {
		emit_byte(g, p66, 0x9c, GEN_C_FLAGS); /* pushf */
	} else {
		if (p66)
			gen_pfx(&s, 0x66);
		gen_op(&s, 1, 0x68, 0, 0); /* push imm: the image */
		s.imm = GEN_RFLAGS_FIXED | GEN_RFLAGS_IF | (gen_rand(g) & GEN_POPF_BITS);
		s.imm_size = (uint8_t)(p66 ? 2 : 4);
		gen_emit(g, &s, GEN_C_SETUP);
	}
	g->depth -= (int)size;
	if (gen_chance(g, 1, 4)) { /* look at it as a value too */
		struct enc_spec ld = gen_spec(); /* mov r, [rsp] */
		int r = gen_setup_reg(g, 0);
		if (r >= 0) {
			gen_op(&ld, 1, 0x8b, 0, 0);
			gen_opsize(&ld, size);
			ld.modrm = true;
			ld.reg = (uint8_t)r;
			ld.rm.kind = ENC_RM_BASE;
			ld.rm.base = GEN_RSP;
			gen_emit(g, &ld, GEN_C_SETUP);
		}
	}
	emit_byte(g, p66, 0x9d, GEN_C_FLAGS); /* popf */
	g->depth += (int)size;
}

/* [MOV RBP, RSP]; ENTER size, level (C8 iw ib); body; LEAVE (C9). */
static void enter_leave(struct gen *g)
{
	struct enc_spec s = gen_spec();
	unsigned level = gen_rnd(g, ENTER_MAX_LEVEL), frame = gen_rnd(g, ENTER_MAX_FRAME + 1);
	uint32_t forbid = g->forbid;
	int need = 8 + (level ? 8 * (int)level : 0) + (int)frame;

	if (!setup_free(g, GEN_RBP) || !room(g, -need))
		return;
	if (level >= 2) {
		/* ENTER copies level-1 frame pointers from [rbp-8] down: point
		 * RBP at the stack, at RSP (the copies then read what ENTER has
		 * just pushed) or a few slots above it */
		struct enc_spec lea = gen_spec(); /* lea rbp, [rsp + 8k] */
		gen_op(&lea, 1, 0x8d, 0, 0);
		lea.w = true;
		lea.modrm = true;
		lea.reg = GEN_RBP;
		lea.rm.kind = ENC_RM_BASE;
		lea.rm.base = GEN_RSP;
		lea.rm.disp = 8 * (int32_t)gen_rnd(g, ENTER_MAX_LEVEL + 1);
		gen_emit(g, &lea, GEN_C_SETUP);
	}
	gen_op(&s, 1, 0xc8, 0, 0);
	s.imm = frame;
	s.imm_size = 2;
	s.imm2 = level | (gen_chance(g, 1, 8) ? ENTER_LEVEL_MASK + 1 : 0); /* masked to 5 bits */
	s.imm2_size = 1;
	gen_emit(g, &s, GEN_C_STACK);
	g->forbid |= 1u << GEN_RBP;
	body(g);
	g->forbid = forbid;
	emit_byte(g, false, 0xc9, GEN_C_STACK);
}

void gen_stack(struct gen *g)
{
	if (g->simple)
		return;
	switch (gen_rnd(g, 7)) {
	case 0:
	case 1:
		push(g);
		break;
	case 2:
	case 3:
		pop(g);
		break;
	case 4:
	case 5:
		flags_stack(g);
		break;
	default:
		enter_leave(g);
		break;
	}
}
