/* tr_open: picks the reader by the file name's suffix (tr_format_of, in
 * writer.c next to tr_writer_open, so readers and writers agree). */
#include <string.h>

#include "common/tcesim_err.h"
#include "trace.h"
#include "trace_binary.h"
#include "trace_internal.h"

int tr_open(const char *path, tr_source *out, tr_error *err)
{
    memset(out, 0, sizeof *out);
    switch (tr_format_of(path)) {
    case TR_FORMAT_TEXT:
        return tr_open_text(path, out, err);
    case TR_FORMAT_BINARY:
        return tr_open_binary(path, out, err);
    default:
        return tr_seterr(err, TCESIM_EINVAL,
                         "%s: unknown trace format (expected .trace, .txt or .bin, "
                         "optionally + .zst)", path);
    }
}
