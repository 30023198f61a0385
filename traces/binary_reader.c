/* Streaming reader of the binary trace format, version 1 (traces/FORMAT.md,
 * "Binary format"; constants in trace_binary.h).
 *
 * Hot path: a record is decoded in place from the I/O layer's 1 MiB buffer
 * (tr_in_peek: one compare while the buffer holds a whole record), so a
 * file in the page cache costs one read() per 26214 records and no
 * allocation per record. The rules are the text reader's (validate.c).
 *
 * Memory: the I/O buffer, one map_sg's segment arrays, the declarations and
 * the validator's per-handle records; never the events. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/tcesim_err.h"
#include "trace.h"
#include "trace_binary.h"
#include "trace_internal.h"
#include "trace_io.h"
#include "trace_le.h"
#include "validate.h"

typedef struct bin_reader {
    tr_in *in;
    char *path;
    uint64_t recno;         /* records consumed (event and continuation) */
    int sticky;
    tr_error sticky_err;
    tr_validator val;
    char vmsg[TR_ERR_LEN];
    tr_device_decl *devs;
    uint32_t ndevs;
    uint64_t seg_sizes[TR_MAX_SEGS];
    uint64_t seg_pas[TR_MAX_SEGS];
} bin_reader;

/* "path: offset N: message" into err and the sticky copy. */
__attribute__((format(printf, 4, 5)))
static int fail_at(bin_reader *r, tr_error *err, uint64_t off, const char *fmt, ...)
{
    char prefix[TR_ERR_LEN];
    snprintf(prefix, sizeof prefix, "%s: offset %" PRIu64 ": ", r->path, off);
    va_list ap;
    va_start(ap, fmt);
    int rc = tr_sticky_fail(&r->sticky_err, &r->sticky, err, prefix, fmt, ap);
    va_end(ap);
    return rc;
}

static int fail_io(bin_reader *r, tr_error *err)
{
    return tr_sticky_io(&r->sticky_err, &r->sticky, err, r->in->error, r->in->errmsg);
}

/* Fetches the next record: a pointer to TR_BIN_RECORD_BYTES bytes (consumed),
 * NULL with *rc 0 at a clean end, or NULL with *rc an error. */
