/* The number grammar (models/common/numparse.h, traces/FORMAT.md "Numbers"):
 * every accepted form with its value, every rejected form with the reason
 * the one-line error gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/numparse.h"

static uint64_t ok_num(const char *s)
{
    uint64_t v = 12345;
    const char *why = NULL;
    if (num_parse_u64(s, &v, &why)) {
        print_error("'%s' rejected: %s\n", s, why);
        fail();
    }
    return v;
}

static uint64_t ok_size(const char *s)
{
    uint64_t v = 12345;
    const char *why = NULL;
    if (num_parse_size(s, &v, &why)) {
        print_error("'%s' rejected as a size: %s\n", s, why);
        fail();
    }
    return v;
}

/* rejected by both parsers unless only_num; why contains want */
static void rejects(const char *s, bool as_size, const char *want)
{
    uint64_t v = 777;
    const char *why = NULL;
    if (!num_parse(s, as_size, &v, &why)) {
        print_error("'%s' accepted (%s) as %llu\n", s ? s : "(null)", as_size ? "size" : "number",
                    (unsigned long long)v);
        fail();
    }
    assert_int_equal(v, 777); /* *out untouched */
    assert_non_null(why);
    if (!strstr(why, want)) {
        print_error("'%s': reason '%s' lacks '%s'\n", s ? s : "(null)", why, want);
        fail();
    }
}

static void both_reject(const char *s, const char *want)
{
    rejects(s, false, want);
    rejects(s, true, want);
}

static void decimal(void **state)
{
    (void)state;
    assert_int_equal(ok_num("0"), 0);
    assert_int_equal(ok_num("1"), 1);
    assert_int_equal(ok_num("4096"), 4096);
    assert_int_equal(ok_num("10"), 10);
    assert_true(ok_num("18446744073709551615") == UINT64_MAX);
    assert_int_equal(ok_size("4096"), 4096);
}

static void hex(void **state)
{
    (void)state;
    assert_int_equal(ok_num("0x0"), 0);
    assert_int_equal(ok_num("0x1000"), 4096);
    assert_int_equal(ok_num("0xAbCdEf"), 0xabcdef);
    assert_int_equal(ok_num("0x0000000080000000"), 0x80000000u); /* hex keeps its leading zeros */
    assert_true(ok_num("0xffffffffffffffff") == UINT64_MAX);
    assert_true(ok_num("0x000000000000000000ffffffffffffffff") == UINT64_MAX);
    assert_int_equal(ok_size("0x80000000"), 0x80000000u);
    /* B is a hex digit, not a suffix */
    assert_int_equal(ok_size("0x1B"), 0x1b);
}

static void suffixes(void **state)
{
    (void)state;
    assert_int_equal(ok_size("0K"), 0);
    assert_int_equal(ok_size("1K"), 1024);
    assert_int_equal(ok_size("64K"), 65536);
    assert_int_equal(ok_size("1M"), 1u << 20);
    assert_int_equal(ok_size("2G"), 2147483648u);
    assert_true(ok_size("1T") == 1ull << 40);
    assert_true(ok_size("16777215T") == 16777215ull << 40);
    rejects("16777216T", true, "too large");
    rejects("17179869184G", true, "too large");
}

static void rejected_forms(void **state)
{
    (void)state;
    both_reject(NULL, "empty");
    both_reject("", "empty");
    /* no octal, no leading zeros */
    both_reject("010", "no leading zeros");
    both_reject("00", "no leading zeros");
    both_reject("0123456789", "no leading zeros");
    rejects("010K", true, "no leading zeros");
    /* whitespace of any kind, anywhere */
    both_reject(" 1", "whitespace");
    both_reject("1 ", "whitespace");
    both_reject("\t1", "whitespace");
    both_reject("1\t", "whitespace");
    both_reject("1\n", "whitespace");
    both_reject("\r1", "whitespace");
    both_reject("\v1", "whitespace");
    both_reject("1\f", "whitespace");
    both_reject(" ", "whitespace");
    both_reject("1 2", "decimal or 0x hex");
    both_reject("0x 1", "hex");
    /* signs */
    both_reject("-1", "no sign");
    both_reject("+1", "no sign");
    both_reject("-0", "no sign");
    /* not integers */
    both_reject("1.5", "decimal or 0x hex");
    both_reject("1e3", "decimal or 0x hex");
    both_reject("abc", "decimal or 0x hex");
    both_reject("x10", "decimal or 0x hex");
    both_reject("true", "decimal or 0x hex");
    /* hex */
    both_reject("0x", "without hex digits");
    both_reject("0X10", "lowercase 0x");
    both_reject("0x1g", "hex digit");
    both_reject("0x0x1", "hex digit");
    rejects("0x10K", true, "only on a decimal");
    rejects("0x10K", false, "hex digit");
    /* overflow */
    both_reject("18446744073709551616", "too large");
    both_reject("99999999999999999999999", "too large");
    both_reject("0x10000000000000000", "too large");
    /* suffixes: only on byte counts, uppercase, nothing after */
    rejects("64K", false, "not a byte count");
    rejects("1k", false, "not a byte count");
    rejects("4k", true, "uppercase");
    rejects("1m", true, "uppercase");
    rejects("1g", true, "uppercase");
    rejects("1t", true, "uppercase");
    rejects("4KiB", true, "no KiB");
    rejects("4KB", true, "no KiB");
    rejects("4B", true, "uppercase");
    rejects("4P", true, "decimal with K, M, G or T");
    rejects("4KK", true, "nothing after");
    rejects("K", true, "decimal or 0x hex");
}

static void unit_limits(void **state)
{
    (void)state;
    assert_true(NUM_NS_MAX == 9223372036854775ull);
    /* NUM_NS_MAX ns is below 2^63 ps, one ns more is not */
    assert_true(NUM_NS_MAX * 1000 < (1ull << 63));
    assert_true((NUM_NS_MAX + 1) * 1000 >= (1ull << 63));
    assert_true(num_unit_max("sim.quantum_ns") == NUM_NS_MAX);
    assert_true(num_unit_max("completion_ns") == NUM_NS_MAX);
    assert_true(num_unit_max("devices.0.read_byte_ps") == NUM_PS_MAX);
    assert_true(num_unit_max("host.ram") == UINT64_MAX);
    assert_true(num_unit_max("ns") == UINT64_MAX);
    assert_true(num_unit_max("_ns") == NUM_NS_MAX);
    assert_true(num_unit_max(NULL) == UINT64_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decimal),        cmocka_unit_test(hex),        cmocka_unit_test(suffixes),
        cmocka_unit_test(rejected_forms), cmocka_unit_test(unit_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
