/*
 * interp_enc.h - a small x86-64 instruction encoder for the differential
 * test of the interpreter against Unicorn (tests/diff/test_interp_unicorn.c).
 *
 * The stream generator (interp_gen.c) describes each instruction as an
 * enc_spec: prefixes, opcode bytes, the ModRM fields, immediates.  This
 * file turns one spec into bytes, working out REX, ModRM, SIB and the
 * displacement.  It knows nothing about which instruction it encodes;
 * the harness decodes every result with our decoder and with Capstone
 * and insists that both read the same length.
 *
 *   enc_spec --enc_encode()--> bytes [legacy prefixes] [REX] opcode
 *                                     [ModRM [SIB] [disp]] [imm] [imm2]
 */
#ifndef TRAPEZE_TESTS_DIFF_INTERP_ENC_H
#define TRAPEZE_TESTS_DIFF_INTERP_ENC_H

#include <stdbool.h>
#include <stdint.h>

#define ENC_MAX_LEN 15
#define ENC_MAX_PFX 4
#define ENC_NO_REG 0xff

/* What the ModRM r/m field names. */
enum enc_rm_kind {
	ENC_RM_REG,  /* a register: rm.reg */
	ENC_RM_BASE, /* [base + disp] */
	ENC_RM_SIB,  /* [base + index*scale + disp]; base ENC_NO_REG: [index*scale + disp32] */
	ENC_RM_RIP,  /* [rip + disp32] aimed at rm.target */
	ENC_RM_ABS,  /* [disp32], through a SIB byte without base or index */
};

struct enc_rm {
	uint8_t kind;      /* enum enc_rm_kind */
	uint8_t reg;       /* ENC_RM_REG: 0..15 */
	uint8_t base;      /* ENC_RM_BASE/SIB: 0..15 or ENC_NO_REG (SIB only) */
	uint8_t index;     /* ENC_RM_SIB: 0..15 except 4 */
	uint8_t scale;     /* ENC_RM_SIB: 1, 2, 4 or 8 */
	uint8_t disp_size; /* 0: the shortest form; 4: force a disp32 */
	int32_t disp;
	uint64_t target;   /* ENC_RM_RIP: the address the operand names */
};

/*
 * One instruction.  Prefix bytes (66, 67, F0, F2, F3, segment overrides)
 * go in pfx[] in the order they should appear; the encoder adds REX when
 * w, rex, a register number above 7, or an opcode register above 7 needs
 * one.
 */
struct enc_spec {
	uint8_t pfx[ENC_MAX_PFX];
	uint8_t npfx;
	bool w;            /* REX.W */
	bool rex;          /* emit a REX byte even if no bit is set (SPL..DIL) */
	uint8_t op[3];     /* opcode bytes, 0F escapes included */
	uint8_t nop;
	int8_t opreg;      /* -1, or a register added to the last opcode byte */
	bool modrm;
	uint8_t reg;       /* ModRM.reg: a register 0..15 or a /digit */
	struct enc_rm rm;
	uint64_t imm;
	uint8_t imm_size;  /* 0, 1, 2, 4 or 8 */
	uint64_t imm2;
	uint8_t imm2_size; /* ENTER's second immediate */
};

/* Does the encoding of s carry a REX byte?  (For byte registers: with
 * REX, numbers 4..7 are SPL..DIL; without it, AH..BH.) */
bool enc_has_rex(const struct enc_spec *s);

/*
 * enc_encode - encode s as the instruction at address `addr` into out.
 * Returns the length (1..15), or 0 if the spec cannot be encoded (more
 * than 15 bytes, a RIP-relative target out of reach, index 4).
 * disp_field: if not NULL, receives the offset of the displacement in
 * out (or -1), for callers that patch a RIP-relative operand later.
 */
unsigned enc_encode(const struct enc_spec *s, uint64_t addr, uint8_t out[ENC_MAX_LEN],
                    int *disp_field);

#endif
