/*
 * fake_engine.c - the scripted engine (see fake_engine.h).
 */
#include "fake_engine.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static int fake_probe(struct engine_info *info)
{
	memset(info, 0, sizeof(*info));
	info->usable = true;
	return 0;
}

static int fake_vm_init(struct vm *vm)
{
	vm->engine_data = calloc(1, sizeof(struct fake_engine));
	return vm->engine_data ? 0 : -ENOMEM;
}

static int fake_vcpu_init(struct vcpu *vcpu) { return 0; }

static int fake_run(struct vcpu *vcpu, struct vm_exit *exit)
{
	struct fake_engine *f = vcpu->vm->engine_data;

	if (f->next < f->nr) {
		*exit = f->script[f->next++];
		return 0;
	}
	if (f->run_error)
		return f->run_error;
	while (!vcpu->kicked)
		; /* a guest spinning until the timeout kicks it */
	exit->reason = VM_EXIT_KICK;
	return 0;
}

static int fake_get_state(struct vcpu *vcpu, struct x86_state *s)
{
	*s = ((struct fake_engine *)vcpu->vm->engine_data)->state;
	return 0;
}

static int fake_set_state(struct vcpu *vcpu, const struct x86_state *s)
{
	((struct fake_engine *)vcpu->vm->engine_data)->state = *s;
	return 0;
}

static int fake_inject(struct vcpu *vcpu, struct x86_event ev)
{
	struct fake_engine *f = vcpu->vm->engine_data;

	if (f->refuse_inject || f->nr_injected == 8)
		return -EBUSY;
	f->injected[f->nr_injected++] = ev;
	return 0;
}

static int fake_memory_changed(struct vm *vm, gpa_t gpa, size_t len) { return 0; }
static void fake_kick(struct vcpu *vcpu) {}

static int fake_translate(struct vcpu *vcpu, gva_t gva, gpa_t *gpa)
{
	*gpa = gva;
	return 0;
}

static void fake_vcpu_destroy(struct vcpu *vcpu) {}

static void fake_destroy(struct vm *vm)
{
	free(vm->engine_data);
	vm->engine_data = NULL;
}

const struct engine_ops fake_engine_ops = {
	.name = "fake",
	.probe = fake_probe,
	.vm_init = fake_vm_init,
	.vcpu_init = fake_vcpu_init,
	.run = fake_run,
	.get_state = fake_get_state,
	.set_state = fake_set_state,
	.inject = fake_inject,
	.memory_changed = fake_memory_changed,
	.kick = fake_kick,
	.translate = fake_translate,
	.vcpu_destroy = fake_vcpu_destroy,
	.destroy = fake_destroy,
};

struct vm *fake_vm_create(uint64_t mem)
{
	struct vm_config cfg = { .mem_size = mem, .engine = &fake_engine_ops,
	                         .serial_out_fd = -1, .serial_in_fd = -1 };
	char err[256];
	struct vm *vm = vm_create(&cfg, err, sizeof(err));

	assert_non_null(vm);
	x86_reset_state(&fake_of(vm)->state);
	return vm;
}

struct fake_engine *fake_of(struct vm *vm) { return vm->engine_data; }

static struct vm_exit *push(struct vm *vm, enum vm_exit_reason reason)
{
	struct fake_engine *f = fake_of(vm);

	assert_true(f->nr < FAKE_MAX_EXITS);
	struct vm_exit *e = &f->script[f->nr++];
	memset(e, 0, sizeof(*e));
	e->reason = reason;
	return e;
}

void fake_push(struct vm *vm, enum vm_exit_reason reason) { push(vm, reason); }

uint8_t *fake_push_io(struct vm *vm, uint16_t port, uint8_t size, bool is_write,
                      uint32_t count)
{
	struct fake_engine *f = fake_of(vm);
	struct vm_exit *e = push(vm, VM_EXIT_IO);

	assert_true(size * count <= sizeof(f->data[0]));
	e->io.port = port;
	e->io.size = size;
	e->io.is_write = is_write;
	e->io.count = count;
	e->io.data = f->data[f->nr - 1];
	return e->io.data;
}

uint8_t *fake_push_mmio(struct vm *vm, gpa_t addr, uint8_t len, bool is_write)
{
	struct fake_engine *f = fake_of(vm);
	struct vm_exit *e = push(vm, VM_EXIT_MMIO);

	e->mmio.addr = addr;
	e->mmio.len = len;
	e->mmio.is_write = is_write;
	e->mmio.data = f->data[f->nr - 1];
	return e->mmio.data;
}
