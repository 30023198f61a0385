/* How Linux on PowerNV sets up a PE's DMA, for the two kernel eras tcesim
 * models (Linux pci-ioda.c pnv_pci_ioda2_setup_dma_pe at 4.4 and 6.6,
 * pci-ioda-tce.c pnv_pci_ioda2_table_alloc_pages): the 32-bit window's size, TCE page
 * size, levels and reserved range; the bypass window; the iommu_group and
 * the add-device checks; and which path a device's DMA mask selects.
 * Functional only; every rule cites the kernel function it comes from
 * (arch/powerpc/platforms/powernv/pci-ioda.c, pci-ioda-tce.c,
 * arch/powerpc/kernel/iommu.c). */
#ifndef TCESIM_PE_SETUP_H
#define TCESIM_PE_SETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../tvt/tve.h"

#define PE_AUTO UINT64_MAX

typedef enum host_kernel {
    HOST_KERNEL_SEED = 0,   /* Linux 4.4 (the seed's code) */
    HOST_KERNEL_MODERN,     /* Linux 6.6 */
} host_kernel;

typedef struct pe_setup_params {
    host_kernel kernel;
    phb_gen gen;
    uint64_t ram_bytes;          /* end of DRAM */
    unsigned cpu_page_shift;     /* PAGE_SHIFT */
    uint64_t m32_base;           /* m32_pci_base: start of the 32-bit MMIO window */
    unsigned max_order;          /* the page allocator's MAX_ORDER as Linux <= 6.3 defines
                                  * it: largest allocation order + 1, so the biggest block
                                  * (maxblock) is 2^(cpu_page_shift + max_order - 1) bytes.
                                  * Modern window rule only. 0 = pe_default_max_order(). */
    /* what-if overrides, PE_AUTO = the era's rule */
    uint64_t page_size, levels, window;
    bool bypass;                 /* open TVE#1 (default true) */
    unsigned phb_number;         /* hose->global_number, the PHB's PCI domain: its IOMMU
                                  * groups' names (iommu_group_make) */
} pe_setup_params;

typedef struct pe_dma_setup {
    uint64_t window_bytes;       /* TVE#0 window, bus [0, window): it_size << page_shift, the
                                  * table being at least one CPU page of TCEs */
    uint64_t requested_window_bytes; /* the size the kernel asked for (before that rounding) */
    unsigned page_shift;         /* TCE page */
    unsigned levels;
    uint64_t reserved_start;     /* entries marked used at init, [start, end); equal = none */
    uint64_t reserved_end;
    bool bypass;                 /* TVE#1 enabled */
    uint64_t bypass_start;       /* real-address window of TVE#1 (start 0) */
    uint64_t bypass_end;         /* inclusive: roundup_pow_of_two(ram) - 1; both 0 when
                                  * bypass is off (Linux maps TVE#1 with size 0) */
} pe_dma_setup;

/* Computes the setup; returns 0, or TCESIM_EINVAL / TCESIM_ERANGE with a
 * one-line reason in why (which key is wrong and the rule it breaks). why may
 * be NULL (whylen 0); *out is written only on success.
 * Inputs: ram_bytes in [16 MiB, 2^50] (the bypass window's granularity and
 * the TVE's real-address limit); cpu_page_shift 12 or 16 (ppc64's 4K / 64K
 * pages); m32_base in (0, 4 GiB). Overrides: page_size a size the PHB
 * generation supports, window a power of two >= the page, levels 1..5; the
 * result must pass tce_geometry() and fit the TVE's level-size field. */
int pe_dma_setup_compute(const pe_setup_params *p, pe_dma_setup *out, char *why, size_t whylen);

/* powerpc's default MAX_ORDER (in the <= 6.3 sense above) for a page size:
 * 9 for 64K pages, 13 for 4K pages (arch/powerpc/Kconfig FORCE_MAX_ZONEORDER,
 * later ARCH_FORCE_MAX_ORDER; 6.4 made MAX_ORDER inclusive and lowered the
 * defaults to 8 / 12, keeping maxblock at 16 MiB). 0 for any other size. */
unsigned pe_default_max_order(unsigned cpu_page_shift);

/* ---- DMA masks ---- */

typedef enum dma_path {
    DMA_PATH_TCE = 0,            /* through TVE#0's table and the allocator */
    DMA_PATH_BYPASS,             /* TVE#1: bus = phys + 2^59 */
    DMA_PATH_BYPASS_TVE0,        /* PHB3 only: TVE#0 rewritten as a 1-level table of
                                  * 256 MiB TCEs mapping all RAM at bus 4 GiB
                                  * (pnv_pci_ioda_dma_64bit_bypass) */
} dma_path;

const char *dma_path_name(dma_path p);   /* "tce", "bypass", "bypass_tve0" */

/* dma_set_mask() on PowerNV, mask = DMA_BIT_MASK(mask_bits) (bits > 64 count
 * as 64, 0 as an empty mask): bypass when the PE has it and mask >= (1<<59)
 * + end of DRAM - 1; else, modern era on PHB3 only, the TVE#0 64-bit bypass
 * when mask >> 32 != 0 and mask > RAM + 4 GiB (strictly; this also applies
 * to a 64-bit mask when the PE's bypass is off); else the TCE window. The
 * seed era has no TVE#0 bypass. A single-device PE is assumed (the kernel
 * also requires it for the TVE#0 form). */
dma_path dma_mask_path(host_kernel k, phb_gen gen, unsigned mask_bits, uint64_t ram_bytes, bool pe_bypass);

/* ---- iommu_group ---- */

typedef struct iommu_group_info {
    int id;                      /* from a global allocator: 0, 1, 2, ... in creation order */
    char name[32];               /* "domain%d-pe%lx": PHB number, PE number (hex) */
} iommu_group_info;

void iommu_group_make(int id, unsigned phb_number, uint64_t pe, iommu_group_info *out);

typedef enum iommu_add_result {
    IOMMU_ADD_OK = 0,
    IOMMU_ADD_EBUSY,             /* the device already has a group */
    IOMMU_ADD_EINVAL,            /* seed era: CPU page size < IOMMU page size */
    IOMMU_ADD_SKIPPED,           /* no table for the device's PE: not added */
} iommu_add_result;

const char *iommu_add_result_name(iommu_add_result r); /* "ok", "-EBUSY", "-EINVAL", "skipped" */

/* iommu_add_device() per era, with the reason as a readable line (why may be
 * NULL). Seed: -EBUSY if already in a group, then skipped without a table,
 * then -EINVAL if cpu page < IOMMU page. Modern: skipped when the PE has no
 * table/group (the caller, pnv_pci_ioda_dma_dev_setup, checks first), then
 * -EBUSY; no page-size check. */
iommu_add_result iommu_add_device_check(host_kernel k, bool already_in_group, bool pe_has_table,
                                        unsigned cpu_page_shift, unsigned io_page_shift,
                                        char *why, size_t whylen);

#endif
