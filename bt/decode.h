/*
 * decode.h - the x86-64 instruction decoder: bytes in, a described
 * instruction out.
 *
 * This is the first stage of the software CPU.  The reference interpreter
 * fetches guest bytes at RIP, calls x86_decode(), and executes the
 * struct x86_insn it gets back; the binary translator will do the same for
 * each instruction of a block.  The decoder touches no CPU state: it needs
 * only the bytes and the code segment's mode, so it is pure and easy to
 * test (tests/unit/test_decode.c) and to cross-check against Capstone
 * (tests/diff/test_decode_capstone.c).  docs/decoder.md is the long form.
 *
 * An instruction is at most 15 bytes, laid out as
 *
 *   +----------+-----+--------+---------+-------+--------------+-----------+
 *   | prefixes | REX | opcode | ModRM   | SIB   | displacement | immediate |
 *   | 0-14     | 0-1 | 1-3    | 0-1     | 0-1   | 0,1,2,4,8    | 0,1,2,4,8 |
 *   +----------+-----+--------+---------+-------+--------------+-----------+
 *     legacy:    0100WRXB  [0F [38|3A]] op
 *     F0 F2 F3
 *     2E 36 3E 26 64 65 66 67
 *
 *   ModRM:  7   6 5     3 2    0        SIB:  7   6 5     3 2    0
 *          +-----+-------+------+             +-----+-------+------+
 *          | mod |  reg  |  rm  |             |scale| index | base |
 *          +-----+-------+------+             +-----+-------+------+
 *   mod=11: rm is a register; otherwise rm (with SIB when rm=100) names a
 *   memory operand.  REX.R extends reg, REX.X extends index, REX.B extends
 *   rm or base (or the register in the opcode's low bits).
 *
 * VEX (C4/C5), EVEX (62) and XOP (8F) take the place of prefixes, REX and
 * the 0F escapes; the decoder measures those instructions but does not
 * describe their operands (see "Scope" in docs/decoder.md).
 *
 * Note for users of Capstone: Capstone's <capstone/x86.h> declares an
 * `enum x86_insn`, whose tag collides with `struct x86_insn` here, so a file
 * cannot include both; keep Capstone in its own translation unit.
 */
#ifndef TRAPEZE_BT_DECODE_H
#define TRAPEZE_BT_DECODE_H

#include "core/types.h"
#include "core/x86.h"

#define X86_MAX_INSN_LEN 15 /* longer is #GP(0), SDM Vol. 2 2.3.11 */
#define X86_MAX_OPNDS 4

/* The code segment's default sizes: CS.L=1 is 64-bit; else CS.D picks. */
enum x86_mode {
	X86_MODE_16, /* real mode, or CS.D=0: 16-bit operands and addresses */
	X86_MODE_32, /* CS.D=1: protected mode, and compatibility mode */
	X86_MODE_64, /* CS.L=1 in long mode */
};

/*
 * x86_decode() results.  Besides these it returns -EAGAIN when `avail`
 * bytes end before the instruction does.  The positive values are
 * architectural outcomes, not errors of the decoder, so they never
 * collide with -errno.
 */
enum x86_decode_status {
	X86_DECODE_OK = 0,
	X86_DECODE_UD = 1, /* invalid opcode: the CPU raises #UD */
	X86_DECODE_GP = 2, /* longer than 15 bytes: the CPU raises #GP(0) */
};

/* Why an instruction did not decode (insn->error), for reports and tests. */
enum x86_decode_error {
	X86_ERR_NONE,
	X86_ERR_OPCODE,     /* no instruction has this encoding */
	X86_ERR_MODE,       /* not valid in this mode (e.g. PUSH ES in 64-bit mode) */
	X86_ERR_LOCK,       /* LOCK on an instruction that cannot be locked */
	X86_ERR_MODRM_FORM, /* register form where memory is required, or the reverse */
	X86_ERR_REGISTER,   /* no such register (CR1, DR9, segment register 6, ...) */
	X86_ERR_VEX_PREFIX, /* 66/F2/F3/F0/REX before a VEX, EVEX or XOP prefix */
	X86_ERR_TOO_LONG,   /* more than 15 bytes */
};

