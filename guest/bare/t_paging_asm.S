/*
 * t_paging_asm.S - the assembly half of the page-table conformance guest
 * (t_paging.c has the overview): exception entry, the ring-0 access probes,
 * and the trip to ring 3 and back.
 *
 * Three ways control moves, all of them short because ring-0 code may be
 * emulated one instruction at a time (PVM):
 *
 *   ring-0 probe    C calls pt_probe_read/write/fetch(address, value).  If
 *                   the access faults, pt_exception() (C) records the #PF
 *                   and points the saved RIP at pt_probe_resume, whose
 *                   `ret` returns from the probe as if nothing happened.
 *
 *   ring-3 trip     C calls pt_user_run(entry).  It saves the callee-saved
 *                   registers and RSP in pt_kernel_rsp and IRETQs to one of
 *                   the pt_user_* trampolines at CPL 3.  The trampoline
 *                   makes its one access and then executes ud2.  Either
 *                   the #PF or the #UD brings the CPU back to ring 0 on the
 *                   TSS's RSP0 stack; pt_exception() records it and, seeing
 *                   CPL 3 in the saved CS, asks for pt_user_return, which
 *                   drops that stack and returns from pt_user_run.
 *
 *   anything else   pt_exception() reports it as a failure of the test.
 *
 * The frame C sees (struct pt_frame in t_paging.c), lowest address first:
 *
 *   r11 r10 r9 r8 rdi rsi rdx rcx rax | vector error | rip cs rflags rsp ss
 *   <------- pushed by exc_common ---> <-- stub ---> <---- the CPU ------>
 *
 * The CPU aligns RSP to 16 before pushing its 5 words (40 bytes); the stub
 * adds 16 and exc_common 72, 128 in all, so the call to C is aligned.
 */

/* Vectors whose exceptions push an error code (SDM Vol. 3 6.15). */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
                           (v) == 21 || (v) == 29 || (v) == 30)

/* struct pt_user_entry (t_paging.c): byte offsets of its fields. */
#define UE_RIP    0
#define UE_RSP    8
#define UE_CS     16
#define UE_SS     24
#define UE_RFLAGS 32
#define UE_RDI    40
#define UE_RSI    48

	.text

/* ---- exception entry: one 16-byte stub per vector 0-31 ------------------ */

	.balign 16
	.globl pt_exception_stubs
pt_exception_stubs:
	.set vec, 0
	.rept 32
	.balign 16
	.if HAS_ERROR_CODE(vec) == 0
	pushq $0			/* no error code: push a zero in its place */
	.endif
	pushq $vec
	jmp exc_common
	.set vec, vec + 1
	.endr

exc_common:
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	movq %rsp, %rdi
	cld
	call pt_exception		/* 0: IRETQ to the frame; 1: back from ring 3 */
	testl %eax, %eax
	jnz pt_user_return
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rax
	addq $16, %rsp			/* vector and error code */
	iretq

/* ---- ring-0 probes: one access each --------------------------------------- */

/* uint8_t pt_probe_read(uint64_t address) */
	.globl pt_probe_read
pt_probe_read:
	movzbl (%rdi), %eax
	ret

/* void pt_probe_write(uint64_t address, uint8_t value) */
	.globl pt_probe_write
pt_probe_write:
	movb %sil, (%rdi)
	ret

/* void pt_probe_fetch(uint64_t address): call a `ret` placed there */
	.globl pt_probe_fetch
pt_probe_fetch:
	call *%rdi
	ret

/* Where a probe that faulted continues: RSP points at the return address
 * of the probe (read, write) or of its call (fetch), so `ret` unwinds it. */
	.globl pt_probe_resume
pt_probe_resume:
	ret

/* ---- ring 3 and back -------------------------------------------------------- */

/* void pt_user_run(const struct pt_user_entry *e) */
	.globl pt_user_run
pt_user_run:
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %ds, %rax
	pushq %rax
	movq %rsp, pt_kernel_rsp(%rip)
	pushq UE_SS(%rdi)
	pushq UE_RSP(%rdi)
	pushq UE_RFLAGS(%rdi)
	pushq UE_CS(%rdi)
	pushq UE_RIP(%rdi)
	movq UE_RSI(%rdi), %rsi
	movq UE_RDI(%rdi), %rdi
	iretq

/* Reached by a jump from exc_common after an exception from CPL 3: the
 * RSP0 stack is simply dropped.  IRETQ to CPL 3 cleared DS and ES (their
 * descriptors have DPL 0), so they are reloaded too. */
pt_user_return:
	movq pt_kernel_rsp(%rip), %rsp
	popq %rax
	movw %ax, %ds
	movw %ax, %es
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret

/* The ring-3 trampolines: one access (RDI = address, SIL = value to
 * write), then ud2 to come back.  The labels after each access let C check
 * that the #UD came from where it should. */
	.globl pt_user_read, pt_user_read_done
pt_user_read:
	movzbl (%rdi), %eax
pt_user_read_done:
	ud2

	.globl pt_user_write, pt_user_write_done
pt_user_write:
	movb %sil, (%rdi)
pt_user_write_done:
	ud2

	.globl pt_user_fetch, pt_user_fetch_done
pt_user_fetch:
	call *%rdi
pt_user_fetch_done:
	ud2

	.bss
	.balign 8
pt_kernel_rsp:
	.quad 0

	.section .note.GNU-stack, "", @progbits
