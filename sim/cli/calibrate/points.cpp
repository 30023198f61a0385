// tcesim calibrate: measured points into runs, and the pool of `tcesim run`
// processes that computes them (points.hpp is the contract).
#include "cli/calibrate/points.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/sweep/sweep.hpp"
#include "common/tcesim_err.h"
#include "config.h"
#include "output.hpp"

namespace tcesim {
namespace calib {

namespace {

constexpr uint64_t kLatencyCountDivisor = 20, kLatencyCountMin = 5000;

std::string curve_name(const pb_curve &c, bool off)
{
    return std::string(off ? "off " : "") + pb_kind_name(c.kind) + " " + std::to_string(c.size_bytes);
}

} // namespace

std::vector<Point> points_of(const pb_dir &d, bool iommu_off, uint64_t count, uint64_t device)
{
    std::vector<Point> out;
    std::string dev = "devices." + std::to_string(device) + ".";
    for (size_t i = 0; i < d.ncurves; i++) {
        const pb_curve &c = d.curves[i];
        for (size_t j = 0; j < c.npoints; j++) {
            const pb_point &m = c.points[j];
            Point p;
            p.curve = curve_name(c, iommu_off);
            p.kind = c.kind;
            p.size_bytes = c.size_bytes;
            p.window_bytes = m.window_bytes;
            p.iommu_off = iommu_off;
            p.measured = m.value;
            p.file = c.path;
            p.line = m.line;
            bool lat = c.kind == PB_READ_LAT;
            uint64_t n = lat ? std::max(count / kLatencyCountDivisor, kLatencyCountMin) : count;
            p.sets = {"workload.pattern=random", std::string("workload.op=") + (c.kind == PB_WRITE_BW ? "write" : "read"),
                      "workload.size=" + std::to_string(c.size_bytes), "workload.window=" + std::to_string(m.window_bytes),
                      "workload.count=" + std::to_string(n)};
            if (lat)
                p.sets.push_back(dev + "tags=1");
            if (iommu_off)
                p.sets.push_back(dev + "dma_mask_bits=64");
            p.metric = lat ? "dma.latency_ns.p50" : "dma.active_throughput_gbps";
            out.push_back(std::move(p));
        }
    }
    return out;
}

namespace {

// The metric of a finished run's report, or false with why set.
bool read_metric(const std::string &path, const std::string &metric, double &v, std::string &why)
{
    json_error_t je;
    json_t *j = json_load_file(path.c_str(), 0, &je);
    if (!j) {
        why = std::string("wrote a report that does not parse (line ") + std::to_string(je.line) + ": " + je.text + ")";
        return false;
    }
    json_t *x = sweep::json_at(j, metric);
    json_t *lost = sweep::json_at(j, "dma.lost_bytes");
    bool ok = x && json_is_number(x);
    if (ok)
        v = json_number_value(x);
    else
        why = "wrote no number at " + metric;
    // pcie-bench's runs lose nothing: a run whose accesses faulted, were
    // dropped or skipped measures something else, so it is not compared.
    if (ok && lost && json_is_number(lost) && json_number_value(lost) > 0) {
        ok = false;
        why = "lost " + std::to_string(static_cast<unsigned long long>(json_number_value(lost))) +
              " bytes of DMA (faulted, dropped or skipped: dma.lost_bytes), so its " + metric + " is not comparable";
    }
    json_decref(j);
    return ok;
}

struct TempDir {
    std::string path;
    ~TempDir()
    {
        if (!path.empty())
            rmdir(path.c_str());
    }
};

} // namespace

int run_points(const std::string &exe, const std::string &config, const std::vector<std::string> &common_sets,
               const std::vector<Point> &points, unsigned jobs, bool progress, std::vector<double> &values,
               std::string &err)
{
    values.assign(points.size(), 0.0);
    if (points.empty())
        return 0;
    jobs = std::max(1u, jobs);
    const char *tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/tcesim-calibrate-XXXXXX";
    std::vector<char> tbuf(tmpl.begin(), tmpl.end());
    tbuf.push_back('\0');
    TempDir td;
    if (!mkdtemp(tbuf.data())) {
        err = sweep::errno_msg(tmpl);
        return 1;
    }
    td.path = tbuf.data();
    auto report_of = [&](size_t i) { return td.path + "/" + std::to_string(i) + ".json"; };
    auto log_of = [&](size_t i) { return td.path + "/" + std::to_string(i) + ".log"; };

    // INT, TERM and HUP are taken here (sigtimedwait) so that the runs in
    // flight are stopped and their files removed before the process dies.
    sigset_t stop_set, old_mask;
    sigemptyset(&stop_set);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGCHLD})
        sigaddset(&stop_set, s);
    pthread_sigmask(SIG_BLOCK, &stop_set, &old_mask);
    sigset_t child_mask = old_mask;
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGCHLD})
        sigdelset(&child_mask, s);

    std::map<pid_t, size_t> running;
    size_t next = 0, done = 0;
    int rc = 0, stop = 0;
    bool tty = progress && isatty(2);
    while ((next < points.size() && !rc && !stop) || !running.empty()) {
        while (!rc && !stop && running.size() < jobs && next < points.size()) {
            std::vector<std::string> args = {exe, "run", config, "--json", report_of(next)};
            for (const std::string &s : common_sets)
                args.insert(args.end(), {"--set", s});
            for (const std::string &s : points[next].sets)
                args.insert(args.end(), {"--set", s});
            pid_t pid = sweep::spawn_run(args, log_of(next), false, 0600, "tcesim calibrate: exec failed\n", child_mask);
            if (pid < 0) {
                err = sweep::errno_msg("fork");
                rc = 1;
                break;
            }
            running[pid] = next++;
        }
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            auto it = running.find(pid);
            if (it == running.end())
                continue;
            size_t i = it->second;
            running.erase(it);
            done++;
            std::string why;
            if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
                if (!rc) {
                    why = sweep::error_line(log_of(i));
                    err = points[i].file + ":" + std::to_string(points[i].line) + ": the run of " + points[i].curve +
                          " at window " + std::to_string(points[i].window_bytes) + " failed (" +
                          sweep::exit_text(status) + ")" + (why.empty() ? "" : ": " + why);
                    rc = WIFEXITED(status) && WEXITSTATUS(status) == 2 ? 2 : 1;
                }
            } else if (!read_metric(report_of(i), points[i].metric, values[i], why) && !rc) {
                err = points[i].file + ":" + std::to_string(points[i].line) + ": the run of " + points[i].curve +
                      " at window " + std::to_string(points[i].window_bytes) + " " + why;
                rc = 1;
            }
            std::remove(report_of(i).c_str());
            of_remove_temps(report_of(i).c_str()); // a run killed mid-write
            std::remove(log_of(i).c_str());
            if (rc && !stop) {
                // One failure decides the exit: the runs in flight are not waited out.
                for (auto &kv : running)
                    kill(kv.first, SIGTERM);
                stop = -1;
            }
            if (tty)
                std::fprintf(stderr, "\rcalibrate: %zu/%zu runs\033[K", done, points.size());
        }
        if (running.empty() && (next >= points.size() || rc || stop))
            break;
        timespec tmo = {0, 250 * 1000 * 1000};
        int sig = sigtimedwait(&stop_set, nullptr, &tmo);
        if ((sig == SIGINT || sig == SIGTERM || sig == SIGHUP) && stop <= 0) {
            stop = sig;
            for (auto &kv : running)
                kill(kv.first, SIGTERM);
        }
    }
    if (tty)
        std::fprintf(stderr, "\r\033[K");
    // A stop signal that came after the last run was reaped is still
    // pending: taken here, before the mask is lifted, so that it too leaves
    // no file behind.
    timespec zero = {0, 0};
    for (int sig; (sig = sigtimedwait(&stop_set, nullptr, &zero)) > 0;)
        if ((sig == SIGINT || sig == SIGTERM || sig == SIGHUP) && stop <= 0)
            stop = sig;
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    if (stop > 0) {
        for (size_t i = 0; i < points.size(); i++) {
            std::remove(report_of(i).c_str());
            of_remove_temps(report_of(i).c_str());
            std::remove(log_of(i).c_str());
        }
        rmdir(td.path.c_str());
        td.path.clear();
        sweep::die_by_signal(stop);
        return 1;
    }
    return rc;
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

