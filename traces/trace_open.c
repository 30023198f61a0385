/* tr_open: picks the reader by the file name's suffix. Formats register in
 * the one table below (binary and .zst readers join it when they exist). */
#include <string.h>

#include "common/tcesim_err.h"
#include "trace.h"
#include "trace_internal.h"

typedef struct tr_format {
    const char *suffix;
    int (*open)(const char *path, tr_source *out, tr_error *err);
} tr_format;

static const tr_format formats[] = {
    { ".trace", tr_open_text },
    { ".txt", tr_open_text },
};

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && strcmp(s + n - k, suffix) == 0;
}

int tr_open(const char *path, tr_source *out, tr_error *err)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (ends_with(path, formats[i].suffix))
            return formats[i].open(path, out, err);
    return tr_seterr(err, TCESIM_EINVAL, "%s: unknown trace format (expected .trace or .txt)",
                     path);
}
