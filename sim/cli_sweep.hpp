// The sweep subcommand of the CLI: the cartesian product of --vary values,
// traces and seeds, one `tcesim run` process per point, a results.csv per
// sweep (docs/interface.md; docs/sweeps.md is the user's description).
//
// Contract: every point's report is written by its own `tcesim run`
// atomically, so a report that exists is complete; a sweep directory holds
// one sweep (DIR/sweep.json) and re-running it only runs the points whose
// report is missing. Returns the process exit code (0; 1 a point failed or
// the sweep was interrupted; 2 bad input) and prints each error as one line
// on stderr.
#ifndef TCESIM_CLI_SWEEP_HPP
#define TCESIM_CLI_SWEEP_HPP

namespace tcesim {

int cmd_sweep(int argc, char **argv);        // argv[1] == "sweep"

} // namespace tcesim

#endif
