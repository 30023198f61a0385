#include "components/phb/phb_module.hpp"

#include <cstdio>

namespace tcesim {

PhbModule::PhbModule(sc_core::sc_module_name n, const phb_params &p, physmem *mem, Epochs &epochs, Timeline &timeline)
    : sc_module(n), dev_sock("dev_sock"), mem_sock("mem_sock"), read_slots_(p.read_slots != 0), epochs_(epochs),
      timeline_(timeline)
{
    dev_sock.register_b_transport(this, &PhbModule::b_transport);
    mem_gp_.set_extension(&mem_te_);
    mem_gp_.set_data_ptr(dummy_);
    mem_gp_.set_streaming_width(8);
    mem_gp_.set_byte_enable_ptr(nullptr);
    // Every time in tcesim is integer picoseconds and sc_time values are read
    // as such (payload.hpp): a platform with another resolution is refused.
    if (sc_core::sc_get_time_resolution().to_seconds() == 1e-12)
        model_ = phb_create(&p, mem, phb_mem_if{&PhbModule::tce_read, this});
}

PhbModule::PhbModule(sc_core::sc_module_name n, const phb_params &p, physmem *mem)
    : PhbModule(n, p, mem, own_epochs_, own_timeline_)
{
}

PhbModule::~PhbModule()
{
    mem_gp_.clear_extension(&mem_te_);
    phb_destroy(model_);
}

void PhbModule::attach_link(unsigned port, endpoint *link)
{
    if (links_.size() <= port)
        links_.resize(port + 1, nullptr);
    links_[port] = link;
    if (xlate_lat_.size() <= port)
        xlate_lat_.resize(port + 1);
}

const LatencyHist &PhbModule::xlate_latency_of(unsigned port) const
{
    static const LatencyHist none;
    return port < xlate_lat_.size() ? xlate_lat_[port] : none;
}

LatencyHist PhbModule::xlate_latency() const
{
    LatencyHist all;
    for (const LatencyHist &h : xlate_lat_)
        all.merge(h);
    return all;
}

// One memory access on the PHB's initiator socket: TCE fetches (table:
// the memory times them without memory.remote_data_ns) and DMA data both
// go through here.
ps_t PhbModule::mem_access(uint64_t pa, uint32_t bytes, bool is_write, ps_t arrival, bool table)
{
    mem_te_.table = table;
    mem_gp_.set_address(pa);
    mem_gp_.set_command(is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    mem_gp_.set_data_length(bytes);
    mem_gp_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    mem_te_.arrival_ps = arrival;
    // Absolute times travel in mem_te_; the delay is not used (a kernel call
    // per TCE fetch saved, see MemoryTarget::b_transport).
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    mem_sock->b_transport(mem_gp_, d);
    return mem_te_.done_ps;
}

ps_t PhbModule::tce_read(void *ctx, uint64_t pa, uint32_t bytes, ps_t arrival)
{
    return static_cast<PhbModule *>(ctx)->mem_access(pa, bytes, false, arrival, true);
}

// The translation's statistics and observers: the latency histogram, the
// epoch counts and the timeline's walk events.
void PhbModule::observe(int port, const tlm::tlm_generic_payload &gp, const TimeExt &te)
{
    const phb_xlate &x = te.xlate;
    if (x.kind == PHB_XLATE_HIT || x.kind == PHB_XLATE_MISS || x.kind == PHB_XLATE_MERGED) {
        size_t p = static_cast<size_t>(port);
        if (__builtin_expect(p >= xlate_lat_.size(), 0)) // a port bound without attach_link
            xlate_lat_.resize(p + 1);
        xlate_lat_[p].add(x.done_ps - te.arrival_ps);
    }
    if (epochs_.on()) {
        EpochRow &e = epochs_.at(te.arrival_ps);
        e.tlps++;
        e.lookups += x.kind != PHB_XLATE_BYPASS && x.kind != PHB_XLATE_DROPPED;
        e.hits += x.kind == PHB_XLATE_HIT;
        e.faults += x.kind == PHB_XLATE_FAULT;
    }
    if (x.kind == PHB_XLATE_MISS && timeline_.wants(x.done_ps - x.fetch_ps)) {
        ps_t from = x.done_ps - x.fetch_ps;
        unsigned track = timeline_.fetch_track(from, x.done_ps);
        char args[64];
        std::snprintf(args, sizeof args, "\"pe\":%u,\"bus\":\"0x%llx\"", x.pe, static_cast<unsigned long long>(gp.get_address()));
        timeline_.event(Timeline::FETCH, track, "walk", from, x.done_ps, args);
    }
}

// The timeline's markers: a fault and, when it froze the PE (EEH), the
// freeze, on the PE's track.
void PhbModule::mark_fault(const tlm::tlm_generic_payload &gp, const TimeExt &te, bool froze)
{
    const phb_xlate &x = te.xlate;
    if (!timeline_.wants(te.arrival_ps))
        return;
    if (named_pes_.size() <= x.pe)
        named_pes_.resize(x.pe + 1u, false);
    if (!named_pes_[x.pe]) {
        named_pes_[x.pe] = true;
        timeline_.name_track(Timeline::PHB, x.pe, "PE " + std::to_string(x.pe));
    }
    char a[128];
    std::snprintf(a, sizeof a, "\"rid\":\"%02x:%02x.%x\",\"bus\":\"0x%llx\",\"write\":%s", te.rid >> 8, (te.rid >> 3) & 0x1f,
                  te.rid & 7, static_cast<unsigned long long>(gp.get_address()), gp.is_write() ? "true" : "false");
    if (x.kind == PHB_XLATE_FAULT) {
        std::string name = std::string("fault: ") + tce_fault_name(x.fault);
        timeline_.instant(Timeline::PHB, x.pe, name.c_str(), te.arrival_ps, a);
    }
    if (froze)
        timeline_.instant(Timeline::PHB, x.pe, "PE frozen (EEH)", te.arrival_ps, a);
}

void PhbModule::b_transport(int port, tlm::tlm_generic_payload &gp, sc_core::sc_time &delay)
{
    TimeExt *te = gp.get_extension<TimeExt>();
    if (__builtin_expect(!te, 0)) {
        const RidExt *r = gp.get_extension<RidExt>();
        if (!r) {
            gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
            return;
        }
        te = &foreign_te_;
        te->rid = r->rid;
        te->arrival_ps = now_ps() + delay.value(); // 1 ps resolution (the constructor checks)
        te->table = false;
    }
    phb_xlate &x = te->xlate;
    uint64_t freezes = timeline_.on() ? phb_get_stats(model_)->freezes : 0;
    phb_translate(model_, te->rid, gp.get_address(), gp.is_write(), te->arrival_ps, &x);
    observe(port, gp, *te);
    if (timeline_.on() && (x.kind == PHB_XLATE_FAULT || phb_get_stats(model_)->freezes != freezes))
        mark_fault(gp, *te, phb_get_stats(model_)->freezes != freezes);
    if (x.kind == PHB_XLATE_FAULT || x.kind == PHB_XLATE_DROPPED) {
        te->done_ps = x.done_ps;
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    } else {
        te->done_ps = mem_access(x.pa, gp.get_data_length(), gp.is_write(), x.done_ps, false);
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    }
    // A read's root-complex entry frees once its data has gone out on the
    // requester's link (only timed when phb.read_slots limits the entries).
    if (!gp.is_write()) {
        ps_t freed = te->done_ps;
        size_t p = static_cast<size_t>(port);
        if (gp.is_response_ok() && read_slots_ && p < links_.size() && links_[p]) // a platform's port has no link
            freed += ep_cpl_wire_ps(links_[p], gp.get_address(), gp.get_data_length());
        phb_read_done(model_, freed);
    }
    // TLM's annotated delay: the initiator's offset plus the PHB's latency
    // (no kernel call: sc_time_stamp() + delay in is the arrival).
    delay += ps_time(te->done_ps > te->arrival_ps ? te->done_ps - te->arrival_ps : 0);
}

void PhbModule::reset_stats()
{
    warm_faults_ += phb_get_stats(model_)->faults;
    warm_dropped_ += phb_get_stats(model_)->dropped;
    phb_reset_stats(model_);
    for (LatencyHist &h : xlate_lat_)
        h = LatencyHist();
}

} // namespace tcesim
