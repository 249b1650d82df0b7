/*
 * test_uart.c - unit tests of the 16550A model (devices/uart16550.c).
 *
 * Each test builds a VM without an engine, puts one UART on its port bus
 * and plays the guest: port reads and writes through bus_access(), exactly
 * as the core does on an I/O exit.  The IRQ line is observed through the
 * VM's irq_level and an interrupt-controller hook that counts rising edges.
 * Host-side bytes travel through real pipes.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/vm.h"
#include "device_vm.h"
#include "devices/device.h"
#include "devices/devices.h"

#define COM1     0x3f8
#define COM1_IRQ 4

/* Register offsets and bits, spelled out here from the data sheet (not
 * taken from the model) so that the tests check the model against it. */
enum {
	RBR = 0,
	THR = 0,
	DLL = 0,
	IER = 1,
	DLM = 1,
	IIR = 2,
	FCR = 2,
	LCR = 3,
	MCR = 4,
	LSR = 5,
	MSR = 6,
	SCR = 7
};
#define IER_RDA     0x01
#define IER_THRE    0x02
#define IER_RLS     0x04
#define IER_MSI     0x08
#define LCR_DLAB    0x80
#define MCR_DTR     0x01
#define MCR_RTS     0x02
#define MCR_OUT1    0x04
#define MCR_OUT2    0x08
#define MCR_LOOP    0x10
#define LSR_DR      0x01
#define LSR_OE      0x02
#define LSR_THRE    0x20
#define LSR_TEMT    0x40
#define IIR_NONE    0x01
#define IIR_RLS     0x06
#define IIR_RDA     0x04
#define IIR_TIMEOUT 0x0c
#define IIR_THRE    0x02
#define IIR_MSI     0x00
#define IIR_FIFO    0xc0
#define MSR_DCTS    0x01
#define MSR_DDSR    0x02
#define MSR_TERI    0x04
#define MSR_DDCD    0x08
#define MSR_CTS     0x10
#define MSR_DSR     0x20
#define MSR_RI      0x40
#define MSR_DCD     0x80

/* ---- fixture: a VM with no engine and one UART ------------------------ */

struct fixture {
	struct vm *vm;
	struct dev_uart *uart;
	int out[2];            /* pipe: UART transmit -> out[0] */
	int in[2];             /* pipe: in[1] -> UART receive */
	unsigned rising_edges; /* on COM1_IRQ, seen by the "interrupt controller" */
	bool last_level;
};

