// tcesim calibrate --check PRESET DIR: a preset's table against a pcie-bench
// result directory (sim/cli_calibrate.hpp is the contract; docs/validation.md
// the user's description).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <jansson.h>
#include <unistd.h>

#include "cli/calibrate/points.hpp"
#include "cli/sweep/sweep.hpp"
#include "cli_calibrate.hpp"
#include "common/numparse.h"
#include "common/tcesim_err.h"
#include "config.h"
#include "output.hpp"
#include "pciebench.h"

namespace tcesim {

namespace {

constexpr uint64_t kDefaultCount = 300000; // as scripts/validate_pciebench.py
constexpr unsigned kMaxJobs = 256;

const char *kCalibrateUsage =
    "usage: tcesim calibrate --check PRESET DIR [--off DIR_OFF] [--count N] [--jobs J] [--json FILE|-]\n"
    "\n"
    "Runs PRESET (a config file or a preset name) at every HWarm point of the pcie-bench result\n"
    "directory DIR (bw_dma_win_sweep_{rd,wr}_rnd_SIZE.csv: random reads and writes over a window,\n"
    "Gb/s; lat_dma_sweep_rd_rnd_SIZE.csv: median latency of one read at a time, ns) and prints\n"
    "measured against simulated, the relative error, and the worst error per curve and overall.\n"
    "  --off DIR_OFF  also the IOMMU-off twin directory, run through the bypass window\n"
    "  --count N      accesses per throughput point (default 300000; latency points N/20, >= 5000)\n"
    "  --jobs J       runs at once (default: the online CPUs)\n"
    "  --json FILE    the table as JSON (schema tcesim.calibrate-check/1); - is standard output\n"
    "                 (the text table then goes to standard error)\n"
    "The vendored measurements are in data/pcie-bench/ (SOURCE.md there).\n"
    "Fitting a preset (calibrate DIR -o PRESET.json) is not built yet.\n";

int usage(const std::string &msg)
{
    std::fprintf(stderr, "tcesim calibrate: %s\n", msg.c_str());
    return 2;
}

std::string fmt_window(uint64_t b)
{
    char buf[32];
    if (b >= (1u << 20) && b % (1u << 19) == 0)
        std::snprintf(buf, sizeof buf, "%gM", static_cast<double>(b) / (1u << 20));
    else if (b >= 1024 && b % 512 == 0)
        std::snprintf(buf, sizeof buf, "%gK", static_cast<double>(b) / 1024);
    else
        std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(b));
    return buf;
}

struct Worst {
    std::string curve;
    double error = 0; // signed; compared by magnitude
    size_t point = 0;
    bool any = false;
};

struct Options {
    std::string preset, dir, off, json;
    bool has_json = false, check = false;
    uint64_t count = kDefaultCount;
    unsigned jobs = 0;
};

int parse(int argc, char **argv, Options &o)
{
    std::vector<std::string> pos;
    for (int i = 2; i < argc; i++) {
        std::string s = argv[i];
        auto value = [&](const char *what) -> const char * { return i + 1 < argc ? argv[++i] : nullptr; };
        if (s == "-h" || s == "--help") {
            std::fputs(kCalibrateUsage, stdout);
            std::exit(finish_stdout(0));
        } else if (s == "--check") {
            o.check = true;
        } else if (s == "--off") {
            const char *v = value("--off");
            if (!v)
                return usage("--off needs a directory (the IOMMU-off twin)");
            o.off = v;
        } else if (s == "--count") {
            const char *v = value("--count");
            if (!v || num_parse_u64(v, &o.count, nullptr) || o.count == 0)
                return usage("--count needs a positive number of accesses");
        } else if (s == "--jobs") {
            const char *v = value("--jobs");
            uint64_t j;
            if (!v || num_parse_u64(v, &j, nullptr) || j == 0 || j > kMaxJobs)
                return usage("--jobs needs a number of processes from 1 to " + std::to_string(kMaxJobs));
            o.jobs = static_cast<unsigned>(j);
        } else if (s == "--json") {
            const char *v = value("--json");
            if (!v)
                return usage("--json needs a file (- for standard output)");
            o.json = v;
            o.has_json = true;
        } else if (s == "-o") {
            return usage("fitting a preset (calibrate DIR -o PRESET.json) is not built yet; --check PRESET DIR "
                         "prints a preset against DIR");
        } else if (!s.empty() && s[0] == '-') {
            return usage("unknown option '" + s + "' (tcesim calibrate --help)");
        } else {
            pos.push_back(s);
        }
    }
    if (!o.check)
        return usage(pos.empty() ? "--check PRESET DIR is needed (tcesim calibrate --help)"
                                 : "fitting a preset (calibrate DIR -o PRESET.json) is not built yet; --check "
                                   "PRESET DIR prints a preset against DIR");
    if (pos.size() != 2)
        return usage(pos.size() < 2 ? "--check needs PRESET and DIR" : "unexpected argument '" + pos[2] + "'");
    o.preset = pos[0];
    o.dir = pos[1];
    return 0;
}

// Reads one directory; prints its error. 0, or 2 (bad input), 1 (memory).
int read_dir(const std::string &dir, pb_dir &d)
{
    char msg[1024];
    int rc = pb_read_dir(dir.c_str(), &d, msg, sizeof msg);
    if (rc == TCESIM_OK)
        return 0;
    std::fprintf(stderr, "%s\n", msg);
    return rc == TCESIM_ENOMEM ? 1 : 2;
}

struct DirGuard {
    pb_dir d{};
    ~DirGuard() { pb_dir_free(&d); }
};

std::string table_text(const Options &o, const std::vector<calib::Point> &pts, const std::vector<double> &sim,
                       const std::vector<Worst> &worst, const Worst &overall)
{
    std::string t;
    char buf[256];
    std::snprintf(buf, sizeof buf, "tcesim calibrate --check %s %s%s%s (%llu accesses per throughput point)\n",
                  o.preset.c_str(), o.dir.c_str(), o.off.empty() ? "" : " --off ", o.off.c_str(),
                  static_cast<unsigned long long>(o.count));
    t += buf;
    std::snprintf(buf, sizeof buf, "%-16s %-6s %10s %10s %8s\n", "curve", "window", "measured", "tcesim", "error");
    t += buf;
    for (size_t i = 0; i < pts.size(); i++) {
        const calib::Point &p = pts[i];
        bool lat = p.kind == PB_READ_LAT;
        double err = (sim[i] - p.measured) / p.measured;
        std::snprintf(buf, sizeof buf, lat ? "%-16s %-6s %10.1f %10.1f %+7.1f%%\n" : "%-16s %-6s %10.2f %10.2f %+7.1f%%\n",
                      (p.curve + (lat ? " ns" : "")).c_str(), fmt_window(p.window_bytes).c_str(), p.measured, sim[i],
                      100 * err);
        t += buf;
    }
    t += "worst error per curve:\n";
    for (const Worst &w : worst) {
        std::snprintf(buf, sizeof buf, "%-16s %+7.1f%% at %s\n", w.curve.c_str(), 100 * w.error,
                      fmt_window(pts[w.point].window_bytes).c_str());
        t += buf;
    }
    std::snprintf(buf, sizeof buf, "worst relative error: %.1f%% (%s at %s)\n", 100 * std::fabs(overall.error),
                  overall.curve.c_str(), fmt_window(pts[overall.point].window_bytes).c_str());
    t += buf;
    return t;
}

std::string table_json(const Options &o, const std::vector<calib::Point> &pts, const std::vector<double> &sim,
                       const std::vector<Worst> &worst, const Worst &overall)
{
    json_t *j = json_object();
    json_object_set_new(j, "schema", json_string("tcesim.calibrate-check/1"));
    json_object_set_new(j, "preset", json_string(o.preset.c_str()));
    json_object_set_new(j, "dir", json_string(o.dir.c_str()));
    json_object_set_new(j, "off_dir", o.off.empty() ? json_null() : json_string(o.off.c_str()));
    json_object_set_new(j, "count", json_integer(static_cast<json_int_t>(o.count)));
    json_t *a = json_array();
    for (size_t i = 0; i < pts.size(); i++) {
        const calib::Point &p = pts[i];
        json_t *e = json_object();
        json_object_set_new(e, "curve", json_string(p.curve.c_str()));
        json_object_set_new(e, "kind", json_string(pb_kind_name(p.kind)));
        json_object_set_new(e, "iommu", json_boolean(!p.iommu_off));
        json_object_set_new(e, "size_bytes", json_integer(p.size_bytes));
        json_object_set_new(e, "window_bytes", json_integer(static_cast<json_int_t>(p.window_bytes)));
        json_object_set_new(e, "unit", json_string(p.kind == PB_READ_LAT ? "ns" : "Gb/s"));
        json_object_set_new(e, "measured", json_real(p.measured));
        json_object_set_new(e, "tcesim", json_real(sim[i]));
        json_object_set_new(e, "error", json_real((sim[i] - p.measured) / p.measured));
        json_object_set_new(e, "file", json_string(p.file.c_str()));
        json_object_set_new(e, "line", json_integer(p.line));
        json_array_append_new(a, e);
    }
    json_object_set_new(j, "points", a);
    json_t *w = json_object();
    for (const Worst &x : worst) {
        json_t *e = json_object();
        json_object_set_new(e, "error", json_real(x.error));
        json_object_set_new(e, "window_bytes", json_integer(static_cast<json_int_t>(pts[x.point].window_bytes)));
        json_object_set_new(w, x.curve.c_str(), e);
    }
    json_object_set_new(j, "worst", w);
    json_t *e = json_object();
    json_object_set_new(e, "curve", json_string(overall.curve.c_str()));
    json_object_set_new(e, "error", json_real(overall.error));
    json_object_set_new(e, "window_bytes", json_integer(static_cast<json_int_t>(pts[overall.point].window_bytes)));
    json_object_set_new(j, "worst_overall", e);
    char *s = json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(j);
    std::string out = s ? s : "";
    std::free(s);
    return out + "\n";
}

} // namespace

