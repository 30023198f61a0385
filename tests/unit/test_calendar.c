/* The bandwidth calendar (models/common/calendar.h): in-order bookings are
 * exactly max(t, busy_until) + service, checked against a reference
 * busy-until loop; out-of-order bookings are served in their own time when
 * the resource is idle then; a saturated resource serves N bookings in N
 * services, even with a backlog longer than the ring; mixed-order bookings
 * equal a bin-by-bin scan of the header's rules (no skip pointers, no run
 * of full bins: the shortcuts must not change a result). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "common/calendar.h"
#include "common/rng.h"
#include "common/tcesim_err.h"

static void init_rejects_zero_bin_and_non_power_of_two_bins(void **state)
{
    (void)state;
    calendar c;
    assert_int_equal(calendar_init(&c, 0, 16), TCESIM_EINVAL);
    calendar_destroy(&c);
    assert_int_equal(calendar_init(&c, 1000, 0), TCESIM_EINVAL);
    calendar_destroy(&c);
    assert_int_equal(calendar_init(&c, 1000, 12), TCESIM_EINVAL);
    calendar_destroy(&c);
    assert_int_equal(calendar_init(&c, 1000, 16), TCESIM_OK);
    calendar_destroy(&c);
    calendar_destroy(&c); /* a destroyed calendar is a zeroed one */
}

static void idle_booking_is_done_after_its_service(void **state)
{
    (void)state;
    calendar c;
    assert_int_equal(calendar_init(&c, 1000, 64), TCESIM_OK);
    assert_int_equal(calendar_book(&c, 500, 100), 600);
    assert_int_equal(calendar_book(&c, 10000, 2500), 12500); /* spans 3 bins */
    assert_int_equal(calendar_book(&c, 20000, 0), 20000);     /* no work: no wait */
    calendar_destroy(&c);
}

/* Starting mid-bin: the second booking arrives while the first is still
 * being served and must wait for it (600), not start at 550. */
static void in_order_booking_waits_for_work_started_mid_bin(void **state)
{
    (void)state;
    calendar c;
    assert_int_equal(calendar_init(&c, 1000, 64), TCESIM_OK);
    assert_int_equal(calendar_book(&c, 500, 100), 600);
    assert_int_equal(calendar_book(&c, 550, 100), 700);
    assert_int_equal(calendar_book(&c, 700, 400), 1100); /* crosses into bin 1 */
    assert_int_equal(calendar_book(&c, 1050, 10), 1110);
    calendar_destroy(&c);
}

/* Random in-order sequences (non-decreasing t, assorted services, gaps
 * shorter and longer than a bin) against the reference busy-until loop. */
static void in_order_bookings_equal_reference_busy_until(void **state)
{
    (void)state;
    static const ps_t bins[] = {1000, 8000, 7};
    for (unsigned bi = 0; bi < sizeof bins / sizeof bins[0]; bi++) {
        for (uint64_t seed = 1; seed <= 5; seed++) {
            calendar c;
            assert_int_equal(calendar_init(&c, bins[bi], 1u << 12), TCESIM_OK);
            rng r;
            rng_seed(&r, seed, 0);
            ps_t t = 0, busy_until = 0;
            for (int i = 0; i < 20000; i++) {
                t += rng_below(&r, 3 * bins[bi]);
                ps_t service = 1 + rng_below(&r, 2 * bins[bi]); /* 0 takes no channel time */
                ps_t want = ps_max(t, busy_until) + service;
                busy_until = want;
                ps_t got = calendar_book(&c, t, service);
                if (got != want)
                    fail_msg("bin %llu seed %llu booking %d at t=%llu service %llu: got %llu, want %llu",
                             (unsigned long long)bins[bi], (unsigned long long)seed, i,
                             (unsigned long long)t, (unsigned long long)service,
                             (unsigned long long)got, (unsigned long long)want);
            }
            calendar_destroy(&c);
        }
    }
}

