// The schema read by name (the text report's lookups), flattened (the
// field list, the path check) and rendered (docs/report-fields.md).
#include "report/schema.hpp"

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace tcesim {

// The row of `path` among the sections of one element type; aborts when no
// section declares it.
template <class T>
static Value lookup(std::initializer_list<const Section<T> *> secs, const RunResult &r, const T &x, const char *path)
{
    for (const Section<T> *s : secs) {
        size_t n = std::strlen(s->path);
        if (std::strncmp(path, s->path, n) != 0 || path[n] != '.')
            continue;
        for (const Row<T> &row : s->rows)
            if (std::strcmp(row.name, path + n + 1) == 0) {
                Value v = row.get(r, x);
                if (v.kind == Value::JSON) {
                    json_decref(v.json);
                    v = Value();
                }
                return v;
            }
    }
    std::fprintf(stderr, "tcesim: internal error: the report schema has no field %s\n", path);
    std::abort();
}

Value stat(const RunResult &r, const char *path)
{
    return lookup<RunResult>({&schema_run(), &schema_warmup(), &schema_translation(), &schema_dma(), &schema_allocator(), &schema_host(),
                              &schema_memory(), &schema_epochs()},
                             r, r, path);
}
Value stat(const RunResult &r, const PoolResult &x, const char *path) { return lookup<PoolResult>({&schema_pools()}, r, x, path); }
Value stat(const RunResult &r, const CpuResult &x, const char *path) { return lookup<CpuResult>({&schema_cpus()}, r, x, path); }
Value stat(const RunResult &r, const PeResult &x, const char *path)
{
    return lookup<PeResult>({&schema_groups(), &schema_pes()}, r, x, path);
}
Value stat(const RunResult &r, const DeviceResult &x, const char *path) { return lookup<DeviceResult>({&schema_devices()}, r, x, path); }

static const char *agg_name(Agg a)
{
    switch (a) {
    case Agg::SUM: return "sum";
    case Agg::MAX: return "max";
    case Agg::MERGE: return "merge";
    case Agg::NONE: break;
    }
    return "none";
}

static std::string fmt_name(Fmt f, int decimals)
{
    switch (f) {
    case Fmt::INT: return "integer";
    case Fmt::REAL: return "real (" + std::to_string(decimals) + " decimals)";
    case Fmt::STR: return "string";
    case Fmt::BOOL: return "bool";
    case Fmt::SUMMARY: return "summary";
    case Fmt::HISTOGRAM: return "histogram";
    case Fmt::BREAKDOWN: return "breakdown";
    case Fmt::LIST: return "list of integers";
    case Fmt::ARRAY: break;
    }
    return "array";
}

template <class T> static void flatten(const Section<T> &s, std::vector<FieldInfo> &out)
{
    for (const Row<T> &row : s.rows)
        out.push_back({std::string(s.path) + "." + row.name, row.unit, agg_name(row.agg), fmt_name(row.fmt, row.decimals), row.meaning});
}

std::vector<FieldInfo> schema_fields()
{
    std::vector<FieldInfo> f;
    flatten(schema_run(), f);
    flatten(schema_warmup(), f);
    flatten(schema_translation(), f);
    flatten(schema_dma(), f);
    flatten(schema_allocator(), f);
    flatten(schema_pools(), f);
    flatten(schema_cpus(), f);
    flatten(schema_host(), f);
    flatten(schema_memory(), f);
    flatten(schema_groups(), f);
    flatten(schema_pes(), f);
    flatten(schema_devices(), f);
    flatten(schema_epochs(), f);
    flatten(schema_epoch_series(), f);
    return f;
}

static const char *const kSummaryMembers[] = {"mean", "p50", "p90", "p99", "p999", "max"};

static bool is_summary_member(const std::string &m)
{
    for (const char *s : kSummaryMembers)
        if (m == s)
            return true;
    return false;
}

bool schema_field(const std::string &path, FieldInfo &out)
{
    for (const FieldInfo &f : schema_fields()) {
        if (path == f.path) {
            out = f;
            return true;
        }
        if (path.compare(0, f.path.size() + 1, f.path + ".") != 0)
            continue;
        std::string rest = path.substr(f.path.size() + 1);
        bool member = f.fmt == "summary" && is_summary_member(rest);
        for (int i = 0; f.fmt == "breakdown" && i < Breakdown::N; i++) {
            std::string part = Breakdown::name(i);
            member |= rest == part || (rest.compare(0, part.size() + 1, part + ".") == 0 && is_summary_member(rest.substr(part.size() + 1)));
        }
        if (member) {
            out = f;
            out.path = path;
            out.fmt = "real (3 decimals)";
            out.meaning = f.meaning + " (" + rest + ")";
            if (rest.find('.') == std::string::npos && f.fmt == "breakdown")
                out.fmt = "summary";
            return true;
        }
    }
    return false;
}

bool schema_has_path(const std::string &path)
{
    FieldInfo f;
    return schema_field(path, f);
}

// The pool kinds (allocator.pools[].kind), settled here.
static const char *const kPoolKinds[][2] = {
    {"small", "one of a PE's small pools, ids 0 to pes[].pools - 1, each under its own lock"},
    {"large", "the PE's large pool, id pes[].pools: the large allocations, and the small ones that fell back to it "
              "(iommu.large_pool_fallback)"},
    {"table", "with iommu.lock=global, the one lock of the PE's whole iommu_table (id 0; its allocs and fallbacks_in count "
              "every pool's); no small or large entries then"},
    {"depot", "with iommu.cache=magazine, the lock of the PE's magazine depot (id pes[].pools + 1): the per-CPU magazines' "
              "refills and flushes (allocs and fallbacks_in 0)"},
};

template <class T> static void section_md(const Section<T> &s, std::string &o)
{
    std::string m = s.meaning;
    m[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(m[0])));
    o += "\n## `" + std::string(s.path) + "`\n\n" + m + ".\n\n";
    o += "| field | unit | format | aggregation | meaning |\n|---|---|---|---|---|\n";
    for (const Row<T> &row : s.rows)
        o += "| `" + std::string(row.name) + "` | " + row.unit + " | " + fmt_name(row.fmt, row.decimals) + " | " + agg_name(row.agg) +
             " | " + row.meaning + " |\n";
}

