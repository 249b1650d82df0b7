/*
 * imgcheck.c - a host-side check of guest images' ELF and boot headers.
 *
 * Runs after the images are linked (ctest: guest_imgcheck_*).  It reads an
 * image the way the loaders will and checks what a wrong linker script
 * would break silently:
 *
 *   every image    ELF64 x86-64 executable; each PT_LOAD identity mapped
 *                  (vaddr == paddr), at or above 1 MiB, inside the file;
 *                  the ELF entry inside a PT_LOAD
 *   --boot32       a PVH note (name "Xen", type PHYS32_ENTRY) in a PT_NOTE;
 *                  a multiboot header with a valid checksum in the file's
 *                  first 8 KiB, using the a.out kludge, whose addresses
 *                  describe exactly the PT_LOAD bytes (same file offset,
 *                  load_end = end of file data, bss_end = end of memory)
 *                  and whose entry is the PVH entry
 *   --direct64     neither a PVH note nor a multiboot header (the loader
 *                  would otherwise not pick direct64)
 *
 * Usage: imgcheck --boot32|--direct64 IMAGE.  Prints one line, exits 0
 * when the image is fine and 1 otherwise.
 */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bootproto.h"

/* Lowest address an image may load at (LOADER_IMAGE_MIN in core/loader.h). */
#define IMAGE_MIN_GPA 0x100000ull
#define NOTE_ALIGN    4
#define XEN_NOTE_NAME "Xen"

/* The image in memory, and what the checks found in it. */
struct image {
	const char *name;
	const uint8_t *data;
	size_t size;
	const Elf64_Ehdr *ehdr;
	const Elf64_Phdr *phdrs;
	char error[256]; /* first failure */
};

/* The multiboot header, where it was found. */
struct mb_found {
	const struct multiboot_header *hdr;
	size_t offset;
};

/* Record the first failure; returns false so checks can `return fail()`. */
static bool fail(struct image *img, const char *fmt, ...)
{
	va_list ap;

	if (img->error[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(img->error, sizeof(img->error), fmt, ap);
		va_end(ap);
	}
	return false;
}

/* Read the whole file into a malloc'ed buffer.  0 or -errno. */
static int read_file(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	long len;
	int err = 0;

	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		err = -errno;
		goto out;
	}
	*data = malloc(len ? (size_t)len : 1);
	if (!*data) {
		err = -ENOMEM;
		goto out;
	}
	if (fread(*data, 1, (size_t)len, f) != (size_t)len) {
		free(*data);
		err = -EIO;
		goto out;
	}
	*size = (size_t)len;
out:
	fclose(f);
	return err;
}

/* True if [off, off+len) lies inside the file. */
static bool in_file(const struct image *img, uint64_t off, uint64_t len)
{
	return off <= img->size && len <= img->size - off;
}

/* An ELF64 x86-64 executable whose program headers lie in the file. */
static bool check_elf_header(struct image *img)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img->data;

	if (img->size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return fail(img, "not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64)
		return fail(img, "not ELF64 little-endian x86-64");
	if (eh->e_type != ET_EXEC)
		return fail(img, "ELF type %u, want an executable", eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    !in_file(img, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)))
		return fail(img, "program headers outside the file");
	img->ehdr = eh;
	img->phdrs = (const Elf64_Phdr *)(img->data + eh->e_phoff);
	return true;
}

/* The PT_LOAD whose memory contains addr, or NULL. */
static const Elf64_Phdr *load_containing(const struct image *img, uint64_t addr)
{
	for (unsigned int i = 0; i < img->ehdr->e_phnum; i++) {
		const Elf64_Phdr *ph = &img->phdrs[i];

		if (ph->p_type == PT_LOAD && addr >= ph->p_vaddr &&
		    addr - ph->p_vaddr < ph->p_memsz)
			return ph;
	}
	return NULL;
}

