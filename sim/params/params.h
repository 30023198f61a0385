/* The key engine's rows: every configuration key declared once, with its
 * type, unit, default, range, one-line meaning, provenance and the context
 * in which it takes effect, and where its value goes (the component
 * params field(s) it fills). config.c parses and prints through these rows;
 * params_fill() fills a component's params struct from them; the key-effect
 * test (tests/unit/test_key_effect.cpp) sets each key in its context and
 * checks that something changes. C11, so config.c and C tests can use it. */
#ifndef TCESIM_PARAMS_H
#define TCESIM_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { K_U64, K_SIZE, K_BOOL, K_ENUM, K_STR } ktype;

/* The params structs a row can fill. */
typedef enum {
    PS_NONE = 0,
    PS_PHB,        /* phb_params (models/phb/phb.h) */
    PS_MEM,        /* mem_params (models/memory/memory.h) */
    PS_HOST,       /* host_params (models/host/dma_api.h) */
    PS_PE_SETUP,   /* pe_setup_params (models/host/pe_setup.h): every PE's common part */
    PS_WORKLOAD,   /* gen_window_params (traces/gen_window.h) */
    PS_EP,         /* ep_params (models/endpoint/endpoint.h), from a devices.N row */
} param_struct;

/* How a value becomes its params field. */
typedef enum {
    CV_U64 = 0,    /* uint64_t as is */
    CV_U32,        /* uint32_t */
    CV_NS_PS,      /* ns -> ps_t */
    CV_X1000,      /* GB/s -> MB/s (uint64_t) */
    CV_BOOL,       /* bool as is */
    CV_ENUM,       /* the name's index through map[] (NULL: as is) into an enum (int) */
    CV_ENUM_BOOL,  /* bool: index != 0 */
    CV_ILOG2,      /* unsigned: log2 of a power of two */
    CV_AUTO0_U32,  /* uint32_t; auto -> 0 */
} param_conv;

typedef struct param_sink {
    param_struct in;   /* PS_NONE: unused slot */
    size_t off;        /* offsetof(the params struct, field) */
    param_conv conv;
    const int *map;    /* CV_ENUM: name index -> model enum value */
} param_sink;

#define PARAM_SINKS 3

/* A number's range, machine-readable: the one generic check
 * (params_in_range, behind config_validate) and the range column of
 * docs/keys.md (params_range_text) both read it. A unit caps it too: a
 * time in ns or ps stays below 2^63 ps (num_unit_max). "auto" (CFG_AUTO)
 * is outside every range and accepted where the row allows it. */
enum { RG_HAS = 1, RG_ISPOW2 = 2, RG_ISSET = 4 };
typedef struct param_range {
    unsigned flags;    /* 0: any value of the type (within the unit's cap) */
    uint64_t min, max; /* inclusive; max 0 = no bound but the unit's */
    uint64_t set[2];   /* RG_ISSET: the allowed values (min = set[0], max = set[1]) */
} param_range;

#define RG_NONE {0, 0, 0, {0, 0}}
#define RG(lo, hi) {RG_HAS, (lo), (hi), {0, 0}}
#define RG_MIN(lo) {RG_HAS, (lo), 0, {0, 0}}
#define RG_POW2(lo, hi) {RG_HAS | RG_ISPOW2, (lo), (hi), {0, 0}}
#define RG_SET2(a, b) {RG_HAS | RG_ISSET, (a), (b), {(a), (b)}}

typedef struct param_row {
    const char *name;
    ktype type;
    size_t off;                 /* offsetof(tcesim_config | cfg_device | cfg_iommu, field) */
    const char *def;            /* default, as a user would write it */
    const char *meaning;
    const char *const *enums;   /* K_ENUM: NULL-terminated names */
    bool allow_auto;
    const char *unit;           /* "ns", "ps", "bytes", "GB/s", "" (a count or a name) */
    const char *range;          /* what rg does not say (cross-key rules, what 0 means), "" = nothing */
    const char *prov;           /* where the default comes from: spec, kernel, firmware, guess, user */
    const char *context;        /* "" = always; else the settings under which it takes effect */
    const char *context_set;    /* --set assignments that put a run in that context ("k=v, k=v"),
                                 * "" when the default configuration is in it */
    /* Where the value goes. No sink: the component derives it (the row's
     * `used_by` says where) because it is shared or merged (per-PE iommu.*,
     * seed, host.kernel). */
    param_sink sink[PARAM_SINKS];
    const char *used_by;        /* the keys file that reads it when not by a sink alone */
    param_range rg;             /* K_U64 / K_SIZE: the values validation accepts */
} param_row;

extern const param_row params_global[];
extern const size_t params_global_count;
extern const param_row params_device[];  /* devices.N.<name> */
extern const size_t params_device_count;
extern const param_row params_pe[];      /* pes.N.<name>; bit i of cfg_pe.set = row i */
extern const size_t params_pe_count;
extern const char *const params_tris[];  /* "auto", "true", "false" (JSON booleans accepted) */

/* The largest value a numeric row accepts: rg.max, else its unit's cap
 * (NUM_NS_MAX for ns, ...), else CFG_AUTO - 1; for a power-of-two range, the
 * largest power of two within that. */
uint64_t params_range_max(const param_row *k);
/* The smallest value a numeric row accepts. */
uint64_t params_range_min(const param_row *k);
/* Whether v is in the row's range (CFG_AUTO is not: the caller allows it). */
bool params_in_range(const param_row *k, uint64_t v);
/* The machine range as text: "1..1024", "power of two, 8..4096", ">= 1",
 * "<= 1048576", "64 or 128" (sizes with K/M/G/T suffixes); "" when the row
 * has none. article: "a power of two" (for "key: must be ..."). */
void params_range_text(const param_row *k, bool article, char *buf, size_t n);
/* The range column of docs/keys.md: the machine range, then the row's note
 * (range), then "or auto" where auto is allowed, and for a name its names. */
void params_range_doc(const param_row *k, char *buf, size_t n);

/* docs/keys.md: every row as a Markdown table (key, type, unit, default,
 * range, provenance, context, meaning). Caller frees; NULL when out of
 * memory. tests/unit/test_keys_doc.cpp holds the page to it. */
char *params_markdown(void);

/* Fills the fields of *out (a struct of kind `in`) that rows of `rows`
 * declare, from base (the tcesim_config or cfg_device the rows' offsets
 * refer to). Fields no row fills are left alone. */
void params_fill(const param_row *rows, size_t n, param_struct in, const void *base, void *out);

#ifdef __cplusplus
}
#endif

#endif
