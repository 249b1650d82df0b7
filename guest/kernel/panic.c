/*
 * panic.c - the two ways the kernel ends the machine on purpose.
 *
 * Both print one last line and call the guest library's power-off, which
 * stops trapeze (system-control port) or QEMU (isa-debug-exit).  Neither
 * can hang: if no machine honours the power-off, guest_poweroff halts
 * with interrupts masked, which a VMM reports as a stuck guest.
 */
#include "kernel.h"

#include <stdarg.h>

#include "power.h"

void panic(const char *fmt, ...)
{
	va_list ap;

	__asm__ volatile("cli");
	printf("kernel panic: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	guest_poweroff(KSTATUS_PANIC);
}

void kernel_halt(int status, const char *fmt, ...)
{
	va_list ap;

	printf("kernel: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	guest_poweroff(status);
}
