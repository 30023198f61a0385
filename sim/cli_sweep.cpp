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
namespace {

const char *kSweepUsage =
    "usage: tcesim sweep [CONFIG] --vary key=v1,v2,... [--vary ...] [--set key=value]...\n"
    "                    [--trace FILE]... [--seeds N] --out DIR [--jobs N] [--emit parallel|slurm]\n"
    "       tcesim sweep --collect DIR\n"
    "  Runs `tcesim run` once per point of the cartesian product of the --vary values, the\n"
    "  traces and the seeds (--seeds N: seeds S..S+N-1, S the config's seed), --jobs at a time\n"
    "  (default: the online CPUs). Reports go to DIR/NAME.json, logs to DIR/logs/NAME.log and\n"
    "  one row per point to DIR/results.csv (with --seeds N > 1: the mean and a 95% confidence\n"
    "  interval). Re-running the same command runs only the points without a report.\n"
    "  --emit parallel writes DIR/jobs.txt for GNU parallel; --emit slurm also DIR/sweep.slurm\n"
    "  (an array job); afterwards `tcesim sweep --collect DIR` builds results.csv.\n"
    "  docs/sweeps.md describes names, columns and the confidence interval.\n";

const char *kReportSchema = "tcesim.report/1";
const char *kSweepSchema = "tcesim.sweep/1";

// The results.csv metrics, in column order (docs/interface.md).
const char *const kMetrics[] = {"hit_rate",           "translation_p50_ns", "translation_p99_ns",
                                "translation_p999_ns", "dma_throughput_gbps", "pool_wait_p99_ns",
                                "alloc_failures",     "faults",             "dma_lost_bytes"};
constexpr size_t kNMetrics = sizeof kMetrics / sizeof kMetrics[0];

// A point's file name stays well under NAME_MAX with ".json" and its temp
// name's "." and ".tcesim-XXXXXX" (outfile.h) around it.
constexpr size_t kMaxName = 120;

int usage(const std::string &msg)
{
    std::fprintf(stderr, "tcesim: %s\n", msg.c_str());
    return 2;
}

struct Vary {
    std::string key;
    std::vector<std::string> values;
};

struct Point {
    std::string name;
    std::vector<std::string> values; // one per Vary, same order
    size_t trace = 0;                // index into Sweep::trace_args (0 when none)
    uint64_t seed = 0;
    size_t row = 0;                  // results.csv row (points differing only by seed share one)
};

// The definition (what makes two sweeps the same) and its points.
struct Sweep {
    std::string config_arg, config_path; // as given; resolved absolute ("" = embedded default)
    std::vector<std::string> sets;
    std::vector<Vary> varies;
    std::vector<std::string> trace_args, trace_paths; // as given; absolute
    uint64_t seeds = 1, first_seed = 1;
    std::vector<Point> points;
};

struct Options {
    std::string out;
    unsigned jobs = 0;  // 0: not given
    std::string emit;   // "", "parallel" or "slurm"
    bool collect = false;
};

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

std::string self_exe()
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        return "";
    buf[n] = 0;
    return buf;
}

