/* PE DMA setup per kernel era (models/host/pe_setup.c).
 *
 * Expected values are computed by hand from the kernel rules cited in
 * pe_setup.c; the derivations are in the comments next to each case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/tcesim_err.h"
#include "host/pe_setup.h"

#define GiB (1ull << 30)
#define TiB (1ull << 40)

static pe_setup_params params(host_kernel k, phb_gen gen)
{
    return (pe_setup_params){
        .kernel = k,
        .gen = gen,
        .ram_bytes = 256 * GiB,
        .cpu_page_shift = 16,
        .m32_base = 0x80000000ull,
        .max_order = 9,
        .page_size = PE_AUTO,
        .levels = PE_AUTO,
        .window = PE_AUTO,
        .bypass = true,
    };
}

static void assert_rejected(const pe_setup_params *p, int rc_expected, const char *key)
{
    pe_dma_setup s;
    char why[256] = "";
    assert_int_equal(pe_dma_setup_compute(p, &s, why, sizeof why), rc_expected);
    assert_non_null(strstr(why, key));
}

/* ---- seed era ---- */

/* 1 << ilog2(0x80000000) = 2 GiB, IOMMU_PAGE_SHIFT_4K, 1 level; entry 0 is
 * left to the allocator, so no reserved range. */
static void seed_default_window_is_pow2_below_m32_4k_one_level(void **state)
{
    (void)state;
    pe_setup_params p = params(HOST_KERNEL_SEED, PHB_GEN3);
    pe_dma_setup s;
    assert_int_equal(pe_dma_setup_compute(&p, &s, NULL, 0), TCESIM_OK);
    assert_int_equal(s.window_bytes, 2 * GiB);
    assert_int_equal(s.page_shift, 12);
    assert_int_equal(s.levels, 1);
    assert_int_equal(s.reserved_start, s.reserved_end);
    assert_true(s.bypass);
    assert_int_equal(s.bypass_start, 0);
    assert_int_equal(s.bypass_end, 256 * GiB - 1);
}

/* 1 << ilog2(0xc0000000) = 2 GiB: the window rounds down to a power of two. */
static void seed_window_rounds_m32_down_to_pow2(void **state)
{
    (void)state;
    pe_setup_params p = params(HOST_KERNEL_SEED, PHB_GEN4);
    p.m32_base = 0xc0000000ull;
    pe_dma_setup s;
    assert_int_equal(pe_dma_setup_compute(&p, &s, NULL, 0), TCESIM_OK);
    assert_int_equal(s.window_bytes, 2 * GiB);
    assert_int_equal(s.page_shift, 12);
}

/* The seed's TCE page is 4K whatever the CPU page, and max_order is unused. */
static void seed_tce_page_is_4k_regardless_of_cpu_page(void **state)
{
    (void)state;
    pe_setup_params p = params(HOST_KERNEL_SEED, PHB_GEN3);
    p.cpu_page_shift = 12;
    p.max_order = 1000;
    pe_dma_setup s;
    assert_int_equal(pe_dma_setup_compute(&p, &s, NULL, 0), TCESIM_OK);
    assert_int_equal(s.page_shift, 12);
    assert_int_equal(s.window_bytes, 2 * GiB);
}

/* ---- modern era ---- */

/* 256 GiB RAM, 64K pages, MAX_ORDER 9 (powerpc default for 64K):
 *   maxblock = 2^(16 + 9 - 1) = 16 MiB
 *   bitmap bound = (16 MiB * 8) << 16 = 2^27 << 16 = 2^43 = 8 TiB
 *   max_memory = rounddown_pow_of_two(256 GiB) = 2^38
 *   window = min(2^43, 2^38) = 256 GiB
 *   tces_order = ilog2(2^38 >> 16) = 22; tcelevel_order = ilog2(2^24 >> 3) = 21
 *   levels = ceil(22 / 21) = 2, max(2, POWERNV_IOMMU_DEFAULT_LEVELS 2) = 2
 *   window 256 GiB > m32 2 GiB: reserved [2^31 >> 16, min(2^38, 2^32) >> 16)
 *                                      = [0x8000, 0x10000)
 *   bypass end = roundup_pow_of_two(256 GiB) - 1 */
