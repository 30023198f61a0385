// The latency histogram's axis (sim/stats.hpp): a sample lands in the last
// bucket whose lower edge is at or below it, the edges being those the
// header documents (1 ns wide below 100 ns, then 100 ns * 1.01^j, the last
// bucket open-ended). The expectation is a plain search of those edges as
// doubles, not the axis' integer tables; percentiles are checked against
// nearest-rank values worked out by hand.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "stats.hpp"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
extern "C" {
#include <cmocka.h>
}

using tcesim::LatencyAxis;
using tcesim::LatencyHist;

// The documented edges, computed here: edge(k) = k ns for k <= 100, else
// 100 ns * 1.01^(k - 100).
static double doc_edge_ps(int k) { return k <= 100 ? k * 1000.0 : 100000.0 * std::pow(1.01, k - 100); }

// The last bucket whose lower edge is <= ps (of 2100 buckets).
static int doc_bucket(uint64_t ps)
{
    int lo = 0, hi = 2099; // doc_edge_ps(lo) <= ps always (edge 0)
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (doc_edge_ps(mid) <= static_cast<double>(ps))
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static void check(uint64_t ps)
{
    int want = doc_bucket(ps), got = LatencyAxis::index_ps(ps);
    if (got != want)
        fail_msg("sample %llu ps: bucket %d, want %d", static_cast<unsigned long long>(ps), got, want);
}

// Both sides of every edge, where a bucketing error would show first.
static void every_edge_and_its_neighbours(void **)
{
    for (int k = 1; k <= 2100; k++) {
        double e = doc_edge_ps(k);
        uint64_t f = static_cast<uint64_t>(std::floor(e));
        for (uint64_t d = 0; d < 3; d++) {
            check(f + d);
            if (f >= d)
                check(f - d);
        }
    }
}

// Log-uniform samples from 1 ps to 10^15 ps, past the last edge (4.4e13).
static void log_uniform_samples(void **)
{
    uint64_t x = 88172645463325252ull; // xorshift64
    for (int i = 0; i < 2000000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double exp10 = static_cast<double>(x >> 11) / 9007199254740992.0 * 15.0;
        check(static_cast<uint64_t>(std::pow(10.0, exp10)));
    }
    check(0);
    check(UINT64_MAX);
    assert_int_equal(LatencyAxis::index_ps(UINT64_MAX), 2099);
    assert_int_equal(LatencyAxis::index_ps(99999), 99);
    assert_int_equal(LatencyAxis::index_ps(100000), 100);
}

// Nearest rank by hand: samples 1..100 ns, one each: p50 is the 50th (50 ns,
// read as its 1 ns bucket's midpoint 50.5), p99 the 99th (99.5); 150 ns sits
// in bucket j = floor(log(1.5)/log(1.01)) = 40 = [148.89, 150.38) ns.
static void percentiles_by_nearest_rank(void **)
{
    LatencyHist h;
    for (uint64_t ns = 1; ns <= 100; ns++)
        h.add(ns * 1000);
    assert_int_equal(h.count(), 100);
    assert_true(std::fabs(h.percentile_ns(0.50) - 50.5) < 1e-9);
    assert_true(std::fabs(h.percentile_ns(0.99) - 99.5) < 1e-9);
    assert_true(std::fabs(h.percentile_ns(1.0) - 100.0) < 1e-9); // clamped to the exact max
    LatencyHist g;
    g.add(150000);
    g.add(150000);
    assert_int_equal(LatencyAxis::index_ps(150000), 140);
    double lo = 100.0 * std::pow(1.01, 40), hi = 100.0 * std::pow(1.01, 41);
    assert_true(lo <= 150.0 && 150.0 < hi);
    assert_true(std::fabs(g.percentile_ns(0.5) - 150.0) < 1e-9); // midpoint clamped to min = max
}

// libsystemc (linked through tcesim_simlib) wants one.
extern "C" int sc_main(int, char **) { return 0; }

int main()
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_edge_and_its_neighbours),
        cmocka_unit_test(log_uniform_samples),
        cmocka_unit_test(percentiles_by_nearest_rank),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
