/*
 * bench_paging.c - trapeze-bench-paging: the memory-technique benchmark.
 * Shadow paging and nested paging side by side, on four workloads that
 * each stress one thing a software MMU does.
 *
 * The workloads are bare guests (guest/bare/b_*.c; each file's header says
 * what an operation is and why it costs differently under each technique):
 *
 *   ptemod    rewrite a PTE, invlpg, touch     guest page-table writes
 *   pgfault   touch a fresh page; the guest's  guest page faults
 *             #PF handler maps it
 *   ctxsw     write CR3, touch 4 pages         address-space switches
 *   tlbwalk   load from the next of 8192       TLB misses (walk length)
 *             pages (32 MiB)
 *
 * Each one runs on
 *
 *   shadow    the interp engine, vm_config.paging = VM_PAGING_SHADOW
 *   nested    the interp engine, vm_config.paging = VM_PAGING_NESTED
 *   kvm       the host's hardware (or PVM) MMU: a reference column only
 *             (on PVM every ring-0 instruction is emulated, docs/pvm.md,
 *             so it runs fewer operations and has no MMU counters)
 *
 * in process (vm_create .. vm_run, as bench.c does), with n=N and with
 * n=0, --runs times, interleaved (run 1 of every cell, then run 2, ...) so
 * that a noisy moment of the machine does not land on one column only.
 *
 *   time per operation = (median time(n=N) - median time(n=0)) / N
 *
 * so boot and set-up -- the same in both runs -- cost nothing.  The
 * engine's counters (engine_ops.engine_stats: instructions retired, and
 * the MMU's mmu.* counters) are taken from the first run of each, and
 * their difference divided by N, too.  A run counts only if the guest
 * passed (GUEST_DONE, status 0) after reporting the N it was given
 * (GUEST_SYNC(N)); a failed run is reported with the VM's message and
 * left out of the medians.
 *
 * Output: one markdown table per workload on stdout (shadow and nested
 * side by side with their ratio, then the reference column), and
 * bench-paging.csv (one metric per row), bench-paging-samples.csv (one run
 * per row) and bench-paging.json in the output directory.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "core/boot.h"

#define MAX_RUNS     50
#define MAX_COUNTERS 128
#define COUNTER_NAME 48
#define WHY_MAX      600
#define GUEST_MEM    (64ull << 20) /* the frame pools need 48 MiB */
#define TIMEOUT_SEC  120.0         /* per run */
#define NR_WORKLOADS 4
#define NR_RUNNERS   3
#define HIST_BUCKETS 25   /* mmu.walk_refs_hist_0 .. _24 */
#define TINY         1e-4 /* per operation: a stray event, shown as 0 */
#define NOISY_SHARE  0.2  /* whole-run and loop-only ns/op further apart: warn */

/* ---- what runs ------------------------------------------------------------ */

struct workload {
	const char *name;  /* guest/b_NAME.elf */
	const char *title; /* what one operation is */
	uint64_t n;        /* operations on the software engine */
	uint64_t kvm_n;    /* operations on KVM (ring 0 is slow on PVM) */
	bool selected;
	uint8_t *image;
	size_t image_size;
};

/* Defaults: each software run takes about 0.2-2 s on the development
 * host, each KVM (PVM) run about 0.2-0.5 s. */
static struct workload workloads[NR_WORKLOADS] = {
    {.name = "ptemod",
     .title = "rewrite a PTE, invlpg, touch the page",
     .n = 500000,
     .kvm_n = 20000},
    {.name = "pgfault",
     .title = "touch a fresh page; the guest's #PF handler maps it",
     .n = 200000,
     .kvm_n = 5000},
    {.name = "ctxsw",
     .title = "write CR3 (two roots in turn), touch 4 private pages",
     .n = 100000,
     .kvm_n = 5000},
    {.name = "tlbwalk",
     .title = "load from the next of 8192 pages (32 MiB)",
     .n = 2000000,
     .kvm_n = 20000},
};

struct runner {
	const char *name; /* column name */
	const char *engine_name;
	enum vm_paging paging;
	const struct engine_ops *engine;
	bool reference; /* kvm: runs kvm_n operations */
	char why[200];  /* why it is not usable, or "" */
};

