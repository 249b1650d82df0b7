/*
 * timer.c - the PIT and the tick count (see timer.h).
 *
 * The i8254 counts down from a divisor at 1.193182 MHz; in mode 2 (rate
 * generator) channel 0 raises IRQ 0 each time the count wraps, so the
 * interrupt rate is 1193182 / divisor.  Programming it is one command
 * byte on port 0x43 and the divisor, low byte then high byte, on 0x40:
 *
 *   command 0x34 = 00 11 010 0
 *                  |  |  |   +- binary counting
 *                  |  |  +----- mode 2, rate generator
 *                  |  +-------- access: low byte, then high byte
 *                  +----------- channel 0
 */
#include "timer.h"

#include "pic.h"
#include "pio.h"
#include "proc.h"

#define PIT_CHANNEL0 0x40
#define PIT_COMMAND  0x43
#define PIT_CMD_RATE 0x34
#define PIT_INPUT_HZ 1193182
#define PIT_DIVISOR  ((PIT_INPUT_HZ + TIMER_HZ / 2) / TIMER_HZ)
#define NO_DEADLINE  UINT64_MAX

static uint64_t ticks;
static uint64_t next_deadline = NO_DEADLINE; /* earliest sleeper's tick */

void timer_init(void)
{
	outb(PIT_COMMAND, PIT_CMD_RATE);
	outb(PIT_CHANNEL0, PIT_DIVISOR & 0xff);
	outb(PIT_CHANNEL0, PIT_DIVISOR >> 8);
	pic_unmask(IRQ_TIMER);
}

void timer_tick(void)
{
	ticks++;
	if (ticks >= next_deadline)
		next_deadline = proc_wake_sleepers(ticks);
}

uint64_t timer_ticks(void)
{
	return ticks;
}

void timer_wake_at(uint64_t deadline)
{
	if (deadline < next_deadline)
		next_deadline = deadline;
}
