/* Reader of pcie-bench result directories (calib/pciebench.h is the
 * contract). The files are pcie-bench's own CSV output (pcie-bench's
 * pciebench.py writes them with Python's csv module): one header line,
 * comma-separated fields, no quoting, which is all this accepts. */
#include "pciebench.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/numparse.h"
#include "common/tcesim_err.h"

/* The largest field count a header may have: the latency files have 23. */
#define PB_MAX_FIELDS 64
/* Agreement asked between "BW (GB/s)" and Bytes x 8 / Time (relative). */
#define PB_BW_TOLERANCE 1e-6
/* Windows are bytes held exactly in a double. */
#define PB_WINDOW_MAX (UINT64_C(1) << 53)

static void say(char *msg, size_t msg_size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(char *msg, size_t msg_size, const char *fmt, ...)
{
    if (!msg || !msg_size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, msg_size, fmt, ap);
    va_end(ap);
}

const char *pb_kind_name(pb_kind kind)
{
    switch (kind) {
    case PB_READ_BW:
        return "read";
    case PB_WRITE_BW:
        return "write";
    case PB_READ_LAT:
        return "latency";
    }
    return "?";
}

static const char *test_name(pb_kind kind)
{
    return kind == PB_READ_BW ? "BW_DMA_RD" : kind == PB_WRITE_BW ? "BW_DMA_WR" : "LAT_DMA_RD";
}

/* "PREFIX" SIZE ".csv", SIZE decimal without leading zeros. */
static int match_sized(const char *name, const char *prefix, uint32_t *size_bytes)
{
    size_t np = strlen(prefix), n = strlen(name);
    if (n <= np + 4 || strncmp(name, prefix, np) != 0 || strcmp(name + n - 4, ".csv") != 0)
        return 0;
    char digits[24];
    size_t nd = n - np - 4;
    if (nd >= sizeof digits)
        return 0;
    memcpy(digits, name + np, nd);
    digits[nd] = '\0';
    for (size_t i = 0; i < nd; i++)
        if (digits[i] < '0' || digits[i] > '9')
            return 0; /* num_parse_u64 would take hex too */
    uint64_t v;
    if (num_parse_u64(digits, &v, NULL) || v == 0 || v > UINT32_MAX)
        return 0;
    *size_bytes = (uint32_t)v;
    return 1;
}

int pb_curve_file(const char *name, pb_kind *kind, uint32_t *size_bytes)
{
    static const struct {
        const char *prefix;
        pb_kind kind;
    } forms[] = {
        {"bw_dma_win_sweep_rd_rnd_", PB_READ_BW},
        {"bw_dma_win_sweep_wr_rnd_", PB_WRITE_BW},
        {"lat_dma_sweep_rd_rnd_", PB_READ_LAT},
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        uint32_t s;
        if (match_sized(name, forms[i].prefix, &s)) {
            *kind = forms[i].kind;
            *size_bytes = s;
            return 1;
        }
    }
    return 0;
}

/* Splits line (modified in place) at commas. Returns the field count, or
 * PB_MAX_FIELDS + 1 when there are more. */
static size_t split(char *line, char **fields)
{
    size_t n = 0;
    for (char *p = line;;) {
        if (n == PB_MAX_FIELDS)
            return PB_MAX_FIELDS + 1;
        fields[n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            return n;
        *c = '\0';
        p = c + 1;
    }
}

/* A finite decimal number filling the whole field (strtod's grammar without
 * its leading whitespace, hex, inf or nan). */
static bool parse_double(const char *s, double *out)
{
    if (!((*s >= '0' && *s <= '9') || *s == '.' || *s == '-' || *s == '+'))
        return false;
    for (const char *p = s; *p; p++)
        if (*p == 'x' || *p == 'X' || *p == 'n' || *p == 'N' || *p == 'i' || *p == 'I')
            return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static int cmp_point(const void *a, const void *b)
{
    const pb_point *x = a, *y = b;
    return x->window_bytes < y->window_bytes ? -1 : x->window_bytes > y->window_bytes;
}

void pb_curve_free(pb_curve *c)
{
    if (!c)
        return;
    free(c->path);
    free(c->points);
    memset(c, 0, sizeof *c);
}

void pb_dir_free(pb_dir *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->ncurves; i++)
        pb_curve_free(&d->curves[i]);
    free(d->curves);
    memset(d, 0, sizeof *d);
}

/* The columns a kind needs, by header name. */
enum { COL_TEST, COL_CACHE, COL_WIN, COL_SZ, COL_TIME, COL_BYTES, COL_BW, COL_MED, NCOLS };
static const char *const col_names[NCOLS] = {"Test", "Cache", "WinSZ", "SZ", "Time", "Bytes", "BW (GB/s)", "Med(ns)"};

static bool needs(pb_kind kind, int col)
{
    if (col == COL_MED)
        return kind == PB_READ_LAT;
    if (col == COL_TIME || col == COL_BYTES || col == COL_BW)
        return kind != PB_READ_LAT;
    return true;
}

/* One HWarm row into *pt; 0 or TCESIM_EINVAL with msg set. */
static int parse_row(const char *path, unsigned lineno, pb_kind kind, uint32_t size_bytes, char **f, const int *col,
                     pb_point *pt, char *msg, size_t msg_size)
{
    if (strcmp(f[col[COL_TEST]], test_name(kind)) != 0) {
        say(msg, msg_size, "%s:%u: Test is '%.40s', this file's name says %s", path, lineno, f[col[COL_TEST]],
            test_name(kind));
        return TCESIM_EINVAL;
    }
    double win, sz;
    if (!parse_double(f[col[COL_WIN]], &win) || win < 1 || win > (double)PB_WINDOW_MAX || win != floor(win)) {
        say(msg, msg_size, "%s:%u: WinSZ '%.40s' is not a whole number of bytes (1 to 2^53)", path, lineno,
            f[col[COL_WIN]]);
        return TCESIM_EINVAL;
    }
    if (!parse_double(f[col[COL_SZ]], &sz) || sz != (double)size_bytes) {
        say(msg, msg_size, "%s:%u: SZ '%.40s' is not the file name's size %u", path, lineno, f[col[COL_SZ]],
            (unsigned)size_bytes);
        return TCESIM_EINVAL;
    }
    double value;
    if (kind == PB_READ_LAT) {
        if (!parse_double(f[col[COL_MED]], &value) || !(value > 0)) {
            say(msg, msg_size, "%s:%u: Med(ns) '%.40s' is not a positive number", path, lineno, f[col[COL_MED]]);
            return TCESIM_EINVAL;
        }
    } else {
        double time_ns, bytes, bw;
        if (!parse_double(f[col[COL_TIME]], &time_ns) || !(time_ns > 0)) {
            say(msg, msg_size, "%s:%u: Time '%.40s' is not a positive number of ns", path, lineno, f[col[COL_TIME]]);
            return TCESIM_EINVAL;
        }
        if (!parse_double(f[col[COL_BYTES]], &bytes) || !(bytes > 0)) {
            say(msg, msg_size, "%s:%u: Bytes '%.40s' is not a positive number", path, lineno, f[col[COL_BYTES]]);
            return TCESIM_EINVAL;
        }
        if (!parse_double(f[col[COL_BW]], &bw)) {
            say(msg, msg_size, "%s:%u: BW (GB/s) '%.40s' is not a number", path, lineno, f[col[COL_BW]]);
            return TCESIM_EINVAL;
        }
        /* bits per ns = Gb/s; pcie-bench's "BW (GB/s)" column is this. */
        value = bytes * 8 / time_ns;
        if (!isfinite(value) || !(value > 0) || fabs(bw - value) > PB_BW_TOLERANCE * value) {
            say(msg, msg_size, "%s:%u: BW (GB/s) %.6g is not Bytes x 8 / Time = %.6g Gb/s", path, lineno, bw, value);
            return TCESIM_EINVAL;
        }
    }
    pt->window_bytes = (uint64_t)win;
    pt->value = value;
    pt->line = lineno;
    return TCESIM_OK;
}

int pb_parse_curve(const char *path, const char *text, size_t len, pb_kind kind, uint32_t size_bytes, pb_curve *out,
                   char *msg, size_t msg_size)
{
    memset(out, 0, sizeof *out);
    if (memchr(text, '\0', len)) {
        say(msg, msg_size, "%s: a NUL byte: not a CSV file", path);
        return TCESIM_EINVAL;
    }
    /* One copy of the text, split into lines and fields in place. */
    char *buf = malloc(len + 1);
    pb_curve c = {.kind = kind, .size_bytes = size_bytes, .path = strdup(path)};
    size_t cap = 0;
    int rc = TCESIM_ENOMEM;
    if (!buf || !c.path)
        goto fail;
    memcpy(buf, text, len);
    buf[len] = '\0';

    char *fields[PB_MAX_FIELDS + 1];
    int col[NCOLS];
    size_t nheader = 0;
    unsigned lineno = 0;
    rc = TCESIM_EINVAL;
    for (char *p = buf; *p || lineno == 0;) {
        char *nl = strchr(p, '\n');
        char *next = nl ? nl + 1 : p + strlen(p);
        if (nl)
            *nl = '\0';
        size_t n = strlen(p);
        if (n && p[n - 1] == '\r')
            p[--n] = '\0';
        lineno++;
        if (lineno == 1) {
            if (n == 0) {
                say(msg, msg_size, "%s:1: no header line (an empty file?)", path);
                goto fail;
            }
            nheader = split(p, fields);
            if (nheader > PB_MAX_FIELDS) {
                say(msg, msg_size, "%s:1: more than %d columns: not a pcie-bench CSV", path, PB_MAX_FIELDS);
                goto fail;
            }
            for (int k = 0; k < NCOLS; k++) {
                col[k] = -1;
                for (size_t i = 0; i < nheader; i++)
                    if (strcmp(fields[i], col_names[k]) == 0 && col[k] < 0)
                        col[k] = (int)i;
                if (needs(kind, k) && col[k] < 0) {
                    say(msg, msg_size, "%s:1: no column '%s' in the header: not a pcie-bench %s CSV", path,
                        col_names[k], kind == PB_READ_LAT ? "latency" : "bandwidth");
                    goto fail;
                }
            }
        } else if (n == 0) {
            if (*next) {
                say(msg, msg_size, "%s:%u: an empty line", path, lineno);
                goto fail;
            }
        } else {
            size_t nf = split(p, fields);
            if (nf != nheader) {
                say(msg, msg_size, "%s:%u: %s%zu fields, the header has %zu", path, lineno,
                    nf > PB_MAX_FIELDS ? "more than " : "", nf > PB_MAX_FIELDS ? (size_t)PB_MAX_FIELDS : nf, nheader);
                goto fail;
            }
            if (strcmp(fields[col[COL_CACHE]], "HWarm") == 0) {
                if (c.npoints == cap) {
                    size_t ncap = cap ? 2 * cap : 16;
                    pb_point *np = realloc(c.points, ncap * sizeof *np);
                    if (!np) {
                        rc = TCESIM_ENOMEM;
                        goto fail;
                    }
                    c.points = np;
                    cap = ncap;
                }
                if (parse_row(path, lineno, kind, size_bytes, fields, col, &c.points[c.npoints], msg, msg_size))
                    goto fail;
                c.npoints++;
            }
        }
        p = next;
    }
    if (c.npoints == 0) {
        say(msg, msg_size, "%s: no HWarm rows (the Cache column)", path);
        goto fail;
    }
    qsort(c.points, c.npoints, sizeof *c.points, cmp_point);
    for (size_t i = 1; i < c.npoints; i++)
        if (c.points[i].window_bytes == c.points[i - 1].window_bytes) {
            const pb_point *a = &c.points[i - 1], *b = &c.points[i];
            say(msg, msg_size, "%s:%u: a second HWarm row for window %llu (the first is line %u)", path,
                a->line > b->line ? a->line : b->line, (unsigned long long)b->window_bytes,
                a->line < b->line ? a->line : b->line);
            goto fail;
        }
    free(buf);
    *out = c;
    return TCESIM_OK;
fail:
    if (rc == TCESIM_ENOMEM)
        say(msg, msg_size, "%s: out of memory", path);
    free(buf);
    pb_curve_free(&c);
    return rc;
}

/* The largest file read: pcie-bench's are under 16 KiB. */
#define PB_MAX_FILE (UINT64_C(1) << 24)

int pb_read_curve(const char *path, pb_curve *out, char *msg, size_t msg_size)
{
    memset(out, 0, sizeof *out);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    pb_kind kind;
    uint32_t size;
    if (!pb_curve_file(base, &kind, &size)) {
        say(msg, msg_size, "%s: not a pcie-bench sweep file name (bw_dma_win_sweep_{rd,wr}_rnd_SIZE.csv, "
                           "lat_dma_sweep_rd_rnd_SIZE.csv)", path);
        return TCESIM_EINVAL;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        say(msg, msg_size, "%s: %s", path, strerror(errno));
        return TCESIM_EIO;
    }
    char *text = NULL;
    size_t len = 0, cap = 0;
    int rc = TCESIM_OK;
    for (;;) {
        if (len == cap) {
            if (cap >= PB_MAX_FILE) {
                say(msg, msg_size, "%s: larger than %llu bytes: not a pcie-bench CSV", path,
                    (unsigned long long)PB_MAX_FILE);
                rc = TCESIM_EINVAL;
                break;
            }
            size_t ncap = cap ? 2 * cap : 16384;
            char *nt = realloc(text, ncap);
            if (!nt) {
                say(msg, msg_size, "%s: out of memory", path);
                rc = TCESIM_ENOMEM;
                break;
            }
            text = nt;
            cap = ncap;
        }
        size_t got = fread(text + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) {
                say(msg, msg_size, "%s: %s", path, strerror(errno ? errno : EIO));
                rc = TCESIM_EIO;
            }
            break;
        }
    }
    fclose(f);
    if (rc == TCESIM_OK)
        rc = pb_parse_curve(path, text ? text : "", len, kind, size, out, msg, msg_size);
    free(text);
    return rc;
}

static int cmp_curve(const void *a, const void *b)
{
    const pb_curve *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return x->size_bytes < y->size_bytes ? -1 : x->size_bytes > y->size_bytes;
}

int pb_read_dir(const char *dir, pb_dir *out, char *msg, size_t msg_size)
{
    memset(out, 0, sizeof *out);
    DIR *d = opendir(dir);
    if (!d) {
        say(msg, msg_size, "%s: %s", dir, strerror(errno));
        return TCESIM_EIO;
    }
    pb_dir r = {0};
    size_t cap = 0;
    int rc = TCESIM_OK;
    char *path = NULL;
    struct dirent *e;
    size_t dlen = strlen(dir);
    while ((e = readdir(d)) != NULL) {
        pb_kind kind;
        uint32_t size;
        if (!pb_curve_file(e->d_name, &kind, &size))
            continue;
        if (r.ncurves == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            pb_curve *nc = realloc(r.curves, ncap * sizeof *nc);
            if (!nc) {
                say(msg, msg_size, "%s: out of memory", dir);
                rc = TCESIM_ENOMEM;
                break;
            }
            r.curves = nc;
            cap = ncap;
        }
        free(path);
        path = malloc(dlen + strlen(e->d_name) + 2);
        if (!path) {
            say(msg, msg_size, "%s: out of memory", dir);
            rc = TCESIM_ENOMEM;
            break;
        }
        sprintf(path, "%s%s%s", dir, dlen && dir[dlen - 1] == '/' ? "" : "/", e->d_name);
        rc = pb_read_curve(path, &r.curves[r.ncurves], msg, msg_size);
        if (rc)
            break;
        r.ncurves++;
    }
    closedir(d);
    free(path);
    if (rc == TCESIM_OK && r.ncurves == 0) {
        say(msg, msg_size, "%s: no pcie-bench sweep file here (bw_dma_win_sweep_{rd,wr}_rnd_SIZE.csv, "
                           "lat_dma_sweep_rd_rnd_SIZE.csv)", dir);
        rc = TCESIM_EINVAL;
    }
    if (rc) {
        pb_dir_free(&r);
        return rc;
    }
    /* Fixed order whatever readdir's: the same directory prints the same table. */
    qsort(r.curves, r.ncurves, sizeof *r.curves, cmp_curve);
    *out = r;
    return TCESIM_OK;
}
