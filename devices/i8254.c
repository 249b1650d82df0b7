/*
 * i8254.c - the PC's interval timer (an 82C54) and system control port B.
 *
 * Three 16-bit down-counters share one 1.193182 MHz clock.  Channel 0's
 * output drives IRQ 0, the guest's timer tick; channel 1 (once DRAM
 * refresh) just counts; channel 2's gate and output are wired to port
 * 0x61, which guests use to calibrate their clocks and to beep.
 *
 * Nothing here ticks.  A channel remembers the clock tick at which it
 * started counting from its initial count; its value and output at any
 * moment follow from the host's monotonic clock (vm_clock_ns(), or a clock
 * a test injects).  Only channel 0's output needs to act on its own: a
 * struct vm_timer is armed for its next rising edge, and when the run loop
 * fires it the edge goes to the interrupt controller.
 *
 *   host clock (ns) --pit_now_tick()--> ticks since the PIT's epoch
 *        |                                   |
 *        |                        guest IN 0x40-0x42, 0x61: value / OUT
 *        v
 *   vm_timer (channel 0's next edge) --pit_irq_fire()--> vm_set_irq(vm, 0, ...)
 *                                                          --> i8259 IR0
 *
 * Ports:
 *
 *   0x40-0x42  channel 0-2 count: read and write, byte by byte (below)
 *   0x43       control word (write only; reads float to 0xff)
 *   0x61       system control port B (below)
 *
 * Control word (port 0x43):
 *
 *    7     6     5     4     3    2    1     0
 * +-----------+-----------+--------------+-----+
 * |  SC1 SC0  |  RW1 RW0  |  M2  M1  M0  | BCD |
 * +-----------+-----------+--------------+-----+
 *  SC: channel 0-2; 3 = read-back command (below).
 *  RW: 0 = latch the count (the rest of the word is ignored), 1 = low
 *      byte only, 2 = high byte only, 3 = low byte then high byte.
 *  M:  mode 0-5 (6 and 7 are modes 2 and 3 again).  BCD: count in decimal.
 *
 * Read-back command (SC = 3):
 *
 *    7   6     5       4       3      2      1     0
 * +---+---+-------+--------+------+------+------+---+
 * | 1 | 1 | COUNT | STATUS | CNT2 | CNT1 | CNT0 | 0 |   COUNT/STATUS: 0 =
 * +---+---+-------+--------+------+------+------+---+   latch it
 *
 * Status byte (latched by read-back; read before a latched count):
 *
 *    7       6       5   4    3  2  1    0
 * +-----+--------+---------+---------+-----+
 * | OUT | NULL   | RW1 RW0 | M2 M1 M0| BCD |   NULL COUNT: a count was
 * |     | COUNT  |         |         |     |   written but is not loaded
 * +-----+--------+---------+---------+-----+
 *
 * In access mode 3 one flip-flop per direction says which byte comes
 * next; a control word resets both to "low byte":
 *
 *        write low byte                       read low byte
 *      +----------------+                  +----------------+
 *      v                |                  v                |
 *   [LOW next] ---> [HIGH next]         [LOW next] ---> [HIGH next]
 *        write high byte:                    read high byte (a latched
 *        the count is complete               count is released here)
 *
 * Port 0x61, system control port B:
 *
 *     7      6       5       4        3       2        1        0
 * +------+-------+-------+--------+-------+--------+--------+--------+
 * | SERR | IOCHK | OUT2  | REFRESH| IOCHK | parity | speaker| gate 2 |
 * |  (0) |  (0)  |       | toggle | enable| enable | data   |        |
 * +------+-------+-------+--------+-------+--------+--------+--------+
 *   bits 7-4 read only; bits 3-0 read back what was written
 *
 * The modes, for an initial count N (a written 0 means 65536, or 10000
 * in BCD), e = clock ticks since the counter was loaded or triggered:
 *
 *   mode  name                 counter            OUT
 *   0     interrupt on TC      N - e (wraps)      low until e = N, then high
 *   1     one-shot (gate edge) N - e (wraps)      low from trigger until e = N
 *   2     rate generator       N .. 1, reloads    high; low while it reads 1
 *   3     square wave          by 2s, reloads     high (N+1)/2, low N/2 ticks
 *   4     software strobe      N - e (wraps)      high; low for the tick e = N
 *   5     hardware strobe      N - e (wraps)      like 4, from a gate edge
 *
 * Choices where the data sheet leaves room or the host differs:
 *  - A count is loaded at the tick of the write (the data sheet takes one
 *    more clock); a 1.193182 MHz tick is under a microsecond, far below
 *    what a guest can observe through an I/O exit.
 *  - IRQ 0 is OUT in mode 0.  In the other modes it moves only at OUT's
 *    rising edges: the first raises it, each later one is a low pulse of
 *    one tick (mode 2's OUT exactly).  So programming the PIT never
 *    interrupts by itself -- on a PC a control word can raise OUT, and
 *    with it IRQ 0, depending on what OUT was before; here the first
 *    interrupt comes when the count first runs out -- and the low half of
 *    mode 3's square wave is not shown to the PIC: a tick the CPU does not
 *    take within half a period waits instead of being lost.  IRQ 0 is low
 *    at power-on.  The status byte and port 0x61 show OUT as the data
 *    sheet has it.
 *  - Edges that fall due while the host is late (or the vCPU could not be
 *    kicked out) coalesce into one, as they do on a PC whose CPU cannot
 *    keep up: the PIC latches one request per edge it sees.
 *  - Reprogramming: a new count in mode 2 or 3 takes effect at the end of
 *    the current period (the data sheet: mode 3 at the end of the half
 *    period); in modes 0 and 4 at once; in modes 1 and 5 at the next
 *    trigger.  In mode 0 the first byte of a two-byte count stops the
 *    counter, OUT low, until the second byte.
 *  - Before a count is written (power-on, or after a control word), a
 *    counter reads the value it held when it stopped.  Power-on: every
 *    channel in mode 3, two-byte access, no count, OUT high; port B 0
 *    (gate 2 low).  There is no BIOS to start channel 0.
 *  - A count of 1 in mode 2 or 3 (illegal per the data sheet) counts as 2.
 *  - BCD counting is modelled (0-9999); a written digit above 9 is taken
 *    at face value.
 *  - The read and write flip-flops are separate; the data sheet warns
 *    against interleaving two-byte reads and writes, so nothing relies on
 *    how they interact.
 *  - Port B's refresh bit toggles every 15.085 us of host time; the
 *    error bits read 0; the speaker is silent.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/vm.h"
#include "devices/device.h"
#include "devices/devices.h"

#define PIT_HZ          1193182u /* input clock: 14.31818 MHz / 12 */
#define NS_PER_SEC      1000000000u
#define PIT_NR_CHANNELS 3
#define PIT_NR_PORTS    4 /* three counters and the control word */
#define PIT_PORT_CTRL   3
#define PORT_B_NR_PORTS 1
#define BINARY_MODULUS  65536u /* a 16-bit counter; also "count 0" */
#define BCD_MODULUS     10000u /* four decimal digits */
#define FLOATING_BUS    0xff

