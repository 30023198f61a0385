/* A plain-C face of the models for the C++ benchmarks (bench_models.cpp):
 * opaque handles, integers in and out, so the benchmarks never include a
 * model header or see a model struct. One section per model; a new
 * benchmark family (walks, whole translations) adds its own section here and
 * in shim.c. Every constructor returns NULL on bad parameters. */
#ifndef TCESIM_BENCH_SHIM_H
#define TCESIM_BENCH_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- workloads ---- */

/* n pages drawn uniformly from [0, window_pages), seeded; the benchmarks
 * replay them so the RNG stays out of the timed loop. */
void shim_fill_pages(uint64_t *out, size_t n, uint64_t window_pages, uint64_t seed);

/* ---- TCE cache (models/tce_cache) ---- */

typedef struct shim_cache shim_cache;

/* policy: "lru", "rr" or "random"; ways 0 = fully associative. */
shim_cache *shim_cache_new(uint32_t entries, uint32_t ways, const char *policy);
void shim_cache_free(shim_cache *c); /* accepts NULL */
/* What a translation does: look the page up (PE 0) at now_ps; on a miss,
 * insert it ready at now_ps. Returns 1 for a hit or merge, 0 for a miss. */
int shim_cache_lookup_insert(shim_cache *c, uint64_t iopage, uint64_t now_ps);

/* ---- memory timing (models/memory) ---- */

typedef struct shim_mem shim_mem;

shim_mem *shim_mem_new(uint64_t latency_ps, uint64_t bandwidth_mbs);
void shim_mem_free(shim_mem *m); /* accepts NULL */
uint64_t shim_mem_access(shim_mem *m, uint64_t pa, uint32_t bytes, int is_write,
                         uint64_t arrival_ps);

/* ---- TCE walk (models/tce) ---- */

typedef struct shim_walk shim_walk;

/* A table of `levels` levels (4 KiB IO and CPU pages) whose window is
 * window_pages pages, every entry mapped; NULL on bad parameters. */
shim_walk *shim_walk_new(unsigned levels, uint64_t window_pages);
void shim_walk_free(shim_walk *w); /* accepts NULL */
/* The functional walk (tce_walk) of a read of IO page iopage; returns the
 * translated address (0 on a fault). */
uint64_t shim_walk_page(shim_walk *w, uint64_t iopage);

/* ---- PHB translation (models/phb) ---- */

typedef struct shim_phb shim_phb;

/* A PHB3 with one PE whose TVE#0 is a 1-level table over window_bytes of
 * 4 KiB pages (all mapped), a fully associative LRU TCE cache of
 * cache_entries, 32 fetch slots, and a mock memory whose TCE reads take
 * 100 ns. */
shim_phb *shim_phb_new(uint32_t cache_entries, uint64_t window_bytes);
void shim_phb_free(shim_phb *p); /* accepts NULL */
/* phb_translate of a read at bus_addr arriving at now_ps. Returns 1 for a
 * hit or merge, 0 for a miss (or anything else). */
int shim_phb_translate(shim_phb *p, uint64_t bus_addr, uint64_t now_ps);

/* ---- baseline: the bare 64-entry LRU lookup (the work floor of one translation) ---- */

typedef struct shim_lru64 shim_lru64;

shim_lru64 *shim_lru64_new(void);
void shim_lru64_free(shim_lru64 *l); /* accepts NULL */
/* Linear search of 64 tags kept in recency order; a hit moves its tag to
 * the front, a miss drops the last tag and puts the new one in front.
 * Returns 1 on a hit. */
int shim_lru64_lookup_insert(shim_lru64 *l, uint64_t tag);

#ifdef __cplusplus
}
#endif

#endif
