/*
 * trap.c - the IDT and the C half of every trap (see trap.h).
 *
 * trap_dispatch() sorts a trap by vector:
 *
 *   0x80            -> syscall_dispatch()                       syscall.c
 *   IRQ 0..15       -> acknowledge at the PIC; IRQ 0: timer_tick(), and
 *                      if user code was interrupted, preempt it   sched.c
 *   exception, user -> a page fault uvm_fault() can fix is retried;
 *                      anything else kills the process with a report
 *   exception, kernel -> a bug in the kernel: report and power off
 */
#include "trap.h"

#include "abi.h"
#include "kernel.h"
#include "mmu.h"
#include "pic.h"
#include "proc.h"
#include "sched.h"
#include "segments.h"
#include "syscall.h"
#include "timer.h"

#define IDT_ENTRIES    256
#define GATE_INTERRUPT 0x8e /* P, DPL 0, 64-bit interrupt gate */
#define GATE_USER      0xee /* P, DPL 3: `int n` allowed from ring 3 */
#define INT_OPCODE     0xcd /* `int imm8` */
#define INT_INSN_LEN   2

/*
 * An IDT entry: where the handler is and how to get there (16 bytes).
 *
 *   high 8 bytes:  63         32 31                        0
 *                 +-------------+---------------------------+
 *                 |  reserved   |      offset 63:32         |
 *                 +-------------+---------------------------+
 *   low 8 bytes:   63    48 47 46 45 44 40 39  35 34 32 31      16 15      0
 *                 +--------+--+-----+------+------+-----+---------+---------+
 *                 |off31:16| P| DPL |0 type|  0   | IST | selector|off 15:0 |
 *                 +--------+--+-----+------+------+-----+---------+---------+
 */
struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;  /* 0, or the TSS interrupt stack to switch to */
	uint8_t type; /* GATE_INTERRUPT / GATE_USER */
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
};

static struct idt_gate idt[IDT_ENTRIES] __attribute__((aligned(16)));

extern const uint64_t trap_stubs[TRAP_STUBS]; /* trap_entry.S */
extern const uint64_t trap_syscall_stub;

static const char *const exception_names[NR_EXCEPTIONS][2] = {
    [EXC_DE] = {"#DE", "divide error"},
    [EXC_DB] = {"#DB", "debug"},
    [EXC_NMI] = {"NMI", "non-maskable interrupt"},
    [EXC_BP] = {"#BP", "breakpoint"},
    [EXC_OF] = {"#OF", "overflow"},
    [EXC_BR] = {"#BR", "bound range exceeded"},
    [EXC_UD] = {"#UD", "invalid opcode"},
    [EXC_NM] = {"#NM", "device not available"},
    [EXC_DF] = {"#DF", "double fault"},
    [9] = {"#MP", "coprocessor segment overrun"},
    [EXC_TS] = {"#TS", "invalid TSS"},
    [EXC_NP] = {"#NP", "segment not present"},
    [EXC_SS] = {"#SS", "stack-segment fault"},
    [EXC_GP] = {"#GP", "general protection"},
    [EXC_PF] = {"#PF", "page fault"},
    [EXC_MF] = {"#MF", "x87 floating-point error"},
    [EXC_AC] = {"#AC", "alignment check"},
    [EXC_MC] = {"#MC", "machine check"},
    [EXC_XM] = {"#XM", "SIMD floating-point"},
    [20] = {"#VE", "virtualization exception"},
    [21] = {"#CP", "control protection"},
    [28] = {"#HV", "hypervisor injection"},
    [29] = {"#VC", "VMM communication"},
    [30] = {"#SX", "security exception"},
};

const char *trap_mnemonic(uint64_t vector)
{
	if (vector < NR_EXCEPTIONS && exception_names[vector][0])
		return exception_names[vector][0];
	return "#??";
}

const char *trap_name(uint64_t vector)
{
	if (vector < NR_EXCEPTIONS && exception_names[vector][1])
		return exception_names[vector][1];
	return "reserved exception";
}

/* Point IDT entry `vector` at `handler` with gate type `type`. */
static void set_gate(unsigned int vector, uint64_t handler, uint8_t type, uint8_t ist)
{
	idt[vector] = (struct idt_gate){
	    .offset_low = handler & 0xffff,
	    .selector = SEL_KERNEL_CODE,
	    .ist = ist,
	    .type = type,
	    .offset_mid = (handler >> 16) & 0xffff,
	    .offset_high = handler >> 32,
	};
}

void trap_init(void)
{
	struct table_ptr ptr = {.limit = sizeof(idt) - 1,
	                        .base = (uint64_t)(uintptr_t)idt};

	for (unsigned int v = 0; v < TRAP_STUBS; v++)
		set_gate(v, trap_stubs[v], GATE_INTERRUPT,
		         v == EXC_DF ? IST_DOUBLE_FAULT : 0);
	/* int3 and into are meant for user code: report them as #BP / #OF
	 * rather than as a #GP for using a kernel-only gate. */
	set_gate(EXC_BP, trap_stubs[EXC_BP], GATE_USER, 0);
	set_gate(EXC_OF, trap_stubs[EXC_OF], GATE_USER, 0);
	set_gate(SYSCALL_VECTOR, trap_syscall_stub, GATE_USER, 0);
	__asm__ volatile("lidt %0" : : "m"(ptr));
}

