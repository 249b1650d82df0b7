/*
 * pic.c - the 8259A PIC pair (see pic.h).
 *
 * Initialisation is a fixed dialogue: ICW1 on the command port starts
 * it, then ICW2..ICW4 follow on the data port:
 *
 *   ICW1  0x11  edge triggered, cascade mode, ICW4 follows
 *   ICW2  base  vector of line 0 (master IRQ_BASE, slave IRQ_BASE + 8)
 *   ICW3  4/2   master: a slave on line 2 (bit mask); slave: its id is 2
 *   ICW4  0x01  8086 mode, normal (not automatic) EOI
 *
 * Afterwards the data port is the interrupt mask register (a set bit
 * blocks the line) and the command port takes OCW2 (EOI) and OCW3 (which
 * register a read of the command port returns).
 */
#include "pic.h"

#include <stdint.h>

#include "pio.h"
#include "trap.h"

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1

#define ICW1_INIT_ICW4 0x11
#define ICW3_MASTER    (1 << IRQ_CASCADE)
#define ICW3_SLAVE_ID  IRQ_CASCADE
#define ICW4_8086      0x01
#define OCW2_EOI       0x20 /* non-specific end of interrupt */
#define OCW3_READ_ISR  0x0b /* next command-port read: in-service reg */
#define MASK_ALL       0xff
#define IRQS_PER_PIC   8
#define SPURIOUS_LINE  7 /* the line a spurious IRQ shows up on */

/* Master mask, slave mask: what pic_unmask has let through so far. */
static uint8_t masks[2] = {MASK_ALL, MASK_ALL};

void pic_init(void)
{
	outb(PIC1_CMD, ICW1_INIT_ICW4);
	outb(PIC2_CMD, ICW1_INIT_ICW4);
	outb(PIC1_DATA, IRQ_BASE);
	outb(PIC2_DATA, IRQ_BASE + IRQS_PER_PIC);
	outb(PIC1_DATA, ICW3_MASTER);
	outb(PIC2_DATA, ICW3_SLAVE_ID);
	outb(PIC1_DATA, ICW4_8086);
	outb(PIC2_DATA, ICW4_8086);
	outb(PIC1_DATA, masks[0]);
	outb(PIC2_DATA, masks[1]);
}

void pic_unmask(unsigned int irq)
{
	if (irq >= IRQS_PER_PIC) {
		masks[1] &= (uint8_t) ~(1 << (irq - IRQS_PER_PIC));
		outb(PIC2_DATA, masks[1]);
		irq = IRQ_CASCADE; /* the slave's requests pass the master */
	}
	masks[0] &= (uint8_t) ~(1 << irq);
	outb(PIC1_DATA, masks[0]);
}

/* True when the PIC at `cmd_port` has line `line` in service. */
static bool in_service(uint16_t cmd_port, unsigned int line)
{
	outb(cmd_port, OCW3_READ_ISR);
	return (inb(cmd_port) >> line) & 1;
}

bool pic_ack(unsigned int irq)
{
	bool slave = irq >= IRQS_PER_PIC;
	unsigned int line = irq % IRQS_PER_PIC;

	if (line == SPURIOUS_LINE && !in_service(slave ? PIC2_CMD : PIC1_CMD, line)) {
		/* Spurious.  A spurious slave IRQ still went through the
		 * master's cascade line, which does want its EOI. */
		if (slave)
			outb(PIC1_CMD, OCW2_EOI);
		return false;
	}
	if (slave)
		outb(PIC2_CMD, OCW2_EOI);
	outb(PIC1_CMD, OCW2_EOI);
	return true;
}
