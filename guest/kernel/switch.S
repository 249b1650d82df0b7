/*
 * switch.S - context_switch(save_rsp, load_rsp): stop running one kernel
 * context and resume another (see sched.h).
 *
 * A context is just a kernel stack.  The C calling convention says a
 * callee must preserve RBX, RBP, R12-R15 and RSP; everything else the
 * caller of context_switch already expects to lose.  So: push those six
 * on the old stack, save RSP, load the new RSP, pop the six and `ret` --
 * returning into whatever called context_switch on the new stack.
 *
 *   a saved context, at *save_rsp:   r15 r14 r13 r12 rbx rbp | return address
 *                                    (low addresses)         (high)
 *
 * A new process's stack is made to look like this by proc.c, with the
 * return address pointing at trap_return: its first "return" from
 * context_switch goes straight to user mode through its trap frame.
 */
	.text
	.globl context_switch
context_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi) /* *save_rsp = rsp */
	movq %rsi, %rsp   /* rsp = load_rsp */
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.section .note.GNU-stack, "", @progbits
