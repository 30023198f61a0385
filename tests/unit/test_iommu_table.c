/* Linux's powerpc iommu_table allocator (models/host/iommu_table.h):
 * hand-derived sequences for each rule of arch/powerpc/kernel/iommu.c and
 * lib/iommu-helper.c, then a differential test against an independent
 * reference written from the kernel's pseudo-code (one byte per entry, the
 * older per-bit search of lib/iommu-helper.c with the `start = index + 1`
 * boundary retry), on thousands of random map/map_sg/alloc/free operations.
 *
 * Geometry used throughout (derived once here):
 *  - 2 GiB window, 4 KiB IO pages: it_size = 2^31 / 2^12 = 524288 entries;
 *    2 GiB >= 1 GiB so 4 pools; poolsize = (524288 * 3 / 4) / 4 = 98304;
 *    pools [0,98304) [98304,196608) [196608,294912) [294912,393216), large
 *    [393216,524288).
 *  - 256 MiB window, 4 KiB IO pages: 65536 entries, < 1 GiB so 1 pool;
 *    poolsize = 49152; pool 0 [0,49152), large [49152,65536).
 *  - A search in a pool [s, e) never hands out entry e - 1: iommu_area_alloc()
 *    decrements its limit ("we don't want the last of the limit"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/rng.h"
#include "common/tcesim_err.h"
#include "host/iommu_table.h"

#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define NOMASK UINT64_MAX

static iommu_table_params window(uint64_t bytes, unsigned page_shift, unsigned cpu_page_shift)
{
    iommu_table_params p;
    memset(&p, 0, sizeof(p));
    p.it_size = bytes >> page_shift;
    p.page_shift = page_shift;
    p.cpu_page_shift = cpu_page_shift;
    p.blocksize = 16;
    return p;
}

/* A table of `size` 4 KiB entries, 64 KiB CPU pages, nr_pools given. */
static void tiny(iommu_table *t, uint64_t size, uint32_t nr_pools)
{
    iommu_table_params p = window(size << 12, 12, 16);
    p.nr_pools = nr_pools;
    assert_int_equal(iommu_table_init(t, &p), TCESIM_OK);
}

static uint64_t alloc1(iommu_table *t, unsigned cpu, uint64_t npages, iommu_alloc_info *info)
{
    return iommu_range_alloc(t, cpu, npages, NULL, NOMASK >> 12, 0, info);
}

/* ---------------------------------------------------------------- pools */

static void pool_hash_spreads_cpus_0_to_15(void **state)
{
    (void)state;
    iommu_table t;
    iommu_table_params p = window(2 * GiB, 12, 16);
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    /* (cpu * 0x61C88647 mod 2^32) >> 30: 0x61C88647 >> 30 = 1,
     * 2 * 0x61C88647 = 0xC3910C8E >> 30 = 3, 3 * = 0x255992D5 (mod 2^32) -> 0, ... */
    static const uint32_t want[16] = {0, 1, 3, 0, 2, 3, 1, 2, 0, 1, 3, 0, 2, 3, 1, 2};
    for (unsigned c = 0; c < 16; c++)
        assert_int_equal(iommu_pool_of_cpu(&t, c), want[c]);
    iommu_table_destroy(&t);

    /* before Linux 4.7: 0x9e370001 >> 30 = 2, 2 * = 0x3C6E0002 -> 0, ... */
    p.hash_mult = IOMMU_HASH_MULT_LEGACY;
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    static const uint32_t legacy[16] = {0, 2, 0, 3, 1, 0, 2, 1, 3, 2, 0, 3, 1, 0, 2, 1};
    for (unsigned c = 0; c < 16; c++)
        assert_int_equal(iommu_pool_of_cpu(&t, c), legacy[c]);
    iommu_table_destroy(&t);

    /* one pool: every CPU is home in pool 0 */
    p = window(256 * MiB, 12, 16);
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    for (unsigned c = 0; c < 16; c++)
        assert_int_equal(iommu_pool_of_cpu(&t, c), 0);
    iommu_table_destroy(&t);
}

static void window_of_1gib_or_more_has_four_pools(void **state)
{
    (void)state;
    iommu_table t;
    iommu_table_params p = window(2 * GiB, 12, 16);
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    assert_int_equal(t.nr_pools, 4);
    assert_int_equal(t.poolsize, 98304);
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(t.pools[i].start, 98304ull * i);
        assert_int_equal(t.pools[i].end, 98304ull * (i + 1));
        assert_int_equal(t.pools[i].hint, 98304ull * i);
    }
    assert_int_equal(t.large_pool.start, 393216);
    assert_int_equal(t.large_pool.end, 524288);
    assert_int_equal(t.bitmap[0], 1); /* entry 0 reserved (it_offset == 0) */
    iommu_table_destroy(&t);

    /* exactly 1 GiB: the source compares with >= */
    p = window(1 * GiB, 12, 16);
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    assert_int_equal(t.nr_pools, 4);
    assert_int_equal(t.poolsize, 49152); /* 262144 * 3 / 4 / 4 */
    iommu_table_destroy(&t);

    p = window(1 * GiB - 4 * KiB, 12, 16);
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    assert_int_equal(t.nr_pools, 1);
    iommu_table_destroy(&t);
}

static void window_below_1gib_has_one_pool_and_a_large_quarter(void **state)
{
    (void)state;
    iommu_table t;
    iommu_table_params p = window(256 * MiB, 12, 16);
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    assert_int_equal(t.nr_pools, 1);
    assert_int_equal(t.poolsize, 49152);
    assert_int_equal(t.pools[0].start, 0);
    assert_int_equal(t.pools[0].end, 49152);
    assert_int_equal(t.large_pool.start, 49152);
    assert_int_equal(t.large_pool.end, 65536);
    iommu_table_destroy(&t);
}

static void init_rejects_bad_geometry(void **state)
{
    (void)state;
    iommu_table t;
    iommu_table_params p = window(256 * MiB, 12, 16);
    p.blocksize = 0;
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_EINVAL);
    iommu_table_destroy(&t);
    p = window(256 * MiB, 12, 16);
    p.nr_pools = 3;
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_EINVAL);
    p.nr_pools = 0;
    p.seg_boundary = 3 * MiB;
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_EINVAL);
    p.seg_boundary = 0;
    p.it_size = 1;
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_EINVAL);
    iommu_table_destroy(&t);
    iommu_table_destroy(NULL);
}

static void offset_window_does_not_reserve_entry_0_and_clamps_the_reserved_range(void **state)
{
    (void)state;
    iommu_table t;
    iommu_table_params p = window(256 * MiB, 12, 16);
    p.it_offset = 100;
    p.reserved_start = 50;   /* clamped up to 100 = entry 0 of the table */
    p.reserved_end = 103;
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    assert_int_equal(t.bitmap[0], 0x7); /* entries 0, 1, 2 */
    assert_int_equal(t.p.reserved_start, 100);
    iommu_alloc_info info;
    assert_int_equal(alloc1(&t, 0, 1, &info), 3);
    iommu_table_destroy(&t);

    p.reserved_start = p.reserved_end = 0; /* none; entry 0 usable */
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    assert_int_equal(alloc1(&t, 0, 1, &info), 0);
    iommu_table_destroy(&t);
}

/* ------------------------------------------------------- hints, map_page */

static void small_maps_start_a_new_16_entry_block_each_time(void **state)
{
    (void)state;
    iommu_table t;
    iommu_table_params p = window(2 * GiB, 12, 16);
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    iommu_alloc_info info;
    uint64_t bus;
    /* CPU 0 -> pool 0, hint 0. First: entry 0 is reserved, so 1; end 2,
     * hint = ALIGN(2, 16) = 16. Then 16 (end 17, hint 32), 32, 48, ... */
    assert_int_equal(iommu_map_page(&t, 0, 0x12345000, 4 * KiB, NOMASK, &bus, &info), 1);
    assert_int_equal(bus, 0x1000);
    assert_int_equal(info.pool, 0);
    assert_int_equal(info.home_pool, 0);
    assert_int_equal(info.passes, 0);
    assert_int_equal(info.nholds, 1);
    assert_int_equal(info.holds[0].pool, 0);
    /* find_next_zero_bit(0): word 0 (bit 1 free); find_next_bit(2, 1): word 0 */
    assert_int_equal(info.holds[0].words_scanned, 2);
    assert_int_equal(t.pools[0].hint, 16);
    /* the offset inside the IO page is kept; 0x800 + 6 KiB spans 2 IO pages */
    assert_int_equal(iommu_map_page(&t, 0, 0x20000800, 6 * KiB, NOMASK, &bus, &info), 16);
    assert_int_equal(info.npages, 2);
    assert_int_equal(bus, (16ull << 12) | 0x800);
    assert_int_equal(t.pools[0].hint, 32); /* end 18 -> 32 */
    for (uint64_t k = 2; k < 6; k++) {
        assert_int_equal(iommu_map_page(&t, 0, 0x30000000 + k * 4096, 100, NOMASK, &bus, &info), 16 * k);
        assert_int_equal(bus, (16 * k) << 12);
    }
    /* another CPU of pool 0 (CPU 3) shares the hint */
    assert_int_equal(iommu_map_page(&t, 3, 0, 1, NOMASK, &bus, &info), 96);
    /* CPU 1 -> pool 1 starts at its own pool's start */
    assert_int_equal(iommu_map_page(&t, 1, 0, 1, NOMASK, &bus, &info), 98304);
    assert_int_equal(info.pool, 1);
    assert_int_equal(t.st.allocs, 8);
    assert_int_equal(t.st.pages_in_use, 9);
    assert_int_equal(t.st.allocs_by_pool[0], 7);
    assert_int_equal(t.st.allocs_by_pool[1], 1);
    iommu_table_destroy(&t);
}

static void more_than_15_pages_go_to_the_large_pool_without_block_rounding(void **state)
{
    (void)state;
    iommu_table t;
    iommu_table_params p = window(2 * GiB, 12, 16);
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    iommu_alloc_info info;
    uint64_t bus;
    /* 15 pages stay in the CPU's pool */
    assert_int_equal(iommu_map_page(&t, 1, 0x1000, 15 * 4096, NOMASK, &bus, &info), 98304);
    assert_int_equal(info.pool, 1);
    /* 0x100 + 64 KiB touches 17 IO pages; not page-aligned: no alignment */
    assert_int_equal(iommu_map_page(&t, 1, 0x100, 64 * KiB, NOMASK, &bus, &info), 393216);
    assert_int_equal(info.npages, 17);
    assert_int_equal(info.pool, IOMMU_POOL_LARGE);
    assert_int_equal(info.home_pool, IOMMU_POOL_LARGE);
    assert_int_equal(info.holds[0].pool, IOMMU_POOL_LARGE);
    assert_int_equal(t.large_pool.hint, 393216 + 17); /* hint = end, no rounding */
    assert_int_equal(t.st.allocs_by_pool[4], 1);
    assert_int_equal(t.st.fallbacks_in[4], 0);
    /* a 64 KiB page-aligned buffer (16 IO pages, CPU page 64 KiB) is aligned
     * to 16 entries: from 393233 up to 393248 */
    assert_int_equal(iommu_map_page(&t, 5, 0x7770000, 64 * KiB, NOMASK, &bus, &info), 393248);
    assert_int_equal(bus, 393248ull << 12);
    iommu_table_destroy(&t);
}

