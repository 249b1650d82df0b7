/*
 * guest_runner.h - boot a guest image on an engine, in-process, and
 * collect what a user would see: serial output, test-port calls, how and
 * why the VM stopped, and the engine's counters.  Shared by the
 * integration tests.
 *
 * A test runs each case on every *target*: an (engine, paging) pair.  The
 * KVM engine runs once (the host's MMU decides how guest memory is
 * mapped); a software engine runs once per MMU model it can use (shadow
 * and nested paging, vm_config.paging), since both must give the guest
 * exactly the same machine.
 */
#ifndef TRAPEZE_TESTS_GUEST_RUNNER_H
#define TRAPEZE_TESTS_GUEST_RUNNER_H

#include "core/loader.h"
#include "core/vm.h"

#define RUN_SERIAL_MAX 65536
#define RUN_MAX_SYNCS 32
#define RUN_MAX_TARGETS 8

/* Where a case runs. */
struct run_target {
	const struct engine_ops *engine;
	enum vm_paging paging; /* VM_PAGING_DEFAULT: not a software engine */
	char name[32];         /* "kvm", "interp+shadow", ... */
};

struct guest_run {
	int status;
	enum vm_stop_reason reason;
	char message[512];
	char serial[RUN_SERIAL_MAX];
	uint64_t syncs[RUN_MAX_SYNCS]; /* args[0] of each GUEST_SYNC */
	unsigned nr_syncs;
	struct vm_stats stats_copy;    /* counters only (tables freed) */
	struct stats_counter_list counters; /* engine_ops.engine_stats */
	struct x86_state state;        /* vCPU state when the VM stopped */
	enum boot_protocol proto;
};

/* Path of a built guest image: $TRAPEZE_BUILD/guest/NAME.elf. */
const char *guest_image_path(const char *name, char *buf, size_t len);
/* Fill t[0..max) with the targets of this build (engine_table order);
 * returns how many.  Engines that are not usable here are included: the
 * tests skip them with the reason. */
size_t run_targets(struct run_target *t, size_t max);
/* Boot `image` on `target`; 0 if the VM ran (whatever its verdict), or -1
 * with the reason in out->message if it could not be set up.  The caller
 * frees out with guest_run_free(). */
int guest_run(const struct run_target *target, const char *image,
              enum boot_protocol proto, const char *cmdline, double timeout,
              struct guest_run *out);
void guest_run_free(struct guest_run *out);
/* The engine counter `name` of a run, or -1 if the engine did not report it. */
int64_t guest_run_counter(const struct guest_run *out, const char *name);
/* Did the run use the MMU model its target names?  Under shadow paging a
 * guest that walked page tables took hidden faults and never filled an
 * EPT; under nested paging the reverse.  NULL if so, else what is wrong. */
const char *guest_run_model_error(const struct run_target *target,
                                  const struct guest_run *out);

#endif
