#include "dma_api.h"

#include <stdlib.h>
#include <string.h>

#include "../common/tcesim_err.h"

/* A per-CPU deferred-flush queue of unmapped ranges (IOVA flush queue,
 * drivers/iommu/dma-iommu.c: queue_iova / fq_ring_free). */
typedef struct fq_entry {
    uint64_t entry, npages;
    ps_t queued_ps;
} fq_entry;

typedef struct fq_ring {
    fq_entry *e;
    uint32_t head, n;
} fq_ring;

typedef struct host_pe {
    uint16_t pe;
    tce_table *table;
    iommu_table it;
    unsigned nlocks;          /* pools + large + depot */
    spinlock_model *locks;    /* each lock's holder and waiters (spinlock.h) */
    host_lock_stats *lock_st;
    mag_cache *mag;
    fq_ring *fq;              /* per CPU, HOST_INVAL_FLUSH_QUEUE only */
} host_pe;

struct host_model {
    host_params p;
    phb *phb;
    host_if hif;
    host_pe *pes;
    unsigned npes, cap;
    host_cpu_stats *cpu;
    host_kill_stats kills;
    bool finishing;           /* host_finish: after the simulation, no syncs */
};

host_model *host_create(const host_params *p, phb *phb_model, host_if hif)
{
    if (!p || p->ncpus < 1 || !hif.tce_store)
        return NULL;
    if (p->policy.inval == HOST_INVAL_FLUSH_QUEUE && p->policy.fq_entries < 1)
        return NULL;
    host_model *h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    h->p = *p;
    h->phb = phb_model;
    h->hif = hif;
    h->cpu = calloc(p->ncpus, sizeof(*h->cpu));
    if (!h->cpu) {
        free(h);
        return NULL;
    }
    return h;
}

static void pe_free(host_model *h, host_pe *pe)
{
    if (pe->fq)
        for (uint32_t c = 0; c < h->p.ncpus; c++)
            free(pe->fq[c].e);
    free(pe->fq);
    mag_destroy(pe->mag);
    if (pe->locks)
        for (unsigned l = 0; l < pe->nlocks; l++)
            spin_free(&pe->locks[l]);
    free(pe->locks);
    free(pe->lock_st);
    iommu_table_destroy(&pe->it);
}

void host_destroy(host_model *h)
{
    if (!h)
        return;
    for (unsigned i = 0; i < h->npes; i++)
        pe_free(h, &h->pes[i]);
    free(h->pes);
    free(h->cpu);
    free(h);
}

int host_add_pe(host_model *h, const host_pe_params *pp)
{
    if (!pp->table)
        return TCESIM_EINVAL;
    if (h->npes == h->cap) {
        unsigned cap = h->cap ? 2 * h->cap : 8;
        host_pe *n = realloc(h->pes, cap * sizeof(*n));
        if (!n)
            return TCESIM_ENOMEM;
        h->pes = n;
        h->cap = cap;
    }
    host_pe *pe = &h->pes[h->npes];
    memset(pe, 0, sizeof(*pe));
    pe->pe = pp->pe;
    pe->table = pp->table;
    int rc = iommu_table_init(&pe->it, &pp->it);
    if (rc)
        return rc;
    pe->nlocks = pe->it.nr_pools + 2;
    pe->locks = calloc(pe->nlocks, sizeof(*pe->locks));
    pe->lock_st = calloc(pe->nlocks, sizeof(*pe->lock_st));
    if (!pe->locks || !pe->lock_st)
        goto nomem;
    for (unsigned l = 0; l < pe->nlocks; l++)
        if (spin_init(&pe->locks[l], h->p.policy.spin, h->p.ncpus, h->p.costs.lock_handoff_ps, h->p.policy.seed,
                      ((uint64_t)h->npes << 16) | l))
            goto nomem;
    if (h->p.policy.magazines) {
        mag_params mp = {
            .ncpus = h->p.ncpus,
            .mag_size = h->p.policy.mag_size ? h->p.policy.mag_size : MAG_DEFAULT_SIZE,
            .depot_max = MAG_DEFAULT_DEPOT,
        };
        if (!(pe->mag = mag_create(&mp)))
            goto nomem;
    }
    if (h->p.policy.inval == HOST_INVAL_FLUSH_QUEUE) {
        pe->fq = calloc(h->p.ncpus, sizeof(*pe->fq));
        if (!pe->fq)
            goto nomem;
        for (uint32_t c = 0; c < h->p.ncpus; c++)
            if (!(pe->fq[c].e = calloc(h->p.policy.fq_entries, sizeof(fq_entry))))
                goto nomem;
    }
    return (int)h->npes++;
nomem:
    pe_free(h, pe);
    return TCESIM_ENOMEM;
}

