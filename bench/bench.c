/*
 * bench.c - trapeze-bench: one workload, every way trapeze can run it,
 * side by side.
 *
 * The workload is the teaching kernel's `compute` program (guest/user/
 * compute.c: sieve, integer matrix product, hashing; all in ring 3, no
 * system calls).  It runs
 *
 *   native      the same source built for the host (bench/native/ulib.h)
 *   <engine>    kernel.elf -- run=compute N, on every engine usable here
 *   qemu-tcg    the same kernel.elf under qemu-system-x86_64 -accel tcg
 *
 * each --runs times, interleaved (run 1 of every runner, then run 2, ...)
 * so that a noisy moment of the machine does not land on one runner only.
 * The report gives the median wall time, the ratio to native, and for
 * engines that count retired instructions, guest instructions per second.
 * Every run's checksum line must match native's: a fast wrong answer is
 * not a result.
 *
 * A guest's time includes booting the kernel and starting the program
 * (a few ms on KVM; QEMU adds its own start-up): it is the time a user
 * waits for `trapeze run`, measured around vm_run() (in process).
 *
 * Output: a markdown table on stdout, and bench-compute.csv / .json in
 * the output directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/boot.h"

#define MAX_RUNNERS 8
#define MAX_RUNS 50
#define OUTPUT_MAX 65536
#define QEMU_PATH "/usr/bin/qemu-system-x86_64"
#define CHECKSUM_TAG "compute: checksum "

struct runner;

struct sample {
	double seconds;
	uint64_t insns; /* guest instructions retired, 0 if unknown */
	char checksum[40];
};

struct runner {
	const char *name;
	const struct engine_ops *engine; /* NULL: native or qemu */
	int (*run)(const struct runner *r, struct sample *s);
	struct sample samples[MAX_RUNS];
	unsigned nr;
	bool failed;
	char why[200];
};

struct bench {
	const char *build;
	const char *out_dir;
	unsigned runs;
	unsigned rounds;
	struct runner runners[MAX_RUNNERS];
	unsigned nr_runners;
} B; /* one benchmark per process: the program's own state */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Copy the hex word after CHECKSUM_TAG in `text` into out (or "?"). */
static void find_checksum(const char *text, char *out, size_t len)
{
	const char *p = strstr(text, CHECKSUM_TAG);
	size_t n = 0;

	if (p) {
		p += strlen(CHECKSUM_TAG);
		while (p[n] && p[n] != '\n' && p[n] != '\r' && n + 1 < len)
			n++;
		memcpy(out, p, n);
	}
	out[n] = '\0';
	if (!n)
		snprintf(out, len, "?");
}

/* ---- runners that are other processes ------------------------------------- */

