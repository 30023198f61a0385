#include "phb.h"

#include <stdlib.h>
#include <string.h>

#include "../common/tcesim_err.h"

struct phb {
    phb_params p;
    const physmem *mem;
    phb_mem_if mem_if;
    unsigned npes;
    rtt *rtt;                 /* 128 KiB: heap, not inline */
    tve *tvt;                 /* 2 * npes decoded entries */
    uint64_t *tvt_raw;
    ps_t *frozen_from;        /* per PE: frozen over [from, until) */
    ps_t *frozen_until;       /* 0 = never frozen */
    phb_pe_stats *pe_stats;
    tce_cache *cache;
    tce_cache *walk_cache;    /* upper-level entries, NULL when off */
    tce_cache *line_cache;    /* table lines, NULL when off */
    unsigned line_shift;
    ps_t slot_free[PHB_MAX_FETCH_SLOTS + 1]; /* min-heap: [0] is free soonest;
                                               * [fetch_slots] = PS_NEVER */
    ps_t *kill_free;          /* kill queue slots: min-heap of free times */
    ps_t *read_free;          /* read entries: min-heap of free times (read_slots) */
    uint32_t kill_slots;
    ps_t kill_done;           /* when the last accepted kill completes */
    phb_stats st;
};

static bool is_pow2(uint64_t x) { return x && !(x & (x - 1)); }

phb *phb_create(const phb_params *params, const physmem *mem, phb_mem_if mem_if)
{
    if (!params || !mem || !mem_if.tce_read)
        return NULL;
    if (params->fetch_slots < 1 || params->fetch_slots > PHB_MAX_FETCH_SLOTS)
        return NULL;
    if (params->line_fill && (!is_pow2(params->line_bytes) || params->line_bytes < 8))
        return NULL;
    phb *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->p = *params;
    p->mem = mem;
    p->mem_if = mem_if;
    p->npes = phb_num_pes(params->gen);
    p->rtt = malloc(sizeof(*p->rtt));
    p->tvt = calloc(2 * (size_t)p->npes, sizeof(*p->tvt));
    p->tvt_raw = calloc(2 * (size_t)p->npes, sizeof(*p->tvt_raw));
    p->frozen_until = calloc(p->npes, sizeof(*p->frozen_until));
    p->frozen_from = calloc(p->npes, sizeof(*p->frozen_from));
    p->pe_stats = calloc(p->npes, sizeof(*p->pe_stats));
    p->cache = tce_cache_create(&params->cache);
    p->kill_slots = params->kill_slots ? params->kill_slots : 1;
    /* Each heap of times has one more slot, a PS_NEVER sentinel
     * (heap_replace_min). */
    p->kill_free = calloc(p->kill_slots + 1u, sizeof(*p->kill_free));
    if (params->read_slots && !(p->read_free = calloc(params->read_slots + 1u, sizeof(*p->read_free))))
        goto fail;
    if (!p->rtt || !p->tvt || !p->tvt_raw || !p->frozen_until || !p->frozen_from || !p->pe_stats || !p->cache || !p->kill_free)
        goto fail;
    p->slot_free[params->fetch_slots] = PS_NEVER;
    p->kill_free[p->kill_slots] = PS_NEVER;
    if (p->read_free)
        p->read_free[params->read_slots] = PS_NEVER;
    if (params->walk_cache_entries) {
        tce_cache_params wc = {
            .entries = params->walk_cache_entries,
            .ways = 0,
            .policy = TCE_REPL_LRU,
            .seed = params->cache.seed ^ 0x5741u,
        };
        p->walk_cache = tce_cache_create(&wc);
        if (!p->walk_cache)
            goto fail;
    }
    if (params->walk_line_entries) {
        if (!is_pow2(params->line_bytes) || params->line_bytes < 8)
            goto fail;
        tce_cache_params lc = {
            .entries = params->walk_line_entries,
            .ways = 0,
            .policy = TCE_REPL_LRU,
            .seed = params->cache.seed ^ 0x11e5u,
        };
        p->line_cache = tce_cache_create(&lc);
        if (!p->line_cache)
            goto fail;
        p->line_shift = (unsigned)__builtin_ctz(params->line_bytes);
    }
    rtt_init(p->rtt, (uint16_t)(p->npes - 1));
    return p;
fail:
    phb_destroy(p);
    return NULL;
}

