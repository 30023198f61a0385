// The memory component: a TLM target (multi-socket) around models/memory
// (the channel calendar and the optional LLC). Initiators: the PHB (TCE
// fetches, DMA data) and the host port (TCE stores).
#ifndef TCESIM_COMPONENTS_MEMORY_MODULE_HPP
#define TCESIM_COMPONENTS_MEMORY_MODULE_HPP

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>

extern "C" {
#include "memory/memory.h"
}

namespace tcesim {

struct MemoryTarget : sc_core::sc_module {
    tlm_utils::multi_passthrough_target_socket<MemoryTarget> sock;

    // ok() is false when the model rejects the parameters.
    MemoryTarget(sc_core::sc_module_name n, const mem_params &p);
    ~MemoryTarget() override;
    bool ok() const { return ok_; }
    const mem_stats &stats() const { return model_.st; }
    // The region of interest starts (sim.warmup_ns): the counters restart;
    // the channel's bookings and the LLC's contents stay.
    void reset_stats() { model_.st = mem_stats{}; }

    // With a TimeExt the times are absolute and the delay argument is left
    // alone (the PHB's internal calls pass and ignore it); without one this
    // is a plain LT target.
    void b_transport(int, tlm::tlm_generic_payload &gp, sc_core::sc_time &delay);

private:
    mem_model model_{};
    bool ok_ = false;
};

} // namespace tcesim

#endif
