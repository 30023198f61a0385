#include "components/memory/memory_module.hpp"

#include "components/payload.hpp"

namespace tcesim {

MemoryTarget::MemoryTarget(sc_core::sc_module_name n, const mem_params &p) : sc_module(n), sock("sock")
{
    ok_ = mem_init(&model_, &p) == 0;
    sock.register_b_transport(this, &MemoryTarget::b_transport);
}

MemoryTarget::~MemoryTarget() { mem_destroy(&model_); }

void MemoryTarget::b_transport(int, tlm::tlm_generic_payload &gp, sc_core::sc_time &delay)
{
    TimeExt *te = gp.get_extension<TimeExt>();
    if (te) {
        te->done_ps = mem_access(&model_, gp.get_address(), gp.get_data_length(), gp.is_write(), te->arrival_ps);
    } else {
        ps_t done = mem_access(&model_, gp.get_address(), gp.get_data_length(), gp.is_write(), now_ps() + delay.value());
        delay = delay_to(done);
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

} // namespace tcesim
