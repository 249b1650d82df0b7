/*
 * b_common.c - the machine under every memory-technique benchmark guest
 * (b_bench.h has the overview): command line, IDT, shared kernel map,
 * and the start and end of the measured loop.
 *
 * Exceptions: vectors 0-31 each have a 16-byte stub that pushes a zero in
 * place of an error code when the CPU pushes none, then its vector, and
 * joins b_trap_common.  That saves the registers C may clobber and calls
 * b_trap() with the frame.  A #PF goes to the workload's handler (only
 * b_pgfault has one); anything else fails the run with the vector, RIP,
 * error code and CR2, so a wrong translation in an engine shows up as a
 * failed run and never as a fast one.
 *
 * The stack at the call, lowest address first (struct b_frame):
 *
 *   r11 r10 r9 r8 rdi rsi rdx rcx rax | vector error | rip cs rflags rsp ss
 *   <-------- b_trap_common ---------> <--- stub ---> <----- the CPU ----->
 *
 * The CPU aligned RSP to 16 before its 40-byte frame; 16 + 72 more make
 * 128, so the call is 16-byte aligned.
 */
#include <stdbool.h>
#include <stdint.h>

#include "b_bench.h"
#include "console.h"
#include "cpu.h"
#include "guest_test.h"
#include "printf.h"

#define NR_EXCEPTIONS  32
#define STUB_SIZE      16
#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define VEC_PF         14

#define CPUID_1_EDX_PGE (1u << 13)
#define CR4_PGE         (1ull << 7)

/* The kernel map: 1 GiB of 2 MiB pages. */
#define KERNEL_MAP_PAGES 512
#define KERNEL_PAGE_SIZE (2ull << 20)

/* Vectors for which the CPU pushes an error code (SDM Vol. 3 6.15):
 * 8, 10-14, 17, 21, 29, 30.  The others get a zero from their stub. */
__asm__(".pushsection .text\n"
        ".balign 16\n"
        ".globl b_vector_stubs\n"
        "b_vector_stubs:\n"
        ".irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,"
        "16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
        ".balign 16\n"
        ".if !((\\v == 8) || ((\\v >= 10) && (\\v <= 14)) || (\\v == 17) || "
        "(\\v == 21) || (\\v == 29) || (\\v == 30))\n"
        "  pushq $0\n"
        ".endif\n"
        "  pushq $\\v\n"
        "  jmp b_trap_common\n"
        ".endr\n"
        "b_trap_common:\n"
        "  pushq %rax\n  pushq %rcx\n  pushq %rdx\n  pushq %rsi\n  pushq %rdi\n"
        "  pushq %r8\n  pushq %r9\n  pushq %r10\n  pushq %r11\n"
        "  movq %rsp, %rdi\n"
        "  cld\n"
        "  call b_trap\n"
        "  popq %r11\n  popq %r10\n  popq %r9\n  popq %r8\n  popq %rdi\n"
        "  popq %rsi\n  popq %rdx\n  popq %rcx\n  popq %rax\n"
        "  addq $16, %rsp\n" /* vector and error code */
        "  iretq\n"
        ".popsection\n");

extern const char b_vector_stubs[];

/* What b_trap_common saved (see the picture above). */
struct b_frame {
	uint64_t r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

/* A 64-bit interrupt gate (t_timer.c draws one). */
struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));

static struct idt_gate idt[NR_EXCEPTIONS] __attribute__((aligned(16)));
static b_pf_handler pf_handler;

/* The kernel map every root shares: PML4 slot 0 -> kernel_pdpt[0] ->
 * kernel_pd, 512 2 MiB pages. */
static b_table kernel_pdpt, kernel_pd;

void b_trap(struct b_frame *f);
void b_trap(struct b_frame *f)
{
	uint64_t cr2 = read_cr2();

	if (f->vector == VEC_PF && pf_handler && pf_handler(cr2, f->error))
		return;
	guest_ucall_assert(__FILE__, __LINE__, f->vector, f->rip,
	                   "unexpected exception: vector %llu error 0x%llx rip 0x%llx "
	                   "cr2 0x%llx",
	                   (unsigned long long)f->vector, (unsigned long long)f->error,
	                   (unsigned long long)f->rip, (unsigned long long)cr2);
}

