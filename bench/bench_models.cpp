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
void run_lookups(benchmark::State &state, const std::vector<uint64_t> &pages, Lookup lookup,
                 uint64_t step_ps = kStepPs)
{
    uint64_t now = 0;
    for (uint64_t p : pages)
        lookup(p, now += step_ps);
    uint64_t hits = 0;
    size_t i = 0;
    for (auto _ : state) {
        hits += static_cast<uint64_t>(lookup(pages[i], now += step_ps));
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
    // THE YARDSTICK (issue 14): uniform over 256 pages, the 1 MiB window of
    // 4 KiB pages configs/bench-window.json reads: misses 3 times in 4, as
    // that scenario's TLPs do. Every macro figure is quoted as TLP cost /
    // this lookup's cost, measured in the same run (bench/macro.sh).
    {"baseline/lru64_bare/mix256", 64, 0, "lru", 256},
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

// ---- TCE walk ----

struct WalkCase {
    const char *name;
    unsigned levels;
    uint64_t window_pages;  // every entry mapped; uniform random pages
};

// 64 Ki pages (256 MiB of 4 KiB pages): a 1-level table of 512 KiB, or
// 3 levels of 4 KiB each (the CPU page floor of Linux's geometry rule).
const WalkCase kWalkCases[] = {
    {"tce_walk/1level", 1, uint64_t{1} << 16},
    {"tce_walk/3level", 3, uint64_t{1} << 16},
};

void bm_tce_walk(benchmark::State &state, const WalkCase &k)
{
    shim_walk *w = shim_walk_new(k.levels, k.window_pages);
    if (!w) {
        state.SkipWithError("shim_walk_new rejected the parameters");
        return;
    }
    std::vector<uint64_t> pages = page_stream(k.window_pages, 1);
    uint64_t sum = 0;
    size_t i = 0;
    for (auto _ : state) {
        sum += shim_walk_page(w, pages[i]);
        i = (i + 1) & (kStreamLen - 1);
    }
    benchmark::DoNotOptimize(sum);
    state.SetItemsProcessed(state.iterations());
    shim_walk_free(w);
}

// ---- whole PHB translation ----

struct PhbCase {
    const char *name;
    uint32_t entries;
    uint64_t window_bytes;
    uint64_t stream_pages;  // pages drawn from [0, stream_pages)
};

// A 1 MiB window (256 pages of 4 KiB) and a 64-entry LRU: the hit stream
// stays on 48 pages (hit rate 1 once warm), the miss stream covers the
// whole window (hit rate 64/256 = 0.25, the acceptance test's first point).
const PhbCase kPhbCases[] = {
    {"phb_translate/1M_fa64_lru/hit", 64, uint64_t{1} << 20, 48},
    {"phb_translate/1M_fa64_lru/miss", 64, uint64_t{1} << 20, 256},
};

// Arrivals 1 us apart: a miss (2 ns lookup + 100 ns mock read) is over
// before the next TLP, so nothing merges and no fetch slot is ever busy.
constexpr uint64_t kPhbStepPs = 1000000;

void bm_phb(benchmark::State &state, const PhbCase &k)
{
    shim_phb *p = shim_phb_new(k.entries, k.window_bytes);
    if (!p) {
        state.SkipWithError("shim_phb_new rejected the parameters");
        return;
    }
    run_lookups(
        state, page_stream(k.stream_pages, 1),
        [p](uint64_t page, uint64_t now) { return shim_phb_translate(p, page << 12, now); },
        kPhbStepPs);
    shim_phb_free(p);
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
    register_all(kWalkCases, bm_tce_walk);
    register_all(kPhbCases, bm_phb);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
