/* Linux's powerpc iommu_table allocator (arch/powerpc/kernel/iommu.c and
 * lib/iommu-helper.c), re-expressed in our own code. Every function names the
 * kernel function whose behaviour it reproduces; the algorithm is followed
 * step for step, including its quirks (the last entry below a search limit is
 * never handed out; the DMA-mask path may search pool 0 beyond its end; a
 * failed pass 0 resets the hint), because the simulator must place mappings
 * exactly where Linux would. */
#include "iommu_table.h"

#include <stdlib.h>
#include <string.h>

#include "../common/tcesim_err.h"

#define NOT_FOUND UINT64_MAX

/* ---- bitmap primitives (lib/find_bit.c, lib/bitmap.c) ---- */

/* find_next_zero_bit() / find_next_bit() as the kernel's FIND_NEXT_BIT walks
 * the words: load the word holding `start`, then each next word until a
 * candidate bit shows or the word reaches `size`. Every load adds one to
 * *words. Returns `size` when nothing is found. */
static uint64_t find_next(const uint64_t *map, uint64_t size, uint64_t start, bool want_set,
                          uint64_t *words)
{
    if (start >= size)
        return size;
    uint64_t idx = start / 64;
    uint64_t flip = want_set ? 0 : ~0ull;
    uint64_t w = (map[idx] ^ flip) & (~0ull << (start % 64));
    (*words)++;
    while (w == 0) {
        if ((idx + 1) * 64 >= size)
            return size;
        idx++;
        w = map[idx] ^ flip;
        (*words)++;
    }
    uint64_t bit = idx * 64 + (uint64_t)__builtin_ctzll(w);
    return bit < size ? bit : size;
}

static void set_range(uint64_t *map, uint64_t i, uint64_t n, bool value)
{
    for (uint64_t e = i + n; i < e;) {
        uint64_t lo = i % 64;
        uint64_t take = (e - i < 64 - lo) ? e - i : 64 - lo;
        uint64_t m = (take == 64 ? ~0ull : ((1ull << take) - 1)) << lo;
        if (value)
            map[i / 64] |= m;
        else
            map[i / 64] &= ~m;
        i += take;
    }
}

static bool range_all_set(const uint64_t *map, uint64_t i, uint64_t n)
{
    for (uint64_t e = i + n; i < e;) {
        uint64_t lo = i % 64;
        uint64_t take = (e - i < 64 - lo) ? e - i : 64 - lo;
        uint64_t m = (take == 64 ? ~0ull : ((1ull << take) - 1)) << lo;
        if ((map[i / 64] & m) != m)
            return false;
        i += take;
    }
    return true;
}

static uint64_t words_spanned(uint64_t i, uint64_t n) { return n ? (i + n - 1) / 64 - i / 64 + 1 : 0; }

/* bitmap_find_next_zero_area_off() with align_offset 0: the lowest index >=
 * start, aligned to align_mask + 1, whose nr entries are all free and end at
 * or before size. The kernel returns `end` (> size) on failure; NOT_FOUND here.
 * `nr > size - index` is the kernel's `index + nr > size` without overflow. */
static uint64_t find_zero_area(const uint64_t *map, uint64_t size, uint64_t start, uint64_t nr,
                               uint64_t align_mask, uint64_t *words)
{
    for (;;) {
        uint64_t index = find_next(map, size, start, false, words);
        if (index > UINT64_MAX - align_mask)
            return NOT_FOUND;
        index = (index + align_mask) & ~align_mask;
        if (index > size || nr > size - index)
            return NOT_FOUND;
        uint64_t end = index + nr;
        uint64_t i = find_next(map, end, index, true, words);
        if (i >= end)
            return index;
        start = i + 1;
    }
}

