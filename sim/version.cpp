#include "version.hpp"

#include "tcesim_version.h"

namespace tcesim {

const char *version() { return TCESIM_VERSION_FULL; }

} // namespace tcesim
