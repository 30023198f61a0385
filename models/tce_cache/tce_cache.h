/* The PHB's TCE cache: recently used TCEs, tagged by PE and IO page.
 *
 * Geometry and replacement are NOT public for PHB3/PHB4 (skiboot's
 * hw/phb4.c debug dumps show a 1024-entry TCAM/TDR, QEMU's PHB3 masks
 * suggest 64), so entries, ways and policy are parameters.
 *
 * Timing-aware: an entry is inserted when its fetch starts, with the time
 * its TCE arrives (ready_ps). A lookup before that time is MERGED (it joins
 * the fetch in flight); at or after it is a HIT. So the in-flight fetch table
 * and the cache are one structure, and a hit can never precede its fetch.
 *
 * Costs: lookup and insert are O(1) expected for any associativity (a hash
 * index over tags plus per-set LRU lists); invalidating a PE is O(entries). */
#ifndef TCESIM_TCE_CACHE_H
#define TCESIM_TCE_CACHE_H

#include <stdint.h>
#include "../common/tcesim_time.h"

typedef enum tce_repl {
    TCE_REPL_LRU = 0,
    TCE_REPL_RR,      /* round-robin victim pointer per set */
    TCE_REPL_RANDOM,  /* seeded */
    TCE_REPL_COUNT
} tce_repl;

const char *tce_repl_name(tce_repl p);           /* "lru", "rr", "random" */
int tce_repl_parse(const char *s, tce_repl *out); /* TCESIM_EINVAL if unknown */

/* Largest accepted `entries` (slot and bucket indices are 32-bit). */
#define TCE_CACHE_MAX_ENTRIES (1u << 28)

/* rng_seed() stream of the random replacement policy (see rng.h). */
#define TCE_CACHE_RNG_STREAM 0x7ce0ull

typedef struct tce_cache_params {
    uint32_t entries;  /* 1 .. TCE_CACHE_MAX_ENTRIES */
    uint32_t ways;     /* 0 = fully associative; else must divide entries */
    tce_repl policy;
    uint64_t seed;     /* for TCE_REPL_RANDOM */
} tce_cache_params;

typedef struct tce_cache_stats {
    uint64_t lookups, hits, misses, merged; /* merged is also counted in misses */
    uint64_t inserts, evictions;            /* inserts counts refreshes too;
                                             * evictions = valid entries
                                             * displaced by an insert */
    uint64_t inval_page, inval_pe, inval_all; /* requests */
    uint64_t invalidated;                   /* entries dropped by them */
} tce_cache_stats;

typedef enum tce_lookup_kind {
    TCE_LOOKUP_MISS = 0,
    TCE_LOOKUP_HIT,
    TCE_LOOKUP_MERGED,  /* present but its fetch completes after `now` */
} tce_lookup_kind;

typedef struct tce_lookup {
    tce_lookup_kind kind;
    uint64_t tce;       /* valid for HIT and MERGED */
    ps_t ready_ps;      /* when the TCE is (was) available */
} tce_lookup;

typedef struct tce_cache tce_cache;

/* Returns NULL on bad params (entries 0, ways not dividing entries) or
 * allocation failure. */
tce_cache *tce_cache_create(const tce_cache_params *p);
void tce_cache_destroy(tce_cache *c); /* accepts NULL */

/* Looks up (pe, iopage) at time now; a HIT or MERGED updates the
 * replacement state (LRU touch). Counts lookups/hits/misses/merged. On a
 * MISS, out->tce and out->ready_ps are 0. No allocation. */
void tce_cache_lookup(tce_cache *c, uint16_t pe, uint64_t iopage, ps_t now, tce_lookup *out);

/* Inserts or refreshes (pe, iopage) -> tce, available from ready_ps; a
 * refresh also touches the entry. A new tag takes an invalid slot of its
 * set if any, else evicts a victim of the set by policy. */
void tce_cache_insert(tce_cache *c, uint16_t pe, uint64_t iopage, uint64_t tce, ps_t ready_ps);

/* Peek without touching replacement state or counters (tests, line fill). */
int tce_cache_contains(const tce_cache *c, uint16_t pe, uint64_t iopage);

void tce_cache_inval_page(tce_cache *c, uint16_t pe, uint64_t iopage);
void tce_cache_inval_pe(tce_cache *c, uint16_t pe);
void tce_cache_inval_all(tce_cache *c); /* also rewinds RR pointers */

const tce_cache_stats *tce_cache_get_stats(const tce_cache *c);
/* Zeroes the counters (sim.warmup_ns); the entries stay. */
void tce_cache_reset_stats(tce_cache *c);
uint32_t tce_cache_valid_entries(const tce_cache *c);

#endif
