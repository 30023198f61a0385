// tcesim calibrate --check PRESET DIR: a preset's table against a pcie-bench
// result directory (sim/cli_calibrate.hpp is the contract; docs/validation.md
// the user's description).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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
    "usage: tcesim calibrate DIR [--off DIR_OFF] -o PRESET.json [--base PRESET] [--set key=value]...\n"
    "                        [--free key,...] [--budget RUNS] [--count N] [--check-count N] [--jobs J]\n"
    "       tcesim calibrate --check PRESET DIR [--off DIR_OFF] [--set key=value]... [--count N] [--jobs J]\n"
    "                        [--json FILE|-]\n"
    "\n"
    "DIR is a pcie-bench result directory: bw_dma_win_sweep_{rd,wr}_rnd_SIZE.csv (random reads and\n"
    "writes over a window, Gb/s) and lat_dma_sweep_rd_rnd_SIZE.csv (median latency of one read at a\n"
    "time, ns), their HWarm rows. The vendored measurements are in data/pcie-bench/ (SOURCE.md there).\n"
    "\n"
    "Fitting (DIR -o PRESET.json) starts from --base (a config file or preset name; default\n"
    "xeon-e5-vtd) with the --set values applied (give the specifications there: memory.llc.bytes,\n"
    "iommu.page_size, ...) and searches the free parameters, minimising the worst relative error over\n"
    "the fitted curves. With --off, stage 1 fits the device, link and LLC costs to the IOMMU-off twin,\n"
    "then stage 2 the walker, walk caches and IOTLB to DIR; without it, one stage fits all of them to\n"
    "DIR. 128 B reads and writes and 512 B writes are held out: never fitted, predicted in the final\n"
    "table. It writes PRESET.json (the base with the fitted values; `_about` names the data, the\n"
    "values, each curve's worst error and the search's cost) and prints the final table.\n"
    "  --free key,...   the free parameters (default: all of them):\n"
    "                   stage 1: devices.D.{overhead_ns,read_hold_ns,tags,read_req_ns,read_byte_ps,\n"
    "                   write_req_ns,write_byte_ps}, memory.latency_ns, memory.llc.{hit_ns,line_ns};\n"
    "                   stage 2: phb.{tce_cache.entries,fetch_slots,walk_ns,walk_cache.entries,\n"
    "                   walk_cache.lines,read_slots} (D: the config's workload.device)\n"
    "  --budget RUNS    simulator runs for the search (default 8000; stage 1 gets half when there\n"
    "                   are two): it stops before an evaluation (one run per point) that would pass\n"
    "                   them; each stage's first evaluation always runs, a revisited candidate counts\n"
    "                   again, the final table's runs do not count\n"
    "  --count N        accesses per throughput point in the search (default 30000)\n"
    "  --check-count N  accesses per throughput point in the final table (default 300000)\n"
    "  --jobs J         runs at once (default: the online CPUs); the result does not depend on it\n"
    "The search saves its state in PRESET.json.state after every evaluation; run the same command\n"
    "again (a larger --budget is allowed) and it resumes where it stopped. The state is removed\n"
    "when the search converges.\n"
    "\n"
    "Checking (--check PRESET DIR) runs PRESET at every point of DIR and prints measured against\n"
    "simulated, the relative error, and the worst error per curve and overall.\n"
    "  --off DIR_OFF  also the IOMMU-off twin directory, run through the bypass window\n"
    "  --set k=v      a setting on top of PRESET in every run (iommu.page_size=2M, ...)\n"
    "  --count N      accesses per throughput point (default 300000; latency points N/20, >= 5000)\n"
    "  --jobs J       runs at once (default: the online CPUs)\n"
    "  --json FILE    the table as JSON (schema tcesim.calibrate-check/1); - is standard output\n"
    "                 (the text table then goes to standard error)\n";

int usage(const std::string &msg)
{
    std::fprintf(stderr, "tcesim calibrate: %s\n", msg.c_str());
    return 2;
}

struct Options {
    std::string preset, dir, off, json;
    std::vector<std::string> sets; // --set, applied to PRESET in every run
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
        if (s == "--check") {
            o.check = true;
        } else if (s == "--off") {
            const char *v = value("--off");
            if (!v)
                return usage("--off needs a directory (the IOMMU-off twin)");
            o.off = v;
        } else if (s == "--set") {
            const char *v = value("--set");
            if (!v || !std::strchr(v, '='))
                return usage("--set needs key=value");
            o.sets.push_back(v);
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
        } else if (!s.empty() && s[0] == '-') {
            return usage("unknown option '" + s + "' (tcesim calibrate --help)");
        } else {
            pos.push_back(s);
        }
    }
    if (pos.size() != 2)
        return usage(pos.size() < 2 ? "--check needs PRESET and DIR" : "unexpected argument '" + pos[2] + "'");
    o.preset = pos[0];
    o.dir = pos[1];
    return 0;
}

