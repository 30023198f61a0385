// The host side shared by the CPUs: models/host (DMA API, allocator,
// locks, kills) and its port to memory for TCE stores, plus the lock-wait
// distributions the host model reports through its lock_event callback.
#ifndef TCESIM_COMPONENTS_HOST_COMPLEX_HPP
#define TCESIM_COMPONENTS_HOST_COMPLEX_HPP

#include <memory>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "components/payload.hpp"
#include "observe/observe.hpp"
#include "replay/replay.hpp"
#include "stats.hpp"

extern "C" {
#include "host/dma_api.h"
}

namespace tcesim {

// The host CPUs' shared port to memory, for TCE stores (timing only). One
// initiator for all CPUs: a store never waits, so no CPU can be suspended
// inside it.
struct HostPort : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<HostPort> sock;

    explicit HostPort(sc_core::sc_module_name n);
    ~HostPort() override;
    ps_t store(uint64_t pa, uint32_t bytes, ps_t t);

private:
    tlm::tlm_generic_payload gp_;
    TimeExt te_;
    unsigned char dummy_[8] = {0};
};

class HostComplex {
public:
    // phb_model: the PHB the kills go to. ok() is false when the host model
    // rejects the parameters.
    HostComplex(const host_params &p, phb *phb_model, Schedule &sched, Epochs &epochs, Timeline &timeline);
    ~HostComplex();
    HostComplex(const HostComplex &) = delete;
    HostComplex &operator=(const HostComplex &) = delete;
    bool ok() const { return model_ != nullptr; }
    host_model *model() const { return model_; }
    HostPort &port() { return *port_; }

    // Once every PE has been added: sizes the lock-wait distributions and
    // names the lock tracks of the timeline.
    void pes_added(const std::vector<uint16_t> &pe_of_index);
    const LatencyHist &lock_wait(unsigned pe_index, unsigned lock) const { return lock_wait_[pe_index][lock]; }
    const LatencyHist &lock_hold(unsigned pe_index, unsigned lock) const { return lock_hold_[pe_index][lock]; }
    // The region of interest starts (sim.warmup_ns): the host model's
    // counters (CPU times, locks, kills, allocator and magazine counts) and
    // the lock-wait distributions restart; what is allocated stays.
    void reset_stats();

private:
    static void sync(void *ctx, ps_t t);
    static ps_t store(void *ctx, uint64_t pa, uint32_t bytes, ps_t t);
    static void lock_event(void *ctx, unsigned pe_index, int lock, ps_t at_ps, ps_t wait_ps, ps_t hold_ps);

    Schedule &sched_;
    Epochs &epochs_;
    Timeline &timeline_;
    host_model *model_ = nullptr;
    std::unique_ptr<HostPort> port_;
    std::vector<std::vector<LatencyHist>> lock_wait_; // [host pe index][lock]
    std::vector<std::vector<LatencyHist>> lock_hold_; // [host pe index][lock]
};

} // namespace tcesim

#endif
