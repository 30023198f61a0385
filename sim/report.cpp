#include "report.hpp"

#include <cstdarg>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <jansson.h>

#include "version.hpp"

extern "C" {
#include "tce/tce_table.h"
#include "traces/trace.h"
}

namespace tcesim {

static double ratio(uint64_t a, uint64_t b) { return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0; }
static double gbps(uint64_t bytes, uint64_t ps) { return ps ? static_cast<double>(bytes) * 8.0 * 1000.0 / static_cast<double>(ps) : 0.0; }

// Rounds to a fixed number of decimals so that the JSON text is stable and
// readable (the values are model outputs, not measurements).
static json_t *real(double v, int decimals = 3)
{
    double scale = 1;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    double r = static_cast<double>(static_cast<long long>(v * scale + (v >= 0 ? 0.5 : -0.5))) / scale;
    return json_real(r);
}

static json_t *summary_json(const Summary &s)
{
    json_t *o = json_object();
    json_object_set_new(o, "mean", real(s.mean_ns));
    json_object_set_new(o, "p50", real(s.p50_ns));
    json_object_set_new(o, "p90", real(s.p90_ns));
    json_object_set_new(o, "p99", real(s.p99_ns));
    json_object_set_new(o, "p999", real(s.p999_ns));
    json_object_set_new(o, "max", real(s.max_ns));
    return o;
}

static json_t *u(uint64_t v) { return json_integer(static_cast<json_int_t>(v)); }

static json_t *histogram_json(const LatencyHist &h)
{
    json_t *a = json_array();
    for (const auto &b : h.buckets())
        json_array_append_new(a, json_pack("[fI]", b.first, static_cast<json_int_t>(b.second)));
    return a;
}

static void loss_json(json_t *o, const DmaLoss &l)
{
    json_object_set_new(o, "skipped", u(l.skipped));
    json_object_set_new(o, "lost_bytes", u(l.total()));
    json_t *lo = json_object();
    json_object_set_new(lo, "faulted_bytes", u(l.faulted_bytes));
    json_object_set_new(lo, "dropped_bytes", u(l.dropped_bytes));
    json_object_set_new(lo, "skipped_bytes", u(l.skipped_bytes));
    json_object_set_new(o, "lost", lo);
    json_object_set_new(o, "stale_unfaulted", u(l.stale_unfaulted));
}

static json_t *breakdown_json(const Breakdown &b)
{
    json_t *o = json_object();
    for (int i = 0; i < Breakdown::N; i++)
        json_object_set_new(o, Breakdown::name(i), summary_json(b.part[i].summary()));
    return o;
}

static json_t *translation_json(const RunResult &r)
{
    const phb_stats &p = r.phb;
    json_t *tr = json_object();
    json_object_set_new(tr, "lookups", u(p.lookups));
    json_object_set_new(tr, "hits", u(p.hits));
    json_object_set_new(tr, "misses", u(p.misses));
    json_object_set_new(tr, "merged", u(p.merged));
    json_object_set_new(tr, "hit_rate", real(ratio(p.hits, p.lookups), 6));
    json_object_set_new(tr, "faults", u(p.faults));
    json_t *fk = json_object();
    uint64_t stale = 0;
    for (int k = 1; k < TCE_FAULT_KINDS; k++) {
        json_object_set_new(fk, tce_fault_name(static_cast<tce_fault>(k)), u(p.faults_by_kind[k] - r.stale_faults_by_kind[k]));
        stale += r.stale_faults_by_kind[k];
    }
    // Accesses through a handle after its unmap, apart from the kind the
    // PHB saw (a cleared TCE is a permission fault to the hardware).
    json_object_set_new(fk, "stale", u(stale));
    json_object_set_new(tr, "faults_by_kind", fk);
    json_object_set_new(tr, "bypass", u(p.bypass));
    json_object_set_new(tr, "dropped", u(p.dropped));
    json_object_set_new(tr, "latency_ns", summary_json(r.xlate_lat.summary()));
    json_object_set_new(tr, "latency_histogram", histogram_json(r.xlate_lat));
    json_object_set_new(tr, "walks", u(p.walks));
    json_object_set_new(tr, "walk_reads", u(p.walk_reads));
    json_object_set_new(tr, "walk_cache_hits", u(p.walk_cache_hits));
    json_object_set_new(tr, "walk_line_hits", u(p.walk_line_hits));
    json_object_set_new(tr, "line_fill_inserts", u(p.line_fill_inserts));
    json_object_set_new(tr, "fetch_slot_waits", u(p.slot_waits));
    json_object_set_new(tr, "fetch_slot_wait_ns", real(static_cast<double>(p.slot_wait_ps) / 1000.0));
    json_object_set_new(tr, "read_slot_waits", u(p.read_slot_waits));
    json_object_set_new(tr, "read_slot_wait_ns", real(static_cast<double>(p.read_slot_wait_ps) / 1000.0));
    json_object_set_new(tr, "freezes", u(p.freezes));
    json_t *cache = json_object();
    json_object_set_new(cache, "inserts", u(r.cache.inserts));
    json_object_set_new(cache, "evictions", u(r.cache.evictions));
    json_object_set_new(cache, "invalidations", u(r.cache.invalidated));
    json_object_set_new(cache, "kill_requests", u(r.cache.inval_page + r.cache.inval_pe + r.cache.inval_all));
    json_object_set_new(tr, "cache", cache);
    // What the PHB received and did (the host's side is allocator.kills):
    // the PHB4 kill queue's waits (phb.kill_slots, phb.kill_ns) and the DMA
    // read syncs (phb.kill_sync_ns).
    json_t *pk = json_object();
    json_object_set_new(pk, "page", u(p.kills_page));
    json_object_set_new(pk, "pe", u(p.kills_pe));
    json_object_set_new(pk, "all", u(p.kills_all));
    json_object_set_new(pk, "queue_waits", u(p.kill_queue_waits));
    json_object_set_new(pk, "queue_wait_ns", real(static_cast<double>(p.kill_queue_wait_ps) / 1000.0));
    json_object_set_new(pk, "syncs", u(p.kill_syncs));
    json_object_set_new(pk, "sync_ns", real(static_cast<double>(p.kill_sync_wait_ps) / 1000.0));
    json_object_set_new(tr, "kills", pk);
    return tr;
}

static json_t *dma_json(const RunResult &r)
{
    json_t *dma = json_object();
    json_object_set_new(dma, "reads", u(r.dma_reads));
    json_object_set_new(dma, "writes", u(r.dma_writes));
    json_object_set_new(dma, "bytes", u(r.dma_bytes));
    json_object_set_new(dma, "throughput_gbps", real(gbps(r.dma_bytes, r.measured_ps)));
    json_object_set_new(dma, "active_ns", real(static_cast<double>(r.dma_active_ps) / 1000.0));
    json_object_set_new(dma, "active_throughput_gbps", real(gbps(r.dma_bytes, r.dma_active_ps)));
    json_object_set_new(dma, "faulted", u(r.dma_faulted));
    json_object_set_new(dma, "dropped", u(r.dma_dropped));
    loss_json(dma, r.loss);
    json_object_set_new(dma, "latency_ns", summary_json(r.dma_lat.summary()));
    json_object_set_new(dma, "breakdown", breakdown_json(r.breakdown));
    json_object_set_new(dma, "latency_histogram", histogram_json(r.dma_lat));
    return dma;
}

static json_t *allocator_json(const RunResult &r)
{
    json_t *al = json_object();
    json_object_set_new(al, "maps", u(r.alloc.maps));
    json_object_set_new(al, "unmaps", u(r.alloc.unmaps));
    json_object_set_new(al, "failures", u(r.alloc.failures));
    json_object_set_new(al, "bad_frees", u(r.alloc.bad_frees));
    json_object_set_new(al, "unmaps_skipped", u(r.alloc.unmaps_skipped));
    json_object_set_new(al, "map_sg_unwinds", u(r.alloc.map_sg_unwinds));
    json_object_set_new(al, "pages_in_use_peak", u(r.alloc.pages_in_use_peak));
    json_object_set_new(al, "pages_in_use", u(r.alloc.pages_in_use));
    json_object_set_new(al, "lock", json_string(r.alloc.lock_policy.c_str()));
    json_object_set_new(al, "cache", json_string(r.alloc.cache_policy.c_str()));
    json_object_set_new(al, "invalidate", json_string(r.alloc.invalidate_policy.c_str()));
    json_t *pools = json_array();
    for (const PoolResult &pl : r.alloc.pools) {
        json_t *o = json_object();
        json_object_set_new(o, "pe", u(pl.pe));
        json_object_set_new(o, "id", u(static_cast<uint64_t>(pl.id)));
        json_object_set_new(o, "kind", json_string(pl.kind.c_str()));
        json_object_set_new(o, "acquisitions", u(pl.acquisitions));
        json_object_set_new(o, "contended", u(pl.contended));
        json_t *w = json_object();
        json_object_set_new(w, "mean", real(pl.wait.mean_ns));
        json_object_set_new(w, "p99", real(pl.wait.p99_ns));
        json_object_set_new(w, "max", real(pl.wait.max_ns));
        json_object_set_new(o, "wait_ns", w);
        json_t *h = json_object();
        json_object_set_new(h, "mean", real(pl.hold_mean_ns));
        json_object_set_new(o, "hold_ns", h);
        json_object_set_new(o, "allocs", u(pl.allocs));
        json_object_set_new(o, "fallbacks_in", u(pl.fallbacks_in));
        json_array_append_new(pools, o);
    }
    json_object_set_new(al, "pools", pools);
    json_t *kills = json_object();
    json_object_set_new(kills, "page", u(r.alloc.kills_page));
    json_object_set_new(kills, "pe", u(r.alloc.kills_pe));
    json_object_set_new(kills, "syncs", u(r.alloc.kill_syncs));
    json_object_set_new(kills, "opal_calls", u(r.alloc.opal_calls));
    json_object_set_new(kills, "escalated_pages", u(r.alloc.escalated));
    json_object_set_new(al, "kills", kills);
    if (r.alloc.cache_policy == "magazine") {
        json_t *mg = json_object();
        json_object_set_new(mg, "hits", u(r.alloc.mag_hits));
        json_object_set_new(mg, "misses", u(r.alloc.mag_misses));
        json_object_set_new(al, "magazines", mg);
    }
    return al;
}

static json_t *cpus_json(const RunResult &r)
{
    json_t *cpus = json_array();
    for (const CpuResult &c : r.cpus) {
        json_t *o = json_object();
        json_object_set_new(o, "cpu", u(c.cpu));
        json_object_set_new(o, "ops", u(c.ops));
        json_object_set_new(o, "busy_ns", real(c.busy_ns));
        json_object_set_new(o, "lock_wait_ns", real(c.lock_wait_ns));
        json_object_set_new(o, "kill_ns", real(c.kill_ns));
        json_array_append_new(cpus, o);
    }
    return cpus;
}

static json_t *memory_json(const RunResult &r)
{
    json_t *mem = json_object();
    json_object_set_new(mem, "reads", u(r.mem.reads));
    json_object_set_new(mem, "writes", u(r.mem.writes));
    json_object_set_new(mem, "read_bytes", u(r.mem.read_bytes));
    json_object_set_new(mem, "write_bytes", u(r.mem.write_bytes));
    json_object_set_new(mem, "queue_ns", real(static_cast<double>(r.mem.queue_ps) / 1000.0));
    return mem;
}

static json_t *groups_json(const RunResult &r)
{
    json_t *groups = json_array();
    for (const PeResult &pe : r.pes) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(pe.group_id));
        json_object_set_new(o, "name", json_string(pe.group_name.c_str()));
        json_object_set_new(o, "pe", u(pe.pe));
        json_t *members = json_array();
        for (uint32_t d : pe.devices)
            if (r.devices[d].add_result == "ok")
                json_array_append_new(members, u(d));
        json_object_set_new(o, "devices", members);
        json_array_append_new(groups, o);
    }
    return groups;
}

