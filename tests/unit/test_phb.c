/* The PHB between mocks: real TCE tables in simulated memory (physmem,
 * physalloc, tce_table), and a mock memory interface whose TCE reads take a
 * fixed latency and record their addresses. Every expectation is
 * hand-computed from the timing contract in phb.h / phb.c:
 *   hit:    done = arrival + LOOKUP
 *   miss:   the walk starts at max(arrival + LOOKUP, earliest free fetch
 *           slot); each uncached table level is one read of READ_LAT, in
 *           sequence; done = start + levels * READ_LAT
 *   merged: a lookup before the cached entry's ready time; done = ready
 *   faults: freeze the PE (EEH); its later TLPs are dropped.
 * Geometry used (4 KiB CPU pages, 4 KiB IO pages): every level is 4 KiB,
 * 512 entries (tbl_shift 9); a 1-level table covers 2 MiB, 2 levels 1 GiB,
 * 3 levels 512 GiB. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "common/rng.h"
#include "common/tcesim_err.h"
#include "memory/physalloc.h"
#include "memory/physmem.h"
#include "phb/phb.h"
#include "tce/tce_table.h"
#include "tvt/tve.h"

#define LOOKUP_PS 2000u
#define BYPASS_PS 500u
#define READ_LAT 100000u     /* the mock memory: every TCE read 100 ns */
#define RAM_BYTES (1ull << 34)
#define MAX_READS 64

typedef struct mock_mem {
    unsigned nreads;               /* total, may exceed MAX_READS */
    uint64_t pa[MAX_READS];
    ps_t at[MAX_READS];            /* arrival of each read */
    uint32_t bytes[MAX_READS];
} mock_mem;

static ps_t mock_tce_read(void *ctx, uint64_t pa, uint32_t bytes, ps_t arrival_ps)
{
    mock_mem *m = ctx;
    if (m->nreads < MAX_READS) {
        m->pa[m->nreads] = pa;
        m->at[m->nreads] = arrival_ps;
        m->bytes[m->nreads] = bytes;
    }
    m->nreads++;
    return arrival_ps + READ_LAT;
}

typedef struct env {
    physmem *mem;
    physalloc alloc;
    mock_mem mock;
    phb *p;
} env;

static phb_params default_params(void)
{
    return (phb_params){
        .gen = PHB_GEN3,
        .lookup_ps = LOOKUP_PS,
        .bypass_ps = BYPASS_PS,
        .fetch_slots = 32,
        .line_fill = false,
        .line_bytes = 128,
        .walk_cache_entries = 0,
        .eeh_recovery_ps = 0,
        .cache = {.entries = 64, .ways = 0, .policy = TCE_REPL_LRU, .seed = 1},
    };
}

static env *env_new(const phb_params *pp)
{
    env *e = calloc(1, sizeof(*e));
    assert_non_null(e);
    e->mem = physmem_create();
    assert_non_null(e->mem);
    assert_int_equal(physalloc_init(&e->alloc, RAM_BYTES, 12, 1), TCESIM_OK);
    e->p = phb_create(pp, e->mem, (phb_mem_if){.tce_read = mock_tce_read, .ctx = &e->mock});
    assert_non_null(e->p);
    return e;
}

static void env_free(env *e)
{
    phb_destroy(e->p);
    physmem_destroy(e->mem);
    free(e);
}

/* A table of `levels` levels over `window`, programmed as PE pe's TVE#0 and
 * reached from RID rid. No TCE is set. */
static void make_table(env *e, tce_table *t, uint64_t window, unsigned page_shift,
                       unsigned levels, uint16_t pe, uint16_t rid)
{
    tce_geom g;
    assert_int_equal(tce_geometry(window, page_shift, levels, 12, &g), TCESIM_OK);
    assert_int_equal(tce_table_create(t, e->mem, &e->alloc, &g), TCESIM_OK);
    tve v = tce_table_tve(t);
    uint64_t raw;
    assert_int_equal(tve_encode(PHB_GEN3, &v, &raw), TCESIM_OK);
    assert_int_equal(phb_set_tve(e->p, (unsigned)pe << 1, raw), TCESIM_OK);
    phb_set_rid(e->p, rid, pe);
}

/* Maps IO page `entry` to a recognisable physical page. */
static uint64_t map(tce_table *t, uint64_t entry, uint64_t perm)
{
    uint64_t pa = (0x10000ull + entry) << t->g.page_shift;
    assert_int_equal(tce_table_set(t, entry, pa, perm), TCESIM_OK);
    return pa;
}

static void xlate(env *e, uint16_t rid, uint64_t addr, bool is_write, ps_t t, phb_xlate *x)
{
    phb_translate(e->p, rid, addr, is_write, t, x);
}

#define RID_A 0x0100u   /* 01:00.0 */
#define RID_B 0x0200u   /* 02:00.0 */
#define PE_A 1
#define PE_B 2

/* ---- hit and miss latencies, walk addresses ---- */

static void hit_latency_is_exactly_the_lookup(void **state)
{
    (void)state;
    phb_params pp = default_params();
    env *e = env_new(&pp);
    tce_table t;
    make_table(e, &t, 1ull << 20, 12, 1, PE_A, RID_A);
    uint64_t pa = map(&t, 3, TCE_READ | TCE_WRITE);
    phb_xlate x;
    xlate(e, RID_A, 0x3123, false, 0, &x);
    assert_int_equal(x.kind, PHB_XLATE_MISS);
    xlate(e, RID_A, 0x3040, true, 1000000, &x);
    assert_int_equal(x.kind, PHB_XLATE_HIT);
    assert_int_equal(x.done_ps, 1000000 + LOOKUP_PS);
    assert_int_equal(x.pa, pa | 0x040);
    assert_int_equal(x.pe, PE_A);
    assert_int_equal(x.fetch_ps, 0);
    assert_int_equal(x.slot_wait_ps, 0);
    assert_int_equal(e->mock.nreads, 1); /* the hit read nothing */
    const phb_stats *s = phb_get_stats(e->p);
    assert_int_equal(s->lookups, 2);
    assert_int_equal(s->hits, 1);
    assert_int_equal(s->misses, 1);
    assert_int_equal(phb_get_pe_stats(e->p, PE_A)->hits, 1);
    env_free(e);
}

