/* Byte I/O under every trace reader and writer: plain files, or zstd
 * streams when the name ends in ".zst". Internal to traces/ (callers include
 * trace.h only).
 *
 * Contract: memory is bounded whatever the file's size: a reader holds one
 * TR_IN_BUF-byte buffer of decompressed bytes plus zstd's input buffer and
 * window (at most 2^27 bytes for frames zstd's default limits accept: the
 * writer uses level 3, whose window is far smaller); a writer holds one
 * buffer and zstd's context. Nothing is kept per record.
 *
 * The zstd side streams (ZSTD_decompressStream / ZSTD_compressStream2), so
 * a compressed trace of any length never needs its whole frame in memory. */
#ifndef TCESIM_TRACE_IO_H
#define TCESIM_TRACE_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace.h"

#define TR_IN_BUF (1u << 20)   /* decompressed bytes buffered by a reader */
#define TR_OUT_BUF (1u << 18)  /* bytes buffered by a writer before write/compress */
#define TR_ZSTD_LEVEL 3

/* True when path ends in ".zst" (and has something before it). */
bool tr_io_is_zst(const char *path);

/* ---- Reading ----
 * The struct is visible so that tr_in_getc and the binary reader's record
 * fetch inline to a compare and a load; only io.c changes its fields. */
typedef struct tr_in {
    uint8_t *buf;          /* TR_IN_BUF bytes; [pos, end) not yet consumed */
    size_t pos, end;
    uint64_t base;         /* stream offset of buf[0] (decompressed bytes) */
    int fd;
    bool eof;              /* no more bytes will come after end */
    int error;             /* 0, or a TCESIM_* code once a read failed (sticky) */
    char errmsg[TR_ERR_LEN]; /* "path: message" for error */
    void *zd;              /* ZSTD_DStream, NULL for a plain file */
    uint8_t *zbuf;         /* compressed input */
    size_t zpos, zend, zcap;
    uint64_t zoff;         /* compressed bytes consumed, for messages */
    size_t zlast;          /* last ZSTD_decompressStream result: 0 = frame complete */
    bool zany;             /* any compressed byte seen */
    char *path;
} tr_in;

/* Opens path for reading (zstd when it ends in .zst). Returns 0, or
 * TCESIM_EIO / TCESIM_ENOMEM with err->msg "path: message". */
int tr_in_open(const char *path, tr_in **out, tr_error *err);
void tr_in_close(tr_in *in); /* accepts NULL */

/* Refills buf keeping [pos, end) (moved to the front). Returns the bytes
 * now available (end - pos), which is less than want only at the end of the
 * stream or on an error (in->error set). */
size_t tr_in_fill(tr_in *in, size_t want);

/* The next byte, or -1 at the end of the stream or on an error (check
 * in->error, as with ferror). */
static inline int tr_in_getc(tr_in *in)
{
    if (__builtin_expect(in->pos < in->end, 1))
        return in->buf[in->pos++];
    if (tr_in_fill(in, 1) == 0)
        return -1;
    return in->buf[in->pos++];
}

/* Makes n (<= TR_IN_BUF) contiguous bytes available and returns a pointer to
 * them without consuming them; NULL when fewer remain (at the end, *avail
 * says how many) or on an error. */
static inline const uint8_t *tr_in_peek(tr_in *in, size_t n, size_t *avail)
{
    if (__builtin_expect(in->end - in->pos >= n, 1))
        return in->buf + in->pos;
    size_t got = tr_in_fill(in, n);
    if (avail)
        *avail = got;
    return got >= n ? in->buf + in->pos : NULL;
}

/* Offset in the (decompressed) stream of the next unconsumed byte. */
static inline uint64_t tr_in_offset(const tr_in *in) { return in->base + in->pos; }

/* ---- Writing ----
 * Output goes through outfile.h: to a temp file `.NAME.tcesim-XXXXXX`
 * created exclusively next to path, renamed onto path by
 * tr_out_close(ok=true) only when every byte was written (and the zstd
 * frame ended), so a failed or abandoned write never leaves a file that
 * looks complete; an existing FIFO or device is written straight. */
typedef struct tr_out tr_out;

/* Returns 0, or TCESIM_EIO / TCESIM_EINVAL / TCESIM_ENOMEM with err->msg
 * "path: message". */
int tr_out_open(const char *path, tr_out **out, tr_error *err);
/* Returns 0 or TCESIM_EIO ("path: message"); after a failure every later
 * write fails and close(ok) does not publish. */
int tr_out_write(tr_out *o, const void *data, size_t n, tr_error *err);
/* ok=false (or an earlier failure): removes the temp file. Accepts NULL. */
int tr_out_close(tr_out *o, bool ok, tr_error *err);
bool tr_out_failed(const tr_out *o);
/* The path as given to tr_out_open, for messages. */
const char *tr_out_path(const tr_out *o);

#endif
