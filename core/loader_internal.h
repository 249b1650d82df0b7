/*
 * loader_internal.h - shared between the two halves of the loader:
 * loader.c (plan: parse the image, choose the protocol, check every chunk)
 * and loader_boot.c (commit: copy the image, build the boot data in low
 * memory, fill the vCPU state).  Nothing outside core/loader*.c includes it.
 */
#ifndef TRAPEZE_CORE_LOADER_INTERNAL_H
#define TRAPEZE_CORE_LOADER_INTERNAL_H

#include "loader.h"

/* ---- low memory: the parts loader.h does not name ----------------------- */

#define LOADER_TSS_GPA (LOADER_GDT_GPA + 0x80)       /* right after the GDT */
#define LOADER_NAME_GPA (LOADER_BOOTINFO_GPA + 0x800) /* boot_loader_name */
#define LOADER_LOW_AREA_END 0x10000ull /* end of what commit zeroes first */
#define LOADER_BOOT_LOADER_NAME "trapeze"

#define KIB 1024ull
#define MIB (1024ull * KIB)
#define GIB (1024ull * MIB)

#define LOADER_MAX_CHUNKS 16
#define LOADER_WHAT_MAX 48
#define LOADER_REASON_MAX 200
#define LOADER_FIRST_BYTES 8 /* shown for an unrecognised file */

/* ---- GDT ------------------------------------------------------------- */

/*
 * A segment descriptor (8 bytes) as the CPU reads it from the GDT:
 *
 *  63     56 55 54 53 52 51   48 47 46 45 44 43  40 39        16 15       0
 * +---------+--+--+--+--+-------+--+-----+--+------+------------+----------+
 * |base     |G |DB|L |AV|limit  |P | DPL |S | type | base 23:0  |limit 15:0|
 * |31:24    |  |  |  |L |19:16  |  |     |  |      |            |          |
 * +---------+--+--+--+--+-------+--+-----+--+------+------------+----------+
 *
 * G=1: the 20-bit limit counts 4 KiB units.  S=0 marks a system descriptor
 * (TSS, LDT); in long mode those take 16 bytes, the second 8 holding base
 * bits 63:32 in their low half.
 */
#define DESC_LIMIT_LOW(lim) ((uint64_t)(lim) & 0xffff)
#define DESC_BASE_LOW(base) (((uint64_t)(base) & 0xffffff) << 16)
#define DESC_TYPE(type) ((uint64_t)((type) & 0xf) << 40)
#define DESC_S (1ull << 44)
#define DESC_DPL(dpl) ((uint64_t)((dpl) & 3) << 45)
#define DESC_P (1ull << 47)
#define DESC_LIMIT_HIGH(lim) ((((uint64_t)(lim) >> 16) & 0xf) << 48)
#define DESC_AVL (1ull << 52)
#define DESC_L (1ull << 53)
#define DESC_DB (1ull << 54)
#define DESC_G (1ull << 55)
#define DESC_BASE_HIGH(base) ((((uint64_t)(base) >> 24) & 0xff) << 56)
#define DESC_BASE_UPPER(base) ((uint64_t)(base) >> 32) /* 2nd half of 16 */
#define DESC_G_SHIFT 12 /* G=1: limit in 4 KiB units */

#define GDT_ENTRIES 6 /* null, code64, code32, data, TSS (2 slots) */
#define GDT_ENTRY_SIZE 8

#define TSS_SIZE 104              /* 32-bit and 64-bit TSS alike */
#define TSS_IOMAP_BASE_OFFSET 0x66 /* same offset in both formats */
#define TSS_TYPE_BUSY 0xb          /* 32-bit busy TSS; 64-bit in long mode */

/* ---- page tables (direct64) ------------------------------------------- */

/*
 * A 4-level paging entry, with the bits this loader sets:
 *
 *  63 62      52 51                       12 11  9 8 7  6 5 4   3   2   1  0
 * +--+----------+---------------------------+-----+-+--+-+-+---+---+---+--+-+
 * |XD| ignored  | physical address 51:12    | ign |G|PS|D|A|PCD|PWT|U/S|RW|P|
 * +--+----------+---------------------------+-----+-+--+-+-+---+---+---+--+-+
 *
 * PS=1 in a page-directory entry maps a 2 MiB page (address bits 51:21).
 * The identity map: PML4[0] -> PDPT, PDPT[0..3] -> 4 page directories, each
 * with 512 2 MiB pages: 4 GiB, virtual = physical, supervisor, writable.
 */
#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_PS (1ull << 7)
#define PT_ENTRIES 512
#define PT_BYTES (PT_ENTRIES * sizeof(uint64_t))
#define PT_LARGE_PAGE (2 * MIB)
#define PT_IDMAP_PDS 4 /* page directories: 1 GiB each */
#define PT_IDMAP_END (PT_IDMAP_PDS * GIB)
#define PT_PML4_GPA LOADER_PAGETABLE_GPA
#define PT_PDPT_GPA (LOADER_PAGETABLE_GPA + PAGE_SIZE)
#define PT_PD_GPA(i) (LOADER_PAGETABLE_GPA + (2 + (i)) * PAGE_SIZE)

/* ---- the plan ----------------------------------------------------------- */

/* One piece of the image: filesz bytes from the file, then zeros. */
struct load_chunk {
	gpa_t gpa;
	uint64_t vaddr; /* ELF p_vaddr (== gpa for the a.out kludge) */
	uint64_t file_off, filesz, memsz;
	char what[LOADER_WHAT_MAX]; /* names the field, for messages */
};

struct load_plan {
	enum boot_protocol proto;
	gpa_t entry;
	unsigned nr_chunks;
	struct load_chunk chunk[LOADER_MAX_CHUNKS];
};

/* Everything one loader_load call works on. */
struct loader {
	struct gmem *gm;
	const uint8_t *image;
	size_t size;
	const char *name;
	const char *cmdline;
	char *err;
	size_t errlen;
	struct load_plan plan;
};

/* Format "NAME: what" into the caller's err and return rc (loader.c). */
int ld_fail(struct loader *ld, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The commit phase (loader_boot.c): 0 or -errno with err filled. */
int ld_write_image(struct loader *ld);
int ld_write_low_memory(struct loader *ld);
void ld_fill_state(const struct loader *ld, struct x86_state *s);
void ld_fill_result(const struct loader *ld, struct loader_result *res);

#endif
