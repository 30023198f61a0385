/* Linux's powerpc iommu_table allocator, bit-exact: the bitmap, its pools
 * and hints, the large pool, and the DMA API callers built on it
 * (arch/powerpc/kernel/iommu.c: iommu_init_table, iommu_range_alloc,
 * __iommu_free, iommu_map_page, ppc_iommu_map_sg, iommu_alloc_coherent;
 * lib/iommu-helper.c: iommu_area_alloc), as Linux 4.4 or
 * Linux 6.6 has it (iommu_table_params.kernel; README.md#kernel-eras here).
 *
 * Functional only: no time. Every allocation reports which pool locks it
 * took, in order, and how many bitmap words it scanned under each, so that
 * the host timing model (sim/) can charge lock waits and search costs.
 *
 * Provenance of the pools: Anton Blanchard, "powerpc/iommu: Implement IOMMU
 * pools to improve multiqueue adapter performance" (kernel commit
 * b4c3a8729ae5, 2012). Not thread-safe: the simulator serialises calls in
 * simulated-time order. */
#ifndef TCESIM_IOMMU_TABLE_H
#define TCESIM_IOMMU_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#define IOMMU_MAX_POOLS 64u
#define IOMMU_POOL_LARGE (-2)   /* pool id of the large pool in reports */
#define IOMMU_NO_POOL (-1)
/* Worst case of one iommu_range_alloc: two holds in passes 0 (initial lock,
 * DMA-mask switch to pool 0), one in pass 1 (mask switch; the rescan keeps
 * the lock), two in each of the nr_pools "next pool" passes and, with the
 * large-pool fallback (Linux 6.6), two in the large-pool pass: 2 * nr_pools
 * + 5 (2 * nr_pools + 3 without the fallback, Linux 4.4). */
#define IOMMU_MAX_HOLDS (2u * IOMMU_MAX_POOLS + 6u)
#define IOMMU_MAP_ERROR UINT64_MAX  /* DMA_MAPPING_ERROR */
#define IOMMU_MAX_ORDER 13u          /* IOMAP_MAX_ORDER (arch/powerpc/include/asm/iommu.h) */

/* hash_32()'s multiplier (include/linux/hash.h): GOLDEN_RATIO_32 since Linux
 * 4.7 (George Spelvin, "hash.h: Eliminate bad hash multipliers"), and
 * GOLDEN_RATIO_PRIME_32 before it, so seed-era kernels older than 4.7 put
 * CPUs 0..15 in pools 0,2,0,3,1,0,2,1,3,2,0,3,1,0,2,1 instead. */
#define IOMMU_HASH_MULT_MODERN 0x61C88647u
#define IOMMU_HASH_MULT_LEGACY 0x9e370001u

/* The kernel whose allocator rules apply (models/host/README.md, Kernel eras). Each era
 * brings its defaults (hash multiplier, large-pool fallback) and the forms
 * that matter when the IO page is larger than the CPU page:
 * - IOMMU_KERNEL_6_6: hash_32 with GOLDEN_RATIO_32; a small allocation that
 *   finds no room in the small pools tries the large pool last; coherent
 *   allocations count IOMMU_PAGE_ALIGN(size) >> shift pages and return the
 *   buffer's offset within its IO page; map_sg keeps vaddr's offset within
 *   the IO page.
 * - IOMMU_KERNEL_4_4: hash_32 with GOLDEN_RATIO_PRIME_32; no large-pool
 *   fallback; coherent allocations count size >> shift pages (0 for a buffer
 *   smaller than one IO page: refused) at offset 0; map_sg keeps only the
 *   offset within the CPU page (s->offset). */
typedef enum iommu_kernel {
    IOMMU_KERNEL_6_6 = 0,
    IOMMU_KERNEL_4_4,
} iommu_kernel;

/* The large-pool last-resort pass of iommu_range_alloc(). */
typedef enum iommu_fallback {
    IOMMU_FALLBACK_ERA = 0,   /* the era's: on in 6.6, off in 4.4 */
    IOMMU_FALLBACK_ON,
    IOMMU_FALLBACK_OFF,
} iommu_fallback;

