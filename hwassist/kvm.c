/*
 * kvm.c - the KVM engine: runs guest code on the host's hardware path.
 *
 * Life of a KVM VM (each step one ioctl family):
 *
 *   open /dev/kvm -> KVM_CREATE_VM -> KVM_SET_USER_MEMORY_REGION per gmem
 *   region -> KVM_CREATE_VCPU, mmap its struct kvm_run, KVM_SET_CPUID2
 *   -> loop { KVM_RUN; translate run->exit_reason into struct vm_exit }
 *
 * KVM handles most exits in the kernel (CPUID, CR accesses, EPT/shadow
 * faults); only what needs a device model or a decision comes back here.
 * Interrupts come from trapeze's own interrupt controller model: inject()
 * uses KVM_INTERRUPT when the guest can take one, and otherwise asks KVM
 * for an exit when it can (request_interrupt_window).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_internal.h"

/* Addresses VMX needs for its real-mode helpers; inside the device hole
 * below 4 GiB, away from RAM and the MMIO the board uses. */
#define KVM_TSS_GPA 0xfffbd000ull
#define KVM_IDENTITY_MAP_GPA 0xfffbc000ull

static int kvm_set_memslots(struct vm *vm, struct kvm_vm *kvm)
{
	for (unsigned i = 0; i < vm->mem.nr_regions; i++) {
		const struct gmem_region *r = &vm->mem.regions[i];
		struct kvm_userspace_memory_region slot = {
			.slot = i,
			.guest_phys_addr = r->gpa,
			.memory_size = r->size,
			.userspace_addr = (uint64_t)(uintptr_t)r->hva,
		};
		if (ioctl(kvm->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
			return -errno;
	}
	return 0;
}

static int kvm_vm_init(struct vm *vm)
{
	struct kvm_vm *kvm = calloc(1, sizeof(*kvm));
	int r;

	if (!kvm)
		return -ENOMEM;
	kvm->vm_fd = -1;
	kvm->kvm_fd = open(KVM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (kvm->kvm_fd < 0) {
		r = -errno;
		free(kvm);
		return r;
	}
	vm->engine_data = kvm;
	vm->cfg.paging = VM_PAGING_HOST; /* the host's MMU maps guest memory */
	kvm->vm_fd = ioctl(kvm->kvm_fd, KVM_CREATE_VM, 0);
	if (kvm->vm_fd < 0)
		return -errno;
	kvm->run_size = ioctl(kvm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (kvm->run_size < (int)sizeof(struct kvm_run))
		return -EINVAL;
	kvm->has_immediate_exit =
	        ioctl(kvm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) > 0;
	kvm->has_xsave = ioctl(kvm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE) > 0;
	/* Needed by VMX for real mode; harmless elsewhere, so failure is not
	 * fatal (PVM has no use for it). */
	(void)ioctl(kvm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)KVM_TSS_GPA);
	uint64_t idmap = KVM_IDENTITY_MAP_GPA;
	(void)ioctl(kvm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap);
	r = kvm_set_memslots(vm, kvm);
	if (r)
		return r;
	return kvm_build_cpuid(kvm);
}

static void kvm_destroy(struct vm *vm)
{
	struct kvm_vm *kvm = kvm_of(vm);

	if (!kvm)
		return;
	if (kvm->vm_fd >= 0)
		close(kvm->vm_fd);
	if (kvm->kvm_fd >= 0)
		close(kvm->kvm_fd);
	free(kvm->cpuid);
	free(kvm);
	vm->engine_data = NULL;
}

static int kvm_vcpu_init(struct vcpu *vcpu)
{
	struct kvm_vm *kvm = kvm_of(vcpu->vm);
	struct kvm_vcpu *kv = calloc(1, sizeof(*kv));

	if (!kv)
		return -ENOMEM;
	kv->stats_fd = -1;
	vcpu->engine_data = kv;
	kv->fd = ioctl(kvm->vm_fd, KVM_CREATE_VCPU, (unsigned long)vcpu->id);
	if (kv->fd < 0)
		return -errno;
	void *run = mmap(NULL, (size_t)kvm->run_size, PROT_READ | PROT_WRITE,
	                 MAP_SHARED, kv->fd, 0);
	if (run == MAP_FAILED)
		return -errno;
	kv->run = run;
	if (ioctl(kv->fd, KVM_SET_CPUID2, kvm->cpuid) < 0)
		return -errno;
	kv->stats_fd = ioctl(kv->fd, KVM_GET_STATS_FD, 0);
	if (kv->stats_fd < 0)
		kv->stats_fd = -1;
	return 0;
}

static void kvm_vcpu_destroy(struct vcpu *vcpu)
{
	struct kvm_vcpu *kv = kvm_vcpu_of(vcpu);

	if (!kv)
		return;
	if (kv->run)
		munmap(kv->run, (size_t)kvm_of(vcpu->vm)->run_size);
	if (kv->stats_fd >= 0)
		close(kv->stats_fd);
	if (kv->fd >= 0)
		close(kv->fd);
	free(kv);
	vcpu->engine_data = NULL;
}

/* KVM_EXIT_INTERNAL_ERROR: name the failure and keep the instruction
 * bytes when KVM reports them (emulation failures on newer kernels). */
static void translate_internal(const struct kvm_run *run, struct vm_exit *exit)
{
	static const char *const what[] = {
		[KVM_INTERNAL_ERROR_EMULATION] =
		        "KVM could not emulate an instruction (emulation failure; KVM "
		        "emulates some guest code -- all ring-0 code on PVM hosts -- and "
		        "cannot emulate SSE, XSAVE and some newer instructions: keep them "
		        "out of that code)",
		[KVM_INTERNAL_ERROR_SIMUL_EX] = "simultaneous exceptions KVM cannot handle",
		[KVM_INTERNAL_ERROR_DELIVERY_EV] = "an exit while delivering an event",
		[KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON] = "an unexpected hardware exit",
	};
	uint32_t sub = run->internal.suberror;

	exit->reason = VM_EXIT_INTERNAL;
	exit->internal.suberror = sub;
	exit->internal.what = sub < sizeof(what) / sizeof(what[0]) && what[sub]
	                              ? what[sub] : "KVM internal error";
	if (sub == KVM_INTERNAL_ERROR_EMULATION && run->emulation_failure.ndata >= 3 &&
	    (run->emulation_failure.flags &
	     KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) {
		uint8_t n = run->emulation_failure.insn_size;
		if (n > VM_EXIT_INSN_MAX)
			n = VM_EXIT_INSN_MAX;
		memcpy(exit->internal.insn, run->emulation_failure.insn_bytes, n);
		exit->internal.insn_len = n;
	}
}

/* Translate the exit KVM reported in `run` into the core's vocabulary. */
static void translate_exit(struct kvm_run *run, struct vm_exit *exit)
{
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		exit->reason = VM_EXIT_IO;
		exit->io.port = run->io.port;
		exit->io.size = run->io.size;
		exit->io.is_write = run->io.direction == KVM_EXIT_IO_OUT;
		exit->io.count = run->io.count;
		exit->io.data = (uint8_t *)run + run->io.data_offset;
		break;
	case KVM_EXIT_MMIO:
		exit->reason = VM_EXIT_MMIO;
		exit->mmio.addr = run->mmio.phys_addr;
		exit->mmio.len = (uint8_t)run->mmio.len;
		exit->mmio.is_write = run->mmio.is_write;
		exit->mmio.data = run->mmio.data;
		break;
	case KVM_EXIT_HLT:
		exit->reason = VM_EXIT_HLT;
		break;
	case KVM_EXIT_SHUTDOWN:
		exit->reason = VM_EXIT_SHUTDOWN;
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		exit->reason = VM_EXIT_SHUTDOWN;
		break;
	case KVM_EXIT_FAIL_ENTRY:
		exit->reason = VM_EXIT_FAIL_ENTRY;
		exit->fail_entry.hw_reason = run->fail_entry.hardware_entry_failure_reason;
		exit->fail_entry.cpu = run->fail_entry.cpu;
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		translate_internal(run, exit);
		break;
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		exit->reason = VM_EXIT_IRQ_WINDOW;
		break;
	case KVM_EXIT_INTR:
		exit->reason = VM_EXIT_KICK;
		break;
	case KVM_EXIT_DEBUG:
		exit->reason = VM_EXIT_DEBUG;
		break;
	default:
		exit->reason = VM_EXIT_INTERNAL;
		exit->internal.suberror = run->exit_reason;
		exit->internal.what = "KVM returned an exit reason trapeze does not handle";
		break;
	}
}

static int kvm_run_vcpu(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct kvm_vcpu *kv = kvm_vcpu_of(vcpu);

	/* A kick the core has already handled (it woke the vCPU from its HLT
	 * wait, say) must not cut the next entry short.  A kick landing after
	 * this check sets immediate_exit again and is not lost. */
	if (!vcpu->kicked)
		kv->run->immediate_exit = 0;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (ioctl(kv->fd, KVM_RUN, 0) < 0) {
		int err = errno;
		kv->run->immediate_exit = 0;
		if (err == EINTR || err == EAGAIN) {
			exit->reason = VM_EXIT_KICK;
			return 0;
		}
		return -err;
	}
	translate_exit(kv->run, exit);
	return 0;
}

/* Inject an external interrupt if the guest can take it now; otherwise ask
 * KVM to exit as soon as it can (VM_EXIT_IRQ_WINDOW) and say -EBUSY. */
static int kvm_inject(struct vcpu *vcpu, struct x86_event ev)
{
	struct kvm_vcpu *kv = kvm_vcpu_of(vcpu);

	if (ev.kind != X86_EVENT_EXTINT)
		return -ENOTSUP;
	if (!kv->run->ready_for_interrupt_injection || !kv->run->if_flag) {
		kv->run->request_interrupt_window = 1;
		return -EBUSY;
	}
	struct kvm_interrupt irq = { .irq = ev.vector };
	if (ioctl(kv->fd, KVM_INTERRUPT, &irq) < 0)
		return -errno;
	kv->run->request_interrupt_window = 0;
	return 0;
}

/* Async-signal-safe: a signal already interrupts KVM_RUN; immediate_exit
 * covers a kick that lands just before the ioctl. */
static void kvm_kick(struct vcpu *vcpu)
{
	struct kvm_vcpu *kv = kvm_vcpu_of(vcpu);

	if (kv && kv->run && kvm_of(vcpu->vm)->has_immediate_exit)
		kv->run->immediate_exit = 1;
}

static int kvm_translate(struct vcpu *vcpu, gva_t gva, gpa_t *gpa)
{
	struct kvm_translation tr = { .linear_address = gva };

	if (ioctl(kvm_vcpu_of(vcpu)->fd, KVM_TRANSLATE, &tr) < 0)
		return -errno;
	if (!tr.valid)
		return -EFAULT;
	*gpa = tr.physical_address;
	return 0;
}

/* The host mapping changed under a memslot; KVM follows host page tables
 * through its MMU notifiers, so there is nothing to do. */
static int kvm_memory_changed(struct vm *vm, gpa_t gpa, size_t len)
{
	return 0;
}

const struct engine_ops kvm_engine_ops = {
	.name = "kvm",
	.probe = kvm_probe,
	.vm_init = kvm_vm_init,
	.vcpu_init = kvm_vcpu_init,
	.run = kvm_run_vcpu,
	.get_state = kvm_get_state,
	.set_state = kvm_set_state,
	.inject = kvm_inject,
	.memory_changed = kvm_memory_changed,
	.kick = kvm_kick,
	.translate = kvm_translate,
	.engine_stats = kvm_engine_stats,
	.vcpu_destroy = kvm_vcpu_destroy,
	.destroy = kvm_destroy,
};