/* Control word fields. */
#define CW_BCD          0x01
#define CW_MODE_SHIFT   1
#define CW_MODE_MASK    0x07
#define CW_ACCESS_SHIFT 4
#define CW_ACCESS_MASK  0x03
#define CW_SELECT_SHIFT 6
#define CW_READ_BACK    3 /* SC value */

/* Access modes (RW). */
enum pit_access {
	PIT_ACCESS_LATCH = 0,
	PIT_ACCESS_LOW = 1,
	PIT_ACCESS_HIGH = 2,
	PIT_ACCESS_WORD = 3,
};

/* Read-back command bits. */
#define RB_NO_COUNT   0x20
#define RB_NO_STATUS  0x10
#define RB_CHANNEL(n) (0x02 << (n))

/* Status byte bits. */
#define STATUS_OUT          0x80
#define STATUS_NULL         0x40
#define STATUS_ACCESS_SHIFT 4

/* Port B bits. */
#define PORTB_GATE2       0x01
#define PORTB_WRITABLE    0x0f /* gate 2, speaker, parity and I/O check enables */
#define PORTB_REFRESH     0x10
#define PORTB_OUT2        0x20
#define REFRESH_PERIOD_NS 15085 /* DRAM refresh request, 15.085 us */

/* Power-on: mode 3, two-byte access (see the top of the file). */
#define POWER_ON_MODE 3

struct dev_pit;

/* One counter. */
struct pit_channel {
	unsigned index;
	/* Control word. */
	uint8_t mode_bits; /* M2-M0 as written (status byte) */
	uint8_t mode;      /* 0-5 */
	enum pit_access access;
	bool bcd;

