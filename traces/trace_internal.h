/* Helpers shared by the readers, writers and generators in traces/; not part
 * of the public API (callers include trace.h only). */
#ifndef TCESIM_TRACE_INTERNAL_H
#define TCESIM_TRACE_INTERNAL_H

#include <stdarg.h>

#include "trace.h"

/* Formats err->msg (err may be NULL) and returns code, so a failing path
 * reads `return tr_seterr(err, TCESIM_EINVAL, "%s: ...", path);`. */
int tr_seterr(tr_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int tr_vseterr(tr_error *err, int code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Readers keep their first error and return it from every later call
 * (tr_next's contract). Formats "<prefix>message" into *sticky_err (and err
 * when not NULL), sets *sticky to TCESIM_EINVAL and returns it. */
int tr_sticky_fail(tr_error *sticky_err, int *sticky, tr_error *err, const char *prefix,
                   const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
/* The same for an I/O layer failure: its own message and code. */
int tr_sticky_io(tr_error *sticky_err, int *sticky, tr_error *err, int code, const char *msg);

/* ---- Writers ----
 * Every format's writer is this struct plus a put function; writer.c holds
 * what they share (checks, close, picking the format by name). */
struct tr_out;

struct tr_writer {
    struct tr_out *out;     /* trace_io.h: path.tmp, renamed on a good close */
    char *path;
    /* Encodes one event that already passed tr_writer_put's checks. */
    int (*put)(tr_writer *w, const tr_event *ev, tr_error *err);
    bool any_event;
    uint64_t last_time;
};

/* Allocates a writer on path (output opened, nothing written yet) with the
 * device declarations checked. Returns 0 or an error (err->msg set). */
int tr_writer_begin(const char *path, const tr_device_decl *devs, uint32_t ndevs,
                    int (*put)(tr_writer *, const tr_event *, tr_error *), tr_writer **out,
                    tr_error *err);

#endif
