/*
 * cowtest.c - copy-on-write after fork keeps memory private.
 *
 * Four kinds of memory, each holding a known value before fork:
 *
 *   data   an initialised global          (ELF .data)
 *   bss    a zero-initialised global      (ELF .bss)
 *   heap   a page from sbrk               (demand-zero)
 *   stack  a local variable of main       (demand-zero)
 *
 *   1. the child writes new values: it must read its own values back,
 *      and the parent (after wait) must still read the old ones
 *   2. the parent writes new values while the child is alive: the child
 *      must still read the old ones
 *   3. two children and the parent share one page, and all three write
 *      it: each must read its own value
 *   4. memfree() is the same before and after: no page leaked
 *
 * Children report through their exit status: a bit per kind of memory
 * that held a wrong value (0 = all good).  Only the parent prints.
 */
#include "ulib.h"

#define OLD_VALUE    0x1111
#define CHILD_VALUE  0x2222
#define PARENT_VALUE 0x3333
#define NR_KINDS     4
#define NR_SHARERS   3

static volatile long data_var = OLD_VALUE;
static volatile long bss_var;
static volatile long *heap_var;

static const char *const kind_names[NR_KINDS] = {"data", "bss", "heap", "stack"};
static int failures;

/* Set every kind of memory to v. */
static void write_all(volatile long *stack_var, long v)
{
	data_var = v;
	bss_var = v;
	*heap_var = v;
	*stack_var = v;
}

/* Bit i set when kind i does not hold v. */
static int check_all(volatile long *stack_var, long v)
{
	long got[NR_KINDS] = {data_var, bss_var, *heap_var, *stack_var};
	int bad = 0;

	for (int i = 0; i < NR_KINDS; i++)
		bad |= (got[i] != v) << i;
	return bad;
}

/* Print one line per kind named in bad: what went wrong where. */
static void report(const char *who, int bad)
{
	for (int i = 0; i < NR_KINDS; i++) {
		if (bad & (1 << i)) {
			printf("cowtest: FAIL: %s saw a wrong value in %s\n", who,
			       kind_names[i]);
			failures++;
		}
	}
}

/* Wait for pid; return its exit status, or 0xff if wait failed. */
static int child_status(int pid)
{
	int status = -1;

	return wait(pid, &status) == pid ? status : 0xff;
}

/* Part 1: the child writes, the parent must not see it. */
static void child_writes(volatile long *stack_var)
{
	int pid;

	write_all(stack_var, OLD_VALUE);
	pid = fork();
	if (pid == 0) {
		int bad = check_all(stack_var, OLD_VALUE);

		write_all(stack_var, CHILD_VALUE);
		exit(bad | check_all(stack_var, CHILD_VALUE));
	}
	report("child", child_status(pid));
	report("parent", check_all(stack_var, OLD_VALUE));
	printf("cowtest: the child's writes stayed private (data bss heap stack)\n");
}

/* Part 2: the parent writes while the child is alive. */
static void parent_writes(volatile long *stack_var)
{
	int pid;

	write_all(stack_var, OLD_VALUE);
	pid = fork();
	if (pid == 0) {
		yield(); /* most likely the parent writes first */
		exit(check_all(stack_var, OLD_VALUE));
	}
	write_all(stack_var, PARENT_VALUE);
	report("child", child_status(pid));
	report("parent", check_all(stack_var, PARENT_VALUE));
	printf("cowtest: the parent's writes stayed private (data bss heap stack)\n");
}

/* Part 3: three processes, one page, three values. */
static void three_sharers(volatile long *stack_var)
{
	int pids[NR_SHARERS - 1];

	write_all(stack_var, OLD_VALUE);
	for (int i = 0; i < NR_SHARERS - 1; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			write_all(stack_var, CHILD_VALUE + i);
			yield();
			exit(check_all(stack_var, CHILD_VALUE + i));
		}
	}
	write_all(stack_var, PARENT_VALUE);
	for (int i = 0; i < NR_SHARERS - 1; i++)
		report("sharing child", child_status(pids[i]));
	report("sharing parent", check_all(stack_var, PARENT_VALUE));
	printf("cowtest: %d processes sharing pages each got their own copy\n",
	       NR_SHARERS);
}

int main(int argc, char **argv)
{
	volatile long stack_var = 0;
	long before;

	heap_var = (volatile long *)sbrk(PAGE_SIZE);
	if ((long)heap_var < 0) {
		printf("cowtest: FAIL: sbrk: %ld\n", (long)heap_var);
		return 1;
	}
	write_all(&stack_var, OLD_VALUE); /* every page is present now */
	printf("cowtest: pid %d\n", getpid());
	before = memfree();
	child_writes(&stack_var);
	parent_writes(&stack_var);
	three_sharers(&stack_var);
	if (memfree() != before) {
		printf("cowtest: FAIL: %ld pages leaked\n", before - memfree());
		failures++;
	}
	if (failures) {
		printf("cowtest: %d checks failed\n", failures);
		return 1;
	}
	printf("cowtest: no pages leaked\ncowtest: ok\n");
	return 0;
}
