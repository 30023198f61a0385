#include "config.h"

#include "common/numparse.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum { K_U64, K_SIZE, K_BOOL, K_ENUM, K_STR } ktype;

typedef struct key {
    const char *name;
    ktype type;
    size_t off;
    const char *def;        /* default, as a user would write it */
    const char *meaning;
    const char *const *enums; /* K_ENUM: NULL-terminated names */
    bool allow_auto;
} key;

static const char *const phb_models[] = {"phb3", "phb4", NULL};
static const char *const kernels[] = {"seed", "modern", NULL};
static const char *const patterns[] = {"random", "sequential", "strided", NULL};
static const char *const ops[] = {"read", "write", NULL};
static const char *const policies[] = {"lru", "rr", "random", NULL};
static const char *const locks[] = {"pool", "global", NULL};
static const char *const caches[] = {"none", "magazine", NULL};
static const char *const invals[] = {"strict", "lazy_wrap", "flush_queue", NULL};
static const char *const hashes[] = {"auto", "modern", "legacy", NULL};
static const char *const tris[] = {"auto", "true", "false", NULL};
static const char *const cpl_splits[] = {"mps", "rcb", NULL};

#define G(f) offsetof(tcesim_config, f)
/* Global keys. Defaults that are guesses say so: where POWER hardware
 * publishes nothing (the TCE cache's geometry and latencies: neither skiboot's hw/phb3.c / hw/phb4.c nor QEMU's pnv_phb3.c / pnv_phb4.c give them) a value is a parameter. */
