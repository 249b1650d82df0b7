/*
 * boot32.S - the 32-bit entry of PVH and multiboot images: from a flat
 * protected-mode start to C code in 64-bit long mode.
 *
 * Where it sits:
 *
 *   loader (trapeze PVH, trapeze or QEMU multiboot)
 *     -> boot32_start       32-bit protected mode, paging off, flat segments
 *     -> boot64             64-bit long mode, first 1 GiB identity mapped
 *     -> guest_boot32_entry(eax, ebx)      lib/boot.c
 *     -> guest_main(args)                  the image
 *
 * Both protocols enter at boot32_start: multiboot with EAX = 0x2BADB002
 * and EBX = multiboot_info, PVH with EBX = hvm_start_info (EAX undefined).
 * The registers go to C untouched; boot.c tells the protocols apart.
 *
 * Everything this path needs is built by the assembler, not at run time:
 * the GDT and the page tables are initialised data.  32-bit and ring-0
 * code can be slow under a hypervisor (emulated instruction by
 * instruction on some hosts), so the path is about twenty instructions.
 * Paging is switched on only together with long mode (CR0.PG is set after
 * CR4.PAE and EFER.LME): the CPU never runs with 32-bit paging.
 *
 * The file also holds the two headers that let loaders find the entry:
 * the multiboot header (a.out kludge) and the PVH ELF note.  guest.ld
 * puts the multiboot header first in the image.
 */
#include "boot.h"
#include "cpu.h"

/*
 * A segment descriptor (8 bytes).  In long mode base and limit are
 * ignored for code and data; what counts is the access byte and, for code,
 * the L bit.
 *
 *   63   56 55 54 53 52 51  48 47 46 45 44 43  40 39    16 15     0
 *  +-------+--+--+--+--+------+--+-----+--+------+--------+-------+
 *  |base hi| G|DB| L|  |lim hi| P| DPL | S| type |base lo |lim lo |
 *  +-------+--+--+--+--+------+--+-----+--+------+--------+-------+
 *  \---- flags ---/             \------ access byte ------/
 */
#define GDT_FLAG_L 0x2  /* 64-bit code segment */
#define GDT_FLAG_DB 0x4 /* 32-bit default operand size (data: big) */
#define GDT_FLAG_G 0x8  /* limit counts 4 KiB units */

#define GDT_ACCESS_P 0x80        /* present */
#define GDT_ACCESS_S 0x10        /* code or data (not a system segment) */
#define GDT_ACCESS_CODE 0x08     /* executable */
#define GDT_ACCESS_RW 0x02       /* code: readable; data: writable */
#define GDT_ACCESS_ACCESSED 0x01 /* preset, so the CPU need not write it */

#define GDT_LIMIT_MAX 0xfffff /* with G: the whole 4 GiB */

#define GDT_DESC(flags, access)                                           \
	(((flags) << 52) | ((GDT_LIMIT_MAX >> 16) << 48) | ((access) << 40) | \
	 (GDT_LIMIT_MAX & 0xffff))

#define BOOT_CODE64_ACCESS                                                \
	(GDT_ACCESS_P | GDT_ACCESS_S | GDT_ACCESS_CODE | GDT_ACCESS_RW |  \
	 GDT_ACCESS_ACCESSED)
#define BOOT_DATA_ACCESS                                                  \
	(GDT_ACCESS_P | GDT_ACCESS_S | GDT_ACCESS_RW | GDT_ACCESS_ACCESSED)

/* Selectors of boot_gdt: byte offsets of its entries. */
#define BOOT_SEL_CODE64 0x08
#define BOOT_SEL_DATA 0x10

#define PDE_LARGE (PTE_P | PTE_RW | PTE_PS) /* a 2 MiB page */
#define PTE_TABLE (PTE_P | PTE_RW)          /* points at the next table */

/* ---- multiboot v1 header (a.out kludge) ---------------------------------
 *
 * The kludge tells a multiboot loader where to put the file, so that it
 * need not understand ELF64.  It copies the file bytes that hold
 * [load_addr, load_end_addr) -- the header's own file offset tells it
 * where those start -- zeroes up to bss_end_addr and jumps to entry_addr.
 * guest.ld keeps text, rodata and data contiguous in the file for this.
 */
	.section .multiboot, "a"
	.balign 4
