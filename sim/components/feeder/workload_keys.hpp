// The built-in workload's parameters from the configuration (workload.*,
// seed): the window generator the feeder reads when no trace is given.
#ifndef TCESIM_COMPONENTS_WORKLOAD_KEYS_HPP
#define TCESIM_COMPONENTS_WORKLOAD_KEYS_HPP

#include "config.h"

extern "C" {
#include "traces/gen_window.h"
}

namespace tcesim {

gen_window_params workload_params(const tcesim_config &cfg);

} // namespace tcesim

#endif