void phb_destroy(phb *p)
{
    if (!p)
        return;
    tce_cache_destroy(p->walk_cache);
    tce_cache_destroy(p->line_cache);
    tce_cache_destroy(p->cache);
    free(p->pe_stats);
    free(p->kill_free);
    free(p->read_free);
    free(p->frozen_until);
    free(p->frozen_from);
    free(p->tvt_raw);
    free(p->tvt);
    free(p->rtt);
    free(p);
}

unsigned phb_pe_count(const phb *p) { return p->npes; }
uint16_t phb_reserved_pe(const phb *p) { return p->rtt->reserved_pe; }
void phb_set_rid(phb *p, uint16_t rid, uint16_t pe) { rtt_set(p->rtt, rid, pe); }
uint16_t phb_pe_of_rid(const phb *p, uint16_t rid) { return rtt_lookup(p->rtt, rid); }

int phb_set_tve(phb *p, unsigned index, uint64_t raw)
{
    if (index >= 2 * p->npes)
        return TCESIM_EINVAL;
    tve t;
    int rc = tve_decode(p->p.gen, raw, &t);
    if (rc)
        return rc;
    p->tvt[index] = t;
    p->tvt_raw[index] = raw;
    return 0;
}

const tve *phb_get_tve(const phb *p, unsigned index)
{
    return index < 2 * p->npes ? &p->tvt[index] : NULL;
}

static inline bool frozen_at(const phb *p, uint16_t pe, ps_t t)
{
    return p->frozen_from[pe] <= t && t < p->frozen_until[pe];
}

bool phb_pe_frozen(const phb *p, uint16_t pe, ps_t t)
{
    return pe < p->npes && frozen_at(p, pe, t);
}

/* A translation fault freezes the PE (EEH: skiboot hw/phb3.c phb3_eeh_freeze_status, Linux
 * arch/powerpc/kernel/eeh.c): its later
 * DMA is dropped until recovery, if recovery is configured at all. The
 * freeze has a start as well as an end: a TLP that arrived before the fault
 * but reaches the model after it (temporal decoupling) is not dropped. */
static void freeze(phb *p, uint16_t pe, ps_t t)
{
    ps_t until = p->p.eeh_recovery_ps ? t + p->p.eeh_recovery_ps : PS_NEVER;
    bool recorded = p->frozen_until[pe] != 0;
    if (recorded && t < p->frozen_until[pe] && until >= p->frozen_from[pe]) {
        /* The same freeze: a fault inside it, or one just before it in time
         * that reached the model later. Widen it. */
        p->frozen_from[pe] = ps_min(p->frozen_from[pe], t);
        p->frozen_until[pe] = ps_max(p->frozen_until[pe], until);
        return;
    }
    p->st.freezes++;
    p->pe_stats[pe].freezes++;
    p->frozen_from[pe] = t;
    p->frozen_until[pe] = until;
}

static void fault(phb *p, uint16_t pe, tce_fault f, ps_t t, phb_xlate *out)
{
    out->kind = PHB_XLATE_FAULT;
    out->fault = f;
    out->done_ps = t;
    p->st.faults++;
    p->st.faults_by_kind[f]++;
    p->pe_stats[pe].faults++;
    freeze(p, pe, t);
}

static void phb_translate_at(phb *p, uint16_t pe, uint64_t bus_addr, bool is_write,
                             ps_t arrival_ps, phb_xlate *out);

/* Replaces the root of a min-heap of n times by `v` and restores it. h[n]
 * is a PS_NEVER sentinel: a lone last child needs no bounds check, and the
 * child is picked without a branch (a coin toss for a branch predictor). */
