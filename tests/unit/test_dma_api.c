/* The timed host side (dma_api.h) between mocks: a real physmem / physalloc /
 * tce_table (a 2 GiB window of 4 KiB IO pages, one level), a real PHB (or
 * none where kills do not matter) whose TVE#0 points at the table, and a
 * host_if whose mocks record the TCE stores, the times the model asks to
 * sync to (never backwards within one call) and every lock acquisition.
 *
 * Costs are round numbers so that every expectation is computed by hand in
 * the comment beside it (all in ns):
 *   op 100, lock 10, handoff 50, search_word 1, tce_write 2, mb 5,
 *   kill_store 7, opal_call 300, magazine 3;
 *   PHB4 kill queue: 2 slots, 20 per kill, DMA read sync 100.
 * The window: 2^19 entries, 4 pools of 98304 entries (entry 0 reserved: the
 * window starts at bus 0), the large pool from 393216. CPUs 0 and 3 hash to
 * pool 0, CPU 1 to pool 1 (iommu_table.h). A fresh single-page search in a
 * pool scans 2 bitmap words (the find-zero load, then the find-set load over
 * the candidate), so its hold is 10 + 2 = 12; a one-page free touches one
 * word: hold 11. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "common/tcesim_err.h"
#include "host/dma_api.h"
#include "memory/physalloc.h"
#include "memory/physmem.h"
#include "phb/phb.h"
#include "tce/tce_table.h"
#include "tvt/tve.h"

#define NS(x) ((ps_t)(x) * PS_PER_NS)

#define OP_NS 100
#define LOCK_NS 10
#define HANDOFF_NS 50
#define WORD_NS 1
#define TCEW_NS 2
#define MB_NS 5
#define KSTORE_NS 7
#define OPAL_NS 300
#define MAG_NS 3
#define KILL_NS 20
#define KSYNC_NS 100

#define HOLD1 (LOCK_NS + 2 * WORD_NS)  /* a fresh one-page allocation: 12 */
#define FREE1 (LOCK_NS + 1 * WORD_NS)  /* a one-page free: 11 */

#define RAM_BYTES (1ull << 34)
#define WINDOW (2ull << 30)
#define PE 1
#define RID 0x100
#define NCPUS 4
#define MAX_REC 64
#define T0 NS(1000)

typedef struct store_rec {
    uint64_t pa;
    uint32_t bytes;
    ps_t t;
} store_rec;

typedef struct lock_rec {
    int lock;
    ps_t wait, hold;
} lock_rec;

typedef struct env {
    physmem *mem;
    physalloc alloc;
    tce_table tbl;
    phb *phb;
    host_model *h;
    int pe_index;
    unsigned nstores, nsyncs, nlocks;
    store_rec stores[MAX_REC];
    ps_t syncs[MAX_REC];
    lock_rec locks[MAX_REC];
    ps_t last_sync; /* within the current call */
} env;

typedef struct env_opts {
    bool with_phb;
    phb_gen gen;
    host_policy pol;
    unsigned cpu_page_shift;  /* 0: 12 */
    uint64_t it_size;         /* 0: the whole window */
} env_opts;

static ps_t mock_tce_store(void *ctx, uint64_t pa, uint32_t bytes, ps_t t)
{
    env *e = ctx;
    assert_true(e->nstores < MAX_REC);
    e->stores[e->nstores++] = (store_rec){pa, bytes, t};
    return t;
}

static void mock_sync(void *ctx, ps_t t)
{
    env *e = ctx;
    assert_true(t >= e->last_sync); /* a call never asks to go back in time */
    e->last_sync = t;
    assert_true(e->nsyncs < MAX_REC);
    e->syncs[e->nsyncs++] = t;
}

static void mock_lock_event(void *ctx, unsigned pe_index, int lock, ps_t at_ps, ps_t wait_ps, ps_t hold_ps)
{
    env *e = ctx;
    assert_int_equal(pe_index, (unsigned)e->pe_index);
    assert_true(e->nlocks < MAX_REC);
    e->locks[e->nlocks++] = (lock_rec){lock, wait_ps, hold_ps};
}

static ps_t mock_tce_read(void *ctx, uint64_t pa, uint32_t bytes, ps_t arrival_ps)
{
    (void)ctx;
    (void)pa;
    (void)bytes;
    return arrival_ps + NS(50);
}

static void clear_records(env *e)
{
    e->nstores = e->nsyncs = e->nlocks = 0;
    e->last_sync = 0;
}

static env *env_new(const env_opts *o)
{
    env *e = calloc(1, sizeof(*e));
    assert_non_null(e);
    unsigned cps = o->cpu_page_shift ? o->cpu_page_shift : 12;
    phb_gen gen = o->gen ? o->gen : PHB_GEN3;
    e->mem = physmem_create();
    assert_non_null(e->mem);
    assert_int_equal(physalloc_init(&e->alloc, RAM_BYTES, cps, 1), TCESIM_OK);
    tce_geom g;
    assert_int_equal(tce_geometry(WINDOW, 12, 1, cps, &g), TCESIM_OK);
    assert_int_equal(tce_table_create(&e->tbl, e->mem, &e->alloc, &g), TCESIM_OK);
    if (o->with_phb) {
        phb_params pp = {
            .gen = gen,
            .lookup_ps = NS(1),
            .bypass_ps = NS(1),
            .fetch_slots = 4,
            .line_bytes = 128,
            .kill_slots = 2,
            .kill_ps = NS(KILL_NS),
            .kill_sync_ps = NS(KSYNC_NS),
            .cache = {.entries = 64, .ways = 0, .policy = TCE_REPL_LRU, .seed = 1},
        };
        e->phb = phb_create(&pp, e->mem, (phb_mem_if){.tce_read = mock_tce_read, .ctx = e});
        assert_non_null(e->phb);
        tve v = tce_table_tve(&e->tbl);
        uint64_t raw;
        assert_int_equal(tve_encode(gen, &v, &raw), TCESIM_OK);
        assert_int_equal(phb_set_tve(e->phb, (unsigned)PE << 1, raw), TCESIM_OK);
        phb_set_rid(e->phb, RID, PE);
    }
    host_params hp = {
        .ncpus = NCPUS,
        .gen = gen,
        .costs = {
            .op_ps = NS(OP_NS),
            .lock_ps = NS(LOCK_NS),
            .lock_handoff_ps = NS(HANDOFF_NS),
            .search_word_ps = NS(WORD_NS),
            .tce_write_ps = NS(TCEW_NS),
            .mb_ps = NS(MB_NS),
            .kill_store_ps = NS(KSTORE_NS),
            .opal_call_ps = NS(OPAL_NS),
            .magazine_ps = NS(MAG_NS),
        },
        .policy = o->pol,
    };
    host_if hif = {.sync = mock_sync, .tce_store = mock_tce_store, .lock_event = mock_lock_event, .ctx = e};
    e->h = host_create(&hp, e->phb, hif);
    assert_non_null(e->h);
    host_pe_params pep = {
        .pe = PE,
        .table = &e->tbl,
        .it = {
            .it_offset = 0,
            .it_size = o->it_size ? o->it_size : tce_table_entries(&e->tbl),
            .page_shift = 12,
            .cpu_page_shift = cps,
            .blocksize = 16,
        },
    };
    e->pe_index = host_add_pe(e->h, &pep);
    assert_int_equal(e->pe_index, 0);
    return e;
}