static void page_aligned_buffers_of_a_cpu_page_align_to_the_cpu_page(void **state)
{
    (void)state;
    iommu_table t;
    /* what-if CPU page 16 KiB over 4 KiB IO pages: align_order 2 */
    iommu_table_params p = window(256 * MiB, 12, 14);
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    /* a map_sg of [4 KiB, 16 KiB not page-aligned, 16 KiB page-aligned]:
     * segment 0 at 1 (handle 2); segment 1 from the handle, unaligned: 2..5
     * (handle 6); segment 2 from handle 6 aligned to 4 entries: 8..11. */
    uint64_t pas[3] = {0x10000, 0x21000, 0x40000};
    uint64_t sizes[3] = {4 * KiB, 16 * KiB, 16 * KiB};
    uint64_t bus[3];
    iommu_alloc_info infos[3];
    iommu_sg_out outs[3];
    uint32_t nouts;
    assert_int_equal(iommu_map_sg(&t, 0, pas, sizes, 3, NOMASK, 64 * KiB, false, bus, infos, outs, &nouts, NULL), 0);
    assert_int_equal(infos[0].entry, 1);
    assert_int_equal(infos[1].entry, 2);
    assert_int_equal(infos[2].entry, 8);
    assert_int_equal(infos[2].npages, 4);
    assert_int_equal(infos[2].holds[0].pool, 0);
    /* 0 and 1 are contiguous (0x1000 + 4 KiB = 0x2000): merged; 1 ends at
     * 0x6000, 2 starts at 0x8000: a second output */
    assert_int_equal(nouts, 2);
    assert_int_equal(outs[0].bus, 0x1000);
    assert_int_equal(outs[0].len, 20 * KiB);
    assert_int_equal(outs[1].bus, 0x8000);
    assert_int_equal(outs[1].len, 16 * KiB);
    assert_int_equal(bus[2], 0x8000);
    /* a buffer smaller than the CPU page is not aligned: hint ALIGN(12, 16) */
    uint64_t b;
    iommu_alloc_info info;
    assert_int_equal(iommu_map_page(&t, 0, 0x40000, 8 * KiB, NOMASK, &b, &info), 16);
    assert_int_equal(iommu_map_page(&t, 0, 0x40000, 16 * KiB, NOMASK, &b, &info), 32);
    iommu_table_destroy(&t);
}

/* ------------------------------------------------------- alloc_coherent */

static void coherent_rounds_to_the_cpu_page_and_aligns_naturally(void **state)
{
    (void)state;
    iommu_table t;
    iommu_table_params p = window(2 * GiB, 12, 16);
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    iommu_alloc_info info;
    uint64_t bus;
    /* 4 KiB -> PAGE_ALIGN 64 KiB -> 16 TCEs (> 15: large pool); io_order =
     * ilog2(15) + 1 = 4 */
    assert_int_equal(iommu_alloc_coherent(&t, 0, 0, 4 * KiB, NOMASK, &bus, &info), 393216);
    assert_int_equal(info.npages, 16);
    assert_int_equal(info.pool, IOMMU_POOL_LARGE);
    assert_int_equal(bus, 393216ull << 12);
    /* 100 KiB -> 128 KiB -> 32 TCEs, io_order ilog2(31) + 1 = 5: from hint
     * 393232 up to a multiple of 32, 393248 */
    assert_int_equal(iommu_alloc_coherent(&t, 0, 0, 100 * KiB, NOMASK, &bus, &info), 393248);
    assert_int_equal(info.npages, 32);
    uint64_t st_fail = t.st.failures;
    /* one byte more is order 13 = IOMAP_MAX_ORDER: refused before the table */
    assert_int_equal(iommu_alloc_coherent(&t, 0, 0, 256 * MiB + 1, NOMASK, &bus, &info), IOMMU_MAP_ERROR);
    assert_int_equal(bus, IOMMU_MAP_ERROR);
    assert_int_equal(t.st.rejected, 1);
    assert_int_equal(t.st.failures, st_fail);
    assert_int_equal(info.nholds, 0);
    assert_int_equal(iommu_alloc_coherent(&t, 0, 0, 0, NOMASK, &bus, &info), IOMMU_MAP_ERROR);
    assert_int_equal(t.st.rejected, 2);
    iommu_table_destroy(&t);

    /* the order-12 maximum (256 MiB = 64 KiB << 12) in a fresh 2 GiB
     * window: 65536 entries aligned to 65536 (io_order ilog2(65535) + 1 =
     * 16), the large pool's start 393216 = 6 * 65536 */
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    assert_int_equal(iommu_alloc_coherent(&t, 0, 0, 256 * MiB, NOMASK, &bus, &info), 393216);
    assert_int_equal(info.npages, 65536);
    /* a second one: 458752 would end at 524288 > 524287, the large pool
     * fails twice; pools 1, 2, 3, 0 from CPU 0: pool 1 from 98304 aligned to
     * 65536 -> 131072, ends at 196608 > 196607: fails; pool 2 from 196608 ->
     * 196608, ends 262144 <= 294911: found at pass 3 */
    assert_int_equal(iommu_alloc_coherent(&t, 0, 0, 256 * MiB, NOMASK, &bus, &info), 196608);
    assert_int_equal(info.passes, 3);
    assert_int_equal(info.pool, 2);
    assert_int_equal(info.nholds, 3);
    assert_int_equal(info.holds[0].pool, IOMMU_POOL_LARGE);
    assert_int_equal(info.holds[1].pool, 1);
    assert_int_equal(info.holds[2].pool, 2);
    assert_int_equal(t.st.fallbacks_in[2], 1);
    iommu_table_destroy(&t);

    /* IO page = CPU page: one page, order 0, a small pool */
    p = window(2 * GiB, 16, 16);
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    assert_int_equal(iommu_alloc_coherent(&t, 1, 0, 4 * KiB, NOMASK, &bus, &info), t.poolsize);
    assert_int_equal(info.pool, 1);
    iommu_table_destroy(&t);
}

/* ---------------------------------------------------------------- map_sg */

static void map_sg_chains_segments_and_merges_up_to_max_seg_size(void **state)
{
    (void)state;
    iommu_table t;
    iommu_table_params p = window(2 * GiB, 12, 16);
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    enum { N = 20 };
    uint64_t pas[N], sizes[N], bus[N];
    iommu_alloc_info infos[N];
    iommu_sg_out outs[N];
    uint32_t nouts;
    /* 20 scattered 4 KiB pages: the handle makes them land at 1, 2, ..., 20
     * (each starts where the previous ended); merged while <= 64 KiB: 16
     * pages, then 4 */
    for (int i = 0; i < N; i++) {
        pas[i] = 0x1000000ull * (uint64_t)(N - i);
        sizes[i] = 4 * KiB;
    }
    assert_int_equal(iommu_map_sg(&t, 0, pas, sizes, N, NOMASK, 64 * KiB, false, bus, infos, outs, &nouts, NULL), 0);
    for (int i = 0; i < N; i++) {
        assert_int_equal(infos[i].entry, (uint64_t)i + 1);
        assert_int_equal(bus[i], ((uint64_t)i + 1) << 12);
    }
    assert_int_equal(nouts, 2);
    assert_int_equal(outs[0].bus, 0x1000);
    assert_int_equal(outs[0].len, 64 * KiB);
    assert_int_equal(outs[1].bus, 0x11000);
    assert_int_equal(outs[1].len, 16 * KiB);
    assert_int_equal(t.pools[0].hint, 32); /* last end 21 -> 32 */
    assert_int_equal(t.st.allocs, N);

    /* novmerge: as many outputs as inputs */
    assert_int_equal(iommu_map_sg(&t, 0, pas, sizes, 3, NOMASK, 64 * KiB, true, bus, infos, outs, &nouts, NULL), 0);
    assert_int_equal(nouts, 3);
    assert_int_equal(outs[0].bus, 32ull << 12);
    assert_int_equal(outs[2].bus, 34ull << 12);

    /* 6 KiB at +0x800 ends exactly on an IO page: the next (offset 0) is
     * contiguous and merges; a 2 KiB segment does not end on a page: the
     * next segment's address differs from dma_next, new output */
    uint64_t pa2[4] = {0x5000800, 0x9000000, 0xA000000, 0xB000000};
    uint64_t sz2[4] = {6 * KiB, 2 * KiB, 4 * KiB, 4 * KiB};
    assert_int_equal(iommu_map_sg(&t, 0, pa2, sz2, 4, NOMASK, 64 * KiB, false, bus, infos, outs, &nouts, NULL), 0);
    /* from hint 48: 48-49, 50, 51, 52 */
    assert_int_equal(bus[0], (48ull << 12) | 0x800);
    assert_int_equal(bus[1], 50ull << 12);
    assert_int_equal(bus[2], 51ull << 12);
    assert_int_equal(nouts, 2);
    assert_int_equal(outs[0].bus, (48ull << 12) | 0x800);
    assert_int_equal(outs[0].len, 8 * KiB);
    assert_int_equal(outs[1].bus, 51ull << 12);
    assert_int_equal(outs[1].len, 8 * KiB);
    iommu_table_destroy(&t);
}

static void map_sg_zero_length_segments_end_a_merge(void **state)
{
    (void)state;
    iommu_table t;
    iommu_table_params p = window(256 * MiB, 12, 16);
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    uint64_t pas[4] = {0x1000, 0x2000, 0x3000, 0x4000};
    uint64_t sizes[4] = {0, 4 * KiB, 0, 4 * KiB};
    uint64_t bus[4];
    iommu_alloc_info infos[4];
    iommu_sg_out outs[4];
    uint32_t nouts;
    assert_int_equal(iommu_map_sg(&t, 0, pas, sizes, 4, NOMASK, 64 * KiB, false, bus, infos, outs, &nouts, NULL), 0);
    assert_int_equal(bus[0], IOMMU_MAP_ERROR);
    assert_int_equal(infos[0].nholds, 0);
    /* the leading empty segment leaves output 0 empty (the kernel's
     * bookkeeping); entries 1 and 2 are contiguous but the zero-length
     * segment between them set dma_next = 0 */
    assert_int_equal(nouts, 3);
    assert_int_equal(outs[0].len, 0);
    assert_int_equal(outs[1].bus, 0x1000);
    assert_int_equal(outs[2].bus, 0x2000);
    iommu_table_destroy(&t);
}

static void map_sg_failure_frees_what_it_mapped(void **state)
{
    (void)state;
    iommu_table t;
    /* 64 entries, 1 pool: pool 0 [0,48) usable 1..46, large [48,64) 48..62 */
    tiny(&t, 64, 0);
    uint64_t pas[3] = {0x10000, 0x20000, 0x30000};
    uint64_t sizes[3] = {8 * KiB, 8 * KiB, 200 * KiB}; /* 2, 2, 50 pages */
    uint64_t bus[3];
    iommu_alloc_info infos[3];
    iommu_sg_out outs[3];
    uint32_t nouts = 99;
    assert_int_equal(iommu_map_sg(&t, 0, pas, sizes, 3, NOMASK, 64 * KiB, false, bus, infos, outs, &nouts, NULL),
                     IOMMU_MAP_ERROR);
    assert_int_equal(nouts, 0);
    assert_int_equal(infos[0].entry, 1);
    assert_int_equal(infos[1].entry, 3);
    assert_int_equal(infos[2].entry, IOMMU_MAP_ERROR);
    assert_int_equal(t.st.allocs, 2);
    assert_int_equal(t.st.failures, 1);
    assert_int_equal(t.st.frees, 1); /* the merged output segment, freed whole */
    assert_int_equal(t.st.pages_in_use, 0);
    assert_int_equal(t.bitmap[0], 1);
    iommu_table_destroy(&t);
}

