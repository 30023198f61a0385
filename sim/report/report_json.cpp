// report_json: every section of the schema, in report order, then the
// configuration echo.
#include "report.hpp"
#include "report/report_json.hpp"
#include "report/schema.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace tcesim {

// Rounds to a fixed number of decimals so that the JSON text is stable and
// readable (the values are model outputs, not measurements).
static json_t *real(double v, int decimals)
{
    double scale = 1;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    double r = static_cast<double>(static_cast<long long>(v * scale + (v >= 0 ? 0.5 : -0.5))) / scale;
    return json_real(r);
}

static json_t *summary_json(const Summary &s)
{
    json_t *o = json_object();
    json_object_set_new(o, "mean", real(s.mean_ns, 3));
    json_object_set_new(o, "p50", real(s.p50_ns, 3));
    json_object_set_new(o, "p90", real(s.p90_ns, 3));
    json_object_set_new(o, "p99", real(s.p99_ns, 3));
    json_object_set_new(o, "p999", real(s.p999_ns, 3));
    json_object_set_new(o, "max", real(s.max_ns, 3));
    return o;
}

static json_t *histogram_json(const LatencyHist &h)
{
    json_t *a = json_array();
    for (const auto &b : h.buckets())
        json_array_append_new(a, json_pack("[fI]", b.first, static_cast<json_int_t>(b.second)));
    return a;
}

static json_t *breakdown_json(const Breakdown &b)
{
    json_t *o = json_object();
    for (int i = 0; i < Breakdown::N; i++)
        json_object_set_new(o, Breakdown::name(i), summary_json(b.part[i].summary()));
    return o;
}

// A value in its row's format.
static json_t *value_json(Fmt fmt, int decimals, const Value &v)
{
    switch (v.kind) {
    case Value::NUL:
        return json_null();
    case Value::UINT:
        if (fmt != Fmt::REAL && v.u > static_cast<uint64_t>(INT64_MAX)) {
            // past a JSON integer's signed 64 bits (a seed may be any u64): a
            // decimal string, as the config echo writes it
            char b[24];
            std::snprintf(b, sizeof b, "%llu", static_cast<unsigned long long>(v.u));
            return json_string(b);
        }
        return fmt == Fmt::REAL ? real(static_cast<double>(v.u), decimals) : json_integer(static_cast<json_int_t>(v.u));
    case Value::INT:
        return fmt == Fmt::REAL ? real(static_cast<double>(v.i), decimals) : json_integer(static_cast<json_int_t>(v.i));
    case Value::REAL:
        return real(v.d, decimals);
    case Value::STR:
        return json_string(v.s.c_str());
    case Value::BOOL:
        return json_boolean(v.b);
    case Value::SUMMARY:
        return summary_json(v.sum);
    case Value::HIST:
        return histogram_json(*v.hist);
    case Value::BREAKDOWN:
        return breakdown_json(*v.bd);
    case Value::LIST: {
        json_t *a = json_array();
        for (uint64_t n : v.list)
            json_array_append_new(a, json_integer(static_cast<json_int_t>(n)));
        return a;
    }
    case Value::JSON:
        return v.json;
    case Value::ABSENT:
        break;
    }
    return json_null();
}

// Sets o["a"]["b"] for the name "a.b", creating "a" (in row order) when it
// is the first of its members.
static void set_path(json_t *o, const char *name, json_t *v)
{
    const char *dot = std::strchr(name, '.');
    if (!dot) {
        json_object_set_new(o, name, v);
        return;
    }
    std::string head(name, dot);
    json_t *sub = json_object_get(o, head.c_str());
    if (!sub) {
        sub = json_object();
        json_object_set_new(o, head.c_str(), sub);
    }
    set_path(sub, dot + 1, v);
}

template <class T> json_t *schema_object(const Section<T> &s, const RunResult &r, const T &x)
{
    json_t *o = json_object();
    for (const Row<T> &row : s.rows) {
        Value v = row.get(r, x);
        if (v.kind != Value::ABSENT)
            set_path(o, row.name, value_json(row.fmt, row.decimals, v));
    }
    return o;
}

template json_t *schema_object(const Section<RunResult> &, const RunResult &, const RunResult &);
template json_t *schema_object(const Section<PoolResult> &, const RunResult &, const PoolResult &);
template json_t *schema_object(const Section<CpuResult> &, const RunResult &, const CpuResult &);
template json_t *schema_object(const Section<PeResult> &, const RunResult &, const PeResult &);
template json_t *schema_object(const Section<DeviceResult> &, const RunResult &, const DeviceResult &);
template json_t *schema_object(const Section<EpochPoint> &, const RunResult &, const EpochPoint &);

template <class T> static json_t *array_of(const Section<T> &s, const RunResult &r, const std::vector<T> &xs)
{
    json_t *a = json_array();
    for (const T &x : xs)
        json_array_append_new(a, schema_object(s, r, x));
    return a;
}

json_t *section_array_pools(const RunResult &r) { return array_of(schema_pools(), r, r.alloc.pools); }

json_t *section_array_epochs(const RunResult &r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r.epochs.size(); i++)
        json_array_append_new(a, schema_object(schema_epoch_series(), r, EpochPoint{r.epochs[i], i}));
    return a;
}

std::string report_json(const RunResult &r)
{
    json_t *root = json_object();
    json_object_set_new(root, "schema", json_string("tcesim.report/1"));
    json_object_set_new(root, "run", schema_object(schema_run(), r, r));
    if (r.warmup_ps)
        json_object_set_new(root, "warmup", schema_object(schema_warmup(), r, r));
    json_object_set_new(root, "translation", schema_object(schema_translation(), r, r));
    json_object_set_new(root, "dma", schema_object(schema_dma(), r, r));
    json_object_set_new(root, "allocator", schema_object(schema_allocator(), r, r));
    json_object_set_new(root, "cpus", array_of(schema_cpus(), r, r.cpus));
    json_object_set_new(root, "host", schema_object(schema_host(), r, r));
    json_object_set_new(root, "memory", schema_object(schema_memory(), r, r));
    json_object_set_new(root, "groups", array_of(schema_groups(), r, r.pes));
    json_object_set_new(root, "pes", array_of(schema_pes(), r, r.pes));
    json_object_set_new(root, "devices", array_of(schema_devices(), r, r.devices));
    if (r.epoch_ns)
        json_object_set_new(root, "epochs", schema_object(schema_epochs(), r, r));

    char *cj = config_to_json(&r.cfg);
    json_error_t je;
    json_t *cfg = cj ? json_loads(cj, 0, &je) : nullptr;
    free(cj);
    json_object_set_new(root, "config", cfg ? cfg : json_null());

    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(root);
    std::string out = s ? s : "";
    free(s);
    return out + "\n";
}

} // namespace tcesim
