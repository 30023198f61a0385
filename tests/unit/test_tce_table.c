/* TCE table geometry, on-demand levels, and the walk (QEMU semantics plus the
 * out-of-window and bypass-range checks). Walk vectors are hand-computed:
 * index at a level = (addr >> sh) & (2^tbl_shift - 1), taddr = base | index
 * << 3, sh starting at tbl_shift * (levels - 1) + page_shift. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "common/tcesim_err.h"
#include "memory/physalloc.h"
#include "memory/physmem.h"
#include "tce/tce_table.h"

/* ---- geometry (pnv_pci_ioda2_table_alloc_pages) ---- */

static void geometry_seed_era_2g_window_4k_one_level_gives_22(void **state)
{
    (void)state;
    tce_geom g;
    /* entries_shift = 31 - 12 = 19; level_shift = 19 + 3 = 22 (> 12, > 16) */
    assert_int_equal(tce_geometry(1ull << 31, 12, 1, 12, &g), TCESIM_OK);
    assert_int_equal(g.level_shift, 22);
    assert_int_equal(g.levels, 1);
    assert_int_equal(g.page_shift, 12);
    assert_int_equal(g.window_bytes, 1ull << 31);
    assert_int_equal(tce_geometry(1ull << 31, 12, 1, 16, &g), TCESIM_OK);
    assert_int_equal(g.level_shift, 22);
}

static void geometry_modern_64k_two_levels(void **state)
{
    (void)state;
    tce_geom g;
    /* 256 TiB window: entries_shift = ceil((48 - 16) / 2) = 16; level 19;
     * check (19 - 3) * 2 + 16 = 48 < 55 */
    assert_int_equal(tce_geometry(1ull << 48, 16, 2, 16, &g), TCESIM_OK);
    assert_int_equal(g.level_shift, 19);
    /* 2 GiB window: ceil((31 - 16) / 2) = 8; 8 + 3 = 11 -> CPU page floor 16 */
    assert_int_equal(tce_geometry(1ull << 31, 16, 2, 16, &g), TCESIM_OK);
    assert_int_equal(g.level_shift, 16);
    /* ceil rounds up: (47 - 16) = 31 -> ceil(31 / 2) = 16 -> 19 */
    assert_int_equal(tce_geometry(1ull << 47, 16, 2, 16, &g), TCESIM_OK);
    assert_int_equal(g.level_shift, 19);
}

static void geometry_cpu_page_shift_is_the_floor(void **state)
{
    (void)state;
    tce_geom g;
    /* entries_shift = 28 - 16 = 12; 12 + 3 = 15 -> 16 with 64 KiB CPU pages */
    assert_int_equal(tce_geometry(1ull << 28, 16, 1, 16, &g), TCESIM_OK);
    assert_int_equal(g.level_shift, 16);
    /* ... and 15 with 4 KiB CPU pages (15 > 12) */
    assert_int_equal(tce_geometry(1ull << 28, 16, 1, 12, &g), TCESIM_OK);
    assert_int_equal(g.level_shift, 15);
}

static void geometry_rejects_55_bits_or_more(void **state)
{
    (void)state;
    tce_geom g;
    /* 1 level, 4K: 2^54 -> (45 - 3) + 12 = 54 < 55 accepted;
     * 2^55 -> (46 - 3) + 12 = 55 >= 55 rejected */
    assert_int_equal(tce_geometry(1ull << 54, 12, 1, 12, &g), TCESIM_OK);
    assert_int_equal(g.level_shift, 45);
    assert_int_equal(tce_geometry(1ull << 55, 12, 1, 12, &g), TCESIM_ERANGE);
    /* 2^58, 4K, 1 level: 46 + 12 = 58 */
    assert_int_equal(tce_geometry(1ull << 58, 12, 1, 12, &g), TCESIM_ERANGE);
    /* The CPU page floor can push a geometry over: 2^50, 64K, 4 levels:
     * ceil(34 / 4) = 9 -> 12; CPU 4K: (12 - 3) * 4 + 16 = 52 accepted;
     * CPU 64K: floor 16 -> (16 - 3) * 4 + 16 = 68 rejected */
    assert_int_equal(tce_geometry(1ull << 50, 16, 4, 12, &g), TCESIM_OK);
    assert_int_equal(g.level_shift, 12);
    assert_int_equal(tce_geometry(1ull << 50, 16, 4, 16, &g), TCESIM_ERANGE);
}

