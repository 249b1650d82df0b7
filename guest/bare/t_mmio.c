/*
 * t_mmio.c - MMIO exits to an unclaimed address.
 *
 * Boot: direct64.  Serial output: none.
 * Guest-physical 0xd0000000 has no RAM and no device, so each access there
 * leaves the guest as an MMIO exit: first an 8-byte write of
 * 0x1122334455667788 (ignored), then a 4-byte read, which must return all
 * ones.  ucall sequence: DONE (or ASSERT if the read returned anything
 * else).
 */
#include "boot.h"
#include "guest_test.h"
#include "mmio.h"

#define MMIO_HOLE_GPA    0xd0000000ul
#define MMIO_WRITE_VALUE 0x1122334455667788ull
#define UNCLAIMED_READ32 0xffffffffu

void guest_main(const struct guest_boot_args *args)
{
	(void)args;
	mmio_write64(MMIO_HOLE_GPA, MMIO_WRITE_VALUE);
	GUEST_ASSERT_EQ(mmio_read32(MMIO_HOLE_GPA), UNCLAIMED_READ32);
	GUEST_DONE();
}
