// What a run produced, gathered from the models after the simulation; the
// report writers (report.cpp) read only this.
#ifndef TCESIM_RESULT_HPP
#define TCESIM_RESULT_HPP

#include <cstdint>
#include <string>
#include <vector>

#include "config.h"
#include "observe.hpp"
#include "stats.hpp"

extern "C" {
#include "endpoint/endpoint.h"
#include "memory/memory.h"
#include "phb/phb.h"
#include "tce_cache/tce_cache.h"
}

namespace tcesim {

// A DMA's latency split into where the time went; the parts add up to the
// access's latency (device issue to last completion / memory commit). For a
// multi-TLP access the parts are those of the TLP that finished last, with
// the wait before that TLP's issue counted as device time.
struct Breakdown {
    enum { DEVICE = 0, LINK, TRANSLATION, SLOT_WAIT, MEMORY, COMPLETION, N };
    static const char *name(int i)
    {
        static const char *const names[N] = {"device", "link", "translation", "fetch_slot_wait", "memory", "completion"};
        return names[i];
    }
    LatencyHist part[N];
    void add(const ps_t (&c)[N])
    {
        for (int i = 0; i < N; i++)
            part[i].add(c[i]);
    }
    void merge(const Breakdown &o)
    {
        for (int i = 0; i < N; i++)
            part[i].merge(o.part[i]);
    }
};

// Where the run's first loss came from: the first fault in simulated time
// (it froze its PE), or the first access skipped because its map failed.
struct LossOrigin {
    bool any = false;
    uint64_t t_ps = 0;
    uint16_t pe = 0;
    uint32_t dev = 0;
    bool write = false, stale = false;
    int fault = 0;             // tce_fault of a fault
    bool has_handle = false;
    uint64_t handle = 0, addr = 0, line = 0;
};

// DMA that did not happen, by cause: payload bytes of accesses that faulted,
// were dropped by a frozen PE, or were skipped because their map failed.
struct DmaLoss {
    uint64_t skipped = 0;      // accesses skipped (their map failed)
    uint64_t faulted_bytes = 0, dropped_bytes = 0, skipped_bytes = 0;
    uint64_t stale_unfaulted = 0; // stale accesses that reached memory (no fault)
    uint64_t total() const { return faulted_bytes + dropped_bytes + skipped_bytes; }
    void merge(const DmaLoss &o)
    {
        skipped += o.skipped;
        faulted_bytes += o.faulted_bytes;
        dropped_bytes += o.dropped_bytes;
        skipped_bytes += o.skipped_bytes;
        stale_unfaulted += o.stale_unfaulted;
    }
};

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
    Breakdown breakdown;
};

struct DeviceResult {
    uint32_t id = 0;
    std::string rid;
    uint16_t pe = 0;
    unsigned dma_mask_bits = 0;
    bool bypass = false;       // the kernel's rule put it on a bypass window
    std::string dma_path;      // "tce", "bypass", "bypass_tve0"
    std::string group;         // iommu_group name, "" when not added
    std::string add_result, add_why;
    uint64_t reads = 0, writes = 0, bytes = 0, faulted = 0, dropped = 0;
    DmaLoss loss;
    uint64_t stale_faults_by_kind[TCE_FAULT_KINDS] = {0}; // faulting TLPs of stale accesses
    ep_stats ep{};
    LatencyHist dma_lat;
    Breakdown breakdown;
};

struct PoolResult {
    uint16_t pe = 0;
    int id = 0;                // pool number; the large pool is nr_pools
    std::string kind;          // "small", "large", "table" (iommu.lock=global), "depot"
    uint64_t acquisitions = 0, contended = 0, allocs = 0, fallbacks_in = 0;
    Summary wait;              // over every acquisition
    double hold_mean_ns = 0;
};

struct CpuResult {
    unsigned cpu = 0;
    uint64_t ops = 0;
    double busy_ns = 0, lock_wait_ns = 0, kill_ns = 0;
};

struct AllocResult {
    uint64_t maps = 0, unmaps = 0, failures = 0, pages_in_use_peak = 0, bad_frees = 0;
    uint64_t unmaps_skipped = 0; // unmaps/frees of a mapping whose map failed in the simulation
    uint64_t map_sg_unwinds = 0;  // failed map_sgs whose unwind freed earlier segments
    uint64_t pages_in_use = 0;    // at the end of the run (what was never freed)
    std::vector<PoolResult> pools;
    uint64_t kills_page = 0, kills_pe = 0, kill_syncs = 0, opal_calls = 0, escalated = 0;
    std::string lock_policy, cache_policy, invalidate_policy;
    uint64_t mag_hits = 0, mag_misses = 0;
};

struct RunResult {
    tcesim_config cfg{};
    std::string trace_name;
    uint64_t simulated_ps = 0, tlps = 0, events = 0;
    double wall_s = 0;
    phb_stats phb{};
    tce_cache_stats cache{};
    mem_stats mem{};
    LatencyHist xlate_lat;     // per translated TLP (hit, miss, merged)
    LatencyHist dma_lat;       // per completed device access
    Breakdown breakdown;
    uint64_t dma_reads = 0, dma_writes = 0, dma_bytes = 0, dma_faulted = 0, dma_dropped = 0;
    uint64_t dma_active_ps = 0; // first device access issued to last one completed
    DmaLoss loss;
    uint64_t stale_faults_by_kind[TCE_FAULT_KINDS] = {0};
    LossOrigin first_fault, first_skip, first_stale_ok;
    AllocResult alloc;
    std::vector<PeResult> pes;
    std::vector<DeviceResult> devices;
    std::vector<CpuResult> cpus;
    uint64_t epoch_ns = 0;             // 0: no --epoch
    std::vector<EpochRow> epochs;
};

} // namespace tcesim

#endif
