/*
 * t_debugexit.c - QEMU's isa-debug-exit port on trapeze.
 *
 * Boot: direct64.  Serial output: none.
 * The guest writes 0x21 to port 0xf4 with an 8-bit out; the VM ends and
 * trapeze exits with status (0x21 << 1) | 1 = 0x43 (67).  No ucall.
 */
#include "boot.h"
#include "core/guest_abi.h"
#include "guest_test.h"
#include "pio.h"

#define DEBUG_EXIT_VALUE 0x21

void guest_main(const struct guest_boot_args *args)
{
	(void)args;
	outb(TRAPEZE_PORT_DEBUG_EXIT, DEBUG_EXIT_VALUE);
	GUEST_ASSERT(!"the VM kept running after isa-debug-exit");
}
