/*
 * programs.S - the user programs' ELF files, embedded (see programs.h).
 *
 * For each NAME in USER_PROGRAMS this emits
 *
 *   user_elf_NAME:      the bytes of NAME.elf (found on the assembler's
 *                       include path: the build's guest/user directory)
 *   user_elf_NAME_end:
 *
 * programs.c turns the symbols into a table.
 */
#include "programs.h"

#define STRINGIFY(x) #x
#define ELF_FILE(name) STRINGIFY(name.elf)

#define EMBED(name)                  \
	.globl user_elf_##name;      \
	.globl user_elf_##name##_end; \
	.balign 16;                  \
	user_elf_##name:             \
	.incbin ELF_FILE(name);      \
	user_elf_##name##_end:

	.section .rodata.user_programs, "a"
USER_PROGRAMS(EMBED)

	.section .note.GNU-stack, "", @progbits
