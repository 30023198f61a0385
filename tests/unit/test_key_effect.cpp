// Every key takes effect (issue 10): for each key of `tcesim config` (the
// rows of sim/params/keys.c), put the configuration in the key's declared
// context (its context_set), set a valid non-default value and check that
// the parameters the components are built from change. A key the parser
// accepts but no component reads fails here.
#include <cstdio>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "components/device/device_keys.hpp"
#include "components/feeder/workload_keys.hpp"
#include "components/host/host_keys.hpp"
#include "components/memory/memory_keys.hpp"
#include "components/phb/phb_keys.hpp"
#include "params/params.h"
#include "platform/platform_keys.hpp"
#include "system/netlist.hpp"

// cmocka last: it defines fail() and skip() as macros.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}

using namespace tcesim;

template <class T> static void put(std::string &fp, const T &v)
{
    fp.append(reinterpret_cast<const char *>(&v), sizeof v);
}

// Everything the components are built from, as bytes: the params structs
// (value-initialised, so their padding is zero), the device and PE setup.
static std::string fingerprint(const tcesim_config &c)
{
    std::string fp;
    put(fp, phb_params_from(c));
    put(fp, memory_params(c, 0));
    put(fp, host_params_from(c));
    HostCpuParams hc = host_cpu_params(c);
    put(fp, hc.op_ps);
    put(fp, hc.unmap_wait);
    put(fp, workload_params(c));
    put(fp, schedule_quantum_ps(c));
    put(fp, actor_queue_cap(c));
    put(fp, dead_handles_kept(c));
    put(fp, warmup_reset_ps(c));
    std::set<uint64_t> pes;
    for (uint32_t i = 0; i < c.ndevices; i++) {
        uint16_t rid = 0;
        fp += device_rid(c.devices[i], i, rid);
        put(fp, rid);
        uint64_t pe = device_pe(c.devices[i], rid);
        put(fp, pe);
        pes.insert(pe);
        DeviceParams dp;
        fp += device_params(c.devices[i], i, 0, dp);
        put(fp, dp.ep);
        put(fp, dp.overhead_ps);
        put(fp, dp.read_hold_ps);
        put(fp, dp.dma_mask_bits);
        put(fp, dp.max_seg_size);
    }
    for (uint32_t i = 0; i < c.npes; i++)
        pes.insert(c.pes[i].pe);
    for (uint64_t pe : pes) {
        put(fp, pe_setup_params_from(c, pe));
        iommu_table_params it{};
        iommu_table_keys(c, pe, it);
        put(fp, it);
    }
    return fp;
}

// The key's value in c, as `tcesim config` prints it (enums and booleans by
// name, numbers in decimal, auto as "auto").
static std::string current(const param_row &r, const void *base)
{
    const char *p = static_cast<const char *>(base) + r.off;
    uint64_t v;
    int e;
    switch (r.type) {
    case K_BOOL: return *reinterpret_cast<const bool *>(p) ? "true" : "false";
    case K_ENUM: std::memcpy(&e, p, sizeof e); return r.enums[e];
    case K_STR: return p;
    default: std::memcpy(&v, p, sizeof v); return v == CFG_AUTO ? "auto" : std::to_string(v);
    }
}

static std::vector<std::string> candidates(const param_row &r, const std::string &cur)
{
    std::vector<std::string> out;
    switch (r.type) {
    case K_BOOL: out.push_back(cur == "true" ? "false" : "true"); break;
    case K_ENUM:
        for (int i = 0; r.enums[i]; i++)
            out.push_back(r.enums[i]);
        break;
    case K_STR:
        out = {"0a:00.0", "gen4x16", "gen2x1"};
        break;
    default: {
        if (cur != "auto") {
            uint64_t v = std::stoull(cur);
            for (uint64_t x : {v * 2, v + 1, v / 2, v ? v - 1 : 0})
                out.push_back(std::to_string(x));
        } else {
            out.push_back("auto"); // filtered out below
        }
        for (const char *x : {"1", "2", "3", "4", "5", "8", "16", "32", "64", "100", "128", "4K", "8K", "64K", "1M", "1G"})
            out.push_back(x);
        if (r.allow_auto)
            out.push_back("auto");
    }
    }
    std::vector<std::string> diff;
    for (auto &s : out)
        if (s != cur)
            diff.push_back(s);
    return diff;
}

static bool set(tcesim_config &c, const std::string &assignment)
{
    cfg_error err;
    return config_set(&c, assignment.c_str(), &err) == 0;
}

