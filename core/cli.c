/*
 * cli.c - the `trapeze` command.
 *
 *   trapeze run [options] IMAGE [-- CMDLINE...]   boot IMAGE and run it
 *   trapeze info                                  which engines work here
 *
 * This is the only part of trapeze that prints or exits; the library below
 * returns errors with enough context for one clear line here.  Guest
 * serial output goes to stdout; everything trapeze says goes to stderr, so
 * a guest's output can be compared byte for byte with another machine's.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "report.h"
#include "vm.h"

#define DEFAULT_MEM (64ull << 20)

enum stats_format { STATS_NONE, STATS_TEXT, STATS_JSON };

struct run_opts {
	const char *engine;
	const char *image;
	const char *serial_path;
	const char *stats_path; /* --stats-file: NULL for stderr */
	uint64_t mem;
	double timeout;
	enum stats_format stats;
	unsigned shadow_pages;
	bool quiet;
	enum boot_protocol boot;
	enum vm_paging paging;
	char cmdline[LOADER_CMDLINE_MAX];
};

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: trapeze run [options] IMAGE [-- KERNEL COMMAND LINE...]\n"
	        "       trapeze info\n"
	        "\n"
	        "run options:\n"
	        "  --engine=auto|kvm|interp\n"
	        "                        engine to run the guest on (default auto: kvm\n"
	        "                        when usable, else the software engine)\n"
	        "  --paging=shadow|nested\n"
	        "                        software engines: how the MMU maps guest memory\n"
	        "                        (default shadow; see docs/paging-models.md)\n"
	        "  --shadow-pages=N      shadow paging: at most N shadow page tables\n"
	        "                        (default 4096; the oldest roots are reclaimed)\n"
	        "  -m, --memory=SIZE     guest RAM, e.g. 64M, 1G (default 64M)\n"
	        "  --boot=auto|pvh|multiboot|direct64\n"
	        "                        boot protocol (default: from the image)\n"
	        "  --timeout=SEC         stop the guest after SEC seconds\n"
	        "  --serial=FILE         write the guest's serial output to FILE\n"
	        "  --stats[=text|json]   print exit and engine statistics when the VM ends\n"
	        "                        (json: one JSON object, for tools)\n"
	        "  --stats-file=FILE     write the statistics to FILE instead of stderr\n"
	        "                        (json unless --stats=text is given)\n"
	        "  -q, --quiet           say nothing when the guest ends normally\n"
	        "\n"
	        "exit status: the guest's power-off status (0-119); (v<<1)|1 when the\n"
	        "guest writes v to isa-debug-exit; 1 when a GUEST_ASSERT fails;\n"
	        "120 VMM error, 122 triple fault, 124 timeout, 126 guest error.\n");
}

/* ---- engine choice ------------------------------------------------------- */

static const struct engine_ops *choose_engine(const char *name)
{
	struct engine_info info;

	if (strcmp(name, "auto") != 0) {
		const struct engine_ops *e = engine_find(name);
		if (!e) {
			fprintf(stderr, "trapeze: unknown engine '%s' (see 'trapeze info')\n",
			        name);
			return NULL;
		}
		if (e->probe(&info)) {
			fprintf(stderr, "trapeze: engine %s is not usable here: %s\n", name,
			        info.detail);
			return NULL;
		}
		return e;
	}
	for (unsigned i = 0; engine_table[i]; i++) {
		if (engine_table[i]->probe(&info) == 0) {
			if (i > 0)
				fprintf(stderr, "trapeze: note: engine %s not usable, using %s\n",
				        engine_table[0]->name, engine_table[i]->name);
			return engine_table[i];
		}
		fprintf(stderr, "trapeze: %s: %s\n", engine_table[i]->name, info.detail);
	}
	fprintf(stderr, "trapeze: no engine can run guests on this host\n");
	return NULL;
}

static int cmd_info(void)
{
	printf("%-8s %-8s %-10s %s\n", "engine", "usable", "flavour", "detail");
	for (unsigned i = 0; engine_table[i]; i++) {
		struct engine_info info;
		engine_table[i]->probe(&info);
		printf("%-8s %-8s %-10s %s\n", engine_table[i]->name,
		       info.usable ? "yes" : "no", info.flavour, info.detail);
	}
	return 0;
}

/* ---- reading the image --------------------------------------------------- */


/* ---- run ----------------------------------------------------------------- */

static void print_ucall(struct vm *vm, const struct ucall *uc, void *opaque)
{
	if (uc->cmd == UCALL_PRINT)
		fprintf(stderr, "guest: %s\n", uc->msg);
}

static void print_engine_stat(void *ctx, const char *name, uint64_t value)
{
	if (value)
		fprintf(ctx, "  %-28s %12llu\n", name, (unsigned long long)value);
}

static void print_stats_text(struct vm *vm, FILE *out)
{
	stats_print(&vm->stats, vm->engine->name, out);
	if (vm->engine->engine_stats) {
		fprintf(out, "exits and events handled inside the engine (%s, non-zero "
		        "counters)\n", vm->engine->name);
		if (vm->engine->engine_stats(&vm->vcpus[0], print_engine_stat, out))
			fprintf(out, "  (not available from this engine)\n");
	}
}


