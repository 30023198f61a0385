// The calibrate subcommand of the CLI (docs/interface.md; docs/validation.md
// is the user's description): `--check PRESET DIR` runs a preset at every
// measured point of a pcie-bench result directory (calib/pciebench.h), one
// `tcesim run` process per point, and prints measured against simulated;
// `DIR -o PRESET.json` fits a preset's free parameters to the directory
// (sim/cli/calibrate/fit.cpp) and writes it, with the same table. A fit's
// preset and table depend only on its inputs (not on --jobs, nor on how
// often it was stopped and resumed from its state file).
//
// Contract: the table's rows come in the directory's fixed curve order
// (reads by size, writes by size, latency; then the --off twin's), whatever
// the order the runs finish in, and each run is deterministic, so the same
// inputs print the same table. Returns the process exit code (0; 1 a run
// failed, or the command was interrupted; 2 bad input: usage, the preset, a
// directory or CSV, as one `FILE:LINE: message` line) and prints each error
// as one line on stderr.
#ifndef TCESIM_CLI_CALIBRATE_HPP
#define TCESIM_CLI_CALIBRATE_HPP

namespace tcesim {

int cmd_calibrate(int argc, char **argv); // argv[1] == "calibrate"

} // namespace tcesim

#endif
