// The SystemC system: TLM-2.0 modules around the C models, assembled from
// the configuration, loosely timed with temporal decoupling.
//
// Time model (sim/README.md has the long form):
// - Every payload carries absolute picosecond timestamps (TimeExt): the
//   arrival time in, the completion time out. b_transport's delay argument is
//   kept consistent with them (delay = completion - sc_time_stamp(), when
//   positive), but the models compute from the absolute times, because a
//   temporally decoupled initiator may be up to one quantum away from
//   sc_time_stamp() in either direction.
// - Contention lives in the C models' "busy until" timelines (fetch slots,
//   memory channel, link directions, tags); a transaction costs a function
//   call, not a context switch.
// - Each actor (device, CPU) is an SC_THREAD that runs ahead of
//   sc_time_stamp() by at most sim.quantum_ns before it waits; host CPUs
//   synchronise exactly before they change shared state (TCE clears and
//   kills), so unmap-versus-DMA races follow simulated time to within one
//   quantum of the devices' run-ahead.
#include "system.hpp"

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <unordered_map>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include "observe.hpp"
#include "output.hpp"
#include "result.hpp"

extern "C" {
#include "common/tcesim_err.h"
#include "host/dma_api.h"
#include "host/pe_setup.h"
#include "memory/physalloc.h"
#include "memory/physmem.h"
#include "rtt/rtt.h"
#include "tce/tce_table.h"
#include "traces/gen_window.h"
}

using namespace sc_core;

namespace tcesim {

// ---------------------------------------------------------------- payload

// Absolute timestamps of a transaction (see the file comment), and what the
// PHB did with a DMA TLP.
struct TimeExt : tlm::tlm_extension<TimeExt> {
    ps_t arrival_ps = 0;
    ps_t done_ps = 0;
    uint16_t rid = 0;
    ps_t cpl_ps = 0;           // reads: the completions' time on the wire
    phb_xlate xlate{};
    tlm_extension_base *clone() const override { return new TimeExt(*this); }
    void copy_from(const tlm_extension_base &e) override { *this = static_cast<const TimeExt &>(e); }
};

static inline ps_t now_ps() { return sc_time_stamp().value(); }
static inline sc_time delay_to(ps_t t)
{
    ps_t now = now_ps();
    return sc_time::from_value(t > now ? t - now : 0);
}

// ----------------------------------------------------------------- memory

struct MemoryTarget : sc_module {
    tlm_utils::multi_passthrough_target_socket<MemoryTarget> sock;
    mem_model model{};

    MemoryTarget(sc_module_name n, const mem_params &p) : sc_module(n), sock("sock")
    {
        ok = mem_init(&model, &p) == 0;
        sock.register_b_transport(this, &MemoryTarget::b_transport);
    }
    ~MemoryTarget() override { mem_destroy(&model); }
    bool ok = false;

    void b_transport(int, tlm::tlm_generic_payload &gp, sc_time &delay)
    {
        TimeExt *te = gp.get_extension<TimeExt>();
        // With a TimeExt the times are absolute and the delay argument is
        // left alone (the PHB's internal calls pass and ignore it); without
        // one this is a plain LT target.
        if (te) {
            te->done_ps = mem_access(&model, gp.get_address(), gp.get_data_length(), gp.is_write(), te->arrival_ps);
        } else {
            ps_t done = mem_access(&model, gp.get_address(), gp.get_data_length(), gp.is_write(), now_ps() + delay.value());
            delay = delay_to(done);
        }
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    }
};

// -------------------------------------------------------------------- PHB

struct PhbModule : sc_module {
    tlm_utils::multi_passthrough_target_socket<PhbModule> dev_sock;
    tlm_utils::simple_initiator_socket<PhbModule> mem_sock;
    phb *model = nullptr;
    LatencyHist *xlate_lat = nullptr;
    Epochs *epochs = nullptr;
    Timeline *timeline = nullptr;
    tlm::tlm_generic_payload mem_gp;
    TimeExt mem_te;
    unsigned char dummy[8] = {0};

    PhbModule(sc_module_name n) : sc_module(n), dev_sock("dev_sock"), mem_sock("mem_sock")
    {
        dev_sock.register_b_transport(this, &PhbModule::b_transport);
        mem_gp.set_extension(&mem_te);
        mem_gp.set_data_ptr(dummy);
        mem_gp.set_streaming_width(8);
        mem_gp.set_byte_enable_ptr(nullptr);
    }
    ~PhbModule() override { mem_gp.clear_extension(&mem_te); }

    // One memory access on the PHB's initiator socket: TCE fetches and DMA
    // data both go through here.
    ps_t mem_access(uint64_t pa, uint32_t bytes, bool is_write, ps_t arrival)
    {
        mem_gp.set_address(pa);
        mem_gp.set_command(is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        mem_gp.set_data_length(bytes);
        mem_gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        mem_te.arrival_ps = arrival;
        // Absolute times travel in mem_te; the delay is not used (a
        // kernel call per TCE fetch saved, see MemoryTarget::b_transport).
        sc_time d = SC_ZERO_TIME;
        mem_sock->b_transport(mem_gp, d);
        return mem_te.done_ps;
    }

    static ps_t tce_read(void *ctx, uint64_t pa, uint32_t bytes, ps_t arrival)
    {
        return static_cast<PhbModule *>(ctx)->mem_access(pa, bytes, false, arrival);
    }

    void b_transport(int, tlm::tlm_generic_payload &gp, sc_time &delay)
    {
        TimeExt *te = gp.get_extension<TimeExt>();
        phb_xlate &x = te->xlate;
        phb_translate(model, te->rid, gp.get_address(), gp.is_write(), te->arrival_ps, &x);
        if (x.kind == PHB_XLATE_HIT || x.kind == PHB_XLATE_MISS || x.kind == PHB_XLATE_MERGED)
            xlate_lat->add(x.done_ps - te->arrival_ps);
        if (epochs->on()) {
            EpochRow &e = epochs->at(te->arrival_ps);
            e.tlps++;
            e.lookups += x.kind != PHB_XLATE_BYPASS && x.kind != PHB_XLATE_DROPPED;
            e.hits += x.kind == PHB_XLATE_HIT;
            e.faults += x.kind == PHB_XLATE_FAULT;
        }
        if (x.kind == PHB_XLATE_MISS && timeline->wants(x.done_ps - x.fetch_ps)) {
            ps_t from = x.done_ps - x.fetch_ps;
            unsigned track = timeline->fetch_track(from, x.done_ps);
            char args[64];
            std::snprintf(args, sizeof args, "\"pe\":%u,\"bus\":\"0x%llx\"", x.pe, static_cast<unsigned long long>(gp.get_address()));
            timeline->event(Timeline::FETCH, track, "walk", from, x.done_ps, args);
        }
        if (x.kind == PHB_XLATE_FAULT || x.kind == PHB_XLATE_DROPPED) {
            te->done_ps = x.done_ps;
            gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        } else {
            te->done_ps = mem_access(x.pa, gp.get_data_length(), gp.is_write(), x.done_ps);
            gp.set_response_status(tlm::TLM_OK_RESPONSE);
        }
        // A read's root-complex entry frees once its data has gone out.
        if (!gp.is_write())
            phb_read_done(model, gp.is_response_ok() ? te->done_ps + te->cpl_ps : te->done_ps);
        delay = delay_to(te->done_ps);
    }
};

// ------------------------------------------------------ trace plumbing

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
    uint32_t dev = 0;
    tr_op kind = TR_MAP;
    std::vector<host_seg> segs;  // input segments: pa, size in; bus, entry, npages out
    // Feeder side, in trace order.
    uint64_t dev_ops_fed = 0;    // device ops on this mapping before its unmap
    bool unmap_fed = false;      // the unmap has been read: later device ops are stale
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
    std::vector<uint64_t> sizes, pas;
    MappingRef map;
};

// A bounded FIFO between the feeder and one actor. Bounded so that replay
// memory does not grow with the trace; the feeder blocks when it is full.
// A ring of slots allocated once: events move in and out, nothing is
// allocated per event.
class ActorQueue {
public:
    static constexpr size_t kCap = 1024;
    ActorQueue() : ring_(kCap) {}
    void push(QEvent &&e, bool &waited)
    {
        while (n_ == kCap) {
            producer_waiting_ = true;
            waited = true;
            wait(drained_);
            producer_waiting_ = false;
        }
        ring_[(head_ + n_) % kCap] = std::move(e);
        n_++;
        if (consumer_waiting_)
            fed_.notify();
    }
    // `waited` is set when the caller's process yielded (time may have moved).
    bool pop(QEvent &out, bool &waited)
    {
        while (n_ == 0 && !closed_) {
            consumer_waiting_ = true;
            waited = true;
            wait(fed_);
            consumer_waiting_ = false;
        }
        if (n_ == 0)
            return false;
        std::swap(out, ring_[head_]);
        head_ = (head_ + 1) % kCap;
        n_--;
        if (producer_waiting_ && n_ <= kCap / 2)
            drained_.notify();
        return true;
    }
    void close()
    {
        closed_ = true;
        if (consumer_waiting_)
            fed_.notify();
    }

private:
    std::vector<QEvent> ring_;
    size_t head_ = 0, n_ = 0;
    sc_event fed_, drained_;
    bool closed_ = false, consumer_waiting_ = false, producer_waiting_ = false;
};

// Per-PE state: how Linux set it up, its TCE table, its place in the host
// model.
struct PeState {
    uint16_t pe = 0;
    pe_dma_setup setup{};
    tce_table table{};
    int host_index = -1;
    iommu_group_info group{};
    bool bypass_tve0 = false;    // TVE#0 rewritten for the PHB3 64-bit bypass
    tce_table bypass_table{};
};

struct DeviceInfo {
    uint32_t id;
    uint16_t rid;
    uint16_t pe;
    dma_path path;
    unsigned mask_bits;
    uint64_t max_seg_size;
    ps_t overhead_ps;            // the device's own fixed latency per access (pipelined)
    ps_t read_hold_ps;           // a read's hand-over after its completions, holding the tag
    size_t pe_slot;              // index of its PE in System::pes
    iommu_add_result add;
    std::string add_why;
    endpoint ep;
};

// --mappings: one CSV row per host op in trace order. CPUs finish ops out of
// trace order, so rows wait in a reorder buffer (bounded by the ops in
// flight, themselves bounded by the actor queues).
class MappingsWriter {
public:
    bool open(const std::string &path, std::string &err)
    {
        char msg[1024];
        path_ = path;
        if (of_open(path.c_str(), &f_, msg, sizeof msg)) {
            err = msg;
            return false;
        }
        buf_ = "time_ns,cpu,op,dev,handle,bus_addr,npages,pool\n";
        return true;
    }
    bool active() const { return f_ != nullptr; }
    void row(uint64_t seq, std::string line)
    {
        pending_.emplace(seq, std::move(line));
        for (auto it = pending_.begin(); it != pending_.end() && it->first == next_; it = pending_.erase(it)) {
            buf_ += it->second;
            next_++;
        }
        if (buf_.size() >= kFlushBytes)
            flush();
    }
    // Publishes the file on success (outfile.h: rename, or nothing more
    // for a FIFO); removes the temp file otherwise.
    std::string close(bool ok)
    {
        if (!f_)
            return "";
        if (ok)
            flush();
        char msg[1024];
        bool good = ok && pending_.empty();
        int rc = of_close(f_, good, msg, sizeof msg);
        f_ = nullptr;
        if (!ok)
            return "";
        if (rc)
            return msg;
        return good ? "" : path_ + ": could not be written (rows missing at the end of the run)";
    }
    ~MappingsWriter() { close(false); }

private:
    static constexpr size_t kFlushBytes = 1 << 16;
    // Write errors stay in f_ (sticky) and come out of close().
    void flush()
    {
        if (!buf_.empty() && !of_failed(f_))
            of_write(f_, buf_.data(), buf_.size(), nullptr, 0);
        buf_.clear();
    }
    of_file *f_ = nullptr;
    std::string path_, buf_;
    uint64_t next_ = 0;
    std::map<uint64_t, std::string> pending_;
};

// The host CPUs' shared port to memory, for TCE stores (timing only). One
// initiator for all CPUs: a store never waits, so no CPU can be suspended
// inside it.
struct HostPort : sc_module {
    tlm_utils::simple_initiator_socket<HostPort> sock;
    tlm::tlm_generic_payload gp;
    TimeExt te;
    unsigned char dummy[8] = {0};

