/*
 * t_cmdline.c - what the direct64 loader hands a guest: command line and
 * memory map (through hvm_start_info, RDI at entry).
 *
 * Boot: direct64.  Serial output, for a command line CMD and a map of N
 * entries:
 *
 *   cmdline: CMD
 *   memmap[0]: base 0x0000000000000000 size 0x000000000009fc00 type 1
 *   ...                                   (one line per entry, N lines)
 *
 * Then it asserts that the loader's start_info was found and that a RAM
 * entry starts at 1 MiB (where the image is).  ucall sequence: DONE.
 */
#include <stdbool.h>

#include "boot.h"
#include "console.h"
#include "guest_test.h"
#include "printf.h"

#define IMAGE_BASE 0x100000ull /* 1 MiB: images load here */

/* Print every map entry; return true if a RAM entry starts at 1 MiB. */
static bool print_memmap(const struct guest_boot_args *args)
{
	struct guest_mem_region r;
	bool ram_at_image = false;

	for (unsigned int i = 0; guest_boot_memmap_entry(args, i, &r) == 0; i++) {
		printf("memmap[%u]: base 0x%016llx size 0x%016llx type %u\n", i,
		       (unsigned long long)r.base, (unsigned long long)r.size, r.type);
		if (r.type == E820_RAM && r.base == IMAGE_BASE)
			ram_at_image = true;
	}
	return ram_at_image;
}

void guest_main(const struct guest_boot_args *args)
{
	bool ram_at_image;

	console_init();
	printf("cmdline: %s\n", args->cmdline);
	ram_at_image = print_memmap(args);
	GUEST_ASSERT(args->proto == GUEST_BOOT_DIRECT64);
	GUEST_ASSERT(args->pvh != NULL);
	GUEST_ASSERT(ram_at_image);
	GUEST_DONE();
}