/* Segment registers, in the order of the ModRM reg field (Sreg encoding). */
enum x86_seg {
	X86_SEG_ES, X86_SEG_CS, X86_SEG_SS, X86_SEG_DS, X86_SEG_FS, X86_SEG_GS,
	X86_SEG_NONE = 0xff,
};

/* REP-family prefix: the last of F2/F3 that appeared. */
enum x86_rep {
	X86_REP_NONE,
	X86_REP_REPE,  /* F3: REP, REPE/REPZ */
	X86_REP_REPNE, /* F2: REPNE/REPNZ */
};

/* Opcode maps: the bytes that select a table before the opcode byte. */
enum x86_map {
	X86_MAP_NONE,   /* one-byte opcodes */
	X86_MAP_0F,     /* 0F xx */
	X86_MAP_0F38,   /* 0F 38 xx */
	X86_MAP_0F3A,   /* 0F 3A xx */
	X86_MAP_3DNOW,  /* 0F 0F ModRM ... suffix: AMD 3DNow! */
	X86_MAP_XOP8,   /* AMD XOP maps 8, 9 and 10 */
	X86_MAP_XOP9,
	X86_MAP_XOPA,
};

/*
 * Mnemonics: one id per operation (MOVS covers movsb/movsw/movsd/movsq, JCC
 * covers all 16 conditions).  x86_insn_name() gives the size- or
 * condition-specific spelling.  The length-only families (x87, SSE, VEX, ...)
 * have one id each.
 */
