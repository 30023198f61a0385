/* Import of Linux `dma:` trace events, as printed by `trace-cmd report`, into
 * a tcesim trace (traces/FORMAT.md, "Importing trace-cmd reports", is the
 * user-facing description; this header is the contract).
 *
 * Sources the parser follows (read, not copied):
 *  - include/trace/events/dma.h, Linux 6.12: dma_map_page / dma_map_resource
 *    "%s dir=%s dma_addr=%llx size=%zu phys_addr=%llx attrs=%s";
 *    dma_unmap_page / dma_unmap_resource "%s dir=%s dma_addr=%llx size=%zu
 *    attrs=%s"; dma_alloc "%s dma_addr=%llx size=%zu phys_addr=%llx flags=%s
 *    attrs=%s" (no dir); dma_free "%s dma_addr=%llx size=%zu phys_addr=%llx
 *    attrs=%s"; dma_map_sg "%s dir=%s dma_addrs=%s sizes=%s phys_addrs=%s
 *    attrs=%s"; dma_unmap_sg "%s dir=%s phys_addrs=%s attrs=%s" (the
 *    *physical* addresses of the nents input entries, sg_phys()).
 *  - the same file, newer kernels (read at torvalds/linux commit 0b9828c7231e,
 *    after v6.12; the changes came in several releases): dma_map_phys /
 *    dma_unmap_phys replace the
 *    page and resource events (kernel/dma/mapping.c dma_map_phys() traces
 *    even a failed map, with dma_addr = DMA_MAPPING_ERROR = ~0); the
 *    dma_alloc_class events dma_alloc, dma_alloc_pages, dma_alloc_sgt_err
 *    print "%s dir=%s dma_addr=%llx size=%zu virt_addr=%p flags=%s attrs=%s"
 *    (no physical address; dma_addr is 0 when the allocation failed);
 *    dma_alloc_sgt prints "dma_addr= size= phys_addrs= flags= attrs=";
 *    dma_free, dma_free_pages "dir= dma_addr= size= virt_addr= attrs=";
 *    dma_free_sgt "dir= dma_addr= size= phys_addrs="; dma_map_sg prints
 *    "nents=%d/%d ents=%d/%d%s" before its arrays, the arrays capped at 128
 *    entries (DMA_TRACE_MAX_ENTRIES) and " [TRUNCATED]" when capped;
 *    dma_map_sg_err prints its physical addresses under the name dma_addrs=.
 *    Field layout (TP_STRUCT__entry, what a raw dump shows): dma_map_sg
 *    6.12: device, phys_addrs (u64[]), dma_addrs (u64[]), lengths (unsigned
 *    int[]), dir, attrs; newer: device, full_nents, full_ents, truncated,
 *    then the same arrays, each capped at 128 entries; dma_unmap_sg: device,
 *    addrs (u64[]), dir, attrs; dma_alloc_sgt / dma_free_sgt: device,
 *    phys_addrs (u64[]), dma_addr, size, dir, ...
 *  - arrays (__print_array): the kernel's own trace file (trace_print_array_seq,
 *    kernel/trace/trace_output.c) and libtraceevent >= 1.8.4 (commit 5f570de
 *    "Print arrays like Linux does", print_str_arg) print "{0x1000,0x2000}".
 *    libtraceevent <= 1.8.3 printed arrays as space-separated decimals
 *    ("4096 8192"), but never for the dma: events: their print formats say
 *    sizeof(u64), which process_sizeof() only learned in 1.8.4 (commit
 *    f2224d5 "Have sizeof() parsing handle u8/s8 through u64/s64"), so 1.8.3
 *    marks those events TEP_EVENT_FL_FAILED and pretty_print() prints
 *    "[FAILED TO PARSE]" then every field as " name=value"
 *    (tep_print_fields -> print_field_raw): strings as text, arrays as
 *    "ARRAY[00, 10, 00, 00]" (the raw bytes, in the traced kernel's byte
 *    order), unsigned scalars "%llu" (decimal, even u64 addresses), fields
 *    whose type says long "0x%llx", signed ones "%d", dir as its number
 *    (enum dma_data_direction, include/linux/dma-direction.h: 0
 *    BIDIRECTIONAL, 1 TO_DEVICE, 2 FROM_DEVICE, 3 NONE). All three forms are
 *    read; the raw bytes are decoded with the layout above (u64 addresses,
 *    u32 lengths) in import_params.big_endian's byte order.
 *  - the raw ftrace file (/sys/kernel/tracing/trace, "# tracer:" header,
 *    kernel/trace/trace_output.c) and `perf script` ("comm pid [cpu]
 *    time: dma:name: text") have the same columns up to the event name;
 *    "#" lines are not events.
 *  - trace-cmd report (tracecmd/trace-read.c, libtraceevent tep_print_event):
 *    "%16s-%-5d [%03d]" comm, pid, cpu, then the timestamp " %5llu.%06llu:"
 *    (microseconds, rounded) or, with `report -t`, " %5llu.%09llu:"
 *    (nanoseconds), then " %s: " the event name padded to 20 columns, then
 *    the event's text. Newer trace-cmd prints the latency flags ("d..1.")
 *    between the cpu and the timestamp; `report -l` prints
 *    "%8.8s-%-5d %3d" followed directly by the flags ("2d..1.").
 *
 * Contract: two streaming passes over REPORT (pass 1 finds the devices and
 * whether every mapping has a physical address; pass 2 writes), memory
 * O(devices + live mappings + events within delay_ns of each other), never
 * O(report). No floating point. Nothing exits; errors return TCESIM_* with
 * err->msg "file: message". */
