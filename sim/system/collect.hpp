// Gathers a finished run's statistics from the components into the
// RunResult the report writers read.
#ifndef TCESIM_SYSTEM_COLLECT_HPP
#define TCESIM_SYSTEM_COLLECT_HPP

#include "result.hpp"
#include "system/netlist.hpp"

namespace tcesim {

// After sc_start(): flushes the host's queued invalidations (which may move
// the end of simulated time) and fills res.
void collect(Netlist &n, RunResult &res);

} // namespace tcesim

#endif