static const key global_keys[] = {
    {"seed", K_U64, G(seed), "1", "global seed; every random source derives from it", NULL, false},
    {"sim.quantum_ns", K_U64, G(quantum_ns), "1000", "temporal-decoupling quantum: how far an initiator may run ahead of the others", NULL, false},
    {"phb.model", K_ENUM, G(phb.model), "phb3", "PHB generation: phb3 (POWER8, IODA2) or phb4 (POWER9, IODA3)", phb_models, false},
    {"phb.tce_cache.entries", K_U64, G(phb.cache_entries), "64", "TCE cache entries (guess: QEMU's PHB3 masks suggest 64)", NULL, false},
    {"phb.tce_cache.ways", K_U64, G(phb.cache_ways), "0", "TCE cache associativity; 0 = fully associative (guess)", NULL, false},
    {"phb.tce_cache.policy", K_ENUM, G(phb.cache_policy), "lru", "TCE cache replacement: lru, rr (round-robin) or random (seeded)", policies, false},
    {"phb.tce_cache.line_fill", K_BOOL, G(phb.line_fill), "false", "keep every valid TCE of a fetched 128-byte line (16 TCEs)", NULL, false},
    {"phb.walk_cache.entries", K_U64, G(phb.walk_cache_entries), "0", "cache of upper-level (indirect) table entries; 0 = off", NULL, false},
    {"phb.walk_cache.lines", K_U64, G(phb.walk_line_entries), "0", "cache of recently fetched table lines (any level): walks within them read no memory; 0 = off", NULL, false},
    {"phb.line_bytes", K_U64, G(phb.line_bytes), "128", "memory line of a TCE fetch (line fill, table-line cache): 128 on POWER", NULL, false},
    {"phb.lookup_ns", K_U64, G(phb.lookup_ns), "8", "TCE cache lookup latency, the hit cost (guess)", NULL, false},
    {"phb.bypass_ns", K_U64, G(phb.bypass_ns), "4", "latency of a bypass TLP through the TVT (guess)", NULL, false},
    {"phb.walk_ns", K_U64, G(phb.walk_ns), "0", "fixed cost of a TCE walk besides its table reads, holding the fetch slot (guess)", NULL, false},
    {"phb.fetch_slots", K_U64, G(phb.fetch_slots), "32", "outstanding TCE fetches (PHB3 TCE_TAG_ENABLE suggests 32)", NULL, false},
    {"phb.eeh_recovery_ns", K_U64, G(phb.eeh_recovery_ns), "0", "time a faulted (frozen) PE stays frozen; 0 = for the rest of the run", NULL, false},
    {"phb.read_slots", K_U64, G(phb.read_slots), "0", "inbound reads the root complex tracks at once, each from arrival until its completions have left; 0 = unlimited (guess)", NULL, false},
    {"phb.kill_slots", K_U64, G(phb.kill_slots), "4", "PHB4 TCE kill queue slots (guess)", NULL, false},
    {"phb.kill_ns", K_U64, G(phb.kill_ns), "20", "PHB4: time to process one queued kill (guess)", NULL, false},
    {"phb.kill_sync_ns", K_U64, G(phb.kill_sync_ns), "400", "PHB4: DMA read sync after kills, once the queue is empty (guess: a PCIe-internal round trip)", NULL, false},
    {"memory.latency_ns", K_U64, G(memory.latency_ns), "100", "memory access latency, unloaded (guess for POWER8/9 DRAM)", NULL, false},
    {"memory.llc.bytes", K_SIZE, G(memory.llc_bytes), "0", "last-level cache that DMA data and table reads hit (0 = none: POWER's PHB DMA is modelled to memory)", NULL, false},
    {"memory.llc.ways", K_U64, G(memory.llc_ways), "16", "last-level cache associativity", NULL, false},
    {"memory.llc.line", K_U64, G(memory.llc_line), "64", "last-level cache line, bytes", NULL, false},
    {"memory.llc.hit_ns", K_U64, G(memory.llc_hit_ns), "40", "latency of an access that hits the last-level cache", NULL, false},
    {"memory.llc.line_ns", K_U64, G(memory.llc_line_ns), "0", "an access that hits several last-level-cache lines: time per further line", NULL, false},
    {"memory.bandwidth_gbs", K_U64, G(memory.bandwidth_gbs), "64", "memory channel bandwidth seen by the PHB, GB/s (guess)", NULL, false},
    {"iommu.page_size", K_SIZE, G(iommu.page_size), "auto", "TCE page size for every PE; auto = the era's (seed 4K, modern = CPU page)", NULL, true},
    {"iommu.levels", K_U64, G(iommu.levels), "auto", "TCE table levels 1..5; auto = the era's (seed 1, modern 2)", NULL, true},
    {"iommu.window", K_SIZE, G(iommu.window), "auto", "32-bit DMA window size; auto = the era's (seed 1 << ilog2(host.m32_base), modern as large as the largest allocation allows, capped by RAM); never less than one CPU page of TCEs (pnv_pci_ioda2_table_alloc_pages: the table, hence the window, rounds up)", NULL, true},
    {"iommu.pools", K_U64, G(iommu.pools), "auto", "allocator pools (power of two); auto = the kernel's rule", NULL, true},
    {"iommu.lock", K_ENUM, G(policy.lock), "pool", "what-if: pool (a lock per pool, Linux) or global (one lock per table)", locks, false},
    {"iommu.cache", K_ENUM, G(policy.cache), "none", "what-if: none (Linux powerpc) or magazine (per-CPU range caches, as Linux's IOVA allocator)", caches, false},
    {"iommu.magazine_size", K_U64, G(policy.magazine_size), "127", "ranges per magazine (IOVA_MAG_SIZE)", NULL, false},
    {"iommu.invalidate", K_ENUM, G(policy.invalidate), "strict", "strict (kill in every map/unmap, PowerNV), lazy_wrap (sparc: flush when the hint wraps) or flush_queue (IOVA deferred flush)", invals, false},
    {"iommu.pool_hash", K_ENUM, G(policy.pool_hash), "auto", "CPU-to-pool hash_32() multiplier: auto = the era's (seed legacy, modern modern), modern (0x61C88647, Linux 4.7 and later) or legacy (0x9e370001, include/linux/hash.h before 4.7, so Linux 4.4)", hashes, false},
    {"iommu.large_pool_fallback", K_ENUM, G(policy.large_pool_fallback), "auto", "a small allocation that finds the small pools full tries the large pool last (iommu_range_alloc: Linux 6.6 yes, 4.4 no): auto = the era's, true or false", tris, false},
    {"iommu.flush_queue.entries", K_U64, G(policy.fq_entries), "256", "flush queue entries per CPU (IOVA_FQ_SIZE)", NULL, false},
    {"iommu.flush_queue.timeout_ns", K_U64, G(policy.fq_timeout_ns), "10000000", "flush queued unmaps older than this (IOVA_FQ_TIMEOUT, 10 ms)", NULL, false},
    {"host.cpus", K_U64, G(host.cpus), "16", "host CPUs", NULL, false},
    {"host.page_size", K_SIZE, G(host.page_size), "64K", "CPU page size (POWER Linux: 64 KiB)", NULL, false},
    {"host.kernel", K_ENUM, G(host.kernel), "seed", "kernel era: seed (Linux 4.4) or modern (Linux 6.6); each brings its defaults (TCE page, window, levels, pool hash, large-pool fallback, coherent and map_sg offsets when the TCE page exceeds the CPU page)", kernels, false},
    {"host.ram", K_SIZE, G(host.ram), "256G", "host RAM (end of DRAM)", NULL, false},
    {"host.m32_base", K_SIZE, G(host.m32_base), "0x80000000", "m32_pci_base: start of the 32-bit MMIO window", NULL, false},
    {"host.max_order", K_U64, G(host.max_order), "auto", "the page allocator's MAX_ORDER (modern window rule); auto = powerpc 64K-page default", NULL, true},
    {"host.op_ns", K_U64, G(host.op_ns), "150", "software path of one DMA API call outside locks, TCE writes and kills (guess)", NULL, false},
    {"host.lock_ns", K_U64, G(host.lock_ns), "40", "uncontended pool spinlock lock + unlock (guess: two atomics on POWER8)", NULL, false},
    {"host.lock_handoff_ns", K_U64, G(host.lock_handoff_ns), "120", "extra when a lock was held by another CPU: the cache-line transfer (guess)", NULL, false},
    {"host.search_word_ns", K_U64, G(host.search_word_ns), "2", "bitmap search cost per 64-bit word scanned (guess)", NULL, false},
    {"host.tce_write_ns", K_U64, G(host.tce_write_ns), "4", "CPU cost per TCE written or cleared (guess)", NULL, false},
    {"host.mb_ns", K_U64, G(host.mb_ns), "30", "mb() after building TCEs (guess)", NULL, false},
    {"host.kill_store_ns", K_U64, G(host.kill_store_ns), "60", "one cache-inhibited MMIO store to the kill register (guess)", NULL, false},
    {"host.opal_call_ns", K_U64, G(host.opal_call_ns), "400", "PHB4: entering and leaving OPAL for a kill (guess)", NULL, false},
    {"host.magazine_ns", K_U64, G(host.magazine_ns), "15", "a per-CPU magazine hit or insert (iommu.cache=magazine; guess)", NULL, false},
    {"host.kill_escalate_pe", K_BOOL, G(host.kill_escalate_pe), "false", "PHB4 firmware since 2021 (erratum HW560152): page kills become one PE kill per OPAL call", NULL, false},
    {"host.unmap_wait", K_BOOL, G(host.unmap_wait), "true", "an unmap/free waits for the device ops on its handle before it in the trace (a driver waits for its device); false models a driver that unmaps under its device (stale DMA)", NULL, false},
    {"workload.pattern", K_ENUM, G(workload.pattern), "random", "built-in workload: random, sequential or strided offsets", patterns, false},
    {"workload.stride", K_SIZE, G(workload.stride), "4K", "stride of the strided pattern", NULL, false},
    {"workload.window", K_SIZE, G(workload.window), "1M", "bytes of host memory the accesses fall in (one mapping)", NULL, false},
    {"workload.size", K_SIZE, G(workload.size), "64", "bytes per access", NULL, false},
    {"workload.op", K_ENUM, G(workload.op), "read", "access direction: read or write", ops, false},
    {"workload.count", K_U64, G(workload.count), "1000000", "accesses", NULL, false},
    {"workload.device", K_U64, G(workload.device), "0", "device (index into devices) that runs the workload", NULL, false},
    {"workload.cpu", K_U64, G(workload.cpu), "0", "CPU that maps the window", NULL, false},
    {"workload.seed", K_U64, G(workload.seed), "auto", "workload seed; auto = seed", NULL, true},
};
#undef G

