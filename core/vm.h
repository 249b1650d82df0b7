/*
 * vm.h - virtual machines and vCPUs: the engine-neutral VMM core.
 *
 * A struct vm owns guest memory, the two buses, its devices and one engine.
 * Several VMs can live in one process (the test binaries do this): nothing
 * here is file-static.
 *
 * Life of a VM (the CLI and the tests both follow it):
 *
 *   vm_create(cfg)        memory, buses, engine vm_init, vCPU 0
 *     -> board_setup()    devices registered from the board table
 *     -> loader_load()    image into memory, boot state into vCPU 0
 *     -> vm_run()         core loop: engine run(), one switch over exits,
 *                         until something stops the VM
 *     -> vm_destroy()
 *
 * What stops a VM is recorded once, in vm->result (first stop wins):
 * power-off, isa-debug-exit, a test-port verdict, triple fault, timeout,
 * a stuck guest, or a VMM error.
 */
#ifndef TRAPEZE_CORE_VM_H
#define TRAPEZE_CORE_VM_H

#include <signal.h>
#include <time.h>

#include "bus.h"
#include "engine.h"
#include "gmem.h"
#include "guest_abi.h"
#include "stats.h"
#include "x86.h"

#define VM_MAX_VCPUS 1
#define VM_MAX_DEVICES 16
#define VM_MAX_TIMERS 8
#define VM_NR_IRQS 16

/*
 * A device timer on the host's monotonic clock (nanoseconds).  A device
 * registers it once (vm_timer_add) and arms it for a deadline; the run loop
 * makes sure the vCPU leaves the engine by then and calls fire(), which may
 * re-arm it (a periodic timer).  Timers fire late, never early.
 */
struct vm_timer {
	uint64_t deadline_ns; /* valid while armed */
	bool armed;
	void (*fire)(struct vm_timer *t, uint64_t now_ns);
	void *opaque;
};

/* How a software engine's MMU fills its TLB (hardware engines ignore it:
 * there the host's EPT/NPT or shadow MMU decides). */
/* The range of vm_config.shadow_max_pages a shadow-paging MMU accepts
 * (0 means its default).  Defined here, with the config, so the CLI can
 * check it without knowing any engine. */
#define VM_SHADOW_PAGES_MIN 16u
#define VM_SHADOW_PAGES_MAX (1u << 22)

enum vm_paging {
	VM_PAGING_DEFAULT = 0, /* the engine's choice */
	VM_PAGING_SHADOW,      /* shadow page tables: gva -> host, write-tracked */
	VM_PAGING_NESTED,      /* 2D walk: guest tables through a software EPT */
	VM_PAGING_HOST,        /* set by hardware engines: the host's MMU (EPT,
	                        * NPT or KVM's shadow MMU) decides; not a choice */
};

struct vm_config {
	uint64_t mem_size;               /* bytes of guest RAM */
	const struct engine_ops *engine; /* required */
	int serial_out_fd;               /* UART transmit goes here (-1: dropped) */
	int serial_in_fd;                /* UART receive reads here (-1: none) */
	double timeout_sec;              /* 0: no timeout */
	enum vm_paging paging;           /* software engines' MMU model; an
	                                  * engine replaces DEFAULT by its
	                                  * choice at vm_init */
	unsigned shadow_max_pages;       /* shadow paging: cap on shadow
	                                  * pages (0: the MMU's default) */
};

enum vm_stop_reason {
	VM_STOP_NONE = 0,
	VM_STOP_POWEROFF,     /* guest wrote the trapeze power-off port */
	VM_STOP_DEBUG_EXIT,   /* guest wrote isa-debug-exit */
	VM_STOP_TEST_DONE,    /* GUEST_DONE over the test port */
	VM_STOP_TEST_FAIL,    /* GUEST_ASSERT failed */
	VM_STOP_TRIPLE_FAULT, /* vCPU shutdown */
	VM_STOP_TIMEOUT,      /* --timeout expired */
	VM_STOP_GUEST_ERROR,  /* the guest cannot go on: internal error,
	                         failed entry, dead hlt, bad device request */
	VM_STOP_ERROR,        /* the VMM itself failed (message says why) */
};

