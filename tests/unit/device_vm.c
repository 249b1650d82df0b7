/*
 * device_vm.c - see device_vm.h.
 */
#include "device_vm.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

static void null_destroy(struct vm *vm)
{
	(void)vm;
}

static const struct engine_ops null_engine = { .name = "none", .destroy = null_destroy };

struct vm *test_vm_new(void)
{
	struct vm *vm = calloc(1, sizeof(*vm));

	assert_non_null(vm);
	vm->engine = &null_engine;
	vm->cfg.engine = &null_engine;
	vm->cfg.serial_out_fd = -1;
	vm->cfg.serial_in_fd = -1;
	vm->mem.memfd = -1;
	return vm;
}

void test_outb(struct vm *vm, uint16_t port, uint8_t val)
{
	assert_int_equal(bus_access(&vm->pio, NULL, port, &val, 1, true), 0);
}

uint8_t test_inb(struct vm *vm, uint16_t port)
{
	uint8_t val = 0x5a;

	assert_int_equal(bus_access(&vm->pio, NULL, port, &val, 1, false), 0);
	return val;
}
