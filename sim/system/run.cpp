// run_simulation: opens the trace source, builds the netlist, elaborates,
// runs (sc_start) and collects.
#include "system/system.hpp"

#include <chrono>

#include "components/feeder/workload_keys.hpp"
#include "result.hpp"
#include "system/collect.hpp"
#include "system/netlist.hpp"

extern "C" {
#include "traces/gen_window.h"
}

namespace tcesim {

// The trace, or the built-in workload when none is given.
static int open_source(const tcesim_config &cfg, const RunOptions &opt, tr_source &src, RunResult &res,
                       std::string &err)
{
    tr_error terr;
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
    int rc = n.build(decls, err);
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
