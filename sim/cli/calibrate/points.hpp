// tcesim calibrate's parts (sim/cli/calibrate/): measured points from a
// pcie-bench directory (calib/pciebench.h) turned into simulator runs, the
// pool that runs them, and the table both commands print. check.cpp prints
// a preset against the points; fit.cpp (`calibrate DIR -o PRESET`) calls
// the same functions with its candidate parameters as extra --set values.
#ifndef TCESIM_CLI_CALIBRATE_POINTS_HPP
#define TCESIM_CLI_CALIBRATE_POINTS_HPP

#include <cstdint>
#include <string>
#include <vector>

#include "config.h"
#include "output.hpp"
#include "pciebench.h"

namespace tcesim {
namespace calib {

// One measured point and the run that reproduces it.
struct Point {
    std::string curve;             // "read 64", "write 256", "latency 64"; "off " in front for the IOMMU-off twin
    pb_kind kind;
    uint32_t size_bytes;
    uint64_t window_bytes;
    bool iommu_off;
    double measured;               // Gb/s, or ns for latency
    std::string file;              // the CSV and the row's line, for messages and --json
    unsigned line;
    std::vector<std::string> sets; // the run's --set values (after the caller's own)
    std::string metric;            // the report field compared (a JSON path)
};

// The points of every curve of d, in d's order, as scripts/validate_pciebench.py
// runs them: a window sweep point runs workload.{pattern=random, op, size,
// window, count} and compares dma.active_throughput_gbps (the span in which
// the device was active: pcie-bench measures in steady state, after the
// window is mapped); a latency point runs one access at a time
// (devices.DEVICE.tags=1) with count/20 accesses (at least 5000) and compares
// dma.latency_ns.p50 with the measured median. iommu_off adds
// devices.DEVICE.dma_mask_bits=64 (the bypass window: no translation).
std::vector<Point> points_of(const pb_dir &d, bool iommu_off, uint64_t count, uint64_t device);

// Runs `exe run config --json TMP --set common... --set point.sets...` for
// each point, `jobs` processes at a time (each run is a process: SystemC
// elaborates once), and sets values[i] to point i's metric. The order of
// the runs' completion does not matter: values are by index, and each run
// is deterministic (the config's seed), so the same inputs give the same
// values. progress: a status line on stderr (a TTY only).
// Returns 0; 2 when a run refused its input (err: that run's error line,
// e.g. a --set the config rejects); 1 when a run failed otherwise, could
// not start, or the command was interrupted (INT, TERM, HUP: the runs are
// stopped, their files removed, then the process dies by the signal).
int run_points(const std::string &exe, const std::string &config, const std::vector<std::string> &common_sets,
               const std::vector<Point> &points, unsigned jobs, bool progress, std::vector<double> &values,
               std::string &err);

// A window as the tables print it: 4K, 1.5M, 64M (bytes when neither).
std::string fmt_window(uint64_t b);

// The worst relative error, (simulated - measured) / measured, of a curve
// or of a table; signed, compared by magnitude.
struct Worst {
    std::string curve;
    double error = 0;
    size_t point = 0; // the index into the points
    bool any = false;
};
struct Worsts {
    std::vector<Worst> curves; // one per curve, in the points' order
    Worst overall;
};
Worsts worst_of(const std::vector<Point> &points, const std::vector<double> &sim);

// The text table: `title`, one row per point (curve, window, measured,
// tcesim, error), the worst error per curve, the worst overall. A curve in
// `held_out` (by name, "off " prefix ignored) is marked so in the per-curve
// lines.
std::string table_text(const std::string &title, const std::vector<Point> &points, const std::vector<double> &sim,
                       const Worsts &w, const std::vector<std::string> &held_out = {});

// Loads a config as both commands take it: CONFIG (a file or a preset
// name, config_find) on the key defaults, the --set values on top, then
// config_validate. Sets path to the file found. Prints the error on stderr
// and returns 2 (bad input), or 0.
int load_config(const std::string &name, const std::vector<std::string> &sets,
                tcesim_config &cfg, std::string &path);

// Records the inputs with claims (output.hpp: an output may be none of
// them): the config file under `label`, then every CSV of both directories.
// Returns "" or the one-line error.
std::string claim_inputs(Claims &claims, const std::string &label, const std::string &config_path, const pb_dir &on,
                         const pb_dir &off);

// The program the runs execute (this one: sweep::given_exe). Returns 0, or
// 1 with the error printed on stderr.
int program(const char *argv0, std::string &exe);

// Reads one directory (pb_read_dir); prints its error on stderr. Returns 0,
// 2 (bad input) or 1 (out of memory).
int read_dir(const std::string &dir, pb_dir &d);
struct DirGuard {
    pb_dir d{};
    DirGuard() = default;
    DirGuard(const DirGuard &) = delete;
    DirGuard &operator=(const DirGuard &) = delete;
    ~DirGuard() { pb_dir_free(&d); }
};

// `tcesim calibrate DIR -o PRESET.json ...` (fit.cpp; cli_calibrate.hpp's
// contract).
int fit(int argc, char **argv);

} // namespace calib
} // namespace tcesim

#endif
