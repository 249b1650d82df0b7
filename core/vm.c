/*
 * vm.c - the VMM core: creating VMs, the run loop, exit dispatch.
 *
 * vm_run() is the heart of trapeze.  It is engine-neutral: it asks the
 * engine to run the vCPU, gets back a struct vm_exit, and handles it with
 * one switch -- port I/O and MMIO go to the buses (so device models see the
 * same accesses whatever engine runs the guest), HLT waits for an interrupt,
 * a shutdown ends the VM.  Interrupts from the board's interrupt controller
 * are offered to the engine before every run().
 *
 * Timeouts: a POSIX timer aimed at the vCPU thread sends TIMER_SIGNAL; the
 * handler marks the vCPU and calls the engine's async-signal-safe kick(),
 * so run() returns VM_EXIT_KICK and the loop sees the deadline.
 */
#include "vm.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "devices/device.h"

#define TIMER_SIGNAL (SIGRTMIN + 1)

_Static_assert(VM_EXIT_NR_REASONS <= ARRAY_SIZE(((struct vm_stats *)0)->exits),
               "vm_stats.exits must have a slot per exit reason");

/* ---- creation and teardown --------------------------------------------- */

struct vm *vm_create(const struct vm_config *cfg, char *err, size_t errlen)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	int r;

	if (!vm) {
		snprintf(err, errlen, "out of memory creating the VM");
		return NULL;
	}
	vm->cfg = *cfg;
	vm->engine = cfg->engine;
	vm->mem.memfd = -1;
	r = gmem_init(&vm->mem, cfg->mem_size);
	if (r) {
		snprintf(err, errlen, "cannot allocate %llu bytes of guest RAM: %s",
		         (unsigned long long)cfg->mem_size, strerror(-r));
		goto fail;
	}
	r = vm->engine->vm_init(vm);
	if (r) {
		snprintf(err, errlen, "engine %s: cannot create the VM: %s",
		         vm->engine->name, strerror(-r));
		goto fail_engine;
	}
	vm->nr_vcpus = 1;
	vm->vcpus[0] = (struct vcpu){ .vm = vm, .id = 0 };
	r = vm->engine->vcpu_init(&vm->vcpus[0]);
	if (r) {
		snprintf(err, errlen, "engine %s: cannot create vCPU 0: %s",
		         vm->engine->name, strerror(-r));
		vm->engine->vcpu_destroy(&vm->vcpus[0]);
		vm->nr_vcpus = 0;
		goto fail_engine;
	}
	return vm;

fail_engine:
	vm->engine->destroy(vm);
	gmem_destroy(&vm->mem);
fail:
	free(vm);
	return NULL;
}

void vm_destroy(struct vm *vm)
{
	if (!vm)
		return;
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].timer_created)
			timer_delete(vm->vcpus[i].timer);
		vm->engine->vcpu_destroy(&vm->vcpus[i]);
	}
	vm->engine->destroy(vm);
	for (unsigned i = 0; i < vm->nr_devices; i++)
		if (vm->devices[i]->destroy)
			vm->devices[i]->destroy(vm->devices[i]);
	bus_destroy(&vm->pio);
	bus_destroy(&vm->mmio);
	stats_destroy(&vm->stats);
	gmem_destroy(&vm->mem);
	free(vm);
}

int vm_add_device(struct vm *vm, struct device *dev)
{
	if (vm->nr_devices == VM_MAX_DEVICES)
		return -ENOSPC;
	dev->vm = vm;
	vm->devices[vm->nr_devices++] = dev;
	return 0;
}

void vm_stop(struct vm *vm, enum vm_stop_reason reason, int status,
             const char *fmt, ...)
{
	va_list ap;

	if (vm_stopped(vm))
		return; /* the first reason to stop is the one reported */
	vm->result.reason = reason;
	vm->result.status = status;
	va_start(ap, fmt);
	vsnprintf(vm->result.message, sizeof(vm->result.message), fmt, ap);
	va_end(ap);
}

void vm_set_irq(struct vm *vm, unsigned irq, bool level)
{
	if (irq >= VM_NR_IRQS)
		return;
	if (level)
		vm->irq_level |= (uint16_t)(1u << irq);
	else
		vm->irq_level &= (uint16_t)~(1u << irq);
	if (vm->irqchip_set_irq)
		vm->irqchip_set_irq(vm->irqchip, irq, level);
}

