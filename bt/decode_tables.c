/*
 * decode_tables.c - the opcode tables of the x86 decoder, in the SDM's
 * notation.
 *
 * The decoder engine (bt/decode.c) walks these tables: the opcode byte picks
 * a row of its map; an escape row picks again by ModRM.reg, ModRM.mod,
 * ModRM.rm, the mandatory prefix, the mode, REX.W or REX.B, until it reaches
 * an instruction row.  A row names the operation (enum x86_mnemonic), its
 * operands as the SDM's opcode maps write them (Intel SDM Vol. 2,
 * Appendix A: "Ev,Gv" means a ModRM r/m operand and a ModRM reg operand of
 * the operand size), and flags (lockable, i64/o64/d64/f64, privileged, ...).
 *
 * Operand notation (SDM A.2.1, A.2.2), as used in the rows below:
 *   A far pointer immediate   C CR in ModRM.reg       D DR in ModRM.reg
 *   E ModRM r/m: reg or mem   G GPR in ModRM.reg      I immediate
 *   J relative offset         M ModRM r/m, memory     O moffs (no ModRM)
 *   R ModRM r/m, register     S Sreg in ModRM.reg     X DS:rSI   Y ES:rDI
 *   Z register in the opcode's low 3 bits (the SDM's "rAX/r8" ... "rDI/r15")
 *   b byte  w word  d dword  q qword  dq 16 bytes  v 16/32/64  z 16/32
 *   y 32/64  p far pointer  s pseudo-descriptor  a BOUND pair
 * Our additions: "bs" a byte sign-extended to the operand size (the SDM
 * writes Ib and says so in the instruction's page); "dqm" the SDM's "d/q"
 * (32 bits, 64 in 64-bit mode); "RvMw"/"RzMw" the SDM's "Rv/Mw" (register
 * of the operand size, or a word in memory).
 *
 * Flags: LK lockable, I64 invalid in 64-bit mode, O64 64-bit mode only, D64
 * default 64-bit operand size in 64-bit mode (66 gives 16, 32 cannot be
 * encoded), F64 forced 64-bit (66 ignored: Intel's behaviour, see
 * docs/decoder.md), PRIV CPL 0 only, IOPL sensitive to IOPL/CR4, BR branch,
 * FR/FW read/write RFLAGS, REP string instruction, MRM has a ModRM byte
 * although no operand needs it, MREG ModRM.mod ignored (always a register),
 * LEN length-only.
 */
#include "bt/decode_tables.h"

/* ---- row and operand notation ------------------------------------------- */

#define SPEC(a, t) { X86_AM_##a, X86_OT_##t, 0 }

#define Ap SPEC(A, p)
#define Cd SPEC(C, dqm)
#define Dd SPEC(D, dqm)
#define Eb SPEC(E, b)
#define Ew SPEC(E, w)
#define Ev SPEC(E, v)
#define Ey SPEC(E, y)
#define Ed SPEC(E, dqm) /* VMREAD/VMWRITE: 32 bits, 64 in 64-bit mode */
#define ERvMw SPEC(E, RvMw)
#define ERzMw SPEC(E, RzMw)
#define Gb SPEC(G, b)
#define Gw SPEC(G, w)
#define Gv SPEC(G, v)
#define Gz SPEC(G, z)
#define Gy SPEC(G, y)
#define Gd SPEC(G, dqm)
#define Ib SPEC(I, b)
#define Ibs SPEC(I, bs)
#define Iw SPEC(I, w)
#define Iz SPEC(I, z)
#define Iv SPEC(I, v)
#define Jb SPEC(J, b)
#define Jz SPEC(J, z)
#define M SPEC(M, NONE) /* an address only (LEA) */
#define Ma SPEC(M, a)
#define Mb SPEC(M, b)
#define Md SPEC(M, d)
#define Mq SPEC(M, q)
#define Mdq SPEC(M, dq)
#define Mp SPEC(M, p)
#define Ms SPEC(M, s)
#define Mv SPEC(M, v)
#define Mw SPEC(M, w)
#define My SPEC(M, y)
#define Mx SPEC(M, x) /* memory of a size the row does not describe */
#define Ob SPEC(O, b)
#define Ov SPEC(O, v)
#define Rd SPEC(R, dqm)
#define Rv SPEC(R, v)
#define Ry SPEC(R, y)
#define Sw SPEC(S, w)
#define Xb SPEC(X, b)
#define Xv SPEC(X, v)
#define Xz SPEC(X, z)
#define Yb SPEC(Y, b)
#define Yv SPEC(Y, v)
#define Yz SPEC(Y, z)
#define Zb SPEC(Z, b)
#define Zv SPEC(Z, v)
#define One SPEC(ONE, b)

#define FIXED(t, r) { X86_AM_FIXED, X86_OT_##t, X86_##r }
#define AL FIXED(b, RAX)
#define CL FIXED(b, RCX)
#define DX FIXED(w, RDX)
#define eAX FIXED(z, RAX)
#define rAX FIXED(v, RAX)

#define SREG(s) { X86_AM_SEG, X86_OT_w, X86_SEG_##s }
#define ES SREG(ES)
#define CS SREG(CS)
#define SS SREG(SS)
#define DS SREG(DS)
#define FS SREG(FS)
#define GS SREG(GS)

#define LK X86_F_LOCK
#define PRIV X86_F_PRIV
#define IOPL X86_F_IOPL
#define I64 X86_F_I64
#define O64 X86_F_O64
#define D64 X86_F_D64
#define F64 X86_F_F64
#define MRM X86_F_MODRM
#define MREG X86_F_MODREG
#define REP X86_F_REP
#define BR X86_F_BRANCH
#define FR X86_F_FLAGS_R
#define FW X86_F_FLAGS_W
#define FRW (X86_F_FLAGS_R | X86_F_FLAGS_W)
#define LEN X86_F_LENGTH

#define I0(m, f) { .mnem = X86_I_##m, .flags = (f) }
#define I1(m, a, f) { .mnem = X86_I_##m, .flags = (f), .op = { a } }
#define I2(m, a, b, f) { .mnem = X86_I_##m, .flags = (f), .op = { a, b } }
#define I3(m, a, b, c, f) { .mnem = X86_I_##m, .flags = (f), .op = { a, b, c } }
/* For rows built by other macros (the operands arrive already expanded into
 * brace lists, whose commas would split I2's arguments): */
#define ROW(m, f, ...) { .mnem = X86_I_##m, .flags = (f), .op = { __VA_ARGS__ } }
#define ESC(kind, rows) { .esc = X86_ESC_##kind, .sub = (rows) }
#define UD { .mnem = X86_I_INVALID }

/* Length-only rows: SSE/MMX with a ModRM byte, and with an imm8 too. */
#define SSE I0(SSE, LEN | MRM)
#define SSE_IB I1(SSE, Ib, LEN | MRM)
#define X87 I0(X87, LEN | MRM)

unsigned x86_esc_rows(enum x86_esc esc)
{
	switch (esc) {
	case X86_ESC_REG:
	case X86_ESC_RM:
		return 8;
	case X86_ESC_PREFIX:
		return 4;
	case X86_ESC_MOD:
	case X86_ESC_MODE64:
	case X86_ESC_REXW:
	case X86_ESC_REXB:
		return 2;
	case X86_ESC_NONE:
		break;
	}
	return 0;
}

