/*
 * test_gmem_bus.c - guest memory bounds and bus dispatch.
 *
 * These are the two places where a guest-chosen number becomes a host
 * action, so the tests push at the edges: last byte of RAM, one past it,
 * ranges that wrap around 2^64, the hole below 4 GiB, overlapping devices.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/bus.h"
#include "core/gmem.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

static void gmem_small_ram_is_one_region(void **unused)
{
	struct gmem gm;

	assert_int_equal(gmem_init(&gm, 16 * MiB), 0);
	assert_int_equal(gm.nr_regions, 1);
	assert_non_null(gmem_hva(&gm, 0, 16 * MiB));
	assert_non_null(gmem_hva(&gm, 16 * MiB - 1, 1));
	assert_null(gmem_hva(&gm, 16 * MiB - 1, 2)); /* runs past the end */
	assert_null(gmem_hva(&gm, 16 * MiB, 0));
	assert_null(gmem_hva(&gm, UINT64_MAX, 1));
	assert_null(gmem_hva(&gm, 8, UINT64_MAX)); /* len would wrap */
	gmem_destroy(&gm);
}

static void gmem_rejects_bad_sizes(void **unused)
{
	struct gmem gm;

	assert_int_equal(gmem_init(&gm, 0), -EINVAL);
	assert_int_equal(gmem_init(&gm, 4097), -EINVAL);
}

static void gmem_read_write_round_trip_and_faults(void **unused)
{
	struct gmem gm;
	uint8_t buf[16], back[16];

	assert_int_equal(gmem_init(&gm, 2 * MiB), 0);
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	assert_int_equal(gmem_write(&gm, 2 * MiB - 16, buf, 16), 0);
	assert_int_equal(gmem_read(&gm, 2 * MiB - 16, back, 16), 0);
	assert_memory_equal(buf, back, 16);

	/* one byte outside: nothing is copied, in either direction */
	memset(back, 0xaa, sizeof(back));
	assert_int_equal(gmem_read(&gm, 2 * MiB - 15, back, 16), -EFAULT);
	assert_int_equal(back[0], 0xaa);
	assert_int_equal(gmem_write(&gm, 2 * MiB - 8, buf, 16), -EFAULT);
	assert_int_equal(gmem_read(&gm, 2 * MiB - 8, back, 8), 0);
	assert_memory_equal(back, buf + 8, 8); /* untouched by the failed write */
	assert_int_equal(gmem_read(&gm, UINT64_MAX - 3, back, 8), -EFAULT);

	uint64_t v;
	assert_int_equal(gmem_write_u64(&gm, 0x1000, 0x1122334455667788ull), 0);
	assert_int_equal(gmem_read_u64(&gm, 0x1000, &v), 0);
	assert_true(v == 0x1122334455667788ull);
	assert_int_equal(gmem_fill(&gm, 0x1000, 0, 8), 0);
	assert_int_equal(gmem_read_u64(&gm, 0x1000, &v), 0);
	assert_true(v == 0);
	gmem_destroy(&gm);
}

/* RAM above 3 GiB is split around the device hole: gpa 3G..4G is not RAM,
 * and the rest continues at 4 GiB.  The mapping is sparse, so this costs
 * no real memory. */
static void gmem_large_ram_skips_the_hole(void **unused)
{
	struct gmem gm;
	uint32_t v = 0x5a5a5a5a, back = 0;

	assert_int_equal(gmem_init(&gm, 4 * GiB), 0);
	assert_int_equal(gm.nr_regions, 2);
	assert_true(gmem_is_ram(&gm, GMEM_LOW_LIMIT - 4, 4));
	assert_false(gmem_is_ram(&gm, GMEM_LOW_LIMIT, 4));
	assert_false(gmem_is_ram(&gm, GMEM_HIGH_BASE - 4, 4));
	assert_true(gmem_is_ram(&gm, GMEM_HIGH_BASE, GiB));
	assert_false(gmem_is_ram(&gm, GMEM_HIGH_BASE + GiB, 1));
	assert_int_equal(gmem_write_u32(&gm, GMEM_HIGH_BASE, v), 0);
	/* the high region is backed by the memfd right after the low one */
	memcpy(&back, gm.base + GMEM_LOW_LIMIT, 4);
	assert_int_equal(back, v);
	assert_int_equal(gmem_write_u32(&gm, GMEM_LOW_LIMIT + 16, v), -EFAULT);
	gmem_destroy(&gm);
}