#define X86_MNEMONICS(X)                                                               \
	X(INVALID, "(bad)")                                                            \
	X(ADD, "add") X(OR, "or") X(ADC, "adc") X(SBB, "sbb") X(AND, "and")            \
	X(SUB, "sub") X(XOR, "xor") X(CMP, "cmp") X(TEST, "test") X(INC, "inc")        \
	X(DEC, "dec") X(NEG, "neg") X(NOT, "not") X(MUL, "mul") X(IMUL, "imul")        \
	X(DIV, "div") X(IDIV, "idiv")                                                  \
	X(ROL, "rol") X(ROR, "ror") X(RCL, "rcl") X(RCR, "rcr") X(SHL, "shl")          \
	X(SHR, "shr") X(SAL, "sal") X(SAR, "sar") X(SHLD, "shld") X(SHRD, "shrd")      \
	X(BT, "bt") X(BTS, "bts") X(BTR, "btr") X(BTC, "btc") X(BSF, "bsf")            \
	X(BSR, "bsr") X(TZCNT, "tzcnt") X(LZCNT, "lzcnt") X(POPCNT, "popcnt")          \
	X(MOV, "mov") X(MOVZX, "movzx") X(MOVSX, "movsx") X(MOVSXD, "movsxd")          \
	X(LEA, "lea") X(XCHG, "xchg") X(CMPXCHG, "cmpxchg")                            \
	X(CMPXCHG8B, "cmpxchg8b") X(CMPXCHG16B, "cmpxchg16b") X(XADD, "xadd")          \
	X(BSWAP, "bswap") X(MOVBE, "movbe") X(MOVNTI, "movnti") X(CRC32, "crc32")      \
	X(ADCX, "adcx") X(ADOX, "adox")                                                \
	X(CBW, "cbw") X(CWD, "cwd") X(XLAT, "xlatb") X(LAHF, "lahf") X(SAHF, "sahf")   \
	X(PUSH, "push") X(POP, "pop") X(PUSHA, "pusha") X(POPA, "popa")                \
	X(PUSHF, "pushf") X(POPF, "popf") X(ENTER, "enter") X(LEAVE, "leave")          \
	X(JCC, "j") X(JMP, "jmp") X(JMPF, "ljmp") X(CALL, "call") X(CALLF, "lcall")    \
	X(RET, "ret") X(RETF, "retf") X(LOOP, "loop") X(LOOPE, "loope")                \
	X(LOOPNE, "loopne") X(JRCXZ, "jrcxz") X(INT, "int") X(INT3, "int3")            \
	X(INT1, "int1") X(INTO, "into") X(IRET, "iret") X(SYSCALL, "syscall")          \
	X(SYSRET, "sysret") X(SYSENTER, "sysenter") X(SYSEXIT, "sysexit")              \
	X(SETCC, "set") X(CMOVCC, "cmov")                                              \
	X(MOVS, "movs") X(CMPS, "cmps") X(STOS, "stos") X(LODS, "lods")                \
	X(SCAS, "scas") X(INS, "ins") X(OUTS, "outs") X(IN, "in") X(OUT, "out")        \
	X(CLC, "clc") X(STC, "stc") X(CMC, "cmc") X(CLI, "cli") X(STI, "sti")          \
	X(CLD, "cld") X(STD, "std")                                                    \
	X(HLT, "hlt") X(NOP, "nop") X(PAUSE, "pause") X(UD0, "ud0") X(UD1, "ud1")      \
	X(UD2, "ud2") X(CPUID, "cpuid") X(RDTSC, "rdtsc") X(RDTSCP, "rdtscp")          \
	X(RDMSR, "rdmsr") X(WRMSR, "wrmsr") X(RDPMC, "rdpmc")                          \
	X(LGDT, "lgdt") X(LIDT, "lidt") X(SGDT, "sgdt") X(SIDT, "sidt")                \
	X(LLDT, "lldt") X(LTR, "ltr") X(SLDT, "sldt") X(STR, "str") X(LMSW, "lmsw")    \
	X(SMSW, "smsw") X(VERR, "verr") X(VERW, "verw") X(LAR, "lar") X(LSL, "lsl")    \
	X(ARPL, "arpl") X(INVLPG, "invlpg") X(SWAPGS, "swapgs") X(CLTS, "clts")        \
	X(WBINVD, "wbinvd") X(INVD, "invd") X(LSS, "lss") X(LFS, "lfs")                \
	X(LGS, "lgs") X(LES, "les") X(LDS, "lds") X(BOUND, "bound") X(DAA, "daa")      \
	X(DAS, "das") X(AAA, "aaa") X(AAS, "aas") X(AAM, "aam") X(AAD, "aad")          \
	X(SALC, "salc") X(WAIT, "wait") X(ENDBR64, "endbr64") X(ENDBR32, "endbr32")    \
	X(RDRAND, "rdrand") X(RDSEED, "rdseed") X(RDPID, "rdpid")                      \
	X(MFENCE, "mfence") X(LFENCE, "lfence") X(SFENCE, "sfence")                    \
	X(CLFLUSH, "clflush") X(CLFLUSHOPT, "clflushopt") X(CLWB, "clwb")              \
	X(PREFETCH, "prefetch") X(PREFETCHW, "prefetchw")                              \
	X(RDFSBASE, "rdfsbase") X(RDGSBASE, "rdgsbase") X(WRFSBASE, "wrfsbase")        \
	X(WRGSBASE, "wrgsbase")                                                        \
	X(FXSAVE, "fxsave") X(FXRSTOR, "fxrstor") X(LDMXCSR, "ldmxcsr")                \
	X(STMXCSR, "stmxcsr") X(XSAVE, "xsave") X(XRSTOR, "xrstor")                    \
	X(XSAVEOPT, "xsaveopt") X(XSAVEC, "xsavec") X(XSAVES, "xsaves")                \
	X(XRSTORS, "xrstors") X(XGETBV, "xgetbv") X(XSETBV, "xsetbv")                  \
	X(MONITOR, "monitor") X(MWAIT, "mwait") X(CLAC, "clac") X(STAC, "stac")        \
	X(RDPKRU, "rdpkru") X(WRPKRU, "wrpkru") X(INVPCID, "invpcid")                  \
	X(XBEGIN, "xbegin") X(XABORT, "xabort") X(XEND, "xend") X(XTEST, "xtest")      \
	X(VMCALL, "vmcall") X(VMLAUNCH, "vmlaunch") X(VMRESUME, "vmresume")            \
	X(VMXOFF, "vmxoff") X(VMFUNC, "vmfunc") X(VMPTRLD, "vmptrld")                  \
	X(VMPTRST, "vmptrst") X(VMCLEAR, "vmclear") X(VMXON, "vmxon")                  \
	X(VMREAD, "vmread") X(VMWRITE, "vmwrite") X(INVEPT, "invept")                  \
	X(INVVPID, "invvpid") X(VMRUN, "vmrun") X(VMMCALL, "vmmcall")                  \
	X(VMLOAD, "vmload") X(VMSAVE, "vmsave") X(STGI, "stgi") X(CLGI, "clgi")        \
	X(SKINIT, "skinit") X(INVLPGA, "invlpga") X(MONITORX, "monitorx")              \
	X(MWAITX, "mwaitx") X(CLZERO, "clzero") X(ENCLS, "encls") X(ENCLU, "enclu")    \
	X(GETSEC, "getsec") X(RSM, "rsm")                                              \
	X(X87, "(x87)") X(SSE, "(sse)") X(AMD3DNOW, "(3dnow)") X(VEX, "(vex)")         \
	X(EVEX, "(evex)") X(XOP, "(xop)")