static void sync_to(host_model *h, ps_t t)
{
    if (h->hif.sync && !h->finishing)
        h->hif.sync(h->hif.ctx, t);
}

/* The lock a pool's hold takes under the policy. */
static unsigned lock_of(const host_model *h, const host_pe *pe, int pool)
{
    if (h->p.policy.lock == HOST_LOCK_GLOBAL)
        return 0;
    return pool == IOMMU_POOL_LARGE ? pe->it.nr_pools : (unsigned)pool;
}

/* Takes lock `l` at t for `work` under it; returns when it is released.
 * A CPU that finds the lock held spins until a release hands it the lock
 * (in the era's order, spinlock.h), then pays a cache-line handoff. The
 * caller has synchronised to t (locks are taken in simulated-time order);
 * an unfair lock's waiter is brought to each release in turn through
 * `sync` until one hands it the lock. */
static ps_t hold_lock(host_model *h, unsigned pe_index, unsigned cpu, unsigned l, ps_t t, ps_t work)
{
    host_pe *pe = &h->pes[pe_index];
    spinlock_model *lk = &pe->locks[l];
    sync_to(h, t);
    ps_t hold = h->p.costs.lock_ps + work;
    ps_t at = spin_request(lk, cpu, t, hold);
    while (at == SPIN_PENDING) {
        ps_t r = spin_next_release(lk);
        sync_to(h, r);
        at = spin_poll(lk, cpu, r);
    }
    ps_t wait = at - t;
    ps_t released = at + hold;
    host_lock_stats *ls = &pe->lock_st[l];
    ls->acquisitions++;
    if (wait) {
        ls->contended++;
        ls->wait_ps += wait;
        if (wait > ls->wait_max_ps)
            ls->wait_max_ps = wait;
    }
    ls->hold_ps += hold;
    h->cpu[cpu].lock_wait_ps += wait;
    if (h->hif.lock_event)
        h->hif.lock_event(h->hif.ctx, pe_index, (int)l, t, wait, hold);
    return released;
}

/* The holds an allocator call reported, one after the other. */
static ps_t charge_holds(host_model *h, unsigned pe_index, unsigned cpu, const iommu_alloc_info *info, ps_t t)
{
    for (unsigned i = 0; i < info->nholds; i++)
        t = hold_lock(h, pe_index, cpu, lock_of(h, &h->pes[pe_index], info->holds[i].pool), t,
                      info->holds[i].words_scanned * h->p.costs.search_word_ps);
    return t;
}

static uint64_t bus_of(const host_pe *pe, uint64_t entry)
{
    return (entry + pe->it.p.it_offset) << pe->it.p.page_shift;
}

/* Kills for `npages` pages from `entry`, as the PHB generation does them
 * (skiboot hw/phb3.c phb3_tce_kill, hw/phb4.c phb4_tce_kill): PHB3 one MMIO store per page, no completion wait;
 * PHB4 through OPAL: per page a kill-queue slot and a store, then a DMA read
 * sync; with the firmware escalation one PE kill instead of the pages. */
static ps_t kill_pages(host_model *h, unsigned cpu, host_pe *pe, uint64_t entry, uint64_t npages, ps_t t)
{
    if (!h->phb || !npages)
        return t;
    ps_t t0 = t;
    const host_costs *c = &h->p.costs;
    if (h->p.gen == PHB_GEN3) {
        sync_to(h, t);
        for (uint64_t k = 0; k < npages; k++) {
            phb_kill_page(h->phb, pe->pe, bus_of(pe, entry + k));
            t += c->kill_store_ps;
        }
        h->kills.page += npages;
    } else {
        t += c->opal_call_ps;
        h->kills.opal_calls++;
        sync_to(h, t);
        if (h->p.policy.kill_escalate_pe) {
            t = phb_kill_submit(h->phb, t, PHB_KILL_PE, pe->pe, 0) + c->kill_store_ps;
            h->kills.pe++;
            h->kills.escalated += npages;
        } else {
            for (uint64_t k = 0; k < npages; k++)
                t = phb_kill_submit(h->phb, t, PHB_KILL_PAGE, pe->pe, bus_of(pe, entry + k)) + c->kill_store_ps;
            h->kills.page += npages;
        }
        t = phb_kill_sync(h->phb, t);
        h->kills.syncs++;
    }
    h->cpu[cpu].kill_ps += t - t0;
    return t;
}

