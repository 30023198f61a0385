#include "calendar.h"

#include <stdlib.h>

#include "tcesim_err.h"

int calendar_init(calendar *c, ps_t bin_ps, uint32_t nbins)
{
    c->tag = NULL;
    c->used = NULL;
    c->skip = NULL;
    if (!bin_ps || !nbins || (nbins & (nbins - 1)))
        return TCESIM_EINVAL;
    c->bin_ps = bin_ps;
    c->mask = nbins - 1;
    c->tag = malloc(nbins * sizeof(*c->tag));
    c->used = calloc(nbins, sizeof(*c->used));
    c->skip = calloc(nbins, sizeof(*c->skip));
    if (!c->tag || !c->used || !c->skip) {
        calendar_destroy(c);
        return TCESIM_ENOMEM;
    }
    for (uint32_t i = 0; i < nbins; i++)
        c->tag[i] = UINT64_MAX;
    return 0;
}

void calendar_destroy(calendar *c)
{
    free(c->tag);
    free(c->used);
    free(c->skip);
    c->tag = NULL;
    c->used = NULL;
    c->skip = NULL;
}

static inline uint32_t slot_of(calendar *c, uint64_t b)
{
    uint32_t s = (uint32_t)(b & c->mask);
    if (c->tag[s] != b) {
        c->tag[s] = b;
        c->used[s] = 0;
        c->skip[s] = b + 1;
    }
    return s;
}

static inline int is_full(const calendar *c, uint32_t s) { return c->used[s] >= c->bin_ps; }

/* The first bin at or after b that is not full; compresses the path. */
static uint64_t first_open(calendar *c, uint64_t b)
{
    uint64_t f = b;
    for (uint32_t s = slot_of(c, f); is_full(c, s); s = slot_of(c, f))
        f = c->skip[s] > f ? c->skip[s] : f + 1;
    for (uint64_t x = b; x < f;) {
        uint32_t s = slot_of(c, x);
        uint64_t next = c->skip[s] > x ? c->skip[s] : x + 1;
        c->skip[s] = f;
        x = next;
    }
    return f;
}

ps_t calendar_book(calendar *c, ps_t t, ps_t service_ps)
{
    ps_t cursor = t;
    uint64_t b = t / c->bin_ps;
    while (service_ps) {
        uint64_t open = first_open(c, b);
        if (open != b) {
            b = open;
            cursor = ps_max(cursor, b * c->bin_ps);
        }
        uint32_t s = slot_of(c, b);
        ps_t start = b * c->bin_ps, end = start + c->bin_ps;
        /* Work booked in a bin is taken as packed from the bin's start. */
        ps_t from = ps_max(cursor, start + c->used[s]);
        if (from < end) {
            ps_t take = ps_min(service_ps, end - from);
            c->used[s] += take;
            service_ps -= take;
            cursor = from + take;
        }
        if (service_ps) {
            b++;
            cursor = ps_max(cursor, end);
        }
    }
    return cursor;
}
