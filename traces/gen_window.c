/* The `window` generator (see gen_window.h for the shape and its source). */
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "common/tcesim_err.h"
#include "gen_window.h"
#include "trace_internal.h"

static const char *const pattern_names[] = {
    [GEN_WINDOW_RANDOM] = "random",
    [GEN_WINDOW_SEQUENTIAL] = "sequential",
    [GEN_WINDOW_STRIDED] = "strided",
};

#define NPATTERNS (sizeof pattern_names / sizeof pattern_names[0])

const char *gen_window_pattern_name(gen_window_pattern p)
{
    return (unsigned)p < NPATTERNS ? pattern_names[p] : NULL;
}

int gen_window_pattern_parse(const char *name, gen_window_pattern *out)
{
    for (unsigned i = 0; i < NPATTERNS; i++) {
        if (strcmp(name, pattern_names[i]) == 0) {
            *out = (gen_window_pattern)i;
            return 0;
        }
    }
    return TCESIM_EINVAL;
}

int gen_window_check(const gen_window_params *p, tr_error *err)
{
    if ((unsigned)p->pattern >= NPATTERNS)
        return tr_seterr(err, TCESIM_EINVAL,
                         "workload.pattern: must be random, sequential or strided");
    if (p->op != TR_READ && p->op != TR_WRITE)
        return tr_seterr(err, TCESIM_EINVAL, "workload.op: must be read or write");
    if (p->size == 0)
        return tr_seterr(err, TCESIM_EINVAL, "workload.size: must be > 0");
    if (p->window < p->size)
        return tr_seterr(err, TCESIM_EINVAL, "workload.window: must be >= workload.size");
    if (p->count == 0)
        return tr_seterr(err, TCESIM_EINVAL, "workload.count: must be > 0");
    if (p->pattern == GEN_WINDOW_STRIDED && p->stride == 0)
        return tr_seterr(err, TCESIM_EINVAL, "workload.stride: must be > 0 for the strided pattern");
    if (p->device >= TR_MAX_DEVICES)
        return tr_seterr(err, TCESIM_EINVAL, "workload.device: must be < %u", TR_MAX_DEVICES);
    if (p->cpu >= TR_MAX_CPUS)
        return tr_seterr(err, TCESIM_EINVAL, "workload.cpu: must be < %u", TR_MAX_CPUS);
    return 0;
}

typedef struct gen_window {
    gen_window_params p;
    rng r;
    bool mapped;        /* the map event has been returned */
    uint64_t i;         /* accesses returned so far */
    uint64_t slots;     /* window / size: access-sized slots in the window */
} gen_window;

static uint64_t offset_of(gen_window *g)
{
    const gen_window_params *p = &g->p;
    switch (p->pattern) {
    case GEN_WINDOW_RANDOM:
        return rng_below(&g->r, g->slots) * p->size;
    case GEN_WINDOW_SEQUENTIAL:
        /* (i mod slots) * size == i*size mod (slots*size), without overflow */
        return (g->i % g->slots) * p->size;
    case GEN_WINDOW_STRIDED: {
        uint64_t off = (uint64_t)(((unsigned __int128)g->i * p->stride) % p->window);
        return off > p->window - p->size ? p->window - p->size : off;
    }
    }
    return 0;
}

static int gen_next(void *ctx, tr_event *ev, tr_error *err)
{
    gen_window *g = ctx;
    const gen_window_params *p = &g->p;
    memset(ev, 0, sizeof *ev);
    ev->has_handle = true;
    ev->handle = 0;
    ev->dev = p->device;
    if (!g->mapped) {
        g->mapped = true;
        ev->op = TR_MAP;
        ev->actor = p->cpu;
        ev->size = p->window;
        /* the device reads what the host wrote, or writes what it will read */
        ev->dir = p->op == TR_READ ? TR_DIR_TO_DEVICE : TR_DIR_FROM_DEVICE;
        return 1;
    }
    if (g->i == p->count)
        return 0;
    ev->op = p->op;
    ev->actor = p->device;
    ev->off = offset_of(g);
    ev->len = p->size;
    g->i++;
    return 1;
}

static void gen_close(void *ctx)
{
    free(ctx);
}

int gen_window_open(const gen_window_params *p, tr_source *out, tr_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = gen_window_check(p, err);
    if (rc)
        return rc;
    gen_window *g = calloc(1, sizeof *g);
    if (!g)
        return tr_seterr(err, TCESIM_ENOMEM, "workload: out of memory");
    g->p = *p;
    g->slots = p->window / p->size;
    rng_seed(&g->r, p->seed, GEN_WINDOW_RNG_STREAM);
    out->next = gen_next;
    out->close = gen_close;
    out->ctx = g;
    out->name = "window";
    return 0;
}
