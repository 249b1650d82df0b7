/*
 * test_devices.c - unit tests of the small board devices and the board.
 *
 * isa-debug-exit, system control and the test port each end or steer a VM;
 * the tests play the guest through bus_access() on a VM without an engine
 * and check what `trapeze run` would report (vm->result).  board_setup() is
 * checked for what a guest finds at each port and for failing cleanly.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/vm.h"
#include "device_vm.h"
#include "devices/device.h"
#include "devices/devices.h"

/* ---- a VM with no engine ------------------------------------------------ */

static int port_write(struct vm *vm, uint16_t port, uint32_t val, unsigned len)
{
	uint8_t b[4] = {(uint8_t)val, (uint8_t)(val >> 8), (uint8_t)(val >> 16),
	                (uint8_t)(val >> 24)};

	return bus_access(&vm->pio, NULL, port, b, len, true);
}

/* A read of len bytes; the buffer starts as garbage so a handler that
 * leaves it alone is caught. */
static uint32_t port_read(struct vm *vm, uint16_t port, unsigned len)
{
	uint8_t b[4] = {0xa5, 0xa5, 0xa5, 0xa5};

	assert_int_equal(bus_access(&vm->pio, NULL, port, b, len, false), 0);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

/* ---- isa-debug-exit ----------------------------------------------------- */

static void test_debug_exit_statuses(void **state)
{
	static const struct {
		uint32_t v;
		unsigned len;
		int status;
	} cases[] = {
	    {0x00, 1, 1},          /* outb 0: QEMU exits with 1 */
	    {0x10, 1, 0x21},       /* 33: a common "test passed" convention */
	    {0x11, 2, 0x23},       /* outw */
	    {0x7f, 4, 0xff},       /* outl: the largest status */
	    {0x80, 4, 0x01},       /* (0x101 & 0xff): only 8 bits survive */
	    {0x12345678, 4, 0xf1}, /* high bits are shifted out */
	    {0xbeef, 2, 0xdf},     /* (0x17ddf & 0xff) */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vm *vm = test_vm_new();

		assert_int_equal(dev_debug_exit_create(vm, TRAPEZE_PORT_DEBUG_EXIT), 0);
		assert_false(vm_stopped(vm));
		assert_int_equal(
		    port_write(vm, TRAPEZE_PORT_DEBUG_EXIT, cases[i].v, cases[i].len), 0);
		assert_int_equal(vm->result.reason, VM_STOP_DEBUG_EXIT);
		assert_int_equal(vm->result.status, cases[i].status);
		assert_int_equal(vm->result.status & 1, 1); /* always odd */
		vm_destroy(vm);
	}
}

static void test_debug_exit_message_and_first_stop_wins(void **state)
{
	struct vm *vm = test_vm_new();

	assert_int_equal(dev_debug_exit_create(vm, TRAPEZE_PORT_DEBUG_EXIT), 0);
	assert_int_equal(port_write(vm, TRAPEZE_PORT_DEBUG_EXIT, 0x31, 1), 0);
	assert_non_null(strstr(vm->result.message, "0x31"));
	assert_non_null(strstr(vm->result.message, "0xf4"));
	assert_int_equal(port_write(vm, TRAPEZE_PORT_DEBUG_EXIT, 0x05, 1), 0);
	assert_int_equal(vm->result.status, 0x63);
	vm_destroy(vm);
}

static void test_debug_exit_reads_zero(void **state)
{
	struct vm *vm = test_vm_new();

	assert_int_equal(dev_debug_exit_create(vm, TRAPEZE_PORT_DEBUG_EXIT), 0);
	assert_int_equal(port_read(vm, TRAPEZE_PORT_DEBUG_EXIT, 1), 0xa5a5a500);
	assert_int_equal(port_read(vm, TRAPEZE_PORT_DEBUG_EXIT, 2), 0xa5a50000);
	assert_int_equal(port_read(vm, TRAPEZE_PORT_DEBUG_EXIT, 4), 0);
	assert_false(vm_stopped(vm));
	vm_destroy(vm);
}

/* ---- system control ----------------------------------------------------- */

static void test_sysctl_signature(void **state)
{
	struct vm *vm = test_vm_new();

	assert_int_equal(dev_sysctl_create(vm, TRAPEZE_PORT_SYSCTL), 0);
	assert_int_equal(port_read(vm, TRAPEZE_PORT_SYSCTL, 4), TRAPEZE_SYSCTL_SIGNATURE);
	assert_int_equal(port_read(vm, TRAPEZE_PORT_SYSCTL, 4), 0x5a505254);
	/* Narrower reads see the register's bytes, little endian: "TRPZ". */
	assert_int_equal(port_read(vm, TRAPEZE_PORT_SYSCTL, 1) & 0xff, 'T');
	assert_int_equal(port_read(vm, TRAPEZE_PORT_SYSCTL + 1, 1) & 0xff, 'R');
	assert_int_equal(port_read(vm, TRAPEZE_PORT_SYSCTL, 2) & 0xffff, 0x5254);
	assert_int_equal(port_read(vm, TRAPEZE_PORT_SYSCTL + 2, 2) & 0xffff, 0x5a50);
	assert_false(vm_stopped(vm));
	vm_destroy(vm);
}

static void test_sysctl_power_off(void **state)
{
	static const struct {
		uint32_t v;
		unsigned len;
		int status;
	} cases[] = {
	    {0, 4, 0},
	    {1, 4, 1},
	    {42, 4, 42},
	    {TRAPEZE_EXIT_GUEST_MAX, 4, TRAPEZE_EXIT_GUEST_MAX},
	    {TRAPEZE_EXIT_GUEST_MAX + 1, 4, TRAPEZE_EXIT_GUEST_MAX},
	    {TRAPEZE_EXIT_TIMEOUT, 4, TRAPEZE_EXIT_GUEST_MAX},
	    {0xffffffff, 4, TRAPEZE_EXIT_GUEST_MAX},
	    {0x100, 4, TRAPEZE_EXIT_GUEST_MAX}, /* no truncation to 8 bits */
	    {3, 1, 3},                          /* narrower writes too */
	    {300, 2, TRAPEZE_EXIT_GUEST_MAX},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vm *vm = test_vm_new();

		assert_int_equal(dev_sysctl_create(vm, TRAPEZE_PORT_SYSCTL), 0);
		assert_int_equal(
		    port_write(vm, TRAPEZE_PORT_SYSCTL, cases[i].v, cases[i].len), 0);
		assert_int_equal(vm->result.reason, VM_STOP_POWEROFF);
		assert_int_equal(vm->result.status, cases[i].status);
		vm_destroy(vm);
	}
}

static void test_sysctl_message_names_raw_status(void **state)
{
	struct vm *vm = test_vm_new();

	assert_int_equal(dev_sysctl_create(vm, TRAPEZE_PORT_SYSCTL), 0);
	assert_int_equal(port_write(vm, TRAPEZE_PORT_SYSCTL, 4000000000u, 4), 0);
	assert_non_null(strstr(vm->result.message, "4000000000"));
	vm_destroy(vm);
}

/* ---- test port ---------------------------------------------------------- */

#define UCALL_GPA 0x2000

static struct vm *new_vm_with_ram(void)
{
	struct vm *vm = test_vm_new();

	assert_int_equal(gmem_init(&vm->mem, 1 << 20), 0);
	assert_int_equal(dev_testport_create(vm, TRAPEZE_PORT_TESTPORT), 0);
	return vm;
}

static void put_ucall(struct vm *vm, uint64_t cmd, uint64_t arg0)
{
	struct ucall uc = {.cmd = cmd, .args = {arg0}, .line = 7};

	strcpy(uc.file, "guest.c");
	strcpy(uc.msg, "x == 1");
	assert_int_equal(gmem_write(&vm->mem, UCALL_GPA, &uc, sizeof(uc)), 0);
}

static void test_testport_done_and_sync(void **state)
{
	struct vm *vm = new_vm_with_ram();

	put_ucall(vm, UCALL_SYNC, 0x1234);
	assert_int_equal(port_write(vm, TRAPEZE_PORT_TESTPORT, UCALL_GPA, 4), 0);
	assert_false(vm_stopped(vm));
	assert_int_equal(vm->nr_ucall_syncs, 1);
	assert_int_equal(vm->last_ucall.args[0], 0x1234);
	put_ucall(vm, UCALL_DONE, 0);
	assert_int_equal(port_write(vm, TRAPEZE_PORT_TESTPORT, UCALL_GPA, 4), 0);
	assert_int_equal(vm->result.reason, VM_STOP_TEST_DONE);
	assert_int_equal(vm->result.status, TRAPEZE_EXIT_OK);
	vm_destroy(vm);
}

static void test_testport_assert(void **state)
{
	struct vm *vm = new_vm_with_ram();

	put_ucall(vm, UCALL_ASSERT, 0);
	assert_int_equal(port_write(vm, TRAPEZE_PORT_TESTPORT, UCALL_GPA, 4), 0);
	assert_int_equal(vm->result.reason, VM_STOP_TEST_FAIL);
	assert_int_equal(vm->result.status, TRAPEZE_EXIT_GUEST_FAIL);
	assert_non_null(strstr(vm->result.message, "guest.c:7"));
	vm_destroy(vm);
}

/* A pointer cannot travel in 8 or 16 bits: refused, nothing acted on. */
static void test_testport_rejects_narrow_writes(void **state)
{
	struct vm *vm = new_vm_with_ram();

	put_ucall(vm, UCALL_DONE, 0);
	assert_int_equal(port_write(vm, TRAPEZE_PORT_TESTPORT, UCALL_GPA, 1), -EINVAL);
	assert_int_equal(port_write(vm, TRAPEZE_PORT_TESTPORT, UCALL_GPA, 2), -EINVAL);
	assert_int_equal(port_write(vm, TRAPEZE_PORT_TESTPORT + 2, UCALL_GPA, 2),
	                 -EINVAL);
	assert_false(vm_stopped(vm));
	assert_int_equal(port_read(vm, TRAPEZE_PORT_TESTPORT, 4), 0);
	assert_int_equal(port_read(vm, TRAPEZE_PORT_TESTPORT, 1), 0xa5a5a500);
	vm_destroy(vm);
}

/* ---- the board ---------------------------------------------------------- */

static void test_board_registers_all_devices(void **state)
{
	static const struct {
		uint16_t port;
		uint64_t len;
		const char *name;
	} want[] = {
	    {TRAPEZE_PORT_DEBUG_EXIT, 4, "isa-debug-exit"},
	    {TRAPEZE_PORT_COM1, 8, "uart16550"},
	    {TRAPEZE_PORT_SYSCTL, 4, "sysctl"},
	    {TRAPEZE_PORT_TESTPORT, 4, "testport"},
	    {0x40, 4, "i8254"},
	    {0x61, 1, "port B"},
	    {0x20, 2, "i8259 master"},
	    {0xa0, 2, "i8259 slave"},
	    {0x4d0, 2, "i8259 ELCR"},
	};
	struct vm *vm = test_vm_new();
	char err[256] = "";

	assert_int_equal(board_setup(vm, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(vm->nr_devices, 6);
	assert_int_equal(vm->pio.nr, sizeof(want) / sizeof(want[0]));
	assert_non_null(vm->irqchip); /* the PIC pair is the interrupt controller */
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct bus_range *r = bus_find(&vm->pio, want[i].port);
		assert_non_null(r);
		assert_int_equal(r->base, want[i].port);
		assert_int_equal(r->len, want[i].len);
		assert_string_equal(r->name, want[i].name);
	}
	assert_int_equal(port_read(vm, TRAPEZE_PORT_SYSCTL, 4), TRAPEZE_SYSCTL_SIGNATURE);
	vm_destroy(vm);
}

/* The board's UART uses the configured fds and IRQ 4. */
static void test_board_uart_wiring(void **state)
{
	struct vm *vm = test_vm_new();
	char err[256];
	int out[2], in[2];
	char c = 0;

	assert_int_equal(pipe(out), 0);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(fcntl(out[0], F_SETFL, O_NONBLOCK), 0); /* never hang */
	vm->cfg.serial_out_fd = out[1];
	vm->cfg.serial_in_fd = in[0];
	assert_int_equal(board_setup(vm, err, sizeof(err)), 0);
	assert_int_equal(port_write(vm, TRAPEZE_PORT_COM1, 'T', 1), 0);
	assert_int_equal(read(out[0], &c, 1), 1);
	assert_int_equal(c, 'T');
	assert_int_equal(write(in[1], "R", 1), 1);
	assert_int_equal(port_read(vm, TRAPEZE_PORT_COM1, 1) & 0xff, 'R');
	port_write(vm, TRAPEZE_PORT_COM1 + 4, 0x08, 1); /* MCR.OUT2 */
	port_write(vm, TRAPEZE_PORT_COM1 + 1, 0x02, 1); /* IER.ETBEI */
	assert_int_equal(vm->irq_level, 1u << 4);
	vm_destroy(vm);
	close(out[0]);
	close(out[1]);
	close(in[0]);
	close(in[1]);
}

static int dummy_io(void *dev, struct vcpu *vcpu, uint64_t offset, void *data,
                    unsigned len, bool is_write)
{
	return 0;
}

static void test_board_fails_cleanly_on_overlap(void **state)
{
	struct vm *vm = test_vm_new();
	char err[256] = "";

	/* Something already sits on 0xf5, inside isa-debug-exit's range. */
	assert_int_equal(bus_register(&vm->pio, 0xf5, 1, dummy_io, NULL, "squatter"), 0);
	assert_int_equal(board_setup(vm, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "isa-debug-exit"));
	assert_non_null(strstr(err, "0xf4"));
	assert_null(strchr(err, '\n'));
	/* The squatter is untouched; vm_destroy frees what was built. */
	assert_string_equal(bus_find(&vm->pio, 0xf5)->name, "squatter");
	vm_destroy(vm);
}

static void test_board_twice_is_refused(void **state)
{
	struct vm *vm = test_vm_new();
	char err[256] = "";

	assert_int_equal(board_setup(vm, err, sizeof(err)), 0);
	assert_int_equal(board_setup(vm, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "0x3f8"));
	/* The first board still works. */
	assert_int_equal(port_read(vm, TRAPEZE_PORT_SYSCTL, 4), TRAPEZE_SYSCTL_SIGNATURE);
	vm_destroy(vm);
}

/* Two boards in one process do not share state. */
static void test_two_boards(void **state)
{
	struct vm *a = test_vm_new(), *b = test_vm_new();
	char err[256];

	assert_int_equal(board_setup(a, err, sizeof(err)), 0);
	assert_int_equal(board_setup(b, err, sizeof(err)), 0);
	assert_int_equal(port_write(a, TRAPEZE_PORT_SYSCTL, 5, 4), 0);
	assert_int_equal(a->result.status, 5);
	assert_false(vm_stopped(b));
	assert_int_equal(port_write(b, TRAPEZE_PORT_DEBUG_EXIT, 1, 1), 0);
	assert_int_equal(b->result.reason, VM_STOP_DEBUG_EXIT);
	assert_int_equal(a->result.reason, VM_STOP_POWEROFF);
	vm_destroy(a);
	vm_destroy(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_debug_exit_statuses),
	    cmocka_unit_test(test_debug_exit_message_and_first_stop_wins),
	    cmocka_unit_test(test_debug_exit_reads_zero),
	    cmocka_unit_test(test_sysctl_signature),
	    cmocka_unit_test(test_sysctl_power_off),
	    cmocka_unit_test(test_sysctl_message_names_raw_status),
	    cmocka_unit_test(test_testport_done_and_sync),
	    cmocka_unit_test(test_testport_assert),
	    cmocka_unit_test(test_testport_rejects_narrow_writes),
	    cmocka_unit_test(test_board_registers_all_devices),
	    cmocka_unit_test(test_board_uart_wiring),
	    cmocka_unit_test(test_board_fails_cleanly_on_overlap),
	    cmocka_unit_test(test_board_twice_is_refused),
	    cmocka_unit_test(test_two_boards),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