	/* Counting.  `n` is the count the counter runs with, 1..modulus;
	 * count_reg is what the guest wrote last (loaded later in some modes). */
	uint32_t count_reg;
	uint32_t n;
	bool have_count; /* a count was written since the control word */
	bool running;    /* counting from n since start_tick */
	uint64_t start_tick;
	bool paused; /* modes 0 and 4: gate low, time stands still */
	uint64_t paused_tick;
	bool reload_pending; /* modes 2, 3: count_reg loads at pending_tick */
	uint64_t pending_tick;
	uint16_t held; /* the value while not running */
	bool null_count;
	bool gate;

	/* Byte access. */
	bool write_high_next;   /* write flip-flop */
	uint8_t write_low;      /* the low byte, waiting for its high byte */
	bool read_high_next;    /* read flip-flop */
	unsigned latched_bytes; /* bytes of a latched count left to read */
	uint16_t latched_count;
	bool status_latched;
	uint8_t latched_status;
};

struct dev_pit {
	struct device dev; /* first: the VM handles every model as a device */
	struct pit_channel ch[PIT_NR_CHANNELS];
	uint8_t port_b; /* writable bits of port 0x61 */

	/* Time: ticks are counted from epoch_ns on the clock now(). */
	uint64_t (*now)(void *opaque);
	void *now_opaque;
	uint64_t epoch_ns;

	/* Channel 0's OUT drives `irq`. */
	unsigned irq;
	bool irq_level;      /* what we last put on the line */
	bool edge_scheduled; /* next_edge_tick is valid */
	uint64_t next_edge_tick;
	struct vm_timer timer;
};

/* ---- time ------------------------------------------------------------------ */

/* Ticks in `ns` nanoseconds, rounded down; exact for any uptime (no
 * 64-bit overflow: the remainder is below one second). */
static uint64_t ns_to_ticks(uint64_t ns)
{
	return ns / NS_PER_SEC * PIT_HZ + ns % NS_PER_SEC * PIT_HZ / NS_PER_SEC;
}

/* The first nanosecond at which `ticks` ticks have passed (rounded up, so
 * ns_to_ticks(ticks_to_ns(t)) >= t: a timer never fires early). */
static uint64_t ticks_to_ns(uint64_t ticks)
{
	return ticks / PIT_HZ * NS_PER_SEC +
	       (ticks % PIT_HZ * NS_PER_SEC + PIT_HZ - 1) / PIT_HZ;
}

/* The PIT's clock in ns (vm_clock_ns() unless a test injected another). */
static uint64_t pit_clock_ns(const struct dev_pit *pit)
{
	return pit->now(pit->now_opaque);
}

/* The PIT's clock, in ticks since its epoch. */
static uint64_t pit_now_tick(const struct dev_pit *pit)
{
	uint64_t ns = pit_clock_ns(pit);

	return ns > pit->epoch_ns ? ns_to_ticks(ns - pit->epoch_ns) : 0;
}

/* The clock a PIT starts with: the host's monotonic clock. */
static uint64_t default_clock(void *opaque)
{
	(void)opaque;
	return vm_clock_ns();
}

/* ---- counting --------------------------------------------------------------- */

/* How many values the counter has: it wraps from 0 to modulus - 1. */
static uint32_t pit_modulus(const struct pit_channel *ch)
{
	return ch->bcd ? BCD_MODULUS : BINARY_MODULUS;
}

/* Modes 2 and 3 reload by themselves at the end of every period. */
static bool pit_periodic(const struct pit_channel *ch)
{
	return ch->mode == 2 || ch->mode == 3;
}

/* Modes 2 and 3 take effect of a count written while running at the end
 * of the period: if that moment has come by `now`, load it. */
static void pit_sync(struct pit_channel *ch, uint64_t now)
{
	if (ch->reload_pending && now >= ch->pending_tick) {
		ch->start_tick = ch->pending_tick;
		ch->n = ch->count_reg;
		ch->reload_pending = false;
		ch->null_count = false;
	}
}

/* Ticks counted since the counter was loaded (time stands still while
 * paused).  Only meaningful while running. */
static uint64_t pit_elapsed(const struct pit_channel *ch, uint64_t now)
{
	uint64_t t = ch->paused ? ch->paused_tick : now;

	return t > ch->start_tick ? t - ch->start_tick : 0;
}

