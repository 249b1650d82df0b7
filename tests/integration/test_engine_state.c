/*
 * test_engine_state.c - struct x86_state through each engine and back.
 *
 * Snapshots, lockstep checks and moving a guest between engines all rest
 * on set_state/get_state being exact inverses.  For every usable engine:
 * load a distinctive state, read it back, compare field by field; then run
 * a guest a little and check the engine's view of it moves forward.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/loader.h"
#include "core/vm.h"

static struct vm *new_vm(const struct engine_ops *e)
{
	struct vm_config cfg = { .mem_size = 32ull << 20, .engine = e,
	                         .serial_out_fd = -1, .serial_in_fd = -1 };
	char err[256];
	struct vm *vm = vm_create(&cfg, err, sizeof(err));
	if (!vm)
		fail_msg("%s", err);
	return vm;
}

/* A long-mode state with a different value in every field we can set. */
static void distinctive_state(struct x86_state *s)
{
	x86_reset_state(s);
	for (unsigned i = 0; i < X86_NR_GPRS; i++)
		s->gpr[i] = 0x1111111111111111ull * (i + 1) ^ (0x0123456789abcdefull << (i % 8));
	s->rip = 0x100123;
	s->rflags = X86_RFLAGS_FIXED | X86_RFLAGS_CF | X86_RFLAGS_ZF | X86_RFLAGS_DF;
	s->cs = x86_flat_code64(LOADER_SEL_CODE64);
	s->ds = s->es = s->ss = x86_flat_data(LOADER_SEL_DATA);
	s->fs = x86_flat_data(LOADER_SEL_DATA);
	s->fs.base = 0x7000123000ull;
	s->gs = x86_flat_data(LOADER_SEL_DATA);
	s->gs.base = 0xffff800000001000ull;
	s->tr = (struct x86_segment){ .base = 0x1080, .limit = 0x67, .selector = LOADER_SEL_TSS,
	                              .type = 0xb, .present = 1 };
	s->gdt = (struct x86_dtable){ 0x1000, 0x2f };
	s->idt = (struct x86_dtable){ 0x5000, 0xfff };
	s->cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP;
	s->cr2 = 0xdeadbeef000ull;
	s->cr3 = 0x8000;
	s->cr4 = X86_CR4_PAE | X86_CR4_PGE;
	s->efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_SCE | X86_EFER_NXE;
	s->msr.star = 0x0023001000000000ull;
	s->msr.lstar = 0xffffffff81000000ull;
	s->msr.sfmask = 0x47700;
	s->msr.kernel_gs_base = 0xffff888000000000ull;
	s->fpu.fcw = 0x27f;
	s->fpu.mxcsr = 0x1fa0;
	s->fpu.xmm[3][0] = 0x5a;
}

static void expect_seg(const char *name, const struct x86_segment *a,
                       const struct x86_segment *b)
{
	if (a->base != b->base || a->limit != b->limit || a->selector != b->selector ||
	    a->type != b->type || a->present != b->present || a->dpl != b->dpl ||
	    a->db != b->db || a->s != b->s || a->l != b->l || a->g != b->g)
		fail_msg("segment %s: set sel %x base %llx limit %x type %x, got sel %x "
		         "base %llx limit %x type %x", name, a->selector,
		         (unsigned long long)a->base, a->limit, a->type, b->selector,
		         (unsigned long long)b->base, b->limit, b->type);
}

static void state_round_trips(void **state)
{
	const struct engine_ops *e = *state;
	struct engine_info info;
	struct x86_state in, out;

	if (e->probe(&info)) {
		print_message("skipping on engine %s: %s\n", e->name, info.detail);
		skip();
	}
	struct vm *vm = new_vm(e);
	distinctive_state(&in);
	assert_int_equal(vcpu_set_state(&vm->vcpus[0], &in), 0);
	assert_int_equal(vcpu_get_state(&vm->vcpus[0], &out), 0);
	for (unsigned i = 0; i < X86_NR_GPRS; i++)
		if (in.gpr[i] != out.gpr[i])
			fail_msg("%s: set %llx, got %llx", x86_gpr_name(i),
			         (unsigned long long)in.gpr[i], (unsigned long long)out.gpr[i]);
	assert_true(in.rip == out.rip);
	assert_true(in.rflags == out.rflags);
	expect_seg("cs", &in.cs, &out.cs);
	expect_seg("ds", &in.ds, &out.ds);
	expect_seg("fs", &in.fs, &out.fs);
	expect_seg("gs", &in.gs, &out.gs);
	expect_seg("ss", &in.ss, &out.ss);
	expect_seg("tr", &in.tr, &out.tr);
	assert_true(in.gdt.base == out.gdt.base && in.gdt.limit == out.gdt.limit);
	assert_true(in.idt.base == out.idt.base && in.idt.limit == out.idt.limit);
	assert_true(in.cr0 == out.cr0);
	assert_true(in.cr2 == out.cr2);
	assert_true(in.cr3 == out.cr3);
	assert_true(in.cr4 == out.cr4);
	assert_true(in.efer == out.efer);
	assert_true(in.msr.star == out.msr.star);
	assert_true(in.msr.lstar == out.msr.lstar);
	assert_true(in.msr.sfmask == out.msr.sfmask);
	assert_true(in.msr.kernel_gs_base == out.msr.kernel_gs_base);
	assert_int_equal(in.fpu.fcw, out.fpu.fcw);
	assert_int_equal(in.fpu.mxcsr, out.fpu.mxcsr);
	assert_memory_equal(in.fpu.xmm, out.fpu.xmm, sizeof(in.fpu.xmm));
	vm_destroy(vm);
}

