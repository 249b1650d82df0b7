/*
 * t_hlt.c - a guest that halts with interrupts masked.
 *
 * Boot: direct64.  Serial output: none.  No ucall.
 * `cli; hlt` with nothing that could ever wake the vCPU: the VMM must
 * notice and report a stuck guest (trapeze: status 126) instead of
 * waiting forever.
 */
#include "boot.h"
#include "cpu.h"
#include "guest_test.h"

void guest_main(const struct guest_boot_args *args)
{
	(void)args;
	cpu_cli();
	cpu_hlt();
	GUEST_ASSERT(!"hlt with interrupts masked returned");
}