/* ------------------------------------------- era rules (4.4 and 6.6) */

static iommu_table_params era(iommu_table_params p, iommu_kernel k)
{
    p.kernel = k;
    return p;
}

/* iommu_range_alloc(): Linux 6.6 ends with `else if (pass == tbl->nr_pools
 * + 1)` (the large pool); Linux 4.4 gives up after the small pools.
 * 2 MiB of 4 KiB TCEs, 4 KiB CPU pages: it_size 512, < 1 GiB so 1 pool,
 * poolsize 512 * 3/4 = 384, pool [0,384), large [384,512). 61440 bytes at
 * pa = h << 20: 15 pages (not > 15: small), alignment 0 (the IO page is not
 * smaller than the CPU page). Map 1 takes [1,16) (entry 0 reserved), hint
 * ALIGN(16, 16) = 16; map k >= 2 takes 16 (k - 1): bus 0x10000 (k - 1); the
 * search limit is 384 - 1 = 383, so the last fit is 368 = 16 * 23 (map 24,
 * bus 0x170000). Map 25: hint 384 >= end -> 0, pass 0 fails, pass 1 (hint
 * 0) fails, pass 2 = pool (0 + 1) & 0 = 0 fails; 6.6: pass 3 = large from
 * 384: bus 384 << 12 = 0x180000; 4.4: fails after pass 2. */
static void seed_has_no_large_pool_fallback_modern_has(void **state)
{
    (void)state;
    for (unsigned k = 0; k < 2; k++) {
        iommu_table t;
        iommu_table_params p = era(window(2 * MiB, 12, 12), k ? IOMMU_KERNEL_4_4 : IOMMU_KERNEL_6_6);
        assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
        uint64_t bus = 0;
        iommu_alloc_info info;
        for (uint64_t h = 1; h <= 24; h++) {
            assert_int_not_equal(iommu_map_page(&t, 0, h << 20, 61440, NOMASK, &bus, &info), IOMMU_MAP_ERROR);
            assert_int_equal(bus, h == 1 ? 0x1000 : 0x10000 * (h - 1));
        }
        assert_int_equal(bus, 0x170000);
        uint64_t e = iommu_map_page(&t, 0, 25ull << 20, 61440, NOMASK, &bus, &info);
        if (k == 0) {
            assert_int_equal(e, 384);
            assert_int_equal(bus, 0x180000);
            assert_int_equal(info.passes, 3);
            assert_int_equal(info.nholds, 3); /* pool 0, pool 0 (next pool), large */
            assert_int_equal(info.holds[2].pool, IOMMU_POOL_LARGE);
        } else {
            assert_int_equal(e, IOMMU_MAP_ERROR);
            assert_int_equal(bus, IOMMU_MAP_ERROR);
            assert_int_equal(info.passes, 2);
            assert_int_equal(info.nholds, 2); /* pool 0, pool 0 (next pool) */
            assert_int_equal(t.st.failures, 1);
        }
        iommu_table_destroy(&t);
    }
    /* the override: 4.4's rules with the fallback on, 6.6's with it off */
    iommu_table t;
    iommu_table_params p = era(window(2 * MiB, 12, 12), IOMMU_KERNEL_4_4);
    p.large_fallback = IOMMU_FALLBACK_ON;
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    assert_true(t.large_fallback);
    iommu_table_destroy(&t);
    p = era(window(2 * MiB, 12, 12), IOMMU_KERNEL_6_6);
    p.large_fallback = IOMMU_FALLBACK_OFF;
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    assert_false(t.large_fallback);
    iommu_table_destroy(&t);
}

/* hash_32(val, bits) = (val * mult) >> (32 - bits): Linux 4.4's
 * include/linux/hash.h multiplies by GOLDEN_RATIO_PRIME_32 = 0x9e370001, so
 * cpu 1 -> 0x9e370001 >> 30 = 2 (0x9e = 0b10011110); Linux 6.6's by
 * GOLDEN_RATIO_32 = 0x61C88647 -> 1 (0x61 = 0b01100001). 1 GiB of 4 KiB
 * TCEs: 262144 entries, 4 pools of (262144 * 3/4) / 4 = 49152; one 4096-byte
 * map starts its pool: 4.4 pool 2 at 98304 -> bus 0x18000000, 6.6 pool 1 at
 * 49152 -> bus 0xc000000. */
static void seed_hashes_cpus_with_the_old_multiplier(void **state)
{
    (void)state;
    static const uint64_t want[2] = {0xc000000, 0x18000000};
    for (unsigned k = 0; k < 2; k++) {
        iommu_table t;
        iommu_table_params p = era(window(1 * GiB, 12, 16), k ? IOMMU_KERNEL_4_4 : IOMMU_KERNEL_6_6);
        assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
        uint64_t bus;
        iommu_alloc_info info;
        iommu_map_page(&t, 1, 0x1000000, 4096, NOMASK, &bus, &info);
        assert_int_equal(bus, want[k]);
        assert_int_equal(info.pool, k ? 2 : 1);
        iommu_table_destroy(&t);
    }
}

/* iommu_alloc_coherent() with 64 KiB TCEs under 4 KiB CPU pages. 1 GiB of
 * 64 KiB TCEs: 16384 entries, 4 pools of 3072; cpu 0 -> pool 0, entry 0
 * reserved. 4096 bytes at pa 0x12345000: PAGE_ALIGN -> 4096;
 * get_iommu_order = __ilog2((4096 - 1) >> 16) + 1 = 0.
 * - 6.6: nio_pages = IOMMU_PAGE_ALIGN(4096) >> 16 = 1 -> entry 1, mapping
 *   0x10000, | (0x12345000 & 0xffff) = 0x15000.
 * - 4.4: nio_pages = 4096 >> 16 = 0 -> iommu_range_alloc's npages == 0 WARN:
 *   refused, no lock taken.
 * 69632 bytes (68 KiB) at pa 0x12343000: order = __ilog2(69631 >> 16) + 1
 * = 1, so aligned to 2 entries. 6.6: IOMMU_PAGE_ALIGN -> 131072 >> 16 = 2
 * pages, from the hint ALIGN(1 + 1, 16) = 16 the first allocation left:
 * entry 16, bus 0x100000 | 0x3000 = 0x103000; 4.4: 69632 >> 16 = 1 page,
 * the hint still 0 (the refusal took nothing): first free 1, aligned -> 2,
 * bus 0x20000 (no offset). */
static void coherent_with_tce_pages_above_the_cpu_page_per_era(void **state)
{
    (void)state;
    iommu_table t;
    uint64_t bus;
    iommu_alloc_info info;
    iommu_table_params p = era(window(1 * GiB, 16, 12), IOMMU_KERNEL_6_6);
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    assert_int_equal(iommu_alloc_coherent(&t, 0, 0x12345000, 4096, NOMASK, &bus, &info), 1);
    assert_int_equal(bus, 0x15000);
    assert_int_equal(info.npages, 1);
    assert_int_equal(iommu_alloc_coherent(&t, 0, 0x12343000, 69632, NOMASK, &bus, &info), 16);
    assert_int_equal(bus, 0x103000);
    assert_int_equal(info.npages, 2);
    iommu_table_destroy(&t);

    p = era(window(1 * GiB, 16, 12), IOMMU_KERNEL_4_4);
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    assert_int_equal(iommu_alloc_coherent(&t, 0, 0x12345000, 4096, NOMASK, &bus, &info), IOMMU_MAP_ERROR);
    assert_int_equal(bus, IOMMU_MAP_ERROR);
    assert_int_equal(info.nholds, 0);
    assert_int_equal(t.st.rejected, 1);
    assert_int_equal(iommu_alloc_coherent(&t, 0, 0x12343000, 69632, NOMASK, &bus, &info), 2);
    assert_int_equal(bus, 0x20000);
    assert_int_equal(info.npages, 1);
    iommu_table_destroy(&t);
}

/* ppc_iommu_map_sg() with 64 KiB TCEs under 4 KiB CPU pages (the table of
 * the previous test). One segment, pa 0x12345100, 0x200 bytes:
 * iommu_num_pages(vaddr, 0x200, 64K) = 1 page, entry 1 (mapping 0x10000).
 * 6.6: | (vaddr & 0xffff) = 0x5100 -> 0x15100; 4.4: | (s->offset & 0xffff),
 * s->offset = 0x100 (within the 4 KiB page) -> 0x10100. */
static void map_sg_offset_is_vaddr_in_modern_and_the_cpu_page_offset_in_seed(void **state)
{
    (void)state;
    static const uint64_t want[2] = {0x15100, 0x10100};
    for (unsigned k = 0; k < 2; k++) {
        iommu_table t;
        iommu_table_params p = era(window(1 * GiB, 16, 12), k ? IOMMU_KERNEL_4_4 : IOMMU_KERNEL_6_6);
        assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
        uint64_t pa = 0x12345100, size = 0x200, bus;
        iommu_alloc_info info;
        iommu_sg_out outs[1];
        uint32_t nouts;
        assert_int_equal(iommu_map_sg(&t, 0, &pa, &size, 1, NOMASK, 64 * KiB, false, &bus, &info, outs, &nouts, NULL), 0);
        assert_int_equal(bus, want[k]);
        assert_int_equal(info.npages, 1);
        assert_int_equal(outs[0].bus, want[k]);
        iommu_table_destroy(&t);
    }
}

/* The consequence in 4.4: frees count pages from dma_address/dma_length
 * (iommu_num_pages(s->dma_address, s->dma_length), ppc_iommu_unmap_sg and
 * the map_sg failure unwind), so a segment that lost its offset frees fewer
 * pages than it took. Same table; max_seg_size 1 MiB.
 * seg 0: pa 0x20000000, 0x10000 bytes: 1 page, entry 1 (bus 0x10000), the
 *   handle moves to 2; dma_next 0x20000.
 * seg 1: pa 0x2001f000, 0x2000 bytes: offset in the IO page 0xf000, in the
 *   CPU page 0: iommu_num_pages = (0xf000 + 0x2000) / 64K rounded up = 2,
 *   from the handle: [2,4).
 *   6.6: bus 0x20000 | 0xf000 = 0x2f000 != dma_next: two outputs
 *     {0x10000, 0x10000}, {0x2f000, 0x2000}: they free 1 + 2 pages.
 *   4.4: bus 0x20000 == dma_next: merged {0x10000, 0x12000}: the unmap frees
 *     iommu_num_pages(0x10000, 0x12000) = 2 pages [1,3); entry 3 stays.
 * seg 2 (the failing variant): 2 GiB = 32768 pages, more than the window:
 *   fails in every pool. The unwind frees what the outputs say: 6.6 [1,2)
 *   and [2,4), nothing left; 4.4 [1,3), entry 3 left in use. */
