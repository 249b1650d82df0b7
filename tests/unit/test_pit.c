/*
 * test_pit.c - unit tests of the 8254 timer and port B (devices/i8254.c).
 *
 * Each test builds a VM without an engine, with the PIC pair and the PIT
 * on its port bus, and runs the PIT on a fake clock (dev_pit_set_clock),
 * so nothing sleeps and every tick is exact.  The test plays the guest
 * (port accesses through bus_access()), the passing of time (the fake
 * clock), the run loop (firing the VM's due timers) and the CPU
 * (irqchip_pending / irqchip_ack).  Time is given in PIT clock ticks
 * since the PIT's epoch, converted to ns here from the data sheet's
 * 1.193182 MHz.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/vm.h"
#include "device_vm.h"
#include "devices/device.h"
#include "devices/devices.h"

#define PIT_HZ     1193182u
#define NS_PER_SEC 1000000000u

/* Ports and control words, spelled out from the data sheet. */
#define PIT_CH0   0x40
#define PIT_CH1   0x41
#define PIT_CH2   0x42
#define PIT_CTRL  0x43
#define PORT_B    0x61
#define PIC_CMD   0x20
#define PIC_DATA  0x21
#define PIC_SLAVE 0xa0

#define CW(ch, rw, mode) ((uint8_t)((ch) << 6 | (rw) << 4 | (mode) << 1))
#define RW_LATCH         0
#define RW_LOW           1
#define RW_HIGH          2
#define RW_WORD          3
#define CW_BCD           0x01
#define READ_BACK(count, status, chans)                                                  \
	((uint8_t)(0xc0 | ((count) ? 0 : 0x20) | ((status) ? 0 : 0x10) | (chans) << 1))

#define ST_OUT  0x80
#define ST_NULL 0x40

#define PB_GATE2   0x01
#define PB_SPEAKER 0x02
#define PB_REFRESH 0x10
#define PB_OUT2    0x20

#define VECTOR_IRQ0 0x20
#define NONE        (-1)
#define EPOCH_NS    5000000123ull /* the fake clock does not start at 0 */

/* ---- fixture ------------------------------------------------------------- */

struct fixture {
	struct vm *vm;
	struct dev_pit *pit;
	uint64_t now_ns; /* the fake clock */
};

static uint64_t fake_now(void *opaque)
{
	return ((struct fixture *)opaque)->now_ns;
}

/* The PIC as a PC kernel sets it up: vectors 0x20/0x28, only IRQ 0 open. */
static void init_pic(struct vm *vm)
{
	static const uint8_t master[] = {0x11, 0x20, 0x04, 0x01, 0xfe};
	static const uint8_t slave[] = {0x11, 0x28, 0x02, 0x01, 0xff};

	for (int i = 0; i < 5; i++) {
		test_outb(vm, i ? PIC_DATA : PIC_CMD, master[i]);
		test_outb(vm, i ? PIC_SLAVE + 1 : PIC_SLAVE, slave[i]);
	}
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->vm = test_vm_new();
	assert_int_equal(dev_pit_create(f->vm, PIT_CH0, PORT_B, 0, &f->pit), 0);
	assert_int_equal(dev_pic_create(f->vm, PIC_CMD, PIC_SLAVE, 0x4d0, NULL), 0);
	f->now_ns = EPOCH_NS;
	dev_pit_set_clock(f->pit, fake_now, f);
	init_pic(f->vm);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	vm_destroy(f->vm);
	free(f);
	return 0;
}

/* The first ns at which `ticks` ticks have passed since the epoch. */
static uint64_t ns_at_tick(uint64_t ticks)
{
	unsigned __int128 ns = (unsigned __int128)ticks * NS_PER_SEC + PIT_HZ - 1;

	return EPOCH_NS + (uint64_t)(ns / PIT_HZ);
}

/* Move the fake clock to tick `t` and do what the run loop does: fire
 * every timer that is due. */