Worsts worst_of(const std::vector<Point> &pts, const std::vector<double> &sim)
{
    Worsts w;
    for (size_t i = 0; i < pts.size(); i++) {
        double er = (sim[i] - pts[i].measured) / pts[i].measured;
        if (w.curves.empty() || w.curves.back().curve != pts[i].curve)
            w.curves.push_back(Worst{pts[i].curve, er, i, true});
        else if (std::fabs(er) > std::fabs(w.curves.back().error))
            w.curves.back() = Worst{pts[i].curve, er, i, true};
        if (!w.overall.any || std::fabs(er) > std::fabs(w.overall.error))
            w.overall = Worst{pts[i].curve, er, i, true};
    }
    return w;
}

std::string table_text(const std::string &title, const std::vector<Point> &pts, const std::vector<double> &sim,
                       const Worsts &w, const std::vector<std::string> &held_out)
{
    std::string t = title + "\n";
    char buf[256];
    std::snprintf(buf, sizeof buf, "%-16s %-6s %10s %10s %8s\n", "curve", "window", "measured", "tcesim", "error");
    t += buf;
    for (size_t i = 0; i < pts.size(); i++) {
        const Point &p = pts[i];
        bool lat = p.kind == PB_READ_LAT;
        double err = (sim[i] - p.measured) / p.measured;
        std::snprintf(buf, sizeof buf, lat ? "%-16s %-6s %10.1f %10.1f %+7.1f%%\n" : "%-16s %-6s %10.2f %10.2f %+7.1f%%\n",
                      (p.curve + (lat ? " ns" : "")).c_str(), fmt_window(p.window_bytes).c_str(), p.measured, sim[i],
                      100 * err);
        t += buf;
    }
    t += "worst error per curve:\n";
    for (const Worst &x : w.curves) {
        std::string name = x.curve.compare(0, 4, "off ") == 0 ? x.curve.substr(4) : x.curve;
        bool held = std::find(held_out.begin(), held_out.end(), name) != held_out.end();
        std::snprintf(buf, sizeof buf, "%-16s %+7.1f%% at %s%s\n", x.curve.c_str(), 100 * x.error,
                      fmt_window(pts[x.point].window_bytes).c_str(), held ? " (held out)" : "");
        t += buf;
    }
    std::snprintf(buf, sizeof buf, "worst relative error: %.1f%% (%s at %s)\n", 100 * std::fabs(w.overall.error),
                  w.overall.curve.c_str(), fmt_window(pts[w.overall.point].window_bytes).c_str());
    t += buf;
    return t;
}