/* Run argv with stdout captured into buf; returns the exit status or -1. */
static int spawn(char *const argv[], char *buf, size_t len, double *seconds)
{
	int fd[2];
	size_t n = 0;
	ssize_t r;

	if (pipe(fd))
		return -1;
	double t0 = now();
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(fd[1], 1);
		dup2(null, 2);
		close(fd[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	while (pid > 0 && n + 1 < len && (r = read(fd[0], buf + n, len - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	close(fd[0]);
	int ws = 0;
	if (pid < 0 || waitpid(pid, &ws, 0) != pid)
		return -1;
	*seconds = now() - t0;
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

static int run_native(const struct runner *r, struct sample *s)
{
	char path[512], rounds[16], *out = malloc(OUTPUT_MAX);
	snprintf(path, sizeof(path), "%s/bench/bench_native_compute", B.build);
	snprintf(rounds, sizeof(rounds), "%u", B.rounds);
	char *argv[] = { path, rounds, NULL };
	int st = out ? spawn(argv, out, OUTPUT_MAX, &s->seconds) : -1;

	if (st == 0)
		find_checksum(out, s->checksum, sizeof(s->checksum));
	free(out);
	return st == 0 ? 0 : -1;
}

static int run_qemu(const struct runner *r, struct sample *s)
{
	char kernel[512], append[64], *out = malloc(OUTPUT_MAX);
	snprintf(kernel, sizeof(kernel), "%s/guest/kernel.elf", B.build);
	snprintf(append, sizeof(append), "run=compute %u", B.rounds);
	char *argv[] = { QEMU_PATH, "-accel", "tcg", "-m", "64", "-display", "none",
	                 "-nodefaults", "-no-reboot", "-serial", "stdio", "-device",
	                 "isa-debug-exit", "-kernel", kernel, "-append", append, NULL };
	int st = out ? spawn(argv, out, OUTPUT_MAX, &s->seconds) : -1;

	/* the kernel powers off with isa-debug-exit(0) there: QEMU exits 1 */
	if (st == 1)
		find_checksum(out, s->checksum, sizeof(s->checksum));
	free(out);
	return st == 1 ? 0 : -1;
}

/* ---- runners that are trapeze engines ---------------------------------------- */

/* Engines name their retired-instruction counter differently; take the
 * first counter whose name says it counts instructions retired. */
static void grab_insns(void *ctx, const char *name, uint64_t value)
{
	uint64_t *insns = ctx;
	if (*insns == 0 && strstr(name, "retired"))
		*insns = value;
}

static int run_engine(const struct runner *r, struct sample *s)
{
	char path[512], cmdline[64], err[512];
	size_t size = 0;
	int serial = memfd_create("bench-serial", MFD_CLOEXEC);
	struct vm_config cfg = { .mem_size = 64ull << 20, .engine = r->engine,
	                         .serial_out_fd = serial, .serial_in_fd = -1,
	                         .timeout_sec = 600 };
	struct vm *vm = NULL;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/guest/kernel.elf", B.build);
	snprintf(cmdline, sizeof(cmdline), "run=compute %u", B.rounds);
	uint8_t *image = boot_read_image(path, &size, err, sizeof(err));
	if (!image || serial < 0 || !(vm = vm_create(&cfg, err, sizeof(err))) ||
	    vm_boot(vm, image, size, path, BOOT_AUTO, cmdline, NULL, err, sizeof(err)))
		goto out;
	double t0 = now();
	int status = vm_run(vm);
	s->seconds = now() - t0;
	if (status != 0)
		goto out;
	if (r->engine->engine_stats)
		r->engine->engine_stats(&vm->vcpus[0], grab_insns, &s->insns);
	char *text = calloc(1, OUTPUT_MAX);
	if (text && pread(serial, text, OUTPUT_MAX - 1, 0) > 0) {
		find_checksum(text, s->checksum, sizeof(s->checksum));
		rc = 0;
	}
	free(text);
out:
	vm_destroy(vm);
	if (serial >= 0)
		close(serial);
	free(image);
	return rc;
}

/* ---- the report ----------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median_seconds(const struct runner *r)
{
	double t[MAX_RUNS];
	for (unsigned i = 0; i < r->nr; i++)
		t[i] = r->samples[i].seconds;
	qsort(t, r->nr, sizeof(t[0]), cmp_double);
	return r->nr % 2 ? t[r->nr / 2] : (t[r->nr / 2 - 1] + t[r->nr / 2]) / 2;
}

static void host_description(char *cpu, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(cpu, len, "unknown CPU");
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (strncmp(line, "model name", 10) == 0 && colon) {
			snprintf(cpu, len, "%s", colon + 2);
			cpu[strcspn(cpu, "\n")] = '\0';
			break;
		}
	}
	if (f)
		fclose(f);
}

static void report(void)
{
	const struct runner *native = &B.runners[0];
	double base = native->nr ? median_seconds(native) : 0;
	char cpu[128], flavour[32] = "none";
	struct engine_info info;
	const struct engine_ops *kvm = engine_find("kvm");

	host_description(cpu, sizeof(cpu));
	if (kvm && kvm->probe(&info) == 0)
		snprintf(flavour, sizeof(flavour), "%s", info.flavour);
	printf("# compute benchmark: %u rounds, median of %u runs\n\n", B.rounds, B.runs);
	printf("host: %s; KVM flavour: %s\n\n", cpu, flavour);
	printf("| runner | median s | x native | guest instructions | guest MIPS | checksum |\n");
	printf("|---|---:|---:|---:|---:|---|\n");
	for (unsigned i = 0; i < B.nr_runners; i++) {
		const struct runner *r = &B.runners[i];
		if (r->failed || r->nr == 0) {
			printf("| %s | - | - | - | - | %s |\n", r->name, r->why);
			continue;
		}
		double m = median_seconds(r);
		uint64_t insns = r->samples[0].insns;
		bool same = strcmp(r->samples[0].checksum, native->samples[0].checksum) == 0;
		printf("| %s | %.3f | %.2f | ", r->name, m, base > 0 ? m / base : 0);
		if (insns)
			printf("%llu | %.0f |", (unsigned long long)insns, (double)insns / m / 1e6);
		else
			printf("- | - |");
		printf(" %s |\n", same ? "matches native" : "DIFFERS");
	}
}

static void write_files(void)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/bench-compute.csv", B.out_dir);
	FILE *csv = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/bench-compute.json", B.out_dir);
	FILE *json = fopen(path, "w");

	if (!csv || !json) {
		fprintf(stderr, "trapeze-bench: cannot write results into %s\n", B.out_dir);
		goto out;
	}
	fprintf(csv, "runner,run,seconds,guest_instructions,checksum\n");
	fprintf(json, "{\"workload\":\"compute\",\"rounds\":%u,\"runners\":[", B.rounds);
	for (unsigned i = 0; i < B.nr_runners; i++) {
		const struct runner *r = &B.runners[i];
		fprintf(json, "%s{\"name\":\"%s\",\"ok\":%s,\"median_seconds\":%.6f,\"samples\":[",
		        i ? "," : "", r->name, r->failed ? "false" : "true",
		        r->nr ? median_seconds(r) : 0.0);
		for (unsigned k = 0; k < r->nr; k++) {
			const struct sample *s = &r->samples[k];
			fprintf(csv, "%s,%u,%.6f,%llu,%s\n", r->name, k + 1, s->seconds,
			        (unsigned long long)s->insns, s->checksum);
			fprintf(json, "%s{\"seconds\":%.6f,\"guest_instructions\":%llu}", k ? "," : "",
			        s->seconds, (unsigned long long)s->insns);
		}
		fprintf(json, "]}");
	}
	fprintf(json, "]}\n");
	printf("\nresults: %s/bench-compute.csv, %s/bench-compute.json\n", B.out_dir,
	       B.out_dir);
out:
	if (csv)
		fclose(csv);
	if (json)
		fclose(json);
}

/* ---- main ------------------------------------------------------------------- */

static void add_runner(const char *name, const struct engine_ops *e,
                       int (*run)(const struct runner *, struct sample *), const char *why)
{
	struct runner *r = &B.runners[B.nr_runners++];
	r->name = name;
	r->engine = e;
	r->run = run;
	if (why) {
		r->failed = true;
		snprintf(r->why, sizeof(r->why), "%s", why);
	}
}

static void add_runners(void)
{
	struct engine_info info;

	add_runner("native", NULL, run_native, NULL);
	for (unsigned i = 0; engine_table[i] && B.nr_runners + 1 < MAX_RUNNERS; i++) {
		const struct engine_ops *e = engine_table[i];
		add_runner(e->name, e, run_engine, e->probe(&info) ? info.detail : NULL);
	}
	add_runner("qemu-tcg", NULL, run_qemu,
	           access(QEMU_PATH, X_OK) ? "not installed" : NULL);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "runs", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "build", required_argument, NULL, 'b' },
		{ "out", required_argument, NULL, 'o' },
		{ 0 },
	};
	int c;

	B.build = "build";
	B.runs = 5;
	B.rounds = 300;
	while ((c = getopt_long(argc, argv, "n:r:b:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'n': B.runs = (unsigned)atoi(optarg); break;
		case 'r': B.rounds = (unsigned)atoi(optarg); break;
		case 'b': B.build = optarg; break;
		case 'o': B.out_dir = optarg; break;
		default:
			fprintf(stderr, "usage: trapeze-bench [--runs N] [--rounds R] "
			        "[--build DIR] [--out DIR]\n");
			return 2;
		}
	}
	if (B.runs < 1 || B.runs > MAX_RUNS || B.rounds < 1) {
		fprintf(stderr, "trapeze-bench: --runs must be 1..%d, --rounds >= 1\n", MAX_RUNS);
		return 2;
	}
	char out_default[512];
	snprintf(out_default, sizeof(out_default), "%s/bench", B.build);
	if (!B.out_dir)
		B.out_dir = out_default;
	add_runners();
	fprintf(stderr, "trapeze-bench: %u runners x %u runs of compute %u...\n",
	        B.nr_runners, B.runs, B.rounds);
	for (unsigned k = 0; k < B.runs; k++) {
		for (unsigned i = 0; i < B.nr_runners; i++) {
			struct runner *r = &B.runners[i];
			if (r->failed)
				continue;
			if (r->run(r, &r->samples[r->nr]) == 0) {
				r->nr++;
			} else {
				r->failed = true;
				snprintf(r->why, sizeof(r->why), "run %u failed", k + 1);
			}
		}
	}
	report();
	write_files();
	return B.runners[0].failed ? 1 : 0;
}