/* A whole-PE kill (lazy policies' flush). */
static ps_t kill_pe(host_model *h, unsigned cpu, host_pe *pe, ps_t t)
{
    if (!h->phb)
        return t;
    ps_t t0 = t;
    const host_costs *c = &h->p.costs;
    if (h->p.gen == PHB_GEN3) {
        sync_to(h, t);
        phb_kill_pe(h->phb, pe->pe);
        t += c->kill_store_ps;
    } else {
        t += c->opal_call_ps;
        h->kills.opal_calls++;
        sync_to(h, t);
        t = phb_kill_submit(h->phb, t, PHB_KILL_PE, pe->pe, 0) + c->kill_store_ps;
        t = phb_kill_sync(h->phb, t);
        h->kills.syncs++;
    }
    h->kills.pe++;
    h->cpu[cpu].kill_ps += t - t0;
    return t;
}

/* TCE writes (set) or clears: the CPU's stores, and the memory channel they
 * occupy (the CPU does not wait for them). */
static ps_t write_tces(host_model *h, host_pe *pe, uint64_t entry, uint64_t npages,
                       uint64_t pa, uint64_t perm, bool clear, ps_t t)
{
    unsigned sh = pe->it.p.page_shift;
    for (uint64_t k = 0; k < npages; k++) {
        if (clear)
            tce_table_clear(pe->table, entry + k);
        else
            tce_table_set(pe->table, entry + k, ((pa >> sh) + k) << sh, perm);
    }
    if (npages)
        h->hif.tce_store(h->hif.ctx, tce_table_leaf_pa(pe->table, entry), (uint32_t)(npages * 8), t);
    return t + npages * h->p.costs.tce_write_ps;
}

/* IO pages a segment's buffer covers (what gets TCEs): the range allocated
 * may be larger (the magazine policy allocates whole size classes). A
 * coherent buffer gets the pages the era's iommu_alloc_coherent() counts. */
static uint64_t seg_pages(const host_pe *pe, host_op op, const host_seg *s)
{
    unsigned sh = pe->it.p.page_shift;
    uint64_t iopg = 1ull << sh;
    if (op == HOST_ALLOC)
        return iommu_coherent_pages(&pe->it, s->size);
    return ((s->pa & (iopg - 1)) + s->size + iopg - 1) >> sh;
}

/* it_ops->set on PowerNV (pnv_ioda2_tce_build: the TCE writes, then under
 * strict invalidation the kill), for one range. */
static ps_t build_range(host_model *h, unsigned cpu, host_pe *pe, uint64_t entry, uint64_t npages,
                        uint64_t pa, uint64_t perm, ps_t t)
{
    t = write_tces(h, pe, entry, npages, pa, perm, false, t);
    if (h->p.policy.inval == HOST_INVAL_STRICT)
        t = kill_pages(h, cpu, pe, entry, npages, t);
    return t;
}

/* it_ops->clear on PowerNV (pnv_ioda2_tce_free: clears, then the kill),
 * which __iommu_free() calls OUTSIDE the pool lock. */
static ps_t clear_range(host_model *h, unsigned cpu, host_pe *pe, uint64_t entry, uint64_t npages, ps_t t)
{
    t = write_tces(h, pe, entry, npages, 0, 0, true, t);
    if (h->p.policy.inval == HOST_INVAL_STRICT)
        t = kill_pages(h, cpu, pe, entry, npages, t);
    return t;
}

/* ---- freeing ranges to the allocator (under the pool lock) ---- */

typedef struct evict_ctx {
    host_model *h;
    unsigned pe_index, cpu;
    ps_t t;
    bool bad;
} evict_ctx;

static void free_range(void *ctx, uint64_t entry, uint64_t npages)
{
    evict_ctx *e = ctx;
    iommu_alloc_info info;
    if (iommu_range_free(&e->h->pes[e->pe_index].it, entry, npages, &info) != 0)
        e->bad = true;
    e->t = charge_holds(e->h, e->pe_index, e->cpu, &info, e->t);
}

