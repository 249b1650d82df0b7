/*
 * elf.h - a small, bounds-checked reader for x86 ELF executables.
 *
 * The loaders (loader.c) hand it a guest image exactly as it came from the
 * disk; it answers three questions without ever reading outside that buffer:
 * is this an ELF executable for x86 (elf_open), what are its program headers
 * (elf_phdr), and which notes does it carry (elf_note_next, elf_find_note).
 * It only reads: placing segments in guest memory is the loader's job.
 *
 * Supported: ELF32 and ELF64, little-endian, ET_EXEC, EM_386 or EM_X86_64.
 * Fields are read byte by byte (the buffer may be unaligned) through a
 * per-class table of field offsets, so one code path serves both classes.
 *
 * Invariants the functions guarantee to their callers:
 *   1. After elf_open succeeds, the whole program header table lies inside
 *      the buffer.
 *   2. A PT_LOAD or PT_NOTE header returned by elf_phdr has its file bytes
 *      [p_offset, p_offset + p_filesz) inside the buffer; a PT_LOAD also has
 *      p_filesz <= p_memsz and neither [p_paddr, +p_memsz) nor
 *      [p_vaddr, +p_memsz) wraps around the class's address space.
 *   3. A note returned by elf_note_next has its name and descriptor inside
 *      its PT_NOTE segment.
 *
 * Errors are -errno (-ENOEXEC for a malformed file) with one line in err
 * that names the offending field, e.g.
 *   "program header 2: p_offset+p_filesz (0x2100) beyond end of file
 *    (0x2000 bytes)".
 * The caller adds the file's name in front.
 */
#ifndef TRAPEZE_CORE_ELF_H
#define TRAPEZE_CORE_ELF_H

#include "types.h"

/* e_ident: the first 16 bytes of every ELF file. */
#define ELF_IDENT_SIZE 16
#define ELF_MAGIC "\177ELF"
#define ELF_MAGIC_SIZE 4
#define ELF_CLASS32 1 /* e_ident[EI_CLASS] */
#define ELF_CLASS64 2
#define ELF_DATA_LSB 1 /* e_ident[EI_DATA]: little-endian */
#define ELF_VERSION_CURRENT 1

#define ELF_TYPE_EXEC 2 /* e_type */
#define ELF_TYPE_DYN 3
#define ELF_MACHINE_386 3 /* e_machine */
#define ELF_MACHINE_X86_64 62

/* p_type values the loaders care about. */
#define ELF_PT_NULL 0
#define ELF_PT_LOAD 1
#define ELF_PT_NOTE 4

/* p_flags */
#define ELF_PF_X (1u << 0)
#define ELF_PF_W (1u << 1)
#define ELF_PF_R (1u << 2)

struct elf_layout; /* per-class field offsets, private to elf.c */

/* An opened ELF file: a view of the caller's buffer (nothing is copied). */
struct elf_file {
	const uint8_t *data;
	size_t size;
	unsigned elfclass;     /* ELF_CLASS32 or ELF_CLASS64 */
	uint16_t type;         /* e_type */
	uint16_t machine;      /* e_machine */
	uint64_t entry;        /* e_entry */
	uint64_t phoff;        /* e_phoff */
	uint16_t phentsize;    /* e_phentsize */
	uint16_t phnum;        /* e_phnum */
	const struct elf_layout *layout;
};

/* One program header, widened to 64 bits whatever the class. */
struct elf_phdr {
	unsigned index;
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

/* One note: name and desc point into the file buffer. */
struct elf_note {
	uint32_t type;
	uint32_t namesz, descsz;   /* namesz counts the terminating NUL */
	const uint8_t *name, *desc;
	uint64_t offset;           /* file offset of the note header */
};

/* Does the buffer start with the ELF magic?  (No other check.) */
bool elf_has_magic(const uint8_t *data, size_t size);

/*
 * Check the ELF header of data[0..size) and fill *elf.  Checks the magic,
 * class, byte order, both version fields, e_type (ET_EXEC), e_machine,
 * e_phentsize, and that the program header table lies inside the buffer.
 * Returns 0 or -ENOEXEC with err filled.
 */
int elf_open(struct elf_file *elf, const uint8_t *data, size_t size,
             char *err, size_t errlen);

/*
 * Read program header `index` (< elf->phnum) into *ph.  For PT_LOAD and
 * PT_NOTE, checks invariant 2 above; other types are returned unchecked
 * (the loaders ignore them).  Returns 0 or -ENOEXEC with err filled.
 */
int elf_phdr(const struct elf_file *elf, unsigned index, struct elf_phdr *ph,
             char *err, size_t errlen);

/*
 * Iterate over the notes of PT_NOTE segment *ph (from elf_phdr).  *cursor
 * starts at 0 and is advanced past each note.  Returns 1 with *note filled,
 * 0 when the segment has no more notes, or -ENOEXEC if a note header, name
 * or descriptor runs past the end of the segment.
 * Name and descriptor are padded so that offsets from the note's start are
 * multiples of 4, or of 8 when p_align is 8 (the ELF64 GNU property
 * convention).
 */
int elf_note_next(const struct elf_file *elf, const struct elf_phdr *ph,
                  uint64_t *cursor, struct elf_note *note, char *err,
                  size_t errlen);

/*
 * Find the first note named `name` (compared with its NUL) of type `type`
 * in any PT_NOTE segment.  Returns 1 with *note filled, 0 if there is none,
 * or -ENOEXEC if a PT_NOTE segment or a note in it is malformed.
 */
int elf_find_note(const struct elf_file *elf, const char *name, uint32_t type,
                  struct elf_note *note, char *err, size_t errlen);

/* Little-endian reads from a byte buffer (no alignment needed). */
uint16_t elf_get16(const uint8_t *p);
uint32_t elf_get32(const uint8_t *p);
uint64_t elf_get64(const uint8_t *p);

#endif