static void env_free(env *e)
{
    host_destroy(e->h);
    phb_destroy(e->phb);
    physmem_destroy(e->mem);
    free(e);
}

static host_map_result map1(env *e, unsigned cpu, host_op op, uint64_t pa, uint64_t size,
                            uint64_t perm, ps_t t, host_seg *seg)
{
    e->last_sync = 0;
    *seg = (host_seg){.pa = pa, .size = size};
    host_map_result r;
    host_map(e->h, cpu, (unsigned)e->pe_index, op, perm, ~0ull, 1ull << 16, seg, 1, NULL, t, &r);
    assert_false(r.failed);
    return r;
}

static ps_t unmap1(env *e, unsigned cpu, host_op op, const host_seg *seg, ps_t t, bool *bad)
{
    e->last_sync = 0;
    return host_unmap(e->h, cpu, (unsigned)e->pe_index, op, seg, 1, NULL, 0, t, bad);
}

static void xlate(env *e, uint64_t bus, ps_t t, phb_xlate *x)
{
    phb_translate(e->phb, RID, bus, false, t, x);
}

/* ---- map / unmap on PHB3 ---- */

static void map_page_phb3_costs_lock_search_write_kill_mb(void **state)
{
    (void)state;
    env *e = env_new(&(env_opts){.with_phb = true});
    host_seg s;
    host_map_result r = map1(e, 0, HOST_MAP, 0x10000000, 4096, TCE_READ, T0, &s);
    /* T0 + op 100 -> lock at 1100, hold 12 -> 1112, one TCE 2 -> 1114,
     * one kill store 7 -> 1121, mb 5 -> 1126 */
    assert_int_equal(r.done_ps, T0 + NS(OP_NS + HOLD1 + TCEW_NS + KSTORE_NS + MB_NS));
    assert_int_equal(r.done_ps, NS(1126));
    assert_int_equal(r.pool, 0);
    assert_int_equal(s.entry, 1); /* entry 0 is reserved */
    assert_int_equal(s.npages, 1);
    assert_int_equal(s.bus, 0x1000);
    assert_int_equal(tce_table_get(&e->tbl, 1), 0x10000000 | TCE_READ);
    assert_int_equal(tce_table_get(&e->tbl, 0), 0);
    assert_int_equal(tce_table_get(&e->tbl, 2), 0);
    /* one 8-byte store of the TCE, after the lock */
    assert_int_equal(e->nstores, 1);
    assert_int_equal(e->stores[0].pa, tce_table_leaf_pa(&e->tbl, 1));
    assert_int_equal(e->stores[0].bytes, 8);
    assert_int_equal(e->stores[0].t, NS(1112));
    /* synced before the lock (1100) and before the kill (1114) */
    assert_int_equal(e->nsyncs, 2);
    assert_int_equal(e->syncs[0], NS(1100));
    assert_int_equal(e->syncs[1], NS(1114));
    assert_int_equal(e->nlocks, 1);
    assert_int_equal(e->locks[0].lock, 0);
    assert_int_equal(e->locks[0].wait, 0);
    assert_int_equal(e->locks[0].hold, NS(HOLD1));
    assert_int_equal(host_get_kill_stats(e->h)->page, 1);
    assert_int_equal(phb_get_stats(e->phb)->kills_page, 1);
    env_free(e);
}

static void map_page_unaligned_buffer_takes_two_tces(void **state)
{
    (void)state;
    env *e = env_new(&(env_opts){.with_phb = true});
    host_seg s;
    /* 4 KiB from 0x...800 spans two IO pages; the search is still 2 words
     * (find-zero from 0 -> 1, find-set over [1, 3) -> word 0 again).
     * 1000 + 100 + 12 + 2*2 + 2*7 + 5 = 1135 */
    host_map_result r = map1(e, 0, HOST_MAP, 0x10000800, 4096, TCE_READ | TCE_WRITE, T0, &s);
    assert_int_equal(r.done_ps, NS(1135));
    assert_int_equal(s.entry, 1);
    assert_int_equal(s.npages, 2);
    assert_int_equal(s.bus, 0x1800);
    assert_int_equal(tce_table_get(&e->tbl, 1), 0x10000000 | TCE_READ | TCE_WRITE);
    assert_int_equal(tce_table_get(&e->tbl, 2), 0x10001000 | TCE_READ | TCE_WRITE);
    assert_int_equal(e->nstores, 1);
    assert_int_equal(e->stores[0].bytes, 16);
    assert_int_equal(phb_get_stats(e->phb)->kills_page, 2);
    env_free(e);
}

