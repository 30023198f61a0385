#include "cli_report.hpp"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace tcesim {

static const char *kReportUsage =
    "usage: tcesim report RUN.json|DIR -o FILE.html\n"
    "  RUN.json: a `tcesim run --json` report; DIR: a `tcesim sweep --out` directory.\n"
    "  One self-contained page (inline CSS, plots as embedded PNG), made by\n"
    "  scripts/report.py with Debian's /usr/bin/python3 and python3-matplotlib.\n";

static const char *kNeedsMatplotlib = "report: needs Debian's python3-matplotlib (scripts/setup.sh installs it)";

// Debian's matplotlib belongs to Debian's interpreter, not to whichever
// python3 comes first on PATH. TCESIM_PYTHON overrides it (tests use it to
// check the error when the interpreter is missing).
static std::string python_path()
{
    const char *env = std::getenv("TCESIM_PYTHON");
    return env && *env ? env : "/usr/bin/python3";
}

// scripts/report.py next to the binary (build/ -> ../scripts, or an install
// with scripts/ beside it), else in the source tree the binary was built from.
static std::string find_script()
{
    std::vector<std::string> dirs;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        std::string d(exe);
        d = d.substr(0, d.rfind('/'));
        dirs.push_back(d + "/../scripts");
        dirs.push_back(d + "/scripts");
    }
    dirs.push_back(std::string(TCESIM_SOURCE_DIR) + "/scripts");
    for (const std::string &d : dirs) {
        std::string p = d + "/report.py";
        if (access(p.c_str(), R_OK) == 0)
            return p;
    }
    return "";
}

int cmd_report(int argc, char **argv)
{
    std::string in, out;
    for (int i = 2; i < argc; i++) {
        std::string a = argv[i];
        if (a == "-h" || a == "--help") {
            std::fputs(kReportUsage, stdout);
            return 0;
        }
        if ((a == "-o" || a == "--out") && i + 1 < argc) {
            out = argv[++i];
        } else if (a == "-o" || a == "--out") {
            std::fprintf(stderr, "tcesim: report: -o needs a file\n");
            return 2;
        } else if (!a.empty() && a[0] == '-') {
            std::fprintf(stderr, "tcesim: report: unknown option '%s'\n", a.c_str());
            return 2;
        } else if (in.empty()) {
            in = a;
        } else {
            std::fprintf(stderr, "tcesim: report: unexpected argument '%s'\n", a.c_str());
            return 2;
        }
    }
    if (in.empty() || out.empty()) {
        std::fprintf(stderr, "tcesim: report: RUN.json|DIR and -o FILE.html are required\n");
        return 2;
    }
    std::string py = python_path();
    if (access(py.c_str(), X_OK) != 0) {
        std::fprintf(stderr, "%s (%s: %s)\n", kNeedsMatplotlib, py.c_str(), std::strerror(errno));
        return 1;
    }
    std::string script = find_script();
    if (script.empty()) {
        std::fprintf(stderr, "report: scripts/report.py not found next to the binary nor in %s\n", TCESIM_SOURCE_DIR);
        return 1;
    }
    std::vector<char *> args = {const_cast<char *>(py.c_str()), const_cast<char *>(script.c_str()),
                                const_cast<char *>(in.c_str()), const_cast<char *>("-o"),
                                const_cast<char *>(out.c_str()), nullptr};
    std::fflush(stdout);
    std::fflush(stderr);
    pid_t pid;
    int rc = posix_spawn(&pid, py.c_str(), nullptr, nullptr, args.data(), environ);
    if (rc != 0) {
        std::fprintf(stderr, "report: %s: %s\n", py.c_str(), std::strerror(rc));
        return 1;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            std::fprintf(stderr, "report: waiting for %s: %s\n", py.c_str(), std::strerror(errno));
            return 1;
        }
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    std::fprintf(stderr, "report: %s killed by signal %d\n", py.c_str(), WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return 1;
}

} // namespace tcesim
