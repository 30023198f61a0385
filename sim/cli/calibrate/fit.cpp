// tcesim calibrate DIR [--off DIR_OFF] -o PRESET.json: fits a preset's
// free parameters to a pcie-bench result directory (cli_calibrate.hpp is
// the contract, docs/validation.md "Fitting a preset" the user's
// description).
//
// The search is a deterministic coordinate (compass) search on integer
// parameters: each free parameter in turn is moved by its step up, then
// down; a move that lowers the objective is taken and tried again with twice
// the step while it keeps lowering it; a pass with no move halves every
// step; the search ends when every step is below 1 or the budget of runs is
// spent. The objective is the worst relative error over the fitted points,
// ties (within 0.01 points) broken by the root mean square error (by more
// than 0.01 points: a parameter the errors do not feel does not drift). Each
// evaluation is one `tcesim run` per point (run_points, all cores). Every
// evaluation's result is saved in the state file, keyed by its --set values:
// a resumed search replays the same sequence from the saved results (no run
// is repeated) and goes on from where it stopped, so the result is the same
// as an uninterrupted search's.
#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include <jansson.h>

#include "cli/calibrate/points.hpp"
#include "cli/sweep/sweep.hpp"
#include "common/numparse.h"
#include "config.h"
#include "output.hpp"
#include "pciebench.h"
#include "version.hpp"