static void map_page_kills_the_phbs_stale_cached_entry(void **state)
{
    (void)state;
    env *e = env_new(&(env_opts){.with_phb = true});
    /* A stale translation of entry 1 in the PHB's cache. */
    assert_int_equal(tce_table_set(&e->tbl, 1, 0x5000000, TCE_READ), TCESIM_OK);
    phb_xlate x;
    xlate(e, 0x1000, 0, &x);
    assert_int_equal(x.kind, PHB_XLATE_MISS);
    xlate(e, 0x1000, NS(500), &x);
    assert_int_equal(x.kind, PHB_XLATE_HIT);
    assert_int_equal(x.pa, 0x5000000);
    tce_table_clear(&e->tbl, 1);

    host_seg s;
    host_map_result r = map1(e, 0, HOST_MAP, 0x7000000, 4096, TCE_READ, T0, &s);
    assert_int_equal(s.entry, 1);
    /* the map's page kill dropped the stale entry: a fresh walk */
    xlate(e, 0x1000, r.done_ps, &x);
    assert_int_equal(x.kind, PHB_XLATE_MISS);
    assert_int_equal(x.pa, 0x7000000);
    env_free(e);
}

/* sim.warmup_ns: host_reset_stats zeroes the counters; what is mapped stays
 * (the peak restarts from it) and the mapping still unmaps cleanly. */
static void reset_stats_keeps_what_is_mapped(void **state)
{
    (void)state;
    env *e = env_new(&(env_opts){.with_phb = true});
    host_seg s;
    host_map_result r = map1(e, 0, HOST_MAP, 0x10000000, 4096, TCE_READ, T0, &s);
    const iommu_table *it = host_get_table(e->h, 0);
    assert_int_equal(it->st.allocs, 1);
    assert_true(host_get_cpu_stats(e->h, 0)->busy_ps > 0);
    host_reset_stats(e->h);
    assert_int_equal(it->st.allocs, 0);
    assert_int_equal(it->st.pages_in_use, 1);
    assert_int_equal(it->st.pages_in_use_peak, 1);
    assert_int_equal(host_get_cpu_stats(e->h, 0)->ops, 0);
    assert_int_equal(host_get_cpu_stats(e->h, 0)->busy_ps, 0);
    assert_int_equal(host_get_lock_stats(e->h, 0, 0)->acquisitions, 0);
    assert_int_equal(host_get_kill_stats(e->h)->page, 0);
    bool bad = true;
    unmap1(e, 0, HOST_MAP, &s, r.done_ps + NS(1000), &bad);
    assert_false(bad);
    assert_int_equal(it->st.frees, 1);
    assert_int_equal(it->st.pages_in_use, 0);
    assert_int_equal(host_get_cpu_stats(e->h, 0)->ops, 1);
    env_free(e);
}

static void unmap_clears_tces_outside_the_lock_then_frees(void **state)
{
    (void)state;
    env *e = env_new(&(env_opts){.with_phb = true});
    host_seg s;
    host_map_result r = map1(e, 0, HOST_MAP, 0x10000000, 4096, TCE_READ, T0, &s);
    phb_xlate x;
    xlate(e, s.bus, r.done_ps, &x); /* cached in the PHB */
    assert_int_equal(x.kind, PHB_XLATE_MISS);

    clear_records(e);
    bool bad = true;
    ps_t u = NS(3000);
    ps_t done = unmap1(e, 0, HOST_MAP, &s, u, &bad);
    /* 3000 + op 100 -> clear 2 -> 3102 kill 7 -> 3109 lock, hold 11 -> 3120.
     * No mb(): iommu_free() does not issue one ("We do not do an mb() here
     * on purpose", arch/powerpc/kernel/iommu.c). */
    assert_false(bad);
    assert_int_equal(done, u + NS(OP_NS + TCEW_NS + KSTORE_NS + FREE1));
    assert_int_equal(done, NS(3120));
    assert_int_equal(tce_table_get(&e->tbl, 1), 0);
    assert_int_equal(e->nstores, 1);
    assert_int_equal(e->stores[0].t, NS(3100)); /* the clear, before the lock */
    assert_int_equal(e->nsyncs, 2);
    assert_int_equal(e->syncs[0], NS(3102));    /* the kill */
    assert_int_equal(e->syncs[1], NS(3109));    /* the lock, after both */
    assert_int_equal(e->nlocks, 1);
    assert_int_equal(e->locks[0].lock, 0);
    assert_int_equal(e->locks[0].hold, NS(FREE1));
    assert_int_equal(host_get_table(e->h, 0)->st.frees, 1);
    assert_int_equal(host_get_kill_stats(e->h)->page, 2);
    /* the unmap's kill removed the cached TCE: the next DMA faults */
    xlate(e, s.bus, done, &x);
    assert_int_equal(x.kind, PHB_XLATE_FAULT);
    env_free(e);
}

static void unmapping_twice_is_a_bad_free(void **state)
{
    (void)state;
    env *e = env_new(&(env_opts){.with_phb = true});
    host_seg s;
    map1(e, 0, HOST_MAP, 0x10000000, 4096, TCE_READ, T0, &s);
    bool bad = true;
    unmap1(e, 0, HOST_MAP, &s, NS(2000), &bad);
    assert_false(bad);
    clear_records(e);
    ps_t done = unmap1(e, 0, HOST_MAP, &s, NS(3000), &bad);
    assert_true(bad);
    /* the clear and kill happen (the kernel checks only the window before
     * clearing), the bitmap refuses: no lock. 3000 + 100 + 2 + 7 = 3109 */
    assert_int_equal(done, NS(3109));
    assert_int_equal(e->nlocks, 0);
    assert_int_equal(host_get_table(e->h, 0)->st.bad_frees, 1);
    assert_int_equal(host_get_table(e->h, 0)->st.frees, 1);
    env_free(e);
}

/* ---- lock contention ---- */

