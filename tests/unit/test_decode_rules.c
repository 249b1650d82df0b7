/*
 * test_decode_rules.c - unit tests of the x86 decoder's format rules:
 * prefixes and their interactions, REX, LOCK, segment overrides, ModRM/SIB
 * forms, RIP-relative and 16-bit addressing, -EAGAIN at every truncation,
 * the 15-byte limit, effective addresses, and the tables' structure.
 *
 * test_decode.c covers the instructions themselves.
 */
#include "decode_test.h"
#include "bt/decode_tables.h"

static void test_prefix_sizes(void **state)
{
	struct x86_insn i;

	(void)state;
	i = ok(M64, "01 c8");
	assert_int_equal(i.opsize, 4);
	assert_int_equal(i.addrsize, 8);
	i = ok(M64, "66 01 c8");
	assert_true(i.opsize_pfx);
	assert_int_equal(i.opsize, 2);
	i = ok(M64, "66 48 01 c8"); /* REX.W beats 66 */
	assert_int_equal(i.opsize, 8);
	i = ok(M64, "67 8b 00"); /* 67: 32-bit addressing in 64-bit mode */
	assert_int_equal(i.addrsize, 4);
	assert_int_equal(i.opnd[1].mem.addr_size, 4);
	i = ok(M32, "66 01 c8");
	assert_int_equal(i.opsize, 2);
	i = ok(M16, "01 c8");
	assert_int_equal(i.opsize, 2);
	assert_int_equal(i.addrsize, 2);
	i = ok(M16, "66 67 01 00");
	assert_int_equal(i.opsize, 4);
	assert_int_equal(i.addrsize, 4);
	i = ok(M64, "66 66 66 01 c8"); /* repeating a prefix changes nothing */
	assert_int_equal(i.opsize, 2);
	assert_int_equal(i.npfx, 3);
	i = ok(M64, "f3 01 c8"); /* F3 on a non-string instruction: ignored */
	assert_name(&i, "add");
	assert_int_equal(i.rep, X86_REP_REPE);
	assert_int_equal(i.mandatory, 0);
	i = ok(M64, "f2 f3 a4"); /* the last of F2/F3 counts */
	assert_int_equal(i.rep, X86_REP_REPE);
	i = ok(M64, "f3 f2 ae");
	assert_int_equal(i.rep, X86_REP_REPNE);
}

static void test_rex_rules(void **state)
{
	struct x86_insn i;

	(void)state;
	i = ok(M64, "4d 01 c8"); /* REX.WRB: add r8, r9 */
	assert_int_equal(i.rex, 0x4d);
	assert_true(i.rex_w && i.rex_r && i.rex_b && !i.rex_x);
	assert_int_equal(i.reg, X86_R9);
	assert_int_equal(i.rm, X86_R8);
	assert_gpr(&i.opnd[0], X86_R8, 8);
	assert_gpr(&i.opnd[1], X86_R9, 8);
	/* REX must come last: a legacy prefix after it makes it ignored */
	i = ok(M64, "48 66 01 c8");
	assert_int_equal(i.rex, 0);
	assert_false(i.rex_w);
	assert_int_equal(i.opsize, 2);
	assert_int_equal(i.npfx, 2);
	/* two REX prefixes: the last one is used */
	i = ok(M64, "41 48 01 c8");
	assert_int_equal(i.rex, 0x48);
	assert_gpr(&i.opnd[0], X86_RAX, 8);
	/* 40..4F are INC/DEC outside 64-bit mode */
	i = ok(M32, "48");
	assert_name(&i, "dec");
	/* 90: NOP; with REX.B it exchanges r8; F3 90 is PAUSE */
	i = ok(M64, "90");
	assert_name(&i, "nop");
	i = ok(M64, "48 90");
	assert_name(&i, "nop");
	i = ok(M64, "41 90");
	assert_name(&i, "xchg");
	assert_gpr(&i.opnd[0], X86_RAX, 4);
	assert_gpr(&i.opnd[1], X86_R8, 4);
	i = ok(M64, "f3 90");
	assert_name(&i, "pause");
	assert_int_equal(i.mandatory, 0xf3);
	i = ok(M64, "66 90");
	assert_name(&i, "nop");
	i = ok(M64, "49 87 c0"); /* xchg r8, rax (ModRM form) */
	assert_gpr(&i.opnd[0], X86_R8, 8);
	i = ok(M64, "93");
	assert_gpr(&i.opnd[1], X86_RBX, 4);
	/* byte registers: SPL..DIL need a REX, AH..BH exist only without */
	i = ok(M64, "40 b6 01");
	assert_gpr(&i.opnd[0], X86_RSI, 1);
	i = ok(M64, "b6 01");
	assert_reg(&i.opnd[0], X86_RC_GPR8H, X86_RDX, 1);
	/* a REX ignored because of a later prefix does not enable SPL */
	i = ok(M64, "40 66 88 e0");
	assert_reg(&i.opnd[1], X86_RC_GPR8H, 0, 1);
}

