/*
 * test_interp.c - the reference interpreter, instruction by instruction.
 *
 * Each test puts hand-assembled instruction bytes into the guest memory
 * of a small VM on the interp engine, sets registers, single-steps with
 * interp_step() and checks what the instruction must have done:
 * registers, the status flags, memory, and -- for faults -- that the
 * exception went through the IDT with the right frame, error code and
 * CR2 while everything else stayed as before the instruction.
 *
 * The machine every test starts from (identity-mapped, 64-bit, CPL 0):
 *
 *   0x001000 GDT  0x08 code64/0  0x10 data/0  0x18 code32/3  0x20 data/3
 *                 0x28 code64/3  0x30 TSS (16 bytes)  0x40 code32/0
 *                 0x50 data, not present  0x58 code, execute-only
 *                 0x60 LDT (16 bytes)  0x70 32-bit TSS
 *   0x002000 IDT  256 gates: vector v -> HANDLERS + 16 * v (each a HLT);
 *                 3 and 0x80 are DPL 3, 0x80 is a trap gate; #DF and
 *                 0x40 use IST1
 *   0x003000 TSS  RSP0 = RSP0_TOP, IST1 = IST1_TOP
 *   0x008000 page tables: 0-2 MiB in 4 KiB pages (PAGE_NP not present
 *            between two present pages, PAGE_RO read-only, PAGE_SUP
 *            supervisor-only), 2-16 MiB in
 *            2 MiB pages, 3-4 GiB as one 1 GiB page (MMIO, no RAM there)
 *
 * Expected values are worked out by hand from the SDM; the undefined
 * flags are masked out except where trapeze documents its choice.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bt/interp.h"
#include "core/vm.h"

/* ---- the test machine ----------------------------------------------------------- */

#define GDT_GPA    0x1000ull
#define IDT_GPA    0x2000ull
#define TSS_GPA    0x3000ull
#define PML4_GPA   0x8000ull
#define PDPT_GPA   0x9000ull
#define PD_GPA     0xa000ull
#define PT_GPA     0xb000ull
#define HANDLERS   0x10000ull
#define CODE       0x20000ull
#define USER_CODE  0x30000ull
#define DATA       0x40000ull
#define USER_STACK 0x50000ull
#define IST1_TOP   0x60000ull
#define RSP0_TOP   0x70000ull
#define KSTACK_TOP 0x7f000ull
#define PAGE_OK    0x100000ull /* present, followed by PAGE_NP */
#define PAGE_NP    0x101000ull
#define PAGE_OK2   0x102000ull /* present, after PAGE_NP */
#define PAGE_RO    0x103000ull
#define PAGE_SUP   0x104000ull
#define MMIO_GPA   0xd0000000ull
#define MEM_SIZE   (32ull << 20)

#define SEL_KCODE   0x08
#define SEL_KDATA   0x10
#define SEL_UCODE32 0x18
#define SEL_UDATA   0x20
#define SEL_UCODE64 0x28
#define SEL_TSS     0x30
#define SEL_KCODE32 0x40
#define SEL_NP      0x50
#define SEL_XONLY   0x58
#define SEL_LDT     0x60
#define SEL_TSS32   0x70
#define LDT_GPA     0x6800ull
#define TSS32_GPA   0x6000ull

#define CF     X86_RFLAGS_CF
#define PF     X86_RFLAGS_PF
#define AF     X86_RFLAGS_AF
#define ZF     X86_RFLAGS_ZF
#define SF     X86_RFLAGS_SF
#define OF     X86_RFLAGS_OF
#define STATUS (CF | PF | AF | ZF | SF | OF)

struct tvm {
	struct vm *vm;
	struct vcpu *vcpu;
	struct cpu *c;
};

static const uint64_t gdt[] = {
    0,
    0x00af9b000000ffffull, /* 0x08 code64 DPL0 */
    0x00cf93000000ffffull, /* 0x10 data DPL0 */
    0x00cffb000000ffffull, /* 0x18 code32 DPL3 */
    0x00cff3000000ffffull, /* 0x20 data DPL3 */
    0x00affb000000ffffull, /* 0x28 code64 DPL3 */
    0x0000890030000067ull, /* 0x30 TSS at 0x3000, available */
    0,
    0x00cf9b000000ffffull, /* 0x40 code32 DPL0 */
    0,
    0x00cf13000000ffffull, /* 0x50 data, not present */
    0x00cf99000000ffffull, /* 0x58 code, execute-only */
    0x0000820068000017ull, /* 0x60 LDT at 0x6800, 3 entries (a 16-byte */
    0,                     /*      descriptor in long mode) */
    0x0000890060000067ull, /* 0x70 32-bit TSS at 0x6000, available */
};

static uint64_t gate64_lo(uint64_t off, unsigned type, unsigned dpl, unsigned ist)
{
	return (off & 0xffff) | ((uint64_t)SEL_KCODE << 16) | ((uint64_t)ist << 32) |
	       ((uint64_t)type << 40) | ((uint64_t)dpl << 45) | (1ull << 47) |
	       ((off >> 16 & 0xffff) << 48);
}

static void write_tables(struct gmem *m)
{
	uint8_t hlt[16 * 256];

	assert_int_equal(gmem_write(m, GDT_GPA, gdt, sizeof(gdt)), 0);
	for (unsigned v = 0; v < 256; v++) {
		unsigned dpl = (v == 3 || v == 0x80) ? 3 : 0;
		unsigned type = v == 0x80 ? 0xf : 0xe;
		unsigned ist = (v == 8 || v == 0x40) ? 1 : 0;
		gmem_write_u64(m, IDT_GPA + 16 * v,
		               gate64_lo(HANDLERS + 16 * v, type, dpl, ist));
		gmem_write_u64(m, IDT_GPA + 16 * v + 8, 0);
	}
	memset(hlt, 0xf4, sizeof(hlt));
	gmem_write(m, HANDLERS, hlt, sizeof(hlt));
	gmem_write_u64(m, TSS_GPA + 4, RSP0_TOP);
	gmem_write_u64(m, TSS_GPA + 0x24, IST1_TOP);
	/* page tables: everything user-accessible and writable unless noted */
	gmem_write_u64(m, PML4_GPA, PDPT_GPA | 7);
	gmem_write_u64(m, PDPT_GPA, PD_GPA | 7);
	gmem_write_u64(m, PDPT_GPA + 3 * 8, 0xc0000000ull | 0x87); /* 1 GiB page */
	gmem_write_u64(m, PD_GPA, PT_GPA | 7);
	for (uint64_t i = 1; i < 8; i++)
		gmem_write_u64(m, PD_GPA + 8 * i, (i << 21) | 0x87);
	for (uint64_t i = 0; i < 512; i++) {
		uint64_t pa = i << 12, flags = 7;
		if (pa == PAGE_NP)
			flags = 0;
		else if (pa == PAGE_RO)
			flags = 5;
		else if (pa == PAGE_SUP)
			flags = 3;
		gmem_write_u64(m, PT_GPA + 8 * i, pa | flags);
	}
}

/* The long-mode CPL-0 state every test starts from. */
static void base_state(struct x86_state *s)
{
	x86_reset_state(s);
	s->cs = x86_flat_code64(SEL_KCODE);
	s->ds = s->es = s->ss = s->fs = s->gs = x86_flat_data(SEL_KDATA);
	s->tr = (struct x86_segment){.base = TSS_GPA,
	                             .limit = 0x67,
	                             .selector = SEL_TSS,
	                             .type = 0xb,
	                             .present = 1};
	s->gdt = (struct x86_dtable){GDT_GPA, sizeof(gdt) - 1};
	s->idt = (struct x86_dtable){IDT_GPA, 0xfff};
	s->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
	s->cr3 = PML4_GPA;
	s->cr4 = X86_CR4_PAE;
	s->efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_SCE | X86_EFER_NXE;
	s->rflags = X86_RFLAGS_FIXED;
	s->gpr[X86_RSP] = KSTACK_TOP;
	s->rip = CODE;
}

static void tvm_init(struct tvm *t)
{
	struct vm_config cfg = {.mem_size = MEM_SIZE,
	                        .engine = &interp_engine_ops,
	                        .serial_out_fd = -1,
	                        .serial_in_fd = -1};
	struct x86_state s;
	char err[256];

	t->vm = vm_create(&cfg, err, sizeof(err));
	if (!t->vm)
		fail_msg("%s", err);
	t->vcpu = &t->vm->vcpus[0];
	t->c = interp_cpu(t->vcpu);
	assert_non_null(t->c);
	write_tables(&t->vm->mem);
	base_state(&s);
	assert_int_equal(vcpu_set_state(t->vcpu, &s), 0);
}

static void tvm_fini(struct tvm *t)
{
	vm_destroy(t->vm);
}

/* Write hex bytes ("48 01 d8") at gpa; returns how many. */
static unsigned put(struct tvm *t, uint64_t gpa, const char *hex)
{
	uint8_t buf[64];
	unsigned n = 0;

	for (const char *p = hex; *p;) {
		char *end;
		unsigned long b = strtoul(p, &end, 16);
		if (end == p)
			break;
		assert_true(n < sizeof(buf));
		buf[n++] = (uint8_t)b;
		p = end;
	}
	assert_int_equal(gmem_write(&t->vm->mem, gpa, buf, n), 0);
	if (t->vm->engine->memory_changed)
		t->vm->engine->memory_changed(t->vm, gpa, n);
	return n;
}

static uint64_t peek64(struct tvm *t, uint64_t gpa)
{
	uint64_t v = 0;
	assert_int_equal(gmem_read_u64(&t->vm->mem, gpa, &v), 0);
	return v;
}

static uint8_t peek8(struct tvm *t, uint64_t gpa)
{
	uint8_t v = 0;
	assert_int_equal(gmem_read(&t->vm->mem, gpa, &v, 1), 0);
	return v;
}

/* One interp_step; the exit must be `want`. */
static void step_expect(struct tvm *t, enum vm_exit_reason want, struct vm_exit *exit)
{
	struct vm_exit e;

	if (!exit)
		exit = &e;
	assert_int_equal(interp_step(t->vcpu, exit), 0);
	if (exit->reason != want)
		fail_msg("exit %s, expected %s (rip 0x%llx)",
		         vm_exit_reason_name(exit->reason), vm_exit_reason_name(want),
		         (unsigned long long)t->c->s.rip);
}

/* Put `hex` at CODE, run it as one instruction, expect it to retire. */
static void run1(struct tvm *t, const char *hex)
{
	unsigned n = put(t, CODE, hex);

	t->c->s.rip = CODE;
	step_expect(t, VM_EXIT_NONE, NULL);
	if (t->c->s.rip != CODE + n)
		fail_msg("'%s': rip 0x%llx, expected 0x%llx (an exception?)", hex,
		         (unsigned long long)t->c->s.rip, (unsigned long long)(CODE + n));
}

