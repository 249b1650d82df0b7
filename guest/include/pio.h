/*
 * pio.h - x86 port I/O from guest code.
 *
 * Every device on the trapeze board (UART, debug-exit, system control,
 * test port) is reached through the I/O port space.  Each in/out below is
 * one instruction; under a hypervisor it is one VM exit that the VMM's
 * port bus turns into a device handler call.  When the port number is a
 * constant below 256 the compiler picks the "in al, imm8" form, otherwise
 * the "in al, dx" form (the "Nd" constraint).
 */
#ifndef GUEST_PIO_H
#define GUEST_PIO_H

#include <stddef.h>
#include <stdint.h>

/* Write one byte to `port`. */
static inline void outb(uint16_t port, uint8_t val)
{
	__asm__ volatile("outb %0, %1" : : "a"(val), "Nd"(port));
}

/* Write a 16-bit word to `port` (bytes go to port and port+1). */
static inline void outw(uint16_t port, uint16_t val)
{
	__asm__ volatile("outw %0, %1" : : "a"(val), "Nd"(port));
}

/* Write a 32-bit word to `port` (bytes go to port .. port+3). */
static inline void outl(uint16_t port, uint32_t val)
{
	__asm__ volatile("outl %0, %1" : : "a"(val), "Nd"(port));
}

/* Read one byte from `port`. */
static inline uint8_t inb(uint16_t port)
{
	uint8_t val;

	__asm__ volatile("inb %1, %0" : "=a"(val) : "Nd"(port));
	return val;
}

/* Read a 16-bit word from `port`. */
static inline uint16_t inw(uint16_t port)
{
	uint16_t val;

	__asm__ volatile("inw %1, %0" : "=a"(val) : "Nd"(port));
	return val;
}

/* Read a 32-bit word from `port`. */
static inline uint32_t inl(uint16_t port)
{
	uint32_t val;

	__asm__ volatile("inl %1, %0" : "=a"(val) : "Nd"(port));
	return val;
}

/*
 * Write `count` bytes from `buf` to `port` with one `rep outsb`
 * (string I/O: RSI walks the buffer, RCX counts down, DX is the port).
 */
static inline void outsb(uint16_t port, const void *buf, size_t count)
{
	__asm__ volatile("rep outsb" : "+S"(buf), "+c"(count) : "d"(port) : "memory");
}

/* Read `count` bytes from `port` into `buf` with one `rep insb`. */
static inline void insb(uint16_t port, void *buf, size_t count)
{
	__asm__ volatile("rep insb" : "+D"(buf), "+c"(count) : "d"(port) : "memory");
}

#endif
