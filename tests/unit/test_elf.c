/*
 * test_elf.c - unit tests for the ELF reader (core/elf.c).
 *
 * Each test writes a small ELF file byte by byte into a buffer (a header,
 * a program header table, segment bytes and notes), then checks what
 * elf_open / elf_phdr / elf_note_next / elf_find_note make of it: the
 * fields of a good file, and for a bad one the error code and a message
 * that names the bad field.  A last test feeds every truncation of a good
 * file, in a buffer of exactly that size, so that the sanitizer build
 * catches any read past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>

#include "core/elf.h"

#define FILE_CAP 0x400
#define DATA_OFF 0x100 /* where segment bytes start in the test files */
#define ERR_LEN 256

/* ---- a tiny ELF writer -------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* An address-sized field: 4 bytes in ELF32, 8 in ELF64. */
static void putw(uint8_t *p, int cls, uint64_t v)
{
	if (cls == ELF_CLASS64)
		put64(p, v);
	else
		put32(p, (uint32_t)v);
}

struct tphdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

static unsigned ehdr_size(int cls) { return cls == ELF_CLASS64 ? 64 : 52; }
static unsigned phdr_size(int cls) { return cls == ELF_CLASS64 ? 56 : 32; }

/* Write an x86 ET_EXEC header with phnum headers right after it. */
static void put_ehdr(uint8_t *b, int cls, uint64_t entry, uint16_t phnum)
{
	bool is64 = cls == ELF_CLASS64;

	memset(b, 0, ehdr_size(cls));
	memcpy(b, ELF_MAGIC, ELF_MAGIC_SIZE);
	b[4] = (uint8_t)cls;
	b[5] = ELF_DATA_LSB;
	b[6] = ELF_VERSION_CURRENT;
	put16(b + 16, ELF_TYPE_EXEC);
	put16(b + 18, is64 ? ELF_MACHINE_X86_64 : ELF_MACHINE_386);
	put32(b + 20, ELF_VERSION_CURRENT);
	putw(b + 24, cls, entry);
	putw(b + (is64 ? 32 : 28), cls, ehdr_size(cls)); /* e_phoff */
	put16(b + (is64 ? 52 : 40), (uint16_t)ehdr_size(cls));
	put16(b + (is64 ? 54 : 42), (uint16_t)phdr_size(cls));
	put16(b + (is64 ? 56 : 44), phnum);
}

/* Write program header i (the table follows the ELF header). */
static void put_phdr(uint8_t *b, int cls, unsigned i, const struct tphdr *ph)
{
	uint8_t *p = b + ehdr_size(cls) + i * phdr_size(cls);

	put32(p, ph->type);
	if (cls == ELF_CLASS64) {
		put32(p + 4, ph->flags);
		put64(p + 8, ph->offset);
		put64(p + 16, ph->vaddr);
		put64(p + 24, ph->paddr);
		put64(p + 32, ph->filesz);
		put64(p + 40, ph->memsz);
		put64(p + 48, ph->align);
	} else {
		put32(p + 4, (uint32_t)ph->offset);
		put32(p + 8, (uint32_t)ph->vaddr);
		put32(p + 12, (uint32_t)ph->paddr);
		put32(p + 16, (uint32_t)ph->filesz);
		put32(p + 20, (uint32_t)ph->memsz);
		put32(p + 24, ph->flags);
		put32(p + 28, (uint32_t)ph->align);
	}
}

/* Write a note at p; returns its size with padding to `align`. */
static size_t put_note(uint8_t *p, const char *name, uint32_t type,
                       const void *desc, uint32_t descsz, unsigned align)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1;
	/* Padding aligns offsets measured from the note's start. */
	size_t name_pad = (12 + namesz + align - 1) / align * align - 12;
	size_t desc_pad = (descsz + align - 1) / align * align;

	put32(p, namesz);
	put32(p + 4, descsz);
	put32(p + 8, type);
	memset(p + 12, 0, name_pad + desc_pad);
	memcpy(p + 12, name, namesz);
	memcpy(p + 12 + name_pad, desc, descsz);
	return 12 + name_pad + desc_pad;
}

