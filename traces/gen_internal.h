/* Helpers and parameter blocks shared by the generators behind gen_open()
 * (traces/generators.h); not part of the public API.
 *
 * The timed generators (nic-rx, nic-tx, nvme, gpu-bulk) all work the same
 * way: a small model of the driver and the device decides when each event
 * happens, and a min-heap of pending steps, ordered by (time, push order),
 * yields them in time order. A step pushes its successors only when it is
 * popped, and never earlier than its own time, so the output is
 * non-decreasing in time and causally ordered (a map before the device's
 * accesses through it, an unmap after them, a re-map after the unmap). The
 * heap holds O(in-flight work) steps: bounded by queues x ring (or depth),
 * never by the length of the trace.
 *
 * The device is modelled as one server of `bandwidth` bytes per second fed
 * in FIFO order; completions (and so unmaps and frees) are placed after the
 * modelled transfer ends. The simulator's unmaps wait for the device ops
 * before them (traces/FORMAT.md, Semantics), so a simulated device slower
 * than that model stretches the replay, never turns its DMA stale; the
 * defaults are set well below a gen3 x8 link so that the trace's times hold. */
#ifndef TCESIM_GEN_INTERNAL_H
#define TCESIM_GEN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/rng.h"
#include "trace.h"

/* Time the generators leave between a host DMA API call and the device's
 * first use of what it made (and between an unmap and the re-map of the
 * same slot). A call in the simulated host costs about 0.3-1.2 us (op_ns,
 * lock, TCE writes, a kill: PHB4's OPAL kill is the slow one); 2 us keeps
 * the simulated device from waiting on a map the model thought done. The
 * simulator would wait correctly anyway: this only keeps the model's device
 * timeline honest. */
#define GEN_HOST_OP_NS 2000u
/* Extra per scatter-list segment of a map_sg (one TCE write each, plus the
 * walk of the list). */
#define GEN_HOST_SEG_NS 10u

/* ---- size mixes: "SIZE:WEIGHT,SIZE:WEIGHT,..." ---- */
#define GEN_MIX_MAX 32u

typedef struct gen_mix {
    unsigned n;
    uint64_t size[GEN_MIX_MAX];     /* bytes, > 0 */
    uint64_t cum[GEN_MIX_MAX];      /* cumulative weight in units of 2^-53; cum[n-1] = 2^53 */
} gen_mix;

/* Parses s; returns 0 or TCESIM_EINVAL (the caller names the key). */
int gen_mix_parse(const char *s, gen_mix *out);
uint64_t gen_mix_draw(const gen_mix *m, rng *r);
uint64_t gen_mix_max(const gen_mix *m);

/* A probability as a threshold in units of 2^-53 (what GK_FRAC keys hold). */
#define GEN_FRAC_ONE (1ull << 53)
static inline bool gen_chance(rng *r, uint64_t thr)
{
    return (rng_next(r) >> 11) < thr;
}

/* An exponentially distributed interval of mean mean_ns, rounded to ns.
 * Uses a portable ln() built from IEEE +,-,*,/ only, so the draws are the
 * same on every machine (no libm in the trace library). */
uint64_t gen_exp_ns(rng *r, double mean_ns);

/* ns to move bytes at bytes_per_s (rounded up; bytes_per_s > 0). */
uint64_t gen_xfer_ns(uint64_t bytes, uint64_t bytes_per_s);

/* ---- the step heap ---- */
typedef struct gen_item {
    uint64_t time_ns;
    uint64_t seq;          /* push order: ties in time pop first-pushed first */
    uint32_t kind;         /* the generator's step type */
    uint32_t q;            /* queue */
    uint32_t slot;         /* ring slot / command id */
    uint32_t idx;          /* step counter within a multi-event step */
    uint64_t a, b, c;      /* the generator's per-step data */
} gen_item;

typedef struct gen_heap {
    gen_item *v;
    size_t n, cap;
    uint64_t seq;
} gen_heap;

/* Returns 0 or TCESIM_ENOMEM. O(log n). */
int gen_heap_push(gen_heap *h, gen_item it);
/* Returns false when empty. O(log n). */
bool gen_heap_pop(gen_heap *h, gen_item *out);
void gen_heap_free(gen_heap *h);

