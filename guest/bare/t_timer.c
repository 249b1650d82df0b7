/*
 * t_timer.c - timer interrupts: the PIT ticks, the PIC delivers, EOI works.
 *
 * Boot: direct64.  Serial output: none.  ucall sequence: DONE (an ASSERT
 * at the first check that fails).
 *
 * The whole legacy interrupt path, end to end:
 *
 *   PIT channel 0, mode 2, 100 Hz --IRQ 0--> master PIC (vectors 0x20-0x27)
 *     --> the VMM injects vector 0x20 (KVM: through the interrupt window)
 *     --> IDT gate --> irq_stub_0x20 --> irq_common --> timer_guest_irq()
 *     --> EOI to the PIC --> iretq
 *
 * What it checks, in order:
 *   1. The read-back status of channel 0 says what was programmed.
 *   2. With `sti; hlt`, ticks arrive and keep arriving: 1 + MEASURED_TICKS
 *      of them, so the EOI reopened IRQ 0 every time.  The VMM had to wake
 *      the halted vCPU (or kick it out of the guest) at each deadline.
 *   3. The rate: MEASURED_TICKS periods take MEASURED_TICKS times as long
 *      as a 10 ms one-shot of channel 2, polled through port 0x61 the way
 *      PC kernels calibrate their TSC (both measured with rdtsc).
 *   4. A latched read of channel 0 lies within 1..divisor (mode 2 counts
 *      N down to 1), and no IRQ 0 is left in service between ticks.
 *   5. Ticks also arrive while the vCPU is busy with interrupts on (no
 *      hlt): the VMM must kick it out of the guest at each deadline.
 *   6. No other vector arrived (a spurious IRQ 7 would be counted apart).
 *
 * Ring-0 code is emulated on some hosts (PVM): everything here is short.
 */
#include <stdint.h>

#include "boot.h"
#include "cpu.h"
#include "guest_test.h"
#include "pio.h"

/* The PIC pair. */
#define PIC1_CMD          0x20
#define PIC1_DATA         0x21
#define PIC2_CMD          0xa0
#define PIC2_DATA         0xa1
#define ICW1_INIT_ICW4    0x11 /* edge triggered, cascade, ICW4 follows */
#define ICW3_MASTER       0x04 /* a slave on IR2 */
#define ICW3_SLAVE_ID     0x02
#define ICW4_8086         0x01
#define OCW2_EOI          0x20
#define OCW3_READ_ISR     0x0b
#define VEC_PIC1          0x20 /* IRQ 0-7 */
#define VEC_PIC2          0x28 /* IRQ 8-15 */
#define VEC_TIMER         (VEC_PIC1 + 0)
#define VEC_SPURIOUS      (VEC_PIC1 + 7)
#define NR_IRQ_VECTORS    16
#define MASK_ALL_BUT_IRQ0 0xfe
#define MASK_ALL          0xff
#define ISR_IRQ0          0x01
#define ISR_IRQ7          0x80

/* The PIT. */
#define PIT_CH0              0x40
#define PIT_CH2              0x42
#define PIT_CTRL             0x43
#define PIT_HZ               1193182
#define TICK_HZ              100
#define PIT_DIVISOR          ((PIT_HZ + TICK_HZ / 2) / TICK_HZ) /* 11932 */
#define CW_CH0_RATE          0x34 /* channel 0, low then high byte, mode 2, binary */
#define CW_CH0_LATCH         0x00
#define CW_CH2_ONESHOT       0xb0 /* channel 2, low then high byte, mode 0 */
#define READ_BACK_STATUS_CH0 0xe2 /* read-back: status only, channel 0 */
#define STATUS_PROGRAMMING   0x3f /* access, mode and BCD bits of the status */
#define PORT_B               0x61
#define PORT_B_GATE2         0x01
#define PORT_B_SPEAKER       0x02
#define PORT_B_OUT2          0x20
#define CALIB_DIVISOR        (PIT_HZ / 100) /* 10 ms */
#define CALIB_ROUNDS         3

#define MEASURED_TICKS 20
#define BUSY_TICKS     3
/* MEASURED_TICKS periods of 10 ms against one 10 ms one-shot: the ratio
 * is MEASURED_TICKS; allow 30% either way for a busy host. */
#define RATIO_MIN (MEASURED_TICKS * 7 / 10)
#define RATIO_MAX (MEASURED_TICKS * 13 / 10)

/* ---- the IDT ------------------------------------------------------------- */

