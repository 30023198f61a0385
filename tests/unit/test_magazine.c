/* Per-CPU magazine caches (models/host/magazine.h), after the array-depot
 * range caches of drivers/iommu/iova.c: size classes, LIFO reuse per CPU,
 * loaded -> prev -> depot -> eviction on free, the depot on alloc, mask and
 * alignment, drain, exact stats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "host/magazine.h"

#define MAX_EVICT 64

typedef struct evict_log {
    unsigned n;
    uint64_t entry[MAX_EVICT];
    uint64_t npages[MAX_EVICT];
} evict_log;

static void record(void *ctx, uint64_t entry, uint64_t npages)
{
    evict_log *l = ctx;
    assert_true(l->n < MAX_EVICT);
    l->entry[l->n] = entry;
    l->npages[l->n] = npages;
    l->n++;
}

static mag_cache *make(uint32_t ncpus, uint32_t mag_size, uint32_t depot_max)
{
    mag_params p = {.ncpus = ncpus, .mag_size = mag_size, .depot_max = depot_max};
    mag_cache *m = mag_create(&p);
    assert_non_null(m);
    return m;
}

/* Frees entries first..last (one page each) on `cpu`; all must be cached. */
static void free_run(mag_cache *m, unsigned cpu, uint64_t first, uint64_t last, evict_log *l)
{
    for (uint64_t e = first; e <= last; e++) {
        bool lock;
        assert_true(mag_free(m, cpu, e, 1, &lock, record, l));
    }
}

static void class_is_order_base_2_up_to_32_pages(void **state)
{
    (void)state;
    assert_int_equal(mag_class(0), -1);
    assert_int_equal(mag_class(1), 0);
    assert_int_equal(mag_class(2), 1);
    assert_int_equal(mag_class(3), 2);
    assert_int_equal(mag_class(4), 2);
    assert_int_equal(mag_class(5), 3);
    assert_int_equal(mag_class(16), 4);
    assert_int_equal(mag_class(17), 5);
    assert_int_equal(mag_class(32), 5);
    assert_int_equal(mag_class(33), -1);
    assert_int_equal(mag_class(UINT64_MAX), -1);
}

static void free_then_alloc_on_the_same_cpu_is_lifo(void **state)
{
    (void)state;
    mag_cache *m = make(2, 8, 4);
    bool lock = true;
    assert_true(mag_free(m, 0, 100, 1, &lock, NULL, NULL));
    assert_false(lock);
    assert_true(mag_free(m, 0, 200, 1, &lock, NULL, NULL));
    uint64_t e = 0;
    assert_true(mag_alloc(m, 0, 1, 1u << 20, 0, &e, &lock));
    assert_int_equal(e, 200);
    assert_false(lock);
    assert_true(mag_alloc(m, 0, 1, 1u << 20, 0, &e, &lock));
    assert_int_equal(e, 100);
    /* classes are separate: a 3-page request is class 2 (4 pages), empty */
    assert_true(mag_free(m, 0, 300, 3, &lock, NULL, NULL));
    assert_false(mag_alloc(m, 0, 1, 1u << 20, 0, &e, &lock));
    assert_true(mag_alloc(m, 0, 4, 1u << 20, 0, &e, &lock));
    assert_int_equal(e, 300);
    mag_destroy(m);
}

static void other_cpu_sees_ranges_only_through_a_full_depot_magazine(void **state)
{
    (void)state;
    mag_cache *m = make(2, 4, 4);
    evict_log l = {0};
    uint64_t e;
    bool lock;
    /* 1..4 fill loaded, 5 swaps (prev = {1..4}), 5..8 fill the new loaded */
    free_run(m, 0, 1, 8, &l);
    assert_false(mag_alloc(m, 1, 1, 1u << 20, 0, &e, &lock));
    assert_true(lock); /* both of cpu 1's magazines empty: depot looked at, empty */
    /* 9: loaded and prev full, so loaded {5..8} goes to the depot */
    assert_true(mag_free(m, 0, 9, 1, &lock, record, &l));
    assert_true(lock);
    assert_true(mag_alloc(m, 1, 1, 1u << 20, 0, &e, &lock));
    assert_true(lock);
    assert_int_equal(e, 8);
    /* cpu 1 now has that magazine loaded: no lock for the rest of it */
    assert_true(mag_alloc(m, 1, 1, 1u << 20, 0, &e, &lock));
    assert_false(lock);
    assert_int_equal(e, 7);
    assert_int_equal(l.n, 0);
    const mag_stats *s = mag_get_stats(m);
    assert_int_equal(s->depot_ops, 3);
    assert_int_equal(s->ranges_cached, 7);
    mag_destroy(m);
}

