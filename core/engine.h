/*
 * engine.h - the engine interface: the spine of trapeze.
 *
 * An engine runs guest instructions: the KVM engine hands them to the host's
 * hardware virtualisation, the software engines interpret or translate them.
 * The core (vm.c) drives every engine through struct engine_ops and never
 * asks which one it has.  An engine runs a vCPU until something needs the
 * core -- a port or MMIO access, HLT, a shutdown -- and describes that in a
 * struct vm_exit.  The core handles it with one switch (vm_run) and calls
 * run() again.
 *
 *      core                       engine
 *      ----                       ------
 *      vm_run ---- run() ------->  execute guest
 *        ^                            |
 *        |<---- struct vm_exit -------+
 *      dispatch (bus, devices)
 */
#ifndef TRAPEZE_CORE_ENGINE_H
#define TRAPEZE_CORE_ENGINE_H

#include "types.h"
#include "x86.h"

struct vm;
struct vcpu;

/* Why an engine returned to the core.  Shared by all engines. */
enum vm_exit_reason {
	VM_EXIT_NONE = 0,
	VM_EXIT_IO,         /* port I/O: io.* describes it */
	VM_EXIT_MMIO,       /* access to a gpa with no RAM behind it: mmio.* */
	VM_EXIT_HLT,        /* the vCPU executed HLT */
	VM_EXIT_SHUTDOWN,   /* triple fault: the vCPU shut down */
	VM_EXIT_HYPERCALL,  /* the guest made a hypercall: hypercall.* */
	VM_EXIT_DEBUG,      /* single step / breakpoint */
	VM_EXIT_FAIL_ENTRY, /* the hardware refused to enter the guest */
	VM_EXIT_INTERNAL,   /* the engine could not continue: internal.* */
	VM_EXIT_IRQ_WINDOW, /* the guest can take an interrupt now */
	VM_EXIT_KICK,       /* run() was interrupted by engine_ops.kick */
	VM_EXIT_NR_REASONS
};

#define VM_EXIT_INSN_MAX 15

struct vm_exit {
	enum vm_exit_reason reason;
	union {
		struct {
			uint16_t port;
			uint8_t size;     /* 1, 2 or 4 bytes per element */
			uint8_t is_write;
			uint32_t count;   /* > 1 for rep ins/outs */
			uint8_t *data;    /* count * size bytes, engine-owned */
		} io;
		struct {
			gpa_t addr;
			uint8_t len;
			uint8_t is_write;
			uint8_t *data;    /* len bytes, engine-owned */
		} mmio;
		struct {
			uint64_t nr;
			uint64_t args[6];
			uint64_t ret;
		} hypercall;
		struct {
			uint64_t hw_reason; /* e.g. VMX basic exit reason */
			uint32_t cpu;
		} fail_entry;
		struct {
			uint32_t suberror;  /* engine-specific code */
			const char *what;   /* static text naming the failure */
			uint8_t insn[VM_EXIT_INSN_MAX]; /* bytes at RIP, if known */
			uint8_t insn_len;
		} internal;
	};
};

/* What probe() found out about an engine on this host. */
struct engine_info {
	bool usable;
	char flavour[16];  /* KVM: "VMX", "SVM", "PVM"; software: "software" */
	char detail[160];  /* why not usable, or extra facts */
};

struct engine_ops {
	const char *name; /* "kvm", "interp", "bt" */
	/* Is this engine usable here?  Fills info either way; returns 0 or -errno. */
	int (*probe)(struct engine_info *info);
	/* Create engine state for a VM whose memory is already set up. */
	int (*vm_init)(struct vm *vm);
	int (*vcpu_init)(struct vcpu *vcpu);
	/* Run the vCPU until the core must act; fills *exit.  0 or -errno. */
	int (*run)(struct vcpu *vcpu, struct vm_exit *exit);
	int (*get_state)(struct vcpu *vcpu, struct x86_state *state);
	int (*set_state)(struct vcpu *vcpu, const struct x86_state *state);
	/* Deliver an event now, or return -EBUSY if the guest cannot take it
	 * (the engine then arranges a VM_EXIT_IRQ_WINDOW exit when it can). */
	int (*inject)(struct vcpu *vcpu, struct x86_event event);
	/* Guest memory in [gpa, gpa+len) was remapped by the core. */
	int (*memory_changed)(struct vm *vm, gpa_t gpa, size_t len);
	/* Make a running (or about-to-run) run() return VM_EXIT_KICK soon.
	 * Called from a signal handler: must be async-signal-safe. */
	void (*kick)(struct vcpu *vcpu);
	/* Translate a guest-virtual address with the vCPU's current paging
	 * (for reports); 0 or -errno. */
	int (*translate)(struct vcpu *vcpu, gva_t gva, gpa_t *gpa);
	/* Counters the engine keeps on its own (KVM: the kernel's per-vCPU
	 * statistics); emit() is called once per counter.  May be NULL. */
	int (*engine_stats)(struct vcpu *vcpu,
	                    void (*emit)(void *ctx, const char *name, uint64_t value),
	                    void *ctx);
	void (*vcpu_destroy)(struct vcpu *vcpu);
	void (*destroy)(struct vm *vm);
};

/* The engines compiled into this build, in preference order for "auto". */
extern const struct engine_ops *const engine_table[];
const struct engine_ops *engine_find(const char *name);
const char *vm_exit_reason_name(enum vm_exit_reason reason);

#endif
