/* Text trace format version 1: reader rules, every input error's exact
 * message, writer round trip and bounded memory on long traces. The tests
 * run inside a fresh temporary directory so that messages name files as
 * users see them ("t.trace:7: ..."). */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/tcesim_err.h"
#include "outfile.h"
#include "trace.h"

#define HDR "tcesim-trace 1\n"

typedef struct fixture {
    char dir[64];
    char oldcwd[4096];
} fixture;

static const char *const scratch_files[] = {
    "t.trace", "t.txt", "rt.trace", "big.trace", "long.trace", "t.bin",
};

static int group_setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    strcpy(fx->dir, "/tmp/tcesim-trace-text-XXXXXX");
    if (!mkdtemp(fx->dir) || !getcwd(fx->oldcwd, sizeof fx->oldcwd) || chdir(fx->dir) != 0) {
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int group_teardown(void **state)
{
    fixture *fx = *state;
    for (size_t i = 0; i < sizeof scratch_files / sizeof scratch_files[0]; i++) {
        remove(scratch_files[i]);
        of_remove_temps(scratch_files[i]);
    }
    int rc = chdir(fx->oldcwd);
    rmdir(fx->dir);
    free(fx);
    return rc;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* Reads path to the end; returns the first error (0 if none) and the count
 * of events before it. */
static int read_all(const char *path, tr_error *err, uint64_t *nevents)
{
    tr_source src;
    tr_event ev;
    int rc = tr_open(path, &src, err);
    *nevents = 0;
    if (rc)
        return rc;
    while ((rc = tr_next(&src, &ev, err)) == 1)
        (*nevents)++;
    tr_close(&src);
    return rc;
}

/* The trace text must be rejected with exactly the message want. */
static void check_error(const char *text, const char *want)
{
    tr_error err = { { 0 } };
    uint64_t n;
    write_file("t.trace", text);
    int rc = read_all("t.trace", &err, &n);
    assert_true(rc < 0);
    assert_string_equal(err.msg, want);
}

static void check_ok(const char *text, uint64_t want_events)
{
    tr_error err = { { 0 } };
    uint64_t n;
    write_file("t.trace", text);
    int rc = read_all("t.trace", &err, &n);
    if (rc)
        fail_msg("unexpected error: %s", err.msg);
    assert_int_equal(n, want_events);
}

/* ---- parsing ---- */

static void walkthrough_parses_every_op(void **state)
{
    tr_source src;
    tr_event ev;
    tr_error err;
    int rc = tr_open(TCESIM_TEST_DATA "/walkthrough.trace", &src, &err);
    if (rc)
        fail_msg("%s", err.msg);

    assert_int_equal(src.ndevices, 2);
    assert_int_equal(src.devices[0].id, 0);
    assert_int_equal(src.devices[0].rid, 0x0100);
    assert_true(src.devices[0].has_pe);
    assert_int_equal(src.devices[0].pe, 1);
    assert_true(src.devices[0].has_mask);
    assert_int_equal(src.devices[0].dma_mask_bits, 32);
    assert_int_equal(src.devices[1].rid, 0x0200);
    assert_false(src.devices[1].has_mask);

    assert_int_equal(tr_next(&src, &ev, &err), 1);
    assert_int_equal(ev.op, TR_MAP);
    assert_int_equal(ev.line, 8);
    assert_int_equal(ev.actor, 0);
    assert_int_equal(ev.dev, 0);
    assert_int_equal(ev.handle, 1);
    assert_int_equal(ev.size, 4096);
    assert_int_equal(ev.dir, TR_DIR_FROM_DEVICE);
    assert_false(ev.has_pa);

    assert_int_equal(tr_next(&src, &ev, &err), 1);
    assert_int_equal(ev.op, TR_MAP_SG);
    assert_int_equal(ev.actor, 1);
    assert_int_equal(ev.handle, 2);
    assert_int_equal(ev.nsegs, 3);
    assert_int_equal(ev.seg_sizes[0], 4096);
    assert_int_equal(ev.seg_sizes[1], 8192);
    assert_int_equal(ev.seg_sizes[2], 1500);
    assert_null(ev.seg_pas);
    assert_int_equal(ev.size, 4096 + 8192 + 1500);
    assert_int_equal(ev.dir, TR_DIR_TO_DEVICE);

    assert_int_equal(tr_next(&src, &ev, &err), 1);
    assert_int_equal(ev.op, TR_WRITE);
    assert_int_equal(ev.time_ns, 100);
    assert_int_equal(ev.actor, 0);
    assert_int_equal(ev.dev, 0);
    assert_true(ev.has_handle);
    assert_int_equal(ev.handle, 1);
    assert_int_equal(ev.off, 0);
    assert_int_equal(ev.len, 256);

    assert_int_equal(tr_next(&src, &ev, &err), 1);
    assert_int_equal(ev.op, TR_READ);
    assert_int_equal(ev.off, 0x1000);
    assert_int_equal(ev.len, 4096);

    assert_int_equal(tr_next(&src, &ev, &err), 1);
    assert_int_equal(ev.off, 12288);
    assert_int_equal(ev.len, 1500);

    assert_int_equal(tr_next(&src, &ev, &err), 1);
    assert_int_equal(ev.op, TR_WRITE);
    assert_false(ev.has_handle);
    assert_int_equal(ev.addr, 0x0800000012340000ull);
    assert_int_equal(ev.len, 64);

    assert_int_equal(tr_next(&src, &ev, &err), 1); /* write through to_device */
    assert_int_equal(tr_next(&src, &ev, &err), 1);
    assert_int_equal(ev.op, TR_UNMAP);
    assert_int_equal(ev.actor, 0);
    assert_int_equal(ev.handle, 1);

    assert_int_equal(tr_next(&src, &ev, &err), 1); /* stale write */
    assert_int_equal(ev.op, TR_WRITE);
    assert_int_equal(ev.handle, 1);

    assert_int_equal(tr_next(&src, &ev, &err), 1);
    assert_int_equal(ev.op, TR_ALLOC);
    assert_int_equal(ev.dev, 1);
    assert_int_equal(ev.handle, 3);
    assert_int_equal(ev.size, 65536);

    assert_int_equal(tr_next(&src, &ev, &err), 1);
    assert_int_equal(ev.op, TR_READ);
    assert_int_equal(ev.actor, 1);

    assert_int_equal(tr_next(&src, &ev, &err), 1);
    assert_int_equal(ev.op, TR_MAP);
    assert_int_equal(ev.size, 8192);
    assert_int_equal(ev.dir, TR_DIR_BIDIRECTIONAL);

    assert_int_equal(tr_next(&src, &ev, &err), 1);
    assert_int_equal(tr_next(&src, &ev, &err), 1);
    assert_int_equal(ev.op, TR_FREE);
    assert_int_equal(ev.handle, 3);
    assert_int_equal(ev.dev, 1); /* unmap/free carry the handle's device */
    assert_int_equal(tr_next(&src, &ev, &err), 1);
    assert_int_equal(tr_next(&src, &ev, &err), 1);
    assert_int_equal(ev.op, TR_UNMAP);
    assert_int_equal(ev.time_ns, 2200);
    assert_int_equal(tr_next(&src, &ev, &err), 0);
    assert_int_equal(tr_next(&src, &ev, &err), 0);
    tr_close(&src);
}

static void pa_and_pas_are_read_when_given(void **state)
{
    tr_source src;
    tr_event ev;
    tr_error err;
    write_file("t.trace", HDR
               "0 cpu0 map dev=0 h=1 size=4096 dir=to_device pa=0x12345000\n"
               "0 cpu0 map_sg dev=0 h=2 sizes=4096,4096 dir=to_device pas=0x1000,0x3000\n"
               "0 cpu0 alloc dev=0 h=3 size=4096 pa=0x200000\n");
    assert_int_equal(tr_open("t.trace", &src, &err), 0);
    assert_int_equal(tr_next(&src, &ev, &err), 1);
    assert_true(ev.has_pa);
    assert_int_equal(ev.pa, 0x12345000);
    assert_int_equal(tr_next(&src, &ev, &err), 1);
    assert_non_null(ev.seg_pas);
    assert_int_equal(ev.seg_pas[0], 0x1000);
    assert_int_equal(ev.seg_pas[1], 0x3000);
    assert_int_equal(tr_next(&src, &ev, &err), 1);
    assert_true(ev.has_pa);
    assert_int_equal(ev.pa, 0x200000);
    assert_int_equal(tr_next(&src, &ev, &err), 0);
    tr_close(&src);
}

static void sizes_take_k_m_g_suffixes_and_hex(void **state)
{
    tr_source src;
    tr_event ev;
    tr_error err;
    write_file("t.trace", HDR
               "0 cpu0 map dev=0 h=1 size=2G dir=to_device\n"
               "0 cpu0 map dev=0 h=2 size=3M dir=to_device\n"
               "0x10 dev0 read h=1 off=1K len=0x40\n");
    assert_int_equal(tr_open("t.trace", &src, &err), 0);
    assert_int_equal(tr_next(&src, &ev, &err), 1);
    assert_int_equal(ev.size, 2ull << 30);
    assert_int_equal(tr_next(&src, &ev, &err), 1);
    assert_int_equal(ev.size, 3ull << 20);
    assert_int_equal(tr_next(&src, &ev, &err), 1);
    assert_int_equal(ev.time_ns, 16);
    assert_int_equal(ev.off, 1024);
    assert_int_equal(ev.len, 64);
    tr_close(&src);
}

static void comments_and_blank_lines_are_allowed_anywhere(void **state)
{
    check_ok("# leading comment\n\n   \t\n" HDR "# after header\n"
             "device id=0 rid=01:00.0   # trailing\n\n"
             "0 cpu0 map dev=0 h=1 size=4096 dir=to_device#no space before comment\n"
             "# between events\n\n"
             "5 dev0 read h=1 off=0 len=4   # trailing\n"
             "#last\n",
             2);
}

static void truncated_last_line_without_newline_is_read(void **state)
{
    check_ok(HDR "0 cpu0 map dev=0 h=1 size=4096 dir=to_device\n5 dev0 read h=1 off=0 len=4", 2);
}

static void crlf_line_ends_are_accepted(void **state)
{
    check_ok("tcesim-trace 1\r\n0 cpu0 map dev=0 h=1 size=4096 dir=to_device\r\n", 1);
}

static void trace_without_events_is_empty(void **state)
{
    check_ok(HDR "device id=3 rid=00:01.0\n", 0);
}

/* ---- header and device declarations ---- */

static void header_must_be_the_first_non_comment_line(void **state)
{
    check_error("# comment\n\n0 cpu0 unmap h=1\n",
                "t.trace:3: expected header 'tcesim-trace 1' before anything else");
    check_error("tcesim-trace\n", "t.trace:1: expected header 'tcesim-trace 1' before anything else");
    check_error("tcesim-trace 2\n", "t.trace:1: unsupported trace version '2' (this reader knows 1)");
    check_error("", "t.trace: empty trace (expected header 'tcesim-trace 1')");
    check_error("# only a comment\n", "t.trace: empty trace (expected header 'tcesim-trace 1')");
}

static void device_lines_come_only_before_the_first_event(void **state)
{
    check_error(HDR "device id=0 rid=01:00.0\n"
                "0 cpu0 map dev=0 h=1 size=4096 dir=to_device\n"
                "device id=1 rid=02:00.0\n",
                "t.trace:4: device declaration after the first event (line 3)");
}

static void device_declaration_errors_name_the_key(void **state)
{
    check_error(HDR "device id=0\n", "t.trace:2: missing key 'rid'");
    check_error(HDR "device rid=01:00.0\n", "t.trace:2: missing key 'id'");
    check_error(HDR "device id=0 rid=1:0\n", "t.trace:2: bad rid '1:0' (expected [DDDD:]BB:DD.F in hex)");
    check_error(HDR "device id=0 rid=01:20.0\n", "t.trace:2: bad rid '01:20.0' (expected [DDDD:]BB:DD.F in hex)");
    check_error(HDR "device id=0 rid=01:00.0 color=red\n", "t.trace:2: unknown key 'color' for device");
    check_error(HDR "device id=0 id=1 rid=01:00.0\n", "t.trace:2: duplicate key 'id'");
    check_error(HDR "device id=4096 rid=01:00.0\n",
                "t.trace:2: device id 4096 out of range (must be < 4096)");
    check_error(HDR "device id=0 rid=01:00.0 dma_mask_bits=65\n",
                "t.trace:2: dma_mask_bits 65 out of range (1..64)");
    check_error(HDR "device id=0 rid=01:00.0\ndevice id=0 rid=02:00.0\n",
                "t.trace:3: device 0 already declared (line 2)");
    check_error(HDR "device id=0 rid=01:00.0\ndevice id=1 rid=01:00.0\n",
                "t.trace:3: rid 01:00.0 already used by device 0 (line 2)");
    /* by value: the kernel's pci_name() spelling is the same function */
    check_error(HDR "device id=0 rid=01:00.0\ndevice id=1 rid=0000:1:0.0\n",
                "t.trace:3: rid 01:00.0 already used by device 0 (line 2)");
    check_error(HDR "device id=0 rid=0030:01:00.0\ndevice id=1 rid=30:1:0.0\n",
                "t.trace:3: rid 0030:01:00.0 already used by device 0 (line 2)");
    check_error(HDR "device id=0 rid=0030:01:00.0\ndevice id=1 rid=0031:02:00.0\n",
                "t.trace:3: rid 0031:02:00.0: domain 0031, but device 0 (line 2) is in 0030 (a trace is one PHB: one PCI domain)");
    check_error(HDR "device id=0 rid=10000:01:00.0\n",
                "t.trace:2: bad rid '10000:01:00.0' (expected [DDDD:]BB:DD.F in hex)");
}

/* ---- event syntax ---- */

static void time_going_backwards_is_an_error(void **state)
{
    check_error(HDR "0 cpu0 map dev=0 h=1 size=4096 dir=to_device\n"
                "300 dev0 read h=1 off=0 len=4\n"
                "# comment\n"
                "300 dev0 read h=1 off=0 len=4\n"
                "\n"
                "120 dev0 read h=1 off=0 len=4\n",
                "t.trace:7: time goes backwards (120 < 300)");
}

static void unknown_op_is_an_error(void **state)
{
    check_error(HDR "0 cpu0 mapp dev=0 h=1 size=1 dir=to_device\n", "t.trace:2: unknown op 'mapp'");
}

static void incomplete_event_is_an_error(void **state)
{
    check_error(HDR "0 cpu0\n", "t.trace:2: incomplete event (expected 'time_ns actor op key=value...')");
}

static void bad_actor_is_an_error(void **state)
{
    check_error(HDR "0 gpu0 unmap h=1\n", "t.trace:2: bad actor 'gpu0' (expected cpuN or devN)");
    check_error(HDR "0 cpu unmap h=1\n", "t.trace:2: bad actor 'cpu' (expected cpuN or devN)");
    check_error(HDR "0 cpu0x1 unmap h=1\n", "t.trace:2: bad actor 'cpu0x1' (expected cpuN or devN)");
    check_error(HDR "0 cpu4096 unmap h=1\n", "t.trace:2: bad actor 'cpu4096' (cpu ids are < 4096)");
    check_error(HDR "0 dev4096 read addr=0 len=1\n",
                "t.trace:2: bad actor 'dev4096' (device ids are < 4096)");
    check_error(HDR "0 dev0 map dev=0 h=1 size=1 dir=to_device\n",
                "t.trace:2: map is a host op: its actor must be cpuN, not dev0");
    check_error(HDR "0 cpu0 read addr=0 len=1\n",
                "t.trace:2: read is a device op: its actor must be devN, not cpu0");
}

static void unknown_key_is_an_error(void **state)
{
    check_error(HDR "\n0 cpu0 map dev=0 h=1 size=4096 dir=to_device foo=1\n",
                "t.trace:3: unknown key 'foo' for map");
    check_error(HDR "0 cpu0 unmap h=1 size=4\n", "t.trace:2: unknown key 'size' for unmap");
    check_error(HDR "0 cpu0 alloc dev=0 h=1 size=4 dir=to_device\n",
                "t.trace:2: unknown key 'dir' for alloc");
    check_error(HDR "0 cpu0 map dev=0 h=1 size=4096 dir=to_device pas=0x1000\n",
                "t.trace:2: unknown key 'pas' for map");
    check_error(HDR "0 cpu0 unmap h=1 junk\n", "t.trace:2: expected key=value, got 'junk'");
}

static void missing_key_is_an_error(void **state)
{
    check_error(HDR "0 cpu0 unmap\n", "t.trace:2: missing key 'h'");
    check_error(HDR "0 cpu0 map h=1 size=4096 dir=to_device\n", "t.trace:2: missing key 'dev'");
    check_error(HDR "0 cpu0 map dev=0 h=1 size=4096\n", "t.trace:2: missing key 'dir'");
    check_error(HDR "0 cpu0 map_sg dev=0 h=1 dir=to_device\n", "t.trace:2: missing key 'sizes'");
    check_error(HDR "0 cpu0 alloc dev=0 h=1\n", "t.trace:2: missing key 'size'");
    check_error(HDR "0 dev0 read h=1 off=0\n", "t.trace:2: missing key 'len'");
    check_error(HDR "0 dev0 read len=4\n", "t.trace:2: missing key 'h' (or addr)");
    check_error(HDR "0 cpu0 map dev=0 h=1 size=4096 dir=to_device\n0 dev0 read h=1 len=4\n",
                "t.trace:3: missing key 'off'");
}

static void h_and_addr_together_are_an_error(void **state)
{
    check_error(HDR "0 dev0 read h=1 off=0 addr=0x1000 len=4\n",
                "t.trace:2: give either h= (with off=) or addr=, not both");
    check_error(HDR "0 dev0 read addr=0x1000 off=0 len=4\n",
                "t.trace:2: off= goes with h=, not with addr=");
}

static void duplicate_key_is_an_error(void **state)
{
    check_error(HDR "0 cpu0 map dev=0 h=1 h=2 size=4096 dir=to_device\n",
                "t.trace:2: duplicate key 'h'");
}

/* The grammar's accepted forms, with their values: decimal, 0x hex with
 * leading zeros, K/M/G/T on byte counts, the largest time. */
static void accepted_number_forms(void **state)
{
    (void)state;
    tr_source src;
    tr_event ev;
    tr_error err = { { 0 } };
    write_file("t.trace", HDR "0 cpu0 map dev=0 h=0x0001 size=4T dir=to_device pa=0x0000000000001000\n"
                              "0 cpu0 map_sg dev=0 h=2 sizes=1K,1M,1G,0x1B dir=to_device pas=0x10000000000,0x20000000000,0x30000000000,0x40000000000\n"
                              "9223372036854775 dev0 read h=1 off=0x10 len=64K\n");
    assert_int_equal(tr_open("t.trace", &src, &err), 0);
    assert_int_equal(tr_next(&src, &ev, &err), 1);
    assert_int_equal(ev.handle, 1);
    assert_true(ev.size == 4ull << 40);
    assert_int_equal(ev.pa, 0x1000);
    assert_int_equal(tr_next(&src, &ev, &err), 1);
    assert_int_equal(ev.nsegs, 4);
    assert_int_equal(ev.seg_sizes[0], 1024);
    assert_int_equal(ev.seg_sizes[1], 1u << 20);
    assert_int_equal(ev.seg_sizes[2], 1u << 30);
    assert_int_equal(ev.seg_sizes[3], 0x1b);
    assert_int_equal(tr_next(&src, &ev, &err), 1);
    assert_true(ev.time_ns == 9223372036854775ull);
    assert_int_equal(ev.off, 0x10);
    assert_int_equal(ev.len, 65536);
    assert_int_equal(tr_next(&src, &ev, &err), 0);
    tr_close(&src);
}

static void bad_number_is_an_error(void **state)
{
    /* every number goes through the one grammar (models/common/numparse.h)
     * and the message says why */
    check_error(HDR "0 dev0 read addr=0x1000 len=x1\n", "t.trace:2: bad number 'x1' for len (decimal or 0x hex, or decimal with K, M, G or T)");
    check_error(HDR "1K cpu0 unmap h=1\n", "t.trace:2: bad number '1K' for time_ns (no suffix: not a byte count (decimal or 0x hex))");
    check_error(HDR "0 cpu0 unmap h=\n", "t.trace:2: bad number '' for h (empty: expected decimal or 0x hex)");
    check_error(HDR "0 cpu0 unmap h=0x\n", "t.trace:2: bad number '0x' for h (0x without hex digits)");
    check_error(HDR "0 cpu0 unmap h=-1\n", "t.trace:2: bad number '-1' for h (no sign: numbers are non-negative, decimal or 0x hex)");
    check_error(HDR "0 cpu0 unmap h=18446744073709551616\n",
                "t.trace:2: bad number '18446744073709551616' for h (too large (max 18446744073709551615))");
    check_error(HDR "0 cpu0 map dev=0 h=1 size=17179869184G dir=to_device\n",
                "t.trace:2: bad number '17179869184G' for size (too large (max 18446744073709551615))");
    check_error(HDR "0 cpu0 map dev=0 h=1 size=4t dir=to_device\n",
                "t.trace:2: bad number '4t' for size (suffixes are K, M, G, T (powers of 1024), uppercase)");
    check_error(HDR "0 cpu0 map dev=0 h=1 size=4KiB dir=to_device\n",
                "t.trace:2: bad number '4KiB' for size (suffixes are K, M, G, T (powers of 1024), nothing after (no KiB, KB))");
    check_error(HDR "0 cpu0 map dev=0 h=1 size=010 dir=to_device\n",
                "t.trace:2: bad number '010' for size (decimal or 0x hex, no leading zeros)");
    check_error(HDR "0 cpu0 map dev=0 h=1 size=0x1K dir=to_device\n",
                "t.trace:2: bad number '0x1K' for size (a K, M, G or T suffix only on a decimal)");
    check_error(HDR "0 cpu0 map dev=0 h=1 size=4096 dir=to_device pa=4K\n",
                "t.trace:2: bad number '4K' for pa (no suffix: not a byte count (decimal or 0x hex))");
    check_error(HDR "0 cpu0 map_sg dev=0 h=1 sizes=4096,,1 dir=to_device\n",
                "t.trace:2: bad number '' for sizes (empty: expected decimal or 0x hex)");
    check_error(HDR "0 cpu0 map_sg dev=0 h=1 sizes=4096,01 dir=to_device\n",
                "t.trace:2: bad number '01' for sizes (decimal or 0x hex, no leading zeros)");
    check_error(HDR "010 cpu0 unmap h=1\n", "t.trace:2: bad number '010' for time_ns (decimal or 0x hex, no leading zeros)");
    check_error(HDR "0 cpu0 unmap h=1\v\n", "t.trace:2: bad number '1\v' for h (no whitespace around a number)");
    check_error(HDR "9223372036854776 cpu0 unmap h=1\n",
                "t.trace:2: time_ns 9223372036854776 too large (max 9223372036854775 ns: times stay below 2^63 ps)");
    check_error(HDR "0 cpu010 unmap h=1\n", "t.trace:2: bad actor 'cpu010' (expected cpuN or devN)");
    check_error(HDR "0 cpu0 map dev=0 h=1 size=4096 dir=sideways\n",
                "t.trace:2: bad dir 'sideways' (expected to_device, from_device or bidirectional)");
}

static void zero_len_and_zero_size_are_errors(void **state)
{
    check_error(HDR "0 dev0 write addr=0x1000 len=0\n", "t.trace:2: len must be > 0");
    check_error(HDR "0 cpu0 map dev=0 h=1 size=0 dir=to_device\n", "t.trace:2: size must be > 0");
    check_error(HDR "0 cpu0 alloc dev=0 h=1 size=0\n", "t.trace:2: size must be > 0");
    check_error(HDR "0 cpu0 map_sg dev=0 h=1 sizes=4096,0 dir=to_device\n",
                "t.trace:2: sizes[1] must be > 0");
}

static void sizes_and_pas_must_have_the_same_count(void **state)
{
    check_error(HDR "0 cpu0 map_sg dev=0 h=1 sizes=4096,4096,4096 dir=to_device pas=0x1000,0x2000\n",
                "t.trace:2: pas has 2 entries but sizes has 3");
}

static void more_than_max_segments_is_an_error(void **state)
{
    size_t cap = 16 + (TR_MAX_SEGS + 1) * 2 + 64;
    char *text = malloc(cap);
    assert_non_null(text);
    strcpy(text, HDR "0 cpu0 map_sg dev=0 h=1 sizes=");
    size_t n = strlen(text);
    for (unsigned i = 0; i <= TR_MAX_SEGS; i++) {
        text[n++] = '1';
        text[n++] = i < TR_MAX_SEGS ? ',' : ' ';
    }
    strcpy(text + n, "dir=to_device\n");
    check_error(text, "t.trace:2: too many segments (1025 > 1024)");
    /* exactly TR_MAX_SEGS is fine */
    strcpy(strstr(text, "sizes=") + 6, "");
    n = strlen(text);
    for (unsigned i = 0; i < TR_MAX_SEGS; i++) {
        text[n++] = '1';
        text[n++] = i + 1 < TR_MAX_SEGS ? ',' : ' ';
    }
    strcpy(text + n, "dir=to_device\n");
    check_ok(text, 1);
    free(text);
}

static void device_op_dev_key_must_match_its_actor(void **state)
{
    check_error(HDR "0 dev3 read dev=2 addr=0x1000 len=4\n", "t.trace:2: device op on dev3 but dev=2");
    check_ok(HDR "0 dev3 read dev=3 addr=0x1000 len=4\n", 1);
}

static void host_op_dev_must_be_in_range(void **state)
{
    check_error(HDR "0 cpu0 map dev=4096 h=1 size=4096 dir=to_device\n",
                "t.trace:2: dev 4096 out of range (must be < 4096)");
}

static void line_longer_than_64k_is_an_error(void **state)
{
    char *text = malloc(TR_MAX_LINE + 64);
    assert_non_null(text);
    /* exactly TR_MAX_LINE bytes of content: accepted (a long comment) */
    strcpy(text, HDR);
    size_t n = strlen(text);
    memset(text + n, '#', TR_MAX_LINE);
    strcpy(text + n + TR_MAX_LINE, "\n");
    check_ok(text, 0);
    /* one more byte: rejected */
    memset(text + n, '#', TR_MAX_LINE + 1);
    strcpy(text + n + TR_MAX_LINE + 1, "\n");
    check_error(text, "t.trace:2: line longer than 65536 bytes");
    free(text);
}

static void nul_byte_is_an_error(void **state)
{
    FILE *f = fopen("t.trace", "wb");
    assert_non_null(f);
    fwrite(HDR "0 cpu0\0unmap h=1\n", 1, sizeof HDR - 1 + 17, f);
    fclose(f);
    tr_error err;
    uint64_t n;
    assert_true(read_all("t.trace", &err, &n) < 0);
    assert_string_equal(err.msg, "t.trace:2: NUL byte in line (not a text trace?)");
}

/* ---- handles ---- */

static void access_through_a_handle_never_mapped_is_an_error(void **state)
{
    check_error(HDR "0 dev0 read h=7 off=0 len=4\n", "t.trace:2: handle 7 was never mapped");
    check_error(HDR "0 cpu0 unmap h=7\n", "t.trace:2: handle 7 was never mapped");
    check_error(HDR "0 cpu0 free h=7\n", "t.trace:2: handle 7 was never allocated");
}

static void unmap_of_an_alloc_handle_is_an_error(void **state)
{
    check_error(HDR "0 cpu0 alloc dev=0 h=3 size=4096\n1 cpu0 unmap h=3\n",
                "t.trace:3: handle 3 was made by alloc: use free");
}

static void free_of_a_map_handle_is_an_error(void **state)
{
    check_error(HDR "0 cpu0 map dev=0 h=1 size=4096 dir=to_device\n1 cpu0 free h=1\n",
                "t.trace:3: handle 1 was made by map: use unmap");
    check_error(HDR "0 cpu0 map_sg dev=0 h=1 sizes=4096 dir=to_device\n1 cpu0 free h=1\n",
                "t.trace:3: handle 1 was made by map_sg: use unmap");
}

static void unmap_twice_is_an_error(void **state)
{
    check_error(HDR "0 cpu0 map dev=0 h=1 size=4096 dir=to_device\n1 cpu0 unmap h=1\n2 cpu0 unmap h=1\n",
                "t.trace:4: handle 1 is already unmapped (line 3)");
    check_error(HDR "0 cpu0 alloc dev=0 h=1 size=4096\n1 cpu0 free h=1\n2 cpu0 free h=1\n",
                "t.trace:4: handle 1 is already freed (line 3)");
}

static void mapping_a_handle_still_mapped_is_an_error(void **state)
{
    check_error(HDR "0 cpu0 map dev=0 h=1 size=4096 dir=to_device\n"
                "1 cpu1 map_sg dev=0 h=1 sizes=4096 dir=to_device\n",
                "t.trace:3: handle 1 is still mapped (line 2)");
    check_error(HDR "0 cpu0 alloc dev=0 h=1 size=4096\n"
                "1 cpu1 map dev=0 h=1 size=4096 dir=to_device\n",
                "t.trace:3: handle 1 is still allocated (line 2)");
}

static void handle_is_reusable_after_unmap_or_free(void **state)
{
    check_ok(HDR "0 cpu0 map dev=0 h=1 size=4096 dir=to_device\n"
             "1 cpu0 unmap h=1\n"
             "2 cpu0 alloc dev=0 h=1 size=8192\n"
             "3 dev0 read h=1 off=4096 len=4096\n"
             "4 cpu0 free h=1\n"
             "5 cpu0 map_sg dev=0 h=1 sizes=4096 dir=to_device\n"
             "6 cpu0 unmap h=1\n",
             7);
}

static void stale_access_after_unmap_is_a_legal_trace(void **state)
{
    check_ok(HDR "0 cpu0 map dev=0 h=1 size=4096 dir=to_device\n"
             "1 cpu0 unmap h=1\n"
             "2 dev0 read h=1 off=0 len=4096\n"
             "3 cpu0 alloc dev=0 h=2 size=4096\n"
             "4 cpu0 free h=2\n"
             "5 dev0 write h=2 off=0 len=64\n",
             6);
    /* the stale access is still checked against the old mapping's size */
    check_error(HDR "0 cpu0 map dev=0 h=1 size=4096 dir=to_device\n"
                "1 cpu0 unmap h=1\n"
                "2 dev0 read h=1 off=4000 len=100\n",
                "t.trace:4: access past the end of handle 1 (off 4000 + len 100 > size 4096)");
}

static void access_past_the_end_of_a_mapping_is_an_error(void **state)
{
    check_ok(HDR "0 cpu0 map dev=0 h=1 size=4096 dir=to_device\n1 dev0 read h=1 off=4095 len=1\n", 2);
    check_error(HDR "0 cpu0 map dev=0 h=1 size=4096 dir=to_device\n1 dev0 read h=1 off=4095 len=2\n",
                "t.trace:3: access past the end of handle 1 (off 4095 + len 2 > size 4096)");
    check_error(HDR "0 cpu0 map dev=0 h=1 size=4096 dir=to_device\n"
                "1 dev0 read h=1 off=0xffffffffffffffff len=2\n",
                "t.trace:3: access past the end of handle 1 (off 18446744073709551615 + len 2 > size 4096)");
    /* map_sg: the mapping is the sum of its segments */
    check_ok(HDR "0 cpu0 map_sg dev=0 h=2 sizes=4096,1500 dir=to_device\n"
             "1 dev0 read h=2 off=4096 len=1500\n",
             2);
    check_error(HDR "0 cpu0 map_sg dev=0 h=2 sizes=4096,1500 dir=to_device\n"
                "1 dev0 read h=2 off=4096 len=1501\n",
                "t.trace:3: access past the end of handle 2 (off 4096 + len 1501 > size 5596)");
    /* a re-mapped handle is checked against its new size */
    check_error(HDR "0 cpu0 map dev=0 h=1 size=8192 dir=to_device\n"
                "1 cpu0 unmap h=1\n"
                "2 cpu0 map dev=0 h=1 size=4096 dir=to_device\n"
                "3 dev0 read h=1 off=4096 len=1\n",
                "t.trace:5: access past the end of handle 1 (off 4096 + len 1 > size 4096)");
}

static void pa_must_be_given_on_all_buffers_or_none(void **state)
{
    check_error(HDR "0 cpu0 map dev=0 h=1 size=4096 dir=to_device\n"
                "0 cpu0 alloc dev=0 h=2 size=4096 pa=0x1000\n",
                "t.trace:3: pa given here but not on line 2"
                " (give pa/pas on every map, map_sg and alloc, or on none)");
    check_error(HDR "0 cpu0 map_sg dev=0 h=1 sizes=4096 dir=to_device pas=0x1000\n"
                "0 cpu0 map dev=0 h=2 size=4096 dir=to_device\n",
                "t.trace:3: pa missing here but given on line 2"
                " (give pa/pas on every map, map_sg and alloc, or on none)");
}

/* ---- files ---- */

static void tr_open_picks_the_format_by_name(void **state)
{
    tr_error err;
    uint64_t n;
    write_file("t.txt", HDR "0 dev0 read addr=0 len=1\n");
    assert_int_equal(read_all("t.txt", &err, &n), 0);
    assert_int_equal(n, 1);
    write_file("t.bin", "");
    assert_int_equal(read_all("t.bin", &err, &n), TCESIM_EINVAL);
    assert_string_equal(err.msg, "t.bin: offset 0: truncated header (0 of 32 bytes)");
    assert_int_equal(read_all("t.json", &err, &n), TCESIM_EINVAL);
    assert_string_equal(err.msg, "t.json: unknown trace format (expected .trace, .txt or .bin, "
                                 "optionally + .zst)");
}

static void missing_file_reports_strerror(void **state)
{
    tr_error err;
    uint64_t n;
    assert_int_equal(read_all("nonexistent.trace", &err, &n), TCESIM_EINVAL); /* bad input: exit 2 */
    assert_string_equal(err.msg, "nonexistent.trace: No such file or directory");
}

static void errors_are_sticky(void **state)
{
    tr_source src;
    tr_event ev;
    tr_error err;
    write_file("t.trace", HDR "0 dev0 read addr=0 len=1\n0 dev0 read addr=0 len=0\n0 dev0 read addr=0 len=1\n");
    assert_int_equal(tr_open("t.trace", &src, &err), 0);
    assert_int_equal(tr_next(&src, &ev, &err), 1);
    assert_int_equal(tr_next(&src, &ev, &err), TCESIM_EINVAL);
    memset(&err, 0, sizeof err);
    assert_int_equal(tr_next(&src, &ev, &err), TCESIM_EINVAL);
    assert_string_equal(err.msg, "t.trace:3: len must be > 0");
    tr_close(&src);
    tr_close(&src); /* a closed source is a zeroed one */
}

/* ---- writer ---- */

static void assert_same_event(const tr_event *a, const tr_event *b)
{
    assert_int_equal(a->time_ns, b->time_ns);
    assert_int_equal(a->op, b->op);
    assert_int_equal(a->actor, b->actor);
    assert_int_equal(a->dev, b->dev);
    assert_int_equal(a->has_handle, b->has_handle);
    if (a->has_handle)
        assert_int_equal(a->handle, b->handle);
    switch (a->op) {
    case TR_MAP:
    case TR_ALLOC:
        assert_int_equal(a->size, b->size);
        assert_int_equal(a->has_pa, b->has_pa);
        if (a->has_pa)
            assert_int_equal(a->pa, b->pa);
        if (a->op == TR_MAP)
            assert_int_equal(a->dir, b->dir);
        break;
    case TR_MAP_SG:
        assert_int_equal(a->dir, b->dir);
        assert_int_equal(a->nsegs, b->nsegs);
        assert_memory_equal(a->seg_sizes, b->seg_sizes, a->nsegs * sizeof(uint64_t));
        assert_int_equal(a->seg_pas != NULL, b->seg_pas != NULL);
        if (a->seg_pas)
            assert_memory_equal(a->seg_pas, b->seg_pas, a->nsegs * sizeof(uint64_t));
        break;
    case TR_READ:
    case TR_WRITE:
        assert_int_equal(a->len, b->len);
        if (a->has_handle)
            assert_int_equal(a->off, b->off);
        else
            assert_int_equal(a->addr, b->addr);
        break;
    default:
        break;
    }
}

/* Copies in to out through the writer, then reads both in lockstep. */
static void round_trip(const char *in)
{
    tr_source a, b;
    tr_event ea, eb;
    tr_error err;
    tr_writer *w;
    int rc;

    assert_int_equal(tr_open(in, &a, &err), 0);
    assert_int_equal(tr_writer_open_text("rt.trace", a.devices, a.ndevices, &w, &err), 0);
    while ((rc = tr_next(&a, &ea, &err)) == 1)
        assert_int_equal(tr_writer_put(w, &ea, &err), 0);
    assert_int_equal(rc, 0);
    tr_close(&a);
    assert_int_equal(tr_writer_close(w, true, &err), 0);
    assert_int_equal(of_count_temps("rt.trace"), 0);

    assert_int_equal(tr_open(in, &a, &err), 0);
    rc = tr_open("rt.trace", &b, &err);
    if (rc)
        fail_msg("%s", err.msg);
    assert_int_equal(a.ndevices, b.ndevices);
    for (uint32_t i = 0; i < a.ndevices; i++) {
        const tr_device_decl *da = &a.devices[i], *db = &b.devices[i];
        assert_int_equal(da->id, db->id);
        assert_int_equal(da->rid, db->rid);
        assert_int_equal(da->has_pe, db->has_pe);
        assert_int_equal(da->pe, db->pe);
        assert_int_equal(da->has_mask, db->has_mask);
        assert_int_equal(da->dma_mask_bits, db->dma_mask_bits);
    }
    for (;;) {
        int ra = tr_next(&a, &ea, &err);
        int rb = tr_next(&b, &eb, &err);
        assert_int_equal(ra, rb);
        if (ra != 1)
            break;
        assert_same_event(&ea, &eb);
    }
    tr_close(&a);
    tr_close(&b);
}

static void writer_output_reads_back_as_the_same_events(void **state)
{
    round_trip(TCESIM_TEST_DATA "/walkthrough.trace");
    write_file("t.trace", HDR
               "0 cpu0 map dev=0 h=1 size=4096 dir=to_device pa=0x12345678\n"
               "0 cpu7 map_sg dev=9 h=2 sizes=4096,1,3G dir=from_device pas=0x1000,0x3000,0xffff0000\n"
               "0 cpu0 alloc dev=0 h=18446744073709551615 size=4096 pa=0x200000\n"
               "3 dev9 write h=2 off=4097 len=1G\n"
               "3 dev0 write addr=0xffffffffffffffbf len=64\n");
    round_trip("t.trace");
}

static void writer_close_not_ok_leaves_no_file(void **state)
{
    tr_writer *w;
    tr_error err;
    tr_event ev = { .time_ns = 5, .op = TR_READ, .actor = 1, .dev = 1, .addr = 0x1000, .len = 8 };
    remove("rt.trace");
    assert_int_equal(tr_writer_open_text("rt.trace", NULL, 0, &w, &err), 0);
    assert_int_equal(of_count_temps("rt.trace"), 1);
    assert_int_equal(tr_writer_put(w, &ev, &err), 0);
    assert_int_equal(tr_writer_close(w, false, &err), 0);
    assert_int_equal(of_count_temps("rt.trace"), 0);
    assert_int_equal(access("rt.trace", F_OK), -1);
    assert_int_equal(tr_writer_close(NULL, true, &err), 0);
}

static void writer_rejects_time_going_backwards(void **state)
{
    tr_writer *w;
    tr_error err;
    tr_event ev = { .time_ns = 5, .op = TR_READ, .actor = 1, .dev = 1, .addr = 0x1000, .len = 8 };
    assert_int_equal(tr_writer_open_text("rt.trace", NULL, 0, &w, &err), 0);
    assert_int_equal(tr_writer_put(w, &ev, &err), 0);
    ev.time_ns = 4;
    assert_int_equal(tr_writer_put(w, &ev, &err), TCESIM_EINVAL);
    assert_string_equal(err.msg, "rt.trace: event read at 4 ns: time goes backwards");
    assert_int_equal(tr_writer_close(w, false, &err), 0);
}

static void writer_reports_unwritable_path(void **state)
{
    tr_writer *w = (tr_writer *)1;
    tr_error err;
    assert_int_equal(tr_writer_open_text("no/such/dir/x.trace", NULL, 0, &w, &err), TCESIM_EIO);
    assert_null(w);
    assert_string_equal(err.msg, "no/such/dir/x.trace: No such file or directory");
}

/* ---- streaming ---- */

/* 200k events over 16 reused handles: the reader's handle table must stay
 * at its smallest size, whatever the trace's length. */
static void long_trace_keeps_memory_bounded_by_distinct_handles(void **state)
{
    FILE *f = fopen("big.trace", "w");
    assert_non_null(f);
    fputs(HDR, f);
    uint64_t t = 0, events = 0;
    for (unsigned round = 0; events < 200000; round++) {
        for (unsigned h = 0; h < 16; h++, events++)
            fprintf(f, "%" PRIu64 " cpu%u map dev=0 h=%u size=64K dir=to_device\n", t, h % 4, h);
        for (unsigned k = 0; k < 32; k++, events++)
            fprintf(f, "%" PRIu64 " dev0 read h=%u off=%u len=64\n", t, k % 16, (k * 4096) % 65536);
        for (unsigned h = 0; h < 16; h++, events++)
            fprintf(f, "%" PRIu64 " cpu%u unmap h=%u\n", t, h % 4, h);
        t += 1000;
    }
    assert_int_equal(fclose(f), 0);

    tr_source src;
    tr_event ev;
    tr_error err;
    uint64_t n = 0;
    int rc;
    assert_int_equal(tr_open("big.trace", &src, &err), 0);
    while ((rc = tr_next(&src, &ev, &err)) == 1) {
        n++;
        if (n % 10000 == 0)
            assert_true(tr_text_handle_slots(&src) <= 64);
    }
    if (rc)
        fail_msg("%s", err.msg);
    assert_int_equal(n, events);
    assert_true(tr_text_handle_slots(&src) <= 64);
    tr_close(&src);
    remove("big.trace");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(walkthrough_parses_every_op),
        cmocka_unit_test(pa_and_pas_are_read_when_given),
        cmocka_unit_test(sizes_take_k_m_g_suffixes_and_hex),
        cmocka_unit_test(comments_and_blank_lines_are_allowed_anywhere),
        cmocka_unit_test(truncated_last_line_without_newline_is_read),
        cmocka_unit_test(crlf_line_ends_are_accepted),
        cmocka_unit_test(trace_without_events_is_empty),
        cmocka_unit_test(header_must_be_the_first_non_comment_line),
        cmocka_unit_test(device_lines_come_only_before_the_first_event),
        cmocka_unit_test(device_declaration_errors_name_the_key),
        cmocka_unit_test(time_going_backwards_is_an_error),
        cmocka_unit_test(unknown_op_is_an_error),
        cmocka_unit_test(incomplete_event_is_an_error),
        cmocka_unit_test(bad_actor_is_an_error),
        cmocka_unit_test(unknown_key_is_an_error),
        cmocka_unit_test(missing_key_is_an_error),
        cmocka_unit_test(h_and_addr_together_are_an_error),
        cmocka_unit_test(duplicate_key_is_an_error),
        cmocka_unit_test(accepted_number_forms),
        cmocka_unit_test(bad_number_is_an_error),
        cmocka_unit_test(zero_len_and_zero_size_are_errors),
        cmocka_unit_test(sizes_and_pas_must_have_the_same_count),
        cmocka_unit_test(more_than_max_segments_is_an_error),
        cmocka_unit_test(device_op_dev_key_must_match_its_actor),
        cmocka_unit_test(host_op_dev_must_be_in_range),
        cmocka_unit_test(line_longer_than_64k_is_an_error),
        cmocka_unit_test(nul_byte_is_an_error),
        cmocka_unit_test(access_through_a_handle_never_mapped_is_an_error),
        cmocka_unit_test(unmap_of_an_alloc_handle_is_an_error),
        cmocka_unit_test(free_of_a_map_handle_is_an_error),
        cmocka_unit_test(unmap_twice_is_an_error),
        cmocka_unit_test(mapping_a_handle_still_mapped_is_an_error),
        cmocka_unit_test(handle_is_reusable_after_unmap_or_free),
        cmocka_unit_test(stale_access_after_unmap_is_a_legal_trace),
        cmocka_unit_test(access_past_the_end_of_a_mapping_is_an_error),
        cmocka_unit_test(pa_must_be_given_on_all_buffers_or_none),
        cmocka_unit_test(tr_open_picks_the_format_by_name),
        cmocka_unit_test(missing_file_reports_strerror),
        cmocka_unit_test(errors_are_sticky),
        cmocka_unit_test(writer_output_reads_back_as_the_same_events),
        cmocka_unit_test(writer_close_not_ok_leaves_no_file),
        cmocka_unit_test(writer_rejects_time_going_backwards),
        cmocka_unit_test(writer_reports_unwritable_path),
        cmocka_unit_test(long_trace_keeps_memory_bounded_by_distinct_handles),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
