/*
 * kvm_state.c - moving vCPU state between struct x86_state and KVM.
 *
 * KVM splits a vCPU's state over several ioctls (general registers,
 * special registers, MSRs, FPU, pending events); struct x86_state keeps it
 * in one engine-neutral value.  The two segment layouts differ only in
 * names, so the conversion is field by field.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kvm_internal.h"

static const uint32_t state_msrs[] = {
	X86_MSR_STAR,         X86_MSR_LSTAR,        X86_MSR_CSTAR,
	X86_MSR_SFMASK,       X86_MSR_KERNEL_GS_BASE, X86_MSR_SYSENTER_CS,
	X86_MSR_SYSENTER_ESP, X86_MSR_SYSENTER_EIP, X86_MSR_PAT,
	X86_MSR_TSC,
};
#define NR_STATE_MSRS (sizeof(state_msrs) / sizeof(state_msrs[0]))

static uint64_t *msr_field(struct x86_msrs *m, uint32_t index)
{
	switch (index) {
	case X86_MSR_STAR: return &m->star;
	case X86_MSR_LSTAR: return &m->lstar;
	case X86_MSR_CSTAR: return &m->cstar;
	case X86_MSR_SFMASK: return &m->sfmask;
	case X86_MSR_KERNEL_GS_BASE: return &m->kernel_gs_base;
	case X86_MSR_SYSENTER_CS: return &m->sysenter_cs;
	case X86_MSR_SYSENTER_ESP: return &m->sysenter_esp;
	case X86_MSR_SYSENTER_EIP: return &m->sysenter_eip;
	case X86_MSR_PAT: return &m->pat;
	case X86_MSR_TSC: return &m->tsc;
	default: return NULL;
	}
}

static void seg_from_kvm(struct x86_segment *d, const struct kvm_segment *k)
{
	*d = (struct x86_segment){
		.base = k->base, .limit = k->limit, .selector = k->selector,
		.type = k->type, .present = k->present, .dpl = k->dpl, .db = k->db,
		.s = k->s, .l = k->l, .g = k->g, .avl = k->avl,
		.unusable = k->unusable,
	};
}

static void seg_to_kvm(struct kvm_segment *k, const struct x86_segment *s)
{
	*k = (struct kvm_segment){
		.base = s->base, .limit = s->limit, .selector = s->selector,
		.type = s->type, .present = s->present, .dpl = s->dpl, .db = s->db,
		.s = s->s, .l = s->l, .g = s->g, .avl = s->avl,
		.unusable = s->unusable,
	};
}

/* The 16 GPRs in encoding order <-> struct kvm_regs. */
static uint64_t *kvm_gpr(struct kvm_regs *r, unsigned i)
{
	uint64_t *const map[X86_NR_GPRS] = {
		(uint64_t *)&r->rax, (uint64_t *)&r->rcx, (uint64_t *)&r->rdx,
		(uint64_t *)&r->rbx, (uint64_t *)&r->rsp, (uint64_t *)&r->rbp,
		(uint64_t *)&r->rsi, (uint64_t *)&r->rdi, (uint64_t *)&r->r8,
		(uint64_t *)&r->r9,  (uint64_t *)&r->r10, (uint64_t *)&r->r11,
		(uint64_t *)&r->r12, (uint64_t *)&r->r13, (uint64_t *)&r->r14,
		(uint64_t *)&r->r15,
	};
	return map[i];
}

static void sregs_from_kvm(struct x86_state *s, const struct kvm_sregs *k)
{
	seg_from_kvm(&s->cs, &k->cs);
	seg_from_kvm(&s->ds, &k->ds);
	seg_from_kvm(&s->es, &k->es);
	seg_from_kvm(&s->fs, &k->fs);
	seg_from_kvm(&s->gs, &k->gs);
	seg_from_kvm(&s->ss, &k->ss);
	seg_from_kvm(&s->tr, &k->tr);
	seg_from_kvm(&s->ldt, &k->ldt);
	s->gdt = (struct x86_dtable){ k->gdt.base, k->gdt.limit };
	s->idt = (struct x86_dtable){ k->idt.base, k->idt.limit };
	s->cr0 = k->cr0;
	s->cr2 = k->cr2;
	s->cr3 = k->cr3;
	s->cr4 = k->cr4;
	s->cr8 = k->cr8;
	s->efer = k->efer;
	s->apic_base = k->apic_base;
}

