/* Pool spinlock acquisition order per era (spinlock.h has the sources). */
#include "spinlock.h"

#include <stdlib.h>
#include <string.h>

#include "../common/tcesim_err.h"

int spin_init(spinlock_model *l, spin_model m, unsigned ncpus, ps_t handoff_ps, uint64_t seed, uint64_t lock_id)
{
    memset(l, 0, sizeof *l);
    l->model = m;
    l->handoff_ps = handoff_ps;
    l->ncpus = ncpus;
    rng_seed(&l->r, seed, SPIN_RNG_STREAM ^ lock_id);
    if (m == SPIN_UNFAIR) {
        l->grant = malloc((ncpus ? ncpus : 1) * sizeof *l->grant);
        l->cap = ncpus ? ncpus : 1; /* a CPU waits for one lock at a time */
        l->waiters = malloc(l->cap * sizeof *l->waiters);
        if (!l->grant || !l->waiters) {
            spin_free(l);
            return TCESIM_ENOMEM;
        }
        for (unsigned i = 0; i < ncpus; i++)
            l->grant[i] = SPIN_PENDING;
    }
    return TCESIM_OK;
}

void spin_free(spinlock_model *l)
{
    if (!l)
        return;
    free(l->waiters);
    free(l->grant);
    l->waiters = NULL;
    l->grant = NULL;
    l->nwait = l->cap = 0;
}

/* The release at l->release. Every waiter competes: a CPU only waits when
 * it found the lock held, so it has been spinning since before this
 * release. The waiters are kept in CPU order, so the seeded draw picks the
 * same CPU whatever order the CPUs asked in. */
static void decide(spinlock_model *l)
{
    unsigned k = l->nwait > 1 ? (unsigned)rng_below(&l->r, l->nwait) : 0;
    spin_waiter w = l->waiters[k];
    memmove(&l->waiters[k], &l->waiters[k + 1], (l->nwait - k - 1) * sizeof *l->waiters);
    l->nwait--;
    ps_t at = l->release + l->handoff_ps;
    l->grant[w.cpu] = at;
    l->release = at + w.hold;
}

static void advance(spinlock_model *l, ps_t now)
{
    while (l->nwait && l->release <= now)
        decide(l);
}

ps_t spin_request(spinlock_model *l, unsigned cpu, ps_t t, ps_t hold)
{
    if (l->model == SPIN_FIFO) {
        /* served in arrival order: behind every hold granted so far */
        ps_t at = l->release > t ? l->release + l->handoff_ps : t;
        l->release = at + hold;
        return at;
    }
    advance(l, t);
    if (!l->nwait && l->release <= t) {
        l->release = t + hold;
        return t;
    }
    if (l->nwait == l->cap) {
        /* cannot happen (a CPU waits for one lock at a time, cap = ncpus);
         * should a caller ask twice, serve it behind the current hold */
        ps_t at = l->release + l->handoff_ps;
        l->release = at + hold;
        return at;
    }
    unsigned i = l->nwait;
    while (i && l->waiters[i - 1].cpu > cpu) {
        l->waiters[i] = l->waiters[i - 1];
        i--;
    }
    l->waiters[i] = (spin_waiter){cpu, t, hold};
    l->nwait++;
    return SPIN_PENDING;
}

ps_t spin_poll(spinlock_model *l, unsigned cpu, ps_t now)
{
    if (l->model == SPIN_FIFO || cpu >= l->ncpus)
        return SPIN_PENDING;
    advance(l, now);
    ps_t g = l->grant[cpu];
    l->grant[cpu] = SPIN_PENDING;
    return g;
}
