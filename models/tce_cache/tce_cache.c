/* The PHB's TCE cache (contract in tce_cache.h).
 *
 * Layout: `entries` slots, set s owning slots [s * ways, (s + 1) * ways).
 * A chained hash index maps the (pe, iopage) tag to its slot, so a lookup
 * costs one hash and an expected O(1) chain walk whatever the associativity
 * (a fully associative 1024-entry cache is not scanned). The index has at
 * least 2 * entries buckets (load factor <= 0.5). Chains, LRU lists and free
 * lists are uint32_t slot indices, not pointers: 40-byte slots, no
 * per-operation allocation.
 *
 * Replacement per set:
 *  - LRU: doubly-linked list, head = most recent, tail = victim. Only LRU
 *    keeps the list; RR and random never read it, so they skip its upkeep.
 *  - RR: a victim pointer per set that advances on each eviction.
 *  - random: rng_below(ways) from an xoshiro256** stream seeded with
 *    (params.seed, TCE_CACHE_RNG_STREAM).
 * Invalid slots come from a per-set free list before anything is evicted, in
 * every policy.
 *
 * Set index: the IO page's low bits plus the PE times an odd constant, so
 * consecutive pages of one PE fall in consecutive sets (as a hardware index
 * taken from the low page-number bits would), and the same page of two PEs
 * does not collide systematically. Power-of-two set counts use a mask;
 * others use Lemire's fastmod (Lemire, Kaser, Kurz, "Faster remainder by
 * direct computation", Softw. Pract. Exper. 2019): two multiplies, no
 * division on the hot path. */
#include "tce_cache.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../common/rng.h"
#include "../common/tcesim_err.h"

#define NIL UINT32_MAX

typedef struct slot {
    uint64_t iopage;
    uint64_t tce;
    ps_t ready_ps;
    uint32_t prev, next; /* LRU list of the set (LRU policy); `next` also
                          * links the set's free list */
    uint32_t hnext;      /* hash chain */
    uint16_t pe;
    uint8_t valid;
} slot;

typedef struct set_state {
    uint32_t head, tail; /* LRU: most and least recently used valid slot */
    uint32_t free_head;  /* invalid slots of this set */
    uint32_t rr;         /* RR: next victim, as a way number */
} set_state;

struct tce_cache {
    tce_cache_params p;
    uint32_t ways, sets;
    bool sets_pow2;
    uint32_t set_mask;     /* sets - 1 when sets_pow2 */
    uint64_t set_fastmod;  /* UINT64_MAX / sets + 1 otherwise */
    uint32_t hash_shift;   /* 64 - log2(buckets) */
    uint32_t nbuckets;
    uint32_t valid_count;
    slot *slots;
    set_state *set;
    uint32_t *bucket;      /* head slot of each chain, NIL if empty */
    rng rand;
    tce_cache_stats st;
};

static const char *const repl_names[TCE_REPL_COUNT] = {
    [TCE_REPL_LRU] = "lru",
    [TCE_REPL_RR] = "rr",
    [TCE_REPL_RANDOM] = "random",
};

const char *tce_repl_name(tce_repl p)
{
    if ((unsigned)p >= TCE_REPL_COUNT)
        return "?";
    return repl_names[p];
}

int tce_repl_parse(const char *s, tce_repl *out)
{
    if (!s || !out)
        return TCESIM_EINVAL;
    for (int i = 0; i < TCE_REPL_COUNT; i++) {
        if (strcmp(s, repl_names[i]) == 0) {
            *out = (tce_repl)i;
            return TCESIM_OK;
        }
    }
    return TCESIM_EINVAL;
}

/* Fibonacci hashing of the tag (Knuth, TAOCP vol. 3, 6.4): the top bits of
 * a multiply by 2^64 / phi. The PE is folded in with a second odd constant
 * so (pe, page) and (pe', page') rarely alias. */
static inline uint32_t tag_bucket(const tce_cache *c, uint16_t pe, uint64_t iopage)
{
    uint64_t h = (iopage ^ ((uint64_t)pe * 0xd6e8feb86659fd93ull)) * 0x9e3779b97f4a7c15ull;
    return (uint32_t)(h >> c->hash_shift);
}

static inline uint32_t tag_set(const tce_cache *c, uint16_t pe, uint64_t iopage)
{
    uint32_t x = (uint32_t)iopage ^ (uint32_t)(iopage >> 32);
    x += (uint32_t)pe * 0x9e3779b1u;
    if (c->sets_pow2)
        return x & c->set_mask;
    uint64_t low = c->set_fastmod * x;
    return (uint32_t)(((unsigned __int128)low * c->sets) >> 64);
}

