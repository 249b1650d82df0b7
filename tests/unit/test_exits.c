/*
 * test_exits.c - the core's run loop and exit dispatch, on the scripted
 * fake engine: what each exit reason does to the VM, its devices, its
 * statistics and its exit status.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "fake_engine.h"

#define RAM (4ull << 20)

struct port_dev {
	uint8_t last[8];
	unsigned writes, reads;
	int fail; /* returned by the handler when non-zero */
};

static int port_handler(void *dev, struct vcpu *vcpu, uint64_t offset, void *data,
                        unsigned len, bool is_write)
{
	struct port_dev *p = dev;
	if (p->fail)
		return p->fail;
	if (is_write) {
		memcpy(p->last, data, len);
		p->writes++;
	} else {
		memset(data, (int)(0x10 + p->reads), len);
		p->reads++;
	}
	return 0;
}

static void io_exits_reach_the_device_and_count(void **unused)
{
	struct vm *vm = fake_vm_create(RAM);
	struct port_dev dev = { 0 };

	assert_int_equal(bus_register(&vm->pio, 0x300, 4, port_handler, &dev, "dev"), 0);
	uint8_t *out = fake_push_io(vm, 0x301, 2, true, 1);
	out[0] = 0x34;
	out[1] = 0x12;
	/* rep insw with count 3: three device reads into consecutive slots */
	uint8_t *in = fake_push_io(vm, 0x300, 2, false, 3);
	fake_push(vm, VM_EXIT_SHUTDOWN);

	assert_int_equal(vm_run(vm), TRAPEZE_EXIT_TRIPLE_FAULT);
	assert_int_equal(dev.writes, 1);
	assert_int_equal(dev.last[0], 0x34);
	assert_int_equal(dev.last[1], 0x12);
	assert_int_equal(dev.reads, 3);
	assert_int_equal(in[0], 0x10);
	assert_int_equal(in[2], 0x11);
	assert_int_equal(in[4], 0x12);
	assert_int_equal(vm->stats.exits[VM_EXIT_IO], 2);
	assert_int_equal(vm->stats.total_exits, 3);
	assert_int_equal(vm->stats.ports.nr, 2);
	vm_destroy(vm);
}

static void unclaimed_port_and_mmio_read_all_ones(void **unused)
{
	struct vm *vm = fake_vm_create(RAM);

	uint8_t *in = fake_push_io(vm, 0x2f0, 4, false, 1);
	uint8_t *mm = fake_push_mmio(vm, 0xd0000000, 8, false);
	fake_push_io(vm, 0x2f0, 1, true, 1);
	fake_push(vm, VM_EXIT_SHUTDOWN);
	vm_run(vm);
	for (int i = 0; i < 4; i++)
		assert_int_equal(in[i], 0xff);
	for (int i = 0; i < 8; i++)
		assert_int_equal(mm[i], 0xff);
	assert_int_equal(vm->stats.unclaimed_pio, 2);
	assert_int_equal(vm->stats.unclaimed_mmio, 1);
	assert_null(vm->stats.ports.rows[0].device);
	vm_destroy(vm);
}

static void failing_device_stops_vm_naming_it(void **unused)
{
	struct vm *vm = fake_vm_create(RAM);
	struct port_dev dev = { .fail = -EINVAL };

	bus_register(&vm->pio, 0x500, 1, port_handler, &dev, "picky");
	fake_push_io(vm, 0x500, 1, true, 1);
	fake_push(vm, VM_EXIT_SHUTDOWN);
	assert_int_equal(vm_run(vm), TRAPEZE_EXIT_GUEST_ERROR);
	assert_int_equal(vm->result.reason, VM_STOP_GUEST_ERROR);
	assert_non_null(strstr(vm->result.message, "picky"));
	assert_non_null(strstr(vm->result.message, "0x500"));
	assert_int_equal(fake_of(vm)->next, 1); /* stopped before the shutdown */
	vm_destroy(vm);
}

static void hlt_with_interrupts_off_is_reported(void **unused)
{
	struct vm *vm = fake_vm_create(RAM);

	fake_of(vm)->state.rflags = X86_RFLAGS_FIXED; /* IF clear */
	fake_of(vm)->state.rip = 0x100234;
	fake_push(vm, VM_EXIT_HLT);
	assert_int_equal(vm_run(vm), TRAPEZE_EXIT_GUEST_ERROR);
	assert_non_null(strstr(vm->result.message, "interrupts disabled"));
	assert_non_null(strstr(vm->result.message, "0x100234"));
	vm_destroy(vm);
}

