/*
 * programs.h - the user programs built into the kernel image.
 *
 * There is no disk: each program in guest/user/ is linked into its own
 * ELF file, and programs.S pastes those files into the kernel's rodata
 * with `.incbin`.  The command line's run=NAME picks the one that becomes
 * init (main.c).
 *
 * USER_PROGRAMS is the list; guest/kernel.cmake has the same list (it
 * builds the files).  Adding a program means adding it to both.
 */
#ifndef KERNEL_PROGRAMS_H
#define KERNEL_PROGRAMS_H

#define USER_PROGRAMS(X)                                                                 \
	X(hello)                                                                         \
	X(forktest)                                                                      \
	X(cowtest)                                                                       \
	X(pfault)                                                                        \
	X(compute)                                                                       \
	X(preempt)                                                                       \
	X(crash)                                                                         \
	X(systest)

#ifndef __ASSEMBLER__

#include <stddef.h>
#include <stdint.h>

struct program {
	const char *name;
	const uint8_t *start, *end; /* the ELF file */
};

/* The program called name[0..len), or NULL. */
const struct program *program_find(const char *name, size_t len);

/* Print the names of all programs on one line, after `prefix`. */
void program_list(const char *prefix);

#endif

#endif
