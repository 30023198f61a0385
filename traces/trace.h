/* DMA trace events and the streaming source interface every reader and
 * generator implements. Formats: traces/FORMAT.md (text and binary version 1,
 * either optionally .zst; binary declarations in trace_binary.h).
 *
 * Contract: a source yields events in file order with non-decreasing
 * time_ns; pointers inside an event (segment arrays) belong to the source and
 * stay valid only until the next call. Memory use is bounded: a source keeps
 * O(distinct handles) state at most, never O(events). */
#ifndef TCESIM_TRACE_H
#define TCESIM_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define TR_MAX_DEVICES 4096u
#define TR_MAX_CPUS 4096u
#define TR_MAX_SEGS 1024u      /* map_sg segments per op */
#define TR_ERR_LEN 512
#define TR_MAX_LINE 65536u     /* text: longest line in bytes, newline excluded */

typedef enum tr_op {
    TR_MAP = 0,   /* cpu: dma_map_page/single */
    TR_MAP_SG,    /* cpu: dma_map_sg */
    TR_UNMAP,     /* cpu: unmap of a map or map_sg handle */
    TR_ALLOC,     /* cpu: dma_alloc_coherent */
    TR_FREE,      /* cpu: dma_free_coherent */
    TR_READ,      /* device: DMA read (device reads host memory) */
    TR_WRITE,     /* device: DMA write */
    TR_OP_COUNT
} tr_op;

const char *tr_op_name(tr_op op);
static inline bool tr_op_is_host(tr_op op) { return op <= TR_FREE; }

typedef enum tr_dir {
    TR_DIR_BIDIRECTIONAL = 0,
    TR_DIR_TO_DEVICE,
    TR_DIR_FROM_DEVICE,
} tr_dir;

const char *tr_dir_name(tr_dir d); /* "bidirectional", "to_device", "from_device" */

typedef struct tr_event {
    uint64_t time_ns;
    uint64_t line;         /* source line (text) or record number (binary); 0 for generators */
    tr_op op;
    uint32_t actor;        /* cpu number (host ops) or device id (device ops) */
    uint32_t dev;          /* host ops: the device the mapping is for (unmap/free: the
                              handle's, filled by the reader); device ops: == actor */
    uint64_t handle;       /* h=; 0 is a valid id */
    bool has_handle;       /* device ops: h= given (else addr=) */
    tr_dir dir;            /* map, map_sg */
    uint64_t size;         /* map, alloc: bytes; map_sg: sum of seg_sizes */
    uint32_t nsegs;        /* map_sg */
    const uint64_t *seg_sizes;  /* map_sg: nsegs sizes */
    const uint64_t *seg_pas;    /* map_sg: nsegs pas or NULL when absent */
    bool has_pa;           /* map/alloc: pa given */
    uint64_t pa;
    uint64_t off, len;     /* device ops: offset into the handle's mapping, length */
    uint64_t addr;         /* device ops with addr=: raw bus address */
    bool untracked;        /* device ops through a handle dropped more than
                              tr_dead_handles() drops before: its mapping is
                              forgotten (set by the readers; FORMAT.md, Handles) */
} tr_event;

/* How many dropped (unmapped or freed) handles a reader remembers, the
 * latest ones, for stale accesses through them: memory is bounded by the
 * live mappings plus this many (about 100 bytes each across the reader and
 * the replay). Readers opened afterwards use it; the run sets it from
 * sim.dead_handles. 0 is refused (returns -1). */
#define TR_DEAD_HANDLES_DEFAULT 65536u
int tr_set_dead_handles(uint64_t n);
uint64_t tr_dead_handles(void);

typedef struct tr_device_decl {
    uint32_t id;
    uint16_t rid;
    bool has_domain;       /* rid= gave a PCI domain (DDDD:BB:DD.F): the run's phb.domain */
    uint16_t domain;
    bool has_pe;           /* pe= given */
    uint32_t pe;
    bool has_mask;         /* dma_mask_bits= given */
    unsigned dma_mask_bits;
} tr_device_decl;

typedef struct tr_error {
    char msg[TR_ERR_LEN];  /* "file:line: message" */
} tr_error;

/* A stream of events. next returns 1 with *ev filled, 0 at the end, or a
 * negative TCESIM_* error with err->msg set. */
typedef struct tr_source {
    int (*next)(void *ctx, tr_event *ev, tr_error *err);
    void (*close)(void *ctx);   /* frees ctx; may be NULL */
    void *ctx;
    const char *name;           /* for messages */
    /* Device declarations from the trace header (text: `device` lines before
     * the first event). Owned by the source. */
    const tr_device_decl *devices;
    uint32_t ndevices;
} tr_source;

static inline int tr_next(tr_source *s, tr_event *ev, tr_error *err) { return s->next(s->ctx, ev, err); }
void tr_close(tr_source *s); /* calls close; accepts a zeroed source */

/* Opens a text trace (.trace/.txt, + .zst for zstd). Reads the header
 * and device declarations eagerly, events lazily. Returns 0, or an error with
 * err->msg "file:line: message" (or "file: message" when it cannot open). */
int tr_open_text(const char *path, tr_source *out, tr_error *err);

/* The format a file name picks: ".trace"/".txt" text, ".bin" binary
 * (traces/trace_binary.h), each optionally followed by ".zst" (zstd,
 * transparent to every reader and writer). */
typedef enum tr_format { TR_FORMAT_UNKNOWN = 0, TR_FORMAT_TEXT, TR_FORMAT_BINARY } tr_format;
tr_format tr_format_of(const char *path);

/* Opens any supported format by the file name (tr_format_of). Errors as
 * the format's reader gives them; an unknown suffix is TCESIM_EINVAL. */
int tr_open(const char *path, tr_source *out, tr_error *err);

/* Slots in a text source's handle table (0 for any other source): what the
 * reader's memory grows with, exposed so tests can check it stays
 * O(distinct handles) on long traces. */
size_t tr_text_handle_slots(const tr_source *src);

/* ---- Writers ---- */
typedef struct tr_writer tr_writer;
/* Writes through outfile.h: to a temp file `.NAME.tcesim-XXXXXX` next to
 * path, renamed onto path on tr_writer_close(ok=true); on ok=false the temp
 * file is removed: no half-written output is ever left. An existing FIFO or
 * device is written straight, never replaced. */
int tr_writer_open_text(const char *path, const tr_device_decl *devs, uint32_t ndevs,
                        tr_writer **out, tr_error *err);
/* Any format, picked by the file name as tr_open does (".zst" compresses). */
int tr_writer_open(const char *path, const tr_device_decl *devs, uint32_t ndevs,
                   tr_writer **out, tr_error *err);
/* Rejects (TCESIM_EINVAL, "path: event OP at T ns: why") an event that
 * goes back in time or that no reader would accept on its own (ranges, zero
 * lengths, overflows, segment lists); handle state is the reader's
 * business. */
int tr_writer_put(tr_writer *w, const tr_event *ev, tr_error *err);
int tr_writer_close(tr_writer *w, bool ok, tr_error *err);

/* Refuses an output that would destroy an input: TCESIM_EINVAL with
 * "OUT_LABEL: OUT is the same file as IN_LABEL IN" when out is the same file
 * as in (same device and inode, through any path), "OUT_LABEL: empty path"
 * or "OUT_LABEL: OUT: Is a directory". Call it before opening either. */
int tr_check_output(const char *out_label, const char *out, const char *in_label, const char *in,
                    tr_error *err);

#endif
