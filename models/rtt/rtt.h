/* RTT: the PHB's RID Translation Table, RID -> PE.
 *
 * Hardware: 65536 2-byte entries in memory (128 KiB), cached by the PHB (RTC,
 * invalidated through PHB_RTC_INVALIDATE 0x208; skiboot hw/phb3.c). Unused
 * RIDs point at the reserved PE: PHB3 has 256 PEs with PE 255 reserved, PHB4
 * 256 or 512 with the last reserved (skiboot include/phb3.h PHB3_MAX_PE_NUM, hw/phb4.c
 * phb4_init_ioda3: 512 PEs in "big" mode). The RTC is not
 * timed here: the RTT is written once at setup and its cache is assumed warm,
 * so the lookup cost is part of the PHB's lookup latency. */
#ifndef TCESIM_RTT_H
#define TCESIM_RTT_H

#include <stdint.h>

#define RTT_ENTRIES 65536u

typedef struct rtt {
    uint16_t reserved_pe;
    uint16_t pe[RTT_ENTRIES];
} rtt;

/* Every RID points at reserved_pe. */
void rtt_init(rtt *t, uint16_t reserved_pe);
void rtt_set(rtt *t, uint16_t rid, uint16_t pe);

static inline uint16_t rtt_lookup(const rtt *t, uint16_t rid) { return t->pe[rid]; }

/* RID = bus << 8 | dev << 3 | fn. */
static inline uint16_t rid_make(unsigned bus, unsigned dev, unsigned fn)
{
    return (uint16_t)((bus & 0xff) << 8 | (dev & 0x1f) << 3 | (fn & 7));
}

/* Parses "BB:DD.F" (hex bus and device, decimal function 0-7, as lspci prints
 * them) or "DDDD:BB:DD.F" (a PCI domain prefix, ignored). Returns 0 and sets
 * *rid, or TCESIM_EINVAL for anything else (trailing characters included). */
int rid_parse(const char *s, uint16_t *rid);

/* Formats a RID as "BB:DD.F" into buf (at least 8 bytes). */
void rid_format(uint16_t rid, char buf[8]);

#endif
