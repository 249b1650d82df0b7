/*
 * test_interp_fuzz.c - random guest code cannot hurt the VMM.
 *
 * The software engine executes whatever bytes a guest hands it, at any
 * privilege, with any register values and any page tables.  This test
 * feeds the interpreter random code in ring 0 -- where every system
 * instruction is allowed: loads of CR3/GDTR/IDTR from random memory,
 * WRMSR, port I/O, far jumps, IRET with random frames -- and random data,
 * with exception handlers that are themselves random code, and steps it
 * with interp_step().  Port and MMIO reads are answered with random bytes.
 *
 * What must hold, for every stream: the interpreter returns a defined
 * result for every step (no crash, no -errno), and never reads or writes
 * host memory outside guest RAM -- which the sanitizer build (make
 * sanitize, run by CI) checks on every access.  TRAPEZE_FUZZ_STREAMS sets
 * the number of streams (default sized for `make test`).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bt/interp.h"
#include "core/vm.h"

#define MEM_SIZE (8ull << 20)
#define GDT_GPA 0x1000ull
#define IDT_GPA 0x2000ull
#define TSS_GPA 0x3000ull
#define PML4_GPA 0x8000ull
#define PDPT_GPA 0x9000ull
#define PD_GPA 0xa000ull
#define CODE_GPA 0x200000ull    /* the random code a stream starts in */
#define HANDLER_GPA 0x300000ull /* every IDT gate: more random code */
#define DATA_GPA 0x400000ull    /* random data the code may use */
#define RANDOM_BYTES 0x10000ull /* per region */
#define STACK_TOP 0x180000ull

#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define SEL_TSS 0x18
#define DESC_CODE64 0x00af9b000000ffffull
#define DESC_DATA 0x00cf93000000ffffull
#define TSS_DESC_LOW(base) (0x67ull | ((base) & 0xffffff) << 16 | 0x8bull << 40)
#define GATE_INTR64 0x8eull
#define PTE_P 0x1ull
#define PTE_RW 0x2ull
#define PTE_PS 0x80ull
#define LARGE_PAGE (2ull << 20)

#define DEFAULT_STREAMS 800
#define STEPS_PER_STREAM 4000

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void fill_random(struct vm *vm, gpa_t gpa, uint64_t len)
{
	for (uint64_t off = 0; off < len; off += 8)
		assert_int_equal(gmem_write_u64(&vm->mem, gpa + off, rnd()), 0);
}

/* GDT, a TSS, an IDT whose 256 gates all lead into random code, and an
 * identity map of the first GiB with 2 MiB pages (RAM is only 8 MiB:
 * the rest is unbacked and becomes MMIO). */
static void build_machine(struct vm *vm)
{
	const uint64_t gdt[] = { 0, DESC_CODE64, DESC_DATA, TSS_DESC_LOW(TSS_GPA), 0 };

	assert_int_equal(gmem_write(&vm->mem, GDT_GPA, gdt, sizeof(gdt)), 0);
	assert_int_equal(gmem_write_u64(&vm->mem, TSS_GPA + 4, STACK_TOP), 0); /* RSP0 */
	for (unsigned v = 0; v < 256; v++) {
		uint64_t target = HANDLER_GPA + (rnd() % RANDOM_BYTES);
		uint64_t low = (target & 0xffff) | (uint64_t)SEL_CODE << 16 |
		               GATE_INTR64 << 40 | ((target >> 16) & 0xffff) << 48;
		assert_int_equal(gmem_write_u64(&vm->mem, IDT_GPA + 16 * v, low), 0);
		assert_int_equal(gmem_write_u64(&vm->mem, IDT_GPA + 16 * v + 8, target >> 32), 0);
	}
	assert_int_equal(gmem_write_u64(&vm->mem, PML4_GPA, PDPT_GPA | PTE_P | PTE_RW), 0);
	assert_int_equal(gmem_write_u64(&vm->mem, PDPT_GPA, PD_GPA | PTE_P | PTE_RW), 0);
	for (uint64_t i = 0; i < 512; i++)
		assert_int_equal(gmem_write_u64(&vm->mem, PD_GPA + 8 * i,
		                                i * LARGE_PAGE | PTE_P | PTE_RW | PTE_PS), 0);
	fill_random(vm, CODE_GPA, RANDOM_BYTES);
	fill_random(vm, HANDLER_GPA, RANDOM_BYTES);
	fill_random(vm, DATA_GPA, RANDOM_BYTES);
}

