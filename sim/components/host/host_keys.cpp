#include "components/host/host_keys.hpp"

#include "params/params.h"

namespace tcesim {

spin_model host_spin_model(const tcesim_config &cfg)
{
    // auto: the era's spinlock (models/host/spinlock.h has the sources)
    if (cfg.host.spinlock == CFG_SPIN_FIFO)
        return SPIN_FIFO;
    if (cfg.host.spinlock == CFG_SPIN_UNFAIR)
        return SPIN_UNFAIR;
    return cfg.host.kernel == CFG_KERNEL_SEED ? SPIN_UNFAIR : SPIN_FIFO;
}

host_params host_params_from(const tcesim_config &cfg)
{
    host_params hp{};
    params_fill(params_global, params_global_count, PS_HOST, &cfg, &hp);
    hp.policy.spin = host_spin_model(cfg);
    hp.policy.seed = cfg.seed;
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
