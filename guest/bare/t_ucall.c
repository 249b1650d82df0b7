/*
 * t_ucall.c - the test-port protocol, happy path.
 *
 * Boot: direct64.  Serial output: none.
 * ucall sequence the host sees, in order:
 *
 *   SYNC args[0]=1,  SYNC args[0]=2,  SYNC args[0]=3,  DONE
 *
 * Between the last SYNC and DONE the guest checks a few assertions that
 * hold (they must not produce any ucall).  Exit status 0.
 */
#include "boot.h"
#include "guest_test.h"
#include "string.h"

#define NR_SYNCS 3

void guest_main(const struct guest_boot_args *args)
{
	static const char word[] = "trapeze";

	for (int stage = 1; stage <= NR_SYNCS; stage++)
		GUEST_SYNC(stage);

	GUEST_ASSERT(args->proto == GUEST_BOOT_DIRECT64);
	GUEST_ASSERT(1 + 1 == 2);
	GUEST_ASSERT_EQ(strlen(word), sizeof(word) - 1);
	GUEST_ASSERT(memcmp(word, "trap", 4) == 0);
	GUEST_DONE();
}