/* The counter in mode 3: it counts down by two, once for the high half and
 * once for the low half of each period. */
static uint32_t pit_square_value(uint32_t n, uint64_t e)
{
	uint32_t phase = (uint32_t)(e % n), high_half = (n + 1) / 2;
	uint32_t q = phase < high_half ? phase : phase - high_half;

	return (n & ~1u) - 2 * q;
}

/* The counter's value now, 0..modulus-1 (binary, not yet BCD-encoded). */
static uint32_t pit_value(const struct pit_channel *ch, uint64_t now)
{
	uint32_t m = pit_modulus(ch);
	uint64_t e;

	if (!ch->running)
		return ch->held;
	e = pit_elapsed(ch, now);
	switch (ch->mode) {
	case 2:
		return (ch->n - (uint32_t)(e % ch->n)) % m;
	case 3:
		return pit_square_value(ch->n, e) % m;
	default: /* 0, 1, 4, 5: count down through zero and wrap */
		return (uint32_t)((ch->n + m - e % m) % m);
	}
}

/* OUT now, as the data sheet has it. */
static bool pit_out(const struct pit_channel *ch, uint64_t now)
{
	uint64_t e;

	if (!ch->running)
		return ch->mode != 0; /* initial OUT: low in mode 0, else high */
	e = pit_elapsed(ch, now);
	switch (ch->mode) {
	case 0:
		return e >= ch->n;
	case 1:
		return e >= ch->n;
	case 2:
		return e % ch->n != ch->n - 1;
	case 3:
		return e % ch->n < (ch->n + 1) / 2;
	default: /* 4, 5 */
		return e != ch->n;
	}
}

/* Stop counting, holding the current value. */
static void pit_stop(struct pit_channel *ch, uint64_t now)
{
	ch->held = (uint16_t)pit_value(ch, now);
	ch->running = false;
	ch->paused = false;
	ch->reload_pending = false;
}

/* (Re)start counting from count_reg at tick `now`. */
static void pit_start(struct pit_channel *ch, uint64_t now)
{
	ch->n = ch->count_reg;
	ch->start_tick = now;
	ch->running = true;
	ch->paused = false;
	ch->reload_pending = false;
	ch->null_count = false;
	if ((ch->mode == 0 || ch->mode == 4) && !ch->gate) {
		ch->paused = true; /* loaded, but the gate holds it */
		ch->paused_tick = now;
	}
}

/* The first period boundary (a reload) after tick `now`, modes 2 and 3. */
static uint64_t pit_next_boundary(const struct pit_channel *ch, uint64_t now)
{
	if (ch->reload_pending)
		return ch->pending_tick;
	return ch->start_tick + ((now - ch->start_tick) / ch->n + 1) * ch->n;
}

/* A count of `raw` (as written: binary or BCD digits) is complete. */
static uint32_t pit_decode_count(const struct pit_channel *ch, uint16_t raw)
{
	uint32_t v = raw;

	if (ch->bcd)
		v = (raw >> 12) * 1000u + ((raw >> 8) & 0xf) * 100u +
		    ((raw >> 4) & 0xf) * 10u + (raw & 0xf);
	if (v == 0)
		v = pit_modulus(ch);
	if (pit_periodic(ch) && v == 1)
		v = 2; /* illegal in modes 2 and 3 */
	return v;
}

/* A counter value (0..modulus-1) as the guest reads it: binary or BCD. */
static uint16_t pit_encode_value(const struct pit_channel *ch, uint32_t v)
{
	if (!ch->bcd)
		return (uint16_t)v;
	return (uint16_t)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 |
	                  (v / 10 % 10) << 4 | v % 10);
}

/* The guest completed a count: when it takes effect depends on the mode. */
static void pit_load(struct pit_channel *ch, uint16_t raw, uint64_t now)
{
	ch->count_reg = pit_decode_count(ch, raw);
	ch->have_count = true;
	ch->null_count = true;
	switch (ch->mode) {
	case 0:
	case 4:
		pit_start(ch, now);
		break;
	case 2:
	case 3:
		if (!ch->running) {
			if (ch->gate)
				pit_start(ch, now);
			break;
		}
		ch->pending_tick = pit_next_boundary(ch, now);
		ch->reload_pending = true;
		break;
	default:
		break; /* 1, 5: loaded by the next gate trigger */
	}
}

