/* How Linux on PowerNV sets up a PE's DMA, per kernel era.
 *
 * Sources (read, not copied):
 * - Seed era (3.x-4.x), pnv_pci_ioda2_setup_dma_pe in
 *   arch/powerpc/platforms/powernv/pci-ioda.c: a 1-level table of 4 KiB TCEs
 *   covering [0, 1 << ilog2(m32_pci_base)); iommu_init_table reserves entry 0
 *   itself (it_offset == 0), nothing else is reserved. (4.2-4.x kept the same
 *   numbers through pnv_pci_ioda2_setup_default_config: window =
 *   min(tce32_size = m32_pci_base, rounddown_pow_of_two(memory_hotplug_max())),
 *   IOMMU_PAGE_SHIFT_4K, POWERNV_IOMMU_DEFAULT_LEVELS = 1.)
 * - Modern era (5.x-6.x), pnv_pci_ioda2_setup_default_config:
 *     max_memory = rounddown_pow_of_two(memory_hotplug_max())
 *     maxblock   = 1 << (PAGE_SHIFT + MAX_ORDER - 1)   (<= 6.3; 6.4+ writes
 *                  PAGE_SHIFT + MAX_ORDER with an inclusive MAX_ORDER)
 *     window     = min((maxblock * 8) << PAGE_SHIFT, max_memory)
 *                  (it_map has one bit per IOMMU page, and is one maxblock)
 *     tces_order = ilog2(window >> PAGE_SHIFT); tcelevel_order = ilog2(maxblock >> 3)
 *     levels     = max(DIV_ROUND_UP(tces_order, tcelevel_order),
 *                      POWERNV_IOMMU_DEFAULT_LEVELS = 2)
 *     TCE page   = PAGE_SHIFT
 *     if window > m32_pci_base: reserve [m32_pci_base >> page_shift,
 *                                        min(window, SZ_4G) >> page_shift)
 *   then iommu_init_table(tbl, nid, res_start, res_end).
 * - Bypass: pnv_pci_ioda2_set_bypass opens TVE#1 at tce_bypass_base = 1 << 59
 *   with size roundup_pow_of_two(memblock_end_of_DRAM()), unless
 *   iommu=nobypass (pnv_iommu_bypass_disabled).
 * - DMA mask: pnv_pci_ioda_dma_set_mask (seed) / pnv_pci_ioda_iommu_bypass_supported
 *   (modern): bypass iff tce_bypass_enabled and mask >= tce_bypass_base +
 *   memblock_end_of_DRAM() - 1. The PHB3-only TVE#0 form
 *   (pnv_pci_ioda_dma_64bit_bypass, added in v4.15 by "powerpc/powernv/pci:
 *   Enable 64-bit devices to access >4GB DMA space") needs mask >> 32 and
 *   mask > memory_hotplug_max() + 4 GiB. The seed's code predates it, so the
 *   seed era here has no TVE#0 bypass. (4.15-4.20 also failed dma_set_mask
 *   with -ENOMEM for a 33..63-bit mask that could use neither bypass; later
 *   kernels fall back to the TCE window, as the seed did; we model the
 *   fallback.)
 * - iommu_register_group (arch/powerpc/kernel/iommu.c): name
 *   "domain%d-pe%lx" (hose->global_number, pe_number).
 * - iommu_add_device: 4.x returns -EBUSY if dev->iommu_group is set, 0
 *   (skipped) without a table or group link, -EINVAL if PAGE_SIZE <
 *   IOMMU_PAGE_SIZE(tbl); 6.x takes the table_group, returns -EBUSY if
 *   device_iommu_mapped(), and has no page-size check; its caller
 *   pnv_pci_ioda_dma_dev_setup skips PEs without a group. */
#include "pe_setup.h"

#include <stdarg.h>
#include <stdio.h>

#include "../common/tcesim_err.h"
#include "../tce/tce_table.h"

#define POWERNV_IOMMU_DEFAULT_LEVELS_MODERN 2u
#define SZ_4G (1ull << 32)
#define SZ_16M (1ull << 24)
/* TVE real-window end limit (tve.h): end <= 0x0003ffffffffffff. */
#define BYPASS_MAX_BYTES (1ull << 50)
/* TCE_TABLE_SIZE is 5 bits of ilog2(level bytes) - 11 (tve.h): 12..42. */
#define TVE_MAX_LEVEL_SHIFT 42u

