// The feeder: an SC_THREAD that reads the trace source in order and
// releases each event, no earlier than one quantum before its time, to its
// actor's bounded queue (host ops to CPUs, DMA accesses to devices). It
// creates the mapping records in trace order and places buffers without
// pa= from a seeded allocator, so placement never depends on how actors
// interleave.
#ifndef TCESIM_COMPONENTS_FEEDER_HPP
#define TCESIM_COMPONENTS_FEEDER_HPP

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include <systemc>

#include "observe/observe.hpp"
#include "replay/replay.hpp"

extern "C" {
#include "memory/physalloc.h"
#include "traces/trace.h"
}

namespace tcesim {

// What the feeder needs of the run around it (all outlive the module).
struct FeederWiring {
    Schedule &sched;
    tr_source &src;
    physalloc &palloc;                 // places buffers without pa=
    std::vector<ActorQueue> &cpu_q;    // one per host CPU
    std::vector<ActorQueue> &dev_q;    // one per device
    Timeline &timeline;                // the run's (the feeder records nothing yet)
    const std::vector<std::string> &dev_clash; // per slot: why using it is an error ("" = fine)
    const std::vector<int32_t> &dev_slot;      // device id -> slot (dev_q's index), -1: not declared
    uint64_t dead_handles;                     // sim.dead_handles: dropped handles remembered
};

class Feeder : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(Feeder);
    Feeder(sc_core::sc_module_name n, const FeederWiring &w);
    uint64_t events() const { return events_; } // trace events read

private:
    std::string where(const tr_event &ev) const;
    bool check_actor(tr_event &ev);
    bool check_actor_slow(tr_event &ev);
    unsigned buffer_align(const tr_event &ev) const;
    bool new_mapping(const tr_event &ev, QEvent &qe);
    bool use_mapping(const tr_event &ev, QEvent &qe);
    void drop(uint64_t handle, uint64_t serial);
    bool fill(const tr_event &ev, ps_t bound, QEvent &qe);
    void run();

    FeederWiring w_;
    std::unordered_map<uint64_t, MappingRef> handles_;
    // The last sim.dead_handles drops, oldest first: beyond them a dropped
    // handle's record is forgotten (removed from handles_), its id's range
    // kept so that a stale access through it is counted, not an error.
    std::deque<std::pair<uint64_t, uint64_t>> dead_; // (handle, Mapping::serial)
    uint64_t serials_ = 0;
    bool forgot_ = false;
    bool warned_huge_ = false;   // an access of kHugeAccess bytes or more was announced
    static constexpr uint64_t kHugeAccess = 1ull << 30;
    uint64_t forgot_lo_ = 0, forgot_hi_ = 0;
    uint64_t last_handle_ = 0;   // memo of the last handle looked up
    uint64_t host_seq_ = 0;      // host ops seen, for --mappings order
    uint64_t events_ = 0;
    // check_actor's memo: the last device id a device op named, and its slot
    // (-1: none; dev_slot and dev_clash do not change during a run).
    uint32_t dev_memo_id_ = 0;
    int32_t dev_memo_slot_ = -1;
    MappingRef last_map_;
};

} // namespace tcesim

#endif
