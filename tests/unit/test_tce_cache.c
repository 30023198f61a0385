/* TCE cache: replacement sequences per policy and geometry, timing-aware
 * lookups (HIT / MERGED / MISS), invalidation and counters, parameter
 * checks, and the LRU hit rate under uniform random access. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/rng.h"
#include "common/tcesim_err.h"
#include "tce_cache/tce_cache.h"

static tce_cache *mk(uint32_t entries, uint32_t ways, tce_repl policy, uint64_t seed)
{
    tce_cache_params p = {.entries = entries, .ways = ways, .policy = policy, .seed = seed};
    tce_cache *c = tce_cache_create(&p);
    assert_non_null(c);
    return c;
}

static void ins(tce_cache *c, uint64_t page)
{
    tce_cache_insert(c, 0, page, (page << 12) | 3, 0);
}

static tce_lookup_kind look(tce_cache *c, uint64_t page, ps_t now)
{
    tce_lookup r;
    tce_cache_lookup(c, 0, page, now, &r);
    return r.kind;
}

static void assert_holds(const tce_cache *c, const uint64_t *pages, size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_true(tce_cache_contains(c, 0, pages[i]));
}

static void assert_lacks(const tce_cache *c, const uint64_t *pages, size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_false(tce_cache_contains(c, 0, pages[i]));
}

#define HOLDS(c, ...) do { const uint64_t p_[] = {__VA_ARGS__}; \
    assert_holds(c, p_, sizeof(p_) / sizeof(p_[0])); } while (0)
#define LACKS(c, ...) do { const uint64_t p_[] = {__VA_ARGS__}; \
    assert_lacks(c, p_, sizeof(p_) / sizeof(p_[0])); } while (0)

/* ---- LRU ---- */

static void lru_fully_assoc_evicts_least_recently_used(void **state)
{
    tce_cache *c = mk(4, 0, TCE_REPL_LRU, 0);
    for (uint64_t p = 0; p < 4; p++)
        ins(c, p);
    assert_int_equal(look(c, 0, 0), TCE_LOOKUP_HIT); /* order now 0 3 2 1 */
    ins(c, 4);                                       /* evicts 1 */
    LACKS(c, 1);
    HOLDS(c, 0, 2, 3, 4);
    assert_int_equal(look(c, 2, 0), TCE_LOOKUP_HIT); /* order 2 4 0 3 */
    ins(c, 5);                                       /* evicts 3 */
    LACKS(c, 1, 3);
    HOLDS(c, 0, 2, 4, 5);
    assert_int_equal(look(c, 1, 0), TCE_LOOKUP_MISS);
    ins(c, 1);                                       /* evicts 0 */
    LACKS(c, 0, 3);
    HOLDS(c, 1, 2, 4, 5);
    const tce_cache_stats *st = tce_cache_get_stats(c);
    assert_int_equal(st->evictions, 3);
    assert_int_equal(st->inserts, 7);
    assert_int_equal(st->lookups, 3);
    assert_int_equal(st->hits, 2);
    assert_int_equal(st->misses, 1);
    assert_int_equal(tce_cache_valid_entries(c), 4);
    tce_cache_destroy(c);
}

static void lru_direct_mapped_conflicts_only_within_a_set(void **state)
{
    tce_cache *c = mk(4, 1, TCE_REPL_LRU, 0);
    ins(c, 0);
    ins(c, 1);
    ins(c, 4); /* same set as 0 */
    assert_int_equal(look(c, 0, 0), TCE_LOOKUP_MISS);
    assert_int_equal(look(c, 4, 0), TCE_LOOKUP_HIT);
    assert_int_equal(look(c, 1, 0), TCE_LOOKUP_HIT);
    assert_int_equal(tce_cache_get_stats(c)->evictions, 1);
    assert_int_equal(tce_cache_valid_entries(c), 2);
    tce_cache_destroy(c);
}

