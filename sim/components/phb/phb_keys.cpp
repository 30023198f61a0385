#include "components/phb/phb_keys.hpp"

namespace tcesim {

phb_gen phb_generation(const tcesim_config &cfg) { return cfg.phb.model == CFG_PHB4 ? PHB_GEN4 : PHB_GEN3; }

phb_params phb_params_from(const tcesim_config &cfg)
{
    phb_params pp{};
    pp.gen = phb_generation(cfg);
    pp.lookup_ps = ps_from_ns(cfg.phb.lookup_ns);
    pp.bypass_ps = ps_from_ns(cfg.phb.bypass_ns);
    pp.walk_ps = ps_from_ns(cfg.phb.walk_ns);
    pp.read_slots = static_cast<uint32_t>(cfg.phb.read_slots);
    pp.fetch_slots = static_cast<uint32_t>(cfg.phb.fetch_slots);
    pp.line_fill = cfg.phb.line_fill;
    pp.line_bytes = static_cast<uint32_t>(cfg.phb.line_bytes);
    pp.walk_line_entries = static_cast<uint32_t>(cfg.phb.walk_line_entries);
    pp.walk_cache_entries = static_cast<uint32_t>(cfg.phb.walk_cache_entries);
    pp.eeh_recovery_ps = ps_from_ns(cfg.phb.eeh_recovery_ns);
    pp.kill_slots = static_cast<uint32_t>(cfg.phb.kill_slots);
    pp.kill_ps = ps_from_ns(cfg.phb.kill_ns);
    pp.kill_sync_ps = ps_from_ns(cfg.phb.kill_sync_ns);
    pp.cache.entries = static_cast<uint32_t>(cfg.phb.cache_entries);
    pp.cache.ways = static_cast<uint32_t>(cfg.phb.cache_ways);
    pp.cache.policy = static_cast<tce_repl>(cfg.phb.cache_policy);
    pp.cache.seed = cfg.seed;
    return pp;
}

} // namespace tcesim
