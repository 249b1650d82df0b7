/*
 * paging.c - building the kernel's page tables at boot (see paging.h).
 *
 * Called once from main.c, after the frame allocator is ready (page-table
 * pages come from it) and before the first process exists.  The work is
 * a few hundred entries: the direct map uses 2 MiB pages, so 64 MiB of
 * RAM costs 32 entries; 4 KiB pages for all of RAM would cost thousands,
 * which is noticeable where ring-0 code is emulated.
 */
#include "paging.h"

#include "frame.h"
#include "kernel.h"

#define CPUID_EXT_MAX      0x80000000
#define CPUID_EXT_FEATURES 0x80000001
#define CPUID_EXT_EDX_NX   (1u << 20)

/* Section boundaries of the image, from kernel.ld. */
extern char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];

pte_t pte_nx;
phys_t kernel_pml4_pa;
static pte_t *kernel_pml4;

/* True when CPUID reports the NX (execute-disable) bit. */
static bool cpu_has_nx(void)
{
	uint32_t r[4];

	cpuid(CPUID_EXT_MAX, r);
	if (r[0] < CPUID_EXT_FEATURES)
		return false;
	cpuid(CPUID_EXT_FEATURES, r);
	return (r[3] & CPUID_EXT_EDX_NX) != 0;
}

/* The table that table[index] points to, allocated (zeroed) if absent. */
static pte_t *child_table(pte_t *table, unsigned int index)
{
	if (!(table[index] & PTE_P)) {
		phys_t pa = frame_alloc_zeroed();

		if (!pa)
			panic("paging: out of memory for kernel page tables");
		table[index] = pa | PTE_P | PTE_RW;
	}
	return phys_to_virt(table[index] & PTE_ADDR);
}

/* The page directory entry that maps the 2 MiB page at va. */
static pte_t *kernel_pde(uint64_t va)
{
	pte_t *pdpt = child_table(kernel_pml4, PT_INDEX(va, 4));
	pte_t *pd = child_table(pdpt, PT_INDEX(va, 3));

	return &pd[PT_INDEX(va, 2)];
}

/* The page table entry that maps the 4 KiB page at va. */
static pte_t *kernel_pte(uint64_t va)
{
	pte_t *pd_entry = kernel_pde(va);
	pte_t *pt;

	if (!(*pd_entry & PTE_P)) {
		phys_t pa = frame_alloc_zeroed();

		if (!pa)
			panic("paging: out of memory for kernel page tables");
		*pd_entry = pa | PTE_P | PTE_RW;
	}
	pt = phys_to_virt(*pd_entry & PTE_ADDR);
	return &pt[PT_INDEX(va, 1)];
}

/* DIRECT_MAP + [0, ram_top): 2 MiB pages, read/write, never execute. */
static void map_direct(phys_t ram_top)
{
	for (phys_t pa = 0; pa < ram_top; pa += LARGE_PAGE_SIZE)
		*kernel_pde(DIRECT_MAP + pa) = pa | PTE_P | PTE_RW | PTE_PS | pte_nx;
}

/* Map [start, end) of the image at its link address with `flags`. */
static void map_image_part(const char *start, const char *end, pte_t flags)
{
	for (uint64_t va = (uint64_t)start; va < (uint64_t)end; va += PAGE_SIZE)
		*kernel_pte(va) = (va - KERNEL_VMA) | PTE_P | flags;
}

void paging_init(void)
{
	if (cpu_has_nx()) {
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
		pte_nx = PTE_NX;
	}
	/* WP: even ring 0 may not write a read-only page (kernel text). */
	write_cr0(read_cr0() | CR0_WP);

	kernel_pml4_pa = frame_alloc_zeroed();
	if (!kernel_pml4_pa)
		panic("paging: out of memory");
	kernel_pml4 = phys_to_virt(kernel_pml4_pa);
	map_direct(frame_ram_top());
	map_image_part(__kernel_start, __text_end, 0);
	map_image_part(__text_end, __rodata_end, pte_nx);
	map_image_part(__rodata_end, __kernel_end, PTE_RW | pte_nx);
	write_cr3(kernel_pml4_pa);
}

void paging_share_kernel(pte_t *pml4)
{
	for (unsigned int i = PML4_KERNEL_FIRST; i < PT_ENTRIES; i++)
		pml4[i] = kernel_pml4[i];
}
