/*
 * guest_runner.c - see guest_runner.h.
 */
#include "guest_runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devices/device.h"

const char *guest_image_path(const char *name, char *buf, size_t len)
{
	const char *build = getenv("TRAPEZE_BUILD");
	snprintf(buf, len, "%s/guest/%s.elf", build ? build : "build", name);
	return buf;
}

static uint8_t *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*size = (size_t)n;
	}
	fclose(f);
	return buf;
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

int guest_run(const struct engine_ops *engine, const char *image,
              enum boot_protocol proto, const char *cmdline, double timeout,
              struct guest_run *out)
{
	size_t size = 0;
	uint8_t *bytes = slurp(image, &size);
	int serial = memfd_create("serial", MFD_CLOEXEC);
	struct vm_config cfg = { .mem_size = 64ull << 20, .engine = engine,
	                         .serial_out_fd = serial, .serial_in_fd = -1,
	                         .timeout_sec = timeout };
	struct loader_result lr;
	struct vm *vm = NULL;
	int r = -1;

	memset(out, 0, sizeof(*out));
	if (!bytes || serial < 0) {
		snprintf(out->message, sizeof(out->message), "cannot read %s", image);
		goto done;
	}
	vm = vm_create(&cfg, out->message, sizeof(out->message));
	if (!vm || board_setup(vm, out->message, sizeof(out->message)) ||
	    loader_load(&vm->mem, bytes, size, image, proto, cmdline, &out->state, &lr,
	                out->message, sizeof(out->message)) ||
	    vcpu_set_state(&vm->vcpus[0], &out->state))
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
	read_serial(serial, out);
	r = 0;
done:
	vm_destroy(vm);
	if (serial >= 0)
		close(serial);
	free(bytes);
	return r;
}