static void geometry_rejects_bad_arguments(void **state)
{
    (void)state;
    tce_geom g;
    assert_int_equal(tce_geometry(3ull << 30, 12, 1, 12, &g), TCESIM_EINVAL); /* not pow2 */
    assert_int_equal(tce_geometry(0, 12, 1, 12, &g), TCESIM_EINVAL);
    assert_int_equal(tce_geometry(1ull << 11, 12, 1, 12, &g), TCESIM_EINVAL); /* < page */
    assert_int_equal(tce_geometry(1ull << 31, 12, 0, 12, &g), TCESIM_EINVAL);
    assert_int_equal(tce_geometry(1ull << 31, 12, 6, 12, &g), TCESIM_EINVAL);
}

/* ---- walk vectors over tables written straight into physmem ---- */

static tve tve_at(uint64_t table_pa, unsigned levels, unsigned level_shift, unsigned page_shift)
{
    return (tve){.kind = TVE_TRANSLATED, .table_pa = table_pa, .levels = levels,
                 .level_shift = level_shift, .page_shift = page_shift};
}

static void walk_one_level_reads_one_tce(void **state)
{
    (void)state;
    physmem *m = physmem_create();
    /* 1 level of 4 KiB (512 TCEs) at 0x10000000, 4K pages: window 2^21.
     * addr 0x123456: index (0x123456 >> 12) & 0x1ff = 0x123;
     * taddr = 0x10000000 | 0x123 << 3 = 0x10000918 */
    tve t = tve_at(0x10000000, 1, 12, 12);
    physmem_write_be64(m, 0x10000918, 0xabcde000ull | TCE_READ | TCE_WRITE);
    tce_walk_result r;
    tce_walk(&t, m, 0x123456, false, &r);
    assert_int_equal(r.fault, TCE_OK);
    assert_int_equal(r.nreads, 1);
    assert_int_equal(r.taddr[0], 0x10000918);
    assert_int_equal(r.tce, 0xabcde003ull);
    assert_int_equal(r.pa, 0xabcde456ull); /* 0xabcde000 | 0x456 */
    tce_walk(&t, m, 0x123456, true, &r);
    assert_int_equal(r.fault, TCE_OK);
    assert_int_equal(r.pa, 0xabcde456ull);
    physmem_destroy(m);
}

static void walk_two_levels_reads_top_then_leaf(void **state)
{
    (void)state;
    physmem *m = physmem_create();
    /* 2 levels of 4 KiB, 4K pages: window 2^(9 * 2 + 12) = 2^30.
     * addr 0x23456789: top index (addr >> 21) & 0x1ff = 0x11a ->
     *   taddr0 = 0x10000000 | 0x11a << 3 = 0x100008d0;
     * leaf index (addr >> 12) & 0x1ff = 0x23456 & 0x1ff = 0x056 ->
     *   taddr1 = 0x20000000 | 0x056 << 3 = 0x200002b0 */
    tve t = tve_at(0x10000000, 2, 12, 12);
    physmem_write_be64(m, 0x100008d0, 0x20000000ull | TCE_READ | TCE_WRITE);
    physmem_write_be64(m, 0x200002b0, 0x76543000ull | TCE_READ);
    tce_walk_result r;
    tce_walk(&t, m, 0x23456789, false, &r);
    assert_int_equal(r.fault, TCE_OK);
    assert_int_equal(r.nreads, 2);
    assert_int_equal(r.taddr[0], 0x100008d0);
    assert_int_equal(r.taddr[1], 0x200002b0);
    assert_int_equal(r.pa, 0x76543789ull);
    physmem_destroy(m);
}

