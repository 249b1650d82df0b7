/*
 * boot.h - how a guest image was started, seen from C.
 *
 * Two assembly entries hand over to C (see guest/boot/):
 *
 *   boot32.S   PVH or multiboot v1 loader, 32-bit protected mode
 *              -> switches to long mode -> guest_boot32_entry(eax, ebx)
 *   entry64.S  direct64: the VMM already entered long mode
 *              -> guest_direct64_entry(rdi = hvm_start_info)
 *
 * Both fill a struct guest_boot_args (boot.c) and call the image's
 * guest_main().  Through it, C code finds the command line and the
 * memory map the same way whatever the protocol.
 *
 * The first part of this header is plain #defines that boot32.S needs for
 * the multiboot header and the PVH note.  The protocol structures
 * themselves are in core/bootproto.h (C only); boot.c checks at compile
 * time that the two agree.
 */
#ifndef GUEST_BOOT_H
#define GUEST_BOOT_H

/* Multiboot v1 header fields (see struct multiboot_header). */
#define BOOT_MB_HEADER_MAGIC     0x1badb002
#define BOOT_MB_FLAG_MEMORY_INFO (1 << 1)  /* ask for a memory map */
#define BOOT_MB_FLAG_AOUT_KLUDGE (1 << 16) /* load using the address fields */
#define BOOT_MB_HEADER_FLAGS     (BOOT_MB_FLAG_MEMORY_INFO | BOOT_MB_FLAG_AOUT_KLUDGE)
#define BOOT_MB_SEARCH_LIMIT     8192 /* header must be in the file's first 8 KiB */

/* PVH entry note: an ELF note named "Xen" of this type. */
#define BOOT_XEN_ELFNOTE_PHYS32_ENTRY 18

/* Stack of the boot32 path (direct64 guests use the VMM's stack). */
#define BOOT_STACK_SIZE 16384

/*
 * How much of the guest-physical space is identity mapped when C starts:
 * boot32.S maps the first 1 GiB with its own static page tables; the VMM
 * maps the first 4 GiB for direct64 guests (core/loader.h).
 */
#define BOOT32_MAP_BYTES   0x40000000
#define DIRECT64_MAP_BYTES 0x100000000

#ifndef __ASSEMBLER__

#include <stdint.h>

#include "core/bootproto.h"

enum guest_boot_proto {
	GUEST_BOOT_UNKNOWN = 0, /* boot32 entry, but neither magic matched */
	GUEST_BOOT_DIRECT64,
	GUEST_BOOT_PVH,
	GUEST_BOOT_MULTIBOOT,
};

/*
 * What the loader told us.  Exactly one of pvh/mbi is set when the
 * protocol was recognised (direct64 uses PVH's hvm_start_info), neither
 * when it was not.  Pointers are guest-virtual, ready to dereference.
 */
struct guest_boot_args {
	enum guest_boot_proto proto;
	const char *cmdline;              /* never NULL; "" when none given */
	const struct hvm_start_info *pvh; /* PVH and direct64 */
	const struct multiboot_info *mbi; /* multiboot */
};

/* One memory map entry, whatever the protocol's own layout. */
struct guest_mem_region {
	uint64_t base;
	uint64_t size;
	uint32_t type; /* E820_RAM, E820_RESERVED, ... */
};

/* Every image defines this: its main program.  Returning powers off with
 * status 0. */
void guest_main(const struct guest_boot_args *args);

/* Called by the assembly entries; never return. */
__attribute__((noreturn)) void guest_boot32_entry(uint32_t eax, uint32_t ebx);
__attribute__((noreturn)) void guest_direct64_entry(uint64_t start_info_gpa);

/* "direct64", "pvh", "multiboot" or "unknown". */
const char *guest_boot_proto_name(enum guest_boot_proto proto);

/*
 * Copy memory map entry `index` of args into *out.  Returns 0, or -1 when
 * index is past the last entry (so a loop can run until it fails).
 */
int guest_boot_memmap_entry(const struct guest_boot_args *args, unsigned int index,
                            struct guest_mem_region *out);

#endif /* !__ASSEMBLER__ */

#endif
