/* Pool spinlock order per era (models/host/spinlock.h). The expectations
 * come from what each lock guarantees, not from the model's code:
 * - any spinlock: holds never overlap, and a CPU that found the lock held
 *   gets it a handoff after some release (never in between);
 * - a queued (MCS) spinlock, arch/powerpc/lib/qspinlock.c at Linux 6.6:
 *   waiters are served in the order they queued, so a CPU waits at most for
 *   the holds queued ahead of it plus the handoffs (one per hold ahead, and
 *   its own);
 * - Linux 4.4's test-and-set lock (arch_spin_lock over lwarx/stwcx.): no
 *   order at all, so a later arrival can overtake an earlier one; the model
 *   draws the winner from the seed: the same seed gives the same order,
 *   whatever order the CPUs asked in, and every spinning CPU can win.
 * A small driver plays CPUs' requests in simulated-time order, as the
 * SystemC host does (each CPU brought to a release before it polls). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/rng.h"
#include "host/spinlock.h"

#define NCPU 8
#define NREQ 64
#define HANDOFF 120

typedef struct cpu_plan {
    ps_t gap[NREQ], hold[NREQ];    /* think time before each request, its hold */
} cpu_plan;

typedef struct outcome {
    ps_t arrival[NCPU][NREQ], grant[NCPU][NREQ];
    ps_t bound[NCPU][NREQ];        /* FIFO: holds queued ahead + the handoffs */
} outcome;

/* Plays the plans: each CPU asks, waits for its grant, holds, thinks, asks
 * again. Events at one time run in CPU order, or reversed with `reverse`. */
static void play(spin_model m, uint64_t seed, const cpu_plan *plan, bool reverse, outcome *o)
{
    spinlock_model l;
    assert_int_equal(spin_init(&l, m, NCPU, HANDOFF, seed, 7), 0);
    unsigned k[NCPU] = {0};
    ps_t next[NCPU];       /* when the CPU next acts */
    bool pending[NCPU] = {false};
    ps_t free_at[NCPU];
    for (unsigned c = 0; c < NCPU; c++)
        next[c] = plan[c].gap[0];
    for (;;) {
        ps_t t = SPIN_PENDING;
        for (unsigned c = 0; c < NCPU; c++)
            if (k[c] < NREQ && next[c] < t)
                t = next[c];
        if (t == SPIN_PENDING)
            break;
        for (unsigned i = 0; i < NCPU; i++) {
            unsigned c = reverse ? NCPU - 1 - i : i;
            if (k[c] >= NREQ || next[c] != t)
                continue;
            ps_t g;
            if (!pending[c]) {
                o->arrival[c][k[c]] = t;
                g = spin_request(&l, c, t, plan[c].hold[k[c]]);
            } else {
                g = spin_poll(&l, c, t);
            }
            if (g == SPIN_PENDING) {
                pending[c] = true;
                next[c] = spin_next_release(&l);
                assert_true(next[c] > t);
                continue;
            }
            pending[c] = false;
            o->grant[c][k[c]] = g;
            free_at[c] = g + plan[c].hold[k[c]];
            k[c]++;
            if (k[c] < NREQ)
                next[c] = free_at[c] + plan[c].gap[k[c]];
        }
    }
    assert_true(spin_idle(&l));
    spin_free(&l);
    /* FIFO's bound for each request X: the holds (plus a handoff each) of
     * the requests queued ahead of it, i.e. those that asked before X (at
     * X's time: those served first) and had not released by X's arrival. */
    for (unsigned c = 0; c < NCPU; c++)
        for (unsigned i = 0; i < NREQ; i++) {
            ps_t t = o->arrival[c][i], b = 0;
            unsigned n = 0;
            for (unsigned d = 0; d < NCPU; d++)
                for (unsigned j = 0; j < NREQ; j++) {
                    if (d == c && j == i)
                        continue;
                    ps_t at = o->arrival[d][j], rel = o->grant[d][j] + plan[d].hold[j];
                    bool ahead = at < t || (at == t && o->grant[d][j] < o->grant[c][i]);
                    if (ahead && rel > t) {
                        b += plan[d].hold[j];
                        n++;
                    }
                }
            /* one handoff per hold ahead and its own: n + 1 */
            o->bound[c][i] = n ? b + (n + 1) * HANDOFF : 0;
        }
}

/* Heavy contention: short think times against 40-80 ns holds. */
static void make_plans(cpu_plan *plan, uint64_t seed)
{
    rng r;
    rng_seed(&r, seed, 1);
    for (unsigned c = 0; c < NCPU; c++)
        for (unsigned i = 0; i < NREQ; i++) {
            plan[c].gap[i] = 1 + rng_below(&r, 400);
            plan[c].hold[i] = 40 + rng_below(&r, 41);
        }
}

/* Holds never overlap; a waiter's grant is a release plus the handoff; a
 * CPU that found the lock free got it at once. */
static void check_mutual_exclusion(const outcome *o, const cpu_plan *plan)
{
    for (unsigned c = 0; c < NCPU; c++)
        for (unsigned i = 0; i < NREQ; i++) {
            ps_t a = o->grant[c][i], ae = a + plan[c].hold[i];
            assert_true(a >= o->arrival[c][i]);
            bool at_release = a == o->arrival[c][i];
            for (unsigned d = 0; d < NCPU; d++)
                for (unsigned j = 0; j < NREQ; j++) {
                    if (d == c && j == i)
                        continue;
                    ps_t b = o->grant[d][j], be = b + plan[d].hold[j];
                    assert_true(ae <= b || be <= a);
                    if (be + HANDOFF == a)
                        at_release = true;
                }
            assert_true(at_release);
        }
}