    HostPort(sc_module_name n) : sc_module(n), sock("sock")
    {
        gp.set_extension(&te);
        gp.set_data_ptr(dummy);
        gp.set_byte_enable_ptr(nullptr);
    }
    ~HostPort() override { gp.clear_extension(&te); }

    ps_t store(uint64_t pa, uint32_t bytes, ps_t t)
    {
        gp.set_address(pa);
        gp.set_command(tlm::TLM_WRITE_COMMAND);
        gp.set_data_length(bytes);
        gp.set_streaming_width(bytes);
        te.arrival_ps = t;
        sc_time d = SC_ZERO_TIME;
        sock->b_transport(gp, d);
        return te.done_ps;
    }
};

// ---------------------------------------------------------------- System

class System {
public:
    const tcesim_config &cfg;
    RunResult &res;
    std::string error;        // first runtime/input error; ends the run
    int error_code = 0;
    ps_t quantum_ps;
    ps_t end_ps = 0;
    ps_t dma_first = PS_NEVER, dma_last = 0; // first issue, last completion of device accesses

    physmem *mem = nullptr;
    physalloc palloc{};
    phb *phb_model = nullptr;
    std::vector<PeState> pes;               // indexed by position
    std::unordered_map<uint16_t, size_t> pe_index;
    std::vector<DeviceInfo> devs;
    host_model *host = nullptr;
    std::unique_ptr<HostPort> host_port;
    std::vector<std::vector<LatencyHist>> lock_wait; // [host pe index][lock]

    MappingsWriter mappings;
    Epochs epochs;
    Timeline timeline;

    std::unique_ptr<MemoryTarget> memory;
    std::unique_ptr<PhbModule> phbm;
    std::vector<ActorQueue> cpu_q, dev_q;
    // Notified whenever a map, an unmap or a device op on a handle finishes:
    // what actors blocked on a dependency wait for.
    sc_event progress_ev;
    unsigned progress_waiters = 0;
    unsigned blocked = 0;       // actors waiting on a dependency right now
    void progress()
    {
        if (progress_waiters)
            progress_ev.notify();
    }
    // The first fault in simulated time: what froze a PE first (every fault
    // freezes its PE, and a frozen PE drops rather than faults).
    LossOrigin first_fault, first_skip, first_stale_ok;
    void note_loss(LossOrigin &o, const LossOrigin &cand)
    {
        if (!o.any || cand.t_ps < o.t_ps)
            o = cand;
    }

    System(const tcesim_config &c, RunResult &r, const RunOptions &opt)
        : cfg(c), res(r), quantum_ps(ps_from_ns(c.quantum_ns)), cpu_q(c.host.cpus), dev_q(0)
    {
        epochs = Epochs(opt.epoch_ns);
        if (!opt.timeline_path.empty())
            timeline = Timeline(ps_from_ns(opt.timeline_from_ns), ps_from_ns(opt.timeline_to_ns));
    }

    ~System()
    {
        host_destroy(host);
        for (auto &d : devs)
            ep_destroy(&d.ep);
        phb_destroy(phb_model);
        physmem_destroy(mem);
    }

    int fail(int code, const std::string &msg)
    {
        if (!error_code) {
            error_code = code;
            error = msg;
        }
        return code;
    }

    void note_end(ps_t t)
    {
        if (t > end_ps)
            end_ps = t;
    }

    // Waits until sc_time_stamp() reaches t - quantum: the loosely-timed
    // run-ahead bound. `bound` is the caller's cached sc_time_stamp() +
    // quantum: time cannot
    // move while a process runs, so it stays valid until that process
    // yields (callers reset it to 0 then). Saves a kernel call per TLP.
    void sync_loose(ps_t t, ps_t &bound)
    {
        if (t <= bound)
            return;
        ps_t now = now_ps();
        if (t > now + quantum_ps) {
            wait(sc_time::from_value(t - now));
            now = now_ps();
        }
        bound = now + quantum_ps;
    }
    // Waits until sc_time_stamp() reaches t exactly (before shared-state
    // changes whose order against other initiators matters).
    void sync_exact(ps_t t)
    {
        ps_t now = now_ps();
        if (t > now)
            wait(sc_time::from_value(t - now));
    }

    // Waits until pred() holds; returns true if the process yielded.
    template <class Pred> bool wait_for(Pred pred)
    {
        bool waited = false;
        while (!pred()) {
            waited = true;
            progress_waiters++;
            blocked++;
            wait(progress_ev);
            blocked--;
            progress_waiters--;
        }
        return waited;
    }
    bool wait_mapping(const MappingRef &m)
    {
        const Mapping *mp = m.get();
        return wait_for([mp] { return mp->done; });
    }

    int build(const std::vector<tr_device_decl> &decls);
    int setup_pe(PeState &ps, const tcesim_config &c, int group_id);
    int setup_bypass_tve0(PeState &ps);

