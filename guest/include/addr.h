/*
 * addr.h - converting between guest-virtual and guest-physical addresses.
 *
 * Devices, the test port and boot information speak guest-physical
 * addresses; code dereferences guest-virtual ones.  The images in guest/
 * today run identity mapped (virtual == physical), which is what the
 * default hooks in addr.c assume.  A kernel that maps itself elsewhere
 * (higher half) overrides both by defining functions with the same names:
 * the defaults are weak symbols, so the linker prefers the kernel's.
 */
#ifndef GUEST_ADDR_H
#define GUEST_ADDR_H

#include <stdint.h>

/* Guest-physical address of the object at `va`. */
uint64_t guest_virt_to_phys(const void *va);

/* Pointer through which guest-physical address `pa` can be accessed. */
void *guest_phys_to_virt(uint64_t pa);

#endif
