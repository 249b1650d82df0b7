/*
 * devices.h - constructors of the base device models.
 *
 * Each constructor allocates the model, claims its I/O range on vm->pio,
 * and hands it to the VM (vm_add_device), which destroys it with the VM.
 * They return 0 or -errno.
 */
#ifndef TRAPEZE_DEVICES_DEVICES_H
#define TRAPEZE_DEVICES_DEVICES_H

#include <stdint.h>

struct vm;
struct dev_uart;

/* 16550A UART at `base` (8 ports) raising `irq`.  Transmitted bytes go to
 * out_fd (-1: dropped); received bytes come from in_fd (-1: none). */
int dev_uart_create(struct vm *vm, uint16_t base, unsigned irq, int out_fd,
                    int in_fd, struct dev_uart **out);
/* Feed bytes to the receiver as if they arrived on the line (tests use this). */
void dev_uart_receive(struct dev_uart *uart, const uint8_t *bytes, size_t n);

/* QEMU's isa-debug-exit: a write of v ends the VM with status (v<<1)|1. */
int dev_debug_exit_create(struct vm *vm, uint16_t port);
/* trapeze system control: signature on read, power-off on write. */
int dev_sysctl_create(struct vm *vm, uint16_t port);
/* Test port: a 32-bit write of a struct ucall's guest-physical address. */
int dev_testport_create(struct vm *vm, uint16_t port);

#endif
