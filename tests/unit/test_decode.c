/*
 * test_decode.c - unit tests of the x86 decoder (bt/decode.c and its
 * tables), instruction group by instruction group: bytes in, expected
 * fields out.
 *
 * Each test feeds hand-assembled instructions and checks what the
 * interpreter will rely on: length, operand and address sizes, the operand
 * list (kinds, registers, memory components, immediates and their
 * extension), the name and the row's flags, and #UD for the encodings the
 * SDM rejects.  The expected values come from the SDM, not from the
 * decoder.  test_decode_rules.c covers the format rules (prefixes, REX,
 * ModRM/SIB, truncation, the 15-byte limit); tests/diff/ checks the decoder
 * against Capstone on random input.
 */
#include "decode_test.h"

static void test_alu_all_forms(void **state)
{
	static const char *const names[8] = { "add", "or",  "adc", "sbb",
	                                     "and", "sub", "xor", "cmp" };
	(void)state;
	for (unsigned k = 0; k < 8; k++) {
		char hex[64];
		struct x86_insn i;
		unsigned base = k * 8;

		snprintf(hex, sizeof(hex), "%02x 18", base); /* Eb,Gb: [rax], bl */
		i = ok(M64, hex);
		assert_name(&i, names[k]);
		assert_mem(&i.opnd[0], X86_RAX, NOREG, 1, 0, 1);
		assert_gpr(&i.opnd[1], X86_RBX, 1);
		assert_int_equal(i.opsize, 1);

		snprintf(hex, sizeof(hex), "48 %02x d8", base + 1); /* Ev,Gv: rax, rbx */
		i = ok(M64, hex);
		assert_gpr(&i.opnd[0], X86_RAX, 8);
		assert_gpr(&i.opnd[1], X86_RBX, 8);

		/* Gb,Eb with ModRM 3c: rm=100 announces a SIB byte, not given */
		snprintf(hex, sizeof(hex), "%02x 3c", base + 2);
		assert_int_equal(decode(M64, hex, &i), -EAGAIN);
		snprintf(hex, sizeof(hex), "%02x 3c 24", base + 2); /* bh, [rsp] */
		i = ok(M64, hex);
		assert_reg(&i.opnd[0], X86_RC_GPR8H, X86_RBX, 1);
		assert_mem(&i.opnd[1], X86_RSP, NOREG, 1, 0, 1);

		snprintf(hex, sizeof(hex), "66 %02x 0b", base + 3); /* Gv,Ev: cx, [rbx] */
		i = ok(M64, hex);
		assert_gpr(&i.opnd[0], X86_RCX, 2);
		assert_mem(&i.opnd[1], X86_RBX, NOREG, 1, 0, 2);

		snprintf(hex, sizeof(hex), "%02x 7f", base + 4); /* AL,Ib */
		i = ok(M64, hex);
		assert_gpr(&i.opnd[0], X86_RAX, 1);
		assert_imm(&i.opnd[1], 0x7f, 1);

		snprintf(hex, sizeof(hex), "48 %02x ff ff ff ff", base + 5); /* rAX,Iz */
		i = ok(M64, hex);
		assert_gpr(&i.opnd[0], X86_RAX, 8);
		assert_imm(&i.opnd[1], ~0ull, 4); /* imm32 sign-extended to 64 */

		/* group 1: 80 /k Eb,Ib; 81 /k Ev,Iz; 83 /k Ev,Ib (sign-extended) */
		snprintf(hex, sizeof(hex), "80 %02x 80", 0xc0 | (k << 3) | 1);
		i = ok(M64, hex);
		assert_name(&i, names[k]);
		assert_gpr(&i.opnd[0], X86_RCX, 1);
		assert_imm(&i.opnd[1], 0x80, 1);
		snprintf(hex, sizeof(hex), "81 %02x 78 56 34 12", 0xc0 | (k << 3) | 2);
		i = ok(M64, hex);
		assert_name(&i, names[k]);
		assert_imm(&i.opnd[1], 0x12345678, 4);
		snprintf(hex, sizeof(hex), "66 83 %02x fe", 0xc0 | (k << 3) | 3);
		i = ok(M64, hex);
		assert_name(&i, names[k]);
		assert_gpr(&i.opnd[0], X86_RBX, 2);
		assert_imm(&i.opnd[1], 0xfffe, 1); /* -2 at 16 bits */
		assert_true(x86_insn_has(&i, X86_F_FLAGS_W));
		assert_int_equal(x86_insn_has(&i, X86_F_LOCK), k != 7);
	}
}

static void test_mov_forms(void **state)
{
	struct x86_insn i;

	(void)state;
	i = ok(M64, "88 e0"); /* mov al, ah */
	assert_gpr(&i.opnd[0], X86_RAX, 1);
	assert_reg(&i.opnd[1], X86_RC_GPR8H, 0, 1);
	i = ok(M64, "40 88 e0"); /* any REX: spl, not ah */
	assert_gpr(&i.opnd[1], X86_RSP, 1);
	i = ok(M64, "44 8a 3f"); /* mov r15b, [rdi] */
	assert_gpr(&i.opnd[0], X86_R15, 1);
	i = ok(M64, "8b 4c 24 08"); /* mov ecx, [rsp+8] */
	assert_gpr(&i.opnd[0], X86_RCX, 4);
	assert_mem(&i.opnd[1], X86_RSP, NOREG, 1, 8, 4);
	assert_int_equal(i.opnd[1].mem.seg, X86_SEG_SS);
	assert_true(i.has_sib);
	assert_int_equal(i.disp_size, 1);
	i = ok(M64, "c6 00 ff"); /* mov byte [rax], 0xff */
	assert_imm(&i.opnd[1], 0xff, 1);
	i = ok(M64, "48 c7 c0 ff ff ff ff"); /* mov rax, -1 (imm32 sign-extended) */
	assert_imm(&i.opnd[1], ~0ull, 4);
	i = ok(M64, "c7 c0 ff ff ff ff");
	assert_imm(&i.opnd[1], 0xffffffffu, 4);
	i = ok(M64, "b4 12"); /* mov ah, 0x12 */
	assert_reg(&i.opnd[0], X86_RC_GPR8H, 0, 1);
	i = ok(M64, "41 b4 12"); /* mov r12b, 0x12 */
	assert_gpr(&i.opnd[0], X86_R12, 1);
	i = ok(M64, "49 bf 88 77 66 55 44 33 22 11"); /* mov r15, imm64 */
	assert_gpr(&i.opnd[0], X86_R15, 8);
	assert_imm(&i.opnd[1], 0x1122334455667788ull, 8);
	i = ok(M64, "66 b8 34 12");
	assert_imm(&i.opnd[1], 0x1234, 2);

	/* moffs: an address-size offset, no ModRM */
	i = ok(M64, "a1 88 77 66 55 44 33 22 11");
	assert_gpr(&i.opnd[0], X86_RAX, 4);
	assert_mem(&i.opnd[1], NOREG, NOREG, 1, 0x1122334455667788ll, 4);
	assert_int_equal(i.disp_size, 8);
	assert_false(i.has_modrm);
	i = ok(M64, "67 a2 f0 ff ff ff"); /* 67: a 32-bit offset, zero-extended */
	assert_mem(&i.opnd[0], NOREG, NOREG, 1, 0xfffffff0ll, 1);
	i = ok(M64, "64 48 a3 00 00 00 00 00 00 00 00"); /* mov fs:[0], rax */
	assert_int_equal(i.opnd[0].mem.seg, X86_SEG_FS);
	i = ok(M32, "a1 44 33 22 11");
	assert_mem(&i.opnd[1], NOREG, NOREG, 1, 0x11223344, 4);
	i = ok(M32, "67 a1 22 11");
	assert_int_equal(i.opnd[1].mem.addr_size, 2);

	/* movzx / movsx / movsxd / lea */
	i = ok(M64, "0f b6 c1");
	assert_name(&i, "movzx");
	assert_gpr(&i.opnd[0], X86_RAX, 4);
	assert_gpr(&i.opnd[1], X86_RCX, 1);
	assert_int_equal(i.opsize, 4);
	i = ok(M64, "48 0f bf 07");
	assert_name(&i, "movsx");
	assert_mem(&i.opnd[1], X86_RDI, NOREG, 1, 0, 2);
	i = ok(M64, "48 63 c8"); /* movsxd rcx, eax */
	assert_gpr(&i.opnd[0], X86_RCX, 8);
	assert_gpr(&i.opnd[1], X86_RAX, 4);
	i = ok(M64, "63 c8"); /* without REX.W: a 32-bit move */
	assert_gpr(&i.opnd[0], X86_RCX, 4);
	i = ok(M32, "63 c8"); /* ARPL outside 64-bit mode */
	assert_name(&i, "arpl");
	assert_gpr(&i.opnd[0], X86_RAX, 2);
	i = ok(M64, "48 8d 44 98 10"); /* lea rax, [rax+rbx*4+0x10] */
	assert_name(&i, "lea");
	assert_mem(&i.opnd[1], X86_RAX, X86_RBX, 4, 0x10, 0); /* an address, no access */
	ud(M64, "8d c0", X86_ERR_MODRM_FORM);
}

