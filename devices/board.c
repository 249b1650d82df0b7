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

static const struct board_slot board[] = {
    {"16550A UART (COM1)", TRAPEZE_PORT_COM1, BOARD_COM1_IRQ, board_add_uart},
    {"isa-debug-exit", TRAPEZE_PORT_DEBUG_EXIT, BOARD_NO_IRQ, board_add_debug_exit},
    {"system control", TRAPEZE_PORT_SYSCTL, BOARD_NO_IRQ, board_add_sysctl},
    {"test port", TRAPEZE_PORT_TESTPORT, BOARD_NO_IRQ, board_add_testport},
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
