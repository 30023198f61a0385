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

#endif
