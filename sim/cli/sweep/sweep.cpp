// tcesim sweep: plans the points (cartesian product of --vary values, then
// traces, then seeds), runs each as its own `tcesim run` process (SystemC
// elaborates once per process) in a local pool, or emits the job list for GNU
// parallel / a Slurm array, and collects the JSON reports into results.csv.
//
// Files in the sweep directory DIR:
//   sweep.json        the manifest: the sweep's definition and every point's
//                     name and parameters (what --collect and re-runs read)
//   NAME.json         one report per point, written atomically by tcesim run
//   logs/NAME.log     the point's stdout and stderr
//   results.csv       one row per point (seeds aggregated), written atomically
//   jobs.txt, sweep.slurm   with --emit
#include "cli_sweep.hpp"

#include "cli/sweep/sweep.hpp"


#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdarg>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <jansson.h>

#include "config.h"
#include "output.hpp"
#include "report.hpp"

namespace tcesim {
namespace sweep {

// Refuses a sweep whose files in DIR would replace its CONFIG or a trace
// (a point's report, its log, the manifest, results.csv, the job files).
int claim_files(const Options &o, const Sweep &sw)
{
    Claims c;
    std::string e = c.input("CONFIG", sw.config_path);
    for (const std::string &t : sw.trace_paths)
        if (e.empty())
            e = c.input("--trace", t);
    // The files have distinct names in DIR: only the inputs need comparing,
    // O(points x inputs).
    for (const char *f : {"sweep.json", "results.csv", "jobs.txt", "sweep.slurm"})
        if (e.empty())
            e = c.check("--out", o.out + "/" + f);
    for (const Point &p : sw.points) {
        if (e.empty())
            e = c.check("--out", o.out + "/" + p.name + ".json");
        if (e.empty())
            e = c.check("--out", o.out + "/logs/" + p.name + ".log");
    }
    if (e.empty())
        return 0;
    std::fprintf(stderr, "%s\n", e.c_str());
    return 2;
}

} // namespace sweep

using namespace sweep;

int cmd_sweep(int argc, char **argv)
{
    Sweep sw;
    Options o;
    if (int rc = parse_args(argc, argv, sw, o))
        return rc;
    if (o.collect)
        return cmd_collect(o);
    if (int rc = plan(sw))
        return rc;
    std::string exe = given_exe(argv[0]);
    if (exe.empty()) {
        std::fprintf(stderr, "%s\n", errno_msg("/proc/self/exe").c_str());
        return 1;
    }
    std::vector<std::string> made;
    if (int rc = make_dirs(o.out, made))
        return rc;
    // Absolute, so that job lists run from anywhere (and on other hosts),
    // but as given: symlinks are not resolved (given_path).
    o.out = given_path(o.out);
    // (after make_dirs: the output checks create a temp file where each
    // output goes, so DIR must exist; a refusal takes it back)
    if (int rc = claim_files(o, sw)) {
        unmake_dirs(made);
        return rc;
    }
    int lock = lock_dir(o.out);
    if (lock < 0)
        return 1;
    if (int rc = ensure_manifest(o.out, sw))
        return rc;

    std::vector<size_t> todo;
    for (size_t i = 0; i < sw.points.size(); i++) {
        std::string path = o.out + "/" + sw.points[i].name + ".json";
        std::string why = report_problem(path, sw, sw.points[i]);
        if (why.empty())
            continue;
        // A file that is there but not this point's finished report: say
        // why it is run again (or listed again), one line.
        if (why != "missing")
            std::fprintf(stderr, "%s: %s; %s the point again\n", path.c_str(), why.c_str(),
                         o.emit.empty() ? "running" : "listing");
        todo.push_back(i);
    }
    if (!o.emit.empty())
        return cmd_emit(o, sw, exe, todo);

    unsigned jobs = o.jobs;
    if (!jobs) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = n > 0 ? static_cast<unsigned>(n) : 1;
    }
    std::fprintf(stderr, "sweep: %zu points, %zu already done, %zu to run, %u at a time, in %s\n", sw.points.size(),
                 sw.points.size() - todo.size(), todo.size(), jobs, o.out.c_str());
    bool interrupted = false;
    int rc = run_pool(o.out, sw, exe, todo, jobs, interrupted);
    if (interrupted)
        return rc;
    size_t missing;
    std::string err;
    size_t rows = write_results(o.out, sw, o.metrics, true, missing, err);
    if (!err.empty()) {
        std::fprintf(stderr, "%s\n", err.c_str());
        return 1;
    }
    std::fprintf(stderr, "sweep: %zu of %zu points have reports, %zu rows -> %s/results.csv\n",
                 sw.points.size() - missing, sw.points.size(), rows, o.out.c_str());
    return rc;
}

} // namespace tcesim
