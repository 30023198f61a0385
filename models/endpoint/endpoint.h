/* A PCIe endpoint and its link, as the DMA engine sees them: how one DMA
 * access becomes TLPs, and when each TLP crosses the link.
 *
 * TLP rules (PCIe Base Specification, 2.2.7 and 2.3.1.1): a memory read
 * request asks for at most the Max_Read_Request_Size, a memory write carries
 * at most the Max_Payload_Size, and no request crosses a 4 KiB boundary.
 * Completions (2.3.1.1): every completion but the last ends on a read
 * completion boundary (RCB); a root complex returns them in chunks of up to
 * MPS (the first one up to the next RCB-aligned point) or, as several older
 * chipsets do, of one RCB each (`cpl_rcb_chunks`). Wire bytes per TLP
 * include header and framing as in pcie-model (Neugebauer et al., SIGCOMM
 * 2018, model/pcie.py): MWr/MRd 24 B with a 64-bit address (4DW header), 20 B
 * below 4 GiB (3DW); CplD 20 B. With `dllp_overhead`, each direction also
 * carries ACK and flow-control DLLPs (8 B each, at the rates the PCIe Base
 * Specification recommends: rev 5.0 tables 3-7..3-9 and 2-46..2-48) and SKIP
 * ordered sets (4 B every 1538 B), which pcie-model turns into a derating
 * of the raw rate: Gen3 x8 at MPS 256 carries 57.9 of 63.0 Gb/s.
 *
 * Link rate: GT/s x lanes x encoding (8b/10b Gen1-2, 128b/130b Gen3-5).
 * Upstream (device -> host) the device issues requests in order: a "busy
 * until" timeline. Downstream, completions become ready out of call order (a
 * hit after a miss), so that direction is a bandwidth calendar
 * (models/common/calendar.h). Reads hold one of `tags`
 * outstanding-request tags from issue to their last completion; posted
 * writes hold none. */
#ifndef TCESIM_ENDPOINT_H
#define TCESIM_ENDPOINT_H

#include <stdbool.h>
#include <stdint.h>
#include "../common/calendar.h"
#include "../common/tcesim_time.h"

#define EP_MAX_TAGS 1024u

typedef struct ep_link {
    unsigned gen;     /* 1..5 */
    unsigned width;   /* lanes: 1, 2, 4, 8, 16, 32 */
} ep_link;

/* Parses "gen3x8" (also "Gen3 x8" spacing-free, case-insensitive). */
int ep_link_parse(const char *s, ep_link *out);

/* Picoseconds to put `bytes` on the wire at the raw rate (ceil). */
ps_t ep_link_wire_ps(const ep_link *l, uint64_t bytes);

/* The DLLP + SKIP share of the raw rate, in parts per million, for a link
 * and MPS (pcie-model's TLP_bw: 8/ack_limit + 8/fc_guide + 4/1538). */
uint32_t ep_link_overhead_ppm(const ep_link *l, uint32_t mps);


typedef struct ep_params {
    ep_link link;
    uint32_t mps;     /* Max_Payload_Size: 128..4096, power of two */
    uint32_t mrrs;    /* Max_Read_Request_Size: 128..4096, power of two */
    uint32_t tags;    /* 1..EP_MAX_TAGS */
    uint32_t rcb;     /* read completion boundary: 64 or 128 (0 = 64) */
    bool cpl_rcb_chunks; /* completions of one RCB each instead of up to MPS */
    bool dllp_overhead;  /* derate the link for ACK/FC DLLPs and SKIPs */
    /* The device's DMA engine: each request occupies it for
     * req + bytes * per_byte before its TLP can go on the link (requests
     * are processed one at a time, in order). Device-specific; 0 = free. */
    ps_t read_req_ps, write_req_ps;
    uint32_t read_byte_ps, write_byte_ps;
    /* The device's own latency per read after its last completion arrives
     * (handing the data over), during which the read still holds its tag. */
    ps_t read_done_ps;
    ps_t horizon_ps;  /* widest out-of-order spread of completions;
                       * 0 = EP_DEFAULT_HORIZON_PS */
} ep_params;

#define EP_DEFAULT_HORIZON_PS 16000000ull /* 16 us */

int ep_params_check(const ep_params *p); /* TCESIM_EINVAL if out of range */

