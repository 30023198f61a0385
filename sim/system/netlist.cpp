#include "system/netlist.hpp"


#include "components/device/device_keys.hpp"
#include "components/host/host_keys.hpp"
#include "components/memory/memory_keys.hpp"
#include "components/phb/phb_keys.hpp"
#include "platform/platform_keys.hpp"

#include <utility>

extern "C" {
#include "rtt/rtt.h"
}

namespace tcesim {

// Sets err and returns the exit code (2 bad input, 1 runtime).
static int fail(std::string &err, std::string msg, int code)
{
    err = std::move(msg);
    return code;
}

Netlist::Netlist(const tcesim_config &c, const RunOptions &opt, RunResult &r)
    : cfg(c), res(r), sched(schedule_quantum_ps(c)), epochs(opt.epoch_ns), cpu_q(c.host.cpus)
{
    if (!opt.timeline_path.empty())
        timeline = opt.timeline_auto ? Timeline::from_first_dma(ps_from_ns(opt.timeline_to_ns - opt.timeline_from_ns))
                                     : Timeline(ps_from_ns(opt.timeline_from_ns), ps_from_ns(opt.timeline_to_ns));
}

int Netlist::build(const std::vector<tr_device_decl> &decls, const std::string &trace_name, std::string &err)
{
    if (!phys.mem)
        return fail(err, "out of memory", 1);
    if (physalloc_init(&palloc, cfg.host.ram, cpu_page_shift(cfg), cfg.seed) != 0)
        return fail(err, "host.ram: unusable with host.page_size", 2);
    // Arrivals at shared resources spread over about two quanta (initiators
    // run up to one ahead, the feeder releases up to one early) plus a
    // miss; the calendars cover four quanta plus 8 us.
    ps_t horizon = 4 * sched.quantum_ps() + ps_from_ns(8000);
    memory = std::make_unique<MemoryTarget>("memory", memory_params(cfg, horizon));
    if (!memory->ok())
        return fail(err, "memory: cannot initialise the channel model", 1);
    phb = std::make_unique<PhbModule>("phb", phb_params_from(cfg), phys.mem, epochs, timeline);
    if (!phb->ok())
        return fail(err, "phb: bad parameters (phb.fetch_slots, phb.tce_cache.*)", 2);
    phb->mem_sock.bind(memory->sock);

    // Devices: the config's and the trace's declarations, by id; only
    // those exist (a device costs a thread and its stack, and per-device
    // statistics), internally in slots 0..n-1 in id order.
    std::string note;
    err = resolve_devices(cfg, decls, trace_name, rdevs, note);
    if (!err.empty())
        return 2;
    res.cfg.phb.domain = cfg.phb.domain;
    res.device_note = note;
    dev_slot.assign(TR_MAX_DEVICES, -1);
    dev_clash.clear();
    for (size_t s = 0; s < rdevs.size(); s++) {
        dev_slot[rdevs[s].id] = static_cast<int32_t>(s);
        dev_clash.push_back(rdevs[s].clash);
    }
    host = std::make_unique<HostComplex>(host_params_from(cfg), phb->model(), sched, epochs, timeline);
    if (!host->ok())
        return fail(err, "host: bad parameters", 2);
    host->port().sock.bind(memory->sock);

    platform = std::make_unique<Platform>(cfg, phys.mem, palloc, phb->model(), host->model(), rdevs.size());
    devs.resize(rdevs.size());
    dev_q = std::vector<ActorQueue>(rdevs.size());
    for (ActorQueue &q : cpu_q)
        q.set_cap(actor_queue_cap(cfg));
    for (ActorQueue &q : dev_q)
        q.set_cap(actor_queue_cap(cfg));
    res.devices.resize(rdevs.size());
    for (uint32_t i = 0; i < rdevs.size(); i++) {
        int rc = add_device(i, horizon, err);
        if (rc)
            return rc;
    }
    name_tracks();
    return 0;
}

// The device in slot s (its id is rdevs[s].id): its parameters, its module
// bound to the PHB's port s, its RID in the PHB's RTT, and Linux's setup of
// it (and of its PE).
int Netlist::add_device(uint32_t s, ps_t horizon, std::string &err)
{
    const cfg_device &cd = rdevs[s].cd;
    const uint32_t id = rdevs[s].id;
    DeviceInfo &d = devs[s];
    d.id = id;
    d.rid = rdevs[s].rid;
    uint64_t pe = device_pe(cd, d.rid);
    if (pe >= phb_reserved_pe(phb->model()))
        return fail(err, "devices." + std::to_string(id) + ".pe: " + std::to_string(pe) + " is not below the reserved PE " +
                             std::to_string(phb_reserved_pe(phb->model())), 2);
    d.pe = static_cast<uint16_t>(pe);
    DeviceParams dp;
    err = device_params(cd, id, horizon, dp);
    if (!err.empty())
        return 2;
    d.mask_bits = dp.dma_mask_bits;
    d.max_seg_size = dp.max_seg_size;
    std::string n = "dev" + std::to_string(id);
    DeviceWiring w{sched, dev_q[s], losses, epochs, timeline};
    devices.push_back(std::make_unique<DeviceModule>(n.c_str(), id, d.rid, d.pe, dp, w));
    if (!devices.back()->ok())
        return fail(err, "devices." + std::to_string(id) + ": bad mps/mrrs/tags", 2);
    devices.back()->sock.bind(phb->dev_sock);
    phb->attach_link(s, devices.back()->link());
    phb_set_rid(phb->model(), d.rid, d.pe);

    int rc = platform->attach(d, err);
    if (rc)
        return rc;
    const PeState &ps = platform->pe_state(d.pe);
    DeviceResult &dr = res.devices[s];
    dr.id = id;
    char rid[RID_TEXT];
    rid_format_domain(static_cast<uint32_t>(cfg.phb.domain), d.rid, rid);
    dr.rid = rid;
    dr.pe = d.pe;
    dr.dma_mask_bits = d.mask_bits;
    dr.bypass = d.path != DMA_PATH_TCE;
    dr.dma_path = dma_path_name(d.path);
    dr.group = d.add == IOMMU_ADD_OK ? ps.group.name : "";
    dr.add_result = iommu_add_result_name(d.add);
    dr.add_why = d.add_why;
    return 0;
}

void Netlist::name_tracks()
{
    // devices: their lanes are named as they appear (Timeline::device_track)
    for (unsigned i = 0; i < cfg.host.cpus; i++)
        timeline.name_track(Timeline::CPUS, i, "cpu" + std::to_string(i));
    std::vector<uint16_t> pe_of_index(platform->pes().size());
    for (const PeState &ps : platform->pes())
        pe_of_index[static_cast<size_t>(ps.host_index)] = ps.pe;
    host->pes_added(pe_of_index);
}

void Netlist::add_cpus()
{
    HostCpuParams p = host_cpu_params(cfg);
    for (unsigned i = 0; i < cfg.host.cpus; i++) {
        std::string n = "cpu" + std::to_string(i);
        HostCpuWiring w{sched, cpu_q[i], *host, devs, mappings, timeline};
        cpus.push_back(std::make_unique<HostCpu>(n.c_str(), i, p, w));
    }
}

void Netlist::add_feeder(tr_source &src)
{
    feeder = std::make_unique<Feeder>("feeder",
                                      FeederWiring{sched, src, palloc, cpu_q, dev_q, timeline, dev_clash, dev_slot, dead_handles_kept(cfg)});
}

void Netlist::reset_stats()
{
    memory->reset_stats();
    phb->reset_stats();
    host->reset_stats();
    for (auto &c : cpus)
        c->reset_stats();
    for (auto &d : devices)
        d->reset_stats();
}

} // namespace tcesim
