/*
 * x86.c - helpers over struct x86_state: power-on values, flat segments,
 * names for reports.
 */
#include "x86.h"

#include <string.h>

/* Descriptor types (the 4-bit "type" field of a code/data descriptor). */
#define SEG_TYPE_DATA_RW_ACCESSED 0x3
#define SEG_TYPE_CODE_RX_ACCESSED 0xb
#define SEG_TYPE_TSS32_BUSY 0xb
#define SEG_TYPE_LDT 0x2

static struct x86_segment flat(uint16_t sel, uint8_t type)
{
	return (struct x86_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
	};
}

struct x86_segment x86_flat_code32(uint16_t sel)
{
	return flat(sel, SEG_TYPE_CODE_RX_ACCESSED);
}

struct x86_segment x86_flat_code64(uint16_t sel)
{
	struct x86_segment s = flat(sel, SEG_TYPE_CODE_RX_ACCESSED);
	s.l = 1;
	s.db = 0; /* L=1 requires D=0 */
	return s;
}

struct x86_segment x86_flat_data(uint16_t sel)
{
	return flat(sel, SEG_TYPE_DATA_RW_ACCESSED);
}

/* The state of a CPU after RESET as far as a loader builds on it: 16-bit
 * real mode at the reset vector, caches enabled, x87 defaults.  Loaders
 * overwrite what their protocol defines. */
void x86_reset_state(struct x86_state *s)
{
	memset(s, 0, sizeof(*s));
	s->rip = 0xfff0;
	s->rflags = X86_RFLAGS_FIXED;
	s->cs = (struct x86_segment){ .base = 0xffff0000, .limit = 0xffff,
	                              .selector = 0xf000, .type = 0xb,
	                              .present = 1, .s = 1 };
	struct x86_segment data16 = { .limit = 0xffff, .type = 0x3,
	                              .present = 1, .s = 1 };
	s->ds = s->es = s->fs = s->gs = s->ss = data16;
	s->tr = (struct x86_segment){ .limit = 0xffff, .type = SEG_TYPE_TSS32_BUSY,
	                              .present = 1 };
	s->ldt = (struct x86_segment){ .limit = 0xffff, .type = SEG_TYPE_LDT,
	                               .present = 1 };
	s->gdt.limit = 0xffff;
	s->idt.limit = 0xffff;
	s->cr0 = X86_CR0_ET | X86_CR0_NW | X86_CR0_CD;
	s->apic_base = 0xfee00000 | (1u << 11) | (1u << 8); /* enabled, BSP */
	s->msr.pat = 0x0007040600070406ull;
	s->fpu.fcw = 0x37f;
	s->fpu.mxcsr = 0x1f80;
}

const char *x86_gpr_name(unsigned reg)
{
	static const char *const names[X86_NR_GPRS] = {
		"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
		"r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15",
	};
	return reg < X86_NR_GPRS ? names[reg] : "?";
}

const char *x86_vector_name(unsigned vector)
{
	static const char *const names[32] = {
		[0] = "#DE", [1] = "#DB", [2] = "NMI", [3] = "#BP",
		[4] = "#OF", [5] = "#BR", [6] = "#UD", [7] = "#NM",
		[8] = "#DF", [10] = "#TS", [11] = "#NP", [12] = "#SS",
		[13] = "#GP", [14] = "#PF", [16] = "#MF", [17] = "#AC",
		[18] = "#MC", [19] = "#XM", [20] = "#VE", [21] = "#CP",
	};
	return vector < 32 ? names[vector] : NULL;
}
