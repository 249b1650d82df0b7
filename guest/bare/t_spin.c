/*
 * t_spin.c - a guest that never stops by itself.
 *
 * Boot: direct64.  Serial output: none.  No ucall.
 * A tight loop with no exits at all: only the VMM's --timeout can end it
 * (trapeze: status 124).  Tests use it to check that a runaway guest
 * cannot hang the host.
 */
#include "boot.h"

void guest_main(const struct guest_boot_args *args)
{
	(void)args;
	for (;;)
		__asm__ volatile("" ::: "memory"); /* keep the loop, do nothing */
}