static void same_pool_waits_the_holders_hold_plus_handoff(void **state)
{
    (void)state;
    env *e = env_new(&(env_opts){.with_phb = false});
    const iommu_table *it = host_get_table(e->h, 0);
    assert_int_equal(iommu_pool_of_cpu(it, 0), 0);
    assert_int_equal(iommu_pool_of_cpu(it, 3), 0);
    host_seg a, b;
    /* no PHB: no kills. CPU 0: 1000 + 100 + 12 + 2 + 5 = 1119, lock 0 free at 1112 */
    host_map_result ra = map1(e, 0, HOST_MAP, 0x10000000, 4096, TCE_READ, T0, &a);
    assert_int_equal(ra.done_ps, NS(1119));
    /* CPU 3 at the lock at 1100: waits 12 (to 1112) + handoff 50 = 62, holds
     * 12 (entry 16 from hint 16: 2 words) -> 1174, + 2 + 5 = 1181 */
    host_map_result rb = map1(e, 3, HOST_MAP, 0x20000000, 4096, TCE_READ, T0, &b);
    assert_int_equal(rb.done_ps, NS(1181));
    assert_int_equal(b.entry, 16);
    assert_int_equal(e->nlocks, 2);
    assert_int_equal(e->locks[0].wait, 0);
    assert_int_equal(e->locks[1].lock, 0);
    assert_int_equal(e->locks[1].wait, NS(HOLD1 + HANDOFF_NS));
    assert_int_equal(e->locks[1].hold, NS(HOLD1));
    const host_lock_stats *ls = host_get_lock_stats(e->h, 0, 0);
    assert_int_equal(ls->acquisitions, 2);
    assert_int_equal(ls->contended, 1);
    assert_int_equal(ls->wait_ps, NS(62));
    assert_int_equal(ls->wait_max_ps, NS(62));
    assert_int_equal(ls->hold_ps, NS(24));
    const host_cpu_stats *c0 = host_get_cpu_stats(e->h, 0), *c3 = host_get_cpu_stats(e->h, 3);
    assert_int_equal(c0->ops, 1);
    assert_int_equal(c0->busy_ps, NS(119));
    assert_int_equal(c0->lock_wait_ps, 0);
    assert_int_equal(c3->ops, 1);
    assert_int_equal(c3->busy_ps, NS(181));
    assert_int_equal(c3->lock_wait_ps, NS(62));
    assert_int_equal(c3->kill_ps, 0);
    env_free(e);
}

static void different_pools_do_not_wait(void **state)
{
    (void)state;
    env *e = env_new(&(env_opts){.with_phb = false});
    assert_int_equal(iommu_pool_of_cpu(host_get_table(e->h, 0), 1), 1);
    host_seg a, b;
    host_map_result ra = map1(e, 0, HOST_MAP, 0x10000000, 4096, TCE_READ, T0, &a);
    host_map_result rb = map1(e, 1, HOST_MAP, 0x20000000, 4096, TCE_READ, T0, &b);
    /* both 1000 + 100 + 12 + 2 + 5; CPU 1's range opens pool 1 (98304) */
    assert_int_equal(ra.done_ps, NS(1119));
    assert_int_equal(rb.done_ps, NS(1119));
    assert_int_equal(rb.pool, 1);
    assert_int_equal(b.entry, 98304);
    assert_int_equal(e->locks[1].lock, 1);
    assert_int_equal(e->locks[1].wait, 0);
    assert_int_equal(host_get_lock_stats(e->h, 0, 0)->contended, 0);
    assert_int_equal(host_get_lock_stats(e->h, 0, 1)->acquisitions, 1);
    assert_int_equal(host_get_lock_stats(e->h, 0, 1)->contended, 0);
    env_free(e);
}

static void global_lock_makes_different_pools_contend(void **state)
{
    (void)state;
    env *e = env_new(&(env_opts){.with_phb = false, .pol = {.lock = HOST_LOCK_GLOBAL}});
    host_seg a, b;
    map1(e, 0, HOST_MAP, 0x10000000, 4096, TCE_READ, T0, &a);
    host_map_result rb = map1(e, 1, HOST_MAP, 0x20000000, 4096, TCE_READ, T0, &b);
    /* the range still comes from pool 1, under the one lock: as CPU 3 above */
    assert_int_equal(b.entry, 98304);
    assert_int_equal(rb.done_ps, NS(1181));
    assert_int_equal(e->locks[1].lock, 0);
    assert_int_equal(e->locks[1].wait, NS(62));
    assert_int_equal(host_get_lock_stats(e->h, 0, 0)->acquisitions, 2);
    assert_int_equal(host_get_lock_stats(e->h, 0, 0)->contended, 1);
    assert_int_equal(host_get_lock_stats(e->h, 0, 1)->acquisitions, 0);
    env_free(e);
}

/* ---- PHB4 kills through OPAL ---- */

static void phb4_strict_kill_queues_each_page_then_syncs(void **state)
{
    (void)state;
    env *e = env_new(&(env_opts){.with_phb = true, .gen = PHB_GEN4});
    host_seg s;
    /* 3 pages. 1000 + 100 -> 1100 lock, hold 12 -> 1112, 3 TCEs -> 1118;
     * opal 300 -> 1418 (sync).
     * page 0: accepted 1418 (a free slot), PHB done 1438; store -> 1425
     * page 1: accepted 1425 (the other slot), done max(1425, 1438)+20 = 1458; -> 1432
     * page 2: both slots busy (1438, 1458): accepted 1438, done 1478; -> 1445
     * sync: max(1445, 1478) + 100 = 1578; mb -> 1583 */
    host_map_result r = map1(e, 0, HOST_MAP, 0x10000000, 3 * 4096, TCE_READ, T0, &s);
    assert_int_equal(r.done_ps, NS(1583));
    assert_int_equal(e->nsyncs, 2);
    assert_int_equal(e->syncs[0], NS(1100));
    assert_int_equal(e->syncs[1], NS(1418));
    const host_kill_stats *k = host_get_kill_stats(e->h);
    assert_int_equal(k->page, 3);
    assert_int_equal(k->pe, 0);
    assert_int_equal(k->opal_calls, 1);
    assert_int_equal(k->syncs, 1);
    assert_int_equal(k->escalated, 0);
    assert_int_equal(phb_get_stats(e->phb)->kills_page, 3);
    assert_int_equal(host_get_cpu_stats(e->h, 0)->kill_ps, NS(1578 - 1118));
    env_free(e);
}

