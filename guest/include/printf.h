/*
 * printf.h - formatted output for freestanding guest code.
 *
 * One formatter (printf.c) serves two sinks: the console (printf) and a
 * caller's buffer (snprintf, used to fill the message of a test-port call).
 *
 * Supported: %s %c %d %i %u %x %p %% with the length modifiers l, ll and
 * z, a field width, and the flags '0' (pad with zeros) and '-' (left
 * justify).  Anything else is copied to the output as written, so a bad
 * format shows up in the output instead of crashing the guest.
 */
#ifndef GUEST_PRINTF_H
#define GUEST_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

#define GUEST_PRINTF_FMT(fmt_arg, first_arg)                                             \
	__attribute__((format(printf, fmt_arg, first_arg)))

/* Format to the console.  Returns the number of characters written. */
int printf(const char *fmt, ...) GUEST_PRINTF_FMT(1, 2);
int vprintf(const char *fmt, va_list ap);

/*
 * Format into buf (size bytes, always NUL-terminated when size > 0).
 * Returns the length the full output would have had, like C99.
 */
int snprintf(char *buf, size_t size, const char *fmt, ...) GUEST_PRINTF_FMT(3, 4);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
