// The C API (include/tcesim/tcesim.h) through its own calls: errors as the
// CLI's one-line messages and codes, never an exit; several runs through
// child processes, then the one in-process simulation, then a refused second.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include <jansson.h>
#include <unistd.h>

#include "tcesim/tcesim.h"

// cmocka last: it defines fail() and skip() as macros.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}

static const char *kBenchWindow = TCESIM_SOURCE_DIR "/configs/bench-window.json";

// The report without its wall-clock fields (the only ones that may differ
// between two runs of the same inputs, docs/interface.md).
static std::string without_wall(const char *json)
{
    json_t *j = json_loads(json, 0, nullptr);
    assert_non_null(j);
    json_t *run = json_object_get(j, "run");
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(run, tmp, k, v) if (std::strstr(k, "wall")) json_object_del(run, k);
    char *s = json_dumps(j, JSON_SORT_KEYS);
    std::string out = s;
    std::free(s);
    json_decref(j);
    return out;
}

static void an_unknown_preset_is_bad_input_with_the_clis_message(void **state)
{
    (void)state;
    tcesim_run *r = nullptr;
    assert_int_equal(tcesim_run_create("nonesuch", nullptr, &r), TCESIM_BAD_INPUT);
    assert_non_null(r);
    assert_string_equal(tcesim_run_errmsg(r), "nonesuch: no such file, and no preset of that name in configs/");
    // a run that failed to create refuses the rest, and says why
    assert_int_equal(tcesim_run_set(r, "seed=2"), TCESIM_MISUSE);
    assert_non_null(std::strstr(tcesim_run_errmsg(r), "failed to create"));
    assert_int_equal(tcesim_run_simulate(r), TCESIM_MISUSE);
    assert_null(tcesim_run_config_json(r));
    tcesim_run_destroy(r);
    tcesim_run_destroy(nullptr);
    assert_int_equal(tcesim_run_create("phb3", nullptr, nullptr), TCESIM_MISUSE);
}

static void a_bad_key_or_value_is_bad_input_and_the_run_goes_on(void **state)
{
    (void)state;
    tcesim_run *r = nullptr;
    assert_int_equal(tcesim_run_create(kBenchWindow, nullptr, &r), TCESIM_SUCCESS);
    assert_string_equal(tcesim_run_config_file(r), kBenchWindow);
    assert_int_equal(tcesim_run_set(r, "phb.nonesuch=1"), TCESIM_BAD_INPUT);
    assert_string_equal(tcesim_run_errmsg(r), "phb.nonesuch: unknown key");
    assert_int_equal(tcesim_run_set(r, "workload.count=12"), TCESIM_SUCCESS);
    assert_string_equal(tcesim_run_errmsg(r), "");
    // a rule between keys is checked when the run validates (as --set then run)
    assert_int_equal(tcesim_run_set(r, "phb.tce_cache.ways=3"), TCESIM_SUCCESS);
    assert_int_equal(tcesim_run_validate(r), TCESIM_BAD_INPUT);
    assert_non_null(std::strstr(tcesim_run_errmsg(r), "phb.tce_cache"));
    assert_int_equal(tcesim_run_set(r, "phb.tce_cache.ways=0"), TCESIM_SUCCESS);
    assert_int_equal(tcesim_run_validate(r), TCESIM_SUCCESS);
    // an output onto an input is refused before anything runs
    assert_int_equal(tcesim_run_set_mappings(r, kBenchWindow), TCESIM_SUCCESS);
    assert_int_equal(tcesim_run_validate(r), TCESIM_BAD_INPUT);
    assert_non_null(std::strstr(tcesim_run_errmsg(r), "--mappings"));
    assert_int_equal(tcesim_run_set_mappings(r, nullptr), TCESIM_SUCCESS);
    assert_int_equal(tcesim_run_set_timeline(r, "t.json", 5, 5), TCESIM_BAD_INPUT);
    // no report yet: the getters say so
    double v = 0;
    assert_int_equal(tcesim_run_metric(r, "translation.hit_rate", &v), TCESIM_MISUSE);
    assert_true(std::isnan(tcesim_run_hit_rate(r)));
    assert_null(tcesim_run_report_json(r));
    tcesim_run_destroy(r);
}

static void json_text_errors_name_the_text(void **state)
{
    (void)state;
    tcesim_run *r = nullptr;
    assert_int_equal(tcesim_run_create_json("{\"phb\": {\"model\": \"phb9\"}}", "mine", nullptr, &r), TCESIM_BAD_INPUT);
    assert_string_equal(tcesim_run_errmsg(r), "phb.model: bad value 'phb9' (expected one of: phb3, phb4)");
    tcesim_run_destroy(r);
    assert_int_equal(tcesim_run_create_json("{\n\"phb\": ", "mine", nullptr, &r), TCESIM_BAD_INPUT);
    assert_int_equal(std::strncmp(tcesim_run_errmsg(r), "mine:", 5), 0);
    tcesim_run_destroy(r);
    assert_int_equal(tcesim_run_create_json(nullptr, "x", nullptr, &r), TCESIM_MISUSE);
    tcesim_run_destroy(r);
}

