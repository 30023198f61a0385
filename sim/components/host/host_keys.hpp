// The host component's parameters from the configuration (host.*, iommu.*
// policies, phb.model for the kill path).
#ifndef TCESIM_COMPONENTS_HOST_KEYS_HPP
#define TCESIM_COMPONENTS_HOST_KEYS_HPP

#include "config.h"

extern "C" {
#include "host/dma_api.h"
}

namespace tcesim {

// What each host CPU's replay loop needs besides the host model.
struct HostCpuParams {
    ps_t op_ps = 0;              // host.op_ns: a DMA API call that reaches no allocator
    bool unmap_wait = true;      // host.unmap_wait
};

host_params host_params_from(const tcesim_config &cfg);
// host.spinlock resolved (auto: the era's)
spin_model host_spin_model(const tcesim_config &cfg);
HostCpuParams host_cpu_params(const tcesim_config &cfg);

} // namespace tcesim

#endif
