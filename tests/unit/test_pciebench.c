/* The pcie-bench reader (calib/pciebench.h): file names, the HWarm rows of
 * the fixture directory tests/data/pcie-bench-mini (rows copied from the
 * vendored data), Gb/s recomputed from Bytes and Time, float windows, and
 * every malformed input as one "FILE:LINE: ..." message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/tcesim_err.h"
#include "pciebench.h"

#define BW_HEADER "Test,PAT,Cache,HO,DO,WinSZ,SZ,Time(cyc),Time,Bytes,Trans,BW (GB/s),Trans/s\n"
/* A real row (bdw E5-2630v4 -iommu-nosp, 64 B reads, 4 KiB window). */
#define RD_ROW "BW_DMA_RD,Rand,HWarm,0,0,4096,64,164268576,136890480.0,536870912,8388608,31.375208093360474,61279703.3\n"

static int parse(const char *text, pb_kind kind, uint32_t size, pb_curve *c, char *msg)
{
    msg[0] = '\0';
    return pb_parse_curve("f.csv", text, strlen(text), kind, size, c, msg, 256);
}

/* Parses text expecting TCESIM_EINVAL and the message want exactly. */
static void expect_bad(const char *text, pb_kind kind, const char *want)
{
    pb_curve c;
    char msg[256];
    assert_int_equal(parse(text, kind, 64, &c, msg), TCESIM_EINVAL);
    assert_string_equal(msg, want);
    assert_null(c.points);
    assert_null(c.path);
    assert_int_equal(c.npoints, 0);
}