static void test_lock_rules(void **state)
{
	struct x86_insn i;

	(void)state;
	i = ok(M64, "f0 01 08"); /* lock add [rax], ecx */
	assert_true(i.lock);
	i = ok(M64, "f0 48 0f c1 0a"); /* lock xadd [rdx], rcx */
	assert_name(&i, "xadd");
	i = ok(M64, "f0 0f b1 0a");
	ok(M64, "f0 48 0f c7 0e"); /* lock cmpxchg16b [rsi] */
	ok(M64, "f0 0f ba 28 03"); /* lock bts dword [rax], 3 */
	ok(M64, "f0 86 07");       /* lock xchg [rdi], al */
	ok(M64, "f0 f6 10");       /* lock not byte [rax] */
	ok(M64, "f0 ff 00");       /* lock inc dword [rax] */
	ok(M64, "66 f0 83 00 01");
	ud(M64, "f0 01 c8", X86_ERR_LOCK);    /* register destination */
	ud(M64, "f0 03 08", X86_ERR_LOCK);    /* add ecx, [rax]: Gv,Ev */
	ud(M64, "f0 39 08", X86_ERR_LOCK);    /* cmp cannot be locked */
	ud(M64, "f0 89 08", X86_ERR_LOCK);    /* mov */
	ud(M64, "f0 90", X86_ERR_LOCK);       /* nop */
	ud(M64, "f0 0f a3 08", X86_ERR_LOCK); /* bt */
	ud(M64, "f0 0f 20 c0",
	   X86_ERR_LOCK); /* mov rax, cr0 (AMD's CR8 alias: Intel #UD) */
	ud(M32, "f0 0f 22 c0", X86_ERR_LOCK);
	ud(M64, "f0 c5 f8 77", X86_ERR_VEX_PREFIX);
}

static void test_segment_overrides(void **state)
{
	struct x86_insn i;

	(void)state;
	i = ok(M64, "8b 00");
	assert_int_equal(i.seg, X86_SEG_NONE);
	assert_int_equal(i.opnd[1].mem.seg, X86_SEG_DS);
	i = ok(M64, "8b 45 00"); /* rbp base: SS */
	assert_int_equal(i.opnd[1].mem.seg, X86_SEG_SS);
	i = ok(M64, "41 8b 45 00"); /* r13 base: DS */
	assert_int_equal(i.opnd[1].mem.seg, X86_SEG_DS);
	i = ok(M64, "65 8b 04 25 28 00 00 00"); /* mov eax, gs:[0x28] */
	assert_int_equal(i.seg, X86_SEG_GS);
	assert_int_equal(i.opnd[1].mem.seg, X86_SEG_GS);
	assert_mem(&i.opnd[1], NOREG, NOREG, 1, 0x28, 4);
	/* 64-bit mode ignores CS/DS/ES/SS overrides, even after FS */
	i = ok(M64, "26 8b 00");
	assert_int_equal(i.seg, X86_SEG_ES);
	assert_int_equal(i.opnd[1].mem.seg, X86_SEG_DS);
	i = ok(M64, "64 2e 8b 00");
	assert_int_equal(i.seg, X86_SEG_CS);
	assert_int_equal(i.opnd[1].mem.seg, X86_SEG_FS);
	/* 32-bit mode obeys them; the last one wins */
	i = ok(M32, "64 2e 8b 00");
	assert_int_equal(i.opnd[1].mem.seg, X86_SEG_CS);
	i = ok(M32, "3e 8b 45 00");
	assert_int_equal(i.opnd[1].mem.seg, X86_SEG_DS);
	/* string operands: the source can be overridden, ES:rDI cannot */
	i = ok(M32, "26 a5");
	assert_int_equal(i.opnd[0].mem.seg, X86_SEG_ES);
	assert_int_equal(i.opnd[1].mem.seg, X86_SEG_ES);
	i = ok(M32, "64 a5");
	assert_int_equal(i.opnd[0].mem.seg, X86_SEG_ES);
	assert_int_equal(i.opnd[1].mem.seg, X86_SEG_FS);
}

