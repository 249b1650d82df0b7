/*
 * syscall.h - system calls: the kernel's services to user programs.
 *
 * The life of a system call, e.g. write(1, "hi\n", 3) in a user program:
 *
 *   user mode (ring 3)                kernel mode (ring 0)
 *   ------------------                --------------------
 *   write(1, buf, 3)     guest/user/ulib.c
 *     rax = SYS_WRITE,
 *     rdi = 1, rsi = buf, rdx = 3
 *     int $0x80 ---------------------> CPU: IDT[0x80] is a DPL-3 interrupt
 *                                      gate; switch to the kernel stack
 *                                      (TSS.RSP0), push ss, rsp, rflags,
 *                                      cs, rip; IF = 0
 *                                      trap_stub_128 (trap_entry.S):
 *                                        push 0 (error), push 0x80
 *                                      trap_common: push the GPRs ->
 *                                        a struct trap_frame (trap.h)
 *                                      trap_dispatch(tf)       trap.c
 *                                      syscall_dispatch(tf)    syscall.c
 *                                        syscall_table[tf->rax](args)
 *                                        sys_write: check buf with
 *                                          uvm_user_ptr, print it
 *                                        tf->rax = 3 (the result)
 *                                      trap_return: pop the GPRs (rax is
 *                                        now 3), drop vector and error
 *                                      iretq: back to ring 3, IF = 1
 *   rax = 3  <-----------------------
 *   write returns 3
 *
 * A system call may block (wait, sleep) or give up the CPU (yield): the
 * process then sits in the kernel, its trap frame on its kernel stack,
 * until the scheduler runs it again and the call returns.
 *
 * One detour: some hypervisors cannot deliver `int $0x80` from ring 3 and
 * raise #UD at the instruction instead.  trap.c recognises that #UD, steps
 * RIP over the two-byte instruction and calls syscall_dispatch() all the
 * same, so the program cannot tell the difference.
 */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include "trap.h"

/* Run the system call tf->rax with the arguments in tf; put the result
 * in tf->rax (-ENOSYS for an unknown number). */
void syscall_dispatch(struct trap_frame *tf);

#endif
