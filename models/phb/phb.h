/* The PHB's inbound translation datapath, functional and timed:
 *   RID -> PE (RTT) -> TVE (TVT) -> TCE cache -> TCE walk through memory,
 * with a bounded number of outstanding TCE fetches, merging of concurrent
 * misses to one TCE, and EEH freeze on faults (skiboot hw/phb3.c, hw/phb4.c; QEMU
 * hw/pci-host/pnv_phb3.c for the walk).
 *
 * Timing contract: phb_translate() takes the TLP's arrival time and returns
 * when its translated address is known. Resources (fetch slots, the memory
 * channel behind `mem_if`) are "busy until" timelines; requests may come
 * slightly out of time order from temporally decoupled initiators, which the
 * timelines absorb (error bounded by one quantum).
 *
 * Unknown hardware values (cache geometry, latencies, fetch slots) are
 * parameters; their defaults live in sim/config.c with their justification. */
#ifndef TCESIM_PHB_H
#define TCESIM_PHB_H

#include <stdbool.h>
#include <stdint.h>
#include "../common/tcesim_time.h"
#include "../memory/physmem.h"
#include "../rtt/rtt.h"
#include "../tce/tce_table.h"
#include "../tce_cache/tce_cache.h"
#include "../tvt/tve.h"

#define PHB_MAX_FETCH_SLOTS 1024u

typedef struct phb_params {
    phb_gen gen;
    ps_t lookup_ps;           /* TCE cache lookup (the hit latency) */
    ps_t bypass_ps;           /* a bypass TLP's pass through the TVT */
    ps_t walk_ps;             /* fixed cost of a walk besides its table reads (walker
                               * pipeline, request setup), holding the fetch slot */
    uint32_t fetch_slots;     /* outstanding TCE fetches, 1..PHB_MAX_FETCH_SLOTS */
    bool line_fill;           /* keep every valid TCE of a fetched line */
    uint32_t line_bytes;      /* memory line of a TCE fetch (128: 16 TCEs) */
    uint32_t walk_cache_entries; /* cache of upper-level (indirect) entries; 0 = off */
    uint32_t walk_line_entries;  /* cache of recently fetched table lines (line_bytes
                                  * each, any level): a walk read that hits costs
                                  * nothing beyond the walk itself; 0 = off */
    ps_t eeh_recovery_ps;     /* 0: a frozen PE stays frozen */
    uint32_t kill_slots;      /* PHB4 kill queue depth (0 = 1) */
    uint32_t read_slots;      /* inbound reads the root complex tracks at once (0 =
                               * unlimited): a read holds an entry from arrival
                               * until its completions have left (phb_read_done) */
    ps_t kill_ps;             /* time the PHB takes to process one queued kill */
    ps_t kill_sync_ps;        /* DMA read sync round trip once the queue is empty */
    tce_cache_params cache;
} phb_params;

/* Timing of one TCE read through memory: returns when its data is back.
 * In the SystemC system this is a b_transport on the PHB's initiator socket;
 * in unit tests a mock. */
typedef struct phb_mem_if {
    ps_t (*tce_read)(void *ctx, uint64_t pa, uint32_t bytes, ps_t arrival_ps);
    void *ctx;
} phb_mem_if;

typedef enum phb_xlate_kind {
    PHB_XLATE_HIT = 0,
    PHB_XLATE_MISS,
    PHB_XLATE_MERGED,   /* a miss that joined a fetch in flight */
    PHB_XLATE_BYPASS,
    PHB_XLATE_FAULT,
    PHB_XLATE_DROPPED,  /* the PE is frozen (EEH) */
} phb_xlate_kind;

typedef struct phb_xlate {
    phb_xlate_kind kind;
    tce_fault fault;      /* for PHB_XLATE_FAULT */
    uint16_t pe;
    uint64_t pa;
    ps_t done_ps;         /* translated address known (or fault detected) */
    ps_t slot_wait_ps;    /* time a miss waited for a free fetch slot, plus time a
                           * read waited for a root-complex read entry */
    ps_t fetch_ps;        /* time spent fetching TCEs (miss) or waiting for
                           * a fetch in flight (merged) */
} phb_xlate;

