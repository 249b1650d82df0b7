/*
 * stats.h - exit counters.
 *
 * Counted by the core for every engine: exits by reason, and port-I/O /
 * MMIO accesses by address (with the device that took them).  These are the
 * exits the VMM itself handled; exits an in-kernel hypervisor handles on
 * its own are reported separately by that engine.
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

#endif
