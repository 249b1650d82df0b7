/*
 * mmu.c - the software MMU's translate path: context, soft TLB, and the
 * hand-off to the model that fills the TLB on a miss.
 *
 * mmu_translate() is the slow path behind tlb.h's inline lookup, and the
 * one entry point for callers that do not inline.  For one access it
 *
 *   1. compares the paging context with the one the TLB was filled under
 *      and flushes what it made stale (mmu_ctx_changed),
 *   2. picks the paging mode: off (linear == physical), 4-level, or a mode
 *      this MMU does not implement,
 *   3. looks in the soft TLB (slot, then victim TLB): a tag that allows
 *      the access, or that is only marked MMIO or TRACKED, is a hit,
 *   4. on a miss asks the model: plain.c (walk the guest tables),
 *      shadow.c (walk the shadow tables; hidden/true faults), nested.c
 *      (the 2D walk through the software EPT).  Each ends in mmu_answer()
 *      (fill the TLB, answer from it) or mmu_page_fault().
 *
 * The counters in struct mmu_stats are kept by every file of shadowpt/;
 * the fast path adds its hits.  docs/mmu.md describes the whole MMU,
 * docs/paging-models.md the three models.
 */
#include "mmu_internal.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(offsetof(struct mmu, tlb) == 0, "tlb.h's mmu_tlb() casts a struct mmu *");

static const char *const model_names[MMU_NR_MODELS] = {
    [MMU_MODEL_PLAIN] = "plain",
    [MMU_MODEL_SHADOW] = "shadow",
    [MMU_MODEL_NESTED] = "nested",
};

const char *mmu_model_name(enum mmu_model model)
{
	return (unsigned)model < MMU_NR_MODELS ? model_names[model] : "?";
}

struct mmu *mmu_create_model(struct gmem *gm, const struct mmu_config *cfg)
{
	const struct mmu_config plain = {.model = MMU_MODEL_PLAIN};
	void *p;

	if (!cfg)
		cfg = &plain;
	if ((unsigned)cfg->model >= MMU_NR_MODELS)
		return NULL;
	if (posix_memalign(&p, _Alignof(struct mmu), sizeof(struct mmu)))
		return NULL;
	struct mmu *mmu = p;
	memset(mmu, 0, sizeof(*mmu));
	mmu->gm = gm;
	mmu->cfg = *cfg;
	mmu_tlb_reset(mmu);
	if (cfg->model == MMU_MODEL_SHADOW && spt_init(mmu, cfg->shadow_max_pages)) {
		free(mmu);
		return NULL;
	}
	return mmu;
}

struct mmu *mmu_create(struct gmem *gm)
{
	return mmu_create_model(gm, NULL);
}

void mmu_destroy(struct mmu *mmu)
{
	if (!mmu)
		return;
	if (mmu->cfg.model == MMU_MODEL_SHADOW)
		spt_destroy(mmu);
	nested_destroy(mmu);
	free(mmu);
}

enum mmu_model mmu_model(const struct mmu *mmu)
{
	return mmu->cfg.model;
}

const struct mmu_stats *mmu_stats(const struct mmu *mmu)
{
	return &mmu->tlb.stats;
}

/* ---- context ------------------------------------------------------------ */

/* Control-register bits whose change makes every cached translation
 * stale: paging on/off and its mode, write protection, global pages, NX. */
#define MMU_MODE_CR0  (X86_CR0_PG | X86_CR0_WP)
#define MMU_MODE_CR4  (X86_CR4_PSE | X86_CR4_PAE | X86_CR4_PGE)
#define MMU_MODE_EFER (X86_EFER_LME | X86_EFER_NXE)
/* ... and the ones that also change what a shadow page holds (the rights
 * an spte records depend on NXE; the rest change the paging mode).  WP,
 * PGE and PSE only change how an spte is read, at TLB fill time. */
#define MMU_SHADOW_CR0  X86_CR0_PG
#define MMU_SHADOW_CR4  X86_CR4_PAE
#define MMU_SHADOW_EFER (X86_EFER_LME | X86_EFER_NXE)

/* Drop every shadow page (the next miss builds from scratch). */
static void mmu_model_reset(struct mmu *mmu)
{
	if (mmu->cfg.model != MMU_MODEL_SHADOW || mmu->shadow.nr_pages == 0)
		return;
	mmu_counters(mmu)->resets++;
	spt_zap_all(mmu);
}

