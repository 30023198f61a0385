/* Per-CPU magazine caches of freed IO ranges (models/host/magazine.h).
 *
 * Our own code, following the semantics of the range caches in Linux's
 * drivers/iommu/iova.c as they were with a fixed array depot per size class
 * (struct iova_rcache { depot[MAX_GLOBAL_MAGS]; depot_size; cpu_rcaches }),
 * i.e. before the depot became a list trimmed by a delayed work item (6.7).
 * Function names in comments are the kernel's.
 *
 * Where the kernel allocates and frees magazines on the fly
 * (iova_magazine_alloc/iova_magazine_free), we pre-allocate exactly as many
 * as can ever be in use: per class, two per CPU plus depot_max for the depot.
 * A class's spare (empty) magazines then number depot_max - depot_n, so the
 * "get a new empty loaded" step never fails and never allocates. */
#include "magazine.h"

#include <stdlib.h>
#include <string.h>

typedef struct mag {
    uint32_t n;       /* ranges held */
    uint64_t *entry;  /* mag_size slots; entry[n - 1] is the most recent push */
} mag;

typedef struct mag_cpu {
    mag *loaded, *prev; /* struct iova_cpu_rcache */
} mag_cpu;

typedef struct mag_bin {  /* struct iova_rcache: one size class */
    mag_cpu *cpu;         /* ncpus */
    mag **depot;          /* depot_max slots, all full magazines */
    uint32_t depot_n;
    mag **spare;          /* depot_max slots, all empty magazines */
    uint32_t spare_n;
} mag_bin;

struct mag_cache {
    mag_params p;
    mag_stats st;
    mag_bin bin[MAG_SIZE_CLASSES];
    mag *mags;          /* every magazine, owned here */
    uint64_t *slots;    /* every magazine's entries */
    mag_cpu *cpus;      /* backing for bin[].cpu */
    mag **ptrs;         /* backing for bin[].depot and bin[].spare */
};

int mag_class(uint64_t npages)
{
    /* order_base_2(npages), as iova_rcache_insert/iova_rcache_get compute
     * log_size; log_size >= IOVA_RANGE_CACHE_MAX_SIZE is not cached. */
    if (npages == 0 || npages > (1ull << (MAG_SIZE_CLASSES - 1)))
        return -1;
    int c = 0;
    while ((1ull << c) < npages)
        c++;
    return c;
}

mag_cache *mag_create(const mag_params *p)
{
    if (!p || p->ncpus == 0 || p->mag_size == 0)
        return NULL;
    uint64_t per_bin = 2ull * p->ncpus + p->depot_max;
    uint64_t nmags = per_bin * MAG_SIZE_CLASSES;
    if (nmags > SIZE_MAX / sizeof(mag) || nmags > SIZE_MAX / sizeof(uint64_t) / p->mag_size)
        return NULL;
    uint64_t nslots = nmags * p->mag_size;

    mag_cache *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->p = *p;
    m->mags = calloc((size_t)nmags, sizeof(mag));
    if (!m->mags)
        goto fail;
    m->slots = malloc((size_t)nslots * sizeof(uint64_t));
    if (!m->slots)
        goto fail;
    m->cpus = calloc((size_t)p->ncpus * MAG_SIZE_CLASSES, sizeof(mag_cpu));
    if (!m->cpus)
        goto fail;
    if (p->depot_max) {
        m->ptrs = calloc(2ull * p->depot_max * MAG_SIZE_CLASSES, sizeof(mag *));
        if (!m->ptrs)
            goto fail;
    }

    uint64_t next = 0; /* next unused magazine */
    for (unsigned c = 0; c < MAG_SIZE_CLASSES; c++) {
        mag_bin *b = &m->bin[c];
        b->cpu = m->cpus + (size_t)c * p->ncpus;
        if (p->depot_max) {
            b->depot = m->ptrs + (size_t)c * 2 * p->depot_max;
            b->spare = b->depot + p->depot_max;
        }
        for (uint64_t i = 0; i < per_bin; i++) {
            mag *g = &m->mags[next];
            g->entry = m->slots + next * p->mag_size;
            next++;
            if (i < p->ncpus)
                b->cpu[i].loaded = g;
            else if (i < 2ull * p->ncpus)
                b->cpu[i - p->ncpus].prev = g;
            else
                b->spare[b->spare_n++] = g;
        }
    }
    return m;

fail:
    mag_destroy(m);
    return NULL;
}

void mag_destroy(mag_cache *m)
{
    if (!m)
        return;
    free(m->ptrs);
    free(m->cpus);
    free(m->slots);
    free(m->mags);
    free(m);
}

static void swap_mags(mag_cpu *c)
{
    mag *t = c->loaded;
    c->loaded = c->prev;
    c->prev = t;
}

/* iova_magazine_free_pfns: every range back to the allocator, in slot order. */
static void empty_mag(mag_cache *m, mag *g, uint64_t npages, mag_evict_fn evict, void *ctx)
{
    for (uint32_t i = 0; i < g->n; i++)
        if (evict)
            evict(ctx, g->entry[i], npages);
    m->st.ranges_cached -= g->n;
    m->st.ranges_evicted += g->n;
    g->n = 0;
}

/* iova_magazine_pop: scan from the most recent push down for the first
 * range that fits (the kernel tests pfn <= limit_pfn only; we also test the
 * alignment), and fill its slot with the last one. O(mag_size) worst case:
 * only when the top ranges lie above the mask. */