static inline uint32_t find(const tce_cache *c, uint16_t pe, uint64_t iopage)
{
    for (uint32_t i = c->bucket[tag_bucket(c, pe, iopage)]; i != NIL; i = c->slots[i].hnext) {
        const slot *s = &c->slots[i];
        if (s->iopage == iopage && s->pe == pe)
            return i;
    }
    return NIL;
}

static inline void lru_unlink(tce_cache *c, set_state *ss, uint32_t i)
{
    slot *s = &c->slots[i];
    if (s->prev != NIL)
        c->slots[s->prev].next = s->next;
    else
        ss->head = s->next;
    if (s->next != NIL)
        c->slots[s->next].prev = s->prev;
    else
        ss->tail = s->prev;
}

static inline void lru_push_front(tce_cache *c, set_state *ss, uint32_t i)
{
    slot *s = &c->slots[i];
    s->prev = NIL;
    s->next = ss->head;
    if (ss->head != NIL)
        c->slots[ss->head].prev = i;
    else
        ss->tail = i;
    ss->head = i;
}

static inline void lru_touch(tce_cache *c, uint32_t i)
{
    set_state *ss = &c->set[tag_set(c, c->slots[i].pe, c->slots[i].iopage)];
    if (ss->head == i)
        return;
    lru_unlink(c, ss, i);
    lru_push_front(c, ss, i);
}

/* Expected O(1): the chain is short at load factor <= 0.5. */
static void hash_remove(tce_cache *c, uint32_t i)
{
    uint32_t *link = &c->bucket[tag_bucket(c, c->slots[i].pe, c->slots[i].iopage)];
    while (*link != i)
        link = &c->slots[*link].hnext;
    *link = c->slots[i].hnext;
}

static void hash_add(tce_cache *c, uint32_t i)
{
    uint32_t *head = &c->bucket[tag_bucket(c, c->slots[i].pe, c->slots[i].iopage)];
    c->slots[i].hnext = *head;
    *head = i;
}

/* Drops a valid slot: out of the index and LRU list, onto its set's free
 * list. */
static void drop(tce_cache *c, uint32_t i)
{
    set_state *ss = &c->set[tag_set(c, c->slots[i].pe, c->slots[i].iopage)];
    hash_remove(c, i);
    if (c->p.policy == TCE_REPL_LRU)
        lru_unlink(c, ss, i);
    c->slots[i].valid = 0;
    c->slots[i].next = ss->free_head;
    ss->free_head = i;
    c->valid_count--;
}

static void reset(tce_cache *c)
{
    for (uint32_t b = 0; b < c->nbuckets; b++)
        c->bucket[b] = NIL;
    for (uint32_t s = 0; s < c->sets; s++) {
        set_state *ss = &c->set[s];
        uint32_t base = s * c->ways;
        ss->head = ss->tail = NIL;
        ss->rr = 0;
        /* Free list in way order, so an empty set fills way 0 first. */
        ss->free_head = base;
        for (uint32_t w = 0; w < c->ways; w++) {
            slot *sl = &c->slots[base + w];
            sl->valid = 0;
            sl->prev = sl->hnext = NIL;
            sl->next = (w + 1 < c->ways) ? base + w + 1 : NIL;
        }
    }
    c->valid_count = 0;
}

tce_cache *tce_cache_create(const tce_cache_params *p)
{
    if (!p || p->entries == 0 || p->entries > TCE_CACHE_MAX_ENTRIES ||
        (unsigned)p->policy >= TCE_REPL_COUNT)
        return NULL;
    uint32_t ways = p->ways ? p->ways : p->entries;
    if (ways > p->entries || p->entries % ways != 0)
        return NULL;

    tce_cache *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->p = *p;
    c->ways = ways;
    c->sets = p->entries / ways;
    c->sets_pow2 = (c->sets & (c->sets - 1)) == 0;
    c->set_mask = c->sets - 1;
    c->set_fastmod = UINT64_MAX / c->sets + 1;

    uint32_t log2b = 1;
    while ((1u << log2b) < 2 * p->entries)
        log2b++;
    c->nbuckets = 1u << log2b;
    c->hash_shift = 64 - log2b;

    c->slots = calloc(p->entries, sizeof(*c->slots));
    if (!c->slots)
        goto fail;
    c->set = calloc(c->sets, sizeof(*c->set));
    if (!c->set)
        goto fail;
    c->bucket = malloc((size_t)c->nbuckets * sizeof(*c->bucket));
    if (!c->bucket)
        goto fail;
    rng_seed(&c->rand, p->seed, TCE_CACHE_RNG_STREAM);
    reset(c);
    return c;

fail:
    tce_cache_destroy(c);
    return NULL;
}

