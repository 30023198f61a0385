/* TVE encode/decode, IODA2 (PHB3) and IODA3 (PHB4).
 *
 * Raw values are computed by hand from the IBM bit positions (bit 0 = MSB,
 * so IBM bit n is 1 << (63 - n) and a field ending at IBM bit `last` is
 * shifted left by 63 - last):
 *   TABLE_ADDR 0-47 (<< 16), NUM_LEVELS 48-50 (<< 13), TCE_TABLE_SIZE 51-55
 *   (<< 8), NON_TRANSLATE_50 bit 56 (1 << 7), IO_PSIZE 59-63 (<< 0);
 *   bypass: start[47:24] in 0-23 (<< 40), end[47:24] in 24-47 (<< 16),
 *   start[49:48] in 52-53 (<< 10), end[49:48] in 54-55 (<< 8), bit 51
 *   (1 << 12); the stored end is one past the window (skiboot: start + size). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "common/tcesim_err.h"
#include "tvt/tve.h"

static const unsigned PHB3_SHIFTS[] = {12, 16, 24, 28};
static const unsigned PHB4_SHIFTS[] = {12, 16, 21, 30};

static tve translated(uint64_t table_pa, unsigned levels, unsigned level_shift, unsigned page_shift)
{
    return (tve){.kind = TVE_TRANSLATED, .table_pa = table_pa, .levels = levels,
                 .level_shift = level_shift, .page_shift = page_shift};
}

static tve bypass(uint64_t start, uint64_t end)
{
    return (tve){.kind = TVE_BYPASS, .start = start, .end = end};
}

static void assert_translated_round_trip(phb_gen gen, tve t)
{
    uint64_t raw;
    tve back;
    assert_int_equal(tve_encode(gen, &t, &raw), TCESIM_OK);
    assert_int_equal(tve_decode(gen, raw, &back), TCESIM_OK);
    assert_int_equal(back.kind, TVE_TRANSLATED);
    assert_int_equal(back.table_pa, t.table_pa);
    assert_int_equal(back.levels, t.levels);
    assert_int_equal(back.level_shift, t.level_shift);
    assert_int_equal(back.page_shift, t.page_shift);
}

static void tve_translated_round_trips_every_page_size_and_level(void **state)
{
    (void)state;
    static const unsigned level_shifts[] = {12, 16, 22, 42};
    static const uint64_t tables[] = {0x1000, 0x3fffc00000ull, 0xfffffffffff000ull << 4};
    for (int g = 0; g < 2; g++) {
        phb_gen gen = g ? PHB_GEN4 : PHB_GEN3;
        const unsigned *shifts = g ? PHB4_SHIFTS : PHB3_SHIFTS;
        for (int p = 0; p < 4; p++)
            for (unsigned levels = 1; levels <= 5; levels++)
                for (int l = 0; l < 4; l++)
                    for (int a = 0; a < 3; a++)
                        assert_translated_round_trip(
                            gen, translated(tables[a], levels, level_shifts[l], shifts[p]));
    }
}

static void assert_bypass_round_trip(phb_gen gen, uint64_t start, uint64_t end)
{
    tve t = bypass(start, end), back;
    uint64_t raw;
    assert_int_equal(tve_encode(gen, &t, &raw), TCESIM_OK);
    assert_int_equal(tve_decode(gen, raw, &back), TCESIM_OK);
    assert_int_equal(back.kind, TVE_BYPASS);
    assert_int_equal(back.start, start);
    assert_int_equal(back.end, end);
}

static void tve_phb3_bypass_round_trips(void **state)
{
    (void)state;
    assert_bypass_round_trip(PHB_GEN3, 0, (1ull << 38) - 1);
    assert_bypass_round_trip(PHB_GEN3, 0x0002000001000000ull, 0x0003000001ffffffull);
    assert_bypass_round_trip(PHB_GEN3, 0x1000000, 0x1ffffff);
    /* Largest window: one past the end at 0x3ffffff000000 <= 0x3ffffffffffff. */
    assert_bypass_round_trip(PHB_GEN3, 0, 0x0003fffffeffffffull);
}

static void tve_phb4_bypass_round_trips(void **state)
{
    (void)state;
    assert_bypass_round_trip(PHB_GEN4, 0, (1ull << 38) - 1);
    assert_bypass_round_trip(PHB_GEN4, 0x0002000001000000ull, 0x0003000001ffffffull);
    assert_bypass_round_trip(PHB_GEN4, 0x0003fffffe000000ull, 0x0003fffffeffffffull);
}

