/* Writer of the binary trace format, version 1 (traces/FORMAT.md, "Binary
 * format"). Events reach bin_put already checked by tr_writer_put
 * (writer.c); output is atomic and optionally zstd (trace_io.h). */
#include <string.h>

#include "common/tcesim_err.h"
#include "trace.h"
#include "trace_binary.h"
#include "trace_internal.h"
#include "trace_io.h"
#include "trace_le.h"

static int bin_put(tr_writer *w, const tr_event *ev, tr_error *err)
{
    uint8_t rec[TR_BIN_RECORD_BYTES] = { 0 };
    unsigned flags = 0;
    uint64_t h = ev->handle, a = 0, b = 0;
    switch (ev->op) {
    case TR_MAP:
    case TR_ALLOC:
        a = ev->size;
        if (ev->has_pa) {
            flags |= TR_BIN_F_PA;
            b = ev->pa;
        }
        if (ev->op == TR_MAP)
            flags |= (unsigned)ev->dir << TR_BIN_F_DIR_SHIFT;
        break;
    case TR_MAP_SG:
        a = ev->size;
        flags |= (unsigned)ev->dir << TR_BIN_F_DIR_SHIFT;
        if (ev->seg_pas)
            flags |= TR_BIN_F_PA;
        tr_st16(rec + 2, (uint16_t)ev->nsegs);
        break;
    case TR_UNMAP:
    case TR_FREE:
        break;
    default: /* read, write */
        if (ev->has_handle) {
            flags |= TR_BIN_F_HANDLE;
            a = ev->off;
        } else {
            h = ev->addr;
        }
        b = ev->len;
        break;
    }
    rec[0] = (uint8_t)ev->op;
    rec[1] = (uint8_t)flags;
    tr_st16(rec + 4, (uint16_t)ev->actor);
    tr_st16(rec + 6, (uint16_t)ev->dev);
    tr_st64(rec + 8, ev->time_ns);
    tr_st64(rec + 16, h);
    tr_st64(rec + 24, a);
    tr_st64(rec + 32, b);
    int rc = tr_out_write(w->out, rec, sizeof rec, err);
    if (rc || ev->op != TR_MAP_SG)
        return rc;
    for (uint32_t i = 0; i < ev->nsegs && !rc; i += TR_BIN_SEGS_PER_CONT) {
        memset(rec, 0, sizeof rec);
        rec[0] = TR_BIN_OP_CONT;
        for (uint32_t k = 0; k < TR_BIN_SEGS_PER_CONT && i + k < ev->nsegs; k++) {
            tr_st64(rec + 8 + 16 * k, ev->seg_sizes[i + k]);
            tr_st64(rec + 16 + 16 * k, ev->seg_pas ? ev->seg_pas[i + k] : 0);
        }
        rc = tr_out_write(w->out, rec, sizeof rec, err);
    }
    return rc;
}

int tr_writer_open_binary(const char *path, const tr_device_decl *devs, uint32_t ndevs,
                          tr_writer **out, tr_error *err)
{
    tr_writer *w;
    *out = NULL;
    int rc = tr_writer_begin(path, devs, ndevs, bin_put, &w, err);
    if (rc)
        return rc;
    uint8_t hdr[TR_BIN_HEADER_BYTES] = { 0 };
    memcpy(hdr, TR_BIN_MAGIC, 8);
    tr_st32(hdr + 8, TR_BIN_VERSION);
    tr_st32(hdr + 12, TR_BIN_HEADER_BYTES + ndevs * TR_BIN_DEVICE_BYTES);
    tr_st32(hdr + 16, TR_BIN_RECORD_BYTES);
    tr_st32(hdr + 20, ndevs);
    rc = tr_out_write(w->out, hdr, sizeof hdr, err);
    for (uint32_t i = 0; i < ndevs && !rc; i++) {
        const tr_device_decl *d = &devs[i];
        uint8_t rec[TR_BIN_DEVICE_BYTES] = { 0 };
        tr_st32(rec, d->id);
        tr_st16(rec + 4, d->rid);
        rec[6] = (uint8_t)((d->has_pe ? TR_BIN_D_PE : 0) | (d->has_mask ? TR_BIN_D_MASK : 0) |
                           (d->has_domain ? TR_BIN_D_DOMAIN : 0));
        tr_st16(rec + 12, d->has_domain ? d->domain : 0);
        rec[7] = (uint8_t)(d->has_mask ? d->dma_mask_bits : 0);
        tr_st32(rec + 8, d->has_pe ? d->pe : 0);
        rc = tr_out_write(w->out, rec, sizeof rec, err);
    }
    if (rc) {
        tr_writer_close(w, false, NULL);
        return rc;
    }
    *out = w;
    return 0;
}