/*
 * A 64-bit interrupt gate, 16 bytes (low bytes first):
 *
 *   bytes 0-1    offset 15..0 of the handler
 *   bytes 2-3    code segment selector
 *   byte  4      IST (bits 2..0; 0 = stay on the current stack)
 *   byte  5      type and attributes:
 *                    7   6  5   4   3  2  1  0
 *                  +---+------+---+-----------+
 *                  | P | DPL  | 0 |   type    |   0x8e = present, DPL 0,
 *                  +---+------+---+-----------+          64-bit interrupt gate
 *   bytes 6-7    offset 31..16
 *   bytes 8-11   offset 63..32
 *   bytes 12-15  reserved
 *
 * An interrupt gate clears IF on entry: the handler runs with interrupts off.
 */
struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr; /* P=1, DPL=0, type 0xe: 64-bit interrupt gate */
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));

#define GATE_INTERRUPT 0x8e
#define IDT_ENTRIES    (VEC_PIC1 + NR_IRQ_VECTORS) /* 0x00-0x2f */
#define STUB_SIZE      16

static struct idt_gate idt[IDT_ENTRIES] __attribute__((aligned(16)));

/*
 * One 16-byte stub per vector 0x20-0x2f pushes its vector number and joins
 * irq_common, which saves the registers C code may clobber, calls
 * timer_guest_irq(vector) with the stack 16-byte aligned, restores them
 * and returns with iretq.  (The CPU aligned RSP to 16 before pushing its
 * 40-byte frame; 8 for the vector + 72 for nine registers + 8 padding.)
 */
__asm__(".pushsection .text\n"
        ".balign 16\n"
        "irq_stubs:\n"
        ".irp v, 0x20,0x21,0x22,0x23,0x24,0x25,0x26,0x27,"
        "0x28,0x29,0x2a,0x2b,0x2c,0x2d,0x2e,0x2f\n"
        ".balign 16\n"
        "  pushq $\\v\n"
        "  jmp irq_common\n"
        ".endr\n"
        "irq_common:\n"
        "  pushq %rax\n  pushq %rcx\n  pushq %rdx\n  pushq %rsi\n  pushq %rdi\n"
        "  pushq %r8\n  pushq %r9\n  pushq %r10\n  pushq %r11\n"
        "  movq 72(%rsp), %rdi\n"
        "  subq $8, %rsp\n"
        "  cld\n"
        "  call timer_guest_irq\n"
        "  addq $8, %rsp\n"
        "  popq %r11\n  popq %r10\n  popq %r9\n  popq %r8\n  popq %rdi\n"
        "  popq %rsi\n  popq %rdx\n  popq %rcx\n  popq %rax\n"
        "  addq $8, %rsp\n"
        "  iretq\n"
        ".popsection\n");

extern const char irq_stubs[];

/* Point the gates of vectors 0x20-0x2f at their stubs and load the IDT. */
static void idt_setup(void)
{
	uint16_t cs;
	struct desc_ptr ptr = {.limit = sizeof(idt) - 1, .base = (uint64_t)idt};

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	for (unsigned i = 0; i < NR_IRQ_VECTORS; i++) {
		uint64_t handler = (uint64_t)(irq_stubs + i * STUB_SIZE);
		idt[VEC_PIC1 + i] = (struct idt_gate){
		    .offset_low = (uint16_t)handler,
		    .selector = cs,
		    .type_attr = GATE_INTERRUPT,
		    .offset_mid = (uint16_t)(handler >> 16),
		    .offset_high = (uint32_t)(handler >> 32),
		};
	}
	cpu_lidt(&ptr);
}

/* ---- interrupts -------------------------------------------------------- */

static volatile uint64_t ticks;
static volatile uint64_t spurious;
static volatile uint64_t unexpected, last_unexpected;

static uint8_t pic_read_isr(uint16_t cmd)
{
	outb(cmd, OCW3_READ_ISR);
	return inb(cmd);
}

/* Called by irq_common with interrupts off.  A spurious IRQ 7 has no ISR
 * bit and must not be EOI'd. */
void timer_guest_irq(uint64_t vector);
void timer_guest_irq(uint64_t vector)
{
	if (vector == VEC_TIMER) {
		ticks++;
		outb(PIC1_CMD, OCW2_EOI);
		return;
	}
	if (vector == VEC_SPURIOUS && !(pic_read_isr(PIC1_CMD) & ISR_IRQ7)) {
		spurious++;
		return;
	}
	unexpected++;
	last_unexpected = vector;
	if (vector >= VEC_PIC2)
		outb(PIC2_CMD, OCW2_EOI);
	outb(PIC1_CMD, OCW2_EOI);
}

