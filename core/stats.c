/*
 * stats.c - exit counters, the table `trapeze run --stats` prints, and the
 * JSON object `--stats=json` writes.
 */
#include "stats.h"

#include <errno.h>
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

/* The rows of t sorted by address (a copy the caller frees), or NULL. */
static struct stats_addr *sorted_rows(const struct stats_addr_table *t)
{
	struct stats_addr *rows = malloc((t->nr ? t->nr : 1) * sizeof(*rows));

	if (!rows)
		return NULL;
	if (t->nr)
		memcpy(rows, t->rows, t->nr * sizeof(*rows));
	qsort(rows, t->nr, sizeof(*rows), by_addr);
	return rows;
}

static void print_addr_table(const struct stats_addr_table *t, const char *title,
                             const char *width, FILE *out)
{
	if (t->nr == 0)
		return;
	struct stats_addr *rows = sorted_rows(t);
	if (!rows)
		return;
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

/* ---- engine counters -------------------------------------------------------- */

void stats_counter_add(void *ctx, const char *name, uint64_t value)
{
	struct stats_counter_list *list = ctx;

	if (list->nr == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 64;
		struct stats_counter *items = realloc(list->items, cap * sizeof(*items));
		if (!items) {
			list->truncated = true;
			return;
		}
		list->items = items;
		list->cap = cap;
	}
	struct stats_counter *c = &list->items[list->nr++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->value = value;
}

void stats_counter_list_free(struct stats_counter_list *list)
{
	free(list->items);
	memset(list, 0, sizeof(*list));
}

/* ---- JSON ----------------------------------------------------------------- */

/* A JSON string: quotes, with ", \ and control characters escaped. */
static void json_string(const char *s, FILE *out)
{
	fputc('"', out);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static void json_addr_table(const struct stats_addr_table *t, const char *key, FILE *out)
{
	fprintf(out, ",\n  ");
	json_string(key, out);
	fprintf(out, ": [");
	struct stats_addr *rows = sorted_rows(t);
	for (size_t i = 0; rows && i < t->nr; i++) {
		const struct stats_addr *r = &rows[i];
		fprintf(out, "%s\n    {\"addr\": %llu, \"device\": ", i ? "," : "",
		        (unsigned long long)r->addr);
		if (r->device)
			json_string(r->device, out);
		else
			fprintf(out, "null");
		fprintf(out, ", \"reads\": %llu, \"writes\": %llu}",
		        (unsigned long long)r->reads, (unsigned long long)r->writes);
	}
	fprintf(out, "%s]", rows && t->nr ? "\n  " : "");
	free(rows);
}

static void json_exits(const struct vm_stats *st, FILE *out)
{
	fprintf(out, ",\n  \"vmm_exits\": {");
	for (unsigned r = 1; r < VM_EXIT_NR_REASONS; r++) {
		fprintf(out, "%s", r > 1 ? ", " : "");
		json_string(vm_exit_reason_name(r), out);
		fprintf(out, ": %llu", (unsigned long long)st->exits[r]);
	}
	fprintf(out, ", \"total\": %llu}", (unsigned long long)st->total_exits);
}

static void json_engine(const struct stats_counter_list *engine, FILE *out)
{
	fprintf(out, ",\n  \"engine_counters\": ");
	if (!engine) {
		fprintf(out, "null");
		return;
	}
	fprintf(out, "{");
	for (size_t i = 0; i < engine->nr; i++) {
		fprintf(out, "%s\n    ", i ? "," : "");
		json_string(engine->items[i].name, out);
		fprintf(out, ": %llu", (unsigned long long)engine->items[i].value);
	}
	fprintf(out, "%s}", engine->nr ? "\n  " : "");
}

int stats_print_json(const struct vm_stats *st, const struct stats_run_info *run,
                     const struct stats_counter_list *engine, FILE *out)
{
	fprintf(out, "{\n  \"engine\": ");
	json_string(run->engine, out);
	fprintf(out, ",\n  \"mmu_model\": ");
	json_string(run->mmu_model, out);
	fprintf(out, ",\n  \"stop\": ");
	json_string(run->stop, out);
	fprintf(out, ",\n  \"status\": %d,\n  \"run_seconds\": %.6f", run->status,
	        st->run_seconds);
	json_exits(st, out);
	fprintf(out, ",\n  \"irqs_injected\": %llu,\n  \"unclaimed_pio\": %llu,"
	        "\n  \"unclaimed_mmio\": %llu",
	        (unsigned long long)st->injected_irqs, (unsigned long long)st->unclaimed_pio,
	        (unsigned long long)st->unclaimed_mmio);
	json_addr_table(&st->ports, "ports", out);
	json_addr_table(&st->mmio, "mmio", out);
	json_engine(engine, out);
	fprintf(out, "\n}\n");
	fflush(out);
	return ferror(out) ? -EIO : 0;
}