static json_t *pes_json(const RunResult &r)
{
    json_t *pes = json_array();
    for (const PeResult &pe : r.pes) {
        json_t *o = json_object();
        json_object_set_new(o, "pe", u(pe.pe));
        json_t *devs = json_array();
        for (uint32_t d : pe.devices)
            json_array_append_new(devs, u(d));
        json_object_set_new(o, "devices", devs);
        json_object_set_new(o, "window_bytes", u(pe.window_bytes));
        json_object_set_new(o, "page_size", u(pe.page_size));
        json_object_set_new(o, "levels", u(pe.levels));
        json_object_set_new(o, "bypass", json_boolean(pe.bypass));
        json_object_set_new(o, "bypass_tve0", json_boolean(pe.bypass_tve0));
        json_object_set_new(o, "reserved_entries", json_pack("[II]", static_cast<json_int_t>(pe.reserved_start), static_cast<json_int_t>(pe.reserved_end)));
        json_object_set_new(o, "pools", u(pe.nr_pools));
        json_object_set_new(o, "group", json_string(pe.group_name.c_str()));
        json_object_set_new(o, "lookups", u(pe.st.lookups));
        json_object_set_new(o, "hits", u(pe.st.hits));
        json_object_set_new(o, "misses", u(pe.st.misses));
        json_object_set_new(o, "merged", u(pe.st.merged));
        json_object_set_new(o, "hit_rate", real(ratio(pe.st.hits, pe.st.lookups), 6));
        json_object_set_new(o, "bypass_tlps", u(pe.st.bypass));
        json_object_set_new(o, "faults", u(pe.st.faults));
        json_object_set_new(o, "dropped", u(pe.st.dropped));
        json_object_set_new(o, "freezes", u(pe.st.freezes));
        json_object_set_new(o, "frozen_at_end", json_boolean(pe.frozen_at_end));
        loss_json(o, pe.loss);
        json_object_set_new(o, "dma_latency_ns", summary_json(pe.dma_lat.summary()));
        json_object_set_new(o, "dma_breakdown", breakdown_json(pe.breakdown));
        json_array_append_new(pes, o);
    }
    return pes;
}