/* The previous step delivered `vector` for an instruction at `at`: check
 * the handler RIP, the saved RIP and the error code (-1: none). */
static void expect_exception(struct tvm *t, unsigned vector, uint64_t at, int64_t err)
{
	struct cpu *c = t->c;
	uint64_t rsp = c->s.gpr[X86_RSP];

	if (c->s.rip != HANDLERS + 16 * vector)
		fail_msg("rip 0x%llx: expected the handler of vector %u",
		         (unsigned long long)c->s.rip, vector);
	if (err >= 0) {
		assert_int_equal(peek64(t, rsp), (uint64_t)err);
		rsp += 8;
	}
	assert_int_equal(peek64(t, rsp), at);
}

/* Start an instruction test at CPL 3 (64-bit user code and stack). */
static void go_user(struct tvm *t)
{
	struct x86_state s;

	vcpu_get_state(t->vcpu, &s);
	s.cs = x86_flat_code64(SEL_UCODE64 | 3);
	s.cs.dpl = 3;
	s.ss = x86_flat_data(SEL_UDATA | 3);
	s.ss.dpl = 3;
	s.gpr[X86_RSP] = USER_STACK;
	s.rip = USER_CODE;
	vcpu_set_state(t->vcpu, &s);
}

/* ---- arithmetic and logic flags ---------------------------------------------------- */

struct alu_case {
	const char *hex;
	uint64_t rax, rbx, flags_in;
	uint64_t rax_out, flags_out;
	uint64_t mask; /* flags compared (0: all six) */
};

static void run_alu_cases(const struct alu_case *cases, size_t n)
{
	struct tvm t;

	tvm_init(&t);
	for (size_t i = 0; i < n; i++) {
		const struct alu_case *k = &cases[i];
		uint64_t mask = k->mask ? k->mask : STATUS;
		t.c->s.gpr[X86_RAX] = k->rax;
		t.c->s.gpr[X86_RBX] = k->rbx;
		t.c->s.gpr[X86_RCX] = k->rbx;
		cpu_set_rflags(t.c, X86_RFLAGS_FIXED | k->flags_in);
		run1(&t, k->hex);
		if (t.c->s.gpr[X86_RAX] != k->rax_out ||
		    (cpu_rflags(t.c) & mask) != (k->flags_out & mask))
			fail_msg("case %zu '%s': rax 0x%llx flags 0x%llx, expected "
			         "0x%llx 0x%llx",
			         i, k->hex, (unsigned long long)t.c->s.gpr[X86_RAX],
			         (unsigned long long)(cpu_rflags(t.c) & mask),
			         (unsigned long long)k->rax_out,
			         (unsigned long long)(k->flags_out & mask));
	}
	tvm_fini(&t);
}

static void test_add_sub_flags(void **state)
{
	/* clang-format off */
	static const struct alu_case cases[] = {
		/* add al: signed overflow */
		{ "00 d8", 0x7f, 1, 0, 0x80, SF | OF | AF, 0 },
		/* carry out, upper kept */
		{ "00 d8", 0x123400ff, 1, 0, 0x12340000, CF | ZF | AF | PF, 0 },
		/* zero-ext */
		{ "01 d8", 0xffffffff7fffffffull, 1, 0, 0x80000000,
		  SF | OF | AF | PF, 0 },
		{ "48 01 d8", ~0ull, 1, 0, 0, CF | ZF | AF | PF, 0 },
		{ "66 01 d8", 0x8000, 0x8000, 0, 0, CF | OF | ZF | PF, 0 },
		/* adc: the carry wraps */
		{ "10 d8", 0xff, 0, CF, 0, CF | ZF | AF | PF, 0 },
		{ "48 11 d8", ~0ull, ~0ull, CF, ~0ull, CF | AF | SF | PF, 0 },
		/* sub: borrow */
		{ "28 d8", 0, 1, 0, 0xff, CF | SF | AF | PF, 0 },
		{ "28 d8", 0x80, 1, 0, 0x7f, OF | AF, 0 },
		/* sbb with borrow in */
		{ "18 d8", 5, 5, CF, 0xff, CF | SF | AF | PF, 0 },
		/* cmp: no write */
		{ "48 39 d8", 1, 2, 0, 1, CF | SF | AF | PF, 0 },
		/* neg of the minimum */
		{ "f6 d8", 0x80, 0, 0, 0x80, CF | OF | SF, 0 },
		/* neg 0: CF = 0 */
		{ "f6 d8", 0, 0, CF, 0, ZF | PF, 0 },
		/* inc keeps CF */
		{ "fe c0", 0x7f, 0, CF, 0x80, CF | OF | SF | AF, 0 },
		{ "fe c8", 0x80, 0, 0, 0x7f, OF | AF, 0 },               /* dec */
		/* and: CF OF AF cleared */
		{ "20 d8", 0xf0, 0x3c, STATUS, 0x30, PF, 0 },
		/* or r32 zero-extends */
		{ "09 d8", 0xffffffff00000000ull, 0, 0, 0, ZF | PF, 0 },
		{ "48 31 d8", 0x8000000000000001ull, 1, 0, 0x8000000000000000ull,
		  SF | PF, 0 },
		{ "84 d8", 0x80, 0x80, CF | OF, 0x80, SF, 0 },           /* test */
	};
	/* clang-format on */
	(void)state;
	run_alu_cases(cases, ARRAY_SIZE(cases));
}

/* After ADD (and friends), every Jcc/SETcc condition reads the same flags
 * the materialized RFLAGS hold. */
static void test_conditions_match_flags(void **state)
{
	static const uint64_t vals[] = {0,          1,          0x7f,
	                                0x80,       0xff,       0x7fffffff,
	                                0x80000000, 0xffffffff, 0x8000000000000000ull,
	                                ~0ull};
	static const char *const ops[] = {
	    "48 01 d8", "48 29 d8", "48 21 d8", "00 d8",    "28 d8",    "66 29 d8",
	    "29 d8",    "48 ff c0", "48 d1 e0", "48 d1 e8", "48 d1 f8", "48 0f af c3"};
	struct tvm t;

	(void)state;
	tvm_init(&t);
	for (size_t o = 0; o < ARRAY_SIZE(ops); o++)
		for (size_t i = 0; i < ARRAY_SIZE(vals); i++)
			for (size_t j = 0; j < ARRAY_SIZE(vals); j++) {
				t.c->s.gpr[X86_RAX] = vals[i];
				t.c->s.gpr[X86_RBX] = vals[j];
				run1(&t, ops[o]);
				uint64_t f = cpu_rflags(t.c);
				for (unsigned cc = 0; cc < 16; cc++) {
					char hex[16];
					/* setcc cl */
					snprintf(hex, sizeof(hex), "0f %02x c1",
					         0x90 + cc);
					bool want;
					switch (cc >> 1) {
					case 0:
						want = f & OF;
						break;
					case 1:
						want = f & CF;
						break;
					case 2:
						want = f & ZF;
						break;
					case 3:
						want = (f & CF) || (f & ZF);
						break;
					case 4:
						want = f & SF;
						break;
					case 5:
						want = f & PF;
						break;
					case 6:
						want = !(f & SF) != !(f & OF);
						break;
					default:
						want =
						    (f & ZF) || (!(f & SF) != !(f & OF));
						break;
					}
					if (cc & 1)
						want = !want;
					run1(&t, hex);
					if ((t.c->s.gpr[X86_RCX] & 0xff) != want)
						fail_msg(
						    "%s with %llx, %llx: cc %u gave %llu",
						    ops[o], (unsigned long long)vals[i],
						    (unsigned long long)vals[j], cc,
						    (unsigned long long)(t.c->s.gpr
						                             [X86_RCX] &
						                         0xff));
					/* jcc +2: the same answer as a branch */
					snprintf(hex, sizeof(hex), "%02x 02", 0x70 + cc);
					put(&t, CODE, hex);
					t.c->s.rip = CODE;
					step_expect(&t, VM_EXIT_NONE, NULL);
					if (t.c->s.rip != CODE + (want ? 4 : 2))
						fail_msg("%s: j%u went to 0x%llx", ops[o],
						         cc,
						         (unsigned long long)t.c->s.rip);
				}
			}
	tvm_fini(&t);
}

/* ---- multiply and divide ----------------------------------------------------------- */

static void test_mul_imul(void **state)
{
	/* clang-format off */
	static const struct alu_case cases[] = {
		/* imul r32 overflow */
		{ "0f af c3", 0x10000, 0x10000, 0, 0, CF | OF, CF | OF },
		/* -1 * -1 */
		{ "0f af c3", 0xffffffff, 0xffffffff, CF, 1, 0, CF | OF },
		/* imul r64, imm8 */
		{ "48 6b c3 fd", 0, 5, 0, (uint64_t)-15, 0, CF | OF },
		{ "48 6b c3 fd", 0, 0x4000000000000000ull, 0, 0x4000000000000000ull,
		  CF | OF, CF | OF },
	};
	/* clang-format on */
	struct tvm t;

	(void)state;
	run_alu_cases(cases, ARRAY_SIZE(cases));
	tvm_init(&t);
	/* mul rbx: 2^63 * 2 = 2^64 -> rdx:rax = 1:0, CF = OF = 1 */
	t.c->s.gpr[X86_RAX] = 0x8000000000000000ull;
	t.c->s.gpr[X86_RBX] = 2;
	run1(&t, "48 f7 e3");
	assert_true(t.c->s.gpr[X86_RAX] == 0 && t.c->s.gpr[X86_RDX] == 1);
	assert_true((cpu_rflags(t.c) & (CF | OF)) == (CF | OF));
	/* imul rbx: -2 * 3 = -6 fits: rdx = -1, CF = OF = 0 */
	t.c->s.gpr[X86_RAX] = (uint64_t)-2;
	t.c->s.gpr[X86_RBX] = 3;
	run1(&t, "48 f7 eb");
	assert_true(t.c->s.gpr[X86_RAX] == (uint64_t)-6 && t.c->s.gpr[X86_RDX] == ~0ull);
	assert_true((cpu_rflags(t.c) & (CF | OF)) == 0);
	/* mul bl: al * bl into ax */
	t.c->s.gpr[X86_RAX] = 0xffff00ff;
	t.c->s.gpr[X86_RBX] = 0xff;
	run1(&t, "f6 e3");
	assert_true(t.c->s.gpr[X86_RAX] == 0xfffffe01);
	tvm_fini(&t);
}