namespace tcesim {
namespace calib {

namespace {

constexpr uint64_t kDefaultBudget = 8000, kDefaultCount = 30000, kDefaultCheckCount = 300000;
constexpr unsigned kMaxJobs = 256;
constexpr double kStepFraction = 0.25; // a parameter's first step: a quarter of its start value
constexpr double kTie = 1e-4;          // worst errors this close are equal (0.01 points)
const char *const kStateSchema = "tcesim.calibrate-state/1";

// The parameters docs/validation.md calls fitted ("The model and where each
// parameter comes from"), with the ranges a search may take them through.
// Everything else (link generation and width, MPS/MRRS/RCB, LLC size and
// ways, page size, table levels: the specifications) is never free; give
// it with --set. The ranges are the search's, inside the keys' own ranges
// (config_validate still checks every candidate).
struct ParamSpec {
    const char *key; // "devices.D." is prepended when device is true
    bool device;
    int stage;       // 1: device, link and LLC costs (the IOMMU-off twin); 2: walker, caches, IOTLB
    int64_t lo, hi;
};
const ParamSpec kParams[] = {
    {"overhead_ns", true, 1, 0, 5000},     {"read_hold_ns", true, 1, 0, 5000},   {"tags", true, 1, 1, 256},
    {"read_req_ns", true, 1, 0, 1000},     {"read_byte_ps", true, 1, 0, 10000},  {"write_req_ns", true, 1, 0, 1000},
    {"write_byte_ps", true, 1, 0, 10000},  {"memory.latency_ns", false, 1, 1, 5000},
    {"memory.llc.hit_ns", false, 1, 1, 5000}, {"memory.llc.line_ns", false, 1, 0, 1000},
    {"phb.tce_cache.entries", false, 2, 1, 65536}, {"phb.fetch_slots", false, 2, 1, 256},
    {"phb.walk_ns", false, 2, 0, 5000},    {"phb.walk_cache.entries", false, 2, 0, 4096},
    {"phb.walk_cache.lines", false, 2, 0, 4096}, {"phb.read_slots", false, 2, 1, 256},
};

// Curves never fitted, predicted in the final table (the issue's held-out
// check: the same everywhere).
const std::vector<std::string> kHeldOut = {"read 128", "write 128", "write 512"};

bool held_out(const Point &p)
{
    std::string name = p.curve.compare(0, 4, "off ") == 0 ? p.curve.substr(4) : p.curve;
    return std::find(kHeldOut.begin(), kHeldOut.end(), name) != kHeldOut.end();
}

struct Param {
    std::string key; // the full --set key
    int stage;
    int64_t lo, hi;
    int64_t start = 0;
};

struct Options {
    std::string dir, off, out, base = "xeon-e5-vtd";
    std::vector<std::string> sets, free;
    bool has_free = false;
    uint64_t budget = kDefaultBudget, count = kDefaultCount, check_count = kDefaultCheckCount;
    unsigned jobs = 0;
};

int usage(const std::string &msg)
{
    std::fprintf(stderr, "tcesim calibrate: %s\n", msg.c_str());
    return 2;
}

int parse(int argc, char **argv, Options &o)
{
    std::vector<std::string> pos;
    bool has_out = false;
    for (int i = 2; i < argc; i++) {
        std::string s = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : nullptr;
        auto count_opt = [&](uint64_t &dst, const char *what) {
            if (!v || num_parse_u64(v, &dst, nullptr) || dst == 0)
                return usage(s + " needs a positive number of " + what);
            i++;
            return 0;
        };
        if (s == "-o") {
            if (!v)
                return usage("-o needs a file (the preset to write)");
            o.out = v;
            has_out = true;
            i++;
        } else if (s == "--off" || s == "--base") {
            if (!v)
                return usage(s + (s == "--off" ? " needs a directory (the IOMMU-off twin)"
                                               : " needs a config file or a preset name"));
            (s == "--off" ? o.off : o.base) = v;
            i++;
        } else if (s == "--set") {
            if (!v || !std::strchr(v, '='))
                return usage("--set needs key=value");
            o.sets.push_back(v);
            i++;
        } else if (s == "--free") {
            if (!v)
                return usage("--free needs a comma-separated list of parameters (tcesim calibrate --help)");
            std::string list = v;
            for (size_t a = 0; a <= list.size();) {
                size_t b = list.find(',', a);
                if (b == std::string::npos)
                    b = list.size();
                if (b == a)
                    return usage("--free: an empty name in '" + list + "'");
                o.free.push_back(list.substr(a, b - a));
                a = b + 1;
            }
            if (o.free.empty())
                return usage("--free needs at least one parameter");
            o.has_free = true;
            i++;
        } else if (s == "--budget") {
            if (int rc = count_opt(o.budget, "runs"))
                return rc;
        } else if (s == "--count") {
            if (int rc = count_opt(o.count, "accesses"))
                return rc;
        } else if (s == "--check-count") {
            if (int rc = count_opt(o.check_count, "accesses"))
                return rc;
        } else if (s == "--jobs") {
            uint64_t j;
            if (!v || num_parse_u64(v, &j, nullptr) || j == 0 || j > kMaxJobs)
                return usage("--jobs needs a number of processes from 1 to " + std::to_string(kMaxJobs));
            o.jobs = static_cast<unsigned>(j);
            i++;
        } else if (s == "--json") {
            return usage("--json is --check's (the fit writes its preset with -o and prints its table)");
        } else if (!s.empty() && s[0] == '-') {
            return usage("unknown option '" + s + "' (tcesim calibrate --help)");
        } else {
            pos.push_back(s);
        }
    }
    if (pos.empty())
        return usage("DIR -o PRESET.json fits a preset; --check PRESET DIR checks one (tcesim calibrate --help)");
    if (pos.size() > 1)
        return usage("unexpected argument '" + pos[1] + "' (one DIR; --check PRESET DIR checks a preset)");
    if (!has_out)
        return usage("-o PRESET.json is needed (the preset the fit writes)");
    o.dir = pos[0];
    return 0;
}

// One evaluation: the objective over the stage's fitted points.
struct Eval {
    bool valid = false; // false: the candidate fails config_validate
    double worst = 0, rms = 0;
};

bool better(const Eval &a, const Eval &b)
{
    if (!a.valid)
        return false;
    if (!b.valid)
        return true;
    if (a.worst < b.worst - kTie)
        return true;
    return std::fabs(a.worst - b.worst) <= kTie && a.rms < b.rms - kTie;
}

std::string fmt_pct(double e)
{
    char b[32];
    std::snprintf(b, sizeof b, "%.1f%%", 100 * e);
    return b;
}

// The JSON value a --set value stands for in a preset file: an integer, a
// boolean, or the text as a string ("25M", "lru").
json_t *json_of_value(const std::string &v)
{
    uint64_t n;
    if (num_parse_u64(v.c_str(), &n, nullptr) == 0 && v.find_first_of("xX") == std::string::npos && n <= INT64_MAX)
        return json_integer(static_cast<json_int_t>(n));
    if (v == "true" || v == "false")
        return json_boolean(v == "true");
    return json_string(v.c_str());
}

// Sets key (a dotted path; numeric parts index arrays, as sweep::json_at
// reads them) in doc, creating missing objects on the way. False when the
// path runs through something that is not an object or array, or an index
// past an array's end.
bool json_set_path(json_t *doc, const std::string &key, json_t *value)
{
    size_t dot = key.rfind('.');
    json_t *parent = doc;
    if (dot != std::string::npos) {
        std::string up = key.substr(0, dot);
        parent = sweep::json_at(doc, up);
        if (!parent && json_set_path(doc, up, json_object()))
            parent = sweep::json_at(doc, up);
    }
    std::string last = key.substr(dot == std::string::npos ? 0 : dot + 1);
    uint64_t idx;
    if (json_is_array(parent) && num_parse_u64(last.c_str(), &idx, nullptr) == 0 && idx < json_array_size(parent))
        return json_array_set_new(parent, idx, value) == 0;
    if (json_is_object(parent))
        return json_object_set_new(parent, last.c_str(), value) == 0;
    json_decref(value);
    return false;
}

class Fitter {
public:
    Fitter(const Options &o, const std::string &exe, const std::string &base_path, const tcesim_config &base,
           std::vector<Param> params, unsigned jobs, const std::string &state_path)
        : o_(o), exe_(exe), base_path_(base_path), base_(base), params_(std::move(params)), jobs_(jobs),
          state_path_(state_path)
    {
    }

