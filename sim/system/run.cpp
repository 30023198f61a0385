// run_simulation: opens the trace source, builds the netlist, elaborates,
// runs (sc_start) and collects.
#include "system/system.hpp"

#include <chrono>

#include "components/feeder/workload_keys.hpp"
#include "result.hpp"
#include "system/collect.hpp"
#include "system/netlist.hpp"

#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "traces/gen_window.h"
#include "traces/generators.h"
#include "traces/merge.h"
}

namespace tcesim {

// workloads[] entry i's generator seed: the run's, mixed with i (a `seed`
// key of the entry overrides it, as gen_open documents).
static uint64_t workload_seed(uint64_t seed, uint32_t i) { return seed ^ (0x9e3779b97f4a7c15ull * (i + 1ull)); }

// The trace and/or the workloads[] generators, merged in time order
// (traces/merge.h); or the built-in window workload when neither is given.
static int open_source(const tcesim_config &cfg, const RunOptions &opt, tr_source &src, RunResult &res,
                       std::string &err)
{
    tr_error terr;
    tr_set_dead_handles(dead_handles_kept(cfg)); // the readers' bound, the feeder's too (FeederWiring)
    if (cfg.nworkloads) {
        std::vector<tr_source> srcs;
        std::string name;
        auto close_all = [&srcs] {
            for (tr_source &s : srcs)
                tr_close(&s);
        };
        if (!opt.trace_path.empty()) {
            srcs.emplace_back();
            if (tr_open(opt.trace_path.c_str(), &srcs.back(), &terr) != 0) {
                srcs.pop_back();
                err = terr.msg;
                return 2;
            }
            name = opt.trace_path + " + ";
        }
        name += "workloads:";
        for (uint32_t i = 0; i < cfg.nworkloads; i++) {
            const cfg_workload &w = cfg.workloads[i];
            std::string dev = "0";
            for (uint32_t k = 0; k < w.nkeys; k++)
                if (!std::strcmp(w.keys[k], "device"))
                    dev = w.values[k];
            srcs.emplace_back();
            if (config_workload_open(&w, workload_seed(cfg.seed, i), &srcs.back(), &terr) != 0) {
                srcs.pop_back();
                close_all();
                err = "workloads." + std::to_string(i) + ": " + terr.msg;
                return 2;
            }
            name += std::string(i ? ", " : " ") + w.generator + " (dev" + dev + ")";
        }
        res.trace_name = name;
        if (tr_merge_sources(srcs.data(), static_cast<unsigned>(srcs.size()), "workloads", &src, &terr) != 0) {
            err = terr.msg;
            return 1;
        }
        return 0;
    }
    if (opt.trace_path.empty()) {
        gen_window_params gp = workload_params(cfg);
        if (gen_window_open(&gp, &src, &terr) != 0) {
            err = terr.msg;
            return 2;
        }
        res.trace_name = "built-in workload (window generator)";
    } else {
        if (tr_open(opt.trace_path.c_str(), &src, &terr) != 0) {
            err = terr.msg;
            return 2;
        }
        res.trace_name = opt.trace_path;
    }
    return 0;
}

// The region of interest (sim.warmup_ns): one process that, at warmup_ns of
// simulated time, has every component restart its statistics. The actors
// run at most a quantum (sim.quantum_ns) ahead of SystemC time, so the cut
// is exact to within a quantum; the counters of one TLP (device, PHB,
// memory) are made in one call, so they are cut together.
struct WarmupReset : sc_core::sc_module {
    SC_HAS_PROCESS(WarmupReset);
    WarmupReset(sc_core::sc_module_name n, Netlist &net, ps_t at) : sc_core::sc_module(n), net_(net), at_(at)
    {
        SC_THREAD(run);
    }
    void run()
    {
        sc_core::wait(sc_core::sc_time::from_value(at_));
        net_.reset_stats();
    }
    Netlist &net_;
    ps_t at_;
};

// Builds, runs and collects; the netlist (and every component) is gone
// when it returns.
static int simulate(const tcesim_config &cfg, const RunOptions &opt, tr_source &src, RunResult &res, std::string &err)
{
    std::vector<tr_device_decl> decls(src.devices, src.devices + src.ndevices);
    Netlist n(cfg, opt, res);
    int rc = n.build(decls, src.name ? src.name : "trace", err);
    if (rc)
        return rc;
    n.add_cpus();
    if (!opt.mappings_path.empty() && !n.mappings.open(opt.mappings_path, err))
        return 2;
    n.add_feeder(src);
    if (warmup_reset_ps(n.cfg))
        n.warmup = std::make_unique<WarmupReset>("warmup", n, warmup_reset_ps(n.cfg));
    sc_core::sc_start();
    if (!n.sched.error_code() && n.sched.blocked())
        n.sched.fail(1, "replay: " + std::to_string(n.sched.blocked()) +
                            " actor(s) still wait for a dependency at the end of the trace (a bug: please report it with the trace)");
    if (n.sched.error_code()) {
        err = n.sched.error();
        return n.sched.error_code();
    }
    collect(n, res);
    if (n.timeline.on()) {
        err = n.timeline.write(opt.timeline_path);
        if (!err.empty())
            return 1;
    }
    err = n.mappings.close(true);
    return err.empty() ? 0 : 1;
}

int run_simulation(const tcesim_config &cfg, const RunOptions &opt, std::unique_ptr<RunResult> &result, std::string &err)
{
    auto wall0 = std::chrono::steady_clock::now();
    result = std::make_unique<RunResult>();
    RunResult &res = *result;
    res.cfg = cfg;

    tr_source src{};
    int rc = open_source(cfg, opt, src, res, err);
    if (rc)
        return rc;
    res.elaborated = true;
    sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
    // An input error found mid-run stops the simulation; the error line is
    // ours to print, SystemC's "stopped by user" note is noise.
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    rc = simulate(cfg, opt, src, res, err);
    tr_close(&src);
    if (rc)
        return rc;
    res.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    return 0;
}

} // namespace tcesim