static json_t *devices_json(const RunResult &r)
{
    json_t *devs = json_array();
    for (const DeviceResult &d : r.devices) {
        json_t *o = json_object();
        json_object_set_new(o, "id", u(d.id));
        json_object_set_new(o, "rid", json_string(d.rid.c_str()));
        json_object_set_new(o, "pe", u(d.pe));
        json_object_set_new(o, "dma_mask_bits", u(d.dma_mask_bits));
        json_object_set_new(o, "bypass", json_boolean(d.bypass));
        json_object_set_new(o, "dma_path", json_string(d.dma_path.c_str()));
        json_object_set_new(o, "group", d.group.empty() ? json_null() : json_string(d.group.c_str()));
        json_object_set_new(o, "group_add", json_string(d.add_result.c_str()));
        if (!d.add_why.empty())
            json_object_set_new(o, "group_add_reason", json_string(d.add_why.c_str()));
        json_object_set_new(o, "reads", u(d.reads));
        json_object_set_new(o, "writes", u(d.writes));
        json_object_set_new(o, "bytes", u(d.bytes));
        json_object_set_new(o, "faulted", u(d.faulted));
        json_object_set_new(o, "dropped", u(d.dropped));
        loss_json(o, d.loss);
        json_object_set_new(o, "read_tlps", u(d.ep.read_tlps));
        json_object_set_new(o, "write_tlps", u(d.ep.write_tlps));
        json_object_set_new(o, "completion_tlps", u(d.ep.cpl_tlps));
        json_object_set_new(o, "up_bytes", u(d.ep.up_bytes));
        json_object_set_new(o, "down_bytes", u(d.ep.down_bytes));
        json_object_set_new(o, "tag_waits", u(d.ep.tag_waits));
        json_object_set_new(o, "latency_ns", summary_json(d.dma_lat.summary()));
        json_object_set_new(o, "breakdown", breakdown_json(d.breakdown));
        json_array_append_new(devs, o);
    }
    return devs;
}

