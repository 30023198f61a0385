// The C API (include/tcesim/tcesim.h) over run_simulation: the CLI's `run`
// is its first user (main.cpp).
#include "tcesim/tcesim.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <jansson.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "output.hpp"
#include "report.hpp"
#include "report/metrics.hpp"
#include "result.hpp"
#include "system/system.hpp"
#include "version.hpp"

struct tcesim_run {
    std::unique_ptr<tcesim_config> cfg;
    bool cfg_ok = false;      // created without error: the other calls may go on
    std::string config_file;  // "" = embedded default or JSON text
    std::string trace;
    tcesim::RunOptions opt;
    std::string config_json;  // tcesim_run_config_json's last answer
    bool simulated = false;
    // The report: from res when simulated here (the JSON written on first
    // demand: `tcesim run` without --json never needs it), from the child's
    // pipe otherwise.
    std::unique_ptr<tcesim::RunResult> res;
    mutable std::string json;
    std::string text, warnings;
    mutable json_t *parsed = nullptr; // json, parsed on the first metric getter's call
    std::string err;

    ~tcesim_run() { json_decref(parsed); }
};

namespace {

bool g_simulated = false; // SystemC has elaborated in this process

int fail(tcesim_run *r, int code, const std::string &msg)
{
    r->err = msg;
    return code;
}

const char *kNullRun = "tcesim: the run is NULL";

// The configuration as `tcesim run` resolves it (main.cpp used to do this):
// key defaults; with neither a config nor a trace, the default scenario.
int init_config(tcesim_run *r, const char *config, const char *json_text, const char *name)
{
    cfg_error e;
    r->cfg.reset(new (std::nothrow) tcesim_config);
    if (!r->cfg)
        return fail(r, TCESIM_NOMEM, "tcesim: out of memory");
    config_defaults(r->cfg.get());
    bool given = json_text || (config && *config);
    if (!given && r->trace.empty() && config_apply_default_scenario(r->cfg.get(), &e))
        return fail(r, TCESIM_FAILED, e.msg);
    if (json_text) {
        if (config_load_string(r->cfg.get(), json_text, name && *name ? name : "config", &e))
            return fail(r, TCESIM_BAD_INPUT, e.msg);
    } else if (given) {
        char path[4096];
        if (config_find(config, path, sizeof path, &e) || config_load_file(r->cfg.get(), path, &e))
            return fail(r, TCESIM_BAD_INPUT, e.msg);
        r->config_file = path;
    }
    r->cfg_ok = true;
    return TCESIM_SUCCESS;
}

int create(const char *config, const char *json_text, const char *name, const char *trace, tcesim_run **out)
{
    if (!out)
        return TCESIM_MISUSE;
    *out = nullptr;
    tcesim_run *r = new (std::nothrow) tcesim_run;
    if (!r)
        return TCESIM_NOMEM;
    *out = r;
    try {
        r->trace = trace ? trace : "";
        r->opt.trace_path = r->trace;
        return init_config(r, config, json_text, name);
    } catch (const std::bad_alloc &) {
        return fail(r, TCESIM_NOMEM, "tcesim: out of memory");
    }
}

// The calls after create need a run that was created without error.
int usable(tcesim_run *r)
{
    if (!r)
        return TCESIM_MISUSE;
    if (!r->cfg_ok)
        return fail(r, TCESIM_MISUSE, "tcesim: the run failed to create (" + r->err + ")");
    r->err.clear();
    return TCESIM_SUCCESS;
}

void forget_results(tcesim_run *r)
{
    r->simulated = false;
    r->res.reset();
    r->json.clear();
    r->text.clear();
    r->warnings.clear();
    json_decref(r->parsed);
    r->parsed = nullptr;
}

// Outputs never overwrite an input or each other (README "Outputs").
int claim_files(tcesim_run *r)
{
    tcesim::Claims c;
    std::string e = c.input("CONFIG", r->config_file);
    if (e.empty())
        e = c.input("--trace", r->trace);
    if (e.empty() && !r->opt.mappings_path.empty())
        e = c.output("--mappings", r->opt.mappings_path);
    if (e.empty() && !r->opt.timeline_path.empty())
        e = c.output("--timeline", r->opt.timeline_path);
    return e.empty() ? TCESIM_SUCCESS : fail(r, TCESIM_BAD_INPUT, e);
}

int finish(tcesim_run *r)
{
    r->simulated = true;
    return TCESIM_SUCCESS;
}

const std::string &report_json_of(const tcesim_run *r)
{
    if (r->json.empty() && r->res)
        r->json = tcesim::report_json(*r->res);
    return r->json;
}

// The report parsed for the metric getters, once, when first asked (the CLI
// never asks: ~1 ms of jansson on a 60 KB report saved a run).
json_t *parsed(const tcesim_run *r)
{
    if (!r->parsed)
        r->parsed = json_loads(report_json_of(r).c_str(), 0, nullptr);
    return r->parsed;
}

// tcesim_run_validate's checks: the rules between keys, then the files.
int validate(tcesim_run *r)
{
    cfg_error e;
    if (config_validate(r->cfg.get(), &e))
        return fail(r, TCESIM_BAD_INPUT, e.msg);
    return claim_files(r);
}

int simulate_here(tcesim_run *r)
{
    if (int rc = validate(r))
        return rc;
    if (g_simulated)
        return fail(r, TCESIM_MISUSE,
                    "tcesim: one simulation per process (SystemC elaborates once): use tcesim_run_simulate_in_child");
    g_simulated = true;
    // SystemC prints its banner (on stderr) when its first context is made,
    // unless this is set: the caller's output is theirs.
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
    std::unique_ptr<tcesim::RunResult> &res = r->res;
    std::string err;
    int rc = tcesim::run_simulation(*r->cfg, r->opt, res, err);
    if (rc) {
        g_simulated = res && res->elaborated; // a trace that did not open left SystemC untouched
        res.reset();
        return fail(r, rc, err);
    }
    r->text = tcesim::report_text(*res);
    for (const std::string &w : {res->device_note, tcesim::loss_warning(*res), tcesim::stale_warning(*res),
                                 tcesim::untracked_warning(*res), tcesim::late_warning(*res)})
        if (!w.empty())
            r->warnings += w + "\n";
    return finish(r);
}

// No exception crosses the C API: out of memory, or an error SystemC
// reports (sc_report is a std::exception), becomes a code and one line.
template <typename F> int guarded(tcesim_run *r, F f)
{
    try {
        return f();
    } catch (const std::bad_alloc &) {
        return fail(r, TCESIM_NOMEM, "tcesim: out of memory");
    } catch (const std::exception &e) {
        std::string what = e.what();
        what = what.substr(0, what.find('\n'));
        return fail(r, TCESIM_FAILED, "tcesim: " + what);
    }
}
// The child's answer: the code, then four length-prefixed strings (error,
// JSON, text, warnings).
bool write_all(int fd, const void *p, size_t n)
{
    const char *c = static_cast<const char *>(p);
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        c += w;
        n -= static_cast<size_t>(w);
    }
    return true;
}

