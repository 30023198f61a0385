#include "firstfit.h"

#include <stdbool.h>
#include <stdlib.h>

#include "../common/tcesim_err.h"

static bool bit(const firstfit *f, uint64_t i) { return f->bitmap[i / 64] >> (i % 64) & 1; }

int firstfit_init(firstfit *f, uint64_t nentries)
{
    if (nentries < 2)
        return TCESIM_EINVAL;
    f->nentries = nentries;
    f->bitmap = calloc((nentries + 63) / 64, sizeof(uint64_t));
    if (!f->bitmap)
        return TCESIM_ENOMEM;
    f->bitmap[0] = 1; /* entry 0 reserved */
    f->in_use = f->peak = 0;
    return 0;
}

void firstfit_destroy(firstfit *f)
{
    free(f->bitmap);
    f->bitmap = NULL;
}

int firstfit_alloc(firstfit *f, uint64_t npages, uint64_t *entry)
{
    if (npages == 0)
        return TCESIM_EINVAL;
    uint64_t run = 0;
    for (uint64_t i = 0; i < f->nentries; i++) {
        /* Skip whole used words quickly. */
        if (run == 0 && i % 64 == 0 && f->bitmap[i / 64] == ~0ull) {
            i += 63;
            continue;
        }
        run = bit(f, i) ? 0 : run + 1;
        if (run == npages) {
            uint64_t start = i + 1 - npages;
            for (uint64_t j = start; j <= i; j++)
                f->bitmap[j / 64] |= 1ull << (j % 64);
            f->in_use += npages;
            if (f->in_use > f->peak)
                f->peak = f->in_use;
            *entry = start;
            return 0;
        }
    }
    return TCESIM_ENOSPC;
}

int firstfit_free(firstfit *f, uint64_t entry, uint64_t npages)
{
    if (entry == 0 || entry + npages > f->nentries || entry + npages < entry)
        return TCESIM_EINVAL;
    for (uint64_t j = entry; j < entry + npages; j++)
        if (!bit(f, j))
            return TCESIM_EINVAL;
    for (uint64_t j = entry; j < entry + npages; j++)
        f->bitmap[j / 64] &= ~(1ull << (j % 64));
    f->in_use -= npages;
    return 0;
}