static json_t *epochs_json(const RunResult &r)
{
    json_t *ep = json_object();
    json_object_set_new(ep, "ns", u(r.epoch_ns));
    json_t *series = json_array();
    for (size_t i = 0; i < r.epochs.size(); i++) {
        const EpochRow &e = r.epochs[i];
        json_t *o = json_object();
        json_object_set_new(o, "t_ns", u((i + 1) * r.epoch_ns));
        json_object_set_new(o, "tlps", u(e.tlps));
        json_object_set_new(o, "lookups", u(e.lookups));
        json_object_set_new(o, "hits", u(e.hits));
        json_object_set_new(o, "hit_rate", real(ratio(e.hits, e.lookups), 6));
        json_object_set_new(o, "faults", u(e.faults));
        json_object_set_new(o, "dma_accesses", u(e.dma_accesses));
        json_object_set_new(o, "dma_bytes", u(e.dma_bytes));
        json_object_set_new(o, "throughput_gbps", real(static_cast<double>(e.dma_bytes) * 8.0 / static_cast<double>(r.epoch_ns)));
        json_object_set_new(o, "lock_acquisitions", u(e.lock_acquisitions));
        json_object_set_new(o, "lock_contended", u(e.lock_contended));
        json_object_set_new(o, "lock_wait_ns", real(static_cast<double>(e.lock_wait_ps) / 1000.0));
        json_array_append_new(series, o);
    }
    json_object_set_new(ep, "series", series);
    return ep;
}

