/* nvme: an NVMe controller's submission queues through the DMA API.
 *
 * Where the shape comes from (Linux drivers/nvme/host/pci.c):
 * - One submission/completion queue pair per CPU (blk-mq maps each CPU to a
 *   hardware queue); both rings are coherent memory, allocated when the
 *   queue is created (nvme_alloc_queue: dma_alloc_coherent of the CQEs, 16
 *   bytes each, and of the SQ commands, 64 bytes each) and freed at the end.
 * - Per I/O, nvme_map_data() maps the request's scatter list with
 *   dma_map_sg (blk_rq_map_sg: one segment per bio page, physically
 *   scattered) in the submitting CPU's context, writes the command into the
 *   SQ and rings the doorbell; the controller fetches the 64-byte command,
 *   moves the data (PRP entries, one page each: a read I/O writes host
 *   memory, a write I/O reads it) and posts a 16-byte completion entry; the
 *   interrupt handler completes the request and nvme_unmap_data() unmaps.
 *   PRP lists (dma_pool pages) are not modelled.
 * - The load is a closed loop of `depth` commands per queue, as fio with
 *   iodepth: a command slot is resubmitted when its I/O completes. Sizes
 *   from 4 KiB to 1 MiB (max_hw_sectors of common controllers).
 *
 * Time: a read's data moves after the media latency read_ns, a write's
 * data moves first and completes write_ns later; the data of all queues
 * shares one device model of `bandwidth` bytes/s, in order of readiness;
 * the driver unmaps completion_ns after the completion entry.
 *
 * Handles: queue q's SQ is q*(depth+2), its CQ q*(depth+2)+1, command slot
 * j's data q*(depth+2)+2+j, re-mapped only after its unmap. */
#include <stdlib.h>
#include <string.h>

#include "common/tcesim_err.h"
#include "gen_internal.h"
#include "trace_internal.h"

#define GEN_NVME_RNG_STREAM (0x6e766d65ull << 32) /* "nvme": + q */
#define GEN_NVME_MAX_SLOTS (1u << 20)             /* queues x depth */
#define SQE_BYTES 64u                              /* struct nvme_command */
#define CQE_BYTES 16u                              /* struct nvme_completion */

enum {
    K_SUBMIT,     /* cpu: map_sg of a new I/O in slot it->slot */
    K_SQE,        /* device: fetch the command */
    K_READY,      /* the data can move (read: media done; write: command seen) */
    K_SEG,        /* device: move segment idx of the data */
    K_CQE,        /* device: post the completion entry */
    K_DONE,       /* cpu: unmap, resubmit */
    K_TEARDOWN,   /* cpu: free the SQ (idx 0), then the CQ (idx 1) */
};

typedef struct nvme_queue {
    rng r;
    uint64_t nios, submitted, completed;
    uint64_t sq_tail, cq_head;
} nvme_queue;

typedef struct gen_nvme {
    gen_nvme_params p;
    nvme_queue *qs;
    gen_heap heap;
    uint64_t dev_free;
    uint64_t setup_q, setup_i;
    uint64_t segs[TR_MAX_SEGS];   /* the last map_sg's sizes (the event points here) */
} gen_nvme;

static uint64_t sq_handle(const gen_nvme *g, uint64_t q) { return q * (g->p.depth + 2); }
static uint64_t cq_handle(const gen_nvme *g, uint64_t q) { return q * (g->p.depth + 2) + 1; }
static uint64_t data_handle(const gen_nvme *g, uint64_t q, uint64_t j) { return q * (g->p.depth + 2) + 2 + j; }
static uint64_t cpu_of(const gen_nvme *g, uint64_t q) { return g->p.cpu + q; }
static uint64_t nsegs_of(const gen_nvme *g, uint64_t size) { return (size + g->p.seg_size - 1) / g->p.seg_size; }

static int setup_next(gen_nvme *g, tr_event *ev)
{
    if (g->setup_q == g->p.queues)
        return 0;
    uint64_t q = g->setup_q;
    bool sq = g->setup_i == 0;
    gen_host_event(ev, TR_ALLOC, 0, cpu_of(g, q), g->p.device, sq ? sq_handle(g, q) : cq_handle(g, q));
    ev->size = g->p.depth * (sq ? SQE_BYTES : CQE_BYTES);
    if (++g->setup_i == 2) {
        g->setup_i = 0;
        g->setup_q++;
    }
    return 1;
}