std::string table_json(const Options &o, const std::vector<calib::Point> &pts, const std::vector<double> &sim,
                       const calib::Worsts &w)
{
    json_t *j = json_object();
    json_object_set_new(j, "schema", json_string("tcesim.calibrate-check/1"));
    json_object_set_new(j, "preset", json_string(o.preset.c_str()));
    json_object_set_new(j, "dir", json_string(o.dir.c_str()));
    json_object_set_new(j, "off_dir", o.off.empty() ? json_null() : json_string(o.off.c_str()));
    json_t *sets = json_array();
    for (const std::string &st : o.sets)
        json_array_append_new(sets, json_string(st.c_str()));
    json_object_set_new(j, "sets", sets);
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
    json_t *wj = json_object();
    for (const calib::Worst &x : w.curves) {
        json_t *e = json_object();
        json_object_set_new(e, "error", json_real(x.error));
        json_object_set_new(e, "window_bytes", json_integer(static_cast<json_int_t>(pts[x.point].window_bytes)));
        json_object_set_new(wj, x.curve.c_str(), e);
    }
    json_object_set_new(j, "worst", wj);
    json_t *e = json_object();
    json_object_set_new(e, "curve", json_string(w.overall.curve.c_str()));
    json_object_set_new(e, "error", json_real(w.overall.error));
    json_object_set_new(e, "window_bytes", json_integer(static_cast<json_int_t>(pts[w.overall.point].window_bytes)));
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
    bool check = false;
    for (int i = 2; i < argc; i++) {
        std::string s = argv[i];
        if (s == "-h" || s == "--help") {
            std::fputs(kCalibrateUsage, stdout);
            return finish_stdout(0);
        }
        check = check || s == "--check";
    }
    if (!check)
        return calib::fit(argc, argv);
    Options o;
    if (int rc = parse(argc, argv, o))
        return rc;
    // The preset, loaded here so that a bad one is one error, not one per run.
    auto cfg = std::make_unique<tcesim_config>();
    std::string path;
    if (calib::load_config(o.preset, o.sets, *cfg, path))
        return 2;
    calib::DirGuard on, off;
    if (int rc = calib::read_dir(o.dir, on.d))
        return rc;
    if (!o.off.empty())
        if (int rc = calib::read_dir(o.off, off.d))
            return rc;
    Claims claims;
    std::string e = calib::claim_inputs(claims, "PRESET", path, on.d, off.d);
    if (e.empty())
        e = claims.claim_stdout(o.json == "-" ? "--json -" : "standard output (the table)");
    if (e.empty() && o.has_json && o.json != "-")
        e = claims.output("--json", o.json);
    if (!e.empty()) {
        std::fprintf(stderr, "%s\n", e.c_str());
        return 2;
    }
    std::string exe;
    if (int rc = calib::program(argv[0], exe))
        return rc;

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
    if (int rc = calib::run_points(exe, path, o.sets, pts, jobs, true, sim, err)) {
        std::fprintf(stderr, "%s\n", err.c_str());
        return rc;
    }

    calib::Worsts w = calib::worst_of(pts, sim);
    char title[1024];
    std::string with;
    for (const std::string &st : o.sets)
        with += " --set " + st;
    std::snprintf(title, sizeof title, "tcesim calibrate --check %s %s%s%s%s (%llu accesses per throughput point)",
                  o.preset.c_str(), o.dir.c_str(), o.off.empty() ? "" : " --off ", o.off.c_str(), with.c_str(),
                  static_cast<unsigned long long>(o.count));
    std::string text = calib::table_text(title, pts, sim, w);
    if (o.json == "-") {
        e = write_stdout(table_json(o, pts, sim, w));
        std::fputs(text.c_str(), stderr);
    } else {
        e = write_stdout(text);
        if (e.empty() && o.has_json)
            e = write_output(o.json, table_json(o, pts, sim, w));
    }
    if (!e.empty()) {
        std::fprintf(stderr, "%s\n", e.c_str());
        return 1;
    }
    return 0;
}

} // namespace tcesim
