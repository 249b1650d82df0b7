/*
 * uart.c - polled 16550A driver (see uart.h for the register map).
 *
 * Sits below console.c.  Each register access is a port I/O exit under a
 * hypervisor, so the driver touches as few registers as it can: one LSR
 * read and one THR write per byte.
 */
#include "uart.h"

#include "pio.h"

/*
 * How many times uart_putc polls LSR before sending anyway.  An emulated
 * UART is always ready; a missing one reads as all ones (THRE set).  The
 * bound only matters for a broken device that never reports THRE: the
 * guest then loses output instead of hanging.
 */
#define UART_POLL_LIMIT 100000

void uart_init(uint16_t base, unsigned int baud)
{
	uint16_t divisor = (uint16_t)(UART_CLOCK_BAUD / baud);

	outb(base + UART_IER, 0);
	outb(base + UART_LCR, UART_LCR_DLAB);
	outb(base + UART_DLL, divisor & 0xff);
	outb(base + UART_DLM, divisor >> 8);
	outb(base + UART_LCR, UART_LCR_8BIT);
	outb(base + UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX);
	outb(base + UART_MCR, UART_MCR_NORMAL);
}

void uart_putc(uint16_t base, char c)
{
	for (int i = 0; i < UART_POLL_LIMIT; i++) {
		if (inb(base + UART_LSR) & UART_LSR_THRE)
			break;
	}
	outb(base + UART_THR, (uint8_t)c);
}

void uart_write(uint16_t base, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		uart_putc(base, buf[i]);
}