/* ---- one-byte map groups (SDM Table A-6) --------------------------------- */

/* Group 1: 80 Eb,Ib / 81 Ev,Iz / 82 Eb,Ib (i64) / 83 Ev,Ib (sign-extended) */
#define GROUP1(e, i, f)                                                                \
	{                                                                              \
		ROW(ADD, LK | FW | (f), e, i), ROW(OR, LK | FW | (f), e, i),           \
		ROW(ADC, LK | FRW | (f), e, i), ROW(SBB, LK | FRW | (f), e, i),        \
		ROW(AND, LK | FW | (f), e, i), ROW(SUB, LK | FW | (f), e, i),          \
		ROW(XOR, LK | FW | (f), e, i), ROW(CMP, FW | (f), e, i),               \
	}
static const struct x86_opcode grp1_80[8] = GROUP1(Eb, Ib, 0);
static const struct x86_opcode grp1_81[8] = GROUP1(Ev, Iz, 0);
static const struct x86_opcode grp1_82[8] = GROUP1(Eb, Ib, I64);
static const struct x86_opcode grp1_83[8] = GROUP1(Ev, Ibs, 0);

/* Group 1A: 8F /0 is POP Ev; /1../7 are the XOP escape (AMD), handled in
 * decode.c before this table is reached, or #UD. */
static const struct x86_opcode grp1a_8f[8] = {
	I1(POP, Ev, D64), UD, UD, UD, UD, UD, UD, UD,
};

/* Group 2: shifts and rotates.  /6 is undocumented by Intel; CPUs execute
 * it as SHL, and disassemblers call it SAL. */
#define GROUP2(e, c)                                                                   \
	{                                                                              \
		ROW(ROL, FW, e, c), ROW(ROR, FW, e, c), ROW(RCL, FRW, e, c),           \
		ROW(RCR, FRW, e, c), ROW(SHL, FW, e, c), ROW(SHR, FW, e, c),           \
		ROW(SAL, FW, e, c), ROW(SAR, FW, e, c),                                \
	}
static const struct x86_opcode grp2_c0[8] = GROUP2(Eb, Ib);
static const struct x86_opcode grp2_c1[8] = GROUP2(Ev, Ib);
static const struct x86_opcode grp2_d0[8] = GROUP2(Eb, One);
static const struct x86_opcode grp2_d1[8] = GROUP2(Ev, One);
static const struct x86_opcode grp2_d2[8] = GROUP2(Eb, CL);
static const struct x86_opcode grp2_d3[8] = GROUP2(Ev, CL);

/* Group 3: /1 is an undocumented alias of /0 (TEST) that CPUs execute. */
static const struct x86_opcode grp3_f6[8] = {
	I2(TEST, Eb, Ib, FW), I2(TEST, Eb, Ib, FW), I1(NOT, Eb, LK), I1(NEG, Eb, LK | FW),
	I1(MUL, Eb, FW),      I1(IMUL, Eb, FW),     I1(DIV, Eb, FW), I1(IDIV, Eb, FW),
};
static const struct x86_opcode grp3_f7[8] = {
	I2(TEST, Ev, Iz, FW), I2(TEST, Ev, Iz, FW), I1(NOT, Ev, LK), I1(NEG, Ev, LK | FW),
	I1(MUL, Ev, FW),      I1(IMUL, Ev, FW),     I1(DIV, Ev, FW), I1(IDIV, Ev, FW),
};

/* Group 4 and 5 */
static const struct x86_opcode grp4_fe[8] = {
	I1(INC, Eb, LK | FW), I1(DEC, Eb, LK | FW), UD, UD, UD, UD, UD, UD,
};
static const struct x86_opcode grp5_ff[8] = {
	I1(INC, Ev, LK | FW), I1(DEC, Ev, LK | FW), I1(CALL, Ev, F64 | BR),
	I1(CALLF, Mp, BR),    I1(JMP, Ev, F64 | BR), I1(JMPF, Mp, BR),
	I1(PUSH, Ev, D64),    UD,
};

/* Group 11: C6/C7 /0 MOV; C6 F8 is XABORT Ib and C7 F8 is XBEGIN Jz (RTM) */
static const struct x86_opcode grp11_c6_rm[8] = {
	I1(XABORT, Ib, 0), UD, UD, UD, UD, UD, UD, UD,
};
static const struct x86_opcode grp11_c6_7[2] = { UD, ESC(RM, grp11_c6_rm) };
static const struct x86_opcode grp11_c6[8] = {
	I2(MOV, Eb, Ib, 0), UD, UD, UD, UD, UD, UD, ESC(MOD, grp11_c6_7),
};
static const struct x86_opcode grp11_c7_rm[8] = {
	I1(XBEGIN, Jz, F64 | BR), UD, UD, UD, UD, UD, UD, UD,
};
static const struct x86_opcode grp11_c7_7[2] = { UD, ESC(RM, grp11_c7_rm) };
static const struct x86_opcode grp11_c7[8] = {
	I2(MOV, Ev, Iz, 0), UD, UD, UD, UD, UD, UD, ESC(MOD, grp11_c7_7),
};

/* 63: ARPL Ew,Gw outside 64-bit mode; MOVSXD Gv,Ez in 64-bit mode (without
 * REX.W it is a 32-bit move, which assemblers discourage but CPUs run). */
static const struct x86_opcode op_63[2] = {
	I2(ARPL, Ew, Gw, FW),
	I2(MOVSXD, Gv, SPEC(E, z), 0),
};

/* 90: NOP, but with REX.B it is XCHG rAX,r8 (a real exchange: in 64-bit
 * mode "xchg eax, r8d" zero-extends both); F3 90 is PAUSE.  91..97 are
 * written rAX,Z as in the instruction page (the map says Z,rAX). */
static const struct x86_opcode op_90_nop[4] = {
	I0(NOP, 0), I0(NOP, 0), I0(PAUSE, 0), I0(NOP, 0),
};
static const struct x86_opcode op_90[2] = {
	ESC(PREFIX, op_90_nop),
	I2(XCHG, rAX, Zv, 0),
};

/* ---- the one-byte map (SDM Table A-2) ------------------------------------ */

