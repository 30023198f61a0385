// PhbModule between an initiator tester and a mock memory target (exact
// latencies, no calendars): the PHB owns the inbound path, translation,
// data access and the release of the root complex's read entry, which it
// times on the link of the device bound to the port the read came in on.
#include "sc_bench.hpp"
#include <memory>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "components/payload.hpp"
#include "components/phb/phb_module.hpp"

extern "C" {
#include "endpoint/endpoint.h"
#include "memory/physmem.h"
#include "tvt/tve.h"
}

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

static const ps_t kMemPs = 100000;    // the mock memory: 100 ns, no queueing
static const ps_t kBypassPs = 4000;   // phb.bypass_ns = 4
static const uint16_t kRid = 0x0100;  // 01:00.0 on PE 1
static const uint64_t kBus = TVE_BYPASS_BIT59 | 0x100000;
static const ps_t kForeignAt = 10000000;  // the RidExt read: issued at 10 us,
static const ps_t kForeignDelay = 500000; // 500 ns ahead of SystemC time

struct MockMemory : sc_module {
    tlm_utils::simple_target_socket<MockMemory> sock;
    explicit MockMemory(sc_module_name n) : sc_module(n), sock("sock")
    {
        sock.register_b_transport(this, &MockMemory::b_transport);
    }
    void b_transport(tlm::tlm_generic_payload &gp, sc_time &)
    {
        TimeExt *te = gp.get_extension<TimeExt>();
        te->done_ps = te->arrival_ps + kMemPs;
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    }
};

// What the tester saw of each TLP.
struct Seen {
    ps_t done_ps = 0, slot_wait_ps = 0;
    int kind = -1;
    ps_t delay_ps = 0; // b_transport's delay on return
};

struct Tester : sc_module {
    tlm_utils::simple_initiator_socket<Tester> sock;
    endpoint ep{};
    Seen seen[3];
    Seen foreign;                 // a RidExt read (a platform's initiator)
    Seen foreign_bare_;           // a read with neither extension
    int bare_status = 0;
    SC_HAS_PROCESS(Tester);
    explicit Tester(sc_module_name n) : sc_module(n), sock("sock")
    {
        ep_params p{};
        assert_int_equal(ep_link_parse("gen3x8", &p.link), 0);
        p.mps = 256;
        p.mrrs = 512;
        p.tags = 32;
        p.rcb = 128;
        assert_int_equal(ep_init(&ep, &p), 0);
        SC_THREAD(run);
    }
    ~Tester() override { ep_destroy(&ep); }
    void send(int i, bool is_write, ps_t arrival)
    {
        tlm::tlm_generic_payload gp;
        TimeExt te;
        unsigned char data[64] = {0};
        gp.set_extension(&te);
        gp.set_data_ptr(data);
        gp.set_data_length(64);
        gp.set_streaming_width(64);
        gp.set_byte_enable_ptr(nullptr);
        gp.set_address(kBus);
        gp.set_command(is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        te.rid = kRid;
        te.arrival_ps = arrival;
        // Issued at sc_time_stamp() = 0: the LT delay in is the arrival.
        sc_time d = sc_time::from_value(arrival);
        sock->b_transport(gp, d);
        seen[i].delay_ps = d.value();
        seen[i].done_ps = te.done_ps;
        seen[i].slot_wait_ps = te.xlate.slot_wait_ps;
        seen[i].kind = te.xlate.kind;
        gp.clear_extension(&te);
    }
    // A read as a platform's endpoint sends it: its RID in a RidExt, no
    // TimeExt, issued at sc_time_stamp() with `delay_ps` of local time.
    void send_foreign(const RidExt *rid, ps_t delay_ps, Seen &out, int &status)
    {
        tlm::tlm_generic_payload gp;
        unsigned char data[64] = {0};
        RidExt copy = rid ? *rid : RidExt();
        if (rid)
            gp.set_extension(&copy);
        gp.set_data_ptr(data);
        gp.set_data_length(64);
        gp.set_streaming_width(64);
        gp.set_address(kBus);
        gp.set_command(tlm::TLM_READ_COMMAND);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_time d = sc_time::from_value(delay_ps);
        sock->b_transport(gp, d);
        out.delay_ps = d.value();
        status = gp.get_response_status();
        if (rid)
            gp.clear_extension(&copy);
    }
    void run()
    {
        send(0, false, 0);     // a read: takes the only read entry
        send(1, false, 1000);  // a read 1 ns later: waits for the entry
        send(2, true, 2000);   // a write: posted, needs no read entry
        wait(sc_time::from_value(kForeignAt));
        RidExt rid(kRid);
        int status = 0;
        send_foreign(&rid, kForeignDelay, foreign, status);
        foreign.kind = status;
        send_foreign(nullptr, 0, foreign_bare_, bare_status);
    }
};

struct Bench {
    physmem *mem = physmem_create();
    Epochs epochs;
    Timeline timeline;
    MockMemory memory{"memory"};
    std::unique_ptr<PhbModule> phb;
    Tester tester{"tester"};
    Bench()
    {
        phb_params p{};
        p.gen = PHB_GEN3;
        p.lookup_ps = 8000;
        p.bypass_ps = kBypassPs;
        p.fetch_slots = 1;
        p.line_bytes = 128;
        p.kill_slots = 1;
        p.read_slots = 1;
        p.cache.entries = 64;
        phb = std::make_unique<PhbModule>("phb", p, mem, epochs, timeline);
        assert_true(phb->ok());
        phb->mem_sock.bind(memory.sock);
        tester.sock.bind(phb->dev_sock);
        phb->attach_link(0, &tester.ep);
        phb_set_rid(phb->model(), kRid, 1);
        tve t{};
        t.kind = TVE_BYPASS;
        t.start = 0;
        t.end = (1ull << 36) - 1;
        uint64_t raw;
        assert_int_equal(tve_encode(PHB_GEN3, &t, &raw), 0);
        assert_int_equal(phb_set_tve(phb->model(), 1u << 1 | 1, raw), 0);
    }
    ~Bench()
    {
        phb.reset();
        physmem_destroy(mem);
    }
};

static Bench *&bench = ScBench<Bench>::bench;

static void a_bypass_read_costs_the_bypass_and_the_memory_access(void **state)
{
    (void)state;
    assert_int_equal(bench->tester.seen[0].kind, PHB_XLATE_BYPASS);
    assert_int_equal(bench->tester.seen[0].done_ps, kBypassPs + kMemPs);
    assert_int_equal(bench->tester.seen[0].slot_wait_ps, 0);
}

// TLM-2.0's timing annotation (IEEE 1666-2011, the blocking transport
// interface: a target adds its latency to the delay, so sc_time_stamp() +
// delay is when the transaction ends): issued at time 0, each TLP's delay
// out is its completion.
static void the_delay_returned_ends_at_the_completion(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++)
        assert_int_equal(bench->tester.seen[i].delay_ps, bench->tester.seen[i].done_ps);
}

