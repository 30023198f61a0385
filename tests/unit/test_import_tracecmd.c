/* Import of trace-cmd reports (traces/import_tracecmd.h): the shipped sample
 * against its expected trace, byte for byte; the line parser on both header
 * styles, both timestamp precisions and both array styles; every unusable
 * reason; the map_sg reconstruction rule; handle reuse; the access model.
 * Tests run in a fresh temporary directory. */
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
#include "import_tracecmd.h"
#include "outfile.h"
#include "trace.h"

typedef struct fixture {
    char dir[64];
    char oldcwd[4096];
} fixture;

static const char *const scratch_files[] = {"r.txt", "out.trace", "out.bin",
                                            "out.bin.zst"};

static int group_setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    strcpy(fx->dir, "/tmp/tcesim-import-XXXXXX");
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

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *nb = realloc(buf, 2 * cap + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    *len = n;
    return buf;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* Imports text with params p (NULL: defaults); returns the output trace. */
static char *import_text(const char *text, const import_params *p, import_stats *st)
{
    tr_error err = {{0}};
    size_t len;
    write_file("r.txt", text);
    int rc = import_tracecmd("r.txt", p, "out.trace", st, &err);
    if (rc)
        print_error("%s\n", err.msg);
    assert_int_equal(rc, 0);
    char *out = slurp("out.trace", &len);
    assert_non_null(out);
    return out;
}

/* Lines of the output after the header and device declarations. */
static const char *events_of(const char *trace)
{
    const char *p = trace;
    while (*p && (strncmp(p, "tcesim-trace", 12) == 0 || strncmp(p, "device ", 7) == 0)) {
        p = strchr(p, '\n');
        if (!p)
            return "";
        p++;
    }
    return p;
}

/* A report line in trace-cmd's shape (no flags column). */
#define EV(cpu, ts, name, text) "            nvme-1234  [00" #cpu "] " ts ": " name ": " text "\n"

static void sample_report_imports_to_expected_trace(void **state)
{
    (void)state;
    tr_error err = {{0}};
    import_stats st;
    size_t got_len, want_len;
    int rc = import_tracecmd(TCESIM_TEST_DATA "/tracecmd_sample.txt", NULL, "out.trace", &st, &err);
    if (rc)
        print_error("%s\n", err.msg);
    assert_int_equal(rc, 0);
    char *got = slurp("out.trace", &got_len);
    char *want = slurp(TCESIM_TEST_DATA "/tracecmd_sample.expected.trace", &want_len);
    assert_non_null(got);
    assert_non_null(want);
    if (got_len != want_len || memcmp(got, want, got_len) != 0)
        print_error("got:\n%s\nwant:\n%s\n", got, want);
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, got_len);
    free(got);
    free(want);

    /* Every line is accounted for: written or counted under one reason. */
    assert_int_equal(st.lines, 27);
    assert_int_equal(st.skipped[IMP_SKIP_NOT_EVENT], 3);
    assert_int_equal(st.skipped[IMP_SKIP_LOST_EVENTS], 1);
    assert_int_equal(st.skipped[IMP_SKIP_BAD_TIME], 1);
    assert_int_equal(st.skipped[IMP_SKIP_OTHER_EVENT], 2);
    assert_int_equal(st.skipped[IMP_SKIP_NO_EFFECT], 1);
    assert_int_equal(st.skipped[IMP_SKIP_MALFORMED], 1);
    assert_int_equal(st.skipped[IMP_SKIP_NOT_PCI], 1);
    assert_int_equal(st.skipped[IMP_SKIP_FAILED], 1);
    assert_int_equal(st.skipped[IMP_SKIP_TRUNCATED], 1);
    assert_int_equal(st.skipped[IMP_SKIP_UNKNOWN_UNMAP], 1);
    assert_int_equal(st.first_line[IMP_SKIP_UNKNOWN_UNMAP], 15);
    assert_int_equal(st.ops[TR_MAP], 4);
    assert_int_equal(st.ops[TR_MAP_SG], 2);
    assert_int_equal(st.ops[TR_ALLOC], 1);
    assert_int_equal(st.ops[TR_UNMAP], 6);
    assert_int_equal(st.ops[TR_FREE], 1);
    assert_int_equal(st.devices, 3);
    assert_int_equal(st.bypass_devices, 1);
    assert_int_equal(st.sg_reconstructed, 2);
    assert_int_equal(st.live_at_end, 0);
    uint64_t used = st.ops[TR_MAP] + st.ops[TR_MAP_SG] + st.ops[TR_ALLOC] + st.ops[TR_UNMAP] +
                    st.ops[TR_FREE];
    uint64_t skipped = 0;
    for (int i = 0; i < IMP_SKIP_COUNT; i++)
        skipped += st.skipped[i];
    assert_int_equal(used + skipped, st.lines);

    /* The summary names each reason with its count. */
    char buf[4096] = {0};
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    assert_non_null(f);
    import_stats_print(&st, f);
    fclose(f);
    assert_non_null(strstr(buf, "27 lines read, 13 not used"));
    assert_non_null(strstr(buf, "unmap or free of no live mapping (first: line 15)"));
}

