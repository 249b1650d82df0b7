/*
 * t_poweroff.c - powering off through the trapeze system-control port.
 *
 * Boot: direct64.  Serial output, exactly:
 *
 *   powering off with status 7
 *
 * then guest_poweroff(7): a 32-bit write of 7 to port 0xec0 (after the
 * signature read says this is trapeze).  trapeze exits with status 7.
 */
#include "boot.h"
#include "console.h"
#include "power.h"
#include "printf.h"

#define POWEROFF_STATUS 7

void guest_main(const struct guest_boot_args *args)
{
	(void)args;
	console_init();
	printf("powering off with status %d\n", POWEROFF_STATUS);
	guest_poweroff(POWEROFF_STATUS);
}