multiboot_header:
	.long BOOT_MB_HEADER_MAGIC
	.long BOOT_MB_HEADER_FLAGS
	.long -(BOOT_MB_HEADER_MAGIC + BOOT_MB_HEADER_FLAGS) /* checksum */
	.long multiboot_header /* header_addr */
	.long __image_start    /* load_addr */
	.long __data_end       /* load_end_addr */
	.long __bss_end        /* bss_end_addr */
	.long boot32_start     /* entry_addr */

/* ---- PVH entry note ------------------------------------------------------
 *
 * An ELF note: namesz, descsz, type, then the name "Xen" and the 32-bit
 * entry address, each padded to 4 bytes.  guest.ld puts it in a PT_NOTE.
 */
	.section .note.Xen, "a", @note
	.balign 4
	.long 2f - 1f                     /* namesz */
	.long 4f - 3f                     /* descsz */
	.long BOOT_XEN_ELFNOTE_PHYS32_ENTRY
1:	.asciz "Xen"
2:	.balign 4
3:	.long boot32_start
4:	.balign 4

/* ---- 32-bit entry -------------------------------------------------------- */
	.section .text.boot, "ax"
	.code32
	.globl boot32_start
boot32_start:
	cli
	cld
	movl %eax, %edi /* loader magic: 1st argument of guest_boot32_entry */
	movl %ebx, %esi /* boot info address: 2nd argument */

	lgdt boot_gdt_ptr

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4

	movl $boot_pml4, %eax
	movl %eax, %cr3

	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr

	/* Paging on, in the same write that (re)states protected mode:
	 * with PAE and LME set this activates long mode. */
	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0

	/* Leave compatibility mode: load a 64-bit code segment. */
	ljmp $BOOT_SEL_CODE64, $boot64

/* ---- 64-bit continuation ------------------------------------------------- */
	.code64
boot64:
	movw $BOOT_SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs

	leaq boot_stack_top(%rip), %rsp

	/* The upper halves of registers are undefined after the switch:
	 * zero-extend the two arguments. */
	movl %edi, %edi
	movl %esi, %esi
	call guest_boot32_entry
1:	cli
	hlt
	jmp 1b

/* ---- GDT and page tables (initialised data) ------------------------------ */
	.data
	.balign 8
boot_gdt:
	.quad 0                                           /* null */
	.quad GDT_DESC(GDT_FLAG_G | GDT_FLAG_L, BOOT_CODE64_ACCESS) /* 0x08 */
	.quad GDT_DESC(GDT_FLAG_G | GDT_FLAG_DB, BOOT_DATA_ACCESS)  /* 0x10 */
boot_gdt_end:

/* lgdt operand: 16-bit limit, then the base (32-bit mode reads 4 bytes). */
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

/*
 * Identity map of the first BOOT32_MAP_BYTES with 2 MiB pages:
 *
 *   CR3 -> boot_pml4[0] -> boot_pdpt[0] -> boot_pd[i] = i * 2 MiB, PS
 *
 * Each table is one 4 KiB page of 512 eight-byte entries.  boot_pd is
 * generated by the assembler: .rept repeats the entry with a counter.
 */
	.balign PAGE_TABLE_BYTES
boot_pml4:
	.quad boot_pdpt + PTE_TABLE
	.fill PAGE_TABLE_ENTRIES - 1, 8, 0

boot_pdpt:
	.quad boot_pd + PTE_TABLE
	.fill PAGE_TABLE_ENTRIES - 1, 8, 0

boot_pd:
	.set boot_pd_addr, 0
	.rept BOOT32_MAP_BYTES / HUGE_PAGE_SIZE
	.quad boot_pd_addr + PDE_LARGE
	.set boot_pd_addr, boot_pd_addr + HUGE_PAGE_SIZE
	.endr

/* ---- stack (zeroed by every loader as part of .bss) ---------------------- */
	.bss
	.balign 16
boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