std::string schema_markdown()
{
    std::string o =
        "# Report fields\n\n"
        "<!-- Generated from the report schema (sim/report/schema.cpp) by schema_markdown();\n"
        "     TCESIM_WRITE_REPORT_FIELDS_DOC=1 build-asan/tests/test_report_fields_doc rewrites it. -->\n\n"
        "Every field of the JSON report (`tcesim run --json`), one table per section, from the\n"
        "schema the JSON and text reports are written from (docs/interface.md describes the\n"
        "report). A `summary` is `{mean, p50, p90, p99, p999, max}` in ns; a `histogram` is\n"
        "`[[lower_edge_ns, count], ...]` over the non-empty buckets; a `breakdown` is one summary\n"
        "per part (`device, link, translation, fetch_slot_wait, memory, completion`). A dotted\n"
        "name is a member of a nested object. Aggregation: how the statistic combines over its\n"
        "parts (devices into PEs and the run, pools, CPUs, epochs): `sum`, `max`, `merge` (of\n"
        "distributions) or `none` (a setting, an identity, a ratio recomputed from its parts).\n";
    section_md(schema_run(), o);
    section_md(schema_warmup(), o);
    section_md(schema_translation(), o);
    section_md(schema_dma(), o);
    section_md(schema_allocator(), o);
    section_md(schema_pools(), o);
    o += "\n`kind`:\n\n";
    for (const auto &k : kPoolKinds)
        o += std::string("- `") + k[0] + "`: " + k[1] + ".\n";
    section_md(schema_cpus(), o);
    section_md(schema_host(), o);
    section_md(schema_memory(), o);
    section_md(schema_groups(), o);
    section_md(schema_pes(), o);
    section_md(schema_devices(), o);
    section_md(schema_epochs(), o);
    section_md(schema_epoch_series(), o);
    return o;
}

// ---- Checking a report someone hands back ----

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real";
    case JSON_TRUE:
    case JSON_FALSE: return "a bool";
    case JSON_NULL: return "null";
    }
    return "something else";
}

bool json_u64(const json_t *v, uint64_t &out)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0)
            return false;
        out = static_cast<uint64_t>(i);
        return true;
    }
    const char *s = json_string_value(v);
    if (!s || !*s || std::strlen(s) > 20)
        return false;
    for (const char *p = s; *p; p++)
        if (!std::isdigit(static_cast<unsigned char>(*p)))
            return false;
    errno = 0;
    unsigned long long u = std::strtoull(s, nullptr, 10);
    if (errno != 0 || u <= static_cast<unsigned long long>(INT64_MAX))
        return false;
    out = u;
    return true;
}

// Signed integer rows may be negative; unsigned ones above 2^63 - 1 are
// strings (json_u64).
static bool is_int(const json_t *v)
{
    uint64_t u;
    return json_is_integer(v) || json_u64(v, u);
}

