/*
 * test_pic.c - unit tests of the 8259A pair (devices/i8259.c).
 *
 * Each test builds a VM without an engine and puts the PIC pair on its
 * port bus.  The test plays both the guest (port reads and writes through
 * bus_access(), as the core does on an I/O exit) and the CPU: it asks
 * vm->irqchip_pending() which vector would be taken and runs the
 * acknowledge with vm->irqchip_ack(), exactly as the run loop does before
 * entering the guest.  Devices are played by vm_set_irq().
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

/* Ports and command words, spelled out from the data sheet (not taken
 * from the model) so that the tests check the model against it. */
#define MASTER_CMD  0x20
#define MASTER_DATA 0x21
#define SLAVE_CMD   0xa0
#define SLAVE_DATA  0xa1
#define ELCR_MASTER 0x4d0
#define ELCR_SLAVE  0x4d1

#define ICW1_INIT            0x10
#define ICW1_IC4             0x01
#define ICW1_SNGL            0x02
#define ICW1_LTIM            0x08
#define ICW4_8086            0x01
#define ICW4_AEOI            0x02
#define ICW4_SFNM            0x10
#define OCW2_EOI             0x20
#define OCW2_SEOI            0x60 /* | level */
#define OCW2_ROTATE_EOI      0xa0
#define OCW2_SET_PRIO        0xc0 /* | level */
#define OCW2_ROTATE_AEOI_ON  0x80
#define OCW2_ROTATE_AEOI_OFF 0x00
#define OCW3_READ_IRR        0x0a
#define OCW3_READ_ISR        0x0b
#define OCW3_POLL            0x0c
#define OCW3_SMM_ON          0x68
#define OCW3_SMM_OFF         0x48

#define MASTER_BASE 0x20
#define SLAVE_BASE  0x28
#define NONE        (-1)

/* ---- fixture: a VM with no engine and the PIC pair ---------------------- */

static struct vm *new_vm_with_pic(void)
{
	struct vm *vm = test_vm_new();

	assert_int_equal(dev_pic_create(vm, MASTER_CMD, SLAVE_CMD, ELCR_MASTER, NULL), 0);
	return vm;
}

static int setup(void **state)
{
	*state = new_vm_with_pic();
	return 0;
}

static int teardown(void **state)
{
	vm_destroy(*state);
	return 0;
}

/* The CPU side: what would be taken now, and taking it. */
static int pending(struct vm *vm)
{
	return vm->irqchip_pending(vm->irqchip);
}

/* Acknowledge as the run loop does; returns the vector taken. */
static int take(struct vm *vm)
{
	int v = pending(vm);

	assert_true(v >= 0);
	vm->irqchip_ack(vm->irqchip, v);
	return v;
}

static void irq(struct vm *vm, unsigned n, bool level)
{
	vm_set_irq(vm, n, level);
}

/* A device's edge: the line goes up (and stays up). */
static void raise_irq(struct vm *vm, unsigned n)
{
	irq(vm, n, true);
}

/* ICW1-ICW4 on both chips, the way PC kernels do it. */
static void init_pair(struct vm *vm, uint8_t master_base, uint8_t slave_base,
                      uint8_t icw1_extra, uint8_t icw4)
{
	test_outb(vm, MASTER_CMD, ICW1_INIT | ICW1_IC4 | icw1_extra);
	test_outb(vm, SLAVE_CMD, ICW1_INIT | ICW1_IC4 | icw1_extra);
	test_outb(vm, MASTER_DATA, master_base);
	test_outb(vm, SLAVE_DATA, slave_base);
	test_outb(vm, MASTER_DATA, 1 << 2); /* a slave on IR2 */
	test_outb(vm, SLAVE_DATA, 2);       /* slave id 2 */
	test_outb(vm, MASTER_DATA, icw4);
	test_outb(vm, SLAVE_DATA, icw4);
}

/* The usual setup: vectors 0x20/0x28, 8086 mode, edge, all unmasked. */
static void init_default(struct vm *vm)
{
	init_pair(vm, MASTER_BASE, SLAVE_BASE, 0, ICW4_8086);
	test_outb(vm, MASTER_DATA, 0x00);
	test_outb(vm, SLAVE_DATA, 0x00);
}