static void test_mul_div_shift_unary(void **state)
{
	static const char *const grp3[8] = { "test", "test", "not", "neg",
	                                    "mul",  "imul", "div", "idiv" };
	static const char *const grp2[8] = { "rol", "ror", "rcl", "rcr",
	                                    "shl", "shr", "sal", "sar" };
	struct x86_insn i;
	char hex[32];

	(void)state;
	for (unsigned k = 0; k < 8; k++) {
		snprintf(hex, sizeof(hex), k < 2 ? "f7 %02x 01 00 00 00" : "f7 %02x",
		         0xc0 | (k << 3));
		i = ok(M64, hex);
		assert_name(&i, grp3[k]);
		assert_gpr(&i.opnd[0], X86_RAX, 4);
		assert_int_equal(i.nopnds, k < 2 ? 2 : 1);
		snprintf(hex, sizeof(hex), "48 d3 %02x", 0xc0 | (k << 3) | 1);
		i = ok(M64, hex);
		assert_name(&i, grp2[k]);
		assert_gpr(&i.opnd[0], X86_RCX, 8);
		assert_gpr(&i.opnd[1], X86_RCX, 1);
	}
	i = ok(M64, "d0 e0"); /* shl al, 1 */
	assert_imm(&i.opnd[1], 1, 1);
	i = ok(M64, "c1 e8 1f"); /* shr eax, 31 */
	assert_imm(&i.opnd[1], 31, 1);
	i = ok(M64, "f6 d8"); /* neg al */
	assert_name(&i, "neg");
	i = ok(M64, "0f af c1"); /* imul eax, ecx */
	assert_int_equal(i.nopnds, 2);
	i = ok(M64, "6b c1 f0"); /* imul eax, ecx, -16 */
	assert_int_equal(i.nopnds, 3);
	assert_imm(&i.opnd[2], 0xfffffff0u, 1);
	i = ok(M64, "48 69 c1 00 00 00 80"); /* imul rax, rcx, imm32 */
	assert_imm(&i.opnd[2], 0xffffffff80000000ull, 4);
	i = ok(M64, "fe c0");
	assert_name(&i, "inc");
	i = ok(M64, "48 ff c9");
	assert_name(&i, "dec");
	i = ok(M32, "40");
	assert_name(&i, "inc");
	assert_gpr(&i.opnd[0], X86_RAX, 4);
	i = ok(M32, "66 4f");
	assert_name(&i, "dec");
	assert_gpr(&i.opnd[0], X86_RDI, 2);
	i = ok(M64, "0f a4 c8 04"); /* shld eax, ecx, 4 */
	assert_int_equal(i.nopnds, 3);
	i = ok(M64, "48 0f ad c8"); /* shrd rax, rcx, cl */
	assert_gpr(&i.opnd[2], X86_RCX, 1);
	ud(M64, "fe d0", X86_ERR_OPCODE); /* FE /2 */
	ud(M64, "ff f8", X86_ERR_OPCODE); /* FF /7 */
}

static void test_conversions_and_names(void **state)
{
	static const struct {
		enum x86_mode mode;
		const char *hex, *name;
	} cases[] = {
		{ M64, "98", "cwde" },
		{ M64, "48 98", "cdqe" },
		{ M64, "66 98", "cbw" },
		{ M64, "99", "cdq" },
		{ M64, "48 99", "cqo" },
		{ M64, "66 99", "cwd" },
		{ M16, "98", "cbw" },
		{ M16, "66 98", "cwde" },
		{ M64, "cf", "iretd" },
		{ M64, "48 cf", "iretq" },
		{ M32, "66 cf", "iret" },
		{ M64, "9c", "pushfq" },
		{ M32, "9c", "pushfd" },
		{ M16, "9d", "popf" },
		{ M32, "60", "pushad" },
		{ M32, "66 61", "popa" },
		{ M64, "a4", "movsb" },
		{ M64, "66 a5", "movsw" },
		{ M64, "a5", "movsd" },
		{ M64, "48 a5", "movsq" },
		{ M64, "48 ab", "stosq" },
		{ M64, "ac", "lodsb" },
		{ M64, "f2 ae", "scasb" },
		{ M64, "a7", "cmpsd" },
		{ M64, "6c", "insb" },
		{ M64, "6d", "insd" },
		{ M64, "66 6f", "outsw" },
		{ M64, "e3 00", "jrcxz" },
		{ M64, "67 e3 00", "jecxz" },
		{ M32, "67 e3 00", "jcxz" },
		{ M64, "0f 94 c0", "sete" },
		{ M64, "0f 4c c1", "cmovl" },
		{ M64, "7f 00", "jg" },
		{ M64, "72 00", "jb" },
		{ M64, "0f 18 00", "prefetchnta" },
		{ M64, "0f 18 18", "prefetcht2" },
		{ M64, "0f 0d 08", "prefetchw" },
		{ M64, "d7", "xlatb" },
		{ M64, "48 0f ae 00", "fxsave64" },
		{ M64, "0f ae 00", "fxsave" },
		{ M64, "48 cb", "retfq" },
		{ M64, "cb", "retf" },
		{ M64, "f1", "int1" },
	};
	(void)state;
	for (unsigned n = 0; n < ARRAY_SIZE(cases); n++) {
		struct x86_insn i = ok(cases[n].mode, cases[n].hex);
		if (strcmp(x86_insn_name(&i), cases[n].name))
			fail_msg("%s: '%s', expected '%s'", cases[n].hex,
			         x86_insn_name(&i), cases[n].name);
	}
	assert_string_equal(x86_mnemonic_name(X86_I_ADD), "add");
	assert_string_equal(x86_mnemonic_name(X86_I_COUNT), "(bad)");
	for (unsigned m = 0; m < X86_I_COUNT; m++)
		assert_non_null(x86_mnemonic_name((enum x86_mnemonic)m));
}

