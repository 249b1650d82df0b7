/*
 * test_loader.c - unit tests for the boot loaders (core/loader.c).
 *
 * The tests build their guest images in memory -- ELF32/ELF64 files with
 * chosen segments and notes, multiboot headers, a.out-kludge blobs -- load
 * them into a small guest RAM with loader_load(), and then look at guest
 * memory the way a booting guest would: the loaded bytes and zeroed bss,
 * the GDT and TSS, the identity page tables (walked like the MMU walks
 * them), hvm_start_info or multiboot_info with the memory map and command
 * line, and the vCPU's start state.
 *
 * Malformed images must fail with one line that starts with the image name
 * and names the bad field; a mutation loop (fixed seed) flips and
 * overwrites bytes of the good images and checks that the loader either
 * succeeds or fails that way, never crashes (run it in the sanitizer build).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>

#include "core/bootproto.h"
#include "core/elf.h"
#include "core/loader.h"

#define MIB (1024ull * 1024)
#define GIB (1024 * MIB)
#define RAM_SIZE (64 * MIB)
#define IMG_CAP 0x4000
#define IMG_DATA_OFF 0x100 /* segment bytes start here in built files */
#define ERR_LEN 256
#define MAX_SEGS 4
#define NAME "img.elf"
#define POISON 0xaa /* guest RAM is filled with this before a load */

/* ---- image builder ---------------------------------------------------- */

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

/* One segment to build: data NULL means "fill with a pattern". */
struct tseg {
	uint32_t type;
	uint64_t paddr, vaddr, filesz, memsz;
	const uint8_t *data;
};

struct timage {
	uint8_t b[IMG_CAP];
	size_t size;
	int cls;
	unsigned nsegs;
	size_t seg_off[MAX_SEGS]; /* file offset of each segment's bytes */
};

static unsigned ehdr_size(int cls) { return cls == ELF_CLASS64 ? 64 : 52; }
static unsigned phdr_size(int cls) { return cls == ELF_CLASS64 ? 56 : 32; }

static void put_word(uint8_t *p, int cls, uint64_t v)
{
	if (cls == ELF_CLASS64)
		put64(p, v);
	else
		put32(p, (uint32_t)v);
}

enum pfield { PF_OFFSET, PF_VADDR, PF_PADDR, PF_FILESZ, PF_MEMSZ };

/* Set a field of program header i. */
static void set_pfield(struct timage *im, unsigned i, enum pfield f,
                       uint64_t v)
{
	static const unsigned off64[] = { 8, 16, 24, 32, 40 };
	static const unsigned off32[] = { 4, 8, 12, 16, 20 };
	uint8_t *ph = im->b + ehdr_size(im->cls) + i * phdr_size(im->cls);

	put_word(ph + (im->cls == ELF_CLASS64 ? off64[f] : off32[f]), im->cls, v);
}

static void put_phdr(struct timage *im, unsigned i, const struct tseg *s)
{
	uint8_t *ph = im->b + ehdr_size(im->cls) + i * phdr_size(im->cls);

	put32(ph, s->type);
	put32(ph + (im->cls == ELF_CLASS64 ? 4 : 24), ELF_PF_R | ELF_PF_X);
	set_pfield(im, i, PF_OFFSET, im->seg_off[i]);
	set_pfield(im, i, PF_VADDR, s->vaddr);
	set_pfield(im, i, PF_PADDR, s->paddr);
	set_pfield(im, i, PF_FILESZ, s->filesz);
	set_pfield(im, i, PF_MEMSZ, s->memsz);
}

/* Build an x86 ET_EXEC file: header, program headers, segment bytes. */
static void build_elf(struct timage *im, int cls, uint64_t entry,
                      const struct tseg *segs, unsigned n)
{
	bool is64 = cls == ELF_CLASS64;
	size_t off = IMG_DATA_OFF;

	memset(im, 0, sizeof(*im));
	im->cls = cls;
	im->nsegs = n;
	memcpy(im->b, ELF_MAGIC, ELF_MAGIC_SIZE);
	im->b[4] = (uint8_t)cls;
	im->b[5] = ELF_DATA_LSB;
	im->b[6] = ELF_VERSION_CURRENT;
	put16(im->b + 16, ELF_TYPE_EXEC);
	put16(im->b + 18, is64 ? ELF_MACHINE_X86_64 : ELF_MACHINE_386);
	put32(im->b + 20, ELF_VERSION_CURRENT);
	put_word(im->b + 24, cls, entry);
	put_word(im->b + (is64 ? 32 : 28), cls, ehdr_size(cls));
	put16(im->b + (is64 ? 54 : 42), (uint16_t)phdr_size(cls));
	put16(im->b + (is64 ? 56 : 44), (uint16_t)n);
	for (unsigned i = 0; i < n; i++) {
		im->seg_off[i] = off;
		for (uint64_t j = 0; j < segs[i].filesz; j++)
			im->b[off + j] = segs[i].data ? segs[i].data[j]
			                              : (uint8_t)(0x31 * (i + 1) + j);
		put_phdr(im, i, &segs[i]);
		off += (segs[i].filesz + 15) & ~15ull;
	}
	im->size = off;
}

/* Bytes of one ELF note ("name" with its NUL, 4-byte padding). */
struct tnote {
	uint8_t b[64];
	size_t size;
};

static struct tnote make_note(const char *name, uint32_t type,
                              const void *desc, uint32_t descsz)
{
	struct tnote n = { .size = 0 };
	uint32_t namesz = (uint32_t)strlen(name) + 1;
	size_t name_pad = (namesz + 3) & ~3u;

	put32(n.b, namesz);
	put32(n.b + 4, descsz);
	put32(n.b + 8, type);
	memcpy(n.b + 12, name, namesz);
	memcpy(n.b + 12 + name_pad, desc, descsz);
	n.size = 12 + name_pad + ((descsz + 3) & ~3u);
	return n;
}

/* Write a multiboot header at p; with kludge fields if aout != NULL. */
static void put_mb_header(uint8_t *p, uint32_t flags, const uint32_t *aout)
{
	if (aout)
		flags |= MULTIBOOT_AOUT_KLUDGE;
	put32(p, MULTIBOOT_HEADER_MAGIC);
	put32(p + 4, flags);
	put32(p + 8, (uint32_t)-(MULTIBOOT_HEADER_MAGIC + flags));
	for (unsigned i = 0; aout && i < 5; i++)
		put32(p + 12 + 4 * i, aout[i]);
}