int load_config(const std::string &name, const std::vector<std::string> &sets, tcesim_config &cfg,
                std::string &path)
{
    cfg_error cerr;
    char buf[1024];
    config_defaults(&cfg);
    int rc = config_find(name.c_str(), buf, sizeof buf, &cerr) || config_load_file(&cfg, buf, &cerr);
    for (size_t i = 0; !rc && i < sets.size(); i++)
        rc = config_set(&cfg, sets[i].c_str(), &cerr);
    rc = rc || config_validate(&cfg, &cerr);
    if (rc) {
        std::fprintf(stderr, "%s\n", cerr.msg);
        return 2;
    }
    path = buf;
    return 0;
}

std::string claim_inputs(Claims &claims, const std::string &label, const std::string &config_path, const pb_dir &on,
                         const pb_dir &off)
{
    std::string e = claims.input(label, config_path);
    for (const pb_dir *d : {&on, &off})
        for (size_t i = 0; e.empty() && i < d->ncurves; i++)
            e = claims.input("DIR", d->curves[i].path);
    return e;
}

int program(const char *argv0, std::string &exe)
{
    exe = sweep::given_exe(argv0);
    if (!exe.empty())
        return 0;
    std::fprintf(stderr, "%s\n", sweep::errno_msg("/proc/self/exe").c_str());
    return 1;
}

int read_dir(const std::string &dir, pb_dir &d)
{
    char msg[1024];
    int rc = pb_read_dir(dir.c_str(), &d, msg, sizeof msg);
    if (rc == TCESIM_OK)
        return 0;
    std::fprintf(stderr, "%s\n", msg);
    return rc == TCESIM_ENOMEM ? 1 : 2;
}

} // namespace calib
} // namespace tcesim
