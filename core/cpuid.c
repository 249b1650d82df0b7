/*
 * cpuid.c - the baseline CPUID table (see cpuid.h for the model).
 */
#include "cpuid.h"

#include <string.h>

/* Leaf 1 EDX */
#define F1D_FPU (1u << 0)
#define F1D_PSE (1u << 3)
#define F1D_TSC (1u << 4)
#define F1D_MSR (1u << 5)
#define F1D_PAE (1u << 6)
#define F1D_CX8 (1u << 8)
#define F1D_PGE (1u << 13)
#define F1D_CMOV (1u << 15)
#define F1D_PAT (1u << 16)
#define F1D_CLFSH (1u << 19)
#define F1D_MMX (1u << 23)
#define F1D_FXSR (1u << 24)
#define F1D_SSE (1u << 25)
#define F1D_SSE2 (1u << 26)
/* Leaf 1 ECX */
#define F1C_HYPERVISOR (1u << 31)
/* Leaf 0x80000001 EDX / ECX */
#define F81D_SYSCALL (1u << 11)
#define F81D_NX (1u << 20)
#define F81D_PAGE1GB (1u << 26)
#define F81D_LM (1u << 29)
#define F81C_LAHF_LM (1u << 0)

/* Pack 4 characters of a vendor string the way CPUID returns them. */
#define STR4(a, b, c, d) \
	((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

static const struct cpuid_entry baseline[] = {
	/* max basic leaf 1; vendor "TrapezeCPU64" spelled in EBX, EDX, ECX */
	{ 0x0, 0, 0x1, STR4('T', 'r', 'a', 'p'), STR4('P', 'U', '6', '4'),
	  STR4('e', 'z', 'e', 'C') },
	/* family 6, model 0x2a, stepping 1; CLFLUSH line 8*8 bytes */
	{ 0x1, 0, 0x000206a1, 0x00000800, F1C_HYPERVISOR,
	  F1D_FPU | F1D_PSE | F1D_TSC | F1D_MSR | F1D_PAE | F1D_CX8 | F1D_PGE |
	  F1D_CMOV | F1D_PAT | F1D_CLFSH | F1D_MMX | F1D_FXSR | F1D_SSE | F1D_SSE2 },
	{ CPUID_HV_SIGNATURE_LEAF, 0, CPUID_HV_ENGINE_LEAF, STR4('T', 'r', 'a', 'p'),
	  STR4('e', 'z', 'e', 'T'), STR4('r', 'p', 'z', ' ') },
	{ CPUID_HV_ENGINE_LEAF, 0, 0, 0, 0, 0 }, /* EAX filled per engine */
	{ 0x80000000, 0, 0x80000008, 0, 0, 0 },
	{ 0x80000001, 0, 0, 0, F81C_LAHF_LM,
	  F81D_SYSCALL | F81D_NX | F81D_PAGE1GB | F81D_LM },
	/* 40 physical, 48 virtual address bits */
	{ 0x80000008, 0, 0x00003028, 0, 0, 0 },
};

const struct cpuid_entry *cpuid_baseline(unsigned *nr)
{
	*nr = ARRAY_SIZE(baseline);
	return baseline;
}

void cpuid_lookup(uint32_t function, uint32_t index, enum cpuid_engine_id engine,
                  struct cpuid_entry *out)
{
	memset(out, 0, sizeof(*out));
	out->function = function;
	out->index = index;
	for (unsigned i = 0; i < ARRAY_SIZE(baseline); i++) {
		if (baseline[i].function != function)
			continue;
		*out = baseline[i];
		out->index = index;
		break;
	}
	if (function == CPUID_HV_ENGINE_LEAF)
		out->eax = engine;
}
