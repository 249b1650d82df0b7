/*
 * ucall.c - test-port calls from guest to host (see guest_test.h).
 *
 * Each call builds a struct ucall on the caller's stack, converts its
 * address to guest-physical and writes that address to the test port.
 * The VM exits on the `out`; the host reads the struct out of guest
 * memory while the vCPU is stopped, so a stack buffer is safe.  When the
 * call returns although the host should have stopped the VM (DONE,
 * ASSERT), no trapeze is listening and the guest ends itself.
 */
#include "guest_test.h"

#include <stdarg.h>
#include <stdbool.h>

#include "addr.h"
#include "pio.h"
#include "power.h"
#include "string.h"

#define GUEST_EXIT_FAIL 1 /* power-off status of a failed test */

/* Start a ucall: everything zero (the host must not see stack garbage). */
static void ucall_init(struct ucall *uc, uint64_t cmd)
{
	memset(uc, 0, sizeof(*uc));
	uc->cmd = cmd;
}

/*
 * Hand uc to the host.  Returns false when uc lies above 4 GiB, where
 * the 32-bit port cannot name it (the caller then uses the console).
 */
static bool ucall_submit(struct ucall *uc)
{
	uint64_t gpa = guest_virt_to_phys(uc);

	if (gpa > UINT32_MAX)
		return false;
	/* The struct must be in memory before the host looks: the compiler
	 * may not sink the stores past the `out`. */
	__asm__ volatile("" ::: "memory");
	outl(TRAPEZE_PORT_TESTPORT, (uint32_t)gpa);
	return true;
}

/* Copy the tail of `file` into uc->file: the end of a long path (the file
 * name) says more than its start. */
static void ucall_set_file(struct ucall *uc, const char *file)
{
	size_t len = strlen(file);
	size_t room = sizeof(uc->file) - 1;

	if (len > room)
		file += len - room;
	memcpy(uc->file, file, len > room ? room : len);
}

void guest_ucall(uint64_t cmd, int nargs, ...)
{
	struct ucall uc;
	va_list ap;

	ucall_init(&uc, cmd);
	va_start(ap, nargs);
	for (int i = 0; i < nargs && i < UCALL_MAX_ARGS; i++)
		uc.args[i] = va_arg(ap, uint64_t);
	va_end(ap);
	ucall_submit(&uc);
}

void guest_ucall_print(const char *fmt, ...)
{
	struct ucall uc;
	va_list ap;

	ucall_init(&uc, UCALL_PRINT);
	va_start(ap, fmt);
	vsnprintf(uc.msg, sizeof(uc.msg), fmt, ap);
	va_end(ap);
	if (!guest_on_trapeze() || !ucall_submit(&uc))
		printf("%s\n", uc.msg);
}

void guest_ucall_assert(const char *file, unsigned int line, uint64_t a, uint64_t b,
                        const char *fmt, ...)
{
	struct ucall uc;
	va_list ap;

	ucall_init(&uc, UCALL_ASSERT);
	uc.args[0] = a;
	uc.args[1] = b;
	uc.line = line;
	ucall_set_file(&uc, file);
	va_start(ap, fmt);
	vsnprintf(uc.msg, sizeof(uc.msg), fmt, ap);
	va_end(ap);
	ucall_submit(&uc);
	/* Still here: nobody stopped the VM, so report on the console. */
	printf("%s:%u: guest assertion failed: %s\n", uc.file, uc.line, uc.msg);
	guest_poweroff(GUEST_EXIT_FAIL);
}

void guest_ucall_done(void)
{
	guest_ucall(UCALL_DONE, 0);
	guest_poweroff(0);
}