// sim.warmup_ns: what was lost before the statistics restarted.
static json_t *warmup_json(const RunResult &r)
{
    json_t *w = json_object();
    json_object_set_new(w, "faults", u(r.warmup_faults));
    json_object_set_new(w, "dropped", u(r.warmup_dropped_tlps));
    json_object_set_new(w, "dma_faulted", u(r.warmup.faulted));
    json_object_set_new(w, "dma_dropped", u(r.warmup.dropped));
    json_object_set_new(w, "dma_skipped", u(r.warmup.loss.skipped));
    json_object_set_new(w, "lost_bytes", u(r.warmup.loss.total()));
    json_object_set_new(w, "run_lost_bytes", u(r.warmup.loss.total() + r.loss.total()));
    return w;
}

std::string report_json(const RunResult &r)
{
    json_t *root = json_object();
    json_object_set_new(root, "schema", json_string("tcesim.report/1"));

    json_t *run = json_object();
    json_object_set_new(run, "trace", json_string(r.trace_name.c_str()));
    json_object_set_new(run, "simulated_ns", real(static_cast<double>(r.simulated_ps) / 1000.0));
    json_object_set_new(run, "tlps", u(r.tlps));
    json_object_set_new(run, "events", u(r.events));
    json_object_set_new(run, "seed", u(r.cfg.seed));
    json_object_set_new(run, "version", json_string(version()));
    json_object_set_new(run, "wall_s", real(r.wall_s, 6));
    json_object_set_new(run, "wall_tlps_per_s", real(r.wall_s > 0 ? static_cast<double>(r.tlps) / r.wall_s : 0, 0));
    if (r.warmup_ps) {
        json_object_set_new(run, "warmup_ns", real(static_cast<double>(r.warmup_ps) / 1000.0));
        json_object_set_new(run, "measured_ns", real(static_cast<double>(r.measured_ps) / 1000.0));
    }
    json_object_set_new(root, "run", run);
    if (r.warmup_ps)
        json_object_set_new(root, "warmup", warmup_json(r));

    json_object_set_new(root, "translation", translation_json(r));
    json_object_set_new(root, "dma", dma_json(r));
    json_object_set_new(root, "allocator", allocator_json(r));
    json_object_set_new(root, "cpus", cpus_json(r));
    json_object_set_new(root, "memory", memory_json(r));
    json_object_set_new(root, "groups", groups_json(r));
    json_object_set_new(root, "pes", pes_json(r));
    json_object_set_new(root, "devices", devices_json(r));
    if (r.epoch_ns)
        json_object_set_new(root, "epochs", epochs_json(r));

    char *cj = config_to_json(&r.cfg);
    json_error_t je;
    json_t *cfg = cj ? json_loads(cj, 0, &je) : nullptr;
    free(cj);
    json_object_set_new(root, "config", cfg ? cfg : json_null());

    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(root);
    std::string out = s ? s : "";
    free(s);
    return out + "\n";
}

