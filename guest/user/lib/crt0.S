/*
 * crt0.S - where every user program starts.
 *
 * The kernel enters _start in ring 3 with RDI = argc, RSI = argv and RSP
 * 16-byte aligned (proc.c, setup_stack): exactly the arguments of a C
 * call, so _start only clears the frame pointer (the end of the stack
 * for a debugger) and calls ulib_start(argc, argv), which never returns.
 */
	.section .text.start, "ax"
	.globl _start
_start:
	xorl %ebp, %ebp
	call ulib_start
	ud2

	.section .note.GNU-stack, "", @progbits