static void modern_default_256g_64k_is_256g_window_2_levels_hole_reserved(void **state)
{
    (void)state;
    pe_setup_params p = params(HOST_KERNEL_MODERN, PHB_GEN3);
    pe_dma_setup s;
    assert_int_equal(pe_dma_setup_compute(&p, &s, NULL, 0), TCESIM_OK);
    assert_int_equal(s.window_bytes, 256 * GiB);
    assert_int_equal(s.page_shift, 16);
    assert_int_equal(s.levels, 2);
    assert_int_equal(s.reserved_start, 0x8000);
    assert_int_equal(s.reserved_end, 0x10000);
    assert_true(s.bypass);
    assert_int_equal(s.bypass_start, 0);
    assert_int_equal(s.bypass_end, 256 * GiB - 1);
}

/* max_order 0 means the powerpc default: 9 for 64K, 13 for 4K pages. */
static void modern_max_order_zero_uses_powerpc_default(void **state)
{
    (void)state;
    assert_int_equal(pe_default_max_order(16), 9);
    assert_int_equal(pe_default_max_order(12), 13);
    assert_int_equal(pe_default_max_order(14), 0);
    pe_setup_params p = params(HOST_KERNEL_MODERN, PHB_GEN4);
    p.max_order = 0;
    pe_dma_setup s;
    assert_int_equal(pe_dma_setup_compute(&p, &s, NULL, 0), TCESIM_OK);
    assert_int_equal(s.window_bytes, 256 * GiB);
    assert_int_equal(s.levels, 2);
}

/* 4K pages, MAX_ORDER 13: maxblock = 2^(12+12) = 16 MiB; bound = 2^27 << 12
 * = 512 GiB; window = min(512 GiB, 256 GiB) = 256 GiB; tces_order = 26,
 * tcelevel_order 21 -> 2 levels; reserved [2^31 >> 12, 2^32 >> 12). */
static void modern_4k_pages_use_4k_tces_and_reserve_hole_in_4k_entries(void **state)
{
    (void)state;
    pe_setup_params p = params(HOST_KERNEL_MODERN, PHB_GEN3);
    p.cpu_page_shift = 12;
    p.max_order = 13;
    pe_dma_setup s;
    assert_int_equal(pe_dma_setup_compute(&p, &s, NULL, 0), TCESIM_OK);
    assert_int_equal(s.window_bytes, 256 * GiB);
    assert_int_equal(s.page_shift, 12);
    assert_int_equal(s.levels, 2);
    assert_int_equal(s.reserved_start, 0x80000);
    assert_int_equal(s.reserved_end, 0x100000);
}

/* 16 TiB RAM: window capped by the bitmap bound 2^43 = 8 TiB; tces_order 27
 * -> ceil(27/21) = 2 levels; bypass end 2^44 - 1. */
static void modern_window_capped_by_max_allocation_order(void **state)
{
    (void)state;
    pe_setup_params p = params(HOST_KERNEL_MODERN, PHB_GEN4);
    p.ram_bytes = 16 * TiB;
    pe_dma_setup s;
    assert_int_equal(pe_dma_setup_compute(&p, &s, NULL, 0), TCESIM_OK);
    assert_int_equal(s.window_bytes, 8 * TiB);
    assert_int_equal(s.levels, 2);
    assert_int_equal(s.reserved_start, 0x8000);
    assert_int_equal(s.reserved_end, 0x10000);
    assert_int_equal(s.bypass_end, 16 * TiB - 1);
}

/* 384 GiB RAM: window = rounddown_pow_of_two = 256 GiB; the bypass window
 * rounds up: end = 512 GiB - 1. */
