/*
 * x86.h - engine-neutral x86-64 architectural state.
 *
 * struct x86_state is what every engine can read and write through
 * engine_ops.get_state/set_state.  It holds values only (no host pointers),
 * so it can be copied, compared between engines, saved and restored.
 * Loaders fill one in to describe how a guest starts; the CLI dumps one when
 * a guest dies.
 */
#ifndef TRAPEZE_CORE_X86_H
#define TRAPEZE_CORE_X86_H

#include "types.h"

/* General-purpose registers, in encoding order (ModRM reg numbers). */
enum x86_gpr {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
	X86_NR_GPRS
};

/* CR0 */
#define X86_CR0_PE (1ull << 0)
#define X86_CR0_MP (1ull << 1)
#define X86_CR0_EM (1ull << 2)
#define X86_CR0_TS (1ull << 3)
#define X86_CR0_ET (1ull << 4)
#define X86_CR0_NE (1ull << 5)
#define X86_CR0_WP (1ull << 16)
#define X86_CR0_AM (1ull << 18)
#define X86_CR0_NW (1ull << 29)
#define X86_CR0_CD (1ull << 30)
#define X86_CR0_PG (1ull << 31)
/* CR4 */
#define X86_CR4_PSE (1ull << 4)
#define X86_CR4_PAE (1ull << 5)
#define X86_CR4_PGE (1ull << 7)
#define X86_CR4_OSFXSR (1ull << 9)
#define X86_CR4_OSXMMEXCPT (1ull << 10)
/* EFER */
#define X86_EFER_SCE (1ull << 0)
#define X86_EFER_LME (1ull << 8)
#define X86_EFER_LMA (1ull << 10)
#define X86_EFER_NXE (1ull << 11)
/* RFLAGS */
#define X86_RFLAGS_CF (1ull << 0)
#define X86_RFLAGS_FIXED (1ull << 1) /* always reads as 1 */
#define X86_RFLAGS_PF (1ull << 2)
#define X86_RFLAGS_AF (1ull << 4)
#define X86_RFLAGS_ZF (1ull << 6)
#define X86_RFLAGS_SF (1ull << 7)
#define X86_RFLAGS_TF (1ull << 8)
#define X86_RFLAGS_IF (1ull << 9)
#define X86_RFLAGS_DF (1ull << 10)
#define X86_RFLAGS_OF (1ull << 11)
#define X86_RFLAGS_IOPL (3ull << 12)

/* MSR numbers the state carries */
#define X86_MSR_EFER 0xc0000080u
#define X86_MSR_STAR 0xc0000081u
#define X86_MSR_LSTAR 0xc0000082u
#define X86_MSR_CSTAR 0xc0000083u
#define X86_MSR_SFMASK 0xc0000084u
#define X86_MSR_FS_BASE 0xc0000100u
#define X86_MSR_GS_BASE 0xc0000101u
#define X86_MSR_KERNEL_GS_BASE 0xc0000102u
#define X86_MSR_SYSENTER_CS 0x174u
#define X86_MSR_SYSENTER_ESP 0x175u
#define X86_MSR_SYSENTER_EIP 0x176u
#define X86_MSR_PAT 0x277u
#define X86_MSR_TSC 0x10u

/*
 * A segment register with its hidden (descriptor-cache) part.
 * `type` is the 4-bit descriptor type; `s` is 1 for code/data, 0 for system.
 */
struct x86_segment {
	uint64_t base;
	uint32_t limit; /* byte granular (already scaled if g=1) */
	uint16_t selector;
	uint8_t type;
	uint8_t present, dpl, db, s, l, g, avl;
	uint8_t unusable;
};

struct x86_dtable {
	uint64_t base;
	uint16_t limit;
};

/* An event waiting to be delivered (or being injected) to the guest. */
enum x86_event_kind {
	X86_EVENT_NONE,
	X86_EVENT_EXTINT,    /* external interrupt from an interrupt controller */
	X86_EVENT_NMI,
	X86_EVENT_EXCEPTION, /* a fault or trap raised by an instruction */
};

struct x86_event {
	uint8_t kind; /* enum x86_event_kind */
	uint8_t vector;
	uint8_t has_error_code;
	uint32_t error_code;
};

struct x86_msrs {
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t pat, tsc;
};

/* The legacy FXSAVE image: x87, MXCSR and the 16 XMM registers. */
struct x86_fpu {
	uint16_t fcw, fsw;
	uint8_t ftw; /* abridged tag word, as in FXSAVE */
	uint16_t last_opcode;
	uint64_t last_ip, last_dp;
	uint32_t mxcsr;
	uint8_t st[8][16];
	uint8_t xmm[16][16];
};

struct x86_state {
	uint64_t gpr[X86_NR_GPRS];
	uint64_t rip;
	uint64_t rflags;
	struct x86_segment cs, ds, es, fs, gs, ss, tr, ldt;
	struct x86_dtable gdt, idt;
	uint64_t cr0, cr2, cr3, cr4, cr8;
	uint64_t efer;
	uint64_t apic_base;
	struct x86_msrs msr;
	struct x86_event pending;
	struct x86_fpu fpu;
};

/* A flat 32-bit or 64-bit segment, as loaders and tests need them. */
struct x86_segment x86_flat_code32(uint16_t sel);
struct x86_segment x86_flat_code64(uint16_t sel);
struct x86_segment x86_flat_data(uint16_t sel);
/* Power-on values for everything not set by a loader (x86_reset_state). */
void x86_reset_state(struct x86_state *s);
/* Current privilege level (CS.DPL in protected mode). */
static inline unsigned x86_cpl(const struct x86_state *s) { return s->cs.dpl; }
/* Name of a GPR ("rax", ...), for reports. */
const char *x86_gpr_name(unsigned reg);
/* Name of an exception vector ("#GP", ...) or NULL. */
const char *x86_vector_name(unsigned vector);

#endif
