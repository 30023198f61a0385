/* The oracle the trace-reader harnesses share: open a file with tr_open,
 * read every event, close, and abort on any broken contract of trace.h
 * (beyond what ASan/UBSan catch on their own):
 *  - an error carries a message that names the file ("file:line: ...",
 *    "file: offset N: ...");
 *  - events come with non-decreasing time_ns;
 *  - a map_sg's segment arrays hold nsegs readable sizes summing to size.
 * Header-only: each harness is one translation unit. */
#ifndef TCESIM_FUZZ_DRAIN_H
#define TCESIM_FUZZ_DRAIN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

static void fuzz_check_error(const char *path, int rc, const tr_error *err)
{
    size_t n = strnlen(err->msg, sizeof err->msg);
    if (rc >= 0 || n == 0 || n == sizeof err->msg || strncmp(err->msg, path, strlen(path)) != 0) {
        fprintf(stderr, "fuzz: bad error (rc %d) for %s: \"%.*s\"\n", rc, path, (int)n, err->msg);
        abort();
    }
}

static void fuzz_check_event(const tr_event *ev, uint64_t prev_ns)
{
    if (ev->time_ns < prev_ns || (unsigned)ev->op >= TR_OP_COUNT) {
        fprintf(stderr, "fuzz: event at %llu ns after %llu ns (op %d)\n",
                (unsigned long long)ev->time_ns, (unsigned long long)prev_ns, (int)ev->op);
        abort();
    }
    if (ev->op != TR_MAP_SG)
        return;
    if (ev->nsegs == 0 || ev->nsegs > TR_MAX_SEGS || !ev->seg_sizes)
        abort();
    uint64_t sum = 0;
    volatile uint64_t pa_sink = 0;  /* reads every pa, for ASan */
    for (uint32_t i = 0; i < ev->nsegs; i++) {
        sum += ev->seg_sizes[i];
        if (ev->seg_pas)
            pa_sink = ev->seg_pas[i];
    }
    (void)pa_sink;
    if (sum != ev->size) {
        fprintf(stderr, "fuzz: map_sg size %llu, segments sum to %llu\n",
                (unsigned long long)ev->size, (unsigned long long)sum);
        abort();
    }
}

/* Reads path to its end or first error. Returns 0, or the reader's
 * negative error with err->msg set (and checked). */
static int fuzz_drain(const char *path, tr_error *err)
{
    tr_source src;
    memset(err, 0, sizeof *err);
    int rc = tr_open(path, &src, err);
    if (rc != 0) {
        fuzz_check_error(path, rc, err);
        return rc;
    }
    for (uint32_t i = 0; i < src.ndevices; i++)
        if (src.devices[i].id >= TR_MAX_DEVICES)
            abort();
    tr_event ev;
    uint64_t prev_ns = 0;
    while ((rc = tr_next(&src, &ev, err)) == 1) {
        fuzz_check_event(&ev, prev_ns);
        prev_ns = ev.time_ns;
    }
    tr_close(&src);
    if (rc < 0)
        fuzz_check_error(path, rc, err);
    else if (rc != 0)
        abort();
    return rc;
}

#endif