static ps_t flush_queue(host_model *h, unsigned pe_index, unsigned cpu, uint32_t which, ps_t t)
{
    host_pe *pe = &h->pes[pe_index];
    fq_ring *r = &pe->fq[which];
    if (!r->n)
        return t;
    /* One kill for everything queued, then the ranges can be reused. */
    t = kill_pe(h, cpu, pe, t);
    evict_ctx e = {h, pe_index, cpu, t, false};
    while (r->n) {
        fq_entry *q = &r->e[r->head];
        free_range(&e, q->entry, q->npages);
        r->head = (r->head + 1) % h->p.policy.fq_entries;
        r->n--;
    }
    return e.t;
}

/* The kernel's fq_flush_timeout timer, checked here whenever a CPU makes a
 * call: when any queue's oldest entry is older than the timeout, one flush
 * (one PE kill) empties every CPU's queue, as the timer does for all CPUs. */
static ps_t flush_timeouts(host_model *h, unsigned pe_index, unsigned cpu, ps_t t)
{
    host_pe *pe = &h->pes[pe_index];
    bool due = false;
    for (uint32_t c = 0; c < h->p.ncpus && !due; c++) {
        fq_ring *r = &pe->fq[c];
        due = r->n && r->e[r->head].queued_ps + h->p.policy.fq_timeout_ps <= t;
    }
    if (!due)
        return t;
    t = kill_pe(h, cpu, pe, t);
    evict_ctx e = {h, pe_index, cpu, t, false};
    for (uint32_t c = 0; c < h->p.ncpus; c++) {
        fq_ring *r = &pe->fq[c];
        while (r->n) {
            fq_entry *q = &r->e[r->head];
            free_range(&e, q->entry, q->npages);
            r->head = (r->head + 1) % h->p.policy.fq_entries;
            r->n--;
        }
    }
    return e.t;
}

/* ---- map ---- */

static int ilog2_u64(uint64_t x) { return 63 - __builtin_clzll(x); }

/* One segment through the magazine policy: the cache first, then the
 * allocator for a range of the class's size (so that it can be cached on
 * free, as iova.c allocates size-aligned ranges). */
static uint64_t mag_segment(host_model *h, unsigned pe_index, unsigned cpu, uint64_t pa, uint64_t size,
                            uint64_t dma_mask, bool coherent, uint64_t *npages_out, ps_t *t)
{
    host_pe *pe = &h->pes[pe_index];
    unsigned sh = pe->it.p.page_shift, cpu_sh = pe->it.p.cpu_page_shift;
    uint64_t iopg = 1ull << sh;
    if (coherent)
        size = (size + (1ull << cpu_sh) - 1) & ~((1ull << cpu_sh) - 1);
    uint64_t npages = ((pa & (iopg - 1)) + size + iopg - 1) >> sh;
    int cls = mag_class(npages);
    uint64_t limit = (dma_mask >> sh) + 1;
    if (limit > pe->it.p.it_offset)
        limit -= pe->it.p.it_offset;
    else
        limit = 0;
    if (cls < 0) {
        *npages_out = npages;
        return IOMMU_MAP_ERROR; /* not cacheable: the caller uses the plain path */
    }
    uint64_t cls_pages = 1ull << cls;
    unsigned align = cls; /* size-aligned, as iova.c's alloc_iova(size_aligned) */
    uint64_t entry;
    bool depot = false;
    *npages_out = cls_pages;
    if (mag_alloc(pe->mag, cpu, cls_pages, limit, align, &entry, &depot)) {
        *t += h->p.costs.magazine_ps;
        if (depot)
            *t = hold_lock(h, pe_index, cpu, pe->it.nr_pools + 1, *t, 0);
        return entry;
    }
    if (depot)
        *t = hold_lock(h, pe_index, cpu, pe->it.nr_pools + 1, *t, 0);
    iommu_alloc_info info;
    entry = iommu_range_alloc(&pe->it, cpu, cls_pages, NULL, dma_mask >> sh, (unsigned)ilog2_u64(cls_pages), &info);
    *t = charge_holds(h, pe_index, cpu, &info, *t);
    return entry;
}

/* sparc's lazy wrap-around flush (iommu_tbl_range_alloc): before reusing
 * entries that may still be cached, flush the PE once per call. */
