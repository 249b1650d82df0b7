/*
 * interp_system.c - system instructions: interrupt flag and HLT, control
 * and debug registers, descriptor-table registers, MSRs, CPUID and the
 * time-stamp counter, TLB and cache control, and the no-ops.
 *
 * Most of these are privileged (#GP(0) unless CPL 0) and change how the
 * CPU translates addresses or decodes instructions; after such a change
 * the handler flushes what depends on it (cpu_paging_changed: the MMU's
 * TLB and the access cache) and re-derives the mode (cpu_update_mode).
 *
 * Reserved-bit rules follow the CPU model of core/cpuid.c: a CR4 bit or
 * an EFER bit for a feature the model does not report is reserved (#GP).
 */
#include <string.h>

#include "bt/interp_internal.h"
#include "core/cpuid.h"

/* CR0 bits that exist; writes to the other low bits are ignored. */
#define CR0_DEFINED                                                                      \
	(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | X86_CR0_ET | X86_CR0_NE |   \
	 X86_CR0_WP | X86_CR0_AM | X86_CR0_NW | X86_CR0_CD | X86_CR0_PG)
#define CR0_PAGING_BITS (X86_CR0_PE | X86_CR0_PG | X86_CR0_WP | X86_CR0_CD | X86_CR0_NW)
#define X86_CR4_TSD     (1ull << 2)
#define X86_CR4_DE      (1ull << 3)
#define X86_CR4_MCE     (1ull << 6)
#define X86_CR4_PCE     (1ull << 8)
#define CR4_PAGING_BITS (X86_CR4_PSE | X86_CR4_PAE | X86_CR4_PGE)
#define CR3_PHYS_BITS   40 /* CPUID 0x80000008: 40 physical address bits */
#define CR8_MASK        0xfull
#define DR6_FIXED       0xffff0ff0ull
#define DR7_FIXED       0x400ull
#define MSR_APIC_BASE   0x1bu
#define MXCSR_RESERVED  0xffff0000u

/* ---- no-ops and #UD ------------------------------------------------------ */

int h_nop(struct cpu *c, const struct x86_insn *in)
{
	return cpu_retire(c, in);
}

int h_ud(struct cpu *c, const struct x86_insn *in)
{
	return cpu_ud(c);
}

/* WBINVD, INVD: CPL 0; no caches to write back. */
int h_wbinvd(struct cpu *c, const struct x86_insn *in)
{
	int rc = cpu_need_cpl0(c);
	return rc ? rc : cpu_retire(c, in);
}

/* CLFLUSH (in the model): no caches; the address is not checked. */
int h_clflush(struct cpu *c, const struct x86_insn *in)
{
	if (!cpu_has(CPU_FEAT_CLFSH))
		return cpu_ud(c);
	return cpu_retire(c, in);
}

/* WAIT/FWAIT: #NM with CR0.TS and CR0.MP; there are no x87 exceptions. */
int h_wait(struct cpu *c, const struct x86_insn *in)
{
	if ((c->s.cr0 & X86_CR0_TS) && (c->s.cr0 & X86_CR0_MP))
		return cpu_fault(c, X86_EXC_NM, false, 0);
	return cpu_retire(c, in);
}

/* LDMXCSR/STMXCSR: the one SSE state the general-register model keeps
 * (struct x86_fpu.mxcsr).  #UD without CR4.OSFXSR or with CR0.EM, #NM
 * with CR0.TS. */
