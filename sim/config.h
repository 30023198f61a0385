/* tcesim's configuration: every key, its default and meaning, JSON loading,
 * `--set key=value` overrides and validation (C11, jansson).
 *
 * Keys are declared once, in the rows of sim/params/keys.c (type, unit,
 * default, range, meaning, provenance, context, the params fields they
 * fill); `tcesim config` prints those rows resolved. Errors are
 * one line: "FILE:LINE: message" for JSON syntax, "key: message" otherwise. */
#ifndef TCESIM_CONFIG_H
#define TCESIM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include "common/numparse.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Configured devices (the devices[] list, ids 0..255). A trace may declare
 * any id below TR_MAX_DEVICES (4096) beside them: the run keeps those in its
 * own list, so a config stays small (it is copied for every run). */
#define CFG_MAX_DEVICES 256u
#define CFG_MAX_PES 64u      /* PEs with per-PE overrides */
#define CFG_MAX_WORKLOADS 16u /* workloads[]: generators in one run */
#define CFG_MAX_WKEYS 32u     /* keys of one workloads[] entry */
#define CFG_STR 32u
#define CFG_ERR_LEN 512u
#define CFG_AUTO UINT64_MAX  /* "auto": the era's / the kernel's choice */

typedef enum { CFG_PHB3 = 0, CFG_PHB4 } cfg_phb_model;
typedef enum { CFG_KERNEL_SEED = 0, CFG_KERNEL_MODERN } cfg_kernel;
typedef enum { CFG_HASH_AUTO = 0, CFG_HASH_MODERN, CFG_HASH_LEGACY } cfg_hash;
typedef enum { CFG_TRI_AUTO = 0, CFG_TRI_TRUE, CFG_TRI_FALSE } cfg_tri;
typedef enum { CFG_PAT_RANDOM = 0, CFG_PAT_SEQUENTIAL, CFG_PAT_STRIDED } cfg_pattern;
typedef enum { CFG_OP_READ = 0, CFG_OP_WRITE } cfg_op;
typedef enum { CFG_POLICY_LRU = 0, CFG_POLICY_RR, CFG_POLICY_RANDOM } cfg_policy;
typedef enum { CFG_LOCK_POOL = 0, CFG_LOCK_GLOBAL } cfg_lock;
typedef enum { CFG_CACHE_NONE = 0, CFG_CACHE_MAGAZINE } cfg_cache;
typedef enum { CFG_INVAL_STRICT = 0, CFG_INVAL_LAZY_WRAP, CFG_INVAL_FLUSH_QUEUE } cfg_inval;
typedef enum { CFG_SPIN_AUTO = 0, CFG_SPIN_FIFO, CFG_SPIN_UNFAIR } cfg_spin;

typedef struct cfg_device {
    char rid[CFG_STR];
    uint64_t pe;              /* CFG_AUTO: the RID's bus number */
    uint64_t dma_mask_bits;
    char link[CFG_STR];
    uint64_t mps, mrrs, rcb, tags, max_seg_size;
    int cpl_split;            /* 0 mps, 1 rcb */
    uint64_t read_req_ns, write_req_ns, read_byte_ps, write_byte_ps, overhead_ns, read_hold_ns;
    bool link_overhead;
    uint32_t set;             /* bit i: key i of the device table (params_device) was given */
} cfg_device;

typedef struct cfg_iommu {
    uint64_t page_size, levels, window, pools; /* CFG_AUTO allowed */
    bool bypass;                               /* per-PE only */
} cfg_iommu;

typedef struct cfg_pe {
    uint64_t pe;
    uint32_t set;             /* bit i: key i of the PE table was given */
    cfg_iommu v;
} cfg_pe;

/* One workloads[] entry: a generator (traces/generators.h) and its keys,
 * kept as strings for the generator to parse (gen_open checks them). */
typedef struct cfg_workload {
    char generator[CFG_STR];
    uint32_t nkeys;
    char keys[CFG_MAX_WKEYS][CFG_STR];
    char values[CFG_MAX_WKEYS][64];
} cfg_workload;