/* ---- the standard good images ----------------------------------------- */

#define D64_CODE 0x200000ull
#define D64_DATA 0x400000ull
#define D64_ENTRY (D64_CODE + 0x10)

/* direct64: ELF64, code with bss at 2 MiB, data at 4 MiB. */
static void image_direct64(struct timage *im)
{
	struct tseg s[] = {
		{ ELF_PT_LOAD, D64_CODE, D64_CODE, 0x900, 0x3000, NULL },
		{ ELF_PT_LOAD, D64_DATA, D64_DATA, 0x100, 0x100, NULL },
	};
	build_elf(im, ELF_CLASS64, D64_ENTRY, s, 2);
}

#define PVH_LOAD 0x100000ull
#define PVH_ENTRY (PVH_LOAD + 0x40)
#define PVH_VIRT 0xffffffff80000000ull

/* PVH: a higher-half kernel (vaddr != paddr) with the PVH note. */
static void image_pvh(struct timage *im, int cls, uint32_t descsz)
{
	uint64_t entry = PVH_ENTRY;
	struct tnote gnu = make_note("GNU", 3, "abc", 3);
	struct tnote xen = make_note("Xen", XEN_ELFNOTE_PHYS32_ENTRY, &entry,
	                             descsz);
	uint8_t notes[128];
	uint64_t virt = cls == ELF_CLASS64 ? PVH_VIRT : 0xc0000000ull;

	memcpy(notes, gnu.b, gnu.size);
	memcpy(notes + gnu.size, xen.b, xen.size);
	struct tseg s[] = {
		{ ELF_PT_LOAD, PVH_LOAD, virt + PVH_LOAD, 0x800, 0x2000, NULL },
		{ ELF_PT_NOTE, 0, 0, gnu.size + xen.size, gnu.size + xen.size,
		  notes },
	};
	build_elf(im, cls, virt + PVH_LOAD, s, 2);
}

#define MB_LOAD 0x100000ull
#define MB_VIRT 0xc0000000ull
#define MB_ENTRY (MB_LOAD + 0x20)

/* multiboot ELF32: header at the start of the first segment's bytes. */
static void image_multiboot_elf(struct timage *im)
{
	struct tseg s[] = {
		{ ELF_PT_LOAD, MB_LOAD, MB_VIRT + MB_LOAD, 0x600, 0x1800, NULL },
		{ ELF_PT_LOAD, MB_LOAD + 0x2000, MB_VIRT + MB_LOAD + 0x2000, 0x80,
		  0x80, NULL },
	};
	build_elf(im, ELF_CLASS32, MB_VIRT + MB_ENTRY, s, 2);
	put_mb_header(im->b + im->seg_off[0],
	              MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO, NULL);
}

#define AOUT_HDR_OFF 0x40
#define AOUT_LOAD 0x110000ull
#define AOUT_SIZE 0x1000
#define AOUT_BSS_END (AOUT_LOAD + 0x3000)
#define AOUT_ENTRY (AOUT_LOAD + 0x80)

/* multiboot a.out kludge: a raw blob, loaded at AOUT_LOAD with bss.
 * fields: header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr
 * (NULL: the defaults below). */
static void image_aout(struct timage *im, const uint32_t *fields)
{
	uint32_t def[5] = { AOUT_LOAD + AOUT_HDR_OFF, AOUT_LOAD, 0,
	                    AOUT_BSS_END, AOUT_ENTRY };

	memset(im, 0, sizeof(*im));
	for (unsigned i = 0; i < AOUT_SIZE; i++)
		im->b[i] = (uint8_t)(i * 13 + 5);
	put_mb_header(im->b + AOUT_HDR_OFF, MULTIBOOT_MEMORY_INFO,
	              fields ? fields : def);
	im->size = AOUT_SIZE;
}

/* ---- fixtures and helpers --------------------------------------------- */

struct fx {
	struct gmem gm;
	struct x86_state st;
	struct loader_result res;
	char err[ERR_LEN];
};

static int setup_size(void **state, uint64_t size)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || gmem_init(&f->gm, size) != 0)
		return -1;
	/* Poison low memory and the image area: loads must overwrite it. */
	gmem_fill(&f->gm, 0, POISON, 8 * MIB);
	*state = f;
	return 0;
}

static int setup(void **state) { return setup_size(state, RAM_SIZE); }
static int setup_high(void **state) { return setup_size(state, 3 * GIB + 64 * MIB); }

static int teardown(void **state)
{
	struct fx *f = *state;

	gmem_destroy(&f->gm);
	free(f);
	return 0;
}

static int load(struct fx *f, const struct timage *im, enum boot_protocol p,
                const char *cmdline)
{
	f->err[0] = '\0';
	return loader_load(&f->gm, im->b, im->size, NAME, p, cmdline, &f->st,
	                   &f->res, f->err, sizeof(f->err));
}

/* Load must fail with rc and a one-line "img.elf: ..." containing s. */
static void expect_fail(struct fx *f, const struct timage *im,
                        enum boot_protocol p, const char *cmdline, int rc,
                        const char *s)
{
	int got = load(f, im, p, cmdline);

	if (got != rc || strncmp(f->err, NAME ": ", strlen(NAME) + 2) != 0 ||
	    !strstr(f->err, s) || strchr(f->err, '\n'))
		fail_msg("expected %d with \"%s\", got %d \"%s\"", rc, s, got,
		         f->err);
}

static uint64_t rd64(const struct fx *f, gpa_t gpa)
{
	uint64_t v = 0;
	assert_int_equal(gmem_read_u64(&f->gm, gpa, &v), 0);
	return v;
}

static uint32_t rd32(const struct fx *f, gpa_t gpa)
{
	uint32_t v = 0;
	assert_int_equal(gmem_read_u32(&f->gm, gpa, &v), 0);
	return v;
}

