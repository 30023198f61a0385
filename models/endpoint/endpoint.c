#include "endpoint.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "../common/tcesim_err.h"

/* Transfer rate per lane in MT/s and encoding, PCIe Base Spec 4.2:
 * Gen1 2.5 GT/s and Gen2 5 GT/s use 8b/10b; Gen3 8, Gen4 16, Gen5 32 GT/s
 * use 128b/130b. */
static const struct { uint32_t mtps, enc_num, enc_den; } link_rates[6] = {
    {0, 1, 1}, {2500, 8, 10}, {5000, 8, 10}, {8000, 128, 130}, {16000, 128, 130}, {32000, 128, 130},
};

int ep_link_parse(const char *s, ep_link *out)
{
    char buf[32];
    size_t n = 0;
    for (; *s && n + 1 < sizeof buf; s++)
        if (!isspace((unsigned char)*s))
            buf[n++] = (char)tolower((unsigned char)*s);
    if (*s)
        return TCESIM_EINVAL;
    buf[n] = 0;
    unsigned gen, width;
    char tail;
    if (sscanf(buf, "gen%ux%u%c", &gen, &width, &tail) != 2)
        return TCESIM_EINVAL;
    if (gen < 1 || gen > 5)
        return TCESIM_EINVAL;
    if (width != 1 && width != 2 && width != 4 && width != 8 && width != 16 && width != 32)
        return TCESIM_EINVAL;
    out->gen = gen;
    out->width = width;
    return 0;
}

ps_t ep_link_wire_ps(const ep_link *l, uint64_t bytes)
{
    /* ps = bits * 10^12 / (MT/s * 10^6 * enc * width) */
    uint64_t num = bytes * 8 * 1000000ull * link_rates[l->gen].enc_den;
    uint64_t den = (uint64_t)link_rates[l->gen].mtps * link_rates[l->gen].enc_num * l->width;
    return (num + den - 1) / den;
}

/* ACK latency limits and flow-control update guidelines in symbol times,
 * i.e. bytes per lane group, indexed [gen class][width][mps]: the PCIe Base
 * Specification rev 5.0 tables 3-7, 3-8, 3-9 (ACK) and 2-46, 2-47, 2-48
 * (FC), as pcie-model tabulates them. Gen4 and Gen5 use Gen3's values. */
static const uint16_t ack_limit[3][6][6] = {
    /* gen1 */ {{237, 416, 559, 1071, 2095, 4143}, {128, 217, 289, 545, 1057, 2081}, {73, 118, 154, 282, 538, 1050},
                {67, 107, 86, 150, 278, 534}, {48, 72, 86, 150, 278, 534}, {33, 45, 52, 84, 148, 276}},
    /* gen2 */ {{288, 467, 610, 1122, 2146, 4194}, {179, 268, 340, 596, 1108, 2132}, {124, 169, 205, 333, 589, 1101},
                {118, 158, 137, 201, 329, 585}, {99, 123, 137, 201, 329, 585}, {84, 96, 103, 135, 199, 237}},
    /* gen3+ */ {{333, 512, 655, 1167, 2191, 4239}, {224, 313, 385, 641, 1153, 2177}, {169, 214, 250, 378, 634, 1146},
                {163, 203, 182, 246, 374, 630}, {144, 168, 182, 246, 374, 630}, {129, 141, 148, 180, 244, 372}},
};
static const uint16_t fc_guide[3][6][6] = {
    /* gen1 */ {{237, 416, 559, 1071, 2095, 4143}, {128, 217, 289, 545, 1057, 2081}, {73, 118, 154, 282, 538, 1050},
                {67, 107, 86, 150, 278, 534}, {48, 72, 86, 150, 278, 534}, {33, 45, 52, 84, 248, 276}},
    /* gen2 */ {{288, 467, 610, 1122, 2146, 4194}, {179, 268, 340, 596, 1108, 2132}, {124, 169, 205, 333, 589, 1101},
                {118, 158, 137, 201, 329, 585}, {99, 123, 137, 201, 329, 585}, {84, 96, 103, 135, 199, 327}},
    /* gen3+ */ {{333, 512, 655, 1167, 2191, 4239}, {224, 313, 385, 641, 1153, 2177}, {169, 214, 250, 378, 634, 1146},
                {163, 203, 182, 246, 374, 630}, {144, 168, 182, 246, 374, 630}, {129, 141, 148, 180, 244, 372}},
};