bool is_report_file(const std::string &path)
{
    json_error_t jerr;
    json_t *j = json_load_file(path.c_str(), 0, &jerr);
    if (!j)
        return false;
    const char *s = json_string_value(json_object_get(j, "schema"));
    bool ok = s && !std::strcmp(s, kReportSchema);
    json_decref(j);
    return ok;
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
    bool defined = false; // anything besides --out/--collect was given
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

// ---- Planning: configs checked up front, point names ----

// 64-bit FNV-1a: a short, stable suffix that tells apart names that
// sanitising, shortening or equal trace basenames made equal.
std::string short_hash(const std::string &s)
{
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%08llx", static_cast<unsigned long long>(h & 0xffffffffull));
    return buf;
}

std::string sanitise(const std::string &s)
{
    std::string out = s;
    for (char &c : out) {
        bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-' || c == '+' || c == '=' || c == ',';
        if (!safe)
            c = '_';
    }
    return out;
}

std::string basename_of(const std::string &p)
{
    size_t slash = p.find_last_of('/');
    return slash == std::string::npos ? p : p.substr(slash + 1);
}

// Names: "key=value,key=value[,trace=BASENAME][,seed=S]", sanitised to
// [A-Za-z0-9._+=,-]; a name longer than kMaxName is shortened, and a name
// that would be ambiguous gets "-HASH" of its full parameters.
int name_points(Sweep &sw)
{
    std::vector<std::string> readable(sw.points.size()), full(sw.points.size());
    std::map<std::string, size_t> count;
    for (size_t i = 0; i < sw.points.size(); i++) {
        const Point &p = sw.points[i];
        std::string r, f;
        for (size_t k = 0; k < sw.varies.size(); k++) {
            std::string part = sw.varies[k].key + "=" + p.values[k];
            r += (r.empty() ? "" : ",") + part;
            f += (f.empty() ? "" : ",") + part;
        }
        if (sw.trace_args.size() > 1) {
            r += std::string(r.empty() ? "" : ",") + "trace=" + basename_of(sw.trace_args[p.trace]);
            f += std::string(f.empty() ? "" : ",") + "trace=" + sw.trace_paths[p.trace];
        }
        if (sw.seeds > 1) {
            std::string part = "seed=" + std::to_string(p.seed);
            r += (r.empty() ? "" : ",") + part;
            f += (f.empty() ? "" : ",") + part;
        }
        if (r.empty())
            r = f = "run";
        r = sanitise(r);
        if (r.size() > kMaxName)
            r = r.substr(0, kMaxName - 9) + "-" + short_hash(f);
        readable[i] = r;
        full[i] = f;
        count[r]++;
    }
    std::set<std::string> seen;
    for (size_t i = 0; i < sw.points.size(); i++) {
        std::string n = readable[i];
        if (count[n] > 1)
            n += "-" + short_hash(full[i]);
        if (!seen.insert(n).second)
            return usage("sweep: two points named '" + n + "'; vary fewer keys or rename the traces");
        sw.points[i].name = n;
    }
    return 0;
}

// Resolves CONFIG and the traces, builds every point in order (first --vary
// slowest, then the trace, then the seed) and checks each point's config as
// `tcesim run` will load it, so a bad key or value stops the sweep before
// anything runs. O(points) config copies; a config is ~100 KiB.
int plan(Sweep &sw, const char *argv0)
{
    cfg_error err;
    auto base = std::make_unique<tcesim_config>();
    config_defaults(base.get());
    if (!sw.config_arg.empty()) {
        char path[1024];
        if (config_find(sw.config_arg.c_str(), argv0, path, sizeof path, &err) ||
            config_load_file(base.get(), path, &err)) {
            std::fprintf(stderr, "%s\n", err.msg);
            return 2;
        }
        sw.config_path = absolute_path(path);
    }
    for (const std::string &s : sw.sets)
        if (config_set(base.get(), s.c_str(), &err)) {
            std::fprintf(stderr, "%s\n", err.msg);
            return 2;
        }
    sw.first_seed = base->seed;
    for (const std::string &t : sw.trace_args) {
        if (access(t.c_str(), R_OK) != 0) {
            std::fprintf(stderr, "%s\n", errno_msg(t).c_str());
            return 2;
        }
        sw.trace_paths.push_back(absolute_path(t));
    }
    size_t ncombos = 1;
    for (const Vary &v : sw.varies) {
        if (ncombos > 1000000 / v.values.size())
            return usage("sweep: more than a million points");
        ncombos *= v.values.size();
    }
    size_t ntraces = sw.trace_args.empty() ? 1 : sw.trace_args.size();
    if (ncombos * ntraces > 1000000 / sw.seeds)
        return usage("sweep: more than a million points");

    auto cfg = std::make_unique<tcesim_config>();
    std::vector<size_t> idx(sw.varies.size(), 0);
    size_t row = 0;
    for (size_t c = 0; c < ncombos; c++) {
        // Mixed-radix counter, last --vary fastest.
        size_t rest = c;
        for (size_t k = sw.varies.size(); k-- > 0;) {
            idx[k] = rest % sw.varies[k].values.size();
            rest /= sw.varies[k].values.size();
        }
        std::vector<std::string> values;
        *cfg = *base;
        for (size_t k = 0; k < sw.varies.size(); k++) {
            values.push_back(sw.varies[k].values[idx[k]]);
            std::string kv = sw.varies[k].key + "=" + values.back();
            if (config_set(cfg.get(), kv.c_str(), &err)) {
                std::fprintf(stderr, "%s\n", err.msg);
                return 2;
            }
        }
        for (size_t t = 0; t < ntraces; t++, row++)
            for (uint64_t s = 0; s < sw.seeds; s++) {
                Point p;
                p.values = values;
                p.trace = t;
                p.seed = sw.first_seed + s;
                p.row = row;
                sw.points.push_back(p);
            }
        // The seed never makes a config invalid: one check per combination.
        if (config_validate(cfg.get(), &err)) {
            std::string where;
            for (size_t k = 0; k < sw.varies.size(); k++)
                where += (k ? "," : "") + sw.varies[k].key + "=" + values[k];
            std::fprintf(stderr, "%s (point %s)\n", err.msg, where.c_str());
            return 2;
        }
    }
    return name_points(sw);
}

// ---- The manifest, DIR/sweep.json ----

json_t *string_array(const std::vector<std::string> &v)
{
    json_t *a = json_array();
    for (const std::string &s : v)
        json_array_append_new(a, json_string(s.c_str()));
    return a;
}

// The part of the manifest two runs of the same sweep agree on.
json_t *definition_json(const Sweep &sw)
{
    json_t *d = json_object();
    json_object_set_new(d, "config", json_string(sw.config_arg.c_str()));
    json_object_set_new(d, "config_path", json_string(sw.config_path.c_str()));
    json_object_set_new(d, "sets", string_array(sw.sets));
    json_t *vs = json_array();
    for (const Vary &v : sw.varies) {
        json_t *o = json_object();
        json_object_set_new(o, "key", json_string(v.key.c_str()));
        json_object_set_new(o, "values", string_array(v.values));
        json_array_append_new(vs, o);
    }
    json_object_set_new(d, "varies", vs);
    json_object_set_new(d, "traces", string_array(sw.trace_args));
    json_object_set_new(d, "trace_paths", string_array(sw.trace_paths));
    json_object_set_new(d, "seeds", json_integer(static_cast<json_int_t>(sw.seeds)));
    json_object_set_new(d, "first_seed", json_integer(static_cast<json_int_t>(sw.first_seed)));
    return d;
}

std::string manifest_text(const Sweep &sw)
{
    json_t *m = json_object();
    json_object_set_new(m, "schema", json_string(kSweepSchema));
    json_object_set_new(m, "definition", definition_json(sw));
    json_t *pts = json_array();
    for (const Point &p : sw.points) {
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(p.name.c_str()));
        json_t *params = json_object();
        for (size_t k = 0; k < sw.varies.size(); k++)
            json_object_set_new(params, sw.varies[k].key.c_str(), json_string(p.values[k].c_str()));
        json_object_set_new(o, "params", params);
        json_object_set_new(o, "trace", sw.trace_args.empty() ? json_null() : json_string(sw.trace_args[p.trace].c_str()));
        json_object_set_new(o, "seed", json_integer(static_cast<json_int_t>(p.seed)));
        json_object_set_new(o, "row", json_integer(static_cast<json_int_t>(p.row)));
        json_array_append_new(pts, o);
    }
    json_object_set_new(m, "points", pts);
    char *s = json_dumps(m, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    std::string text = s ? std::string(s) + "\n" : "";
    std::free(s);
    json_decref(m);
    return text;
}

std::vector<std::string> strings_of(json_t *a, bool &ok)
{
    std::vector<std::string> v;
    if (!json_is_array(a)) {
        ok = false;
        return v;
    }
    for (size_t i = 0; i < json_array_size(a); i++) {
        const char *s = json_string_value(json_array_get(a, i));
        if (!s)
            ok = false;
        else
            v.push_back(s);
    }
    return v;
}

// Reads DIR/sweep.json back into a Sweep (definition and points).
int load_manifest(const std::string &path, Sweep &sw)
{
    json_error_t jerr;
    json_t *m = json_load_file(path.c_str(), 0, &jerr);
    if (!m) {
        if (access(path.c_str(), F_OK) != 0)
            std::fprintf(stderr, "%s: no such file: not a sweep directory (tcesim sweep ... --out DIR writes it)\n", path.c_str());
        else
            std::fprintf(stderr, "%s:%d: %s\n", path.c_str(), jerr.line, jerr.text);
        return 2;
    }
    bool ok = json_is_string(json_object_get(m, "schema")) &&
              !std::strcmp(json_string_value(json_object_get(m, "schema")), kSweepSchema);
    json_t *d = json_object_get(m, "definition");
    json_t *pts = json_object_get(m, "points");
    ok = ok && json_is_object(d) && json_is_array(pts);
    if (ok) {
        const char *c = json_string_value(json_object_get(d, "config"));
        const char *cp = json_string_value(json_object_get(d, "config_path"));
        ok = c && cp;
        sw.config_arg = c ? c : "";
        sw.config_path = cp ? cp : "";
        sw.sets = strings_of(json_object_get(d, "sets"), ok);
        sw.trace_args = strings_of(json_object_get(d, "traces"), ok);
        sw.trace_paths = strings_of(json_object_get(d, "trace_paths"), ok);
        sw.seeds = static_cast<uint64_t>(json_integer_value(json_object_get(d, "seeds")));
        sw.first_seed = static_cast<uint64_t>(json_integer_value(json_object_get(d, "first_seed")));
        json_t *vs = json_object_get(d, "varies");
        ok = ok && json_is_array(vs) && sw.seeds >= 1;
        for (size_t i = 0; ok && i < json_array_size(vs); i++) {
            json_t *o = json_array_get(vs, i);
            Vary v;
            const char *k = json_string_value(json_object_get(o, "key"));
            ok = k != nullptr;
            v.key = k ? k : "";
            v.values = strings_of(json_object_get(o, "values"), ok);
            sw.varies.push_back(v);
        }
        for (size_t i = 0; ok && i < json_array_size(pts); i++) {
            json_t *o = json_array_get(pts, i);
            Point p;
            const char *n = json_string_value(json_object_get(o, "name"));
            json_t *params = json_object_get(o, "params");
            ok = n && *n && !std::strchr(n, '/') && json_is_object(params);
            p.name = n ? n : "";
            for (size_t k = 0; ok && k < sw.varies.size(); k++) {
                const char *v = json_string_value(json_object_get(params, sw.varies[k].key.c_str()));
                ok = v != nullptr;
                p.values.push_back(v ? v : "");
            }
            const char *t = json_string_value(json_object_get(o, "trace"));
            for (size_t k = 0; t && k < sw.trace_args.size(); k++)
                if (sw.trace_args[k] == t)
                    p.trace = k;
            p.seed = static_cast<uint64_t>(json_integer_value(json_object_get(o, "seed")));
            json_int_t row = json_integer_value(json_object_get(o, "row"));
            ok = ok && row >= 0;
            p.row = static_cast<size_t>(row);
            sw.points.push_back(p);
        }
    }
    json_decref(m);
    if (!ok) {
        std::fprintf(stderr, "%s: not a tcesim sweep manifest (%s)\n", path.c_str(), kSweepSchema);
        return 2;
    }
    return 0;
}

// Writes DIR/sweep.json, or checks that the one there describes this sweep:
// reports are found by name, and a name does not carry --set or CONFIG.
int ensure_manifest(const std::string &dir, const Sweep &sw)
{
    std::string path = dir + "/sweep.json";
    if (access(path.c_str(), F_OK) == 0) {
        Sweep old;
        if (int rc = load_manifest(path, old))
            return rc;
        json_t *a = definition_json(old), *b = definition_json(sw);
        bool same = json_equal(a, b);
        json_decref(a);
        json_decref(b);
        if (!same) {
            std::fprintf(stderr, "%s: DIR holds a different sweep (CONFIG, --set, --vary, --trace or --seeds differ); use another --out\n",
                         path.c_str());
            return 2;
        }
        return 0;
    }
    std::string e = write_output(path, manifest_text(sw));
    if (!e.empty()) {
        std::fprintf(stderr, "%s\n", e.c_str());
        return 1;
    }
    return 0;
}

// mkdir -p DIR/logs.
int make_dirs(const std::string &dir)
{
    std::string logs = dir + "/logs";
    for (size_t i = 1; i <= logs.size(); i++) {
        if (i < logs.size() && logs[i] != '/')
            continue;
        std::string d = logs.substr(0, i);
        if (mkdir(d.c_str(), 0777) != 0 && errno != EEXIST) {
            std::fprintf(stderr, "%s\n", errno_msg(d).c_str());
            return 1;
        }
    }
    return 0;
}

// ---- A point's command ----

std::vector<std::string> point_argv(const Sweep &sw, const Point &p, const std::string &exe, const std::string &dir)
{
    std::vector<std::string> a = {exe, "run"};
    if (!sw.config_path.empty())
        a.push_back(sw.config_path);
    if (!sw.trace_paths.empty()) {
        a.push_back("--trace");
        a.push_back(sw.trace_paths[p.trace]);
    }
    for (const std::string &s : sw.sets) {
        a.push_back("--set");
        a.push_back(s);
    }
    for (size_t k = 0; k < sw.varies.size(); k++) {
        a.push_back("--set");
        a.push_back(sw.varies[k].key + "=" + p.values[k]);
    }
    if (sw.seeds > 1) {
        a.push_back("--set");
        a.push_back("seed=" + std::to_string(p.seed));
    }
    a.push_back("--json");
    a.push_back(dir + "/" + p.name + ".json");
    return a;
}

std::string shell_quote(const std::string &s)
{
    bool plain = !s.empty();
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::strchr("._-+=,/:@%", c)))
            plain = false;
    if (plain)
        return s;
    std::string q = "'";
    for (char c : s)
        q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

