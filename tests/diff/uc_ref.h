/*
 * uc_ref.h - Unicorn as the reference CPU of the interpreter's
 * differential test (tests/diff/test_interp_unicorn.c).
 *
 * The wrapper keeps Unicorn inside the contract under which it is a sound
 * oracle (docs/differential.md): flat 64-bit memory (one window of host
 * memory the caller owns, mapped with uc_mem_map_ptr), user-level code,
 * a fresh engine for every stream, one instruction per step.  Exceptions are not delivered:
 * a step that raises one stops on the faulting instruction and reports
 * its vector.
 *
 * Built without Unicorn (pkg-config found none), uc_ref_open() fails with
 * a message, and the test skips.
 */
#ifndef TRAPEZE_TESTS_DIFF_UC_REF_H
#define TRAPEZE_TESTS_DIFF_UC_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "interp_regs.h"

#define UC_REF_VEC_UD 6
#define UC_REF_VEC_PF 14

struct uc_ref;

/* What one step did. */
struct uc_ref_step {
	int fault;       /* DIFF_NO_FAULT, or the exception vector it raised */
	int err;         /* Unicorn's error code (0: none) */
	const char *why; /* err as text, for reports */
};

/*
 * uc_ref_open - an x86-64 Unicorn engine with [base, base+size) mapped on
 * the caller's memory `mem` (page-aligned, size a multiple of 4 KiB).  The
 * caller writes code and data there directly.  Returns NULL with the
 * reason in why[len] (no Unicorn in this build, or Unicorn failed).
 */
struct uc_ref *uc_ref_open(void *mem, uint64_t base, uint64_t size, char *why, size_t len);
void uc_ref_close(struct uc_ref *u);

/* Start a stream: a fresh engine (the caller may have rewritten the
 * code), with regs loaded.  0, or -1 if Unicorn failed. */
int uc_ref_reset(struct uc_ref *u, const struct diff_regs *regs);
/*
 * After an exception: restore the first context and load regs.  Unicorn
 * never runs the handler, so the CPU's record of the exception being
 * delivered stays armed and the next one would be reported as #DF.
 */
int uc_ref_recover(struct uc_ref *u, const struct diff_regs *regs);
/* Execute one instruction (one iteration of a REP string instruction). */
void uc_ref_step(struct uc_ref *u, struct uc_ref_step *out);
void uc_ref_get(struct uc_ref *u, struct diff_regs *regs);
void uc_ref_set(struct uc_ref *u, const struct diff_regs *regs);
/* Was this build linked with Unicorn? */
bool uc_ref_available(void);
/* "Unicorn 2.0.1", for reports. */
const char *uc_ref_version(void);

#endif