/* The "interrupt controller": counts rising edges on COM1's line. */
static void record_irq(void *opaque, unsigned irq, bool level)
{
	struct fixture *f = opaque;

	if (irq != COM1_IRQ)
		return;
	if (level && !f->last_level)
		f->rising_edges++;
	f->last_level = level;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(pipe(f->out), 0);
	assert_int_equal(pipe(f->in), 0);
	/* Reads of the output pipe in tests must not hang if a byte is missing. */
	assert_int_equal(fcntl(f->out[0], F_SETFL, O_NONBLOCK), 0);
	f->vm = test_vm_new();
	f->vm->irqchip = f;
	f->vm->irqchip_set_irq = record_irq;
	assert_int_equal(
	    dev_uart_create(f->vm, COM1, COM1_IRQ, f->out[1], f->in[0], &f->uart), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	vm_destroy(f->vm);
	for (int i = 0; i < 2; i++) {
		if (f->out[i] >= 0)
			close(f->out[i]);
		if (f->in[i] >= 0)
			close(f->in[i]);
	}
	free(f);
	return 0;
}

static void outb_at(struct vm *vm, uint16_t port, uint8_t val)
{
	assert_int_equal(bus_access(&vm->pio, NULL, port, &val, 1, true), 0);
}

static uint8_t inb_at(struct vm *vm, uint16_t port)
{
	uint8_t val = 0x5a;

	assert_int_equal(bus_access(&vm->pio, NULL, port, &val, 1, false), 0);
	return val;
}

static void out(struct fixture *f, unsigned reg, uint8_t val)
{
	outb_at(f->vm, (uint16_t)(COM1 + reg), val);
}

static uint8_t in(struct fixture *f, unsigned reg)
{
	return inb_at(f->vm, (uint16_t)(COM1 + reg));
}

static bool irq_high(struct fixture *f)
{
	return f->vm->irq_level & (1u << COM1_IRQ);
}

static struct device *uart_device(struct fixture *f)
{
	assert_int_equal(f->vm->nr_devices, 1);
	return f->vm->devices[0];
}

/* Everything the output pipe holds right now. */
static size_t drain_out(struct fixture *f, char *buf, size_t cap)
{
	ssize_t n = read(f->out[0], buf, cap);

	return n < 0 ? 0 : (size_t)n;
}

static void feed(struct fixture *f, const char *s)
{
	dev_uart_receive(f->uart, (const uint8_t *)s, strlen(s));
}

/* ---- registers ---------------------------------------------------------- */

static void test_power_on_state(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(in(f, IER), 0);
	assert_int_equal(in(f, IIR), IIR_NONE);
	assert_int_equal(in(f, LCR), 0);
	assert_int_equal(in(f, MCR), 0);
	assert_int_equal(in(f, LSR), LSR_THRE | LSR_TEMT);
	/* A connected null modem: CTS, DSR, DCD on, no deltas. */
	assert_int_equal(in(f, MSR), MSR_CTS | MSR_DSR | MSR_DCD);
	assert_false(irq_high(f));
	assert_int_equal(uart_device(f)->wait_fd, f->in[0]);
	assert_string_equal(uart_device(f)->name, "uart16550");
}

static void test_scratch_register(void **state)
{
	struct fixture *f = *state;
	static const uint8_t vals[] = {0x00, 0x55, 0xaa, 0xff, 0x3c};

	for (size_t i = 0; i < sizeof(vals); i++) {
		out(f, SCR, vals[i]);
		assert_int_equal(in(f, SCR), vals[i]);
	}
}

static void test_lcr_read_back(void **state)
{
	struct fixture *f = *state;

	out(f, LCR, 0x1b); /* 8 data bits, 2 stop bits, even parity */
	assert_int_equal(in(f, LCR), 0x1b);
	out(f, LCR, 0x7f);
	assert_int_equal(in(f, LCR), 0x7f);
}

static void test_divisor_latch(void **state)
{
	struct fixture *f = *state;
	char buf[8];

	out(f, IER, IER_RLS);
	out(f, LCR, LCR_DLAB | 0x03);
	out(f, DLL, 0x0c); /* 9600 baud */
	out(f, DLM, 0x01);
	assert_int_equal(in(f, DLL), 0x0c);
	assert_int_equal(in(f, DLM), 0x01);
	/* Writing the divisor transmitted nothing and left IER alone. */
	assert_int_equal(drain_out(f, buf, sizeof(buf)), 0);
	out(f, LCR, 0x03);
	assert_int_equal(in(f, IER), IER_RLS);
	/* And back under DLAB the divisor is unchanged. */
	out(f, LCR, LCR_DLAB | 0x03);
	assert_int_equal(in(f, DLL), 0x0c);
	assert_int_equal(in(f, DLM), 0x01);
}

static void test_ier_and_mcr_masks(void **state)
{
	struct fixture *f = *state;

	out(f, IER, 0xff);
	assert_int_equal(in(f, IER), 0x0f);
	out(f, MCR, 0xe0);
	assert_int_equal(in(f, MCR), 0x00);
	out(f, MCR, 0x0f);
	assert_int_equal(in(f, MCR), 0x0f);
}

static void test_lsr_and_msr_ignore_writes(void **state)
{
	struct fixture *f = *state;

	out(f, LSR, 0xff);
	assert_int_equal(in(f, LSR), LSR_THRE | LSR_TEMT);
	out(f, MSR, 0x0f);
	assert_int_equal(in(f, MSR), MSR_CTS | MSR_DSR | MSR_DCD);
}

/* A 16-bit access is two byte accesses to consecutive registers. */
static void test_wide_access(void **state)
{
	struct fixture *f = *state;
	uint16_t v = 0x0180;

	/* outw base+3: LCR = 0x80 (DLAB), MCR = 0x01 */
	assert_int_equal(bus_access(&f->vm->pio, NULL, COM1 + LCR, &v, 2, true), 0);
	assert_int_equal(in(f, LCR), LCR_DLAB);
	assert_int_equal(in(f, MCR), MCR_DTR);
	v = 0x0203; /* outw base: DLL = 3, DLM = 2 */
	assert_int_equal(bus_access(&f->vm->pio, NULL, COM1, &v, 2, true), 0);
	assert_int_equal(in(f, DLL), 3);
	assert_int_equal(in(f, DLM), 2);
	v = 0;
	assert_int_equal(bus_access(&f->vm->pio, NULL, COM1, &v, 2, false), 0);
	assert_int_equal(v, 0x0203);
	/* An access running past the last register is refused. */
	assert_int_equal(bus_access(&f->vm->pio, NULL, COM1 + SCR, &v, 2, false),
	                 -ERANGE);
}

/* ---- transmit ----------------------------------------------------------- */

static void test_transmit_to_fd(void **state)
{
	struct fixture *f = *state;
	const char *msg = "hello, trapeze\n";
	char buf[64];

	for (const char *p = msg; *p; p++) {
		assert_true(in(f, LSR) & LSR_THRE);
		out(f, THR, (uint8_t)*p);
	}
	assert_int_equal(drain_out(f, buf, sizeof(buf)), strlen(msg));
	assert_memory_equal(buf, msg, strlen(msg));
	assert_int_equal(in(f, LSR), LSR_THRE | LSR_TEMT);
}

static void test_transmit_without_fd_is_dropped(void **state)
{
	struct vm *vm = test_vm_new();

	assert_int_equal(dev_uart_create(vm, COM1, COM1_IRQ, -1, -1, NULL), 0);
	outb_at(vm, COM1 + THR, 'x');
	assert_int_equal(inb_at(vm, COM1 + LSR), LSR_THRE | LSR_TEMT);
	assert_int_equal(vm->devices[0]->wait_fd, -1);
	vm_destroy(vm);
}

/* A reader that went away must not stop the guest or its UART. */
static void test_transmit_write_error(void **state)
{
	struct fixture *f = *state;
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);

	close(f->out[0]);
	f->out[0] = -1;
	out(f, THR, 'a');
	out(f, THR, 'b');
	assert_int_equal(in(f, LSR), LSR_THRE | LSR_TEMT);
	assert_false(vm_stopped(f->vm));
	signal(SIGPIPE, old);
}