static void test_branches(void **state)
{
	struct x86_insn i;

	(void)state;
	i = ok(M64, "75 fe"); /* jne self */
	assert_name(&i, "jne");
	assert_rel(&i.opnd[0], -2, 1);
	assert_int_equal(x86_insn_branch_target(&i, 0x1000), 0x1000);
	assert_int_equal(i.opsize, 8);
	assert_true(x86_insn_has(&i, X86_F_BRANCH));
	i = ok(M64, "0f 84 00 01 00 00");
	assert_name(&i, "je");
	assert_int_equal(x86_insn_branch_target(&i, 0x1000), 0x1106);
	i = ok(M64, "e8 fb ff ff ff"); /* call self */
	assert_int_equal(x86_insn_branch_target(&i, 0x7000), 0x7000);
	/* 64-bit mode: 66 does not shrink rel32 (Intel); still 6 bytes */
	i = ok(M64, "66 e8 00 00 00 00");
	assert_int_equal(i.opsize, 8);
	assert_rel(&i.opnd[0], 0, 4);
	i = ok(M64, "66 0f 85 00 00 00 00");
	assert_int_equal(i.len, 7);
	/* 32-bit mode: 66 gives rel16 and a 16-bit IP */
	i = ok(M32, "66 e9 00 10");
	assert_rel(&i.opnd[0], 0x1000, 2);
	assert_int_equal(x86_insn_branch_target(&i, 0x12345ff0), 0x6ff4);
	i = ok(M32, "eb 80");
	assert_int_equal(x86_insn_branch_target(&i, 0x100), 0x100 + 2 - 0x80);
	i = ok(M16, "e8 00 00");
	assert_rel(&i.opnd[0], 0, 2);
	assert_int_equal(x86_insn_branch_target(&i, 0xfffd), 0);
	/* indirect: 64-bit operand in 64-bit mode, whatever 66 says */
	i = ok(M64, "ff d0");
	assert_name(&i, "call");
	assert_gpr(&i.opnd[0], X86_RAX, 8);
	i = ok(M64, "66 ff 20");
	assert_name(&i, "jmp");
	assert_mem(&i.opnd[0], X86_RAX, NOREG, 1, 0, 8);
	i = ok(M64, "41 ff 24 c4"); /* jmp [r12 + rax*8] */
	assert_mem(&i.opnd[0], X86_R12, X86_RAX, 8, 0, 8);
	i = ok(M32, "ff 10");
	assert_mem(&i.opnd[0], X86_RAX, NOREG, 1, 0, 4);
	/* far: m16:32, m16:64 with REX.W, m16:16 with 66 */
	i = ok(M64, "ff 18");
	assert_name(&i, "lcall");
	assert_mem(&i.opnd[0], X86_RAX, NOREG, 1, 0, 6);
	i = ok(M64, "48 ff 28");
	assert_name(&i, "ljmp");
	assert_int_equal(i.opnd[0].size, 10);
	i = ok(M32, "66 ff 28");
	assert_int_equal(i.opnd[0].size, 4);
	ud(M64, "ff d8", X86_ERR_MODRM_FORM);
	/* direct far: ptr16:32 (offset, then selector) */
	i = ok(M32, "ea 78 56 34 12 08 00");
	assert_int_equal(i.imm, 0x12345678);
	assert_int_equal(i.imm2, 8);
	assert_imm(&i.opnd[0], 8, 2);
	assert_imm(&i.opnd[1], 0x12345678, 4);
	i = ok(M32, "66 9a 34 12 10 00");
	assert_imm(&i.opnd[1], 0x1234, 2);
	ud(M64, "ea 00 00 00 00 08 00", X86_ERR_MODE);
	/* returns */
	i = ok(M64, "c3");
	assert_name(&i, "ret");
	i = ok(M64, "c2 08 00");
	assert_imm(&i.opnd[0], 8, 2);
	i = ok(M64, "ca 10 00");
	assert_name(&i, "retf");
	/* loops */
	i = ok(M64, "e2 fe");
	assert_name(&i, "loop");
	i = ok(M64, "e0 00");
	assert_name(&i, "loopne");
	i = ok(M64, "e1 00");
	assert_name(&i, "loope");
	/* int */
	i = ok(M64, "cd 80");
	assert_imm(&i.opnd[0], 0x80, 1);
	i = ok(M64, "cc");
	assert_name(&i, "int3");
	i = ok(M32, "ce");
	assert_name(&i, "into");
	ud(M64, "ce", X86_ERR_MODE);
	/* XBEGIN rel32, XABORT imm8 */
	i = ok(M64, "c7 f8 00 00 00 00");
	assert_name(&i, "xbegin");
	i = ok(M64, "c6 f8 01");
	assert_name(&i, "xabort");
	ud(M64, "c6 f9 01", X86_ERR_OPCODE);
}

static void test_stack(void **state)
{
	struct x86_insn i;

	(void)state;
	i = ok(M64, "55");
	assert_gpr(&i.opnd[0], X86_RBP, 8);
	assert_int_equal(i.opsize, 8);
	i = ok(M64, "41 57");
	assert_gpr(&i.opnd[0], X86_R15, 8);
	i = ok(M64, "66 50");
	assert_gpr(&i.opnd[0], X86_RAX, 2);
	i = ok(M64, "48 5d"); /* REX.W changes nothing: still 64 */
	assert_gpr(&i.opnd[0], X86_RBP, 8);
	i = ok(M32, "50");
	assert_gpr(&i.opnd[0], X86_RAX, 4);
	i = ok(M64, "6a ff"); /* push -1: sign-extended to 64 bits */
	assert_imm(&i.opnd[0], ~0ull, 1);
	i = ok(M64, "68 00 00 00 80");
	assert_imm(&i.opnd[0], 0xffffffff80000000ull, 4);
	i = ok(M64, "66 68 34 12");
	assert_imm(&i.opnd[0], 0x1234, 2);
	i = ok(M64, "ff 30");
	assert_name(&i, "push");
	assert_mem(&i.opnd[0], X86_RAX, NOREG, 1, 0, 8);
	i = ok(M64, "8f 00");
	assert_name(&i, "pop");
	i = ok(M64, "0f a0");
	assert_reg(&i.opnd[0], X86_RC_SEG, X86_SEG_FS, 2);
	i = ok(M64, "0f a9");
	assert_name(&i, "pop");
	assert_reg(&i.opnd[0], X86_RC_SEG, X86_SEG_GS, 2);
	i = ok(M32, "06");
	assert_reg(&i.opnd[0], X86_RC_SEG, X86_SEG_ES, 2);
	i = ok(M32, "1f");
	assert_reg(&i.opnd[0], X86_RC_SEG, X86_SEG_DS, 2);
	i = ok(M64, "c8 10 00 01");
	assert_name(&i, "enter");
	assert_int_equal(i.imm, 0x10);
	assert_int_equal(i.imm2, 1);
	assert_imm(&i.opnd[0], 0x10, 2);
	assert_imm(&i.opnd[1], 1, 1);
	i = ok(M64, "c9");
	assert_name(&i, "leave");
	assert_int_equal(i.opsize, 8);
	i = ok(M64, "9d");
	assert_name(&i, "popfq");
}