/* The gate input changed (only channel 2's can: port 0x61). */
static void pit_set_gate(struct pit_channel *ch, bool gate, uint64_t now)
{
	bool rising = gate && !ch->gate;

	if (gate == ch->gate)
		return;
	ch->gate = gate;
	switch (ch->mode) {
	case 0:
	case 4:
		if (!ch->running)
			break;
		if (!gate) {
			ch->paused = true;
			ch->paused_tick = now;
		} else if (ch->paused) {
			ch->start_tick += now - ch->paused_tick;
			ch->paused = false;
		}
		break;
	case 2:
	case 3:
		if (!gate && ch->running)
			pit_stop(ch, now); /* OUT goes high at once */
		else if (rising && ch->have_count)
			pit_start(ch, now); /* a rising gate reloads */
		break;
	default: /* 1, 5: a rising gate triggers */
		if (rising && ch->have_count)
			pit_start(ch, now);
		break;
	}
}

/* ---- IRQ 0 --------------------------------------------------------------- */

/* Does a rising edge of OUT come after `now`, and when?  Modes 2 and 3:
 * every period; 0 and 1: at terminal count; 4 and 5: after the strobe. */
static bool pit_next_edge(const struct pit_channel *ch, uint64_t now, uint64_t *tick)
{
	if (!ch->running || ch->paused)
		return false;
	if (pit_periodic(ch)) {
		*tick = pit_next_boundary(ch, now);
		return true;
	}
	*tick = ch->start_tick + ch->n;
	return pit_elapsed(ch, now) < ch->n;
}

/* Put `level` on IRQ 0 (vm_set_irq only when it changes). */
static void pit_drive_irq(struct dev_pit *pit, bool level)
{
	if (level == pit->irq_level)
		return;
	pit->irq_level = level;
	vm_set_irq(pit->dev.vm, pit->irq, level);
}

/*
 * Bring IRQ 0 up to date with channel 0 at tick `now`.  In mode 0 the line
 * is OUT.  In the other modes it moves only at OUT's rising edges (see the
 * top of the file): an edge that fell due since the last update is
 * delivered once, however many periods have passed.  Then the timer is
 * armed for the next edge, or disarmed.
 */
static void pit_irq_update(struct dev_pit *pit, uint64_t now)
{
	struct pit_channel *ch = &pit->ch[0];
	bool due = pit->edge_scheduled && now >= pit->next_edge_tick;

	pit_sync(ch, now);
	if (ch->mode == 0) {
		pit_drive_irq(pit, pit_out(ch, now));
	} else if (due) {
		pit_drive_irq(pit, false); /* OUT's low tick before the edge */
		pit_drive_irq(pit, true);
	}

	pit->edge_scheduled = pit_next_edge(ch, now, &pit->next_edge_tick);
	if (pit->edge_scheduled)
		vm_timer_arm(&pit->timer,
		             pit->epoch_ns + ticks_to_ns(pit->next_edge_tick));
	else
		vm_timer_disarm(&pit->timer);
}

/* The run loop fired channel 0's timer.  The PIT's own clock is used (the
 * core's now_ns comes from the same clock unless a test injected one). */
static void pit_irq_fire(struct vm_timer *t, uint64_t now_ns)
{
	struct dev_pit *pit = t->opaque;

	(void)now_ns;
	pit_irq_update(pit, pit_now_tick(pit));
}

/* ---- guest accesses ------------------------------------------------------ */

/* Counter latch: freeze the value for the next reads, until they are done. */
static void pit_latch_count(struct pit_channel *ch, uint64_t now)
{
	if (ch->latched_bytes)
		return; /* a latch not yet read is kept */
	ch->latched_count = pit_encode_value(ch, pit_value(ch, now));
	ch->latched_bytes = ch->access == PIT_ACCESS_WORD ? 2 : 1;
}

/* Read-back status latch: the next read returns the status byte. */
static void pit_latch_status(struct pit_channel *ch, uint64_t now)
{
	if (ch->status_latched)
		return;
	ch->latched_status =
	    (uint8_t)((pit_out(ch, now) ? STATUS_OUT : 0) |
	              (ch->null_count ? STATUS_NULL : 0) |
	              ch->access << STATUS_ACCESS_SHIFT | ch->mode_bits << CW_MODE_SHIFT |
	              (ch->bcd ? CW_BCD : 0));
	ch->status_latched = true;
}

