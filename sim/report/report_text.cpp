// report_text: the readable report. Its layout is laid out here by hand, but
// every value it prints is read through a schema row by name (stat()), so a
// statistic the schema does not declare cannot be printed.
#include "report.hpp"
#include "report/schema.hpp"

#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <string>

namespace tcesim {

namespace {

void appendf(std::string &o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void appendf(std::string &o, const char *fmt, ...)
{
    char b[512];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    o += b;
}

// A run-level value by path: a count, a real, a string.
uint64_t U(const RunResult &r, const char *p) { return stat(r, p).u; }
double num(const Value &v) { return v.kind == Value::REAL ? v.d : v.kind == Value::INT ? static_cast<double>(v.i) : static_cast<double>(v.u); }
double D(const RunResult &r, const char *p) { return num(stat(r, p)); }
std::string S(const RunResult &r, const char *p) { return stat(r, p).s; }
template <class T> uint64_t U(const RunResult &r, const T &x, const char *p) { return stat(r, x, p).u; }
template <class T> double D(const RunResult &r, const T &x, const char *p) { return num(stat(r, x, p)); }
template <class T> std::string S(const RunResult &r, const T &x, const char *p) { return stat(r, x, p).s; }

void summary_line(std::string &o, const Summary &s)
{
    appendf(o, "  latency ns       mean %.1f  p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f\n", s.mean_ns, s.p50_ns, s.p90_ns,
            s.p99_ns, s.p999_ns, s.max_ns);
}

void translation_text(std::string &o, const RunResult &r)
{
    appendf(o, "\ntranslation\n");
    appendf(o, "  lookups          %12" PRIu64 "   hits %" PRIu64 "  misses %" PRIu64 " (merged %" PRIu64 ")\n", U(r, "translation.lookups"),
            U(r, "translation.hits"), U(r, "translation.misses"), U(r, "translation.merged"));
    appendf(o, "  hit rate         %12.4f\n", D(r, "translation.hit_rate"));
    appendf(o, "  bypass TLPs      %12" PRIu64 "\n", U(r, "translation.bypass"));
    appendf(o, "  faults           %12" PRIu64, U(r, "translation.faults"));
    for (const char *k : {"invalid_tve", "indirect", "permission", "window"}) {
        uint64_t n = U(r, ("translation.faults_by_kind." + std::string(k)).c_str());
        if (n)
            appendf(o, "   %s %" PRIu64, k, n);
    }
    if (uint64_t stale = U(r, "translation.faults_by_kind.stale"))
        appendf(o, "   stale %" PRIu64, stale);
    appendf(o, "\n  dropped (frozen) %12" PRIu64 "\n", U(r, "translation.dropped"));
    appendf(o, "  walks            %12" PRIu64 "   table reads %" PRIu64 ", fetch-slot waits %" PRIu64 "\n", U(r, "translation.walks"),
            U(r, "translation.walk_reads"), U(r, "translation.fetch_slot_waits"));
    summary_line(o, stat(r, "translation.latency_ns").sum);
}

void dma_text(std::string &o, const RunResult &r)
{
    appendf(o, "\ndma\n");
    appendf(o, "  reads %" PRIu64 "  writes %" PRIu64 "  bytes %" PRIu64 "  faulted %" PRIu64 "  dropped %" PRIu64 "  skipped %" PRIu64 "\n",
            U(r, "dma.reads"), U(r, "dma.writes"), U(r, "dma.bytes"), U(r, "dma.faulted"), U(r, "dma.dropped"), U(r, "dma.skipped"));
    if (U(r, "dma.lost_bytes") || U(r, "dma.stale_unfaulted") || U(r, "dma.stale_untracked"))
        appendf(o,
                "  lost bytes       %12" PRIu64 "   faulted %" PRIu64 "  dropped %" PRIu64 "  skipped %" PRIu64
                "; stale but unfaulted accesses %" PRIu64 "; stale untracked (not simulated) %" PRIu64 "\n",
                U(r, "dma.lost_bytes"), U(r, "dma.lost.faulted_bytes"), U(r, "dma.lost.dropped_bytes"), U(r, "dma.lost.skipped_bytes"),
                U(r, "dma.stale_unfaulted"), U(r, "dma.stale_untracked"));
    appendf(o, "  throughput       %12.2f Gb/s   (%.2f Gb/s while devices were active)\n", D(r, "dma.throughput_gbps"),
            D(r, "dma.active_throughput_gbps"));
    summary_line(o, stat(r, "dma.latency_ns").sum);
    appendf(o, "  breakdown ns     %-16s %9s %9s %9s\n", "", "mean", "p50", "p99");
    const Breakdown &bd = *stat(r, "dma.breakdown").bd;
    for (int i = 0; i < Breakdown::N; i++) {
        Summary b = bd.part[i].summary();
        appendf(o, "                   %-16s %9.1f %9.1f %9.1f\n", Breakdown::name(i), b.mean_ns, b.p50_ns, b.p99_ns);
    }
}

void pools_text(std::string &o, const RunResult &r)
{
    bool any_lock = false;
    for (const PoolResult &pl : r.alloc.pools)
        any_lock |= U(r, pl, "allocator.pools[].acquisitions") > 0;
    if (!any_lock)
        return;
    appendf(o, "  %-4s %-6s %-6s %10s %10s %9s %10s %10s %10s %9s %9s %10s %10s\n", "pe", "pool", "kind", "acquired", "contended", "allocs",
            "wait mean", "wait p99", "wait max", "hold", "fallback", "hold p99", "hold max");
    for (const PoolResult &pl : r.alloc.pools)
        if (U(r, pl, "allocator.pools[].acquisitions"))
            appendf(o, "  %-4u %-6d %-6s %10" PRIu64 " %10" PRIu64 " %9" PRIu64 " %8.1fns %8.1fns %8.1fns %7.1fns %9" PRIu64 " %8.1fns %8.1fns\n",
                    static_cast<unsigned>(U(r, pl, "allocator.pools[].pe")), static_cast<int>(stat(r, pl, "allocator.pools[].id").i),
                    S(r, pl, "allocator.pools[].kind").c_str(), U(r, pl, "allocator.pools[].acquisitions"),
                    U(r, pl, "allocator.pools[].contended"), U(r, pl, "allocator.pools[].allocs"), D(r, pl, "allocator.pools[].wait_ns.mean"),
                    D(r, pl, "allocator.pools[].wait_ns.p99"), D(r, pl, "allocator.pools[].wait_ns.max"),
                    D(r, pl, "allocator.pools[].hold_ns.mean"), U(r, pl, "allocator.pools[].fallbacks_in"),
                    D(r, pl, "allocator.pools[].hold_ns.p99"), D(r, pl, "allocator.pools[].hold_ns.max"));
}

void allocator_text(std::string &o, const RunResult &r)
{
    appendf(o, "\nallocator (iommu_table: lock %s (%s spinlocks), cache %s, invalidate %s)\n", S(r, "allocator.lock").c_str(),
            S(r, "allocator.spinlock").c_str(), S(r, "allocator.cache").c_str(), S(r, "allocator.invalidate").c_str());
    appendf(o, "  maps %" PRIu64 "  unmaps %" PRIu64 "  failures %" PRIu64 "  bad frees %" PRIu64 "  peak pages %" PRIu64 "\n",
            U(r, "allocator.maps"), U(r, "allocator.unmaps"), U(r, "allocator.failures"), U(r, "allocator.bad_frees"),
            U(r, "allocator.pages_in_use_peak"));
    if (uint64_t n = U(r, "allocator.unmaps_skipped"))
        appendf(o, "  unmaps skipped   %12" PRIu64 "   (their map failed here: nothing to unmap)\n", n);
    if (uint64_t n = U(r, "allocator.map_sg_unwinds"))
        appendf(o, "  map_sg unwinds %" PRIu64 " (failed part way: earlier segments cleared and freed again)\n", n);
    appendf(o, "  kills: page %" PRIu64 "  pe %" PRIu64 "  syncs %" PRIu64, U(r, "allocator.kills.page"), U(r, "allocator.kills.pe"),
            U(r, "allocator.kills.syncs"));
    if (U(r, "translation.kills.queue_waits") || U(r, "translation.kills.syncs"))
        appendf(o, "   PHB kill queue: %" PRIu64 " waits, %.1f us waiting; syncs %.1f us", U(r, "translation.kills.queue_waits"),
                D(r, "translation.kills.queue_wait_ns") / 1000, D(r, "translation.kills.sync_ns") / 1000);
    appendf(o, "\n");
    pools_text(o, r);
}

const char *const kOpKinds[] = {"map", "map_sg", "unmap", "alloc", "free"};

// One line per op kind that ran: count and latency, read through `get`
// (a schema path below "host.ops." or "cpus[].ops_by_kind."); with_wait adds
// the unmaps' and frees' wait for their device, which is not in the latency.
template <class Get> void op_lines(std::string &o, Get get, const char *indent, bool with_wait)
{
    for (const char *k : kOpKinds) {
        std::string p = k;
        uint64_t n = get(p + ".count").u;
        if (!n)
            continue;
        Summary s = get(p + ".latency_ns").sum;
        appendf(o, "%s%-7s %8" PRIu64 "  latency ns mean %.1f  p50 %.1f  p99 %.1f  max %.1f\n", indent, k, n, s.mean_ns, s.p50_ns,
                s.p99_ns, s.max_ns);
        if (with_wait && (p == "unmap" || p == "free")) {
            Summary w = get(p + ".device_wait_ns").sum;
            if (w.max_ns > 0)
                appendf(o, "%s%-7s %8s  device wait ns mean %.1f  p50 %.1f  p99 %.1f  max %.1f (not in latency)\n", indent, "", "",
                        w.mean_ns, w.p50_ns, w.p99_ns, w.max_ns);
        }
    }
}

void host_ops_text(std::string &o, const RunResult &r)
{
    auto get = [&r](const std::string &p) { return stat(r, ("host.ops." + p).c_str()); };
    bool any = false;
    for (const char *k : kOpKinds)
        any |= get(std::string(k) + ".count").u > 0;
    if (!any)
        return;
    appendf(o, "\nhost ops (latency: end - start, start = max(trace time, CPU free, map done, device done))\n");
    op_lines(o, get, "  ", true);
}

void cpus_text(std::string &o, const RunResult &r)
{
    bool any_cpu = false;
    for (const CpuResult &c : r.cpus)
        any_cpu |= U(r, c, "cpus[].ops") > 0;
    if (!any_cpu)
        return;
    appendf(o, "\nhost CPUs\n");
    for (const CpuResult &c : r.cpus)
        if (uint64_t ops = U(r, c, "cpus[].ops"))
            appendf(o, "  cpu%-3u ops %8" PRIu64 "  busy %10.1f us  lock wait %10.1f us  kills %10.1f us\n",
                    static_cast<unsigned>(U(r, c, "cpus[].cpu")), ops, D(r, c, "cpus[].busy_ns") / 1000, D(r, c, "cpus[].lock_wait_ns") / 1000,
                    D(r, c, "cpus[].kill_ns") / 1000);
    for (const CpuResult &c : r.cpus)
        if (U(r, c, "cpus[].ops")) {
            appendf(o, "  cpu%-3u ops by kind\n", static_cast<unsigned>(U(r, c, "cpus[].cpu")));
            op_lines(o, [&r, &c](const std::string &p) { return stat(r, c, ("cpus[].ops_by_kind." + p).c_str()); }, "    ", false);
        }
}

void pes_text(std::string &o, const RunResult &r)
{
    appendf(o, "\nPEs\n");
    for (const PeResult &pe : r.pes)
        appendf(o,
                "  pe %-4u window %" PRIu64 " MiB, %" PRIu64 " KiB pages, %u level(s), bypass %s: lookups %" PRIu64 " hits %" PRIu64
                " faults %" PRIu64 " dropped %" PRIu64 "%s\n",
                static_cast<unsigned>(U(r, pe, "pes[].pe")), U(r, pe, "pes[].window_bytes") >> 20, U(r, pe, "pes[].page_size") >> 10,
                static_cast<unsigned>(U(r, pe, "pes[].levels")), stat(r, pe, "pes[].bypass").b ? "on" : "off", U(r, pe, "pes[].lookups"),
                U(r, pe, "pes[].hits"), U(r, pe, "pes[].faults"), U(r, pe, "pes[].dropped"),
                stat(r, pe, "pes[].frozen_at_end").b ? "  FROZEN" : "");
    appendf(o, "\niommu groups\n");
    for (const PeResult &pe : r.pes) {
        appendf(o, "  %-16s (id %d) pe %u:", S(r, pe, "groups[].name").c_str(), static_cast<int>(stat(r, pe, "groups[].id").i),
                static_cast<unsigned>(U(r, pe, "groups[].pe")));
        for (uint64_t dv_id : stat(r, pe, "pes[].devices").list) {
            const DeviceResult &dv = device_by_id(r, static_cast<uint32_t>(dv_id));
            std::string add = S(r, dv, "devices[].group_add");
            appendf(o, " dev%u%s", static_cast<unsigned>(dv_id),
                    add == "ok" ? "" : (" [not added: " + add + ": " + S(r, dv, "devices[].group_add_reason") + "]").c_str());
        }
        appendf(o, "\n");
    }
}

// A device's mean access latency, the breakdown's mean translation part and
// its share of the latency, in percent.
double translation_share(const DeviceResult &dv, double &lat, double &tr)
{
    lat = dv.dma_lat.summary().mean_ns;
    tr = dv.breakdown.part[Breakdown::TRANSLATION].summary().mean_ns;
    return lat > 0 ? 100.0 * tr / lat : 0.0;
}

void devices_text(std::string &o, const RunResult &r)
{
    appendf(o, "\ndevices\n");
    for (const DeviceResult &dv : r.devices)
        appendf(o, "  dev%-3u %s pe %-3u mask %2u %-11s: reads %" PRIu64 " writes %" PRIu64 " TLPs %" PRIu64 " tag waits %" PRIu64 "\n",
                static_cast<unsigned>(U(r, dv, "devices[].id")), S(r, dv, "devices[].rid").c_str(),
                static_cast<unsigned>(U(r, dv, "devices[].pe")), static_cast<unsigned>(U(r, dv, "devices[].dma_mask_bits")),
                S(r, dv, "devices[].dma_path").c_str(), U(r, dv, "devices[].reads"), U(r, dv, "devices[].writes"),
                U(r, dv, "devices[].read_tlps") + U(r, dv, "devices[].write_tlps"), U(r, dv, "devices[].tag_waits"));
    // what translation costs each device: its share of the access latency
    // (the breakdown's translation part over the latency, both means)
    appendf(o, "  translation per device: per access (mean, its share of the access latency's mean), and per translated TLP\n");
    for (const DeviceResult &dv : r.devices) {
        if (!dv.dma_lat.count())
            continue;
        double lat, tr, share = translation_share(dv, lat, tr);
        auto t = dv.xlate_lat.summary();
        if (dv.xlate_lat.count())
            appendf(o, "  dev%-3u %-11s access %10.1f ns, translation %8.1f ns (%5.1f%%); per TLP mean %.1f p99 %.1f ns\n", dv.id,
                    dv.dma_path.c_str(), lat, tr, share, t.mean_ns, t.p99_ns);
        else
            appendf(o, "  dev%-3u %-11s access %10.1f ns, translation %8.1f ns (%5.1f%%); no translated TLP\n", dv.id,
                    dv.dma_path.c_str(), lat, tr, share);
    }
}

} // namespace

std::string report_text(const RunResult &r)
{
    std::string o;
    appendf(o, "tcesim report: %s, %s PHB, %s kernel, seed %" PRIu64 "\n", S(r, "run.trace").c_str(),
            config_enum_name("phb.model", r.cfg.phb.model), config_enum_name("host.kernel", r.cfg.host.kernel), U(r, "run.seed"));
    for (const std::string &w : {loss_warning(r), stale_warning(r), untracked_warning(r), late_warning(r)})
        if (!w.empty())
            o += "  " + w + "\n";
    for (const std::string &n : bound_notes(r))
        o += "  note: " + n + "\n";
    // at a glance: what translation costs each active device
    std::string glance;
    for (const DeviceResult &dv : r.devices) {
        if (!dv.dma_lat.count())
            continue;
        char b[160];
        double lat, tr, share = translation_share(dv, lat, tr);
        if (dv.dma_path != "tce")
            std::snprintf(b, sizeof b, "%sdev%u bypasses the TCEs", glance.empty() ? "" : "; ", dv.id);
        else
            std::snprintf(b, sizeof b, "%sdev%u %.1f%% (%.1f of %.1f ns)", glance.empty() ? "" : "; ", dv.id, share, tr, lat);
        glance += b;
    }
    if (!glance.empty())
        o += "  translation's share of DMA latency: " + glance + "\n";
    translation_text(o, r);
    dma_text(o, r);
    allocator_text(o, r);
    host_ops_text(o, r);
    cpus_text(o, r);
    pes_text(o, r);
    devices_text(o, r);
    appendf(o, "\nrun\n");
    appendf(o, "  simulated        %12.3f us\n", D(r, "run.simulated_ns") / 1000);
    if (r.warmup_ps)
        appendf(o, "  measured         %12.3f us   (statistics from the warm-up's end, %.3f us; lost in the warm-up: "
                   "%" PRIu64 " faults, %" PRIu64 " dropped TLPs, %" PRIu64 " bytes)\n",
                D(r, "run.measured_ns") / 1000, D(r, "run.warmup_ns") / 1000, U(r, "warmup.faults"),
                U(r, "warmup.dropped"), U(r, "warmup.lost_bytes"));
    appendf(o, "  events %" PRIu64 "  TLPs %" PRIu64 "\n", U(r, "run.events"), U(r, "run.tlps"));
    appendf(o, "  wall             %12.3f s   (%.2f M simulated TLPs per wall second)\n", D(r, "run.wall_s"),
            D(r, "run.wall_tlps_per_s") / 1e6);
    return o;
}

} // namespace tcesim