static uint8_t read_isr(struct vm *vm, uint16_t cmd)
{
	test_outb(vm, cmd, OCW3_READ_ISR);
	return test_inb(vm, cmd);
}

static uint8_t read_irr(struct vm *vm, uint16_t cmd)
{
	test_outb(vm, cmd, OCW3_READ_IRR);
	return test_inb(vm, cmd);
}

/* ---- hooks and power-on ------------------------------------------------- */

static void test_becomes_the_vm_irqchip(void **state)
{
	struct vm *vm = *state;

	assert_non_null(vm->irqchip);
	assert_non_null(vm->irqchip_pending);
	assert_non_null(vm->irqchip_ack);
	assert_non_null(vm->irqchip_set_irq);
	assert_int_equal(vm->nr_devices, 1);
	assert_string_equal(vm->devices[0]->name, "i8259");
	assert_string_equal(bus_find(&vm->pio, MASTER_DATA)->name, "i8259 master");
	assert_string_equal(bus_find(&vm->pio, SLAVE_CMD)->name, "i8259 slave");
	assert_string_equal(bus_find(&vm->pio, ELCR_SLAVE)->name, "i8259 ELCR");
	/* A second interrupt controller is refused. */
	assert_int_equal(dev_pic_create(vm, 0x120, 0x1a0, 0x5d0, NULL), -EEXIST);
}

/* Power-on: everything masked, so nothing reaches a guest that never
 * programmed the PIC; the request is still visible in IRR. */
static void test_power_on_masks_everything(void **state)
{
	struct vm *vm = *state;

	assert_int_equal(test_inb(vm, MASTER_DATA), 0xff);
	assert_int_equal(test_inb(vm, SLAVE_DATA), 0xff);
	assert_int_equal(pending(vm), NONE);
	raise_irq(vm, 0);
	raise_irq(vm, 12);
	assert_int_equal(pending(vm), NONE);
	assert_int_equal(test_inb(vm, MASTER_CMD), 0x01); /* IRR is selected */
	assert_int_equal(test_inb(vm, SLAVE_CMD), 0x10);
	/* Unmasking delivers with the BIOS's vectors. */
	test_outb(vm, MASTER_DATA, 0xfe);
	assert_int_equal(take(vm), 0x08);
}

/* ---- initialisation ------------------------------------------------------ */

static void test_init_sets_vector_bases(void **state)
{
	struct vm *vm = *state;

	init_default(vm);
	raise_irq(vm, 1);
	assert_int_equal(take(vm), MASTER_BASE + 1);
	/* Re-initialise elsewhere; ICW2's low three bits are not the base. */
	init_pair(vm, 0x47, 0x93, 0, ICW4_8086);
	test_outb(vm, MASTER_DATA, 0);
	test_outb(vm, SLAVE_DATA, 0);
	irq(vm, 1, false);
	raise_irq(vm, 1);
	assert_int_equal(take(vm), 0x41);
	raise_irq(vm, 11);
	test_outb(vm, MASTER_CMD, OCW2_EOI);
	assert_int_equal(take(vm), 0x93);
}

/* ICW1 resets IMR, ISR, the edge latches and selects IRR for reads. */
static void test_icw1_resets_the_chip(void **state)
{
	struct vm *vm = *state;

	init_default(vm);
	raise_irq(vm, 3);
	raise_irq(vm, 4);
	assert_int_equal(take(vm), MASTER_BASE + 3);
	test_outb(vm, MASTER_CMD, OCW3_READ_ISR);
	test_outb(vm, MASTER_CMD, ICW1_INIT | ICW1_IC4);
	assert_int_equal(test_inb(vm, MASTER_DATA), 0x00);  /* IMR cleared */
	assert_int_equal(test_inb(vm, MASTER_CMD), 0x00);   /* IRR, edges forgotten */
	assert_int_equal(read_isr(vm, MASTER_CMD), 0); /* nothing in service */
	assert_int_equal(pending(vm), NONE);
}

/* The data port's meaning follows the dialogue: ICW3 only in cascade
 * mode, ICW4 only when ICW1 asked for it; then it is the IMR. */
