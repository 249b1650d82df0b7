/*
 * trap.h - exceptions, interrupts and system calls: how the CPU enters the
 * kernel and how the kernel returns.
 *
 * Every way into the kernel after boot is a trap through the IDT:
 *
 *   vectors 0-31     CPU exceptions (#DE, #UD, #GP, #PF, ...)
 *   vectors 32-47    hardware interrupts IRQ 0-15 from the PICs (pic.h);
 *                    IRQ 0 is the timer (timer.h)
 *   vector  0x80     system calls: `int $0x80` from ring 3 (syscall.c)
 *
 * All gates are interrupt gates: the CPU clears RFLAGS.IF on entry, so the
 * kernel always runs with interrupts off (except while idle, sched.c) and
 * one trap never interrupts another.  Only the gates of 0x80, #BP (int3)
 * and #OF (into) have DPL 3: a user `int n` for any other n raises #GP.
 *
 * The trap frame: what is on the kernel stack when trap_dispatch() runs.
 * For a trap from ring 3 the CPU first switches to the TSS's RSP0, the top
 * of the process's kernel stack, so the frame sits at the very top:
 *
 *   kernel stack top (RSP0) ->  +-----------+
 *                               | ss        |  \
 *                               | rsp       |   |
 *                               | rflags    |   | pushed by the CPU
 *                               | cs        |   |
 *                               | rip       |  /
 *                               | error     |  CPU's error code, or 0
 *                               | vector    |  pushed by the stub
 *                               | rax       |  \
 *                               | rbx       |   |
 *                               |  ...      |   | pushed by trap_common
 *                               | r14       |   |
 *   struct trap_frame *tf ----> | r15       |  /
 *                               +-----------+
 *
 * trap_return pops it all again and executes iretq, which restores RIP,
 * CS, RFLAGS, RSP and SS: changing a field of *tf (RAX for a system
 * call's result) changes what the interrupted code sees.
 */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H

#define EXC_DE        0  /* divide error */
#define EXC_DB        1  /* debug */
#define EXC_NMI       2  /* non-maskable interrupt */
#define EXC_BP        3  /* breakpoint (int3) */
#define EXC_OF        4  /* overflow (into) */
#define EXC_BR        5  /* bound range */
#define EXC_UD        6  /* invalid opcode */
#define EXC_NM        7  /* device not available (x87 with CR0.EM) */
#define EXC_DF        8  /* double fault */
#define EXC_TS        10 /* invalid TSS */
#define EXC_NP        11 /* segment not present */
#define EXC_SS        12 /* stack-segment fault */
#define EXC_GP        13 /* general protection */
#define EXC_PF        14 /* page fault */
#define EXC_MF        16 /* x87 floating-point error */
#define EXC_AC        17 /* alignment check */
#define EXC_MC        18 /* machine check */
#define EXC_XM        19 /* SIMD floating-point */
#define NR_EXCEPTIONS 32

#define IRQ_BASE   32 /* vector of IRQ 0 (the PICs are remapped here) */
#define NR_IRQS    16
#define TRAP_STUBS (IRQ_BASE + NR_IRQS) /* vectors with a stub: 0..47 */

/* RFLAGS of a process entering user mode for the first time: IF (0x200,
 * interrupts on) and bit 1, which is always set. */
#define RFLAGS_USER 0x202

/* Page-fault error code bits (tf->error for #PF). */
#define PF_ERR_PRESENT 0x1  /* the page was present: a protection fault */
#define PF_ERR_WRITE   0x2  /* the access was a write */
#define PF_ERR_USER    0x4  /* the access came from ring 3 */
#define PF_ERR_RSVD    0x8  /* a reserved PTE bit was set */
#define PF_ERR_FETCH   0x10 /* an instruction fetch */

#ifndef __ASSEMBLER__

#include <stdbool.h>
#include <stdint.h>

struct trap_frame {
	/* pushed by trap_common, in trap_entry.S */
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	/* pushed by the vector's stub */
	uint64_t vector;
	uint64_t error;
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};

/* Fill the IDT and load it. */
void trap_init(void);

/* Called by trap_common with the frame it built; returns to trap_return
 * (or never, when the current process dies). */
void trap_dispatch(struct trap_frame *tf);

/* Pop a trap frame and iretq (trap_entry.S); new processes start here. */
extern void trap_return(void);

/* True when tf was saved while the CPU ran user code (ring 3). */
static inline bool trap_from_user(const struct trap_frame *tf)
{
	return (tf->cs & 3) == 3;
}

/* "page fault" for 14, ... ("unknown" when reserved). */
const char *trap_name(uint64_t vector);
/* "#PF" for 14, ... */
const char *trap_mnemonic(uint64_t vector);

/* Print every register of tf, each line starting with `prefix`. */
void trap_print_frame(const char *prefix, const struct trap_frame *tf);

#endif /* !__ASSEMBLER__ */

#endif