static void sregs_to_kvm(struct kvm_sregs *k, const struct x86_state *s)
{
	seg_to_kvm(&k->cs, &s->cs);
	seg_to_kvm(&k->ds, &s->ds);
	seg_to_kvm(&k->es, &s->es);
	seg_to_kvm(&k->fs, &s->fs);
	seg_to_kvm(&k->gs, &s->gs);
	seg_to_kvm(&k->ss, &s->ss);
	seg_to_kvm(&k->tr, &s->tr);
	seg_to_kvm(&k->ldt, &s->ldt);
	k->gdt = (struct kvm_dtable){ .base = s->gdt.base, .limit = s->gdt.limit };
	k->idt = (struct kvm_dtable){ .base = s->idt.base, .limit = s->idt.limit };
	k->cr0 = s->cr0;
	k->cr2 = s->cr2;
	k->cr3 = s->cr3;
	k->cr4 = s->cr4;
	k->cr8 = s->cr8;
	k->efer = s->efer;
	k->apic_base = s->apic_base;
}

static void fpu_from_kvm(struct x86_fpu *f, const struct kvm_fpu *k)
{
	f->fcw = k->fcw;
	f->fsw = k->fsw;
	f->ftw = k->ftwx;
	f->last_opcode = k->last_opcode;
	f->last_ip = k->last_ip;
	f->last_dp = k->last_dp;
	f->mxcsr = k->mxcsr;
	memcpy(f->st, k->fpr, sizeof(f->st));
	memcpy(f->xmm, k->xmm, sizeof(f->xmm));
}

static void fpu_to_kvm(struct kvm_fpu *k, const struct x86_fpu *f)
{
	memset(k, 0, sizeof(*k));
	k->fcw = f->fcw;
	k->fsw = f->fsw;
	k->ftwx = f->ftw;
	k->last_opcode = f->last_opcode;
	k->last_ip = f->last_ip;
	k->last_dp = f->last_dp;
	k->mxcsr = f->mxcsr;
	memcpy(k->fpr, f->st, sizeof(f->st));
	memcpy(k->xmm, f->xmm, sizeof(f->xmm));
}

/*
 * The FPU/SSE state travels in the legacy FXSAVE area at the start of
 * KVM's XSAVE buffer when KVM offers KVM_GET_XSAVE: some host kernels
 * drop MXCSR in KVM_{GET,SET}_FPU (seen on PVM hosts).  The FXSAVE layout:
 *
 *   0 FCW  2 FSW  4 FTW (abridged)  6 FOP  8 FIP  16 FDP  24 MXCSR
 *   32 ST0..ST7 (16 bytes each)  160 XMM0..XMM15 (16 bytes each)
 *   512 XSAVE header: XSTATE_BV (which components hold values)
 */
#define FXSAVE_FCW 0
#define FXSAVE_FSW 2
#define FXSAVE_FTW 4
#define FXSAVE_FOP 6
#define FXSAVE_FIP 8
#define FXSAVE_FDP 16
#define FXSAVE_MXCSR 24
#define FXSAVE_ST 32
#define FXSAVE_XMM 160
#define XSAVE_HEADER 512
#define XSTATE_X87_SSE 0x3ull

static void fpu_from_fxsave(struct x86_fpu *f, const uint8_t *x)
{
	memcpy(&f->fcw, x + FXSAVE_FCW, 2);
	memcpy(&f->fsw, x + FXSAVE_FSW, 2);
	f->ftw = x[FXSAVE_FTW];
	memcpy(&f->last_opcode, x + FXSAVE_FOP, 2);
	memcpy(&f->last_ip, x + FXSAVE_FIP, 8);
	memcpy(&f->last_dp, x + FXSAVE_FDP, 8);
	memcpy(&f->mxcsr, x + FXSAVE_MXCSR, 4);
	memcpy(f->st, x + FXSAVE_ST, sizeof(f->st));
	memcpy(f->xmm, x + FXSAVE_XMM, sizeof(f->xmm));
}

static void fpu_to_fxsave(uint8_t *x, const struct x86_fpu *f)
{
	memcpy(x + FXSAVE_FCW, &f->fcw, 2);
	memcpy(x + FXSAVE_FSW, &f->fsw, 2);
	x[FXSAVE_FTW] = f->ftw;
	memcpy(x + FXSAVE_FOP, &f->last_opcode, 2);
	memcpy(x + FXSAVE_FIP, &f->last_ip, 8);
	memcpy(x + FXSAVE_FDP, &f->last_dp, 8);
	memcpy(x + FXSAVE_MXCSR, &f->mxcsr, 4);
	memcpy(x + FXSAVE_ST, f->st, sizeof(f->st));
	memcpy(x + FXSAVE_XMM, f->xmm, sizeof(f->xmm));
	uint64_t bv;
	memcpy(&bv, x + XSAVE_HEADER, 8);
	bv |= XSTATE_X87_SSE; /* the values above are meant, not init state */
	memcpy(x + XSAVE_HEADER, &bv, 8);
}

