// The memory component: a TLM target around models/memory (the channel
// calendar and the optional LLC). Initiators: the PHB (TCE fetches, DMA
// data) and the host port (TCE stores), both bound to its one socket.
#ifndef TCESIM_COMPONENTS_MEMORY_MODULE_HPP
#define TCESIM_COMPONENTS_MEMORY_MODULE_HPP

#include <systemc>
#include <tlm>

extern "C" {
#include "memory/memory.h"
}

namespace tcesim {

// The socket is a plain TLM-2.0 target socket bound to the module's own
// forward interface (any number of initiators: N = 0): a TLP's memory
// accesses (1.75 a TLP on configs/bench-window.json) each cost one virtual
// call, where tlm_utils' multi_passthrough socket added a virtual thunk, a
// static trampoline and a member-pointer call (~30 instructions each,
// callgrind; bench/README.md).
struct MemoryTarget : sc_core::sc_module, tlm::tlm_fw_transport_if<> {
    tlm::tlm_target_socket<32, tlm::tlm_base_protocol_types, 0> sock;

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
    void b_transport(tlm::tlm_generic_payload &gp, sc_core::sc_time &delay) override;
    // Blocking only (tcesim's initiators are loosely timed): the non-blocking
    // path answers TLM_COMPLETED after doing the access; no DMI; debug
    // transport moves no data (the memory model holds timing, not bytes).
    tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload &gp, tlm::tlm_phase &phase,
                                       sc_core::sc_time &delay) override;
    bool get_direct_mem_ptr(tlm::tlm_generic_payload &, tlm::tlm_dmi &) override { return false; }
    unsigned int transport_dbg(tlm::tlm_generic_payload &) override { return 0; }

private:
    mem_model model_{};
    bool ok_ = false;
};

} // namespace tcesim

#endif
