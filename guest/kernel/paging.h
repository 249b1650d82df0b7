/*
 * paging.h - the kernel half of every address space.
 *
 * At boot, paging_init() replaces entry.S's temporary page tables with
 * the kernel's own (see mmu.h for the picture):
 *
 *   PML4[256] -> direct map of all RAM, 2 MiB pages, read/write, NX
 *   PML4[511] -> the kernel image, 4 KiB pages with the permissions of
 *                each part: text R-X, rodata R--, data and bss RW-
 *
 * The identity map of entry.S is gone afterwards, so a NULL pointer in
 * the kernel faults (and panics) instead of reading physical page 0.
 *
 * Every process's PML4 gets copies of entries 256..511 (paging_share_
 * kernel): the tables below them are shared, so the kernel looks the
 * same in every address space.  This works because the kernel never adds
 * a PML4 entry after boot.
 */
#ifndef KERNEL_PAGING_H
#define KERNEL_PAGING_H

#include <stdbool.h>

#include "mmu.h"

#define PML4_KERNEL_FIRST 256 /* first PML4 entry of the kernel half */

/* PTE_NX when the CPU has NX (and EFER.NXE is on), else 0. */
extern pte_t pte_nx;

/* Physical address of the kernel's PML4 (CR3 while no process runs). */
extern phys_t kernel_pml4_pa;

/* Enable NX if present, build the kernel page tables and load them. */
void paging_init(void);

/* Copy the kernel half into a process's fresh PML4. */
void paging_share_kernel(pte_t *pml4);

#endif
