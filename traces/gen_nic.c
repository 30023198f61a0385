/* nic-rx and nic-tx: a multiqueue NIC's data buffers through the DMA API.
 *
 * Where the shape comes from:
 * - One queue per CPU, flows spread by RSS: ixgbe/mlx5 allocate a ring per
 *   queue and affinitise each queue's interrupt to one CPU, so each CPU
 *   maps and unmaps for its own ring. This is the load of the powerpc
 *   IOMMU pools commit (b4c3a8729ae5, "powerpc/iommu: Implement IOMMU pools
 *   to improve multiqueue adapter performance": all queues serialised on
 *   the table lock; measured with a 100-session TCP round-robin test on a
 *   Chelsio T3, small packets at a high rate).
 * - Streaming DMA, receive: the driver maps an empty buffer of a fixed size
 *   per descriptor (dma_map_single of rx_buf_len, e.g. ixgbe's 2 KiB
 *   buffers, or a page), the NIC writes the packet and writes back the
 *   descriptor, and the driver's NAPI poll unmaps the buffer, hands the skb
 *   up and refills the slot with a fresh mapping.
 * - Streaming DMA, transmit: the stack hands the driver an skb, the driver
 *   maps skb->data (dma_map_single, DMA_TO_DEVICE) and writes a
 *   descriptor, the NIC reads the descriptor and the data, and the TX clean
 *   in NAPI unmaps it (ixgbe_tx_map / ixgbe_clean_tx_irq, mlx5e_sq_xmit /
 *   mlx5e_poll_tx_cq).
 * - page_pool (include/net/page_pool, PP_FLAG_DMA_MAP): pages are mapped
 *   once (bidirectional when XDP may transmit them) and recycled, so the
 *   per-packet cost has no IOMMU work at all. Here each ring slot keeps its
 *   page for the run (the pool's recycle cache hands the same pages back,
 *   so the set of mapped pages is fixed); all are unmapped when the pool is
 *   destroyed at the end. nic-tx in this mode models premapped transmit
 *   buffers (XDP_TX from a page_pool page, or a driver that copies into
 *   premapped bounce buffers).
 * - Descriptor rings are coherent memory (dma_alloc_coherent), one per
 *   queue, allocated at start and freed at the end.
 *
 * Time: packets arrive (rx: off the wire; tx: from the stack) per queue at
 * `rate` (Poisson or fixed intervals); the device moves them in FIFO order
 * at `bandwidth`; the driver sees a completion `completion_ns` after the
 * device is done. A packet whose ring slot is still in use waits for it,
 * as a full ring holds packets back (rx: in the NIC's FIFO; tx: the stack
 * stops the queue).
 *
 * Handles: queue q's descriptor ring is q*(ring+1), its slot s is
 * q*(ring+1)+1+s; a slot's handle is re-mapped only after its unmap. */
#include <stdlib.h>
#include <string.h>

#include "common/tcesim_err.h"
#include "gen_internal.h"
#include "trace_internal.h"

#define GEN_NIC_RNG_STREAM (0x6e6963ull << 32) /* "nic": + 2q arrivals, + 2q+1 sizes */
#define GEN_NIC_MAX_SLOTS (1u << 20)           /* queues x ring: the per-slot state */

enum {
    K_ARRIVE,     /* rx: a packet reaches the NIC; tx: the stack sends one */
    K_DEV,        /* the device's accesses for a packet, in order (idx) */
    K_DONE,       /* the driver handles the completion */
    K_REFILL,     /* rx streaming: map a fresh buffer into the slot */
    K_TEARDOWN,   /* end of a queue: page_pool unmaps (idx), then the ring's free */
};

typedef struct nic_queue {
    rng arr, sz;
    uint64_t npackets;
    uint64_t nslots;        /* min(ring, npackets): slots the queue ever uses */
    uint64_t base_ns;       /* arrival process, before ring back-pressure */
    uint64_t *ready;        /* per slot: when it can take the next packet */
} nic_queue;

