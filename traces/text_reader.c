/* Streaming reader of the text trace format, version 1 (traces/FORMAT.md).
 *
 * Memory is bounded whatever the trace's length: one line buffer of
 * TR_MAX_LINE bytes, the segment arrays of one map_sg, the device
 * declarations, and one small record per distinct handle (what validating
 * unmap/free and device accesses needs). Events are never kept. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/numparse.h"
#include "common/tcesim_err.h"
#include "rtt/rtt.h"
#include "trace.h"
#include "trace_internal.h"
#include "trace_io.h"
#include "validate.h"

/* ---- Reader state ---- */

typedef struct text_reader {
    tr_in *in;
    char *path;
    char *buf;              /* TR_MAX_LINE + 1 bytes */
    uint64_t lineno;
    bool pending;           /* buf holds the first event line, read by open */
    int sticky;             /* once an error is returned, every later call returns it */
    tr_error sticky_err;
    bool any_event;
    uint64_t first_event_line;
    tr_validator val;       /* time order, handle states, pa mode (validate.h) */
    char vmsg[TR_ERR_LEN];  /* the validator's message */
    tr_device_decl *devs;
    uint64_t *dev_lines;    /* line of each declaration, for duplicate messages */
    uint32_t ndevs, devcap;
    uint64_t seg_sizes[TR_MAX_SEGS];
    uint64_t seg_pas[TR_MAX_SEGS];
} text_reader;

/* Formats "path:line: message" into both err and the sticky copy. */
__attribute__((format(printf, 3, 4)))
static int fail(text_reader *r, tr_error *err, const char *fmt, ...)
{
    char prefix[TR_ERR_LEN];
    snprintf(prefix, sizeof prefix, "%s:%" PRIu64 ": ", r->path, r->lineno);
    va_list ap;
    va_start(ap, fmt);
    int rc = tr_sticky_fail(&r->sticky_err, &r->sticky, err, prefix, fmt, ap);
    va_end(ap);
    return rc;
}

/* A failed read or a corrupt zstd stream: the I/O layer's message. */
static int fail_io(text_reader *r, tr_error *err)
{
    return tr_sticky_io(&r->sticky_err, &r->sticky, err, r->in->error, r->in->errmsg);
}

/* A validator failure: its message at the current line. */
static int fail_val(text_reader *r, tr_error *err, int rc)
{
    int code = fail(r, err, "%s", r->vmsg);
    if (rc != TCESIM_EINVAL) {
        r->sticky = rc;
        code = rc;
    }
    return code;
}

/* Reads one line into r->buf (NUL-terminated, newline and a trailing CR
 * dropped). Returns 1, 0 at end of file, or an error. A last line without
 * a newline counts as a line. Reads byte by byte into a fixed buffer rather
 * than with getline so that a file with no newlines (a binary file renamed
 * .trace) costs TR_MAX_LINE bytes, not its size. */
static int read_line(text_reader *r, tr_error *err)
{
    size_t n = 0;
    int c;
    while ((c = tr_in_getc(r->in)) >= 0 && c != '\n') {
        if (n == TR_MAX_LINE) {
            r->lineno++;
            return fail(r, err, "line longer than %u bytes", TR_MAX_LINE);
        }
        if (c == '\0') {
            r->lineno++;
            return fail(r, err, "NUL byte in line (not a text trace?)");
        }
        r->buf[n++] = (char)c;
    }
    if (c < 0) {
        if (r->in->error)
            return fail_io(r, err);
        if (n == 0)
            return 0;
    }
    if (n > 0 && r->buf[n - 1] == '\r')
        n--;
    r->buf[n] = '\0';
    r->lineno++;
    return 1;
}

/* Cuts the comment off and returns the next whitespace-separated token of
 * *p (NUL-terminated in place), or NULL at the end of the line. */
static char *next_token(char **p)
{
    char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '\0' || *s == '#')
        return NULL;
    char *t = s;
    while (*s && *s != ' ' && *s != '\t' && *s != '#')
        s++;
    if (*s == '#') {
        *s = '\0';      /* the rest is a comment: the next call sees the end */
    } else if (*s) {
        *s++ = '\0';
    }
    *p = s;
    return t;
}

