/* The host side of DMA on PowerNV, timed: what a CPU does for each DMA API
 * call of the trace (map_page, map_sg, alloc_coherent, unmap, free), as
 * Linux does it (arch/powerpc/kernel/iommu.c over the iommu_table allocator,
 * the TCE build/clear/kill of pci-ioda-tce.c / pci-ioda.c, skiboot hw/phb3.c
 * and hw/phb4.c phb4_tce_kill), and what it costs in simulated time:
 *
 *   map:   [software path] -> lock(pool) [bitmap search] unlock -> TCE
 *          writes -> TCE kill (per PHB generation) -> mb()
 *   map_sg: the map's lock, writes and kill per segment in turn, then mb();
 *          a segment that finds no room: the earlier ones unwound as the
 *          unmap below (ppc_iommu_map_sg's failure path), no mb()
 *   unmap: [software path] -> TCE clear -> kill -> lock(pool) [bitmap clear]
 *          unlock       (the clear happens OUTSIDE the lock, __iommu_free;
 *          dma_unmap_sg once per merged output segment)
 *
 * Locks are the era's spinlocks (spinlock.h: FIFO queued spinlocks for
 * Linux 6.6, unfair test-and-set for 4.4); a CPU that finds its lock held
 * spins until a release hands it the lock, plus a cache-line handoff. The caller's
 * `sync` callback is called before every lock and every kill with the time
 * it happens, so a SystemC caller can bring its process to that time first
 * (lock order and kill-versus-DMA races then follow simulated time).
 *
 * What-if policies, Linux's behaviour the default: pools (iommu.pools), one
 * lock for a whole table, per-CPU magazine caches (magazine.h), lazy
 * invalidation (sparc's flush on hint wrap-around, or a deferred flush
 * queue as Linux's IOVA layer has) against strict. Every cost is a
 * parameter; none of them is published for POWER: the defaults are guesses,
 * documented in sim/config.c. */
#ifndef TCESIM_DMA_API_H
#define TCESIM_DMA_API_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/tcesim_time.h"
#include "../phb/phb.h"
#include "../tce/tce_table.h"
#include "iommu_table.h"
#include "magazine.h"
#include "spinlock.h"

typedef enum host_lock_policy {
    HOST_LOCK_POOL = 0,       /* one spinlock per pool (Linux since 2012) */
    HOST_LOCK_GLOBAL,         /* one lock for the whole table (before the pools) */
} host_lock_policy;

typedef enum host_inval_policy {
    HOST_INVAL_STRICT = 0,    /* kill inside every set and clear (PowerNV) */
    HOST_INVAL_LAZY_WRAP,     /* sparc: no kills; flush the PE when an allocation wraps */
    HOST_INVAL_FLUSH_QUEUE,   /* IOVA flush queue: unmaps queued per CPU, one PE kill
                               * per flush (full queue or timeout), ranges freed after it */
} host_inval_policy;

typedef struct host_costs {
    ps_t op_ps;               /* software path of one DMA API call */
    ps_t lock_ps;             /* uncontended lock + unlock */
    ps_t lock_handoff_ps;     /* extra when the lock was held: cache-line transfer */
    ps_t search_word_ps;      /* per bitmap word scanned under the lock */
    ps_t tce_write_ps;        /* CPU cost per TCE written or cleared */
    ps_t mb_ps;               /* mb() */
    ps_t kill_store_ps;       /* PHB3: one MMIO store to the kill register */
    ps_t opal_call_ps;        /* PHB4: entering and leaving OPAL for a kill */
    ps_t magazine_ps;         /* a per-CPU cache hit or insert (no pool lock) */
} host_costs;

typedef struct host_policy {
    host_lock_policy lock;
    host_inval_policy inval;
    bool magazines;
    uint32_t mag_size;          /* ranges per magazine */
    uint32_t fq_entries;        /* flush queue entries per CPU */
    ps_t fq_timeout_ps;         /* flush queued unmaps older than this */
    bool kill_escalate_pe;      /* PHB4 firmware (HW560152): page kills -> one PE kill per call */
    spin_model spin;            /* who wins a contended lock (spinlock.h) */
    uint64_t seed;              /* the unfair model's draws */
} host_policy;

/* How the caller reaches the rest of the system. */
typedef struct host_if {
    void (*sync)(void *ctx, ps_t t);                 /* may be NULL */
    /* CPU stores of TCEs: timing only (the values go to physmem directly) */
    ps_t (*tce_store)(void *ctx, uint64_t pa, uint32_t bytes, ps_t t);
    /* a lock acquisition finished: for the caller's distributions and
     * timelines; at_ps is when the CPU asked for the lock (it held it from
     * at_ps + wait_ps for hold_ps) */
    void (*lock_event)(void *ctx, unsigned pe_index, int lock, ps_t at_ps, ps_t wait_ps, ps_t hold_ps);
    void *ctx;
} host_if;

