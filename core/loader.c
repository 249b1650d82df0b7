/*
 * loader.c - put a guest image into guest memory and describe how it starts
 * (the API and the low-memory layout are in loader.h).  This file plans;
 * loader_boot.c commits.
 *
 * Data flow: the CLI or a test reads an image file into a buffer and calls
 * loader_load() on a fresh VM's memory; the loader fills a struct x86_state
 * that the VM core hands to the engine as vCPU 0's first state.
 *
 * Loading happens in two phases, so a bad image never leaves a half-written
 * guest behind (invariant: nothing is written to guest memory until every
 * check has passed):
 *
 *   plan    parse the image (ELF program headers, PVH note, multiboot
 *           header), choose the protocol, and fill a struct load_plan: the
 *           chunks to copy (file bytes, then zeros up to the memory size)
 *           and the entry point.  Every chunk is checked: guest RAM, at or
 *           above LOADER_IMAGE_MIN, no overlap with another chunk.
 *   commit  copy the chunks, build the boot data in low memory (GDT and
 *           TSS, memory map, command line, hvm_start_info or multiboot_info,
 *           identity page tables for direct64), and fill the vCPU state.
 *
 * Decisions worth knowing:
 *  - AUTO picks PVH if the ELF has a PVH note, else multiboot if a header
 *    with a valid checksum is in the first 8 KiB, else direct64 for ELF64.
 *    A file with the ELF magic that fails the ELF checks is refused with
 *    the ELF error (a truncated file must not half-boot); ask for
 *    --boot=multiboot to boot such a file by its a.out kludge header.
 *  - One GDT for every protocol (selectors in loader.h).  The TSS
 *    descriptor takes 16 bytes (long mode's system-descriptor size); in
 *    32-bit mode the upper half just reads as an unused null slot.  The TSS
 *    is 104 bytes with no I/O bitmap, which is a valid 32-bit and a valid
 *    64-bit TSS at once; TR holds it as busy (type 0xb), as after LTR.
 *  - IDTR is empty (limit 0): an exception before the guest sets up its own
 *    IDT shuts the vCPU down at once instead of running through zeroed low
 *    memory.  RFLAGS = 0x2: interrupts off.
 *  - direct64: EFER = LME|LMA only.  NXE stays off because the identity map
 *    sets no XD bits; a guest that wants NX turns it on itself.  CR0 =
 *    PE|PG|ET|WP|NE, CR4 = PAE.  e_entry must be a physical address that the
 *    identity map runs as-is (virtual = physical in its PT_LOAD).
 *  - multiboot ELF32: e_entry is a virtual address; it is translated to a
 *    physical one through the PT_LOAD that holds it (the CPU starts with
 *    paging off).  ELF64 without the a.out kludge is rejected, as QEMU does.
 *  - multiboot flags: bits 0-15 are "required" by the specification; bits
 *    0 (page-align modules: there are no modules), 1 (memory info: always
 *    given) and 2 (video mode) are accepted, any other low bit is rejected.
 *    The video-mode request is accepted and ignored, as QEMU does: trapeze
 *    has no framebuffer, and the info flags never claim video information.
 *  - A command line of LOADER_CMDLINE_MAX bytes or more is rejected, never
 *    silently truncated.  cmdline == NULL gives no command line at all
 *    (cmdline_paddr 0, multiboot info flag 2 clear).
 *  - PT_LOAD segments may not overlap each other in guest memory.
 *  - Boot structures are written with the host's struct layout: the host is
 *    x86-64 (little-endian, same alignment rules) like the guest.
 */
#include "loader_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootproto.h"
#include "elf.h"

/* Format "NAME: what" into the caller's err and return rc. */
int ld_fail(struct loader *ld, int rc, const char *fmt, ...)
{
	if (ld->err && ld->errlen) {
		int n = snprintf(ld->err, ld->errlen, "%s: ", ld->name);
		if (n >= 0 && (size_t)n < ld->errlen) {
			va_list ap;
			va_start(ap, fmt);
			vsnprintf(ld->err + n, ld->errlen - n, fmt, ap);
			va_end(ap);
		}
	}
	return rc;
}

