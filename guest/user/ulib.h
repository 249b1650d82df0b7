/*
 * ulib.h - the user library: what a program running on the teaching
 * kernel can call.
 *
 *   system calls     one C function per call in abi.h, each an `int $0x80`
 *                    (lib/ulib.c); results as the kernel returns them:
 *                    >= 0, or a negative error number (-EFAULT, ...)
 *   printf           the guest library's formatter (guest/lib/printf.c);
 *                    its output goes to the console through write(1, ...),
 *                    one write per line
 *   start-up         _start (lib/crt0.S) calls main(argc, argv) and then
 *                    exit() with main's return value
 *
 * Programs are built with general-purpose registers only (no x87, SSE):
 * the kernel saves no floating-point state, and such instructions kill
 * the process (#NM, #UD).
 */
#ifndef USER_ULIB_H
#define USER_ULIB_H

#include <stdint.h>

#include "abi.h"
#include "printf.h"
#include "string.h"

#define PAGE_SIZE 4096

/* The system calls (see abi.h for what each does). */
__attribute__((noreturn)) void exit(int status);
long write(int fd, const void *buf, unsigned long len);
int getpid(void);
int getppid(void);
int fork(void);
int wait(int pid, int *status);
int yield(void);
long sbrk(long increment);
int sleep(long ms);
long uptime(void);
long memfree(void);

/* Any system call by number, for tests of the interface itself. */
long syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

/* Send what printf has buffered (fork and exit do it themselves). */
void flush(void);

/* Decimal string to int; stops at the first non-digit. */
int atoi(const char *s);

/* The program, called by _start. */
int main(int argc, char **argv);

#endif
