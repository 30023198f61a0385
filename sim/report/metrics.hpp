// The sweep's metrics: report statistics read back from a point's JSON
// report by path. The default columns are declared here (column, JSON path,
// unit, meaning); each path is a field of the report schema
// (report/schema.cpp) with the same unit, and test_report_schema holds them
// to it. `sweep --metrics PATH,...` adds any report field by its JSON path
// (the column named by the path, unit and meaning from the schema).
// docs/interface.md describes each default column (test_report_schema).
#ifndef TCESIM_REPORT_METRICS_HPP
#define TCESIM_REPORT_METRICS_HPP

#include <string>
#include <vector>

#include <jansson.h>

namespace tcesim {

struct Metric {
    std::string column;   // results.csv column
    std::string path;     // JSON path: dotted names; "name[]" = every element of an array (largest value)
    std::string unit;     // "ns", "Gb/s", "bytes", "" (a count or a ratio)
    std::string meaning;  // one line
    // Over the seeds of one row: the mean, with a <column>_ci95 column (95%
    // confidence half-width, Student's t) when --seeds > 1.
};

const std::vector<Metric> &default_metrics();

// A metric for any report field given by its JSON path; "" when the path is
// well formed, else why not.
std::string metric_from_path(const std::string &path, Metric &out);

// The metric's value in a report: NaN when a field on the path is absent,
// null or not a number; for "name[]" the largest over the array's elements
// (0 for an empty or absent array).
double metric_value(json_t *report, const Metric &m);

} // namespace tcesim

#endif