enum x86_mnemonic {
#define X86_MNEMONIC_ENUM(id, name) X86_I_##id,
	X86_MNEMONICS(X86_MNEMONIC_ENUM)
#undef X86_MNEMONIC_ENUM
	X86_I_COUNT
};

/*
 * Operand specifications, in the notation of the SDM's opcode maps
 * (Vol. 2, Appendix A.2): an addressing method letter and an operand type.
 * "Eb,Gb" is {X86_AM_E, X86_OT_b}, {X86_AM_G, X86_OT_b}.
 */
enum x86_am {
	X86_AM_NONE,
	X86_AM_A,     /* far pointer in the immediate: offset, then selector */
	X86_AM_C,     /* ModRM.reg selects a control register */
	X86_AM_D,     /* ModRM.reg selects a debug register */
	X86_AM_E,     /* ModRM.rm: a general register or memory */
	X86_AM_G,     /* ModRM.reg selects a general register */
	X86_AM_I,     /* immediate */
	X86_AM_J,     /* immediate offset relative to the next instruction */
	X86_AM_M,     /* ModRM.rm must be memory */
	X86_AM_O,     /* moffs: an address-size offset, no ModRM */
	X86_AM_R,     /* ModRM.rm must be a general register */
	X86_AM_S,     /* ModRM.reg selects a segment register */
	X86_AM_X,     /* memory at DS:rSI (segment can be overridden) */
	X86_AM_Y,     /* memory at ES:rDI (no override) */
	X86_AM_Z,     /* register in the opcode's low 3 bits, REX.B extends it
	               * (the SDM writes "rAX/r8" ... "rDI/r15") */
	X86_AM_FIXED, /* a fixed general register (AL, CL, DX, eAX, rAX) */
	X86_AM_SEG,   /* a fixed segment register (PUSH ES, ...) */
	X86_AM_ONE,   /* the constant 1 (shift by one) */
};

enum x86_ot {
	X86_OT_NONE,
	X86_OT_b,    /* byte */
	X86_OT_w,    /* word */
	X86_OT_d,    /* doubleword */
	X86_OT_q,    /* quadword */
	X86_OT_dq,   /* double quadword (16 bytes) */
	X86_OT_v,    /* word, doubleword or quadword: the operand size */
	X86_OT_z,    /* word for 16-bit operand size, else doubleword */
	X86_OT_y,    /* doubleword, or quadword with 64-bit operand size */
	X86_OT_bs,   /* byte, sign-extended to the operand size ("Ib" of 83, 6A, 6B) */
	X86_OT_p,    /* far pointer: 16:16, 16:32 or 16:64 */
	X86_OT_s,    /* pseudo-descriptor: 6 bytes, 10 in 64-bit mode */
	X86_OT_a,    /* BOUND's pair of words or doublewords */
	X86_OT_dqm,  /* "d/q": doubleword, or quadword in 64-bit mode (MOV CR) */
	X86_OT_RvMw, /* register: operand size; memory: word (MOV Ev,Sw, SLDT) */
	X86_OT_RzMw, /* register: word or doubleword; memory: word (LAR, LSL) */
	X86_OT_x,    /* not described (length-only rows) */
};

