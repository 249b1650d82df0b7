/*
 * i8259.c - the PC's two 8259A programmable interrupt controllers.
 *
 * Every legacy IRQ line of the board ends here.  Devices move their lines
 * with vm_set_irq(); the core asks before every run which vector the CPU
 * should take (irqchip_pending) and, once the engine has injected it, runs
 * the interrupt-acknowledge cycle (irqchip_ack).  The guest programs the
 * chips through six I/O ports.  Whatever engine runs the guest, the same
 * model decides what it gets.
 *
 *   device --vm_set_irq(n, level)--> pic_set_irq()
 *                                      |  IRQ 0-7: master IR0-7
 *                                      |  IRQ 8-15: slave IR0-7
 *                                      v
 *             +-----------+  INT   +-----------+  INT
 *   IRQ 8-15->|   slave   |------->IR2  master |-------> pic_pending(): vector
 *             | 0xa0-0xa1 |        | 0x20-0x21 |         the core injects it
 *             +-----------+        +-----------+         pic_ack(): INTA
 *                   ^                                      |
 *                   +--- INTA for IR2 (cascade) -----------+
 *
 * Inside one chip, per input line (8259A data sheet, "priority cell"):
 *
 *   IR line --+--> edge latch --+
 *             |   (rising edge) |        level mode (ICW1.LTIM or ELCR)
 *             |                 v              |
 *             +------------> AND(line, edge OR level) --> IRR
 *                                                          |
 *        IMR (OCW1) --------------------------- mask ------+
 *                                                          v
 *        ISR (in service) ---------------> priority resolver --> INT latch
 *
 * Registers as the guest sees them:
 *
 *   port        write                           read
 *   0x20/0xa0   ICW1 (bit 4 = 1)                IRR or ISR (OCW3 selects),
 *               OCW3 (bits 4,3 = 0,1)           or the poll word after an
 *               OCW2 (bits 4,3 = 0,0)           OCW3 poll command
 *   0x21/0xa1   ICW2..ICW4 during initialisation,  IMR
 *               OCW1 (IMR) afterwards
 *   0x4d0/0x4d1 ELCR: 1 = level-triggered input    ELCR
 *
 * Initialisation is a short dialogue (the state is pic_chip.step):
 *
 *               ICW1 on the command port (from any state)
 *                             |
 *                             v
 *                      +-------------+
 *                      |  WAIT_ICW2  |
 *                      +-------------+
 *                             | ICW2: vector base
 *         cascade (SNGL = 0)  |  single (SNGL = 1)
 *               +-------------+--------------+
 *               v                            |
 *        +-------------+                     |
 *        |  WAIT_ICW3  |                     |
 *        +-------------+                     |
 *               | ICW3: wiring               |
 *               +-------------+--------------+
 *          ICW4 wanted        |       no ICW4
 *          (IC4 = 1)          |       (IC4 = 0)
 *               +-------------+--------------+
 *               v                            |
 *        +-------------+                     |
 *        |  WAIT_ICW4  |                     |
 *        +-------------+                     |
 *               | ICW4: mode                 |
 *               +-------------+--------------+
 *                             v
 *                      +-------------+  data port: OCW1 (the IMR)
 *                      |    READY    |  command port: OCW2, OCW3
 *                      +-------------+
 *
 * Choices where the data sheet leaves room or a PC differs from it:
 *  - The INT output is a latch: it rises when the resolver finds a
 *    request that may interrupt, and falls only at the acknowledge (or a
 *    poll, or ICW1).  If the request goes away meanwhile (its line
 *    dropped, or the guest masked it), the acknowledge finds nothing and
 *    the chip answers with its IR7 vector without setting an ISR bit: a
 *    spurious interrupt.  A request on the slave that goes away leaves
 *    the slave's INT, and so the master's IR2, asserted: the master puts
 *    IR2 in service and the slave answers with its IR7 vector (the
 *    "spurious IRQ 15" a guest must EOI on the master only).
 *  - An edge-triggered request needs the line to stay high until the
 *    acknowledge: a line that falls forgets its edge (data sheet: "the IR
 *    input must remain high until after the falling edge of the first
 *    INTA").
 *  - Power-on is the state a PC BIOS leaves behind, with every line
 *    masked: master vectors 0x08-0x0f, slave 0x70-0x77, cascade on IR2,
 *    8086 mode, edge triggered.  A guest that never programs the PIC gets
 *    no interrupts.
 *  - ICW1 also clears ISR (the data sheet lists what ICW1 resets and says
 *    nothing of ISR); a kernel that re-initialises the PIC starts clean.
 *  - 8080/8085 mode (ICW4.uPM = 0, also implied by a missing ICW4) is
 *    recorded but changes nothing: an x86 CPU reads the vector byte either
 *    way.  Buffered mode and the call address interval are ignored.
 *  - IRQ 2 on the ISA bus is wired to the slave's IR1 (IRQ 9) on every AT,
 *    since the master's IR2 carries the cascade: vm_set_irq(vm, 2, ...)
 *    drives IRQ 9.
 *  - ELCR (0x4d0 master, 0x4d1 slave) is PIIX-style: IRQ 0, 1, 2, 8 and
 *    13 are always edge triggered.  A line is level triggered if ELCR or
 *    ICW1.LTIM says so; "asserted" is vm_set_irq's level true, whatever
 *    the electrical polarity on a real board.
 *  - The cascade works as wired on a PC: only the master's IR2 has a
 *    slave behind it.  The master hands the acknowledge to the slave when
 *    its ICW3 marks the winning input as cascaded; the slave answers only
 *    if its ICW3 id is that input, otherwise nobody drives the data bus
 *    and the CPU reads 0xff.
 *  - A poll that finds no request returns 0 (bit 7 clear: "no interrupt").
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/vm.h"
#include "devices/device.h"
#include "devices/devices.h"

#define PIC_NR_INPUTS  8
#define PIC_NR_PORTS   2 /* command port, data port */
#define ELCR_NR_PORTS  2 /* master, slave */
#define PIC_CMD        0 /* offsets inside a chip's range */
#define PIC_DATA       1
#define PIC_IR_CASCADE 2    /* the master input the slave's INT drives */
#define PIC_IR_DEFAULT 7    /* the input a spurious acknowledge reports */
#define ISA_IRQ2       2    /* ISA IRQ 2 ... */
#define ISA_IRQ2_AT    9    /* ... is IRQ 9 on an AT */
#define VECTOR_NOBODY  0xff /* data bus not driven during INTA */

