#include "calendar.h"

#include <stdlib.h>

#include "tcesim_err.h"

int calendar_init(calendar *c, ps_t bin_ps, uint32_t nbins)
{
    c->bins = NULL;
    c->newest = 0;
    c->run_lo = c->run_hi = 0;
    c->frontier = 0;
    if (!bin_ps || !nbins || (nbins & (nbins - 1)))
        return TCESIM_EINVAL;
    c->bin_ps = bin_ps;
    c->shift = (bin_ps & (bin_ps - 1)) ? -1 : __builtin_ctzll(bin_ps);
    c->mask = nbins - 1;
    c->bins = malloc(nbins * sizeof(*c->bins));
    if (!c->bins)
        return TCESIM_ENOMEM;
    for (uint32_t i = 0; i < nbins; i++)
        c->bins[i] = (calendar_bin){UINT64_MAX, 0, 0};
    return 0;
}

uint32_t calendar_bins_for(ps_t bin_ps, ps_t horizon_ps)
{
    uint64_t need = bin_ps ? horizon_ps / bin_ps + 1 : 64;
    uint32_t n = 64;
    while (n < need && n < (1u << 30))
        n <<= 1;
    return n;
}

void calendar_destroy(calendar *c)
{
    free(c->bins);
    c->bins = NULL;
}

static inline calendar_bin *slot_of(calendar *c, uint64_t b)
{
    calendar_bin *s = &c->bins[b & c->mask];
    if (s->tag != b) {
        *s = (calendar_bin){b, 0, b + 1};
        if (b > c->newest)
            c->newest = b;
    }
    return s;
}

static inline int is_full(const calendar *c, const calendar_bin *s) { return s->used >= c->bin_ps; }

/* The first bin at or after b that is not full; compresses the path.
 * Bins older than the ring (their slots now hold newer bins) count as full:
 * re-tagging one would wipe a newer bin's bookings, and a backlog longer
 * than the ring would be served twice over. */
static uint64_t first_open(calendar *c, uint64_t b)
{
    if (c->newest > c->mask && b < c->newest - c->mask)
        b = c->newest - c->mask;
    uint64_t f = b;
    for (calendar_bin *s = slot_of(c, f); is_full(c, s); s = slot_of(c, f))
        f = s->skip > f ? s->skip : f + 1;
    for (uint64_t x = b; x < f;) {
        calendar_bin *s = &c->bins[x & c->mask];
        if (s->tag != x) {
            /* x == b and its slot went to f, a whole ring ahead: every bin
             * between is full, so compress from the next one. */
            x++;
            continue;
        }
        uint64_t next = s->skip > x ? s->skip : x + 1;
        s->skip = f;
        x = next;
    }
    return f;
}

static inline uint64_t bin_of(const calendar *c, ps_t t)
{
    return c->shift >= 0 ? t >> c->shift : t / c->bin_ps;
}

/* After a booking from bin `from` that ended in bin `last`: [from, last)
 * is full now (first_open or the run proved the bins before the first one it
 * booked in full; it filled every bin it left), and `last` too when the
 * booking filled it. Merged with the run it touches; a run later in time
 * replaces the old one (the frontier is where bookings queue), an earlier
 * disjoint one is forgotten. */
static void note_run(calendar *c, uint64_t from, uint64_t last)
{
    uint64_t hi = last + (is_full(c, &c->bins[last & c->mask]) ? 1 : 0);
    if (hi <= from)
        return;
    if (from <= c->run_hi && c->run_lo <= hi) {
        c->run_lo = from < c->run_lo ? from : c->run_lo;
        c->run_hi = hi > c->run_hi ? hi : c->run_hi;
    } else if (from > c->run_hi) {
        c->run_lo = from;
        c->run_hi = hi;
    }
}

/* A booking at or after the frontier: every bin it touches is empty from t
 * on (work in a bin ends by the frontier), none is older than the ring
 * (slots are only taken by bins that get work, or by the open bin a search
 * stops at, which then gets it) and none is in the run of full bins (its
 * bins end by the frontier too), so the bin-by-bin loop below would serve
 * it from t without a wait: its first bin from t, the rest from their
 * starts, filled to t + service. Only the bins' marks are written. */
static ps_t book_past_frontier(calendar *c, ps_t t, ps_t service_ps)
{
    ps_t e = t + service_ps;
    uint64_t first = bin_of(c, t), last = bin_of(c, e - 1);
    for (uint64_t b = first; b <= last; b++) {
        calendar_bin *s = slot_of(c, b);
        ps_t start = b * c->bin_ps;
        s->used = (b == last ? e : start + c->bin_ps) - start;
    }
    note_run(c, first, last);
    c->frontier = e;
    return e;
}

ps_t calendar_book(calendar *c, ps_t t, ps_t service_ps)
{
    if (!service_ps)
        return t;
    if (t >= c->frontier)
        return book_past_frontier(c, t, service_ps);
    ps_t cursor = t;
    uint64_t b = bin_of(c, t);
    uint64_t first = b;
    /* In the run of full bins: its end is where first_open would lead. */
    if (b >= c->run_lo && b < c->run_hi) {
        /* Queued behind the whole backlog: when the run ends at the
         * frontier's bin, whose work ends at the frontier (no work ends
         * later), the loop below would fill on from the frontier, which is
         * the booking past the frontier; its run note merges into the same
         * run. (A saturated link books here every time.) */
        if (c->run_hi == bin_of(c, c->frontier))
            return book_past_frontier(c, c->frontier, service_ps);
        b = c->run_hi;
        cursor = ps_max(cursor, b * c->bin_ps);
    }
    /* Checked before slot_of: touching a bin older than the ring would
     * re-tag a slot that holds a newer bin. Only the first bin can be: the
     * loop moves on from a bin no older than the ring, and the newest bin
     * is never later than the one it just left or a search ended at. */
    int stale = c->newest > c->mask && b < c->newest - c->mask;
    calendar_bin *s = stale ? NULL : slot_of(c, b);
    for (;;) {
        if (stale || is_full(c, s)) {
            /* Off the fast path: skip full bins (and bins older than the
             * ring) in one path-compressed jump. */
            uint64_t open = first_open(c, b);
            if (open != b) {
                b = open;
                cursor = ps_max(cursor, b * c->bin_ps);
            }
            s = slot_of(c, b);
        }
        ps_t start = b * c->bin_ps, end = start + c->bin_ps;
        /* No work starts before the bin's high-water mark, so in-order
         * bookings are exactly a busy-until timeline; an earlier booking
         * that finds its bin started waits for the bin's work (bin
         * granularity). Counting only the work (as if packed from the bin's
         * start) let an in-order booking overlap work begun mid-bin. */
        ps_t from = ps_max(cursor, start + s->used);
        if (from < end) {
            ps_t take = ps_min(service_ps, end - from);
            s->used = from + take - start;
            service_ps -= take;
            cursor = from + take;
        }
        if (!service_ps)
            break;
        b++;
        cursor = ps_max(cursor, end);
        stale = 0;
        s = slot_of(c, b);
    }
    note_run(c, first, b);
    if (cursor > c->frontier)
        c->frontier = cursor;
    return cursor;
}