/* ---- THR-empty interrupt ------------------------------------------------ */

static void test_thre_interrupt_rules(void **state)
{
	struct fixture *f = *state;

	out(f, MCR, MCR_OUT2);
	assert_false(irq_high(f));
	/* Enabling it with THR empty raises it at once. */
	out(f, IER, IER_THRE);
	assert_true(irq_high(f));
	assert_int_equal(f->rising_edges, 1);
	/* Reading IIR reports it and clears it. */
	assert_int_equal(in(f, IIR), IIR_THRE);
	assert_false(irq_high(f));
	assert_int_equal(in(f, IIR), IIR_NONE);
	/* Each transmitted byte empties THR again: a fresh edge. */
	out(f, THR, 'a');
	assert_true(irq_high(f));
	assert_int_equal(f->rising_edges, 2);
	out(f, THR, 'b'); /* written without reading IIR: still a new edge */
	assert_true(irq_high(f));
	assert_int_equal(f->rising_edges, 3);
	assert_int_equal(in(f, IIR), IIR_THRE);
	/* Rewriting IER with ETBEI already set does not re-raise it... */
	out(f, IER, IER_THRE);
	assert_int_equal(in(f, IIR), IIR_NONE);
	/* ...turning it off and on again does. */
	out(f, IER, 0);
	out(f, IER, IER_THRE);
	assert_int_equal(in(f, IIR), IIR_THRE);
	/* Masking it drops the line but IIR shows nothing pending. */
	out(f, THR, 'c');
	assert_true(irq_high(f));
	out(f, IER, 0);
	assert_false(irq_high(f));
	assert_int_equal(in(f, IIR), IIR_NONE);
}

static void test_out2_gates_irq_line(void **state)
{
	struct fixture *f = *state;

	out(f, IER, IER_THRE);
	out(f, THR, 'x');
	/* Pending, but OUT2 is off: the PIC sees nothing. */
	assert_false(irq_high(f));
	out(f, MCR, MCR_OUT2);
	assert_true(irq_high(f));
	out(f, MCR, MCR_DTR | MCR_RTS);
	assert_false(irq_high(f));
	/* The source was not consumed by the gating. */
	assert_int_equal(in(f, IIR), IIR_THRE);
}