int vcpu_get_state(struct vcpu *vcpu, struct x86_state *s)
{
	return vcpu->vm->engine->get_state(vcpu, s);
}

int vcpu_set_state(struct vcpu *vcpu, const struct x86_state *s)
{
	return vcpu->vm->engine->set_state(vcpu, s);
}

/* ---- the test port ------------------------------------------------------ */

/* Copy the guest's struct ucall out of guest memory and act on it.  The
 * strings are terminated here: the guest's copy is never trusted. */
int vm_handle_ucall(struct vm *vm, gpa_t gpa)
{
	struct ucall uc;

	if (gmem_read(&vm->mem, gpa, &uc, sizeof(uc))) {
		vm_stop(vm, VM_STOP_GUEST_ERROR, TRAPEZE_EXIT_GUEST_ERROR,
		        "test port: struct ucall at gpa 0x%llx (%zu bytes) is outside "
		        "guest RAM (%llu MiB); pass the physical address of the struct",
		        (unsigned long long)gpa, sizeof(uc),
		        (unsigned long long)(vm->mem.size >> 20));
		return 0;
	}
	uc.file[sizeof(uc.file) - 1] = '\0';
	uc.msg[sizeof(uc.msg) - 1] = '\0';
	vm->last_ucall = uc;
	if (uc.cmd == UCALL_SYNC)
		vm->nr_ucall_syncs++;
	if (vm->ucall_hook)
		vm->ucall_hook(vm, &uc, vm->ucall_hook_opaque);

	switch (uc.cmd) {
	case UCALL_SYNC:
	case UCALL_PRINT:
		break;
	case UCALL_DONE:
		vm_stop(vm, VM_STOP_TEST_DONE, TRAPEZE_EXIT_OK,
		        "guest test passed (%llu sync points)",
		        (unsigned long long)vm->nr_ucall_syncs);
		break;
	case UCALL_ASSERT:
		vm_stop(vm, VM_STOP_TEST_FAIL, TRAPEZE_EXIT_GUEST_FAIL,
		        "guest assertion failed at %s:%u: %s", uc.file, uc.line,
		        uc.msg);
		break;
	default:
		vm_stop(vm, VM_STOP_GUEST_ERROR, TRAPEZE_EXIT_GUEST_ERROR,
		        "test port: unknown ucall command %llu in struct at gpa 0x%llx",
		        (unsigned long long)uc.cmd, (unsigned long long)gpa);
		break;
	}
	return 0;
}

/* ---- exit handlers ------------------------------------------------------ */

static uint64_t vcpu_rip(struct vcpu *vcpu)
{
	struct x86_state s;
	return vcpu_get_state(vcpu, &s) == 0 ? s.rip : 0;
}

/* A device handler failed: stop the VM with the device and address. */
static void device_error(struct vcpu *vcpu, const struct bus *bus,
                         const char *space, uint64_t addr, int err)
{
	const struct bus_range *r = bus_find(bus, addr);

	vm_stop(vcpu->vm, VM_STOP_GUEST_ERROR, TRAPEZE_EXIT_GUEST_ERROR,
	        "%s access at 0x%llx to device %s failed: %s (guest rip 0x%llx)",
	        space, (unsigned long long)addr, r ? r->name : "?",
	        err == -ERANGE ? "access runs past the device's range" : strerror(-err),
	        (unsigned long long)vcpu_rip(vcpu));
}

/* One bus access; an unclaimed address reads as all ones and ignores
 * writes, as on a PC's floating bus. */
static void bus_one(struct vcpu *vcpu, struct bus *bus,
                    struct stats_addr_table *t, uint64_t *unclaimed,
                    const char *space, uint64_t addr, uint8_t *data,
                    unsigned len, bool is_write)
{
	const struct bus_range *r = bus_find(bus, addr);
	int err = bus_access(bus, vcpu, addr, data, len, is_write);

	stats_count_addr(t, addr, is_write, 1, r ? r->name : NULL);
	if (err == -ENOENT) {
		(*unclaimed)++;
		if (!is_write)
			memset(data, 0xff, len);
	} else if (err) {
		device_error(vcpu, bus, space, addr, err);
	}
}

static void handle_io(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct vm *vm = vcpu->vm;

	for (uint32_t i = 0; i < exit->io.count && !vm_stopped(vm); i++)
		bus_one(vcpu, &vm->pio, &vm->stats.ports, &vm->stats.unclaimed_pio,
		        "port I/O", exit->io.port, exit->io.data + i * exit->io.size,
		        exit->io.size, exit->io.is_write);
}