#ifndef TCESIM_IMPORT_TRACECMD_H
#define TCESIM_IMPORT_TRACECMD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "trace.h"

/* ---- Parameters ---- */

typedef enum import_access {
    IMPORT_ACCESS_ONCE = 0,   /* each buffer touched once, fully (default) */
    IMPORT_ACCESS_NONE,       /* host ops only */
} import_access;

typedef enum import_pe_rule {
    IMPORT_PE_BUS = 0,        /* pe = the device's bus number (default) */
    IMPORT_PE_DEVICE,         /* pe = device id + 1: one PE per device */
    IMPORT_PE_NONE,           /* no pe= in the declaration: the config decides */
} import_pe_rule;

typedef enum import_pa_rule {
    IMPORT_PA_AUTO = 0,       /* pa=/pas= on every mapping when all have one, else none */
    IMPORT_PA_NEVER,          /* never: the simulator places the buffers */
} import_pa_rule;

typedef struct import_params {
    import_access access;
    uint64_t delay_ns;        /* device access this long after the map (default 1000);
                                 at the map/unmap midpoint when the unmap comes sooner */
    uint64_t chunk_bytes;     /* > 0: split each access into chunks of this many bytes,
                                 all at the same time; 0 (default): one access per buffer */
    import_pe_rule pe_rule;
    unsigned dma_mask_bits;   /* 1..64: every device declares this mask; 0 (default):
                                 inferred per device from its bus addresses:
                                 any >= 1<<59 (TVE#1 bypass): 64; else any >= 4 GiB
                                 (PHB3's TVE#0 64-bit bypass): 59, the widest mask
                                 that cannot reach TVE#1; else 32 (the TCE window) */
    bool big_endian;          /* raw "ARRAY[..]" bytes are big-endian (ppc64 BE
                                 kernels); default false: little-endian */
    int32_t domain;           /* PCI domain to import, or -1 (default) for all */
    uint64_t sg_page_bytes;   /* IOMMU page assumed by the map_sg reconstruction,
                                 a power of two (default 4096) */
    import_pa_rule pa;
} import_params;

void import_params_default(import_params *p);

/* ---- Statistics ---- */