static void appendf(std::string &o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void appendf(std::string &o, const char *fmt, ...)
{
    char b[512];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    o += b;
}

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

std::string report_text(const RunResult &r)
{
    std::string o;
    const phb_stats &p = r.phb;
    Summary x = r.xlate_lat.summary(), d = r.dma_lat.summary();
    appendf(o, "tcesim report: %s, %s PHB, %s kernel, seed %" PRIu64 "\n", r.trace_name.c_str(),
         config_enum_name("phb.model", r.cfg.phb.model), config_enum_name("host.kernel", r.cfg.host.kernel), r.cfg.seed);
    for (const std::string &w : {loss_warning(r), stale_warning(r)})
        if (!w.empty())
            o += "  " + w + "\n";
    appendf(o, "\ntranslation\n");
    appendf(o, "  lookups          %12" PRIu64 "   hits %" PRIu64 "  misses %" PRIu64 " (merged %" PRIu64 ")\n", p.lookups, p.hits, p.misses, p.merged);
    appendf(o, "  hit rate         %12.4f\n", ratio(p.hits, p.lookups));
    appendf(o, "  bypass TLPs      %12" PRIu64 "\n", p.bypass);
    appendf(o, "  faults           %12" PRIu64, p.faults);
    uint64_t stale = 0;
    for (int k = 1; k < TCE_FAULT_KINDS; k++) {
        uint64_t n = p.faults_by_kind[k] - r.stale_faults_by_kind[k];
        stale += r.stale_faults_by_kind[k];
        if (n)
            appendf(o, "   %s %" PRIu64, tce_fault_name(static_cast<tce_fault>(k)), n);
    }
    if (stale)
        appendf(o, "   stale %" PRIu64, stale);
    appendf(o, "\n  dropped (frozen) %12" PRIu64 "\n", p.dropped);
    appendf(o, "  walks            %12" PRIu64 "   table reads %" PRIu64 ", fetch-slot waits %" PRIu64 "\n", p.walks, p.walk_reads, p.slot_waits);
    appendf(o, "  latency ns       mean %.1f  p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f\n",
         x.mean_ns, x.p50_ns, x.p90_ns, x.p99_ns, x.p999_ns, x.max_ns);
    appendf(o, "\ndma\n");
    appendf(o, "  reads %" PRIu64 "  writes %" PRIu64 "  bytes %" PRIu64 "  faulted %" PRIu64 "  dropped %" PRIu64 "  skipped %" PRIu64 "\n",
         r.dma_reads, r.dma_writes, r.dma_bytes, r.dma_faulted, r.dma_dropped, r.loss.skipped);
    if (r.loss.total() || r.loss.stale_unfaulted)
        appendf(o, "  lost bytes       %12" PRIu64 "   faulted %" PRIu64 "  dropped %" PRIu64 "  skipped %" PRIu64 "; stale but unfaulted accesses %" PRIu64 "\n",
                r.loss.total(), r.loss.faulted_bytes, r.loss.dropped_bytes, r.loss.skipped_bytes, r.loss.stale_unfaulted);
    appendf(o, "  throughput       %12.2f Gb/s   (%.2f Gb/s while devices were active)\n", gbps(r.dma_bytes, r.measured_ps),
            gbps(r.dma_bytes, r.dma_active_ps));
    appendf(o, "  latency ns       mean %.1f  p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f\n",
         d.mean_ns, d.p50_ns, d.p90_ns, d.p99_ns, d.p999_ns, d.max_ns);
    appendf(o, "  breakdown ns     %-16s %9s %9s %9s\n", "", "mean", "p50", "p99");
    for (int i = 0; i < Breakdown::N; i++) {
        Summary b = r.breakdown.part[i].summary();
        appendf(o, "                   %-16s %9.1f %9.1f %9.1f\n", Breakdown::name(i), b.mean_ns, b.p50_ns, b.p99_ns);
    }
    appendf(o, "\nallocator (iommu_table: lock %s, cache %s, invalidate %s)\n", r.alloc.lock_policy.c_str(),
            r.alloc.cache_policy.c_str(), r.alloc.invalidate_policy.c_str());
    appendf(o, "  maps %" PRIu64 "  unmaps %" PRIu64 "  failures %" PRIu64 "  bad frees %" PRIu64 "  peak pages %" PRIu64 "\n",
            r.alloc.maps, r.alloc.unmaps, r.alloc.failures, r.alloc.bad_frees, r.alloc.pages_in_use_peak);
    if (r.alloc.unmaps_skipped)
        appendf(o, "  unmaps skipped   %12" PRIu64 "   (their map failed here: nothing to unmap)\n", r.alloc.unmaps_skipped);
    if (r.alloc.map_sg_unwinds)
        appendf(o, "  map_sg unwinds %" PRIu64 " (failed part way: earlier segments cleared and freed again)\n",
                r.alloc.map_sg_unwinds);
    appendf(o, "  kills: page %" PRIu64 "  pe %" PRIu64 "  syncs %" PRIu64, r.alloc.kills_page, r.alloc.kills_pe, r.alloc.kill_syncs);
    if (p.kill_queue_waits || p.kill_syncs)
        appendf(o, "   PHB kill queue: %" PRIu64 " waits, %.1f us waiting; syncs %.1f us", p.kill_queue_waits,
                static_cast<double>(p.kill_queue_wait_ps) / 1e6, static_cast<double>(p.kill_sync_wait_ps) / 1e6);
    appendf(o, "\n");
    bool any_lock = false;
    for (const PoolResult &pl : r.alloc.pools)
        any_lock |= pl.acquisitions > 0;
    if (any_lock) {
        appendf(o, "  %-4s %-6s %-6s %10s %10s %9s %10s %10s %10s %9s %9s\n", "pe", "pool", "kind", "acquired", "contended",
                "allocs", "wait mean", "wait p99", "wait max", "hold", "fallback");
        for (const PoolResult &pl : r.alloc.pools)
            if (pl.acquisitions)
                appendf(o, "  %-4u %-6d %-6s %10" PRIu64 " %10" PRIu64 " %9" PRIu64 " %8.1fns %8.1fns %8.1fns %7.1fns %9" PRIu64 "\n",
                        pl.pe, pl.id, pl.kind.c_str(), pl.acquisitions, pl.contended, pl.allocs, pl.wait.mean_ns,
                        pl.wait.p99_ns, pl.wait.max_ns, pl.hold_mean_ns, pl.fallbacks_in);
    }
    bool any_cpu = false;
    for (const CpuResult &c : r.cpus)
        any_cpu |= c.ops > 0;
    if (any_cpu) {
        appendf(o, "\nhost CPUs\n");
        for (const CpuResult &c : r.cpus)
            if (c.ops)
                appendf(o, "  cpu%-3u ops %8" PRIu64 "  busy %10.1f us  lock wait %10.1f us  kills %10.1f us\n", c.cpu, c.ops,
                        c.busy_ns / 1000, c.lock_wait_ns / 1000, c.kill_ns / 1000);
    }
    appendf(o, "\nPEs\n");
    for (const PeResult &pe : r.pes)
        appendf(o, "  pe %-4u window %" PRIu64 " MiB, %" PRIu64 " KiB pages, %u level(s), bypass %s: lookups %" PRIu64 " hits %" PRIu64 " faults %" PRIu64 " dropped %" PRIu64 "%s\n",
             pe.pe, pe.window_bytes >> 20, pe.page_size >> 10, pe.levels, pe.bypass ? "on" : "off",
             pe.st.lookups, pe.st.hits, pe.st.faults, pe.st.dropped, pe.frozen_at_end ? "  FROZEN" : "");
    appendf(o, "\niommu groups\n");
    for (const PeResult &pe : r.pes) {
        appendf(o, "  %-16s (id %d) pe %u:", pe.group_name.c_str(), pe.group_id, pe.pe);
        for (uint32_t dv_id : pe.devices)
            appendf(o, " dev%u%s", dv_id, r.devices[dv_id].add_result == "ok" ? "" : (" [not added: " + r.devices[dv_id].add_result + ": " + r.devices[dv_id].add_why + "]").c_str());
        appendf(o, "\n");
    }
    appendf(o, "\ndevices\n");
    for (const DeviceResult &dv : r.devices)
        appendf(o, "  dev%-3u %s pe %-3u mask %2u %-11s: reads %" PRIu64 " writes %" PRIu64 " TLPs %" PRIu64 " tag waits %" PRIu64 "\n",
             dv.id, dv.rid.c_str(), dv.pe, dv.dma_mask_bits, dv.dma_path.c_str(),
             dv.reads, dv.writes, dv.ep.read_tlps + dv.ep.write_tlps, dv.ep.tag_waits);
    appendf(o, "\nrun\n");
    appendf(o, "  simulated        %12.3f us\n", static_cast<double>(r.simulated_ps) / 1e6);
    if (r.warmup_ps)
        appendf(o, "  measured         %12.3f us   (statistics from the warm-up's end, %.3f us; lost in the warm-up: "
                   "%" PRIu64 " faults, %" PRIu64 " dropped TLPs, %" PRIu64 " bytes)\n",
                static_cast<double>(r.measured_ps) / 1e6, static_cast<double>(r.warmup_ps) / 1e6, r.warmup_faults,
                r.warmup_dropped_tlps, r.warmup.loss.total());
    appendf(o, "  events %" PRIu64 "  TLPs %" PRIu64 "\n", r.events, r.tlps);
    appendf(o, "  wall             %12.3f s   (%.2f M simulated TLPs per wall second)\n", r.wall_s,
         r.wall_s > 0 ? static_cast<double>(r.tlps) / r.wall_s / 1e6 : 0.0);
    return o;
}

} // namespace tcesim