static void lru_two_way_evicts_lru_of_the_set(void **state)
{
    tce_cache *c = mk(8, 2, TCE_REPL_LRU, 0); /* 4 sets: page & 3 */
    ins(c, 0);
    ins(c, 4);
    ins(c, 1);
    ins(c, 5);
    assert_int_equal(look(c, 0, 0), TCE_LOOKUP_HIT);
    ins(c, 8); /* set 0: evicts 4 */
    LACKS(c, 4);
    HOLDS(c, 0, 8, 1, 5);
    ins(c, 12); /* set 0: evicts 0 */
    LACKS(c, 0, 4);
    HOLDS(c, 8, 12, 1, 5);
    assert_int_equal(tce_cache_get_stats(c)->evictions, 2);
    tce_cache_destroy(c);
}

static void consecutive_pages_spread_over_all_sets(void **state)
{
    tce_cache *dm = mk(64, 1, TCE_REPL_LRU, 0);
    for (uint64_t p = 1000; p < 1064; p++)
        tce_cache_insert(dm, 7, p, p, 0);
    assert_int_equal(tce_cache_get_stats(dm)->evictions, 0);
    assert_int_equal(tce_cache_valid_entries(dm), 64);
    tce_cache_destroy(dm);

    tce_cache *odd = mk(12, 4, TCE_REPL_LRU, 0); /* 3 sets: not a power of 2 */
    for (uint64_t p = 0; p < 12; p++)
        ins(odd, p);
    assert_int_equal(tce_cache_get_stats(odd)->evictions, 0);
    assert_int_equal(tce_cache_valid_entries(odd), 12);
    tce_cache_destroy(odd);
}

static void refresh_updates_tce_and_touches_entry(void **state)
{
    tce_cache *c = mk(2, 0, TCE_REPL_LRU, 0);
    ins(c, 0);
    ins(c, 1);
    tce_cache_insert(c, 0, 0, 0xabc000, 0); /* refresh: 0 becomes MRU */
    ins(c, 2);                              /* evicts 1 */
    LACKS(c, 1);
    HOLDS(c, 0, 2);
    tce_lookup r;
    tce_cache_lookup(c, 0, 0, 0, &r);
    assert_int_equal(r.kind, TCE_LOOKUP_HIT);
    assert_int_equal(r.tce, 0xabc000);
    assert_int_equal(tce_cache_get_stats(c)->inserts, 4);
    assert_int_equal(tce_cache_get_stats(c)->evictions, 1);
    tce_cache_destroy(c);
}

/* ---- round-robin ---- */

static void rr_fully_assoc_cycles_through_ways_ignoring_use(void **state)
{
    tce_cache *c = mk(4, 0, TCE_REPL_RR, 0);
    for (uint64_t p = 0; p < 4; p++)
        ins(c, p);
    assert_int_equal(look(c, 0, 0), TCE_LOOKUP_HIT); /* no effect on RR */
    ins(c, 4); /* way 0: evicts 0 */
    LACKS(c, 0);
    ins(c, 5); /* way 1: evicts 1 */
    LACKS(c, 0, 1);
    ins(c, 6); /* way 2 */
    ins(c, 7); /* way 3 */
    LACKS(c, 0, 1, 2, 3);
    ins(c, 8); /* wraps to way 0: evicts 4 */
    LACKS(c, 4);
    HOLDS(c, 5, 6, 7, 8);
    assert_int_equal(tce_cache_get_stats(c)->evictions, 5);
    tce_cache_destroy(c);
}

static void rr_two_way_pointer_is_per_set(void **state)
{
    tce_cache *c = mk(8, 2, TCE_REPL_RR, 0);
    ins(c, 0);
    ins(c, 4);
    ins(c, 1);
    ins(c, 5);
    ins(c, 8);  /* set 0 way 0: evicts 0 */
    LACKS(c, 0);
    HOLDS(c, 4, 8, 1, 5);
    ins(c, 9);  /* set 1 way 0: evicts 1, set 0's pointer unaffected */
    LACKS(c, 1);
    HOLDS(c, 5, 9);
    ins(c, 12); /* set 0 way 1: evicts 4 */
    LACKS(c, 4);
    HOLDS(c, 8, 12);
    ins(c, 16); /* set 0 way 0 again: evicts 8 */
    LACKS(c, 8);
    HOLDS(c, 12, 16);
    assert_int_equal(tce_cache_get_stats(c)->evictions, 4);
    tce_cache_destroy(c);
}

