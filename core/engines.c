/*
 * engines.c - the table of engines built into trapeze.
 *
 * The core knows engines only through their ops tables; this file is the
 * one place that names them.  Order matters: `--engine=auto` takes the
 * first usable one.
 */
#include <string.h>

#include "engine.h"

extern const struct engine_ops kvm_engine_ops;
extern const struct engine_ops interp_engine_ops;

const struct engine_ops *const engine_table[] = {
	&kvm_engine_ops,    /* hardware path: VT-x, AMD-V or PVM */
	&interp_engine_ops, /* software path: the reference interpreter */
	NULL,
};

const struct engine_ops *engine_find(const char *name)
{
	for (unsigned i = 0; engine_table[i]; i++)
		if (strcmp(engine_table[i]->name, name) == 0)
			return engine_table[i];
	return NULL;
}

const char *vm_exit_reason_name(enum vm_exit_reason reason)
{
	static const char *const names[VM_EXIT_NR_REASONS] = {
		[VM_EXIT_NONE] = "none",
		[VM_EXIT_IO] = "io",
		[VM_EXIT_MMIO] = "mmio",
		[VM_EXIT_HLT] = "hlt",
		[VM_EXIT_SHUTDOWN] = "shutdown",
		[VM_EXIT_HYPERCALL] = "hypercall",
		[VM_EXIT_DEBUG] = "debug",
		[VM_EXIT_FAIL_ENTRY] = "fail_entry",
		[VM_EXIT_INTERNAL] = "internal_error",
		[VM_EXIT_IRQ_WINDOW] = "irq_window",
		[VM_EXIT_KICK] = "kick",
	};
	return (unsigned)reason < VM_EXIT_NR_REASONS ? names[reason] : "?";
}