    // Loads the state file if there is one. Returns 0, or 2 (it is not a
    // state of this fit), with the error printed.
    int load_state(const std::string &fingerprint)
    {
        fingerprint_ = fingerprint;
        struct stat st;
        if (stat(state_path_.c_str(), &st) != 0)
            return 0;
        json_error_t je;
        json_t *j = json_load_file(state_path_.c_str(), 0, &je);
        int rc = 0;
        json_t *fp = j ? json_object_get(j, "inputs") : nullptr;
        json_t *ev = j ? json_object_get(j, "evaluations") : nullptr;
        const char *schema = j ? json_string_value(json_object_get(j, "schema")) : nullptr;
        if (!j || !schema || std::strcmp(schema, kStateSchema) != 0 || !json_is_array(ev) || !json_is_string(fp)) {
            if (j)
                std::fprintf(stderr, "%s: not a tcesim calibrate state file (wrong schema or fields); remove it to start the fit again\n",
                             state_path_.c_str());
            else
                std::fprintf(stderr, "%s:%d: not a tcesim calibrate state file (%s); remove it to start the fit again\n",
                             state_path_.c_str(), je.line, je.text);
            rc = 2;
        } else if (fingerprint_ != json_string_value(fp)) {
            std::fprintf(stderr,
                         "%s: the state of a fit with other inputs (data, base, --set, --free or --count differ); "
                         "remove it to start this fit\n",
                         state_path_.c_str());
            rc = 2;
        } else {
            size_t i;
            json_t *e;
            json_array_foreach(ev, i, e)
            {
                const char *key = json_string_value(json_object_get(e, "sets"));
                if (!key)
                    continue;
                Eval v;
                v.valid = json_is_true(json_object_get(e, "valid"));
                v.worst = json_number_value(json_object_get(e, "worst"));
                v.rms = json_number_value(json_object_get(e, "rms"));
                memo_[key] = v;
                memo_order_.push_back(key);
            }
            resumed_ = memo_.size();
        }
        json_decref(j);
        return rc;
    }