/* Size of the next completion of a read of [addr, addr+len). */
uint32_t ep_cpl_len(const ep_params *p, uint64_t addr, uint64_t len);

/* Splitting: the next TLP of [addr, addr+len): its length. */
static inline uint32_t ep_tlp_len(uint64_t addr, uint64_t len, uint32_t max_bytes)
{
    uint64_t to_4k = 4096 - (addr & 4095);
    uint64_t n = len < max_bytes ? len : max_bytes;
    return (uint32_t)(n < to_4k ? n : to_4k);
}

/* Number of TLPs and wire bytes of an access, for tests and reports. */
typedef struct ep_tlp_count {
    uint64_t requests;     /* MRd or MWr */
    uint64_t completions;  /* CplD (reads) */
    uint64_t up_bytes;     /* device -> host wire bytes */
    uint64_t down_bytes;   /* host -> device wire bytes */
} ep_tlp_count;

void ep_count(const ep_params *p, uint64_t addr, uint64_t len, bool is_write, ep_tlp_count *out);

/* Header + framing bytes of a request TLP at bus address addr. */
static inline uint32_t ep_req_hdr_bytes(uint64_t addr) { return addr >> 32 ? 24u : 20u; }
#define EP_CPL_HDR_BYTES 20u
/* Entries of the wire-time memo (endpoint.c wire_ps): a power of two. */
#define EP_WIRE_MEMO 16u

typedef struct ep_stats {
    uint64_t reads, writes;         /* accesses */
    uint64_t read_tlps, write_tlps, cpl_tlps;
    uint64_t up_bytes, down_bytes;
    ps_t up_busy_ps, down_busy_ps;  /* wire time each direction carried TLPs */
    uint64_t tag_waits;             /* requests that found every tag in use */
    ps_t tag_wait_ps;
    ps_t engine_wait_ps;            /* issue to link: engine queueing and work, link queueing */
} ep_stats;

/* Link and tag state of one device. */
typedef struct endpoint {
    ep_params p;
    ps_t up_free;                   /* upstream direction busy until */
    ps_t engine_free;               /* the DMA engine busy until */
    ps_t last_issue_ps;             /* when the last request was issued (had its tag) */
    ps_t last_link_ps;              /* when it began on the link */
    calendar down;                  /* downstream direction */
    uint32_t derate_ppm;            /* ep_link_overhead_ppm when dllp_overhead */
    uint32_t memo_bytes[EP_WIRE_MEMO]; /* wire times of recent TLP sizes: the */
    ps_t memo_ps[EP_WIRE_MEMO];        /* sizes repeat, the division need not */
    uint32_t tags_used;
    ps_t tag_heap[EP_MAX_TAGS];     /* release times, min-heap */
    ep_stats st;
} endpoint;

/* Returns 0, TCESIM_EINVAL (bad params) or TCESIM_ENOMEM. */
int ep_init(endpoint *e, const ep_params *p);
void ep_destroy(endpoint *e);

/* Issuing a request at time t: waits for a tag (reads), for the DMA engine
 * and for the upstream link; returns when the TLP has fully arrived at the
 * root port, and sets last_issue_ps (tag in hand) and last_link_ps (on the
 * wire). */
ps_t ep_send_request(endpoint *e, uint64_t bus_addr, uint32_t payload, bool is_write, ps_t t);

/* Earliest time a read request can be issued at or after t (a tag is free). */
ps_t ep_tag_ready(const endpoint *e, ps_t t);

/* The completions of a read of `len` bytes at bus address `addr` whose data
 * is ready at t: split as described above, serialised downstream; returns
 * when the read is done (the last one has arrived, plus read_done_ps), and
 * releases the request's tag then. */
ps_t ep_send_completions_at(endpoint *e, uint64_t addr, uint32_t len, ps_t t);
/* Time the completions of such a read take on the wire, without booking it
 * (what the root port needs to hold the read's entry for). */
ps_t ep_cpl_wire_ps(endpoint *e, uint64_t addr, uint32_t len);

/* The same for an RCB-aligned address. */
ps_t ep_send_completions(endpoint *e, uint32_t len, ps_t t);

/* Releases a read's tag without completions (the request was dropped or
 * faulted: the device times it out; here it is released at t). */
void ep_release_tag(endpoint *e, ps_t t);

#endif