static void overflow_goes_to_prev_then_depot_then_evicts(void **state)
{
    (void)state;
    mag_cache *m = make(1, 2, 1);
    evict_log l = {0};
    bool lock;
    assert_true(mag_free(m, 0, 1, 1, &lock, record, &l)); /* loaded {1} */
    assert_false(lock);
    assert_true(mag_free(m, 0, 2, 1, &lock, record, &l)); /* loaded {1,2} */
    assert_false(lock);
    assert_true(mag_free(m, 0, 3, 1, &lock, record, &l)); /* swap: prev {1,2}, loaded {3} */
    assert_false(lock);
    assert_true(mag_free(m, 0, 4, 1, &lock, record, &l)); /* loaded {3,4} */
    assert_false(lock);
    assert_true(mag_free(m, 0, 5, 1, &lock, record, &l)); /* depot [{3,4}], loaded {5} */
    assert_true(lock);
    assert_true(mag_free(m, 0, 6, 1, &lock, record, &l)); /* loaded {5,6} */
    assert_false(lock);
    assert_int_equal(l.n, 0);
    assert_true(mag_free(m, 0, 7, 1, &lock, record, &l)); /* depot full: {5,6} evicted */
    assert_true(lock);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.entry[0], 5);
    assert_int_equal(l.entry[1], 6);
    assert_int_equal(l.npages[0], 1);
    assert_int_equal(l.npages[1], 1);
    const mag_stats *s = mag_get_stats(m);
    assert_int_equal(s->frees_cached, 7);
    assert_int_equal(s->frees_through, 0);
    assert_int_equal(s->depot_ops, 2);
    assert_int_equal(s->ranges_cached, 5); /* 1,2 in prev; 3,4 in depot; 7 loaded */
    assert_int_equal(s->ranges_evicted, 2);
    mag_destroy(m);
}

static void full_depot_without_evict_callback_refuses_the_range(void **state)
{
    (void)state;
    mag_cache *m = make(1, 1, 0);
    bool lock;
    assert_true(mag_free(m, 0, 1, 1, &lock, NULL, NULL));
    assert_true(mag_free(m, 0, 2, 1, &lock, NULL, NULL));
    assert_false(mag_free(m, 0, 3, 1, &lock, NULL, NULL));
    assert_true(lock);
    const mag_stats *s = mag_get_stats(m);
    assert_int_equal(s->frees_cached, 2);
    assert_int_equal(s->frees_through, 1);
    assert_int_equal(s->ranges_cached, 2);
    mag_destroy(m);
}

static void evicted_ranges_carry_their_class_page_count(void **state)
{
    (void)state;
    mag_cache *m = make(1, 1, 0);
    evict_log l = {0};
    bool lock;
    assert_true(mag_free(m, 0, 64, 3, &lock, record, &l)); /* cached as 4 pages */
    assert_true(mag_free(m, 0, 128, 4, &lock, record, &l));
    assert_true(mag_free(m, 0, 192, 4, &lock, record, &l)); /* evicts 128 */
    assert_int_equal(l.n, 1);
    assert_int_equal(l.entry[0], 128);
    assert_int_equal(l.npages[0], 4);
    mag_destroy(m);
}

static void ranges_too_large_are_not_cached(void **state)
{
    (void)state;
    mag_cache *m = make(1, 4, 1);
    bool lock;
    uint64_t e;
    assert_false(mag_free(m, 0, 64, 33, &lock, NULL, NULL));
    assert_false(lock);
    assert_false(mag_alloc(m, 0, 33, 1u << 20, 0, &e, &lock));
    assert_false(lock);
    assert_true(mag_free(m, 0, 64, 32, &lock, NULL, NULL));
    assert_true(mag_alloc(m, 0, 32, 1u << 20, 0, &e, &lock));
    assert_int_equal(e, 64);
    const mag_stats *s = mag_get_stats(m);
    assert_int_equal(s->frees_through, 1);
    assert_int_equal(s->alloc_misses, 1);
    mag_destroy(m);
}

