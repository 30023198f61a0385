/* Who gets a contended pool spinlock next, as each kernel era's spinlock
 * decides it. The iommu_table pools are `spinlock_t`s (arch/powerpc/kernel/
 * iommu.c, struct iommu_pool), so the order in which spinning CPUs win a
 * released lock is the architecture's spinlock's:
 *
 * - Linux 4.4 (seed era): a test-and-set lock. arch_spin_lock() in
 *   arch/powerpc/include/asm/spinlock.h (4.4) loops on __arch_spin_trylock()
 *   (lwarx / stwcx.) and, while the lock word is non-zero, spins reading it
 *   at low SMT priority; no queue, no ticket. When the holder stores 0, every
 *   spinner's copy of the line is invalidated and whichever CPU's stwcx.
 *   lands first wins: nothing orders the spinners. Modelled as SPIN_UNFAIR:
 *   at each release, one CPU among those spinning since before it wins,
 *   drawn uniformly from a seeded stream (a documented policy: real hardware
 *   favours the CPUs nearest the line, which no public source quantifies).
 *
 * - Linux 6.6 (modern era): queued spinlocks. PPC_QUEUED_SPINLOCKS is
 *   `default PPC_BOOK3S_64` (arch/powerpc/Kconfig since Nicholas Piggin's
 *   "powerpc: always enable queued spinlocks for 64s, disable for others",
 *   2021, Linux 5.12; unchanged at 6.6), so every PowerNV kernel has them.
 *   Since 6.2 the implementation is powerpc's own MCS queue
 *   (arch/powerpc/lib/qspinlock.c, queued_spin_lock_mcs_queue): waiters are
 *   served in the order they queued. Modelled as SPIN_FIFO. Not modelled: a
 *   newcomer may steal a free lock before queueing for up to steal_spins
 *   (1 << 5) spin iterations (try_to_steal_lock), and the queue head stops
 *   that after head_spins (1 << 8) iterations (set_mustq); both are a few
 *   tens of ns of spinning, shorter than one handoff here.
 *
 * Either way a CPU that finds the lock held pays the handoff (the line's
 * transfer) after the release; an uncontended acquisition pays none. Times
 * are simulated picoseconds. SPIN_FIFO decides at the request (later
 * requests queue behind it); SPIN_UNFAIR cannot (a CPU arriving later may
 * still win), so a request can come back SPIN_PENDING: the caller brings
 * its process to spin_next_release() and asks spin_poll() again, until it
 * is granted. Each decision happens once simulated time reaches the
 * release, among the CPUs that asked before it, so the outcome depends only
 * on simulated time and the seed, never on the order processes run in. */
#ifndef TCESIM_SPINLOCK_H
#define TCESIM_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/rng.h"
#include "../common/tcesim_time.h"

typedef enum spin_model {
    SPIN_FIFO = 0,   /* queued spinlock (Linux 6.6 on 64s) */
    SPIN_UNFAIR,     /* test-and-set (Linux 4.4 powerpc) */
} spin_model;

#define SPIN_PENDING ((ps_t)UINT64_MAX)
/* The unfair model's stream (rng_seed's stream id), xored with the lock's id. */
#define SPIN_RNG_STREAM 0x5b10c0000ull

typedef struct spin_waiter {
    unsigned cpu;
    ps_t arrival, hold;
} spin_waiter;

typedef struct spinlock_model {
    spin_model model;
    ps_t handoff_ps;
    ps_t release;          /* when the last granted hold ends */
    spin_waiter *waiters;  /* SPIN_UNFAIR: CPUs spinning, not yet granted */
    unsigned nwait, cap;
    ps_t *grant;           /* per CPU: a decided grant not yet collected */
    unsigned ncpus;
    rng r;
} spinlock_model;

/* Returns 0 or TCESIM_ENOMEM. lock_id separates the streams of a run's locks. */
int spin_init(spinlock_model *l, spin_model m, unsigned ncpus, ps_t handoff_ps, uint64_t seed, uint64_t lock_id);
void spin_free(spinlock_model *l); /* accepts a zeroed or freed lock */

/* `cpu` asks for the lock at t to hold it for `hold`; the caller is at
 * simulated time t. Returns the time it gets the lock, or SPIN_PENDING
 * (SPIN_UNFAIR and the lock is held: see above). */
ps_t spin_request(spinlock_model *l, unsigned cpu, ps_t t, ps_t hold);

/* The next release a pending CPU must wait for (its process brought to at
 * least that time before spin_poll). */
static inline ps_t spin_next_release(const spinlock_model *l) { return l->release; }

/* At simulated time now: decides every release up to now; returns cpu's
 * grant if decided, else SPIN_PENDING. */
ps_t spin_poll(spinlock_model *l, unsigned cpu, ps_t now);

/* True if no CPU is waiting (for the run's end checks). */
static inline bool spin_idle(const spinlock_model *l) { return l->nwait == 0; }

#endif