void mmu_ctx_changed(struct mmu *mmu, const struct mmu_ctx *ctx)
{
	struct mmu_mode now = {
	    .cr0 = ctx->cr0 & MMU_MODE_CR0,
	    .cr4 = ctx->cr4 & MMU_MODE_CR4,
	    .efer = ctx->efer & MMU_MODE_EFER,
	    .cr3 = ctx->cr3 & MMU_CR3_ADDR_MASK,
	    .known = true,
	};
	struct mmu_mode *was = &mmu->mode;

	/* (a flush that has nothing to drop -- the owner flushed at the MOV
	 * to CR3 already -- is neither done nor counted) */
	if (was->known) {
		if (((now.cr0 ^ was->cr0) & MMU_SHADOW_CR0) ||
		    ((now.cr4 ^ was->cr4) & MMU_SHADOW_CR4) ||
		    ((now.efer ^ was->efer) & MMU_SHADOW_EFER)) {
			if (mmu->has_any)
				mmu_flush(mmu, false);
			mmu_model_reset(mmu);
		} else if (now.cr0 != was->cr0 || now.cr4 != was->cr4) {
			if (mmu->has_any)
				mmu_flush(mmu, false);
		} else if (now.cr3 != was->cr3 && mmu->has_local) {
			mmu_flush(mmu, true);
		}
	}
	*was = now;
}

/* ---- answers shared by the models --------------------------------------- */

void mmu_count_walk(struct mmu *mmu, unsigned refs)
{
	struct mmu_stats *st = mmu_counters(mmu);

	st->walks++;
	st->walk_refs += refs;
	st->walk_refs_hist[refs < MMU_WALK_REFS_MAX ? refs : MMU_WALK_REFS_MAX]++;
}

void mmu_xlate_from_walk(const struct mmu_walker *w, hva_t hva, struct mmu_xlate *x)
{
	*x = (struct mmu_xlate){
	    .gpa = w->gpa & PAGE_MASK,
	    .hva = hva,
	    .rights = w->rights,
	    .page_shift = w->page_shift,
	    .global = w->global,
	    .dirty = w->dirty,
	};
	for (unsigned l = 0; l < MMU_LEVELS; l++)
		x->src[l] = MMU_NO_SRC;
}

/* The answer for la from a TLB entry for its page. */
static int translate_result(const struct mmu_tlb_entry *e,
                            const struct mmu_tlb_info *info, gva_t la,
                            enum mmu_access access, struct mmu_result *out)
{
	uint64_t offset = la & ~PAGE_MASK;

	out->gpa = info->gpa | offset;
	out->hva =
	    (e->tag[access] & MMU_TLB_MMIO) ? NULL : (hva_t)(uintptr_t)(la + e->addend);
	out->in_page = PAGE_SIZE - offset;
	out->tracked = e->tag[access] & MMU_TLB_TRACKED;
	return MMU_OK;
}

/* A TLB hit: the entry allows the access and needs no walk.  MMIO and
 * TRACKED are still hits (the caller goes to the bus, or reports the
 * write); NOTDIRTY and INVALID are not. */
static bool translate_tag_hits(const struct mmu_tlb_entry *e, gva_t la,
                               enum mmu_access access)
{
	return (e->tag[access] & ~(MMU_TLB_MMIO | MMU_TLB_TRACKED)) == (la & PAGE_MASK);
}

int mmu_answer(struct mmu *mmu, const struct mmu_ctx *ctx, gva_t la,
               enum mmu_access access, const struct mmu_xlate *x, struct mmu_result *out)
{
	struct mmu_tlb_info *info;

	mmu_tlb_fill(mmu, ctx, la, x);
	struct mmu_tlb_entry *e = mmu_tlb_find(mmu, mmu_ctx_class(ctx), la, &info);
	return translate_result(e, info, la, access, out);
}

int mmu_page_fault(struct mmu *mmu, gva_t la, const struct mmu_fault *walk_fault,
                   struct mmu_fault *fault)
{
	mmu_counters(mmu)->page_faults++;
	mmu_tlb_drop_page(mmu, la); /* a #PF invalidates la's translation */
	*fault = *walk_fault;
	return MMU_PAGE_FAULT;
}

void mmu_owner_flush(struct mmu *mmu, gva_t mask, gva_t match)
{
	if (mmu->owner_flush && (mmu->owner_mask != mask || mmu->owner_match != match))
		mask = match = 0; /* two different sets: flush everything */
	mmu->owner_flush = true;
	mmu->owner_mask = mask;
	mmu->owner_match = match & mask;
}

/* Shadow entries were zapped during this call: the owner drops what it
 * caches (struct mmu_config.flush). */
static void mmu_tell_owner(struct mmu *mmu)
{
	if (!mmu->owner_flush)
		return;
	mmu->owner_flush = false;
	if (mmu->cfg.flush)
		mmu->cfg.flush(mmu->cfg.opaque, mmu->owner_mask, mmu->owner_match);
}

/* ---- the translate path ------------------------------------------------- */

/* A TLB miss: the model fills. */
static int translate_miss(struct mmu *mmu, const struct mmu_ctx *ctx, gva_t la,
                          enum mmu_access access, struct mmu_result *out,
                          struct mmu_fault *fault)
{
	bool paging = mmu_ctx_paging(ctx);