static void walk_three_levels_of_64k_pages(void **state)
{
    (void)state;
    physmem *m = physmem_create();
    /* 3 levels of 4 KiB, 64K pages: window 2^(9 * 3 + 16) = 2^43.
     * addr 0x5a5a5a51234:
     *   sh 34: addr >> 32 = 0x5a5, >> 2 = 0x169 -> 0x10000000 | 0xb48
     *   sh 25: addr >> 24 = 0x5a5a5, >> 1 = 0x2d2d2, & 0x1ff = 0x0d2 -> 0x20000000 | 0x690
     *   sh 16: addr >> 16 = 0x5a5a5a5, & 0x1ff = 0x1a5 -> 0x30000000 | 0xd28
     *   pa = 0x1234500000 | (addr & 0xffff = 0x1234) = 0x1234501234 */
    tve t = tve_at(0x10000000, 3, 12, 16);
    physmem_write_be64(m, 0x10000b48, 0x20000000ull | TCE_READ | TCE_WRITE);
    physmem_write_be64(m, 0x20000690, 0x30000000ull | TCE_READ); /* one perm bit is enough */
    physmem_write_be64(m, 0x30000d28, 0x1234500000ull | TCE_READ | TCE_WRITE);
    tce_walk_result r;
    tce_walk(&t, m, 0x5a5a5a51234ull, true, &r);
    assert_int_equal(r.fault, TCE_OK);
    assert_int_equal(r.nreads, 3);
    assert_int_equal(r.taddr[0], 0x10000b48);
    assert_int_equal(r.taddr[1], 0x20000690);
    assert_int_equal(r.taddr[2], 0x30000d28);
    assert_int_equal(r.pa, 0x1234501234ull);
    /* Bit 59 selects the TVE and is not part of the IO address. */
    tce_walk(&t, m, TVE_BYPASS_BIT59 | 0x5a5a5a51234ull, true, &r);
    assert_int_equal(r.fault, TCE_OK);
    assert_int_equal(r.taddr[0], 0x10000b48);
    assert_int_equal(r.pa, 0x1234501234ull);
    physmem_destroy(m);
}

static void walk_five_levels_reads_five_tces(void **state)
{
    (void)state;
    physmem *m = physmem_create();
    /* 5 levels of 4 KiB, 4K pages: window 2^(9 * 5 + 12) = 2^57.
     * addr 0x0123456789abcdef:
     *   sh 48: addr >> 48 = 0x123                          -> 0x123 << 3 = 0x918
     *   sh 39: addr >> 36 = 0x123456, >> 3 = 0x2468a, & 0x1ff = 0x08a -> 0x450
     *   sh 30: addr >> 28 = 0x12345678, >> 2 = 0x48d159e, & 0x1ff = 0x19e -> 0xcf0
     *   sh 21: addr >> 20 = 0x123456789a, >> 1 = 0x91a2b3c4d, & 0x1ff = 0x04d -> 0x268
     *   sh 12: addr >> 12 = 0x123456789abc, & 0x1ff = 0x0bc -> 0x5e0
     *   pa = 0x7777000 | 0xdef = 0x7777def */
    tve t = tve_at(0x10000000, 5, 12, 12);
    physmem_write_be64(m, 0x10000918, 0x20000000ull | 3);
    physmem_write_be64(m, 0x20000450, 0x30000000ull | 3);
    physmem_write_be64(m, 0x30000cf0, 0x40000000ull | 3);
    physmem_write_be64(m, 0x40000268, 0x50000000ull | 3);
    physmem_write_be64(m, 0x500005e0, 0x7777000ull | 3);
    tce_walk_result r;
    tce_walk(&t, m, 0x0123456789abcdefull, false, &r);
    assert_int_equal(r.fault, TCE_OK);
    assert_int_equal(r.nreads, 5);
    assert_int_equal(r.taddr[0], 0x10000918);
    assert_int_equal(r.taddr[1], 0x20000450);
    assert_int_equal(r.taddr[2], 0x30000cf0);
    assert_int_equal(r.taddr[3], 0x40000268);
    assert_int_equal(r.taddr[4], 0x500005e0);
    assert_int_equal(r.pa, 0x7777defull);
    physmem_destroy(m);
}

static void walk_invalid_tve_faults_without_reads(void **state)
{
    (void)state;
    physmem *m = physmem_create();
    tve t = {.kind = TVE_INVALID};
    tce_walk_result r;
    tce_walk(&t, m, 0x1000, false, &r);
    assert_int_equal(r.fault, TCE_FAULT_INVALID_TVE);
    assert_int_equal(r.nreads, 0);
    t = tve_at(0x10000000, 1, 12, 0); /* IO_PSIZE 0 in a translated TVE */
    tce_walk(&t, m, 0x1000, false, &r);
    assert_int_equal(r.fault, TCE_FAULT_INVALID_TVE);
    assert_int_equal(r.nreads, 0);
    physmem_destroy(m);
}

