/*
 * abi.h - the contract between the teaching kernel and its user programs.
 *
 * Included by the kernel (guest/kernel) and by the user library
 * (guest/user), so it holds only #defines: system call numbers, error
 * numbers, the wait-status encoding and the user address-space layout.
 *
 * A system call is `int $0x80` with the number in RAX and up to six
 * arguments in RDI, RSI, RDX, R10, R8, R9 (the order Linux uses for its
 * `syscall` instruction).  The result comes back in RAX: a value >= 0 on
 * success, or a negative error number (-EFAULT, ...) on failure.  Every
 * other register is preserved.
 */
#ifndef KERNEL_ABI_H
#define KERNEL_ABI_H

/* The interrupt vector of a system call: `int $0x80`. */
#define SYSCALL_VECTOR 0x80

/*
 * System call numbers.  Arguments in order; "-> " is the result.
 *
 *   exit(status)            never returns; status 0..255 goes to the parent
 *   write(fd, buf, len)     fd 1 or 2 = the console -> bytes written
 *   getpid()                -> this process's id
 *   getppid()               -> the parent's id (1 after reparenting)
 *   fork()                  -> child's pid in the parent, 0 in the child
 *   wait(pid, status_ptr)   pid -1 = any child; waits for it to end
 *                           -> its pid; *status_ptr = wait status (if
 *                           status_ptr != 0)
 *   yield()                 give the CPU to the next runnable process -> 0
 *   sbrk(increment)         grow (or shrink) the heap -> the old break
 *   sleep(ms)               block for at least ms milliseconds -> 0
 *   uptime()                -> milliseconds since the timer started
 *   memfree()               -> free physical pages (for leak checks)
 */
#define SYS_EXIT    0
#define SYS_WRITE   1
#define SYS_GETPID  2
#define SYS_GETPPID 3
#define SYS_FORK    4
#define SYS_WAIT    5
#define SYS_YIELD   6
#define SYS_SBRK    7
#define SYS_SLEEP   8
#define SYS_UPTIME  9
#define SYS_MEMFREE 10
#define SYS_COUNT   11 /* numbers >= this return -ENOSYS */

/* Error numbers (returned negated); the values are Linux's. */
#define EBADF  9  /* not an open file descriptor */
#define ECHILD 10 /* no such child to wait for */
#define EAGAIN 11 /* process table full */
#define ENOMEM 12 /* out of memory, or heap limit reached */
#define EFAULT 14 /* a pointer argument is not valid user memory */
#define EINVAL 22 /* an argument is out of range */
#define ENOSYS 38 /* no such system call */

/* File descriptors that exist: both are the console. */
#define FD_STDOUT 1
#define FD_STDERR 2

/*
 * Wait status, as stored by wait():
 *
 *   15        9   8   7             0
 *  +-----------+----+----------------+
 *  |     0     | K  |  code / vector |
 *  +-----------+----+----------------+
 *
 *   K = 0: the process called exit(code)        (code = status & 0xff)
 *   K = 1: the kernel killed it after exception `vector` (0..31)
 */
#define WAIT_KILLED         0x100
#define WAIT_CODE_MASK      0xff
#define WAIT_EXITED(s)      (((s)&WAIT_KILLED) == 0)
#define WAIT_EXIT_CODE(s)   ((s)&WAIT_CODE_MASK)
#define WAIT_KILL_VECTOR(s) ((s)&WAIT_CODE_MASK)

/*
 * The user half of every address space:
 *
 *   0x0000800000000000  +-----------------------+ USER_TOP (end of the lower
 *                       | guard page            |  canonical half)
 *   USER_STACK_TOP      +-----------------------+
 *                       | stack, grows down     | demand-zero, at most
 *                       |           v           | USER_STACK_MAX bytes
 *                       :                       :
 *                       :           ^           :
 *                       | heap (sbrk), grows up | demand-zero, at most
 *   heap base           +-----------------------+ USER_HEAP_MAX bytes
 *                       | program: text, rodata,| loaded from the ELF file
 *   USER_IMAGE_BASE     | data, bss             |
 *   0x0000000000400000  +-----------------------+
 *                       | unmapped: NULL and    |
 *   0                   | small pointers fault  |
 *                       +-----------------------+
 */
#define USER_IMAGE_BASE  0x400000ull
#define USER_IMAGE_LIMIT 0x40000000ull /* a program ends below 1 GiB */
#define USER_HEAP_MAX    0x4000000ull  /* 64 MiB */
#define USER_TOP         0x800000000000ull
#define USER_STACK_TOP   (USER_TOP - 0x1000)
#define USER_STACK_MAX   0x100000ull /* 1 MiB */

#endif
