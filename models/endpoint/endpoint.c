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
            uint32_t ncpl = (n + p->mps - 1) / p->mps;
            out->completions += ncpl;
            out->down_bytes += (uint64_t)ncpl * EP_CPL_HDR_BYTES + n;
        }
        addr += n;
        len -= n;
    }
}

/* ep_link_wire_ps through a 4-entry memo keyed by size (a TLP train has
 * two or three distinct sizes: requests, full and last completions). */
static ps_t wire_ps(endpoint *e, uint32_t bytes)
{
    unsigned k = bytes & 3;
    if (e->memo_bytes[k] != bytes) {
        e->memo_bytes[k] = bytes;
        e->memo_ps[k] = ep_link_wire_ps(&e->p.link, bytes);
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
    for (unsigned k = 0; k < 4; k++)
        e->memo_bytes[k] = UINT32_MAX;
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
    ps_t top = e->tag_heap[0];
    ps_t last = e->tag_heap[--e->tags_used];
    uint32_t i = 0, n = e->tags_used;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && e->tag_heap[c + 1] < e->tag_heap[c])
            c++;
        if (e->tag_heap[c] >= last)
            break;
        e->tag_heap[i] = e->tag_heap[c];
        i = c;
    }
    if (n)
        e->tag_heap[i] = last;
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
    ps_t start = ps_max(t, e->up_free);
    e->last_issue_ps = start;
    e->up_free = start + wire_ps(e, wire);
    e->st.up_bytes += wire;
    return e->up_free;
}

ps_t ep_send_completions(endpoint *e, uint32_t len, ps_t t)
{
    ps_t at = t;
    while (len) {
        uint32_t n = len < e->p.mps ? len : e->p.mps;
        uint32_t wire = EP_CPL_HDR_BYTES + n;
        at = calendar_book(&e->down, at, wire_ps(e, wire));
        e->st.down_bytes += wire;
        e->st.cpl_tlps++;
        len -= n;
    }
    heap_push(e, at);
    return at;
}

void ep_release_tag(endpoint *e, ps_t t)
{
    heap_push(e, t);
}