enum { PIC_MASTER = 0, PIC_SLAVE = 1 };

/*
 * ICW1 - command port, bit 4 set: start initialisation
 *    7   6   5    4     3      2     1      0
 * +-----------+-----+------+-----+------+-----+
 * | A7-A5     |  1  | LTIM | ADI | SNGL | IC4 |
 * | (8080)    |     |      |     |      |     |
 * +-----------+-----+------+-----+------+-----+
 * LTIM: level-triggered inputs.  SNGL: no slave (no ICW3).
 * IC4: an ICW4 follows.  ADI and A7-A5 only mean something in 8080 mode.
 */
#define ICW1_IC4  0x01
#define ICW1_SNGL 0x02
#define ICW1_LTIM 0x08
#define ICW1_INIT 0x10

/*
 * ICW2 - data port: vector base.  In 8086 mode bits 7-3 are the vector of
 * IR0; the chip fills bits 2-0 with the input number.
 */
#define ICW2_BASE_MASK 0xf8

/*
 * ICW3 - data port, cascade mode only.
 *   master: bit n = 1 when a slave hangs on IRn.
 *   slave:  bits 2-0 = which master input the slave is wired to (its id).
 */
#define ICW3_SLAVE_ID_MASK 0x07

/*
 * ICW4 - data port, when ICW1.IC4 asked for it
 *    7   6   5     4     3     2     1      0
 * +-----------+------+-----+-----+------+-----+
 * |     0     | SFNM | BUF | M/S | AEOI | uPM |
 * +-----------+------+-----+-----+------+-----+
 * uPM: 8086 mode.  AEOI: the acknowledge ends the interrupt itself.
 * SFNM: special fully nested mode (a master lets a cascaded input
 * interrupt its own service routine).  BUF, M/S: buffered mode (ignored).
 */
#define ICW4_UPM  0x01
#define ICW4_AEOI 0x02
#define ICW4_SFNM 0x10

