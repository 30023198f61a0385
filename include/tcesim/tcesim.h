/* tcesim's C API: one whole run, as `tcesim run` does it.
 *
 *   tcesim_run *run;
 *   if (tcesim_run_create("phb3", NULL, &run) != TCESIM_SUCCESS) { ... tcesim_run_errmsg(run) ... }
 *   tcesim_run_set(run, "workload.count=100000");
 *   tcesim_run_simulate(run);
 *   puts(tcesim_run_report_json(run));          // the tcesim.report/1 document
 *   double p99; tcesim_run_metric(run, "translation.latency_ns.p99", &p99);
 *   tcesim_run_destroy(run);
 *
 * Errors: every function returning int returns TCESIM_SUCCESS (0) or one of the
 * codes below, which are the CLI's exit codes (1 runtime failure, 2 bad
 * input) plus two of the API's own; the reason is one line, the same the
 * CLI prints ("key: what is wrong", "file:line: what is wrong"), read with
 * tcesim_run_errmsg. Nothing in the library exits, aborts on input or
 * prints (except SystemC itself on an internal error).
 *
 * One simulation per process: SystemC elaborates once, so the second
 * tcesim_run_simulate in a process fails with TCESIM_MISUSE.
 * tcesim_run_simulate_in_child runs the simulation in a forked child and
 * brings its report back, as often as wanted, provided this process has not
 * simulated in-process itself. The API is not thread-safe: one thread at a
 * time, and no simulation running in another thread.
 *
 * Ownership: a handle belongs to the caller until tcesim_run_destroy; every
 * string returned points into the handle and stays valid until the next call
 * that changes it (tcesim_run_set*, tcesim_run_simulate*) or destroy. Strings
 * passed in are copied.
 *
 * Units are in the names, as in the report: _ns nanoseconds, _gbps Gb/s.
 * Link with pkg-config's `tcesim` or CMake's tcesim::tcesim; the library
 * brings a weak sc_main, so a program with its own main() needs none. */
#ifndef TCESIM_TCESIM_H
#define TCESIM_TCESIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum tcesim_status {
    TCESIM_SUCCESS = 0,
    TCESIM_FAILED = 1, /* the simulation or an output failed (the CLI's exit 1) */
    TCESIM_BAD_INPUT = 2,   /* bad input: config, key, value, trace (the CLI's exit 2) */
    TCESIM_MISUSE = 3,  /* a call out of order, NULL where a value is needed, or a
                          * second simulation in this process */
    TCESIM_NOMEM = 4,
};

/* A static one-line description of a code ("bad input", ...). */
const char *tcesim_status_str(int code);

/* The program's version, as `tcesim --version` prints it after "tcesim ". */
const char *tcesim_version(void);

typedef struct tcesim_run tcesim_run;

/* Creates a run. config: a JSON file, or a preset's name (configs/NAME.json
 * where tcesim's data is installed: share/tcesim/ beside the library or the
 * program, or $TCESIM_DATADIR), or NULL/"" for the embedded default.
 * trace: a trace file (text, binary or .zst, traces/FORMAT.md), or NULL for
 * the built-in workload. As `tcesim run` takes them: neither a config nor a
 * trace gives the default scenario (a NIC, an NVMe drive, a bypass GPU);
 * a trace without a config runs on every key's default.
 * *out is set to a handle whatever the outcome (NULL only on TCESIM_NOMEM
 * or a NULL out): on an error, read tcesim_run_errmsg, then destroy it. The
 * trace file is opened when the run simulates. */
int tcesim_run_create(const char *config, const char *trace, tcesim_run **out);

/* The same with the configuration as JSON text (a config file's contents);
 * name stands for the file in its parse errors ("name:line: ..."). */
int tcesim_run_create_json(const char *json_text, const char *name, const char *trace, tcesim_run **out);

/* Accepts NULL. */
void tcesim_run_destroy(tcesim_run *run);