/* ---- planning: ELF ------------------------------------------------------ */

/* Open the image as ELF.  0, or -ENOEXEC with the reader's message. */
static int ld_open_elf(struct loader *ld, struct elf_file *elf)
{
	char why[LOADER_REASON_MAX];
	int rc = elf_open(elf, ld->image, ld->size, why, sizeof(why));

	return rc ? ld_fail(ld, rc, "%s", why) : 0;
}

/* Append a chunk to the plan.  0, or -E2BIG if the plan is full. */
static int ld_add_chunk(struct loader *ld, const struct load_chunk *c)
{
	struct load_plan *p = &ld->plan;

	if (p->nr_chunks == LOADER_MAX_CHUNKS)
		return ld_fail(ld, -E2BIG,
		               "%s: more than %d loadable segments", c->what,
		               LOADER_MAX_CHUNKS);
	p->chunk[p->nr_chunks++] = *c;
	return 0;
}

/* Plan every PT_LOAD with p_memsz > 0.  0 or -errno. */
static int ld_plan_elf_segments(struct loader *ld, const struct elf_file *elf)
{
	char why[LOADER_REASON_MAX];

	for (unsigned i = 0; i < elf->phnum; i++) {
		struct elf_phdr ph;
		int rc = elf_phdr(elf, i, &ph, why, sizeof(why));
		if (rc)
			return ld_fail(ld, rc, "%s", why);
		if (ph.type != ELF_PT_LOAD || ph.memsz == 0)
			continue;
		struct load_chunk c = {
			.gpa = ph.paddr, .vaddr = ph.vaddr, .file_off = ph.offset,
			.filesz = ph.filesz, .memsz = ph.memsz,
		};
		snprintf(c.what, sizeof(c.what), "program header %u (p_paddr)", i);
		rc = ld_add_chunk(ld, &c);
		if (rc)
			return rc;
	}
	if (ld->plan.nr_chunks == 0)
		return ld_fail(ld, -ENOEXEC,
		               "no PT_LOAD program header with p_memsz > 0: nothing to load");
	return 0;
}

/* The chunk whose file bytes hold physical address gpa, or NULL. */
static const struct load_chunk *ld_chunk_at(const struct loader *ld, gpa_t gpa)
{
	for (unsigned i = 0; i < ld->plan.nr_chunks; i++) {
		const struct load_chunk *c = &ld->plan.chunk[i];
		if (gpa >= c->gpa && gpa - c->gpa < c->filesz)
			return c;
	}
	return NULL;
}

/*
 * Translate ELF e_entry (a virtual address) to the physical address the
 * CPU starts at, through the PT_LOAD whose file bytes hold it.
 * 0 with *phys set, or -ENOEXEC.
 */
static int ld_elf_entry(struct loader *ld, const struct elf_file *elf,
                        gpa_t *phys)
{
	for (unsigned i = 0; i < ld->plan.nr_chunks; i++) {
		const struct load_chunk *c = &ld->plan.chunk[i];
		if (elf->entry >= c->vaddr && elf->entry - c->vaddr < c->filesz) {
			*phys = c->gpa + (elf->entry - c->vaddr);
			return 0;
		}
	}
	return ld_fail(ld, -ENOEXEC,
	               "e_entry (0x%llx) is not inside the file bytes of any PT_LOAD segment",
	               (unsigned long long)elf->entry);
}

/* direct64 runs on the identity map: every chunk must lie inside it. */
static int ld_check_idmap(struct loader *ld)
{
	for (unsigned i = 0; i < ld->plan.nr_chunks; i++) {
		const struct load_chunk *c = &ld->plan.chunk[i];
		if (c->gpa >= PT_IDMAP_END || c->memsz > PT_IDMAP_END - c->gpa)
			return ld_fail(ld, -ERANGE,
			               "%s: 0x%llx + 0x%llx ends above the 4 GiB that direct64 identity-maps",
			               c->what, (unsigned long long)c->gpa,
			               (unsigned long long)c->memsz);
	}
	return 0;
}

