/* Writer of the text trace format, version 1, in canonical form: one space
 * between fields, keys in the order FORMAT.md lists them, addresses (pa,
 * pas, addr) in 0x hex and everything else in decimal. The reader gives back
 * the same events (line numbers aside).
 *
 * Bytes go through trace_io.h: to PATH.tmp (zstd-compressed when PATH ends
 * in .zst), renamed to PATH only on a successful close, so an interrupted or
 * failed conversion never leaves a truncated trace that looks complete.
 * Events were checked by tr_writer_put (writer.c) before they get here. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/tcesim_err.h"
#include "trace.h"
#include "trace_internal.h"
#include "trace_io.h"

/* Appends one formatted field (at most 96 bytes: a key and a 64-bit number)
 * to the output's buffer. */
__attribute__((format(printf, 3, 4)))
static int emit(tr_writer *w, tr_error *err, const char *fmt, ...)
{
    char b[96];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof b)
        return tr_seterr(err, TCESIM_EINVAL, "%s: internal error: field too long", w->path);
    return tr_out_write(w->out, b, (size_t)n, err);
}

static int put_list(tr_writer *w, tr_error *err, const char *key, const uint64_t *v, uint32_t n,
                    bool hex)
{
    int rc = emit(w, err, " %s=", key);
    for (uint32_t i = 0; i < n && !rc; i++)
        rc = emit(w, err, hex ? "%s0x%" PRIx64 : "%s%" PRIu64, i ? "," : "", v[i]);
    return rc;
}

static int text_put(tr_writer *w, const tr_event *ev, tr_error *err)
{
    const char *op = tr_op_name(ev->op);
    int rc = emit(w, err, "%" PRIu64 " %s%u %s", ev->time_ns, tr_op_is_host(ev->op) ? "cpu" : "dev",
                  ev->actor, op);
    if (rc)
        return rc;
    switch (ev->op) {
    case TR_MAP:
    case TR_ALLOC:
        rc = emit(w, err, " dev=%u h=%" PRIu64 " size=%" PRIu64, ev->dev, ev->handle, ev->size);
        if (!rc && ev->op == TR_MAP)
            rc = emit(w, err, " dir=%s", tr_dir_name(ev->dir));
        if (!rc && ev->has_pa)
            rc = emit(w, err, " pa=0x%" PRIx64, ev->pa);
        break;
    case TR_MAP_SG:
        rc = emit(w, err, " dev=%u h=%" PRIu64, ev->dev, ev->handle);
        if (!rc)
            rc = put_list(w, err, "sizes", ev->seg_sizes, ev->nsegs, false);
        if (!rc)
            rc = emit(w, err, " dir=%s", tr_dir_name(ev->dir));
        if (!rc && ev->seg_pas)
            rc = put_list(w, err, "pas", ev->seg_pas, ev->nsegs, true);
        break;
    case TR_UNMAP:
    case TR_FREE:
        rc = emit(w, err, " h=%" PRIu64, ev->handle);
        break;
    case TR_READ:
    case TR_WRITE:
        if (ev->has_handle)
            rc = emit(w, err, " h=%" PRIu64 " off=%" PRIu64, ev->handle, ev->off);
        else
            rc = emit(w, err, " addr=0x%" PRIx64, ev->addr);
        if (!rc)
            rc = emit(w, err, " len=%" PRIu64, ev->len);
        break;
    default:
        break;
    }
    return rc ? rc : tr_out_write(w->out, "\n", 1, err);
}

int tr_writer_open_text(const char *path, const tr_device_decl *devs, uint32_t ndevs,
                        tr_writer **out, tr_error *err)
{
    tr_writer *w;
    *out = NULL;
    int rc = tr_writer_begin(path, devs, ndevs, text_put, &w, err);
    if (rc)
        return rc;
    rc = emit(w, err, "tcesim-trace 1\n");
    for (uint32_t i = 0; i < ndevs && !rc; i++) {
        const tr_device_decl *d = &devs[i];
        /* a domain given is written, 0000 too (pci_name()'s form) */
        if (d->has_domain)
            rc = emit(w, err, "device id=%u rid=%04x:%02x:%02x.%x", d->id, d->domain, d->rid >> 8,
                      (d->rid >> 3) & 0x1f, d->rid & 7);
        else
            rc = emit(w, err, "device id=%u rid=%02x:%02x.%x", d->id, d->rid >> 8,
                      (d->rid >> 3) & 0x1f, d->rid & 7);
        if (!rc && d->has_pe)
            rc = emit(w, err, " pe=%u", d->pe);
        if (!rc && d->has_mask)
            rc = emit(w, err, " dma_mask_bits=%u", d->dma_mask_bits);
        if (!rc)
            rc = tr_out_write(w->out, "\n", 1, err);
    }
    if (rc) {
        tr_writer_close(w, false, NULL);
        return rc;
    }
    *out = w;
    return 0;
}