void b_set_pf_handler(b_pf_handler handler)
{
	pf_handler = handler;
}

/* ---- the command line ----------------------------------------------------- */

uint64_t b_parse_n(const struct guest_boot_args *args, uint64_t max)
{
	const char *p = args->cmdline;
	uint64_t n = B_DEFAULT_N;

	while (*p) {
		while (*p == ' ')
			p++;
		if (p[0] == 'n' && p[1] == '=') {
			p += 2;
			GUEST_ASSERT(*p >= '0' && *p <= '9');
			for (n = 0; *p >= '0' && *p <= '9'; p++)
				n = n <= max ? n * 10 + (uint64_t)(*p - '0') : max + 1;
			GUEST_ASSERT(*p == ' ' || *p == '\0');
		}
		while (*p && *p != ' ')
			p++;
	}
	if (n > max)
		guest_ucall_assert(__FILE__, __LINE__, n, max,
		                   "n is more than this workload supports (%llu)",
		                   (unsigned long long)max);
	return n;
}

void b_check_ram(const struct guest_boot_args *args, uint64_t pool_bytes)
{
	struct guest_mem_region r;
	uint64_t end = B_POOL_GPA + pool_bytes;

	for (unsigned i = 0; guest_boot_memmap_entry(args, i, &r) == 0; i++)
		if (r.type == E820_RAM && r.base <= B_POOL_GPA && r.base + r.size >= end)
			return;
	guest_ucall_assert(__FILE__, __LINE__, end, 0,
	                   "the frame pool needs RAM up to %llu MiB: give the VM more "
	                   "memory",
	                   (unsigned long long)(end >> 20));
}

/* ---- the machine ------------------------------------------------------------ */

static void idt_init(void)
{
	uint16_t cs;
	struct desc_ptr ptr = {.limit = sizeof(idt) - 1, .base = (uint64_t)idt};

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	for (unsigned v = 0; v < NR_EXCEPTIONS; v++) {
		uint64_t handler = (uint64_t)(b_vector_stubs + v * STUB_SIZE);
		idt[v] = (struct idt_gate){
		    .offset_low = (uint16_t)handler,
		    .selector = cs,
		    .type_attr = GATE_INTERRUPT,
		    .offset_mid = (uint16_t)(handler >> 16),
		    .offset_high = (uint32_t)(handler >> 32),
		};
	}
	cpu_lidt(&ptr);
}

/* Turn on CR4.PGE when the CPU has it; returns whether it did. */
static bool enable_global_pages(void)
{
	uint32_t regs[4]; /* EAX, EBX, ECX, EDX */

	cpuid(1, regs);
	if (!(regs[3] & CPUID_1_EDX_PGE))
		return false;
	write_cr4(read_cr4() | CR4_PGE);
	return true;
}

void b_machine_init(void)
{
	uint64_t global;

	console_init();
	idt_init();
	global = enable_global_pages() ? B_PTE_G : 0;
	for (uint64_t i = 0; i < KERNEL_MAP_PAGES; i++)
		kernel_pd[i] = i * KERNEL_PAGE_SIZE | B_PTE_RW_AD | B_PTE_PS | global;
	kernel_pdpt[0] = (uint64_t)kernel_pd | B_PTE_P | B_PTE_RW | B_PTE_A;
}

uint64_t b_root_init(uint64_t *pml4)
{
	for (unsigned i = 0; i < B_PT_ENTRIES; i++)
		pml4[i] = 0;
	pml4[0] = (uint64_t)kernel_pdpt | B_PTE_P | B_PTE_RW | B_PTE_A;
	return (uint64_t)pml4;
}

/* ---- the measured loop -------------------------------------------------------- */

void b_begin(uint64_t n)
{
	GUEST_SYNC(n);
}

void b_end(const char *name, uint64_t n, uint64_t bad, const char *what)
{
	if (bad)
		guest_ucall_assert(__FILE__, __LINE__, bad, 0,
		                   "%s: %llu of %llu operations: %s", name,
		                   (unsigned long long)bad, (unsigned long long)n, what);
	printf("%s: %llu operations\n", name, (unsigned long long)n);
	GUEST_DONE();
}