static void test_string_ops(void **state)
{
	struct x86_insn i;

	(void)state;
	i = ok(M64, "f3 48 a5"); /* rep movsq */
	assert_int_equal(i.rep, X86_REP_REPE);
	assert_true(x86_insn_has(&i, X86_F_REP));
	assert_mem(&i.opnd[0], X86_RDI, NOREG, 1, 0, 8);
	assert_mem(&i.opnd[1], X86_RSI, NOREG, 1, 0, 8);
	i = ok(M64, "f3 aa"); /* rep stosb */
	assert_mem(&i.opnd[0], X86_RDI, NOREG, 1, 0, 1);
	assert_gpr(&i.opnd[1], X86_RAX, 1);
	i = ok(M64, "67 ac"); /* lodsb from [esi] */
	assert_int_equal(i.opnd[1].mem.addr_size, 4);
	i = ok(M64, "f2 ae"); /* repne scasb */
	assert_int_equal(i.rep, X86_REP_REPNE);
	assert_gpr(&i.opnd[0], X86_RAX, 1);
	assert_mem(&i.opnd[1], X86_RDI, NOREG, 1, 0, 1);
	i = ok(M64, "f3 a6"); /* repe cmpsb: [rsi] vs [rdi] */
	assert_mem(&i.opnd[0], X86_RSI, NOREG, 1, 0, 1);
	assert_int_equal(i.opnd[1].mem.seg, X86_SEG_ES);
	i = ok(M64, "66 f3 a5"); /* rep movsw: 66 with F3 */
	assert_name(&i, "movsw");
	i = ok(M32, "f3 6d"); /* rep insd */
	assert_mem(&i.opnd[0], X86_RDI, NOREG, 1, 0, 4);
	assert_gpr(&i.opnd[1], X86_RDX, 2);
	i = ok(M64, "48 6f"); /* outs: at most 32 bits even with REX.W */
	assert_mem(&i.opnd[1], X86_RSI, NOREG, 1, 0, 4);
	i = ok(M16, "a5");
	assert_name(&i, "movsw");
	assert_int_equal(i.opnd[0].mem.addr_size, 2);
}

static void test_control_debug_registers(void **state)
{
	struct x86_insn i;

	(void)state;
	i = ok(M64, "0f 20 d8"); /* mov rax, cr3 */
	assert_gpr(&i.opnd[0], X86_RAX, 8);
	assert_reg(&i.opnd[1], X86_RC_CR, 3, 8);
	assert_true(x86_insn_has(&i, X86_F_PRIV));
	i = ok(M64, "0f 22 e0"); /* mov cr4, rax */
	assert_reg(&i.opnd[0], X86_RC_CR, 4, 8);
	i = ok(M64, "44 0f 22 c0"); /* mov cr8, rax */
	assert_reg(&i.opnd[0], X86_RC_CR, 8, 8);
	i = ok(M64, "41 0f 20 c7"); /* mov r15, cr0 */
	assert_gpr(&i.opnd[0], X86_R15, 8);
	i = ok(M64, "0f 20 18"); /* mod is ignored: still mov rax, cr3, 3 bytes */
	assert_gpr(&i.opnd[0], X86_RAX, 8);
	assert_int_equal(i.disp_size, 0);
	i = ok(M64, "66 0f 20 c0"); /* 66 does not change the size */
	assert_gpr(&i.opnd[0], X86_RAX, 8);
	i = ok(M32, "0f 22 d8");
	assert_gpr(&i.opnd[1], X86_RAX, 4);
	assert_reg(&i.opnd[0], X86_RC_CR, 3, 4);
	i = ok(M64, "0f 21 f8"); /* mov rax, dr7 */
	assert_reg(&i.opnd[1], X86_RC_DR, 7, 8);
	i = ok(M64, "0f 23 c1"); /* mov dr0, rcx */
	assert_reg(&i.opnd[0], X86_RC_DR, 0, 8);
	ud(M64, "0f 20 c8", X86_ERR_REGISTER);    /* cr1 */
	ud(M64, "0f 22 e8", X86_ERR_REGISTER);    /* cr5 */
	ud(M64, "44 0f 20 c8", X86_ERR_REGISTER); /* cr9 */
	ud(M64, "44 0f 21 c0", X86_ERR_REGISTER); /* dr8 */
}

static void test_descriptor_tables_and_group7(void **state)
{
	static const struct {
		const char *hex, *name;
	} regforms[] = {
		{ "0f 01 f8", "swapgs" },  { "0f 01 f9", "rdtscp" }, { "0f 01 c8", "monitor" },
		{ "0f 01 c9", "mwait" },   { "0f 01 ca", "clac" },   { "0f 01 cb", "stac" },
		{ "0f 01 d0", "xgetbv" },  { "0f 01 d1", "xsetbv" }, { "0f 01 c1", "vmcall" },
		{ "0f 01 d9", "vmmcall" }, { "0f 01 d5", "xend" },   { "0f 01 d6", "xtest" },
		{ "0f 01 ee", "rdpkru" },  { "0f 01 ef", "wrpkru" },
	};
	struct x86_insn i;

	(void)state;
	i = ok(M64, "0f 01 10"); /* lgdt [rax]: 10 bytes in 64-bit mode */
	assert_name(&i, "lgdt");
	assert_mem(&i.opnd[0], X86_RAX, NOREG, 1, 0, 10);
	i = ok(M32, "0f 01 18"); /* lidt: 6 bytes otherwise */
	assert_name(&i, "lidt");
	assert_int_equal(i.opnd[0].size, 6);
	i = ok(M64, "0f 01 00");
	assert_name(&i, "sgdt");
	i = ok(M64, "0f 01 08");
	assert_name(&i, "sidt");
	i = ok(M64, "0f 01 38");
	assert_name(&i, "invlpg");
	assert_mem(&i.opnd[0], X86_RAX, NOREG, 1, 0, 1);
	i = ok(M64, "0f 01 e0"); /* smsw eax: register form has the operand size */
	assert_name(&i, "smsw");
	assert_gpr(&i.opnd[0], X86_RAX, 4);
	i = ok(M64, "48 0f 01 20"); /* smsw [rax]: memory is always a word */
	assert_int_equal(i.opnd[0].size, 2);
	i = ok(M64, "0f 01 f0");
	assert_name(&i, "lmsw");
	assert_gpr(&i.opnd[0], X86_RAX, 2);
	for (unsigned n = 0; n < ARRAY_SIZE(regforms); n++) {
		i = ok(M64, regforms[n].hex);
		assert_name(&i, regforms[n].name);
		assert_int_equal(i.nopnds, 0);
	}
	ud(M32, "0f 01 f8", X86_ERR_MODE);   /* swapgs: 64-bit mode only */
	ud(M64, "0f 01 28", X86_ERR_OPCODE); /* 0F 01 /5 memory */
	ud(M64, "0f 01 d2", X86_ERR_OPCODE); /* /2 rm=2 */
	ud(M64, "0f 01 c0", X86_ERR_OPCODE); /* /0 rm=0 */
}

