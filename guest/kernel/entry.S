/*
 * entry.S - the first instructions of the kernel: from the loader's flat
 * 32-bit protected mode to C code running in the higher half.
 *
 * Where it sits:
 *
 *   loader (trapeze by PVH, trapeze or QEMU by multiboot)
 *     -> entry32            32-bit protected mode, paging off, physical
 *                           addresses (the image is loaded at 1 MiB)
 *     -> entry64_low        64-bit long mode, still at the low address
 *     -> entry64_high       64-bit, running at KERNEL_VMA + 1 MiB
 *     -> guest_boot32_entry(eax, ebx)   guest/lib/boot.c: finds the
 *                                        command line and memory map
 *     -> guest_main(args)               main.c: the kernel proper
 *
 * The kernel is linked at KERNEL_VMA + 1 MiB but loaded at 1 MiB, so
 * until paging is on, every address this file uses must be the physical
 * one: PHYS(symbol).  The boot page tables below are initialised data
 * built by the assembler; they map the first 1 GiB of physical memory
 * three times, so that the jump to the higher half works:
 *
 *   virtual 0                    (identity: we are running here when
 *                                 paging comes on)
 *   virtual DIRECT_MAP           (the direct map: boot information)
 *   virtual KERNEL_VMA           (where the kernel is linked)
 *
 *   boot_pml4[0]   --\
 *   boot_pml4[256] ---+-> boot_pdpt_low[0]   --\
 *   boot_pml4[511] ----> boot_pdpt_high[510] ---+-> boot_pd: 512 x 2 MiB
 *
 * Paging is switched on only together with long mode (CR0.PG is set after
 * CR4.PAE and EFER.LME): some hypervisors cannot run a vCPU with 32-bit
 * paging.  The path is short because 32-bit and ring-0 code may be
 * emulated instruction by instruction.  main.c later replaces these
 * tables with the kernel's real address space (paging.c).
 *
 * The file also holds the two headers that let loaders find the entry:
 * the multiboot header (a.out kludge, physical addresses) and the PVH
 * ELF note.  kernel.ld puts the multiboot header first in the image.
 */
#include "boot.h"
#include "mmu.h"
#include "segments.h"

#define PHYS(x) ((x) - KERNEL_VMA)

#define PDE_LARGE (PTE_P | PTE_RW | PTE_PS) /* a 2 MiB page */
#define PTE_TABLE (PTE_P | PTE_RW)          /* points at the next table */

/* The boot GDT's selectors (entries 1 and 2 of boot_gdt). */
#define BOOT_SEL_CODE64 0x08
#define BOOT_SEL_DATA   0x10

/* ---- multiboot v1 header (a.out kludge) ---------------------------------
 * A multiboot loader copies the file bytes of [load_addr, load_end_addr),
 * zeroes up to bss_end_addr and jumps to entry_addr, all physical. */
	.section .multiboot, "a"
	.balign 4
multiboot_header:
	.long BOOT_MB_HEADER_MAGIC
	.long BOOT_MB_HEADER_FLAGS
	.long -(BOOT_MB_HEADER_MAGIC + BOOT_MB_HEADER_FLAGS) /* checksum */
	.long PHYS(multiboot_header) /* header_addr */
	.long PHYS(__kernel_start)   /* load_addr */
	.long PHYS(__data_end)       /* load_end_addr */
	.long PHYS(__kernel_end)     /* bss_end_addr */
	.long PHYS(entry32)          /* entry_addr */

/* ---- PVH entry note: namesz, descsz, type, "Xen", physical entry -------- */
	.section .note.Xen, "a", @note
	.balign 4
	.long 2f - 1f
	.long 4f - 3f
	.long BOOT_XEN_ELFNOTE_PHYS32_ENTRY
1:	.asciz "Xen"
2:	.balign 4
3:	.long PHYS(entry32)
4:	.balign 4

/* ---- 32-bit entry, running at physical addresses ------------------------ */
	.section .text.boot, "ax"
	.code32
	.globl entry32
entry32:
	cli
	cld
	movl %eax, %edi /* loader magic: 1st argument of guest_boot32_entry */
	movl %ebx, %esi /* boot info address: 2nd argument */

	lgdt PHYS(boot_gdt_ptr)

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4

	movl $PHYS(boot_pml4), %eax
	movl %eax, %cr3

	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr

	/* Paging on: with PAE and LME set this activates long mode. */
	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0

	/* Leave compatibility mode: load a 64-bit code segment. */
	ljmp $BOOT_SEL_CODE64, $PHYS(entry64_low)

	.code64
entry64_low:
	/* 64-bit now, still at the identity-mapped address: jump high. */
	movabsq $entry64_high, %rax
	jmp *%rax

/* ---- 64-bit, in the higher half ----------------------------------------- */
	.text
entry64_high:
	movw $BOOT_SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs

	leaq boot_stack_top(%rip), %rsp

	/* Upper register halves are undefined after the switch. */
	movl %edi, %edi
	movl %esi, %esi
	call guest_boot32_entry
1:	cli
	hlt
	jmp 1b

/* ---- boot GDT and page tables (initialised data) ------------------------ */
	.data
	.balign 8
boot_gdt:
	.quad 0
	.quad GDT_CODE64(0) /* 0x08 */
	.quad GDT_DATA(0)   /* 0x10 */
boot_gdt_end:

/* lgdt operand: limit, then the base (32-bit mode reads 4 bytes of it). */
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.quad PHYS(boot_gdt)

	.balign PAGE_SIZE
boot_pml4:
	.quad PHYS(boot_pdpt_low) + PTE_TABLE  /* [0]   identity */
	.fill 255, 8, 0
	.quad PHYS(boot_pdpt_low) + PTE_TABLE  /* [256] DIRECT_MAP */
	.fill 254, 8, 0
	.quad PHYS(boot_pdpt_high) + PTE_TABLE /* [511] KERNEL_VMA */

boot_pdpt_low:
	.quad PHYS(boot_pd) + PTE_TABLE        /* [0] */
	.fill PT_ENTRIES - 1, 8, 0

boot_pdpt_high:
	.fill PT_ENTRIES - 2, 8, 0
	.quad PHYS(boot_pd) + PTE_TABLE        /* [510] */
	.quad 0

boot_pd:
	.set boot_pd_addr, 0
	.rept PT_ENTRIES
	.quad boot_pd_addr + PDE_LARGE
	.set boot_pd_addr, boot_pd_addr + LARGE_PAGE_SIZE
	.endr

/* ---- the boot stack: later the scheduler's stack (sched.c) -------------- */
	.bss
	.balign 16
	.globl boot_stack
boot_stack:
	.skip BOOT_STACK_SIZE
	.globl boot_stack_top
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
