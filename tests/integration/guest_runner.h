/*
 * guest_runner.h - boot a guest image on an engine, in-process, and
 * collect what a user would see: serial output, test-port calls, how and
 * why the VM stopped.  Shared by the integration tests.
 */
#ifndef TRAPEZE_TESTS_GUEST_RUNNER_H
#define TRAPEZE_TESTS_GUEST_RUNNER_H

#include "core/loader.h"
#include "core/vm.h"

#define RUN_SERIAL_MAX 65536
#define RUN_MAX_SYNCS 32

struct guest_run {
	int status;
	enum vm_stop_reason reason;
	char message[512];
	char serial[RUN_SERIAL_MAX];
	uint64_t syncs[RUN_MAX_SYNCS]; /* args[0] of each GUEST_SYNC */
	unsigned nr_syncs;
	struct vm_stats stats_copy;    /* counters only (tables freed) */
	struct x86_state state;        /* vCPU state when the VM stopped */
	enum boot_protocol proto;
};

/* Path of a built guest image: $TRAPEZE_BUILD/guest/NAME.elf. */
const char *guest_image_path(const char *name, char *buf, size_t len);
/* Boot `image` on `engine`; 0 if the VM ran (whatever its verdict), or -1
 * with the reason in out->message if it could not be set up. */
int guest_run(const struct engine_ops *engine, const char *image,
              enum boot_protocol proto, const char *cmdline, double timeout,
              struct guest_run *out);

#endif