typedef struct gen_nic {
    gen_nic_params p;
    bool tx, pool, desc;
    double mean_ns;
    nic_queue *qs;
    uint64_t *ready;        /* queues x ring, backing nic_queue.ready */
    gen_heap heap;
    uint64_t dev_free;      /* device model: busy until */
    uint64_t setup_q, setup_i;
} gen_nic;

static uint64_t ring_handle(const gen_nic *g, uint64_t q) { return q * (g->p.ring + 1); }
static uint64_t slot_handle(const gen_nic *g, uint64_t q, uint64_t s) { return q * (g->p.ring + 1) + 1 + s; }
static uint64_t cpu_of(const gen_nic *g, uint64_t q) { return g->p.cpu + q; }

/* Arrival time of packet k of q before back-pressure. */
static uint64_t next_base(gen_nic *g, nic_queue *nq, uint64_t k)
{
    if (g->p.arrival == GEN_ARRIVAL_FIXED)
        return (uint64_t)(((unsigned __int128)(k + 1) * 1000000000u) / g->p.rate);
    nq->base_ns += gen_exp_ns(&nq->arr, g->mean_ns);
    return nq->base_ns;
}

static int push_arrival(gen_nic *g, uint32_t q, uint64_t k, uint64_t after_ns)
{
    nic_queue *nq = &g->qs[q];
    uint64_t s = k % g->p.ring;
    uint64_t t = gen_max(gen_max(next_base(g, nq, k), nq->ready[s]), after_ns);
    return gen_heap_push(&g->heap, (gen_item){.time_ns = t, .kind = K_ARRIVE, .q = q, .slot = (uint32_t)s, .a = k});
}

/* Setup at time 0: per queue the descriptor ring, then (rx streaming, or
 * page_pool) one mapping per slot. Returns 1 with *ev, or 0 when done. */
static int setup_next(gen_nic *g, tr_event *ev)
{
    bool per_slot = g->pool || !g->tx;
    for (; g->setup_q < g->p.queues; g->setup_q++, g->setup_i = 0) {
        uint64_t q = g->setup_q;
        nic_queue *nq = &g->qs[q];
        if (g->setup_i == 0) {
            g->setup_i++;
            if (g->desc) {
                gen_host_event(ev, TR_ALLOC, 0, cpu_of(g, q), g->p.device, ring_handle(g, q));
                ev->size = g->p.ring * g->p.desc_size;
                return 1;
            }
        }
        if (per_slot && g->setup_i <= nq->nslots) {
            uint64_t s = g->setup_i++ - 1;
            gen_host_event(ev, TR_MAP, 0, cpu_of(g, q), g->p.device, slot_handle(g, q, s));
            ev->size = g->pool ? g->p.page_size : g->p.buffer;
            ev->dir = g->pool ? TR_DIR_BIDIRECTIONAL : TR_DIR_FROM_DEVICE;
            return 1;
        }
    }
    return 0;
}

/* A packet enters the ring: draw its size, place it on the device model,
 * and schedule its device accesses and its completion. Returns 1 when it
 * emits (tx streaming: the map), 0 otherwise, or an error. */
static int arrive(gen_nic *g, const gen_item *it, tr_event *ev)
{
    nic_queue *nq = &g->qs[it->q];
    uint64_t k = it->a, t = it->time_ns;
    uint64_t size = gen_mix_draw(&g->p.sizes, &nq->sz);
    bool map_now = g->tx && !g->pool;
    uint64_t w = gen_max(map_now ? t + GEN_HOST_OP_NS : t, g->dev_free);
    g->dev_free = w + gen_xfer_ns(size + g->p.desc_size, g->p.bandwidth);
    uint64_t c = g->dev_free + g->p.completion_ns;
    /* streaming: the slot is free again once the driver has unmapped
     * (and, rx, re-mapped) it */
    nq->ready[it->slot] = g->pool ? c : c + (g->tx ? 1 : 2) * GEN_HOST_OP_NS;
    int rc = gen_heap_push(&g->heap, (gen_item){.time_ns = w, .kind = K_DEV, .q = it->q, .slot = it->slot,
                                                .a = k, .b = size, .c = c});
    if (rc == 0 && k + 1 < nq->npackets)
        rc = push_arrival(g, it->q, k + 1, t);
    if (rc)
        return rc;
    if (!map_now)
        return 0;
    gen_host_event(ev, TR_MAP, t, cpu_of(g, it->q), g->p.device, slot_handle(g, it->q, it->slot));
    ev->size = size;
    ev->dir = TR_DIR_TO_DEVICE;
    return 1;
}