static void test_init_dialogue_steps(void **state)
{
	struct vm *vm = *state;

	/* Single, no ICW4: ICW2 and then straight to IMR. */
	test_outb(vm, MASTER_CMD, ICW1_INIT | ICW1_SNGL);
	test_outb(vm, MASTER_DATA, 0x50);
	test_outb(vm, MASTER_DATA, 0xa5);
	assert_int_equal(test_inb(vm, MASTER_DATA), 0xa5);
	/* Cascade with ICW4: three data writes are consumed first. */
	test_outb(vm, MASTER_CMD, ICW1_INIT | ICW1_IC4);
	test_outb(vm, MASTER_DATA, 0x30);
	test_outb(vm, MASTER_DATA, 0x04);
	assert_int_equal(test_inb(vm, MASTER_DATA), 0x00); /* still mid-dialogue */
	test_outb(vm, MASTER_DATA, ICW4_8086);
	assert_int_equal(test_inb(vm, MASTER_DATA), 0x00);
	test_outb(vm, MASTER_DATA, 0x3c);
	assert_int_equal(test_inb(vm, MASTER_DATA), 0x3c);
	/* An ICW1 mid-dialogue starts over. */
	test_outb(vm, MASTER_CMD, ICW1_INIT | ICW1_SNGL);
	test_outb(vm, MASTER_CMD, ICW1_INIT | ICW1_SNGL | ICW1_IC4);
	test_outb(vm, MASTER_DATA, 0x60);
	test_outb(vm, MASTER_DATA, ICW4_8086);
	test_outb(vm, MASTER_DATA, 0xfb);
	assert_int_equal(test_inb(vm, MASTER_DATA), 0xfb);
	raise_irq(vm, 2); /* ISA IRQ 2 is IRQ 9 on the slave: not here */
	raise_irq(vm, 0);
	test_outb(vm, MASTER_DATA, 0xfe);
	assert_int_equal(take(vm), 0x60);
}

/* ---- masks, priorities, EOI -------------------------------------------- */

static void test_masked_request_waits_in_irr(void **state)
{
	struct vm *vm = *state;

	init_default(vm);
	test_outb(vm, MASTER_DATA, 0x20); /* mask IRQ 5 */
	assert_int_equal(test_inb(vm, MASTER_DATA), 0x20);
	raise_irq(vm, 5);
	assert_int_equal(pending(vm), NONE);
	assert_int_equal(read_irr(vm, MASTER_CMD), 0x20);
	test_outb(vm, MASTER_DATA, 0x00);
	assert_int_equal(take(vm), MASTER_BASE + 5);
	assert_int_equal(read_irr(vm, MASTER_CMD), 0x00); /* the edge is used up */
	assert_int_equal(read_isr(vm, MASTER_CMD), 0x20);
}

static void test_priority_among_simultaneous_requests(void **state)
{
	struct vm *vm = *state;

	init_default(vm);
	raise_irq(vm, 6);
	raise_irq(vm, 3);
	raise_irq(vm, 5);
	assert_int_equal(read_irr(vm, MASTER_CMD), 0x68);
	assert_int_equal(take(vm), MASTER_BASE + 3);
	/* Lower priorities wait while 3 is in service. */
	assert_int_equal(pending(vm), NONE);
	test_outb(vm, MASTER_CMD, OCW2_EOI);
	assert_int_equal(take(vm), MASTER_BASE + 5);
	test_outb(vm, MASTER_CMD, OCW2_EOI);
	assert_int_equal(take(vm), MASTER_BASE + 6);
	test_outb(vm, MASTER_CMD, OCW2_EOI);
	assert_int_equal(pending(vm), NONE);
	assert_int_equal(read_isr(vm, MASTER_CMD), 0);
}

/* A higher priority interrupts a service routine; EOI ends the innermost. */
static void test_nested_interrupts_and_eoi(void **state)
{
	struct vm *vm = *state;

	init_default(vm);
	raise_irq(vm, 5);
	assert_int_equal(take(vm), MASTER_BASE + 5);
	raise_irq(vm, 6);
	assert_int_equal(pending(vm), NONE); /* lower: waits */
	raise_irq(vm, 1);
	assert_int_equal(take(vm), MASTER_BASE + 1); /* higher: nests */
	assert_int_equal(read_isr(vm, MASTER_CMD), 0x22);
	test_outb(vm, MASTER_CMD, OCW2_EOI);
	assert_int_equal(read_isr(vm, MASTER_CMD), 0x20); /* 1 ended, 5 remains */
	assert_int_equal(pending(vm), NONE);
	test_outb(vm, MASTER_CMD, OCW2_EOI);
	assert_int_equal(take(vm), MASTER_BASE + 6);
}

