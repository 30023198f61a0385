/* Merging traces and event streams in time order: `tcesim trace merge` and
 * the run's `workloads[]` (several generators in one run).
 *
 * Events come out in time order; at equal times the earlier input first, and
 * each input's events keep their order, so every input's own semantics
 * (handles mapped before use, unmaps after their device ops) survive.
 * Handles are renumbered so the inputs never share one: handle h of input k
 * (of n) becomes h * n + k. Streaming: one event of each input is held at a
 * time. */
#ifndef TCESIM_TRACE_MERGE_H
#define TCESIM_TRACE_MERGE_H

#include <stdbool.h>
#include <stdint.h>

#include "trace.h"

/* A merge of n open sources (taken over: closing the merge closes them).
 * Devices and CPUs are passed through as they are (the workloads name
 * their devices and CPUs). Returns 0, or TCESIM_ENOMEM / TCESIM_EINVAL. An
 * event whose handle cannot be renumbered (h * n + k past 2^64) fails
 * that next() call with "NAME:LINE: handle H too large to merge". */
int tr_merge_sources(tr_source *srcs, unsigned n, const char *name, tr_source *out, tr_error *err);

typedef struct tr_merge_opts {
    bool renumber_cpus;  /* input k's CPUs after those of the inputs before it */
    bool renumber_rids;  /* a declared RID or PE that clashes moves to a free bus (else refused) */
    bool drop_pa;        /* write no pa=/pas= (needed when some inputs give them and others not) */
} tr_merge_opts;

/* What tr_merge did, for its summary line. */
typedef struct tr_merge_result {
    uint64_t events;
    uint32_t dev_base[64], cpu_base[64];  /* per input: its first device / CPU in the output */
    uint32_t ndevices;                    /* devices in the output */
    uint32_t moved;                       /* declarations given another RID or PE */
} tr_merge_result;

#define TR_MERGE_MAX_INPUTS 64u

/* Merges the trace files in[0..n) into out (any format by name, written
 * through outfile.h: nothing half-written is left). Device ids are
 * renumbered: input k's device d becomes d + the device count of the
 * inputs before it (a count: its highest declared or used device id + 1).
 * Each input is read twice (a first pass counts devices and CPUs and
 * checks pa=). Errors, TCESIM_EINVAL with err->msg:
 *   "OUT: F is the same file as IN A" (an output that is an input),
 *   "merge: B gives pa= and A does not (--drop-pa writes none)",
 *   "merge: B dev0 declares rid 01:00.0, as A dev0 does (--renumber-rids moves it)",
 *   "merge: B dev0 declares pe 1, as A dev0 does (--renumber-rids moves it)",
 * and the readers' own FILE:LINE errors. */
int tr_merge(const char *const *in, unsigned n, const char *out, const tr_merge_opts *o, tr_merge_result *res,
             tr_error *err);

#endif