/* The device's accesses for one packet at it->time_ns: rx writes the data
 * then the descriptor write-back; tx reads the descriptor then the data. */
static int device_step(gen_nic *g, const gen_item *it, tr_event *ev)
{
    unsigned nsteps = g->desc ? 2 : 1;
    bool data = g->desc ? (g->tx ? it->idx == 1 : it->idx == 0) : true;
    tr_op op = g->tx ? TR_READ : TR_WRITE;
    if (data)
        gen_dev_event(ev, op, it->time_ns, g->p.device, slot_handle(g, it->q, it->slot), 0, it->b);
    else
        gen_dev_event(ev, op, it->time_ns, g->p.device, ring_handle(g, it->q), it->slot * g->p.desc_size,
                      g->p.desc_size);
    gen_item next = *it;
    if (it->idx + 1 < nsteps) {
        next.idx++;
    } else {
        next.kind = K_DONE;
        next.time_ns = it->c;
        next.idx = 0;
    }
    int rc = gen_heap_push(&g->heap, next);
    return rc ? rc : 1;
}

static int done_step(gen_nic *g, const gen_item *it, tr_event *ev)
{
    nic_queue *nq = &g->qs[it->q];
    int rc = 0;
    if (it->a + 1 == nq->npackets)
        rc = gen_heap_push(&g->heap, (gen_item){.time_ns = it->time_ns, .kind = K_TEARDOWN, .q = it->q});
    else if (!g->tx && !g->pool && it->a + g->p.ring < nq->npackets)
        rc = gen_heap_push(&g->heap, (gen_item){.time_ns = it->time_ns, .kind = K_REFILL, .q = it->q,
                                                .slot = it->slot});
    if (rc)
        return rc;
    if (g->pool)
        return 0;
    gen_host_event(ev, TR_UNMAP, it->time_ns, cpu_of(g, it->q), g->p.device, slot_handle(g, it->q, it->slot));
    return 1;
}

static int teardown_step(gen_nic *g, const gen_item *it, tr_event *ev)
{
    nic_queue *nq = &g->qs[it->q];
    uint64_t cpu = cpu_of(g, it->q);
    int rc = 0;
    if (g->pool && it->idx < nq->nslots) {
        gen_host_event(ev, TR_UNMAP, it->time_ns, cpu, g->p.device, slot_handle(g, it->q, it->idx));
        gen_item next = *it;
        next.idx++;
        rc = gen_heap_push(&g->heap, next);
        return rc ? rc : 1;
    }
    if (!g->desc)
        return 0;
    gen_host_event(ev, TR_FREE, it->time_ns, cpu, g->p.device, ring_handle(g, it->q));
    return 1;
}

static int gen_nic_next(void *ctx, tr_event *ev, tr_error *err)
{
    gen_nic *g = ctx;
    if (setup_next(g, ev))
        return 1;
    gen_item it;
    while (gen_heap_pop(&g->heap, &it)) {
        int rc = 0;
        switch (it.kind) {
        case K_ARRIVE:
            rc = arrive(g, &it, ev);
            break;
        case K_DEV:
            rc = device_step(g, &it, ev);
            break;
        case K_DONE:
            rc = done_step(g, &it, ev);
            break;
        case K_REFILL:
            gen_host_event(ev, TR_MAP, it.time_ns, cpu_of(g, it.q), g->p.device, slot_handle(g, it.q, it.slot));
            ev->size = g->p.buffer;
            ev->dir = TR_DIR_FROM_DEVICE;
            rc = 1;
            break;
        case K_TEARDOWN:
            rc = teardown_step(g, &it, ev);
            break;
        }
        if (rc < 0)
            return tr_seterr(err, rc, "gen %s: out of memory", g->tx ? "nic-tx" : "nic-rx");
        if (rc == 1)
            return 1;
    }
    return 0;
}

