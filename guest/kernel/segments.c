/*
 * segments.c - the kernel's GDT and TSS (see segments.h for the layout).
 *
 * main.c calls segments_init() once at boot, replacing the three-entry
 * GDT of entry.S; from then on only the TSS's RSP0 changes, once per
 * process switch (sched.c).
 */
#include "segments.h"

#include <stddef.h>

#define GDT_ENTRIES    7    /* null, 4 segments, TSS (2 slots) */
#define TSS_TYPE_AVAIL 0x89 /* P, DPL 0, type 9: available 64-bit TSS */
#define IST_STACK_SIZE 4096

/* The 64-bit task-state segment: stacks for privilege changes and ISTs. */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3]; /* rsp[0]: stack for entering ring 0 */
	uint64_t reserved1;
	uint64_t ist[7]; /* ist[n - 1]: interrupt stack table entry n */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base; /* >= limit: no I/O bitmap, ring 3 gets no ports */
} __attribute__((packed));

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16))) = {
    [SEL_KERNEL_CODE / 8] = GDT_CODE64(0),
    [SEL_KERNEL_DATA / 8] = GDT_DATA(0),
    [SEL_USER_DATA / 8] = GDT_DATA(3),
    [SEL_USER_CODE / 8] = GDT_CODE64(3),
    /* SEL_TSS: filled in by tss_install() (needs the TSS's address) */
};

static struct tss tss __attribute__((aligned(16)));
static uint8_t double_fault_stack[IST_STACK_SIZE] __attribute__((aligned(16)));

/*
 * Write the 16-byte TSS descriptor into gdt[SEL_TSS / 8] and the slot
 * after it:
 *
 *   low  qword: limit 15:0, base 23:0, access byte, limit 19:16,
 *               base 31:24           (the shape of a segment descriptor)
 *   high qword: base 63:32, then zero
 */
static void tss_install(void)
{
	uint64_t base = (uint64_t)(uintptr_t)&tss;
	uint64_t limit = sizeof(tss) - 1;

	tss.iomap_base = sizeof(tss);
	tss.ist[IST_DOUBLE_FAULT - 1] =
	    (uint64_t)(uintptr_t)(double_fault_stack + sizeof(double_fault_stack));
	gdt[SEL_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
	                   ((uint64_t)TSS_TYPE_AVAIL << 40) |
	                   (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[SEL_TSS / 8 + 1] = base >> 32;
}

/*
 * Load the GDT register, reload CS with a far return (the only way to
 * change CS in 64-bit mode besides a far jump or call) and the data
 * segment registers with kernel data.
 */
static void gdt_load(void)
{
	struct table_ptr ptr = {.limit = sizeof(gdt) - 1,
	                        .base = (uint64_t)(uintptr_t)gdt};

	__asm__ volatile("lgdt %0\n\t"
	                 "pushq %1\n\t"
	                 "leaq 1f(%%rip), %%rax\n\t"
	                 "pushq %%rax\n\t"
	                 "lretq\n"
	                 "1:\n\t"
	                 "movw %w2, %%ds\n\t"
	                 "movw %w2, %%es\n\t"
	                 "movw %w2, %%ss\n\t"
	                 "movw %w2, %%fs\n\t"
	                 "movw %w2, %%gs"
	                 :
	                 : "m"(ptr), "i"(SEL_KERNEL_CODE), "r"(SEL_KERNEL_DATA)
	                 : "rax", "memory");
}

void segments_init(void)
{
	tss_install();
	gdt_load();
	__asm__ volatile("ltr %w0" : : "r"(SEL_TSS));
}

void tss_set_kernel_stack(uint64_t rsp0)
{
	tss.rsp[0] = rsp0;
}