const struct x86_opcode x86_map_onebyte[X86_MAP_ROWS] = {
	[0x00] = I2(ADD, Eb, Gb, LK | FW),
	[0x01] = I2(ADD, Ev, Gv, LK | FW),
	[0x02] = I2(ADD, Gb, Eb, FW),
	[0x03] = I2(ADD, Gv, Ev, FW),
	[0x04] = I2(ADD, AL, Ib, FW),
	[0x05] = I2(ADD, rAX, Iz, FW),
	[0x06] = I1(PUSH, ES, I64),
	[0x07] = I1(POP, ES, I64),
	[0x08] = I2(OR, Eb, Gb, LK | FW),
	[0x09] = I2(OR, Ev, Gv, LK | FW),
	[0x0a] = I2(OR, Gb, Eb, FW),
	[0x0b] = I2(OR, Gv, Ev, FW),
	[0x0c] = I2(OR, AL, Ib, FW),
	[0x0d] = I2(OR, rAX, Iz, FW),
	[0x0e] = I1(PUSH, CS, I64),
	/* 0x0f: two-byte escape, handled by the decoder */
	[0x10] = I2(ADC, Eb, Gb, LK | FRW),
	[0x11] = I2(ADC, Ev, Gv, LK | FRW),
	[0x12] = I2(ADC, Gb, Eb, FRW),
	[0x13] = I2(ADC, Gv, Ev, FRW),
	[0x14] = I2(ADC, AL, Ib, FRW),
	[0x15] = I2(ADC, rAX, Iz, FRW),
	[0x16] = I1(PUSH, SS, I64),
	[0x17] = I1(POP, SS, I64),
	[0x18] = I2(SBB, Eb, Gb, LK | FRW),
	[0x19] = I2(SBB, Ev, Gv, LK | FRW),
	[0x1a] = I2(SBB, Gb, Eb, FRW),
	[0x1b] = I2(SBB, Gv, Ev, FRW),
	[0x1c] = I2(SBB, AL, Ib, FRW),
	[0x1d] = I2(SBB, rAX, Iz, FRW),
	[0x1e] = I1(PUSH, DS, I64),
	[0x1f] = I1(POP, DS, I64),
	[0x20] = I2(AND, Eb, Gb, LK | FW),
	[0x21] = I2(AND, Ev, Gv, LK | FW),
	[0x22] = I2(AND, Gb, Eb, FW),
	[0x23] = I2(AND, Gv, Ev, FW),
	[0x24] = I2(AND, AL, Ib, FW),
	[0x25] = I2(AND, rAX, Iz, FW),
	/* 0x26: ES segment prefix */
	[0x27] = I0(DAA, I64 | FRW),
	[0x28] = I2(SUB, Eb, Gb, LK | FW),
	[0x29] = I2(SUB, Ev, Gv, LK | FW),
	[0x2a] = I2(SUB, Gb, Eb, FW),
	[0x2b] = I2(SUB, Gv, Ev, FW),
	[0x2c] = I2(SUB, AL, Ib, FW),
	[0x2d] = I2(SUB, rAX, Iz, FW),
	/* 0x2e: CS segment prefix (a branch hint on Jcc) */
	[0x2f] = I0(DAS, I64 | FRW),
	[0x30] = I2(XOR, Eb, Gb, LK | FW),
	[0x31] = I2(XOR, Ev, Gv, LK | FW),
	[0x32] = I2(XOR, Gb, Eb, FW),
	[0x33] = I2(XOR, Gv, Ev, FW),
	[0x34] = I2(XOR, AL, Ib, FW),
	[0x35] = I2(XOR, rAX, Iz, FW),
	/* 0x36: SS segment prefix */
	[0x37] = I0(AAA, I64 | FRW),
	[0x38] = I2(CMP, Eb, Gb, FW),
	[0x39] = I2(CMP, Ev, Gv, FW),
	[0x3a] = I2(CMP, Gb, Eb, FW),
	[0x3b] = I2(CMP, Gv, Ev, FW),
	[0x3c] = I2(CMP, AL, Ib, FW),
	[0x3d] = I2(CMP, rAX, Iz, FW),
	/* 0x3e: DS segment prefix (a branch hint on Jcc, NOTRACK on JMP/CALL Ev) */
	[0x3f] = I0(AAS, I64 | FRW),
	/* 40..4F: REX prefixes in 64-bit mode (consumed before the table) */
	[0x40] = I1(INC, Zv, I64 | FW), [0x41] = I1(INC, Zv, I64 | FW),
	[0x42] = I1(INC, Zv, I64 | FW), [0x43] = I1(INC, Zv, I64 | FW),
	[0x44] = I1(INC, Zv, I64 | FW), [0x45] = I1(INC, Zv, I64 | FW),
	[0x46] = I1(INC, Zv, I64 | FW), [0x47] = I1(INC, Zv, I64 | FW),
	[0x48] = I1(DEC, Zv, I64 | FW), [0x49] = I1(DEC, Zv, I64 | FW),
	[0x4a] = I1(DEC, Zv, I64 | FW), [0x4b] = I1(DEC, Zv, I64 | FW),
	[0x4c] = I1(DEC, Zv, I64 | FW), [0x4d] = I1(DEC, Zv, I64 | FW),
	[0x4e] = I1(DEC, Zv, I64 | FW), [0x4f] = I1(DEC, Zv, I64 | FW),
	[0x50] = I1(PUSH, Zv, D64), [0x51] = I1(PUSH, Zv, D64),
	[0x52] = I1(PUSH, Zv, D64), [0x53] = I1(PUSH, Zv, D64),
	[0x54] = I1(PUSH, Zv, D64), [0x55] = I1(PUSH, Zv, D64),
	[0x56] = I1(PUSH, Zv, D64), [0x57] = I1(PUSH, Zv, D64),
	[0x58] = I1(POP, Zv, D64), [0x59] = I1(POP, Zv, D64),
	[0x5a] = I1(POP, Zv, D64), [0x5b] = I1(POP, Zv, D64),
	[0x5c] = I1(POP, Zv, D64), [0x5d] = I1(POP, Zv, D64),
	[0x5e] = I1(POP, Zv, D64), [0x5f] = I1(POP, Zv, D64),
	[0x60] = I0(PUSHA, I64),
	[0x61] = I0(POPA, I64),
	/* 62: BOUND, or EVEX (always in 64-bit mode; elsewhere when the next
	 * byte has mod=11, which BOUND cannot use) - decided in decode.c */
	[0x62] = I2(BOUND, Gv, Ma, I64),
	[0x63] = ESC(MODE64, op_63),
	/* 64, 65: FS, GS segment prefixes; 66, 67: operand/address size */
	[0x68] = I1(PUSH, Iz, D64),
	[0x69] = I3(IMUL, Gv, Ev, Iz, FW),
	[0x6a] = I1(PUSH, Ibs, D64),
	[0x6b] = I3(IMUL, Gv, Ev, Ibs, FW),
	[0x6c] = I2(INS, Yb, DX, REP | IOPL | FR),
	[0x6d] = I2(INS, Yz, DX, REP | IOPL | FR),
	[0x6e] = I2(OUTS, DX, Xb, REP | IOPL | FR),
	[0x6f] = I2(OUTS, DX, Xz, REP | IOPL | FR),
	[0x70] = I1(JCC, Jb, F64 | BR | FR), [0x71] = I1(JCC, Jb, F64 | BR | FR),
	[0x72] = I1(JCC, Jb, F64 | BR | FR), [0x73] = I1(JCC, Jb, F64 | BR | FR),
	[0x74] = I1(JCC, Jb, F64 | BR | FR), [0x75] = I1(JCC, Jb, F64 | BR | FR),
	[0x76] = I1(JCC, Jb, F64 | BR | FR), [0x77] = I1(JCC, Jb, F64 | BR | FR),
	[0x78] = I1(JCC, Jb, F64 | BR | FR), [0x79] = I1(JCC, Jb, F64 | BR | FR),
	[0x7a] = I1(JCC, Jb, F64 | BR | FR), [0x7b] = I1(JCC, Jb, F64 | BR | FR),
	[0x7c] = I1(JCC, Jb, F64 | BR | FR), [0x7d] = I1(JCC, Jb, F64 | BR | FR),
	[0x7e] = I1(JCC, Jb, F64 | BR | FR), [0x7f] = I1(JCC, Jb, F64 | BR | FR),
	[0x80] = ESC(REG, grp1_80),
	[0x81] = ESC(REG, grp1_81),
	[0x82] = ESC(REG, grp1_82), /* an alias of 80, invalid in 64-bit mode */
	[0x83] = ESC(REG, grp1_83),
	[0x84] = I2(TEST, Eb, Gb, FW),
	[0x85] = I2(TEST, Ev, Gv, FW),
	[0x86] = I2(XCHG, Eb, Gb, LK), /* with memory, locked even without LOCK */
	[0x87] = I2(XCHG, Ev, Gv, LK),
	[0x88] = I2(MOV, Eb, Gb, 0),
	[0x89] = I2(MOV, Ev, Gv, 0),
	[0x8a] = I2(MOV, Gb, Eb, 0),
	[0x8b] = I2(MOV, Gv, Ev, 0),
	/* 8C: the SDM's map says Ev,Sw; the instruction page says a memory
	 * destination is always 16 bits, a register one the operand size. */
	[0x8c] = I2(MOV, ERvMw, Sw, 0),
	[0x8d] = I2(LEA, Gv, M, 0),
	/* 8E: Sw,Ew; loading CS is #UD (checked in decode.c); the register
	 * source is shown at the operand size, only its low 16 bits are used */
	[0x8e] = I2(MOV, Sw, ERvMw, 0),
	[0x8f] = ESC(REG, grp1a_8f),
	[0x90] = ESC(REXB, op_90),
	[0x91] = I2(XCHG, rAX, Zv, 0), [0x92] = I2(XCHG, rAX, Zv, 0),
	[0x93] = I2(XCHG, rAX, Zv, 0), [0x94] = I2(XCHG, rAX, Zv, 0),
	[0x95] = I2(XCHG, rAX, Zv, 0), [0x96] = I2(XCHG, rAX, Zv, 0),
	[0x97] = I2(XCHG, rAX, Zv, 0),
	[0x98] = I0(CBW, 0), /* CBW/CWDE/CDQE by operand size */
	[0x99] = I0(CWD, 0), /* CWD/CDQ/CQO */
	[0x9a] = I1(CALLF, Ap, I64 | BR),
	[0x9b] = I0(WAIT, 0),
	[0x9c] = I0(PUSHF, D64 | FR),
	[0x9d] = I0(POPF, D64 | FW),
	[0x9e] = I0(SAHF, FW),
	[0x9f] = I0(LAHF, FR),
	[0xa0] = I2(MOV, AL, Ob, 0),
	[0xa1] = I2(MOV, rAX, Ov, 0),
	[0xa2] = I2(MOV, Ob, AL, 0),
	[0xa3] = I2(MOV, Ov, rAX, 0),
	[0xa4] = I2(MOVS, Yb, Xb, REP | FR),
	[0xa5] = I2(MOVS, Yv, Xv, REP | FR),
	[0xa6] = I2(CMPS, Xb, Yb, REP | FRW),
	[0xa7] = I2(CMPS, Xv, Yv, REP | FRW),
	[0xa8] = I2(TEST, AL, Ib, FW),
	[0xa9] = I2(TEST, rAX, Iz, FW),
	[0xaa] = I2(STOS, Yb, AL, REP | FR),
	[0xab] = I2(STOS, Yv, rAX, REP | FR),
	[0xac] = I2(LODS, AL, Xb, REP | FR),
	[0xad] = I2(LODS, rAX, Xv, REP | FR),
	[0xae] = I2(SCAS, AL, Yb, REP | FRW),
	[0xaf] = I2(SCAS, rAX, Yv, REP | FRW),
	[0xb0] = I2(MOV, Zb, Ib, 0), [0xb1] = I2(MOV, Zb, Ib, 0),
	[0xb2] = I2(MOV, Zb, Ib, 0), [0xb3] = I2(MOV, Zb, Ib, 0),
	[0xb4] = I2(MOV, Zb, Ib, 0), [0xb5] = I2(MOV, Zb, Ib, 0),
	[0xb6] = I2(MOV, Zb, Ib, 0), [0xb7] = I2(MOV, Zb, Ib, 0),
	[0xb8] = I2(MOV, Zv, Iv, 0), [0xb9] = I2(MOV, Zv, Iv, 0), /* imm64 with REX.W */
	[0xba] = I2(MOV, Zv, Iv, 0), [0xbb] = I2(MOV, Zv, Iv, 0),
	[0xbc] = I2(MOV, Zv, Iv, 0), [0xbd] = I2(MOV, Zv, Iv, 0),
	[0xbe] = I2(MOV, Zv, Iv, 0), [0xbf] = I2(MOV, Zv, Iv, 0),
	[0xc0] = ESC(REG, grp2_c0),
	[0xc1] = ESC(REG, grp2_c1),
	[0xc2] = I1(RET, Iw, F64 | BR),
	[0xc3] = I0(RET, F64 | BR),
	/* C4/C5: LES/LDS, or a VEX prefix (always in 64-bit mode; elsewhere
	 * when the next byte has mod=11) - decided in decode.c */
	[0xc4] = I2(LES, Gz, Mp, I64),
	[0xc5] = I2(LDS, Gz, Mp, I64),
	[0xc6] = ESC(REG, grp11_c6),
	[0xc7] = ESC(REG, grp11_c7),
	[0xc8] = I2(ENTER, Iw, Ib, D64),
	[0xc9] = I0(LEAVE, D64),
	[0xca] = I1(RETF, Iw, BR),
	[0xcb] = I0(RETF, BR),
	[0xcc] = I0(INT3, BR | FRW), /* INT n pushes RFLAGS, clears IF/TF */
	[0xcd] = I1(INT, Ib, BR | FRW),
	[0xce] = I0(INTO, I64 | BR | FRW),
	[0xcf] = I0(IRET, BR | FW), /* IRET/IRETD/IRETQ by operand size */
	[0xd0] = ESC(REG, grp2_d0),
	[0xd1] = ESC(REG, grp2_d1),
	[0xd2] = ESC(REG, grp2_d2),
	[0xd3] = ESC(REG, grp2_d3),
	[0xd4] = I1(AAM, Ib, I64 | FW),
	[0xd5] = I1(AAD, Ib, I64 | FW),
	/* D6: SALC, undocumented by Intel (a blank in the map) but executed by
	 * its CPUs outside 64-bit mode */
	[0xd6] = I0(SALC, I64 | FR),
	[0xd7] = I0(XLAT, 0), /* AL = [seg:rBX + AL]; no operand listed */
	[0xd8] = X87, [0xd9] = X87, [0xda] = X87, [0xdb] = X87,
	[0xdc] = X87, [0xdd] = X87, [0xde] = X87, [0xdf] = X87,
	[0xe0] = I1(LOOPNE, Jb, F64 | BR | FR),
	[0xe1] = I1(LOOPE, Jb, F64 | BR | FR),
	[0xe2] = I1(LOOP, Jb, F64 | BR),
	[0xe3] = I1(JRCXZ, Jb, F64 | BR), /* JCXZ/JECXZ/JRCXZ by address size */
	[0xe4] = I2(IN, AL, Ib, IOPL),
	[0xe5] = I2(IN, eAX, Ib, IOPL),
	[0xe6] = I2(OUT, Ib, AL, IOPL),
	[0xe7] = I2(OUT, Ib, eAX, IOPL),
	/* Near branches are f64: in 64-bit mode Intel CPUs ignore 66 and keep
	 * rel32 (and a 64-bit RIP); AMD CPUs honour it (rel16, IP truncated to
	 * 16 bits).  We follow Intel; see docs/decoder.md. */
	[0xe8] = I1(CALL, Jz, F64 | BR),
	[0xe9] = I1(JMP, Jz, F64 | BR),
	[0xea] = I1(JMPF, Ap, I64 | BR),
	[0xeb] = I1(JMP, Jb, F64 | BR),
	[0xec] = I2(IN, AL, DX, IOPL),
	[0xed] = I2(IN, eAX, DX, IOPL),
	[0xee] = I2(OUT, DX, AL, IOPL),
	[0xef] = I2(OUT, DX, eAX, IOPL),
	/* F0: LOCK; F2, F3: REPNE, REP */
	[0xf1] = I0(INT1, BR | FRW), /* ICEBP */
	[0xf4] = I0(HLT, PRIV),
	[0xf5] = I0(CMC, FRW),
	[0xf6] = ESC(REG, grp3_f6),
	[0xf7] = ESC(REG, grp3_f7),
	[0xf8] = I0(CLC, FW),
	[0xf9] = I0(STC, FW),
	[0xfa] = I0(CLI, IOPL | FW),
	[0xfb] = I0(STI, IOPL | FW),
	[0xfc] = I0(CLD, FW),
	[0xfd] = I0(STD, FW),
	[0xfe] = ESC(REG, grp4_fe),
	[0xff] = ESC(REG, grp5_ff),
};

