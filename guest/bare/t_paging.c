/*
 * t_paging.c - page-table conformance: what 4-level paging must do, checked
 * access by access against the rules of the Intel SDM (Vol. 3, chapter 4).
 *
 * Boot: direct64.  ucall sequence: SYNC 1 .. SYNC 10 (one per group), DONE
 * (an ASSERT naming the case at the first mismatch).  Serial output, the
 * same on every engine that models the same CPU:
 *
 *   paging: <group>: <n> cases          one line per group, 10 lines
 *   paging: <N> cases checked
 *
 * The guest builds its own page tables, GDT, TSS and IDT.  One test page
 * is mapped at PT_TEST_BASE + its physical address through a chain of
 * entries that no other address uses (PML4 slot 1), so every A and D bit
 * in that chain belongs to the test alone.  A case rewrites the chain
 * (4 KiB, 2 MiB or 1 GiB page; some bits set or cleared at some levels),
 * runs INVLPG, makes one access (read, write, or fetch of a `ret` placed
 * in the page) at CPL 0 or CPL 3 with CR0.WP on or off, and compares what
 * happened -- fault or not, #PF error code, CR2, the data, and the A and D
 * bits left in every entry -- with pt_reference(), which applies the
 * SDM's rules to the same entries.  docs/paging-conformance.md lists the
 * groups and explains what is asserted and what is not.
 *
 * CPL 3 accesses go through trampolines in t_paging_asm.S: IRETQ to ring
 * 3, one access, ud2 back (the #PF or the #UD ends the trip).
 *
 * The reference is the architecture, not an implementation: the guest must
 * pass on the KVM engine (the host's paging, or on PVM KVM's own walker),
 * and the software engines must agree with it.  Where the SDM leaves a
 * choice (A bits after a fault, stale TLB entries), nothing is asserted;
 * the command line word `observe` prints what the engine did instead.
 *
 * Ring-0 code may be emulated at ~1 us per instruction (PVM), so the cases
 * are few (about 2,000) and the per-case path is short: no formatting
 * unless something fails.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot.h"
#include "console.h"
#include "cpu.h"
#include "guest_test.h"
#include "printf.h"
#include "string.h"

/* ---- paging-structure entries --------------------------------------------- */

/*
 * An entry at any level of 4-level paging (SDM Vol. 3 4.5, Tables 4-15..4-20):
 *
 *  63 62   59 58   52 51  M M-1                12 11 9 8 7 6 5 4 3 2 1 0
 * +--+-------+-------+-----+--------------------+----+-+-+-+-+-+-+-+-+-+
 * |XD| (PK) | ignored| rsvd| address of the next |ign |G|P|D|A|P|P|U|R|P|
 * |  |      |        |     | table or the page   |    | |S| | |C|W|S|W| |
 * +--+-------+-------+-----+--------------------+----+-+-+-+-+-+-+-+-+-+
 *   M = MAXPHYADDR (CPUID 0x80000008 EAX[7:0]); bits 51:M are reserved.
 *   PS: 1 GiB page in a PDPTE, 2 MiB page in a PDE, reserved in a PML4E,
 *       PAT in a PTE.  D and G mean something only in the leaf.
 *   A large leaf has PAT in bit 12 and reserved bits below its frame:
 *       20:13 (2 MiB), 29:13 (1 GiB).
 */
#define PG_P         (1ull << 0)
#define PG_RW        (1ull << 1)
#define PG_US        (1ull << 2)
#define PG_PWT       (1ull << 3)
#define PG_PCD       (1ull << 4)
#define PG_A         (1ull << 5)
#define PG_D         (1ull << 6)
#define PG_PS        (1ull << 7) /* PAT in a PTE */
#define PG_G         (1ull << 8)
#define PG_PAT_LARGE (1ull << 12)
#define PG_BIT13     (1ull << 13)
#define PG_BIT20     (1ull << 20)
#define PG_BIT29     (1ull << 29)
#define PG_BIT51     (1ull << 51)
#define PG_XD        (1ull << 63)
#define PG_IGNORED   0x07f0000000000e00ull /* 58:52 and 11:9 */
#define PG_ADDR      0x000ffffffffff000ull /* 51:12 */
#define PG_RSVD_2M   0x00000000001fe000ull /* 20:13 in a 2 MiB leaf */
#define PG_RSVD_1G   0x000000003fffe000ull /* 29:13 in a 1 GiB leaf */
#define PG_DEFAULT   (PG_P | PG_RW | PG_US)

/* Levels are numbered as in the SDM: the leaf of a 4 KiB page is 1. */
enum pt_level { PT_PTE = 1, PT_PDE = 2, PT_PDPTE = 3, PT_PML4E = 4 };
#define PT_LEVELS  4
#define PT_ENTRIES 512
#define PAGE_SIZE  4096

enum pt_size { PT_4K, PT_2M, PT_1G };
enum pt_access { ACC_READ, ACC_WRITE, ACC_FETCH, ACC_KINDS };

/* The #PF error code (SDM Vol. 3 4.7). */
#define PF_P    (1u << 0) /* 0: not present; 1: protection or reserved bit */
#define PF_W    (1u << 1) /* the access was a write */
#define PF_U    (1u << 2) /* the access was made at CPL 3 */
#define PF_RSVD (1u << 3) /* a reserved bit was set in a present entry */
#define PF_I    (1u << 4) /* an instruction fetch (only with NXE=1 or SMEP) */

/* Control bits the guest changes. */
#define CR0_WP   (1ull << 16)
#define CR4_PGE  (1ull << 7)
#define EFER_NXE (1ull << 11)

/* CPUID bits the guest reads. */
#define CPUID_1_EDX_PGE      (1u << 13)
#define CPUID_81_EDX_NX      (1u << 20)
#define CPUID_81_EDX_PAGE1GB (1u << 26)
#define CPUID_MAXPHYADDR     0x80000008u
#define MAXPHYADDR_MAX       52

/* ---- the rules ------------------------------------------------------------------- */

/* One access in one paging context. */
struct pt_env {
	enum pt_access access;
	bool user;    /* CPL 3 */
	bool wp, nxe; /* CR0.WP, EFER.NXE */
};

/* What the architecture says must happen. */
struct pt_expect {
	bool fault;
	uint32_t error; /* #PF error code */
	int stop;       /* level whose P=0 or reserved bit ended the walk, else 0 */
	int leaf;       /* level of the leaf, when the walk reached it */
};

#define RIGHT_USER  (1u << 0)
#define RIGHT_WRITE (1u << 1)
#define RIGHT_EXEC  (1u << 2)

static unsigned pt_maxphyaddr = 36; /* CPUID (36 if the leaf is missing) */
static bool pt_page1gb;             /* CPUID: 1 GiB pages */

/* Bits that must be zero in a present entry at `level` (Rule 3). */
static uint64_t pt_reserved_bits(int level, bool leaf, bool nxe)
{
	uint64_t m = 0;

	if (pt_maxphyaddr < MAXPHYADDR_MAX) /* 3a: address bits the CPU lacks */
		m |= PG_ADDR & ~((1ull << pt_maxphyaddr) - 1);
	if (!nxe) /* 3b: XD without EFER.NXE */
		m |= PG_XD;
	if (level == PT_PML4E) /* 3c: no 512 GiB pages */
		m |= PG_PS;
	if (level == PT_PDPTE && !pt_page1gb) /* 3d: no 1 GiB pages on this CPU */
		m |= PG_PS;
	if (leaf && level == PT_PDPTE) /* 3e: below a 1 GiB frame */
		m |= PG_RSVD_1G;
	if (leaf && level == PT_PDE) /* 3f: below a 2 MiB frame */
		m |= PG_RSVD_2M;
	return m;
}

