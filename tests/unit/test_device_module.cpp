// DeviceModule between a driver that fills its queue and a mock PHB target
// with exact latencies: an access is split into TLPs by MRRS (reads) or MPS
// (writes), each TLP's time is split into the breakdown's parts, a faulted
// TLP makes the access faulted and is the run's first fault.
#include "sc_bench.hpp"
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "components/device/device_module.hpp"
#include "components/payload.hpp"

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

static const ps_t kXlatePs = 10000;  // the mock PHB: 10 ns to translate
static const ps_t kMemPs = 50000;    // then 50 ns to the data
static const uint64_t kFaultAddr = 0xdead0000;

struct MockPhb : sc_module {
    tlm_utils::simple_target_socket<MockPhb> sock;
    std::vector<std::pair<uint64_t, uint32_t>> tlps; // address, length
    explicit MockPhb(sc_module_name n) : sc_module(n), sock("sock")
    {
        sock.register_b_transport(this, &MockPhb::b_transport);
    }
    void b_transport(tlm::tlm_generic_payload &gp, sc_time &)
    {
        TimeExt *te = gp.get_extension<TimeExt>();
        tlps.emplace_back(gp.get_address(), gp.get_data_length());
        te->xlate = phb_xlate{};
        te->xlate.pe = 1;
        te->xlate.done_ps = te->arrival_ps + kXlatePs;
        if (gp.get_address() == kFaultAddr) {
            te->xlate.kind = PHB_XLATE_FAULT;
            te->xlate.fault = TCE_FAULT_PERM;
            te->done_ps = te->xlate.done_ps;
            gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            return;
        }
        te->xlate.kind = PHB_XLATE_HIT;
        te->done_ps = te->xlate.done_ps + kMemPs;
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    }
};

static tr_event access(tr_op op, uint64_t t_ns, uint64_t addr, uint64_t len)
{
    tr_event e{};
    e.op = op;
    e.time_ns = t_ns;
    e.addr = addr;
    e.len = len;
    e.line = 7;
    return e;
}

struct Driver : sc_module {
    ActorQueue &q;
    SC_HAS_PROCESS(Driver);
    Driver(sc_module_name n, ActorQueue &queue) : sc_module(n), q(queue) { SC_THREAD(run); }
    void run()
    {
        bool waited = false;
        QEvent a, b, c;
        a.ev = access(TR_READ, 0, 0x10000, 2048);      // 4 TLPs of MRRS 512
        b.ev = access(TR_WRITE, 10000, 0x20000, 600);  // MPS 256: 256 + 256 + 88
        c.ev = access(TR_READ, 20000, kFaultAddr, 64);
        q.push(std::move(a), waited);
        q.push(std::move(b), waited);
        q.push(std::move(c), waited);
        q.close();
    }
};

struct Bench {
    Schedule sched{ps_from_ns(1000)};
    ActorQueue q;
    FirstLosses losses;
    Epochs epochs;
    Timeline timeline;
    MockPhb phb{"phb"};
    std::unique_ptr<DeviceModule> dev;
    Driver driver{"driver", q};
    Bench()
    {
        cfg_device cd{};
        std::snprintf(cd.rid, sizeof cd.rid, "01:00.0");
        std::snprintf(cd.link, sizeof cd.link, "gen3x8");
        cd.mps = 256;
        cd.mrrs = 512;
        cd.rcb = 128;
        cd.tags = 32;
        cd.max_seg_size = 65536;
        cd.dma_mask_bits = 32;
        DeviceParams dp;
        assert_string_equal(device_params(cd, 0, 0, dp).c_str(), "");
        dev = std::make_unique<DeviceModule>("dev0", 0, 0x0100, 1, dp, DeviceWiring{sched, q, losses, epochs, timeline});
        assert_true(dev->ok());
        dev->sock.bind(phb.sock);
    }
};

static Bench *&bench = ScBench<Bench>::bench;

static void a_read_is_split_by_mrrs_and_a_write_by_mps(void **state)
{
    (void)state;
    const auto &t = bench->phb.tlps;
    assert_int_equal(t.size(), 4 + 3 + 1);
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(t[i].first, 0x10000 + 512 * i);
        assert_int_equal(t[i].second, 512);
    }
    assert_int_equal(t[4].second, 256);
    assert_int_equal(t[5].second, 256);
    assert_int_equal(t[6].second, 88);
    assert_int_equal(bench->dev->tlps(), 8);
}

static void completed_accesses_are_counted_and_their_translation_and_memory_time_is_the_targets(void **state)
{
    (void)state;
    const DeviceStats &s = bench->dev->stats();
    assert_int_equal(s.reads, 1);
    assert_int_equal(s.writes, 1);
    assert_int_equal(s.bytes, 2048 + 600);
    // Every TLP: exactly 10 ns translating and 50 ns to memory.
    Summary tr = s.breakdown.part[Breakdown::TRANSLATION].summary();
    Summary mem = s.breakdown.part[Breakdown::MEMORY].summary();
    assert_true(tr.mean_ns == 10.0 && tr.max_ns == 10.0);
    assert_true(mem.mean_ns == 50.0 && mem.max_ns == 50.0);
    assert_int_equal(bench->dev->first_issue_ps(), 0);
}

static void a_faulted_tlp_makes_the_access_faulted_and_the_first_fault(void **state)
{
    (void)state;
    const DeviceStats &s = bench->dev->stats();
    assert_int_equal(s.faulted, 1);
    assert_int_equal(s.loss.faulted_bytes, 64);
    const LossOrigin &o = bench->losses.fault;
    assert_true(o.any);
    assert_int_equal(o.addr, kFaultAddr);
    assert_int_equal(o.fault, TCE_FAULT_PERM);
    assert_int_equal(o.line, 7);
    assert_false(bench->losses.skip.any);
}

// sim.warmup_ns: counts, bytes, latency, link counters and the active span
// restart; what was lost so far is kept as the warm-up's, and the run's first
// fault stays said.
static void reset_stats_keeps_the_losses_as_the_warmups(void **state)
{
    (void)state;
    bench->dev->reset_stats();
    const DeviceStats &s = bench->dev->stats();
    assert_int_equal(s.reads + s.writes + s.bytes + s.faulted, 0);
    assert_int_equal(s.dma_lat.count(), 0);
    assert_int_equal(bench->dev->tlps(), 0);
    assert_int_equal(bench->dev->link_stats().read_tlps + bench->dev->link_stats().write_tlps, 0);
    assert_int_equal(bench->dev->first_issue_ps(), PS_NEVER);
    const DeviceLossCount &w = bench->dev->warmup_loss();
    assert_int_equal(w.faulted, 1);
    assert_int_equal(w.loss.faulted_bytes, 64);
    assert_int_equal(w.bytes, 2048 + 600);
    assert_true(bench->losses.fault.any);
}

int sc_main(int, char **) { return 0; }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_read_is_split_by_mrrs_and_a_write_by_mps),
        cmocka_unit_test(completed_accesses_are_counted_and_their_translation_and_memory_time_is_the_targets),
        cmocka_unit_test(a_faulted_tlp_makes_the_access_faulted_and_the_first_fault),
        cmocka_unit_test(reset_stats_keeps_the_losses_as_the_warmups),
    };
    return cmocka_run_group_tests(tests, ScBench<Bench>::run_once, ScBench<Bench>::teardown);
}
