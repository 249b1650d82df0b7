/*
 * proc.h - processes: the process table, fork, exit, wait, sleeping.
 *
 * A process is a user address space (uvm.h), a kernel stack, and the
 * user registers saved on that stack (its trap frame) whenever it is in
 * the kernel.  The table is a fixed array of NPROC slots; pid 1 (init)
 * is the program named on the command line, every other process is
 * forked from it.
 *
 * The life of a process:
 *
 *                 fork()
 *     UNUSED -------------> RUNNABLE <-------------------------+
 *       ^                     |   ^                            |
 *       |          scheduler  |   | yield(), timer tick        | wakeup:
 *       |          picks it   v   | (preemption)               | child
 *       |                   RUNNING -------------------> SLEEPING  exited,
 *       |                     |       wait(), sleep()          deadline
 *       |                     | exit(), or killed               passed
 *       |                     v      by an exception
 *       +------------------ ZOMBIE
 *         parent's wait()           (address space freed; only the slot
 *         reads the status           and the wait status remain)
 *
 * A process whose parent exits first is given to init (reparenting), so
 * every zombie has someone to reap it.  When init itself exits the
 * machine powers off with its exit status.
 *
 * Locking: none.  There is one CPU and the kernel runs with interrupts
 * off (trap.h), so a kernel path is never interrupted by another; it
 * gives the CPU away only by calling sched_switch_out() (sched.h).
 */
#ifndef KERNEL_PROC_H
#define KERNEL_PROC_H

#include <stdint.h>

#include "trap.h"
#include "uvm.h"

#define NPROC         64   /* process table slots */
#define KSTACK_SIZE   8192 /* kernel stack of each process */
#define PROC_NAME_LEN 16
#define INIT_PID      1

/* Written at the bottom of every kernel stack; the scheduler checks it
 * after each run, so a stack overflow is caught soon after. */
#define KSTACK_CANARY 0x5354414b43414e59ull

enum proc_state {
	PROC_UNUSED = 0,
	PROC_RUNNABLE,
	PROC_RUNNING,
	PROC_SLEEPING,
	PROC_ZOMBIE,
};

struct proc {
	enum proc_state state;
	int pid;
	struct proc *parent;      /* NULL only for init */
	char name[PROC_NAME_LEN]; /* the program's name, for messages */
	struct uspace mem;        /* user address space */

	uint8_t *kstack;       /* lowest byte of the kernel stack */
	struct trap_frame *tf; /* user registers: top of kstack */
	uint64_t kernel_rsp;   /* saved by context_switch while it is
	                          not running (sched.c) */

	/* valid while SLEEPING */
	const void *wait_chan; /* what it waits for: a proc (wait) or
	                          &sleep_chan (sleep) */
	uint64_t wake_tick;    /* sleep(): the tick to wake at */

	/* valid while ZOMBIE */
	int wait_status; /* abi.h encoding */
};

extern struct proc procs[NPROC];

/*
 * Create pid 1 from the ELF image[0..size) with arguments argv[0..argc)
 * (argv[0] is the program's name).  0, or a negative errno with a line
 * printed.
 */
int proc_start_init(const uint8_t *image, uint64_t size, int argc, char **argv);

/* fork(): the child's pid, or -EAGAIN (table full), -ENOMEM. */
int proc_fork(void);

/* End the current process with wait status `status`.  Never returns. */
__attribute__((noreturn)) void proc_exit(int status);

/* wait(): see abi.h.  The reaped child's pid, -ECHILD, -EFAULT, -EINVAL. */
int proc_wait(int pid, uint64_t status_uva);

/* sleep(): block for at least ms milliseconds of uptime.  0 or -EINVAL. */
int proc_sleep_ms(int64_t ms);

/* Block the current process until proc_wakeup(chan). */
void proc_sleep_on(const void *chan);
/* Make every process sleeping on chan runnable. */
void proc_wakeup(const void *chan);

/* Wake sleep() callers whose deadline is <= now; returns the earliest
 * deadline still pending (UINT64_MAX if none).  Called by timer.c. */
uint64_t proc_wake_sleepers(uint64_t now);

#endif