/* The number grammar (models/common/numparse.h, FORMAT.md "Numbers"):
 * decimal or 0x hex; with allow_suffix (byte counts) a decimal may end in
 * K, M, G or T (powers of 1024). *why gets the reason of a bad number. */
static bool parse_u64(const char *s, bool allow_suffix, uint64_t *out, const char **why)
{
    return num_parse(s, allow_suffix, out, why) == 0;
}

/* Parses a comma-separated list of numbers into out[]; *n gets the count.
 * Returns 0, 1 for a bad element (*bad points at it, NUL-terminated in
 * place, *why says why), or 2 for more than TR_MAX_SEGS elements. */
static int parse_list(char *s, bool allow_suffix, uint64_t *out, uint32_t *n, char **bad,
                      const char **why)
{
    uint32_t k = 0;
    for (;;) {
        char *comma = strchr(s, ',');
        if (comma)
            *comma = '\0';
        if (k == TR_MAX_SEGS) {
            /* count the rest for the message without storing it */
            uint32_t total = k + 1;
            while (comma) {
                s = comma + 1;
                comma = strchr(s, ',');
                total++;
            }
            *n = total;
            return 2;
        }
        if (!parse_u64(s, allow_suffix, &out[k], why)) {
            *bad = s;
            return 1;
        }
        k++;
        if (!comma)
            break;
        s = comma + 1;
    }
    *n = k;
    return 0;
}

/* ---- Keys ---- */

typedef enum key {
    K_DEV = 0, K_H, K_SIZE, K_SIZES, K_DIR, K_PA, K_PAS, K_OFF, K_LEN, K_ADDR, K_COUNT
} key;

static const char *const key_names[K_COUNT] = {
    "dev", "h", "size", "sizes", "dir", "pa", "pas", "off", "len", "addr",
};

#define KB(k) (1u << (k))

/* Which keys each op accepts and which it needs (device ops need h+off or
 * addr besides len: checked apart). */
static const unsigned key_allowed[TR_OP_COUNT] = {
    [TR_MAP] = KB(K_DEV) | KB(K_H) | KB(K_SIZE) | KB(K_DIR) | KB(K_PA),
    [TR_MAP_SG] = KB(K_DEV) | KB(K_H) | KB(K_SIZES) | KB(K_DIR) | KB(K_PAS),
    [TR_UNMAP] = KB(K_H),
    [TR_ALLOC] = KB(K_DEV) | KB(K_H) | KB(K_SIZE) | KB(K_PA),
    [TR_FREE] = KB(K_H),
    [TR_READ] = KB(K_DEV) | KB(K_H) | KB(K_OFF) | KB(K_LEN) | KB(K_ADDR),
    [TR_WRITE] = KB(K_DEV) | KB(K_H) | KB(K_OFF) | KB(K_LEN) | KB(K_ADDR),
};

static const unsigned key_required[TR_OP_COUNT] = {
    [TR_MAP] = KB(K_DEV) | KB(K_H) | KB(K_SIZE) | KB(K_DIR),
    [TR_MAP_SG] = KB(K_DEV) | KB(K_H) | KB(K_SIZES) | KB(K_DIR),
    [TR_UNMAP] = KB(K_H),
    [TR_ALLOC] = KB(K_DEV) | KB(K_H) | KB(K_SIZE),
    [TR_FREE] = KB(K_H),
    [TR_READ] = KB(K_LEN),
    [TR_WRITE] = KB(K_LEN),
};

/* Splits the remaining key=value tokens into vals[] (NULL when absent),
 * rejecting unknown and duplicate keys. what names the op for messages. */
