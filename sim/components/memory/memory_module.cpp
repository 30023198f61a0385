#include "components/memory/memory_module.hpp"

#include "components/payload.hpp"

namespace tcesim {

MemoryTarget::MemoryTarget(sc_core::sc_module_name n, const mem_params &p) : sc_module(n), sock("sock")
{
    ok_ = mem_init(&model_, &p) == 0;
    sock.bind(*this);
}

MemoryTarget::~MemoryTarget() { mem_destroy(&model_); }

void MemoryTarget::b_transport(tlm::tlm_generic_payload &gp, sc_core::sc_time &delay)
{
    TimeExt *te = gp.get_extension<TimeExt>();
    if (te) {
        te->done_ps = (te->table ? mem_access : mem_access_data)(&model_, gp.get_address(), gp.get_data_length(),
                                                                 gp.is_write(), te->arrival_ps);
    } else {
        // Another initiator's transaction (no tcesim timestamps): DMA data.
        ps_t done = mem_access_data(&model_, gp.get_address(), gp.get_data_length(), gp.is_write(), now_ps() + delay.value());
        delay = delay_to(done);
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

tlm::tlm_sync_enum MemoryTarget::nb_transport_fw(tlm::tlm_generic_payload &gp, tlm::tlm_phase &phase,
                                                 sc_core::sc_time &delay)
{
    b_transport(gp, delay);
    phase = tlm::END_RESP;
    return tlm::TLM_COMPLETED;
}

} // namespace tcesim
