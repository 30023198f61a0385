/* Memory timing (contract in memory.h): one FIFO channel, then a fixed
 * latency. The channel is a single busy-until time, so an access costs O(1)
 * and one 64-bit division (the transfer time). */
#include "memory.h"

#include <stddef.h>

#include "../common/tcesim_err.h"

int mem_init(mem_model *m, const mem_params *p)
{
    if (!m || !p || p->bandwidth_mbs == 0)
        return TCESIM_EINVAL;
    m->p = *p;
    m->busy_until = 0;
    m->st = (mem_stats){0};
    return TCESIM_OK;
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
    ps_t start = ps_max(arrival_ps, m->busy_until);
    m->busy_until = start + xfer_ps(m, bytes);
    m->st.queue_ps += start - arrival_ps;
    if (is_write) {
        m->st.writes++;
        m->st.write_bytes += bytes;
    } else {
        m->st.reads++;
        m->st.read_bytes += bytes;
    }
    return m->busy_until + m->p.latency_ps;
}
