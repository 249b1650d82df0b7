/*
 * frame.c - the physical page allocator (see frame.h).
 *
 * Physical memory after frame_init():
 *
 *   0        1 MiB        kernel_end    meta_end           ram_top
 *   +--------+------------+-------------+------------------+
 *   | low    | kernel     | frame_info  | allocatable RAM  |
 *   | memory | image      | array       | (minus holes)    |
 *   +--------+------------+-------------+------------------+
 *     unused                             ^ cursor: never-used frames
 *                                          are taken from here, upward
 */
#include "frame.h"

#include "kernel.h"

#define MAX_RANGES 16
#define REFS_MAX   0xffffffffu

struct frame_info {
	uint32_t refs;     /* users of the frame; 0 = free */
	uint32_t next_pfn; /* next frame on a list (free list, table list) */
};

static struct frame_info *frames; /* indexed by frame number (pa >> 12) */
static phys_t ram_top;

static struct ram_range ranges[MAX_RANGES]; /* sorted, page aligned */
static unsigned int nr_ranges;
static unsigned int cursor_range; /* range the cursor is in */
static phys_t cursor;             /* next never-used frame */

static phys_t free_list; /* head of the list of returned frames */
static uint64_t nr_free;

/* The bookkeeping of the frame at physical address pa. */
static struct frame_info *info(phys_t pa)
{
	return &frames[pa >> PAGE_SHIFT];
}

void page_zero(void *page)
{
	void *dst = page;
	uint64_t count = PAGE_SIZE / 8;

	__asm__ volatile("rep stosq" : "+D"(dst), "+c"(count) : "a"(0ull) : "memory");
}

void page_copy(void *dst, const void *src)
{
	uint64_t count = PAGE_SIZE / 8;

	__asm__ volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(count) : : "memory");
}

void bulk_copy(void *dst, const void *src, uint64_t n)
{
	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

/* Insert [base, end) into the sorted range table (boot maps are short). */
static void add_range(phys_t base, phys_t end)
{
	unsigned int i = nr_ranges;

	if (base >= end || nr_ranges == MAX_RANGES)
		return;
	while (i > 0 && ranges[i - 1].base > base) {
		ranges[i] = ranges[i - 1];
		i--;
	}
	ranges[i] = (struct ram_range){base, end};
	nr_ranges++;
}

/* Clip every input range to [low, DIRECT_MAP_MAX), whole pages only. */
static void collect_ranges(const struct ram_range *in, unsigned int n, phys_t low)
{
	for (unsigned int i = 0; i < n; i++) {
		phys_t base = PAGE_ROUND_UP(in[i].base);
		phys_t end = PAGE_ROUND_DOWN(in[i].end);

		if (base < low)
			base = low;
		if (end > DIRECT_MAP_MAX)
			end = DIRECT_MAP_MAX;
		add_range(base, end);
		if (end > ram_top)
			ram_top = end;
	}
}

void frame_init(const struct ram_range *in, unsigned int n, phys_t kernel_end)
{
	phys_t meta_end;
	uint64_t meta_bytes;

	collect_ranges(in, n, kernel_end);
	if (nr_ranges == 0 || ranges[0].base != kernel_end)
		panic("frame_init: no RAM right after the kernel image");
	/* The frame_info array takes the first pages after the kernel. */
	meta_bytes = (ram_top >> PAGE_SHIFT) * sizeof(struct frame_info);
	meta_end = PAGE_ROUND_UP(kernel_end + meta_bytes);
	if (meta_end >= ranges[0].end)
		panic("frame_init: RAM too small for the frame table");
	frames = phys_to_virt(kernel_end);
	for (phys_t pa = kernel_end; pa < meta_end; pa += PAGE_SIZE)
		page_zero(phys_to_virt(pa));
	ranges[0].base = meta_end;
	cursor = meta_end;
	for (unsigned int i = 0; i < nr_ranges; i++)
		nr_free += (ranges[i].end - ranges[i].base) >> PAGE_SHIFT;
}

phys_t frame_ram_top(void)
{
	return ram_top;
}

/* Take the next never-used frame, or 0 when RAM is exhausted. */
static phys_t take_from_cursor(void)
{
	while (cursor_range < nr_ranges && cursor >= ranges[cursor_range].end) {
		cursor_range++;
		if (cursor_range < nr_ranges)
			cursor = ranges[cursor_range].base;
	}
	if (cursor_range == nr_ranges)
		return 0;
	cursor += PAGE_SIZE;
	return cursor - PAGE_SIZE;
}

phys_t frame_alloc(void)
{
	phys_t pa = frame_list_pop(&free_list);

	if (!pa)
		pa = take_from_cursor();
	if (!pa)
		return 0;
	info(pa)->refs = 1;
	nr_free--;
	return pa;
}

phys_t frame_alloc_zeroed(void)
{
	phys_t pa = frame_alloc();

	if (pa)
		page_zero(phys_to_virt(pa));
	return pa;
}

void frame_ref(phys_t pa)
{
	struct frame_info *f = info(pa);

	if (f->refs == 0 || f->refs == REFS_MAX)
		panic("frame_ref: frame 0x%llx has %u references", (unsigned long long)pa,
		      f->refs);
	f->refs++;
}

void frame_unref(phys_t pa)
{
	struct frame_info *f = info(pa);

	if (f->refs == 0)
		panic("frame_unref: frame 0x%llx is already free",
		      (unsigned long long)pa);
	if (--f->refs == 0) {
		frame_list_push(&free_list, pa);
		nr_free++;
	}
}

uint32_t frame_refs(phys_t pa)
{
	return info(pa)->refs;
}

uint64_t frame_free_count(void)
{
	return nr_free;
}

void frame_list_push(phys_t *head, phys_t pa)
{
	info(pa)->next_pfn = (uint32_t)(*head >> PAGE_SHIFT);
	*head = pa;
}

phys_t frame_list_pop(phys_t *head)
{
	phys_t pa = *head;

	if (pa)
		*head = (phys_t)info(pa)->next_pfn << PAGE_SHIFT;
	return pa;
}