// The built-in workload: uniform random pages of a 1 MiB window (256 pages
// of 4 KiB) through an LRU TCE cache of C entries hits C/256 of the time
// once warm (each page is resident with probability C/N), whichever
// simulator computes it, when one access is in flight at a time (one tag:
// no lookup meets a walk still under way). Two runs in child processes, one
// per size.
static void runs_in_child_processes_give_the_lru_hit_rate(void **state)
{
    (void)state;
    const unsigned sizes[] = {32, 128};
    for (unsigned c : sizes) {
        tcesim_run *r = nullptr;
        assert_int_equal(tcesim_run_create("bench-window", nullptr, &r), TCESIM_SUCCESS);
        std::string set = "phb.tce_cache.entries=" + std::to_string(c);
        assert_int_equal(tcesim_run_set(r, set.c_str()), TCESIM_SUCCESS);
        assert_int_equal(tcesim_run_set(r, "phb.tce_cache.ways=0"), TCESIM_SUCCESS);
        assert_int_equal(tcesim_run_set(r, "workload.count=40000"), TCESIM_SUCCESS);
        assert_int_equal(tcesim_run_set(r, "devices.0.tags=1"), TCESIM_SUCCESS);
        assert_int_equal(tcesim_run_simulate_in_child(r), TCESIM_SUCCESS);
        double h = tcesim_run_hit_rate(r);
        assert_true(std::fabs(h - c / 256.0) < 0.01);
        double m = 0;
        assert_int_equal(tcesim_run_metric(r, "translation.hit_rate", &m), TCESIM_SUCCESS);
        assert_true(m == h);
        assert_int_equal(tcesim_run_metric(r, "translation.nonesuch", &m), TCESIM_BAD_INPUT);
        assert_int_equal(tcesim_run_metric(r, "translation..x", &m), TCESIM_BAD_INPUT);
        assert_int_equal(tcesim_run_faults(r), 0);
        assert_int_equal(tcesim_run_lost_bytes(r), 0);
        assert_true(tcesim_run_translation_p99_ns(r) >= tcesim_run_translation_p50_ns(r));
        assert_true(tcesim_run_dma_throughput_gbps(r) > 0);
        assert_string_equal(tcesim_run_warnings(r), "");
        assert_non_null(std::strstr(tcesim_run_report_text(r), "tcesim report"));
        tcesim_run_destroy(r);
    }
}

// An error in the child comes back as it would in-process.
static void a_childs_error_comes_back(void **state)
{
    (void)state;
    tcesim_run *r = nullptr;
    assert_int_equal(tcesim_run_create(nullptr, "/nonexistent/x.trace", &r), TCESIM_SUCCESS);
    assert_int_equal(tcesim_run_simulate_in_child(r), TCESIM_BAD_INPUT);
    assert_non_null(std::strstr(tcesim_run_errmsg(r), "/nonexistent/x.trace"));
    assert_null(tcesim_run_report_json(r));
    tcesim_run_destroy(r);
}

// The same inputs give the same report in a child and in this process
// (wall-clock fields aside); then SystemC has elaborated: one simulation per
// process.
static void in_process_equals_child_then_a_second_is_refused(void **state)
{
    (void)state;
    tcesim_run *r = nullptr;
    // A trace that does not open fails before SystemC is touched: this
    // process can still simulate.
    assert_int_equal(tcesim_run_create(nullptr, "/nonexistent/x.trace", &r), TCESIM_SUCCESS);
    assert_int_equal(tcesim_run_simulate(r), TCESIM_BAD_INPUT);
    tcesim_run_destroy(r);
    assert_int_equal(tcesim_run_create("phb3", nullptr, &r), TCESIM_SUCCESS);
    assert_int_equal(tcesim_run_set(r, "workload.count=5000"), TCESIM_SUCCESS);
    assert_int_equal(tcesim_run_simulate_in_child(r), TCESIM_SUCCESS);
    std::string child = without_wall(tcesim_run_report_json(r));
    assert_int_equal(tcesim_run_simulate(r), TCESIM_SUCCESS);
    assert_string_equal(without_wall(tcesim_run_report_json(r)).c_str(), child.c_str());
    assert_int_equal(tcesim_run_simulate(r), TCESIM_MISUSE);
    assert_non_null(std::strstr(tcesim_run_errmsg(r), "one simulation per process"));
    assert_int_equal(tcesim_run_simulate_in_child(r), TCESIM_MISUSE);
    tcesim_run_destroy(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_unknown_preset_is_bad_input_with_the_clis_message),
        cmocka_unit_test(a_bad_key_or_value_is_bad_input_and_the_run_goes_on),
        cmocka_unit_test(json_text_errors_name_the_text),
        cmocka_unit_test(runs_in_child_processes_give_the_lru_hit_rate),
        cmocka_unit_test(a_childs_error_comes_back),
        cmocka_unit_test(in_process_equals_child_then_a_second_is_refused),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
