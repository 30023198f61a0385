#include "components/device/device_keys.hpp"

extern "C" {
#include "rtt/rtt.h"
}

namespace tcesim {

std::string device_rid(const cfg_device &cd, unsigned n, uint16_t &rid)
{
    if (rid_parse(cd.rid, &rid) != 0)
        return "devices." + std::to_string(n) + ".rid: bad RID '" + cd.rid + "' (expected BB:DD.F)";
    return "";
}

uint64_t device_pe(const cfg_device &cd, uint16_t rid) { return cd.pe == CFG_AUTO ? (rid >> 8) : cd.pe; }

std::string device_params(const cfg_device &cd, unsigned n, ps_t horizon_ps, DeviceParams &out)
{
    ep_params &ep = out.ep;
    ep = ep_params{};
    if (ep_link_parse(cd.link, &ep.link) != 0)
        return "devices." + std::to_string(n) + ".link: bad link '" + cd.link + "' (expected e.g. gen3x8)";
    ep.mps = static_cast<uint32_t>(cd.mps);
    ep.mrrs = static_cast<uint32_t>(cd.mrrs);
    ep.tags = static_cast<uint32_t>(cd.tags);
    ep.rcb = static_cast<uint32_t>(cd.rcb);
    ep.cpl_rcb_chunks = cd.cpl_split == 1;
    ep.dllp_overhead = cd.link_overhead;
    ep.read_req_ps = ps_from_ns(cd.read_req_ns);
    ep.write_req_ps = ps_from_ns(cd.write_req_ns);
    ep.read_byte_ps = static_cast<uint32_t>(cd.read_byte_ps);
    ep.read_done_ps = ps_from_ns(cd.read_hold_ns);
    ep.write_byte_ps = static_cast<uint32_t>(cd.write_byte_ps);
    ep.horizon_ps = horizon_ps;
    out.overhead_ps = ps_from_ns(cd.overhead_ns);
    out.read_hold_ps = ps_from_ns(cd.read_hold_ns);
    return "";
}

} // namespace tcesim