static void file_names_give_kind_and_size(void **state)
{
    (void)state;
    pb_kind k;
    uint32_t s;
    assert_int_equal(pb_curve_file("bw_dma_win_sweep_rd_rnd_64.csv", &k, &s), 1);
    assert_int_equal(k, PB_READ_BW);
    assert_int_equal(s, 64);
    assert_int_equal(pb_curve_file("bw_dma_win_sweep_wr_rnd_512.csv", &k, &s), 1);
    assert_int_equal(k, PB_WRITE_BW);
    assert_int_equal(s, 512);
    assert_int_equal(pb_curve_file("lat_dma_sweep_rd_rnd_64.csv", &k, &s), 1);
    assert_int_equal(k, PB_READ_LAT);
    const char *no[] = {"bw_dma_win_sweep_rd_rnd_64.dat", "bw_dma_win_sweep_rd_rnd_064.csv",
                        "bw_dma_win_sweep_rd_rnd_0x40.csv", "bw_dma_win_sweep_rd_rnd_.csv",
                        "bw_dma_win_sweep_rd_rnd_0.csv", "bw_dma_win_sweep_rd_seq_64.csv",
                        "lat_dma_sweep_wrrd_rnd_64.csv", "lat_cmd_sweep_rd_rnd_64.csv",
                        "bw_dma_win_sweep_rd_rnd_4294967296.csv", "xbw_dma_win_sweep_rd_rnd_64.csv"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_int_equal(pb_curve_file(no[i], &k, &s), 0);
}

static void bandwidth_is_bytes_times_8_over_time_ns(void **state)
{
    (void)state;
    pb_curve c;
    char msg[256];
    assert_int_equal(parse(BW_HEADER RD_ROW, PB_READ_BW, 64, &c, msg), TCESIM_OK);
    assert_int_equal(c.npoints, 1);
    assert_int_equal(c.points[0].window_bytes, 4096);
    assert_int_equal(c.points[0].line, 2);
    /* 536870912 B x 8 / 136890480 ns */
    assert_true(c.points[0].value == 536870912.0 * 8 / 136890480.0);
    assert_string_equal(c.path, "f.csv");
    pb_curve_free(&c);
}

static void only_hwarm_rows_are_kept_sorted_by_window(void **state)
{
    (void)state;
    const char *text = BW_HEADER
        "BW_DMA_RD,Rand,HWarm,0,0,1572864.0,64,1,100.0,1000,1,80.0,1\n"
        "BW_DMA_RD,Rand,Cold,0,0,4096,64,1,100.0,1000,1,80.0,1\n"
        "BW_DMA_RD,Rand,HWarm,0,0,4096,64,1,200.0,1000,1,40.0,1\r\n";
    pb_curve c;
    char msg[256];
    assert_int_equal(parse(text, PB_READ_BW, 64, &c, msg), TCESIM_OK);
    assert_int_equal(c.npoints, 2);
    assert_int_equal(c.points[0].window_bytes, 4096);
    assert_int_equal(c.points[0].line, 4);
    assert_true(c.points[0].value == 40.0);
    assert_int_equal(c.points[1].window_bytes, 1572864);
    assert_true(c.points[1].value == 80.0);
    pb_curve_free(&c);
}

static void latency_is_the_median_in_ns(void **state)
{
    (void)state;
    const char *text =
        "Test,PAT,Cache,HO,DO,WinSZ,SZ,TAvg,Avg,Med,Min,Max,95%,99.9%,TAvg(ns),Avg(ns),Med(ns),Min(ns),Max(ns),"
        "95%(ns),99.9%(ns),#outliers,#samples\n"
        "LAT_DMA_RD,Rand,HWarm,0,0,262144,64,897,665.95,672.0,624,2480,672.0,704.0,747.5,554.96,560.0,520.0,"
        "2066.6,560.0,586.6,2,2097152\n";
    pb_curve c;
    char msg[256];
    assert_int_equal(parse(text, PB_READ_LAT, 64, &c, msg), TCESIM_OK);
    assert_int_equal(c.npoints, 1);
    assert_true(c.points[0].value == 560.0);
    pb_curve_free(&c);
}

static void malformed_lines_name_file_and_line(void **state)
{
    (void)state;
    expect_bad("", PB_READ_BW, "f.csv:1: no header line (an empty file?)");
    expect_bad("Test,Cache,WinSZ,SZ,Time,Bytes\n", PB_READ_BW,
               "f.csv:1: no column 'BW (GB/s)' in the header: not a pcie-bench bandwidth CSV");
    expect_bad(BW_HEADER, PB_READ_BW, "f.csv: no HWarm rows (the Cache column)");
    expect_bad(BW_HEADER "BW_DMA_RD,Rand,HWarm,0,0,4096\n", PB_READ_BW, "f.csv:2: 6 fields, the header has 13");
    expect_bad(BW_HEADER RD_ROW "\n" RD_ROW, PB_READ_BW, "f.csv:3: an empty line");
    expect_bad(BW_HEADER "BW_DMA_RD,Rand,HWarm,0,0,4096.5,64,1,100.0,1000,1,80.0,1\n", PB_READ_BW,
               "f.csv:2: WinSZ '4096.5' is not a whole number of bytes (1 to 2^53)");
    expect_bad(BW_HEADER "BW_DMA_RD,Rand,HWarm,0,0,4k,64,1,100.0,1000,1,80.0,1\n", PB_READ_BW,
               "f.csv:2: WinSZ '4k' is not a whole number of bytes (1 to 2^53)");
    expect_bad(BW_HEADER "BW_DMA_RD,Rand,HWarm,0,0,nan,64,1,100.0,1000,1,80.0,1\n", PB_READ_BW,
               "f.csv:2: WinSZ 'nan' is not a whole number of bytes (1 to 2^53)");
    expect_bad(BW_HEADER "BW_DMA_RD,Rand,HWarm,0,0,4096,128,1,100.0,1000,1,80.0,1\n", PB_READ_BW,
               "f.csv:2: SZ '128' is not the file name's size 64");
    expect_bad(BW_HEADER "BW_DMA_WR,Rand,HWarm,0,0,4096,64,1,100.0,1000,1,80.0,1\n", PB_READ_BW,
               "f.csv:2: Test is 'BW_DMA_WR', this file's name says BW_DMA_RD");
    expect_bad(BW_HEADER "BW_DMA_RD,Rand,HWarm,0,0,4096,64,1,0,1000,1,80.0,1\n", PB_READ_BW,
               "f.csv:2: Time '0' is not a positive number of ns");
    expect_bad(BW_HEADER "BW_DMA_RD,Rand,HWarm,0,0,4096,64,1,100.0,,1,80.0,1\n", PB_READ_BW,
               "f.csv:2: Bytes '' is not a positive number");
    /* GB/s (a tenth of the Gb/s value... or any other unit) is refused */
    expect_bad(BW_HEADER "BW_DMA_RD,Rand,HWarm,0,0,4096,64,1,100.0,1000,1,10.0,1\n", PB_READ_BW,
               "f.csv:2: BW (GB/s) 10 is not Bytes x 8 / Time = 80 Gb/s");
    expect_bad(BW_HEADER "BW_DMA_RD,Rand,HWarm,0,0,4096,64,1,100.0,1000,1,80.0,1\n"
                         "BW_DMA_RD,Rand,HWarm,0,0,4096.0,64,1,100.0,1000,1,80.0,1\n",
               PB_READ_BW, "f.csv:3: a second HWarm row for window 4096 (the first is line 2)");
    expect_bad("a\0b", PB_READ_BW, "f.csv:1: no column 'Test' in the header: not a pcie-bench bandwidth CSV");
    pb_curve c;
    char msg[256];
    assert_int_equal(pb_parse_curve("f.csv", "a\0b", 3, PB_READ_BW, 64, &c, msg, sizeof msg), TCESIM_EINVAL);
    assert_string_equal(msg, "f.csv: a NUL byte: not a CSV file");
}

static void directory_curves_come_in_a_fixed_order(void **state)
{
    (void)state;
    pb_dir d;
    char msg[512];
    assert_int_equal(pb_read_dir(TCESIM_TEST_DATA "/pcie-bench-mini", &d, msg, sizeof msg), TCESIM_OK);
    assert_int_equal(d.ncurves, 3);
    assert_int_equal(d.curves[0].kind, PB_READ_BW);
    assert_int_equal(d.curves[1].kind, PB_WRITE_BW);
    assert_int_equal(d.curves[2].kind, PB_READ_LAT);
    /* rows copied from the vendored bdw -iommu-nosp files */
    assert_int_equal(d.curves[0].npoints, 2);
    assert_int_equal(d.curves[0].points[1].window_bytes, 1572864);
    assert_true(d.curves[0].points[1].value == 536870912.0 * 8 / 329395813.3333333);
    assert_true(d.curves[1].points[0].value == 536870912.0 * 8 / 221478946.66666666);
    assert_true(d.curves[2].points[0].value == 560.0);
    pb_dir_free(&d);
    pb_dir_free(NULL);
    pb_curve_free(NULL);
}

static void directory_errors_name_the_directory(void **state)
{
    (void)state;
    pb_dir d;
    char msg[512];
    assert_int_equal(pb_read_dir(TCESIM_TEST_DATA "/no-such-dir", &d, msg, sizeof msg), TCESIM_EIO);
    assert_string_equal(msg, TCESIM_TEST_DATA "/no-such-dir: No such file or directory");
    assert_int_equal(pb_read_dir(TCESIM_TEST_DATA "/import", &d, msg, sizeof msg), TCESIM_EINVAL);
    assert_non_null(strstr(msg, "/import: no pcie-bench sweep file here"));
    assert_int_equal(d.ncurves, 0);
    pb_curve c;
    assert_int_equal(pb_read_curve(TCESIM_TEST_DATA "/faults.trace", &c, msg, sizeof msg), TCESIM_EINVAL);
    assert_non_null(strstr(msg, "faults.trace: not a pcie-bench sweep file name"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(file_names_give_kind_and_size),
        cmocka_unit_test(bandwidth_is_bytes_times_8_over_time_ns),
        cmocka_unit_test(only_hwarm_rows_are_kept_sorted_by_window),
        cmocka_unit_test(latency_is_the_median_in_ns),
        cmocka_unit_test(malformed_lines_name_file_and_line),
        cmocka_unit_test(directory_curves_come_in_a_fixed_order),
        cmocka_unit_test(directory_errors_name_the_directory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