static void tve_phb3_translated_matches_hand_computed_raw(void **state)
{
    (void)state;
    /* table 0x3fffc00000, 1 level of 4 MiB, 4 KiB pages:
     *   TABLE_ADDR = 0x3fffc00000 >> 12 = 0x3fffc00; << 16 = 0x000003fffc000000
     *   NUM_LEVELS = 1 - 1 = 0
     *   TCE_TABLE_SIZE = 22 - 11 = 11 = 0xb; << 8 = 0xb00
     *   IO_PSIZE (PHB3 4K) = 1
     *   raw = 0x000003fffc000000 | 0xb00 | 0x1 = 0x000003fffc000b01 */
    tve t = translated(0x3fffc00000ull, 1, 22, 12), back;
    uint64_t raw;
    assert_int_equal(tve_encode(PHB_GEN3, &t, &raw), TCESIM_OK);
    assert_int_equal(raw, 0x000003fffc000b01ull);
    /* 256 MiB pages: IO_PSIZE 17 = 0x11 -> 0x000003fffc000b11 */
    t.page_shift = 28;
    assert_int_equal(tve_encode(PHB_GEN3, &t, &raw), TCESIM_OK);
    assert_int_equal(raw, 0x000003fffc000b11ull);
    assert_int_equal(tve_decode(PHB_GEN3, 0x000003fffc000b01ull, &back), TCESIM_OK);
    assert_int_equal(back.kind, TVE_TRANSLATED);
    assert_int_equal(back.table_pa, 0x3fffc00000ull);
    assert_int_equal(back.levels, 1);
    assert_int_equal(back.level_shift, 22);
    assert_int_equal(back.page_shift, 12);
}

static void tve_phb4_translated_matches_hand_computed_raw(void **state)
{
    (void)state;
    /* table 0x3fffc00000, 3 levels of 64 KiB, 1 GiB pages:
     *   TABLE_ADDR = 0x3fffc00; << 16 = 0x000003fffc000000
     *   NUM_LEVELS = 3 - 1 = 2; << 13 = 0x4000
     *   TCE_TABLE_SIZE = 16 - 11 = 5; << 8 = 0x500
     *   IO_PSIZE (PHB4 1G) = 19 = 0x13
     *   raw = 0x000003fffc000000 | 0x4000 | 0x500 | 0x13 = 0x000003fffc004513 */
    tve t = translated(0x3fffc00000ull, 3, 16, 30), back;
    uint64_t raw;
    assert_int_equal(tve_encode(PHB_GEN4, &t, &raw), TCESIM_OK);
    assert_int_equal(raw, 0x000003fffc004513ull);
    /* 2 MiB pages: IO_PSIZE 10 = 0xa -> 0x000003fffc00450a */
    t.page_shift = 21;
    assert_int_equal(tve_encode(PHB_GEN4, &t, &raw), TCESIM_OK);
    assert_int_equal(raw, 0x000003fffc00450aull);
    assert_int_equal(tve_decode(PHB_GEN4, 0x000003fffc004513ull, &back), TCESIM_OK);
    assert_int_equal(back.levels, 3);
    assert_int_equal(back.level_shift, 16);
    assert_int_equal(back.page_shift, 30);
}

static void tve_bypass_matches_hand_computed_raw(void **state)
{
    (void)state;
    uint64_t raw;
    tve t = bypass(0, (1ull << 38) - 1), back;
    /* start 0, end 256 GiB - 1 (Linux: roundup_pow_of_two(RAM) = 2^38):
     *   one past the end = 2^38; >> 24 = 2^14 = 0x4000 (fits bits 47:24, so
     *   bits 49:48 are 0); << 16 = 0x40000000
     *   bit 51 = 1 << 12 = 0x1000
     *   PHB3 raw = 0x0000000040001000; PHB4 adds bit 56 = 0x80 -> 0x...1080 */
    assert_int_equal(tve_encode(PHB_GEN3, &t, &raw), TCESIM_OK);
    assert_int_equal(raw, 0x0000000040001000ull);
    assert_int_equal(tve_encode(PHB_GEN4, &t, &raw), TCESIM_OK);
    assert_int_equal(raw, 0x0000000040001080ull);

    /* start 0x0002000001000000, end 0x00030000_01ffffff (one past:
     * 0x0003000002000000):
     *   start >> 24 = 0x2000001: low 24 bits 0x000001 << 40 = 0x0000010000000000
     *                            bits 49:48 = 2, << 10 = 0x800
     *   past  >> 24 = 0x3000002: low 24 bits 0x000002 << 16 = 0x20000
     *                            bits 49:48 = 3, << 8 = 0x300
     *   bit 51 = 0x1000
     *   PHB3 raw = 0x0000010000000000 + 0x20000 + 0x800 + 0x300 + 0x1000
     *            = 0x0000010000021b00; PHB4 + 0x80 = 0x0000010000021b80 */
    t = bypass(0x0002000001000000ull, 0x0003000001ffffffull);
    assert_int_equal(tve_encode(PHB_GEN3, &t, &raw), TCESIM_OK);
    assert_int_equal(raw, 0x0000010000021b00ull);
    assert_int_equal(tve_encode(PHB_GEN4, &t, &raw), TCESIM_OK);
    assert_int_equal(raw, 0x0000010000021b80ull);
    assert_int_equal(tve_decode(PHB_GEN4, 0x0000010000021b80ull, &back), TCESIM_OK);
    assert_int_equal(back.kind, TVE_BYPASS);
    assert_int_equal(back.start, 0x0002000001000000ull);
    assert_int_equal(back.end, 0x0003000001ffffffull);
}