/*
 * OCW2 - command port, bits 4,3 = 0,0: end of interrupt and priority
 *    7   6    5     4   3    2   1   0
 * +---+----+-----+---+---+------------+
 * | R | SL | EOI | 0 | 0 | L2  L1  L0 |
 * +---+----+-----+---+---+------------+
 *  R SL EOI
 *  0  0  1   non-specific EOI: end the highest-priority ISR bit
 *  0  1  1   specific EOI: end ISR bit L
 *  1  0  1   rotate on non-specific EOI: ...and make it lowest priority
 *  1  1  1   rotate on specific EOI
 *  1  0  0   set rotate in AEOI mode      0 0 0  clear rotate in AEOI mode
 *  1  1  0   set priority: L becomes the lowest priority
 *  0  1  0   no operation
 */
#define OCW2_LEVEL_MASK  0x07
#define OCW2_CMD_SHIFT   5
#define OCW2_EOI         1 /* R SL EOI, shifted down */
#define OCW2_SPECIFIC    3
#define OCW2_ROTATE_EOI  5
#define OCW2_ROTATE_SPEC 7
#define OCW2_ROTATE_AEOI 4
#define OCW2_CLEAR_RAEOI 0
#define OCW2_SET_PRIO    6
#define OCW2_NOP         2

/*
 * OCW3 - command port, bits 4,3 = 0,1
 *    7    6      5     4   3   2    1    0
 * +---+------+-----+---+---+---+----+-----+
 * | 0 | ESMM | SMM | 0 | 1 | P | RR | RIS |
 * +---+------+-----+---+---+---+----+-----+
 * ESMM/SMM: enable/set special mask mode.  P: the next read is a poll.
 * RR/RIS: command-port reads return ISR (RIS=1) or IRR (RIS=0).
 */
#define OCW3_RIS  0x01
#define OCW3_RR   0x02
#define OCW3_POLL 0x04
#define OCW3_SEL  0x08
#define OCW3_SMM  0x20
#define OCW3_ESMM 0x40

/* The poll word: bit 7 = a request was found, bits 2-0 = its input. */
#define POLL_REQUEST 0x80

/* ELCR bits that can be set (the others are edge-only inputs). */
#define ELCR_MASTER_WRITABLE 0xf8 /* not IRQ 0, 1, 2 */
#define ELCR_SLAVE_WRITABLE  0xde /* not IRQ 8, 13 */

/* Power-on: what a PC BIOS programs, everything masked. */
#define POWER_ON_MASTER_BASE 0x08
#define POWER_ON_SLAVE_BASE  0x70
#define MASK_ALL             0xff

enum pic_init_step {
	PIC_READY,     /* initialised: the data port is the IMR */
	PIC_WAIT_ICW2, /* ICW1 seen */
	PIC_WAIT_ICW3,
	PIC_WAIT_ICW4,
};

struct dev_pic;

/* One 8259A. */
struct pic_chip {
	struct dev_pic *pair;
	bool is_master;

	/* Inputs. */
	uint8_t lines; /* level of each IR input now */
	uint8_t edges; /* rising edge seen, not yet acknowledged (line still high) */
	uint8_t elcr;  /* level-triggered inputs (ELCR) */
	uint8_t elcr_writable;

	/* Registers. */
	uint8_t imr;  /* 1 = masked */
	uint8_t isr;  /* in service */
	bool int_out; /* INT output (a latch, see the top of the file) */

	/* Initialisation words. */
	enum pic_init_step step;
	bool ltim;      /* ICW1: all inputs level triggered */
	bool single;    /* ICW1: no cascade */
	bool want_icw4; /* ICW1 */
	uint8_t base;   /* ICW2: vector of IR0 */
	uint8_t icw3;   /* master: inputs with a slave; slave: its id */
	bool mode_8086; /* ICW4 */
	bool aeoi;      /* ICW4 */
	bool sfnm;      /* ICW4 */

	/* Operation command words. */
	uint8_t lowest;      /* input with the lowest priority (7: fixed order) */
	bool rotate_on_aeoi; /* OCW2 */
	bool special_mask;   /* OCW3 */
	bool read_isr;       /* OCW3: command-port reads give ISR, not IRR */
	bool poll;           /* OCW3: the next read is a poll */
};

struct dev_pic {
	struct device dev; /* first: the VM handles every model as a device */
	struct pic_chip chip[2];
};

