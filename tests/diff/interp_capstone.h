/*
 * interp_capstone.h - Capstone 4 as the interpreter differential test's
 * second opinion on each generated instruction: its length, its text, and
 * which status flags the SDM leaves undefined after it.
 *
 * Capstone's <capstone/x86.h> declares `enum x86_insn`, whose tag clashes
 * with our decoder's `struct x86_insn`, so Capstone lives in its own file
 * and answers in RFLAGS bits.
 */
#ifndef TRAPEZE_TESTS_DIFF_INTERP_CAPSTONE_H
#define TRAPEZE_TESTS_DIFF_INTERP_CAPSTONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ICAP_TEXT 96

struct icap;

struct icap_info {
	unsigned len;
	char text[ICAP_TEXT];  /* "shl eax, cl" */
	uint64_t undefined;    /* RFLAGS bits Capstone marks undefined */
	uint64_t modified;     /* RFLAGS status bits it says the insn writes */
};

/* Capstone for 64-bit code with instruction details; NULL on failure. */
struct icap *icap_open(void);
void icap_close(struct icap *c);

/* Describe the instruction at code (address addr).  False when Capstone
 * does not decode it. */
bool icap_describe(struct icap *c, const uint8_t *code, size_t avail, uint64_t addr,
                   struct icap_info *out);

#endif
