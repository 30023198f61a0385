/* Whole-trace tools behind `tcesim trace convert` and `tcesim trace info`.
 * Both stream: memory is bounded whatever the trace's length (see each
 * function for what it grows with). */
#ifndef TCESIM_TRACE_TOOLS_H
#define TCESIM_TRACE_TOOLS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "trace.h"

/* Copies every event of in to out, each format picked by its file name
 * (tr_open / tr_writer_open, ".zst" either side), device declarations
 * included. The output is semantically equal to the input (same events,
 * not the same bytes). Atomic: on any error nothing is left at out (nor
 * a temp file). An out that is the same file as in is refused
 * (tr_check_output: "OUT: PATH is the same file as IN PATH"). Returns 0 or
 * the reader's/writer's error (err->msg set). */
int tr_convert(const char *in, const char *out, tr_error *err);

/* Distinct (key) counts are exact up to this many keys (a hash set of
 * 16-byte keys, at most 2 * this many slots: 32 MiB), then estimated by a
 * HyperLogLog of 2^TR_INFO_HLL_BITS registers (standard error
 * 1.04 / sqrt(2^14) = 0.8%) and flagged approximate. */
#define TR_INFO_EXACT_PAGES (1u << 20)
#define TR_INFO_HLL_BITS 14
/* Pages of one access walked one by one at most; beyond, the rest are
 * counted as distinct and the count is flagged approximate (an access of
 * 2^63 bytes must not take forever). */
#define TR_INFO_MAX_ACCESS_PAGES (1u << 20)

/* A trace's summary. Plain fields, every one a count or a sum, so a caller
 * can print it as JSON field by field. About 66 KB (the per-device and
 * per-cpu arrays): allocate it on the heap or statically. */
typedef struct tr_info_result {
    uint64_t events;
    uint64_t by_op[TR_OP_COUNT];          /* index tr_op */
    uint64_t by_device[TR_MAX_DEVICES];   /* host ops by their dev=, device ops by actor */
    uint64_t by_cpu[TR_MAX_CPUS];         /* host ops by their cpu */
    uint32_t devices_used;                /* nonzero entries of by_device */
    uint32_t cpus_used;                   /* nonzero entries of by_cpu */
    uint32_t devices_declared;            /* declarations in the trace's header */
    uint64_t first_ns, last_ns;           /* times of the first and last event (0, 0 if none) */
    uint64_t span_ns;                     /* last_ns - first_ns */
    uint64_t bytes_read, bytes_written;   /* len of device reads / writes */
    uint64_t bytes_moved;                 /* bytes_read + bytes_written */
    uint64_t raw_accesses;                /* device ops by addr= rather than a handle */
    uint64_t stale_accesses;              /* device ops through an unmapped/freed handle */
    uint64_t bytes_mapped;                /* sum of map, map_sg and alloc sizes */
    uint64_t live_peak;                   /* most mappings (map/map_sg/alloc) live at once */
    uint64_t live_end;                    /* mappings still live after the last event */
    unsigned page_shift;                  /* IO page size = 1 << page_shift */
    /* Distinct IO pages touched by device ops: (mapping instance, page)
     * pairs for accesses through a handle (a handle mapped again is a new
     * instance), plus distinct pages of raw addr= accesses. A mapping's
     * pages are counted from its first buffer's offset within an IO page
     * (pa mod page size, 0 without pa); a map_sg's segments as if laid out
     * back to back. The footprint that decides how much of the trace a TCE
     * cache can reach. */
    uint64_t distinct_pages;
    bool distinct_pages_approx;           /* estimated (HyperLogLog), not exact */
} tr_info_result;

/* Reads the whole trace at path (any format) and fills *res. page_shift is
 * the IO page size's log2, 12..30 (4 KiB .. 1 GiB). Memory: the reader's,
 * one small record per distinct handle, and the distinct-page set (bounded
 * as TR_INFO_EXACT_PAGES says). Returns 0, or the reader's error, or
 * TCESIM_EINVAL for a bad page_shift ("page_shift: ..."). */
int tr_info(const char *path, unsigned page_shift, tr_info_result *res, tr_error *err);

/* A readable multi-line summary of res. */
void tr_info_print(const tr_info_result *res, FILE *f);

#endif
