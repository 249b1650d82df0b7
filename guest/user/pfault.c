/*
 * pfault.c - demand paging: a big heap whose pages appear on first touch.
 *
 *   1. sbrk(NR_PAGES pages) maps nothing yet; memfree() barely moves
 *   2. writing one word in each page faults each page in (one page fault
 *      per page: the kernel allocates a zeroed frame and maps it)
 *   3. every page reads back its own value, and the untouched words are
 *      still zero; a checksum over all values is printed
 *   4. sbrk(-size) gives every page back: memfree() rises by NR_PAGES
 *
 * Usage: pfault [PAGES]   (default NR_PAGES)
 */
#include "ulib.h"

#define NR_PAGES   512
#define WORDS      (PAGE_SIZE / sizeof(uint64_t))
#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME  0x100000001b3ull

/* The value stored in page i: different for every page. */
static uint64_t page_value(uint64_t i)
{
	return (i + 1) * 0x9e3779b97f4a7c15ull;
}

/* One step of FNV-1a over the 8 bytes of v. */
static uint64_t fnv_step(uint64_t hash, uint64_t v)
{
	for (int b = 0; b < 8; b++) {
		hash ^= (v >> (8 * b)) & 0xff;
		hash *= FNV_PRIME;
	}
	return hash;
}

/* Write page i's value in the middle word of each page. */
static void touch(uint64_t *heap, long pages)
{
	for (long i = 0; i < pages; i++)
		heap[i * WORDS + WORDS / 2] = page_value(i);
}

/* Check every page; returns the checksum, or 0 after printing an error. */
static uint64_t verify(const uint64_t *heap, long pages)
{
	uint64_t hash = FNV_OFFSET;

	for (long i = 0; i < pages; i++) {
		const uint64_t *page = heap + i * WORDS;

		for (unsigned long w = 0; w < WORDS; w++) {
			uint64_t want = w == WORDS / 2 ? page_value(i) : 0;

			if (page[w] != want) {
				printf("pfault: FAIL: page %ld word %lu is 0x%llx, "
				       "expected 0x%llx\n",
				       i, w, (unsigned long long)page[w],
				       (unsigned long long)want);
				return 0;
			}
		}
		hash = fnv_step(hash, page[WORDS / 2]);
	}
	return hash;
}

int main(int argc, char **argv)
{
	long pages = argc > 1 ? atoi(argv[1]) : NR_PAGES;
	long size = pages * PAGE_SIZE, free_start, free_touched, free_end;
	uint64_t *heap, sum;

	free_start = memfree();
	heap = (uint64_t *)sbrk(size);
	if ((long)heap < 0) {
		printf("pfault: FAIL: sbrk(%ld) = %ld\n", size, (long)heap);
		return 1;
	}
	touch(heap, pages);
	free_touched = memfree();
	printf("pfault: touched %ld fresh heap pages\n", pages);
	sum = verify(heap, pages);
	if (!sum)
		return 1;
	printf("pfault: all %ld pages read back correctly, checksum 0x%016llx\n", pages,
	       (unsigned long long)sum);
	if (sbrk(-size) != (long)heap + size) {
		printf("pfault: FAIL: sbrk(-%ld) did not return the old break\n", size);
		return 1;
	}
	free_end = memfree();
	if (free_start - free_touched < pages || free_end - free_touched != pages) {
		printf("pfault: FAIL: free pages %ld -> %ld -> %ld\n", free_start,
		       free_touched, free_end);
		return 1;
	}
	printf("pfault: sbrk(-%ld) gave all %ld pages back\npfault: ok\n", size, pages);
	return 0;
}