static void phb4_escalation_makes_one_pe_kill_per_call(void **state)
{
    (void)state;
    env *e = env_new(&(env_opts){.with_phb = true, .gen = PHB_GEN4, .pol = {.kill_escalate_pe = true}});
    host_seg s;
    /* ... 1118, opal -> 1418, one PE kill accepted 1418 (done 1438), store
     * -> 1425, sync max(1425, 1438) + 100 = 1538, mb -> 1543 */
    host_map_result r = map1(e, 0, HOST_MAP, 0x10000000, 3 * 4096, TCE_READ, T0, &s);
    assert_int_equal(r.done_ps, NS(1543));
    const host_kill_stats *k = host_get_kill_stats(e->h);
    assert_int_equal(k->page, 0);
    assert_int_equal(k->pe, 1);
    assert_int_equal(k->escalated, 3);
    assert_int_equal(k->opal_calls, 1);
    assert_int_equal(k->syncs, 1);
    assert_int_equal(phb_get_stats(e->phb)->kills_pe, 1);
    assert_int_equal(phb_get_stats(e->phb)->kills_page, 0);
    /* the unmap: clear 3 -> 1 opal call, 1 PE kill, 1 sync again */
    bool bad;
    unmap1(e, 0, HOST_MAP, &s, NS(5000), &bad);
    assert_false(bad);
    assert_int_equal(k->pe, 2);
    assert_int_equal(k->escalated, 6);
    assert_int_equal(k->opal_calls, 2);
    env_free(e);
}

/* ---- map_sg ---- */

static void map_sg_builds_each_segment_after_its_allocation_in_kernel_order(void **state)
{
    (void)state;
    env *e = env_new(&(env_opts){.with_phb = true});
    host_seg segs[3] = {
        {.pa = 0x1000000, .size = 4096},
        {.pa = 0x3000000, .size = 4096},
        {.pa = 0x2000000, .size = 4096},
    };
    iommu_sg_out outs[3];
    host_map_result r;
    host_map(e->h, 0, 0, HOST_MAP_SG, TCE_READ, ~0ull, 8192, segs, 3, outs, T0, &r);
    assert_false(r.failed);
    /* ppc_iommu_map_sg() order: per segment its allocation, then its
     * TCE write and kill. 1100: hold 12 (each segment continues at the
     * previous one's end through the handle: 2 words each; the same CPU
     * retakes its own lock without a wait) -> 1112, write 2 -> 1114, kill 7
     * -> 1121; segment 1: 1121 -> 1133 -> 1135 -> 1142; segment 2: 1142 ->
     * 1154 -> 1156 -> 1163; mb -> 1168 */
    assert_int_equal(r.done_ps, NS(1168));
    assert_int_equal(e->nlocks, 3);
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(e->locks[i].lock, 0);
        assert_int_equal(e->locks[i].wait, 0);
        assert_int_equal(e->locks[i].hold, NS(HOLD1));
        assert_int_equal(segs[i].entry, 1 + i);
        assert_int_equal(segs[i].npages, 1);
        assert_int_equal(segs[i].bus, (1 + i) << 12);
        assert_int_equal(tce_table_get(&e->tbl, 1 + i), segs[i].pa | TCE_READ);
    }
    /* per segment: lock, kill, and the time the next segment is allocated
     * (the caller's process is brought there first, so other CPUs allocate
     * in between as they would while the pool lock is free): 1100, 1114,
     * 1121 | 1121, 1135, 1142 | 1142, 1156, 1163 */
    assert_int_equal(e->nsyncs, 9);
    assert_int_equal(e->syncs[1], NS(1114));
    assert_int_equal(e->syncs[2], NS(1121));
    assert_int_equal(e->syncs[3], NS(1121));
    assert_int_equal(e->syncs[4], NS(1135));
    assert_int_equal(e->syncs[8], NS(1163));
    assert_int_equal(e->stores[0].t, NS(1112));
    assert_int_equal(e->stores[2].t, NS(1154));
    /* 0x1000 + 0x2000 merge up to max_seg_size 8192; 0x3000 starts anew */
    assert_int_equal(r.nouts, 2);
    assert_int_equal(outs[0].bus, 0x1000);
    assert_int_equal(outs[0].len, 8192);
    assert_int_equal(outs[1].bus, 0x3000);
    assert_int_equal(outs[1].len, 4096);
    env_free(e);
}

/* ppc_iommu_unmap_sg(): one __iommu_free per merged output segment,
 * npages = iommu_num_pages(dma_address, dma_length). The map of the test
 * above gives outputs {0x1000, 8 KiB} (entries 1, 2) and {0x3000, 4 KiB}.
 * From 2000: op 100 -> 2100; output 0: clear 2 TCEs (4), kill 2 pages (14),
 * free under pool 0 (10 + 1 word) -> 2129; output 1: 2 + 7 + 11 -> 2149.
 * Two lock holds, not one per input segment (three). */
static void unmap_sg_frees_per_output_segment(void **state)
{
    (void)state;
    env *e = env_new(&(env_opts){.with_phb = true});
    host_seg segs[3] = {
        {.pa = 0x1000000, .size = 4096},
        {.pa = 0x3000000, .size = 4096},
        {.pa = 0x2000000, .size = 4096},
    };
    iommu_sg_out outs[3];
    host_map_result r;
    host_map(e->h, 0, 0, HOST_MAP_SG, TCE_READ, ~0ull, 8192, segs, 3, outs, T0, &r);
    assert_false(r.failed);
    assert_int_equal(r.nouts, 2);
    clear_records(e);
    bool bad = true;
    ps_t done = host_unmap(e->h, 0, 0, HOST_MAP_SG, segs, 3, outs, r.nouts, NS(2000), &bad);
    assert_false(bad);
    assert_int_equal(done, NS(2149));
    assert_int_equal(e->nlocks, 2);
    assert_int_equal(e->locks[0].hold, NS(FREE1));
    assert_int_equal(host_get_table(e->h, 0)->st.frees, 2);
    assert_int_equal(host_get_table(e->h, 0)->st.pages_in_use, 0);
    for (unsigned i = 1; i <= 3; i++)
        assert_int_equal(tce_table_get(&e->tbl, i), 0);
    env_free(e);
}

/* A map_sg that fails part way (ppc_iommu_map_sg's `failure:` path). A
 * 64-entry table: 1 pool [0,48), large [48,64). Segments 4 KiB, 4 KiB, 200
 * KiB (50 pages > 15: the large pool, too small; then pool 0, then the
 * large pool again: fails). In the kernel's order: 1100 (op), segment 0:
 * hold 12, write 2, kill 7 -> 1121; segment 1 the same -> 1142; segment 2:
 * its failed searches' holds (H, read back from the lock records); then
 * the unwind of the merged output {0x1000, 8 KiB}: clear 2 TCEs (4), kill 2
 * pages (14), free under pool 0 (10 + 1 word): 1142 + H + 29, no mb(). */