typedef struct iommu_table_params {
    uint64_t it_offset;       /* first entry's index in bus space (window start >> page_shift) */
    uint64_t it_size;         /* entries in the window (> 1) */
    unsigned page_shift;      /* it_page_shift: the IO page */
    unsigned cpu_page_shift;  /* PAGE_SHIFT of the host */
    uint32_t blocksize;       /* it_blocksize: 16 on PowerNV (pnv_pci_setup_iommu_table) */
    uint32_t nr_pools;        /* 0: the kernel's rule (4 if the window is >= 1 GiB, else 1);
                               * else a power of two <= IOMMU_MAX_POOLS (a what-if) */
    /* entries [reserved_start, reserved_end) marked used at init
     * (it_reserved_start/end: the MMIO32 hole). Bus-space entry numbers, i.e.
     * including it_offset, clamped to the window as iommu_table_reserve_pages()
     * does; start >= end (after clamping) = none. */
    uint64_t reserved_start;
    uint64_t reserved_end;
    uint64_t seg_boundary;    /* device segment boundary in bytes, a power of two;
                               * 0 = the PCI default, 4 GiB (dma_get_seg_boundary() + 1) */
    iommu_kernel kernel;      /* whose rules; 0 = Linux 6.6 */
    uint32_t hash_mult;       /* hash_32() multiplier; 0 = the era's */
    iommu_fallback large_fallback;
} iommu_table_params;

typedef struct iommu_pool {
    uint64_t start, end, hint;   /* entries, [start, end) */
} iommu_pool;

/* One lock hold during an allocation or free: the pool whose lock was held
 * and the 64-bit bitmap words the search touched while holding it. */
typedef struct iommu_hold {
    int pool;                    /* 0..nr_pools-1 or IOMMU_POOL_LARGE */
    uint64_t words_scanned;
} iommu_hold;

typedef struct iommu_alloc_info {
    uint64_t entry;              /* first entry (table index, without it_offset); IOMMU_MAP_ERROR on failure */
    uint64_t npages;
    int pool;                    /* the pool the range came from (IOMMU_NO_POOL on failure) */
    int home_pool;               /* the pool the CPU hashed to (or IOMMU_POOL_LARGE) */
    unsigned passes;             /* the kernel's `pass` when it succeeded or gave up */
    unsigned nholds;
    iommu_hold holds[IOMMU_MAX_HOLDS];
} iommu_alloc_info;

typedef struct iommu_table_stats {
    uint64_t allocs, frees, failures, bad_frees;
    uint64_t rejected;           /* refused before any pool lock: npages == 0 (the kernel's
                                  * WARN), coherent order >= IOMAP_MAX_ORDER, DMA mask below
                                  * the window's first entry */
    uint64_t pages_in_use, pages_in_use_peak;
    uint64_t allocs_by_pool[IOMMU_MAX_POOLS + 1];    /* [nr_pools] = large */
    uint64_t fallbacks_in[IOMMU_MAX_POOLS + 1];      /* allocations that landed here from another home pool */
} iommu_table_stats;

typedef struct iommu_table {
    iommu_table_params p;        /* hash_mult resolved */
    bool large_fallback;         /* resolved from p.large_fallback and the era */
    uint32_t nr_pools;
    uint64_t poolsize;
    iommu_pool pools[IOMMU_MAX_POOLS];
    iommu_pool large_pool;
    uint64_t *bitmap;            /* it_size bits; 1 = in use */
    iommu_table_stats st;
} iommu_table;

/* iommu_init_table(): bitmap, entry 0 reserved when it_offset == 0, the
 * reserved range marked, nr_pools, poolsize = (it_size * 3/4) / nr_pools,
 * pools[i] = [i*poolsize, (i+1)*poolsize), large pool = [poolsize *
 * nr_pools, it_size), every hint at its pool's start. Returns 0,
 * TCESIM_EINVAL or TCESIM_ENOMEM. */
int iommu_table_init(iommu_table *t, const iommu_table_params *p);
void iommu_table_destroy(iommu_table *t); /* accepts a zeroed table */

/* hash_32(cpu, 2) & (nr_pools - 1): CPUs 0..15 -> 0,1,3,0,2,3,1,2,...
 * (modern multiplier). A what-if nr_pools > 4 hashes log2(nr_pools) bits. */
uint32_t iommu_pool_of_cpu(const iommu_table *t, unsigned cpu);