static struct runner runners[NR_RUNNERS] = {
    {.name = "shadow", .engine_name = "interp", .paging = VM_PAGING_SHADOW},
    {.name = "nested", .engine_name = "interp", .paging = VM_PAGING_NESTED},
    {.name = "kvm", .engine_name = "kvm", .paging = VM_PAGING_DEFAULT, .reference = true},
};

/* Engine counters of one run, in the order the engine emitted them. */
struct counters {
	unsigned nr;
	struct {
		char name[COUNTER_NAME];
		uint64_t value;
	} c[MAX_COUNTERS];
};

/* One timed run. */
struct sample {
	double seconds;      /* around vm_run(): the whole guest */
	double loop_seconds; /* from GUEST_SYNC(N) to the end of vm_run() */
};

/* The results of one workload on one runner. */
struct cell {
	uint64_t n;
	struct sample full[MAX_RUNS], base[MAX_RUNS]; /* n=N, n=0 */
	unsigned nr_full, nr_base;
	struct counters c_full, c_base; /* the first run of each */
	bool have_full, have_base;
	unsigned failed_runs;
	char why[WHY_MAX + 32]; /* the first failure: "n=N: why" */
};

static struct {
	const char *build;
	const char *out_dir;
	unsigned runs;
	uint64_t n, kvm_n; /* 0: each workload's default */
	double timeout;
	struct cell cells[NR_WORKLOADS][NR_RUNNERS];
} B; /* one benchmark per process: the program's own state */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- one run ------------------------------------------------------------ */

/* What the test-port hook saw during a run. */
struct run_watch {
	bool synced;
	uint64_t sync_n;
	double sync_time;
};

static void watch_ucall(struct vm *vm, const struct ucall *uc, void *opaque)
{
	struct run_watch *w = opaque;

	if (uc->cmd == UCALL_SYNC && !w->synced) {
		w->synced = true;
		w->sync_n = uc->args[0];
		w->sync_time = now();
	}
}

static void grab_counter(void *ctx, const char *name, uint64_t value)
{
	struct counters *c = ctx;

	if (c->nr < MAX_COUNTERS) {
		snprintf(c->c[c->nr].name, COUNTER_NAME, "%s", name);
		c->c[c->nr++].value = value;
	}
}

/*
 * run_once - boot workload w on runner r with n=`n`, time it, and (when
 * counters is not NULL) collect the engine's counters.  Returns 0 when the
 * guest reported GUEST_SYNC(n) and passed; otherwise -1 with one line in
 * why[WHY_MAX].
 */
static int run_once(const struct runner *r, const struct workload *w, uint64_t n,
                    struct sample *s, struct counters *counters, char *why)
{
	char cmdline[32], err[512] = "the engine rejected the boot state";
	int serial = memfd_create("bench-paging-serial", MFD_CLOEXEC);
	struct vm_config cfg = {.mem_size = GUEST_MEM,
	                        .engine = r->engine,
	                        .serial_out_fd = serial,
	                        .serial_in_fd = -1,
	                        .timeout_sec = B.timeout,
	                        .paging = r->paging};
	struct run_watch watch = {0};
	struct vm *vm = NULL;
	int rc = -1;

	snprintf(cmdline, sizeof(cmdline), "n=%llu", (unsigned long long)n);
	snprintf(why, WHY_MAX, "cannot create a memfd for the serial port");
	if (serial < 0 || !(vm = vm_create(&cfg, err, sizeof(err))) ||
	    vm_boot(vm, w->image, w->image_size, w->name, BOOT_AUTO, cmdline, NULL, err,
	            sizeof(err))) {
		if (serial >= 0)
			snprintf(why, WHY_MAX, "%s", err);
		goto out;
	}
	vm->ucall_hook = watch_ucall;
	vm->ucall_hook_opaque = &watch;
	double t0 = now();
	int status = vm_run(vm);
	double t1 = now();
	if (status != 0 || vm->result.reason != VM_STOP_TEST_DONE) {
		snprintf(why, WHY_MAX, "status %d: %s", status, vm->result.message);
		goto out;
	}
	if (!watch.synced || watch.sync_n != n) {
		snprintf(why, WHY_MAX, "the guest did not report n=%llu before its loop",
		         (unsigned long long)n);
		goto out;
	}
	s->seconds = t1 - t0;
	s->loop_seconds = t1 - watch.sync_time;
	if (counters && r->engine->engine_stats)
		r->engine->engine_stats(&vm->vcpus[0], grab_counter, counters);
	rc = 0;
out:
	vm_destroy(vm);
	if (serial >= 0)
		close(serial);
	return rc;
}

