/*
 * types.h - address types shared by every part of trapeze.
 *
 * A hypervisor juggles four kinds of address at once; giving each its own
 * name makes a mix-up visible in a function's signature:
 *
 *   gva  guest-virtual   what guest instructions use (goes through guest paging)
 *   gpa  guest-physical  what the guest's page tables and devices' DMA point at
 *   gfn  guest frame     gpa >> 12
 *   hva  host-virtual    where trapeze has mapped a gpa in its own process
 *
 * gva/gpa/gfn are plain integers (values that can be saved in a snapshot);
 * hva is a host pointer and must never be stored in guest-visible state.
 */
#ifndef TRAPEZE_CORE_TYPES_H
#define TRAPEZE_CORE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t gva_t;
typedef uint64_t gpa_t;
typedef uint64_t gfn_t;
typedef uint8_t *hva_t;

#define PAGE_SHIFT 12
#define PAGE_SIZE ((uint64_t)1 << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

static inline gfn_t gpa_to_gfn(gpa_t gpa) { return gpa >> PAGE_SHIFT; }
static inline gpa_t gfn_to_gpa(gfn_t gfn) { return gfn << PAGE_SHIFT; }

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
