/* Memory timing (contract in memory.h): one channel booked through a
 * bandwidth calendar, then a fixed latency. An access costs one 64-bit
 * division (the transfer time) and O(transfer / 1 ns) calendar steps, plus
 * the LLC lookup when there is one (llc.h states its cost). */
#include "memory.h"

#include <stddef.h>

#include "../common/tcesim_err.h"

int mem_init(mem_model *m, const mem_params *p)
{
    if (!m || !p || p->bandwidth_mbs == 0)
        return TCESIM_EINVAL;
    m->p = *p;
    m->st = (mem_stats){0};
    m->cache = NULL;
    /* 4 ns bins (a power of two in ps: shifts, not divisions) over the
     * horizon the caller expects arrivals to spread over. */
    ps_t horizon = p->horizon_ps ? p->horizon_ps : MEM_DEFAULT_HORIZON_PS;
    int err = calendar_init(&m->channel, 4096, calendar_bins_for(4096, horizon));
    if (err || p->llc_bytes == 0)
        return err;
    llc_params lp = {.capacity_bytes = p->llc_bytes, .ways = p->llc_ways,
                     .line_bytes = p->llc_line};
    err = llc_create(&lp, &m->cache);
    if (err)
        calendar_destroy(&m->channel);
    return err;
}

void mem_destroy(mem_model *m)
{
    if (!m)
        return;
    calendar_destroy(&m->channel);
    llc_destroy(m->cache);
    m->cache = NULL;
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

/* The channel path: transfer through the calendar, then the latency. */
static inline ps_t book(mem_model *m, uint32_t bytes, ps_t arrival_ps)
{
    ps_t xfer = xfer_ps(m, bytes);
    ps_t left = calendar_book(&m->channel, arrival_ps, xfer);
    m->st.queue_ps += left - arrival_ps - xfer;
    m->st.busy_ps += xfer;
    return left + m->p.latency_ps;
}

static inline void count(mem_model *m, uint32_t bytes, bool is_write)
{
    if (is_write) {
        m->st.writes++;
        m->st.write_bytes += bytes;
    } else {
        m->st.reads++;
        m->st.read_bytes += bytes;
    }
}

ps_t mem_access(mem_model *m, uint64_t pa, uint32_t bytes, bool is_write, ps_t arrival_ps)
{
    if (m->cache) {
        uint32_t missed = llc_access(m->cache, pa, bytes, is_write);
        llc_stats ls = llc_get_stats(m->cache); /* mirrored: one source of truth */
        m->st.llc_hits = ls.line_hits;
        m->st.llc_misses = ls.line_misses;
        if (missed == 0) {
            count(m, bytes, is_write);
            /* the lines of a multi-line hit come one after the other */
            uint64_t line = llc_line_bytes(m->cache);
            uint64_t lines = bytes ? ((pa + bytes - 1) / line - pa / line + 1) : 1;
            return arrival_ps + m->p.llc_hit_ps + (lines - 1) * m->p.llc_line_ps;
        }
        /* at most bytes + 2 lines: past 2^32 only for an access of nearly
         * 4 GiB; clamp to the uint32 the channel takes */
        uint64_t miss_bytes = (uint64_t)missed * llc_line_bytes(m->cache);
        ps_t done = book(m, miss_bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)miss_bytes,
                         arrival_ps);
        count(m, bytes, is_write);
        return done;
    }
    ps_t done = book(m, bytes, arrival_ps);
    count(m, bytes, is_write);
    return done;
}