static void sample_imports_into_a_trace_the_reader_accepts(void **state)
{
    (void)state;
    tr_error err = {{0}};
    assert_int_equal(import_tracecmd(TCESIM_TEST_DATA "/tracecmd_sample.txt", NULL, "out.trace",
                                     NULL, &err), 0);
    tr_source src = {0};
    assert_int_equal(tr_open("out.trace", &src, &err), 0);
    tr_event ev;
    int rc, n = 0;
    while ((rc = tr_next(&src, &ev, &err)) == 1)
        n++;
    if (rc)
        print_error("%s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(n, 21);
    assert_int_equal(src.ndevices, 3);
    tr_close(&src);
}

static void output_format_follows_the_file_name(void **state)
{
    (void)state;
    tr_error err = {{0}};
    static const char *const names[] = {"out.bin", "out.bin.zst"};
    for (size_t i = 0; i < 2; i++) {
        int rc = import_tracecmd(TCESIM_TEST_DATA "/tracecmd_sample.txt", NULL, names[i], NULL,
                                 &err);
        if (rc)
            print_error("%s\n", err.msg);
        assert_int_equal(rc, 0);
        tr_source src = {0};
        assert_int_equal(tr_open(names[i], &src, &err), 0);
        tr_event ev;
        int n = 0;
        while ((rc = tr_next(&src, &ev, &err)) == 1)
            n++;
        assert_int_equal(rc, 0);
        assert_int_equal(n, 21);
        tr_close(&src);
    }
}

static void missing_report_is_an_error_naming_the_file(void **state)
{
    (void)state;
    tr_error err = {{0}};
    remove("out.trace");
    int rc = import_tracecmd("no-such-report.txt", NULL, "out.trace", NULL, &err);
    assert_int_equal(rc, TCESIM_EINVAL); /* bad input: exit 2 */
    assert_non_null(strstr(err.msg, "no-such-report.txt: "));
    assert_null(fopen("out.trace", "r"));
    assert_int_equal(of_count_temps("out.trace"), 0);
}

static void bad_params_are_errors(void **state)
{
    (void)state;
    import_params p;
    tr_error err = {{0}};
    write_file("r.txt", "cpus=1\n");
    import_params_default(&p);
    p.sg_page_bytes = 3000;
    assert_int_equal(import_tracecmd("r.txt", &p, "out.trace", NULL, &err), TCESIM_EINVAL);
    assert_non_null(strstr(err.msg, "sg_page_bytes"));
    import_params_default(&p);
    p.dma_mask_bits = 65;
    assert_int_equal(import_tracecmd("r.txt", &p, "out.trace", NULL, &err), TCESIM_EINVAL);
}

/* ---- The line parser ---- */

static void parser_reads_both_header_styles(void **state)
{
    (void)state;
    import_parser *ps = import_parser_new();
    import_line l;
    import_skip why;
    const char *text = "0030:01:00.0 dir=TO_DEVICE dma_addr=80001000 size=4096 "
                       "phys_addr=2001000 attrs=";
    char line[512];

    /* trace-cmd report: "%16s-%-5d [%03d] %5llu.%06llu: %s: " */
    snprintf(line, sizeof line, "     kworker/0:1-123   [002] 12345.678901: dma_map_page:         %s",
             text);
    assert_int_equal(import_parse_line(ps, line, &l, &why), 1);
    assert_int_equal(l.cpu, 2);
    assert_false(l.has_flags);
    assert_int_equal(l.ts_ns, 12345678901000ull);
    assert_int_equal(l.kind, IMPORT_MAP);
    assert_int_equal(l.domain, 0x30);
    assert_int_equal(l.rid, 0x0100);
    assert_int_equal(l.dir, TR_DIR_TO_DEVICE);
    assert_int_equal(l.dma_addr, 0x80001000);
    assert_int_equal(l.size, 4096);
    assert_true(l.has_phys);
    assert_int_equal(l.phys, 0x2001000);

    /* newer trace-cmd: flags column after the cpu */
    snprintf(line, sizeof line, "     kworker/0:1-123   [002] d..1. 12345.678901: dma_map_phys: %s",
             text);
    assert_int_equal(import_parse_line(ps, line, &l, &why), 1);
    assert_int_equal(l.cpu, 2);
    assert_true(l.has_flags);
    assert_int_equal(l.ts_ns, 12345678901000ull);

    /* report -l: "%8.8s-%-5d %3d" then the flags, no space */
    snprintf(line, sizeof line, "kworker/-123    17d..1 12345.678901: dma_map_page: %s", text);
    assert_int_equal(import_parse_line(ps, line, &l, &why), 1);
    assert_int_equal(l.cpu, 17);
    assert_true(l.has_flags);

    /* a comm with spaces and a pid of 7 digits */
    snprintf(line, sizeof line, "Web Content-1234567 [011] 1.000001: dma_map_page: %s", text);
    assert_int_equal(import_parse_line(ps, line, &l, &why), 1);
    assert_int_equal(l.cpu, 11);
    assert_int_equal(l.ts_ns, 1000001000ull);
    import_parser_free(ps);
}

static void parser_converts_timestamps_exactly(void **state)
{
    (void)state;
    import_parser *ps = import_parser_new();
    import_line l;
    import_skip why;
    const char *tail = ": dma_unmap_page: 0000:00:01.0 dir=TO_DEVICE dma_addr=1000 size=1 attrs=";
    char line[256];
    static const struct { const char *ts; uint64_t ns; } cases[] = {
        {"0.000001", 1000},                       /* microseconds (default report) */
        {"98765.432109876", 98765432109876ull},   /* nanoseconds (report -t) */
        {"18446744072.999999999", 18446744072999999999ull},
        {"3.5", 3500000000ull},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(line, sizeof line, "  a-1 [000] %s%s", cases[i].ts, tail);
        assert_int_equal(import_parse_line(ps, line, &l, &why), 1);
        assert_int_equal(l.ts_ns, cases[i].ns);
    }
    snprintf(line, sizeof line, "  a-1 [000] 1.0000000001%s", tail);   /* 10 decimals */
    assert_int_equal(import_parse_line(ps, line, &l, &why), 0);
    assert_int_equal(why, IMP_SKIP_BAD_TIME);
    snprintf(line, sizeof line, "  a-1 [000] 123456%s", tail);   /* counter clock */
    assert_int_equal(import_parse_line(ps, line, &l, &why), 0);
    assert_int_equal(why, IMP_SKIP_BAD_TIME);
    import_parser_free(ps);
}

static void parser_reads_both_array_styles(void **state)
{
    (void)state;
    import_parser *ps = import_parser_new();
    import_line l;
    import_skip why;
    /* space-separated decimals: libtraceevent <= 1.8.3's __print_array, which
     * the dma: events never reach there (they fail to parse: see the raw
     * test); still accepted */
    assert_int_equal(import_parse_line(ps,
        "  a-1 [000] 1.000000: dma_map_sg: 0001:02:03.4 dir=FROM_DEVICE dma_addrs=4096 12288 "
        "sizes=8192 100 phys_addrs=65536 69632 131072 attrs=WEAK_ORDERING", &l, &why), 1);
    assert_int_equal(l.kind, IMPORT_MAP_SG);
    assert_int_equal(l.domain, 1);
    assert_int_equal(l.rid, 0x0200 | 3 << 3 | 4);
    assert_int_equal(l.dir, TR_DIR_FROM_DEVICE);
    assert_int_equal(l.ndma, 2);
    assert_int_equal(l.nphys, 3);
    assert_int_equal(l.dma_addrs[1], 12288);
    assert_int_equal(l.lens[0], 8192);
    assert_int_equal(l.phys_addrs[2], 131072);
    assert_int_equal(l.size, 8292);

    /* kernel / libtraceevent >= 1.8.4: {0x..,0x..}; newer kernels: nents/ents */
    assert_int_equal(import_parse_line(ps,
        "  a-1 [000] d..1. 1.000000: dma_map_sg: 0001:02:03.4 dir=TO_DEVICE nents=3/3 ents=2/2 "
        "dma_addrs={0x1000,0x3000} sizes={0x2000,0x64} phys_addrs={0x10000,0x11000,0x20000} "
        "attrs=", &l, &why), 1);
    assert_int_equal(l.ndma, 2);
    assert_int_equal(l.nphys, 3);
    assert_int_equal(l.dma_addrs[1], 0x3000);
    assert_int_equal(l.lens[1], 100);
    assert_int_equal(l.phys_addrs[1], 0x11000);

    /* counts that disagree with nents/ents are malformed */
    assert_int_equal(import_parse_line(ps,
        "  a-1 [000] 1.000000: dma_map_sg: 0001:02:03.4 dir=TO_DEVICE nents=2/2 ents=1/1 "
        "dma_addrs={0x1000} sizes={0x10} phys_addrs={0x10000} attrs=", &l, &why), 0);
    assert_int_equal(why, IMP_SKIP_MALFORMED);

    /* dma_unmap_sg prints physical addresses */
    assert_int_equal(import_parse_line(ps,
        "  a-1 [000] 1.000000: dma_unmap_sg: 0001:02:03.4 dir=TO_DEVICE phys_addrs={0x10000,0x11000} "
        "attrs=", &l, &why), 1);
    assert_int_equal(l.kind, IMPORT_UNMAP_SG);
    assert_int_equal(l.nphys, 2);
    assert_int_equal(l.phys_addrs[0], 0x10000);
    import_parser_free(ps);
}

/* libtraceevent <= 1.8.3: "[FAILED TO PARSE]" and the raw fields, arrays as
 * their bytes in the traced kernel's order, u64 scalars in decimal. */
static void parser_reads_raw_failed_to_parse_fields(void **state)
{
    (void)state;
    import_parser *ps = import_parser_new();
    import_line l;
    import_skip why;
    /* newer layout, little-endian: phys 0x10000 0x11000, dma 0x1000, len 0x2000 */
    const char *le =
        "  a-1 [000] 1.000000: dma_map_sg: [FAILED TO PARSE] device=0001:02:03.4 full_nents=2 "
        "full_ents=1 truncated=0 phys_addrs=ARRAY[00, 00, 01, 00, 00, 00, 00, 00, 00, 10, 01, 00, "
        "00, 00, 00, 00] dma_addrs=ARRAY[00, 10, 00, 00, 00, 00, 00, 00] lengths=ARRAY[00, 20, 00, "
        "00] dir=1 attrs=0x0";
    assert_int_equal(import_parse_line(ps, le, &l, &why), 1);
    assert_true(l.raw);
    assert_int_equal(l.kind, IMPORT_MAP_SG);
    assert_int_equal(l.rid, 0x0200 | 3 << 3 | 4);
    assert_int_equal(l.dir, TR_DIR_TO_DEVICE);
    assert_int_equal(l.nphys, 2);
    assert_int_equal(l.phys_addrs[1], 0x11000);
    assert_int_equal(l.dma_addrs[0], 0x1000);
    assert_int_equal(l.lens[0], 0x2000);
    assert_int_equal(l.size, 0x2000);
    /* the same bytes read big-endian are other numbers */
    import_parser_set_big_endian(ps, true);
    assert_int_equal(import_parse_line(ps, le, &l, &why), 1);
    assert_int_equal(l.lens[0], 0x00200000);
    /* 6.12 layout, big-endian, no counts */
    assert_int_equal(import_parse_line(ps,
        "  a-1 [000] 1.000000: dma_map_sg: [FAILED TO PARSE] device=0001:02:03.4 "
        "phys_addrs=ARRAY[00, 00, 00, 00, 00, 01, 00, 00] dma_addrs=ARRAY[00, 00, 00, 00, 00, 00, "
        "10, 00] lengths=ARRAY[00, 00, 10, 00] dir=2 attrs=0x0", &l, &why), 1);
    assert_int_equal(l.phys_addrs[0], 0x10000);
    assert_int_equal(l.dma_addrs[0], 0x1000);
    assert_int_equal(l.lens[0], 0x1000);
    assert_int_equal(l.dir, TR_DIR_FROM_DEVICE);
    /* dma_unmap_sg's raw array is addrs=; dma_alloc_sgt's dma_addr is decimal */
    assert_int_equal(import_parse_line(ps,
        "  a-1 [000] 1.000000: dma_unmap_sg: [FAILED TO PARSE] device=0001:02:03.4 "
        "addrs=ARRAY[00, 00, 00, 00, 00, 01, 00, 00] dir=2 attrs=0x0", &l, &why), 1);
    assert_int_equal(l.kind, IMPORT_UNMAP_SG);
    assert_int_equal(l.phys_addrs[0], 0x10000);
    assert_int_equal(import_parse_line(ps,
        "  a-1 [000] 1.000000: dma_alloc_sgt: [FAILED TO PARSE] device=0001:02:03.4 "
        "phys_addrs=ARRAY[00, 00, 00, 00, 0a, 00, 00, 00] dma_addr=4295229440 size=8192 dir=1 "
        "flags=3264 attrs=0x0", &l, &why), 1);
    assert_int_equal(l.kind, IMPORT_ALLOC);
    assert_int_equal(l.dma_addr, 0x100040000ull);
    assert_true(l.has_phys);
    assert_int_equal(l.phys, 0xa000000);
    /* broken dumps are malformed, never a crash */
    static const char *const bad[] = {
        "  a-1 [000] 1.000000: dma_unmap_sg: [FAILED TO PARSE] device=0001:02:03.4 "
        "addrs=ARRAY[00, 00, 00] dir=2 attrs=0x0",                     /* not a whole u64 */
        "  a-1 [000] 1.000000: dma_unmap_sg: [FAILED TO PARSE] device=0001:02:03.4 "
        "addrs=ARRAY[00, 00, 00, 00, 00, 01, 00, 0g] dir=2 attrs=0x0", /* not hex */
        "  a-1 [000] 1.000000: dma_unmap_sg: [FAILED TO PARSE] device=0001:02:03.4 "
        "addrs=ARRAY[] dir=2 attrs=0x0",                               /* empty */
        "  a-1 [000] 1.000000: dma_unmap_sg: [FAILED TO PARSE] addrs=ARRAY[00, 00, 00, 00, 00, 01, "
        "00, 00] dir=2 attrs=0x0",                                     /* no device */
        "  a-1 [000] 1.000000: dma_map_sg: [FAILED TO PARSE] device=0001:02:03.4 full_nents=1 "
        "full_ents=1 phys_addrs=ARRAY[00, 00, 00, 00, 00, 01, 00, 00] dma_addrs=ARRAY[00, 00, 00, "
        "00, 00, 00, 10, 00] lengths=ARRAY[00, 00, 10, 00] dir=1 attrs=0x0", /* no truncated= */
        "  a-1 [000] 1.000000: dma_map_sg: [FAILED TO PARSE] device=0001:02:03.4 "
        "phys_addrs=ARRAY[00, 00, 00, 00, 00, 01, 00, 00] dma_addrs=ARRAY[00, 00, 00, 00, 00, 00, "
        "10, 00] lengths=ARRAY[00, 00, 10, 00] dir=3 attrs=0x0",      /* DMA_NONE */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(import_parse_line(ps, bad[i], &l, &why), 0);
        assert_int_equal(why, IMP_SKIP_MALFORMED);
    }
    import_parser_free(ps);
}

/* The kernel's own trace file and perf script have the same columns. */
static void parser_reads_ftrace_file_and_perf_script_lines(void **state)
{
    (void)state;
    import_parser *ps = import_parser_new();
    import_line l;
    import_skip why;
    assert_int_equal(import_parse_line(ps, "# tracer: nop", &l, &why), 0);
    assert_int_equal(why, IMP_SKIP_NOT_EVENT);
    assert_int_equal(import_parse_line(ps,
        "     kworker/3:1-99      [003] d..1.  5000.000120: dma_unmap_phys: 0030:02:00.0 "
        "dir=BIDIRECTIONAL dma_addr=90000000 size=65536 attrs=", &l, &why), 1);
    assert_int_equal(l.cpu, 3);
    assert_int_equal(l.ts_ns, 5000000120000ull);
    assert_int_equal(l.kind, IMPORT_UNMAP);
    assert_int_equal(import_parse_line(ps,
        "            nvme   1234 [001]  5000.000100: dma:dma_map_phys:        0030:01:00.0 "
        "dir=TO_DEVICE dma_addr=80001000 size=4096 phys_addr=2001000 attrs=", &l, &why), 1);
    assert_int_equal(l.cpu, 1);
    assert_int_equal(l.kind, IMPORT_MAP);
    assert_int_equal(l.phys, 0x2001000);
    import_parser_free(ps);
}

/* nents=128/N ents=128/M [TRUNCATED]: completed, the hidden bytes counted. */
static void truncated_map_sg_is_completed_and_counted(void **state)
{
    (void)state;
    char phys[128 * 12 + 8], dma[128 * 20 + 8], lens[128 * 8 + 8], line[8192];
    size_t np = 0, nd = 0, nl = 0;
    for (int i = 0; i < 128; i++) {
        np += (size_t)sprintf(phys + np, "%s0x%x", i ? "," : "", 0x100000 + 0x1000 * i);
        nd += (size_t)sprintf(dma + nd, "%s0x%x", i ? "," : "", 0x80000000u + 0x1000u * (unsigned)i);
        nl += (size_t)sprintf(lens + nl, "%s0x1000", i ? "," : "");
    }
    snprintf(line, sizeof line,
             "  a-1 [000] 1.000000: dma_map_sg: 0000:01:00.0 dir=TO_DEVICE nents=128/131 "
             "ents=128/131 [TRUNCATED] dma_addrs={%s} sizes={%s} phys_addrs={%s} attrs=\n",
             dma, lens, phys);
    import_params p;
    import_stats st;
    import_params_default(&p);
    p.access = IMPORT_ACCESS_NONE;
    char *out = import_text(line, &p, &st);
    assert_int_equal(st.ops[TR_MAP_SG], 1);
    assert_int_equal(st.sg_truncated, 1);
    assert_int_equal(st.guessed_bytes, 3 * 4096);
    assert_int_equal(st.skipped[IMP_SKIP_TRUNCATED], 0);
    /* the three hidden inputs follow the last printed pa */
    assert_non_null(strstr(out, ",0x17f000,0x180000,0x181000,0x182000\n"));
    free(out);
    /* counts the arrays contradict: skipped as truncated */
    import_parser *ps = import_parser_new();
    import_line l;
    import_skip why;
    assert_int_equal(import_parse_line(ps,
        "  a-1 [000] 1.000000: dma_map_sg: 0000:01:00.0 dir=TO_DEVICE nents=128/131 ents=1/1 "
        "[TRUNCATED] dma_addrs={0x1000} sizes={0x10} phys_addrs={0x1000} attrs=", &l, &why), 0);
    assert_int_equal(why, IMP_SKIP_TRUNCATED);
    import_parser_free(ps);
}

static void parser_reads_alloc_free_of_both_eras(void **state)
{
    (void)state;
    import_parser *ps = import_parser_new();
    import_line l;
    import_skip why;
    /* 6.12: no dir, a phys_addr */
    assert_int_equal(import_parse_line(ps, "  a-1 [000] 1.000000: dma_alloc: 0000:01:00.0 "
        "dma_addr=80100000 size=16384 phys_addr=8000000 flags=GFP_KERNEL attrs=", &l, &why), 1);
    assert_int_equal(l.kind, IMPORT_ALLOC);
    assert_false(l.has_dir);
    assert_true(l.has_phys);
    /* newer: dir, virt_addr, no physical address */
    assert_int_equal(import_parse_line(ps, "  a-1 [000] 1.000000: dma_alloc_pages: 0000:01:00.0 "
        "dir=FROM_DEVICE dma_addr=80100000 size=16384 virt_addr=0xc000000008000000 "
        "flags=GFP_KERNEL attrs=", &l, &why), 1);
    assert_int_equal(l.kind, IMPORT_ALLOC);
    assert_true(l.has_dir);
    assert_int_equal(l.dir, TR_DIR_FROM_DEVICE);
    assert_false(l.has_phys);
    /* dma_alloc_sgt: one chunk gives its pa */
    assert_int_equal(import_parse_line(ps, "  a-1 [000] 1.000000: dma_alloc_sgt: 0000:01:00.0 "
        "dir=BIDIRECTIONAL dma_addr=80200000 size=8192 phys_addrs={0x9000000} flags=GFP_KERNEL "
        "attrs=", &l, &why), 1);
    assert_true(l.has_phys);
    assert_int_equal(l.phys, 0x9000000);
    assert_int_equal(import_parse_line(ps, "  a-1 [000] 1.000000: dma_free_sgt: 0000:01:00.0 "
        "dir=BIDIRECTIONAL dma_addr=80200000 size=8192 phys_addrs={0x9000000}", &l, &why), 1);
    assert_int_equal(l.kind, IMPORT_FREE);
    import_parser_free(ps);
}

static void parser_counts_each_unusable_reason(void **state)
{
    (void)state;
    import_parser *ps = import_parser_new();
    import_line l;
    import_skip why;
    static const struct { const char *line; import_skip why; } cases[] = {
        {"cpus=8", IMP_SKIP_NOT_EVENT},
        {"", IMP_SKIP_NOT_EVENT},
        {"CPU:3 [1234 EVENTS DROPPED]", IMP_SKIP_LOST_EVENTS},
        {"  a-1 [000] 42: dma_unmap_page: 0000:01:00.0 dir=TO_DEVICE dma_addr=1 size=1 attrs=",
         IMP_SKIP_BAD_TIME},
        {"  a-1 [000] 1.000000: sched_switch: prev_comm=a prev_pid=1", IMP_SKIP_OTHER_EVENT},
        {"  a-1 [000] 1.000000: map: IOMMU: iova=0x1000 - 0x2000 paddr=0x1000 size=4096",
         IMP_SKIP_OTHER_EVENT},
        {"  a-1 [000] 1.000000: dma_sync_sg_for_device: 0000:01:00.0 dir=TO_DEVICE "
         "dma_addrs={0x1000} sizes={0x10}", IMP_SKIP_NO_EFFECT},
        {"  a-1 [000] 1.000000: dma_map_page: 0000:01:00.0 dir=TO_DEVICE dma_addr=q size=1 "
         "phys_addr=1 attrs=", IMP_SKIP_MALFORMED},
        {"  a-1 [000] 1.000000: dma_map_page: 0000:01:00.0 dir=NONE dma_addr=1000 size=1 "
         "phys_addr=1 attrs=", IMP_SKIP_MALFORMED},
        {"  a-1 [000] 1.000000: dma_map_page: 0000:01:00.0 dir=TO_DEVICE dma_addr=1000 size=0 "
         "phys_addr=1 attrs=", IMP_SKIP_MALFORMED},
        {"  a-1 [000] 1.000000: dma_map_page: 0000:01:20.0 dir=TO_DEVICE dma_addr=1000 size=1 "
         "phys_addr=1 attrs=", IMP_SKIP_NOT_PCI},   /* device 0x20 > 0x1f */
        {"  a-1 [000] 1.000000: dma_map_page: nvme0 dir=TO_DEVICE dma_addr=1000 size=1 "
         "phys_addr=1 attrs=", IMP_SKIP_NOT_PCI},
        {"  a-1 [000] 1.000000: dma_map_phys: 0000:01:00.0 dir=TO_DEVICE dma_addr=ffffffffffffffff "
         "size=1 phys_addr=1 attrs=", IMP_SKIP_FAILED},
        {"  a-1 [000] 1.000000: dma_alloc: 0000:01:00.0 dir=BIDIRECTIONAL dma_addr=0 size=4096 "
         "virt_addr=(nil) flags=GFP_KERNEL attrs=", IMP_SKIP_FAILED},
        {"  a-1 [000] 1.000000: dma_map_sg_err: 0000:01:00.0 dir=TO_DEVICE dma_addrs={0x1000} "
         "err=-22 attrs=", IMP_SKIP_FAILED},
        {"  a-1 [000] 1.000000: dma_map_sg: 0000:01:00.0 dir=TO_DEVICE nents=128/129 ents=1/1 "
         "[TRUNCATED] dma_addrs={0x1000} sizes={0x10} phys_addrs={0x1000} attrs=",
         IMP_SKIP_TRUNCATED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        why = IMP_SKIP_COUNT;
        int rc = import_parse_line(ps, cases[i].line, &l, &why);
        if (rc != 0 || why != cases[i].why)
            print_error("case %zu: rc %d why %d (%s)\n", i, rc, (int)why, cases[i].line);
        assert_int_equal(rc, 0);
        assert_int_equal(why, cases[i].why);
    }
    for (int i = 0; i < IMP_SKIP_COUNT; i++)
        assert_string_not_equal(import_skip_name((import_skip)i), "?");
    import_parser_free(ps);
}

/* Reasons only the import can judge: unknown unmaps, domains, map_sg
 * shapes; each counted with its first line. */
static void import_counts_state_dependent_reasons(void **state)
{
    (void)state;
    import_stats st;
    import_params p;
    char *out = import_text(
        EV(0, "1.000000", "dma_unmap_page", "0000:01:00.0 dir=TO_DEVICE dma_addr=1000 size=1 attrs=")
        EV(0, "1.000001", "dma_map_page", "0000:01:00.0 dir=TO_DEVICE dma_addr=1000 size=1 phys_addr=1 attrs=")
        EV(0, "1.000003", "dma_free", "0000:01:00.0 dma_addr=1000 size=1 phys_addr=1 attrs=")
        EV(0, "1.000004", "dma_map_sg", "0000:01:00.0 dir=TO_DEVICE dma_addrs=4096 sizes=4096 phys_addrs=4096 8192 attrs=")
        EV(0, "1.000005", "dma_unmap_sg", "0000:02:00.0 dir=TO_DEVICE phys_addrs=4096 attrs="),
        NULL, &st);
    assert_int_equal(st.skipped[IMP_SKIP_UNKNOWN_UNMAP], 3);   /* before map, wrong class, no device */
    assert_int_equal(st.first_line[IMP_SKIP_UNKNOWN_UNMAP], 1);
    assert_int_equal(st.skipped[IMP_SKIP_SG_SHAPE], 1);      /* 2 inputs in one 4K page */
    assert_int_equal(st.live_at_end, 1);
    /* the domain rides on the RID: it sets the run's phb.domain */
    assert_non_null(strstr(out, "device id=0 rid=0000:01:00.0 pe=1 dma_mask_bits=32\n"));
    free(out);

    import_params_default(&p);
    p.domain = 1;
    out = import_text(
        EV(0, "1.000001", "dma_map_page", "0000:01:00.0 dir=TO_DEVICE dma_addr=1000 size=1 phys_addr=1 attrs=")
        EV(0, "1.000002", "dma_map_page", "0001:01:00.0 dir=TO_DEVICE dma_addr=1000 size=1 phys_addr=2 attrs="),
        &p, &st);
    assert_int_equal(st.skipped[IMP_SKIP_OTHER_DOMAIN], 1);
    assert_int_equal(st.first_line[IMP_SKIP_OTHER_DOMAIN], 1);
    assert_non_null(strstr(out, "device id=0 rid=0001:01:00.0 pe=1 dma_mask_bits=32\n"));
    free(out);
}

/* A trace is one PHB and a PHB one PCI domain: a report with devices of two
 * domains is refused, naming both, unless --domain picks one. */
static void import_refuses_two_domains(void **state)
{
    (void)state;
    tr_error err = {{0}};
    import_stats st;
    write_file("r.txt", EV(0, "1.000001", "dma_map_page", "0030:01:00.0 dir=TO_DEVICE dma_addr=1000 size=1 phys_addr=1 attrs=")
                        EV(0, "1.000002", "dma_map_page", "0031:02:00.0 dir=TO_DEVICE dma_addr=1000 size=1 phys_addr=2 attrs="));
    assert_int_equal(import_tracecmd("r.txt", NULL, "out.trace", &st, &err), TCESIM_EINVAL);
    assert_string_equal(err.msg, "r.txt:2: 0031:02:00.0 is in PCI domain 0031, but 0030:01:00.0 (line 1) is in 0030: "
                                 "a trace is one PHB, one domain (import one: --domain 0x30)");
}

/* ---- map_sg reconstruction ---- */

static void sg_one_to_one_keeps_output_lengths(void **state)
{
    (void)state;
    uint64_t phys[] = {0x10000, 0x20800}, dma[] = {0x1000, 0x5800}, lens[] = {4096, 100}, sz[2];
    assert_int_equal(import_sg_reconstruct(phys, 2, dma, lens, 2, 4096, sz), 0);
    assert_int_equal(sz[0], 4096);
    assert_int_equal(sz[1], 100);
}

static void sg_merged_segment_splits_at_page_boundaries(void **state)
{
    (void)state;
    /* one 9 KiB output segment at page offset 0x800 from 3 inputs: it spans
     * 3 pages, one each: 2048 (to the first boundary), 4096, the rest. */
    uint64_t phys[] = {0x4000800, 0x4100000, 0x4200000}, dma[] = {0x80010800};
    uint64_t lens[] = {2048 + 4096 + 1000}, sz[3];
    assert_int_equal(import_sg_reconstruct(phys, 3, dma, lens, 1, 4096, sz), 0);
    assert_int_equal(sz[0], 2048);
    assert_int_equal(sz[1], 4096);
    assert_int_equal(sz[2], 1000);

    /* 2 inputs over 5 pages: the first takes the extra page (3 + 2). */
    uint64_t phys2[] = {0x100000, 0x200000}, dma2[] = {0x0}, lens2[] = {5 * 4096}, sz2[2];
    assert_int_equal(import_sg_reconstruct(phys2, 2, dma2, lens2, 1, 4096, sz2), 0);
    assert_int_equal(sz2[0], 3 * 4096);
    assert_int_equal(sz2[1], 2 * 4096);
}

static void sg_inputs_go_where_page_offsets_match(void **state)
{
    (void)state;
    /* 2 outputs, 4 inputs: the third input's offset (0x800) equals the
     * second output's, so the split is 2 + 2, not 3 + 1. */
    uint64_t phys[] = {0x5000000, 0x5001000, 0x6000800, 0x6001000};
    uint64_t dma[] = {0x90010000, 0x90020800}, lens[] = {0x2000, 0x1800}, sz[4];
    assert_int_equal(import_sg_reconstruct(phys, 4, dma, lens, 2, 4096, sz), 0);
    assert_int_equal(sz[0], 4096);
    assert_int_equal(sz[1], 4096);
    assert_int_equal(sz[2], 2048);
    assert_int_equal(sz[3], 4096);

    /* a page-capacity limit forces the split: first output holds 1 page */
    uint64_t phys2[] = {0x1000, 0x2000, 0x3000}, dma2[] = {0x0, 0x10000};
    uint64_t lens2[] = {4096, 8192}, sz2[3];
    assert_int_equal(import_sg_reconstruct(phys2, 3, dma2, lens2, 2, 4096, sz2), 0);
    assert_int_equal(sz2[0], 4096);
    assert_int_equal(sz2[1], 4096);
    assert_int_equal(sz2[2], 4096);
}

static void sg_impossible_shapes_are_rejected(void **state)
{
    (void)state;
    uint64_t sz[4];
    /* a continuation input not on a page boundary */
    uint64_t phys[] = {0x1000, 0x2010}, dma[] = {0x0}, lens[] = {8192};
    assert_int_equal(import_sg_reconstruct(phys, 2, dma, lens, 1, 4096, sz), -1);
    /* more inputs than pages */
    uint64_t phys2[] = {0x1000, 0x2000, 0x3000}, lens2[] = {8192};
    assert_int_equal(import_sg_reconstruct(phys2, 3, dma, lens2, 1, 4096, sz), -1);
    /* fewer inputs than outputs */
    uint64_t dma3[] = {0x0, 0x1000}, lens3[] = {10, 10};
    assert_int_equal(import_sg_reconstruct(phys, 1, dma3, lens3, 2, 4096, sz), -1);
}

/* ---- Handles, times and the access model ---- */

static void handles_are_reused_after_unmap(void **state)
{
    (void)state;
    import_params p;
    import_params_default(&p);
    p.access = IMPORT_ACCESS_NONE;
    char *out = import_text(
        EV(0, "1.000000", "dma_map_page", "0000:01:00.0 dir=TO_DEVICE dma_addr=1000 size=16 phys_addr=100 attrs=")
        EV(0, "1.000001", "dma_map_page", "0000:01:00.0 dir=TO_DEVICE dma_addr=2000 size=16 phys_addr=200 attrs=")
        EV(0, "1.000002", "dma_unmap_page", "0000:01:00.0 dir=TO_DEVICE dma_addr=1000 size=16 attrs=")
        EV(0, "1.000003", "dma_map_page", "0000:01:00.0 dir=TO_DEVICE dma_addr=3000 size=16 phys_addr=300 attrs=")
        EV(0, "1.000004", "dma_unmap_page", "0000:01:00.0 dir=TO_DEVICE dma_addr=3000 size=16 attrs=")
        EV(0, "1.000005", "dma_unmap_page", "0000:01:00.0 dir=TO_DEVICE dma_addr=2000 size=16 attrs=")
        EV(0, "1.000006", "dma_map_page", "0000:01:00.0 dir=TO_DEVICE dma_addr=4000 size=16 phys_addr=400 attrs="),
        &p, NULL);
    assert_string_equal(events_of(out),
                        "0 cpu0 map dev=0 h=0 size=16 dir=to_device pa=0x100\n"
                        "1000 cpu0 map dev=0 h=1 size=16 dir=to_device pa=0x200\n"
                        "2000 cpu0 unmap h=0\n"
                        "3000 cpu0 map dev=0 h=0 size=16 dir=to_device pa=0x300\n"
                        "4000 cpu0 unmap h=0\n"
                        "5000 cpu0 unmap h=1\n"
                        "6000 cpu0 map dev=0 h=1 size=16 dir=to_device pa=0x400\n");
    free(out);
}

static void access_moves_to_midpoint_when_unmap_comes_first(void **state)
{
    (void)state;
    import_params p;
    import_params_default(&p);
    p.delay_ns = 1000;
    /* map at 0, another map at 100, unmap at 300: the access (due at 1000)
     * lands at 150, after the map at 100 already in the window. */
    char *out = import_text(
        EV(1, "7.000000000", "dma_map_page", "0000:01:00.0 dir=FROM_DEVICE dma_addr=1000 size=64 phys_addr=100 attrs=")
        EV(2, "7.000000100", "dma_map_page", "0000:01:00.0 dir=BIDIRECTIONAL dma_addr=2000 size=32 phys_addr=200 attrs=")
        EV(1, "7.000000300", "dma_unmap_page", "0000:01:00.0 dir=FROM_DEVICE dma_addr=1000 size=64 attrs=")
        EV(2, "7.000005000", "dma_unmap_page", "0000:01:00.0 dir=BIDIRECTIONAL dma_addr=2000 size=32 attrs="),
        &p, NULL);
    assert_string_equal(events_of(out),
                        "0 cpu1 map dev=0 h=0 size=64 dir=from_device pa=0x100\n"
                        "100 cpu2 map dev=0 h=1 size=32 dir=bidirectional pa=0x200\n"
                        "150 dev0 write h=0 off=0 len=64\n"
                        "300 cpu1 unmap h=0\n"
                        "1100 dev0 read h=1 off=0 len=32\n"
                        "5000 cpu2 unmap h=1\n");
    free(out);
}

static void access_chunks_and_delay_zero(void **state)
{
    (void)state;
    import_params p;
    import_params_default(&p);
    p.delay_ns = 0;
    p.chunk_bytes = 4096;
    char *out = import_text(
        EV(0, "1.000000", "dma_alloc", "0000:01:00.0 dma_addr=80000000 size=10000 phys_addr=1000000 flags=GFP_KERNEL attrs=")
        EV(0, "1.000000", "dma_free", "0000:01:00.0 dma_addr=80000000 size=10000 phys_addr=1000000 attrs="),
        &p, NULL);
    assert_string_equal(events_of(out),
                        "0 cpu0 alloc dev=0 h=0 size=10000 pa=0x1000000\n"
                        "0 dev0 read h=0 off=0 len=4096\n"
                        "0 dev0 read h=0 off=4096 len=4096\n"
                        "0 dev0 read h=0 off=8192 len=1808\n"
                        "0 cpu0 free h=0\n");
    free(out);
}

static void missing_physical_address_drops_pa_everywhere(void **state)
{
    (void)state;
    import_stats st;
    char *out = import_text(
        EV(0, "1.000000", "dma_map_phys", "0000:01:00.0 dir=TO_DEVICE dma_addr=1000 size=16 phys_addr=100 attrs=")
        EV(0, "1.000001", "dma_alloc", "0000:01:00.0 dir=BIDIRECTIONAL dma_addr=80000000 size=4096 virt_addr=0xc000000000001000 flags=GFP_KERNEL attrs="),
        NULL, &st);
    assert_true(st.pa_omitted);
    assert_null(strstr(out, "pa="));
    assert_non_null(strstr(out, "0 cpu0 map dev=0 h=0 size=16 dir=to_device\n"));
    free(out);
}

static void masks_are_inferred_from_bus_addresses_or_forced(void **state)
{
    (void)state;
    import_params p;
    import_stats st;
    import_params_default(&p);
    p.pe_rule = IMPORT_PE_DEVICE;
    /* below 4 GiB: 32 (TCE window); >= 4 GiB: 59 (PHB3 TVE#0 bypass);
     * >= 2^59: 64 (TVE#1 bypass). A map_sg counts by its highest segment. */
    const char *rep =
        EV(0, "1.000000", "dma_map_page", "0030:05:00.1 dir=TO_DEVICE dma_addr=fffff000 size=16 phys_addr=100 attrs=")
        EV(0, "1.000001", "dma_map_page", "0030:06:00.0 dir=TO_DEVICE dma_addr=800000000000100 size=16 phys_addr=100 attrs=")
        EV(0, "1.000002", "dma_map_sg", "0030:07:00.0 dir=TO_DEVICE dma_addrs={0x1000,0x100002000} sizes={0x1000,0x1000} phys_addrs={0x1000,0x2000} attrs=");
    char *out = import_text(rep, &p, &st);
    assert_non_null(strstr(out, "device id=0 rid=0030:05:00.1 pe=1 dma_mask_bits=32\n"
                                "device id=1 rid=0030:06:00.0 pe=2 dma_mask_bits=64\n"
                                "device id=2 rid=0030:07:00.0 pe=3 dma_mask_bits=59\n"));
    assert_int_equal(st.bypass_devices, 1);
    assert_int_equal(st.tve0_devices, 1);
    free(out);
    p.dma_mask_bits = 40;   /* the override: every device */
    out = import_text(rep, &p, &st);
    assert_non_null(strstr(out, "device id=0 rid=0030:05:00.1 pe=1 dma_mask_bits=40\n"
                                "device id=1 rid=0030:06:00.0 pe=2 dma_mask_bits=40\n"
                                "device id=2 rid=0030:07:00.0 pe=3 dma_mask_bits=40\n"));
    assert_int_equal(st.bypass_devices, 0);
    free(out);
}

static void backwards_timestamps_are_clamped_and_counted(void **state)
{
    (void)state;
    import_params p;
    import_stats st;
    import_params_default(&p);
    p.access = IMPORT_ACCESS_NONE;
    char *out = import_text(
        EV(0, "1.000005", "dma_map_page", "0000:01:00.0 dir=TO_DEVICE dma_addr=1000 size=16 phys_addr=100 attrs=")
        EV(0, "1.000002", "dma_unmap_page", "0000:01:00.0 dir=TO_DEVICE dma_addr=1000 size=16 attrs="),
        &p, &st);
    assert_string_equal(events_of(out), "0 cpu0 map dev=0 h=0 size=16 dir=to_device pa=0x100\n"
                                        "0 cpu0 unmap h=0\n");
    assert_int_equal(st.clamped_times, 1);
    free(out);
}

static void same_bus_address_mapped_twice_unmaps_newest_first(void **state)
{
    (void)state;
    import_params p;
    import_params_default(&p);
    p.access = IMPORT_ACCESS_NONE;
    /* bypass: mapping one page twice gives one bus address twice */
    char *out = import_text(
        EV(0, "1.000000", "dma_map_page", "0000:01:00.0 dir=TO_DEVICE dma_addr=800000000001000 size=16 phys_addr=1000 attrs=")
        EV(0, "1.000001", "dma_map_page", "0000:01:00.0 dir=FROM_DEVICE dma_addr=800000000001000 size=16 phys_addr=1000 attrs=")
        EV(0, "1.000002", "dma_unmap_page", "0000:01:00.0 dir=FROM_DEVICE dma_addr=800000000001000 size=16 attrs=")
        EV(0, "1.000003", "dma_unmap_page", "0000:01:00.0 dir=TO_DEVICE dma_addr=800000000001000 size=16 attrs="),
        &p, NULL);
    assert_string_equal(events_of(out), "0 cpu0 map dev=0 h=0 size=16 dir=to_device pa=0x1000\n"
                                        "1000 cpu0 map dev=0 h=1 size=16 dir=from_device pa=0x1000\n"
                                        "2000 cpu0 unmap h=1\n"
                                        "3000 cpu0 unmap h=0\n");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sample_report_imports_to_expected_trace),
        cmocka_unit_test(sample_imports_into_a_trace_the_reader_accepts),
        cmocka_unit_test(output_format_follows_the_file_name),
        cmocka_unit_test(missing_report_is_an_error_naming_the_file),
        cmocka_unit_test(bad_params_are_errors),
        cmocka_unit_test(parser_reads_both_header_styles),
        cmocka_unit_test(parser_converts_timestamps_exactly),
        cmocka_unit_test(parser_reads_both_array_styles),
        cmocka_unit_test(parser_reads_raw_failed_to_parse_fields),
        cmocka_unit_test(parser_reads_ftrace_file_and_perf_script_lines),
        cmocka_unit_test(truncated_map_sg_is_completed_and_counted),
        cmocka_unit_test(parser_reads_alloc_free_of_both_eras),
        cmocka_unit_test(parser_counts_each_unusable_reason),
        cmocka_unit_test(import_counts_state_dependent_reasons),
        cmocka_unit_test(import_refuses_two_domains),
        cmocka_unit_test(sg_one_to_one_keeps_output_lengths),
        cmocka_unit_test(sg_merged_segment_splits_at_page_boundaries),
        cmocka_unit_test(sg_inputs_go_where_page_offsets_match),
        cmocka_unit_test(sg_impossible_shapes_are_rejected),
        cmocka_unit_test(handles_are_reused_after_unmap),
        cmocka_unit_test(access_moves_to_midpoint_when_unmap_comes_first),
        cmocka_unit_test(access_chunks_and_delay_zero),
        cmocka_unit_test(missing_physical_address_drops_pa_everywhere),
        cmocka_unit_test(masks_are_inferred_from_bus_addresses_or_forced),
        cmocka_unit_test(backwards_timestamps_are_clamped_and_counted),
        cmocka_unit_test(same_bus_address_mapped_twice_unmaps_newest_first),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
