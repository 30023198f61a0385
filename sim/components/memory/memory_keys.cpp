#include "components/memory/memory_keys.hpp"

namespace tcesim {

mem_params memory_params(const tcesim_config &cfg, ps_t horizon_ps)
{
    mem_params mp{};
    mp.latency_ps = ps_from_ns(cfg.memory.latency_ns);
    mp.bandwidth_mbs = cfg.memory.bandwidth_gbs * 1000;
    mp.horizon_ps = horizon_ps;
    mp.llc_bytes = cfg.memory.llc_bytes;
    mp.llc_ways = static_cast<uint32_t>(cfg.memory.llc_ways);
    mp.llc_line = static_cast<uint32_t>(cfg.memory.llc_line);
    mp.llc_hit_ps = ps_from_ns(cfg.memory.llc_hit_ns);
    mp.llc_line_ps = ps_from_ns(cfg.memory.llc_line_ns);
    return mp;
}

} // namespace tcesim
