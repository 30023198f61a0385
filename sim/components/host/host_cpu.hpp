// A host CPU: an SC_THREAD that runs its queue of DMA API calls (map,
// map_sg, alloc, unmap, free) in trace order through models/host.
#ifndef TCESIM_COMPONENTS_HOST_CPU_HPP
#define TCESIM_COMPONENTS_HOST_CPU_HPP

#include <cstdint>
#include <vector>

#include <systemc>

#include "components/host/host_complex.hpp"
#include "components/host/host_keys.hpp"
#include "observe/mappings.hpp"
#include "observe/observe.hpp"
#include "platform/platform.hpp"
#include "replay/replay.hpp"
#include "stats.hpp"

namespace tcesim {

// DMA API counters of one CPU (summed into the report's allocator section).
struct HostOpStats {
    uint64_t maps = 0, unmaps = 0, failures = 0, bad_frees = 0, map_sg_unwinds = 0;
    uint64_t unmaps_skipped = 0; // unmaps of a mapping whose map failed here
    // Per op kind (tr_op: map, map_sg, unmap, alloc, free): end minus start,
    // start = max(trace time, CPU free, the map done, the device done).
    LatencyHist latency[TR_FREE + 1];
    // Unmaps and frees: how long they waited for their device (the replay
    // rule, host.unmap_wait), apart from their latency.
    LatencyHist device_wait[TR_FREE + 1];
    // Per op kind: start minus the trace's time (the CPU busy with, or
    // blocked behind, its earlier ops; the op's own dependencies).
    LatencyHist queue[TR_FREE + 1];
    // Ops whose start was already past when the feeder handed them over (it
    // waited on another actor's full queue, sim.replay_window): their lock
    // waits include holds other CPUs began after them.
    uint64_t late_starts = 0;
    ps_t late_max_ps = 0;
};

// What a CPU needs of the run around it (all outlive the module).
struct HostCpuWiring {
    Schedule &sched;
    ActorQueue &queue;
    HostComplex &host;
    const std::vector<DeviceInfo> &devices; // how Linux set each device up
    MappingsWriter &mappings;
    Timeline &timeline;
};

class HostCpu : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(HostCpu);
    HostCpu(sc_core::sc_module_name n, unsigned cpu, const HostCpuParams &p, const HostCpuWiring &w);
    const HostOpStats &stats() const { return st_; }
    unsigned cpu() const { return cpu_; }
    // The region of interest starts (sim.warmup_ns): its op counts restart.
    void reset_stats() { st_ = HostOpStats(); }

private:
    ps_t do_map(QEvent &qe, ps_t t, int &pool);
    ps_t do_unmap(Mapping &m, ps_t t);
    void mapping_row(const QEvent &qe, int pool, ps_t start, ps_t end, ps_t lock_wait);
    void run();

    unsigned cpu_;
    HostCpuParams p_;
    HostCpuWiring w_;
    HostOpStats st_;
    ps_t free_ps_ = 0;
    // The event in hand is a member, not a local: a run stopped early by an
    // input error leaves this thread suspended, and its stack is never
    // unwound, so nothing it owns may live there.
    QEvent cur_;
};

} // namespace tcesim

#endif