#define D(f) offsetof(cfg_device, f)
static const key device_keys[] = {
    {"rid", K_STR, D(rid), "", "requester ID, BB:DD.F (required)", NULL, false},
    {"pe", K_U64, D(pe), "auto", "PE number; auto = the RID's bus number", NULL, true},
    {"dma_mask_bits", K_U64, D(dma_mask_bits), "32", "DMA mask width; 64 reaches the bypass window", NULL, false},
    {"link", K_STR, D(link), "gen3x8", "PCIe link, genGxW", NULL, false},
    {"mps", K_SIZE, D(mps), "256", "Max_Payload_Size, bytes", NULL, false},
    {"mrrs", K_SIZE, D(mrrs), "512", "Max_Read_Request_Size, bytes", NULL, false},
    {"rcb", K_SIZE, D(rcb), "128", "read completion boundary, bytes", NULL, false},
    {"tags", K_U64, D(tags), "32", "outstanding non-posted requests (tags)", NULL, false},
    {"max_seg_size", K_SIZE, D(max_seg_size), "64K", "DMA max segment size (map_sg merging)", NULL, false},
    {"cpl_split", K_ENUM, D(cpl_split), "mps", "how the root complex splits read completions: mps (up to MPS, RCB-aligned) or rcb (one RCB each)", cpl_splits, false},
    {"link_overhead", K_BOOL, D(link_overhead), "true", "derate the link for ACK/FC DLLPs and SKIP ordered sets (pcie-model)", NULL, false},
    {"read_req_ns", K_U64, D(read_req_ns), "0", "the device's DMA engine: time per read request (device-specific)", NULL, false},
    {"read_byte_ps", K_U64, D(read_byte_ps), "0", "the device's DMA engine: time per byte read, ps", NULL, false},
    {"write_req_ns", K_U64, D(write_req_ns), "0", "the device's DMA engine: time per write request", NULL, false},
    {"write_byte_ps", K_U64, D(write_byte_ps), "0", "the device's DMA engine: time per byte written, ps", NULL, false},
    {"overhead_ns", K_U64, D(overhead_ns), "0", "the device's own fixed latency per access outside the tag-holding window (pipelined)", NULL, false},
    {"read_hold_ns", K_U64, D(read_hold_ns), "0", "the device's hand-over of a read's data after its last completion, while it still holds the tag", NULL, false},
};
#undef D

