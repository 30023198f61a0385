#include "platform/platform.hpp"

#include "platform/platform_keys.hpp"

#include <memory>
#include <set>
#include <utility>

#include "components/device/device_keys.hpp"
#include "params/params.h"

extern "C" {
#include "tvt/tve.h"
}

namespace tcesim {

// Sets err and returns the exit code (2 bad input, 1 runtime).
static int fail(std::string &err, std::string msg, int code)
{
    err = std::move(msg);
    return code;
}

static uint64_t roundup_pow2(uint64_t x) { return x <= 1 ? 1 : 1ull << (64 - __builtin_clzll(x - 1)); }

// pe_dma_setup_compute names its own parameter ("page_size: ..."); the user
// sets a config key: pes.N.<name> when the config overrides it for this PE,
// else iommu.<name>, or the host.* / phb.* key the parameter comes from.
static std::string user_key(const tcesim_config &cfg, uint64_t pe, const std::string &why)
{
    size_t colon = why.find(':');
    if (colon == std::string::npos)
        return "pes." + std::to_string(pe) + ": " + why;
    std::string name = why.substr(0, colon), rest = why.substr(colon);
    static const char *const host_keys[][2] = {{"kernel", "host.kernel"},   {"gen", "phb.model"},
                                               {"cpu_page_shift", "host.page_size"}, {"ram_bytes", "host.ram"},
                                               {"m32_base", "host.m32_base"}, {"max_order", "host.max_order"}};
    for (const auto &hk : host_keys)
        if (name == hk[0])
            return hk[1] + rest;
    for (size_t k = 0; k < params_pe_count; k++) {
        if (name != params_pe[k].name)
            continue;
        for (uint32_t i = 0; i < cfg.npes; i++)
            if (cfg.pes[i].pe == pe && (cfg.pes[i].set & (1u << k)))
                return "pes." + std::to_string(pe) + "." + why;
        return "iommu." + why;
    }
    return "pes." + std::to_string(pe) + "." + why;
}

std::string platform_check(const tcesim_config &cfg, const std::vector<tr_device_decl> &decls, const std::string &trace)
{
    // The run's devices as Netlist::build makes them: the config's and the
    // trace's declarations (resolve_devices settles phb.domain in the copy).
    auto c = std::make_unique<tcesim_config>(cfg);
    std::vector<RunDevice> rdevs;
    std::string note;
    std::string e = resolve_devices(*c, decls, trace, rdevs, note);
    if (!e.empty())
        return e;
    unsigned cps = cpu_page_shift(*c);
    std::set<uint64_t> seen;
    for (const RunDevice &rd : rdevs) {
        DeviceParams dp;
        e = device_params(rd.cd, rd.id, 0, dp); // the horizon only sizes calendars
        if (!e.empty())
            return e;
        uint64_t pe = device_pe(rd.cd, rd.rid);
        // As Netlist::add_device: the PHB's last PE is the RTT's reserved one.
        uint64_t reserved = phb_num_pes(c->phb.model == CFG_PHB4 ? PHB_GEN4 : PHB_GEN3) - 1;
        if (pe >= reserved)
            return "devices." + std::to_string(rd.id) + ".pe: " + std::to_string(pe) + " is not below the reserved PE " +
                   std::to_string(reserved);
        if (!seen.insert(pe).second)
            continue;
        pe_setup_params sp = pe_setup_params_from(*c, pe);
        pe_dma_setup setup{};
        char why[256] = "";
        if (pe_dma_setup_compute(&sp, &setup, why, sizeof why) != 0)
            return user_key(*c, pe, why);
        tce_geom g;
        if (tce_geometry(setup.window_bytes, setup.page_shift, setup.levels, cps, &g) != 0)
            return user_key(*c, pe, "levels: the kernel rejects this table geometry");
    }
    return "";
}

Platform::Platform(const tcesim_config &cfg, physmem *mem, physalloc &palloc, phb *phb_model, host_model *host,
                   size_t ndevices)
    : cfg_(cfg), mem_(mem), palloc_(palloc), phb_(phb_model), host_(host),
      gen_(cfg.phb.model == CFG_PHB4 ? PHB_GEN4 : PHB_GEN3), cpu_page_shift_(cpu_page_shift(cfg))
{
    // In place: the host model keeps a pointer to each PE's table (the
    // run's devices, trace declarations included: not cfg.ndevices).
    pes_.reserve(ndevices);
}

int Platform::attach(DeviceInfo &d, std::string &err)
{
    if (!pe_index_.count(d.pe)) {
        if (pes_.size() == pes_.capacity()) // growing would move the tables the host points at
            return fail(err, "internal: more PEs than the devices Platform was made for", 1);
        pe_index_[d.pe] = pes_.size();
        pes_.emplace_back();
        pes_.back().pe = d.pe;
        int rc = setup_pe(pes_.back(), static_cast<int>(pes_.size() - 1), err);
        if (rc)
            return rc;
    }
    PeState &ps = pes_[pe_index_[d.pe]];
    d.pe_slot = pe_index_[d.pe];
    d.host_pe = static_cast<unsigned>(ps.host_index);
    // dma_set_mask(): which window the device's mask reaches.
    d.path = dma_mask_path(host_kernel_of(cfg_), gen_, d.mask_bits, cfg_.host.ram, ps.setup.bypass);
    if (d.path == DMA_PATH_BYPASS_TVE0 && !ps.bypass_tve0) {
        int rc = setup_bypass_tve0(ps, err);
        if (rc)
            return rc;
    }
    // iommu_add_device(): every device of a PE with a table joins its group
    // unless the era's checks refuse it.
    char why[160] = "";
    d.add = iommu_add_device_check(host_kernel_of(cfg_), false, true, cpu_page_shift_, ps.setup.page_shift, why,
                                   sizeof why);
    d.add_why = why;
    return 0;
}

int Platform::setup_pe(PeState &ps, int group_id, std::string &err)
{
    std::string key = "pes." + std::to_string(ps.pe) + ".";
    pe_setup_params sp = pe_setup_params_from(cfg_, ps.pe);
    char why[256] = "";
    if (pe_dma_setup_compute(&sp, &ps.setup, why, sizeof why) != 0)
        return fail(err, user_key(cfg_, ps.pe, why), 2);
    tce_geom g;
    if (tce_geometry(ps.setup.window_bytes, ps.setup.page_shift, ps.setup.levels, cpu_page_shift_, &g) != 0)
        return fail(err, user_key(cfg_, ps.pe, "levels: the kernel rejects this table geometry"), 2);
    if (tce_table_create(&ps.table, mem_, &palloc_, &g) != 0)
        return fail(err, key + "window: the TCE table does not fit host.ram", 2);
    tve t0 = tce_table_tve(&ps.table);
    uint64_t raw;
    if (tve_encode(gen_, &t0, &raw) != 0 || phb_set_tve(phb_, static_cast<unsigned>(ps.pe) << 1, raw) != 0)
        return fail(err, key + "window: the TVE cannot encode this table", 2);
    if (ps.setup.bypass) {
        tve t1{};
        t1.kind = TVE_BYPASS;
        t1.start = ps.setup.bypass_start;
        t1.end = ps.setup.bypass_end;
        if (tve_encode(gen_, &t1, &raw) != 0 || phb_set_tve(phb_, static_cast<unsigned>(ps.pe) << 1 | 1, raw) != 0)
            return fail(err, key + "bypass: the bypass TVE cannot encode host.ram", 2);
    }
    iommu_group_make(group_id, sp.phb_number, ps.pe, &ps.group);
    host_pe_params hp{};
    hp.pe = ps.pe;
    hp.table = &ps.table;
    hp.it.it_offset = 0;
    hp.it.it_size = ps.setup.window_bytes >> ps.setup.page_shift;
    hp.it.page_shift = ps.setup.page_shift;
    hp.it.cpu_page_shift = cpu_page_shift_;
    hp.it.blocksize = 16; // pnv_pci_ioda2_setup_dma_pe / pnv_pci_setup_iommu_table
    hp.it.reserved_start = ps.setup.reserved_start;
    hp.it.reserved_end = ps.setup.reserved_end;
    hp.it.seg_boundary = 1ull << 32; // PCI's default dma_get_seg_boundary()
    iommu_table_keys(cfg_, ps.pe, hp.it);
    int idx = host_add_pe(host_, &hp);
    if (idx < 0)
        return fail(err, key + "pools: the allocator rejects this table (pools must divide the window)", 2);
    ps.host_index = idx;
    return 0;
}

// PHB3 64-bit bypass through TVE#0 (pnv_pci_ioda_dma_64bit_bypass): the
// PE's TVE#0 becomes a 1-level table of 256 MiB TCEs mapping all of RAM at
// bus offset 4 GiB, for devices whose mask covers RAM + 4 GiB but not 2^59.
// It replaces the PE's 32-bit window.
int Platform::setup_bypass_tve0(PeState &ps, std::string &err)
{
    std::string key = "pes." + std::to_string(ps.pe) + ".";
    const unsigned shift = 28;
    tce_geom g;
    if (tce_geometry(roundup_pow2(cfg_.host.ram + (1ull << 32)), shift, 1, cpu_page_shift_, &g) != 0 ||
        tce_table_create(&ps.bypass_table, mem_, &palloc_, &g) != 0)
        return fail(err, key + "bypass: cannot build the 64-bit bypass table", 2);
    uint64_t first = (1ull << 32) >> shift;
    for (uint64_t i = 0; i < (cfg_.host.ram >> shift); i++)
        if (tce_table_set(&ps.bypass_table, first + i, i << shift, TCE_READ | TCE_WRITE) != 0)
            return fail(err, "out of memory", 1);
    tve t0 = tce_table_tve(&ps.bypass_table);
    uint64_t raw;
    if (tve_encode(gen_, &t0, &raw) != 0 || phb_set_tve(phb_, static_cast<unsigned>(ps.pe) << 1, raw) != 0)
        return fail(err, key + "bypass: the TVE cannot encode the 64-bit bypass table", 2);
    ps.bypass_tve0 = true;
    return 0;
}

} // namespace tcesim
