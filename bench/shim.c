/* The benchmark shim (contract in shim.h). Thin on purpose: each call is
 * the model call plus at most a branch, so the figures are the models'. */
#include "shim.h"

#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "common/tcesim_err.h"
#include "memory/memory.h"
#include "tce_cache/tce_cache.h"

void shim_fill_pages(uint64_t *out, size_t n, uint64_t window_pages, uint64_t seed)
{
    rng r;
    rng_seed(&r, seed, 0);
    for (size_t i = 0; i < n; i++)
        out[i] = rng_below(&r, window_pages);
}

/* ---- TCE cache ---- */

struct shim_cache {
    tce_cache *c;
};

shim_cache *shim_cache_new(uint32_t entries, uint32_t ways, const char *policy)
{
    tce_cache_params p = {.entries = entries, .ways = ways, .seed = 1};
    if (tce_repl_parse(policy, &p.policy) != TCESIM_OK)
        return NULL;
    shim_cache *s = malloc(sizeof(*s));
    if (!s)
        return NULL;
    s->c = tce_cache_create(&p);
    if (!s->c) {
        free(s);
        return NULL;
    }
    return s;
}

void shim_cache_free(shim_cache *s)
{
    if (!s)
        return;
    tce_cache_destroy(s->c);
    free(s);
}

int shim_cache_lookup_insert(shim_cache *s, uint64_t iopage, uint64_t now_ps)
{
    tce_lookup r;
    tce_cache_lookup(s->c, 0, iopage, now_ps, &r);
    if (r.kind != TCE_LOOKUP_MISS)
        return 1;
    tce_cache_insert(s->c, 0, iopage, (iopage << 12) | 3, now_ps);
    return 0;
}

/* ---- memory timing ---- */

struct shim_mem {
    mem_model m;
};

shim_mem *shim_mem_new(uint64_t latency_ps, uint64_t bandwidth_mbs)
{
    mem_params p = {.latency_ps = latency_ps, .bandwidth_mbs = bandwidth_mbs};
    shim_mem *s = malloc(sizeof(*s));
    if (!s)
        return NULL;
    if (mem_init(&s->m, &p) != TCESIM_OK) {
        free(s);
        return NULL;
    }
    return s;
}

void shim_mem_free(shim_mem *s)
{
    free(s);
}

uint64_t shim_mem_access(shim_mem *s, uint64_t pa, uint32_t bytes, int is_write,
                         uint64_t arrival_ps)
{
    return mem_access(&s->m, pa, bytes, is_write != 0, arrival_ps);
}

/* ---- baseline: bare 64-entry LRU ----
 * The least a translation can cost: no PE, no time, no counters, no hash;
 * tags[0] is the most recent. A hit at position k shifts k tags, so a hit
 * costs O(k) and a miss a full 64-tag scan plus a 63-tag shift. */

#define LRU64_N 64

struct shim_lru64 {
    uint64_t tags[LRU64_N];
};

shim_lru64 *shim_lru64_new(void)
{
    shim_lru64 *l = malloc(sizeof(*l));
    if (!l)
        return NULL;
    for (int i = 0; i < LRU64_N; i++)
        l->tags[i] = UINT64_MAX; /* no page number is all ones */
    return l;
}

void shim_lru64_free(shim_lru64 *l)
{
    free(l);
}

int shim_lru64_lookup_insert(shim_lru64 *l, uint64_t tag)
{
    int k = 0;
    while (k < LRU64_N && l->tags[k] != tag)
        k++;
    int hit = k < LRU64_N;
    if (!hit)
        k = LRU64_N - 1;
    memmove(&l->tags[1], &l->tags[0], (size_t)k * sizeof(l->tags[0]));
    l->tags[0] = tag;
    return hit;
}