/* direct64: an ELF64 x86-64 image entered in long mode.  0 or -errno. */
static int ld_plan_direct64(struct loader *ld, const struct elf_file *elf)
{
	gpa_t entry;
	int rc;

	if (elf->elfclass != ELF_CLASS64 || elf->machine != ELF_MACHINE_X86_64)
		return ld_fail(ld, -ENOEXEC,
		               "direct64 needs an ELF64 x86-64 image; this is %s with e_machine %u",
		               elf->elfclass == ELF_CLASS64 ? "ELF64" : "ELF32",
		               elf->machine);
	rc = ld_plan_elf_segments(ld, elf);
	if (!rc)
		rc = ld_check_idmap(ld);
	if (!rc)
		rc = ld_elf_entry(ld, elf, &entry);
	if (rc)
		return rc;
	if (entry != elf->entry)
		return ld_fail(ld, -ENOEXEC,
		               "e_entry (0x%llx) lies at physical 0x%llx, but direct64 maps virtual = physical: link the image with p_vaddr == p_paddr",
		               (unsigned long long)elf->entry,
		               (unsigned long long)entry);
	ld->plan.proto = BOOT_DIRECT64;
	ld->plan.entry = entry;
	return 0;
}

#define PVH_NOTE_NAME "Xen"
#define PVH_DESC_SIZE32 4
#define PVH_DESC_SIZE64 8
#define LOADER_ADDR32_END (1ull << 32)

/* Look for the PVH entry note.  1 found, 0 none, or -errno. */
static int ld_find_pvh_note(struct loader *ld, const struct elf_file *elf,
                            struct elf_note *note)
{
	char why[LOADER_REASON_MAX];
	int rc = elf_find_note(elf, PVH_NOTE_NAME, XEN_ELFNOTE_PHYS32_ENTRY, note,
	                       why, sizeof(why));

	return rc < 0 ? ld_fail(ld, rc, "%s", why) : rc;
}

/*
 * PVH: segments at p_paddr, entered in 32-bit protected mode at the
 * physical address in the note (4 bytes, or 8 with the upper half 0).
 */
static int ld_plan_pvh(struct loader *ld, const struct elf_file *elf,
                       const struct elf_note *note)
{
	uint64_t entry;
	int rc;

	if (note->descsz == PVH_DESC_SIZE32)
		entry = elf_get32(note->desc);
	else if (note->descsz == PVH_DESC_SIZE64)
		entry = elf_get64(note->desc);
	else
		return ld_fail(ld, -ENOEXEC,
		               "PVH note (XEN_ELFNOTE_PHYS32_ENTRY) at file offset 0x%llx: descsz %u is not 4 or 8",
		               (unsigned long long)note->offset, note->descsz);
	if (entry >= LOADER_ADDR32_END)
		return ld_fail(ld, -ENOEXEC,
		               "PVH note entry (0x%llx) is above 4 GiB: a 32-bit entry cannot reach it",
		               (unsigned long long)entry);
	rc = ld_plan_elf_segments(ld, elf);
	if (rc)
		return rc;
	if (!ld_chunk_at(ld, entry))
		return ld_fail(ld, -ENOEXEC,
		               "PVH note entry (0x%llx) is not inside the file bytes of any PT_LOAD segment (by p_paddr)",
		               (unsigned long long)entry);
	ld->plan.proto = BOOT_PVH;
	ld->plan.entry = entry;
	return 0;
}

/* ---- planning: multiboot -------------------------------------------- */

/* Header fields are read from the file by their offsets in the struct. */
#define MB_FIELD(h, field) \
	elf_get32((h) + offsetof(struct multiboot_header, field))
#define MB_HEADER_BASIC_SIZE offsetof(struct multiboot_header, header_addr)
#define MB_HEADER_AOUT_SIZE sizeof(struct multiboot_header)
#define MB_HEADER_ALIGN 4 /* the header is 32-bit aligned in the file */
#define MB_REQUIRED_FLAGS 0xffffu
#define MB_SUPPORTED_FLAGS \
	(MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO | MULTIBOOT_VIDEO_MODE)
#define MB_NOT_FOUND SIZE_MAX

/* Where the multiboot search found headers (MB_NOT_FOUND if none). */
struct mb_search {
	size_t valid;       /* first header with a correct checksum */
	size_t bad_sum;     /* first magic whose checksum is wrong */
};

