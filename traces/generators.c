/* The generator registry (generators.h): one key table per pattern, parsed
 * once with defaults, then the pattern's open. Also the helpers every
 * timed generator shares (gen_internal.h). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/numparse.h"
#include "common/tcesim_err.h"
#include "gen_internal.h"
#include "gen_window.h"
#include "generators.h"
#include "trace_internal.h"

/* ------------------------------------------------------------ key tables */

typedef enum gk_type {
    GK_U64,    /* decimal or 0x hex */
    GK_SIZE,   /* as GK_U64, plus a K/M/G/T suffix (powers of 1024) */
    GK_FRAC,   /* a probability 0..1, stored as a threshold (units of 2^-53) */
    GK_ENUM,   /* one of enums[], stored as its index */
    GK_MIX,    /* SIZE:WEIGHT,...: a gen_mix */
} gk_type;

typedef struct gen_key {
    const char *name;
    gk_type type;
    size_t off;                /* into the pattern's params block */
    const char *def;           /* default, parsed like a user's value */
    uint64_t min, max;         /* GK_U64 / GK_SIZE range, inclusive */
    const char *const *enums;  /* GK_ENUM: NULL-terminated names */
    const char *meaning;
} gen_key;

typedef struct gen_pattern {
    const char *name;
    const char *summary;
    const gen_key *keys;
    unsigned nkeys;
    size_t params_size;
    int (*open)(const void *params, uint64_t seed, tr_source *out, tr_error *err);
} gen_pattern;

#define NOMAX UINT64_MAX
#define DEV_MAX ((uint64_t)TR_MAX_DEVICES - 1)
#define CPU_MAX ((uint64_t)TR_MAX_CPUS - 1)

static const char *const window_patterns[] = {"random", "sequential", "strided", NULL};
static const char *const window_ops[] = {"read", "write", NULL};
static const char *const nic_modes[] = {"streaming", "page_pool", NULL};
static const char *const arrivals[] = {"poisson", "fixed", NULL};

/* ---- window: the keys of workload.*, same names and defaults ---- */
typedef struct window_keys {
    uint64_t pattern, stride, window, size, op, count, device, cpu;
} window_keys;

#define W(f) offsetof(window_keys, f)
static const gen_key window_table[] = {
    {"pattern", GK_ENUM, W(pattern), "random", 0, 0, window_patterns, "offsets: random, sequential or strided"},
    {"stride", GK_SIZE, W(stride), "4K", 1, NOMAX, NULL, "bytes between accesses of the strided pattern"},
    {"window", GK_SIZE, W(window), "1M", 1, NOMAX, NULL, "bytes of the one mapping the accesses fall in"},
    {"size", GK_SIZE, W(size), "64", 1, NOMAX, NULL, "bytes per access"},
    {"op", GK_ENUM, W(op), "read", 0, 0, window_ops, "access direction: read or write"},
    {"count", GK_U64, W(count), "1000000", 1, NOMAX, NULL, "accesses, all at time 0 (a closed loop paced by the device's tags)"},
    {"device", GK_U64, W(device), "0", 0, DEV_MAX, NULL, "device that makes the accesses"},
    {"cpu", GK_U64, W(cpu), "0", 0, CPU_MAX, NULL, "CPU that maps the window"},
};
#undef W

static int window_open(const void *params, uint64_t seed, tr_source *out, tr_error *err)
{
    const window_keys *k = params;
    if (k->window < k->size)
        return tr_seterr(err, TCESIM_EINVAL, "gen window: window: %" PRIu64 " is smaller than size (%" PRIu64 ")",
                         k->window, k->size);
    gen_window_params p = {
        .pattern = (gen_window_pattern)k->pattern,
        .stride = k->stride,
        .window = k->window,
        .size = k->size,
        .op = k->op == 1 ? TR_WRITE : TR_READ,
        .count = k->count,
        .device = (uint32_t)k->device,
        .cpu = (uint32_t)k->cpu,
        .seed = seed,
    };
    tr_error e;
    int rc = gen_window_open(&p, out, &e);
    if (rc)
        return tr_seterr(err, rc, "gen window: %s", e.msg);
    return 0;
}

