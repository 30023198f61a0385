// Latency distributions: Boost.Histogram with an axis whose buckets are 1 ns
// wide below 100 ns and at most 1% wide above (docs/interface.md, report), so
// every percentile is within 1% (or 1 ns) of the exact nearest-rank value.
#ifndef TCESIM_STATS_HPP
#define TCESIM_STATS_HPP

#include <boost/histogram.hpp>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace tcesim {

// Bucket i < 100: [i ns, i+1 ns). Bucket 100 + j: [100 ns * 1.01^j,
// 100 ns * 1.01^(j+1)). 2000 log buckets reach 100 ns * 1.01^2000 = 4.4e10
// ns (44 s); anything longer lands in the last bucket (the exact max is kept
// apart).
class LatencyAxis {
public:
    static constexpr int kLinear = 100;
    static constexpr int kLog = 2000;
    static constexpr double kRatio = 1.01;

    // Boost's axis interface; samples are whole picoseconds (index_ps).
    boost::histogram::axis::index_type index(double ps) const
    {
        return ps < 0 ? 0 : index_ps(ps < 1.8e19 ? static_cast<uint64_t>(ps) : UINT64_MAX);
    }
    boost::histogram::axis::index_type size() const { return kLinear + kLog; }

    // The bucket of a sample of `ps` picoseconds: the last bucket whose
    // lower edge is <= ps. Integer work only: below 100 ns a division by a
    // constant; above, a table gives the bucket of the first value of the
    // sample's 1/256-octave cell, and since a cell (ratio 1 + 1/256) is
    // narrower than a bucket (1.01) at most one edge lies inside it.
    static int index_ps(uint64_t ps)
    {
        if (ps < kLinear * 1000ull)
            return static_cast<int>(ps / 1000);
        const Tables &t = tables();
        unsigned e = 63u - static_cast<unsigned>(__builtin_clzll(ps)); // >= kMinOctave: ps >= 100 000
        unsigned cell = static_cast<unsigned>(ps >> (e - kCellBits)) & (kCells - 1);
        int i = t.cell_bucket[(e - kMinOctave) * kCells + cell];
        if (i + 1 < kLinear + kLog && t.edge_ceil[i + 1] <= ps)
            i++;
        return i;
    }

    double value(double i) const { return lower_edge_ps(static_cast<int>(i)); }

    static double lower_edge_ps(int i)
    {
        return edges()[std::clamp(i, 0, kLinear + kLog)];
    }

private:
    static constexpr unsigned kCellBits = 8, kCells = 1u << kCellBits;
    static constexpr unsigned kMinOctave = 16; // 2^16 <= 100 000 < 2^17
    struct Tables {
        std::vector<uint64_t> edge_ceil;      // ceil(lower edge): edge <= ps iff edge_ceil <= ps
        std::vector<uint16_t> cell_bucket;    // octaves kMinOctave..63 x kCells
    };
    static const Tables &tables()
    {
        static const Tables t = [] {
            Tables r;
            const std::vector<double> &e = edges();
            for (double v : e)
                r.edge_ceil.push_back(static_cast<uint64_t>(std::ceil(v)));
            for (unsigned oct = kMinOctave; oct < 64; oct++)
                for (unsigned c = 0; c < kCells; c++) {
                    uint64_t lo = (1ull << oct) + (static_cast<uint64_t>(c) << (oct - kCellBits));
                    // the last bucket (of the kLinear + kLog) whose edge is <= lo
                    auto it = std::upper_bound(r.edge_ceil.begin(), r.edge_ceil.begin() + kLinear + kLog, lo);
                    r.cell_bucket.push_back(static_cast<uint16_t>(it - r.edge_ceil.begin() - 1));
                }
            return r;
        }();
        return t;
    }
    static const std::vector<double> &edges()
    {
        // Computed once: the per-sample path reads this table, no pow().
        static const std::vector<double> edges = [] {
            std::vector<double> e(kLinear + kLog + 1);
            for (int k = 0; k <= kLinear + kLog; k++)
                e[k] = k <= kLinear ? k * 1000.0 : kLinear * 1000.0 * std::pow(kRatio, k - kLinear);
            return e;
        }();
        return edges;
    }
};