static int split_keys(text_reader *r, tr_error *err, char **p, unsigned allowed,
                      const char *what, char *vals[K_COUNT])
{
    char *tok;
    for (int k = 0; k < K_COUNT; k++)
        vals[k] = NULL;
    while ((tok = next_token(p))) {
        char *eq = strchr(tok, '=');
        if (!eq)
            return fail(r, err, "expected key=value, got '%.64s'", tok);
        *eq = '\0';
        int k = 0;
        while (k < K_COUNT && strcmp(tok, key_names[k]) != 0)
            k++;
        if (k == K_COUNT || !(allowed & KB(k)))
            return fail(r, err, "unknown key '%.64s' for %s", tok, what);
        if (vals[k])
            return fail(r, err, "duplicate key '%s'", key_names[k]);
        vals[k] = eq + 1;
    }
    return 0;
}

static int need_num(text_reader *r, tr_error *err, const char *val, key k, bool suffix,
                    uint64_t *out)
{
    const char *why;
    if (!parse_u64(val, suffix, out, &why))
        return fail(r, err, "bad number '%.64s' for %s (%s)", val, key_names[k], why);
    return 0;
}

/* ---- Device declarations ---- */

/* A `device` line: id=, rid= ([DDDD:]BB:DD.F, rid_parse), pe=, dma_mask_bits=. */
static int parse_device(text_reader *r, tr_error *err, char *p)
{
    enum { D_ID, D_RID, D_PE, D_MASK, D_COUNT };
    static const char *const names[D_COUNT] = { "id", "rid", "pe", "dma_mask_bits" };
    char *vals[D_COUNT] = { NULL, NULL, NULL, NULL };
    char *tok;

    if (r->any_event)
        return fail(r, err, "device declaration after the first event (line %" PRIu64 ")",
                    r->first_event_line);
    while ((tok = next_token(&p))) {
        char *eq = strchr(tok, '=');
        if (!eq)
            return fail(r, err, "expected key=value, got '%.64s'", tok);
        *eq = '\0';
        int k = 0;
        while (k < D_COUNT && strcmp(tok, names[k]) != 0)
            k++;
        if (k == D_COUNT)
            return fail(r, err, "unknown key '%.64s' for device", tok);
        if (vals[k])
            return fail(r, err, "duplicate key '%s'", names[k]);
        vals[k] = eq + 1;
    }
    for (int k = 0; k <= D_RID; k++)
        if (!vals[k])
            return fail(r, err, "missing key '%s'", names[k]);

    tr_device_decl d = { 0 };
    uint64_t v;
    const char *why;
    if (!parse_u64(vals[D_ID], false, &v, &why))
        return fail(r, err, "bad number '%.64s' for id (%s)", vals[D_ID], why);
    if (v >= TR_MAX_DEVICES)
        return fail(r, err, "device id %" PRIu64 " out of range (must be < %u)", v, TR_MAX_DEVICES);
    d.id = (uint32_t)v;
    int32_t dom;
    if (rid_parse(vals[D_RID], &dom, &d.rid) != TCESIM_OK)
        return fail(r, err, "bad rid '%.64s' (expected [DDDD:]BB:DD.F in hex)", vals[D_RID]);
    d.has_domain = dom != RID_NO_DOMAIN;
    d.domain = d.has_domain ? (uint16_t)dom : 0;
    if (vals[D_PE]) {
        if (!parse_u64(vals[D_PE], false, &v, &why))
            return fail(r, err, "bad number '%.64s' for pe (%s)", vals[D_PE], why);
        if (v > UINT32_MAX)
            return fail(r, err, "bad number '%.64s' for pe (max %" PRIu32 ")", vals[D_PE], UINT32_MAX);
        d.has_pe = true;
        d.pe = (uint32_t)v;
    }
    if (vals[D_MASK]) {
        if (!parse_u64(vals[D_MASK], false, &v, &why))
            return fail(r, err, "bad number '%.64s' for dma_mask_bits (%s)", vals[D_MASK], why);
        if (v < 1 || v > 64)
            return fail(r, err, "dma_mask_bits %" PRIu64 " out of range (1..64)", v);
        d.has_mask = true;
        d.dma_mask_bits = (unsigned)v;
    }
    /* O(devices) per declaration: at most TR_MAX_DEVICES of them, once. */
    for (uint32_t i = 0; i < r->ndevs; i++) {
        if (r->devs[i].id == d.id)
            return fail(r, err, "device %u already declared (line %" PRIu64 ")", d.id,
                        r->dev_lines[i]);
        /* numerically: 1:0.0 and 0000:01:00.0 are 01:00.0 */
        bool same_rid = r->devs[i].rid == d.rid;
        if (same_rid || (d.has_domain && r->devs[i].has_domain && r->devs[i].domain != d.domain)) {
            char canon[RID_TEXT]; /* formatted for the message only */
            rid_format_domain(d.domain, d.rid, canon);
            if (same_rid)
                return fail(r, err, "rid %s already used by device %u (line %" PRIu64 ")",
                            canon, r->devs[i].id, r->dev_lines[i]);
            return fail(r, err, "rid %s: domain %04x, but device %u (line %" PRIu64 ") is in %04x "
                        "(a trace is one PHB: one PCI domain)", canon, d.domain, r->devs[i].id,
                        r->dev_lines[i], r->devs[i].domain);
        }
    }
    if (r->ndevs == r->devcap) {
        uint32_t ncap = r->devcap ? r->devcap * 2 : 8;
        tr_device_decl *nd = realloc(r->devs, ncap * sizeof *nd);
        if (!nd)
            return fail(r, err, "out of memory");
        r->devs = nd;
        uint64_t *nl = realloc(r->dev_lines, ncap * sizeof *nl);
        if (!nl)
            return fail(r, err, "out of memory");
        r->dev_lines = nl;
        r->devcap = ncap;
    }
    r->dev_lines[r->ndevs] = r->lineno;
    r->devs[r->ndevs++] = d;
    return 0;
}