static void modern_ram_not_pow2_rounds_window_down_and_bypass_up(void **state)
{
    (void)state;
    pe_setup_params p = params(HOST_KERNEL_MODERN, PHB_GEN3);
    p.ram_bytes = 384 * GiB;
    pe_dma_setup s;
    assert_int_equal(pe_dma_setup_compute(&p, &s, NULL, 0), TCESIM_OK);
    assert_int_equal(s.window_bytes, 256 * GiB);
    assert_int_equal(s.bypass_end, 512 * GiB - 1);
}

/* 1 GiB RAM: window 1 GiB, not above m32 (2 GiB): nothing reserved;
 * tces_order 14 -> 1 level, raised to the default 2. */
static void modern_window_below_m32_reserves_nothing_and_keeps_2_levels(void **state)
{
    (void)state;
    pe_setup_params p = params(HOST_KERNEL_MODERN, PHB_GEN3);
    p.ram_bytes = 1 * GiB;
    pe_dma_setup s;
    assert_int_equal(pe_dma_setup_compute(&p, &s, NULL, 0), TCESIM_OK);
    assert_int_equal(s.window_bytes, 1 * GiB);
    assert_int_equal(s.levels, 2);
    assert_int_equal(s.reserved_start, s.reserved_end);
}

/* The hole is reserved only when window > m32 (strictly): 2 GiB window with
 * m32 at 2 GiB reserves nothing; with m32 at 1 GiB it reserves
 * [1G >> 16, min(2G, 4G) >> 16) = [0x4000, 0x8000). */
static void modern_hole_reserved_only_when_window_exceeds_m32(void **state)
{
    (void)state;
    pe_setup_params p = params(HOST_KERNEL_MODERN, PHB_GEN3);
    p.ram_bytes = 3 * GiB; /* max_memory 2 GiB */
    pe_dma_setup s;
    assert_int_equal(pe_dma_setup_compute(&p, &s, NULL, 0), TCESIM_OK);
    assert_int_equal(s.window_bytes, 2 * GiB);
    assert_int_equal(s.reserved_start, s.reserved_end);
    p.m32_base = 0x40000000ull;
    assert_int_equal(pe_dma_setup_compute(&p, &s, NULL, 0), TCESIM_OK);
    assert_int_equal(s.reserved_start, 0x4000);
    assert_int_equal(s.reserved_end, 0x8000);
}

static void bypass_false_disables_tve1(void **state)
{
    (void)state;
    pe_setup_params p = params(HOST_KERNEL_MODERN, PHB_GEN4);
    p.bypass = false;
    pe_dma_setup s;
    assert_int_equal(pe_dma_setup_compute(&p, &s, NULL, 0), TCESIM_OK);
    assert_false(s.bypass);
    assert_int_equal(s.bypass_end, 0);
}

/* ---- what-if overrides ---- */

/* PHB4 2M TCEs, modern: bound = 2^(16+8+3+21) = 2^48, window 256 GiB;
 * tces_order 17 -> 1 level -> 2; geometry: (16 - 3) * 2 + 21 = 47 < 55. */
static void override_page_size_supported_by_phb_is_used(void **state)
{
    (void)state;
    pe_setup_params p = params(HOST_KERNEL_MODERN, PHB_GEN4);
    p.page_size = 2ull << 20;
    pe_dma_setup s;
    assert_int_equal(pe_dma_setup_compute(&p, &s, NULL, 0), TCESIM_OK);
    assert_int_equal(s.page_shift, 21);
    assert_int_equal(s.window_bytes, 256 * GiB);
    assert_int_equal(s.levels, 2);
    /* the hole in 2M entries: [2^31 >> 21, 2^32 >> 21) */
    assert_int_equal(s.reserved_start, 1024);
    assert_int_equal(s.reserved_end, 2048);
}