static void test_div_idiv(void **state)
{
	struct tvm t;
	struct cpu *c;

	(void)state;
	tvm_init(&t);
	c = t.c;
	/* div bl: 0x1234 / 0x56 = 0x36 remainder 0x10 */
	c->s.gpr[X86_RAX] = 0x1234;
	c->s.gpr[X86_RBX] = 0x56;
	run1(&t, "f6 f3");
	assert_true(c->s.gpr[X86_RAX] == 0x1036);
	/* idiv rbx: -7 / 2 = -3 remainder -1 (truncation toward zero) */
	c->s.gpr[X86_RAX] = (uint64_t)-7;
	c->s.gpr[X86_RDX] = ~0ull;
	c->s.gpr[X86_RBX] = 2;
	run1(&t, "48 f7 fb");
	assert_true(c->s.gpr[X86_RAX] == (uint64_t)-3 &&
	            c->s.gpr[X86_RDX] == (uint64_t)-1);

	/* #DE: divide by zero, quotient overflow, INT_MIN / -1; registers kept */
	/* clang-format off */
	struct { const char *hex; uint64_t rax, rdx, rbx, rcx; } de[] = {
		/* div rbx, rbx = 0 */
		{ "48 f7 f3", 5, 0, 0, 0 },
		{ "48 f7 f3", 0, 1, 1, 0 },                          /* 2^64 / 1 */
		{ "48 f7 fb", 0x8000000000000000ull, ~0ull, ~0ull, 0 }, /* -2^63 / -1 */
		/* idiv ecx: -2^31 / -1 */
		{ "f7 f9", 0x80000000, 0xffffffff, 0, 0xffffffff },
	};
	/* clang-format on */
	for (size_t i = 0; i < ARRAY_SIZE(de); i++) {
		unsigned n = put(&t, CODE, de[i].hex);
		(void)n;
		c->s.rip = CODE;
		c->s.gpr[X86_RSP] = KSTACK_TOP;
		c->s.gpr[X86_RAX] = de[i].rax;
		c->s.gpr[X86_RDX] = de[i].rdx;
		c->s.gpr[X86_RBX] = de[i].rbx;
		c->s.gpr[X86_RCX] = de[i].rcx;
		step_expect(&t, VM_EXIT_NONE, NULL);
		expect_exception(&t, X86_EXC_DE, CODE, -1);
		assert_true(c->s.gpr[X86_RAX] == de[i].rax &&
		            c->s.gpr[X86_RDX] == de[i].rdx);
	}
	tvm_fini(&t);
}

/* ---- shifts, rotates, bits -----------------------------------------------------------
 */

static void test_shifts_rotates(void **state)
{
	/* rbx is also copied to rcx: CL is the count for the "d2" forms */
	/* clang-format off */
	static const struct alu_case cases[] = {
		{ "d0 e0", 0x81, 0, 0, 0x02, CF | OF, 0 },              /* shl al, 1 */
		/* count 0: nothing */
		{ "d2 e0", 0x81, 0, STATUS, 0x81, STATUS, 0 },
		/* by the width */
		{ "d2 e0", 0x01, 8, 0, 0, CF | ZF | PF, CF | ZF | PF | SF },
		/* past the width */
		{ "d2 e0", 0x01, 9, CF, 0, ZF | PF, CF | ZF | PF | SF },
		{ "d2 e0", 0x01, 0x20, 0, 0x01, 0, 0 },              /* 32 masks to 0 */
		/* shl eax by 0: zero-ext */
		{ "d3 e0", 0xffffffff00000005ull, 0x20, 0, 5, 0, 0 },
		/* shr: OF = old MSB */
		{ "d0 e8", 0x81, 0, 0, 0x40, CF | OF, 0 },
		{ "d0 f8", 0x81, 0, OF, 0xc0, CF | SF | PF, 0 },        /* sar: OF = 0 */
		{ "d2 f8", 0x81, 31, 0, 0xff, CF | SF | PF, CF | SF | PF | ZF },
		{ "d0 c0", 0x81, 0, 0, 0x03, CF | OF, 0 },              /* rol */
		/* ror: OF = b7 ^ b6 */
		{ "d0 c8", 0x81, 0, 0, 0xc0, CF, 0 },
		/* rol by 8: CF = LSB */
		{ "d2 c0", 0x81, 8, 0, 0x81, CF, CF },
		/* rcl through CF */
		{ "d0 d0", 0x80, 0, CF, 0x01, CF | OF, 0 },
		/* rcr: ZF untouched */
		{ "d0 d8", 0x01, 0, 0, 0x00, CF, 0 },
		/* rcl al by 9 = by 0 */
		{ "d2 d0", 0x55, 9, CF, 0x55, CF, CF },
		{ "48 d1 d8", 0, 0, CF, 0x8000000000000000ull, OF, 0 },  /* rcr rax, 1 */
		{ "0f a4 d8 04", 0x12345678, 0x9abcdef0, 0, 0x23456789, CF,
		  CF | ZF | SF | PF },
		{ "0f ac d8 04", 0x12345678, 0x9abcdef0, 0, 0x01234567, CF,
		  CF | ZF | SF | PF },
	};
	/* clang-format on */
	(void)state;
	run_alu_cases(cases, ARRAY_SIZE(cases));
}

static void test_bit_ops(void **state)
{
	struct tvm t;
	struct cpu *c;

	(void)state;
	tvm_init(&t);
	c = t.c;
	c->s.gpr[X86_RAX] = 0x10;
	c->s.gpr[X86_RBX] = 68; /* bt r64 takes the offset modulo 64 */
	run1(&t, "48 0f a3 d8");
	assert_true(cpu_rflags(c) & CF);
	/* bts [rdi], rbx with a negative offset reaches the qword below */
	gmem_write_u64(&t.vm->mem, DATA, 0);
	c->s.gpr[X86_RDI] = DATA + 8;
	c->s.gpr[X86_RBX] = (uint64_t)-1;
	run1(&t, "48 0f ab 1f");
	assert_true(peek64(&t, DATA) == 0x8000000000000000ull);
	assert_false(cpu_rflags(c) & CF);
	/* btr eax, 3 */
	c->s.gpr[X86_RAX] = 0xf;
	run1(&t, "0f ba f0 03");
	assert_true(c->s.gpr[X86_RAX] == 7 && (cpu_rflags(c) & CF));
	/* btc word [rdi], 15 */
	gmem_write_u64(&t.vm->mem, DATA, 0x8000);
	c->s.gpr[X86_RDI] = DATA;
	run1(&t, "66 0f ba 3f 0f");
	assert_true(peek64(&t, DATA) == 0 && (cpu_rflags(c) & CF));
	/* bsf with a zero source: ZF = 1, destination unchanged */
	c->s.gpr[X86_RAX] = 0x1234;
	c->s.gpr[X86_RBX] = 0;
	run1(&t, "48 0f bc c3");
	assert_true(c->s.gpr[X86_RAX] == 0x1234 && (cpu_rflags(c) & ZF));
	c->s.gpr[X86_RBX] = 0x18;
	run1(&t, "48 0f bc c3");
	assert_true(c->s.gpr[X86_RAX] == 3 && !(cpu_rflags(c) & ZF));
	c->s.gpr[X86_RBX] = 0x80000001;
	run1(&t, "0f bd c3");
	assert_true(c->s.gpr[X86_RAX] == 31);
	/* tzcnt without BMI1 in the CPU model runs as BSF: zero source keeps rax */
	c->s.gpr[X86_RBX] = 0;
	run1(&t, "f3 0f bc c3");
	assert_true(c->s.gpr[X86_RAX] == 31 && (cpu_rflags(c) & ZF));
	/* bswap r32 zero-extends */
	c->s.gpr[X86_RAX] = 0xffffffff11223344ull;
	run1(&t, "0f c8");
	assert_true(c->s.gpr[X86_RAX] == 0x44332211);
	/* popcnt is outside the model: #UD */
	put(&t, CODE, "f3 0f b8 c3");
	c->s.rip = CODE;
	step_expect(&t, VM_EXIT_NONE, NULL);
	expect_exception(&t, X86_EXC_UD, CODE, -1);
	tvm_fini(&t);
}

/* ---- data movement ------------------------------------------------------------------
 */

static void test_moves_and_exchanges(void **state)
{
	struct tvm t;
	struct cpu *c;

	(void)state;
	tvm_init(&t);
	c = t.c;
	/* cmovne not taken still zero-extends a 32-bit destination */
	c->s.gpr[X86_RAX] = 0xffffffff00000001ull;
	cpu_set_rflags(c, X86_RFLAGS_FIXED | ZF);
	run1(&t, "0f 45 c3");
	assert_true(c->s.gpr[X86_RAX] == 1);
	/* cmpxchg: equal stores the source, else loads the accumulator */
	gmem_write_u64(&t.vm->mem, DATA, 5);
	c->s.gpr[X86_RDI] = DATA;
	c->s.gpr[X86_RAX] = 5;
	c->s.gpr[X86_RBX] = 7;
	run1(&t, "48 0f b1 1f");
	assert_true(peek64(&t, DATA) == 7 && (cpu_rflags(c) & ZF));
	run1(&t, "48 0f b1 1f");
	assert_true(c->s.gpr[X86_RAX] == 7 && !(cpu_rflags(c) & ZF) &&
	            peek64(&t, DATA) == 7);
	/* xadd */
	c->s.gpr[X86_RAX] = 1;
	c->s.gpr[X86_RBX] = 2;
	run1(&t, "48 0f c1 d8");
	assert_true(c->s.gpr[X86_RAX] == 3 && c->s.gpr[X86_RBX] == 1);
	/* xchg with memory */
	c->s.gpr[X86_RAX] = 0xabc;
	run1(&t, "48 87 07");
	assert_true(c->s.gpr[X86_RAX] == 7 && peek64(&t, DATA) == 0xabc);
	/* cmpxchg8b: edx:eax equal to memory -> memory = ecx:ebx, ZF = 1 */
	gmem_write_u64(&t.vm->mem, DATA, 0x0000000200000001ull);
	c->s.gpr[X86_RAX] = 1;
	c->s.gpr[X86_RDX] = 2;
	c->s.gpr[X86_RBX] = 3;
	c->s.gpr[X86_RCX] = 4;
	run1(&t, "0f c7 0f");
	assert_true(peek64(&t, DATA) == 0x0000000400000003ull && (cpu_rflags(c) & ZF));
	/* cmpxchg16b: CX16 is not in the model: #UD */
	put(&t, CODE, "f0 48 0f c7 0f");
	c->s.rip = CODE;
	step_expect(&t, VM_EXIT_NONE, NULL);
	expect_exception(&t, X86_EXC_UD, CODE, -1);
	tvm_fini(&t);
}