static unsigned log2_u32(uint32_t x) { return 31u - (unsigned)__builtin_clz(x); }

uint32_t ep_link_overhead_ppm(const ep_link *l, uint32_t mps)
{
    unsigned g = l->gen <= 1 ? 0 : l->gen == 2 ? 1 : 2;
    unsigned w = log2_u32(l->width);           /* x1 -> 0 .. x32 -> 5 */
    unsigned m = log2_u32(mps) - 7;            /* 128 -> 0 .. 4096 -> 5 */
    if (w > 5 || m > 5)
        return 0;
    /* 8-byte DLLPs (2 B framing + 4 B DLLP + 2 B CRC) per limit, and SKIP
     * ordered sets of 4 B every 1538 B, in ppm, rounded to nearest. */
    double ovh = 8.0 / ack_limit[g][w][m] + 8.0 / fc_guide[g][w][m] + 4.0 / 1538.0;
    return (uint32_t)(ovh * 1e6 + 0.5);
}

uint32_t ep_cpl_len(const ep_params *p, uint64_t addr, uint64_t len)
{
    uint32_t rcb = p->rcb ? p->rcb : 64;
    uint64_t to_rcb = rcb - (addr & (rcb - 1));
    uint64_t n;
    if (p->cpl_rcb_chunks)
        n = to_rcb;
    else /* up to MPS, ending on an RCB boundary */
        n = p->mps - (addr & (rcb - 1));
    return (uint32_t)(len < n ? len : n);
}

static bool pow2_in(uint32_t x, uint32_t lo, uint32_t hi)
{
    return x >= lo && x <= hi && !(x & (x - 1));
}

int ep_params_check(const ep_params *p)
{
    if (p->link.gen < 1 || p->link.gen > 5 || p->link.width < 1)
        return TCESIM_EINVAL;
    /* MPS and MRRS encodings cover 128..4096 bytes (PCIe Device Control). */
    if (!pow2_in(p->mps, 128, 4096) || !pow2_in(p->mrrs, 128, 4096))
        return TCESIM_EINVAL;
    if (p->tags < 1 || p->tags > EP_MAX_TAGS)
        return TCESIM_EINVAL;
    if (p->rcb && p->rcb != 64 && p->rcb != 128)
        return TCESIM_EINVAL;
    return 0;
}

void ep_count(const ep_params *p, uint64_t addr, uint64_t len, bool is_write, ep_tlp_count *out)
{
    memset(out, 0, sizeof(*out));
    uint32_t max = is_write ? p->mps : p->mrrs;
    while (len) {
        uint32_t n = ep_tlp_len(addr, len, max);
        out->requests++;
        if (is_write) {
            out->up_bytes += ep_req_hdr_bytes(addr) + n;
        } else {
            out->up_bytes += ep_req_hdr_bytes(addr);
            for (uint64_t a = addr, left = n; left;) {
                uint32_t c = ep_cpl_len(p, a, left);
                out->completions++;
                out->down_bytes += EP_CPL_HDR_BYTES + c;
                a += c;
                left -= c;
            }
        }
        addr += n;
        len -= n;
    }
}

/* ep_link_wire_ps through a direct-mapped memo keyed by size (a TLP train
 * has two or three distinct sizes: requests, full and last completions).
 * Sizes are whole DWs with 20 or 24 header bytes, so their low bits are all
 * alike: a Fibonacci hash spreads them (20, 24 and 20 or 24 plus 64 .. 1024
 * bytes of payload land in 12 distinct entries of 16). */
static ps_t wire_ps(endpoint *e, uint32_t bytes)
{
    unsigned k = (unsigned)((bytes * 2654435761u) >> 28) & (EP_WIRE_MEMO - 1);
    if (e->memo_bytes[k] != bytes) {
        e->memo_bytes[k] = bytes;
        ps_t raw = ep_link_wire_ps(&e->p.link, bytes);
        /* the DLLP/SKIP share stretches every TLP's time on the wire */
        e->memo_ps[k] = e->derate_ppm ? (raw * 1000000u + (1000000u - e->derate_ppm) - 1) / (1000000u - e->derate_ppm) : raw;
    }
    return e->memo_ps[k];
}

