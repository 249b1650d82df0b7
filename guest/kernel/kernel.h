/*
 * kernel.h - things every part of the kernel uses: printing, panic, and
 * the machine's power-off statuses.
 *
 * The kernel prints with the guest library's printf (guest/lib), which
 * writes straight to the serial port; its lines start with "kernel:" so
 * they stand apart from the user programs' output.
 */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "printf.h"

/*
 * How the machine powers off (the status `trapeze run` exits with; QEMU's
 * isa-debug-exit turns status s into (s << 1) | 1):
 *
 *   init's exit code   pid 1 called exit(code): the code, 0..255 (trapeze
 *                      clamps a status above 119 to 119)
 *   KSTATUS_USAGE      the command line names no known program
 *   KSTATUS_PANIC      the kernel hit an impossible condition or faulted
 *   KSTATUS_INIT_KILLED  pid 1 was killed by an exception
 */
#define KSTATUS_USAGE       2
#define KSTATUS_PANIC       3
#define KSTATUS_INIT_KILLED 4

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Print "kernel panic: <message>" and power off with KSTATUS_PANIC. */
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

/* Print "kernel: <message>" and power off with `status`. */
__attribute__((noreturn, format(printf, 2, 3))) void kernel_halt(int status,
                                                                 const char *fmt, ...);

#endif