static void handle_mmio(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct vm *vm = vcpu->vm;

	bus_one(vcpu, &vm->mmio, &vm->stats.mmio, &vm->stats.unclaimed_mmio,
	        "MMIO", exit->mmio.addr, exit->mmio.data, exit->mmio.len,
	        exit->mmio.is_write);
}

/* The earliest armed deadline (device timers and the timeout), or 0. */
static uint64_t next_deadline(const struct vm *vm)
{
	uint64_t next = vm->timeout_deadline_ns;

	for (unsigned i = 0; i < vm->nr_timers; i++) {
		const struct vm_timer *t = vm->timers[i];
		if (t->armed && (next == 0 || t->deadline_ns < next))
			next = t->deadline_ns;
	}
	return next;
}

/* Wait until a device has something for the guest: a readable fd, a
 * timer's deadline, or a signal's kick.  With no interrupt controller the
 * guest can never be woken: that is reported rather than hanging. */
static void wait_for_event(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	struct pollfd fds[VM_MAX_DEVICES];
	struct device *who[VM_MAX_DEVICES];
	nfds_t n = 0;

	if (!vm->irqchip) {
		vm_stop(vm, VM_STOP_GUEST_ERROR, TRAPEZE_EXIT_GUEST_ERROR,
		        "guest halted at rip 0x%llx waiting for an interrupt, but this "
		        "machine has no interrupt controller to deliver one",
		        (unsigned long long)vcpu_rip(vcpu));
		return;
	}
	for (unsigned i = 0; i < vm->nr_devices; i++) {
		if (vm->devices[i]->wait_fd < 0 || !vm->devices[i]->on_ready)
			continue;
		fds[n] = (struct pollfd){ .fd = vm->devices[i]->wait_fd, .events = POLLIN };
		who[n++] = vm->devices[i];
	}
	uint64_t deadline = next_deadline(vm), now = vm_clock_ns();
	struct timespec ts, *timeout = NULL;
	if (deadline) {
		uint64_t wait = deadline > now ? deadline - now : 0;
		ts = (struct timespec){ (time_t)(wait / 1000000000u), (long)(wait % 1000000000u) };
		timeout = &ts;
	}
	/* Block the timer signal while checking the flag, and let ppoll()
	 * unblock it atomically: a kick cannot slip in between. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, TIMER_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	int ready = vcpu->kicked ? 0 : ppoll(fds, n, timeout, &old);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	for (nfds_t i = 0; ready > 0 && i < n; i++)
		if (fds[i].revents & (POLLIN | POLLHUP))
			who[i]->on_ready(who[i]);
}

static void handle_hlt(struct vcpu *vcpu)
{
	struct x86_state s;

	if (vcpu_get_state(vcpu, &s) == 0 && !(s.rflags & X86_RFLAGS_IF)) {
		vm_stop(vcpu->vm, VM_STOP_GUEST_ERROR, TRAPEZE_EXIT_GUEST_ERROR,
		        "guest halted with interrupts disabled at rip 0x%llx "
		        "(cli; hlt): nothing can wake it",
		        (unsigned long long)s.rip);
		return;
	}
	if (vcpu->vm->irqchip && vcpu->vm->irqchip_pending(vcpu->vm->irqchip) >= 0)
		return; /* an interrupt is already waiting */
	wait_for_event(vcpu);
}

static void handle_shutdown(struct vcpu *vcpu)
{
	vm_stop(vcpu->vm, VM_STOP_TRIPLE_FAULT, TRAPEZE_EXIT_TRIPLE_FAULT,
	        "guest triple fault (vCPU shutdown) at rip 0x%llx: an exception "
	        "could not be delivered (check the IDT, GDT and stack)",
	        (unsigned long long)vcpu_rip(vcpu));
}

static void handle_internal(struct vcpu *vcpu, struct vm_exit *exit)
{
	vm_stop(vcpu->vm, VM_STOP_GUEST_ERROR, TRAPEZE_EXIT_GUEST_ERROR,
	        "engine %s cannot run the guest at rip 0x%llx: %s",
	        vcpu->vm->engine->name, (unsigned long long)vcpu_rip(vcpu),
	        exit->internal.what ? exit->internal.what : "internal error");
}

