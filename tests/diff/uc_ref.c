/*
 * uc_ref.c - Unicorn 2 wrapped as the reference CPU (see uc_ref.h).
 *
 * Every stream gets a fresh engine, so no hidden state (lazy flags,
 * segment caches, translated code of the previous stream, which the
 * caller overwrote in place) leaks from one stream to the next.  The
 * engine's first context is saved, for recovering after an exception.
 *
 * A step is uc_emu_start(rip, 0, 0, count = 1).  An exception reaches the
 * UC_HOOK_INTR hook, which records the vector and stops the engine, so
 * RIP stays on the faulting instruction; memory errors and invalid
 * opcodes come back as uc_err and are mapped to #PF and #UD.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uc_ref.h"

#ifdef TRAPEZE_HAVE_UNICORN

#include <unicorn/unicorn.h>

struct uc_ref {
	uc_engine *uc;
	uc_context *fresh; /* the context right after opening */
	uc_hook intr;
	int intno;         /* set by the hook during a step */
	void *mem;         /* the caller's window, mapped at base */
	uint64_t base, size;
};

/* Unicorn register ids, in our GPR order (then RIP, RFLAGS). */
static const int reg_ids[DIFF_NR_GPRS + 2] = {
	UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX,
	UC_X86_REG_RSP, UC_X86_REG_RBP, UC_X86_REG_RSI, UC_X86_REG_RDI,
	UC_X86_REG_R8,  UC_X86_REG_R9,  UC_X86_REG_R10, UC_X86_REG_R11,
	UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15,
	UC_X86_REG_RIP, UC_X86_REG_RFLAGS,
};
#define NR_REGS (DIFF_NR_GPRS + 2)

static void on_interrupt(uc_engine *uc, uint32_t intno, void *opaque)
{
	struct uc_ref *u = opaque;

	u->intno = (int)intno;
	uc_emu_stop(uc);
}

static void engine_close(struct uc_ref *u)
{
	if (u->fresh)
		uc_context_free(u->fresh);
	if (u->uc)
		uc_close(u->uc);
	u->fresh = NULL;
	u->uc = NULL;
}

/* A new engine with the window mapped, the hook set and its first
 * context saved. */
static uc_err engine_open(struct uc_ref *u)
{
	uc_err e = uc_open(UC_ARCH_X86, UC_MODE_64, &u->uc);

	if (e == UC_ERR_OK)
		e = uc_mem_map_ptr(u->uc, u->base, u->size, UC_PROT_ALL, u->mem);
	if (e == UC_ERR_OK)
		e = uc_hook_add(u->uc, &u->intr, UC_HOOK_INTR, (void *)on_interrupt, u, 1, 0);
	if (e == UC_ERR_OK)
		e = uc_context_alloc(u->uc, &u->fresh);
	if (e == UC_ERR_OK)
		e = uc_context_save(u->uc, u->fresh);
	if (e != UC_ERR_OK)
		engine_close(u);
	return e;
}

struct uc_ref *uc_ref_open(void *mem, uint64_t base, uint64_t size, char *why, size_t len)
{
	struct uc_ref *u = calloc(1, sizeof(*u));
	uc_err e;

	if (!u) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	u->mem = mem;
	u->base = base;
	u->size = size;
	e = engine_open(u);
	if (e != UC_ERR_OK) {
		snprintf(why, len, "Unicorn: %s", uc_strerror(e));
		free(u);
		return NULL;
	}
	return u;
}

void uc_ref_close(struct uc_ref *u)
{
	if (!u)
		return;
	engine_close(u);
	free(u);
}

void uc_ref_get(struct uc_ref *u, struct diff_regs *regs)
{
	void *vals[NR_REGS];

	for (unsigned i = 0; i < DIFF_NR_GPRS; i++)
		vals[i] = &regs->gpr[i];
	vals[DIFF_NR_GPRS] = &regs->rip;
	vals[DIFF_NR_GPRS + 1] = &regs->rflags;
	regs->rflags = 0; /* RFLAGS is read as 64 bits, but be safe */
	uc_reg_read_batch(u->uc, (int *)reg_ids, vals, NR_REGS);
}

