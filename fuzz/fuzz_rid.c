/* libFuzzer harness: the RID parser (models/rtt/rtt.c rid_parse), which
 * reads devices[].rid, the traces' rid= and so every identity a run keys
 * its RTT by.
 *
 * Input: the text (at most 63 bytes are used; a NUL ends it early).
 *
 * Oracle: a second, differently written parser of the grammar
 * [DOMAIN:]BUS:DEV.FN (hex fields of 1-4, 1-2, 1-2 digits, DEV < 0x20, FN
 * one digit 0-7, nothing else) must agree with rid_parse on acceptance and
 * on the values; a refused input leaves the outputs untouched; an accepted
 * one formats (rid_format_domain, rid_format) to text that parses back to
 * the same RID and domain. ASan/UBSan catch the rest. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/tcesim_err.h"
#include "rtt/rtt.h"

/* The oracle's own digit rule, by table lookup (not numparse's, which the
 * parser under test uses). */
static int hexval(char c)
{
    static const char digits[] = "0123456789abcdef0123456789ABCDEF";
    const char *p = c ? strchr(digits, c) : NULL;
    return p ? (int)((p - digits) % 16) : -1;
}

/* A field of 1..max hex digits, the whole of [s, e). */
static bool field(const char *s, const char *e, size_t max, uint32_t *v)
{
    if (e <= s || (size_t)(e - s) > max)
        return false;
    *v = 0;
    for (; s < e; s++) {
        int d = hexval(*s);
        if (d < 0)
            return false;
        *v = *v << 4 | (uint32_t)d;
    }
    return true;
}

/* The reference: split at the colons and the one dot, then check fields. */
static bool reference(const char *s, int32_t *domain, uint16_t *rid)
{
    const char *colon[3];
    int ncolon = 0;
    const char *dot = NULL;
    for (const char *p = s; *p; p++) {
        if (*p == ':') {
            if (ncolon == 2)
                return false;
            colon[ncolon++] = p;
        } else if (*p == '.') {
            if (dot)
                return false;
            dot = p;
        }
    }
    if (ncolon < 1 || !dot || dot < colon[ncolon - 1])
        return false;
    const char *end = s + strlen(s);
    uint32_t dom = 0, bus, dev, fn;
    const char *bus_at = s;
    if (ncolon == 2) {
        if (!field(s, colon[0], 4, &dom))
            return false;
        bus_at = colon[0] + 1;
    }
    if (!field(bus_at, colon[ncolon - 1], 2, &bus) || !field(colon[ncolon - 1] + 1, dot, 2, &dev) ||
        end - dot != 2 || !field(dot + 1, end, 1, &fn) || dev > 0x1f || fn > 7)
        return false;
    *domain = ncolon == 2 ? (int32_t)dom : RID_NO_DOMAIN;
    *rid = (uint16_t)(bus << 8 | dev << 3 | fn);
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[64];
    size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
    memcpy(s, data, n);
    s[n] = 0;

    int32_t dom = 77777, rdom = 77777;
    uint16_t rid = 0xbeef, rrid = 0xbeef;
    bool ok = rid_parse(s, &dom, &rid) == TCESIM_OK;
    bool rok = reference(s, &rdom, &rrid);
    if (ok != rok)
        abort();
    if (!ok) {
        if (dom != 77777 || rid != 0xbeef)
            abort(); /* a refusal writes nothing */
        return 0;
    }
    if (dom != rdom || rid != rrid || (dom != RID_NO_DOMAIN && (dom < 0 || dom > 0xffff)))
        abort();
    /* the canonical forms parse back */
    char buf[RID_TEXT], b8[8];
    int32_t d2;
    uint16_t r2;
    rid_format_domain(dom == RID_NO_DOMAIN ? 0 : (uint32_t)dom, rid, buf);
    if (rid_parse(buf, &d2, &r2) != TCESIM_OK || r2 != rid)
        abort();
    if (dom > 0 && d2 != dom)
        abort();
    if (dom <= 0 && d2 != RID_NO_DOMAIN)
        abort(); /* domain 0 prints as BB:DD.F */
    rid_format(rid, b8);
    if (rid_parse(b8, NULL, &r2) != TCESIM_OK || r2 != rid)
        abort();
    return 0;
}