/*
 * The standard test file: PT_LOAD (0x40 bytes at DATA_OFF, memsz 0x1000,
 * paddr 0x100000, vaddr 0xc0100000) and PT_NOTE with two notes
 * ("GNU" type 3, then "Xen" type 18 with a 4-byte desc).
 */
struct tfile {
	uint8_t b[FILE_CAP];
	size_t size;
	int cls;
	size_t note_size;
};

static void make_file(struct tfile *f, int cls)
{
	uint8_t build_id[3] = { 1, 2, 3 };
	uint32_t entry = 0x100010;
	size_t note_off = DATA_OFF + 0x40;

	memset(f, 0, sizeof(*f));
	f->cls = cls;
	put_ehdr(f->b, cls, 0xc0100010, 2);
	for (unsigned i = 0; i < 0x40; i++)
		f->b[DATA_OFF + i] = (uint8_t)(0x90 + i);
	size_t n = put_note(f->b + note_off, "GNU", 3, build_id, 3, 4);
	n += put_note(f->b + note_off + n, "Xen", 18, &entry, 4, 4);
	f->note_size = n;
	struct tphdr load = { .type = ELF_PT_LOAD, .flags = ELF_PF_R | ELF_PF_X,
	                      .offset = DATA_OFF, .vaddr = 0xc0100000,
	                      .paddr = 0x100000, .filesz = 0x40,
	                      .memsz = 0x1000, .align = 0x1000 };
	struct tphdr note = { .type = ELF_PT_NOTE, .flags = ELF_PF_R,
	                      .offset = note_off, .filesz = n, .memsz = n,
	                      .align = 4 };
	put_phdr(f->b, cls, 0, &load);
	put_phdr(f->b, cls, 1, &note);
	f->size = note_off + n;
}

/* Offsets of header fields that the malformed-file tests overwrite. */
static size_t off_phoff(int cls) { return cls == ELF_CLASS64 ? 32 : 28; }
static size_t off_phnum(int cls) { return cls == ELF_CLASS64 ? 56 : 44; }
static size_t off_phentsize(int cls) { return cls == ELF_CLASS64 ? 54 : 42; }

/* Offset of a field of program header i, by its ELF64 field order. */
enum pfield { PF_OFFSET, PF_VADDR, PF_PADDR, PF_FILESZ, PF_MEMSZ };
static size_t off_pfield(int cls, unsigned i, enum pfield f)
{
	static const unsigned off64[] = { 8, 16, 24, 32, 40 };
	static const unsigned off32[] = { 4, 8, 12, 16, 20 };
	size_t base = ehdr_size(cls) + i * phdr_size(cls);

	return base + (cls == ELF_CLASS64 ? off64[f] : off32[f]);
}

static void set_pfield(struct tfile *f, unsigned i, enum pfield field,
                       uint64_t v)
{
	putw(f->b + off_pfield(f->cls, i, field), f->cls, v);
}

/* ---- helpers ----------------------------------------------------------- */

/* Open the file and read all its headers and notes; first error wins. */
static int open_all(const struct tfile *f, char *err)
{
	struct elf_file elf;
	int rc = elf_open(&elf, f->b, f->size, err, ERR_LEN);

	for (unsigned i = 0; !rc && i < elf.phnum; i++) {
		struct elf_phdr ph;
		rc = elf_phdr(&elf, i, &ph, err, ERR_LEN);
		if (rc || ph.type != ELF_PT_NOTE)
			continue;
		struct elf_note note;
		uint64_t cursor = 0;
		while ((rc = elf_note_next(&elf, &ph, &cursor, &note, err,
		                           ERR_LEN)) > 0)
			;
	}
	return rc;
}

/* Assert that the file fails with -ENOEXEC and a message containing s. */
static void expect_error(const struct tfile *f, const char *s)
{
	char err[ERR_LEN] = "";
	int rc = open_all(f, err);

	if (rc != -ENOEXEC || !strstr(err, s))
		fail_msg("expected -ENOEXEC and \"%s\", got %d \"%s\"", s, rc, err);
}

/* ---- good files -------------------------------------------------------- */

