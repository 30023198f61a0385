/* physmem (sparse simulated RAM) and physalloc (table/buffer placement). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "common/rng.h"
#include "common/tcesim_err.h"
#include "memory/physalloc.h"
#include "memory/physmem.h"

static void physmem_unwritten_reads_zero(void **state)
{
    (void)state;
    physmem *m = physmem_create();
    assert_non_null(m);
    assert_int_equal(physmem_read_be64(m, 0), 0);
    assert_int_equal(physmem_read_be64(m, 0x123456789000ull), 0);
    assert_int_equal(physmem_read_u8(m, 0xfffffffffffffffull), 0);
    assert_int_equal(physmem_frames(m), 0);
    physmem_destroy(m);
}

static void physmem_stores_big_endian(void **state)
{
    (void)state;
    physmem *m = physmem_create();
    assert_int_equal(physmem_write_be64(m, 0x2008, 0x0102030405060708ull), TCESIM_OK);
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(physmem_read_u8(m, 0x2008 + i), i + 1); /* MSB first */
    assert_int_equal(physmem_read_be64(m, 0x2008), 0x0102030405060708ull);
    assert_int_equal(physmem_read_be64(m, 0x2000), 0);
    assert_int_equal(physmem_read_be64(m, 0x2010), 0);
    assert_int_equal(physmem_frames(m), 1);
    physmem_destroy(m);
}

static void physmem_writing_zero_to_absent_frame_allocates_nothing(void **state)
{
    (void)state;
    physmem *m = physmem_create();
    assert_int_equal(physmem_write_be64(m, 0x5000, 0), TCESIM_OK);
    assert_int_equal(physmem_frames(m), 0);
    physmem_destroy(m);
}

static void physmem_zero_frees_frames_that_become_all_zero(void **state)
{
    (void)state;
    physmem *m = physmem_create();
    /* Frame 1 holds two words, frame 2 one word. */
    physmem_write_be64(m, 0x1000, 1);
    physmem_write_be64(m, 0x1ff8, 2);
    physmem_write_be64(m, 0x2000, 3);
    assert_int_equal(physmem_frames(m), 2);

    /* Zeroing the first word leaves frame 1 partly non-zero: kept. */
    physmem_zero(m, 0x1000, 8);
    assert_int_equal(physmem_frames(m), 2);
    assert_int_equal(physmem_read_be64(m, 0x1000), 0);
    assert_int_equal(physmem_read_be64(m, 0x1ff8), 2);

    /* A range across the frame boundary clears the rest of both. */
    physmem_zero(m, 0x1ff8, 16);
    assert_int_equal(physmem_frames(m), 0);
    assert_int_equal(physmem_read_be64(m, 0x1ff8), 0);
    assert_int_equal(physmem_read_be64(m, 0x2000), 0);
    physmem_destroy(m);
}

static void physmem_zero_of_huge_range_scans_the_table(void **state)
{
    (void)state;
    physmem *m = physmem_create();
    for (uint64_t i = 0; i < 100; i++)
        physmem_write_be64(m, i << 30, i + 1);
    physmem_write_be64(m, 1ull << 45, 7); /* outside the range below */
    assert_int_equal(physmem_frames(m), 101);
    physmem_zero(m, 0, 1ull << 40); /* 2^28 frame numbers: must not probe each */
    assert_int_equal(physmem_frames(m), 1);
    assert_int_equal(physmem_read_be64(m, 1ull << 45), 7);
    physmem_destroy(m);
}

/* Random writes and zeroes against a shadow copy: exercises table growth and
 * the backward-shift deletion of the open-addressing table. */
static void physmem_matches_a_shadow_through_growth_and_deletion(void **state)
{
    (void)state;
    enum { NFRAMES = 600 };
    static uint64_t shadow[NFRAMES];
    physmem *m = physmem_create();
    rng r;
    rng_seed(&r, 42, 1);
    for (int step = 0; step < 20000; step++) {
        uint64_t f = rng_below(&r, NFRAMES);
        /* Frames spread over the address space so homes collide. */
        uint64_t pa = f * 0x1234000ull + 0x10;
        if (rng_below(&r, 3) == 0) {
            physmem_zero(m, pa & ~0xfffull, 4096);
            shadow[f] = 0;
        } else {
            uint64_t v = rng_next(&r) | 1;
            assert_int_equal(physmem_write_be64(m, pa, v), TCESIM_OK);
            shadow[f] = v;
        }
    }
    uint64_t nonzero = 0;
    for (uint64_t f = 0; f < NFRAMES; f++) {
        assert_int_equal(physmem_read_be64(m, f * 0x1234000ull + 0x10), shadow[f]);
        nonzero += shadow[f] != 0;
    }
    assert_int_equal(physmem_frames(m), nonzero);
    physmem_destroy(m);
}

static void physmem_destroy_accepts_null(void **state)
{
    (void)state;
    physmem_destroy(NULL);
}

static void physalloc_init_rejects_bad_page_or_ram(void **state)
{
    (void)state;
    physalloc a;
    assert_int_equal(physalloc_init(&a, 1ull << 30, 11, 1), TCESIM_EINVAL);
    assert_int_equal(physalloc_init(&a, 1ull << 30, 31, 1), TCESIM_EINVAL);
    assert_int_equal(physalloc_init(&a, (1ull << 30) + 4096, 16, 1), TCESIM_EINVAL);
    assert_int_equal(physalloc_init(&a, 0, 16, 1), TCESIM_EINVAL);
    assert_int_equal(physalloc_init(&a, 1ull << 30, 16, 1), TCESIM_OK);
}