static void test_stack_forms(void **state)
{
	struct tvm t;
	struct cpu *c;
	uint64_t s0 = KSTACK_TOP - 0x100;

	(void)state;
	tvm_init(&t);
	c = t.c;
	c->s.gpr[X86_RSP] = s0;
	run1(&t, "6a ff"); /* push imm8, sign-extended to 64 bits */
	assert_true(c->s.gpr[X86_RSP] == s0 - 8 && peek64(&t, s0 - 8) == ~0ull);
	run1(&t, "54"); /* push rsp pushes the value before the push */
	assert_true(peek64(&t, s0 - 16) == s0 - 8);
	/* pop [rsp]: the address uses rsp after the increment */
	c->s.gpr[X86_RSP] = s0;
	gmem_write_u64(&t.vm->mem, s0, 0x55);
	run1(&t, "8f 04 24");
	assert_true(c->s.gpr[X86_RSP] == s0 + 8 && peek64(&t, s0 + 8) == 0x55);
	/* enter 16, 2 copies one frame pointer and pushes the new frame */
	c->s.gpr[X86_RSP] = s0;
	c->s.gpr[X86_RBP] = s0 + 0x40;
	gmem_write_u64(&t.vm->mem, s0 + 0x38, 0xdead);
	run1(&t, "c8 10 00 02");
	assert_true(peek64(&t, s0 - 8) == s0 + 0x40);
	assert_true(peek64(&t, s0 - 16) == 0xdead);
	assert_true(peek64(&t, s0 - 24) == s0 - 8);
	assert_true(c->s.gpr[X86_RBP] == s0 - 8 && c->s.gpr[X86_RSP] == s0 - 24 - 16);
	run1(&t, "c9"); /* leave */
	assert_true(c->s.gpr[X86_RSP] == s0 && c->s.gpr[X86_RBP] == s0 + 0x40);
	/* enter 0, 3 with rbp = rsp: the copies read what ENTER just pushed */
	c->s.gpr[X86_RBP] = s0;
	gmem_fill(&t.vm->mem, s0 - 32, 0x77, 32);
	run1(&t, "c8 00 00 03");
	assert_true(peek64(&t, s0 - 8) == s0 && peek64(&t, s0 - 16) == s0);
	assert_true(peek64(&t, s0 - 24) == s0 && peek64(&t, s0 - 32) == s0 - 8);
	assert_true(c->s.gpr[X86_RBP] == s0 - 8 && c->s.gpr[X86_RSP] == s0 - 32);
	/* lretq to the same level */
	c->s.gpr[X86_RSP] = s0;
	gmem_write_u64(&t.vm->mem, s0, CODE + 0x80);
	gmem_write_u64(&t.vm->mem, s0 + 8, SEL_KCODE);
	put(&t, CODE, "48 cb");
	c->s.rip = CODE;
	step_expect(&t, VM_EXIT_NONE, NULL);
	assert_true(c->s.rip == CODE + 0x80 && c->s.gpr[X86_RSP] == s0 + 16);
	tvm_fini(&t);
}

/* ---- strings ------------------------------------------------------------------------
 */

static void test_rep_strings(void **state)
{
	struct tvm t;
	struct cpu *c;
	uint8_t buf[32];

	(void)state;
	tvm_init(&t);
	c = t.c;
	/* rep stosb */
	c->s.gpr[X86_RDI] = DATA;
	c->s.gpr[X86_RCX] = 100;
	c->s.gpr[X86_RAX] = 0xab;
	run1(&t, "f3 aa");
	assert_true(c->s.gpr[X86_RCX] == 0 && c->s.gpr[X86_RDI] == DATA + 100);
	assert_int_equal(peek8(&t, DATA + 99), 0xab);
	assert_int_equal(peek8(&t, DATA + 100), 0);
	/* overlapping rep movsb forward replicates the first byte */
	gmem_fill(&t.vm->mem, DATA, 0, 64);
	gmem_write(&t.vm->mem, DATA, "\x5a", 1);
	c->s.gpr[X86_RSI] = DATA;
	c->s.gpr[X86_RDI] = DATA + 1;
	c->s.gpr[X86_RCX] = 16;
	run1(&t, "f3 a4");
	gmem_read(&t.vm->mem, DATA, buf, 18);
	for (unsigned i = 0; i < 17; i++)
		assert_int_equal(buf[i], 0x5a);
	assert_int_equal(buf[17], 0);
	/* repe cmpsb stops after the first difference */
	gmem_write(&t.vm->mem, DATA, "abcdef", 6);
	gmem_write(&t.vm->mem, DATA + 16, "abcxef", 6);
	c->s.gpr[X86_RSI] = DATA;
	c->s.gpr[X86_RDI] = DATA + 16;
	c->s.gpr[X86_RCX] = 6;
	run1(&t, "f3 a6");
	assert_true(c->s.gpr[X86_RCX] == 2 && c->s.gpr[X86_RSI] == DATA + 4);
	assert_false(cpu_rflags(c) & ZF);
	/* repne scasb finds the byte */
	c->s.gpr[X86_RDI] = DATA + 16;
	c->s.gpr[X86_RCX] = 6;
	c->s.gpr[X86_RAX] = 'x';
	run1(&t, "f2 ae");
	assert_true(c->s.gpr[X86_RCX] == 2 && c->s.gpr[X86_RDI] == DATA + 20);
	assert_true(cpu_rflags(c) & ZF);
	/* std: movsb steps backward */
	cpu_set_rflags(c, X86_RFLAGS_FIXED | X86_RFLAGS_DF);
	c->s.gpr[X86_RSI] = DATA + 1;
	c->s.gpr[X86_RDI] = DATA + 33;
	run1(&t, "a4");
	assert_true(c->s.gpr[X86_RSI] == DATA && c->s.gpr[X86_RDI] == DATA + 32);
	assert_int_equal(peek8(&t, DATA + 33), 'b');
	tvm_fini(&t);
}

/* A REP STOSQ that runs into a not-present page: the iterations before
 * the page stay done, the registers say where it stopped, RIP stays on
 * the instruction and #PF reports the first byte of the page. */
static void test_rep_fault_midway(void **state)
{
	struct tvm t;
	struct cpu *c;

	(void)state;
	tvm_init(&t);
	c = t.c;
	put(&t, CODE, "f3 48 ab");
	c->s.rip = CODE;
	c->s.gpr[X86_RDI] = PAGE_NP - 16;
	c->s.gpr[X86_RCX] = 8;
	c->s.gpr[X86_RAX] = 0x1111111111111111ull;
	step_expect(&t, VM_EXIT_NONE, NULL);
	expect_exception(&t, X86_EXC_PF, CODE, MMU_PF_W);
	assert_true(c->s.cr2 == PAGE_NP);
	assert_true(c->s.gpr[X86_RCX] == 6 && c->s.gpr[X86_RDI] == PAGE_NP);
	assert_true(peek64(&t, PAGE_NP - 16) == 0x1111111111111111ull);
	assert_true(peek64(&t, PAGE_NP - 8) == 0x1111111111111111ull);
	tvm_fini(&t);
}

/* ---- precise faults -------------------------------------------------------------------
 */

static void test_crossing_write_is_precise(void **state)
{
	struct tvm t;
	struct cpu *c;

	(void)state;
	tvm_init(&t);
	c = t.c;
	gmem_fill(&t.vm->mem, PAGE_NP - 8, 0xaa, 8);
	/* mov [rdi], rax across into the not-present page */
	put(&t, CODE, "48 89 07");
	c->s.rip = CODE;
	c->s.gpr[X86_RDI] = PAGE_NP - 4;
	c->s.gpr[X86_RAX] = 0x1122334455667788ull;
	step_expect(&t, VM_EXIT_NONE, NULL);
	expect_exception(&t, X86_EXC_PF, CODE, MMU_PF_W);
	assert_true(c->s.cr2 == PAGE_NP);
	assert_true(peek64(&t, PAGE_NP - 8) == 0xaaaaaaaaaaaaaaaaull);
	/* a push across from a present page down into PAGE_NP: #PF, whose
	 * delivery on the same stack faults again (#PF + #PF = #DF, delivered
	 * on IST1); rsp and the present page unchanged */
	gmem_fill(&t.vm->mem, PAGE_OK2, 0xaa, 8);
	put(&t, CODE, "50");
	c->s.rip = CODE;
	c->s.gpr[X86_RSP] = PAGE_OK2 + 4;
	step_expect(&t, VM_EXIT_NONE, NULL);
	expect_exception(&t, X86_EXC_DF, CODE, 0);
	assert_true(c->s.cr2 == PAGE_OK2 - 48); /* the frame's fault came last */
	assert_true(c->s.gpr[X86_RSP] == IST1_TOP - 48);
	assert_true(peek64(&t, IST1_TOP - 16) == PAGE_OK2 + 4); /* saved rsp */
	assert_true(peek64(&t, PAGE_OK2) == 0xaaaaaaaaaaaaaaaaull);
	/* a write to the read-only page: P|W, supervisor (CR0.WP) */
	put(&t, CODE, "48 89 07");
	c->s.rip = CODE;
	c->s.gpr[X86_RSP] = KSTACK_TOP;
	c->s.gpr[X86_RDI] = PAGE_RO;
	step_expect(&t, VM_EXIT_NONE, NULL);
	expect_exception(&t, X86_EXC_PF, CODE, MMU_PF_P | MMU_PF_W);
	tvm_fini(&t);
}

/* ---- exceptions and interrupts
 * ----------------------------------------------------------- */

static void test_user_exception_frame(void **state)
{
	struct tvm t;
	struct cpu *c;

	(void)state;
	tvm_init(&t);
	c = t.c;
	go_user(&t);
	put(&t, USER_CODE, "0f 0b"); /* ud2 at CPL 3 */
	step_expect(&t, VM_EXIT_NONE, NULL);
	assert_int_equal(c->cpl, 0);
	assert_int_equal(c->s.cs.selector, SEL_KCODE);
	assert_int_equal(c->s.ss.selector, 0); /* null SS at the new CPL */
	assert_true(c->s.gpr[X86_RSP] == RSP0_TOP - 40);
	expect_exception(&t, X86_EXC_UD, USER_CODE, -1);
	assert_true(peek64(&t, RSP0_TOP - 32) == (SEL_UCODE64 | 3));
	assert_true(peek64(&t, RSP0_TOP - 16) == USER_STACK);
	assert_true(peek64(&t, RSP0_TOP - 8) == (SEL_UDATA | 3));
	/* a user write to a supervisor page: #PF, error P|W|U, CR2 */
	go_user(&t);
	put(&t, USER_CODE, "48 89 07");
	c->s.gpr[X86_RDI] = PAGE_SUP + 8;
	step_expect(&t, VM_EXIT_NONE, NULL);
	expect_exception(&t, X86_EXC_PF, USER_CODE, MMU_PF_P | MMU_PF_W | MMU_PF_U);
	assert_true(c->s.cr2 == PAGE_SUP + 8);
	assert_true(c->s.gpr[X86_RSP] == RSP0_TOP - 48);
	tvm_fini(&t);
}

