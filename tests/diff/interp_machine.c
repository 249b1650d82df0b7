/*
 * interp_machine.c - the interpreter's machine for the differential test
 * (layout in interp_machine.h): a VM on interp_engine_ops, descriptor
 * tables, a TSS and identity page tables written straight into guest
 * memory, and a CPL-3 state to start each stream from.  No loader is
 * involved; this is the smallest kernel a user program needs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt/cpu.h"
#include "bt/interp.h"
#include "core/vm.h"
#include "interp_gen.h"
#include "interp_machine.h"

#define MEM_SIZE (8ull << 20)
#define GDT_BASE 0x1000ull
#define IDT_BASE 0x2000ull
#define TSS_BASE 0x3000ull
#define PML4_BASE 0x8000ull
#define PDPT_BASE 0x9000ull
#define PD_BASE 0xa000ull

#define SEL_KCODE 0x08
#define SEL_TSS 0x28
#define GDT_ENTRIES 7 /* null, kcode, kdata, udata, ucode, TSS (2 slots) */
#define TSS_LIMIT 0x67
#define TSS_RSP0 4        /* offset of RSP0 in the 64-bit TSS */
#define TSS_IOMAP 0x66    /* offset of the I/O map base */
#define SEG_TYPE_TSS_BUSY 0xb

/*
 * Descriptors (SDM Vol. 3, 3.4.5):  63..56 base 31:24 | 55 G | 54 D/B |
 * 53 L | 52 AVL | 51..48 limit 19:16 | 47 P | 46..45 DPL | 44 S |
 * 43..40 type | 39..16 base 23:0 | 15..0 limit 15:0
 */
#define DESC_KCODE64 0x00af9b000000ffffull /* P DPL0 code RX, L=1 */
#define DESC_KDATA 0x00cf93000000ffffull   /* P DPL0 data RW */
#define DESC_UDATA 0x00cff3000000ffffull   /* P DPL3 data RW */
#define DESC_UCODE64 0x00affb000000ffffull /* P DPL3 code RX, L=1 */
#define DESC_TSS_ACCESS 0x8bull            /* P DPL0 64-bit TSS (busy) */

/* An interrupt gate: P, DPL 0, type 1110 (SDM Vol. 3, 6.14.1). */
#define GATE_INTR 0x8eull
#define GATE_SIZE 16

/* Page-table entries (SDM Vol. 3, 4.5) */
#define PTE_P 0x1ull
#define PTE_RW 0x2ull
#define PTE_US 0x4ull
#define PTE_PS 0x80ull
#define LARGE_PAGE (2ull << 20)

#define HLT 0xf4

struct imach {
	struct vm *vm;
	struct vcpu *vcpu;
	struct x86_state base; /* the CPL-3 state every stream starts from */
	uint8_t *user;
};

static int write_u64(struct imach *m, uint64_t gpa, uint64_t v)
{
	return gmem_write_u64(&m->vm->mem, gpa, v);
}

static int build_gdt(struct imach *m)
{
	const uint64_t gdt[GDT_ENTRIES] = {
		0, DESC_KCODE64, DESC_KDATA, DESC_UDATA, DESC_UCODE64,
		TSS_LIMIT | (TSS_BASE & 0xffffff) << 16 | DESC_TSS_ACCESS << 40 |
			((TSS_BASE >> 24) & 0xff) << 56,
		TSS_BASE >> 32,
	};

	return gmem_write(&m->vm->mem, GDT_BASE, gdt, sizeof(gdt));
}

static int build_idt(struct imach *m)
{
	int rc = 0;

	for (unsigned v = 0; v < IMACH_VECTORS && !rc; v++) {
		uint64_t off = IMACH_HANDLERS + (uint64_t)v * IMACH_HANDLER_STRIDE;
		uint64_t lo = (off & 0xffff) | (uint64_t)SEL_KCODE << 16 | GATE_INTR << 40 |
		              ((off >> 16) & 0xffff) << 48;

		rc = write_u64(m, IDT_BASE + v * GATE_SIZE, lo);
		if (!rc)
			rc = write_u64(m, IDT_BASE + v * GATE_SIZE + 8, off >> 32);
	}
	if (!rc)
		rc = gmem_fill(&m->vm->mem, IMACH_HANDLERS, HLT,
		               IMACH_VECTORS * IMACH_HANDLER_STRIDE);
	return rc;
}

static int build_tss_and_paging(struct imach *m)
{
	struct gmem *mem = &m->vm->mem;
	uint16_t iomap = TSS_LIMIT + 1; /* no I/O bitmap */
	int rc = 0;

	rc |= write_u64(m, TSS_BASE + TSS_RSP0, IMACH_KSTACK_TOP);
	rc |= gmem_write(mem, TSS_BASE + TSS_IOMAP, &iomap, sizeof(iomap));
	rc |= write_u64(m, PML4_BASE, PDPT_BASE | PTE_P | PTE_RW | PTE_US);
	rc |= write_u64(m, PDPT_BASE, PD_BASE | PTE_P | PTE_RW | PTE_US);
	/* the first 2 MiB: this kernel's, supervisor-only */
	rc |= write_u64(m, PD_BASE, 0 | PTE_P | PTE_RW | PTE_PS);
	/* the user page */
	rc |= write_u64(m, PD_BASE + 8 * (GEN_USER_BASE / LARGE_PAGE),
	                GEN_USER_BASE | PTE_P | PTE_RW | PTE_US | PTE_PS);
	return rc ? -EFAULT : 0;
}