/* Why a line was not used. Every line of the report that produced no
 * output is counted under exactly one reason. */
typedef enum import_skip {
    IMP_SKIP_NOT_EVENT = 0,   /* not an event line: report header ("cpus=8"), blank, text */
    IMP_SKIP_LOST_EVENTS,     /* "CPU:N [EVENTS DROPPED]" marker: later unmaps may be unknown */
    IMP_SKIP_BAD_TIME,        /* timestamp without a fraction (counter clock) or > 9 decimals */
    IMP_SKIP_OTHER_EVENT,     /* an event that is not a dma: mapping event (sched_*, iommu:*) */
    IMP_SKIP_NO_EFFECT,       /* dma_sync_*: changes no mapping */
    IMP_SKIP_MALFORMED,       /* a dma event whose text does not parse (or dir=NONE, size 0) */
    IMP_SKIP_NOT_PCI,         /* device name is not DDDD:BB:DD.F */
    IMP_SKIP_OTHER_DOMAIN,    /* device outside import_params.domain */
    IMP_SKIP_FAILED,          /* failed map/alloc (dma_addr ~0 or 0), dma_map_sg_err, *_sgt_err */
    IMP_SKIP_TRUNCATED,       /* dma_map_sg with [TRUNCATED] arrays whose counts do not
                                 fit them (those that fit are completed by guessing) */
    IMP_SKIP_SG_SHAPE,        /* dma_map_sg whose input segments cannot be reconstructed,
                                 or with more than TR_MAX_SEGS of them */
    IMP_SKIP_UNKNOWN_UNMAP,   /* unmap/unmap_sg/free of no live mapping (mapped before the
                                 trace, lost, or its map was skipped) */
    IMP_SKIP_COUNT
} import_skip;

const char *import_skip_name(import_skip why);  /* one-line description */

typedef struct import_stats {
    uint64_t lines;                        /* lines read (pass 2) */
    uint64_t skipped[IMP_SKIP_COUNT];
    uint64_t first_line[IMP_SKIP_COUNT];   /* first line skipped for each reason (0: none) */
    uint64_t ops[TR_OP_COUNT];             /* events written, by op */
    uint64_t sg_reconstructed;             /* map_sg with fewer output than input segments */
    uint64_t clamped_times;                /* timestamps that went backwards: written at the
                                              previous event's time */
    uint64_t live_at_end;                  /* mappings never unmapped or freed */
    uint32_t devices;                      /* device declarations written */
    uint32_t bypass_devices;               /* of which inferred 64-bit for a bypass address */
    uint32_t tve0_devices;                 /* of which inferred 59-bit (addresses >= 4 GiB) */
    uint64_t sg_truncated;                 /* [TRUNCATED] map_sg completed by guessing */
    uint64_t guessed_bytes;                /* bytes of their hidden segments (a guess) */
    uint64_t raw_lines;                    /* "[FAILED TO PARSE]" lines read from raw fields */
    bool pa_omitted;                       /* some mapping had no physical address, so pa=
                                              was left out everywhere (IMPORT_PA_AUTO) */
} import_stats;

/* Summary for stderr: lines read, events written, then one line per reason
 * with a non-zero count ("  3 unmap of no live mapping (first: line 17)"). */
void import_stats_print(const import_stats *st, FILE *f);

/* ---- The import ---- */

/* Reads report_path (the text of `trace-cmd report`), writes out_path
 * (format by file name, as tr_writer_open picks it) atomically: on error no output is left;
 * an out_path that is the same file as report_path is refused (TCESIM_EINVAL, tr_check_output).
 * p NULL: defaults. st may be NULL. Returns 0 (even when lines were skipped:
 * they are in *st) or a negative TCESIM_* error with err->msg set (missing
 * or unreadable report, write failure, more than TR_MAX_DEVICES devices,
 * bad parameters). */
int import_tracecmd(const char *report_path, const import_params *p, const char *out_path,
                    import_stats *st, tr_error *err);

