// The one link type between components: a TLM generic payload carrying a
// TimeExt with absolute picosecond timestamps.
//
// Time model (sim/README.md has the long form): every payload carries the
// arrival time in and the completion time out. b_transport's delay argument
// is kept consistent with them (delay = completion - sc_time_stamp(), when
// positive), but the models compute from the absolute times, because a
// temporally decoupled initiator may be up to one quantum away from
// sc_time_stamp() in either direction.
#ifndef TCESIM_COMPONENTS_PAYLOAD_HPP
#define TCESIM_COMPONENTS_PAYLOAD_HPP

#include <cstdint>

#include <systemc>
#include <tlm>

extern "C" {
#include "common/tcesim_time.h"
#include "phb/phb.h"
}

namespace tcesim {

// Absolute timestamps of a transaction, and what the PHB did with a DMA TLP.
struct TimeExt : tlm::tlm_extension<TimeExt> {
    ps_t arrival_ps = 0;
    ps_t done_ps = 0;
    uint16_t rid = 0;          // the requester (DMA TLPs)
    phb_xlate xlate{};         // out: the PHB's translation outcome
    tlm_extension_base *clone() const override { return new TimeExt(*this); }
    void copy_from(const tlm_extension_base &e) override { *this = static_cast<const TimeExt &>(e); }
};

inline ps_t now_ps() { return sc_core::sc_time_stamp().value(); }
inline sc_core::sc_time delay_to(ps_t t)
{
    ps_t now = now_ps();
    return sc_core::sc_time::from_value(t > now ? t - now : 0);
}

} // namespace tcesim

#endif
