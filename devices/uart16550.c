/*
 * uart16550.c - a 16550A UART, the PC's serial port (COM1).
 *
 * This is the guest's console.  The guest sees eight I/O ports; this model
 * turns its register accesses into bytes on host file descriptors and back,
 * and drives the UART's IRQ line through vm_set_irq().  The core reaches it
 * through the port-I/O bus (uart_io) whatever engine runs the guest, and
 * calls uart_on_ready() when the guest idles and the input fd is readable.
 *
 *   guest OUT THR --> uart_transmit() --> out_fd
 *                           |  (loopback mode: straight back to the receiver)
 *                           v
 *   in_fd ---------> receive FIFO (16 bytes) --> guest IN RBR
 *                   (uart_on_ready, or a zero-timeout poll when the guest
 *                    reads LSR/RBR with the FIFO empty)
 *
 *   any change of state --> uart_update() --> vm_set_irq(vm, irq, level)
 *
 * Register map (offsets from the base port; DLAB is LCR bit 7):
 *
 *   off | read (DLAB=0) | write (DLAB=0) | DLAB=1
 *   ----+---------------+----------------+---------------------
 *    0  | RBR rx data   | THR tx data    | DLL divisor, low byte
 *    1  | IER           | IER            | DLM divisor, high byte
 *    2  | IIR           | FCR            | (same as DLAB=0)
 *    3  | LCR           | LCR            |
 *    4  | MCR           | MCR            |
 *    5  | LSR           | (ignored)      |
 *    6  | MSR           | (ignored)      |
 *    7  | SCR scratch   | SCR            |
 *
 * Choices where the data sheet leaves room or the host differs from a wire:
 *  - Transmission is instantaneous: by the time the guest can look, THR and
 *    the shift register are empty, so LSR.THRE and LSR.TEMT always read 1.
 *    The divisor and line format are stored and read back but not used.
 *  - The FIFO character timeout (data below the trigger level, no new byte
 *    for four character times) is reported at once: with the FIFO enabled,
 *    0 < count < trigger gives IIR "character timeout", count >= trigger
 *    gives "received data available".
 *  - The line never produces parity errors, framing errors or breaks.
 *  - Outside loopback the modem inputs read as a connected null modem:
 *    CTS, DSR and DCD asserted, RI not.
 *  - Host input is flow-controlled: a read from in_fd takes at most the free
 *    space in the FIFO and the rest waits in the fd, so a file piped into
 *    the guest is never lost.  Overruns (LSR.OE) come only from bytes that
 *    arrive "on the line" -- dev_uart_receive() and loopback.  While the
 *    FIFO is full (or the UART is in loopback) dev.wait_fd is -1, so the
 *    core does not spin on a readable fd we would not read.
 *  - An access wider than one byte is split into byte accesses to
 *    consecutive registers, as a PC's ISA bus splits a 16-bit cycle to an
 *    8-bit device (outw to base with DLAB=1 sets DLL and DLM together).
 *  - A write error on out_fd is recorded in tx_errno and later output is
 *    dropped; the guest keeps running (a real UART cannot tell either).
 *  - IRQ line = some enabled source pending AND MCR.OUT2 AND NOT loopback:
 *    on a PC, OUT2 enables the buffer between the UART and the interrupt
 *    controller, and in loopback mode the chip forces its OUT2 pin inactive.
 *    IIR still reports the sources, so a polling driver sees them.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/vm.h"
#include "devices/device.h"
#include "devices/devices.h"

#define UART_NR_REGS   8
#define UART_FIFO_SIZE 16

/* Register offsets. */
enum {
	UART_RBR = 0, /* DLAB=0 read */
	UART_THR = 0, /* DLAB=0 write */
	UART_DLL = 0, /* DLAB=1 */
	UART_IER = 1, /* DLAB=0 */
	UART_DLM = 1, /* DLAB=1 */
	UART_IIR = 2, /* read */
	UART_FCR = 2, /* write */
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
	UART_MSR = 6,
	UART_SCR = 7,
};

