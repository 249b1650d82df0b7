/*
 * gmem.c - guest physical memory: one memfd, one host mapping, a region
 * table (see gmem.h for the layout and the bounds-check invariant).
 *
 * Everything that touches guest RAM on the guest's behalf ends up in
 * gmem_span(): it is the one place where a guest-supplied address becomes a
 * host pointer, and it refuses any range that is not wholly RAM.
 */
#include "gmem.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void gmem_add_region(struct gmem *gm, gpa_t gpa, uint64_t size,
                            uint64_t memfd_offset)
{
	struct gmem_region *r = &gm->regions[gm->nr_regions++];

	r->gpa = gpa;
	r->size = size;
	r->memfd_offset = memfd_offset;
	r->hva = gm->base + memfd_offset;
}

/* Create RAM of `size` bytes: a memfd (so pages can later be remapped one by
 * one for sharing and ballooning) mapped once, shared, read-write. */
int gmem_init(struct gmem *gm, uint64_t size)
{
	memset(gm, 0, sizeof(*gm));
	gm->memfd = -1;
	if (size == 0 || (size & ~PAGE_MASK) || size > (1ull << 40))
		return -EINVAL;

	gm->memfd = memfd_create("trapeze-guest-ram", MFD_CLOEXEC);
	if (gm->memfd < 0)
		return -errno;
	if (ftruncate(gm->memfd, (off_t)size) < 0)
		goto fail;
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
	               gm->memfd, 0);
	if (p == MAP_FAILED)
		goto fail;
	gm->base = p;
	gm->size = size;

	uint64_t low = size < GMEM_LOW_LIMIT ? size : GMEM_LOW_LIMIT;
	gmem_add_region(gm, 0, low, 0);
	if (size > low)
		gmem_add_region(gm, GMEM_HIGH_BASE, size - low, low);
	return 0;
fail: {
	int err = -errno;
	close(gm->memfd);
	gm->memfd = -1;
	return err;
}
}

void gmem_destroy(struct gmem *gm)
{
	if (gm->base)
		munmap(gm->base, gm->size);
	if (gm->memfd >= 0)
		close(gm->memfd);
	memset(gm, 0, sizeof(*gm));
	gm->memfd = -1;
}

const struct gmem_region *gmem_region_of(const struct gmem *gm, gpa_t gpa)
{
	for (unsigned i = 0; i < gm->nr_regions; i++) {
		const struct gmem_region *r = &gm->regions[i];
		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return r;
	}
	return NULL;
}

/* The host address of [gpa, gpa+len) if it lies in one region, else NULL.
 * Written so that no addition can overflow: gpa - r->gpa < r->size holds
 * first, then len is compared with the room left. */
hva_t gmem_hva(const struct gmem *gm, gpa_t gpa, uint64_t len)
{
	const struct gmem_region *r = gmem_region_of(gm, gpa);

	if (!r || len > r->size - (gpa - r->gpa))
		return NULL;
	return r->hva + (gpa - r->gpa);
}

bool gmem_is_ram(const struct gmem *gm, gpa_t gpa, uint64_t len)
{
	while (len) {
		const struct gmem_region *r = gmem_region_of(gm, gpa);
		if (!r)
			return false;
		uint64_t room = r->size - (gpa - r->gpa);
		uint64_t n = len < room ? len : room;
		gpa += n;
		len -= n;
	}
	return true;
}

/* Copy [gpa, gpa+len) region by region, in the direction `to_guest` says.
 * Returns -EFAULT before copying anything if a byte is not RAM. */
static int gmem_copy(const struct gmem *gm, gpa_t gpa, void *buf, uint64_t len,
                     bool to_guest)
{
	if (!gmem_is_ram(gm, gpa, len))
		return -EFAULT;
	uint8_t *p = buf;
	while (len) {
		const struct gmem_region *r = gmem_region_of(gm, gpa);
		uint64_t room = r->size - (gpa - r->gpa);
		uint64_t n = len < room ? len : room;
		hva_t h = r->hva + (gpa - r->gpa);
		if (to_guest)
			memcpy(h, p, n);
		else
			memcpy(p, h, n);
		p += n;
		gpa += n;
		len -= n;
	}
	return 0;
}

int gmem_read(const struct gmem *gm, gpa_t gpa, void *buf, uint64_t len)
{
	return gmem_copy(gm, gpa, buf, len, false);
}

int gmem_write(struct gmem *gm, gpa_t gpa, const void *buf, uint64_t len)
{
	return gmem_copy(gm, gpa, (void *)buf, len, true);
}

int gmem_fill(struct gmem *gm, gpa_t gpa, int byte, uint64_t len)
{
	if (!gmem_is_ram(gm, gpa, len))
		return -EFAULT;
	while (len) {
		const struct gmem_region *r = gmem_region_of(gm, gpa);
		uint64_t room = r->size - (gpa - r->gpa);
		uint64_t n = len < room ? len : room;
		memset(r->hva + (gpa - r->gpa), byte, n);
		gpa += n;
		len -= n;
	}
	return 0;
}

int gmem_read_u32(const struct gmem *gm, gpa_t gpa, uint32_t *v)
{
	return gmem_read(gm, gpa, v, sizeof(*v));
}

int gmem_read_u64(const struct gmem *gm, gpa_t gpa, uint64_t *v)
{
	return gmem_read(gm, gpa, v, sizeof(*v));
}

int gmem_write_u32(struct gmem *gm, gpa_t gpa, uint32_t v)
{
	return gmem_write(gm, gpa, &v, sizeof(v));
}

int gmem_write_u64(struct gmem *gm, gpa_t gpa, uint64_t v)
{
	return gmem_write(gm, gpa, &v, sizeof(v));
}

/* "64M" -> 64 MiB.  Suffixes k/K, m/M, g/G (binary); no suffix: bytes.
 * The result must be a non-zero multiple of the page size. */
int gmem_parse_size(const char *text, uint64_t *bytes)
{
	char *end;
	errno = 0;
	if (!text || !isdigit((unsigned char)text[0]))
		return -EINVAL;
	unsigned long long n = strtoull(text, &end, 10);
	if (errno)
		return -EINVAL;
	unsigned shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: break;
	}
	if (*end == 'i' || *end == 'B')
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end != '\0' || n == 0 || n > (UINT64_MAX >> shift))
		return -EINVAL;
	n <<= shift;
	if (n & ~PAGE_MASK)
		return -EINVAL;
	*bytes = n;
	return 0;
}
