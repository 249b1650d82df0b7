/*
 * b_bench.h - what the memory-technique benchmark guests (b_*.c) share:
 * the command line, the machine they build, their page tables and the
 * start and end of the measured loop.
 *
 * Every b_* guest is a bare direct64 image that does N operations of one
 * kind (N from the kernel command line, `n=20000`) and nothing else worth
 * timing.  The host side is bench/bench_paging.c: it runs each guest with
 * n=N and with n=0 and charges the difference to the N operations, so the
 * boot and the set-up below cost nothing in the result.
 *
 * The protocol with the host (the test port, guest_test.h):
 *
 *   b_begin(n)    GUEST_SYNC(n): the loop starts now, with this N
 *   b_end(...)    checks the loop's own verdict (bad == 0), prints one
 *                 line on the serial port and GUEST_DONE
 *   a failure     GUEST_ASSERT with what went wrong: the host reports the
 *                 run as failed and does not average it
 *
 * The address space every guest builds (b_machine_init, b_root_init):
 *
 *   PML4 slot 0  0 .. 1 GiB, identity mapped with 2 MiB pages: code, data,
 *                stack, the loader's tables, the frame pool.  These are the
 *                "kernel" entries every root shares; A and D are preset and
 *                they are global when the CPU has PGE.
 *   PML4 slot 1  B_BENCH_VA: the workload's own 4 KiB pages, built by the
 *                workload from page-table pages of its own (static, so
 *                zeroed by the loader), pointing at frames of the pool.
 *
 * The guests run at CPL 0 only, use the general registers only, and keep
 * the per-operation path to a handful of instructions: where ring-0 code
 * is emulated (PVM, docs/pvm.md) every instruction costs about 1 us.
 */
#ifndef GUEST_BARE_B_BENCH_H
#define GUEST_BARE_B_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "boot.h"
#include "cpu_regs.h"

/* Page-table entry bits (SDM Vol. 3 4.5) the benchmarks use. */
#define B_PTE_P  (1ull << 0)
#define B_PTE_RW (1ull << 1)
#define B_PTE_A  (1ull << 5)
#define B_PTE_D  (1ull << 6)
#define B_PTE_PS (1ull << 7)
#define B_PTE_G  (1ull << 8)
/* A present, writable entry whose A and D bits are already set: no walk
 * ever has to write them back, so the measurement is of the MMU technique
 * and not of accessed/dirty maintenance. */
#define B_PTE_RW_AD (B_PTE_P | B_PTE_RW | B_PTE_A | B_PTE_D)

#define B_PAGE_SIZE  4096ull
#define B_PT_ENTRIES 512
#define B_PT_SHIFT   9 /* index bits per level */

/* Where each workload's 4 KiB pages live: PML4 slot 1 (512 GiB). */
#define B_BENCH_VA (1ull << 39)

/* Physical frames the workloads map: [B_POOL_GPA, B_POOL_GPA + their
 * size).  Above any image (they load at 1 MiB and are small), inside the
 * kernel identity map; b_check_ram() makes sure the VM has the RAM. */
#define B_POOL_GPA (16ull << 20)

/* Operations when the command line has no n= (a run by hand). */
#define B_DEFAULT_N 1000

/* One page-table page at any level. */
typedef uint64_t b_table[B_PT_ENTRIES] __attribute__((aligned(4096)));

/* Physical address of the pool's frame i (identity mapped). */
static inline uint64_t b_frame(uint64_t i)
{
	return B_POOL_GPA + i * B_PAGE_SIZE;
}

/* Index of `va` in its page table at `level` (1 = PT ... 4 = PML4). */
static inline unsigned b_index(uint64_t va, unsigned level)
{
	return (unsigned)(va >> (12 + B_PT_SHIFT * (level - 1))) & (B_PT_ENTRIES - 1);
}

/* ---- the run ------------------------------------------------------------- */

/* The value of `n=` on the command line (B_DEFAULT_N when absent).  Asserts
 * that it is a decimal number no larger than max (max < UINT64_MAX / 10). */
uint64_t b_parse_n(const struct guest_boot_args *args, uint64_t max);

/* Assert that guest RAM covers [B_POOL_GPA, B_POOL_GPA + pool_bytes). */
void b_check_ram(const struct guest_boot_args *args, uint64_t pool_bytes);

/* The console, the IDT (every exception vector 0-31), CR4.PGE when the CPU
 * has it, and the shared kernel tables.  Call first. */
void b_machine_init(void);

/* Called for #PF with CR2 and the error code; returns true when it made
 * the access possible (the instruction is retried), false to fail the run.
 * Any other exception, or a #PF without a handler, fails the run. */
typedef bool (*b_pf_handler)(uint64_t cr2, uint64_t error);
void b_set_pf_handler(b_pf_handler handler);

/* Clear `pml4` and point its slot 0 at the shared kernel map.  Slot 1 is
 * the caller's.  Returns the value to load into CR3. */
uint64_t b_root_init(uint64_t *pml4);

/* The measured loop starts: GUEST_SYNC(n). */
void b_begin(uint64_t n);

/* The loop ended: assert bad == 0 (`what` names the check), print
 * "NAME: N operations" and GUEST_DONE. */
__attribute__((noreturn)) void b_end(const char *name, uint64_t n, uint64_t bad,
                                     const char *what);

/* One 8-byte load or store that the compiler may neither drop nor merge. */
static inline uint64_t b_load(uint64_t va)
{
	return *(volatile uint64_t *)va;
}

static inline void b_store(uint64_t va, uint64_t v)
{
	*(volatile uint64_t *)va = v;
}

#endif
