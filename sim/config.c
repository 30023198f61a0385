#include "config.h"
#include "datadir.h"
#include "params/params.h"
#include "traces/generators.h"

#include "common/numparse.h"
#include "rtt/rtt.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The key rows are declared once, in sim/params/keys.c. */
typedef param_row key;
#define global_keys params_global
#define device_keys params_device
#define pe_keys params_pe
#define tris params_tris

static int fail(cfg_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static int fail(cfg_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return 2;
}

int config_parse_u64(const char *s, bool allow_suffix, uint64_t *out)
{
    return num_parse(s, allow_suffix, out, NULL);
}

/* A number's unit range (times in ns or ps must stay below 2^63 ps). */
static int check_unit(const key *k, const char *path, const char *s, uint64_t v, cfg_error *err)
{
    uint64_t max = num_unit_max(k->name);
    const char *why = max == NUM_NS_MAX ? " ns: times stay below 2^63 ps" : max == NUM_PS_MAX ? " ps" : "";
    if (v <= max)
        return 0;
    if (s)
        return fail(err, "%s: '%s' too large (max %" PRIu64 "%s)", path, s, max, why);
    return fail(err, "%s: %" PRIu64 " too large (max %" PRIu64 "%s)", path, v, max, why);
}

/* Sets one field from a string value. */
static int set_from_string(const key *k, void *base, const char *path, const char *s, cfg_error *err)
{
    char *p = (char *)base + k->off;
    switch (k->type) {
    case K_U64:
    case K_SIZE: {
        uint64_t v;
        if (k->allow_auto && strcmp(s, "auto") == 0) {
            *(uint64_t *)p = CFG_AUTO;
            return 0;
        }
        const char *why;
        if (num_parse(s, k->type == K_SIZE, &v, &why))
            return fail(err, "%s: bad value '%s' (%s%s)", path, s, why, k->allow_auto ? "; or auto" : "");
        /* UINT64_MAX is "auto" only for keys that take auto (a seed may be any u64) */
        if (v == CFG_AUTO && k->allow_auto)
            return fail(err, "%s: bad value '%s' (too large (max %" PRIu64 "; or auto))", path, s, CFG_AUTO - 1);
        if (check_unit(k, path, s, v, err))
            return 2;
        *(uint64_t *)p = v;
        return 0;
    }
    case K_BOOL:
        if (!strcmp(s, "true") || !strcmp(s, "1"))
            *(bool *)p = true;
        else if (!strcmp(s, "false") || !strcmp(s, "0"))
            *(bool *)p = false;
        else
            return fail(err, "%s: bad value '%s' (expected true or false)", path, s);
        return 0;
    case K_ENUM:
        for (int i = 0; k->enums[i]; i++)
            if (!strcmp(s, k->enums[i])) {
                *(int *)p = i;
                return 0;
            }
        {
            char list[128] = "";
            for (int i = 0; k->enums[i]; i++) {
                strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
                strncat(list, k->enums[i], sizeof list - strlen(list) - 1);
            }
            return fail(err, "%s: bad value '%s' (expected one of: %s)", path, s, list);
        }
    case K_STR:
        if (strlen(s) >= CFG_STR)
            return fail(err, "%s: value too long", path);
        strcpy(p, s);
        return 0;
    }
    return fail(err, "%s: internal: bad key type", path);
}

static const char *json_kind(json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real number";
    case JSON_TRUE: return "true";
    case JSON_FALSE: return "false";
    case JSON_NULL: return "null";
    }
    return "a value";
}