static void miss_on_one_level_table_costs_lookup_plus_one_read(void **state)
{
    (void)state;
    phb_params pp = default_params();
    env *e = env_new(&pp);
    tce_table t;
    make_table(e, &t, 1ull << 20, 12, 1, PE_A, RID_A);
    uint64_t pa = map(&t, 0x42, TCE_READ);
    phb_xlate x;
    xlate(e, RID_A, 0x42abc, false, 5000, &x);
    assert_int_equal(x.kind, PHB_XLATE_MISS);
    assert_int_equal(x.done_ps, 5000 + LOOKUP_PS + READ_LAT);
    assert_int_equal(x.fetch_ps, READ_LAT);
    assert_int_equal(x.pa, pa | 0xabc);
    assert_int_equal(e->mock.nreads, 1);
    assert_int_equal(e->mock.pa[0], t.top_pa + 0x42 * 8);
    assert_int_equal(e->mock.bytes[0], 8);
    assert_int_equal(e->mock.at[0], 5000 + LOOKUP_PS);
    const phb_stats *s = phb_get_stats(e->p);
    assert_int_equal(s->walks, 1);
    assert_int_equal(s->walk_reads, 1);
    env_free(e);
}

static void miss_on_two_level_table_costs_two_reads_top_then_leaf(void **state)
{
    (void)state;
    phb_params pp = default_params();
    env *e = env_new(&pp);
    tce_table t;
    make_table(e, &t, 1ull << 24, 12, 2, PE_A, RID_A);
    assert_int_equal(t.g.level_shift, 12);
    /* addr 0x00a07000: top index (addr >> 21) & 511 = 5, leaf index
     * (addr >> 12) & 511 = 7 */
    uint64_t entry = 0xa07;
    uint64_t pa = map(&t, entry, TCE_READ | TCE_WRITE);
    uint64_t leaf_base = physmem_read_be64(e->mem, t.top_pa + 5 * 8) & ~0xfffull;
    assert_int_not_equal(leaf_base, 0);
    phb_xlate x;
    xlate(e, RID_A, 0xa07010, true, 0, &x);
    assert_int_equal(x.kind, PHB_XLATE_MISS);
    assert_int_equal(x.done_ps, LOOKUP_PS + 2 * READ_LAT);
    assert_int_equal(x.pa, pa | 0x010);
    assert_int_equal(e->mock.nreads, 2);
    assert_int_equal(e->mock.pa[0], t.top_pa + 5 * 8);
    assert_int_equal(e->mock.pa[1], leaf_base + 7 * 8);
    assert_int_equal(e->mock.pa[1], tce_table_leaf_pa(&t, entry));
    assert_int_equal(e->mock.at[0], LOOKUP_PS);
    assert_int_equal(e->mock.at[1], LOOKUP_PS + READ_LAT); /* in sequence */
    env_free(e);
}

static void miss_on_three_level_table_costs_three_reads(void **state)
{
    (void)state;
    phb_params pp = default_params();
    env *e = env_new(&pp);
    tce_table t;
    make_table(e, &t, 1ull << 32, 12, 3, PE_A, RID_A);
    assert_int_equal(t.g.level_shift, 12); /* ceil(20 / 3) + 3 = 10 -> 12 */
    /* indices: (addr >> 30) & 511 = 3, (addr >> 21) & 511 = 0x703 & 511 =
     * 259, (addr >> 12) & 511 = 3 */
    uint64_t addr = 0xe0603000ull;
    uint64_t entry = addr >> 12;
    uint64_t pa = map(&t, entry, TCE_READ);
    uint64_t mid_base = physmem_read_be64(e->mem, t.top_pa + 3 * 8) & ~0xfffull;
    uint64_t leaf_base = physmem_read_be64(e->mem, mid_base + 259 * 8) & ~0xfffull;
    phb_xlate x;
    xlate(e, RID_A, addr | 0x18, false, 7000, &x);
    assert_int_equal(x.kind, PHB_XLATE_MISS);
    assert_int_equal(x.done_ps, 7000 + LOOKUP_PS + 3 * READ_LAT);
    assert_int_equal(x.pa, pa | 0x18);
    assert_int_equal(e->mock.nreads, 3);
    assert_int_equal(e->mock.pa[0], t.top_pa + 3 * 8);
    assert_int_equal(e->mock.pa[1], mid_base + 259 * 8);
    assert_int_equal(e->mock.pa[2], leaf_base + 3 * 8);
    assert_int_equal(e->mock.pa[2], tce_table_leaf_pa(&t, entry));
    assert_int_equal(e->mock.at[2], 7000 + LOOKUP_PS + 2 * READ_LAT);
    assert_int_equal(phb_get_stats(e->p)->walk_reads, 3);
    env_free(e);
}

/* ---- merging and fetch slots ---- */

static void second_tlp_before_fetch_completes_is_merged_then_hits(void **state)
{
    (void)state;
    phb_params pp = default_params();
    env *e = env_new(&pp);
    tce_table t;
    make_table(e, &t, 1ull << 20, 12, 1, PE_A, RID_A);
    map(&t, 9, TCE_READ);
    phb_xlate x;
    xlate(e, RID_A, 0x9000, false, 0, &x);
    assert_int_equal(x.kind, PHB_XLATE_MISS);
    ps_t ready = LOOKUP_PS + READ_LAT;
    assert_int_equal(x.done_ps, ready);
    xlate(e, RID_A, 0x9040, false, 50000, &x);
    assert_int_equal(x.kind, PHB_XLATE_MERGED);
    assert_int_equal(x.done_ps, ready);
    assert_int_equal(x.fetch_ps, ready - (50000 + LOOKUP_PS));
    assert_int_equal(e->mock.nreads, 1); /* no second fetch */
    xlate(e, RID_A, 0x9080, false, ready, &x);
    assert_int_equal(x.kind, PHB_XLATE_HIT);
    assert_int_equal(x.done_ps, ready + LOOKUP_PS);
    const phb_stats *s = phb_get_stats(e->p);
    assert_int_equal(s->lookups, 3);
    assert_int_equal(s->misses, 2); /* the merged TLP counts as a miss too */
    assert_int_equal(s->merged, 1);
    assert_int_equal(s->hits, 1);
    assert_int_equal(s->walks, 1);
    const phb_pe_stats *ps = phb_get_pe_stats(e->p, PE_A);
    assert_int_equal(ps->misses, 2);
    assert_int_equal(ps->merged, 1);
    env_free(e);
}

