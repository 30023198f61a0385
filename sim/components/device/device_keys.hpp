// The device component's parameters from one devices.N entry.
#ifndef TCESIM_COMPONENTS_DEVICE_KEYS_HPP
#define TCESIM_COMPONENTS_DEVICE_KEYS_HPP

#include <cstdint>
#include <string>

#include "config.h"

extern "C" {
#include "endpoint/endpoint.h"
}

namespace tcesim {

struct DeviceParams {
    ep_params ep{};              // link, MPS/MRRS, tags, DMA engine
    ps_t overhead_ps = 0;        // the device's own fixed latency per access (pipelined)
    ps_t read_hold_ps = 0;       // a read's hand-over after its completions, holding the tag
    unsigned dma_mask_bits = 32; // what Linux sets the device up with (platform, host CPUs)
    uint64_t max_seg_size = 0;   // dma_set_max_seg_size (map_sg merging)
};

// devices.N.rid: returns "" or the error ("devices.N.rid: ...").
std::string device_rid(const cfg_device &cd, unsigned n, uint16_t &rid);
// The PE a device belongs to (devices.N.pe; auto = the RID's bus number).
uint64_t device_pe(const cfg_device &cd, uint16_t rid);
// The rest of devices.N.*: returns "" or the error. horizon_ps: the widest
// out-of-order spread of completions the link calendar must cover.
std::string device_params(const cfg_device &cd, unsigned n, ps_t horizon_ps, DeviceParams &out);

} // namespace tcesim

#endif
