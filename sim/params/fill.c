#include "params/params.h"

#include <string.h>

static unsigned ilog2_u64(uint64_t x) { return 63u - (unsigned)__builtin_clzll(x); }

static void put(const param_row *r, const param_sink *s, const void *base, void *out)
{
    const char *from = (const char *)base + r->off;
    char *to = (char *)out + s->off;
    uint64_t v = 0;
    int e = 0;
    bool b = false;
    if (r->type == K_BOOL)
        memcpy(&b, from, sizeof b);
    else if (r->type == K_ENUM)
        memcpy(&e, from, sizeof e);
    else if (r->type == K_U64 || r->type == K_SIZE)
        memcpy(&v, from, sizeof v);
    switch (s->conv) {
    case CV_U64: memcpy(to, &v, sizeof v); break;
    case CV_U32: { uint32_t u = (uint32_t)v; memcpy(to, &u, sizeof u); break; }
    case CV_NS_PS: { uint64_t ps = v * 1000u; memcpy(to, &ps, sizeof ps); break; }
    case CV_X1000: { uint64_t x = v * 1000u; memcpy(to, &x, sizeof x); break; }
    case CV_BOOL: memcpy(to, &b, sizeof b); break;
    case CV_ENUM: { int m = s->map ? s->map[e] : e; memcpy(to, &m, sizeof m); break; }
    case CV_ENUM_BOOL: { bool x = e != 0; memcpy(to, &x, sizeof x); break; }
    case CV_ILOG2: { unsigned x = ilog2_u64(v); memcpy(to, &x, sizeof x); break; }
    case CV_AUTO0_U32: { uint32_t u = v == CFG_AUTO ? 0 : (uint32_t)v; memcpy(to, &u, sizeof u); break; }
    }
}

void params_fill(const param_row *rows, size_t n, param_struct in, const void *base, void *out)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < PARAM_SINKS; j++)
            if (rows[i].sink[j].in == in)
                put(&rows[i], &rows[i].sink[j], base, out);
}
