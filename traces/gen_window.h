/* The `window` generator: the built-in workload (`workload.*`) and
 * `tcesim gen window`.
 *
 * Shape from pcie-bench (R. Neugebauer et al., "Understanding PCIe
 * performance for end host networking", SIGCOMM 2018): one device issues
 * DMA accesses of one size at offsets within a window of host memory; the
 * window's size against the IOMMU's translation cache is what the benchmark
 * varies. Here the window is one long-lived mapping, made by a cpu at time
 * 0 and never unmapped, and every access is issued at time 0 so that the
 * device's tag limit paces them (a closed loop, as pcie-bench's DMA engine
 * runs).
 *
 * Events, in order:
 *   0 cpuC map dev=D h=0 size=WINDOW dir=to_device|from_device   (read|write)
 *   0 devD read|write h=0 off=OFF len=SIZE                       (count times)
 * with OFF, for access i (from 0):
 *   random:     a uniform multiple of size in [0, window - size], drawn from
 *               rng_seed(seed, GEN_WINDOW_RNG_STREAM)
 *   sequential: i * size mod (window rounded down to a multiple of size)
 *   strided:    i * stride mod window, pulled back to window - size when the
 *               access would run past the window's end
 * Every access lies inside the window (off + size <= window). */
#ifndef TCESIM_GEN_WINDOW_H
#define TCESIM_GEN_WINDOW_H

#include <stdint.h>

#include "trace.h"

/* The workload's rng stream id (see models/common/rng.h): fixed so that
 * other random sources of a run never shift the workload's offsets. */
#define GEN_WINDOW_RNG_STREAM 0x776f726bull /* "work" */

typedef enum gen_window_pattern {
    GEN_WINDOW_RANDOM = 0,
    GEN_WINDOW_SEQUENTIAL,
    GEN_WINDOW_STRIDED,
} gen_window_pattern;

typedef struct gen_window_params {
    gen_window_pattern pattern;
    uint64_t stride;    /* bytes between consecutive accesses (strided only) */
    uint64_t window;    /* bytes of host memory mapped and accessed */
    uint64_t size;      /* bytes per access (the len of each read/write) */
    tr_op op;           /* TR_READ or TR_WRITE */
    uint64_t count;     /* number of accesses */
    uint32_t device;    /* device id issuing them (< TR_MAX_DEVICES) */
    uint32_t cpu;       /* cpu making the mapping (< TR_MAX_CPUS); 0 by default */
    uint64_t seed;      /* the random pattern's seed (workload.seed) */
} gen_window_params;

/* "random", "sequential", "strided"; NULL for an out-of-range value. */
const char *gen_window_pattern_name(gen_window_pattern p);
/* Returns 0 and sets *out, or TCESIM_EINVAL for an unknown name. */
int gen_window_pattern_parse(const char *name, gen_window_pattern *out);

/* Checks p; returns 0 or TCESIM_EINVAL with err->msg "workload.KEY: message". */
int gen_window_check(const gen_window_params *p, tr_error *err);

/* Opens the generator as a source (it copies p). Returns 0 or the error of
 * gen_window_check. Memory: O(1) whatever count is. */
int gen_window_open(const gen_window_params *p, tr_source *out, tr_error *err);

#endif
