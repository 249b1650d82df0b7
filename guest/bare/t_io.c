/*
 * t_io.c - the forms of port I/O, checked by reading back.
 *
 * Boot: direct64.  Serial output, exactly:
 *
 *   rep outsb works
 *
 * ucall sequence: DONE (an ASSERT at the first check that fails).
 *
 * What it exercises, in order:
 *   1. 8-bit out/in: the UART scratch register reads back what was written.
 *   2. 16-bit and 32-bit out/in on the UART.  A 16550 has byte-wide
 *      registers; a wider access covers consecutive registers, one byte
 *      each (as on QEMU).  The accesses end at the scratch register
 *      (offset 7), the last port of the UART, so its byte is the top byte:
 *        outw/inw at offset 6: MSR (ignored on write) + SCR
 *        outl/inl at offset 4: MCR + LSR + MSR (both ignored) + SCR
 *   3. The divisor latch: with LCR.DLAB set, offsets 0 and 1 are DLL/DLM.
 *   4. rep outsb of a string to THR: the line above appears on the console.
 *   5. rep insb of 4 bytes from an unclaimed port: all 0xff.
 *   6. inb/inw/inl of an unclaimed port: all ones of the access width,
 *      with the port in DX and as an 8-bit immediate.
 *   7. 32-bit in of the system-control port: the "TRPZ" signature.
 */
#include "boot.h"
#include "console.h"
#include "core/guest_abi.h"
#include "guest_test.h"
#include "pio.h"
#include "string.h"
#include "uart.h"

#define COM1 TRAPEZE_PORT_COM1

#define UNCLAIMED_PORT      0x2f0 /* nothing on the trapeze board here */
#define UNCLAIMED_PORT_IMM8 0xe0  /* same, reachable as "in al, imm8" */
#define INSB_COUNT          4

#define SCRATCH_BYTE8  0x5a
#define SCRATCH_BYTE16 0xa5
#define SCRATCH_BYTE32 0x3c
#define TEST_DIVISOR   0x0c01 /* DLM 0x0c, DLL 0x01: both bytes distinct */

static void check_scratch_8bit(void)
{
	outb(COM1 + UART_SCR, SCRATCH_BYTE8);
	GUEST_ASSERT_EQ(inb(COM1 + UART_SCR), SCRATCH_BYTE8);
}

/* The scratch register as the top byte of 16- and 32-bit accesses. */
static void check_scratch_wide(void)
{
	outw(COM1 + UART_MSR, SCRATCH_BYTE16 << 8);
	GUEST_ASSERT_EQ(inw(COM1 + UART_MSR) >> 8, SCRATCH_BYTE16);
	GUEST_ASSERT_EQ(inb(COM1 + UART_SCR), SCRATCH_BYTE16);

	/* MCR keeps its normal value; the LSR and MSR bytes are ignored. */
	outl(COM1 + UART_MCR, (uint32_t)SCRATCH_BYTE32 << 24 | UART_MCR_NORMAL);
	GUEST_ASSERT_EQ(inl(COM1 + UART_MCR) >> 24, SCRATCH_BYTE32);
	GUEST_ASSERT_EQ(inb(COM1 + UART_SCR), SCRATCH_BYTE32);
}

/* Write a divisor through the latch, read it back, then restore 115200. */
static void check_divisor_latch(void)
{
	uint8_t lcr = inb(COM1 + UART_LCR);

	outb(COM1 + UART_LCR, lcr | UART_LCR_DLAB);
	outb(COM1 + UART_DLL, TEST_DIVISOR & 0xff);
	outb(COM1 + UART_DLM, TEST_DIVISOR >> 8);
	GUEST_ASSERT_EQ(inb(COM1 + UART_DLL), TEST_DIVISOR & 0xff);
	GUEST_ASSERT_EQ(inb(COM1 + UART_DLM), TEST_DIVISOR >> 8);
	outb(COM1 + UART_LCR, lcr);
	console_init();
	GUEST_ASSERT_EQ(inb(COM1 + UART_LCR), UART_LCR_8BIT);
}

/*
 * One rep outsb to THR.  No LSR polling between bytes: the string fits
 * the 16-byte transmit FIFO of a real 16550A, which console_init emptied.
 */
static void check_rep_outsb(void)
{
	static const char line[] = "rep outsb works\n";

	GUEST_ASSERT(sizeof(line) - 1 <= UART_FIFO_BYTES);
	outsb(COM1 + UART_THR, line, sizeof(line) - 1);
}

static void check_rep_insb_unclaimed(void)
{
	static const uint8_t all_ones[INSB_COUNT] = {0xff, 0xff, 0xff, 0xff};
	uint8_t buf[INSB_COUNT] = {0};

	insb(UNCLAIMED_PORT, buf, sizeof(buf));
	GUEST_ASSERT(memcmp(buf, all_ones, sizeof(buf)) == 0);
}

static void check_in_unclaimed(void)
{
	GUEST_ASSERT_EQ(inb(UNCLAIMED_PORT), 0xff);
	GUEST_ASSERT_EQ(inw(UNCLAIMED_PORT), 0xffff);
	GUEST_ASSERT_EQ(inl(UNCLAIMED_PORT), 0xffffffff);
	GUEST_ASSERT_EQ(inb(UNCLAIMED_PORT_IMM8), 0xff);
	GUEST_ASSERT_EQ(inl(UNCLAIMED_PORT_IMM8), 0xffffffff);
}

void guest_main(const struct guest_boot_args *args)
{
	(void)args;
	console_init();
	check_scratch_8bit();
	check_scratch_wide();
	check_divisor_latch();
	check_rep_outsb();
	check_rep_insb_unclaimed();
	check_in_unclaimed();
	GUEST_ASSERT_EQ(inl(TRAPEZE_PORT_SYSCTL), TRAPEZE_SYSCTL_SIGNATURE);
	GUEST_DONE();
}
