/*
 * device_vm.h - what the device unit tests share: a VM with no engine (no
 * CPU, no RAM) that device models can be attached to, and port accessors
 * that assert the bus took the access.
 */
#ifndef TRAPEZE_TESTS_DEVICE_VM_H
#define TRAPEZE_TESTS_DEVICE_VM_H

#include "core/vm.h"

/* A calloc'd VM with an engine that does nothing and no serial fds; free
 * it with vm_destroy(). */
struct vm *test_vm_new(void);
/* One-byte port accesses that must reach a device. */
void test_outb(struct vm *vm, uint16_t port, uint8_t val);
uint8_t test_inb(struct vm *vm, uint16_t port);

#endif