/* Applies one "key=value" (the keys of `tcesim config`, docs/keys.md), as
 * --set does. Values are checked against their key now; the rules between
 * keys when the run simulates. */
int tcesim_run_set(tcesim_run *run, const char *key_value);

/* Observers, as the CLI's options (docs/interface.md). path NULL or "" turns
 * one off. Each output is written atomically when the run ends. */
int tcesim_run_set_mappings(tcesim_run *run, const char *path);  /* --mappings CSV */
int tcesim_run_set_epoch(tcesim_run *run, uint64_t epoch_ns);    /* --epoch; 0 = off */
/* --timeline; to_ns 0: 100 us from the first device access (the CLI's
 * default window), else [from_ns, to_ns) with from_ns < to_ns. */
int tcesim_run_set_timeline(tcesim_run *run, const char *path, uint64_t from_ns, uint64_t to_ns);

/* The resolved configuration as JSON (`tcesim config --json`), or NULL when
 * the run failed to create. */
const char *tcesim_run_config_json(tcesim_run *run);

/* The file the configuration came from ("" for the embedded default or JSON
 * text). */
const char *tcesim_run_config_file(const tcesim_run *run);

/* The checks tcesim_run_simulate makes first, alone: the rules between keys
 * (config_validate) and the outputs against the inputs (an output is never
 * an input nor another output). */
int tcesim_run_validate(tcesim_run *run);

/* Validates, builds and runs the simulation to the end of its trace, in
 * this process (once per process, see above). Blocks; cost grows with the
 * trace (configs/bench-window.json: millions of TLPs a second). */
int tcesim_run_simulate(tcesim_run *run);

/* The same in a forked child: this process's SystemC is not touched, so it
 * can be called for any number of runs. The report, text and warnings come
 * back through a pipe; a child killed by a signal is TCESIM_FAILED. */
int tcesim_run_simulate_in_child(tcesim_run *run);

/* After a successful simulate: the report as tcesim.report/1 JSON
 * (docs/report-fields.md; wall-clock fields vary, all else is determined by
 * config, trace and seed), the text report `tcesim run` prints, and the
 * warnings it prints on stderr (lost or stale DMA, one per line; "" when
 * none). NULL before. */
const char *tcesim_run_report_json(const tcesim_run *run);
const char *tcesim_run_report_text(const tcesim_run *run);
const char *tcesim_run_warnings(const tcesim_run *run);

/* A number from the report by its JSON path (as `tcesim sweep --metrics`
 * takes it: dotted names, "name[]" = the largest over an array), e.g.
 * "translation.hit_rate", "translation.latency_ns.p99", "dma.throughput_gbps",
 * "allocator.pools[].wait_ns.p99". TCESIM_BAD_INPUT when the path is malformed
 * or names no number in this report; TCESIM_MISUSE before a simulation. */
int tcesim_run_metric(const tcesim_run *run, const char *json_path, double *out);

/* The headline metrics (README "Metrics"), typed; NaN before a simulation
 * or when the report has no such number (no translated TLP: no latency). */
double tcesim_run_hit_rate(const tcesim_run *run);             /* TCE cache hits / lookups */
double tcesim_run_translation_p50_ns(const tcesim_run *run);
double tcesim_run_translation_p99_ns(const tcesim_run *run);
double tcesim_run_dma_throughput_gbps(const tcesim_run *run);  /* completed payload / simulated time */
double tcesim_run_pool_wait_p99_ns(const tcesim_run *run);     /* largest over the pools */
uint64_t tcesim_run_faults(const tcesim_run *run);             /* faulting TLPs; 0 before */
uint64_t tcesim_run_lost_bytes(const tcesim_run *run);         /* faulted, dropped, skipped payload */

/* The last error's one-line reason ("" when the last call succeeded; a
 * static string for a NULL run). */
const char *tcesim_run_errmsg(const tcesim_run *run);

#ifdef __cplusplus
}
#endif

#endif