static void test_modrm_sib_forms(void **state)
{
	struct x86_insn i;

	(void)state;
	i = ok(M64, "8b 04 24"); /* [rsp]: SIB with index=100 (none) */
	assert_int_equal(i.sib, 0x24);
	assert_int_equal(i.index, NOREG);
	assert_mem(&i.opnd[1], X86_RSP, NOREG, 1, 0, 4);
	i = ok(M64, "42 8b 04 24"); /* REX.X: index=100 is r12 */
	assert_mem(&i.opnd[1], X86_RSP, X86_R12, 1, 0, 4);
	i = ok(M64, "41 8b 04 24"); /* [r12] still needs the SIB */
	assert_mem(&i.opnd[1], X86_R12, NOREG, 1, 0, 4);
	i = ok(M64, "8b 04 25 78 56 34 12"); /* SIB base=101 mod=00: disp32, no base */
	assert_mem(&i.opnd[1], NOREG, NOREG, 1, 0x12345678, 4);
	assert_int_equal(i.base, NOREG);
	i = ok(M64, "41 8b 04 25 00 00 00 80"); /* ... even with REX.B (not r13) */
	assert_mem(&i.opnd[1], NOREG, NOREG, 1, -0x80000000ll, 4);
	i = ok(M64, "8b 04 cd 10 00 00 00"); /* [rcx*8 + 0x10] */
	assert_mem(&i.opnd[1], NOREG, X86_RCX, 8, 0x10, 4);
	i = ok(M64, "8b 44 8d f0"); /* [rbp + rcx*4 - 0x10] */
	assert_mem(&i.opnd[1], X86_RBP, X86_RCX, 4, -0x10, 4);
	assert_int_equal(i.opnd[1].mem.seg, X86_SEG_SS);
	i = ok(M64, "8b 45 00"); /* [rbp] needs a disp8 */
	assert_mem(&i.opnd[1], X86_RBP, NOREG, 1, 0, 4);
	i = ok(M64, "41 8b 45 00"); /* [r13] too */
	assert_mem(&i.opnd[1], X86_R13, NOREG, 1, 0, 4);
	i = ok(M64, "43 8b 84 fd 00 01 00 00"); /* [r13 + r15*8 + 0x100] */
	assert_mem(&i.opnd[1], X86_R13, X86_R15, 8, 0x100, 4);
	assert_int_equal(i.disp_size, 4);
	assert_int_equal(i.disp_off, 4);
	i = ok(M64, "8b 80 00 00 00 80"); /* disp32 is sign-extended */
	assert_mem(&i.opnd[1], X86_RAX, NOREG, 1, -0x80000000ll, 4);
	i = ok(M32, "8b 05 78 56 34 12"); /* 32-bit mode: mod=00 rm=101 is [disp32] */
	assert_false(i.rip_rel);
	assert_mem(&i.opnd[1], NOREG, NOREG, 1, 0x12345678, 4);
	i = ok(M64, "8b c1");
	assert_int_equal(i.mod, 3);
	assert_false(i.has_sib);
	assert_int_equal(i.disp_size, 0);
}