static std::string check_summary(const json_t *v, const std::string &where)
{
    if (!json_is_object(v))
        return where + ": expected a summary object {mean, p50, ...}, got " + json_kind(v);
    const char *k;
    const json_t *m;
    json_object_foreach(const_cast<json_t *>(v), k, m)
        if (is_summary_member(k) && !json_is_number(m))
            return where + "." + k + ": expected a number, got " + json_kind(m);
    return "";
}

static std::string check_leaf(const json_t *v, const std::string &fmt, const std::string &where)
{
    auto want = [&](const char *what) { return where + ": expected " + what + ", got " + json_kind(v); };
    if (fmt == "integer")
        return is_int(v) ? "" : want("an integer");
    if (fmt.compare(0, 4, "real") == 0)
        return json_is_number(v) ? "" : want("a number");
    if (fmt == "string")
        return json_is_string(v) || json_is_null(v) ? "" : want("a string");
    if (fmt == "bool")
        return json_is_boolean(v) ? "" : want("a bool");
    if (fmt == "summary")
        return check_summary(v, where);
    if (fmt == "breakdown") {
        if (!json_is_object(v))
            return want("a breakdown object");
        for (int i = 0; i < Breakdown::N; i++)
            if (const json_t *part = json_object_get(v, Breakdown::name(i))) {
                std::string e = check_summary(part, where + "." + Breakdown::name(i));
                if (!e.empty())
                    return e;
            }
        return "";
    }
    if (fmt == "histogram" || fmt == "list of integers") {
        if (!json_is_array(v))
            return want("an array");
        size_t i;
        const json_t *e;
        json_array_foreach(v, i, e) {
            std::string at = where + "." + std::to_string(i);
            if (fmt == "list of integers") {
                if (!is_int(e))
                    return at + ": expected an integer, got " + json_kind(e);
            } else if (!json_is_array(e) || json_array_size(e) != 2 || !json_is_number(json_array_get(e, 0)) ||
                       !is_int(json_array_get(e, 1))) {
                return at + ": expected a [lower_edge_ns, count] pair";
            }
        }
        return "";
    }
    return json_is_array(v) ? "" : want("an array"); // an array of a nested section: its rows are checked apart
}

// Walks one field's path (parts ending in [] are arrays of objects) through
// v; absent parts are optional fields left out.
static std::string check_path(const json_t *v, const std::vector<std::string> &parts, size_t i, const std::string &fmt,
                              const std::string &where)
{
    if (i == parts.size())
        return check_leaf(v, fmt, where);
    if (!json_is_object(v))
        return where + ": expected an object, got " + json_kind(v);
    std::string name = parts[i];
    bool array = name.size() > 2 && name.compare(name.size() - 2, 2, "[]") == 0;
    if (array)
        name.resize(name.size() - 2);
    const json_t *c = json_object_get(v, name.c_str());
    std::string at = where.empty() ? name : where + "." + name;
    if (!c)
        return "";
    if (!array)
        return check_path(c, parts, i + 1, fmt, at);
    if (!json_is_array(c))
        return at + ": expected an array, got " + json_kind(c);
    size_t k;
    const json_t *e;
    json_array_foreach(c, k, e) {
        std::string r = check_path(e, parts, i + 1, fmt, at + "." + std::to_string(k));
        if (!r.empty())
            return r;
    }
    return "";
}

std::string schema_check(const json_t *doc)
{
    if (!json_is_object(doc))
        return std::string("(the document): expected a tcesim.report/1 object, got ") + json_kind(doc);
    const json_t *schema = json_object_get(doc, "schema");
    if (!schema)
        return "schema: missing: not a tcesim report (a tcesim run --json file has \"schema\": \"tcesim.report/1\")";
    if (!json_is_string(schema) || std::strcmp(json_string_value(schema), "tcesim.report/1") != 0)
        return "schema: not a tcesim report (expected \"tcesim.report/1\")";
    for (const char *sec : {"run", "translation", "dma"}) {
        const json_t *s = json_object_get(doc, sec);
        if (!s)
            return std::string(sec) + ": missing (every report has it: an incomplete file?)";
        if (!json_is_object(s))
            return std::string(sec) + ": expected an object, got " + json_kind(s);
    }
    for (const FieldInfo &f : schema_fields()) {
        std::vector<std::string> parts;
        size_t a = 0, b;
        while ((b = f.path.find('.', a)) != std::string::npos) {
            parts.push_back(f.path.substr(a, b - a));
            a = b + 1;
        }
        parts.push_back(f.path.substr(a));
        std::string e = check_path(doc, parts, 0, f.fmt, "");
        if (!e.empty())
            return e;
    }
    return "";
}

} // namespace tcesim