static void a_read_waits_until_the_previous_reads_completions_have_left_its_link(void **state)
{
    (void)state;
    // The entry frees when the first read's data is back (kBypassPs + kMemPs)
    // plus the time its completions take on the tester's link.
    ps_t wire = ep_cpl_wire_ps(&bench->tester.ep, kBus, 64);
    assert_true(wire > 0);
    ps_t freed = kBypassPs + kMemPs + wire;
    assert_int_equal(bench->tester.seen[1].slot_wait_ps, freed - 1000);
    assert_int_equal(bench->tester.seen[1].done_ps, freed + kBypassPs + kMemPs);
    assert_int_equal(phb_get_stats(bench->phb->model())->read_slot_waits, 1);
}

static void a_write_needs_no_read_entry(void **state)
{
    (void)state;
    assert_int_equal(bench->tester.seen[2].slot_wait_ps, 0);
    assert_int_equal(bench->tester.seen[2].done_ps, 2000 + kBypassPs + kMemPs);
}

// A platform's initiator (RidExt, no TimeExt) is timed from sc_time_stamp()
// + its delay, and gets back its delay plus the PHB's latency, as IEEE
// 1666-2011's loosely timed b_transport has it: bypass + memory here, the
// read entry long free.
static void a_rid_extension_read_is_timed_from_its_delay(void **state)
{
    (void)state;
    assert_int_equal(bench->tester.foreign.kind, tlm::TLM_OK_RESPONSE);
    assert_int_equal(bench->tester.foreign.delay_ps, kForeignDelay + kBypassPs + kMemPs);
}

// Without a requester there is nothing to translate: an error response, no
// count (the model saw nothing).
static void a_transaction_without_a_requester_gets_a_generic_error(void **state)
{
    (void)state;
    assert_int_equal(bench->tester.bare_status, tlm::TLM_GENERIC_ERROR_RESPONSE);
    assert_int_equal(bench->tester.foreign_bare_.delay_ps, 0);
    assert_int_equal(phb_get_stats(bench->phb->model())->lookups + phb_get_stats(bench->phb->model())->bypass, 4);
}

// sim.warmup_ns: the PHB's counters restart (the bypass TLPs and the read
// entry's wait above); the TVE and RID programming stay.
static void reset_stats_zeroes_the_counters_only(void **state)
{
    (void)state;
    phb *m = bench->phb->model();
    assert_int_equal(phb_get_stats(m)->bypass, 4); // three TimeExt TLPs, one RidExt
    bench->phb->reset_stats();
    assert_int_equal(phb_get_stats(m)->bypass, 0);
    assert_int_equal(phb_get_stats(m)->read_slot_waits, 0);
    assert_int_equal(phb_get_pe_stats(m, 1)->bypass, 0);
    assert_int_equal(bench->phb->xlate_latency().count(), 0);
    assert_int_equal(bench->phb->warmup_faults(), 0);
    assert_int_equal(phb_pe_of_rid(m, kRid), 1);
    assert_int_equal(phb_get_tve(m, 1u << 1 | 1)->kind, TVE_BYPASS);
}

int sc_main(int, char **) { return 0; }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_bypass_read_costs_the_bypass_and_the_memory_access),
        cmocka_unit_test(the_delay_returned_ends_at_the_completion),
        cmocka_unit_test(a_read_waits_until_the_previous_reads_completions_have_left_its_link),
        cmocka_unit_test(a_write_needs_no_read_entry),
        cmocka_unit_test(a_rid_extension_read_is_timed_from_its_delay),
        cmocka_unit_test(a_transaction_without_a_requester_gets_a_generic_error),
        cmocka_unit_test(reset_stats_zeroes_the_counters_only),
    };
    return cmocka_run_group_tests(tests, ScBench<Bench>::run_once, ScBench<Bench>::teardown);
}