/* ---- Events ---- */

/* "cpuN" or "devN" with N decimal and below the limit. */
static int parse_actor(text_reader *r, tr_error *err, const char *s, bool *is_dev, uint32_t *id)
{
    uint64_t v;
    unsigned limit;
    const char *what;
    if (strncmp(s, "cpu", 3) == 0) {
        *is_dev = false;
        limit = TR_MAX_CPUS;
        what = "cpu";
    } else if (strncmp(s, "dev", 3) == 0) {
        *is_dev = true;
        limit = TR_MAX_DEVICES;
        what = "device";
    } else {
        return fail(r, err, "bad actor '%.64s' (expected cpuN or devN)", s);
    }
    const char *n = s + 3;
    if (*n < '0' || *n > '9' || (n[0] == '0' && n[1] == 'x') || !parse_u64(n, false, &v, NULL))
        return fail(r, err, "bad actor '%.64s' (expected cpuN or devN)", s);
    if (v >= limit)
        return fail(r, err, "bad actor '%.64s' (%s ids are < %u)", s, what, limit);
    *id = (uint32_t)v;
    return 0;
}

static int parse_dir(text_reader *r, tr_error *err, const char *s, tr_dir *out)
{
    for (int d = TR_DIR_BIDIRECTIONAL; d <= TR_DIR_FROM_DEVICE; d++) {
        if (strcmp(s, tr_dir_name((tr_dir)d)) == 0) {
            *out = (tr_dir)d;
            return 0;
        }
    }
    return fail(r, err, "bad dir '%.64s' (expected to_device, from_device or bidirectional)", s);
}

static int check_pa_mode(text_reader *r, tr_error *err, bool has_pa)
{
    int rc = tr_val_pa_mode(&r->val, has_pa, r->lineno, r->vmsg);
    return rc ? fail_val(r, err, rc) : 0;
}

static int check_new_mapping(text_reader *r, tr_error *err, uint64_t h)
{
    int rc = tr_val_new_mapping(&r->val, h, r->vmsg);
    return rc ? fail_val(r, err, rc) : 0;
}

static int record_mapping(text_reader *r, tr_error *err, const tr_event *ev)
{
    int rc = tr_val_record_mapping(&r->val, ev, r->lineno, r->vmsg);
    return rc ? fail_val(r, err, rc) : 0;
}

