/*
 * interp_machine.h - the interpreter side of the differential test: a
 * trapeze VM on the interp engine, set up as a tiny 64-bit kernel would
 * leave it for a user program, and single-stepped with interp_step().
 *
 * Guest-physical memory (identity-mapped):
 *
 *   0x001000  GDT   null, kernel code/data (DPL 0), user data/code (DPL 3), TSS
 *   0x002000  IDT   32 interrupt gates, vector v -> IMACH_HANDLERS + 16*v
 *   0x003000  TSS   RSP0 = IMACH_KSTACK_TOP
 *   0x008000  page tables: the first 2 MiB supervisor-only, the user page
 *             (interp_gen.h) user-accessible, nothing else mapped
 *   0x010000  kernel stack (exception frames land here)
 *   0x030000  exception handlers (HLT; never run: a step that delivers an
 *             exception stops with RIP on one, which names the vector)
 *   0x200000  the user page: code, data and stack windows of a stream
 *
 * The stream runs at CPL 3 with CR0.AM = 0 and IOPL = 0.
 */
#ifndef TRAPEZE_TESTS_DIFF_INTERP_MACHINE_H
#define TRAPEZE_TESTS_DIFF_INTERP_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "interp_regs.h"

#define IMACH_HANDLERS 0x30000ull
#define IMACH_HANDLER_STRIDE 16
#define IMACH_VECTORS 32
#define IMACH_KSTACK_TOP 0x20000ull
#define IMACH_USER_CS 0x23
#define IMACH_USER_SS 0x1b

struct imach;

/* The frame an exception delivery pushed on the kernel stack. */
struct imach_frame {
	uint64_t rip, cs, rflags, rsp, ss;
};

struct imach_step {
	int fault;        /* DIFF_NO_FAULT, or the vector delivered */
	int exit_reason;  /* enum vm_exit_reason: VM_EXIT_NONE unless it stopped */
	int rc;           /* interp_step's return value */
};

/* Create the VM and its system tables.  NULL with err[len] on failure. */
struct imach *imach_create(char *err, size_t len);
void imach_destroy(struct imach *m);
/* Host view of the user page (GEN_USER_SIZE bytes at GEN_USER_BASE). */
uint8_t *imach_user(struct imach *m);
/* The host wrote guest code in [gpa, gpa+len): forget decoded copies. */
void imach_code_changed(struct imach *m, uint64_t gpa, size_t len);
/* Load the user state: regs at CPL 3, everything else as set up. */
int imach_load(struct imach *m, const struct diff_regs *regs);
void imach_get(struct imach *m, struct diff_regs *regs);
/* Overwrite GPRs, RIP and RFLAGS in place (the CPU keeps its mode and
 * caches): to carry over values the SDM leaves undefined. */
void imach_put(struct imach *m, const struct diff_regs *regs);
/* One interp_step(); fault says whether it delivered an exception. */
void imach_step(struct imach *m, struct imach_step *out);
/* Read the frame of the exception just delivered. */
int imach_frame(struct imach *m, struct imach_frame *f);
/* The interpreter's count of delivered exceptions, all vectors. */
uint64_t imach_exceptions(struct imach *m);

#endif