#define P(f) offsetof(cfg_iommu, f)
static const key pe_keys[] = {
    {"page_size", K_SIZE, P(page_size), "iommu.page_size", "this PE's TCE page size", NULL, true},
    {"levels", K_U64, P(levels), "iommu.levels", "this PE's table levels", NULL, true},
    {"window", K_SIZE, P(window), "iommu.window", "this PE's 32-bit window", NULL, true},
    {"pools", K_U64, P(pools), "iommu.pools", "this PE's allocator pools", NULL, true},
    {"bypass", K_BOOL, P(bypass), "true", "open the 64-bit bypass window (TVE#1)", NULL, false},
};
#undef P

#define NKEYS(t) (sizeof(t) / sizeof((t)[0]))

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
        if (v == CFG_AUTO)
            return fail(err, "%s: bad value '%s' (too large (max %" PRIu64 "))", path, s, CFG_AUTO - 1);
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
    for (size_t i = 0; i < NKEYS(device_keys); i++)
        set_from_string(&device_keys[i], d, device_keys[i].name, device_keys[i].def, &e);
}

void config_defaults(tcesim_config *c)
{
    memset(c, 0, sizeof(*c));
    cfg_error e;
    for (size_t i = 0; i < NKEYS(global_keys); i++)
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
        const key *k = find_key(device_keys, NKEYS(device_keys), dot + 1);
        if (!k)
            return fail(err, "%s: unknown key", path);
        return sval ? set_from_string(k, &c->devices[n], path, sval, err)
                    : set_from_json(k, &c->devices[n], path, jval, err);
    }
    if (!strncmp(buf, "pes.", 4)) {
        char *idx = buf + 4, *dot = strchr(idx, '.');
        uint64_t n;
        if (!dot)
            return fail(err, "%s: expected pes.N.key", path);
        *dot = 0;
        if (config_parse_u64(idx, false, &n) || n > 0xffff)
            return fail(err, "%s: bad PE number '%s'", path, idx);
        const key *k = find_key(pe_keys, NKEYS(pe_keys), dot + 1);
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
    const key *k = find_key(global_keys, NKEYS(global_keys), path);
    if (!k)
        return fail(err, "%s: unknown key", path);
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
    for (size_t i = 0; i < NKEYS(global_keys); i++)
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
            snprintf(path, sizeof path, "devices.%zu.%s", i, k);
            int rc = apply(c, path, NULL, v, err);
            if (rc)
                return rc;
        }
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
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", k);
        int rc;
        if (!*prefix && !strcmp(k, "devices"))
            rc = load_devices(c, v, err);
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
    json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
    fclose(f);
    return load_json(c, root, &je, path, err);
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