/* Remap the PICs to 0x20/0x28 and open IRQ 0 only. */
static void pic_setup(void)
{
	outb(PIC1_CMD, ICW1_INIT_ICW4);
	outb(PIC2_CMD, ICW1_INIT_ICW4);
	outb(PIC1_DATA, VEC_PIC1);
	outb(PIC2_DATA, VEC_PIC2);
	outb(PIC1_DATA, ICW3_MASTER);
	outb(PIC2_DATA, ICW3_SLAVE_ID);
	outb(PIC1_DATA, ICW4_8086);
	outb(PIC2_DATA, ICW4_8086);
	outb(PIC1_DATA, MASK_ALL_BUT_IRQ0);
	outb(PIC2_DATA, MASK_ALL);
}

/* Sleep until the tick count reaches `target`.  `sti; hlt` is one
 * instruction pair: an interrupt cannot slip in between (the STI shadow),
 * so a tick is never missed while deciding to halt. */
static void wait_for_tick(uint64_t target)
{
	while (ticks < target)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* Spin with interrupts on until the tick count reaches `target`. */
static void spin_for_tick(uint64_t target)
{
	__asm__ volatile("sti" ::: "memory");
	while (ticks < target)
		__asm__ volatile("pause" ::: "memory");
	__asm__ volatile("cli" ::: "memory");
}

/* ---- the PIT ------------------------------------------------------------ */

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static void pit_start_rate(uint16_t divisor)
{
	outb(PIT_CTRL, CW_CH0_RATE);
	outb(PIT_CH0, (uint8_t)divisor);
	outb(PIT_CH0, (uint8_t)(divisor >> 8));
}

static uint16_t pit_latched_count(void)
{
	uint8_t lo, hi;

	outb(PIT_CTRL, CW_CH0_LATCH);
	lo = inb(PIT_CH0);
	hi = inb(PIT_CH0);
	return (uint16_t)(hi << 8 | lo);
}

/* TSC cycles of one 10 ms one-shot of channel 2 (gate on, speaker off),
 * waiting for OUT2 in port 0x61; the least disturbed of a few rounds. */
static uint64_t tsc_per_10ms(void)
{
	uint64_t best = UINT64_MAX;

	outb(PORT_B, (uint8_t)((inb(PORT_B) & ~PORT_B_SPEAKER) | PORT_B_GATE2));
	for (int i = 0; i < CALIB_ROUNDS; i++) {
		outb(PIT_CTRL, CW_CH2_ONESHOT);
		outb(PIT_CH2, (uint8_t)CALIB_DIVISOR);
		outb(PIT_CH2, (uint8_t)(CALIB_DIVISOR >> 8));
		uint64_t start = rdtsc();
		while (!(inb(PORT_B) & PORT_B_OUT2))
			;
		uint64_t cycles = rdtsc() - start;
		if (cycles < best)
			best = cycles;
	}
	return best;
}

void guest_main(const struct guest_boot_args *args)
{
	uint64_t t0, tsc0, tsc_ticks, tsc_calib;
	uint16_t count;

	(void)args;
	idt_setup();
	pic_setup();
	pit_start_rate(PIT_DIVISOR);
	outb(PIT_CTRL, READ_BACK_STATUS_CH0);
	GUEST_ASSERT_EQ(inb(PIT_CH0) & STATUS_PROGRAMMING, CW_CH0_RATE);

	wait_for_tick(1); /* start measuring on a tick */
	t0 = ticks;
	tsc0 = rdtsc();
	wait_for_tick(t0 + MEASURED_TICKS);
	tsc_ticks = rdtsc() - tsc0;

	count = pit_latched_count();
	GUEST_ASSERT(count >= 1 && count <= PIT_DIVISOR);
	GUEST_ASSERT_EQ(pic_read_isr(PIC1_CMD) & ISR_IRQ0, 0);

	tsc_calib = tsc_per_10ms();
	GUEST_ASSERT(tsc_calib > 0);
	GUEST_ASSERT(tsc_ticks >= RATIO_MIN * tsc_calib);
	GUEST_ASSERT(tsc_ticks <= RATIO_MAX * tsc_calib);

	spin_for_tick(ticks + BUSY_TICKS);

	GUEST_ASSERT_EQ(unexpected, 0);
	GUEST_ASSERT_EQ(spurious, 0);
	GUEST_DONE();
}