static void one_fetch_slot_makes_second_concurrent_miss_wait(void **state)
{
    (void)state;
    phb_params pp = default_params();
    pp.fetch_slots = 1;
    env *e = env_new(&pp);
    tce_table t;
    make_table(e, &t, 1ull << 20, 12, 1, PE_A, RID_A);
    map(&t, 1, TCE_READ);
    map(&t, 2, TCE_READ);
    phb_xlate x;
    xlate(e, RID_A, 0x1000, false, 0, &x);
    assert_int_equal(x.done_ps, LOOKUP_PS + READ_LAT);
    assert_int_equal(x.slot_wait_ps, 0);
    xlate(e, RID_A, 0x2000, false, 1000, &x);
    assert_int_equal(x.kind, PHB_XLATE_MISS);
    /* looked up at 3000, the slot is busy until 102 000 */
    assert_int_equal(x.slot_wait_ps, LOOKUP_PS + READ_LAT - (1000 + LOOKUP_PS));
    assert_int_equal(x.done_ps, LOOKUP_PS + 2 * READ_LAT);
    assert_int_equal(e->mock.at[1], LOOKUP_PS + READ_LAT);
    const phb_stats *s = phb_get_stats(e->p);
    assert_int_equal(s->slot_waits, 1);
    assert_int_equal(s->slot_wait_ps, READ_LAT - 1000);
    env_free(e);
}

static void two_fetch_slots_serve_two_concurrent_misses_at_once(void **state)
{
    (void)state;
    phb_params pp = default_params();
    pp.fetch_slots = 2;
    env *e = env_new(&pp);
    tce_table t;
    make_table(e, &t, 1ull << 20, 12, 1, PE_A, RID_A);
    for (uint64_t i = 1; i <= 3; i++)
        map(&t, i, TCE_READ);
    phb_xlate x;
    xlate(e, RID_A, 0x1000, false, 0, &x);
    xlate(e, RID_A, 0x2000, false, 0, &x);
    assert_int_equal(x.slot_wait_ps, 0);
    assert_int_equal(x.done_ps, LOOKUP_PS + READ_LAT);
    xlate(e, RID_A, 0x3000, false, 0, &x);
    assert_int_equal(x.slot_wait_ps, READ_LAT);
    assert_int_equal(x.done_ps, LOOKUP_PS + 2 * READ_LAT);
    env_free(e);
}

/* ---- bypass ---- */

static void set_bypass(env *e, uint16_t pe, uint64_t start, uint64_t end)
{
    tve v = {.kind = TVE_BYPASS, .start = start, .end = end};
    uint64_t raw;
    assert_int_equal(tve_encode(PHB_GEN3, &v, &raw), TCESIM_OK);
    assert_int_equal(phb_set_tve(e->p, (unsigned)pe << 1 | 1, raw), TCESIM_OK);
}

static void bypass_subtracts_2_to_59_and_is_not_a_lookup(void **state)
{
    (void)state;
    phb_params pp = default_params();
    env *e = env_new(&pp);
    phb_set_rid(e->p, RID_A, PE_A);
    set_bypass(e, PE_A, 0, RAM_BYTES - 1);
    phb_xlate x;
    xlate(e, RID_A, (1ull << 59) + 0x12345678, true, 4000, &x);
    assert_int_equal(x.kind, PHB_XLATE_BYPASS);
    assert_int_equal(x.pa, 0x12345678);
    assert_int_equal(x.done_ps, 4000 + BYPASS_PS);
    xlate(e, RID_A, (1ull << 59) + RAM_BYTES - 8, false, 5000, &x);
    assert_int_equal(x.kind, PHB_XLATE_BYPASS);
    assert_int_equal(x.pa, RAM_BYTES - 8);
    const phb_stats *s = phb_get_stats(e->p);
    assert_int_equal(s->bypass, 2);
    assert_int_equal(s->lookups, 0);
    assert_int_equal(phb_get_pe_stats(e->p, PE_A)->bypass, 2);
    assert_int_equal(e->mock.nreads, 0);
    env_free(e);
}

static void bypass_beyond_its_range_faults_window_and_freezes(void **state)
{
    (void)state;
    phb_params pp = default_params();
    env *e = env_new(&pp);
    phb_set_rid(e->p, RID_A, PE_A);
    set_bypass(e, PE_A, 0, RAM_BYTES - 1);
    phb_xlate x;
    xlate(e, RID_A, (1ull << 59) + RAM_BYTES, false, 4000, &x);
    assert_int_equal(x.kind, PHB_XLATE_FAULT);
    assert_int_equal(x.fault, TCE_FAULT_WINDOW);
    assert_int_equal(x.done_ps, 4000 + BYPASS_PS);
    assert_true(phb_pe_frozen(e->p, PE_A, 4000 + BYPASS_PS));
    const phb_stats *s = phb_get_stats(e->p);
    assert_int_equal(s->faults_by_kind[TCE_FAULT_WINDOW], 1);
    assert_int_equal(s->lookups, 0);
    env_free(e);
}

/* ---- faults and EEH ---- */

/* sim.warmup_ns: phb_reset_stats zeroes the counters (PHB, PE, TCE cache)
 * and nothing else: the cached entry still hits, a frozen PE stays frozen. */
