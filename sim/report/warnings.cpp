// The run's warnings (the text report's headline, run's stderr): DMA lost
// and stale accesses that reached memory, with where the first came from.
#include "report.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

extern "C" {
#include "tce/tce_table.h"
#include "traces/trace.h"
}

namespace tcesim {

// Where in the trace: text traces count lines, binary traces records
// (traces/FORMAT.md), generators neither (the device then).
static std::string origin_where(const RunResult &r, const LossOrigin &o)
{
    char b[96];
    if (o.has_handle)
        std::snprintf(b, sizeof b, "h=%" PRIu64, o.handle);
    else
        std::snprintf(b, sizeof b, "addr=0x%" PRIx64, o.addr);
    std::string w = b;
    if (o.line)
        w += (tr_format_of(r.trace_name.c_str()) == TR_FORMAT_BINARY ? ", record " : ", line ") + std::to_string(o.line);
    else
        w += ", dev" + std::to_string(o.dev);
    return w;
}

std::string loss_warning(const RunResult &r)
{
    // the warm-up's losses too (sim.warmup_ns; 0 without one)
    uint64_t lost = r.loss.total() + r.warmup.loss.total(), skipped = r.loss.skipped + r.warmup.loss.skipped;
    if (!lost && !skipped)
        return "";
    // Never "100%" while some bytes moved, never "0%" while some were lost.
    uint64_t moved = r.dma_bytes + r.warmup.bytes;
    double share = 100.0 * static_cast<double>(lost) / static_cast<double>(lost + moved);
    char pct[32];
    if (!moved)
        std::snprintf(pct, sizeof pct, "100%%");
    else if (share > 99.9)
        std::snprintf(pct, sizeof pct, ">99.9%%");
    else if (share >= 10)
        std::snprintf(pct, sizeof pct, "%.1f%%", share);
    else if (share >= 0.001)
        std::snprintf(pct, sizeof pct, "%.3g%%", share);
    else
        std::snprintf(pct, sizeof pct, "<0.001%%");
    char b[160];
    std::snprintf(b, sizeof b, "warning: %s of DMA bytes lost", pct);
    std::string w = b;
    if (r.warmup.loss.total()) {
        std::snprintf(b, sizeof b, " (%" PRIu64 " bytes in the warm-up)", r.warmup.loss.total());
        w += b;
    }
    if (r.first_fault.any) {
        const LossOrigin &f = r.first_fault;
        const char *what = f.stale ? "stale" : tce_fault_name(static_cast<tce_fault>(f.fault));
        std::snprintf(b, sizeof b, ": PE %u froze at %.1f us after a %s %s (", f.pe, static_cast<double>(f.t_ps) / 1e6, what,
                      f.write ? "write" : "read");
        w += b + origin_where(r, f) + ")";
    }
    if (skipped) {
        std::snprintf(b, sizeof b, "%s%" PRIu64 " access%s skipped after a failed map (first: ", r.first_fault.any ? "; " : ": ",
                      skipped, skipped == 1 ? "" : "es");
        w += b + origin_where(r, r.first_skip) + ")";
    }
    return w;
}

std::string stale_warning(const RunResult &r)
{
    if (!r.loss.stale_unfaulted)
        return "";
    char b[160];
    std::snprintf(b, sizeof b, "warning: %" PRIu64 " stale access%s reached memory without a fault (DMA after its unmap; first: ",
                  r.loss.stale_unfaulted, r.loss.stale_unfaulted == 1 ? "" : "es");
    return b + origin_where(r, r.first_stale_ok) + ")";
}

std::string untracked_warning(const RunResult &r)
{
    uint64_t n = r.loss.stale_untracked;
    if (!n)
        return "";
    char b[400];
    std::snprintf(b, sizeof b,
                  "warning: %" PRIu64 " stale access%s not simulated: through handles dropped more than sim.dead_handles=%" PRIu64
                  " drops before, whose mappings are forgotten (dma.stale_untracked; raise sim.dead_handles to simulate them)",
                  n, n == 1 ? "" : "es", r.cfg.dead_handles);
    return b;
}

std::string late_warning(const RunResult &r)
{
    uint64_t h = r.host_ops.late_starts, d = r.dma_late_starts;
    if (!h && !d)
        return "";
    std::string who;
    char b[400];
    if (h) {
        std::snprintf(b, sizeof b, "%" PRIu64 " host op%s", h, h == 1 ? "" : "s");
        who = b;
    }
    if (d) {
        std::snprintf(b, sizeof b, "%s%" PRIu64 " device access%s", h ? " and " : "", d, d == 1 ? "" : "es");
        who += b;
    }
    double us = static_cast<double>(std::max(r.host_ops.late_max_ps, r.dma_late_max_ps)) / 1e6;
    std::snprintf(b, sizeof b,
                  "warning: %s started up to %.1f us after their time: an actor fell more than sim.replay_window=%" PRIu64
                  " events behind and the replay held the others back, so the run is not the trace's timing (lock waits, "
                  "DMA and host op latencies from then on; raise sim.replay_window)",
                  who.c_str(), us, r.cfg.replay_window);
    return b;
}

double busy_share(uint64_t busy_ps, uint64_t span_ps)
{
    return span_ps ? static_cast<double>(busy_ps) / static_cast<double>(span_ps) : 0.0;
}

// A resource this busy set the pace: translation then costs nothing a
// faster PHB would buy back. 95%: the threshold of issue 12.
static constexpr double kBoundShare = 0.95;

std::vector<std::string> bound_notes(const RunResult &r)
{
    std::vector<std::string> v;
    char b[200];
    for (const DeviceResult &d : r.devices) {
        // read data flows downstream (completions), write data upstream
        const struct { const char *dir; uint64_t busy; } dirs[] = {{"downstream", d.ep.down_busy_ps}, {"upstream", d.ep.up_busy_ps}};
        for (const auto &x : dirs) {
            double s = busy_share(x.busy, d.active_ps);
            if (s >= kBoundShare) {
                std::snprintf(b, sizeof b, "%s link of dev%u busy %.1f%% of its active time: throughput is link-bound, translation cost is hidden",
                              x.dir, d.id, 100.0 * std::min(s, 1.0));
                v.push_back(b);
            }
        }
    }
    double m = busy_share(r.mem.busy_ps, r.measured_ps);
    if (m >= kBoundShare) {
        std::snprintf(b, sizeof b, "memory channel busy %.1f%% of the run: throughput is memory-bound, translation cost is hidden",
                      100.0 * std::min(m, 1.0));
        v.push_back(b);
    }
    return v;
}

} // namespace tcesim
