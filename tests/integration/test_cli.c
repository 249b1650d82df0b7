/*
 * test_cli.c - `trapeze` as a user runs it: exit statuses, one-line errors
 * for bad input, the --stats table and its JSON form, and the same
 * hello.elf under QEMU.
 *
 * Each case spawns the real binary ($TRAPEZE_BUILD/trapeze) with its
 * stdout and stderr captured; a crash (death by signal) fails the test
 * whatever the case expected.  In the sanitizer build the binary is the
 * sanitized one, so malformed images also run under ASan and UBSan.
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

#include "core/bootproto.h"
#include "core/guest_abi.h"

#define OUT_MAX 65536

struct proc {
	int status; /* exit status */
	char out[OUT_MAX], err[OUT_MAX];
};

static char tmpdir[] = "/tmp/trapeze-cli-XXXXXX";

static const char *build_dir(void)
{
	const char *b = getenv("TRAPEZE_BUILD");
	return b ? b : "build";
}

static void read_all(int fd, char *buf)
{
	size_t n = 0;
	ssize_t r;
	while (n < OUT_MAX - 1 && (r = read(fd, buf + n, OUT_MAX - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
}

/* Run argv[0..] with stdout/stderr redirected to files; fail the test if
 * the process dies by a signal. */
static struct proc *run(const char *const argv[])
{
	struct proc *p = calloc(1, sizeof(*p));
	char out_path[64], err_path[64];

	assert_non_null(p);
	snprintf(out_path, sizeof(out_path), "%s/stdout", tmpdir);
	snprintf(err_path, sizeof(err_path), "%s/stderr", tmpdir);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(in, 0);
		dup2(o, 1);
		dup2(e, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	int ws;
	assert_true(waitpid(pid, &ws, 0) == pid);
	int fo = open(out_path, O_RDONLY), fe = open(err_path, O_RDONLY);
	read_all(fo, p->out);
	read_all(fe, p->err);
	close(fo);
	close(fe);
	if (WIFSIGNALED(ws))
		fail_msg("%s died by signal %d; stderr:\n%s", argv[0], WTERMSIG(ws), p->err);
	p->status = WEXITSTATUS(ws);
	return p;
}

static const char *trapeze(void)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/trapeze", build_dir());
	return path;
}

static const char *image(const char *name)
{
	static char path[4][512];
	static int i;
	i = (i + 1) % 4;
	snprintf(path[i], sizeof(path[i]), "%s/guest/%s.elf", build_dir(), name);
	return path[i];
}

static unsigned count_lines(const char *s)
{
	unsigned n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static uint8_t *slurp(const char *path, size_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	uint8_t *buf = malloc((size_t)st.st_size);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	*size = (size_t)st.st_size;
	return buf;
}

static const char *write_tmp(const char *name, const void *data, size_t len)
{
	static char path[4][256];
	static int i;
	i = (i + 1) % 4;
	snprintf(path[i], sizeof(path[i]), "%s/%s", tmpdir, name);
	int fd = open(path[i], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path[i];
}

/* A bad image: trapeze exits 120 with exactly one line naming the file. */
static void expect_rejected(const char *path)
{
	const char *argv[] = { trapeze(), "run", path, NULL };
	struct proc *p = run(argv);

	if (p->status != TRAPEZE_EXIT_VMM_ERROR || count_lines(p->err) != 1 ||
	    !strstr(p->err, path))
		fail_msg("%s: status %d, stderr:\n%s", path, p->status, p->err);
	free(p);
}

static bool kvm_usable(void)
{
	return access("/dev/kvm", R_OK | W_OK) == 0;
}

#define REQUIRE_KVM()                                                            \
	do {                                                                     \
		if (!kvm_usable()) {                                             \
			print_message("skipping: /dev/kvm is not usable here\n"); \
			skip();                                                  \
		}                                                                \
	} while (0)

/* ---- usage ---------------------------------------------------------------- */

static void usage_errors_exit_120(void **unused)
{
	const char *none[] = { trapeze(), NULL };
	const char *bad_cmd[] = { trapeze(), "fly", NULL };
	const char *no_image[] = { trapeze(), "run", NULL };
	const char *bad_mem[] = { trapeze(), "run", "-m", "12Q", image("hello"), NULL };
	const char *bad_engine[] = { trapeze(), "run", "--engine=warp", image("hello"), NULL };
	const char *const *cases[] = { none, bad_cmd, no_image, bad_mem, bad_engine };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct proc *p = run(cases[i]);
		assert_int_equal(p->status, TRAPEZE_EXIT_VMM_ERROR);
		assert_true(strlen(p->err) > 0);
		free(p);
	}
}

static void info_lists_engines(void **unused)
{
	const char *argv[] = { trapeze(), "info", NULL };
	struct proc *p = run(argv);

	assert_int_equal(p->status, 0);
	assert_non_null(strstr(p->out, "kvm"));
	free(p);
}

/* ---- bad images ------------------------------------------------------------ */

static void missing_and_empty_images_are_rejected(void **unused)
{
	char missing[300];
	snprintf(missing, sizeof(missing), "%s/no-such-image.elf", tmpdir);
	expect_rejected(missing);
	expect_rejected(write_tmp("empty.elf", "", 0));
}

static void random_bytes_are_rejected(void **unused)
{
	uint8_t buf[8192];
	unsigned seed = 12345;
	for (int round = 0; round < 4; round++) {
		for (size_t i = 0; i < sizeof(buf); i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (uint8_t)(seed >> 16);
		}
		expect_rejected(write_tmp("random.bin", buf, sizeof(buf) >> round));
	}
}

static void truncated_elf_is_rejected(void **unused)
{
	size_t size;
	uint8_t *elf = slurp(image("hello"), &size);
	const size_t cuts[] = { 4, 40, 63, 100, size / 2, size - 1 };

	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
		expect_rejected(write_tmp("truncated.elf", elf, cuts[i]));
	free(elf);
}

/* Find the PVH note ("Xen", type 18) in an image and corrupt its size. */
static void bad_pvh_note_is_rejected(void **unused)
{
	size_t size;
	uint8_t *elf = slurp(image("hello"), &size);
	bool found = false;

	for (size_t off = 0; off + 16 <= size; off += 4) {
		uint32_t namesz, descsz, type;
		memcpy(&namesz, elf + off, 4);
		memcpy(&descsz, elf + off + 4, 4);
		memcpy(&type, elf + off + 8, 4);
		if (namesz == 4 && type == XEN_ELFNOTE_PHYS32_ENTRY &&
		    memcmp(elf + off + 12, "Xen", 4) == 0) {
			uint32_t huge = 0x7ffffff0;
			memcpy(elf + off + 4, &huge, 4);
			found = true;
			break;
		}
	}
	assert_true(found);
	const char *path = write_tmp("badnote.elf", elf, size);
	const char *argv[] = { trapeze(), "run", "--boot=pvh", path, NULL };
	struct proc *p = run(argv);
	if (p->status != TRAPEZE_EXIT_VMM_ERROR || count_lines(p->err) != 1 ||
	    !strstr(p->err, path))
		fail_msg("status %d, stderr:\n%s", p->status, p->err);
	free(p);
	free(elf);
}

/* ---- guests through the CLI ------------------------------------------------- */

static void hello_prints_and_powers_off(void **unused)
{
	REQUIRE_KVM();
	const char *argv[] = { trapeze(), "run", "--stats", "--timeout=30",
	                       image("hello"), NULL };
	struct proc *p = run(argv);

	assert_int_equal(p->status, 0);
	assert_string_equal(p->out, "hello from a trapeze guest\n");
	assert_non_null(strstr(p->err, "uart16550"));
	assert_non_null(strstr(p->err, "0x03f8"));
	assert_non_null(strstr(p->err, "exits handled by trapeze"));
	free(p);
}

/* --stats=json on the software engine: one JSON object naming the engine,
 * the MMU model it used and the model's own counters; --stats-file puts
 * it in a file; --shadow-pages is checked. */
static void stats_json_names_the_mmu_model(void **unused)
{
	char path[300];
	const char *nested[] = { trapeze(), "run", "--engine=interp", "--paging=nested",
	                         "--stats=json", "-q", image("t_paging"), NULL };
	const char *shadow[] = { trapeze(), "run", "--engine=interp", "--shadow-pages=16",
	                         "--stats-file", path, "-q", image("t_paging"), NULL };
	const char *bad[] = { trapeze(), "run", "--shadow-pages=8", image("hello"), NULL };
	struct proc *p = run(nested);
	size_t size;

	assert_int_equal(p->status, 0);
	const char *json = strchr(p->err, '{');
	assert_non_null(json);
	assert_non_null(strstr(json, "\"engine\": \"interp\""));
	assert_non_null(strstr(json, "\"mmu_model\": \"nested\""));
	assert_non_null(strstr(json, "\"vmm_exits\": {"));
	assert_non_null(strstr(json, "\"mmu.ept_fills\": "));
	assert_non_null(strstr(json, "\"mmu.walk_refs_hist_24\": "));
	assert_null(strstr(json, "\"mmu.ept_fills\": 0,"));
	assert_true(p->err[strlen(p->err) - 2] == '}');
	free(p);

	snprintf(path, sizeof(path), "%s/stats.json", tmpdir);
	p = run(shadow);
	assert_int_equal(p->status, 0);
	assert_null(strchr(p->err, '{')); /* it went to the file */
	char *file = (char *)slurp(path, &size);
	file = realloc(file, size + 1);
	file[size] = '\0';
	assert_true(file[0] == '{');
	assert_non_null(strstr(file, "\"mmu_model\": \"shadow\""));
	assert_non_null(strstr(file, "\"mmu.hidden_faults\": "));
	assert_non_null(strstr(file, "\"mmu.shadow_pages_peak\": "));
	free(file);
	free(p);

	p = run(bad);
	assert_int_equal(p->status, TRAPEZE_EXIT_VMM_ERROR);
	assert_non_null(strstr(p->err, "--shadow-pages"));
	assert_int_equal(count_lines(p->err), 1);
	free(p);
}

static void triple_fault_dumps_registers(void **unused)
{
	REQUIRE_KVM();
	const char *argv[] = { trapeze(), "run", "--timeout=30", image("t_triple"), NULL };
	struct proc *p = run(argv);

	assert_int_equal(p->status, TRAPEZE_EXIT_TRIPLE_FAULT);
	assert_non_null(strstr(p->err, "triple fault"));
	assert_non_null(strstr(p->err, "rip"));
	assert_non_null(strstr(p->err, "cr3"));
	free(p);
}

static void timeout_and_debug_exit_statuses(void **unused)
{
	REQUIRE_KVM();
	const char *spin[] = { trapeze(), "run", "--timeout=0.5", image("t_spin"), NULL };
	const char *dbg[] = { trapeze(), "run", "-q", image("t_debugexit"), NULL };
	struct proc *p = run(spin);
	assert_int_equal(p->status, TRAPEZE_EXIT_TIMEOUT);
	assert_non_null(strstr(p->err, "timeout"));
	free(p);
	p = run(dbg);
	assert_int_equal(p->status, (0x21 << 1) | 1);
	free(p);
}

/* Ring-0 SSE: runs on VT-x/AMD-V; on PVM, KVM cannot emulate it and the
 * VM must stop with a report naming the instruction, not hang. */
/* --paging is a software-engine choice: on KVM the report must name the
 * host's MMU, not the model that was asked for, and say the option did not
 * apply. */
static void paging_on_kvm_reports_the_host_mmu(void **unused)
{
	REQUIRE_KVM();
	const char *argv[] = { trapeze(), "run", "--engine=kvm", "--paging=shadow",
	                       "--stats=json", "-q", image("hello"), NULL };
	struct proc *p = run(argv);

	assert_int_equal(p->status, 0);
	assert_non_null(strstr(p->err, "\"mmu_model\": \"host\""));
	assert_null(strstr(p->err, "\"mmu_model\": \"shadow\""));
	assert_non_null(strstr(p->err, "--paging=shadow applies to the software engines"));
	free(p);
}

static void emulation_failure_names_the_instruction(void **unused)
{
	REQUIRE_KVM();
	const char *argv[] = { trapeze(), "run", "--timeout=30", image("t_sse"), NULL };
	struct proc *p = run(argv);

	if (access("/sys/module/kvm_pvm", F_OK) == 0) {
		assert_int_equal(p->status, TRAPEZE_EXIT_GUEST_ERROR);
		assert_non_null(strstr(p->err, "emulation failure"));
		assert_non_null(strstr(p->err, "ldmxcsr"));
		assert_non_null(strstr(p->err, "rflags"));
	} else {
		assert_int_equal(p->status, 0);
	}
	free(p);
}

static void kernel_command_line_reaches_guest(void **unused)
{
	REQUIRE_KVM();
	const char *argv[] = { trapeze(), "run", "--timeout=30", image("t_cmdline"), "--",
	                       "console=ttyS0", "run=demo", NULL };
	struct proc *p = run(argv);

	assert_int_equal(p->status, 0);
	assert_non_null(strstr(p->out, "console=ttyS0 run=demo"));
	free(p);
}

/* The same image on QEMU (multiboot through its a.out kludge, TCG) prints
 * the same bytes; isa-debug-exit makes QEMU exit with (0<<1)|1. */
static void hello_matches_qemu(void **unused)
{
	const char *qemu = "/usr/bin/qemu-system-x86_64";
	if (access(qemu, X_OK) != 0) {
		print_message("skipping: %s is not installed\n", qemu);
		skip();
	}
	const char *q[] = { "/usr/bin/timeout", "60", qemu, "-accel", "tcg", "-m", "64",
	                    "-display", "none", "-nodefaults", "-no-reboot",
	                    "-serial", "stdio", "-device", "isa-debug-exit",
	                    "-kernel", image("hello"), NULL };
	struct proc *qp = run(q);
	assert_int_equal(qp->status, 1);
	assert_string_equal(qp->out, "hello from a trapeze guest\n");
	if (kvm_usable()) {
		const char *t[] = { trapeze(), "run", "-q", image("hello"), NULL };
		struct proc *tp = run(t);
		assert_int_equal(tp->status, 0);
		assert_string_equal(tp->out, qp->out);
		free(tp);
	}
	free(qp);
}

static int make_tmpdir(void **unused)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **unused)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(usage_errors_exit_120),
		cmocka_unit_test(info_lists_engines),
		cmocka_unit_test(missing_and_empty_images_are_rejected),
		cmocka_unit_test(random_bytes_are_rejected),
		cmocka_unit_test(truncated_elf_is_rejected),
		cmocka_unit_test(bad_pvh_note_is_rejected),
		cmocka_unit_test(hello_prints_and_powers_off),
		cmocka_unit_test(stats_json_names_the_mmu_model),
		cmocka_unit_test(paging_on_kvm_reports_the_host_mmu),
		cmocka_unit_test(triple_fault_dumps_registers),
		cmocka_unit_test(timeout_and_debug_exit_statuses),
		cmocka_unit_test(emulation_failure_names_the_instruction),
		cmocka_unit_test(kernel_command_line_reaches_guest),
		cmocka_unit_test(hello_matches_qemu),
	};
	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
