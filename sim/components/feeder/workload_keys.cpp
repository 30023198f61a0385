#include "components/feeder/workload_keys.hpp"

#include "params/params.h"

namespace tcesim {

gen_window_params workload_params(const tcesim_config &cfg)
{
    gen_window_params gp{};
    params_fill(params_global, params_global_count, PS_WORKLOAD, &cfg, &gp);
    gp.seed = cfg.workload.seed == CFG_AUTO ? cfg.seed : cfg.workload.seed;
    return gp;
}

} // namespace tcesim