static bool pop_fitting(mag *g, uint64_t max_entry, uint64_t align_mask, uint64_t *entry)
{
    for (uint32_t i = g->n; i-- > 0;) {
        uint64_t e = g->entry[i];
        if (e <= max_entry && (e & align_mask) == 0) {
            *entry = e;
            g->entry[i] = g->entry[--g->n];
            return true;
        }
    }
    return false;
}

bool mag_alloc(mag_cache *m, unsigned cpu, uint64_t npages, uint64_t limit_entries,
               unsigned align_order, uint64_t *entry, bool *depot_lock)
{
    if (depot_lock)
        *depot_lock = false;
    if (!m || !entry || cpu >= m->p.ncpus)
        return false;
    int c = mag_class(npages);
    if (c < 0) {
        m->st.alloc_misses++;
        return false;
    }
    uint64_t nc = 1ull << c;
    /* entry + nc <= limit_entries; iova_rcache_get passes limit_pfn - size. */
    if (limit_entries < nc) {
        m->st.alloc_misses++;
        return false;
    }
    uint64_t max_entry = limit_entries - nc;
    /* An alignment of 2^64 or more admits entry 0 only. */
    uint64_t align_mask = align_order >= 64 ? ~0ull : (1ull << align_order) - 1;

    /* __iova_rcache_get: which magazine to pop from is decided by emptiness
     * alone; if the chosen one holds nothing that fits, the request misses
     * (prev and the depot are not searched). */
    mag_bin *b = &m->bin[c];
    mag_cpu *pc = &b->cpu[cpu];
    bool have = false;
    if (pc->loaded->n > 0) {
        have = true;
    } else if (pc->prev->n > 0) {
        swap_mags(pc);
        have = true;
    } else {
        m->st.depot_ops++;
        if (depot_lock)
            *depot_lock = true;
        if (b->depot_n > 0) {
            /* The empty loaded magazine is retired (iova_magazine_free in
             * the kernel; to the spares here) and a full one loaded. */
            b->spare[b->spare_n++] = pc->loaded;
            pc->loaded = b->depot[--b->depot_n];
            have = true;
        }
    }
    if (have && pop_fitting(pc->loaded, max_entry, align_mask, entry)) {
        m->st.alloc_hits++;
        m->st.ranges_cached--;
        return true;
    }
    m->st.alloc_misses++;
    return false;
}

bool mag_free(mag_cache *m, unsigned cpu, uint64_t entry, uint64_t npages,
              bool *depot_lock, mag_evict_fn evict, void *ctx)
{
    if (depot_lock)
        *depot_lock = false;
    if (!m || cpu >= m->p.ncpus)
        return false;
    int c = mag_class(npages);
    if (c < 0) {
        m->st.frees_through++;
        return false;
    }
    uint64_t nc = 1ull << c;

    /* __iova_rcache_insert */
    mag_bin *b = &m->bin[c];
    mag_cpu *pc = &b->cpu[cpu];
    if (pc->loaded->n == m->p.mag_size) {
        if (pc->prev->n < m->p.mag_size) {
            swap_mags(pc);
        } else {
            m->st.depot_ops++;
            if (depot_lock)
                *depot_lock = true;
            if (b->depot_n < m->p.depot_max) {
                b->depot[b->depot_n++] = pc->loaded;
                pc->loaded = b->spare[--b->spare_n];
            } else if (evict) {
                /* Depot full: the kernel frees the loaded magazine's ranges
                 * to the rbtree (mag_to_free) and loads a fresh magazine. */
                empty_mag(m, pc->loaded, nc, evict, ctx);
            } else {
                /* Nowhere to hand the ranges back: keep them, refuse this one
                 * (the kernel's can_insert = false path). */
                m->st.frees_through++;
                return false;
            }
        }
    }
    pc->loaded->entry[pc->loaded->n++] = entry;
    m->st.frees_cached++;
    m->st.ranges_cached++;
    return true;
}

void mag_drain(mag_cache *m, mag_evict_fn evict, void *ctx)
{
    if (!m)
        return;
    /* free_cpu_cached_iovas for each CPU, then free_global_cached_iovas.
     * Depot locks taken here are not counted in depot_ops, which counts
     * only the holds reported through depot_lock on the alloc/free path. */
    for (unsigned cpu = 0; cpu < m->p.ncpus; cpu++)
        for (unsigned c = 0; c < MAG_SIZE_CLASSES; c++) {
            mag_cpu *pc = &m->bin[c].cpu[cpu];
            empty_mag(m, pc->loaded, 1ull << c, evict, ctx);
            empty_mag(m, pc->prev, 1ull << c, evict, ctx);
        }
    for (unsigned c = 0; c < MAG_SIZE_CLASSES; c++) {
        mag_bin *b = &m->bin[c];
        for (uint32_t j = 0; j < b->depot_n; j++) {
            empty_mag(m, b->depot[j], 1ull << c, evict, ctx);
            b->spare[b->spare_n++] = b->depot[j];
        }
        b->depot_n = 0;
    }
}

const mag_stats *mag_get_stats(const mag_cache *m)
{
    return m ? &m->st : NULL;
}

void mag_reset_stats(mag_cache *m)
{
    if (!m)
        return;
    uint64_t cached = m->st.ranges_cached;
    memset(&m->st, 0, sizeof m->st);
    m->st.ranges_cached = cached;
}
