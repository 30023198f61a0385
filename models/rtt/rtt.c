#include "rtt.h"

#include <stdbool.h>
#include <stdio.h>

#include "../common/numparse.h"
#include "../common/tcesim_err.h"

void rtt_init(rtt *t, uint16_t reserved_pe)
{
    t->reserved_pe = reserved_pe;
    for (uint32_t i = 0; i < RTT_ENTRIES; i++)
        t->pe[i] = reserved_pe;
}

void rtt_set(rtt *t, uint16_t rid, uint16_t pe)
{
    t->pe[rid] = pe;
}

/* Reads 1..4 hex digits at *s (no sign, no "0x", no spaces), advances *s
 * past them and returns how many; 0 when there is none or more than 4. */
static unsigned read_hex(const char **s, uint32_t *out)
{
    uint32_t v = 0;
    unsigned n = 0;
    int d;
    while ((d = num_hex_digit((*s)[n])) >= 0) {
        if (++n > 4)
            return 0;
        v = v << 4 | (uint32_t)d;
    }
    *s += n;
    *out = v;
    return n;
}

/* Hand-written rather than sscanf: sscanf accepts leading spaces, signs and
 * "0x", and cannot tell trailing garbage apart without extra work. */
int rid_parse(const char *s, int32_t *domain, uint16_t *rid)
{
    if (!s)
        return TCESIM_EINVAL;
    uint32_t a, b, dev, dom = 0;
    unsigned na, nb, nd;
    bool has_domain = false;
    /* The first field is the domain when two colons follow; else the bus. */
    if (!(na = read_hex(&s, &a)) || *s++ != ':' || !(nb = read_hex(&s, &b)))
        return TCESIM_EINVAL;
    uint32_t bus;
    if (*s == ':') {
        s++;
        has_domain = true;
        dom = a;
        bus = b;
        if (!(nd = read_hex(&s, &dev)) || nb > 2)
            return TCESIM_EINVAL;
    } else {
        if (na > 2)
            return TCESIM_EINVAL;
        bus = a;
        dev = b;
        nd = nb;
    }
    if (nd > 2 || dev > 0x1f || *s++ != '.')
        return TCESIM_EINVAL;
    if (*s < '0' || *s > '7' || s[1] != '\0')
        return TCESIM_EINVAL;
    *rid = rid_make(bus, dev, (unsigned)(*s - '0'));
    if (domain)
        *domain = has_domain ? (int32_t)dom : RID_NO_DOMAIN;
    return TCESIM_OK;
}

void rid_format(uint16_t rid, char buf[8])
{
    snprintf(buf, 8, "%02x:%02x.%x", (unsigned)(rid >> 8), (unsigned)((rid >> 3) & 0x1f),
             (unsigned)(rid & 7));
}

void rid_format_domain(uint32_t domain, uint16_t rid, char buf[RID_TEXT])
{
    if (domain == 0)
        rid_format(rid, buf);
    else
        snprintf(buf, RID_TEXT, "%04x:%02x:%02x.%x", (unsigned)(domain & 0xffff), (unsigned)(rid >> 8),
                 (unsigned)((rid >> 3) & 0x1f), (unsigned)(rid & 7));
}
