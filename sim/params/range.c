/* The rows' machine-readable ranges (params.h: param_range): the one
 * generic check and its text, in messages and in docs/keys.md. */
#include "params/params.h"

#include "common/numparse.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static bool pow2(uint64_t x) { return x && !(x & (x - 1)); }

static uint64_t cap(const param_row *k)
{
    uint64_t m = num_unit_max(k->name);
    /* UINT64_MAX stands for auto in keys that take it; any other key (a
     * seed) may hold every u64 */
    if (m >= CFG_AUTO && k->allow_auto)
        m = CFG_AUTO - 1;
    if (k->rg.max && k->rg.max < m)
        m = k->rg.max;
    return m;
}

uint64_t params_range_max(const param_row *k)
{
    uint64_t m = cap(k);
    if (k->rg.flags & RG_ISPOW2) {
        uint64_t p = 1;
        while (p <= m / 2)
            p *= 2;
        m = p;
    }
    return m;
}

uint64_t params_range_min(const param_row *k)
{
    return k->rg.flags & RG_HAS ? k->rg.min : 0;
}

bool params_in_range(const param_row *k, uint64_t v)
{
    if (v > cap(k))
        return false;
    if (!(k->rg.flags & RG_HAS))
        return true;
    if (k->rg.flags & RG_ISSET)
        return v == k->rg.set[0] || v == k->rg.set[1];
    if (v < k->rg.min)
        return false;
    return !(k->rg.flags & RG_ISPOW2) || pow2(v);
}

/* A bound as a user would write it: sizes with a K/M/G/T suffix when exact. */
static void num_text(const param_row *k, uint64_t v, char *buf, size_t n)
{
    static const char sfx[] = "KMGT";
    int s = -1;
    if (k->type == K_SIZE)
        while (s < 3 && v >= 1024 && v % 1024 == 0) {
            v /= 1024;
            s++;
        }
    if (s >= 0)
        snprintf(buf, n, "%" PRIu64 "%c", v, sfx[s]);
    else
        snprintf(buf, n, "%" PRIu64, v);
}

void params_range_text(const param_row *k, bool article, char *buf, size_t n)
{
    char lo[32], hi[32];
    buf[0] = 0;
    if (!(k->rg.flags & RG_HAS))
        return;
    num_text(k, k->rg.min, lo, sizeof lo);
    num_text(k, k->rg.max, hi, sizeof hi);
    if (k->rg.flags & RG_ISSET) {
        snprintf(buf, n, "%s or %s", lo, hi);
        return;
    }
    const char *p2 = k->rg.flags & RG_ISPOW2 ? (article ? "a power of two" : "power of two") : "";
    if (k->rg.max && k->rg.min)
        snprintf(buf, n, "%s%s%s..%s", p2, *p2 ? ", " : "", lo, hi);
    else if (k->rg.max)
        snprintf(buf, n, "%s%s<= %s", p2, *p2 ? " " : "", hi);
    else
        snprintf(buf, n, "%s%s>= %s", p2, *p2 ? " " : "", lo);
}

void params_range_doc(const param_row *k, char *buf, size_t n)
{
    char t[256] = "";
    if (k->type == K_ENUM)
        for (int i = 0; k->enums[i]; i++) {
            strncat(t, i ? ", " : "", sizeof t - strlen(t) - 1);
            strncat(t, k->enums[i], sizeof t - strlen(t) - 1);
        }
    else
        params_range_text(k, false, t, sizeof t);
    snprintf(buf, n, "%s%s%s%s%s", t, *t && *k->range ? "; " : "", k->range,
             k->allow_auto && (*t || *k->range) ? ", " : "", k->allow_auto ? "or auto" : "");
}
