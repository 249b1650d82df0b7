/*
 * console.h - the guest's text console: COM1 at 115200 8N1.
 *
 * printf() and the test library's fallback messages end up here.  Bytes
 * are sent as they are: '\n' is not turned into "\r\n", so the serial
 * output of a guest is byte-for-byte what it printed, on trapeze and on
 * QEMU alike.
 */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include <stddef.h>

/* Program COM1.  Output works without it on emulated UARTs, but a guest
 * should call it once before printing. */
void console_init(void);

/* Send one character / `len` characters to COM1. */
void console_putc(char c);
void console_write(const char *buf, size_t len);

#endif
