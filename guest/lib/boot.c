/*
 * boot.c - from an assembly entry to guest_main() (see boot.h).
 *
 * boot32.S and entry64.S call in here with the raw registers the loader
 * gave them.  This file recognises the protocol, collects the command line
 * and the memory map behind one interface (struct guest_boot_args), runs
 * the image's guest_main() and powers off if it returns.
 */
#include "boot.h"

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "power.h"

/* boot32.S builds the multiboot header from boot.h's copies of these. */
_Static_assert(BOOT_MB_HEADER_MAGIC == MULTIBOOT_HEADER_MAGIC, "multiboot magic");
_Static_assert(BOOT_MB_FLAG_MEMORY_INFO == MULTIBOOT_MEMORY_INFO,
               "multiboot memory-info flag");
_Static_assert(BOOT_MB_FLAG_AOUT_KLUDGE == MULTIBOOT_AOUT_KLUDGE,
               "multiboot a.out-kludge flag");
_Static_assert(BOOT_MB_SEARCH_LIMIT == MULTIBOOT_SEARCH_LIMIT, "multiboot search limit");
_Static_assert(BOOT_XEN_ELFNOTE_PHYS32_ENTRY == XEN_ELFNOTE_PHYS32_ENTRY,
               "PVH note type");

#define KIB              1024ull
#define LOW_MEMORY_BASE  0x0ull      /* multiboot mem_lower starts here */
#define HIGH_MEMORY_BASE 0x100000ull /* multiboot mem_upper starts here */

const char *guest_boot_proto_name(enum guest_boot_proto proto)
{
	switch (proto) {
	case GUEST_BOOT_DIRECT64:
		return "direct64";
	case GUEST_BOOT_PVH:
		return "pvh";
	case GUEST_BOOT_MULTIBOOT:
		return "multiboot";
	default:
		return "unknown";
	}
}

/*
 * The hvm_start_info at gpa, or NULL when it is outside the mapped
 * `limit` or does not carry the PVH magic.
 */
static const struct hvm_start_info *pvh_info(uint64_t gpa, uint64_t limit)
{
	const struct hvm_start_info *si;

	if (gpa == 0 || gpa > limit - sizeof(*si))
		return NULL;
	si = guest_phys_to_virt(gpa);
	return si->magic == HVM_START_MAGIC ? si : NULL;
}

/* Fill args->cmdline from whichever info block we have. */
static void find_cmdline(struct guest_boot_args *args)
{
	args->cmdline = "";
	if (args->pvh && args->pvh->cmdline_paddr != 0)
		args->cmdline = guest_phys_to_virt(args->pvh->cmdline_paddr);
	if (args->mbi && (args->mbi->flags & MULTIBOOT_INFO_CMDLINE))
		args->cmdline = guest_phys_to_virt(args->mbi->cmdline);
}

/* Run the image; returning from guest_main counts as success. */
static __attribute__((noreturn)) void run_main(struct guest_boot_args *args)
{
	find_cmdline(args);
	guest_main(args);
	guest_poweroff(0);
}

void guest_boot32_entry(uint32_t eax, uint32_t ebx)
{
	struct guest_boot_args args = {.proto = GUEST_BOOT_UNKNOWN};

	if (eax == MULTIBOOT_BOOTLOADER_MAGIC) {
		args.proto = GUEST_BOOT_MULTIBOOT;
		args.mbi = guest_phys_to_virt(ebx);
	} else {
		args.pvh = pvh_info(ebx, BOOT32_MAP_BYTES);
		if (args.pvh)
			args.proto = GUEST_BOOT_PVH;
	}
	run_main(&args);
}

void guest_direct64_entry(uint64_t start_info_gpa)
{
	struct guest_boot_args args = {.proto = GUEST_BOOT_DIRECT64};

	args.pvh = pvh_info(start_info_gpa, DIRECT64_MAP_BYTES);
	run_main(&args);
}

/* Fill one memory-map entry. */
static void set_region(struct guest_mem_region *out, uint64_t base, uint64_t size,
                       uint32_t type)
{
	out->base = base;
	out->size = size;
	out->type = type;
}

/* PVH: a plain array of hvm_memmap_entry. */
static int pvh_memmap_entry(const struct hvm_start_info *si, unsigned int index,
                            struct guest_mem_region *out)
{
	const struct hvm_memmap_entry *map;

	if (si->version < HVM_START_VERSION || si->memmap_paddr == 0 ||
	    index >= si->memmap_entries)
		return -1;
	map = guest_phys_to_virt(si->memmap_paddr);
	set_region(out, map[index].addr, map[index].size, map[index].type);
	return 0;
}

/*
 * Multiboot: variable-size entries, each preceded by its size (which does
 * not count the size field itself), so entry `index` is found by walking.
 */
static int mb_mmap_entry(const struct multiboot_info *mbi, unsigned int index,
                         struct guest_mem_region *out)
{
	const uint8_t *map = guest_phys_to_virt(mbi->mmap_addr);
	uint32_t off = 0;

	for (unsigned int i = 0;
	     off + sizeof(struct multiboot_mmap_entry) <= mbi->mmap_length; i++) {
		const struct multiboot_mmap_entry *e =
		    (const struct multiboot_mmap_entry *)(map + off);

		if (i == index) {
			set_region(out, e->addr, e->len, e->type);
			return 0;
		}
		off += e->size + sizeof(e->size);
	}
	return -1;
}

/* Multiboot without a map: two RAM regions from mem_lower / mem_upper. */
static int mb_basic_entry(const struct multiboot_info *mbi, unsigned int index,
                          struct guest_mem_region *out)
{
	if (index == 0)
		set_region(out, LOW_MEMORY_BASE, mbi->mem_lower * KIB, E820_RAM);
	else if (index == 1)
		set_region(out, HIGH_MEMORY_BASE, mbi->mem_upper * KIB, E820_RAM);
	else
		return -1;
	return 0;
}

int guest_boot_memmap_entry(const struct guest_boot_args *args, unsigned int index,
                            struct guest_mem_region *out)
{
	if (args->pvh)
		return pvh_memmap_entry(args->pvh, index, out);
	if (args->mbi && (args->mbi->flags & MULTIBOOT_INFO_MEM_MAP))
		return mb_mmap_entry(args->mbi, index, out);
	if (args->mbi && (args->mbi->flags & MULTIBOOT_INFO_MEMORY))
		return mb_basic_entry(args->mbi, index, out);
	return -1;
}
