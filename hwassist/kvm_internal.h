/*
 * kvm_internal.h - shared between the files of the KVM engine.
 *
 * The KVM engine maps trapeze's engine interface onto /dev/kvm:
 *
 *   kvm_probe.c   is KVM usable here, and which flavour (VMX, SVM, PVM)?
 *                 the CPUID model intersected with KVM's supported set;
 *                 the kernel's per-vCPU statistics (binary stats fd)
 *   kvm_state.c   struct x86_state <-> KVM_{GET,SET}_{REGS,SREGS,MSRS,FPU}
 *   kvm.c         VM and vCPU creation, memslots, KVM_RUN and the
 *                 translation of KVM exits into struct vm_exit
 *
 * Nothing outside hwassist/ includes this header: the core sees only
 * kvm_engine_ops.
 */
#ifndef TRAPEZE_HWASSIST_KVM_INTERNAL_H
#define TRAPEZE_HWASSIST_KVM_INTERNAL_H

#include <linux/kvm.h>

#include "core/engine.h"
#include "core/vm.h"

#define KVM_DEVICE_PATH "/dev/kvm"

struct kvm_vm {
	int kvm_fd;  /* /dev/kvm */
	int vm_fd;
	int run_size; /* bytes to mmap per vCPU */
	bool has_immediate_exit;
	bool has_xsave; /* FPU state through KVM_{GET,SET}_XSAVE */
	struct kvm_cpuid2 *cpuid; /* baseline ∩ supported, for every vCPU */
};

struct kvm_vcpu {
	int fd;
	struct kvm_run *run;
	int stats_fd; /* -1 if the kernel has no binary stats */
};

static inline struct kvm_vm *kvm_of(struct vm *vm) { return vm->engine_data; }
static inline struct kvm_vcpu *kvm_vcpu_of(struct vcpu *v) { return v->engine_data; }

/* kvm_probe.c */
int kvm_probe(struct engine_info *info);
const char *kvm_flavour(void);
int kvm_build_cpuid(struct kvm_vm *kvm);
int kvm_engine_stats(struct vcpu *vcpu,
                     void (*emit)(void *ctx, const char *name, uint64_t value),
                     void *ctx);

/* kvm_state.c */
int kvm_get_state(struct vcpu *vcpu, struct x86_state *s);
int kvm_set_state(struct vcpu *vcpu, const struct x86_state *s);

#endif