static void test_software_interrupts(void **state)
{
	struct tvm t;
	struct cpu *c;

	(void)state;
	tvm_init(&t);
	c = t.c;
	/* int 0x80 through a DPL-3 trap gate: IF stays, returns after the insn */
	go_user(&t);
	cpu_set_rflags(c, X86_RFLAGS_FIXED | X86_RFLAGS_IF);
	put(&t, USER_CODE, "cd 80");
	step_expect(&t, VM_EXIT_NONE, NULL);
	expect_exception(&t, 0x80, USER_CODE + 2, -1);
	assert_true(c->s.rflags & X86_RFLAGS_IF);
	/* int 0x40 from CPL 3 through a DPL-0 gate: #GP(0x40 * 8 + 2) */
	go_user(&t);
	put(&t, USER_CODE, "cd 40");
	step_expect(&t, VM_EXIT_NONE, NULL);
	expect_exception(&t, X86_EXC_GP, USER_CODE, 0x40 * 8 + 2);
	/* the same at CPL 0 lands on the IST1 stack */
	put(&t, CODE, "cd 40");
	c->s.rip = CODE;
	c->s.gpr[X86_RSP] = KSTACK_TOP;
	step_expect(&t, VM_EXIT_NONE, NULL);
	expect_exception(&t, 0x40, CODE + 2, -1);
	assert_true(c->s.gpr[X86_RSP] == IST1_TOP - 40);
	assert_false(c->s.rflags & X86_RFLAGS_IF); /* interrupt gate */
	tvm_fini(&t);
}

static void test_double_and_triple_fault(void **state)
{
	struct tvm t;
	struct cpu *c;

	(void)state;
	tvm_init(&t);
	c = t.c;
	/* #GP with a not-present #GP gate: #NP while delivering, so #DF */
	uint64_t gp_gate = peek64(&t, IDT_GPA + 16 * 13);
	gmem_write_u64(&t.vm->mem, IDT_GPA + 16 * 13, gp_gate & ~(1ull << 47));
	put(&t, CODE, "8e d8"); /* mov ds, ax with a selector beyond the GDT */
	c->s.rip = CODE;
	c->s.gpr[X86_RAX] = 0x1000;
	step_expect(&t, VM_EXIT_NONE, NULL);
	expect_exception(&t, X86_EXC_DF, CODE, 0);
	assert_int_equal(c->s.ds.selector, SEL_KDATA);
	/* and with the #DF gate gone too: shutdown */
	gmem_write_u64(&t.vm->mem, IDT_GPA + 16 * 8, 0);
	c->s.rip = CODE;
	step_expect(&t, VM_EXIT_SHUTDOWN, NULL);
	step_expect(&t, VM_EXIT_SHUTDOWN, NULL); /* and it stays down */
	tvm_fini(&t);
}

static void test_iretq_to_user(void **state)
{
	struct tvm t;
	struct cpu *c;
	uint64_t s0 = KSTACK_TOP - 0x100;

	(void)state;
	tvm_init(&t);
	c = t.c;
	c->s.gpr[X86_RSP] = s0;
	gmem_write_u64(&t.vm->mem, s0, USER_CODE);
	gmem_write_u64(&t.vm->mem, s0 + 8, SEL_UCODE64 | 3);
	gmem_write_u64(&t.vm->mem, s0 + 16, X86_RFLAGS_FIXED | X86_RFLAGS_IF | CF);
	gmem_write_u64(&t.vm->mem, s0 + 24, USER_STACK - 8);
	gmem_write_u64(&t.vm->mem, s0 + 32, SEL_UDATA | 3);
	put(&t, CODE, "48 cf");
	c->s.rip = CODE;
	step_expect(&t, VM_EXIT_NONE, NULL);
	assert_int_equal(c->cpl, 3);
	assert_true(c->s.rip == USER_CODE && c->s.gpr[X86_RSP] == USER_STACK - 8);
	assert_int_equal(c->s.ss.selector, SEL_UDATA | 3);
	assert_true(cpu_rflags(c) == (X86_RFLAGS_FIXED | X86_RFLAGS_IF | CF));
	assert_int_equal(c->s.ds.selector, 0); /* a DPL-0 data segment is nulled */
	/* iretq from CPL 3 to CPL 0 is #GP(sel) */
	gmem_write_u64(&t.vm->mem, USER_STACK, USER_CODE);
	gmem_write_u64(&t.vm->mem, USER_STACK + 8, SEL_KCODE);
	put(&t, USER_CODE, "48 cf");
	c->s.gpr[X86_RSP] = USER_STACK;
	step_expect(&t, VM_EXIT_NONE, NULL);
	expect_exception(&t, X86_EXC_GP, USER_CODE, SEL_KCODE);
	tvm_fini(&t);
}

static void test_syscall_sysret(void **state)
{
	struct tvm t;
	struct cpu *c;

	(void)state;
	tvm_init(&t);
	c = t.c;
	c->s.msr.star = (0x18ull << 48) | (0x08ull << 32);
	c->s.msr.lstar = CODE + 0x100;
	c->s.msr.sfmask = X86_RFLAGS_IF;
	go_user(&t);
	cpu_set_rflags(c, X86_RFLAGS_FIXED | X86_RFLAGS_IF);
	put(&t, USER_CODE, "0f 05");
	put(&t, CODE + 0x100, "48 0f 07");
	step_expect(&t, VM_EXIT_NONE, NULL);
	assert_true(c->s.rip == CODE + 0x100 && c->cpl == 0 && c->long64);
	assert_int_equal(c->s.cs.selector, 0x08);
	assert_int_equal(c->s.ss.selector, 0x10);
	assert_true(c->s.gpr[X86_RCX] == USER_CODE + 2);
	assert_true(c->s.gpr[X86_R11] == (X86_RFLAGS_FIXED | X86_RFLAGS_IF));
	assert_false(cpu_rflags(c) & X86_RFLAGS_IF);
	step_expect(&t, VM_EXIT_NONE, NULL); /* sysretq */
	assert_true(c->s.rip == USER_CODE + 2 && c->cpl == 3 && c->long64);
	assert_int_equal(c->s.cs.selector, 0x2b);
	assert_int_equal(c->s.ss.selector, 0x23);
	assert_true(cpu_rflags(c) & X86_RFLAGS_IF);
	/* sysret at CPL 3: #GP(0); syscall with EFER.SCE clear: #UD */
	put(&t, USER_CODE, "48 0f 07");
	c->s.rip = USER_CODE;
	step_expect(&t, VM_EXIT_NONE, NULL);
	expect_exception(&t, X86_EXC_GP, USER_CODE, 0);
	go_user(&t);
	c->s.efer &= ~X86_EFER_SCE;
	put(&t, USER_CODE, "0f 05");
	step_expect(&t, VM_EXIT_NONE, NULL);
	expect_exception(&t, X86_EXC_UD, USER_CODE, -1);
	tvm_fini(&t);
}

/* Segment loads fault with the selector in the error code. */
static void test_segment_load_errors(void **state)
{
	/* clang-format off */
	static const struct {
		const char *hex;
		uint16_t sel;
		unsigned vector;
		int64_t err;
	} cases[] = {
		{ "8e d8", SEL_NP, X86_EXC_NP, SEL_NP },       /* not present */
		{ "8e d8", SEL_XONLY, X86_EXC_GP, SEL_XONLY }, /* execute-only code */
		{ "8e d8", 0x1000, X86_EXC_GP, 0x1000 },       /* beyond the GDT */
		{ "8e d8", SEL_TSS, X86_EXC_GP, SEL_TSS },     /* a system descriptor */
		{ "8e d0", SEL_UDATA | 3, X86_EXC_GP, SEL_UDATA }, /* SS: RPL != CPL */
		{ "8e d0", SEL_KCODE, X86_EXC_GP, SEL_KCODE }, /* SS: code */
	};
	/* clang-format on */
	struct tvm t;
	struct cpu *c;

	(void)state;
	tvm_init(&t);
	c = t.c;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		put(&t, CODE, cases[i].hex);
		c->s.rip = CODE;
		c->s.gpr[X86_RSP] = KSTACK_TOP;
		c->s.gpr[X86_RAX] = cases[i].sel;
		step_expect(&t, VM_EXIT_NONE, NULL);
		expect_exception(&t, cases[i].vector, CODE, cases[i].err);
	}
	/* allowed: a null DS in 64-bit mode, DPL-3 data from CPL 0 */
	c->s.gpr[X86_RSP] = KSTACK_TOP;
	c->s.gpr[X86_RAX] = 0;
	run1(&t, "8e d8");
	assert_true(c->s.ds.selector == 0 && c->s.ds.unusable);
	c->s.gpr[X86_RAX] = SEL_UDATA | 3;
	run1(&t, "8e d8");
	assert_true(c->s.ds.selector == (SEL_UDATA | 3) && c->s.ds.dpl == 3);
	tvm_fini(&t);
}

/* ---- system instructions
 * ------------------------------------------------------------------ */

