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

typedef struct param_row {
    const char *name;
    ktype type;
    size_t off;                 /* offsetof(tcesim_config | cfg_device | cfg_iommu, field) */
    const char *def;            /* default, as a user would write it */
    const char *meaning;
    const char *const *enums;   /* K_ENUM: NULL-terminated names */
    bool allow_auto;
    const char *unit;           /* "ns", "ps", "bytes", "GB/s", "" (a count or a name) */
    const char *range;          /* what validation accepts, "" = any of the type */
    const char *prov;           /* where the default comes from: spec, kernel, firmware, guess, user */
    const char *context;        /* "" = always; else the settings under which it takes effect */
    const char *context_set;    /* --set assignments that put a run in that context ("k=v, k=v"),
                                 * "" when the default configuration is in it */
    /* Where the value goes. No sink: the component derives it (the row's
     * `used_by` says where) because it is shared or merged (per-PE iommu.*,
     * seed, host.kernel). */
    param_sink sink[PARAM_SINKS];
    const char *used_by;        /* the keys file that reads it when not by a sink alone */
} param_row;

extern const param_row params_global[];
extern const size_t params_global_count;
extern const param_row params_device[];  /* devices.N.<name> */
extern const size_t params_device_count;
extern const param_row params_pe[];      /* pes.N.<name>; bit i of cfg_pe.set = row i */
extern const size_t params_pe_count;
extern const char *const params_tris[];  /* "auto", "true", "false" (JSON booleans accepted) */

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