static void tve_encode_rejects_page_size_of_the_other_generation(void **state)
{
    (void)state;
    uint64_t raw;
    static const unsigned phb3_bad[] = {21, 30, 13, 0, 40};
    static const unsigned phb4_bad[] = {24, 28, 13, 0, 40};
    for (int i = 0; i < 5; i++) {
        tve t3 = translated(0x10000000, 1, 12, phb3_bad[i]);
        tve t4 = translated(0x10000000, 1, 12, phb4_bad[i]);
        assert_int_equal(tve_encode(PHB_GEN3, &t3, &raw), TCESIM_EINVAL);
        assert_int_equal(tve_encode(PHB_GEN4, &t4, &raw), TCESIM_EINVAL);
    }
    for (int i = 0; i < 4; i++) {
        assert_true(tve_page_shift_supported(PHB_GEN3, PHB3_SHIFTS[i]));
        assert_true(tve_page_shift_supported(PHB_GEN4, PHB4_SHIFTS[i]));
    }
    assert_false(tve_page_shift_supported(PHB_GEN3, 21));
    assert_false(tve_page_shift_supported(PHB_GEN4, 24));
}

static void tve_encode_rejects_out_of_range_fields(void **state)
{
    (void)state;
    uint64_t raw = 0x5555;
    const tve bad[] = {
        translated(0x1800, 1, 12, 12),          /* table not 4 KiB aligned */
        translated(1ull << 60, 1, 12, 12),      /* table beyond 48-bit field */
        translated(0x10000000, 0, 12, 12),      /* levels 0 */
        translated(0x10000000, 6, 12, 12),      /* levels 6 */
        translated(0x10000000, 1, 11, 12),      /* level below 4 KiB */
        translated(0x10000000, 1, 43, 12),      /* table size field 32 > 31 */
        bypass(0x800000, 0x1ffffff),            /* start not 16 MiB aligned */
        bypass(0, 0x17fffff),                   /* end + 1 not 16 MiB aligned */
        bypass(0x2000000, 0xffffff),            /* end < start */
        bypass(0, 0x0003ffffffffffffull),       /* one past = 2^50 > limit */
        bypass(0, UINT64_MAX),
        {.kind = (tve_kind)7},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (tve_encode(PHB_GEN3, &bad[i], &raw) != TCESIM_EINVAL ||
            tve_encode(PHB_GEN4, &bad[i], &raw) != TCESIM_EINVAL)
            fail_msg("case %zu accepted", i);
    }
    tve ok = translated(0x10000000, 1, 12, 12);
    assert_int_equal(tve_encode((phb_gen)5, &ok, &raw), TCESIM_EINVAL);
}

static void tve_invalid_encodes_as_zero_and_zero_decodes_invalid(void **state)
{
    (void)state;
    tve t = {.kind = TVE_INVALID}, back;
    uint64_t raw = 1;
    assert_int_equal(tve_encode(PHB_GEN3, &t, &raw), TCESIM_OK);
    assert_int_equal(raw, 0);
    assert_int_equal(tve_decode(PHB_GEN4, 0, &back), TCESIM_OK);
    assert_int_equal(back.kind, TVE_INVALID);
    /* Table size field 0 disables an otherwise translated TVE. */
    assert_int_equal(tve_decode(PHB_GEN3, 0x000003fffc000001ull, &back), TCESIM_OK);
    assert_int_equal(back.kind, TVE_INVALID);
}