static void reset_stats_keeps_the_cache_and_the_frozen_pe(void **state)
{
    (void)state;
    phb_params pp = default_params();
    env *e = env_new(&pp);
    tce_table t;
    make_table(e, &t, 1ull << 20, 12, 1, PE_A, RID_A);
    map(&t, 3, TCE_READ | TCE_WRITE);
    phb_set_rid(e->p, RID_B, 3); /* no TVE: faults and freezes PE 3 */
    phb_xlate x;
    xlate(e, RID_A, 0x3123, false, 0, &x);
    xlate(e, RID_B, 0x1000, false, 100, &x);
    assert_int_equal(phb_get_stats(e->p)->faults, 1);
    phb_reset_stats(e->p);
    const phb_stats *s = phb_get_stats(e->p);
    assert_int_equal(s->lookups, 0);
    assert_int_equal(s->misses, 0);
    assert_int_equal(s->faults, 0);
    assert_int_equal(s->walks, 0);
    assert_int_equal(phb_get_pe_stats(e->p, PE_A)->lookups, 0);
    assert_int_equal(tce_cache_get_stats(phb_cache(e->p))->inserts, 0);
    xlate(e, RID_A, 0x3040, false, 1000000, &x);
    assert_int_equal(x.kind, PHB_XLATE_HIT); /* the entry stayed */
    xlate(e, RID_B, 0x2000, false, 1000000, &x);
    assert_int_equal(x.kind, PHB_XLATE_DROPPED); /* still frozen */
    assert_int_equal(s->lookups, 1);
    assert_int_equal(s->hits, 1);
    assert_int_equal(s->dropped, 1);
    assert_int_equal(phb_get_pe_stats(e->p, PE_A)->hits, 1);
    env_free(e);
}

static void pe_without_tve_faults_invalid_tve_and_later_tlps_drop(void **state)
{
    (void)state;
    phb_params pp = default_params();
    env *e = env_new(&pp);
    phb_set_rid(e->p, RID_A, 3);
    phb_xlate x;
    xlate(e, RID_A, 0x1000, false, 100, &x);
    assert_int_equal(x.kind, PHB_XLATE_FAULT);
    assert_int_equal(x.fault, TCE_FAULT_INVALID_TVE);
    assert_int_equal(x.pe, 3);
    assert_int_equal(x.done_ps, 100 + LOOKUP_PS);
    assert_true(phb_pe_frozen(e->p, 3, 100 + LOOKUP_PS));
    assert_true(phb_pe_frozen(e->p, 3, PS_NEVER - 1)); /* no recovery configured */
    xlate(e, RID_A, 0x2000, false, 1000000, &x);
    assert_int_equal(x.kind, PHB_XLATE_DROPPED);
    assert_int_equal(x.done_ps, 1000000);
    const phb_stats *s = phb_get_stats(e->p);
    assert_int_equal(s->lookups, 1); /* the dropped TLP is not a lookup */
    assert_int_equal(s->dropped, 1);
    assert_int_equal(s->faults, 1);
    assert_int_equal(s->faults_by_kind[TCE_FAULT_INVALID_TVE], 1);
    assert_int_equal(s->freezes, 1);
    const phb_pe_stats *ps = phb_get_pe_stats(e->p, 3);
    assert_int_equal(ps->faults, 1);
    assert_int_equal(ps->dropped, 1);
    assert_int_equal(ps->freezes, 1);
    assert_int_equal(ps->lookups, 1);
    env_free(e);
}

static void missing_lower_level_faults_invalid_indirect_after_one_read(void **state)
{
    (void)state;
    phb_params pp = default_params();
    env *e = env_new(&pp);
    tce_table t;
    make_table(e, &t, 1ull << 24, 12, 2, PE_A, RID_A);
    map(&t, 0, TCE_READ); /* allocates the lower level of top index 0 only */
    phb_xlate x;
    /* top index (0x200000 >> 21) & 511 = 1: zero */
    xlate(e, RID_A, 0x200000, false, 0, &x);
    assert_int_equal(x.kind, PHB_XLATE_FAULT);
    assert_int_equal(x.fault, TCE_FAULT_INDIRECT);
    assert_int_equal(x.done_ps, LOOKUP_PS + READ_LAT);
    assert_int_equal(e->mock.nreads, 1);
    assert_int_equal(e->mock.pa[0], t.top_pa + 1 * 8);
    assert_true(phb_pe_frozen(e->p, PE_A, LOOKUP_PS + READ_LAT));
    xlate(e, RID_A, 0x0, false, 1000000, &x);
    assert_int_equal(x.kind, PHB_XLATE_DROPPED);
    assert_int_equal(phb_get_stats(e->p)->faults_by_kind[TCE_FAULT_INDIRECT], 1);
    env_free(e);
}

static void write_through_read_only_tce_faults_read_does_not(void **state)
{
    (void)state;
    phb_params pp = default_params();
    env *e = env_new(&pp);
    tce_table ta, tb;
    make_table(e, &ta, 1ull << 20, 12, 1, PE_A, RID_A);
    make_table(e, &tb, 1ull << 20, 12, 1, PE_B, RID_B);
    uint64_t pa = map(&ta, 4, TCE_READ);
    map(&tb, 4, TCE_READ);
    phb_xlate x;
    /* PE A: a read misses and translates; a write then hits the cached
     * entry and faults at lookup time */
    xlate(e, RID_A, 0x4000, false, 0, &x);
    assert_int_equal(x.kind, PHB_XLATE_MISS);
    assert_int_equal(x.pa, pa);
    xlate(e, RID_A, 0x4000, true, 1000000, &x);
    assert_int_equal(x.kind, PHB_XLATE_FAULT);
    assert_int_equal(x.fault, TCE_FAULT_PERM);
    assert_int_equal(x.done_ps, 1000000 + LOOKUP_PS);
    assert_true(phb_pe_frozen(e->p, PE_A, 1000000 + LOOKUP_PS));
    /* PE B: a write misses, walks, and faults when the TCE is back */
    xlate(e, RID_B, 0x4000, true, 2000000, &x);
    assert_int_equal(x.kind, PHB_XLATE_FAULT);
    assert_int_equal(x.fault, TCE_FAULT_PERM);
    assert_int_equal(x.done_ps, 2000000 + LOOKUP_PS + READ_LAT);
    assert_true(phb_pe_frozen(e->p, PE_B, 2000000 + LOOKUP_PS + READ_LAT));
    const phb_stats *s = phb_get_stats(e->p);
    assert_int_equal(s->faults_by_kind[TCE_FAULT_PERM], 2);
    assert_int_equal(s->freezes, 2);
    env_free(e);
}

