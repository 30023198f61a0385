/* The trace rules every reader enforces, whatever the encoding: time order,
 * handle life cycles (map/unmap, alloc/free, never-mapped handles, accesses
 * past a mapping's end), pa given everywhere or nowhere, and the value
 * ranges of each field. Internal to traces/.
 *
 * The text reader calls the pieces at the points of its parse where it
 * always did (so a line with two faults reports the same one); the binary
 * reader, which decodes a whole record first, calls tr_val_fields then
 * tr_val_event. Messages carry no location: the caller prefixes it
 * ("t.trace:7: ", "t.bin: offset 4096: record 17: ").
 *
 * Memory: one small record per live handle and per handle among the last
 * tr_dead_handles() drops (an unmapped handle keeps its last mapping for
 * stale accesses until then; older ones are forgotten, their ids' range
 * kept), nothing per event. */
#ifndef TCESIM_VALIDATE_H
#define TCESIM_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/numparse.h"
#include "trace.h"

typedef enum tr_hkind { TR_HK_MAP = 0, TR_HK_MAP_SG, TR_HK_ALLOC } tr_hkind;

typedef struct tr_hstate {
    uint64_t handle;
    uint64_t size;      /* bytes of its latest mapping (sum of segments for map_sg) */
    uint64_t where;     /* line/record of its latest state change, for messages */
    uint32_t dev;       /* device of its latest mapping: unmap/free events carry it */
    uint8_t used;
    uint8_t kind;       /* tr_hkind */
    uint8_t live;       /* mapped/allocated and not yet unmapped/freed */
} tr_hstate;

typedef struct tr_htable {
    tr_hstate *slots;
    size_t cap;         /* power of two, or 0 before the first insert */
    size_t count;
    size_t memo;        /* slot of the last handle tr_hfind found */
} tr_htable;

/* Open addressing, linear probing, grows at 1/2 load, never shrinks.
 * tr_hinsert returns NULL when out of memory. tr_hfind is inline: it is on
 * every device access's path. */
static inline size_t tr_hslot(uint64_t h, size_t cap)
{
    /* splitmix64's finaliser: consecutive ids (the common case) spread out */
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    return (size_t)(h ^ (h >> 31)) & (cap - 1);
}

static inline tr_hstate *tr_hfind(tr_htable *t, uint64_t h)
{
    if (!t->cap)
        return NULL;
    /* Consecutive accesses mostly go through the same handle: check the
     * last one found before hashing. The memo is a slot index, so a table
     * growth (which moves entries) only makes it miss. */
    tr_hstate *m = &t->slots[t->memo & (t->cap - 1)];
    if (m->used && m->handle == h)
        return m;
    for (size_t i = tr_hslot(h, t->cap);; i = (i + 1) & (t->cap - 1)) {
        if (!t->slots[i].used)
            return NULL;
        if (t->slots[i].handle == h) {
            t->memo = i;
            return &t->slots[i];
        }
    }
}

tr_hstate *tr_hinsert(tr_htable *t, uint64_t h);

/* A dropped handle (unmap, free) kept for stale accesses, in drop order. */
typedef struct tr_dead {
    uint64_t handle, where;
} tr_dead;

typedef struct tr_validator {
    tr_htable handles;
    /* The last `dead_limit` dropped handles stay in `handles` (a stale
     * access through one is checked and simulated); older ones are
     * forgotten: removed, their ids' range kept (forgot_lo..forgot_hi). */
    uint64_t dead_limit;
    tr_dead *dead;          /* ring of drops, oldest at dead_head */
    size_t dead_cap, dead_head, dead_n;
    bool forgot;
    uint64_t forgot_lo, forgot_hi;
    bool any_event;
    uint64_t last_time;
    int pa_mode;            /* -1 not yet known, 0 no pa anywhere, 1 pa everywhere */
    uint64_t pa_mode_where; /* the op that decided pa_mode */
    const char *unit;       /* "line" or "record": how messages name earlier positions */
} tr_validator;

void tr_val_init(tr_validator *v, const char *unit);
void tr_val_free(tr_validator *v);

/* Records a valid event's time (call once the event passed every check). */
static inline void tr_val_commit(tr_validator *v, const tr_event *ev)
{
    v->any_event = true;
    v->last_time = ev->time_ns;
}

/* Each check returns 0, or TCESIM_EINVAL (TCESIM_ENOMEM for
 * tr_val_record_mapping) with msg (TR_ERR_LEN bytes) set. where is the
 * line or record of the event being checked. */
int tr_val_time_error(const tr_validator *v, uint64_t time_ns, char *msg);
static inline int tr_val_time(const tr_validator *v, uint64_t time_ns, char *msg)
{
    /* times in ns stay below 2^63 ps (NUM_NS_MAX) */
    if (__builtin_expect((v->any_event && time_ns < v->last_time) || time_ns > NUM_NS_MAX, 0))
        return tr_val_time_error(v, time_ns, msg);
    return 0;
}
int tr_val_pa_mode(tr_validator *v, bool has_pa, uint64_t where, char *msg);
int tr_val_new_mapping(tr_validator *v, uint64_t h, char *msg);
int tr_val_record_mapping(tr_validator *v, const tr_event *ev, uint64_t where, char *msg);
/* unmap/free: checks the handle's state, marks it dropped and sets ev->dev
 * to the device of its mapping. */
int tr_val_drop(tr_validator *v, tr_event *ev, uint64_t where, char *msg);
/* read/write through a handle: mapped once, and [off, off+len) inside it.
 * An unmapped or freed handle is still valid here: the access is a stale
 * DMA through its last mapping, which the simulator faults. */
/* A handle not in the table whose id lies among the forgotten ones gives an
 * event marked untracked (0 returned): a stale access tcesim no longer has
 * the mapping of. */
int tr_val_access_error(tr_validator *v, tr_event *ev, char *msg);
static inline int tr_val_access(tr_validator *v, tr_event *ev, char *msg)
{
    const tr_hstate *e = tr_hfind(&v->handles, ev->handle);
    if (__builtin_expect(!e || ev->off > e->size || ev->len > e->size - ev->off, 0))
        return tr_val_access_error(v, ev, msg);
    return 0;
}

/* The value rules of one event taken alone (ranges, zero lengths, 64-bit
 * overflows, segment lists, dev= of device ops); what the text reader
 * checks while parsing keys. Shared by the binary reader and both writers. */
int tr_val_fields_all(const tr_event *ev, char *msg);
static inline int tr_val_fields(const tr_event *ev, char *msg)
{
    /* the common case inline: a valid device access */
    if (ev->op >= TR_READ && ev->op < TR_OP_COUNT && ev->actor < TR_MAX_DEVICES &&
        ev->dev == ev->actor && ev->len && (ev->has_handle || ev->addr <= UINT64_MAX - ev->len))
        return 0;
    return tr_val_fields_all(ev, msg);
}

/* Every stateful rule, in the text reader's order: time, pa mode, handle
 * state; updates the state (and ev->dev of unmap/free) when ev is valid. */
int tr_val_host_event(tr_validator *v, tr_event *ev, uint64_t where, char *msg);
static inline int tr_val_event(tr_validator *v, tr_event *ev, uint64_t where, char *msg)
{
    if (!tr_op_is_host(ev->op)) {
        int rc = tr_val_time(v, ev->time_ns, msg);
        if (!rc && ev->has_handle)
            rc = tr_val_access(v, ev, msg);
        if (!rc)
            tr_val_commit(v, ev);
        return rc;
    }
    return tr_val_host_event(v, ev, where, msg);
}

#endif