int ep_init(endpoint *e, const ep_params *p)
{
    int rc = ep_params_check(p);
    if (rc)
        return rc;
    memset(e, 0, sizeof(*e));
    e->p = *p;
    for (unsigned k = 0; k < EP_WIRE_MEMO; k++)
        e->memo_bytes[k] = UINT32_MAX;
    e->derate_ppm = p->dllp_overhead ? ep_link_overhead_ppm(&p->link, p->mps) : 0;
    /* 8 ns bins (a completion takes ~10 ns at Gen3 x8; a power of two in
     * ps) over the horizon completions may spread over. */
    ps_t horizon = p->horizon_ps ? p->horizon_ps : EP_DEFAULT_HORIZON_PS;
    return calendar_init(&e->down, 8192, calendar_bins_for(8192, horizon));
}

void ep_destroy(endpoint *e)
{
    if (e)
        calendar_destroy(&e->down);
}

static void heap_push(endpoint *e, ps_t v)
{
    uint32_t i = e->tags_used++;
    while (i && e->tag_heap[(i - 1) / 2] > v) {
        e->tag_heap[i] = e->tag_heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    e->tag_heap[i] = v;
}

static ps_t heap_pop(endpoint *e)
{
    ps_t *h = e->tag_heap;
    ps_t top = h[0];
    uint32_t n = --e->tags_used;
    ps_t last = h[n];
    /* A sentinel past the heap: a lone last child needs no bounds check,
     * and the child is picked without a branch (the comparison's outcome
     * is a coin toss, which a branch predictor loses). */
    h[n] = PS_NEVER;
    uint32_t i = 0, c;
    while ((c = 2 * i + 1) < n) {
        c += h[c + 1] < h[c];
        if (h[c] >= last)
            break;
        h[i] = h[c];
        i = c;
    }
    if (n)
        h[i] = last;
    return top;
}

ps_t ep_tag_ready(const endpoint *e, ps_t t)
{
    return e->tags_used < e->p.tags ? t : ps_max(t, e->tag_heap[0]);
}

ps_t ep_send_request(endpoint *e, uint64_t bus_addr, uint32_t payload, bool is_write, ps_t t)
{
    uint32_t wire = ep_req_hdr_bytes(bus_addr);
    if (is_write) {
        wire += payload;
        e->st.write_tlps++;
    } else {
        /* Every tag in use: wait for the earliest release. */
        if (e->tags_used == e->p.tags) {
            ps_t freed = heap_pop(e);
            if (freed > t) {
                e->st.tag_waits++;
                e->st.tag_wait_ps += freed - t;
                t = freed;
            }
        }
        e->st.read_tlps++;
    }
    e->last_issue_ps = t;
    /* The engine prepares the request, then the link carries it. */
    ps_t work = is_write ? e->p.write_req_ps + (ps_t)payload * e->p.write_byte_ps
                         : e->p.read_req_ps + (ps_t)payload * e->p.read_byte_ps;
    ps_t ready = ps_max(t, e->engine_free) + work;
    e->engine_free = ready;
    ps_t start = ps_max(ready, e->up_free);
    e->last_link_ps = start;
    e->st.engine_wait_ps += start - t;
    ps_t w = wire_ps(e, wire);
    e->up_free = start + w;
    e->st.up_bytes += wire;
    e->st.up_busy_ps += w;
    return e->up_free;
}

ps_t ep_cpl_wire_ps(endpoint *e, uint64_t addr, uint32_t len)
{
    ps_t total = 0;
    while (len) {
        uint32_t n = ep_cpl_len(&e->p, addr, len);
        total += wire_ps(e, EP_CPL_HDR_BYTES + n);
        addr += n;
        len -= n;
    }
    return total;
}

ps_t ep_send_completions(endpoint *e, uint32_t len, ps_t t)
{
    return ep_send_completions_at(e, 0, len, t);
}

ps_t ep_send_completions_at(endpoint *e, uint64_t addr, uint32_t len, ps_t t)
{
    ps_t at = t;
    while (len) {
        uint32_t n = ep_cpl_len(&e->p, addr, len);
        addr += n;
        uint32_t wire = EP_CPL_HDR_BYTES + n;
        ps_t w = wire_ps(e, wire);
        at = calendar_book(&e->down, at, w);
        e->st.down_bytes += wire;
        e->st.down_busy_ps += w;
        e->st.cpl_tlps++;
        len -= n;
    }
    at += e->p.read_done_ps;
    heap_push(e, at);
    return at;
}

void ep_release_tag(endpoint *e, ps_t t)
{
    heap_push(e, t);
}