    // host_if callbacks
    static void host_sync(void *ctx, ps_t t) { static_cast<System *>(ctx)->sync_exact(t); }
    static ps_t host_store(void *ctx, uint64_t pa, uint32_t bytes, ps_t t)
    {
        return static_cast<System *>(ctx)->host_port->store(pa, bytes, t);
    }
    static void host_lock_event(void *ctx, unsigned pe_index, int lock, ps_t at_ps, ps_t wait_ps, ps_t hold_ps)
    {
        System *s = static_cast<System *>(ctx);
        s->lock_wait[pe_index][static_cast<size_t>(lock)].add(wait_ps);
        if (s->epochs.on()) {
            EpochRow &e = s->epochs.at(at_ps);
            e.lock_acquisitions++;
            e.lock_contended += wait_ps > 0;
            e.lock_wait_ps += wait_ps;
        }
        if (s->timeline.wants(at_ps + wait_ps))
            s->timeline.event(Timeline::LOCKS, pe_index * 100 + static_cast<unsigned>(lock), "held", at_ps + wait_ps,
                              at_ps + wait_ps + hold_ps, "\"wait_ns\":" + std::to_string(wait_ps / 1000));
    }
};

// --------------------------------------------------------------- devices

struct DeviceModule : sc_module {
    tlm_utils::simple_initiator_socket<DeviceModule> sock;
    System &sys;
    DeviceInfo &dev;
    DeviceResult &out;
    ActorQueue &q;
    tlm::tlm_generic_payload gp;
    TimeExt te;
    unsigned char dummy[4096] = {0};
    ps_t free_ps = 0;
    ps_t bound = 0; // see System::sync_loose
    std::vector<std::pair<uint64_t, uint64_t>> chunks;

    SC_HAS_PROCESS(DeviceModule);
    DeviceModule(sc_module_name n, System &s, DeviceInfo &d, DeviceResult &o, ActorQueue &queue)
        : sc_module(n), sock("sock"), sys(s), dev(d), out(o), q(queue)
    {
        gp.set_extension(&te);
        gp.set_data_ptr(dummy);
        gp.set_byte_enable_ptr(nullptr);
        te.rid = d.rid;
        SC_THREAD(run);
        // The host model's frames (allocator infos) and ASan's redzones
        // outgrow SystemC's default thread stack.
        set_stack_size(512 * 1024);
    }
    ~DeviceModule() override { gp.clear_extension(&te); }