/* ---- 0F map groups (SDM Table A-6) --------------------------------------- */

/* Group 6: 0F 00.  SLDT and STR store the operand size to a register. */
static const struct x86_opcode grp6[8] = {
	I1(SLDT, ERvMw, IOPL), I1(STR, ERvMw, IOPL), I1(LLDT, Ew, PRIV),
	I1(LTR, Ew, PRIV),     I1(VERR, Ew, FW),     I1(VERW, Ew, FW),
	UD, UD, /* /6 is JMPE on Itanium only */
};

/* Group 7: 0F 01.  Memory forms by reg; register forms by reg, then rm. */
static const struct x86_opcode grp7_mem[8] = {
	I1(SGDT, Ms, IOPL),  I1(SIDT, Ms, IOPL), I1(LGDT, Ms, PRIV), I1(LIDT, Ms, PRIV),
	I1(SMSW, Mw, IOPL),  UD,                 I1(LMSW, Ew, PRIV), I1(INVLPG, Mb, PRIV),
};
static const struct x86_opcode grp7_reg0[8] = {
	UD, I0(VMCALL, BR), I0(VMLAUNCH, PRIV | BR), I0(VMRESUME, PRIV | BR),
	I0(VMXOFF, PRIV), UD, UD, UD,
};
static const struct x86_opcode grp7_reg1[8] = {
	I0(MONITOR, PRIV), I0(MWAIT, PRIV), I0(CLAC, PRIV | FW), I0(STAC, PRIV | FW),
	UD, UD, UD, I0(ENCLS, PRIV),
};
static const struct x86_opcode grp7_reg2[8] = {
	I0(XGETBV, 0), I0(XSETBV, PRIV), UD, UD,
	I0(VMFUNC, 0), I0(XEND, BR), I0(XTEST, FW), I0(ENCLU, 0),
};
/* AMD SVM.  Capstone lists rAX (and ECX) as operands; they are implicit. */
static const struct x86_opcode grp7_reg3[8] = {
	I0(VMRUN, PRIV | BR), I0(VMMCALL, BR), I0(VMLOAD, PRIV), I0(VMSAVE, PRIV),
	I0(STGI, PRIV),       I0(CLGI, PRIV),  I0(SKINIT, PRIV | BR), I0(INVLPGA, PRIV),
};
static const struct x86_opcode grp7_reg5[8] = {
	UD, UD, UD, UD, UD, UD, I0(RDPKRU, 0), I0(WRPKRU, 0),
};
static const struct x86_opcode grp7_reg7[8] = {
	I0(SWAPGS, O64 | PRIV), I0(RDTSCP, IOPL), I0(MONITORX, 0), I0(MWAITX, 0),
	I0(CLZERO, 0), UD, UD, UD,
};
static const struct x86_opcode grp7_regs[8] = {
	ESC(RM, grp7_reg0),    ESC(RM, grp7_reg1), ESC(RM, grp7_reg2), ESC(RM, grp7_reg3),
	I1(SMSW, ERvMw, IOPL), ESC(RM, grp7_reg5), I1(LMSW, Ew, PRIV), ESC(RM, grp7_reg7),
};
static const struct x86_opcode grp7[2] = { ESC(REG, grp7_mem), ESC(REG, grp7_regs) };