static void print_stats_json(struct vm *vm, int status, FILE *out)
{
	struct stats_counter_list counters = { 0 };
	struct stats_run_info run = {
		.engine = vm->engine->name, .mmu_model = vm_paging_name(vm->cfg.paging),
		.stop = vm_stop_reason_name(vm->result.reason), .status = status,
	};
	bool have = vm->engine->engine_stats &&
	            vm->engine->engine_stats(&vm->vcpus[0], stats_counter_add, &counters) == 0;

	stats_print_json(&vm->stats, &run, have ? &counters : NULL, out);
	stats_counter_list_free(&counters);
}

/* --stats / --stats-file: the table or the JSON object, on stderr or in
 * the file.  Returns false if the file could not be written. */
static bool print_stats(struct run_opts *o, struct vm *vm, int status)
{
	FILE *out = stderr;

	if (o->stats_path && !(out = fopen(o->stats_path, "w"))) {
		fprintf(stderr, "trapeze: cannot write statistics to %s: %s\n", o->stats_path,
		        strerror(errno));
		return false;
	}
	if (o->stats == STATS_JSON)
		print_stats_json(vm, status, out);
	else
		print_stats_text(vm, out);
	if (out != stderr && fclose(out)) {
		fprintf(stderr, "trapeze: cannot write statistics to %s: %s\n", o->stats_path,
		        strerror(errno));
		return false;
	}
	return true;
}

static void note_unclaimed(const struct vm *vm)
{
	if (vm->stats.unclaimed_pio)
		fprintf(stderr, "trapeze: note: %llu guest port accesses hit no device "
		        "(reads returned all ones; --stats lists the ports)\n",
		        (unsigned long long)vm->stats.unclaimed_pio);
	if (vm->stats.unclaimed_mmio)
		fprintf(stderr, "trapeze: note: %llu guest MMIO accesses hit no device "
		        "(reads returned all ones; --stats lists the addresses)\n",
		        (unsigned long long)vm->stats.unclaimed_mmio);
}

/* Build a VM, load the image, run it, report.  Returns the exit status. */
static int run_guest(struct run_opts *o, const struct engine_ops *engine,
                     const uint8_t *image, size_t size)
{
	char err[320];
	struct vm_config cfg = {
		.mem_size = o->mem, .engine = engine, .serial_out_fd = STDOUT_FILENO,
		.serial_in_fd = STDIN_FILENO,
		.timeout_sec = o->timeout, .paging = o->paging,
		.shadow_max_pages = o->shadow_pages,
	};
	int serial_fd = -1;

	if (o->serial_path) {
		serial_fd = open(o->serial_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (serial_fd < 0) {
			fprintf(stderr, "trapeze: cannot open serial output %s: %s\n",
			        o->serial_path, strerror(errno));
			return TRAPEZE_EXIT_VMM_ERROR;
		}
		cfg.serial_out_fd = serial_fd;
	}
	struct vm *vm = vm_create(&cfg, err, sizeof(err));
	int status = TRAPEZE_EXIT_VMM_ERROR;
	if (vm && o->paging != VM_PAGING_DEFAULT && vm->cfg.paging != o->paging)
		fprintf(stderr, "trapeze: note: --paging=%s applies to the software "
		        "engines; %s uses the host's MMU\n", vm_paging_name(o->paging),
		        engine->name);
	if (!vm || vm_boot(vm, image, size, o->image, o->boot,
	                   o->cmdline[0] ? o->cmdline : NULL, NULL, err, sizeof(err))) {
		fprintf(stderr, "trapeze: %s\n", err);
		goto out;
	}
	vm->ucall_hook = print_ucall;
	status = vm_run(vm);
	if (!o->quiet || status != 0)
		report_stop(vm, stderr);
	note_unclaimed(vm);
	if (o->stats != STATS_NONE && !print_stats(o, vm, status) && status == 0)
		status = TRAPEZE_EXIT_VMM_ERROR;
out:
	vm_destroy(vm);
	if (serial_fd >= 0)
		close(serial_fd);
	return status;
}

/* Join everything after "--" into the kernel command line. */
static int join_cmdline(struct run_opts *o, int argc, char **argv)
{
	size_t off = 0;
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]);
		if (off + n + 2 > sizeof(o->cmdline)) {
			fprintf(stderr, "trapeze: kernel command line longer than %zu bytes\n",
			        sizeof(o->cmdline) - 1);
			return -1;
		}
		if (off)
			o->cmdline[off++] = ' ';
		memcpy(o->cmdline + off, argv[i], n);
		off += n;
	}
	o->cmdline[off] = '\0';
	return 0;
}

