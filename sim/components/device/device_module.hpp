// The device component: an SC_THREAD that runs its queue of DMA accesses
// in trace order, splits each into TLPs (models/endpoint: DMA engine, tags,
// link) and sends each TLP to the PHB on its initiator socket.
#ifndef TCESIM_COMPONENTS_DEVICE_MODULE_HPP
#define TCESIM_COMPONENTS_DEVICE_MODULE_HPP

#include <cstdint>
#include <utility>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "components/device/device_keys.hpp"
#include "components/payload.hpp"
#include "observe/observe.hpp"
#include "replay/replay.hpp"
#include "components/device/device_stats.hpp"

namespace tcesim {

// The run's first losses in simulated time, shared by the devices: the
// first fault (it froze its PE), the first access skipped because its map
// failed, and the first stale access that reached memory.
struct FirstLosses {
    LossOrigin fault, skip, stale_ok;
    static void note(LossOrigin &o, const LossOrigin &cand)
    {
        if (!o.any || cand.t_ps < o.t_ps)
            o = cand;
    }
};

// What the device needs of the run around it (all outlive the module).
struct DeviceWiring {
    Schedule &sched;
    ActorQueue &queue;
    FirstLosses &losses;
    Epochs &epochs;
    Timeline &timeline;
};

class DeviceModule : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<DeviceModule> sock;

    SC_HAS_PROCESS(DeviceModule);
    // id: its index in devices; pe: its PE (for loss records). ok() is
    // false when the endpoint model rejects the parameters.
    DeviceModule(sc_core::sc_module_name n, uint32_t id, uint16_t rid, uint16_t pe, const DeviceParams &p,
                 const DeviceWiring &w);
    ~DeviceModule() override;
    bool ok() const { return ok_; }

    // The device's endpoint: its link, which the PHB's root port times
    // completions on, and its statistics.
    endpoint *link() { return &ep_; }
    const ep_stats &link_stats() const { return ep_.st; }
    const DeviceStats &stats() const { return st_; }
    uint64_t tlps() const { return tlps_; }
    // First issue and last completion of its accesses (PS_NEVER, 0: none).
    ps_t first_issue_ps() const { return dma_first_; }
    ps_t last_done_ps() const { return dma_last_; }

    // The region of interest starts (sim.warmup_ns): its counts, latency,
    // breakdown, link counters and active span restart; the tags, the link
    // and the engine stay busy as they are. What was lost so far is kept as
    // the warm-up's (warmup_loss).
    void reset_stats();
    const DeviceLossCount &warmup_loss() const { return warm_; }

private:
    std::string track_name() const;
    uint16_t rid_ = 0;
    bool tlp(uint64_t bus, uint32_t len, bool is_write, ps_t t, ps_t &done, bool &dropped, ps_t (&part)[Breakdown::N]);
    void note_fault(uint64_t bus, bool is_write);
    void finished(const QEvent &qe, ps_t done);
    bool gather(QEvent &qe, ps_t &t, bool &waited);
    void skip(const QEvent &qe, ps_t t);
    void access(QEvent &qe, ps_t t);
    void run();

    uint32_t id_;
    uint16_t pe_;
    DeviceParams p_;
    DeviceWiring w_;
    endpoint ep_{};
    bool ok_ = false;
    tlm::tlm_generic_payload gp_;
    TimeExt te_;
    unsigned char dummy_[4096] = {0};
    ps_t free_ps_ = 0;
    ps_t bound_ = 0; // see Schedule::sync_loose
    DeviceStats st_;
    DeviceLossCount warm_;
    uint64_t tlps_ = 0;
    ps_t dma_first_ = PS_NEVER, dma_last_ = 0;
    // The byte ranges of the access in bus address space (reused: no
    // allocation per access).
    std::vector<std::pair<uint64_t, uint64_t>> chunks_;
    // The access in hand, for tlp()'s fault records.
    const QEvent *cur_ = nullptr;
    bool cur_stale_ = false;     // it goes through a handle whose unmap has begun
    // The event in hand is a member, not a local: a run stopped early by an
    // input error leaves this thread suspended, and its stack is never
    // unwound, so nothing it owns may live there.
    QEvent qcur_;
};

} // namespace tcesim

#endif