/* ---- receive ------------------------------------------------------------ */

static void test_receive_interrupt(void **state)
{
	struct fixture *f = *state;

	out(f, MCR, MCR_OUT2);
	out(f, IER, IER_RDA);
	assert_false(irq_high(f));
	feed(f, "k");
	assert_true(irq_high(f));
	assert_int_equal(in(f, IIR), IIR_RDA);
	assert_int_equal(in(f, LSR), LSR_THRE | LSR_TEMT | LSR_DR);
	assert_int_equal(in(f, RBR), 'k');
	assert_false(irq_high(f));
	assert_int_equal(in(f, LSR), LSR_THRE | LSR_TEMT);
}

static void test_fifo_fill_and_overrun(void **state)
{
	struct fixture *f = *state;
	const char *sixteen = "0123456789abcdef";

	out(f, FCR, 0x01);
	feed(f, sixteen);
	assert_int_equal(in(f, LSR), LSR_THRE | LSR_TEMT | LSR_DR);
	feed(f, "X"); /* the 17th byte is lost */
	assert_int_equal(in(f, LSR), LSR_THRE | LSR_TEMT | LSR_DR | LSR_OE);
	/* OE is sticky until LSR is read, then gone. */
	assert_int_equal(in(f, LSR), LSR_THRE | LSR_TEMT | LSR_DR);
	for (int i = 0; i < 16; i++)
		assert_int_equal(in(f, RBR), sixteen[i]);
	assert_int_equal(in(f, LSR), LSR_THRE | LSR_TEMT);
}

/* Without FIFOs the receiver holds one byte; a second one replaces it. */
static void test_16450_mode_overrun(void **state)
{
	struct fixture *f = *state;

	feed(f, "ab");
	assert_int_equal(in(f, LSR), LSR_THRE | LSR_TEMT | LSR_DR | LSR_OE);
	assert_int_equal(in(f, RBR), 'b');
	assert_int_equal(in(f, LSR), LSR_THRE | LSR_TEMT);
}

static void test_fifo_reset_and_disable(void **state)
{
	struct fixture *f = *state;

	out(f, FCR, 0x01);
	feed(f, "abcde");
	out(f, FCR, 0x03); /* RX reset: the bytes are gone */
	assert_int_equal(in(f, LSR), LSR_THRE | LSR_TEMT);
	feed(f, "abc");
	out(f, FCR, 0x00); /* leaving FIFO mode empties the FIFO too */
	assert_int_equal(in(f, LSR), LSR_THRE | LSR_TEMT);
	assert_int_equal(in(f, IIR) & IIR_FIFO, 0);
	/* Bits 1-7 do nothing unless bit 0 is set in the same write: the
	 * held byte survives an "RX reset" and the FIFOs stay off. */
	feed(f, "h");
	out(f, FCR, 0xc2);
	assert_int_equal(in(f, IIR) & IIR_FIFO, 0);
	assert_int_equal(in(f, LSR), LSR_THRE | LSR_TEMT | LSR_DR);
	assert_int_equal(in(f, RBR), 'h');
	feed(f, "ab"); /* still a one-byte receiver */
	assert_int_equal(in(f, LSR) & LSR_OE, LSR_OE);
}

static void test_iir_fifo_bits(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(in(f, IIR), IIR_NONE);
	out(f, FCR, 0x07);
	assert_int_equal(in(f, IIR), IIR_FIFO | IIR_NONE);
	out(f, IER, IER_THRE);
	assert_int_equal(in(f, IIR), IIR_FIFO | IIR_THRE);
	out(f, FCR, 0x00);
	assert_int_equal(in(f, IIR), IIR_NONE);
}

/* Below the trigger level the FIFO reports a character timeout; at or
 * above it, received data available. */
