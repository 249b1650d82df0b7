/*
 * preempt.c - the timer takes the CPU away from a process that never
 * gives it up.
 *
 * Two children spin until a deadline SPIN_MS milliseconds away.  Their
 * hot loop makes no system call and never yields; between batches of
 * BATCH iterations they read uptime() to see whether the deadline has
 * passed (a system call that does not reschedule).  Each child notes the
 * uptime at which it first ran and exits with 0 if that was before the
 * deadline, 1 if not.
 *
 * With preemption, the timer interrupt switches between the two every
 * tick, so both start long before the deadline.  Without it, the first
 * child to run keeps the CPU until the deadline and the second only
 * starts after it: the test fails.
 */
#include "ulib.h"

#define NR_SPINNERS 2
#define SPIN_MS     300
#define BATCH       100000

/* Spin until uptime() reaches deadline; exit 0 if we started before it. */
static void spinner(long deadline)
{
	long started = uptime();
	volatile unsigned long counter = 0;

	while (uptime() < deadline) {
		for (long i = 0; i < BATCH; i++)
			counter++;
	}
	exit(started < deadline ? 0 : 1);
}

int main(int argc, char **argv)
{
	long deadline = uptime() + SPIN_MS;
	int pids[NR_SPINNERS], failures = 0;

	printf("preempt: %d children spin for %d ms without yielding or sleeping\n",
	       NR_SPINNERS, SPIN_MS);
	for (int i = 0; i < NR_SPINNERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			spinner(deadline);
	}
	for (int i = 0; i < NR_SPINNERS; i++) {
		int status = -1;

		if (wait(pids[i], &status) != pids[i] || status != 0) {
			printf("preempt: FAIL: child %d did not run before the deadline "
			       "(status %d): no preemption?\n",
			       i + 1, status);
			failures++;
		}
	}
	if (failures)
		return 1;
	printf(
	    "preempt: both children ran before the deadline: the timer preempted them\n");
	printf("preempt: ok\n");
	return 0;
}