static void address_beyond_window_faults_without_a_read(void **state)
{
    (void)state;
    phb_params pp = default_params();
    env *e = env_new(&pp);
    tce_table t;
    make_table(e, &t, 1ull << 20, 12, 1, PE_A, RID_A);
    const tve *v = phb_get_tve(e->p, PE_A << 1);
    assert_int_equal(tve_window_bytes(v), 1ull << 21); /* a 4 KiB level: 512 pages */
    phb_xlate x;
    xlate(e, RID_A, 1ull << 21, false, 300, &x);
    assert_int_equal(x.kind, PHB_XLATE_FAULT);
    assert_int_equal(x.fault, TCE_FAULT_WINDOW);
    assert_int_equal(x.done_ps, 300 + LOOKUP_PS);
    assert_int_equal(e->mock.nreads, 0);
    assert_true(phb_pe_frozen(e->p, PE_A, 300 + LOOKUP_PS));
    assert_int_equal(phb_get_stats(e->p)->faults_by_kind[TCE_FAULT_WINDOW], 1);
    env_free(e);
}

static void eeh_recovery_lets_tlps_translate_again(void **state)
{
    (void)state;
    const ps_t recovery = 10000000;
    phb_params pp = default_params();
    pp.eeh_recovery_ps = recovery;
    env *e = env_new(&pp);
    tce_table t;
    make_table(e, &t, 1ull << 20, 12, 1, PE_A, RID_A);
    map(&t, 1, TCE_READ);
    phb_xlate x;
    xlate(e, RID_A, 1ull << 21, false, 0, &x); /* out of window */
    assert_int_equal(x.kind, PHB_XLATE_FAULT);
    ps_t thaw = LOOKUP_PS + recovery;
    xlate(e, RID_A, 0x1000, false, thaw - 1, &x);
    assert_int_equal(x.kind, PHB_XLATE_DROPPED);
    assert_false(phb_pe_frozen(e->p, PE_A, thaw));
    xlate(e, RID_A, 0x1000, false, thaw, &x);
    assert_int_equal(x.kind, PHB_XLATE_MISS);
    assert_int_equal(x.done_ps, thaw + LOOKUP_PS + READ_LAT);
    const phb_stats *s = phb_get_stats(e->p);
    assert_int_equal(s->dropped, 1);
    assert_int_equal(s->freezes, 1);
    env_free(e);
}

/* ---- RID -> PE ---- */

static void unknown_rid_lands_on_reserved_pe_and_faults(void **state)
{
    (void)state;
    phb_params pp = default_params();
    env *e = env_new(&pp);
    tce_table t;
    make_table(e, &t, 1ull << 20, 12, 1, PE_A, RID_A);
    map(&t, 0, TCE_READ);
    assert_int_equal(phb_pe_count(e->p), 256);
    assert_int_equal(phb_reserved_pe(e->p), 255);
    assert_int_equal(phb_pe_of_rid(e->p, 0x0300), 255);
    assert_int_equal(phb_pe_of_rid(e->p, RID_A), PE_A);
    phb_xlate x;
    xlate(e, 0x0300, 0x0, false, 0, &x);
    assert_int_equal(x.pe, 255);
    assert_int_equal(x.kind, PHB_XLATE_FAULT);
    assert_int_equal(x.fault, TCE_FAULT_INVALID_TVE);
    assert_true(phb_pe_frozen(e->p, 255, LOOKUP_PS));
    /* the mapped device is not affected */
    xlate(e, RID_A, 0x0, false, 0, &x);
    assert_int_equal(x.kind, PHB_XLATE_MISS);
    env_free(e);
}

/* ---- kills ---- */

static void kill_page_makes_the_next_access_miss(void **state)
{
    (void)state;
    phb_params pp = default_params();
    env *e = env_new(&pp);
    tce_table t;
    make_table(e, &t, 1ull << 20, 12, 1, PE_A, RID_A);
    map(&t, 1, TCE_READ);
    map(&t, 2, TCE_READ);
    phb_xlate x;
    xlate(e, RID_A, 0x1000, false, 0, &x);
    xlate(e, RID_A, 0x2000, false, 1000000, &x);
    phb_kill_page(e->p, PE_A, 0x1000);
    xlate(e, RID_A, 0x1000, false, 2000000, &x);
    assert_int_equal(x.kind, PHB_XLATE_MISS);
    assert_int_equal(x.done_ps, 2000000 + LOOKUP_PS + READ_LAT);
    xlate(e, RID_A, 0x2000, false, 3000000, &x);
    assert_int_equal(x.kind, PHB_XLATE_HIT); /* the other page stays */
    assert_int_equal(phb_get_stats(e->p)->kills_page, 1);
    env_free(e);
}