static void physalloc_tables_are_naturally_aligned_from_the_top(void **state)
{
    (void)state;
    physalloc a;
    uint64_t pa;
    assert_int_equal(physalloc_init(&a, 1ull << 30, 16, 1), TCESIM_OK);
    /* 1 GiB RAM: a 4 KiB block at the very top, 0x40000000 - 0x1000. */
    assert_int_equal(physalloc_table(&a, 12, &pa), TCESIM_OK);
    assert_int_equal(pa, 0x3ffff000ull);
    /* A 4 MiB block below it: 0x3ffff000 - 0x400000 = 0x3fbff000, rounded
     * down to 4 MiB = 0x3f800000 (the gap above it is not reused). */
    assert_int_equal(physalloc_table(&a, 22, &pa), TCESIM_OK);
    assert_int_equal(pa, 0x3f800000ull);
    assert_int_equal(physalloc_table(&a, 12, &pa), TCESIM_OK);
    assert_int_equal(pa, 0x3f7ff000ull);
    assert_int_equal(physalloc_table(&a, 11, &pa), TCESIM_EINVAL);
    assert_int_equal(physalloc_table(&a, 63, &pa), TCESIM_EINVAL);
}

static void physalloc_tables_stop_at_half_of_ram(void **state)
{
    (void)state;
    physalloc a;
    uint64_t pa;
    assert_int_equal(physalloc_init(&a, 1ull << 30, 16, 1), TCESIM_OK);
    /* The upper half [512 MiB, 1 GiB) holds exactly one 512 MiB block. */
    assert_int_equal(physalloc_table(&a, 29, &pa), TCESIM_OK);
    assert_int_equal(pa, 0x20000000ull);
    assert_int_equal(physalloc_table(&a, 12, &pa), TCESIM_ENOSPC);
    assert_int_equal(physalloc_init(&a, 1ull << 30, 16, 1), TCESIM_OK);
    assert_int_equal(physalloc_table(&a, 30, &pa), TCESIM_ENOSPC);
}

static void physalloc_buffers_are_page_aligned_in_the_lower_half(void **state)
{
    (void)state;
    physalloc a;
    uint64_t pa;
    assert_int_equal(physalloc_init(&a, 1ull << 30, 16, 7), TCESIM_OK);
    for (int i = 0; i < 10000; i++) {
        uint64_t bytes = 1 + (uint64_t)i * 977;
        assert_int_equal(physalloc_buffer(&a, bytes, &pa), TCESIM_OK);
        assert_int_equal(pa & 0xffff, 0);
        assert_true(pa + bytes <= (1ull << 29));
    }
    /* A buffer of exactly half of RAM has one place: 0. */
    assert_int_equal(physalloc_buffer(&a, 1ull << 29, &pa), TCESIM_OK);
    assert_int_equal(pa, 0);
}

static void physalloc_buffer_rejects_zero_or_oversized(void **state)
{
    (void)state;
    physalloc a;
    uint64_t pa;
    assert_int_equal(physalloc_init(&a, 1ull << 30, 16, 7), TCESIM_OK);
    assert_int_equal(physalloc_buffer(&a, 0, &pa), TCESIM_EINVAL);
    assert_int_equal(physalloc_buffer(&a, (1ull << 29) + 1, &pa), TCESIM_EINVAL);
}

static void physalloc_same_seed_places_buffers_identically(void **state)
{
    (void)state;
    physalloc a, b, c;
    physalloc_init(&a, 1ull << 34, 16, 99);
    physalloc_init(&b, 1ull << 34, 16, 99);
    physalloc_init(&c, 1ull << 34, 16, 100);
    int differs = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t pa, pb, pc;
        physalloc_buffer(&a, 4096, &pa);
        physalloc_buffer(&b, 4096, &pb);
        physalloc_buffer(&c, 4096, &pc);
        assert_int_equal(pa, pb);
        differs |= pa != pc;
    }
    assert_true(differs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(physmem_unwritten_reads_zero),
        cmocka_unit_test(physmem_stores_big_endian),
        cmocka_unit_test(physmem_writing_zero_to_absent_frame_allocates_nothing),
        cmocka_unit_test(physmem_zero_frees_frames_that_become_all_zero),
        cmocka_unit_test(physmem_zero_of_huge_range_scans_the_table),
        cmocka_unit_test(physmem_matches_a_shadow_through_growth_and_deletion),
        cmocka_unit_test(physmem_destroy_accepts_null),
        cmocka_unit_test(physalloc_init_rejects_bad_page_or_ram),
        cmocka_unit_test(physalloc_tables_are_naturally_aligned_from_the_top),
        cmocka_unit_test(physalloc_tables_stop_at_half_of_ram),
        cmocka_unit_test(physalloc_buffers_are_page_aligned_in_the_lower_half),
        cmocka_unit_test(physalloc_buffer_rejects_zero_or_oversized),
        cmocka_unit_test(physalloc_same_seed_places_buffers_identically),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
