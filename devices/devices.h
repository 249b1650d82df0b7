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

/* The 8259A pair: master at `master` and slave at `slave` (two ports
 * each), edge/level control (ELCR) at `elcr` (two ports).  It becomes the
 * VM's interrupt controller (vm->irqchip and its hooks); -EEXIST if the
 * VM already has one. */
struct dev_pic;
int dev_pic_create(struct vm *vm, uint16_t master, uint16_t slave, uint16_t elcr,
                   struct dev_pic **out);

/* The 8254 interval timer at `base` (four ports) with channel 0's output
 * on `irq`, and system control port B at `port_b` (channel 2's gate and
 * output, speaker). */
struct dev_pit;
int dev_pit_create(struct vm *vm, uint16_t base, uint16_t port_b, unsigned irq,
                   struct dev_pit **out);
/* Run the PIT on another clock (ns, monotonic): tests pass a fake one,
 * NULL restores vm_clock_ns().  The PIT restarts from power-on, with its
 * timer's deadlines on the new clock. */
void dev_pit_set_clock(struct dev_pit *pit, uint64_t (*now)(void *opaque), void *opaque);

#endif
