/* The benchmark shim (contract in shim.h). Thin on purpose: each call is
 * the model call plus at most a branch, so the figures are the models'. */
#include "shim.h"

#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "common/tcesim_err.h"
#include "memory/memory.h"
#include "memory/physalloc.h"
#include "memory/physmem.h"
#include "phb/phb.h"
#include "tce/tce_table.h"
#include "tce_cache/tce_cache.h"
#include "tvt/tve.h"

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
    if (!s)
        return;
    mem_destroy(&s->m);
    free(s);
}

uint64_t shim_mem_access(shim_mem *s, uint64_t pa, uint32_t bytes, int is_write,
                         uint64_t arrival_ps)
{
    return mem_access(&s->m, pa, bytes, is_write != 0, arrival_ps);
}

/* ---- TCE tables: shared by the walk and PHB sections ---- */

#define SHIM_RAM_BYTES (1ull << 36)

typedef struct shim_table {
    physmem *mem;
    physalloc alloc;
    tce_table t;
} shim_table;

/* Builds a table over window_pages 4 KiB pages, every entry mapped
 * read/write to a distinct page. Returns 0 or -1. */
static int table_build(shim_table *st, unsigned levels, uint64_t window_pages)
{
    tce_geom g;
    st->mem = physmem_create();
    if (!st->mem || physalloc_init(&st->alloc, SHIM_RAM_BYTES, 12, 1) != TCESIM_OK ||
        tce_geometry(window_pages << 12, 12, levels, 12, &g) != TCESIM_OK ||
        tce_table_create(&st->t, st->mem, &st->alloc, &g) != TCESIM_OK)
        return -1;
    for (uint64_t i = 0; i < window_pages; i++)
        if (tce_table_set(&st->t, i, (0x100000ull + i) << 12, TCE_READ | TCE_WRITE) != TCESIM_OK)
            return -1;
    return 0;
}

struct shim_walk {
    shim_table st;
    tve v;
};

shim_walk *shim_walk_new(unsigned levels, uint64_t window_pages)
{
    shim_walk *w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    if (table_build(&w->st, levels, window_pages) != 0) {
        shim_walk_free(w);
        return NULL;
    }
    w->v = tce_table_tve(&w->st.t);
    return w;
}

void shim_walk_free(shim_walk *w)
{
    if (!w)
        return;
    physmem_destroy(w->st.mem);
    free(w);
}

uint64_t shim_walk_page(shim_walk *w, uint64_t iopage)
{
    tce_walk_result r;
    tce_walk(&w->v, w->st.mem, iopage << 12, false, &r);
    return r.fault == TCE_OK ? r.pa : 0;
}

/* ---- PHB translation ---- */

#define SHIM_RID 0x0100u
#define SHIM_PE 1u

struct shim_phb {
    shim_table st;
    phb *p;
};

/* The mock memory: every TCE read takes 100 ns, no queueing. */
static ps_t shim_tce_read(void *ctx, uint64_t pa, uint32_t bytes, ps_t arrival_ps)
{
    (void)ctx;
    (void)pa;
    (void)bytes;
    return arrival_ps + 100000;
}

shim_phb *shim_phb_new(uint32_t cache_entries, uint64_t window_bytes)
{
    shim_phb *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    phb_params pp = {
        .gen = PHB_GEN3,
        .lookup_ps = 2000,
        .bypass_ps = 1000,
        .fetch_slots = 32,
        .line_bytes = 128,
        .cache = {.entries = cache_entries, .ways = 0, .policy = TCE_REPL_LRU, .seed = 1},
    };
    tve v;
    uint64_t raw;
    if (table_build(&s->st, 1, window_bytes >> 12) != 0)
        goto fail;
    s->p = phb_create(&pp, s->st.mem, (phb_mem_if){.tce_read = shim_tce_read, .ctx = NULL});
    if (!s->p)
        goto fail;
    v = tce_table_tve(&s->st.t);
    if (tve_encode(PHB_GEN3, &v, &raw) != TCESIM_OK || phb_set_tve(s->p, SHIM_PE << 1, raw) != TCESIM_OK)
        goto fail;
    phb_set_rid(s->p, SHIM_RID, SHIM_PE);
    return s;
fail:
    shim_phb_free(s);
    return NULL;
}

void shim_phb_free(shim_phb *s)
{
    if (!s)
        return;
    phb_destroy(s->p);
    physmem_destroy(s->st.mem);
    free(s);
}

int shim_phb_translate(shim_phb *s, uint64_t bus_addr, uint64_t now_ps)
{
    phb_xlate x;
    phb_translate(s->p, SHIM_RID, bus_addr, false, now_ps, &x);
    return x.kind == PHB_XLATE_HIT || x.kind == PHB_XLATE_MERGED;
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