/* Every PT_LOAD identity mapped at or above 1 MiB; the entry inside one. */
static bool check_loads(struct image *img)
{
	unsigned int nr_loads = 0;

	for (unsigned int i = 0; i < img->ehdr->e_phnum; i++) {
		const Elf64_Phdr *ph = &img->phdrs[i];

		if (ph->p_type != PT_LOAD)
			continue;
		nr_loads++;
		if (ph->p_vaddr != ph->p_paddr)
			return fail(img, "PT_LOAD %u: vaddr 0x%llx != paddr 0x%llx", i,
			            (unsigned long long)ph->p_vaddr,
			            (unsigned long long)ph->p_paddr);
		if (ph->p_paddr < IMAGE_MIN_GPA)
			return fail(img, "PT_LOAD %u at 0x%llx, below 1 MiB", i,
			            (unsigned long long)ph->p_paddr);
		if (ph->p_filesz > ph->p_memsz ||
		    !in_file(img, ph->p_offset, ph->p_filesz))
			return fail(img, "PT_LOAD %u: bad file range", i);
	}
	if (nr_loads == 0)
		return fail(img, "no PT_LOAD");
	if (!load_containing(img, img->ehdr->e_entry))
		return fail(img, "ELF entry 0x%llx outside every PT_LOAD",
		            (unsigned long long)img->ehdr->e_entry);
	return true;
}

/*
 * Find the PVH entry in the notes of PT_NOTE segments.  Returns true and
 * sets *entry if there is one.
 */
static bool find_pvh_entry(const struct image *img, uint64_t *entry)
{
	for (unsigned int i = 0; i < img->ehdr->e_phnum; i++) {
		const Elf64_Phdr *ph = &img->phdrs[i];
		uint64_t off = ph->p_offset;

		if (ph->p_type != PT_NOTE || !in_file(img, off, ph->p_filesz))
			continue;
		while (off + sizeof(Elf64_Nhdr) <= ph->p_offset + ph->p_filesz) {
			const Elf64_Nhdr *n = (const Elf64_Nhdr *)(img->data + off);
			uint64_t name = off + sizeof(*n);
			uint64_t desc = name + ((n->n_namesz + NOTE_ALIGN - 1) &
			                        ~(uint64_t)(NOTE_ALIGN - 1));

			if (!in_file(img, desc, n->n_descsz))
				break;
			if (n->n_type == XEN_ELFNOTE_PHYS32_ENTRY &&
			    n->n_namesz == sizeof(XEN_NOTE_NAME) &&
			    !memcmp(img->data + name, XEN_NOTE_NAME,
			            sizeof(XEN_NOTE_NAME)) &&
			    n->n_descsz == sizeof(uint32_t)) {
				uint32_t v;

				memcpy(&v, img->data + desc, sizeof(v));
				*entry = v;
				return true;
			}
			off = desc + ((n->n_descsz + NOTE_ALIGN - 1) &
			              ~(uint64_t)(NOTE_ALIGN - 1));
		}
	}
	return false;
}

/* Find a multiboot header with a valid checksum in the first 8 KiB. */
static bool find_multiboot(const struct image *img, struct mb_found *mb)
{
	size_t limit =
	    img->size < MULTIBOOT_SEARCH_LIMIT ? img->size : MULTIBOOT_SEARCH_LIMIT;

	for (size_t off = 0; off + sizeof(*mb->hdr) <= limit; off += 4) {
		const struct multiboot_header *h =
		    (const struct multiboot_header *)(img->data + off);

		if (h->magic == MULTIBOOT_HEADER_MAGIC &&
		    (uint32_t)(h->magic + h->flags + h->checksum) == 0) {
			mb->hdr = h;
			mb->offset = off;
			return true;
		}
	}
	return false;
}

