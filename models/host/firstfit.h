/* PLACEHOLDER ALLOCATOR: a plain first-fit allocator of IO pages over a
 * window, used until the Linux iommu_table allocator (pools, hints, large
 * pool; issue 3) lands, which replaces it. It is NOT what Linux does: no
 * pools, no hint, no alignment rules beyond the page.
 *
 * Entry 0 is reserved, as Linux reserves it when it_offset == 0
 * (iommu_init_table in arch/powerpc/kernel/iommu.c), so bus address 0 is
 * never handed out. Cost: O(window entries / 64) per allocation worst case. */
#ifndef TCESIM_FIRSTFIT_H
#define TCESIM_FIRSTFIT_H

#include <stdint.h>

typedef struct firstfit {
    uint64_t nentries;
    uint64_t *bitmap;   /* 1 = in use */
    uint64_t in_use, peak;
} firstfit;

int firstfit_init(firstfit *f, uint64_t nentries);
void firstfit_destroy(firstfit *f); /* accepts a zeroed struct */

/* First run of npages free entries; returns 0 and *entry, or TCESIM_ENOSPC. */
int firstfit_alloc(firstfit *f, uint64_t npages, uint64_t *entry);
/* Frees [entry, entry + npages); TCESIM_EINVAL if any entry was not in use. */
int firstfit_free(firstfit *f, uint64_t entry, uint64_t npages);

#endif