    size_t resumed() const { return resumed_; }

    // Runs one stage's search from x (values of params_, in order; only the
    // stage's free ones move). Returns 0, 1 or 2 (a run failed, err set).
    int search(int stage, const std::vector<Point> &pts, uint64_t stage_budget, std::vector<int64_t> &x,
               std::string &err)
    {
        stage_pts_ = &pts;
        stage_ = stage;
        uint64_t spent0 = spent_;
        auto over = [&]() { return spent_ - spent0 + pts.size() > stage_budget; };
        std::vector<size_t> idx;
        std::vector<int64_t> step;
        for (size_t i = 0; i < params_.size(); i++)
            if (params_[i].stage == stage) {
                idx.push_back(i);
                int64_t s = std::llround(std::fabs(static_cast<double>(x[i])) * kStepFraction);
                step.push_back(std::max<int64_t>(1, s));
            }
        Eval cur;
        if (int rc = evaluate(x, cur, err))
            return rc;
        if (!cur.valid) {
            err = "the start values fail the config's checks: " + invalid_;
            return 2;
        }
        progress(stage, cur, "start");
        stage_budget_hit_ = false;
        // Tries x[i] + delta: 1 when it lowers the objective (x and cur move
        // there), 0 when it does not, or stays put at a bound, or the budget is
        // spent (stage_budget_hit_), -1 when a run failed (rc set).
        auto attempt = [&](size_t i, int64_t delta, int &rc) -> int {
            std::vector<int64_t> y = x;
            y[i] = std::clamp(x[i] + delta, params_[i].lo, params_[i].hi);
            if (y[i] == x[i])
                return 0;
            if (over()) {
                stage_budget_hit_ = true;
                return 0;
            }
            Eval e;
            if ((rc = evaluate(y, e, err)))
                return -1;
            if (!better(e, cur))
                return 0;
            x = y;
            cur = e;
            progress(stage, cur, params_[i].key + "=" + std::to_string(x[i]));
            return 1;
        };
        for (;;) {
            bool moved = false;
            for (size_t k = 0; k < idx.size() && !stage_budget_hit_; k++) {
                for (int dir : {+1, -1}) {
                    int rc = 0, r = attempt(idx[k], dir * step[k], rc);
                    if (r < 0)
                        return rc;
                    if (stage_budget_hit_)
                        break;
                    if (r == 0)
                        continue;
                    moved = true;
                    // Expand: twice the step in the same direction while it keeps improving.
                    for (int64_t s = 2 * step[k]; (r = attempt(idx[k], dir * s, rc)) > 0; s *= 2) {
                    }
                    if (r < 0)
                        return rc;
                    break;
                }
            }
            if (stage_budget_hit_) {
                budget_hit_ = true;
                break;
            }
            if (!moved) {
                bool any = false;
                for (int64_t &s : step) {
                    s /= 2;
                    any = any || s > 0;
                }
                if (!any)
                    break;
            }
        }
        return 0;
    }

    bool budget_hit() const { return budget_hit_; }
    uint64_t spent() const { return spent_; }
    uint64_t evaluations() const { return evaluations_; }

