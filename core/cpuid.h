/*
 * cpuid.h - the CPU model every engine presents.
 *
 * A guest asks CPUID what machine it runs on.  trapeze answers from one
 * baseline table so that the same guest sees the same CPU on every engine:
 * the software engines answer from it directly, the KVM engine intersects
 * its feature bits with what the host's KVM can virtualise
 * (KVM_GET_SUPPORTED_CPUID) and hands the result to KVM.
 *
 * The model: vendor "TrapezeCPU64", a long-mode x86-64 with SSE2, NX,
 * PAE/PGE/PAT, 1 GiB pages where the host has them; no APIC, no XSAVE, no
 * SMEP/SMAP.  Leaf 0x40000000 carries the hypervisor signature
 * "TrapezeTrpz " and leaf 0x40000001 EAX names the engine.
 */
#ifndef TRAPEZE_CORE_CPUID_H
#define TRAPEZE_CORE_CPUID_H

#include "types.h"

struct cpuid_entry {
	uint32_t function, index; /* leaf, subleaf */
	uint32_t eax, ebx, ecx, edx;
};

/* The hypervisor leaves. */
#define CPUID_HV_SIGNATURE_LEAF 0x40000000u
#define CPUID_HV_ENGINE_LEAF 0x40000001u
enum cpuid_engine_id { CPUID_ENGINE_KVM = 1, CPUID_ENGINE_INTERP = 2, CPUID_ENGINE_BT = 3 };

/* The baseline table (NULL-terminated count in *nr). */
const struct cpuid_entry *cpuid_baseline(unsigned *nr);
/* Answer CPUID(function, index) from the baseline for engine `engine`;
 * leaves outside the table read as zeros, like an unimplemented leaf. */
void cpuid_lookup(uint32_t function, uint32_t index, enum cpuid_engine_id engine,
                  struct cpuid_entry *out);

#endif