struct x86_opspec {
	uint8_t am;  /* enum x86_am */
	uint8_t ot;  /* enum x86_ot */
	uint8_t reg; /* X86_AM_FIXED: GPR number; X86_AM_SEG: enum x86_seg */
};

/* Row flags (struct x86_opcode.flags).  The SDM's superscripts are i64, o64,
 * d64 and f64. */
#define X86_F_LOCK     (1u << 0)  /* LOCK allowed (with a memory destination) */
#define X86_F_PRIV     (1u << 1)  /* privileged: #GP unless CPL is 0 */
#define X86_F_IOPL     (1u << 2)  /* sensitive to IOPL, the I/O bitmap or CR4 */
#define X86_F_I64      (1u << 3)  /* invalid in 64-bit mode */
#define X86_F_O64      (1u << 4)  /* valid only in 64-bit mode */
#define X86_F_D64      (1u << 5)  /* 64-bit mode: operand size defaults to 64 */
#define X86_F_F64      (1u << 6)  /* 64-bit mode: operand size forced to 64 */
#define X86_F_MODRM    (1u << 7)  /* has a ModRM byte even without ModRM operands */
#define X86_F_MODREG   (1u << 8)  /* ModRM.mod ignored: rm is always a register */
#define X86_F_REP      (1u << 9)  /* string instruction: F2/F3 mean REP */
#define X86_F_BRANCH   (1u << 10) /* may change RIP other than to the next insn */
#define X86_F_FLAGS_R  (1u << 11) /* reads RFLAGS status bits or DF */
#define X86_F_FLAGS_W  (1u << 12) /* writes RFLAGS (status or system bits) */
#define X86_F_LENGTH   (1u << 13) /* length-only: operands not described and the
                                   * interpreter raises #UD */

/*
 * Escape kinds: how a row that is not yet an instruction picks its next row.
 * Rows with X86_ESC_NONE are instructions (or X86_I_INVALID: #UD).
 */
enum x86_esc {
	X86_ESC_NONE,
	X86_ESC_REG,    /* sub[ModRM bits 5:3]       8 rows (opcode extension /0../7) */
	X86_ESC_MOD,    /* sub[ModRM.mod == 11]      2 rows: memory form, register form */
	X86_ESC_RM,     /* sub[ModRM.rm]             8 rows */
	X86_ESC_PREFIX, /* sub[none, 66, F3, F2]     4 rows (mandatory prefix) */
	X86_ESC_MODE64, /* sub[64-bit mode]          2 rows: legacy/compat, 64-bit */
	X86_ESC_REXW,   /* sub[REX.W]                2 rows */
	X86_ESC_REXB,   /* sub[REX.B]                2 rows */
};

/* One row of an opcode table: an instruction, or an escape to more rows. */
struct x86_opcode {
	uint16_t mnem; /* enum x86_mnemonic */
	uint8_t esc;   /* enum x86_esc */
	uint32_t flags;
	struct x86_opspec op[X86_MAX_OPNDS];
	const struct x86_opcode *sub; /* the escape's rows */
};

/* Register numbers in operands: GPRs are enum x86_gpr (X86_RAX..X86_R15). */
#define X86_NOREG  0xff /* no base or no index register */
#define X86_RIPREG 0x10 /* base of a RIP-relative operand: the next insn's address */

enum x86_regclass {
	X86_RC_GPR,   /* width = operand size; 1 byte: AL..R15B, SPL..DIL with REX */
	X86_RC_GPR8H, /* AH, CH, DH, BH (no REX): bits 15:8 of GPR `num` (0..3) */
	X86_RC_SEG,   /* num = enum x86_seg */
	X86_RC_CR,    /* CR0..CR8 */
	X86_RC_DR,    /* DR0..DR7 */
};