static bool pow2(uint64_t x) { return x && !(x & (x - 1)); }

cfg_iommu config_pe_iommu(const tcesim_config *c, uint64_t pe)
{
    cfg_iommu v = c->iommu;
    v.bypass = true;
    for (uint32_t i = 0; i < c->npes; i++) {
        if (c->pes[i].pe != pe)
            continue;
        const cfg_pe *p = &c->pes[i];
        for (size_t k = 0; k < NKEYS(pe_keys); k++)
            if (p->set & (1u << k))
                memcpy((char *)&v + pe_keys[k].off, (const char *)&p->v + pe_keys[k].off,
                       pe_keys[k].type == K_BOOL ? sizeof(bool) : sizeof(uint64_t));
    }
    return v;
}

static int check_iommu(const cfg_iommu *v, const char *prefix, cfg_error *err)
{
    if (v->page_size != CFG_AUTO && (!pow2(v->page_size) || v->page_size < 4096))
        return fail(err, "%spage_size: must be a power of two >= 4K", prefix);
    if (v->levels != CFG_AUTO && (v->levels < 1 || v->levels > 5))
        return fail(err, "%slevels: must be 1..5", prefix);
    if (v->window != CFG_AUTO && (!pow2(v->window) || v->window < 4096))
        return fail(err, "%swindow: must be a power of two >= 4K", prefix);
    if (v->pools != CFG_AUTO && (!pow2(v->pools) || v->pools > 64))
        return fail(err, "%spools: must be a power of two <= 64", prefix);
    return 0;
}