static void kill_pe_drops_only_that_pe(void **state)
{
    (void)state;
    phb_params pp = default_params();
    env *e = env_new(&pp);
    tce_table ta, tb;
    make_table(e, &ta, 1ull << 20, 12, 1, PE_A, RID_A);
    make_table(e, &tb, 1ull << 20, 12, 1, PE_B, RID_B);
    map(&ta, 1, TCE_READ);
    map(&ta, 2, TCE_READ);
    map(&tb, 1, TCE_READ);
    phb_xlate x;
    xlate(e, RID_A, 0x1000, false, 0, &x);
    xlate(e, RID_A, 0x2000, false, 0, &x);
    xlate(e, RID_B, 0x1000, false, 0, &x);
    phb_kill_pe(e->p, PE_A);
    xlate(e, RID_A, 0x1000, false, 1000000, &x);
    assert_int_equal(x.kind, PHB_XLATE_MISS);
    xlate(e, RID_A, 0x2000, false, 1000000, &x);
    assert_int_equal(x.kind, PHB_XLATE_MISS);
    xlate(e, RID_B, 0x1000, false, 1000000, &x);
    assert_int_equal(x.kind, PHB_XLATE_HIT);
    assert_int_equal(phb_get_stats(e->p)->kills_pe, 1);
    env_free(e);
}

static void kill_all_empties_the_cache(void **state)
{
    (void)state;
    phb_params pp = default_params();
    env *e = env_new(&pp);
    tce_table ta, tb;
    make_table(e, &ta, 1ull << 20, 12, 1, PE_A, RID_A);
    make_table(e, &tb, 1ull << 20, 12, 1, PE_B, RID_B);
    map(&ta, 1, TCE_READ);
    map(&tb, 1, TCE_READ);
    phb_xlate x;
    xlate(e, RID_A, 0x1000, false, 0, &x);
    xlate(e, RID_B, 0x1000, false, 0, &x);
    assert_int_equal(tce_cache_valid_entries(phb_cache(e->p)), 2);
    phb_kill_all(e->p);
    assert_int_equal(tce_cache_valid_entries(phb_cache(e->p)), 0);
    xlate(e, RID_A, 0x1000, false, 1000000, &x);
    assert_int_equal(x.kind, PHB_XLATE_MISS);
    xlate(e, RID_B, 0x1000, false, 1000000, &x);
    assert_int_equal(x.kind, PHB_XLATE_MISS);
    const phb_stats *s = phb_get_stats(e->p);
    assert_int_equal(s->kills_all, 1);
    assert_int_equal(s->kills_page + s->kills_pe, 0);
    env_free(e);
}

/* ---- line fill ---- */

static void line_fill_off_by_default_neighbour_misses(void **state)
{
    (void)state;
    phb_params pp = default_params();
    env *e = env_new(&pp);
    tce_table t;
    make_table(e, &t, 1ull << 20, 12, 1, PE_A, RID_A);
    for (uint64_t i = 0; i < 16; i++)
        map(&t, i, TCE_READ);
    phb_xlate x;
    xlate(e, RID_A, 0x5000, false, 0, &x);
    xlate(e, RID_A, 0x6000, false, 1000000, &x);
    assert_int_equal(x.kind, PHB_XLATE_MISS);
    assert_int_equal(phb_get_stats(e->p)->line_fill_inserts, 0);
    env_free(e);
}

static void line_fill_keeps_valid_neighbours_of_the_128_byte_line(void **state)
{
    (void)state;
    phb_params pp = default_params();
    pp.line_fill = true;
    env *e = env_new(&pp);
    tce_table t;
    make_table(e, &t, 1ull << 20, 12, 1, PE_A, RID_A);
    /* line of pages 16..31; pages 16..27 valid, 28..31 not; 32 valid but in
     * the next line */
    for (uint64_t i = 16; i < 28; i++)
        map(&t, i, TCE_READ);
    map(&t, 32, TCE_READ);
    map(&t, 33, TCE_READ);
    phb_xlate x;
    xlate(e, RID_A, 20 << 12, false, 0, &x);
    assert_int_equal(x.kind, PHB_XLATE_MISS);
    assert_int_equal(phb_get_stats(e->p)->line_fill_inserts, 11);
    for (uint64_t i = 16; i < 28; i++) {
        xlate(e, RID_A, i << 12, false, 1000000 + i, &x);
        assert_int_equal(x.kind, PHB_XLATE_HIT);
        assert_int_equal(x.pa, (0x10000ull + i) << 12);
    }
    xlate(e, RID_A, 32 << 12, false, 2000000, &x);
    assert_int_equal(x.kind, PHB_XLATE_MISS);
    /* a neighbour looked up before the line is back joins its fetch */
    xlate(e, RID_A, 33 << 12, false, 2000000 + 1000, &x);
    assert_int_equal(x.kind, PHB_XLATE_MERGED);
    assert_int_equal(x.done_ps, 2000000 + LOOKUP_PS + READ_LAT);
    env_free(e);
}

/* A neighbour already cached (and ready) must stay a hit when a later
 * fetch of its line refreshes it: the refresh must not push its ready time
 * to the new fetch's. */
static void line_fill_does_not_delay_neighbours_already_cached(void **state)
{
    (void)state;
    phb_params pp = default_params();
    pp.line_fill = true;
    env *e = env_new(&pp);
    tce_table t;
    make_table(e, &t, 1ull << 20, 12, 1, PE_A, RID_A);
    for (uint64_t i = 0; i < 16; i++)
        map(&t, i, TCE_READ);
    phb_xlate x;
    xlate(e, RID_A, 0x5000, false, 0, &x); /* the line: ready at 102 000 */
    phb_kill_page(e->p, PE_A, 0x5000);
    xlate(e, RID_A, 0x5000, false, 1000000, &x); /* fetched again */
    assert_int_equal(x.kind, PHB_XLATE_MISS);
    xlate(e, RID_A, 0x6000, false, 1000000 + 1000, &x);
    assert_int_equal(x.kind, PHB_XLATE_HIT);
    assert_int_equal(x.done_ps, 1000000 + 1000 + LOOKUP_PS);
    env_free(e);
}

/* ---- walk cache ---- */