/* ---- nic-rx / nic-tx ---- */
#define N(f) offsetof(gen_nic_params, f)
#define NIC_KEYS_HEAD                                                                                        \
    {"queues", GK_U64, N(queues), "4", 1, TR_MAX_CPUS, NULL, "queues, one per CPU (cpu, cpu+1, ...), as RSS spreads flows"}, \
    {"ring", GK_U64, N(ring), "256", 1, 65536, NULL, "descriptors (buffers) per queue"},                  \
    {"packets", GK_U64, N(packets), "100000", 1, NOMAX, NULL, "packets in all, spread evenly over the queues"}, \
    {"sizes", GK_MIX, N(sizes), "64:0.5,576:0.2,1500:0.3", 0, 0, NULL, "packet size mix, SIZE:WEIGHT,... (weights need not sum to 1)"}, \
    {"rate", GK_U64, N(rate), "200000", 1, 1000000000, NULL, "packets per second per queue (mean)"},        \
    {"arrival", GK_ENUM, N(arrival), "poisson", 0, 0, arrivals, "inter-arrival times: poisson (exponential) or fixed"}, \
    {"mode", GK_ENUM, N(mode), "streaming", 0, 0, nic_modes,                                             \
     "streaming (map/unmap per packet) or page_pool (pages mapped once per slot, recycled)"}

#define NIC_KEYS_TAIL                                                                                        \
    {"page_size", GK_SIZE, N(page_size), "4096", 1, 1ull << 30, NULL, "page_pool: bytes mapped once per ring slot"}, \
    {"desc_size", GK_SIZE, N(desc_size), "16", 0, 4096, NULL,                                            \
     "descriptor bytes in a coherent ring per queue the device reads/writes; 0 = no ring"},             \
    {"completion_ns", GK_U64, N(completion_ns), "10000", 0, NOMAX, NULL,                                 \
     "device done -> the driver handles the completion (interrupt moderation, NAPI)"},                  \
    {"bandwidth", GK_SIZE, N(bandwidth), "2G", 1, NOMAX, NULL,                                           \
     "bytes/s of the device model that places completions (keep <= the simulated link's)"},            \
    {"device", GK_U64, N(device), "0", 0, DEV_MAX, NULL, "the NIC's device id"},                          \
    {"cpu", GK_U64, N(cpu), "0", 0, CPU_MAX, NULL, "CPU of queue 0; queue q runs on cpu + q"}

static const gen_key nic_rx_table[] = {
    NIC_KEYS_HEAD,
    {"buffer", GK_SIZE, N(buffer), "2048", 1, 1ull << 30, NULL,
     "streaming: bytes mapped per receive buffer (>= the largest packet)"},
    NIC_KEYS_TAIL,
};
static const gen_key nic_tx_table[] = {NIC_KEYS_HEAD, NIC_KEYS_TAIL};
#undef N

static int nic_rx_open(const void *params, uint64_t seed, tr_source *out, tr_error *err)
{
    return gen_nic_open(params, false, seed, out, err);
}

static int nic_tx_open(const void *params, uint64_t seed, tr_source *out, tr_error *err)
{
    return gen_nic_open(params, true, seed, out, err);
}