/* iommu_area_alloc() (lib/iommu-helper.c): `size -= 1` ("we don't want the
 * last of the limit"), so [index, index + nr) must end below limit - 1; a
 * range that would cross a boundary_size-entry segment boundary (counted in
 * bus entries: shift = it_offset, iommu_is_span_boundary()) is retried from
 * the next boundary, ALIGN(shift + index, boundary_size) - shift. Marks the
 * range used. A request longer than a segment can never fit: the current
 * kernel would retry the same index forever there (ALIGN of an aligned index
 * is itself), so it is refused up front. */
static uint64_t area_alloc(uint64_t *map, uint64_t limit, uint64_t start, uint64_t nr,
                           uint64_t shift, uint64_t boundary_size, uint64_t align_mask,
                           uint64_t *words)
{
    if (limit == 0 || nr > boundary_size)
        return NOT_FOUND;
    uint64_t size = limit - 1;
    for (;;) {
        uint64_t index = find_zero_area(map, size, start, nr, align_mask, words);
        if (index == NOT_FOUND || index >= size)
            return NOT_FOUND;
        uint64_t pos = (shift + index) & (boundary_size - 1);
        if (pos + nr > boundary_size) {
            start = ((shift + index + boundary_size - 1) & ~(boundary_size - 1)) - shift;
            continue;
        }
        set_range(map, index, nr, true);
        return index;
    }
}

/* ---- the table ---- */

static bool is_pow2(uint64_t x) { return x && !(x & (x - 1)); }

int iommu_table_init(iommu_table *t, const iommu_table_params *p)
{
    memset(t, 0, sizeof(*t));
    if (!p || p->it_size < 2 || p->page_shift < 12 || p->page_shift > 40 ||
        p->cpu_page_shift < 12 || p->cpu_page_shift > 40 || !is_pow2(p->blocksize) ||
        (p->nr_pools && (!is_pow2(p->nr_pools) || p->nr_pools > IOMMU_MAX_POOLS)) ||
        (p->seg_boundary && !is_pow2(p->seg_boundary)) ||
        p->it_size > (UINT64_MAX >> p->page_shift) || p->it_offset > UINT64_MAX - p->it_size ||
        p->it_offset + p->it_size > (UINT64_MAX >> p->page_shift))
        return TCESIM_EINVAL;
    t->p = *p;
    if (!t->p.seg_boundary)
        t->p.seg_boundary = 1ull << 32;
    if (p->kernel != IOMMU_KERNEL_6_6 && p->kernel != IOMMU_KERNEL_4_4)
        return TCESIM_EINVAL;
    const bool old = p->kernel == IOMMU_KERNEL_4_4;
    /* hash_32(): GOLDEN_RATIO_PRIME_32 in include/linux/hash.h, Linux 4.4;
     * GOLDEN_RATIO_32 from 4.7, so in 6.6 */
    if (!t->p.hash_mult)
        t->p.hash_mult = old ? IOMMU_HASH_MULT_LEGACY : IOMMU_HASH_MULT_MODERN;
    /* arch/powerpc/kernel/iommu.c: iommu_range_alloc(), Linux 6.6 has the
     * `pass == tbl->nr_pools + 1` large-pool pass ("use largepool as a last
     * resort when !largealloc", 2021); Linux 4.4 has none */
    switch (p->large_fallback) {
    case IOMMU_FALLBACK_ERA: t->large_fallback = !old; break;
    case IOMMU_FALLBACK_ON: t->large_fallback = true; break;
    case IOMMU_FALLBACK_OFF: t->large_fallback = false; break;
    default: return TCESIM_EINVAL;
    }

    /* iommu_init_table(): split only windows of 1 GiB or more (">=" in the
     * source), IOMMU_NR_POOLS = 4. */
    if (p->nr_pools)
        t->nr_pools = p->nr_pools;
    else
        t->nr_pools = (p->it_size << p->page_shift) >= (1ull << 30) ? 4 : 1;
    /* the top quarter is the large pool */
    t->poolsize = (p->it_size * 3 / 4) / t->nr_pools;
    if (t->poolsize == 0)
        return TCESIM_EINVAL;

    t->bitmap = calloc((p->it_size + 63) / 64, sizeof(uint64_t));
    if (!t->bitmap)
        return TCESIM_ENOMEM;

    /* iommu_table_reserve_pages(): entry 0 when the window starts at bus 0
     * (drivers that take DMA address 0 as invalid), then the clamped range. */
    if (p->it_offset == 0)
        t->bitmap[0] |= 1;
    uint64_t rs = p->reserved_start < p->it_offset ? p->it_offset : p->reserved_start;
    uint64_t re = p->reserved_end > p->it_offset + p->it_size ? p->it_offset + p->it_size : p->reserved_end;
    if (rs < re) {
        t->p.reserved_start = rs;
        t->p.reserved_end = re;
        set_range(t->bitmap, rs - p->it_offset, re - rs, true);
    } else {
        t->p.reserved_start = t->p.reserved_end = p->it_offset;
    }

    uint32_t i;
    for (i = 0; i < t->nr_pools; i++) {
        t->pools[i].start = t->poolsize * i;
        t->pools[i].hint = t->pools[i].start;
        t->pools[i].end = t->pools[i].start + t->poolsize;
    }
    t->large_pool.start = t->poolsize * i;
    t->large_pool.hint = t->large_pool.start;
    t->large_pool.end = p->it_size;
    return TCESIM_OK;
}