/* Per-CPU counters. */
typedef struct host_cpu_stats {
    uint64_t ops;
    ps_t busy_ps;               /* time spent in DMA API calls */
    ps_t lock_wait_ps;          /* of which waiting for locks */
    ps_t kill_ps;               /* of which issuing kills (incl. queue waits, syncs) */
} host_cpu_stats;

typedef struct host_lock_stats {
    uint64_t acquisitions, contended;
    ps_t wait_ps, wait_max_ps, hold_ps;
} host_lock_stats;

typedef struct host_kill_stats {
    uint64_t page, pe, syncs, opal_calls, escalated;  /* what the host issued */
} host_kill_stats;

typedef struct host_model host_model;

typedef struct host_pe_params {
    uint16_t pe;
    tce_table *table;           /* not owned; the PE's TVE#0 table */
    iommu_table_params it;      /* the allocator over that window */
} host_pe_params;

typedef struct host_params {
    uint32_t ncpus;
    phb_gen gen;
    host_costs costs;
    host_policy policy;
} host_params;

/* phb is not owned and may be NULL (unit tests without a PHB: no kills). */
host_model *host_create(const host_params *p, phb *phb_model, host_if hif);
void host_destroy(host_model *h); /* accepts NULL */

/* Adds a PE's table; returns its index (>= 0) or a negative TCESIM_* error. */
int host_add_pe(host_model *h, const host_pe_params *pp);

/* One request: map (nseg 1), map_sg (nseg >= 1), alloc_coherent (nseg 1). */
typedef enum host_op { HOST_MAP = 0, HOST_MAP_SG, HOST_ALLOC } host_op;

typedef struct host_seg {
    uint64_t pa, size;          /* input */
    uint64_t bus;               /* output: bus address of this input segment */
    uint64_t entry, npages;     /* output: the table range (npages 0 for bypass) */
} host_seg;

typedef struct host_map_result {
    bool failed;                /* DMA_MAPPING_ERROR: counted, the trace goes on */
    int pool;                   /* first segment's pool (IOMMU_POOL_LARGE, IOMMU_NO_POOL) */
    uint32_t nouts;             /* map_sg: merged output segments */
    uint32_t unwound;           /* failed map_sg: ranges its unwind freed again (their
                                 * TCEs cleared and killed, timed) */
    ps_t done_ps;
} host_map_result;

/* Maps through PE index `pe_index` (a TCE path; bypass mappings never reach
 * the host model). segs[] in, bus/entry/npages out (a failed map leaves
 * entry and bus IOMMU_MAP_ERROR). outs (capacity nseg) receives map_sg's
 * merged segments when non-NULL; keep them for host_unmap. map_sg is timed
 * in the kernel's order: per segment its allocation, TCE writes and kill;
 * a segment that fails unwinds the earlier ones (clears, kills, frees). */
void host_map(host_model *h, unsigned cpu, unsigned pe_index, host_op op, uint64_t perm,
              uint64_t dma_mask, uint64_t max_seg_size, host_seg *segs, uint32_t nseg,
              iommu_sg_out *outs, ps_t t, host_map_result *out);

/* Unmaps / frees what host_map produced (same segs; for map_sg the outs and
 * nouts host_map returned, which dma_unmap_sg frees per output segment as
 * the kernel does; outs NULL or the magazine policy: per input segment).
 * Returns when done; *bad is set for a bad free (counted, nothing changed). */
ps_t host_unmap(host_model *h, unsigned cpu, unsigned pe_index, host_op op, const host_seg *segs,
                uint32_t nseg, const iommu_sg_out *outs, uint32_t nouts, ps_t t, bool *bad);

/* End of run: flushes pending lazy state (flush queues) at time t, without
 * calling `sync` (the simulation has ended). */
ps_t host_finish(host_model *h, ps_t t);

const host_cpu_stats *host_get_cpu_stats(const host_model *h, unsigned cpu);
unsigned host_pe_count(const host_model *h);
const iommu_table *host_get_table(const host_model *h, unsigned pe_index);
/* Locks of a PE: 0..nr_pools-1 the pools, nr_pools the large pool (with
 * HOST_LOCK_GLOBAL only lock 0 is used); the magazine depot after them. */
unsigned host_lock_count(const host_model *h, unsigned pe_index);
const host_lock_stats *host_get_lock_stats(const host_model *h, unsigned pe_index, unsigned lock);
/* Zeroes the counters (sim.warmup_ns): per-CPU times, locks, kills, each
 * PE's allocator counts and magazine counts. What is in use (pages, cached
 * ranges, locks' busy-until, queued unmaps) stays; the pages' peak restarts
 * from what is in use. */
void host_reset_stats(host_model *h);
const host_kill_stats *host_get_kill_stats(const host_model *h);
const mag_stats *host_get_mag_stats(const host_model *h, unsigned pe_index); /* NULL without magazines */

#endif
