/*
 * sched.h - the scheduler: which process runs, and switching to it.
 *
 * Round robin over the process table.  The scheduler is a loop running
 * on the boot stack (its own context); processes and the scheduler hand
 * the CPU to each other with context_switch():
 *
 *    scheduler()                         process P (in the kernel)
 *    -----------                         -------------------------
 *    pick the next RUNNABLE P
 *    CR3 = P's PML4, TSS.RSP0 = P's stack
 *    context_switch(&sched, P) ------->  ... returns in P, which goes
 *                                        back to user mode (iretq)
 *                                        ...
 *                                        a trap: yield, timer, sleep,
 *                                        wait or exit
 *                              <-------  sched_switch_out():
 *    ... returns in the scheduler,         context_switch(&P, sched)
 *    which picks the next one
 *
 * When nothing is runnable the scheduler idles: `sti; hlt` lets the next
 * interrupt in (the timer tick that ends someone's sleep), then it looks
 * again with interrupts off.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <stdint.h>

#include "proc.h"

/* The process running now (NULL in the scheduler). */
struct proc *sched_current(void);

/* Run processes forever. */
__attribute__((noreturn)) void scheduler(void);

/* Give the CPU back to the scheduler; the caller has already set the
 * current process's new state.  Returns when it is picked again. */
void sched_switch_out(void);

/* Current process: RUNNING -> RUNNABLE, and let the others run first. */
void sched_yield(void);

/*
 * Save the callee-saved registers and the stack pointer in *save_rsp,
 * then resume the context whose stack pointer is load_rsp (switch.S).
 */
void context_switch(uint64_t *save_rsp, uint64_t load_rsp);

#endif