static void seed_map_sg_frees_by_dma_length_and_leaks_the_lost_offset(void **state)
{
    (void)state;
    for (unsigned k = 0; k < 2; k++) {
        bool seed = k == 1;
        iommu_table t;
        iommu_table_params p = era(window(1 * GiB, 16, 12), seed ? IOMMU_KERNEL_4_4 : IOMMU_KERNEL_6_6);
        assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
        uint64_t pas[3] = {0x20000000, 0x2001f000, 0x30000000};
        uint64_t sizes[3] = {0x10000, 0x2000, 2 * GiB};
        uint64_t bus[3];
        iommu_alloc_info infos[3];
        iommu_sg_out outs[3];
        uint32_t nouts;
        assert_int_equal(iommu_map_sg(&t, 0, pas, sizes, 2, NOMASK, 1 * MiB, false, bus, infos, outs, &nouts, NULL), 0);
        assert_int_equal(infos[1].entry, 2);
        assert_int_equal(infos[1].npages, 2);
        assert_int_equal(t.st.pages_in_use, 3);
        if (seed) {
            assert_int_equal(nouts, 1);
            assert_int_equal(outs[0].len, 0x12000);
            assert_int_equal(iommu_sg_out_pages(&t, &outs[0]), 2);
            assert_int_equal(iommu_range_free(&t, 1, 2, NULL), TCESIM_OK);
            assert_int_equal(t.st.pages_in_use, 1);
            assert_int_equal(t.bitmap[0], 0x9); /* entry 0 reserved, entry 3 leaked */
        } else {
            assert_int_equal(nouts, 2);
            assert_int_equal(outs[1].bus, 0x2f000);
            assert_int_equal(iommu_sg_out_pages(&t, &outs[0]), 1);
            assert_int_equal(iommu_sg_out_pages(&t, &outs[1]), 2);
            assert_int_equal(iommu_range_free(&t, 1, 1, NULL), TCESIM_OK);
            assert_int_equal(iommu_range_free(&t, 2, 2, NULL), TCESIM_OK);
            assert_int_equal(t.st.pages_in_use, 0);
        }
        iommu_table_destroy(&t);

        /* the same two segments, then one that fails */
        assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
        iommu_sg_unwind unw[3];
        iommu_sg_failure fail = {.unwound = unw};
        assert_int_equal(iommu_map_sg(&t, 0, pas, sizes, 3, NOMASK, 1 * MiB, false, bus, infos, outs, &nouts, &fail),
                         IOMMU_MAP_ERROR);
        assert_int_equal(nouts, 0);
        assert_int_equal(fail.seg, 2);
        if (seed) {
            assert_int_equal(fail.nunwound, 1);
            assert_int_equal(unw[0].entry, 1);
            assert_int_equal(unw[0].npages, 2);
            assert_int_equal(t.st.pages_in_use, 1);
            assert_int_equal(t.bitmap[0], 0x9);
        } else {
            assert_int_equal(fail.nunwound, 2);
            assert_int_equal(unw[0].entry, 1);
            assert_int_equal(unw[0].npages, 1);
            assert_int_equal(unw[1].entry, 2);
            assert_int_equal(unw[1].npages, 2);
            assert_int_equal(t.st.pages_in_use, 0);
            assert_int_equal(t.bitmap[0], 0x1);
        }
        assert_int_equal(unw[0].pool, 0);
        assert_false(unw[0].bad);
        iommu_table_destroy(&t);
    }
}

/* The failure report: with the tiny table of map_sg_failure_frees_what_it_
 * mapped (64 entries, 1 pool, usable 1..46), segments of 2, 2, 50, 2 pages:
 * segment 2 fails; 0 and 1 merged into one output {0x1000, 16 KiB} (max_seg
 * 64 KiB) are unwound as one range [1,5) under pool 0's lock, touching one
 * bitmap word; segment 3 was never reached: reset, no hold. */
static void map_sg_failure_reports_the_unwound_ranges_and_stops_at_the_failed_segment(void **state)
{
    (void)state;
    iommu_table t;
    tiny(&t, 64, 0);
    uint64_t pas[4] = {0x10000, 0x12000, 0x30000, 0x40000};
    uint64_t sizes[4] = {8 * KiB, 8 * KiB, 200 * KiB, 8 * KiB};
    uint64_t bus[4];
    iommu_alloc_info infos[4];
    memset(infos, 0x5a, sizeof infos); /* garbage, as from malloc */
    iommu_sg_out outs[4];
    uint32_t nouts;
    iommu_sg_unwind unw[4];
    iommu_sg_failure fail = {.unwound = unw};
    assert_int_equal(iommu_map_sg(&t, 0, pas, sizes, 4, NOMASK, 64 * KiB, false, bus, infos, outs, &nouts, &fail),
                     IOMMU_MAP_ERROR);
    assert_int_equal(fail.seg, 2);
    assert_int_equal(fail.nunwound, 1);
    assert_int_equal(unw[0].entry, 1);
    assert_int_equal(unw[0].npages, 4);
    assert_int_equal(unw[0].pool, 0);
    assert_int_equal(unw[0].words, 1);
    assert_true(infos[2].nholds > 0); /* the failed search held locks */
    assert_int_equal(infos[3].nholds, 0);
    assert_int_equal(infos[3].entry, IOMMU_MAP_ERROR);
    assert_int_equal(bus[3], IOMMU_MAP_ERROR);
    assert_int_equal(t.st.pages_in_use, 0);
    iommu_table_destroy(&t);
}

/* ------------------------------------------------- fallback and failure */

static void full_home_pool_falls_back_in_the_kernels_pass_order(void **state)
{
    (void)state;
    iommu_table t;
    /* 128 entries, 4 pools (what-if): poolsize 96 / 4 = 24; pools [0,24)
     * [24,48) [48,72) [72,96), large [96,128). Fill every pool from its home
     * CPU (0 -> 0, 1 -> 1, 4 -> 2, 2 -> 3): */
    tiny(&t, 128, 4);
    iommu_alloc_info info;
    assert_int_equal(alloc1(&t, 0, 15, &info), 1);   /* 1..15, hint 16 */
    assert_int_equal(alloc1(&t, 0, 7, &info), 16);   /* 16..22; 23 is never used */
    assert_int_equal(alloc1(&t, 1, 15, &info), 24);  /* 24..38, hint 48 >= end */
    assert_int_equal(alloc1(&t, 1, 8, &info), 39);   /* from 24: 39..46 */
    assert_int_equal(alloc1(&t, 4, 15, &info), 48);  /* 48..62, hint 64 */
    /* from 64, 8 pages would end at 72 > 71: pass 1 from 48 finds 63..70 */
    assert_int_equal(alloc1(&t, 4, 8, &info), 63);
    assert_int_equal(info.passes, 1);
    assert_int_equal(info.nholds, 1); /* the rescan keeps the lock */
    assert_int_equal(alloc1(&t, 2, 15, &info), 72);
    assert_int_equal(alloc1(&t, 2, 8, &info), 87);
    assert_int_equal(alloc1(&t, 9, 31, &info), 96); /* large: 96..126 */
    assert_int_equal(t.st.fallbacks_in[0] + t.st.fallbacks_in[1] + t.st.fallbacks_in[2] +
                     t.st.fallbacks_in[3] + t.st.fallbacks_in[4], 0);

    /* Everything full. CPU 0: pool 0 from the hint (pass 0), from its start
     * (pass 1, same lock), pools 1, 2, 3 (passes 2-4), pool 0 again (pass 5),
     * the large pool (pass 6), then give up. */
    assert_int_equal(alloc1(&t, 0, 1, &info), IOMMU_MAP_ERROR);
    assert_int_equal(info.passes, 6);
    assert_int_equal(info.pool, IOMMU_NO_POOL);
    static const int seq0[6] = {0, 1, 2, 3, 0, IOMMU_POOL_LARGE};
    assert_int_equal(info.nholds, 6);
    for (int i = 0; i < 6; i++)
        assert_int_equal(info.holds[i].pool, seq0[i]);
    assert_int_equal(t.st.failures, 1);
    /* CPU 1 starts from pool 1 */
    assert_int_equal(alloc1(&t, 1, 1, &info), IOMMU_MAP_ERROR);
    static const int seq1[6] = {1, 2, 3, 0, 1, IOMMU_POOL_LARGE};
    for (int i = 0; i < 6; i++)
        assert_int_equal(info.holds[i].pool, seq1[i]);
    /* a large request: large (passes 0, 1), pools 1, 2, 3, 0 from CPU 0's
     * pool number, then the large pool again (pass 6) */
    assert_int_equal(alloc1(&t, 0, 16, &info), IOMMU_MAP_ERROR);
    static const int seql[6] = {IOMMU_POOL_LARGE, 1, 2, 3, 0, IOMMU_POOL_LARGE};
    assert_int_equal(info.nholds, 6);
    for (int i = 0; i < 6; i++)
        assert_int_equal(info.holds[i].pool, seql[i]);
    assert_int_equal(t.st.failures, 3);

    /* free the large range: CPU 0's next request lands there at pass 6 */
    assert_int_equal(iommu_range_free(&t, 96, 31, &info), TCESIM_OK);
    assert_int_equal(info.pool, IOMMU_POOL_LARGE);
    assert_int_equal(alloc1(&t, 0, 1, &info), 96);
    assert_int_equal(info.passes, 6);
    assert_int_equal(info.pool, IOMMU_POOL_LARGE);
    assert_int_equal(info.home_pool, 0);
    assert_int_equal(t.st.fallbacks_in[4], 1);
    assert_int_equal(t.large_pool.hint, 112); /* a small request: ALIGN(97, 16) */

    /* free 24..38 in pool 1: CPU 0 finds it at pass 2 */
    assert_int_equal(iommu_range_free(&t, 24, 15, &info), TCESIM_OK);
    assert_int_equal(info.pool, 1);
    assert_int_equal(alloc1(&t, 0, 1, &info), 24);
    assert_int_equal(info.passes, 2);
    assert_int_equal(info.pool, 1);
    assert_int_equal(t.st.fallbacks_in[1], 1);
    iommu_table_destroy(&t);
}

