/*
 * bus.h - the port-I/O and MMIO buses.
 *
 * Each VM has two buses; a device claims a range on one of them with one
 * handler.  Port I/O and MMIO use the same handler signature, so a device
 * model does not care how the guest reached it.  Whatever engine runs the
 * guest, the core turns its VM_EXIT_IO / VM_EXIT_MMIO into bus_access().
 *
 * A handler gets the offset of the access inside the device's range, a
 * buffer of `len` bytes (little endian) to fill on a read or to consume on a
 * write, and returns 0 or -errno (an error stops the VM with a report).
 */
#ifndef TRAPEZE_CORE_BUS_H
#define TRAPEZE_CORE_BUS_H

#include "types.h"

struct vcpu;

typedef int (*bus_handler_fn)(void *dev, struct vcpu *vcpu, uint64_t offset,
                              void *data, unsigned len, bool is_write);

struct bus_range {
	uint64_t base;
	uint64_t len;
	bus_handler_fn fn;
	void *dev;
	const char *name; /* static string: the device's name, for reports */
};

struct bus {
	struct bus_range *ranges; /* sorted by base, never overlapping */
	size_t nr, cap;
};

/* Claim [base, base+len) for a device.  0, -EINVAL (len 0 or wraps),
 * -EEXIST (overlaps a range already claimed) or -ENOMEM. */
int bus_register(struct bus *bus, uint64_t base, uint64_t len,
                 bus_handler_fn fn, void *dev, const char *name);
/* The range containing addr, or NULL. */
const struct bus_range *bus_find(const struct bus *bus, uint64_t addr);
/* Dispatch one access.  -ENOENT when no device claims addr (the caller
 * decides what an unclaimed access means); otherwise the handler's result.
 * An access that starts in a range but runs past its end is -ERANGE. */
int bus_access(const struct bus *bus, struct vcpu *vcpu, uint64_t addr,
               void *data, unsigned len, bool is_write);
void bus_destroy(struct bus *bus);

#endif