static bool wrapped(const host_pe *pe, const iommu_alloc_info *info, const uint64_t *hint_before)
{
    unsigned slot = info->pool == IOMMU_POOL_LARGE ? pe->it.nr_pools : (unsigned)info->pool;
    return info->passes > 0 || info->entry < hint_before[slot];
}

/* The magazine what-if: per segment the cache or the allocator, then every
 * segment's build (the cache is not the kernel's, so neither is its order);
 * map_sg's outputs merged as ppc_iommu_map_sg does. */
static ps_t map_magazine(host_model *h, unsigned cpu, unsigned pe_index, host_op op, uint64_t perm,
                         uint64_t dma_mask, uint64_t max_seg_size, host_seg *segs, uint32_t nseg,
                         iommu_sg_out *outs, ps_t t, host_map_result *out)
{
    host_pe *pe = &h->pes[pe_index];
    uint64_t iopg = 1ull << pe->it.p.page_shift;
    uint32_t nouts = 0;
    for (uint32_t i = 0; i < nseg; i++) {
        uint64_t np;
        uint64_t e = mag_segment(h, pe_index, cpu, segs[i].pa, segs[i].size, dma_mask, op == HOST_ALLOC, &np, &t);
        if (e == IOMMU_MAP_ERROR && mag_class(np) < 0) {
            /* too large for the caches: the kernel path */
            iommu_alloc_info info;
            uint64_t b;
            e = op == HOST_ALLOC ? iommu_alloc_coherent(&pe->it, cpu, segs[i].pa, segs[i].size, dma_mask, &b, &info)
                                 : iommu_map_page(&pe->it, cpu, segs[i].pa, segs[i].size, dma_mask, &b, &info);
            t = charge_holds(h, pe_index, cpu, &info, t);
            np = info.npages;
        }
        if (e == IOMMU_MAP_ERROR) {
            for (uint32_t j = 0; j < i; j++) {
                bool dl = false;
                evict_ctx ec = {h, pe_index, cpu, t, false};
                if (!mag_free(pe->mag, cpu, segs[j].entry, segs[j].npages, &dl, free_range, &ec))
                    free_range(&ec, segs[j].entry, segs[j].npages);
                t = ec.t;
            }
            out->failed = true;
            return t;
        }
        segs[i].entry = e;
        segs[i].npages = np;
        segs[i].bus = bus_of(pe, e) | (op == HOST_ALLOC ? iommu_coherent_offset(&pe->it, segs[i].pa)
                                                        : (segs[i].pa & (iopg - 1)));
        if (outs) {
            if (nouts && outs[nouts - 1].bus + outs[nouts - 1].len == segs[i].bus &&
                outs[nouts - 1].len + segs[i].size <= max_seg_size)
                outs[nouts - 1].len += segs[i].size;
            else
                outs[nouts++] = (iommu_sg_out){segs[i].bus, segs[i].size};
        }
    }
    out->nouts = nouts;
    for (uint32_t i = 0; i < nseg; i++)
        t = build_range(h, cpu, pe, segs[i].entry, seg_pages(pe, op, &segs[i]), segs[i].pa, perm, t);
    return t + h->p.costs.mb_ps; /* mb() after tce_build (iommu_alloc) */
}

/* map_page / alloc_coherent (iommu_alloc(): the allocation's holds, the
 * build, mb()). */
static ps_t map_single(host_model *h, unsigned cpu, unsigned pe_index, host_op op, uint64_t perm,
                       uint64_t dma_mask, host_seg *seg, const uint64_t *hint_before, ps_t t,
                       host_map_result *out)
{
    host_pe *pe = &h->pes[pe_index];
    iommu_alloc_info info_s; /* ~2 KiB: the caller's stack must allow it */
    iommu_alloc_info *info = &info_s;
    uint64_t bus;
    uint64_t e = op == HOST_ALLOC ? iommu_alloc_coherent(&pe->it, cpu, seg->pa, seg->size, dma_mask, &bus, info)
                                  : iommu_map_page(&pe->it, cpu, seg->pa, seg->size, dma_mask, &bus, info);
    t = charge_holds(h, pe_index, cpu, info, t);
    if (e == IOMMU_MAP_ERROR) {
        out->failed = true;
        return t;
    }
    seg->entry = e;
    seg->npages = info->npages;
    seg->bus = bus;
    out->pool = info->pool;
    if (h->p.policy.inval == HOST_INVAL_LAZY_WRAP && wrapped(pe, info, hint_before))
        t = kill_pe(h, cpu, pe, t);
    t = build_range(h, cpu, pe, e, seg_pages(pe, op, seg), seg->pa, perm, t);
    return t + h->p.costs.mb_ps;
}