static void direct_mapped_victim_is_the_only_way_for_every_policy(void **state)
{
    for (int pol = 0; pol < TCE_REPL_COUNT; pol++) {
        tce_cache *c = mk(4, 1, (tce_repl)pol, 9);
        ins(c, 2);
        ins(c, 6);
        ins(c, 10);
        LACKS(c, 2, 6);
        HOLDS(c, 10);
        assert_int_equal(tce_cache_get_stats(c)->evictions, 2);
        tce_cache_destroy(c);
    }
}

/* ---- random ---- */

/* Mirrors the cache's way contents: for PE 0 and a power-of-two set count
 * the set is page & (sets - 1), fills take ways in order, and a victim is
 * rng_below(ways) of the stream the header names. */
static void random_victims_follow_seeded_stream(uint32_t entries, uint32_t ways, uint64_t seed)
{
    const uint32_t sets = entries / ways;
    tce_cache *c = mk(entries, ways, TCE_REPL_RANDOM, seed);
    rng r;
    rng_seed(&r, seed, TCE_CACHE_RNG_STREAM);
    uint64_t mirror[64];
    uint32_t fill[64] = {0};
    assert_true(entries <= 64);
    for (uint64_t p = 0; p < 400; p++) {
        const uint64_t page = p * 3; /* distinct pages; 3 is odd: walks all sets */
        const uint32_t s = (uint32_t)(page & (sets - 1));
        uint32_t way;
        int evicts = fill[s] == ways;
        if (evicts)
            way = (uint32_t)rng_below(&r, ways);
        else
            way = fill[s]++;
        const uint64_t victim = mirror[s * ways + way];
        ins(c, page);
        mirror[s * ways + way] = page;
        if (evicts)
            assert_false(tce_cache_contains(c, 0, victim));
        for (uint32_t t = 0; t < sets; t++)
            for (uint32_t w = 0; w < fill[t]; w++)
                assert_true(tce_cache_contains(c, 0, mirror[t * ways + w]));
    }
    assert_int_equal(tce_cache_valid_entries(c), entries);
    assert_int_equal(tce_cache_get_stats(c)->evictions, 400 - entries);
    tce_cache_destroy(c);
}

static void random_victim_is_rng_below_ways_of_seeded_stream(void **state)
{
    random_victims_follow_seeded_stream(8, 8, 1);      /* fully associative */
    random_victims_follow_seeded_stream(16, 2, 42);    /* 2-way, 8 sets */
    random_victims_follow_seeded_stream(8, 1, 7);      /* direct mapped */
}

static uint64_t random_run_signature(uint64_t seed)
{
    tce_cache *c = mk(16, 0, TCE_REPL_RANDOM, seed);
    uint64_t sig = 0;
    for (uint64_t p = 0; p < 200; p++) {
        ins(c, p);
        for (uint64_t q = 0; q <= p; q++)
            if (tce_cache_contains(c, 0, q))
                sig = sig * 31 + q + 1;
    }
    tce_cache_destroy(c);
    return sig;
}

static void random_same_seed_same_victims_other_seed_differs(void **state)
{
    assert_int_equal(random_run_signature(5), random_run_signature(5));
    assert_int_not_equal(random_run_signature(5), random_run_signature(6));
    /* ways 0 means fully associative: same behaviour as ways = entries */
    tce_cache *a = mk(16, 0, TCE_REPL_RANDOM, 3);
    tce_cache *b = mk(16, 16, TCE_REPL_RANDOM, 3);
    for (uint64_t p = 0; p < 100; p++) {
        ins(a, p * 5);
        ins(b, p * 5);
    }
    for (uint64_t p = 0; p < 100; p++)
        assert_int_equal(tce_cache_contains(a, 0, p * 5), tce_cache_contains(b, 0, p * 5));
    tce_cache_destroy(a);
    tce_cache_destroy(b);
}

