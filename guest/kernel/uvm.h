/*
 * uvm.h - user address spaces: one per process, the lower half of its
 * page tables (see abi.h for the layout).
 *
 * Where it sits: proc.c creates, forks and destroys address spaces; elf.c
 * loads a program into one; trap.c sends user page faults to uvm_fault();
 * syscall.c reads and writes user memory only through uvm_copy_in/out,
 * which check every address.
 *
 * The user half has three parts, each a range of pages:
 *
 *   image  [USER_IMAGE_BASE, heap_base)  mapped by elf.c at load time
 *   heap   [heap_base, brk)              demand-zero: a page appears on
 *                                        its first touch
 *   stack  [stack_low, USER_STACK_TOP)   demand-zero, grows down to at
 *                                        most USER_STACK_MAX
 *
 * The kernel never dereferences a user address: it walks the process's
 * page tables in software and uses the direct map of the physical page.
 * So a bad pointer from a user program is an error code, never a kernel
 * page fault, and the kernel may read or write any process's memory.
 *
 * Copy-on-write: fork gives the child the parent's frames, not copies.
 * Every writable page becomes read-only with PTE_COW set in both
 * processes, and the frame's reference count goes up.  The first write
 * to such a page faults; uvm_fault() then copies the frame (or, if no one
 * else refers to it any more, just makes it writable again).
 *
 * Invariants:
 *   1. Every present user PTE holds one reference to its frame.
 *   2. PTE_COW is set only on present, read-only PTEs of pages that the
 *      program may write.
 *   3. Every page-table page below the PML4 is on `tables`, and only
 *      there: destroying a space frees them without scanning the tables.
 */
#ifndef KERNEL_UVM_H
#define KERNEL_UVM_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu.h"

struct uspace {
	pte_t *pml4;        /* direct-map pointer to the PML4 */
	phys_t pml4_pa;     /* its physical address: the process's CR3 */
	phys_t tables;      /* list of the other page-table pages (frame.h) */
	uint64_t heap_base; /* end of the program image, page aligned */
	uint64_t brk;       /* end of the heap (sbrk); heap_base <= brk */
	uint64_t stack_low; /* lowest stack page ever mapped */
};

/* An empty address space (kernel half only).  0 or -ENOMEM. */
int uvm_create(struct uspace *us);

/* Free every page and page table of the space.  The space must not be
 * the one in CR3. */
void uvm_destroy(struct uspace *us);

/*
 * Map a fresh zeroed page at user address va (page aligned), writable
 * and/or executable as asked.  Returns a kernel pointer to the page, or
 * NULL when va is already mapped or memory ran out.
 */
void *uvm_map_zeroed(struct uspace *us, uint64_t va, bool writable, bool exec);

/* Make `child` a copy-on-write copy of `parent`.  0 or -ENOMEM (child
 * then holds whatever was copied: destroy it). */
int uvm_fork(struct uspace *child, struct uspace *parent);

/*
 * Handle a page fault at va with page-fault error code `err` (trap.h):
 * demand-zero a heap or stack page, or break copy-on-write.  Returns 0
 * when the access can be retried, -EFAULT when it was illegal, -ENOMEM
 * when a page was needed and none is left.
 */
int uvm_fault(struct uspace *us, uint64_t va, uint64_t err);

/* Move the break by `increment` bytes; *old_brk = the break before.
 * 0, -ENOMEM (above the heap limit) or -EINVAL (below the heap base). */
int uvm_sbrk(struct uspace *us, int64_t increment, uint64_t *old_brk);

/* Copy between kernel memory and user memory [uva, uva + len), checking
 * and faulting in every page.  0 or -EFAULT (nothing is undone). */
int uvm_copy_out(struct uspace *us, uint64_t uva, const void *src, uint64_t len);
int uvm_copy_in(struct uspace *us, void *dst, uint64_t uva, uint64_t len);

/*
 * Kernel pointer to the byte at user address uva, valid up to the end of
 * its page; the page is faulted in (for writing if `write`).  NULL when
 * uva is not accessible user memory.
 */
void *uvm_user_ptr(struct uspace *us, uint64_t uva, bool write);

#endif
