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
 * are config parameters (`memory.latency_ns`, `memory.bandwidth_gbs`). */
#ifndef TCESIM_MEMORY_H
#define TCESIM_MEMORY_H

#include <stdbool.h>
#include <stdint.h>
#include "../common/calendar.h"
#include "../common/tcesim_time.h"

typedef struct mem_params {
    ps_t latency_ps;           /* issue to data, unloaded */
    uint64_t bandwidth_mbs;    /* channel bandwidth, MB/s (10^6 B/s); > 0 */
    ps_t horizon_ps;           /* widest out-of-order spread of arrivals;
                                * 0 = MEM_DEFAULT_HORIZON_PS */
} mem_params;

#define MEM_DEFAULT_HORIZON_PS 16000000ull /* 16 us */

typedef struct mem_stats {
    uint64_t reads, writes;
    uint64_t read_bytes, write_bytes;
    ps_t queue_ps;             /* total time requests waited for the channel */
} mem_stats;

typedef struct mem_model {
    mem_params p;
    calendar channel;
    mem_stats st;
} mem_model;

/* Returns TCESIM_EINVAL if bandwidth is 0, TCESIM_ENOMEM. */
int mem_init(mem_model *m, const mem_params *p);
void mem_destroy(mem_model *m);

/* Books one access; returns the time its data is available (reads) or
 * committed (writes). O(1). */
ps_t mem_access(mem_model *m, uint64_t pa, uint32_t bytes, bool is_write, ps_t arrival_ps);

#endif