/* One round: the n=0 and n=N runs of one cell. */
static void run_cell(unsigned wi, unsigned ri)
{
	const struct workload *w = &workloads[wi];
	const struct runner *r = &runners[ri];
	struct cell *c = &B.cells[wi][ri];
	char why[WHY_MAX];

	for (int full = 0; full < 2; full++) {
		uint64_t n = full ? c->n : 0;
		struct sample *s = full ? &c->full[c->nr_full] : &c->base[c->nr_base];
		bool *have = full ? &c->have_full : &c->have_base;
		struct counters *ctr = full ? &c->c_full : &c->c_base;

		if (run_once(r, w, n, s, *have ? NULL : ctr, why) == 0) {
			*have = true;
			if (full)
				c->nr_full++;
			else
				c->nr_base++;
		} else if (c->failed_runs++ == 0) {
			snprintf(c->why, sizeof(c->why), "n=%llu: %s",
			         (unsigned long long)n, why);
		}
	}
}

/* ---- arithmetic ----------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median of the samples' whole-run (loop = false) or loop times. */
static double median(const struct sample *s, unsigned nr, bool loop)
{
	double t[MAX_RUNS];

	for (unsigned i = 0; i < nr; i++)
		t[i] = loop ? s[i].loop_seconds : s[i].seconds;
	qsort(t, nr, sizeof(t[0]), cmp_double);
	return nr % 2 ? t[nr / 2] : (t[nr / 2 - 1] + t[nr / 2]) / 2;
}

static bool cell_ok(const struct cell *c)
{
	return c->nr_full && c->nr_base;
}

/* Nanoseconds per operation: whole runs, baseline subtracted (loop =
 * false), or the SYNC-to-end time with the same subtraction (loop = true). */
static double ns_per_op(const struct cell *c, bool loop)
{
	double d = median(c->full, c->nr_full, loop) - median(c->base, c->nr_base, loop);
	return c->n ? d * 1e9 / (double)c->n : 0;
}

static bool find_counter(const struct counters *c, const char *name, uint64_t *value)
{
	for (unsigned i = 0; i < c->nr; i++)
		if (strcmp(c->c[i].name, name) == 0) {
			*value = c->c[i].value;
			return true;
		}
	return false;
}

/* The counter's growth from the n=0 run to the n=N run (false if the
 * engine does not report it). */
static bool counter_delta(const struct cell *c, const char *name, double *delta)
{
	uint64_t full, base;

	if (!c->have_full || !c->have_base || !find_counter(&c->c_full, name, &full) ||
	    !find_counter(&c->c_base, name, &base))
		return false;
	*delta = (double)full - (double)base;
	return true;
}

/* ---- the rows of a table -------------------------------------------------- */

enum row_kind {
	ROW_PER_OP,   /* counter delta / N */
	ROW_PER_WALK, /* counter delta / mmu.walks delta */
	ROW_ABSOLUTE, /* the counter at the end of the n=N run */
	ROW_HIST,     /* the commonest bucket of mmu.walk_refs_hist_* */
};

struct row {
	const char *label;
	const char *counter;
	enum row_kind kind;
};

/* The counters named in the MMU models' contract, then the KVM engine's
 * own (from the kernel's statistics) for the reference column.  A row
 * that no column reports is left out of the table; one that is 0 in every
 * column that reports it is only named under the table. */