static int fail(int rc, char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(int rc, char *why, size_t whylen, const char *fmt, ...)
{
    if (why && whylen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

static bool is_pow2(uint64_t x)
{
    return x && !(x & (x - 1));
}

/* floor(log2(x)), x > 0 */
static unsigned ilog2_u64(uint64_t x)
{
    return 63u - (unsigned)__builtin_clzll(x);
}

static uint64_t rounddown_pow2(uint64_t x)
{
    return 1ull << ilog2_u64(x);
}

/* x <= 2^63 */
static uint64_t roundup_pow2(uint64_t x)
{
    return is_pow2(x) ? x : 1ull << (ilog2_u64(x) + 1);
}

unsigned pe_default_max_order(unsigned cpu_page_shift)
{
    switch (cpu_page_shift) {
    case 16: return 9;
    case 12: return 13;
    default: return 0;
    }
}

/* A size as a user writes it in a config (16M, 1G; decimal when not a whole
 * K/M/G/T): the messages name config keys, whose values are written so. */
typedef struct {
    char s[24];
} size_str;

static size_str size_text(uint64_t v)
{
    static const char sfx[] = "KMGT";
    size_str r;
    int n = -1;
    while (n < 3 && v >= 1024 && v % 1024 == 0) {
        v /= 1024;
        n++;
    }
    if (n >= 0)
        snprintf(r.s, sizeof r.s, "%llu%c", (unsigned long long)v, sfx[n]);
    else
        snprintf(r.s, sizeof r.s, "%llu", (unsigned long long)v);
    return r;
}

static const char *phb_supported_list(phb_gen gen)
{
    return gen == PHB_GEN3 ? "4K 64K 16M 256M" : "4K 64K 2M 1G";
}

static int check_inputs(const pe_setup_params *p, char *why, size_t whylen)
{
    if (p->kernel != HOST_KERNEL_SEED && p->kernel != HOST_KERNEL_MODERN)
        return fail(TCESIM_EINVAL, why, whylen, "kernel: unknown era %d", (int)p->kernel);
    if (p->gen != PHB_GEN3 && p->gen != PHB_GEN4)
        return fail(TCESIM_EINVAL, why, whylen, "gen: unknown PHB generation %d", (int)p->gen);
    if (p->cpu_page_shift != 12 && p->cpu_page_shift != 16)
        return fail(TCESIM_EINVAL, why, whylen,
                    "cpu_page_shift: %u is not a ppc64 page size (12 = 4K or 16 = 64K)",
                    p->cpu_page_shift);
    if (p->ram_bytes < SZ_16M || p->ram_bytes > BYPASS_MAX_BYTES)
        return fail(TCESIM_EINVAL, why, whylen,
                    "ram_bytes: %s outside [16M, 2^50] (bypass window granularity and "
                    "the TVE real-address limit)", size_text(p->ram_bytes).s);
    if (p->m32_base == 0 || p->m32_base >= SZ_4G)
        return fail(TCESIM_EINVAL, why, whylen,
                    "m32_base: %s must be in (0, 4G) (the 32-bit MMIO window start)",
                    size_text(p->m32_base).s);
    return TCESIM_OK;
}

/* The modern window before any override: see the file comment. */
static int modern_window(const pe_setup_params *p, unsigned page_shift, uint64_t *window,
                         unsigned *tcelevel_order, char *why, size_t whylen)
{
    unsigned max_order = p->max_order ? p->max_order : pe_default_max_order(p->cpu_page_shift);
    /* maxblock * 8 << page_shift must stay below 2^64: 2^(cps + mo - 1 + 3 + ps). */
    if (max_order < 1 || p->cpu_page_shift + max_order + 2 + page_shift > 63)
        return fail(TCESIM_EINVAL, why, whylen,
                    "max_order: %u out of range (1..%u for %u-bit CPU pages and %u-bit TCEs)",
                    max_order, 61u - p->cpu_page_shift - page_shift, p->cpu_page_shift,
                    page_shift);
    unsigned maxblock_shift = p->cpu_page_shift + max_order - 1;
    uint64_t by_bitmap = 1ull << (maxblock_shift + 3 + page_shift);
    uint64_t max_memory = rounddown_pow2(p->ram_bytes);
    *window = by_bitmap < max_memory ? by_bitmap : max_memory;
    *tcelevel_order = maxblock_shift - 3;
    return TCESIM_OK;
}

static unsigned modern_levels(uint64_t window, unsigned page_shift, unsigned tcelevel_order)
{
    unsigned tces_order = window >> page_shift ? ilog2_u64(window >> page_shift) : 0;
    unsigned levels = (tces_order + tcelevel_order - 1) / tcelevel_order;
    return levels < POWERNV_IOMMU_DEFAULT_LEVELS_MODERN ? POWERNV_IOMMU_DEFAULT_LEVELS_MODERN
                                                        : levels;
}

int pe_dma_setup_compute(const pe_setup_params *p, pe_dma_setup *out, char *why, size_t whylen)
{
    if (!p || !out)
        return fail(TCESIM_EINVAL, why, whylen, "pe_setup: NULL argument");
    int rc = check_inputs(p, why, whylen);
    if (rc)
        return rc;
    bool modern = p->kernel == HOST_KERNEL_MODERN;

    /* TCE page: seed 4K (IOMMU_PAGE_SHIFT_4K), modern PAGE_SHIFT. */
    unsigned page_shift = modern ? p->cpu_page_shift : 12;
    if (p->page_size != PE_AUTO) {
        if (!is_pow2(p->page_size) || !tve_page_shift_supported(p->gen, ilog2_u64(p->page_size)))
            return fail(TCESIM_EINVAL, why, whylen,
                        "page_size: %s is not a TCE page size PHB%d supports (%s)",
                        size_text(p->page_size).s, (int)p->gen,
                        phb_supported_list(p->gen));
        page_shift = ilog2_u64(p->page_size);
    }

    uint64_t window = 0;
    unsigned tcelevel_order = 0;
    if (modern) {
        rc = modern_window(p, page_shift, &window, &tcelevel_order, why, whylen);
        if (rc)
            return rc;
    } else {
        window = rounddown_pow2(p->m32_base); /* 1 << ilog2(m32_pci_base) */
    }
    if (p->window != PE_AUTO) {
        if (!is_pow2(p->window) || p->window < (1ull << page_shift))
            return fail(TCESIM_EINVAL, why, whylen,
                        "window: %s must be a power of two >= the TCE page (%s)",
                        size_text(p->window).s, size_text(1ull << page_shift).s);
        window = p->window;
    }
    if (window < (1ull << page_shift))
        return fail(TCESIM_EINVAL, why, whylen,
                    "m32_base: the derived window %s is smaller than the TCE page %s",
                    size_text(window).s, size_text(1ull << page_shift).s);

    unsigned levels = modern ? modern_levels(window, page_shift, tcelevel_order) : 1;
    if (p->levels != PE_AUTO) {
        if (p->levels < 1 || p->levels > TCE_MAX_LEVELS)
            return fail(TCESIM_EINVAL, why, whylen,
                        "levels: %llu must be 1..%d (POWERNV_IOMMU_MAX_LEVELS)",
                        (unsigned long long)p->levels, TCE_MAX_LEVELS);
        levels = (unsigned)p->levels;
    }

    /* The kernel's table rule (pnv_pci_ioda2_table_alloc_pages). The key
     * named is the override most likely responsible. */
    const char *key = p->levels != PE_AUTO ? "levels" : p->window != PE_AUTO ? "window"
                    : p->page_size != PE_AUTO ? "page_size" : "window";
    tce_geom g;
    rc = tce_geometry(window, page_shift, levels, p->cpu_page_shift, &g);
    if (rc == TCESIM_ERANGE) {
        unsigned ws = ilog2_u64(window);
        unsigned es = (ws - page_shift + levels - 1) / levels;
        unsigned ls = es + 3 > p->cpu_page_shift ? es + 3 : p->cpu_page_shift;
        return fail(TCESIM_ERANGE, why, whylen,
                    "%s: the kernel rejects window %s, %u-bit pages, %u level(s): "
                    "(level_shift %u - 3) * %u + %u = %u >= 55 (pnv_pci_ioda2_table_alloc_pages)",
                    key, size_text(window).s, page_shift, levels, ls, levels, page_shift,
                    (ls - 3) * levels + page_shift);
    }
    if (rc)
        return fail(rc, why, whylen, "%s: window %s, %u-bit pages, %u level(s) is not a valid "
                    "table geometry", key, size_text(window).s, page_shift, levels);
    if (g.level_shift > TVE_MAX_LEVEL_SHIFT)
        return fail(TCESIM_ERANGE, why, whylen,
                    "%s: one level would be 2^%u bytes; the TVE's TCE_TABLE_SIZE field holds "
                    "at most 2^%u (use more levels)", key, g.level_shift, TVE_MAX_LEVEL_SHIFT);

    /* The table is never smaller than one CPU page of TCEs, and the window
     * follows the table: pnv_pci_ioda2_table_alloc_pages() (pci-ioda.c in
     * Linux 4.4, pci-ioda-tce.c in 6.6) sizes tce_table_size = 1 <<
     * max(entries_shift + 3, PAGE_SHIFT) from the whole window's
     * entries_shift; pnv_pci_setup_iommu_table() sets it_size =
     * tce_table_size >> 3; pnv_pci_ioda2_set_window() opens it_size <<
     * it_page_shift. (The reserved range below uses the requested size, as
     * pnv_pci_ioda2_setup_default_config() does.) */
    unsigned entries_shift = ilog2_u64(window) - page_shift;
    unsigned it_size_shift = entries_shift + 3 > p->cpu_page_shift ? entries_shift : p->cpu_page_shift - 3;
    uint64_t table_window = 1ull << (it_size_shift + page_shift);

    uint64_t res_start = 0, res_end = 0;
    if (modern && window > p->m32_base) {
        res_start = p->m32_base >> page_shift;
        res_end = (window < SZ_4G ? window : SZ_4G) >> page_shift;
    }

    *out = (pe_dma_setup){
        .window_bytes = table_window,
        .requested_window_bytes = window,
        .page_shift = page_shift,
        .levels = levels,
        .reserved_start = res_start,
        .reserved_end = res_end,
        .bypass = p->bypass,
        .bypass_start = 0,
        .bypass_end = p->bypass ? roundup_pow2(p->ram_bytes) - 1 : 0,
    };
    return TCESIM_OK;
}

/* ---- DMA masks ---- */

const char *dma_path_name(dma_path p)
{
    switch (p) {
    case DMA_PATH_TCE: return "tce";
    case DMA_PATH_BYPASS: return "bypass";
    case DMA_PATH_BYPASS_TVE0: return "bypass_tve0";
    }
    return "?";
}

dma_path dma_mask_path(host_kernel k, phb_gen gen, unsigned mask_bits, uint64_t ram_bytes,
                       bool pe_bypass)
{
    uint64_t mask = mask_bits >= 64 ? UINT64_MAX : (1ull << mask_bits) - 1; /* DMA_BIT_MASK */
    /* top = tce_bypass_base + memblock_end_of_DRAM() - 1; saturate (RAM is
     * far below 2^59 on any real machine). */
    uint64_t top = ram_bytes > UINT64_MAX - TVE_BYPASS_BIT59 ? UINT64_MAX
                 : TVE_BYPASS_BIT59 + ram_bytes - (ram_bytes ? 1 : 0);
    if (pe_bypass && mask >= top)
        return DMA_PATH_BYPASS;
    if (k == HOST_KERNEL_MODERN && gen == PHB_GEN3 && (mask >> 32) != 0 &&
        ram_bytes <= UINT64_MAX - SZ_4G && mask > ram_bytes + SZ_4G)
        return DMA_PATH_BYPASS_TVE0;
    return DMA_PATH_TCE;
}

/* ---- iommu_group ---- */

void iommu_group_make(int id, unsigned phb_number, uint64_t pe, iommu_group_info *out)
{
    out->id = id;
    snprintf(out->name, sizeof out->name, "domain%u-pe%llx", phb_number,
             (unsigned long long)pe);
}

const char *iommu_add_result_name(iommu_add_result r)
{
    switch (r) {
    case IOMMU_ADD_OK: return "ok";
    case IOMMU_ADD_EBUSY: return "-EBUSY";
    case IOMMU_ADD_EINVAL: return "-EINVAL";
    case IOMMU_ADD_SKIPPED: return "skipped";
    }
    return "?";
}

static iommu_add_result add_result(iommu_add_result r, char *why, size_t whylen, const char *fmt,
                                   ...) __attribute__((format(printf, 4, 5)));

static iommu_add_result add_result(iommu_add_result r, char *why, size_t whylen, const char *fmt,
                                   ...)
{
    if (why && whylen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return r;
}

iommu_add_result iommu_add_device_check(host_kernel k, bool already_in_group, bool pe_has_table,
                                        unsigned cpu_page_shift, unsigned io_page_shift,
                                        char *why, size_t whylen)
{
    if (k == HOST_KERNEL_MODERN) {
        if (!pe_has_table)
            return add_result(IOMMU_ADD_SKIPPED, why, whylen,
                              "PE has no table group: pnv_pci_ioda_dma_dev_setup does not add it");
        if (already_in_group)
            return add_result(IOMMU_ADD_EBUSY, why, whylen,
                              "device already has an iommu_group (device_iommu_mapped)");
        return add_result(IOMMU_ADD_OK, why, whylen, "added to the PE's iommu_group");
    }
    if (already_in_group)
        return add_result(IOMMU_ADD_EBUSY, why, whylen,
                          "device already has an iommu_group (dev->iommu_group set)");
    if (!pe_has_table)
        return add_result(IOMMU_ADD_SKIPPED, why, whylen, "device has no iommu table: skipped");
    if (cpu_page_shift < io_page_shift)
        return add_result(IOMMU_ADD_EINVAL, why, whylen,
                          "PAGE_SIZE 0x%llx < IOMMU page size 0x%llx",
                          1ull << (cpu_page_shift & 63), 1ull << (io_page_shift & 63));
    return add_result(IOMMU_ADD_OK, why, whylen, "added to the PE's iommu_group");
}
