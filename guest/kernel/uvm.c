/*
 * uvm.c - user address spaces (see uvm.h for the model and invariants).
 *
 * Everything here works on a `struct uspace`, never on "the current
 * process", so the kernel can build a space before its process first runs
 * (elf.c, proc.c) and copy between any two (fork).  Page-table walks are
 * done in software through the direct map.
 */
#include "uvm.h"

#include "abi.h"
#include "frame.h"
#include "kernel.h"
#include "paging.h"
#include "trap.h"

#define USER_TABLE_FLAGS (PTE_P | PTE_RW | PTE_US) /* non-leaf entries */
#define USER_STACK_FLOOR (USER_STACK_TOP - USER_STACK_MAX)

int uvm_create(struct uspace *us)
{
	phys_t pa = frame_alloc_zeroed();

	if (!pa)
		return -ENOMEM;
	*us = (struct uspace){
	    .pml4 = phys_to_virt(pa),
	    .pml4_pa = pa,
	    .heap_base = USER_IMAGE_BASE,
	    .brk = USER_IMAGE_BASE,
	    .stack_low = USER_STACK_TOP,
	};
	paging_share_kernel(us->pml4);
	return 0;
}

/*
 * The level-1 entry (PTE) for user address va, or NULL if a table on the
 * way is missing and `create` is false (or memory ran out).  Entries
 * above the leaf allow everything (P, RW, US); the leaf decides.
 */
static pte_t *walk(struct uspace *us, uint64_t va, bool create)
{
	pte_t *table = us->pml4;

	for (int level = 4; level > 1; level--) {
		pte_t *entry = &table[PT_INDEX(va, level)];

		if (!(*entry & PTE_P)) {
			phys_t pa = create ? frame_alloc_zeroed() : 0;

			if (!pa)
				return NULL;
			frame_list_push(&us->tables, pa);
			*entry = pa | USER_TABLE_FLAGS;
		}
		table = phys_to_virt(*entry & PTE_ADDR);
	}
	return &table[PT_INDEX(va, 1)];
}

/* The present PTE of va, or NULL. */
static pte_t *present_pte(struct uspace *us, uint64_t va)
{
	pte_t *pte = walk(us, va, false);

	return pte && (*pte & PTE_P) ? pte : NULL;
}

/* Drop the page at va, if mapped: clear the PTE, release the frame. */
static void unmap_page(struct uspace *us, uint64_t va)
{
	pte_t *pte = present_pte(us, va);

	if (!pte)
		return;
	frame_unref(*pte & PTE_ADDR);
	*pte = 0;
	invlpg(va);
}

/* The two page ranges a space can have pages in: image + heap, stack. */
static void for_each_range(struct uspace *us,
                           void (*fn)(struct uspace *, uint64_t lo, uint64_t hi, void *),
                           void *arg)
{
	fn(us, USER_IMAGE_BASE, PAGE_ROUND_UP(us->brk), arg);
	fn(us, us->stack_low, USER_STACK_TOP, arg);
}

/* Unmap every page of [lo, hi) (for_each_range callback). */
static void unmap_range(struct uspace *us, uint64_t lo, uint64_t hi, void *unused)
{
	for (uint64_t va = lo; va < hi; va += PAGE_SIZE)
		unmap_page(us, va);
}

void uvm_destroy(struct uspace *us)
{
	phys_t pa;

	if (!us->pml4)
		return;
	for_each_range(us, unmap_range, NULL);
	while ((pa = frame_list_pop(&us->tables)))
		frame_unref(pa);
	frame_unref(us->pml4_pa);
	us->pml4 = NULL;
}

/* Map frame pa at va with leaf flags `flags` (P and US added). */
static int map_frame(struct uspace *us, uint64_t va, phys_t pa, pte_t flags)
{
	pte_t *pte = walk(us, va, true);

	if (!pte)
		return -ENOMEM;
	if (*pte & PTE_P)
		panic("uvm: 0x%llx mapped twice", (unsigned long long)va);
	*pte = pa | flags | PTE_P | PTE_US;
	return 0;
}

void *uvm_map_zeroed(struct uspace *us, uint64_t va, bool writable, bool exec)
{
	pte_t flags = (writable ? PTE_RW : 0) | (exec ? 0 : pte_nx);
	phys_t pa;

	if (present_pte(us, va))
		return NULL;
	pa = frame_alloc_zeroed();
	if (!pa)
		return NULL;
	if (map_frame(us, va, pa, flags)) {
		frame_unref(pa);
		return NULL;
	}
	return phys_to_virt(pa);
}

/*
 * fork, for one range: share every present page of the parent with the
 * child.  A page the program may write becomes read-only + COW in both.
 */
struct fork_state {
	struct uspace *child;
	int err;
};