/* ---- timing-aware lookups ---- */

static void lookup_before_ready_is_merged_at_or_after_is_hit(void **state)
{
    tce_cache *c = mk(4, 0, TCE_REPL_LRU, 0);
    tce_cache_insert(c, 3, 9, 0x9003, 1000);
    tce_lookup r;
    tce_cache_lookup(c, 3, 9, 999, &r);
    assert_int_equal(r.kind, TCE_LOOKUP_MERGED);
    assert_int_equal(r.tce, 0x9003);
    assert_int_equal(r.ready_ps, 1000);
    tce_cache_lookup(c, 3, 9, 1000, &r);
    assert_int_equal(r.kind, TCE_LOOKUP_HIT);
    assert_int_equal(r.ready_ps, 1000);
    tce_cache_lookup(c, 4, 9, 5000, &r); /* other PE, same page */
    assert_int_equal(r.kind, TCE_LOOKUP_MISS);
    assert_int_equal(r.tce, 0);
    assert_int_equal(r.ready_ps, 0);

    /* a refresh moves ready_ps: MERGED again until the new time */
    tce_cache_insert(c, 3, 9, 0x7003, 3000);
    tce_cache_lookup(c, 3, 9, 2000, &r);
    assert_int_equal(r.kind, TCE_LOOKUP_MERGED);
    assert_int_equal(r.tce, 0x7003);
    assert_int_equal(r.ready_ps, 3000);

    const tce_cache_stats *st = tce_cache_get_stats(c);
    assert_int_equal(st->lookups, 4);
    assert_int_equal(st->hits, 1);
    assert_int_equal(st->merged, 2);
    assert_int_equal(st->misses, 3); /* merged counts as a miss */
    assert_int_equal(st->inserts, 2);
    assert_int_equal(tce_cache_valid_entries(c), 1);
    tce_cache_destroy(c);
}

static void merged_lookup_touches_lru(void **state)
{
    tce_cache *c = mk(2, 0, TCE_REPL_LRU, 0);
    tce_cache_insert(c, 0, 0, 0, 0);
    tce_cache_insert(c, 0, 1, 1, 100);
    assert_int_equal(look(c, 0, 50), TCE_LOOKUP_HIT);
    assert_int_equal(look(c, 1, 50), TCE_LOOKUP_MERGED); /* 1 becomes MRU */
    ins(c, 2);                                           /* evicts 0 */
    LACKS(c, 0);
    HOLDS(c, 1, 2);
    tce_cache_destroy(c);
}

static void contains_changes_neither_lru_nor_counters(void **state)
{
    tce_cache *c = mk(2, 0, TCE_REPL_LRU, 0);
    ins(c, 0);
    ins(c, 1);
    assert_true(tce_cache_contains(c, 0, 0)); /* must not make 0 MRU */
    ins(c, 2);                                /* evicts 0 */
    LACKS(c, 0);
    assert_int_equal(tce_cache_get_stats(c)->lookups, 0);
    tce_cache_destroy(c);
}

/* ---- invalidation ---- */

