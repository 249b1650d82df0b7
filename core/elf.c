/*
 * elf.c - the bounds-checked ELF reader behind the loaders (see elf.h).
 *
 * Data flow: loader.c passes the raw image buffer to elf_open(), then asks
 * for program headers and notes; the answers are plain structs (struct
 * elf_phdr, struct elf_note) whose offsets and sizes have already been
 * checked against the buffer, so the loader can copy from them directly.
 *
 * How the checks stay overflow-safe: sizes from the file are 32 or 64 bits,
 * so "offset + size <= file size" could wrap.  Every such test is written as
 * "offset <= limit && size <= limit - offset", which cannot.
 */
#include "elf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Offsets inside e_ident */
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6

/* Offsets of the fields both classes share */
#define E_TYPE 16
#define E_MACHINE 18
#define E_VERSION 20

#define ELF_PN_XNUM 0xffff /* "real e_phnum is in section header 0" */

/*
 * Where each field sits in one class's ELF header and program header.
 * `word` is the size of the address/offset fields (4 or 8 bytes).
 */
struct elf_layout {
	const char *name;
	unsigned word;
	uint64_t addr_end; /* addresses must end at or below this */
	unsigned ehdr_size, phdr_size;
	unsigned e_entry, e_phoff, e_phentsize, e_phnum;
	unsigned e_shoff, e_shentsize, e_shnum;
	unsigned p_type, p_flags, p_offset, p_vaddr, p_paddr;
	unsigned p_filesz, p_memsz, p_align;
};

static const struct elf_layout elf32_layout = {
	.name = "ELF32", .word = 4, .addr_end = 1ull << 32,
	.ehdr_size = 52, .phdr_size = 32,
	.e_entry = 24, .e_phoff = 28, .e_phentsize = 42, .e_phnum = 44,
	.e_shoff = 32, .e_shentsize = 46, .e_shnum = 48,
	.p_type = 0, .p_offset = 4, .p_vaddr = 8, .p_paddr = 12,
	.p_filesz = 16, .p_memsz = 20, .p_flags = 24, .p_align = 28,
};

static const struct elf_layout elf64_layout = {
	.name = "ELF64", .word = 8, .addr_end = UINT64_MAX,
	.ehdr_size = 64, .phdr_size = 56,
	.e_entry = 24, .e_phoff = 32, .e_phentsize = 54, .e_phnum = 56,
	.e_shoff = 40, .e_shentsize = 58, .e_shnum = 60,
	.p_type = 0, .p_flags = 4, .p_offset = 8, .p_vaddr = 16, .p_paddr = 24,
	.p_filesz = 32, .p_memsz = 40, .p_align = 48,
};

uint16_t elf_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t elf_get32(const uint8_t *p)
{
	return (uint32_t)elf_get16(p) | (uint32_t)elf_get16(p + 2) << 16;
}

uint64_t elf_get64(const uint8_t *p)
{
	return (uint64_t)elf_get32(p) | (uint64_t)elf_get32(p + 4) << 32;
}

/* A class-sized (4 or 8 byte) field at p. */
static uint64_t elf_get_word(const struct elf_layout *l, const uint8_t *p)
{
	return l->word == 8 ? elf_get64(p) : elf_get32(p);
}

/* Format one line into err (if any) and return -ENOEXEC. */
static int __attribute__((format(printf, 3, 4)))
elf_error(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -ENOEXEC;
}