static const struct row rows[] = {
    {"guest instructions", "instructions_retired", ROW_PER_OP},
    {"MMU lookups (interp cache misses)", "access_cache_misses", ROW_PER_OP},
    {"TLB hits", "mmu.tlb_hits", ROW_PER_OP},
    {"TLB misses", "mmu.tlb_misses", ROW_PER_OP},
    {"walks", "mmu.walks", ROW_PER_OP},
    {"memory refs per walk", "mmu.walk_refs", ROW_PER_WALK},
    {"commonest refs per walk (share)", "mmu.walk_refs_hist_", ROW_HIST},
    {"hidden faults", "mmu.hidden_faults", ROW_PER_OP},
    {"true faults", "mmu.true_faults", ROW_PER_OP},
    {"tracing faults", "mmu.tracing_faults", ROW_PER_OP},
    {"shadow entries zapped", "mmu.zaps", ROW_PER_OP},
    {"shadow pages freed", "mmu.shadow_page_zaps", ROW_PER_OP},
    {"write floods", "mmu.write_floods", ROW_PER_OP},
    {"shadow root reclaims", "mmu.reclaims", ROW_PER_OP},
    {"root switches", "mmu.root_switches", ROW_PER_OP},
    {"root cache hits", "mmu.root_cache_hits", ROW_PER_OP},
    {"TLB flushes", "mmu.flushes", ROW_PER_OP},
    {"invlpgs", "mmu.invlpgs", ROW_PER_OP},
    {"EPT fills", "mmu.ept_fills", ROW_PER_OP},
    {"guest #PF (MMU)", "mmu.page_faults", ROW_PER_OP},
    {"shadow pages at the end (total)", "mmu.shadow_pages", ROW_ABSOLUTE},
    {"shadow pages, peak (total)", "mmu.shadow_pages_peak", ROW_ABSOLUTE},
    {"shadow roots cached at the end (total)", "mmu.roots", ROW_ABSOLUTE},
    {"guest frames write-tracked at the end (total)", "mmu.tracked_pages", ROW_ABSOLUTE},
    {"EPT table pages at the end (total)", "mmu.ept_tables", ROW_ABSOLUTE},
    {"KVM exits", "exits", ROW_PER_OP},
    {"KVM emulated instructions", "insn_emulation", ROW_PER_OP},
    {"KVM #PF injected into the guest", "pf_guest", ROW_PER_OP},
};
#define NR_ROWS (sizeof(rows) / sizeof(rows[0]))

/* Counters that only a shadow or nested model reports: if no column has
 * any of them, the interp engine ran its plain walk in both columns. */
static const char *const model_counters[] = {
    "mmu.hidden_faults", "mmu.tracing_faults", "mmu.shadow_pages",
    "mmu.ept_fills",     "mmu.root_switches",
};

/* A row's value in one cell.  For ROW_HIST, v is the walk length and
 * share the fraction of walks that had it. */
struct value {
	double v, share;
};

/* The commonest walk length among the walks that the N operations added,
 * and its share; false without a histogram. */
static bool hist_mode(const struct cell *c, struct value *out)
{
	char name[COUNTER_NAME];
	double d, best = -1, total = 0;

	for (unsigned b = 0; b < HIST_BUCKETS; b++) {
		snprintf(name, sizeof(name), "mmu.walk_refs_hist_%u", b);
		if (!counter_delta(c, name, &d))
			return false;
		total += d;
		if (d > best) {
			best = d;
			out->v = b;
		}
	}
	out->share = total > 0 ? best / total : 0;
	return total > 0;
}

/* The value of `row` in cell c; false if the engine does not report it. */
static bool row_value(const struct row *row, const struct cell *c, struct value *out)
{
	double walks;
	uint64_t end;

	if (!cell_ok(c) || c->n == 0)
		return false;
	switch (row->kind) {
	case ROW_PER_OP:
		if (!counter_delta(c, row->counter, &out->v))
			return false;
		out->v /= (double)c->n;
		return true;
	case ROW_PER_WALK:
		if (!counter_delta(c, row->counter, &out->v) ||
		    !counter_delta(c, "mmu.walks", &walks))
			return false;
		out->v = walks > 0 ? out->v / walks : 0;
		return true;
	case ROW_ABSOLUTE:
		if (!find_counter(&c->c_full, row->counter, &end))
			return false;
		out->v = (double)end;
		return true;
	case ROW_HIST:
		return hist_mode(c, out);
	}
	return false;
}

/* A number the way a reader takes it in: large ones whole, small ones
 * with three significant digits, and less than TINY (a stray event
 * over N operations) as 0. */
static void format_number(char *buf, size_t len, double v)
{
	if (fabs(v) < TINY)
		snprintf(buf, len, "0");
	else if (v >= 1000 || v <= -1000)
		snprintf(buf, len, "%.0f", v);
	else if (v >= 100 || v <= -100)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.3g", v);
}

