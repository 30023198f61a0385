// tcesim sweep: planning (configs checked up front, point names).
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
#include "platform/platform.hpp"
#include "platform/platform_keys.hpp" // traces/trace.h
#include "report.hpp"

namespace tcesim {
namespace sweep {

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
std::vector<std::string> expected_values(const tcesim_config &cfg, const Sweep &sw)
{
    std::vector<std::string> expect;
    if (sw.varies.empty())
        return expect;
    char *cj = config_to_json(&cfg);
    json_error_t je;
    json_t *cjson = cj ? json_loads(cj, 0, &je) : nullptr;
    std::free(cj);
    for (size_t k = 0; cjson && k < sw.varies.size(); k++) {
        json_t *v = json_at(cjson, sw.varies[k].key);
        char *d = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : nullptr;
        expect.push_back(d ? d : "");
        std::free(d);
    }
    json_decref(cjson);
    // A key the JSON does not hold at its dotted path is not compared.
    if (std::find(expect.begin(), expect.end(), "") != expect.end())
        expect.clear();
    return expect;
}

int plan(Sweep &sw)
{
    cfg_error err;
    auto base = std::make_unique<tcesim_config>();
    config_defaults(base.get());
    // as `tcesim run` loads a point: the default scenario without CONFIG and trace
    if (sw.config_arg.empty() && sw.trace_args.empty() && config_apply_default_scenario(base.get(), &err)) {
        std::fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    if (!sw.config_arg.empty()) {
        char path[1024];
        if (config_find(sw.config_arg.c_str(), path, sizeof path, &err) ||
            config_load_file(base.get(), path, &err)) {
            std::fprintf(stderr, "%s\n", err.msg);
            return 2;
        }
        sw.config_path = absolute_path(path);
        sw.config_cmd = given_path(path);
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
        sw.trace_cmds.push_back(given_path(t));
    }
    // Each trace's device declarations (its header), which override and
    // extend the config's devices in every point that runs on it.
    std::vector<std::vector<tr_device_decl>> decls;
    for (const std::string &t : sw.trace_args) {
        tr_source src{};
        tr_error terr;
        if (tr_open(t.c_str(), &src, &terr) != 0) {
            std::fprintf(stderr, "%s\n", terr.msg);
            return 2;
        }
        decls.emplace_back(src.devices, src.devices + src.ndevices);
        tr_close(&src);
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
        // What the points' reports must say of the varied keys (a re-run
        // checks a report is this point's before skipping it).
        std::vector<std::string> expect = expected_values(*cfg, sw);
        for (size_t t = 0; t < ntraces; t++, row++)
            for (uint64_t s = 0; s < sw.seeds; s++) {
                Point p;
                p.values = values;
                p.expect = expect;
                p.trace = t;
                p.seed = sw.first_seed + s;
                p.row = row;
                sw.points.push_back(p);
            }
        // The seed never makes a config invalid: one check per combination.
        // config_validate is what `tcesim run` checks on loading; the
        // platform's (a TCE page size the PHB lacks, a window or levels the
        // kernel rejects) it checks only when it sets a PE up, which would
        // fail the sweep point by point, mid-run.
        std::string why, where;
        for (size_t k = 0; k < sw.varies.size(); k++)
            where += (k ? "," : "") + sw.varies[k].key + "=" + values[k];
        if (config_validate(cfg.get(), &err))
            why = err.msg;
        else if (decls.empty())
            why = platform_check(*cfg, {}, "");
        for (size_t t = 0; why.empty() && t < decls.size(); t++) {
            // As the run merges them: the trace's devices over the config's.
            why = platform_check(*cfg, decls[t], sw.trace_args[t]);
            if (!why.empty() && sw.trace_args.size() > 1)
                where += std::string(where.empty() ? "" : ",") + "trace=" + basename_of(sw.trace_args[t]);
        }
        if (!why.empty()) {
            std::fprintf(stderr, "%s (point %s)\n", why.c_str(), where.empty() ? "run" : where.c_str());
            return 2;
        }
    }
    return name_points(sw);
}

} // namespace sweep
} // namespace tcesim