static void test_fifo_trigger_levels(void **state)
{
	struct fixture *f = *state;
	static const struct {
		uint8_t fcr;
		unsigned level;
	} cases[] = {
	    {0x01, 1},
	    {0x41, 4},
	    {0x81, 8},
	    {0xc1, 14},
	};

	out(f, IER, IER_RDA);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		out(f, FCR, (uint8_t)(cases[c].fcr | 0x02));
		for (unsigned i = 1; i < cases[c].level; i++) {
			feed(f, "z");
			assert_int_equal(in(f, IIR), IIR_FIFO | IIR_TIMEOUT);
		}
		feed(f, "z");
		assert_int_equal(in(f, IIR), IIR_FIFO | IIR_RDA);
		in(f, RBR);
		if (cases[c].level > 1)
			assert_int_equal(in(f, IIR), IIR_FIFO | IIR_TIMEOUT);
	}
	/* 16450 mode: one byte is "data available". */
	out(f, FCR, 0x00);
	feed(f, "z");
	assert_int_equal(in(f, IIR), IIR_RDA);
}

/* Sources are reported strictly by priority, each cleared its own way. */
static void test_iir_priority(void **state)
{
	struct fixture *f = *state;

	/* Loopback makes every source reachable from the guest's side:
	 * entering it changes CTS/DSR/DCD (modem status), two bytes into the
	 * one-byte receiver overrun (line status + data). */
	out(f, MCR, MCR_LOOP);
	out(f, THR, '1');
	out(f, THR, '2');
	out(f, IER, IER_RDA | IER_THRE | IER_RLS | IER_MSI);
	assert_int_equal(in(f, IIR), IIR_RLS);
	assert_int_equal(in(f, IIR), IIR_RLS); /* IIR reads do not clear it */
	in(f, LSR);
	assert_int_equal(in(f, IIR), IIR_RDA);
	assert_int_equal(in(f, RBR), '2');
	assert_int_equal(in(f, IIR), IIR_THRE); /* reading IIR clears THRE */
	assert_int_equal(in(f, IIR), IIR_MSI);
	assert_int_equal(in(f, IIR), IIR_MSI);
	in(f, MSR);
	assert_int_equal(in(f, IIR), IIR_NONE);
}

/* A masked source does not hide a lower-priority enabled one. */
static void test_iir_respects_ier(void **state)
{
	struct fixture *f = *state;

	feed(f, "ab"); /* overrun + data */
	out(f, IER, IER_THRE);
	assert_int_equal(in(f, IIR), IIR_THRE);
	out(f, IER, IER_RDA);
	assert_int_equal(in(f, IIR), IIR_RDA);
}

/* ---- loopback and modem lines ------------------------------------------ */

static void test_loopback_data_path(void **state)
{
	struct fixture *f = *state;
	char buf[8];

	out(f, MCR, MCR_LOOP);
	out(f, FCR, 0x01);
	out(f, THR, 'L');
	out(f, THR, 'p');
	assert_int_equal(drain_out(f, buf, sizeof(buf)), 0);
	assert_int_equal(in(f, LSR), LSR_THRE | LSR_TEMT | LSR_DR);
	assert_int_equal(in(f, RBR), 'L');
	assert_int_equal(in(f, RBR), 'p');
	/* The receiver is cut off from the line meanwhile. */
	feed(f, "q");
	assert_int_equal(in(f, LSR), LSR_THRE | LSR_TEMT);
	assert_int_equal(uart_device(f)->wait_fd, -1);
	/* Out of loopback, bytes go to the fd again. */
	out(f, MCR, 0);
	assert_int_equal(uart_device(f)->wait_fd, f->in[0]);
	out(f, THR, '!');
	assert_int_equal(drain_out(f, buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], '!');
}

/* Linux's 8250 probe: loopback with RTS and OUT2 must read CTS and DCD. */
static void test_loopback_modem_wiring(void **state)
{
	struct fixture *f = *state;

	out(f, MCR, MCR_LOOP | MCR_RTS | MCR_OUT2);
	assert_int_equal(in(f, MSR) & 0xf0, MSR_CTS | MSR_DCD);
	out(f, MCR, MCR_LOOP | MCR_DTR | MCR_OUT1);
	assert_int_equal(in(f, MSR) & 0xf0, MSR_DSR | MSR_RI);
	out(f, MCR, MCR_LOOP);
	assert_int_equal(in(f, MSR) & 0xf0, 0);
}