/*
 * IER - interrupt enable
 *   7   6   5   4   3      2      1      0
 * +---------------+------+------+------+------+
 * |   0 (unused)  |EDSSI | ELSI |ETBEI |ERBFI |
 * +---------------+------+------+------+------+
 *   modem status, line status, THR empty, received data
 */
#define IER_ERBFI 0x01
#define IER_ETBEI 0x02
#define IER_ELSI  0x04
#define IER_EDSSI 0x08
#define IER_MASK  0x0f

/*
 * IIR - interrupt identification (read only)
 *   7   6     5   4     3   2   1     0
 * +-------+-------+-----------+------+
 * | FIFOs |   0   |  source   |  no  |   FIFOs: 11 when FCR.0 is set
 * |enabled|       |    id     | int  |   bit 0: 1 = nothing pending
 * +-------+-------+-----------+------+
 * Sources in priority order (bits 3..0):
 *   0110 receiver line status  (OE/PE/FE/BI; cleared by reading LSR)
 *   0100 received data available (cleared by draining below the trigger)
 *   1100 character timeout       (cleared by reading RBR)
 *   0010 THR empty               (cleared by reading IIR, or writing THR)
 *   0000 modem status            (cleared by reading MSR)
 */
#define IIR_NONE      0x01
#define IIR_RLS       0x06
#define IIR_RDA       0x04
#define IIR_TIMEOUT   0x0c
#define IIR_THRE      0x02
#define IIR_MSI       0x00
#define IIR_FIFO_BITS 0xc0

/*
 * FCR - FIFO control (write only)
 *    7   6     5   4     3      2       1       0
 * +--------+-------+------+-------+-------+------+
 * |RX trig |   0   | DMA  |TX rst |RX rst |enable|
 * +--------+-------+------+-------+-------+------+
 * RX trigger: 00 = 1 byte, 01 = 4, 10 = 8, 11 = 14.  Bits 1-7 are only
 * programmed when bit 0 is 1 in the same write; changing bit 0 clears the
 * FIFOs.
 */
#define FCR_ENABLE        0x01
#define FCR_RX_RESET      0x02
#define FCR_TX_RESET      0x04
#define FCR_TRIGGER_SHIFT 6

/*
 * LCR - line control
 *    7     6      5      4     3     2      1   0
 * +------+-----+------+-----+-----+------+-------+
 * | DLAB |break|stick |even |par  |stop  | word  |
 * |      |     |parity|par  |en   |bits  | length|
 * +------+-----+------+-----+-----+------+-------+
 * Only DLAB changes what this model does; the rest is stored.
 */
#define LCR_DLAB 0x80

/*
 * MCR - modem control
 *   7   6   5    4      3      2      1     0
 * +-----------+------+------+------+-----+-----+
 * | 0 (unused)| LOOP | OUT2 | OUT1 | RTS | DTR |
 * +-----------+------+------+------+-----+-----+
 */
#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MCR_MASK 0x1f

/*
 * LSR - line status
 *    7      6      5     4    3    2    1    0
 * +------+------+------+----+----+----+----+----+
 * |FIFO  | TEMT | THRE | BI | FE | PE | OE | DR |
 * |error |      |      |    |    |    |    |    |
 * +------+------+------+----+----+----+----+----+
 * DR: a byte is waiting in RBR/the FIFO.  OE: a byte was lost (sticky,
 * cleared by reading LSR).  THRE/TEMT: transmitter empty (always, here).
 */
#define LSR_DR     0x01
#define LSR_OE     0x02
#define LSR_PE     0x04
#define LSR_FE     0x08
#define LSR_BI     0x10
#define LSR_THRE   0x20
#define LSR_TEMT   0x40
#define LSR_ERRORS (LSR_OE | LSR_PE | LSR_FE | LSR_BI)