static void one_pool_falls_back_to_itself_then_the_large_pool(void **state)
{
    (void)state;
    iommu_table t;
    tiny(&t, 64, 0); /* pool 0 [0,48) usable 1..46, large [48,64) */
    iommu_alloc_info info;
    assert_int_equal(alloc1(&t, 0, 15, &info), 1);
    assert_int_equal(alloc1(&t, 5, 15, &info), 16); /* 16..30, hint 32 */
    assert_int_equal(alloc1(&t, 7, 15, &info), 32); /* 32..46, ends at 47 <= 47 */
    /* hint 48 >= the pool's end: from 0, the one hole left, 31 */
    assert_int_equal(alloc1(&t, 0, 1, &info), 31);
    assert_int_equal(info.passes, 0);
    /* pass 0 (hint 48 >= end -> 0), pass 1 (same lock), pass 2 = pool
     * (0 + 1) & 0 = 0 again, pass 3 = large */
    assert_int_equal(alloc1(&t, 0, 1, &info), 48);
    assert_int_equal(info.passes, 3);
    static const int seq[3] = {0, 0, IOMMU_POOL_LARGE};
    assert_int_equal(info.nholds, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(info.holds[i].pool, seq[i]);
    assert_int_equal(t.st.fallbacks_in[1], 1);
    assert_int_equal(t.st.allocs_by_pool[1], 1);
    iommu_table_destroy(&t);
}

static void exhaustion_fails_and_frees_make_room_again(void **state)
{
    (void)state;
    iommu_table t;
    tiny(&t, 64, 0);
    iommu_alloc_info info;
    uint64_t got = 0;
    /* 1-page requests: pool 0 gives 1, 16, 32 (block rounding), then
     * rescans 2..15 ... ; 46 + 15 usable entries in all */
    for (int i = 0; i < 61; i++) {
        uint64_t e = alloc1(&t, 0, 1, &info);
        assert_int_not_equal(e, IOMMU_MAP_ERROR);
        got++;
    }
    assert_int_equal(alloc1(&t, 0, 1, &info), IOMMU_MAP_ERROR);
    assert_int_equal(t.st.failures, 1);
    assert_int_equal(t.st.pages_in_use, got);
    assert_int_equal(t.st.pages_in_use_peak, got);
    assert_int_equal(iommu_range_free(&t, 20, 1, &info), TCESIM_OK);
    assert_int_equal(alloc1(&t, 3, 1, &info), 20);
    assert_int_equal(alloc1(&t, 3, 1, &info), IOMMU_MAP_ERROR);
    assert_int_equal(t.st.failures, 2);
    assert_int_equal(t.st.frees, 1);
    iommu_table_destroy(&t);
}

/* --------------------------------------------------------------- masks */

static void dma_mask_limits_the_search_and_may_switch_to_pool_0(void **state)
{
    (void)state;
    iommu_table t;
    iommu_alloc_info info;
    uint64_t bus;
    /* 2 GiB at bus 0, a 30-bit device: mask_pages = 2^18 - 1 = 262143.
     * CPU 1's pool ends at 196608 <= the mask: unaffected, 98304. CPU 2's
     * pool 3 [294912, 393216) is above it: limit = 262144, start = hint &
     * mask = 294912 & 262143 = 32768, which is in pool 0 but searched
     * under pool 3's lock; pool 3's hint becomes 32784. */
    iommu_table_params p = window(2 * GiB, 12, 16);
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    const uint64_t m30 = (1ull << 30) - 1;
    assert_int_equal(iommu_map_page(&t, 1, 0, 4096, m30, &bus, &info), 98304);
    assert_int_equal(iommu_map_page(&t, 2, 0, 4096, m30, &bus, &info), 32768);
    assert_int_equal(info.pool, 3);
    assert_int_equal(info.nholds, 1);
    assert_int_equal(t.pools[3].hint, 32784);
    assert_int_equal(iommu_map_page(&t, 2, 0, 4096, m30, &bus, &info), 32784);
    /* the free finds the pool from the entry: pool 0 */
    assert_int_equal(iommu_range_free(&t, 32768, 1, &info), TCESIM_OK);
    assert_int_equal(info.pool, 0);
    /* a large request: large pool [393216, 524288) is above the mask:
     * 393216 & 262143 = 131072 -> searched from there */
    assert_int_equal(iommu_map_page(&t, 0, 0, 64 * KiB, m30, &bus, &info), 131072);
    assert_int_equal(info.pool, IOMMU_POOL_LARGE);
    iommu_table_destroy(&t);

    /* A window at bus 1 GiB (it_offset 262144), 2 GiB long, 31-bit device:
     * mask_pages = 524287. Pool 1 ends at 196608 + 262144 <= the mask:
     * entry 98304. Pool 2: limit = 524287 - 262144 + 1 = 262144 and 196608 &
     * mask = 196608 < limit: entry 196608 (bus 0x70000000). Pool 3: 294912 &
     * mask = 294912 >= limit: unlock, pool 0 from its start (entry 0 is free
     * with it_offset != 0). */
    p = window(2 * GiB, 12, 16);
    p.it_offset = 262144;
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    const uint64_t m31 = (1ull << 31) - 1;
    assert_int_equal(iommu_map_page(&t, 1, 0, 4096, m31, &bus, &info), 98304);
    assert_int_equal(bus, (98304ull + 262144) << 12);
    assert_int_equal(iommu_map_page(&t, 4, 0, 4096, m31, &bus, &info), 196608);
    assert_int_equal(bus, 0x70000000);
    assert_int_equal(iommu_map_page(&t, 2, 0, 4096, m31, &bus, &info), 0);
    assert_int_equal(bus, 1 * GiB);
    assert_int_equal(info.pool, 0);
    assert_int_equal(info.home_pool, 3);
    assert_int_equal(info.nholds, 2);
    assert_int_equal(info.holds[0].pool, 3);
    assert_int_equal(info.holds[1].pool, 0);
    assert_int_equal(t.pools[0].hint, 16);
    assert_int_equal(t.st.fallbacks_in[0], 1);
    /* a mask below the window's first entry cannot be served */
    assert_int_equal(iommu_map_page(&t, 0, 0, 4096, (1ull << 30) - 1, &bus, &info), IOMMU_MAP_ERROR);
    assert_int_equal(t.st.rejected, 1);
    assert_int_equal(t.st.failures, 0);
    iommu_table_destroy(&t);
}

/* ------------------------------------------------------ segment boundary */

static void ranges_never_cross_a_segment_boundary(void **state)
{
    (void)state;
    iommu_table t;
    iommu_alloc_info info;
    /* 64 KiB segments (16 entries); the window starts at bus entry 8, so
     * boundaries fall at table entries 8, 24, 40, ... From 0, 10 pages would
     * cover bus entries 8..17: retry from ALIGN(8 + 0, 16) - 8 = 8. */
    iommu_table_params p = window(256 * MiB, 12, 16);
    p.it_offset = 8;
    p.seg_boundary = 64 * KiB;
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    assert_int_equal(alloc1(&t, 0, 10, &info), 8);
    /* hint ALIGN(18, 16) = 32: bus entry 40, 40 & 15 = 8, 8 + 10 > 16:
     * retry from 48 - 8 = 40 */
    assert_int_equal(alloc1(&t, 0, 10, &info), 40);
    /* 8 pages from hint 64 (bus 72, offset 8): 8 + 8 = 16 fits */
    assert_int_equal(alloc1(&t, 0, 8, &info), 64);
    /* longer than a segment: never fits */
    assert_int_equal(alloc1(&t, 0, 17, &info), IOMMU_MAP_ERROR);
    iommu_table_destroy(&t);

    /* the default 4 GiB boundary: a window starting 32 KiB below 4 GiB */
    p = window(256 * MiB, 12, 16);
    p.it_offset = (4 * GiB >> 12) - 8;
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    uint64_t bus;
    assert_int_equal(iommu_map_page(&t, 0, 0, 40 * KiB, NOMASK, &bus, &info), 8);
    assert_int_equal(bus, 4 * GiB);
    iommu_table_destroy(&t);
}

/* ------------------------------------------------------------------ free */

static void frees_find_their_pool_from_the_entry(void **state)
{
    (void)state;
    iommu_table t;
    iommu_table_params p = window(2 * GiB, 12, 16);
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    iommu_alloc_info info;
    uint64_t e[4];
    e[0] = alloc1(&t, 0, 3, &info);       /* pool 0: 1 */
    e[1] = alloc1(&t, 1, 3, &info);       /* pool 1: 98304 */
    e[2] = alloc1(&t, 2, 3, &info);       /* pool 3: 294912 */
    e[3] = alloc1(&t, 2, 70, &info);      /* large: 393216 */
    static const int want[4] = {0, 1, 3, IOMMU_POOL_LARGE};
    static const uint64_t npg[4] = {3, 3, 3, 70};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(iommu_range_free(&t, e[i], npg[i], &info), TCESIM_OK);
        assert_int_equal(info.pool, want[i]);
        assert_int_equal(info.nholds, 1);
        assert_int_equal(info.holds[0].pool, want[i]);
    }
    /* 393216..393285 spans words 6144..6145 */
    assert_int_equal(info.holds[0].words_scanned, 2);
    assert_int_equal(t.st.pages_in_use, 0);
    assert_int_equal(t.st.frees, 4);
    iommu_table_destroy(&t);
}

static void bad_frees_are_rejected_counted_and_change_nothing(void **state)
{
    (void)state;
    iommu_table t;
    iommu_table_params p = window(256 * MiB, 12, 16);
    p.reserved_start = 1000;
    p.reserved_end = 1010;
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    iommu_alloc_info info;
    assert_int_equal(alloc1(&t, 0, 4, &info), 1);
    uint64_t *before = malloc(1024 * sizeof(uint64_t));
    assert_non_null(before);
    memcpy(before, t.bitmap, 1024 * sizeof(uint64_t));
    assert_int_equal(iommu_range_free(&t, 65530, 10, &info), TCESIM_EINVAL);  /* past the window */
    assert_int_equal(iommu_range_free(&t, 1, 5, &info), TCESIM_EINVAL);      /* 5 was never mapped */
    assert_int_equal(iommu_range_free(&t, 0, 1, &info), TCESIM_EINVAL);      /* reserved entry 0 */
    assert_int_equal(iommu_range_free(&t, 1005, 1, &info), TCESIM_EINVAL);   /* reserved range */
    assert_int_equal(iommu_range_free(&t, 1, 0, &info), TCESIM_EINVAL);
    assert_int_equal(info.nholds, 0);
    assert_int_equal(t.st.bad_frees, 5);
    assert_int_equal(t.st.frees, 0);
    assert_int_equal(t.st.pages_in_use, 4);
    assert_memory_equal(before, t.bitmap, 1024 * sizeof(uint64_t));
    assert_int_equal(iommu_range_free(&t, 1, 4, &info), TCESIM_OK);
    assert_int_equal(iommu_range_free(&t, 1, 4, &info), TCESIM_EINVAL); /* double free */
    assert_int_equal(t.st.bad_frees, 6);
    free(before);
    iommu_table_destroy(&t);
}

static void reserved_top_sends_large_requests_to_the_small_pools(void **state)
{
    (void)state;
    iommu_table t;
    /* 4 GiB window (1048576 entries), the upper half reserved (the modern
     * kernel's MMIO32 hole [2 GiB, 4 GiB)): poolsize 196608; the large pool
     * [786432, 1048576) and pool 3 [589824, 786432) are wholly reserved. */
    iommu_table_params p = window(4 * GiB, 12, 16);
    p.reserved_start = 524288;
    p.reserved_end = 1048576;
    assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
    iommu_alloc_info info;
    /* CPU 0, 16 pages: large fails twice, then pool 1 */
    assert_int_equal(alloc1(&t, 0, 16, &info), 196608);
    assert_int_equal(info.passes, 2);
    assert_int_equal(info.pool, 1);
    /* CPU 2 (pool 3), 1 page: pool 3 fails twice, then pool (3+1)&3 = 0 */
    assert_int_equal(alloc1(&t, 2, 1, &info), 1);
    assert_int_equal(info.passes, 2);
    assert_int_equal(info.pool, 0);
    iommu_table_destroy(&t);
}

/* ============================================ the independent reference */

