#include "components/host/host_complex.hpp"

#include <string>

namespace tcesim {

HostPort::HostPort(sc_core::sc_module_name n) : sc_module(n), sock("sock")
{
    gp_.set_extension(&te_);
    gp_.set_data_ptr(dummy_);
    gp_.set_byte_enable_ptr(nullptr);
}

HostPort::~HostPort() { gp_.clear_extension(&te_); }

ps_t HostPort::store(uint64_t pa, uint32_t bytes, ps_t t)
{
    gp_.set_address(pa);
    gp_.set_command(tlm::TLM_WRITE_COMMAND);
    gp_.set_data_length(bytes);
    gp_.set_streaming_width(bytes);
    te_.arrival_ps = t;
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    sock->b_transport(gp_, d);
    return te_.done_ps;
}

HostComplex::HostComplex(const host_params &p, phb *phb_model, Schedule &sched, Epochs &epochs, Timeline &timeline)
    : sched_(sched), epochs_(epochs), timeline_(timeline)
{
    model_ = host_create(&p, phb_model, host_if{&HostComplex::sync, &HostComplex::store, &HostComplex::lock_event, this});
    if (model_)
        port_ = std::make_unique<HostPort>("host_port");
}

HostComplex::~HostComplex() { host_destroy(model_); }

void HostComplex::pes_added(const std::vector<uint16_t> &pe_of_index)
{
    for (unsigned i = 0; i < pe_of_index.size(); i++)
        for (unsigned l = 0; l < host_lock_count(model_, i); l++)
            timeline_.name_track(Timeline::LOCKS, i * 100 + l,
                                 "pe " + std::to_string(pe_of_index[i]) + " lock " + std::to_string(l));
    lock_wait_.resize(host_pe_count(model_));
    lock_hold_.resize(host_pe_count(model_));
    for (unsigned i = 0; i < host_pe_count(model_); i++) {
        lock_wait_[i].resize(host_lock_count(model_, i));
        lock_hold_[i].resize(host_lock_count(model_, i));
    }
}

void HostComplex::sync(void *ctx, ps_t t) { static_cast<HostComplex *>(ctx)->sched_.sync_exact(t); }

ps_t HostComplex::store(void *ctx, uint64_t pa, uint32_t bytes, ps_t t)
{
    return static_cast<HostComplex *>(ctx)->port_->store(pa, bytes, t);
}

void HostComplex::lock_event(void *ctx, unsigned pe_index, int lock, ps_t at_ps, ps_t wait_ps, ps_t hold_ps)
{
    HostComplex *h = static_cast<HostComplex *>(ctx);
    h->lock_wait_[pe_index][static_cast<size_t>(lock)].add(wait_ps);
    h->lock_hold_[pe_index][static_cast<size_t>(lock)].add(hold_ps);
    if (h->epochs_.on()) {
        EpochRow &e = h->epochs_.at(at_ps);
        e.lock_acquisitions++;
        e.lock_contended += wait_ps > 0;
        e.lock_wait_ps += wait_ps;
    }
    if (h->timeline_.wants(at_ps + wait_ps))
        h->timeline_.event(Timeline::LOCKS, pe_index * 100 + static_cast<unsigned>(lock), "held", at_ps + wait_ps,
                           at_ps + wait_ps + hold_ps, "\"wait_ns\":" + std::to_string(wait_ps / 1000));
}

void HostComplex::reset_stats()
{
    host_reset_stats(model_);
    for (auto &pe : lock_wait_)
        for (LatencyHist &h : pe)
            h = LatencyHist();
    for (auto &pe : lock_hold_)
        for (LatencyHist &h : pe)
            h = LatencyHist();
}

} // namespace tcesim