static void override_page_size_unsupported_by_phb_is_rejected(void **state)
{
    (void)state;
    pe_setup_params p = params(HOST_KERNEL_MODERN, PHB_GEN4);
    p.page_size = 16ull << 20; /* PHB3 only */
    assert_rejected(&p, TCESIM_EINVAL, "page_size");
    p.gen = PHB_GEN3;
    pe_dma_setup s;
    assert_int_equal(pe_dma_setup_compute(&p, &s, NULL, 0), TCESIM_OK);
    assert_int_equal(s.page_shift, 24);
    p.page_size = 3 * 4096; /* not a power of two */
    assert_rejected(&p, TCESIM_EINVAL, "page_size");
}

/* Seed with a 64 GiB window and 64K TCEs, 2 levels: everything overridden. */
static void override_window_levels_page_replace_era_choice(void **state)
{
    (void)state;
    pe_setup_params p = params(HOST_KERNEL_SEED, PHB_GEN3);
    p.window = 64 * GiB;
    p.page_size = 65536;
    p.levels = 2;
    pe_dma_setup s;
    assert_int_equal(pe_dma_setup_compute(&p, &s, NULL, 0), TCESIM_OK);
    assert_int_equal(s.window_bytes, 64 * GiB);
    assert_int_equal(s.page_shift, 16);
    assert_int_equal(s.levels, 2);
    assert_int_equal(s.reserved_start, s.reserved_end);
}

/* Modern with only the window given: levels follow the kernel's formula on
 * it: 4 GiB / 64K -> tces_order 16 -> ceil(16/21) = 1 -> raised to 2; the
 * hole [2 GiB, 4 GiB) is reserved in 64K entries. */
static void override_window_alone_recomputes_modern_levels(void **state)
{
    (void)state;
    pe_setup_params p = params(HOST_KERNEL_MODERN, PHB_GEN3);
    p.window = 4 * GiB;
    pe_dma_setup s;
    assert_int_equal(pe_dma_setup_compute(&p, &s, NULL, 0), TCESIM_OK);
    assert_int_equal(s.levels, 2);
    assert_int_equal(s.reserved_start, 0x8000);
    assert_int_equal(s.reserved_end, 0x10000);
}

static void override_window_not_pow2_or_below_page_is_rejected(void **state)
{
    (void)state;
    pe_setup_params p = params(HOST_KERNEL_MODERN, PHB_GEN3);
    p.window = 3 * GiB;
    assert_rejected(&p, TCESIM_EINVAL, "window");
    p.window = 32768; /* < the 64K TCE page */
    assert_rejected(&p, TCESIM_EINVAL, "window");
}

static void override_levels_outside_1_to_5_is_rejected(void **state)
{
    (void)state;
    pe_setup_params p = params(HOST_KERNEL_SEED, PHB_GEN3);
    p.levels = 0;
    assert_rejected(&p, TCESIM_EINVAL, "levels");
    p.levels = 6;
    assert_rejected(&p, TCESIM_EINVAL, "levels");
}

/* 64K CPU pages make every level at least 64 KiB (8192 entries, 13 bits):
 * 3 levels of 64K TCEs span (16 - 3) * 3 + 16 = 55 >= 55 -> rejected. */
static void override_levels_3_with_64k_pages_hits_kernel_55_bit_rule(void **state)
{
    (void)state;
    pe_setup_params p = params(HOST_KERNEL_MODERN, PHB_GEN3);
    p.levels = 3;
    pe_dma_setup s;
    char why[256] = "";
    assert_int_equal(pe_dma_setup_compute(&p, &s, why, sizeof why), TCESIM_ERANGE);
    assert_non_null(strstr(why, "levels:"));
    assert_non_null(strstr(why, "55 >= 55"));
    p.levels = 5; /* 13 * 5 + 16 = 81 */
    assert_int_equal(pe_dma_setup_compute(&p, &s, why, sizeof why), TCESIM_ERANGE);
    assert_non_null(strstr(why, "81 >= 55"));
}

/* Seed 1 level of 4K TCEs: a 2^55 window needs 43 index bits: 43 + 12 = 55
 * -> the kernel rule; 2^54 passes it (54) but one level would be 2^45 bytes,
 * beyond the TVE's TCE_TABLE_SIZE field (2^42). */