static void test_rip_relative(void **state)
{
	uint64_t gpr[X86_NR_GPRS] = { 0 };
	struct x86_insn i;

	(void)state;
	/* mov dword [rip + 0x100], 0x12345678: the immediate follows the
	 * displacement, and the base is the END of the instruction */
	i = ok(M64, "c7 05 00 01 00 00 78 56 34 12");
	assert_true(i.rip_rel);
	assert_int_equal(i.base, X86_RIPREG);
	assert_mem(&i.opnd[0], X86_RIPREG, NOREG, 1, 0x100, 4);
	assert_int_equal(i.disp_off, 2);
	assert_int_equal(i.imm_off, 6);
	assert_imm(&i.opnd[1], 0x12345678, 4);
	assert_int_equal(x86_mem_offset(&i, &i.opnd[0].mem, gpr, 0x401000), 0x40110a);
	/* with REX.B, rm=101 is still RIP-relative (r13 needs mod=01) */
	i = ok(M64, "49 8b 05 f0 ff ff ff");
	assert_true(i.rip_rel);
	assert_int_equal(x86_mem_offset(&i, &i.opnd[1].mem, gpr, 0x1000),
	                 0x1000 + 7 - 0x10);
	/* cmp byte [rip+0x10], 0x7f: a byte immediate after the disp32 */
	i = ok(M64, "80 3d 10 00 00 00 7f");
	assert_int_equal(x86_mem_offset(&i, &i.opnd[0].mem, gpr, 0), 0x17);
	/* 67: EIP-relative, truncated to 32 bits */
	i = ok(M64, "67 8b 05 00 00 00 00");
	assert_int_equal(x86_mem_offset(&i, &i.opnd[1].mem, gpr, 0xfffffffffffffff0ull),
	                 (0xfffffffffffffff0ull + 7) & 0xffffffffu);
	/* lea rdi, [rip - 7]: itself */
	i = ok(M64, "48 8d 3d f9 ff ff ff");
	assert_int_equal(x86_mem_offset(&i, &i.opnd[1].mem, gpr, 0x5000), 0x5000);
}

static void test_16bit_addressing(void **state)
{
	static const struct {
		const char *hex;
		unsigned base, index, seg;
		int64_t disp;
	} forms[] = {
		{ "67 8b 00", X86_RBX, X86_RSI, X86_SEG_DS, 0 },
		{ "67 8b 01", X86_RBX, X86_RDI, X86_SEG_DS, 0 },
		{ "67 8b 02", X86_RBP, X86_RSI, X86_SEG_SS, 0 },
		{ "67 8b 03", X86_RBP, X86_RDI, X86_SEG_SS, 0 },
		{ "67 8b 04", X86_RSI, NOREG, X86_SEG_DS, 0 },
		{ "67 8b 05", X86_RDI, NOREG, X86_SEG_DS, 0 },
		{ "67 8b 06 34 12", NOREG, NOREG, X86_SEG_DS, 0x1234 }, /* [disp16] */
		{ "67 8b 07", X86_RBX, NOREG, X86_SEG_DS, 0 },
		{ "67 8b 46 fe", X86_RBP, NOREG, X86_SEG_SS, -2 }, /* [bp-2] */
		{ "67 8b 80 00 80", X86_RBX, X86_RSI, X86_SEG_DS, -0x8000 },
		{ "67 26 8b 46 00", X86_RBP, NOREG, X86_SEG_ES, 0 },
	};
	uint64_t gpr[X86_NR_GPRS] = { 0 };
	struct x86_insn i;

	(void)state;
	for (unsigned n = 0; n < ARRAY_SIZE(forms); n++) {
		i = ok(M32, forms[n].hex);
		assert_int_equal(i.addrsize, 2);
		assert_false(i.has_sib);
		assert_mem(&i.opnd[1], forms[n].base, forms[n].index, 1, forms[n].disp,
		           4);
		assert_int_equal(i.opnd[1].mem.seg, forms[n].seg);
	}
	/* the same forms are the default in 16-bit mode */
	i = ok(M16, "8b 46 02");
	assert_mem(&i.opnd[1], X86_RBP, NOREG, 1, 2, 2);
	/* offsets wrap at 64 KiB */
	gpr[X86_RBX] = 0xfff0;
	gpr[X86_RSI] = 0x20;
	i = ok(M16, "8b 00");
	assert_int_equal(x86_mem_offset(&i, &i.opnd[1].mem, gpr, 0), 0x10);
	gpr[X86_RBX] = 0x1ffff; /* only the low 16 bits of BX count */
	gpr[X86_RSI] = 0;
	assert_int_equal(x86_mem_offset(&i, &i.opnd[1].mem, gpr, 0), 0xffff);
	/* 32-bit addressing wraps at 4 GiB */
	gpr[X86_RAX] = 0xfffffff0u;
	i = ok(M32, "8b 40 20");
	assert_int_equal(x86_mem_offset(&i, &i.opnd[1].mem, gpr, 0), 0x10);
	/* 67 in 16-bit mode: 32-bit forms with SIB */
	i = ok(M16, "67 8b 04 8b");
	assert_mem(&i.opnd[1], X86_RBX, X86_RCX, 4, 0, 2);
}