static void test_system_instructions(void **state)
{
	struct tvm t;
	struct cpu *c;
	uint8_t buf[10];

	(void)state;
	tvm_init(&t);
	c = t.c;
	/* cpuid: the model's vendor and the interpreter's engine id */
	c->s.gpr[X86_RAX] = 0;
	run1(&t, "0f a2");
	assert_true(c->s.gpr[X86_RBX] == 0x70617254); /* "Trap" */
	c->s.gpr[X86_RAX] = 0x40000001;
	run1(&t, "0f a2");
	assert_true(c->s.gpr[X86_RAX] == 2);
	/* wrmsr/rdmsr round trip; unknown MSR and non-canonical LSTAR: #GP(0) */
	c->s.gpr[X86_RCX] = X86_MSR_STAR;
	c->s.gpr[X86_RAX] = 0x11112222;
	c->s.gpr[X86_RDX] = 0x33334444;
	run1(&t, "0f 30");
	c->s.gpr[X86_RAX] = c->s.gpr[X86_RDX] = 0;
	run1(&t, "0f 32");
	assert_true(c->s.gpr[X86_RAX] == 0x11112222 && c->s.gpr[X86_RDX] == 0x33334444);
	/* clang-format off */
	struct { const char *hex; uint32_t msr; uint64_t hi; } gp[] = {
		{ "0f 32", 0x1234, 0 },
		{ "0f 30", X86_MSR_LSTAR, 0x00008000 },
		{ "0f 30", X86_MSR_EFER, 0x1 }, /* a reserved EFER bit */
	};
	/* clang-format on */
	for (size_t i = 0; i < ARRAY_SIZE(gp); i++) {
		put(&t, CODE, gp[i].hex);
		c->s.rip = CODE;
		c->s.gpr[X86_RSP] = KSTACK_TOP;
		c->s.gpr[X86_RCX] = gp[i].msr;
		c->s.gpr[X86_RDX] = gp[i].hi;
		step_expect(&t, VM_EXIT_NONE, NULL);
		expect_exception(&t, X86_EXC_GP, CODE, 0);
	}
	/* sgdt stores limit and the 64-bit base */
	c->s.gpr[X86_RSP] = KSTACK_TOP;
	c->s.gpr[X86_RDI] = DATA;
	run1(&t, "0f 01 07");
	gmem_read(&t.vm->mem, DATA, buf, sizeof(buf));
	assert_true(buf[0] == sizeof(gdt) - 1 && buf[1] == 0 && buf[2] == 0 &&
	            buf[3] == 0x10);
	/* ltr marks the TSS descriptor busy */
	c->s.gpr[X86_RAX] = SEL_TSS;
	run1(&t, "0f 00 d8");
	assert_int_equal((peek64(&t, GDT_GPA + SEL_TSS) >> 40) & 0xf, 0xb);
	assert_true(c->s.tr.base == TSS_GPA && c->s.tr.type == 0xb);
	/* a reserved CR4 bit (SMEP is not in the model): #GP(0) */
	put(&t, CODE, "0f 22 e0");
	c->s.rip = CODE;
	c->s.gpr[X86_RAX] = X86_CR4_PAE | (1ull << 20);
	step_expect(&t, VM_EXIT_NONE, NULL);
	expect_exception(&t, X86_EXC_GP, CODE, 0);
	/* hlt and rdmsr at CPL 3: #GP(0) */
	go_user(&t);
	put(&t, USER_CODE, "f4");
	step_expect(&t, VM_EXIT_NONE, NULL);
	expect_exception(&t, X86_EXC_GP, USER_CODE, 0);
	tvm_fini(&t);
}

/* A write that changes the next instruction is seen by it. */
static void test_self_modifying_code(void **state)
{
	struct tvm t;
	struct cpu *c;

	(void)state;
	tvm_init(&t);
	c = t.c;
	/* mov byte [rip+0], 0x90 ; inc rax -> the inc's REX becomes a NOP */
	put(&t, CODE, "c6 05 00 00 00 00 90 48 ff c0");
	c->s.rip = CODE + 7;
	step_expect(&t, VM_EXIT_NONE, NULL); /* decode and cache "inc rax" */
	assert_true(c->s.rip == CODE + 10);
	c->s.rip = CODE;
	step_expect(&t, VM_EXIT_NONE, NULL);
	step_expect(&t, VM_EXIT_NONE, NULL);
	assert_true(c->s.rip == CODE + 8); /* the NOP, not the cached inc */
	tvm_fini(&t);
}

/* ---- exits: port I/O, MMIO, HLT, interrupts
 * ---------------------------------------------- */

static void test_port_io(void **state)
{
	struct tvm t;
	struct cpu *c;
	struct vm_exit e;

	(void)state;
	tvm_init(&t);
	c = t.c;
	/* out dx, al: retires, then the exit */
	put(&t, CODE, "ee ec e5 40");
	c->s.rip = CODE;
	c->s.gpr[X86_RDX] = 0x3f8;
	c->s.gpr[X86_RAX] = 'A';
	step_expect(&t, VM_EXIT_IO, &e);
	assert_true(e.io.port == 0x3f8 && e.io.size == 1 && e.io.is_write &&
	            e.io.count == 1);
	assert_int_equal(e.io.data[0], 'A');
	assert_true(c->s.rip == CODE + 1);
	/* in al, dx: exits first, completes when stepped again */
	c->s.gpr[X86_RDX] = 0x60;
	step_expect(&t, VM_EXIT_IO, &e);
	assert_true(e.io.port == 0x60 && !e.io.is_write && c->s.rip == CODE + 1);
	e.io.data[0] = 0x42;
	step_expect(&t, VM_EXIT_NONE, NULL);
	assert_true((c->s.gpr[X86_RAX] & 0xff) == 0x42 && c->s.rip == CODE + 2);
	/* in eax, 0x40 */
	step_expect(&t, VM_EXIT_IO, &e);
	assert_true(e.io.port == 0x40 && e.io.size == 4);
	memcpy(e.io.data, "\x11\x22\x33\x44", 4);
	step_expect(&t, VM_EXIT_NONE, NULL);
	assert_true(c->s.gpr[X86_RAX] == 0x44332211);
	/* at CPL 3 with IOPL 0: #GP(0) */
	go_user(&t);
	put(&t, USER_CODE, "ee");
	step_expect(&t, VM_EXIT_NONE, NULL);
	expect_exception(&t, X86_EXC_GP, USER_CODE, 0);
	tvm_fini(&t);
}

static void test_mmio(void **state)
{
	struct tvm t;
	struct cpu *c;
	struct vm_exit e;

	(void)state;
	tvm_init(&t);
	c = t.c;
	put(&t, CODE, "8b 07 48 89 07");
	c->s.rip = CODE;
	c->s.gpr[X86_RDI] = MMIO_GPA;
	step_expect(&t, VM_EXIT_MMIO, &e);
	assert_true(e.mmio.addr == MMIO_GPA && e.mmio.len == 4 && !e.mmio.is_write);
	assert_true(c->s.rip == CODE);
	memcpy(e.mmio.data, "\x44\x33\x22\x11", 4);
	step_expect(&t, VM_EXIT_NONE, NULL);
	assert_true(c->s.gpr[X86_RAX] == 0x11223344 && c->s.rip == CODE + 2);
	step_expect(&t, VM_EXIT_MMIO, &e); /* the write */
	assert_true(e.mmio.addr == MMIO_GPA && e.mmio.len == 8 && e.mmio.is_write);
	assert_true(memcmp(e.mmio.data, "\x44\x33\x22\x11\0\0\0\0", 8) == 0);
	assert_true(c->s.rip == CODE + 5);
	/* rep movsb from MMIO: one exit per element, each completed in turn */
	put(&t, CODE, "f3 a4");
	c->s.rip = CODE;
	c->s.gpr[X86_RSI] = MMIO_GPA + 0x10;
	c->s.gpr[X86_RDI] = DATA;
	c->s.gpr[X86_RCX] = 3;
	for (unsigned i = 0; i < 3; i++) {
		step_expect(&t, VM_EXIT_MMIO, &e);
		assert_true(e.mmio.addr == MMIO_GPA + 0x10 + i && e.mmio.len == 1);
		e.mmio.data[0] = (uint8_t)(0xa0 + i);
		step_expect(&t, VM_EXIT_NONE, NULL);
	}
	assert_true(c->s.rip == CODE + 2 && c->s.gpr[X86_RCX] == 0);
	assert_true(peek8(&t, DATA) == 0xa0 && peek8(&t, DATA + 1) == 0xa1 &&
	            peek8(&t, DATA + 2) == 0xa2);
	tvm_fini(&t);
}

static void test_interrupts_and_hlt(void **state)
{
	struct tvm t;
	struct cpu *c;
	struct x86_event irq = {.kind = X86_EVENT_EXTINT, .vector = 0x20};

	(void)state;
	tvm_init(&t);
	c = t.c;
	assert_int_equal(interp_engine_ops.inject(t.vcpu, irq), -EBUSY); /* IF = 0 */
	/* sti; nop; nop: the interrupt waits for the instruction after STI */
	put(&t, CODE, "fb 90 90");
	c->s.rip = CODE;
	step_expect(&t, VM_EXIT_NONE, NULL);
	assert_int_equal(interp_engine_ops.inject(t.vcpu, irq), -EBUSY); /* shadow */
	step_expect(&t, VM_EXIT_NONE, NULL);
	assert_true(c->s.rip == CODE + 2);
	step_expect(&t, VM_EXIT_IRQ_WINDOW, NULL); /* the window asked for */
	assert_int_equal(interp_engine_ops.inject(t.vcpu, irq), 0);
	step_expect(&t, VM_EXIT_NONE, NULL);
	expect_exception(&t, 0x20, CODE + 2, -1);
	assert_false(c->s.rflags & X86_RFLAGS_IF);
	assert_int_equal(interp_stats(t.vcpu)->interrupts, 1);
	/* sti; hlt: halts; an injected interrupt wakes it after the HLT */
	put(&t, CODE, "fb f4");
	c->s.rip = CODE;
	c->s.gpr[X86_RSP] = KSTACK_TOP;
	step_expect(&t, VM_EXIT_NONE, NULL);
	step_expect(&t, VM_EXIT_HLT, NULL);
	step_expect(&t, VM_EXIT_HLT, NULL); /* still halted */
	irq.vector = 0x21;
	assert_int_equal(interp_engine_ops.inject(t.vcpu, irq), 0);
	step_expect(&t, VM_EXIT_NONE, NULL);
	expect_exception(&t, 0x21, CODE + 2, -1);
	tvm_fini(&t);
}

/* run() returns VM_EXIT_KICK when kicked, and state round-trips. */
static void test_run_kick_and_state(void **state)
{
	struct tvm t;
	struct vm_exit e;
	struct x86_state s, back;

	(void)state;
	tvm_init(&t);
	put(&t, CODE, "eb fe"); /* jmp $ */
	t.c->s.rip = CODE;
	t.vcpu->kicked = 1;
	interp_engine_ops.kick(t.vcpu);
	assert_int_equal(interp_engine_ops.run(t.vcpu, &e), 0);
	assert_int_equal(e.reason, VM_EXIT_KICK);
	/* lazy flags are materialized by get_state */
	cpu_set_rflags(t.c, X86_RFLAGS_FIXED);
	t.c->s.gpr[X86_RAX] = 0;
	t.c->s.gpr[X86_RBX] = 1;
	run1(&t, "48 29 d8"); /* sub rax, rbx: CF SF AF PF */
	vcpu_get_state(t.vcpu, &s);
	assert_true((s.rflags & STATUS) == (CF | SF | AF | PF));
	vcpu_set_state(t.vcpu, &s);
	vcpu_get_state(t.vcpu, &back);
	assert_true(back.rflags == s.rflags && back.rip == s.rip);
	tvm_fini(&t);
}

/* ---- the 32-bit boot path
 * ------------------------------------------------------------------- */