/* Ring 0, 64-bit, registers mostly pointing into the random regions. */
static void start_state(struct x86_state *s)
{
	x86_reset_state(s);
	for (unsigned i = 0; i < X86_NR_GPRS; i++)
		s->gpr[i] = (rnd() & 1) ? DATA_GPA + (rnd() % RANDOM_BYTES) : rnd();
	s->gpr[X86_RSP] = STACK_TOP - (rnd() % 0x1000);
	s->rip = CODE_GPA + (rnd() % RANDOM_BYTES);
	s->rflags = X86_RFLAGS_FIXED;
	s->cs = x86_flat_code64(SEL_CODE);
	s->ds = s->es = s->fs = s->gs = s->ss = x86_flat_data(SEL_DATA);
	s->tr = (struct x86_segment){ .base = TSS_GPA, .limit = 0x67, .selector = SEL_TSS,
	                              .type = 0xb, .present = 1 };
	s->gdt = (struct x86_dtable){ GDT_GPA, 5 * 8 - 1 };
	s->idt = (struct x86_dtable){ IDT_GPA, 256 * 16 - 1 };
	s->cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP;
	s->cr3 = PML4_GPA;
	s->cr4 = X86_CR4_PAE;
	s->efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE | X86_EFER_SCE;
}

struct outcome {
	unsigned steps, io, mmio, hlt, shutdown, internal;
};

/* Answer a read the way an unknown device might: random bytes. */
static void answer(struct vm_exit *e)
{
	if (e->reason == VM_EXIT_IO && !e->io.is_write)
		for (uint32_t i = 0; i < e->io.count * e->io.size; i++)
			e->io.data[i] = (uint8_t)rnd();
	if (e->reason == VM_EXIT_MMIO && !e->mmio.is_write)
		for (unsigned i = 0; i < e->mmio.len; i++)
			e->mmio.data[i] = (uint8_t)rnd();
}

/* Step one stream until it halts, shuts down, fails, or runs out of steps. */
static void run_stream(struct outcome *o)
{
	struct vm_config cfg = { .mem_size = MEM_SIZE, .engine = &interp_engine_ops,
	                         .serial_out_fd = -1, .serial_in_fd = -1 };
	char err[256];
	struct vm *vm = vm_create(&cfg, err, sizeof(err));
	struct x86_state s;

	if (!vm)
		fail_msg("%s", err);
	build_machine(vm);
	start_state(&s);
	assert_int_equal(vcpu_set_state(&vm->vcpus[0], &s), 0);
	for (unsigned step = 0; step < STEPS_PER_STREAM; step++) {
		struct vm_exit e;
		memset(&e, 0, sizeof(e));
		assert_int_equal(interp_step(&vm->vcpus[0], &e), 0);
		o->steps++;
		if (e.reason == VM_EXIT_IO || e.reason == VM_EXIT_MMIO) {
			e.reason == VM_EXIT_IO ? o->io++ : o->mmio++;
			answer(&e);
			continue;
		}
		if (e.reason == VM_EXIT_NONE || e.reason == VM_EXIT_IRQ_WINDOW)
			continue;
		if (e.reason == VM_EXIT_HLT)
			o->hlt++;
		else if (e.reason == VM_EXIT_SHUTDOWN)
			o->shutdown++;
		else if (e.reason == VM_EXIT_INTERNAL)
			o->internal++;
		else
			fail_msg("step %u: unexpected exit reason %s", step,
			         vm_exit_reason_name(e.reason));
		break;
	}
	/* The state must still be readable and self-consistent. */
	assert_int_equal(vcpu_get_state(&vm->vcpus[0], &s), 0);
	vm_destroy(vm);
}

static void random_ring0_code_is_contained(void **unused)
{
	const char *env = getenv("TRAPEZE_FUZZ_STREAMS");
	unsigned streams = env ? (unsigned)strtoul(env, NULL, 0) : DEFAULT_STREAMS;
	struct outcome o = { 0 };

	rng_state = 0x9e3779b97f4a7c15ull;
	for (unsigned i = 0; i < streams; i++)
		run_stream(&o);
	print_message("%u streams, %u steps: %u port and %u MMIO exits; ended by %u hlt, "
	              "%u shutdown, %u internal\n", streams, o.steps, o.io, o.mmio, o.hlt,
	              o.shutdown, o.internal);
	/* the streams did reach the interesting paths */
	assert_true(o.steps > streams);
	assert_true(o.io + o.mmio > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_ring0_code_is_contained),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