static inline const uint8_t *next_record(bin_reader *r, tr_error *err, uint64_t *off, int *rc)
{
    size_t avail = 0;
    const uint8_t *p = tr_in_peek(r->in, TR_BIN_RECORD_BYTES, &avail);
    *off = tr_in_offset(r->in);
    if (__builtin_expect(p != NULL, 1)) {
        r->in->pos += TR_BIN_RECORD_BYTES;
        r->recno++;
        *rc = 0;
        return p;
    }
    if (r->in->error)
        *rc = fail_io(r, err);
    else if (avail == 0)
        *rc = 0;
    else
        *rc = fail_at(r, err, *off, "record %" PRIu64 ": truncated record (%zu of %u bytes)",
                      r->recno + 1, avail, TR_BIN_RECORD_BYTES);
    return NULL;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* Reads the ceil(nsegs/2) continuation records of a map_sg. */
static int read_segments(bin_reader *r, tr_error *err, tr_event *ev, uint64_t first)
{
    bool pas = ev->has_pa;
    for (uint32_t i = 0; i < ev->nsegs; i += TR_BIN_SEGS_PER_CONT) {
        uint64_t off;
        int rc;
        const uint8_t *p = next_record(r, err, &off, &rc);
        if (!p) {
            if (rc)
                return rc;
            return fail_at(r, err, off, "record %" PRIu64 ": end of trace inside the map_sg of "
                           "record %" PRIu64 " (%u segments)", r->recno + 1, first, ev->nsegs);
        }
        if (p[0] != TR_BIN_OP_CONT)
            return fail_at(r, err, off, "record %" PRIu64 ": expected a continuation record of "
                           "the map_sg of record %" PRIu64 " (%u segments), got op %u",
                           r->recno, first, ev->nsegs, p[0]);
        bool second = i + 1 < ev->nsegs;
        if (!all_zero(p + 1, 7) || (!pas && tr_ld64(p + 16)) ||
            (!second && !all_zero(p + 24, 16)) || (second && !pas && tr_ld64(p + 32)))
            return fail_at(r, err, off, "record %" PRIu64 ": reserved bytes of a continuation "
                           "record are not 0", r->recno);
        r->seg_sizes[i] = tr_ld64(p + 8);
        r->seg_pas[i] = tr_ld64(p + 16);
        if (second) {
            r->seg_sizes[i + 1] = tr_ld64(p + 24);
            r->seg_pas[i + 1] = tr_ld64(p + 32);
        }
    }
    ev->seg_sizes = r->seg_sizes;
    ev->seg_pas = pas ? r->seg_pas : NULL;
    ev->has_pa = false;
    return 0;
}

/* Which flag bits and which of the three u64 fields (handle@16, a@24,
 * b@32) each op may set; anything else must be 0 (so a flipped bit is
 * caught, not misread). */
static int check_reserved(const uint8_t *p, unsigned op, unsigned flags)
{
    unsigned allowed;
    bool f16 = true, f24, f32;
    switch (op) {
    case TR_MAP:
        allowed = TR_BIN_F_PA | TR_BIN_F_DIR_MASK;
        f24 = true;
        f32 = flags & TR_BIN_F_PA;
        break;
    case TR_ALLOC:
        allowed = TR_BIN_F_PA;
        f24 = true;
        f32 = flags & TR_BIN_F_PA;
        break;
    case TR_MAP_SG:
        allowed = TR_BIN_F_PA | TR_BIN_F_DIR_MASK;
        f24 = true;
        f32 = false;
        break;
    case TR_UNMAP:
    case TR_FREE:
        allowed = 0;
        f24 = f32 = false;
        break;
    default: /* read, write */
        allowed = TR_BIN_F_HANDLE;
        f24 = flags & TR_BIN_F_HANDLE;
        f32 = true;
        break;
    }
    if (flags & ~allowed)
        return 1;
    if (op != TR_MAP_SG && tr_ld16(p + 2))
        return 2;
    if ((!f16 && tr_ld64(p + 16)) || (!f24 && tr_ld64(p + 24)) || (!f32 && tr_ld64(p + 32)))
        return 3;
    return 0;
}

static int bin_next(void *ctx, tr_event *ev, tr_error *err)
{
    bin_reader *r = ctx;
    if (__builtin_expect(r->sticky != 0, 0)) {
        if (err)
            *err = r->sticky_err;
        return r->sticky;
    }
    uint64_t off;
    int rc;
    const uint8_t *p = next_record(r, err, &off, &rc);
    if (!p)
        return rc;
    uint64_t recno = r->recno;
    unsigned op = p[0], flags = p[1];
    if (op >= TR_OP_COUNT) {
        if (op == TR_BIN_OP_CONT)
            return fail_at(r, err, off, "record %" PRIu64 ": continuation record without a map_sg",
                           recno);
        return fail_at(r, err, off, "record %" PRIu64 ": unknown op %u (corrupt record?)", recno,
                       op);
    }
    if ((rc = check_reserved(p, op, flags)))
        return fail_at(r, err, off, "record %" PRIu64 ": %s", recno,
                       rc == 1 ? "unknown flag bits (corrupt record?)"
                               : rc == 2 ? "nonzero segment count on an op other than map_sg"
                                         : "reserved field not 0 (corrupt record?)");
    uint64_t h = tr_ld64(p + 16), a = tr_ld64(p + 24), b = tr_ld64(p + 32);
    bool dev_op = op >= TR_READ;
    bool has_h = dev_op ? (flags & TR_BIN_F_HANDLE) != 0 : true;
    /* Field by field, not a compound literal: zeroing the whole struct
     * first (padding included) was half the cost of a record. */
    ev->time_ns = tr_ld64(p + 8);
    ev->line = recno;
    ev->op = (tr_op)op;
    ev->actor = tr_ld16(p + 4);
    ev->dev = tr_ld16(p + 6);
    ev->handle = has_h ? h : 0;
    ev->has_handle = has_h;
    ev->dir = (tr_dir)((flags & TR_BIN_F_DIR_MASK) >> TR_BIN_F_DIR_SHIFT);
    ev->size = dev_op ? 0 : a;
    ev->nsegs = tr_ld16(p + 2);
    ev->seg_sizes = NULL;
    ev->seg_pas = NULL;
    ev->has_pa = (flags & TR_BIN_F_PA) != 0;
    ev->pa = dev_op ? 0 : b;
    ev->off = dev_op && has_h ? a : 0;
    ev->len = dev_op ? b : 0;
    ev->addr = dev_op && !has_h ? h : 0;
    ev->untracked = false;
    if (op == TR_MAP_SG) {
        ev->seg_sizes = r->seg_sizes; /* for tr_val_fields' count check */
        if (ev->nsegs == 0 || ev->nsegs > TR_MAX_SEGS)
            return fail_at(r, err, off, "record %" PRIu64 ": bad segment count %u (1..%u)", recno,
                           ev->nsegs, TR_MAX_SEGS);
        if ((rc = read_segments(r, err, ev, recno)))
            return rc;
    }
    if ((rc = tr_val_fields(ev, r->vmsg)) || (rc = tr_val_event(&r->val, ev, recno, r->vmsg))) {
        int code = fail_at(r, err, off, "record %" PRIu64 ": %s", recno, r->vmsg);
        if (rc != TCESIM_EINVAL)
            r->sticky = code = rc;
        return code;
    }
    return 1;
}

static void bin_close(void *ctx)
{
    bin_reader *r = ctx;
    if (!r)
        return;
    tr_in_close(r->in);
    tr_val_free(&r->val);
    free(r->devs);
    free(r->path);
    free(r);
}

/* Header and declarations (see FORMAT.md for the table). */
static int read_header(bin_reader *r, tr_error *err)
{
    size_t avail = 0;
    const uint8_t *p = tr_in_peek(r->in, TR_BIN_HEADER_BYTES, &avail);
    if (!p) {
        if (r->in->error)
            return fail_io(r, err);
        if (avail >= 8 && memcmp(r->in->buf + r->in->pos, TR_BIN_MAGIC, 8) != 0)
            return fail_at(r, err, 0, "bad magic (not a tcesim binary trace)");
        return fail_at(r, err, avail, "truncated header (%zu of %u bytes)", avail,
                       TR_BIN_HEADER_BYTES);
    }
    if (memcmp(p, TR_BIN_MAGIC, 8) != 0)
        return fail_at(r, err, 0, "bad magic (not a tcesim binary trace)");
    uint32_t version = tr_ld32(p + 8), hdr = tr_ld32(p + 12), rec = tr_ld32(p + 16);
    uint32_t ndevs = tr_ld32(p + 20);
    if (version != TR_BIN_VERSION)
        return fail_at(r, err, 8, "unsupported binary trace version %u (this reader knows %u)",
                       version, TR_BIN_VERSION);
    if (rec != TR_BIN_RECORD_BYTES)
        return fail_at(r, err, 16, "record size %u (version 1 records are %u bytes)", rec,
                       TR_BIN_RECORD_BYTES);
    if (ndevs > TR_MAX_DEVICES)
        return fail_at(r, err, 20, "%u device declarations (at most %u)", ndevs, TR_MAX_DEVICES);
    if (hdr != TR_BIN_HEADER_BYTES + ndevs * TR_BIN_DEVICE_BYTES)
        return fail_at(r, err, 12, "header size %u (expected %u for %u devices)", hdr,
                       TR_BIN_HEADER_BYTES + ndevs * TR_BIN_DEVICE_BYTES, ndevs);
    if (tr_ld64(p + 24))
        return fail_at(r, err, 24, "reserved header field not 0");
    r->in->pos += TR_BIN_HEADER_BYTES;

    if (ndevs && !(r->devs = calloc(ndevs, sizeof *r->devs)))
        return tr_seterr(err, TCESIM_ENOMEM, "%s: out of memory", r->path);
    for (uint32_t i = 0; i < ndevs; i++) {
        uint64_t off = tr_in_offset(r->in);
        p = tr_in_peek(r->in, TR_BIN_DEVICE_BYTES, &avail);
        if (!p) {
            if (r->in->error)
                return fail_io(r, err);
            return fail_at(r, err, off, "truncated device declaration %u (%zu of %u bytes)", i,
                           avail, TR_BIN_DEVICE_BYTES);
        }
        r->in->pos += TR_BIN_DEVICE_BYTES;
        tr_device_decl d = { 0 };
        unsigned f = p[6];
        d.id = tr_ld32(p);
        d.rid = tr_ld16(p + 4);
        d.has_pe = f & TR_BIN_D_PE;
        d.pe = tr_ld32(p + 8);
        d.has_mask = f & TR_BIN_D_MASK;
        d.dma_mask_bits = p[7];
        d.has_domain = f & TR_BIN_D_DOMAIN;
        d.domain = tr_ld16(p + 12);
        if ((f & ~(TR_BIN_D_PE | TR_BIN_D_MASK | TR_BIN_D_DOMAIN)) || tr_ld16(p + 14) ||
            (!d.has_pe && d.pe) || (!d.has_mask && d.dma_mask_bits) || (!d.has_domain && d.domain))
            return fail_at(r, err, off, "device declaration %u: reserved bits not 0", i);
        if (d.id >= TR_MAX_DEVICES)
            return fail_at(r, err, off, "device id %u out of range (must be < %u)", d.id,
                           TR_MAX_DEVICES);
        if (d.has_mask && (d.dma_mask_bits < 1 || d.dma_mask_bits > 64))
            return fail_at(r, err, off, "dma_mask_bits %u out of range (1..64)", d.dma_mask_bits);
        /* O(devices) per declaration, as the text reader: at most 4096, once. */
        for (uint32_t j = 0; j < i; j++) {
            if (d.has_domain && r->devs[j].has_domain && r->devs[j].domain != d.domain)
                return fail_at(r, err, off, "device %u: domain %04x, but device %u (declaration %u) is in %04x "
                               "(a trace is one PHB: one PCI domain)", d.id, d.domain, r->devs[j].id, j,
                               r->devs[j].domain);
            if (r->devs[j].id == d.id)
                return fail_at(r, err, off, "device %u already declared (declaration %u)", d.id, j);
            if (r->devs[j].rid == d.rid)
                return fail_at(r, err, off, "rid %02x:%02x.%x already used by device %u "
                               "(declaration %u)", d.rid >> 8, (d.rid >> 3) & 0x1f, d.rid & 7,
                               r->devs[j].id, j);
        }
        r->devs[i] = d;
        r->ndevs = i + 1;
    }
    return 0;
}

int tr_open_binary(const char *path, tr_source *out, tr_error *err)
{
    memset(out, 0, sizeof *out);
    bin_reader *r = calloc(1, sizeof *r);
    if (!r)
        return tr_seterr(err, TCESIM_ENOMEM, "%s: out of memory", path);
    tr_val_init(&r->val, "record");
    r->path = strdup(path);
    if (!r->path) {
        bin_close(r);
        return tr_seterr(err, TCESIM_ENOMEM, "%s: out of memory", path);
    }
    int rc = tr_in_open(path, &r->in, err);
    if (!rc)
        rc = read_header(r, err);
    if (rc) {
        bin_close(r);
        return rc;
    }
    out->next = bin_next;
    out->close = bin_close;
    out->ctx = r;
    out->name = r->path;
    out->devices = r->devs;
    out->ndevices = r->ndevs;
    return 0;
}

size_t tr_binary_state_bytes(const tr_source *src)
{
    if (!src || src->next != bin_next)
        return 0;
    const bin_reader *r = src->ctx;
    size_t n = sizeof *r + strlen(r->path) + 1 + r->ndevs * sizeof *r->devs;
    n += r->val.handles.cap * sizeof *r->val.handles.slots;
    n += sizeof *r->in + TR_IN_BUF + r->in->zcap;
    return n;
}
