// The sweep's metric schema (sim/report/metrics.cpp) against the report and
// the interface page: every default results.csv metric reads a number from
// a real run's JSON report, and docs/interface.md names every column; the
// interface page also names every field of that report.
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
static json_t *the_report()
{
    static json_t *r = nullptr;
    if (r)
        return r;
    static tcesim_config c;
    config_defaults(&c);
    cfg_error cerr;
    assert_int_equal(config_set(&c, "workload.count=2000", &cerr), 0);
    // Optional sections on: the magazines' counters, the epoch series.
    assert_int_equal(config_set(&c, "iommu.cache=magazine", &cerr), 0);
    RunOptions opt;
    opt.epoch_ns = 1000;
    std::unique_ptr<RunResult> res;
    std::string err;
    assert_int_equal(run_simulation(c, opt, res, err), 0);
    json_error_t je;
    r = json_loads(report_json(*res).c_str(), 0, &je);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_default_metric_reads_a_number_from_a_report),
        cmocka_unit_test(the_interface_page_names_every_default_metric),
        cmocka_unit_test(the_interface_page_names_every_report_field),
        cmocka_unit_test(a_path_selects_any_report_field_and_arrays_take_the_largest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