static void tve_decode_rejects_values_no_phb_accepts(void **state)
{
    (void)state;
    tve back;
    /* PHB3 with the PHB4 2M code 10 = 0xa; PHB4 with the PHB3 16M code 13. */
    assert_int_equal(tve_decode(PHB_GEN3, 0x000003fffc000b0aull, &back), TCESIM_EINVAL);
    assert_int_equal(tve_decode(PHB_GEN4, 0x000003fffc000b0dull, &back), TCESIM_EINVAL);
    /* Code 2 is no page size at all. */
    assert_int_equal(tve_decode(PHB_GEN4, 0x000003fffc000b02ull, &back), TCESIM_EINVAL);
    /* NUM_LEVELS 5 (6 levels): 5 << 13 = 0xa000. */
    assert_int_equal(tve_decode(PHB_GEN3, 0x000003fffc00ab01ull, &back), TCESIM_EINVAL);
    /* Reserved bit 57 (1 << 6 = 0x40) in a translated TVE. */
    assert_int_equal(tve_decode(PHB_GEN3, 0x000003fffc000b41ull, &back), TCESIM_EINVAL);
    /* NON_TRANSLATE_50 is PHB4's; PHB4's bypass always carries it. */
    assert_int_equal(tve_decode(PHB_GEN3, 0x0000000040001080ull, &back), TCESIM_EINVAL);
    assert_int_equal(tve_decode(PHB_GEN4, 0x0000000040001000ull, &back), TCESIM_EINVAL);
    /* Bypass with an empty window (start = one past = 0). */
    assert_int_equal(tve_decode(PHB_GEN3, 0x0000000000001000ull, &back), TCESIM_EINVAL);
    /* Untranslated without bit 51 but with window bits set (end[49:48]). */
    assert_int_equal(tve_decode(PHB_GEN3, 0x0000000040000300ull, &back), TCESIM_EINVAL);
    assert_int_equal(tve_decode((phb_gen)2, 0x0000000040001000ull, &back), TCESIM_EINVAL);
}

static void tve_window_bytes_follows_geometry_and_saturates(void **state)
{
    (void)state;
    /* 2^((22 - 3) * 1 + 12) = 2^31 */
    tve t = translated(0, 1, 22, 12);
    assert_int_equal(tve_window_bytes(&t), 1ull << 31);
    /* 2^((16 - 3) * 2 + 16) = 2^42 */
    t = translated(0, 2, 16, 16);
    assert_int_equal(tve_window_bytes(&t), 1ull << 42);
    /* (42 - 3) * 5 + 30 = 225: saturates at 2^63 */
    t = translated(0, 5, 42, 30);
    assert_int_equal(tve_window_bytes(&t), 1ull << 63);
    t = bypass(0, (1ull << 24) - 1);
    assert_int_equal(tve_window_bytes(&t), 0);
}

static void tvt_index_is_pe_times_two_plus_bit59(void **state)
{
    (void)state;
    assert_int_equal(tvt_index(5, 0x1000), 10);
    assert_int_equal(tvt_index(5, TVE_BYPASS_BIT59 | 0x1000), 11);
    assert_int_equal(tvt_index(255, 1ull << 60), 510); /* bit 60 is not bit 59 */
}

static void phb_num_pes_per_generation(void **state)
{
    (void)state;
    assert_int_equal(phb_num_pes(PHB_GEN3), 256);
    assert_int_equal(phb_num_pes(PHB_GEN4), 512);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tve_translated_round_trips_every_page_size_and_level),
        cmocka_unit_test(tve_phb3_bypass_round_trips),
        cmocka_unit_test(tve_phb4_bypass_round_trips),
        cmocka_unit_test(tve_phb3_translated_matches_hand_computed_raw),
        cmocka_unit_test(tve_phb4_translated_matches_hand_computed_raw),
        cmocka_unit_test(tve_bypass_matches_hand_computed_raw),
        cmocka_unit_test(tve_encode_rejects_page_size_of_the_other_generation),
        cmocka_unit_test(tve_encode_rejects_out_of_range_fields),
        cmocka_unit_test(tve_invalid_encodes_as_zero_and_zero_decodes_invalid),
        cmocka_unit_test(tve_decode_rejects_values_no_phb_accepts),
        cmocka_unit_test(tve_window_bytes_follows_geometry_and_saturates),
        cmocka_unit_test(tvt_index_is_pe_times_two_plus_bit59),
        cmocka_unit_test(phb_num_pes_per_generation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