// ---- results.csv ----

double json_number(json_t *j)
{
    if (json_is_integer(j))
        return static_cast<double>(json_integer_value(j));
    if (json_is_real(j))
        return json_real_value(j);
    return NAN;
}

// The report's metrics in kMetrics order; false (with why) when the file is
// missing or not a report. A null or absent value is NaN (an empty cell).
bool read_metrics(const std::string &path, double out[kNMetrics], std::string &why)
{
    json_error_t jerr;
    json_t *r = json_load_file(path.c_str(), 0, &jerr);
    if (!r) {
        why = access(path.c_str(), F_OK) != 0 ? "missing" : std::string("unreadable: ") + jerr.text;
        return false;
    }
    const char *schema = json_string_value(json_object_get(r, "schema"));
    json_t *tr = json_object_get(r, "translation");
    json_t *lat = json_object_get(tr, "latency_ns");
    json_t *dma = json_object_get(r, "dma");
    json_t *alloc = json_object_get(r, "allocator");
    if (!schema || std::strcmp(schema, kReportSchema) || !json_is_object(tr) || !json_is_object(dma)) {
        why = std::string("not a ") + kReportSchema + " report";
        json_decref(r);
        return false;
    }
    double pool_wait = 0;
    json_t *pools = json_object_get(alloc, "pools");
    for (size_t i = 0; i < json_array_size(pools); i++) {
        double w = json_number(json_object_get(json_object_get(json_array_get(pools, i), "wait_ns"), "p99"));
        if (w > pool_wait)
            pool_wait = w;
    }
    out[0] = json_number(json_object_get(tr, "hit_rate"));
    out[1] = json_number(json_object_get(lat, "p50"));
    out[2] = json_number(json_object_get(lat, "p99"));
    out[3] = json_number(json_object_get(lat, "p999"));
    out[4] = json_number(json_object_get(dma, "throughput_gbps"));
    out[5] = pool_wait;
    out[6] = json_number(json_object_get(alloc, "failures"));
    out[7] = json_number(json_object_get(tr, "faults"));
    out[8] = json_number(json_object_get(dma, "lost_bytes"));
    json_decref(r);
    return true;
}

