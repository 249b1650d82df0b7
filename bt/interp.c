/*
 * interp.c - the interpreter as an engine: interp_engine_ops.
 *
 * The core drives every engine the same way (core/vm.c): run() until an
 * exit, handle it, offer interrupts with inject(), run() again.  This file
 * maps that onto the software CPU:
 *
 *   vm_init       the MMU model: vm_config.paging, shadow paging when the
 *                 config leaves it to the engine (written back into the
 *                 config, so reports can name it)
 *   vcpu_init     struct cpu, its MMU (shadowpt/mmu.h) and decode cache
 *   get/set_state struct x86_state <-> struct cpu (flags materialized,
 *                 caches flushed: the state may have been edited)
 *   run           interp_exec_run (interp_exec.c)
 *   inject        accept an external interrupt when RFLAGS.IF=1 and no
 *                 interrupt shadow; else -EBUSY and ask for an
 *                 interrupt-window exit
 *   kick          async-signal-safe: one atomic OR into cpu.events
 *
 * Nothing is file-static: several VMs (each with its own vCPU) can run in
 * one process.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bt/interp_internal.h"
#include "core/cpuid.h"
#include "core/vm.h"

#define DR6_INIT 0xffff0ff0ull
#define DR7_INIT 0x400ull

struct cpu *interp_cpu(struct vcpu *vcpu)
{
	if (!vcpu || !vcpu->vm || vcpu->vm->engine != &interp_engine_ops)
		return NULL;
	return vcpu->engine_data;
}

const struct cpu_stats *interp_stats(struct vcpu *vcpu)
{
	struct cpu *c = interp_cpu(vcpu);
	return c ? &c->stats : NULL;
}

/* ---- derived state ------------------------------------------------------- */

void cpu_update_mode(struct cpu *c)
{
	const struct x86_segment *cs = &c->s.cs;

	c->prot = c->s.cr0 & X86_CR0_PE;
	c->long64 = c->prot && (c->s.efer & X86_EFER_LMA) && cs->l;
	if (c->long64)
		c->mode = X86_MODE_64;
	else
		c->mode = cs->db ? X86_MODE_32 : X86_MODE_16;
	if (!c->prot)
		c->cpl = 0;
	else if (c->s.rflags & X86_RFLAGS_VM)
		c->cpl = 3;
	else
		c->cpl = cs->dpl;
	c->stack_size = c->long64 ? 8 : (c->s.ss.db ? 4 : 2);
	c->fw.page = CPU_TLB_EMPTY;
}

uint64_t cpu_tsc(const struct cpu *c)
{
	return (uint64_t)((int64_t)vm_clock_ns() + c->tsc_offset);
}

/* ---- the CPU model ------------------------------------------------------- */

struct feature_bit {
	uint32_t leaf;
	uint8_t reg; /* 'b', 'c' or 'd' */
	uint8_t bit;
};

static const struct feature_bit feature_bits[CPU_FEAT_COUNT] = {
    [CPU_FEAT_POPCNT] = {1, 'c', 23},
    [CPU_FEAT_LZCNT] = {0x80000001, 'c', 5},
    [CPU_FEAT_BMI1] = {7, 'b', 3},
    [CPU_FEAT_MOVBE] = {1, 'c', 22},
    [CPU_FEAT_CX16] = {1, 'c', 13},
    [CPU_FEAT_RDTSCP] = {0x80000001, 'd', 27},
    [CPU_FEAT_SSE] = {1, 'd', 25},
    [CPU_FEAT_FXSR] = {1, 'd', 24},
    [CPU_FEAT_CLFSH] = {1, 'd', 19},
    [CPU_FEAT_SEP] = {1, 'd', 11},
    [CPU_FEAT_RDRAND] = {1, 'c', 30},
    [CPU_FEAT_NX] = {0x80000001, 'd', 20},
    [CPU_FEAT_PGE] = {1, 'd', 13},
    [CPU_FEAT_PAE] = {1, 'd', 6},
    [CPU_FEAT_PSE] = {1, 'd', 3},
    [CPU_FEAT_TSC] = {1, 'd', 4},
    [CPU_FEAT_DE] = {1, 'd', 2},
    [CPU_FEAT_MCE] = {1, 'd', 7},
    [CPU_FEAT_PAGE1GB] = {0x80000001, 'd', 26},
    [CPU_FEAT_SYSCALL] = {0x80000001, 'd', 11},
    [CPU_FEAT_LM] = {0x80000001, 'd', 29},
    [CPU_FEAT_PAT] = {1, 'd', 16},
    [CPU_FEAT_CX8] = {1, 'd', 8},
    [CPU_FEAT_LAHF] = {0x80000001, 'c', 0},
};

