/* tr_convert and tr_info: whole-trace tools over the streaming readers and
 * writers (see trace_tools.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/tcesim_err.h"
#include "trace.h"
#include "trace_internal.h"
#include "trace_tools.h"
#include "validate.h"

int tr_convert(const char *in, const char *out, tr_error *err)
{
    tr_source src;
    tr_writer *w = NULL;
    tr_event ev;
    int rc = tr_check_output("OUT", out, "IN", in, err);
    if (rc)
        return rc;
    rc = tr_open(in, &src, err);
    if (rc)
        return rc;
    rc = tr_writer_open(out, src.devices, src.ndevices, &w, err);
    while (!rc && (rc = tr_next(&src, &ev, err)) == 1)
        rc = tr_writer_put(w, &ev, err);
    tr_close(&src);
    if (!w)
        return rc;
    tr_error cerr;
    int crc = tr_writer_close(w, rc == 0, &cerr);
    if (!rc && crc) {
        if (err)
            *err = cerr;
        rc = crc;
    }
    return rc;
}

/* ---- Distinct pages: exact set, then HyperLogLog ---- */

#define EMPTY_KEY UINT64_MAX   /* k1 of an empty slot: instance ids never reach it */

typedef struct page_key {
    uint64_t k1;   /* mapping instance (from 1), or 0 for raw addr= pages */
    uint64_t k2;   /* page number within the instance, or bus page number */
} page_key;

typedef struct page_set {
    page_key *slots;        /* exact mode: open addressing, linear probing */
    size_t cap, count;
    uint8_t *hll;           /* estimate mode: 2^TR_INFO_HLL_BITS registers; slots freed */
    uint64_t uncounted;     /* pages past TR_INFO_MAX_ACCESS_PAGES, assumed distinct */
} page_set;

static uint64_t mix(uint64_t h)
{
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    return h ^ (h >> 31);
}

static uint64_t key_hash(page_key k) { return mix(k.k1 * 0x9e3779b97f4a7c15ull ^ mix(k.k2)); }

/* HyperLogLog (Flajolet et al., "HyperLogLog: the analysis of a
 * near-optimal cardinality estimation algorithm", AofA 2007): the top bits
 * pick a register, which keeps the longest run of leading zeros seen. */
static void hll_add(uint8_t *reg, uint64_t h)
{
    size_t j = (size_t)(h >> (64 - TR_INFO_HLL_BITS));
    uint64_t rest = h << TR_INFO_HLL_BITS;
    unsigned rank = rest ? (unsigned)__builtin_clzll(rest) + 1 : 64 - TR_INFO_HLL_BITS + 1;
    if (rank > reg[j])
        reg[j] = (uint8_t)rank;
}

/* Natural log of x >= 1 without libm (the traces library does not link
 * it): x = 2^k * f, f in [1, 2), ln f = 2 atanh((f-1)/(f+1)), whose series
 * in y <= 1/3 converges to double precision in 20 terms. */
static double ln_ge1(double x)
{
    int k = 0;
    while (x >= 2) {
        x /= 2;
        k++;
    }
    double y = (x - 1) / (x + 1), y2 = y * y, term = y, sum = 0;
    for (int i = 1; i < 40; i += 2) {
        sum += term / i;
        term *= y2;
    }
    return k * 0.69314718055994530942 + 2 * sum;
}

static uint64_t hll_estimate(const uint8_t *reg)
{
    const double m = (double)(1u << TR_INFO_HLL_BITS);
    double sum = 0;
    unsigned zeros = 0;
    for (size_t j = 0; j < (1u << TR_INFO_HLL_BITS); j++) {
        sum += 1.0 / (double)(UINT64_C(1) << reg[j]);
        zeros += reg[j] == 0;
    }
    double e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
    if (e <= 2.5 * m && zeros) /* small range: linear counting */
        e = m * ln_ge1(m / zeros);
    return (uint64_t)(e + 0.5);
}

static int set_grow(page_set *s)
{
    size_t ncap = s->cap ? s->cap * 2 : 1024;
    page_key *ns = malloc(ncap * sizeof *ns);
    if (!ns)
        return TCESIM_ENOMEM;
    for (size_t i = 0; i < ncap; i++)
        ns[i].k1 = EMPTY_KEY;
    for (size_t i = 0; i < s->cap; i++) {
        if (s->slots[i].k1 == EMPTY_KEY)
            continue;
        size_t j = (size_t)key_hash(s->slots[i]) & (ncap - 1);
        while (ns[j].k1 != EMPTY_KEY)
            j = (j + 1) & (ncap - 1);
        ns[j] = s->slots[i];
    }
    free(s->slots);
    s->slots = ns;
    s->cap = ncap;
    return 0;
}

