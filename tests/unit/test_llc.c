/* Last-level cache: exact LRU hit/miss sequences on tiny caches, lines
 * spanned by one access, write allocation, the no-cache case, the C / F hit
 * rate of uniform random access, and the memory model's timing with an LLC
 * (all-hit accesses skip the channel; missed lines book it as whole lines). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/rng.h"
#include "common/tcesim_err.h"
#include "memory/llc.h"
#include "memory/memory.h"

#define L 64u /* line bytes in every test */

static llc *make(uint64_t capacity_bytes, uint32_t ways)
{
    llc_params p = {.capacity_bytes = capacity_bytes, .ways = ways, .line_bytes = L};
    llc *c = NULL;
    assert_int_equal(llc_create(&p, &c), TCESIM_OK);
    assert_non_null(c);
    return c;
}

/* Reads one whole line; returns 1 on a miss. */
static uint32_t rd(llc *c, uint64_t line)
{
    return llc_access(c, line * L, L, false);
}

static void direct_mapped_conflicting_lines_evict_each_other(void **state)
{
    llc *c = make(4 * L, 1); /* 4 sets; lines 0 and 4 share set 0 */
    assert_int_equal(rd(c, 0), 1);
    assert_int_equal(rd(c, 0), 0);
    assert_int_equal(rd(c, 4), 1);  /* evicts 0 */
    assert_int_equal(rd(c, 0), 1);  /* evicts 4 */
    assert_int_equal(rd(c, 1), 1);  /* set 1, empty: no eviction */
    assert_int_equal(rd(c, 0), 0);
    assert_int_equal(rd(c, 1), 0);
    llc_stats s = llc_get_stats(c);
    assert_int_equal(s.accesses, 7);
    assert_int_equal(s.line_hits, 3);
    assert_int_equal(s.line_misses, 4);
    assert_int_equal(s.evictions, 2);
    llc_destroy(c);
}

static void two_way_set_evicts_least_recently_used(void **state)
{
    llc *c = make(4 * L, 2); /* 2 sets; lines 0, 2, 4 share set 0 */
    assert_int_equal(rd(c, 0), 1);
    assert_int_equal(rd(c, 2), 1);
    assert_int_equal(rd(c, 0), 0);  /* LRU is now 2 */
    assert_int_equal(rd(c, 4), 1);  /* evicts 2 */
    assert_int_equal(rd(c, 0), 0);
    assert_int_equal(rd(c, 2), 1);  /* LRU was 4: evicts it */
    assert_int_equal(rd(c, 0), 0);
    assert_int_equal(rd(c, 4), 1);  /* evicts 2, not 0 */
    assert_int_equal(rd(c, 0), 0);
    assert_int_equal(rd(c, 1), 1);  /* the other set is untouched */
    llc_stats s = llc_get_stats(c);
    assert_int_equal(s.line_hits, 4);
    assert_int_equal(s.line_misses, 6);
    assert_int_equal(s.evictions, 3);
    llc_destroy(c);
}

static void four_way_set_keeps_the_four_most_recent_lines(void **state)
{
    llc *c = make(4 * L, 4); /* one set */
    for (uint64_t i = 0; i < 4; i++)
        assert_int_equal(rd(c, i), 1);
    assert_int_equal(llc_get_stats(c).evictions, 0);
    /* recency order, most recent first: 3 2 1 0; touch 0 then 2 -> 2 0 3 1 */
    assert_int_equal(rd(c, 0), 0);
    assert_int_equal(rd(c, 2), 0);
    assert_int_equal(rd(c, 9), 1);  /* evicts 1 */
    assert_int_equal(rd(c, 8), 1);  /* evicts 3 */
    assert_int_equal(rd(c, 0), 0);
    assert_int_equal(rd(c, 2), 0);
    assert_int_equal(rd(c, 1), 1);
    assert_int_equal(rd(c, 3), 1);
    assert_int_equal(llc_get_stats(c).evictions, 4);
    llc_destroy(c);
}

