#include "platform/platform_keys.hpp"

#include "params/params.h"

#include <cstdio>
#include <string>

extern "C" {
#include "rtt/rtt.h"
}

namespace tcesim {

static unsigned ilog2_u64(uint64_t x) { return 63u - static_cast<unsigned>(__builtin_clzll(x)); }

unsigned cpu_page_shift(const tcesim_config &cfg) { return ilog2_u64(cfg.host.page_size); }

host_kernel host_kernel_of(const tcesim_config &cfg)
{
    return cfg.host.kernel == CFG_KERNEL_MODERN ? HOST_KERNEL_MODERN : HOST_KERNEL_SEED;
}

pe_setup_params pe_setup_params_from(const tcesim_config &cfg, uint64_t pe)
{
    cfg_iommu v = config_pe_iommu(&cfg, pe);
    pe_setup_params sp{};
    params_fill(params_global, params_global_count, PS_PE_SETUP, &cfg, &sp);
    // Per PE: iommu.* with the PE's pes.N.* overrides.
    sp.page_size = v.page_size == CFG_AUTO ? PE_AUTO : v.page_size;
    sp.levels = v.levels == CFG_AUTO ? PE_AUTO : v.levels;
    sp.window = v.window == CFG_AUTO ? PE_AUTO : v.window;
    sp.bypass = v.bypass;
    return sp;
}

void iommu_table_keys(const tcesim_config &cfg, uint64_t pe, iommu_table_params &it)
{
    cfg_iommu v = config_pe_iommu(&cfg, pe);
    it.nr_pools = v.pools == CFG_AUTO ? 0 : static_cast<uint32_t>(v.pools);
    // The era's allocator rules (seed = Linux 4.4, modern = Linux 6.6) and
    // the iommu.* overrides; auto = the era's.
    it.kernel = host_kernel_of(cfg) == HOST_KERNEL_MODERN ? IOMMU_KERNEL_6_6 : IOMMU_KERNEL_4_4;
    it.hash_mult = cfg.policy.pool_hash == CFG_HASH_LEGACY ? IOMMU_HASH_MULT_LEGACY
                 : cfg.policy.pool_hash == CFG_HASH_MODERN ? IOMMU_HASH_MULT_MODERN : 0;
    it.large_fallback = cfg.policy.large_pool_fallback == CFG_TRI_TRUE ? IOMMU_FALLBACK_ON
                      : cfg.policy.large_pool_fallback == CFG_TRI_FALSE ? IOMMU_FALLBACK_OFF
                      : IOMMU_FALLBACK_ERA;
}

std::string merge_device_decls(tcesim_config &c, const std::vector<tr_device_decl> &decls)
{
    for (const tr_device_decl &d : decls) {
        if (d.id >= CFG_MAX_DEVICES)
            return "trace: device id " + std::to_string(d.id) + " too large";
        while (c.ndevices <= d.id) {
            cfg_device nd = c.devices[0];
            std::snprintf(nd.rid, sizeof nd.rid, "%02x:00.0", 0x80 + c.ndevices);
            nd.pe = CFG_AUTO;
            nd.dma_mask_bits = 32;
            c.devices[c.ndevices++] = nd;
        }
        cfg_device &cd = c.devices[d.id];
        char rid[8];
        rid_format(d.rid, rid);
        std::snprintf(cd.rid, sizeof cd.rid, "%s", rid);
        if (d.has_pe)
            cd.pe = d.pe;
        if (d.has_mask)
            cd.dma_mask_bits = d.dma_mask_bits;
    }
    return "";
}

} // namespace tcesim
