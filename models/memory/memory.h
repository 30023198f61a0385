/* Memory timing: a fixed access latency plus a bandwidth-limited channel with
 * queueing. Every TCE fetch and every DMA data access goes through it.
 *
 * Model: an access of `bytes` arriving at t occupies the channel for
 * bytes / bandwidth, from the first time the channel has room at or after t
 * (a bandwidth calendar, models/common/calendar.h: in-order requests get
 * exactly max(t, busy_until)); its data is back `latency` after it leaves
 * the channel. Requests may arrive out of time order (the PHB books a TLP's
 * data read after its walk; temporal decoupling, see sim/README.md); each is
 * served in its own time, at the calendar's 4 ns granularity. Neither value is published for POWER8/9 DMA paths: both
 * are config parameters (`memory.latency_ns`, `memory.bandwidth_gbs`).
 *
 * Last-level cache (optional, models/memory/llc.h): with llc_bytes > 0 every
 * access is first looked up line by line. If every line it touches is
 * present it completes at arrival + llc_hit_ps and leaves the channel alone;
 * otherwise the missed lines (whole lines: DRAM moves lines, so an 8 B TCE
 * fetch that misses moves line_bytes) book the channel as above and the
 * access completes at channel done + latency_ps, which is therefore the
 * whole miss latency, LLC lookup included. A write miss books its lines too:
 * it allocates (DDIO-like) and displaces a line that, in steady state, is
 * dirty and written back, one line of DRAM traffic either way. The LLC is
 * updated in call order, not time order, and a line is present from the
 * call that allocated it: a hit on a line whose fill is still in flight is
 * not made to wait for it (no miss-status tracking). With llc_bytes == 0
 * nothing changes from the model above. */
#ifndef TCESIM_MEMORY_H
#define TCESIM_MEMORY_H

#include <stdbool.h>
#include <stdint.h>
#include "../common/calendar.h"
#include "../common/tcesim_time.h"
#include "llc.h"

typedef struct mem_params {
    ps_t latency_ps;           /* issue to data, unloaded */
    uint64_t bandwidth_mbs;    /* channel bandwidth, MB/s (10^6 B/s); > 0 */
    ps_t horizon_ps;           /* widest out-of-order spread of arrivals;
                                * 0 = MEM_DEFAULT_HORIZON_PS */
    uint64_t llc_bytes;        /* LLC capacity; 0 = no LLC */
    uint32_t llc_ways;         /* >= 1 when llc_bytes > 0 */
    uint32_t llc_line;         /* bytes, power of two; 0 = LLC_DEFAULT_LINE */
    ps_t llc_hit_ps;
    ps_t llc_line_ps;          /* an LLC hit of several lines: each further line */
    ps_t remote_data_ps;       /* mem_access_data's extra: data on the other socket */
} mem_params;

#define MEM_DEFAULT_HORIZON_PS 16000000ull /* 16 us */

typedef struct mem_stats {
    uint64_t reads, writes;
    uint64_t read_bytes, write_bytes;
    ps_t queue_ps;             /* total time requests waited for the channel */
    ps_t busy_ps;              /* total transfer time the channel carried */
    uint64_t llc_hits, llc_misses; /* lines; both 0 without an LLC */
} mem_stats;

typedef struct mem_model {
    mem_params p;
    calendar channel;
    mem_stats st;
    llc *cache;                /* the LLC, owned; NULL = no LLC */
} mem_model;

/* Returns TCESIM_EINVAL if bandwidth is 0 or the LLC geometry is rejected
 * (llc_create), TCESIM_ENOMEM. */
int mem_init(mem_model *m, const mem_params *p);
void mem_destroy(mem_model *m);

/* Books one access; returns the time its data is available (reads) or
 * committed (writes). O(1) without an LLC; with one, plus
 * O(lines x llc_ways) for the lookup. */
ps_t mem_access(mem_model *m, uint64_t pa, uint32_t bytes, bool is_write, ps_t arrival_ps);

/* A DMA data access: mem_access plus remote_data_ps, the round trip to the
 * other socket when the device's buffers live there. TCE fetches take
 * mem_access: pcie-bench's s0-s1-s1 runs (device on socket 0, its buffers
 * on socket 1) add 93-107 ns to an unloaded read with the IOMMU on or off
 * alike, and leave the miss penalty unchanged (Broadwell 280/280 ns), so
 * the tables stay local (docs/validation.md, "The far socket"). */
static inline ps_t mem_access_data(mem_model *m, uint64_t pa, uint32_t bytes, bool is_write, ps_t arrival_ps)
{
    return mem_access(m, pa, bytes, is_write, arrival_ps) + m->p.remote_data_ps;
}

#endif