static void non_power_of_two_set_count_maps_line_mod_sets(void **state)
{
    llc *c = make(3 * L, 1); /* 3 sets: lines 0 and 3 conflict, 1 and 2 do not */
    assert_int_equal(rd(c, 0), 1);
    assert_int_equal(rd(c, 1), 1);
    assert_int_equal(rd(c, 2), 1);
    assert_int_equal(rd(c, 3), 1);  /* evicts 0 */
    assert_int_equal(rd(c, 1), 0);
    assert_int_equal(rd(c, 2), 0);
    assert_int_equal(rd(c, 0), 1);
    /* lines 2..4 in one access: sets 2, 0, 1, wrapping past the last set */
    assert_int_equal(llc_access(c, 2 * L, 3 * L, false), 2); /* 3 and 4 */
    assert_int_equal(rd(c, 2), 0);
    assert_int_equal(rd(c, 3), 0);
    assert_int_equal(rd(c, 4), 0);
    llc_destroy(c);
}

static void access_touches_every_line_it_overlaps(void **state)
{
    llc *c = make(64 * L, 4);
    assert_int_equal(llc_access(c, 60, 8, false), 2);          /* lines 0, 1 */
    assert_int_equal(llc_access(c, 0, 2 * L, false), 0);
    assert_int_equal(llc_access(c, 127, 130, false), 3);       /* lines 1..4: 2, 3, 4 new */
    assert_int_equal(llc_access(c, 4 * L + 63, 1, false), 0);  /* last byte of line 4 */
    assert_int_equal(llc_access(c, 5 * L, 1, false), 1);
    assert_int_equal(llc_access(c, 0, 0, false), 0);           /* empty: no line */
    llc_stats s = llc_get_stats(c);
    assert_int_equal(s.accesses, 6);
    assert_int_equal(s.line_misses, 6);
    assert_int_equal(s.line_hits, 2 + 1 + 1);
    llc_destroy(c);
}

static void writes_allocate_lines_that_reads_then_hit(void **state)
{
    llc *c = make(8 * L, 2);
    assert_int_equal(llc_access(c, 0x1000, 256, true), 4);
    assert_int_equal(llc_access(c, 0x1000, 256, false), 0);
    assert_int_equal(llc_access(c, 0x1040, 8, true), 0);
    assert_int_equal(llc_get_stats(c).line_hits, 5);
    llc_destroy(c);
}

static void zero_capacity_misses_every_line(void **state)
{
    llc_params p = {.capacity_bytes = 0}; /* ways and line may be left 0 */
    llc *c = NULL;
    assert_int_equal(llc_create(&p, &c), TCESIM_OK);
    assert_int_equal(llc_line_bytes(c), LLC_DEFAULT_LINE);
    for (int i = 0; i < 3; i++)
        assert_int_equal(llc_access(c, 0, 64, false), 1);
    assert_int_equal(llc_access(c, 32, 64, true), 2);
    llc_stats s = llc_get_stats(c);
    assert_int_equal(s.accesses, 4);
    assert_int_equal(s.line_hits, 0);
    assert_int_equal(s.line_misses, 5);
    assert_int_equal(s.evictions, 0);
    llc_destroy(c);
}

static void bad_geometry_is_einval(void **state)
{
    llc *c = (llc *)&c; /* overwritten with NULL on failure */
    llc_params p = {.capacity_bytes = 4096, .ways = 0, .line_bytes = 64};
    assert_int_equal(llc_create(&p, &c), TCESIM_EINVAL);
    assert_null(c);
    p.ways = 3; /* 4096 is not a whole number of 192 B sets */
    assert_int_equal(llc_create(&p, &c), TCESIM_EINVAL);
    p.ways = 4;
    p.line_bytes = 48;
    assert_int_equal(llc_create(&p, &c), TCESIM_EINVAL);
    p.line_bytes = 4;
    assert_int_equal(llc_create(&p, &c), TCESIM_EINVAL);
    p.line_bytes = 64;
    assert_int_equal(llc_create(NULL, &c), TCESIM_EINVAL);
    assert_int_equal(llc_create(&p, NULL), TCESIM_EINVAL);
    assert_int_equal(llc_create(&p, &c), TCESIM_OK);
    llc_destroy(c);
    llc_destroy(NULL); /* accepted */
}

/* Fills the cache with a sweep of the footprint, then measures n uniform
 * random 64 B reads over it. Under independent uniform references every
 * resident line is equally likely to be next, so once the cache is full
 * the hit rate is (lines held) / (lines in the footprint) = min(1, C / F). */
