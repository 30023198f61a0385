/* Writer of the text trace format, version 1, in canonical form: one space
 * between fields, keys in the order FORMAT.md lists them, addresses (pa,
 * pas, addr) in 0x hex and everything else in decimal. The reader gives back
 * the same events (line numbers aside).
 *
 * Output goes to PATH.tmp and is renamed to PATH only on a successful
 * close, so an interrupted or failed conversion never leaves a truncated
 * trace that looks complete. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/tcesim_err.h"
#include "trace.h"
#include "trace_internal.h"

struct tr_writer {
    FILE *f;
    char *path;
    char *tmp;
    bool failed;        /* a write failed: close(ok) must not publish */
    bool any_event;
    uint64_t last_time;
};

static int io_fail(tr_writer *w, tr_error *err)
{
    int e = errno ? errno : EIO;
    w->failed = true;
    return tr_seterr(err, TCESIM_EIO, "%s: %s", w->tmp, strerror(e));
}

int tr_writer_open_text(const char *path, const tr_device_decl *devs, uint32_t ndevs,
                        tr_writer **out, tr_error *err)
{
    *out = NULL;
    tr_writer *w = calloc(1, sizeof *w);
    size_t n = strlen(path);
    if (!w)
        return tr_seterr(err, TCESIM_ENOMEM, "%s: out of memory", path);
    w->path = strdup(path);
    w->tmp = malloc(n + sizeof ".tmp");
    if (!w->path || !w->tmp) {
        free(w->path);
        free(w->tmp);
        free(w);
        return tr_seterr(err, TCESIM_ENOMEM, "%s: out of memory", path);
    }
    memcpy(w->tmp, path, n);
    memcpy(w->tmp + n, ".tmp", sizeof ".tmp");
    errno = 0;
    w->f = fopen(w->tmp, "w");
    if (!w->f) {
        int rc = io_fail(w, err);
        free(w->path);
        free(w->tmp);
        free(w);
        return rc;
    }
    errno = 0;
    int rc = 0;
    if (fprintf(w->f, "tcesim-trace 1\n") < 0)
        rc = io_fail(w, err);
    for (uint32_t i = 0; i < ndevs && !rc; i++) {
        const tr_device_decl *d = &devs[i];
        if (d->id >= TR_MAX_DEVICES || (d->has_mask && (d->dma_mask_bits < 1 || d->dma_mask_bits > 64))) {
            rc = tr_seterr(err, TCESIM_EINVAL, "%s: device %u: id or dma_mask_bits out of range",
                           path, d->id);
        } else if (fprintf(w->f, "device id=%u rid=%02x:%02x.%x", d->id, d->rid >> 8,
                           (d->rid >> 3) & 0x1f, d->rid & 7) < 0 ||
                   (d->has_pe && fprintf(w->f, " pe=%u", d->pe) < 0) ||
                   (d->has_mask && fprintf(w->f, " dma_mask_bits=%u", d->dma_mask_bits) < 0) ||
                   fputc('\n', w->f) == EOF) {
            rc = io_fail(w, err);
        }
    }
    if (rc) {
        tr_writer_close(w, false, NULL);
        return rc;
    }
    *out = w;
    return 0;
}

/* Rejects what the reader would reject for the event alone (handle state
 * is the reader's business), so a writer never produces an unreadable file
 * from a well-formed event stream. */
static int check_event(const tr_writer *w, const tr_event *ev, tr_error *err)
{
    const char *bad = NULL;
    if ((unsigned)ev->op >= TR_OP_COUNT)
        bad = "unknown op";
    else if (w->any_event && ev->time_ns < w->last_time)
        bad = "time goes backwards";
    else if (tr_op_is_host(ev->op) && (ev->actor >= TR_MAX_CPUS || ev->dev >= TR_MAX_DEVICES))
        bad = "cpu or dev out of range";
    else if (!tr_op_is_host(ev->op) && ev->actor >= TR_MAX_DEVICES)
        bad = "device out of range";
    else if ((ev->op == TR_MAP || ev->op == TR_ALLOC) && ev->size == 0)
        bad = "size must be > 0";
    else if (ev->op == TR_MAP_SG && (ev->nsegs == 0 || ev->nsegs > TR_MAX_SEGS || !ev->seg_sizes))
        bad = "bad segment count";
    else if (!tr_op_is_host(ev->op) && ev->len == 0)
        bad = "len must be > 0";
    else if ((ev->op == TR_MAP || ev->op == TR_MAP_SG) && (unsigned)ev->dir > TR_DIR_FROM_DEVICE)
        bad = "bad dir";
    if (bad)
        return tr_seterr(err, TCESIM_EINVAL, "%s: event %s at %" PRIu64 " ns: %s", w->path,
                         tr_op_name(ev->op), ev->time_ns, bad);
    return 0;
}

