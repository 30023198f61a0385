// Trace-replay plumbing shared by the actors (feeder, host CPUs, devices):
// the mapping records that carry a handle's state between them, the bounded
// queues from the feeder to each actor, and the Schedule: the run's
// loosely-timed discipline (quantum, exact syncs, dependency waits), its
// end time and its first error.
#ifndef TCESIM_REPLAY_REPLAY_HPP
#define TCESIM_REPLAY_REPLAY_HPP

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <systemc>

extern "C" {
#include "common/tcesim_time.h"
#include "host/dma_api.h"
#include "traces/trace.h"
}

namespace tcesim {

// A mapping made by a host op, shared by the device ops that use it; created
// in trace order by the feeder, filled in by the CPU that executes the op.
//
// The replay rule (traces/FORMAT.md, "Replay"): a driver waits for its
// device. The unmap (or free) of a handle starts no earlier than the
// completion of the device ops on the handle that precede it in the trace;
// a device op that follows the unmap in the trace is stale and starts no
// earlier than the unmap's end, so it faults (or reaches whatever has been
// mapped there since) as it would on hardware. host.unmap_wait=false drops
// the first half, to model a driver that unmaps before its device is done.
struct Mapping {
    bool done = false, failed = false, bypass = false, unmapped = false;
    ps_t done_ps = 0;
    uint32_t dev = 0;            // the device's slot (Netlist::rdevs); its id is devices[dev].id
    int pool = -1;               // the map's pool (IOMMU_NO_POOL: none), for the unmap's --mappings row
    tr_op kind = TR_MAP;
    std::vector<host_seg> segs;  // input segments: pa, size in (the feeder's); bus, entry, npages out (the CPU's)
    // Feeder side, in trace order.
    uint64_t dev_ops_fed = 0;    // device ops on this mapping before its unmap
    bool unmap_fed = false;      // the unmap has been read: later device ops are stale
    uint64_t serial = 0;         // the feeder's count of mappings made: this one's (a record's identity;
                                 // an address is not one: a freed record's is reused)
    // Actor side, in simulated time.
    uint64_t dev_ops_done = 0;   // of dev_ops_fed, how many their devices have finished
    ps_t dev_done_ps = 0;        // the latest completion among them
    bool unmap_done = false;     // the unmap (or free) has finished, at unmap_done_ps
    ps_t unmap_done_ps = 0;
    std::vector<iommu_sg_out> outs; // map_sg: the merged output segments dma_unmap_sg frees
    uint32_t nouts = 0;
};
using MappingRef = std::shared_ptr<Mapping>;

struct QEvent {
    tr_event ev;
    uint64_t seq = 0;            // host ops: position among host ops in the trace
    uint64_t wait_ops = 0;       // unmap/free: device ops on the handle before it in the trace
    bool stale = false;          // device op after its handle's unmap in the trace
    bool untracked = false;      // device op through a handle forgotten (sim.dead_handles): counted, not simulated
    ps_t fed_ps = 0;             // when the feeder handed it over (SystemC time)
    MappingRef map;              // map, map_sg, alloc: the record, with its input segments
};

// A bounded FIFO between the feeder and one actor. Bounded so that replay
// memory does not grow with the trace; the feeder blocks when it is full.
// A ring of slots that starts small and doubles up to `cap` events
// (sim.replay_window) as an actor falls behind: memory follows the backlog,
// not the trace. When the feeder blocks on a full queue it stops feeding
// every actor (it reads the trace in order), so the others may get their
// next events after their time: the host CPUs count such late starts
// (HostOpStats::late_starts), which the report says.
class ActorQueue {
public:
    static constexpr size_t kInitial = 1024;
    static constexpr size_t kDefaultCap = 16384;
    ActorQueue() : ring_(kInitial), mask_(kInitial - 1), cap_(kDefaultCap) {}
    // Before the simulation starts (sim.replay_window, rounded up to a power
    // of two so that slots are found by a mask; at least the ring's start).
    void set_cap(size_t cap)
    {
        size_t c = ring_.size();
        while (c < cap)
            c *= 2;
        cap_ = c;
    }
    void push(QEvent &&e, bool &waited)
    {
        if (__builtin_expect(n_ == ring_.size(), 0))
            full(waited);
        ring_[(head_ + n_) & mask_] = std::move(e);
        n_++;
        wake_consumer();
    }
    // Filling the next slot in place, when it is free (no growth or wait):
    // tail() is the slot (what an earlier pop moved out of, or never
    // used), commit() queues it.
    bool has_room() const { return n_ < ring_.size(); }
    QEvent &tail() { return ring_[(head_ + n_) & mask_]; }
    void commit()
    {
        n_++;
        wake_consumer();
    }
    // `waited` is set when the caller's process yielded (time may have moved).
    bool pop(QEvent &out, bool &waited)
    {
        while (n_ == 0 && !closed_) {
            consumer_waiting_ = true; // cleared by the notifier
            waited = true;
            sc_core::wait(fed_);
        }
        if (n_ == 0)
            return false;
        out = std::move(ring_[head_]); // one move, not swap's three
        head_ = (head_ + 1) & mask_;
        n_--;
        if (producer_waiting_ && n_ <= ring_.size() / 2) {
            producer_waiting_ = false; // notified: runnable now
            drained_.notify();
        }
        return true;
    }
    void close()
    {
        closed_ = true;
        wake_consumer();
    }

private:
    // An immediate notification makes the waiting process runnable and
    // ends its wait, so a second one before it runs does nothing: notify
    // once per wait (a notify costs ~100 instructions; nic-rx pushed ~1 per
    // event to an actor already woken).
    void wake_consumer()
    {
        if (consumer_waiting_) {
            consumer_waiting_ = false;
            fed_.notify();
        }
    }
    // The ring is full: grow it up to the cap, else wait for the actor
    // (out of line: the hot path is the push that fits).
    __attribute__((noinline)) void full(bool &waited)
    {
        if (ring_.size() < cap_) {
            std::vector<QEvent> r(2 * ring_.size());
            for (size_t i = 0; i < n_; i++)
                std::swap(r[i], ring_[(head_ + i) & mask_]);
            ring_.swap(r);
            mask_ = ring_.size() - 1;
            head_ = 0;
            return;
        }
        while (n_ == ring_.size()) {
            producer_waiting_ = true; // cleared by the notifier
            waited = true;
            sc_core::wait(drained_);
        }
    }
    std::vector<QEvent> ring_;
    size_t mask_;
    size_t cap_;
    size_t head_ = 0, n_ = 0;
    sc_core::sc_event fed_, drained_;
    bool closed_ = false, consumer_waiting_ = false, producer_waiting_ = false;
};

// The run's schedule: how far actors may run ahead (sim.quantum_ns), the
// dependency waits between them, the end of simulated time and the first
// error (which ends the run). One per run, shared by every actor.
class Schedule {
public:
    explicit Schedule(ps_t quantum_ps) : quantum_ps_(quantum_ps) {}