static double random_hit_rate(uint64_t capacity_bytes, uint32_t ways, uint64_t footprint_bytes,
                              uint32_t n, uint64_t seed)
{
    llc *c = make(capacity_bytes, ways);
    uint64_t lines = footprint_bytes / L;
    for (uint64_t i = 0; i < lines; i++)
        rd(c, i);
    llc_stats before = llc_get_stats(c);
    rng r;
    rng_seed(&r, seed, 0);
    for (uint32_t i = 0; i < n; i++)
        rd(c, rng_below(&r, lines));
    llc_stats after = llc_get_stats(c);
    llc_destroy(c);
    return (double)(after.line_hits - before.line_hits) / n;
}

static void uniform_random_hit_rate_approaches_capacity_over_footprint(void **state)
{
    const uint64_t cap = 64 * 1024;
    const uint32_t n = 200000;
    static const struct { uint64_t footprint; double expect; } pts[] = {
        {32 * 1024, 1.0}, {64 * 1024, 1.0}, {96 * 1024, 2.0 / 3},
        {128 * 1024, 0.5}, {256 * 1024, 0.25}, {1024 * 1024, 0.0625},
    };
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        double h8 = random_hit_rate(cap, 8, pts[i].footprint, n, 1 + i);   /* 128 sets */
        double h20 = random_hit_rate(60 * 1024, 20, pts[i].footprint * 60 / 64, n, 7 + i);
        assert_true(h8 > pts[i].expect - 0.03 && h8 < pts[i].expect + 0.03);
        assert_true(h20 > pts[i].expect - 0.03 && h20 < pts[i].expect + 0.03); /* 48 sets */
    }
}

/* The pcie-bench host: 25 MiB, 20 ways (20480 sets, not a power of two).
 * A 16 MiB window fits; a 32 MiB one hits 25/32 of the time. */
static void xeon_sized_llc_fits_16_mib_but_not_32_mib(void **state)
{
    double h16 = random_hit_rate(25ull << 20, 20, 16ull << 20, 100000, 3);
    double h32 = random_hit_rate(25ull << 20, 20, 32ull << 20, 100000, 4);
    assert_true(h16 == 1.0);
    assert_true(h32 > 25.0 / 32 - 0.03 && h32 < 25.0 / 32 + 0.03);
}

static void same_inputs_give_the_same_outcomes(void **state)
{
    assert_true(random_hit_rate(8192, 4, 65536, 20000, 9) ==
                random_hit_rate(8192, 4, 65536, 20000, 9));
}

/* Memory level: 1000 MB/s = 1 B/ns, so a 64 B line takes 64 000 ps. */
static void init_llc_mem(mem_model *m)
{
    mem_params p = {.latency_ps = 80000, .bandwidth_mbs = 1000,
                    .llc_bytes = 16 * L, .llc_ways = 4, .llc_line = L, .llc_hit_ps = 20000};
    assert_int_equal(mem_init(m, &p), TCESIM_OK);
    assert_non_null(m->cache);
}

static void all_hit_access_takes_hit_latency_and_skips_the_channel(void **state)
{
    mem_model m;
    init_llc_mem(&m);
    assert_int_equal(mem_access(&m, 0, 64, false, 0), 64000 + 80000);   /* miss */
    assert_int_equal(mem_access(&m, 0, 64, false, 1000), 1000 + 20000); /* hit */
    assert_int_equal(mem_access(&m, 8, 8, true, 2000), 2000 + 20000);
    /* the hits left the channel as the miss did: free from 64 000 */
    assert_int_equal(mem_access(&m, 0x1000, 64, false, 64000), 64000 + 64000 + 80000);
    assert_int_equal(m.st.queue_ps, 0);
    mem_destroy(&m);
}

static void multi_line_hit_pays_for_each_further_line(void **state)
{
    mem_model m;
    mem_params p = {.latency_ps = 80000, .bandwidth_mbs = 1000, .llc_bytes = 16 * L, .llc_ways = 4,
                    .llc_line = L, .llc_hit_ps = 20000, .llc_line_ps = 7000};
    assert_int_equal(mem_init(&m, &p), TCESIM_OK);
    mem_access(&m, 0, 256, false, 0); /* four lines brought in */
    /* 256 B hit: the first line at the hit latency, three more at 7 ns each */
    assert_int_equal(mem_access(&m, 0, 256, false, 1000000), 1000000 + 20000 + 3 * 7000);
    /* 64 B within one line: no extra */
    assert_int_equal(mem_access(&m, 64, 64, false, 2000000), 2000000 + 20000);
    /* 64 B straddling two lines: one extra */
    assert_int_equal(mem_access(&m, 32, 64, false, 3000000), 3000000 + 20000 + 7000);
    mem_destroy(&m);
}

