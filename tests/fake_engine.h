/*
 * fake_engine.h - a scripted engine for testing the core without a CPU.
 *
 * run() hands out the exits of a script one by one; when the script runs
 * out it waits to be kicked (like a guest spinning in a loop).  State is a
 * plain struct x86_state the test can set.  Injected events are recorded.
 */
#ifndef TRAPEZE_TESTS_FAKE_ENGINE_H
#define TRAPEZE_TESTS_FAKE_ENGINE_H

#include "core/vm.h"

#define FAKE_MAX_EXITS 16

struct fake_engine {
	struct vm_exit script[FAKE_MAX_EXITS];
	uint8_t data[FAKE_MAX_EXITS][64]; /* io/mmio payload per exit */
	unsigned nr, next;
	int run_error;           /* returned by run() once the script is used up */
	struct x86_state state;
	struct x86_event injected[8];
	unsigned nr_injected;
	bool refuse_inject;      /* inject() says -EBUSY */
};

extern const struct engine_ops fake_engine_ops;

/* A VM on the fake engine with `mem` bytes of RAM; asserts on failure. */
struct vm *fake_vm_create(uint64_t mem);
struct fake_engine *fake_of(struct vm *vm);
/* Append exits to the script; the returned payload buffer is the exit's data. */
uint8_t *fake_push_io(struct vm *vm, uint16_t port, uint8_t size, bool is_write,
                      uint32_t count);
uint8_t *fake_push_mmio(struct vm *vm, gpa_t addr, uint8_t len, bool is_write);
void fake_push(struct vm *vm, enum vm_exit_reason reason);

#endif
