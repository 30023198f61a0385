/* Last-level cache (contract in llc.h). Each set is an array of `ways`
 * tags kept in recency order, most recent first: true LRU with no age
 * fields, a hit moves its tag to the front, a miss drops the last tag and
 * puts the new one in front. Both are one scan and one memmove of at most
 * ways - 1 tags, and a set's state is contiguous (160 B for 20 ways). */
#include "llc.h"

#include <stdlib.h>
#include <string.h>

#include "../common/tcesim_err.h"

struct llc {
    uint32_t ways;
    uint32_t line_shift;
    uint64_t nsets;       /* 0 = no cache */
    uint64_t set_mask;    /* nsets - 1, used when pow2 */
    bool pow2;            /* nsets is a power of two: mask, not divide */
    uint64_t *tags;       /* nsets x ways; line number + 1, 0 = invalid */
    llc_stats st;
};

int llc_create(const llc_params *p, llc **out)
{
    if (!p || !out)
        return TCESIM_EINVAL;
    *out = NULL;
    uint32_t line = p->line_bytes ? p->line_bytes : LLC_DEFAULT_LINE;
    if (line < 8 || line > 65536 || (line & (line - 1)))
        return TCESIM_EINVAL;
    uint64_t nsets = 0;
    if (p->capacity_bytes) {
        if (p->ways == 0)
            return TCESIM_EINVAL;
        uint64_t set_bytes = (uint64_t)line * p->ways;
        if (p->capacity_bytes % set_bytes)
            return TCESIM_EINVAL;
        nsets = p->capacity_bytes / set_bytes;
    }

    llc *c = calloc(1, sizeof *c);
    if (!c)
        return TCESIM_ENOMEM;
    c->ways = p->ways;
    c->line_shift = (uint32_t)__builtin_ctz(line);
    c->nsets = nsets;
    c->set_mask = nsets - 1;
    c->pow2 = (nsets & (nsets - 1)) == 0;
    if (nsets) {
        /* nsets * ways = capacity / line, so the count cannot overflow. */
        c->tags = calloc(nsets * p->ways, sizeof *c->tags);
        if (!c->tags) {
            free(c);
            return TCESIM_ENOMEM;
        }
    }
    *out = c;
    return TCESIM_OK;
}

void llc_destroy(llc *c)
{
    if (!c)
        return;
    free(c->tags);
    free(c);
}

/* Looks up one line in its set and makes it most recently used, allocating
 * it if absent. Returns 1 on a miss. */
static inline uint32_t touch(llc *c, uint64_t *set, uint64_t tag)
{
    uint32_t ways = c->ways;
    for (uint32_t i = 0; i < ways; i++) {
        if (set[i] == tag) {
            memmove(set + 1, set, i * sizeof *set);
            set[0] = tag;
            return 0;
        }
        if (set[i] == 0)
            break; /* invalid tags only follow valid ones: the rest is empty */
    }
    if (set[ways - 1] != 0)
        c->st.evictions++;
    memmove(set + 1, set, (ways - 1) * sizeof *set);
    set[0] = tag;
    return 1;
}

uint32_t llc_access(llc *c, uint64_t pa, uint32_t bytes, bool is_write)
{
    c->st.accesses++;
    if (bytes == 0)
        return 0;
    uint64_t line_mask = ((uint64_t)1 << c->line_shift) - 1;
    /* (pa & line_mask) < 2^16 and bytes < 2^32: no overflow. */
    uint64_t nlines = ((pa & line_mask) + bytes + line_mask) >> c->line_shift;
    if (c->nsets == 0) {
        c->st.line_misses += nlines;
        return (uint32_t)nlines;
    }
    uint64_t line = pa >> c->line_shift;
    /* One division per access: consecutive lines sit in consecutive sets. */
    uint64_t set = c->pow2 ? line & c->set_mask : line % c->nsets;
    uint32_t missed = 0;
    for (uint64_t i = 0; i < nlines; i++) {
        /* line <= 2^61 + 2^29 (line_shift >= 3): line + 1 never wraps to 0 */
        missed += touch(c, c->tags + set * c->ways, line + i + 1);
        if (++set == c->nsets)
            set = 0;
    }
    c->st.line_hits += nlines - missed;
    c->st.line_misses += missed;
    return missed;
}

llc_stats llc_get_stats(const llc *c)
{
    return c->st;
}

uint32_t llc_line_bytes(const llc *c)
{
    return (uint32_t)1 << c->line_shift;
}