void iommu_table_destroy(iommu_table *t)
{
    if (!t)
        return;
    free(t->bitmap);
    t->bitmap = NULL;
}

/* setup_iommu_pool_hash(): hash_32(cpu, IOMMU_POOL_HASHBITS = 2), then
 * iommu_range_alloc() masks it with nr_pools - 1. */
uint32_t iommu_pool_of_cpu(const iommu_table *t, unsigned cpu)
{
    unsigned bits = 2;
    while ((1u << bits) < t->nr_pools)
        bits++;
    uint32_t h = (uint32_t)cpu * t->p.hash_mult;
    return (h >> (32 - bits)) & (t->nr_pools - 1);
}

/* Pools by index: 0..nr_pools-1, and nr_pools for the large pool. */
static iommu_pool *pool_at(iommu_table *t, uint32_t idx)
{
    return idx == t->nr_pools ? &t->large_pool : &t->pools[idx];
}

static int pool_id(const iommu_table *t, uint32_t idx)
{
    return idx == t->nr_pools ? IOMMU_POOL_LARGE : (int)idx;
}

static void info_reset(iommu_alloc_info *info, uint64_t npages)
{
    info->entry = IOMMU_MAP_ERROR;
    info->npages = npages;
    info->pool = IOMMU_NO_POOL;
    info->home_pool = IOMMU_NO_POOL;
    info->passes = 0;
    info->nholds = 0;
}

/* A spin_lock(&pool->lock): opens a new hold. The bound in the header covers
 * every path; the guard only keeps a wrong bound from writing out of range. */
static uint64_t *hold_open(iommu_alloc_info *info, const iommu_table *t, uint32_t idx)
{
    if (info->nholds < IOMMU_MAX_HOLDS) {
        info->holds[info->nholds].pool = pool_id(t, idx);
        info->holds[info->nholds].words_scanned = 0;
        info->nholds++;
    }
    return &info->holds[info->nholds - 1].words_scanned;
}

static void note_alloc(iommu_table *t, uint64_t npages, uint32_t idx, uint32_t home_idx)
{
    t->st.allocs++;
    t->st.allocs_by_pool[idx]++;
    if (idx != home_idx)
        t->st.fallbacks_in[idx]++;
    t->st.pages_in_use += npages;
    if (t->st.pages_in_use > t->st.pages_in_use_peak)
        t->st.pages_in_use_peak = t->st.pages_in_use;
}

/* iommu_range_alloc() (arch/powerpc/kernel/iommu.c, Linux 4.4 and 6.6; the
 * large-pool pass 6.6 only). Cost: each pass is one bitmap search, O(limit -
 * start) / 64 words at worst; a failing request makes nr_pools + 3 passes
 * (nr_pools + 2 without the large-pool pass). */
