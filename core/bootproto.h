/*
 * bootproto.h - boot information structures of the PVH and multiboot v1
 * protocols, as laid out in guest memory.
 *
 * Shared by the loaders (which build them) and by guest code (which reads
 * them), so it uses only <stdint.h>.  Field names follow the published
 * protocol documents: Xen's arch-x86/hvm/start_info.h for PVH and the
 * Multiboot Specification 0.6.96 for multiboot.
 */
#ifndef TRAPEZE_CORE_BOOTPROTO_H
#define TRAPEZE_CORE_BOOTPROTO_H

#include <stdint.h>

/* ---- PVH ---------------------------------------------------------------- */

#define XEN_ELFNOTE_PHYS32_ENTRY 18 /* ELF note type; name "Xen" */
#define HVM_START_MAGIC 0x336ec578u
#define HVM_START_VERSION 1

/* Memory map entry types (the E820 numbering). */
#define E820_RAM 1
#define E820_RESERVED 2

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

/* Handed to a PVH kernel in EBX (and to direct64 guests in RDI). */
struct hvm_start_info {
	uint32_t magic;          /* HVM_START_MAGIC */
	uint32_t version;        /* 1: memmap fields are valid */
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;  /* NUL-terminated, 0 if none */
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;   /* array of struct hvm_memmap_entry */
	uint32_t memmap_entries;
	uint32_t reserved;
};

/* ---- multiboot v1 ------------------------------------------------------- */

#define MULTIBOOT_HEADER_MAGIC 0x1badb002u
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2badb002u /* in EAX at entry */
#define MULTIBOOT_SEARCH_LIMIT 8192            /* header within first 8 KiB */

/* Header flags */
#define MULTIBOOT_PAGE_ALIGN (1u << 0)
#define MULTIBOOT_MEMORY_INFO (1u << 1)
#define MULTIBOOT_VIDEO_MODE (1u << 2)
#define MULTIBOOT_AOUT_KLUDGE (1u << 16)

struct multiboot_header {
	uint32_t magic;
	uint32_t flags;
	uint32_t checksum; /* magic + flags + checksum == 0 */
	/* valid if MULTIBOOT_AOUT_KLUDGE */
	uint32_t header_addr;
	uint32_t load_addr;
	uint32_t load_end_addr; /* 0: load to the end of the file */
	uint32_t bss_end_addr;  /* 0: no bss */
	uint32_t entry_addr;
};

/* Info flags */
#define MULTIBOOT_INFO_MEMORY (1u << 0)
#define MULTIBOOT_INFO_CMDLINE (1u << 2)
#define MULTIBOOT_INFO_MODS (1u << 3)
#define MULTIBOOT_INFO_MEM_MAP (1u << 6)
#define MULTIBOOT_INFO_LOADER_NAME (1u << 9)

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower; /* KiB below 1 MiB */
	uint32_t mem_upper; /* KiB above 1 MiB (up to the first hole) */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe_control_info;
	uint32_t vbe_mode_info;
	uint16_t vbe_mode;
	uint16_t vbe_interface_seg;
	uint16_t vbe_interface_off;
	uint16_t vbe_interface_len;
	/* framebuffer fields (flag bit 12) follow in later revisions; trapeze
	 * never sets that flag */
};

/* A memory map entry; `size` counts the bytes after itself (20). */
struct multiboot_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));

#endif