/* --stats[=text|json]: 0, or -1 with the message printed. */
static int parse_stats_format(const char *arg, enum stats_format *format)
{
	if (!arg || strcmp(arg, "text") == 0)
		*format = STATS_TEXT;
	else if (strcmp(arg, "json") == 0)
		*format = STATS_JSON;
	else {
		fprintf(stderr, "trapeze: unknown statistics format '%s' (text, json)\n", arg);
		return -1;
	}
	return 0;
}

/* --shadow-pages=N: 0, or -1 with the message printed. */
static int parse_shadow_pages(const char *arg, unsigned *pages)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (errno || *end || arg[0] == '-' || n < VM_SHADOW_PAGES_MIN || n > VM_SHADOW_PAGES_MAX) {
		fprintf(stderr, "trapeze: bad --shadow-pages '%s' (a number of shadow pages, "
		        "%u to %u)\n", arg, VM_SHADOW_PAGES_MIN, VM_SHADOW_PAGES_MAX);
		return -1;
	}
	*pages = (unsigned)n;
	return 0;
}

static int parse_run(struct run_opts *o, int argc, char **argv)
{
	enum { OPT_ENGINE = 256, OPT_BOOT, OPT_TIMEOUT, OPT_SERIAL, OPT_STATS, OPT_PAGING,
	       OPT_STATS_FILE, OPT_SHADOW_PAGES };
	static const struct option longopts[] = {
		{ "engine", required_argument, NULL, OPT_ENGINE },
		{ "memory", required_argument, NULL, 'm' },
		{ "boot", required_argument, NULL, OPT_BOOT },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "serial", required_argument, NULL, OPT_SERIAL },
		{ "stats", optional_argument, NULL, OPT_STATS },
		{ "stats-file", required_argument, NULL, OPT_STATS_FILE },
		{ "shadow-pages", required_argument, NULL, OPT_SHADOW_PAGES },
		{ "paging", required_argument, NULL, OPT_PAGING },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c, boot, paging;
	char *end;

	while ((c = getopt_long(argc, argv, "+m:qh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ENGINE: o->engine = optarg; break;
		case 'm':
			if (gmem_parse_size(optarg, &o->mem) || o->mem < (2ull << 20)) {
				fprintf(stderr, "trapeze: bad memory size '%s' (use e.g. 64M; "
				        "at least 2M, a multiple of 4K)\n", optarg);
				return -1;
			}
			break;
		case OPT_BOOT:
			if ((boot = boot_protocol_parse(optarg)) < 0) {
				fprintf(stderr, "trapeze: unknown boot protocol '%s' "
				        "(auto, pvh, multiboot, direct64)\n", optarg);
				return -1;
			}
			o->boot = (enum boot_protocol)boot;
			break;
		case OPT_TIMEOUT:
			o->timeout = strtod(optarg, &end);
			if (*end || o->timeout <= 0 || o->timeout > 1e6) {
				fprintf(stderr, "trapeze: bad timeout '%s' (seconds > 0)\n", optarg);
				return -1;
			}
			break;
		case OPT_SERIAL: o->serial_path = optarg; break;
		case OPT_PAGING:
			if ((paging = vm_paging_parse(optarg)) < 0) {
				fprintf(stderr, "trapeze: unknown paging model '%s' "
				        "(shadow, nested)\n", optarg);
				return -1;
			}
			o->paging = (enum vm_paging)paging;
			break;
		case OPT_STATS:
			if (parse_stats_format(optarg, &o->stats))
				return -1;
			break;
		case OPT_STATS_FILE: o->stats_path = optarg; break;
		case OPT_SHADOW_PAGES:
			if (parse_shadow_pages(optarg, &o->shadow_pages))
				return -1;
			break;
		case 'q': o->quiet = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "trapeze: run: no guest image given\n");
		usage(stderr);
		return -1;
	}
	if (o->stats_path && o->stats == STATS_NONE)
		o->stats = STATS_JSON;
	o->image = argv[optind++];
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	return join_cmdline(o, argc - optind, argv + optind);
}

static int cmd_run(int argc, char **argv)
{
	struct run_opts o = { .engine = "auto", .mem = DEFAULT_MEM, .boot = BOOT_AUTO };
	size_t size;

	if (parse_run(&o, argc, argv))
		return TRAPEZE_EXIT_VMM_ERROR;
	char err[320];
	uint8_t *image = boot_read_image(o.image, &size, err, sizeof(err));
	if (!image) {
		fprintf(stderr, "trapeze: %s\n", err);
		return TRAPEZE_EXIT_VMM_ERROR;
	}
	const struct engine_ops *engine = choose_engine(o.engine);
	int status = engine ? run_guest(&o, engine, image, size) : TRAPEZE_EXIT_VMM_ERROR;
	free(image);
	return status;
}

int main(int argc, char **argv)
{
	setvbuf(stderr, NULL, _IOLBF, 0);
	if (argc < 2) {
		usage(stderr);
		return TRAPEZE_EXIT_VMM_ERROR;
	}
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "info") == 0)
		return cmd_info();
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "trapeze: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return TRAPEZE_EXIT_VMM_ERROR;
}
