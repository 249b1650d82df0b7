/*
 * test_kernel.c - the teaching kernel (guest/kernel) and its user
 * programs on every engine, and the same runs under QEMU for comparison.
 *
 * Part 1, one case per program on each target (guest_runner.h: the KVM
 * engine, and the software engine with shadow and with nested paging):
 * boot kernel.elf with the case's command line and check how the VM
 * stopped (power-off with the program's exit status, or the kernel's own
 * status), that the serial output has the expected lines, and that a
 * software run used the MMU model it asked for.  An engine that is not
 * usable here is skipped with its reason.
 *
 * Part 2, QEMU as the reference machine: boot the same kernel.elf under
 * `qemu-system-x86_64 -accel tcg -kernel` (multiboot) with the same
 * command line and compare its serial output with trapeze's, byte for
 * byte.  One field is masked first: the value after "rflags=" in a crash
 * report, which legitimately differs between machines (hardware sets RF
 * in the RFLAGS image of a fault, QEMU's TCG does not; and the
 * arithmetic flags left by some instructions, e.g. imul's ZF, are
 * undefined).  Skipped when QEMU is not installed.
 *
 * Programs that need the timer (sleep, preemption) are skipped on
 * trapeze while the board has no i8259 PIC and i8254 PIT (see
 * kernel.cmake, TRAPEZE_BOARD_HAS_TIMER).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "guest_runner.h"

#define QEMU_PATH      "/usr/bin/qemu-system-x86_64"
#define QEMU_TIMEOUT_S "120"
#define KERNEL_IMAGE   "kernel"
#define MAX_LINES      12
#define RUN_TIMEOUT    60.0

/* Power-off statuses of the kernel itself (guest/kernel/kernel.h). */
#define KSTATUS_USAGE 2
#define KSTATUS_PANIC 3

#ifndef TRAPEZE_BOARD_HAS_TIMER
#define TRAPEZE_BOARD_HAS_TIMER 0
#endif

struct kernel_case {
	const char *name;
	const char *cmdline;
	enum boot_protocol proto;
	int status;                    /* power-off status */
	bool needs_timer;              /* sleeps or relies on preemption */
	bool compare_with_qemu;        /* deterministic serial output */
	const char *lines[MAX_LINES];  /* substrings of the serial output */
};

