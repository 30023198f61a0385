// The key rows' machine-readable ranges drive validation: each numeric row's
// edges (min - 1 rejected, min and max accepted, max + 1 rejected) taken from
// the rows themselves, then a few hand-written expectations for well-known
// keys, so that a row whose range is wrong does not test itself green.
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>

#include "common/numparse.h"
#include "config.h"
#include "params/params.h"

// cmocka last: it defines fail() and skip() as macros.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}

extern "C" int sc_main(int, char **) { return 0; }

// Sets key=value (after the extra assignments) on the default configuration
// and validates it; returns 0 when both accept it, with the message in msg.
static int try_value(const std::string &key, const std::string &value, std::string *msg = nullptr,
                     const char *extra = nullptr)
{
    tcesim_config c;
    config_defaults(&c);
    cfg_error err;
    err.msg[0] = 0;
    int rc = 0;
    if (extra)
        rc = config_set(&c, extra, &err);
    if (!rc)
        rc = config_set(&c, (key + "=" + value).c_str(), &err);
    if (!rc)
        rc = config_validate(&c, &err);
    if (msg)
        *msg = err.msg;
    return rc;
}

static std::string num(uint64_t v) { return std::to_string(v); }

static void edges(const char *prefix, const param_row *rows, size_t n)
{
    int tested = 0;
    for (size_t i = 0; i < n; i++) {
        const param_row *k = &rows[i];
        if (k->type != K_U64 && k->type != K_SIZE)
            continue;
        // a rule between keys and no range of its own: the hand-written tests
        if (!(k->rg.flags & RG_HAS) && *k->range)
            continue;
        std::string key = std::string(prefix) + k->name;
        uint64_t lo = params_range_min(k), hi = params_range_max(k);
        // workload.size's max needs a window that holds it
        std::string extra = key == "workload.size" ? "workload.window=" + num(hi) : "";
        const char *x = extra.empty() ? nullptr : extra.c_str();
        std::string msg;
        if (lo > 0 && try_value(key, num(lo - 1), &msg, x) == 0)
            fail_msg("%s: %" PRIu64 " (min - 1) accepted", key.c_str(), lo - 1);
        if (try_value(key, num(lo), &msg, x) != 0)
            fail_msg("%s: %" PRIu64 " (min) rejected: %s", key.c_str(), lo, msg.c_str());
        if (try_value(key, num(hi), &msg, x) != 0)
            fail_msg("%s: %" PRIu64 " (max) rejected: %s", key.c_str(), hi, msg.c_str());
        // a key whose range is every u64 (a seed): past it is 2^64, which the
        // number grammar refuses
        std::string past = hi == UINT64_MAX ? std::string("18446744073709551616") : num(hi + 1);
        if (try_value(key, past, &msg, x) == 0)
            fail_msg("%s: %s (max + 1) accepted", key.c_str(), past.c_str());
        if (msg.compare(0, key.size() + 2, key + ": ") != 0)
            fail_msg("%s: message '%s' is not 'key: what is wrong'", key.c_str(), msg.c_str());
        tested++;
    }
    assert_true(tested > 0);
}

static void every_row_edges_global(void **) { edges("", params_global, params_global_count); }
static void every_row_edges_device(void **) { edges("devices.0.", params_device, params_device_count); }
static void every_row_edges_pe(void **) { edges("pes.1.", params_pe, params_pe_count); }

static void expect_ok(const char *key, const char *value, const char *extra = nullptr)
{
    std::string msg;
    if (try_value(key, value, &msg, extra) != 0)
        fail_msg("%s=%s rejected: %s", key, value, msg.c_str());
}

static void expect_rejected(const char *key, const char *value, const char *want, const char *extra = nullptr)
{
    std::string msg;
    if (try_value(key, value, &msg, extra) != 2)
        fail_msg("%s=%s accepted (or not exit 2)", key, value);
    if (want && msg != want)
        fail_msg("%s=%s: '%s', want '%s'", key, value, msg.c_str(), want);
}