static void walk_zero_upper_entry_is_an_invalid_indirect_fault(void **state)
{
    (void)state;
    physmem *m = physmem_create();
    tve t = tve_at(0x10000000, 2, 12, 12);
    /* addr 0x1000: top index (0x1000 >> 21) & 0x1ff = 0 -> taddr 0x10000000,
     * never written: reads 0 */
    tce_walk_result r;
    tce_walk(&t, m, 0x1000, false, &r);
    assert_int_equal(r.fault, TCE_FAULT_INDIRECT);
    assert_int_equal(r.nreads, 1);
    assert_int_equal(r.taddr[0], 0x10000000);
    /* An upper entry with an address but neither R nor W is not present
     * either: top index of 0x200000 is 1 -> taddr 0x10000008 */
    physmem_write_be64(m, 0x10000008, 0x20000000ull);
    tce_walk(&t, m, 0x200000, true, &r);
    assert_int_equal(r.fault, TCE_FAULT_INDIRECT);
    assert_int_equal(r.nreads, 1);
    assert_int_equal(r.taddr[0], 0x10000008);
    physmem_destroy(m);
}

static void walk_checks_read_and_write_permission(void **state)
{
    (void)state;
    physmem *m = physmem_create();
    tve t = tve_at(0x10000000, 1, 12, 12);
    tce_walk_result r;
    /* W without R: only possible by writing memory directly (Linux and
     * tce_table_set always add R). Entry 0x123 as in the 1-level vector. */
    physmem_write_be64(m, 0x10000918, 0xabcde000ull | TCE_WRITE);
    tce_walk(&t, m, 0x123456, false, &r);
    assert_int_equal(r.fault, TCE_FAULT_PERM);
    assert_int_equal(r.nreads, 1);
    assert_int_equal(r.tce, 0xabcde002ull);
    tce_walk(&t, m, 0x123456, true, &r);
    assert_int_equal(r.fault, TCE_OK);
    /* R only: a write faults. */
    physmem_write_be64(m, 0x10000918, 0xabcde000ull | TCE_READ);
    tce_walk(&t, m, 0x123456, true, &r);
    assert_int_equal(r.fault, TCE_FAULT_PERM);
    tce_walk(&t, m, 0x123456, false, &r);
    assert_int_equal(r.fault, TCE_OK);
    /* An empty TCE faults both ways. */
    physmem_write_be64(m, 0x10000918, 0);
    tce_walk(&t, m, 0x123456, false, &r);
    assert_int_equal(r.fault, TCE_FAULT_PERM);
    assert_false(tce_perm_ok(0, false));
    assert_true(tce_perm_ok(TCE_READ, false));
    assert_false(tce_perm_ok(TCE_READ, true));
    physmem_destroy(m);
}

static void walk_beyond_the_window_faults_without_reads(void **state)
{
    (void)state;
    physmem *m = physmem_create();
    tce_walk_result r;
    /* 1 level of 512 4K TCEs covers [0, 0x200000); QEMU would wrap 0x200000
     * to index 0, we fault it. */
    tve t = tve_at(0x10000000, 1, 12, 12);
    /* last entry: (0x1fffff >> 12) & 0x1ff = 0x1ff -> 0x10000000 | 0xff8 */
    physmem_write_be64(m, 0x10000ff8, 0xabc00000ull | 3);
    tce_walk(&t, m, 0x1fffff, false, &r);
    assert_int_equal(r.fault, TCE_OK);
    tce_walk(&t, m, 0x200000, false, &r);
    assert_int_equal(r.fault, TCE_FAULT_WINDOW);
    assert_int_equal(r.nreads, 0);
    tce_walk(&t, m, 1ull << 60, false, &r);
    assert_int_equal(r.fault, TCE_FAULT_WINDOW);
    /* 5 levels: window 2^57 */
    t = tve_at(0x10000000, 5, 12, 12);
    tce_walk(&t, m, 1ull << 57, false, &r);
    assert_int_equal(r.fault, TCE_FAULT_WINDOW);
    assert_int_equal(r.nreads, 0);
    physmem_destroy(m);
}