static void format_value(char *buf, size_t len, const struct row *row,
                         const struct value *x)
{
	if (row->kind == ROW_HIST)
		snprintf(buf, len, "%.0f (%.0f%%)", x->v, x->share * 100);
	else if (row->kind == ROW_ABSOLUTE)
		snprintf(buf, len, "%.0f", x->v);
	else
		format_number(buf, len, x->v);
}

/* ---- the report ------------------------------------------------------------- */

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

static char kvm_flavour[32] = "none";

static const char *column_label(unsigned ri)
{
	static char label[64];

	if (!runners[ri].reference)
		return runners[ri].name;
	snprintf(label, sizeof(label), "%s (%s)", runners[ri].name, kvm_flavour);
	return label;
}

/* Does any cell of any workload report one of the models' own counters? */
static bool models_present(void)
{
	uint64_t v;

	for (unsigned wi = 0; wi < NR_WORKLOADS; wi++)
		for (unsigned ri = 0; ri < NR_RUNNERS; ri++)
			for (unsigned k = 0;
			     k < sizeof(model_counters) / sizeof(model_counters[0]); k++)
				if (find_counter(&B.cells[wi][ri].c_full,
				                 model_counters[k], &v))
					return true;
	return false;
}

/* One table line: label, shadow, nested, shadow/nested, reference.  have[]
 * and val[] are indexed by runner; ratio only when both software columns
 * have a value that is not (nearly) 0. */
static void print_line(const char *label, const struct row *row, const bool have[],
                       const struct value val[])
{
	char buf[48];

	printf("| %s |", label);
	for (unsigned ri = 0; ri < NR_RUNNERS; ri++) {
		if (ri == 2) {
			bool ratio = have[0] && have[1] && fabs(val[1].v) >= TINY &&
			             fabs(val[0].v) >= TINY &&
			             (!row || row->kind != ROW_HIST);
			if (ratio)
				printf(" %.2f |", val[0].v / val[1].v);
			else
				printf(" - |");
		}
		if (!have[ri])
			snprintf(buf, sizeof(buf), "-");
		else if (row)
			format_value(buf, sizeof(buf), row, &val[ri]);
		else
			format_number(buf, sizeof(buf), val[ri].v);
		printf(" %s |", buf);
	}
	printf("\n");
}

static void report_workload(unsigned wi)
{
	const struct workload *w = &workloads[wi];
	struct cell *cells = B.cells[wi];
	bool have[NR_RUNNERS];
	struct value val[NR_RUNNERS];

	printf("## %s: %s\n\n", w->name, w->title);
	printf("N = %llu (%s: %llu); median of %u runs, the n=0 run subtracted.\n\n",
	       (unsigned long long)cells[0].n, runners[2].name,
	       (unsigned long long)cells[2].n, B.runs);
	printf("| per operation | %s | %s | %s/%s | %s |\n", runners[0].name,
	       runners[1].name, runners[0].name, runners[1].name, column_label(2));
	printf("|---|---:|---:|---:|---:|\n");
	for (int loop = 0; loop < 2; loop++) {
		for (unsigned ri = 0; ri < NR_RUNNERS; ri++) {
			have[ri] = cell_ok(&cells[ri]) && cells[ri].n;
			val[ri].v = have[ri] ? ns_per_op(&cells[ri], loop) : 0;
		}
		print_line(loop ? "ns, loop only (SYNC to end)" : "**ns**", NULL, have,
		           val);
	}
	/* A row no column reports is left out; one that is 0 wherever it is
	 * reported is named below the table instead. */
	char zeros[1024] = "";
	size_t nz = 0;
	for (unsigned k = 0; k < NR_ROWS; k++) {
		bool any = false, nonzero = false;
		for (unsigned ri = 0; ri < NR_RUNNERS; ri++) {
			have[ri] = row_value(&rows[k], &cells[ri], &val[ri]);
			any |= have[ri];
			nonzero |= have[ri] && fabs(val[ri].v) >= TINY;
		}
		if (nonzero)
			print_line(rows[k].label, &rows[k], have, val);
		else if (any && nz < sizeof(zeros))
			nz += (size_t)snprintf(zeros + nz, sizeof(zeros) - nz, "%s%s",
			                       nz ? ", " : "", rows[k].label);
	}
	printf("\n");
	if (nz)
		printf("0 per operation in every column: %s.\n\n", zeros);
	for (unsigned ri = 0; ri < NR_RUNNERS; ri++) {
		const struct cell *c = &cells[ri];
		double whole = cell_ok(c) ? ns_per_op(c, false) : 0;
		double loop = cell_ok(c) ? ns_per_op(c, true) : 0;
		if (cell_ok(c) && fabs(whole - loop) > NOISY_SHARE * fabs(loop))
			printf(
			    "- %s: the two ns rows differ by more than %.0f%%: the "
			    "set-up's "
			    "noise is large against N operations; raise --n or --runs\n",
			    runners[ri].name, NOISY_SHARE * 100);
		if (runners[ri].why[0])
			printf("- %s: not run: %s\n", runners[ri].name, runners[ri].why);
		else if (c->failed_runs)
			printf("- %s: %u of %u runs FAILED (left out); first: %s\n",
			       runners[ri].name, c->failed_runs, 2 * B.runs, c->why);
	}
	printf("\n");
}

