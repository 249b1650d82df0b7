/*
 * syscall.c - the system call table and the handlers (see syscall.h for
 * the path from `int $0x80` to here, abi.h for the numbers).
 *
 * Each handler gets the six argument registers as arg[0..5] and returns
 * the value for RAX: >= 0 on success, -errno on failure.  A handler never
 * trusts a user pointer: it goes through uvm_user_ptr/uvm_copy_*, which
 * answer -EFAULT (or NULL) for anything that is not the process's memory.
 */
#include "syscall.h"

#include "abi.h"
#include "console.h"
#include "frame.h"
#include "kernel.h"
#include "proc.h"
#include "sched.h"
#include "timer.h"

#define NR_ARGS 6

typedef int64_t (*syscall_fn)(const uint64_t arg[NR_ARGS]);

/* exit(status): the low 8 bits reach the parent. */
static int64_t sys_exit(const uint64_t arg[NR_ARGS])
{
	proc_exit((int)(arg[0] & WAIT_CODE_MASK));
}

/* True when every byte of [uva, uva + len) is readable user memory. */
static bool user_readable(struct uspace *us, uint64_t uva, uint64_t len)
{
	if (uva + len < uva)
		return false;
	for (uint64_t page = PAGE_ROUND_DOWN(uva); page < uva + len; page += PAGE_SIZE) {
		if (!uvm_user_ptr(us, page < uva ? uva : page, false))
			return false;
	}
	return true;
}

/* write(fd, buf, len): all or nothing -- the whole buffer is checked
 * before the first byte goes out. */
static int64_t sys_write(const uint64_t arg[NR_ARGS])
{
	struct uspace *us = &sched_current()->mem;
	uint64_t uva = arg[1], len = arg[2];

	if (arg[0] != FD_STDOUT && arg[0] != FD_STDERR)
		return -EBADF;
	if (!user_readable(us, uva, len))
		return -EFAULT;
	for (uint64_t done = 0; done < len;) {
		uint64_t room = PAGE_SIZE - ((uva + done) & (PAGE_SIZE - 1));
		uint64_t n = len - done < room ? len - done : room;

		console_write(uvm_user_ptr(us, uva + done, false), n);
		done += n;
	}
	return (int64_t)len;
}

/* getpid() -> the caller's pid. */
static int64_t sys_getpid(const uint64_t arg[NR_ARGS])
{
	return sched_current()->pid;
}

/* getppid(): init has no parent and answers 0. */
static int64_t sys_getppid(const uint64_t arg[NR_ARGS])
{
	struct proc *parent = sched_current()->parent;

	return parent ? parent->pid : 0;
}

/* fork() -> child pid / 0 in the child, -EAGAIN, -ENOMEM (proc.c). */
static int64_t sys_fork(const uint64_t arg[NR_ARGS])
{
	return proc_fork();
}

/* wait(pid, status_ptr) -> the reaped pid, or -errno (proc.c). */
static int64_t sys_wait(const uint64_t arg[NR_ARGS])
{
	return proc_wait((int)arg[0], arg[1]);
}

/* yield() -> 0, after the other runnable processes had a turn. */
static int64_t sys_yield(const uint64_t arg[NR_ARGS])
{
	sched_yield();
	return 0;
}

/* sbrk(increment) -> the old break. */
static int64_t sys_sbrk(const uint64_t arg[NR_ARGS])
{
	uint64_t old;
	int err = uvm_sbrk(&sched_current()->mem, (int64_t)arg[0], &old);

	return err ? err : (int64_t)old;
}

/* sleep(ms) -> 0 once uptime has advanced by ms, or -EINVAL. */
static int64_t sys_sleep(const uint64_t arg[NR_ARGS])
{
	return proc_sleep_ms((int64_t)arg[0]);
}

/* uptime() -> milliseconds since the timer started. */
static int64_t sys_uptime(const uint64_t arg[NR_ARGS])
{
	return (int64_t)(timer_ticks() * TIMER_MS_PER_TICK);
}

/* memfree() -> number of free physical pages. */
static int64_t sys_memfree(const uint64_t arg[NR_ARGS])
{
	return (int64_t)frame_free_count();
}

static const syscall_fn syscall_table[SYS_COUNT] = {
    [SYS_EXIT] = sys_exit,       [SYS_WRITE] = sys_write,     [SYS_GETPID] = sys_getpid,
    [SYS_GETPPID] = sys_getppid, [SYS_FORK] = sys_fork,       [SYS_WAIT] = sys_wait,
    [SYS_YIELD] = sys_yield,     [SYS_SBRK] = sys_sbrk,       [SYS_SLEEP] = sys_sleep,
    [SYS_UPTIME] = sys_uptime,   [SYS_MEMFREE] = sys_memfree,
};

void syscall_dispatch(struct trap_frame *tf)
{
	const uint64_t arg[NR_ARGS] = {tf->rdi, tf->rsi, tf->rdx,
	                               tf->r10, tf->r8,  tf->r9};
	uint64_t nr = tf->rax;

	if (nr >= SYS_COUNT || !syscall_table[nr]) {
		tf->rax = (uint64_t)-ENOSYS;
		return;
	}
	tf->rax = (uint64_t)syscall_table[nr](arg);
}
