// The sweep's metric schema (sim/report/metrics.cpp) and the report schema
// (sim/report/schema.cpp) against a real report and the interface page: every
// default results.csv metric reads a number from a real run's JSON report and
// names a schema field, and docs/interface.md names every column; the
// interface page also names every field of that report. The report holds
// exactly the schema's fields; the text report reads only schema fields (an
// unknown one aborts); every path scripts/report.py's headline reads is one.
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <jansson.h>

#include "config.h"
#include "report.hpp"
#include "report/metrics.hpp"
#include "report/schema.hpp"
#include "result.hpp"
#include "system/system.hpp"

// cmocka last: it defines fail() and skip() as macros.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}

using namespace tcesim;

// libsystemc needs an sc_main; this test has its own main.
extern "C" int sc_main(int, char **) { return 0; }

static std::string read_all(const std::string &path)
{
    std::ifstream f(path);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

// One simulation per process (SystemC elaborates once): every check that
// needs a report shares this one.
static std::unique_ptr<RunResult> the_result;

static json_t *the_report()
{
    static json_t *r = nullptr;
    if (r)
        return r;
    static tcesim_config c;
    config_defaults(&c);
    cfg_error cerr;
    assert_int_equal(config_set(&c, "workload.count=2000", &cerr), 0);
    // Optional sections on: the magazines' counters, the epoch series, the
    // warm-up's (run.warmup_ns, run.measured_ns, warmup.*).
    assert_int_equal(config_set(&c, "iommu.cache=magazine", &cerr), 0);
    assert_int_equal(config_set(&c, "sim.warmup_ns=1000", &cerr), 0);
    RunOptions opt;
    opt.epoch_ns = 1000;
    std::string err;
    assert_int_equal(run_simulation(c, opt, the_result, err), 0);
    json_error_t je;
    r = json_loads(report_json(*the_result).c_str(), 0, &je);
    assert_non_null(r);
    return r;
}

static void every_default_metric_reads_a_number_from_a_report(void **state)
{
    (void)state;
    for (const Metric &m : default_metrics()) {
        double v = metric_value(the_report(), m);
        if (std::isnan(v))
            fail_msg("%s: %s is not a number in the report", m.column.c_str(), m.path.c_str());
    }
}

static void the_interface_page_names_every_default_metric(void **state)
{
    (void)state;
    std::string doc = read_all(std::string(TCESIM_SOURCE_DIR) + "/docs/interface.md");
    assert_false(doc.empty());
    for (const Metric &m : default_metrics()) {
        if (doc.find(m.column) == std::string::npos)
            fail_msg("docs/interface.md does not name the results.csv column %s", m.column.c_str());
        std::string leaf = m.path.substr(m.path.rfind('.') + 1);
        if (doc.find(leaf) == std::string::npos)
            fail_msg("docs/interface.md does not name the report field %s", m.path.c_str());
        if (m.meaning.empty())
            fail_msg("%s: no meaning", m.column.c_str());
    }
}

// Every object key of the report (the config echo aside: `tcesim config`
// documents it) appears in docs/interface.md as a word.
static void names_of(json_t *j, const std::string &path, const std::string &doc, unsigned &missing)
{
    if (json_is_array(j)) {
        for (size_t i = 0; i < json_array_size(j) && i < 3; i++)
            names_of(json_array_get(j, i), path + "[]", doc, missing);
        return;
    }
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v) {
        std::string key = k;
        if (path.empty() && key == "config")
            continue;
        bool found = false;
        for (size_t at = doc.find(key); at != std::string::npos && !found; at = doc.find(key, at + 1)) {
            auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
            found = (at == 0 || !word(doc[at - 1])) && (at + key.size() >= doc.size() || !word(doc[at + key.size()]));
        }
        if (!found) {
            std::fprintf(stderr, "docs/interface.md does not name the report field %s%s\n", path.c_str(), k);
            missing++;
        }
        names_of(v, path + k + ".", doc, missing);
    }
}