int h_mxcsr(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *o = &in->opnd[0];
	uint64_t ea = cpu_ea(c, in, &o->mem), v;
	int rc;

	if (!cpu_has(CPU_FEAT_SSE) || !(c->s.cr4 & X86_CR4_OSFXSR) ||
	    (c->s.cr0 & X86_CR0_EM))
		return cpu_ud(c);
	if (c->s.cr0 & X86_CR0_TS)
		return cpu_fault(c, X86_EXC_NM, false, 0);
	if (x86_insn_mnemonic(in) == X86_I_STMXCSR) {
		rc = mem_write(c, o->mem.seg, ea, 4, c->s.fpu.mxcsr);
		return rc ? rc : cpu_retire(c, in);
	}
	if ((rc = mem_read(c, o->mem.seg, ea, 4, &v)))
		return rc;
	if (v & MXCSR_RESERVED)
		return cpu_gp0(c);
	c->s.fpu.mxcsr = (uint32_t)v;
	return cpu_retire(c, in);
}

/* ---- interrupt flag and HLT ---------------------------------------------- */

/* CLI/STI need CPL <= IOPL in protected mode (no VME/PVI in the model). */
static int if_allowed(struct cpu *c)
{
	unsigned iopl =
	    (unsigned)((c->s.rflags & X86_RFLAGS_IOPL) >> X86_RFLAGS_IOPL_SHIFT);

	if (c->prot && c->cpl > iopl)
		return cpu_gp0(c);
	return INTERP_OK;
}

int h_cli(struct cpu *c, const struct x86_insn *in)
{
	int rc = if_allowed(c);

	if (rc)
		return rc;
	c->s.rflags &= ~X86_RFLAGS_IF;
	return cpu_retire(c, in);
}

/* STI: interrupts stay blocked until the next instruction retires (so
 * "sti; hlt" cannot lose a wake-up). */
int h_sti(struct cpu *c, const struct x86_insn *in)
{
	int rc = if_allowed(c);

	if (rc)
		return rc;
	if (!(c->s.rflags & X86_RFLAGS_IF))
		cpu_ev_set(c, CPU_EV_SHADOW);
	c->s.rflags |= X86_RFLAGS_IF;
	return cpu_retire(c, in);
}

int h_hlt(struct cpu *c, const struct x86_insn *in)
{
	int rc = cpu_need_cpl0(c);

	if (rc)
		return rc;
	cpu_retire(c, in);
	return INTERP_HALT;
}

/* ---- CPUID and time ------------------------------------------------------ */

int h_cpuid(struct cpu *c, const struct x86_insn *in)
{
	struct cpuid_entry e;

	cpuid_lookup((uint32_t)c->s.gpr[X86_RAX], (uint32_t)c->s.gpr[X86_RCX],
	             CPUID_ENGINE_INTERP, &e);
	c->s.gpr[X86_RAX] = e.eax;
	c->s.gpr[X86_RBX] = e.ebx;
	c->s.gpr[X86_RCX] = e.ecx;
	c->s.gpr[X86_RDX] = e.edx;
	return cpu_retire(c, in);
}

/* RDTSC: the host's monotonic clock in nanoseconds plus an offset (so a
 * guest measures real time: the TSC runs at 1 GHz).  CR4.TSD makes it
 * privileged. */
int h_rdtsc(struct cpu *c, const struct x86_insn *in)
{
	if ((c->s.cr4 & X86_CR4_TSD) && c->cpl != 0)
		return cpu_gp0(c);
	uint64_t t = cpu_tsc(c);
	c->s.gpr[X86_RAX] = (uint32_t)t;
	c->s.gpr[X86_RDX] = t >> 32;
	return cpu_retire(c, in);
}

/* RDTSCP: RDTSC plus ECX = TSC_AUX (0); #UD unless in the model. */
int h_rdtscp(struct cpu *c, const struct x86_insn *in)
{
	if (!cpu_has(CPU_FEAT_RDTSCP))
		return cpu_ud(c);
	if ((c->s.cr4 & X86_CR4_TSD) && c->cpl != 0)
		return cpu_gp0(c);
	uint64_t t = cpu_tsc(c);
	c->s.gpr[X86_RAX] = (uint32_t)t;
	c->s.gpr[X86_RDX] = t >> 32;
	c->s.gpr[X86_RCX] = 0;
	return cpu_retire(c, in);
}