static void override_huge_window_one_level_is_rejected(void **state)
{
    (void)state;
    pe_setup_params p = params(HOST_KERNEL_SEED, PHB_GEN3);
    p.window = 1ull << 55;
    assert_rejected(&p, TCESIM_ERANGE, "window:");
    p.window = 1ull << 54;
    assert_rejected(&p, TCESIM_ERANGE, "TCE_TABLE_SIZE");
}

/* pnv_pci_ioda2_table_alloc_pages() (pci-ioda.c, Linux 4.4; pci-ioda-tce.c,
 * Linux 6.6): table_shift = max(entries_shift + 3, PAGE_SHIFT) over the whole
 * window, it_size = tce_table_size >> 3, and the window set is it_size <<
 * it_page_shift. 16 MiB of 4 KiB TCEs: entries_shift = 24 - 12 = 12, 12 + 3
 * = 15 < 16 (64 KiB CPU pages) -> table_shift 16, 64 KiB of TCEs, it_size
 * 8192, window 8192 << 12 = 32 MiB, in both eras. With 4 KiB CPU pages: 15
 * >= 12, the table is the 32 KiB asked for and the window stays 16 MiB. */
static void table_is_at_least_one_cpu_page_and_the_window_follows_it(void **state)
{
    (void)state;
    const host_kernel eras[2] = {HOST_KERNEL_SEED, HOST_KERNEL_MODERN};
    for (unsigned k = 0; k < 2; k++) {
        pe_setup_params p = params(eras[k], PHB_GEN3);
        p.window = 16ull << 20;
        p.page_size = 4096;
        p.levels = 1;
        pe_dma_setup s;
        assert_int_equal(pe_dma_setup_compute(&p, &s, NULL, 0), TCESIM_OK);
        assert_int_equal(s.window_bytes, 32ull << 20);
        assert_int_equal(s.requested_window_bytes, 16ull << 20);
        assert_int_equal(s.reserved_start, s.reserved_end); /* 16 MiB < m32_base: nothing */
        p.cpu_page_shift = 12;
        assert_int_equal(pe_dma_setup_compute(&p, &s, NULL, 0), TCESIM_OK);
        assert_int_equal(s.window_bytes, 16ull << 20);
    }
    /* 2 levels, 64 KiB TCEs, 1 MiB asked: entries_shift 4, 4 + 3 < 16 ->
     * it_size 8192, window 8192 << 16 = 512 MiB */
    pe_setup_params p = params(HOST_KERNEL_MODERN, PHB_GEN3);
    p.window = 1ull << 20;
    pe_dma_setup s;
    assert_int_equal(pe_dma_setup_compute(&p, &s, NULL, 0), TCESIM_OK);
    assert_int_equal(s.levels, 2);
    assert_int_equal(s.window_bytes, 512ull << 20);
}

static void bad_inputs_are_rejected_with_the_key(void **state)
{
    (void)state;
    pe_setup_params p = params(HOST_KERNEL_MODERN, PHB_GEN3);
    p.cpu_page_shift = 14;
    assert_rejected(&p, TCESIM_EINVAL, "cpu_page_shift");
    p = params(HOST_KERNEL_MODERN, PHB_GEN3);
    p.ram_bytes = 1 << 20;
    assert_rejected(&p, TCESIM_EINVAL, "ram_bytes");
    p.ram_bytes = (1ull << 50) + 1;
    assert_rejected(&p, TCESIM_EINVAL, "ram_bytes");
    p = params(HOST_KERNEL_SEED, PHB_GEN3);
    p.m32_base = 0;
    assert_rejected(&p, TCESIM_EINVAL, "m32_base");
    p.m32_base = 1ull << 32;
    assert_rejected(&p, TCESIM_EINVAL, "m32_base");
    p.m32_base = 2048; /* window 2 KiB < the 4K page */
    assert_rejected(&p, TCESIM_EINVAL, "m32_base");
    p = params(HOST_KERNEL_MODERN, PHB_GEN3);
    p.max_order = 40;
    assert_rejected(&p, TCESIM_EINVAL, "max_order");
    p = params(HOST_KERNEL_MODERN, (phb_gen)5);
    assert_rejected(&p, TCESIM_EINVAL, "gen");
    p = params((host_kernel)7, PHB_GEN3);
    assert_rejected(&p, TCESIM_EINVAL, "kernel");
    pe_dma_setup s;
    assert_int_equal(pe_dma_setup_compute(NULL, &s, NULL, 0), TCESIM_EINVAL);
}