// Two-sided 95% critical values of Student's t for 1..30 degrees of freedom,
// then 40, 60, 120 and infinity (any statistics table, e.g. NIST/SEMATECH
// e-Handbook 1.3.6.7.2). Between tabulated d.o.f. the smaller d.o.f. is used:
// the interval errs wide.
double t95(uint64_t dof)
{
    static const double small[30] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                     2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                     2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    if (dof >= 1 && dof <= 30)
        return small[dof - 1];
    if (dof < 40)
        return 2.042;
    if (dof < 60)
        return 2.021;
    if (dof < 120)
        return 2.000;
    return 1.980;
}

std::string fmt_number(double v)
{
    if (std::isnan(v))
        return "";
    char buf[64];
    if (v == std::floor(v) && std::fabs(v) < 1e15)
        std::snprintf(buf, sizeof buf, "%.0f", v);
    else
        std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

std::string csv_field(const std::string &s)
{
    if (s.find_first_of(",\"\n\r") == std::string::npos)
        return s;
    std::string q = "\"";
    for (char c : s)
        q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

// Builds DIR/results.csv from the reports that exist, one row per point in
// plan order (with --seeds N > 1: mean, then <metric>_ci95 half-widths and
// the number of seeds averaged). Returns the rows written; `missing` the
// points without a report, each named on stderr unless `quiet`.
size_t write_results(const std::string &dir, const Sweep &sw, bool quiet, size_t &missing, std::string &err)
{
    missing = 0;
    bool agg = sw.seeds > 1;
    std::string csv;
    for (const Vary &v : sw.varies)
        csv += csv_field(v.key) + ",";
    if (sw.trace_args.size() > 1)
        csv += "trace,";
    for (size_t m = 0; m < kNMetrics; m++)
        csv += std::string(m ? "," : "") + kMetrics[m];
    if (agg) {
        for (size_t m = 0; m < kNMetrics; m++)
            csv += std::string(",") + kMetrics[m] + "_ci95";
        csv += ",seeds";
    }
    csv += "\n";
    size_t rows = 0;
    for (size_t first = 0; first < sw.points.size();) {
        size_t end = first;
        while (end < sw.points.size() && sw.points[end].row == sw.points[first].row)
            end++;
        std::vector<std::vector<double>> samples(kNMetrics);
        for (size_t i = first; i < end; i++) {
            double v[kNMetrics];
            std::string why;
            std::string path = dir + "/" + sw.points[i].name + ".json";
            if (!read_metrics(path, v, why)) {
                missing++;
                if (!quiet)
                    std::fprintf(stderr, "%s: %s\n", path.c_str(), why.c_str());
                continue;
            }
            for (size_t m = 0; m < kNMetrics; m++)
                samples[m].push_back(v[m]);
        }
        const Point &p = sw.points[first];
        first = end;
        if (samples[0].empty())
            continue;
        std::string line;
        for (const std::string &v : p.values)
            line += csv_field(v) + ",";
        if (sw.trace_args.size() > 1)
            line += csv_field(sw.trace_args[p.trace]) + ",";
        std::string cis;
        for (size_t m = 0; m < kNMetrics; m++) {
            // NaN cells (a metric the report left null) stay out of the mean.
            // Sums of differences from the first sample: equal samples give
            // exactly their value and a zero interval, no rounding residue.
            double x0 = NAN, sum = 0, sum2 = 0, n = 0;
            for (double x : samples[m])
                if (!std::isnan(x)) {
                    if (std::isnan(x0))
                        x0 = x;
                    sum += x - x0;
                    sum2 += (x - x0) * (x - x0);
                    n++;
                }
            double mean = n ? x0 + sum / n : NAN;
            double ci = NAN;
            if (n >= 2) {
                double var = std::max(0.0, (sum2 - sum * sum / n) / (n - 1));
                ci = t95(static_cast<uint64_t>(n) - 1) * std::sqrt(var / n);
            }
            line += std::string(m ? "," : "") + fmt_number(mean);
            cis += "," + fmt_number(ci);
        }
        if (agg)
            line += cis + "," + std::to_string(samples[0].size());
        csv += line + "\n";
        rows++;
    }
    err = write_output(dir + "/results.csv", csv);
    return rows;
}

int cmd_collect(const Options &o)
{
    Sweep sw;
    if (int rc = load_manifest(o.out + "/sweep.json", sw))
        return rc;
    size_t missing;
    std::string err;
    size_t rows = write_results(o.out, sw, false, missing, err);
    if (!err.empty()) {
        std::fprintf(stderr, "%s\n", err.c_str());
        return 1;
    }
    if (rows == 0) {
        std::fprintf(stderr, "%s: no reports yet (%zu points)\n", o.out.c_str(), sw.points.size());
        return 1;
    }
    std::fprintf(stderr, "sweep: %zu of %zu points collected, %zu rows -> %s/results.csv\n",
                 sw.points.size() - missing, sw.points.size(), rows, o.out.c_str());
    return 0;
}

// ---- --emit parallel | slurm ----

std::string strprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

std::string strprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = nullptr;
    int n = vasprintf(&p, fmt, ap);
    va_end(ap);
    std::string r = n >= 0 && p ? std::string(p, static_cast<size_t>(n)) : std::string();
    std::free(p);
    return r;
}

int emit_say(const std::string &text)
{
    std::string e = write_stdout(text);
    if (e.empty())
        return 0;
    std::fprintf(stderr, "%s\n", e.c_str());
    return 1;
}

int cmd_emit(const Options &o, const Sweep &sw, const std::string &exe, const std::vector<size_t> &todo)
{
    std::string jobs;
    for (size_t i : todo) {
        const Point &p = sw.points[i];
        std::string line;
        for (const std::string &a : point_argv(sw, p, exe, o.out))
            line += (line.empty() ? "" : " ") + shell_quote(a);
        line += " >" + shell_quote(o.out + "/logs/" + p.name + ".log") + " 2>&1";
        jobs += line + "\n";
    }
    std::string jobs_path = o.out + "/jobs.txt";
    std::string e = write_output(jobs_path, jobs);
    if (!e.empty()) {
        std::fprintf(stderr, "%s\n", e.c_str());
        return 1;
    }
    std::string say; // what to do next, for standard output (checked as a whole)
    std::string j = o.jobs ? " -j " + std::to_string(o.jobs) : "";
    std::string collect = "then: " + shell_quote(exe) + " sweep --collect " + shell_quote(o.out) + "\n";
    say += strprintf("%s: %zu of %zu points to run, one command a line\n", jobs_path.c_str(), todo.size(), sw.points.size());
    if (todo.empty()) {
        say += "every point has its report; " + collect;
        return emit_say(say);
    }
    if (o.emit == "parallel") {
        say += strprintf("run them with GNU parallel on this machine:\n"
                         "  parallel --joblog %s%s < %s\n"
                         "or across hosts that see DIR and the binary at the same paths:\n"
                         "  parallel --joblog %s --sshlogin HOST1,HOST2 < %s\n%s",
                         shell_quote(o.out + "/joblog").c_str(), j.c_str(), shell_quote(jobs_path).c_str(),
                         shell_quote(o.out + "/joblog").c_str(), shell_quote(jobs_path).c_str(), collect.c_str());
        return emit_say(say);
    }
    // Slurm: one array task per line of jobs.txt. #SBATCH lines are read by
    // sbatch, not by a shell: their paths are written unquoted.
    std::string throttle = o.jobs ? "%" + std::to_string(o.jobs) : "";
    std::string script =
        "#!/bin/bash\n"
        "# tcesim sweep: one Slurm array task per line of jobs.txt (tcesim sweep --emit slurm).\n"
        "# Submit: sbatch " + o.out + "/sweep.slurm\n"
        "# Dry run of one point: SLURM_ARRAY_TASK_ID=0 bash " + o.out + "/sweep.slurm\n"
        "#SBATCH --job-name=tcesim-sweep\n"
        "#SBATCH --array=0-" + std::to_string(todo.size() - 1) + throttle + "\n"
        "#SBATCH --ntasks=1\n"
        "#SBATCH --cpus-per-task=1\n"
        "#SBATCH --output=" + o.out + "/logs/slurm-%A_%a.out\n"
        "set -eu\n"
        "jobs=" + shell_quote(jobs_path) + "\n"
        "task=${SLURM_ARRAY_TASK_ID:?not set: submit with sbatch, or set it for a dry run}\n"
        "case $task in *[!0-9]*|'') echo \"SLURM_ARRAY_TASK_ID: not a number: $task\" >&2; exit 2;; esac\n"
        "line=$(sed -n \"$((task + 1))p\" \"$jobs\")\n"
        "if [ -z \"$line\" ]; then echo \"$jobs: no line for task $task\" >&2; exit 2; fi\n"
        "exec bash -c \"$line\"\n";
    std::string slurm_path = o.out + "/sweep.slurm";
    e = write_output(slurm_path, script);
    if (!e.empty() || chmod(slurm_path.c_str(), 0755) != 0) {
        std::fprintf(stderr, "%s\n", e.empty() ? errno_msg(slurm_path).c_str() : e.c_str());
        return 1;
    }
    say += strprintf("%s: a Slurm array job of %zu tasks\n"
                         "  sbatch %s\n"
                         "dry run of one point here: SLURM_ARRAY_TASK_ID=0 bash %s\n%s",
                         slurm_path.c_str(), todo.size(), shell_quote(slurm_path).c_str(), shell_quote(slurm_path).c_str(),
                         collect.c_str());
    return emit_say(say);
}

// ---- The local pool ----

volatile sig_atomic_t g_stop_signal = 0;

// Runs only if INT/TERM reaches a thread other than the pool's (which keeps
// them blocked and takes them with sigtimedwait).
extern "C" void on_stop_signal(int sig)
{
    g_stop_signal = sig;
}

double now_s()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string fmt_duration(double s)
{
    char buf[32];
    long t = std::lround(s);
    if (t < 120)
        std::snprintf(buf, sizeof buf, "%lds", t);
    else if (t < 7200)
        std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
    else
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t / 60) % 60);
    return buf;
}