/*
 * MSR - modem status
 *    7     6    5     4      3      2      1      0
 * +-----+----+-----+-----+------+------+------+------+
 * | DCD | RI | DSR | CTS | DDCD | TERI | DDSR | DCTS |
 * +-----+----+-----+-----+------+------+------+------+
 * High nibble: the modem inputs now.  Low nibble: "changed since MSR was
 * last read" (TERI: RI went from on to off).  In loopback the inputs are
 * wired to MCR: CTS = RTS, DSR = DTR, RI = OUT1, DCD = OUT2.
 */
#define MSR_DCTS      0x01
#define MSR_DDSR      0x02
#define MSR_TERI      0x04
#define MSR_DDCD      0x08
#define MSR_CTS       0x10
#define MSR_DSR       0x20
#define MSR_RI        0x40
#define MSR_DCD       0x80
#define MSR_DELTAS    0x0f
#define MSR_INPUTS    0xf0
#define MSR_CONNECTED (MSR_CTS | MSR_DSR | MSR_DCD)

struct dev_uart {
	struct device dev; /* first: the VM handles every model as a device */
	uint16_t base;
	unsigned irq;
	int out_fd;   /* transmit here; -1: drop (also after a write error) */
	int in_fd;    /* receive from here; -1: none (also after EOF/error) */
	int tx_errno; /* first write error on out_fd, 0 if none */

	/* Registers as the guest sees them. */
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	uint8_t lsr_errors; /* sticky LSR error bits (OE only, here) */
	uint8_t msr;        /* inputs (high nibble) and deltas (low nibble) */
	bool fifo_enabled;  /* FCR bit 0 */
	uint8_t rx_trigger; /* bytes, from FCR bits 6-7 */
	bool thre_pending;  /* THR-empty interrupt condition */

	/* Receiver: a ring of UART_FIFO_SIZE bytes; capacity 1 in 16450 mode. */
	uint8_t rx[UART_FIFO_SIZE];
	unsigned rx_head, rx_count;
	uint8_t rbr; /* last byte read (what RBR shows when empty) */

	bool irq_level; /* the level this UART last put on its IRQ line */
};

/* ---- receiver FIFO ------------------------------------------------------ */

/* How many bytes the receiver holds: the FIFO, or the 16450's single
 * holding register when FIFOs are off. */
static unsigned rx_capacity(const struct dev_uart *u)
{
	return u->fifo_enabled ? UART_FIFO_SIZE : 1;
}

/* Empty the receiver (FCR reset, or a change of FIFO mode). */
static void rx_clear(struct dev_uart *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

/* A byte completed on the receiver's input.  When there is no room it is
 * an overrun: the FIFO keeps its bytes and loses the new one; the 16450
 * holding register is overwritten by it.  Either way LSR.OE is set. */
static void rx_push(struct dev_uart *u, uint8_t byte)
{
	if (u->rx_count == rx_capacity(u)) {
		u->lsr_errors |= LSR_OE;
		if (!u->fifo_enabled)
			u->rx[u->rx_head] = byte;
		return;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = byte;
	u->rx_count++;
}

/* The oldest received byte, or the last one read if the FIFO is empty. */
static uint8_t rx_pop(struct dev_uart *u)
{
	if (u->rx_count > 0) {
		u->rbr = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
		u->rx_count--;
	}
	return u->rbr;
}

/* ---- host side: input and output fds ---------------------------------- */

/* Move what in_fd has ready into the FIFO, never more than fits and never
 * blocking (a zero-timeout poll first).  EOF or an error closes the input
 * for good (the fd itself belongs to the caller of dev_uart_create). */
static void uart_fill_from_fd(struct dev_uart *u)
{
	uint8_t buf[UART_FIFO_SIZE];
	unsigned room = rx_capacity(u) - u->rx_count;
	struct pollfd pfd = {.fd = u->in_fd, .events = POLLIN};
	ssize_t n;

	if (u->in_fd < 0 || room == 0 || (u->mcr & MCR_LOOP))
		return;
	if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	n = read(u->in_fd, buf, room);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		u->in_fd = -1;
		return;
	}
	for (ssize_t i = 0; i < n; i++)
		rx_push(u, buf[i]);
}

/* Write all of buf to fd, riding out EINTR, partial writes and a
 * non-blocking fd.  0 or -errno. */
static int write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};
			(void)poll(&pfd, 1, -1);
			continue;
		}
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One transmitted byte leaves on the wire (out_fd). */
static void uart_output(struct dev_uart *u, uint8_t byte)
{
	int r;

	if (u->out_fd < 0)
		return;
	r = write_all(u->out_fd, &byte, 1);
	if (r) {
		u->tx_errno = -r;
		u->out_fd = -1;
	}
}