/* What one interrupt-acknowledge cycle does; see pic_plan_inta(). */
struct pic_inta {
	int master_ir; /* input the master puts in service, -1: spurious */
	int slave_ir;  /* same for the slave, -1: spurious or not involved */
	bool to_slave; /* the slave answers this cycle */
	uint8_t vector;
};

/* ---- requests and priorities ------------------------------------------ */

/* The IRR/ISR/IMR bit of input ir (0-7). */
static uint8_t bit(int ir)
{
	return (uint8_t)(1u << ir);
}

/* Inputs that are level triggered. */
static uint8_t pic_level_inputs(const struct pic_chip *c)
{
	return c->ltim ? MASK_ALL : c->elcr;
}

/* IRR: inputs requesting service now (masked or not). */
static uint8_t pic_irr(const struct pic_chip *c)
{
	return (uint8_t)(c->edges | (c->lines & pic_level_inputs(c)));
}

/* Priority rank of input ir: 0 is the highest, 7 the lowest. */
static unsigned pic_rank(const struct pic_chip *c, int ir)
{
	return (unsigned)(ir - c->lowest - 1) & (PIC_NR_INPUTS - 1);
}

/* The input of highest priority among `bits`, or -1 if there is none. */
static int pic_highest(const struct pic_chip *c, uint8_t bits)
{
	for (unsigned rank = 0; rank < PIC_NR_INPUTS; rank++) {
		int ir = (int)((c->lowest + 1 + rank) & (PIC_NR_INPUTS - 1));
		if (bits & bit(ir))
			return ir;
	}
	return -1;
}

/* Is input ir of this master wired to a slave, as ICW3 says? */
static bool pic_is_cascade(const struct pic_chip *c, int ir)
{
	return c->is_master && !c->single && (c->icw3 & bit(ir));
}

/*
 * The priority resolver: the input that may interrupt now, or -1.  It is
 * the highest-priority unmasked request, if that ranks above everything
 * in service.  In special mask mode, masked inputs in service do not hold
 * back others.  In special fully nested mode a cascaded input may
 * interrupt its own service (a higher-priority slave request).
 * Changes nothing.
 */
static int pic_resolve(const struct pic_chip *c)
{
	uint8_t in_service = c->special_mask ? (uint8_t)(c->isr & ~c->imr) : c->isr;
	int req = pic_highest(c, (uint8_t)(pic_irr(c) & ~c->imr));
	int busy = pic_highest(c, in_service);

	if (req < 0 || busy < 0)
		return req;
	if (pic_rank(c, req) < pic_rank(c, busy))
		return req;
	if (c->sfnm && req == busy && pic_is_cascade(c, req))
		return req;
	return -1;
}

/* ---- input lines --------------------------------------------------------- */

/* Drive input ir of chip c.  A rising edge is remembered until the
 * acknowledge; a falling line forgets it (see the top of the file). */
static void pic_set_line(struct pic_chip *c, int ir, bool level)
{
	uint8_t b = bit(ir);

	if (level && !(c->lines & b))
		c->edges |= b;
	if (!level)
		c->edges &= (uint8_t)~b;
	c->lines = level ? (uint8_t)(c->lines | b) : (uint8_t)(c->lines & ~b);
}

/*
 * Re-evaluate both INT outputs after any change of state.  The slave's
 * INT is the master's IR2.  INT latches high when the resolver finds a
 * request; only an acknowledge, a poll or ICW1 lowers it.
 */
static void pic_update(struct dev_pic *p)
{
	struct pic_chip *master = &p->chip[PIC_MASTER], *slave = &p->chip[PIC_SLAVE];

	if (pic_resolve(slave) >= 0)
		slave->int_out = true;
	pic_set_line(master, PIC_IR_CASCADE, slave->int_out);
	if (pic_resolve(master) >= 0)
		master->int_out = true;
}

/* ---- acknowledge and end of interrupt -------------------------------- */

/* Input ir of chip c is acknowledged: its edge is consumed and it goes in
 * service, or with AEOI ends at once (and may rotate priorities). */
static void pic_service(struct pic_chip *c, int ir)
{
	c->edges &= (uint8_t)~bit(ir);
	if (!c->aeoi)
		c->isr |= bit(ir);
	else if (c->rotate_on_aeoi)
		c->lowest = (uint8_t)ir;
}