struct vm_result {
	enum vm_stop_reason reason;
	int status;          /* what `trapeze run` exits with */
	char message[512];   /* one line: what happened, where, what to do */
	bool have_state;
	struct x86_state state; /* vCPU state when it stopped, for reports */
	struct vm_exit exit;    /* the exit that stopped it, if any */
};

struct device; /* devices/board.h */

struct vcpu {
	struct vm *vm;
	unsigned id;
	void *engine_data;
	/* A POSIX timer aimed at this vCPU's thread, set to the earliest
	 * device deadline or the timeout; its signal handler sets `kicked`
	 * and calls the engine's kick(). */
	bool timer_created;
	timer_t timer;
	uint64_t timer_programmed_ns; /* 0: not armed */
	volatile sig_atomic_t kicked;
};

/* A test (or the CLI) may watch test-port calls as they happen. */
typedef void (*vm_ucall_hook)(struct vm *vm, const struct ucall *uc, void *opaque);

struct vm {
	struct vm_config cfg;
	const struct engine_ops *engine;
	void *engine_data;
	struct gmem mem;
	struct bus pio, mmio;
	struct vcpu vcpus[VM_MAX_VCPUS];
	unsigned nr_vcpus;

	struct device *devices[VM_MAX_DEVICES];
	unsigned nr_devices;
	struct vm_timer *timers[VM_MAX_TIMERS];
	unsigned nr_timers;
	uint64_t timeout_deadline_ns; /* 0: none */
	uint16_t irq_level; /* one bit per legacy IRQ line */
	/* Set by an interrupt controller model: asked at every exit. */
	void *irqchip;
	int (*irqchip_pending)(void *irqchip); /* vector to deliver, or -1 */
	void (*irqchip_ack)(void *irqchip, int vector);
	void (*irqchip_set_irq)(void *irqchip, unsigned irq, bool level);

	struct vm_stats stats;
	uint64_t nr_ucall_syncs;
	struct ucall last_ucall;
	vm_ucall_hook ucall_hook;
	void *ucall_hook_opaque;

	struct vm_result result;
};

/* Create a VM with `cfg` (RAM, engine state, vCPU 0).  On error returns
 * NULL and writes one line into err[errlen]. */
struct vm *vm_create(const struct vm_config *cfg, char *err, size_t errlen);
void vm_destroy(struct vm *vm);

/* Run vCPU 0 until the VM stops; returns the exit status (vm->result). */
int vm_run(struct vm *vm);

/* Record why the VM stops (the first call wins); printf-style message. */
void vm_stop(struct vm *vm, enum vm_stop_reason reason, int status,
             const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static inline bool vm_stopped(const struct vm *vm)
{
	return vm->result.reason != VM_STOP_NONE;
}

/* The host clock device models use (CLOCK_MONOTONIC, ns). */
uint64_t vm_clock_ns(void);
/* Register a timer with the VM (once, at device creation): 0 or -ENOSPC. */
int vm_timer_add(struct vm *vm, struct vm_timer *t);
static inline void vm_timer_arm(struct vm_timer *t, uint64_t deadline_ns)
{
	t->deadline_ns = deadline_ns;
	t->armed = true;
}
static inline void vm_timer_disarm(struct vm_timer *t) { t->armed = false; }

/* Register a device with the VM (it will be destroyed with the VM). */
int vm_add_device(struct vm *vm, struct device *dev);
/* Raise or lower a legacy IRQ line (devices call this). */
void vm_set_irq(struct vm *vm, unsigned irq, bool level);

/* Handle a test-port call at `gpa` (devices/testport calls this). */
int vm_handle_ucall(struct vm *vm, gpa_t gpa);

/* vCPU state through the engine. */
int vcpu_get_state(struct vcpu *vcpu, struct x86_state *s);
int vcpu_set_state(struct vcpu *vcpu, const struct x86_state *s);

const char *vm_stop_reason_name(enum vm_stop_reason reason);
/* "default", "shadow", "nested", "host" for enum vm_paging; the parser
 * accepts only the choices a user has (-1 otherwise). */
const char *vm_paging_name(enum vm_paging paging);
int vm_paging_parse(const char *text);

#endif
