/* `tcesim config`: the configuration described through the key rows, as
 * text (value, default, meaning, context) and as JSON. */
#include "config.h"
#include "params/params.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef param_row key;
#define global_keys params_global
#define device_keys params_device
#define pe_keys params_pe

static void value_str(const key *k, const void *base, char *buf, size_t n)
{
    const char *p = (const char *)base + k->off;
    switch (k->type) {
    case K_U64:
    case K_SIZE: {
        uint64_t v = *(const uint64_t *)p;
        if (v == CFG_AUTO && k->allow_auto)
            snprintf(buf, n, "auto");
        else if (k->type == K_SIZE && v >= 1024 && v % (1ull << 30) == 0)
            snprintf(buf, n, "%" PRIu64 "G", v >> 30);
        else if (k->type == K_SIZE && v >= 1024 && v % (1ull << 20) == 0)
            snprintf(buf, n, "%" PRIu64 "M", v >> 20);
        else if (k->type == K_SIZE && v >= 1024 && v % 1024 == 0)
            snprintf(buf, n, "%" PRIu64 "K", v >> 10);
        else
            snprintf(buf, n, "%" PRIu64, v);
        break;
    }
    case K_BOOL: snprintf(buf, n, "%s", *(const bool *)p ? "true" : "false"); break;
    case K_ENUM: snprintf(buf, n, "%s", k->enums[*(const int *)p]); break;
    case K_STR: snprintf(buf, n, "%s", p); break;
    }
}

typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 4096) + (size_t)n;
        char *s = realloc(b->s, cap);
        if (!s)
            return;
        b->s = s;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static void describe_key(sbuf *b, const char *path, const key *k, const void *base)
{
    char v[64];
    value_str(k, base, v, sizeof v);
    sb_printf(b, "%-28s = %-12s # %s (default: %s)", path, v, k->meaning, *k->def ? k->def : "none");
    if (*k->context)
        sb_printf(b, " [takes effect with %s]", k->context);
    sb_printf(b, "\n");
}

char *config_describe(const tcesim_config *c)
{
    sbuf b = {0};
    for (size_t i = 0; i < params_global_count; i++)
        describe_key(&b, global_keys[i].name, &global_keys[i], c);
    for (uint32_t d = 0; d < c->ndevices; d++)
        for (size_t i = 0; i < params_device_count; i++) {
            char path[64];
            snprintf(path, sizeof path, "devices.%u.%s", d, device_keys[i].name);
            describe_key(&b, path, &device_keys[i], &c->devices[d]);
        }
    for (uint32_t p = 0; p < c->npes; p++)
        for (size_t i = 0; i < params_pe_count; i++)
            if (c->pes[p].set & (1u << i)) {
                char path[64];
                snprintf(path, sizeof path, "pes.%" PRIu64 ".%s", c->pes[p].pe, pe_keys[i].name);
                describe_key(&b, path, &pe_keys[i], &c->pes[p].v);
            }
    for (uint32_t w = 0; w < c->nworkloads; w++) {
        sb_printf(&b, "workloads.%u.generator = %s\n", w, c->workloads[w].generator);
        for (uint32_t i = 0; i < c->workloads[w].nkeys; i++)
            sb_printf(&b, "workloads.%u.%s = %s\n", w, c->workloads[w].keys[i], c->workloads[w].values[i]);
    }
    if (c->nworkloads)
        sb_printf(&b, "# workloads[]: the run's generators (tcesim gen --help lists their keys); workload.* does not run beside them\n");
    sb_printf(&b, "# pes.N.{page_size,levels,window,pools,bypass}: per-PE overrides of iommu.* (bypass default true)\n");
    return b.s;
}

static json_t *json_value(const key *k, const void *base)
{
    const char *p = (const char *)base + k->off;
    switch (k->type) {
    case K_U64:
    case K_SIZE: {
        uint64_t v = *(const uint64_t *)p;
        if (v == CFG_AUTO && k->allow_auto)
            return json_string("auto");
        if (v > (uint64_t)INT64_MAX) {
            /* past a JSON integer's signed 64 bits: a string, which reads back */
            char buf[32];
            snprintf(buf, sizeof buf, "%" PRIu64, v);
            return json_string(buf);
        }
        return json_integer((json_int_t)v);
    }
    case K_BOOL: return json_boolean(*(const bool *)p);
    case K_ENUM: return json_string(k->enums[*(const int *)p]);
    case K_STR: return json_string(p);
    }
    return json_null();
}