    ps_t quantum_ps() const { return quantum_ps_; }

    // Waits until sc_time_stamp() reaches t - quantum: the loosely-timed
    // run-ahead bound. `bound` is the caller's cached sc_time_stamp() +
    // quantum: time cannot move while a process runs, so it stays valid
    // until that process yields (callers reset it to 0 then). Saves a
    // kernel call per TLP.
    void sync_loose(ps_t t, ps_t &bound)
    {
        if (t <= bound)
            return;
        ps_t now = sc_core::sc_time_stamp().value();
        if (t > now + quantum_ps_) {
            sc_core::wait(sc_core::sc_time::from_value(t - now));
            now = sc_core::sc_time_stamp().value();
        }
        bound = now + quantum_ps_;
    }
    // sc_time_stamp() (ps) from a bound sync_loose set, while the process
    // that holds it has not yielded since: a kernel call saved per TLP. A
    // bound of 0 was never set (sync_loose returns early for t = 0): ask
    // the kernel.
    ps_t now_from_bound(ps_t bound) const
    {
        if (!bound)
            return sc_core::sc_time_stamp().value();
        assert(bound - quantum_ps_ == sc_core::sc_time_stamp().value());
        return bound - quantum_ps_;
    }
    // Waits until sc_time_stamp() reaches t exactly (before shared-state
    // changes whose order against other initiators matters).
    void sync_exact(ps_t t)
    {
        ps_t now = sc_core::sc_time_stamp().value();
        if (t > now)
            sc_core::wait(sc_core::sc_time::from_value(t - now));
    }

    // Waits until pred() holds; returns true if the process yielded.
    template <class Pred> bool wait_for(Pred pred)
    {
        bool waited = false;
        while (!pred()) {
            waited = true;
            unnotified_++; // cleared by progress()
            blocked_++;
            sc_core::wait(progress_ev_);
            blocked_--;
        }
        return waited;
    }
    bool wait_mapping(const MappingRef &m)
    {
        const Mapping *mp = m.get();
        return wait_for([mp] { return mp->done; });
    }
    // Called whenever a map, an unmap or a device op on a handle finishes:
    // what actors blocked on a dependency wait for.
    void progress()
    {
        if (unnotified_) {
            // Every waiter is runnable after one immediate notification;
            // a second before they run would do nothing (ActorQueue).
            unnotified_ = 0;
            progress_ev_.notify();
        }
    }
    unsigned blocked() const { return blocked_; } // actors waiting on a dependency right now

    void note_end(ps_t t)
    {
        if (t > end_ps_)
            end_ps_ = t;
    }
    ps_t end_ps() const { return end_ps_; }

    // Records the first error (1 runtime, 2 bad input); returns `code`.
    int fail(int code, const std::string &msg)
    {
        if (!error_code_) {
            error_code_ = code;
            error_ = msg;
        }
        return code;
    }
    int error_code() const { return error_code_; }
    const std::string &error() const { return error_; }

private:
    ps_t quantum_ps_;
    ps_t end_ps_ = 0;
    sc_core::sc_event progress_ev_;
    unsigned unnotified_ = 0; // waiters not yet notified
    unsigned blocked_ = 0;
    std::string error_;
    int error_code_ = 0;
};

} // namespace tcesim

#endif