static int submit(gen_nvme *g, const gen_item *it, tr_event *ev)
{
    nvme_queue *nq = &g->qs[it->q];
    uint64_t size = gen_mix_draw(&g->p.sizes, &nq->r);
    bool read = gen_chance(&nq->r, g->p.read);
    uint64_t n = nsegs_of(g, size);
    for (uint64_t i = 0; i < n; i++)
        g->segs[i] = i + 1 < n ? g->p.seg_size : size - i * g->p.seg_size;
    uint64_t doorbell = it->time_ns + GEN_HOST_OP_NS + n * GEN_HOST_SEG_NS;
    int rc = gen_heap_push(&g->heap, (gen_item){.time_ns = doorbell, .kind = K_SQE, .q = it->q,
                                                .slot = it->slot, .a = size, .b = read});
    if (rc)
        return rc;
    gen_host_event(ev, TR_MAP_SG, it->time_ns, cpu_of(g, it->q), g->p.device, data_handle(g, it->q, it->slot));
    ev->nsegs = (uint32_t)n;
    ev->seg_sizes = g->segs;
    ev->size = size;
    /* a read I/O: the device writes the buffer */
    ev->dir = read ? TR_DIR_FROM_DEVICE : TR_DIR_TO_DEVICE;
    return 1;
}

static int step(gen_nvme *g, const gen_item *it, tr_event *ev)
{
    nvme_queue *nq = &g->qs[it->q];
    gen_item next = *it;
    uint64_t size = it->a;
    bool read = it->b != 0;
    int rc;
    switch (it->kind) {
    case K_SUBMIT:
        return submit(g, it, ev);
    case K_SQE:
        gen_dev_event(ev, TR_READ, it->time_ns, g->p.device, sq_handle(g, it->q),
                      (nq->sq_tail++ % g->p.depth) * SQE_BYTES, SQE_BYTES);
        next.kind = K_READY;
        next.time_ns += read ? g->p.read_ns : 0;
        rc = gen_heap_push(&g->heap, next);
        return rc ? rc : 1;
    case K_READY:
        /* pops in time order, so the device model serves in order of readiness */
        next.time_ns = gen_max(it->time_ns, g->dev_free);
        g->dev_free = next.time_ns + gen_xfer_ns(size, g->p.bandwidth);
        next.kind = K_SEG;
        next.idx = 0;
        next.c = next.time_ns;   /* the transfer's start */
        return gen_heap_push(&g->heap, next);
    case K_SEG: {
        uint64_t off = (uint64_t)it->idx * g->p.seg_size;
        uint64_t len = size - off < g->p.seg_size ? size - off : g->p.seg_size;
        gen_dev_event(ev, read ? TR_WRITE : TR_READ, it->time_ns, g->p.device, data_handle(g, it->q, it->slot),
                      off, len);
        uint64_t moved = off + len;
        if (moved < size) {
            next.idx++;
            next.time_ns = it->c + gen_xfer_ns(moved, g->p.bandwidth);
        } else {
            next.kind = K_CQE;
            next.time_ns = it->c + gen_xfer_ns(size, g->p.bandwidth) + (read ? 0 : g->p.write_ns);
        }
        rc = gen_heap_push(&g->heap, next);
        return rc ? rc : 1;
    }
    case K_CQE:
        gen_dev_event(ev, TR_WRITE, it->time_ns, g->p.device, cq_handle(g, it->q),
                      (nq->cq_head++ % g->p.depth) * CQE_BYTES, CQE_BYTES);
        next.kind = K_DONE;
        next.time_ns += g->p.completion_ns;
        rc = gen_heap_push(&g->heap, next);
        return rc ? rc : 1;
    case K_DONE:
        gen_host_event(ev, TR_UNMAP, it->time_ns, cpu_of(g, it->q), g->p.device, data_handle(g, it->q, it->slot));
        nq->completed++;
        rc = 0;
        if (nq->submitted < nq->nios) {
            nq->submitted++;
            rc = gen_heap_push(&g->heap, (gen_item){.time_ns = it->time_ns, .kind = K_SUBMIT, .q = it->q,
                                                    .slot = it->slot});
        } else if (nq->completed == nq->nios) {
            rc = gen_heap_push(&g->heap, (gen_item){.time_ns = it->time_ns, .kind = K_TEARDOWN, .q = it->q});
        }
        return rc ? rc : 1;
    case K_TEARDOWN:
        gen_host_event(ev, TR_FREE, it->time_ns, cpu_of(g, it->q), g->p.device,
                       it->idx == 0 ? sq_handle(g, it->q) : cq_handle(g, it->q));
        if (it->idx == 0) {
            next.idx = 1;
            rc = gen_heap_push(&g->heap, next);
            if (rc)
                return rc;
        }
        return 1;
    }
    return 0;
}

