#include "physalloc.h"

#include "../common/tcesim_err.h"

int physalloc_init(physalloc *a, uint64_t ram_bytes, unsigned cpu_page_shift, uint64_t seed)
{
    if (cpu_page_shift < 12 || cpu_page_shift > 30)
        return TCESIM_EINVAL;
    uint64_t page = 1ull << cpu_page_shift;
    if (ram_bytes == 0 || (ram_bytes & (page - 1)))
        return TCESIM_EINVAL;
    a->ram_bytes = ram_bytes;
    a->table_floor = ram_bytes;
    a->cpu_page_shift = cpu_page_shift;
    rng_seed(&a->r, seed, PHYSALLOC_RNG_STREAM);
    return TCESIM_OK;
}

int physalloc_table(physalloc *a, unsigned size_shift, uint64_t *pa_out)
{
    if (size_shift < 12 || size_shift > 62)
        return TCESIM_EINVAL;
    uint64_t size = 1ull << size_shift;
    if (size > a->table_floor)
        return TCESIM_ENOSPC;
    /* Growing down, rounding down keeps the block naturally aligned; the
     * gap this may leave above it is simply not used again. */
    uint64_t pa = (a->table_floor - size) & ~(size - 1);
    if (pa < a->ram_bytes / 2)
        return TCESIM_ENOSPC;
    a->table_floor = pa;
    *pa_out = pa;
    return TCESIM_OK;
}

int physalloc_buffer(physalloc *a, uint64_t bytes, uint64_t *pa_out)
{
    return physalloc_buffer_aligned(a, bytes, a->cpu_page_shift, pa_out);
}

int physalloc_buffer_aligned(physalloc *a, uint64_t bytes, unsigned align_shift, uint64_t *pa_out)
{
    uint64_t limit = a->ram_bytes / 2;
    if (bytes == 0 || bytes > limit || align_shift < a->cpu_page_shift || align_shift > 62)
        return TCESIM_EINVAL;
    /* Starts s << align_shift with start + bytes <= limit: s in [0, nstarts). */
    uint64_t nstarts = ((limit - bytes) >> align_shift) + 1;
    *pa_out = rng_below(&a->r, nstarts) << align_shift;
    return TCESIM_OK;
}
