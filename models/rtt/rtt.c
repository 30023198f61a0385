#include "rtt.h"

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

/* Reads 1..max_digits hex digits at *s (no sign, no "0x", no spaces) and
 * advances *s past them. Returns false if there is none or too many. */
static int read_hex(const char **s, unsigned max_digits, uint32_t *out)
{
    uint32_t v = 0;
    unsigned n = 0;
    int d;
    while ((d = num_hex_digit((*s)[n])) >= 0) {
        if (++n > max_digits)
            return 0;
        v = v << 4 | (uint32_t)d;
    }
    if (n == 0)
        return 0;
    *s += n;
    *out = v;
    return 1;
}

/* Hand-written rather than sscanf: sscanf accepts leading spaces, signs and
 * "0x", and cannot tell trailing garbage apart without extra work. */
int rid_parse(const char *s, uint16_t *rid)
{
    if (!s)
        return TCESIM_EINVAL;
    uint32_t a, b, dev;
    /* The first field is the domain (Linux prints %04x but domains above
     * 0xffff exist, so up to 8 digits) when two colons follow; else the bus. */
    if (!read_hex(&s, 8, &a) || *s++ != ':')
        return TCESIM_EINVAL;
    if (!read_hex(&s, 8, &b))
        return TCESIM_EINVAL;
    uint32_t bus;
    if (*s == ':') {
        s++;
        bus = b;
        if (!read_hex(&s, 2, &dev))
            return TCESIM_EINVAL;
    } else {
        bus = a;
        dev = b;
    }
    if (bus > 0xff || dev > 0x1f || *s++ != '.')
        return TCESIM_EINVAL;
    if (*s < '0' || *s > '7' || s[1] != '\0')
        return TCESIM_EINVAL;
    *rid = rid_make(bus, dev, (unsigned)(*s - '0'));
    return TCESIM_OK;
}

void rid_format(uint16_t rid, char buf[8])
{
    snprintf(buf, 8, "%02x:%02x.%x", (unsigned)(rid >> 8), (unsigned)((rid >> 3) & 0x1f),
             (unsigned)(rid & 7));
}
