/*
 * board.c - the trapeze machine: which devices it has, where, on which IRQ.
 *
 * The whole board is the table below, read top to bottom.  board_setup()
 * walks it and calls each device's constructor, which claims its ports on
 * vm->pio and hands the model to the VM.  Nothing registers itself: to see
 * what a guest can talk to, read this table (and core/guest_abi.h, which
 * gives guests the same port numbers).
 *
 * Called once per VM, after vm_create() and before the loader runs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/guest_abi.h"
#include "core/vm.h"
#include "devices/device.h"
#include "devices/devices.h"

#define BOARD_COM1_IRQ 4 /* COM1's IRQ on every PC */
#define BOARD_NO_IRQ   -1

/* The legacy PC timer and interrupt controllers, where every PC has them. */
#define BOARD_PORT_PIT       0x40  /* 0x40-0x43: counters, control word */
#define BOARD_PORT_B         0x61  /* system control port B (PIT channel 2) */
#define BOARD_PIT_IRQ        0     /* channel 0's output */
#define BOARD_PORT_PIC       0x20  /* master 0x20-0x21 */
#define BOARD_PORT_PIC_SLAVE 0xa0  /* slave 0xa0-0xa1, on the master's IR2 */
#define BOARD_PORT_ELCR      0x4d0 /* 0x4d0-0x4d1: edge/level control */

struct board_slot;
typedef int (*board_add_fn)(struct vm *vm, const struct board_slot *slot);

/* One row of the board: a device, its first port, its IRQ line. */
struct board_slot {
	const char *name; /* for error messages */
	uint16_t port;
	int irq; /* BOARD_NO_IRQ if the device raises none */
	board_add_fn add;
};

/* Adapters from a board row to each constructor.  0 or -errno. */
static int board_add_uart(struct vm *vm, const struct board_slot *slot)
{
	return dev_uart_create(vm, slot->port, (unsigned)slot->irq, vm->cfg.serial_out_fd,
	                       vm->cfg.serial_in_fd, NULL);
}

static int board_add_debug_exit(struct vm *vm, const struct board_slot *slot)
{
	return dev_debug_exit_create(vm, slot->port);
}

static int board_add_sysctl(struct vm *vm, const struct board_slot *slot)
{
	return dev_sysctl_create(vm, slot->port);
}

static int board_add_testport(struct vm *vm, const struct board_slot *slot)
{
	return dev_testport_create(vm, slot->port);
}

static int board_add_pit(struct vm *vm, const struct board_slot *slot)
{
	return dev_pit_create(vm, slot->port, BOARD_PORT_B, (unsigned)slot->irq, NULL);
}

static int board_add_pic(struct vm *vm, const struct board_slot *slot)
{
	return dev_pic_create(vm, slot->port, BOARD_PORT_PIC_SLAVE, BOARD_PORT_ELCR,
	                      NULL);
}

static const struct board_slot board[] = {
    {"16550A UART (COM1)", TRAPEZE_PORT_COM1, BOARD_COM1_IRQ, board_add_uart},
    {"isa-debug-exit", TRAPEZE_PORT_DEBUG_EXIT, BOARD_NO_IRQ, board_add_debug_exit},
    {"system control", TRAPEZE_PORT_SYSCTL, BOARD_NO_IRQ, board_add_sysctl},
    {"test port", TRAPEZE_PORT_TESTPORT, BOARD_NO_IRQ, board_add_testport},
    /* also claims port B (0x61) */
    {"i8254 PIT", BOARD_PORT_PIT, BOARD_PIT_IRQ, board_add_pit},
    /* also claims the slave (0xa0) and ELCR (0x4d0); last, so that lines
     * the devices above hold up at power-on count as levels, not edges */
    {"i8259 PIC pair", BOARD_PORT_PIC, BOARD_NO_IRQ, board_add_pic},
};

/* Why a constructor failed, in the words a user can act on. */
static const char *board_why(int err)
{
	if (err == -EEXIST)
		return "its ports overlap a device already registered";
	if (err == -ENOSPC)
		return "the VM has no room for more devices";
	return strerror(-err);
}

/* See device.h.  Stops at the first device that cannot be added; what was
 * added before stays with the VM and goes away with vm_destroy(). */
int board_setup(struct vm *vm, char *err, size_t errlen)
{
	for (size_t i = 0; i < ARRAY_SIZE(board); i++) {
		const struct board_slot *slot = &board[i];
		int r = slot->add(vm, slot);

		if (r) {
			snprintf(err, errlen, "board: cannot add %s at port 0x%x: %s",
			         slot->name, slot->port, board_why(r));
			return r;
		}
	}
	return 0;
}