/* Parses the host op's keys into ev and checks them against handle state;
 * the state is updated only once the whole line is valid. */
static int parse_host_op(text_reader *r, tr_error *err, tr_event *ev, char *vals[K_COUNT])
{
    uint64_t v;
    int rc;

    if ((rc = need_num(r, err, vals[K_H], K_H, false, &ev->handle)))
        return rc;
    ev->has_handle = true;
    if (vals[K_DEV]) {
        if ((rc = need_num(r, err, vals[K_DEV], K_DEV, false, &v)))
            return rc;
        if (v >= TR_MAX_DEVICES)
            return fail(r, err, "dev %" PRIu64 " out of range (must be < %u)", v, TR_MAX_DEVICES);
        ev->dev = (uint32_t)v;
    }
    ev->dir = TR_DIR_BIDIRECTIONAL;
    if (vals[K_DIR] && (rc = parse_dir(r, err, vals[K_DIR], &ev->dir)))
        return rc;

    switch (ev->op) {
    case TR_MAP:
    case TR_ALLOC:
        if ((rc = need_num(r, err, vals[K_SIZE], K_SIZE, true, &ev->size)))
            return rc;
        if (ev->size == 0)
            return fail(r, err, "size must be > 0");
        if (vals[K_PA]) {
            if ((rc = need_num(r, err, vals[K_PA], K_PA, false, &ev->pa)))
                return rc;
            if (ev->pa > UINT64_MAX - ev->size)
                return fail(r, err, "pa + size overflows 64 bits");
            ev->has_pa = true;
        }
        if ((rc = check_pa_mode(r, err, ev->has_pa)))
            return rc;
        if ((rc = check_new_mapping(r, err, ev->handle)))
            return rc;
        return record_mapping(r, err, ev);

    case TR_MAP_SG: {
        char *bad = NULL;
        const char *why = NULL;
        uint32_t n = 0, npas = 0;
        uint64_t total = 0;
        rc = parse_list(vals[K_SIZES], true, r->seg_sizes, &n, &bad, &why);
        if (rc == 1)
            return fail(r, err, "bad number '%.64s' for sizes (%s)", bad, why);
        if (rc == 2)
            return fail(r, err, "too many segments (%u > %u)", n, TR_MAX_SEGS);
        for (uint32_t i = 0; i < n; i++) {
            if (r->seg_sizes[i] == 0)
                return fail(r, err, "sizes[%u] must be > 0", i);
            if (total > UINT64_MAX - r->seg_sizes[i])
                return fail(r, err, "total of sizes overflows 64 bits");
            total += r->seg_sizes[i];
        }
        ev->nsegs = n;
        ev->seg_sizes = r->seg_sizes;
        ev->seg_pas = NULL;
        ev->size = total;
        if (vals[K_PAS]) {
            rc = parse_list(vals[K_PAS], false, r->seg_pas, &npas, &bad, &why);
            if (rc == 1)
                return fail(r, err, "bad number '%.64s' for pas (%s)", bad, why);
            if (rc == 2 || npas != n)
                return fail(r, err, "pas has %u entries but sizes has %u", npas, n);
            for (uint32_t i = 0; i < n; i++)
                if (r->seg_pas[i] > UINT64_MAX - r->seg_sizes[i])
                    return fail(r, err, "pas[%u] + sizes[%u] overflows 64 bits", i, i);
            ev->seg_pas = r->seg_pas;
        }
        if ((rc = check_pa_mode(r, err, vals[K_PAS] != NULL)))
            return rc;
        if ((rc = check_new_mapping(r, err, ev->handle)))
            return rc;
        return record_mapping(r, err, ev);
    }

    case TR_UNMAP:
    case TR_FREE:
        if ((rc = tr_val_drop(&r->val, ev, r->lineno, r->vmsg)))
            return fail_val(r, err, rc);
        return 0;
    default:
        return fail(r, err, "internal error: op %d is not a host op", (int)ev->op);
    }
}