typedef struct phb_stats {
    uint64_t lookups, hits, misses, merged, bypass, dropped;
    uint64_t faults, faults_by_kind[TCE_FAULT_KINDS];
    uint64_t walks, walk_reads, walk_cache_hits, walk_line_hits, line_fill_inserts;
    uint64_t slot_waits;  /* misses that found every fetch slot busy */
    uint64_t read_slot_waits; /* reads that found every read entry in use */
    ps_t read_slot_wait_ps;
    ps_t slot_wait_ps;
    uint64_t freezes;
    uint64_t kills_page, kills_pe, kills_all;   /* kill requests the PHB acted on */
    uint64_t kill_queue_waits;  /* PHB4: kill stores that found every queue slot busy */
    ps_t kill_queue_wait_ps;    /* their total wait for a slot */
    uint64_t kill_syncs;        /* PHB4: DMA read syncs after kills */
    ps_t kill_sync_wait_ps;     /* total time from a sync's start to its completion */
} phb_stats;

typedef struct phb_pe_stats {
    uint64_t lookups, hits, misses, merged, bypass, faults, dropped, freezes;
} phb_pe_stats;

typedef struct phb phb;

/* Returns NULL on bad params (fetch_slots out of range, line_bytes not a
 * power of two >= 8, bad cache geometry) or allocation failure. mem must
 * outlive the PHB. Every RID starts on the reserved PE; every TVE invalid. */
phb *phb_create(const phb_params *p, const physmem *mem, phb_mem_if mem_if);
void phb_destroy(phb *p); /* accepts NULL */

unsigned phb_pe_count(const phb *p);
uint16_t phb_reserved_pe(const phb *p);
void phb_set_rid(phb *p, uint16_t rid, uint16_t pe);
uint16_t phb_pe_of_rid(const phb *p, uint16_t rid);

/* Programs TVE `index` (< 2 * pe count) with a raw IODA2/IODA3 value, the
 * way OPAL writes it; it is decoded once here. Returns TCESIM_EINVAL for an
 * index out of range or a value tve_decode rejects. */
int phb_set_tve(phb *p, unsigned index, uint64_t raw);
const tve *phb_get_tve(const phb *p, unsigned index);

/* Translates one TLP. O(1) on a hit; a miss costs one memory read per
 * uncached table level plus O(fetch_slots) to pick a slot. */
void phb_translate(phb *p, uint16_t rid, uint64_t bus_addr, bool is_write,
                   ps_t arrival_ps, phb_xlate *out);

/* After phb_translate of a read (with read_slots set), the caller reports
 * when the read's entry is free again: its data returned and completions
 * sent, or the fault. Must follow that phb_translate before any other. */
void phb_read_done(phb *p, ps_t release_ps);

/* TCE kills (invalidation), in simulated time order of the caller. */
void phb_kill_page(phb *p, uint16_t pe, uint64_t bus_addr);
void phb_kill_pe(phb *p, uint16_t pe);
void phb_kill_all(phb *p);

/* PHB4/PHB5 kill queue (skiboot hw/phb4.c phb4_tce_kill): a store is
 * accepted when a queue slot is free (the CPU spins until then), the PHB
 * works through the queue at kill_ps per request, and a DMA read sync
 * completes once the queue is empty. The invalidation itself is applied
 * when the kill is submitted (the caller submits in simulated-time order).
 * Returns the acceptance time. */
typedef enum phb_kill_form { PHB_KILL_PAGE = 0, PHB_KILL_PE, PHB_KILL_ALL } phb_kill_form;
ps_t phb_kill_submit(phb *p, ps_t t, phb_kill_form form, uint16_t pe, uint64_t bus_addr);
/* The DMA read sync after a batch of kills: returns when it completes. */
ps_t phb_kill_sync(phb *p, ps_t t);

/* EEH: is the PE frozen at time t? (frozen until recovery, if configured) */
bool phb_pe_frozen(const phb *p, uint16_t pe, ps_t t);

const phb_stats *phb_get_stats(const phb *p);
/* Zeroes the PHB's counters, every PE's and the TCE cache's (sim.warmup_ns:
 * the region of interest starts). State (cache entries, tables, frozen PEs,
 * slots' and queues' busy-until times) is left alone. */
void phb_reset_stats(phb *p);
const phb_pe_stats *phb_get_pe_stats(const phb *p, uint16_t pe);
const tce_cache *phb_cache(const phb *p);

#endif
