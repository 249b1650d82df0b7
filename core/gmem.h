/*
 * gmem.h - guest physical memory.
 *
 * Guest RAM is one memfd, mapped once into the trapeze process.  A small
 * region table says which guest-physical ranges are backed by which part of
 * that mapping; every engine uses the same table (KVM turns each region into
 * a memslot, the software MMU resolves into the same host pages).
 *
 * x86 keeps a hole below 4 GiB for devices, so RAM larger than
 * GMEM_LOW_LIMIT is split in two regions:
 *
 *   gpa 0 ............ low_size          region 0  (memfd offset 0)
 *   gpa 4 GiB ........ 4 GiB + rest      region 1  (memfd offset low_size)
 *
 * Invariant: every access made on the guest's behalf -- loaders, devices'
 * DMA, the test port, the interpreter -- goes through gmem_read/gmem_write or
 * gmem_hva, which check the whole range against the region table.  An access
 * outside guest RAM is an error value (-EFAULT), never a host access.
 */
#ifndef TRAPEZE_CORE_GMEM_H
#define TRAPEZE_CORE_GMEM_H

#include "types.h"

#define GMEM_MAX_REGIONS 4
#define GMEM_LOW_LIMIT 0xc0000000ull /* 3 GiB: start of the device hole */
#define GMEM_HIGH_BASE 0x100000000ull

struct gmem_region {
	gpa_t gpa;
	uint64_t size;
	hva_t hva;            /* host mapping of the first byte */
	uint64_t memfd_offset;
};

struct gmem {
	int memfd;
	hva_t base;       /* the whole mapping */
	uint64_t size;    /* total RAM in bytes */
	unsigned nr_regions;
	struct gmem_region regions[GMEM_MAX_REGIONS];
};

/* Create guest RAM of `size` bytes (a multiple of the page size, > 0).
 * Returns 0 or -errno (-EINVAL for a bad size, -ENOMEM...). */
int gmem_init(struct gmem *gm, uint64_t size);
void gmem_destroy(struct gmem *gm);

/* Host address of [gpa, gpa+len) if that whole range is RAM inside one
 * region, else NULL.  len may be 0 (then gpa must still be inside RAM). */
hva_t gmem_hva(const struct gmem *gm, gpa_t gpa, uint64_t len);
/* Copy between guest RAM and a host buffer; a range may span regions.
 * 0, or -EFAULT (nothing copied) if any byte is not RAM. */
int gmem_read(const struct gmem *gm, gpa_t gpa, void *buf, uint64_t len);
int gmem_write(struct gmem *gm, gpa_t gpa, const void *buf, uint64_t len);
int gmem_fill(struct gmem *gm, gpa_t gpa, int byte, uint64_t len);
/* Is [gpa, gpa+len) entirely RAM? */
bool gmem_is_ram(const struct gmem *gm, gpa_t gpa, uint64_t len);
/* The region holding gpa, or NULL. */
const struct gmem_region *gmem_region_of(const struct gmem *gm, gpa_t gpa);

/* Little-endian scalar helpers (same rules as gmem_read/gmem_write). */
int gmem_read_u32(const struct gmem *gm, gpa_t gpa, uint32_t *v);
int gmem_read_u64(const struct gmem *gm, gpa_t gpa, uint64_t *v);
int gmem_write_u32(struct gmem *gm, gpa_t gpa, uint32_t v);
int gmem_write_u64(struct gmem *gm, gpa_t gpa, uint64_t v);

/* Parse "64M", "1G", "4096", "512k" into bytes; 0 or -EINVAL. */
int gmem_parse_size(const char *text, uint64_t *bytes);

#endif
