/*
 * segments.h - the GDT and the TSS: privilege levels and the kernel stack
 * of a ring-3 -> ring-0 transition.
 *
 * In 64-bit mode segmentation is almost gone: base and limit of code and
 * data segments are ignored.  What is left matters a great deal, though:
 *
 *   - the code segment's DPL is the privilege level (CPL) the CPU runs at,
 *     so user code runs with CS = SEL_USER_CODE (ring 3);
 *   - an interrupt or exception that arrives in ring 3 makes the CPU load
 *     RSP from the TSS's RSP0 before pushing anything: that is how every
 *     trap from user mode lands on the kernel stack of the current process
 *     (sched.c sets RSP0 at every switch);
 *   - a double fault uses IST1, a separate stack, so that even a kernel
 *     stack overflow is reported instead of becoming a triple fault.
 *
 * The GDT (segments.c), one 8-byte descriptor per slot, the TSS taking two:
 *
 *   index  selector  descriptor
 *     0    0x00      null
 *     1    0x08      kernel code, 64-bit, DPL 0      SEL_KERNEL_CODE
 *     2    0x10      kernel data, DPL 0              SEL_KERNEL_DATA
 *     3    0x1b      user data, DPL 3 (0x18 | RPL 3) SEL_USER_DATA
 *     4    0x23      user code, 64-bit, DPL 3        SEL_USER_CODE
 *     5-6  0x28      TSS (a 16-byte system descriptor) SEL_TSS
 *
 * (User data sits below user code in the order the `syscall`/`sysret`
 * instructions expect, should the kernel ever use them.)
 *
 * A code/data descriptor:
 *
 *   63   56 55 54 53 52 51  48 47 46 45 44 43  40 39    16 15     0
 *  +-------+--+--+--+--+------+--+-----+--+------+--------+-------+
 *  |base hi| G|DB| L|  |lim hi| P| DPL | S| type |base lo |lim lo |
 *  +-------+--+--+--+--+------+--+-----+--+------+--------+-------+
 */
#ifndef KERNEL_SEGMENTS_H
#define KERNEL_SEGMENTS_H

#define SEL_KERNEL_CODE 0x08
#define SEL_KERNEL_DATA 0x10
#define SEL_USER_DATA   (0x18 | 3)
#define SEL_USER_CODE   (0x20 | 3)
#define SEL_TSS         0x28

#define GDT_ACCESS_BASE 0x9b /* P, S, code, readable, accessed (code) */
#define GDT_DATA_ACCESS 0x93 /* P, S, writable, accessed (data) */
#define GDT_FLAG_L      0x2  /* 64-bit code */
#define GDT_FLAG_DB     0x4  /* data: "big" (ignored in 64-bit mode) */
#define GDT_FLAG_G      0x8  /* limit in 4 KiB units */
#define GDT_LIMIT_MAX   0xfffff

#ifdef __ASSEMBLER__
#define SEG_U64(x) (x)
#else
#define SEG_U64(x) ((uint64_t)(x))
#endif

/* A flat descriptor with access byte `access` and flags `flags`. */
#define GDT_DESC(flags, access)                                                          \
	((SEG_U64(flags) << 52) | (SEG_U64(GDT_LIMIT_MAX >> 16) << 48) |                 \
	 (SEG_U64(access) << 40) | (GDT_LIMIT_MAX & 0xffff))
#define GDT_DPL(dpl) ((dpl) << 5) /* the DPL field of the access byte */

/* 64-bit code and data segments of privilege level dpl (0 or 3). */
#define GDT_CODE64(dpl) GDT_DESC(GDT_FLAG_G | GDT_FLAG_L, GDT_ACCESS_BASE | GDT_DPL(dpl))
#define GDT_DATA(dpl)   GDT_DESC(GDT_FLAG_G | GDT_FLAG_DB, GDT_DATA_ACCESS | GDT_DPL(dpl))

#define IST_DOUBLE_FAULT 1 /* TSS interrupt stack used for #DF */

#ifndef __ASSEMBLER__

#include <stdint.h>

/* The operand of lgdt and lidt: size minus one, then the linear base. */
struct table_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* Load the GDT and the TSS and reload every segment register. */
void segments_init(void);

/* Kernel stack top for the next ring-3 -> ring-0 transition. */
void tss_set_kernel_stack(uint64_t rsp0);

#endif

#endif