static void report(void)
{
	char cpu[128];

	host_description(cpu, sizeof(cpu));
	printf("# memory-technique benchmark: shadow vs nested paging\n\n");
	printf(
	    "host: %s; KVM flavour: %s; shadow and nested run on the interp engine\n\n",
	    cpu, kvm_flavour);
	if (!models_present())
		printf(
		    "**note:** no column reported a shadow or nested model counter "
		    "(mmu.hidden_faults, mmu.ept_fills, ...): the interp engine ran its "
		    "plain page walk in both software columns.\n\n");
	for (unsigned wi = 0; wi < NR_WORKLOADS; wi++)
		if (workloads[wi].selected)
			report_workload(wi);
}

/* ---- the files -------------------------------------------------------------- */

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_counters(FILE *f, const struct counters *c)
{
	fputc('{', f);
	for (unsigned i = 0; i < c->nr; i++) {
		fprintf(f, "%s", i ? "," : "");
		json_string(f, c->c[i].name);
		fprintf(f, ":%llu", (unsigned long long)c->c[i].value);
	}
	fputc('}', f);
}

static void json_samples(FILE *f, const struct sample *s, unsigned nr)
{
	fputc('[', f);
	for (unsigned i = 0; i < nr; i++)
		fprintf(f, "%s{\"seconds\":%.6f,\"loop_seconds\":%.6f}", i ? "," : "",
		        s[i].seconds, s[i].loop_seconds);
	fputc(']', f);
}

/* One cell as CSV rows (workload,runner,n,metric,value) and as a JSON
 * object. */
static void write_cell(FILE *csv, FILE *json, unsigned wi, unsigned ri)
{
	const char *wn = workloads[wi].name, *rn = runners[ri].name;
	const struct cell *c = &B.cells[wi][ri];
	unsigned long long n = (unsigned long long)c->n;
	bool ok = cell_ok(c);
	double d;

	fprintf(csv, "%s,%s,%llu,runs_ok,%u\n", wn, rn, n, ok ? c->nr_full : 0);
	fprintf(csv, "%s,%s,%llu,runs_failed,%u\n", wn, rn, n, c->failed_runs);
	if (ok) {
		fprintf(csv, "%s,%s,%llu,ns_per_op,%.3f\n", wn, rn, n,
		        ns_per_op(c, false));
		fprintf(csv, "%s,%s,%llu,loop_ns_per_op,%.3f\n", wn, rn, n,
		        ns_per_op(c, true));
		for (unsigned i = 0; i < c->c_full.nr; i++)
			if (counter_delta(c, c->c_full.c[i].name, &d) && c->n)
				fprintf(csv, "%s,%s,%llu,%s_per_op,%.6f\n", wn, rn, n,
				        c->c_full.c[i].name, d / (double)c->n);
	}
	fprintf(json,
	        "{\"name\":\"%s\",\"engine\":\"%s\",\"paging\":\"%s\",\"n\":%llu,"
	        "\"ok\":%s,",
	        rn, runners[ri].engine_name, vm_paging_name(runners[ri].paging), n,
	        ok ? "true" : "false");
	fprintf(json, "\"failed_runs\":%u,\"why\":", c->failed_runs);
	json_string(json, runners[ri].why[0] ? runners[ri].why : c->why);
	if (ok)
		fprintf(json, ",\"ns_per_op\":%.3f,\"loop_ns_per_op\":%.3f",
		        ns_per_op(c, false), ns_per_op(c, true));
	fprintf(json, ",\"samples\":");
	json_samples(json, c->full, c->nr_full);
	fprintf(json, ",\"baseline_samples\":");
	json_samples(json, c->base, c->nr_base);
	fprintf(json, ",\"counters\":");
	json_counters(json, &c->c_full);
	fprintf(json, ",\"baseline_counters\":");
	json_counters(json, &c->c_base);
	fprintf(json, "}");
}