static void walk_cache_skips_the_cached_upper_level(void **state)
{
    (void)state;
    phb_params pp = default_params();
    pp.walk_cache_entries = 16;
    env *e = env_new(&pp);
    tce_table t;
    make_table(e, &t, 1ull << 24, 12, 2, PE_A, RID_A);
    map(&t, 0x200, TCE_READ); /* top index 1, leaf index 0 */
    map(&t, 0x201, TCE_READ); /* top index 1, leaf index 1 */
    map(&t, 0x400, TCE_READ); /* top index 2 */
    phb_xlate x;
    xlate(e, RID_A, 0x200000, false, 0, &x);
    assert_int_equal(x.done_ps, LOOKUP_PS + 2 * READ_LAT);
    xlate(e, RID_A, 0x201000, false, 1000000, &x);
    assert_int_equal(x.kind, PHB_XLATE_MISS);
    assert_int_equal(x.done_ps, 1000000 + LOOKUP_PS + READ_LAT);
    assert_int_equal(e->mock.nreads, 3);
    assert_int_equal(e->mock.pa[2], tce_table_leaf_pa(&t, 0x201));
    /* another upper-level range still walks both levels */
    xlate(e, RID_A, 0x400000, false, 2000000, &x);
    assert_int_equal(x.done_ps, 2000000 + LOOKUP_PS + 2 * READ_LAT);
    const phb_stats *s = phb_get_stats(e->p);
    assert_int_equal(s->walk_cache_hits, 1);
    assert_int_equal(s->walk_reads, 5);
    /* kill_pe empties the walk cache too */
    phb_kill_pe(e->p, PE_A);
    xlate(e, RID_A, 0x200000, false, 3000000, &x);
    assert_int_equal(x.done_ps, 3000000 + LOOKUP_PS + 2 * READ_LAT);
    env_free(e);
}

static void walk_cache_off_costs_every_level(void **state)
{
    (void)state;
    phb_params pp = default_params();
    env *e = env_new(&pp);
    tce_table t;
    make_table(e, &t, 1ull << 24, 12, 2, PE_A, RID_A);
    map(&t, 0x200, TCE_READ);
    map(&t, 0x201, TCE_READ);
    phb_xlate x;
    xlate(e, RID_A, 0x200000, false, 0, &x);
    xlate(e, RID_A, 0x201000, false, 1000000, &x);
    assert_int_equal(x.done_ps, 1000000 + LOOKUP_PS + 2 * READ_LAT);
    assert_int_equal(phb_get_stats(e->p)->walk_cache_hits, 0);
    env_free(e);
}

/* ---- parameters ---- */

static void create_rejects_bad_parameters(void **state)
{
    (void)state;
    physmem *m = physmem_create();
    mock_mem mock = {0};
    phb_mem_if mi = {.tce_read = mock_tce_read, .ctx = &mock};
    phb_params pp = default_params();
    pp.fetch_slots = 0;
    assert_null(phb_create(&pp, m, mi));
    pp.fetch_slots = PHB_MAX_FETCH_SLOTS + 1;
    assert_null(phb_create(&pp, m, mi));
    pp = default_params();
    pp.line_fill = true;
    pp.line_bytes = 96;
    assert_null(phb_create(&pp, m, mi));
    pp = default_params();
    pp.cache.entries = 0;
    assert_null(phb_create(&pp, m, mi));
    pp = default_params();
    assert_null(phb_create(&pp, NULL, mi));
    assert_null(phb_create(&pp, m, (phb_mem_if){0}));
    phb *p = phb_create(&pp, m, mi);
    assert_non_null(p);
    assert_int_equal(phb_set_tve(p, 2 * 256, 0), TCESIM_EINVAL);
    assert_null(phb_get_tve(p, 2 * 256));
    phb_destroy(p);
    phb_destroy(NULL);
    physmem_destroy(m);
}

/* ---- THE ACCEPTANCE TEST ----
 * Uniform random aligned 64-byte reads over a window of W bytes of P-byte
 * TCE pages, N = W / P pages, through a fully associative LRU cache of E
 * entries: under independent uniform references every page is equally
 * likely to be cached, so the hit rate is min(1, E / N) = min(1, E*P/W)
 * (the independent reference model). Arrivals 1 us apart (a miss takes
 * 102 ns): nothing merges. A warm-up pass is not counted. */

typedef struct accept_point {
    uint32_t entries;
    unsigned page_shift;
    uint64_t window;
} accept_point;

static void random_reads_hit_rate_is_entries_times_page_over_window(void **state)
{
    (void)state;
    static const accept_point pts[] = {
        {64, 12, 1ull << 20},    /* 64 / 256   = 0.25 */
        {64, 12, 1ull << 18},    /* 64 / 64    = 1.0 */
        {64, 16, 1ull << 24},    /* 64 / 256   = 0.25 */
        {512, 12, 1ull << 22},   /* 512 / 1024 = 0.5 */
        {1024, 16, 1ull << 28},  /* 1024 / 4096 = 0.25 */
    };
    const uint64_t warmup = 30000, measured = 200000;
    for (unsigned k = 0; k < sizeof pts / sizeof pts[0]; k++) {
        const accept_point *pt = &pts[k];
        phb_params pp = default_params();
        pp.cache.entries = pt->entries;
        env *e = env_new(&pp);
        tce_table t;
        make_table(e, &t, pt->window, pt->page_shift, 1, PE_A, RID_A);
        uint64_t npages = pt->window >> pt->page_shift;
        for (uint64_t i = 0; i < npages; i++)
            map(&t, i, TCE_READ | TCE_WRITE);
        rng r;
        rng_seed(&r, 42 + k, 0);
        ps_t now = 0;
        phb_xlate x;
        for (uint64_t i = 0; i < warmup; i++) {
            xlate(e, RID_A, rng_below(&r, pt->window / 64) * 64, false, now += 1000000, &x);
            assert_true(x.kind == PHB_XLATE_HIT || x.kind == PHB_XLATE_MISS);
        }
        phb_stats before = *phb_get_stats(e->p);
        for (uint64_t i = 0; i < measured; i++) {
            xlate(e, RID_A, rng_below(&r, pt->window / 64) * 64, false, now += 1000000, &x);
            if (x.kind != PHB_XLATE_HIT && x.kind != PHB_XLATE_MISS)
                fail_msg("point %u access %llu: kind %d", k, (unsigned long long)i, (int)x.kind);
        }
        const phb_stats *s = phb_get_stats(e->p);
        assert_int_equal(s->lookups - before.lookups, measured);
        assert_int_equal(s->merged, 0);
        assert_int_equal(s->faults, 0);
        double hit = (double)(s->hits - before.hits) / (double)measured;
        double want = (double)pt->entries / (double)npages;
        if (want > 1.0)
            want = 1.0;
        print_message("E=%u P=2^%u W=2^%d: hit rate %.4f, model %.4f\n", pt->entries,
                      pt->page_shift, __builtin_ctzll(pt->window), hit, want);
        if (hit < want - 0.02 || hit > want + 0.02)
            fail_msg("E=%u P=2^%u W=%llu: hit rate %.4f, want %.4f +- 0.02", pt->entries,
                     pt->page_shift, (unsigned long long)pt->window, hit, want);
        env_free(e);
    }
}