static void alloc_respects_the_mask_limit(void **state)
{
    (void)state;
    mag_cache *m = make(1, 8, 1);
    bool lock;
    uint64_t e;
    assert_true(mag_free(m, 0, 10, 2, &lock, NULL, NULL));
    assert_true(mag_free(m, 0, 100, 2, &lock, NULL, NULL));
    /* 100 + 2 > 101: skipped, the older 10 is taken */
    assert_true(mag_alloc(m, 0, 2, 101, 0, &e, &lock));
    assert_int_equal(e, 10);
    /* only 100 is left: a miss below its end, and it stays cached */
    assert_false(mag_alloc(m, 0, 2, 101, 0, &e, &lock));
    assert_false(mag_alloc(m, 0, 2, 1, 0, &e, &lock)); /* limit below the class size */
    assert_int_equal(mag_get_stats(m)->ranges_cached, 1);
    /* 100 + 2 <= 102: exactly at the limit fits */
    assert_true(mag_alloc(m, 0, 2, 102, 0, &e, &lock));
    assert_int_equal(e, 100);
    mag_destroy(m);
}

static void alloc_respects_alignment(void **state)
{
    (void)state;
    mag_cache *m = make(1, 8, 1);
    bool lock;
    uint64_t e;
    assert_true(mag_free(m, 0, 16, 1, &lock, NULL, NULL));
    assert_true(mag_free(m, 0, 24, 1, &lock, NULL, NULL));
    assert_true(mag_free(m, 0, 3, 1, &lock, NULL, NULL));
    assert_true(mag_alloc(m, 0, 1, 1u << 20, 4, &e, &lock)); /* 16-aligned: 16 only */
    assert_int_equal(e, 16);
    assert_false(mag_alloc(m, 0, 1, 1u << 20, 4, &e, &lock));
    assert_false(mag_alloc(m, 0, 1, 1u << 20, 64, &e, &lock)); /* only entry 0 */
    assert_true(mag_alloc(m, 0, 1, 1u << 20, 3, &e, &lock));
    assert_int_equal(e, 24);
    assert_true(mag_alloc(m, 0, 1, 1u << 20, 0, &e, &lock));
    assert_int_equal(e, 3);
    mag_destroy(m);
}

static void only_the_chosen_magazine_is_searched(void **state)
{
    (void)state;
    /* __iova_rcache_get: a non-empty loaded magazine is used even when
     * nothing in it fits; prev is not searched. */
    mag_cache *m = make(1, 2, 1);
    bool lock;
    uint64_t e;
    free_run(m, 0, 1, 3, NULL); /* prev {1,2}, loaded {3} */
    assert_false(mag_alloc(m, 0, 1, 3, 0, &e, &lock)); /* 3 + 1 > 3; 1, 2 are in prev */
    assert_true(mag_alloc(m, 0, 1, 4, 0, &e, &lock));
    assert_int_equal(e, 3);
    /* loaded now empty: prev is swapped in */
    assert_true(mag_alloc(m, 0, 1, 3, 0, &e, &lock));
    assert_int_equal(e, 2);
    assert_false(lock);
    mag_destroy(m);
}

static void drain_gives_back_everything(void **state)
{
    (void)state;
    mag_cache *m = make(2, 2, 2);
    evict_log l = {0};
    bool lock;
    free_run(m, 0, 1, 5, &l);        /* cpu 0: prev {1,2}, depot [{3,4}], loaded {5} */
    assert_true(mag_free(m, 1, 40, 8, &lock, record, &l)); /* cpu 1, class 3 */
    mag_drain(m, record, &l);
    assert_int_equal(l.n, 6);
    /* cpu 0 class 0 loaded, prev; cpu 1 class 3 loaded; then the depot */
    const uint64_t want_e[6] = {5, 1, 2, 40, 3, 4};
    const uint64_t want_n[6] = {1, 1, 1, 8, 1, 1};
    for (unsigned i = 0; i < 6; i++) {
        assert_int_equal(l.entry[i], want_e[i]);
        assert_int_equal(l.npages[i], want_n[i]);
    }
    const mag_stats *s = mag_get_stats(m);
    assert_int_equal(s->ranges_cached, 0);
    assert_int_equal(s->ranges_evicted, 6);
    uint64_t e;
    assert_false(mag_alloc(m, 1, 1, 1u << 20, 0, &e, &lock)); /* depot empty too */
    assert_true(lock);
    /* the magazines are reusable after a drain */
    free_run(m, 0, 1, 5, &l);
    assert_int_equal(mag_get_stats(m)->ranges_cached, 5);
    mag_destroy(m);
}

