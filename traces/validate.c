/* Trace rules shared by the text and binary readers (and the field rules
 * by the writers): see validate.h. The messages are the ones FORMAT.md
 * lists under Errors. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/tcesim_err.h"
#include "validate.h"

__attribute__((format(printf, 2, 3)))
static int bad(char *msg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, TR_ERR_LEN, fmt, ap);
    va_end(ap);
    return TCESIM_EINVAL;
}

/* ---- Handle table ---- */

tr_hstate *tr_hinsert(tr_htable *t, uint64_t h)
{
    tr_hstate *e = tr_hfind(t, h);
    if (e)
        return e;
    if ((t->count + 1) * 2 > t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 64;
        tr_hstate *ns = calloc(ncap, sizeof *ns);
        if (!ns)
            return NULL;
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->slots[i].used)
                continue;
            size_t j = tr_hslot(t->slots[i].handle, ncap);
            while (ns[j].used)
                j = (j + 1) & (ncap - 1);
            ns[j] = t->slots[i];
        }
        free(t->slots);
        t->slots = ns;
        t->cap = ncap;
    }
    size_t i = tr_hslot(h, t->cap);
    while (t->slots[i].used)
        i = (i + 1) & (t->cap - 1);
    t->slots[i] = (tr_hstate){ .handle = h, .used = 1 };
    t->count++;
    return &t->slots[i];
}

/* Removes e from the table: linear probing's backward-shift deletion
 * (Knuth, TAOCP vol. 3, 6.4 Algorithm R), so every later entry of the
 * probe run stays reachable without tombstones. */
static void tr_hremove(tr_htable *t, tr_hstate *e)
{
    size_t mask = t->cap - 1, i = (size_t)(e - t->slots), j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (!t->slots[j].used)
            break;
        size_t k = tr_hslot(t->slots[j].handle, t->cap);
        /* j's entry may move to the hole at i unless its home k lies
         * cyclically in (i, j] */
        if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j))
            continue;
        t->slots[i] = t->slots[j];
        i = j;
    }
    t->slots[i].used = 0;
    t->count--;
}

/* ---- Validator ---- */

static uint64_t g_dead_handles = TR_DEAD_HANDLES_DEFAULT;

int tr_set_dead_handles(uint64_t n)
{
    if (!n)
        return -1;
    g_dead_handles = n;
    return 0;
}

uint64_t tr_dead_handles(void) { return g_dead_handles; }

void tr_val_init(tr_validator *v, const char *unit)
{
    memset(v, 0, sizeof *v);
    v->pa_mode = -1;
    v->unit = unit;
    v->dead_limit = g_dead_handles;
}

void tr_val_free(tr_validator *v)
{
    free(v->handles.slots);
    v->handles.slots = NULL;
    v->handles.cap = v->handles.count = 0;
    free(v->dead);
    v->dead = NULL;
    v->dead_cap = v->dead_n = v->dead_head = 0;
}

static bool forgotten(const tr_validator *v, uint64_t h)
{
    return v->forgot && h >= v->forgot_lo && h <= v->forgot_hi;
}

/* A drop joins the ring; beyond dead_limit the oldest drop's handle is
 * forgotten, unless it was mapped again since (its entry changed: `where`
 * is the line of its latest state change). The ring grows by doubling up
 * to the limit. */
static int remember_drop(tr_validator *v, uint64_t h, uint64_t where)
{
    if (v->dead_n == v->dead_limit) {
        tr_dead old = v->dead[v->dead_head];
        v->dead_head = (v->dead_head + 1) % v->dead_cap;
        v->dead_n--;
        tr_hstate *e = tr_hfind(&v->handles, old.handle);
        if (e && !e->live && e->where == old.where) {
            tr_hremove(&v->handles, e);
            if (!v->forgot || old.handle < v->forgot_lo)
                v->forgot_lo = old.handle;
            if (!v->forgot || old.handle > v->forgot_hi)
                v->forgot_hi = old.handle;
            v->forgot = true;
        }
    }
    if (v->dead_n == v->dead_cap) {
        size_t ncap = v->dead_cap ? v->dead_cap * 2 : 64;
        if (ncap > v->dead_limit)
            ncap = (size_t)v->dead_limit;
        tr_dead *nd = malloc(ncap * sizeof *nd);
        if (!nd)
            return TCESIM_ENOMEM;
        for (size_t i = 0; i < v->dead_n; i++)
            nd[i] = v->dead[(v->dead_head + i) % v->dead_cap];
        free(v->dead);
        v->dead = nd;
        v->dead_cap = ncap;
        v->dead_head = 0;
    }
    v->dead[(v->dead_head + v->dead_n) % v->dead_cap] = (tr_dead){h, where};
    v->dead_n++;
    return 0;
}

