/* Names of ops and directions, tr_close and error formatting: the pieces
 * every trace format shares. */
#include <stdio.h>

#include "trace.h"
#include "common/tcesim_err.h"
#include "trace_internal.h"

static const char *const op_names[TR_OP_COUNT] = {
    [TR_MAP] = "map",     [TR_MAP_SG] = "map_sg", [TR_UNMAP] = "unmap",
    [TR_ALLOC] = "alloc", [TR_FREE] = "free",     [TR_READ] = "read",
    [TR_WRITE] = "write",
};

const char *tr_op_name(tr_op op)
{
    return (unsigned)op < TR_OP_COUNT ? op_names[op] : "?";
}

const char *tr_dir_name(tr_dir d)
{
    switch (d) {
    case TR_DIR_BIDIRECTIONAL: return "bidirectional";
    case TR_DIR_TO_DEVICE: return "to_device";
    case TR_DIR_FROM_DEVICE: return "from_device";
    }
    return "?";
}

void tr_close(tr_source *s)
{
    if (!s)
        return;
    if (s->close)
        s->close(s->ctx);
    s->close = NULL;
    s->next = NULL;
    s->ctx = NULL;
    s->devices = NULL;
    s->ndevices = 0;
}

int tr_vseterr(tr_error *err, int code, const char *fmt, va_list ap)
{
    if (err)
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    return code;
}

int tr_seterr(tr_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tr_vseterr(err, code, fmt, ap);
    va_end(ap);
    return code;
}

int tr_sticky_fail(tr_error *sticky_err, int *sticky, tr_error *err, const char *prefix,
                   const char *fmt, va_list ap)
{
    char *m = sticky_err->msg;
    int k = snprintf(m, TR_ERR_LEN, "%s", prefix);
    size_t n = k < 0 ? 0 : (size_t)k >= TR_ERR_LEN ? TR_ERR_LEN - 1 : (size_t)k;
    vsnprintf(m + n, TR_ERR_LEN - n, fmt, ap);
    *sticky = TCESIM_EINVAL;
    if (err)
        *err = *sticky_err;
    return *sticky;
}

int tr_sticky_io(tr_error *sticky_err, int *sticky, tr_error *err, int code, const char *msg)
{
    snprintf(sticky_err->msg, TR_ERR_LEN, "%s", msg);
    *sticky = code;
    if (err)
        *err = *sticky_err;
    return *sticky;
}