/* Guest bytes at gpa equal the file bytes; then zeros up to memsz. */
static void check_loaded(const struct fx *f, gpa_t gpa, const uint8_t *file,
                         uint64_t filesz, uint64_t memsz)
{
	uint8_t *buf = malloc(memsz);

	assert_int_equal(gmem_read(&f->gm, gpa, buf, memsz), 0);
	assert_memory_equal(buf, file, filesz);
	for (uint64_t i = filesz; i < memsz; i++)
		if (buf[i] != 0)
			fail_msg("bss byte at 0x%llx is 0x%x, not 0",
			         (unsigned long long)(gpa + i), buf[i]);
	free(buf);
}

/* ---- GDT: decode like the CPU and compare with the cached state -------- */

struct desc {
	uint64_t base;
	uint32_t limit; /* scaled by G */
	unsigned type, s, dpl, p, l, db, g;
};

static struct desc decode(uint64_t d)
{
	struct desc x = {
		.base = ((d >> 16) & 0xffffff) | ((d >> 56) << 24),
		.limit = (uint32_t)((d & 0xffff) | ((d >> 48) & 0xf) << 16),
		.type = (d >> 40) & 0xf, .s = (d >> 44) & 1,
		.dpl = (d >> 45) & 3, .p = (d >> 47) & 1, .l = (d >> 53) & 1,
		.db = (d >> 54) & 1, .g = (d >> 55) & 1,
	};
	if (x.g)
		x.limit = (x.limit << 12) | 0xfff;
	return x;
}

/* The GDT entry behind seg->selector matches the hidden part of seg. */
static void check_desc(const struct fx *f, const struct x86_segment *seg)
{
	struct desc d = decode(rd64(f, f->st.gdt.base + seg->selector));

	assert_true(seg->selector + 7u <= f->st.gdt.limit);
	assert_int_equal(d.base, (uint32_t)seg->base);
	assert_int_equal(d.limit, seg->limit);
	assert_int_equal(d.type, seg->type);
	assert_int_equal(d.s, seg->s);
	assert_int_equal(d.dpl, seg->dpl);
	assert_int_equal(d.p, 1);
	assert_int_equal(seg->present, 1);
	assert_int_equal(d.l, seg->l);
	assert_int_equal(d.db, seg->db);
	assert_int_equal(d.g, seg->g);
}

static void check_gdt(const struct fx *f)
{
	const struct x86_state *s = &f->st;

	assert_int_equal(s->gdt.base, LOADER_GDT_GPA);
	assert_int_equal(s->gdt.limit, 6 * 8 - 1);
	assert_int_equal(rd64(f, LOADER_GDT_GPA), 0); /* null descriptor */

	/* The code descriptors, whatever the mode we start in. */
	struct desc c64 = decode(rd64(f, LOADER_GDT_GPA + LOADER_SEL_CODE64));
	struct desc c32 = decode(rd64(f, LOADER_GDT_GPA + LOADER_SEL_CODE32));
	struct desc data = decode(rd64(f, LOADER_GDT_GPA + LOADER_SEL_DATA));
	assert_true(c64.p && c64.s && (c64.type & 0x8) && c64.l && !c64.db);
	assert_true(c32.p && c32.s && (c32.type & 0x8) && !c32.l && c32.db);
	assert_true(data.p && data.s && !(data.type & 0x8) && (data.type & 0x2));
	assert_int_equal(c32.limit, 0xffffffff);
	assert_int_equal(data.limit, 0xffffffff);
	assert_int_equal(c32.base | data.base, 0);

	check_desc(f, &s->cs);
	check_desc(f, &s->ds);
	check_desc(f, &s->ss);
	check_desc(f, &s->es);
	check_desc(f, &s->fs);
	check_desc(f, &s->gs);

	/* TR: a busy TSS, 16-byte descriptor, no I/O bitmap. */
	assert_int_equal(s->tr.selector, LOADER_SEL_TSS);
	assert_int_equal(s->tr.type, 0xb);
	assert_int_equal(s->tr.s, 0);
	check_desc(f, &s->tr);
	assert_int_equal(rd64(f, LOADER_GDT_GPA + LOADER_SEL_TSS + 8), 0);
	assert_true(s->tr.limit >= 103);
	assert_true(s->tr.base + s->tr.limit < 0x2000); /* in the GDT page */
	uint32_t iomap = rd32(f, s->tr.base + 0x64) >> 16;
	assert_true(iomap > s->tr.limit);
}

/* ---- page tables: walk them as the MMU does ---------------------------- */

/* Translate va through 4-level paging from cr3; false if not mapped. */
static bool walk(const struct fx *f, uint64_t va, uint64_t *pa)
{
	uint64_t table = f->st.cr3 & ~0xfffull;

	for (int level = 3; level >= 0; level--) {
		unsigned idx = (va >> (12 + 9 * level)) & 511;
		uint64_t e = rd64(f, table + idx * 8);
		if (!(e & 1) || !(e & 2))
			return false;
		uint64_t addr = e & 0x000ffffffffff000ull;
		if (level == 1 && (e & 0x80)) { /* 2 MiB page */
			*pa = (addr & ~0x1fffffull) | (va & 0x1fffff);
			return true;
		}
		if (level == 0) {
			*pa = addr | (va & 0xfff);
			return true;
		}
		table = addr;
	}
	return false;
}

static void check_identity_map(const struct fx *f)
{
	static const uint64_t probes[] = {
		0, 0x1234, D64_ENTRY, 0x3fffffff, 0x40000000, 0xbfe01234,
		0xfee00000, 0xffffffff,
	};
	uint64_t pa;

	assert_int_equal(f->st.cr3, LOADER_PAGETABLE_GPA);
	for (unsigned i = 0; i < ARRAY_SIZE(probes); i++) {
		assert_true(walk(f, probes[i], &pa));
		assert_int_equal(pa, probes[i]);
	}
	assert_false(walk(f, 0x100000000ull, &pa)); /* only the first 4 GiB */
	assert_false(walk(f, PVH_VIRT, &pa));
	/* The tables live inside the documented area. */
	assert_true((rd64(f, LOADER_PAGETABLE_GPA) & ~0xfffull) < 0x10000);
}

/* ---- boot information --------------------------------------------------- */

struct range { uint64_t addr, size; uint32_t type; };