static int set_from_json(const key *k, void *base, const char *path, json_t *v, cfg_error *err)
{
    if (json_is_string(v))
        return set_from_string(k, base, path, json_string_value(v), err);
    if (k->type == K_U64 || k->type == K_SIZE) {
        /* JSON numbers: integers only (jansson reads them as exact 64-bit
         * integers, so up to 2^63-1); hex, sizes and auto as strings */
        const char *expected = k->type == K_SIZE ? "a non-negative integer or a string (\"64K\", \"0x1000\")"
                                                 : "a non-negative integer or a string (\"0x1000\")";
        if (json_is_integer(v) && json_integer_value(v) >= 0) {
            uint64_t n = (uint64_t)json_integer_value(v);
            if (check_unit(k, path, NULL, n, err))
                return 2;
            *(uint64_t *)((char *)base + k->off) = n;
            return 0;
        }
        if (json_is_integer(v))
            return fail(err, "%s: expected %s, got %" JSON_INTEGER_FORMAT, path, expected, json_integer_value(v));
        if (json_is_real(v))
            return fail(err, "%s: expected %s, got %.17g", path, expected, json_real_value(v));
        return fail(err, "%s: expected %s, got %s", path, expected, json_kind(v));
    }
    if (json_is_integer(v) && k->type == K_BOOL) {
        /* 0 and 1, as --set takes them */
        char buf[32];
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return set_from_string(k, base, path, buf, err);
    }
    if (json_is_boolean(v) && k->type == K_BOOL) {
        *(bool *)((char *)base + k->off) = json_is_true(v);
        return 0;
    }
    /* an auto|true|false enum (iommu.large_pool_fallback) takes a JSON boolean too */
    if (json_is_boolean(v) && k->type == K_ENUM && k->enums == tris)
        return set_from_string(k, base, path, json_is_true(v) ? "true" : "false", err);
    return fail(err, "%s: expected %s, got %s", path,
                k->type == K_BOOL ? "true or false" : "a string", json_kind(v));
}

static const key *find_key(const key *t, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(t[i].name, name))
            return &t[i];
    return NULL;
}

static void device_defaults(cfg_device *d)
{
    cfg_error e;
    for (size_t i = 0; i < params_device_count; i++)
        set_from_string(&device_keys[i], d, device_keys[i].name, device_keys[i].def, &e);
}

void config_defaults(tcesim_config *c)
{
    memset(c, 0, sizeof(*c));
    cfg_error e;
    for (size_t i = 0; i < params_global_count; i++)
        set_from_string(&global_keys[i], c, global_keys[i].name, global_keys[i].def, &e);
    /* Four devices on four PEs: a NIC with a 64-bit mask (bypass), and three
     * 32-bit devices that translate through their PE's TCE table. */
    static const struct { const char *rid; uint64_t pe, mask; } devs[] = {
        {"01:00.0", 1, 32}, {"02:00.0", 2, 32}, {"03:00.0", 3, 32}, {"04:00.0", 4, 64},
    };
    c->ndevices = 4;
    for (uint32_t i = 0; i < c->ndevices; i++) {
        device_defaults(&c->devices[i]);
        strcpy(c->devices[i].rid, devs[i].rid);
        c->devices[i].pe = devs[i].pe;
        c->devices[i].dma_mask_bits = devs[i].mask;
    }
}

static cfg_pe *pe_entry(tcesim_config *c, uint64_t pe, cfg_error *err, const char *path)
{
    for (uint32_t i = 0; i < c->npes; i++)
        if (c->pes[i].pe == pe)
            return &c->pes[i];
    if (c->npes == CFG_MAX_PES) {
        fail(err, "%s: too many PEs with overrides (max %u)", path, CFG_MAX_PES);
        return NULL;
    }
    cfg_pe *p = &c->pes[c->npes++];
    memset(p, 0, sizeof(*p));
    p->pe = pe;
    p->v.bypass = true;
    return p;
}

/* Applies a value at a dotted path (the one routine behind JSON and --set).
 * Exactly one of sval / jval is given. */