/* Places v at the dotted path inside obj, creating objects on the way. */
static void json_put(json_t *obj, const char *path, json_t *v)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    char *s = buf, *dot;
    while ((dot = strchr(s, '.'))) {
        *dot = 0;
        json_t *sub = json_object_get(obj, s);
        if (!sub) {
            sub = json_object();
            json_object_set_new(obj, s, sub);
        }
        obj = sub;
        s = dot + 1;
    }
    json_object_set_new(obj, s, v);
}

char *config_to_json(const tcesim_config *c)
{
    json_t *root = json_object();
    for (size_t i = 0; i < params_global_count; i++)
        json_put(root, global_keys[i].name, json_value(&global_keys[i], c));
    json_t *devs = json_array();
    for (uint32_t d = 0; d < c->ndevices; d++) {
        json_t *o = json_object();
        for (size_t i = 0; i < params_device_count; i++)
            json_object_set_new(o, device_keys[i].name, json_value(&device_keys[i], &c->devices[d]));
        json_array_append_new(devs, o);
    }
    json_object_set_new(root, "devices", devs);
    if (c->nworkloads) {
        json_t *wl = json_array();
        for (uint32_t w = 0; w < c->nworkloads; w++) {
            json_t *o = json_object();
            json_object_set_new(o, "generator", json_string(c->workloads[w].generator));
            for (uint32_t k = 0; k < c->workloads[w].nkeys; k++)
                json_object_set_new(o, c->workloads[w].keys[k], json_string(c->workloads[w].values[k]));
            json_array_append_new(wl, o);
        }
        json_object_set_new(root, "workloads", wl);
    }
    json_t *pes = json_object();
    for (uint32_t p = 0; p < c->npes; p++) {
        json_t *o = json_object();
        for (size_t i = 0; i < params_pe_count; i++)
            if (c->pes[p].set & (1u << i))
                json_object_set_new(o, pe_keys[i].name, json_value(&pe_keys[i], &c->pes[p].v));
        char num[24];
        snprintf(num, sizeof num, "%" PRIu64, c->pes[p].pe);
        json_object_set_new(pes, num, o);
    }
    json_object_set_new(root, "pes", pes);
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    return s;
}

/* ---- docs/keys.md ---- */

static const char *type_name(const key *k)
{
    switch (k->type) {
    case K_U64: return k->allow_auto ? "integer or auto" : "integer";
    case K_SIZE: return k->allow_auto ? "size or auto" : "size";
    case K_BOOL: return "boolean";
    case K_ENUM: return "name";
    case K_STR: return "string";
    }
    return "?";
}

static void md_rows(sbuf *b, const char *prefix, const key *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const key *k = &rows[i];
        char range[320];
        params_range_doc(k, range, sizeof range);
        sb_printf(b, "| `%s%s` | %s | %s | %s | %s | %s | %s | %s |\n", prefix, k->name, type_name(k), k->unit,
                  *k->def ? k->def : "none", range, k->prov, k->context, k->meaning);
    }
}

char *params_markdown(void)
{
    sbuf b = {0};
    sb_printf(&b, "# Configuration keys\n\n"
                  "Generated from the key rows (sim/params/keys.c) by tests/unit/test_keys_doc.cpp\n"
                  "(`TCESIM_WRITE_KEYS_DOC=1` rewrites it); `tcesim config` lists the same keys with\n"
                  "their values. Provenance: spec (PCIe or IBM IODA documents), kernel (Linux),\n"
                  "firmware (skiboot), guess (no published value), user (a choice of the experiment).\n"
                  "A key with a context takes effect only there; elsewhere it is accepted and unused.\n\n"
                  "| key | type | unit | default | range | provenance | takes effect with | meaning |\n"
                  "|---|---|---|---|---|---|---|---|\n");
    md_rows(&b, "", params_global, params_global_count);
    md_rows(&b, "devices.N.", params_device, params_device_count);
    md_rows(&b, "pes.N.", params_pe, params_pe_count);
    return b.s;
}
