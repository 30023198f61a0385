// HostCpu with the real host model, PHB model and memory behind it (the
// platform set up as the netlist does, one device on PE 1), driven by a
// queue: a map fills its mapping record (bus address in the PE's window,
// pages, done time after the op's own cost), an unmap of it waits for the
// device ops it was told to wait for, and unmapping twice is a bad free.
#include "sc_bench.hpp"
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>

#include "components/host/host_complex.hpp"
#include "components/host/host_cpu.hpp"
#include "components/host/host_keys.hpp"
#include "components/memory/memory_keys.hpp"
#include "components/memory/memory_module.hpp"
#include "components/phb/phb_keys.hpp"
#include "components/phb/phb_module.hpp"
#include "platform/platform.hpp"
#include "platform/platform_keys.hpp"

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

static tcesim_config cfg;

struct Driver : sc_module {
    ActorQueue &q;
    MappingRef m = std::make_shared<Mapping>();
    Schedule &sched;
    // The PHB's device port must be bound; no TLP is sent here.
    tlm_utils::simple_initiator_socket<Driver> sock;
    SC_HAS_PROCESS(Driver);
    Driver(sc_module_name n, ActorQueue &queue, Schedule &s) : sc_module(n), q(queue), sched(s), sock("sock")
    {
        SC_THREAD(run);
    }
    void run()
    {
        bool waited = false;
        QEvent map, unmap, again;
        map.ev.op = TR_MAP;
        map.ev.time_ns = 100;
        map.ev.dev = 0;
        map.ev.size = 16384;
        map.ev.pa = 0x200000;
        map.ev.has_pa = true;
        map.ev.dir = TR_DIR_TO_DEVICE;
        map.map = m;
        m->kind = TR_MAP;
        m->segs.assign(1, host_seg{});   // as the feeder gives it: pa, size
        m->segs[0].pa = 0x200000;
        m->segs[0].size = 16384;
        unmap.ev.op = TR_UNMAP;
        unmap.ev.time_ns = 200;
        unmap.map = m;
        unmap.wait_ops = 1;  // one device op on the handle before the unmap
        m->dev_ops_fed = 1;
        again = unmap;
        again.ev.time_ns = 300;
        again.wait_ops = 1;
        q.push(std::move(map), waited);
        q.push(std::move(unmap), waited);
        q.push(std::move(again), waited);
        q.close();
        // The device op finishes at 5 us: the unmap may start then.
        wait(sc_time::from_value(ps_from_ns(5000)));
        m->dev_ops_done = 1;
        m->dev_done_ps = ps_from_ns(5000);
        sched.progress();
    }
};

struct Bench {
    Schedule sched{ps_from_ns(1000)};
    Epochs epochs;
    Timeline timeline;
    MappingsWriter mappings;
    physmem *mem = physmem_create();
    physalloc palloc{};
    std::unique_ptr<MemoryTarget> memory;
    std::unique_ptr<PhbModule> phb;
    std::unique_ptr<HostComplex> host;
    std::unique_ptr<Platform> platform;
    std::vector<DeviceInfo> devs = std::vector<DeviceInfo>(1);
    ActorQueue q;
    std::unique_ptr<HostCpu> cpu;
    std::unique_ptr<Driver> driver;
    Bench()
    {
        config_defaults(&cfg);
        cfg.ndevices = 1;
        assert_int_equal(physalloc_init(&palloc, cfg.host.ram, cpu_page_shift(cfg), cfg.seed), 0);
        memory = std::make_unique<MemoryTarget>("memory", memory_params(cfg, 0));
        phb = std::make_unique<PhbModule>("phb", phb_params_from(cfg), mem, epochs, timeline);
        phb->mem_sock.bind(memory->sock);
        host = std::make_unique<HostComplex>(host_params_from(cfg), phb->model(), sched, epochs, timeline);
        assert_true(host->ok());
        host->port().sock.bind(memory->sock);
        platform = std::make_unique<Platform>(cfg, mem, palloc, phb->model(), host->model(), cfg.ndevices);
        DeviceInfo &d = devs[0];
        d.rid = 0x0100;
        d.pe = 1;
        d.mask_bits = 32;
        d.max_seg_size = 65536;
        phb_set_rid(phb->model(), d.rid, d.pe);
        std::string err;
        assert_int_equal(platform->attach(d, err), 0);
        host->pes_added({1});
        cpu = std::make_unique<HostCpu>("cpu0", 0, host_cpu_params(cfg),
                                        HostCpuWiring{sched, q, *host, devs, mappings, timeline});
        driver = std::make_unique<Driver>("driver", q, sched);
        driver->sock.bind(phb->dev_sock);
    }
    ~Bench()
    {
        driver.reset();
        cpu.reset();
        platform.reset();
        host.reset();
        phb.reset();
        memory.reset();
        physmem_destroy(mem);
    }
};

static Bench *&bench = ScBench<Bench>::bench;

static void a_map_fills_its_mapping_in_the_pes_window(void **state)
{
    (void)state;
    const Mapping &m = *bench->driver->m;
    assert_true(m.done);
    assert_false(m.failed);
    assert_false(m.bypass);
    assert_int_equal(m.segs.size(), 1);
    const PeState &ps = bench->platform->pe_state(1);
    assert_true(m.segs[0].bus < ps.setup.window_bytes);
    assert_int_equal(m.segs[0].npages, 16384 >> ps.setup.page_shift);
    // No earlier than its trace time plus the DMA API call's own cost.
    assert_true(m.done_ps >= ps_from_ns(100) + ps_from_ns(cfg.host.op_ns));
}

static void an_unmap_starts_after_the_device_ops_it_waits_for(void **state)
{
    (void)state;
    const Mapping &m = *bench->driver->m;
    assert_true(m.unmapped);
    assert_true(m.unmap_done);
    assert_true(m.unmap_done_ps > ps_from_ns(5000));
}

static void unmapping_twice_is_a_bad_free(void **state)
{
    (void)state;
    const HostOpStats &s = bench->cpu->stats();
    assert_int_equal(s.maps, 1);
    assert_int_equal(s.unmaps, 2);
    assert_int_equal(s.bad_frees, 1);
    assert_int_equal(s.failures, 0);
}

int sc_main(int, char **) { return 0; }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_map_fills_its_mapping_in_the_pes_window),
        cmocka_unit_test(an_unmap_starts_after_the_device_ops_it_waits_for),
        cmocka_unit_test(unmapping_twice_is_a_bad_free),
    };
    return cmocka_run_group_tests(tests, ScBench<Bench>::run_once, ScBench<Bench>::teardown);
}