static void inval_page_pe_all_drop_entries_and_count(void **state)
{
    tce_cache *c = mk(8, 0, TCE_REPL_LRU, 0);
    for (uint64_t p = 0; p < 3; p++) {
        tce_cache_insert(c, 1, p, p, 0);
        tce_cache_insert(c, 2, p, p, 0);
    }
    tce_cache_inval_page(c, 1, 1);
    assert_false(tce_cache_contains(c, 1, 1));
    assert_true(tce_cache_contains(c, 2, 1));
    tce_cache_inval_page(c, 1, 1); /* absent: a request, nothing dropped */
    const tce_cache_stats *st = tce_cache_get_stats(c);
    assert_int_equal(st->inval_page, 2);
    assert_int_equal(st->invalidated, 1);
    assert_int_equal(tce_cache_valid_entries(c), 5);

    tce_cache_inval_pe(c, 2);
    assert_int_equal(st->inval_pe, 1);
    assert_int_equal(st->invalidated, 4);
    assert_int_equal(tce_cache_valid_entries(c), 2);
    for (uint64_t p = 0; p < 3; p++)
        assert_false(tce_cache_contains(c, 2, p));
    assert_true(tce_cache_contains(c, 1, 0));
    assert_true(tce_cache_contains(c, 1, 2));

    tce_lookup r;
    tce_cache_lookup(c, 2, 0, 0, &r);
    assert_int_equal(r.kind, TCE_LOOKUP_MISS);

    tce_cache_inval_all(c);
    assert_int_equal(st->inval_all, 1);
    assert_int_equal(st->invalidated, 6);
    assert_int_equal(tce_cache_valid_entries(c), 0);
    assert_false(tce_cache_contains(c, 1, 0));
    assert_int_equal(st->evictions, 0);

    /* usable after inval_all: fills without evicting */
    for (uint64_t p = 0; p < 8; p++)
        ins(c, 100 + p);
    assert_int_equal(st->evictions, 0);
    assert_int_equal(tce_cache_valid_entries(c), 8);
    tce_cache_destroy(c);
}

static void invalid_slots_are_used_before_evicting(void **state)
{
    for (int pol = 0; pol < TCE_REPL_COUNT; pol++) {
        tce_cache *c = mk(4, 0, (tce_repl)pol, 11);
        for (uint64_t p = 0; p < 4; p++)
            ins(c, p);
        tce_cache_inval_page(c, 0, 2);
        ins(c, 10);
        HOLDS(c, 0, 1, 3, 10);
        assert_int_equal(tce_cache_get_stats(c)->evictions, 0);
        ins(c, 11); /* now full: evicts */
        assert_int_equal(tce_cache_get_stats(c)->evictions, 1);
        assert_int_equal(tce_cache_valid_entries(c), 4);
        tce_cache_destroy(c);
    }
}

static void lru_order_survives_invalidation_in_the_middle(void **state)
{
    tce_cache *c = mk(4, 0, TCE_REPL_LRU, 0);
    for (uint64_t p = 0; p < 4; p++)
        ins(c, p);          /* LRU order: 0 1 2 3 (0 oldest) */
    tce_cache_inval_page(c, 0, 1);
    ins(c, 4);              /* takes the freed slot */
    ins(c, 5);              /* evicts 0 */
    ins(c, 6);              /* evicts 2 */
    LACKS(c, 0, 1, 2);
    HOLDS(c, 3, 4, 5, 6);
    assert_int_equal(tce_cache_get_stats(c)->evictions, 2);
    tce_cache_destroy(c);
}

/* ---- parameters and names ---- */

static void bad_params_are_rejected(void **state)
{
    assert_null(tce_cache_create(NULL));
    tce_cache_params p = {.entries = 0, .ways = 0, .policy = TCE_REPL_LRU};
    assert_null(tce_cache_create(&p));
    p.entries = 8;
    p.ways = 3;
    assert_null(tce_cache_create(&p));
    p.ways = 16;
    assert_null(tce_cache_create(&p));
    p.ways = 2;
    p.policy = TCE_REPL_COUNT;
    assert_null(tce_cache_create(&p));
    p.policy = TCE_REPL_LRU;
    p.entries = TCE_CACHE_MAX_ENTRIES + 1;
    p.ways = 1;
    assert_null(tce_cache_create(&p));

    p.entries = 1;
    p.ways = 0;
    tce_cache *c = tce_cache_create(&p);
    assert_non_null(c);
    ins(c, 1);
    ins(c, 2);
    LACKS(c, 1);
    HOLDS(c, 2);
    tce_cache_destroy(c);
    tce_cache_destroy(NULL);
}