/* Group 8: 0F BA, bit tests with an imm8 bit offset */
static const struct x86_opcode grp8[8] = {
	UD, UD, UD, UD,
	I2(BT, Ev, Ib, FW), I2(BTS, Ev, Ib, LK | FW),
	I2(BTR, Ev, Ib, LK | FW), I2(BTC, Ev, Ib, LK | FW),
};

/* Group 9: 0F C7 */
static const struct x86_opcode grp9_cx[2] = {
	I1(CMPXCHG8B, Mq, LK | FW),
	I1(CMPXCHG16B, Mdq, LK | FW), /* REX.W */
};
/* VMX: VMPTRLD (NP), VMCLEAR (66), VMXON (F3); F2 is taken as NP. */
static const struct x86_opcode grp9_6[4] = {
	I1(VMPTRLD, Mq, PRIV), I1(VMCLEAR, Mq, PRIV), I1(VMXON, Mq, PRIV),
	I1(VMPTRLD, Mq, PRIV),
};
static const struct x86_opcode grp9_mem[8] = {
	UD, ESC(REXW, grp9_cx), UD, I1(XRSTORS, Mx, PRIV),
	I1(XSAVEC, Mx, 0), I1(XSAVES, Mx, PRIV), ESC(PREFIX, grp9_6), I1(VMPTRST, Mq, PRIV),
};
static const struct x86_opcode grp9_7r[4] = {
	I1(RDSEED, Rv, FW), I1(RDSEED, Rv, FW), I1(RDPID, Rd, F64), I1(RDSEED, Rv, FW),
};
static const struct x86_opcode grp9_reg[8] = {
	UD, UD, UD, UD, UD, UD, I1(RDRAND, Rv, FW), ESC(PREFIX, grp9_7r),
};
static const struct x86_opcode grp9[2] = { ESC(REG, grp9_mem), ESC(REG, grp9_reg) };

/* Group 15: 0F AE.  The fences ignore rm (E8..EF are all LFENCE). */
static const struct x86_opcode grp15_6m[4] = {
	I1(XSAVEOPT, Mx, 0), I1(CLWB, Mb, 0), UD, UD,
};
static const struct x86_opcode grp15_7m[4] = {
	I1(CLFLUSH, Mb, 0), I1(CLFLUSHOPT, Mb, 0), UD, UD,
};
static const struct x86_opcode grp15_mem[8] = {
	I1(FXSAVE, Mx, 0), I1(FXRSTOR, Mx, 0), I1(LDMXCSR, Md, 0), I1(STMXCSR, Md, 0),
	I1(XSAVE, Mx, 0),  I1(XRSTOR, Mx, 0),  ESC(PREFIX, grp15_6m), ESC(PREFIX, grp15_7m),
};
static const struct x86_opcode grp15_np[8] = {
	UD, UD, UD, UD, UD, I0(LFENCE, MRM), I0(MFENCE, MRM), I0(SFENCE, MRM),
};
static const struct x86_opcode grp15_f3[8] = {
	I1(RDFSBASE, Ry, O64), I1(RDGSBASE, Ry, O64), I1(WRFSBASE, Ry, O64),
	I1(WRGSBASE, Ry, O64), UD, UD, UD, UD,
};
static const struct x86_opcode grp15_reg[4] = {
	ESC(REG, grp15_np), UD, ESC(REG, grp15_f3), UD,
};
static const struct x86_opcode grp15[2] = { ESC(REG, grp15_mem), ESC(PREFIX, grp15_reg) };