static void heap_replace_min(ps_t *h, uint32_t n, ps_t v)
{
    uint32_t i = 0, c;
    while ((c = 2 * i + 1) < n) {
        c += h[c + 1] < h[c];
        if (h[c] >= v)
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = v;
}

/* The fetch slots are a min-heap of the times they become free: the slot
 * free soonest is slot_free[0]; book_slot gives it to a fetch until `until`
 * and restores the heap, O(log fetch_slots). */
static void book_slot(phb *p, ps_t until)
{
    heap_replace_min(p->slot_free, p->p.fetch_slots, until);
}

/* Walk-cache key of level `lvl` (0 = top) for addr: the address bits that
 * select the entries down to and including that level. The level goes into
 * the top bits so keys of different levels never collide. */
static uint64_t walk_key(const tve *t, unsigned lvl, uint64_t addr)
{
    unsigned tbl_shift = t->level_shift - 3;
    unsigned sh = tbl_shift * (t->levels - 1 - lvl) + t->page_shift;
    return (uint64_t)lvl << 56 | (addr >> sh);
}

/* Times the table reads of a walk that misses the TCE cache: one memory read
 * per level, in sequence (each address depends on the previous entry),
 * skipping the levels whose result the walk cache holds. Returns when the
 * last-level TCE is back. */
static ps_t timed_walk(phb *p, uint16_t pe, const tve *t, uint64_t addr,
                       const tce_walk_result *w, ps_t start)
{
    unsigned first = 0;
    if (p->walk_cache && w->nreads > 1) {
        /* Deepest cached upper level: its entry gives the next level's base. */
        for (unsigned lvl = w->nreads - 1; lvl-- > 0;) {
            tce_lookup l;
            tce_cache_lookup(p->walk_cache, pe, walk_key(t, lvl, addr), start, &l);
            if (l.kind != TCE_LOOKUP_MISS) {
                start = ps_max(start, l.ready_ps);
                first = lvl + 1;
                p->st.walk_cache_hits++;
                break;
            }
        }
    }
    ps_t now = start;
    for (unsigned lvl = first; lvl < w->nreads; lvl++) {
        if (p->line_cache) {
            /* A recently fetched table line holds this entry: no memory
             * read (or wait for the fetch of that line still in flight). */
            uint64_t line = w->taddr[lvl] >> p->line_shift;
            tce_lookup l;
            tce_cache_lookup(p->line_cache, 0, line, now, &l);
            if (l.kind != TCE_LOOKUP_MISS) {
                now = ps_max(now, l.ready_ps);
                p->st.walk_line_hits++;
            } else {
                now = p->mem_if.tce_read(p->mem_if.ctx, w->taddr[lvl], 8, now);
                p->st.walk_reads++;
                tce_cache_insert(p->line_cache, 0, line, 0, now);
            }
        } else {
            now = p->mem_if.tce_read(p->mem_if.ctx, w->taddr[lvl], 8, now);
            p->st.walk_reads++;
        }
        if (p->walk_cache && lvl + 1 < t->levels)
            tce_cache_insert(p->walk_cache, pe, walk_key(t, lvl, addr), w->taddr[lvl], now);
    }
    return now;
}

/* Line fill: the fetch brought a whole memory line of TCEs; keep the valid
 * neighbours too (an option: whether PHB3/4 do is not public, s.1.7). */
static void fill_line(phb *p, uint16_t pe, uint64_t page, uint64_t leaf_taddr, ps_t ready)
{
    uint64_t per_line = p->p.line_bytes / 8;
    uint64_t line_pa = leaf_taddr & ~(uint64_t)(p->p.line_bytes - 1);
    uint64_t first_page = page & ~(per_line - 1);
    for (uint64_t i = 0; i < per_line; i++) {
        uint64_t pg = first_page + i;
        /* A neighbour already cached keeps its entry: refreshing it would
         * move its ready time to this fetch's and turn its hits into merges. */
        if (pg == page || tce_cache_contains(p->cache, pe, pg))
            continue;
        uint64_t tce = physmem_read_be64(p->mem, line_pa + 8 * i);
        if (tce & (TCE_READ | TCE_WRITE)) {
            tce_cache_insert(p->cache, pe, pg, tce, ready);
            p->st.line_fill_inserts++;
        }
    }
}

void phb_translate(phb *p, uint16_t rid, uint64_t bus_addr, bool is_write,
                   ps_t arrival_ps, phb_xlate *out)
{
    uint16_t pe = rtt_lookup(p->rtt, rid);
    out->pe = pe;
    out->pa = 0;
    out->fault = TCE_OK;
    out->slot_wait_ps = 0;
    out->fetch_ps = 0;
    ps_t rd_wait = 0;
    if (!is_write && p->read_free && p->read_free[0] > arrival_ps) {
        /* every inbound read entry in use: wait for the first to free up */
        rd_wait = p->read_free[0] - arrival_ps;
        p->st.read_slot_waits++;
        p->st.read_slot_wait_ps += rd_wait;
        arrival_ps = p->read_free[0];
    }
    phb_translate_at(p, pe, bus_addr, is_write, arrival_ps, out);
    out->slot_wait_ps += rd_wait;
}

void phb_read_done(phb *p, ps_t release_ps)
{
    if (p->read_free)
        heap_replace_min(p->read_free, p->p.read_slots, release_ps);
}

static void phb_translate_at(phb *p, uint16_t pe, uint64_t bus_addr, bool is_write,
                             ps_t arrival_ps, phb_xlate *out)
{
    phb_pe_stats *ps = &p->pe_stats[pe];

    if (frozen_at(p, pe, arrival_ps)) {
        out->kind = PHB_XLATE_DROPPED;
        out->done_ps = arrival_ps;
        p->st.dropped++;
        ps->dropped++;
        return;
    }

    const tve *t = &p->tvt[tvt_index(pe, bus_addr)];
    if (t->kind == TVE_BYPASS) {
        tce_walk_result w;
        tce_walk(t, p->mem, bus_addr, is_write, &w);
        p->st.bypass++;
        ps->bypass++;
        if (w.fault != TCE_OK) {
            fault(p, pe, w.fault, arrival_ps + p->p.bypass_ps, out);
            return;
        }
        out->kind = PHB_XLATE_BYPASS;
        out->pa = w.pa;
        out->done_ps = arrival_ps + p->p.bypass_ps;
        return;
    }

    p->st.lookups++;
    ps->lookups++;
    ps_t looked_up = arrival_ps + p->p.lookup_ps;
    if (t->kind != TVE_TRANSLATED) {
        fault(p, pe, TCE_FAULT_INVALID_TVE, looked_up, out);
        return;
    }
    uint64_t io_addr = bus_addr & ~TVE_BYPASS_BIT59;
    if (io_addr >= tve_window_bytes(t)) {
        fault(p, pe, TCE_FAULT_WINDOW, looked_up, out);
        return;
    }

    uint64_t page = io_addr >> t->page_shift;
    uint64_t page_mask = ((uint64_t)1 << t->page_shift) - 1;
    tce_lookup l;
    /* Hit or merged is decided when the lookup completes: a TCE that
     * arrives during the lookup is a hit. */
    tce_cache_lookup(p->cache, pe, page, looked_up, &l);
    if (l.kind != TCE_LOOKUP_MISS) {
        ps_t done = ps_max(looked_up, l.ready_ps);
        if (l.kind == TCE_LOOKUP_HIT) {
            p->st.hits++;
            ps->hits++;
            out->kind = PHB_XLATE_HIT;
        } else {
            p->st.misses++;
            p->st.merged++;
            ps->misses++;
            ps->merged++;
            out->kind = PHB_XLATE_MERGED;
            out->fetch_ps = done - looked_up;
        }
        if (!tce_perm_ok(l.tce, is_write)) {
            fault(p, pe, TCE_FAULT_PERM, done, out);
            return;
        }
        out->pa = (l.tce & ~page_mask & ~(TCE_READ | TCE_WRITE)) | (io_addr & page_mask);
        out->done_ps = done;
        return;
    }

    /* Miss: walk the table (functionally now, timed through memory). */
    p->st.misses++;
    ps->misses++;
    p->st.walks++;
    tce_walk_result w;
    tce_walk(t, p->mem, io_addr, is_write, &w);

    ps_t start = ps_max(looked_up, p->slot_free[0]);
    if (start > looked_up) {
        p->st.slot_waits++;
        p->st.slot_wait_ps += start - looked_up;
        out->slot_wait_ps = start - looked_up;
    }
    ps_t ready = timed_walk(p, pe, t, io_addr, &w, start + p->p.walk_ps);
    book_slot(p, ready);
    out->fetch_ps = ready - start;

    if (w.fault != TCE_OK && w.fault != TCE_FAULT_PERM) {
        fault(p, pe, w.fault, ready, out);
        return;
    }
    /* A valid TCE is cached even when this access lacks permission for it:
     * the entry itself is good, the access is not. An all-zero TCE (not
     * mapped) is not cached. */
    if (w.tce & (TCE_READ | TCE_WRITE)) {
        tce_cache_insert(p->cache, pe, page, w.tce, ready);
        if (p->p.line_fill)
            fill_line(p, pe, page, w.taddr[w.nreads - 1], ready);
    }
    if (w.fault != TCE_OK) {
        fault(p, pe, w.fault, ready, out);
        return;
    }
    out->kind = PHB_XLATE_MISS;
    out->pa = w.pa;
    out->done_ps = ready;
}

/* Kills name a PE and a bus address; the page size is the PE's TVE#0's, as
 * the PHB3 kill register's page form carries the address, not the size
 * (skiboot hw/phb3.c phb3_tce_kill; PHB4 adds a page-size select). */
void phb_kill_page(phb *p, uint16_t pe, uint64_t bus_addr)
{
    p->st.kills_page++;
    if (pe >= p->npes)
        return;
    const tve *t = &p->tvt[tvt_index(pe, bus_addr)];
    if (t->kind != TVE_TRANSLATED)
        return;
    tce_cache_inval_page(p->cache, pe, (bus_addr & ~TVE_BYPASS_BIT59) >> t->page_shift);
}

void phb_kill_pe(phb *p, uint16_t pe)
{
    p->st.kills_pe++;
    tce_cache_inval_pe(p->cache, pe);
    if (p->walk_cache)
        tce_cache_inval_pe(p->walk_cache, pe);
    if (p->line_cache) /* lines are not tagged by PE: drop them all */
        tce_cache_inval_all(p->line_cache);
}

void phb_kill_all(phb *p)
{
    p->st.kills_all++;
    tce_cache_inval_all(p->cache);
    if (p->walk_cache)
        tce_cache_inval_all(p->walk_cache);
    if (p->line_cache)
        tce_cache_inval_all(p->line_cache);
}

ps_t phb_kill_submit(phb *p, ps_t t, phb_kill_form form, uint16_t pe, uint64_t bus_addr)
{
    ps_t accept = ps_max(t, p->kill_free[0]);
    if (accept > t) {
        p->st.kill_queue_waits++;
        p->st.kill_queue_wait_ps += accept - t;
    }
    ps_t done = ps_max(accept, p->kill_done) + p->p.kill_ps;
    heap_replace_min(p->kill_free, p->kill_slots, done);
    p->kill_done = done;
    switch (form) {
    case PHB_KILL_PAGE: phb_kill_page(p, pe, bus_addr); break;
    case PHB_KILL_PE: phb_kill_pe(p, pe); break;
    case PHB_KILL_ALL: phb_kill_all(p); break;
    }
    return accept;
}

ps_t phb_kill_sync(phb *p, ps_t t)
{
    ps_t done = ps_max(t, p->kill_done) + p->p.kill_sync_ps;
    p->st.kill_syncs++;
    p->st.kill_sync_wait_ps += done - t;
    return done;
}

const phb_stats *phb_get_stats(const phb *p) { return &p->st; }
const phb_pe_stats *phb_get_pe_stats(const phb *p, uint16_t pe)
{
    return pe < p->npes ? &p->pe_stats[pe] : NULL;
}
const tce_cache *phb_cache(const phb *p) { return p->cache; }

void phb_reset_stats(phb *p)
{
    memset(&p->st, 0, sizeof p->st);
    memset(p->pe_stats, 0, p->npes * sizeof(*p->pe_stats));
    tce_cache_reset_stats(p->cache);
}