/* ppc_iommu_map_sg() in the kernel's order (arch/powerpc/kernel/iommu.c,
 * Linux 4.4 and 6.6): per segment its allocation (lock holds), then its
 * it_ops->set (TCE writes + kill); after the last, mb(). When a segment's
 * allocation fails the earlier segments are built and killed already: the
 * `failure:` unwind __iommu_free()s each filled output segment, its clear
 * and kill outside the lock, then the bitmap clear under the pool lock; no
 * mb(). Each segment is allocated at its own time: the step callback charges
 * its holds and builds it before the allocator moves to the next segment,
 * and it may yield to other CPUs in between, as the kernel releases the pool
 * lock between two segments. */
typedef struct sg_step_ctx {
    host_model *h;
    unsigned cpu, pe_index;
    uint64_t perm;
    const uint64_t *pas, *sizes;
    const uint64_t *hint_before;
    bool flushed;
    ps_t t;
    host_map_result *out;
} sg_step_ctx;

static void sg_step(void *vctx, uint32_t i, const iommu_alloc_info *info, uint64_t bus)
{
    sg_step_ctx *c = vctx;
    host_model *h = c->h;
    host_pe *pe = &h->pes[c->pe_index];
    c->t = charge_holds(h, c->pe_index, c->cpu, info, c->t);
    if (bus == IOMMU_MAP_ERROR || c->sizes[i] == 0)
        return;
    if (c->out->pool == IOMMU_NO_POOL)
        c->out->pool = info->pool;
    if (h->p.policy.inval == HOST_INVAL_LAZY_WRAP && !c->flushed && wrapped(pe, info, c->hint_before)) {
        c->t = kill_pe(h, c->cpu, pe, c->t);
        c->flushed = true;
    }
    c->t = build_range(h, c->cpu, pe, info->entry, info->npages, c->pas[i], c->perm, c->t);
    sync_to(h, c->t); /* the next segment is allocated when this one is built */
}

static ps_t map_sg(host_model *h, unsigned cpu, unsigned pe_index, uint64_t perm, uint64_t dma_mask,
                   uint64_t max_seg_size, host_seg *segs, uint32_t nseg, iommu_sg_out *outs,
                   const uint64_t *hint_before, ps_t t, host_map_result *out)
{
    host_pe *pe = &h->pes[pe_index];
    /* On the heap: an iommu_alloc_info is ~2 KiB and SystemC thread stacks
     * are small. */
    iommu_alloc_info *infos = calloc(nseg, sizeof(*infos));
    uint64_t *pas = malloc(nseg * sizeof(*pas));
    uint64_t *sizes = malloc(nseg * sizeof(*sizes));
    uint64_t *bus = malloc(nseg * sizeof(*bus));
    iommu_sg_unwind *unw = malloc(nseg * sizeof(*unw));
    iommu_sg_out *o = outs ? outs : malloc(nseg * sizeof(*o));
    if (!infos || !pas || !sizes || !bus || !unw || !o) {
        out->failed = true;
        goto done;
    }
    for (uint32_t i = 0; i < nseg; i++) {
        pas[i] = segs[i].pa;
        sizes[i] = segs[i].size;
    }
    uint32_t nouts = 0;
    sg_step_ctx sc = {h, cpu, pe_index, perm, pas, sizes, hint_before, false, t, out};
    /* The unwind's frees wait until their TCEs are cleared below: other CPUs
     * allocate meanwhile, and must not be handed entries about to be cleared. */
    iommu_sg_failure fail = {.unwound = unw, .defer_free = true, .step = sg_step, .step_ctx = &sc};
    uint64_t r = iommu_map_sg(&pe->it, cpu, pas, sizes, nseg, dma_mask, max_seg_size, false, bus, infos, o,
                              &nouts, &fail);
    t = sc.t;
    out->failed = r == IOMMU_MAP_ERROR;
    out->nouts = nouts;
    if (!out->failed) {
        for (uint32_t i = 0; i < nseg; i++) {
            segs[i].entry = infos[i].entry;
            segs[i].npages = infos[i].npages;
            segs[i].bus = bus[i];
        }
        t += h->p.costs.mb_ps;
        goto done;
    }
    out->pool = IOMMU_NO_POOL;
    for (uint32_t i = 0; i < nseg; i++) {
        segs[i].entry = IOMMU_MAP_ERROR;
        segs[i].npages = 0;
        segs[i].bus = IOMMU_MAP_ERROR;
    }
    out->unwound = fail.nunwound;
    for (uint32_t k = 0; k < fail.nunwound; k++) {
        const iommu_sg_unwind *u = &unw[k];
        /* __iommu_free(): iommu_free_check(), the clear and kill outside the
         * lock, then bitmap_clear() under the pool lock. */
        bool in_window = u->entry < pe->it.p.it_size && u->npages <= pe->it.p.it_size - u->entry;
        if (!in_window) {
            pe->it.st.bad_frees++;
            continue; /* iommu_free_check() refuses it: no clear, no lock */
        }
        t = clear_range(h, cpu, pe, u->entry, u->npages, t);
        evict_ctx e = {h, pe_index, cpu, t, false};
        free_range(&e, u->entry, u->npages);
        t = e.t;
    }
done:
    free(infos);
    free(pas);
    free(sizes);
    free(bus);
    free(unw);
    if (o != outs)
        free(o);
    return t;
}