/* Scan the first 8 KiB (4-byte aligned) for the multiboot magic. */
static struct mb_search ld_mb_search(const struct loader *ld)
{
	struct mb_search s = { MB_NOT_FOUND, MB_NOT_FOUND };
	size_t limit = ld->size < MULTIBOOT_SEARCH_LIMIT ? ld->size
	                                                 : MULTIBOOT_SEARCH_LIMIT;

	for (size_t off = 0; off + MB_HEADER_BASIC_SIZE <= limit;
	     off += MB_HEADER_ALIGN) {
		const uint8_t *h = ld->image + off;
		if (MB_FIELD(h, magic) != MULTIBOOT_HEADER_MAGIC)
			continue;
		uint32_t sum = MB_FIELD(h, magic) + MB_FIELD(h, flags) +
		               MB_FIELD(h, checksum);
		if (sum == 0) {
			s.valid = off;
			return s;
		}
		if (s.bad_sum == MB_NOT_FOUND)
			s.bad_sum = off;
	}
	return s;
}

/* The error for a magic with a wrong checksum at `off`. */
static int ld_mb_bad_checksum(struct loader *ld, size_t off)
{
	const uint8_t *h = ld->image + off;

	return ld_fail(ld, -ENOEXEC,
	               "multiboot header at file offset 0x%zx: checksum 0x%08x is wrong (magic + flags + checksum must be 0; flags 0x%08x)",
	               off, MB_FIELD(h, checksum), MB_FIELD(h, flags));
}