/* ---- nvme ---- */
#define V(f) offsetof(gen_nvme_params, f)
static const gen_key nvme_table[] = {
    {"queues", GK_U64, V(queues), "4", 1, TR_MAX_CPUS, NULL, "submission/completion queue pairs, one per CPU (cpu, cpu+1, ...)"},
    {"depth", GK_U64, V(depth), "32", 1, 65536, NULL, "commands in flight per queue (a closed loop, as fio's iodepth)"},
    {"ios", GK_U64, V(ios), "10000", 1, NOMAX, NULL, "I/Os in all, spread evenly over the queues"},
    {"sizes", GK_MIX, V(sizes), "4K:0.6,64K:0.3,1M:0.1", 0, 0, NULL, "I/O size mix, SIZE:WEIGHT,..."},
    {"read", GK_FRAC, V(read), "0.7", 0, 0, NULL, "fraction of I/Os that are reads (the device writes host memory)"},
    {"seg_size", GK_SIZE, V(seg_size), "4K", 1, NOMAX, NULL, "bytes per scatter-list segment (a page of the bio)"},
    {"read_ns", GK_U64, V(read_ns), "80000", 0, NOMAX, NULL, "media latency of a read before its data moves (NAND ~80 us)"},
    {"write_ns", GK_U64, V(write_ns), "20000", 0, NOMAX, NULL, "latency of a write after its data moved (write cache)"},
    {"completion_ns", GK_U64, V(completion_ns), "5000", 0, NOMAX, NULL, "completion entry written -> the driver unmaps"},
    {"bandwidth", GK_SIZE, V(bandwidth), "2G", 1, NOMAX, NULL,
     "bytes/s of the device model that places data and completions (keep <= the simulated link's)"},
    {"device", GK_U64, V(device), "0", 0, DEV_MAX, NULL, "the controller's device id"},
    {"cpu", GK_U64, V(cpu), "0", 0, CPU_MAX, NULL, "CPU of queue 0; queue q runs on cpu + q"},
};
#undef V

static int nvme_open(const void *params, uint64_t seed, tr_source *out, tr_error *err)
{
    return gen_nvme_open(params, seed, out, err);
}

/* ---- gpu-bulk ---- */
#define G(f) offsetof(gen_gpu_params, f)
static const gen_key gpu_table[] = {
    {"buffers", GK_U64, G(buffers), "4", 1, 4096, NULL, "coherent buffers (dma_alloc_coherent), allocated at time 0"},
    {"buffer", GK_SIZE, G(buffer), "64M", 1, NOMAX, NULL, "bytes per buffer (< the order-13 coherent limit)"},
    {"transfers", GK_U64, G(transfers), "16", 1, NOMAX, NULL, "sequential transfers, one after another"},
    {"transfer", GK_SIZE, G(transfer), "16M", 1, NOMAX, NULL, "bytes per transfer (wraps within its buffer)"},
    {"chunk", GK_SIZE, G(chunk), "256K", 1, NOMAX, NULL, "bytes per device access (one DMA engine descriptor)"},
    {"read", GK_FRAC, G(read), "0.5", 0, 0, NULL, "fraction of transfers the device reads (host to device)"},
    {"gap_ns", GK_U64, G(gap_ns), "10000", 0, NOMAX, NULL, "idle time between transfers (launch, sync)"},
    {"completion_ns", GK_U64, G(completion_ns), "10000", 0, NOMAX, NULL, "last transfer done -> the buffers are freed"},
    {"bandwidth", GK_SIZE, G(bandwidth), "4G", 1, NOMAX, NULL,
     "bytes/s of the device model that times the transfers (keep <= the simulated link's)"},
    {"page_size", GK_SIZE, G(page_size), "64K", 4096, 1ull << 30, NULL, "CPU page size, for the order limit of coherent buffers"},
    {"device", GK_U64, G(device), "0", 0, DEV_MAX, NULL, "the GPU's device id"},
    {"cpu", GK_U64, G(cpu), "0", 0, CPU_MAX, NULL, "CPU that allocates and frees the buffers"},
};
#undef G

static int gpu_open(const void *params, uint64_t seed, tr_source *out, tr_error *err)
{
    return gen_gpu_open(params, seed, out, err);
}

#define NK(t) (unsigned)(sizeof(t) / sizeof((t)[0]))

