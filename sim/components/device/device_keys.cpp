#include "components/device/device_keys.hpp"

#include "params/params.h"

extern "C" {
#include "rtt/rtt.h"
}

namespace tcesim {

std::string device_rid(const cfg_device &cd, unsigned n, uint16_t &rid)
{
    if (rid_parse(cd.rid, nullptr, &rid) != 0)
        return "devices." + std::to_string(n) + ".rid: bad RID '" + cd.rid + "' (expected [DDDD:]BB:DD.F in hex)";
    return "";
}

uint64_t device_pe(const cfg_device &cd, uint16_t rid) { return cd.pe == CFG_AUTO ? (rid >> 8) : cd.pe; }

std::string device_params(const cfg_device &cd, unsigned n, ps_t horizon_ps, DeviceParams &out)
{
    ep_params &ep = out.ep;
    ep = ep_params{};
    if (ep_link_parse(cd.link, &ep.link) != 0)
        return "devices." + std::to_string(n) + ".link: bad link '" + cd.link + "' (expected e.g. gen3x8)";
    params_fill(params_device, params_device_count, PS_EP, &cd, &ep);
    ep.horizon_ps = horizon_ps;
    out.overhead_ps = ps_from_ns(cd.overhead_ns);
    out.read_hold_ps = ps_from_ns(cd.read_hold_ns);
    out.dma_mask_bits = static_cast<unsigned>(cd.dma_mask_bits);
    out.max_seg_size = cd.max_seg_size;
    return "";
}

} // namespace tcesim