/* The vector chip c gives for input ir (or for a spurious IR7). */
static uint8_t pic_vector(const struct pic_chip *c, int ir)
{
	return (uint8_t)(c->base | (ir < 0 ? PIC_IR_DEFAULT : ir));
}

/*
 * What an acknowledge would do now, without doing it: which inputs go in
 * service on each chip and which vector the CPU reads.  pic_pending()
 * reports the vector, pic_ack() carries the plan out.
 */
static struct pic_inta pic_plan_inta(const struct dev_pic *p)
{
	const struct pic_chip *master = &p->chip[PIC_MASTER];
	const struct pic_chip *slave = &p->chip[PIC_SLAVE];
	struct pic_inta a = {.master_ir = pic_resolve(master), .slave_ir = -1};

	if (a.master_ir < 0 || !pic_is_cascade(master, a.master_ir)) {
		a.vector = pic_vector(master, a.master_ir);
		return a;
	}
	/* The master names the cascaded input on CAS0-2; the slave with that
	 * id answers.  The only slave is the one on IR2. */
	if ((slave->icw3 & ICW3_SLAVE_ID_MASK) != a.master_ir ||
	    a.master_ir != PIC_IR_CASCADE || slave->single) {
		a.vector = VECTOR_NOBODY;
		return a;
	}
	a.to_slave = true;
	a.slave_ir = pic_resolve(slave);
	a.vector = pic_vector(slave, a.slave_ir);
	return a;
}

/* Carry out an acknowledge planned by pic_plan_inta(). */
static void pic_do_inta(struct dev_pic *p, const struct pic_inta *a)
{
	struct pic_chip *master = &p->chip[PIC_MASTER], *slave = &p->chip[PIC_SLAVE];

	master->int_out = false;
	if (a->master_ir >= 0)
		pic_service(master, a->master_ir);
	if (a->to_slave) {
		slave->int_out = false;
		if (a->slave_ir >= 0)
			pic_service(slave, a->slave_ir);
	}
	pic_update(p);
}

/* OCW2 EOI: end input ir's service, rotating if asked to. */
static void pic_end(struct pic_chip *c, int ir, bool rotate)
{
	if (ir < 0)
		return; /* a non-specific EOI with nothing in service */
	c->isr &= (uint8_t)~bit(ir);
	if (rotate)
		c->lowest = (uint8_t)ir;
}

/* ---- guest writes ---------------------------------------------------------- */

/* ICW1: reset the chip and start the initialisation dialogue. */
static void pic_write_icw1(struct pic_chip *c, uint8_t val)
{
	c->step = PIC_WAIT_ICW2;
	c->ltim = val & ICW1_LTIM;
	c->single = val & ICW1_SNGL;
	c->want_icw4 = val & ICW1_IC4;
	/* What ICW1 resets, per the data sheet (and ISR, see the top). */
	c->edges = 0;
	c->imr = 0;
	c->isr = 0;
	c->int_out = false;
	c->lowest = PIC_IR_DEFAULT;
	c->icw3 = c->is_master ? 0 : PIC_IR_DEFAULT; /* slave address 7 */
	c->special_mask = false;
	c->read_isr = false;
	c->poll = false;
	c->rotate_on_aeoi = false;
	if (!c->want_icw4) {
		c->mode_8086 = false;
		c->aeoi = false;
		c->sfnm = false;
	}
}

/* ICW2..ICW4 and OCW1: what a data-port write means depends on the step. */
static void pic_write_data(struct pic_chip *c, uint8_t val)
{
	switch (c->step) {
	case PIC_WAIT_ICW2:
		c->base = val & ICW2_BASE_MASK;
		if (!c->single)
			c->step = PIC_WAIT_ICW3;
		else
			c->step = c->want_icw4 ? PIC_WAIT_ICW4 : PIC_READY;
		break;
	case PIC_WAIT_ICW3:
		c->icw3 = c->is_master ? val : (uint8_t)(val & ICW3_SLAVE_ID_MASK);
		c->step = c->want_icw4 ? PIC_WAIT_ICW4 : PIC_READY;
		break;
	case PIC_WAIT_ICW4:
		c->mode_8086 = val & ICW4_UPM;
		c->aeoi = val & ICW4_AEOI;
		c->sfnm = val & ICW4_SFNM;
		c->step = PIC_READY;
		break;
	case PIC_READY:
		c->imr = val; /* OCW1 */
		break;
	}
}