static void stats_count_every_outcome_exactly(void **state)
{
    (void)state;
    mag_cache *m = make(2, 2, 1);
    evict_log l = {0};
    bool lock;
    uint64_t e;
    free_run(m, 0, 1, 7, &l);                                /* 7 cached, 2 depot ops, 2 evicted */
    assert_false(mag_free(m, 0, 100, 64, &lock, record, &l)); /* through */
    assert_true(mag_alloc(m, 0, 1, 1u << 20, 0, &e, &lock));  /* hit: 7 */
    assert_true(mag_alloc(m, 1, 1, 1u << 20, 0, &e, &lock));  /* hit from depot: 4 */
    assert_int_equal(e, 4);
    assert_true(mag_alloc(m, 1, 1, 1u << 20, 0, &e, &lock));  /* hit: 3 */
    assert_false(mag_alloc(m, 1, 1, 1u << 20, 0, &e, &lock)); /* miss, depot op */
    assert_false(mag_alloc(m, 1, 64, 1u << 20, 0, &e, &lock)); /* miss, too large */
    const mag_stats *s = mag_get_stats(m);
    assert_int_equal(s->alloc_hits, 3);
    assert_int_equal(s->alloc_misses, 2);
    assert_int_equal(s->frees_cached, 7);
    assert_int_equal(s->frees_through, 1);
    assert_int_equal(s->depot_ops, 4);
    assert_int_equal(s->ranges_evicted, 2);
    assert_int_equal(s->ranges_cached, 2); /* 1, 2 in cpu 0's prev */
    mag_destroy(m);
}

static void bad_arguments_are_rejected_without_side_effects(void **state)
{
    (void)state;
    mag_params bad[] = {{0, 4, 1}, {1, 0, 1}};
    for (unsigned i = 0; i < 2; i++)
        assert_null(mag_create(&bad[i]));
    assert_null(mag_create(NULL));
    mag_destroy(NULL);
    mag_drain(NULL, NULL, NULL);
    assert_null(mag_get_stats(NULL));
    mag_cache *m = make(1, 4, 0);
    bool lock = true;
    uint64_t e;
    assert_false(mag_free(m, 1, 5, 1, &lock, NULL, NULL)); /* no cpu 1 */
    assert_false(lock);
    assert_false(mag_alloc(m, 1, 1, 100, 0, &e, &lock));
    assert_false(mag_alloc(m, 0, 1, 100, 0, NULL, &lock));
    assert_true(mag_free(m, 0, 5, 1, NULL, NULL, NULL)); /* depot_lock may be NULL */
    assert_true(mag_alloc(m, 0, 1, 100, 0, &e, NULL));
    const mag_stats *s = mag_get_stats(m);
    assert_int_equal(s->frees_cached + s->frees_through, 1);
    assert_int_equal(s->alloc_hits + s->alloc_misses, 1);
    mag_drain(m, NULL, NULL);
    mag_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(class_is_order_base_2_up_to_32_pages),
        cmocka_unit_test(free_then_alloc_on_the_same_cpu_is_lifo),
        cmocka_unit_test(other_cpu_sees_ranges_only_through_a_full_depot_magazine),
        cmocka_unit_test(overflow_goes_to_prev_then_depot_then_evicts),
        cmocka_unit_test(full_depot_without_evict_callback_refuses_the_range),
        cmocka_unit_test(evicted_ranges_carry_their_class_page_count),
        cmocka_unit_test(ranges_too_large_are_not_cached),
        cmocka_unit_test(alloc_respects_the_mask_limit),
        cmocka_unit_test(alloc_respects_alignment),
        cmocka_unit_test(only_the_chosen_magazine_is_searched),
        cmocka_unit_test(drain_gives_back_everything),
        cmocka_unit_test(stats_count_every_outcome_exactly),
        cmocka_unit_test(bad_arguments_are_rejected_without_side_effects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