bool send_string(int fd, const std::string &s)
{
    uint64_t n = s.size();
    return write_all(fd, &n, sizeof n) && write_all(fd, s.data(), s.size());
}

bool read_all(int fd, void *p, size_t n)
{
    char *c = static_cast<char *>(p);
    while (n) {
        ssize_t got = read(fd, c, n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return false;
        c += got;
        n -= static_cast<size_t>(got);
    }
    return true;
}

bool recv_string(int fd, std::string &s)
{
    uint64_t n;
    if (!read_all(fd, &n, sizeof n) || n > (uint64_t{1} << 32))
        return false;
    s.resize(n);
    return read_all(fd, &s[0], n);
}

int simulate_in_child(tcesim_run *r)
{
    if (int rc = validate(r))
        return rc;
    if (g_simulated)
        return fail(r, TCESIM_MISUSE,
                    "tcesim: this process has simulated in-process: its children would inherit a finished SystemC");
    int fds[2];
    if (pipe(fds) != 0)
        return fail(r, TCESIM_FAILED, std::string("tcesim: pipe: ") + std::strerror(errno));
    std::fflush(nullptr); // the child must not write the parent's buffers again
    pid_t pid = fork();
    if (pid < 0) {
        int err = errno;
        close(fds[0]);
        close(fds[1]);
        return fail(r, TCESIM_FAILED, std::string("tcesim: fork: ") + std::strerror(err));
    }
    if (pid == 0) {
        // The child never returns into the caller's code: whatever happens,
        // it ends here.
        close(fds[0]);
        int32_t rc;
        rc = guarded(r, [&] { return simulate_here(r); });
        bool ok = write_all(fds[1], &rc, sizeof rc) && send_string(fds[1], r->err) &&
                  send_string(fds[1], report_json_of(r)) &&
                  send_string(fds[1], r->text) && send_string(fds[1], r->warnings);
        std::fflush(nullptr); // what SystemC printed (std::cout writes through stdio)
        _exit(ok ? 0 : 1);
    }
    close(fds[1]);
    int32_t rc = TCESIM_FAILED;
    std::string err;
    bool ok = read_all(fds[0], &rc, sizeof rc) && recv_string(fds[0], err) && recv_string(fds[0], r->json) &&
              recv_string(fds[0], r->text) && recv_string(fds[0], r->warnings);
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFSIGNALED(status))
        return fail(r, TCESIM_FAILED, std::string("tcesim: the simulation's child process died of signal ") +
                                            std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")");
    if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return fail(r, TCESIM_FAILED, "tcesim: the simulation's child process ended without its answer");
    if (rc) {
        r->json.clear();
        r->text.clear();
        r->warnings.clear();
        return fail(r, rc, err);
    }
    return finish(r);
}