typedef struct tcesim_config {
    uint64_t seed;
    uint64_t quantum_ns;
    uint64_t warmup_ns;       /* sim.warmup_ns: statistics restart here; 0 = off */
    uint64_t replay_window;   /* sim.replay_window: events queued per actor at most */
    uint64_t dead_handles;    /* sim.dead_handles: dropped handles remembered for stale DMA */
    struct {
        int model;            /* cfg_phb_model */
        uint64_t domain;      /* phb.domain: the PHB's PCI domain; CFG_AUTO = the RIDs' (else 0) */
        uint64_t cache_entries, cache_ways;
        int cache_policy;     /* cfg_policy */
        bool line_fill;
        uint64_t walk_cache_entries, walk_line_entries, line_bytes;
        uint64_t lookup_ns, bypass_ns, fetch_slots, eeh_recovery_ns, walk_ns;
        uint64_t kill_slots, kill_ns, kill_sync_ns, read_slots;
    } phb;
    struct {
        uint64_t latency_ns, bandwidth_gbs, remote_data_ns;
        uint64_t llc_bytes, llc_ways, llc_line, llc_hit_ns, llc_line_ns;
    } memory;
    cfg_iommu iommu;
    struct {
        int lock;             /* cfg_lock */
        int cache;            /* cfg_cache */
        int invalidate;       /* cfg_inval */
        int pool_hash;        /* cfg_hash: auto = the era's */
        int large_pool_fallback; /* cfg_tri: auto = the era's */
        uint64_t magazine_size, fq_entries, fq_timeout_ns;
    } policy;
    struct {
        uint64_t cpus, page_size, ram, m32_base, max_order;
        int kernel;           /* cfg_kernel */
        uint64_t op_ns, lock_ns, lock_handoff_ns, search_word_ns, tce_write_ns, mb_ns;
        uint64_t kill_store_ns, opal_call_ns, magazine_ns;
        bool kill_escalate_pe;
        bool unmap_wait;      /* unmaps wait for their device (traces/FORMAT.md, Replay) */
        int spinlock;         /* cfg_spin: auto = the era's */
    } host;
    struct {
        int pattern, op;
        uint64_t stride, window, size, count, device, seed, cpu;
    } workload;
    uint32_t ndevices;
    cfg_device devices[CFG_MAX_DEVICES];
    uint32_t npes;
    cfg_pe pes[CFG_MAX_PES];
    uint32_t nworkloads;      /* workloads[]: when any, the run's built-in events */
    char window_key[CFG_STR]; /* the first workload.* key given ("" = none): not with workloads[] */
    bool default_scenario;    /* config_apply_default_scenario ran */
    cfg_workload workloads[CFG_MAX_WORKLOADS];
} tcesim_config;

typedef struct cfg_error {
    char msg[CFG_ERR_LEN];
} cfg_error;

/* Every key's default: a PHB3-like PHB with four cost-free devices and the
 * built-in window workload (configs/bench-window.json writes it out). The
 * base of every config. Never fails. */
void config_defaults(tcesim_config *c);

/* The scenario `tcesim run` shows with neither a CONFIG nor a trace (and
 * `tcesim config` without a CONFIG): on top of config_defaults, a NIC, an
 * NVMe drive and a bypass GPU sharing the PHB, with NFP6000-like device
 * costs, each driven by its generator (workloads[]). README "The default
 * scenario" says what it shows. */
extern const char config_default_scenario[];
int config_apply_default_scenario(tcesim_config *c, cfg_error *err);

/* Opens workloads[] entry w's generator (traces/generators.h gen_open with
 * its keys) with `seed` unless the entry sets its own. */
struct tr_source;
struct tr_error;
int config_workload_open(const cfg_workload *w, uint64_t seed, struct tr_source *out, struct tr_error *err);

/* Applies a JSON file on top of *c. "devices", when present, replaces the
 * device list. Returns 0 or 2 (bad input) with err set. */
int config_load_file(tcesim_config *c, const char *path, cfg_error *err);
int config_load_string(tcesim_config *c, const char *json, const char *name, cfg_error *err);

/* Applies one "key=value" (dotted path). */
int config_set(tcesim_config *c, const char *assignment, cfg_error *err);

/* Every numeric value against its key row's range (one generic check,
 * params_in_range), then the rules between keys (check_cross in config.c:
 * ways divides entries, LLC geometry, RAM in pages, lazy_wrap vs magazine,
 * the workload's actors, device RIDs). "key: what is wrong", returns 2. */
int config_validate(const tcesim_config *c, cfg_error *err);

/* Resolves CONFIG as the CLI takes it: an existing path, or the name of a
 * preset: configs/NAME.json found by tcesim_find_data (datadir.h). Writes
 * the path found into out. Returns 0 or 2. */
int config_find(const char *name_or_path, char *out, unsigned outlen, cfg_error *err);

/* Text listing: every key, its value, default and meaning. Caller frees. */
char *config_describe(const tcesim_config *c);
/* The resolved configuration as a JSON document (nested). Caller frees. */
char *config_to_json(const tcesim_config *c);

/* Per-PE effective iommu settings: the PE's overrides over iommu.*. */
cfg_iommu config_pe_iommu(const tcesim_config *c, uint64_t pe);

/* Parsing helper shared with the CLI: the number grammar of
 * models/common/numparse.h (decimal or 0x hex; with allow_suffix a decimal
 * may end in K, M, G or T, powers of 1024). Returns 0 or -1. */
int config_parse_u64(const char *s, bool allow_suffix, uint64_t *out);

const char *config_enum_name(const char *key, int value);

#ifdef __cplusplus
}
#endif

#endif