/* ---- DMA mask paths, 256 GiB RAM ---- */

static void assert_paths(host_kernel k, phb_gen gen, bool pe_bypass, const dma_path expect[5])
{
    static const unsigned bits[5] = {32, 40, 48, 60, 64};
    for (int i = 0; i < 5; i++)
        assert_int_equal(dma_mask_path(k, gen, bits[i], 256 * GiB, pe_bypass), expect[i]);
}

/* Bypass needs mask >= 2^59 + 256 GiB - 1: only 60 and 64 bits. The seed
 * has no TVE#0 form, so 40 and 48 bits use the TCE window on both PHBs. */
static void mask_path_seed_bypass_from_60_bits_else_tce(void **state)
{
    (void)state;
    const dma_path e[5] = {DMA_PATH_TCE, DMA_PATH_TCE, DMA_PATH_TCE, DMA_PATH_BYPASS,
                           DMA_PATH_BYPASS};
    assert_paths(HOST_KERNEL_SEED, PHB_GEN3, true, e);
    assert_paths(HOST_KERNEL_SEED, PHB_GEN4, true, e);
}

/* Modern PHB3: 40 bits = 2^40 - 1 > 256 GiB + 4 GiB (0x41_0000_0000) and
 * mask >> 32 != 0 -> TVE#0 bypass; same for 48. 32 bits: mask >> 32 == 0. */
static void mask_path_modern_phb3_tve0_bypass_between_ram_plus_4g_and_bypass(void **state)
{
    (void)state;
    const dma_path e[5] = {DMA_PATH_TCE, DMA_PATH_BYPASS_TVE0, DMA_PATH_BYPASS_TVE0,
                           DMA_PATH_BYPASS, DMA_PATH_BYPASS};
    assert_paths(HOST_KERNEL_MODERN, PHB_GEN3, true, e);
}

static void mask_path_modern_phb4_has_no_tve0_bypass(void **state)
{
    (void)state;
    const dma_path e[5] = {DMA_PATH_TCE, DMA_PATH_TCE, DMA_PATH_TCE, DMA_PATH_BYPASS,
                           DMA_PATH_BYPASS};
    assert_paths(HOST_KERNEL_MODERN, PHB_GEN4, true, e);
}

/* With TVE#1 off, a 64-bit mask on modern PHB3 falls to the TVE#0 form; on
 * PHB4 and in the seed, to the TCE window. */
static void mask_path_without_pe_bypass(void **state)
{
    (void)state;
    const dma_path p3[5] = {DMA_PATH_TCE, DMA_PATH_BYPASS_TVE0, DMA_PATH_BYPASS_TVE0,
                            DMA_PATH_BYPASS_TVE0, DMA_PATH_BYPASS_TVE0};
    const dma_path tce[5] = {DMA_PATH_TCE, DMA_PATH_TCE, DMA_PATH_TCE, DMA_PATH_TCE,
                             DMA_PATH_TCE};
    assert_paths(HOST_KERNEL_MODERN, PHB_GEN3, false, p3);
    assert_paths(HOST_KERNEL_MODERN, PHB_GEN4, false, tce);
    assert_paths(HOST_KERNEL_SEED, PHB_GEN3, false, tce);
}

