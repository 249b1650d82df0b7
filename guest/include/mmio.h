/*
 * mmio.h - memory-mapped I/O accesses of an exact width.
 *
 * A device register in guest-physical memory is read or written with a
 * plain mov; when no RAM backs the address the access leaves the guest
 * (an MMIO exit) and the VMM's MMIO bus handles it.  The accessors use
 * inline assembly so that the compiler can neither split, merge nor drop
 * an access: the VMM sees exactly one access of the stated size.
 * Addresses are guest-virtual; the bare test guests run identity mapped.
 */
#ifndef GUEST_MMIO_H
#define GUEST_MMIO_H

#include <stdint.h>

/* Read 32 bits at `addr` with a single 4-byte load. */
static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t val;

	__asm__ volatile("movl (%1), %0" : "=r"(val) : "r"(addr) : "memory");
	return val;
}

/* Write 64 bits to `addr` with a single 8-byte store. */
static inline void mmio_write64(uintptr_t addr, uint64_t val)
{
	__asm__ volatile("movq %0, (%1)" : : "r"(val), "r"(addr) : "memory");
}

#endif