static int parse_device_op(text_reader *r, tr_error *err, tr_event *ev, char *vals[K_COUNT])
{
    uint64_t v;
    int rc;

    ev->dev = ev->actor;
    if (vals[K_DEV]) {
        if ((rc = need_num(r, err, vals[K_DEV], K_DEV, false, &v)))
            return rc;
        if (v != ev->actor)
            return fail(r, err, "device op on dev%u but dev=%.64s", ev->actor, vals[K_DEV]);
    }
    if (vals[K_H] && vals[K_ADDR])
        return fail(r, err, "give either h= (with off=) or addr=, not both");
    if (!vals[K_H] && !vals[K_ADDR])
        return fail(r, err, "missing key 'h' (or addr)");
    if (vals[K_ADDR] && vals[K_OFF])
        return fail(r, err, "off= goes with h=, not with addr=");
    if (vals[K_H] && !vals[K_OFF])
        return fail(r, err, "missing key 'off'");

    if ((rc = need_num(r, err, vals[K_LEN], K_LEN, true, &ev->len)))
        return rc;
    if (ev->len == 0)
        return fail(r, err, "len must be > 0");

    if (vals[K_ADDR]) {
        if ((rc = need_num(r, err, vals[K_ADDR], K_ADDR, false, &ev->addr)))
            return rc;
        if (ev->addr > UINT64_MAX - ev->len)
            return fail(r, err, "addr + len overflows 64 bits");
        return 0;
    }
    if ((rc = need_num(r, err, vals[K_H], K_H, false, &ev->handle)))
        return rc;
    if ((rc = need_num(r, err, vals[K_OFF], K_OFF, true, &ev->off)))
        return rc;
    ev->has_handle = true;
    if ((rc = tr_val_access(&r->val, ev, r->vmsg)))
        return fail_val(r, err, rc);
    return 0;
}

/* Parses r->buf. Returns 1 with *ev filled for an event, 0 for a blank,
 * comment or device line, or an error. */
static int parse_line(text_reader *r, tr_event *ev, tr_error *err)
{
    char *p = r->buf;
    char *t_time = next_token(&p);
    if (!t_time)
        return 0;
    if (strcmp(t_time, "device") == 0) {
        int rc = parse_device(r, err, p);
        return rc < 0 ? rc : 0;
    }
    char *t_actor = next_token(&p);
    char *t_op = t_actor ? next_token(&p) : NULL;
    if (!t_op)
        return fail(r, err, "incomplete event (expected 'time_ns actor op key=value...')");

    memset(ev, 0, sizeof *ev);
    ev->line = r->lineno;
    int rc;
    const char *why;
    if (!parse_u64(t_time, false, &ev->time_ns, &why))
        return fail(r, err, "bad number '%.64s' for time_ns (%s)", t_time, why);
    if ((rc = tr_val_time(&r->val, ev->time_ns, r->vmsg)))
        return fail_val(r, err, rc);

    bool is_dev = false;
    if ((rc = parse_actor(r, err, t_actor, &is_dev, &ev->actor)))
        return rc;
    int op = 0;
    while (op < TR_OP_COUNT && strcmp(t_op, tr_op_name((tr_op)op)) != 0)
        op++;
    if (op == TR_OP_COUNT)
        return fail(r, err, "unknown op '%.64s'", t_op);
    ev->op = (tr_op)op;
    if (tr_op_is_host(ev->op) && is_dev)
        return fail(r, err, "%s is a host op: its actor must be cpuN, not %s", t_op, t_actor);
    if (!tr_op_is_host(ev->op) && !is_dev)
        return fail(r, err, "%s is a device op: its actor must be devN, not %s", t_op, t_actor);

    char *vals[K_COUNT];
    if ((rc = split_keys(r, err, &p, key_allowed[op], t_op, vals)))
        return rc;
    for (int k = 0; k < K_COUNT; k++)
        if ((key_required[op] & KB(k)) && !vals[k])
            return fail(r, err, "missing key '%s'", key_names[k]);

    rc = tr_op_is_host(ev->op) ? parse_host_op(r, err, ev, vals) : parse_device_op(r, err, ev, vals);
    if (rc)
        return rc;
    if (!r->any_event) {
        r->any_event = true;
        r->first_event_line = r->lineno;
    }
    tr_val_commit(&r->val, ev);
    return 1;
}