static void out_of_order_booking_is_served_in_its_own_time_when_idle(void **state)
{
    (void)state;
    calendar c;
    assert_int_equal(calendar_init(&c, 1000, 1024), TCESIM_OK);
    /* booked first, later in time */
    assert_int_equal(calendar_book(&c, 100000, 64000), 164000);
    /* earlier in time, the resource idle then: its own time, not 164000 + */
    assert_int_equal(calendar_book(&c, 0, 64000), 64000);
    /* earlier, but running into the later booking: served around it */
    assert_int_equal(calendar_book(&c, 80000, 30000), 80000 + 20000 + 64000 + 10000);
    /* after everything: in-order again */
    assert_int_equal(calendar_book(&c, 174000, 1000), 175000);
    calendar_destroy(&c);
}

static void saturation_n_bookings_at_zero_finish_at_n_services(void **state)
{
    (void)state;
    calendar c;
    assert_int_equal(calendar_init(&c, 1000, 1024), TCESIM_OK);
    for (ps_t n = 1; n <= 500; n++)
        assert_int_equal(calendar_book(&c, 0, 1500), n * 1500);
    calendar_destroy(&c);
}

/* A backlog, then a short booking well after it (inside one bin, filling
 * none), then a booking inside the backlog: by the rules it takes the first
 * free capacity after the backlog (bin 3, idle), not a place after the
 * latest booking. Worked out by hand, bins of 1 ns. */
static void a_booking_behind_a_backlog_takes_the_open_bin_before_a_later_booking(void **state)
{
    (void)state;
    calendar c;
    assert_int_equal(calendar_init(&c, 1000, 64), TCESIM_OK);
    assert_int_equal(calendar_book(&c, 0, 3000), 3000);      /* bins 0-2 full */
    assert_int_equal(calendar_book(&c, 10500, 200), 10700);  /* bin 10, part */
    assert_int_equal(calendar_book(&c, 500, 1000), 4000);    /* bin 3 */
    assert_int_equal(calendar_book(&c, 1500, 500), 4500);    /* bin 4 */
    assert_int_equal(calendar_book(&c, 10000, 1000), 11700); /* after bin 10's work */
    calendar_destroy(&c);
}

/* 100k bookings at t = 0 build a backlog of 100k bins, longer than the ring
 * (65536 bins): every booking must still queue behind all the earlier ones,
 * and the skip pointers keep each booking cheap. */
static void long_backlog_longer_than_the_ring_stays_exact(void **state)
{
    (void)state;
    calendar c;
    assert_int_equal(calendar_init(&c, 1000, 1u << 16), TCESIM_OK);
    ps_t done = 0;
    for (ps_t n = 1; n <= 100000; n++) {
        done = calendar_book(&c, 0, 1000);
        if (done != n * 1000)
            fail_msg("booking %llu done at %llu, want %llu", (unsigned long long)n,
                     (unsigned long long)done, (unsigned long long)(n * 1000));
    }
    assert_int_equal(done, 100000ull * 1000);
    /* the same with services of many bins (memory: 64 B at 1 GB/s) */
    calendar_destroy(&c);
    assert_int_equal(calendar_init(&c, 1000, 1u << 16), TCESIM_OK);
    for (ps_t n = 1; n <= 100000; n++) {
        done = calendar_book(&c, 0, 64000);
        if (done != n * 64000)
            fail_msg("booking %llu done at %llu, want %llu", (unsigned long long)n,
                     (unsigned long long)done, (unsigned long long)(n * 64000));
    }
    calendar_destroy(&c);
}

/* The header's rules, bin by bin: a booking takes free capacity from bin(t)
 * on, never before a bin's high-water mark; a full bin, or one older than
 * the ring (more than nbins - 1 behind the newest bin booked), is passed
 * over. Bins are kept by absolute number (no ring), so only the rules are
 * shared with the model, not its shortcuts. */
