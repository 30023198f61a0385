#include "cli_report.hpp"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "datadir.h"
#include "output.hpp"
#include "report/schema.hpp"

extern char **environ;

namespace tcesim {

static const char *kReportUsage =
    "usage: tcesim report RUN.json|DIR -o FILE.html\n"
    "       tcesim report A.json B.json -o FILE.html\n"
    "       tcesim report --fields\n"
    "  RUN.json: a `tcesim run --json` report; DIR: a `tcesim sweep --out` directory;\n"
    "  A.json B.json: two run reports side by side, B against A (differences in the\n"
    "  headline metrics, overlaid latency distributions, the configuration keys that differ).\n"
    "  One self-contained page (inline CSS, plots as embedded PNG), made by\n"
    "  scripts/report.py with Debian's /usr/bin/python3 and python3-matplotlib.\n"
    "  --fields: every field of the JSON report, from the report schema, one a line:\n"
    "  path, unit, format, aggregation, meaning, tab-separated (docs/report-fields.md).\n";

static const char *kNeedsMatplotlib = "report: needs Debian's python3-matplotlib (scripts/setup.sh installs it)";

// Debian's matplotlib belongs to Debian's interpreter, not to whichever
// python3 comes first on PATH. TCESIM_PYTHON overrides it (tests use it to
// check the error when the interpreter is missing).
static std::string python_path()
{
    const char *env = std::getenv("TCESIM_PYTHON");
    return env && *env ? env : "/usr/bin/python3";
}

// scripts/report.py where tcesim's data is (datadir.h: next to the
// binary, build/ -> ../scripts, an install's share/tcesim/scripts, the
// source tree).
static std::string find_script()
{
    char p[PATH_MAX];
    return tcesim_find_data("scripts/report.py", p, sizeof p) == 0 ? std::string(p) : std::string();
}

static bool is_dir(const std::string &path)
{
    struct stat st;
    return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The page must not replace what it is made from: the run's report (both
// reports of a comparison), or the sweep's results.csv and manifest.
static std::string claim_files(const std::vector<std::string> &in, const std::string &out)
{
    Claims claims;
    std::string e;
    if (in.size() == 1 && is_dir(in[0])) {
        e = claims.input("DIR", in[0] + "/results.csv");
        if (e.empty())
            e = claims.input("DIR", in[0] + "/sweep.json");
    } else if (in.size() == 1) {
        e = claims.input("RUN.json", in[0]);
    } else {
        e = claims.input("A.json", in[0]);
        if (e.empty())
            e = claims.input("B.json", in[1]);
    }
    if (e.empty())
        e = claims.output("-o", out);
    return e;
}

// A run report handed back is checked here, against the schema that wrote
// it, before the page is made: a damaged or foreign file is one line and
// exit 2 (`FILE:LINE: ...` for JSON syntax, `FILE: field: ...` for
// content), never a traceback from the page's script.
static std::string check_report(const std::string &path)
{
    json_error_t je;
    json_t *doc = json_load_file(path.c_str(), JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        if (je.line < 1)
            return path + ": " + je.text;
        return path + ":" + std::to_string(je.line) + ": " + je.text;
    }
    std::string e = schema_check(doc);
    json_decref(doc);
    return e.empty() ? e : path + ": " + e;
}

int cmd_report(int argc, char **argv)
{
    std::vector<std::string> in;
    std::string out;
    bool has_out = false;
    for (int i = 2; i < argc; i++) {
        std::string a = argv[i];
        if (a == "-h" || a == "--help") {
            std::fputs(kReportUsage, stdout);
            return 0;
        }
        if (a == "--fields") {
            std::string o;
            for (const FieldInfo &f : schema_fields())
                o += f.path + "\t" + f.unit + "\t" + f.fmt + "\t" + f.agg + "\t" + f.meaning + "\n";
            std::string e = write_stdout(o);
            if (!e.empty())
                std::fprintf(stderr, "tcesim: report: %s\n", e.c_str());
            return e.empty() ? 0 : 1;
        }
        if ((a == "-o" || a == "--out") && i + 1 < argc) {
            out = argv[++i];
            has_out = true;
        } else if (a == "-o" || a == "--out") {
            std::fprintf(stderr, "tcesim: report: -o needs a file\n");
            return 2;
        } else if (!a.empty() && a[0] == '-') {
            std::fprintf(stderr, "tcesim: report: unknown option '%s'\n", a.c_str());
            return 2;
        } else {
            in.push_back(a);
        }
    }
    if (in.empty() || !has_out) {
        std::fprintf(stderr, "tcesim: report: RUN.json|DIR (or A.json B.json) and -o FILE.html are required\n");
        return 2;
    }
    if (in.size() > 2) {
        std::fprintf(stderr, "tcesim: report: %zu inputs: give one RUN.json or DIR, or two run reports to compare\n",
                     in.size());
        return 2;
    }
    if (in.size() == 2)
        for (const std::string &p : in)
            if (is_dir(p)) {
                std::fprintf(stderr, "tcesim: report: '%s' is a directory: a comparison takes two run reports "
                             "(A.json B.json), a sweep DIR goes alone\n", p.c_str());
                return 2;
            }
    std::string e = claim_files(in, out);
    if (e.empty() && !is_dir(in[0]))
        for (const std::string &p : in)
            if (!(e = check_report(p)).empty())
                break;
    if (!e.empty()) {
        std::fprintf(stderr, "%s\n", e.c_str());
        return 2;
    }
    std::string py = python_path();
    if (access(py.c_str(), X_OK) != 0) {
        std::fprintf(stderr, "%s (%s: %s)\n", kNeedsMatplotlib, py.c_str(), std::strerror(errno));
        return 1;
    }
    std::string script = find_script();
    if (script.empty()) {
        std::fprintf(stderr, "report: scripts/report.py not found next to the program, in an install's share/tcesim nor in %s (or set TCESIM_DATADIR)\n", TCESIM_SOURCE_DIR);
        return 1;
    }
    // report.py writes the page to its standard output, which is the output
    // file opened here (outfile.h): published only when report.py succeeds.
    char msg[1024];
    of_file *f;
    if (of_open(out.c_str(), &f, msg, sizeof msg)) {
        std::fprintf(stderr, "%s\n", msg);
        return 1;
    }
    std::vector<char *> args = {const_cast<char *>(py.c_str()), const_cast<char *>(script.c_str())};
    for (const std::string &p : in)
        args.push_back(const_cast<char *>(p.c_str()));
    for (const char *a : {"-o", "-", "--stdout-name"})
        args.push_back(const_cast<char *>(a));
    args.push_back(const_cast<char *>(out.c_str()));
    args.push_back(nullptr);
    std::fflush(stdout);
    std::fflush(stderr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, of_fd(f), STDOUT_FILENO);
    pid_t pid;
    int rc = posix_spawn(&pid, py.c_str(), &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        of_close(f, false, nullptr, 0);
        std::fprintf(stderr, "report: %s: %s\n", py.c_str(), std::strerror(rc));
        return 1;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            of_close(f, false, nullptr, 0);
            std::fprintf(stderr, "report: waiting for %s: %s\n", py.c_str(), std::strerror(errno));
            return 1;
        }
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        if (of_close(f, true, msg, sizeof msg)) {
            std::fprintf(stderr, "%s\n", msg);
            return 1;
        }
        return 0;
    }
    of_close(f, false, nullptr, 0);
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    std::fprintf(stderr, "report: %s killed by signal %d\n", py.c_str(), WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return 1;
}

} // namespace tcesim