/* Run "inc rax; out dx, al" with the direct64 boot state: the engine's
 * view of the guest moves (rax counted, rip past the out). */
static void running_guest_state_advances(void **state)
{
	const struct engine_ops *e = *state;
	struct engine_info info;
	/* a minimal ELF64 is easier to build from code than bytes: use the
	 * loader with a hand-made image */
	static const uint8_t code[] = {
		0x48, 0xff, 0xc0, /* inc rax */
		0x66, 0xba, 0x00, 0x03, /* mov dx, 0x300 */
		0xee, /* out dx, al */
		0xeb, 0xfe, /* jmp . */
	};
	struct x86_state s;
	struct vm_exit exit;

	if (e->probe(&info)) {
		print_message("skipping on engine %s: %s\n", e->name, info.detail);
		skip();
	}
	struct vm *vm = new_vm(e);
	distinctive_state(&s);
	s.rip = 0x100000;
	s.gpr[X86_RAX] = 41;
	s.cr2 = 0;
	s.idt = (struct x86_dtable){ 0, 0 };
	/* identity map: reuse the loader's tables by loading a direct64 image
	 * is overkill; build one PML4/PDPT/PD mapping 0..1 GiB with 2 MiB pages */
	uint64_t pml4 = 0x8000, pdpt = 0x9000, pd = 0xa000;
	gmem_write_u64(&vm->mem, pml4, pdpt | 3);
	gmem_write_u64(&vm->mem, pdpt, pd | 3);
	for (uint64_t i = 0; i < 512; i++)
		gmem_write_u64(&vm->mem, pd + i * 8, (i << 21) | 0x83);
	s.cr3 = pml4;
	s.efer = X86_EFER_LME | X86_EFER_LMA;
	/* the GDT the state's selectors name */
	static const uint64_t gdt[] = { 0, 0x00af9b000000ffffull, 0x00cf9b000000ffffull,
	                                0x00cf93000000ffffull, 0x0000890010800067ull, 0 };
	gmem_write(&vm->mem, 0x1000, gdt, sizeof(gdt));
	gmem_write(&vm->mem, 0x100000, code, sizeof(code));
	assert_int_equal(vcpu_set_state(&vm->vcpus[0], &s), 0);
	assert_int_equal(e->run(&vm->vcpus[0], &exit), 0);
	assert_int_equal(exit.reason, VM_EXIT_IO);
	assert_int_equal(exit.io.port, 0x300);
	assert_int_equal(exit.io.data[0], 42);
	assert_int_equal(vcpu_get_state(&vm->vcpus[0], &s), 0);
	assert_true(s.gpr[X86_RAX] == 42);
	assert_true(s.rip == 0x100008);
	vm_destroy(vm);
}

int main(void)
{
	struct CMUnitTest tests[16];
	char names[16][64];
	size_t n = 0;

	for (size_t i = 0; engine_table[i] && n + 2 <= 16; i++) {
		snprintf(names[n], sizeof(names[n]), "%s: state round trip", engine_table[i]->name);
		tests[n] = (struct CMUnitTest){ .name = names[n], .test_func = state_round_trips,
		                                .initial_state = (void *)engine_table[i] };
		n++;
		snprintf(names[n], sizeof(names[n]), "%s: running guest advances", engine_table[i]->name);
		tests[n] = (struct CMUnitTest){ .name = names[n],
		                                .test_func = running_guest_state_advances,
		                                .initial_state = (void *)engine_table[i] };
		n++;
	}
	return _cmocka_run_group_tests("engine state", tests, n, NULL, NULL);
}
