/*
 * interp_regs.h - the registers the interpreter differential test
 * compares, in one neutral struct that both sides (uc_ref.c for Unicorn,
 * interp_machine.c for the interpreter) read and write.
 */
#ifndef TRAPEZE_TESTS_DIFF_INTERP_REGS_H
#define TRAPEZE_TESTS_DIFF_INTERP_REGS_H

#include <stdint.h>

#define DIFF_NR_GPRS 16
#define DIFF_NO_FAULT (-1)

struct diff_regs {
	uint64_t gpr[DIFF_NR_GPRS]; /* RAX..R15, encoding order */
	uint64_t rip;
	uint64_t rflags;
};

#endif