struct Summary {
    uint64_t count = 0;
    double mean_ns = 0, p50_ns = 0, p90_ns = 0, p99_ns = 0, p999_ns = 0, max_ns = 0;
};

class LatencyHist {
public:
    LatencyHist()
        : h_(boost::histogram::make_histogram_with(std::vector<uint64_t>(), LatencyAxis())),
          counts_(boost::histogram::unsafe_access::storage(h_).data())
    {
    }
    // The storage pointer must follow the histogram: no copies or moves.
    LatencyHist(const LatencyHist &o) : LatencyHist() { *this = o; }
    LatencyHist &operator=(const LatencyHist &o)
    {
        h_ = o.h_;
        counts_ = boost::histogram::unsafe_access::storage(h_).data();
        n_ = o.n_;
        sum_ = o.sum_;
        max_ = o.max_;
        min_ = o.min_;
        last_ps_ = UINT64_MAX;
        return *this;
    }

    void add(uint64_t ps)
    {
        // Latencies repeat (every hit costs the same): remember the last
        // sample's bucket instead of taking a logarithm again.
        if (ps != last_ps_) {
            last_ps_ = ps;
            last_idx_ = LatencyAxis::index_ps(ps);
        }
        counts_[last_idx_]++;
        n_++;
        sum_ += ps;
        if (ps > max_)
            max_ = ps;
        if (ps < min_)
            min_ = ps;
    }
    uint64_t count() const { return n_; }

    // Adds another distribution's samples (same axis): for per-PE and run
    // totals built from the devices' own, so the per-access path adds once.
    void merge(const LatencyHist &o)
    {
        if (!o.n_)
            return;
        for (int i = 0; i < h_.axis().size(); i++)
            counts_[i] += o.counts_[i];
        n_ += o.n_;
        sum_ += o.sum_;
        max_ = std::max(max_, o.max_);
        min_ = std::min(min_, o.min_);
    }

    // Nearest rank: the smallest sample whose rank is >= ceil(p * n), read
    // from its bucket (midpoint), clamped to the exact min and max.
    double percentile_ns(double p) const
    {
        if (!n_)
            return 0;
        uint64_t rank = static_cast<uint64_t>(std::ceil(p * static_cast<double>(n_)));
        if (rank < 1)
            rank = 1;
        uint64_t cum = 0;
        for (int i = 0; i < h_.axis().size(); i++) {
            cum += h_.at(i);
            if (cum >= rank) {
                double lo = LatencyAxis::lower_edge_ps(i), hi = LatencyAxis::lower_edge_ps(i + 1);
                double v = std::clamp((lo + hi) / 2, static_cast<double>(min_), static_cast<double>(max_));
                return v / 1000.0;
            }
        }
        return max_ / 1000.0;
    }

    Summary summary() const
    {
        Summary s;
        s.count = n_;
        if (!n_)
            return s;
        s.mean_ns = static_cast<double>(sum_) / static_cast<double>(n_) / 1000.0;
        s.p50_ns = percentile_ns(0.50);
        s.p90_ns = percentile_ns(0.90);
        s.p99_ns = percentile_ns(0.99);
        s.p999_ns = percentile_ns(0.999);
        s.max_ns = max_ / 1000.0;
        return s;
    }

    // Non-empty buckets as (lower edge ns, count), for plots.
    std::vector<std::pair<double, uint64_t>> buckets() const
    {
        std::vector<std::pair<double, uint64_t>> out;
        for (int i = 0; i < h_.axis().size(); i++)
            if (h_.at(i))
                out.emplace_back(LatencyAxis::lower_edge_ps(i) / 1000.0, h_.at(i));
        return out;
    }

private:
    decltype(boost::histogram::make_histogram_with(std::vector<uint64_t>(), LatencyAxis())) h_;
    // The histogram's own dense storage: the axis buckets each sample once
    // (memoised), then the count is bumped without re-linearising the index.
    uint64_t *counts_;
    uint64_t n_ = 0;
    unsigned __int128 sum_ = 0;
    uint64_t max_ = 0, min_ = UINT64_MAX;
    uint64_t last_ps_ = UINT64_MAX;
    int last_idx_ = 0;
};

} // namespace tcesim

#endif