static void walk_bypass_translates_inside_the_range_only(void **state)
{
    (void)state;
    physmem *m = physmem_create();
    tce_walk_result r;
    tve t = {.kind = TVE_BYPASS, .start = 0, .end = (1ull << 38) - 1};
    tce_walk(&t, m, TVE_BYPASS_BIT59 + 0x1234, true, &r);
    assert_int_equal(r.fault, TCE_OK);
    assert_int_equal(r.pa, 0x1234);
    assert_int_equal(r.nreads, 0);
    tce_walk(&t, m, TVE_BYPASS_BIT59 + (1ull << 38) - 1, false, &r);
    assert_int_equal(r.fault, TCE_OK);
    assert_int_equal(r.pa, (1ull << 38) - 1);
    tce_walk(&t, m, TVE_BYPASS_BIT59 + (1ull << 38), false, &r);
    assert_int_equal(r.fault, TCE_FAULT_WINDOW);
    assert_int_equal(r.nreads, 0);
    tce_walk(&t, m, 0x1234, false, &r); /* no bit 59: not a bypass address */
    assert_int_equal(r.fault, TCE_FAULT_WINDOW);
    t.start = 0x1000000;
    tce_walk(&t, m, TVE_BYPASS_BIT59 + 0xfff000, false, &r);
    assert_int_equal(r.fault, TCE_FAULT_WINDOW);
    tce_walk(&t, m, TVE_BYPASS_BIT59 + 0x1000000, false, &r);
    assert_int_equal(r.fault, TCE_OK);
    assert_int_equal(r.pa, 0x1000000);
    physmem_destroy(m);
}

static void tce_fault_names_are_stable(void **state)
{
    (void)state;
    assert_string_equal(tce_fault_name(TCE_FAULT_INVALID_TVE), "invalid_tve");
    assert_string_equal(tce_fault_name(TCE_FAULT_INDIRECT), "indirect");
    assert_string_equal(tce_fault_name(TCE_FAULT_PERM), "permission");
    assert_string_equal(tce_fault_name(TCE_FAULT_WINDOW), "window");
    assert_string_equal(tce_fault_name(TCE_OK), "ok");
    assert_string_equal(tce_fault_name(TCE_FAULT_KINDS), "unknown");
}

/* ---- tables built by tce_table ---- */

typedef struct fixture {
    physmem *m;
    physalloc a;
} fixture;

static int fixture_setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    f->m = physmem_create();
    /* 1 GiB of RAM, 4 KiB CPU pages: tables from 0x3ffff000 down. */
    if (!f->m || physalloc_init(&f->a, 1ull << 30, 12, 1) != TCESIM_OK)
        return -1;
    *state = f;
    return 0;
}

static int fixture_teardown(void **state)
{
    fixture *f = *state;
    physmem_destroy(f->m);
    free(f);
    return 0;
}

static void table_allocates_lower_levels_on_demand(void **state)
{
    fixture *f = *state;
    tce_geom g;
    tce_table t;
    /* window 2^30, 4K pages, 2 levels: ceil(18 / 2) = 9 -> level 12 */
    assert_int_equal(tce_geometry(1ull << 30, 12, 2, 12, &g), TCESIM_OK);
    assert_int_equal(tce_table_create(&t, f->m, &f->a, &g), TCESIM_OK);
    assert_int_equal(t.top_pa, 0x3ffff000);
    assert_int_equal(t.levels_allocated, 1);
    assert_int_equal(tce_table_entries(&t), 1ull << 18);

    /* entry 0x12345: top index 0x12345 >> 9 = 0x91 -> slot 0x3ffff000 | 0x488;
     * the new level is the next 4 KiB block down, 0x3fffe000; leaf index
     * 0x12345 & 0x1ff = 0x145 -> 0x3fffe000 | 0xa28 */
    assert_int_equal(tce_table_leaf_pa(&t, 0x12345), 0);
    assert_int_equal(tce_table_set(&t, 0x12345, 0xabcd000, TCE_READ | TCE_WRITE), TCESIM_OK);
    assert_int_equal(t.levels_allocated, 2);
    assert_int_equal(physmem_read_be64(f->m, 0x3ffff488), 0x3fffe000ull | TCE_READ | TCE_WRITE);
    assert_int_equal(tce_table_leaf_pa(&t, 0x12345), 0x3fffea28);
    assert_int_equal(tce_table_get(&t, 0x12345), 0xabcd003ull);

    /* A neighbour under the same upper entry allocates nothing more. */
    assert_int_equal(tce_table_set(&t, 0x12346, 0xabce000, TCE_READ), TCESIM_OK);
    assert_int_equal(t.levels_allocated, 2);
    /* Entry 0 is under top slot 0: a new level at 0x3fffd000. */
    assert_int_equal(tce_table_set(&t, 0, 0x5000, TCE_READ), TCESIM_OK);
    assert_int_equal(t.levels_allocated, 3);
    assert_int_equal(tce_table_leaf_pa(&t, 0), 0x3fffd000);

    /* The walk through the table's TVE agrees: addr = 0x12345 << 12 | 0xabc */
    tve v = tce_table_tve(&t);
    assert_int_equal(v.kind, TVE_TRANSLATED);
    assert_int_equal(v.table_pa, 0x3ffff000);
    assert_int_equal(v.levels, 2);
    assert_int_equal(v.level_shift, 12);
    tce_walk_result r;
    tce_walk(&v, f->m, 0x12345abcull, true, &r);
    assert_int_equal(r.fault, TCE_OK);
    assert_int_equal(r.taddr[0], 0x3ffff488);
    assert_int_equal(r.taddr[1], 0x3fffea28);
    assert_int_equal(r.pa, 0xabcdabcull);
}

