#include "platform/platform_keys.hpp"

#include "params/params.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
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
    // resolve_devices settles auto before a run builds anything
    sp.phb_number = cfg.phb.domain == CFG_AUTO ? 0 : static_cast<unsigned>(cfg.phb.domain);
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

static std::string hex4(uint64_t v)
{
    char b[8];
    std::snprintf(b, sizeof b, "%04x", static_cast<unsigned>(v & 0xffff));
    return b;
}

// The index of a device key's row (its bit in cfg_device::set).
static uint32_t device_key_bit(const char *name)
{
    for (size_t i = 0; i < params_device_count; i++)
        if (!std::strcmp(params_device[i].name, name))
            return 1u << i;
    return 0;
}

std::string resolve_devices(tcesim_config &c, const std::vector<tr_device_decl> &decls, const std::string &trace,
                            std::vector<RunDevice> &out, std::string &note)
{
    out.clear();
    note.clear();
    std::vector<int32_t> at(TR_MAX_DEVICES, -1); // id -> index in out
    for (uint32_t i = 0; i < c.ndevices; i++) {
        RunDevice d;
        d.id = i;
        d.cd = c.devices[i];
        at[i] = static_cast<int32_t>(out.size());
        out.push_back(d);
    }
    const uint32_t rid_bit = device_key_bit("rid"), pe_bit = device_key_bit("pe"),
                   mask_bit = device_key_bit("dma_mask_bits");
    const tr_device_decl *domain_decl = nullptr;
    for (const tr_device_decl &d : decls) {
        if (d.id >= TR_MAX_DEVICES)
            return trace + ": device id " + std::to_string(d.id) + " out of range (must be < " +
                   std::to_string(TR_MAX_DEVICES) + ")";
        if (d.has_domain && !domain_decl)
            domain_decl = &d;
        RunDevice *rd;
        if (at[d.id] >= 0) {
            rd = &out[static_cast<size_t>(at[d.id])];
        } else {
            // Declared only by the trace: devices.0's costs, the kernel's
            // defaults for the rest (PE auto: its bus; a 32-bit mask).
            RunDevice nd;
            nd.id = d.id;
            nd.cd = c.devices[0];
            nd.cd.set = 0;
            nd.cd.pe = CFG_AUTO;
            nd.cd.dma_mask_bits = 32;
            at[d.id] = static_cast<int32_t>(out.size());
            out.push_back(nd);
            rd = &out.back();
        }
        rd->declared = true;
        cfg_device &cd = rd->cd;
        char rid[RID_TEXT + 4];
        if (d.has_domain)
            std::snprintf(rid, sizeof rid, "%04x:%02x:%02x.%x", d.domain, d.rid >> 8, (d.rid >> 3) & 0x1f, d.rid & 7);
        else
            rid_format(d.rid, rid);
        // The trace's declaration takes precedence; a value the config gave
        // (not a default) that it changes is said, not silently dropped.
        std::string n = "devices." + std::to_string(d.id) + ".";
        uint16_t old_rid = 0;
        int32_t old_dom = RID_NO_DOMAIN;
        if ((cd.set & rid_bit) && rid_parse(cd.rid, &old_dom, &old_rid) == 0 &&
            (old_rid != d.rid || (old_dom != RID_NO_DOMAIN && d.has_domain && old_dom != d.domain)))
            note += (note.empty() ? "" : ", ") + n + "rid " + cd.rid + " -> " + rid;
        if ((cd.set & pe_bit) && d.has_pe && cd.pe != d.pe)
            note += (note.empty() ? "" : ", ") + n + "pe " + (cd.pe == CFG_AUTO ? std::string("auto") : std::to_string(cd.pe)) +
                    " -> " + std::to_string(d.pe);
        if ((cd.set & mask_bit) && d.has_mask && cd.dma_mask_bits != d.dma_mask_bits)
            note += (note.empty() ? "" : ", ") + n + "dma_mask_bits " + std::to_string(cd.dma_mask_bits) + " -> " +
                    std::to_string(d.dma_mask_bits);
        std::snprintf(cd.rid, sizeof cd.rid, "%s", rid);
        if (d.has_pe)
            cd.pe = d.pe;
        if (d.has_mask)
            cd.dma_mask_bits = d.dma_mask_bits;
    }
    if (!note.empty())
        note = "tcesim: note: " + trace + "'s device lines take precedence over the config: " + note;
    std::sort(out.begin(), out.end(), [](const RunDevice &x, const RunDevice &y) { return x.id < y.id; });

    // One PHB, one PCI domain (phb.domain): set, else the trace's, else the
    // config's RIDs', else 0; every RID that names a domain must be in it.
    bool explicit_domain = c.phb.domain != CFG_AUTO;
    int64_t domain = explicit_domain ? static_cast<int64_t>(c.phb.domain) : -1;
    if (domain_decl) {
        char r[RID_TEXT + 4];
        std::snprintf(r, sizeof r, "%04x:%02x:%02x.%x", domain_decl->domain, domain_decl->rid >> 8,
                      (domain_decl->rid >> 3) & 0x1f, domain_decl->rid & 7);
        if (explicit_domain && domain != domain_decl->domain)
            return trace + ": dev" + std::to_string(domain_decl->id) + " rid " + r + ": domain " + hex4(domain_decl->domain) +
                   " is not phb.domain " + hex4(static_cast<uint64_t>(domain));
        domain = domain_decl->domain;
    }
    for (RunDevice &d : out) {
        int32_t dom;
        if (rid_parse(d.cd.rid, &dom, &d.rid) != 0)
            return "devices." + std::to_string(d.id) + ".rid: bad RID '" + d.cd.rid +
                   "' (expected [DDDD:]BB:DD.F in hex, as lspci prints it)";
        if (dom == RID_NO_DOMAIN || d.declared)
            continue;
        if (domain < 0)
            domain = dom;
        else if (dom != domain)
            return "devices." + std::to_string(d.id) + ".rid: domain " + hex4(static_cast<uint64_t>(dom)) +
                   " is not phb.domain " + hex4(static_cast<uint64_t>(domain)) +
                   (!explicit_domain && domain_decl ? " (" + trace + "'s devices are in it)" : std::string());
    }
    c.phb.domain = domain < 0 ? 0 : static_cast<uint64_t>(domain);

    // A configured device the trace does not declare but whose RID one of
    // its declarations took: using it would translate two devices in one PE
    // (the RTT maps a RID once). An error at its first use
    // (Feeder::check_actor); left unused, it is harmless.
    for (RunDevice &u : out) {
        if (u.declared)
            continue;
        for (const RunDevice &d : out)
            if (d.declared && d.rid == u.rid) {
                char r[RID_TEXT];
                rid_format_domain(static_cast<uint32_t>(c.phb.domain), u.rid, r);
                u.clash = "dev" + std::to_string(u.id) + " (devices." + std::to_string(u.id) + ", rid " + r +
                          ") is used, but the trace's dev" + std::to_string(d.id) +
                          " declares that RID: each device needs its own (declare dev" + std::to_string(u.id) + ")";
                break;
            }
    }
    return "";
}

} // namespace tcesim