/* ---- Lower level, exposed for tests ---- */

typedef enum import_kind {
    IMPORT_MAP = 0,     /* dma_map_page / dma_map_resource / dma_map_phys */
    IMPORT_UNMAP,       /* dma_unmap_page / dma_unmap_resource / dma_unmap_phys */
    IMPORT_MAP_SG,      /* dma_map_sg */
    IMPORT_UNMAP_SG,    /* dma_unmap_sg */
    IMPORT_ALLOC,       /* dma_alloc / dma_alloc_pages / dma_alloc_sgt */
    IMPORT_FREE,        /* dma_free / dma_free_pages / dma_free_sgt */
} import_kind;

/* One parsed report line. Array pointers belong to the parser and stay
 * valid until its next parse. */
typedef struct import_line {
    uint32_t cpu;
    uint64_t ts_ns;          /* the timestamp, exactly, in ns */
    bool has_flags;          /* a latency-flags column was present */
    import_kind kind;
    uint32_t domain;
    uint16_t rid;            /* bus << 8 | dev << 3 | fn */
    bool has_dir;
    tr_dir dir;
    uint64_t dma_addr, size;
    bool has_phys;
    uint64_t phys;
    uint32_t nphys, ndma;    /* map_sg: input entries; output entries */
    const uint64_t *phys_addrs;  /* nphys (map_sg, unmap_sg, alloc_sgt) */
    const uint64_t *dma_addrs;   /* ndma (map_sg) */
    const uint64_t *lens;        /* ndma (map_sg) */
    bool truncated;              /* map_sg: arrays capped; full counts below */
    uint32_t full_nphys, full_ndma;  /* map_sg: nents, ents (= nphys, ndma unless truncated) */
    bool raw;                    /* "[FAILED TO PARSE]": read from the raw fields */
} import_line;

typedef struct import_parser import_parser;
import_parser *import_parser_new(void);
/* Byte order of raw ARRAY[] bytes (default little-endian). */
void import_parser_set_big_endian(import_parser *ps, bool big);
void import_parser_free(import_parser *ps);   /* accepts NULL */

/* Parses one line (without its newline). Returns 1 with *out filled for a
 * dma mapping event, 0 with *why set for a line that is not used, or
 * TCESIM_ENOMEM. Only the line's own text is judged here (an unmap of an
 * unknown address is decided by the import). */
int import_parse_line(import_parser *ps, const char *line, import_line *out, import_skip *why);

/* Rebuilds the nphys input segment sizes of a dma_map_sg from its nout
 * merged output segments (bus addresses dma[], lengths lens[]), with
 * page_bytes the IOMMU page. The rule (FORMAT.md states it too):
 *  - output segment j has page offset o = dma[j] % page and spans
 *    cap = ceil((o + lens[j]) / page) IOMMU pages; inputs merged into one
 *    output segment must each start on a page boundary except the first,
 *    and each covers at least one page, so it holds 1..cap inputs;
 *  - segments take inputs in order; segment j takes the largest count k
 *    that leaves at least one input for each later segment, no more than
 *    the later segments can hold, whose inputs after the first are
 *    page-aligned, preferring the largest k after which the next input's
 *    page offset equals the next output segment's (that is where the
 *    kernel started a new segment);
 *  - within a segment of k inputs its cap pages are shared out evenly,
 *    earlier inputs taking the remainder: the first input ends at the end
 *    of its share (its size is share*page - o), middle inputs are whole
 *    shares, the last takes what is left of lens[j].
 * With nphys == nout every size is the output length. Returns 0 with
 * sizes[0..nphys) set, or -1 when no assignment fits. */
int import_sg_reconstruct(const uint64_t *phys, uint32_t nphys, const uint64_t *dma,
                          const uint64_t *lens, uint32_t nout, uint64_t page_bytes,
                          uint64_t *sizes);

#endif
