// The netlist: creates the components from the configuration and binds
// them. Devices (TLM initiators) -> PHB (target towards the devices,
// initiator towards memory) -> memory (target); the host complex's port ->
// memory; host CPUs and devices fed by the feeder's queues.
#ifndef TCESIM_SYSTEM_NETLIST_HPP
#define TCESIM_SYSTEM_NETLIST_HPP

#include <memory>
#include <string>
#include <vector>

#include "components/device/device_module.hpp"
#include "components/feeder/feeder.hpp"
#include "components/host/host_complex.hpp"
#include "components/host/host_cpu.hpp"
#include "components/memory/memory_module.hpp"
#include "components/phb/phb_module.hpp"
#include "observe/mappings.hpp"
#include "observe/observe.hpp"
#include "platform/platform.hpp"
#include "platform/platform_keys.hpp"
#include "replay/replay.hpp"
#include "result.hpp"
#include "system/system.hpp"

namespace tcesim {

// The schedule's parameter: sim.quantum_ns in ps.
inline ps_t schedule_quantum_ps(const tcesim_config &c) { return ps_from_ns(c.quantum_ns); }
// sim.replay_window: each actor queue's cap (ActorQueue::set_cap)
inline size_t actor_queue_cap(const tcesim_config &c) { return static_cast<size_t>(c.replay_window); }
// sim.dead_handles: the dropped handles the readers (tr_set_dead_handles)
// and the feeder (FeederWiring) remember
inline uint64_t dead_handles_kept(const tcesim_config &c) { return c.dead_handles; }
// The region of interest's start (sim.warmup_ns) in ps; 0 = off.
inline ps_t warmup_reset_ps(const tcesim_config &c) { return ps_from_ns(c.warmup_ns); }

// The simulated physical memory (TCE tables), destroyed last.
struct PhysMem {
    physmem *mem = physmem_create();
    ~PhysMem() { physmem_destroy(mem); }
};

struct Netlist {
    // cfg: the configuration with the trace's device declarations merged
    // (build() does that); res: where the devices' statistics go.
    Netlist(const tcesim_config &c, const RunOptions &opt, RunResult &res);

    // Creates the memory, PHB, host complex, platform and devices, and binds
    // them. Returns 0 or the exit code with err set.
    // trace_name: the trace's, for messages about its declarations.
    int build(const std::vector<tr_device_decl> &decls, const std::string &trace_name, std::string &err);
    // Creates the host CPUs and the feeder (after the devices: SystemC runs
    // processes in creation order at each delta).
    void add_cpus();
    void add_feeder(tr_source &src);
    // The region of interest starts (sim.warmup_ns): every component's
    // counters restart (each owns its reset_stats()); state stays.
    void reset_stats();

    tcesim_config cfg;
    RunResult &res;
    Schedule sched;
    Epochs epochs;
    Timeline timeline;
    MappingsWriter mappings;
    PhysMem phys;
    physalloc palloc{};
    std::vector<ActorQueue> cpu_q, dev_q;
    std::vector<RunDevice> rdevs;       // the run's devices, by slot (in id order)
    std::vector<int32_t> dev_slot;      // device id -> slot, -1: no such device
    std::vector<std::string> dev_clash; // per slot: why using it is an error ("" = fine)
    FirstLosses losses;
    std::unique_ptr<MemoryTarget> memory;
    std::unique_ptr<PhbModule> phb;
    std::unique_ptr<HostComplex> host;
    std::unique_ptr<Platform> platform;
    std::vector<DeviceInfo> devs;
    std::vector<std::unique_ptr<DeviceModule>> devices;
    std::vector<std::unique_ptr<HostCpu>> cpus;
    std::unique_ptr<Feeder> feeder;
    std::unique_ptr<sc_core::sc_module> warmup; // system/run: calls reset_stats at sim.warmup_ns

private:
    int add_device(uint32_t slot, ps_t horizon, std::string &err);
    void name_tracks();
};

} // namespace tcesim

#endif