/* OCW2: end of interrupt, rotation, priority. */
static void pic_write_ocw2(struct pic_chip *c, uint8_t val)
{
	int level = val & OCW2_LEVEL_MASK;

	switch (val >> OCW2_CMD_SHIFT) {
	case OCW2_EOI:
		pic_end(c, pic_highest(c, c->isr), false);
		break;
	case OCW2_ROTATE_EOI:
		pic_end(c, pic_highest(c, c->isr), true);
		break;
	case OCW2_SPECIFIC:
		pic_end(c, level, false);
		break;
	case OCW2_ROTATE_SPEC:
		pic_end(c, level, true);
		break;
	case OCW2_ROTATE_AEOI:
		c->rotate_on_aeoi = true;
		break;
	case OCW2_CLEAR_RAEOI:
		c->rotate_on_aeoi = false;
		break;
	case OCW2_SET_PRIO:
		c->lowest = (uint8_t)level;
		break;
	case OCW2_NOP:
		break;
	}
}

/* OCW3: special mask mode, poll, which register the command port reads. */
static void pic_write_ocw3(struct pic_chip *c, uint8_t val)
{
	if (val & OCW3_ESMM)
		c->special_mask = val & OCW3_SMM;
	if (val & OCW3_POLL)
		c->poll = true;
	if (val & OCW3_RR)
		c->read_isr = val & OCW3_RIS;
}

/* A guest write of one byte to port `reg` (PIC_CMD or PIC_DATA). */
static void pic_write(struct pic_chip *c, unsigned reg, uint8_t val)
{
	if (reg == PIC_DATA)
		pic_write_data(c, val);
	else if (val & ICW1_INIT)
		pic_write_icw1(c, val);
	else if (val & OCW3_SEL)
		pic_write_ocw3(c, val);
	else
		pic_write_ocw2(c, val);
	pic_update(c->pair);
}

/* ---- guest reads ------------------------------------------------------------ */

/* The poll command's read: an acknowledge without a vector. */
static uint8_t pic_read_poll(struct pic_chip *c)
{
	int ir = pic_resolve(c);

	c->poll = false;
	c->int_out = false;
	if (ir >= 0)
		pic_service(c, ir);
	pic_update(c->pair);
	return ir < 0 ? 0 : (uint8_t)(POLL_REQUEST | ir);
}

/* A guest read of one byte from port `reg`. */
static uint8_t pic_read(struct pic_chip *c, unsigned reg)
{
	if (c->poll)
		return pic_read_poll(c); /* either port: "the next RD pulse" */
	if (reg == PIC_DATA)
		return c->imr;
	return c->read_isr ? c->isr : pic_irr(c);
}

/* ---- the device --------------------------------------------------------- */

/* Bus handler for one chip's two ports; each byte is one port, in order. */
static int pic_io(void *dev, struct vcpu *vcpu, uint64_t offset, void *data, unsigned len,
                  bool is_write)
{
	struct pic_chip *c = dev;
	uint8_t *bytes = data;

	if (offset + len > PIC_NR_PORTS)
		return -ERANGE; /* the bus already refuses this */
	for (unsigned i = 0; i < len; i++) {
		if (is_write)
			pic_write(c, (unsigned)offset + i, bytes[i]);
		else
			bytes[i] = pic_read(c, (unsigned)offset + i);
	}
	return 0;
}

/* Bus handler for ELCR: byte 0 is the master's, byte 1 the slave's. */
static int elcr_io(void *dev, struct vcpu *vcpu, uint64_t offset, void *data,
                   unsigned len, bool is_write)
{
	struct dev_pic *p = dev;
	uint8_t *bytes = data;

	if (offset + len > ELCR_NR_PORTS)
		return -ERANGE;
	for (unsigned i = 0; i < len; i++) {
		struct pic_chip *c = &p->chip[offset + i];
		if (is_write)
			c->elcr = bytes[i] & c->elcr_writable;
		else
			bytes[i] = c->elcr;
	}
	if (is_write)
		pic_update(p);
	return 0;
}