int tr_val_time_error(const tr_validator *v, uint64_t time_ns, char *msg)
{
    if (time_ns > NUM_NS_MAX)
        return bad(msg, "time_ns %" PRIu64 " too large (max %" PRIu64 " ns: times stay below 2^63 ps)", time_ns,
                   NUM_NS_MAX);
    return bad(msg, "time goes backwards (%" PRIu64 " < %" PRIu64 ")", time_ns, v->last_time);
}

/* The trace gives physical addresses on every buffer-creating op or on none:
 * mixing them would let the simulator's own placement land on a buffer the
 * trace placed. */
int tr_val_pa_mode(tr_validator *v, bool has_pa, uint64_t where, char *msg)
{
    if (v->pa_mode < 0) {
        v->pa_mode = has_pa;
        v->pa_mode_where = where;
        return 0;
    }
    if (v->pa_mode == (int)has_pa)
        return 0;
    return bad(msg, "pa %s here but %s on %s %" PRIu64
               " (give pa/pas on every map, map_sg and alloc, or on none)",
               has_pa ? "given" : "missing", has_pa ? "not" : "given", v->unit, v->pa_mode_where);
}

static const char *kind_name(uint8_t kind)
{
    return kind == TR_HK_MAP ? "map" : kind == TR_HK_MAP_SG ? "map_sg" : "alloc";
}

int tr_val_new_mapping(tr_validator *v, uint64_t h, char *msg)
{
    const tr_hstate *e = tr_hfind(&v->handles, h);
    if (e && e->live)
        return bad(msg, "handle %" PRIu64 " is still %s (%s %" PRIu64 ")", h,
                   e->kind == TR_HK_ALLOC ? "allocated" : "mapped", v->unit, e->where);
    return 0;
}

int tr_val_record_mapping(tr_validator *v, const tr_event *ev, uint64_t where, char *msg)
{
    tr_hstate *e = tr_hinsert(&v->handles, ev->handle);
    if (!e) {
        snprintf(msg, TR_ERR_LEN, "out of memory");
        return TCESIM_ENOMEM;
    }
    e->kind = (uint8_t)(ev->op == TR_MAP ? TR_HK_MAP : ev->op == TR_MAP_SG ? TR_HK_MAP_SG
                                                                            : TR_HK_ALLOC);
    e->size = ev->size;
    e->dev = ev->dev;
    e->where = where;
    e->live = 1;
    return 0;
}

int tr_val_drop(tr_validator *v, tr_event *ev, uint64_t where, char *msg)
{
    bool unmap = ev->op == TR_UNMAP;
    tr_hstate *e = tr_hfind(&v->handles, ev->handle);
    if (!e && forgotten(v, ev->handle))
        return bad(msg, "handle %" PRIu64 " is not %s (never, or dropped more than sim.dead_handles=%" PRIu64
                   " drops ago)", ev->handle, unmap ? "mapped" : "allocated", v->dead_limit);
    if (!e)
        return bad(msg, "handle %" PRIu64 " was never %s", ev->handle,
                   unmap ? "mapped" : "allocated");
    if (unmap && e->kind == TR_HK_ALLOC)
        return bad(msg, "handle %" PRIu64 " was made by alloc: use free", ev->handle);
    if (!unmap && e->kind != TR_HK_ALLOC)
        return bad(msg, "handle %" PRIu64 " was made by %s: use unmap", ev->handle,
                   kind_name(e->kind));
    if (!e->live)
        return bad(msg, "handle %" PRIu64 " is already %s (%s %" PRIu64 ")", ev->handle,
                   unmap ? "unmapped" : "freed", v->unit, e->where);
    /* the mapping (kind, size) stays for stale accesses, among the last
     * dead_limit drops */
    e->live = 0;
    e->where = where;
    ev->dev = e->dev;
    if (remember_drop(v, ev->handle, where)) {
        snprintf(msg, TR_ERR_LEN, "out of memory");
        return TCESIM_ENOMEM;
    }
    return 0;
}

