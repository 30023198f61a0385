// tcesim sweep's parts, shared between them (sim/cli/sweep/): the command
// line (args.cpp), the plan (plan.cpp), the manifest (manifest.cpp), the
// points' commands and --emit (emit.cpp), the local pool (pool.cpp) and
// results.csv (collect.cpp); cmd_sweep in sweep.cpp. sim/cli_sweep.hpp is
// the command's contract.
#ifndef TCESIM_CLI_SWEEP_PARTS_HPP
#define TCESIM_CLI_SWEEP_PARTS_HPP

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <jansson.h>
#include <sys/types.h>

#include "config.h"
#include "report/metrics.hpp"

namespace tcesim {
namespace sweep {

inline const char *const kReportSchema = "tcesim.report/1";
inline const char *const kSweepSchema = "tcesim.sweep/1";
// sweep --collect: results.csv written, but points have no finished report.
constexpr int kExitIncomplete = 3;

// A point's file name stays well under NAME_MAX with ".json" and its temp
// name's "." and ".tcesim-XXXXXX" (outfile.h) around it.
constexpr size_t kMaxName = 120;

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
    // Each varied key's value as the point's config holds it, compact JSON
    // (what its report's config section must say); empty when the points
    // come from a manifest.
    std::vector<std::string> expect;
};

// The definition (what makes two sweeps the same) and its points.
struct Sweep {
    std::string config_arg, config_path; // as given; resolved absolute ("" = embedded default)
    std::vector<std::string> sets;
    std::vector<Vary> varies;
    std::vector<std::string> trace_args, trace_paths; // as given; absolute
    // What the points' commands name (given_path: absolute, symlinks kept);
    // not in the manifest, which identifies files by their resolved paths.
    std::string config_cmd;
    std::vector<std::string> trace_cmds;
    uint64_t seeds = 1, first_seed = 1;
    std::vector<Point> points;
};

struct Options {
    std::string out;
    unsigned jobs = 0;  // 0: not given
    std::string emit;   // "", "parallel" or "slurm"
    bool collect = false;
    std::vector<Metric> metrics; // results.csv columns: default_metrics(), then --metrics
};

int usage(const std::string &msg);
std::string errno_msg(const std::string &what);
// Starts one run (`args[0]` the program) as a child: stdin from /dev/null,
// stderr to `log` (created with `mode`, truncated), stdout to the log too or
// to /dev/null (the text report); INT, TERM and HUP back to their defaults,
// the signal mask `child_mask`, and (Linux) SIGTERM when the parent dies, so
// that no run outlives its sweep or calibration. `exec_failed` is written to
// the log if the program cannot be run (exit 127). Returns the child's pid,
// or -1 (errno set) when fork fails. Shared by the sweep's and calibrate's
// pools.
pid_t spawn_run(const std::vector<std::string> &args, const std::string &log, bool stdout_to_log, mode_t mode,
                const char *exec_failed, const sigset_t &child_mask);
// Dies by `sig` as every command interrupted does (exit 128 + N, so a
// calling loop stops on Ctrl-C too): its default action, unblocked, raised.
// Returns only if the signal's default is to ignore it.
void die_by_signal(int sig);
std::string absolute_path(const std::string &p);
std::string self_exe();
std::string given_path(const std::string &p);
std::string given_exe(const char *argv0);
json_t *json_at(json_t *j, const std::string &path);
std::string report_problem(const std::string &path, const Sweep &sw, const Point &p);
// What a point's report must say of the varied keys, given its config (the
// varied values applied): each key's compact JSON, or none when the config's
// JSON lacks one of them (plan.cpp; collect rebuilds them from the manifest).
std::vector<std::string> expected_values(const tcesim_config &cfg, const Sweep &sw);
int parse_vary(const std::string &arg, Sweep &sw);
int parse_args(int argc, char **argv, Sweep &sw, Options &o);
std::string short_hash(const std::string &s);
std::string sanitise(const std::string &s);
std::string basename_of(const std::string &p);
int name_points(Sweep &sw);
int plan(Sweep &sw);
json_t *string_array(const std::vector<std::string> &v);
json_t *definition_json(const Sweep &sw);
std::string manifest_text(const Sweep &sw);
std::vector<std::string> strings_of(json_t *a, bool &ok);
int load_manifest(const std::string &path, Sweep &sw);
int ensure_manifest(const std::string &dir, const Sweep &sw);
int make_dirs(const std::string &dir, std::vector<std::string> &made);
void unmake_dirs(const std::vector<std::string> &made);
std::vector<std::string> point_argv(const Sweep &sw, const Point &p, const std::string &exe, const std::string &dir);
std::string shell_quote(const std::string &s);
double json_number(json_t *j);
bool read_metrics(const std::string &path, const Sweep &sw, const Point &p, const std::vector<Metric> &metrics,
                  std::vector<double> &out, std::string &why);
double t95(uint64_t dof);
std::string fmt_number(double v);
std::string csv_field(const std::string &s);
size_t write_results(const std::string &dir, const Sweep &sw, const std::vector<Metric> &metrics, bool quiet, size_t &missing,
                     std::string &err);
int cmd_collect(const Options &o);
int emit_say(const std::string &text);
int cmd_emit(const Options &o, const Sweep &sw, const std::string &exe, const std::vector<size_t> &todo);
double now_s();
std::string fmt_duration(double s);
pid_t spawn_point(const std::vector<std::string> &args, const std::string &log, const sigset_t &child_mask);
std::string error_line(const std::string &path);
std::string exit_text(int status);
int run_pool(const std::string &dir, const Sweep &sw, const std::string &exe, const std::vector<size_t> &todo,
             unsigned jobs, bool &interrupted);
int lock_dir(const std::string &dir);
int claim_files(const Options &o, const Sweep &sw);
std::string strprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

} // namespace sweep
} // namespace tcesim

#endif