double metric(const tcesim_run *r, const char *path)
{
    if (!r || !r->simulated)
        return NAN;
    tcesim::Metric m;
    if (!tcesim::metric_from_path(path, m).empty())
        return NAN;
    json_t *j = parsed(r);
    return j ? tcesim::metric_value(j, m) : NAN;
}

uint64_t count(const tcesim_run *r, const char *path)
{
    double v = metric(r, path);
    return std::isnan(v) || v < 0 ? 0 : static_cast<uint64_t>(v);
}



} // namespace

extern "C" {

const char *tcesim_status_str(int code)
{
    switch (code) {
    case TCESIM_SUCCESS:
        return "success";
    case TCESIM_FAILED:
        return "the simulation or an output failed";
    case TCESIM_BAD_INPUT:
        return "bad input";
    case TCESIM_MISUSE:
        return "call out of order or a second simulation in this process";
    case TCESIM_NOMEM:
        return "out of memory";
    }
    return "unknown error code";
}

const char *tcesim_version(void) { return tcesim::version(); }

int tcesim_run_create(const char *config, const char *trace, tcesim_run **out)
{
    return create(config, nullptr, nullptr, trace, out);
}

int tcesim_run_create_json(const char *json_text, const char *name, const char *trace, tcesim_run **out)
{
    if (json_text)
        return create(nullptr, json_text, name, trace, out);
    if (!out)
        return TCESIM_MISUSE;
    *out = new (std::nothrow) tcesim_run;
    if (!*out)
        return TCESIM_NOMEM;
    return fail(*out, TCESIM_MISUSE, "tcesim: json_text is NULL");
}

void tcesim_run_destroy(tcesim_run *run) { delete run; }

int tcesim_run_set(tcesim_run *run, const char *key_value)
{
    if (int rc = usable(run))
        return rc;
    if (!key_value)
        return fail(run, TCESIM_MISUSE, "tcesim: key_value is NULL");
    return guarded(run, [&] {
        cfg_error e;
        forget_results(run);
        if (config_set(run->cfg.get(), key_value, &e))
            return fail(run, TCESIM_BAD_INPUT, e.msg);
        return int{TCESIM_SUCCESS};
    });
}

int tcesim_run_set_mappings(tcesim_run *run, const char *path)
{
    if (int rc = usable(run))
        return rc;
    return guarded(run, [&] {
        run->opt.mappings_path = path ? path : "";
        return int{TCESIM_SUCCESS};
    });
}

int tcesim_run_set_epoch(tcesim_run *run, uint64_t epoch_ns)
{
    if (int rc = usable(run))
        return rc;
    if (epoch_ns > NUM_NS_MAX)
        return fail(run, TCESIM_BAD_INPUT,
                    "--epoch: " + std::to_string(epoch_ns) + " too large (max " + std::to_string(NUM_NS_MAX) + " ns)");
    run->opt.epoch_ns = epoch_ns;
    return TCESIM_SUCCESS;
}

int tcesim_run_set_timeline(tcesim_run *run, const char *path, uint64_t from_ns, uint64_t to_ns)
{
    if (int rc = usable(run))
        return rc;
    if (to_ns && to_ns <= from_ns)
        return fail(run, TCESIM_BAD_INPUT, "--timeline-window needs FROM_NS:TO_NS with FROM < TO");
    if (to_ns > NUM_NS_MAX)
        return fail(run, TCESIM_BAD_INPUT, "--timeline-window: " + std::to_string(from_ns) + ":" + std::to_string(to_ns) +
                                            " too large (max " + std::to_string(NUM_NS_MAX) + " ns)");
    return guarded(run, [&] {
        run->opt.timeline_path = path ? path : "";
        run->opt.timeline_auto = to_ns == 0;
        run->opt.timeline_from_ns = to_ns ? from_ns : 0;
        run->opt.timeline_to_ns = to_ns ? to_ns : 100000;
        return int{TCESIM_SUCCESS};
    });
}

const char *tcesim_run_config_json(tcesim_run *run)
{
    if (!run || !run->cfg_ok)
        return nullptr;
    char *s = config_to_json(run->cfg.get());
    if (!s)
        return nullptr;
    run->config_json = s;
    std::free(s);
    return run->config_json.c_str();
}

const char *tcesim_run_config_file(const tcesim_run *run) { return run ? run->config_file.c_str() : ""; }

int tcesim_run_validate(tcesim_run *run)
{
    if (int rc = usable(run))
        return rc;
    return guarded(run, [&] { return validate(run); });
}

int tcesim_run_simulate(tcesim_run *run)
{
    if (int rc = usable(run))
        return rc;
    forget_results(run);
    return guarded(run, [&] { return simulate_here(run); });
}

int tcesim_run_simulate_in_child(tcesim_run *run)
{
    if (int rc = usable(run))
        return rc;
    forget_results(run);
    return guarded(run, [&] { return simulate_in_child(run); });
}

const char *tcesim_run_report_json(const tcesim_run *run)
{
    return run && run->simulated ? report_json_of(run).c_str() : nullptr;
}
const char *tcesim_run_report_text(const tcesim_run *run) { return run && run->simulated ? run->text.c_str() : nullptr; }
const char *tcesim_run_warnings(const tcesim_run *run) { return run && run->simulated ? run->warnings.c_str() : nullptr; }

int tcesim_run_metric(const tcesim_run *run, const char *json_path, double *out)
{
    tcesim_run *r = const_cast<tcesim_run *>(run); // the error message only
    if (!r || !json_path || !out)
        return r ? fail(r, TCESIM_MISUSE, "tcesim: json_path or out is NULL") : TCESIM_MISUSE;
    if (!r->simulated)
        return fail(r, TCESIM_MISUSE, "tcesim: no report yet (tcesim_run_simulate first)");
    tcesim::Metric m;
    std::string why = tcesim::metric_from_path(json_path, m);
    if (!why.empty())
        return fail(r, TCESIM_BAD_INPUT, std::string(json_path) + ": " + why);
    json_t *j = parsed(r);
    if (!j)
        return fail(r, TCESIM_FAILED, "tcesim: the report does not parse (a bug: please report it)");
    double v = tcesim::metric_value(j, m);
    if (std::isnan(v))
        return fail(r, TCESIM_BAD_INPUT, std::string(json_path) + ": no number at this path in the report");
    *out = v;
    r->err.clear();
    return TCESIM_SUCCESS;
}

double tcesim_run_hit_rate(const tcesim_run *run) { return metric(run, "translation.hit_rate"); }
double tcesim_run_translation_p50_ns(const tcesim_run *run) { return metric(run, "translation.latency_ns.p50"); }
double tcesim_run_translation_p99_ns(const tcesim_run *run) { return metric(run, "translation.latency_ns.p99"); }
double tcesim_run_dma_throughput_gbps(const tcesim_run *run) { return metric(run, "dma.throughput_gbps"); }
double tcesim_run_pool_wait_p99_ns(const tcesim_run *run) { return metric(run, "allocator.pools[].wait_ns.p99"); }
uint64_t tcesim_run_faults(const tcesim_run *run) { return count(run, "translation.faults"); }
uint64_t tcesim_run_lost_bytes(const tcesim_run *run) { return count(run, "dma.lost_bytes"); }

const char *tcesim_run_errmsg(const tcesim_run *run) { return run ? run->err.c_str() : kNullRun; }

} // extern "C"

// A program linked with libtcesim that has its own main() never calls this;
// libsystemc still needs the symbol (its main() calls sc_main). A program
// that is a SystemC platform brings its own sc_main, which wins over this
// weak one.
// (SystemC declares it extern "C", sc_cmnhdr.h.)
extern "C" int sc_main(int, char **) __attribute__((weak));
extern "C" int sc_main(int, char **)
{
    std::fputs("tcesim: this program has no sc_main (libtcesim's placeholder ran: link your own main or sc_main)\n",
               stderr);
    return 1;
}
