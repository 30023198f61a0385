#include "components/feeder/feeder.hpp"

#include <cinttypes>
#include <cstdio>

namespace tcesim {

Feeder::Feeder(sc_core::sc_module_name n, const FeederWiring &w) : sc_module(n), w_(w)
{
    SC_THREAD(run);
    // The host model's frames (allocator infos) and ASan's redzones
    // outgrow SystemC's default thread stack.
    set_stack_size(512 * 1024);
}

std::string Feeder::where(const tr_event &ev) const
{
    return std::string(w_.src.name) + ":" + std::to_string(ev.line) + ": ";
}

// Checks the event's actor and device, and turns its device id (devN,
// dev=N) into the device's slot: only declared devices exist (a configured
// one, devices.N, or a trace's device line), so any other id is an error,
// never a device made up for it.
bool Feeder::check_actor(tr_event &ev)
{
    bool device_op = !tr_op_is_host(ev.op);
    if (device_op) {
        // Device ops come in runs from one device: its slot was checked.
        if (ev.actor == dev_memo_id_ && dev_memo_slot_ >= 0) {
            ev.actor = ev.dev = static_cast<uint32_t>(dev_memo_slot_);
            return true;
        }
        dev_memo_slot_ = -1;
    }
    uint32_t id = ev.actor;
    if (!check_actor_slow(ev))
        return false;
    if (device_op) {
        dev_memo_id_ = id;
        dev_memo_slot_ = static_cast<int32_t>(ev.actor);
    }
    return true;
}

bool Feeder::check_actor_slow(tr_event &ev)
{
    if (tr_op_is_host(ev.op) && ev.actor >= w_.cpu_q.size()) {
        w_.sched.fail(2, where(ev) + "cpu" + std::to_string(ev.actor) + " but host.cpus is " + std::to_string(w_.cpu_q.size()));
        return false;
    }
    bool host = tr_op_is_host(ev.op);
    if (host && ev.op != TR_MAP && ev.op != TR_MAP_SG && ev.op != TR_ALLOC)
        return true; // unmap, free: the handle's device
    uint32_t dev = host ? ev.dev : ev.actor;
    int32_t slot = dev < w_.dev_slot.size() ? w_.dev_slot[dev] : -1;
    if (slot < 0) {
        w_.sched.fail(2, where(ev) + (host ? "dev=" : "dev") + std::to_string(dev) +
                             " is not declared (neither devices." + std::to_string(dev) + " nor a device line of the trace)");
        return false;
    }
    if (!w_.dev_clash[static_cast<size_t>(slot)].empty()) {
        w_.sched.fail(2, where(ev) + w_.dev_clash[static_cast<size_t>(slot)]);
        return false;
    }
    if (host)
        ev.dev = static_cast<uint32_t>(slot);
    else
        ev.actor = ev.dev = static_cast<uint32_t>(slot);
    return true;
}

// A coherent buffer is 2^get_order(size) CPU pages, naturally aligned
// (physalloc_buffer_aligned); a streaming buffer starts on a CPU page.
unsigned Feeder::buffer_align(const tr_event &ev) const
{
    unsigned shift = w_.palloc.cpu_page_shift;
    if (ev.op != TR_ALLOC)
        return shift;
    while (shift < 62 && (1ull << shift) < ev.size)
        shift++;
    return shift;
}

// A map, map_sg or alloc: a new mapping record, and its buffers placed.
bool Feeder::new_mapping(const tr_event &ev, QEvent &qe)
{
    auto m = std::make_shared<Mapping>();
    m->serial = ++serials_;
    m->dev = ev.dev;
    m->kind = ev.op;
    // The record's input segments (pa, size), the CPU's map fills in the
    // rest; the queued event carries none.
    if (ev.op == TR_MAP_SG) {
        m->segs.assign(ev.nsegs, host_seg{});
        for (uint32_t i = 0; i < ev.nsegs; i++) {
            m->segs[i].size = ev.seg_sizes[i];
            if (ev.seg_pas)
                m->segs[i].pa = ev.seg_pas[i];
            else if (physalloc_buffer(&w_.palloc, ev.seg_sizes[i], &m->segs[i].pa) != 0) {
                w_.sched.fail(2, where(ev) + "buffer does not fit host.ram");
                break;
            }
        }
    } else if (!ev.has_pa && physalloc_buffer_aligned(&w_.palloc, ev.size, buffer_align(ev), &qe.ev.pa) != 0) {
        w_.sched.fail(2, where(ev) + "buffer does not fit host.ram");
    } else {
        m->segs.assign(1, host_seg{});
        m->segs[0].pa = qe.ev.pa;
        m->segs[0].size = ev.size;
    }
    if (w_.sched.error_code())
        return false;
    handles_[ev.handle] = m;
    if (ev.handle == last_handle_)
        last_map_ = m;
    qe.map = m;
    return true;
}

// An unmap, a free or a device op on a handle: its mapping record, and the
// replay rule's counts (replay/replay.hpp, Mapping).
bool Feeder::use_mapping(const tr_event &ev, QEvent &qe)
{
    // Accesses come in runs on one handle: skip the hash lookup.
    if (!last_map_ || ev.handle != last_handle_) {
        auto it = handles_.find(ev.handle);
        if (it == handles_.end() && !tr_op_is_host(ev.op) &&
            (ev.untracked || (forgot_ && ev.handle >= forgot_lo_ && ev.handle <= forgot_hi_))) {
            // Dropped more than sim.dead_handles drops ago (the reader's
            // records or ours): its mapping is forgotten; the device counts
            // the access (dma.stale_untracked) and does not simulate it.
            qe.untracked = true;
            return true;
        }
        if (it == handles_.end()) {
            w_.sched.fail(2, where(ev) + "handle " + std::to_string(ev.handle) + " was never mapped");
            return false;
        }
        last_handle_ = ev.handle;
        last_map_ = it->second;
    }
    qe.map = last_map_;
    Mapping &m = *last_map_;
    if (ev.op == TR_UNMAP || ev.op == TR_FREE) {
        qe.wait_ops = m.dev_ops_fed;
        m.unmap_fed = true;
        drop(ev.handle, m.serial);
    } else if (m.unmap_fed) {
        qe.stale = true;
    } else {
        m.dev_ops_fed++;
    }
    return true;
}

// Remembers a drop; beyond sim.dead_handles drops the oldest one's record
// goes, unless its handle was mapped again since (another record, told by
// its serial: a freed record's address comes back for a new one). The
// record itself lives on while queued events hold it.
void Feeder::drop(uint64_t handle, uint64_t serial)
{
    dead_.emplace_back(handle, serial);
    if (dead_.size() <= w_.dead_handles)
        return;
    auto [h, old] = dead_.front();
    dead_.pop_front();
    auto it = handles_.find(h);
    if (it == handles_.end() || it->second->serial != old)
        return;
    if (last_map_ == it->second)
        last_map_.reset();
    handles_.erase(it);
    forgot_lo_ = forgot_ ? std::min(forgot_lo_, h) : h;
    forgot_hi_ = forgot_ ? std::max(forgot_hi_, h) : h;
    forgot_ = true;
}

// The queued form of the event: its mapping record and the replay rule's
// counts. qe may be a slot an event was moved out of: every field is set.
bool Feeder::fill(const tr_event &ev, ps_t bound, QEvent &qe)
{
    qe.ev = ev;
    qe.ev.seg_sizes = nullptr;
    qe.ev.seg_pas = nullptr;
    qe.seq = 0;
    qe.wait_ops = 0;
    qe.stale = false;
    qe.untracked = false;
    qe.map.reset();
    if (ev.op == TR_MAP || ev.op == TR_MAP_SG || ev.op == TR_ALLOC) {
        if (!new_mapping(ev, qe))
            return false;
    } else if (ev.op == TR_UNMAP || ev.op == TR_FREE || ev.has_handle) {
        if (!use_mapping(ev, qe))
            return false;
    }
    if (tr_op_is_host(ev.op))
        qe.seq = host_seq_++;
    qe.fed_ps = w_.sched.now_from_bound(bound); // not yielded since sync_loose
    return true;
}

void Feeder::run()
{
    bool waited = false;
    ps_t bound = 0; // see Schedule::sync_loose
    tr_event ev;
    tr_error err;
    int rc;
    while ((rc = tr_next(&w_.src, &ev, &err)) == 1) {
        events_++;
        // Release the event no earlier than one quantum before its time, so
        // actors never run further ahead than that.
        ps_t t = ps_from_ns(ev.time_ns);
        if (waited) {
            bound = 0;
            waited = false;
        }
        w_.sched.sync_loose(t, bound);
        if (!check_actor(ev))
            break;
        if (!tr_op_is_host(ev.op) && ev.len >= kHugeAccess && !warned_huge_) {
            // Legal, but simulated TLP by TLP (about 1 s of wall time a GiB
            // on the bench machine, bench/README.md): say so before it runs,
            // not after minutes of silence. Once a run.
            warned_huge_ = true;
            std::fprintf(stderr,
                         "%swarning: dev%u %s %" PRIu64 " bytes (%.1f GiB) in one access%s: simulated TLP by TLP, "
                         "about a second of wall time a GiB\n",
                         where(ev).c_str(), ev.actor, ev.op == TR_READ ? "reads" : "writes", ev.len,
                         static_cast<double>(ev.len) / (1ull << 30),
                         ev.has_handle ? "" : " by raw bus address (no mapping bounds it)");
        }
        ActorQueue &q = tr_op_is_host(ev.op) ? w_.cpu_q[ev.actor] : w_.dev_q[ev.actor];
        if (q.has_room()) {
            // Filled in place: no event built, moved in and destroyed.
            if (!fill(ev, bound, q.tail()))
                break;
            q.commit();
        } else {
            QEvent qe;
            if (!fill(ev, bound, qe))
                break;
            q.push(std::move(qe), waited);
        }
    }
    if (rc < 0)
        w_.sched.fail(2, err.msg);
    for (auto &q : w_.cpu_q)
        q.close();
    for (auto &q : w_.dev_q)
        q.close();
    if (w_.sched.error_code())
        sc_core::sc_stop();
}

} // namespace tcesim
