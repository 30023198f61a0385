// Trace reading speed (Google Benchmark): one item = one event returned by
// tr_next. The trace is the window workload (one map, then random 64 B reads
// through its handle over 1 GiB), written once before timing to a temporary
// directory and read once untimed, so every timed pass reads from the page
// cache. The reader validates every event as a replay's does (handle
// lookups, bounds, time order).
//
//   trace_read/bin      uncompressed binary (target: >= 50 M events/s)
//   trace_read/bin_zst  the same events, .bin.zst (zstd level 3)
//   trace_read/text     the same events as text, for scale
//
// Size: TCESIM_BENCH_TRACE_EVENTS (default 4 Mi events: 160 MiB of .bin).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

extern "C" {
#include "gen_window.h"
#include "trace.h"
}

namespace {

std::string g_dir;

uint64_t trace_events()
{
    const char *s = std::getenv("TCESIM_BENCH_TRACE_EVENTS");
    return s ? std::strtoull(s, nullptr, 10) : (uint64_t{1} << 22);
}

// Writes the window trace to path (format by name); aborts the benchmark
// program on error (this is a harness, not the library).
void write_trace(const std::string &path, uint64_t n)
{
    gen_window_params p{};
    p.pattern = GEN_WINDOW_RANDOM;
    p.window = uint64_t{1} << 30;
    p.size = 64;
    p.op = TR_READ;
    p.count = n - 1;
    p.seed = 1;
    tr_source src;
    tr_writer *w = nullptr;
    tr_event ev;
    tr_error err;
    int rc = gen_window_open(&p, &src, &err);
    if (!rc)
        rc = tr_writer_open(path.c_str(), nullptr, 0, &w, &err);
    while (!rc && (rc = tr_next(&src, &ev, &err)) == 1)
        rc = tr_writer_put(w, &ev, &err);
    tr_close(&src);
    if (rc || tr_writer_close(w, true, &err)) {
        std::fprintf(stderr, "bench_traces: %s\n", err.msg);
        std::exit(1);
    }
}

uint64_t read_trace(const std::string &path)
{
    tr_source src;
    tr_event ev;
    tr_error err;
    uint64_t n = 0, sum = 0;
    int rc = tr_open(path.c_str(), &src, &err);
    if (!rc) {
        while ((rc = tr_next(&src, &ev, &err)) == 1) {
            n++;
            sum += ev.off;
        }
        tr_close(&src);
    }
    if (rc) {
        std::fprintf(stderr, "bench_traces: %s\n", err.msg);
        std::exit(1);
    }
    benchmark::DoNotOptimize(sum);
    return n;
}

void bm_read(benchmark::State &state, const char *suffix)
{
    std::string path = g_dir + "/trace" + suffix;
    uint64_t n = 0;
    for (auto _ : state)
        n += read_trace(path);
    state.SetItemsProcessed(static_cast<int64_t>(n));
    struct stat st;
    if (stat(path.c_str(), &st) == 0)
        state.counters["file_MiB"] = static_cast<double>(st.st_size) / (1 << 20);
}

}  // namespace

int main(int argc, char **argv)
{
    char tmpl[] = "/tmp/tcesim-bench-traces-XXXXXX";
    if (!mkdtemp(tmpl)) {
        std::perror("mkdtemp");
        return 1;
    }
    g_dir = tmpl;
    uint64_t n = trace_events();
    const char *suffixes[] = {".bin", ".bin.zst", ".trace"};
    for (const char *s : suffixes) {
        write_trace(g_dir + "/trace" + s, s[1] == 't' ? n / 4 : n);
        read_trace(g_dir + "/trace" + s);  // into the page cache
    }
    benchmark::RegisterBenchmark("trace_read/bin", bm_read, ".bin")->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("trace_read/bin_zst", bm_read, ".bin.zst")
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("trace_read/text", bm_read, ".trace")
        ->Unit(benchmark::kMillisecond);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    for (const char *s : suffixes)
        std::remove((g_dir + "/trace" + s).c_str());
    rmdir(g_dir.c_str());
    return 0;
}