int tr_val_access_error(tr_validator *v, tr_event *ev, char *msg)
{
    const tr_hstate *e = tr_hfind(&v->handles, ev->handle);
    if (!e && forgotten(v, ev->handle)) {
        /* dropped long ago (or, within the forgotten ids' range, never
         * mapped: tcesim can no longer tell): counted, not simulated */
        ev->untracked = true;
        return 0;
    }
    if (!e)
        return bad(msg, "handle %" PRIu64 " was never mapped", ev->handle);
    if (ev->off > e->size || ev->len > e->size - ev->off)
        return bad(msg, "access past the end of handle %" PRIu64 " (off %" PRIu64 " + len %" PRIu64
                   " > size %" PRIu64 ")", ev->handle, ev->off, ev->len, e->size);
    return bad(msg, "internal error: access to handle %" PRIu64 " is valid", ev->handle);
}

int tr_val_fields_all(const tr_event *ev, char *msg)
{
    if ((unsigned)ev->op >= TR_OP_COUNT)
        return bad(msg, "unknown op %u", (unsigned)ev->op);
    if (!tr_op_is_host(ev->op)) {
        if (ev->actor >= TR_MAX_DEVICES)
            return bad(msg, "device %u out of range (must be < %u)", ev->actor, TR_MAX_DEVICES);
        if (ev->dev != ev->actor)
            return bad(msg, "device op on dev%u but dev=%u", ev->actor, ev->dev);
        if (ev->len == 0)
            return bad(msg, "len must be > 0");
        if (!ev->has_handle && ev->addr > UINT64_MAX - ev->len)
            return bad(msg, "addr + len overflows 64 bits");
        return 0;
    }
    if (ev->actor >= TR_MAX_CPUS)
        return bad(msg, "cpu %u out of range (must be < %u)", ev->actor, TR_MAX_CPUS);
    if (ev->dev >= TR_MAX_DEVICES)
        return bad(msg, "dev %u out of range (must be < %u)", ev->dev, TR_MAX_DEVICES);
    if ((ev->op == TR_MAP || ev->op == TR_MAP_SG) && (unsigned)ev->dir > TR_DIR_FROM_DEVICE)
        return bad(msg, "bad dir %u", (unsigned)ev->dir);
    switch (ev->op) {
    case TR_MAP:
    case TR_ALLOC:
        if (ev->size == 0)
            return bad(msg, "size must be > 0");
        if (ev->has_pa && ev->pa > UINT64_MAX - ev->size)
            return bad(msg, "pa + size overflows 64 bits");
        return 0;
    case TR_MAP_SG: {
        if (ev->nsegs == 0 || ev->nsegs > TR_MAX_SEGS || !ev->seg_sizes)
            return bad(msg, "bad segment count %u (1..%u)", ev->nsegs, TR_MAX_SEGS);
        uint64_t total = 0;
        for (uint32_t i = 0; i < ev->nsegs; i++) {
            if (ev->seg_sizes[i] == 0)
                return bad(msg, "sizes[%u] must be > 0", i);
            if (total > UINT64_MAX - ev->seg_sizes[i])
                return bad(msg, "total of sizes overflows 64 bits");
            total += ev->seg_sizes[i];
            if (ev->seg_pas && ev->seg_pas[i] > UINT64_MAX - ev->seg_sizes[i])
                return bad(msg, "pas[%u] + sizes[%u] overflows 64 bits", i, i);
        }
        if (total != ev->size)
            return bad(msg, "size %" PRIu64 " is not the sum of sizes (%" PRIu64 ")", ev->size,
                       total);
        return 0;
    }
    default:
        return 0;
    }
}

int tr_val_host_event(tr_validator *v, tr_event *ev, uint64_t where, char *msg)
{
    int rc = tr_val_time(v, ev->time_ns, msg);
    if (rc)
        return rc;
    switch (ev->op) {
    case TR_MAP:
    case TR_MAP_SG:
    case TR_ALLOC:
        if ((rc = tr_val_pa_mode(v, ev->op == TR_MAP_SG ? ev->seg_pas != NULL : ev->has_pa, where,
                                 msg)))
            return rc;
        if ((rc = tr_val_new_mapping(v, ev->handle, msg)))
            return rc;
        rc = tr_val_record_mapping(v, ev, where, msg);
        break;
    case TR_UNMAP:
    case TR_FREE:
        rc = tr_val_drop(v, ev, where, msg);
        break;
    default:
        return bad(msg, "internal error: op %d is not a host op", (int)ev->op);
    }
    if (!rc)
        tr_val_commit(v, ev);
    return rc;
}
