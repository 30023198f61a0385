/* Memory timing (contract in memory.h): one channel booked through a
 * bandwidth calendar, then a fixed latency. An access costs one 64-bit
 * division (the transfer time) and O(transfer / 1 ns) calendar steps. */
#include "memory.h"

#include <stddef.h>

#include "../common/tcesim_err.h"

int mem_init(mem_model *m, const mem_params *p)
{
    if (!m || !p || p->bandwidth_mbs == 0)
        return TCESIM_EINVAL;
    m->p = *p;
    m->st = (mem_stats){0};
    /* 4 ns bins (a power of two in ps: shifts, not divisions) over the
     * horizon the caller expects arrivals to spread over. */
    ps_t horizon = p->horizon_ps ? p->horizon_ps : MEM_DEFAULT_HORIZON_PS;
    return calendar_init(&m->channel, 4096, calendar_bins_for(4096, horizon));
}

void mem_destroy(mem_model *m)
{
    if (m)
        calendar_destroy(&m->channel);
}

/* bytes / (bandwidth_mbs * 10^6 B/s) seconds = bytes * 10^6 / bandwidth_mbs
 * picoseconds, rounded up so that no non-empty access is free. bytes <
 * 2^32, so the product stays below 2^52. */
static inline ps_t xfer_ps(const mem_model *m, uint32_t bytes)
{
    uint64_t num = (uint64_t)bytes * 1000000ull;
    uint64_t bw = m->p.bandwidth_mbs;
    return num / bw + (num % bw != 0); /* one divide; no overflow for any bw */
}

ps_t mem_access(mem_model *m, uint64_t pa, uint32_t bytes, bool is_write, ps_t arrival_ps)
{
    ps_t xfer = xfer_ps(m, bytes);
    ps_t left = calendar_book(&m->channel, arrival_ps, xfer);
    m->st.queue_ps += left - arrival_ps - xfer;
    if (is_write) {
        m->st.writes++;
        m->st.write_bytes += bytes;
    } else {
        m->st.reads++;
        m->st.read_bytes += bytes;
    }
    return left + m->p.latency_ps;
}
