// Running the simulated system: assembled from a configuration (netlist.hpp)
// and driven by one trace source (run.cpp): devices (TLM initiators) -> PHB
// (TLM target towards devices, initiator towards memory) -> memory (TLM
// target); host CPUs run the trace's DMA API calls. See sim/README.md for
// the time model.
#ifndef TCESIM_SYSTEM_HPP
#define TCESIM_SYSTEM_HPP

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config.h"
#include "stats.hpp"

extern "C" {
#include "traces/trace.h"
}

namespace tcesim {

struct RunOptions {
    std::string trace_path;   // empty: the built-in workload
    std::string mappings_path; // --mappings CSV; empty: none
    uint64_t epoch_ns = 0;     // --epoch: time series of the headline metrics; 0 = off
    std::string timeline_path; // --timeline: trace-event JSON of a window of the run
    uint64_t timeline_from_ns = 0, timeline_to_ns = 100000;
    bool timeline_auto = false;  // no --timeline-window: 100 us from the first device access
};

// Everything a report needs, gathered after the simulation.
struct RunResult;

// Builds the system from `cfg`, runs it to the end of the trace and returns
// the results. Returns 0, 1 (runtime failure) or 2 (bad input) with a
// one-line message in `err`. One call per process (SystemC elaborates once),
// except after a failure with result->elaborated false (the trace source
// did not open: SystemC was not touched).
int run_simulation(const tcesim_config &cfg, const RunOptions &opt,
                   std::unique_ptr<RunResult> &result, std::string &err);

} // namespace tcesim

#endif