static void map_sg_failing_part_way_unwinds_timed_in_kernel_order(void **state)
{
    (void)state;
    env *e = env_new(&(env_opts){.with_phb = true, .it_size = 64});
    host_seg segs[3] = {
        {.pa = 0x1000000, .size = 4096},
        {.pa = 0x3000000, .size = 4096},
        {.pa = 0x5000000, .size = 200 * 1024},
    };
    iommu_sg_out outs[3];
    host_map_result r;
    e->last_sync = 0;
    host_map(e->h, 0, 0, HOST_MAP_SG, TCE_READ, ~0ull, 8192, segs, 3, outs, T0, &r);
    assert_true(r.failed);
    assert_int_equal(r.unwound, 1);
    assert_int_equal(e->nlocks, 2 + 3 + 1); /* 2 segments, 3 failed passes' holds, the free */
    ps_t h = 0;
    for (unsigned i = 2; i < 5; i++)
        h += e->locks[i].hold;
    assert_int_equal(e->locks[5].lock, 0);
    assert_int_equal(e->locks[5].hold, NS(FREE1));
    assert_int_equal(r.done_ps, NS(1142) + h + NS(29));
    /* 2 kills to build, 2 in the unwind; the TCEs cleared, nothing in use */
    assert_int_equal(phb_get_stats(e->phb)->kills_page, 4);
    assert_int_equal(tce_table_get(&e->tbl, 1), 0);
    assert_int_equal(tce_table_get(&e->tbl, 2), 0);
    const iommu_table *it = host_get_table(e->h, 0);
    assert_int_equal(it->st.pages_in_use, 0);
    assert_int_equal(it->st.failures, 1);
    assert_int_equal(it->bitmap[0], 1);
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(segs[i].entry, IOMMU_MAP_ERROR);
    env_free(e);
}

/* ---- alloc_coherent ---- */

static void alloc_coherent_4k_with_64k_pages_takes_16_tces_from_the_large_pool(void **state)
{
    (void)state;
    env *e = env_new(&(env_opts){.with_phb = true, .cpu_page_shift = 16});
    host_seg s;
    /* 4 KiB rounds up to one 64 KiB CPU page = 16 IO pages (> 15: large
     * pool, from 393216, aligned to 16; 2 words). 1000 + 100 + 12 -> 1112,
     * 16 TCEs -> 1144, 16 kills -> 1256, mb -> 1261 */
    host_map_result r = map1(e, 0, HOST_ALLOC, 0x40000000, 4096, TCE_READ | TCE_WRITE, T0, &s);
    assert_int_equal(r.done_ps, NS(1261));
    assert_int_equal(r.pool, IOMMU_POOL_LARGE);
    assert_int_equal(s.entry, 393216);
    assert_int_equal(s.npages, 16);
    assert_int_equal(s.bus, 393216ull << 12);
    for (uint64_t k = 0; k < 16; k++)
        assert_int_equal(tce_table_get(&e->tbl, 393216 + k), (0x40000000 + (k << 12)) | TCE_READ | TCE_WRITE);
    assert_int_equal(tce_table_get(&e->tbl, 393216 + 16), 0);
    assert_int_equal(e->nlocks, 1);
    assert_int_equal(e->locks[0].lock, 4); /* the large pool's lock follows the 4 pools */
    assert_int_equal(e->stores[0].bytes, 16 * 8);
    assert_int_equal(host_get_kill_stats(e->h)->page, 16);
    /* the free clears all 16 */
    bool bad;
    unmap1(e, 0, HOST_ALLOC, &s, NS(3000), &bad);
    assert_false(bad);
    for (uint64_t k = 0; k < 16; k++)
        assert_int_equal(tce_table_get(&e->tbl, 393216 + k), 0);
    assert_int_equal(host_get_table(e->h, 0)->st.pages_in_use, 0);
    env_free(e);
}

/* ---- lazy invalidation ---- */

static void lazy_wrap_kills_nothing_until_the_hint_wraps_then_the_pe(void **state)
{
    (void)state;
    /* A 256-entry allocator: one pool [0, 192), the large pool above. */
    env *e = env_new(&(env_opts){.with_phb = true, .it_size = 256, .pol = {.inval = HOST_INVAL_LAZY_WRAP}});
    assert_int_equal(host_get_table(e->h, 0)->nr_pools, 1);
    host_seg s[13];
    ps_t t = T0;
    /* entries 1, 16, 32, ..., 176: the hint climbs a block at a time to 192 */
    for (unsigned i = 0; i < 12; i++, t += NS(1000)) {
        host_map_result r = map1(e, 0, HOST_MAP, 0x1000000ull * (i + 1), 4096, TCE_READ, t, &s[i]);
        assert_int_equal(s[i].entry, i ? 16 * i : 1);
        /* 100 + 12 + 2 + 5: no kill */
        assert_int_equal(r.done_ps, t + NS(119));
    }
    /* DMA through entry 16, then unmap it: no kill, the PHB keeps the stale TCE */
    phb_xlate x;
    xlate(e, s[1].bus, t, &x);
    assert_int_equal(x.kind, PHB_XLATE_MISS);
    bool bad;
    ps_t done = unmap1(e, 0, HOST_MAP, &s[1], t, &bad);
    assert_false(bad);
    assert_int_equal(done, t + NS(OP_NS + TCEW_NS + FREE1)); /* no kill, no mb */
    xlate(e, s[1].bus, done, &x);
    assert_int_equal(x.kind, PHB_XLATE_HIT);
    assert_int_equal(x.pa, 0x2000000);
    assert_int_equal(phb_get_stats(e->phb)->kills_page + phb_get_stats(e->phb)->kills_pe, 0);

    /* The hint is at the pool's end: the search restarts at 0 and finds
     * entry 2 (1 word + 1 word): the allocation wrapped, one PE kill.
     * 100 + 12 -> lock released, kill store 7, TCE 2, mb 5 = 126 */
    t += NS(1000);
    clear_records(e);
    host_map_result r = map1(e, 0, HOST_MAP, 0x30000000, 4096, TCE_READ, t, &s[12]);
    assert_int_equal(s[12].entry, 2);
    assert_int_equal(r.done_ps, t + NS(126));
    assert_int_equal(e->syncs[1], t + NS(112)); /* the kill, after the lock */
    assert_int_equal(e->stores[0].t, t + NS(119));
    assert_int_equal(host_get_kill_stats(e->h)->pe, 1);
    assert_int_equal(host_get_kill_stats(e->h)->page, 0);
    assert_int_equal(phb_get_stats(e->phb)->kills_pe, 1);
    assert_int_equal(host_get_cpu_stats(e->h, 0)->kill_ps, NS(KSTORE_NS));
    /* the stale TCE is gone */
    xlate(e, s[1].bus, r.done_ps, &x);
    assert_int_equal(x.kind, PHB_XLATE_FAULT);
    env_free(e);
}

