/*
 * uart.h - a polled driver for the 16550A UART.
 *
 * The guest's console (console.c) sits on top of this driver at COM1.
 * Bytes go out by polling: wait until the transmit holding register is
 * empty, then write the byte.  No interrupts, no receive path yet.
 *
 * Registers, as offsets from the base port (DLAB is LCR bit 7):
 *
 *   offset  DLAB=0 read     DLAB=0 write       DLAB=1
 *     0     RBR receive     THR transmit       DLL divisor low byte
 *     1     IER int enable  IER                DLM divisor high byte
 *     2     IIR int ident   FCR FIFO control
 *     3     LCR line control (both)
 *     4     MCR modem control (both)
 *     5     LSR line status
 *     6     MSR modem status
 *     7     SCR scratch: any byte written reads back, the chip ignores it
 *
 *   LCR:  7      6      5..3    2     1..0
 *       +------+-----+--------+----+--------+
 *       | DLAB |break| parity |stop| length |   length 3 = 8 data bits
 *       +------+-----+--------+----+--------+
 */
#ifndef GUEST_UART_H
#define GUEST_UART_H

#include <stddef.h>
#include <stdint.h>

#define UART_THR      0 /* transmit holding (write, DLAB=0) */
#define UART_RBR      0 /* receive buffer (read, DLAB=0) */
#define UART_DLL      0 /* divisor latch low (DLAB=1) */
#define UART_IER      1 /* interrupt enable (DLAB=0) */
#define UART_DLM      1 /* divisor latch high (DLAB=1) */
#define UART_FCR      2 /* FIFO control (write) */
#define UART_LCR      3 /* line control */
#define UART_MCR      4 /* modem control */
#define UART_LSR      5 /* line status */
#define UART_MSR      6 /* modem status */
#define UART_SCR      7 /* scratch */
#define UART_NR_PORTS 8

#define UART_LCR_8BIT 0x03 /* 8 data bits, 1 stop bit, no parity */
#define UART_LCR_DLAB 0x80 /* offsets 0 and 1 reach the divisor latch */

#define UART_FCR_ENABLE   0x01 /* turn the FIFOs on */
#define UART_FCR_CLEAR_RX 0x02 /* empty the receive FIFO */
#define UART_FCR_CLEAR_TX 0x04 /* empty the transmit FIFO */

#define UART_MCR_DTR    0x01 /* data terminal ready */
#define UART_MCR_RTS    0x02 /* request to send */
#define UART_MCR_OUT2   0x08 /* gates the interrupt line on PCs */
#define UART_MCR_NORMAL (UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2)

#define UART_LSR_DR   0x01 /* a received byte is waiting */
#define UART_LSR_THRE 0x20 /* transmit holding register empty */

#define UART_CLOCK_BAUD 115200 /* 1.8432 MHz crystal / 16: divisor 1 */
#define UART_FIFO_BYTES 16     /* transmit FIFO depth of a 16550A */

/*
 * Program the UART at `base` for `baud` baud, 8N1, FIFOs on and cleared,
 * interrupts off.  `baud` must divide UART_CLOCK_BAUD.
 */
void uart_init(uint16_t base, unsigned int baud);

/* Send one byte: wait (bounded) for THRE, then write THR. */
void uart_putc(uint16_t base, char c);

/* Send `len` bytes from `buf`, one uart_putc each. */
void uart_write(uint16_t base, const char *buf, size_t len);

#endif
