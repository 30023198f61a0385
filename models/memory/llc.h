/* Last-level cache: which lines of host memory are on chip, so that the
 * memory model can serve a DMA access or a TCE fetch without DRAM.
 *
 * Why: pcie-bench (Neugebauer et al., SIGCOMM 2018) measured 64 B DMA reads
 * with the IOMMU off flat at 32.5 Gb/s up to a 16 MiB window and falling to
 * 29.1 / 28.4 Gb/s at 32 / 64 MiB, once the window outgrows the LLC of its
 * Xeon E5-2630 v4 (pcie-bench data set, Neugebauer et al., SIGCOMM 2018: the
 * -iommu-nosp directory's IOMMU-off twin). That part has
 * 10 cores with a 2.5 MB L3 slice each (AnandTech, "The Intel Xeon E5 v4
 * review", 2016: "2.5 MB L3-cache per core"), 25 MB in all; 20 ways is the
 * associativity usually reported for Haswell/Broadwell-EP slices (2048 sets
 * x 20 ways x 64 B = 2.5 MB), not a figure from an Intel datasheet.
 *
 * Model: `capacity_bytes / (line_bytes * ways)` sets of `ways` lines, true
 * LRU within a set. Reads and writes both allocate: DMA writes land in the
 * LLC as with Intel DDIO (which in hardware is limited to a few ways, 2 by
 * default per Farshin et al., USENIX ATC 2020; not modelled: every way may
 * take I/O data). Real Intel L3s since Ivy Bridge use an adaptive, not LRU,
 * policy (H. Wong, "Intel Ivy Bridge cache replacement policy", 2013) and
 * hash addresses over slices; under uniform random access, the pattern the
 * pcie-bench windows use, any policy that keeps the cache full hits
 * C / F of the time, so LRU stands in for them there.
 *
 * Set index = line number mod number of sets (a mask when that is a power of
 * two). Deterministic: no random source.
 *
 * Cost: llc_access is O(lines touched x ways): per line a scan of its set's
 * tags (8 B each, MRU first, so hot lines are found early) and a move to the
 * front; one 64-bit division per access when the set count is not a power
 * of two. Host memory: 8 B per line of capacity (3.2 MB for 25 MiB). */
#ifndef TCESIM_LLC_H
#define TCESIM_LLC_H

#include <stdbool.h>
#include <stdint.h>

typedef struct llc llc;

typedef struct llc_params {
    uint64_t capacity_bytes; /* 0 = no cache: every access misses */
    uint32_t ways;           /* >= 1 when capacity_bytes > 0 */
    uint32_t line_bytes;     /* power of two, 8 .. 65536; 0 = LLC_DEFAULT_LINE */
} llc_params;

#define LLC_DEFAULT_LINE 64u

typedef struct llc_stats {
    uint64_t accesses;     /* llc_access calls */
    uint64_t line_hits;    /* lines found present */
    uint64_t line_misses;  /* lines absent (each then allocated) */
    uint64_t evictions;    /* valid lines displaced by an allocation */
} llc_stats;

/* On success stores a new cache (all lines invalid, zero stats) in *out and
 * returns TCESIM_OK. TCESIM_EINVAL: NULL argument, bad line size, ways 0
 * with a capacity, or a capacity that is not a whole number of sets
 * (line_bytes * ways); TCESIM_ENOMEM. */
int llc_create(const llc_params *p, llc **out);
void llc_destroy(llc *c); /* accepts NULL */

/* Touches every line that [pa, pa + bytes) overlaps, in address order: a
 * present line becomes most recently used, an absent one is allocated
 * (evicting its set's least recently used line), for reads and writes
 * alike. Returns the number of lines that were absent; 0 bytes touch no
 * line and return 0. is_write changes nothing in this model: it is there
 * so that callers need not change when write policy is modelled. */
uint32_t llc_access(llc *c, uint64_t pa, uint32_t bytes, bool is_write);

llc_stats llc_get_stats(const llc *c);
uint32_t llc_line_bytes(const llc *c);

#endif