static void check_good_file(int cls)
{
	struct tfile f;
	struct elf_file elf;
	struct elf_phdr ph;
	char err[ERR_LEN] = "";

	make_file(&f, cls);
	assert_int_equal(elf_open(&elf, f.b, f.size, err, sizeof(err)), 0);
	assert_int_equal(elf.elfclass, cls);
	assert_int_equal(elf.machine, cls == ELF_CLASS64 ? ELF_MACHINE_X86_64
	                                                 : ELF_MACHINE_386);
	assert_int_equal(elf.entry, 0xc0100010);
	assert_int_equal(elf.phnum, 2);
	assert_int_equal(elf_phdr(&elf, 0, &ph, err, sizeof(err)), 0);
	assert_int_equal(ph.type, ELF_PT_LOAD);
	assert_int_equal(ph.flags, ELF_PF_R | ELF_PF_X);
	assert_int_equal(ph.offset, DATA_OFF);
	assert_int_equal(ph.vaddr, 0xc0100000);
	assert_int_equal(ph.paddr, 0x100000);
	assert_int_equal(ph.filesz, 0x40);
	assert_int_equal(ph.memsz, 0x1000);
	assert_int_equal(ph.align, 0x1000);
	assert_int_equal(elf_phdr(&elf, 1, &ph, err, sizeof(err)), 0);
	assert_int_equal(ph.type, ELF_PT_NOTE);
	assert_int_equal(ph.index, 1);
	assert_int_equal(elf_phdr(&elf, 2, &ph, err, sizeof(err)), -ENOEXEC);
	assert_non_null(strstr(err, "beyond e_phnum"));
}

static void test_good_elf32(void **st) { check_good_file(ELF_CLASS32); }
static void test_good_elf64(void **st) { check_good_file(ELF_CLASS64); }

static void test_notes_iterate(void **st)
{
	struct tfile f;
	struct elf_file elf;
	struct elf_phdr ph;
	struct elf_note note;
	uint64_t cursor = 0;
	char err[ERR_LEN] = "";

	make_file(&f, ELF_CLASS64);
	assert_int_equal(elf_open(&elf, f.b, f.size, err, sizeof(err)), 0);
	assert_int_equal(elf_phdr(&elf, 1, &ph, err, sizeof(err)), 0);
	assert_int_equal(elf_note_next(&elf, &ph, &cursor, &note, err, ERR_LEN), 1);
	assert_int_equal(note.type, 3);
	assert_int_equal(note.namesz, 4);
	assert_memory_equal(note.name, "GNU", 4);
	assert_int_equal(note.descsz, 3);
	assert_int_equal(note.desc[2], 3);
	assert_int_equal(note.offset, DATA_OFF + 0x40);
	assert_int_equal(elf_note_next(&elf, &ph, &cursor, &note, err, ERR_LEN), 1);
	assert_int_equal(note.type, 18);
	assert_int_equal(elf_get32(note.desc), 0x100010);
	assert_int_equal(elf_note_next(&elf, &ph, &cursor, &note, err, ERR_LEN), 0);
}

static void test_find_note(void **st)
{
	struct tfile f;
	struct elf_file elf;
	struct elf_note note;
	char err[ERR_LEN] = "";

	make_file(&f, ELF_CLASS32);
	assert_int_equal(elf_open(&elf, f.b, f.size, err, sizeof(err)), 0);
	assert_int_equal(elf_find_note(&elf, "Xen", 18, &note, err, ERR_LEN), 1);
	assert_int_equal(elf_get32(note.desc), 0x100010);
	/* Name and type must both match; the name is compared with its NUL. */
	assert_int_equal(elf_find_note(&elf, "Xe", 18, &note, err, ERR_LEN), 0);
	assert_int_equal(elf_find_note(&elf, "Xen", 19, &note, err, ERR_LEN), 0);
	assert_int_equal(elf_find_note(&elf, "GNU", 3, &note, err, ERR_LEN), 1);
	/* namesz 3: the name is "Xen" without its NUL -- not our note. */
	put32(f.b + DATA_OFF + 0x40 + 20, 3);
	assert_int_equal(elf_find_note(&elf, "Xen", 18, &note, err, ERR_LEN), 0);
}

