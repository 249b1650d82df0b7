/*
 * forktest.c - fork, exit and wait, many times over.
 *
 *   1. NR_CHILDREN children at once, child i exits with status i + 1;
 *      the parent waits for each by pid and checks pid and status
 *   2. fork until the process table is full (-EAGAIN), reap them all
 *   3. nested forks: a chain NEST_DEPTH processes deep, each returning
 *      its child's status + 1
 *   4. an orphan: a child forks a grandchild and exits at once; the
 *      grandchild must be given to init (getppid() == 1), and init (us)
 *      reaps it
 *   5. memfree() is the same before and after: nothing leaked
 *
 * Run as init (pid 1).  Prints one line per part, exits 0 if all pass.
 */
#include "ulib.h"

#define NR_CHILDREN 40
#define NEST_DEPTH  5
#define ORPHAN_CODE 7
#define YIELD_LIMIT 1000

static int failures;

/* Print a failure and count it. */
static void fail(const char *what, long got, long want)
{
	printf("forktest: FAIL: %s: got %ld, expected %ld\n", what, got, want);
	failures++;
}

/* Check got == want; count and print a failure otherwise. */
static void expect(const char *what, long got, long want)
{
	if (got != want)
		fail(what, got, want);
}

/* Part 1: many children alive at once, each status checked. */
static void many_children(void)
{
	int pids[NR_CHILDREN];

	for (int i = 0; i < NR_CHILDREN; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			exit(i + 1);
		if (pids[i] < 0)
			fail("fork", pids[i], 1);
	}
	for (int i = 0; i < NR_CHILDREN; i++) {
		int status = -1;

		expect("wait(pid) returns pid", wait(pids[i], &status), pids[i]);
		expect("child exit status", status, i + 1);
	}
	expect("wait with no children left", wait(-1, 0), -ECHILD);
	printf("forktest: %d children exited, every pid and status checked\n",
	       NR_CHILDREN);
}

/* Part 2: fill the process table. */
static void fill_table(void)
{
	int forked = 0, reaped = 0, pid;

	while ((pid = fork()) > 0)
		forked++;
	if (pid == 0)
		exit(0);
	expect("fork on a full table", pid, -EAGAIN);
	while (wait(-1, 0) > 0)
		reaped++;
	expect("reaped = forked", reaped, forked);
	printf("forktest: the process table filled after %d forks (EAGAIN); all reaped\n",
	       forked);
}

/* Fork a child that runs chain(depth - 1); return its exit status.
 * Each level checks that its parent is the process that forked it. */
static int chain(int depth)
{
	int me = getpid(), pid, status = -1;

	if (depth == 0)
		return 0;
	pid = fork();
	if (pid == 0) {
		if (getppid() != me)
			exit(100);
		exit(chain(depth - 1) + 1);
	}
	if (wait(pid, &status) != pid)
		return 200;
	return status;
}

/* Part 3: nested forks. */
static void nested(void)
{
	int got = chain(NEST_DEPTH);

	expect("nested chain status", got, NEST_DEPTH);
	printf("forktest: nested forks %d deep returned %d\n", NEST_DEPTH, got);
}

/* The grandchild of part 4: wait to be orphaned, check the new parent. */
static void orphan(void)
{
	for (int i = 0; i < YIELD_LIMIT && getppid() != 1; i++)
		yield();
	exit(getppid() == 1 ? ORPHAN_CODE : 1);
}

/* Part 4: reparenting. */
static void reparent(void)
{
	int status = -1, pid = fork(), grandchild;

	if (pid == 0) {
		if (fork() == 0)
			orphan();
		exit(0); /* without waiting: the grandchild becomes an orphan */
	}
	expect("wait(child)", wait(pid, &status), pid);
	expect("child status", status, 0);
	grandchild = wait(-1, &status);
	expect("orphan reaped by init", grandchild > pid, 1);
	expect("orphan saw init as parent", status, ORPHAN_CODE);
	printf("forktest: an orphan was reparented to init and reaped\n");
}

int main(int argc, char **argv)
{
	long before;

	printf("forktest: pid %d\n", getpid());
	before = memfree();
	many_children();
	fill_table();
	nested();
	reparent();
	expect("free pages before and after", memfree(), before);
	if (failures) {
		printf("forktest: %d checks failed\n", failures);
		return 1;
	}
	printf("forktest: no pages leaked\nforktest: ok\n");
	return 0;
}
