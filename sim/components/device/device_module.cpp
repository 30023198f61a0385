#include "components/device/device_module.hpp"

#include <algorithm>
#include <iterator>
#include <string>

namespace tcesim {

DeviceModule::DeviceModule(sc_core::sc_module_name n, uint32_t id, uint16_t rid, uint16_t pe, const DeviceParams &p,
                           const DeviceWiring &w)
    : sc_module(n), sock("sock"), id_(id), pe_(pe), p_(p), w_(w)
{
    ok_ = ep_init(&ep_, &p_.ep) == 0;
    gp_.set_extension(&te_);
    gp_.set_data_ptr(dummy_);
    gp_.set_byte_enable_ptr(nullptr);
    te_.rid = rid;
    rid_ = rid;
    SC_THREAD(run);
    // The host model's frames (allocator infos) and ASan's redzones
    // outgrow SystemC's default thread stack.
    set_stack_size(512 * 1024);
}

DeviceModule::~DeviceModule()
{
    gp_.clear_extension(&te_);
    ep_destroy(&ep_);
}

void DeviceModule::note_fault(uint64_t bus, bool is_write)
{
    if (cur_stale_)
        st_.stale_faults_by_kind[te_.xlate.fault]++;
    LossOrigin o;
    o.any = true;
    o.t_ps = te_.xlate.done_ps;
    o.pe = te_.xlate.pe;
    o.dev = id_;
    o.write = is_write;
    o.stale = cur_stale_;
    o.fault = te_.xlate.fault;
    o.has_handle = cur_->ev.has_handle;
    o.handle = cur_->ev.handle;
    o.addr = bus;
    o.line = cur_->ev.line;
    FirstLosses::note(w_.losses.fault, o);
}

// One TLP through the PHB: returns false if it faulted or was dropped.
// part[] receives where its time went (Breakdown's order).
bool DeviceModule::tlp(uint64_t bus, uint32_t len, bool is_write, ps_t t, ps_t &done, bool &dropped,
                       ps_t (&part)[Breakdown::N])
{
    ps_t arrive = ep_send_request(&ep_, bus, len, is_write, t);
    w_.sched.sync_loose(arrive, bound_);
    gp_.set_address(bus);
    gp_.set_command(is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp_.set_data_length(len);
    gp_.set_streaming_width(len);
    gp_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    te_.arrival_ps = arrive;
    sc_core::sc_time d = delay_to(arrive, w_.sched.now_from_bound(bound_));
    sock->b_transport(gp_, d);
    tlps_++;
    bool ok = gp_.is_response_ok();
    dropped = te_.xlate.kind == PHB_XLATE_DROPPED;
    if (te_.xlate.kind == PHB_XLATE_FAULT)
        note_fault(bus, is_write);
    if (is_write) {
        done = te_.done_ps; // posted: the memory commit
    } else if (ok) {
        done = ep_send_completions_at(&ep_, bus, len, te_.done_ps);
    } else {
        // No completion comes back: the device's completion timeout
        // reclaims the tag (not modelled further: freed at the fault).
        ep_release_tag(&ep_, te_.done_ps);
        done = te_.done_ps;
    }
    if (ok) {
        // A read's tag-holding hand-over (read_hold) is device time, not
        // completion time.
        ps_t hold = is_write ? 0 : p_.read_hold_ps;
        part[Breakdown::DEVICE] = ep_.last_link_ps - ep_.last_issue_ps + hold;
        part[Breakdown::LINK] = arrive - ep_.last_link_ps;
        part[Breakdown::TRANSLATION] = te_.xlate.done_ps - arrive;
        part[Breakdown::SLOT_WAIT] = te_.xlate.slot_wait_ps;
        part[Breakdown::MEMORY] = te_.done_ps - te_.xlate.done_ps;
        part[Breakdown::COMPLETION] = done - te_.done_ps - hold;
    }
    return ok;
}

// A device op on a handle is finished (whatever its outcome): the handle's
// unmap may be waiting for it.
void DeviceModule::finished(const QEvent &qe, ps_t done)
{
    if (!qe.ev.has_handle || qe.stale)
        return;
    Mapping &m = *qe.map;
    m.dev_ops_done++;
    m.dev_done_ps = ps_max(m.dev_done_ps, done);
    w_.sched.progress();
}

// The driver got DMA_MAPPING_ERROR and never started the access.
void DeviceModule::skip(const QEvent &qe, ps_t t)
{
    const tr_event &ev = qe.ev;
    st_.loss.skipped++;
    st_.loss.skipped_bytes += ev.len;
    LossOrigin o;
    o.any = true;
    o.t_ps = t;
    o.dev = id_;
    o.pe = pe_;
    o.write = ev.op == TR_WRITE;
    o.has_handle = true;
    o.handle = ev.handle;
    o.line = ev.line;
    FirstLosses::note(w_.losses.skip, o);
    finished(qe, t);
}

// Waits for the access's dependencies and resolves its byte ranges into
// chunks_; t becomes its earliest start. Returns false if it was skipped.
bool DeviceModule::gather(QEvent &qe, ps_t &t, bool &waited)
{
    const tr_event &ev = qe.ev;
    chunks_.clear();
    if (ev.has_handle && w_.sched.wait_mapping(qe.map))
        waited = true;
    if (qe.stale) {
        // After its unmap in the trace: no earlier than the unmap's end.
        const Mapping *mp = qe.map.get();
        waited |= w_.sched.wait_for([mp] { return mp->unmap_done; });
        t = ps_max(t, mp->unmap_done_ps);
    }
    if (waited) {
        bound_ = 0;
        waited = false;
    }
    cur_stale_ = false;
    if (!ev.has_handle) {
        chunks_.emplace_back(ev.addr, ev.len);
        return true;
    }
    const Mapping &m = *qe.map;
    t = ps_max(t, m.done_ps);
    cur_stale_ = qe.stale || m.unmapped;
    if (m.failed) {
        skip(qe, t);
        return false;
    }
    uint64_t off = ev.off, len = ev.len;
    for (const host_seg &s : m.segs) {
        if (!len)
            break;
        if (off >= s.size) {
            off -= s.size;
            continue;
        }
        uint64_t n = std::min(len, s.size - off);
        chunks_.emplace_back(s.bus + off, n);
        len -= n;
        off = 0;
    }
    return true;
}

// "devN BB:DD.F", the timeline's name for the device's first lane.
std::string DeviceModule::track_name() const
{
    char b[48];
    std::snprintf(b, sizeof b, "dev%u %02x:%02x.%x", id_, rid_ >> 8, (rid_ >> 3) & 0x1f, rid_ & 7);
    return b;
}

// Issues the access's TLPs from t and accounts for it.
void DeviceModule::access(QEvent &qe, ps_t t)
{
    const tr_event &ev = qe.ev;
    bool is_write = ev.op == TR_WRITE;
    ps_t first_issue = PS_NEVER, last_done = 0;
    ps_t part[Breakdown::N] = {0}, crit[Breakdown::N] = {0}, crit_issue = 0;
    bool ok = true, dropped = false, faulted = false;
    uint32_t max = is_write ? ep_.p.mps : ep_.p.mrrs;
    if (w_.timeline.waiting()) // --timeline without a window: it opens at the first DMA
        w_.timeline.start_at(t);
    for (auto &c : chunks_) {
        uint64_t bus = c.first, left = c.second;
        while (left) {
            uint32_t n = ep_tlp_len(bus, left, max);
            ps_t done;
            bool d = false;
            bool tok = tlp(bus, n, is_write, t, done, d, part);
            ok &= tok;
            faulted |= !tok && !d;
            if (first_issue == PS_NEVER)
                first_issue = ep_.last_issue_ps;
            t = ep_.last_issue_ps;
            dropped |= d;
            if (done >= last_done) {
                last_done = done;
                std::copy(std::begin(part), std::end(part), std::begin(crit));
                crit_issue = t;
            }
            bus += n;
            left -= n;
        }
    }
    // The next access is issued after this one's requests: the engine, tag
    // and link timelines pace it from there.
    free_ps_ = t;
    // The device's own fixed latency outside the tag-holding window (command
    // processing before the request, handing results on): pipelined, it
    // delays this access, not the next.
    last_done += p_.overhead_ps;
    w_.sched.note_end(last_done);
    finished(qe, last_done);
    DeviceStats &out = st_;
    if (!ok) {
        // An access with a faulted TLP is faulted, even when its later TLPs
        // found the PE frozen by that fault.
        if (faulted) {
            out.faulted++;
            out.loss.faulted_bytes += ev.len;
        } else {
            out.dropped++;
            out.loss.dropped_bytes += ev.len;
        }
        return;
    }
    if (qe.stale) {
        // DMA after its unmap that reached memory, as on hardware: the
        // buffer mapped there since, or (bypass, a TCE still cached under
        // lazy invalidation) the old one.
        out.loss.stale_unfaulted++;
        LossOrigin o;
        o.any = true;
        o.t_ps = first_issue;
        o.pe = pe_;
        o.dev = id_;
        o.write = is_write;
        o.stale = true;
        o.has_handle = true;
        o.handle = ev.handle;
        o.line = ev.line;
        FirstLosses::note(w_.losses.stale_ok, o);
    }
    (is_write ? out.writes : out.reads)++;
    out.bytes += ev.len;
    if (w_.epochs.on()) {
        EpochRow &e = w_.epochs.at(last_done);
        e.dma_accesses++;
        e.dma_bytes += ev.len;
    }
    if (w_.timeline.wants(first_issue)) {
        int track = w_.timeline.device_track(id_, track_name(), first_issue, last_done);
        if (track >= 0) {
            char a[128];
            if (ev.has_handle)
                std::snprintf(a, sizeof a, "\"h\":%llu,\"addr\":\"0x%llx\",\"len\":%llu", static_cast<unsigned long long>(ev.handle),
                              static_cast<unsigned long long>(chunks_.empty() ? 0 : chunks_.front().first),
                              static_cast<unsigned long long>(ev.len));
            else
                std::snprintf(a, sizeof a, "\"addr\":\"0x%llx\",\"len\":%llu", static_cast<unsigned long long>(ev.addr),
                              static_cast<unsigned long long>(ev.len));
            w_.timeline.event(Timeline::DEVICES, static_cast<unsigned>(track), is_write ? "write" : "read", first_issue,
                              last_done, a);
        }
    }
    ps_t lat = last_done - first_issue;
    dma_first_ = std::min(dma_first_, first_issue);
    dma_last_ = std::max(dma_last_, last_done);
    out.dma_lat.add(lat); // the run's and the PE's: merged from the devices' at the end
    crit[Breakdown::DEVICE] += crit_issue - first_issue + p_.overhead_ps;
    out.breakdown.add(crit);
}

void DeviceModule::run()
{
    bool waited = false;
    while (w_.queue.pop(qcur_, waited)) {
        QEvent &qe = qcur_;
        cur_ = &qe;
        ps_t t = ps_max(ps_from_ns(qe.ev.time_ns), free_ps_);
        if (qe.untracked) {
            // Its mapping is forgotten (sim.dead_handles): nothing to
            // translate, said in the report and the loss warning.
            st_.loss.stale_untracked++;
            continue;
        }
        if (gather(qe, t, waited)) {
            // Handed over late by a feeder held back on another actor's
            // full queue, past what the calendars absorb (they book out of
            // order within 4 quanta + 8 us, Netlist::build; half that
            // margin): start it now, and count it.
            if (qe.fed_ps > t + 2 * w_.sched.quantum_ps() + ps_from_ns(4000)) {
                ps_t now = sc_core::sc_time_stamp().value(); // >= fed_ps > t
                st_.late_starts++;
                st_.late_max_ps = std::max<uint64_t>(st_.late_max_ps, now - t);
                t = now;
            }
            access(qe, t);
        }
    }
}

void DeviceModule::reset_stats()
{
    warm_.bytes += st_.bytes;
    warm_.faulted += st_.faulted;
    warm_.dropped += st_.dropped;
    warm_.loss.merge(st_.loss);
    st_ = DeviceStats();
    ep_.st = ep_stats{};
    tlps_ = 0;
    dma_first_ = PS_NEVER;
    dma_last_ = 0;
}

} // namespace tcesim