/* RDPMC: the model has no performance counters. */
int h_rdpmc(struct cpu *c, const struct x86_insn *in)
{
	return cpu_gp0(c);
}

/* ---- MSRs ---------------------------------------------------------------- */

/* The MSRs kept in struct x86_msrs that take any value. */
static uint64_t *msr_plain(struct cpu *c, uint32_t index)
{
	switch (index) {
	case X86_MSR_STAR:
		return &c->s.msr.star;
	case X86_MSR_SYSENTER_CS:
		return &c->s.msr.sysenter_cs;
	case MSR_APIC_BASE:
		return &c->s.apic_base;
	default:
		return NULL;
	}
}

/* The MSRs that hold a linear address (#GP(0) unless canonical). */
static uint64_t *msr_address(struct cpu *c, uint32_t index)
{
	switch (index) {
	case X86_MSR_LSTAR:
		return &c->s.msr.lstar;
	case X86_MSR_CSTAR:
		return &c->s.msr.cstar;
	case X86_MSR_FS_BASE:
		return &c->s.fs.base;
	case X86_MSR_GS_BASE:
		return &c->s.gs.base;
	case X86_MSR_KERNEL_GS_BASE:
		return &c->s.msr.kernel_gs_base;
	case X86_MSR_SYSENTER_ESP:
		return &c->s.msr.sysenter_esp;
	case X86_MSR_SYSENTER_EIP:
		return &c->s.msr.sysenter_eip;
	default:
		return NULL;
	}
}

