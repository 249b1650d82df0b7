/*
 * systest.c - every system call, with its error returns.
 *
 * One group of checks per call; each group prints one line ("ok" or the
 * failed checks) and main exits 0 only if every check passed.  Run as
 * init (pid 1): some checks rely on that (getppid() == 0 for init).
 */
#include "ulib.h"

#define KERNEL_ADDRESS 0xffffffff80100000ul /* the kernel's image */
#define UNMAPPED       0x10000000ul         /* user space, never mapped */
#define SLEEP_MS       50
#define CHILD_CODE     42
#define BAD_SYSCALL    1000

static int group_failures, failures;

/* One check: print it if it failed. */
static void check(const char *what, long got, long want)
{
	if (got != want) {
		printf("systest:   FAIL %s: got %ld, expected %ld\n", what, got, want);
		group_failures++;
	}
}

/* End a group: one line saying how it went. */
static void group_done(const char *name)
{
	if (group_failures == 0)
		printf("systest: %s: ok\n", name);
	else
		printf("systest: %s: %d checks FAILED\n", name, group_failures);
	failures += group_failures;
	group_failures = 0;
}

/* write(): the console, bad descriptors, every kind of bad pointer. */
static void test_write(void)
{
	static const char msg[] = "systest: write: this line is written directly\n";

	check("write(1, msg)", write(FD_STDOUT, msg, sizeof(msg) - 1), sizeof(msg) - 1);
	check("write(2, msg, 0)", write(FD_STDERR, msg, 0), 0);
	check("write to a bad fd", write(7, msg, 1), -EBADF);
	check("write from NULL", write(FD_STDOUT, 0, 1), -EFAULT);
	check("write from the kernel", write(FD_STDOUT, (void *)KERNEL_ADDRESS, 1),
	      -EFAULT);
	check("write from an unmapped page", write(FD_STDOUT, (void *)UNMAPPED, 1),
	      -EFAULT);
	check("write past the end of user space",
	      write(FD_STDOUT, (void *)(USER_TOP - 1), 2), -EFAULT);
	check("write with a huge length", write(FD_STDOUT, msg, ~0ul), -EFAULT);
	group_done("write");
}

/* getpid(), getppid(): in init and in a child. */
static void test_ids(void)
{
	int me = getpid(), pid, status = -1;

	check("getpid of init", me, 1);
	check("getppid of init", getppid(), 0);
	pid = fork();
	if (pid == 0)
		exit(getppid() == me ? getpid() & WAIT_CODE_MASK : 0);
	check("wait(child)", wait(pid, &status), pid);
	check("child's getpid == fork's return, getppid == parent", status,
	      pid & WAIT_CODE_MASK);
	group_done("getpid, getppid");
}

/* wait(): no children, bad pids, bad status pointers, NULL status. */
static void test_fork_wait(void)
{
	int pid, status = -1;

	check("wait with no children", wait(-1, &status), -ECHILD);
	check("wait for pid 0", wait(0, &status), -EINVAL);
	check("wait for pid -2", wait(-2, &status), -EINVAL);
	pid = fork();
	if (pid == 0)
		exit(CHILD_CODE);
	check("wait for a pid that is not a child", wait(pid + 1000, &status), -ECHILD);
	check("wait with a bad status pointer", wait(pid, (int *)UNMAPPED), -EFAULT);
	check("wait into a read-only page", wait(pid, (int *)(uintptr_t)test_ids),
	      -EFAULT);
	check("the child is still there after -EFAULT", wait(pid, &status), pid);
	check("exit status", status, CHILD_CODE);
	pid = fork();
	if (pid == 0)
		exit(CHILD_CODE);
	check("wait(-1, NULL)", wait(-1, 0), pid);
	group_done("fork, wait");
}

/* exit(): the low 8 bits of the code reach the parent. */
static void test_exit(void)
{
	static const int codes[] = {0, 1, 255, 256, 257};
	static const int expect[] = {0, 1, 255, 0, 1}; /* the low 8 bits */

	for (int i = 0; i < 5; i++) {
		int status = -1, pid = fork();

		if (pid == 0)
			exit(codes[i]);
		wait(pid, &status);
		check("exit code reaches the parent", status, expect[i]);
	}
	group_done("exit");
}

/* sbrk(), memfree(): grow, use, shrink, and the limits. */
static void test_sbrk(void)
{
	long base = sbrk(0), free_before = memfree();
	volatile char *p;

	check("sbrk(0) twice", sbrk(0), base);
	check("sbrk(+2 pages) returns the old break", sbrk(2 * PAGE_SIZE), base);
	check("the break moved", sbrk(0), base + 2 * PAGE_SIZE);
	p = (volatile char *)base;
	p[0] = 1;
	p[2 * PAGE_SIZE - 1] = 2;
	check("new heap pages are usable", p[0] + p[2 * PAGE_SIZE - 1], 3);
	check("touching them took memory", memfree() < free_before, 1);
	check("sbrk(-2 pages)", sbrk(-2 * PAGE_SIZE), base + 2 * PAGE_SIZE);
	check("write from a freed heap page", write(FD_STDOUT, (void *)base, 1), -EFAULT);
	check("sbrk below the heap start", sbrk(-(base + PAGE_SIZE)), -EINVAL);
	check("sbrk beyond the heap limit", sbrk(1l << 40), -ENOMEM);
	check("sbrk(LONG_MIN)", sbrk(-0x7fffffffffffffffl - 1), -EINVAL);
	check("the break is unchanged after errors", sbrk(0), base);
	group_done("sbrk, memfree");
}

/* sleep(), uptime(). */
static void test_time(void)
{
	long t0 = uptime(), t1;

	check("uptime is not negative", t0 >= 0, 1);
	check("sleep(0)", sleep(0), 0);
	check("sleep(-1)", sleep(-1), -EINVAL);
	check("sleep(SLEEP_MS)", sleep(SLEEP_MS), 0);
	t1 = uptime();
	check("uptime advanced by at least SLEEP_MS", t1 - t0 >= SLEEP_MS, 1);
	group_done("sleep, uptime");
}

/* yield(), and numbers that are not system calls. */
static void test_misc(void)
{
	check("yield", yield(), 0);
	check("syscall number SYS_COUNT", syscall6(SYS_COUNT, 0, 0, 0, 0, 0, 0), -ENOSYS);
	check("syscall number 1000", syscall6(BAD_SYSCALL, 0, 0, 0, 0, 0, 0), -ENOSYS);
	check("syscall number -1", syscall6(-1, 0, 0, 0, 0, 0, 0), -ENOSYS);
	group_done("yield, unknown system calls");
}

int main(int argc, char **argv)
{
	test_write();
	test_ids();
	test_fork_wait();
	test_exit();
	test_sbrk();
	test_time();
	test_misc();
	if (failures) {
		printf("systest: %d checks failed\n", failures);
		return 1;
	}
	printf("systest: all checks passed\n");
	return 0;
}
