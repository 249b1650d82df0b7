/*
 * t_sse.c - an SSE instruction in guest ring 0.
 *
 * Boot: direct64.  Serial output: none.
 * The guest enables SSE (CR4.OSFXSR) and executes ldmxcsr in ring 0.  On
 * hardware-assisted KVM (VT-x, AMD-V) the instruction simply runs and the
 * test passes.  On a PVM host KVM emulates ring-0 code and cannot emulate
 * SSE: the VM must then stop with a clear report that names the
 * instruction (an internal-error exit), never hang.
 */
#include <stdint.h>

#include "boot.h"
#include "cpu_regs.h"
#include "guest_test.h"

#define CR4_OSFXSR (1ull << 9) /* the OS supports FXSAVE/SSE */
#define MXCSR_DEFAULT 0x1f80   /* all exceptions masked, round to nearest */

void guest_main(const struct guest_boot_args *args)
{
	uint32_t mxcsr = MXCSR_DEFAULT, back = 0;

	(void)args;
	write_cr4(read_cr4() | CR4_OSFXSR);
	__asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
	__asm__ volatile("stmxcsr %0" : "=m"(back));
	GUEST_ASSERT_EQ(back, MXCSR_DEFAULT);
	GUEST_DONE();
}