/* The one list of patterns (STYLE 7). */
static const gen_pattern patterns[] = {
    {"window", "pcie-bench style accesses of one size within one long-lived mapping (= tcesim run's workload.*)",
     window_table, NK(window_table), sizeof(window_keys), window_open},
    {"nic-rx", "NIC receive: a ring per queue and CPU; per-packet map/unmap or page_pool pages; sizes from a mix",
     nic_rx_table, NK(nic_rx_table), sizeof(gen_nic_params), nic_rx_open},
    {"nic-tx", "NIC transmit: a ring per queue and CPU; per-packet map/unmap or premapped pages; sizes from a mix",
     nic_tx_table, NK(nic_tx_table), sizeof(gen_nic_params), nic_tx_open},
    {"nvme", "NVMe: a submission queue per CPU, map_sg per I/O of 4 KiB..1 MiB, read/write mix",
     nvme_table, NK(nvme_table), sizeof(gen_nvme_params), nvme_open},
    {"gpu-bulk", "GPU: a few large coherent buffers, long sequential transfers by the device",
     gpu_table, NK(gpu_table), sizeof(gen_gpu_params), gpu_open},
};
#define NPATTERNS NK(patterns)

unsigned gen_npatterns(void) { return NPATTERNS; }

const char *gen_pattern_name(unsigned i) { return i < NPATTERNS ? patterns[i].name : NULL; }

/* -------------------------------------------------------------- parsing */

/* The trace format's number rules (models/common/numparse.h, FORMAT.md
 * "Numbers"); *why (if why is not NULL) gets the reason of a bad number. */
static int parse_u64(const char *s, bool allow_suffix, uint64_t *out, const char **why)
{
    return num_parse(s, allow_suffix, out, why) ? TCESIM_EINVAL : 0;
}

static int parse_frac(const char *s, double *out)
{
    if (!*s || isspace((unsigned char)*s))
        return TCESIM_EINVAL;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno || !(v >= 0.0 && v <= 1.0e18))
        return TCESIM_EINVAL;
    *out = v;
    return 0;
}

int gen_mix_parse(const char *s, gen_mix *out)
{
    memset(out, 0, sizeof *out);
    double w[GEN_MIX_MAX], total = 0;
    char buf[64];
    const char *p = s;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 0 || len >= sizeof buf || out->n == GEN_MIX_MAX)
            return TCESIM_EINVAL;
        memcpy(buf, p, len);
        buf[len] = '\0';
        char *colon = strchr(buf, ':');
        if (!colon)
            return TCESIM_EINVAL;
        *colon = '\0';
        uint64_t size;
        double weight;
        if (parse_u64(buf, true, &size, NULL) || size == 0 || parse_frac(colon + 1, &weight))
            return TCESIM_EINVAL;
        out->size[out->n] = size;
        w[out->n++] = weight;
        total += weight;
        if (!end)
            break;
        p = end + 1;
    }
    if (!(total > 0))
        return TCESIM_EINVAL;
    double acc = 0;
    for (unsigned i = 0; i < out->n; i++) {
        acc += w[i];
        out->cum[i] = (uint64_t)(acc / total * (double)GEN_FRAC_ONE);
    }
    out->cum[out->n - 1] = GEN_FRAC_ONE;
    return 0;
}

uint64_t gen_mix_draw(const gen_mix *m, rng *r)
{
    uint64_t x = rng_next(r) >> 11;
    for (unsigned i = 0; i + 1 < m->n; i++)
        if (x < m->cum[i])
            return m->size[i];
    return m->size[m->n - 1];
}

uint64_t gen_mix_max(const gen_mix *m)
{
    uint64_t mx = 0;
    for (unsigned i = 0; i < m->n; i++)
        if (m->cum[i] != (i ? m->cum[i - 1] : 0) && m->size[i] > mx)
            mx = m->size[i];
    return mx;
}

/* ln(x) for x in (0, 1]: x = m * 2^e with m in [1/sqrt2, sqrt2), then
 * ln m = 2 atanh(s), s = (m-1)/(m+1), |s| < 0.172: 11 terms of the series
 * are below 1e-17. Only IEEE basic operations: bit-identical everywhere. */