uint64_t iommu_range_alloc(iommu_table *t, unsigned cpu, uint64_t npages, uint64_t *handle,
                           uint64_t mask_pages, unsigned align_order, iommu_alloc_info *info)
{
    iommu_alloc_info scratch;
    if (!info)
        info = &scratch;
    info_reset(info, npages);
    const uint64_t off = t->p.it_offset;
    if (npages == 0 || align_order >= 64 || mask_pages < off) {
        t->st.rejected++;
        return IOMMU_MAP_ERROR;
    }
    const uint64_t align_mask = (1ull << align_order) - 1;
    /* dma_get_seg_boundary_nr_pages(): (boundary mask >> page_shift) + 1 */
    const uint64_t boundary_size = ((t->p.seg_boundary - 1) >> t->p.page_shift) + 1;
    const bool largealloc = npages > 15;
    uint32_t pool_nr = iommu_pool_of_cpu(t, cpu);
    const uint32_t home_idx = largealloc ? t->nr_pools : pool_nr;
    uint32_t cur = home_idx;
    info->home_pool = pool_id(t, home_idx);
    uint64_t *words = hold_open(info, t, cur);
    unsigned pass = 0;
    uint64_t n;

    for (;;) {
        iommu_pool *pool = pool_at(t, cur);
        uint64_t start;
        /* pass 0 continues a scatterlist where the previous segment ended */
        if (pass == 0 && handle && *handle && *handle >= pool->start && *handle < pool->end)
            start = *handle;
        else
            start = pool->hint;
        uint64_t limit = pool->end;
        if (start >= limit)
            start = pool->start;
        if (limit + off > mask_pages) {
            /* The device cannot reach the pool's end: search below the mask,
             * from the masked hint on pass 0, else from pool 0's start (with
             * the masked limit, which may lie beyond pool 0's end). */
            limit = mask_pages - off + 1;
            if ((start & mask_pages) >= limit || pass > 0) {
                cur = 0;
                words = hold_open(info, t, cur);
                pool = pool_at(t, cur);
                start = pool->start;
            } else {
                start &= mask_pages;
            }
        }

        n = area_alloc(t->bitmap, limit, start, npages, off, boundary_size, align_mask, words);
        if (n != NOT_FOUND)
            break;
        if (pass == 0) {
            /* the same pool again, from its start, under the same lock */
            pool->hint = pool->start;
        } else if (pass <= t->nr_pools) {
            /* the next pool after the CPU's, wrapping (the home pool comes
             * round again on the last of these passes) */
            pool_nr = (pool_nr + 1) & (t->nr_pools - 1);
            cur = pool_nr;
            words = hold_open(info, t, cur);
            pool_at(t, cur)->hint = pool_at(t, cur)->start;
        } else if (t->large_fallback && pass == t->nr_pools + 1) {
            cur = t->nr_pools;
            words = hold_open(info, t, cur);
            t->large_pool.hint = t->large_pool.start;
        } else {
            info->passes = pass;
            t->st.failures++;
            return IOMMU_MAP_ERROR;
        }
        pass++;
    }

    iommu_pool *pool = pool_at(t, cur);
    uint64_t end = n + npages;
    /* small allocations start the next search on a fresh block (it_blocksize
     * entries) so that consecutive mappings do not share a TCE cache line;
     * large ones do not, to avoid fragmenting the large pool */
    if (largealloc)
        pool->hint = end;
    else
        pool->hint = (end + t->p.blocksize - 1) & ~((uint64_t)t->p.blocksize - 1);
    if (handle)
        *handle = end;

    info->entry = n;
    info->pool = pool_id(t, cur);
    info->passes = pass;
    note_alloc(t, npages, cur, home_idx);
    return n;
}

/* get_pool(): the large pool from its start up, else entry / poolsize. */
static uint32_t pool_of_entry(const iommu_table *t, uint64_t entry)
{
    if (entry >= t->large_pool.start)
        return t->nr_pools;
    return (uint32_t)(entry / t->poolsize);
}