void host_map(host_model *h, unsigned cpu, unsigned pe_index, host_op op, uint64_t perm,
              uint64_t dma_mask, uint64_t max_seg_size, host_seg *segs, uint32_t nseg,
              iommu_sg_out *outs, ps_t t, host_map_result *out)
{
    host_pe *pe = &h->pes[pe_index];
    ps_t t0 = t;
    memset(out, 0, sizeof(*out));
    out->pool = IOMMU_NO_POOL;
    t += h->p.costs.op_ps;
    if (h->p.policy.inval == HOST_INVAL_FLUSH_QUEUE)
        t = flush_timeouts(h, pe_index, cpu, t);
    /* Hints before, for the lazy-wrap policy's "did the allocation wrap". */
    uint64_t hint_before[IOMMU_MAX_POOLS + 1];
    for (uint32_t i = 0; i < pe->it.nr_pools; i++)
        hint_before[i] = pe->it.pools[i].hint;
    hint_before[pe->it.nr_pools] = pe->it.large_pool.hint;

    if (h->p.policy.magazines)
        t = map_magazine(h, cpu, pe_index, op, perm, dma_mask, max_seg_size, segs, nseg, outs, t, out);
    else if (op == HOST_MAP_SG)
        t = map_sg(h, cpu, pe_index, perm, dma_mask, max_seg_size, segs, nseg, outs, hint_before, t, out);
    else
        t = map_single(h, cpu, pe_index, op, perm, dma_mask, &segs[0], hint_before, t, out);
    h->cpu[cpu].ops++;
    h->cpu[cpu].busy_ps += t - t0;
    out->done_ps = t;
}

/* ---- unmap ---- */

/* One range back: the clear (and kill) outside the lock, then the free,
 * queued or through the magazine under the policies. tce_pages are the
 * TCEs to clear, alloc_pages the range the allocator holds. */
static ps_t unmap_range(host_model *h, unsigned cpu, unsigned pe_index, uint64_t entry, uint64_t tce_pages,
                        uint64_t alloc_pages, ps_t t, bool *bad)
{
    host_pe *pe = &h->pes[pe_index];
    const host_policy *pol = &h->p.policy;
    t = clear_range(h, cpu, pe, entry, tce_pages, t);
    if (pol->inval == HOST_INVAL_FLUSH_QUEUE) {
        fq_ring *r = &pe->fq[cpu];
        if (r->n == pol->fq_entries)
            t = flush_queue(h, pe_index, cpu, cpu, t);
        r->e[(r->head + r->n) % pol->fq_entries] = (fq_entry){entry, alloc_pages, t};
        r->n++;
        return t;
    }
    evict_ctx e = {h, pe_index, cpu, t, false};
    bool depot = false;
    if (pe->mag && mag_class(alloc_pages) >= 0 &&
        mag_free(pe->mag, cpu, entry, alloc_pages, &depot, free_range, &e)) {
        e.t += h->p.costs.magazine_ps;
        if (depot)
            e.t = hold_lock(h, pe_index, cpu, pe->it.nr_pools + 1, e.t, 0);
    } else {
        free_range(&e, entry, alloc_pages);
    }
    *bad |= e.bad;
    return e.t;
}

