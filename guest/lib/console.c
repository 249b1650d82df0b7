/*
 * console.c - the guest console: the 16550 at COM1 (see console.h).
 *
 * printf.c and the test library write here; uart.c does the hardware.
 */
#include "console.h"

#include "core/guest_abi.h"
#include "uart.h"

#define CONSOLE_BAUD UART_CLOCK_BAUD

void console_init(void)
{
	uart_init(TRAPEZE_PORT_COM1, CONSOLE_BAUD);
}

void console_putc(char c)
{
	uart_putc(TRAPEZE_PORT_COM1, c);
}

void console_write(const char *buf, size_t len)
{
	uart_write(TRAPEZE_PORT_COM1, buf, len);
}