static void test_specific_eoi(void **state)
{
	struct vm *vm = *state;

	init_default(vm);
	raise_irq(vm, 5);
	take(vm);
	raise_irq(vm, 1);
	take(vm);
	test_outb(vm, MASTER_CMD, OCW2_SEOI | 5); /* end 5, not the innermost */
	assert_int_equal(read_isr(vm, MASTER_CMD), 0x02);
	test_outb(vm, MASTER_CMD, OCW2_SEOI | 3); /* not in service: no effect */
	assert_int_equal(read_isr(vm, MASTER_CMD), 0x02);
}

/* With AEOI nothing stays in service: no EOI is needed. */
static void test_automatic_eoi(void **state)
{
	struct vm *vm = *state;

	init_pair(vm, MASTER_BASE, SLAVE_BASE, 0, ICW4_8086 | ICW4_AEOI);
	raise_irq(vm, 1);
	raise_irq(vm, 4);
	assert_int_equal(take(vm), MASTER_BASE + 1);
	assert_int_equal(read_isr(vm, MASTER_CMD), 0);
	assert_int_equal(take(vm), MASTER_BASE + 4); /* no EOI in between */
	assert_int_equal(pending(vm), NONE);
}

/* Rotation: the serviced input becomes the lowest priority. */
static void test_rotate_and_set_priority(void **state)
{
	struct vm *vm = *state;

	init_default(vm);
	raise_irq(vm, 3);
	assert_int_equal(take(vm), MASTER_BASE + 3);
	test_outb(vm, MASTER_CMD, OCW2_ROTATE_EOI);
	irq(vm, 3, false);
	raise_irq(vm, 3);
	raise_irq(vm, 4);
	assert_int_equal(take(vm), MASTER_BASE + 4); /* 3 is now the lowest */
	test_outb(vm, MASTER_CMD, OCW2_EOI);
	assert_int_equal(take(vm), MASTER_BASE + 3);
	test_outb(vm, MASTER_CMD, OCW2_EOI);
	/* Set priority: 5 lowest, so 6 is the highest and 0 ranks below it. */
	test_outb(vm, MASTER_CMD, OCW2_SET_PRIO | 5);
	raise_irq(vm, 0);
	raise_irq(vm, 6);
	assert_int_equal(take(vm), MASTER_BASE + 6);
	assert_int_equal(pending(vm), NONE); /* 0 cannot nest inside 6 now */
	test_outb(vm, MASTER_CMD, OCW2_EOI);
	assert_int_equal(take(vm), MASTER_BASE + 0);
}

/* Rotate in AEOI mode: equal-priority devices take turns. */
static void test_rotate_in_aeoi_mode(void **state)
{
	struct vm *vm = *state;

	init_pair(vm, MASTER_BASE, SLAVE_BASE, 0, ICW4_8086 | ICW4_AEOI);
	test_outb(vm, MASTER_DATA, 0);
	test_outb(vm, MASTER_CMD, OCW2_ROTATE_AEOI_ON);
	raise_irq(vm, 1);
	assert_int_equal(take(vm), MASTER_BASE + 1);
	raise_irq(vm, 4);
	irq(vm, 1, false);
	raise_irq(vm, 1);
	assert_int_equal(take(vm), MASTER_BASE + 4); /* 1 went to the back */
	assert_int_equal(take(vm), MASTER_BASE + 1);
	/* Without rotation, 1 would win again over 4. */
	test_outb(vm, MASTER_CMD, OCW2_ROTATE_AEOI_OFF);
	test_outb(vm, MASTER_CMD, OCW2_SET_PRIO | 7);
	irq(vm, 1, false);
	irq(vm, 4, false);
	raise_irq(vm, 4);
	raise_irq(vm, 1);
	assert_int_equal(take(vm), MASTER_BASE + 1);
	assert_int_equal(take(vm), MASTER_BASE + 4);
}

/* Special mask mode: masking the routine's own input in service lets
 * lower priorities through. */