static int gen_nvme_next(void *ctx, tr_event *ev, tr_error *err)
{
    gen_nvme *g = ctx;
    if (setup_next(g, ev))
        return 1;
    gen_item it;
    while (gen_heap_pop(&g->heap, &it)) {
        int rc = step(g, &it, ev);
        if (rc < 0)
            return tr_seterr(err, rc, "gen nvme: out of memory");
        if (rc == 1)
            return 1;
    }
    return 0;
}

static void gen_nvme_close(void *ctx)
{
    gen_nvme *g = ctx;
    if (!g)
        return;
    gen_heap_free(&g->heap);
    free(g->qs);
    free(g);
}

int gen_nvme_open(const gen_nvme_params *p, uint64_t seed, tr_source *out, tr_error *err)
{
    memset(out, 0, sizeof *out);
    if (p->cpu + p->queues > TR_MAX_CPUS)
        return tr_seterr(err, TCESIM_EINVAL, "gen nvme: queues: cpu + queues must be <= %u", TR_MAX_CPUS);
    if (p->queues * p->depth > GEN_NVME_MAX_SLOTS)
        return tr_seterr(err, TCESIM_EINVAL, "gen nvme: depth: queues x depth must be <= %u", GEN_NVME_MAX_SLOTS);
    uint64_t largest = gen_mix_max(&p->sizes);
    if ((largest + p->seg_size - 1) / p->seg_size > TR_MAX_SEGS)
        return tr_seterr(err, TCESIM_EINVAL,
                         "gen nvme: seg_size: an I/O of %llu bytes needs more than %u segments of %llu",
                         (unsigned long long)largest, TR_MAX_SEGS, (unsigned long long)p->seg_size);

    gen_nvme *g = calloc(1, sizeof *g);
    if (!g)
        return tr_seterr(err, TCESIM_ENOMEM, "gen nvme: out of memory");
    g->p = *p;
    g->qs = calloc(p->queues, sizeof *g->qs);
    if (!g->qs)
        goto nomem;
    for (uint64_t q = 0; q < p->queues; q++) {
        nvme_queue *nq = &g->qs[q];
        rng_seed(&nq->r, seed, GEN_NVME_RNG_STREAM + q);
        nq->nios = p->ios / p->queues + (q < p->ios % p->queues);
        /* the first burst: the cpu submits one command after another */
        for (uint64_t j = 0; j < p->depth && nq->submitted < nq->nios; j++, nq->submitted++)
            if (gen_heap_push(&g->heap, (gen_item){.time_ns = (j + 1) * GEN_HOST_OP_NS, .kind = K_SUBMIT,
                                                   .q = (uint32_t)q, .slot = (uint32_t)j}))
                goto nomem;
        if (nq->nios == 0 && gen_heap_push(&g->heap, (gen_item){.kind = K_TEARDOWN, .q = (uint32_t)q}))
            goto nomem;
    }
    out->next = gen_nvme_next;
    out->close = gen_nvme_close;
    out->ctx = g;
    out->name = "nvme";
    return 0;
nomem:
    gen_nvme_close(g);
    return tr_seterr(err, TCESIM_ENOMEM, "gen nvme: out of memory");
}
