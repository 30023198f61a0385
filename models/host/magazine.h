/* Per-CPU magazine caches of freed IO ranges in front of the allocator: a
 * what-if policy, modelled on Linux's generic IOVA allocator's range caches
 * (drivers/iommu/iova.c: iova_rcache, iova_magazine, the depot; Bonwick and
 * Adams, "Magazines and Vmem", USENIX ATC 2001; for IOMMUs: Peleg et al.,
 * "Utilizing the IOMMU scalably", USENIX ATC 2015). PowerNV does not do this.
 *
 * Ranges of up to 2^(MAG_SIZE_CLASSES - 1) pages are cached by size class
 * (order_base_2 of npages); a cached range stays allocated in the bitmap, so
 * the allocator never sees it until the cache gives it back. Each CPU has a
 * `loaded` and a `prev` magazine per class; full and empty magazines move
 * to and from a global depot, which has a lock of its own (its holds are
 * reported so the timing model can charge them). Functional only. */
#ifndef TCESIM_MAGAZINE_H
#define TCESIM_MAGAZINE_H

#include <stdbool.h>
#include <stdint.h>

#define MAG_SIZE_CLASSES 6u     /* IOVA_RANGE_CACHE_MAX_SIZE: 1..32 pages */
#define MAG_DEFAULT_SIZE 127u   /* IOVA_MAG_SIZE (127 in later kernels, a change made while
                                   the MAX_GLOBAL_MAGS array depot was still in place; 128 before) */
#define MAG_DEFAULT_DEPOT 32u   /* MAX_GLOBAL_MAGS */

typedef struct mag_params {
    uint32_t ncpus;             /* >= 1 */
    uint32_t mag_size;          /* ranges per magazine, >= 1 */
    uint32_t depot_max;         /* full magazines the depot keeps (beyond: given back) */
} mag_params;

typedef struct mag_stats {
    uint64_t alloc_hits, alloc_misses;     /* served by a cache / fell through to the allocator */
    uint64_t frees_cached, frees_through;  /* kept in a cache / freed to the allocator */
    uint64_t depot_ops;                    /* depot lock acquisitions */
    uint64_t ranges_cached;                /* now, over all caches */
    uint64_t ranges_evicted;               /* given back by mag_free's depot overflow and mag_drain */
} mag_stats;

typedef struct mag_cache mag_cache;

/* Semantics are those of the array-depot kernels (before the 6.7 depot
 * list): iova_rcache_insert / __iova_rcache_get / iova_magazine_pop.
 * Deterministic. Bad arguments (NULL cache, cpu >= ncpus) make mag_alloc
 * and mag_free return false without touching the stats; `depot_lock` may
 * be NULL. Invariant: depot_ops == the number of calls that set
 * *depot_lock (mag_drain's holds are not counted). */

/* Returns NULL on bad params or allocation failure. All magazines are
 * allocated here: MAG_SIZE_CLASSES * (2 * ncpus + depot_max) * mag_size
 * 8-byte slots, so alloc and free never allocate. */
mag_cache *mag_create(const mag_params *p);
void mag_destroy(mag_cache *m); /* accepts NULL */

/* Size class of a range of npages, or -1 when it is too large to cache. */
int mag_class(uint64_t npages);

/* Allocation: a cached range of the same class for `cpu`, within the DMA
 * mask (entry + npages_class <= limit_entries) and with the requested
 * alignment (entry a multiple of 1 << align_order). Returns true and sets
 * *entry; *depot_lock is set when the depot's lock was taken. A range is
 * cached with the page count of its class (rounded up to a power of two),
 * so callers allocate that many pages on a miss (as iova.c does with
 * size_aligned ranges).
 * Which magazine is searched follows __iova_rcache_get: `loaded` if it is
 * non-empty, else `prev` (swapped in) if non-empty, else a full magazine
 * from the depot (lock taken whether or not the depot has one). Only that
 * magazine is searched, most recent range first; if nothing in it fits the
 * mask and alignment, the call misses. Cost O(mag_size) worst case. */
bool mag_alloc(mag_cache *m, unsigned cpu, uint64_t npages, uint64_t limit_entries,
               unsigned align_order, uint64_t *entry, bool *depot_lock);

/* Free: cache the range for `cpu` when there is room. Returns true if
 * cached; false if the caller must free it to the allocator. When a full
 * magazine is pushed out of the depot, its ranges are handed back through
 * `evict` (each must then be freed to the allocator by the caller), in
 * the order they were cached, before mag_free returns. If `evict` is NULL
 * and the depot is full, the range is not cached (returns false). */
typedef void (*mag_evict_fn)(void *ctx, uint64_t entry, uint64_t npages);
bool mag_free(mag_cache *m, unsigned cpu, uint64_t entry, uint64_t npages,
              bool *depot_lock, mag_evict_fn evict, void *ctx);

/* Gives every cached range back through `evict` (end of run, flushes):
 * for each CPU, each class's loaded then prev (free_cpu_cached_iovas), then
 * each class's depot (free_global_cached_iovas). NULL `evict` discards. */
void mag_drain(mag_cache *m, mag_evict_fn evict, void *ctx);

const mag_stats *mag_get_stats(const mag_cache *m); /* NULL for NULL */
/* Zeroes the counters; ranges_cached (what the caches hold now) stays. */
void mag_reset_stats(mag_cache *m);

#endif
