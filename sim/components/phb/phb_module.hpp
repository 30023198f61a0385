// The PHB component: a TLM target towards the devices (one port per
// device, bound in device order) and an initiator towards memory, around
// models/phb. It owns the whole inbound path of a DMA TLP: translation
// (TVT, TCE cache, walks whose table reads go out on mem_sock), the data
// access, and the release of the root complex's read entry (phb.read_slots)
// once the read's completions have left on the requester's link.
#ifndef TCESIM_COMPONENTS_PHB_MODULE_HPP
#define TCESIM_COMPONENTS_PHB_MODULE_HPP

#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include "components/payload.hpp"
#include "observe/observe.hpp"
#include "stats.hpp"

extern "C" {
#include "endpoint/endpoint.h"
#include "memory/physmem.h"
#include "phb/phb.h"
}

namespace tcesim {

class PhbModule : public sc_core::sc_module {
public:
    tlm_utils::multi_passthrough_target_socket<PhbModule> dev_sock;
    tlm_utils::simple_initiator_socket<PhbModule> mem_sock;

    // mem: the simulated physical memory holding the TCE tables (read
    // functionally by the walks; their timing goes through mem_sock).
    // epochs and timeline are the run's observers (never NULL; off when
    // not asked for). ok() is false when the model rejects the parameters
    // or SystemC's time resolution is not 1 ps (tcesim's unit).
    PhbModule(sc_core::sc_module_name n, const phb_params &p, physmem *mem, Epochs &epochs, Timeline &timeline);
    // The same without observers (a platform's PHB, docs/embedding.md).
    PhbModule(sc_core::sc_module_name n, const phb_params &p, physmem *mem);
    ~PhbModule() override;
    bool ok() const { return model_ != nullptr; }
    // The PHB model, for the platform's TVE and RID programming, the host
    // model's kills and the statistics.
    phb *model() const { return model_; }

    // The link behind dev_sock port `port` (the device bound there): the
    // root complex times a read's completions on it to hold the read's
    // entry. The endpoint is the device's; it is only read.
    void attach_link(unsigned port, endpoint *link);

    // Translation latency of every translated TLP (hits, misses, merged),
    // per port (the device bound there) and over all of them (their merge:
    // the per-TLP path adds once).
    const LatencyHist &xlate_latency_of(unsigned port) const;
    LatencyHist xlate_latency() const;

    // The region of interest starts (sim.warmup_ns): the model's counters
    // (PHB, per PE, TCE cache) and the latency distribution restart; the
    // faults and drops counted so far are kept as the warm-up's.
    void reset_stats();
    uint64_t warmup_faults() const { return warm_faults_; }
    uint64_t warmup_dropped() const { return warm_dropped_; }

    // An inbound TLP on port `port`. tcesim's devices send a TimeExt
    // (absolute times, the RID); any other initiator a RidExt, and is timed
    // from sc_time_stamp() + delay (payload.hpp). Response: OK, ADDRESS_ERROR
    // (a translation fault or a frozen PE: counted, not an error of the
    // simulation) or GENERIC_ERROR (neither extension: no requester).
    void b_transport(int port, tlm::tlm_generic_payload &gp, sc_core::sc_time &delay);

private:
    ps_t mem_access(uint64_t pa, uint32_t bytes, bool is_write, ps_t arrival, bool table);
    static ps_t tce_read(void *ctx, uint64_t pa, uint32_t bytes, ps_t arrival);
    void observe(int port, const tlm::tlm_generic_payload &gp, const TimeExt &te);
    void mark_fault(const tlm::tlm_generic_payload &gp, const TimeExt &te, bool froze);
    std::vector<bool> named_pes_;

    phb *model_ = nullptr;
    bool read_slots_ = false;
    std::vector<endpoint *> links_;
    std::vector<LatencyHist> xlate_lat_; // per port
    uint64_t warm_faults_ = 0, warm_dropped_ = 0;
    Epochs own_epochs_;     // off: the observer-less constructor's
    Timeline own_timeline_;
    Epochs &epochs_;
    Timeline &timeline_;
    TimeExt foreign_te_;    // a RidExt transaction's times
    tlm::tlm_generic_payload mem_gp_;
    TimeExt mem_te_;
    unsigned char dummy_[8] = {0};
};

} // namespace tcesim

#endif
