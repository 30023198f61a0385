// tcesim sweep: results.csv (--collect, and after a run).
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

// ---- results.csv ----

double json_number(json_t *j)
{
    if (json_is_integer(j))
        return static_cast<double>(json_integer_value(j));
    if (json_is_real(j))
        return json_real_value(j);
    return NAN;
}

// The report's metrics in `metrics` order; false (with why) when the file is
// missing or not the point's finished report (report_problem). A null or
// absent value is NaN (an empty cell).
bool read_metrics(const std::string &path, const Sweep &sw, const Point &p, const std::vector<Metric> &metrics,
                  std::vector<double> &out, std::string &why)
{
    why = report_problem(path, sw, p);
    if (!why.empty())
        return false;
    json_error_t jerr;
    json_t *r = json_load_file(path.c_str(), 0, &jerr);
    if (!r) { // replaced between the two reads
        why = std::string("unreadable: ") + jerr.text;
        return false;
    }
    out.clear();
    for (const Metric &m : metrics)
        out.push_back(metric_value(r, m));
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
size_t write_results(const std::string &dir, const Sweep &sw, const std::vector<Metric> &metrics, bool quiet, size_t &missing,
                     std::string &err)
{
    const size_t nm = metrics.size();
    missing = 0;
    bool agg = sw.seeds > 1;
    std::string csv;
    for (const Vary &v : sw.varies)
        csv += csv_field(v.key) + ",";
    if (sw.trace_args.size() > 1)
        csv += "trace,";
    for (size_t m = 0; m < nm; m++)
        csv += std::string(m ? "," : "") + csv_field(metrics[m].column);
    if (agg) {
        for (size_t m = 0; m < nm; m++)
            csv += "," + csv_field(metrics[m].column + "_ci95");
        csv += ",seeds";
    }
    csv += "\n";
    size_t rows = 0;
    for (size_t first = 0; first < sw.points.size();) {
        size_t end = first;
        while (end < sw.points.size() && sw.points[end].row == sw.points[first].row)
            end++;
        std::vector<std::vector<double>> samples(nm);
        for (size_t i = first; i < end; i++) {
            std::vector<double> v;
            std::string why;
            std::string path = dir + "/" + sw.points[i].name + ".json";
            if (!read_metrics(path, sw, sw.points[i], metrics, v, why)) {
                missing++;
                if (!quiet)
                    std::fprintf(stderr, "%s: %s\n", path.c_str(), why.c_str());
                continue;
            }
            for (size_t m = 0; m < nm; m++)
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
        for (size_t m = 0; m < nm; m++) {
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

// What each point's report must say of the varied keys, as plan() works it
// out, for a collect that reads the manifest only: each key's JSON form is
// the config's after key=value, whatever the rest of the config (a value a
// default config refuses, e.g. devices.5.* beyond its devices: that point's
// keys are not compared, as plan() does for keys the JSON lacks).
static void fill_expect(Sweep &sw)
{
    auto cfg = std::make_unique<tcesim_config>();
    for (Point &p : sw.points) {
        config_defaults(cfg.get());
        cfg_error err;
        bool ok = true;
        for (size_t k = 0; ok && k < sw.varies.size() && k < p.values.size(); k++)
            ok = config_set(cfg.get(), (sw.varies[k].key + "=" + p.values[k]).c_str(), &err) == 0;
        p.expect.clear();
        if (ok)
            p.expect = expected_values(*cfg, sw);
    }
}

int cmd_collect(const Options &o)
{
    Sweep sw;
    if (int rc = load_manifest(o.out + "/sweep.json", sw))
        return rc;
    // The manifest holds no expectations: without them another point's
    // report copied over this one's would be collected as this point's.
    fill_expect(sw);
    size_t missing;
    std::string err;
    size_t rows = write_results(o.out, sw, o.metrics, false, missing, err);
    if (!err.empty()) {
        std::fprintf(stderr, "%s\n", err.c_str());
        return 1;
    }
    if (rows == 0) {
        std::fprintf(stderr, "%s: no reports yet (%zu points)\n", o.out.c_str(), sw.points.size());
        return kExitIncomplete;
    }
    std::fprintf(stderr, "sweep: %zu of %zu points collected, %zu rows -> %s/results.csv\n",
                 sw.points.size() - missing, sw.points.size(), rows, o.out.c_str());
    // Not 0 with points missing: a script that collects and goes on must be
    // able to tell an incomplete sweep from a finished one.
    return missing ? kExitIncomplete : 0;
}

} // namespace sweep
} // namespace tcesim