/* Group 16: 0F 18 prefetch hints; /4../7 and register forms are the
 * reserved-NOP hint space (NOP Ev) */
static const struct x86_opcode grp16_mem[8] = {
	I1(PREFETCH, Mb, 0), I1(PREFETCH, Mb, 0), I1(PREFETCH, Mb, 0), I1(PREFETCH, Mb, 0),
	I1(NOP, Ev, 0),      I1(NOP, Ev, 0),      I1(NOP, Ev, 0),      I1(NOP, Ev, 0),
};
static const struct x86_opcode grp16[2] = { ESC(REG, grp16_mem), I1(NOP, Ev, 0) };

/* 0F 0D: PREFETCHW (/1) and AMD's PREFETCH (/0, and /2../7 as aliases) */
static const struct x86_opcode grp_0d_mem[8] = {
	I1(PREFETCH, Mb, 0), I1(PREFETCHW, Mb, 0), I1(PREFETCH, Mb, 0), I1(PREFETCH, Mb, 0),
	I1(PREFETCH, Mb, 0), I1(PREFETCH, Mb, 0),  I1(PREFETCH, Mb, 0), I1(PREFETCH, Mb, 0),
};
static const struct x86_opcode grp_0d[2] = { ESC(REG, grp_0d_mem), UD };

/* 0F 1E: hint NOP space, where CET put ENDBR64 (F3 0F 1E FA) and ENDBR32
 * (F3 0F 1E FB); both are NOPs while CET is off. */
static const struct x86_opcode op_1e_f3_7[8] = {
	I1(NOP, Ev, 0), I1(NOP, Ev, 0), I0(ENDBR64, MRM), I0(ENDBR32, MRM),
	I1(NOP, Ev, 0), I1(NOP, Ev, 0), I1(NOP, Ev, 0),   I1(NOP, Ev, 0),
};
static const struct x86_opcode op_1e_f3_reg[8] = {
	I1(NOP, Ev, 0), I1(NOP, Ev, 0), I1(NOP, Ev, 0), I1(NOP, Ev, 0),
	I1(NOP, Ev, 0), I1(NOP, Ev, 0), I1(NOP, Ev, 0), ESC(RM, op_1e_f3_7),
};
static const struct x86_opcode op_1e_f3[2] = { I1(NOP, Ev, 0), ESC(REG, op_1e_f3_reg) };
static const struct x86_opcode op_1e[4] = {
	I1(NOP, Ev, 0), I1(NOP, Ev, 0), ESC(MOD, op_1e_f3), I1(NOP, Ev, 0),
};

/*
 * 0F 78/79: VMREAD/VMWRITE (NP: with 66/F2/F3 they are not VMREAD/VMWRITE).
 * 66 and F2 select AMD's SSE4a EXTRQ/INSERTQ, register forms only:
 *   66 0F 78 /0 ib ib  EXTRQ xmm, imm8, imm8     66 0F 79  EXTRQ xmm, xmm
 *   F2 0F 78 ib ib     INSERTQ xmm, xmm, imm8, imm8   F2 0F 79  INSERTQ xmm, xmm
 */
static const struct x86_opcode op_78_66r[8] = {
	I2(SSE, Ib, Ib, LEN | MRM), UD, UD, UD, UD, UD, UD, UD,
};
static const struct x86_opcode op_78_66[2] = { UD, ESC(REG, op_78_66r) };
static const struct x86_opcode op_78_f2[2] = { UD, I2(SSE, Ib, Ib, LEN | MRM) };
static const struct x86_opcode op_79_sse[2] = { UD, SSE };
static const struct x86_opcode op_78[4] = {
	I2(VMREAD, Ed, Gd, PRIV | F64), ESC(MOD, op_78_66), UD, ESC(MOD, op_78_f2),
};
static const struct x86_opcode op_79[4] = {
	I2(VMWRITE, Gd, Ed, PRIV | F64), ESC(MOD, op_79_sse), UD, ESC(MOD, op_79_sse),
};

/* Prefix-selected integer instructions: JMPE/POPCNT, BSF/TZCNT, BSR/LZCNT */
static const struct x86_opcode op_b8[4] = { UD, UD, I2(POPCNT, Gv, Ev, FW), UD };
static const struct x86_opcode op_bc[4] = {
	I2(BSF, Gv, Ev, FW), I2(BSF, Gv, Ev, FW), I2(TZCNT, Gv, Ev, FW), I2(BSF, Gv, Ev, FW),
};
static const struct x86_opcode op_bd[4] = {
	I2(BSR, Gv, Ev, FW), I2(BSR, Gv, Ev, FW), I2(LZCNT, Gv, Ev, FW), I2(BSR, Gv, Ev, FW),
};

/* ---- the two-byte map, 0F xx (SDM Table A-3) ----------------------------- */