	switch (mmu->cfg.model) {
	case MMU_MODEL_NESTED:
		return nested_translate(mmu, ctx, la, access, out, fault);
	case MMU_MODEL_SHADOW:
		if (paging)
			return shadow_translate(mmu, ctx, la, access, out, fault);
		break;
	default:
		if (paging)
			return plain_translate(mmu, ctx, la, access, out, fault);
		break;
	}
	return plain_unpaged(mmu, ctx, la, access, out);
}

int mmu_translate(struct mmu *mmu, const struct mmu_ctx *ctx, gva_t la,
                  enum mmu_access access, struct mmu_result *out, struct mmu_fault *fault)
{
	bool paging = mmu_ctx_paging(ctx);
	struct mmu_tlb_info *info;

	mmu_ctx_changed(mmu, ctx);
	if (paging && !mmu_ctx_long_paging(ctx))
		return MMU_UNSUPPORTED; /* 32-bit or PAE paging */
	if (paging && !mmu_la_canonical(la))
		return MMU_UNSUPPORTED; /* the caller's #GP/#SS, not a #PF */

	struct mmu_tlb_entry *e = mmu_tlb_find(mmu, mmu_ctx_class(ctx), la, &info);
	if (e && translate_tag_hits(e, la, access)) {
		mmu->tlb.stats.tlb_hits++;
		return translate_result(e, info, la, access, out);
	}
	mmu->tlb.stats.tlb_misses++;
	int status = translate_miss(mmu, ctx, la, access, out, fault);
	mmu_tell_owner(mmu);
	return status;
}

/* ---- the owner's notifications ------------------------------------------ */

void mmu_write_tracked(struct mmu *mmu, gpa_t gpa, unsigned len)
{
	if (mmu->cfg.model == MMU_MODEL_SHADOW)
		shadow_write_tracked(mmu, gpa, len);
	mmu_tell_owner(mmu);
}

void mmu_invlpg(struct mmu *mmu, gva_t la)
{
	mmu->tlb.stats.invlpgs++;
	mmu_tlb_invlpg(mmu, la);
	if (mmu->cfg.model == MMU_MODEL_SHADOW && mmu_la_canonical(la))
		shadow_invlpg(mmu, la);
	mmu_tell_owner(mmu);
}

void mmu_memory_changed(struct mmu *mmu, gpa_t gpa, uint64_t len)
{
	if (len == 0)
		return;
	gpa_t first = gpa & PAGE_MASK;
	gpa_t last =
	    (len - 1 > UINT64_MAX - gpa ? UINT64_MAX : gpa + (len - 1)) & PAGE_MASK;

	mmu_tlb_drop_gpa_range(mmu, first, last);
	if (mmu->cfg.model == MMU_MODEL_SHADOW)
		shadow_memory_changed(mmu, first, last);
	if (mmu->cfg.model == MMU_MODEL_NESTED)
		nested_memory_changed(mmu, first, last);
	mmu_tell_owner(mmu);
}

void mmu_reset(struct mmu *mmu)
{
	mmu_tlb_reset(mmu);
	mmu_model_reset(mmu);
	mmu->mode.known = false;
	mmu_tell_owner(mmu);
}

/* ---- counters ------------------------------------------------------------ */

#define STAT(field)                                                                      \
	{                                                                                \
		"mmu." #field, offsetof(struct mmu_stats, field)                         \
	}

static const struct {
	const char *name;
	size_t offset;
} stat_fields[] = {
    STAT(tlb_hits),      STAT(tlb_misses),
    STAT(walks),         STAT(walk_refs),
    STAT(page_faults),   STAT(flushes),
    STAT(invlpgs),       STAT(hidden_faults),
    STAT(true_faults),   STAT(tracing_faults),
    STAT(zaps),          STAT(shadow_page_zaps),
    STAT(write_floods),  STAT(reclaims),
    STAT(shadow_pages),  STAT(shadow_pages_peak),
    STAT(roots),         STAT(tracked_pages),
    STAT(root_switches), STAT(root_cache_hits),
    STAT(resets),        STAT(ept_fills),
    STAT(ept_tables),
};

void mmu_stats_emit(const struct mmu *mmu,
                    void (*emit)(void *ctx, const char *name, uint64_t value), void *ctx)
{
	const struct mmu_stats *st = mmu_stats(mmu);
	char name[48];

	for (size_t i = 0; i < sizeof(stat_fields) / sizeof(stat_fields[0]); i++)
		emit(ctx, stat_fields[i].name,
		     *(const uint64_t *)(const void *)((const char *)st +
		                                       stat_fields[i].offset));
	for (unsigned r = 0; r <= MMU_WALK_REFS_MAX; r++) {
		snprintf(name, sizeof(name), "mmu.walk_refs_hist_%u", r);
		emit(ctx, name, st->walk_refs_hist[r]);
	}
}