static void well_known_keys(void **)
{
    expect_rejected("phb.kill_slots", "0", "phb.kill_slots: must be 1..1024");
    expect_ok("phb.kill_slots", "1");
    expect_ok("phb.kill_slots", "1024");
    expect_rejected("phb.kill_slots", "1025", "phb.kill_slots: must be 1..1024");
    expect_rejected("phb.fetch_slots", "0", "phb.fetch_slots: must be 1..1024");
    expect_ok("phb.tce_cache.entries", "16777216");
    expect_rejected("phb.tce_cache.entries", "16777217", nullptr);
    expect_ok("phb.read_slots", "0");  // 0 = unlimited
    expect_rejected("phb.read_slots", "4097", "phb.read_slots: must be <= 4096");
    expect_rejected("phb.line_bytes", "96", "phb.line_bytes: must be a power of two, 8..4096");
    expect_ok("phb.line_bytes", "8");
    expect_rejected("iommu.page_size", "6K", "iommu.page_size: must be a power of two >= 4K");
    expect_ok("iommu.page_size", "64K");
    expect_ok("iommu.page_size", "auto");
    expect_rejected("pes.2.pools", "3", "pes.2.pools: must be a power of two, 1..64");
    expect_rejected("iommu.levels", "6", "iommu.levels: must be 1..5");
    expect_ok("host.max_order", "auto");
    expect_rejected("host.max_order", "21", "host.max_order: must be 1..20");
    expect_rejected("host.page_size", "2G", "host.page_size: must be a power of two, 4K..1G");
    expect_rejected("host.m32_base", "8G", "host.m32_base: must be a power of two, 1M..4G");
    expect_rejected("devices.0.rcb", "96", "devices.0.rcb: must be 64 or 128");
    expect_ok("devices.0.rcb", "64");
    expect_rejected("devices.1.dma_mask_bits", "65", "devices.1.dma_mask_bits: must be 24..64");
    expect_rejected("devices.0.max_seg_size", "2K", "devices.0.max_seg_size: must be >= 4K");
    expect_rejected("sim.quantum_ns", "0", "sim.quantum_ns: must be >= 1");
    // a time in ns stays below 2^63 ps (the number grammar's unit cap)
    expect_ok("phb.lookup_ns", std::to_string(NUM_NS_MAX).c_str());
    expect_rejected("phb.lookup_ns", std::to_string(NUM_NS_MAX + 1).c_str(), nullptr);
    // the cross-key rules, explicit in config.c's check_cross
    expect_rejected("phb.tce_cache.ways", "3", "phb.tce_cache.ways: must divide phb.tce_cache.entries (64)");
    expect_ok("phb.tce_cache.ways", "4");
    expect_rejected("host.ram", "0x40001000", "host.ram: must be a multiple of host.page_size (65536)");
    expect_rejected("workload.window", "1", "workload.window: must be >= workload.size");
    expect_rejected("workload.cpu", "16", nullptr, "host.cpus=16");
    expect_rejected("memory.llc.bytes", "1000", nullptr);
    expect_ok("memory.llc.bytes", "1M");
    expect_rejected("iommu.invalidate", "lazy_wrap", nullptr, "iommu.cache=magazine");
}

// The docs column is generated from the same fields.
static void range_text(void **)
{
    char t[128];
    for (size_t i = 0; i < params_global_count; i++)
        if (!strcmp(params_global[i].name, "phb.kill_slots")) {
            params_range_text(&params_global[i], false, t, sizeof t);
            assert_string_equal(t, "1..1024");
        } else if (!strcmp(params_global[i].name, "host.ram")) {
            params_range_doc(&params_global[i], t, sizeof t);
            assert_string_equal(t, "1G..1024T; multiple of host.page_size");
        } else if (!strcmp(params_global[i].name, "iommu.pools")) {
            params_range_doc(&params_global[i], t, sizeof t);
            assert_string_equal(t, "power of two, 1..64, or auto");
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_row_edges_global),
        cmocka_unit_test(every_row_edges_device),
        cmocka_unit_test(every_row_edges_pe),
        cmocka_unit_test(well_known_keys),
        cmocka_unit_test(range_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