/* With p_align 8 (ELF64 GNU property style), notes are 8-byte padded. */
static void test_notes_align8(void **st)
{
	struct tfile f;
	struct elf_file elf;
	struct elf_note note;
	char err[ERR_LEN] = "";
	uint32_t a = 0xaaaa, b = 0xbbbb;

	make_file(&f, ELF_CLASS64);
	size_t n = put_note(f.b + DATA_OFF + 0x40, "ABCDE", 1, &a, 4, 8);
	n += put_note(f.b + DATA_OFF + 0x40 + n, "Xen", 18, &b, 4, 8);
	set_pfield(&f, 1, PF_FILESZ, n);
	put64(f.b + ehdr_size(ELF_CLASS64) + phdr_size(ELF_CLASS64) + 48, 8);
	f.size = DATA_OFF + 0x40 + n;
	assert_int_equal(elf_open(&elf, f.b, f.size, err, sizeof(err)), 0);
	assert_int_equal(elf_find_note(&elf, "Xen", 18, &note, err, ERR_LEN), 1);
	assert_int_equal(elf_get32(note.desc), 0xbbbb);
}

/* ---- malformed ELF headers -------------------------------------------- */

static void test_bad_ident(void **st)
{
	struct tfile f;

	make_file(&f, ELF_CLASS64);
	f.size = 0;
	expect_error(&f, "not an ELF file");
	f.size = 10;
	expect_error(&f, "too short for e_ident");
	f.size = 40;
	expect_error(&f, "shorter than the ELF64 header (64 bytes)");
	make_file(&f, ELF_CLASS64);
	f.b[0] = 0x7e;
	expect_error(&f, "no \\177ELF magic");
	make_file(&f, ELF_CLASS64);
	f.b[4] = 3;
	expect_error(&f, "e_ident[EI_CLASS] 3");
	make_file(&f, ELF_CLASS64);
	f.b[5] = 2;
	expect_error(&f, "e_ident[EI_DATA] 2 is not little-endian");
	make_file(&f, ELF_CLASS64);
	f.b[6] = 0;
	expect_error(&f, "e_ident[EI_VERSION] 0");
}

static void test_bad_kind(void **st)
{
	struct tfile f;

	make_file(&f, ELF_CLASS32);
	put16(f.b + 16, ELF_TYPE_DYN);
	expect_error(&f, "e_type 3 (ET_DYN) is not ET_EXEC");
	make_file(&f, ELF_CLASS32);
	put16(f.b + 18, 40); /* EM_ARM */
	expect_error(&f, "e_machine 40");
	make_file(&f, ELF_CLASS32);
	put32(f.b + 20, 2);
	expect_error(&f, "e_version 2 is not 1");
}

static void test_bad_phdr_table(void **st)
{
	struct tfile f;

	make_file(&f, ELF_CLASS64);
	put16(f.b + off_phnum(ELF_CLASS64), 0);
	expect_error(&f, "e_phnum is 0");
	make_file(&f, ELF_CLASS64);
	put16(f.b + off_phnum(ELF_CLASS64), 0xffff);
	expect_error(&f, "PN_XNUM");
	make_file(&f, ELF_CLASS64);
	put16(f.b + off_phentsize(ELF_CLASS64), 32);
	expect_error(&f, "e_phentsize 32 is not 56");
	make_file(&f, ELF_CLASS64);
	put64(f.b + off_phoff(ELF_CLASS64), f.size - 0x10);
	expect_error(&f, "e_phoff (0x");
	make_file(&f, ELF_CLASS64);
	put64(f.b + off_phoff(ELF_CLASS64), UINT64_MAX - 8); /* would wrap */
	expect_error(&f, "beyond end of file");
	make_file(&f, ELF_CLASS32);
	put32(f.b + off_phoff(ELF_CLASS32), 0xffffffff);
	expect_error(&f, "e_phoff (0xffffffff)");
}

/* ---- malformed program headers ---------------------------------------- */

static void test_segment_beyond_file(void **st)
{
	struct tfile f;

	make_file(&f, ELF_CLASS64);
	set_pfield(&f, 0, PF_FILESZ, f.size);
	expect_error(&f, "program header 0: p_offset+p_filesz");
	make_file(&f, ELF_CLASS64);
	set_pfield(&f, 0, PF_OFFSET, UINT64_MAX - 0x10); /* offset+size wraps */
	expect_error(&f, "beyond end of file");
	make_file(&f, ELF_CLASS32);
	set_pfield(&f, 1, PF_OFFSET, f.size - 4); /* the PT_NOTE one */
	expect_error(&f, "program header 1: p_offset+p_filesz");
}

