/* Memory timing: completion = max(arrival, channel free) + transfer +
 * latency, transfer = ceil(bytes * 10^6 / bandwidth_mbs) ps, for requests in
 * time order; the channel is a bandwidth calendar, so a request arriving out
 * of order is served in its own time when the channel is free then. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/tcesim_err.h"
#include "memory/memory.h"

/* 1000 MB/s = 1 byte per ns: 64 B take 64 000 ps on the channel. */
static void init_1gbs(mem_model *m, ps_t latency_ps)
{
    mem_params p = {.latency_ps = latency_ps, .bandwidth_mbs = 1000};
    assert_int_equal(mem_init(m, &p), TCESIM_OK);
}

static void unloaded_access_costs_transfer_plus_latency(void **state)
{
    mem_model m;
    init_1gbs(&m, 80000);
    assert_int_equal(mem_access(&m, 0x1000, 64, false, 5000), 5000 + 64000 + 80000);
    assert_int_equal(m.st.queue_ps, 0);
    mem_destroy(&m);
}

static void back_to_back_requests_queue_for_the_channel(void **state)
{
    mem_model m;
    init_1gbs(&m, 80000);
    assert_int_equal(mem_access(&m, 0, 64, false, 0), 64000 + 80000);
    assert_int_equal(mem_access(&m, 64, 64, false, 0), 128000 + 80000);
    assert_int_equal(mem_access(&m, 128, 64, true, 10000), 192000 + 80000);
    assert_int_equal(m.st.queue_ps, 0 + 64000 + (128000 - 10000));
    /* the channel is busy until 192 000: a request at 150 000 waits for it */
    assert_int_equal(mem_access(&m, 0, 8, false, 150000), 192000 + 8000 + 80000);
    assert_int_equal(m.st.queue_ps, 0 + 64000 + (128000 - 10000) + (192000 - 150000));
    mem_destroy(&m);
}

static void idle_gap_leaves_no_queueing(void **state)
{
    mem_model m;
    init_1gbs(&m, 80000);
    assert_int_equal(mem_access(&m, 0, 64, false, 0), 144000);
    /* channel free at 64 000; the next request comes long after */
    assert_int_equal(mem_access(&m, 0, 128, false, 1000000), 1000000 + 128000 + 80000);
    /* arriving exactly when the channel frees: no wait */
    assert_int_equal(mem_access(&m, 0, 8, false, 1128000), 1128000 + 8000 + 80000);
    assert_int_equal(m.st.queue_ps, 0);
    mem_destroy(&m);
}

static void out_of_order_arrival_is_served_in_its_own_time_when_free(void **state)
{
    mem_model m;
    init_1gbs(&m, 0);
    assert_int_equal(mem_access(&m, 0, 64, false, 100000), 164000);
    /* booked second, earlier in time: the channel is free over [0, 64 000) */
    assert_int_equal(mem_access(&m, 0, 64, false, 0), 64000);
    assert_int_equal(m.st.queue_ps, 0);
    /* earlier again, but running into [100 000, 164 000): it takes the
     * free time before it at the channel's 4096 ps bin granularity, i.e.
     * [80 000, 98 304) up to the bin where that booking began (18 304 ps),
     * and the remaining 45 696 ps after it */
    assert_int_equal(mem_access(&m, 0, 64, false, 80000), 164000 + 45696);
    assert_int_equal(m.st.queue_ps, 164000 + 45696 - 80000 - 64000);
    mem_destroy(&m);
}

static void transfer_time_rounds_up_to_whole_ps(void **state)
{
    mem_model m;
    mem_params p = {.latency_ps = 0, .bandwidth_mbs = 25600}; /* 25.6 GB/s */
    assert_int_equal(mem_init(&m, &p), TCESIM_OK);
    assert_int_equal(mem_access(&m, 0, 64, false, 0), 2500);        /* exact */
    assert_int_equal(mem_access(&m, 0, 1, false, 10000), 10000 + 40); /* 39.06 -> 40 */
    mem_destroy(&m);

    p.bandwidth_mbs = 7;
    assert_int_equal(mem_init(&m, &p), TCESIM_OK);
    assert_int_equal(mem_access(&m, 0, 3, false, 0), 428572); /* 428571.43 */
    mem_destroy(&m);

    p.bandwidth_mbs = UINT64_MAX; /* no overflow in the rounding */
    assert_int_equal(mem_init(&m, &p), TCESIM_OK);
    assert_int_equal(mem_access(&m, 0, 1, false, 0), 1);
    assert_int_equal(mem_access(&m, 0, UINT32_MAX, false, 0), 2);
    mem_destroy(&m);

    /* 1 MB/s: 1 us per byte. The calendar walks the transfer bin by bin
     * (O(transfer / bin)), so this stays at 3 KB rather than 4 GiB. */
    p.bandwidth_mbs = 1;
    assert_int_equal(mem_init(&m, &p), TCESIM_OK);
    assert_int_equal(mem_access(&m, 0, 3000, false, 0), 3000ull * 1000000ull);
    mem_destroy(&m);
}

static void empty_access_takes_latency_only(void **state)
{
    mem_model m;
    init_1gbs(&m, 500);
    assert_int_equal(mem_access(&m, 0, 0, false, 7), 507);
    /* it left the channel free: a request at the same time does not wait */
    assert_int_equal(mem_access(&m, 0, 64, false, 7), 7 + 64000 + 500);
    assert_int_equal(m.st.queue_ps, 0);
    mem_destroy(&m);
}

static void stats_split_reads_and_writes(void **state)
{
    mem_model m;
    init_1gbs(&m, 0);
    mem_access(&m, 0, 8, false, 0);
    mem_access(&m, 0, 64, true, 0);
    mem_access(&m, 0, 256, true, 0);
    assert_int_equal(m.st.reads, 1);
    assert_int_equal(m.st.read_bytes, 8);
    assert_int_equal(m.st.writes, 2);
    assert_int_equal(m.st.write_bytes, 320);
    assert_int_equal(m.st.queue_ps, 8000 + 72000);

    /* a fresh model starts with an idle channel and zero counters */
    mem_destroy(&m);
    init_1gbs(&m, 0);
    assert_int_equal(m.st.reads + m.st.writes + m.st.queue_ps, 0);
    assert_int_equal(mem_access(&m, 0, 1, false, 0), 1000);
    mem_destroy(&m);
}

static void zero_bandwidth_is_einval(void **state)
{
    mem_model m;
    mem_params p = {.latency_ps = 1, .bandwidth_mbs = 0};
    assert_int_equal(mem_init(&m, &p), TCESIM_EINVAL);
    assert_int_equal(mem_init(&m, NULL), TCESIM_EINVAL);
    p.bandwidth_mbs = 1;
    assert_int_equal(mem_init(NULL, &p), TCESIM_EINVAL);
    mem_destroy(NULL); /* accepted */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unloaded_access_costs_transfer_plus_latency),
        cmocka_unit_test(back_to_back_requests_queue_for_the_channel),
        cmocka_unit_test(idle_gap_leaves_no_queueing),
        cmocka_unit_test(out_of_order_arrival_is_served_in_its_own_time_when_free),
        cmocka_unit_test(transfer_time_rounds_up_to_whole_ps),
        cmocka_unit_test(empty_access_takes_latency_only),
        cmocka_unit_test(stats_split_reads_and_writes),
        cmocka_unit_test(zero_bandwidth_is_einval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