    std::vector<std::string> sets_of(const std::vector<int64_t> &x) const
    {
        std::vector<std::string> s = o_.sets;
        for (size_t i = 0; i < params_.size(); i++)
            s.push_back(params_[i].key + "=" + std::to_string(x[i]));
        return s;
    }

private:
    int evaluate(const std::vector<int64_t> &x, Eval &out, std::string &err)
    {
        std::vector<std::string> sets = sets_of(x);
        std::string key = "stage " + std::to_string(stage_) + ":";
        for (size_t i = 0; i < params_.size(); i++)
            key += " " + params_[i].key + "=" + std::to_string(x[i]);
        evaluations_++;
        auto it = memo_.find(key);
        if (it != memo_.end()) {
            out = it->second;
            if (out.valid)
                spent_ += stage_pts_->size();
            return 0;
        }
        // A candidate the config's checks refuse costs no run.
        auto cfg = std::make_unique<tcesim_config>(base_);
        cfg_error ce;
        out = Eval{};
        bool ok = true;
        for (size_t i = 0; ok && i < params_.size(); i++)
            ok = config_set(cfg.get(), (params_[i].key + "=" + std::to_string(x[i])).c_str(), &ce) == 0;
        ok = ok && config_validate(cfg.get(), &ce) == 0;
        if (!ok) {
            invalid_ = ce.msg;
        } else {
            std::vector<double> sim;
            if (int rc = run_points(exe_, base_path_, sets, *stage_pts_, jobs_, true, sim, err))
                return rc;
            double sq = 0;
            for (size_t i = 0; i < sim.size(); i++) {
                double e = std::fabs((sim[i] - (*stage_pts_)[i].measured) / (*stage_pts_)[i].measured);
                out.worst = std::max(out.worst, e);
                sq += e * e;
            }
            out.rms = std::sqrt(sq / static_cast<double>(sim.size()));
            out.valid = true;
            spent_ += sim.size();
        }
        memo_[key] = out;
        memo_order_.push_back(key);
        return save_state(err);
    }

    int save_state(std::string &err)
    {
        json_t *j = json_object();
        json_object_set_new(j, "schema", json_string(kStateSchema));
        json_object_set_new(j, "inputs", json_string(fingerprint_.c_str()));
        json_t *a = json_array();
        for (const std::string &k : memo_order_) {
            const Eval &v = memo_[k];
            json_t *e = json_object();
            json_object_set_new(e, "sets", json_string(k.c_str()));
            json_object_set_new(e, "valid", json_boolean(v.valid));
            json_object_set_new(e, "worst", json_real(v.worst));
            json_object_set_new(e, "rms", json_real(v.rms));
            json_array_append_new(a, e);
        }
        json_object_set_new(j, "evaluations", a);
        char *s = json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
        json_decref(j);
        std::string text = s ? std::string(s) + "\n" : "";
        std::free(s);
        err = write_output(state_path_, text);
        return err.empty() ? 0 : 1;
    }

    void progress(int stage, const Eval &e, const std::string &what) const
    {
        if (isatty(2))
            std::fprintf(stderr, "\r\033[Kcalibrate: stage %d, %" PRIu64 " runs: worst %s, rms %s (%s)\n", stage,
                         spent_, fmt_pct(e.worst).c_str(), fmt_pct(e.rms).c_str(), what.c_str());
    }