/* A control word for one channel: new mode, counting stops. */
static void pit_program(struct pit_channel *ch, uint8_t cw, uint64_t now)
{
	pit_stop(ch, now);
	ch->access = (enum pit_access)(cw >> CW_ACCESS_SHIFT & CW_ACCESS_MASK);
	ch->mode_bits = cw >> CW_MODE_SHIFT & CW_MODE_MASK;
	ch->mode = ch->mode_bits > 5 ? ch->mode_bits & 3 : ch->mode_bits;
	ch->bcd = cw & CW_BCD;
	ch->have_count = false;
	ch->null_count = true;
	ch->write_high_next = false;
	ch->read_high_next = false;
	ch->latched_bytes = 0;
	ch->status_latched = false;
}

/* The read-back command: latch count and/or status of several channels. */
static void pit_read_back(struct dev_pit *pit, uint8_t cw, uint64_t now)
{
	for (unsigned i = 0; i < PIT_NR_CHANNELS; i++) {
		struct pit_channel *ch = &pit->ch[i];
		if (!(cw & RB_CHANNEL(i)))
			continue;
		pit_sync(ch, now);
		if (!(cw & RB_NO_STATUS))
			pit_latch_status(ch, now);
		if (!(cw & RB_NO_COUNT))
			pit_latch_count(ch, now);
	}
}

/* A write to port 0x43. */
static void pit_write_control(struct dev_pit *pit, uint8_t cw, uint64_t now)
{
	unsigned sel = cw >> CW_SELECT_SHIFT;
	struct pit_channel *ch;

	if (sel == CW_READ_BACK) {
		pit_read_back(pit, cw, now);
		return;
	}
	ch = &pit->ch[sel];
	if (sel == 0)
		pit_irq_update(pit,
		               now); /* an edge already due belongs to the old setup */
	pit_sync(ch, now);
	if ((cw >> CW_ACCESS_SHIFT & CW_ACCESS_MASK) == PIT_ACCESS_LATCH)
		pit_latch_count(ch, now);
	else
		pit_program(ch, cw, now);
	if (sel == 0)
		pit_irq_update(pit, now);
}

/* A write of one byte of a count, through the write flip-flop. */
static void pit_write_count(struct dev_pit *pit, struct pit_channel *ch, uint8_t val,
                            uint64_t now)
{
	if (ch->index == 0)
		pit_irq_update(pit,
		               now); /* an edge already due belongs to the old count */
	pit_sync(ch, now);
	switch (ch->access) {
	case PIT_ACCESS_LOW:
		pit_load(ch, val, now);
		break;
	case PIT_ACCESS_HIGH:
		pit_load(ch, (uint16_t)(val << 8), now);
		break;
	default:
		if (!ch->write_high_next) {
			ch->write_low = val;
			ch->write_high_next = true;
			if (ch->mode == 0)
				pit_stop(ch, now); /* mode 0: the first byte stops it */
			break;
		}
		ch->write_high_next = false;
		pit_load(ch, (uint16_t)(val << 8 | ch->write_low), now);
		break;
	}
	if (ch->index == 0)
		pit_irq_update(pit, now);
}

/* Which byte of a 16-bit value the next read returns. */
static uint8_t pit_read_byte(struct pit_channel *ch, uint16_t v)
{
	bool high = ch->access == PIT_ACCESS_HIGH ||
	            (ch->access == PIT_ACCESS_WORD && ch->read_high_next);

	if (ch->access == PIT_ACCESS_WORD)
		ch->read_high_next = !ch->read_high_next;
	return high ? (uint8_t)(v >> 8) : (uint8_t)v;
}

/* A read of a counter port: latched status, latched count, or live count. */
static uint8_t pit_read_count(struct pit_channel *ch, uint64_t now)
{
	pit_sync(ch, now);
	if (ch->status_latched) {
		ch->status_latched = false;
		return ch->latched_status;
	}
	if (ch->latched_bytes) {
		ch->latched_bytes--;
		return pit_read_byte(ch, ch->latched_count);
	}
	return pit_read_byte(ch, pit_encode_value(ch, pit_value(ch, now)));
}