static void table_clear_zeroes_the_tce_and_keeps_levels(void **state)
{
    fixture *f = *state;
    tce_geom g;
    tce_table t;
    assert_int_equal(tce_geometry(1ull << 30, 12, 2, 12, &g), TCESIM_OK);
    assert_int_equal(tce_table_create(&t, f->m, &f->a, &g), TCESIM_OK);
    assert_int_equal(tce_table_set(&t, 7, 0x7000, TCE_READ), TCESIM_OK);
    uint64_t leaf = tce_table_leaf_pa(&t, 7);
    tce_table_clear(&t, 7);
    assert_int_equal(tce_table_get(&t, 7), 0);
    assert_int_equal(tce_table_leaf_pa(&t, 7), leaf);
    assert_int_equal(t.levels_allocated, 2);
    tce_table_clear(&t, 1ull << 17); /* under a missing level: nothing to do */
    assert_int_equal(t.levels_allocated, 2);
    tve v = tce_table_tve(&t);
    tce_walk_result r;
    tce_walk(&v, f->m, 7ull << 12, false, &r);
    assert_int_equal(r.fault, TCE_FAULT_PERM);
}

static void table_set_validates_entry_address_and_permission(void **state)
{
    fixture *f = *state;
    tce_geom g;
    tce_table t;
    assert_int_equal(tce_geometry(1ull << 31, 16, 1, 16, &g), TCESIM_OK);
    assert_int_equal(tce_table_create(&t, f->m, &f->a, &g), TCESIM_OK);
    uint64_t n = tce_table_entries(&t); /* 2^31 >> 16 = 2^15 */
    assert_int_equal(n, 1ull << 15);
    assert_int_equal(tce_table_set(&t, n, 0x10000, TCE_READ), TCESIM_EINVAL);
    assert_int_equal(tce_table_set(&t, 1, 0x11000, TCE_READ), TCESIM_EINVAL); /* not 64K */
    assert_int_equal(tce_table_set(&t, 1, 0x10000, 0), TCESIM_EINVAL);
    assert_int_equal(tce_table_set(&t, 1, 0x10000, 4), TCESIM_EINVAL);
    /* WRITE implies READ, as Linux sets it. */
    assert_int_equal(tce_table_set(&t, 1, 0x10000, TCE_WRITE), TCESIM_OK);
    assert_int_equal(tce_table_get(&t, 1), 0x10000ull | TCE_READ | TCE_WRITE);
    /* 1 level: the leaf of entry e is top + 8e. */
    assert_int_equal(tce_table_leaf_pa(&t, 1), t.top_pa + 8);
    assert_int_equal(tce_table_leaf_pa(&t, n), 0);
    assert_int_equal(tce_table_get(&t, n), 0);
}