static void the_interface_page_names_every_report_field(void **state)
{
    (void)state;
    std::string doc = read_all(std::string(TCESIM_SOURCE_DIR) + "/docs/interface.md");
    unsigned missing = 0;
    names_of(the_report(), "", doc, missing);
    assert_int_equal(missing, 0);
}

static void a_path_selects_any_report_field_and_arrays_take_the_largest(void **state)
{
    (void)state;
    Metric m;
    assert_string_equal(metric_from_path("dma.latency_ns.p99", m).c_str(), "");
    assert_string_equal(m.column.c_str(), "dma.latency_ns.p99");
    double p99 = json_real_value(json_object_get(json_object_get(json_object_get(the_report(), "dma"), "latency_ns"), "p99"));
    assert_true(metric_value(the_report(), m) == p99);
    assert_string_equal(metric_from_path("pes[].lookups", m).c_str(), "");
    assert_true(metric_value(the_report(), m) == 2000); // PE 1 runs the workload
    assert_string_equal(metric_from_path("dma.no_such_field", m).c_str(), "");
    assert_true(std::isnan(metric_value(the_report(), m)));
    assert_string_not_equal(metric_from_path("dma..p99", m).c_str(), "");
    assert_string_not_equal(metric_from_path("dma.latency ns", m).c_str(), "");
    assert_string_not_equal(metric_from_path("", m).c_str(), "");
}


// Every field of the report (the config echo aside) is a schema field, and
// every schema field is in the report (fields that only some runs have
// aside: group_add_reason, written for a device not added to its group).
static void report_paths(json_t *j, const std::string &path, std::vector<std::string> &out)
{
    if (json_is_array(j)) {
        if (path.size() && (json_array_size(j) == 0 || json_is_object(json_array_get(j, 0))))
            for (size_t i = 0; i < json_array_size(j); i++)
                report_paths(json_array_get(j, i), path + "[]", out);
        return;
    }
    if (!json_is_object(j))
        return;
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v) {
        std::string p = path.empty() ? k : path + "." + k;
        if (path.empty() && (p == "config" || p == "schema"))
            continue;
        out.push_back(p);
        if (json_is_object(v) || json_is_array(v))
            report_paths(v, p, out);
    }
}