struct Progress {
    bool tty;
    size_t total, done;  // done counts the points finished before this run too
    size_t ran = 0;      // finished (or failed) in this run
    double start;
    bool bar_shown = false;

    std::string status() const
    {
        double el = now_s() - start;
        double rate = el > 0 ? static_cast<double>(ran) / el : 0;
        char buf[160];
        std::string eta = rate > 0 ? fmt_duration(static_cast<double>(total - done) / rate) : "?";
        std::snprintf(buf, sizeof buf, "%zu/%zu points, %.1f points/s, ETA %s", done, total, rate, eta.c_str());
        return buf;
    }
    void bar()
    {
        if (!tty)
            return;
        const size_t width = 20;
        size_t fill = total ? done * width / total : width;
        std::string b(fill, '#');
        b += std::string(width - fill, '.');
        std::fprintf(stderr, "\r[%s] %s\033[K", b.c_str(), status().c_str());
        std::fflush(stderr);
        bar_shown = true;
    }
    // One finished point: a line of its own when not on a terminal.
    void finished(const std::string &name, const std::string &failure)
    {
        done++;
        ran++;
        if (tty) {
            if (!failure.empty())
                std::fprintf(stderr, "\r\033[K%s\n", failure.c_str());
            bar();
        } else if (!failure.empty()) {
            std::fprintf(stderr, "%s\n", failure.c_str());
        } else {
            std::fprintf(stderr, "sweep: %s done, %s\n", name.c_str(), status().c_str());
        }
    }
    void end()
    {
        if (tty && bar_shown)
            std::fputc('\n', stderr);
    }
};