static void gmem_parses_sizes(void **unused)
{
	uint64_t b;

	assert_int_equal(gmem_parse_size("64M", &b), 0);
	assert_true(b == 64 * MiB);
	assert_int_equal(gmem_parse_size("1G", &b), 0);
	assert_true(b == GiB);
	assert_int_equal(gmem_parse_size("512k", &b), 0);
	assert_true(b == 512 * 1024);
	assert_int_equal(gmem_parse_size("8MiB", &b), 0);
	assert_true(b == 8 * MiB);
	assert_int_equal(gmem_parse_size("4096", &b), 0);
	assert_int_equal(gmem_parse_size("100", &b), -EINVAL); /* not page multiple */
	assert_int_equal(gmem_parse_size("", &b), -EINVAL);
	assert_int_equal(gmem_parse_size("-1M", &b), -EINVAL);
	assert_int_equal(gmem_parse_size("12Q", &b), -EINVAL);
	assert_int_equal(gmem_parse_size("99999999999999999999G", &b), -EINVAL);
}

/* ---- bus ----------------------------------------------------------------- */

struct rec {
	uint64_t offset;
	unsigned len;
	bool is_write;
	uint32_t value;
	int calls;
};

static int rec_handler(void *dev, struct vcpu *vcpu, uint64_t offset, void *data,
                       unsigned len, bool is_write)
{
	struct rec *r = dev;
	r->offset = offset;
	r->len = len;
	r->is_write = is_write;
	r->calls++;
	if (is_write)
		memcpy(&r->value, data, len);
	else
		memset(data, 0x42, len);
	return 0;
}

static void bus_dispatches_by_range_with_offsets(void **unused)
{
	struct bus bus = { 0 };
	struct rec a = { 0 }, b = { 0 };
	uint32_t v = 0xdeadbeef;

	assert_int_equal(bus_register(&bus, 0x3f8, 8, rec_handler, &a, "a"), 0);
	assert_int_equal(bus_register(&bus, 0x100, 4, rec_handler, &b, "b"), 0);
	assert_int_equal(bus_access(&bus, NULL, 0x3fb, &v, 1, true), 0);
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.offset, 3);
	assert_int_equal(a.value & 0xff, 0xef);
	assert_int_equal(bus_access(&bus, NULL, 0x100, &v, 4, false), 0);
	assert_int_equal(b.calls, 1);
	assert_int_equal(v, 0x42424242);
	assert_string_equal(bus_find(&bus, 0x3ff)->name, "a");
	assert_null(bus_find(&bus, 0x400));
	bus_destroy(&bus);
}

static void bus_rejects_overlap_and_reports_gaps(void **unused)
{
	struct bus bus = { 0 };
	struct rec a = { 0 };
	uint8_t v = 0;

	assert_int_equal(bus_register(&bus, 0x10, 0x10, rec_handler, &a, "a"), 0);
	assert_int_equal(bus_register(&bus, 0x1f, 1, rec_handler, &a, "x"), -EEXIST);
	assert_int_equal(bus_register(&bus, 0x08, 9, rec_handler, &a, "x"), -EEXIST);
	assert_int_equal(bus_register(&bus, 0x00, 0x100, rec_handler, &a, "x"), -EEXIST);
	assert_int_equal(bus_register(&bus, 0x20, 0, rec_handler, &a, "x"), -EINVAL);
	assert_int_equal(bus_register(&bus, UINT64_MAX, 2, rec_handler, &a, "x"), -EINVAL);
	assert_int_equal(bus_register(&bus, 0x20, 4, rec_handler, &a, "c"), 0);
	assert_int_equal(bus_register(&bus, 0x08, 8, rec_handler, &a, "d"), 0);
	assert_int_equal(bus_access(&bus, NULL, 0x24, &v, 1, true), -ENOENT);
	/* starts inside a device but runs past its end */
	uint32_t w = 0;
	assert_int_equal(bus_access(&bus, NULL, 0x1e, &w, 4, true), -ERANGE);
	assert_int_equal(a.calls, 0);
	bus_destroy(&bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gmem_small_ram_is_one_region),
		cmocka_unit_test(gmem_rejects_bad_sizes),
		cmocka_unit_test(gmem_read_write_round_trip_and_faults),
		cmocka_unit_test(gmem_large_ram_skips_the_hole),
		cmocka_unit_test(gmem_parses_sizes),
		cmocka_unit_test(bus_dispatches_by_range_with_offsets),
		cmocka_unit_test(bus_rejects_overlap_and_reports_gaps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