/* Bypass is mask >= top (inclusive): RAM 2^59 gives top = 2^60 - 1 =
 * DMA_BIT_MASK(60). TVE#0 is mask > RAM + 4 GiB (strict): with RAM =
 * 2^36 - 1 - 2^32 a 36-bit mask equals RAM + 4 GiB and is not enough. */
static void mask_path_boundaries_bypass_inclusive_tve0_strict(void **state)
{
    (void)state;
    assert_int_equal(dma_mask_path(HOST_KERNEL_SEED, PHB_GEN4, 60, 1ull << 59, true),
                     DMA_PATH_BYPASS);
    assert_int_equal(dma_mask_path(HOST_KERNEL_SEED, PHB_GEN4, 60, (1ull << 59) + 1, true),
                     DMA_PATH_TCE);
    uint64_t ram = (1ull << 36) - 1 - (1ull << 32);
    assert_int_equal(dma_mask_path(HOST_KERNEL_MODERN, PHB_GEN3, 36, ram, true), DMA_PATH_TCE);
    assert_int_equal(dma_mask_path(HOST_KERNEL_MODERN, PHB_GEN3, 36, ram - 1, true),
                     DMA_PATH_BYPASS_TVE0);
    assert_int_equal(dma_mask_path(HOST_KERNEL_MODERN, PHB_GEN3, 59, 256 * GiB, true),
                     DMA_PATH_BYPASS_TVE0);
    assert_int_equal(dma_mask_path(HOST_KERNEL_MODERN, PHB_GEN3, 0, 256 * GiB, true),
                     DMA_PATH_TCE);
    assert_int_equal(dma_mask_path(HOST_KERNEL_MODERN, PHB_GEN4, 99, 256 * GiB, true),
                     DMA_PATH_BYPASS);
}

static void dma_path_names(void **state)
{
    (void)state;
    assert_string_equal(dma_path_name(DMA_PATH_TCE), "tce");
    assert_string_equal(dma_path_name(DMA_PATH_BYPASS), "bypass");
    assert_string_equal(dma_path_name(DMA_PATH_BYPASS_TVE0), "bypass_tve0");
}

/* ---- iommu_group ---- */

static void group_name_is_domain_phb_pe_hex(void **state)
{
    (void)state;
    iommu_group_info g;
    iommu_group_make(0, 0, 0x1f, &g);
    assert_int_equal(g.id, 0);
    assert_string_equal(g.name, "domain0-pe1f");
    iommu_group_make(7, 3, 0x1ff, &g);
    assert_int_equal(g.id, 7);
    assert_string_equal(g.name, "domain3-pe1ff");
    iommu_group_make(1, 12, 0, &g);
    assert_string_equal(g.name, "domain12-pe0");
}

/* ---- iommu_add_device ---- */

static void add_device_seed_checks_busy_then_table_then_page_size(void **state)
{
    (void)state;
    char why[128];
    assert_int_equal(iommu_add_device_check(HOST_KERNEL_SEED, false, true, 16, 12, why, sizeof why),
                     IOMMU_ADD_OK);
    assert_int_equal(iommu_add_device_check(HOST_KERNEL_SEED, true, true, 16, 12, why, sizeof why),
                     IOMMU_ADD_EBUSY);
    /* -EBUSY is checked before the table */
    assert_int_equal(iommu_add_device_check(HOST_KERNEL_SEED, true, false, 16, 12, NULL, 0),
                     IOMMU_ADD_EBUSY);
    assert_int_equal(iommu_add_device_check(HOST_KERNEL_SEED, false, false, 12, 16, NULL, 0),
                     IOMMU_ADD_SKIPPED);
    /* 4K CPU pages, 64K TCEs: PAGE_SIZE < IOMMU_PAGE_SIZE */
    assert_int_equal(iommu_add_device_check(HOST_KERNEL_SEED, false, true, 12, 16, why, sizeof why),
                     IOMMU_ADD_EINVAL);
    assert_non_null(strstr(why, "PAGE_SIZE"));
    /* equal sizes are fine */
    assert_int_equal(iommu_add_device_check(HOST_KERNEL_SEED, false, true, 16, 16, NULL, 0),
                     IOMMU_ADD_OK);
}