/* The memory map a guest with this RAM should see. */
static unsigned expected_map(uint64_t ram, struct range *r)
{
	uint64_t low = ram < 3 * GIB ? ram : 3 * GIB;
	unsigned n = 0;

	r[n++] = (struct range){ 0, 0x9fc00, E820_RAM };
	r[n++] = (struct range){ 0x9fc00, 0x100000 - 0x9fc00, E820_RESERVED };
	r[n++] = (struct range){ 0x100000, low - 0x100000, E820_RAM };
	if (ram > low)
		r[n++] = (struct range){ 4 * GIB, ram - low, E820_RAM };
	return n;
}

static void check_start_info(const struct fx *f, const char *cmdline)
{
	struct hvm_start_info si;
	struct range want[8];
	unsigned n = expected_map(f->gm.size, want);

	assert_int_equal(gmem_read(&f->gm, LOADER_BOOTINFO_GPA, &si, sizeof(si)), 0);
	assert_int_equal(si.magic, HVM_START_MAGIC);
	assert_int_equal(si.version, 1);
	assert_int_equal(si.nr_modules, 0);
	assert_int_equal(si.memmap_entries, n);
	for (unsigned i = 0; i < n; i++) {
		struct hvm_memmap_entry e;
		assert_int_equal(gmem_read(&f->gm, si.memmap_paddr + i * sizeof(e),
		                           &e, sizeof(e)), 0);
		assert_int_equal(e.addr, want[i].addr);
		assert_int_equal(e.size, want[i].size);
		assert_int_equal(e.type, want[i].type);
	}
	if (!cmdline) {
		assert_int_equal(si.cmdline_paddr, 0);
		return;
	}
	char buf[LOADER_CMDLINE_MAX];
	assert_int_equal(gmem_read(&f->gm, si.cmdline_paddr, buf,
	                           strlen(cmdline) + 1), 0);
	assert_string_equal(buf, cmdline);
}

static void check_multiboot_info(const struct fx *f, const char *cmdline)
{
	struct multiboot_info mi;
	struct range want[8];
	unsigned n = expected_map(f->gm.size, want);
	char buf[64];

	assert_int_equal(gmem_read(&f->gm, f->st.gpr[X86_RBX], &mi, sizeof(mi)), 0);
	assert_true(mi.flags & MULTIBOOT_INFO_MEMORY);
	assert_true(mi.flags & MULTIBOOT_INFO_MEM_MAP);
	assert_true(mi.flags & MULTIBOOT_INFO_LOADER_NAME);
	assert_int_equal(mi.mem_lower, 639);
	assert_int_equal(mi.mem_upper, (RAM_SIZE - MIB) / 1024);
	assert_int_equal(mi.mmap_length, n * 24);
	for (unsigned i = 0; i < n; i++) {
		struct multiboot_mmap_entry e;
		assert_int_equal(gmem_read(&f->gm, mi.mmap_addr + i * 24, &e, 24), 0);
		assert_int_equal(e.size, 20);
		assert_int_equal(e.addr, want[i].addr);
		assert_int_equal(e.len, want[i].size);
		assert_int_equal(e.type, want[i].type);
	}
	assert_int_equal(gmem_read(&f->gm, mi.boot_loader_name, buf, 8), 0);
	assert_string_equal(buf, "trapeze");
	if (!cmdline) {
		assert_false(mi.flags & MULTIBOOT_INFO_CMDLINE);
		return;
	}
	assert_true(mi.flags & MULTIBOOT_INFO_CMDLINE);
	assert_int_equal(gmem_read(&f->gm, mi.cmdline, buf, strlen(cmdline) + 1), 0);
	assert_string_equal(buf, cmdline);
}

/* PVH and multiboot: 32-bit protected mode with paging off. */
static void check_protected32(const struct fx *f, uint64_t entry)
{
	const struct x86_state *s = &f->st;

	assert_int_equal(s->cr0, X86_CR0_PE | X86_CR0_ET);
	assert_int_equal(s->cr4, 0);
	assert_int_equal(s->efer, 0);
	assert_int_equal(s->cs.selector, LOADER_SEL_CODE32);
	assert_int_equal(s->cs.l, 0);
	assert_int_equal(s->cs.db, 1);
	assert_int_equal(s->ds.selector, LOADER_SEL_DATA);
	assert_int_equal(s->ss.selector, LOADER_SEL_DATA);
	assert_int_equal(s->rip, entry);
	assert_int_equal(s->rflags, 0x2);
	check_gdt(f);
}

/* ---- good images --------------------------------------------------------- */

static void test_direct64(void **state)
{
	struct fx *f = *state;
	struct timage im;

	image_direct64(&im);
	assert_int_equal(load(f, &im, BOOT_DIRECT64, "console=ttyS0 quiet"), 0);
	check_loaded(f, D64_CODE, im.b + im.seg_off[0], 0x900, 0x3000);
	check_loaded(f, D64_DATA, im.b + im.seg_off[1], 0x100, 0x100);
	assert_int_equal(f->res.proto, BOOT_DIRECT64);
	assert_int_equal(f->res.entry, D64_ENTRY);
	assert_int_equal(f->res.image_low, D64_CODE);
	assert_int_equal(f->res.image_high, D64_DATA + 0x100);

	const struct x86_state *s = &f->st;
	assert_int_equal(s->cr0, X86_CR0_PE | X86_CR0_PG | X86_CR0_ET |
	                         X86_CR0_WP | X86_CR0_NE);
	assert_int_equal(s->cr4, X86_CR4_PAE);
	assert_int_equal(s->efer, X86_EFER_LME | X86_EFER_LMA);
	assert_int_equal(s->cs.selector, LOADER_SEL_CODE64);
	assert_int_equal(s->cs.l, 1);
	assert_int_equal(s->cs.db, 0);
	assert_int_equal(s->rip, D64_ENTRY);
	assert_int_equal(s->gpr[X86_RSP], LOADER_STACK_TOP);
	assert_int_equal(s->gpr[X86_RDI], LOADER_BOOTINFO_GPA);
	assert_int_equal(s->rflags, 0x2);
	check_gdt(f);
	check_identity_map(f);
	check_start_info(f, "console=ttyS0 quiet");
	/* The real-mode IVT page is left zero. */
	assert_int_equal(rd64(f, 0), 0);
	assert_int_equal(rd64(f, 0xff8), 0);
}

