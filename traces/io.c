/* Byte I/O for trace readers and writers: buffered plain files and
 * streaming zstd (libzstd's ZSTD_decompressStream / ZSTD_compressStream2),
 * picked by a ".zst" suffix. See trace_io.h for the contract. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "common/tcesim_err.h"
#include "outfile.h"
#include "trace_internal.h"
#include "trace_io.h"

bool tr_io_is_zst(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && strcmp(path + n - 4, ".zst") == 0;
}

/* ---- Reading ---- */

static size_t in_error(tr_in *in, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static size_t in_error(tr_in *in, int code, const char *fmt, ...)
{
    va_list ap;
    int k = snprintf(in->errmsg, sizeof in->errmsg, "%s: ", in->path);
    size_t n = k < 0 ? 0 : (size_t)k >= sizeof in->errmsg ? sizeof in->errmsg - 1 : (size_t)k;
    va_start(ap, fmt);
    vsnprintf(in->errmsg + n, sizeof in->errmsg - n, fmt, ap);
    va_end(ap);
    in->error = code;
    return in->end - in->pos;
}

void tr_in_close(tr_in *in)
{
    if (!in)
        return;
    if (in->fd >= 0)
        close(in->fd);
    ZSTD_freeDStream(in->zd);
    free(in->zbuf);
    free(in->buf);
    free(in->path);
    free(in);
}

int tr_in_open(const char *path, tr_in **out, tr_error *err)
{
    *out = NULL;
    tr_in *in = calloc(1, sizeof *in);
    if (!in)
        return tr_seterr(err, TCESIM_ENOMEM, "%s: out of memory", path);
    in->fd = -1;
    in->path = strdup(path);
    in->buf = malloc(TR_IN_BUF);
    if (!in->path || !in->buf)
        goto nomem;
    if (tr_io_is_zst(path)) {
        in->zd = ZSTD_createDStream();
        in->zcap = ZSTD_DStreamInSize();
        in->zbuf = malloc(in->zcap);
        if (!in->zd || !in->zbuf)
            goto nomem;
        ZSTD_initDStream(in->zd);
    }
    in->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (in->fd < 0) {
        int e = errno;
        tr_in_close(in);
        /* A path that does not name a readable file is bad input (exit 2);
         * the disk failing is a runtime failure (exit 1). */
        return tr_seterr(err, e == EIO ? TCESIM_EIO : TCESIM_EINVAL, "%s: %s", path, strerror(e));
    }
    /* The readers go front to back once: let the kernel read ahead. */
    posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    *out = in;
    return 0;
nomem:
    tr_in_close(in);
    return tr_seterr(err, TCESIM_ENOMEM, "%s: out of memory", path);
}

static ssize_t read_some(int fd, void *p, size_t n)
{
    ssize_t r;
    do
        r = read(fd, p, n);
    while (r < 0 && errno == EINTR);
    return r;
}

/* Appends plain bytes after end; one read() of all the free space, so a
 * file in the page cache costs one copy per TR_IN_BUF bytes. */
static void fill_plain(tr_in *in)
{
    ssize_t r = read_some(in->fd, in->buf + in->end, TR_IN_BUF - in->end);
    if (r < 0)
        in_error(in, TCESIM_EIO, "%s", strerror(errno));
    else if (r == 0)
        in->eof = true;
    else
        in->end += (size_t)r;
}

/* Decompresses into the free space until at least one byte comes out, the
 * stream ends, or an error. A stream that stops inside a frame is an error
 * (a truncated .zst), not a short trace. */
static void fill_zstd(tr_in *in)
{
    ZSTD_outBuffer ob = { in->buf, TR_IN_BUF, in->end };
    bool zeof = false;
    for (;;) {
        if (in->zpos == in->zend && !zeof) {
            ssize_t r = read_some(in->fd, in->zbuf, in->zcap);
            if (r < 0) {
                in_error(in, TCESIM_EIO, "%s", strerror(errno));
                return;
            }
            in->zpos = 0;
            in->zend = (size_t)r;
            zeof = r == 0;
            in->zany |= r > 0;
        }
        ZSTD_inBuffer ib = { in->zbuf, in->zend, in->zpos };
        size_t before = ob.pos;
        size_t rc = ZSTD_decompressStream(in->zd, &ob, &ib);
        if (ZSTD_isError(rc)) {
            in_error(in, TCESIM_EINVAL, "compressed offset %" PRIu64 ": zstd: %s", in->zoff,
                     ZSTD_getErrorName(rc));
            return;
        }
        /* Only a call that did something says where the frame stands: an
         * idle call after a frame's end asks for the next frame's header. */
        if (ib.pos != in->zpos || ob.pos != before)
            in->zlast = rc;
        in->zoff += ib.pos - in->zpos;
        in->zpos = ib.pos;
        in->end = ob.pos;
        if (ob.pos > before)
            return;
        if (zeof && in->zpos == in->zend) {
            if (in->zany && in->zlast != 0)
                in_error(in, TCESIM_EINVAL, "compressed offset %" PRIu64
                         ": truncated zstd frame", in->zoff);
            else
                in->eof = true;
            return;
        }
    }
}

size_t tr_in_fill(tr_in *in, size_t want)
{
    if (in->end - in->pos >= want || in->error)
        return in->end - in->pos;
    if (in->pos > 0) {
        memmove(in->buf, in->buf + in->pos, in->end - in->pos);
        in->base += in->pos;
        in->end -= in->pos;
        in->pos = 0;
    }
    while (in->end - in->pos < want && !in->eof && !in->error) {
        if (in->zd)
            fill_zstd(in);
        else
            fill_plain(in);
    }
    return in->end - in->pos;
}

/* ---- Writing ----
 * Bytes go through outfile.h (an atomic temp file + rename, or straight to
 * a FIFO or device); this layer buffers and compresses. */

/* err may be NULL (a close that only cleans up). */
#define ERR_MSG(err) ((err) ? (err)->msg : NULL)
#define ERR_CAP(err) ((err) ? sizeof (err)->msg : 0)

struct tr_out {
    of_file *f;
    uint8_t *buf;
    size_t len;
    ZSTD_CCtx *zc;         /* NULL for a plain file */
    uint8_t *zbuf;
    size_t zcap;
    bool failed;
};

static int write_all(tr_out *o, const uint8_t *p, size_t n, tr_error *err)
{
    if (of_write(o->f, p, n, ERR_MSG(err), ERR_CAP(err)) != 0) {
        o->failed = true;
        return TCESIM_EIO;
    }
    return 0;
}

/* Writes out the buffer (compressed when zstd); with end, also ends the
 * zstd frame. */
static int flush(tr_out *o, bool end, tr_error *err)
{
    if (!o->zc) {
        int rc = write_all(o, o->buf, o->len, err);
        o->len = 0;
        return rc;
    }
    ZSTD_inBuffer ib = { o->buf, o->len, 0 };
    ZSTD_EndDirective mode = end ? ZSTD_e_end : ZSTD_e_continue;
    for (;;) {
        ZSTD_outBuffer ob = { o->zbuf, o->zcap, 0 };
        size_t rem = ZSTD_compressStream2(o->zc, &ob, &ib, mode);
        if (ZSTD_isError(rem)) {
            o->failed = true;
            return tr_seterr(err, TCESIM_EIO, "%s: zstd: %s", of_path(o->f), ZSTD_getErrorName(rem));
        }
        int rc = write_all(o, o->zbuf, ob.pos, err);
        if (rc)
            return rc;
        if (end ? rem == 0 : ib.pos == ib.size)
            break;
    }
    o->len = 0;
    return 0;
}

static void out_free(tr_out *o)
{
    ZSTD_freeCCtx(o->zc);
    free(o->zbuf);
    free(o->buf);
    free(o);
}

int tr_out_open(const char *path, tr_out **out, tr_error *err)
{
    *out = NULL;
    tr_out *o = calloc(1, sizeof *o);
    if (!o)
        return tr_seterr(err, TCESIM_ENOMEM, "%s: out of memory", path);
    o->buf = malloc(TR_OUT_BUF);
    if (!o->buf)
        goto nomem;
    if (tr_io_is_zst(path)) {
        o->zc = ZSTD_createCCtx();
        o->zcap = ZSTD_CStreamOutSize();
        o->zbuf = malloc(o->zcap);
        if (!o->zc || !o->zbuf)
            goto nomem;
        ZSTD_CCtx_setParameter(o->zc, ZSTD_c_compressionLevel, TR_ZSTD_LEVEL);
        ZSTD_CCtx_setParameter(o->zc, ZSTD_c_checksumFlag, 1);
    }
    int rc = of_open(path, &o->f, ERR_MSG(err), ERR_CAP(err));
    if (rc) {
        out_free(o);
        return rc;
    }
    *out = o;
    return 0;
nomem:
    out_free(o);
    return tr_seterr(err, TCESIM_ENOMEM, "%s: out of memory", path);
}

int tr_out_write(tr_out *o, const void *data, size_t n, tr_error *err)
{
    if (o->failed)
        return tr_seterr(err, TCESIM_EIO, "%s: an earlier write failed", of_path(o->f));
    const uint8_t *p = data;
    while (n) {
        size_t k = TR_OUT_BUF - o->len;
        if (k > n)
            k = n;
        memcpy(o->buf + o->len, p, k);
        o->len += k;
        p += k;
        n -= k;
        if (o->len == TR_OUT_BUF) {
            int rc = flush(o, false, err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

bool tr_out_failed(const tr_out *o) { return o->failed; }
const char *tr_out_path(const tr_out *o) { return of_path(o->f); }

int tr_out_close(tr_out *o, bool ok, tr_error *err)
{
    if (!o)
        return 0;
    int rc = 0;
    if (ok && o->failed)
        rc = tr_seterr(err, TCESIM_EIO, "%s: not written (an earlier write failed)", of_path(o->f));
    if (ok && !rc)
        rc = flush(o, true, err);
    int crc = of_close(o->f, ok && !rc, ok && !rc ? ERR_MSG(err) : NULL, ok && !rc ? ERR_CAP(err) : 0);
    if (!rc)
        rc = crc;
    out_free(o);
    return rc;
}