/* A transcription of the kernel's pseudo-code with its own data layout: one
 * byte per entry, pools as plain arrays, the pre-2009 lib/iommu-helper.c
 * search (test_bit per entry, `end >= size` on the undecremented limit,
 * `start = index + 1` after a boundary crossing). */
typedef struct ref_pool {
    uint64_t start, end, hint;
} ref_pool;

typedef struct ref {
    uint64_t size, off, poolsize, bsz;
    unsigned shift, cpu_shift, npools;
    uint64_t blocksize;
    uint32_t mult;
    int seed;          /* Linux 4.4's rules, else 6.6's */
    int fallback;      /* the large-pool last resort */
    ref_pool pool[5];  /* [npools] = large */
    uint8_t *used;
    uint64_t rs, re;   /* reserved, table indices */
    uint64_t allocs, frees, failures, bad_frees, rejected, in_use;
    uint64_t by_pool[5], fallbacks[5];
} ref;

typedef struct ref_result {
    uint64_t entry;
    int pool, home;
    unsigned passes, nlocks;
    int locks[32];
} ref_result;

static void ref_init(ref *r, const iommu_table_params *p)
{
    memset(r, 0, sizeof(*r));
    r->size = p->it_size;
    r->off = p->it_offset;
    r->shift = p->page_shift;
    r->cpu_shift = p->cpu_page_shift;
    r->blocksize = p->blocksize;
    r->seed = p->kernel == IOMMU_KERNEL_4_4;
    /* GOLDEN_RATIO_PRIME_32 before Linux 4.7, GOLDEN_RATIO_32 after */
    r->mult = p->hash_mult ? p->hash_mult : r->seed ? 0x9e370001u : 0x61C88647u;
    /* "use largepool as a last resort" arrived in 2021: in 6.6, not in 4.4 */
    r->fallback = p->large_fallback == IOMMU_FALLBACK_ON || (p->large_fallback == IOMMU_FALLBACK_ERA && !r->seed);
    uint64_t seg = p->seg_boundary ? p->seg_boundary : 4 * GiB;
    r->bsz = seg < (1ull << r->shift) ? 1 : seg >> r->shift;
    r->npools = (r->size << r->shift) >= GiB ? 4 : 1;
    r->poolsize = r->size * 3 / 4 / r->npools;
    r->used = calloc(r->size, 1);
    assert_non_null(r->used);
    if (r->off == 0)
        r->used[0] = 1;
    uint64_t rs = p->reserved_start, re = p->reserved_end;
    if (rs < r->off)
        rs = r->off;
    if (re > r->off + r->size)
        re = r->off + r->size;
    r->rs = r->re = 0;
    if (rs < re) {
        r->rs = rs - r->off;
        r->re = re - r->off;
        for (uint64_t i = r->rs; i < r->re; i++)
            r->used[i] = 1;
    }
    unsigned i;
    for (i = 0; i < r->npools; i++) {
        r->pool[i].start = r->pool[i].hint = i * r->poolsize;
        r->pool[i].end = (i + 1) * r->poolsize;
    }
    r->pool[i].start = r->pool[i].hint = i * r->poolsize;
    r->pool[i].end = r->size;
}

static uint64_t ref_area(ref *r, uint64_t size, uint64_t start, uint64_t nr, uint64_t align_mask)
{
again:;
    uint64_t index = start;
    while (index < size && r->used[index])
        index++;
    index = (index + align_mask) & ~align_mask;
    uint64_t end = index + nr;
    if (end >= size)
        return UINT64_MAX;
    for (uint64_t i = index; i < end; i++) {
        if (r->used[i]) {
            start = i + 1;
            goto again;
        }
    }
    uint64_t s = (r->off + index) & (r->bsz - 1);
    if (s + nr > r->bsz) {
        start = index + 1;
        goto again;
    }
    for (uint64_t i = index; i < end; i++)
        r->used[i] = 1;
    return index;
}

static int ref_id(const ref *r, unsigned idx) { return idx == r->npools ? IOMMU_POOL_LARGE : (int)idx; }

static uint64_t ref_alloc(ref *r, unsigned cpu, uint64_t npages, uint64_t *handle, uint64_t mask,
                          unsigned align_order, ref_result *res)
{
    memset(res, 0, sizeof(*res));
    res->entry = UINT64_MAX;
    res->pool = res->home = IOMMU_NO_POOL;
    if (npages == 0 || mask < r->off) {
        r->rejected++;
        return UINT64_MAX;
    }
    uint64_t align_mask = (1ull << align_order) - 1;
    int largealloc = npages > 15;
    unsigned pool_nr = (((uint32_t)cpu * r->mult) >> 30) & (r->npools - 1);
    unsigned p = largealloc ? r->npools : pool_nr;
    unsigned home = p;
    res->home = ref_id(r, home);
    res->locks[res->nlocks++] = ref_id(r, p);
    unsigned pass = 0;
    uint64_t n, start, limit;
again:
    if (pass == 0 && handle && *handle && *handle >= r->pool[p].start && *handle < r->pool[p].end)
        start = *handle;
    else
        start = r->pool[p].hint;
    limit = r->pool[p].end;
    if (start >= limit)
        start = r->pool[p].start;
    if (limit + r->off > mask) {
        limit = mask - r->off + 1;
        if ((start & mask) >= limit || pass > 0) {
            p = 0;
            res->locks[res->nlocks++] = 0;
            start = r->pool[0].start;
        } else {
            start &= mask;
        }
    }
    n = ref_area(r, limit, start, npages, align_mask);
    if (n == UINT64_MAX) {
        if (pass == 0) {
            r->pool[p].hint = r->pool[p].start;
            pass++;
            goto again;
        } else if (pass <= r->npools) {
            pool_nr = (pool_nr + 1) & (r->npools - 1);
            p = pool_nr;
            res->locks[res->nlocks++] = ref_id(r, p);
            r->pool[p].hint = r->pool[p].start;
            pass++;
            goto again;
        } else if (r->fallback && pass == r->npools + 1) {
            p = r->npools;
            res->locks[res->nlocks++] = ref_id(r, p);
            r->pool[p].hint = r->pool[p].start;
            pass++;
            goto again;
        }
        res->passes = pass;
        r->failures++;
        return UINT64_MAX;
    }
    uint64_t end = n + npages;
    if (largealloc)
        r->pool[p].hint = end;
    else
        r->pool[p].hint = (end + r->blocksize - 1) & ~(r->blocksize - 1);
    if (handle)
        *handle = end;
    res->entry = n;
    res->pool = ref_id(r, p);
    res->passes = pass;
    r->allocs++;
    r->by_pool[p]++;
    if (p != home)
        r->fallbacks[p]++;
    r->in_use += npages;
    return n;
}

static int ref_free(ref *r, uint64_t entry, uint64_t npages)
{
    int bad = npages == 0 || entry >= r->size || entry + npages > r->size;
    for (uint64_t i = entry; !bad && i < entry + npages; i++)
        bad = !r->used[i] || (r->off == 0 && i == 0) || (i >= r->rs && i < r->re);
    if (bad) {
        r->bad_frees++;
        return -1;
    }
    for (uint64_t i = entry; i < entry + npages; i++)
        r->used[i] = 0;
    r->frees++;
    r->in_use -= npages;
    return 0;
}

static uint64_t ref_num_pages(uint64_t addr, uint64_t len, unsigned shift)
{
    uint64_t io = 1ull << shift;
    return ((addr & (io - 1)) + len + io - 1) / io;
}

static unsigned ref_align(const ref *r, uint64_t pa, uint64_t len)
{
    uint64_t page = 1ull << r->cpu_shift;
    return (r->shift < r->cpu_shift && len >= page && pa % page == 0) ? r->cpu_shift - r->shift : 0;
}

static uint64_t ref_map_page(ref *r, unsigned cpu, uint64_t pa, uint64_t len, uint64_t mask, uint64_t *bus,
                             ref_result *res)
{
    uint64_t e = ref_alloc(r, cpu, ref_num_pages(pa, len, r->shift), NULL, mask >> r->shift,
                           ref_align(r, pa, len), res);
    *bus = e == UINT64_MAX ? e : ((e + r->off) << r->shift) | (pa & ((1ull << r->shift) - 1));
    return e;
}

/* iommu_alloc_coherent(): 4.4 nio_pages = size >> shift and no offset; 6.6
 * nio_pages = IOMMU_PAGE_ALIGN(size) >> shift, | (ret & (tcesize - 1)). */
static uint64_t ref_coherent(ref *r, unsigned cpu, uint64_t pa, uint64_t size, uint64_t mask, uint64_t *bus,
                             ref_result *res)
{
    *bus = UINT64_MAX;
    uint64_t page = 1ull << r->cpu_shift;
    size = (size + page - 1) / page * page;
    unsigned order = 0;
    while ((page << order) < size)
        order++;
    if (size == 0 || order >= 13) {
        memset(res, 0, sizeof(*res));
        res->entry = UINT64_MAX;
        res->pool = res->home = IOMMU_NO_POOL;
        r->rejected++;
        return UINT64_MAX;
    }
    uint64_t io = 1ull << r->shift;
    uint64_t nio = r->seed ? size / io : (size + io - 1) / io;
    unsigned io_order = 0;
    while (((size - 1) >> r->shift) >> io_order)
        io_order++;
    uint64_t e = ref_alloc(r, cpu, nio, NULL, mask >> r->shift, io_order, res);
    if (e != UINT64_MAX)
        *bus = ((e + r->off) << r->shift) + (r->seed ? 0 : pa % io);
    return e;
}

/* ppc_iommu_map_sg(), sglist-style: output k lives in slot k. */
static int ref_map_sg(ref *r, unsigned cpu, const uint64_t *pas, const uint64_t *lens, uint32_t n, uint64_t mask,
                      uint64_t max_seg, int novmerge, uint64_t *bus_in, ref_result *res, iommu_sg_out *outs,
                      uint32_t *nouts, uint32_t *failed_seg, uint32_t *nunwound)
{
    *failed_seg = n;
    *nunwound = 0;
    uint64_t dma_next = 0, handle = 0;
    uint32_t outs_i = 0, segstart = 0, outcount = 1;
    outs[0].len = 0;
    outs[0].bus = UINT64_MAX;
    for (uint32_t i = 0; i < n; i++) {
        if (lens[i] == 0) {
            memset(&res[i], 0, sizeof(res[i]));
            res[i].entry = UINT64_MAX;
            res[i].pool = res[i].home = IOMMU_NO_POOL;
            bus_in[i] = UINT64_MAX;
            dma_next = 0;
            continue;
        }
        uint64_t e = ref_alloc(r, cpu, ref_num_pages(pas[i], lens[i], r->shift), &handle, mask >> r->shift,
                               ref_align(r, pas[i], lens[i]), &res[i]);
        if (e == UINT64_MAX) {
            bus_in[i] = UINT64_MAX;
            *nunwound = 0;
            for (uint32_t k = 0; k <= outs_i; k++)
                if (outs[k].len) {
                    ref_free(r, (outs[k].bus >> r->shift) - r->off, ref_num_pages(outs[k].bus, outs[k].len, r->shift));
                    ++*nunwound;
                }
            *nouts = 0;
            *failed_seg = i;
            return -1;
        }
        /* 6.6: vaddr & ~IOMMU_PAGE_MASK; 4.4: s->offset (within the CPU page) & ~IOMMU_PAGE_MASK */
        uint64_t in_page = r->seed ? pas[i] % (1ull << r->cpu_shift) : pas[i];
        uint64_t dma = ((e + r->off) << r->shift) + in_page % (1ull << r->shift);
        bus_in[i] = dma;
        if (segstart != i) {
            if (novmerge || dma != dma_next || outs[outs_i].len + lens[i] > max_seg) {
                segstart = i;
                outcount++;
                outs_i++;
            } else {
                outs[outs_i].len += lens[i];
            }
        }
        if (segstart == i) {
            outs[outs_i].bus = dma;
            outs[outs_i].len = lens[i];
        }
        dma_next = dma + lens[i];
    }
    *nouts = outcount;
    return 0;
}