static void check_pvh(struct fx *f, int cls, uint32_t descsz)
{
	struct timage im;

	image_pvh(&im, cls, descsz);
	assert_int_equal(load(f, &im, BOOT_PVH, NULL), 0);
	check_loaded(f, PVH_LOAD, im.b + im.seg_off[0], 0x800, 0x2000);
	assert_int_equal(f->res.proto, BOOT_PVH);
	assert_int_equal(f->res.entry, PVH_ENTRY);
	check_protected32(f, PVH_ENTRY);
	assert_int_equal(f->st.gpr[X86_RBX], LOADER_BOOTINFO_GPA);
	check_start_info(f, NULL);
}

static void test_pvh_elf64(void **state) { check_pvh(*state, ELF_CLASS64, 4); }
static void test_pvh_elf32(void **state) { check_pvh(*state, ELF_CLASS32, 4); }
static void test_pvh_desc8(void **state) { check_pvh(*state, ELF_CLASS64, 8); }

static void test_high_memory(void **state)
{
	struct fx *f = *state;
	struct timage im;

	image_pvh(&im, ELF_CLASS64, 4);
	assert_int_equal(load(f, &im, BOOT_AUTO, ""), 0);
	check_start_info(f, ""); /* 4 entries: the last one above 4 GiB */
	/* RAM above 4 GiB, but outside direct64's identity map. */
	image_direct64(&im);
	set_pfield(&im, 1, PF_PADDR, 4 * GIB);
	expect_fail(f, &im, BOOT_AUTO, NULL, -ERANGE,
	            "program header 1 (p_paddr): 0x100000000 + 0x100 ends above the 4 GiB that direct64 identity-maps");
}

static void test_multiboot_elf(void **state)
{
	struct fx *f = *state;
	struct timage im;

	image_multiboot_elf(&im);
	assert_int_equal(load(f, &im, BOOT_MULTIBOOT, "root=/dev/vda"), 0);
	check_loaded(f, MB_LOAD, im.b + im.seg_off[0], 0x600, 0x1800);
	check_loaded(f, MB_LOAD + 0x2000, im.b + im.seg_off[1], 0x80, 0x80);
	assert_int_equal(f->res.proto, BOOT_MULTIBOOT);
	/* e_entry is virtual; the CPU starts at its physical address. */
	check_protected32(f, MB_ENTRY);
	assert_int_equal(f->st.gpr[X86_RAX], MULTIBOOT_BOOTLOADER_MAGIC);
	assert_int_equal(f->st.gpr[X86_RBX], LOADER_BOOTINFO_GPA);
	check_multiboot_info(f, "root=/dev/vda");
}

static void test_multiboot_aout(void **state)
{
	struct fx *f = *state;
	struct timage im;

	image_aout(&im, NULL);
	assert_int_equal(load(f, &im, BOOT_AUTO, NULL), 0);
	check_loaded(f, AOUT_LOAD, im.b, AOUT_SIZE, AOUT_BSS_END - AOUT_LOAD);
	assert_int_equal(f->res.proto, BOOT_MULTIBOOT);
	assert_int_equal(f->res.image_low, AOUT_LOAD);
	assert_int_equal(f->res.image_high, AOUT_BSS_END);
	check_protected32(f, AOUT_ENTRY);
	assert_int_equal(f->st.gpr[X86_RAX], MULTIBOOT_BOOTLOADER_MAGIC);
	check_multiboot_info(f, NULL);
}

/* load_end_addr set: only part of the file is loaded; bss_end 0: no bss. */
static void test_multiboot_aout_partial(void **state)
{
	struct fx *f = *state;
	struct timage im;
	uint32_t k[5] = { AOUT_LOAD + AOUT_HDR_OFF, AOUT_LOAD, AOUT_LOAD + 0x200,
	                  0, AOUT_ENTRY };

	image_aout(&im, k);
	assert_int_equal(load(f, &im, BOOT_MULTIBOOT, NULL), 0);
	check_loaded(f, AOUT_LOAD, im.b, 0x200, 0x200);
	uint8_t after;
	assert_int_equal(gmem_read(&f->gm, AOUT_LOAD + 0x200, &after, 1), 0);
	assert_int_equal(after, POISON); /* nothing written past the load */
	assert_int_equal(f->res.image_high, AOUT_LOAD + 0x200);
}

/* ---- AUTO detection ------------------------------------------------------- */

static void test_auto(void **state)
{
	struct fx *f = *state;
	struct timage im;

	image_direct64(&im);
	assert_int_equal(load(f, &im, BOOT_AUTO, NULL), 0);
	assert_int_equal(f->res.proto, BOOT_DIRECT64);
	image_pvh(&im, ELF_CLASS64, 4);
	assert_int_equal(load(f, &im, BOOT_AUTO, NULL), 0);
	assert_int_equal(f->res.proto, BOOT_PVH);
	image_multiboot_elf(&im);
	assert_int_equal(load(f, &im, BOOT_AUTO, NULL), 0);
	assert_int_equal(f->res.proto, BOOT_MULTIBOOT);
	image_aout(&im, NULL);
	assert_int_equal(load(f, &im, BOOT_AUTO, NULL), 0);
	assert_int_equal(f->res.proto, BOOT_MULTIBOOT);
}

/* An ELF64 with a multiboot kludge header is multiboot under AUTO (the
 * header wins over direct64), and PVH wins over multiboot. */
static void test_auto_precedence(void **state)
{
	struct fx *f = *state;
	struct timage im;

	image_direct64(&im);
	/* Header at file offset hdr; the file is loaded from offset 0. */
	uint32_t hdr = (uint32_t)im.seg_off[0] + 0x10;
	uint32_t k[5] = { D64_CODE + hdr, D64_CODE, D64_CODE + 0x900, 0,
	                  D64_CODE + 0x40 };
	put_mb_header(im.b + hdr, 0, k);
	assert_int_equal(load(f, &im, BOOT_AUTO, NULL), 0);
	assert_int_equal(f->res.proto, BOOT_MULTIBOOT);
	assert_int_equal(f->st.rip, D64_CODE + 0x40);
	/* The kludge loads the file from offset 0 at load_addr. */
	check_loaded(f, D64_CODE, im.b, 0x900, 0x900);

	image_pvh(&im, ELF_CLASS32, 4);
	put_mb_header(im.b + im.seg_off[0], 0, NULL);
	assert_int_equal(load(f, &im, BOOT_AUTO, NULL), 0);
	assert_int_equal(f->res.proto, BOOT_PVH);
}

