// Feeder between a trace and consumer stubs on its actor queues: events go
// to their actor's queue in trace order, released no earlier than one
// quantum before their time; a map creates the handle's mapping record and
// places a buffer without pa=; an unmap waits for the device ops on its
// handle before it; a device op after its handle's unmap is stale.
#include "sc_bench.hpp"
#include <cstdio>
#include <string>
#include <vector>

#include <systemc>
#include <unistd.h>

#include "components/feeder/feeder.hpp"

// cmocka last: it defines fail() and skip() as macros.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}

using namespace tcesim;
using namespace sc_core;

static const ps_t kQuantumPs = 1000000; // 1 us

// What a consumer saw: the event, when it was released, and the feeder's
// replay annotations.
struct Got {
    tr_op op;
    uint64_t time_ns;
    ps_t released_ps;
    uint64_t wait_ops;
    bool stale;
    MappingRef map;
    uint64_t pa;
};

struct Consumer : sc_module {
    ActorQueue &q;
    std::vector<Got> got;
    SC_HAS_PROCESS(Consumer);
    Consumer(sc_module_name n, ActorQueue &queue) : sc_module(n), q(queue) { SC_THREAD(run); }
    void run()
    {
        bool waited = false;
        QEvent e;
        while (q.pop(e, waited))
            got.push_back(Got{e.ev.op, e.ev.time_ns, sc_time_stamp().value(), e.wait_ops, e.stale, e.map, e.ev.pa});
    }
};

struct Bench {
    // Per process: other builds may run this test at the same time.
    std::string path = "/tmp/tcesim_test_feeder." + std::to_string(getpid()) + ".trace";
    tr_source src{};
    Schedule sched{kQuantumPs};
    Timeline timeline; // off
    std::vector<std::string> clash = std::vector<std::string>(1); // no RID clashes
    std::vector<int32_t> slot = std::vector<int32_t>(TR_MAX_DEVICES, -1); // dev0 in slot 0
    physalloc palloc{};
    std::vector<ActorQueue> cpu_q = std::vector<ActorQueue>(1), dev_q = std::vector<ActorQueue>(1);
    Consumer cpu{"cpu0", cpu_q[0]}, dev{"dev0", dev_q[0]};
    std::unique_ptr<Feeder> feeder;
    Bench()
    {
        FILE *f = std::fopen(path.c_str(), "w");
        assert_non_null(f);
        std::fputs("tcesim-trace 1\n"
                   "device id=0 rid=01:00.0\n"
                   "0     cpu0 map   dev=0 h=1 size=4096 dir=bidirectional\n"
                   "100   dev0 read  h=1 off=0 len=64\n"
                   "200   dev0 write h=1 off=64 len=64\n"
                   "5000  cpu0 unmap h=1\n"
                   "6000  dev0 read  h=1 off=0 len=64\n",
                   f);
        std::fclose(f);
        tr_error err;
        assert_int_equal(tr_open(path.c_str(), &src, &err), 0);
        assert_int_equal(physalloc_init(&palloc, 1ull << 30, 16, 1), 0);
        slot[0] = 0;
        feeder = std::make_unique<Feeder>("feeder", FeederWiring{sched, src, palloc, cpu_q, dev_q, timeline, clash, slot,
                                                                 TR_DEAD_HANDLES_DEFAULT});
    }
    ~Bench()
    {
        feeder.reset();
        tr_close(&src);
        std::remove(path.c_str());
    }
};

static Bench *&bench = ScBench<Bench>::bench;

static void events_reach_their_actors_queue_in_trace_order(void **state)
{
    (void)state;
    assert_int_equal(bench->feeder->events(), 5);
    assert_int_equal(bench->sched.error_code(), 0);
    const auto &c = bench->cpu.got, &d = bench->dev.got;
    assert_int_equal(c.size(), 2);
    assert_int_equal(d.size(), 3);
    assert_int_equal(c[0].op, TR_MAP);
    assert_int_equal(c[1].op, TR_UNMAP);
    assert_int_equal(d[0].time_ns, 100);
    assert_int_equal(d[1].time_ns, 200);
    assert_int_equal(d[2].time_ns, 6000);
}

static void an_event_is_released_no_earlier_than_one_quantum_before_its_time(void **state)
{
    (void)state;
    for (const Got &g : bench->dev.got)
        assert_true(g.released_ps + kQuantumPs >= ps_from_ns(g.time_ns));
}

static void a_map_creates_the_handles_record_and_places_its_buffer(void **state)
{
    (void)state;
    const Got &map = bench->cpu.got[0];
    assert_non_null(map.map.get());
    assert_int_equal(map.map->dev, 0);
    assert_true(map.pa != 0 && map.pa % 4096 == 0 && map.pa < (1ull << 30));
    for (const Got &g : bench->dev.got)
        assert_ptr_equal(g.map.get(), map.map.get());
}

static void an_unmap_waits_for_the_device_ops_before_it_and_later_ones_are_stale(void **state)
{
    (void)state;
    const Got &unmap = bench->cpu.got[1];
    assert_int_equal(unmap.wait_ops, 2);
    assert_int_equal(unmap.map->dev_ops_fed, 2);
    assert_false(bench->dev.got[0].stale);
    assert_false(bench->dev.got[1].stale);
    assert_true(bench->dev.got[2].stale);
}

int sc_main(int, char **) { return 0; }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(events_reach_their_actors_queue_in_trace_order),
        cmocka_unit_test(an_event_is_released_no_earlier_than_one_quantum_before_its_time),
        cmocka_unit_test(a_map_creates_the_handles_record_and_places_its_buffer),
        cmocka_unit_test(an_unmap_waits_for_the_device_ops_before_it_and_later_ones_are_stale),
    };
    return cmocka_run_group_tests(tests, ScBench<Bench>::run_once, ScBench<Bench>::teardown);
}
