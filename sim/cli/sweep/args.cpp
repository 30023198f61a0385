// tcesim sweep: the command line and small helpers.
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
#include "report/schema.hpp" // json_u64
#include "report.hpp"

namespace tcesim {
namespace sweep {

static const char *kSweepUsage =
    "usage: tcesim sweep [CONFIG] --vary key=v1,v2,... [--vary ...] [--set key=value]...\n"
    "                    [--trace FILE]... [--seeds N] --out DIR [--jobs N] [--emit parallel|slurm]\n"
    "                    [--metrics PATH,...]\n"
    "       tcesim sweep --collect DIR [--metrics PATH,...]\n"
    "  Runs `tcesim run` once per point of the cartesian product of the --vary values, the\n"
    "  traces and the seeds (--seeds N: seeds S..S+N-1, S the config's seed), --jobs at a time\n"
    "  (default: the online CPUs). Reports go to DIR/NAME.json, logs to DIR/logs/NAME.log and\n"
    "  one row per point to DIR/results.csv (with --seeds N > 1: the mean and a 95% confidence\n"
    "  interval). Every point's configuration is checked before any runs. Re-running the same\n"
    "  command runs only the points without a finished report of their own.\n"
    "  --emit parallel writes DIR/jobs.txt for GNU parallel; --emit slurm also DIR/sweep.slurm\n"
    "  (an array job); afterwards `tcesim sweep --collect DIR` builds results.csv, and exits 3\n"
    "  while points have no report (0 when every point has one).\n"
    "  Exit codes: 0; 1 a point failed; 2 bad input; 128+N interrupted by signal N; 3 (--collect)\n"
    "  points missing.\n"
    "  --metrics adds results.csv columns: any report field by its JSON path, e.g.\n"
    "  dma.latency_ns.p99 (\"name[]\": the largest over an array), the column named by the path.\n"
    "  docs/sweeps.md describes names, columns and the confidence interval.\n";

int usage(const std::string &msg)
{
    std::fprintf(stderr, "tcesim: %s\n", msg.c_str());
    return 2;
}

std::string errno_msg(const std::string &what)
{
    return what + ": " + std::strerror(errno);
}

std::string absolute_path(const std::string &p)
{
    char buf[PATH_MAX];
    if (realpath(p.c_str(), buf))
        return buf;
    return p;
}

// P as the user named it, made absolute from the directory they ran in:
// $PWD (the shell's name for it, symlinks kept) when it names the working
// directory, else getcwd(). Nothing is resolved: a job list or script that
// another host runs holds the paths as given, which that host can have
// even where this one's symlinks point elsewhere.
std::string given_path(const std::string &p)
{
    if (p.empty() || p[0] == '/')
        return p;
    std::string base;
    const char *pwd = std::getenv("PWD");
    struct stat a, b;
    if (pwd && pwd[0] == '/' && stat(pwd, &a) == 0 && stat(".", &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        base = pwd;
    else {
        char buf[PATH_MAX];
        if (!getcwd(buf, sizeof buf))
            return absolute_path(p);
        base = buf;
    }
    std::string rel = p;
    while (rel.size() > 2 && rel.compare(0, 2, "./") == 0)
        rel.erase(0, 2);
    while (rel.size() > 1 && rel.back() == '/')
        rel.pop_back();
    if (rel == ".")
        return base;
    return base + (base.back() == '/' ? "" : "/") + rel;
}

static bool same_file(const std::string &a, const std::string &b)
{
    struct stat sa, sb;
    return stat(a.c_str(), &sa) == 0 && stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

// The running binary by the name it was started with (argv0, or its PATH
// entry), absolute as given_path makes it; /proc/self/exe (symlinks
// resolved) when that name is not this binary.
std::string given_exe(const char *argv0)
{
    std::string self = self_exe();
    std::string a = argv0 ? argv0 : "";
    if (a.find('/') != std::string::npos) {
        std::string g = given_path(a);
        return same_file(g, self) ? g : self;
    }
    const char *path = std::getenv("PATH");
    std::string dirs = path ? path : "";
    for (size_t at = 0; !a.empty() && at <= dirs.size();) {
        size_t end = dirs.find(':', at);
        if (end == std::string::npos)
            end = dirs.size();
        std::string d = dirs.substr(at, end - at);
        std::string cand = (d.empty() ? std::string(".") : d) + "/" + a;
        if (access(cand.c_str(), X_OK) == 0) // the shell's choice: the first executable one
            return same_file(cand, self) ? given_path(cand) : self;
        at = end + 1;
    }
    return self;
}

std::string self_exe()
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        return "";
    buf[n] = 0;
    return buf;
}

// The value at a dotted path ("iommu.page_size", "devices.0.pe": an array
// takes an index), or NULL.
json_t *json_at(json_t *j, const std::string &path)
{
    for (size_t at = 0; j && at <= path.size();) {
        size_t dot = path.find('.', at);
        if (dot == std::string::npos)
            dot = path.size();
        std::string part = path.substr(at, dot - at);
        if (json_is_array(j)) {
            char *end = nullptr;
            unsigned long i = std::strtoul(part.c_str(), &end, 10);
            j = !part.empty() && *end == 0 ? json_array_get(j, i) : nullptr;
        } else {
            j = json_object_get(j, part.c_str());
        }
        at = dot + 1;
    }
    return j;
}

// Why PATH is not a finished report of point P ("" when it is). A point is
// done only when its report says so: `tcesim run` writes every section and
// the config it ran with, so a hollow file ({"schema":"tcesim.report/1"}),
// a truncated one or another point's report copied over is run again.
std::string report_problem(const std::string &path, const Sweep &sw, const Point &p)
{
    json_error_t jerr;
    json_t *j = json_load_file(path.c_str(), 0, &jerr);
    if (!j)
        return access(path.c_str(), F_OK) != 0 ? "missing" : std::string("unreadable: ") + jerr.text;
    std::string why;
    const char *s = json_string_value(json_object_get(j, "schema"));
    if (!s || std::strcmp(s, kReportSchema))
        why = std::string("not a ") + kReportSchema + " report";
    for (const char *sec : {"run", "translation", "dma", "allocator", "host", "memory", "config"})
        if (why.empty() && !json_is_object(json_object_get(j, sec)))
            why = std::string("incomplete report: no ") + sec + " section";
    uint64_t seed = 0;
    if (why.empty() && !json_u64(json_at(j, "run.seed"), seed))
        why = "incomplete report: no run.seed";
    // p.seed is the run's seed unless --vary seed=... sets it (then the
    // varied keys' check below covers it).
    bool seed_varied = false;
    for (const Vary &v : sw.varies)
        seed_varied |= v.key == "seed";
    if (why.empty() && !seed_varied && seed != p.seed)
        why = "another point's report: run.seed is " + std::to_string(seed) + ", not " + std::to_string(p.seed);
    for (size_t k = 0; why.empty() && k < p.expect.size() && k < sw.varies.size(); k++) {
        json_t *v = json_at(json_object_get(j, "config"), sw.varies[k].key);
        char *got = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : nullptr;
        if (!got || p.expect[k] != got)
            why = "another point's report: config." + sw.varies[k].key + " is " + (got ? got : "absent") + ", not " +
                  p.expect[k] + " (" + sw.varies[k].key + "=" + p.values[k] + ")";
        std::free(got);
    }
    json_decref(j);
    return why;
}

// ---- Parsing the command line ----

int parse_vary(const std::string &arg, Sweep &sw)
{
    size_t eq = arg.find('=');
    if (eq == std::string::npos || eq == 0)
        return usage("--vary " + arg + ": expected key=v1,v2,...");
    Vary v;
    v.key = arg.substr(0, eq);
    std::string list = arg.substr(eq + 1);
    size_t start = 0;
    for (;;) {
        size_t comma = list.find(',', start);
        std::string value = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (value.empty())
            return usage("--vary " + v.key + ": empty value (expected " + v.key + "=v1,v2,...)");
        for (const std::string &prev : v.values)
            if (prev == value)
                return usage("--vary " + v.key + ": value '" + value + "' given twice");
        v.values.push_back(value);
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    for (const Vary &prev : sw.varies)
        if (prev.key == v.key)
            return usage("--vary " + v.key + ": key varied twice");
    sw.varies.push_back(v);
    return 0;
}

int parse_args(int argc, char **argv, Sweep &sw, Options &o)
{
    bool defined = false; // anything besides --out/--collect/--metrics was given
    std::vector<Metric> extra;
    for (int i = 2; i < argc; i++) {
        std::string a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : nullptr;
        uint64_t v;
        if (a == "-h" || a == "--help") {
            std::fputs(kSweepUsage, stdout);
            std::exit(finish_stdout(0));
        } else if (a == "--vary" && next) {
            if (int rc = parse_vary(argv[++i], sw))
                return rc;
            defined = true;
        } else if (a == "--set" && next) {
            std::string kv = argv[++i];
            if (kv.find('=') == std::string::npos || kv[0] == '=')
                return usage("--set " + kv + ": expected key=value");
            sw.sets.push_back(kv);
            defined = true;
        } else if (a == "--trace" && next) {
            sw.trace_args.push_back(argv[++i]);
            defined = true;
        } else if (a == "--seeds" && next) {
            if (config_parse_u64(argv[++i], false, &v) || v < 1 || v > 100000)
                return usage("--seeds: expected 1..100000");
            sw.seeds = v;
            defined = true;
        } else if (a == "--out" && next) {
            o.out = argv[++i];
        } else if (a == "--jobs" && next) {
            if (config_parse_u64(argv[++i], false, &v) || v < 1 || v > 4096)
                return usage("--jobs: expected 1..4096");
            o.jobs = static_cast<unsigned>(v);
        } else if (a == "--emit" && next) {
            o.emit = argv[++i];
            if (o.emit != "parallel" && o.emit != "slurm")
                return usage("--emit: expected parallel or slurm");
        } else if (a == "--metrics" && next) {
            std::string list = argv[++i];
            for (size_t at = 0; at <= list.size();) {
                size_t end = list.find(',', at);
                if (end == std::string::npos)
                    end = list.size();
                Metric m;
                std::string why = metric_from_path(list.substr(at, end - at), m);
                if (!why.empty())
                    return usage("--metrics " + list + ": " + why);
                extra.push_back(m);
                at = end + 1;
            }
        } else if (a == "--collect") {
            o.collect = true;
            if (next && next[0] != '-') {
                if (!o.out.empty())
                    return usage("--collect " + std::string(next) + ": DIR given twice (--out " + o.out + ")");
                o.out = argv[++i];
            }
        } else if (!a.empty() && a[0] == '-') {
            return usage("sweep: unknown option or missing value '" + a + "' (tcesim sweep --help)");
        } else if (sw.config_arg.empty()) {
            sw.config_arg = a;
            defined = true;
        } else {
            return usage("sweep: unexpected argument '" + a + "'");
        }
    }
    o.metrics = default_metrics();
    o.metrics.insert(o.metrics.end(), extra.begin(), extra.end());
    if (o.out.empty())
        return usage(o.collect ? "sweep --collect: DIR is required" : "sweep: --out DIR is required (tcesim sweep --help)");
    if (o.collect && (defined || !o.emit.empty()))
        return usage("sweep --collect DIR: the sweep's definition comes from DIR/sweep.json; give nothing else");
    for (const Vary &v : sw.varies)
        if (v.key == "seed" && sw.seeds > 1)
            return usage("--vary seed: not with --seeds (which varies the seed itself)");
    for (size_t i = 0; i < sw.trace_args.size(); i++)
        for (size_t j = 0; j < i; j++)
            if (sw.trace_args[i] == sw.trace_args[j])
                return usage("--trace " + sw.trace_args[i] + ": given twice");
    return 0;
}

} // namespace sweep
} // namespace tcesim
