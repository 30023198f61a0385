// The platform's parameters from the configuration: how Linux sets up a
// PE's DMA (host.kernel, host.ram, host.m32_base, host.max_order,
// host.page_size, iommu.* and pes.N.*) and its allocator's rules
// (iommu.pools, iommu.pool_hash, iommu.large_pool_fallback).
#ifndef TCESIM_PLATFORM_KEYS_HPP
#define TCESIM_PLATFORM_KEYS_HPP

#include <string>
#include <vector>

#include "config.h"

extern "C" {
#include "host/dma_api.h"
#include "host/pe_setup.h"
#include "traces/trace.h"
}

namespace tcesim {

unsigned cpu_page_shift(const tcesim_config &cfg);
host_kernel host_kernel_of(const tcesim_config &cfg);
pe_setup_params pe_setup_params_from(const tcesim_config &cfg, uint64_t pe);
// The allocator fields of a PE's iommu_table that come from keys (the
// window's geometry comes from the PE's setup).
void iommu_table_keys(const tcesim_config &cfg, uint64_t pe, iommu_table_params &it);

// One device of a run: its id (devN), its keys and what the trace said.
struct RunDevice {
    uint32_t id = 0;
    cfg_device cd{};
    uint16_t rid = 0;      // cd.rid's value
    bool declared = false; // the trace has a device line for it
    std::string clash;     // why using it is an error ("" = fine)
};

// The devices a run simulates, by id: the config's devices[] (ids 0..n-1)
// and the trace's declarations (any id < 4096), which take precedence for
// rid, pe and dma_mask_bits; a device only the trace declares takes
// devices.0's costs, PE auto and a 32-bit mask. No other device exists: an
// id neither gives is not a device. Settles phb.domain (auto: the trace's
// domain, else the config RIDs', else 0) into c and checks every RID's
// domain against it. note: "" or one line naming each value the config
// gave that a declaration replaced. Returns "" or the error.
std::string resolve_devices(tcesim_config &c, const std::vector<tr_device_decl> &decls, const std::string &trace,
                            std::vector<RunDevice> &out, std::string &note);

} // namespace tcesim

#endif