int cmd_calibrate(int argc, char **argv)
{
    Options o;
    if (int rc = parse(argc, argv, o))
        return rc;
    // The preset, loaded here so that a bad one is one error, not one per run.
    auto cfg = std::make_unique<tcesim_config>();
    cfg_error cerr;
    char path[1024];
    config_defaults(cfg.get());
    if (config_find(o.preset.c_str(), argv[0], path, sizeof path, &cerr) ||
        config_load_file(cfg.get(), path, &cerr) || config_validate(cfg.get(), &cerr)) {
        std::fprintf(stderr, "%s\n", cerr.msg);
        return 2;
    }
    DirGuard on, off;
    if (int rc = read_dir(o.dir, on.d))
        return rc;
    if (!o.off.empty())
        if (int rc = read_dir(o.off, off.d))
            return rc;
    Claims claims;
    std::string e = claims.input("PRESET", path);
    for (const DirGuard *g : {&on, &off})
        for (size_t i = 0; e.empty() && i < g->d.ncurves; i++)
            e = claims.input("DIR", g->d.curves[i].path);
    if (e.empty())
        e = claims.claim_stdout(o.json == "-" ? "--json -" : "standard output (the table)");
    if (e.empty() && o.has_json && o.json != "-")
        e = claims.output("--json", o.json);
    if (!e.empty()) {
        std::fprintf(stderr, "%s\n", e.c_str());
        return 2;
    }
    std::string exe = sweep::given_exe(argv[0]);
    if (exe.empty()) {
        std::fprintf(stderr, "%s\n", sweep::errno_msg("/proc/self/exe").c_str());
        return 1;
    }

    uint64_t device = cfg->workload.device;
    std::vector<calib::Point> pts = calib::points_of(on.d, false, o.count, device);
    if (!o.off.empty()) {
        std::vector<calib::Point> p2 = calib::points_of(off.d, true, o.count, device);
        pts.insert(pts.end(), p2.begin(), p2.end());
    }
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned jobs = o.jobs ? o.jobs : static_cast<unsigned>(ncpu > 0 ? ncpu : 1);
    std::vector<double> sim;
    std::string err;
    if (int rc = calib::run_points(exe, path, {}, pts, jobs, true, sim, err)) {
        std::fprintf(stderr, "%s\n", err.c_str());
        return rc;
    }

    std::vector<Worst> worst;
    Worst overall;
    for (size_t i = 0; i < pts.size(); i++) {
        double er = (sim[i] - pts[i].measured) / pts[i].measured;
        if (worst.empty() || worst.back().curve != pts[i].curve)
            worst.push_back(Worst{pts[i].curve, er, i, true});
        else if (std::fabs(er) > std::fabs(worst.back().error))
            worst.back() = Worst{pts[i].curve, er, i, true};
        if (!overall.any || std::fabs(er) > std::fabs(overall.error))
            overall = Worst{pts[i].curve, er, i, true};
    }
    std::string text = table_text(o, pts, sim, worst, overall);
    if (o.json == "-") {
        e = write_stdout(table_json(o, pts, sim, worst, overall));
        std::fputs(text.c_str(), stderr);
    } else {
        e = write_stdout(text);
        if (e.empty() && o.has_json)
            e = write_output(o.json, table_json(o, pts, sim, worst, overall));
    }
    if (!e.empty()) {
        std::fprintf(stderr, "%s\n", e.c_str());
        return 1;
    }
    return 0;
}

} // namespace tcesim