ps_t host_unmap(host_model *h, unsigned cpu, unsigned pe_index, host_op op, const host_seg *segs,
                uint32_t nseg, const iommu_sg_out *outs, uint32_t nouts, ps_t t, bool *bad)
{
    host_pe *pe = &h->pes[pe_index];
    ps_t t0 = t;
    *bad = false;
    t += h->p.costs.op_ps;
    if (h->p.policy.inval == HOST_INVAL_FLUSH_QUEUE)
        t = flush_timeouts(h, pe_index, cpu, t);
    if (op == HOST_MAP_SG && outs && !pe->mag) {
        /* ppc_iommu_unmap_sg() (Linux 4.4 and 6.6): per output segment until
         * the first with dma_length 0, npages = iommu_num_pages(dma_address,
         * dma_length); __iommu_free() each */
        for (uint32_t k = 0; k < nouts && outs[k].len; k++) {
            uint64_t first = (outs[k].bus >> pe->it.p.page_shift) - pe->it.p.it_offset;
            uint64_t np = iommu_sg_out_pages(&pe->it, &outs[k]);
            t = unmap_range(h, cpu, pe_index, first, np, np, t, bad);
        }
    } else {
        for (uint32_t i = 0; i < nseg; i++)
            t = unmap_range(h, cpu, pe_index, segs[i].entry, seg_pages(pe, op, &segs[i]), segs[i].npages, t, bad);
    }
    /* No mb() here: iommu_free() / ppc_iommu_unmap_sg() leave it out on
     * purpose ("it is not needed on any of the current platforms",
     * arch/powerpc/kernel/iommu.c); only the map side orders its TCE writes. */
    h->cpu[cpu].ops++;
    h->cpu[cpu].busy_ps += t - t0;
    return t;
}

ps_t host_finish(host_model *h, ps_t t)
{
    h->finishing = true;
    for (unsigned i = 0; i < h->npes; i++) {
        host_pe *pe = &h->pes[i];
        if (pe->fq)
            for (uint32_t c = 0; c < h->p.ncpus; c++)
                t = flush_queue(h, i, c, c, t);
    }
    return t;
}

const host_cpu_stats *host_get_cpu_stats(const host_model *h, unsigned cpu)
{
    return cpu < h->p.ncpus ? &h->cpu[cpu] : NULL;
}
unsigned host_pe_count(const host_model *h) { return h->npes; }
const iommu_table *host_get_table(const host_model *h, unsigned pe_index)
{
    return pe_index < h->npes ? &h->pes[pe_index].it : NULL;
}
unsigned host_lock_count(const host_model *h, unsigned pe_index)
{
    return pe_index < h->npes ? h->pes[pe_index].nlocks : 0;
}
const host_lock_stats *host_get_lock_stats(const host_model *h, unsigned pe_index, unsigned lock)
{
    if (pe_index >= h->npes || lock >= h->pes[pe_index].nlocks)
        return NULL;
    return &h->pes[pe_index].lock_st[lock];
}
const host_kill_stats *host_get_kill_stats(const host_model *h) { return &h->kills; }
const mag_stats *host_get_mag_stats(const host_model *h, unsigned pe_index)
{
    return pe_index < h->npes && h->pes[pe_index].mag ? mag_get_stats(h->pes[pe_index].mag) : NULL;
}

void host_reset_stats(host_model *h)
{
    memset(h->cpu, 0, h->p.ncpus * sizeof(*h->cpu));
    memset(&h->kills, 0, sizeof h->kills);
    for (unsigned i = 0; i < h->npes; i++) {
        host_pe *pe = &h->pes[i];
        memset(pe->lock_st, 0, pe->nlocks * sizeof(*pe->lock_st));
        uint64_t in_use = pe->it.st.pages_in_use;
        memset(&pe->it.st, 0, sizeof pe->it.st);
        pe->it.st.pages_in_use = in_use;
        pe->it.st.pages_in_use_peak = in_use;
        mag_reset_stats(pe->mag);
    }
}
