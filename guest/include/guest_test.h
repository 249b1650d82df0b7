/*
 * guest_test.h - the guest half of a trapeze test: checkpoints and verdicts
 * reported to the host over the test port.
 *
 * A test is a guest program plus a host loop (run -> get ucall -> switch),
 * as in the Linux KVM selftests.  Each macro below fills a struct ucall
 * (core/guest_abi.h) in guest memory and writes its guest-physical address
 * to the test port with one 32-bit `out`:
 *
 *   GUEST_SYNC(v)           checkpoint; args[0] = v; the host resumes us
 *   GUEST_PRINTF(fmt, ...)  a message for the host's log; resumes
 *   GUEST_ASSERT(cond)      if cond is false: file, line and the condition's
 *                           text; the host stops the VM with status 1
 *   GUEST_ASSERT_EQ(a, b)   like GUEST_ASSERT(a == b), and the message shows
 *                           both values (also in args[0] and args[1])
 *   GUEST_DONE()            the test passed; the host stops with status 0
 *
 * Without trapeze (on QEMU, say) nobody answers the port and the call
 * simply returns.  Then DONE powers off with status 0, a failed assert
 * prints its message on the console and powers off with status 1, and
 * PRINTF goes to the console.  SYNC just continues.
 */
#ifndef GUEST_TEST_H
#define GUEST_TEST_H

#include <stdint.h>

#include "core/guest_abi.h"
#include "printf.h"

/*
 * Fill a ucall with `cmd` and `nargs` (at most UCALL_MAX_ARGS) uint64_t
 * arguments and hand it to the host.  Returns when the host resumes the
 * guest, or at once when no host listens.
 */
void guest_ucall(uint64_t cmd, int nargs, ...);

/* UCALL_PRINT with a formatted message (console if not on trapeze). */
void guest_ucall_print(const char *fmt, ...) GUEST_PRINTF_FMT(1, 2);

/* UCALL_ASSERT at file:line with args a, b and a formatted message. */
__attribute__((noreturn)) void guest_ucall_assert(const char *file, unsigned int line,
                                                  uint64_t a, uint64_t b, const char *fmt,
                                                  ...) GUEST_PRINTF_FMT(5, 6);

/* UCALL_DONE. */
__attribute__((noreturn)) void guest_ucall_done(void);

#define GUEST_SYNC(v) guest_ucall(UCALL_SYNC, 1, (uint64_t)(v))

#define GUEST_PRINTF(...) guest_ucall_print(__VA_ARGS__)

#define GUEST_DONE() guest_ucall_done()

#define GUEST_ASSERT(cond)                                                               \
	do {                                                                             \
		if (!(cond))                                                             \
			guest_ucall_assert(__FILE__, __LINE__, 0, 0, "%s", #cond);       \
	} while (0)

#define GUEST_ASSERT_EQ(a, b)                                                            \
	do {                                                                             \
		uint64_t guest_assert_a_ = (uint64_t)(a);                                \
		uint64_t guest_assert_b_ = (uint64_t)(b);                                \
		if (guest_assert_a_ != guest_assert_b_)                                  \
			guest_ucall_assert(__FILE__, __LINE__, guest_assert_a_,          \
			                   guest_assert_b_,                              \
			                   "%s == %s: %lld (0x%llx) != %lld (0x%llx)",   \
			                   #a, #b, (long long)guest_assert_a_,           \
			                   (unsigned long long)guest_assert_a_,          \
			                   (long long)guest_assert_b_,                   \
			                   (unsigned long long)guest_assert_b_);         \
	} while (0)

#endif
