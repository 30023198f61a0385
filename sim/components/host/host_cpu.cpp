#include "components/host/host_cpu.hpp"

#include <cstdio>
#include <string>

extern "C" {
#include "tce/tce_table.h"
#include "tvt/tve.h"
}

namespace tcesim {

HostCpu::HostCpu(sc_core::sc_module_name n, unsigned cpu, const HostCpuParams &p, const HostCpuWiring &w)
    : sc_module(n), cpu_(cpu), p_(p), w_(w)
{
    SC_THREAD(run);
    // The host model's frames (allocator infos) and ASan's redzones
    // outgrow SystemC's default thread stack.
    set_stack_size(512 * 1024);
}

static uint64_t perm_of(tr_op op, tr_dir dir)
{
    // iommu_direction_to_tce_perm(): TO_DEVICE -> READ, FROM_DEVICE ->
    // WRITE, BIDIRECTIONAL -> both; pnv_tce_build adds READ whenever WRITE
    // is set (arch/powerpc/platforms/powernv/pci-ioda-tce.c).
    if (op == TR_ALLOC)
        return TCE_READ | TCE_WRITE;
    switch (dir) {
    case TR_DIR_TO_DEVICE: return TCE_READ;
    case TR_DIR_FROM_DEVICE: return TCE_READ | TCE_WRITE;
    default: return TCE_READ | TCE_WRITE;
    }
}

static host_op op_of(tr_op op) { return op == TR_MAP_SG ? HOST_MAP_SG : op == TR_ALLOC ? HOST_ALLOC : HOST_MAP; }

static bool is_map_op(tr_op op) { return op == TR_MAP || op == TR_MAP_SG || op == TR_ALLOC; }

// Returns when the map is done; fills the mapping.
ps_t HostCpu::do_map(QEvent &qe, ps_t t, int &pool)
{
    const tr_event &ev = qe.ev;
    Mapping &m = *qe.map;
    const DeviceInfo &d = w_.devices[ev.dev];
    size_t nseg = m.segs.size(); // the feeder gave its input segments (pa, size)
    st_.maps++;
    pool = IOMMU_NO_POOL;
    if (d.path != DMA_PATH_TCE) {
        // Bypass: bus = phys + 2^59 (TVE#1), or phys + 4 GiB through the
        // PHB3 TVE#0 64-bit bypass; the allocator is never called
        // (dma_direct ops after pnv_pci_ioda_dma_set_mask).
        m.bypass = true;
        for (host_seg &s : m.segs)
            s.bus = s.pa + (d.path == DMA_PATH_BYPASS ? TVE_BYPASS_BIT59 : (1ull << 32));
        return t + p_.op_ps;
    }
    uint64_t mask = d.mask_bits >= 64 ? UINT64_MAX : (1ull << d.mask_bits) - 1;
    if (ev.op == TR_MAP_SG)
        m.outs.resize(nseg);
    host_map_result r;
    host_map(w_.host.model(), cpu_, d.host_pe, op_of(ev.op), perm_of(ev.op, ev.dir), mask, d.max_seg_size,
             m.segs.data(), static_cast<uint32_t>(nseg), m.outs.empty() ? nullptr : m.outs.data(), t, &r);
    m.nouts = r.nouts;
    if (r.failed) {
        m.failed = true;
        st_.failures++;
        if (r.unwound)
            st_.map_sg_unwinds++;
    }
    pool = r.pool;
    m.pool = r.failed ? IOMMU_NO_POOL : r.pool;
    return r.done_ps;
}

ps_t HostCpu::do_unmap(Mapping &m, ps_t t)
{
    st_.unmaps++;
    if (m.failed) {
        // The map failed here (it did not in the traced run): the driver got
        // DMA_MAPPING_ERROR and has nothing to unmap.
        st_.unmaps_skipped++;
        return t;
    }
    if (m.unmapped) {
        // the kernel prints "invalid entry" and WARNs (iommu_free_check)
        st_.bad_frees++;
        return t + p_.op_ps;
    }
    m.unmapped = true;
    if (m.bypass)
        return t + p_.op_ps;
    const DeviceInfo &d = w_.devices[m.dev];
    bool bad = false;
    ps_t done = host_unmap(w_.host.model(), cpu_, d.host_pe, op_of(m.kind), m.segs.data(),
                           static_cast<uint32_t>(m.segs.size()), m.outs.empty() ? nullptr : m.outs.data(), m.nouts, t,
                           &bad);
    if (bad)
        st_.bad_frees++;
    return done;
}

// ps as ns: an integer when whole, else to the ps.
static std::string ns_str(ps_t ps)
{
    char b[32];
    if (ps % 1000 == 0)
        std::snprintf(b, sizeof b, "%llu", static_cast<unsigned long long>(ps / 1000));
    else
        std::snprintf(b, sizeof b, "%llu.%03llu", static_cast<unsigned long long>(ps / 1000),
                      static_cast<unsigned long long>(ps % 1000));
    return b;
}

void HostCpu::mapping_row(const QEvent &qe, int pool, ps_t start, ps_t end, ps_t lock_wait)
{
    const tr_event &ev = qe.ev;
    const Mapping &m = *qe.map;
    char bus[32] = "", np[24] = "", pl[16] = "";
    uint64_t pages = 0;
    for (const host_seg &s : m.segs)
        pages += s.npages;
    if (is_map_op(ev.op)) {
        if (m.failed)
            std::snprintf(bus, sizeof bus, "fail");
        else
            std::snprintf(bus, sizeof bus, "0x%llx", static_cast<unsigned long long>(m.segs[0].bus));
        std::snprintf(np, sizeof np, "%llu", static_cast<unsigned long long>(pages));
        if (!m.bypass && !m.failed && pool != IOMMU_NO_POOL) {
            if (pool == IOMMU_POOL_LARGE)
                std::snprintf(pl, sizeof pl, "large");
            else
                std::snprintf(pl, sizeof pl, "%d", pool);
        }
    } else if (!m.failed) {
        std::snprintf(bus, sizeof bus, "0x%llx", static_cast<unsigned long long>(m.segs.empty() ? 0 : m.segs[0].bus));
        std::snprintf(np, sizeof np, "%llu", static_cast<unsigned long long>(pages));
        // the pool its map took (the range goes back there)
        if (!m.bypass && m.pool != IOMMU_NO_POOL) {
            if (m.pool == IOMMU_POOL_LARGE)
                std::snprintf(pl, sizeof pl, "large");
            else
                std::snprintf(pl, sizeof pl, "%d", m.pool);
        }
    }
    char line[320];
    std::snprintf(line, sizeof line, "%llu,%u,%s,%u,%llu,%s,%s,%s,%s,%s,%s\n", static_cast<unsigned long long>(ev.time_ns),
                  cpu_, tr_op_name(ev.op), w_.devices[m.dev].id, static_cast<unsigned long long>(ev.handle), bus, np, pl,
                  ns_str(start).c_str(), ns_str(end).c_str(), ns_str(lock_wait).c_str());
    w_.mappings.row(qe.seq, line);
}

void HostCpu::run()
{
    bool waited = false;
    Schedule &sched = w_.sched;
    while (w_.queue.pop(cur_, waited)) {
        QEvent &qe = cur_;
        const tr_event &ev = qe.ev;
        ps_t t = ps_max(ps_from_ns(ev.time_ns), free_ps_);
        bool is_map = is_map_op(ev.op);
        ps_t dev_wait = 0;
        if (!is_map) {
            sched.wait_mapping(qe.map);
            t = ps_max(t, qe.map->done_ps);
            if (p_.unmap_wait) {
                // The driver unmaps once its device is done with the buffer
                // (its completion, tx clean or I/O completion): after the
                // device ops before it in the trace.
                const Mapping *mp = qe.map.get();
                uint64_t n = qe.wait_ops;
                sched.wait_for([mp, n] { return mp->dev_ops_done >= n; });
                if (mp->dev_done_ps > t)
                    dev_wait = mp->dev_done_ps - t;
                t = ps_max(t, mp->dev_done_ps);
            }
        }
        int pool = IOMMU_NO_POOL;
        // The host model synchronises before each lock and kill; the
        // functional allocation happens at the op's start, so bring the
        // process there first (allocation order = simulated-time order).
        sched.sync_exact(t);
        ps_t now = sc_core::sc_time_stamp().value();
        if (now > t) {
            st_.late_starts++;
            st_.late_max_ps = ps_max(st_.late_max_ps, now - t);
        }
        const host_cpu_stats *cs = host_get_cpu_stats(w_.host.model(), cpu_);
        ps_t lock0 = cs->lock_wait_ps;
        ps_t done = is_map ? do_map(qe, t, pool) : do_unmap(*qe.map, t);
        // (a warm-up's reset during the op restarts the counter)
        ps_t lock_wait = cs->lock_wait_ps >= lock0 ? cs->lock_wait_ps - lock0 : cs->lock_wait_ps;
        st_.latency[ev.op].add(done - t);
        ps_t trace_t = ps_from_ns(ev.time_ns);
        st_.queue[ev.op].add(t > trace_t ? t - trace_t : 0);
        if (!is_map)
            st_.device_wait[ev.op].add(dev_wait);
        if (w_.mappings.active())
            mapping_row(qe, pool, t, done, lock_wait);
        if (w_.timeline.wants(t))
            w_.timeline.event(Timeline::CPUS, cpu_, tr_op_name(ev.op), t, done,
                              "\"h\":" + std::to_string(ev.handle) + ",\"dev\":" + std::to_string(w_.devices[qe.map->dev].id));
        free_ps_ = done;
        sched.note_end(done);
        if (is_map) {
            qe.map->done_ps = done;
            qe.map->done = true;
        } else {
            qe.map->unmap_done_ps = done;
            qe.map->unmap_done = true;
        }
        sched.progress();
        if (sched.error_code()) {
            sc_core::sc_stop();
            return;
        }
    }
}

} // namespace tcesim