static void test_eagain_at_every_truncation(void **state)
{
	static const struct {
		enum x86_mode mode;
		const char *hex;
	} cases[] = {
		{ M64, "48 01 d8" },
		{ M64, "f0 48 0f c7 0e" },
		{ M64, "c7 05 00 01 00 00 78 56 34 12" },
		{ M64, "66 2e 0f 1f 84 00 00 00 00 00" },
		{ M64, "49 bf 88 77 66 55 44 33 22 11" },
		{ M64, "a1 88 77 66 55 44 33 22 11" },
		{ M64, "43 8b 84 fd 00 01 00 00" },
		{ M64, "f0 65 48 81 84 c8 10 00 00 00 78 56 34 12" },
		{ M64, "c8 10 00 01" },
		{ M64, "0f 84 00 01 00 00" },
		{ M64, "f3 0f b8 c1" },
		{ M64, "66 0f 38 f1 07" },
		{ M64, "0f 01 f8" },
		{ M64, "f3 0f 1e fa" },
		{ M64, "c5 f8 77" },
		{ M64, "c4 e3 79 0f c1 08" },
		{ M64, "62 f1 7c 48 58 c1" },
		{ M64, "8f ea 78 10 c1 01 00 00 00" },
		{ M64, "0f 0f c0 9e" },
		{ M64, "66 0f 3a 0f c1 08" },
		{ M64, "d9 05 00 00 00 00" },
		{ M32, "ea 78 56 34 12 08 00" },
		{ M32, "67 8b 80 00 80" },
		{ M32, "62 00" },
		{ M32, "c5 f8 77" },
		{ M16, "8b 46 02" },
		{ M16, "66 67 8b 04 8b" },
	};

	(void)state;
	for (unsigned n = 0; n < ARRAY_SIZE(cases); n++) {
		uint8_t bytes[MAX_BYTES];
		size_t len = parse_hex(cases[n].hex, bytes);
		struct x86_insn i = ok(cases[n].mode, cases[n].hex);

		for (size_t avail = 0; avail < len; avail++) {
			int r = decode_exact(cases[n].mode, bytes, avail, &i);
			if (r != -EAGAIN)
				fail_msg("%s with %zu bytes: %d, expected -EAGAIN",
				         cases[n].hex, avail, r);
		}
		/* more bytes than needed: the same length */
		memset(bytes + len, 0xcc, MAX_BYTES - len);
		assert_int_equal(x86_decode(bytes, MAX_BYTES, cases[n].mode, &i), 0);
		assert_int_equal(i.len, len);
	}
	/* an invalid opcode is reported as soon as it is known */
	assert_int_equal(decode(M64, "0f 04", &(struct x86_insn){ 0 }), X86_DECODE_UD);
	/* a NULL buffer with nothing available is just "need more" */
	assert_int_equal(x86_decode(NULL, 0, M64, &(struct x86_insn){ 0 }), -EAGAIN);
}