/* Past TR_INFO_EXACT_PAGES keys: every key goes into the registers and the
 * set is freed, so memory stops growing. */
static int set_to_hll(page_set *s)
{
    s->hll = calloc(1u << TR_INFO_HLL_BITS, 1);
    if (!s->hll)
        return TCESIM_ENOMEM;
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i].k1 != EMPTY_KEY)
            hll_add(s->hll, key_hash(s->slots[i]));
    free(s->slots);
    s->slots = NULL;
    s->cap = 0;
    return 0;
}

static int set_add(page_set *s, page_key k)
{
    uint64_t h = key_hash(k);
    if (s->hll) {
        hll_add(s->hll, h);
        return 0;
    }
    if (s->cap) {
        for (size_t i = (size_t)h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
            if (s->slots[i].k1 == EMPTY_KEY)
                break;
            if (s->slots[i].k1 == k.k1 && s->slots[i].k2 == k.k2)
                return 0;
        }
    }
    if (s->count >= TR_INFO_EXACT_PAGES) {
        int rc = set_to_hll(s);
        if (!rc)
            hll_add(s->hll, h);
        return rc;
    }
    if ((s->count + 1) * 2 > s->cap) {
        int rc = set_grow(s);
        if (rc)
            return rc;
    }
    size_t i = (size_t)h & (s->cap - 1);
    while (s->slots[i].k1 != EMPTY_KEY)
        i = (i + 1) & (s->cap - 1);
    s->slots[i] = k;
    s->count++;
    return 0;
}

/* Pages first..last of one instance (k1). */
static int add_pages(page_set *s, uint64_t k1, uint64_t first, uint64_t last)
{
    uint64_t n = last - first; /* pages - 1 */
    if (n >= TR_INFO_MAX_ACCESS_PAGES) {
        s->uncounted += n + 1 - TR_INFO_MAX_ACCESS_PAGES;
        last = first + TR_INFO_MAX_ACCESS_PAGES - 1;
    }
    for (uint64_t p = first;; p++) {
        int rc = set_add(s, (page_key){ k1, p });
        if (rc)
            return rc;
        if (p == last)
            return 0;
    }
}

/* ---- tr_info ---- */

/* Per handle, in a tr_htable (validate.h) whose fields are reused:
 * `where` = the mapping instance id (from 1), `size` = the offset of the
 * mapping's first byte within its first IO page, `live` = mapped. */
static int info_event(tr_info_result *res, tr_htable *handles, page_set *pages,
                      uint64_t *next_instance, uint64_t *live, const tr_event *ev)
{
    const unsigned s = res->page_shift;
    const uint64_t mask = (UINT64_C(1) << s) - 1;
    res->by_op[ev->op]++;
    if (tr_op_is_host(ev->op)) {
        res->by_cpu[ev->actor]++;
        res->by_device[ev->dev]++;
    } else {
        res->by_device[ev->actor]++;
    }
    switch (ev->op) {
    case TR_MAP:
    case TR_MAP_SG:
    case TR_ALLOC: {
        tr_hstate *e = tr_hinsert(handles, ev->handle);
        if (!e)
            return TCESIM_ENOMEM;
        e->where = (*next_instance)++;
        e->size = ev->op == TR_MAP_SG ? (ev->seg_pas ? ev->seg_pas[0] & mask : 0)
                                      : (ev->has_pa ? ev->pa & mask : 0);
        e->live = 1;
        res->bytes_mapped += ev->size;
        if (++*live > res->live_peak)
            res->live_peak = *live;
        return 0;
    }
    case TR_UNMAP:
    case TR_FREE: {
        tr_hstate *e = tr_hfind(handles, ev->handle);
        if (e && e->live) {
            e->live = 0;
            --*live;
        }
        return 0;
    }
    default:
        break;
    }
    if (ev->op == TR_READ)
        res->bytes_read += ev->len;
    else
        res->bytes_written += ev->len;
    if (!ev->has_handle) {
        res->raw_accesses++;
        return add_pages(pages, 0, ev->addr >> s, (ev->addr + ev->len - 1) >> s);
    }
    const tr_hstate *e = tr_hfind(handles, ev->handle);
    if (!e) /* the reader guarantees a mapping: defensive only */
        return 0;
    if (!e->live)
        res->stale_accesses++;
    /* (base + off) >> s without overflow: base < page size */
    uint64_t end = ev->off + ev->len - 1;
    uint64_t first = (ev->off >> s) + (((ev->off & mask) + e->size) >> s);
    uint64_t last = (end >> s) + (((end & mask) + e->size) >> s);
    return add_pages(pages, e->where, first, last);
}