bool cpu_has(enum cpu_feature f)
{
	const struct feature_bit *b = &feature_bits[f];
	struct cpuid_entry e;
	uint32_t r;

	cpuid_lookup(b->leaf, 0, CPUID_ENGINE_INTERP, &e);
	r = b->reg == 'b' ? e.ebx : b->reg == 'c' ? e.ecx : e.edx;
	return (r >> b->bit) & 1;
}

/* ---- VM and vCPU --------------------------------------------------------- */

static int interp_probe(struct engine_info *info)
{
	memset(info, 0, sizeof(*info));
	info->usable = true;
	snprintf(info->flavour, sizeof(info->flavour), "software");
	snprintf(info->detail, sizeof(info->detail),
	         "reference interpreter (x86-64 long, compatibility and protected mode)");
	return 0;
}

static int interp_vm_init(struct vm *vm)
{
	vm->engine_data = NULL; /* all state is per vCPU */
	if (vm->cfg.paging == VM_PAGING_DEFAULT)
		vm->cfg.paging = VM_PAGING_SHADOW; /* docs/paging-models.md: why */
	return 0;
}

/* The MMU for a vCPU of vm: the model vm_config.paging names. */
static struct mmu *interp_mmu_create(struct cpu *c, const struct vm *vm)
{
	struct mmu_config cfg = {
	    .model = vm->cfg.paging == VM_PAGING_NESTED ? MMU_MODEL_NESTED : MMU_MODEL_SHADOW,
	    .shadow_max_pages = vm->cfg.shadow_max_pages,
	    .write_protect = cpu_mmu_write_protect,
	    .flush = cpu_mmu_flush,
	    .opaque = c,
	};

	return mmu_create_model(c->mem, &cfg);
}

static void interp_destroy(struct vm *vm)
{
	vm->engine_data = NULL;
}

static int interp_vcpu_init(struct vcpu *vcpu)
{
	struct cpu *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	vcpu->engine_data = c;
	c->vcpu = vcpu;
	c->mem = &vcpu->vm->mem;
	c->mmu = interp_mmu_create(c, vcpu->vm);
	c->dc = dc_create(c->mem);
	if (!c->mmu || !c->dc)
		return -ENOMEM; /* vcpu_destroy frees what was made */
	x86_reset_state(&c->s);
	c->dr[6] = DR6_INIT;
	c->dr[7] = DR7_INIT;
	cpu_update_mode(c);
	cpu_tlb_flush(c);
	return 0;
}

static void interp_vcpu_destroy(struct vcpu *vcpu)
{
	struct cpu *c = vcpu->engine_data;

	if (!c)
		return;
	if (c->mmu)
		mmu_destroy(c->mmu);
	dc_destroy(c->dc);
	free(c);
	vcpu->engine_data = NULL;
}

/* ---- state --------------------------------------------------------------- */

static int interp_get_state(struct vcpu *vcpu, struct x86_state *s)
{
	struct cpu *c = vcpu->engine_data;

	*s = c->s;
	s->rflags = cpu_rflags(c);
	s->msr.tsc = cpu_tsc(c);
	return 0;
}

static int interp_set_state(struct vcpu *vcpu, const struct x86_state *s)
{
	struct cpu *c = vcpu->engine_data;

	c->s = *s;
	c->s.rflags |= X86_RFLAGS_FIXED;
	c->lf.op = LF_NONE;
	c->tsc_offset = (int64_t)(s->msr.tsc - vm_clock_ns());
	c->halted = false;
	c->shutdown = false;
	c->io.read_pending = false;
	c->io.ndone = 0;
	__atomic_and_fetch(&c->events, CPU_EV_KICK, __ATOMIC_RELAXED);
	if (s->pending.kind == X86_EVENT_EXTINT)
		cpu_ev_set(c, CPU_EV_IRQ);
	if (s->rflags & X86_RFLAGS_TF)
		cpu_ev_set(c, CPU_EV_SINGLESTEP);
	cpu_update_mode(c);
	mmu_reset(c->mmu); /* the state (and memory under it) may be new */
	cpu_paging_changed(c, false);
	dc_flush(c->dc);
	return 0;
}

/* ---- running ------------------------------------------------------------- */

