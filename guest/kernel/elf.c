/*
 * elf.c - the program loader (see elf.h).
 *
 * An ELF64 executable starts with a file header that points at a table
 * of program headers; each PT_LOAD program header says "map memsz bytes
 * at vaddr, of which the first filesz come from the file at offset":
 *
 *   file                              memory
 *   +-------------+
 *   | ELF header  |--- phoff -+
 *   +-------------+           |
 *   | prog header |<----------+       vaddr  +------------------+
 *   | prog header |---+               (page  | filesz bytes     |
 *   +-------------+   |               align) | copied from file |
 *   |   ...       |   |                      +------------------+
 *   | segment     |<--+ offset               | memsz - filesz   |
 *   +-------------+                          | zeros (bss)      |
 *                                            +------------------+
 *
 * Pages are fresh zeroed frames (uvm_map_zeroed), so only the file bytes
 * need copying.  Permissions come from the segment flags: writable if
 * PF_W, executable if PF_X (NX otherwise).
 */
#include "elf.h"

#include "abi.h"
#include "frame.h"
#include "kernel.h"

#define ELF_MAGIC   0x464c457f /* "\x7fELF" read as little endian */
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define ET_EXEC     2
#define EM_X86_64   62
#define PT_LOAD     1
#define PF_X        1
#define PF_W        2

struct elf64_ehdr {
	uint32_t magic;
	uint8_t class, data, version, osabi, pad[8];
	uint16_t type, machine;
	uint32_t version2;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

/* Print why the image was refused; returns -EINVAL for convenience. */
static int refuse(const char *why)
{
	printf("kernel: cannot load program: %s\n", why);
	return -EINVAL;
}

/* Check the file header and that the program header table is inside. */
static int check_header(const struct elf64_ehdr *eh, uint64_t size)
{
	if (size < sizeof(*eh) || eh->magic != ELF_MAGIC)
		return refuse("not an ELF file");
	if (eh->class != ELFCLASS64 || eh->data != ELFDATA2LSB ||
	    eh->machine != EM_X86_64 || eh->type != ET_EXEC)
		return refuse("not a little-endian x86-64 executable");
	if (eh->phentsize != sizeof(struct elf64_phdr) || eh->phoff > size ||
	    (uint64_t)eh->phnum * sizeof(struct elf64_phdr) > size - eh->phoff)
		return refuse("bad program header table");
	return 0;
}

/* Check one PT_LOAD segment: in the file, in the image area, aligned. */
static int check_segment(const struct elf64_phdr *ph, uint64_t size)
{
	if (ph->offset > size || ph->filesz > size - ph->offset || ph->filesz > ph->memsz)
		return refuse("segment outside the file");
	if (ph->vaddr % PAGE_SIZE != 0 || ph->vaddr < USER_IMAGE_BASE ||
	    ph->memsz > USER_IMAGE_LIMIT - ph->vaddr)
		return refuse("segment not page aligned inside the user image area");
	return 0;
}

/* Map the pages of one segment and copy its file bytes. */
static int load_segment(struct uspace *us, const struct elf64_phdr *ph,
                        const uint8_t *image)
{
	bool writable = ph->flags & PF_W, exec = ph->flags & PF_X;

	for (uint64_t off = 0; off < ph->memsz; off += PAGE_SIZE) {
		uint8_t *page = uvm_map_zeroed(us, ph->vaddr + off, writable, exec);

		if (!page)
			return -ENOMEM;
		if (off < ph->filesz) {
			uint64_t n = ph->filesz - off;

			bulk_copy(page, image + ph->offset + off,
			          n < PAGE_SIZE ? n : PAGE_SIZE);
		}
	}
	return 0;
}

int elf_load(struct uspace *us, const uint8_t *image, uint64_t size, uint64_t *entry)
{
	const struct elf64_ehdr *eh = (const struct elf64_ehdr *)image;
	uint64_t end = USER_IMAGE_BASE;
	int err = check_header(eh, size);

	for (unsigned int i = 0; !err && i < eh->phnum; i++) {
		const struct elf64_phdr *ph =
		    (const struct elf64_phdr *)(image + eh->phoff) + i;

		if (ph->type != PT_LOAD)
			continue;
		err = check_segment(ph, size);
		if (!err)
			err = load_segment(us, ph, image);
		if (ph->vaddr + ph->memsz > end)
			end = ph->vaddr + ph->memsz;
	}
	/* Even after an error: uvm_destroy frees up to the break. */
	us->heap_base = us->brk = PAGE_ROUND_UP(end);
	*entry = err ? 0 : eh->entry;
	return err;
}
