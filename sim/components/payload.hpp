// The one link type between components: a TLM generic payload carrying a
// TimeExt with absolute picosecond timestamps.
//
// Time model (sim/README.md has the long form): every payload carries the
// arrival time in and the completion time out. b_transport's delay argument
// is kept consistent with them as TLM's loosely-timed convention has it (in:
// arrival - sc_time_stamp(), 0 when the arrival is not later; out: the delay
// in plus the target's latency, completion - arrival), but the models
// compute from the absolute times, because a temporally decoupled initiator
// may be up to one quantum away from sc_time_stamp() in either direction.
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
    bool table = false;        // a TCE fetch (memory: not DMA data, mem_access_data)
    phb_xlate xlate{};         // out: the PHB's translation outcome
    tlm_extension_base *clone() const override { return new TimeExt(*this); }
    void copy_from(const tlm_extension_base &e) override { *this = static_cast<const TimeExt &>(e); }
};

// The requester ID of a DMA TLP from an initiator that is not tcesim's own
// device model (a platform's PCIe endpoint, docs/embedding.md): bus << 8 |
// device << 3 | function, as PCIe's RID. The PHB times such a transaction
// from sc_time_stamp() plus its annotated delay and adds its latency to the
// delay (loosely timed); a transaction with neither this nor a TimeExt gets
// TLM_GENERIC_ERROR_RESPONSE. A TimeExt, when present, wins (its rid).
struct RidExt : tlm::tlm_extension<RidExt> {
    uint16_t rid = 0;
    explicit RidExt(uint16_t r = 0) : rid(r) {}
    tlm_extension_base *clone() const override { return new RidExt(*this); }
    void copy_from(const tlm_extension_base &e) override { *this = static_cast<const RidExt &>(e); }
};

inline ps_t now_ps() { return sc_core::sc_time_stamp().value(); }
// An sc_time of v ps (the run's time resolution is 1 ps, run.cpp).
// sc_time::from_value is out of line in libsystemc (a call and a simcontext
// lookup, ~50 instructions a TLP twice over); scaling the one-unit time is
// inline and exact below 2^52 (a double's integers; 75 minutes).
inline sc_core::sc_time ps_time(ps_t v)
{
    static const sc_core::sc_time one = sc_core::sc_time::from_value(1);
    return v < (1ull << 52) ? one * static_cast<double>(v) : sc_core::sc_time::from_value(v);
}
// The delay from `now` (sc_time_stamp(), in ps) to t; 0 if t is not later.
inline sc_core::sc_time delay_to(ps_t t, ps_t now) { return ps_time(t > now ? t - now : 0); }
inline sc_core::sc_time delay_to(ps_t t) { return delay_to(t, now_ps()); }

} // namespace tcesim

#endif
