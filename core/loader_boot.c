/*
 * loader_boot.c - the commit phase of loading (see loader.c for the plan
 * phase and the decisions): copy the planned chunks into guest memory,
 * build the boot data in low memory -- GDT and TSS, memory map, command
 * line, hvm_start_info or multiboot_info, direct64's identity page tables --
 * and fill the vCPU's start state.  Runs only after every check passed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bootproto.h"
#include "loader_internal.h"

/* ---- commit: the image -------------------------------------------------- */

/* Report a guest-memory write that failed after planning checked it. */
static int ld_write_failed(struct loader *ld, int rc, gpa_t gpa)
{
	return ld_fail(ld, rc, "writing guest memory at 0x%llx failed (%s)",
	               (unsigned long long)gpa, strerror(-rc));
}

/* Copy each chunk's file bytes and zero the rest of its memory size. */
int ld_write_image(struct loader *ld)
{
	for (unsigned i = 0; i < ld->plan.nr_chunks; i++) {
		const struct load_chunk *c = &ld->plan.chunk[i];
		int rc = gmem_write(ld->gm, c->gpa, ld->image + c->file_off,
		                    c->filesz);
		if (!rc)
			rc = gmem_fill(ld->gm, c->gpa + c->filesz, 0,
			               c->memsz - c->filesz);
		if (rc)
			return ld_write_failed(ld, rc, c->gpa);
	}
	return 0;
}

/* ---- commit: low memory ------------------------------------------------- */

/* Encode the descriptor whose cached form is *s (see the picture above). */
static uint64_t ld_descriptor(const struct x86_segment *s)
{
	uint32_t limit = s->g ? s->limit >> DESC_G_SHIFT : s->limit;

	return DESC_LIMIT_LOW(limit) | DESC_BASE_LOW(s->base) |
	       DESC_TYPE(s->type) | (s->s ? DESC_S : 0) | DESC_DPL(s->dpl) |
	       (s->present ? DESC_P : 0) | DESC_LIMIT_HIGH(limit) |
	       (s->avl ? DESC_AVL : 0) | (s->l ? DESC_L : 0) |
	       (s->db ? DESC_DB : 0) | (s->g ? DESC_G : 0) |
	       DESC_BASE_HIGH(s->base);
}

/* TR as the CPU holds it after LTR of the loader's TSS. */
static struct x86_segment ld_tss_segment(void)
{
	return (struct x86_segment){
		.base = LOADER_TSS_GPA, .limit = TSS_SIZE - 1,
		.selector = LOADER_SEL_TSS, .type = TSS_TYPE_BUSY, .present = 1,
	};
}

/* The GDT and the TSS.  0 or -errno. */
static int ld_write_gdt(struct loader *ld)
{
	struct x86_segment code64 = x86_flat_code64(LOADER_SEL_CODE64);
	struct x86_segment code32 = x86_flat_code32(LOADER_SEL_CODE32);
	struct x86_segment data = x86_flat_data(LOADER_SEL_DATA);
	struct x86_segment tss = ld_tss_segment();
	uint64_t gdt[GDT_ENTRIES] = { 0 };
	uint8_t tss_bytes[TSS_SIZE] = { 0 };

	gdt[LOADER_SEL_CODE64 / GDT_ENTRY_SIZE] = ld_descriptor(&code64);
	gdt[LOADER_SEL_CODE32 / GDT_ENTRY_SIZE] = ld_descriptor(&code32);
	gdt[LOADER_SEL_DATA / GDT_ENTRY_SIZE] = ld_descriptor(&data);
	gdt[LOADER_SEL_TSS / GDT_ENTRY_SIZE] = ld_descriptor(&tss);
	gdt[LOADER_SEL_TSS / GDT_ENTRY_SIZE + 1] = DESC_BASE_UPPER(tss.base);
	/* No I/O permission bitmap: its offset points past the TSS limit. */
	tss_bytes[TSS_IOMAP_BASE_OFFSET] = TSS_SIZE & 0xff;
	tss_bytes[TSS_IOMAP_BASE_OFFSET + 1] = TSS_SIZE >> 8;

	int rc = gmem_write(ld->gm, LOADER_GDT_GPA, gdt, sizeof(gdt));
	if (rc)
		return ld_write_failed(ld, rc, LOADER_GDT_GPA);
	rc = gmem_write(ld->gm, LOADER_TSS_GPA, tss_bytes, sizeof(tss_bytes));
	return rc ? ld_write_failed(ld, rc, LOADER_TSS_GPA) : 0;
}

#define LOADER_MAX_RANGES (GMEM_MAX_REGIONS + 2)

static struct hvm_memmap_entry ld_range(uint64_t addr, uint64_t size,
                                        uint32_t type)
{
	return (struct hvm_memmap_entry){ .addr = addr, .size = size,
	                                  .type = type };
}

