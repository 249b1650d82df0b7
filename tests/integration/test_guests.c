/*
 * test_guests.c - every guest scenario on every engine built in.
 *
 * Each case boots one image and states what a user would see: how the VM
 * stops, the exit status, text on the serial line, test-port checkpoints.
 * The cases run once per target (guest_runner.h): the KVM engine once, the
 * software engine once with shadow paging and once with nested paging --
 * the page-table conformance guest among them, so both MMU models meet
 * the SDM's rules.  An engine that is not usable on this host (no
 * /dev/kvm, ...) is skipped with its reason printed, never silently
 * passed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "guest_runner.h"

struct guest_case {
	const char *name;
	const char *image;
	enum boot_protocol proto;
	const char *cmdline;
	double timeout;
	enum vm_stop_reason reason;
	int status;
	const char *serial;  /* substring of the serial output, or NULL */
	const char *message; /* substring of the stop message, or NULL */
	unsigned syncs;      /* GUEST_SYNC count, with values 1..syncs */
	bool unclaimed_pio, unclaimed_mmio;
};

#define STOPS(r, st) .reason = (r), .status = (st)

static const struct guest_case cases[] = {
	{ .name = "hello (PVH)", .image = "hello", .timeout = 20,
	  STOPS(VM_STOP_POWEROFF, 0), .serial = "hello from a trapeze guest\n",
	  .message = "status 0" },
	{ .name = "hello (multiboot)", .image = "hello", .proto = BOOT_MULTIBOOT,
	  .timeout = 20, STOPS(VM_STOP_POWEROFF, 0),
	  .serial = "hello from a trapeze guest\n", .message = "status 0" },
	{ .name = "test port: sync points then done", .image = "t_ucall", .timeout = 20,
	  STOPS(VM_STOP_TEST_DONE, 0), .message = "passed", .syncs = 3 },
	{ .name = "test port: failed assertion", .image = "t_assert", .timeout = 20,
	  STOPS(VM_STOP_TEST_FAIL, TRAPEZE_EXIT_GUEST_FAIL),
	  .message = "guest assertion failed at" },
	{ .name = "port I/O forms", .image = "t_io", .timeout = 20,
	  STOPS(VM_STOP_TEST_DONE, 0), .serial = "rep outsb works",
	  .unclaimed_pio = true },
	{ .name = "command line and memory map", .image = "t_cmdline",
	  .cmdline = "alpha=1 beta=two", .timeout = 20, STOPS(VM_STOP_TEST_DONE, 0),
	  .serial = "alpha=1 beta=two" },
	{ .name = "MMIO to unbacked address", .image = "t_mmio", .timeout = 20,
	  STOPS(VM_STOP_TEST_DONE, 0), .unclaimed_mmio = true },
	{ .name = "triple fault", .image = "t_triple", .timeout = 20,
	  STOPS(VM_STOP_TRIPLE_FAULT, TRAPEZE_EXIT_TRIPLE_FAULT),
	  .message = "triple fault" },
	{ .name = "isa-debug-exit", .image = "t_debugexit", .timeout = 20,
	  STOPS(VM_STOP_DEBUG_EXIT, 0x43), .message = "0x21" },
	{ .name = "power-off with status", .image = "t_poweroff", .timeout = 20,
	  STOPS(VM_STOP_POWEROFF, 7), .message = "status 7" },
	{ .name = "hlt with interrupts off", .image = "t_hlt", .timeout = 20,
	  STOPS(VM_STOP_GUEST_ERROR, TRAPEZE_EXIT_GUEST_ERROR),
	  .message = "interrupts disabled" },
	{ .name = "wild test-port pointer", .image = "t_wild", .timeout = 20,
	  STOPS(VM_STOP_GUEST_ERROR, TRAPEZE_EXIT_GUEST_ERROR),
	  .message = "outside guest RAM" },
	{ .name = "timeout of a spinning guest", .image = "t_spin", .timeout = 0.5,
	  STOPS(VM_STOP_TIMEOUT, TRAPEZE_EXIT_TIMEOUT), .message = "timeout" },
	{ .name = "PIT interrupts through the PIC", .image = "t_timer", .timeout = 20,
	  STOPS(VM_STOP_TEST_DONE, 0), .message = "passed" },
	{ .name = "page-table conformance", .image = "t_paging", .timeout = 60,
	  STOPS(VM_STOP_TEST_DONE, 0), .serial = " cases checked\n", .syncs = 10 },
};

struct target_case {
	const struct run_target *target;
	const struct guest_case *gc;
};

static void run_case(void **state)
{
	const struct target_case *tc = *state;
	const struct guest_case *gc = tc->gc;
	struct engine_info info;
	struct guest_run *run = calloc(1, sizeof(*run));
	const char *model_error;
	char path[512];

	if (tc->target->engine->probe(&info)) {
		print_message("skipping on engine %s: %s\n", tc->target->engine->name,
		              info.detail);
		free(run);
		skip();
	}
	assert_non_null(run);
	guest_image_path(gc->image, path, sizeof(path));
	if (guest_run(tc->target, path, gc->proto, gc->cmdline, gc->timeout, run))
		fail_msg("could not start %s: %s", path, run->message);
	if (run->reason != gc->reason || run->status != gc->status)
		fail_msg("%s on %s: stopped with '%s' (status %d), expected '%s' (status %d)"
		         "\nserial output:\n%s",
		         gc->image, tc->target->name, run->message, run->status,
		         vm_stop_reason_name(gc->reason), gc->status, run->serial);
	if ((model_error = guest_run_model_error(tc->target, run)))
		fail_msg("%s on %s: %s", gc->image, tc->target->name, model_error);
	if (gc->serial && !strstr(run->serial, gc->serial))
		fail_msg("serial output lacks '%s':\n%s", gc->serial, run->serial);
	if (gc->message && !strstr(run->message, gc->message))
		fail_msg("stop message lacks '%s': %s", gc->message, run->message);
	assert_int_equal(run->nr_syncs, gc->syncs);
	for (unsigned i = 0; i < gc->syncs; i++)
		assert_int_equal(run->syncs[i], i + 1);
	if (gc->unclaimed_pio)
		assert_true(run->stats_copy.unclaimed_pio > 0);
	if (gc->unclaimed_mmio)
		assert_true(run->stats_copy.unclaimed_mmio > 0);
	if (gc->proto != BOOT_AUTO)
		assert_int_equal(run->proto, gc->proto);
	guest_run_free(run);
}

int main(void)
{
	struct run_target targets[RUN_MAX_TARGETS];
	size_t nr_targets = run_targets(targets, RUN_MAX_TARGETS);
	size_t n = nr_targets * ARRAY_SIZE(cases);
	struct CMUnitTest *tests = calloc(n, sizeof(*tests));
	struct target_case *tcs = calloc(n, sizeof(*tcs));
	char (*names)[128] = calloc(n, sizeof(*names));

	for (size_t t = 0, k = 0; t < nr_targets; t++) {
		for (size_t c = 0; c < ARRAY_SIZE(cases); c++, k++) {
			tcs[k] = (struct target_case){ &targets[t], &cases[c] };
			snprintf(names[k], sizeof(names[k]), "%s: %s", targets[t].name,
			         cases[c].name);
			tests[k] = (struct CMUnitTest){ .name = names[k],
			                                .test_func = run_case,
			                                .initial_state = &tcs[k] };
		}
	}
	int failed = _cmocka_run_group_tests("guests on every engine", tests, n, NULL, NULL);
	free(tests);
	free(tcs);
	free(names);
	return failed;
}
