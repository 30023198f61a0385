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

/* A RID's text forms: "[DOMAIN:]BUS:DEV.FN", every field hex, leading zeros
 * optional: domain 1-4 digits (a u16: on PowerNV the domain is the PHB's
 * number, hose->global_number, arch/powerpc/kernel/pci-common.c), bus 1-2,
 * device 1-2 and below 0x20, function 1 digit below 8. The kernel names a
 * PCI device "%04x:%02x:%02x.%d" (drivers/pci/probe.c pci_setup_device:
 * dev_set_name(&dev->dev, "%04x:%02x:%02x.%d", pci_domain_nr(dev->bus),
 * dev->bus->number, PCI_SLOT(dev->devfn), PCI_FUNC(dev->devfn))), which is
 * what `lspci -D`, sysfs and the dma: trace events print; plain `lspci`
 * drops the domain ("01:00.0"). So "01:00.0", "1:0.0" and "0000:01:00.0"
 * are one function.
 *
 * Returns 0 and sets *rid (bus << 8 | dev << 3 | fn) and, when domain is not
 * NULL, *domain (RID_NO_DOMAIN when the text gives none); TCESIM_EINVAL for
 * anything else (spaces, signs, "0x", trailing characters), leaving both
 * untouched. */
#define RID_NO_DOMAIN (-1)
int rid_parse(const char *s, int32_t *domain, uint16_t *rid);

/* Formats a RID as "BB:DD.F" into buf (at least 8 bytes). */
void rid_format(uint16_t rid, char buf[8]);

/* The canonical form messages and the report print: "BB:DD.F" in domain 0,
 * "DDDD:BB:DD.F" (the kernel's pci_name()) in any other: plain lspci's form
 * on a domain-0 machine, and never ambiguous, since a run has one domain
 * (phb.domain). buf: RID_TEXT bytes. */
#define RID_TEXT 13
void rid_format_domain(uint32_t domain, uint16_t rid, char buf[RID_TEXT]);

#endif