/*
 * The guest's memory map, built from gmem's regions: the region at 0 is
 * split around the legacy hole [LOADER_LOW_RESERVED, 1 MiB).  Returns the
 * number of entries written to out (at most LOADER_MAX_RANGES).
 */
static unsigned ld_memory_map(const struct gmem *gm,
                              struct hvm_memmap_entry *out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < gm->nr_regions; i++) {
		const struct gmem_region *r = &gm->regions[i];
		if (r->gpa != 0) {
			out[n++] = ld_range(r->gpa, r->size, E820_RAM);
			continue;
		}
		/* loader_load checked that this region covers the first 1 MiB. */
		out[n++] = ld_range(0, LOADER_LOW_RESERVED, E820_RAM);
		out[n++] = ld_range(LOADER_LOW_RESERVED,
		                    LOADER_IMAGE_MIN - LOADER_LOW_RESERVED,
		                    E820_RESERVED);
		if (r->size > LOADER_IMAGE_MIN)
			out[n++] = ld_range(LOADER_IMAGE_MIN,
			                    r->size - LOADER_IMAGE_MIN, E820_RAM);
	}
	return n;
}

/* PVH and direct64: hvm_start_info and its memory map.  0 or -errno. */
static int ld_write_start_info(struct loader *ld)
{
	struct hvm_memmap_entry map[LOADER_MAX_RANGES];
	unsigned n = ld_memory_map(ld->gm, map);
	struct hvm_start_info si = {
		.magic = HVM_START_MAGIC,
		.version = HVM_START_VERSION,
		.cmdline_paddr = ld->cmdline ? LOADER_CMDLINE_GPA : 0,
		.memmap_paddr = LOADER_MEMMAP_GPA,
		.memmap_entries = n,
	};
	int rc = gmem_write(ld->gm, LOADER_MEMMAP_GPA, map, n * sizeof(map[0]));

	if (rc)
		return ld_write_failed(ld, rc, LOADER_MEMMAP_GPA);
	rc = gmem_write(ld->gm, LOADER_BOOTINFO_GPA, &si, sizeof(si));
	return rc ? ld_write_failed(ld, rc, LOADER_BOOTINFO_GPA) : 0;
}

/* Size of the low region (the RAM at gpa 0). */
static uint64_t ld_low_ram(const struct gmem *gm)
{
	const struct gmem_region *r = gmem_region_of(gm, 0);

	return r ? r->size : 0;
}

/* Multiboot: multiboot_info, its memory map and the loader name. */
static int ld_write_multiboot_info(struct loader *ld)
{
	struct hvm_memmap_entry map[LOADER_MAX_RANGES];
	struct multiboot_mmap_entry mmap[LOADER_MAX_RANGES];
	unsigned n = ld_memory_map(ld->gm, map);

	for (unsigned i = 0; i < n; i++)
		mmap[i] = (struct multiboot_mmap_entry){
			.size = sizeof(mmap[i]) - sizeof(mmap[i].size),
			.addr = map[i].addr, .len = map[i].size, .type = map[i].type,
		};
	struct multiboot_info mi = {
		.flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_MEM_MAP |
		         MULTIBOOT_INFO_LOADER_NAME |
		         (ld->cmdline ? MULTIBOOT_INFO_CMDLINE : 0),
		.mem_lower = LOADER_LOW_RESERVED / KIB,
		.mem_upper = (ld_low_ram(ld->gm) - LOADER_IMAGE_MIN) / KIB,
		.cmdline = ld->cmdline ? LOADER_CMDLINE_GPA : 0,
		.mmap_length = n * sizeof(mmap[0]),
		.mmap_addr = LOADER_MEMMAP_GPA,
		.boot_loader_name = LOADER_NAME_GPA,
	};
	int rc = gmem_write(ld->gm, LOADER_MEMMAP_GPA, mmap, n * sizeof(mmap[0]));

	if (!rc)
		rc = gmem_write(ld->gm, LOADER_NAME_GPA, LOADER_BOOT_LOADER_NAME,
		                sizeof(LOADER_BOOT_LOADER_NAME));
	if (!rc)
		rc = gmem_write(ld->gm, LOADER_BOOTINFO_GPA, &mi, sizeof(mi));
	return rc ? ld_write_failed(ld, rc, LOADER_BOOTINFO_GPA) : 0;
}

