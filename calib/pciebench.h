/* Reader of a pcie-bench result directory (github.com/pcie-bench/data; the
 * vendored copy is data/pcie-bench/, SOURCE.md there says how its columns
 * read): the random-access window sweeps bw_dma_win_sweep_{rd,wr}_rnd_SIZE.csv
 * and the latency sweep lat_dma_sweep_rd_rnd_SIZE.csv, rows whose `Cache`
 * column is `HWarm` (the host's caches warm, as the simulator runs).
 *
 * What is read from each row:
 *  - `WinSZ`, the window in bytes; pcie-bench prints some as floats
 *    ("1572864.0"): any integral value from 1 to 2^53 is accepted.
 *  - bandwidth files: Bytes x 8 / Time, in Gb/s (Time is in ns). The column
 *    pcie-bench labels "BW (GB/s)" holds exactly that (checked on every row
 *    of the vendored data: it is Gb/s, not GB/s); the reader recomputes it
 *    from `Bytes` and `Time` and refuses a row whose "BW (GB/s)" disagrees
 *    by more than 1e-6 relative, so that a file with other units is an
 *    error rather than a silent factor of 8.
 *  - latency files: `Med(ns)`, the median latency of one access at a time.
 *  - `SZ` must equal the size in the file's name, and `Test` must be the
 *    file's test (BW_DMA_RD, BW_DMA_WR, LAT_DMA_RD).
 *
 * Errors are one line, "FILE:LINE: what is wrong" (LINE 1 is the header),
 * or "FILE: what is wrong" for the file as a whole; nothing is printed, and
 * nothing here exits. The reader knows nothing of the simulator: it is the
 * data side of `tcesim calibrate` (sim/cli/calibrate/), which turns each
 * point into a run. */
#ifndef TCESIM_PCIEBENCH_H
#define TCESIM_PCIEBENCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pb_kind {
    PB_READ_BW = 0,  /* bw_dma_win_sweep_rd_rnd_SIZE.csv: Gb/s */
    PB_WRITE_BW = 1, /* bw_dma_win_sweep_wr_rnd_SIZE.csv: Gb/s */
    PB_READ_LAT = 2, /* lat_dma_sweep_rd_rnd_SIZE.csv: median ns */
} pb_kind;

typedef struct pb_point {
    uint64_t window_bytes;
    double value;  /* Gb/s (PB_*_BW) or ns (PB_READ_LAT) */
    unsigned line; /* the row's line in its file */
} pb_point;

typedef struct pb_curve {
    pb_kind kind;
    uint32_t size_bytes; /* the access size, from the file's name */
    char *path;          /* owned: the file read */
    size_t npoints;
    pb_point *points;    /* owned: ascending window_bytes, no window twice */
} pb_curve;

typedef struct pb_dir {
    size_t ncurves;
    pb_curve *curves; /* owned: read curves by size, write curves by size, then latency */
} pb_dir;

/* Whether a file's base name is one the reader reads; sets *kind and *size.
 * SIZE is decimal without leading zeros, 1 .. 2^32-1. Returns 1 or 0. */
int pb_curve_file(const char *name, pb_kind *kind, uint32_t *size_bytes);

/* Parses one file's text (len bytes; NUL bytes are an error). path names it
 * in messages and is copied into out->path. On success *out owns its
 * arrays (pb_curve_free); on error *out is left empty (zeroed).
 * Returns TCESIM_OK, TCESIM_EINVAL (msg says why) or TCESIM_ENOMEM.
 * Cost: O(len) plus a sort of the HWarm rows. */
int pb_parse_curve(const char *path, const char *text, size_t len, pb_kind kind, uint32_t size_bytes, pb_curve *out,
                   char *msg, size_t msg_size);

/* Reads and parses one file (its kind and size from its name, which must
 * satisfy pb_curve_file). TCESIM_EIO when it cannot be read. */
int pb_read_curve(const char *path, pb_curve *out, char *msg, size_t msg_size);

/* Reads every file of dir that pb_curve_file names (other files are left
 * alone). A directory with none of them is an error (TCESIM_EINVAL), as is
 * one that cannot be opened (TCESIM_EIO). The order of out->curves is fixed
 * (see pb_dir), whatever the directory's order. On error *out is empty. */
int pb_read_dir(const char *dir, pb_dir *out, char *msg, size_t msg_size);

/* Both accept NULL and a zeroed struct. */
void pb_curve_free(pb_curve *c);
void pb_dir_free(pb_dir *d);

/* "read", "write", "latency". */
const char *pb_kind_name(pb_kind kind);

#ifdef __cplusplus
}
#endif

#endif