/* __iommu_free() with iommu_free_check() and this model's stricter checks. */
int iommu_range_free(iommu_table *t, uint64_t entry, uint64_t npages, iommu_alloc_info *info)
{
    iommu_alloc_info scratch;
    if (!info)
        info = &scratch;
    info_reset(info, npages);
    info->entry = entry;
    bool bad = npages == 0 || entry >= t->p.it_size || npages > t->p.it_size - entry;
    if (!bad) {
        uint64_t off = t->p.it_offset;
        uint64_t rs = t->p.reserved_start - off, re = t->p.reserved_end - off;
        bool touches_zero = off == 0 && entry == 0;
        bool touches_reserved = rs < re && entry < re && entry + npages > rs;
        bad = touches_zero || touches_reserved || !range_all_set(t->bitmap, entry, npages);
    }
    if (bad) {
        t->st.bad_frees++;
        return TCESIM_EINVAL;
    }
    uint32_t idx = pool_of_entry(t, entry);
    uint64_t *words = hold_open(info, t, idx);
    *words = words_spanned(entry, npages);
    set_range(t->bitmap, entry, npages, false);
    info->pool = pool_id(t, idx);
    t->st.frees++;
    t->st.pages_in_use -= npages;
    return TCESIM_OK;
}

/* ---- the DMA API callers ---- */

/* iommu_num_pages(): IO pages touched by [addr, addr + len). */
static uint64_t io_num_pages(uint64_t addr, uint64_t len, unsigned shift)
{
    uint64_t io = 1ull << shift;
    uint64_t span = (addr & (io - 1)) + len;
    if (span < len)
        return UINT64_MAX >> shift; /* larger than any window: the search fails */
    return (span >> shift) + ((span & (io - 1)) != 0);
}

/* The alignment rule of iommu_map_page() and ppc_iommu_map_sg(): when the IO
 * page is smaller than the CPU page, a page-aligned buffer of at least a page
 * is mapped on a CPU-page boundary. */
static unsigned map_align(const iommu_table *t, uint64_t pa, uint64_t len)
{
    uint64_t cpu_page = 1ull << t->p.cpu_page_shift;
    if (t->p.page_shift < t->p.cpu_page_shift && len >= cpu_page && (pa & (cpu_page - 1)) == 0)
        return t->p.cpu_page_shift - t->p.page_shift;
    return 0;
}

static uint64_t bus_of(const iommu_table *t, uint64_t entry, uint64_t pa)
{
    uint64_t io_off = pa & ((1ull << t->p.page_shift) - 1);
    return ((entry + t->p.it_offset) << t->p.page_shift) | io_off;
}

/* iommu_map_page() -> iommu_alloc() */
uint64_t iommu_map_page(iommu_table *t, unsigned cpu, uint64_t pa, uint64_t size,
                        uint64_t dma_mask, uint64_t *bus, iommu_alloc_info *info)
{
    uint64_t npages = io_num_pages(pa, size, t->p.page_shift);
    uint64_t e = iommu_range_alloc(t, cpu, npages, NULL, dma_mask >> t->p.page_shift,
                                   map_align(t, pa, size), info);
    if (bus)
        *bus = e == IOMMU_MAP_ERROR ? IOMMU_MAP_ERROR : bus_of(t, e, pa);
    return e;
}

/* The offset a map_sg segment's dma_address keeps (ppc_iommu_map_sg(),
 * arch/powerpc/kernel/iommu.c): Linux 6.6 `dma_addr |= (vaddr &
 * ~IOMMU_PAGE_MASK(tbl))`; Linux 4.4 `dma_addr |= (s->offset &
 * ~IOMMU_PAGE_MASK(tbl))`, s->offset being the offset within the CPU page,
 * so with IO pages larger than CPU pages the CPU page's own offset within
 * the IO page is lost. */
static uint64_t sg_offset(const iommu_table *t, uint64_t pa)
{
    uint64_t io_mask = (1ull << t->p.page_shift) - 1;
    if (t->p.kernel == IOMMU_KERNEL_4_4)
        return pa & ((1ull << t->p.cpu_page_shift) - 1) & io_mask;
    return pa & io_mask;
}