static void repl_names_round_trip_and_unknown_is_einval(void **state)
{
    for (int i = 0; i < TCE_REPL_COUNT; i++) {
        tce_repl r;
        assert_int_equal(tce_repl_parse(tce_repl_name((tce_repl)i), &r), TCESIM_OK);
        assert_int_equal(r, i);
    }
    assert_string_equal(tce_repl_name(TCE_REPL_LRU), "lru");
    assert_string_equal(tce_repl_name(TCE_REPL_RR), "rr");
    assert_string_equal(tce_repl_name(TCE_REPL_RANDOM), "random");
    tce_repl r = TCE_REPL_RR;
    assert_int_equal(tce_repl_parse("LRU", &r), TCESIM_EINVAL);
    assert_int_equal(tce_repl_parse("fifo", &r), TCESIM_EINVAL);
    assert_int_equal(tce_repl_parse(NULL, &r), TCESIM_EINVAL);
    assert_int_equal(r, TCE_REPL_RR);
}

/* ---- statistics ---- */

/* Uniform random access over W pages with a fully associative LRU of E
 * entries: once warm the cache holds E distinct pages, so each access hits
 * with probability min(1, E / W) (the independent reference model). */
static void lru_uniform_hit_rate_is_min_one_e_over_w(void **state)
{
    static const struct { uint32_t e, w; } cfg[] = {
        {64, 32}, {64, 128}, {64, 256}, {256, 320}, {1024, 4096},
    };
    for (size_t k = 0; k < sizeof(cfg) / sizeof(cfg[0]); k++) {
        tce_cache *c = mk(cfg[k].e, 0, TCE_REPL_LRU, 0);
        rng r;
        rng_seed(&r, 12345, k);
        const uint32_t warm = 8 * cfg[k].w, n = 100000;
        uint64_t hits = 0;
        for (uint32_t i = 0; i < warm + n; i++) {
            uint64_t page = rng_below(&r, cfg[k].w);
            tce_lookup lk;
            tce_cache_lookup(c, 0, page, i, &lk);
            if (lk.kind == TCE_LOOKUP_MISS)
                tce_cache_insert(c, 0, page, page, i);
            else if (i >= warm)
                hits++;
        }
        double rate = (double)hits / n;
        double want = cfg[k].e >= cfg[k].w ? 1.0 : (double)cfg[k].e / cfg[k].w;
        if (rate < want - 0.02 || rate > want + 0.02)
            fail_msg("E=%u W=%u: hit rate %.4f, want %.4f +- 0.02", cfg[k].e, cfg[k].w, rate,
                     want);
        tce_cache_destroy(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lru_fully_assoc_evicts_least_recently_used),
        cmocka_unit_test(lru_direct_mapped_conflicts_only_within_a_set),
        cmocka_unit_test(lru_two_way_evicts_lru_of_the_set),
        cmocka_unit_test(consecutive_pages_spread_over_all_sets),
        cmocka_unit_test(refresh_updates_tce_and_touches_entry),
        cmocka_unit_test(rr_fully_assoc_cycles_through_ways_ignoring_use),
        cmocka_unit_test(rr_two_way_pointer_is_per_set),
        cmocka_unit_test(direct_mapped_victim_is_the_only_way_for_every_policy),
        cmocka_unit_test(random_victim_is_rng_below_ways_of_seeded_stream),
        cmocka_unit_test(random_same_seed_same_victims_other_seed_differs),
        cmocka_unit_test(lookup_before_ready_is_merged_at_or_after_is_hit),
        cmocka_unit_test(merged_lookup_touches_lru),
        cmocka_unit_test(contains_changes_neither_lru_nor_counters),
        cmocka_unit_test(inval_page_pe_all_drop_entries_and_count),
        cmocka_unit_test(invalid_slots_are_used_before_evicting),
        cmocka_unit_test(lru_order_survives_invalidation_in_the_middle),
        cmocka_unit_test(bad_params_are_rejected),
        cmocka_unit_test(repl_names_round_trip_and_unknown_is_einval),
        cmocka_unit_test(lru_uniform_hit_rate_is_min_one_e_over_w),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