typedef struct ref_cal {
    ps_t bin;
    uint64_t ring;   /* the model's nbins: the staleness rule */
    uint64_t nbins;  /* absolute bins kept */
    ps_t *used;
    uint64_t newest;
} ref_cal;

static ps_t ref_book(ref_cal *r, ps_t t, ps_t service)
{
    ps_t cursor = t;
    uint64_t b = t / r->bin;
    while (service) {
        assert_true(b < r->nbins);
        int stale = r->newest >= r->ring && b < r->newest - (r->ring - 1);
        if (stale || r->used[b] >= r->bin) {
            b++;
            cursor = ps_max(cursor, b * r->bin);
            continue;
        }
        ps_t start = b * r->bin, end = start + r->bin;
        ps_t from = ps_max(cursor, start + r->used[b]);
        ps_t take = ps_min(service, end - from);
        r->used[b] = from + take - start;
        if (b > r->newest)
            r->newest = b;
        service -= take;
        cursor = from + take;
        if (service) {
            b++;
            cursor = ps_max(cursor, end);
        }
    }
    return cursor;
}

/* Bookings in call order, not time order: a clock that mostly advances,
 * bookings up to `back` bins before it, bursts at one time, services from
 * nothing to several bins; a saturating phase and an idle one. Ring 4096
 * (no booking is ever that far behind) and 64 (the staleness rule). */
static void mixed_order_bookings_equal_bin_by_bin_scan(void **state)
{
    (void)state;
    static const uint32_t rings[] = {1u << 12, 64};
    for (unsigned ri = 0; ri < 2; ri++) {
        for (uint64_t seed = 1; seed <= 6; seed++) {
            const ps_t bin = seed & 1 ? 1000 : 8192;
            calendar c;
            assert_int_equal(calendar_init(&c, bin, rings[ri]), TCESIM_OK);
            ref_cal r = {bin, rings[ri], 1u << 20, calloc(1u << 20, sizeof(ps_t)), 0};
            assert_non_null(r.used);
            rng g;
            rng_seed(&g, seed, 7);
            ps_t clock = 10 * bin;
            for (int i = 0; i < 60000; i++) {
                int saturating = (i / 5000) % 2 == 0;
                clock += rng_below(&g, saturating ? bin / 2 : 4 * bin);
                ps_t back = rng_below(&g, 8) == 0 ? rng_below(&g, 40 * bin) : rng_below(&g, bin);
                ps_t t = clock > back ? clock - back : 0;
                ps_t service = rng_below(&g, 6) == 0 ? 0 : 1 + rng_below(&g, 3 * bin);
                unsigned burst = rng_below(&g, 10) == 0 ? 1 + (unsigned)rng_below(&g, 8) : 1;
                for (unsigned k = 0; k < burst; k++) {
                    ps_t want = ref_book(&r, t, service);
                    ps_t got = calendar_book(&c, t, service);
                    if (got != want)
                        fail_msg("ring %u seed %llu booking %d.%u at t=%llu service %llu: got %llu, want %llu",
                                 rings[ri], (unsigned long long)seed, i, k, (unsigned long long)t,
                                 (unsigned long long)service, (unsigned long long)got, (unsigned long long)want);
                }
            }
            free(r.used);
            calendar_destroy(&c);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_rejects_zero_bin_and_non_power_of_two_bins),
        cmocka_unit_test(idle_booking_is_done_after_its_service),
        cmocka_unit_test(in_order_booking_waits_for_work_started_mid_bin),
        cmocka_unit_test(in_order_bookings_equal_reference_busy_until),
        cmocka_unit_test(out_of_order_booking_is_served_in_its_own_time_when_idle),
        cmocka_unit_test(saturation_n_bookings_at_zero_finish_at_n_services),
        cmocka_unit_test(long_backlog_longer_than_the_ring_stays_exact),
        cmocka_unit_test(a_booking_behind_a_backlog_takes_the_open_bin_before_a_later_booking),
        cmocka_unit_test(mixed_order_bookings_equal_bin_by_bin_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
