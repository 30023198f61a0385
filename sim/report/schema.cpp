// The report's rows, one table per section (schema.hpp). A new statistic is
// one row here: the JSON report, the text report's lookups, the field
// reference (docs/report-fields.md) and the sweep's paths follow from it.
#include "report/schema.hpp"

#include "report.hpp"
#include "report/report_json.hpp"
#include "version.hpp"

namespace tcesim {

namespace {

constexpr Agg SUM = Agg::SUM, MAX = Agg::MAX, MERGE = Agg::MERGE, NONE = Agg::NONE;
constexpr Fmt INT = Fmt::INT, REAL = Fmt::REAL, STR = Fmt::STR, BOOL = Fmt::BOOL, SUMMARY = Fmt::SUMMARY,
              HISTOGRAM = Fmt::HISTOGRAM, BREAKDOWN = Fmt::BREAKDOWN, LIST = Fmt::LIST, ARRAY = Fmt::ARRAY;

#define GET(T, ...) [](const RunResult &r, const T &x) -> Value { (void)r; (void)x; return (__VA_ARGS__); }
#define RUN(...) GET(RunResult, __VA_ARGS__)

double ratio(uint64_t a, uint64_t b) { return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0; }
double gbps(uint64_t bytes, uint64_t ps) { return ps ? static_cast<double>(bytes) * 8.0 * 1000.0 / static_cast<double>(ps) : 0.0; }
double ns(uint64_t ps) { return static_cast<double>(ps) / 1000.0; }
static json_t *string_array(const std::vector<std::string> &v)
{
    json_t *a = json_array();
    for (const std::string &s : v)
        json_array_append_new(a, json_string(s.c_str()));
    return a;
}

// Faults of a kind the PHB saw, less those of stale accesses (counted apart).
uint64_t fault_kind(const RunResult &r, int k) { return r.phb.faults_by_kind[k] - r.stale_faults_by_kind[k]; }
uint64_t stale_faults(const RunResult &r)
{
    uint64_t s = 0;
    for (int k = 1; k < TCE_FAULT_KINDS; k++)
        s += r.stale_faults_by_kind[k];
    return s;
}

template <class T> std::vector<Row<T>> cat(std::initializer_list<std::vector<Row<T>>> parts)
{
    std::vector<Row<T>> all;
    for (const auto &p : parts)
        all.insert(all.end(), p.begin(), p.end());
    return all;
}

// The loss fields of the run, a PE (its devices') and a device.
template <class T> std::vector<Row<T>> loss_rows(std::function<const DmaLoss &(const T &)> l)
{
    auto g = [l](uint64_t DmaLoss::*m) {
        return [l, m](const RunResult &, const T &x) -> Value { return l(x).*m; };
    };
    return {
        {"skipped", "", SUM, INT, 0, "accesses skipped because their map failed", g(&DmaLoss::skipped)},
        {"lost_bytes", "bytes", SUM, INT, 0, "lost.faulted_bytes + dropped_bytes + skipped_bytes",
         [l](const RunResult &, const T &x) -> Value { return l(x).total(); }},
        {"lost.faulted_bytes", "bytes", SUM, INT, 0, "payload of accesses with a faulted TLP", g(&DmaLoss::faulted_bytes)},
        {"lost.dropped_bytes", "bytes", SUM, INT, 0, "payload of accesses dropped by a frozen PE", g(&DmaLoss::dropped_bytes)},
        {"lost.skipped_bytes", "bytes", SUM, INT, 0, "payload of accesses skipped after a failed map", g(&DmaLoss::skipped_bytes)},
        {"stale_unfaulted", "", SUM, INT, 0, "stale accesses (after their unmap) that reached memory without a fault",
         g(&DmaLoss::stale_unfaulted)},
        {"stale_untracked", "", SUM, INT, 0, "stale accesses through a handle dropped more than sim.dead_handles drops before: its mapping is forgotten, the access not simulated (counted, warned); 0 unless the trace drops that many handles and then uses an old one",
         g(&DmaLoss::stale_untracked)},
    };
}

} // namespace

const Section<RunResult> &schema_run()
{
    static const Section<RunResult> s{"run", "the run as a whole", {
        {"trace", "", NONE, STR, 0, "the trace file or generator that drove the run", RUN(r.trace_name)},
        {"simulated_ns", "ns", MAX, REAL, 3, "time 0 to the end of the last operation (device access or host op)", RUN(ns(r.simulated_ps))},
        {"tlps", "", SUM, INT, 0, "request TLPs through the PHB", RUN(r.tlps)},
        {"events", "", SUM, INT, 0, "trace events read", RUN(r.events)},
        {"seed", "", NONE, INT, 0, "the run's seed", RUN(r.cfg.seed)},
        {"version", "", NONE, STR, 0, "the tcesim that wrote the report (not a result of the inputs)", RUN(version())},
        {"wall_s", "s", NONE, REAL, 6, "wall-clock time of the simulation (not a result of the inputs)", RUN(r.wall_s)},
        {"wall_tlps_per_s", "TLPs/s", NONE, REAL, 0, "simulated TLPs per wall-clock second (not a result of the inputs)",
         RUN(r.wall_s > 0 ? static_cast<double>(r.tlps) / r.wall_s : 0.0)},
        {"warmup_ns", "ns", NONE, REAL, 3, "sim.warmup_ns: statistics restart there (only with a warm-up)",
         RUN(r.warmup_ps ? Value(ns(r.warmup_ps)) : Value())},
        {"measured_ns", "ns", MAX, REAL, 3, "the warm-up's end to the end of the run: the span the statistics cover (only with a warm-up)",
         RUN(r.warmup_ps ? Value(ns(r.measured_ps)) : Value())},
    }};
    return s;
}

const Section<RunResult> &schema_warmup()
{
    static const Section<RunResult> s{"warmup", "what was lost before the statistics restarted (only with sim.warmup_ns)", {
        {"faults", "", SUM, INT, 0, "translation faults during the warm-up", RUN(r.warmup_faults)},
        {"dropped", "", SUM, INT, 0, "TLPs dropped by a frozen PE during the warm-up", RUN(r.warmup_dropped_tlps)},
        {"dma_faulted", "", SUM, INT, 0, "accesses with a faulted TLP during the warm-up", RUN(r.warmup.faulted)},
        {"dma_dropped", "", SUM, INT, 0, "accesses dropped by a frozen PE during the warm-up", RUN(r.warmup.dropped)},
        {"dma_skipped", "", SUM, INT, 0, "accesses skipped after a failed map during the warm-up", RUN(r.warmup.loss.skipped)},
        {"lost_bytes", "bytes", SUM, INT, 0, "payload lost during the warm-up (faulted + dropped + skipped)", RUN(r.warmup.loss.total())},
        {"run_lost_bytes", "bytes", SUM, INT, 0, "payload lost over the whole run: warmup.lost_bytes + dma.lost_bytes",
         RUN(r.warmup.loss.total() + r.loss.total())},
    }};
    return s;
}

const Section<RunResult> &schema_translation()
{
    static const Section<RunResult> s{"translation", "the PHB's translations, TCE cache, walks and kills", {
        {"lookups", "", SUM, INT, 0, "TLPs that needed translation (not bypass, not dropped)", RUN(r.phb.lookups)},
        {"hits", "", SUM, INT, 0, "lookups that hit the TCE cache", RUN(r.phb.hits)},
        {"misses", "", SUM, INT, 0, "lookups that missed (merged ones included)", RUN(r.phb.misses)},
        {"merged", "", SUM, INT, 0, "misses that joined a fetch already in flight", RUN(r.phb.merged)},
        {"hit_rate", "ratio", NONE, REAL, 6, "hits / lookups (0 with no lookups)", RUN(ratio(r.phb.hits, r.phb.lookups))},
        {"faults", "", SUM, INT, 0, "faulting TLPs (bypass TLPs included)", RUN(r.phb.faults)},
        {"faults_by_kind.invalid_tve", "", SUM, INT, 0, "faults on a disabled TVE or IO_PSIZE 0", RUN(fault_kind(r, TCE_FAULT_INVALID_TVE))},
        {"faults_by_kind.indirect", "", SUM, INT, 0, "faults on an upper-level entry with R and W clear", RUN(fault_kind(r, TCE_FAULT_INDIRECT))},
        {"faults_by_kind.permission", "", SUM, INT, 0, "reads without R, writes without W", RUN(fault_kind(r, TCE_FAULT_PERM))},
        {"faults_by_kind.window", "", SUM, INT, 0, "accesses beyond the TVE's window or bypass range", RUN(fault_kind(r, TCE_FAULT_WINDOW))},
        {"faults_by_kind.stale", "", SUM, INT, 0, "faults of accesses through a handle after its unmap (whatever the PHB saw)",
         RUN(stale_faults(r))},
        {"bypass", "", SUM, INT, 0, "TLPs through a bypass window (never lookups)", RUN(r.phb.bypass)},
        {"dropped", "", SUM, INT, 0, "TLPs dropped because their PE was frozen", RUN(r.phb.dropped)},
        {"latency_ns", "ns", MERGE, SUMMARY, 0, "PHB arrival to translated address, per translated TLP", RUN(r.xlate_lat.summary())},
        {"latency_histogram", "ns", MERGE, HISTOGRAM, 0, "the translation latencies' non-empty buckets", RUN(r.xlate_lat)},
        {"walks", "", SUM, INT, 0, "table walks (TCE fetches)", RUN(r.phb.walks)},
        {"walk_reads", "", SUM, INT, 0, "table reads the walks made from memory", RUN(r.phb.walk_reads)},
        {"walk_cache_hits", "", SUM, INT, 0, "walks that took an upper level from the walk cache (skipping the reads above it)", RUN(r.phb.walk_cache_hits)},
        {"walk_line_hits", "", SUM, INT, 0, "walk reads served by a recently fetched table line (no memory read)", RUN(r.phb.walk_line_hits)},
        {"line_fill_inserts", "", SUM, INT, 0, "valid neighbour TCEs of a fetched line put in the TCE cache (line fill)", RUN(r.phb.line_fill_inserts)},
        {"fetch_slot_waits", "", SUM, INT, 0, "fetches that found every fetch slot busy", RUN(r.phb.slot_waits)},
        {"fetch_slot_wait_ns", "ns", SUM, REAL, 3, "their total wait", RUN(ns(r.phb.slot_wait_ps))},
        {"read_slot_waits", "", SUM, INT, 0, "DMA reads that found every root-complex read entry in use", RUN(r.phb.read_slot_waits)},
        {"read_slot_wait_ns", "ns", SUM, REAL, 3, "their total wait", RUN(ns(r.phb.read_slot_wait_ps))},
        {"freezes", "", SUM, INT, 0, "PE freezes (EEH)", RUN(r.phb.freezes)},
        {"cache.inserts", "", SUM, INT, 0, "TCE cache inserts", RUN(r.cache.inserts)},
        {"cache.evictions", "", SUM, INT, 0, "TCE cache evictions", RUN(r.cache.evictions)},
        {"cache.invalidations", "", SUM, INT, 0, "TCE cache entries invalidated by kills", RUN(r.cache.invalidated)},
        {"cache.kill_requests", "", SUM, INT, 0, "kill requests the cache received (page, PE, all)",
         RUN(r.cache.inval_page + r.cache.inval_pe + r.cache.inval_all)},
        {"kills.page", "", SUM, INT, 0, "page kills the PHB acted on", RUN(r.phb.kills_page)},
        {"kills.pe", "", SUM, INT, 0, "PE kills the PHB acted on", RUN(r.phb.kills_pe)},
        {"kills.all", "", SUM, INT, 0, "kill-all requests the PHB acted on", RUN(r.phb.kills_all)},
        {"kills.queue_waits", "", SUM, INT, 0, "PHB4 kills that found every kill-queue slot busy", RUN(r.phb.kill_queue_waits)},
        {"kills.queue_wait_ns", "ns", SUM, REAL, 3, "their total wait", RUN(ns(r.phb.kill_queue_wait_ps))},
        {"kills.syncs", "", SUM, INT, 0, "DMA read syncs after kills", RUN(r.phb.kill_syncs)},
        {"kills.sync_ns", "ns", SUM, REAL, 3, "their total time", RUN(ns(r.phb.kill_sync_wait_ps))},
    }};
    return s;
}

const Section<RunResult> &schema_dma()
{
    static const Section<RunResult> s{"dma", "the devices' accesses, over every device", cat<RunResult>({
        {
            {"reads", "", SUM, INT, 0, "completed device reads", RUN(r.dma_reads)},
            {"writes", "", SUM, INT, 0, "completed device writes", RUN(r.dma_writes)},
            {"bytes", "bytes", SUM, INT, 0, "payload of the completed accesses", RUN(r.dma_bytes)},
            {"throughput_gbps", "Gb/s", NONE, REAL, 3, "bytes * 8 / the measured span (simulated_ns, or run.measured_ns with a warm-up)", RUN(gbps(r.dma_bytes, r.measured_ps))},
            {"active_ns", "ns", MAX, REAL, 3, "first access issued to last completed", RUN(ns(r.dma_active_ps))},
            {"active_throughput_gbps", "Gb/s", NONE, REAL, 3, "bytes * 8 / active_ns", RUN(gbps(r.dma_bytes, r.dma_active_ps))},
            {"faulted", "", SUM, INT, 0, "accesses with a faulted TLP (not in bytes)", RUN(r.dma_faulted)},
            {"dropped", "", SUM, INT, 0, "accesses dropped by a frozen PE (not in bytes)", RUN(r.dma_dropped)},
            {"late_starts", "", SUM, INT, 0, "accesses handed to their device more than 2 quanta + 4 us after their start (an actor more than sim.replay_window events behind held the replay back): they start when they arrive; 0 in a faithful replay",
             RUN(r.dma_late_starts)},
            {"late_start_max_ns", "ns", MAX, REAL, 3, "the latest of those, behind its time", RUN(ns(r.dma_late_max_ps))},
        },
        loss_rows<RunResult>([](const RunResult &r) -> const DmaLoss & { return r.loss; }),
        {
            {"latency_ns", "ns", MERGE, SUMMARY, 0, "device issue of the first TLP to completion, per completed access",
             RUN(r.dma_lat.summary())},
            {"breakdown", "ns", MERGE, BREAKDOWN, 0, "where that time went (device, link, translation, fetch_slot_wait, memory, completion)",
             RUN(r.breakdown)},
            {"latency_histogram", "ns", MERGE, HISTOGRAM, 0, "the access latencies' non-empty buckets", RUN(r.dma_lat)},
        {"hidden_by", "", NONE, ARRAY, 0, "what hid translation's cost: one sentence per link direction or memory channel busy 95% or more of its span (empty when none)",
         RUN(Value::of_json(string_array(bound_notes(r))))},
        },
    })};
    return s;
}

const Section<RunResult> &schema_allocator()
{
    static const Section<RunResult> s{"allocator", "the host's iommu_table allocator and the kills it issued", {
        {"maps", "", SUM, INT, 0, "map operations", RUN(r.alloc.maps)},
        {"unmaps", "", SUM, INT, 0, "unmap operations", RUN(r.alloc.unmaps)},
        {"failures", "", SUM, INT, 0, "allocations that returned a mapping error", RUN(r.alloc.failures)},
        {"bad_frees", "", SUM, INT, 0, "unmaps of something not mapped (the kernel's invalid entry warning)", RUN(r.alloc.bad_frees)},
        {"unmaps_skipped", "", SUM, INT, 0, "unmaps and frees of a mapping whose map failed", RUN(r.alloc.unmaps_skipped)},
        {"map_sg_unwinds", "", SUM, INT, 0, "map_sg calls that failed part way and freed their earlier segments", RUN(r.alloc.map_sg_unwinds)},
        {"pages_in_use_peak", "", MAX, INT, 0, "the most table entries allocated at once", RUN(r.alloc.pages_in_use_peak)},
        {"pages_in_use", "", SUM, INT, 0, "table entries still allocated at the end", RUN(r.alloc.pages_in_use)},
        {"lock", "", NONE, STR, 0, "the lock policy (iommu.lock)", RUN(r.alloc.lock_policy)},
        {"spinlock", "", NONE, STR, 0, "who wins a contended lock: fifo or unfair (host.spinlock, auto resolved by the era)", RUN(r.alloc.spinlock)},
        {"cache", "", NONE, STR, 0, "the allocation cache (iommu.cache)", RUN(r.alloc.cache_policy)},
        {"invalidate", "", NONE, STR, 0, "the invalidation policy (iommu.invalidate)", RUN(r.alloc.invalidate_policy)},
        {"pools", "", NONE, ARRAY, 0, "one per lock of each PE (allocator.pools[])", RUN(Value::of_json(section_array_pools(r)))},
        {"kills.page", "", SUM, INT, 0, "page kills the host issued", RUN(r.alloc.kills_page)},
        {"kills.pe", "", SUM, INT, 0, "PE kills the host issued", RUN(r.alloc.kills_pe)},
        {"kills.syncs", "", SUM, INT, 0, "PHB4 kill syncs the host issued (one after each kill sequence)", RUN(r.alloc.kill_syncs)},
        {"kills.opal_calls", "", SUM, INT, 0, "OPAL calls the host made for kills (PHB4)", RUN(r.alloc.opal_calls)},
        {"kills.escalated_pages", "", SUM, INT, 0, "pages whose page kills were replaced by one PE kill (host.kill_escalate_pe)", RUN(r.alloc.escalated)},
        {"magazines.hits", "", SUM, INT, 0, "allocations served by a CPU's magazine (iommu.cache=magazine only)",
         RUN(r.alloc.cache_policy == "magazine" ? Value(r.alloc.mag_hits) : Value())},
        {"magazines.misses", "", SUM, INT, 0, "allocations that went to the depot or pools (iommu.cache=magazine only)",
         RUN(r.alloc.cache_policy == "magazine" ? Value(r.alloc.mag_misses) : Value())},
    }};
    return s;
}

const Section<PoolResult> &schema_pools()
{
    // kind: small (one of a PE's small pools), large (the PE's large pool, its
    // id the PE's pool count), table (the one lock of iommu.lock=global), depot
    // (the magazines' shared depot, iommu.cache=magazine).
    static const Section<PoolResult> s{"allocator.pools[]", "one per lock of each PE", {
        {"pe", "", NONE, INT, 0, "the PE", GET(PoolResult, x.pe)},
        {"id", "", NONE, INT, 0, "the pool number; the large pool is the PE's pool count", GET(PoolResult, x.id)},
        {"kind", "", NONE, STR, 0, "small, large, table (iommu.lock=global) or depot (iommu.cache=magazine)", GET(PoolResult, x.kind)},
        {"acquisitions", "", SUM, INT, 0, "lock acquisitions", GET(PoolResult, x.acquisitions)},
        {"contended", "", SUM, INT, 0, "acquisitions that found the lock held", GET(PoolResult, x.contended)},
        {"wait_ns.mean", "ns", NONE, REAL, 3, "mean lock wait over every acquisition", GET(PoolResult, x.wait.mean_ns)},
        {"wait_ns.p99", "ns", NONE, REAL, 3, "99th percentile lock wait", GET(PoolResult, x.wait.p99_ns)},
        {"wait_ns.max", "ns", MAX, REAL, 3, "longest lock wait", GET(PoolResult, x.wait.max_ns)},
        {"hold_ns.mean", "ns", NONE, REAL, 3, "mean lock hold time", GET(PoolResult, x.hold_mean_ns)},
        {"hold_ns.p99", "ns", NONE, REAL, 3, "99th percentile lock hold time", GET(PoolResult, x.hold.p99_ns)},
        {"hold_ns.max", "ns", MAX, REAL, 3, "longest lock hold", GET(PoolResult, x.hold.max_ns)},
        {"allocs", "", SUM, INT, 0, "allocations made from this pool", GET(PoolResult, x.allocs)},
        {"fallbacks_in", "", SUM, INT, 0, "allocations that landed here from another home pool", GET(PoolResult, x.fallbacks_in)},
    }};
    return s;
}

const Section<CpuResult> &schema_cpus()
{
    static const Section<CpuResult> s{"cpus[]", "one per host CPU", {
        {"cpu", "", NONE, INT, 0, "the CPU", GET(CpuResult, x.cpu)},
        {"ops", "", SUM, INT, 0, "host ops run (map, map_sg, alloc, unmap, free)", GET(CpuResult, x.ops)},
        {"busy_ns", "ns", SUM, REAL, 3, "time the CPU spent in host ops", GET(CpuResult, x.busy_ns)},
        {"lock_wait_ns", "ns", SUM, REAL, 3, "of which waiting for pool locks", GET(CpuResult, x.lock_wait_ns)},
        {"kill_ns", "ns", SUM, REAL, 3, "of which issuing TCE kills and waiting for their syncs", GET(CpuResult, x.kill_ns)},
        {"ops_by_kind.map.count", "", SUM, INT, 0, "its dma_map_page/single calls", GET(CpuResult, x.op_lat[TR_MAP].count())},
        {"ops_by_kind.map.latency_ns", "ns", MERGE, SUMMARY, 0, "their latency (as host.ops.map.latency_ns)", GET(CpuResult, x.op_lat[TR_MAP].summary())},
        {"ops_by_kind.map_sg.count", "", SUM, INT, 0, "its dma_map_sg calls", GET(CpuResult, x.op_lat[TR_MAP_SG].count())},
        {"ops_by_kind.map_sg.latency_ns", "ns", MERGE, SUMMARY, 0, "their latency", GET(CpuResult, x.op_lat[TR_MAP_SG].summary())},
        {"ops_by_kind.unmap.count", "", SUM, INT, 0, "its unmaps (of map and map_sg handles)", GET(CpuResult, x.op_lat[TR_UNMAP].count())},
        {"ops_by_kind.unmap.latency_ns", "ns", MERGE, SUMMARY, 0, "their latency, the wait for the device excluded", GET(CpuResult, x.op_lat[TR_UNMAP].summary())},
        {"ops_by_kind.alloc.count", "", SUM, INT, 0, "its dma_alloc_coherent calls", GET(CpuResult, x.op_lat[TR_ALLOC].count())},
        {"ops_by_kind.alloc.latency_ns", "ns", MERGE, SUMMARY, 0, "their latency", GET(CpuResult, x.op_lat[TR_ALLOC].summary())},
        {"ops_by_kind.free.count", "", SUM, INT, 0, "its dma_free_coherent calls", GET(CpuResult, x.op_lat[TR_FREE].count())},
        {"ops_by_kind.free.latency_ns", "ns", MERGE, SUMMARY, 0, "their latency, the wait for the device excluded", GET(CpuResult, x.op_lat[TR_FREE].summary())},
    }};
    return s;
}

const Section<RunResult> &schema_host()
{
    // start = max(trace time, the CPU free, the map done, the device done
    // (host.unmap_wait)); latency = end - start.
    static const Section<RunResult> s{"host", "the host's DMA API calls per op kind, over every CPU", {
        {"ops.map.count", "", SUM, INT, 0, "dma_map_page/single calls", RUN(r.host_ops.lat[TR_MAP].count())},
        {"ops.map.latency_ns", "ns", MERGE, SUMMARY, 0, "end minus start, start = max(trace time, the CPU free)", RUN(r.host_ops.lat[TR_MAP].summary())},
        {"ops.map_sg.count", "", SUM, INT, 0, "dma_map_sg calls", RUN(r.host_ops.lat[TR_MAP_SG].count())},
        {"ops.map_sg.latency_ns", "ns", MERGE, SUMMARY, 0, "end minus start, as for map", RUN(r.host_ops.lat[TR_MAP_SG].summary())},
        {"ops.unmap.count", "", SUM, INT, 0, "unmaps of map and map_sg handles", RUN(r.host_ops.lat[TR_UNMAP].count())},
        {"ops.unmap.latency_ns", "ns", MERGE, SUMMARY, 0, "end minus start, start = max(trace time, the CPU free, its map done, its device done)",
         RUN(r.host_ops.lat[TR_UNMAP].summary())},
        {"ops.unmap.device_wait_ns", "ns", MERGE, SUMMARY, 0, "per unmap, the wait for the device ops before it on its handle (host.unmap_wait), not in latency_ns",
         RUN(r.host_ops.device_wait[TR_UNMAP].summary())},
        {"ops.alloc.count", "", SUM, INT, 0, "dma_alloc_coherent calls", RUN(r.host_ops.lat[TR_ALLOC].count())},
        {"ops.alloc.latency_ns", "ns", MERGE, SUMMARY, 0, "end minus start, as for map", RUN(r.host_ops.lat[TR_ALLOC].summary())},
        {"ops.free.count", "", SUM, INT, 0, "dma_free_coherent calls", RUN(r.host_ops.lat[TR_FREE].count())},
        {"ops.free.latency_ns", "ns", MERGE, SUMMARY, 0, "end minus start, as for unmap", RUN(r.host_ops.lat[TR_FREE].summary())},
        {"ops.free.device_wait_ns", "ns", MERGE, SUMMARY, 0, "per free, the wait for its device (as for unmap), not in latency_ns",
         RUN(r.host_ops.device_wait[TR_FREE].summary())},
        {"ops.map.queue_ns", "ns", MERGE, SUMMARY, 0, "per map, its start minus its trace time: the wait for its CPU (busy with, or blocked behind, earlier ops, e.g. an unmap waiting for its device) and its dependencies",
         RUN(r.host_ops.queue[TR_MAP].summary())},
        {"ops.map_sg.queue_ns", "ns", MERGE, SUMMARY, 0, "as for map", RUN(r.host_ops.queue[TR_MAP_SG].summary())},
        {"ops.unmap.queue_ns", "ns", MERGE, SUMMARY, 0, "as for map (device_wait_ns included)", RUN(r.host_ops.queue[TR_UNMAP].summary())},
        {"ops.alloc.queue_ns", "ns", MERGE, SUMMARY, 0, "as for map", RUN(r.host_ops.queue[TR_ALLOC].summary())},
        {"ops.free.queue_ns", "ns", MERGE, SUMMARY, 0, "as for unmap", RUN(r.host_ops.queue[TR_FREE].summary())},
        {"late_starts", "", SUM, INT, 0, "ops whose start had passed when the replay handed them to their CPU (the feeder waited on another actor's full queue, sim.replay_window): their lock waits include holds that began after them; 0 in a faithful replay",
         RUN(r.host_ops.late_starts)},
        {"late_start_max_ns", "ns", MAX, REAL, 3, "the latest of those starts, behind its time", RUN(ns(r.host_ops.late_max_ps))},
    }};
    return s;
}

const Section<RunResult> &schema_memory()
{
    static const Section<RunResult> s{"memory", "the memory target", {
        {"reads", "", SUM, INT, 0, "reads that reached memory", RUN(r.mem.reads)},
        {"writes", "", SUM, INT, 0, "writes that reached memory", RUN(r.mem.writes)},
        {"read_bytes", "bytes", SUM, INT, 0, "bytes read", RUN(r.mem.read_bytes)},
        {"write_bytes", "bytes", SUM, INT, 0, "bytes written", RUN(r.mem.write_bytes)},
        {"queue_ns", "ns", SUM, REAL, 3, "total time requests waited for the memory channel", RUN(ns(r.mem.queue_ps))},
        {"busy_share", "", NONE, REAL, 4, "share of run.measured_ns the memory channel carried transfers",
         RUN(busy_share(r.mem.busy_ps, r.measured_ps))},
    }};
    return s;
}

static std::vector<uint64_t> added_members(const RunResult &r, const PeResult &pe)
{
    std::vector<uint64_t> m;
    for (uint32_t d : pe.devices)
        if (device_by_id(r, d).add_result == "ok")
            m.push_back(d);
    return m;
}

const Section<PeResult> &schema_groups()
{
    static const Section<PeResult> s{"groups[]", "one iommu group per PE", {
        {"id", "", NONE, INT, 0, "the group's id", GET(PeResult, x.group_id)},
        {"name", "", NONE, STR, 0, "the group's name (domain0-pe1)", GET(PeResult, x.group_name)},
        {"pe", "", NONE, INT, 0, "its PE", GET(PeResult, x.pe)},
        {"devices", "", NONE, LIST, 0, "the devices added to it", GET(PeResult, added_members(r, x))},
    }};
    return s;
}

const Section<PeResult> &schema_pes()
{
    static const Section<PeResult> s{"pes[]", "one per PE: its geometry, its translations and its devices' accesses", cat<PeResult>({
        {
            {"pe", "", NONE, INT, 0, "the PE number", GET(PeResult, x.pe)},
            {"devices", "", NONE, LIST, 0, "its devices' ids", GET(PeResult, std::vector<uint64_t>(x.devices.begin(), x.devices.end()))},
            {"window_bytes", "bytes", NONE, INT, 0, "the TCE window's size", GET(PeResult, x.window_bytes)},
            {"page_size", "bytes", NONE, INT, 0, "the TCE page size", GET(PeResult, x.page_size)},
            {"levels", "", NONE, INT, 0, "TCE table levels", GET(PeResult, x.levels)},
            {"bypass", "", NONE, BOOL, 0, "a bypass window is set up", GET(PeResult, x.bypass)},
            {"bypass_tve0", "", NONE, BOOL, 0, "the bypass is on TVE 0", GET(PeResult, x.bypass_tve0)},
            {"reserved_entries", "", NONE, LIST, 0, "[start, end) of the table's reserved entries",
             GET(PeResult, std::vector<uint64_t>{x.reserved_start, x.reserved_end})},
            {"pools", "", NONE, INT, 0, "the PE's small pools", GET(PeResult, x.nr_pools)},
            {"group", "", NONE, STR, 0, "its iommu group's name", GET(PeResult, x.group_name)},
            {"lookups", "", SUM, INT, 0, "translation lookups", GET(PeResult, x.st.lookups)},
            {"hits", "", SUM, INT, 0, "TCE cache hits", GET(PeResult, x.st.hits)},
            {"misses", "", SUM, INT, 0, "TCE cache misses", GET(PeResult, x.st.misses)},
            {"merged", "", SUM, INT, 0, "misses merged into a fetch in flight", GET(PeResult, x.st.merged)},
            {"hit_rate", "ratio", NONE, REAL, 6, "hits / lookups", GET(PeResult, ratio(x.st.hits, x.st.lookups))},
            {"bypass_tlps", "", SUM, INT, 0, "TLPs through the bypass window", GET(PeResult, x.st.bypass)},
            {"faults", "", SUM, INT, 0, "faulting TLPs", GET(PeResult, x.st.faults)},
            {"dropped", "", SUM, INT, 0, "TLPs dropped while frozen", GET(PeResult, x.st.dropped)},
            {"freezes", "", SUM, INT, 0, "freezes (EEH)", GET(PeResult, x.st.freezes)},
            {"frozen_at_end", "", NONE, BOOL, 0, "the PE was frozen when the run ended", GET(PeResult, x.frozen_at_end)},
        },
        loss_rows<PeResult>([](const PeResult &x) -> const DmaLoss & { return x.loss; }),
        {
            {"dma_latency_ns", "ns", MERGE, SUMMARY, 0, "its devices' access latency", GET(PeResult, x.dma_lat.summary())},
            {"translation_latency_ns", "ns", MERGE, SUMMARY, 0, "its devices' translated TLPs: PHB arrival to translated address (as translation.latency_ns)",
             GET(PeResult, x.xlate_lat.summary())},
            {"dma_breakdown", "ns", MERGE, BREAKDOWN, 0, "where that time went", GET(PeResult, x.breakdown)},
        },
    })};
    return s;
}

const Section<DeviceResult> &schema_devices()
{
    static const Section<DeviceResult> s{"devices[]", "one per device", cat<DeviceResult>({
        {
            {"id", "", NONE, INT, 0, "the device id", GET(DeviceResult, x.id)},
            {"rid", "", NONE, STR, 0, "its requester id (bus:dev.fn)", GET(DeviceResult, x.rid)},
            {"pe", "", NONE, INT, 0, "its PE", GET(DeviceResult, x.pe)},
            {"dma_mask_bits", "", NONE, INT, 0, "its DMA mask", GET(DeviceResult, x.dma_mask_bits)},
            {"bypass", "", NONE, BOOL, 0, "the kernel's rule put it on a bypass window", GET(DeviceResult, x.bypass)},
            {"dma_path", "", NONE, STR, 0, "tce, bypass or bypass_tve0", GET(DeviceResult, x.dma_path)},
            {"group", "", NONE, STR, 0, "its iommu group's name, null when not added",
             GET(DeviceResult, x.group.empty() ? Value::null() : Value(x.group))},
            {"group_add", "", NONE, STR, 0, "ok, -EBUSY, -EINVAL or skipped", GET(DeviceResult, x.add_result)},
            {"group_add_reason", "", NONE, STR, 0, "why it was not added (only then)",
             GET(DeviceResult, x.add_why.empty() ? Value() : Value(x.add_why))},
            {"reads", "", SUM, INT, 0, "completed reads", GET(DeviceResult, x.reads)},
            {"writes", "", SUM, INT, 0, "completed writes", GET(DeviceResult, x.writes)},
            {"bytes", "bytes", SUM, INT, 0, "their payload", GET(DeviceResult, x.bytes)},
            {"faulted", "", SUM, INT, 0, "accesses with a faulted TLP", GET(DeviceResult, x.faulted)},
            {"dropped", "", SUM, INT, 0, "accesses dropped by a frozen PE", GET(DeviceResult, x.dropped)},
        },
        loss_rows<DeviceResult>([](const DeviceResult &x) -> const DmaLoss & { return x.loss; }),
        {
            {"read_tlps", "", SUM, INT, 0, "read request TLPs sent", GET(DeviceResult, x.ep.read_tlps)},
            {"write_tlps", "", SUM, INT, 0, "write request TLPs sent", GET(DeviceResult, x.ep.write_tlps)},
            {"completion_tlps", "", SUM, INT, 0, "completion TLPs received", GET(DeviceResult, x.ep.cpl_tlps)},
            {"up_bytes", "bytes", SUM, INT, 0, "bytes on the link upstream, TLP headers included", GET(DeviceResult, x.ep.up_bytes)},
            {"down_bytes", "bytes", SUM, INT, 0, "bytes on the link downstream, completion headers included", GET(DeviceResult, x.ep.down_bytes)},
            {"tag_waits", "", SUM, INT, 0, "requests that found every tag in use", GET(DeviceResult, x.ep.tag_waits)},
            {"active_ns", "ns", MAX, REAL, 3, "its first access issued to its last completed", GET(DeviceResult, ns(x.active_ps))},
            {"link.up_busy_share", "", NONE, REAL, 4, "share of active_ns the upstream direction carried TLPs (requests and write data)",
             GET(DeviceResult, busy_share(x.ep.up_busy_ps, x.active_ps))},
            {"link.down_busy_share", "", NONE, REAL, 4, "share of active_ns the downstream direction carried TLPs (read completions)",
             GET(DeviceResult, busy_share(x.ep.down_busy_ps, x.active_ps))},
            {"latency_ns", "ns", MERGE, SUMMARY, 0, "access latency", GET(DeviceResult, x.dma_lat.summary())},
            {"translation.latency_ns", "ns", MERGE, SUMMARY, 0, "its translated TLPs: PHB arrival to translated address (as translation.latency_ns)",
             GET(DeviceResult, x.xlate_lat.summary())},
            {"breakdown", "ns", MERGE, BREAKDOWN, 0, "where that time went", GET(DeviceResult, x.breakdown)},
        },
    })};
    return s;
}

const Section<RunResult> &schema_epochs()
{
    static const Section<RunResult> s{"epochs", "with --epoch: the run in fixed windows of simulated time", {
        {"ns", "ns", NONE, INT, 0, "the epoch length", RUN(r.epoch_ns)},
        {"series", "", NONE, ARRAY, 0, "one point per epoch (epochs.series[])", RUN(Value::of_json(section_array_epochs(r)))},
    }};
    return s;
}

#define EP(...) GET(EpochPoint, __VA_ARGS__)
const Section<EpochPoint> &schema_epoch_series()
{
    static const Section<EpochPoint> s{"epochs.series[]", "one per epoch", {
        {"t_ns", "ns", NONE, INT, 0, "the epoch's end", EP((x.index + 1) * r.epoch_ns)},
        {"tlps", "", SUM, INT, 0, "request TLPs in the epoch", EP(x.e.tlps)},
        {"lookups", "", SUM, INT, 0, "translation lookups", EP(x.e.lookups)},
        {"hits", "", SUM, INT, 0, "TCE cache hits", EP(x.e.hits)},
        {"hit_rate", "ratio", NONE, REAL, 6, "hits / lookups", EP(ratio(x.e.hits, x.e.lookups))},
        {"faults", "", SUM, INT, 0, "faulting TLPs", EP(x.e.faults)},
        {"dma_accesses", "", SUM, INT, 0, "device accesses completed", EP(x.e.dma_accesses)},
        {"dma_bytes", "bytes", SUM, INT, 0, "their payload", EP(x.e.dma_bytes)},
        {"throughput_gbps", "Gb/s", NONE, REAL, 3, "dma_bytes * 8 / the epoch length",
         EP(static_cast<double>(x.e.dma_bytes) * 8.0 / static_cast<double>(r.epoch_ns))},
        {"lock_acquisitions", "", SUM, INT, 0, "pool-lock acquisitions", EP(x.e.lock_acquisitions)},
        {"lock_contended", "", SUM, INT, 0, "of which contended", EP(x.e.lock_contended)},
        {"lock_wait_ns", "ns", SUM, REAL, 3, "pool-lock wait", EP(ns(x.e.lock_wait_ps))},
    }};
    return s;
}

} // namespace tcesim