/* The five a.out kludge fields, widened for overflow-free arithmetic. */
struct mb_aout {
	uint64_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

/* Check the kludge fields' relations to each other.  0 or -ENOEXEC. */
static int ld_mb_check_aout(struct loader *ld, const struct mb_aout *a,
                            size_t hdr_off)
{
	if (a->load_addr > a->header_addr)
		return ld_fail(ld, -ENOEXEC,
		               "multiboot header: load_addr (0x%llx) is above header_addr (0x%llx)",
		               (unsigned long long)a->load_addr,
		               (unsigned long long)a->header_addr);
	if (a->header_addr - a->load_addr > hdr_off)
		return ld_fail(ld, -ENOEXEC,
		               "multiboot header: header_addr - load_addr (0x%llx) is larger than the header's file offset (0x%zx)",
		               (unsigned long long)(a->header_addr - a->load_addr),
		               hdr_off);
	if (a->load_end_addr && a->load_end_addr <= a->load_addr)
		return ld_fail(ld, -ENOEXEC,
		               "multiboot header: load_end_addr (0x%llx) is not above load_addr (0x%llx)",
		               (unsigned long long)a->load_end_addr,
		               (unsigned long long)a->load_addr);
	return 0;
}

/* Multiboot with the a.out kludge: the header says where the file goes. */
static int ld_plan_mb_aout(struct loader *ld, size_t hdr_off)
{
	const uint8_t *h = ld->image + hdr_off;
	struct mb_aout a = {
		.header_addr = MB_FIELD(h, header_addr),
		.load_addr = MB_FIELD(h, load_addr),
		.load_end_addr = MB_FIELD(h, load_end_addr),
		.bss_end_addr = MB_FIELD(h, bss_end_addr),
		.entry_addr = MB_FIELD(h, entry_addr),
	};
	int rc = ld_mb_check_aout(ld, &a, hdr_off);

	if (rc)
		return rc;
	uint64_t file_off = hdr_off - (a.header_addr - a.load_addr);
	uint64_t filesz = a.load_end_addr ? a.load_end_addr - a.load_addr
	                                  : ld->size - file_off;
	if (filesz > ld->size - file_off)
		return ld_fail(ld, -ENOEXEC,
		               "multiboot header: load_end_addr (0x%llx) beyond end of file: needs 0x%llx bytes from file offset 0x%llx, the file has 0x%zx",
		               (unsigned long long)a.load_end_addr,
		               (unsigned long long)filesz,
		               (unsigned long long)file_off, ld->size);
	uint64_t load_end = a.load_addr + filesz;
	if (a.bss_end_addr && a.bss_end_addr < load_end)
		return ld_fail(ld, -ENOEXEC,
		               "multiboot header: bss_end_addr (0x%llx) is below the end of the loaded bytes (0x%llx)",
		               (unsigned long long)a.bss_end_addr,
		               (unsigned long long)load_end);
	if (a.entry_addr < a.load_addr || a.entry_addr >= load_end)
		return ld_fail(ld, -ENOEXEC,
		               "multiboot header: entry_addr (0x%llx) is outside the loaded range [0x%llx, 0x%llx)",
		               (unsigned long long)a.entry_addr,
		               (unsigned long long)a.load_addr,
		               (unsigned long long)load_end);
	struct load_chunk c = {
		.gpa = a.load_addr, .vaddr = a.load_addr, .file_off = file_off,
		.filesz = filesz,
		.memsz = a.bss_end_addr ? a.bss_end_addr - a.load_addr : filesz,
		.what = "multiboot header (load_addr)",
	};
	ld->plan.entry = a.entry_addr;
	return ld_add_chunk(ld, &c);
}

/* Multiboot without the kludge: an ELF32 image.  0 or -errno. */
static int ld_plan_mb_elf(struct loader *ld, uint32_t flags)
{
	struct elf_file elf;
	int rc;

	if (!elf_has_magic(ld->image, ld->size))
		return ld_fail(ld, -ENOEXEC,
		               "multiboot header flags 0x%08x: bit 16 (a.out kludge) is clear and the file is not ELF, so there is nothing saying where to load it",
		               flags);
	rc = ld_open_elf(ld, &elf);
	if (rc)
		return rc;
	if (elf.elfclass != ELF_CLASS32)
		return ld_fail(ld, -ENOEXEC,
		               "ELF64 multiboot image without the a.out kludge (header flag bit 16): multiboot loads only ELF32; give a 32-bit image or boot it by PVH");
	rc = ld_plan_elf_segments(ld, &elf);
	if (!rc)
		rc = ld_elf_entry(ld, &elf, &ld->plan.entry);
	return rc;
}

/* Multiboot v1 with the (valid) header at file offset hdr_off. */
static int ld_plan_multiboot(struct loader *ld, size_t hdr_off)
{
	uint32_t flags = MB_FIELD(ld->image + hdr_off, flags);
	uint32_t unsupported = flags & MB_REQUIRED_FLAGS & ~MB_SUPPORTED_FLAGS;
	int rc;

	if (unsupported)
		return ld_fail(ld, -ENOTSUP,
		               "multiboot header flags 0x%08x: required bit %d is not supported",
		               flags, __builtin_ctz(unsupported));
	if (flags & MULTIBOOT_AOUT_KLUDGE) {
		size_t limit = ld->size < MULTIBOOT_SEARCH_LIMIT
		                       ? ld->size : MULTIBOOT_SEARCH_LIMIT;
		if (limit - hdr_off < MB_HEADER_AOUT_SIZE)
			return ld_fail(ld, -ENOEXEC,
			               "multiboot header at file offset 0x%zx: the a.out kludge fields (%zu bytes) run past the end of the file or the first 8 KiB",
			               hdr_off, MB_HEADER_AOUT_SIZE);
		rc = ld_plan_mb_aout(ld, hdr_off);
	} else {
		rc = ld_plan_mb_elf(ld, flags);
	}
	if (!rc)
		ld->plan.proto = BOOT_MULTIBOOT;
	return rc;
}

/* ---- planning: choosing the protocol ------------------------------------ */

/* The message for a file that is neither ELF nor multiboot. */
static int ld_unrecognised(struct loader *ld)
{
	char bytes[LOADER_FIRST_BYTES * 3 + 1] = "";
	size_t n = ld->size < LOADER_FIRST_BYTES ? ld->size : LOADER_FIRST_BYTES;

	if (ld->size == 0)
		return ld_fail(ld, -ENOEXEC,
		               "empty file (0 bytes): not an ELF file or multiboot image");
	for (size_t i = 0, pos = 0; i < n; i++)
		pos += snprintf(bytes + pos, sizeof(bytes) - pos,
		                i ? " %02x" : "%02x", ld->image[i]);
	return ld_fail(ld, -ENOEXEC,
	               "not an ELF file or multiboot image (first bytes: %s)",
	               bytes);
}

/*
 * AUTO: PVH note, else multiboot header, else ELF64 direct64.  A file with
 * the ELF magic that fails the ELF checks gets the ELF error: most likely
 * it is truncated or corrupt, and guessing another protocol would hide
 * that.  (BOOT_MULTIBOOT still boots it by an a.out kludge header.)
 */
static int ld_plan_auto(struct loader *ld)
{
	struct elf_file elf = { 0 };
	struct elf_note note;
	bool is_elf = elf_has_magic(ld->image, ld->size);
	int elf_rc = 0, rc;

	if (is_elf) {
		elf_rc = ld_open_elf(ld, &elf);
		rc = elf_rc ? 0 : ld_find_pvh_note(ld, &elf, &note);
		if (rc)
			return rc < 0 ? rc : ld_plan_pvh(ld, &elf, &note);
	}
	if (elf_rc)
		return elf_rc; /* err holds the ELF reader's message */
	struct mb_search mb = ld_mb_search(ld);
	if (mb.valid != MB_NOT_FOUND)
		return ld_plan_multiboot(ld, mb.valid);
	if (is_elf && elf.elfclass == ELF_CLASS64)
		return ld_plan_direct64(ld, &elf);
	if (mb.bad_sum != MB_NOT_FOUND)
		return ld_mb_bad_checksum(ld, mb.bad_sum);
	if (is_elf)
		return ld_fail(ld, -ENOEXEC,
		               "ELF32 image with neither a PVH note nor a multiboot header (direct64 needs ELF64)");
	return ld_unrecognised(ld);
}

/* Plan the protocol the caller asked for.  0 or -errno. */
static int ld_plan_protocol(struct loader *ld, enum boot_protocol proto)
{
	struct elf_file elf;
	struct elf_note note;
	struct mb_search mb;
	int rc;

	switch (proto) {
	case BOOT_AUTO:
		return ld_plan_auto(ld);
	case BOOT_DIRECT64:
		rc = ld_open_elf(ld, &elf);
		return rc ? rc : ld_plan_direct64(ld, &elf);
	case BOOT_PVH:
		rc = ld_open_elf(ld, &elf);
		if (!rc)
			rc = ld_find_pvh_note(ld, &elf, &note);
		if (rc == 0)
			return ld_fail(ld, -ENOEXEC,
			               "no PVH entry note (ELF note \"Xen\", type XEN_ELFNOTE_PHYS32_ENTRY = %d)",
			               XEN_ELFNOTE_PHYS32_ENTRY);
		return rc < 0 ? rc : ld_plan_pvh(ld, &elf, &note);
	case BOOT_MULTIBOOT:
		mb = ld_mb_search(ld);
		if (mb.valid != MB_NOT_FOUND)
			return ld_plan_multiboot(ld, mb.valid);
		if (mb.bad_sum != MB_NOT_FOUND)
			return ld_mb_bad_checksum(ld, mb.bad_sum);
		return ld_fail(ld, -ENOEXEC,
		               "no multiboot header (magic 0x%08x) in the first 8 KiB",
		               MULTIBOOT_HEADER_MAGIC);
	}
	return ld_fail(ld, -EINVAL, "unknown boot protocol %d", (int)proto);
}

/* ---- planning: where the chunks go ---------------------------------- */

/* Check one chunk's place in guest memory.  0 or -errno. */
static int ld_check_chunk(struct loader *ld, const struct load_chunk *c)
{
	if (c->gpa < LOADER_IMAGE_MIN)
		return ld_fail(ld, -ERANGE,
		               "%s: 0x%llx is below 1 MiB (0x%llx), where the loader keeps its boot data",
		               c->what, (unsigned long long)c->gpa,
		               LOADER_IMAGE_MIN);
	if (!gmem_is_ram(ld->gm, c->gpa, c->memsz))
		return ld_fail(ld, -ERANGE,
		               "%s: [0x%llx, 0x%llx) is not guest RAM (the VM has %llu MiB); give it more memory or load lower",
		               c->what, (unsigned long long)c->gpa,
		               (unsigned long long)(c->gpa + c->memsz),
		               (unsigned long long)(ld->gm->size / MIB));
	return 0;
}

/* Every chunk in RAM, above 1 MiB, and disjoint from the others. */
static int ld_check_chunks(struct loader *ld)
{
	const struct load_plan *p = &ld->plan;

	for (unsigned i = 0; i < p->nr_chunks; i++) {
		const struct load_chunk *a = &p->chunk[i];
		int rc = ld_check_chunk(ld, a);
		if (rc)
			return rc;
		for (unsigned j = 0; j < i; j++) {
			const struct load_chunk *b = &p->chunk[j];
			/* Both ranges are RAM, so the sums cannot wrap. */
			if (a->gpa < b->gpa + b->memsz && b->gpa < a->gpa + a->memsz)
				return ld_fail(ld, -ERANGE,
				               "%s and %s overlap in guest memory",
				               b->what, a->what);
		}
	}
	return 0;
}

/* ---- the API ------------------------------------------------------------ */

/* Checks that need no image: arguments, RAM below 1 MiB, command line. */
static int ld_check_setup(struct loader *ld, const struct x86_state *state)
{
	if (!ld->gm)
		return ld_fail(ld, -EINVAL, "no guest memory to load into");
	if (!state)
		return ld_fail(ld, -EINVAL, "no vCPU state to fill");
	if (!gmem_is_ram(ld->gm, 0, LOADER_IMAGE_MIN))
		return ld_fail(ld, -ENOMEM,
		               "guest RAM (%llu KiB) does not cover the first 1 MiB, where the boot data lives",
		               (unsigned long long)(ld->gm->size / KIB));
	if (ld->cmdline && strnlen(ld->cmdline, LOADER_CMDLINE_MAX) == LOADER_CMDLINE_MAX)
		return ld_fail(ld, -E2BIG,
		               "command line is %zu bytes; at most %d fit",
		               strlen(ld->cmdline), LOADER_CMDLINE_MAX - 1);
	return 0;
}

/* Plan, check, then commit (see the top of this file and loader.h). */
int loader_load(struct gmem *gm, const uint8_t *image, size_t size,
                const char *name, enum boot_protocol proto, const char *cmdline,
                struct x86_state *state, struct loader_result *res, char *err,
                size_t errlen)
{
	struct loader ld = {
		.gm = gm, .image = image, .size = image ? size : 0, /* NULL: empty */
		.name = name ? name : "image", .cmdline = cmdline,
		.err = err, .errlen = errlen,
	};
	int rc;

	if (err && errlen)
		err[0] = '\0';
	rc = ld_check_setup(&ld, state);
	if (!rc)
		rc = ld_plan_protocol(&ld, proto);
	if (!rc)
		rc = ld_check_chunks(&ld);
	/* Nothing has been written to guest memory up to here. */
	if (!rc)
		rc = ld_write_image(&ld);
	if (!rc)
		rc = ld_write_low_memory(&ld);
	if (rc)
		return rc;
	if (err && errlen)
		err[0] = '\0'; /* AUTO may have tried ELF and moved on */
	ld_fill_state(&ld, state);
	if (res)
		ld_fill_result(&ld, res);
	return 0;
}

static const char *const boot_protocol_names[] = {
	[BOOT_AUTO] = "auto",
	[BOOT_DIRECT64] = "direct64",
	[BOOT_PVH] = "pvh",
	[BOOT_MULTIBOOT] = "multiboot",
};

/* "auto", "direct64", "pvh", "multiboot"; "?" for anything else. */
const char *boot_protocol_name(enum boot_protocol proto)
{
	if ((unsigned)proto >= ARRAY_SIZE(boot_protocol_names))
		return "?";
	return boot_protocol_names[proto];
}

/* The inverse of boot_protocol_name; -1 if text names no protocol. */
int boot_protocol_parse(const char *text)
{
	for (unsigned i = 0; text && i < ARRAY_SIZE(boot_protocol_names); i++)
		if (strcmp(text, boot_protocol_names[i]) == 0)
			return (int)i;
	return -1;
}
