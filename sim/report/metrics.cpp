#include "report/metrics.hpp"
#include "report/schema.hpp"

#include <cmath>

namespace tcesim {

const std::vector<Metric> &default_metrics()
{
    static const std::vector<Metric> m = {
        {"hit_rate", "translation.hit_rate", "", "TCE cache hits / lookups"},
        {"translation_p50_ns", "translation.latency_ns.p50", "ns", "median translation latency (PHB arrival to translated address)"},
        {"translation_p99_ns", "translation.latency_ns.p99", "ns", "99th percentile translation latency"},
        {"translation_p999_ns", "translation.latency_ns.p999", "ns", "99.9th percentile translation latency"},
        {"dma_throughput_gbps", "dma.throughput_gbps", "Gb/s", "completed DMA payload over the simulated time"},
        {"pool_wait_p99_ns", "allocator.pools[].wait_ns.p99", "ns", "the largest 99th percentile pool-lock wait over the pools"},
        {"alloc_failures", "allocator.failures", "", "allocations that returned a mapping error"},
        {"faults", "translation.faults", "", "faulting TLPs"},
        {"dma_lost_bytes", "dma.lost_bytes", "bytes", "payload of accesses that faulted, were dropped or were skipped"},
    };
    return m;
}

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::string metric_from_path(const std::string &path, Metric &out)
{
    size_t at = 0;
    while (at <= path.size()) {
        size_t end = path.find('.', at);
        if (end == std::string::npos)
            end = path.size();
        std::string seg = path.substr(at, end - at);
        if (seg.size() > 2 && seg.compare(seg.size() - 2, 2, "[]") == 0)
            seg.resize(seg.size() - 2);
        if (seg.empty())
            return "empty name";
        for (char c : seg)
            if (!name_char(c))
                return std::string("'") + c + "' in a name (expected letters, digits, _ and [] after an array)";
        at = end + 1;
    }
    out = Metric{path, path, "", ""};
    // A schema field's unit and meaning (the sweep's own convention: a
    // ratio has no unit); a path the schema lacks reads NaN (metric_value).
    FieldInfo f;
    if (schema_field(path, f)) {
        out.unit = f.unit == "ratio" ? "" : f.unit;
        out.meaning = f.meaning;
    }
    return "";
}

static double number(json_t *j)
{
    if (json_is_integer(j))
        return static_cast<double>(json_integer_value(j));
    if (json_is_real(j))
        return json_real_value(j);
    return NAN;
}

static double value_at(json_t *j, const std::string &path, size_t at)
{
    if (at > path.size())
        return number(j);
    size_t end = path.find('.', at);
    if (end == std::string::npos)
        end = path.size();
    std::string seg = path.substr(at, end - at);
    bool each = seg.size() > 2 && seg.compare(seg.size() - 2, 2, "[]") == 0;
    if (!each)
        return value_at(json_object_get(j, seg.c_str()), path, end + 1);
    seg.resize(seg.size() - 2);
    json_t *a = json_object_get(j, seg.c_str());
    double best = 0;
    for (size_t i = 0; i < json_array_size(a); i++) {
        double v = value_at(json_array_get(a, i), path, end + 1);
        if (v > best)
            best = v;
    }
    return best;
}

double metric_value(json_t *report, const Metric &m) { return value_at(report, m.path, 0); }

} // namespace tcesim