static void handle_fail_entry(struct vcpu *vcpu, struct vm_exit *exit)
{
	vm_stop(vcpu->vm, VM_STOP_GUEST_ERROR, TRAPEZE_EXIT_GUEST_ERROR,
	        "engine %s refused to enter the guest (hardware reason 0x%llx): "
	        "the vCPU state is invalid for the hardware",
	        vcpu->vm->engine->name,
	        (unsigned long long)exit->fail_entry.hw_reason);
}

/* The one switch over exit reasons. */
static void vm_dispatch(struct vcpu *vcpu, struct vm_exit *exit)
{
	switch (exit->reason) {
	case VM_EXIT_IO:
		handle_io(vcpu, exit);
		break;
	case VM_EXIT_MMIO:
		handle_mmio(vcpu, exit);
		break;
	case VM_EXIT_HLT:
		handle_hlt(vcpu);
		break;
	case VM_EXIT_SHUTDOWN:
		handle_shutdown(vcpu);
		break;
	case VM_EXIT_HYPERCALL:
		exit->hypercall.ret = (uint64_t)-ENOSYS; /* none defined yet */
		break;
	case VM_EXIT_INTERNAL:
		handle_internal(vcpu, exit);
		break;
	case VM_EXIT_FAIL_ENTRY:
		handle_fail_entry(vcpu, exit);
		break;
	case VM_EXIT_DEBUG:
	case VM_EXIT_IRQ_WINDOW:
	case VM_EXIT_KICK:
	case VM_EXIT_NONE:
		break; /* nothing to do: the loop re-checks timers and interrupts */
	default:
		vm_stop(vcpu->vm, VM_STOP_ERROR, TRAPEZE_EXIT_VMM_ERROR,
		        "engine %s returned unknown exit reason %d",
		        vcpu->vm->engine->name, exit->reason);
	}
}

/* ---- interrupts and timeouts -------------------------------------------- */

/* Offer the interrupt controller's highest-priority vector to the engine. */
static void deliver_interrupts(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	int vector;

	if (!vm->irqchip || (vector = vm->irqchip_pending(vm->irqchip)) < 0)
		return;
	struct x86_event ev = { .kind = X86_EVENT_EXTINT, .vector = (uint8_t)vector };
	if (vm->engine->inject(vcpu, ev) == 0) {
		vm->irqchip_ack(vm->irqchip, vector);
		vm->stats.injected_irqs++;
	}
}

uint64_t vm_clock_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int vm_timer_add(struct vm *vm, struct vm_timer *t)
{
	if (vm->nr_timers == VM_MAX_TIMERS)
		return -ENOSPC;
	vm->timers[vm->nr_timers++] = t;
	return 0;
}

/* Fire every timer whose deadline has passed (fire() may re-arm). */
static void run_timers(struct vm *vm)
{
	uint64_t now = vm_clock_ns();

	for (unsigned i = 0; i < vm->nr_timers; i++) {
		struct vm_timer *t = vm->timers[i];
		if (t->armed && t->deadline_ns <= now) {
			t->armed = false;
			t->fire(t, now);
		}
	}
}

static void timer_signal_handler(int sig, siginfo_t *info, void *uctx)
{
	struct vcpu *vcpu = info->si_value.sival_ptr;

	(void)sig;
	(void)uctx;
	if (!vcpu)
		return;
	vcpu->kicked = 1;
	vcpu->vm->engine->kick(vcpu);
}

/* Create this vCPU's host timer, aimed at the calling thread. */
static int create_host_timer(struct vcpu *vcpu)
{
	struct sigaction sa = { .sa_sigaction = timer_signal_handler,
	                        .sa_flags = SA_SIGINFO };
	struct sigevent sev = { 0 };

	sigemptyset(&sa.sa_mask);
	if (sigaction(TIMER_SIGNAL, &sa, NULL))
		return -errno;
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = TIMER_SIGNAL;
	sev.sigev_value.sival_ptr = vcpu;
	sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &sev, &vcpu->timer))
		return -errno;
	vcpu->timer_created = true;
	return 0;
}

/* Point the host timer at the earliest deadline, if that changed.  After
 * expiry it keeps kicking every few ms until the loop re-programs it: an
 * engine that cannot close the race between a kick and entering the guest
 * gets another chance. */