static double portable_ln(double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    int e = (int)((bits >> 52) & 0x7ff) - 1023;
    bits = (bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
    double m;
    memcpy(&m, &bits, sizeof m);
    if (m > 1.4142135623730951) {
        m *= 0.5;
        e++;
    }
    double s = (m - 1.0) / (m + 1.0), s2 = s * s, term = s, sum = 0;
    for (int k = 1; k <= 21; k += 2) {
        sum += term / k;
        term *= s2;
    }
    return e * 0.6931471805599453 + 2.0 * sum;
}

uint64_t gen_exp_ns(rng *r, double mean_ns)
{
    /* u in (0, 1]: never 0, so ln(u) is finite (at most 36.7 means) */
    double u = (double)((rng_next(r) >> 11) + 1) * (1.0 / 9007199254740992.0);
    double v = -portable_ln(u) * mean_ns + 0.5;
    return (uint64_t)v;
}

uint64_t gen_xfer_ns(uint64_t bytes, uint64_t bytes_per_s)
{
    unsigned __int128 ns = ((unsigned __int128)bytes * 1000000000u + bytes_per_s - 1) / bytes_per_s;
    return ns > UINT64_MAX ? UINT64_MAX : (uint64_t)ns;
}

/* ----------------------------------------------------------------- heap */

static bool item_before(const gen_item *a, const gen_item *b)
{
    return a->time_ns != b->time_ns ? a->time_ns < b->time_ns : a->seq < b->seq;
}

int gen_heap_push(gen_heap *h, gen_item it)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 64;
        gen_item *v = realloc(h->v, cap * sizeof *v);
        if (!v)
            return TCESIM_ENOMEM;
        h->v = v;
        h->cap = cap;
    }
    it.seq = h->seq++;
    size_t i = h->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!item_before(&it, &h->v[parent]))
            break;
        h->v[i] = h->v[parent];
        i = parent;
    }
    h->v[i] = it;
    return 0;
}

bool gen_heap_pop(gen_heap *h, gen_item *out)
{
    if (h->n == 0)
        return false;
    *out = h->v[0];
    gen_item last = h->v[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && item_before(&h->v[c + 1], &h->v[c]))
            c++;
        if (!item_before(&h->v[c], &last))
            break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (h->n > 0)
        h->v[i] = last;
    return true;
}

void gen_heap_free(gen_heap *h)
{
    free(h->v);
    memset(h, 0, sizeof *h);
}

/* ------------------------------------------------------------- registry */

static const gen_pattern *find_pattern(const char *name)
{
    for (unsigned i = 0; i < NPATTERNS; i++)
        if (strcmp(patterns[i].name, name) == 0)
            return &patterns[i];
    return NULL;
}

static const gen_key *find_key(const gen_pattern *pt, const char *name)
{
    for (unsigned i = 0; i < pt->nkeys; i++)
        if (strcmp(pt->keys[i].name, name) == 0)
            return &pt->keys[i];
    return NULL;
}

static int set_key(const gen_pattern *pt, const gen_key *k, const char *value, void *params, tr_error *err)
{
    char *field = (char *)params + k->off;
    switch (k->type) {
    case GK_U64:
    case GK_SIZE: {
        uint64_t v;
        const char *why;
        if (parse_u64(value, k->type == GK_SIZE, &v, &why))
            return tr_seterr(err, TCESIM_EINVAL, "gen %s: %s: bad value '%s' (%s)", pt->name, k->name, value, why);
        uint64_t unit_max = num_unit_max(k->name);
        if (v > unit_max)
            return tr_seterr(err, TCESIM_EINVAL, "gen %s: %s: '%s' too large (max %" PRIu64 " ns: times stay below 2^63 ps)",
                             pt->name, k->name, value, unit_max);
        if (v < k->min || v > k->max) {
            if (k->max == NOMAX)
                return tr_seterr(err, TCESIM_EINVAL, "gen %s: %s: %s out of range (must be >= %" PRIu64 ")",
                                 pt->name, k->name, value, k->min);
            return tr_seterr(err, TCESIM_EINVAL, "gen %s: %s: %s out of range (%" PRIu64 "..%" PRIu64 ")",
                             pt->name, k->name, value, k->min, k->max);
        }
        memcpy(field, &v, sizeof v);
        return 0;
    }
    case GK_FRAC: {
        double v;
        if (parse_frac(value, &v) || v > 1.0)
            break;
        uint64_t thr = (uint64_t)(v * (double)GEN_FRAC_ONE);
        memcpy(field, &thr, sizeof thr);
        return 0;
    }
    case GK_ENUM:
        for (uint64_t i = 0; k->enums[i]; i++) {
            if (strcmp(k->enums[i], value) == 0) {
                memcpy(field, &i, sizeof i);
                return 0;
            }
        }
        break;
    case GK_MIX: {
        gen_mix m;
        if (gen_mix_parse(value, &m))
            break;
        memcpy(field, &m, sizeof m);
        return 0;
    }
    }
    return tr_seterr(err, TCESIM_EINVAL, "gen %s: %s: bad value '%s'", pt->name, k->name, value);
}

