// Microbenchmarks of the C models, driven through bench/shim.h.
//
// Each family is a table of cases registered in main(): to add a benchmark
// (walks, whole translations), add a shim section, a run function taking
// (benchmark::State&, const YourCase&), and a table. Page streams are
// generated before the timed loop and replayed, so the RNG is not measured.
// Every case reports items_per_second (one item = one lookup or access) and,
// for lookups, the hit rate it actually saw.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "shim.h"

namespace {

constexpr size_t kStreamLen = size_t{1} << 16;  // power of two: index by mask
constexpr uint64_t kStepPs = 1000;              // 1 ns between lookups
constexpr uint64_t kMissWindow = uint64_t{1} << 20;  // 4 GiB of 4 KiB pages

std::vector<uint64_t> page_stream(uint64_t window_pages, uint64_t seed)
{
    std::vector<uint64_t> v(kStreamLen);
    shim_fill_pages(v.data(), v.size(), window_pages, seed);
    return v;
}

// Runs one lookup-or-insert per iteration over a replayed page stream,
// after one untimed pass to warm the structure.
template <typename Lookup>
void run_lookups(benchmark::State &state, const std::vector<uint64_t> &pages, Lookup lookup)
{
    uint64_t now = 0;
    for (uint64_t p : pages)
        lookup(p, now += kStepPs);
    uint64_t hits = 0;
    size_t i = 0;
    for (auto _ : state) {
        hits += static_cast<uint64_t>(lookup(pages[i], now += kStepPs));
        i = (i + 1) & (kStreamLen - 1);
    }
    benchmark::DoNotOptimize(hits);
    state.SetItemsProcessed(state.iterations());
    state.counters["hit_rate"] = static_cast<double>(hits) / static_cast<double>(state.iterations());
}

// ---- TCE cache and its baseline ----

struct CacheCase {
    const char *name;
    uint32_t entries, ways;  // ways 0 = fully associative
    const char *policy;
    uint64_t window_pages;   // uniform random pages over this window
};

// Hit-dominated windows are 3/4 of the entries (hit rate ~1 once warm);
// miss-dominated windows are 2^20 pages (hit rate ~ entries / 2^20).
const CacheCase kCacheCases[] = {
    {"tce_cache/fa64_lru/hit", 64, 0, "lru", 48},
    {"tce_cache/fa64_lru/miss", 64, 0, "lru", kMissWindow},
    {"tce_cache/1024x8way_lru/hit", 1024, 8, "lru", 768},
    {"tce_cache/1024x8way_lru/miss", 1024, 8, "lru", kMissWindow},
    {"tce_cache/fa1024_lru/hit", 1024, 0, "lru", 768},
    {"tce_cache/fa1024_lru/miss", 1024, 0, "lru", kMissWindow},
};

void bm_tce_cache(benchmark::State &state, const CacheCase &k)
{
    shim_cache *c = shim_cache_new(k.entries, k.ways, k.policy);
    if (!c) {
        state.SkipWithError("shim_cache_new rejected the parameters");
        return;
    }
    run_lookups(state, page_stream(k.window_pages, 1),
                [c](uint64_t page, uint64_t now) { return shim_cache_lookup_insert(c, page, now); });
    shim_cache_free(c);
}

// BASELINE: the same page streams through a bare 64-entry LRU.
const CacheCase kBaselineCases[] = {
    {"baseline/lru64_bare/hit", 64, 0, "lru", 48},
    {"baseline/lru64_bare/miss", 64, 0, "lru", kMissWindow},
};

void bm_baseline_lru64(benchmark::State &state, const CacheCase &k)
{
    shim_lru64 *l = shim_lru64_new();
    if (!l) {
        state.SkipWithError("out of memory");
        return;
    }
    run_lookups(state, page_stream(k.window_pages, 1),
                [l](uint64_t page, uint64_t) { return shim_lru64_lookup_insert(l, page); });
    shim_lru64_free(l);
}

// ---- memory timing ----

struct MemCase {
    const char *name;
    uint32_t bytes;
    uint64_t gap_ps;  // between arrivals; below the transfer time it queues
};

const MemCase kMemCases[] = {
    {"memory/access_64B_idle", 64, 100000},
    {"memory/access_64B_queued", 64, 100},
};

void bm_memory(benchmark::State &state, const MemCase &k)
{
    shim_mem *m = shim_mem_new(80000, 25600);  // 80 ns, 25.6 GB/s
    if (!m) {
        state.SkipWithError("shim_mem_new rejected the parameters");
        return;
    }
    uint64_t t = 0, pa = 0, done = 0;
    for (auto _ : state) {
        done += shim_mem_access(m, pa, k.bytes, 0, t += k.gap_ps);
        pa += k.bytes;
    }
    benchmark::DoNotOptimize(done);
    state.SetItemsProcessed(state.iterations());
    shim_mem_free(m);
}

template <typename Case, size_t N, typename Fn>
void register_all(const Case (&cases)[N], Fn fn)
{
    for (const Case &k : cases)
        benchmark::RegisterBenchmark(k.name, [fn, &k](benchmark::State &s) { fn(s, k); });
}

}  // namespace

int main(int argc, char **argv)
{
    register_all(kBaselineCases, bm_baseline_lru64);
    register_all(kCacheCases, bm_tce_cache);
    register_all(kMemCases, bm_memory);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