static int apply(tcesim_config *c, const char *path, const char *sval, json_t *jval, cfg_error *err)
{
    char buf[256];
    if (strlen(path) >= sizeof buf)
        return fail(err, "%.64s...: key too long", path);
    strcpy(buf, path);
    if (!strncmp(buf, "devices.", 8)) {
        char *idx = buf + 8, *dot = strchr(idx, '.');
        uint64_t n;
        if (!dot)
            return fail(err, "%s: expected devices.N.key", path);
        *dot = 0;
        if (config_parse_u64(idx, false, &n))
            return fail(err, "%s: bad device index '%s'", path, idx);
        if (n >= c->ndevices)
            return fail(err, "%s: no device %" PRIu64 " (the config has %u)", path, n, c->ndevices);
        const key *k = find_key(device_keys, params_device_count, dot + 1);
        if (!k)
            return fail(err, "%s: unknown key", path);
        int rc = sval ? set_from_string(k, &c->devices[n], path, sval, err)
                      : set_from_json(k, &c->devices[n], path, jval, err);
        if (!rc)
            c->devices[n].set |= 1u << (k - device_keys);
        return rc;
    }
    if (!strcmp(buf, "workloads") || !strcmp(buf, "devices"))
        return fail(err, "%s: expected an array of objects (in a config file); on the command line set %s.N.KEY=VALUE", path,
                    buf);
    if (!strncmp(buf, "workloads.", 10)) {
        char *idx = buf + 10, *dot = strchr(idx, '.');
        uint64_t n;
        if (!dot || !dot[1])
            return fail(err, "%s: expected workloads.N.key", path);
        *dot = 0;
        if (config_parse_u64(idx, false, &n))
            return fail(err, "%s: bad workload index '%s'", path, idx);
        if (n > c->nworkloads || n >= CFG_MAX_WORKLOADS)
            return fail(err, "%s: no workload %" PRIu64 " (the config has %u; add them in order, at most %u)", path, n,
                        c->nworkloads, CFG_MAX_WORKLOADS);
        char val[64];
        if (sval) {
            if (strlen(sval) >= sizeof val)
                return fail(err, "%s: value too long", path);
            snprintf(val, sizeof val, "%s", sval);
        } else if (json_is_string(jval)) {
            if (strlen(json_string_value(jval)) >= sizeof val)
                return fail(err, "%s: value too long", path);
            snprintf(val, sizeof val, "%s", json_string_value(jval));
        } else if (json_is_integer(jval)) {
            if (json_integer_value(jval) < 0)
                return fail(err, "%s: expected a non-negative number", path);
            snprintf(val, sizeof val, "%" JSON_INTEGER_FORMAT, json_integer_value(jval));
        } else if (json_is_boolean(jval)) {
            snprintf(val, sizeof val, "%s", json_is_true(jval) ? "true" : "false");
        } else {
            return fail(err, "%s: expected a number, a string or a boolean", path);
        }
        if (n == c->nworkloads) {
            memset(&c->workloads[n], 0, sizeof c->workloads[n]);
            c->nworkloads++;
        }
        cfg_workload *w = &c->workloads[n];
        const char *wkey = dot + 1;
        if (!strcmp(wkey, "generator")) {
            if (strlen(val) >= sizeof w->generator)
                return fail(err, "%s: value too long", path);
            memcpy(w->generator, val, strlen(val) + 1); /* fits: checked above */
            return 0;
        }
        if (strlen(wkey) >= sizeof w->keys[0])
            return fail(err, "%s: key too long", path);
        for (uint32_t i = 0; i < w->nkeys; i++)
            if (!strcmp(w->keys[i], wkey)) {
                snprintf(w->values[i], sizeof w->values[i], "%s", val);
                return 0;
            }
        if (w->nkeys == CFG_MAX_WKEYS)
            return fail(err, "%s: too many keys (max %u)", path, CFG_MAX_WKEYS);
        snprintf(w->keys[w->nkeys], sizeof w->keys[0], "%s", wkey);
        snprintf(w->values[w->nkeys], sizeof w->values[0], "%s", val);
        w->nkeys++;
        return 0;
    }
    if (!strncmp(buf, "pes.", 4)) {
        char *idx = buf + 4, *dot = strchr(idx, '.');
        uint64_t n;
        if (!dot)
            return fail(err, "%s: expected pes.N.key", path);
        *dot = 0;
        if (config_parse_u64(idx, false, &n) || n > 0xffff)
            return fail(err, "%s: bad PE number '%s'", path, idx);
        const key *k = find_key(pe_keys, params_pe_count, dot + 1);
        if (!k)
            return fail(err, "%s: unknown key", path);
        cfg_pe *p = pe_entry(c, n, err, path);
        if (!p)
            return 2;
        int rc = sval ? set_from_string(k, &p->v, path, sval, err) : set_from_json(k, &p->v, path, jval, err);
        if (!rc)
            p->set |= 1u << (k - pe_keys);
        return rc;
    }
    const key *k = find_key(global_keys, params_global_count, path);
    if (!k)
        return fail(err, "%s: unknown key", path);
    if (!strncmp(path, "workload.", 9) && !c->window_key[0])
        snprintf(c->window_key, sizeof c->window_key, "%s", path);
    return sval ? set_from_string(k, c, path, sval, err) : set_from_json(k, c, path, jval, err);
}

static int walk_json(tcesim_config *c, const char *prefix, json_t *obj, cfg_error *err);

/* A JSON object is a group of keys ("phb", "phb.tce_cache", "pes",
 * "pes.N"), never a value: an object where a key is ({"seed": {}}) goes to
 * apply(), which refuses it. */
