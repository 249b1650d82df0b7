/*
 * report.h - turning a stopped VM into words for people.
 *
 * When a guest dies, a student needs to see where and why: the registers,
 * and the instruction at RIP disassembled (with Capstone).  These helpers
 * format to a FILE the caller chooses; they never decide to print.
 */
#ifndef TRAPEZE_CORE_REPORT_H
#define TRAPEZE_CORE_REPORT_H

#include <stdio.h>

#include "vm.h"

/* Registers, segments and control registers, a few lines. */
void report_state(const struct x86_state *s, FILE *out);
/* Disassemble up to `len` bytes at `rip` in the mode the state is in:
 * "ud2" or "(bytes 0f 0b: not a valid instruction)".  Writes to buf. */
void report_disasm(const struct x86_state *s, const uint8_t *bytes, size_t len,
                   char *buf, size_t buflen);
/* The instruction at the stopped vCPU's RIP (exit bytes if the engine gave
 * them, else read through the engine's address translation). */
void report_insn_at_rip(struct vm *vm, char *buf, size_t buflen);
/* Everything useful about why `vm` stopped: the message, and for crashes
 * the instruction and register dump. */
void report_stop(struct vm *vm, FILE *out);

#endif