static void program_host_timer(struct vcpu *vcpu)
{
	uint64_t deadline = next_deadline(vcpu->vm);
	struct itimerspec its = { 0 };

	if (!vcpu->timer_created || deadline == vcpu->timer_programmed_ns)
		return;
	if (deadline) {
		its.it_value.tv_sec = (time_t)(deadline / 1000000000u);
		its.it_value.tv_nsec = (long)(deadline % 1000000000u);
		its.it_interval.tv_nsec = 5 * 1000 * 1000;
	}
	timer_settime(vcpu->timer, TIMER_ABSTIME, &its, NULL);
	vcpu->timer_programmed_ns = deadline;
}

/* ---- the run loop -------------------------------------------------------- */

int vm_run(struct vm *vm)
{
	struct vcpu *vcpu = &vm->vcpus[0];
	struct vm_exit exit;
	uint64_t start = vm_clock_ns();
	int r = create_host_timer(vcpu);

	if (r)
		vm_stop(vm, VM_STOP_ERROR, TRAPEZE_EXIT_VMM_ERROR,
		        "cannot create the vCPU's host timer: %s", strerror(-r));
	if (vm->cfg.timeout_sec > 0)
		vm->timeout_deadline_ns = start + (uint64_t)(vm->cfg.timeout_sec * 1e9);
	while (!vm_stopped(vm)) {
		vcpu->kicked = 0;
		run_timers(vm);
		if (vm_stopped(vm))
			break; /* a device's timer ended the VM */
		program_host_timer(vcpu);
		deliver_interrupts(vcpu);
		memset(&exit, 0, sizeof(exit));
		r = vm->engine->run(vcpu, &exit);
		if (r) {
			vm_stop(vm, VM_STOP_ERROR, TRAPEZE_EXIT_VMM_ERROR,
			        "engine %s failed to run the vCPU: %s", vm->engine->name,
			        strerror(-r));
			break;
		}
		vm->stats.exits[exit.reason < VM_EXIT_NR_REASONS ? exit.reason : 0]++;
		vm->stats.total_exits++;
		vm_dispatch(vcpu, &exit);
		if (vm->timeout_deadline_ns && vm_clock_ns() >= vm->timeout_deadline_ns)
			vm_stop(vm, VM_STOP_TIMEOUT, TRAPEZE_EXIT_TIMEOUT,
			        "timeout: the guest was still running after %.1f s "
			        "(rip 0x%llx)", vm->cfg.timeout_sec,
			        (unsigned long long)vcpu_rip(vcpu));
		if (vm_stopped(vm))
			vm->result.exit = exit;
	}
	if (vcpu->timer_created) {
		timer_delete(vcpu->timer);
		vcpu->timer_created = false;
		vcpu->timer_programmed_ns = 0;
	}
	vm->stats.run_seconds += (double)(vm_clock_ns() - start) * 1e-9;
	vm->result.have_state = vcpu_get_state(vcpu, &vm->result.state) == 0;
	return vm->result.status;
}

const char *vm_stop_reason_name(enum vm_stop_reason reason)
{
	static const char *const names[] = {
		[VM_STOP_NONE] = "running",
		[VM_STOP_POWEROFF] = "power-off",
		[VM_STOP_DEBUG_EXIT] = "isa-debug-exit",
		[VM_STOP_TEST_DONE] = "test passed",
		[VM_STOP_TEST_FAIL] = "test failed",
		[VM_STOP_TRIPLE_FAULT] = "triple fault",
		[VM_STOP_TIMEOUT] = "timeout",
		[VM_STOP_GUEST_ERROR] = "guest error",
		[VM_STOP_ERROR] = "VMM error",
	};
	return (unsigned)reason < ARRAY_SIZE(names) ? names[reason] : "?";
}

const char *vm_paging_name(enum vm_paging paging)
{
	static const char *const names[] = {
		[VM_PAGING_DEFAULT] = "default",
		[VM_PAGING_SHADOW] = "shadow",
		[VM_PAGING_NESTED] = "nested",
		[VM_PAGING_HOST] = "host",
	};
	return (unsigned)paging < ARRAY_SIZE(names) ? names[paging] : "?";
}

int vm_paging_parse(const char *text)
{
	for (int p = VM_PAGING_DEFAULT; p <= VM_PAGING_NESTED; p++)
		if (strcmp(text, vm_paging_name((enum vm_paging)p)) == 0)
			return p;
	return -1;
}