/* A broken ELF (here PIE-linked, ET_DYN) is refused by AUTO with the ELF
 * error even when it carries an a.out kludge header -- a truncated or
 * corrupt file must not half-boot -- but boots by the kludge when multiboot
 * is asked for explicitly. */
static void test_auto_kludge_in_bad_elf(void **state)
{
	struct fx *f = *state;
	struct timage im;

	image_direct64(&im);
	put16(im.b + 16, ELF_TYPE_DYN);
	uint32_t hdr = (uint32_t)im.seg_off[0];
	uint32_t k[5] = { D64_CODE + hdr, D64_CODE, 0, 0, D64_CODE + hdr + 0x40 };
	put_mb_header(im.b + hdr, 0, k);
	expect_fail(f, &im, BOOT_AUTO, NULL, -ENOEXEC, "e_type 3 (ET_DYN)");
	assert_int_equal(load(f, &im, BOOT_MULTIBOOT, NULL), 0);
	assert_int_equal(f->res.proto, BOOT_MULTIBOOT);
	assert_string_equal(f->err, "");
	check_loaded(f, D64_CODE, im.b, im.size, im.size);

	put_mb_header(im.b + hdr, 0, NULL);
	expect_fail(f, &im, BOOT_AUTO, NULL, -ENOEXEC, "e_type 3 (ET_DYN)");
}

static void test_protocol_names(void **state)
{
	assert_int_equal(boot_protocol_parse("auto"), BOOT_AUTO);
	assert_int_equal(boot_protocol_parse("direct64"), BOOT_DIRECT64);
	assert_int_equal(boot_protocol_parse("pvh"), BOOT_PVH);
	assert_int_equal(boot_protocol_parse("multiboot"), BOOT_MULTIBOOT);
	assert_int_equal(boot_protocol_parse("bios"), -1);
	assert_int_equal(boot_protocol_parse(NULL), -1);
	assert_string_equal(boot_protocol_name(BOOT_PVH), "pvh");
	assert_string_equal(boot_protocol_name(BOOT_MULTIBOOT), "multiboot");
	assert_string_equal(boot_protocol_name((enum boot_protocol)42), "?");
}

/* ---- malformed images ----------------------------------------------------- */

static void test_not_an_image(void **state)
{
	struct fx *f = *state;
	struct timage im;

	memset(&im, 0, sizeof(im));
	for (unsigned i = 0; i < 512; i++)
		im.b[i] = (uint8_t)(i * 37 + 11);
	im.size = 512;
	expect_fail(f, &im, BOOT_AUTO, NULL, -ENOEXEC,
	            "not an ELF file or multiboot image (first bytes: 0b 30 55 7a");
	im.size = 0;
	expect_fail(f, &im, BOOT_AUTO, NULL, -ENOEXEC, "empty file");
	expect_fail(f, &im, BOOT_DIRECT64, NULL, -ENOEXEC, "not an ELF file");
	expect_fail(f, &im, BOOT_MULTIBOOT, NULL, -ENOEXEC, "no multiboot header");
	/* A NULL buffer is an empty file, not a crash. */
	assert_int_equal(loader_load(&f->gm, NULL, 100, "x", BOOT_AUTO, NULL,
	                             &f->st, NULL, f->err, sizeof(f->err)),
	                 -ENOEXEC);
}

static void test_bad_elf_headers(void **state)
{
	struct fx *f = *state;
	struct timage im;

	image_direct64(&im);
	im.size = 30;
	expect_fail(f, &im, BOOT_AUTO, NULL, -ENOEXEC,
	            "shorter than the ELF64 header");
	image_direct64(&im);
	put64(im.b + 32, im.size); /* e_phoff */
	expect_fail(f, &im, BOOT_AUTO, NULL, -ENOEXEC, "e_phoff");
	image_direct64(&im);
	put16(im.b + 16, ELF_TYPE_DYN);
	expect_fail(f, &im, BOOT_AUTO, NULL, -ENOEXEC, "e_type 3 (ET_DYN)");
}

static void test_bad_segments(void **state)
{
	struct fx *f = *state;
	struct timage im;

	image_direct64(&im);
	set_pfield(&im, 1, PF_OFFSET, im.size - 0x10);
	expect_fail(f, &im, BOOT_AUTO, NULL, -ENOEXEC,
	            "program header 1: p_offset+p_filesz");
	image_direct64(&im);
	set_pfield(&im, 0, PF_MEMSZ, 0x10);
	expect_fail(f, &im, BOOT_AUTO, NULL, -ENOEXEC,
	            "program header 0: p_filesz (0x900) larger than p_memsz (0x10)");
	image_direct64(&im);
	set_pfield(&im, 1, PF_PADDR, RAM_SIZE - 0x80);
	expect_fail(f, &im, BOOT_AUTO, NULL, -ERANGE,
	            "program header 1 (p_paddr): [0x3ffff80, 0x4000080) is not guest RAM");
	image_direct64(&im);
	set_pfield(&im, 1, PF_PADDR, 0xf0000);
	expect_fail(f, &im, BOOT_AUTO, NULL, -ERANGE,
	            "program header 1 (p_paddr): 0xf0000 is below 1 MiB");
	image_direct64(&im);
	set_pfield(&im, 1, PF_PADDR, 0xfffffffffffff000ull);
	set_pfield(&im, 1, PF_MEMSZ, 0x2000);
	expect_fail(f, &im, BOOT_AUTO, NULL, -ENOEXEC,
	            "program header 1: p_paddr+p_memsz (0xfffffffffffff000 + 0x2000) wraps");
	image_direct64(&im);
	set_pfield(&im, 1, PF_PADDR, D64_CODE + 0x2000); /* inside seg 0's bss */
	expect_fail(f, &im, BOOT_AUTO, NULL, -ERANGE,
	            "program header 0 (p_paddr) and program header 1 (p_paddr) overlap");
}