static const struct kernel_case cases[] = {
	{ "hello", "run=hello", BOOT_AUTO, 0, false, true,
	  { "kernel: starting init: hello\n",
	    "hello from user mode: pid 1, 0 arguments\n",
	    "kernel: init exited with status 0\n" } },
	{ "hello with arguments (multiboot)", "run=hello one two", BOOT_MULTIBOOT, 0, false,
	  true, { "hello from user mode: pid 1, 2 arguments one two\n" } },
	{ "forktest", "run=forktest", BOOT_AUTO, 0, false, true,
	  { "forktest: 40 children exited, every pid and status checked\n",
	    "forktest: the process table filled after 63 forks (EAGAIN); all reaped\n",
	    "forktest: nested forks 5 deep returned 5\n",
	    "forktest: an orphan was reparented to init and reaped\n",
	    "forktest: no pages leaked\nforktest: ok\n" } },
	{ "cowtest", "run=cowtest", BOOT_AUTO, 0, false, true,
	  { "cowtest: the child's writes stayed private (data bss heap stack)\n",
	    "cowtest: the parent's writes stayed private (data bss heap stack)\n",
	    "cowtest: 3 processes sharing pages each got their own copy\n",
	    "cowtest: no pages leaked\ncowtest: ok\n" } },
	{ "pfault", "run=pfault", BOOT_AUTO, 0, false, true,
	  { "pfault: touched 512 fresh heap pages\n",
	    "pfault: all 512 pages read back correctly, checksum 0x6833cb9c6e244039\n",
	    "pfault: sbrk(-2097152) gave all 512 pages back\npfault: ok\n" } },
	/* 40 rounds keep the software engines' runs short; the benchmark
	 * (bench/bench.c) runs the full size */
	{ "compute", "run=compute 40", BOOT_AUTO, 0, false, true,
	  { "compute: 40 rounds: 17984 primes below 200000, last trace 4343851980383\n",
	    "compute: checksum 0xca55e50d623c8147\n" } },
	{ "compute with a size argument", "run=compute 7", BOOT_AUTO, 0, false, false,
	  { "compute: 7 rounds: 17984 primes below 200000, last trace " } },
	{ "crash", "run=crash", BOOT_AUTO, 0, false, true,
	  { " addr 0x0 err 0x4\n[pid 2 crash] rax=",
	    "[pid 2 crash] cs=0023 ss=001b vector=14 error=0x4\n",
	    " err 0x7\n[pid 3 crash] rax=", " err 0x15\n[pid 4 crash] rax=",
	    "[pid 5 crash] killed: invalid opcode (#UD) at rip 0x40",
	    "[pid 6 crash] killed: divide error (#DE) at rip 0x40",
	    "[pid 7 crash] killed: general protection (#GP) at rip 0x40",
	    "[pid 8 crash] killed: breakpoint (#BP) at rip 0x40",
	    "crash: child 9 (stack overflow) was killed by vector 14, as expected\n",
	    "crash: the kernel survived 8 crashing children\ncrash: ok\n" } },
	{ "systest", "run=systest", BOOT_AUTO, 0, true, true,
	  { "systest: write: ok\n", "systest: fork, wait: ok\n",
	    "systest: sbrk, memfree: ok\n", "systest: sleep, uptime: ok\n",
	    "systest: all checks passed\n" } },
	{ "preempt", "run=preempt", BOOT_AUTO, 0, true, true,
	  { "preempt: both children ran before the deadline: the timer preempted them\n",
	    "preempt: ok\n" } },
	{ "unknown program", "run=nosuch", BOOT_AUTO, KSTATUS_USAGE, false, true,
	  { "kernel:   hello forktest cowtest pfault compute preempt crash systest\n",
	    "kernel: nothing to do (status 2)\n" } },
	{ "kernel fault (kfault)", "kfault run=hello", BOOT_AUTO, KSTATUS_PANIC, false, false,
	  { "kernel panic: page fault (#PF) at rip 0xffffffff",
	    " addr 0x0 err 0x0\n", "kernel panic:   cs=0008 ss=0010 vector=14 error=0x0\n",
	    "kernel: halted after a kernel fault (status 3)\n" } },
};

#define NR_CASES (sizeof(cases) / sizeof(cases[0]))

struct target_case {
	const struct run_target *target;
	const struct kernel_case *kc;
};

/* Skip (with the reason) if the engine cannot run here. */
static void skip_unless_usable(const struct engine_ops *engine)
{
	struct engine_info info;

	if (engine->probe(&info)) {
		print_message("skipping on engine %s: %s\n", engine->name, info.detail);
		skip();
	}
}

static void skip_unless_timer(const struct kernel_case *kc)
{
	if (kc->needs_timer && !TRAPEZE_BOARD_HAS_TIMER) {
		print_message("skipping %s: the trapeze board has no i8259 PIC / i8254 PIT yet\n",
		              kc->name);
		skip();
	}
}

/* Boot kernel.elf with kc's command line on target; fails the test if
 * the VM cannot be set up.  The caller frees the result (guest_run_free). */
static struct guest_run *boot_kernel(const struct run_target *target,
                                     const struct kernel_case *kc)
{
	struct guest_run *run = calloc(1, sizeof(*run));
	char path[512];

	assert_non_null(run);
	guest_image_path(KERNEL_IMAGE, path, sizeof(path));
	if (guest_run(target, path, kc->proto, kc->cmdline, RUN_TIMEOUT, run))
		fail_msg("could not start %s: %s", path, run->message);
	return run;
}

