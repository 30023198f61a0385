// A platform of one's own around tcesim's PHB: its own initiator (not
// tcesim's device model) sends reads through a mapped DMA window to the
// PHB, which translates them (TVT, TCE cache, walks through memory) and
// reaches tcesim's memory. Prints the PHB's statistics as JSON.
//   embed-systemc [READS]      (default 4000)
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include <tcesim/ip.hpp>

namespace {

const uint16_t kRid = 0x0100; // 01:00.0
const uint16_t kPe = 1;
const uint64_t kWindow = 1ull << 20;  // 1 MiB of 4 KiB TCE pages at bus address 0
const unsigned kPageShift = 12;

// The platform's endpoint: 64 B reads at pseudo-random page offsets of the
// window, one at a time, each waiting for its completion (loosely timed:
// the delay the PHB returns is waited out).
struct Initiator : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<Initiator> sock;
    unsigned reads;
    unsigned ok = 0, errors = 0;
    sc_core::sc_time busy;

    SC_HAS_PROCESS(Initiator);
    Initiator(sc_core::sc_module_name n, unsigned count) : sc_module(n), sock("sock"), reads(count)
    {
        SC_THREAD(run);
    }
    void run()
    {
        unsigned char data[64];
        tcesim::RidExt rid(kRid);
        uint64_t x = 88172645463325252ull; // xorshift64
        for (unsigned i = 0; i < reads; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            tlm::tlm_generic_payload gp;
            gp.set_command(tlm::TLM_READ_COMMAND);
            gp.set_address((x % (kWindow / 64)) * 64);
            gp.set_data_ptr(data);
            gp.set_data_length(sizeof data);
            gp.set_streaming_width(sizeof data);
            gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
            gp.set_extension(&rid);
            sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
            sock->b_transport(gp, delay);
            gp.clear_extension(&rid);
            (gp.is_response_ok() ? ok : errors)++;
            busy += delay;
            wait(delay);
        }
    }
};

int fail(const char *what)
{
    std::fprintf(stderr, "embed-systemc: %s\n", what);
    return 1;
}

} // namespace

int sc_main(int argc, char **argv)
{
    unsigned reads = argc > 1 ? static_cast<unsigned>(std::strtoul(argv[1], nullptr, 10)) : 4000;
    // The parameters from a configuration subtree: every key's default (a
    // PHB3, a 64-entry TCE cache), two changed as --set would.
    tcesim_config cfg;
    cfg_error err;
    config_defaults(&cfg);
    if (config_set(&cfg, "phb.tce_cache.entries=32", &err) || config_validate(&cfg, &err))
        return fail(err.msg);
    physmem *mem = physmem_create();
    if (!mem)
        return fail("out of memory");
    tcesim::MemoryTarget memory("memory", tcesim::memory_params(cfg, 0 /* the model's default horizon */));
    tcesim::PhbModule phb("phb", tcesim::phb_params_from(cfg), mem);
    Initiator dev("dev", reads);
    if (!memory.ok() || !phb.ok())
        return fail("the PHB or memory rejected its parameters (or the time resolution is not 1 ps)");
    dev.sock.bind(phb.dev_sock);
    phb.mem_sock.bind(memory.sock);

    // The TVT programmed directly, as OPAL would: the RID on its PE, TVE#0
    // of the PE pointing at a one-level table of 4 KiB TCEs mapping the
    // window onto host pages 1 GiB up.
    physalloc palloc;
    tce_geom g;
    tce_table table;
    tve t;
    uint64_t raw;
    if (physalloc_init(&palloc, cfg.host.ram, 16, 1) || tce_geometry(kWindow, kPageShift, 1, 16, &g) ||
        tce_table_create(&table, mem, &palloc, &g))
        return fail("cannot build the TCE table");
    for (uint64_t e = 0; e < tce_table_entries(&table); e++)
        if (tce_table_set(&table, e, (1ull << 30) + (e << kPageShift), TCE_READ | TCE_WRITE))
            return fail("cannot write a TCE");
    t = tce_table_tve(&table);
    if (tve_encode(tcesim::phb_generation(cfg), &t, &raw) || phb_set_tve(phb.model(), kPe << 1, raw))
        return fail("cannot program the TVE");
    phb_set_rid(phb.model(), kRid, kPe);

    sc_core::sc_start();

    const phb_stats *s = phb_get_stats(phb.model());
    tcesim::LatencyHist lat = phb.xlate_latency();
    std::printf("{\"reads\": %u, \"ok\": %u, \"errors\": %u, \"simulated_ns\": %.0f,\n", reads, dev.ok, dev.errors,
                sc_core::sc_time_stamp().to_seconds() * 1e9);
    std::printf(" \"phb\": {\"lookups\": %" PRIu64 ", \"hits\": %" PRIu64 ", \"misses\": %" PRIu64 ", \"merged\": %" PRIu64
                ", \"faults\": %" PRIu64 ", \"walks\": %" PRIu64 ", \"walk_reads\": %" PRIu64 ",\n",
                s->lookups, s->hits, s->misses, s->merged, s->faults, s->walks, s->walk_reads);
    std::printf("         \"translation_ns\": {\"p50\": %.1f, \"p99\": %.1f}},\n", lat.percentile_ns(0.5),
                lat.percentile_ns(0.99));
    std::printf(" \"memory\": {\"reads\": %" PRIu64 ", \"read_bytes\": %" PRIu64 "}}\n", memory.stats().reads,
                memory.stats().read_bytes);
    physmem_destroy(mem);
    return 0;
}
