// The Linux side of the platform, set up before the run: each PE's DMA
// windows (pnv_pci_ioda2_setup_dma_pe: TCE table, TVE#0, the bypass TVE#1
// or the PHB3 TVE#0 64-bit bypass), its iommu group and allocator, and
// each device's DMA path (dma_set_mask) and group membership
// (iommu_add_device).
#ifndef TCESIM_PLATFORM_HPP
#define TCESIM_PLATFORM_HPP

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "config.h"

extern "C" {
#include "host/dma_api.h"
#include "host/pe_setup.h"
#include "memory/physalloc.h"
#include "memory/physmem.h"
#include "phb/phb.h"
#include "tce/tce_table.h"
#include "traces/trace.h"
}

namespace tcesim {

// Per-PE state: how Linux set it up, its TCE table, its place in the host
// model.
struct PeState {
    uint16_t pe = 0;
    pe_dma_setup setup{};
    tce_table table{};
    int host_index = -1;
    iommu_group_info group{};
    bool bypass_tve0 = false;    // TVE#0 rewritten for the PHB3 64-bit bypass
    tce_table bypass_table{};
};

// How Linux set a device up.
struct DeviceInfo {
    uint32_t id = 0;
    uint16_t rid = 0;
    uint16_t pe = 0;
    unsigned mask_bits = 0;
    uint64_t max_seg_size = 0;
    dma_path path = DMA_PATH_TCE;
    unsigned host_pe = 0;        // its PE's index in the host model
    size_t pe_slot = 0;          // its PE's index in Platform::pes()
    iommu_add_result add = IOMMU_ADD_OK;
    std::string add_why;
};

// The checks Netlist::add_device and Platform::attach make that need no
// memory or PHB model: each configured device's RID, link and PE (below the
// PHB's reserved PE), and each PE it uses gets its DMA setup computed (TCE
// page size against the PHB's, window, levels, the kernel's table rule), so a
// sweep can refuse a bad point before any runs. Returns "" or the error,
// `key: what is wrong` with the key the user sets (iommu.page_size, or
// pes.N.page_size when the config overrides it for that PE). decls: the
// trace's device declarations (trace: its name, for messages), merged as the
// run merges them (resolve_devices).
std::string platform_check(const tcesim_config &cfg, const std::vector<tr_device_decl> &decls, const std::string &trace);

class Platform {
public:
    // The platform programs phb_model's TVEs and RTT and adds PEs to host;
    // TCE tables live in mem, placed by palloc. None is owned. ndevices:
    // how many devices the run attaches (at most one PE each).
    Platform(const tcesim_config &cfg, physmem *mem, physalloc &palloc, phb *phb_model, host_model *host,
             size_t ndevices);

    // Sets up a device (d.id, d.rid, d.pe, d.mask_bits, d.max_seg_size
    // filled in), its PE first if it is the PE's first device. Returns 0 or
    // the exit code (2 bad input, 1 out of memory) with err set.
    int attach(DeviceInfo &d, std::string &err);

    const std::vector<PeState> &pes() const { return pes_; }
    const PeState &pe_state(uint16_t pe) const { return pes_[pe_index_.at(pe)]; }

private:
    int setup_pe(PeState &ps, int group_id, std::string &err);
    int setup_bypass_tve0(PeState &ps, std::string &err);

    const tcesim_config &cfg_;
    physmem *mem_;
    physalloc &palloc_;
    phb *phb_;
    host_model *host_;
    phb_gen gen_;
    unsigned cpu_page_shift_;
    std::vector<PeState> pes_; // indexed by position
    std::unordered_map<uint16_t, size_t> pe_index_;
};

} // namespace tcesim

#endif
