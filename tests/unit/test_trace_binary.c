/* Binary trace format version 1 and the .zst layer: round trips with the
 * text format (every event field), the byte layout FORMAT.md documents,
 * every input error naming its offset, bounded reader memory, tr_convert's
 * atomicity and tr_info on a hand-checked trace. Runs in a fresh temporary
 * directory so messages name files as users see them. */
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
#include "gen_window.h"
#include "outfile.h"
#include "trace.h"
#include "trace_binary.h"
#include "trace_tools.h"

#define HDR "tcesim-trace 1\n"
#define WALK TCESIM_TEST_DATA "/walkthrough.trace"

typedef struct fixture {
    char dir[64];
    char oldcwd[4096];
} fixture;

static const char *const scratch_files[] = {
    "t.trace", "t.bin", "t.bin.zst", "t.trace.zst", "rt.trace", "rt.bin", "rt.bin.zst",
    "rt.trace.zst", "out.bin", "big.bin", "big.bin.zst", "pages.trace",
};

static int group_setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    strcpy(fx->dir, "/tmp/tcesim-trace-bin-XXXXXX");
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

static void write_bytes(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void write_file(const char *path, const char *text)
{
    write_bytes(path, text, strlen(text));
}

/* The whole file into a malloc'd buffer (small test files only). */
static uint8_t *read_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long len = ftell(f);
    assert_true(len >= 0);
    rewind(f);
    uint8_t *p = malloc((size_t)len + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return p;
}

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

static void expect_error(const char *path, const char *want)
{
    tr_error err = { { 0 } };
    uint64_t n;
    assert_true(read_all(path, &err, &n) < 0);
    assert_string_equal(err.msg, want);
}

static void convert_ok(const char *in, const char *out)
{
    tr_error err;
    if (tr_convert(in, out, &err))
        fail_msg("%s", err.msg);
}

/* ---- semantic equality ---- */

static void assert_same_event(const tr_event *a, const tr_event *b)
{
    assert_int_equal(a->time_ns, b->time_ns);
    assert_int_equal(a->op, b->op);
    assert_int_equal(a->actor, b->actor);
    assert_int_equal(a->dev, b->dev);
    assert_int_equal(a->has_handle, b->has_handle);
    assert_int_equal(a->handle, b->handle);
    assert_int_equal(a->dir, b->dir);
    assert_int_equal(a->size, b->size);
    assert_int_equal(a->nsegs, b->nsegs);
    if (a->nsegs)
        assert_memory_equal(a->seg_sizes, b->seg_sizes, a->nsegs * sizeof(uint64_t));
    assert_int_equal(a->seg_pas != NULL, b->seg_pas != NULL);
    if (a->seg_pas)
        assert_memory_equal(a->seg_pas, b->seg_pas, a->nsegs * sizeof(uint64_t));
    assert_int_equal(a->has_pa, b->has_pa);
    assert_int_equal(a->pa, b->pa);
    assert_int_equal(a->off, b->off);
    assert_int_equal(a->len, b->len);
    assert_int_equal(a->addr, b->addr);
}

/* Reads a and b in lockstep: same declarations, same events. Returns the
 * event count. */
static uint64_t assert_same_trace(const char *pa, const char *pb)
{
    tr_source a, b;
    tr_event ea, eb;
    tr_error err;
    uint64_t n = 0;
    if (tr_open(pa, &a, &err) || tr_open(pb, &b, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(a.ndevices, b.ndevices);
    /* field by field: the structs' padding is not part of the value (a
     * memcmp of it fails in optimised builds, where the readers' padding
     * bytes hold whatever was on the stack) */
    for (uint32_t i = 0; i < a.ndevices; i++) {
        assert_int_equal(a.devices[i].id, b.devices[i].id);
        assert_int_equal(a.devices[i].rid, b.devices[i].rid);
        assert_int_equal(a.devices[i].has_pe, b.devices[i].has_pe);
        assert_int_equal(a.devices[i].pe, b.devices[i].pe);
        assert_int_equal(a.devices[i].has_mask, b.devices[i].has_mask);
        assert_int_equal(a.devices[i].dma_mask_bits, b.devices[i].dma_mask_bits);
    }
    for (;;) {
        int ra = tr_next(&a, &ea, &err);
        if (ra < 0)
            fail_msg("%s", err.msg);
        int rb = tr_next(&b, &eb, &err);
        if (rb < 0)
            fail_msg("%s", err.msg);
        assert_int_equal(ra, rb);
        if (ra != 1)
            break;
        assert_same_event(&ea, &eb);
        n++;
    }
    tr_close(&a);
    tr_close(&b);
    return n;
}

/* Every op and field: odd and even segment counts, pas, max handle, raw
 * addresses at the top of the space, declarations with and without pe and
 * mask. */
static const char *const every_field =
    HDR
    "device id=0 rid=01:00.0 pe=1 dma_mask_bits=32\n"
    "device id=4095 rid=ff:1f.7\n"
    "device id=9 rid=02:00.1 dma_mask_bits=64\n"
    "0 cpu0 map dev=0 h=1 size=4096 dir=to_device pa=0x12345678\n"
    "0 cpu4095 map_sg dev=9 h=2 sizes=4096,1,3G dir=from_device pas=0x1000,0x3000,0xffff0000\n"
    "0 cpu1 map_sg dev=4095 h=3 sizes=8K,12K dir=bidirectional pas=0x10000,0x20000\n"
    "0 cpu0 alloc dev=0 h=18446744073709551615 size=4096 pa=0x200000\n"
    "3 dev9 write h=2 off=4097 len=1G\n"
    "3 dev4095 read h=3 off=0 len=20K\n"
    "3 dev0 write addr=0xffffffffffffffbf len=64\n"
    "7 cpu2 unmap h=2\n"
    "8 dev9 read h=2 off=0 len=1\n"
    "9 cpu3 free h=18446744073709551615\n"
    "9 cpu1 map dev=0 h=2 size=1 dir=bidirectional pa=0\n";

static void text_to_binary_to_text_keeps_every_event(void **state)
{
    convert_ok(WALK, "rt.bin");
    convert_ok("rt.bin", "rt.trace");
    assert_int_equal(assert_same_trace(WALK, "rt.bin"), 16);
    assert_int_equal(assert_same_trace(WALK, "rt.trace"), 16);

    write_file("t.trace", every_field);
    convert_ok("t.trace", "rt.bin");
    convert_ok("rt.bin", "rt.trace");
    assert_int_equal(assert_same_trace("t.trace", "rt.bin"), 11);
    assert_int_equal(assert_same_trace("t.trace", "rt.trace"), 11);
}

static void zst_suffix_compresses_either_format(void **state)
{
    write_file("t.trace", every_field);
    convert_ok("t.trace", "rt.bin.zst");
    convert_ok("rt.bin.zst", "rt.trace.zst");
    assert_int_equal(assert_same_trace("t.trace", "rt.bin.zst"), 11);
    assert_int_equal(assert_same_trace("t.trace", "rt.trace.zst"), 11);
    static const uint8_t zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
    size_t n;
    uint8_t *p = read_bytes("rt.bin.zst", &n);
    assert_memory_equal(p, zstd_magic, 4);
    free(p);
    p = read_bytes("rt.trace.zst", &n);
    assert_memory_equal(p, zstd_magic, 4);
    free(p);
    assert_int_equal(of_count_temps("rt.bin.zst"), 0);
}

/* A binary event's line is its record number, continuation records
 * counted. */
static void binary_line_is_the_record_number(void **state)
{
    write_file("t.trace", HDR "0 cpu0 map_sg dev=0 h=1 sizes=1,2,3 dir=to_device\n"
                              "1 dev0 read h=1 off=0 len=6\n");
    convert_ok("t.trace", "t.bin");
    tr_source s;
    tr_event ev;
    tr_error err;
    assert_int_equal(tr_open("t.bin", &s, &err), 0);
    assert_int_equal(tr_next(&s, &ev, &err), 1);
    assert_int_equal(ev.line, 1);
    assert_int_equal(tr_next(&s, &ev, &err), 1);
    assert_int_equal(ev.line, 4); /* after 1 + ceil(3/2) records */
    assert_int_equal(tr_next(&s, &ev, &err), 0);
    tr_close(&s);
}

/* The exact bytes FORMAT.md's tables describe. */
static void binary_layout_is_the_documented_one(void **state)
{
    write_file("t.trace", HDR "device id=5 rid=01:02.3 pe=7\n"
                              "16 cpu3 map dev=5 h=9 size=4096 dir=from_device pa=0xabc000\n"
                              "17 dev5 write h=9 off=8 len=64\n"
                              "18 cpu3 map_sg dev=5 h=10 sizes=1,2,3 dir=to_device pas=0x1000,0x2000,0x3000\n"
                              "19 dev5 read addr=0x1000 len=4\n");
    convert_ok("t.trace", "t.bin");
    size_t n;
    uint8_t *p = read_bytes("t.bin", &n);
    assert_int_equal(n, 32 + 16 + 6 * 40);
    static const uint8_t hdr[48] = {
        'T', 'C', 'E', 'S', 'I', 'M', 'T', 'R', 1, 0, 0, 0, 48, 0, 0, 0,
        40, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        5, 0, 0, 0, 0x13, 0x01, 0x01, 0, 7, 0, 0, 0, 0, 0, 0, 0,
    };
    assert_memory_equal(p, hdr, sizeof hdr);
    static const uint8_t map[40] = {
        0, 0x02 | (2 << 2), 0, 0, 3, 0, 5, 0, 16, 0, 0, 0, 0, 0, 0, 0,
        9, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0,
        0, 0xc0, 0xab, 0, 0, 0, 0, 0,
    };
    assert_memory_equal(p + 48, map, 40);
    static const uint8_t wr[40] = {
        6, 0x01, 0, 0, 5, 0, 5, 0, 17, 0, 0, 0, 0, 0, 0, 0,
        9, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0,
        64, 0, 0, 0, 0, 0, 0, 0,
    };
    assert_memory_equal(p + 88, wr, 40);
    static const uint8_t sg[3][40] = {
        { 1, 0x02 | 1 << 2, 3, 0, 3, 0, 5, 0, 18, 0, 0, 0, 0, 0, 0, 0,
          10, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0 },
        { 0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
          0, 0x10, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,
          0, 0x20, 0, 0, 0, 0, 0, 0 },
        { 0xff, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0,
          0, 0x30 },
    };
    assert_memory_equal(p + 128, sg, sizeof sg);
    static const uint8_t raw[40] = {
        5, 0, 0, 0, 5, 0, 5, 0, 19, 0, 0, 0, 0, 0, 0, 0,
        0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        4, 0, 0, 0, 0, 0, 0, 0,
    };
    assert_memory_equal(p + 248, raw, 40);
    free(p);
}

/* A declaration's domain (rid=DDDD:BB:DD.F): flag bit 2 and bytes 12-13;
 * bytes 14-15 stay reserved, and a domain without its flag is corruption. */
static void binary_declaration_keeps_the_domain(void **state)
{
    (void)state;
    write_file("t.trace", HDR "device id=1 rid=0030:01:00.0 dma_mask_bits=32\n"
                              "0 cpu0 map dev=1 h=1 size=4096 dir=to_device\n");
    convert_ok("t.trace", "t.bin");
    size_t n;
    uint8_t *p = read_bytes("t.bin", &n);
    static const uint8_t decl[16] = {1, 0, 0, 0, 0x00, 0x01, 0x02 | 0x04, 32, 0, 0, 0, 0, 0x30, 0, 0, 0};
    assert_memory_equal(p + 32, decl, sizeof decl);
    convert_ok("t.bin", "back.trace");
    size_t tn;
    uint8_t *t = read_bytes("back.trace", &tn);
    t[tn] = 0; /* read_bytes leaves room for it */
    assert_non_null(strstr((const char *)t, "device id=1 rid=0030:01:00.0 dma_mask_bits=32\n"));
    free(t);
    p[32 + 14] = 1;
    write_bytes("t.bin", p, n);
    expect_error("t.bin", "t.bin: offset 32: device declaration 0: reserved bits not 0");
    p[32 + 14] = 0;
    p[32 + 6] = 0x02; /* the domain without its flag */
    write_bytes("t.bin", p, n);
    expect_error("t.bin", "t.bin: offset 32: device declaration 0: reserved bits not 0");
    free(p);
}

/* ---- errors ---- */

/* Writes `every_field` as t.bin and returns its bytes for patching. */
static uint8_t *good_binary(size_t *n)
{
    write_file("t.trace", every_field);
    convert_ok("t.trace", "t.bin");
    return read_bytes("t.bin", n);
}

#define REC0 (32 + 3 * 16) /* every_field: first record's offset */

static void bad_magic_is_an_error(void **state)
{
    size_t n;
    uint8_t *p = good_binary(&n);
    p[0] = 'X';
    write_bytes("t.bin", p, n);
    expect_error("t.bin", "t.bin: offset 0: bad magic (not a tcesim binary trace)");
    write_file("t.bin", "tcesim-trace 1\n0 dev0 read addr=0 len=1\n");
    expect_error("t.bin", "t.bin: offset 0: bad magic (not a tcesim binary trace)");
    free(p);
}

static void other_version_is_an_error(void **state)
{
    size_t n;
    uint8_t *p = good_binary(&n);
    p[8] = 2;
    write_bytes("t.bin", p, n);
    expect_error("t.bin", "t.bin: offset 8: unsupported binary trace version 2 (this reader knows 1)");
    p[8] = 1;
    p[16] = 32;
    write_bytes("t.bin", p, n);
    expect_error("t.bin", "t.bin: offset 16: record size 32 (version 1 records are 40 bytes)");
    p[16] = 40;
    p[12] = 64;
    write_bytes("t.bin", p, n);
    expect_error("t.bin", "t.bin: offset 12: header size 64 (expected 80 for 3 devices)");
    free(p);
}

static void truncated_header_is_an_error(void **state)
{
    size_t n;
    uint8_t *p = good_binary(&n);
    write_bytes("t.bin", p, 0);
    expect_error("t.bin", "t.bin: offset 0: truncated header (0 of 32 bytes)");
    write_bytes("t.bin", p, 20);
    expect_error("t.bin", "t.bin: offset 20: truncated header (20 of 32 bytes)");
    write_bytes("t.bin", p, 32 + 16 + 5);
    expect_error("t.bin", "t.bin: offset 48: truncated device declaration 1 (5 of 16 bytes)");
    free(p);
}

static void truncated_record_names_its_offset(void **state)
{
    size_t n;
    uint8_t *p = good_binary(&n);
    /* records: map(1), map_sg(2) + 2 cont, map_sg(5) + 1 cont, alloc(7), ... */
    write_bytes("t.bin", p, REC0 + 7 * 40 + 12);
    expect_error("t.bin", "t.bin: offset 360: record 8: truncated record (12 of 40 bytes)");
    write_bytes("t.bin", p, REC0 + 2 * 40);
    expect_error("t.bin", "t.bin: offset 160: record 3: end of trace inside the map_sg of "
                          "record 2 (3 segments)");
    /* a whole number of records ends cleanly, with the events before it */
    write_bytes("t.bin", p, REC0 + 7 * 40);
    tr_error err;
    uint64_t events;
    assert_int_equal(read_all("t.bin", &err, &events), 0);
    assert_int_equal(events, 4);
    free(p);
}

static void corrupt_record_is_an_error(void **state)
{
    size_t n;
    uint8_t *p = good_binary(&n);
    p[REC0] = 7;
    write_bytes("t.bin", p, n);
    expect_error("t.bin", "t.bin: offset 80: record 1: unknown op 7 (corrupt record?)");
    p[REC0] = 0;
    p[REC0 + 1] |= 0x80;
    write_bytes("t.bin", p, n);
    expect_error("t.bin", "t.bin: offset 80: record 1: unknown flag bits (corrupt record?)");
    p[REC0 + 1] &= 0x7f;
    p[REC0 + 1] |= 3 << 2; /* dir 3 */
    write_bytes("t.bin", p, n);
    expect_error("t.bin", "t.bin: offset 80: record 1: bad dir 3");
    free(p);
    p = good_binary(&n);
    p[REC0 + 40 + 40] = 0; /* map_sg's first continuation turned into a map */
    write_bytes("t.bin", p, n);
    expect_error("t.bin", "t.bin: offset 160: record 3: expected a continuation record of the "
                          "map_sg of record 2 (3 segments), got op 0");
    free(p);
    p = good_binary(&n);
    p[REC0] = 0xff;
    write_bytes("t.bin", p, n);
    expect_error("t.bin", "t.bin: offset 80: record 1: continuation record without a map_sg");
    free(p);
    p = good_binary(&n);
    p[REC0 + 40 + 2] = 0; /* map_sg with 0 segments */
    write_bytes("t.bin", p, n);
    expect_error("t.bin", "t.bin: offset 120: record 2: bad segment count 0 (1..1024)");
    free(p);
}

/* The text reader's rules hold for binary records, with record numbers
 * where the text says lines. */
static void binary_records_obey_the_text_rules(void **state)
{
    size_t n;
    uint8_t *p = good_binary(&n);
    p[REC0 + 8] = 5; /* first event at 5 ns, the next at 0 */
    write_bytes("t.bin", p, n);
    expect_error("t.bin", "t.bin: offset 120: record 2: time goes backwards (0 < 5)");
    free(p);
    p = good_binary(&n);
    p[REC0 + 7 * 40 + 16] = 77; /* dev9 write h=2 -> h=77 */
    write_bytes("t.bin", p, n);
    expect_error("t.bin", "t.bin: offset 360: record 8: handle 77 was never mapped");
    free(p);
    p = good_binary(&n);
    p[REC0 + 10 * 40] = TR_FREE; /* record 11: unmap h=2 -> free h=2 */
    write_bytes("t.bin", p, n);
    expect_error("t.bin", "t.bin: offset 480: record 11: handle 2 was made by map_sg: use unmap");
    free(p);
    p = good_binary(&n);
    p[REC0 + 4] = 0x00;
    p[REC0 + 5] = 0x10; /* cpu 4096 */
    write_bytes("t.bin", p, n);
    expect_error("t.bin", "t.bin: offset 80: record 1: cpu 4096 out of range (must be < 4096)");
    free(p);

    write_file("t.trace", HDR "0 cpu0 map dev=0 h=1 size=4096 dir=to_device\n"
                              "0 cpu0 unmap h=1\n0 cpu0 unmap h=1\n");
    tr_error err;
    assert_int_equal(tr_convert("t.trace", "t.bin", &err), TCESIM_EINVAL);
    assert_string_equal(err.msg, "t.trace:4: handle 1 is already unmapped (line 3)");
}

static void corrupted_zstd_frame_is_an_error(void **state)
{
    write_file("t.trace", every_field);
    convert_ok("t.trace", "t.bin.zst");
    size_t n;
    uint8_t *p = read_bytes("t.bin.zst", &n);
    assert_true(n > 40);
    p[n / 2] ^= 0x5a;
    write_bytes("t.bin.zst", p, n);
    tr_error err = { { 0 } };
    uint64_t events;
    assert_int_equal(read_all("t.bin.zst", &err, &events), TCESIM_EINVAL);
    assert_non_null(strstr(err.msg, "t.bin.zst: "));
    assert_true(strstr(err.msg, "zstd") || strstr(err.msg, "offset"));
    p[n / 2] ^= 0x5a;
    write_bytes("t.bin.zst", p, n - 3);
    char want[128];
    snprintf(want, sizeof want, "t.bin.zst: compressed offset %zu: truncated zstd frame", n - 3);
    expect_error("t.bin.zst", want);
    write_bytes("t.bin.zst", "not zstd at all", 15);
    expect_error("t.bin.zst", "t.bin.zst: compressed offset 0: zstd: Unknown frame descriptor");
    free(p);
}

static void empty_or_missing_file_is_an_error(void **state)
{
    expect_error("nonexistent.bin", "nonexistent.bin: No such file or directory");
    expect_error("nonexistent.bin.zst", "nonexistent.bin.zst: No such file or directory");
    write_bytes("t.bin.zst", "", 0);
    expect_error("t.bin.zst", "t.bin.zst: offset 0: truncated header (0 of 32 bytes)");
}

/* ---- streaming ---- */

/* 300k events through one long-lived handle plus 16 reused ones: the
 * reader's state is the same size after the first thousand events as at
 * the end. */
static void binary_reader_memory_does_not_grow_with_records(void **state)
{
    gen_window_params gp = { .pattern = GEN_WINDOW_RANDOM, .window = 1 << 20, .size = 64,
                             .op = TR_READ, .count = 300000, .seed = 1 };
    tr_source src;
    tr_event ev;
    tr_error err;
    tr_writer *w;
    int rc;
    assert_int_equal(gen_window_open(&gp, &src, &err), 0);
    assert_int_equal(tr_writer_open("big.bin.zst", NULL, 0, &w, &err), 0);
    while ((rc = tr_next(&src, &ev, &err)) == 1) {
        assert_int_equal(tr_writer_put(w, &ev, &err), 0);
        if (ev.op == TR_READ && ev.off % 4096 == 0) { /* churn 16 other handles */
            tr_event m = { .time_ns = 0, .op = TR_MAP, .dev = 0, .handle = 100 + ev.off / 4096 % 16,
                           .size = 4096, .dir = TR_DIR_TO_DEVICE, .has_handle = true };
            tr_event u = { .time_ns = 0, .op = TR_UNMAP, .handle = m.handle, .has_handle = true };
            assert_int_equal(tr_writer_put(w, &m, &err), 0);
            assert_int_equal(tr_writer_put(w, &u, &err), 0);
        }
    }
    assert_int_equal(rc, 0);
    tr_close(&src);
    assert_int_equal(tr_writer_close(w, true, &err), 0);
    convert_ok("big.bin.zst", "big.bin");

    const char *files[] = { "big.bin", "big.bin.zst" };
    for (int f = 0; f < 2; f++) {
        uint64_t n = 0;
        size_t early = 0;
        assert_int_equal(tr_open(files[f], &src, &err), 0);
        while ((rc = tr_next(&src, &ev, &err)) == 1)
            if (++n == 1000)
                early = tr_binary_state_bytes(&src);
        if (rc)
            fail_msg("%s", err.msg);
        assert_true(n > 300000);
        assert_true(early > 0);
        assert_int_equal(tr_binary_state_bytes(&src), early);
        tr_close(&src);
    }
    remove("big.bin");
    remove("big.bin.zst");
}

/* ---- tr_convert ---- */

static void convert_leaves_no_output_on_error(void **state)
{
    tr_error err;
    remove("out.bin");
    write_file("t.trace", HDR "0 dev0 read addr=0 len=1\n5 dev0 read addr=0 len=1\n"
                              "4 dev0 read addr=0 len=1\n");
    assert_int_equal(tr_convert("t.trace", "out.bin", &err), TCESIM_EINVAL);
    assert_string_equal(err.msg, "t.trace:4: time goes backwards (4 < 5)");
    assert_int_equal(access("out.bin", F_OK), -1);
    assert_int_equal(of_count_temps("out.bin"), 0);

    /* an existing output stays as it was */
    write_file("out.bin", "old");
    assert_int_equal(tr_convert("t.trace", "out.bin", &err), TCESIM_EINVAL);
    size_t n;
    uint8_t *p = read_bytes("out.bin", &n);
    assert_int_equal(n, 3);
    free(p);
    remove("out.bin");

    assert_int_equal(tr_convert("t.trace", "out.json", &err), TCESIM_EINVAL);
    assert_string_equal(err.msg, "out.json: unknown trace format (expected .trace, .txt or .bin, "
                                 "optionally + .zst)");
    assert_int_equal(tr_convert("nonexistent.trace", "out.bin", &err), TCESIM_EINVAL); /* bad input: exit 2 */
    assert_int_equal(access("out.bin", F_OK), -1);
}

static void writer_rejects_an_event_no_reader_accepts(void **state)
{
    tr_writer *w;
    tr_error err;
    uint64_t sizes[2] = { 4096, 4096 };
    tr_event ev = { .time_ns = 1, .op = TR_MAP_SG, .handle = 1, .has_handle = true, .size = 4096,
                    .nsegs = 2, .seg_sizes = sizes };
    remove("rt.bin");
    assert_int_equal(tr_writer_open("rt.bin", NULL, 0, &w, &err), 0);
    assert_int_equal(tr_writer_put(w, &ev, &err), TCESIM_EINVAL);
    assert_string_equal(err.msg, "rt.bin: event map_sg at 1 ns: size 4096 is not the sum of "
                                 "sizes (8192)");
    ev = (tr_event){ .time_ns = 1, .op = TR_READ, .actor = 4096, .dev = 4096, .len = 1 };
    assert_int_equal(tr_writer_put(w, &ev, &err), TCESIM_EINVAL);
    assert_string_equal(err.msg, "rt.bin: event read at 1 ns: device 4096 out of range "
                                 "(must be < 4096)");
    assert_int_equal(tr_writer_close(w, false, &err), 0);
    assert_int_equal(access("rt.bin", F_OK), -1);
}

/* ---- tr_info ---- */

/* tests/data/walkthrough.trace by hand (FORMAT.md's example):
 * 16 events; reads 4096+1500+512+4096, writes 256+64+64+64; live at most 3
 * (h1, h2 at 0; h3 at 1000; h1 again at 1200); 4 KiB pages touched:
 * (h1#1, 0), (h2, 1), (h2, 3), raw 0x0800000012340, (h2, 0), (h3, 0),
 * (h1#2, 1) = 7 (the stale write repeats (h1#1, 0)); 64 KiB pages: each
 * instance's page 0 and the raw page = 5. */
static void info_counts_the_walkthrough(void **state)
{
    tr_info_result *r = malloc(sizeof *r);
    assert_non_null(r);
    tr_error err;
    const char *files[] = { WALK, "rt.bin.zst" };
    convert_ok(WALK, "rt.bin.zst");
    for (int f = 0; f < 2; f++) {
        if (tr_info(files[f], 12, r, &err))
            fail_msg("%s", err.msg);
        assert_int_equal(r->events, 16);
        static const uint64_t by_op[TR_OP_COUNT] = {
            [TR_MAP] = 2, [TR_MAP_SG] = 1, [TR_UNMAP] = 3, [TR_ALLOC] = 1,
            [TR_FREE] = 1, [TR_READ] = 4, [TR_WRITE] = 4,
        };
        assert_memory_equal(r->by_op, by_op, sizeof by_op);
        assert_int_equal(r->by_device[0], 13);
        assert_int_equal(r->by_device[1], 3);
        assert_int_equal(r->devices_used, 2);
        assert_int_equal(r->devices_declared, 2);
        assert_int_equal(r->by_cpu[0], 4);
        assert_int_equal(r->by_cpu[1], 4);
        assert_int_equal(r->cpus_used, 2);
        assert_int_equal(r->first_ns, 0);
        assert_int_equal(r->last_ns, 2200);
        assert_int_equal(r->span_ns, 2200);
        assert_int_equal(r->bytes_read, 10204);
        assert_int_equal(r->bytes_written, 448);
        assert_int_equal(r->bytes_moved, 10652);
        assert_int_equal(r->raw_accesses, 1);
        assert_int_equal(r->stale_accesses, 1);
        assert_int_equal(r->bytes_mapped, 4096 + 13788 + 65536 + 8192);
        assert_int_equal(r->live_peak, 3);
        assert_int_equal(r->live_end, 0);
        assert_int_equal(r->distinct_pages, 7);
        assert_false(r->distinct_pages_approx);
        assert_int_equal(tr_info(files[f], 16, r, &err), 0);
        assert_int_equal(r->distinct_pages, 5);
    }
    assert_int_equal(tr_info(WALK, 11, r, &err), TCESIM_EINVAL);
    assert_string_equal(err.msg, "page_shift: 11 out of range (12..30)");

    char *text = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&text, &len);
    assert_non_null(mf);
    assert_int_equal(tr_info(WALK, 12, r, &err), 0);
    tr_info_print(r, mf);
    fclose(mf);
    assert_non_null(strstr(text, "events:            16\n"));
    assert_non_null(strstr(text, "distinct IO pages: 7 of 4096 bytes\n"));
    free(text);
    free(r);
}

/* A pa's offset within the page shifts which pages an access touches. */
static void info_pages_follow_the_buffer_offset(void **state)
{
    tr_info_result *r = malloc(sizeof *r);
    tr_error err;
    assert_non_null(r);
    write_file("pages.trace", HDR "0 cpu0 map dev=0 h=1 size=8192 dir=to_device pa=0x10ff0\n"
                                  "1 dev0 read h=1 off=0 len=32\n");
    assert_int_equal(tr_info("pages.trace", 12, r, &err), 0);
    assert_int_equal(r->distinct_pages, 2); /* 0xff0..0x100f crosses a page */
    free(r);
}

/* Past TR_INFO_EXACT_PAGES the count is a HyperLogLog estimate, flagged. */
static void info_estimates_past_the_exact_bound(void **state)
{
    tr_info_result *r = malloc(sizeof *r);
    tr_error err;
    assert_non_null(r);
    /* 3 raw accesses of 400000 pages each, disjoint: 1.2 M pages */
    write_file("pages.trace", HDR "0 dev0 read addr=0 len=1638400000\n"
                                  "0 dev0 read addr=0x100000000 len=1638400000\n"
                                  "0 dev0 read addr=0x200000000 len=1638400000\n");
    assert_int_equal(tr_info("pages.trace", 12, r, &err), 0);
    assert_true(r->distinct_pages_approx);
    double e = (double)r->distinct_pages / 1200000.0;
    assert_true(e > 0.97 && e < 1.03);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_to_binary_to_text_keeps_every_event),
        cmocka_unit_test(zst_suffix_compresses_either_format),
        cmocka_unit_test(binary_line_is_the_record_number),
        cmocka_unit_test(binary_layout_is_the_documented_one),
        cmocka_unit_test(binary_declaration_keeps_the_domain),
        cmocka_unit_test(bad_magic_is_an_error),
        cmocka_unit_test(other_version_is_an_error),
        cmocka_unit_test(truncated_header_is_an_error),
        cmocka_unit_test(truncated_record_names_its_offset),
        cmocka_unit_test(corrupt_record_is_an_error),
        cmocka_unit_test(binary_records_obey_the_text_rules),
        cmocka_unit_test(corrupted_zstd_frame_is_an_error),
        cmocka_unit_test(empty_or_missing_file_is_an_error),
        cmocka_unit_test(binary_reader_memory_does_not_grow_with_records),
        cmocka_unit_test(convert_leaves_no_output_on_error),
        cmocka_unit_test(writer_rejects_an_event_no_reader_accepts),
        cmocka_unit_test(info_counts_the_walkthrough),
        cmocka_unit_test(info_pages_follow_the_buffer_offset),
        cmocka_unit_test(info_estimates_past_the_exact_bound),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