/* fork, for one range (for_each_range callback); errors in arg->err. */
static void share_range(struct uspace *parent, uint64_t lo, uint64_t hi, void *arg)
{
	struct fork_state *fs = arg;

	for (uint64_t va = lo; va < hi && !fs->err; va += PAGE_SIZE) {
		pte_t *pte = present_pte(parent, va);

		if (!pte)
			continue;
		if (*pte & PTE_RW)
			*pte = (*pte & ~PTE_RW) | PTE_COW;
		fs->err = map_frame(fs->child, va, *pte & PTE_ADDR,
		                    *pte & ~(PTE_ADDR | PTE_P | PTE_US));
		if (!fs->err)
			frame_ref(*pte & PTE_ADDR);
	}
}

int uvm_fork(struct uspace *child, struct uspace *parent)
{
	struct fork_state fs = {.child = child};

	child->heap_base = parent->heap_base;
	child->brk = parent->brk;
	child->stack_low = parent->stack_low;
	for_each_range(parent, share_range, &fs);
	/* The parent's writable pages just became read-only: drop the
	 * stale writable translations from the TLB. */
	write_cr3(read_cr3());
	return fs.err;
}

/* True when va lies where a first touch creates a zeroed page. */
static bool demand_zero(const struct uspace *us, uint64_t va)
{
	bool heap = va >= us->heap_base && va < us->brk;
	bool stack = va >= USER_STACK_FLOOR && va < USER_STACK_TOP;

	return heap || stack;
}

/* A write hit the COW page *pte at va: give this space its own copy. */
static int break_cow(uint64_t va, pte_t *pte)
{
	phys_t old = *pte & PTE_ADDR;
	pte_t flags = (*pte & ~(PTE_ADDR | PTE_COW)) | PTE_RW;
	phys_t copy;

	if (frame_refs(old) == 1) {
		/* Everyone else has copied or gone: the page is ours alone. */
		*pte = old | flags;
	} else {
		copy = frame_alloc();
		if (!copy)
			return -ENOMEM;
		page_copy(phys_to_virt(copy), phys_to_virt(old));
		*pte = copy | flags;
		frame_unref(old);
	}
	invlpg(va);
	return 0;
}

int uvm_fault(struct uspace *us, uint64_t va, uint64_t err)
{
	uint64_t page = PAGE_ROUND_DOWN(va);
	pte_t *pte;

	if (va >= USER_TOP)
		return -EFAULT;
	pte = present_pte(us, page);
	if (!pte) {
		if (!demand_zero(us, page))
			return -EFAULT;
		if (!uvm_map_zeroed(us, page, true, false))
			return -ENOMEM;
		if (page < us->stack_low && page >= USER_STACK_FLOOR)
			us->stack_low = page;
		return 0;
	}
	if ((err & PF_ERR_WRITE) && (*pte & PTE_COW))
		return break_cow(page, pte);
	return -EFAULT; /* a protection violation: write to text, NX fetch */
}

int uvm_sbrk(struct uspace *us, int64_t increment, uint64_t *old_brk)
{
	uint64_t old = us->brk;
	uint64_t room = us->heap_base + USER_HEAP_MAX - old;

	*old_brk = old;
	if (increment > 0 && (uint64_t)increment > room)
		return -ENOMEM;
	if (increment < 0 && -(uint64_t)increment > old - us->heap_base)
		return -EINVAL;
	us->brk = old + (uint64_t)increment;
	if (increment < 0)
		unmap_range(us, PAGE_ROUND_UP(us->brk), PAGE_ROUND_UP(old), NULL);
	return 0;
}

void *uvm_user_ptr(struct uspace *us, uint64_t uva, bool write)
{
	uint64_t page = PAGE_ROUND_DOWN(uva);
	pte_t *pte;

	if (uva >= USER_TOP)
		return NULL;
	pte = present_pte(us, page);
	if (!pte || (write && !(*pte & PTE_RW))) {
		uint64_t err = (pte ? PF_ERR_PRESENT : 0) | (write ? PF_ERR_WRITE : 0);

		if (uvm_fault(us, page, err | PF_ERR_USER))
			return NULL;
		pte = present_pte(us, page);
	}
	return (char *)phys_to_virt(*pte & PTE_ADDR) + (uva - page);
}

/* Bytes from uva to the end of its page, at most len. */
static uint64_t chunk_len(uint64_t uva, uint64_t len)
{
	uint64_t room = PAGE_SIZE - (uva & (PAGE_SIZE - 1));

	return len < room ? len : room;
}

int uvm_copy_out(struct uspace *us, uint64_t uva, const void *src, uint64_t len)
{
	const char *from = src;

	while (len > 0) {
		uint64_t n = chunk_len(uva, len);
		void *to = uvm_user_ptr(us, uva, true);

		if (!to)
			return -EFAULT;
		bulk_copy(to, from, n);
		uva += n;
		from += n;
		len -= n;
	}
	return 0;
}

int uvm_copy_in(struct uspace *us, void *dst, uint64_t uva, uint64_t len)
{
	char *to = dst;

	while (len > 0) {
		uint64_t n = chunk_len(uva, len);
		const void *from = uvm_user_ptr(us, uva, false);

		if (!from)
			return -EFAULT;
		bulk_copy(to, from, n);
		uva += n;
		to += n;
		len -= n;
	}
	return 0;
}
