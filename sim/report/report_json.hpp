// The JSON report (schema tcesim.report/1, docs/interface.md and
// docs/report-fields.md): the schema's sections walked row by row.
#ifndef TCESIM_REPORT_REPORT_JSON_HPP
#define TCESIM_REPORT_REPORT_JSON_HPP

#include <jansson.h>

#include "result.hpp"

namespace tcesim {

// The arrays nested in a section (allocator.pools, epochs.series).
json_t *section_array_pools(const RunResult &r);
json_t *section_array_epochs(const RunResult &r);

} // namespace tcesim

#endif
