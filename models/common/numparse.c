#include "common/numparse.h"

#include <string.h>

#define WHY_NUM "decimal or 0x hex"

static int bad(const char **why, const char *w)
{
    if (why)
        *why = w;
    return -1;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int num_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int num_parse(const char *s, bool size, uint64_t *out, const char **why)
{
    const char *what = size ? WHY_NUM ", or decimal with K, M, G or T" : WHY_NUM;
    if (!s || !*s)
        return bad(why, "empty: expected " WHY_NUM);
    size_t len = strlen(s);
    if (is_space(s[0]) || is_space(s[len - 1]))
        return bad(why, "no whitespace around a number");
    if (s[0] == '-' || s[0] == '+')
        return bad(why, "no sign: numbers are non-negative, " WHY_NUM);
    uint64_t v = 0;
    const char *p = s;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        if (p[1] == 'X')
            return bad(why, "hex is written with a lowercase 0x");
        p += 2;
        if (!*p)
            return bad(why, "0x without hex digits");
        for (; *p; p++) {
            int d = num_hex_digit(*p);
            if (d < 0)
                return bad(why, size && strchr("KMGT", *p) && !p[1] ? "a K, M, G or T suffix only on a decimal"
                                                                    : "bad hex digit (" WHY_NUM ")");
            if (v > (UINT64_MAX >> 4))
                return bad(why, "too large (max 18446744073709551615)");
            v = v << 4 | (uint64_t)d;
        }
        *out = v;
        return 0;
    }
    if (*p < '0' || *p > '9')
        return bad(why, what);
    if (p[0] == '0' && p[1] >= '0' && p[1] <= '9')
        return bad(why, WHY_NUM ", no leading zeros");
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return bad(why, "too large (max 18446744073709551615)");
        v = v * 10 + d;
    }
    if (*p) {
        unsigned shift;
        switch (*p) {
        case 'K': shift = 10; break;
        case 'M': shift = 20; break;
        case 'G': shift = 30; break;
        case 'T': shift = 40; break;
        default: shift = 0; break;
        }
        if (!size) {
            if (shift || strchr("kmgt", *p))
                return bad(why, "no suffix: not a byte count (" WHY_NUM ")");
            return bad(why, what);
        }
        if (!shift)
            return bad(why, strchr("kmgtB", *p) ? "suffixes are K, M, G, T (powers of 1024), uppercase"
                                                : what);
        if (p[1])
            return bad(why, "suffixes are K, M, G, T (powers of 1024), nothing after (no KiB, KB)");
        if (v > (UINT64_MAX >> shift))
            return bad(why, "too large (max 18446744073709551615)");
        v <<= shift;
    }
    *out = v;
    return 0;
}

int num_parse_u64(const char *s, uint64_t *out, const char **why) { return num_parse(s, false, out, why); }

int num_parse_size(const char *s, uint64_t *out, const char **why) { return num_parse(s, true, out, why); }

uint64_t num_unit_max(const char *key)
{
    size_t n = key ? strlen(key) : 0;
    if (n >= 3 && !strcmp(key + n - 3, "_ns"))
        return NUM_NS_MAX;
    if (n >= 3 && !strcmp(key + n - 3, "_ps"))
        return NUM_PS_MAX;
    return UINT64_MAX;
}
