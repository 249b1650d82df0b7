/*
 * ulib.c - system call wrappers, the console behind printf, start-up
 * (see ulib.h).
 *
 * A system call puts its number in RAX and its arguments in RDI, RSI,
 * RDX, R10, R8, R9, then executes `int $0x80`; the result is in RAX
 * (syscall.h in the kernel shows the other side).
 */
#include "ulib.h"

#include "console.h"

#define LINE_MAX 256

static char line[LINE_MAX]; /* printf output not yet written */
static unsigned int line_len;

long syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	register long r10 __asm__("r10") = a3;
	register long r8 __asm__("r8") = a4;
	register long r9 __asm__("r9") = a5;
	long ret;

	__asm__ volatile("int %[vector]"
	                 : "=a"(ret)
	                 : [vector] "i"(SYSCALL_VECTOR), "a"(nr), "D"(a0), "S"(a1),
	                   "d"(a2), "r"(r10), "r"(r8), "r"(r9)
	                 : "memory");
	return ret;
}

/* System call nr without arguments. */
static long syscall0(long nr)
{
	return syscall6(nr, 0, 0, 0, 0, 0, 0);
}

/* System call nr with one argument. */
static long syscall1(long nr, long a0)
{
	return syscall6(nr, a0, 0, 0, 0, 0, 0);
}

void flush(void)
{
	if (line_len > 0)
		write(FD_STDOUT, line, line_len);
	line_len = 0;
}

/* printf's sink (guest/lib/printf.c): buffer a line, write it at '\n'. */
void console_putc(char c)
{
	line[line_len++] = c;
	if (c == '\n' || line_len == LINE_MAX)
		flush();
}

void exit(int status)
{
	flush();
	syscall1(SYS_EXIT, status);
	__builtin_unreachable();
}

long write(int fd, const void *buf, unsigned long len)
{
	return syscall6(SYS_WRITE, fd, (long)buf, (long)len, 0, 0, 0);
}

int getpid(void)
{
	return (int)syscall0(SYS_GETPID);
}

int getppid(void)
{
	return (int)syscall0(SYS_GETPPID);
}

/* Flush first, or the child would print the parent's pending output
 * again. */
int fork(void)
{
	flush();
	return (int)syscall0(SYS_FORK);
}

int wait(int pid, int *status)
{
	return (int)syscall6(SYS_WAIT, pid, (long)status, 0, 0, 0, 0);
}

int yield(void)
{
	return (int)syscall0(SYS_YIELD);
}

long sbrk(long increment)
{
	return syscall1(SYS_SBRK, increment);
}

int sleep(long ms)
{
	return (int)syscall1(SYS_SLEEP, ms);
}

long uptime(void)
{
	return syscall0(SYS_UPTIME);
}

long memfree(void)
{
	return syscall0(SYS_MEMFREE);
}

int atoi(const char *s)
{
	int v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	return v;
}

/* Called by _start (crt0.S). */
__attribute__((noreturn)) void ulib_start(int argc, char **argv);

void ulib_start(int argc, char **argv)
{
	exit(main(argc, argv));
}