static void at(struct fixture *f, uint64_t t)
{
	f->now_ns = ns_at_tick(t);
	for (unsigned i = 0; i < f->vm->nr_timers; i++) {
		struct vm_timer *tm = f->vm->timers[i];
		if (tm->armed && tm->deadline_ns <= f->now_ns) {
			tm->armed = false;
			tm->fire(tm, f->now_ns);
		}
	}
}

static struct vm_timer *pit_timer(struct fixture *f)
{
	assert_int_equal(f->vm->nr_timers, 1);
	return f->vm->timers[0];
}

static int pending(struct fixture *f)
{
	return f->vm->irqchip_pending(f->vm->irqchip);
}

/* The CPU takes the interrupt and the handler ends it. */
static int take_and_eoi(struct fixture *f)
{
	int v = pending(f);

	if (v >= 0) {
		f->vm->irqchip_ack(f->vm->irqchip, v);
		test_outb(f->vm, PIC_CMD, 0x20);
	}
	return v;
}

/* Program channel `ch` with a control word and a two-byte count. */
static void program(struct fixture *f, unsigned ch, unsigned mode, uint16_t count)
{
	test_outb(f->vm, PIT_CTRL, CW(ch, RW_WORD, mode));
	test_outb(f->vm, (uint16_t)(PIT_CH0 + ch), (uint8_t)count);
	test_outb(f->vm, (uint16_t)(PIT_CH0 + ch), (uint8_t)(count >> 8));
}

/* A counter latch command, then both bytes (two-byte access mode). */
static unsigned latched(struct fixture *f, unsigned ch)
{
	uint16_t port = (uint16_t)(PIT_CH0 + ch);
	unsigned lo, hi;

	test_outb(f->vm, PIT_CTRL, CW(ch, RW_LATCH, 0));
	lo = test_inb(f->vm, port);
	hi = test_inb(f->vm, port);
	return hi << 8 | lo;
}

/* The status byte of one channel through the read-back command. */
static uint8_t status(struct fixture *f, unsigned ch)
{
	test_outb(f->vm, PIT_CTRL, READ_BACK(false, true, 1u << ch));
	return test_inb(f->vm, (uint16_t)(PIT_CH0 + ch));
}

static bool irq0_high(struct fixture *f)
{
	return f->vm->irq_level & 1u;
}

/* ---- power-on and the control word -------------------------------------- */

static void test_power_on(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(bus_find(&f->vm->pio, PIT_CTRL)->name, "i8254");
	assert_string_equal(bus_find(&f->vm->pio, PORT_B)->name, "port B");
	/* Mode 3, two-byte access, binary, no count yet, OUT high. */
	for (unsigned ch = 0; ch < 3; ch++)
		assert_int_equal(status(f, ch), ST_OUT | ST_NULL | 0x30 | 0x06);
	assert_false(pit_timer(f)->armed);
	assert_false(irq0_high(f));
	at(f, 10 * PIT_HZ);
	assert_int_equal(pending(f), NONE);           /* nothing counts without a BIOS */
	assert_int_equal(test_inb(f->vm, PIT_CTRL), 0xff); /* write only */
}

/* Low-byte-only, high-byte-only and two-byte access, both directions. */
static void test_access_modes(void **state)
{
	struct fixture *f = *state;

	test_outb(f->vm, PIT_CTRL, CW(1, RW_LOW, 2));
	test_outb(f->vm, PIT_CH1, 0x80);
	assert_int_equal(test_inb(f->vm, PIT_CH1), 0x80);
	at(f, 0x10);
	assert_int_equal(test_inb(f->vm, PIT_CH1), 0x70);
	assert_int_equal(test_inb(f->vm, PIT_CH1), 0x70); /* always the low byte */

	test_outb(f->vm, PIT_CTRL, CW(1, RW_HIGH, 2));
	test_outb(f->vm, PIT_CH1, 0x02); /* count 0x200 */
	assert_int_equal(test_inb(f->vm, PIT_CH1), 0x02);
	at(f, 0x10 + 0x101);
	assert_int_equal(test_inb(f->vm, PIT_CH1), 0x00); /* 0x0ff */

	test_outb(f->vm, PIT_CTRL, CW(1, RW_WORD, 2));
	test_outb(f->vm, PIT_CH1, 0x34);
	test_outb(f->vm, PIT_CH1, 0x12);
	assert_int_equal(test_inb(f->vm, PIT_CH1), 0x34);
	assert_int_equal(test_inb(f->vm, PIT_CH1), 0x12);
}