const struct x86_opcode x86_map_0f[X86_MAP_ROWS] = {
	[0x00] = ESC(REG, grp6),
	[0x01] = ESC(MOD, grp7),
	[0x02] = I2(LAR, Gv, ERzMw, FW),
	[0x03] = I2(LSL, Gv, ERzMw, FW),
	/* SYSCALL/SYSRET are decoded in every mode: Intel CPUs raise #UD
	 * outside 64-bit mode, AMD's run them; the interpreter decides. */
	[0x05] = I0(SYSCALL, BR | FRW), /* R11 = RFLAGS; RFLAGS &= ~SFMASK */
	[0x06] = I0(CLTS, PRIV),
	[0x07] = I0(SYSRET, PRIV | BR | FW),
	[0x08] = I0(INVD, PRIV),
	[0x09] = I0(WBINVD, PRIV),
	[0x0b] = I0(UD2, 0),
	[0x0d] = ESC(MOD, grp_0d),
	[0x0e] = I0(AMD3DNOW, LEN), /* FEMMS */
	/* 0x0f: 3DNow! escape, handled by the decoder */
	[0x10] = SSE, [0x11] = SSE, [0x12] = SSE, [0x13] = SSE,
	[0x14] = SSE, [0x15] = SSE, [0x16] = SSE, [0x17] = SSE,
	[0x18] = ESC(MOD, grp16),
	/* 19..1F: the reserved-NOP hint space; 1A/1B hold MPX, which
	 * executes as NOP while MPX is disabled; 1F /0 is the multi-byte NOP */
	[0x19] = I1(NOP, Ev, 0),
	[0x1a] = I1(NOP, Ev, 0),
	[0x1b] = I1(NOP, Ev, 0),
	[0x1c] = I1(NOP, Ev, 0),
	[0x1d] = I1(NOP, Ev, 0),
	[0x1e] = ESC(PREFIX, op_1e),
	[0x1f] = I1(NOP, Ev, 0),
	/* MOV to/from CR and DR: mod is ignored (always registers); operands
	 * are 64-bit in 64-bit mode, 32-bit elsewhere, whatever the prefixes.
	 * MOV to CR/DR leaves OF, SF, ZF, AF, PF, CF undefined. */
	[0x20] = I2(MOV, Rd, Cd, PRIV | MREG | F64),
	[0x21] = I2(MOV, Rd, Dd, PRIV | MREG | F64),
	[0x22] = I2(MOV, Cd, Rd, PRIV | MREG | F64 | FW),
	[0x23] = I2(MOV, Dd, Rd, PRIV | MREG | F64 | FW),
	/* 24..27: MOV to/from test registers on the 386/486 only */
	[0x28] = SSE, [0x29] = SSE, [0x2a] = SSE, [0x2b] = SSE,
	[0x2c] = SSE, [0x2d] = SSE, [0x2e] = SSE, [0x2f] = SSE,
	[0x30] = I0(WRMSR, PRIV),
	[0x31] = I0(RDTSC, IOPL),
	[0x32] = I0(RDMSR, PRIV),
	[0x33] = I0(RDPMC, IOPL), /* CPL 0, or CR4.PCE */
	[0x34] = I0(SYSENTER, BR | FW),
	[0x35] = I0(SYSEXIT, PRIV | BR),
	[0x37] = I0(GETSEC, 0),
	/* 0x38, 0x3a: three-byte escapes, handled by the decoder */
	[0x40] = I2(CMOVCC, Gv, Ev, FR), [0x41] = I2(CMOVCC, Gv, Ev, FR),
	[0x42] = I2(CMOVCC, Gv, Ev, FR), [0x43] = I2(CMOVCC, Gv, Ev, FR),
	[0x44] = I2(CMOVCC, Gv, Ev, FR), [0x45] = I2(CMOVCC, Gv, Ev, FR),
	[0x46] = I2(CMOVCC, Gv, Ev, FR), [0x47] = I2(CMOVCC, Gv, Ev, FR),
	[0x48] = I2(CMOVCC, Gv, Ev, FR), [0x49] = I2(CMOVCC, Gv, Ev, FR),
	[0x4a] = I2(CMOVCC, Gv, Ev, FR), [0x4b] = I2(CMOVCC, Gv, Ev, FR),
	[0x4c] = I2(CMOVCC, Gv, Ev, FR), [0x4d] = I2(CMOVCC, Gv, Ev, FR),
	[0x4e] = I2(CMOVCC, Gv, Ev, FR), [0x4f] = I2(CMOVCC, Gv, Ev, FR),
	[0x50] = SSE, [0x51] = SSE, [0x52] = SSE, [0x53] = SSE,
	[0x54] = SSE, [0x55] = SSE, [0x56] = SSE, [0x57] = SSE,
	[0x58] = SSE, [0x59] = SSE, [0x5a] = SSE, [0x5b] = SSE,
	[0x5c] = SSE, [0x5d] = SSE, [0x5e] = SSE, [0x5f] = SSE,
	[0x60] = SSE, [0x61] = SSE, [0x62] = SSE, [0x63] = SSE,
	[0x64] = SSE, [0x65] = SSE, [0x66] = SSE, [0x67] = SSE,
	[0x68] = SSE, [0x69] = SSE, [0x6a] = SSE, [0x6b] = SSE,
	[0x6c] = SSE, [0x6d] = SSE, [0x6e] = SSE, [0x6f] = SSE,
	/* 70..73: PSHUF* and the MMX/SSE shift groups 12..14 take an imm8 */
	[0x70] = SSE_IB, [0x71] = SSE_IB, [0x72] = SSE_IB, [0x73] = SSE_IB,
	[0x74] = SSE, [0x75] = SSE, [0x76] = SSE,
	[0x77] = I0(SSE, LEN), /* EMMS: no ModRM */
	[0x78] = ESC(PREFIX, op_78),
	[0x79] = ESC(PREFIX, op_79),
	[0x7c] = SSE, [0x7d] = SSE, [0x7e] = SSE, [0x7f] = SSE,
	[0x80] = I1(JCC, Jz, F64 | BR | FR), [0x81] = I1(JCC, Jz, F64 | BR | FR),
	[0x82] = I1(JCC, Jz, F64 | BR | FR), [0x83] = I1(JCC, Jz, F64 | BR | FR),
	[0x84] = I1(JCC, Jz, F64 | BR | FR), [0x85] = I1(JCC, Jz, F64 | BR | FR),
	[0x86] = I1(JCC, Jz, F64 | BR | FR), [0x87] = I1(JCC, Jz, F64 | BR | FR),
	[0x88] = I1(JCC, Jz, F64 | BR | FR), [0x89] = I1(JCC, Jz, F64 | BR | FR),
	[0x8a] = I1(JCC, Jz, F64 | BR | FR), [0x8b] = I1(JCC, Jz, F64 | BR | FR),
	[0x8c] = I1(JCC, Jz, F64 | BR | FR), [0x8d] = I1(JCC, Jz, F64 | BR | FR),
	[0x8e] = I1(JCC, Jz, F64 | BR | FR), [0x8f] = I1(JCC, Jz, F64 | BR | FR),
	/* SETcc Eb: ModRM.reg is ignored */
	[0x90] = I1(SETCC, Eb, FR), [0x91] = I1(SETCC, Eb, FR),
	[0x92] = I1(SETCC, Eb, FR), [0x93] = I1(SETCC, Eb, FR),
	[0x94] = I1(SETCC, Eb, FR), [0x95] = I1(SETCC, Eb, FR),
	[0x96] = I1(SETCC, Eb, FR), [0x97] = I1(SETCC, Eb, FR),
	[0x98] = I1(SETCC, Eb, FR), [0x99] = I1(SETCC, Eb, FR),
	[0x9a] = I1(SETCC, Eb, FR), [0x9b] = I1(SETCC, Eb, FR),
	[0x9c] = I1(SETCC, Eb, FR), [0x9d] = I1(SETCC, Eb, FR),
	[0x9e] = I1(SETCC, Eb, FR), [0x9f] = I1(SETCC, Eb, FR),
	[0xa0] = I1(PUSH, FS, D64),
	[0xa1] = I1(POP, FS, D64),
	[0xa2] = I0(CPUID, 0),
	[0xa3] = I2(BT, Ev, Gv, FW),
	[0xa4] = I3(SHLD, Ev, Gv, Ib, FW),
	[0xa5] = I3(SHLD, Ev, Gv, CL, FW),
	[0xa8] = I1(PUSH, GS, D64),
	[0xa9] = I1(POP, GS, D64),
	[0xaa] = I0(RSM, BR | FW),
	[0xab] = I2(BTS, Ev, Gv, LK | FW),
	[0xac] = I3(SHRD, Ev, Gv, Ib, FW),
	[0xad] = I3(SHRD, Ev, Gv, CL, FW),
	[0xae] = ESC(MOD, grp15),
	[0xaf] = I2(IMUL, Gv, Ev, FW),
	[0xb0] = I2(CMPXCHG, Eb, Gb, LK | FW),
	[0xb1] = I2(CMPXCHG, Ev, Gv, LK | FW),
	[0xb2] = I2(LSS, Gv, Mp, 0),
	[0xb3] = I2(BTR, Ev, Gv, LK | FW),
	[0xb4] = I2(LFS, Gv, Mp, 0),
	[0xb5] = I2(LGS, Gv, Mp, 0),
	[0xb6] = I2(MOVZX, Gv, Eb, 0),
	[0xb7] = I2(MOVZX, Gv, Ew, 0),
	[0xb8] = ESC(PREFIX, op_b8),
	[0xb9] = I2(UD1, Gv, Ev, 0), /* UD1 has a ModRM byte (SDM "UD1 r32, r/m32") */
	[0xba] = ESC(REG, grp8),
	[0xbb] = I2(BTC, Ev, Gv, LK | FW),
	[0xbc] = ESC(PREFIX, op_bc),
	[0xbd] = ESC(PREFIX, op_bd),
	[0xbe] = I2(MOVSX, Gv, Eb, 0),
	[0xbf] = I2(MOVSX, Gv, Ew, 0),
	[0xc0] = I2(XADD, Eb, Gb, LK | FW),
	[0xc1] = I2(XADD, Ev, Gv, LK | FW),
	[0xc2] = SSE_IB,
	[0xc3] = I2(MOVNTI, My, Gy, 0),
	[0xc4] = SSE_IB, [0xc5] = SSE_IB, [0xc6] = SSE_IB,
	[0xc7] = ESC(MOD, grp9),
	/* BSWAP: with a 16-bit operand size the result is undefined */
	[0xc8] = I1(BSWAP, Zv, 0), [0xc9] = I1(BSWAP, Zv, 0),
	[0xca] = I1(BSWAP, Zv, 0), [0xcb] = I1(BSWAP, Zv, 0),
	[0xcc] = I1(BSWAP, Zv, 0), [0xcd] = I1(BSWAP, Zv, 0),
	[0xce] = I1(BSWAP, Zv, 0), [0xcf] = I1(BSWAP, Zv, 0),
	[0xd0] = SSE, [0xd1] = SSE, [0xd2] = SSE, [0xd3] = SSE,
	[0xd4] = SSE, [0xd5] = SSE, [0xd6] = SSE, [0xd7] = SSE,
	[0xd8] = SSE, [0xd9] = SSE, [0xda] = SSE, [0xdb] = SSE,
	[0xdc] = SSE, [0xdd] = SSE, [0xde] = SSE, [0xdf] = SSE,
	[0xe0] = SSE, [0xe1] = SSE, [0xe2] = SSE, [0xe3] = SSE,
	[0xe4] = SSE, [0xe5] = SSE, [0xe6] = SSE, [0xe7] = SSE,
	[0xe8] = SSE, [0xe9] = SSE, [0xea] = SSE, [0xeb] = SSE,
	[0xec] = SSE, [0xed] = SSE, [0xee] = SSE, [0xef] = SSE,
	[0xf0] = SSE, [0xf1] = SSE, [0xf2] = SSE, [0xf3] = SSE,
	[0xf4] = SSE, [0xf5] = SSE, [0xf6] = SSE, [0xf7] = SSE,
	[0xf8] = SSE, [0xf9] = SSE, [0xfa] = SSE, [0xfb] = SSE,
	[0xfc] = SSE, [0xfd] = SSE, [0xfe] = SSE,
	[0xff] = I2(UD0, Gv, Ev, 0), /* UD0 has a ModRM byte (SDM "UD0 r32, r/m32") */
};