/* ---- events ---- */
static inline void gen_host_event(tr_event *ev, tr_op op, uint64_t time_ns, uint64_t cpu, uint64_t dev,
                                  uint64_t handle)
{
    *ev = (tr_event){.time_ns = time_ns, .op = op, .actor = (uint32_t)cpu, .dev = (uint32_t)dev,
                     .handle = handle, .has_handle = true};
}

static inline void gen_dev_event(tr_event *ev, tr_op op, uint64_t time_ns, uint64_t dev, uint64_t handle,
                                 uint64_t off, uint64_t len)
{
    *ev = (tr_event){.time_ns = time_ns, .op = op, .actor = (uint32_t)dev, .dev = (uint32_t)dev,
                     .handle = handle, .has_handle = true, .off = off, .len = len};
}

static inline uint64_t gen_max(uint64_t a, uint64_t b) { return a > b ? a : b; }

/* ---- parameter blocks (filled by generators.c from the key tables) ---- */

typedef enum gen_nic_mode { GEN_NIC_STREAMING = 0, GEN_NIC_PAGE_POOL } gen_nic_mode;
typedef enum gen_arrival { GEN_ARRIVAL_POISSON = 0, GEN_ARRIVAL_FIXED } gen_arrival;

typedef struct gen_nic_params {
    uint64_t queues;          /* one per cpu, cpu .. cpu + queues - 1 */
    uint64_t ring;            /* descriptors per queue */
    uint64_t packets;         /* total, spread evenly over the queues */
    gen_mix sizes;            /* packet sizes */
    uint64_t rate;            /* packets per second per queue */
    uint64_t arrival;         /* gen_arrival */
    uint64_t mode;            /* gen_nic_mode */
    uint64_t buffer;          /* rx streaming: bytes mapped per rx buffer */
    uint64_t page_size;       /* page_pool: bytes mapped per ring slot */
    uint64_t desc_size;       /* descriptor bytes; 0 = no descriptor ring */
    uint64_t completion_ns;   /* device done -> driver handles the completion */
    uint64_t bandwidth;       /* device model: bytes per second */
    uint64_t device;
    uint64_t cpu;             /* first cpu */
} gen_nic_params;

int gen_nic_open(const gen_nic_params *p, bool tx, uint64_t seed, tr_source *out, tr_error *err);

typedef struct gen_nvme_params {
    uint64_t queues;          /* submission queues, one per cpu */
    uint64_t depth;           /* commands in flight per queue */
    uint64_t ios;             /* total I/Os, spread evenly over the queues */
    gen_mix sizes;            /* I/O sizes */
    uint64_t read;            /* fraction of reads (threshold, units of 2^-53) */
    uint64_t seg_size;        /* bytes per scatter-list segment */
    uint64_t read_ns;         /* media latency of a read, before its data moves */
    uint64_t write_ns;        /* latency of a write after its data moved */
    uint64_t completion_ns;   /* CQE written -> the driver unmaps */
    uint64_t bandwidth;       /* device model: bytes per second */
    uint64_t device;
    uint64_t cpu;
} gen_nvme_params;

int gen_nvme_open(const gen_nvme_params *p, uint64_t seed, tr_source *out, tr_error *err);

typedef struct gen_gpu_params {
    uint64_t buffers;         /* coherent buffers */
    uint64_t buffer;          /* bytes each */
    uint64_t transfers;       /* sequential transfers */
    uint64_t transfer;        /* bytes per transfer */
    uint64_t chunk;           /* bytes per device access */
    uint64_t read;            /* fraction of transfers the device reads (threshold) */
    uint64_t gap_ns;          /* idle time between transfers */
    uint64_t completion_ns;   /* last transfer done -> frees */
    uint64_t bandwidth;       /* device model: bytes per second */
    uint64_t page_size;       /* CPU page size, for the coherent order limit */
    uint64_t device;
    uint64_t cpu;
} gen_gpu_params;

int gen_gpu_open(const gen_gpu_params *p, uint64_t seed, tr_source *out, tr_error *err);

#endif
