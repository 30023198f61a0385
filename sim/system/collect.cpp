#include "system/collect.hpp"

#include "components/host/host_keys.hpp"

#include <algorithm>

namespace tcesim {

static void collect_devices(Netlist &n, RunResult &res)
{
    ps_t dma_first = PS_NEVER, dma_last = 0;
    for (size_t i = 0; i < n.devs.size(); i++) {
        const DeviceModule &dm = *n.devices[i];
        DeviceResult &d = res.devices[i];
        static_cast<DeviceStats &>(d) = dm.stats();
        d.ep = dm.link_stats();
        d.xlate_lat = n.phb->xlate_latency_of(static_cast<unsigned>(i));
        d.active_ps = dm.last_done_ps() > dm.first_issue_ps() && dm.first_issue_ps() != PS_NEVER
                          ? dm.last_done_ps() - dm.first_issue_ps() : 0;
        res.tlps += dm.tlps();
        dma_first = std::min(dma_first, dm.first_issue_ps());
        dma_last = std::max(dma_last, dm.last_done_ps());
        res.dma_lat.merge(d.dma_lat);
        res.breakdown.merge(d.breakdown);
        res.dma_reads += d.reads;
        res.dma_writes += d.writes;
        res.dma_bytes += d.bytes;
        res.dma_faulted += d.faulted;
        res.dma_late_starts += d.late_starts;
        res.dma_late_max_ps = std::max<uint64_t>(res.dma_late_max_ps, d.late_max_ps);
        res.dma_dropped += d.dropped;
        res.loss.merge(d.loss);
        for (int k = 0; k < TCE_FAULT_KINDS; k++)
            res.stale_faults_by_kind[k] += d.stale_faults_by_kind[k];
    }
    res.dma_active_ps = dma_last > dma_first ? dma_last - dma_first : 0;
    for (size_t i = 0; i < n.devs.size(); i++)
        res.warmup.merge(n.devices[i]->warmup_loss());
    res.first_fault = n.losses.fault;
    res.first_skip = n.losses.skip;
    res.first_stale_ok = n.losses.stale_ok;
}

// Pools: one entry per lock of the PE (the large pool's lock is number
// nr_pools; with iommu.lock=global only lock 0 exists).
static void collect_pools(Netlist &n, const PeState &ps, const iommu_table *it, RunResult &res)
{
    const tcesim_config &cfg = n.cfg;
    host_model *host = n.host->model();
    unsigned hi = static_cast<unsigned>(ps.host_index);
    for (unsigned l = 0; l < host_lock_count(host, hi); l++) {
        const host_lock_stats *ls = host_get_lock_stats(host, hi, l);
        bool depot = l == it->nr_pools + 1;
        if (depot && cfg.policy.cache != CFG_CACHE_MAGAZINE)
            continue;
        if (cfg.policy.lock == CFG_LOCK_GLOBAL && l > 0 && !depot)
            continue;
        PoolResult pl;
        pl.pe = ps.pe;
        pl.id = static_cast<int>(l);
        pl.kind = depot ? "depot" : cfg.policy.lock == CFG_LOCK_GLOBAL ? "table" : l == it->nr_pools ? "large" : "small";
        pl.acquisitions = ls->acquisitions;
        pl.contended = ls->contended;
        if (!depot && cfg.policy.lock != CFG_LOCK_GLOBAL) {
            pl.allocs = it->st.allocs_by_pool[l];
            pl.fallbacks_in = it->st.fallbacks_in[l];
        } else if (!depot) {
            for (unsigned k = 0; k <= it->nr_pools; k++) {
                pl.allocs += it->st.allocs_by_pool[k];
                pl.fallbacks_in += it->st.fallbacks_in[k];
            }
        }
        pl.wait = n.host->lock_wait(hi, l).summary();
        pl.hold = n.host->lock_hold(hi, l).summary();
        pl.hold_mean_ns = ls->acquisitions ? static_cast<double>(ls->hold_ps) / static_cast<double>(ls->acquisitions) / 1000.0 : 0;
        res.alloc.pools.push_back(pl);
    }
    if (const mag_stats *ms = host_get_mag_stats(host, hi)) {
        res.alloc.mag_hits += ms->alloc_hits;
        res.alloc.mag_misses += ms->alloc_misses;
    }
}

static void collect_pes(Netlist &n, RunResult &res)
{
    phb *model = n.phb->model();
    for (const PeState &ps : n.platform->pes()) {
        PeResult pr;
        pr.pe = ps.pe;
        for (const DeviceInfo &d : n.devs)
            if (d.pe == ps.pe)
                pr.devices.push_back(d.id);
        pr.window_bytes = ps.setup.window_bytes;
        pr.page_size = 1ull << ps.setup.page_shift;
        pr.levels = ps.setup.levels;
        pr.bypass = ps.setup.bypass;
        pr.bypass_tve0 = ps.bypass_tve0;
        pr.reserved_start = ps.setup.reserved_start;
        pr.reserved_end = ps.setup.reserved_end;
        pr.group_id = ps.group.id;
        pr.group_name = ps.group.name;
        pr.st = *phb_get_pe_stats(model, ps.pe);
        pr.frozen_at_end = phb_pe_frozen(model, ps.pe, n.sched.end_ps());
        for (size_t s = 0; s < n.devs.size(); s++)
            if (n.devs[s].pe == ps.pe) {
                pr.breakdown.merge(res.devices[s].breakdown);
                pr.dma_lat.merge(res.devices[s].dma_lat);
                pr.xlate_lat.merge(res.devices[s].xlate_lat);
                pr.loss.merge(res.devices[s].loss);
            }
        const iommu_table *it = host_get_table(n.host->model(), static_cast<unsigned>(ps.host_index));
        pr.nr_pools = it->nr_pools;
        res.alloc.pages_in_use_peak += it->st.pages_in_use_peak;
        res.alloc.pages_in_use += it->st.pages_in_use;
        collect_pools(n, ps, it, res);
        res.pes.push_back(pr);
    }
}

static void collect_host(Netlist &n, RunResult &res)
{
    const tcesim_config &cfg = n.cfg;
    host_model *host = n.host->model();
    for (const auto &cpu : n.cpus) {
        const HostOpStats &s = cpu->stats();
        res.alloc.maps += s.maps;
        res.alloc.unmaps += s.unmaps;
        res.alloc.failures += s.failures;
        res.alloc.bad_frees += s.bad_frees;
        res.alloc.unmaps_skipped += s.unmaps_skipped;
        res.alloc.map_sg_unwinds += s.map_sg_unwinds;
        for (int k = 0; k <= TR_FREE; k++) {
            res.host_ops.lat[k].merge(s.latency[k]);
            res.host_ops.device_wait[k].merge(s.device_wait[k]);
            res.host_ops.queue[k].merge(s.queue[k]);
        }
        res.host_ops.late_starts += s.late_starts;
        res.host_ops.late_max_ps = std::max<uint64_t>(res.host_ops.late_max_ps, s.late_max_ps);
    }
    const host_kill_stats *ks = host_get_kill_stats(host);
    res.alloc.kills_page = ks->page;
    res.alloc.kills_pe = ks->pe;
    res.alloc.kill_syncs = ks->syncs;
    res.alloc.opal_calls = ks->opal_calls;
    res.alloc.escalated = ks->escalated;
    res.alloc.lock_policy = config_enum_name("iommu.lock", cfg.policy.lock);
    res.alloc.spinlock = host_spin_model(cfg) == SPIN_FIFO ? "fifo" : "unfair";
    res.alloc.cache_policy = config_enum_name("iommu.cache", cfg.policy.cache);
    res.alloc.invalidate_policy = config_enum_name("iommu.invalidate", cfg.policy.invalidate);
    for (unsigned i = 0; i < cfg.host.cpus; i++) {
        const host_cpu_stats *cs = host_get_cpu_stats(host, i);
        res.cpus.push_back(CpuResult{i, cs->ops, cs->busy_ps / 1000.0, cs->lock_wait_ps / 1000.0, cs->kill_ps / 1000.0, {}});
    }
    for (const auto &cpu : n.cpus) {
        unsigned c = cpu->cpu();
        if (c < res.cpus.size())
            for (int k = 0; k <= TR_FREE; k++)
                res.cpus[c].op_lat[k].merge(cpu->stats().latency[k]);
    }
}

void collect(Netlist &n, RunResult &res)
{
    res.events = n.feeder->events();
    res.phb = *phb_get_stats(n.phb->model());
    res.cache = *tce_cache_get_stats(phb_cache(n.phb->model()));
    res.mem = n.memory->stats();
    res.xlate_lat = n.phb->xlate_latency();
    collect_devices(n, res);
    // Lazy invalidation leaves queued unmaps: flush them at the end.
    n.sched.note_end(host_finish(n.host->model(), n.sched.end_ps()));
    res.simulated_ps = n.sched.end_ps();
    // The region of interest: from sim.warmup_ns to the end.
    res.warmup_ps = warmup_reset_ps(n.cfg);
    res.measured_ps = res.simulated_ps > res.warmup_ps ? res.simulated_ps - res.warmup_ps : 0;
    res.warmup_faults = n.phb->warmup_faults();
    res.warmup_dropped_tlps = n.phb->warmup_dropped();
    collect_pes(n, res);
    collect_host(n, res);
    res.epoch_ns = n.epochs.on() ? n.epochs.epoch_ns() : 0;
    res.epochs = n.epochs.rows();
}

} // namespace tcesim