void uc_ref_set(struct uc_ref *u, const struct diff_regs *regs)
{
	void *vals[NR_REGS];

	for (unsigned i = 0; i < DIFF_NR_GPRS; i++)
		vals[i] = (void *)&regs->gpr[i];
	vals[DIFF_NR_GPRS] = (void *)&regs->rip;
	vals[DIFF_NR_GPRS + 1] = (void *)&regs->rflags;
	uc_reg_write_batch(u->uc, (int *)reg_ids, vals, NR_REGS);
}

/*
 * A fresh engine per stream.  Restoring a context is not enough, because
 * the translations of the previous stream's code must go too, and both
 * ways of dropping them fail in Unicorn 2.0: removing a range
 * (UC_CTL_TB_REMOVE_CACHE) crashes in page_collection_lock after some
 * thousands of streams, and flushing everything (UC_CTL_TB_FLUSH) costs
 * ten times what a new engine does.
 */
int uc_ref_reset(struct uc_ref *u, const struct diff_regs *regs)
{
	engine_close(u);
	if (engine_open(u) != UC_ERR_OK)
		return -1;
	uc_ref_set(u, regs);
	return 0;
}

int uc_ref_recover(struct uc_ref *u, const struct diff_regs *regs)
{
	if (uc_context_restore(u->uc, u->fresh) != UC_ERR_OK)
		return -1;
	uc_ref_set(u, regs);
	return 0;
}

static int vector_of(uc_err e)
{
	switch (e) {
	case UC_ERR_READ_UNMAPPED:
	case UC_ERR_WRITE_UNMAPPED:
	case UC_ERR_FETCH_UNMAPPED:
	case UC_ERR_READ_PROT:
	case UC_ERR_WRITE_PROT:
	case UC_ERR_FETCH_PROT:
		return UC_REF_VEC_PF;
	case UC_ERR_INSN_INVALID:
		return UC_REF_VEC_UD;
	default:
		return DIFF_NO_FAULT;
	}
}

void uc_ref_step(struct uc_ref *u, struct uc_ref_step *out)
{
	uint64_t rip;
	uc_err e;

	uc_reg_read(u->uc, UC_X86_REG_RIP, &rip);
	u->intno = DIFF_NO_FAULT;
	e = uc_emu_start(u->uc, rip, 0, 0, 1);
	out->err = (int)e;
	out->why = e == UC_ERR_OK ? "" : uc_strerror(e);
	out->fault = u->intno != DIFF_NO_FAULT ? u->intno : vector_of(e);
}

bool uc_ref_available(void)
{
	return true;
}

const char *uc_ref_version(void)
{
	static char v[32];
	unsigned major, minor;
	unsigned packed = uc_version(&major, &minor);

	snprintf(v, sizeof(v), "Unicorn %u.%u.%u", major, minor, (packed >> 8) & 0xff);
	return v;
}

#else /* !TRAPEZE_HAVE_UNICORN */

struct uc_ref *uc_ref_open(void *mem, uint64_t base, uint64_t size, char *why, size_t len)
{
	snprintf(why, len, "trapeze was built without Unicorn (install libunicorn-dev, "
	                   "pkg-config name 'unicorn', and reconfigure)");
	return NULL;
}

void uc_ref_close(struct uc_ref *u) {}
int uc_ref_reset(struct uc_ref *u, const struct diff_regs *regs)
{
	return -1;
}
int uc_ref_recover(struct uc_ref *u, const struct diff_regs *regs)
{
	return -1;
}
void uc_ref_step(struct uc_ref *u, struct uc_ref_step *out) {}
void uc_ref_get(struct uc_ref *u, struct diff_regs *regs) {}
void uc_ref_set(struct uc_ref *u, const struct diff_regs *regs) {}
bool uc_ref_available(void) { return false; }
const char *uc_ref_version(void) { return "no Unicorn"; }

#endif