static void write_samples(FILE *f)
{
	fprintf(f, "workload,runner,n,run,seconds,loop_seconds\n");
	for (unsigned wi = 0; wi < NR_WORKLOADS; wi++)
		for (unsigned ri = 0; ri < NR_RUNNERS && workloads[wi].selected; ri++) {
			const struct cell *c = &B.cells[wi][ri];
			for (int full = 0; full < 2; full++) {
				const struct sample *s = full ? c->full : c->base;
				unsigned nr = full ? c->nr_full : c->nr_base;
				for (unsigned k = 0; k < nr; k++)
					fprintf(f, "%s,%s,%llu,%u,%.6f,%.6f\n",
					        workloads[wi].name, runners[ri].name,
					        full ? (unsigned long long)c->n : 0ull,
					        k + 1, s[k].seconds, s[k].loop_seconds);
			}
		}
}

static FILE *open_output(const char *name)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", B.out_dir, name);
	if (!(f = fopen(path, "w")))
		fprintf(stderr, "trapeze-bench-paging: cannot write %s: %s\n", path,
		        strerror(errno));
	return f;
}

static int write_files(void)
{
	FILE *csv = open_output("bench-paging.csv");
	FILE *samples = open_output("bench-paging-samples.csv");
	FILE *json = open_output("bench-paging.json");
	char cpu[128];
	int rc = -1;

	if (!csv || !samples || !json)
		goto out;
	host_description(cpu, sizeof(cpu));
	fprintf(csv, "workload,runner,n,metric,value\n");
	fprintf(json, "{\"benchmark\":\"paging\",\"host\":");
	json_string(json, cpu);
	fprintf(json, ",\"kvm_flavour\":");
	json_string(json, kvm_flavour);
	fprintf(json, ",\"runs\":%u,\"workloads\":[", B.runs);
	bool first = true;
	for (unsigned wi = 0; wi < NR_WORKLOADS; wi++) {
		if (!workloads[wi].selected)
			continue;
		fprintf(json, "%s{\"name\":\"%s\",\"operation\":", first ? "" : ",",
		        workloads[wi].name);
		json_string(json, workloads[wi].title);
		fprintf(json, ",\"runners\":[");
		for (unsigned ri = 0; ri < NR_RUNNERS; ri++) {
			fprintf(json, "%s", ri ? "," : "");
			write_cell(csv, json, wi, ri);
		}
		fprintf(json, "]}");
		first = false;
	}
	fprintf(json, "]}\n");
	write_samples(samples);
	printf("results: %s/bench-paging.csv, %s/bench-paging-samples.csv, "
	       "%s/bench-paging.json\n",
	       B.out_dir, B.out_dir, B.out_dir);
	rc = 0;
out:
	if (csv)
		fclose(csv);
	if (samples)
		fclose(samples);
	if (json)
		fclose(json);
	return rc;
}

/* ---- main ---------------------------------------------------------------------- */

/* Find the engines, probe them, load the selected images and size the
 * cells.  Returns 0, or -1 with a message on stderr. */
static int prepare(void)
{
	struct engine_info info;
	char path[600];

	for (unsigned ri = 0; ri < NR_RUNNERS; ri++) {
		struct runner *r = &runners[ri];
		r->engine = engine_find(r->engine_name);
		if (!r->engine)
			snprintf(r->why, sizeof(r->why), "engine %s is not built in",
			         r->engine_name);
		else if (r->engine->probe(&info))
			snprintf(r->why, sizeof(r->why), "%s", info.detail);
		else if (r->reference)
			snprintf(kvm_flavour, sizeof(kvm_flavour), "%s", info.flavour);
	}
	for (unsigned wi = 0; wi < NR_WORKLOADS; wi++) {
		struct workload *w = &workloads[wi];
		if (!w->selected)
			continue;
		snprintf(path, sizeof(path), "%s/guest/b_%s.elf", B.build, w->name);
		char err[320];
		if (!(w->image = boot_read_image(path, &w->image_size, err, sizeof(err)))) {
			fprintf(stderr, "trapeze-bench-paging: %s (build the guest images "
			        "first)\n", err);
			return -1;
		}
		for (unsigned ri = 0; ri < NR_RUNNERS; ri++)
			B.cells[wi][ri].n = runners[ri].reference
			                        ? (B.kvm_n ? B.kvm_n : w->kvm_n)
			                        : (B.n ? B.n : w->n);
	}
	return 0;
}