/* -------------------------------------------------- the differential test */

static void same_result(const iommu_alloc_info *a, const ref_result *b)
{
    assert_int_equal(a->entry, b->entry);
    assert_int_equal(a->pool, b->pool);
    assert_int_equal(a->home_pool, b->home);
    assert_int_equal(a->passes, b->passes);
    assert_int_equal(a->nholds, b->nlocks);
    for (unsigned i = 0; i < a->nholds; i++)
        assert_int_equal(a->holds[i].pool, b->locks[i]);
}

static void same_state(const iommu_table *t, const ref *r, bool bitmap)
{
    for (unsigned i = 0; i < t->nr_pools; i++) {
        assert_int_equal(t->pools[i].hint, r->pool[i].hint);
        assert_int_equal(t->pools[i].start, r->pool[i].start);
        assert_int_equal(t->pools[i].end, r->pool[i].end);
    }
    assert_int_equal(t->large_pool.hint, r->pool[r->npools].hint);
    assert_int_equal(t->st.allocs, r->allocs);
    assert_int_equal(t->st.frees, r->frees);
    assert_int_equal(t->st.failures, r->failures);
    assert_int_equal(t->st.bad_frees, r->bad_frees);
    assert_int_equal(t->st.rejected, r->rejected);
    assert_int_equal(t->st.pages_in_use, r->in_use);
    for (unsigned i = 0; i <= t->nr_pools; i++) {
        assert_int_equal(t->st.allocs_by_pool[i], r->by_pool[i]);
        assert_int_equal(t->st.fallbacks_in[i], r->fallbacks[i]);
    }
    if (bitmap) {
        uint64_t i = 0;
        while (i < r->size && ((t->bitmap[i / 64] >> (i % 64)) & 1) == r->used[i])
            i++;
        assert_int_equal(i, r->size); /* else: the first entry that differs */
    }
}

typedef struct live {
    uint64_t entry, npages;
} live;

static uint64_t pick_size(rng *g, uint64_t big)
{
    switch (rng_below(g, 8)) {
    case 0:
        return 1 + rng_below(g, big);
    case 1:
    case 2:
        return 4096 * (1 + rng_below(g, 32));
    default:
        return 1 + rng_below(g, 16 * KiB);
    }
}

/* DMA_BIT_MASK(24..64), or a power of two inside the window, or none */
static uint64_t pick_mask(rng *g, const iommu_table_params *p)
{
    uint64_t top = (p->it_offset + p->it_size) << p->page_shift;
    switch (rng_below(g, 6)) {
    case 0: {
        unsigned bits = 24 + (unsigned)rng_below(g, 41);
        return bits >= 64 ? NOMASK : (1ull << bits) - 1;
    }
    case 1: {
        /* a power of two inside the window */
        unsigned hi = 63 - (unsigned)__builtin_clzll(top);
        unsigned bits = hi - (unsigned)rng_below(g, 3);
        return (1ull << bits) - 1;
    }
    default:
        return NOMASK;
    }
}

typedef struct diff_stats {
    uint64_t succeeded, failed, fallbacks, sg_unwinds;
} diff_stats;

/* Invariants of a new range: inside the window, not over a live range (the
 * live set holds what the driver still has mapped), and every byte of its
 * IO pages reachable under the DMA mask. O(nlive). */
static void check_new_range(const iommu_table_params *p, const live *lv, uint32_t nlive, uint64_t entry,
                            uint64_t npages, uint64_t mask)
{
    assert_true(npages > 0);
    assert_true(entry + npages <= p->it_size);
    for (uint32_t j = 0; j < nlive; j++)
        assert_true(entry + npages <= lv[j].entry || lv[j].entry + lv[j].npages <= entry);
    uint64_t last = ((entry + p->it_offset + npages) << p->page_shift) - 1;
    assert_true(last <= mask);
}

/* When no offset can be lost (the IO page is not larger than the CPU page,
 * or Linux 6.6), a failed map_sg gives back all it took. */
static bool unwind_restores(const iommu_table_params *p)
{
    return p->kernel == IOMMU_KERNEL_6_6 || p->page_shift <= p->cpu_page_shift;
}

static diff_stats differential(const iommu_table_params *p, uint64_t seed, int nops, uint64_t big)
{
    iommu_table t;
    ref r;
    assert_int_equal(iommu_table_init(&t, p), TCESIM_OK);
    ref_init(&r, p);
    same_state(&t, &r, true);
    rng g;
    rng_seed(&g, seed, 7);
    enum { MAXLIVE = 4096, MAXSEG = 8 };
    live *lv = malloc(MAXLIVE * sizeof(*lv));
    iommu_alloc_info *infos = malloc(MAXSEG * sizeof(*infos));
    uint64_t *before = malloc((p->it_size + 63) / 64 * sizeof(*before));
    assert_non_null(lv);
    assert_non_null(infos);
    assert_non_null(before);
    uint32_t nlive = 0;
    diff_stats st = {0};
    const unsigned sh = p->page_shift;

    for (int op = 0; op < nops; op++) {
        unsigned cpu = (unsigned)rng_below(&g, 48);
        uint64_t mask = pick_mask(&g, p);
        uint64_t k = rng_below(&g, 100);
        if (nlive + MAXSEG >= MAXLIVE)
            k = 90;
        if (k < 35) {
            uint64_t pa = rng_below(&g, 1ull << 36);
            if (rng_below(&g, 2))
                pa &= ~((1ull << p->cpu_page_shift) - 1);
            uint64_t len = pick_size(&g, big), b1, b2;
            ref_result rr;
            uint64_t e1 = iommu_map_page(&t, cpu, pa, len, mask, &b1, &infos[0]);
            uint64_t e2 = ref_map_page(&r, cpu, pa, len, mask, &b2, &rr);
            assert_int_equal(e1, e2);
            assert_int_equal(b1, b2);
            same_result(&infos[0], &rr);
            if (e1 != IOMMU_MAP_ERROR) {
                check_new_range(p, lv, nlive, e1, infos[0].npages, mask);
                lv[nlive++] = (live){e1, infos[0].npages};
                st.succeeded++;
                st.fallbacks += infos[0].pool != infos[0].home_pool;
            } else {
                st.failed++;
            }
        } else if (k < 50) {
            uint32_t n = 1 + (uint32_t)rng_below(&g, MAXSEG);
            uint64_t pas[MAXSEG], lens[MAXSEG], bus1[MAXSEG], bus2[MAXSEG];
            iommu_sg_out o1[MAXSEG], o2[MAXSEG];
            iommu_sg_unwind unw[MAXSEG];
            ref_result rr[MAXSEG];
            uint64_t pa = rng_below(&g, 1ull << 36) & ~0xfffull;
            for (uint32_t i = 0; i < n; i++) {
                lens[i] = rng_below(&g, 16) == 0 ? 0 : pick_size(&g, big / 4);
                pas[i] = rng_below(&g, 3) ? pa : pa + rng_below(&g, 4096);
                pa = (pas[i] + lens[i] + 4095) & ~0xfffull;
            }
            uint64_t maxseg = rng_below(&g, 2) ? 64 * KiB : 1 * MiB;
            bool nov = rng_below(&g, 10) == 0;
            uint32_t no1 = 0, no2 = 0, fseg2, nunw2;
            iommu_sg_failure fail = {.unwound = unw};
            memcpy(before, t.bitmap, (p->it_size + 63) / 64 * sizeof(*before));
            uint64_t ret = iommu_map_sg(&t, cpu, pas, lens, n, mask, maxseg, nov, bus1, infos, o1, &no1, &fail);
            int ret2 = ref_map_sg(&r, cpu, pas, lens, n, mask, maxseg, nov, bus2, rr, o2, &no2, &fseg2, &nunw2);
            assert_int_equal(ret == 0, ret2 == 0);
            assert_int_equal(no1, no2);
            assert_int_equal(fail.seg, fseg2);
            assert_int_equal(fail.nunwound, nunw2);
            /* every segment up to the failed one, if any; none after it */
            for (uint32_t i = 0; i < n; i++) {
                if (i > fail.seg) {
                    assert_int_equal(infos[i].nholds, 0);
                    assert_int_equal(bus1[i], IOMMU_MAP_ERROR);
                    continue;
                }
                same_result(&infos[i], &rr[i]);
                assert_int_equal(bus1[i], bus2[i]);
                if (ret == 0 && lens[i])
                    check_new_range(p, lv, nlive, infos[i].entry, infos[i].npages, mask);
            }
            for (uint32_t i = 0; i < no1; i++) {
                assert_int_equal(o1[i].bus, o2[i].bus);
                assert_int_equal(o1[i].len, o2[i].len);
                if (o1[i].len)
                    lv[nlive++] = (live){(o1[i].bus >> sh) - p->it_offset, ref_num_pages(o1[i].bus, o1[i].len, sh)};
            }
            if (ret == 0) {
                st.succeeded++;
            } else {
                st.failed++;
                st.sg_unwinds += fail.nunwound > 0;
                for (uint32_t u = 0; u < fail.nunwound; u++)
                    assert_false(unw[u].bad);
                if (unwind_restores(p))
                    assert_memory_equal(before, t.bitmap, (p->it_size + 63) / 64 * sizeof(*before));
            }
        } else if (k < 60) {
            uint64_t size = rng_below(&g, 20) == 0 ? rng_below(&g, 1ull << 30) : pick_size(&g, big * 4);
            uint64_t pa = rng_below(&g, 1ull << 36) & ~((1ull << p->cpu_page_shift) - 1);
            uint64_t b1, b2;
            ref_result rr;
            uint64_t e1 = iommu_alloc_coherent(&t, cpu, pa, size, mask, &b1, &infos[0]);
            uint64_t e2 = ref_coherent(&r, cpu, pa, size, mask, &b2, &rr);
            assert_int_equal(e1, e2);
            assert_int_equal(b1, b2);
            same_result(&infos[0], &rr);
            if (e1 != IOMMU_MAP_ERROR) {
                check_new_range(p, lv, nlive, e1, infos[0].npages, mask);
                assert_int_equal(infos[0].npages, iommu_coherent_pages(&t, size));
                lv[nlive++] = (live){e1, infos[0].npages};
            }
        } else if (k < 95) {
            if (nlive == 0)
                continue;
            uint32_t j = (uint32_t)rng_below(&g, nlive);
            assert_int_equal(iommu_range_free(&t, lv[j].entry, lv[j].npages, &infos[0]), TCESIM_OK);
            assert_int_equal(ref_free(&r, lv[j].entry, lv[j].npages), 0);
            lv[j] = lv[--nlive];
        } else {
            uint64_t e = rng_below(&g, p->it_size + 8), n = rng_below(&g, 40);
            int a = iommu_range_free(&t, e, n, &infos[0]);
            int b = ref_free(&r, e, n);
            assert_int_equal(a == 0, b == 0);
            if (a == 0) {
                /* it freed a random range that was wholly in use: drop the
                 * live records that overlapped it (their remains stay mapped
                 * in both models and are never freed) */
                for (uint32_t j = 0; j < nlive;) {
                    if (lv[j].entry < e + n && e < lv[j].entry + lv[j].npages)
                        lv[j] = lv[--nlive];
                    else
                        j++;
                }
            }
        }
        same_state(&t, &r, (op & 127) == 0);
    }
    same_state(&t, &r, true);
    free(lv);
    free(infos);
    free(before);
    free(r.used);
    iommu_table_destroy(&t);
    return st;
}

