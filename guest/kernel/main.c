/*
 * main.c - the kernel's main(): the boot sequence after entry.S, and the
 * command line.
 *
 *   entry.S -> guest/lib/boot.c -> guest_main(args):
 *
 *     1. console_init          serial console on COM1
 *     2. save_boot_info        copy the command line and the RAM ranges:
 *                              they live in memory the allocator reuses
 *     3. segments_init         GDT, TSS                  segments.c
 *     4. trap_init             IDT                       trap.c
 *     5. frame_init            physical page allocator   frame.c
 *     6. paging_init           kernel page tables, NX    paging.c
 *     7. pic_init, timer_init  interrupts, 100 Hz tick   pic.c timer.c
 *     8. start_init            run=NAME -> pid 1         proc.c elf.c
 *     9. scheduler             never returns             sched.c
 *
 * The command line: `run=NAME [ARGS...]`.  Words before run= are ignored
 * (QEMU puts the kernel's file name first), except `kfault`, which makes
 * the kernel fault on purpose to show a panic report.  Everything after
 * NAME becomes the program's argv[1..].
 */
#include <stdbool.h>

#include "addr.h"
#include "boot.h"
#include "console.h"
#include "frame.h"
#include "kernel.h"
#include "paging.h"
#include "pic.h"
#include "proc.h"
#include "programs.h"
#include "sched.h"
#include "segments.h"
#include "string.h"
#include "timer.h"
#include "trap.h"

#define CMDLINE_MAX    512
#define MAX_RAM_RANGES 16
#define MAX_ARGS       16
#define RUN_PREFIX     "run="

extern char __kernel_end[]; /* kernel.ld */

static char cmdline[CMDLINE_MAX];
static struct ram_range ram[MAX_RAM_RANGES];
static unsigned int nr_ram;

/* An address the kernel never maps; volatile so the compiler keeps the
 * deliberate access of the kfault self-test. */
static volatile uint64_t kfault_address = 0;

/* boot.c and the test library convert addresses through these (addr.h):
 * physical memory is reached through the direct map. */
void *guest_phys_to_virt(uint64_t pa)
{
	return phys_to_virt(pa);
}

uint64_t guest_virt_to_phys(const void *va)
{
	return virt_to_phys(va);
}

/* Copy what we need from the loader's boot information. */
static void save_boot_info(const struct guest_boot_args *args)
{
	struct guest_mem_region r;
	size_t len = strlen(args->cmdline);

	if (len >= CMDLINE_MAX)
		len = CMDLINE_MAX - 1;
	memcpy(cmdline, args->cmdline, len);
	for (unsigned int i = 0;
	     nr_ram < MAX_RAM_RANGES && guest_boot_memmap_entry(args, i, &r) == 0; i++) {
		if (r.type == E820_RAM)
			ram[nr_ram++] = (struct ram_range){r.base, r.base + r.size};
	}
}

/* The length of the word starting at s (up to a space or the end). */
static size_t word_len(const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != ' ')
		n++;
	return n;
}

/* The first word of the command line that starts with `prefix`, or NULL. */
static char *find_word(const char *prefix)
{
	size_t plen = strlen(prefix);

	for (char *w = cmdline; *w; w += word_len(w)) {
		while (*w == ' ')
			w++;
		if (strncmp(w, prefix, plen) == 0)
			return w;
	}
	return NULL;
}

/* Split s in place into words; returns how many went into argv. */
static int split_words(char *s, char **argv, int max)
{
	int argc = 0;

	while (*s && argc < max) {
		size_t n;

		while (*s == ' ')
			s++;
		if (!*s)
			break;
		n = word_len(s);
		argv[argc++] = s;
		if (!s[n])
			break;
		s[n] = '\0';
		s += n + 1;
	}
	return argc;
}

/* The kfault self-test: read an unmapped kernel address. */
static void kernel_fault_test(void)
{
	printf("kernel: kfault: reading address 0x%llx on purpose\n",
	       (unsigned long long)kfault_address);
	(void)*(volatile uint64_t *)(uintptr_t)kfault_address;
}

/* Parse run=NAME [ARGS...] and create init; halts if that fails. */
static void start_init(void)
{
	char *run = find_word(RUN_PREFIX);
	const struct program *prog = NULL;
	char *argv[MAX_ARGS];
	int argc;

	if (run)
		prog = program_find(run + strlen(RUN_PREFIX),
		                    word_len(run) - strlen(RUN_PREFIX));
	if (!prog) {
		printf("kernel: no program to run; boot with run=NAME [ARGS...], NAME "
		       "one of:\n");
		program_list("kernel:  ");
		kernel_halt(KSTATUS_USAGE, "nothing to do (status %d)", KSTATUS_USAGE);
	}
	argc = split_words(run + strlen(RUN_PREFIX), argv, MAX_ARGS);
	printf("kernel: starting init:");
	for (int i = 0; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
	if (proc_start_init(prog->start, (uint64_t)(prog->end - prog->start), argc, argv))
		kernel_halt(KSTATUS_USAGE, "cannot start %s", prog->name);
}

void guest_main(const struct guest_boot_args *args)
{
	console_init();
	save_boot_info(args);
	segments_init();
	trap_init();
	frame_init(ram, nr_ram, virt_to_phys(__kernel_end));
	paging_init();
	/* x87 instructions fault (#NM): the kernel saves no FPU state, and
	 * with CR4.OSFXSR clear SSE instructions raise #UD.  User programs
	 * are built with general-purpose registers only. */
	write_cr0(read_cr0() | CR0_EM);
	pic_init();
	timer_init();
	if (find_word("kfault"))
		kernel_fault_test();
	start_init();
	scheduler();
}
