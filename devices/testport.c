/*
 * testport.c - the test port: how a guest test talks to its host.
 *
 * A guest test fills a struct ucall (core/guest_abi.h) in its own memory
 * and writes the struct's guest-physical address, as one 32-bit `out`, to
 * TRAPEZE_PORT_TESTPORT.  This handler only decodes the access; the core's
 * vm_handle_ucall() copies the struct out of guest memory and acts on it
 * (a checkpoint, a failed assertion, "done").  It is the GUEST_SYNC /
 * GUEST_ASSERT / GUEST_DONE channel of the Linux KVM selftests, over a port.
 *
 * A write of any other width cannot carry an address, so it is refused
 * with -EINVAL: the core stops the VM with a report naming this device,
 * rather than acting on a truncated pointer.  Reads return 0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/vm.h"
#include "devices/device.h"
#include "devices/devices.h"

#define TESTPORT_NR_PORTS 4

struct dev_testport {
	struct device dev; /* first: the VM handles every model as a device */
};

/* Bus handler: a 32-bit write is a ucall; other writes are errors. */
static int testport_io(void *dev, struct vcpu *vcpu, uint64_t offset, void *data,
                       unsigned len, bool is_write)
{
	struct dev_testport *t = dev;
	const uint8_t *b = data;
	uint32_t gpa;

	(void)vcpu;
	if (!is_write) {
		memset(data, 0, len);
		return 0;
	}
	if (len != 4 || offset != 0)
		return -EINVAL;
	gpa = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	      (uint32_t)b[3] << 24;
	return vm_handle_ucall(t->dev.vm, gpa);
}

/* Free the model (the VM calls this). */
static void testport_destroy(struct device *dev)
{
	free(dev);
}

/* See devices.h: claims four ports from `port`.  0 or -errno. */
int dev_testport_create(struct vm *vm, uint16_t port)
{
	struct dev_testport *t = calloc(1, sizeof(*t));
	int r;

	if (!t)
		return -ENOMEM;
	t->dev.name = "testport";
	t->dev.wait_fd = -1;
	t->dev.destroy = testport_destroy;
	/* The VM owns the device from here, even if registration fails. */
	r = vm_add_device(vm, &t->dev);
	if (r) {
		free(t);
		return r;
	}
	return bus_register(&vm->pio, port, TESTPORT_NR_PORTS, testport_io, t,
	                    t->dev.name);
}