static void flush_queue_defers_kills_and_frees_until_it_is_full(void **state)
{
    (void)state;
    env *e = env_new(&(env_opts){
        .with_phb = true,
        .pol = {.inval = HOST_INVAL_FLUSH_QUEUE, .fq_entries = 2, .fq_timeout_ps = NS(100000)},
    });
    const iommu_table *it = host_get_table(e->h, 0);
    host_seg a, b, c;
    /* maps do not kill under the flush queue: 100 + 12 + 2 + 5 */
    host_map_result r = map1(e, 0, HOST_MAP, 0x1000000, 4096, TCE_READ, T0, &a);
    assert_int_equal(r.done_ps, T0 + NS(119));
    map1(e, 0, HOST_MAP, 0x2000000, 4096, TCE_READ, T0 + NS(1000), &b);
    map1(e, 0, HOST_MAP, 0x3000000, 4096, TCE_READ, T0 + NS(2000), &c);
    assert_int_equal(a.entry, 1);
    assert_int_equal(b.entry, 16);
    assert_int_equal(c.entry, 32);

    bool bad;
    ps_t u = NS(10000);
    clear_records(e);
    /* queued: 100 + clear 2, no kill, no lock */
    assert_int_equal(unmap1(e, 0, HOST_MAP, &a, u, &bad), u + NS(102));
    assert_int_equal(unmap1(e, 0, HOST_MAP, &b, u + NS(1000), &bad), u + NS(1102));
    assert_int_equal(e->nlocks, 0);
    assert_int_equal(tce_table_get(&e->tbl, 1), 0);
    /* not freed: the ranges stay allocated until the flush */
    assert_int_equal(it->st.frees, 0);
    assert_int_equal(it->st.pages_in_use, 3);
    assert_int_equal(phb_get_stats(e->phb)->kills_pe + phb_get_stats(e->phb)->kills_page, 0);

    /* The third finds the queue full: clear 2 -> 2102, PE kill 7 -> 2109,
     * free a (11) -> 2120, free b (11) -> 2131, then it is queued. */
    ps_t u2 = u + NS(2000);
    ps_t done = unmap1(e, 0, HOST_MAP, &c, u2, &bad);
    assert_int_equal(done, u2 + NS(131));
    assert_int_equal(phb_get_stats(e->phb)->kills_pe, 1);
    assert_int_equal(host_get_kill_stats(e->h)->pe, 1);
    assert_int_equal(it->st.frees, 2);
    assert_int_equal(it->st.pages_in_use, 1);
    assert_int_equal(e->nlocks, 2);
    assert_int_equal(e->locks[0].hold, NS(FREE1));

    /* Timeout: c was queued at u2 + 131; a call on CPU 1 whose software
     * path ends at exactly 100 us later flushes it first (kill 7, free 11 on
     * lock 0), then maps from pool 1 (12), 2, mb 5: 100 + 7 + 11 + 12 + 2 + 5 */
    ps_t x = u2 + NS(131) + NS(100000) - NS(OP_NS);
    host_seg d;
    clear_records(e);
    r = map1(e, 1, HOST_MAP, 0x4000000, 4096, TCE_READ, x, &d);
    assert_int_equal(r.done_ps, x + NS(137));
    assert_int_equal(phb_get_stats(e->phb)->kills_pe, 2);
    assert_int_equal(it->st.frees, 3);
    assert_int_equal(e->nlocks, 2);
    assert_int_equal(e->locks[0].lock, 0); /* c's free */
    assert_int_equal(e->locks[1].lock, 1); /* d's allocation */
    assert_int_equal(host_get_cpu_stats(e->h, 1)->kill_ps, NS(KSTORE_NS));

    /* host_finish flushes what is left, without syncing */
    done = unmap1(e, 1, HOST_MAP, &d, x + NS(1000), &bad);
    assert_int_equal(it->st.frees, 3);
    clear_records(e);
    ps_t end = NS(1000000);
    assert_int_equal(host_finish(e->h, end), end + NS(KSTORE_NS + FREE1));
    assert_int_equal(e->nsyncs, 0);
    assert_int_equal(it->st.frees, 4);
    assert_int_equal(it->st.pages_in_use, 0);
    assert_int_equal(phb_get_stats(e->phb)->kills_pe, 3);
    env_free(e);
}

static void flush_queue_does_not_flush_before_the_timeout(void **state)
{
    (void)state;
    env *e = env_new(&(env_opts){
        .with_phb = true,
        .pol = {.inval = HOST_INVAL_FLUSH_QUEUE, .fq_entries = 2, .fq_timeout_ps = NS(100000)},
    });
    host_seg a, d;
    map1(e, 0, HOST_MAP, 0x1000000, 4096, TCE_READ, T0, &a);
    bool bad;
    ps_t q = unmap1(e, 0, HOST_MAP, &a, NS(2000), &bad); /* queued at 2102 */
    assert_int_equal(q, NS(2102));
    /* 1 ns short of the timeout at the end of the software path */
    ps_t x = q + NS(100000) - NS(OP_NS) - NS(1);
    host_map_result r = map1(e, 1, HOST_MAP, 0x4000000, 4096, TCE_READ, x, &d);
    assert_int_equal(r.done_ps, x + NS(119));
    assert_int_equal(phb_get_stats(e->phb)->kills_pe, 0);
    assert_int_equal(host_get_table(e->h, 0)->st.frees, 0);
    env_free(e);
}

/* ---- magazines ---- */

