/*
 * guest_abi.h - the contract between a guest and the trapeze machine.
 *
 * This header is included by the VMM *and* by freestanding guest code, so it
 * uses only <stdint.h>.  It names the I/O ports of the trapeze "board", the
 * layout of a test-port call (ucall), and the exit statuses of `trapeze run`.
 *
 * Port map (all engines present the same board):
 *
 *   0x0020-0x021  i8259 PIC, master (vectors from ICW2; IRQ 2 cascades)
 *   0x0040-0x043  i8254 PIT (channel 0 drives IRQ 0)
 *   0x0061        system control port B (PIT channel 2 gate and output)
 *   0x00a0-0x0a1  i8259 PIC, slave (IRQ 8-15)
 *   0x04d0-0x4d1  ELCR: edge/level mode of each IRQ line
 *   0x00f4        isa-debug-exit (QEMU-compatible): write v -> VM ends,
 *                 trapeze exits with status (v << 1) | 1
 *   0x03f8-0x3ff  16550A UART (COM1), IRQ 4
 *   0x0ec0        trapeze system control (32-bit):
 *                   read  -> TRAPEZE_SYSCTL_SIGNATURE ("TRPZ"), so a guest
 *                            can tell trapeze from other machines
 *                   write -> power off; the value is the guest's status
 *   0x0ec4        test port (32-bit write): guest-physical address of a
 *                 struct ucall (must lie below 4 GiB)
 */
#ifndef TRAPEZE_GUEST_ABI_H
#define TRAPEZE_GUEST_ABI_H

#include <stdint.h>

#define TRAPEZE_PORT_DEBUG_EXIT 0x00f4
#define TRAPEZE_PORT_COM1 0x03f8
#define TRAPEZE_PORT_SYSCTL 0x0ec0
#define TRAPEZE_PORT_TESTPORT 0x0ec4

#define TRAPEZE_SYSCTL_SIGNATURE 0x5a505254u /* "TRPZ" read as little endian */

/* What a guest asks for through the test port. */
enum ucall_cmd {
	UCALL_NONE = 0,
	UCALL_SYNC = 1,   /* a checkpoint: args[0..] are values the host may check */
	UCALL_ASSERT = 2, /* a failed GUEST_ASSERT: file, line and message filled */
	UCALL_DONE = 3,   /* the test passed: the VM ends with status 0 */
	UCALL_PRINT = 4,  /* a message for the host's log */
};

#define UCALL_MAX_ARGS 4
#define UCALL_MSG_LEN 160
#define UCALL_FILE_LEN 64

/*
 * struct ucall - one test-port call, laid out in guest memory.
 * The guest fills it and writes its guest-physical address to
 * TRAPEZE_PORT_TESTPORT.  Fixed-size fields only: the VMM copies it out of
 * guest memory through the bounds-checked accessors and never trusts the
 * strings to be terminated.
 */
struct ucall {
	uint64_t cmd; /* enum ucall_cmd */
	uint64_t args[UCALL_MAX_ARGS];
	uint32_t line;
	uint32_t reserved;
	char file[UCALL_FILE_LEN];
	char msg[UCALL_MSG_LEN];
};

/*
 * Exit statuses of `trapeze run`.  Even codes from 120 up are trapeze's own;
 * QEMU's isa-debug-exit can only produce odd ones, and a guest's power-off
 * status is clamped to 0..TRAPEZE_EXIT_GUEST_MAX, so none of them collide.
 */
#define TRAPEZE_EXIT_OK 0
#define TRAPEZE_EXIT_GUEST_MAX 119   /* largest status a guest can report */
#define TRAPEZE_EXIT_GUEST_FAIL 1    /* GUEST_ASSERT failed */
#define TRAPEZE_EXIT_VMM_ERROR 120   /* bad usage, bad image, engine unusable */
#define TRAPEZE_EXIT_TRIPLE_FAULT 122 /* the vCPU shut down (triple fault) */
#define TRAPEZE_EXIT_TIMEOUT 124     /* --timeout expired */
#define TRAPEZE_EXIT_GUEST_ERROR 126 /* the guest cannot go on: emulation
                                        failure, failed entry, hlt with
                                        interrupts off, a bad device request
                                        (e.g. a wild test-port pointer) */

#endif