static int text_next(void *ctx, tr_event *ev, tr_error *err)
{
    text_reader *r = ctx;
    for (;;) {
        if (r->sticky) {
            if (err)
                *err = r->sticky_err;
            return r->sticky;
        }
        if (r->pending) {
            r->pending = false;
        } else {
            int rc = read_line(r, err);
            if (rc <= 0)
                return rc;
        }
        int rc = parse_line(r, ev, err);
        if (rc != 0)
            return rc;
    }
}

static void text_close(void *ctx)
{
    text_reader *r = ctx;
    if (!r)
        return;
    tr_in_close(r->in);
    free(r->path);
    free(r->buf);
    tr_val_free(&r->val);
    free(r->devs);
    free(r->dev_lines);
    free(r);
}

/* Reads the header and the device declarations; stops at the first event
 * line, which stays in r->buf for the first tr_next. */
/* True when the line's first word is w; leaves the line intact. */
static bool first_word_is(const char *s, const char *w)
{
    size_t n = strlen(w);
    while (*s == ' ' || *s == '\t')
        s++;
    return strncmp(s, w, n) == 0 && (s[n] == '\0' || s[n] == ' ' || s[n] == '\t' || s[n] == '#');
}

static bool is_blank(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '\0' || *s == '#';
}

/* Reads the header and the device declarations; stops at the first event
 * line, which stays in r->buf (untouched) for the first tr_next. */
static int read_preamble(text_reader *r, tr_error *err)
{
    int rc;
    bool header = false;
    while ((rc = read_line(r, err)) > 0) {
        if (is_blank(r->buf))
            continue;
        if (!header) {
            char *p = r->buf;
            char *t = next_token(&p);
            char *ver = next_token(&p);
            char *extra = ver ? next_token(&p) : NULL;
            if (strcmp(t, "tcesim-trace") != 0 || !ver || extra)
                return fail(r, err, "expected header 'tcesim-trace 1' before anything else");
            if (strcmp(ver, "1") != 0)
                return fail(r, err, "unsupported trace version '%.64s' (this reader knows 1)", ver);
            header = true;
            continue;
        }
        if (!first_word_is(r->buf, "device")) {
            r->pending = true;
            return 0;
        }
        tr_event unused;
        if ((rc = parse_line(r, &unused, err)) < 0)
            return rc;
    }
    if (rc < 0)
        return rc;
    if (!header)
        return tr_seterr(err, TCESIM_EINVAL, "%s: empty trace (expected header 'tcesim-trace 1')",
                         r->path);
    return 0;
}

int tr_open_text(const char *path, tr_source *out, tr_error *err)
{
    memset(out, 0, sizeof *out);
    text_reader *r = calloc(1, sizeof *r);
    if (!r)
        return tr_seterr(err, TCESIM_ENOMEM, "%s: out of memory", path);
    tr_val_init(&r->val, "line");
    r->path = strdup(path);
    r->buf = malloc(TR_MAX_LINE + 1);
    if (!r->path || !r->buf) {
        text_close(r);
        return tr_seterr(err, TCESIM_ENOMEM, "%s: out of memory", path);
    }
    int rc = tr_in_open(path, &r->in, err);
    if (rc) {
        text_close(r);
        return rc;
    }
    rc = read_preamble(r, err);
    if (rc < 0) {
        text_close(r);
        return rc;
    }
    out->next = text_next;
    out->close = text_close;
    out->ctx = r;
    out->name = r->path;
    out->devices = r->devs;
    out->ndevices = r->ndevs;
    return 0;
}

size_t tr_text_handle_slots(const tr_source *src)
{
    if (!src || src->next != text_next)
        return 0;
    const text_reader *r = src->ctx;
    return r->val.handles.cap;
}