static void test_bad_entry(void **state)
{
	struct fx *f = *state;
	struct timage im;

	image_direct64(&im);
	put64(im.b + 24, D64_CODE + 0x1000); /* in bss, not file bytes */
	expect_fail(f, &im, BOOT_AUTO, NULL, -ENOEXEC,
	            "e_entry (0x201000) is not inside the file bytes");
	image_direct64(&im);
	set_pfield(&im, 0, PF_VADDR, PVH_VIRT);
	put64(im.b + 24, PVH_VIRT + 0x10);
	expect_fail(f, &im, BOOT_DIRECT64, NULL, -ENOEXEC,
	            "direct64 maps virtual = physical");
	image_pvh(&im, ELF_CLASS32, 4);
	expect_fail(f, &im, BOOT_DIRECT64, NULL, -ENOEXEC,
	            "direct64 needs an ELF64 x86-64 image; this is ELF32");
}

static void test_bad_pvh_note(void **state)
{
	struct fx *f = *state;
	struct timage im;

	image_pvh(&im, ELF_CLASS64, 2);
	expect_fail(f, &im, BOOT_AUTO, NULL, -ENOEXEC,
	            "PVH note (XEN_ELFNOTE_PHYS32_ENTRY) at file offset");
	assert_non_null(strstr(f->err, "descsz 2 is not 4 or 8"));
	/* The note segment ends in the middle of the Xen note's desc. */
	image_pvh(&im, ELF_CLASS64, 4);
	set_pfield(&im, 1, PF_FILESZ, 20 + 16 + 2);
	expect_fail(f, &im, BOOT_AUTO, NULL, -ENOEXEC,
	            "program header 1 (PT_NOTE): note at +0x14: descsz (0x4) runs past");
	/* namesz that runs past the end of the segment. */
	image_pvh(&im, ELF_CLASS32, 4);
	put32(im.b + im.seg_off[1] + 20, 0x1000);
	expect_fail(f, &im, BOOT_PVH, NULL, -ENOEXEC, "namesz (0x1000) runs past");
	/* Entry outside the image. */
	image_pvh(&im, ELF_CLASS64, 4);
	put32(im.b + im.seg_off[1] + 20 + 16, 0x300000);
	expect_fail(f, &im, BOOT_AUTO, NULL, -ENOEXEC,
	            "PVH note entry (0x300000) is not inside");
	/* PVH asked for, no note there. */
	image_direct64(&im);
	expect_fail(f, &im, BOOT_PVH, NULL, -ENOEXEC, "no PVH entry note");
}

static void test_bad_multiboot(void **state)
{
	struct fx *f = *state;
	struct timage im;

	image_aout(&im, NULL);
	put32(im.b + AOUT_HDR_OFF + 8, 0x12345678);
	expect_fail(f, &im, BOOT_AUTO, NULL, -ENOEXEC,
	            "multiboot header at file offset 0x40: checksum 0x12345678 is wrong");
	expect_fail(f, &im, BOOT_MULTIBOOT, NULL, -ENOEXEC, "checksum");
	image_aout(&im, NULL);
	put_mb_header(im.b + AOUT_HDR_OFF, 1u << 3, NULL);
	expect_fail(f, &im, BOOT_AUTO, NULL, -ENOTSUP, "required bit 3");
	image_aout(&im, NULL);
	put_mb_header(im.b + AOUT_HDR_OFF, 0, NULL); /* no kludge, not ELF */
	expect_fail(f, &im, BOOT_AUTO, NULL, -ENOEXEC,
	            "bit 16 (a.out kludge) is clear and the file is not ELF");
	image_direct64(&im);
	put_mb_header(im.b + im.seg_off[0], 0, NULL);
	expect_fail(f, &im, BOOT_MULTIBOOT, NULL, -ENOEXEC,
	            "ELF64 multiboot image without the a.out kludge");
	image_pvh(&im, ELF_CLASS32, 4);
	expect_fail(f, &im, BOOT_MULTIBOOT, NULL, -ENOEXEC, "no multiboot header");
	image_aout(&im, NULL);
	im.size = AOUT_HDR_OFF + 20; /* kludge fields cut off */
	expect_fail(f, &im, BOOT_MULTIBOOT, NULL, -ENOEXEC,
	            "a.out kludge fields (32 bytes) run past");
}

/* One bad kludge field set: expect the message s. */
static void expect_bad_kludge(struct fx *f, const uint32_t *k, int rc,
                              const char *s)
{
	struct timage im;

	image_aout(&im, k);
	expect_fail(f, &im, BOOT_AUTO, NULL, rc, s);
}

static void test_bad_kludge(void **state)
{
	struct fx *f = *state;
	const uint32_t H = AOUT_LOAD + AOUT_HDR_OFF, L = AOUT_LOAD;

	expect_bad_kludge(f, (uint32_t[]){ H, H + 4, 0, 0, AOUT_ENTRY },
	                  -ENOEXEC, "load_addr (0x110044) is above header_addr (0x110040)");
	expect_bad_kludge(f, (uint32_t[]){ H, L - 0x100, 0, 0, AOUT_ENTRY },
	                  -ENOEXEC, "header_addr - load_addr (0x140) is larger than the header's file offset (0x40)");
	expect_bad_kludge(f, (uint32_t[]){ H, L, L - 0x10, 0, AOUT_ENTRY },
	                  -ENOEXEC, "load_end_addr (0x10fff0) is not above load_addr");
	expect_bad_kludge(f, (uint32_t[]){ H, L, L + AOUT_SIZE + 1, 0, AOUT_ENTRY },
	                  -ENOEXEC, "load_end_addr (0x111001) beyond end of file");
	expect_bad_kludge(f, (uint32_t[]){ H, L, 0, L + 0x800, AOUT_ENTRY },
	                  -ENOEXEC, "bss_end_addr (0x110800) is below the end of the loaded bytes (0x111000)");
	expect_bad_kludge(f, (uint32_t[]){ H, L, 0, 0, L + AOUT_SIZE },
	                  -ENOEXEC, "entry_addr (0x111000) is outside the loaded range [0x110000, 0x111000)");
	expect_bad_kludge(f, (uint32_t[]){ 0x40, 0, 0, 0, 0x80 },
	                  -ERANGE, "multiboot header (load_addr): 0x0 is below 1 MiB");
	expect_bad_kludge(f, (uint32_t[]){ 0xfffff040, 0xfffff000, 0, 0, 0xfffff080 },
	                  -ERANGE, "multiboot header (load_addr): [0xfffff000, 0x100000000) is not guest RAM");
}