static void hlt_without_interrupt_controller_is_reported(void **unused)
{
	struct vm *vm = fake_vm_create(RAM);

	fake_of(vm)->state.rflags = X86_RFLAGS_FIXED | X86_RFLAGS_IF;
	fake_push(vm, VM_EXIT_HLT);
	assert_int_equal(vm_run(vm), TRAPEZE_EXIT_GUEST_ERROR);
	assert_non_null(strstr(vm->result.message, "no interrupt controller"));
	vm_destroy(vm);
}

static void internal_error_and_failed_entry_are_guest_errors(void **unused)
{
	struct vm *vm = fake_vm_create(RAM);

	fake_push(vm, VM_EXIT_INTERNAL);
	fake_of(vm)->script[0].internal.what = "emulation failure";
	assert_int_equal(vm_run(vm), TRAPEZE_EXIT_GUEST_ERROR);
	assert_non_null(strstr(vm->result.message, "emulation failure"));
	assert_int_equal(vm->result.exit.reason, VM_EXIT_INTERNAL);
	vm_destroy(vm);

	vm = fake_vm_create(RAM);
	fake_push(vm, VM_EXIT_FAIL_ENTRY);
	assert_int_equal(vm_run(vm), TRAPEZE_EXIT_GUEST_ERROR);
	assert_non_null(strstr(vm->result.message, "refused to enter"));
	vm_destroy(vm);
}

static void engine_failure_is_a_vmm_error(void **unused)
{
	struct vm *vm = fake_vm_create(RAM);

	fake_of(vm)->run_error = -EIO;
	assert_int_equal(vm_run(vm), TRAPEZE_EXIT_VMM_ERROR);
	assert_int_equal(vm->result.reason, VM_STOP_ERROR);
	vm_destroy(vm);
}

static void timeout_stops_a_spinning_guest(void **unused)
{
	struct vm *vm = fake_vm_create(RAM);

	vm->cfg.timeout_sec = 0.05;
	assert_int_equal(vm_run(vm), TRAPEZE_EXIT_TIMEOUT);
	assert_int_equal(vm->result.reason, VM_STOP_TIMEOUT);
	assert_int_equal(vm->stats.exits[VM_EXIT_KICK], 1);
	vm_destroy(vm);
}

struct tick {
	struct vm_timer t;
	struct vm *vm;
	uint64_t armed_at, fired_at;
	int fired;
};

static void tick_fire(struct vm_timer *t, uint64_t now)
{
	struct tick *k = t->opaque;
	k->fired_at = now;
	if (++k->fired == 3)
		vm_stop(k->vm, VM_STOP_POWEROFF, 0, "three ticks");
	else
		vm_timer_arm(t, now + 10 * 1000 * 1000); /* periodic: 10 ms */
}

/* A device timer kicks a guest that never exits on its own, fires no
 * earlier than its deadline, and can re-arm itself. */
static void device_timer_kicks_spinning_guest(void **unused)
{
	struct vm *vm = fake_vm_create(RAM);
	struct tick k = { .vm = vm };

	k.t.fire = tick_fire;
	k.t.opaque = &k;
	assert_int_equal(vm_timer_add(vm, &k.t), 0);
	k.armed_at = vm_clock_ns();
	vm_timer_arm(&k.t, k.armed_at + 20 * 1000 * 1000);
	vm->cfg.timeout_sec = 5;
	assert_int_equal(vm_run(vm), 0);
	assert_int_equal(k.fired, 3);
	assert_true(k.fired_at - k.armed_at >= 40 * 1000 * 1000);
	/* the stop is seen at once, not at the next exit (here: the timeout) */
	assert_true(vm_clock_ns() - k.fired_at < 1000 * 1000 * 1000);
	assert_true(vm->stats.exits[VM_EXIT_KICK] >= 3);
	vm_destroy(vm);
}

/* ---- the test port's ucall handling ---------------------------------------- */

static void put_ucall(struct vm *vm, gpa_t gpa, uint64_t cmd, const char *msg)
{
	struct ucall uc = { .cmd = cmd, .line = 42 };
	strcpy(uc.file, "guest.c");
	strcpy(uc.msg, msg);
	assert_int_equal(gmem_write(&vm->mem, gpa, &uc, sizeof(uc)), 0);
}

static void ucall_sync_then_done(void **unused)
{
	struct vm *vm = fake_vm_create(RAM);

	put_ucall(vm, 0x5000, UCALL_SYNC, "");
	assert_int_equal(vm_handle_ucall(vm, 0x5000), 0);
	assert_int_equal(vm_handle_ucall(vm, 0x5000), 0);
	assert_false(vm_stopped(vm));
	put_ucall(vm, 0x5000, UCALL_DONE, "");
	vm_handle_ucall(vm, 0x5000);
	assert_int_equal(vm->result.reason, VM_STOP_TEST_DONE);
	assert_int_equal(vm->result.status, 0);
	assert_int_equal(vm->nr_ucall_syncs, 2);
	vm_destroy(vm);
}

