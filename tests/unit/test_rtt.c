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

/* The spellings of one function. The kernel names a PCI device
 * "%04x:%02x:%02x.%d" of domain, bus, PCI_SLOT(devfn), PCI_FUNC(devfn)
 * (drivers/pci/probe.c pci_setup_device, dev_set_name), which `lspci -D`,
 * sysfs and the dma: trace events print ("0000:01:00.0", "0030:01:00.0");
 * plain lspci drops the domain ("01:00.0"); a user may drop leading zeros
 * ("1:0.0"). Expected values by hand: rid = bus << 8 | slot << 3 | fn. */
static void expect_rid(const char *s, int32_t domain, uint16_t rid)
{
    int32_t d = 12345;
    uint16_t r = 0xbeef;
    if (rid_parse(s, &d, &r) != TCESIM_OK)
        fail_msg("refused \"%s\"", s);
    if (d != domain || r != rid)
        fail_msg("\"%s\": domain %d rid 0x%04x, expected %d 0x%04x", s, d, r, domain, rid);
}

static void rid_parse_reads_every_spelling_of_one_function(void **state)
{
    (void)state;
    expect_rid("01:00.0", RID_NO_DOMAIN, 0x0100);      /* lspci */
    expect_rid("1:0.0", RID_NO_DOMAIN, 0x0100);        /* leading zeros dropped */
    expect_rid("0000:01:00.0", 0, 0x0100);             /* lspci -D, pci_name() */
    expect_rid("0:1:0.0", 0, 0x0100);
    expect_rid("0030:01:00.0", 0x30, 0x0100);          /* a PowerNV PHB's domain (trace-cmd) */
    expect_rid("30:1:00.0", 0x30, 0x0100);
    expect_rid("ff:1f.7", RID_NO_DOMAIN, 0xffff);      /* slot 0x1f fn 7: devfn 0xff */
    expect_rid("ffff:ff:1f.7", 0xffff, 0xffff);
    expect_rid("0000:0A:1E.3", 0, 0x0a00 | 0x1e << 3 | 3); /* hex in either case */
    expect_rid("0000:00:01.1", 0, 0x0009);             /* slot 1 fn 1: devfn 0x09 */
    /* domain may be NULL: the RID alone */
    uint16_t r = 0;
    assert_int_equal(rid_parse("0030:02:01.1", NULL, &r), TCESIM_OK);
    assert_int_equal(r, 0x0209);
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
        "10000:02:01.1",  /* a domain above 0xffff (VMD's): not a PHB's */
        "001:00.0",       /* three bus digits */
        "01:001.0",       /* three device digits */
        "0030:001:00.0", "0030:01:1f.07", "00000:01:00.0", "0030::00.0", "0030:01:.0",
        "01:00,0", "01.00.0", "01:00.0\n", "-1:00.0",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint16_t rid = 0xbeef;
        int32_t dom = 12345;
        if (rid_parse(bad[i], &dom, &rid) != TCESIM_EINVAL)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(rid, 0xbeef);
        assert_int_equal(dom, 12345);
    }
    uint16_t rid;
    assert_int_equal(rid_parse(NULL, NULL, &rid), TCESIM_EINVAL);
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
        int32_t dom;
        rid_format((uint16_t)rid, buf);
        assert_int_equal(rid_parse(buf, &dom, &back), TCESIM_OK);
        assert_int_equal(back, rid);
        assert_int_equal(dom, RID_NO_DOMAIN);
    }
}

static void rid_format_domain_prints_the_domain_unless_0(void **state)
{
    (void)state;
    char buf[RID_TEXT];
    rid_format_domain(0, 0x0100, buf);
    assert_string_equal(buf, "01:00.0");
    rid_format_domain(0x30, 0x0100, buf);
    assert_string_equal(buf, "0030:01:00.0"); /* pci_name()'s %04x:%02x:%02x.%d */
    rid_format_domain(0xffff, 0xffff, buf);
    assert_string_equal(buf, "ffff:ff:1f.7");
    for (uint32_t dom = 1; dom <= 0xffff; dom += 4099) {
        uint16_t back;
        int32_t d;
        rid_format_domain(dom, 0x1234, buf);
        assert_int_equal(rid_parse(buf, &d, &back), TCESIM_OK);
        assert_int_equal(back, 0x1234);
        assert_int_equal(d, (int32_t)dom);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rtt_init_points_every_rid_at_the_reserved_pe),
        cmocka_unit_test(rtt_set_changes_only_that_rid),
        cmocka_unit_test(rid_make_packs_bus_dev_fn),
        cmocka_unit_test(rid_parse_reads_every_spelling_of_one_function),
        cmocka_unit_test(rid_parse_rejects_garbage_and_out_of_range),
        cmocka_unit_test(rid_format_round_trips_through_parse),
        cmocka_unit_test(rid_format_domain_prints_the_domain_unless_0),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