/* Rule 7 (4.7): the error code bits that describe the access itself. */
static uint32_t pt_access_bits(const struct pt_env *env)
{
	uint32_t error = 0;

	if (env->access == ACC_WRITE)
		error |= PF_W;
	if (env->user)
		error |= PF_U;
	if (env->access == ACC_FETCH && env->nxe) /* I/D needs NXE (no SMEP here) */
		error |= PF_I;
	return error;
}

/* Rules 4-6 (4.6): may an access with these accumulated rights go ahead?
 * The CPU has no SMEP, SMAP or protection keys (CPUID offers none). */
static bool pt_rights_allow(unsigned rights, const struct pt_env *env)
{
	/* 4: a user access needs U/S=1 at every level */
	if (env->user && !(rights & RIGHT_USER))
		return false;
	/* 5: a write needs R/W=1 at every level, except a supervisor write
	 * with CR0.WP=0, which may write anywhere */
	if (env->access == ACC_WRITE && !(rights & RIGHT_WRITE))
		return !env->user && !env->wp;
	/* 6: with NXE=1 a fetch needs XD=0 at every level; a supervisor fetch
	 * from a user page is fine (that would be SMEP) */
	if (env->access == ACC_FETCH && !(rights & RIGHT_EXEC))
		return false;
	return true;
}

/*
 * pt_reference - what the SDM says an access does with these entries.
 * e[PT_PML4E] .. e[PT_PTE] are the entries the walk would read (lower
 * ones are ignored once a leaf is found).  Pure.
 *
 * Rule 1 (4.5): the walk reads PML4E, PDPTE, PDE, PTE in turn; a PDPTE or
 *   PDE with PS=1 maps the page itself (1 GiB, 2 MiB) and ends the walk.
 * Rule 2 (4.5): an entry with P=0 ends the walk with #PF, error P=0; no
 *   other bit of that entry matters (not even reserved ones).
 * Rule 3 (4.5, tables 4-15..4-20): a present entry with a reserved bit set
 *   ends the walk with #PF, error P=1 and RSVD=1.  Entries below it are
 *   never read, so their bits do not matter either.
 * Rules 4-6 (4.6): after a complete walk the access needs the rights of
 *   every level: U/S, R/W and XD accumulate (pt_rights_allow); otherwise
 *   #PF with P=1.
 * Rule 7 (4.7): W, U and I/D describe the access in every error code.
 * Rule 8 (4.8) is in pt_check_ad(): A bits, D bits.
 */
static struct pt_expect pt_reference(const uint64_t e[PT_LEVELS + 1],
                                     const struct pt_env *env)
{
	struct pt_expect x = {0};
	unsigned rights = RIGHT_USER | RIGHT_WRITE | RIGHT_EXEC;

	for (int level = PT_PML4E; level >= PT_PTE; level--) {
		uint64_t pte = e[level];
		bool leaf = level == PT_PTE ||
		            ((level == PT_PDE || level == PT_PDPTE) && (pte & PG_PS));

		if (!(pte & PG_P)) { /* Rule 2 */
			x.fault = true;
			x.stop = level;
			x.error = pt_access_bits(env);
			return x;
		}
		if (pte & pt_reserved_bits(level, leaf, env->nxe)) { /* Rule 3 */
			x.fault = true;
			x.stop = level;
			x.error = PF_P | PF_RSVD | pt_access_bits(env);
			return x;
		}
		if (!(pte & PG_US))
			rights &= ~RIGHT_USER;
		if (!(pte & PG_RW))
			rights &= ~RIGHT_WRITE;
		if (env->nxe && (pte & PG_XD))
			rights &= ~RIGHT_EXEC;
		if (leaf) { /* Rule 1 */
			x.leaf = level;
			break;
		}
	}
	if (!pt_rights_allow(rights, env)) { /* Rules 4-6 */
		x.fault = true;
		x.error = PF_P | pt_access_bits(env);
	}
	return x;
}

/* ---- the machine: GDT, TSS, IDT, page tables ------------------------------ */

#define SEL_KERNEL_CODE 0x08 /* the loader's selectors, kept */
#define SEL_KERNEL_DATA 0x18
#define SEL_TSS         0x20
#define SEL_USER_DATA   (0x30 | 3)
#define SEL_USER_CODE   (0x38 | 3)
#define GDT_SLOTS       8
#define RFLAGS_USER     0x2 /* interrupts stay off in ring 3 */

/* Flat descriptors: base 0, limit 4 GiB; code has L=1 (64-bit), data
 * D/B=1; type 0xa = execute/read, 0x2 = read/write; DPL 0 or 3. */
#define DESC_KERNEL_CODE64 0x00af9a000000ffffull
#define DESC_KERNEL_DATA   0x00cf92000000ffffull
#define DESC_USER_DATA     0x00cff2000000ffffull
#define DESC_USER_CODE64   0x00affa000000ffffull
#define DESC_TSS_AVAILABLE 0x9ull /* 64-bit TSS, not busy */
#define DESC_PRESENT       (1ull << 47)

/* The 64-bit TSS: only RSP0 is used, the stack for exceptions from ring 3. */
struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base; /* past the limit: no I/O permission bitmap */
} __attribute__((packed));

/* A 64-bit interrupt gate (see t_timer.c for the picture). */
struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));

#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define NR_EXCEPTIONS  32
#define STUB_SIZE      16
#define VEC_UD         6
#define VEC_PF         14

static uint64_t gdt[GDT_SLOTS] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
static struct idt_gate idt[NR_EXCEPTIONS] __attribute__((aligned(16)));
static uint8_t kernel_stack[PAGE_SIZE] __attribute__((aligned(16)));
static uint8_t user_stack[PAGE_SIZE] __attribute__((aligned(16)));

/*
 * Page tables.  CR3 -> id_pml4.  Slot 0 identity-maps the first 1 GiB with
 * 2 MiB pages, user and writable, so ring-3 trampolines, their stack and
 * ring-0 code all run there.  Slot 1 is the test chain: t_pdpt -> t_pd ->
 * t_pt -> test_page, rewritten by every case.
 */
#define PT_TEST_BASE (1ull << 39) /* PML4 slot 1: 512 GiB */
#define ID_MAP_PAGE  (1ull << 21)