static int put_list(FILE *f, const char *key, const uint64_t *v, uint32_t n, bool hex)
{
    if (fprintf(f, " %s=", key) < 0)
        return -1;
    for (uint32_t i = 0; i < n; i++)
        if (fprintf(f, hex ? "%s0x%" PRIx64 : "%s%" PRIu64, i ? "," : "", v[i]) < 0)
            return -1;
    return 0;
}

int tr_writer_put(tr_writer *w, const tr_event *ev, tr_error *err)
{
    if (w->failed)
        return tr_seterr(err, TCESIM_EIO, "%s: an earlier write failed", w->tmp);
    int rc = check_event(w, ev, err);
    if (rc)
        return rc;
    FILE *f = w->f;
    const char *op = tr_op_name(ev->op);
    int bad = 0;
    errno = 0;
    if (tr_op_is_host(ev->op))
        bad |= fprintf(f, "%" PRIu64 " cpu%u %s", ev->time_ns, ev->actor, op) < 0;
    else
        bad |= fprintf(f, "%" PRIu64 " dev%u %s", ev->time_ns, ev->actor, op) < 0;
    switch (ev->op) {
    case TR_MAP:
    case TR_ALLOC:
        bad |= fprintf(f, " dev=%u h=%" PRIu64 " size=%" PRIu64, ev->dev, ev->handle, ev->size) < 0;
        if (ev->op == TR_MAP)
            bad |= fprintf(f, " dir=%s", tr_dir_name(ev->dir)) < 0;
        if (ev->has_pa)
            bad |= fprintf(f, " pa=0x%" PRIx64, ev->pa) < 0;
        break;
    case TR_MAP_SG:
        bad |= fprintf(f, " dev=%u h=%" PRIu64, ev->dev, ev->handle) < 0;
        bad |= put_list(f, "sizes", ev->seg_sizes, ev->nsegs, false) < 0;
        bad |= fprintf(f, " dir=%s", tr_dir_name(ev->dir)) < 0;
        if (ev->seg_pas)
            bad |= put_list(f, "pas", ev->seg_pas, ev->nsegs, true) < 0;
        break;
    case TR_UNMAP:
    case TR_FREE:
        bad |= fprintf(f, " h=%" PRIu64, ev->handle) < 0;
        break;
    case TR_READ:
    case TR_WRITE:
        if (ev->has_handle)
            bad |= fprintf(f, " h=%" PRIu64 " off=%" PRIu64, ev->handle, ev->off) < 0;
        else
            bad |= fprintf(f, " addr=0x%" PRIx64, ev->addr) < 0;
        bad |= fprintf(f, " len=%" PRIu64, ev->len) < 0;
        break;
    default:
        break;
    }
    bad |= fputc('\n', f) == EOF;
    if (bad)
        return io_fail(w, err);
    w->any_event = true;
    w->last_time = ev->time_ns;
    return 0;
}

int tr_writer_close(tr_writer *w, bool ok, tr_error *err)
{
    if (!w)
        return 0;
    int rc = 0;
    errno = 0;
    if (ok && !w->failed && fflush(w->f) != 0)
        rc = io_fail(w, err);
    errno = 0;
    if (fclose(w->f) != 0 && ok && !rc)
        rc = io_fail(w, err);
    if (ok && !rc && w->failed)
        rc = tr_seterr(err, TCESIM_EIO, "%s: not written (an earlier write failed)", w->path);
    if (ok && !rc && rename(w->tmp, w->path) != 0) {
        int e = errno;
        rc = tr_seterr(err, TCESIM_EIO, "%s: %s", w->path, strerror(e));
    }
    if (!ok || rc)
        remove(w->tmp);
    free(w->path);
    free(w->tmp);
    free(w);
    return rc;
}
