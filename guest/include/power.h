/*
 * power.h - ending the guest, on trapeze or on QEMU.
 *
 * The same image must be able to stop the machine it runs on:
 *
 *   trapeze  the system-control port (0xec0) reads "TRPZ"; a 32-bit write
 *            of a status powers off and `trapeze run` exits with it
 *   QEMU     no system-control port (reads all ones); a byte written to
 *            isa-debug-exit ends QEMU with status (byte << 1) | 1.  The
 *            byte goes to 0xf4 (the trapeze board's port, QEMU with
 *            iobase=0xf4) and to 0x501 (QEMU's default iobase).
 *
 * If neither works the guest halts with interrupts masked, which every
 * VMM can see as a stuck guest.
 */
#ifndef GUEST_POWER_H
#define GUEST_POWER_H

#include <stdbool.h>

/* True when the system-control port answers with the trapeze signature.
 * The port is read once; later calls use the remembered answer. */
bool guest_on_trapeze(void);

/* Stop the machine with `status` (0 = success).  Never returns. */
__attribute__((noreturn)) void guest_poweroff(int status);

#endif
