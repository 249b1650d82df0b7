/*
 * entry64.S - the entry of bare direct64 test guests.
 *
 * Where it sits:
 *
 *   trapeze direct64 loader: long mode, first 4 GiB identity mapped,
 *   RSP = 0x80000, RDI = guest-physical address of hvm_start_info
 *     -> _start (here)
 *     -> guest_direct64_entry(rdi)         lib/boot.c
 *     -> guest_main(args)                  the test guest
 *
 * The VMM has done all the mode switching, so this is only the glue that
 * makes the C calling convention hold: direction flag clear and the stack
 * 16-byte aligned at the call.  RDI is already the first C argument.
 */
	.text
	.globl _start
_start:
	cld
	andq $-16, %rsp
	call guest_direct64_entry
1:	cli
	hlt
	jmp 1b

	.section .note.GNU-stack, "", @progbits
