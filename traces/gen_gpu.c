/* gpu-bulk: a GPU (or any bulk-DMA accelerator) moving large buffers.
 *
 * Where the shape comes from: GPU drivers allocate a few large buffers of
 * coherent (or pinned and mapped once) memory up front and keep them for
 * the life of the context; the device's copy engines then stream through
 * them sequentially, in large descriptors, host-to-device (the device
 * reads) or device-to-host (it writes). The IOMMU sees almost no host-side
 * map/unmap traffic, only long sequential runs of translations: the TCE
 * cache is streamed through, never reused within a transfer.
 *
 * The size limit is the kernel's: powerpc's dma_iommu_alloc_coherent ->
 * iommu_alloc_coherent() refuses get_order(size) >= IOMAP_MAX_ORDER (13),
 * i.e. buffers above 4096 CPU pages (256 MiB with 64 KiB pages); the
 * default 64 MiB buffers, four of them, fit a 2 GiB 32-bit window.
 *
 * Events: at time 0 the cpu allocates every buffer (h=0..buffers-1); then
 * `transfers` transfers one after another, each on a seeded buffer, in a
 * seeded direction, from a seeded chunk-aligned start, in `chunk`-byte
 * device accesses that wrap within the buffer and are timed by a device
 * model of `bandwidth` bytes/s, with gap_ns between transfers; the buffers
 * are freed completion_ns after the last transfer. O(1) state. */
#include <stdlib.h>
#include <string.h>

#include "common/tcesim_err.h"
#include "gen_internal.h"
#include "trace_internal.h"

#define GEN_GPU_RNG_STREAM (0x677075ull << 32) /* "gpu" */
#define COHERENT_MAX_ORDER 13u                 /* IOMAP_MAX_ORDER, arch/powerpc/include/asm/iommu.h */

typedef struct gen_gpu {
    gen_gpu_params p;
    rng r;
    uint64_t nchunks;        /* chunks per buffer */
    uint64_t allocs, frees;  /* events returned */
    uint64_t transfer;       /* transfers begun */
    uint64_t j, n;           /* chunk within the current transfer, chunks in it */
    uint64_t buf, start;     /* its buffer and first chunk */
    bool read;
    uint64_t t0;             /* its start */
    uint64_t end_ns;         /* when the device model finishes the last one begun */
} gen_gpu;

static int gen_gpu_next(void *ctx, tr_event *ev, tr_error *err)
{
    gen_gpu *g = ctx;
    const gen_gpu_params *p = &g->p;
    if (g->allocs < p->buffers) {
        gen_host_event(ev, TR_ALLOC, 0, p->cpu, p->device, g->allocs++);
        ev->size = p->buffer;
        return 1;
    }
    if (g->j == g->n && g->transfer < p->transfers) {
        g->transfer++;
        g->buf = rng_below(&g->r, p->buffers);
        g->read = gen_chance(&g->r, p->read);
        g->start = rng_below(&g->r, g->nchunks);
        g->t0 = g->end_ns + p->gap_ns;
        g->end_ns = g->t0 + gen_xfer_ns(p->transfer, p->bandwidth);
        g->j = 0;
        g->n = (p->transfer + p->chunk - 1) / p->chunk;
    }
    if (g->j < g->n) {
        uint64_t done = g->j * p->chunk;
        uint64_t len = p->transfer - done < p->chunk ? p->transfer - done : p->chunk;
        uint64_t off = ((g->start + g->j) % g->nchunks) * p->chunk;
        gen_dev_event(ev, g->read ? TR_READ : TR_WRITE, g->t0 + gen_xfer_ns(done, p->bandwidth), p->device, g->buf,
                      off, len);
        g->j++;
        return 1;
    }
    if (g->frees < p->buffers) {
        gen_host_event(ev, TR_FREE, g->end_ns + p->completion_ns, p->cpu, p->device, g->frees++);
        return 1;
    }
    return 0;
}

static void gen_gpu_close(void *ctx)
{
    free(ctx);
}

int gen_gpu_open(const gen_gpu_params *p, uint64_t seed, tr_source *out, tr_error *err)
{
    memset(out, 0, sizeof *out);
    if (p->page_size & (p->page_size - 1))
        return tr_seterr(err, TCESIM_EINVAL, "gen gpu-bulk: page_size: must be a power of two");
    /* get_order(size) < 13: at most 2^12 CPU pages */
    uint64_t max_bytes = p->page_size << (COHERENT_MAX_ORDER - 1);
    if (p->buffer > max_bytes)
        return tr_seterr(err, TCESIM_EINVAL,
                         "gen gpu-bulk: buffer: %llu is past the coherent allocation limit (get_order >= %u; "
                         "at most %llu with page_size %llu)",
                         (unsigned long long)p->buffer, COHERENT_MAX_ORDER, (unsigned long long)max_bytes,
                         (unsigned long long)p->page_size);
    if (p->chunk > p->buffer || p->buffer % p->chunk)
        return tr_seterr(err, TCESIM_EINVAL, "gen gpu-bulk: chunk: must divide buffer (%llu)",
                         (unsigned long long)p->buffer);
    gen_gpu *g = calloc(1, sizeof *g);
    if (!g)
        return tr_seterr(err, TCESIM_ENOMEM, "gen gpu-bulk: out of memory");
    g->p = *p;
    g->nchunks = p->buffer / p->chunk;
    rng_seed(&g->r, seed, GEN_GPU_RNG_STREAM);
    /* the allocations run one after another on the cpu, writing a TCE per
     * 4 KiB: the device starts when the model thinks they are done */
    g->end_ns = p->buffers * (GEN_HOST_OP_NS + (p->buffer >> 12) * GEN_HOST_SEG_NS);
    out->next = gen_gpu_next;
    out->close = gen_gpu_close;
    out->ctx = g;
    out->name = "gpu-bulk";
    return 0;
}