uint64_t iommu_sg_out_pages(const iommu_table *t, const iommu_sg_out *o)
{
    return io_num_pages(o->bus, o->len, t->p.page_shift);
}

/* ppc_iommu_map_sg() (Linux 4.4 and 6.6), following its bookkeeping
 * literally: `segstart` is the input segment that opened the current output
 * segment `o`. Output 0 starts empty, so leading zero-length input segments
 * leave it empty and the first mapped segment opens output 1, as in the
 * kernel. */
uint64_t iommu_map_sg(iommu_table *t, unsigned cpu, const uint64_t *pas, const uint64_t *sizes,
                      uint32_t n, uint64_t dma_mask, uint64_t max_seg_size, bool novmerge,
                      uint64_t *bus_in, iommu_alloc_info *infos, iommu_sg_out *outs, uint32_t *nouts,
                      iommu_sg_failure *fail)
{
    *nouts = 0;
    if (fail) {
        fail->seg = n;
        fail->nunwound = 0;
    }
    if (n == 0)
        return IOMMU_MAP_ERROR;
    uint64_t handle = 0, dma_next = 0;
    uint32_t o = 0, segstart = 0;
    outs[0].bus = IOMMU_MAP_ERROR;
    outs[0].len = 0;
    const uint64_t mask_pages = dma_mask >> t->p.page_shift;

    for (uint32_t i = 0; i < n; i++) {
        iommu_alloc_info *info = infos ? &infos[i] : NULL;
        if (sizes[i] == 0) {
            /* skipped; dma_next = 0, which no later address equals, ends the merge */
            if (info)
                info_reset(info, 0);
            if (bus_in)
                bus_in[i] = IOMMU_MAP_ERROR;
            dma_next = 0;
            continue;
        }
        uint64_t npages = io_num_pages(pas[i], sizes[i], t->p.page_shift);
        uint64_t e = iommu_range_alloc(t, cpu, npages, &handle, mask_pages,
                                       map_align(t, pas[i], sizes[i]), info);
        if (fail && fail->step && info)
            fail->step(fail->step_ctx, i, info,
                       e == IOMMU_MAP_ERROR ? IOMMU_MAP_ERROR
                                            : ((e + t->p.it_offset) << t->p.page_shift) | sg_offset(t, pas[i]));
        if (e == IOMMU_MAP_ERROR) {
            for (uint32_t k = i; k < n; k++) {
                if (bus_in)
                    bus_in[k] = IOMMU_MAP_ERROR;
                if (infos && k > i)
                    info_reset(&infos[k], 0);
            }
            if (fail)
                fail->seg = i;
            /* the `failure:` unwind: __iommu_free() each filled output
             * segment up to the current one, a merged one as a single range
             * of iommu_num_pages(dma_address, dma_length) pages */
            for (uint32_t k = 0; k <= o; k++) {
                if (outs[k].len == 0)
                    continue;
                uint64_t first = (outs[k].bus >> t->p.page_shift) - t->p.it_offset;
                uint64_t np = iommu_sg_out_pages(t, &outs[k]);
                iommu_alloc_info fi;
                fi.holds[0].words_scanned = 0;
                fi.pool = IOMMU_NO_POOL;
                int rc = fail && fail->defer_free && fail->unwound ? 0 : iommu_range_free(t, first, np, &fi);
                if (fail) {
                    if (fail->unwound)
                        fail->unwound[fail->nunwound] = (iommu_sg_unwind){
                            .entry = first,
                            .npages = np,
                            .pool = rc == 0 ? fi.pool : IOMMU_NO_POOL,
                            .words = rc == 0 ? fi.holds[0].words_scanned : 0,
                            .bad = rc != 0,
                        };
                    fail->nunwound++;
                }
            }
            return IOMMU_MAP_ERROR;
        }
        uint64_t dma_addr = ((e + t->p.it_offset) << t->p.page_shift) | sg_offset(t, pas[i]);
        if (bus_in)
            bus_in[i] = dma_addr;
        if (segstart != i) {
            if (novmerge || dma_addr != dma_next || outs[o].len + sizes[i] > max_seg_size) {
                segstart = i;
                o++;
            } else {
                outs[o].len += sizes[i];
            }
        }
        if (segstart == i) {
            outs[o].bus = dma_addr;
            outs[o].len = sizes[i];
        }
        dma_next = dma_addr + sizes[i];
    }
    *nouts = o + 1;
    return 0;
}