static void table_five_levels_allocates_four_lower_levels(void **state)
{
    fixture *f = *state;
    tce_table t;
    /* Linux's rule never yields 5 levels for 4K pages (the smallest level,
     * 4 KiB, gives (12 - 3) * 5 + 12 = 57 >= 55), so the geometry is given
     * directly: 5 levels of 4 KiB cover 2^57; the window asked is 2^40. */
    tce_geom g;
    assert_int_equal(tce_geometry(1ull << 40, 12, 5, 12, &g), TCESIM_ERANGE);
    g = (tce_geom){.page_shift = 12, .levels = 5, .level_shift = 12, .window_bytes = 1ull << 40};
    assert_int_equal(tce_table_create(&t, f->m, &f->a, &g), TCESIM_OK);
    uint64_t e = (1ull << 28) - 1;
    assert_int_equal(tce_table_set(&t, e, 0x40000000ull, TCE_READ | TCE_WRITE), TCESIM_OK);
    assert_int_equal(t.levels_allocated, 5);
    tve v = tce_table_tve(&t);
    tce_walk_result r;
    tce_walk(&v, f->m, (e << 12) | 0x18, false, &r);
    assert_int_equal(r.fault, TCE_OK);
    assert_int_equal(r.nreads, 5);
    assert_int_equal(r.taddr[4], tce_table_leaf_pa(&t, e));
    assert_int_equal(r.pa, 0x40000018ull);
}

static void table_set_reports_exhausted_table_memory(void **state)
{
    (void)state;
    physmem *m = physmem_create();
    physalloc a;
    tce_geom g;
    tce_table t;
    /* 16 KiB of RAM: the table half holds two 4 KiB blocks, the top level
     * and one lower level. */
    assert_int_equal(physalloc_init(&a, 0x4000, 12, 1), TCESIM_OK);
    assert_int_equal(tce_geometry(1ull << 30, 12, 2, 12, &g), TCESIM_OK);
    assert_int_equal(tce_table_create(&t, m, &a, &g), TCESIM_OK);
    assert_int_equal(tce_table_set(&t, 0, 0x1000, TCE_READ), TCESIM_OK);
    assert_int_equal(tce_table_set(&t, 1ull << 9, 0x1000, TCE_READ), TCESIM_ENOSPC);
    assert_int_equal(t.levels_allocated, 2);
    physmem_destroy(m);
}

static void table_create_rejects_bad_geometry(void **state)
{
    fixture *f = *state;
    tce_table t;
    tce_geom g = {.page_shift = 12, .levels = 0, .level_shift = 12, .window_bytes = 1ull << 21};
    assert_int_equal(tce_table_create(&t, f->m, &f->a, &g), TCESIM_EINVAL);
    g.levels = 1;
    g.level_shift = 43;
    assert_int_equal(tce_table_create(&t, f->m, &f->a, &g), TCESIM_EINVAL);
    g.level_shift = 12;
    g.window_bytes = 1ull << 22; /* one 4 KiB level of 4K pages covers 2^21 */
    assert_int_equal(tce_table_create(&t, f->m, &f->a, &g), TCESIM_EINVAL);
    g.window_bytes = 1ull << 21;
    assert_int_equal(tce_table_create(&t, NULL, &f->a, &g), TCESIM_EINVAL);
    assert_int_equal(tce_table_create(&t, f->m, &f->a, &g), TCESIM_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(geometry_seed_era_2g_window_4k_one_level_gives_22),
        cmocka_unit_test(geometry_modern_64k_two_levels),
        cmocka_unit_test(geometry_cpu_page_shift_is_the_floor),
        cmocka_unit_test(geometry_rejects_55_bits_or_more),
        cmocka_unit_test(geometry_rejects_bad_arguments),
        cmocka_unit_test(walk_one_level_reads_one_tce),
        cmocka_unit_test(walk_two_levels_reads_top_then_leaf),
        cmocka_unit_test(walk_three_levels_of_64k_pages),
        cmocka_unit_test(walk_five_levels_reads_five_tces),
        cmocka_unit_test(walk_invalid_tve_faults_without_reads),
        cmocka_unit_test(walk_zero_upper_entry_is_an_invalid_indirect_fault),
        cmocka_unit_test(walk_checks_read_and_write_permission),
        cmocka_unit_test(walk_beyond_the_window_faults_without_reads),
        cmocka_unit_test(walk_bypass_translates_inside_the_range_only),
        cmocka_unit_test(tce_fault_names_are_stable),
        cmocka_unit_test_setup_teardown(table_allocates_lower_levels_on_demand, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(table_clear_zeroes_the_tce_and_keeps_levels,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(table_set_validates_entry_address_and_permission,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(table_five_levels_allocates_four_lower_levels,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test(table_set_reports_exhausted_table_memory),
        cmocka_unit_test_setup_teardown(table_create_rejects_bad_geometry, fixture_setup,
                                        fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