/* iommu_range_alloc(): npages > 15 go to the large pool; the pass sequence,
 * hints, `*handle` (may be NULL), DMA-mask limit (mask_pages = dma_mask >>
 * page_shift), natural alignment (align_order: the range starts on a
 * multiple of 1 << align_order entries) and the segment boundary, exactly
 * as the kernel does; the large-pool last resort for a small allocation
 * only when t->large_fallback (Linux 6.6; 4.4 fails after the small pools).
 * Fills *info (holds, pool, passes; may be NULL);
 * returns the entry or IOMMU_MAP_ERROR when everything is full (counted in
 * failures). npages == 0, align_order >= 64 and mask_pages < it_offset (the
 * kernel would search past its bitmap) are refused: counted in rejected, no
 * hold. A hold's words_scanned counts the 64-bit bitmap words loaded by the
 * searches (find_next_zero_bit / find_next_bit as lib/find_bit.c walks them,
 * one load per word visited per call) while that lock was held; the
 * bitmap_set of the winning range is not counted. */
uint64_t iommu_range_alloc(iommu_table *t, unsigned cpu, uint64_t npages, uint64_t *handle,
                           uint64_t mask_pages, unsigned align_order, iommu_alloc_info *info);

/* __iommu_free(): finds the pool from the entry (large if >= large start,
 * else entry / poolsize), clears the bits under that pool's lock. A range
 * not wholly allocated is a bad free ("invalid entry" + WARN): counted,
 * nothing changed, TCESIM_EINVAL. Fills *info (one hold, words touched by
 * the clear; may be NULL). The kernel's iommu_free_check() only rejects a
 * range outside the window; this model also rejects (as the kernel would
 * not) npages == 0, a range with a free entry (double free) and a range
 * touching the reserved entries (entry 0, the reserved range): all counted
 * in bad_frees, with no hold. */
int iommu_range_free(iommu_table *t, uint64_t entry, uint64_t npages, iommu_alloc_info *info);

/* ---- The DMA API callers ---- */

/* iommu_map_page(): npages = DIV_ROUND_UP((pa & (iopage-1)) + size, iopage);
 * aligned to the CPU page (align_order = PAGE_SHIFT - it_page_shift) when
 * the IO page is smaller and the buffer is page-aligned and >= a page. On
 * success *bus = ((entry + it_offset) << page_shift) | (pa & (iopage-1)).
 * Returns the first entry or IOMMU_MAP_ERROR (then *bus = IOMMU_MAP_ERROR).
 * bus and info may be NULL. */
uint64_t iommu_map_page(iommu_table *t, unsigned cpu, uint64_t pa, uint64_t size,
                        uint64_t dma_mask, uint64_t *bus, iommu_alloc_info *info);

/* One map_sg output segment (what the driver sees after merging). */
typedef struct iommu_sg_out {
    uint64_t bus;                /* dma_address */
    uint64_t len;                /* dma_length */
} iommu_sg_out;

/* A range the failure unwind of ppc_iommu_map_sg() handed back with
 * __iommu_free(): its TCEs are cleared (and killed) outside the lock, then
 * its bits cleared under `pool`'s lock, touching `words` bitmap words. */
typedef struct iommu_sg_unwind {
    uint64_t entry, npages;      /* table index (without it_offset), IO pages */
    int pool;                    /* IOMMU_NO_POOL when the free was refused */
    uint64_t words;
    bool bad;                    /* refused as a bad free (nothing changed) */
} iommu_sg_unwind;

/* How a map_sg failed: `seg` is the input segment whose allocation failed
 * (n when none did); unwound[0..nunwound) the ranges freed again, in the
 * kernel's order. unwound is the caller's array of capacity n (may be NULL:
 * then only nunwound is set). */
typedef struct iommu_sg_failure {
    uint32_t seg;
    uint32_t nunwound;
    iommu_sg_unwind *unwound;
    /* Leave the unwound ranges allocated: the caller frees them itself
     * (iommu_range_free) once it has cleared their TCEs, as __iommu_free()
     * clears before bitmap_clear. A timed caller that yields between the
     * allocation and the unwind must, or another CPU could be handed entries
     * whose TCEs are about to be cleared. Needs unwound != NULL. */
    bool defer_free;
    /* Called after each input segment's allocation, successful or not
     * (bus IOMMU_MAP_ERROR), before the next segment's and before any
     * unwind; needs infos. A timed caller charges the segment's lock holds
     * and builds its TCEs here, in the kernel's order (ppc_iommu_map_sg
     * calls it_ops->set per segment), and may yield: other CPUs then
     * allocate between two segments as they do between the pool lock's
     * release and the next acquisition. NULL: none. */
    void (*step)(void *ctx, uint32_t seg, const iommu_alloc_info *info, uint64_t bus);
    void *step_ctx;
} iommu_sg_failure;