/* A control word resets the flip-flops: a half-written count is dropped. */
static void test_control_word_resets_flip_flops(void **state)
{
	struct fixture *f = *state;

	test_outb(f->vm, PIT_CTRL, CW(1, RW_WORD, 2));
	test_outb(f->vm, PIT_CH1, 0x99); /* low byte only */
	assert_true(status(f, 1) & ST_NULL);
	test_outb(f->vm, PIT_CTRL, CW(1, RW_WORD, 2));
	test_outb(f->vm, PIT_CH1, 0x00);
	test_outb(f->vm, PIT_CH1, 0x10);
	assert_int_equal(latched(f, 1), 0x1000);
	/* Reads too: one byte read, a control word, then the low byte again. */
	assert_int_equal(test_inb(f->vm, PIT_CH1), 0x00);
	test_outb(f->vm, PIT_CTRL, CW(1, RW_WORD, 2));
	test_outb(f->vm, PIT_CH1, 0x21);
	test_outb(f->vm, PIT_CH1, 0x43);
	assert_int_equal(test_inb(f->vm, PIT_CH1), 0x21);
	assert_int_equal(test_inb(f->vm, PIT_CH1), 0x43);
}

/* ---- counting ------------------------------------------------------------ */

static void test_counter_follows_time(void **state)
{
	struct fixture *f = *state;

	at(f, 7);
	program(f, 1, 2, 1000); /* loaded at tick 7 */
	assert_int_equal(latched(f, 1), 1000);
	at(f, 107);
	assert_int_equal(latched(f, 1), 900);
	at(f, 1006);
	assert_int_equal(latched(f, 1), 1); /* mode 2 never reads 0 */
	at(f, 1007);
	assert_int_equal(latched(f, 1), 1000);
	at(f, 1507);
	assert_int_equal(latched(f, 1), 500);
}

static void test_latch_holds_until_read(void **state)
{
	struct fixture *f = *state;

	program(f, 0, 2, 50000);
	at(f, 100);
	test_outb(f->vm, PIT_CTRL, CW(0, RW_LATCH, 0));
	at(f, 1100);
	test_outb(f->vm, PIT_CTRL, CW(0, RW_LATCH, 0)); /* ignored: one is pending */
	assert_int_equal(test_inb(f->vm, PIT_CH0), 49900 & 0xff);
	at(f, 2100);
	assert_int_equal(test_inb(f->vm, PIT_CH0), 49900 >> 8);
	/* Released: reads are live again. */
	assert_int_equal(test_inb(f->vm, PIT_CH0), 47900 & 0xff);
	assert_int_equal(test_inb(f->vm, PIT_CH0), 47900 >> 8);
	/* The latch command did not change the mode or the access. */
	assert_int_equal(status(f, 0), ST_OUT | 0x30 | 0x04);
}

static void test_read_back(void **state)
{
	struct fixture *f = *state;

	program(f, 0, 2, 1000);
	program(f, 2, 0, 100); /* gate 2 is low: loaded but held */
	at(f, 10);
	test_outb(f->vm, PIT_CTRL, READ_BACK(true, true, 0x5)); /* channels 0 and 2 */
	at(f, 20);
	/* Status first, then the count, as latched at tick 10. */
	assert_int_equal(test_inb(f->vm, PIT_CH0), ST_OUT | 0x30 | 0x04);
	assert_int_equal(test_inb(f->vm, PIT_CH0), 990 & 0xff);
	assert_int_equal(test_inb(f->vm, PIT_CH0), 990 >> 8);
	assert_int_equal(test_inb(f->vm, PIT_CH2), 0x30); /* mode 0, OUT low */
	assert_int_equal(test_inb(f->vm, PIT_CH2), 100);
	assert_int_equal(test_inb(f->vm, PIT_CH2), 0);
	/* Count only: no status byte in front. */
	test_outb(f->vm, PIT_CTRL, READ_BACK(true, false, 0x1));
	assert_int_equal(test_inb(f->vm, PIT_CH0), 980 & 0xff);
	assert_int_equal(test_inb(f->vm, PIT_CH0), 980 >> 8);
	/* Null count: set by a control word, cleared once the count loads. */
	test_outb(f->vm, PIT_CTRL, CW(1, RW_WORD, 2));
	assert_int_equal(status(f, 1), ST_OUT | ST_NULL | 0x30 | 0x04);
	test_outb(f->vm, PIT_CH1, 0x10);
	test_outb(f->vm, PIT_CH1, 0x00);
	assert_int_equal(status(f, 1), ST_OUT | 0x30 | 0x04);
}