void trap_print_frame(const char *prefix, const struct trap_frame *tf)
{
	printf("%srax=%016llx rbx=%016llx rcx=%016llx\n", prefix,
	       (unsigned long long)tf->rax, (unsigned long long)tf->rbx,
	       (unsigned long long)tf->rcx);
	printf("%srdx=%016llx rsi=%016llx rdi=%016llx\n", prefix,
	       (unsigned long long)tf->rdx, (unsigned long long)tf->rsi,
	       (unsigned long long)tf->rdi);
	printf("%srbp=%016llx rsp=%016llx r8 =%016llx\n", prefix,
	       (unsigned long long)tf->rbp, (unsigned long long)tf->rsp,
	       (unsigned long long)tf->r8);
	printf("%sr9 =%016llx r10=%016llx r11=%016llx\n", prefix,
	       (unsigned long long)tf->r9, (unsigned long long)tf->r10,
	       (unsigned long long)tf->r11);
	printf("%sr12=%016llx r13=%016llx r14=%016llx\n", prefix,
	       (unsigned long long)tf->r12, (unsigned long long)tf->r13,
	       (unsigned long long)tf->r14);
	printf("%sr15=%016llx rip=%016llx rflags=%08llx\n", prefix,
	       (unsigned long long)tf->r15, (unsigned long long)tf->rip,
	       (unsigned long long)tf->rflags);
	printf("%scs=%04llx ss=%04llx vector=%llu error=0x%llx\n", prefix,
	       (unsigned long long)tf->cs, (unsigned long long)tf->ss,
	       (unsigned long long)tf->vector, (unsigned long long)tf->error);
}

/* "<name> (<mnemonic>) at rip R[ addr A] err E": the headline of a report. */
static void print_exception(const struct trap_frame *tf, uint64_t cr2)
{
	printf("%s (%s) at rip 0x%llx", trap_name(tf->vector), trap_mnemonic(tf->vector),
	       (unsigned long long)tf->rip);
	if (tf->vector == EXC_PF)
		printf(" addr 0x%llx", (unsigned long long)cr2);
	printf(" err 0x%llx\n", (unsigned long long)tf->error);
}

/* An exception in ring 0 is a kernel bug: report it and stop. */
static __attribute__((noreturn)) void kernel_exception(const struct trap_frame *tf)
{
	uint64_t cr2 = read_cr2();

	printf("kernel panic: ");
	print_exception(tf, cr2);
	printf("kernel panic:   cr2=%016llx cr3=%016llx\n", (unsigned long long)cr2,
	       (unsigned long long)read_cr3());
	trap_print_frame("kernel panic:   ", tf);
	kernel_halt(KSTATUS_PANIC, "halted after a kernel fault (status %d)",
	            KSTATUS_PANIC);
}

/* An exception in ring 3 that the kernel cannot fix: kill the process. */
static __attribute__((noreturn)) void user_exception(const struct trap_frame *tf,
                                                     uint64_t cr2, bool out_of_memory)
{
	struct proc *p = sched_current();
	char prefix[32];

	snprintf(prefix, sizeof(prefix), "[pid %d crash] ", p->pid);
	printf("%skilled%s: ", prefix, out_of_memory ? " (out of memory)" : "");
	print_exception(tf, cr2);
	trap_print_frame(prefix, tf);
	proc_exit(WAIT_KILLED | (int)tf->vector);
}

/*
 * True when the #UD in tf was raised at an `int $0x80` instruction.
 *
 * A CPU never does that: the gate has DPL 3.  But on a PVM host (the
 * "pagetable-based" KVM of some nested clouds) ring-3 code runs natively
 * and a software interrupt is handed to KVM's instruction emulator, which
 * implements `int n` only in real mode; when emulation fails at CPL > 0,
 * KVM injects #UD at the instruction.  Such an #UD can only mean "this was
 * a system call", so the kernel steps over the two bytes and serves it:
 * the same binary works on VT-x, AMD-V, PVM and QEMU.  (On PVM the call
 * arrives through gate 6, so nothing may depend on gate 0x80's type.)
 */
static bool undelivered_syscall(const struct trap_frame *tf)
{
	uint8_t insn[INT_INSN_LEN];

	if (tf->vector != EXC_UD ||
	    uvm_copy_in(&sched_current()->mem, insn, tf->rip, sizeof(insn)))
		return false;
	return insn[0] == INT_OPCODE && insn[1] == SYSCALL_VECTOR;
}

/* Vectors 0-31: fix a user page fault, serve an undelivered system call,
 * or end the process (user) or the machine (kernel). */
static void exception_dispatch(struct trap_frame *tf)
{
	uint64_t cr2 = 0;
	int err = 0;

	if (!trap_from_user(tf))
		kernel_exception(tf);
	if (undelivered_syscall(tf)) {
		tf->rip += INT_INSN_LEN;
		syscall_dispatch(tf);
		return;
	}
	if (tf->vector == EXC_PF) {
		cr2 = read_cr2();
		err = uvm_fault(&sched_current()->mem, cr2, tf->error);
		if (err == 0)
			return; /* fixed: the instruction runs again */
	}
	user_exception(tf, cr2, err == -ENOMEM);
}

/* Vectors IRQ_BASE..+15: acknowledge, then tick and preempt on IRQ 0. */
static void irq_dispatch(struct trap_frame *tf)
{
	unsigned int irq = (unsigned int)(tf->vector - IRQ_BASE);

	if (!pic_ack(irq))
		return; /* spurious */
	if (irq == IRQ_TIMER) {
		timer_tick();
		/* Preemption: the interrupted process has had its time slice.
		 * (Interrupts reach ring 0 only in the idle loop.) */
		if (trap_from_user(tf))
			sched_yield();
	}
}

void trap_dispatch(struct trap_frame *tf)
{
	if (tf->vector == SYSCALL_VECTOR)
		syscall_dispatch(tf);
	else if (tf->vector >= IRQ_BASE && tf->vector < IRQ_BASE + NR_IRQS)
		irq_dispatch(tf);
	else
		exception_dispatch(tf);
}