static int unknown_key(const gen_pattern *pt, const char *key, tr_error *err)
{
    char known[TR_ERR_LEN / 2];
    size_t len = 0;
    known[0] = '\0';
    for (unsigned i = 0; i < pt->nkeys && len < sizeof known; i++)
        len += (size_t)snprintf(known + len, sizeof known - len, "%s%s", i ? ", " : "", pt->keys[i].name);
    return tr_seterr(err, TCESIM_EINVAL, "gen %s: unknown key '%s' (known: %s, seed)", pt->name, key, known);
}

int gen_open(const char *pattern, const char *const *keys, const char *const *values, unsigned n,
             uint64_t seed, tr_source *out, tr_error *err)
{
    memset(out, 0, sizeof *out);
    const gen_pattern *pt = find_pattern(pattern);
    if (!pt) {
        char known[128];
        size_t len = 0;
        for (unsigned i = 0; i < NPATTERNS; i++)
            len += (size_t)snprintf(known + len, sizeof known - len, "%s%s", i ? ", " : "", patterns[i].name);
        return tr_seterr(err, TCESIM_EINVAL, "gen: unknown pattern '%s' (known: %s)", pattern, known);
    }
    /* every params block is a few hundred bytes at most (a gen_mix is the
     * largest field) */
    _Alignas(max_align_t) char params[1024];
    _Static_assert(sizeof(gen_nic_params) <= sizeof params, "params block");
    _Static_assert(sizeof(gen_nvme_params) <= sizeof params, "params block");
    _Static_assert(sizeof(gen_gpu_params) <= sizeof params, "params block");
    _Static_assert(sizeof(window_keys) <= sizeof params, "params block");
    memset(params, 0, sizeof params);
    for (unsigned i = 0; i < pt->nkeys; i++) {
        int rc = set_key(pt, &pt->keys[i], pt->keys[i].def, params, err);
        if (rc)
            return rc; /* a bad default: a bug, reported as a bad value */
    }
    for (unsigned i = 0; i < n; i++) {
        if (strcmp(keys[i], "seed") == 0) {
            const char *why;
            if (parse_u64(values[i], false, &seed, &why))
                return tr_seterr(err, TCESIM_EINVAL, "gen %s: seed: bad value '%s' (%s)", pt->name, values[i], why);
            continue;
        }
        const gen_key *k = find_key(pt, keys[i]);
        if (!k)
            return unknown_key(pt, keys[i], err);
        int rc = set_key(pt, k, values[i], params, err);
        if (rc)
            return rc;
    }
    return pt->open(params, seed, out, err);
}

void gen_describe(FILE *f)
{
    fprintf(f, "tcesim gen PATTERN [--set key=value]... -o FILE\n\n"
               "Writes a synthetic trace (traces/FORMAT.md, \"Generators\"). Every pattern is\n"
               "seeded (seed=N, default: the global seed) and deterministic.\n");
    for (unsigned i = 0; i < NPATTERNS; i++) {
        const gen_pattern *pt = &patterns[i];
        fprintf(f, "\n%s: %s\n", pt->name, pt->summary);
        for (unsigned j = 0; j < pt->nkeys; j++) {
            const gen_key *k = &pt->keys[j];
            fprintf(f, "  %-14s %-24s %s\n", k->name, k->def, k->meaning);
        }
    }
}