/* Is v a valid PAT (each byte a memory type 0, 1, 4, 5, 6 or 7)? */
static bool pat_valid(uint64_t v)
{
	for (unsigned i = 0; i < 8; i++) {
		unsigned t = (v >> (8 * i)) & 0xff;
		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

/* EFER: SCE, LME, NXE (with NX in the model); LMA is the CPU's and
 * writes to it are ignored; LME cannot change while paging is on. */
static int wrmsr_efer(struct cpu *c, uint64_t v)
{
	uint64_t allowed = X86_EFER_SCE | X86_EFER_LME | X86_EFER_LMA |
	                   (cpu_has(CPU_FEAT_NX) ? X86_EFER_NXE : 0);

	if (v & ~allowed)
		return cpu_gp0(c);
	if ((c->s.cr0 & X86_CR0_PG) && ((v ^ c->s.efer) & X86_EFER_LME))
		return cpu_gp0(c);
	c->s.efer = (v & ~X86_EFER_LMA) | (c->s.efer & X86_EFER_LMA);
	cpu_paging_changed(c, false);
	return INTERP_OK;
}

/* Write MSR index (already past the CPL check). */
static int msr_write(struct cpu *c, uint32_t index, uint64_t v)
{
	uint64_t *p;

	if ((p = msr_plain(c, index))) {
		*p = v;
		return INTERP_OK;
	}
	if ((p = msr_address(c, index))) {
		if (!cpu_canonical(v))
			return cpu_gp0(c);
		*p = v;
		return INTERP_OK;
	}
	switch (index) {
	case X86_MSR_EFER:
		return wrmsr_efer(c, v);
	case X86_MSR_SFMASK:
		if (v >> 32)
			return cpu_gp0(c);
		c->s.msr.sfmask = v;
		return INTERP_OK;
	case X86_MSR_PAT:
		if (!pat_valid(v))
			return cpu_gp0(c);
		c->s.msr.pat = v;
		return INTERP_OK;
	case X86_MSR_TSC:
		c->tsc_offset = (int64_t)(v - cpu_tsc(c)) + c->tsc_offset;
		return INTERP_OK;
	}
	return cpu_gp0(c); /* an MSR the model does not have */
}

static int msr_read(struct cpu *c, uint32_t index, uint64_t *v)
{
	uint64_t *p = msr_plain(c, index);

	if (!p)
		p = msr_address(c, index);
	if (p) {
		*v = *p;
		return INTERP_OK;
	}
	switch (index) {
	case X86_MSR_EFER:
		*v = c->s.efer;
		return INTERP_OK;
	case X86_MSR_SFMASK:
		*v = c->s.msr.sfmask;
		return INTERP_OK;
	case X86_MSR_PAT:
		*v = c->s.msr.pat;
		return INTERP_OK;
	case X86_MSR_TSC:
		*v = cpu_tsc(c);
		return INTERP_OK;
	}
	return cpu_gp0(c);
}

int h_rdmsr(struct cpu *c, const struct x86_insn *in)
{
	uint64_t v = 0;
	int rc = cpu_need_cpl0(c);

	if (rc || (rc = msr_read(c, (uint32_t)c->s.gpr[X86_RCX], &v)))
		return rc;
	c->s.gpr[X86_RAX] = (uint32_t)v;
	c->s.gpr[X86_RDX] = v >> 32;
	return cpu_retire(c, in);
}

int h_wrmsr(struct cpu *c, const struct x86_insn *in)
{
	uint64_t v = (c->s.gpr[X86_RDX] << 32) | (uint32_t)c->s.gpr[X86_RAX];
	int rc = cpu_need_cpl0(c);

	if (rc || (rc = msr_write(c, (uint32_t)c->s.gpr[X86_RCX], v)))
		return rc;
	return cpu_retire(c, in);
}

/* ---- control registers --------------------------------------------------- */

/*
 * CR0: #GP(0) for bits 63:32, PG without PE, NW without CD, or paging
 * with LME but without PAE.  Setting PG with EFER.LME activates long mode
 * (EFER.LMA); clearing it leaves long mode (not from 64-bit code).
 */
static int write_cr0(struct cpu *c, uint64_t v)
{
	uint64_t old = c->s.cr0;
	uint64_t efer = c->s.efer;

	if ((v >> 32) || ((v & X86_CR0_PG) && !(v & X86_CR0_PE)) ||
	    ((v & X86_CR0_NW) && !(v & X86_CR0_CD)))
		return cpu_gp0(c);
	v = (v & CR0_DEFINED) | X86_CR0_ET;
	if ((v & X86_CR0_PG) && !(old & X86_CR0_PG) && (efer & X86_EFER_LME)) {
		if (!(c->s.cr4 & X86_CR4_PAE) || c->s.cs.l)
			return cpu_gp0(c);
		efer |= X86_EFER_LMA;
	}
	if (!(v & X86_CR0_PG) && (old & X86_CR0_PG) && (efer & X86_EFER_LMA)) {
		if (c->long64)
			return cpu_gp0(c);
		efer &= ~X86_EFER_LMA;
	}
	c->s.cr0 = v;
	c->s.efer = efer;
	if ((old ^ v) & CR0_PAGING_BITS)
		cpu_paging_changed(c, false);
	cpu_update_mode(c);
	return INTERP_OK;
}

/* CR4 bits the model allows. */
static uint64_t cr4_allowed(void)
{
	uint64_t m = X86_CR4_PCE;

	if (cpu_has(CPU_FEAT_TSC))
		m |= X86_CR4_TSD;
	if (cpu_has(CPU_FEAT_DE))
		m |= X86_CR4_DE;
	if (cpu_has(CPU_FEAT_PSE))
		m |= X86_CR4_PSE;
	if (cpu_has(CPU_FEAT_PAE))
		m |= X86_CR4_PAE;
	if (cpu_has(CPU_FEAT_MCE))
		m |= X86_CR4_MCE;
	if (cpu_has(CPU_FEAT_PGE))
		m |= X86_CR4_PGE;
	if (cpu_has(CPU_FEAT_FXSR))
		m |= X86_CR4_OSFXSR;
	if (cpu_has(CPU_FEAT_SSE))
		m |= X86_CR4_OSXMMEXCPT;
	return m;
}

static int write_cr4(struct cpu *c, uint64_t v)
{
	uint64_t old = c->s.cr4;

	if ((v & ~cr4_allowed()) || ((c->s.efer & X86_EFER_LMA) && !(v & X86_CR4_PAE)))
		return cpu_gp0(c);
	c->s.cr4 = v;
	if ((old ^ v) & CR4_PAGING_BITS)
		cpu_paging_changed(c, false);
	return INTERP_OK;
}

static int write_cr(struct cpu *c, unsigned cr, uint64_t v)
{
	switch (cr) {
	case 0:
		return write_cr0(c, v);
	case 2:
		c->s.cr2 = v;
		return INTERP_OK;
	case 3:
		if (c->long64 && (v >> CR3_PHYS_BITS))
			return cpu_gp0(c);
		c->s.cr3 = v;
		cpu_paging_changed(c, true); /* global pages survive */
		return INTERP_OK;
	case 4:
		return write_cr4(c, v);
	default: /* 8: the task-priority register (no APIC: stored only) */
		if (v & ~CR8_MASK)
			return cpu_gp0(c);
		c->s.cr8 = v;
		return INTERP_OK;
	}
}

static uint64_t read_cr(const struct cpu *c, unsigned cr)
{
	switch (cr) {
	case 0:
		return c->s.cr0;
	case 2:
		return c->s.cr2;
	case 3:
		return c->s.cr3;
	case 4:
		return c->s.cr4;
	default:
		return c->s.cr8;
	}
}

/* MOV Rd, Cd and MOV Cd, Rd: 64-bit operands in 64-bit mode, else 32. */
int h_mov_cr(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *d = &in->opnd[0], *s = &in->opnd[1];
	int rc = cpu_need_cpl0(c);

	if (rc)
		return rc;
	if (d->reg.cls == X86_RC_CR) {
		uint64_t v = cpu_gpr_get(c, X86_RC_GPR, s->reg.num, s->size);
		if ((rc = write_cr(c, d->reg.num, v)))
			return rc;
		return cpu_retire(c, in);
	}
	cpu_gpr_set(c, X86_RC_GPR, d->reg.num, d->size, read_cr(c, s->reg.num));
	return cpu_retire(c, in);
}

/* MOV to/from DR0-7.  DR4/DR5 alias DR6/DR7 unless CR4.DE (then #UD).
 * The values are kept; breakpoints are not implemented. */
int h_mov_dr(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *d = &in->opnd[0], *s = &in->opnd[1];
	bool to_dr = d->reg.cls == X86_RC_DR;
	unsigned dr = to_dr ? d->reg.num : s->reg.num;
	int rc = cpu_need_cpl0(c);

	if (rc)
		return rc;
	if (dr == 4 || dr == 5) {
		if (c->s.cr4 & X86_CR4_DE)
			return cpu_ud(c);
		dr += 2;
	}
	if (!to_dr) {
		cpu_gpr_set(c, X86_RC_GPR, d->reg.num, d->size, c->dr[dr]);
		return cpu_retire(c, in);
	}
	uint64_t v = cpu_gpr_get(c, X86_RC_GPR, s->reg.num, s->size);
	if (dr >= 6 && (v >> 32))
		return cpu_gp0(c);
	if (dr == 6)
		v |= DR6_FIXED;
	else if (dr == 7)
		v |= DR7_FIXED;
	c->dr[dr] = v;
	return cpu_retire(c, in);
}

/* LMSW: the low four bits of CR0 (PE can be set, not cleared). */
int h_lmsw(struct cpu *c, const struct x86_insn *in)
{
	uint64_t v;
	int rc = cpu_need_cpl0(c);

	if (rc || (rc = op_read(c, in, &in->opnd[0], &v)))
		return rc;
	uint64_t cr0 = (c->s.cr0 & ~0xeull) | (v & 0xf);
	if ((rc = write_cr0(c, cr0)))
		return rc;
	return cpu_retire(c, in);
}

/* SMSW: CR0 (a register gets the operand size, memory a word). */
int h_smsw(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *d = &in->opnd[0];
	int rc;

	if (d->kind == X86_OPND_REG) {
		cpu_gpr_set(c, d->reg.cls, d->reg.num, d->size, c->s.cr0);
		return cpu_retire(c, in);
	}
	rc = mem_write(c, d->mem.seg, cpu_ea(c, in, &d->mem), 2, c->s.cr0 & 0xffff);
	return rc ? rc : cpu_retire(c, in);
}

int h_clts(struct cpu *c, const struct x86_insn *in)
{
	int rc = cpu_need_cpl0(c);

	if (rc)
		return rc;
	c->s.cr0 &= ~X86_CR0_TS;
	return cpu_retire(c, in);
}

/* INVLPG m: drop the translation of the page (a non-canonical address
 * is a no-op).  The access cache is flushed whole: a large page may be
 * cached as several 4 KiB entries. */
int h_invlpg(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *o = &in->opnd[0];
	uint64_t la = cpu_ea(c, in, &o->mem);
	int rc = cpu_need_cpl0(c);

	if (rc)
		return rc;
	if (!c->long64)
		la = (cpu_seg(c, o->mem.seg)->base + la) & 0xffffffffull;
	else if (o->mem.seg == X86_SEG_FS || o->mem.seg == X86_SEG_GS)
		la += cpu_seg(c, o->mem.seg)->base;
	mmu_invlpg(c->mmu, la);
	cpu_tlb_flush(c);
	return cpu_retire(c, in);
}

/* SWAPGS (64-bit mode): exchange GS.base and IA32_KERNEL_GS_BASE. */
int h_swapgs(struct cpu *c, const struct x86_insn *in)
{
	int rc = cpu_need_cpl0(c);

	if (rc)
		return rc;
	uint64_t t = c->s.gs.base;
	c->s.gs.base = c->s.msr.kernel_gs_base;
	c->s.msr.kernel_gs_base = t;
	return cpu_retire(c, in);
}

/* ---- descriptor-table registers ------------------------------------------ */

/* LGDT/LIDT m16&32 (m16&64 in 64-bit mode; 16-bit operands keep 24 bits
 * of the base). */
int h_lgdt(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *o = &in->opnd[0];
	uint64_t ea = cpu_ea(c, in, &o->mem), limit, base;
	unsigned bw = c->long64 ? 8 : 4;
	int rc = cpu_need_cpl0(c);

	if (rc || (rc = mem_read(c, o->mem.seg, ea, 2, &limit)) ||
	    (rc = mem_read(c, o->mem.seg, (ea + 2) & cpu_size_mask(o->mem.addr_size), bw,
	                   &base)))
		return rc;
	if (!c->long64 && in->opsize == 2)
		base &= 0xffffff;
	if (c->long64 && !cpu_canonical(base))
		return cpu_gp0(c);
	struct x86_dtable *t =
	    x86_insn_mnemonic(in) == X86_I_LGDT ? &c->s.gdt : &c->s.idt;
	t->base = base;
	t->limit = (uint16_t)limit;
	return cpu_retire(c, in);
}

/* SGDT/SIDT: limit and base (8 bytes of it in 64-bit mode, else 4). */
int h_sgdt(struct cpu *c, const struct x86_insn *in)
{
	const struct x86_operand *o = &in->opnd[0];
	const struct x86_dtable *t =
	    x86_insn_mnemonic(in) == X86_I_SGDT ? &c->s.gdt : &c->s.idt;
	unsigned bw = c->long64 ? 8 : 4;
	uint8_t buf[10];
	gva_t la;
	int rc;

	buf[0] = (uint8_t)t->limit;
	buf[1] = (uint8_t)(t->limit >> 8);
	for (unsigned i = 0; i < bw; i++)
		buf[2 + i] = (uint8_t)(t->base >> (8 * i));
	if ((rc = mem_linear(c, o->mem.seg, cpu_ea(c, in, &o->mem), 2 + bw, CPU_ACC_WRITE,
	                     &la)) ||
	    (rc = mem_write_bytes(c, la, buf, 2 + bw, false)))
		return rc;
	return cpu_retire(c, in);
}

int h_lldt(struct cpu *c, const struct x86_insn *in)
{
	uint64_t sel;
	int rc;

	if (!c->prot || (c->s.rflags & X86_RFLAGS_VM))
		return cpu_ud(c);
	if ((rc = cpu_need_cpl0(c)) || (rc = op_read(c, in, &in->opnd[0], &sel)) ||
	    (rc = seg_load_system(c, (uint16_t)sel, false)))
		return rc;
	return cpu_retire(c, in);
}

int h_ltr(struct cpu *c, const struct x86_insn *in)
{
	uint64_t sel;
	int rc;

	if (!c->prot || (c->s.rflags & X86_RFLAGS_VM))
		return cpu_ud(c);
	if ((rc = cpu_need_cpl0(c)) || (rc = op_read(c, in, &in->opnd[0], &sel)) ||
	    (rc = seg_load_system(c, (uint16_t)sel, true)))
		return rc;
	return cpu_retire(c, in);
}

/* SLDT/STR: the selector; a register gets it zero-extended. */
static int store_selector(struct cpu *c, const struct x86_insn *in, uint16_t sel)
{
	const struct x86_operand *d = &in->opnd[0];
	int rc;

	if (!c->prot || (c->s.rflags & X86_RFLAGS_VM))
		return cpu_ud(c);
	if (d->kind == X86_OPND_REG) {
		cpu_gpr_set(c, d->reg.cls, d->reg.num, d->size, sel);
		return cpu_retire(c, in);
	}
	rc = mem_write(c, d->mem.seg, cpu_ea(c, in, &d->mem), 2, sel);
	return rc ? rc : cpu_retire(c, in);
}

int h_sldt(struct cpu *c, const struct x86_insn *in)
{
	return store_selector(c, in, c->s.ldt.selector);
}
int h_str(struct cpu *c, const struct x86_insn *in)
{
	return store_selector(c, in, c->s.tr.selector);
}

/* ---- LAR, LSL, VERR, VERW, ARPL ------------------------------------------ */

/*
 * selector_visible - the descriptor of sel if LAR/LSL/VERR/VERW may see
 * it from the current CPL and sel's RPL (*ok false otherwise, with no
 * fault: these instructions report through ZF).  Faults only for a
 * descriptor table that cannot be read.
 */
static int selector_visible(struct cpu *c, uint16_t sel, struct desc *d, bool *ok)
{
	uint64_t limit = (sel & SEL_TI) ? c->s.ldt.limit : c->s.gdt.limit;
	int rc;

	*ok = false;
	if (((sel & SEL_INDEX_MASK) == 0 && !(sel & SEL_TI)) ||
	    ((sel & SEL_TI) && (c->s.ldt.unusable || !c->s.ldt.present)) ||
	    (uint64_t)(sel & SEL_INDEX_MASK) + 7 > limit)
		return INTERP_OK;
	if ((rc = desc_read(c, sel, d, X86_EXC_GP, false)))
		return rc;
	unsigned type = DESC_TYPE(*d);
	bool conforming = DESC_S(*d) && (type & SEGT_CODE) && (type & SEGT_CONFORMING);
	*ok = conforming || (DESC_DPL(*d) >= c->cpl && DESC_DPL(*d) >= SEL_RPL(sel));
	return INTERP_OK;
}

/* System descriptor types LAR (gates too) and LSL accept. */
static bool system_type_ok(const struct cpu *c, unsigned type, bool gates)
{
	bool lma = c->s.efer & X86_EFER_LMA;

	switch (type) {
	case SYST_LDT:
	case SYST_TSS_AVAIL:
	case SYST_TSS_BUSY:
		return true;
	case SYST_TSS16_AVAIL:
	case 0x3:
		return !lma;
	case SYST_CALL_GATE:
		return gates;
	case 0x4:
	case SYST_TASK_GATE:
		return gates && !lma;
	default:
		return false;
	}
}

/* LAR Gv, Ew / LSL Gv, Ew: access rights or limit, ZF = 1 if visible. */
static int lar_lsl(struct cpu *c, const struct x86_insn *in, bool lar)
{
	const struct x86_operand *d = &in->opnd[0];
	struct desc desc;
	uint64_t sel;
	bool ok;
	int rc;

	if (!c->prot || (c->s.rflags & X86_RFLAGS_VM))
		return cpu_ud(c);
	if ((rc = op_read(c, in, &in->opnd[1], &sel)) ||
	    (rc = selector_visible(c, (uint16_t)sel, &desc, &ok)))
		return rc;
	if (ok && !DESC_S(desc))
		ok = system_type_ok(c, DESC_TYPE(desc), lar);
	if (ok) {
		struct x86_segment s;
		desc_to_seg(&desc, (uint16_t)sel, &s);
		uint64_t v = lar ? (desc.lo >> 32) & 0x00f0ff00ull : s.limit;
		cpu_gpr_set(c, d->reg.cls, d->reg.num, d->size,
		            v & cpu_size_mask(d->size));
	}
	cpu_set_status(c, X86_RFLAGS_ZF, ok ? X86_RFLAGS_ZF : 0);
	return cpu_retire(c, in);
}

int h_lar(struct cpu *c, const struct x86_insn *in)
{
	return lar_lsl(c, in, true);
}
int h_lsl(struct cpu *c, const struct x86_insn *in)
{
	return lar_lsl(c, in, false);
}

/* VERR/VERW Ew: ZF = 1 if the segment is readable / writable from here. */
int h_verr(struct cpu *c, const struct x86_insn *in)
{
	bool write = x86_insn_mnemonic(in) == X86_I_VERW;
	struct desc d;
	uint64_t sel;
	bool ok;
	int rc;

	if (!c->prot || (c->s.rflags & X86_RFLAGS_VM))
		return cpu_ud(c);
	if ((rc = op_read(c, in, &in->opnd[0], &sel)) ||
	    (rc = selector_visible(c, (uint16_t)sel, &d, &ok)))
		return rc;
	unsigned type = DESC_TYPE(d);
	if (ok)
		ok = DESC_S(d) && (write ? !(type & SEGT_CODE) && (type & SEGT_WRITABLE)
		                         : !(type & SEGT_CODE) || (type & SEGT_READABLE));
	cpu_set_status(c, X86_RFLAGS_ZF, ok ? X86_RFLAGS_ZF : 0);
	return cpu_retire(c, in);
}

/* ARPL Ew, Gw (outside 64-bit mode): raise the destination's RPL. */
int h_arpl(struct cpu *c, const struct x86_insn *in)
{
	struct loc dst;
	uint64_t v, s = c->s.gpr[in->opnd[1].reg.num] & 3;
	int rc;

	if (!c->prot || (c->s.rflags & X86_RFLAGS_VM))
		return cpu_ud(c);
	if ((rc = op_loc(c, in, &in->opnd[0], CPU_ACC_WRITE, &dst)) ||
	    (rc = loc_read(c, &dst, &v)))
		return rc;
	bool raise = (v & 3) < s;
	if (raise && (rc = loc_write(c, &dst, (v & ~3ull) | s)))
		return rc;
	cpu_set_status(c, X86_RFLAGS_ZF, raise ? X86_RFLAGS_ZF : 0);
	return cpu_retire(c, in);
}