/* ---- interrupts --------------------------------------------------------- */

/* The highest-priority enabled source, as IIR bits 3..0 (IIR_NONE if none). */
static uint8_t uart_pending_source(const struct dev_uart *u)
{
	if ((u->ier & IER_ELSI) && (u->lsr_errors & LSR_ERRORS))
		return IIR_RLS;
	if ((u->ier & IER_ERBFI) && u->rx_count > 0) {
		if (u->fifo_enabled && u->rx_count < u->rx_trigger)
			return IIR_TIMEOUT;
		return IIR_RDA;
	}
	if ((u->ier & IER_ETBEI) && u->thre_pending)
		return IIR_THRE;
	if ((u->ier & IER_EDSSI) && (u->msr & MSR_DELTAS))
		return IIR_MSI;
	return IIR_NONE;
}

/* Bring the IRQ line and the fd the core waits on in line with the state.
 * Call after anything that may change either; cheap when nothing changed. */
static void uart_update(struct dev_uart *u)
{
	bool level = uart_pending_source(u) != IIR_NONE && (u->mcr & MCR_OUT2) &&
	             !(u->mcr & MCR_LOOP);
	bool want_input =
	    u->in_fd >= 0 && !(u->mcr & MCR_LOOP) && u->rx_count < rx_capacity(u);

	if (level != u->irq_level) {
		u->irq_level = level;
		vm_set_irq(u->dev.vm, u->irq, level);
	}
	u->dev.wait_fd = want_input ? u->in_fd : -1;
}

/* ---- modem lines -------------------------------------------------------- */

/* What the modem inputs (MSR high nibble) are for the current MCR. */
static uint8_t uart_modem_inputs(const struct dev_uart *u)
{
	uint8_t in = 0;

	if (!(u->mcr & MCR_LOOP))
		return MSR_CONNECTED;
	if (u->mcr & MCR_RTS)
		in |= MSR_CTS;
	if (u->mcr & MCR_DTR)
		in |= MSR_DSR;
	if (u->mcr & MCR_OUT1)
		in |= MSR_RI;
	if (u->mcr & MCR_OUT2)
		in |= MSR_DCD;
	return in;
}

/* Latch new modem inputs, recording which changed in the delta bits. */
static void uart_set_modem_inputs(struct dev_uart *u, uint8_t in)
{
	uint8_t old = u->msr & MSR_INPUTS;
	uint8_t changed = old ^ in;

	if (changed & MSR_CTS)
		u->msr |= MSR_DCTS;
	if (changed & MSR_DSR)
		u->msr |= MSR_DDSR;
	if ((old & MSR_RI) && !(in & MSR_RI))
		u->msr |= MSR_TERI;
	if (changed & MSR_DCD)
		u->msr |= MSR_DDCD;
	u->msr = (uint8_t)((u->msr & MSR_DELTAS) | in);
}

/* ---- register writes ---------------------------------------------------- */

/* THR: the byte goes out at once (or loops back to the receiver).  THR
 * becomes non-empty and empty again, so the THRE interrupt condition
 * drops and rises: the IRQ line pulses, giving an edge-triggered PIC a
 * fresh edge per byte, as a real UART's would. */