static void magazine_reuses_a_freed_range_without_a_pool_lock(void **state)
{
    (void)state;
    env *e = env_new(&(env_opts){.with_phb = true, .pol = {.magazines = true, .mag_size = 4}});
    unsigned depot = host_get_table(e->h, 0)->nr_pools + 1;
    host_seg s;
    /* a miss: the empty caches send the lookup to the depot (lock 5, hold
     * 10), then the allocator (lock 0, 12). 1100 -> 1110 -> 1122, + 2 + 7
     * + 5 = 1136 */
    host_map_result r = map1(e, 0, HOST_MAP, 0x1000000, 4096, TCE_READ, T0, &s);
    assert_int_equal(r.done_ps, NS(1136));
    assert_int_equal(s.entry, 1);
    assert_int_equal(e->nlocks, 2);
    assert_int_equal(e->locks[0].lock, (int)depot);
    assert_int_equal(e->locks[0].hold, NS(LOCK_NS));
    assert_int_equal(e->locks[1].lock, 0);

    /* the free goes to the CPU's magazine: 100 + 2 + 7 + magazine 3 */
    clear_records(e);
    bool bad;
    ps_t done = unmap1(e, 0, HOST_MAP, &s, NS(2000), &bad);
    assert_false(bad);
    assert_int_equal(done, NS(2112));
    assert_int_equal(e->nlocks, 0);
    assert_int_equal(host_get_table(e->h, 0)->st.frees, 0); /* still allocated in the bitmap */

    /* the next map of the same size on the same CPU: a hit, same range.
     * 100 + magazine 3 + 2 + 7 + 5 */
    host_seg s2;
    r = map1(e, 0, HOST_MAP, 0x5000000, 4096, TCE_READ, NS(3000), &s2);
    assert_int_equal(r.done_ps, NS(3117));
    assert_int_equal(s2.entry, 1);
    assert_int_equal(e->nlocks, 0);
    assert_int_equal(tce_table_get(&e->tbl, 1), 0x5000000 | TCE_READ);
    const mag_stats *ms = host_get_mag_stats(e->h, 0);
    assert_non_null(ms);
    assert_int_equal(ms->alloc_hits, 1);
    assert_int_equal(ms->alloc_misses, 1);
    assert_int_equal(ms->frees_cached, 1);
    assert_int_equal(host_get_lock_stats(e->h, 0, 0)->acquisitions, 1);
    env_free(e);
}

/* ---- stats ---- */

static void cpu_and_lock_stats_add_up_exactly(void **state)
{
    (void)state;
    env *e = env_new(&(env_opts){.with_phb = true});
    host_seg a, b;
    bool bad;
    map1(e, 0, HOST_MAP, 0x1000000, 4096, TCE_READ, T0, &a);    /* 126, kill 7 */
    map1(e, 3, HOST_MAP, 0x2000000, 4096, TCE_READ, T0, &b);    /* waits 62: 188, kill 7 */
    unmap1(e, 0, HOST_MAP, &a, NS(5000), &bad);                 /* 120, kill 7 */
    unmap1(e, 3, HOST_MAP, &b, NS(5000), &bad);
    /* CPU 3's free: clear 2 -> 5102, kill -> 5109, lock 0 released by CPU 0
     * at 5120: waits 11 + 50 = 61, holds 11 -> 5181: busy 181 */
    const host_cpu_stats *c0 = host_get_cpu_stats(e->h, 0), *c3 = host_get_cpu_stats(e->h, 3);
    assert_int_equal(c0->ops, 2);
    assert_int_equal(c0->busy_ps, NS(126 + 120));
    assert_int_equal(c0->lock_wait_ps, 0);
    assert_int_equal(c0->kill_ps, NS(14));
    assert_int_equal(c3->ops, 2);
    assert_int_equal(c3->busy_ps, NS(188 + 181));
    assert_int_equal(c3->lock_wait_ps, NS(62 + 61));
    assert_int_equal(c3->kill_ps, NS(14));
    assert_null(host_get_cpu_stats(e->h, NCPUS));
    const host_lock_stats *ls = host_get_lock_stats(e->h, 0, 0);
    assert_int_equal(ls->acquisitions, 4);
    assert_int_equal(ls->contended, 2);
    assert_int_equal(ls->wait_ps, NS(123));
    assert_int_equal(ls->wait_max_ps, NS(62));
    assert_int_equal(ls->hold_ps, NS(12 + 12 + 11 + 11));
    assert_int_equal(host_lock_count(e->h, 0), 6); /* 4 pools, large, depot */
    assert_null(host_get_lock_stats(e->h, 0, 6));
    assert_int_equal(host_pe_count(e->h), 1);
    assert_null(host_get_mag_stats(e->h, 0));
    env_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(map_page_phb3_costs_lock_search_write_kill_mb),
        cmocka_unit_test(map_page_unaligned_buffer_takes_two_tces),
        cmocka_unit_test(map_page_kills_the_phbs_stale_cached_entry),
        cmocka_unit_test(unmap_clears_tces_outside_the_lock_then_frees),
        cmocka_unit_test(reset_stats_keeps_what_is_mapped),
        cmocka_unit_test(unmapping_twice_is_a_bad_free),
        cmocka_unit_test(same_pool_waits_the_holders_hold_plus_handoff),
        cmocka_unit_test(different_pools_do_not_wait),
        cmocka_unit_test(global_lock_makes_different_pools_contend),
        cmocka_unit_test(phb4_strict_kill_queues_each_page_then_syncs),
        cmocka_unit_test(phb4_escalation_makes_one_pe_kill_per_call),
        cmocka_unit_test(map_sg_builds_each_segment_after_its_allocation_in_kernel_order),
        cmocka_unit_test(unmap_sg_frees_per_output_segment),
        cmocka_unit_test(map_sg_failing_part_way_unwinds_timed_in_kernel_order),
        cmocka_unit_test(alloc_coherent_4k_with_64k_pages_takes_16_tces_from_the_large_pool),
        cmocka_unit_test(lazy_wrap_kills_nothing_until_the_hint_wraps_then_the_pe),
        cmocka_unit_test(flush_queue_defers_kills_and_frees_until_it_is_full),
        cmocka_unit_test(flush_queue_does_not_flush_before_the_timeout),
        cmocka_unit_test(magazine_reuses_a_freed_range_without_a_pool_lock),
        cmocka_unit_test(cpu_and_lock_stats_add_up_exactly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
