/*
 * loader.h - putting a guest image into memory and describing its start.
 *
 * Three boot protocols, each QEMU-compatible where QEMU has one:
 *
 *   direct64   ELF64 without boot notes: the VMM builds a GDT and identity
 *              page tables and starts the entry point in 64-bit long mode
 *              (RDI = hvm_start_info, as for PVH)
 *   PVH        ELF (32 or 64) with a XEN_ELFNOTE_PHYS32_ENTRY note: 32-bit
 *              protected mode, paging off, EBX = hvm_start_info
 *   multiboot  v1 header in the first 8 KiB: ELF32, or any file using the
 *              a.out kludge (header flag bit 16); EAX = 0x2BADB002,
 *              EBX = multiboot_info
 *
 * Low memory the loaders use (the image itself must load at or above 1 MiB
 * and may not overlap these):
 *
 *   0x00000 - 0x00fff  left zero (real-mode IVT area)
 *   0x01000            GDT (direct64, PVH, multiboot)
 *   0x02000            boot information (hvm_start_info or multiboot_info)
 *   0x03000            memory map entries
 *   0x04000            command line (up to 4 KiB)
 *   0x08000 - 0x0ffff  page tables built for direct64
 *   0x80000            initial stack top for direct64
 *   0x9fc00 - 0xfffff  reserved in the memory map (EBDA, VGA, BIOS)
 *
 * Invariant: a loader reads only inside the image buffer (every offset and
 * size from the file is checked first) and writes guest memory only through
 * gmem accessors.  A malformed image is rejected with one line naming the
 * bad field; nothing is half-loaded into a VM that then runs.
 */
#ifndef TRAPEZE_CORE_LOADER_H
#define TRAPEZE_CORE_LOADER_H

#include "gmem.h"
#include "x86.h"

enum boot_protocol {
	BOOT_AUTO = 0, /* PVH if the note is there, else multiboot, else direct64 */
	BOOT_DIRECT64,
	BOOT_PVH,
	BOOT_MULTIBOOT,
};

#define LOADER_GDT_GPA 0x1000ull
#define LOADER_BOOTINFO_GPA 0x2000ull
#define LOADER_MEMMAP_GPA 0x3000ull
#define LOADER_CMDLINE_GPA 0x4000ull
#define LOADER_CMDLINE_MAX 4096
#define LOADER_PAGETABLE_GPA 0x8000ull
#define LOADER_STACK_TOP 0x80000ull
#define LOADER_LOW_RESERVED 0x9fc00ull
#define LOADER_IMAGE_MIN 0x100000ull

/* GDT selectors the loaders set up (same table for every protocol). */
#define LOADER_SEL_CODE64 0x08
#define LOADER_SEL_CODE32 0x10
#define LOADER_SEL_DATA 0x18
#define LOADER_SEL_TSS 0x20

struct loader_result {
	enum boot_protocol proto;
	gpa_t entry;
	gpa_t image_low, image_high; /* [low, high) bytes written by the image */
};

/*
 * Load `image` (size bytes; `name` is used in messages only) into `gm` with
 * protocol `proto` and command line `cmdline` (may be NULL), and fill
 * *state with the vCPU's start state (on top of x86_reset_state).
 * Returns 0, or -errno with one line in err ("NAME: what is wrong").
 */
int loader_load(struct gmem *gm, const uint8_t *image, size_t size,
                const char *name, enum boot_protocol proto, const char *cmdline,
                struct x86_state *state, struct loader_result *res, char *err,
                size_t errlen);

const char *boot_protocol_name(enum boot_protocol proto);
/* "auto", "direct64", "pvh", "multiboot" -> enum; -1 if unknown. */
int boot_protocol_parse(const char *text);

#endif