/* ppc_iommu_map_sg(): one allocation per input segment, chained through a
 * handle starting at 0 so segments land back to back; output segments are
 * merged when the next starts where the previous ends and the merged length
 * stays <= max_seg_size (and !novmerge). A segment's bus address keeps the
 * buffer's offset within the IO page (6.6: vaddr & ~IOMMU_PAGE_MASK) or only
 * its offset within the CPU page (4.4: s->offset & ~IOMMU_PAGE_MASK; the two
 * differ only when the IO page is larger than the CPU page); its page count
 * is iommu_num_pages(vaddr, len) in both. infos[i], bus_in[i] describe input
 * segment i; outs[] receives the merged segments (capacity n) and *nouts
 * their count. On a failed segment every filled output segment up to the
 * current one is freed, npages = iommu_num_pages(dma_address, dma_length)
 * as the kernel computes it (in 4.4 a segment that lost its offset frees
 * fewer pages than it took: they stay in use), and IOMMU_MAP_ERROR is
 * returned (*nouts = 0; infos and bus_in after the failed segment are
 * reset: entry IOMMU_MAP_ERROR, no hold); else 0 (n == 0: IOMMU_MAP_ERROR,
 * the kernel's -EINVAL). A zero-length input
 * segment is skipped as the kernel skips it (bus_in[i] = IOMMU_MAP_ERROR,
 * infos[i].entry = IOMMU_MAP_ERROR, no hold) and ends any merge; leading
 * zero-length segments leave outs[0] empty (len 0, bus IOMMU_MAP_ERROR) and
 * counted in *nouts, as the kernel's sglist bookkeeping does. bus_in, infos
 * and fail may be NULL. The unwinding frees are counted in frees and
 * reported in *fail, not as holds. */
uint64_t iommu_map_sg(iommu_table *t, unsigned cpu, const uint64_t *pas, const uint64_t *sizes,
                      uint32_t n, uint64_t dma_mask, uint64_t max_seg_size, bool novmerge,
                      uint64_t *bus_in, iommu_alloc_info *infos, iommu_sg_out *outs, uint32_t *nouts,
                      iommu_sg_failure *fail);

/* IO pages a dma_unmap_sg() frees for one output segment, the kernel's
 * iommu_num_pages(dma_address, dma_length, IOMMU_PAGE_SIZE). */
uint64_t iommu_sg_out_pages(const iommu_table *t, const iommu_sg_out *o);

/* iommu_alloc_coherent() for a buffer at physical address pa (the page
 * allocator's block: at least CPU-page aligned): size rounded up to the CPU
 * page; fails when get_order(size) >= IOMAP_MAX_ORDER (13); nio_pages =
 * iommu_coherent_pages(); natural alignment io_order = ilog2((size - 1) >>
 * page_shift) + 1 (0 for one IO page), and the DMA mask limit. *bus =
 * (entry + it_offset) << page_shift, | (pa & (IO page - 1)) in 6.6 (4.4: no
 * offset). Returns the first entry or IOMMU_MAP_ERROR. size 0, the order
 * limit and (4.4) a 0-page count are counted in rejected (get_order(0) is
 * past the limit in the kernel too). */
uint64_t iommu_alloc_coherent(iommu_table *t, unsigned cpu, uint64_t pa, uint64_t size,
                              uint64_t dma_mask, uint64_t *bus, iommu_alloc_info *info);

/* The IO pages a coherent allocation of `size` bytes takes (and its free
 * releases): PAGE_ALIGN(size), then IOMMU_PAGE_ALIGN(size) >> page_shift in
 * 6.6 or size >> page_shift in 4.4 (iommu_alloc_coherent /
 * iommu_free_coherent). */
uint64_t iommu_coherent_pages(const iommu_table *t, uint64_t size);

/* The offset a coherent mapping's bus address carries for a buffer at pa:
 * pa & (IO page - 1) in 6.6, 0 in 4.4. */
uint64_t iommu_coherent_offset(const iommu_table *t, uint64_t pa);

#endif
