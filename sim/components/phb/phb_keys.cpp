#include "components/phb/phb_keys.hpp"

#include "params/params.h"

namespace tcesim {

phb_gen phb_generation(const tcesim_config &cfg) { return cfg.phb.model == CFG_PHB4 ? PHB_GEN4 : PHB_GEN3; }

phb_params phb_params_from(const tcesim_config &cfg)
{
    phb_params pp{};
    params_fill(params_global, params_global_count, PS_PHB, &cfg, &pp);
    // The TCE cache's random policy draws from the run's seed.
    pp.cache.seed = cfg.seed;
    return pp;
}

} // namespace tcesim