/* ---- timing edges: lookups finishing as the TCE arrives; freezes with a
 * start as well as an end ---- */

static void tce_arriving_during_the_lookup_is_a_hit(void **state)
{
    (void)state;
    phb_params pp = default_params();
    env *e = env_new(&pp);
    tce_table t;
    make_table(e, &t, 1ull << 20, 12, 1, PE_A, RID_A);
    map(&t, 3, TCE_READ);
    phb_xlate x;
    xlate(e, RID_A, 0x3000, false, 0, &x);       /* ready at LOOKUP + READ_LAT */
    assert_int_equal(x.kind, PHB_XLATE_MISS);
    /* arrives LOOKUP/2 before the TCE does: its lookup ends after it */
    ps_t t2 = x.done_ps - LOOKUP_PS / 2;
    xlate(e, RID_A, 0x3040, false, t2, &x);
    assert_int_equal(x.kind, PHB_XLATE_HIT);
    assert_int_equal(x.done_ps, t2 + LOOKUP_PS);
    /* arrives a whole lookup before: merged, done when the TCE is back */
    xlate(e, RID_A, 0x3080, false, LOOKUP_PS + READ_LAT - LOOKUP_PS - 1, &x);
    assert_int_equal(x.kind, PHB_XLATE_MERGED);
    assert_int_equal(x.done_ps, LOOKUP_PS + READ_LAT);
    env_free(e);
}

static void tlp_from_before_a_fault_is_not_dropped_when_it_arrives_late(void **state)
{
    (void)state;
    phb_params pp = default_params();
    env *e = env_new(&pp);
    tce_table t;
    make_table(e, &t, 1ull << 20, 12, 1, PE_A, RID_A);
    map(&t, 1, TCE_READ);
    map(&t, 2, TCE_READ);
    phb_xlate x;
    xlate(e, RID_A, 0x1000, true, 1000000, &x);   /* write to READ-only: fault */
    assert_int_equal(x.kind, PHB_XLATE_FAULT);
    ps_t fault_at = x.done_ps;
    /* a TLP from before the fault, modelled after it (temporal decoupling) */
    xlate(e, RID_A, 0x2000, false, 10000, &x);
    assert_int_not_equal(x.kind, PHB_XLATE_DROPPED);
    assert_false(phb_pe_frozen(e->p, PE_A, fault_at - 1));
    assert_true(phb_pe_frozen(e->p, PE_A, fault_at));
    xlate(e, RID_A, 0x2000, false, fault_at + 1, &x);
    assert_int_equal(x.kind, PHB_XLATE_DROPPED);
    assert_int_equal(phb_get_stats(e->p)->freezes, 1);
    env_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hit_latency_is_exactly_the_lookup),
        cmocka_unit_test(reset_stats_keeps_the_cache_and_the_frozen_pe),
        cmocka_unit_test(miss_on_one_level_table_costs_lookup_plus_one_read),
        cmocka_unit_test(miss_on_two_level_table_costs_two_reads_top_then_leaf),
        cmocka_unit_test(miss_on_three_level_table_costs_three_reads),
        cmocka_unit_test(second_tlp_before_fetch_completes_is_merged_then_hits),
        cmocka_unit_test(one_fetch_slot_makes_second_concurrent_miss_wait),
        cmocka_unit_test(two_fetch_slots_serve_two_concurrent_misses_at_once),
        cmocka_unit_test(bypass_subtracts_2_to_59_and_is_not_a_lookup),
        cmocka_unit_test(bypass_beyond_its_range_faults_window_and_freezes),
        cmocka_unit_test(pe_without_tve_faults_invalid_tve_and_later_tlps_drop),
        cmocka_unit_test(missing_lower_level_faults_invalid_indirect_after_one_read),
        cmocka_unit_test(write_through_read_only_tce_faults_read_does_not),
        cmocka_unit_test(address_beyond_window_faults_without_a_read),
        cmocka_unit_test(eeh_recovery_lets_tlps_translate_again),
        cmocka_unit_test(unknown_rid_lands_on_reserved_pe_and_faults),
        cmocka_unit_test(kill_page_makes_the_next_access_miss),
        cmocka_unit_test(kill_pe_drops_only_that_pe),
        cmocka_unit_test(kill_all_empties_the_cache),
        cmocka_unit_test(line_fill_off_by_default_neighbour_misses),
        cmocka_unit_test(line_fill_keeps_valid_neighbours_of_the_128_byte_line),
        cmocka_unit_test(line_fill_does_not_delay_neighbours_already_cached),
        cmocka_unit_test(walk_cache_skips_the_cached_upper_level),
        cmocka_unit_test(walk_cache_off_costs_every_level),
        cmocka_unit_test(create_rejects_bad_parameters),
        cmocka_unit_test(random_reads_hit_rate_is_entries_times_page_over_window),
        cmocka_unit_test(tce_arriving_during_the_lookup_is_a_hit),
        cmocka_unit_test(tlp_from_before_a_fault_is_not_dropped_when_it_arrives_late),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