/* The a.out-kludge addresses must describe the PT_LOAD bytes exactly. */
static bool check_aout_kludge(struct image *img, const struct mb_found *mb)
{
	const struct multiboot_header *h = mb->hdr;
	const Elf64_Phdr *ph = load_containing(img, h->load_addr);
	uint64_t file_off;

	if (!(h->flags & MULTIBOOT_AOUT_KLUDGE))
		return fail(img, "multiboot header lacks the a.out kludge flag");
	if (!ph || h->header_addr < h->load_addr ||
	    h->header_addr - h->load_addr > mb->offset)
		return fail(img, "multiboot load_addr 0x%x is not the image's",
		            h->load_addr);
	file_off = mb->offset - (h->header_addr - h->load_addr);
	if (file_off != ph->p_offset + (h->load_addr - ph->p_vaddr))
		return fail(
		    img,
		    "multiboot load_addr maps to file offset 0x%llx, "
		    "the PT_LOAD has it at 0x%llx",
		    (unsigned long long)file_off,
		    (unsigned long long)(ph->p_offset + h->load_addr - ph->p_vaddr));
	if (h->load_addr != ph->p_vaddr ||
	    h->load_end_addr != ph->p_vaddr + ph->p_filesz ||
	    h->bss_end_addr != ph->p_vaddr + ph->p_memsz)
		return fail(img,
		            "multiboot load 0x%x-0x%x bss_end 0x%x differs "
		            "from the PT_LOAD",
		            h->load_addr, h->load_end_addr, h->bss_end_addr);
	return true;
}

/* A PVH note and a matching multiboot a.out-kludge header. */
static bool check_boot32(struct image *img)
{
	struct mb_found mb;
	uint64_t pvh_entry;

	if (!find_pvh_entry(img, &pvh_entry))
		return fail(img, "no PVH note (Xen, PHYS32_ENTRY) in a PT_NOTE");
	if (!load_containing(img, pvh_entry))
		return fail(img, "PVH entry 0x%llx outside every PT_LOAD",
		            (unsigned long long)pvh_entry);
	if (!find_multiboot(img, &mb))
		return fail(img, "no valid multiboot header in the first %u bytes",
		            MULTIBOOT_SEARCH_LIMIT);
	if (!check_aout_kludge(img, &mb))
		return false;
	if (mb.hdr->entry_addr != pvh_entry)
		return fail(img, "multiboot entry 0x%x != PVH entry 0x%llx",
		            mb.hdr->entry_addr, (unsigned long long)pvh_entry);
	printf("%s: ok (boot32: multiboot header at file offset 0x%zx, "
	       "entry 0x%llx)\n",
	       img->name, mb.offset, (unsigned long long)pvh_entry);
	return true;
}

/* Neither boot header: the loader must fall back to direct64. */
static bool check_direct64(struct image *img)
{
	struct mb_found mb;
	uint64_t pvh_entry;

	if (find_pvh_entry(img, &pvh_entry))
		return fail(img, "has a PVH note: the loader would boot it by PVH");
	if (find_multiboot(img, &mb))
		return fail(img, "has a multiboot header at file offset 0x%zx",
		            mb.offset);
	printf("%s: ok (direct64: entry 0x%llx)\n", img->name,
	       (unsigned long long)img->ehdr->e_entry);
	return true;
}

int main(int argc, char **argv)
{
	struct image img = {0};
	uint8_t *data = NULL;
	bool boot32, ok;
	int err;

	if (argc != 3 || (strcmp(argv[1], "--boot32") && strcmp(argv[1], "--direct64"))) {
		fprintf(stderr, "usage: %s --boot32|--direct64 IMAGE\n", argv[0]);
		return 2;
	}
	boot32 = !strcmp(argv[1], "--boot32");
	img.name = argv[2];
	err = read_file(img.name, &data, &img.size);
	if (err) {
		fprintf(stderr, "%s: cannot read: %s\n", img.name, strerror(-err));
		return 1;
	}
	img.data = data;
	ok = check_elf_header(&img) && check_loads(&img) &&
	     (boot32 ? check_boot32(&img) : check_direct64(&img));
	if (!ok)
		fprintf(stderr, "%s: %s\n", img.name, img.error);
	free(data);
	return ok ? 0 : 1;
}
