/*
 * stats.c - exit counters and the table `trapeze run --stats` prints.
 */
#include "stats.h"

#include <stdlib.h>
#include <string.h>

#include "engine.h"

static struct stats_addr *stats_row(struct stats_addr_table *t, uint64_t addr)
{
	for (size_t i = 0; i < t->nr; i++)
		if (t->rows[i].addr == addr)
			return &t->rows[i];
	if (t->nr == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct stats_addr *rows = realloc(t->rows, cap * sizeof(*rows));
		if (!rows)
			return NULL; /* counting is best effort */
		t->rows = rows;
		t->cap = cap;
	}
	t->rows[t->nr] = (struct stats_addr){ .addr = addr };
	return &t->rows[t->nr++];
}

void stats_count_addr(struct stats_addr_table *t, uint64_t addr, bool is_write,
                      uint64_t n, const char *device)
{
	struct stats_addr *row = stats_row(t, addr);

	if (!row)
		return;
	if (is_write)
		row->writes += n;
	else
		row->reads += n;
	row->device = device;
}

void stats_destroy(struct vm_stats *st)
{
	free(st->ports.rows);
	free(st->mmio.rows);
	memset(st, 0, sizeof(*st));
}

static int by_addr(const void *a, const void *b)
{
	const struct stats_addr *x = a, *y = b;
	return (x->addr > y->addr) - (x->addr < y->addr);
}

static void print_addr_table(const struct stats_addr_table *t, const char *title,
                             const char *width, FILE *out)
{
	if (t->nr == 0)
		return;
	struct stats_addr *rows = malloc(t->nr * sizeof(*rows));
	if (!rows)
		return;
	memcpy(rows, t->rows, t->nr * sizeof(*rows));
	qsort(rows, t->nr, sizeof(*rows), by_addr);
	fprintf(out, "  %-18s %-16s %12s %12s\n", title, "device", "reads", "writes");
	for (size_t i = 0; i < t->nr; i++) {
		char addr[24];
		snprintf(addr, sizeof(addr), width, (unsigned long long)rows[i].addr);
		fprintf(out, "  %-18s %-16s %12llu %12llu\n", addr,
		        rows[i].device ? rows[i].device : "(unclaimed)",
		        (unsigned long long)rows[i].reads,
		        (unsigned long long)rows[i].writes);
	}
	free(rows);
}

void stats_print(const struct vm_stats *st, const char *engine, FILE *out)
{
	fprintf(out, "exits handled by trapeze (engine %s, %.3f s in the run loop)\n",
	        engine, st->run_seconds);
	fprintf(out, "  %-18s %12s\n", "reason", "count");
	for (unsigned r = 1; r < VM_EXIT_NR_REASONS; r++) {
		if (st->exits[r] == 0)
			continue;
		fprintf(out, "  %-18s %12llu\n", vm_exit_reason_name(r),
		        (unsigned long long)st->exits[r]);
	}
	fprintf(out, "  %-18s %12llu\n", "total", (unsigned long long)st->total_exits);
	if (st->injected_irqs)
		fprintf(out, "  %-18s %12llu\n", "irqs injected",
		        (unsigned long long)st->injected_irqs);
	print_addr_table(&st->ports, "port", "0x%04llx", out);
	print_addr_table(&st->mmio, "mmio address", "0x%llx", out);
}
