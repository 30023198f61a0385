#include "components/memory/memory_keys.hpp"

#include "params/params.h"

namespace tcesim {

mem_params memory_params(const tcesim_config &cfg, ps_t horizon_ps)
{
    mem_params mp{};
    params_fill(params_global, params_global_count, PS_MEM, &cfg, &mp);
    mp.horizon_ps = horizon_ps;
    return mp;
}

} // namespace tcesim