/* ---- channel 0 and IRQ 0 ----------------------------------------------- */

/* Mode 2 at ~1 kHz: one interrupt per period, never early, each one
 * arriving through the PIC as vector 0x20. */
static void test_mode2_periodic_irq0(void **state)
{
	struct fixture *f = *state;
	const unsigned n = 1193;
	unsigned taken = 0;

	program(f, 0, 2, n);
	assert_int_equal(pending(f), NONE); /* programming alone: no interrupt */
	assert_false(irq0_high(f));
	assert_true(pit_timer(f)->armed);
	assert_int_equal(pit_timer(f)->deadline_ns, ns_at_tick(n));
	for (unsigned k = 1; k <= 10; k++) {
		at(f, k * n - 1);
		assert_int_equal(pending(f), NONE);
		at(f, k * n);
		if (take_and_eoi(f) == VECTOR_IRQ0)
			taken++;
	}
	assert_int_equal(taken, 10);
	assert_int_equal(pending(f), NONE);
}

/* A late host: five periods pass unseen; the guest gets one interrupt,
 * then the next one on time. */
static void test_missed_periods_coalesce(void **state)
{
	struct fixture *f = *state;
	const unsigned n = 1000;

	program(f, 0, 2, n);
	at(f, 5 * n + 10);
	assert_int_equal(take_and_eoi(f), VECTOR_IRQ0);
	assert_int_equal(pending(f), NONE);
	assert_int_equal(pit_timer(f)->deadline_ns, ns_at_tick(6 * n));
	at(f, 6 * n);
	assert_int_equal(take_and_eoi(f), VECTOR_IRQ0);
}

/* A tick the CPU has not taken yet survives reprogramming the rate (a
 * kernel changing HZ with interrupts off): no spurious interrupt. */
static void test_pending_tick_survives_new_rate(void **state)
{
	struct fixture *f = *state;

	program(f, 0, 2, 1000);
	at(f, 1000);
	assert_int_equal(pending(f), VECTOR_IRQ0);
	program(f, 0, 2, 500);
	assert_int_equal(take_and_eoi(f), VECTOR_IRQ0);
	at(f, 1499);
	assert_int_equal(pending(f), NONE);
	at(f, 1500);
	assert_int_equal(take_and_eoi(f), VECTOR_IRQ0);
	/* Mode 0's control word drops OUT, and with it the request. */
	at(f, 2000);
	assert_true(irq0_high(f));
	test_outb(f->vm, PIT_CTRL, CW(0, RW_WORD, 0));
	assert_false(irq0_high(f));
}

