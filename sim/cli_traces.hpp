// The trace subcommands of the CLI: gen, trace info, trace convert, import
// trace-cmd. Each returns the process exit code (0, 1 runtime, 2 bad input)
// and prints its errors as one line on stderr.
#ifndef TCESIM_CLI_TRACES_HPP
#define TCESIM_CLI_TRACES_HPP

namespace tcesim {

int cmd_gen(int argc, char **argv);          // argv[1] == "gen"
int cmd_trace(int argc, char **argv);        // argv[1] == "trace"
int cmd_import(int argc, char **argv);       // argv[1] == "import"

} // namespace tcesim

#endif
