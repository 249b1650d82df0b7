/*
 * crash.c - processes that crash, and a kernel that lives on.
 *
 * For each case a child does something illegal; the kernel must report
 * the exception ("[pid N crash] killed: ...", with the registers) and
 * kill only that child.  The parent checks that wait() reports a kill by
 * the expected exception vector (abi.h: WAIT_KILLED | vector), then goes
 * on with the next case.
 *
 *   NULL read          #PF (14), err 0x4: user read of a page not present
 *   write to text      #PF (14), err 0x7: user write to a read-only page
 *   execute data       #PF (14), err 0x15: fetch from a no-execute page
 *   ud2                #UD (6)
 *   divide by zero     #DE (0)
 *   hlt in user mode   #GP (13): a privileged instruction
 *   int3               #BP (3)
 *   stack overflow     #PF (14): the stack outgrew USER_STACK_MAX
 */
#include "ulib.h"

#define EXC_DE            0
#define EXC_BP            3
#define EXC_UD            6
#define EXC_GP            13
#define EXC_PF            14
#define STACK_FRAME_BYTES 4096
#define RET_OPCODE        0xc3

struct crash_case {
	const char *what;
	void (*crash)(void);
	int vector;
};

static volatile long *volatile null_pointer;
static volatile int zero;
static unsigned char data_code[16] = {RET_OPCODE};

/* Read through a NULL pointer. */
static void null_read(void)
{
	(void)*null_pointer;
}

/* Overwrite the first byte of a function (read-only text). */
static void text_write(void)
{
	*(volatile unsigned char *)(uintptr_t)null_read = RET_OPCODE;
}

/* Call a `ret` instruction that lies in the data segment (NX). */
static void execute_data(void)
{
	((void (*)(void))(uintptr_t)data_code)();
}

/* The instruction defined to be invalid. */
static void invalid_opcode(void)
{
	__asm__ volatile("ud2");
}

/* In assembly: the compiler would turn a C division by a value it
 * cannot see into something cleverer than a div instruction. */
static void divide_by_zero(void)
{
	unsigned int divisor = (unsigned int)zero;

	__asm__ volatile("divl %0" : : "r"(divisor), "a"(1), "d"(0));
}

/* A ring-0-only instruction in ring 3. */
static void privileged(void)
{
	__asm__ volatile("hlt");
}

/* The one-byte breakpoint instruction. */
static void breakpoint(void)
{
	__asm__ volatile("int3");
}

/* Recurse until the stack runs out, touching a page of stack per call
 * (the limit is far beyond any depth the stack can reach). */
static long overflow(long depth)
{
	volatile char frame[STACK_FRAME_BYTES];

	frame[0] = (char)depth;
	if (depth > (long)USER_STACK_MAX)
		return frame[0];
	return overflow(depth + 1) + frame[0];
}

/* Grow the stack past USER_STACK_MAX. */
static void stack_overflow(void)
{
	overflow(0);
}

static const struct crash_case cases[] = {
    {"NULL read", null_read, EXC_PF},
    {"write to text", text_write, EXC_PF},
    {"execute data", execute_data, EXC_PF},
    {"ud2", invalid_opcode, EXC_UD},
    {"divide by zero", divide_by_zero, EXC_DE},
    {"hlt in user mode", privileged, EXC_GP},
    {"int3", breakpoint, EXC_BP},
    {"stack overflow", stack_overflow, EXC_PF},
};

#define NR_CASES (int)(sizeof(cases) / sizeof(cases[0]))

/* Run one case in a child; 0 if it died the expected way. */
static int run_case(const struct crash_case *c)
{
	int status = -1, pid = fork();

	if (pid == 0) {
		c->crash();
		exit(0); /* survived: should not happen */
	}
	if (wait(pid, &status) != pid) {
		printf("crash: FAIL: wait for %s\n", c->what);
		return 1;
	}
	if (WAIT_EXITED(status) || WAIT_KILL_VECTOR(status) != c->vector) {
		printf(
		    "crash: FAIL: %s: wait status 0x%x, expected a kill by vector %d\n",
		    c->what, status, c->vector);
		return 1;
	}
	printf("crash: child %d (%s) was killed by vector %d, as expected\n", pid,
	       c->what, c->vector);
	return 0;
}

int main(int argc, char **argv)
{
	int failures = 0;

	for (int i = 0; i < NR_CASES; i++)
		failures += run_case(&cases[i]);
	if (failures)
		return 1;
	printf("crash: the kernel survived %d crashing children\ncrash: ok\n", NR_CASES);
	return 0;
}
