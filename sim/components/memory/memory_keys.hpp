// The memory component's parameters from the configuration (memory.*).
#ifndef TCESIM_COMPONENTS_MEMORY_KEYS_HPP
#define TCESIM_COMPONENTS_MEMORY_KEYS_HPP

#include "config.h"

extern "C" {
#include "memory/memory.h"
}

namespace tcesim {

// horizon_ps: the widest out-of-order spread of arrivals the calendars must
// cover (a property of the run's schedule, not a key).
mem_params memory_params(const tcesim_config &cfg, ps_t horizon_ps);

} // namespace tcesim

#endif