int config_validate(const tcesim_config *c, cfg_error *err)
{
    int rc;
    if (c->quantum_ns < 1)
        return fail(err, "sim.quantum_ns: must be >= 1");
    if (c->phb.cache_entries < 1 || c->phb.cache_entries > (1u << 24))
        return fail(err, "phb.tce_cache.entries: must be 1..16M");
    if (c->phb.cache_ways && c->phb.cache_entries % c->phb.cache_ways)
        return fail(err, "phb.tce_cache.ways: must divide phb.tce_cache.entries (%" PRIu64 ")", c->phb.cache_entries);
    if (c->phb.walk_cache_entries > (1u << 20))
        return fail(err, "phb.walk_cache.entries: must be <= 1M");
    if (c->phb.walk_line_entries > (1u << 20))
        return fail(err, "phb.walk_cache.lines: must be <= 1M");
    if (c->phb.line_bytes < 8 || c->phb.line_bytes > 4096 || (c->phb.line_bytes & (c->phb.line_bytes - 1)))
        return fail(err, "phb.line_bytes: must be a power of two, 8..4096");
    if (c->phb.fetch_slots < 1 || c->phb.fetch_slots > 1024)
        return fail(err, "phb.fetch_slots: must be 1..1024");
    if (c->memory.llc_bytes && (c->memory.llc_line < 8 || (c->memory.llc_line & (c->memory.llc_line - 1)) ||
                                c->memory.llc_ways < 1 || c->memory.llc_bytes % (c->memory.llc_line * c->memory.llc_ways)))
        return fail(err, "memory.llc: bytes must be a multiple of ways x line, line a power of two");
    if (c->memory.bandwidth_gbs < 1)
        return fail(err, "memory.bandwidth_gbs: must be >= 1");
    if ((rc = check_iommu(&c->iommu, "iommu.", err)))
        return rc;
    for (uint32_t i = 0; i < c->npes; i++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "pes.%" PRIu64 ".", c->pes[i].pe);
        cfg_iommu v = config_pe_iommu(c, c->pes[i].pe);
        if ((rc = check_iommu(&v, prefix, err)))
            return rc;
    }
    if (c->host.cpus < 1 || c->host.cpus > 4096)
        return fail(err, "host.cpus: must be 1..4096");
    if (!pow2(c->host.page_size) || c->host.page_size < 4096 || c->host.page_size > (1u << 30))
        return fail(err, "host.page_size: must be a power of two, 4K..1G");
    if (c->host.ram < (1ull << 30) || c->host.ram % c->host.page_size || c->host.ram > (1ull << 50))
        return fail(err, "host.ram: must be a multiple of host.page_size, 1G..1P");
    if (!pow2(c->host.m32_base) || c->host.m32_base < (1u << 20) || c->host.m32_base > (1ull << 32))
        return fail(err, "host.m32_base: must be a power of two, 1M..4G");
    if (c->phb.read_slots > 4096)
        return fail(err, "phb.read_slots: must be <= 4096");
    if (c->phb.kill_slots < 1 || c->phb.kill_slots > 1024)
        return fail(err, "phb.kill_slots: must be 1..1024");
    if (c->policy.invalidate == CFG_INVAL_LAZY_WRAP && c->policy.cache == CFG_CACHE_MAGAZINE)
        return fail(err, "iommu.invalidate: lazy_wrap cannot be combined with iommu.cache=magazine (cached ranges are reused without the wrap-around flush)");
    if (c->policy.magazine_size < 1 || c->policy.magazine_size > 4096)
        return fail(err, "iommu.magazine_size: must be 1..4096");
    if (c->policy.fq_entries < 1 || c->policy.fq_entries > 65536)
        return fail(err, "iommu.flush_queue.entries: must be 1..65536");
    if (c->host.max_order != CFG_AUTO && (c->host.max_order < 1 || c->host.max_order > 20))
        return fail(err, "host.max_order: must be 1..20");
    if (c->workload.size < 1)
        return fail(err, "workload.size: must be >= 1");
    if (c->workload.window < c->workload.size)
        return fail(err, "workload.window: must be >= workload.size");
    if (c->workload.count < 1)
        return fail(err, "workload.count: must be >= 1");
    if (c->workload.stride < 1)
        return fail(err, "workload.stride: must be >= 1");
    if (c->workload.cpu >= c->host.cpus)
        return fail(err, "workload.cpu: must be < host.cpus (%" PRIu64 ")", c->host.cpus);
    if (c->ndevices == 0)
        return fail(err, "devices: at least one device is needed");
    if (c->workload.device >= c->ndevices)
        return fail(err, "workload.device: no device %" PRIu64 " (the config has %u)", c->workload.device, c->ndevices);
    for (uint32_t i = 0; i < c->ndevices; i++) {
        const cfg_device *d = &c->devices[i];
        if (!d->rid[0])
            return fail(err, "devices.%u.rid: missing", i);
        if (d->dma_mask_bits < 24 || d->dma_mask_bits > 64)
            return fail(err, "devices.%u.dma_mask_bits: must be 24..64", i);
        if (!pow2(d->mps) || d->mps < 128 || d->mps > 4096)
            return fail(err, "devices.%u.mps: must be a power of two, 128..4096", i);
        if (!pow2(d->mrrs) || d->mrrs < 128 || d->mrrs > 4096)
            return fail(err, "devices.%u.mrrs: must be a power of two, 128..4096", i);
        if (d->rcb != 64 && d->rcb != 128)
            return fail(err, "devices.%u.rcb: must be 64 or 128", i);
        if (d->tags < 1 || d->tags > 1024)
            return fail(err, "devices.%u.tags: must be 1..1024", i);
        if (d->max_seg_size < 4096)
            return fail(err, "devices.%u.max_seg_size: must be >= 4K", i);
        for (uint32_t j = 0; j < i; j++)
            if (!strcmp(c->devices[j].rid, d->rid))
                return fail(err, "devices.%u.rid: %s is also devices.%u's", i, d->rid, j);
    }
    return 0;
}