struct Child {
    size_t point;
};

// Starts one point: stdout and stderr to its log, stdin from /dev/null, the
// pool's blocked signals unblocked, and (Linux) SIGTERM when the sweep dies
// so that no orphan writes a report a re-run is also writing.
pid_t spawn_point(const std::vector<std::string> &args, const std::string &log, const sigset_t &child_mask)
{
    std::vector<char *> argv;
    for (const std::string &a : args)
        argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    // Child: async-signal-safe calls only.
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
        _exit(126);
#else
    (void)parent;
#endif
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    sigprocmask(SIG_SETMASK, &child_mask, nullptr);
    int in = open("/dev/null", O_RDONLY);
    int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (in < 0 || out < 0)
        _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    if (in > 2)
        close(in);
    if (out > 2)
        close(out);
    execv(argv[0], argv.data());
    static const char msg[] = "tcesim sweep: exec failed\n";
    ssize_t w = write(2, msg, sizeof msg - 1);
    (void)w;
    _exit(127);
}

// The last non-empty line of a point's log: its error, when it failed.
std::string last_line(const std::string &path)
{
    FILE *f = std::fopen(path.c_str(), "r");
    if (!f)
        return "";
    std::string last;
    char buf[512];
    while (std::fgets(buf, sizeof buf, f)) {
        std::string l = buf;
        while (!l.empty() && (l.back() == '\n' || l.back() == '\r'))
            l.pop_back();
        if (!l.empty())
            last = l;
    }
    std::fclose(f);
    return last.size() > 200 ? last.substr(0, 200) + "..." : last;
}