static void uart_transmit(struct dev_uart *u, uint8_t byte)
{
	u->thre_pending = false;
	uart_update(u);
	if (u->mcr & MCR_LOOP)
		rx_push(u, byte);
	else
		uart_output(u, byte);
	u->thre_pending = true;
}

/* IER: enabling the THRE interrupt while THR is empty (always, here)
 * raises it at once; drivers rely on this to start transmission. */
static void uart_write_ier(struct dev_uart *u, uint8_t val)
{
	val &= IER_MASK;
	if ((val & IER_ETBEI) && !(u->ier & IER_ETBEI))
		u->thre_pending = true;
	u->ier = val;
}

/* FCR: FIFO enable, FIFO resets and the receive trigger level. */
static void uart_write_fcr(struct dev_uart *u, uint8_t val)
{
	static const uint8_t triggers[4] = {1, 4, 8, 14};
	bool enable = val & FCR_ENABLE;

	if (enable != u->fifo_enabled) {
		rx_clear(u); /* switching modes empties the FIFOs */
		u->fifo_enabled = enable;
	}
	if (!enable)
		return; /* bits 1-7 are only programmed together with bit 0 */
	if (val & FCR_RX_RESET)
		rx_clear(u);
	/* FCR_TX_RESET: the transmitter is always empty, nothing to clear. */
	u->rx_trigger = triggers[val >> FCR_TRIGGER_SHIFT];
}

/* MCR: entering or leaving loopback rewires the modem inputs. */
static void uart_write_mcr(struct dev_uart *u, uint8_t val)
{
	u->mcr = val & MCR_MASK;
	uart_set_modem_inputs(u, uart_modem_inputs(u));
}

/* A guest write of one byte to register `reg` (0..7). */
static void uart_write_reg(struct dev_uart *u, unsigned reg, uint8_t val)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case UART_THR:
		if (dlab)
			u->dll = val;
		else
			uart_transmit(u, val);
		break;
	case UART_IER:
		if (dlab)
			u->dlm = val;
		else
			uart_write_ier(u, val);
		break;
	case UART_FCR:
		uart_write_fcr(u, val);
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		uart_write_mcr(u, val);
		break;
	case UART_SCR:
		u->scr = val;
		break;
	default:
		break; /* LSR and MSR are read only */
	}
}

/* ---- register reads ----------------------------------------------------- */

/* IIR: reading it when THR-empty is the reported source clears that. */
static uint8_t uart_read_iir(struct dev_uart *u)
{
	uint8_t src = uart_pending_source(u);

	if (src == IIR_THRE)
		u->thre_pending = false;
	return (uint8_t)(src | (u->fifo_enabled ? IIR_FIFO_BITS : 0));
}

/* LSR: reading it clears the sticky error bits (and so the line status
 * interrupt).  A polling guest looks here first, so an empty FIFO is
 * topped up from in_fd without waiting for the core. */
static uint8_t uart_read_lsr(struct dev_uart *u)
{
	uint8_t lsr = LSR_THRE | LSR_TEMT | u->lsr_errors;

	if (u->rx_count == 0)
		uart_fill_from_fd(u);
	if (u->rx_count > 0)
		lsr |= LSR_DR;
	u->lsr_errors = 0;
	return lsr;
}

/* MSR: reading it clears the delta bits (and so the modem interrupt). */
static uint8_t uart_read_msr(struct dev_uart *u)
{
	uint8_t msr = u->msr;

	u->msr &= MSR_INPUTS;
	return msr;
}

/* RBR: the oldest received byte; like LSR, looks at in_fd when empty. */
static uint8_t uart_read_rbr(struct dev_uart *u)
{
	if (u->rx_count == 0)
		uart_fill_from_fd(u);
	return rx_pop(u);
}