static void test_system_misc(void **state)
{
	static const struct {
		enum x86_mode mode;
		const char *hex, *name;
		uint32_t flags; /* flags the row must have */
	} cases[] = {
		{ M64, "0f 00 c0", "sldt", X86_F_IOPL },
		{ M64, "0f 00 c8", "str", 0 },
		{ M64, "0f 00 d0", "lldt", X86_F_PRIV },
		{ M64, "0f 00 18", "ltr", X86_F_PRIV },
		{ M64, "0f 00 e0", "verr", X86_F_FLAGS_W },
		{ M64, "0f 00 28", "verw", 0 },
		{ M64, "0f 06", "clts", X86_F_PRIV },
		{ M64, "0f 09", "wbinvd", X86_F_PRIV },
		{ M64, "0f 08", "invd", X86_F_PRIV },
		{ M64, "0f 30", "wrmsr", X86_F_PRIV },
		{ M64, "0f 32", "rdmsr", X86_F_PRIV },
		{ M64, "0f 31", "rdtsc", X86_F_IOPL },
		{ M64, "0f 33", "rdpmc", 0 },
		{ M64, "0f a2", "cpuid", 0 },
		{ M64, "0f 05", "syscall", X86_F_BRANCH },
		{ M64, "48 0f 07", "sysret", X86_F_PRIV },
		{ M32, "0f 34", "sysenter", 0 },
		{ M32, "0f 35", "sysexit", X86_F_PRIV },
		{ M64, "f4", "hlt", X86_F_PRIV },
		{ M64, "fa", "cli", X86_F_IOPL },
		{ M64, "fb", "sti", X86_F_FLAGS_W },
		{ M64, "fc", "cld", 0 },
		{ M64, "fd", "std", 0 },
		{ M64, "f8", "clc", 0 },
		{ M64, "f9", "stc", 0 },
		{ M64, "f5", "cmc", X86_F_FLAGS_R },
		{ M64, "9e", "sahf", 0 },
		{ M64, "9f", "lahf", 0 },
		{ M64, "0f 0b", "ud2", 0 },
		{ M64, "9b", "wait", 0 },
		{ M64, "f3 0f 1e fa", "endbr64", 0 },
		{ M64, "f3 0f 1e fb", "endbr32", 0 },
		{ M64, "0f ae e8", "lfence", 0 },
		{ M64, "0f ae f0", "mfence", 0 },
		{ M64, "0f ae f8", "sfence", 0 },
		{ M64, "0f ae ef", "lfence", 0 },
		{ M64, "0f ae 38", "clflush", 0 },
		{ M64, "66 0f ae 38", "clflushopt", 0 },
		{ M64, "66 0f ae 30", "clwb", 0 },
		{ M64, "0f c7 f0", "rdrand", 0 },
		{ M64, "0f c7 f8", "rdseed", 0 },
		{ M64, "f3 0f c7 f8", "rdpid", 0 },
		{ M64, "f3 48 0f ae c0", "rdfsbase", 0 },
		{ M64, "f3 0f ae d8", "wrgsbase", 0 },
		{ M64, "0f 18 08", "prefetcht0", 0 },
		{ M64, "0f 1f 00", "nop", 0 },
		{ M64, "66 0f 38 82 00", "invpcid", X86_F_PRIV },
		{ M64, "0f 01 d8", "vmrun", X86_F_PRIV },
	};
	struct x86_insn i;

	(void)state;
	for (unsigned n = 0; n < ARRAY_SIZE(cases); n++) {
		i = ok(cases[n].mode, cases[n].hex);
		if (strcmp(x86_insn_name(&i), cases[n].name))
			fail_msg("%s: '%s', expected '%s'", cases[n].hex,
			         x86_insn_name(&i), cases[n].name);
		if ((i.entry->flags & cases[n].flags) != cases[n].flags)
			fail_msg("%s: flags %#x lack %#x", cases[n].hex, i.entry->flags,
			         cases[n].flags);
	}
	/* in/out: imm8 port and DX */
	i = ok(M64, "e4 60");
	assert_gpr(&i.opnd[0], X86_RAX, 1);
	assert_imm(&i.opnd[1], 0x60, 1);
	assert_int_equal(i.opsize, 1);
	i = ok(M64, "ee");
	assert_gpr(&i.opnd[0], X86_RDX, 2);
	assert_gpr(&i.opnd[1], X86_RAX, 1);
	assert_int_equal(i.opsize, 1); /* the data is a byte, DX is the port */
	i = ok(M64, "66 ed");
	assert_gpr(&i.opnd[0], X86_RAX, 2);
	i = ok(M64, "e7 f4");
	assert_imm(&i.opnd[0], 0xf4, 1);
	assert_gpr(&i.opnd[1], X86_RAX, 4);
	/* segment register moves */
	i = ok(M64, "8e d8"); /* mov ds, eax */
	assert_reg(&i.opnd[0], X86_RC_SEG, X86_SEG_DS, 2);
	i = ok(M64, "8c c8"); /* mov eax, cs */
	assert_gpr(&i.opnd[0], X86_RAX, 4);
	assert_reg(&i.opnd[1], X86_RC_SEG, X86_SEG_CS, 2);
	i = ok(M64, "48 8c 00"); /* mov [rax], es: always a word in memory */
	assert_int_equal(i.opnd[0].size, 2);
	ud(M64, "8e c8", X86_ERR_REGISTER); /* mov cs, eax */
	ud(M64, "8e f0", X86_ERR_REGISTER); /* segment register 6 */
	ud(M64, "8c f8", X86_ERR_REGISTER);
	i = ok(M64, "48 0f b2 00"); /* lss rax, m16:64 */
	assert_name(&i, "lss");
	assert_int_equal(i.opnd[1].size, 10);
	i = ok(M64, "0f b4 00");
	assert_name(&i, "lfs");
	assert_int_equal(i.opnd[1].size, 6);
	i = ok(M32, "66 0f b5 00");
	assert_name(&i, "lgs");
	assert_int_equal(i.opnd[1].size, 4);
	ud(M64, "0f b2 c0", X86_ERR_MODRM_FORM);
	i = ok(M32, "c4 00"); /* les eax, [eax] (mod != 11: not VEX) */
	assert_name(&i, "les");
	i = ok(M32, "c5 00");
	assert_name(&i, "lds");
	i = ok(M64, "0f 02 c1"); /* lar eax, ecx */
	assert_gpr(&i.opnd[1], X86_RCX, 4);
	i = ok(M64, "48 0f 03 01"); /* lsl rax, word [rcx] */
	assert_gpr(&i.opnd[0], X86_RAX, 8);
	assert_int_equal(i.opnd[1].size, 2);
	i = ok(M64, "48 0f 02 c1"); /* lar rax, ecx: r32 source */
	assert_gpr(&i.opnd[1], X86_RCX, 4);
}

