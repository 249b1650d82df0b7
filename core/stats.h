/*
 * stats.h - exit counters, and the two ways `trapeze run --stats` shows
 * them.
 *
 * Counted by the core for every engine: exits by reason, and port-I/O /
 * MMIO accesses by address (with the device that took them).  These are the
 * exits the VMM itself handled; exits an in-kernel hypervisor handles on
 * its own, and everything a software engine counts (its MMU's "mmu.*"
 * counters among them), are reported separately by that engine
 * (engine_ops.engine_stats).  Both go into the text table for people and
 * into one JSON object for tools (stats_print_json; the layout is in
 * docs/paging-models.md, "Reading the counters").
 */
#ifndef TRAPEZE_CORE_STATS_H
#define TRAPEZE_CORE_STATS_H

#include <stdio.h>

#include "types.h"

struct stats_addr {
	uint64_t addr;
	uint64_t reads, writes;
	const char *device; /* NULL: nothing claims it */
};

struct stats_addr_table {
	struct stats_addr *rows;
	size_t nr, cap;
};

struct vm_stats {
	uint64_t exits[16]; /* by enum vm_exit_reason */
	uint64_t total_exits;
	struct stats_addr_table ports;
	struct stats_addr_table mmio;
	uint64_t unclaimed_pio, unclaimed_mmio;
	uint64_t injected_irqs;
	double run_seconds; /* wall time spent in vm_run */
};

/* Count one access (rep forms count each element). */
void stats_count_addr(struct stats_addr_table *t, uint64_t addr, bool is_write,
                      uint64_t n, const char *device);
void stats_destroy(struct vm_stats *st);
/* Print a human-readable table; `engine` names the engine for the header. */
void stats_print(const struct vm_stats *st, const char *engine, FILE *out);

/* Counters an engine reported, in the order it reported them. */
struct stats_counter {
	char name[64];
	uint64_t value;
};
struct stats_counter_list {
	struct stats_counter *items;
	size_t nr, cap;
	bool truncated; /* out of memory: some were left out */
};
/* An emit() for engine_ops.engine_stats: ctx is a struct stats_counter_list. */
void stats_counter_add(void *ctx, const char *name, uint64_t value);
void stats_counter_list_free(struct stats_counter_list *list);

/* What the JSON object says about the run besides the counters. */
struct stats_run_info {
	const char *engine;    /* "kvm", "interp" */
	const char *mmu_model; /* "shadow", "nested", "host" */
	const char *stop;      /* vm_stop_reason_name() */
	int status;            /* the exit status */
};
/* Print everything as one JSON object and a newline: the run, the exits
 * trapeze handled, the port/MMIO tables and the engine's counters (NULL:
 * none).  Returns 0, or -EIO if `out` reported a write error. */
int stats_print_json(const struct vm_stats *st, const struct stats_run_info *run,
                     const struct stats_counter_list *engine, FILE *out);

#endif