// The key's context: each "k=v" of context_set applied to the defaults.
static bool in_context(tcesim_config &c, const param_row &r)
{
    config_defaults(&c);
    std::string s = r.context_set;
    size_t at = 0;
    while (at < s.size()) {
        size_t end = s.find(", ", at);
        std::string a = s.substr(at, end == std::string::npos ? std::string::npos : end - at);
        if (!set(c, a)) {
            std::fprintf(stderr, "%s: context_set '%s' does not apply\n", r.name, a.c_str());
            return false;
        }
        at = end == std::string::npos ? s.size() : end + 2;
    }
    cfg_error err;
    if (config_validate(&c, &err) != 0) {
        std::fprintf(stderr, "%s: its context does not validate: %s\n", r.name, err.msg);
        return false;
    }
    return true;
}

// Returns "" or why the key failed.
static std::string check_key(const param_row &r, const std::string &path, const void *(*base_of)(const tcesim_config &))
{
    static tcesim_config c, c2; // large: not on the stack
    if (!in_context(c, r))
        return "its context does not apply";
    std::string before = fingerprint(c);
    if (fingerprint(c) != before)
        return "the fingerprint is not deterministic";
    std::string cur = current(r, base_of(c));
    bool valid = false;
    for (const std::string &v : candidates(r, cur)) {
        c2 = c;
        cfg_error err;
        if (!set(c2, path + "=" + v) || config_validate(&c2, &err) != 0)
            continue;
        valid = true;
        if (fingerprint(c2) != before)
            return "";
    }
    return valid ? "accepted but unused: no valid value changes any component's parameters"
                 : "no valid non-default value found among the candidates";
}

static const void *global_base(const tcesim_config &c) { return &c; }
static const void *device0_base(const tcesim_config &c) { return &c.devices[0]; }
static const void *pe1_base(const tcesim_config &c)
{
    static cfg_iommu v;
    v = config_pe_iommu(&c, 1); // devices.0 is 01:00.0: PE 1
    return &v;
}

static void report(unsigned &failed, const std::string &path, const std::string &why)
{
    if (why.empty())
        return;
    std::fprintf(stderr, "%s: %s\n", path.c_str(), why.c_str());
    failed++;
}

static void every_global_key_changes_its_components_params(void **state)
{
    (void)state;
    unsigned failed = 0;
    for (size_t i = 0; i < params_global_count; i++)
        report(failed, params_global[i].name, check_key(params_global[i], params_global[i].name, global_base));
    assert_int_equal(failed, 0);
}

static void every_device_key_changes_its_components_params(void **state)
{
    (void)state;
    unsigned failed = 0;
    for (size_t i = 0; i < params_device_count; i++) {
        std::string path = std::string("devices.0.") + params_device[i].name;
        report(failed, path, check_key(params_device[i], path, device0_base));
    }
    assert_int_equal(failed, 0);
}

static void every_pe_key_changes_its_components_params(void **state)
{
    (void)state;
    unsigned failed = 0;
    for (size_t i = 0; i < params_pe_count; i++) {
        std::string path = std::string("pes.1.") + params_pe[i].name;
        report(failed, path, check_key(params_pe[i], path, pe1_base));
    }
    assert_int_equal(failed, 0);
}

// Every row says where its value comes from and goes.
static void every_row_declares_provenance_and_destination(void **state)
{
    (void)state;
    static const std::set<std::string> provs = {"spec", "kernel", "firmware", "guess", "user"};
    auto check = [](const param_row *rows, size_t n) {
        for (size_t i = 0; i < n; i++) {
            const param_row &r = rows[i];
            if (!provs.count(r.prov))
                fail_msg("%s: provenance '%s'", r.name, r.prov);
            if (r.sink[0].in == PS_NONE && !*r.used_by)
                fail_msg("%s: neither a params sink nor used_by", r.name);
            if (!*r.meaning)
                fail_msg("%s: no meaning", r.name);
        }
    };
    check(params_global, params_global_count);
    check(params_device, params_device_count);
    check(params_pe, params_pe_count);
}

// libsystemc needs an sc_main; this test has its own main and never
// elaborates.
int sc_main(int, char **) { return 0; }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_global_key_changes_its_components_params),
        cmocka_unit_test(every_device_key_changes_its_components_params),
        cmocka_unit_test(every_pe_key_changes_its_components_params),
        cmocka_unit_test(every_row_declares_provenance_and_destination),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
