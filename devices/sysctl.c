/*
 * sysctl.c - trapeze's system-control port: "who are you?" and power-off.
 *
 * A guest that wants to know whether it runs on trapeze reads the 32-bit
 * port TRAPEZE_PORT_SYSCTL and compares with TRAPEZE_SYSCTL_SIGNATURE
 * ("TRPZ").  To finish, it writes its exit status there: the write reaches
 * this handler through the port-I/O bus, which calls vm_stop() with
 * VM_STOP_POWEROFF, and `trapeze run` exits with that status.  Unlike
 * isa-debug-exit, the status is passed through unchanged, so a guest can
 * exit with 0.
 *
 * The register is four ports wide.  Choices for accesses the contract in
 * core/guest_abi.h does not spell out:
 *  - a narrower read returns the signature's bytes at that offset, as for
 *    any little-endian 32-bit register (a 1-byte read of the base port gives
 *    'T', the low byte);
 *  - a write of any width at any offset powers off; the status is the
 *    written value zero-extended (outb 3 exits with 3, like outl 3);
 *  - statuses above TRAPEZE_EXIT_GUEST_MAX are clamped to it, so a guest can
 *    never produce one of trapeze's own statuses (timeout, triple fault...).
 */
#include <errno.h>
#include <stdlib.h>

#include "core/vm.h"
#include "devices/device.h"
#include "devices/devices.h"

#define SYSCTL_NR_PORTS 4

struct dev_sysctl {
	struct device dev; /* first: the VM handles every model as a device */
};

/* The little-endian value of an access of len (<= 4) bytes. */
static uint32_t le_value(const uint8_t *bytes, unsigned len)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < len; i++)
		v |= (uint32_t)bytes[i] << (8 * i);
	return v;
}

/* Power off with the guest's status, clamped to the guest's range. */
static void sysctl_power_off(struct vm *vm, uint32_t v)
{
	if (v > TRAPEZE_EXIT_GUEST_MAX)
		vm_stop(vm, VM_STOP_POWEROFF, TRAPEZE_EXIT_GUEST_MAX,
		        "guest powered off with status %u (reported as %d, the "
		        "largest status a guest can give)",
		        v, TRAPEZE_EXIT_GUEST_MAX);
	else
		vm_stop(vm, VM_STOP_POWEROFF, (int)v, "guest powered off with status %u",
		        v);
}

/* Bus handler: reads give the signature, writes power off. */
static int sysctl_io(void *dev, struct vcpu *vcpu, uint64_t offset, void *data,
                     unsigned len, bool is_write)
{
	struct dev_sysctl *s = dev;
	uint8_t *bytes = data;

	(void)vcpu;
	if (offset + len > SYSCTL_NR_PORTS)
		return -ERANGE; /* the bus already refuses this */
	if (is_write) {
		sysctl_power_off(s->dev.vm, le_value(bytes, len));
		return 0;
	}
	for (unsigned i = 0; i < len; i++)
		bytes[i] = (uint8_t)(TRAPEZE_SYSCTL_SIGNATURE >> (8 * (offset + i)));
	return 0;
}

/* Free the model (the VM calls this). */
static void sysctl_destroy(struct device *dev)
{
	free(dev);
}

/* See devices.h: claims four ports from `port`.  0 or -errno. */
int dev_sysctl_create(struct vm *vm, uint16_t port)
{
	struct dev_sysctl *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	s->dev.name = "sysctl";
	s->dev.wait_fd = -1;
	s->dev.destroy = sysctl_destroy;
	/* The VM owns the device from here, even if registration fails. */
	r = vm_add_device(vm, &s->dev);
	if (r) {
		free(s);
		return r;
	}
	return bus_register(&vm->pio, port, SYSCTL_NR_PORTS, sysctl_io, s, s->dev.name);
}