/* iommu_alloc_coherent() / iommu_free_coherent(), arch/powerpc/kernel/
 * iommu.c: Linux 6.6 `nio_pages = IOMMU_PAGE_ALIGN(size, tbl) >>
 * tbl->it_page_shift` (Gaurav Batra's 2023 change for IO pages larger than
 * the CPU page); Linux 4.4 `nio_pages = size >> tbl->it_page_shift`, both
 * after size = PAGE_ALIGN(size). */
uint64_t iommu_coherent_pages(const iommu_table *t, uint64_t size)
{
    const uint64_t cpu_page = 1ull << t->p.cpu_page_shift;
    const unsigned shift = t->p.page_shift;
    const uint64_t io = 1ull << shift;
    if (size > UINT64_MAX - cpu_page || size > UINT64_MAX - io)
        return UINT64_MAX >> shift;
    size = (size + cpu_page - 1) & ~(cpu_page - 1);
    if (t->p.kernel == IOMMU_KERNEL_4_4)
        return size >> shift;
    return ((size + io - 1) & ~(io - 1)) >> shift;
}

/* iommu_alloc_coherent(): Linux 6.6 `*dma_handle = mapping | ((u64)ret &
 * (tcesize - 1))`, ret the buffer's linear-map address, whose low bits are
 * the physical address's; Linux 4.4 `*dma_handle = mapping`. */
uint64_t iommu_coherent_offset(const iommu_table *t, uint64_t pa)
{
    if (t->p.kernel == IOMMU_KERNEL_4_4)
        return 0;
    return pa & ((1ull << t->p.page_shift) - 1);
}

/* iommu_alloc_coherent() (Linux 4.4 and 6.6; the page count and the offset
 * per era, above) */
uint64_t iommu_alloc_coherent(iommu_table *t, unsigned cpu, uint64_t pa, uint64_t size,
                              uint64_t dma_mask, uint64_t *bus, iommu_alloc_info *info)
{
    iommu_alloc_info scratch;
    if (!info)
        info = &scratch;
    if (bus)
        *bus = IOMMU_MAP_ERROR;
    const unsigned ps = t->p.cpu_page_shift;
    const uint64_t cpu_page = 1ull << ps;
    /* PAGE_ALIGN, then get_order(): the smallest order with PAGE_SIZE << order >= size */
    if (size == 0 || size > (1ull << (ps + IOMMU_MAX_ORDER - 1))) {
        info_reset(info, 0);
        t->st.rejected++;
        return IOMMU_MAP_ERROR;
    }
    const uint64_t nio_pages = iommu_coherent_pages(t, size);
    size = (size + cpu_page - 1) & ~(cpu_page - 1);
    const unsigned shift = t->p.page_shift;
    /* get_iommu_order(): __ilog2((size - 1) >> shift) + 1, __ilog2(0) = -1 */
    uint64_t q = (size - 1) >> shift;
    unsigned io_order = q ? (unsigned)(64 - __builtin_clzll(q)) : 0;
    /* 4.4 with nio_pages 0: iommu_range_alloc()'s npages == 0 WARN, refused */
    uint64_t e = iommu_range_alloc(t, cpu, nio_pages, NULL, dma_mask >> shift, io_order, info);
    if (e != IOMMU_MAP_ERROR && bus)
        *bus = ((e + t->p.it_offset) << shift) | iommu_coherent_offset(t, pa);
    return e;
}