static void test_fifteen_byte_limit(void **state)
{
	uint8_t bytes[24];
	struct x86_insn i;

	(void)state;
	/* 14 prefixes + NOP: exactly 15 bytes */
	memset(bytes, 0x2e, sizeof(bytes));
	bytes[14] = 0x90;
	assert_int_equal(x86_decode(bytes, sizeof(bytes), M64, &i), X86_DECODE_OK);
	assert_int_equal(i.len, 15);
	assert_int_equal(i.npfx, 14);
	/* 15 prefixes + NOP: #GP, even with enough bytes available */
	bytes[14] = 0x2e;
	bytes[15] = 0x90;
	assert_int_equal(x86_decode(bytes, sizeof(bytes), M64, &i), X86_DECODE_GP);
	assert_int_equal(i.error, X86_ERR_TOO_LONG);
	/* 14 prefixes + an opcode that needs a ModRM: the 16th byte is #GP... */
	bytes[14] = 0x8b;
	bytes[15] = 0x00;
	assert_int_equal(x86_decode(bytes, sizeof(bytes), M64, &i), X86_DECODE_GP);
	/* ... even when the caller has only 15 bytes: never -EAGAIN past 15 */
	assert_int_equal(x86_decode(bytes, 15, M64, &i), X86_DECODE_GP);
	/* below the limit, running out of bytes is -EAGAIN */
	assert_int_equal(x86_decode(bytes, 14, M64, &i), -EAGAIN);
	/* a 64-bit immediate pushes a prefixed instruction over the limit */
	i = ok(M64, "66 66 66 66 48 b8 88 77 66 55 44 33 22 11");
	assert_int_equal(i.len, 14);
	assert_int_equal(
	    decode(M64, "66 66 66 66 66 66 48 b8 88 77 66 55 44 33 22 11", &i),
	    X86_DECODE_GP);
	/* a 15-byte instruction without padding prefixes; one more is too many */
	i = ok(M64, "f0 65 66 48 81 84 c8 10 00 00 00 78 56 34 12");
	assert_int_equal(i.len, 15);
	assert_int_equal(
	    decode(M64, "f0 65 66 2e 48 81 84 c8 10 00 00 00 78 56 34 12", &i),
	    X86_DECODE_GP);
}

static void test_mem_offset(void **state)
{
	uint64_t gpr[X86_NR_GPRS] = { 0 };
	struct x86_insn i;

	(void)state;
	gpr[X86_RAX] = 0x1000;
	gpr[X86_RCX] = 3;
	i = ok(M64, "48 8b 44 c8 f8"); /* [rax + rcx*8 - 8] */
	assert_int_equal(x86_mem_offset(&i, &i.opnd[1].mem, gpr, 0), 0x1010);
	gpr[X86_RAX] = 0;
	gpr[X86_RCX] = 0;
	assert_int_equal(x86_mem_offset(&i, &i.opnd[1].mem, gpr, 0), ~0ull - 7);
	gpr[X86_RAX] = 0xffffffff00000010ull; /* 67: 32-bit arithmetic */
	i = ok(M64, "67 8b 40 f0");
	assert_int_equal(x86_mem_offset(&i, &i.opnd[1].mem, gpr, 0), 0);
	i = ok(M64, "a0 00 00 00 00 00 00 00 80"); /* moffs: no registers */
	assert_int_equal(x86_mem_offset(&i, &i.opnd[1].mem, gpr, 0),
	                 0x8000000000000000ull);
	gpr[X86_RSI] = 0x2000;
	i = ok(M64, "ac");
	assert_int_equal(x86_mem_offset(&i, &i.opnd[1].mem, gpr, 0), 0x2000);
}

static bool length_family(uint16_t m)
{
	return m == X86_I_X87 || m == X86_I_SSE || m == X86_I_AMD3DNOW ||
	       m == X86_I_VEX || m == X86_I_EVEX || m == X86_I_XOP;
}