/* 32-bit protected mode, paging off: PAE, CR3, EFER.LME, CR0.PG, then a
 * far jump to a 64-bit code segment -- the path of guest/boot/boot32.S. */
static void test_enter_long_mode(void **state)
{
	struct tvm t;
	struct cpu *c;
	struct x86_state s;

	(void)state;
	tvm_init(&t);
	c = t.c;
	base_state(&s);
	s.cs = x86_flat_code32(SEL_KCODE32);
	s.ds = s.es = s.ss = x86_flat_data(SEL_KDATA);
	s.cr0 = X86_CR0_PE | X86_CR0_ET;
	s.cr4 = 0;
	s.cr3 = 0;
	s.efer = 0;
	s.rip = CODE;
	vcpu_set_state(t.vcpu, &s);
	put(&t, CODE,
	    "0f 20 e0 83 c8 20 0f 22 e0 b8 00 80 00 00 0f 22 d8 "
	    "b9 80 00 00 c0 0f 32 0d 00 01 00 00 0f 30 "
	    "0f 20 c0 0d 01 00 00 80 0f 22 c0 ea 00 01 02 00 08 00");
	put(&t, CODE + 0x100, "48 b8 88 77 66 55 44 33 22 11 f4");
	assert_int_equal(c->mode, X86_MODE_32);
	for (unsigned i = 0; i < 13; i++)
		step_expect(&t, VM_EXIT_NONE, NULL);
	assert_true(c->s.efer & X86_EFER_LMA);
	assert_true(c->long64 && c->s.rip == CODE + 0x100);
	step_expect(&t, VM_EXIT_NONE, NULL);
	assert_true(c->s.gpr[X86_RAX] == 0x1122334455667788ull);
	step_expect(&t, VM_EXIT_HLT, NULL);
	tvm_fini(&t);
}

/* Before long mode, with an empty IDT, a fault ends in a triple fault. */
static void test_protected_mode_triple_fault(void **state)
{
	struct tvm t;
	struct x86_state s;

	(void)state;
	tvm_init(&t);
	base_state(&s);
	s.cs = x86_flat_code32(SEL_KCODE32);
	s.ds = s.es = s.ss = x86_flat_data(SEL_KDATA);
	s.cr0 = X86_CR0_PE | X86_CR0_ET;
	s.cr4 = s.cr3 = s.efer = 0;
	s.idt = (struct x86_dtable){0, 0};
	vcpu_set_state(t.vcpu, &s);
	put(&t, CODE, "0f 0b");
	step_expect(&t, VM_EXIT_SHUTDOWN, NULL);
	tvm_fini(&t);
}

/* 32-bit protected mode: INT through an 8-byte gate and IRETD; far CALL
 * and RETF through a code segment; PUSHAD/POPAD. */
static void test_protected_mode_transfers(void **state)
{
	const uint64_t idt32 = 0x5000, handler = CODE + 0x200, s0 = 0x7000;
	struct tvm t;
	struct cpu *c;
	struct x86_state s;

	(void)state;
	tvm_init(&t);
	c = t.c;
	base_state(&s);
	s.cs = x86_flat_code32(SEL_KCODE32);
	s.ds = s.es = s.ss = x86_flat_data(SEL_KDATA);
	s.cr0 = X86_CR0_PE | X86_CR0_ET;
	s.cr4 = s.cr3 = s.efer = 0;
	s.idt = (struct x86_dtable){idt32, 0x7ff};
	s.gpr[X86_RSP] = s0;
	s.rflags = X86_RFLAGS_FIXED | X86_RFLAGS_IF;
	vcpu_set_state(t.vcpu, &s);
	gmem_write_u64(&t.vm->mem, idt32 + 8 * 0x30,
	               (handler & 0xffff) | ((uint64_t)SEL_KCODE32 << 16) |
	                   (0x8eull << 40) | ((handler >> 16) << 48));
	put(&t, CODE, "cd 30 9a 00 03 02 00 40 00 60 61");
	put(&t, handler, "cf");
	put(&t, CODE + 0x300, "cb");
	step_expect(&t, VM_EXIT_NONE, NULL); /* int 0x30 */
	assert_true(c->s.rip == handler && c->s.gpr[X86_RSP] == s0 - 12);
	assert_true((peek64(&t, s0 - 12) & 0xffffffff) == CODE + 2);
	assert_true((peek64(&t, s0 - 8) & 0xffffffff) == SEL_KCODE32);
	assert_false(c->s.rflags & X86_RFLAGS_IF);
	step_expect(&t, VM_EXIT_NONE, NULL); /* iretd */
	assert_true(c->s.rip == CODE + 2 && c->s.gpr[X86_RSP] == s0);
	assert_true(c->s.rflags & X86_RFLAGS_IF);
	step_expect(&t, VM_EXIT_NONE, NULL); /* call far 0x40:0x20300 */
	assert_true(c->s.rip == CODE + 0x300 && c->s.gpr[X86_RSP] == s0 - 8);
	assert_true((peek64(&t, s0 - 8) & 0xffffffff) == CODE + 9);
	step_expect(&t, VM_EXIT_NONE, NULL); /* retf */
	assert_true(c->s.rip == CODE + 9 && c->s.gpr[X86_RSP] == s0);
	c->s.gpr[X86_RAX] = 0x11;
	c->s.gpr[X86_RDI] = 0x77;
	step_expect(&t, VM_EXIT_NONE, NULL); /* pushad */
	assert_true(c->s.gpr[X86_RSP] == s0 - 32);
	assert_true((peek64(&t, s0 - 4) >> 0 & 0xffffffff) == 0x11); /* eax highest */
	assert_true((peek64(&t, s0 - 32) & 0xffffffff) == 0x77);     /* edi lowest */
	assert_true((peek64(&t, s0 - 20) & 0xffffffff) == s0);       /* the old esp */
	c->s.gpr[X86_RAX] = 0;
	step_expect(&t, VM_EXIT_NONE, NULL); /* popad */
	assert_true(c->s.gpr[X86_RAX] == 0x11 && c->s.gpr[X86_RSP] == s0);
	tvm_fini(&t);
}

/* Real mode: segment = selector * 16, INT through the IVT, IRET. */
static void test_real_mode(void **state)
{
	struct tvm t;
	struct cpu *c;
	struct x86_state s;

	(void)state;
	tvm_init(&t);
	c = t.c;
	x86_reset_state(&s);
	s.cs.selector = CODE >> 4;
	s.cs.base = CODE;
	s.rip = 0;
	s.gpr[X86_RSP] = 0x7000;
	s.idt = (struct x86_dtable){0, 0x3ff};
	vcpu_set_state(t.vcpu, &s);
	assert_int_equal(c->mode, X86_MODE_16);
	gmem_write_u32(&t.vm->mem, 4 * 0x10, (uint32_t)((CODE >> 4) << 16 | 0x200));
	put(&t, CODE, "cd 10 b8 34 12 8e d8 c6 06 10 00 55");
	put(&t, CODE + 0x200, "cf");
	step_expect(&t, VM_EXIT_NONE, NULL); /* int 0x10 */
	assert_true(c->s.rip == 0x200 && c->s.gpr[X86_RSP] == 0x7000 - 6);
	step_expect(&t, VM_EXIT_NONE, NULL); /* iret */
	assert_true(c->s.rip == 2 && c->s.gpr[X86_RSP] == 0x7000);
	for (unsigned i = 0; i < 3; i++)
		step_expect(&t, VM_EXIT_NONE, NULL);
	assert_true(c->s.ds.base == 0x12340);
	assert_int_equal(peek8(&t, 0x12350), 0x55);
	tvm_fini(&t);
}

/* RFLAGS.TF: a #DB trap after each instruction, with the next RIP. */
static void test_single_step(void **state)
{
	struct tvm t;
	struct cpu *c;

	(void)state;
	tvm_init(&t);
	c = t.c;
	put(&t, CODE, "90 90");
	c->s.rip = CODE;
	cpu_set_rflags(c, X86_RFLAGS_FIXED | X86_RFLAGS_TF);
	step_expect(&t, VM_EXIT_NONE, NULL);
	expect_exception(&t, X86_EXC_DB, CODE + 1, -1);
	assert_true(c->dr[6] & (1ull << 14));        /* DR6.BS */
	assert_false(cpu_rflags(c) & X86_RFLAGS_TF); /* the handler runs without it */
	assert_true(peek64(&t, c->s.gpr[X86_RSP] + 16) & X86_RFLAGS_TF);
	tvm_fini(&t);
}

/* LLDT, then a data segment from the LDT (TI = 1). */
static void test_ldt(void **state)
{
	struct tvm t;
	struct cpu *c;

	(void)state;
	tvm_init(&t);
	c = t.c;
	gmem_write_u64(&t.vm->mem, LDT_GPA + 8, 0x004f93000000ffffull | (0x12ull << 16));
	c->s.gpr[X86_RAX] = SEL_LDT;
	run1(&t, "0f 00 d0"); /* lldt ax */
	assert_true(c->s.ldt.base == LDT_GPA && c->s.ldt.limit == 0x17);
	c->s.gpr[X86_RAX] = 0x08 | 4; /* index 1 of the LDT */
	run1(&t, "8e d8");
	assert_true(c->s.ds.selector == 0x0c && c->s.ds.base == 0x12 &&
	            c->s.ds.limit == 0xfffff);
	/* index 3 is beyond the LDT's limit: #GP(selector) */
	put(&t, CODE, "8e d8");
	c->s.rip = CODE;
	c->s.gpr[X86_RAX] = 0x18 | 4;
	step_expect(&t, VM_EXIT_NONE, NULL);
	expect_exception(&t, X86_EXC_GP, CODE, 0x1c);
	tvm_fini(&t);
}

/* 32-bit protected mode at CPL 3: INT through a DPL-3 gate switches to
 * SS0:ESP0 of the 32-bit TSS and pushes SS and ESP; IRETD returns to the
 * outer level and reloads them. */
