/*
 * trap_entry.S - the first and last kernel instructions of every trap
 * (see trap.h for the frame they build).
 *
 *   IDT gate -> trap_stub_N: push 0 if the CPU pushed no error code,
 *                            push the vector number N
 *            -> trap_common: push the 15 general-purpose registers,
 *                            call trap_dispatch(frame)
 *            -> trap_return: pop them, drop vector and error, iretq
 *
 * The stubs exist because the CPU does not tell the handler which vector
 * it came through, and pushes an error code for some exceptions only:
 * after the stub every frame has the same shape.
 */
#include "abi.h"
#include "trap.h"

/* Exceptions for which the CPU pushes an error code. */
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
                      (v) == 21 || (v) == 29 || (v) == 30)

	.text

.macro TRAP_STUB vector
	.balign 16
trap_stub_\vector:
	.if HAS_ERROR(\vector) == 0
	pushq $0
	.endif
	pushq $\vector
	jmp trap_common
.endm

/* One stub per exception and IRQ vector (0..TRAP_STUBS-1), plus the
 * system call's. */
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23, \
		24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
	TRAP_STUB \v
	.endr

/* The system call's stub: `int $SYSCALL_VECTOR` pushes no error code. */
	.balign 16
trap_stub_syscall:
	pushq $0
	pushq $SYSCALL_VECTOR
	jmp trap_common

trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi /* struct trap_frame * */
	cld             /* the C calling convention wants DF clear */
	call trap_dispatch
	/* fall through */

	.globl trap_return
trap_return:
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp /* vector and error code */
	iretq

/* The stubs' addresses, for trap_init(): trap_stubs[v] for v < 48. */
	.section .rodata
	.balign 8
	.globl trap_stubs
trap_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23, \
		24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
	.quad trap_stub_\v
	.endr
	.globl trap_syscall_stub
trap_syscall_stub:
	.quad trap_stub_syscall

	.section .note.GNU-stack, "", @progbits
