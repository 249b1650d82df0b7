/*
 * timer.h - the clock: the i8254 PIT's channel 0 interrupting TIMER_HZ
 * times a second on IRQ 0.
 *
 * Each interrupt is a tick.  Ticks drive three things:
 *   - uptime: milliseconds since timer_init(), TIMER_MS_PER_TICK per tick
 *     (the uptime() system call);
 *   - sleeping: a process in sleep() wakes at its deadline tick;
 *   - preemption: trap.c makes a process that was running in user mode
 *     when the tick came give the CPU to the next one (sched.c).
 */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include <stdint.h>

#define TIMER_HZ          100
#define TIMER_MS_PER_TICK (1000 / TIMER_HZ)

/* Program the PIT for TIMER_HZ and let IRQ 0 through the PIC. */
void timer_init(void);

/* One timer interrupt happened (trap.c, IRQ 0). */
void timer_tick(void);

/* Ticks since timer_init(). */
uint64_t timer_ticks(void);

/* Make sure timer_tick() checks the sleepers at tick `deadline`. */
void timer_wake_at(uint64_t deadline);

#endif