/* Mode 3: a square wave, one interrupt per period; the counter steps by 2. */
static void test_mode3_square_wave(void **state)
{
	struct fixture *f = *state;

	program(f, 0, 3, 1000);
	assert_int_equal(latched(f, 0), 1000);
	at(f, 1);
	assert_int_equal(latched(f, 0), 998);
	at(f, 499);
	assert_int_equal(latched(f, 0), 2);
	assert_true(status(f, 0) & ST_OUT);
	at(f, 500);
	assert_int_equal(latched(f, 0), 1000);
	assert_false(status(f, 0) & ST_OUT);
	at(f, 750);
	assert_int_equal(latched(f, 0), 500);
	assert_int_equal(pending(f), NONE);
	at(f, 1000);
	assert_true(status(f, 0) & ST_OUT);
	assert_int_equal(take_and_eoi(f), VECTOR_IRQ0);
	at(f, 1999);
	assert_int_equal(pending(f), NONE);
	at(f, 2000);
	assert_int_equal(take_and_eoi(f), VECTOR_IRQ0);
	/* An odd count: high one tick longer than low. */
	program(f, 1, 3, 5);
	at(f, 2002);
	assert_true(status(f, 1) & ST_OUT);
	at(f, 2003);
	assert_false(status(f, 1) & ST_OUT);
	at(f, 2004);
	assert_false(status(f, 1) & ST_OUT);
	at(f, 2005);
	assert_true(status(f, 1) & ST_OUT);
}

/* Mode 0: IRQ 0 low from the control word, high at terminal count, once. */
static void test_mode0_one_shot(void **state)
{
	struct fixture *f = *state;

	test_outb(f->vm, PIT_CTRL, CW(0, RW_WORD, 0));
	assert_false(irq0_high(f));
	test_outb(f->vm, PIT_CH0, 100);
	test_outb(f->vm, PIT_CH0, 0);
	at(f, 99);
	assert_int_equal(pending(f), NONE);
	assert_int_equal(latched(f, 0), 1);
	at(f, 100);
	assert_true(irq0_high(f));
	assert_int_equal(take_and_eoi(f), VECTOR_IRQ0);
	assert_int_equal(latched(f, 0), 0);
	at(f, 101);
	assert_int_equal(latched(f, 0), 0xffff); /* counting on, wrapped */
	assert_false(pit_timer(f)->armed);
	at(f, 1000000);
	assert_int_equal(pending(f), NONE);
	assert_true(status(f, 0) & ST_OUT);
}

/* A written 0 is the largest count, 65536. */
static void test_count_zero_is_65536(void **state)
{
	struct fixture *f = *state;

	program(f, 0, 2, 0);
	assert_int_equal(latched(f, 0), 0);
	at(f, 1);
	assert_int_equal(latched(f, 0), 65535);
	at(f, 65535);
	assert_int_equal(pending(f), NONE);
	at(f, 65536);
	assert_int_equal(take_and_eoi(f), VECTOR_IRQ0);
	/* Mode 0 likewise reaches terminal count after 65536 ticks. */
	at(f, 70000);
	program(f, 0, 0, 0);
	at(f, 70000 + 65535);
	assert_int_equal(pending(f), NONE);
	at(f, 70000 + 65536);
	assert_int_equal(take_and_eoi(f), VECTOR_IRQ0);
}

/* A new count in mode 2 waits for the end of the current period; a
 * control word stops the channel; in mode 0 a new count restarts it. */
static void test_reprogramming_while_running(void **state)
{
	struct fixture *f = *state;

	program(f, 0, 2, 1000);
	at(f, 300);
	test_outb(f->vm, PIT_CH0, 500 & 0xff);
	test_outb(f->vm, PIT_CH0, 500 >> 8);
	assert_true(status(f, 0) & ST_NULL); /* written, not yet loaded */
	at(f, 400);
	assert_int_equal(latched(f, 0), 600); /* the old period goes on */
	at(f, 1000);
	assert_int_equal(take_and_eoi(f), VECTOR_IRQ0);
	assert_false(status(f, 0) & ST_NULL);
	assert_int_equal(latched(f, 0), 500);
	at(f, 1499);
	assert_int_equal(pending(f), NONE);
	at(f, 1500);
	assert_int_equal(take_and_eoi(f), VECTOR_IRQ0);

	/* A control word: counting stops, no more interrupts. */
	at(f, 1700);
	test_outb(f->vm, PIT_CTRL, CW(0, RW_WORD, 2));
	at(f, 5000);
	assert_int_equal(pending(f), NONE);
	assert_false(pit_timer(f)->armed);

	/* Mode 0: the first byte stops the count, the second restarts it. */
	program(f, 0, 0, 1000); /* at 5000 */
	at(f, 5300);
	test_outb(f->vm, PIT_CH0, 200);
	at(f, 5400);
	assert_int_equal(latched(f, 0), 700); /* held since 5300 */
	test_outb(f->vm, PIT_CH0, 0);              /* count 200 from 5400 */
	at(f, 5599);
	assert_int_equal(pending(f), NONE);
	at(f, 5600);
	assert_int_equal(take_and_eoi(f), VECTOR_IRQ0);
	at(f, 6000);
	assert_int_equal(pending(f), NONE); /* the old count's TC never comes */
}