/* A guest read of one byte from register `reg` (0..7). */
static uint8_t uart_read_reg(struct dev_uart *u, unsigned reg)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case UART_RBR:
		return dlab ? u->dll : uart_read_rbr(u);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		return uart_read_iir(u);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return uart_read_lsr(u);
	case UART_MSR:
		return uart_read_msr(u);
	default:
		return u->scr;
	}
}

/* ---- the device --------------------------------------------------------- */

/* Bus handler: each byte of the access is one register, in order. */
static int uart_io(void *dev, struct vcpu *vcpu, uint64_t offset, void *data,
                   unsigned len, bool is_write)
{
	struct dev_uart *u = dev;
	uint8_t *bytes = data;

	(void)vcpu;
	if (offset + len > UART_NR_REGS)
		return -ERANGE; /* the bus already refuses this */
	for (unsigned i = 0; i < len; i++) {
		unsigned reg = (unsigned)offset + i;
		if (is_write)
			uart_write_reg(u, reg, bytes[i]);
		else
			bytes[i] = uart_read_reg(u, reg);
		uart_update(u);
	}
	return 0;
}

/* The core saw in_fd readable while the guest idled. */
static void uart_on_ready(struct device *dev)
{
	struct dev_uart *u = (struct dev_uart *)dev;

	uart_fill_from_fd(u);
	uart_update(u);
}

/* Free the model (the VM calls this; the fds belong to the caller). */
static void uart_destroy(struct device *dev)
{
	free(dev);
}

/* Power-on state (16550A data sheet, "Reset"): everything 0 except LSR
 * (transmitter empty) and IIR (nothing pending).  The divisor is undefined
 * on a real chip; we start at 1 (115200 baud). */
static void uart_reset(struct dev_uart *u)
{
	u->ier = 0;
	u->lcr = 0;
	u->mcr = 0;
	u->scr = 0;
	u->dll = 1;
	u->dlm = 0;
	u->lsr_errors = 0;
	u->msr = uart_modem_inputs(u); /* no deltas at power-on */
	u->fifo_enabled = false;
	u->rx_trigger = 1;
	u->thre_pending = false;
	rx_clear(u);
	u->rbr = 0;
	u->irq_level = false;
}

/* See devices.h.  -EINVAL for an IRQ the VM does not have, -EEXIST if the
 * ports are taken, -ENOSPC/-ENOMEM. */
int dev_uart_create(struct vm *vm, uint16_t base, unsigned irq, int out_fd, int in_fd,
                    struct dev_uart **out)
{
	struct dev_uart *u;
	int r;

	if (irq >= VM_NR_IRQS)
		return -EINVAL;
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->dev.name = "uart16550";
	u->dev.on_ready = uart_on_ready;
	u->dev.destroy = uart_destroy;
	u->base = base;
	u->irq = irq;
	u->out_fd = out_fd;
	u->in_fd = in_fd;
	uart_reset(u);
	u->dev.wait_fd = in_fd;

	/* Hand it to the VM first: from then on the VM owns it, so a failed
	 * bus registration below leaves nothing dangling. */
	r = vm_add_device(vm, &u->dev);
	if (r) {
		free(u);
		return r;
	}
	r = bus_register(&vm->pio, base, UART_NR_REGS, uart_io, u, u->dev.name);
	if (r) {
		u->in_fd = -1; /* unreachable by the guest: never poll for it */
		u->dev.wait_fd = -1;
		return r;
	}
	if (out)
		*out = u;
	return 0;
}

/* See devices.h.  Bytes beyond the receiver's room overrun (LSR.OE), as on
 * a real line; in loopback mode the line is disconnected and they are lost. */
void dev_uart_receive(struct dev_uart *uart, const uint8_t *bytes, size_t n)
{
	if (uart->mcr & MCR_LOOP)
		return; /* loopback disconnects the receiver from the line */
	for (size_t i = 0; i < n; i++)
		rx_push(uart, bytes[i]);
	uart_update(uart);
}
