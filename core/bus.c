/*
 * bus.c - port-I/O and MMIO dispatch (see bus.h).
 *
 * A bus is a sorted array of non-overlapping ranges; a lookup is a binary
 * search.  A board has a handful of devices, so registration simply inserts
 * in order.
 */
#include "bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int bus_register(struct bus *bus, uint64_t base, uint64_t len,
                 bus_handler_fn fn, void *dev, const char *name)
{
	if (len == 0 || base + len < base || !fn)
		return -EINVAL;
	size_t pos = 0;
	while (pos < bus->nr && bus->ranges[pos].base < base)
		pos++;
	/* The neighbours on either side must not overlap the new range. */
	if (pos > 0) {
		const struct bus_range *prev = &bus->ranges[pos - 1];
		if (prev->base + prev->len > base)
			return -EEXIST;
	}
	if (pos < bus->nr && bus->ranges[pos].base < base + len)
		return -EEXIST;
	if (bus->nr == bus->cap) {
		size_t cap = bus->cap ? bus->cap * 2 : 8;
		struct bus_range *r = realloc(bus->ranges, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		bus->ranges = r;
		bus->cap = cap;
	}
	memmove(&bus->ranges[pos + 1], &bus->ranges[pos],
	        (bus->nr - pos) * sizeof(bus->ranges[0]));
	bus->ranges[pos] = (struct bus_range){ base, len, fn, dev, name };
	bus->nr++;
	return 0;
}

const struct bus_range *bus_find(const struct bus *bus, uint64_t addr)
{
	size_t lo = 0, hi = bus->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct bus_range *r = &bus->ranges[mid];
		if (addr < r->base)
			hi = mid;
		else if (addr - r->base >= r->len)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

int bus_access(const struct bus *bus, struct vcpu *vcpu, uint64_t addr,
               void *data, unsigned len, bool is_write)
{
	const struct bus_range *r = bus_find(bus, addr);

	if (!r)
		return -ENOENT;
	if (len > r->len - (addr - r->base))
		return -ERANGE;
	return r->fn(r->dev, vcpu, addr - r->base, data, len, is_write);
}

void bus_destroy(struct bus *bus)
{
	free(bus->ranges);
	memset(bus, 0, sizeof(*bus));
}