static void test_msr_deltas(void **state)
{
	struct fixture *f = *state;

	/* Entering loopback drops CTS, DSR and DCD: three deltas. */
	out(f, MCR, MCR_LOOP);
	assert_int_equal(in(f, MSR), MSR_DCTS | MSR_DDSR | MSR_DDCD);
	assert_int_equal(in(f, MSR), 0); /* reading cleared them */
	/* RI rising is not a delta; RI falling is (TERI). */
	out(f, MCR, MCR_LOOP | MCR_OUT1);
	assert_int_equal(in(f, MSR), MSR_RI);
	out(f, MCR, MCR_LOOP);
	assert_int_equal(in(f, MSR), MSR_TERI);
	out(f, MCR, MCR_LOOP | MCR_RTS);
	assert_int_equal(in(f, MSR), MSR_CTS | MSR_DCTS);
}

/* In loopback the chip forces OUT2 inactive: no IRQ reaches the PIC. */
static void test_loopback_masks_irq_line(void **state)
{
	struct fixture *f = *state;

	out(f, MCR, MCR_LOOP | MCR_OUT2);
	out(f, IER, IER_THRE | IER_MSI);
	assert_false(irq_high(f));
	assert_int_equal(in(f, IIR), IIR_THRE);
	out(f, MCR, MCR_OUT2);
	assert_true(irq_high(f)); /* leaving loopback changed DCD etc. */
	assert_int_equal(in(f, IIR), IIR_MSI);
}

/* ---- host input --------------------------------------------------------- */

static void pipe_write(struct fixture *f, const char *s)
{
	assert_int_equal(write(f->in[1], s, strlen(s)), (ssize_t)strlen(s));
}

static void test_receive_via_on_ready(void **state)
{
	struct fixture *f = *state;
	struct device *dev = uart_device(f);

	out(f, MCR, MCR_OUT2);
	out(f, IER, IER_RDA);
	out(f, FCR, 0x01);
	pipe_write(f, "abc");
	dev->on_ready(dev);
	assert_true(irq_high(f));
	assert_int_equal(in(f, RBR), 'a');
	assert_int_equal(in(f, RBR), 'b');
	assert_int_equal(in(f, RBR), 'c');
	assert_false(irq_high(f));
}

/* A polling guest sees input without the core calling on_ready. */
static void test_receive_by_polling_lsr(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(in(f, LSR) & LSR_DR, 0);
	pipe_write(f, "p");
	assert_int_equal(in(f, LSR) & LSR_DR, LSR_DR);
	assert_int_equal(in(f, RBR), 'p');
	pipe_write(f, "q"); /* reading RBR directly also looks */
	assert_int_equal(in(f, RBR), 'q');
	assert_int_equal(in(f, LSR) & LSR_DR, 0);
}

/* Host input waits in the fd rather than overrunning the FIFO. */
static void test_host_input_is_flow_controlled(void **state)
{
	struct fixture *f = *state;
	struct device *dev = uart_device(f);
	const char *msg = "the quick brown fox jumps";

	out(f, FCR, 0x01);
	pipe_write(f, msg);
	dev->on_ready(dev);
	assert_int_equal(dev->wait_fd, -1); /* full: nothing to wait for */
	assert_int_equal(in(f, LSR), LSR_THRE | LSR_TEMT | LSR_DR);
	assert_int_equal(in(f, RBR), 't');
	assert_int_equal(dev->wait_fd, f->in[0]);
	/* The core may call on_ready again with the FIFO nearly full: it
	 * takes only what fits. */
	dev->on_ready(dev);
	assert_int_equal(dev->wait_fd, -1);
	for (size_t i = 1; i < strlen(msg); i++) {
		assert_int_equal(in(f, LSR) & (LSR_DR | LSR_OE), LSR_DR);
		assert_int_equal(in(f, RBR), msg[i]);
	}
	assert_int_equal(in(f, LSR), LSR_THRE | LSR_TEMT);
}