static void the_report_holds_exactly_the_schema_fields(void **state)
{
    (void)state;
    std::vector<std::string> paths;
    report_paths(the_report(), "", paths);
    unsigned bad = 0;
    for (const std::string &p : paths) {
        bool object = false; // an object that only groups dotted rows ("translation.cache")
        for (const FieldInfo &f : schema_fields())
            object |= f.path.compare(0, p.size() + 1, p + ".") == 0;
        bool section = false;
        for (const char *s : {"run", "warmup", "translation", "dma", "allocator", "cpus", "memory", "groups", "pes", "devices", "epochs"})
            section |= p == s;
        if (!object && !section && !schema_has_path(p)) {
            std::fprintf(stderr, "the report's %s is not in the schema\n", p.c_str());
            bad++;
        }
    }
    for (const FieldInfo &f : schema_fields()) {
        bool found = false;
        for (const std::string &p : paths)
            found |= p == f.path;
        if (!found && f.path != "devices[].group_add_reason") {
            std::fprintf(stderr, "the schema's %s is not in the report\n", f.path.c_str());
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

static void every_default_metric_is_a_schema_field(void **state)
{
    (void)state;
    for (const Metric &m : default_metrics()) {
        FieldInfo f;
        if (!schema_field(m.path, f))
            fail_msg("results.csv column %s reads %s, not a report schema field", m.column.c_str(), m.path.c_str());
        std::string unit = f.unit == "ratio" ? "" : f.unit;
        if (unit != m.unit)
            fail_msg("results.csv column %s: unit '%s', the schema's %s is in '%s'", m.column.c_str(), m.unit.c_str(), m.path.c_str(),
                     f.unit.c_str());
        Metric byp;
        assert_string_equal(metric_from_path(m.path, byp).c_str(), "");
        assert_string_equal(byp.unit.c_str(), m.unit.c_str());
        assert_false(byp.meaning.empty());
    }
}

// Every dotted path among scripts/report.py's string literals that starts
// with a report section names a schema field (the headline rows and the
// plots' reads).
static void every_path_report_py_reads_is_a_schema_field(void **state)
{
    (void)state;
    std::string py = read_all(std::string(TCESIM_SOURCE_DIR) + "/scripts/report.py");
    assert_false(py.empty());
    unsigned checked = 0, bad = 0;
    for (size_t at = py.find('"'); at != std::string::npos; at = py.find('"', at + 1)) {
        size_t end = py.find('"', at + 1);
        if (end == std::string::npos)
            break;
        std::string lit = py.substr(at + 1, end - at - 1);
        at = end;
        size_t dot = lit.find('.');
        if (dot == std::string::npos || lit.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_.[]") != std::string::npos)
            continue;
        std::string head = lit.substr(0, dot);
        bool section = false;
        for (const char *s : {"run", "warmup", "translation", "dma", "allocator", "memory", "epochs"})
            section |= head == s;
        if (!section)
            continue;
        checked++;
        if (!schema_has_path(lit)) {
            std::fprintf(stderr, "scripts/report.py reads %s, not a report schema field\n", lit.c_str());
            bad++;
        }
    }
    assert_true(checked >= 15); // the headline's paths at least
    assert_int_equal(bad, 0);
}

// The text report reads its values through the schema by name: it runs to
// the end (an unknown name aborts) and prints the schema's values.
static void the_text_report_reads_schema_fields(void **state)
{
    (void)state;
    the_report();
    std::string t = report_text(*the_result);
    char b[64];
    std::snprintf(b, sizeof b, "%12.4f", stat(*the_result, "translation.hit_rate").d);
    assert_true(t.find(b) != std::string::npos);
    assert_true(t.find("cache magazine") != std::string::npos);
}

// scripts/report.py's headline rows format each value by a kind that must
// agree with the schema's unit: "ns" with ns, "gbps" with Gb/s, "pct" with a
// ratio, "num" with a count or bytes.
static void report_py_headline_kinds_match_the_schema_units(void **state)
{
    (void)state;
    std::string py = read_all(std::string(TCESIM_SOURCE_DIR) + "/scripts/report.py");
    size_t at = py.find("\nHEADLINE = [");
    assert_true(at != std::string::npos);
    size_t end = py.find("\n]", at);
    unsigned rows = 0;
    for (size_t line = py.find("\n    (\"", at); line != std::string::npos && line < end; line = py.find("\n    (\"", line + 1)) {
        // ("path", "label", "kind", better),
        size_t a = py.find('"', line) + 1, b = py.find('"', a);
        std::string path = py.substr(a, b - a);
        size_t c = py.find('"', b + 1) + 1, d = py.find('"', c);
        size_t e = py.find('"', d + 1) + 1, g = py.find('"', e);
        std::string kind = py.substr(e, g - e);
        FieldInfo f;
        if (!schema_field(path, f))
            fail_msg("scripts/report.py's headline reads %s, not a schema field", path.c_str());
        std::string want = f.unit == "ns" ? "ns" : f.unit == "Gb/s" ? "gbps" : f.unit == "ratio" ? "pct" : "num";
        if (kind != want)
            fail_msg("scripts/report.py's headline shows %s as '%s', its unit '%s' wants '%s'", path.c_str(), kind.c_str(),
                     f.unit.c_str(), want.c_str());
        rows++;
    }
    assert_true(rows >= 15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_default_metric_reads_a_number_from_a_report),
        cmocka_unit_test(the_interface_page_names_every_default_metric),
        cmocka_unit_test(the_interface_page_names_every_report_field),
        cmocka_unit_test(a_path_selects_any_report_field_and_arrays_take_the_largest),
        cmocka_unit_test(the_report_holds_exactly_the_schema_fields),
        cmocka_unit_test(every_default_metric_is_a_schema_field),
        cmocka_unit_test(every_path_report_py_reads_is_a_schema_field),
        cmocka_unit_test(report_py_headline_kinds_match_the_schema_units),
        cmocka_unit_test(the_text_report_reads_schema_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