/* vm->irqchip_set_irq: a device moved legacy IRQ line `irq`. */
static void pic_set_irq(void *opaque, unsigned irq, bool level)
{
	struct dev_pic *p = opaque;

	if (irq == ISA_IRQ2)
		irq = ISA_IRQ2_AT;
	if (irq >= 2 * PIC_NR_INPUTS)
		return;
	pic_set_line(&p->chip[irq / PIC_NR_INPUTS], (int)(irq % PIC_NR_INPUTS), level);
	pic_update(p);
}

/* vm->irqchip_pending: the vector the CPU would read if it acknowledged
 * now, or -1 while the master's INT is low.  Changes nothing. */
static int pic_pending(void *opaque)
{
	const struct dev_pic *p = opaque;

	if (!p->chip[PIC_MASTER].int_out)
		return -1;
	return pic_plan_inta(p).vector;
}

/* vm->irqchip_ack: the interrupt-acknowledge cycle.  It works on the state
 * at this moment; the core calls it right after pic_pending() with nothing
 * in between, so `vector` is always what the plan gives. */
static void pic_ack(void *opaque, int vector)
{
	struct dev_pic *p = opaque;
	struct pic_inta a = pic_plan_inta(p);

	(void)vector;
	pic_do_inta(p, &a);
}

/* Power-on state of one chip (see the top of the file). */
static void pic_reset(struct pic_chip *c, struct dev_pic *pair, bool is_master)
{
	*c = (struct pic_chip){.pair = pair, .is_master = is_master};
	pic_write_icw1(c, ICW1_INIT | ICW1_IC4);
	c->base = is_master ? POWER_ON_MASTER_BASE : POWER_ON_SLAVE_BASE;
	c->icw3 = is_master ? bit(PIC_IR_CASCADE) : PIC_IR_CASCADE;
	c->mode_8086 = true;
	c->imr = MASK_ALL;
	c->step = PIC_READY;
	c->elcr_writable = is_master ? ELCR_MASTER_WRITABLE : ELCR_SLAVE_WRITABLE;
}

/* Free the model (the VM calls this). */
static void pic_destroy(struct device *dev)
{
	free(dev);
}

/* Claim the three port ranges.  0 or -errno. */
static int pic_register(struct vm *vm, struct dev_pic *p, uint16_t master, uint16_t slave,
                        uint16_t elcr)
{
	int r = bus_register(&vm->pio, master, PIC_NR_PORTS, pic_io, &p->chip[PIC_MASTER],
	                     "i8259 master");
	if (!r)
		r = bus_register(&vm->pio, slave, PIC_NR_PORTS, pic_io,
		                 &p->chip[PIC_SLAVE], "i8259 slave");
	if (!r)
		r = bus_register(&vm->pio, elcr, ELCR_NR_PORTS, elcr_io, p, "i8259 ELCR");
	return r;
}

/* See devices.h.  -EEXIST if the VM already has an interrupt controller
 * or a port is taken, -ENOSPC/-ENOMEM. */
int dev_pic_create(struct vm *vm, uint16_t master, uint16_t slave, uint16_t elcr,
                   struct dev_pic **out)
{
	struct dev_pic *p;
	int r;

	if (vm->irqchip)
		return -EEXIST;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->dev.name = "i8259";
	p->dev.wait_fd = -1;
	p->dev.destroy = pic_destroy;
	pic_reset(&p->chip[PIC_MASTER], p, true);
	pic_reset(&p->chip[PIC_SLAVE], p, false);
	/* Lines already up (a device made before us) are levels, not edges:
	 * at power-on there was no transition to see. */
	for (unsigned irq = 0; irq < VM_NR_IRQS; irq++)
		if (vm->irq_level & (1u << irq))
			pic_set_irq(p, irq, true);
	p->chip[PIC_MASTER].edges = 0;
	p->chip[PIC_SLAVE].edges = 0;
	r = vm_add_device(vm, &p->dev);
	if (r) {
		free(p);
		return r;
	}
	r = pic_register(vm, p, master, slave, elcr);
	if (r)
		return r; /* the VM owns p now and frees it */
	vm->irqchip = p;
	vm->irqchip_pending = pic_pending;
	vm->irqchip_ack = pic_ack;
	vm->irqchip_set_irq = pic_set_irq;
	if (out)
		*out = p;
	return 0;
}
