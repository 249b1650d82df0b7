/*
 * device.h - what every device model shares, and the board.
 *
 * A device model is a per-VM object (no file-static state) that claims
 * ranges on the VM's buses.  Each model embeds a struct device first, so
 * the VM can destroy it and poll it without knowing its type.
 *
 * The board (board.c) is an explicit table: which devices a trapeze machine
 * has, where, and on which IRQ.  Nothing registers itself behind the
 * reader's back.
 */
#ifndef TRAPEZE_DEVICES_DEVICE_H
#define TRAPEZE_DEVICES_DEVICE_H

#include <stddef.h>

struct vm;

struct device {
	const char *name;
	struct vm *vm;
	/* A host fd the device waits on (UART input), or -1.  When the guest
	 * idles, the core polls it and calls on_ready() when it is readable. */
	int wait_fd;
	void (*on_ready)(struct device *dev);
	void (*destroy)(struct device *dev);
};

/* Put the standard trapeze board into `vm`: UART, debug-exit, system
 * control, test port, PIT (with port B) and the PIC pair, which becomes
 * the VM's interrupt controller.  0, or -errno with one line in err. */
int board_setup(struct vm *vm, char *err, size_t errlen);

#endif
