#include "observe/observe.hpp"

#include <cstdio>

#include "output.hpp"

namespace tcesim {

static void us(std::string &o, ps_t ps)
{
    char b[32];
    std::snprintf(b, sizeof b, "%llu.%06llu", static_cast<unsigned long long>(ps / 1000000),
                  static_cast<unsigned long long>(ps % 1000000));
    o += b;
}

// One trace event: "X" (complete, with a duration) or "i" (an instant).
void Timeline::emit(bool instant, Group pid, unsigned tid, const char *name, ps_t start, ps_t end, const std::string &args)
{
    if (!wants(start))
        return;
    n_++;
    std::string &o = body_;
    o += instant ? ",\n{\"ph\":\"i\",\"s\":\"t\",\"pid\":" : ",\n{\"ph\":\"X\",\"pid\":";
    o += std::to_string(static_cast<int>(pid));
    o += ",\"tid\":";
    o += std::to_string(tid);
    o += ",\"name\":\"";
    o += name;
    o += "\",\"ts\":";
    us(o, start);
    if (!instant) {
        o += ",\"dur\":";
        us(o, end > start ? end - start : 0);
    }
    if (!args.empty()) {
        o += ",\"args\":{";
        o += args;
        o += "}";
    }
    o += "}";
}

void Timeline::event(Group pid, unsigned tid, const char *name, ps_t start, ps_t end, const std::string &args)
{
    emit(false, pid, tid, name, start, end, args);
}

void Timeline::instant(Group pid, unsigned tid, const char *name, ps_t at, const std::string &args)
{
    emit(true, pid, tid, name, at, at, args);
}

int Timeline::device_track(unsigned dev, const std::string &dev_name, ps_t start, ps_t end)
{
    if (dev_lanes_.size() <= dev)
        dev_lanes_.resize(dev + 1);
    std::vector<ps_t> &lanes = dev_lanes_[dev];
    for (size_t i = 0; i < lanes.size(); i++)
        if (lanes[i] <= start) {
            lanes[i] = end;
            return static_cast<int>(dev * kLanes + i);
        }
    if (lanes.size() == kLanes)
        return -1;
    lanes.push_back(end);
    unsigned lane = static_cast<unsigned>(lanes.size() - 1);
    name_track(DEVICES, dev * kLanes + lane, lane ? dev_name + " lane " + std::to_string(lane) : dev_name);
    return static_cast<int>(dev * kLanes + lane);
}

void Timeline::name_track(Group pid, unsigned tid, const std::string &name)
{
    if (!on_)
        return;
    static const char *const groups[] = {"", "devices", "host CPUs", "pool locks", "TCE fetch slots", "PHB faults and freezes"};
    std::string p = std::to_string(static_cast<int>(pid));
    meta_.push_back("{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":" + p + ",\"tid\":0,\"args\":{\"name\":\"" +
                    groups[pid] + "\"}}");
    meta_.push_back("{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":" + p + ",\"tid\":" + std::to_string(tid) +
                    ",\"args\":{\"name\":\"" + name + "\"}}");
}

unsigned Timeline::fetch_track(ps_t start, ps_t end)
{
    for (size_t i = 0; i < fetch_busy_.size(); i++)
        if (fetch_busy_[i] <= start) {
            fetch_busy_[i] = end;
            return static_cast<unsigned>(i);
        }
    fetch_busy_.push_back(end);
    unsigned t = static_cast<unsigned>(fetch_busy_.size() - 1);
    name_track(FETCH, t, "fetch " + std::to_string(t));
    return t;
}

std::string Timeline::write(const std::string &path) const
{
    std::string doc = "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"tcesim\"},\"traceEvents\":[\n";
    bool first = true;
    for (const std::string &m : meta_) {
        if (!first)
            doc += ",\n";
        doc += m;
        first = false;
    }
    if (first && !body_.empty())
        doc += body_.substr(2); // no metadata: drop the leading ",\n"
    else
        doc += body_;
    doc += "\n]}\n";
    return write_output(path, doc);
}

} // namespace tcesim