/* Read the FPU/SSE state: XSAVE if KVM has it, else KVM_GET_FPU. */
static int fpu_get(int fd, bool use_xsave, struct x86_fpu *f)
{
	if (use_xsave) {
		struct kvm_xsave xs;
		if (ioctl(fd, KVM_GET_XSAVE, &xs))
			return -errno;
		fpu_from_fxsave(f, (const uint8_t *)xs.region);
		return 0;
	}
	struct kvm_fpu k;
	if (ioctl(fd, KVM_GET_FPU, &k))
		return -errno;
	fpu_from_kvm(f, &k);
	return 0;
}

static int fpu_set(int fd, bool use_xsave, const struct x86_fpu *f)
{
	if (use_xsave) {
		struct kvm_xsave xs;
		if (ioctl(fd, KVM_GET_XSAVE, &xs))
			return -errno;
		fpu_to_fxsave((uint8_t *)xs.region, f);
		return ioctl(fd, KVM_SET_XSAVE, &xs) ? -errno : 0;
	}
	struct kvm_fpu k;
	fpu_to_kvm(&k, f);
	return ioctl(fd, KVM_SET_FPU, &k) ? -errno : 0;
}

/* KVM_GET_MSRS / KVM_SET_MSRS over state_msrs.  An MSR this KVM does not
 * know (the ioctl stops early) is left as it was. */
static int msrs_io(int fd, struct x86_msrs *m, bool set)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[NR_STATE_MSRS];
	} buf;
	memset(&buf, 0, sizeof(buf));
	buf.hdr.nmsrs = NR_STATE_MSRS;
	for (unsigned i = 0; i < NR_STATE_MSRS; i++) {
		buf.e[i].index = state_msrs[i];
		if (set)
			buf.e[i].data = *msr_field(m, state_msrs[i]);
	}
	int n = ioctl(fd, set ? KVM_SET_MSRS : KVM_GET_MSRS, &buf);
	if (n < 0)
		return -errno;
	for (int i = 0; !set && i < n; i++)
		*msr_field(m, buf.e[i].index) = buf.e[i].data;
	return 0;
}

static void events_from_kvm(struct x86_event *ev, const struct kvm_vcpu_events *k)
{
	memset(ev, 0, sizeof(*ev));
	if (k->exception.injected || k->exception.pending) {
		ev->kind = X86_EVENT_EXCEPTION;
		ev->vector = k->exception.nr;
		ev->has_error_code = k->exception.has_error_code;
		ev->error_code = k->exception.error_code;
	} else if (k->interrupt.injected) {
		ev->kind = X86_EVENT_EXTINT;
		ev->vector = k->interrupt.nr;
	} else if (k->nmi.injected || k->nmi.pending) {
		ev->kind = X86_EVENT_NMI;
		ev->vector = 2;
	}
}

int kvm_get_state(struct vcpu *vcpu, struct x86_state *s)
{
	int fd = kvm_vcpu_of(vcpu)->fd;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_vcpu_events events;
	int r;

	memset(s, 0, sizeof(*s));
	if (ioctl(fd, KVM_GET_REGS, &regs) || ioctl(fd, KVM_GET_SREGS, &sregs))
		return -errno;
	r = fpu_get(fd, kvm_of(vcpu->vm)->has_xsave, &s->fpu);
	if (r)
		return r;
	for (unsigned i = 0; i < X86_NR_GPRS; i++)
		s->gpr[i] = *kvm_gpr(&regs, i);
	s->rip = regs.rip;
	s->rflags = regs.rflags;
	sregs_from_kvm(s, &sregs);
	if (ioctl(fd, KVM_GET_VCPU_EVENTS, &events) == 0)
		events_from_kvm(&s->pending, &events);
	return msrs_io(fd, &s->msr, false);
}

int kvm_set_state(struct vcpu *vcpu, const struct x86_state *s)
{
	int fd = kvm_vcpu_of(vcpu)->fd;
	struct kvm_regs regs = { 0 };
	struct kvm_sregs sregs;
	struct x86_msrs msrs = s->msr;
	int r;

	/* Start from KVM's sregs so fields we do not model (interrupt_bitmap)
	 * keep valid values. */
	if (ioctl(fd, KVM_GET_SREGS, &sregs))
		return -errno;
	sregs_to_kvm(&sregs, s);
	for (unsigned i = 0; i < X86_NR_GPRS; i++)
		*kvm_gpr(&regs, i) = s->gpr[i];
	regs.rip = s->rip;
	regs.rflags = s->rflags | X86_RFLAGS_FIXED;
	if (ioctl(fd, KVM_SET_SREGS, &sregs) || ioctl(fd, KVM_SET_REGS, &regs))
		return -errno;
	r = fpu_set(fd, kvm_of(vcpu->vm)->has_xsave, &s->fpu);
	return r ? r : msrs_io(fd, &msrs, true);
}
