/*
 * sched.c - the round-robin scheduler (see sched.h).
 *
 * main.c calls scheduler() once init exists; it never returns.  The loop
 * runs on the boot stack, with interrupts off like all kernel code.
 */
#include "sched.h"

#include "kernel.h"
#include "mmu.h"
#include "segments.h"

static struct proc *current;
static uint64_t scheduler_rsp; /* the scheduler's context while a
                                  process runs */
static unsigned int last_slot; /* where the round-robin search resumes */

struct proc *sched_current(void)
{
	return current;
}

/* The next RUNNABLE process after the last one run, or NULL. */
static struct proc *pick_next(void)
{
	for (unsigned int i = 1; i <= NPROC; i++) {
		unsigned int slot = (last_slot + i) % NPROC;

		if (procs[slot].state == PROC_RUNNABLE) {
			last_slot = slot;
			return &procs[slot];
		}
	}
	return NULL;
}

/* Nothing to run: let one interrupt in, then look again.  `sti; hlt`
 * is atomic here: sti takes effect only after the next instruction,
 * so an interrupt cannot slip in between and leave us halted. */
static void idle(void)
{
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* Run p until it gives the CPU back. */
static void run(struct proc *p)
{
	p->state = PROC_RUNNING;
	current = p;
	tss_set_kernel_stack((uint64_t)(uintptr_t)(p->kstack + KSTACK_SIZE));
	write_cr3(p->mem.pml4_pa);
	context_switch(&scheduler_rsp, p->kernel_rsp);
	current = NULL;
	if (*(uint64_t *)p->kstack != KSTACK_CANARY)
		panic("kernel stack overflow in pid %d", p->pid);
}

void scheduler(void)
{
	for (;;) {
		struct proc *p = pick_next();

		if (p)
			run(p);
		else
			idle();
	}
}

void sched_switch_out(void)
{
	context_switch(&current->kernel_rsp, scheduler_rsp);
}

void sched_yield(void)
{
	current->state = PROC_RUNNABLE;
	sched_switch_out();
}