/* --workload a,b,...: select those; false if a name is unknown. */
static bool select_workloads(const char *list)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (unsigned wi = 0; wi < NR_WORKLOADS; wi++)
		workloads[wi].selected = false;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		unsigned wi = 0;
		while (wi < NR_WORKLOADS && strcmp(workloads[wi].name, t))
			wi++;
		if (wi == NR_WORKLOADS) {
			fprintf(stderr, "trapeze-bench-paging: unknown workload '%s'\n",
			        t);
			return false;
		}
		workloads[wi].selected = true;
	}
	return true;
}

static void usage(void)
{
	fprintf(stderr,
	        "usage: trapeze-bench-paging [--runs N] [--n OPS] [--kvm-n OPS]\n"
	        "           [--workload ptemod,pgfault,ctxsw,tlbwalk] [--timeout SEC]\n"
	        "           [--build DIR] [--out DIR]\n");
}

static int parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"runs", required_argument, NULL, 'r'},
	    {"n", required_argument, NULL, 'n'},
	    {"kvm-n", required_argument, NULL, 'k'},
	    {"workload", required_argument, NULL, 'w'},
	    {"timeout", required_argument, NULL, 't'},
	    {"build", required_argument, NULL, 'b'},
	    {"out", required_argument, NULL, 'o'},
	    {0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "r:n:k:w:t:b:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			B.runs = (unsigned)atoi(optarg);
			break;
		case 'n':
			B.n = strtoull(optarg, NULL, 10);
			break;
		case 'k':
			B.kvm_n = strtoull(optarg, NULL, 10);
			break;
		case 'w':
			if (!select_workloads(optarg))
				return -1;
			break;
		case 't':
			B.timeout = atof(optarg);
			break;
		case 'b':
			B.build = optarg;
			break;
		case 'o':
			B.out_dir = optarg;
			break;
		default:
			usage();
			return -1;
		}
	}
	if (optind < argc || B.runs < 1 || B.runs > MAX_RUNS || B.timeout <= 0) {
		fprintf(stderr,
		        "trapeze-bench-paging: --runs must be 1..%d, --timeout > 0\n",
		        MAX_RUNS);
		usage();
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char out_default[512];

	B.build = "build";
	B.runs = 5;
	B.timeout = TIMEOUT_SEC;
	for (unsigned wi = 0; wi < NR_WORKLOADS; wi++)
		workloads[wi].selected = true;
	if (parse_args(argc, argv))
		return 2;
	snprintf(out_default, sizeof(out_default), "%s/bench", B.build);
	if (!B.out_dir)
		B.out_dir = out_default;
	if (prepare())
		return 1;
	fprintf(stderr,
	        "trapeze-bench-paging: %u runs of each workload on shadow, nested "
	        "and kvm, with n=N and n=0...\n",
	        B.runs);
	for (unsigned k = 0; k < B.runs; k++)
		for (unsigned wi = 0; wi < NR_WORKLOADS; wi++)
			for (unsigned ri = 0; ri < NR_RUNNERS && workloads[wi].selected;
			     ri++)
				if (!runners[ri].why[0])
					run_cell(wi, ri);
	report();
	int rc = write_files();
	for (unsigned wi = 0; wi < NR_WORKLOADS; wi++) {
		free(workloads[wi].image);
		for (unsigned ri = 0; ri < NR_RUNNERS; ri++)
			if (workloads[wi].selected && !runners[ri].reference &&
			    (!cell_ok(&B.cells[wi][ri]) || B.cells[wi][ri].failed_runs))
				rc = 1; /* a software column failed: the run is not a
				           result */
	}
	return rc ? 1 : 0;
}