/* BCD counting: four decimal digits, 0 meaning 10000. */
static void test_bcd_counting(void **state)
{
	struct fixture *f = *state;

	test_outb(f->vm, PIT_CTRL, CW(1, RW_WORD, 2) | CW_BCD);
	test_outb(f->vm, PIT_CH1, 0x00);
	test_outb(f->vm, PIT_CH1, 0x10); /* 1000 decimal */
	at(f, 1);
	assert_int_equal(latched(f, 1), 0x0999);
	at(f, 1000);
	assert_int_equal(latched(f, 1), 0x1000);
	assert_int_equal(status(f, 1), ST_OUT | 0x30 | 0x04 | CW_BCD);
	test_outb(f->vm, PIT_CTRL, CW(1, RW_WORD, 0) | CW_BCD);
	test_outb(f->vm, PIT_CH1, 0x00);
	test_outb(f->vm, PIT_CH1, 0x00); /* 10000 */
	at(f, 1003);
	assert_int_equal(latched(f, 1), 0x9997);
}

/* Timing stays exact after a long uptime: no drift, no overflow. */
static void test_no_drift_after_hours(void **state)
{
	struct fixture *f = *state;
	const uint64_t start = 10ull * 3600 * PIT_HZ, n = 11932; /* ~100 Hz */
	const uint64_t k = 360000;                               /* an hour of ticks */

	at(f, start);
	program(f, 0, 2, (uint16_t)n);
	at(f, start + k * n - 1);
	assert_int_equal(take_and_eoi(f), VECTOR_IRQ0); /* coalesced */
	assert_int_equal(pit_timer(f)->deadline_ns, ns_at_tick(start + k * n));
	at(f, start + k * n);
	assert_int_equal(take_and_eoi(f), VECTOR_IRQ0);
	assert_int_equal(latched(f, 0), n);
}

/* ---- channel 2 and port B ---------------------------------------------- */

/* The calibration loop of a PC kernel: gate 2 on, speaker off, channel 2
 * one-shot for 10 ms, poll port B bit 5 until OUT2 rises. */
static void test_port_b_calibration(void **state)
{
	struct fixture *f = *state;
	const unsigned n = 11932;

	assert_int_equal(test_inb(f->vm, PORT_B) & (PB_OUT2 | 0x0f), PB_OUT2);
	test_outb(f->vm, PORT_B, (uint8_t)((test_inb(f->vm, PORT_B) & ~PB_SPEAKER) | PB_GATE2));
	program(f, 2, 0, (uint16_t)n);
	assert_false(test_inb(f->vm, PORT_B) & PB_OUT2);
	at(f, n - 1);
	assert_false(test_inb(f->vm, PORT_B) & PB_OUT2);
	assert_int_equal(latched(f, 2), 1);
	at(f, n);
	assert_true(test_inb(f->vm, PORT_B) & PB_OUT2);
	assert_int_equal(pending(f), NONE); /* channel 2 raises no IRQ */
}

/* Gate 2 low holds a mode 0 count; in mode 2 it stops the counter and a
 * rising gate reloads it. */