void tce_cache_destroy(tce_cache *c)
{
    if (!c)
        return;
    free(c->bucket);
    free(c->set);
    free(c->slots);
    free(c);
}

void tce_cache_lookup(tce_cache *c, uint16_t pe, uint64_t iopage, ps_t now, tce_lookup *out)
{
    c->st.lookups++;
    uint32_t i = find(c, pe, iopage);
    if (i == NIL) {
        c->st.misses++;
        out->kind = TCE_LOOKUP_MISS;
        out->tce = 0;
        out->ready_ps = 0;
        return;
    }
    const slot *s = &c->slots[i];
    out->tce = s->tce;
    out->ready_ps = s->ready_ps;
    if (s->ready_ps > now) {
        c->st.misses++;
        c->st.merged++;
        out->kind = TCE_LOOKUP_MERGED;
    } else {
        c->st.hits++;
        out->kind = TCE_LOOKUP_HIT;
    }
    if (c->p.policy == TCE_REPL_LRU)
        lru_touch(c, i);
}

/* Picks the slot a new tag of set `si` goes to: an invalid slot if any,
 * else a victim by policy, which is dropped (and counted) here. */
static uint32_t take_slot(tce_cache *c, uint32_t si)
{
    set_state *ss = &c->set[si];
    uint32_t i = ss->free_head;
    if (i == NIL) {
        switch (c->p.policy) {
        case TCE_REPL_LRU:
            i = ss->tail;
            break;
        case TCE_REPL_RR:
            i = si * c->ways + ss->rr;
            ss->rr = (ss->rr + 1 == c->ways) ? 0 : ss->rr + 1;
            break;
        default: /* TCE_REPL_RANDOM */
            i = si * c->ways + (uint32_t)rng_below(&c->rand, c->ways);
            break;
        }
        c->st.evictions++;
        drop(c, i);
    }
    ss->free_head = c->slots[i].next;
    return i;
}

void tce_cache_insert(tce_cache *c, uint16_t pe, uint64_t iopage, uint64_t tce, ps_t ready_ps)
{
    c->st.inserts++;
    uint32_t i = find(c, pe, iopage);
    if (i != NIL) {
        c->slots[i].tce = tce;
        c->slots[i].ready_ps = ready_ps;
        if (c->p.policy == TCE_REPL_LRU)
            lru_touch(c, i);
        return;
    }
    uint32_t si = tag_set(c, pe, iopage);
    i = take_slot(c, si);
    slot *s = &c->slots[i];
    s->iopage = iopage;
    s->pe = pe;
    s->tce = tce;
    s->ready_ps = ready_ps;
    s->valid = 1;
    hash_add(c, i);
    if (c->p.policy == TCE_REPL_LRU)
        lru_push_front(c, &c->set[si], i);
    c->valid_count++;
}

int tce_cache_contains(const tce_cache *c, uint16_t pe, uint64_t iopage)
{
    return find(c, pe, iopage) != NIL;
}

void tce_cache_inval_page(tce_cache *c, uint16_t pe, uint64_t iopage)
{
    c->st.inval_page++;
    uint32_t i = find(c, pe, iopage);
    if (i != NIL) {
        drop(c, i);
        c->st.invalidated++;
    }
}

/* O(entries): the index is keyed by the whole tag, so a PE's entries are
 * found by scanning. A PE kill is rare next to lookups. */
void tce_cache_inval_pe(tce_cache *c, uint16_t pe)
{
    c->st.inval_pe++;
    for (uint32_t i = 0; i < c->p.entries; i++) {
        if (c->slots[i].valid && c->slots[i].pe == pe) {
            drop(c, i);
            c->st.invalidated++;
        }
    }
}

/* O(entries + buckets). RR pointers restart at way 0, as after reset. */
void tce_cache_inval_all(tce_cache *c)
{
    c->st.inval_all++;
    c->st.invalidated += c->valid_count;
    reset(c);
}

const tce_cache_stats *tce_cache_get_stats(const tce_cache *c)
{
    return &c->st;
}

uint32_t tce_cache_valid_entries(const tce_cache *c)
{
    return c->valid_count;
}

void tce_cache_reset_stats(tce_cache *c)
{
    if (c)
        memset(&c->st, 0, sizeof c->st);
}
