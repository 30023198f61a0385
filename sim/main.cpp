// tcesim: the command line. Exit codes (docs/interface.md): 0 success, 1
// simulation/runtime failure, 2 bad input; every error is one line on stderr.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include <fcntl.h>
#include <unistd.h>

#include "cli_calibrate.hpp"
#include "cli_report.hpp"
#include "cli_sweep.hpp"
#include "cli_traces.hpp"
#include "config.h"
#include "output.hpp"
#include "traces/outfile.h"
#include "tcesim/tcesim.h"
#include "version.hpp"

namespace {

const char *kUsage =
    "usage: tcesim run [CONFIG] [--trace FILE] [--set key=value]... [--json FILE] [--mappings FILE]\n"
    "                  [--epoch NS] [--timeline FILE [--timeline-window FROM_NS:TO_NS]]\n"
    "                  (--timeline without a window: 100 us from the first device access)\n"
    "       tcesim config [CONFIG] [--set key=value]... [--json]\n"
    "       tcesim gen PATTERN [--set key=value]... -o FILE      (tcesim gen --help)\n"
    "       tcesim trace info FILE | tcesim trace convert IN OUT | tcesim trace merge A B ... -o OUT\n"
    "       tcesim import trace-cmd REPORT -o FILE               (tcesim import --help)\n"
    "       tcesim sweep [CONFIG] --vary key=v1,v2,... --out DIR  (tcesim sweep --help)\n"
    "       tcesim report RUN.json|DIR -o FILE.html               (tcesim report --help)\n"
    "       tcesim report A.json B.json -o FILE.html              (two runs side by side)\n"
    "       tcesim report --fields                                (the report's fields, from its schema)\n"
    "       tcesim calibrate --check PRESET DIR [--off DIR_OFF]   (a preset against pcie-bench data;\n"
    "                                                              tcesim calibrate --help)\n"
    "       tcesim --version\n"
    "\n"
    "CONFIG is a JSON file or the name of a preset in configs/ (phb3, ...).\n"
    "No CONFIG and no --trace: the default scenario (a NIC, an NVMe drive, a bypass GPU: README).\n"
    "Otherwise every key's default (configs/bench-window.json); no --trace: the built-in workload\n"
    "(workload.*, or workloads[] when the config has it).\n"
    "`tcesim config` lists every key with its value, default and meaning.\n"
    "Outputs (--json, --mappings, --timeline, -o) are written atomically, never over an input,\n"
    "another output, a FIFO or a device (README \"Outputs\"); --json - is standard output.\n";

int usage_error(const std::string &msg)
{
    std::fprintf(stderr, "tcesim: %s\n", msg.c_str());
    return 2;
}

struct Args {
    std::string config, trace, json_out, mappings, timeline;
    uint64_t epoch_ns = 0, tl_from = 0, tl_to = 100000;
    std::vector<std::string> sets;
    bool json_flag = false;
    bool has_json = false, has_mappings = false, has_timeline = false; // given, even as ''
    bool has_window = false; // --timeline-window given
    std::string config_path; // CONFIG resolved by load_config ("" = the embedded default)
};

// Parses the options common to run and config. Returns 0 or 2.
int parse_args(int argc, char **argv, int first, bool is_run, Args &a)
{
    for (int i = first; i < argc; i++) {
        std::string s = argv[i];
        auto need = [&](const char *opt) -> const char * {
            if (i + 1 >= argc)
                return nullptr;
            (void)opt;
            return argv[++i];
        };
        if (s == "--set") {
            const char *v = need("--set");
            if (!v)
                return usage_error("--set needs key=value");
            a.sets.push_back(v);
        } else if (s.rfind("--set=", 0) == 0) {
            a.sets.push_back(s.substr(6));
        } else if (is_run && s == "--trace") {
            const char *v = need("--trace");
            if (!v)
                return usage_error("--trace needs a file");
            a.trace = v;
        } else if (is_run && s == "--json") {
            const char *v = need("--json");
            if (!v)
                return usage_error("--json needs a file (- for standard output)");
            a.json_out = v;
            a.has_json = true;
        } else if (is_run && s == "--mappings") {
            const char *v = need("--mappings");
            if (!v)
                return usage_error("--mappings needs a file");
            a.mappings = v;
            a.has_mappings = true;
        } else if (is_run && s == "--epoch") {
            const char *v = need("--epoch");
            if (!v || config_parse_u64(v, false, &a.epoch_ns) || !a.epoch_ns)
                return usage_error("--epoch needs a positive number of nanoseconds");
            if (a.epoch_ns > NUM_NS_MAX)
                return usage_error("--epoch: " + std::string(v) + " too large (max " + std::to_string(NUM_NS_MAX) + " ns)");
        } else if (is_run && s == "--timeline") {
            const char *v = need("--timeline");
            if (!v)
                return usage_error("--timeline needs a file");
            a.timeline = v;
            a.has_timeline = true;
        } else if (is_run && s == "--timeline-window") {
            a.has_window = true;
            const char *v = need("--timeline-window");
            std::string w = v ? v : "";
            size_t c = w.find(':');
            if (c == std::string::npos || config_parse_u64(w.substr(0, c).c_str(), false, &a.tl_from) ||
                config_parse_u64(w.substr(c + 1).c_str(), false, &a.tl_to) || a.tl_to <= a.tl_from)
                return usage_error("--timeline-window needs FROM_NS:TO_NS with FROM < TO");
            if (a.tl_to > NUM_NS_MAX)
                return usage_error("--timeline-window: " + w + " too large (max " + std::to_string(NUM_NS_MAX) + " ns)");
        } else if (!is_run && s == "--json") {
            a.json_flag = true;
        } else if (s == "-h" || s == "--help") {
            std::fputs(kUsage, stdout);
            std::exit(tcesim::finish_stdout(0));
        } else if (!s.empty() && s[0] == '-' && s != "-") {
            return usage_error(std::string("unknown option '") + s + "' (tcesim " + argv[1] + " --help)");
        } else if (a.config.empty()) {
            a.config = s;
        } else {
            return usage_error("unexpected argument '" + s + "'");
        }
    }
    return 0;
}

int load_config(Args &a, tcesim_config &cfg)
{
    cfg_error err;
    config_defaults(&cfg);
    // neither a CONFIG nor a trace: the default scenario (config.h)
    if (a.config.empty() && a.trace.empty() && config_apply_default_scenario(&cfg, &err)) {
        std::fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    if (!a.config.empty()) {
        char path[1024];
        if (config_find(a.config.c_str(), path, sizeof path, &err) ||
            config_load_file(&cfg, path, &err)) {
            std::fprintf(stderr, "%s\n", err.msg);
            return 2;
        }
        a.config_path = path;
    }
    for (const std::string &s : a.sets)
        if (config_set(&cfg, s.c_str(), &err)) {
            std::fprintf(stderr, "%s\n", err.msg);
            return 2;
        }
    if (config_validate(&cfg, &err)) {
        std::fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    return 0;
}

int cmd_config(int argc, char **argv)
{
    Args a;
    int rc = parse_args(argc, argv, 2, false, a);
    if (rc)
        return rc;
    auto cfg = std::make_unique<tcesim_config>();
    if ((rc = load_config(a, *cfg)))
        return rc;
    tcesim::Claims claims;
    std::string e = claims.input("CONFIG", a.config_path);
    if (e.empty())
        e = claims.check_stdout();
    if (!e.empty()) {
        std::fprintf(stderr, "%s\n", e.c_str());
        return 2;
    }
    char *s = a.json_flag ? config_to_json(cfg.get()) : config_describe(cfg.get());
    std::string text = s ? s : "";
    std::free(s);
    if (a.json_flag)
        text += '\n';
    e = tcesim::write_stdout(text);
    if (!e.empty()) {
        std::fprintf(stderr, "%s\n", e.c_str());
        return 1;
    }
    return 0;
}

// Refuses, before anything runs, an output that is an input (CONFIG, the
// trace) or another output, standard output included; '-' for --json is
// standard output.
int claim_run_files(const Args &a)
{
    tcesim::Claims c;
    std::string e = c.input("CONFIG", a.config_path);
    if (e.empty())
        e = c.input("--trace", a.trace);
    if (e.empty())
        e = c.claim_stdout(a.json_out == "-" ? "--json -" : "standard output (the text report)");
    if (e.empty() && a.has_json && a.json_out != "-")
        e = c.output("--json", a.json_out);
    if (e.empty() && a.has_mappings)
        e = c.output("--mappings", a.mappings);
    if (e.empty() && a.has_timeline)
        e = c.output("--timeline", a.timeline);
    if (e.empty())
        return 0;
    std::fprintf(stderr, "%s\n", e.c_str());
    return 2;
}

// The API's codes as exit codes: 2 bad input, 1 everything else.
int exit_code(int api_rc) { return api_rc == TCESIM_BAD_INPUT ? 2 : 1; }

// `tcesim run`: a user of the C API (include/tcesim/tcesim.h), plus what
// only a command line has (standard output, --json).
int cmd_run(int argc, char **argv)
{
    Args a;
    int rc = parse_args(argc, argv, 2, true, a);
    if (rc)
        return rc;
    if (a.has_window && !a.has_timeline)
        return usage_error("--timeline-window needs --timeline FILE (the window of the timeline it writes)");
    tcesim_run *run = nullptr;
    rc = tcesim_run_create(a.config.empty() ? nullptr : a.config.c_str(), a.trace.empty() ? nullptr : a.trace.c_str(),
                           &run);
    std::unique_ptr<tcesim_run, void (*)(tcesim_run *)> owner(run, tcesim_run_destroy);
    for (size_t i = 0; !rc && i < a.sets.size(); i++)
        rc = tcesim_run_set(run, a.sets[i].c_str());
    if (!rc)
        rc = tcesim_run_validate(run);
    if (rc) {
        std::fprintf(stderr, "%s\n", tcesim_run_errmsg(run));
        return exit_code(rc);
    }
    a.config_path = tcesim_run_config_file(run);
    if ((rc = claim_run_files(a)))
        return rc;
    // The text report (or --json -) goes to standard output: a closed one
    // is said now, as `config` says it, not after the whole simulation.
    if (fcntl(STDOUT_FILENO, F_GETFD) < 0) {
        std::fprintf(stderr, "stdout: %s\n", std::strerror(errno));
        return 1;
    }
    if (a.has_mappings)
        rc = tcesim_run_set_mappings(run, a.mappings.c_str());
    if (!rc && a.epoch_ns)
        rc = tcesim_run_set_epoch(run, a.epoch_ns);
    if (!rc && a.has_timeline)
        rc = tcesim_run_set_timeline(run, a.timeline.c_str(), a.tl_from, a.has_window ? a.tl_to : 0);
    if (!rc)
        rc = tcesim_run_simulate(run);
    if (rc) {
        std::fprintf(stderr, "%s\n", tcesim_run_errmsg(run));
        return exit_code(rc);
    }
    // The JSON is written only when asked for (11 M instructions on
    // bench-window: a fifth of a 30 000-access run's start-up).
    std::string text = tcesim_run_report_text(run);
    std::string e;
    if (a.json_out == "-") {
        e = tcesim::write_stdout(tcesim_run_report_json(run));
        std::fputs(text.c_str(), stderr);
    } else {
        e = tcesim::write_stdout(text);
        if (e.empty() && a.has_json)
            e = tcesim::write_output(a.json_out, tcesim_run_report_json(run));
    }
    if (!e.empty()) {
        std::fprintf(stderr, "%s\n", e.c_str());
        return 1;
    }
    std::fputs(tcesim_run_warnings(run), stderr);
    return 0;
}

// SystemC prints its banner unless this is set before its first use; a
// constructor runs before main() and the library's first simcontext.
__attribute__((constructor)) static void quiet_systemc_banner()
{
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
}

int dispatch(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("a command is needed: run, config, gen, trace, import, sweep, report or calibrate (tcesim --help)");
    std::string cmd = argv[1];
    if (cmd == "run")
        return cmd_run(argc, argv);
    if (cmd == "config")
        return cmd_config(argc, argv);
    if (cmd == "gen")
        return tcesim::cmd_gen(argc, argv);
    if (cmd == "trace")
        return tcesim::cmd_trace(argc, argv);
    if (cmd == "import")
        return tcesim::cmd_import(argc, argv);
    if (cmd == "report")
        return tcesim::cmd_report(argc, argv);
    if (cmd == "sweep")
        return tcesim::cmd_sweep(argc, argv);
    if (cmd == "calibrate")
        return tcesim::cmd_calibrate(argc, argv);
    if (cmd == "--version") {
        if (argc > 2)
            return usage_error("--version takes no argument");
        std::string e = tcesim::write_stdout(std::string("tcesim ") + tcesim::version() + "\n");
        if (!e.empty()) {
            std::fprintf(stderr, "%s\n", e.c_str());
            return 1;
        }
        return 0;
    }
    if (cmd == "-h" || cmd == "--help" || cmd == "help") {
        std::fputs(kUsage, stdout);
        return 0;
    }
    return usage_error("unknown command '" + cmd + "' (tcesim --help)");
}

void note_line(const char *line)
{
    std::fprintf(stderr, "note: %s\n", line);
}

} // namespace

// Standard output is checked to its final close, whatever the command; an
// interrupt removes the outputs being written (README "Outputs").
int sc_main(int argc, char **argv)
{
    of_install_signal_cleanup(note_line);
    return tcesim::finish_stdout(dispatch(argc, argv));
}
