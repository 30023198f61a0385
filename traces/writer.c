/* What every trace writer shares: the checks an event must pass before any
 * format encodes it (so no writer produces a file its reader rejects from a
 * well-formed event stream), the atomic close, and tr_writer_open, which
 * picks the format by the file name as tr_open does. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/tcesim_err.h"
#include "outfile.h"
#include "trace.h"
#include "trace_binary.h"
#include "trace_internal.h"
#include "trace_io.h"
#include "validate.h"

int tr_writer_begin(const char *path, const tr_device_decl *devs, uint32_t ndevs,
                    int (*put)(tr_writer *, const tr_event *, tr_error *), tr_writer **out,
                    tr_error *err)
{
    *out = NULL;
    if (ndevs > TR_MAX_DEVICES)
        return tr_seterr(err, TCESIM_EINVAL, "%s: %u device declarations (at most %u)", path,
                         ndevs, TR_MAX_DEVICES);
    for (uint32_t i = 0; i < ndevs; i++) {
        const tr_device_decl *d = &devs[i];
        if (d->id >= TR_MAX_DEVICES ||
            (d->has_mask && (d->dma_mask_bits < 1 || d->dma_mask_bits > 64)))
            return tr_seterr(err, TCESIM_EINVAL,
                             "%s: device %u: id or dma_mask_bits out of range", path, d->id);
    }
    tr_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->path = strdup(path))) {
        free(w);
        return tr_seterr(err, TCESIM_ENOMEM, "%s: out of memory", path);
    }
    int rc = tr_out_open(path, &w->out, err);
    if (rc) {
        free(w->path);
        free(w);
        return rc;
    }
    w->put = put;
    *out = w;
    return 0;
}

int tr_writer_put(tr_writer *w, const tr_event *ev, tr_error *err)
{
    if (tr_out_failed(w->out))
        return tr_seterr(err, TCESIM_EIO, "%s: an earlier write failed", tr_out_path(w->out));
    char msg[TR_ERR_LEN];
    const char *why = NULL;
    if (w->any_event && ev->time_ns < w->last_time)
        why = "time goes backwards";
    else if (ev->time_ns > NUM_NS_MAX) /* what every reader refuses (tr_val_time) */
        why = "time too large (times stay below 2^63 ps)";
    else if (tr_val_fields(ev, msg))
        why = msg;
    if (why)
        return tr_seterr(err, TCESIM_EINVAL, "%s: event %s at %" PRIu64 " ns: %s", w->path,
                         tr_op_name(ev->op), ev->time_ns, why);
    int rc = w->put(w, ev, err);
    if (rc)
        return rc;
    w->any_event = true;
    w->last_time = ev->time_ns;
    return 0;
}

int tr_writer_close(tr_writer *w, bool ok, tr_error *err)
{
    if (!w)
        return 0;
    int rc = tr_out_close(w->out, ok, err);
    free(w->path);
    free(w);
    return rc;
}

int tr_check_output(const char *out_label, const char *out, const char *in_label, const char *in,
                    tr_error *err)
{
    of_claims c;
    of_claims_init(&c);
    char *msg = err ? err->msg : NULL;
    size_t cap = err ? sizeof err->msg : 0;
    int rc = of_claim_input(&c, in_label, in, msg, cap);
    if (!rc)
        rc = of_claim_output(&c, out_label, out, msg, cap);
    of_claims_free(&c);
    return rc;
}

/* Strips a ".zst" so the suffix before it names the format. */
static bool base_ends_with(const char *path, const char *suffix)
{
    size_t n = strlen(path), k = strlen(suffix);
    if (tr_io_is_zst(path))
        n -= 4;
    return n > k && memcmp(path + n - k, suffix, k) == 0;
}

tr_format tr_format_of(const char *path)
{
    if (base_ends_with(path, ".trace") || base_ends_with(path, ".txt"))
        return TR_FORMAT_TEXT;
    if (base_ends_with(path, ".bin"))
        return TR_FORMAT_BINARY;
    return TR_FORMAT_UNKNOWN;
}

int tr_writer_open(const char *path, const tr_device_decl *devs, uint32_t ndevs, tr_writer **out,
                   tr_error *err)
{
    *out = NULL;
    switch (tr_format_of(path)) {
    case TR_FORMAT_TEXT:
        return tr_writer_open_text(path, devs, ndevs, out, err);
    case TR_FORMAT_BINARY:
        return tr_writer_open_binary(path, devs, ndevs, out, err);
    default:
        return tr_seterr(err, TCESIM_EINVAL,
                         "%s: unknown trace format (expected .trace, .txt or .bin, "
                         "optionally + .zst)", path);
    }
}
