#include "components/feeder/workload_keys.hpp"

namespace tcesim {

gen_window_params workload_params(const tcesim_config &cfg)
{
    gen_window_params gp{};
    gp.pattern = static_cast<gen_window_pattern>(cfg.workload.pattern);
    gp.stride = cfg.workload.stride;
    gp.window = cfg.workload.window;
    gp.size = cfg.workload.size;
    gp.op = cfg.workload.op == CFG_OP_WRITE ? TR_WRITE : TR_READ;
    gp.count = cfg.workload.count;
    gp.device = static_cast<uint32_t>(cfg.workload.device);
    gp.cpu = static_cast<uint32_t>(cfg.workload.cpu);
    gp.seed = cfg.workload.seed == CFG_AUTO ? cfg.seed : cfg.workload.seed;
    return gp;
}

} // namespace tcesim
