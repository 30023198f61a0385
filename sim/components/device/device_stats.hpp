// The device component's statistics: what its accesses did (counts, bytes,
// losses, latency and where the time went), counted by DeviceModule and
// merged per PE and per run when the run is collected.
#ifndef TCESIM_COMPONENTS_DEVICE_STATS_HPP
#define TCESIM_COMPONENTS_DEVICE_STATS_HPP

#include <cstdint>

#include "stats.hpp"

extern "C" {
#include "common/tcesim_time.h"
#include "tce/tce_table.h"
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
    uint64_t stale_untracked = 0; // stale accesses through a forgotten handle: not simulated
    uint64_t total() const { return faulted_bytes + dropped_bytes + skipped_bytes; }
    void merge(const DmaLoss &o)
    {
        skipped += o.skipped;
        faulted_bytes += o.faulted_bytes;
        dropped_bytes += o.dropped_bytes;
        skipped_bytes += o.skipped_bytes;
        stale_unfaulted += o.stale_unfaulted;
        stale_untracked += o.stale_untracked;
    }
};

// What was lost over a span (the warm-up, sim.warmup_ns): accesses that
// faulted or were dropped, and the loss by cause; bytes: what did move.
struct DeviceLossCount {
    uint64_t faulted = 0, dropped = 0, bytes = 0;
    DmaLoss loss;
    void merge(const DeviceLossCount &o)
    {
        bytes += o.bytes;
        faulted += o.faulted;
        dropped += o.dropped;
        loss.merge(o.loss);
    }
};

struct DeviceStats {
    uint64_t reads = 0, writes = 0, bytes = 0, faulted = 0, dropped = 0;
    DmaLoss loss;
    uint64_t stale_faults_by_kind[TCE_FAULT_KINDS] = {0}; // faulting TLPs of stale accesses
    LatencyHist dma_lat;
    Breakdown breakdown;
    // Accesses handed over more than 2 quanta + 4 us after their start (the
    // feeder waited on another actor's full queue, sim.replay_window): they
    // start when they arrive, so the delay is not charged to translation or
    // memory (whose calendars cannot book far in the past), and are counted.
    uint64_t late_starts = 0;
    uint64_t late_max_ps = 0;
};

} // namespace tcesim

#endif