std::string exit_text(int status)
{
    if (WIFEXITED(status))
        return "exit " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return std::string("killed by ") + strsignal(WTERMSIG(status));
    return "stopped";
}

// Runs the points in `todo`, `jobs` at a time. Returns 0, 1 when a point
// failed (the others still run) or the sweep was interrupted.
int run_pool(const std::string &dir, const Sweep &sw, const std::string &exe, const std::vector<size_t> &todo,
             unsigned jobs, bool &interrupted)
{
    interrupted = false;
    g_stop_signal = 0;
    int stop = 0; // SIGINT or SIGTERM, or -1: could not start a point
    sigset_t stop_set, old_mask;
    sigemptyset(&stop_set);
    sigaddset(&stop_set, SIGINT);
    sigaddset(&stop_set, SIGTERM);
    sigaddset(&stop_set, SIGCHLD);
    struct sigaction sa = {}, old_int = {}, old_term = {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    pthread_sigmask(SIG_BLOCK, &stop_set, &old_mask);
    sigset_t child_mask = old_mask;
    sigdelset(&child_mask, SIGINT);
    sigdelset(&child_mask, SIGTERM);
    sigdelset(&child_mask, SIGCHLD);

    Progress pr{isatty(2) != 0, sw.points.size(), sw.points.size() - todo.size(), 0, now_s()};
    std::map<pid_t, Child> running;
    size_t next = 0, failed = 0;
    double last_bar = 0;
    pr.bar();
    while (next < todo.size() || !running.empty()) {
        while (!stop && running.size() < jobs && next < todo.size()) {
            const Point &p = sw.points[todo[next]];
            std::string report = dir + "/" + p.name + ".json";
            of_remove_temps(report.c_str()); // left by a point killed mid-write
            pid_t pid = spawn_point(point_argv(sw, p, exe, dir), dir + "/logs/" + p.name + ".log", child_mask);
            if (pid < 0) {
                std::fprintf(stderr, "%s\n", errno_msg("fork").c_str());
                stop = -1;
                break;
            }
            running[pid] = Child{todo[next]};
            next++;
        }
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            auto it = running.find(pid);
            if (it == running.end())
                continue;
            const Point &p = sw.points[it->second.point];
            running.erase(it);
            std::string failure;
            if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
                failed++;
                std::string log = dir + "/logs/" + p.name + ".log", why = last_line(log);
                failure = log + ": point " + p.name + " failed (" + exit_text(status) + ")" + (why.empty() ? "" : ": " + why);
            } else if (!is_report_file(dir + "/" + p.name + ".json")) {
                failed++;
                failure = dir + "/" + p.name + ".json: point " + p.name + " wrote no report";
            }
            pr.finished(p.name, failure);
        }
        if (g_stop_signal && !stop)
            stop = g_stop_signal;
        if (stop)
            break;
        if (next >= todo.size() && running.empty())
            break;
        // Wakes on a child's exit or INT/TERM; the timeout redraws the bar
        // and covers a SIGCHLD that arrived before the block.
        timespec tmo = {0, 250 * 1000 * 1000};
        int sig = sigtimedwait(&stop_set, nullptr, &tmo);
        if (sig == SIGINT || sig == SIGTERM)
            stop = sig;
        if (pr.tty && now_s() - last_bar > 0.5) {
            pr.bar();
            last_bar = now_s();
        }
    }
    if (stop) {
        // Points in flight are lost; their partial temp files go with them.
        for (auto &kv : running)
            kill(kv.first, SIGTERM);
        for (auto &kv : running) {
            int status;
            while (waitpid(kv.first, &status, 0) < 0 && errno == EINTR) {
            }
            of_remove_temps((dir + "/" + sw.points[kv.second.point].name + ".json").c_str());
        }
        pr.end();
        std::fprintf(stderr, "sweep: %s: %zu of %zu points done, %zu in flight lost; run the same command again to finish\n",
                     stop == SIGINT ? "interrupted by SIGINT" : stop == SIGTERM ? "interrupted by SIGTERM" : "stopped",
                     pr.done, pr.total, running.size());
        interrupted = true;
    } else {
        pr.end();
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGTERM, &old_term, nullptr);
    return stop || failed ? 1 : 0;
}