static void missed_lines_book_the_channel_as_whole_lines(void **state)
{
    mem_model m;
    init_llc_mem(&m);
    /* an 8 B TCE fetch that misses moves a 64 B line */
    assert_int_equal(mem_access(&m, 0x2008, 8, false, 0), 64000 + 80000);
    /* 128 B over a present line and an absent one: one line on the channel,
     * queued behind the first (busy until 64 000) */
    assert_int_equal(mem_access(&m, 0x2000, 128, false, 10000), 128000 + 80000);
    assert_int_equal(m.st.queue_ps, 64000 - 10000);
    /* write miss: allocates, books its line */
    assert_int_equal(mem_access(&m, 0x3000, 64, true, 500000), 500000 + 64000 + 80000);
    assert_int_equal(mem_access(&m, 0x3000, 64, false, 700000), 700000 + 20000);
    mem_destroy(&m);
}

static void memory_stats_count_llc_lines_and_requested_bytes(void **state)
{
    mem_model m;
    init_llc_mem(&m);
    mem_access(&m, 0, 8, false, 0);      /* 1 miss */
    mem_access(&m, 0, 64, false, 0);     /* 1 hit */
    mem_access(&m, 32, 64, true, 0);     /* 1 hit, 1 miss */
    mem_access(&m, 64, 0, false, 0);     /* no line */
    assert_int_equal(m.st.llc_hits, 2);
    assert_int_equal(m.st.llc_misses, 2);
    assert_int_equal(m.st.reads, 3);
    assert_int_equal(m.st.read_bytes, 72);
    assert_int_equal(m.st.writes, 1);
    assert_int_equal(m.st.write_bytes, 64);
    mem_destroy(&m);

    /* without an LLC the line counters stay 0 and bytes go to the channel
     * as requested */
    mem_params p = {.latency_ps = 0, .bandwidth_mbs = 1000};
    assert_int_equal(mem_init(&m, &p), TCESIM_OK);
    assert_null(m.cache);
    assert_int_equal(mem_access(&m, 0, 8, false, 0), 8000);
    assert_int_equal(mem_access(&m, 0, 8, false, 100000), 108000);
    assert_int_equal(m.st.llc_hits + m.st.llc_misses, 0);
    mem_destroy(&m);
}

static void memory_rejects_bad_llc_geometry(void **state)
{
    mem_model m;
    mem_params p = {.latency_ps = 0, .bandwidth_mbs = 1000, .llc_bytes = 1000, .llc_ways = 4};
    assert_int_equal(mem_init(&m, &p), TCESIM_EINVAL); /* and frees the channel */
    p.llc_bytes = 4096;
    p.llc_ways = 0;
    assert_int_equal(mem_init(&m, &p), TCESIM_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(direct_mapped_conflicting_lines_evict_each_other),
        cmocka_unit_test(two_way_set_evicts_least_recently_used),
        cmocka_unit_test(four_way_set_keeps_the_four_most_recent_lines),
        cmocka_unit_test(non_power_of_two_set_count_maps_line_mod_sets),
        cmocka_unit_test(access_touches_every_line_it_overlaps),
        cmocka_unit_test(writes_allocate_lines_that_reads_then_hit),
        cmocka_unit_test(zero_capacity_misses_every_line),
        cmocka_unit_test(bad_geometry_is_einval),
        cmocka_unit_test(uniform_random_hit_rate_approaches_capacity_over_footprint),
        cmocka_unit_test(xeon_sized_llc_fits_16_mib_but_not_32_mib),
        cmocka_unit_test(same_inputs_give_the_same_outcomes),
        cmocka_unit_test(all_hit_access_takes_hit_latency_and_skips_the_channel),
        cmocka_unit_test(missed_lines_book_the_channel_as_whole_lines),
        cmocka_unit_test(multi_line_hit_pays_for_each_further_line),
        cmocka_unit_test(memory_stats_count_llc_lines_and_requested_bytes),
        cmocka_unit_test(memory_rejects_bad_llc_geometry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
