// --mappings: the CSV of host ops (time, CPU, op, device, handle, bus
// address, pages, pool), one row per op in trace order.
#ifndef TCESIM_OBSERVE_MAPPINGS_HPP
#define TCESIM_OBSERVE_MAPPINGS_HPP

#include <cstdint>
#include <map>
#include <string>

#include "output.hpp"

namespace tcesim {

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
        buf_ = "time_ns,cpu,op,dev,handle,bus_addr,npages,pool,start_ns,end_ns,lock_wait_ns\n";
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

} // namespace tcesim

#endif