/* Bus handler for 0x40-0x43: each byte is one port, in order. */
static int pit_io(void *dev, struct vcpu *vcpu, uint64_t offset, void *data, unsigned len,
                  bool is_write)
{
	struct dev_pit *pit = dev;
	uint8_t *bytes = data;
	uint64_t now = pit_now_tick(pit);

	if (offset + len > PIT_NR_PORTS)
		return -ERANGE; /* the bus already refuses this */
	for (unsigned i = 0; i < len; i++) {
		unsigned port = (unsigned)offset + i;
		if (port == PIT_PORT_CTRL && is_write)
			pit_write_control(pit, bytes[i], now);
		else if (port == PIT_PORT_CTRL)
			bytes[i] = FLOATING_BUS;
		else if (is_write)
			pit_write_count(pit, &pit->ch[port], bytes[i], now);
		else
			bytes[i] = pit_read_count(&pit->ch[port], now);
	}
	return 0;
}

/* Bus handler for port B (0x61). */
static int port_b_io(void *dev, struct vcpu *vcpu, uint64_t offset, void *data,
                     unsigned len, bool is_write)
{
	struct dev_pit *pit = dev;
	struct pit_channel *ch2 = &pit->ch[2];
	uint8_t *val = data;
	uint64_t now = pit_now_tick(pit);

	if (offset + len > PORT_B_NR_PORTS)
		return -ERANGE;
	pit_sync(ch2, now);
	if (is_write) {
		pit->port_b = *val & PORTB_WRITABLE;
		pit_set_gate(ch2, pit->port_b & PORTB_GATE2, now);
		return 0;
	}
	*val = (uint8_t)(pit->port_b | (pit_out(ch2, now) ? PORTB_OUT2 : 0) |
	                 (((pit_clock_ns(pit) / REFRESH_PERIOD_NS) & 1) ? PORTB_REFRESH
	                                                                : 0));
	return 0;
}

/* ---- the device --------------------------------------------------------- */

/* Power-on state (see the top of the file), with the epoch at `now`. */
static void pit_reset(struct dev_pit *pit)
{
	pit->epoch_ns = pit_clock_ns(pit);
	pit->port_b = 0;
	for (unsigned i = 0; i < PIT_NR_CHANNELS; i++) {
		pit->ch[i] = (struct pit_channel){.index = i, .gate = i != 2};
		pit_program(&pit->ch[i],
		            (uint8_t)(i << CW_SELECT_SHIFT |
		                      PIT_ACCESS_WORD << CW_ACCESS_SHIFT |
		                      POWER_ON_MODE << CW_MODE_SHIFT),
		            0);
	}
	pit->edge_scheduled = false;
	vm_timer_disarm(&pit->timer);
	pit_drive_irq(pit, false);
}

/* Free the model (the VM calls this). */
static void pit_destroy(struct device *dev)
{
	free(dev);
}

/* See devices.h.  -EINVAL for an IRQ the VM does not have, -EEXIST if the
 * ports are taken, -ENOSPC (no room for a device or a timer), -ENOMEM. */
int dev_pit_create(struct vm *vm, uint16_t base, uint16_t port_b, unsigned irq,
                   struct dev_pit **out)
{
	struct dev_pit *pit;
	int r;

	if (irq >= VM_NR_IRQS)
		return -EINVAL;
	pit = calloc(1, sizeof(*pit));
	if (!pit)
		return -ENOMEM;
	pit->dev.name = "i8254";
	pit->dev.wait_fd = -1;
	pit->dev.destroy = pit_destroy;
	pit->irq = irq;
	pit->now = default_clock;
	pit->timer.fire = pit_irq_fire;
	pit->timer.opaque = pit;
	r = vm_add_device(vm, &pit->dev);
	if (r) {
		free(pit);
		return r;
	}
	/* The VM owns pit from here, even if what follows fails. */
	pit_reset(pit);
	r = vm_timer_add(vm, &pit->timer);
	if (!r)
		r = bus_register(&vm->pio, base, PIT_NR_PORTS, pit_io, pit,
		                 pit->dev.name);
	if (!r)
		r = bus_register(&vm->pio, port_b, PORT_B_NR_PORTS, port_b_io, pit,
		                 "port B");
	if (!r && out)
		*out = pit;
	return r;
}

/* See devices.h. */
void dev_pit_set_clock(struct dev_pit *pit, uint64_t (*now)(void *opaque), void *opaque)
{
	pit->now = now ? now : default_clock;
	pit->now_opaque = opaque;
	pit_reset(pit);
}