static void test_bit_and_atomic_ops(void **state)
{
	struct x86_insn i;

	(void)state;
	i = ok(M64, "0f a3 c8");
	assert_name(&i, "bt");
	i = ok(M64, "48 0f ab 08");
	assert_name(&i, "bts");
	i = ok(M64, "0f b3 c8");
	assert_name(&i, "btr");
	i = ok(M64, "0f bb c8");
	assert_name(&i, "btc");
	i = ok(M64, "0f ba e0 1f"); /* bt eax, 31 */
	assert_name(&i, "bt");
	assert_imm(&i.opnd[1], 31, 1);
	i = ok(M64, "0f ba f8 01");
	assert_name(&i, "btc");
	ud(M64, "0f ba c0 01", X86_ERR_OPCODE); /* /0..3 */
	i = ok(M64, "0f bc c1");
	assert_name(&i, "bsf");
	i = ok(M64, "f3 0f bc c1");
	assert_name(&i, "tzcnt");
	assert_int_equal(i.mandatory, 0xf3);
	i = ok(M64, "66 0f bc c1"); /* 66 with BSF is a size prefix */
	assert_name(&i, "bsf");
	assert_int_equal(i.opsize, 2);
	assert_int_equal(i.mandatory, 0);
	i = ok(M64, "f3 48 0f bd c1");
	assert_name(&i, "lzcnt");
	assert_int_equal(i.opsize, 8);
	i = ok(M64, "66 f3 0f b8 c1"); /* popcnt ax, cx: F3 selects, 66 sizes */
	assert_name(&i, "popcnt");
	assert_int_equal(i.opsize, 2);
	i = ok(M64, "f3 66 0f b8 c1"); /* ... in either order */
	assert_name(&i, "popcnt");
	assert_int_equal(i.opsize, 2);
	ud(M64, "0f b8 c1", X86_ERR_OPCODE); /* JMPE */
	ud(M64, "66 0f b8 c1", X86_ERR_OPCODE);
	i = ok(M64, "41 0f c9"); /* bswap r9d */
	assert_gpr(&i.opnd[0], X86_R9, 4);
	i = ok(M64, "49 0f cf");
	assert_gpr(&i.opnd[0], X86_R15, 8);
	i = ok(M64, "0f b0 0a");
	assert_name(&i, "cmpxchg");
	assert_int_equal(i.opsize, 1);
	i = ok(M64, "0f c7 0e");
	assert_name(&i, "cmpxchg8b");
	assert_mem(&i.opnd[0], X86_RSI, NOREG, 1, 0, 8);
	i = ok(M64, "48 0f c7 0e");
	assert_name(&i, "cmpxchg16b");
	assert_int_equal(i.opnd[0].size, 16);
	ud(M64, "0f c7 c8", X86_ERR_OPCODE);
	i = ok(M64, "0f c1 c8");
	assert_name(&i, "xadd");
	i = ok(M64, "0f 38 f0 07");
	assert_name(&i, "movbe");
	assert_gpr(&i.opnd[0], X86_RAX, 4);
	i = ok(M64, "66 0f 38 f1 07");
	assert_name(&i, "movbe");
	assert_mem(&i.opnd[0], X86_RDI, NOREG, 1, 0, 2);
	ud(M64, "0f 38 f0 c0", X86_ERR_MODRM_FORM);
	i = ok(M64, "f2 0f 38 f0 c1");
	assert_name(&i, "crc32");
	assert_gpr(&i.opnd[0], X86_RAX, 4);
	assert_gpr(&i.opnd[1], X86_RCX, 1);
	i = ok(M64, "f2 48 0f 38 f1 c1");
	assert_gpr(&i.opnd[0], X86_RAX, 8);
	assert_gpr(&i.opnd[1], X86_RCX, 8);
	i = ok(M64, "66 0f 38 f6 c1");
	assert_name(&i, "adcx");
	i = ok(M64, "f3 0f 38 f6 c1");
	assert_name(&i, "adox");
	i = ok(M64, "0f c3 07");
	assert_name(&i, "movnti");
	i = ok(M64, "0f 90 c0");
	assert_name(&i, "seto");
	assert_int_equal(x86_insn_cond(&i), 0);
	i = ok(M64, "0f 9f 00");
	assert_name(&i, "setg");
	assert_mem(&i.opnd[0], X86_RAX, NOREG, 1, 0, 1);
	i = ok(M64, "48 0f 44 c1");
	assert_name(&i, "cmove");
	assert_gpr(&i.opnd[0], X86_RAX, 8);
}

static void test_nops_and_hints(void **state)
{
	/* the multi-byte NOPs compilers and assemblers pad with */
	static const char *const nops[] = {
		"90",
		"66 90",
		"0f 1f 00",
		"0f 1f 40 00",
		"0f 1f 44 00 00",
		"66 0f 1f 44 00 00",
		"0f 1f 80 00 00 00 00",
		"0f 1f 84 00 00 00 00 00",
		"66 0f 1f 84 00 00 00 00 00",
		"66 2e 0f 1f 84 00 00 00 00 00",
		"66 66 2e 0f 1f 84 00 00 00 00 00",
		"66 66 66 66 66 66 2e 0f 1f 84 00 00 00 00 00",
	};
	struct x86_insn i;

	(void)state;
	for (unsigned n = 0; n < ARRAY_SIZE(nops); n++) {
		i = ok(M64, nops[n]);
		assert_name(&i, "nop");
	}
	i = ok(M64, "0f 1f c0"); /* register form: a valid NOP */
	assert_name(&i, "nop");
	i = ok(M64, "0f 19 00"); /* the rest of the hint space */
	assert_name(&i, "nop");
	i = ok(M64, "f3 0f 1e c8"); /* F3 0F 1E /1: (RDSSP) a NOP without CET */
	assert_name(&i, "nop");
	i = ok(M64, "f3 0f 1a 00"); /* MPX BNDCL: a NOP without MPX */
	assert_name(&i, "nop");
	i = ok(M64, "0f ff c0"); /* UD0 and UD1 have a ModRM byte */
	assert_name(&i, "ud0");
	i = ok(M64, "0f b9 04 24");
	assert_name(&i, "ud1");
	i = ok(M64, "0f 0d 08");
	assert_name(&i, "prefetchw");
	ud(M64, "0f 0d c8", X86_ERR_OPCODE);
}