static void fifo_waits_at_most_the_holds_queued_ahead(void **state)
{
    (void)state;
    static cpu_plan plan[NCPU];
    static outcome o;
    make_plans(plan, 3);
    play(SPIN_FIFO, 1, plan, false, &o);
    check_mutual_exclusion(&o, plan);
    unsigned contended = 0;
    for (unsigned c = 0; c < NCPU; c++)
        for (unsigned i = 0; i < NREQ; i++) {
            ps_t wait = o.grant[c][i] - o.arrival[c][i];
            assert_true(wait <= o.bound[c][i]);
            contended += wait > 0;
        }
    assert_true(contended > NCPU * NREQ / 2); /* the plan does contend */
}

static void fifo_serves_in_arrival_order(void **state)
{
    (void)state;
    spinlock_model l;
    assert_int_equal(spin_init(&l, SPIN_FIFO, 4, HANDOFF, 1, 0), 0);
    /* cpu0 holds [0, 100); cpus 3, 1, 2 arrive at 10, 20, 30 */
    assert_int_equal(spin_request(&l, 0, 0, 100), 0);
    assert_int_equal(spin_request(&l, 3, 10, 50), 100 + HANDOFF);
    assert_int_equal(spin_request(&l, 1, 20, 50), 100 + HANDOFF + 50 + HANDOFF);
    assert_int_equal(spin_request(&l, 2, 30, 50), 100 + 3 * HANDOFF + 100);
    spin_free(&l);
}

/* The unfair lock by hand: cpu0 holds [0, 100); cpus 1, 2, 3 spin from 10,
 * 20, 30. At 100 one of them wins (at 100 + handoff), then one of the other
 * two at the next release, then the last. */
static void unfair_lets_any_spinner_win(void **state)
{
    (void)state;
    unsigned wins_first[4] = {0};
    for (uint64_t seed = 1; seed <= 60; seed++) {
        spinlock_model l;
        assert_int_equal(spin_init(&l, SPIN_UNFAIR, 4, HANDOFF, seed, 0), 0);
        assert_int_equal(spin_request(&l, 0, 0, 100), 0);
        for (unsigned c = 1; c <= 3; c++)
            assert_true(spin_request(&l, c, 10 * c, 50) == SPIN_PENDING);
        assert_int_equal(spin_next_release(&l), 100);
        ps_t g[4];
        unsigned first = 0;
        for (unsigned c = 1; c <= 3; c++) {
            g[c] = spin_poll(&l, c, 100);
            if (g[c] != SPIN_PENDING) {
                assert_int_equal(g[c], 100 + HANDOFF);
                first = c;
            }
        }
        assert_true(first != 0);
        wins_first[first]++;
        /* the other two: the next release is 100 + handoff + 50 */
        ps_t r2 = spin_next_release(&l);
        assert_int_equal(r2, 100 + HANDOFF + 50);
        unsigned second = 0;
        for (unsigned c = 1; c <= 3; c++)
            if (c != first && spin_poll(&l, c, r2) == r2 + HANDOFF)
                second = c;
        assert_true(second != 0 && second != first);
        ps_t r3 = spin_next_release(&l);
        for (unsigned c = 1; c <= 3; c++)
            if (c != first && c != second)
                assert_int_equal(spin_poll(&l, c, r3), r3 + HANDOFF);
        assert_true(spin_idle(&l));
        spin_free(&l);
    }
    /* a uniform draw over 60 seeds: each CPU wins first a fair share */
    for (unsigned c = 1; c <= 3; c++)
        assert_true(wins_first[c] >= 10);
}

static void unfair_is_seeded_and_order_independent(void **state)
{
    (void)state;
    static cpu_plan plan[NCPU];
    static outcome a, b, c, d;
    make_plans(plan, 3);
    play(SPIN_UNFAIR, 5, plan, false, &a);
    play(SPIN_UNFAIR, 5, plan, false, &b);
    play(SPIN_UNFAIR, 5, plan, true, &c);
    play(SPIN_UNFAIR, 6, plan, false, &d);
    check_mutual_exclusion(&a, plan);
    check_mutual_exclusion(&d, plan);
    assert_memory_equal(a.grant, b.grant, sizeof a.grant); /* same seed, same order */
    assert_memory_equal(a.grant, c.grant, sizeof a.grant); /* whoever asks first in a tie */
    assert_true(memcmp(a.grant, d.grant, sizeof a.grant) != 0); /* another seed, another order */
    /* and it is not FIFO: some CPU waits longer than the holds queued ahead */
    bool overtaken = false;
    for (unsigned x = 0; x < NCPU; x++)
        for (unsigned i = 0; i < NREQ; i++)
            if (a.grant[x][i] - a.arrival[x][i] > a.bound[x][i])
                overtaken = true;
    assert_true(overtaken);
}

static void uncontended_costs_no_wait(void **state)
{
    (void)state;
    for (int m = SPIN_FIFO; m <= SPIN_UNFAIR; m++) {
        spinlock_model l;
        assert_int_equal(spin_init(&l, (spin_model)m, 2, HANDOFF, 1, 0), 0);
        assert_int_equal(spin_request(&l, 0, 0, 100), 0);
        assert_int_equal(spin_request(&l, 1, 100, 100), 100); /* free at its release: no handoff */
        assert_int_equal(spin_request(&l, 0, 500, 10), 500);
        spin_free(&l);
    }
    spin_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fifo_waits_at_most_the_holds_queued_ahead),
        cmocka_unit_test(fifo_serves_in_arrival_order),
        cmocka_unit_test(unfair_lets_any_spinner_win),
        cmocka_unit_test(unfair_is_seeded_and_order_independent),
        cmocka_unit_test(uncontended_costs_no_wait),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