static bool is_group(const char *path)
{
    size_t n = strlen(path);
    if (!strcmp(path, "pes") || (!strncmp(path, "pes.", 4) && !strchr(path + 4, '.')))
        return true;
    for (size_t i = 0; i < params_global_count; i++)
        if (!strncmp(global_keys[i].name, path, n) && global_keys[i].name[n] == '.')
            return true;
    return false;
}

static int load_devices(tcesim_config *c, json_t *arr, cfg_error *err)
{
    if (!json_is_array(arr))
        return fail(err, "devices: expected an array");
    size_t n = json_array_size(arr);
    if (n > CFG_MAX_DEVICES)
        return fail(err, "devices: too many devices (max %u)", CFG_MAX_DEVICES);
    c->ndevices = (uint32_t)n;
    for (size_t i = 0; i < n; i++) {
        device_defaults(&c->devices[i]);
        c->devices[i].rid[0] = 0;
        json_t *d = json_array_get(arr, i);
        if (!json_is_object(d))
            return fail(err, "devices.%zu: expected an object", i);
        const char *k;
        json_t *v;
        json_object_foreach(d, k, v) {
            char path[256];
            if (k[0] == '_')
                continue; /* comments, as everywhere else */
            snprintf(path, sizeof path, "devices.%zu.%s", i, k);
            int rc = apply(c, path, NULL, v, err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* workloads: [{"generator": "nvme", "device": 1, ...}, ...]; it replaces any
 * earlier list; "_" keys are comments. */
static int load_workloads(tcesim_config *c, json_t *arr, cfg_error *err)
{
    if (!json_is_array(arr))
        return fail(err, "workloads: expected an array");
    size_t n = json_array_size(arr);
    if (n > CFG_MAX_WORKLOADS)
        return fail(err, "workloads: too many workloads (max %u)", CFG_MAX_WORKLOADS);
    c->nworkloads = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *w = json_array_get(arr, i);
        if (!json_is_object(w))
            return fail(err, "workloads.%zu: expected an object", i);
        if (!json_object_get(w, "generator"))
            return fail(err, "workloads.%zu.generator: missing", i);
        const char *k;
        json_t *v;
        char path[256];
        snprintf(path, sizeof path, "workloads.%zu.generator", i);
        int rc = apply(c, path, NULL, json_object_get(w, "generator"), err);
        json_object_foreach(w, k, v) {
            if (rc)
                return rc;
            if (k[0] == '_' || !strcmp(k, "generator"))
                continue;
            snprintf(path, sizeof path, "workloads.%zu.%s", i, k);
            rc = apply(c, path, NULL, v, err);
        }
        if (rc)
            return rc;
    }
    return 0;
}

static int walk_json(tcesim_config *c, const char *prefix, json_t *obj, cfg_error *err)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) {
        char path[256];
        if (k[0] == '_')
            continue; /* "_about", "_note": comments (JSON has none) */
        if (!k[0])
            return fail(err, "%s%s\"\": an empty key", prefix, *prefix ? "." : "");
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", k);
        int rc;
        if (!*prefix && !strcmp(k, "devices"))
            rc = load_devices(c, v, err);
        else if (!*prefix && !strcmp(k, "workloads"))
            rc = load_workloads(c, v, err);
        else if (json_is_object(v) && is_group(path))
            rc = walk_json(c, path, v, err);
        else
            rc = apply(c, path, NULL, v, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int load_json(tcesim_config *c, json_t *root, json_error_t *je, const char *name, cfg_error *err)
{
    if (!root)
        return fail(err, "%s:%d: %s", name, je->line, je->text);
    if (!json_is_object(root)) {
        json_decref(root);
        return fail(err, "%s:1: the configuration must be a JSON object", name);
    }
    int rc = walk_json(c, "", root, err);
    json_decref(root);
    return rc;
}

int config_load_file(tcesim_config *c, const char *path, cfg_error *err)
{
    json_error_t je;
    FILE *f = fopen(path, "r");
    if (!f)
        return fail(err, "%s: %s", path, strerror(errno));
    /* The whole file, so that a NUL byte (which the stream reader takes for
     * the end of input) is an error, not the place parsing stops. */
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[65536];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n > cap) {
            size_t nc = cap ? 2 * cap : sizeof chunk;
            while (nc < len + n)
                nc *= 2;
            char *nb = realloc(buf, nc);
            if (!nb) {
                free(buf);
                fclose(f);
                return fail(err, "%s: out of memory", path);
            }
            buf = nb;
            cap = nc;
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    bool rerr = ferror(f);
    fclose(f);
    if (rerr) {
        free(buf);
        return fail(err, "%s: %s", path, strerror(EIO));
    }
    const char *nul = len ? memchr(buf, 0, len) : NULL;
    if (nul) {
        int line = 1;
        for (const char *q = buf; q < nul; q++)
            line += *q == '\n';
        free(buf);
        return fail(err, "%s:%d: a NUL byte (the file is not JSON text)", path, line);
    }
    json_t *root = json_loadb(buf ? buf : "", len, JSON_REJECT_DUPLICATES, &je);
    free(buf);
    return load_json(c, root, &je, path, err);
}

/* Device costs: the xeon-e5-vtd preset's NFP6000 calibration (docs/validation.md:
 * pcie-bench's NFP6000 on a Xeon E5-2630 v4, within 15%), as the phb3/phb4
 * presets take them; memory latency: the POWER8 lmbench figure the phb3
 * preset uses (docs/presets.md). The window of 64 TCE cache entries of 4 KiB
 * covers 256 KiB: the NIC's rings and buffers and the NVMe I/Os span far more. */
const char config_default_scenario[] =
    "{\"_about\": \"the default scenario: a NIC, an NVMe drive and a bypass GPU on one PHB3\",\n"
    " \"memory\": {\"latency_ns\": 90},\n"
    " \"devices\": [\n"
    "  {\"rid\": \"01:00.0\", \"pe\": 1, \"dma_mask_bits\": 32, \"link\": \"gen3x8\", \"tags\": 16, \"overhead_ns\": 220,\n"
    "   \"read_hold_ns\": 150, \"read_req_ns\": 8, \"read_byte_ps\": 136, \"write_req_ns\": 15, \"write_byte_ps\": 101},\n"
    "  {\"rid\": \"02:00.0\", \"pe\": 2, \"dma_mask_bits\": 32, \"link\": \"gen3x4\", \"tags\": 16, \"overhead_ns\": 220,\n"
    "   \"read_hold_ns\": 150, \"read_req_ns\": 8, \"read_byte_ps\": 136, \"write_req_ns\": 15, \"write_byte_ps\": 101},\n"
    "  {\"rid\": \"03:00.0\", \"pe\": 3, \"dma_mask_bits\": 64, \"link\": \"gen3x16\", \"tags\": 16, \"overhead_ns\": 220,\n"
    "   \"read_hold_ns\": 150, \"read_req_ns\": 8, \"read_byte_ps\": 136, \"write_req_ns\": 15, \"write_byte_ps\": 101}],\n"
    " \"workloads\": [\n"
    "  {\"generator\": \"nic-rx\", \"device\": 0, \"packets\": 20000},\n"
    "  {\"generator\": \"nvme\", \"device\": 1, \"ios\": 2000},\n"
    "  {\"generator\": \"gpu-bulk\", \"device\": 2}]}\n";

int config_apply_default_scenario(tcesim_config *c, cfg_error *err)
{
    int rc = config_load_string(c, config_default_scenario, "the default scenario", err);
    c->window_key[0] = 0; /* its own keys are not the user's */
    c->default_scenario = true;
    return rc;
}

int config_load_string(tcesim_config *c, const char *json, const char *name, cfg_error *err)
{
    json_error_t je;
    return load_json(c, json_loads(json, JSON_REJECT_DUPLICATES, &je), &je, name, err);
}

int config_set(tcesim_config *c, const char *assignment, cfg_error *err)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        return fail(err, "--set %s: expected key=value", assignment);
    char path[256];
    size_t n = (size_t)(eq - assignment);
    if (n >= sizeof path)
        return fail(err, "--set: key too long");
    memcpy(path, assignment, n);
    path[n] = 0;
    return apply(c, path, eq + 1, NULL, err);
}

cfg_iommu config_pe_iommu(const tcesim_config *c, uint64_t pe)
{
    cfg_iommu v = c->iommu;
    v.bypass = true;
    for (uint32_t i = 0; i < c->npes; i++) {
        if (c->pes[i].pe != pe)
            continue;
        const cfg_pe *p = &c->pes[i];
        for (size_t k = 0; k < params_pe_count; k++)
            if (p->set & (1u << k))
                memcpy((char *)&v + pe_keys[k].off, (const char *)&p->v + pe_keys[k].off,
                       pe_keys[k].type == K_BOOL ? sizeof(bool) : sizeof(uint64_t));
    }
    return v;
}

/* The one generic check: every numeric row's value against its range
 * (params.h: param_range), "auto" aside where the row allows it. */
static int check_rows(const key *rows, size_t n, const void *base, const char *prefix, cfg_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const key *k = &rows[i];
        if (k->type != K_U64 && k->type != K_SIZE)
            continue;
        uint64_t v = *(const uint64_t *)((const char *)base + k->off);
        if ((k->allow_auto && v == CFG_AUTO) || params_in_range(k, v))
            continue;
        char what[128];
        params_range_text(k, true, what, sizeof what);
        if (!*what)
            return fail(err, "%s%s: %" PRIu64 " too large (max %" PRIu64 ")", prefix, k->name, v, params_range_max(k));
        return fail(err, "%s%s: must be %s", prefix, k->name, what);
    }
    return 0;
}

int config_workload_open(const cfg_workload *w, uint64_t seed, tr_source *out, tr_error *err)
{
    const char *keys[CFG_MAX_WKEYS], *vals[CFG_MAX_WKEYS];
    for (uint32_t k = 0; k < w->nkeys; k++) {
        keys[k] = w->keys[k];
        vals[k] = w->values[k];
    }
    return gen_open(w->generator, keys, vals, w->nkeys, seed, out, err);
}

/* Rules between keys, which no row's range can say. */
static int check_cross(const tcesim_config *c, cfg_error *err)
{
    /* the cache's sets: ways must divide the entries (0 = fully associative) */
    if (c->phb.cache_ways && c->phb.cache_entries % c->phb.cache_ways)
        return fail(err, "phb.tce_cache.ways: must divide phb.tce_cache.entries (%" PRIu64 ")", c->phb.cache_entries);
    /* the LLC's sets: bytes a whole number of ways x line */
    uint64_t set_bytes;
    if (c->memory.llc_bytes && (__builtin_mul_overflow(c->memory.llc_line, c->memory.llc_ways, &set_bytes) ||
                                c->memory.llc_bytes % set_bytes))
        return fail(err, "memory.llc.bytes: must be a multiple of ways x line (%" PRIu64 " x %" PRIu64 ")",
                    c->memory.llc_ways, c->memory.llc_line);
    /* RAM is a whole number of pages */
    if (c->host.ram % c->host.page_size)
        return fail(err, "host.ram: must be a multiple of host.page_size (%" PRIu64 ")", c->host.page_size);
    /* lazy_wrap's reuse needs the wrap-around flush, which a magazine skips */
    if (c->policy.invalidate == CFG_INVAL_LAZY_WRAP && c->policy.cache == CFG_CACHE_MAGAZINE)
        return fail(err, "iommu.invalidate: lazy_wrap cannot be combined with iommu.cache=magazine (cached ranges are reused without the wrap-around flush)");
    /* the built-in workload: its window holds an access, its actors exist */
    if (c->workload.window < c->workload.size)
        return fail(err, "workload.window: must be >= workload.size");
    if (c->workload.cpu >= c->host.cpus)
        return fail(err, "workload.cpu: must be < host.cpus (%" PRIu64 ")", c->host.cpus);
    if (c->ndevices == 0)
        return fail(err, "devices: at least one device is needed");
    if (c->workload.device >= c->ndevices)
        return fail(err, "workload.device: no device %" PRIu64 " (the config has %u)", c->workload.device, c->ndevices);
    /* the window workload's keys do nothing beside workloads[]: say so */
    if (c->nworkloads && c->window_key[0]) {
        const char *k = c->window_key;
        if (c->default_scenario)
            return fail(err, "%s: the window workload does not run beside workloads[] (%u %s, the default scenario's): give a "
                             "config without workloads[] (configs/bench-window.json is the window workload), or set workloads.N.* keys",
                        k, c->nworkloads, c->nworkloads == 1 ? "entry" : "entries");
        return fail(err, "%s: the window workload does not run beside workloads[] (%u %s): drop the workload.* keys or the "
                         "workloads[] entries",
                    k, c->nworkloads, c->nworkloads == 1 ? "entry" : "entries");
    }
    /* workloads[]: a known generator with keys it takes, on a configured device */
    for (uint32_t i = 0; i < c->nworkloads; i++) {
        const cfg_workload *w = &c->workloads[i];
        if (!w->generator[0])
            return fail(err, "workloads.%u.generator: missing", i);
        for (uint32_t k = 0; k < w->nkeys; k++) {
            uint64_t dev;
            if (!strcmp(w->keys[k], "device") && !config_parse_u64(w->values[k], false, &dev) && dev >= c->ndevices)
                return fail(err, "workloads.%u.device: no device %" PRIu64 " (the config has %u)", i, dev, c->ndevices);
        }
        tr_source src;
        tr_error terr;
        if (config_workload_open(w, c->seed, &src, &terr) != 0)
            return fail(err, "workloads.%u: %s", i, terr.msg);
        tr_close(&src);
    }
    /* every device named, once (by value: 1:0.0 is 0000:01:00.0), in one domain */
    uint16_t rids[CFG_MAX_DEVICES];
    int32_t domain = c->phb.domain == CFG_AUTO ? RID_NO_DOMAIN : (int32_t)c->phb.domain;
    uint32_t dom_of = 0; /* with phb.domain auto: the device whose RID gave the domain */
    for (uint32_t i = 0; i < c->ndevices; i++) {
        const cfg_device *d = &c->devices[i];
        if (!d->rid[0])
            return fail(err, "devices.%u.rid: missing", i);
        int32_t dom;
        if (rid_parse(d->rid, &dom, &rids[i]) != 0)
            return fail(err, "devices.%u.rid: bad RID '%s' (expected [DDDD:]BB:DD.F in hex, as lspci prints it)", i, d->rid);
        if (dom != RID_NO_DOMAIN && domain != RID_NO_DOMAIN && dom != domain) {
            if (c->phb.domain != CFG_AUTO)
                return fail(err, "devices.%u.rid: domain %04x is not phb.domain %04x", i, (unsigned)dom, (unsigned)domain);
            return fail(err, "devices.%u.rid: domain %04x, but devices.%u's is %04x (a PHB is one PCI domain: phb.domain)", i,
                        (unsigned)dom, dom_of, (unsigned)domain);
        }
        if (dom != RID_NO_DOMAIN && domain == RID_NO_DOMAIN) {
            domain = dom;
            dom_of = i;
        }
        for (uint32_t j = 0; j < i; j++)
            if (rids[j] == rids[i]) {
                char canon[RID_TEXT];
                rid_format_domain(domain == RID_NO_DOMAIN ? 0 : (uint32_t)domain, rids[i], canon);
                return fail(err, "devices.%u.rid: %s is also devices.%u's", i, canon, j);
            }
    }
    return 0;
}

/* Each value against its row's range (global keys, each device's, each
 * PE's merged iommu.* / pes.N.*), then the cross-key rules. */
int config_validate(const tcesim_config *c, cfg_error *err)
{
    int rc;
    if ((rc = check_rows(global_keys, params_global_count, c, "", err)))
        return rc;
    for (uint32_t i = 0; i < c->npes; i++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "pes.%" PRIu64 ".", c->pes[i].pe);
        cfg_iommu v = config_pe_iommu(c, c->pes[i].pe);
        if ((rc = check_rows(pe_keys, params_pe_count, &v, prefix, err)))
            return rc;
    }
    for (uint32_t i = 0; i < c->ndevices; i++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "devices.%u.", i);
        if ((rc = check_rows(device_keys, params_device_count, &c->devices[i], prefix, err)))
            return rc;
    }
    return check_cross(c, err);
}

int config_find(const char *name, char *out, unsigned outlen, cfg_error *err)
{
    if (access(name, R_OK) == 0) {
        snprintf(out, outlen, "%s", name);
        return 0;
    }
    if (strchr(name, '/') || strstr(name, ".json"))
        return fail(err, "%s: %s", name, strerror(errno));
    /* A preset name: configs/NAME.json where tcesim's data is (datadir.h:
     * next to the program or the library, an install's share/tcesim, the
     * current directory, the source tree). */
    char rel[512];
    snprintf(rel, sizeof rel, "configs/%s.json", name);
    if (tcesim_find_data(rel, out, outlen) == 0)
        return 0;
    return fail(err, "%s: no such file, and no preset of that name in configs/", name);
}

const char *config_enum_name(const char *name, int value)
{
    const key *k = find_key(global_keys, params_global_count, name);
    if (!k || k->type != K_ENUM || value < 0)
        return "?";
    for (int i = 0; k->enums[i]; i++)
        if (i == value)
            return k->enums[i];
    return "?";
}
