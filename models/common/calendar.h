/* A bandwidth calendar: a resource that serves work at a fixed rate and
 * accepts bookings out of time order.
 *
 * Why not a single "busy until" timeline: a pipelined requester (the PHB
 * books a TLP's data read only after its translation, which may be after a
 * later TLP's table read) and temporally decoupled initiators (up to one
 * quantum apart) book in call order, not time order. A lone busy-until then
 * queues every early request behind the latest one booked. The calendar
 * instead splits time into bins of `bin_ps`, each able to serve `bin_ps` of
 * work; a booking at t takes free capacity from bin(t) onwards. In-order
 * bookings get exactly max(t, busy_until) + service; out-of-order ones are
 * served in their own time, at bin granularity.
 *
 * Memory: a ring of `nbins` bins (power of two); a booking more than
 * nbins * bin_ps ahead of older ones reuses their slots, and a booking at a
 * bin that old is treated as arriving at the oldest bin still in the ring
 * (the older bins are taken as full: the backlog of a saturated resource is
 * contiguous). Cost: O(service /
 * bin_ps + 1) per booking amortised: runs of full bins are jumped over
 * through path-compressed skip pointers (as in union-find), so a saturated
 * resource with a long backlog does not cost a scan of the backlog. */
#ifndef TCESIM_CALENDAR_H
#define TCESIM_CALENDAR_H

#include <stdint.h>
#include "tcesim_time.h"

typedef struct calendar_bin {
    uint64_t tag;          /* absolute bin number this slot holds */
    ps_t used;             /* high-water mark: end of the bin's latest work,
                            * as an offset from the bin's start */
    uint64_t skip;         /* full bin: a later bin to resume the search at */
} calendar_bin;

typedef struct calendar {
    ps_t bin_ps;
    int shift;             /* log2(bin_ps) when a power of two, else -1:
                            * the hot path then shifts instead of dividing */
    uint32_t mask;         /* nbins - 1 */
    calendar_bin *bins;    /* one cache access per bin visited */
    uint64_t newest;       /* highest bin number ever held by a slot */
    /* Every bin in [run_lo, run_hi) is full (or older than the ring, which
     * counts as full): the backlog the latest bookings queued behind. A
     * booking inside it starts at run_hi without walking the skip pointers
     * (a saturated resource books there every time). Bins never empty, so
     * the run stays true; it only grows or moves on. */
    uint64_t run_lo, run_hi;
    /* The latest end of any booking: no bin at or after it holds work, so a
     * booking at or after it is served at once (the in-order fast path). */
    ps_t frontier;
} calendar;

/* nbins must be a power of two, bin_ps > 0. Returns 0 or TCESIM_EINVAL /
 * TCESIM_ENOMEM. */
int calendar_init(calendar *c, ps_t bin_ps, uint32_t nbins);
void calendar_destroy(calendar *c); /* accepts a zeroed calendar */

/* Bins needed to cover `horizon_ps` with bins of bin_ps: the next power of
 * two, at least 64. The horizon is the widest spread of arrival times the
 * resource must take out of order (a few quanta plus a miss); keeping the
 * ring that small keeps it in cache, which is what the hot path costs. */
uint32_t calendar_bins_for(ps_t bin_ps, ps_t horizon_ps);

/* Books `service_ps` of work arriving at t; returns when it is done. */
ps_t calendar_book(calendar *c, ps_t t, ps_t service_ps);

#endif