enum x86_opnd_kind {
	X86_OPND_NONE,
	X86_OPND_REG,
	X86_OPND_MEM,
	X86_OPND_IMM,
	X86_OPND_REL, /* branch offset from the end of the instruction */
};

/*
 * A memory operand's address: seg:[base + index*scale + disp], computed in
 * the address size and truncated to it (see x86_mem_offset()).
 */
struct x86_mem {
	uint8_t seg;       /* enum x86_seg in effect: override or DS/SS default */
	uint8_t base;      /* GPR, X86_RIPREG or X86_NOREG */
	uint8_t index;     /* GPR or X86_NOREG */
	uint8_t scale;     /* 1, 2, 4 or 8 */
	uint8_t addr_size; /* 2, 4 or 8 bytes */
	int64_t disp;      /* sign-extended; a moffs is zero-extended */
};

struct x86_operand {
	uint8_t kind; /* enum x86_opnd_kind */
	uint8_t size; /* bytes read or written; 0 when the row gives no size
	               * (LEA's address, the FXSAVE/XSAVE areas) */
	union {
		struct {
			uint8_t cls; /* enum x86_regclass */
			uint8_t num;
		} reg;
		struct x86_mem mem;
		uint64_t imm; /* extended to the operand size (zero above it) */
		int64_t rel;  /* sign-extended branch offset */
	};
};

/*
 * A decoded instruction.  Fields are valid after x86_decode() returned
 * X86_DECODE_OK; after X86_DECODE_UD/GP only `error` (and the fields decoded
 * before the problem) are meaningful.
 */
struct x86_insn {
	uint8_t len;  /* total length in bytes, 1..15 */
	uint8_t mode; /* enum x86_mode it was decoded in */
	uint8_t error; /* enum x86_decode_error */

	/* Legacy prefixes (a repeated prefix is harmless; the last of a kind wins) */
	bool opsize_pfx;   /* 66 seen */
	bool addrsize_pfx; /* 67 seen */
	bool lock;         /* F0 seen */
	uint8_t rep;       /* enum x86_rep: the last of F2/F3; it means REP only
	                    * for X86_F_REP rows (string instructions) */
	uint8_t seg;       /* enum x86_seg: the last segment override, or NONE */
	uint8_t mandatory; /* 66, F2 or F3 if it selected the table row (a
	                    * "mandatory prefix"), else 0; a consumed 66 does
	                    * not change the operand size */
	uint8_t npfx;      /* prefix bytes before the opcode, REX included */

	/* REX (64-bit mode, the byte right before the opcode) */
	uint8_t rex; /* 0x40..0x4F, or 0 if none */
	bool rex_w, rex_r, rex_x, rex_b;
	uint8_t vex; /* C4, C5, 62 (EVEX) or 8F (XOP) if one was used, else 0 */

	/* Opcode */
	uint8_t map;    /* enum x86_map */
	uint8_t opcode; /* the opcode byte within the map */

	/* ModRM: reg and rm have REX.R/REX.B applied (register numbers 0..15);
	 * a group opcode's extension (/digit) is modrm bits 5:3, i.e. reg & 7 */
	bool has_modrm;
	uint8_t modrm, mod, reg, rm;

	/* The ModRM memory operand's address components (valid when
	 * has_modrm && mod != 3), from the SIB byte, from rm, or from the 16-bit
	 * forms.  index is X86_NOREG for SIB index=100 without REX.X; base is
	 * X86_NOREG for SIB base=101 with mod=00 or a bare disp32/disp16, and
	 * X86_RIPREG when RIP-relative. */
	bool has_sib;
	uint8_t sib, scale, index, base; /* scale is the factor: 1, 2, 4, 8 */

	/* Displacement (ModRM memory operands, and the moffs of A0..A3) */
	int64_t disp;       /* sign-extended (moffs: zero-extended) */
	uint8_t disp_size;  /* 0, 1, 2, 4 or 8 bytes */
	uint8_t disp_off;   /* its offset in the instruction bytes */
	bool rip_rel;       /* 64-bit mode mod=00 rm=101: relative to the next insn */

