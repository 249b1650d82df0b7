/*
 * hello.c - the smallest complete guest: one line on the serial console,
 * then power off with status 0.
 *
 * Boots by PVH (trapeze) or multiboot (trapeze, `qemu-system-x86_64
 * -kernel`) through boot32.S.  Its output does not depend on the
 * protocol, so the serial logs of trapeze and QEMU compare equal:
 *
 *   hello from a trapeze guest
 *
 * Exit status: trapeze 0 (power-off port); QEMU 1 (isa-debug-exit with
 * value 0 gives (0 << 1) | 1).
 */
#include "boot.h"
#include "console.h"
#include "power.h"
#include "printf.h"

void guest_main(const struct guest_boot_args *args)
{
	(void)args;
	console_init();
	printf("hello from a trapeze guest\n");
	guest_poweroff(0);
}