/* the run must have exercised both outcomes and the fallbacks */
static void assert_exercised(diff_stats st)
{
    assert_true(st.succeeded > 100);
    assert_true(st.failed > 0);
    assert_true(st.fallbacks > 0);
}

static void random_operations_match_the_reference_small_window(void **state)
{
    (void)state;
    for (unsigned k = 0; k < 2; k++) {
        /* 16 MiB, 4 KiB pages: 4096 entries, 1 pool; fills up quickly */
        iommu_table_params p = era(window(16 * MiB, 12, 16), k ? IOMMU_KERNEL_4_4 : IOMMU_KERNEL_6_6);
        assert_exercised(differential(&p, 1, 6000, 256 * KiB));
        /* same with a reserved range and a small segment boundary */
        p.reserved_start = 2000;
        p.reserved_end = 2300;
        p.seg_boundary = 1 * MiB;
        assert_exercised(differential(&p, 2, 6000, 256 * KiB));
    }
}

static void random_operations_match_the_reference_large_window(void **state)
{
    (void)state;
    for (unsigned k = 0; k < 2; k++) {
        iommu_kernel kern = k ? IOMMU_KERNEL_4_4 : IOMMU_KERNEL_6_6;
        /* 1 GiB of 64 KiB IO pages: 16384 entries, 4 pools */
        iommu_table_params p = era(window(1 * GiB, 16, 16), kern);
        assert_exercised(differential(&p, 3, 6000, 8 * MiB));
        /* 2 GiB of 4 KiB pages under 64 KiB CPU pages, at bus 1 GiB, with the
         * other era's hash: masks below pools switch to pool 0 */
        p = era(window(2 * GiB, 12, 16), kern);
        p.it_offset = 262144;
        p.hash_mult = k ? IOMMU_HASH_MULT_MODERN : IOMMU_HASH_MULT_LEGACY;
        p.reserved_start = 262144 + 400000;
        p.reserved_end = 262144 + 410000;
        assert_exercised(differential(&p, 4, 4000, 64 * MiB));
    }
}

/* Both eras; 4 KiB and 64 KiB CPU pages under 4 KiB, 64 KiB, 2 MiB (PHB4)
 * and 16 MiB (PHB3) TCEs; windows small enough to fill to failure, one of 4
 * pools, and one across the 4 GiB segment boundary (bus [4 GiB - half,
 * 4 GiB + half)); DMA masks of 24 to 64 bits (pick_mask). Each checked
 * against the reference and the invariants above. */
static void reference_matrix_both_eras_page_sizes_windows_and_masks(void **state)
{
    (void)state;
    static const unsigned cpu_shifts[2] = {12, 16};
    static const unsigned io_shifts[4] = {12, 16, 21, 24};
    diff_stats total = {0};
    uint64_t seed = 100;
    for (unsigned k = 0; k < 2; k++)
        for (unsigned c = 0; c < 2; c++)
            for (unsigned i = 0; i < 4; i++) {
                unsigned ps = io_shifts[i], cps = cpu_shifts[c];
                iommu_kernel kern = k ? IOMMU_KERNEL_4_4 : IOMMU_KERNEL_6_6;
                uint64_t big = (64ull << ps) < 64 * MiB ? 64ull << ps : 64 * MiB;
                /* 1024 entries: 1 pool, fills */
                iommu_table_params p = era(window(1024ull << ps, ps, cps), kern);
                if ((p.it_size << ps) >= GiB)
                    p.it_size = (GiB >> ps) / 2; /* keep it below 1 GiB: the 1-pool rule */
                diff_stats a = differential(&p, seed++, 1500, big);
                /* 1 GiB or more: 4 pools (at least 2048 entries) */
                uint64_t bytes = (2048ull << ps) > GiB ? 2048ull << ps : GiB;
                p = era(window(bytes, ps, cps), kern);
                diff_stats b = differential(&p, seed++, 1500, big);
                /* across 4 GiB: 4096 entries from 4 GiB - 2048 pages (from
                 * 2 GiB for pages above 2 MiB) */
                p = era(window(4096ull << ps, ps, cps), kern);
                uint64_t below = ((4 * GiB) >> ps) / 2 < 2048 ? ((4 * GiB) >> ps) / 2 : 2048;
                p.it_offset = ((4 * GiB) >> ps) - below;
                diff_stats c4 = differential(&p, seed++, 1500, big);
                total.succeeded += a.succeeded + b.succeeded + c4.succeeded;
                total.failed += a.failed + b.failed + c4.failed;
                total.fallbacks += a.fallbacks + b.fallbacks + c4.fallbacks;
                total.sg_unwinds += a.sg_unwinds + b.sg_unwinds + c4.sg_unwinds;
            }
    assert_exercised(total);
    assert_true(total.sg_unwinds > 0);
}

/* A map_sg of 6 segments whose segment f (every f) cannot fit, in both
 * eras and under each page-size pair: the reference agrees on the failed
 * segment, the unwound count and the bitmap; where no offset is lost the
 * bitmap is as before the call. */
static void map_sg_failing_at_every_position_unwinds_as_the_reference(void **state)
{
    (void)state;
    static const unsigned pairs[5][2] = {{12, 12}, {12, 16}, {16, 12}, {16, 16}, {12, 24}};
    enum { N = 6 };
    for (unsigned k = 0; k < 2; k++)
        for (unsigned q = 0; q < 5; q++)
            for (uint32_t f = 0; f < N; f++) {
                unsigned cps = pairs[q][0], ps = pairs[q][1];
                iommu_table_params p = era(window(4096ull << ps, ps, cps), k ? IOMMU_KERNEL_4_4 : IOMMU_KERNEL_6_6);
                iommu_table t;
                ref r;
                assert_int_equal(iommu_table_init(&t, &p), TCESIM_OK);
                ref_init(&r, &p);
                uint64_t pas[N], lens[N], bus1[N], bus2[N];
                iommu_alloc_info *infos = malloc(N * sizeof(*infos));
                assert_non_null(infos);
                ref_result rr[N];
                iommu_sg_out o1[N], o2[N];
                iommu_sg_unwind unw[N];
                for (uint32_t i = 0; i < N; i++) {
                    /* offsets that 4.4 loses with IO pages above the CPU page */
                    pas[i] = 0x40000000ull + i * (4ull << ps) + (i % 3) * 0x1000 + (i == 2 ? 0x80 : 0);
                    lens[i] = i == f ? (8192ull << ps) : (i % 2 ? 0x3000 : (1ull << ps));
                }
                uint32_t no1, no2, fseg2, nunw2;
                iommu_sg_failure fail = {.unwound = unw};
                uint64_t before = t.bitmap[0];
                assert_int_equal(iommu_map_sg(&t, 3, pas, lens, N, NOMASK, 1 * MiB, false, bus1, infos, o1, &no1, &fail),
                                 IOMMU_MAP_ERROR);
                assert_int_equal(ref_map_sg(&r, 3, pas, lens, N, NOMASK, 1 * MiB, 0, bus2, rr, o2, &no2, &fseg2, &nunw2),
                                 -1);
                assert_int_equal(fail.seg, f);
                assert_int_equal(fseg2, f);
                assert_int_equal(fail.nunwound, nunw2);
                for (uint32_t i = 0; i <= f; i++) {
                    same_result(&infos[i], &rr[i]);
                    assert_int_equal(bus1[i], bus2[i]);
                }
                same_state(&t, &r, true);
                if (unwind_restores(&p)) {
                    assert_int_equal(t.bitmap[0], before);
                    assert_int_equal(t.st.pages_in_use, 0);
                }
                free(infos);
                free(r.used);
                iommu_table_destroy(&t);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pool_hash_spreads_cpus_0_to_15),
        cmocka_unit_test(window_of_1gib_or_more_has_four_pools),
        cmocka_unit_test(window_below_1gib_has_one_pool_and_a_large_quarter),
        cmocka_unit_test(init_rejects_bad_geometry),
        cmocka_unit_test(offset_window_does_not_reserve_entry_0_and_clamps_the_reserved_range),
        cmocka_unit_test(small_maps_start_a_new_16_entry_block_each_time),
        cmocka_unit_test(more_than_15_pages_go_to_the_large_pool_without_block_rounding),
        cmocka_unit_test(page_aligned_buffers_of_a_cpu_page_align_to_the_cpu_page),
        cmocka_unit_test(coherent_rounds_to_the_cpu_page_and_aligns_naturally),
        cmocka_unit_test(map_sg_chains_segments_and_merges_up_to_max_seg_size),
        cmocka_unit_test(map_sg_zero_length_segments_end_a_merge),
        cmocka_unit_test(map_sg_failure_frees_what_it_mapped),
        cmocka_unit_test(seed_has_no_large_pool_fallback_modern_has),
        cmocka_unit_test(seed_hashes_cpus_with_the_old_multiplier),
        cmocka_unit_test(coherent_with_tce_pages_above_the_cpu_page_per_era),
        cmocka_unit_test(map_sg_offset_is_vaddr_in_modern_and_the_cpu_page_offset_in_seed),
        cmocka_unit_test(seed_map_sg_frees_by_dma_length_and_leaks_the_lost_offset),
        cmocka_unit_test(map_sg_failure_reports_the_unwound_ranges_and_stops_at_the_failed_segment),
        cmocka_unit_test(full_home_pool_falls_back_in_the_kernels_pass_order),
        cmocka_unit_test(one_pool_falls_back_to_itself_then_the_large_pool),
        cmocka_unit_test(exhaustion_fails_and_frees_make_room_again),
        cmocka_unit_test(dma_mask_limits_the_search_and_may_switch_to_pool_0),
        cmocka_unit_test(ranges_never_cross_a_segment_boundary),
        cmocka_unit_test(frees_find_their_pool_from_the_entry),
        cmocka_unit_test(bad_frees_are_rejected_counted_and_change_nothing),
        cmocka_unit_test(reserved_top_sends_large_requests_to_the_small_pools),
        cmocka_unit_test(random_operations_match_the_reference_small_window),
        cmocka_unit_test(random_operations_match_the_reference_large_window),
        cmocka_unit_test(reference_matrix_both_eras_page_sizes_windows_and_masks),
        cmocka_unit_test(map_sg_failing_at_every_position_unwinds_as_the_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