static void test_protected_mode_privilege_change(void **state)
{
	const uint64_t idt32 = 0x5000, handler = CODE + 0x200, esp0 = 0x7000;
	struct tvm t;
	struct cpu *c;
	struct x86_state s;

	(void)state;
	tvm_init(&t);
	c = t.c;
	base_state(&s);
	s.cs = x86_flat_code32(SEL_UCODE32 | 3);
	s.cs.dpl = 3;
	s.ds = s.es = s.ss = x86_flat_data(SEL_UDATA | 3);
	s.ss.dpl = s.ds.dpl = s.es.dpl = 3;
	s.tr = (struct x86_segment){.base = TSS32_GPA,
	                            .limit = 0x67,
	                            .selector = SEL_TSS32,
	                            .type = 0xb,
	                            .present = 1};
	s.cr0 = X86_CR0_PE | X86_CR0_ET;
	s.cr4 = s.cr3 = s.efer = 0;
	s.idt = (struct x86_dtable){idt32, 0x7ff};
	s.gpr[X86_RSP] = USER_STACK;
	s.rip = USER_CODE;
	vcpu_set_state(t.vcpu, &s);
	gmem_write_u32(&t.vm->mem, TSS32_GPA + 4, (uint32_t)esp0);
	gmem_write_u32(&t.vm->mem, TSS32_GPA + 8, SEL_KDATA);
	gmem_write_u64(&t.vm->mem, idt32 + 8 * 0x31,
	               (handler & 0xffff) | ((uint64_t)SEL_KCODE32 << 16) |
	                   (0xeeull << 40) | ((handler >> 16) << 48));
	put(&t, USER_CODE, "cd 31");
	put(&t, handler, "cf");
	step_expect(&t, VM_EXIT_NONE, NULL);
	assert_true(c->cpl == 0 && c->s.rip == handler && c->s.gpr[X86_RSP] == esp0 - 20);
	assert_int_equal(c->s.ss.selector, SEL_KDATA);
	assert_true((peek64(&t, esp0 - 20) & 0xffffffff) == USER_CODE + 2);
	assert_true((peek64(&t, esp0 - 8) & 0xffffffff) == USER_STACK);
	assert_true((peek64(&t, esp0 - 4) & 0xffffffff) == (SEL_UDATA | 3));
	step_expect(&t, VM_EXIT_NONE, NULL); /* iretd to CPL 3 */
	assert_true(c->cpl == 3 && c->s.rip == USER_CODE + 2);
	assert_true(c->s.gpr[X86_RSP] == USER_STACK &&
	            c->s.ss.selector == (SEL_UDATA | 3));
	tvm_fini(&t);
}

/* The less common system and segment instructions, one each. */
static void test_more_system_instructions(void **state)
{
	struct tvm t;
	struct cpu *c;

	(void)state;
	tvm_init(&t);
	c = t.c;
	/* swapgs exchanges GS.base and KERNEL_GS_BASE */
	c->s.gs.base = 0x1111;
	c->s.msr.kernel_gs_base = 0x2222;
	run1(&t, "0f 01 f8");
	assert_true(c->s.gs.base == 0x2222 && c->s.msr.kernel_gs_base == 0x1111);
	/* an FS-relative load uses FS.base in 64-bit mode */
	c->s.fs.base = DATA;
	gmem_write_u64(&t.vm->mem, DATA + 0x10, 0xfeedfacecafebeefull);
	run1(&t, "64 48 8b 04 25 10 00 00 00");
	assert_true(c->s.gpr[X86_RAX] == 0xfeedfacecafebeefull);
	/* DR7 keeps its fixed bit; DR4 aliases DR6 without CR4.DE */
	c->s.gpr[X86_RAX] = 0x1;
	run1(&t, "0f 23 f8");
	c->s.gpr[X86_RAX] = 0;
	run1(&t, "0f 21 f8");
	assert_true(c->s.gpr[X86_RAX] == 0x401);
	c->s.gpr[X86_RAX] = 0x5;
	run1(&t, "0f 23 e0");
	assert_true(c->dr[6] == (0xffff0ff0ull | 0x5));
	/* clts, smsw, lmsw cannot clear PE */
	c->s.cr0 |= X86_CR0_TS;
	run1(&t, "0f 06");
	assert_false(c->s.cr0 & X86_CR0_TS);
	run1(&t, "0f 01 e0");
	assert_true(c->s.gpr[X86_RAX] == (uint32_t)c->s.cr0);
	c->s.gpr[X86_RAX] = 0;
	run1(&t, "0f 01 f0");
	assert_true(c->s.cr0 & X86_CR0_PE);
	/* lar/lsl/verr/verw on the DPL-3 data segment and the execute-only code */
	c->s.gpr[X86_RBX] = SEL_UDATA | 3;
	run1(&t, "0f 02 c3");
	assert_true(c->s.gpr[X86_RAX] == 0x00c0f300 &&
	            (cpu_rflags(c) & ZF)); /* limit bits masked */
	run1(&t, "0f 03 c3");
	assert_true(c->s.gpr[X86_RAX] == 0xffffffff && (cpu_rflags(c) & ZF));
	run1(&t, "0f 00 eb"); /* verw */
	assert_true(cpu_rflags(c) & ZF);
	c->s.gpr[X86_RBX] = SEL_XONLY;
	run1(&t, "0f 00 e3"); /* verr of execute-only code */
	assert_false(cpu_rflags(c) & ZF);
	c->s.gpr[X86_RBX] = 0x1000; /* beyond the GDT: ZF = 0, no fault */
	run1(&t, "0f 03 c3");
	assert_false(cpu_rflags(c) & ZF);
	/* rdtsc counts up */
	run1(&t, "0f 31");
	uint64_t t0 = c->s.gpr[X86_RDX] << 32 | (uint32_t)c->s.gpr[X86_RAX];
	run1(&t, "0f 31");
	uint64_t t1 = c->s.gpr[X86_RDX] << 32 | (uint32_t)c->s.gpr[X86_RAX];
	assert_true(t1 > t0);
	tvm_fini(&t);
}

/* Operand-size and address-size details of common instructions. */
static void test_size_forms(void **state)
{
	struct tvm t;
	struct cpu *c;

	(void)state;
	tvm_init(&t);
	c = t.c;
	c->s.gpr[X86_RAX] = 0x80000000;
	run1(&t, "48 99"); /* cqo */
	assert_true(c->s.gpr[X86_RDX] == 0);
	run1(&t, "48 98"); /* cdqe */
	assert_true(c->s.gpr[X86_RAX] == 0xffffffff80000000ull);
	c->s.gpr[X86_RBX] = 0xfffffffe;
	run1(&t, "48 63 c3"); /* movsxd */
	assert_true(c->s.gpr[X86_RAX] == (uint64_t)-2);
	c->s.gpr[X86_RBX] = 0xab00;
	run1(&t, "0f b6 c7"); /* movzx eax, bh */
	assert_true(c->s.gpr[X86_RAX] == 0xab);
	c->s.gpr[X86_RBX] = 0xffffffff;
	c->s.gpr[X86_RCX] = 1;
	run1(&t, "67 8d 44 4b 01"); /* lea eax, [ebx+ecx*2+1]: 32-bit wrap */
	assert_true(c->s.gpr[X86_RAX] == 2);
	/* xlat, lahf/sahf */
	gmem_write(&t.vm->mem, DATA + 5, "\x77", 1);
	c->s.gpr[X86_RBX] = DATA;
	c->s.gpr[X86_RAX] = 5;
	run1(&t, "d7");
	assert_true(c->s.gpr[X86_RAX] == 0x77);
	cpu_set_rflags(c, X86_RFLAGS_FIXED | CF | ZF);
	run1(&t, "9f");
	assert_true(((c->s.gpr[X86_RAX] >> 8) & 0xff) == 0x43);
	c->s.gpr[X86_RAX] = 0x8000; /* SF only */
	run1(&t, "9e");
	assert_true((cpu_rflags(c) & STATUS) == SF);
	/* push fs / pop fs and mov [mem], ds */
	c->s.gpr[X86_RSP] = KSTACK_TOP;
	run1(&t, "0f a0");
	assert_true(peek64(&t, KSTACK_TOP - 8) == SEL_KDATA);
	run1(&t, "0f a1");
	assert_true(c->s.gpr[X86_RSP] == KSTACK_TOP && c->s.fs.selector == SEL_KDATA);
	c->s.gpr[X86_RDI] = DATA;
	gmem_write_u64(&t.vm->mem, DATA, ~0ull);
	run1(&t, "8c 1f");
	assert_true(peek64(&t, DATA) == (0xffffffffffff0000ull | SEL_KDATA));
	/* call [rdi]; ret 8 */
	gmem_write_u64(&t.vm->mem, DATA, CODE + 0x40);
	put(&t, CODE, "ff 17");
	put(&t, CODE + 0x40, "c2 08 00");
	c->s.rip = CODE;
	step_expect(&t, VM_EXIT_NONE, NULL);
	assert_true(c->s.rip == CODE + 0x40 && peek64(&t, KSTACK_TOP - 8) == CODE + 2);
	step_expect(&t, VM_EXIT_NONE, NULL);
	assert_true(c->s.rip == CODE + 2 && c->s.gpr[X86_RSP] == KSTACK_TOP + 8);
	/* loop with rcx = 1 falls through and leaves rcx = 0; jrcxz then jumps */
	c->s.gpr[X86_RCX] = 1;
	run1(&t, "e2 10");
	assert_true(c->s.gpr[X86_RCX] == 0);
	put(&t, CODE, "e3 10");
	c->s.rip = CODE;
	step_expect(&t, VM_EXIT_NONE, NULL);
	assert_true(c->s.rip == CODE + 0x12);
	tvm_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_add_sub_flags),
	    cmocka_unit_test(test_conditions_match_flags),
	    cmocka_unit_test(test_mul_imul),
	    cmocka_unit_test(test_div_idiv),
	    cmocka_unit_test(test_shifts_rotates),
	    cmocka_unit_test(test_bit_ops),
	    cmocka_unit_test(test_moves_and_exchanges),
	    cmocka_unit_test(test_stack_forms),
	    cmocka_unit_test(test_rep_strings),
	    cmocka_unit_test(test_rep_fault_midway),
	    cmocka_unit_test(test_crossing_write_is_precise),
	    cmocka_unit_test(test_user_exception_frame),
	    cmocka_unit_test(test_software_interrupts),
	    cmocka_unit_test(test_double_and_triple_fault),
	    cmocka_unit_test(test_iretq_to_user),
	    cmocka_unit_test(test_syscall_sysret),
	    cmocka_unit_test(test_segment_load_errors),
	    cmocka_unit_test(test_system_instructions),
	    cmocka_unit_test(test_self_modifying_code),
	    cmocka_unit_test(test_port_io),
	    cmocka_unit_test(test_mmio),
	    cmocka_unit_test(test_interrupts_and_hlt),
	    cmocka_unit_test(test_run_kick_and_state),
	    cmocka_unit_test(test_enter_long_mode),
	    cmocka_unit_test(test_protected_mode_triple_fault),
	    cmocka_unit_test(test_protected_mode_transfers),
	    cmocka_unit_test(test_real_mode),
	    cmocka_unit_test(test_single_step),
	    cmocka_unit_test(test_ldt),
	    cmocka_unit_test(test_protected_mode_privilege_change),
	    cmocka_unit_test(test_more_system_instructions),
	    cmocka_unit_test(test_size_forms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
