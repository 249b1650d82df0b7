/*
 * cpu.h - x86-64 control bits and privileged instructions for guest code.
 *
 * The first half is plain #defines so that the boot assembly (boot32.S)
 * can use the same names as C; the second half (C only) wraps the few
 * privileged instructions the guests execute.
 *
 * The control bits the switch to long mode needs:
 *
 *   register  bit  name  meaning
 *   CR0        0   PE    protected mode
 *   CR0       31   PG    paging
 *   CR4        5   PAE   page-table entries are 64 bits wide
 *   EFER       8   LME   long mode enable (EFER is MSR 0xc0000080)
 *   EFER      10   LMA   long mode active (read-only, set by the CPU)
 *
 * Long mode becomes active at the moment CR0.PG is set while CR4.PAE and
 * EFER.LME are already set; the CPU then runs in compatibility mode until
 * a far jump loads a code segment whose L bit is set.
 */
#ifndef GUEST_CPU_H
#define GUEST_CPU_H

#ifdef __ASSEMBLER__
#define CPU_BIT(n) (1 << (n))
#else
#define CPU_BIT(n) (1ull << (n))
#endif

#define CR0_PE  CPU_BIT(0)  /* protected mode */
#define CR0_PG  CPU_BIT(31) /* paging */
#define CR4_PAE CPU_BIT(5)  /* physical address extension (64-bit PTEs) */

#define MSR_EFER 0xc0000080
#define EFER_LME CPU_BIT(8) /* long mode enable */

/*
 * A page-table entry that maps a 2 MiB page (in a page directory, PS=1)
 * or points at the next table (PS=0):
 *
 *   63   62 .. 52 51 ........... 12  11 .. 8  7  6 5  4   3  2  1  0
 *  +--+---------+-------------------+-------+--+-+-+---+---+--+--+-+
 *  |NX|  avail  |  physical address |       |PS|D|A|PCD|PWT|US|RW|P|
 *  +--+---------+-------------------+-------+--+-+-+---+---+--+--+-+
 */
#define PTE_P  CPU_BIT(0) /* present */
#define PTE_RW CPU_BIT(1) /* writable */
#define PTE_PS CPU_BIT(7) /* large page (2 MiB in a PD entry) */

#define PAGE_TABLE_ENTRIES 512
#define PAGE_TABLE_BYTES   4096
#define HUGE_PAGE_SIZE     0x200000 /* 2 MiB: what one PD entry maps */

#ifndef __ASSEMBLER__

#include <stdint.h>

/* The operand of lgdt/lidt: limit and linear base of a descriptor table. */
struct desc_ptr {
	uint16_t limit; /* size in bytes minus one */
	uint64_t base;
} __attribute__((packed));

/* Mask maskable interrupts. */
static inline void cpu_cli(void)
{
	__asm__ volatile("cli" ::: "memory");
}

/* Stop until the next interrupt (forever if interrupts are masked). */
static inline void cpu_hlt(void)
{
	__asm__ volatile("hlt" ::: "memory");
}

/* Load the interrupt descriptor table register from *idt. */
static inline void cpu_lidt(const struct desc_ptr *idt)
{
	__asm__ volatile("lidt %0" : : "m"(*idt) : "memory");
}

/* Raise #UD (invalid opcode) on purpose. */
static inline void cpu_ud2(void)
{
	__asm__ volatile("ud2" ::: "memory");
}

/* Mask interrupts and halt for good: the end of every guest path. */
static inline __attribute__((noreturn)) void cpu_halt_forever(void)
{
	for (;;) {
		cpu_cli();
		cpu_hlt();
	}
}

#include "cpu_regs.h" /* control registers, MSRs, CPUID, INVLPG */

#endif /* !__ASSEMBLER__ */

#endif