static void test_invalid_in_64bit_mode(void **state)
{
	static const char *const i64[] = {
		"06", "07",    "0e",    "16",       "17",
		"1e", "1f",    "27",    "2f",       "37",
		"3f", "60",    "61",    "82 c0 01", "9a 00 00 00 00 00 00",
		"ce", "d4 0a", "d5 0a", "d6",       "ea 00 00 00 00 00 00",
	};
	struct x86_insn i;

	(void)state;
	for (unsigned n = 0; n < ARRAY_SIZE(i64); n++) {
		ud(M64, i64[n], X86_ERR_MODE);
		i = ok(M32, i64[n]);
		assert_int_equal(i.mode, X86_MODE_32);
	}
	/* 62, C4, C5 are EVEX/VEX in 64-bit mode, BOUND/LES/LDS elsewhere */
	i = ok(M32, "62 00");
	assert_name(&i, "bound");
	assert_mem(&i.opnd[1], X86_RAX, NOREG, 1, 0, 8);
	i = ok(M64, "62 f1 7c 48 58 c1");
	assert_int_equal(x86_insn_mnemonic(&i), X86_I_EVEX);
	i = ok(M32, "62 f1 7c 48 58 c1"); /* mod=11 after 62: EVEX in 32-bit mode too */
	assert_int_equal(x86_insn_mnemonic(&i), X86_I_EVEX);
	i = ok(M32, "8d 00");
	assert_name(&i, "lea");
}

static void test_undefined_opcodes(void **state)
{
	(void)state;
	ud(M64, "0f 04", X86_ERR_OPCODE);
	ud(M64, "0f 0a", X86_ERR_OPCODE);
	ud(M64, "0f 0c", X86_ERR_OPCODE);
	ud(M64, "0f 24 c0", X86_ERR_OPCODE);
	ud(M64, "0f 36", X86_ERR_OPCODE);
	ud(M64, "0f 39", X86_ERR_OPCODE);
	ud(M64, "0f 7a", X86_ERR_OPCODE);
	ud(M64, "0f a6", X86_ERR_OPCODE);
	ud(M64, "0f 00 f0", X86_ERR_OPCODE);    /* 0F 00 /6 */
	ud(M64, "0f c7 00", X86_ERR_OPCODE);    /* 0F C7 /0 */
	ud(M64, "8f e0", X86_ERR_OPCODE);       /* 8F /4: neither POP (/0) nor XOP */
	ud(M64, "c6 c8 00", X86_ERR_OPCODE);    /* C6 /1 */
	ud(M64, "0f ae c0", X86_ERR_OPCODE);    /* fxsave with a register */
	ud(M64, "66 0f ae e8", X86_ERR_OPCODE); /* LFENCE is NP */
	ud(M64, "0f 01 c0", X86_ERR_OPCODE);
	ud(M64, "0f 01 e8", X86_ERR_OPCODE);
	ud(M64, "f3 0f 79 c0", X86_ERR_OPCODE); /* VMWRITE is NP */
	/* register/memory form rules */
	ud(M64, "0f b4 c0", X86_ERR_MODRM_FORM); /* lfs with a register */
	ud(M64, "0f c7 c8", X86_ERR_OPCODE);     /* cmpxchg8b with a register */
}

static void test_all_fields(void **state)
{
	/* lock add qword gs:[rax + rcx*8 + 0x10], 0x12345678 */
	struct x86_insn i = ok(M64, "f0 65 48 81 84 c8 10 00 00 00 78 56 34 12");

	(void)state;
	assert_int_equal(i.len, 14);
	assert_int_equal(i.mode, X86_MODE_64);
	assert_int_equal(i.error, X86_ERR_NONE);
	assert_true(i.lock);
	assert_false(i.opsize_pfx);
	assert_false(i.addrsize_pfx);
	assert_int_equal(i.rep, X86_REP_NONE);
	assert_int_equal(i.seg, X86_SEG_GS);
	assert_int_equal(i.npfx, 3);
	assert_int_equal(i.rex, 0x48);
	assert_true(i.rex_w);
	assert_int_equal(i.vex, 0);
	assert_int_equal(i.map, X86_MAP_NONE);
	assert_int_equal(i.opcode, 0x81);
	assert_true(i.has_modrm);
	assert_int_equal(i.modrm, 0x84);
	assert_int_equal(i.mod, 2);
	assert_int_equal(i.reg, 0);
	assert_int_equal(i.rm, 4);
	assert_true(i.has_sib);
	assert_int_equal(i.sib, 0xc8);
	assert_int_equal(i.scale, 8);
	assert_int_equal(i.index, X86_RCX);
	assert_int_equal(i.base, X86_RAX);
	assert_int_equal(i.disp, 0x10);
	assert_int_equal(i.disp_size, 4);
	assert_int_equal(i.disp_off, 6);
	assert_false(i.rip_rel);
	assert_int_equal(i.imm, 0x12345678);
	assert_int_equal(i.imm_size, 4);
	assert_int_equal(i.imm_off, 10);
	assert_int_equal(i.imm2_size, 0);
	assert_int_equal(i.opsize, 8);
	assert_int_equal(i.addrsize, 8);
	assert_int_equal(x86_insn_mnemonic(&i), X86_I_ADD);
	assert_int_equal(i.nopnds, 2);
	assert_mem(&i.opnd[0], X86_RAX, X86_RCX, 8, 0x10, 8);
	assert_int_equal(i.opnd[0].mem.seg, X86_SEG_GS);
	assert_int_equal(i.opnd[0].mem.addr_size, 8);
	assert_imm(&i.opnd[1], 0x12345678, 4);
	assert_true(x86_insn_has(&i, X86_F_LOCK));
	assert_false(x86_insn_has(&i, X86_F_LENGTH));
}

