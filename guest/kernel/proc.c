/*
 * proc.c - the process table: creating, forking, ending and reaping
 * processes, and sleeping until something happens (see proc.h).
 *
 * Called from syscall.c (fork, exit, wait, sleep), trap.c (a process
 * killed by an exception), timer.c (waking sleepers) and main.c (init).
 */
#include "proc.h"

#include "abi.h"
#include "elf.h"
#include "kernel.h"
#include "paging.h"
#include "sched.h"
#include "segments.h"
#include "string.h"
#include "timer.h"

#define CALLEE_SAVED_REGS 6 /* what context_switch pushes (switch.S) */
#define MAX_ARGS          16

struct proc procs[NPROC];
static uint8_t kstacks[NPROC][KSTACK_SIZE] __attribute__((aligned(PAGE_SIZE)));
static struct proc *init_proc;
static int next_pid = INIT_PID;
static const char sleep_chan; /* the channel of sleep() callers */

/*
 * Lay out a new process's kernel stack so that the scheduler's first
 * context_switch to it "returns" into trap_return, which pops the trap
 * frame into the registers and enters user mode:
 *
 *   kstack + KSTACK_SIZE  +--------------------+
 *                         | struct trap_frame  |  p->tf (filled by caller)
 *                         +--------------------+
 *                         | &trap_return       |  context_switch's `ret`
 *                         | 6 x 0 (rbp ... r15)|  its pops
 *   p->kernel_rsp ------> +--------------------+
 *                         :                    :
 *   p->kstack             | KSTACK_CANARY      |
 *                         +--------------------+
 */
static void kstack_prepare(struct proc *p)
{
	uint64_t *sp;

	p->tf = (struct trap_frame *)(p->kstack + KSTACK_SIZE) - 1;
	memset(p->tf, 0, sizeof(*p->tf));
	sp = (uint64_t *)p->tf;
	*--sp = (uint64_t)(uintptr_t)trap_return;
	for (int i = 0; i < CALLEE_SAVED_REGS; i++)
		*--sp = 0;
	p->kernel_rsp = (uint64_t)(uintptr_t)sp;
	*(uint64_t *)p->kstack = KSTACK_CANARY;
}

/* A free slot with a new pid and a prepared kernel stack, or NULL. */
static struct proc *proc_alloc(void)
{
	for (unsigned int i = 0; i < NPROC; i++) {
		struct proc *p = &procs[i];

		if (p->state != PROC_UNUSED)
			continue;
		memset(p, 0, sizeof(*p));
		p->pid = next_pid++;
		p->kstack = kstacks[i];
		kstack_prepare(p);
		return p;
	}
	return NULL;
}

/* Return a slot to the table.  Its address space is already gone. */
static void proc_free(struct proc *p)
{
	p->state = PROC_UNUSED;
	p->pid = 0;
	p->parent = NULL;
}

/* Copy the program's name (for messages) into p->name. */
static void set_name(struct proc *p, const char *name)
{
	size_t n = strlen(name);

	if (n >= PROC_NAME_LEN)
		n = PROC_NAME_LEN - 1;
	memcpy(p->name, name, n);
	p->name[n] = '\0';
}

/*
 * Copy argv[0..argc) onto the top of the new user stack and point the
 * trap frame at it: RDI = argc, RSI = argv, RSP 16-byte aligned.
 *
 *   USER_STACK_TOP  +------------------+
 *                   | "arg1\0"  ...    |  the strings
 *                   | "name\0"         |
 *                   +------------------+  (8-byte aligned)
 *                   | NULL             |
 *                   | argv[argc-1] ... |
 *   RSI = argv ---> | argv[0]          |
 *                   +------------------+
 *   RSP ----------> (argv rounded down to 16 bytes)
 */
static int setup_stack(struct proc *p, int argc, char **argv)
{
	uint64_t uargv[MAX_ARGS + 1];
	uint64_t sp = USER_STACK_TOP;

	if (argc > MAX_ARGS)
		argc = MAX_ARGS;
	for (int i = argc - 1; i >= 0; i--) {
		uint64_t len = strlen(argv[i]) + 1;

		sp -= len;
		if (uvm_copy_out(&p->mem, sp, argv[i], len))
			return -ENOMEM;
		uargv[i] = sp;
	}
	uargv[argc] = 0;
	sp = (sp & ~7ull) - (argc + 1) * sizeof(uint64_t);
	if (uvm_copy_out(&p->mem, sp, uargv, (argc + 1) * sizeof(uint64_t)))
		return -ENOMEM;
	p->tf->rdi = (uint64_t)argc;
	p->tf->rsi = sp;
	p->tf->rsp = sp & ~15ull;
	return 0;
}

