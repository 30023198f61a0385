/* Sparse simulated RAM: 4 KiB frames in an open-addressing hash table
 * (linear probing, power-of-two capacity, load <= 1/2), keyed by frame
 * number. Deletion shifts later members of the probe run back into the hole
 * (Knuth's Algorithm R, TAOCP vol. 3, 6.4), so there are no tombstones and a
 * lookup stops at the first empty slot. */
#include "physmem.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../common/tcesim_err.h"

#define FRAME_SHIFT 12u
#define FRAME_BYTES (1ull << FRAME_SHIFT)
#define MIN_CAP_SHIFT 6u

typedef struct frame_slot {
    uint64_t fn;     /* frame number (pa >> 12) */
    uint8_t *data;   /* FRAME_BYTES bytes; NULL = empty slot */
} frame_slot;

struct physmem {
    frame_slot *slots;
    unsigned cap_shift;  /* capacity = 1 << cap_shift */
    uint64_t used;       /* occupied slots = frames allocated */
};

static inline uint64_t cap_of(const physmem *m) { return 1ull << m->cap_shift; }

/* Fibonacci hashing: the top cap_shift bits of fn * 2^64/phi. */
static inline uint64_t home_of(const physmem *m, uint64_t fn)
{
    return (fn * 0x9e3779b97f4a7c15ull) >> (64 - m->cap_shift);
}

static frame_slot *find(const physmem *m, uint64_t fn)
{
    uint64_t mask = cap_of(m) - 1;
    for (uint64_t i = home_of(m, fn);; i = (i + 1) & mask) {
        frame_slot *s = &m->slots[i];
        if (!s->data)
            return NULL;
        if (s->fn == fn)
            return s;
    }
}

/* Places a frame known to be absent; the table must have a free slot. */
static void place(physmem *m, uint64_t fn, uint8_t *data)
{
    uint64_t mask = cap_of(m) - 1;
    uint64_t i = home_of(m, fn);
    while (m->slots[i].data)
        i = (i + 1) & mask;
    m->slots[i].fn = fn;
    m->slots[i].data = data;
}

static int grow(physmem *m)
{
    frame_slot *old = m->slots;
    uint64_t old_cap = cap_of(m);
    frame_slot *fresh = calloc((size_t)(old_cap * 2), sizeof(*fresh));
    if (!fresh)
        return TCESIM_ENOMEM;
    m->slots = fresh;
    m->cap_shift++;
    for (uint64_t i = 0; i < old_cap; i++)
        if (old[i].data)
            place(m, old[i].fn, old[i].data);
    free(old);
    return TCESIM_OK;
}

/* Removes the slot at index `hole` and closes the gap in its probe run. */
static void remove_at(physmem *m, uint64_t hole)
{
    uint64_t mask = cap_of(m) - 1;
    free(m->slots[hole].data);
    m->slots[hole].data = NULL;
    m->used--;
    for (uint64_t j = (hole + 1) & mask; m->slots[j].data; j = (j + 1) & mask) {
        uint64_t home = home_of(m, m->slots[j].fn);
        /* The entry at j may move to the hole only if its home is not in the
         * cyclic range (hole, j]: else a lookup from home would stop early. */
        bool home_in_range = hole <= j ? (home > hole && home <= j)
                                       : (home > hole || home <= j);
        if (home_in_range)
            continue;
        m->slots[hole] = m->slots[j];
        m->slots[j].data = NULL;
        hole = j;
    }
}

physmem *physmem_create(void)
{
    physmem *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->cap_shift = MIN_CAP_SHIFT;
    m->slots = calloc((size_t)cap_of(m), sizeof(*m->slots));
    if (!m->slots) {
        free(m);
        return NULL;
    }
    return m;
}

void physmem_destroy(physmem *m)
{
    if (!m)
        return;
    for (uint64_t i = 0; i < cap_of(m); i++)
        free(m->slots[i].data);
    free(m->slots);
    free(m);
}

static inline uint64_t load_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static inline void store_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

uint64_t physmem_read_be64(const physmem *m, uint64_t pa)
{
    assert((pa & 7) == 0);
    const frame_slot *s = find(m, pa >> FRAME_SHIFT);
    if (!s)
        return 0;
    return load_be64(s->data + (pa & (FRAME_BYTES - 1)));
}

uint8_t physmem_read_u8(const physmem *m, uint64_t pa)
{
    const frame_slot *s = find(m, pa >> FRAME_SHIFT);
    return s ? s->data[pa & (FRAME_BYTES - 1)] : 0;
}

int physmem_write_be64(physmem *m, uint64_t pa, uint64_t val)
{
    assert((pa & 7) == 0);
    uint64_t fn = pa >> FRAME_SHIFT;
    frame_slot *s = find(m, fn);
    if (!s) {
        /* A zero written to an absent frame changes nothing a read sees. */
        if (val == 0)
            return TCESIM_OK;
        if ((m->used + 1) * 2 > cap_of(m)) {
            int rc = grow(m);
            if (rc)
                return rc;
        }
        uint8_t *data = calloc(1, FRAME_BYTES);
        if (!data)
            return TCESIM_ENOMEM;
        place(m, fn, data);
        m->used++;
        s = find(m, fn);
        assert(s);
    }
    store_be64(s->data + (pa & (FRAME_BYTES - 1)), val);
    return TCESIM_OK;
}

static bool frame_is_zero(const uint8_t *d)
{
    for (uint64_t i = 0; i < FRAME_BYTES; i++)
        if (d[i])
            return false;
    return true;
}

/* Zeroes the part of frame slot `idx` inside [lo, hi) and frees the frame
 * if it is then all zero. Returns true if the slot was removed (the caller
 * must then look at idx again: a later entry may have moved into it). */
static bool zero_slot(physmem *m, uint64_t idx, uint64_t lo, uint64_t hi)
{
    frame_slot *s = &m->slots[idx];
    uint64_t base = s->fn << FRAME_SHIFT;
    uint64_t from = lo > base ? lo - base : 0;
    uint64_t to = hi - base < FRAME_BYTES ? hi - base : FRAME_BYTES;
    memset(s->data + from, 0, (size_t)(to - from));
    if (!frame_is_zero(s->data))
        return false;
    remove_at(m, idx);
    return true;
}

void physmem_zero(physmem *m, uint64_t pa, uint64_t bytes)
{
    if (bytes == 0 || m->used == 0)
        return;
    uint64_t hi = pa + bytes < pa ? UINT64_MAX : pa + bytes; /* clamp overflow */
    uint64_t first_fn = pa >> FRAME_SHIFT;
    uint64_t last_fn = (hi - 1) >> FRAME_SHIFT;
    uint64_t span = last_fn - first_fn; /* frames in range, minus one */

    /* Cost: O(min(frames in the range, table capacity)) lookups, plus 4 KiB
     * scanned per frame touched. Large ranges (a whole table level of 2^42
     * bytes) scan the table instead of probing every frame number. */
    if (span < cap_of(m)) {
        for (uint64_t fn = first_fn;; fn++) {
            frame_slot *s = find(m, fn);
            if (s)
                zero_slot(m, (uint64_t)(s - m->slots), pa, hi);
            if (fn == last_fn)
                break;
        }
        return;
    }
    for (uint64_t i = 0; i < cap_of(m);) {
        frame_slot *s = &m->slots[i];
        if (s->data && s->fn >= first_fn && s->fn <= last_fn &&
            zero_slot(m, i, pa, hi))
            continue; /* slot i now holds a shifted entry (or is empty) */
        i++;
    }
}

uint64_t physmem_frames(const physmem *m)
{
    return m->used;
}
