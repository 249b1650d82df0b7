/*
 * addr.c - default address conversions for identity-mapped guests.
 *
 * Used by the test library (a ucall's physical address) and by boot.c
 * (boot information pointers).  Weak, so that a kernel mapped elsewhere
 * replaces them simply by defining its own versions (see addr.h).
 */
#include "addr.h"

__attribute__((weak)) uint64_t guest_virt_to_phys(const void *va)
{
	return (uint64_t)(uintptr_t)va;
}

__attribute__((weak)) void *guest_phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}
