/*
 * t_assert.c - a failing guest assertion.
 *
 * Boot: direct64.  Serial output: none.
 * ucall sequence: one ASSERT, with
 *
 *   file  ending in "guest/bare/t_assert.c"
 *   line  the line of the GUEST_ASSERT_EQ below
 *   msg   "1 + 1 == 3: 2 (0x2) != 3 (0x3)"
 *   args  [0] = 2, [1] = 3
 *
 * The host reports file:line and the message; exit status 1.
 */
#include "boot.h"
#include "guest_test.h"

void guest_main(const struct guest_boot_args *args)
{
	(void)args;
	GUEST_ASSERT_EQ(1 + 1, 3);
	GUEST_DONE(); /* not reached: the host stops the VM at the assert */
}