    // One TLP through the PHB: returns false if it faulted or was dropped.
    // part[] receives where its time went (Breakdown's order).
    bool tlp(uint64_t bus, uint32_t len, bool is_write, ps_t t, ps_t &done, bool &dropped, ps_t (&part)[Breakdown::N])
    {
        ps_t arrive = ep_send_request(&dev.ep, bus, len, is_write, t);
        sys.sync_loose(arrive, bound);
        gp.set_address(bus);
        gp.set_command(is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        gp.set_data_length(len);
        gp.set_streaming_width(len);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        te.arrival_ps = arrive;
        // Only the root-complex read entries (phb.read_slots) need the time
        // the completions will take: skip the computation otherwise.
        te.cpl_ps = is_write || !sys.cfg.phb.read_slots ? 0 : ep_cpl_wire_ps(&dev.ep, bus, len);
        sc_time d = delay_to(arrive);
        sock->b_transport(gp, d);
        sys.res.tlps++;
        bool ok = gp.is_response_ok();
        dropped = te.xlate.kind == PHB_XLATE_DROPPED;
        if (te.xlate.kind == PHB_XLATE_FAULT) {
            if (cur_stale)
                out.stale_faults_by_kind[te.xlate.fault]++;
            LossOrigin o;
            o.any = true;
            o.t_ps = te.xlate.done_ps;
            o.pe = te.xlate.pe;
            o.dev = dev.id;
            o.write = is_write;
            o.stale = cur_stale;
            o.fault = te.xlate.fault;
            o.has_handle = cur->ev.has_handle;
            o.handle = cur->ev.handle;
            o.addr = bus;
            o.line = cur->ev.line;
            sys.note_loss(sys.first_fault, o);
        }
        if (is_write) {
            done = te.done_ps; // posted: the memory commit
        } else if (ok) {
            done = ep_send_completions_at(&dev.ep, bus, len, te.done_ps);
        } else {
            // No completion comes back: the device's completion timeout
            // reclaims the tag (not modelled further: freed at the fault).
            ep_release_tag(&dev.ep, te.done_ps);
            done = te.done_ps;
        }
        if (ok) {
            // A read's tag-holding hand-over (read_hold) is device time, not
            // completion time.
            ps_t hold = is_write ? 0 : dev.read_hold_ps;
            part[Breakdown::DEVICE] = dev.ep.last_link_ps - dev.ep.last_issue_ps + hold;
            part[Breakdown::LINK] = arrive - dev.ep.last_link_ps;
            part[Breakdown::TRANSLATION] = te.xlate.done_ps - arrive;
            part[Breakdown::SLOT_WAIT] = te.xlate.slot_wait_ps;
            part[Breakdown::MEMORY] = te.done_ps - te.xlate.done_ps;
            part[Breakdown::COMPLETION] = done - te.done_ps - hold;
        }
        return ok;
    }

    // The access in hand, for tlp()'s fault records.
    const QEvent *cur = nullptr;
    bool cur_stale = false;     // it goes through a handle whose unmap has begun

    // A device op on a handle is finished (whatever its outcome): the
    // handle's unmap may be waiting for it.
    void finished(const QEvent &qe, ps_t done)
    {
        if (!qe.ev.has_handle || qe.stale)
            return;
        Mapping &m = *qe.map;
        m.dev_ops_done++;
        m.dev_done_ps = ps_max(m.dev_done_ps, done);
        sys.progress();
    }

    // The event in hand is a member, not a local: a run stopped early by an
    // input error leaves this thread suspended, and its stack is never
    // unwound, so nothing it owns may live there.
    QEvent qcur;

    void run()
    {
        bool waited = false;
        while (q.pop(qcur, waited)) {
            QEvent &qe = qcur;
            cur = &qe;
            const tr_event &ev = qe.ev;
            bool is_write = ev.op == TR_WRITE;
            ps_t t = ps_max(ps_from_ns(ev.time_ns), free_ps);
            // The byte ranges of the access in bus address space (a member,
            // reused: no allocation per access).
            chunks.clear();
            if (ev.has_handle && sys.wait_mapping(qe.map))
                waited = true;
            if (qe.stale) {
                // After its unmap in the trace: no earlier than the unmap's end.
                const Mapping *mp = qe.map.get();
                waited |= sys.wait_for([mp] { return mp->unmap_done; });
                t = ps_max(t, mp->unmap_done_ps);
            }
            if (waited) {
                bound = 0;
                waited = false;
            }
            cur_stale = false;
            if (ev.has_handle) {
                const Mapping &m = *qe.map;
                t = ps_max(t, m.done_ps);
                cur_stale = qe.stale || m.unmapped;
                if (m.failed) {
                    // The driver got DMA_MAPPING_ERROR and never started it.
                    out.loss.skipped++;
                    out.loss.skipped_bytes += ev.len;
                    LossOrigin o;
                    o.any = true;
                    o.t_ps = t;
                    o.dev = dev.id;
                    o.pe = dev.pe;
                    o.write = is_write;
                    o.has_handle = true;
                    o.handle = ev.handle;
                    o.line = ev.line;
                    sys.note_loss(sys.first_skip, o);
                    finished(qe, t);
                    continue;
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
                    chunks.emplace_back(s.bus + off, n);
                    len -= n;
                    off = 0;
                }
            } else {
                chunks.emplace_back(ev.addr, ev.len);
            }

            ps_t first_issue = PS_NEVER, last_done = 0;
            ps_t part[Breakdown::N] = {0}, crit[Breakdown::N] = {0}, crit_issue = 0;
            bool ok = true, dropped = false, faulted = false;
            uint32_t max = is_write ? dev.ep.p.mps : dev.ep.p.mrrs;
            for (auto &c : chunks) {
                uint64_t bus = c.first, left = c.second;
                while (left) {
                    uint32_t n = ep_tlp_len(bus, left, max);
                    ps_t done;
                    bool d = false;
                    bool tok = tlp(bus, n, is_write, t, done, d, part);
                    ok &= tok;
                    faulted |= !tok && !d;
                    if (first_issue == PS_NEVER)
                        first_issue = dev.ep.last_issue_ps;
                    t = dev.ep.last_issue_ps;
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
            // The next access is issued after this one's requests: the
            // engine, tag and link timelines pace it from there.
            free_ps = t;
            // The device's own fixed latency outside the tag-holding window
            // (command processing before the request, handing results on):
            // pipelined, it delays this access, not the next.
            last_done += dev.overhead_ps;
            sys.note_end(last_done);
            finished(qe, last_done);
            if (!ok) {
                // An access with a faulted TLP is faulted, even when its
                // later TLPs found the PE frozen by that fault.
                if (faulted) {
                    out.faulted++;
                    out.loss.faulted_bytes += ev.len;
                } else {
                    out.dropped++;
                    out.loss.dropped_bytes += ev.len;
                }
                continue;
            }
            if (qe.stale) {
                // DMA after its unmap that reached memory, as on hardware:
                // the buffer mapped there since, or (bypass, a TCE still
                // cached under lazy invalidation) the old one.
                out.loss.stale_unfaulted++;
                LossOrigin o;
                o.any = true;
                o.t_ps = first_issue;
                o.pe = dev.pe;
                o.dev = dev.id;
                o.write = is_write;
                o.stale = true;
                o.has_handle = true;
                o.handle = ev.handle;
                o.line = ev.line;
                sys.note_loss(sys.first_stale_ok, o);
            }
            (is_write ? out.writes : out.reads)++;
            out.bytes += ev.len;
            if (sys.epochs.on()) {
                EpochRow &e = sys.epochs.at(last_done);
                e.dma_accesses++;
                e.dma_bytes += ev.len;
            }
            if (sys.timeline.wants(first_issue))
                sys.timeline.event(Timeline::DEVICES, dev.id, is_write ? "write" : "read", first_issue, last_done,
                                   "\"len\":" + std::to_string(ev.len));
            ps_t lat = last_done - first_issue;
            sys.dma_first = std::min(sys.dma_first, first_issue);
            sys.dma_last = std::max(sys.dma_last, last_done);
            out.dma_lat.add(lat); // the run's and the PE's: merged from the devices' at the end
            crit[Breakdown::DEVICE] += crit_issue - first_issue + dev.overhead_ps;
            out.breakdown.add(crit);
        }
    }
};

// ------------------------------------------------------------- host CPUs

struct HostCpu : sc_module {
    System &sys;
    unsigned cpu;
    ActorQueue &q;
    ps_t free_ps = 0;

    SC_HAS_PROCESS(HostCpu);
    HostCpu(sc_module_name n, System &s, unsigned c, ActorQueue &queue)
        : sc_module(n), sys(s), cpu(c), q(queue)
    {
        SC_THREAD(run);
        // The host model's frames (allocator infos) and ASan's redzones
        // outgrow SystemC's default thread stack.
        set_stack_size(512 * 1024);
    }

    static uint64_t perm_of(tr_op op, tr_dir dir)
    {
        // iommu_direction_to_tce_perm(): TO_DEVICE -> READ, FROM_DEVICE ->
        // WRITE, BIDIRECTIONAL -> both; pnv_tce_build adds READ whenever
        // WRITE is set (arch/powerpc/platforms/powernv/pci-ioda-tce.c).
        if (op == TR_ALLOC)
            return TCE_READ | TCE_WRITE;
        switch (dir) {
        case TR_DIR_TO_DEVICE: return TCE_READ;
        case TR_DIR_FROM_DEVICE: return TCE_READ | TCE_WRITE;
        default: return TCE_READ | TCE_WRITE;
        }
    }

    static host_op op_of(tr_op op) { return op == TR_MAP_SG ? HOST_MAP_SG : op == TR_ALLOC ? HOST_ALLOC : HOST_MAP; }

    // Returns when the map is done; fills the mapping.
    ps_t do_map(QEvent &qe, ps_t t, int &pool)
    {
        const tr_event &ev = qe.ev;
        Mapping &m = *qe.map;
        DeviceInfo &d = sys.devs[ev.dev];
        size_t nseg = ev.op == TR_MAP_SG ? qe.sizes.size() : 1;
        m.segs.resize(nseg);
        for (size_t i = 0; i < nseg; i++) {
            m.segs[i] = host_seg{};
            m.segs[i].pa = ev.op == TR_MAP_SG ? qe.pas[i] : ev.pa;
            m.segs[i].size = ev.op == TR_MAP_SG ? qe.sizes[i] : ev.size;
        }
        sys.res.alloc.maps++;
        pool = IOMMU_NO_POOL;
        if (d.path != DMA_PATH_TCE) {
            // Bypass: bus = phys + 2^59 (TVE#1), or phys + 4 GiB through the
            // PHB3 TVE#0 64-bit bypass; the allocator is never called
            // (dma_direct ops after pnv_pci_ioda_dma_set_mask).
            m.bypass = true;
            for (host_seg &s : m.segs)
                s.bus = s.pa + (d.path == DMA_PATH_BYPASS ? TVE_BYPASS_BIT59 : (1ull << 32));
            return t + ps_from_ns(sys.cfg.host.op_ns);
        }
        const PeState &pe = sys.pes[sys.pe_index.at(d.pe)];
        uint64_t mask = d.mask_bits >= 64 ? UINT64_MAX : (1ull << d.mask_bits) - 1;
        if (ev.op == TR_MAP_SG)
            m.outs.resize(nseg);
        host_map_result r;
        host_map(sys.host, cpu, static_cast<unsigned>(pe.host_index), op_of(ev.op), perm_of(ev.op, ev.dir), mask,
                 d.max_seg_size, m.segs.data(), static_cast<uint32_t>(nseg), m.outs.empty() ? nullptr : m.outs.data(),
                 t, &r);
        m.nouts = r.nouts;
        if (r.failed) {
            m.failed = true;
            sys.res.alloc.failures++;
            if (r.unwound)
                sys.res.alloc.map_sg_unwinds++;
        }
        pool = r.pool;
        return r.done_ps;
    }

    ps_t do_unmap(Mapping &m, ps_t t)
    {
        sys.res.alloc.unmaps++;
        if (m.failed) {
            // The map failed here (it did not in the traced run): the driver
            // got DMA_MAPPING_ERROR and has nothing to unmap.
            sys.res.alloc.unmaps_skipped++;
            return t;
        }
        if (m.unmapped) {
            // the kernel prints "invalid entry" and WARNs (iommu_free_check)
            sys.res.alloc.bad_frees++;
            return t + ps_from_ns(sys.cfg.host.op_ns);
        }
        m.unmapped = true;
        if (m.bypass)
            return t + ps_from_ns(sys.cfg.host.op_ns);
        const DeviceInfo &d = sys.devs[m.dev];
        const PeState &pe = sys.pes[sys.pe_index.at(d.pe)];
        bool bad = false;
        ps_t done = host_unmap(sys.host, cpu, static_cast<unsigned>(pe.host_index), op_of(m.kind), m.segs.data(),
                               static_cast<uint32_t>(m.segs.size()), m.outs.empty() ? nullptr : m.outs.data(),
                               m.nouts, t, &bad);
        if (bad)
            sys.res.alloc.bad_frees++;
        return done;
    }

    void mapping_row(const QEvent &qe, int pool)
    {
        const tr_event &ev = qe.ev;
        const Mapping &m = *qe.map;
        bool is_map = ev.op == TR_MAP || ev.op == TR_MAP_SG || ev.op == TR_ALLOC;
        char bus[32] = "", np[24] = "", pl[16] = "";
        if (is_map) {
            uint64_t pages = 0;
            for (const host_seg &s : m.segs)
                pages += s.npages;
            if (m.failed)
                std::snprintf(bus, sizeof bus, "fail");
            else
                std::snprintf(bus, sizeof bus, "0x%llx", static_cast<unsigned long long>(m.segs[0].bus));
            std::snprintf(np, sizeof np, "%llu", static_cast<unsigned long long>(pages));
            if (!m.bypass && !m.failed && pool != IOMMU_NO_POOL) {
                if (pool == IOMMU_POOL_LARGE)
                    std::snprintf(pl, sizeof pl, "large");
                else
                    std::snprintf(pl, sizeof pl, "%d", pool);
            }
        } else if (!m.failed) {
            uint64_t pages = 0;
            for (const host_seg &s : m.segs)
                pages += s.npages;
            std::snprintf(bus, sizeof bus, "0x%llx", static_cast<unsigned long long>(m.segs.empty() ? 0 : m.segs[0].bus));
            std::snprintf(np, sizeof np, "%llu", static_cast<unsigned long long>(pages));
        }
        char line[256];
        std::snprintf(line, sizeof line, "%llu,%u,%s,%u,%llu,%s,%s,%s\n", static_cast<unsigned long long>(ev.time_ns),
                      cpu, tr_op_name(ev.op), m.dev, static_cast<unsigned long long>(ev.handle), bus, np, pl);
        sys.mappings.row(qe.seq, line);
    }

    // The event in hand is a member, not a local: a run stopped early by an
    // input error leaves this thread suspended, and its stack is never
    // unwound, so nothing it owns may live there.
    QEvent cur;

    void run()
    {
        bool waited = false;
        while (q.pop(cur, waited)) {
            QEvent &qe = cur;
            const tr_event &ev = qe.ev;
            ps_t t = ps_max(ps_from_ns(ev.time_ns), free_ps);
            bool is_map = ev.op == TR_MAP || ev.op == TR_MAP_SG || ev.op == TR_ALLOC;
            if (!is_map) {
                sys.wait_mapping(qe.map);
                t = ps_max(t, qe.map->done_ps);
                if (sys.cfg.host.unmap_wait) {
                    // The driver unmaps once its device is done with the
                    // buffer (its completion, tx clean or I/O completion):
                    // after the device ops before it in the trace.
                    const Mapping *mp = qe.map.get();
                    uint64_t n = qe.wait_ops;
                    sys.wait_for([mp, n] { return mp->dev_ops_done >= n; });
                    t = ps_max(t, mp->dev_done_ps);
                }
            }
            int pool = IOMMU_NO_POOL;
            // The host model synchronises before each lock and kill; the
            // functional allocation happens at the op's start, so bring the
            // process there first (allocation order = simulated-time order).
            sys.sync_exact(t);
            ps_t done = is_map ? do_map(qe, t, pool) : do_unmap(*qe.map, t);
            if (sys.mappings.active())
                mapping_row(qe, pool);
            if (sys.timeline.wants(t))
                sys.timeline.event(Timeline::CPUS, cpu, tr_op_name(ev.op), t, done,
                                   "\"h\":" + std::to_string(ev.handle) + ",\"dev\":" + std::to_string(qe.map->dev));
            free_ps = done;
            sys.note_end(done);
            if (is_map) {
                qe.map->done_ps = done;
                qe.map->done = true;
            } else {
                qe.map->unmap_done_ps = done;
                qe.map->unmap_done = true;
            }
            sys.progress();
            if (sys.error_code) {
                sc_stop();
                return;
            }
        }
    }
};

// ------------------------------------------------------------------ feeder

struct Feeder : sc_module {
    System &sys;
    tr_source &src;
    std::unordered_map<uint64_t, MappingRef> handles;
    uint64_t last_handle = 0;   // memo of the last handle looked up
    uint64_t host_seq = 0;      // host ops seen, for --mappings order
    MappingRef last_map;

    SC_HAS_PROCESS(Feeder);
    Feeder(sc_module_name n, System &s, tr_source &source) : sc_module(n), sys(s), src(source)
    {
        SC_THREAD(run);
        // The host model's frames (allocator infos) and ASan's redzones
        // outgrow SystemC's default thread stack.
        set_stack_size(512 * 1024);
    }

    // A coherent buffer is 2^get_order(size) CPU pages, naturally aligned
    // (physalloc_buffer_aligned); a streaming buffer starts on a CPU page.
    unsigned buffer_align(const tr_event &ev) const
    {
        unsigned shift = sys.palloc.cpu_page_shift;
        if (ev.op != TR_ALLOC)
            return shift;
        while (shift < 62 && (1ull << shift) < ev.size)
            shift++;
        return shift;
    }

        std::string where(const tr_event &ev)
    {
        return std::string(src.name) + ":" + std::to_string(ev.line) + ": ";
    }

    void run()
    {
        bool waited = false;
        ps_t bound = 0; // see System::sync_loose
        tr_event ev;
        tr_error err;
        int rc;
        while ((rc = tr_next(&src, &ev, &err)) == 1) {
            sys.res.events++;
            // Release the event no earlier than one quantum before its time,
            // so actors never run further ahead than that.
            ps_t t = ps_from_ns(ev.time_ns);
            if (waited) {
                bound = 0;
                waited = false;
            }
            sys.sync_loose(t, bound);
            QEvent qe;
            qe.ev = ev;
            if (tr_op_is_host(ev.op)) {
                if (ev.actor >= sys.cfg.host.cpus) {
                    sys.fail(2, where(ev) + "cpu" + std::to_string(ev.actor) + " but host.cpus is " + std::to_string(sys.cfg.host.cpus));
                    break;
                }
            } else if (ev.actor >= sys.devs.size()) {
                sys.fail(2, where(ev) + "dev" + std::to_string(ev.actor) + " is not a configured device (" + std::to_string(sys.devs.size()) + " devices)");
                break;
            }
            if (ev.op == TR_MAP || ev.op == TR_MAP_SG || ev.op == TR_ALLOC) {
                if (ev.dev >= sys.devs.size()) {
                    sys.fail(2, where(ev) + "dev=" + std::to_string(ev.dev) + " is not a configured device");
                    break;
                }
                auto m = std::make_shared<Mapping>();
                m->dev = ev.dev;
                m->kind = ev.op;
                // Buffers without pa= get one here, in trace order, so the
                // placement never depends on how actors interleave.
                if (ev.op == TR_MAP_SG) {
                    qe.sizes.assign(ev.seg_sizes, ev.seg_sizes + ev.nsegs);
                    qe.pas.resize(ev.nsegs);
                    for (uint32_t i = 0; i < ev.nsegs; i++) {
                        if (ev.seg_pas)
                            qe.pas[i] = ev.seg_pas[i];
                        else if (physalloc_buffer(&sys.palloc, ev.seg_sizes[i], &qe.pas[i]) != 0) {
                            sys.fail(2, where(ev) + "buffer does not fit host.ram");
                            break;
                        }
                    }
                } else if (!ev.has_pa && physalloc_buffer_aligned(&sys.palloc, ev.size, buffer_align(ev), &qe.ev.pa) != 0) {
                    sys.fail(2, where(ev) + "buffer does not fit host.ram");
                }
                if (sys.error_code)
                    break;
                handles[ev.handle] = m;
                if (ev.handle == last_handle)
                    last_map = m;
                qe.map = m;
            } else if (ev.op == TR_UNMAP || ev.op == TR_FREE || ev.has_handle) {
                // Accesses come in runs on one handle: skip the hash lookup.
                if (!last_map || ev.handle != last_handle) {
                    auto it = handles.find(ev.handle);
                    if (it == handles.end()) {
                        sys.fail(2, where(ev) + "handle " + std::to_string(ev.handle) + " was never mapped");
                        break;
                    }
                    last_handle = ev.handle;
                    last_map = it->second;
                }
                qe.map = last_map;
                Mapping &m = *last_map;
                if (ev.op == TR_UNMAP || ev.op == TR_FREE) {
                    qe.wait_ops = m.dev_ops_fed;
                    m.unmap_fed = true;
                } else if (m.unmap_fed) {
                    qe.stale = true;
                } else {
                    m.dev_ops_fed++;
                }
            }
            if (tr_op_is_host(ev.op))
                qe.seq = host_seq++;
            qe.ev.seg_sizes = nullptr;
            qe.ev.seg_pas = nullptr;
            if (tr_op_is_host(ev.op))
                sys.cpu_q[ev.actor].push(std::move(qe), waited);
            else
                sys.dev_q[ev.actor].push(std::move(qe), waited);
        }
        if (rc < 0)
            sys.fail(2, err.msg);
        for (auto &q : sys.cpu_q)
            q.close();
        for (auto &q : sys.dev_q)
            q.close();
        if (sys.error_code)
            sc_stop();
    }
};

// ---------------------------------------------------------------- assembly

static unsigned ilog2_u64(uint64_t x) { return 63u - static_cast<unsigned>(__builtin_clzll(x)); }
static uint64_t roundup_pow2(uint64_t x) { return x <= 1 ? 1 : 1ull << (64 - __builtin_clzll(x - 1)); }

int System::build(const std::vector<tr_device_decl> &decls)
{
    phb_gen gen = cfg.phb.model == CFG_PHB4 ? PHB_GEN4 : PHB_GEN3;
    unsigned cpu_page_shift = ilog2_u64(cfg.host.page_size);
    mem = physmem_create();
    if (!mem)
        return fail(1, "out of memory");
    if (physalloc_init(&palloc, cfg.host.ram, cpu_page_shift, cfg.seed) != 0)
        return fail(2, "host.ram: unusable with host.page_size");

    phb_params pp{};
    pp.gen = gen;
    pp.lookup_ps = ps_from_ns(cfg.phb.lookup_ns);
    pp.bypass_ps = ps_from_ns(cfg.phb.bypass_ns);
    pp.walk_ps = ps_from_ns(cfg.phb.walk_ns);
    pp.read_slots = static_cast<uint32_t>(cfg.phb.read_slots);
    pp.fetch_slots = static_cast<uint32_t>(cfg.phb.fetch_slots);
    pp.line_fill = cfg.phb.line_fill;
    pp.line_bytes = static_cast<uint32_t>(cfg.phb.line_bytes);
    pp.walk_line_entries = static_cast<uint32_t>(cfg.phb.walk_line_entries);
    pp.walk_cache_entries = static_cast<uint32_t>(cfg.phb.walk_cache_entries);
    pp.eeh_recovery_ps = ps_from_ns(cfg.phb.eeh_recovery_ns);
    pp.kill_slots = static_cast<uint32_t>(cfg.phb.kill_slots);
    pp.kill_ps = ps_from_ns(cfg.phb.kill_ns);
    pp.kill_sync_ps = ps_from_ns(cfg.phb.kill_sync_ns);
    pp.cache.entries = static_cast<uint32_t>(cfg.phb.cache_entries);
    pp.cache.ways = static_cast<uint32_t>(cfg.phb.cache_ways);
    pp.cache.policy = static_cast<tce_repl>(cfg.phb.cache_policy);
    pp.cache.seed = cfg.seed;

    // Arrivals at shared resources spread over about two quanta (initiators
    // run up to one ahead, the feeder releases up to one early) plus a
    // miss; the calendars cover four quanta plus 8 us.
    ps_t horizon = 4 * quantum_ps + ps_from_ns(8000);
    mem_params mp{};
    mp.latency_ps = ps_from_ns(cfg.memory.latency_ns);
    mp.bandwidth_mbs = cfg.memory.bandwidth_gbs * 1000;
    mp.horizon_ps = horizon;
    mp.llc_bytes = cfg.memory.llc_bytes;
    mp.llc_ways = static_cast<uint32_t>(cfg.memory.llc_ways);
    mp.llc_line = static_cast<uint32_t>(cfg.memory.llc_line);
    mp.llc_hit_ps = ps_from_ns(cfg.memory.llc_hit_ns);
    mp.llc_line_ps = ps_from_ns(cfg.memory.llc_line_ns);
    memory = std::make_unique<MemoryTarget>("memory", mp);
    if (!memory->ok)
        return fail(1, "memory: cannot initialise the channel model");
    phbm = std::make_unique<PhbModule>("phb");
    phbm->xlate_lat = &res.xlate_lat;
    phbm->epochs = &epochs;
    phbm->timeline = &timeline;
    phb_model = phb_create(&pp, mem, phb_mem_if{&PhbModule::tce_read, phbm.get()});
    if (!phb_model)
        return fail(2, "phb: bad parameters (phb.fetch_slots, phb.tce_cache.*)");
    phbm->model = phb_model;
    phbm->mem_sock.bind(memory->sock);

    // Devices: the config's, overridden by the trace's declarations.
    tcesim_config c = cfg;
    for (const tr_device_decl &d : decls) {
        if (d.id >= CFG_MAX_DEVICES)
            return fail(2, "trace: device id " + std::to_string(d.id) + " too large");
        while (c.ndevices <= d.id) {
            cfg_device nd = c.devices[0];
            std::snprintf(nd.rid, sizeof nd.rid, "%02x:00.0", 0x80 + c.ndevices);
            nd.pe = CFG_AUTO;
            nd.dma_mask_bits = 32;
            c.devices[c.ndevices++] = nd;
        }
        cfg_device &cd = c.devices[d.id];
        char rid[8];
        rid_format(d.rid, rid);
        std::snprintf(cd.rid, sizeof cd.rid, "%s", rid);
        if (d.has_pe)
            cd.pe = d.pe;
        if (d.has_mask)
            cd.dma_mask_bits = d.dma_mask_bits;
    }

    uint64_t ram_end = cfg.host.ram;
    host_params hp{};
    hp.ncpus = static_cast<uint32_t>(cfg.host.cpus);
    hp.gen = gen;
    hp.costs.op_ps = ps_from_ns(cfg.host.op_ns);
    hp.costs.lock_ps = ps_from_ns(cfg.host.lock_ns);
    hp.costs.lock_handoff_ps = ps_from_ns(cfg.host.lock_handoff_ns);
    hp.costs.search_word_ps = ps_from_ns(cfg.host.search_word_ns);
    hp.costs.tce_write_ps = ps_from_ns(cfg.host.tce_write_ns);
    hp.costs.mb_ps = ps_from_ns(cfg.host.mb_ns);
    hp.costs.kill_store_ps = ps_from_ns(cfg.host.kill_store_ns);
    hp.costs.opal_call_ps = ps_from_ns(cfg.host.opal_call_ns);
    hp.costs.magazine_ps = ps_from_ns(cfg.host.magazine_ns);
    hp.policy.lock = cfg.policy.lock == CFG_LOCK_GLOBAL ? HOST_LOCK_GLOBAL : HOST_LOCK_POOL;
    hp.policy.inval = cfg.policy.invalidate == CFG_INVAL_LAZY_WRAP    ? HOST_INVAL_LAZY_WRAP
                      : cfg.policy.invalidate == CFG_INVAL_FLUSH_QUEUE ? HOST_INVAL_FLUSH_QUEUE
                                                                       : HOST_INVAL_STRICT;
    hp.policy.magazines = cfg.policy.cache == CFG_CACHE_MAGAZINE;
    hp.policy.mag_size = static_cast<uint32_t>(cfg.policy.magazine_size);
    hp.policy.fq_entries = static_cast<uint32_t>(cfg.policy.fq_entries);
    hp.policy.fq_timeout_ps = ps_from_ns(cfg.policy.fq_timeout_ns);
    hp.policy.kill_escalate_pe = cfg.host.kill_escalate_pe;
    host = host_create(&hp, phb_model, host_if{&System::host_sync, &System::host_store, &System::host_lock_event, this});
    if (!host)
        return fail(2, "host: bad parameters");
    host_port = std::make_unique<HostPort>("host_port");
    host_port->sock.bind(memory->sock);

    pes.reserve(c.ndevices);
    devs.resize(c.ndevices);
    dev_q = std::vector<ActorQueue>(c.ndevices);
    res.devices.resize(c.ndevices);
    for (uint32_t i = 0; i < c.ndevices; i++) {
        const cfg_device &cd = c.devices[i];
        DeviceInfo &d = devs[i];
        d.id = i;
        if (rid_parse(cd.rid, &d.rid) != 0)
            return fail(2, "devices." + std::to_string(i) + ".rid: bad RID '" + cd.rid + "' (expected BB:DD.F)");
        uint64_t pe = cd.pe == CFG_AUTO ? (d.rid >> 8) : cd.pe;
        if (pe >= phb_reserved_pe(phb_model))
            return fail(2, "devices." + std::to_string(i) + ".pe: " + std::to_string(pe) + " is not below the reserved PE " + std::to_string(phb_reserved_pe(phb_model)));
        d.pe = static_cast<uint16_t>(pe);
        d.mask_bits = static_cast<unsigned>(cd.dma_mask_bits);
        ep_params ep{};
        if (ep_link_parse(cd.link, &ep.link) != 0)
            return fail(2, "devices." + std::to_string(i) + ".link: bad link '" + cd.link + "' (expected e.g. gen3x8)");
        ep.mps = static_cast<uint32_t>(cd.mps);
        ep.mrrs = static_cast<uint32_t>(cd.mrrs);
        ep.tags = static_cast<uint32_t>(cd.tags);
        ep.rcb = static_cast<uint32_t>(cd.rcb);
        ep.cpl_rcb_chunks = cd.cpl_split == 1;
        ep.dllp_overhead = cd.link_overhead;
        ep.read_req_ps = ps_from_ns(cd.read_req_ns);
        ep.write_req_ps = ps_from_ns(cd.write_req_ns);
        ep.read_byte_ps = static_cast<uint32_t>(cd.read_byte_ps);
        ep.read_done_ps = ps_from_ns(cd.read_hold_ns);
        ep.write_byte_ps = static_cast<uint32_t>(cd.write_byte_ps);
        ep.horizon_ps = 4 * quantum_ps + ps_from_ns(8000);
        if (ep_init(&d.ep, &ep) != 0)
            return fail(2, "devices." + std::to_string(i) + ": bad mps/mrrs/tags");
        phb_set_rid(phb_model, d.rid, d.pe);

        d.max_seg_size = cd.max_seg_size;
        if (!pe_index.count(d.pe)) {
            // In place: the host model keeps a pointer to the PE's table.
            pe_index[d.pe] = pes.size();
            pes.emplace_back();
            pes.back().pe = d.pe;
            int rc = setup_pe(pes.back(), c, static_cast<int>(pes.size() - 1));
            if (rc)
                return rc;
        }
        PeState &ps = pes[pe_index[d.pe]];
        d.pe_slot = pe_index[d.pe];
        d.overhead_ps = ps_from_ns(cd.overhead_ns);
        d.read_hold_ps = ps_from_ns(cd.read_hold_ns);
        // dma_set_mask(): which window the device's mask reaches.
        d.path = dma_mask_path(cfg.host.kernel == CFG_KERNEL_MODERN ? HOST_KERNEL_MODERN : HOST_KERNEL_SEED, gen,
                               d.mask_bits, ram_end, ps.setup.bypass);
        if (d.path == DMA_PATH_BYPASS_TVE0 && !ps.bypass_tve0) {
            int rc = setup_bypass_tve0(ps);
            if (rc)
                return rc;
        }
        // iommu_add_device(): every device of a PE with a table joins its
        // group unless the era's checks refuse it.
        char why[160] = "";
        d.add = iommu_add_device_check(cfg.host.kernel == CFG_KERNEL_MODERN ? HOST_KERNEL_MODERN : HOST_KERNEL_SEED,
                                       false, true, cpu_page_shift, ps.setup.page_shift, why, sizeof why);
        d.add_why = why;

        DeviceResult &dr = res.devices[i];
        dr.id = i;
        dr.rid = cd.rid;
        dr.pe = d.pe;
        dr.dma_mask_bits = d.mask_bits;
        dr.bypass = d.path != DMA_PATH_TCE;
        dr.dma_path = dma_path_name(d.path);
        dr.group = d.add == IOMMU_ADD_OK ? ps.group.name : "";
        dr.add_result = iommu_add_result_name(d.add);
        dr.add_why = d.add_why;
    }
    for (const DeviceInfo &d : devs) {
        char rid[8];
        rid_format(d.rid, rid);
        timeline.name_track(Timeline::DEVICES, d.id, "dev" + std::to_string(d.id) + " " + rid);
    }
    for (unsigned i = 0; i < cfg.host.cpus; i++)
        timeline.name_track(Timeline::CPUS, i, "cpu" + std::to_string(i));
    for (const PeState &ps : pes)
        for (unsigned l = 0; l < host_lock_count(host, static_cast<unsigned>(ps.host_index)); l++)
            timeline.name_track(Timeline::LOCKS, static_cast<unsigned>(ps.host_index) * 100 + l,
                                "pe " + std::to_string(ps.pe) + " lock " + std::to_string(l));
    lock_wait.resize(host_pe_count(host));
    for (unsigned i = 0; i < host_pe_count(host); i++)
        lock_wait[i].resize(host_lock_count(host, i));
    return 0;
}

int System::setup_pe(PeState &ps, const tcesim_config &c, int group_id)
{
    phb_gen gen = cfg.phb.model == CFG_PHB4 ? PHB_GEN4 : PHB_GEN3;
    unsigned cpu_page_shift = ilog2_u64(cfg.host.page_size);
    std::string key = "pes." + std::to_string(ps.pe) + ".";
    cfg_iommu v = config_pe_iommu(&c, ps.pe);
    pe_setup_params sp{};
    sp.kernel = cfg.host.kernel == CFG_KERNEL_MODERN ? HOST_KERNEL_MODERN : HOST_KERNEL_SEED;
    sp.gen = gen;
    sp.ram_bytes = cfg.host.ram;
    sp.cpu_page_shift = cpu_page_shift;
    sp.m32_base = cfg.host.m32_base;
    sp.max_order = cfg.host.max_order == CFG_AUTO ? 0 : static_cast<unsigned>(cfg.host.max_order); // 0: pe_default_max_order()
    sp.page_size = v.page_size == CFG_AUTO ? PE_AUTO : v.page_size;
    sp.levels = v.levels == CFG_AUTO ? PE_AUTO : v.levels;
    sp.window = v.window == CFG_AUTO ? PE_AUTO : v.window;
    sp.bypass = v.bypass;
    char why[256] = "";
    if (pe_dma_setup_compute(&sp, &ps.setup, why, sizeof why) != 0)
        return fail(2, key + why);
    tce_geom g;
    if (tce_geometry(ps.setup.window_bytes, ps.setup.page_shift, ps.setup.levels, cpu_page_shift, &g) != 0)
        return fail(2, key + "levels: the kernel rejects this table geometry");
    if (tce_table_create(&ps.table, mem, &palloc, &g) != 0)
        return fail(2, key + "window: the TCE table does not fit host.ram");
    tve t0 = tce_table_tve(&ps.table);
    uint64_t raw;
    if (tve_encode(gen, &t0, &raw) != 0 || phb_set_tve(phb_model, static_cast<unsigned>(ps.pe) << 1, raw) != 0)
        return fail(2, key + "window: the TVE cannot encode this table");
    if (ps.setup.bypass) {
        tve t1{};
        t1.kind = TVE_BYPASS;
        t1.start = ps.setup.bypass_start;
        t1.end = ps.setup.bypass_end;
        if (tve_encode(gen, &t1, &raw) != 0 || phb_set_tve(phb_model, static_cast<unsigned>(ps.pe) << 1 | 1, raw) != 0)
            return fail(2, key + "bypass: the bypass TVE cannot encode host.ram");
    }
    iommu_group_make(group_id, 0, ps.pe, &ps.group);
    host_pe_params hp{};
    hp.pe = ps.pe;
    hp.table = &ps.table;
    hp.it.it_offset = 0;
    hp.it.it_size = ps.setup.window_bytes >> ps.setup.page_shift;
    hp.it.page_shift = ps.setup.page_shift;
    hp.it.cpu_page_shift = cpu_page_shift;
    hp.it.blocksize = 16; // pnv_pci_ioda2_setup_dma_pe / pnv_pci_setup_iommu_table
    hp.it.nr_pools = v.pools == CFG_AUTO ? 0 : static_cast<uint32_t>(v.pools);
    hp.it.reserved_start = ps.setup.reserved_start;
    hp.it.reserved_end = ps.setup.reserved_end;
    hp.it.seg_boundary = 1ull << 32; // PCI's default dma_get_seg_boundary()
    // The era's allocator rules (seed = Linux 4.4, modern = Linux 6.6) and
    // the iommu.* overrides; auto = the era's.
    hp.it.kernel = sp.kernel == HOST_KERNEL_MODERN ? IOMMU_KERNEL_6_6 : IOMMU_KERNEL_4_4;
    hp.it.hash_mult = cfg.policy.pool_hash == CFG_HASH_LEGACY ? IOMMU_HASH_MULT_LEGACY
                    : cfg.policy.pool_hash == CFG_HASH_MODERN ? IOMMU_HASH_MULT_MODERN : 0;
    hp.it.large_fallback = cfg.policy.large_pool_fallback == CFG_TRI_TRUE ? IOMMU_FALLBACK_ON
                         : cfg.policy.large_pool_fallback == CFG_TRI_FALSE ? IOMMU_FALLBACK_OFF
                         : IOMMU_FALLBACK_ERA;
    int idx = host_add_pe(host, &hp);
    if (idx < 0)
        return fail(2, key + "pools: the allocator rejects this table (pools must divide the window)");
    ps.host_index = idx;
    return 0;
}

// PHB3 64-bit bypass through TVE#0 (pnv_pci_ioda_dma_64bit_bypass): the
// PE's TVE#0 becomes a 1-level table of 256 MiB TCEs mapping all of RAM at
// bus offset 4 GiB, for devices whose mask covers RAM + 4 GiB but not 2^59.
// It replaces the PE's 32-bit window.
int System::setup_bypass_tve0(PeState &ps)
{
    unsigned cpu_page_shift = ilog2_u64(cfg.host.page_size);
    std::string key = "pes." + std::to_string(ps.pe) + ".";
    const unsigned shift = 28;
    tce_geom g;
    if (tce_geometry(roundup_pow2(cfg.host.ram + (1ull << 32)), shift, 1, cpu_page_shift, &g) != 0 ||
        tce_table_create(&ps.bypass_table, mem, &palloc, &g) != 0)
        return fail(2, key + "bypass: cannot build the 64-bit bypass table");
    uint64_t first = (1ull << 32) >> shift;
    for (uint64_t i = 0; i < (cfg.host.ram >> shift); i++)
        if (tce_table_set(&ps.bypass_table, first + i, i << shift, TCE_READ | TCE_WRITE) != 0)
            return fail(1, "out of memory");
    tve t0 = tce_table_tve(&ps.bypass_table);
    uint64_t raw;
    phb_gen gen = cfg.phb.model == CFG_PHB4 ? PHB_GEN4 : PHB_GEN3;
    if (tve_encode(gen, &t0, &raw) != 0 || phb_set_tve(phb_model, static_cast<unsigned>(ps.pe) << 1, raw) != 0)
        return fail(2, key + "bypass: the TVE cannot encode the 64-bit bypass table");
    ps.bypass_tve0 = true;
    return 0;
}

int run_simulation(const tcesim_config &cfg, const RunOptions &opt, std::unique_ptr<RunResult> &result, std::string &err)
{
    auto wall0 = std::chrono::steady_clock::now();
    result = std::make_unique<RunResult>();
    RunResult &res = *result;
    res.cfg = cfg;

    tr_source src{};
    tr_error terr;
    if (opt.trace_path.empty()) {
        gen_window_params gp{};
        gp.pattern = static_cast<gen_window_pattern>(cfg.workload.pattern);
        gp.stride = cfg.workload.stride;
        gp.window = cfg.workload.window;
        gp.size = cfg.workload.size;
        gp.op = cfg.workload.op == CFG_OP_WRITE ? TR_WRITE : TR_READ;
        gp.count = cfg.workload.count;
        gp.device = static_cast<uint32_t>(cfg.workload.device);
        gp.cpu = static_cast<uint32_t>(cfg.workload.cpu);
        gp.seed = cfg.workload.seed == CFG_AUTO ? cfg.seed : cfg.workload.seed;
        if (gen_window_open(&gp, &src, &terr) != 0) {
            err = terr.msg;
            return 2;
        }
        res.trace_name = "built-in workload (window generator)";
    } else {
        if (tr_open(opt.trace_path.c_str(), &src, &terr) != 0) {
            err = terr.msg;
            return 2;
        }
        res.trace_name = opt.trace_path;
    }
    std::vector<tr_device_decl> decls(src.devices, src.devices + src.ndevices);

    sc_set_time_resolution(1, SC_PS);
    // An input error found mid-run stops the simulation; the error line is
    // ours to print, SystemC's "stopped by user" note is noise.
    sc_report_handler::set_actions(SC_INFO, SC_DO_NOTHING);
    int rc;
    {
        System sys(cfg, res, opt);
        rc = sys.build(decls);
        if (rc) {
            err = sys.error;
            tr_close(&src);
            return rc;
        }
        std::vector<std::unique_ptr<DeviceModule>> devices;
        std::vector<std::unique_ptr<HostCpu>> cpus;
        for (size_t i = 0; i < sys.devs.size(); i++) {
            std::string n = "dev" + std::to_string(i);
            devices.push_back(std::make_unique<DeviceModule>(n.c_str(), sys, sys.devs[i], res.devices[i], sys.dev_q[i]));
            devices.back()->sock.bind(sys.phbm->dev_sock);
        }
        for (unsigned i = 0; i < cfg.host.cpus; i++) {
            std::string n = "cpu" + std::to_string(i);
            cpus.push_back(std::make_unique<HostCpu>(n.c_str(), sys, i, sys.cpu_q[i]));
        }
        if (!opt.mappings_path.empty() && !sys.mappings.open(opt.mappings_path, err)) {
            tr_close(&src);
            return 2;
        }
        Feeder feeder("feeder", sys, src);
        sc_start();
        if (!sys.error_code && sys.blocked)
            sys.fail(1, "replay: " + std::to_string(sys.blocked) +
                            " actor(s) still wait for a dependency at the end of the trace (a bug: please report it with the trace)");
        if (sys.error_code) {
            err = sys.error;
            tr_close(&src);
            return sys.error_code;
        }
        // Gather.
        res.phb = *phb_get_stats(sys.phb_model);
        res.cache = *tce_cache_get_stats(phb_cache(sys.phb_model));
        res.mem = sys.memory->model.st;
        res.dma_active_ps = sys.dma_last > sys.dma_first ? sys.dma_last - sys.dma_first : 0;
        for (size_t i = 0; i < sys.devs.size(); i++) {
            DeviceResult &d = res.devices[i];
            d.ep = sys.devs[i].ep.st;
            res.dma_lat.merge(d.dma_lat);
            res.breakdown.merge(d.breakdown);
            res.dma_reads += d.reads;
            res.dma_writes += d.writes;
            res.dma_bytes += d.bytes;
            res.dma_faulted += d.faulted;
            res.dma_dropped += d.dropped;
            res.loss.merge(d.loss);
            for (int k = 0; k < TCE_FAULT_KINDS; k++)
                res.stale_faults_by_kind[k] += d.stale_faults_by_kind[k];
        }
        res.first_fault = sys.first_fault;
        res.first_skip = sys.first_skip;
        res.first_stale_ok = sys.first_stale_ok;
        // Lazy invalidation leaves queued unmaps: flush them at the end.
        sys.note_end(host_finish(sys.host, sys.end_ps));
        res.simulated_ps = sys.end_ps;
        for (const PeState &ps : sys.pes) {
            PeResult pr;
            pr.pe = ps.pe;
            for (const DeviceInfo &d : sys.devs)
                if (d.pe == ps.pe)
                    pr.devices.push_back(d.id);
            pr.window_bytes = ps.setup.window_bytes;
            pr.page_size = 1ull << ps.setup.page_shift;
            pr.levels = ps.setup.levels;
            pr.bypass = ps.setup.bypass;
            pr.bypass_tve0 = ps.bypass_tve0;
            pr.reserved_start = ps.setup.reserved_start;
            pr.reserved_end = ps.setup.reserved_end;
            pr.group_id = ps.group.id;
            pr.group_name = ps.group.name;
            pr.st = *phb_get_pe_stats(sys.phb_model, ps.pe);
            pr.frozen_at_end = phb_pe_frozen(sys.phb_model, ps.pe, sys.end_ps);
            for (const DeviceInfo &d : sys.devs)
                if (d.pe == ps.pe) {
                    pr.breakdown.merge(res.devices[d.id].breakdown);
                    pr.dma_lat.merge(res.devices[d.id].dma_lat);
                    pr.loss.merge(res.devices[d.id].loss);
                }
            const iommu_table *it = host_get_table(sys.host, static_cast<unsigned>(ps.host_index));
            pr.nr_pools = it->nr_pools;
            res.alloc.pages_in_use_peak += it->st.pages_in_use_peak;
            res.alloc.pages_in_use += it->st.pages_in_use;
            // Pools: one entry per lock of the PE (the large pool's lock is
            // number nr_pools; with iommu.lock=global only lock 0 exists).
            unsigned hi = static_cast<unsigned>(ps.host_index);
            for (unsigned l = 0; l < host_lock_count(sys.host, hi); l++) {
                const host_lock_stats *ls = host_get_lock_stats(sys.host, hi, l);
                bool depot = l == it->nr_pools + 1;
                if (depot && cfg.policy.cache != CFG_CACHE_MAGAZINE)
                    continue;
                if (cfg.policy.lock == CFG_LOCK_GLOBAL && l > 0 && !depot)
                    continue;
                PoolResult pl;
                pl.pe = ps.pe;
                pl.id = static_cast<int>(l);
                pl.kind = depot ? "depot" : cfg.policy.lock == CFG_LOCK_GLOBAL ? "table" : l == it->nr_pools ? "large" : "small";
                pl.acquisitions = ls->acquisitions;
                pl.contended = ls->contended;
                if (!depot && cfg.policy.lock != CFG_LOCK_GLOBAL) {
                    pl.allocs = it->st.allocs_by_pool[l];
                    pl.fallbacks_in = it->st.fallbacks_in[l];
                } else if (!depot) {
                    for (unsigned k = 0; k <= it->nr_pools; k++) {
                        pl.allocs += it->st.allocs_by_pool[k];
                        pl.fallbacks_in += it->st.fallbacks_in[k];
                    }
                }
                pl.wait = sys.lock_wait[hi][l].summary();
                pl.hold_mean_ns = ls->acquisitions ? static_cast<double>(ls->hold_ps) / static_cast<double>(ls->acquisitions) / 1000.0 : 0;
                res.alloc.pools.push_back(pl);
            }
            if (const mag_stats *ms = host_get_mag_stats(sys.host, hi)) {
                res.alloc.mag_hits += ms->alloc_hits;
                res.alloc.mag_misses += ms->alloc_misses;
            }
            res.pes.push_back(pr);
        }
        const host_kill_stats *ks = host_get_kill_stats(sys.host);
        res.alloc.kills_page = ks->page;
        res.alloc.kills_pe = ks->pe;
        res.alloc.kill_syncs = ks->syncs;
        res.alloc.opal_calls = ks->opal_calls;
        res.alloc.escalated = ks->escalated;
        res.alloc.lock_policy = config_enum_name("iommu.lock", cfg.policy.lock);
        res.alloc.cache_policy = config_enum_name("iommu.cache", cfg.policy.cache);
        res.alloc.invalidate_policy = config_enum_name("iommu.invalidate", cfg.policy.invalidate);
        for (unsigned i = 0; i < cfg.host.cpus; i++) {
            const host_cpu_stats *cs = host_get_cpu_stats(sys.host, i);
            res.cpus.push_back(CpuResult{i, cs->ops, cs->busy_ps / 1000.0, cs->lock_wait_ps / 1000.0, cs->kill_ps / 1000.0});
        }
        res.epoch_ns = sys.epochs.on() ? sys.epochs.epoch_ns() : 0;
        res.epochs = sys.epochs.rows();
        if (sys.timeline.on()) {
            std::string tlerr = sys.timeline.write(opt.timeline_path);
            if (!tlerr.empty()) {
                err = tlerr;
                tr_close(&src);
                return 1;
            }
        }
        std::string merr = sys.mappings.close(true);
        if (!merr.empty()) {
            err = merr;
            tr_close(&src);
            return 1;
        }
    }
    tr_close(&src);
    res.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    return 0;
}

} // namespace tcesim