// Only one sweep at a time works in a directory: two would run the same
// points. The lock goes with the process (flock), never with its children.
int lock_dir(const std::string &dir)
{
    std::string path = dir + "/.sweep.lock";
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) {
        std::fprintf(stderr, "%s\n", errno_msg(path).c_str());
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        std::fprintf(stderr, "%s: another tcesim sweep is running in this directory\n", dir.c_str());
        close(fd);
        return -1;
    }
    return fd; // held until exit
}

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

} // namespace

int cmd_sweep(int argc, char **argv)
{
    Sweep sw;
    Options o;
    if (int rc = parse_args(argc, argv, sw, o))
        return rc;
    if (o.collect)
        return cmd_collect(o);
    if (int rc = plan(sw, argv[0]))
        return rc;
    std::string exe = self_exe();
    if (exe.empty()) {
        std::fprintf(stderr, "%s\n", errno_msg("/proc/self/exe").c_str());
        return 1;
    }
    if (int rc = make_dirs(o.out))
        return rc;
    // Absolute, so that job lists run from anywhere (and on other hosts).
    o.out = absolute_path(o.out);
    if (int rc = claim_files(o, sw))
        return rc;
    int lock = lock_dir(o.out);
    if (lock < 0)
        return 1;
    if (int rc = ensure_manifest(o.out, sw))
        return rc;

    std::vector<size_t> todo;
    for (size_t i = 0; i < sw.points.size(); i++)
        if (!is_report_file(o.out + "/" + sw.points[i].name + ".json"))
            todo.push_back(i);
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
    size_t rows = write_results(o.out, sw, true, missing, err);
    if (!err.empty()) {
        std::fprintf(stderr, "%s\n", err.c_str());
        return 1;
    }
    std::fprintf(stderr, "sweep: %zu of %zu points have reports, %zu rows -> %s/results.csv\n",
                 sw.points.size() - missing, sw.points.size(), rows, o.out.c_str());
    return rc;
}

} // namespace tcesim
