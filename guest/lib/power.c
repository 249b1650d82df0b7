/*
 * power.c - telling trapeze from QEMU, and powering off (see power.h).
 *
 * The last thing every guest path calls.  Writes to the two machines'
 * exit ports are harmless on the other machine: an unclaimed port ignores
 * writes and reads as all ones.
 */
#include "power.h"

#include <stdint.h>

#include "core/guest_abi.h"
#include "cpu.h"
#include "pio.h"

/*
 * Where QEMU puts isa-debug-exit when `-device isa-debug-exit` is given no
 * iobase.  The trapeze board (and `-device isa-debug-exit,iobase=0xf4,
 * iosize=4`) uses TRAPEZE_PORT_DEBUG_EXIT; writing both lets the image end
 * QEMU either way.
 */
#define QEMU_DEBUG_EXIT_DEFAULT_PORT 0x501

/* Result of the one signature read: unknown until the first call. */
enum trapeze_probe { PROBE_NOT_DONE, PROBE_TRAPEZE, PROBE_OTHER };

static enum trapeze_probe probe_result = PROBE_NOT_DONE;

bool guest_on_trapeze(void)
{
	if (probe_result == PROBE_NOT_DONE) {
		uint32_t sig = inl(TRAPEZE_PORT_SYSCTL);

		probe_result =
		    sig == TRAPEZE_SYSCTL_SIGNATURE ? PROBE_TRAPEZE : PROBE_OTHER;
	}
	return probe_result == PROBE_TRAPEZE;
}

void guest_poweroff(int status)
{
	if (guest_on_trapeze())
		outl(TRAPEZE_PORT_SYSCTL, (uint32_t)status);
	else {
		outb(TRAPEZE_PORT_DEBUG_EXIT, (uint8_t)status);
		outb(QEMU_DEBUG_EXIT_DEFAULT_PORT, (uint8_t)status);
	}
	/* Still running: no machine honoured the request. */
	cpu_halt_forever();
}