/* Without FIFOs the receiver holds one byte, and takes one at a time. */
static void test_host_input_16450_mode(void **state)
{
	struct fixture *f = *state;
	struct device *dev = uart_device(f);

	pipe_write(f, "xyz");
	dev->on_ready(dev);
	assert_int_equal(dev->wait_fd, -1);
	dev->on_ready(dev);
	assert_int_equal(in(f, LSR), LSR_THRE | LSR_TEMT | LSR_DR);
	assert_int_equal(in(f, RBR), 'x');
	dev->on_ready(dev);
	assert_int_equal(in(f, RBR), 'y');
	assert_int_equal(in(f, RBR), 'z');
	assert_int_equal(in(f, LSR), LSR_THRE | LSR_TEMT);
}

static void test_input_eof_stops_waiting(void **state)
{
	struct fixture *f = *state;
	struct device *dev = uart_device(f);

	pipe_write(f, "z");
	close(f->in[1]);
	f->in[1] = -1;
	dev->on_ready(dev);
	assert_int_equal(in(f, RBR), 'z');
	dev->on_ready(dev); /* the EOF */
	assert_int_equal(dev->wait_fd, -1);
	assert_int_equal(in(f, LSR), LSR_THRE | LSR_TEMT);
}

/* ---- objects ------------------------------------------------------------ */

static void test_two_uarts_are_independent(void **state)
{
	struct vm *a = test_vm_new(), *b = test_vm_new();

	assert_int_equal(dev_uart_create(a, COM1, COM1_IRQ, -1, -1, NULL), 0);
	assert_int_equal(dev_uart_create(b, COM1, COM1_IRQ, -1, -1, NULL), 0);
	assert_int_equal(dev_uart_create(a, 0x2f8, 3, -1, -1, NULL), 0);
	outb_at(a, COM1 + SCR, 0x11);
	outb_at(b, COM1 + SCR, 0x22);
	outb_at(a, 0x2f8 + SCR, 0x33);
	assert_int_equal(inb_at(a, COM1 + SCR), 0x11);
	assert_int_equal(inb_at(b, COM1 + SCR), 0x22);
	assert_int_equal(inb_at(a, 0x2f8 + SCR), 0x33);
	/* COM2's interrupt goes out on its own line. */
	outb_at(a, 0x2f8 + MCR, MCR_OUT2);
	outb_at(a, 0x2f8 + IER, IER_THRE);
	assert_int_equal(a->irq_level, 1u << 3);
	assert_int_equal(b->irq_level, 0);
	vm_destroy(a);
	vm_destroy(b);
}

static void test_create_errors(void **state)
{
	struct vm *vm = test_vm_new();

	assert_int_equal(dev_uart_create(vm, COM1, VM_NR_IRQS, -1, -1, NULL), -EINVAL);
	assert_int_equal(dev_uart_create(vm, COM1, COM1_IRQ, -1, -1, NULL), 0);
	assert_int_equal(dev_uart_create(vm, COM1 + 4, COM1_IRQ, -1, -1, NULL), -EEXIST);
	/* The first UART still answers. */
	outb_at(vm, COM1 + SCR, 0x42);
	assert_int_equal(inb_at(vm, COM1 + SCR), 0x42);
	vm_destroy(vm);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_power_on_state),
	    T(test_scratch_register),
	    T(test_lcr_read_back),
	    T(test_divisor_latch),
	    T(test_ier_and_mcr_masks),
	    T(test_lsr_and_msr_ignore_writes),
	    T(test_wide_access),
	    T(test_transmit_to_fd),
	    cmocka_unit_test(test_transmit_without_fd_is_dropped),
	    T(test_transmit_write_error),
	    T(test_thre_interrupt_rules),
	    T(test_out2_gates_irq_line),
	    T(test_receive_interrupt),
	    T(test_fifo_fill_and_overrun),
	    T(test_16450_mode_overrun),
	    T(test_fifo_reset_and_disable),
	    T(test_iir_fifo_bits),
	    T(test_fifo_trigger_levels),
	    T(test_iir_priority),
	    T(test_iir_respects_ier),
	    T(test_loopback_data_path),
	    T(test_loopback_modem_wiring),
	    T(test_msr_deltas),
	    T(test_loopback_masks_irq_line),
	    T(test_receive_via_on_ready),
	    T(test_receive_by_polling_lsr),
	    T(test_host_input_is_flow_controlled),
	    T(test_host_input_16450_mode),
	    T(test_input_eof_stops_waiting),
	    cmocka_unit_test(test_two_uarts_are_independent),
	    cmocka_unit_test(test_create_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
