// What a run produced, gathered from the models after the simulation; the
// report writers (report/: the schema, the JSON and text reports) read only this.
#ifndef TCESIM_RESULT_HPP
#define TCESIM_RESULT_HPP

#include <cstdint>
#include <string>
#include <vector>

#include "components/device/device_stats.hpp"
#include "config.h"
#include "observe/observe.hpp"
#include "stats.hpp"

extern "C" {
#include "endpoint/endpoint.h"
#include "memory/memory.h"
#include "phb/phb.h"
#include "tce_cache/tce_cache.h"
#include "traces/trace.h"
}

namespace tcesim {

struct PeResult {
    uint16_t pe = 0;
    std::vector<uint32_t> devices;
    uint64_t window_bytes = 0, page_size = 0;
    unsigned levels = 0;
    bool bypass = false;
    bool bypass_tve0 = false;
    uint64_t reserved_start = 0, reserved_end = 0; // entries
    int group_id = -1;
    std::string group_name;
    uint32_t nr_pools = 0;
    phb_pe_stats st{};
    bool frozen_at_end = false;
    DmaLoss loss;              // of its devices
    LatencyHist dma_lat;
    LatencyHist xlate_lat;     // its devices' translated TLPs
    Breakdown breakdown;
};

// A device's setup, its statistics (DeviceStats: the device component's
// own counters) and its endpoint's.
struct DeviceResult : DeviceStats {
    uint32_t id = 0;
    std::string rid;
    uint16_t pe = 0;
    unsigned dma_mask_bits = 0;
    bool bypass = false;       // the kernel's rule put it on a bypass window
    std::string dma_path;      // "tce", "bypass", "bypass_tve0"
    std::string group;         // iommu_group name, "" when not added
    std::string add_result, add_why;
    ep_stats ep{};
    uint64_t active_ps = 0;    // its first access issued to its last completed
    LatencyHist xlate_lat;     // its translated TLPs' translation latency
};

struct PoolResult {
    uint16_t pe = 0;
    int id = 0;                // pool number; the large pool is nr_pools
    std::string kind;          // "small", "large", "table" (iommu.lock=global), "depot"
    uint64_t acquisitions = 0, contended = 0, allocs = 0, fallbacks_in = 0;
    Summary wait;              // over every acquisition
    double hold_mean_ns = 0;
    Summary hold;              // over every acquisition
};

struct CpuResult {
    unsigned cpu = 0;
    uint64_t ops = 0;
    double busy_ns = 0, lock_wait_ns = 0, kill_ns = 0;
    LatencyHist op_lat[TR_FREE + 1]; // per op kind (tr_op), end minus start
};

// The host ops over every CPU, per op kind (tr_op: map, map_sg, unmap, alloc, free).
struct HostOpsResult {
    LatencyHist lat[TR_FREE + 1];
    LatencyHist device_wait[TR_FREE + 1]; // unmap, free: the wait for their device, apart from lat
    LatencyHist queue[TR_FREE + 1];       // start minus the trace's time
    uint64_t late_starts = 0;              // ops handed over after their start (sim.replay_window)
    uint64_t late_max_ps = 0;
};

struct AllocResult {
    uint64_t maps = 0, unmaps = 0, failures = 0, pages_in_use_peak = 0, bad_frees = 0;
    uint64_t unmaps_skipped = 0; // unmaps/frees of a mapping whose map failed in the simulation
    uint64_t map_sg_unwinds = 0;  // failed map_sgs whose unwind freed earlier segments
    uint64_t pages_in_use = 0;    // at the end of the run (what was never freed)
    std::vector<PoolResult> pools;
    uint64_t kills_page = 0, kills_pe = 0, kill_syncs = 0, opal_calls = 0, escalated = 0;
    std::string lock_policy, cache_policy, invalidate_policy;
    std::string spinlock; // host.spinlock resolved: fifo or unfair
    uint64_t mag_hits = 0, mag_misses = 0;
};

struct RunResult {
    tcesim_config cfg{};
    std::string trace_name;
    std::string device_note; // "" or the line saying which config values the trace's device lines replaced
    // SystemC was used (the netlist began to elaborate): this process cannot
    // simulate again. False after a failure to open the trace source.
    bool elaborated = false;
    uint64_t simulated_ps = 0, tlps = 0, events = 0;
    // sim.warmup_ns: the statistics cover [warmup_ps, simulated_ps), measured_ps
    // long (the whole run when warmup_ps is 0); what was lost before it is the
    // warm-up's (warmup, warmup_faults and warmup_dropped_tlps: PHB TLP counts).
    uint64_t warmup_ps = 0, measured_ps = 0;
    DeviceLossCount warmup;
    uint64_t warmup_faults = 0, warmup_dropped_tlps = 0;
    double wall_s = 0;
    phb_stats phb{};
    tce_cache_stats cache{};
    mem_stats mem{};
    LatencyHist xlate_lat;     // per translated TLP (hit, miss, merged)
    LatencyHist dma_lat;       // per completed device access
    Breakdown breakdown;
    uint64_t dma_reads = 0, dma_writes = 0, dma_bytes = 0, dma_faulted = 0, dma_dropped = 0;
    uint64_t dma_active_ps = 0; // first device access issued to last one completed
    uint64_t dma_late_starts = 0, dma_late_max_ps = 0; // device accesses handed over late (DeviceStats)
    DmaLoss loss;
    uint64_t stale_faults_by_kind[TCE_FAULT_KINDS] = {0};
    LossOrigin first_fault, first_skip, first_stale_ok;
    AllocResult alloc;
    std::vector<PeResult> pes;
    std::vector<DeviceResult> devices;
    std::vector<CpuResult> cpus;
    HostOpsResult host_ops;
    uint64_t epoch_ns = 0;             // 0: no --epoch
    std::vector<EpochRow> epochs;
};

// devices holds the run's devices in id order, ids possibly sparse (dev0
// and dev4000): the one with that id (ids come from pes[].devices).
inline const DeviceResult &device_by_id(const RunResult &r, uint32_t id)
{
    for (const DeviceResult &d : r.devices)
        if (d.id == id)
            return d;
    static const DeviceResult none;
    return none;
}

} // namespace tcesim

#endif