static void test_special_mask_mode(void **state)
{
	struct vm *vm = *state;

	init_default(vm);
	raise_irq(vm, 3);
	take(vm);
	raise_irq(vm, 5);
	assert_int_equal(pending(vm), NONE);
	test_outb(vm, MASTER_DATA, 0x08);
	test_outb(vm, MASTER_CMD, OCW3_SMM_ON);
	assert_int_equal(take(vm), MASTER_BASE + 5);
	test_outb(vm, MASTER_CMD, OCW2_SEOI | 5);
	test_outb(vm, MASTER_CMD, OCW3_SMM_OFF);
	raise_irq(vm, 6);
	assert_int_equal(pending(vm), NONE); /* 3 holds back again */
}

/* ---- the cascade ------------------------------------------------------------ */

static void test_slave_vectors_through_the_master(void **state)
{
	struct vm *vm = *state;

	init_default(vm);
	for (unsigned n = 8; n < 16; n++) {
		raise_irq(vm, n);
		assert_int_equal(take(vm), SLAVE_BASE + (n - 8));
		assert_int_equal(read_isr(vm, SLAVE_CMD), 1u << (n - 8));
		assert_int_equal(read_isr(vm, MASTER_CMD), 0x04); /* IR2 in service */
		test_outb(vm, SLAVE_CMD, OCW2_EOI);
		test_outb(vm, MASTER_CMD, OCW2_EOI);
		irq(vm, n, false);
	}
	assert_int_equal(pending(vm), NONE);
}

/* The slave's inputs rank where IR2 ranks on the master. */
static void test_cascade_priority(void **state)
{
	struct vm *vm = *state;

	init_default(vm);
	raise_irq(vm, 10);
	assert_int_equal(take(vm), SLAVE_BASE + 2);
	raise_irq(vm, 3);
	assert_int_equal(pending(vm), NONE); /* below IR2 */
	raise_irq(vm, 8);
	assert_int_equal(pending(vm), NONE); /* IR2 is in service on the master */
	raise_irq(vm, 1);
	assert_int_equal(take(vm), MASTER_BASE + 1); /* above IR2 */
	test_outb(vm, MASTER_CMD, OCW2_EOI);              /* ends 1 */
	test_outb(vm, SLAVE_CMD, OCW2_EOI);
	test_outb(vm, MASTER_CMD, OCW2_EOI); /* ends IR2 */
	assert_int_equal(take(vm), SLAVE_BASE + 0);
	test_outb(vm, SLAVE_CMD, OCW2_EOI);
	test_outb(vm, MASTER_CMD, OCW2_EOI);
	assert_int_equal(take(vm), MASTER_BASE + 3);
}

/* Special fully nested mode: a higher slave input interrupts a lower
 * one's routine although the master has IR2 in service. */
static void test_special_fully_nested_mode(void **state)
{
	struct vm *vm = *state;

	init_pair(vm, MASTER_BASE, SLAVE_BASE, 0, ICW4_8086);
	test_outb(vm, MASTER_CMD, ICW1_INIT | ICW1_IC4);
	test_outb(vm, MASTER_DATA, MASTER_BASE);
	test_outb(vm, MASTER_DATA, 0x04);
	test_outb(vm, MASTER_DATA, ICW4_8086 | ICW4_SFNM);
	raise_irq(vm, 12);
	assert_int_equal(take(vm), SLAVE_BASE + 4);
	raise_irq(vm, 9);
	assert_int_equal(take(vm), SLAVE_BASE + 1);
	raise_irq(vm, 13);
	assert_int_equal(pending(vm), NONE); /* lower than 12 on the slave */
}

/* ---- reading registers, polling ------------------------------------------ */

static void test_ocw3_selects_irr_or_isr(void **state)
{
	struct vm *vm = *state;

	init_default(vm);
	raise_irq(vm, 4);
	raise_irq(vm, 6);
	take(vm);
	/* The selection sticks until changed. */
	test_outb(vm, MASTER_CMD, OCW3_READ_ISR);
	assert_int_equal(test_inb(vm, MASTER_CMD), 0x10);
	assert_int_equal(test_inb(vm, MASTER_CMD), 0x10);
	test_outb(vm, MASTER_CMD, OCW3_READ_IRR);
	assert_int_equal(test_inb(vm, MASTER_CMD), 0x40);
	/* OCW3 without RR keeps the selection. */
	test_outb(vm, MASTER_CMD, OCW3_READ_ISR);
	test_outb(vm, MASTER_CMD, 0x08);
	assert_int_equal(test_inb(vm, MASTER_CMD), 0x10);
	/* The data port is the IMR whatever OCW3 says. */
	test_outb(vm, MASTER_DATA, 0x81);
	assert_int_equal(test_inb(vm, MASTER_DATA), 0x81);
}

