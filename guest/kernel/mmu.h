/*
 * mmu.h - the kernel's view of virtual memory: where things live, what a
 * page-table entry holds, and the privileged instructions that drive the
 * MMU.  The first half is plain #defines, shared with the assembly entry
 * (entry.S) and the linker script's constants.
 *
 * The virtual address space (every process shares the upper half):
 *
 *   0xffffffffffffffff +--------------------------+
 *                      | kernel image             | KERNEL_VMA + phys
 *   0xffffffff80100000 |   text, rodata, data, bss|   (4 KiB pages,
 *   0xffffffff80000000 +--------------------------+    W^X)  KERNEL_VMA
 *                      :  unmapped                :
 *                      +--------------------------+
 *                      | direct map of all RAM    | DIRECT_MAP + phys
 *   0xffff800000000000 +--------------------------+ (2 MiB pages, NX)
 *                      :  non-canonical hole      :
 *   0x0000800000000000 +--------------------------+
 *                      | user space (abi.h)       | one per process
 *   0x0000000000000000 +--------------------------+
 *
 * The kernel reaches any physical page p at DIRECT_MAP + p: page tables,
 * user pages (never through the user's own addresses), boot information.
 * Its code and data are linked at KERNEL_VMA + 1 MiB and loaded at
 * physical 1 MiB, so for the image both KERNEL_VMA + p and DIRECT_MAP + p
 * work; the image mapping is the one with per-section permissions.
 */
#ifndef KERNEL_MMU_H
#define KERNEL_MMU_H

#ifdef __ASSEMBLER__
#define MMU_ULL(x) x
#else
#define MMU_ULL(x) x##ull
#endif

#define KERNEL_VMA     MMU_ULL(0xffffffff80000000)
#define KERNEL_PHYS    MMU_ULL(0x100000) /* where the image is loaded */
#define DIRECT_MAP     MMU_ULL(0xffff800000000000)
#define DIRECT_MAP_MAX MMU_ULL(0x100000000) /* RAM above 4 GiB is ignored */

#define PAGE_SIZE       MMU_ULL(0x1000)
#define PAGE_SHIFT      12
#define LARGE_PAGE_SIZE MMU_ULL(0x200000)   /* 2 MiB: one PD entry */
#define GIANT_PAGE_SIZE MMU_ULL(0x40000000) /* 1 GiB: one PDPT entry */
#define PT_ENTRIES      512

/*
 * A 4-level page-table entry (the same shape at every level; PS only in
 * PDPT and PD entries, where it maps a 1 GiB / 2 MiB page):
 *
 *   63  62      52 51               12 11  9 8 7  6 5 4   3   2  1 0
 *  +--+----------+-------------------+-----+-+--+-+-+---+---+--+--+-+
 *  |NX| (free)   | physical address  | COW |G|PS|D|A|PCD|PWT|US|RW|P|
 *  +--+----------+-------------------+-----+-+--+-+-+---+---+--+--+-+
 *                                       ^ bits 9-11 are free for the OS:
 *                                         this kernel uses bit 9 for COW
 *
 *   P   present: if clear, every access faults and the rest is ignored
 *   RW  writable (also needs RW in the upper levels)
 *   US  user: ring 3 may access it (also needs US in the upper levels)
 *   PS  large page (leaf at the PD or PDPT level)
 *   NX  no execute (only when EFER.NXE is on; reserved bit otherwise)
 *   COW copy-on-write: read-only now, copy the page on the first write
 */
#define PTE_P    MMU_ULL(0x1)
#define PTE_RW   MMU_ULL(0x2)
#define PTE_US   MMU_ULL(0x4)
#define PTE_PS   MMU_ULL(0x80)
#define PTE_COW  MMU_ULL(0x200)
#define PTE_NX   MMU_ULL(0x8000000000000000)
#define PTE_ADDR MMU_ULL(0x000ffffffffff000)

/* Control-register and MSR bits this kernel sets. */
#define CR0_PE   MMU_ULL(0x1)        /* protected mode */
#define CR0_EM   MMU_ULL(0x4)        /* x87 instructions trap (#NM) */
#define CR0_WP   MMU_ULL(0x10000)    /* read-only pages bind ring 0 too */
#define CR0_PG   MMU_ULL(0x80000000) /* paging */
#define CR4_PAE  MMU_ULL(0x20)       /* 64-bit page-table entries */
#define MSR_EFER 0xc0000080
#define EFER_LME MMU_ULL(0x100) /* long mode enable */
#define EFER_NXE MMU_ULL(0x800) /* honour PTE_NX */

#ifndef __ASSEMBLER__

#include <stdint.h>

#include "cpu_regs.h" /* read_cr0 ... cpuid: the guest library's wrappers */

typedef uint64_t pte_t;
typedef uint64_t phys_t; /* a guest-physical address */

/* Index of va in the page table of `level` (4 = PML4 ... 1 = PT). */
#define PT_INDEX(va, level) (((uint64_t)(va) >> (PAGE_SHIFT + 9 * ((level)-1))) & 511)

#define PAGE_ROUND_DOWN(x) ((uint64_t)(x) & ~(PAGE_SIZE - 1))
#define PAGE_ROUND_UP(x)   PAGE_ROUND_DOWN((uint64_t)(x) + PAGE_SIZE - 1)

/* The kernel pointer through which physical address pa is reached. */
static inline void *phys_to_virt(phys_t pa)
{
	return (void *)(uintptr_t)(pa + DIRECT_MAP);
}

/* Physical address of a kernel pointer (direct map or kernel image). */
static inline phys_t virt_to_phys(const void *va)
{
	uint64_t v = (uint64_t)(uintptr_t)va;

	return v >= KERNEL_VMA ? v - KERNEL_VMA : v - DIRECT_MAP;
}

#endif /* !__ASSEMBLER__ */

#endif