static void test_cmdline_too_long(void **state)
{
	struct fx *f = *state;
	struct timage im;
	char *cmd = malloc(LOADER_CMDLINE_MAX + 1);

	image_direct64(&im);
	memset(cmd, 'x', LOADER_CMDLINE_MAX);
	cmd[LOADER_CMDLINE_MAX] = '\0';
	expect_fail(f, &im, BOOT_AUTO, cmd, -E2BIG,
	            "command line is 4096 bytes; at most 4095 fit");
	cmd[LOADER_CMDLINE_MAX - 1] = '\0'; /* the longest that fits */
	assert_int_equal(load(f, &im, BOOT_AUTO, cmd), 0);
	check_start_info(f, cmd);
	free(cmd);
}

static void test_small_ram(void **state)
{
	struct gmem gm;
	struct x86_state st;
	struct timage im;
	char err[ERR_LEN];

	image_direct64(&im);
	assert_int_equal(gmem_init(&gm, 512 * 1024), 0);
	assert_int_equal(loader_load(&gm, im.b, im.size, "k", BOOT_AUTO, NULL,
	                             &st, NULL, err, sizeof(err)), -ENOMEM);
	assert_non_null(strstr(err, "k: guest RAM (512 KiB) does not cover the first 1 MiB"));
	gmem_destroy(&gm);
}

/* A rejected image leaves guest memory exactly as it was. */
static void test_nothing_written_on_error(void **state)
{
	struct fx *f = *state;
	struct timage im;
	uint8_t page[4096], want[4096];

	memset(want, POISON, sizeof(want));
	image_direct64(&im);
	set_pfield(&im, 1, PF_PADDR, RAM_SIZE); /* the 2nd segment is bad */
	expect_fail(f, &im, BOOT_AUTO, "x", -ERANGE, "not guest RAM");
	assert_int_equal(gmem_read(&f->gm, D64_CODE, page, sizeof(page)), 0);
	assert_memory_equal(page, want, sizeof(page));
	assert_int_equal(gmem_read(&f->gm, LOADER_GDT_GPA, page, sizeof(page)), 0);
	assert_memory_equal(page, want, sizeof(page));
}

/* ---- mutation loop -------------------------------------------------------- */

#define MUTATION_ROUNDS 20000
#define MUTATION_RAM (8 * MIB)

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void) /* xorshift64: fixed seed, same run every time */
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Interesting values to write over a field. */
static uint64_t rng_value(void)
{
	static const uint64_t edge[] = {
		0, 1, 0x100000, 0xfffff, 0x7fffffff, 0x80000000, 0xffffffff,
		0xfffffffffffff000ull, UINT64_MAX, MULTIBOOT_HEADER_MAGIC,
	};
	return rng() % 2 ? edge[rng() % ARRAY_SIZE(edge)] : rng();
}

/* Flip a byte, overwrite 1-8 bytes, or cut the file short. */
static void mutate(uint8_t *b, size_t *size)
{
	size_t n = *size;
	size_t pos = rng() % 3 ? rng() % (n < 256 ? n : 256) : rng() % n;

	switch (rng() % 4) {
	case 0:
		b[pos] ^= (uint8_t)(1u << (rng() % 8));
		break;
	case 1:
		b[pos] = (uint8_t)rng();
		break;
	case 2: {
		uint64_t v = rng_value();
		for (size_t i = 0; i < 8 && pos + i < n; i++)
			b[pos + i] = (uint8_t)(v >> (8 * i));
		break;
	}
	default:
		*size = rng() % n;
		break;
	}
}

static void test_mutations(void **state)
{
	struct timage good[6];
	struct gmem gm;

	image_direct64(&good[0]);
	image_pvh(&good[1], ELF_CLASS64, 4);
	image_pvh(&good[2], ELF_CLASS32, 8);
	image_multiboot_elf(&good[3]);
	image_aout(&good[4], NULL);
	image_direct64(&good[5]);
	put_mb_header(good[5].b + good[5].seg_off[0], 0, NULL);
	assert_int_equal(gmem_init(&gm, MUTATION_RAM), 0);
	for (unsigned round = 0; round < MUTATION_ROUNDS; round++) {
		const struct timage *g = &good[round % ARRAY_SIZE(good)];
		size_t size = g->size;
		uint8_t *b = malloc(size);
		memcpy(b, g->b, size);
		for (unsigned m = 1 + rng() % 4; m && size; m--)
			mutate(b, &size);
		/* An exact-size copy, so the sanitizer sees any over-read. */
		uint8_t *img = malloc(size ? size : 1);
		memcpy(img, b, size);
		struct x86_state st;
		struct loader_result res;
		char err[ERR_LEN] = "";
		enum boot_protocol p = (enum boot_protocol)(rng() % 4);
		int rc = loader_load(&gm, img, size, "mut", p,
		                     round % 2 ? "a=b" : NULL, &st, &res, err,
		                     sizeof(err));
		if (rc == 0) {
			assert_true(res.image_low >= LOADER_IMAGE_MIN);
			assert_true(res.image_high <= MUTATION_RAM);
			assert_true(st.rip >= res.image_low && st.rip < res.image_high);
		} else if (rc > 0 || strncmp(err, "mut: ", 5) != 0 ||
		           strchr(err, '\n')) {
			fail_msg("round %u: rc %d, message \"%s\"", round, rc, err);
		}
		free(img);
		free(b);
	}
	gmem_destroy(&gm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_direct64, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pvh_elf64, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pvh_elf32, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pvh_desc8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_high_memory, setup_high,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_multiboot_elf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multiboot_aout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multiboot_aout_partial, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_auto, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_kludge_in_bad_elf, setup,
		                                teardown),
		cmocka_unit_test(test_protocol_names),
		cmocka_unit_test_setup_teardown(test_not_an_image, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_elf_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_segments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_pvh_note, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_multiboot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_kludge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmdline_too_long, setup, teardown),
		cmocka_unit_test(test_small_ram),
		cmocka_unit_test_setup_teardown(test_nothing_written_on_error, setup,
		                                teardown),
		cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
