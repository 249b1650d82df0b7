/*
 * frame.h - the physical page allocator: 4 KiB frames of RAM, with a
 * reference count each.
 *
 * Where it sits: main.c hands it the RAM ranges of the boot memory map;
 * paging.c takes page-table pages from it; uvm.c takes user pages and
 * page-table pages, and shares user pages between processes after fork
 * (copy-on-write), which is what the reference count is for:
 *
 *   frame_alloc()       refs = 1
 *   frame_ref(pa)       refs + 1   (fork shares the page)
 *   frame_unref(pa)     refs - 1   (unmap, exit); at 0 the frame is free
 *
 * Free frames come from two places: a free list of frames that were used
 * and returned, and, while it lasts, the part of RAM never handed out
 * yet (a cursor that only moves up).  Boot thus costs nothing per frame.
 * Each frame's bookkeeping (struct frame_info) lives in an array placed
 * right after the kernel image in physical memory.
 *
 * Invariants:
 *   1. A frame is on the free list or beyond the cursor iff refs == 0.
 *   2. Frames below the end of that array (the kernel image, the first
 *      MiB, the array itself) are never handed out.
 */
#ifndef KERNEL_FRAME_H
#define KERNEL_FRAME_H

#include <stdint.h>

#include "mmu.h"

/* One range of RAM from the boot memory map. */
struct ram_range {
	phys_t base, end; /* [base, end) */
};

/*
 * Take every whole page of ranges[0..n) above `kernel_end` (the physical
 * end of the kernel image) and below DIRECT_MAP_MAX.  Panics when no
 * memory is left after the kernel.
 */
void frame_init(const struct ram_range *ranges, unsigned int n, phys_t kernel_end);

/* One past the highest usable physical address (what the direct map
 * must cover). */
phys_t frame_ram_top(void);

/* A frame filled with zeros, refs = 1; 0 when memory is exhausted. */
phys_t frame_alloc_zeroed(void);
/* A frame with stale contents, refs = 1; 0 when memory is exhausted. */
phys_t frame_alloc(void);

void frame_ref(phys_t pa);
void frame_unref(phys_t pa);
uint32_t frame_refs(phys_t pa);

/* Number of frames that frame_alloc could still hand out. */
uint64_t frame_free_count(void);

/*
 * A singly linked list of allocated frames threaded through their
 * frame_info (an address space's page-table pages, uvm.c).  `*head` is 0
 * for an empty list.
 */
void frame_list_push(phys_t *head, phys_t pa);
/* Remove and return the first frame of the list (0 if empty). */
phys_t frame_list_pop(phys_t *head);

/*
 * Bulk memory operations with string instructions (rep stos / rep movs):
 * one instruction for the whole job, where a byte loop would run
 * thousands, which matters when ring-0 code is emulated.
 */
void page_zero(void *page);
void page_copy(void *dst, const void *src);
void bulk_copy(void *dst, const void *src, uint64_t n);

#endif
