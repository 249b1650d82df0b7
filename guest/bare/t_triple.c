/*
 * t_triple.c - a triple fault.
 *
 * Boot: direct64.  Serial output: none.  No ucall.
 * The guest loads an empty IDT (limit 0) and executes ud2.  The #UD cannot
 * be delivered (its gate is outside the IDT), neither can the resulting
 * #GP nor the #DF, so the CPU shuts down: KVM reports a shutdown exit and
 * trapeze exits with status 122.
 */
#include "boot.h"
#include "cpu.h"
#include "guest_test.h"

void guest_main(const struct guest_boot_args *args)
{
	static const struct desc_ptr empty_idt = {.limit = 0, .base = 0};

	(void)args;
	cpu_lidt(&empty_idt);
	cpu_ud2();
	GUEST_ASSERT(!"ud2 with an empty IDT did not shut the vCPU down");
}
