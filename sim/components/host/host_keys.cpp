#include "components/host/host_keys.hpp"

#include "components/phb/phb_keys.hpp"

namespace tcesim {

host_params host_params_from(const tcesim_config &cfg)
{
    host_params hp{};
    hp.ncpus = static_cast<uint32_t>(cfg.host.cpus);
    hp.gen = phb_generation(cfg);
    hp.costs.op_ps = ps_from_ns(cfg.host.op_ns);
    hp.costs.lock_ps = ps_from_ns(cfg.host.lock_ns);
    hp.costs.lock_handoff_ps = ps_from_ns(cfg.host.lock_handoff_ns);
    hp.costs.search_word_ps = ps_from_ns(cfg.host.search_word_ns);
    hp.costs.tce_write_ps = ps_from_ns(cfg.host.tce_write_ns);
    hp.costs.mb_ps = ps_from_ns(cfg.host.mb_ns);
    hp.costs.kill_store_ps = ps_from_ns(cfg.host.kill_store_ns);
    hp.costs.opal_call_ps = ps_from_ns(cfg.host.opal_call_ns);
    hp.costs.magazine_ps = ps_from_ns(cfg.host.magazine_ns);
    hp.policy.lock = cfg.policy.lock == CFG_LOCK_GLOBAL ? HOST_LOCK_GLOBAL : HOST_LOCK_POOL;
    hp.policy.inval = cfg.policy.invalidate == CFG_INVAL_LAZY_WRAP    ? HOST_INVAL_LAZY_WRAP
                      : cfg.policy.invalidate == CFG_INVAL_FLUSH_QUEUE ? HOST_INVAL_FLUSH_QUEUE
                                                                       : HOST_INVAL_STRICT;
    hp.policy.magazines = cfg.policy.cache == CFG_CACHE_MAGAZINE;
    hp.policy.mag_size = static_cast<uint32_t>(cfg.policy.magazine_size);
    hp.policy.fq_entries = static_cast<uint32_t>(cfg.policy.fq_entries);
    hp.policy.fq_timeout_ps = ps_from_ns(cfg.policy.fq_timeout_ns);
    hp.policy.kill_escalate_pe = cfg.host.kill_escalate_pe;
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