static void run_case(void **state)
{
	const struct target_case *tc = *state;
	const struct kernel_case *kc = tc->kc;
	struct guest_run *run;
	const char *model_error;

	skip_unless_usable(tc->target->engine);
	skip_unless_timer(kc);
	run = boot_kernel(tc->target, kc);
	if (run->reason != VM_STOP_POWEROFF || run->status != kc->status)
		fail_msg("%s on %s: stopped with '%s' (status %d), expected power-off with "
		         "status %d\nserial output:\n%s",
		         kc->cmdline, tc->target->name, run->message, run->status, kc->status,
		         run->serial);
	for (unsigned i = 0; i < MAX_LINES && kc->lines[i]; i++) {
		if (!strstr(run->serial, kc->lines[i]))
			fail_msg("%s on %s: serial output lacks '%s':\n%s", kc->cmdline,
			         tc->target->name, kc->lines[i], run->serial);
	}
	if ((model_error = guest_run_model_error(tc->target, run)))
		fail_msg("%s on %s: %s", kc->cmdline, tc->target->name, model_error);
	if (kc->proto != BOOT_AUTO)
		assert_int_equal(run->proto, kc->proto);
	guest_run_free(run);
}

/* ---- QEMU comparison ----------------------------------------------------- */

/* Replace the hex digits after every "rflags=" with 'x' (see the top). */
static void mask_rflags(char *text)
{
	for (char *p = strstr(text, "rflags="); p; p = strstr(p, "rflags=")) {
		p += strlen("rflags=");
		while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))
			*p++ = 'x';
	}
}

/* Read the whole file at path into buf (NUL-terminated). */
static void read_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, size - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

/*
 * Boot kernel.elf under QEMU TCG with `cmdline`; the serial output goes
 * to out (NUL-terminated).  Returns QEMU's exit status, or -1.
 */
static int run_qemu(const char *cmdline, char *out, size_t size)
{
	char image[512], serial_path[] = "/tmp/trapeze-kernel-qemu-XXXXXX";
	int fd = mkstemp(serial_path), status = -1;
	pid_t pid;

	guest_image_path(KERNEL_IMAGE, image, sizeof(image));
	if (fd < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execl("/usr/bin/timeout", "timeout", QEMU_TIMEOUT_S, QEMU_PATH, "-accel", "tcg",
		      "-m", "64", "-kernel", image, "-append", cmdline, "-serial", "stdio",
		      "-display", "none", "-nodefaults", "-no-reboot", "-device",
		      "isa-debug-exit", (char *)NULL);
		_exit(127);
	}
	close(fd);
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		status = WEXITSTATUS(status);
	else
		status = -1;
	read_file(serial_path, out, size);
	unlink(serial_path);
	return status;
}

/* The first target whose engine is usable here (in engine_table order:
 * KVM when it works) into *out; false if there is none. */
static bool usable_target(struct run_target *out)
{
	struct run_target targets[RUN_MAX_TARGETS];
	size_t nr_targets = run_targets(targets, RUN_MAX_TARGETS);
	struct engine_info info;

	for (size_t t = 0; t < nr_targets; t++) {
		if (targets[t].engine->probe(&info) == 0) {
			*out = targets[t];
			return true;
		}
	}
	return false;
}

static void compare_with_qemu(void **state)
{
	const struct kernel_case *kc = *state;
	struct run_target target_buf;
	const struct run_target *target = usable_target(&target_buf) ? &target_buf : NULL;
	char *qemu_out = calloc(1, RUN_SERIAL_MAX);
	struct guest_run *run;
	int qemu_status;

	assert_non_null(qemu_out);
	if (access(QEMU_PATH, X_OK) != 0) {
		print_message("skipping: %s is not installed\n", QEMU_PATH);
		free(qemu_out);
		skip();
	}
	if (!target) {
		print_message("skipping: no engine is usable on this host\n");
		free(qemu_out);
		skip();
	}
	skip_unless_timer(kc);
	qemu_status = run_qemu(kc->cmdline, qemu_out, RUN_SERIAL_MAX);
	/* isa-debug-exit: QEMU exits with (status << 1) | 1. */
	if (qemu_status != ((kc->status << 1) | 1))
		fail_msg("QEMU with '%s' exited with %d, expected %d; serial output:\n%s",
		         kc->cmdline, qemu_status, (kc->status << 1) | 1, qemu_out);
	run = boot_kernel(target, kc);
	mask_rflags(qemu_out);
	mask_rflags(run->serial);
	if (strcmp(qemu_out, run->serial) != 0)
		fail_msg("'%s': serial output differs\n--- QEMU:\n%s--- trapeze (%s):\n%s",
		         kc->cmdline, qemu_out, target->name, run->serial);
	guest_run_free(run);
	free(qemu_out);
}