static void base_state(struct imach *m)
{
	struct x86_state *s = &m->base;
	struct x86_segment data = x86_flat_data(IMACH_USER_SS);

	x86_reset_state(s);
	s->cs = x86_flat_code64(IMACH_USER_CS);
	s->cs.dpl = 3;
	data.dpl = 3;
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	s->tr = (struct x86_segment){ .base = TSS_BASE, .limit = TSS_LIMIT, .selector = SEL_TSS,
	                              .type = SEG_TYPE_TSS_BUSY, .present = 1 };
	s->gdt = (struct x86_dtable){ GDT_BASE, GDT_ENTRIES * 8 - 1 };
	s->idt = (struct x86_dtable){ IDT_BASE, IMACH_VECTORS * GATE_SIZE - 1 };
	/* CR0.AM = 0: no alignment checks, whatever RFLAGS.AC says */
	s->cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
	s->cr3 = PML4_BASE;
	s->cr4 = X86_CR4_PAE;
	s->efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE;
}

struct imach *imach_create(char *err, size_t len)
{
	struct vm_config cfg = { .mem_size = MEM_SIZE, .engine = &interp_engine_ops,
	                         .serial_out_fd = -1, .serial_in_fd = -1 };
	struct imach *m = calloc(1, sizeof(*m));

	if (!m) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	m->vm = vm_create(&cfg, err, len);
	if (!m->vm) {
		free(m);
		return NULL;
	}
	m->vcpu = &m->vm->vcpus[0];
	m->user = gmem_hva(&m->vm->mem, GEN_USER_BASE, GEN_USER_SIZE);
	if (!m->user || build_gdt(m) || build_idt(m) || build_tss_and_paging(m)) {
		snprintf(err, len, "cannot lay out the interpreter's machine in guest memory");
		imach_destroy(m);
		return NULL;
	}
	base_state(m);
	return m;
}

void imach_destroy(struct imach *m)
{
	if (!m)
		return;
	if (m->vm)
		vm_destroy(m->vm);
	free(m);
}

uint8_t *imach_user(struct imach *m)
{
	return m->user;
}

void imach_code_changed(struct imach *m, uint64_t gpa, size_t len)
{
	if (m->vm->engine->memory_changed)
		m->vm->engine->memory_changed(m->vm, gpa, len);
}

int imach_load(struct imach *m, const struct diff_regs *regs)
{
	struct x86_state s = m->base;

	memcpy(s.gpr, regs->gpr, sizeof(s.gpr));
	s.rip = regs->rip;
	s.rflags = regs->rflags;
	return vcpu_set_state(m->vcpu, &s);
}

void imach_get(struct imach *m, struct diff_regs *regs)
{
	const struct cpu *c = interp_cpu(m->vcpu);

	memcpy(regs->gpr, c->s.gpr, sizeof(regs->gpr));
	regs->rip = c->s.rip;
	regs->rflags = cpu_rflags(c);
}

void imach_put(struct imach *m, const struct diff_regs *regs)
{
	struct cpu *c = interp_cpu(m->vcpu);

	memcpy(c->s.gpr, regs->gpr, sizeof(c->s.gpr));
	c->s.rip = regs->rip;
	cpu_set_rflags(c, regs->rflags);
}

/* RIP on a handler entry at CPL 0 means an exception was delivered. */
static int delivered_vector(const struct cpu *c)
{
	uint64_t off = c->s.rip - IMACH_HANDLERS;

	if (c->cpl != 0 || c->s.rip < IMACH_HANDLERS ||
	    off >= IMACH_VECTORS * IMACH_HANDLER_STRIDE || off % IMACH_HANDLER_STRIDE)
		return DIFF_NO_FAULT;
	return (int)(off / IMACH_HANDLER_STRIDE);
}

void imach_step(struct imach *m, struct imach_step *out)
{
	struct vm_exit exit;

	memset(&exit, 0, sizeof(exit));
	out->rc = interp_step(m->vcpu, &exit);
	out->exit_reason = exit.reason;
	out->fault = delivered_vector(interp_cpu(m->vcpu));
}

/* Vectors that push an error code (SDM Vol. 3, Table 6-1). */
static bool has_error_code(int vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17;
}

int imach_frame(struct imach *m, struct imach_frame *f)
{
	const struct cpu *c = interp_cpu(m->vcpu);
	uint64_t w[5];
	uint64_t at = c->s.gpr[X86_RSP] + (has_error_code(delivered_vector(c)) ? 8 : 0);

	if (gmem_read(&m->vm->mem, at, w, sizeof(w)))
		return -EFAULT;
	*f = (struct imach_frame){ .rip = w[0], .cs = w[1], .rflags = w[2], .rsp = w[3],
	                           .ss = w[4] };
	return 0;
}

uint64_t imach_exceptions(struct imach *m)
{
	const struct cpu_stats *st = interp_stats(m->vcpu);
	uint64_t n = 0;

	for (unsigned v = 0; st && v < IMACH_VECTORS; v++)
		n += st->exceptions[v];
	return n;
}