/* Poll mode: a read acknowledges the highest request and returns it. */
static void test_poll_mode(void **state)
{
	struct vm *vm = *state;

	init_default(vm);
	raise_irq(vm, 5);
	raise_irq(vm, 3);
	test_outb(vm, MASTER_CMD, OCW3_POLL);
	assert_int_equal(test_inb(vm, MASTER_CMD), 0x83);
	assert_int_equal(read_isr(vm, MASTER_CMD), 0x08);
	/* That acknowledged 3: the CPU has nothing left to take. */
	assert_int_equal(pending(vm), NONE);
	/* Only the read after a poll command polls. */
	assert_int_equal(test_inb(vm, MASTER_CMD), 0x08);
	test_outb(vm, MASTER_CMD, OCW2_EOI);
	test_outb(vm, MASTER_CMD, OCW3_POLL);
	assert_int_equal(test_inb(vm, MASTER_CMD), 0x85);
	test_outb(vm, MASTER_CMD, OCW2_EOI);
	test_outb(vm, MASTER_CMD, OCW3_POLL);
	assert_int_equal(test_inb(vm, MASTER_CMD), 0x00); /* no request */
}

/* ---- spurious interrupts ----------------------------------------------- */

/* The request goes away between INT and the acknowledge: the master
 * answers with its IR7 vector and sets no ISR bit (so the guest's IRQ 7
 * handler can tell, and must not send an EOI). */
static void test_spurious_irq7(void **state)
{
	struct vm *vm = *state;

	init_default(vm);
	raise_irq(vm, 5);
	assert_int_equal(pending(vm), MASTER_BASE + 5);
	irq(vm, 5, false); /* gone before the CPU took it */
	assert_int_equal(pending(vm), MASTER_BASE + 7);
	assert_int_equal(take(vm), MASTER_BASE + 7);
	assert_int_equal(read_isr(vm, MASTER_CMD), 0);
	assert_int_equal(pending(vm), NONE);
	/* Masking a request the CPU has not taken yet does the same. */
	raise_irq(vm, 4);
	test_outb(vm, MASTER_DATA, 0x10);
	assert_int_equal(take(vm), MASTER_BASE + 7);
	assert_int_equal(read_isr(vm, MASTER_CMD), 0);
	/* A real IRQ 7 is in service: the guest can tell them apart. */
	raise_irq(vm, 7);
	assert_int_equal(take(vm), MASTER_BASE + 7);
	assert_int_equal(read_isr(vm, MASTER_CMD), 0x80);
}

/* The same on the slave: the master saw IR2 and puts it in service; the
 * slave answers with its IR7 vector (IRQ 15) and sets nothing. */
static void test_spurious_irq15(void **state)
{
	struct vm *vm = *state;

	init_default(vm);
	raise_irq(vm, 10);
	irq(vm, 10, false);
	assert_int_equal(take(vm), SLAVE_BASE + 7);
	assert_int_equal(read_isr(vm, SLAVE_CMD), 0);
	assert_int_equal(read_isr(vm, MASTER_CMD), 0x04);
	/* The guest EOIs the master only; then all is quiet. */
	test_outb(vm, MASTER_CMD, OCW2_EOI);
	assert_int_equal(read_isr(vm, MASTER_CMD), 0);
	assert_int_equal(pending(vm), NONE);
	/* And the slave still works. */
	raise_irq(vm, 11);
	assert_int_equal(take(vm), SLAVE_BASE + 3);
}

/* ---- edge and level triggering --------------------------------------------- */

/* Edge: a line held high interrupts once; another needs a new edge. */
static void test_edge_triggered(void **state)
{
	struct vm *vm = *state;

	init_default(vm);
	raise_irq(vm, 4);
	take(vm);
	test_outb(vm, MASTER_CMD, OCW2_EOI);
	assert_int_equal(pending(vm), NONE); /* still high, no new edge */
	raise_irq(vm, 4);                    /* no change: nothing */
	assert_int_equal(pending(vm), NONE);
	irq(vm, 4, false);
	raise_irq(vm, 4);
	assert_int_equal(take(vm), MASTER_BASE + 4);
}

