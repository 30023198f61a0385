#include "cli_traces.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "config.h"
#include "output.hpp"

extern "C" {
#include "traces/generators.h"
#include "traces/import_tracecmd.h"
#include "traces/merge.h"
#include "common/tcesim_err.h"
#include "traces/trace.h"
#include "traces/trace_tools.h"
}

namespace tcesim {

static int usage(const char *msg)
{
    std::fprintf(stderr, "tcesim: %s\n", msg);
    return 2;
}

// A failed read or write (disk full, an I/O error) or memory is a runtime
// failure, exit 1; anything else (a path that names no file, a malformed
// input, an output refused before anything ran) is bad input, exit 2.
static int exit_code(int rc)
{
    return rc == TCESIM_EIO || rc == TCESIM_ENOMEM ? 1 : 2;
}

static const char *kGenUsage =
    "usage: tcesim gen PATTERN [--set key=value]... [--seed N] -o FILE\n"
    "  FILE's name picks the format: .trace/.txt text, .bin binary, a further .zst compresses.\n"
    "  tcesim gen --help lists the patterns, their keys, defaults and meanings.\n";

int cmd_gen(int argc, char **argv)
{
    bool help = false; // `tcesim gen --help` or `tcesim gen PATTERN --help`
    for (int i = 2; i < argc; i++)
        help |= !std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h");
    if (help) {
        std::fputs(kGenUsage, stdout);
        std::fputs("\n", stdout);
        gen_describe(stdout);
        return 0;
    }
    if (argc < 3)
        return usage("gen: a PATTERN is needed (tcesim gen --help lists them)");
    if (argv[2][0] == '-')
        return usage(("gen: unknown option '" + std::string(argv[2]) + "' before the PATTERN (tcesim gen --help)").c_str());
    const char *pattern = argv[2];
    std::vector<std::string> keys, values;
    std::string out;
    bool has_out = false;
    uint64_t seed = 1;
    for (int i = 3; i < argc; i++) {
        std::string a = argv[i];
        if ((a == "--set" || a == "-s") && i + 1 < argc) {
            std::string kv = argv[++i];
            size_t eq = kv.find('=');
            if (eq == std::string::npos || eq == 0)
                return usage(("--set " + kv + ": expected key=value").c_str());
            keys.push_back(kv.substr(0, eq));
            values.push_back(kv.substr(eq + 1));
        } else if (a == "--seed" && i + 1 < argc) {
            if (config_parse_u64(argv[++i], false, &seed))
                return usage("--seed: expected a non-negative integer");
        } else if ((a == "-o" || a == "--out") && i + 1 < argc) {
            out = argv[++i];
            has_out = true;
        } else {
            return usage(("gen: unexpected argument '" + a + "' (tcesim gen --help)").c_str());
        }
    }
    if (!has_out)
        return usage("gen: -o FILE is required");
    if (out.empty()) {
        std::fprintf(stderr, "-o: empty path\n");
        return 2;
    }
    std::vector<const char *> k, v;
    for (size_t i = 0; i < keys.size(); i++) {
        k.push_back(keys[i].c_str());
        v.push_back(values[i].c_str());
    }
    tr_source src{};
    tr_error err;
    if (gen_open(pattern, k.data(), v.data(), static_cast<unsigned>(k.size()), seed, &src, &err)) {
        std::fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    tr_writer *w = nullptr;
    if (tr_writer_open(out.c_str(), src.devices, src.ndevices, &w, &err)) {
        std::fprintf(stderr, "%s\n", err.msg);
        tr_close(&src);
        return 2;
    }
    tr_event ev;
    int rc;
    uint64_t n = 0;
    while ((rc = tr_next(&src, &ev, &err)) == 1) {
        if (tr_writer_put(w, &ev, &err)) {
            rc = -1;
            break;
        }
        n++;
    }
    bool ok = rc == 0;
    tr_error cerr;
    if (tr_writer_close(w, ok, &cerr) && ok) {
        std::fprintf(stderr, "%s\n", cerr.msg);
        tr_close(&src);
        return 1;
    }
    tr_close(&src);
    if (!ok) {
        std::fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    std::fprintf(stderr, "tcesim gen %s: %llu events -> %s\n", pattern, static_cast<unsigned long long>(n), out.c_str());
    return 0;
}

static const char *kTraceUsage =
    "usage: tcesim trace info FILE [--page-size BYTES]\n"
    "       tcesim trace convert IN OUT\n"
    "       tcesim trace merge A B ... -o OUT [--renumber-cpus] [--renumber-rids] [--drop-pa]\n"
    "  Formats by file name: .trace/.txt text, .bin binary, a further .zst compresses.\n";

int cmd_trace(int argc, char **argv)
{
    if (argc < 3)
        return usage("trace: a subcommand is needed: info, convert or merge (tcesim trace --help)");
    // `tcesim trace SUB --help` (or -h anywhere after it): the usage
    for (int i = 2; i < argc; i++)
        if (!std::strcmp(argv[i], "-h") || !std::strcmp(argv[i], "--help")) {
            std::fputs(kTraceUsage, stdout);
            return 0;
        }
    std::string sub = argv[2];
    tr_error err;
    if (sub == "info") {
        if (argc < 4)
            return usage("trace info: FILE is required");
        uint64_t page = 4096;
        for (int i = 4; i < argc; i++) {
            std::string a = argv[i];
            if (a == "--page-size" && i + 1 < argc) {
                if (config_parse_u64(argv[++i], true, &page) || !page || (page & (page - 1)) || page < 4096)
                    return usage("--page-size: expected a power of two >= 4096");
            } else {
                return usage(("trace info: unexpected argument '" + a + "'").c_str());
            }
        }
        Claims claims;
        std::string e = claims.input("FILE", argv[3]);
        if (e.empty())
            e = claims.check_stdout();
        if (!e.empty()) {
            std::fprintf(stderr, "%s\n", e.c_str());
            return 2;
        }
        tr_info_result *r = static_cast<tr_info_result *>(std::calloc(1, sizeof(tr_info_result)));
        if (!r)
            return usage("out of memory");
        int rc = tr_info(argv[3], static_cast<unsigned>(__builtin_ctzll(page)), r, &err);
        if (rc) {
            std::fprintf(stderr, "%s\n", err.msg);
            std::free(r);
            return 2;
        }
        // Printed to memory first, so that standard output is written (and
        // its errors caught) by one checked write.
        char *text = nullptr;
        size_t len = 0;
        FILE *mem = open_memstream(&text, &len);
        if (!mem) {
            std::free(r);
            return usage("out of memory");
        }
        tr_info_print(r, mem);
        std::fclose(mem);
        std::free(r);
        e = write_stdout(std::string(text ? text : "", len));
        std::free(text);
        if (!e.empty()) {
            std::fprintf(stderr, "%s\n", e.c_str());
            return 1;
        }
        return 0;
    }
    if (sub == "convert") {
        if (argc != 5)
            return usage("trace convert: expected IN OUT");
        if (int rc = tr_convert(argv[3], argv[4], &err)) {
            std::fprintf(stderr, "%s\n", err.msg);
            return exit_code(rc);
        }
        return 0;
    }
    if (sub == "merge") {
        std::vector<const char *> in;
        std::string out;
        bool has_out = false;
        tr_merge_opts o{};
        for (int i = 3; i < argc; i++) {
            std::string a = argv[i];
            if (a == "-o" && i + 1 < argc) {
                out = argv[++i];
                has_out = true;
            } else if (a == "-o") {
                return usage("trace merge: -o needs a file");
            } else if (a == "--renumber-cpus") {
                o.renumber_cpus = true;
            } else if (a == "--renumber-rids") {
                o.renumber_rids = true;
            } else if (a == "--drop-pa") {
                o.drop_pa = true;
            } else if (!a.empty() && a[0] == '-') {
                return usage(("trace merge: unknown option '" + a + "'").c_str());
            } else {
                in.push_back(argv[i]);
            }
        }
        if (in.empty() || !has_out)
            return usage("trace merge: expected A B ... -o OUT");
        if (in.size() > TR_MERGE_MAX_INPUTS)
            return usage(("trace merge: at most " + std::to_string(TR_MERGE_MAX_INPUTS) + " inputs").c_str());
        tr_merge_result r;
        int rc = tr_merge(in.data(), static_cast<unsigned>(in.size()), out.c_str(), &o, &r, &err);
        if (rc) {
            std::fprintf(stderr, "%s\n", err.msg);
            return exit_code(rc);
        }
        std::string m;
        for (size_t k = 0; k < in.size(); k++) {
            m += k ? ", " : "";
            m += std::string(in[k]) + " from dev" + std::to_string(r.dev_base[k]);
            if (o.renumber_cpus)
                m += " cpu" + std::to_string(r.cpu_base[k]);
        }
        std::string moved = r.moved ? "; " + std::to_string(r.moved) + (r.moved == 1 ? " declaration" : " declarations") +
                                          " moved to a free bus or PE"
                                    : "";
        std::fprintf(stderr, "tcesim trace merge: %llu event%s from %zu input%s -> %s (%u device%s; %s%s)\n",
                     static_cast<unsigned long long>(r.events), r.events == 1 ? "" : "s", in.size(), in.size() == 1 ? "" : "s",
                     out.c_str(), r.ndevices, r.ndevices == 1 ? "" : "s", m.c_str(), moved.c_str());
        return 0;
    }
    return usage(("trace: unknown subcommand '" + sub + "' (tcesim trace --help)").c_str());
}

static const char *kImportUsage =
    "usage: tcesim import trace-cmd REPORT -o FILE [--access once|none] [--delay-ns N] [--chunk BYTES]\n"
    "                 [--pe bus|device|none] [--mask-bits auto|N] [--domain N] [--sg-page BYTES] [--no-pa]\n"
    "                 [--byte-order little|big]\n"
    "  REPORT is the text of `trace-cmd report` (record with `trace-cmd record -e dma`), of the\n"
    "  kernel's trace file, or of `perf script`. --mask-bits auto (default) infers each device's\n"
    "  mask from its bus addresses; --byte-order is the traced kernel's, for ARRAY[] raw bytes.\n"
    "  Lines that cannot be used are counted by reason on stderr. traces/FORMAT.md has the rules.\n";

int cmd_import(int argc, char **argv)
{
    if (argc < 3 || std::strcmp(argv[2], "trace-cmd")) {
        if (argc >= 3 && (!std::strcmp(argv[2], "-h") || !std::strcmp(argv[2], "--help"))) {
            std::fputs(kImportUsage, stdout);
            return 0;
        }
        if (argc < 3)
            return usage("import: a format is needed: trace-cmd (tcesim import --help)");
        return usage(("import: unknown format '" + std::string(argv[2]) + "': expected trace-cmd (tcesim import --help)").c_str());
    }
    for (int i = 3; i < argc; i++)
        if (!std::strcmp(argv[i], "-h") || !std::strcmp(argv[i], "--help")) {
            std::fputs(kImportUsage, stdout);
            return 0;
        }
    if (argc < 4)
        return usage("import trace-cmd: REPORT is required (tcesim import --help)");
    import_params p;
    import_params_default(&p);
    std::string out;
    bool has_out = false;
    for (int i = 4; i < argc; i++) {
        std::string a = argv[i];
        uint64_t v;
        bool has = i + 1 < argc;
        if ((a == "-o" || a == "--out") && has) {
            out = argv[++i];
            has_out = true;
        } else if (a == "--access" && has) {
            std::string m = argv[++i];
            if (m == "once")
                p.access = IMPORT_ACCESS_ONCE;
            else if (m == "none")
                p.access = IMPORT_ACCESS_NONE;
            else
                return usage("--access: expected once or none");
        } else if (a == "--delay-ns" && has) {
            if (config_parse_u64(argv[++i], false, &v))
                return usage("--delay-ns: expected a non-negative integer");
            if (v > NUM_NS_MAX)
                return usage(("--delay-ns: " + std::string(argv[i]) + " too large (max " + std::to_string(NUM_NS_MAX) + " ns)").c_str());
            p.delay_ns = v;
        } else if (a == "--chunk" && has) {
            if (config_parse_u64(argv[++i], true, &v))
                return usage("--chunk: expected a size");
            p.chunk_bytes = v;
        } else if (a == "--pe" && has) {
            std::string m = argv[++i];
            if (m == "bus")
                p.pe_rule = IMPORT_PE_BUS;
            else if (m == "device")
                p.pe_rule = IMPORT_PE_DEVICE;
            else if (m == "none")
                p.pe_rule = IMPORT_PE_NONE;
            else
                return usage("--pe: expected bus, device or none");
        } else if (a == "--mask-bits" && has) {
            if (!std::strcmp(argv[i + 1], "auto")) {
                i++;
                p.dma_mask_bits = 0;
            } else if (config_parse_u64(argv[++i], false, &v) || v < 24 || v > 64) {
                return usage("--mask-bits: expected auto or 24..64");
            } else {
                p.dma_mask_bits = static_cast<unsigned>(v);
            }
        } else if (a == "--byte-order" && has) {
            std::string m = argv[++i];
            if (m == "little")
                p.big_endian = false;
            else if (m == "big")
                p.big_endian = true;
            else
                return usage("--byte-order: expected little or big");
        } else if (a == "--domain" && has) {
            if (config_parse_u64(argv[++i], false, &v) || v > 0xffff)
                return usage("--domain: expected a PCI domain number");
            p.domain = static_cast<int32_t>(v);
        } else if (a == "--sg-page" && has) {
            if (config_parse_u64(argv[++i], true, &v) || !v || (v & (v - 1)))
                return usage("--sg-page: expected a power of two");
            p.sg_page_bytes = v;
        } else if (a == "--no-pa") {
            p.pa = IMPORT_PA_NEVER;
        } else {
            return usage(("import trace-cmd: unexpected argument '" + a + "' (tcesim import --help)").c_str());
        }
    }
    if (!has_out)
        return usage("import trace-cmd: -o FILE is required");
    import_stats st;
    tr_error err;
    int rc = import_tracecmd(argv[3], &p, out.c_str(), &st, &err);
    if (rc) {
        std::fprintf(stderr, "%s\n", err.msg);
        return exit_code(rc);
    }
    import_stats_print(&st, stderr);
    return 0;
}

} // namespace tcesim
