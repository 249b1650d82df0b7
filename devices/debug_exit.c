/*
 * debug_exit.c - QEMU's isa-debug-exit device: a port that ends the VM.
 *
 * Test guests written for QEMU finish by writing a value v to port 0xf4;
 * QEMU then exits with status (v << 1) | 1.  trapeze keeps that contract
 * so the same image reports the same status on both machines: a write
 * reaches this handler through the port-I/O bus, which calls vm_stop() with
 * VM_STOP_DEBUG_EXIT, and `trapeze run` exits with vm->result.status.
 *
 * Behaviour, matching QEMU's hw/misc/debugexit.c:
 *  - a write of 1, 2 or 4 bytes at any offset ends the VM; v is the value
 *    written, zero-extended.  A process exit status has 8 bits, so the
 *    status is ((v << 1) | 1) & 0xff -- always odd, which keeps it apart
 *    from trapeze's own even statuses (see core/guest_abi.h);
 *  - reads return 0 (QEMU's read handler returns 0; a guest can use that,
 *    weakly, to probe for the device);
 *  - the device claims four ports (QEMU's "iosize=4", which test guests
 *    use so that a 32-bit `out` fits; QEMU's default is 2).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/vm.h"
#include "devices/device.h"
#include "devices/devices.h"

#define DEBUG_EXIT_NR_PORTS 4

struct dev_debug_exit {
	struct device dev; /* first: the VM handles every model as a device */
	uint16_t port;
};

/* The little-endian value of an access of len (<= 4) bytes. */
static uint32_t le_value(const uint8_t *bytes, unsigned len)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < len; i++)
		v |= (uint32_t)bytes[i] << (8 * i);
	return v;
}

/* Bus handler: a write stops the VM with QEMU's status, a read gives 0. */
static int debug_exit_io(void *dev, struct vcpu *vcpu, uint64_t offset, void *data,
                         unsigned len, bool is_write)
{
	struct dev_debug_exit *d = dev;
	uint32_t v;

	(void)vcpu;
	if (len > 4)
		return -EINVAL;
	if (!is_write) {
		memset(data, 0, len);
		return 0;
	}
	v = le_value(data, len);
	vm_stop(d->dev.vm, VM_STOP_DEBUG_EXIT, (int)(((v << 1) | 1) & 0xff),
	        "guest wrote 0x%x to isa-debug-exit (port 0x%x)", v,
	        (unsigned)(d->port + offset));
	return 0;
}

/* Free the model (the VM calls this). */
static void debug_exit_destroy(struct device *dev)
{
	free(dev);
}

/* See devices.h: claims four ports from `port`.  0 or -errno. */
int dev_debug_exit_create(struct vm *vm, uint16_t port)
{
	struct dev_debug_exit *d = calloc(1, sizeof(*d));
	int r;

	if (!d)
		return -ENOMEM;
	d->dev.name = "isa-debug-exit";
	d->dev.wait_fd = -1;
	d->dev.destroy = debug_exit_destroy;
	d->port = port;
	/* The VM owns the device from here, even if registration fails. */
	r = vm_add_device(vm, &d->dev);
	if (r) {
		free(d);
		return r;
	}
	return bus_register(&vm->pio, port, DEBUG_EXIT_NR_PORTS, debug_exit_io, d,
	                    d->dev.name);
}