	/* Immediates.  ENTER (Iw, Ib) and far pointers (offset, selector) have two. */
	uint64_t imm, imm2;
	uint8_t imm_size, imm2_size;
	uint8_t imm_off; /* offset of the first immediate in the instruction */

	/* Effective sizes, in bytes.  opsize is the operand-size attribute after
	 * the mode, 66, REX.W and the row's d64/f64 rules, or 1 for a byte
	 * operation; an operand may still be narrower (IN eAX is 4 bytes even
	 * with REX.W), so execute by opnd[].size. */
	uint8_t opsize;   /* 1, 2, 4 or 8 */
	uint8_t addrsize; /* 2, 4 or 8 */

	const struct x86_opcode *entry; /* the table row: mnemonic, specs, flags */
	uint8_t nopnds;
	struct x86_operand opnd[X86_MAX_OPNDS];
	uint8_t bytes[X86_MAX_INSN_LEN]; /* a copy of the instruction */
};

/*
 * x86_decode - decode the instruction at buf[0].
 *
 * `avail` is how many bytes at buf may be read (the decoder never reads
 * beyond it, nor beyond 15 bytes).  Returns X86_DECODE_OK with *out filled;
 * -EAGAIN when the instruction continues beyond `avail` (fetch more bytes,
 * e.g. from the next page, and call again); X86_DECODE_UD for an invalid
 * encoding; X86_DECODE_GP when the instruction would exceed 15 bytes.  For UD
 * and GP, out->error says why.  Never fails otherwise.
 */
int x86_decode(const uint8_t *buf, size_t avail, enum x86_mode mode,
	       struct x86_insn *out);

/* The row's mnemonic id (X86_I_INVALID when there is no row). */
static inline enum x86_mnemonic x86_insn_mnemonic(const struct x86_insn *insn)
{
	return insn->entry ? (enum x86_mnemonic)insn->entry->mnem : X86_I_INVALID;
}

static inline bool x86_insn_has(const struct x86_insn *insn, uint32_t flag)
{
	return insn->entry && (insn->entry->flags & flag);
}

/* The condition code (0..15, SDM Table B-1: O NO B AE E NE BE A S NS P NP
 * L GE LE G) of Jcc, SETcc and CMOVcc. */
static inline unsigned x86_insn_cond(const struct x86_insn *insn)
{
	return insn->opcode & 0xf;
}

/* Generic name of a mnemonic id ("movs", "j", "cbw"); never NULL. */
const char *x86_mnemonic_name(enum x86_mnemonic m);

/* The instruction's name as disassemblers print it: "movsq", "jne",
 * "cdqe", "iretq".  Never NULL. */
const char *x86_insn_name(const struct x86_insn *insn);

/* A short description of a decode error ("LOCK prefix not allowed"). */
const char *x86_decode_error_str(enum x86_decode_error err);

/*
 * x86_mem_offset - the offset (effective address, before the segment base)
 * of memory operand `m` of `insn`, located at `rip`, with general registers
 * `gpr`.  Computed modulo the address size, as the CPU does.
 */
uint64_t x86_mem_offset(const struct x86_insn *insn, const struct x86_mem *m,
			const uint64_t gpr[X86_NR_GPRS], uint64_t rip);

/* Target of a relative branch located at `rip`: rip + len + rel, truncated
 * to the operand size (16-bit IP, 32-bit EIP or RIP). */
uint64_t x86_insn_branch_target(const struct x86_insn *insn, uint64_t rip);

/*
 * x86_insn_format - the instruction in Intel syntax ("lock add dword ptr
 * [rax + rbx*4 + 0x10], ecx") into buf (always NUL-terminated if size > 0).
 * `rip` is the instruction's address, used for branch targets and
 * RIP-relative operands.  Returns the length snprintf would have written.
 */
int x86_insn_format(const struct x86_insn *insn, uint64_t rip, char *buf, size_t size);

#endif