    const Options &o_;
    std::string exe_, base_path_;
    const tcesim_config &base_;
    std::vector<Param> params_;
    unsigned jobs_;
    std::string state_path_, fingerprint_, invalid_;
    std::map<std::string, Eval> memo_;
    std::vector<std::string> memo_order_;
    const std::vector<Point> *stage_pts_ = nullptr;
    int stage_ = 0;
    uint64_t spent_ = 0, evaluations_ = 0;
    size_t resumed_ = 0;
    bool budget_hit_ = false, stage_budget_hit_ = false;
};

std::vector<Point> fitted_points(const std::vector<Point> &all)
{
    std::vector<Point> out;
    for (const Point &p : all)
        if (!held_out(p))
            out.push_back(p);
    return out;
}

// The fingerprint of a fit's inputs: what the state file's results depend
// on (not the budget, which only says where the search stops): the program
// (another build may simulate differently), the base configuration as
// resolved (config_to_json: the file with the --set values), the --set values, the free parameters, the search's count and the measured
// points.
std::string fingerprint(const Options &o, const std::string &base_text, const std::vector<Param> &params,
                        const std::vector<Point> &on, const std::vector<Point> &off)
{
    std::string f = std::string("tcesim ") + version() + "; base " + sweep::short_hash(base_text) + "; count " +
                    std::to_string(o.count) + "; sets";
    for (const std::string &s : o.sets)
        f += " " + s;
    f += "; free";
    for (const Param &p : params)
        f += " " + p.key + "@" + std::to_string(p.stage);
    char buf[64];
    for (const std::vector<Point> *v : {&on, &off})
        for (const Point &p : *v) {
            std::snprintf(buf, sizeof buf, " %.17g", p.measured);
            f += "; " + p.curve + "@" + std::to_string(p.window_bytes) + buf;
        }
    return f;
}

} // namespace

int fit(int argc, char **argv)
{
    Options o;
    if (int rc = parse(argc, argv, o))
        return rc;
    auto cfg = std::make_unique<tcesim_config>();
    std::string base_path;
    if (load_config(o.base, o.sets, *cfg, base_path))
        return 2;

    // The free parameters, their start values from the base and --set.
    std::string dev = "devices." + std::to_string(cfg->workload.device) + ".";
    std::vector<Param> params;
    std::vector<std::string> known;
    for (const ParamSpec &ps : kParams) {
        Param p{std::string(ps.device ? dev : "") + ps.key, ps.stage, ps.lo, ps.hi};
        known.push_back(p.key);
        if (!o.has_free || std::find(o.free.begin(), o.free.end(), p.key) != o.free.end())
            params.push_back(p);
    }
    for (const std::string &f : o.free)
        if (std::find(known.begin(), known.end(), f) == known.end()) {
            std::fprintf(stderr, "--free: '%s' is not a fitted parameter (tcesim calibrate --help lists them)\n",
                         f.c_str());
            return 2;
        }
    // The start values, read back through the config's own JSON.
    {
        char *js = config_to_json(cfg.get());
        json_t *doc = js ? json_loads(js, 0, nullptr) : nullptr;
        std::free(js);
        for (Param &p : params) {
            json_t *v = doc ? sweep::json_at(doc, p.key) : nullptr;
            if (!v || !json_is_integer(v)) {
                json_decref(doc);
                std::fprintf(stderr, "%s: the base config has no integer value here\n", p.key.c_str());
                return 2;
            }
            json_int_t sv = json_integer_value(v);
            if (sv < p.lo || sv > p.hi) {
                json_decref(doc);
                std::fprintf(stderr, "%s: the start value %lld is outside the fit's range %lld-%lld (docs/validation.md)\n",
                             p.key.c_str(), static_cast<long long>(sv), static_cast<long long>(p.lo),
                             static_cast<long long>(p.hi));
                return 2;
            }
            p.start = sv;
        }
        json_decref(doc);
    }

    DirGuard on, off;
    if (int rc = read_dir(o.dir, on.d))
        return rc;
    if (!o.off.empty())
        if (int rc = read_dir(o.off, off.d))
            return rc;
    std::string state_path = o.out + ".state";
    Claims claims;
    std::string e = claim_inputs(claims, "--base", base_path, on.d, off.d);
    if (e.empty())
        e = claims.claim_stdout("standard output (the table)");
    if (e.empty())
        e = claims.output("-o", o.out);
    if (e.empty())
        e = claims.output("the state file", state_path);
    if (!e.empty()) {
        std::fprintf(stderr, "%s\n", e.c_str());
        return 2;
    }
    std::string exe;
    if (int rc = program(argv[0], exe))
        return rc;

    uint64_t device = cfg->workload.device;
    std::vector<Point> on_all = points_of(on.d, false, o.count, device);
    std::vector<Point> off_all = o.off.empty() ? std::vector<Point>{} : points_of(off.d, true, o.count, device);
    std::vector<Point> on_fit = fitted_points(on_all), off_fit = fitted_points(off_all);
    if (on_fit.empty() || (!o.off.empty() && off_fit.empty())) {
        std::fprintf(stderr, "%s: no curve to fit here (only held-out curves: 128 B reads and writes, 512 B writes)\n",
                     (on_fit.empty() ? o.dir : o.off).c_str());
        return 2;
    }
    // Without the twin, one stage fits everything to DIR.
    if (o.off.empty())
        for (Param &p : params)
            p.stage = 2;
    bool two = !o.off.empty() && std::any_of(params.begin(), params.end(), [](const Param &p) { return p.stage == 1; });

    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned jobs = o.jobs ? o.jobs : static_cast<unsigned>(ncpu > 0 ? ncpu : 1);
    Fitter fitter(o, exe, base_path, *cfg, params, jobs, state_path);
    char *resolved = config_to_json(cfg.get());
    std::string base_text = resolved ? resolved : "";
    std::free(resolved);
    if (int rc = fitter.load_state(fingerprint(o, base_text, params, on_fit, off_fit)))
        return rc;
    if (fitter.resumed())
        std::fprintf(stderr, "calibrate: resuming from %s (%zu evaluations saved)\n", state_path.c_str(),
                     fitter.resumed());

    std::vector<int64_t> x;
    for (const Param &p : params)
        x.push_back(p.start);
    std::string err;
    uint64_t b1 = two ? o.budget / 2 : 0;
    if (two)
        if (int rc = fitter.search(1, off_fit, b1, x, err)) {
            std::fprintf(stderr, "%s\n", err.c_str());
            return rc;
        }
    if (int rc = fitter.search(2, on_fit, o.budget > fitter.spent() ? o.budget - fitter.spent() : 0, x, err)) {
        std::fprintf(stderr, "%s\n", err.c_str());
        return rc;
    }

    // The final table: every point of both directories, held-out curves
    // included, at --check-count accesses.
    std::vector<Point> all = points_of(on.d, false, o.check_count, device);
    if (!o.off.empty()) {
        std::vector<Point> p2 = points_of(off.d, true, o.check_count, device);
        all.insert(all.end(), p2.begin(), p2.end());
    }
    std::vector<std::string> sets = fitter.sets_of(x);
    std::vector<double> sim;
    if (int rc = run_points(exe, base_path, sets, all, jobs, true, sim, err)) {
        std::fprintf(stderr, "%s\n", err.c_str());
        return rc;
    }
    Worsts w = worst_of(all, sim);
    double worst_fit = 0, worst_held = 0;
    for (size_t i = 0; i < all.size(); i++) {
        double er = std::fabs((sim[i] - all[i].measured) / all[i].measured);
        (held_out(all[i]) ? worst_held : worst_fit) = std::max(held_out(all[i]) ? worst_held : worst_fit, er);
    }

    // The preset: the base file with the --set and fitted values written in.
    json_error_t je;
    json_t *doc = json_load_file(base_path.c_str(), JSON_PRESERVE_ORDER, &je);
    if (!doc) {
        std::fprintf(stderr, "%s:%d: %s\n", base_path.c_str(), je.line, je.text);
        return 2;
    }
    bool paths_ok = true;
    for (const std::string &s : sets) {
        size_t eq = s.find('=');
        paths_ok = json_set_path(doc, s.substr(0, eq), json_of_value(s.substr(eq + 1))) && paths_ok;
    }
    std::string about = "Fitted by `tcesim calibrate " + o.dir + (o.off.empty() ? "" : " --off " + o.off) +
                        " --base " + o.base;
    for (const std::string &s : o.sets)
        about += " --set " + s;
    if (o.has_free) {
        about += " --free ";
        for (size_t i = 0; i < o.free.size(); i++)
            about += (i ? "," : "") + o.free[i];
    }
    if (o.count != kDefaultCount)
        about += " --count " + std::to_string(o.count);
    if (o.check_count != kDefaultCheckCount)
        about += " --check-count " + std::to_string(o.check_count);
    about += " --budget " + std::to_string(o.budget) + "`";
    about += " (pcie-bench data, HWarm rows: data/pcie-bench/SOURCE.md). Fitted values:";
    for (size_t i = 0; i < params.size(); i++)
        about += std::string(i ? ", " : " ") + params[i].key + "=" + std::to_string(x[i]);
    about += ". Worst relative error per curve (" + std::to_string(o.check_count) + " accesses per point):";
    for (size_t i = 0; i < w.curves.size(); i++) {
        const Worst &c = w.curves[i];
        about += std::string(i ? ", " : " ") + c.curve + (held_out(all[c.point]) ? " (held out) " : " ") +
                 (c.error >= 0 ? "+" : "") + fmt_pct(c.error) + " at " + fmt_window(all[c.point].window_bytes);
    }
    bool any_held = std::any_of(all.begin(), all.end(), held_out);
    about += "; fitted curves worst " + fmt_pct(worst_fit) + ", held out worst " + (any_held ? fmt_pct(worst_held) : "none") +
             ". Search: " + std::to_string(fitter.evaluations()) + " evaluations, " + std::to_string(fitter.spent()) +
             " runs of " + std::to_string(o.count) + " accesses per throughput point" +
             (fitter.budget_hit() ? ", stopped by the budget of " + std::to_string(o.budget) + " runs"
                                  : ", converged") +
             ".";
    json_object_set_new(doc, "_about", json_string(about.c_str()));
    char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    std::string text = s ? std::string(s) + "\n" : "";
    std::free(s);

    // The preset must load into exactly the configuration that was run:
    // otherwise (a key the base file cannot take) the whole configuration
    // is written instead.
    cfg_error cerr;
    auto ran = std::make_unique<tcesim_config>(*cfg);
    for (const std::string &st : sets)
        config_set(ran.get(), st.c_str(), &cerr);
    auto loaded = std::make_unique<tcesim_config>();
    config_defaults(loaded.get());
    char *want = config_to_json(ran.get());
    bool same = paths_ok && config_load_string(loaded.get(), text.c_str(), o.out.c_str(), &cerr) == 0;
    char *got = same ? config_to_json(loaded.get()) : nullptr;
    same = same && want && got && std::strcmp(want, got) == 0;
    std::free(got);
    if (!same && want) {
        std::fprintf(stderr, "calibrate: %s cannot take every fitted key as it is written; %s holds the whole "
                             "configuration instead\n", base_path.c_str(), o.out.c_str());
        json_t *full = json_loads(want, JSON_PRESERVE_ORDER, nullptr);
        if (full) {
            json_object_set_new(full, "_about", json_string(about.c_str()));
            char *fs = json_dumps(full, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            text = fs ? std::string(fs) + "\n" : "";
            std::free(fs);
            json_decref(full);
        }
    }
    std::free(want);

    char title[1024];
    std::snprintf(title, sizeof title,
                  "tcesim calibrate %s%s%s -o %s (%" PRIu64 " accesses per throughput point; the search: %" PRIu64
                  " evaluations, %" PRIu64 " runs%s)",
                  o.dir.c_str(), o.off.empty() ? "" : " --off ", o.off.c_str(), o.out.c_str(), o.check_count,
                  fitter.evaluations(), fitter.spent(), fitter.budget_hit() ? ", stopped by the budget" : ", converged");
    std::string table = table_text(title, all, sim, w, kHeldOut);
    table += "fitted:";
    for (size_t i = 0; i < params.size(); i++)
        table += " " + params[i].key + "=" + std::to_string(x[i]);
    table += "\nworst error on the fitted curves: " + fmt_pct(worst_fit) + "; on the held-out curves: " +
             (any_held ? fmt_pct(worst_held) : "none (DIR has none)") + "\n";
    e = write_output(o.out, text);
    if (e.empty())
        e = write_stdout(table);
    if (!e.empty()) {
        std::fprintf(stderr, "%s\n", e.c_str());
        return 1;
    }
    if (fitter.budget_hit())
        std::fprintf(stderr,
                     "calibrate: the search stopped at its budget of %" PRIu64
                     " runs before converging; %s keeps its state: the same command with a larger --budget goes on\n",
                     o.budget, state_path.c_str());
    else
        std::remove(state_path.c_str());
    return 0;
}

} // namespace calib
} // namespace tcesim
