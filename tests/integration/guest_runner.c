/*
 * guest_runner.c - see guest_runner.h.
 */
#include "guest_runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/boot.h"

const char *guest_image_path(const char *name, char *buf, size_t len)
{
	const char *build = getenv("TRAPEZE_BUILD");
	snprintf(buf, len, "%s/guest/%s.elf", build ? build : "build", name);
	return buf;
}

/* A software engine says so in its probe (flavour "software"); its MMU is
 * trapeze's, with a choice of model. */
static bool is_software(const struct engine_ops *engine)
{
	struct engine_info info;

	engine->probe(&info);
	return strcmp(info.flavour, "software") == 0;
}

size_t run_targets(struct run_target *t, size_t max)
{
	static const enum vm_paging models[] = { VM_PAGING_SHADOW, VM_PAGING_NESTED };
	size_t n = 0;

	for (size_t e = 0; engine_table[e]; e++) {
		const struct engine_ops *engine = engine_table[e];
		if (!is_software(engine)) {
			if (n < max) {
				t[n] = (struct run_target){ .engine = engine };
				snprintf(t[n].name, sizeof(t[n].name), "%s", engine->name);
				n++;
			}
			continue;
		}
		for (size_t m = 0; m < ARRAY_SIZE(models) && n < max; m++, n++) {
			t[n] = (struct run_target){ .engine = engine, .paging = models[m] };
			snprintf(t[n].name, sizeof(t[n].name), "%s+%s", engine->name,
			         vm_paging_name(models[m]));
		}
	}
	return n;
}

int64_t guest_run_counter(const struct guest_run *out, const char *name)
{
	for (size_t i = 0; i < out->counters.nr; i++)
		if (strcmp(out->counters.items[i].name, name) == 0)
			return (int64_t)out->counters.items[i].value;
	return -1;
}

const char *guest_run_model_error(const struct run_target *target,
                                  const struct guest_run *out)
{
	int64_t walks = guest_run_counter(out, "mmu.walks");
	int64_t hidden = guest_run_counter(out, "mmu.hidden_faults");
	int64_t fills = guest_run_counter(out, "mmu.ept_fills");

	switch (target->paging) {
	case VM_PAGING_SHADOW:
		if (fills != 0)
			return "shadow paging filled a software EPT";
		if (walks > 0 && hidden <= 0)
			return "shadow paging walked without a hidden fault";
		return NULL;
	case VM_PAGING_NESTED:
		if (hidden != 0)
			return "nested paging took hidden faults";
		if (walks > 0 && fills <= 0)
			return "nested paging walked without filling its EPT";
		return NULL;
	default:
		return NULL;
	}
}

void guest_run_free(struct guest_run *out)
{
	if (out)
		stats_counter_list_free(&out->counters);
	free(out);
}

static void record_ucall(struct vm *vm, const struct ucall *uc, void *opaque)
{
	struct guest_run *out = opaque;
	if (uc->cmd == UCALL_SYNC && out->nr_syncs < RUN_MAX_SYNCS)
		out->syncs[out->nr_syncs++] = uc->args[0];
}

static void read_serial(int fd, struct guest_run *out)
{
	ssize_t n = pread(fd, out->serial, sizeof(out->serial) - 1, 0);
	out->serial[n > 0 ? n : 0] = '\0';
}

int guest_run(const struct run_target *target, const char *image,
              enum boot_protocol proto, const char *cmdline, double timeout,
              struct guest_run *out)
{
	size_t size = 0;
	int serial = memfd_create("serial", MFD_CLOEXEC);
	struct vm_config cfg = { .mem_size = 64ull << 20, .engine = target->engine,
	                         .serial_out_fd = serial, .serial_in_fd = -1,
	                         .timeout_sec = timeout, .paging = target->paging };
	struct loader_result lr;
	struct vm *vm = NULL;
	int r = -1;

	memset(out, 0, sizeof(*out));
	uint8_t *bytes = boot_read_image(image, &size, out->message, sizeof(out->message));
	if (!bytes || serial < 0)
		goto done;
	vm = vm_create(&cfg, out->message, sizeof(out->message));
	if (!vm || vm_boot(vm, bytes, size, image, proto, cmdline, &lr, out->message,
	                   sizeof(out->message)))
		goto done;
	out->proto = lr.proto;
	vm->ucall_hook = record_ucall;
	vm->ucall_hook_opaque = out;
	out->status = vm_run(vm);
	out->reason = vm->result.reason;
	snprintf(out->message, sizeof(out->message), "%s", vm->result.message);
	out->state = vm->result.state;
	memcpy(out->stats_copy.exits, vm->stats.exits, sizeof(vm->stats.exits));
	out->stats_copy.unclaimed_pio = vm->stats.unclaimed_pio;
	out->stats_copy.unclaimed_mmio = vm->stats.unclaimed_mmio;
	if (vm->engine->engine_stats)
		vm->engine->engine_stats(&vm->vcpus[0], stats_counter_add, &out->counters);
	read_serial(serial, out);
	r = 0;
done:
	vm_destroy(vm);
	if (serial >= 0)
		close(serial);
	free(bytes);
	return r;
}