/* Is [off, off + len) inside a buffer of `size` bytes?  Overflow-safe. */
static bool elf_range_ok(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

bool elf_has_magic(const uint8_t *data, size_t size)
{
	return data && size >= ELF_MAGIC_SIZE &&
	       memcmp(data, ELF_MAGIC, ELF_MAGIC_SIZE) == 0;
}

/* Check e_ident and pick the class layout.  Contract as elf_open. */
static int elf_check_ident(struct elf_file *elf, char *err, size_t errlen)
{
	const uint8_t *d = elf->data;

	if (!elf_has_magic(d, elf->size))
		return elf_error(err, errlen, "not an ELF file (no \\177ELF magic)");
	if (elf->size < ELF_IDENT_SIZE)
		return elf_error(err, errlen,
		                 "file is %zu bytes, too short for e_ident (%d bytes)",
		                 elf->size, ELF_IDENT_SIZE);
	if (d[EI_CLASS] == ELF_CLASS32)
		elf->layout = &elf32_layout;
	else if (d[EI_CLASS] == ELF_CLASS64)
		elf->layout = &elf64_layout;
	else
		return elf_error(err, errlen,
		                 "e_ident[EI_CLASS] %u is neither ELFCLASS32 (1) nor ELFCLASS64 (2)",
		                 d[EI_CLASS]);
	elf->elfclass = d[EI_CLASS];
	if (d[EI_DATA] != ELF_DATA_LSB)
		return elf_error(err, errlen,
		                 "e_ident[EI_DATA] %u is not little-endian (1)",
		                 d[EI_DATA]);
	if (d[EI_VERSION] != ELF_VERSION_CURRENT)
		return elf_error(err, errlen, "e_ident[EI_VERSION] %u is not 1",
		                 d[EI_VERSION]);
	if (elf->size < elf->layout->ehdr_size)
		return elf_error(err, errlen,
		                 "file is %zu bytes, shorter than the %s header (%u bytes)",
		                 elf->size, elf->layout->name, elf->layout->ehdr_size);
	return 0;
}

/* Check e_type, e_machine and e_version.  Contract as elf_open. */
static int elf_check_kind(struct elf_file *elf, char *err, size_t errlen)
{
	const uint8_t *d = elf->data;
	uint32_t version = elf_get32(d + E_VERSION);

	elf->type = elf_get16(d + E_TYPE);
	elf->machine = elf_get16(d + E_MACHINE);
	if (elf->type != ELF_TYPE_EXEC)
		return elf_error(err, errlen,
		                 "e_type %u%s is not ET_EXEC (2): only static, non-PIE executables can be loaded",
		                 elf->type,
		                 elf->type == ELF_TYPE_DYN ? " (ET_DYN)" : "");
	if (elf->machine != ELF_MACHINE_386 && elf->machine != ELF_MACHINE_X86_64)
		return elf_error(err, errlen,
		                 "e_machine %u is not EM_386 (3) or EM_X86_64 (62)",
		                 elf->machine);
	if (version != ELF_VERSION_CURRENT)
		return elf_error(err, errlen, "e_version %u is not 1", version);
	return 0;
}

/* Read and check the program header table's position.  As elf_open. */
static int elf_check_phdrs(struct elf_file *elf, char *err, size_t errlen)
{
	const struct elf_layout *l = elf->layout;
	const uint8_t *d = elf->data;

	elf->entry = elf_get_word(l, d + l->e_entry);
	elf->phoff = elf_get_word(l, d + l->e_phoff);
	elf->phentsize = elf_get16(d + l->e_phentsize);
	elf->phnum = elf_get16(d + l->e_phnum);
	if (elf->phnum == 0)
		return elf_error(err, errlen,
		                 "e_phnum is 0: no program headers, nothing to load");
	if (elf->phnum == ELF_PN_XNUM)
		return elf_error(err, errlen,
		                 "e_phnum 0xffff (PN_XNUM, extended numbering) is not supported");
	if (elf->phentsize != l->phdr_size)
		return elf_error(err, errlen,
		                 "e_phentsize %u is not %u (the %s program header size)",
		                 elf->phentsize, l->phdr_size, l->name);
	/* phnum and phentsize are 16-bit: the product cannot overflow. */
	uint64_t table = (uint64_t)elf->phnum * elf->phentsize;
	if (!elf_range_ok(elf->phoff, table, elf->size))
		return elf_error(err, errlen,
		                 "e_phoff (0x%llx) + e_phnum*e_phentsize (0x%llx) beyond end of file (0x%zx bytes)",
		                 (unsigned long long)elf->phoff,
		                 (unsigned long long)table, elf->size);
	return 0;
}

/* The section header table is not needed to load, but linkers put it at
 * the end of the file: if it is missing, the file was cut short, and a
 * truncated image is refused rather than half trusted.  As elf_open. */
static int elf_check_shdrs(const struct elf_file *elf, char *err, size_t errlen)
{
	const struct elf_layout *l = elf->layout;
	uint64_t shoff = elf_get_word(l, elf->data + l->e_shoff);
	uint64_t table = (uint64_t)elf_get16(elf->data + l->e_shnum) *
	                 elf_get16(elf->data + l->e_shentsize);

	if (shoff == 0 || table == 0)
		return 0; /* no section headers: nothing to check */
	if (!elf_range_ok(shoff, table, elf->size))
		return elf_error(err, errlen,
		                 "e_shoff (0x%llx) + e_shnum*e_shentsize (0x%llx) beyond end of file (0x%zx bytes): the file is truncated",
		                 (unsigned long long)shoff, (unsigned long long)table,
		                 elf->size);
	return 0;
}

int elf_open(struct elf_file *elf, const uint8_t *data, size_t size,
             char *err, size_t errlen)
{
	int rc;

	memset(elf, 0, sizeof(*elf));
	elf->data = data;
	elf->size = data ? size : 0;
	rc = elf_check_ident(elf, err, errlen);
	if (!rc)
		rc = elf_check_kind(elf, err, errlen);
	if (!rc)
		rc = elf_check_phdrs(elf, err, errlen);
	if (!rc)
		rc = elf_check_shdrs(elf, err, errlen);
	return rc;
}

/* Does [addr, addr + len) stay inside the class's address space? */
static bool elf_addr_ok(const struct elf_layout *l, uint64_t addr, uint64_t len)
{
	return addr <= l->addr_end && len <= l->addr_end - addr;
}

/* Check invariant 2 of elf.h for a PT_LOAD or PT_NOTE header. */
static int elf_check_segment(const struct elf_file *elf,
                             const struct elf_phdr *ph, char *err,
                             size_t errlen)
{
	const struct elf_layout *l = elf->layout;

	if (!elf_range_ok(ph->offset, ph->filesz, elf->size))
		return elf_error(err, errlen,
		                 "program header %u: p_offset+p_filesz (0x%llx + 0x%llx) beyond end of file (0x%zx bytes)",
		                 ph->index, (unsigned long long)ph->offset,
		                 (unsigned long long)ph->filesz, elf->size);
	if (ph->type != ELF_PT_LOAD)
		return 0;
	if (ph->filesz > ph->memsz)
		return elf_error(err, errlen,
		                 "program header %u: p_filesz (0x%llx) larger than p_memsz (0x%llx)",
		                 ph->index, (unsigned long long)ph->filesz,
		                 (unsigned long long)ph->memsz);
	if (!elf_addr_ok(l, ph->paddr, ph->memsz))
		return elf_error(err, errlen,
		                 "program header %u: p_paddr+p_memsz (0x%llx + 0x%llx) wraps around the %s address space",
		                 ph->index, (unsigned long long)ph->paddr,
		                 (unsigned long long)ph->memsz, l->name);
	if (!elf_addr_ok(l, ph->vaddr, ph->memsz))
		return elf_error(err, errlen,
		                 "program header %u: p_vaddr+p_memsz (0x%llx + 0x%llx) wraps around the %s address space",
		                 ph->index, (unsigned long long)ph->vaddr,
		                 (unsigned long long)ph->memsz, l->name);
	return 0;
}

int elf_phdr(const struct elf_file *elf, unsigned index, struct elf_phdr *ph,
             char *err, size_t errlen)
{
	const struct elf_layout *l = elf->layout;

	if (index >= elf->phnum)
		return elf_error(err, errlen,
		                 "program header %u: index beyond e_phnum (%u)", index,
		                 elf->phnum);
	/* Inside the buffer by invariant 1 (elf_open checked the table). */
	const uint8_t *p = elf->data + elf->phoff + (uint64_t)index * l->phdr_size;

	memset(ph, 0, sizeof(*ph));
	ph->index = index;
	ph->type = elf_get32(p + l->p_type);
	ph->flags = elf_get32(p + l->p_flags);
	ph->offset = elf_get_word(l, p + l->p_offset);
	ph->vaddr = elf_get_word(l, p + l->p_vaddr);
	ph->paddr = elf_get_word(l, p + l->p_paddr);
	ph->filesz = elf_get_word(l, p + l->p_filesz);
	ph->memsz = elf_get_word(l, p + l->p_memsz);
	ph->align = elf_get_word(l, p + l->p_align);
	if (ph->type == ELF_PT_LOAD || ph->type == ELF_PT_NOTE)
		return elf_check_segment(elf, ph, err, errlen);
	return 0;
}

/* Round v up to a multiple of `align` (a power of two); v < 2^63 here. */
static uint64_t elf_align_up(uint64_t v, uint64_t align)
{
	return (v + align - 1) & ~(align - 1);
}

#define ELF_NOTE_HEADER_SIZE 12 /* namesz, descsz, type: 32 bits each */
#define ELF_NOTE_ALIGN 4
#define ELF_NOTE_ALIGN_WIDE 8

int elf_note_next(const struct elf_file *elf, const struct elf_phdr *ph,
                  uint64_t *cursor, struct elf_note *note, char *err,
                  size_t errlen)
{
	uint64_t align = ph->align == ELF_NOTE_ALIGN_WIDE ? ELF_NOTE_ALIGN_WIDE
	                                                  : ELF_NOTE_ALIGN;
	uint64_t pos = *cursor, end = ph->filesz; /* relative to p_offset */
	const uint8_t *seg = elf->data + ph->offset; /* invariant 2 */

	if (pos >= end)
		return 0;
	if (end - pos < ELF_NOTE_HEADER_SIZE)
		return elf_error(err, errlen,
		                 "program header %u (PT_NOTE): note at +0x%llx: header (12 bytes) runs past the end of the segment (0x%llx bytes)",
		                 ph->index, (unsigned long long)pos,
		                 (unsigned long long)end);
	memset(note, 0, sizeof(*note));
	note->offset = ph->offset + pos;
	note->namesz = elf_get32(seg + pos);
	note->descsz = elf_get32(seg + pos + 4);
	note->type = elf_get32(seg + pos + 8);

	uint64_t name_off = pos + ELF_NOTE_HEADER_SIZE;
	if (!elf_range_ok(name_off, note->namesz, end))
		return elf_error(err, errlen,
		                 "program header %u (PT_NOTE): note at +0x%llx: namesz (0x%x) runs past the end of the segment (0x%llx bytes)",
		                 ph->index, (unsigned long long)pos, note->namesz,
		                 (unsigned long long)end);
	/* Padding aligns offsets from the note's start (header included). */
	uint64_t desc_off = elf_align_up(name_off + note->namesz, align);
	if (!elf_range_ok(desc_off, note->descsz, end))
		return elf_error(err, errlen,
		                 "program header %u (PT_NOTE): note at +0x%llx: descsz (0x%x) runs past the end of the segment (0x%llx bytes)",
		                 ph->index, (unsigned long long)pos, note->descsz,
		                 (unsigned long long)end);
	note->name = seg + name_off;
	note->desc = seg + desc_off;
	/* The last note's padding may be missing; the next call then ends. */
	*cursor = elf_align_up(desc_off + note->descsz, align);
	return 1;
}

/* Does the note carry exactly `name` (with its NUL)? */
static bool elf_note_named(const struct elf_note *note, const char *name)
{
	size_t len = strlen(name) + 1;

	return note->namesz == len && memcmp(note->name, name, len) == 0;
}

int elf_find_note(const struct elf_file *elf, const char *name, uint32_t type,
                  struct elf_note *note, char *err, size_t errlen)
{
	for (unsigned i = 0; i < elf->phnum; i++) {
		struct elf_phdr ph;
		int rc = elf_phdr(elf, i, &ph, err, errlen);

		if (rc < 0)
			return rc;
		if (ph.type != ELF_PT_NOTE)
			continue;
		uint64_t cursor = 0;
		while ((rc = elf_note_next(elf, &ph, &cursor, note, err, errlen)) > 0)
			if (note->type == type && elf_note_named(note, name))
				return 1;
		if (rc < 0)
			return rc;
	}
	return 0;
}