static unsigned rows_checked;

/* check_row - structural rules every row must follow. */

static void check_row(const struct x86_opcode *row, const char *where)
{
	bool ended = false;

	rows_checked++;
	if (row->esc != X86_ESC_NONE) {
		unsigned n = x86_esc_rows((enum x86_esc)row->esc);
		if (!row->sub || !n || row->mnem || row->flags)
			fail_msg("%s: malformed escape row", where);
		for (unsigned k = 0; k < n; k++)
			check_row(&row->sub[k], where);
		return;
	}
	if (row->sub)
		fail_msg("%s: instruction row with sub-rows", where);
	if (row->mnem >= X86_I_COUNT)
		fail_msg("%s: bad mnemonic", where);
	if (row->mnem == X86_I_INVALID) {
		if (row->flags || row->op[0].am)
			fail_msg("%s: invalid row with contents", where);
		return;
	}
	for (unsigned k = 0; k < X86_MAX_OPNDS; k++) {
		if (ended && row->op[k].am)
			fail_msg("%s %s: gap in operands", where,
			         x86_mnemonic_name(row->mnem));
		ended |= !row->op[k].am;
	}
	/* length-only rows, and only they, belong to the unsupported families */
	if (length_family(row->mnem) != !!(row->flags & X86_F_LENGTH))
		fail_msg("%s %s: LENGTH flag mismatch", where,
		         x86_mnemonic_name(row->mnem));
	/* lockable rows write a memory-capable destination */
	if ((row->flags & X86_F_LOCK) && row->op[0].am != X86_AM_E &&
	    row->op[0].am != X86_AM_M)
		fail_msg("%s %s: lockable without an E/M destination", where,
		         x86_mnemonic_name(row->mnem));
	if ((row->flags & X86_F_I64) && (row->flags & X86_F_O64))
		fail_msg("%s %s: both i64 and o64", where, x86_mnemonic_name(row->mnem));
	if ((row->flags & X86_F_MODREG) && row->op[0].am != X86_AM_R &&
	    row->op[1].am != X86_AM_R)
		fail_msg("%s %s: MODREG without an R operand", where,
		         x86_mnemonic_name(row->mnem));
}

static void test_table_structure(void **state)
{
	static const struct {
		const struct x86_opcode *map;
		const char *name;
	} maps[] = {
		{ x86_map_onebyte, "one-byte" },
		{ x86_map_0f, "0F" },
		{ x86_map_0f38, "0F38" },
		{ x86_map_0f3a, "0F3A" },
	};
	char where[32];

	(void)state;
	for (unsigned m = 0; m < ARRAY_SIZE(maps); m++)
		for (unsigned op = 0; op < X86_MAP_ROWS; op++) {
			snprintf(where, sizeof(where), "%s %02x", maps[m].name, op);
			check_row(&maps[m].map[op], where);
		}
	check_row(&x86_row_0f38_default, "0F38 default");
	check_row(&x86_row_0f3a_default, "0F3A default");
	check_row(&x86_row_3dnow, "3DNow!");
	assert_true(rows_checked > 4 * X86_MAP_ROWS);
	/* the one-byte and 0F maps must define every instruction named in the
	 * interpreter's scope: spot-check that no integer row is length-only */
	assert_false(x86_map_onebyte[0x01].flags & X86_F_LENGTH);
	assert_false(x86_map_0f[0xaf].flags & X86_F_LENGTH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_sizes),
		cmocka_unit_test(test_rex_rules),
		cmocka_unit_test(test_lock_rules),
		cmocka_unit_test(test_segment_overrides),
		cmocka_unit_test(test_modrm_sib_forms),
		cmocka_unit_test(test_rip_relative),
		cmocka_unit_test(test_16bit_addressing),
		cmocka_unit_test(test_eagain_at_every_truncation),
		cmocka_unit_test(test_fifteen_byte_limit),
		cmocka_unit_test(test_mem_offset),
		cmocka_unit_test(test_table_structure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