static int interp_run(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct cpu *c = vcpu->engine_data;

	/* A kick the core has already seen must not cut this run short; one
	 * landing after the clear sets the flag again and is not lost. */
	cpu_ev_clear(c, CPU_EV_KICK);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (vcpu->kicked)
		cpu_ev_set(c, CPU_EV_KICK);
	return interp_exec_run(c, exit);
}

/* Accept an external interrupt if the guest can take it at the next
 * instruction boundary; else -EBUSY and an interrupt-window exit as soon
 * as it can. */
static int interp_inject(struct vcpu *vcpu, struct x86_event ev)
{
	struct cpu *c = vcpu->engine_data;

	if (ev.kind != X86_EVENT_EXTINT)
		return -ENOTSUP;
	if (!(c->s.rflags & X86_RFLAGS_IF) ||
	    cpu_ev_test(c, CPU_EV_SHADOW | CPU_EV_IRQ) || c->shutdown) {
		cpu_ev_set(c, CPU_EV_WINDOW);
		return -EBUSY;
	}
	c->s.pending = ev;
	cpu_ev_clear(c, CPU_EV_WINDOW);
	cpu_ev_set(c, CPU_EV_IRQ);
	return 0;
}

/* Called from a signal handler: one lock-free atomic operation. */
static void interp_kick(struct vcpu *vcpu)
{
	struct cpu *c = vcpu->engine_data;

	if (c)
		cpu_ev_set(c, CPU_EV_KICK);
}

static int interp_memory_changed(struct vm *vm, gpa_t gpa, size_t len)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct cpu *c = vm->vcpus[i].engine_data;
		if (!c)
			continue;
		mmu_memory_changed(c->mmu, gpa, len);
		cpu_tlb_flush(c);
		for (gpa_t p = gpa & PAGE_MASK; p < gpa + len; p += PAGE_SIZE)
			dc_invalidate_page(c, gpa_to_gfn(p));
	}
	return 0;
}

static int interp_translate(struct vcpu *vcpu, gva_t gva, gpa_t *gpa)
{
	struct cpu *c = vcpu->engine_data;
	struct mmu_ctx ctx = {.cr0 = c->s.cr0,
	                      .cr3 = c->s.cr3,
	                      .cr4 = c->s.cr4,
	                      .efer = c->s.efer,
	                      .user = false};
	struct mmu_result res;
	struct mmu_fault f;
	int r = mmu_translate(c->mmu, &ctx, gva, MMU_READ, &res, &f);

	if (r == MMU_PAGE_FAULT)
		return -EFAULT;
	if (r != MMU_OK)
		return -ENOTSUP;
	*gpa = res.gpa;
	return 0;
}

/* ---- statistics ---------------------------------------------------------- */

static int interp_engine_stats(struct vcpu *vcpu,
                               void (*emit)(void *ctx, const char *name, uint64_t value),
                               void *ctx)
{
	struct cpu *c = vcpu->engine_data;
	const struct cpu_stats *st = &c->stats;
	char name[64];

	emit(ctx, "instructions_retired", st->insns);
	emit(ctx, "decodes", st->decodes);
	emit(ctx, "code_invalidations", st->code_invalidations);
	emit(ctx, "interrupts", st->interrupts);
	emit(ctx, "soft_interrupts", st->soft_ints);
	for (unsigned v = 0; v < ARRAY_SIZE(st->exceptions); v++) {
		if (!st->exceptions[v])
			continue;
		const char *vn = x86_vector_name(v);
		snprintf(name, sizeof(name), "exceptions.%s", vn ? vn : "?");
		emit(ctx, name, st->exceptions[v]);
	}
	emit(ctx, "io_exits", st->io_exits);
	emit(ctx, "mmio_exits", st->mmio_exits);
	emit(ctx, "access_cache_misses", st->tlb_misses);
	emit(ctx, "access_cache_flushes", st->tlb_flushes);
	mmu_stats_emit(c->mmu, emit, ctx);
	return 0;
}

const struct engine_ops interp_engine_ops = {
    .name = "interp",
    .probe = interp_probe,
    .vm_init = interp_vm_init,
    .vcpu_init = interp_vcpu_init,
    .run = interp_run,
    .get_state = interp_get_state,
    .set_state = interp_set_state,
    .inject = interp_inject,
    .memory_changed = interp_memory_changed,
    .kick = interp_kick,
    .translate = interp_translate,
    .engine_stats = interp_engine_stats,
    .vcpu_destroy = interp_vcpu_destroy,
    .destroy = interp_destroy,
};
