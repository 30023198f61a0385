#include "components/host/host_keys.hpp"

#include "params/params.h"

namespace tcesim {

host_params host_params_from(const tcesim_config &cfg)
{
    host_params hp{};
    params_fill(params_global, params_global_count, PS_HOST, &cfg, &hp);
    return hp;
}

HostCpuParams host_cpu_params(const tcesim_config &cfg)
{
    HostCpuParams p;
    p.op_ps = ps_from_ns(cfg.host.op_ns);
    p.unmap_wait = cfg.host.unmap_wait;
    return p;
}

} // namespace tcesim