int config_find(const char *name, const char *argv0, char *out, unsigned outlen, cfg_error *err)
{
    if (access(name, R_OK) == 0) {
        snprintf(out, outlen, "%s", name);
        return 0;
    }
    if (strchr(name, '/') || strstr(name, ".json"))
        return fail(err, "%s: %s", name, strerror(errno));
    /* A preset name: configs/NAME.json next to the binary (build/ -> ../configs),
     * in the current directory, or in the source tree. */
    char dir[1024] = ".";
    const char *slash = argv0 ? strrchr(argv0, '/') : NULL;
    if (slash && (size_t)(slash - argv0) < sizeof dir) {
        memcpy(dir, argv0, (size_t)(slash - argv0));
        dir[slash - argv0] = 0;
    }
    const char *dirs[] = {dir, NULL, ".", TCESIM_SOURCE_DIR};
    for (size_t i = 0; i < 4; i++) {
        if (dirs[i])
            snprintf(out, outlen, "%s/configs/%s.json", dirs[i], name);
        else
            snprintf(out, outlen, "%s/../configs/%s.json", dir, name);
        if (access(out, R_OK) == 0)
            return 0;
    }
    return fail(err, "%s: no such file, and no preset of that name in configs/", name);
}

/* ---- Describing ---- */

static void value_str(const key *k, const void *base, char *buf, size_t n)
{
    const char *p = (const char *)base + k->off;
    switch (k->type) {
    case K_U64:
    case K_SIZE: {
        uint64_t v = *(const uint64_t *)p;
        if (v == CFG_AUTO)
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
    sb_printf(b, "%-28s = %-12s # %s (default: %s)\n", path, v, k->meaning, *k->def ? k->def : "none");
}

char *config_describe(const tcesim_config *c)
{
    sbuf b = {0};
    for (size_t i = 0; i < NKEYS(global_keys); i++)
        describe_key(&b, global_keys[i].name, &global_keys[i], c);
    for (uint32_t d = 0; d < c->ndevices; d++)
        for (size_t i = 0; i < NKEYS(device_keys); i++) {
            char path[64];
            snprintf(path, sizeof path, "devices.%u.%s", d, device_keys[i].name);
            describe_key(&b, path, &device_keys[i], &c->devices[d]);
        }
    for (uint32_t p = 0; p < c->npes; p++)
        for (size_t i = 0; i < NKEYS(pe_keys); i++)
            if (c->pes[p].set & (1u << i)) {
                char path[64];
                snprintf(path, sizeof path, "pes.%" PRIu64 ".%s", c->pes[p].pe, pe_keys[i].name);
                describe_key(&b, path, &pe_keys[i], &c->pes[p].v);
            }
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
        if (v == CFG_AUTO)
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
    for (size_t i = 0; i < NKEYS(global_keys); i++)
        json_put(root, global_keys[i].name, json_value(&global_keys[i], c));
    json_t *devs = json_array();
    for (uint32_t d = 0; d < c->ndevices; d++) {
        json_t *o = json_object();
        for (size_t i = 0; i < NKEYS(device_keys); i++)
            json_object_set_new(o, device_keys[i].name, json_value(&device_keys[i], &c->devices[d]));
        json_array_append_new(devs, o);
    }
    json_object_set_new(root, "devices", devs);
    json_t *pes = json_object();
    for (uint32_t p = 0; p < c->npes; p++) {
        json_t *o = json_object();
        for (size_t i = 0; i < NKEYS(pe_keys); i++)
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

const char *config_enum_name(const char *name, int value)
{
    const key *k = find_key(global_keys, NKEYS(global_keys), name);
    if (!k || k->type != K_ENUM || value < 0)
        return "?";
    for (int i = 0; k->enums[i]; i++)
        if (i == value)
            return k->enums[i];
    return "?";
}
