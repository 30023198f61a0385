// The PHB component's parameters from the configuration (phb.*, seed).
#ifndef TCESIM_COMPONENTS_PHB_KEYS_HPP
#define TCESIM_COMPONENTS_PHB_KEYS_HPP

#include "config.h"

extern "C" {
#include "phb/phb.h"
}

namespace tcesim {

phb_gen phb_generation(const tcesim_config &cfg);
phb_params phb_params_from(const tcesim_config &cfg);

} // namespace tcesim

#endif
