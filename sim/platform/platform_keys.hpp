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

// The devices a run simulates: the config's, overridden and extended by
// the trace's declarations (a device the trace declares beyond the
// config's list copies devices.0 with an RID on bus 0x80 + n, PE auto,
// mask 32). Returns "" or the error.
std::string merge_device_decls(tcesim_config &c, const std::vector<tr_device_decl> &decls);

} // namespace tcesim

#endif
