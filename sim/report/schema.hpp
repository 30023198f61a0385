// The report's schema: every statistic declared once, as a row of the table
// of its section (JSON name, unit, one-line meaning, how it aggregates, the
// number format, and the accessor that takes its value from the RunResult).
// The JSON report walks these rows (report/report_json.cpp); the text report
// reads every value it prints through a row, by name (report_text.cpp);
// docs/report-fields.md is the rows rendered (schema_markdown, held to them by
// tests/unit/test_report_fields_doc.cpp); the sweep's default metrics and
// scripts/report.py's headline name schema paths (test_report_schema.cpp).
#ifndef TCESIM_REPORT_SCHEMA_HPP
#define TCESIM_REPORT_SCHEMA_HPP

#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include <jansson.h>

#include "result.hpp"

namespace tcesim {

// How a statistic combines over its parts (devices into PEs and the run,
// CPUs, pools, epochs): added, the largest, distributions merged, or not at
// all (a setting, an identity, a ratio recomputed from its parts).
enum class Agg { SUM, MAX, MERGE, NONE };

// The JSON form: an integer, a real rounded to `decimals`, a string (or
// null), a boolean, a latency summary {mean, p50, p90, p99, p999, max}, a
// histogram [[lower_edge_ns, count], ...], a breakdown (one summary per part
// of Breakdown), a list of integers, or an array of a nested section.
enum class Fmt { INT, REAL, STR, BOOL, SUMMARY, HISTOGRAM, BREAKDOWN, LIST, ARRAY };

// One value as a row gives it. ABSENT: the field is left out of this report
// (an optional field: allocator.magazines without magazines, ...).
struct Value {
    enum Kind { ABSENT, NUL, UINT, INT, REAL, STR, BOOL, SUMMARY, HIST, BREAKDOWN, LIST, JSON } kind = ABSENT;
    uint64_t u = 0;
    int64_t i = 0;
    double d = 0;
    bool b = false;
    std::string s;
    Summary sum;
    const LatencyHist *hist = nullptr;
    const Breakdown *bd = nullptr;
    std::vector<uint64_t> list;
    json_t *json = nullptr; // ARRAY rows: the nested section, built (owned by the caller)

    Value() = default;
    template <class N, std::enable_if_t<std::is_integral_v<N> && !std::is_same_v<N, bool>, int> = 0>
    Value(N n) : kind(std::is_signed_v<N> ? INT : UINT), u(static_cast<uint64_t>(n)), i(static_cast<int64_t>(n)) {}
    Value(double v) : kind(REAL), d(v) {}
    Value(bool v) : kind(BOOL), b(v) {}
    Value(std::string v) : kind(STR), s(std::move(v)) {}
    Value(const char *v) : kind(STR), s(v) {}
    Value(const Summary &v) : kind(SUMMARY), sum(v) {}
    Value(const LatencyHist &h) : kind(HIST), hist(&h) {}
    Value(const Breakdown &v) : kind(BREAKDOWN), bd(&v) {}
    Value(std::vector<uint64_t> v) : kind(LIST), list(std::move(v)) {}
    static Value null() { Value v; v.kind = NUL; return v; }
    static Value of_json(json_t *j) { Value v; v.kind = JSON; v.json = j; return v; }
};

template <class T> struct Row {
    const char *name;    // JSON name within the section; "a.b": field b of object a
    const char *unit;    // "ns", "bytes", "Gb/s", "s", "TLPs/s", "ratio", "" (a count, an identity)
    Agg agg;
    Fmt fmt;
    int decimals;        // REAL only
    const char *meaning; // one line, no '|'
    std::function<Value(const RunResult &, const T &)> get;
};

// A section: its JSON path ("translation", "allocator.pools[]") and rows.
template <class T> struct Section {
    const char *path;
    const char *meaning;
    std::vector<Row<T>> rows;
};

// A point of the epoch series (epochs.series[]): the row and its index.
struct EpochPoint {
    const EpochRow &e;
    size_t index;
};

// The sections, in report order.
const Section<RunResult> &schema_run();
const Section<RunResult> &schema_translation();
const Section<RunResult> &schema_dma();
const Section<RunResult> &schema_allocator();
const Section<PoolResult> &schema_pools();
const Section<CpuResult> &schema_cpus();
const Section<RunResult> &schema_host();
const Section<RunResult> &schema_memory();
const Section<PeResult> &schema_groups();
const Section<PeResult> &schema_pes();
const Section<DeviceResult> &schema_devices();
const Section<RunResult> &schema_epochs();
const Section<RunResult> &schema_warmup();
const Section<EpochPoint> &schema_epoch_series();

// A section's object (the rows' values, ABSENT ones left out, dotted names
// nested) as the JSON report holds it.
template <class T> json_t *schema_object(const Section<T> &s, const RunResult &r, const T &x);

// The value of the row at `path` ("translation.lookups", "allocator.pools[].kind"):
// how the text report reads every value it prints. An unknown path aborts
// (a name the schema does not declare is a programming error).
Value stat(const RunResult &r, const char *path);
Value stat(const RunResult &r, const PoolResult &x, const char *path);
Value stat(const RunResult &r, const CpuResult &x, const char *path);
Value stat(const RunResult &r, const PeResult &x, const char *path);
Value stat(const RunResult &r, const DeviceResult &x, const char *path);

// Every field, flattened: full path ("dma.lost.faulted_bytes",
// "pes[].dma_latency_ns"), unit, aggregation, format and meaning.
struct FieldInfo {
    std::string path, unit, agg, fmt, meaning;
};
std::vector<FieldInfo> schema_fields();
// A path names a report field: a row, or a member of a summary
// ("dma.latency_ns.p99") or of a breakdown ("dma.breakdown.memory.p50").
bool schema_has_path(const std::string &path);
// The field a path names (a member: its row, the member named in the
// meaning); false when the schema has none.
bool schema_field(const std::string &path, FieldInfo &out);
// docs/report-fields.md.
std::string schema_markdown();
// Whether a parsed document is a whole `tcesim.report/1` report as far as a
// reader relies on it: the schema string, the run, translation and dma
// sections, and every field the schema declares that is present has its
// declared JSON form (an integer, a number, a summary object, a histogram of
// [edge, count] pairs, ...). "" or the first problem as "PATH: what is
// wrong", PATH with array indices (devices.1.write_tlps). O(size of doc).
std::string schema_check(const json_t *doc);
// An unsigned integer as the report writes it: a JSON integer >= 0, or,
// above 2^63 - 1 (beyond JSON integers in jansson), a decimal string.
bool json_u64(const json_t *v, uint64_t &out);

} // namespace tcesim

#endif