static void add_device_modern_has_no_page_size_check_and_skips_first(void **state)
{
    (void)state;
    assert_int_equal(iommu_add_device_check(HOST_KERNEL_MODERN, false, true, 12, 16, NULL, 0),
                     IOMMU_ADD_OK);
    assert_int_equal(iommu_add_device_check(HOST_KERNEL_MODERN, true, true, 16, 16, NULL, 0),
                     IOMMU_ADD_EBUSY);
    /* the caller skips a PE without a group before iommu_add_device runs */
    assert_int_equal(iommu_add_device_check(HOST_KERNEL_MODERN, true, false, 16, 16, NULL, 0),
                     IOMMU_ADD_SKIPPED);
}

static void add_result_names(void **state)
{
    (void)state;
    assert_string_equal(iommu_add_result_name(IOMMU_ADD_OK), "ok");
    assert_string_equal(iommu_add_result_name(IOMMU_ADD_EBUSY), "-EBUSY");
    assert_string_equal(iommu_add_result_name(IOMMU_ADD_EINVAL), "-EINVAL");
    assert_string_equal(iommu_add_result_name(IOMMU_ADD_SKIPPED), "skipped");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seed_default_window_is_pow2_below_m32_4k_one_level),
        cmocka_unit_test(seed_window_rounds_m32_down_to_pow2),
        cmocka_unit_test(seed_tce_page_is_4k_regardless_of_cpu_page),
        cmocka_unit_test(modern_default_256g_64k_is_256g_window_2_levels_hole_reserved),
        cmocka_unit_test(modern_max_order_zero_uses_powerpc_default),
        cmocka_unit_test(modern_4k_pages_use_4k_tces_and_reserve_hole_in_4k_entries),
        cmocka_unit_test(modern_window_capped_by_max_allocation_order),
        cmocka_unit_test(modern_ram_not_pow2_rounds_window_down_and_bypass_up),
        cmocka_unit_test(modern_window_below_m32_reserves_nothing_and_keeps_2_levels),
        cmocka_unit_test(modern_hole_reserved_only_when_window_exceeds_m32),
        cmocka_unit_test(bypass_false_disables_tve1),
        cmocka_unit_test(override_page_size_supported_by_phb_is_used),
        cmocka_unit_test(override_page_size_unsupported_by_phb_is_rejected),
        cmocka_unit_test(override_window_levels_page_replace_era_choice),
        cmocka_unit_test(override_window_alone_recomputes_modern_levels),
        cmocka_unit_test(override_window_not_pow2_or_below_page_is_rejected),
        cmocka_unit_test(override_levels_outside_1_to_5_is_rejected),
        cmocka_unit_test(override_levels_3_with_64k_pages_hits_kernel_55_bit_rule),
        cmocka_unit_test(override_huge_window_one_level_is_rejected),
        cmocka_unit_test(table_is_at_least_one_cpu_page_and_the_window_follows_it),
        cmocka_unit_test(bad_inputs_are_rejected_with_the_key),
        cmocka_unit_test(mask_path_seed_bypass_from_60_bits_else_tce),
        cmocka_unit_test(mask_path_modern_phb3_tve0_bypass_between_ram_plus_4g_and_bypass),
        cmocka_unit_test(mask_path_modern_phb4_has_no_tve0_bypass),
        cmocka_unit_test(mask_path_without_pe_bypass),
        cmocka_unit_test(mask_path_boundaries_bypass_inclusive_tve0_strict),
        cmocka_unit_test(dma_path_names),
        cmocka_unit_test(group_name_is_domain_phb_pe_hex),
        cmocka_unit_test(add_device_seed_checks_busy_then_table_then_page_size),
        cmocka_unit_test(add_device_modern_has_no_page_size_check_and_skips_first),
        cmocka_unit_test(add_result_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
