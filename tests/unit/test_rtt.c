/* RTT (RID -> PE) and RID parsing/formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/tcesim_err.h"
#include "rtt/rtt.h"

static void rtt_init_points_every_rid_at_the_reserved_pe(void **state)
{
    (void)state;
    static rtt t;
    rtt_init(&t, 255);
    assert_int_equal(t.reserved_pe, 255);
    for (uint32_t rid = 0; rid < RTT_ENTRIES; rid++)
        assert_int_equal(rtt_lookup(&t, (uint16_t)rid), 255);
}

static void rtt_set_changes_only_that_rid(void **state)
{
    (void)state;
    static rtt t;
    rtt_init(&t, 511);
    rtt_set(&t, 0x0100, 3);
    assert_int_equal(rtt_lookup(&t, 0x0100), 3);
    assert_int_equal(rtt_lookup(&t, 0x00ff), 511);
    assert_int_equal(rtt_lookup(&t, 0x0101), 511);
}

static void rid_make_packs_bus_dev_fn(void **state)
{
    (void)state;
    /* 0x12 << 8 | 0x1f << 3 | 7 = 0x1200 | 0xf8 | 7 = 0x12ff */
    assert_int_equal(rid_make(0x12, 0x1f, 7), 0x12ff);
    /* 0x01 << 8 | 2 << 3 | 1 = 0x0111 */
    assert_int_equal(rid_make(1, 2, 1), 0x0111);
}

static void rid_parse_accepts_bus_dev_fn_with_optional_domain(void **state)
{
    (void)state;
    uint16_t rid = 0;
    assert_int_equal(rid_parse("01:00.0", &rid), TCESIM_OK);
    assert_int_equal(rid, 0x0100);
    assert_int_equal(rid_parse("ff:1f.7", &rid), TCESIM_OK);
    assert_int_equal(rid, 0xffff);
    assert_int_equal(rid_parse("0030:01:00.0", &rid), TCESIM_OK);
    assert_int_equal(rid, 0x0100);
    assert_int_equal(rid_parse("0000:0A:1e.3", &rid), TCESIM_OK);
    assert_int_equal(rid, 0x0a00 | 0x1e << 3 | 3);
    assert_int_equal(rid_parse("10000:02:01.1", &rid), TCESIM_OK);
    assert_int_equal(rid, 0x0209);
}

static void rid_parse_rejects_garbage_and_out_of_range(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "01", "01:00", "01:00.", "01:00.8", "01:00.9", "01:20.0", "100:00.0",
        "01:00.0x", "01:00.0 ", " 01:00.0", "01:00.00", "g1:00.0", "01-00.0",
        "+1:00.0", "0x1:00.0", "0030:01:00.0:", "0030:100:00.0", "0030:01:20.0",
        "0030:01:001.0", "123456789:01:00.0", "01:00:00:00.0", "01:.0", ":01:00.0",
        "01:00.-1",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint16_t rid = 0xbeef;
        if (rid_parse(bad[i], &rid) != TCESIM_EINVAL)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(rid, 0xbeef);
    }
    uint16_t rid;
    assert_int_equal(rid_parse(NULL, &rid), TCESIM_EINVAL);
}

static void rid_format_round_trips_through_parse(void **state)
{
    (void)state;
    char buf[8];
    rid_format(0x0100, buf);
    assert_string_equal(buf, "01:00.0");
    rid_format(0xffff, buf);
    assert_string_equal(buf, "ff:1f.7");
    for (uint32_t rid = 0; rid < RTT_ENTRIES; rid += 37) {
        uint16_t back;
        rid_format((uint16_t)rid, buf);
        assert_int_equal(rid_parse(buf, &back), TCESIM_OK);
        assert_int_equal(back, rid);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rtt_init_points_every_rid_at_the_reserved_pe),
        cmocka_unit_test(rtt_set_changes_only_that_rid),
        cmocka_unit_test(rid_make_packs_bus_dev_fn),
        cmocka_unit_test(rid_parse_accepts_bus_dev_fn_with_optional_domain),
        cmocka_unit_test(rid_parse_rejects_garbage_and_out_of_range),
        cmocka_unit_test(rid_format_round_trips_through_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