int proc_start_init(const uint8_t *image, uint64_t size, int argc, char **argv)
{
	struct proc *p = proc_alloc();
	uint64_t entry;
	int err;

	if (!p || uvm_create(&p->mem))
		return -ENOMEM;
	err = elf_load(&p->mem, image, size, &entry);
	if (!err)
		err = setup_stack(p, argc, argv);
	if (err) {
		uvm_destroy(&p->mem);
		proc_free(p);
		return err;
	}
	/* setup_stack filled RDI, RSI and RSP; the rest starts at zero. */
	p->tf->rip = entry;
	p->tf->cs = SEL_USER_CODE;
	p->tf->ss = SEL_USER_DATA;
	p->tf->rflags = RFLAGS_USER;
	set_name(p, argv[0]);
	init_proc = p;
	p->state = PROC_RUNNABLE;
	return 0;
}

int proc_fork(void)
{
	struct proc *parent = sched_current();
	struct proc *child = proc_alloc();

	if (!child)
		return -EAGAIN;
	if (uvm_create(&child->mem) || uvm_fork(&child->mem, &parent->mem)) {
		uvm_destroy(&child->mem);
		proc_free(child);
		return -ENOMEM;
	}
	*child->tf = *parent->tf;
	child->tf->rax = 0; /* fork() returns 0 in the child */
	child->parent = parent;
	memcpy(child->name, parent->name, sizeof(child->name));
	child->state = PROC_RUNNABLE;
	return child->pid;
}

/* Give p's children to init; true if one of them is already a zombie. */
static bool reparent_children(struct proc *p)
{
	bool zombie = false;

	for (unsigned int i = 0; i < NPROC; i++) {
		struct proc *c = &procs[i];

		if (c->state != PROC_UNUSED && c->parent == p) {
			c->parent = init_proc;
			zombie |= c->state == PROC_ZOMBIE;
		}
	}
	return zombie;
}

void proc_exit(int status)
{
	struct proc *p = sched_current();

	if (p == init_proc) {
		if (WAIT_EXITED(status))
			kernel_halt(WAIT_EXIT_CODE(status), "init exited with status %d",
			            WAIT_EXIT_CODE(status));
		kernel_halt(KSTATUS_INIT_KILLED, "init was killed by exception %d",
		            WAIT_KILL_VECTOR(status));
	}
	/* Leave the address space before freeing it. */
	write_cr3(kernel_pml4_pa);
	uvm_destroy(&p->mem);
	if (reparent_children(p))
		proc_wakeup(init_proc);
	p->wait_status = status;
	p->state = PROC_ZOMBIE;
	proc_wakeup(p->parent); /* a parent in wait() sleeps on itself */
	sched_switch_out();
	panic("proc_exit: zombie %d ran again", p->pid);
}

/* Is c a child of p that wait(pid) asks about? */
static bool wanted_child(const struct proc *c, const struct proc *p, int pid)
{
	return c->state != PROC_UNUSED && c->parent == p && (pid == -1 || c->pid == pid);
}

int proc_wait(int pid, uint64_t status_uva)
{
	struct proc *p = sched_current();

	if (pid < -1 || pid == 0)
		return -EINVAL;
	for (;;) {
		bool have_child = false;

		for (unsigned int i = 0; i < NPROC; i++) {
			struct proc *c = &procs[i];
			int cpid = c->pid;

			if (!wanted_child(c, p, pid))
				continue;
			have_child = true;
			if (c->state != PROC_ZOMBIE)
				continue;
			if (status_uva &&
			    uvm_copy_out(&p->mem, status_uva, &c->wait_status,
			                 sizeof(c->wait_status)))
				return -EFAULT; /* the child stays a zombie */
			proc_free(c);
			return cpid;
		}
		if (!have_child)
			return -ECHILD;
		proc_sleep_on(p);
	}
}

void proc_sleep_on(const void *chan)
{
	struct proc *p = sched_current();

	p->wait_chan = chan;
	p->state = PROC_SLEEPING;
	sched_switch_out();
	p->wait_chan = NULL;
}

void proc_wakeup(const void *chan)
{
	for (unsigned int i = 0; i < NPROC; i++) {
		if (procs[i].state == PROC_SLEEPING && procs[i].wait_chan == chan)
			procs[i].state = PROC_RUNNABLE;
	}
}

int proc_sleep_ms(int64_t ms)
{
	struct proc *p = sched_current();
	uint64_t ticks;

	if (ms < 0)
		return -EINVAL;
	ticks = ((uint64_t)ms + TIMER_MS_PER_TICK - 1) / TIMER_MS_PER_TICK;
	if (ticks == 0)
		return 0;
	/* Uptime counts whole ticks, so waking at tick now + ticks means
	 * uptime() has advanced by at least ms. */
	p->wake_tick = timer_ticks() + ticks;
	timer_wake_at(p->wake_tick);
	proc_sleep_on(&sleep_chan);
	return 0;
}

uint64_t proc_wake_sleepers(uint64_t now)
{
	uint64_t next = UINT64_MAX;

	for (unsigned int i = 0; i < NPROC; i++) {
		struct proc *p = &procs[i];

		if (p->state != PROC_SLEEPING || p->wait_chan != &sleep_chan)
			continue;
		if (p->wake_tick <= now)
			p->state = PROC_RUNNABLE;
		else if (p->wake_tick < next)
			next = p->wake_tick;
	}
	return next;
}