/* ---- engines against each other ------------------------------------------ */

/* A deterministic program prints the same bytes on every engine and
 * paging model (rflags masked, as for QEMU): the software CPU is held to
 * what the hardware path shows, byte for byte. */
static void compare_engines(void **state)
{
	const struct kernel_case *kc = *state;
	struct run_target targets[RUN_MAX_TARGETS];
	size_t nr_targets = run_targets(targets, RUN_MAX_TARGETS), compared = 0;
	struct guest_run *first = NULL;
	const char *first_name = NULL;
	struct engine_info info;

	skip_unless_timer(kc);
	for (size_t t = 0; t < nr_targets; t++) {
		if (targets[t].engine->probe(&info))
			continue;
		struct guest_run *run = boot_kernel(&targets[t], kc);
		mask_rflags(run->serial);
		if (!first) {
			first = run;
			first_name = targets[t].name;
			continue;
		}
		if (strcmp(first->serial, run->serial) != 0 || first->status != run->status)
			fail_msg("'%s': %s and %s differ\n--- %s (status %d):\n%s--- %s "
			         "(status %d):\n%s", kc->cmdline, first_name, targets[t].name,
			         first_name, first->status, first->serial, targets[t].name,
			         run->status, run->serial);
		compared++;
		guest_run_free(run);
	}
	if (first)
		guest_run_free(first);
	if (compared == 0) {
		print_message("skipping: fewer than two engines are usable here\n");
		skip();
	}
}

int main(void)
{
	struct run_target targets[RUN_MAX_TARGETS];
	size_t nr_targets = run_targets(targets, RUN_MAX_TARGETS), n, k = 0;

	n = nr_targets * NR_CASES + 2 * NR_CASES;
	struct CMUnitTest *tests = calloc(n, sizeof(*tests));
	struct target_case *tcs = calloc(n, sizeof(*tcs));
	char (*names)[128] = calloc(n, sizeof(*names));

	for (size_t t = 0; t < nr_targets; t++) {
		for (size_t c = 0; c < NR_CASES; c++, k++) {
			tcs[k] = (struct target_case){ &targets[t], &cases[c] };
			snprintf(names[k], sizeof(names[k]), "%s: %s", targets[t].name,
			         cases[c].name);
			tests[k] = (struct CMUnitTest){ .name = names[k], .test_func = run_case,
			                                .initial_state = &tcs[k] };
		}
	}
	for (size_t c = 0; c < NR_CASES; c++) {
		if (!cases[c].compare_with_qemu)
			continue;
		snprintf(names[k], sizeof(names[k]), "same output as QEMU: %s", cases[c].name);
		tests[k] = (struct CMUnitTest){ .name = names[k], .test_func = compare_with_qemu,
		                                .initial_state = (void *)&cases[c] };
		k++;
		snprintf(names[k], sizeof(names[k]), "same output on every engine: %s",
		         cases[c].name);
		tests[k] = (struct CMUnitTest){ .name = names[k], .test_func = compare_engines,
		                                .initial_state = (void *)&cases[c] };
		k++;
	}
	int failed = _cmocka_run_group_tests("teaching kernel", tests, k, NULL, NULL);
	free(tests);
	free(tcs);
	free(names);
	return failed;
}
