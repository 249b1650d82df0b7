/*
 * t_wild.c - a test-port call with a wild guest-physical address.
 *
 * Boot: direct64.  Serial output: none.
 * The guest writes 0xfff00000 to the test port with a raw 32-bit out
 * (not through the test library).  No RAM lies there, so a correct VMM
 * refuses to read a struct ucall from it and stops the VM with a clear
 * error naming the address; it must never read outside guest memory.
 * If the VM keeps running, the guest reports a failed assertion.
 */
#include "boot.h"
#include "core/guest_abi.h"
#include "guest_test.h"
#include "pio.h"

#define WILD_GPA 0xfff00000u /* 4 GiB - 1 MiB: outside any small VM's RAM */

void guest_main(const struct guest_boot_args *args)
{
	(void)args;
	outl(TRAPEZE_PORT_TESTPORT, WILD_GPA);
	GUEST_ASSERT(!"the VM kept running after a wild test-port address");
}
