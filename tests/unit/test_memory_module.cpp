// MemoryTarget is a thin TLM wrapper (as libsystemctlm-soc's are): with a
// TimeExt it returns models/memory's completion time for the payload's
// absolute arrival; without one it is a plain LT target that adds the
// latency to the delay. Driven by HostPort (the host's TCE-store initiator)
// and a plain initiator, against a reference mem_model with the same
// parameters fed the same accesses.
#include "sc_bench.hpp"
#include <memory>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "components/host/host_complex.hpp"
#include "components/memory/memory_module.hpp"

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

static mem_params params()
{
    mem_params p{};
    p.latency_ps = 100000;
    p.bandwidth_mbs = 64000;
    return p;
}

struct Plain : sc_module {
    tlm_utils::simple_initiator_socket<Plain> sock;
    HostPort &port;
    ps_t store_done[3] = {0};
    sc_time lt_delay;
    SC_HAS_PROCESS(Plain);
    Plain(sc_module_name n, HostPort &p) : sc_module(n), sock("sock"), port(p) { SC_THREAD(run); }
    void run()
    {
        // Three TCE stores, the last two at the same time: the channel queues them.
        store_done[0] = port.store(0x1000, 8, 0);
        store_done[1] = port.store(0x2000, 64, 500000);
        store_done[2] = port.store(0x3000, 64, 500000);
        // A plain LT read, no TimeExt, issued at sc_time_stamp() = 0 with a 1 us delay.
        tlm::tlm_generic_payload gp;
        unsigned char data[64] = {0};
        gp.set_data_ptr(data);
        gp.set_data_length(64);
        gp.set_streaming_width(64);
        gp.set_byte_enable_ptr(nullptr);
        gp.set_address(0x4000);
        gp.set_command(tlm::TLM_READ_COMMAND);
        lt_delay = sc_time::from_value(1000000);
        sock->b_transport(gp, lt_delay);
        assert_true(gp.is_response_ok());
    }
};

struct Bench {
    MemoryTarget memory{"memory", params()};
    HostPort port{"host_port"};
    Plain plain{"plain", port};
    Bench()
    {
        assert_true(memory.ok());
        port.sock.bind(memory.sock);
        plain.sock.bind(memory.sock);
    }
};

static Bench *&bench = ScBench<Bench>::bench;

static void each_access_completes_when_the_memory_model_says(void **state)
{
    (void)state;
    mem_model ref{};
    mem_params p = params();
    assert_int_equal(mem_init(&ref, &p), 0);
    assert_int_equal(bench->plain.store_done[0], mem_access(&ref, 0x1000, 8, true, 0));
    assert_int_equal(bench->plain.store_done[1], mem_access(&ref, 0x2000, 64, true, 500000));
    assert_int_equal(bench->plain.store_done[2], mem_access(&ref, 0x3000, 64, true, 500000));
    // The LT read arrived at sc_time_stamp() + delay = 1 us; the delay now ends at its completion.
    assert_int_equal(bench->plain.lt_delay.value(), mem_access(&ref, 0x4000, 64, false, 1000000));
    assert_true(bench->plain.store_done[2] > bench->plain.store_done[1]); // queued behind the other
    assert_int_equal(bench->memory.stats().writes, 3);
    assert_int_equal(bench->memory.stats().reads, 1);
    mem_destroy(&ref);
}

// sim.warmup_ns: the counters restart, the channel's bookings stay (an
// access now still queues behind the earlier ones' reservations).
static void reset_stats_zeroes_the_counters_only(void **state)
{
    (void)state;
    assert_true(bench->memory.stats().writes > 0);
    bench->memory.reset_stats();
    assert_int_equal(bench->memory.stats().writes, 0);
    assert_int_equal(bench->memory.stats().reads, 0);
    assert_int_equal(bench->memory.stats().write_bytes, 0);
    assert_int_equal(bench->memory.stats().queue_ps, 0);
}

int sc_main(int, char **) { return 0; }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_access_completes_when_the_memory_model_says),
        cmocka_unit_test(reset_stats_zeroes_the_counters_only),
    };
    return cmocka_run_group_tests(tests, ScBench<Bench>::run_once, ScBench<Bench>::teardown);
}