static uint64_t id_pml4[PT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint64_t id_pdpt[PT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint64_t id_pd[PT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint64_t t_pdpt[PT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint64_t t_pd[PT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint64_t t_pt[PT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));

/* The page under test, and a second one for remapping.  Offsets of the
 * byte each kind of access touches (distinct, so CR2 tells them apart). */
static uint8_t test_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t alt_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
#define READ_OFF   0x10
#define WRITE_OFF  0x20
#define FETCH_OFF  0x30
#define READ_MARK  0xa5 /* test_page[READ_OFF] */
#define ALT_MARK   0x5a /* alt_page[READ_OFF] */
#define WRITE_MARK 0x77
#define OPCODE_RET 0xc3

static const uint64_t access_offset[ACC_KINDS] = {READ_OFF, WRITE_OFF, FETCH_OFF};

static uint64_t test_va;                       /* PT_TEST_BASE + &test_page */
static volatile uint64_t *slot[PT_LEVELS + 1]; /* the chain's entries */
static bool pt_nx, pt_pge;                     /* CPUID */

/* ---- privileged instructions ---------------------------------------------- */

/* Reload CR3 with its own value: flushes every non-global translation. */
static void flush_cr3(void)
{
	write_cr3((uint64_t)id_pml4);
}

/* Toggle CR4.PGE off and on: flushes global translations too. */
static void flush_pge(void)
{
	uint64_t cr4 = read_cr4();
	write_cr4(cr4 & ~CR4_PGE);
	write_cr4(cr4);
}

static bool cur_wp = true; /* the loader starts us with CR0.WP=1 */

static void set_wp(bool wp)
{
	if (wp != cur_wp)
		write_cr0(wp ? read_cr0() | CR0_WP : read_cr0() & ~CR0_WP);
	cur_wp = wp;
}

static void set_nxe(bool nxe)
{
	uint64_t efer = rdmsr(MSR_EFER);
	wrmsr(MSR_EFER, nxe ? efer | EFER_NXE : efer & ~EFER_NXE);
	flush_cr3();
}

/* ---- from t_paging_asm.S ---------------------------------------------------- */

/* What exc_common saved, lowest address first (t_paging_asm.S). */
struct pt_frame {
	uint64_t r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

/* The state pt_user_run() IRETQs to (offsets known to t_paging_asm.S). */
struct pt_user_entry {
	uint64_t rip, rsp, cs, ss, rflags, rdi, rsi;
};

extern const char pt_exception_stubs[];
uint8_t pt_probe_read(uint64_t address);
void pt_probe_write(uint64_t address, uint8_t value);
void pt_probe_fetch(uint64_t address);
extern const char pt_probe_resume[];
void pt_user_run(const struct pt_user_entry *e);
extern const char pt_user_read[], pt_user_read_done[];
extern const char pt_user_write[], pt_user_write_done[];
extern const char pt_user_fetch[], pt_user_fetch_done[];

static const char *const user_entry[ACC_KINDS] = {pt_user_read, pt_user_write,
                                                  pt_user_fetch};
static const char *const user_done[ACC_KINDS] = {pt_user_read_done, pt_user_write_done,
                                                 pt_user_fetch_done};

/* ---- the case being run, for reports ---------------------------------------- */

#define PT_MAX_EDITS 4

/* Set and clear bits in the entry at `level` (0: unused slot). */
struct pt_edit {
	int level;
	uint64_t set, clear;
};

/* One row of a case table: a page size and edits to the default chain.
 * Each row runs for every access kind, CPL and CR0.WP (12 cases). */
struct pt_row {
	enum pt_size size;
	const char *note; /* printed instead of the edits, if set */
	struct pt_edit edit[PT_MAX_EDITS];
};

static struct {
	const char *group;
	const struct pt_row *row; /* table groups */
	const char *scenario;     /* TLB group */
	const char *detail;       /* TLB group: how it flushes */
	const char *step;         /* the entry or the step being checked */
	struct pt_env env;
} cur;

/* The last exception, written by pt_exception(). */
#define NO_VECTOR 0xff /* trap.vector before the access raised anything */

static volatile struct {
	unsigned count;
	uint64_t vector, error, rip, cr2, rax;
} trap;
static volatile bool probing; /* a ring-0 probe is running: a #PF is expected */

static const char *const level_name[PT_LEVELS + 1] = {"-", "PTE", "PDE", "PDPTE",
                                                      "PML4E"};
static const char *const size_name[] = {"4K", "2M", "1G"};
static const char *const access_name[ACC_KINDS] = {"read", "write", "fetch"};
static const char *const bit_name[64] = {
    [0] = "P", [1] = "RW", [2] = "US", [3] = "PWT", [4] = "PCD",
    [5] = "A", [6] = "D",  [7] = "PS", [8] = "G",   [63] = "XD",
};

/* Append a formatted piece to buf (size bytes, always terminated). */
#define APPEND(buf, size, n, ...)                                                        \
	do {                                                                             \
		if ((n) < (size))                                                        \
			(n) += (size_t)snprintf((buf) + (n), (size) - (n), __VA_ARGS__); \
	} while (0)

static void describe_bits(char *buf, size_t size, size_t *n, uint64_t bits, int value)
{
	for (unsigned b = 0; b < 64; b++) {
		if (!(bits & (1ull << b)))
			continue;
		if (bit_name[b])
			APPEND(buf, size, *n, " %s=%d", bit_name[b], value);
		else
			APPEND(buf, size, *n, " bit%u=%d", b, value);
	}
}

/* The current case in words, e.g. "4K PDE RW=0 US=0, write at CPL3 WP=1". */
static void describe_case(char *buf, size_t size)
{
	size_t n = 0;

	APPEND(buf, size, n, "%s: ", cur.group);
	if (cur.row) {
		APPEND(buf, size, n, "%s", size_name[cur.row->size]);
		if (cur.row->note)
			APPEND(buf, size, n, " %s", cur.row->note);
		for (unsigned i = 0; !cur.row->note && i < PT_MAX_EDITS; i++) {
			const struct pt_edit *ed = &cur.row->edit[i];
			if (!ed->level)
				continue;
			APPEND(buf, size, n, " %s", level_name[ed->level]);
			describe_bits(buf, size, &n, ed->clear, 0);
			describe_bits(buf, size, &n, ed->set, 1);
		}
	} else if (cur.scenario) {
		APPEND(buf, size, n, "%s", cur.scenario);
	}
	if (cur.detail)
		APPEND(buf, size, n, " (%s)", cur.detail);
	if (cur.step)
		APPEND(buf, size, n, ", %s", cur.step);
	APPEND(buf, size, n, ", %s at CPL%d WP=%d NXE=%d", access_name[cur.env.access],
	       cur.env.user ? 3 : 0, cur.env.wp, cur.env.nxe);
}

/* Report a mismatch: the whole story on the serial line, then the ASSERT. */
static __attribute__((noreturn)) void pt_mismatch(int line, const char *what,
                                                  uint64_t got, uint64_t want)
{
	char name[200];

	describe_case(name, sizeof(name));
	printf("paging: MISMATCH in %s\n", name);
	printf("paging:   %s: got 0x%llx, expected 0x%llx\n", what,
	       (unsigned long long)got, (unsigned long long)want);
	if (trap.vector != NO_VECTOR)
		printf("paging:   exception: vector %llu error 0x%llx rip 0x%llx cr2 "
		       "0x%llx\n",
		       (unsigned long long)trap.vector, (unsigned long long)trap.error,
		       (unsigned long long)trap.rip, (unsigned long long)trap.cr2);
	else
		printf("paging:   no exception during the access\n");
	guest_ucall_assert(__FILE__, (unsigned)line, got, want,
	                   "%s: %s: 0x%llx != 0x%llx", name, what,
	                   (unsigned long long)got, (unsigned long long)want);
}

/* Like GUEST_ASSERT_EQ, naming the current case. */
#define CHECK_EQ(what, got, want)                                                        \
	do {                                                                             \
		uint64_t got_ = (uint64_t)(got), want_ = (uint64_t)(want);               \
		if (got_ != want_)                                                       \
			pt_mismatch(__LINE__, (what), got_, want_);                      \
	} while (0)

/* ---- exceptions -------------------------------------------------------------- */

int pt_exception(struct pt_frame *f);

/*
 * pt_exception - called by exc_common (t_paging_asm.S) for every
 * exception.  Records it; returns 1 if it came from CPL 3 (the trip to
 * ring 3 is over), 0 to IRETQ to *f.  A #PF during a ring-0 probe resumes
 * at pt_probe_resume.  Anything else in ring 0 ends the test.
 */
int pt_exception(struct pt_frame *f)
{
	trap.vector = f->vector;
	trap.error = f->error;
	trap.rip = f->rip;
	trap.rax = f->rax;
	trap.cr2 = f->vector == VEC_PF ? read_cr2() : 0;
	trap.count++;
	if ((f->cs & 3) == 3)
		return 1;
	if (f->vector == VEC_PF && probing) {
		probing = false;
		f->rip = (uint64_t)pt_probe_resume;
		return 0;
	}
	pt_mismatch(__LINE__, "unexpected exception in ring 0 (vector)", f->vector,
	            VEC_PF);
}

/* ---- one access --------------------------------------------------------------- */

struct pt_outcome {
	bool fault;
	uint32_t error;
	uint64_t cr2;
	uint8_t value; /* the byte a read returned */
};

/*
 * pt_access_once - read, write or fetch at `addr`, at CPL 0 or 3.  A write
 * stores WRITE_MARK; a fetch calls a `ret` expected at addr.  Returns
 * whether a #PF happened and its error code and CR2.  Any other exception
 * (or a #UD elsewhere than after the access) ends the test.
 */
static struct pt_outcome pt_access_once(enum pt_access access, bool user, uint64_t addr)
{
	struct pt_outcome out = {0};
	unsigned count = trap.count;

	trap.vector = NO_VECTOR;
	if (!user) {
		probing = true;
		if (access == ACC_READ)
			out.value = pt_probe_read(addr);
		else if (access == ACC_WRITE)
			pt_probe_write(addr, WRITE_MARK);
		else
			pt_probe_fetch(addr);
		probing = false;
		out.fault = trap.count != count;
	} else {
		struct pt_user_entry e = {
		    .rip = (uint64_t)user_entry[access],
		    .rsp = (uint64_t)(user_stack + sizeof(user_stack)),
		    .cs = SEL_USER_CODE,
		    .ss = SEL_USER_DATA,
		    .rflags = RFLAGS_USER,
		    .rdi = addr,
		    .rsi = WRITE_MARK,
		};
		pt_user_run(&e);
		out.fault = trap.vector == VEC_PF;
		if (!out.fault) {
			CHECK_EQ("exception ending the ring-3 trip", trap.vector, VEC_UD);
			CHECK_EQ("where ring 3 stopped", trap.rip,
			         (uint64_t)user_done[access]);
			out.value = (uint8_t)trap.rax;
		}
	}
	if (out.fault) {
		out.error = (uint32_t)trap.error;
		out.cr2 = trap.cr2;
	}
	return out;
}

#define ANY_VALUE (-1)

/* Check an outcome against the reference: fault, error code, CR2, data
 * (want_value: the byte a read must return, or ANY_VALUE). */
static void pt_check_outcome(const struct pt_expect *want, const struct pt_outcome *got,
                             uint64_t addr, int want_value)
{
	CHECK_EQ("page fault", got->fault, want->fault);
	if (want->fault) {
		CHECK_EQ("#PF error code", got->error, want->error);
		CHECK_EQ("CR2", got->cr2, addr);
	} else if (cur.env.access == ACC_READ && want_value != ANY_VALUE) {
		CHECK_EQ("byte read", got->value, want_value);
	}
	if (cur.env.access == ACC_WRITE)
		CHECK_EQ("byte in memory after the write", test_page[WRITE_OFF],
		         want->fault ? 0 : WRITE_MARK);
}

/* ---- the test chain ---------------------------------------------------------- */

static int leaf_level(enum pt_size size)
{
	return size == PT_1G ? PT_PDPTE : size == PT_2M ? PT_PDE : PT_PTE;
}

/* The default chain mapping test_va to the 4 KiB page at `page` with the
 * given page size: every level present, writable, user, A=D=0. */
static void chain_default(enum pt_size size, uint64_t page, uint64_t e[PT_LEVELS + 1])
{
	e[PT_PML4E] = (uint64_t)t_pdpt | PG_DEFAULT;
	e[PT_PDPTE] = (uint64_t)t_pd | PG_DEFAULT;
	e[PT_PDE] = (uint64_t)t_pt | PG_DEFAULT;
	e[PT_PTE] = page | PG_DEFAULT;
	if (size == PT_2M)
		e[PT_PDE] = (page & ~(ID_MAP_PAGE - 1)) | PG_DEFAULT | PG_PS;
	if (size == PT_1G)
		e[PT_PDPTE] = (page & ~((1ull << 30) - 1)) | PG_DEFAULT | PG_PS;
}

/* Write the chain's entries down to the leaf, then INVLPG test_va. */
static void chain_write(enum pt_size size, const uint64_t e[PT_LEVELS + 1])
{
	for (int level = PT_PML4E; level >= leaf_level(size); level--)
		*slot[level] = e[level];
	invlpg(test_va);
}

static void chain_read(enum pt_size size, uint64_t e[PT_LEVELS + 1])
{
	for (int level = PT_PML4E; level >= leaf_level(size); level--)
		e[level] = *slot[level];
}

/* ---- A and D bits ----------------------------------------------------------- */

/* `observe`: A bits a faulting walk set, per fault kind, as a level mask. */
enum { OBS_NOT_PRESENT, OBS_RESERVED, OBS_PROTECTION, OBS_KINDS };
static bool observe;
static unsigned obs_a[OBS_KINDS][1u << (PT_LEVELS + 1)];

/*
 * pt_check_ad - Rule 8 (SDM 4.8, 4.10.4.3): the A and D bits after an
 * access, in the chain's entries from the PML4E down to `bottom` (the
 * lowest level written for the case).  Asserted:
 *   - the CPU changes nothing in an entry but A and D, and never clears
 *     them ("sticky");
 *   - after a successful access, A=1 in every entry of the walk; D=1 in the
 *     leaf exactly when it was set before or the access wrote; D never set
 *     above the leaf (bit 6 is ignored there);
 *   - after a fault, D is not set anywhere (no write happened) and an entry
 *     with P=0 is not touched;
 *   - entries below the one that ended the walk (the leaf, or the entry
 *     with P=0 or a reserved bit) are not touched: the walk never read them.
 * Not asserted: A bits after a fault in entries the walk did use (all of
 * them on a protection fault, those above the stopping entry otherwise).
 * The SDM lets the CPU set them or not; `observe` prints what it did.
 */
static void pt_check_ad(int bottom, const uint64_t before[], const uint64_t after[],
                        const struct pt_expect *want)
{
	int last = want->stop ? want->stop : want->leaf; /* the walk's last entry */
	unsigned newly_a = 0;

	for (int level = PT_PML4E; level >= bottom; level--) {
		uint64_t newly = after[level] & ~before[level];

		cur.step = level_name[level];
		CHECK_EQ("entry bits the CPU cleared", before[level] & ~after[level], 0);
		CHECK_EQ("entry bits other than A, D the CPU set", newly & ~(PG_A | PG_D),
		         0);
		if (level < last || (level == want->stop && !(before[level] & PG_P)))
			CHECK_EQ("entry the walk did not use changed", newly, 0);
		else if (want->fault)
			CHECK_EQ("D set by a faulting access", newly & PG_D, 0);
		else if (level > last)
			CHECK_EQ("D set above the leaf", newly & PG_D, 0);
		if (!want->fault && level >= last)
			CHECK_EQ("A after a successful access", after[level] & PG_A,
			         PG_A);
		if (!want->fault && level == last)
			CHECK_EQ("D in the leaf", after[level] & PG_D,
			         (before[level] & PG_D) |
			             (cur.env.access == ACC_WRITE ? PG_D : 0));
		if (newly & PG_A)
			newly_a |= 1u << level;
	}
	cur.step = NULL;
	if (want->fault)
		obs_a[!(want->error & PF_P)     ? OBS_NOT_PRESENT
		      : (want->error & PF_RSVD) ? OBS_RESERVED
		                                : OBS_PROTECTION][newly_a]++;
}

/* ---- the table groups ----------------------------------------------------------- */

static unsigned cases; /* checked so far */

/* Run one chain (from a row) for one access kind, CPL and WP. */
static void pt_run(enum pt_size size, const uint64_t e[PT_LEVELS + 1])
{
	uint64_t after[PT_LEVELS + 1];
	uint64_t addr = test_va + access_offset[cur.env.access];
	struct pt_expect want = pt_reference(e, &cur.env);
	struct pt_outcome got;

	chain_write(size, e);
	got = pt_access_once(cur.env.access, cur.env.user, addr);
	chain_read(size, after);
	pt_check_outcome(&want, &got, addr, READ_MARK);
	pt_check_ad(leaf_level(size), e, after, &want);
	test_page[WRITE_OFF] = 0;
	cases++;
}

/* Can this CPU run the row?  1 GiB pages need Page1GB; bit 51 must be
 * reserved, i.e. MAXPHYADDR < 52.  (Without NX the XD rows still run: with
 * NXE=0 the reference expects a reserved-bit fault.) */
static bool row_supported(const struct pt_row *row)
{
	if (row->size == PT_1G && !pt_page1gb)
		return false;
	for (unsigned i = 0; i < PT_MAX_EDITS; i++)
		if ((row->edit[i].set & PG_BIT51) && pt_maxphyaddr >= MAXPHYADDR_MAX)
			return false;
	return true;
}

/* A row times every access kind, CPL and CR0.WP: 12 cases. */
static void pt_run_row(const struct pt_row *row, bool nxe)
{
	uint64_t e[PT_LEVELS + 1];

	if (!row_supported(row))
		return;
	chain_default(row->size, (uint64_t)test_page, e);
	for (unsigned i = 0; i < PT_MAX_EDITS; i++) {
		const struct pt_edit *ed = &row->edit[i];
		if (ed->level)
			e[ed->level] = (e[ed->level] & ~ed->clear) | ed->set;
	}
	cur.row = row;
	for (int wp = 1; wp >= 0; wp--) {
		set_wp(wp);
		for (int user = 0; user <= 1; user++) {
			for (int a = 0; a < ACC_KINDS; a++) {
				cur.env = (struct pt_env){a, user, wp, nxe};
				pt_run(row->size, e);
			}
		}
	}
	set_wp(true);
	cur.row = NULL;
}

/* clang-format off */
#define EDIT(level, set, clear) { (level), (set), (clear) }
#define ROW(size, ...)          { (size), NULL, { __VA_ARGS__ } }
#define NOTE(size, note, ...)   { (size), (note), { __VA_ARGS__ } }
#define NONE                    EDIT(0, 0, 0)
#define ALL_LEVELS(set, clear)                                                    \
	EDIT(PT_PML4E, set, clear), EDIT(PT_PDPTE, set, clear),                   \
	EDIT(PT_PDE, set, clear), EDIT(PT_PTE, set, clear)
/* clang-format on */

/* Group 1: nothing restricted, every page size. */
static const struct pt_row rows_open[] = {
    ROW(PT_4K, NONE),
    ROW(PT_2M, NONE),
    ROW(PT_1G, NONE),
};

/* Group 5: not-present entries. */
static const struct pt_row rows_not_present[] = {
    ROW(PT_4K, EDIT(PT_PML4E, 0, PG_P)),
    ROW(PT_4K, EDIT(PT_PDPTE, 0, PG_P)),
    ROW(PT_4K, EDIT(PT_PDE, 0, PG_P)),
    ROW(PT_4K, EDIT(PT_PTE, 0, PG_P)),
    ROW(PT_2M, EDIT(PT_PDE, 0, PG_P)),
    ROW(PT_1G, EDIT(PT_PDPTE, 0, PG_P)),
    /* P=0 and every other bit set: reserved bits do not matter (Rule 2) */
    NOTE(PT_4K, "PML4E = all ones but P", EDIT(PT_PML4E, ~PG_P, PG_P)),
    NOTE(PT_4K, "PDPTE = all ones but P", EDIT(PT_PDPTE, ~PG_P, PG_P)),
    NOTE(PT_4K, "PDE = all ones but P", EDIT(PT_PDE, ~PG_P, PG_P)),
    NOTE(PT_4K, "PTE = all ones but P", EDIT(PT_PTE, ~PG_P, PG_P)),
    /* a missing right above does not turn P=0 below into a protection fault */
    ROW(PT_4K, EDIT(PT_PML4E, PG_XD, PG_US | PG_RW), EDIT(PT_PTE, 0, PG_P)),
};

/* Group 6: reserved bits (Rule 3). */
static const struct pt_row rows_reserved[] = {
    ROW(PT_4K, EDIT(PT_PML4E, PG_BIT51, 0)),
    ROW(PT_4K, EDIT(PT_PDPTE, PG_BIT51, 0)),
    ROW(PT_4K, EDIT(PT_PDE, PG_BIT51, 0)),
    ROW(PT_4K, EDIT(PT_PTE, PG_BIT51, 0)),
    ROW(PT_2M, EDIT(PT_PDE, PG_BIT51, 0)),
    ROW(PT_1G, EDIT(PT_PDPTE, PG_BIT51, 0)),
    ROW(PT_4K, EDIT(PT_PML4E, PG_PS, 0)),
    ROW(PT_2M, EDIT(PT_PDE, PG_BIT13, 0)),
    ROW(PT_2M, EDIT(PT_PDE, PG_BIT20, 0)),
    ROW(PT_1G, EDIT(PT_PDPTE, PG_BIT13, 0)),
    ROW(PT_1G, EDIT(PT_PDPTE, PG_BIT29, 0)),
    /* PS in a PDPTE is reserved unless CPUID offers 1 GiB pages (Rule 3d);
     * with them, this maps test_va through a 1 GiB page at frame 0 */
    NOTE(PT_4K, "PDPTE PS=1 frame 0 (1G page or reserved bit)",
         EDIT(PT_PDPTE, PG_PS, PG_ADDR)),
    /* order: a reserved bit below wins over missing rights above ... */
    ROW(PT_4K, EDIT(PT_PML4E, PG_XD, PG_US | PG_RW), EDIT(PT_PTE, PG_BIT51, 0)),
    /* ... the walk stops at the first bad entry from the top ... */
    ROW(PT_4K, EDIT(PT_PDE, 0, PG_P), EDIT(PT_PTE, PG_BIT51, 0)),
    ROW(PT_4K, EDIT(PT_PDPTE, PG_BIT51, 0), EDIT(PT_PTE, 0, PG_P)),
};

/* Group 7: bits that must not change the outcome. */
static const struct pt_row rows_ignored[] = {
    ROW(PT_4K, EDIT(PT_PML4E, PG_IGNORED, 0)),
    ROW(PT_4K, EDIT(PT_PDPTE, PG_IGNORED, 0)),
    ROW(PT_4K, EDIT(PT_PDE, PG_IGNORED, 0)),
    ROW(PT_4K, EDIT(PT_PTE, PG_IGNORED, 0)),
    ROW(PT_2M, EDIT(PT_PDE, PG_IGNORED, 0)),
    ROW(PT_1G, EDIT(PT_PDPTE, PG_IGNORED, 0)),
    /* A and D already set (D above the leaf is ignored) */
    ROW(PT_4K, ALL_LEVELS(PG_A | PG_D, 0)),
    ROW(PT_2M, EDIT(PT_PML4E, PG_A | PG_D, 0), EDIT(PT_PDPTE, PG_A | PG_D, 0),
        EDIT(PT_PDE, PG_A | PG_D, 0)),
    ROW(PT_1G, EDIT(PT_PML4E, PG_A | PG_D, 0), EDIT(PT_PDPTE, PG_A | PG_D, 0)),
    /* global leaves (CR4.PGE=1) */
    ROW(PT_4K, EDIT(PT_PTE, PG_G, 0)),
    ROW(PT_2M, EDIT(PT_PDE, PG_G, 0)),
    ROW(PT_1G, EDIT(PT_PDPTE, PG_G, 0)),
    /* caching attributes: PWT, PCD; PAT (bit 7 in a PTE, 12 in a large leaf) */
    ROW(PT_4K, ALL_LEVELS(PG_PWT | PG_PCD, 0)),
    NOTE(PT_4K, "PTE PAT=1 (bit 7)", EDIT(PT_PTE, PG_PS, 0)),
    ROW(PT_2M, EDIT(PT_PDE, PG_PAT_LARGE, 0)),
    ROW(PT_1G, EDIT(PT_PDPTE, PG_PAT_LARGE, 0)),
};

/* Group 8, run with EFER.NXE=0: XD is a reserved bit, fetches are never
 * refused for XD, and the I/D bit of the error code stays 0. */
static const struct pt_row rows_nxe_off[] = {
    ROW(PT_4K, NONE),
    ROW(PT_2M, NONE),
    ROW(PT_1G, NONE),
    ROW(PT_4K, EDIT(PT_PML4E, PG_XD, 0)),
    ROW(PT_4K, EDIT(PT_PDPTE, PG_XD, 0)),
    ROW(PT_4K, EDIT(PT_PDE, PG_XD, 0)),
    ROW(PT_4K, EDIT(PT_PTE, PG_XD, 0)),
    ROW(PT_2M, EDIT(PT_PDE, PG_XD, 0)),
    ROW(PT_1G, EDIT(PT_PDPTE, PG_XD, 0)),
    ROW(PT_4K, EDIT(PT_PTE, 0, PG_P)),
    ROW(PT_4K, EDIT(PT_PTE, 0, PG_RW)),
    ROW(PT_4K, EDIT(PT_PDE, 0, PG_US)),
    ROW(PT_4K, EDIT(PT_PTE, PG_BIT51, 0)),
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The three rights an entry can take away, as one edit each. */
static const struct pt_edit take_right[3] = {
    EDIT(0, 0, PG_RW),
    EDIT(0, 0, PG_US),
    EDIT(0, PG_XD, 0),
};

/* Groups 2-4: every combination of RW=0, US=0, XD=1 (7) at each level of
 * the chain of one page size. */
static void run_rights_one_level(enum pt_size size)
{
	for (int level = PT_PML4E; level >= leaf_level(size); level--) {
		for (unsigned mask = 1; mask < 8; mask++) {
			struct pt_row row = {size, NULL, {NONE}};
			row.edit[0].level = level;
			for (unsigned r = 0; r < 3; r++) {
				if (mask & (1u << r)) {
					row.edit[0].set |= take_right[r].set;
					row.edit[0].clear |= take_right[r].clear;
				}
			}
			pt_run_row(&row, pt_nx);
		}
	}
}

/* Group 9: two rights taken away at two different levels of the chain
 * (of a 4 KiB page), for every ordered pair of levels: rights accumulate. */
static void run_rights_two_levels(enum pt_size size)
{
	for (int la = PT_PML4E; la >= leaf_level(size); la--) {
		for (int lb = PT_PML4E; lb >= leaf_level(size); lb--) {
			for (unsigned r = 0; la != lb && r < 3; r++) {
				const struct pt_edit *x = &take_right[r],
				                     *y = &take_right[(r + 1) % 3];
				struct pt_row row = {
				    size,
				    NULL,
				    {EDIT(la, x->set, x->clear),
				     EDIT(lb, y->set, y->clear)},
				};
				pt_run_row(&row, pt_nx);
			}
		}
	}
}

/* ---- group 10: TLB invalidation ---------------------------------------------- */

/*
 * What the SDM guarantees about cached translations (4.10.4):
 *   - after INVLPG of an address, or a CR3 write for non-global pages, or
 *     CR4.PGE toggled for all pages, the entries in memory rule;
 *   - INVLPG of any address in a large page invalidates all of it;
 *   - P 0->1 needs no invalidation (a not-present entry is never cached);
 *   - RW 0->1, US 0->1, XD 1->0 without invalidation: at most one spurious
 *     #PF, after which the new rights rule (a #PF invalidates the
 *     faulting address's translations).
 * Not guaranteed, hence not asserted: that a stale translation is still
 * used before the invalidation, or that a global one survives CR3.
 */
static unsigned obs_stale, obs_stale_tries, obs_global_stale, obs_global_tries;
static unsigned obs_spurious, obs_spurious_tries;

/* One asserted access in a TLB scenario (CR0.WP=1); the reference judges
 * the entries as they are in memory now.  A read of test_va + READ_OFF
 * must return the mark of the page the chain maps. */
static void tlb_expect(const char *step, enum pt_size size, const uint64_t e[],
                       enum pt_access a, bool user, uint64_t addr)
{
	struct pt_outcome got;
	struct pt_expect want;
	int value = ANY_VALUE;

	if (addr == test_va + READ_OFF)
		value = size == PT_4K && (e[PT_PTE] & PG_ADDR) == (uint64_t)alt_page
		            ? ALT_MARK
		            : READ_MARK;
	cur.step = step;
	cur.env = (struct pt_env){a, user, true, pt_nx};
	want = pt_reference(e, &cur.env);
	got = pt_access_once(a, user, addr);
	pt_check_outcome(&want, &got, addr, value);
	test_page[WRITE_OFF] = 0;
	cases++;
}

/* An access whose outcome the SDM leaves open; true if it behaved as the
 * old (stale) entries would. */
static bool tlb_try(enum pt_access a, bool user, bool was_remap)
{
	struct pt_outcome got = pt_access_once(a, user, test_va + access_offset[a]);

	test_page[WRITE_OFF] = 0;
	return !got.fault && (!was_remap || got.value == READ_MARK);
}

/* A change that takes something away, and the access that shows it. */
struct tlb_change {
	const char *name;
	int level;
	uint64_t set, clear;
	enum pt_access access;
	bool user_only; /* U/S matters only at CPL 3 */
	bool remap;     /* instead of set/clear: point the entry at alt_page */
};

static const struct tlb_change tlb_changes[] = {
    {"PTE P 1->0", PT_PTE, 0, PG_P, ACC_READ, false, false},
    {"PTE RW 1->0", PT_PTE, 0, PG_RW, ACC_WRITE, false, false},
    {"PDPTE RW 1->0", PT_PDPTE, 0, PG_RW, ACC_WRITE, false, false},
    {"PDE US 1->0", PT_PDE, 0, PG_US, ACC_READ, true, false},
    {"PML4E XD 0->1", PT_PML4E, PG_XD, 0, ACC_FETCH, false, false},
    {"PTE frame -> another page", PT_PTE, 0, 0, ACC_READ, false, true},
};

enum tlb_flush { FLUSH_INVLPG, FLUSH_CR3, FLUSH_PGE, FLUSH_KINDS };
static const char *const flush_name[FLUSH_KINDS] = {"INVLPG", "CR3 write",
                                                    "CR4.PGE toggle"};

static void tlb_flush(enum tlb_flush how)
{
	if (how == FLUSH_INVLPG)
		invlpg(test_va);
	else if (how == FLUSH_CR3)
		flush_cr3();
	else
		flush_pge();
}

/* Access, change an entry without invalidating, flush, access again. */
static void tlb_change_scenario(const struct tlb_change *c, bool user, bool global,
                                enum tlb_flush how)
{
	uint64_t e[PT_LEVELS + 1];
	bool remap = c->remap;

	cur.scenario = c->name;
	cur.detail = flush_name[how];
	chain_default(PT_4K, (uint64_t)test_page, e);
	if (global)
		e[PT_PTE] |= PG_G;
	chain_write(PT_4K, e);
	tlb_expect("before the change", PT_4K, e, c->access, user,
	           test_va + access_offset[c->access]);
	if (remap)
		e[c->level] = (e[c->level] & ~PG_ADDR) | (uint64_t)alt_page;
	else
		e[c->level] = (e[c->level] & ~c->clear) | c->set;
	*slot[c->level] = e[c->level];
	obs_stale += tlb_try(c->access, user, remap);
	obs_stale_tries++;
	tlb_flush(how);
	if (global &&
	    how == FLUSH_CR3) { /* a global page may survive: look, then INVLPG */
		obs_global_stale += tlb_try(c->access, user, remap);
		obs_global_tries++;
		invlpg(test_va);
	}
	tlb_expect(global ? "after the flush (global leaf)" : "after the flush", PT_4K, e,
	           c->access, user, test_va + access_offset[c->access]);
	cur.detail = NULL;
}

/* A change that gives something back: no invalidation is needed (P), or at
 * most one spurious fault happens (RW, US, XD). */
struct tlb_relax {
	const char *name;
	int level;
	uint64_t set, clear; /* the restriction, undone without invalidating */
	enum pt_access access;
	bool user_only, spurious_allowed;
};

static const struct tlb_relax tlb_relaxes[] = {
    {"PTE P 0->1", PT_PTE, 0, PG_P, ACC_READ, false, false},
    {"PDE P 0->1", PT_PDE, 0, PG_P, ACC_READ, false, false},
    {"PTE RW 0->1", PT_PTE, 0, PG_RW, ACC_WRITE, false, true},
    {"PDPTE US 0->1", PT_PDPTE, 0, PG_US, ACC_READ, true, true},
    {"PTE XD 1->0", PT_PTE, PG_XD, 0, ACC_FETCH, false, true},
};

static void tlb_relax_scenario(const struct tlb_relax *r, bool user)
{
	uint64_t e[PT_LEVELS + 1];
	uint64_t addr = test_va + access_offset[r->access];

	cur.scenario = r->name;
	chain_default(PT_4K, (uint64_t)test_page, e);
	e[r->level] = (e[r->level] & ~r->clear) | r->set;
	chain_write(PT_4K, e);
	tlb_expect("restricted", PT_4K, e, r->access, user, addr);
	e[r->level] = (e[r->level] | r->clear) & ~r->set;
	*slot[r->level] = e[r->level];
	if (r->spurious_allowed) {
		struct pt_outcome got = pt_access_once(r->access, user, addr);
		obs_spurious_tries++;
		if (got.fault) { /* allowed once: exactly the old fault (cur.env is
			          * still the access of the step above) */
			obs_spurious++;
			cur.step = "spurious fault";
			CHECK_EQ("#PF error code", got.error,
			         PF_P | pt_access_bits(&cur.env));
			CHECK_EQ("CR2", got.cr2, addr);
		} else {
			test_page[WRITE_OFF] = 0;
		}
	}
	tlb_expect("given back", PT_4K, e, r->access, user, addr);
}

/* INVLPG of one 4 KiB piece of a large page drops all of the large page. */
static void tlb_large_scenario(enum pt_size size, bool user)
{
	uint64_t e[PT_LEVELS + 1];
	uint64_t other = (test_va ^ (size == PT_2M ? PAGE_SIZE : ID_MAP_PAGE)) + READ_OFF;
	int leaf = leaf_level(size);

	cur.scenario = size == PT_2M ? "2M leaf RW 1->0, INVLPG of another 4K piece"
	                             : "1G leaf RW 1->0, INVLPG of another 2M piece";
	chain_default(size, (uint64_t)test_page, e);
	chain_write(size, e);
	tlb_expect("write before", size, e, ACC_WRITE, user, test_va + WRITE_OFF);
	tlb_expect("read of the other piece", size, e, ACC_READ, user, other);
	e[leaf] &= ~PG_RW;
	*slot[leaf] = e[leaf];
	invlpg(other & ~(uint64_t)(PAGE_SIZE - 1));
	tlb_expect("write after", size, e, ACC_WRITE, user, test_va + WRITE_OFF);
}

static void run_tlb(enum pt_size unused)
{
	(void)unused;
	set_wp(true);
	for (int user = 0; user <= 1; user++) {
		for (unsigned i = 0; i < ARRAY_LEN(tlb_changes); i++) {
			const struct tlb_change *c = &tlb_changes[i];
			if ((c->user_only && !user) || (c->set == PG_XD && !pt_nx))
				continue;
			for (int global = 0; global <= (int)pt_pge; global++)
				for (int how = 0; how < FLUSH_KINDS; how++)
					if (how != FLUSH_PGE || pt_pge)
						tlb_change_scenario(c, user, global, how);
		}
		for (unsigned i = 0; i < ARRAY_LEN(tlb_relaxes); i++) {
			const struct tlb_relax *r = &tlb_relaxes[i];
			if ((r->user_only && !user) || (r->set == PG_XD && !pt_nx))
				continue;
			tlb_relax_scenario(r, user);
		}
		tlb_large_scenario(PT_2M, user);
		if (pt_page1gb)
			tlb_large_scenario(PT_1G, user);
	}
	cur.scenario = cur.step = cur.detail = NULL;
}

/* ---- setup ----------------------------------------------------------------------- */

static void cpu_probe(void)
{
	uint32_t r[4];

	cpuid(1, r);
	pt_pge = r[3] & CPUID_1_EDX_PGE;
	cpuid(0x80000000u, r);
	if (r[0] >= CPUID_MAXPHYADDR) {
		cpuid(CPUID_MAXPHYADDR, r);
		pt_maxphyaddr = r[0] & 0xff;
	}
	cpuid(0x80000001u, r);
	pt_nx = r[3] & CPUID_81_EDX_NX;
	pt_page1gb = r[3] & CPUID_81_EDX_PAGE1GB;
}

/* Our own GDT (with ring-3 segments) and TSS (with RSP0), loaded. */
static void setup_segments(void)
{
	uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;
	struct desc_ptr ptr = {.limit = sizeof(gdt) - 1, .base = (uint64_t)gdt};

	tss.rsp[0] = (uint64_t)(kernel_stack + sizeof(kernel_stack));
	tss.iomap_base = sizeof(tss);
	gdt[SEL_KERNEL_CODE / 8] = DESC_KERNEL_CODE64;
	gdt[SEL_KERNEL_DATA / 8] = DESC_KERNEL_DATA;
	gdt[SEL_TSS / 8] = (limit & 0xffff) | (base & 0xffffff) << 16 |
	                   DESC_TSS_AVAILABLE << 40 | DESC_PRESENT |
	                   ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
	gdt[SEL_TSS / 8 + 1] = base >> 32;
	gdt[SEL_USER_DATA / 8] = DESC_USER_DATA;
	gdt[SEL_USER_CODE / 8] = DESC_USER_CODE64;
	__asm__ volatile("lgdt %0" : : "m"(ptr) : "memory");
	/* reload CS from our GDT with a far return, then the data segments */
	__asm__ volatile("pushq %0; leaq 1f(%%rip), %%rax; pushq %%rax; lretq; 1:"
	                 :
	                 : "i"(SEL_KERNEL_CODE)
	                 : "rax", "memory");
	__asm__ volatile("mov %k0, %%ds; mov %k0, %%es; mov %k0, %%ss"
	                 :
	                 : "r"(SEL_KERNEL_DATA));
	__asm__ volatile("ltr %w0" : : "r"(SEL_TSS));
}

static void setup_idt(void)
{
	struct desc_ptr ptr = {.limit = sizeof(idt) - 1, .base = (uint64_t)idt};

	for (unsigned v = 0; v < NR_EXCEPTIONS; v++) {
		uint64_t handler = (uint64_t)(pt_exception_stubs + v * STUB_SIZE);
		idt[v] = (struct idt_gate){
		    .offset_low = (uint16_t)handler,
		    .selector = SEL_KERNEL_CODE,
		    .type_attr = GATE_INTERRUPT,
		    .offset_mid = (uint16_t)(handler >> 16),
		    .offset_high = (uint32_t)(handler >> 32),
		};
	}
	cpu_lidt(&ptr);
}

/* Identity map (slot 0) and the test chain's slots (slot 1); CR3, PGE. */
static void setup_paging(void)
{
	id_pml4[0] = (uint64_t)id_pdpt | PG_DEFAULT;
	id_pdpt[0] = (uint64_t)id_pd | PG_DEFAULT;
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		id_pd[i] = i * ID_MAP_PAGE | PG_DEFAULT | PG_PS;

	test_va = PT_TEST_BASE + (uint64_t)test_page;
	slot[PT_PML4E] = &id_pml4[(test_va >> 39) & (PT_ENTRIES - 1)];
	slot[PT_PDPTE] = &t_pdpt[(test_va >> 30) & (PT_ENTRIES - 1)];
	slot[PT_PDE] = &t_pd[(test_va >> 21) & (PT_ENTRIES - 1)];
	slot[PT_PTE] = &t_pt[(test_va >> 12) & (PT_ENTRIES - 1)];

	test_page[READ_OFF] = READ_MARK;
	test_page[FETCH_OFF] = OPCODE_RET;
	alt_page[READ_OFF] = ALT_MARK;
	alt_page[FETCH_OFF] = OPCODE_RET;

	flush_cr3();
	if (pt_pge)
		write_cr4(read_cr4() | CR4_PGE);
	if (pt_nx)
		set_nxe(true);
}

/* ---- main ---------------------------------------------------------------------- */

static bool has_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; *s; s++)
		if (strncmp(s, word, n) == 0)
			return true;
	return false;
}

static void print_observations(void)
{
	static const char *const kind[OBS_KINDS] = {"not present", "reserved bit",
	                                            "protection"};

	printf("paging: observe: cpu: MAXPHYADDR %u, NX %d, PGE %d, Page1GB %d\n",
	       pt_maxphyaddr, pt_nx, pt_pge, pt_page1gb);
	printf("paging: observe: A bits newly set by faulting walks (levels 4..1):\n");
	for (unsigned k = 0; k < OBS_KINDS; k++) {
		for (unsigned m = 0; m < ARRAY_LEN(obs_a[k]); m++) {
			if (!obs_a[k][m])
				continue;
			printf(
			    "paging: observe:   %-12s A set at [%c%c%c%c]: %u faults\n",
			    kind[k], m & 16 ? '4' : '-', m & 8 ? '3' : '-',
			    m & 4 ? '2' : '-', m & 2 ? '1' : '-', obs_a[k][m]);
		}
	}
	printf("paging: observe: stale translation used before invalidation: %u of %u\n",
	       obs_stale, obs_stale_tries);
	printf("paging: observe: global translation kept across CR3 write: %u of %u\n",
	       obs_global_stale, obs_global_tries);
	printf("paging: observe: spurious fault after giving a right back: %u of %u\n",
	       obs_spurious, obs_spurious_tries);
}

/*
 * The groups, in order; group i ends with GUEST_SYNC(i + 1).  A group is a
 * table of rows, or a function that makes its cases (`size`: the page size
 * of the generated rows).  nxe_off: run with EFER.NXE=0.
 */
#define TABLE(table) .rows = (table), .nr_rows = ARRAY_LEN(table)

static const struct pt_group {
	const char *name;
	const struct pt_row *rows;
	unsigned nr_rows;
	void (*generate)(enum pt_size size);
	enum pt_size size;
	bool nxe_off;
} groups[] = {
    {"all rights", TABLE(rows_open)},
    {"rights at one level, 4K", .generate = run_rights_one_level, .size = PT_4K},
    {"rights at one level, 2M", .generate = run_rights_one_level, .size = PT_2M},
    {"rights at one level, 1G", .generate = run_rights_one_level, .size = PT_1G},
    {"not present", TABLE(rows_not_present)},
    {"reserved bits", TABLE(rows_reserved)},
    {"ignored and attribute bits", TABLE(rows_ignored)},
    {"EFER.NXE=0", TABLE(rows_nxe_off), .nxe_off = true},
    {"rights at two levels, 4K", .generate = run_rights_two_levels, .size = PT_4K},
    {"TLB invalidation", .generate = run_tlb},
};

/* Run group number `number` (1-based), print its line, sync. */
static void run_group(unsigned number, const struct pt_group *g)
{
	unsigned before = cases;
	bool nxe = pt_nx && !g->nxe_off;

	cur.group = g->name;
	if (g->nxe_off)
		set_nxe(false);
	for (unsigned i = 0; i < g->nr_rows; i++)
		pt_run_row(&g->rows[i], nxe);
	if (g->generate)
		g->generate(g->size);
	if (g->nxe_off)
		set_nxe(pt_nx);
	printf("paging: %s: %u cases\n", g->name, cases - before);
	GUEST_SYNC(number);
}

void guest_main(const struct guest_boot_args *args)
{
	console_init();
	observe = has_word(args->cmdline, "observe");
	cpu_probe();
	setup_segments();
	setup_idt();
	setup_paging();
	for (unsigned i = 0; i < ARRAY_LEN(groups); i++)
		run_group(i + 1, &groups[i]);
	if (observe)
		print_observations();
	printf("paging: %u cases checked\n", cases);
	GUEST_DONE();
}