static void test_filesz_above_memsz(void **st)
{
	struct tfile f;

	make_file(&f, ELF_CLASS32);
	set_pfield(&f, 0, PF_MEMSZ, 0x20);
	expect_error(&f, "program header 0: p_filesz (0x40) larger than p_memsz (0x20)");
}

static void test_address_wrap(void **st)
{
	struct tfile f;

	make_file(&f, ELF_CLASS64);
	set_pfield(&f, 0, PF_PADDR, 0xfffffffffffff000ull);
	expect_error(&f, "p_paddr+p_memsz (0xfffffffffffff000 + 0x1000) wraps");
	make_file(&f, ELF_CLASS64);
	set_pfield(&f, 0, PF_VADDR, UINT64_MAX);
	expect_error(&f, "p_vaddr+p_memsz");
	make_file(&f, ELF_CLASS32);
	set_pfield(&f, 0, PF_PADDR, 0xfffff800);
	expect_error(&f, "wraps around the ELF32 address space");
	/* Ending exactly at 4 GiB is allowed in ELF32. */
	make_file(&f, ELF_CLASS32);
	set_pfield(&f, 0, PF_PADDR, 0xfffff000);
	char err[ERR_LEN] = "";
	assert_int_equal(open_all(&f, err), 0);
}

/* ---- malformed notes --------------------------------------------------- */

static void test_note_runs_past_segment(void **st)
{
	struct tfile f;
	size_t note = DATA_OFF + 0x40;

	make_file(&f, ELF_CLASS64);
	set_pfield(&f, 1, PF_FILESZ, 8); /* not even one header */
	expect_error(&f, "header (12 bytes) runs past the end of the segment");
	make_file(&f, ELF_CLASS64);
	put32(f.b + note, 0x100); /* namesz */
	expect_error(&f, "namesz (0x100) runs past the end of the segment");
	make_file(&f, ELF_CLASS64);
	put32(f.b + note, 0xffffffff); /* namesz that would wrap a 32-bit sum */
	expect_error(&f, "namesz (0xffffffff)");
	make_file(&f, ELF_CLASS64);
	put32(f.b + note + 4, 0xfffffff0); /* descsz */
	expect_error(&f, "descsz (0xfffffff0) runs past");
	make_file(&f, ELF_CLASS32);
	set_pfield(&f, 1, PF_FILESZ, f.note_size - 2); /* last desc cut */
	expect_error(&f, "program header 1 (PT_NOTE): note at +0x14: descsz (0x4)");
}

/* ---- every truncation, in an exact-size buffer ------------------------- */

static void test_truncations(void **st)
{
	for (int cls = ELF_CLASS32; cls <= ELF_CLASS64; cls++) {
		struct tfile f;
		make_file(&f, cls);
		for (size_t len = 0; len <= f.size; len++) {
			uint8_t *copy = malloc(len ? len : 1);
			struct elf_file elf;
			struct elf_note note;
			char err[ERR_LEN] = "";
			memcpy(copy, f.b, len);
			int rc = elf_open(&elf, copy, len, err, sizeof(err));
			if (rc == 0)
				rc = elf_find_note(&elf, "Xen", 18, &note, err, ERR_LEN);
			/* Only the complete file has the whole note segment. */
			assert_int_equal(rc, len == f.size ? 1 : -ENOEXEC);
			if (rc < 0)
				assert_true(strlen(err) > 0);
			free(copy);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_elf32),
		cmocka_unit_test(test_good_elf64),
		cmocka_unit_test(test_notes_iterate),
		cmocka_unit_test(test_find_note),
		cmocka_unit_test(test_notes_align8),
		cmocka_unit_test(test_bad_ident),
		cmocka_unit_test(test_bad_kind),
		cmocka_unit_test(test_bad_phdr_table),
		cmocka_unit_test(test_segment_beyond_file),
		cmocka_unit_test(test_filesz_above_memsz),
		cmocka_unit_test(test_address_wrap),
		cmocka_unit_test(test_note_runs_past_segment),
		cmocka_unit_test(test_truncations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