static void ucall_assert_reports_file_line_message(void **unused)
{
	struct vm *vm = fake_vm_create(RAM);

	put_ucall(vm, 0x5000, UCALL_ASSERT, "x == 3");
	vm_handle_ucall(vm, 0x5000);
	assert_int_equal(vm->result.status, TRAPEZE_EXIT_GUEST_FAIL);
	assert_non_null(strstr(vm->result.message, "guest.c:42: x == 3"));
	vm_destroy(vm);
}

static void ucall_unterminated_strings_are_cut(void **unused)
{
	struct vm *vm = fake_vm_create(RAM);
	struct ucall uc;

	memset(&uc, 'A', sizeof(uc));
	uc.cmd = UCALL_ASSERT;
	gmem_write(&vm->mem, 0x6000, &uc, sizeof(uc));
	vm_handle_ucall(vm, 0x6000);
	assert_int_equal(vm->result.reason, VM_STOP_TEST_FAIL);
	assert_true(strlen(vm->last_ucall.msg) == UCALL_MSG_LEN - 1);
	vm_destroy(vm);
}

static void ucall_wild_pointer_is_refused(void **unused)
{
	struct vm *vm = fake_vm_create(RAM);

	/* the struct would end past the last byte of RAM */
	vm_handle_ucall(vm, RAM - 8);
	assert_int_equal(vm->result.reason, VM_STOP_GUEST_ERROR);
	assert_non_null(strstr(vm->result.message, "outside guest RAM"));
	vm_destroy(vm);
}

/* ---- interrupts ---------------------------------------------------------- */

struct chip {
	int vector;
	int acked;
};

static int chip_pending(void *c) { return ((struct chip *)c)->vector; }
static void chip_ack(void *c, int vector)
{
	((struct chip *)c)->acked = vector;
	((struct chip *)c)->vector = -1;
}

static void pending_interrupt_is_injected_once(void **unused)
{
	struct vm *vm = fake_vm_create(RAM);
	struct chip chip = { .vector = 0x24, .acked = -1 };

	vm->irqchip = &chip;
	vm->irqchip_pending = chip_pending;
	vm->irqchip_ack = chip_ack;
	fake_push(vm, VM_EXIT_IRQ_WINDOW);
	fake_push(vm, VM_EXIT_SHUTDOWN);
	vm_run(vm);
	assert_int_equal(fake_of(vm)->nr_injected, 1);
	assert_int_equal(fake_of(vm)->injected[0].vector, 0x24);
	assert_int_equal(fake_of(vm)->injected[0].kind, X86_EVENT_EXTINT);
	assert_int_equal(chip.acked, 0x24);
	assert_int_equal(vm->stats.injected_irqs, 1);
	vm_destroy(vm);
}

static void refused_injection_is_not_acked(void **unused)
{
	struct vm *vm = fake_vm_create(RAM);
	struct chip chip = { .vector = 0x30, .acked = -1 };

	vm->irqchip = &chip;
	vm->irqchip_pending = chip_pending;
	vm->irqchip_ack = chip_ack;
	fake_of(vm)->refuse_inject = true;
	fake_push(vm, VM_EXIT_SHUTDOWN);
	vm_run(vm);
	assert_int_equal(chip.acked, -1);
	assert_int_equal(chip.vector, 0x30); /* still pending for later */
	vm_destroy(vm);
}

static void first_stop_reason_wins(void **unused)
{
	struct vm *vm = fake_vm_create(RAM);

	vm_stop(vm, VM_STOP_POWEROFF, 3, "first");
	vm_stop(vm, VM_STOP_TRIPLE_FAULT, 122, "second");
	assert_int_equal(vm->result.status, 3);
	assert_string_equal(vm->result.message, "first");
	vm_destroy(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(io_exits_reach_the_device_and_count),
		cmocka_unit_test(unclaimed_port_and_mmio_read_all_ones),
		cmocka_unit_test(failing_device_stops_vm_naming_it),
		cmocka_unit_test(hlt_with_interrupts_off_is_reported),
		cmocka_unit_test(hlt_without_interrupt_controller_is_reported),
		cmocka_unit_test(internal_error_and_failed_entry_are_guest_errors),
		cmocka_unit_test(engine_failure_is_a_vmm_error),
		cmocka_unit_test(timeout_stops_a_spinning_guest),
		cmocka_unit_test(device_timer_kicks_spinning_guest),
		cmocka_unit_test(ucall_sync_then_done),
		cmocka_unit_test(ucall_assert_reports_file_line_message),
		cmocka_unit_test(ucall_unterminated_strings_are_cut),
		cmocka_unit_test(ucall_wild_pointer_is_refused),
		cmocka_unit_test(pending_interrupt_is_injected_once),
		cmocka_unit_test(refused_injection_is_not_acked),
		cmocka_unit_test(first_stop_reason_wins),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