int tr_info(const char *path, unsigned page_shift, tr_info_result *res, tr_error *err)
{
    memset(res, 0, sizeof *res);
    if (page_shift < 12 || page_shift > 30)
        return tr_seterr(err, TCESIM_EINVAL, "page_shift: %u out of range (12..30)", page_shift);
    res->page_shift = page_shift;
    tr_source src;
    int rc = tr_open(path, &src, err);
    if (rc)
        return rc;
    res->devices_declared = src.ndevices;
    tr_htable handles = { 0 };
    page_set pages = { 0 };
    uint64_t next_instance = 1, live = 0;
    tr_event ev;
    while ((rc = tr_next(&src, &ev, err)) == 1) {
        if (res->events++ == 0)
            res->first_ns = ev.time_ns;
        res->last_ns = ev.time_ns;
        rc = info_event(res, &handles, &pages, &next_instance, &live, &ev);
        if (rc) {
            tr_seterr(err, rc, "%s: out of memory", path);
            break;
        }
    }
    tr_close(&src);
    res->span_ns = res->last_ns - res->first_ns;
    res->bytes_moved = res->bytes_read + res->bytes_written;
    res->live_end = live;
    for (uint32_t i = 0; i < TR_MAX_DEVICES; i++)
        res->devices_used += res->by_device[i] != 0;
    for (uint32_t i = 0; i < TR_MAX_CPUS; i++)
        res->cpus_used += res->by_cpu[i] != 0;
    res->distinct_pages = (pages.hll ? hll_estimate(pages.hll) : pages.count) + pages.uncounted;
    res->distinct_pages_approx = pages.hll != NULL || pages.uncounted != 0;
    free(pages.slots);
    free(pages.hll);
    free(handles.slots);
    return rc;
}

/* "N (a 1, b 2, ...)" over the nonzero entries of v. */
static void print_ids(FILE *f, const char *prefix, const uint64_t *v, uint32_t n)
{
    const char *sep = "";
    for (uint32_t i = 0; i < n; i++) {
        if (!v[i])
            continue;
        fprintf(f, "%s%s%u %" PRIu64, sep, prefix, i, v[i]);
        sep = ", ";
    }
    fputc('\n', f);
}

void tr_info_print(const tr_info_result *r, FILE *f)
{
    fprintf(f, "events:            %" PRIu64 "\n", r->events);
    fprintf(f, "by op:             ");
    for (int op = 0; op < TR_OP_COUNT; op++)
        fprintf(f, "%s%s %" PRIu64, op ? ", " : "", tr_op_name((tr_op)op), r->by_op[op]);
    fputc('\n', f);
    fprintf(f, "by device (%u):     ", r->devices_used);
    print_ids(f, "dev", r->by_device, TR_MAX_DEVICES);
    fprintf(f, "by cpu (%u):        ", r->cpus_used);
    print_ids(f, "cpu", r->by_cpu, TR_MAX_CPUS);
    fprintf(f, "devices declared:  %u\n", r->devices_declared);
    fprintf(f, "time span:         %" PRIu64 " ns (%" PRIu64 " .. %" PRIu64 ")\n", r->span_ns,
            r->first_ns, r->last_ns);
    fprintf(f, "bytes moved:       %" PRIu64 " (read %" PRIu64 ", written %" PRIu64 ")\n",
            r->bytes_moved, r->bytes_read, r->bytes_written);
    fprintf(f, "accesses by addr:  %" PRIu64 ", stale: %" PRIu64 "\n", r->raw_accesses,
            r->stale_accesses);
    fprintf(f, "bytes mapped:      %" PRIu64 "\n", r->bytes_mapped);
    fprintf(f, "mappings live:     peak %" PRIu64 ", at the end %" PRIu64 "\n", r->live_peak,
            r->live_end);
    fprintf(f, "distinct IO pages: %s%" PRIu64 " of %" PRIu64 " bytes%s\n",
            r->distinct_pages_approx ? "~" : "", r->distinct_pages, UINT64_C(1) << r->page_shift,
            r->distinct_pages_approx ? " (approximate)" : "");
}
