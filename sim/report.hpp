// Report writers: the readable text report and the JSON report (schema
// tcesim.report/1, docs/interface.md). They read a RunResult and nothing else.
#ifndef TCESIM_REPORT_HPP
#define TCESIM_REPORT_HPP

#include <string>
#include <vector>

#include "result.hpp"

namespace tcesim {

std::string report_text(const RunResult &r);
// "" when no DMA was lost; else one line: the share of bytes lost (of
// completed + lost), the PE that froze first, when and after which access,
// and the accesses skipped after failed maps.
std::string loss_warning(const RunResult &r);
// "" when no stale access reached memory; else one line: how many did (the
// buffer mapped there since, or the old one through bypass or a TCE still
// cached under lazy invalidation) and the first.
std::string stale_warning(const RunResult &r);
// Host ops started after their time because the replay window was full.
std::string late_warning(const RunResult &r);
// Stale accesses through forgotten handles (sim.dead_handles), "" when none.
std::string untracked_warning(const RunResult &r);
// Link directions and the memory channel busy >= 95% of their span: what
// hid translation's cost (dma.hidden_by).
std::vector<std::string> bound_notes(const RunResult &r);
double busy_share(uint64_t busy_ps, uint64_t span_ps);
// The JSON document; fields whose name contains "wall" are the only ones
// that differ between two runs with the same inputs (and run.version
// between two builds).
std::string report_json(const RunResult &r);

} // namespace tcesim

#endif
