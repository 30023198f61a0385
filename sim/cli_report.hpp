// `tcesim report RUN.json|DIR -o FILE.html`: one self-contained HTML page
// from a run report or a sweep directory; `tcesim report A.json B.json -o
// FILE.html`: two run reports side by side. The page is made by
// scripts/report.py under Debian's /usr/bin/python3 (the interpreter
// python3-matplotlib belongs to); this command finds the script and passes
// its exit code through (0, 1 runtime, 2 bad input).
#ifndef TCESIM_CLI_REPORT_HPP
#define TCESIM_CLI_REPORT_HPP

namespace tcesim {

int cmd_report(int argc, char **argv);       // argv[1] == "report"

} // namespace tcesim

#endif
