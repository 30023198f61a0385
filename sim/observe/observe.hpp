// Optional run observers: per-epoch time series (--epoch NS) and a
// Chrome/Perfetto trace-event timeline of a window of the run (--timeline).
// Both cost one predictable branch per event when off.
#ifndef TCESIM_OBSERVE_HPP
#define TCESIM_OBSERVE_HPP

#include <cstdint>
#include <string>
#include <vector>

extern "C" {
#include "common/tcesim_time.h"
}

namespace tcesim {

struct EpochRow {
    uint64_t lookups = 0, hits = 0, faults = 0, tlps = 0;
    uint64_t dma_accesses = 0, dma_bytes = 0;
    uint64_t lock_acquisitions = 0, lock_contended = 0;
    ps_t lock_wait_ps = 0;
};

// Counts per epoch of `ns` simulated nanoseconds. Memory is bounded: past
// kMaxEpochs epochs, neighbouring epochs are merged and the epoch doubles
// (the report says which length it ended with).
class Epochs {
public:
    static constexpr size_t kMaxEpochs = 1u << 16;
    explicit Epochs(uint64_t ns = 0) : ps_(ns * 1000) {}
    bool on() const { return ps_ != 0; }
    EpochRow &at(ps_t t)
    {
        uint64_t i = t / ps_;
        while (i >= kMaxEpochs) {
            coarsen();
            i = t / ps_;
        }
        if (i >= rows_.size())
            rows_.resize(i + 1);
        return rows_[i];
    }
    uint64_t epoch_ns() const { return ps_ / 1000; }
    const std::vector<EpochRow> &rows() const { return rows_; }

private:
    void coarsen()
    {
        std::vector<EpochRow> r((rows_.size() + 1) / 2);
        for (size_t i = 0; i < rows_.size(); i++) {
            EpochRow &d = r[i / 2];
            const EpochRow &s = rows_[i];
            d.lookups += s.lookups;
            d.hits += s.hits;
            d.faults += s.faults;
            d.tlps += s.tlps;
            d.dma_accesses += s.dma_accesses;
            d.dma_bytes += s.dma_bytes;
            d.lock_acquisitions += s.lock_acquisitions;
            d.lock_contended += s.lock_contended;
            d.lock_wait_ps += s.lock_wait_ps;
        }
        rows_.swap(r);
        ps_ *= 2;
    }
    ps_t ps_;
    std::vector<EpochRow> rows_;
};

// Trace-event JSON (the Chrome/Perfetto format: "X" complete events with
// microsecond timestamps, one process per kind of track, one thread per
// track; "i" instants for faults and freezes). Only events that start
// inside [from, to) are kept, and at most kMaxEvents of them, so the file
// stays loadable and memory bounded. No two slices of one track overlap
// (viewers nest or drop overlapping "X" events): a device's accesses, which
// overlap while its tags are in flight, go on lanes (one track each), as
// the fetch slots' walks do.
class Timeline {
public:
    enum Group { DEVICES = 1, CPUS = 2, LOCKS = 3, FETCH = 4, PHB = 5 };
    static constexpr size_t kMaxEvents = 2000000;
    static constexpr unsigned kLanes = 4096; // per device: track ids dev * kLanes + lane
    Timeline() = default;
    Timeline(ps_t from, ps_t to) : on_(true), from_(from), to_(to) {}
    // The window opens at start_at(): `len` of simulated time from the
    // first device access's start (--timeline without --timeline-window),
    // so it shows DMA, not only the mapping before it.
    static Timeline from_first_dma(ps_t len)
    {
        Timeline t(0, 0);
        t.auto_len_ = len;
        t.waiting_ = true;
        return t;
    }
    void start_at(ps_t t)
    {
        if (!waiting_)
            return;
        waiting_ = false;
        from_ = t;
        to_ = t + auto_len_ > t ? t + auto_len_ : ~ps_t(0);
    }
    bool on() const { return on_; }
    bool waiting() const { return waiting_; }
    ps_t from() const { return from_; }
    ps_t to() const { return to_; }
    bool wants(ps_t start) const { return on_ && start >= from_ && start < to_ && n_ < kMaxEvents; }
    // Adds a complete event on track `tid` of group `pid`.
    void event(Group pid, unsigned tid, const char *name, ps_t start, ps_t end, const std::string &args = "");
    // An instant (a fault, a freeze) on track `tid` of group `pid`.
    void instant(Group pid, unsigned tid, const char *name, ps_t at, const std::string &args = "");
    void name_track(Group pid, unsigned tid, const std::string &name);
    // Fetch slots are not numbered by the model: assign each walk the first
    // slot track free at its start (interval colouring).
    unsigned fetch_track(ps_t start, ps_t end);
    // A device's access: the track of its first lane free at `start`
    // (lanes named "devN lane K" as they appear); kLanes busy: no track (-1).
    int device_track(unsigned dev, const std::string &dev_name, ps_t start, ps_t end);
    // Writes the JSON document atomically; returns "" or an error message.
    std::string write(const std::string &path) const;

private:
    void emit(bool instant, Group pid, unsigned tid, const char *name, ps_t start, ps_t end, const std::string &args);
    bool on_ = false;
    bool waiting_ = false;   // from_first_dma: no window until start_at
    ps_t auto_len_ = 0;
    std::vector<std::vector<ps_t>> dev_lanes_;
    ps_t from_ = 0, to_ = 0;
    size_t n_ = 0;
    std::string body_;
    std::vector<std::string> meta_;
    std::vector<ps_t> fetch_busy_;
};

} // namespace tcesim

#endif