/* Level (ELCR): the request lasts as long as the line; after EOI a line
 * still high interrupts again. */
static void test_level_triggered_by_elcr(void **state)
{
	struct vm *vm = *state;

	init_default(vm);
	test_outb(vm, ELCR_MASTER, 0xff);
	test_outb(vm, ELCR_SLAVE, 0xff);
	/* IRQ 0, 1, 2, 8 and 13 are edge only. */
	assert_int_equal(test_inb(vm, ELCR_MASTER), 0xf8);
	assert_int_equal(test_inb(vm, ELCR_SLAVE), 0xde);
	test_outb(vm, ELCR_SLAVE, 0x00);
	test_outb(vm, ELCR_MASTER, 0x20); /* IRQ 5 level */
	raise_irq(vm, 5);
	take(vm);
	test_outb(vm, MASTER_CMD, OCW2_EOI);
	assert_int_equal(take(vm), MASTER_BASE + 5); /* still asserted */
	/* A driver silences the device first, then sends EOI: all quiet. */
	irq(vm, 5, false);
	assert_int_equal(read_irr(vm, MASTER_CMD), 0);
	test_outb(vm, MASTER_CMD, OCW2_EOI);
	assert_int_equal(pending(vm), NONE);
	/* EOI first: INT rises for the line still up, and when the device
	 * then lets go the CPU gets a spurious IRQ 7. */
	raise_irq(vm, 5);
	take(vm);
	test_outb(vm, MASTER_CMD, OCW2_EOI);
	irq(vm, 5, false);
	assert_int_equal(take(vm), MASTER_BASE + 7);
	assert_int_equal(read_isr(vm, MASTER_CMD), 0);
}

/* Level for all inputs through ICW1.LTIM. */
static void test_level_triggered_by_ltim(void **state)
{
	struct vm *vm = *state;

	raise_irq(vm, 1); /* up before the PIC is programmed: no edge needed */
	init_pair(vm, MASTER_BASE, SLAVE_BASE, ICW1_LTIM, ICW4_8086);
	assert_int_equal(take(vm), MASTER_BASE + 1);
	test_outb(vm, MASTER_CMD, OCW2_EOI);
	assert_int_equal(take(vm), MASTER_BASE + 1);
}

/* ISA IRQ 2 arrives as IRQ 9, as on every AT. */
static void test_irq2_is_irq9(void **state)
{
	struct vm *vm = *state;

	init_default(vm);
	raise_irq(vm, 2);
	assert_int_equal(take(vm), SLAVE_BASE + 1);
	assert_int_equal(read_irr(vm, MASTER_CMD), 0x00);
}

/* Two VMs in one process have separate PICs. */
static void test_two_pics_are_independent(void **state)
{
	struct vm *a = new_vm_with_pic(), *b = new_vm_with_pic();

	(void)state;
	init_default(a);
	init_default(b);
	raise_irq(a, 3);
	assert_int_equal(pending(a), MASTER_BASE + 3);
	assert_int_equal(pending(b), NONE);
	vm_destroy(a);
	vm_destroy(b);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_becomes_the_vm_irqchip),
	    T(test_power_on_masks_everything),
	    T(test_init_sets_vector_bases),
	    T(test_icw1_resets_the_chip),
	    T(test_init_dialogue_steps),
	    T(test_masked_request_waits_in_irr),
	    T(test_priority_among_simultaneous_requests),
	    T(test_nested_interrupts_and_eoi),
	    T(test_specific_eoi),
	    T(test_automatic_eoi),
	    T(test_rotate_and_set_priority),
	    T(test_rotate_in_aeoi_mode),
	    T(test_special_mask_mode),
	    T(test_slave_vectors_through_the_master),
	    T(test_cascade_priority),
	    T(test_special_fully_nested_mode),
	    T(test_ocw3_selects_irr_or_isr),
	    T(test_poll_mode),
	    T(test_spurious_irq7),
	    T(test_spurious_irq15),
	    T(test_edge_triggered),
	    T(test_level_triggered_by_elcr),
	    T(test_level_triggered_by_ltim),
	    T(test_irq2_is_irq9),
	    cmocka_unit_test(test_two_pics_are_independent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