static void test_length_only(void **state)
{
	static const struct {
		enum x86_mode mode;
		const char *hex;
		enum x86_mnemonic mnem;
		uint8_t map, opcode;
		bool modrm;
	} cases[] = {
		{ M64, "c5 f8 77", X86_I_VEX, X86_MAP_0F, 0x77, false },      /* vzeroupper */
		{ M64, "c5 f9 6f 07", X86_I_VEX, X86_MAP_0F, 0x6f, true },    /* vmovdqa */
		{ M64, "c5 f9 70 c1 08", X86_I_VEX, X86_MAP_0F, 0x70, true }, /* vpshufd ib */
		{ M64, "c4 e2 79 18 00", X86_I_VEX, X86_MAP_0F38, 0x18, true },
		{ M64, "c4 e3 79 0f c1 08", X86_I_VEX, X86_MAP_0F3A, 0x0f, true },
		{ M64, "c4 42 79 18 04 24", X86_I_VEX, X86_MAP_0F38, 0x18, true },
		{ M32, "c5 f8 77", X86_I_VEX, X86_MAP_0F, 0x77, false },
		{ M64, "62 f1 7c 48 58 c1", X86_I_EVEX, X86_MAP_0F, 0x58, true },
		{ M64, "62 f3 7d 48 0f c1 08", X86_I_EVEX, X86_MAP_0F3A, 0x0f, true },
		{ M64, "8f e8 78 c0 c1 01", X86_I_XOP, X86_MAP_XOP8, 0xc0, true },
		{ M64, "8f e9 78 81 c1", X86_I_XOP, X86_MAP_XOP9, 0x81, true },
		{ M64, "8f ea 78 10 c1 01 00 00 00", X86_I_XOP, X86_MAP_XOPA, 0x10, true },
		{ M32, "8f e8 78 c0 c1 01", X86_I_XOP, X86_MAP_XOP8, 0xc0, true },
		{ M64, "d9 c0", X86_I_X87, X86_MAP_NONE, 0xd9, true },
		{ M64, "dd 04 24", X86_I_X87, X86_MAP_NONE, 0xdd, true },
		{ M64, "d9 05 00 00 00 00", X86_I_X87, X86_MAP_NONE, 0xd9, true },
		{ M64, "0f 28 c1", X86_I_SSE, X86_MAP_0F, 0x28, true },
		{ M64, "66 0f 70 c1 08", X86_I_SSE, X86_MAP_0F, 0x70, true },
		{ M64, "f3 0f 10 04 24", X86_I_SSE, X86_MAP_0F, 0x10, true },
		{ M64, "0f 77", X86_I_SSE, X86_MAP_0F, 0x77, false }, /* emms */
		{ M64, "0f 38 00 c1", X86_I_SSE, X86_MAP_0F38, 0x00, true },
		{ M64, "66 0f 3a 0f c1 08", X86_I_SSE, X86_MAP_0F3A, 0x0f, true },
		{ M64, "66 0f 78 c0 01 02", X86_I_SSE, X86_MAP_0F, 0x78, true }, /* extrq */
		{ M64, "0f 0f c0 9e", X86_I_AMD3DNOW, X86_MAP_3DNOW, 0x9e, true },
	};
	struct x86_insn i;

	(void)state;
	for (unsigned n = 0; n < ARRAY_SIZE(cases); n++) {
		i = ok(cases[n].mode, cases[n].hex);
		assert_int_equal(x86_insn_mnemonic(&i), cases[n].mnem);
		assert_true(x86_insn_has(&i, X86_F_LENGTH));
		assert_int_equal(i.map, cases[n].map);
		assert_int_equal(i.opcode, cases[n].opcode);
		assert_int_equal(i.has_modrm, cases[n].modrm);
		assert_int_equal(i.nopnds, 0);
	}
	i = ok(M64, "c4 42 79 18 04 24"); /* VEX.R/X/B act like REX */
	assert_true(i.rex_r);
	assert_true(i.rex_b);
	assert_int_equal(i.vex, 0xc4);
	assert_int_equal(i.mandatory, 0x66); /* VEX.pp = 01 */
	ud(M64, "66 c5 f8 77", X86_ERR_VEX_PREFIX);
	ud(M64, "f2 c4 e2 79 18 00", X86_ERR_VEX_PREFIX);
	ud(M64, "48 c5 f8 77", X86_ERR_VEX_PREFIX);
	ud(M64, "66 62 f1 7c 48 58 c1", X86_ERR_VEX_PREFIX);
	ud(M64, "c4 e0 79 18 00", X86_ERR_OPCODE);    /* VEX map 0 */
	ud(M64, "c4 e4 79 18 00", X86_ERR_OPCODE);    /* VEX map 4 */
	ud(M64, "62 fd 7c 48 58 c1", X86_ERR_OPCODE); /* EVEX reserved bits */
	ud(M64, "62 f1 78 48 58 c1", X86_ERR_OPCODE);
	ud(M64, "8f eb 78 10 c1", X86_ERR_OPCODE); /* XOP map 11 */
}

static void test_format(void **state)
{
	static const struct {
		enum x86_mode mode;
		const char *hex, *text;
	} cases[] = {
		{ M64, "f0 48 01 08", "lock add qword ptr [rax], rcx" },
		{ M64, "48 8b 44 24 08", "mov rax, qword ptr [rsp + 0x8]" },
		{ M64, "8b 44 8d f0", "mov eax, dword ptr [rbp + rcx*4 - 0x10]" },
		{ M64, "e8 fb ff ff ff", "call 0x1000" },
		{ M64, "f3 48 a5", "rep movsq qword ptr [rdi], qword ptr [rsi]" },
		{ M64, "f3 a6", "repe cmpsb byte ptr [rsi], byte ptr [rdi]" },
		{ M64, "65 48 8b 04 25 28 00 00 00", "mov rax, qword ptr gs:[0x28]" },
		{ M64, "48 8d 05 00 01 00 00", "lea rax, [rip + 0x100] <0x1107>" },
		{ M64, "0f 22 d8", "mov cr3, rax" },
		{ M64, "88 e0", "mov al, ah" },
		{ M64, "c5 f8 77", "(vex) c5 f8 77" },
		{ M32, "ea 78 56 34 12 08 00", "ljmp 0x8:0x12345678" },
		{ M16, "8b 46 fe", "mov ax, word ptr [bp - 0x2]" },
	};
	char buf[128];

	(void)state;
	for (unsigned n = 0; n < ARRAY_SIZE(cases); n++) {
		struct x86_insn i = ok(cases[n].mode, cases[n].hex);
		int len = x86_insn_format(&i, 0x1000, buf, sizeof(buf));
		assert_string_equal(buf, cases[n].text);
		assert_int_equal(len, strlen(cases[n].text));
	}
	/* a short buffer: truncated, terminated, the full length returned */
	{
		struct x86_insn i = ok(M64, "f0 48 01 08");
		assert_int_equal(x86_insn_format(&i, 0, buf, 8), 29);
		assert_string_equal(buf, "lock ad");
		assert_int_equal(x86_insn_format(&i, 0, NULL, 0), 29);
	}
	assert_string_equal(x86_decode_error_str(X86_ERR_LOCK),
	                    "LOCK prefix not allowed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alu_all_forms),
		cmocka_unit_test(test_mov_forms),
		cmocka_unit_test(test_mul_div_shift_unary),
		cmocka_unit_test(test_conversions_and_names),
		cmocka_unit_test(test_branches),
		cmocka_unit_test(test_stack),
		cmocka_unit_test(test_string_ops),
		cmocka_unit_test(test_control_debug_registers),
		cmocka_unit_test(test_descriptor_tables_and_group7),
		cmocka_unit_test(test_system_misc),
		cmocka_unit_test(test_bit_and_atomic_ops),
		cmocka_unit_test(test_nops_and_hints),
		cmocka_unit_test(test_invalid_in_64bit_mode),
		cmocka_unit_test(test_undefined_opcodes),
		cmocka_unit_test(test_all_fields),
		cmocka_unit_test(test_length_only),
		cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