static void test_gate2(void **state)
{
	struct fixture *f = *state;

	program(f, 2, 0, 100); /* gate low since power-on */
	at(f, 50);
	assert_int_equal(latched(f, 2), 100);
	test_outb(f->vm, PORT_B, PB_GATE2);
	at(f, 90);
	assert_int_equal(latched(f, 2), 60);
	test_outb(f->vm, PORT_B, 0);
	at(f, 1000);
	assert_int_equal(latched(f, 2), 60);
	assert_false(test_inb(f->vm, PORT_B) & PB_OUT2);
	test_outb(f->vm, PORT_B, PB_GATE2);
	at(f, 1059);
	assert_false(test_inb(f->vm, PORT_B) & PB_OUT2);
	at(f, 1060);
	assert_true(test_inb(f->vm, PORT_B) & PB_OUT2);

	program(f, 2, 2, 300); /* at 1060, gate high */
	at(f, 1160);
	assert_int_equal(latched(f, 2), 200);
	test_outb(f->vm, PORT_B, 0);
	at(f, 1200);
	assert_int_equal(latched(f, 2), 200);
	assert_true(test_inb(f->vm, PORT_B) & PB_OUT2);
	test_outb(f->vm, PORT_B, PB_GATE2);
	assert_int_equal(latched(f, 2), 300);
	at(f, 1201);
	assert_int_equal(latched(f, 2), 299);
}

/* Bits 3-0 read back; the rest is status; refresh toggles every 15 us. */
static void test_port_b_bits(void **state)
{
	struct fixture *f = *state;
	uint8_t a, b;

	test_outb(f->vm, PORT_B, 0xff);
	a = test_inb(f->vm, PORT_B);
	assert_int_equal(a & 0x0f, 0x0f);
	assert_int_equal(a & 0xc0, 0);
	test_outb(f->vm, PORT_B, 0x0a);
	assert_int_equal(test_inb(f->vm, PORT_B) & 0x0f, 0x0a);
	f->now_ns = EPOCH_NS - EPOCH_NS % 15085 + 15085 * 100;
	a = test_inb(f->vm, PORT_B);
	f->now_ns += 15085;
	b = test_inb(f->vm, PORT_B);
	assert_int_equal((a ^ b) & PB_REFRESH, PB_REFRESH);
}

/* ---- on the board ----------------------------------------------------------- */

/* board_setup wires the PIT's channel 0 to the PIC's IR0: programming both
 * through their ports makes vector 0x20 pending one period later. */
static void test_board_pit_to_pic(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256] = "";
	struct dev_pit *pit = NULL;

	(void)state;
	assert_non_null(f);
	f->vm = test_vm_new();
	assert_int_equal(board_setup(f->vm, err, sizeof(err)), 0);
	for (unsigned i = 0; i < f->vm->nr_devices; i++)
		if (strcmp(f->vm->devices[i]->name, "i8254") == 0)
			pit = (struct dev_pit *)f->vm->devices[i];
	assert_non_null(pit);
	assert_string_equal(bus_find(&f->vm->pio, PIC_CMD)->name, "i8259 master");
	assert_string_equal(bus_find(&f->vm->pio, PIC_SLAVE + 1)->name, "i8259 slave");
	assert_string_equal(bus_find(&f->vm->pio, PORT_B)->name, "port B");
	f->now_ns = EPOCH_NS;
	dev_pit_set_clock(pit, fake_now, f);
	init_pic(f->vm);
	program(f, 0, 2, 11932);
	at(f, 11931);
	assert_int_equal(pending(f), NONE);
	at(f, 11932);
	assert_int_equal(pending(f), VECTOR_IRQ0);
	vm_destroy(f->vm);
	free(f);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_power_on),
	    T(test_access_modes),
	    T(test_control_word_resets_flip_flops),
	    T(test_counter_follows_time),
	    T(test_latch_holds_until_read),
	    T(test_read_back),
	    T(test_mode2_periodic_irq0),
	    T(test_missed_periods_coalesce),
	    T(test_pending_tick_survives_new_rate),
	    T(test_mode3_square_wave),
	    T(test_mode0_one_shot),
	    T(test_count_zero_is_65536),
	    T(test_reprogramming_while_running),
	    T(test_bcd_counting),
	    T(test_no_drift_after_hours),
	    T(test_port_b_calibration),
	    T(test_gate2),
	    T(test_port_b_bits),
	    cmocka_unit_test(test_board_pit_to_pic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