static void gen_nic_close(void *ctx)
{
    gen_nic *g = ctx;
    if (!g)
        return;
    gen_heap_free(&g->heap);
    free(g->ready);
    free(g->qs);
    free(g);
}

int gen_nic_open(const gen_nic_params *p, bool tx, uint64_t seed, tr_source *out, tr_error *err)
{
    const char *name = tx ? "nic-tx" : "nic-rx";
    memset(out, 0, sizeof *out);
    if (p->cpu + p->queues > TR_MAX_CPUS)
        return tr_seterr(err, TCESIM_EINVAL, "gen %s: queues: cpu + queues must be <= %u", name, TR_MAX_CPUS);
    if (p->queues * p->ring > GEN_NIC_MAX_SLOTS)
        return tr_seterr(err, TCESIM_EINVAL, "gen %s: ring: queues x ring must be <= %u", name, GEN_NIC_MAX_SLOTS);
    uint64_t largest = gen_mix_max(&p->sizes);
    if (p->mode == GEN_NIC_PAGE_POOL && p->page_size < largest)
        return tr_seterr(err, TCESIM_EINVAL,
                         "gen %s: page_size: %llu is smaller than the largest packet size (%llu)", name,
                         (unsigned long long)p->page_size, (unsigned long long)largest);
    if (!tx && p->mode == GEN_NIC_STREAMING && p->buffer < largest)
        return tr_seterr(err, TCESIM_EINVAL, "gen %s: buffer: %llu is smaller than the largest packet size (%llu)",
                         name, (unsigned long long)p->buffer, (unsigned long long)largest);

    gen_nic *g = calloc(1, sizeof *g);
    if (!g)
        return tr_seterr(err, TCESIM_ENOMEM, "gen %s: out of memory", name);
    g->p = *p;
    g->tx = tx;
    g->pool = p->mode == GEN_NIC_PAGE_POOL;
    g->desc = p->desc_size > 0;
    g->mean_ns = 1e9 / (double)p->rate;
    g->qs = calloc(p->queues, sizeof *g->qs);
    g->ready = calloc(p->queues * p->ring, sizeof *g->ready);
    if (!g->qs || !g->ready)
        goto nomem;
    for (uint64_t q = 0; q < p->queues; q++) {
        nic_queue *nq = &g->qs[q];
        rng_seed(&nq->arr, seed, GEN_NIC_RNG_STREAM + 2 * q);
        rng_seed(&nq->sz, seed, GEN_NIC_RNG_STREAM + 2 * q + 1);
        nq->npackets = p->packets / p->queues + (q < p->packets % p->queues);
        nq->nslots = nq->npackets < p->ring ? nq->npackets : p->ring;
        nq->ready = g->ready + q * p->ring;
        /* setup maps run one after another on the queue's cpu */
        if (g->pool || !tx)
            for (uint64_t s = 0; s < nq->nslots; s++)
                nq->ready[s] = (s + 1 + g->desc) * GEN_HOST_OP_NS;
        /* a queue without packets still frees its ring (and pages) */
        if (nq->npackets ? push_arrival(g, (uint32_t)q, 0, 0)
                         : gen_heap_push(&g->heap, (gen_item){.kind = K_TEARDOWN, .q = (uint32_t)q}))
            goto nomem;
    }
    out->next = gen_nic_next;
    out->close = gen_nic_close;
    out->ctx = g;
    out->name = name;
    return 0;
nomem:
    gen_nic_close(g);
    return tr_seterr(err, TCESIM_ENOMEM, "gen %s: out of memory", name);
}