/* ---- the three-byte maps, 0F 38 xx and 0F 3A xx (SDM Tables) ----- */

/* VMX/PCID invalidations: 66 only; operands are 64-bit in 64-bit mode */
static const struct x86_opcode op_38_80[4] = { SSE, I2(INVEPT, Gd, Mdq, PRIV | F64), SSE, SSE };
static const struct x86_opcode op_38_81[4] = { SSE, I2(INVVPID, Gd, Mdq, PRIV | F64), SSE, SSE };
static const struct x86_opcode op_38_82[4] = { SSE, I2(INVPCID, Gd, Mdq, PRIV | F64), SSE, SSE };
/* MOVBE (NP or 66: the 66 is the operand-size prefix) and CRC32 (F2) */
static const struct x86_opcode op_38_f0[4] = {
	I2(MOVBE, Gv, Mv, 0), I2(MOVBE, Gv, Mv, 0), SSE, I2(CRC32, Gy, Eb, 0),
};
static const struct x86_opcode op_38_f1[4] = {
	I2(MOVBE, Mv, Gv, 0), I2(MOVBE, Mv, Gv, 0), SSE, I2(CRC32, Gy, Ev, 0),
};
/* ADCX (66) and ADOX (F3) */
static const struct x86_opcode op_38_f6[4] = {
	SSE, I2(ADCX, Gy, Ey, FRW), I2(ADOX, Gy, Ey, FRW), SSE,
};

const struct x86_opcode x86_map_0f38[X86_MAP_ROWS] = {
	[0x80] = ESC(PREFIX, op_38_80),
	[0x81] = ESC(PREFIX, op_38_81),
	[0x82] = ESC(PREFIX, op_38_82),
	[0xf0] = ESC(PREFIX, op_38_f0),
	[0xf1] = ESC(PREFIX, op_38_f1),
	[0xf6] = ESC(PREFIX, op_38_f6),
};
const struct x86_opcode x86_row_0f38_default = SSE;

/* Every 0F 3A instruction has an imm8: all rows are the default row. */
const struct x86_opcode x86_map_0f3a[X86_MAP_ROWS];
const struct x86_opcode x86_row_0f3a_default = SSE_IB;

/* ---- prefix-encoded families, measured only ------------------------------ */

/*
 * decode.c picks the row from the map and opcode: all have a ModRM byte but
 * VZEROUPPER/VZEROALL (VEX 0F 77); the imm8 follows the rules of the legacy
 * maps (0F 3A, and 0F 70..73, C2, C4..C6); XOP map 8 has an imm8, map 10
 * an imm32.
 */
const struct x86_opcode x86_row_vex = I0(VEX, LEN | MRM);
const struct x86_opcode x86_row_vex_ib = I1(VEX, Ib, LEN | MRM);
const struct x86_opcode x86_row_vex_nomodrm = I0(VEX, LEN);
const struct x86_opcode x86_row_evex = I0(EVEX, LEN | MRM);
const struct x86_opcode x86_row_evex_ib = I1(EVEX, Ib, LEN | MRM);
const struct x86_opcode x86_row_xop = I0(XOP, LEN | MRM);
const struct x86_opcode x86_row_xop_ib = I1(XOP, Ib, LEN | MRM);
const struct x86_opcode x86_row_xop_id = I1(XOP, SPEC(I, d), LEN | MRM);
/* 0F 0F ModRM [SIB] [disp] suffix: the suffix byte is read as an imm8 */
const struct x86_opcode x86_row_3dnow = I1(AMD3DNOW, Ib, LEN | MRM);

/* ---- names ---------------------------------------------------------------- */

static const char *const mnemonic_names[X86_I_COUNT] = {
#define X86_MNEMONIC_NAME(id, name) [X86_I_##id] = name,
	X86_MNEMONICS(X86_MNEMONIC_NAME)
#undef X86_MNEMONIC_NAME
};

const char *x86_mnemonic_name(enum x86_mnemonic m)
{
	if ((unsigned)m >= X86_I_COUNT)
		return "(bad)";
	return mnemonic_names[m];
}