/* direct64: identity-map the first 4 GiB with 2 MiB pages. */
static int ld_write_page_tables(struct loader *ld)
{
	uint64_t table[PT_ENTRIES];
	int rc;

	memset(table, 0, sizeof(table));
	table[0] = PT_PDPT_GPA | PTE_P | PTE_RW;
	rc = gmem_write(ld->gm, PT_PML4_GPA, table, PT_BYTES);
	for (unsigned i = 0; i < PT_IDMAP_PDS; i++)
		table[i] = PT_PD_GPA(i) | PTE_P | PTE_RW;
	if (!rc)
		rc = gmem_write(ld->gm, PT_PDPT_GPA, table, PT_BYTES);
	for (unsigned pd = 0; pd < PT_IDMAP_PDS && !rc; pd++) {
		for (unsigned i = 0; i < PT_ENTRIES; i++) {
			gpa_t page = ((uint64_t)pd * PT_ENTRIES + i) * PT_LARGE_PAGE;
			table[i] = page | PTE_P | PTE_RW | PTE_PS;
		}
		rc = gmem_write(ld->gm, PT_PD_GPA(pd), table, PT_BYTES);
	}
	return rc ? ld_write_failed(ld, rc, LOADER_PAGETABLE_GPA) : 0;
}

/* Everything below 1 MiB: zeroed first, then the protocol's boot data. */
int ld_write_low_memory(struct loader *ld)
{
	int rc = gmem_fill(ld->gm, 0, 0, LOADER_LOW_AREA_END);

	if (rc)
		return ld_write_failed(ld, rc, 0);
	if (ld->cmdline) {
		rc = gmem_write(ld->gm, LOADER_CMDLINE_GPA, ld->cmdline,
		                strlen(ld->cmdline) + 1);
		if (rc)
			return ld_write_failed(ld, rc, LOADER_CMDLINE_GPA);
	}
	rc = ld_write_gdt(ld);
	if (rc)
		return rc;
	if (ld->plan.proto == BOOT_MULTIBOOT)
		return ld_write_multiboot_info(ld);
	rc = ld_write_start_info(ld);
	if (!rc && ld->plan.proto == BOOT_DIRECT64)
		rc = ld_write_page_tables(ld);
	return rc;
}

/* ---- commit: the vCPU state --------------------------------------------- */

/* What all protocols share: GDT, flat data segments, TR, no IDT. */
static void ld_state_common(struct x86_state *s)
{
	x86_reset_state(s);
	s->rflags = X86_RFLAGS_FIXED;
	s->gdt.base = LOADER_GDT_GPA;
	s->gdt.limit = GDT_ENTRIES * GDT_ENTRY_SIZE - 1;
	s->idt.base = 0;
	s->idt.limit = 0;
	s->ds = s->es = s->fs = s->gs = s->ss = x86_flat_data(LOADER_SEL_DATA);
	s->tr = ld_tss_segment();
}

/* PVH and multiboot: 32-bit protected mode, paging off. */
static void ld_state_protected32(struct x86_state *s, gpa_t entry)
{
	ld_state_common(s);
	s->cr0 = X86_CR0_PE | X86_CR0_ET;
	s->cs = x86_flat_code32(LOADER_SEL_CODE32);
	s->rip = entry;
}

/* direct64: long mode on the identity map, a stack below the EBDA. */
static void ld_state_long64(struct x86_state *s, gpa_t entry)
{
	ld_state_common(s);
	s->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
	s->cr3 = PT_PML4_GPA;
	s->cr4 = X86_CR4_PAE;
	s->efer = X86_EFER_LME | X86_EFER_LMA;
	s->cs = x86_flat_code64(LOADER_SEL_CODE64);
	s->gpr[X86_RSP] = LOADER_STACK_TOP;
	s->gpr[X86_RDI] = LOADER_BOOTINFO_GPA;
	s->rip = entry;
}

/* The vCPU's first state for the planned protocol (registers per loader.h). */
void ld_fill_state(const struct loader *ld, struct x86_state *s)
{
	switch (ld->plan.proto) {
	case BOOT_DIRECT64:
		ld_state_long64(s, ld->plan.entry);
		break;
	case BOOT_MULTIBOOT:
		ld_state_protected32(s, ld->plan.entry);
		s->gpr[X86_RAX] = MULTIBOOT_BOOTLOADER_MAGIC;
		s->gpr[X86_RBX] = LOADER_BOOTINFO_GPA;
		break;
	default: /* BOOT_PVH (the plan never holds BOOT_AUTO) */
		ld_state_protected32(s, ld->plan.entry);
		s->gpr[X86_RBX] = LOADER_BOOTINFO_GPA;
		break;
	}
}

/* Protocol, entry and the [low, high) span of everything the image wrote. */
void ld_fill_result(const struct loader *ld, struct loader_result *res)
{
	const struct load_plan *p = &ld->plan;

	res->proto = p->proto;
	res->entry = p->entry;
	res->image_low = UINT64_MAX;
	res->image_high = 0;
	for (unsigned i = 0; i < p->nr_chunks; i++) {
		const struct load_chunk *c = &p->chunk[i];
		if (c->gpa < res->image_low)
			res->image_low = c->gpa;
		if (c->gpa + c->memsz > res->image_high)
			res->image_high = c->gpa + c->memsz;
	}
}

