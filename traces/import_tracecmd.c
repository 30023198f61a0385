/* Import of `trace-cmd report` text (Linux dma: events) into a tcesim trace.
 * The formats it reads and the rules it applies are in import_tracecmd.h
 * and traces/FORMAT.md ("Importing trace-cmd reports").
 *
 * Shape: a line parser (report columns, then the event's key=value text),
 * then two passes. Pass 1 collects the devices (ids in order of first
 * mapping, bypass-looking addresses) and whether every mapping carries a
 * physical address. Pass 2 keeps the live mappings in a hash map keyed by
 * (class, device, address), hands out reusable handle ids from a free list,
 * and sends every output event through a min-heap on (time, sequence): a
 * synthesised access may have to move back to the midpoint of its mapping
 * when the unmap comes sooner than delay_ns, so nothing newer than
 * now - delay_ns can be written yet. The heap holds only that window. */
#include "common/numparse.h"
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/tcesim_err.h"
#include "import_tracecmd.h"
#include "trace_internal.h"

#define BYPASS_BASE (1ull << 59)   /* PowerNV TVE#1: bus address = pa + 1<<59 */
#define DMA_MAPPING_ERROR_ADDR UINT64_MAX
#define MAX_FIELDS 16
#define SZ_4G (1ull << 32)
/* include/trace/events/dma.h after v6.12 (torvalds/linux 0b9828c7231e):
 * DMA_TRACE_MAX_ENTRIES, the cap on dma_map_sg's printed arrays. */
#define DMA_TRACE_MAX 128

void import_params_default(import_params *p)
{
    memset(p, 0, sizeof *p);
    p->access = IMPORT_ACCESS_ONCE;
    p->delay_ns = 1000;
    p->chunk_bytes = 0;
    p->pe_rule = IMPORT_PE_BUS;
    p->dma_mask_bits = 0;
    p->big_endian = false;
    p->domain = -1;
    p->sg_page_bytes = 4096;
    p->pa = IMPORT_PA_AUTO;
}

const char *import_skip_name(import_skip why)
{
    static const char *const names[IMP_SKIP_COUNT] = {
        [IMP_SKIP_NOT_EVENT] = "not an event line (report header, blank or other text)",
        [IMP_SKIP_LOST_EVENTS] = "lost-events marker (CPU:N [EVENTS DROPPED])",
        [IMP_SKIP_BAD_TIME] = "timestamp not in seconds with 1-9 decimals (counter clock?)",
        [IMP_SKIP_OTHER_EVENT] = "event other than a dma: mapping event",
        [IMP_SKIP_NO_EFFECT] = "dma_sync_* event (changes no mapping)",
        [IMP_SKIP_MALFORMED] = "dma event that does not parse",
        [IMP_SKIP_NOT_PCI] = "device name not DDDD:BB:DD.F",
        [IMP_SKIP_OTHER_DOMAIN] = "device outside the selected PCI domain",
        [IMP_SKIP_FAILED] = "failed mapping or allocation",
        [IMP_SKIP_TRUNCATED] = "dma_map_sg with [TRUNCATED] arrays",
        [IMP_SKIP_SG_SHAPE] = "dma_map_sg whose input segments cannot be rebuilt",
        [IMP_SKIP_UNKNOWN_UNMAP] = "unmap or free of no live mapping",
    };
    return (unsigned)why < IMP_SKIP_COUNT ? names[why] : "?";
}

void import_stats_print(const import_stats *st, FILE *f)
{
    uint64_t skipped = 0;
    for (int i = 0; i < IMP_SKIP_COUNT; i++)
        skipped += st->skipped[i];
    fprintf(f, "import: %" PRIu64 " lines read, %" PRIu64 " not used; wrote %u device%s",
            st->lines, skipped, st->devices, st->devices == 1 ? "" : "s");
    if (st->bypass_devices)
        fprintf(f, " (%u with 64-bit masks for bypass addresses)", st->bypass_devices);
    if (st->tve0_devices)
        fprintf(f, " (%u with 59-bit masks for addresses from 4 GiB: PHB3 TVE#0 bypass)",
                st->tve0_devices);
    for (int op = 0; op < TR_OP_COUNT; op++)
        if (st->ops[op])
            fprintf(f, ", %" PRIu64 " %s", st->ops[op], tr_op_name((tr_op)op));
    fputc('\n', f);
    if (st->raw_lines)
        fprintf(f, "import: %" PRIu64 " [FAILED TO PARSE] lines read from their raw fields\n",
                st->raw_lines);
    if (st->guessed_bytes || st->sg_truncated)
        fprintf(f, "import: %" PRIu64 " bytes guessed (hidden segments of %" PRIu64
                " [TRUNCATED] dma_map_sg)\n", st->guessed_bytes, st->sg_truncated);
    if (st->sg_reconstructed)
        fprintf(f, "import: %" PRIu64 " map_sg with merged segments: input sizes rebuilt\n",
                st->sg_reconstructed);
    if (st->clamped_times)
        fprintf(f, "import: %" PRIu64 " timestamps went backwards: written at the previous time\n",
                st->clamped_times);
    if (st->live_at_end)
        fprintf(f, "import: %" PRIu64 " mappings still live at the end of the report\n",
                st->live_at_end);
    if (st->pa_omitted)
        fprintf(f, "import: some mappings have no physical address: pa= left out everywhere\n");
    for (int i = 0; i < IMP_SKIP_COUNT; i++)
        if (st->skipped[i])
            fprintf(f, "  %8" PRIu64 "  %s (first: line %" PRIu64 ")\n", st->skipped[i],
                    import_skip_name((import_skip)i), st->first_line[i]);
}

/* ================= Line parser ================= */

struct import_parser {
    char *buf;
    size_t bufcap;
    char **tok;
    size_t tokcap;
    uint64_t *arr[3];      /* phys, dma, lens */
    size_t arrcap[3];
    bool big_endian;       /* byte order of raw ARRAY[] bytes */
};

void import_parser_set_big_endian(import_parser *ps, bool big)
{
    ps->big_endian = big;
}

import_parser *import_parser_new(void)
{
    return calloc(1, sizeof(import_parser));
}

void import_parser_free(import_parser *ps)
{
    if (!ps)
        return;
    free(ps->buf);
    free(ps->tok);
    for (int i = 0; i < 3; i++)
        free(ps->arr[i]);
    free(ps);
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* [s, s+n) all decimal digits, no overflow. */
static bool parse_dec_n(const char *s, size_t n, uint64_t *v)
{
    uint64_t x = 0;
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i]) || x > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
            return false;
        x = x * 10 + (uint64_t)(s[i] - '0');
    }
    *v = x;
    return true;
}

static bool parse_hex_n(const char *s, size_t n, uint64_t *v)
{
    uint64_t x = 0;
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        n -= 2;
    }
    if (n == 0 || n > 16)
        return false;
    for (size_t i = 0; i < n; i++) {
        int d = num_hex_digit(s[i]);
        if (d < 0)
            return false;
        x = x << 4 | (uint64_t)d;
    }
    *v = x;
    return true;
}

static bool parse_dec(const char *s, uint64_t *v) { return parse_dec_n(s, strlen(s), v); }
static bool parse_hex(const char *s, uint64_t *v) { return parse_hex_n(s, strlen(s), v); }

/* An array element: "0x..." hex (kernel, libtraceevent >= 1.8.4) or decimal
 * (libtraceevent <= 1.8.3). */
static bool parse_elem(const char *s, size_t n, uint64_t *v)
{
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        return parse_hex_n(s, n, v);
    return parse_dec_n(s, n, v);
}

/* "SSSS.FFFFFF:" -> ns, exactly. Returns 1 ok, 0 not a timestamp, -1 a
 * timestamp we cannot convert (no fraction, or more than 9 decimals). */
static int parse_ts(const char *t, uint64_t *ns)
{
    size_t n = strlen(t);
    if (n < 2 || t[n - 1] != ':')
        return 0;
    n--;
    const char *dot = memchr(t, '.', n);
    size_t ni = dot ? (size_t)(dot - t) : n;
    uint64_t secs, frac = 0;
    if (!parse_dec_n(t, ni, &secs))
        return 0;
    if (!dot)
        return -1;
    size_t nf = n - ni - 1;
    if (nf == 0 || !parse_dec_n(dot + 1, nf, &frac))
        return 0;
    if (nf > 9 || secs > UINT64_MAX / 1000000000u - 1)
        return -1;
    for (size_t i = nf; i < 9; i++)
        frac *= 10;
    *ns = secs * 1000000000u + frac;
    return 1;
}

/* "[NNN]" */
static bool parse_cpu_bracket(const char *t, uint32_t *cpu)
{
    size_t n = strlen(t);
    uint64_t v;
    if (n < 3 || t[0] != '[' || t[n - 1] != ']' || !parse_dec_n(t + 1, n - 2, &v) || v > UINT32_MAX)
        return false;
    *cpu = (uint32_t)v;
    return true;
}

/* The latency flags: irqs-off, need-resched, hard/softirq, preempt depth,
 * migrate-disable ("d..1.", "dNh2", "....."). */
static bool is_flags(const char *t)
{
    size_t n = strlen(t);
    if (n < 3 || n > 8 || t[0] == '[')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(t[i] == '.' || is_digit(t[i]) || (t[i] >= 'a' && t[i] <= 'z') ||
              (t[i] >= 'A' && t[i] <= 'Z')))
            return false;
    return true;
}

/* `report -l`: "%3d" cpu directly followed by the flags ("2d..1."). */
static bool parse_cpu_flags(const char *t, uint32_t *cpu)
{
    size_t nd = 0;
    uint64_t v;
    while (is_digit(t[nd]))
        nd++;
    if (nd == 0 || !parse_dec_n(t, nd, &v) || v > UINT32_MAX || !is_flags(t + nd))
        return false;
    *cpu = (uint32_t)v;
    return true;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * elem);
    if (!q)
        return TCESIM_ENOMEM;
    *p = q;
    *cap = n;
    return 0;
}

typedef struct field {
    const char *key;
    const char *val0;      /* text after '=' (may be empty) */
    char **more;           /* continuation tokens (old-style arrays) */
    size_t nmore;
} field;

static const field *find_field(const field *f, size_t nf, const char *key)
{
    for (size_t i = 0; i < nf; i++)
        if (strcmp(f[i].key, key) == 0)
            return &f[i];
    return NULL;
}

static bool scalar_hex(const field *f, uint64_t *v)
{
    return f && f->nmore == 0 && parse_hex(f->val0, v);
}

static bool scalar_dec(const field *f, uint64_t *v)
{
    return f && f->nmore == 0 && parse_dec(f->val0, v);
}

/* One raw byte of "ARRAY[00, 1f, ...]": two hex digits, then "," (between
 * tokens) or nothing. */
static bool raw_byte(const char *t, size_t n, uint8_t *b)
{
    uint64_t v;
    if (n != 2 || !parse_hex_n(t, 2, &v))
        return false;
    *b = (uint8_t)v;
    return true;
}

/* The raw form print_field_raw() gives a dynamic array without a usable
 * print format (libtraceevent <= 1.8.3): "ARRAY[" the bytes as "%02x"
 * joined by ", " "]", split by the tokenizer at each space. The bytes are
 * decoded as elem-byte unsigned integers in ps->big_endian's order. */
static int parse_raw_array(import_parser *ps, const field *f, int which, unsigned elem,
                           uint32_t *count)
{
    const char *s = f->val0;
    if (strncmp(s, "ARRAY[", 6) != 0)
        return 0;
    size_t ntok = f->nmore + 1;
    if (ntok % elem && !(ntok == 1 && strcmp(s, "ARRAY[]") == 0))
        return 0;
    if (strcmp(s, "ARRAY[]") == 0) {
        *count = 0;
        return 1;
    }
    size_t n = ntok / elem;
    if (n > UINT32_MAX || grow((void **)&ps->arr[which], &ps->arrcap[which], n, sizeof(uint64_t)))
        return n > UINT32_MAX ? 0 : TCESIM_ENOMEM;
    for (size_t e = 0; e < n; e++) {
        uint64_t v = 0;
        for (unsigned k = 0; k < elem; k++) {
            size_t i = e * elem + k;
            const char *t = i == 0 ? s + 6 : f->more[i - 1];
            size_t len = strlen(t);
            bool last = i + 1 == ntok;
            /* every byte but the last ends in ',', the last in ']' */
            if (len < 1 || t[len - 1] != (last ? ']' : ','))
                return 0;
            uint8_t b;
            if (!raw_byte(t, len - 1, &b))
                return 0;
            if (ps->big_endian)
                v = v << 8 | b;
            else
                v |= (uint64_t)b << (8 * k);
        }
        ps->arr[which][e] = v;
    }
    *count = (uint32_t)n;
    return 1;
}

/* Parses an array field into ps->arr[which]. Returns 1 ok, 0 bad, or
 * TCESIM_ENOMEM. elem is the element size for the raw form. */
static int parse_array_e(import_parser *ps, const field *f, int which, unsigned elem,
                         uint32_t *count)
{
    if (!f)
        return 0;
    size_t n = 0;
    const char *s = f->val0;
    if (strncmp(s, "ARRAY[", 6) == 0)
        return parse_raw_array(ps, f, which, elem, count);
    if (s[0] == '{') {
        size_t len = strlen(s);
        if (f->nmore || len < 2 || s[len - 1] != '}')
            return 0;
        size_t cap = 1;
        for (size_t i = 1; i + 1 < len; i++)
            cap += s[i] == ',';
        if (grow((void **)&ps->arr[which], &ps->arrcap[which], cap, sizeof(uint64_t)))
            return TCESIM_ENOMEM;
        const char *p = s + 1, *end = s + len - 1;
        while (p < end) {
            const char *c = memchr(p, ',', (size_t)(end - p));
            const char *e = c ? c : end;
            if (!parse_elem(p, (size_t)(e - p), &ps->arr[which][n++]))
                return 0;
            p = c ? c + 1 : end;
            if (c && p == end)
                return 0;   /* trailing comma */
        }
    } else {
        if (grow((void **)&ps->arr[which], &ps->arrcap[which], f->nmore + 1, sizeof(uint64_t)))
            return TCESIM_ENOMEM;
        if (s[0] && !parse_elem(s, strlen(s), &ps->arr[which][n++]))
            return 0;
        for (size_t i = 0; i < f->nmore; i++)
            if (!parse_elem(f->more[i], strlen(f->more[i]), &ps->arr[which][n++]))
                return 0;
    }
    if (n > UINT32_MAX)
        return 0;
    *count = (uint32_t)n;
    return 1;
}

static int parse_array(import_parser *ps, const field *f, int which, uint32_t *count)
{
    return parse_array_e(ps, f, which, 8, count);
}

/* "a/b" from nents=%d/%d */
static bool parse_pair(const field *f, uint64_t *a, uint64_t *b)
{
    if (!f || f->nmore)
        return false;
    const char *sl = strchr(f->val0, '/');
    return sl && parse_dec_n(f->val0, (size_t)(sl - f->val0), a) && parse_dec(sl + 1, b);
}

static bool parse_dir(const field *f, tr_dir *d, bool *none)
{
    *none = false;
    if (!f || f->nmore)
        return false;
    /* Raw: enum dma_data_direction's value (include/linux/dma-direction.h,
     * Linux 6.12: DMA_BIDIRECTIONAL 0, DMA_TO_DEVICE 1, DMA_FROM_DEVICE 2,
     * DMA_NONE 3). */
    if (strcmp(f->val0, "0") == 0)
        *d = TR_DIR_BIDIRECTIONAL;
    else if (strcmp(f->val0, "1") == 0)
        *d = TR_DIR_TO_DEVICE;
    else if (strcmp(f->val0, "2") == 0)
        *d = TR_DIR_FROM_DEVICE;
    else if (strcmp(f->val0, "3") == 0)
        *none = true;
    else if (strcmp(f->val0, "TO_DEVICE") == 0)
        *d = TR_DIR_TO_DEVICE;
    else if (strcmp(f->val0, "FROM_DEVICE") == 0)
        *d = TR_DIR_FROM_DEVICE;
    else if (strcmp(f->val0, "BIDIRECTIONAL") == 0)
        *d = TR_DIR_BIDIRECTIONAL;
    else if (strcmp(f->val0, "NONE") == 0)
        *none = true;
    else
        return false;
    return !*none;
}

/* dev_name() of a PCI device: "DDDD:BB:DD.F" (domain, bus, device, function;
 * drivers/pci/probe.c pci_setup_device: "%04x:%02x:%02x.%d"). The domain is
 * at most 4 digits here: a PHB's domain (phb.domain) is a u16. */
static bool parse_pci_name(const char *s, uint32_t *domain, uint16_t *rid)
{
    const char *c1 = strchr(s, ':');
    if (!c1)
        return false;
    const char *c2 = strchr(c1 + 1, ':');
    uint64_t dom, bus, dev, fn;
    if (!c2 || c1 - s < 1 || c1 - s > 4 || !parse_hex_n(s, (size_t)(c1 - s), &dom) ||
        c2 - c1 != 3 || !parse_hex_n(c1 + 1, 2, &bus) || strlen(c2) != 5 || c2[3] != '.' ||
        !parse_hex_n(c2 + 1, 2, &dev) || !parse_dec_n(c2 + 4, 1, &fn) || dev > 0x1f || fn > 7 ||
        num_hex_digit(s[0]) < 0)
        return false;
    *domain = (uint32_t)dom;
    *rid = (uint16_t)(bus << 8 | dev << 3 | fn);
    return true;
}

typedef enum ev_type {
    EVT_MAP, EVT_UNMAP, EVT_MAP_SG, EVT_UNMAP_SG,
    EVT_ALLOC, EVT_ALLOC_SGT, EVT_FREE, EVT_FAIL, EVT_SYNC,
} ev_type;

static bool event_type(const char *name, ev_type *t)
{
    static const struct { const char *name; ev_type t; } table[] = {
        {"dma_map_page", EVT_MAP},        {"dma_map_resource", EVT_MAP},
        {"dma_map_phys", EVT_MAP},        {"dma_unmap_page", EVT_UNMAP},
        {"dma_unmap_resource", EVT_UNMAP}, {"dma_unmap_phys", EVT_UNMAP},
        {"dma_map_sg", EVT_MAP_SG},       {"dma_unmap_sg", EVT_UNMAP_SG},
        {"dma_alloc", EVT_ALLOC},         {"dma_alloc_pages", EVT_ALLOC},
        {"dma_alloc_sgt", EVT_ALLOC_SGT}, {"dma_free", EVT_FREE},
        {"dma_free_pages", EVT_FREE},     {"dma_free_sgt", EVT_FREE},
        {"dma_map_sg_err", EVT_FAIL},     {"dma_alloc_sgt_err", EVT_FAIL},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(name, table[i].name) == 0) {
            *t = table[i].t;
            return true;
        }
    if (strncmp(name, "dma_sync_", 9) == 0) {
        *t = EVT_SYNC;
        return true;
    }
    return false;
}

/* The event text after the name: device, then key=value fields. */
static int parse_event_text(import_parser *ps, ev_type et, char **tok, size_t ntok,
                            import_line *out, import_skip *why)
{
    field f[MAX_FIELDS];
    size_t nf = 0;
    bool truncated = false;

    *why = IMP_SKIP_MALFORMED;
    if (ntok == 0)
        return 0;
    /* libtraceevent <= 1.8.3 on the sg events (import_tracecmd.h): every
     * field as name=value, the device among them. */
    bool raw = ntok >= 3 && strcmp(tok[0], "[FAILED") == 0 && strcmp(tok[1], "TO") == 0 &&
               strcmp(tok[2], "PARSE]") == 0;
    size_t first = raw ? 3 : 1;
    if (!raw && !parse_pci_name(tok[0], &out->domain, &out->rid)) {
        *why = IMP_SKIP_NOT_PCI;
        return 0;
    }
    out->raw = raw;
    for (size_t i = first; i < ntok; i++) {
        char *eq = strchr(tok[i], '=');
        bool is_key = eq && eq > tok[i];
        for (char *k = tok[i]; is_key && k < eq; k++)
            is_key = (*k >= 'a' && *k <= 'z') || *k == '_';
        if (is_key) {
            if (nf == MAX_FIELDS)
                return 0;
            *eq = '\0';
            f[nf++] = (field){.key = tok[i], .val0 = eq + 1, .more = &tok[i + 1], .nmore = 0};
        } else if (strcmp(tok[i], "[TRUNCATED]") == 0) {
            truncated = true;
        } else if (nf > 0 && f[nf - 1].more + f[nf - 1].nmore == &tok[i]) {
            f[nf - 1].nmore++;
        } else {
            return 0;
        }
    }
    if (raw) {
        const field *dv = find_field(f, nf, "device");
        if (!dv || dv->nmore)
            return 0;
        if (!parse_pci_name(dv->val0, &out->domain, &out->rid)) {
            *why = IMP_SKIP_NOT_PCI;
            return 0;
        }
        /* Raw u64 and size_t scalars print "%llu"; the kernel's text "%llx". */
    }
    bool (*addr_scalar)(const field *, uint64_t *) = raw ? scalar_dec : scalar_hex;

    bool none = false;
    const field *fd = find_field(f, nf, "dir");
    out->has_dir = fd != NULL;
    if (fd && !parse_dir(fd, &out->dir, &none))
        return 0;   /* dir=NONE is a kernel BUG_ON: never a real mapping */
    if (!fd)
        out->dir = TR_DIR_BIDIRECTIONAL;

    uint64_t a, b;
    int rc;
    switch (et) {
    case EVT_FAIL:
        *why = IMP_SKIP_FAILED;
        return 0;
    case EVT_MAP:
    case EVT_ALLOC:
    case EVT_ALLOC_SGT:
        if (!addr_scalar(find_field(f, nf, "dma_addr"), &out->dma_addr) ||
            !scalar_dec(find_field(f, nf, "size"), &out->size) || out->size == 0)
            return 0;
        if (et == EVT_MAP && !out->has_dir)
            return 0;
        out->kind = et == EVT_MAP ? IMPORT_MAP : IMPORT_ALLOC;
        if (find_field(f, nf, "phys_addr")) {
            if (!addr_scalar(find_field(f, nf, "phys_addr"), &out->phys))
                return 0;
            out->has_phys = true;
        } else if (et == EVT_MAP) {
            return 0;
        }
        if (et == EVT_ALLOC_SGT) {
            rc = parse_array(ps, find_field(f, nf, "phys_addrs"), 0, &out->nphys);
            if (rc <= 0)
                return rc;
            out->phys_addrs = ps->arr[0];
            /* One chunk (what PowerNV's dma_common_alloc_pages gives): its pa. */
            if (out->nphys == 1) {
                out->has_phys = true;
                out->phys = ps->arr[0][0];
            }
        }
        /* dma_map_phys() traces failures with DMA_MAPPING_ERROR; the alloc
         * events put 0 when the allocation failed. */
        if (out->dma_addr == DMA_MAPPING_ERROR_ADDR || (et != EVT_MAP && out->dma_addr == 0)) {
            *why = IMP_SKIP_FAILED;
            return 0;
        }
        if (out->has_phys && out->phys > UINT64_MAX - out->size)
            return 0;
        return 1;
    case EVT_UNMAP:
    case EVT_FREE:
        if (!addr_scalar(find_field(f, nf, "dma_addr"), &out->dma_addr))
            return 0;
        out->kind = et == EVT_UNMAP ? IMPORT_UNMAP : IMPORT_FREE;
        return 1;
    case EVT_UNMAP_SG:
        /* The raw field is "addrs" (TP_STRUCT__entry), the text "phys_addrs". */
        rc = parse_array(ps, find_field(f, nf, raw ? "addrs" : "phys_addrs"), 0, &out->nphys);
        if (rc <= 0 || out->nphys == 0)
            return rc < 0 ? rc : 0;
        out->phys_addrs = ps->arr[0];
        out->kind = IMPORT_UNMAP_SG;
        return 1;
    case EVT_MAP_SG:
        if (!out->has_dir)
            return 0;
        if ((rc = parse_array(ps, find_field(f, nf, "phys_addrs"), 0, &out->nphys)) <= 0 ||
            (rc = parse_array(ps, find_field(f, nf, "dma_addrs"), 1, &out->ndma)) <= 0)
            return rc;
        uint32_t nlens;
        /* lengths are unsigned int (4 bytes raw); the text calls them sizes=. */
        if ((rc = parse_array_e(ps, find_field(f, nf, raw ? "lengths" : "sizes"), 2, 4, &nlens)) <= 0)
            return rc;
        if (out->ndma == 0 || nlens != out->ndma || out->nphys < out->ndma)
            return 0;
        /* Newer kernels: "nents=%d/%d ents=%d/%d", traced/full (traced =
         * min(full, DMA_TRACE_MAX_ENTRIES)), then " [TRUNCATED]" when either
         * full count exceeds the cap (TP_fast_assign of dma_map_sg). Raw:
         * full_nents=, full_ents=, truncated=0|1. */
        uint64_t fnp = out->nphys, fnd = out->ndma;
        a = out->nphys;
        b = out->ndma;
        if (raw) {
            const field *fn = find_field(f, nf, "full_nents"), *fe = find_field(f, nf, "full_ents"),
                        *ft = find_field(f, nf, "truncated");
            uint64_t tv = 0;
            if ((fn && !scalar_dec(fn, &fnp)) || (fe && !scalar_dec(fe, &fnd)) ||
                (ft && (!scalar_dec(ft, &tv) || tv > 1)) || (!fn != !fe) || (!fn != !ft))
                return 0;
            truncated = tv == 1;
        } else {
            const field *fn = find_field(f, nf, "nents"), *fe = find_field(f, nf, "ents");
            if (!fn != !fe || (truncated && !fn))
                return 0;
            if (fn && (!parse_pair(fn, &a, &fnp) || !parse_pair(fe, &b, &fnd)))
                return 0;
        }
        if (fnp > UINT32_MAX || fnd > UINT32_MAX || fnd > fnp || a != out->nphys ||
            b != out->ndma ||
            out->nphys != (fnp < DMA_TRACE_MAX ? fnp : DMA_TRACE_MAX) ||
            out->ndma != (fnd < DMA_TRACE_MAX ? fnd : DMA_TRACE_MAX) ||
            truncated != (fnp > DMA_TRACE_MAX || fnd > DMA_TRACE_MAX)) {
            /* counts that contradict the arrays: an old kernel has none,
             * so the arrays must then be whole */
            if (truncated || fnp != out->nphys || fnd != out->ndma || a != out->nphys ||
                b != out->ndma) {
                *why = truncated ? IMP_SKIP_TRUNCATED : IMP_SKIP_MALFORMED;
                return 0;
            }
        }
        out->truncated = truncated;
        out->full_nphys = (uint32_t)fnp;
        out->full_ndma = (uint32_t)fnd;
        out->size = 0;
        for (uint32_t i = 0; i < nlens; i++) {
            if (ps->arr[2][i] == 0 || ps->arr[2][i] > UINT64_MAX - out->size)
                return 0;
            out->size += ps->arr[2][i];
        }
        out->phys_addrs = ps->arr[0];
        out->dma_addrs = ps->arr[1];
        out->lens = ps->arr[2];
        out->dma_addr = ps->arr[1][0];
        out->kind = IMPORT_MAP_SG;
        return 1;
    case EVT_SYNC:
        break;
    }
    return 0;
}

int import_parse_line(import_parser *ps, const char *line, import_line *out, import_skip *why)
{
    size_t len = strlen(line);
    if (grow((void **)&ps->buf, &ps->bufcap, len + 1, 1))
        return TCESIM_ENOMEM;
    memcpy(ps->buf, line, len + 1);
    memset(out, 0, sizeof *out);

    /* Tokens: at most one per two bytes, plus one. */
    if (grow((void **)&ps->tok, &ps->tokcap, len / 2 + 2, sizeof(char *)))
        return TCESIM_ENOMEM;
    size_t ntok = 0;
    for (char *p = ps->buf; *p;) {
        while (is_space(*p))
            *p++ = '\0';
        if (!*p)
            break;
        ps->tok[ntok++] = p;
        while (*p && !is_space(*p))
            p++;
    }
    char **tok = ps->tok;

    *why = IMP_SKIP_NOT_EVENT;
    if (ntok == 0)
        return 0;
    if (strncmp(tok[0], "CPU:", 4) == 0 && strstr(line, "EVENTS DROPPED")) {
        *why = IMP_SKIP_LOST_EVENTS;
        return 0;
    }
    /* comm-pid (comm may hold spaces), [cpu] [flags] or cpu+flags, time:,
     * name:. Find the time token by what must precede and follow it. */
    for (size_t i = 2; i + 1 < ntok; i++) {
        size_t nl = strlen(tok[i + 1]);
        if (nl < 2 || tok[i + 1][nl - 1] != ':')
            continue;
        uint64_t ns = 0;
        int ts = parse_ts(tok[i], &ns);
        if (ts == 0)
            continue;
        uint32_t cpu;
        bool flags;
        if (parse_cpu_bracket(tok[i - 1], &cpu))
            flags = false;
        else if (i >= 3 && is_flags(tok[i - 1]) && parse_cpu_bracket(tok[i - 2], &cpu))
            flags = true;
        else if (parse_cpu_flags(tok[i - 1], &cpu))
            flags = true;
        else
            continue;
        if (ts < 0) {
            *why = IMP_SKIP_BAD_TIME;
            return 0;
        }
        out->cpu = cpu;
        out->ts_ns = ns;
        out->has_flags = flags;

        char *name = tok[i + 1];
        name[nl - 1] = '\0';
        if (strncmp(name, "dma:", 4) == 0)
            name += 4;
        ev_type et;
        if (!event_type(name, &et)) {
            *why = IMP_SKIP_OTHER_EVENT;
            return 0;
        }
        if (et == EVT_SYNC) {
            *why = IMP_SKIP_NO_EFFECT;
            return 0;
        }
        if (cpu >= TR_MAX_CPUS) {
            *why = IMP_SKIP_MALFORMED;
            return 0;
        }
        return parse_event_text(ps, et, tok + i + 2, ntok - i - 2, out, why);
    }
    return 0;
}

/* ================= map_sg reconstruction ================= */

int import_sg_reconstruct(const uint64_t *phys, uint32_t nphys, const uint64_t *dma,
                          const uint64_t *lens, uint32_t nout, uint64_t page_bytes,
                          uint64_t *sizes)
{
    const uint64_t pg = page_bytes, mask = page_bytes - 1;
    if (nout == 0 || nphys < nout || pg == 0 || (pg & mask))
        return -1;
    /* Suffix sums of the pages each output segment spans (capacity). */
    uint64_t later_cap = 0;
    for (uint32_t j = 1; j < nout; j++) {
        uint64_t o = dma[j] & mask;
        if (lens[j] == 0 || lens[j] > UINT64_MAX - o - pg)
            return -1;
        later_cap += (o + lens[j] + pg - 1) / pg;
    }
    uint32_t i = 0;
    for (uint32_t j = 0; j < nout; j++) {
        uint64_t o = dma[j] & mask, L = lens[j];
        if (L == 0 || L > UINT64_MAX - o - pg)
            return -1;
        uint64_t cap = (o + L + pg - 1) / pg;
        if (j > 0)
            later_cap -= cap;
        uint64_t rem = nphys - i, k;
        if (j + 1 == nout) {
            k = rem;
        } else {
            uint64_t lo = rem > later_cap ? rem - later_cap : 1;
            uint64_t hi = rem - (nout - j - 1);
            if (hi > cap)
                hi = cap;
            uint64_t run = 1;   /* inputs after the first must be page-aligned */
            while (run < hi && (phys[i + run] & mask) == 0)
                run++;
            hi = run;
            if (lo < 1)
                lo = 1;
            if (lo > hi)
                return -1;
            uint64_t o_next = dma[j + 1] & mask;
            k = hi;
            while (k > lo && (phys[i + k] & mask) != o_next)
                k--;
            if ((phys[i + k] & mask) != o_next)
                k = hi;
        }
        if (k < 1 || k > cap)
            return -1;
        for (uint64_t m = 1; m < k; m++)
            if (phys[i + m] & mask)
                return -1;
        /* Share cap pages among k inputs, earlier ones taking the remainder. */
        uint64_t base = cap / k, extra = cap % k, used = 0;
        for (uint64_t m = 0; m + 1 < k; m++) {
            uint64_t bytes = (base + (m < extra)) * pg - (m == 0 ? o : 0);
            sizes[i + m] = bytes;
            used += bytes;
        }
        if (used >= L)
            return -1;
        sizes[i + k - 1] = L - used;
        i += (uint32_t)k;
    }
    return i == nphys ? 0 : -1;
}

/* ================= Devices ================= */

enum { DEV_OK = 0, DEV_OTHER_DOMAIN };

typedef struct dev_rec {
    uint64_t key;          /* domain << 16 | rid */
    uint32_t id;
    int state;             /* DEV_* */
    uint64_t max_addr;     /* highest bus address of its mappings */
} dev_rec;

typedef struct dev_table {
    dev_rec *recs;         /* in order of appearance */
    size_t n, cap;
    int32_t *index;        /* open addressing over recs, -1 empty */
    size_t icap;
    bool have_domain;      /* the domain of the devices imported, and the line */
    uint32_t domain;       /* of the first one's first mapping */
    uint16_t domain_rid;
    uint64_t domain_line;
    uint32_t nok;
} dev_table;

static size_t hash64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return (size_t)k;
}

static dev_rec *dev_find(const dev_table *t, uint64_t key)
{
    if (!t->icap)
        return NULL;
    for (size_t h = hash64(key) & (t->icap - 1);; h = (h + 1) & (t->icap - 1)) {
        if (t->index[h] < 0)
            return NULL;
        if (t->recs[t->index[h]].key == key)
            return &t->recs[t->index[h]];
    }
}

static int dev_add(dev_table *t, uint64_t key, dev_rec **out)
{
    if (grow((void **)&t->recs, &t->cap, t->n + 1, sizeof *t->recs))
        return TCESIM_ENOMEM;
    if ((t->n + 1) * 2 > t->icap) {
        size_t ncap = t->icap ? t->icap * 2 : 64;
        int32_t *ni = malloc(ncap * sizeof *ni);
        if (!ni)
            return TCESIM_ENOMEM;
        for (size_t h = 0; h < ncap; h++)
            ni[h] = -1;
        for (size_t r = 0; r < t->n; r++) {
            size_t h = hash64(t->recs[r].key) & (ncap - 1);
            while (ni[h] >= 0)
                h = (h + 1) & (ncap - 1);
            ni[h] = (int32_t)r;
        }
        free(t->index);
        t->index = ni;
        t->icap = ncap;
    }
    size_t h = hash64(key) & (t->icap - 1);
    while (t->index[h] >= 0)
        h = (h + 1) & (t->icap - 1);
    t->index[h] = (int32_t)t->n;
    t->recs[t->n] = (dev_rec){.key = key};
    *out = &t->recs[t->n++];
    return 0;
}

static void dev_table_free(dev_table *t)
{
    free(t->recs);
    free(t->index);
}

/* ================= Live mappings, handles, output heap ================= */

enum { CLASS_MAP = 0, CLASS_SG, CLASS_COHERENT };

typedef struct live_ent {
    uint64_t addr;         /* dma_addr (map, coherent) or first phys addr (sg) */
    uint32_t dev;
    uint8_t cls;
    bool used;
    uint64_t handle;
    uint64_t map_ns;
    uint64_t ins;          /* insertion order: among equal keys the newest wins */
    int64_t heap_pos;      /* its pending access in the heap, or -1 */
    int64_t next;          /* hash chain, or free list */
} live_ent;

typedef struct out_item {
    uint64_t time, seq, line;
    tr_op op;
    uint32_t actor, dev;
    uint64_t handle, size, pa, chunk;
    bool has_pa;
    tr_dir dir;
    uint32_t nsegs;
    uint64_t *segs;        /* map_sg: sizes then pas (pas present when has_pa) */
    int64_t live;          /* live entry whose pending access this is, or -1 */
} out_item;

typedef struct import_state {
    const import_params *p;
    const char *report;
    import_stats *st;
    tr_writer *w;
    bool use_pa;
    dev_table devs;
    /* live map */
    live_ent *ents;
    size_t nents, entcap;
    int64_t free_ent;
    int64_t *buckets;
    size_t nbuckets;
    size_t nlive;
    uint64_t ins;
    /* handles */
    uint64_t *free_handles;
    size_t nfree_handles, free_handles_cap;
    uint64_t next_handle;
    /* output heap */
    out_item *heap;
    size_t nheap, heapcap;
    uint64_t seq;
    /* scratch: a map_sg's input sizes and pas, its output addresses and
     * lengths, completed past the printed arrays when truncated */
    uint64_t *sg_sizes, *sg_phys, *sg_dma, *sg_lens;
    size_t sg_cap, sg_phys_cap, sg_dma_cap, sg_lens_cap;
    uint64_t sg_guessed;   /* bytes of the hidden input segments of the last sg_sizes() */
    /* time */
    bool have_base;
    uint64_t base_ns, last_ns;
} import_state;

static size_t live_bucket(const import_state *s, uint8_t cls, uint32_t dev, uint64_t addr)
{
    return hash64(addr ^ ((uint64_t)dev << 40) ^ ((uint64_t)cls << 62)) & (s->nbuckets - 1);
}

static int live_rehash(import_state *s)
{
    size_t nb = s->nbuckets ? s->nbuckets * 2 : 256;
    int64_t *b = malloc(nb * sizeof *b);
    if (!b)
        return TCESIM_ENOMEM;
    for (size_t i = 0; i < nb; i++)
        b[i] = -1;
    free(s->buckets);
    s->buckets = b;
    s->nbuckets = nb;
    /* Chains stay sorted newest first, so that an unmap of a key mapped
     * twice (the same page mapped twice in bypass) takes the latest. */
    for (size_t i = 0; i < s->nents; i++) {
        live_ent *e = &s->ents[i];
        if (!e->used)
            continue;
        int64_t *pp = &s->buckets[live_bucket(s, e->cls, e->dev, e->addr)];
        while (*pp >= 0 && s->ents[*pp].ins > e->ins)
            pp = &s->ents[*pp].next;
        e->next = *pp;
        *pp = (int64_t)i;
    }
    return 0;
}

static int live_insert(import_state *s, uint8_t cls, uint32_t dev, uint64_t addr, uint64_t handle,
                       uint64_t map_ns, int64_t *out)
{
    if ((s->nlive + 1) > s->nbuckets * 2 || !s->nbuckets) {
        int rc = live_rehash(s);
        if (rc)
            return rc;
    }
    int64_t idx = s->free_ent;
    if (idx >= 0) {
        s->free_ent = s->ents[idx].next;
    } else {
        if (grow((void **)&s->ents, &s->entcap, s->nents + 1, sizeof *s->ents))
            return TCESIM_ENOMEM;
        idx = (int64_t)s->nents++;
    }
    live_ent *e = &s->ents[idx];
    *e = (live_ent){.addr = addr, .dev = dev, .cls = cls, .used = true, .handle = handle,
                    .map_ns = map_ns, .ins = s->ins++, .heap_pos = -1};
    size_t h = live_bucket(s, cls, dev, addr);
    e->next = s->buckets[h];   /* newest first: an unmap takes the latest equal key */
    s->buckets[h] = idx;
    s->nlive++;
    *out = idx;
    return 0;
}

static int64_t live_find(const import_state *s, uint8_t cls, uint32_t dev, uint64_t addr)
{
    if (!s->nbuckets)
        return -1;
    for (int64_t i = s->buckets[live_bucket(s, cls, dev, addr)]; i >= 0; i = s->ents[i].next)
        if (s->ents[i].cls == cls && s->ents[i].dev == dev && s->ents[i].addr == addr)
            return i;
    return -1;
}

static void live_remove(import_state *s, int64_t idx)
{
    live_ent *e = &s->ents[idx];
    int64_t *pp = &s->buckets[live_bucket(s, e->cls, e->dev, e->addr)];
    while (*pp != idx)
        pp = &s->ents[*pp].next;
    *pp = e->next;
    e->used = false;
    e->next = s->free_ent;
    s->free_ent = idx;
    s->nlive--;
}

/* The most recently released id, else a new one: ids stay as few as the
 * mappings live at once. */
static uint64_t handle_alloc(import_state *s)
{
    return s->nfree_handles ? s->free_handles[--s->nfree_handles] : s->next_handle++;
}

static int handle_release(import_state *s, uint64_t h)
{
    if (grow((void **)&s->free_handles, &s->free_handles_cap, s->nfree_handles + 1,
             sizeof *s->free_handles))
        return TCESIM_ENOMEM;
    s->free_handles[s->nfree_handles++] = h;
    return 0;
}

static bool item_less(const out_item *a, const out_item *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void heap_set(import_state *s, size_t pos, out_item it)
{
    s->heap[pos] = it;
    if (it.live >= 0)
        s->ents[it.live].heap_pos = (int64_t)pos;
}

static void heap_up(import_state *s, size_t pos)
{
    out_item it = s->heap[pos];
    while (pos > 0) {
        size_t parent = (pos - 1) / 2;
        if (!item_less(&it, &s->heap[parent]))
            break;
        heap_set(s, pos, s->heap[parent]);
        pos = parent;
    }
    heap_set(s, pos, it);
}

static void heap_down(import_state *s, size_t pos)
{
    out_item it = s->heap[pos];
    for (;;) {
        size_t c = 2 * pos + 1;
        if (c >= s->nheap)
            break;
        if (c + 1 < s->nheap && item_less(&s->heap[c + 1], &s->heap[c]))
            c++;
        if (!item_less(&s->heap[c], &it))
            break;
        heap_set(s, pos, s->heap[c]);
        pos = c;
    }
    heap_set(s, pos, it);
}

static int heap_push(import_state *s, out_item it)
{
    if (grow((void **)&s->heap, &s->heapcap, s->nheap + 1, sizeof *s->heap))
        return TCESIM_ENOMEM;
    it.seq = s->seq++;
    s->heap[s->nheap++] = it;
    heap_up(s, s->nheap - 1);
    return 0;
}

static int write_item(import_state *s, const out_item *it, tr_error *err)
{
    tr_event ev = {.time_ns = it->time, .line = it->line, .op = it->op, .actor = it->actor,
                   .dev = it->dev, .handle = it->handle, .has_handle = true, .dir = it->dir,
                   .size = it->size, .has_pa = it->has_pa, .pa = it->pa};
    if (it->op == TR_MAP_SG) {
        ev.nsegs = it->nsegs;
        ev.seg_sizes = it->segs;
        ev.seg_pas = it->has_pa ? it->segs + it->nsegs : NULL;
    }
    if (it->op == TR_READ || it->op == TR_WRITE) {
        uint64_t chunk = it->chunk ? it->chunk : it->size;
        for (uint64_t off = 0; off < it->size; off += chunk) {
            ev.off = off;
            ev.len = it->size - off < chunk ? it->size - off : chunk;
            int rc = tr_writer_put(s->w, &ev, err);
            if (rc)
                return rc;
            s->st->ops[it->op]++;
        }
        return 0;
    }
    int rc = tr_writer_put(s->w, &ev, err);
    if (!rc)
        s->st->ops[it->op]++;
    return rc;
}

/* Writes every item whose time is <= limit, in (time, seq) order. */
static int heap_flush(import_state *s, uint64_t limit, tr_error *err)
{
    while (s->nheap && s->heap[0].time <= limit) {
        out_item it = s->heap[0];
        if (it.live >= 0)
            s->ents[it.live].heap_pos = -1;
        s->nheap--;
        if (s->nheap) {
            heap_set(s, 0, s->heap[s->nheap]);
            heap_down(s, 0);
        }
        int rc = write_item(s, &it, err);
        free(it.segs);
        if (rc)
            return rc;
    }
    return 0;
}

static void state_free(import_state *s)
{
    for (size_t i = 0; i < s->nheap; i++)
        free(s->heap[i].segs);
    free(s->heap);
    free(s->ents);
    free(s->buckets);
    free(s->free_handles);
    free(s->sg_sizes);
    free(s->sg_phys);
    free(s->sg_dma);
    free(s->sg_lens);
    dev_table_free(&s->devs);
}

/* ================= The two passes ================= */

static void skip(import_state *s, import_skip why, uint64_t lineno)
{
    if (!s->st->skipped[why])
        s->st->first_line[why] = lineno;
    s->st->skipped[why]++;
}

static uint64_t round_up(uint64_t x, uint64_t pg, bool *ovf)
{
    if (x > UINT64_MAX - (pg - 1)) {
        *ovf = true;
        return 0;
    }
    return (x + pg - 1) & ~(pg - 1);
}

/* Rebuilds a map_sg's input sizes into s->sg_sizes, its pas into s->sg_phys
 * (full_nphys of each). 0 ok, 1 cannot, or TCESIM_ENOMEM.
 *
 * A [TRUNCATED] map_sg printed only the first 128 entries of each array;
 * the counts give the rest (nents=128/N ents=128/M). The guess (FORMAT.md,
 * "Truncated scatter lists"): each hidden output segment takes the last
 * printed length and starts on the IOMMU page after the one before; each
 * hidden input starts on a page boundary (page offset 0), so it can be
 * merged; the rebuild rule then splits the lengths as usual, so with
 * M <= 128 the mapping's total stays exact and only its split is guessed.
 * Hidden inputs' pas follow the previous input contiguously, page-aligned.
 * s->sg_guessed is the bytes of the hidden inputs. */
static int sg_sizes(import_state *s, const import_line *l)
{
    uint32_t np = l->full_nphys, nd = l->full_ndma;
    const uint64_t pg = s->p->sg_page_bytes;
    bool ovf = false;
    s->sg_guessed = 0;
    if (np > TR_MAX_SEGS)
        return 1;
    if (grow((void **)&s->sg_sizes, &s->sg_cap, np, sizeof(uint64_t)) ||
        grow((void **)&s->sg_phys, &s->sg_phys_cap, np, sizeof(uint64_t)) ||
        grow((void **)&s->sg_dma, &s->sg_dma_cap, nd, sizeof(uint64_t)) ||
        grow((void **)&s->sg_lens, &s->sg_lens_cap, nd, sizeof(uint64_t)))
        return TCESIM_ENOMEM;
    memcpy(s->sg_phys, l->phys_addrs, l->nphys * sizeof(uint64_t));
    memcpy(s->sg_dma, l->dma_addrs, l->ndma * sizeof(uint64_t));
    memcpy(s->sg_lens, l->lens, l->ndma * sizeof(uint64_t));
    uint64_t total = 0;
    for (uint32_t k = 0; k < nd; k++) {
        if (k >= l->ndma) {
            uint64_t prev = s->sg_dma[k - 1], len = s->sg_lens[k - 1];
            s->sg_lens[k] = len;
            s->sg_dma[k] = round_up(prev > UINT64_MAX - len ? (ovf = true, 0) : prev + len, pg, &ovf);
        }
        if (s->sg_lens[k] > UINT64_MAX - total)
            ovf = true;   /* the mapping's size must fit 64 bits */
        total += s->sg_lens[k];
    }
    for (uint32_t k = l->nphys; k < np; k++)
        s->sg_phys[k] = 0;   /* page offset 0; the address is set below */
    if (ovf || import_sg_reconstruct(s->sg_phys, np, s->sg_dma, s->sg_lens, nd, pg,
                                     s->sg_sizes) != 0)
        return 1;
    for (uint32_t k = l->nphys; k < np; k++) {
        uint64_t prev = s->sg_phys[k - 1], sz = s->sg_sizes[k - 1];
        s->sg_phys[k] = round_up(prev > UINT64_MAX - sz ? (ovf = true, 0) : prev + sz, pg, &ovf);
        if (s->sg_phys[k] > UINT64_MAX - s->sg_sizes[k])
            ovf = true;
        s->sg_guessed += s->sg_sizes[k];
    }
    return ovf ? 1 : 0;
}

static bool is_mapping(const import_line *l)
{
    return l->kind == IMPORT_MAP || l->kind == IMPORT_MAP_SG || l->kind == IMPORT_ALLOC;
}

/* Pass 1 on one usable line: register the device of a mapping. */
static int pass1_line(import_state *s, const import_line *l, uint64_t lineno, bool *all_pa, tr_error *err)
{
    if (!is_mapping(l))
        return 0;
    if (l->kind == IMPORT_MAP_SG) {
        int rc = sg_sizes(s, l);
        if (rc < 0)
            return tr_seterr(err, rc, "%s: out of memory", s->report);
        if (rc)
            return 0;
    }
    uint64_t key = (uint64_t)l->domain << 16 | l->rid;
    dev_rec *d = dev_find(&s->devs, key);
    if (!d) {
        int rc = dev_add(&s->devs, key, &d);
        if (rc)
            return tr_seterr(err, rc, "%s: out of memory", s->report);
        if (s->p->domain >= 0 && l->domain != (uint32_t)s->p->domain) {
            d->state = DEV_OTHER_DOMAIN;
        } else if (s->devs.have_domain && l->domain != s->devs.domain) {
            /* A tcesim trace is one PHB, and a PHB is one PCI domain
             * (phb.domain; on PowerNV pci_domain_nr() is the PHB's
             * hose->global_number, arch/powerpc/kernel/pci-common.c). */
            return tr_seterr(err, TCESIM_EINVAL,
                             "%s:%" PRIu64 ": %04x:%02x:%02x.%x is in PCI domain %04x, but %04x:%02x:%02x.%x (line %" PRIu64
                             ") is in %04x: a trace is one PHB, one domain (import one: --domain 0x%x)",
                             s->report, lineno, l->domain, l->rid >> 8, (l->rid >> 3) & 0x1f, l->rid & 7, l->domain,
                             s->devs.domain, s->devs.domain_rid >> 8, (s->devs.domain_rid >> 3) & 0x1f,
                             s->devs.domain_rid & 7, s->devs.domain_line, s->devs.domain, s->devs.domain);
        } else {
            s->devs.have_domain = true;
            s->devs.domain = l->domain;
            s->devs.domain_rid = l->rid;
            s->devs.domain_line = lineno;
            if (s->devs.nok == TR_MAX_DEVICES)
                return tr_seterr(err, TCESIM_EINVAL, "%s: more than %u devices", s->report,
                                 TR_MAX_DEVICES);
            d->state = DEV_OK;
            d->id = s->devs.nok++;
        }
    }
    if (d->state != DEV_OK)
        return 0;
    uint64_t top = l->dma_addr;
    if (l->kind == IMPORT_MAP_SG)
        for (uint32_t k = 0; k < l->ndma; k++)
            top = l->dma_addrs[k] > top ? l->dma_addrs[k] : top;
    if (top > d->max_addr)
        d->max_addr = top;
    if (l->kind == IMPORT_MAP_SG ? l->nphys == 0 : !l->has_phys)
        *all_pa = false;
    return 0;
}

static uint64_t rel_time(import_state *s, uint64_t ts)
{
    if (!s->have_base) {
        s->have_base = true;
        s->base_ns = ts;
        s->last_ns = ts;
    }
    if (ts < s->last_ns) {
        s->st->clamped_times++;
        ts = s->last_ns;
    }
    s->last_ns = ts;
    return ts - s->base_ns;
}

static int pass2_line(import_state *s, const import_line *l, uint64_t lineno, tr_error *err)
{
    if (s->p->domain >= 0 && l->domain != (uint32_t)s->p->domain) {
        skip(s, IMP_SKIP_OTHER_DOMAIN, lineno);
        return 0;
    }
    dev_rec *d = dev_find(&s->devs, (uint64_t)l->domain << 16 | l->rid);
    if (l->kind == IMPORT_MAP_SG) {
        int rc = sg_sizes(s, l);
        if (rc < 0)
            return tr_seterr(err, rc, "%s: out of memory", s->report);
        if (rc) {
            skip(s, IMP_SKIP_SG_SHAPE, lineno);
            return 0;
        }
    }
    if (!d || d->state != DEV_OK) {   /* an unmap for a device never mapped */
        skip(s, IMP_SKIP_UNKNOWN_UNMAP, lineno);
        return 0;
    }
    uint8_t cls = l->kind == IMPORT_MAP || l->kind == IMPORT_UNMAP     ? CLASS_MAP
                  : l->kind == IMPORT_MAP_SG || l->kind == IMPORT_UNMAP_SG ? CLASS_SG
                                                                           : CLASS_COHERENT;
    uint64_t key_addr = cls == CLASS_SG ? l->phys_addrs[0] : l->dma_addr;
    int64_t live = -1;
    if (!is_mapping(l)) {
        live = live_find(s, cls, d->id, key_addr);
        if (live < 0) {
            skip(s, IMP_SKIP_UNKNOWN_UNMAP, lineno);
            return 0;
        }
    }

    uint64_t t = rel_time(s, l->ts_ns);
    int rc = heap_flush(s, t >= s->p->delay_ns ? t - s->p->delay_ns : 0, err);
    if (rc)
        return rc;

    out_item it = {.time = t, .line = lineno, .actor = l->cpu, .dev = d->id, .live = -1};
    if (!is_mapping(l)) {
        live_ent *e = &s->ents[live];
        if (e->heap_pos >= 0) {
            /* The unmap came before the access was due: the device touched
             * the buffer at the midpoint of the mapping's life. */
            out_item *acc = &s->heap[e->heap_pos];
            if (acc->time > t) {
                acc->time = e->map_ns + (t - e->map_ns) / 2;
                heap_up(s, (size_t)e->heap_pos);
            }
            s->heap[e->heap_pos].live = -1;
            e->heap_pos = -1;
        }
        it.op = cls == CLASS_COHERENT ? TR_FREE : TR_UNMAP;
        it.handle = e->handle;
        if ((rc = heap_push(s, it)) || (rc = handle_release(s, e->handle)))
            return tr_seterr(err, rc, "%s: out of memory", s->report);
        live_remove(s, live);
        return 0;
    }

    uint64_t h = handle_alloc(s);
    it.handle = h;
    it.dir = l->dir;
    it.size = l->size;
    it.has_pa = s->use_pa;
    tr_op acc_op = l->dir == TR_DIR_FROM_DEVICE ? TR_WRITE : TR_READ;
    if (l->kind == IMPORT_MAP) {
        it.op = TR_MAP;
        it.pa = l->phys;
    } else if (l->kind == IMPORT_ALLOC) {
        it.op = TR_ALLOC;
        it.pa = l->phys;
        /* Coherent buffers are read; dma_alloc_pages/_sgt keep their dir. */
        acc_op = l->has_dir && l->dir == TR_DIR_FROM_DEVICE ? TR_WRITE : TR_READ;
    } else {
        it.op = TR_MAP_SG;
        it.nsegs = l->full_nphys;
        it.segs = malloc(2 * (size_t)l->full_nphys * sizeof(uint64_t));
        if (!it.segs)
            return tr_seterr(err, TCESIM_ENOMEM, "%s: out of memory", s->report);
        memcpy(it.segs, s->sg_sizes, l->full_nphys * sizeof(uint64_t));
        memcpy(it.segs + l->full_nphys, s->sg_phys, l->full_nphys * sizeof(uint64_t));
        if (l->full_nphys > l->full_ndma)
            s->st->sg_reconstructed++;
        if (l->truncated) {
            s->st->sg_truncated++;
            s->st->guessed_bytes += s->sg_guessed;
        }
        it.size = 0;
        for (uint32_t k = 0; k < l->full_nphys; k++)
            it.size += s->sg_sizes[k];
    }
    if ((rc = heap_push(s, it)) != 0) {
        free(it.segs);
        return tr_seterr(err, rc, "%s: out of memory", s->report);
    }
    if ((rc = live_insert(s, cls, d->id, key_addr, h, t, &live)) != 0)
        return tr_seterr(err, rc, "%s: out of memory", s->report);
    if (s->p->access == IMPORT_ACCESS_ONCE) {
        out_item acc = {.time = t + s->p->delay_ns, .line = lineno, .op = acc_op, .actor = d->id,
                        .dev = d->id, .handle = h, .size = it.size, .chunk = s->p->chunk_bytes,
                        .live = live};
        if (acc.time < t)
            acc.time = UINT64_MAX;
        if ((rc = heap_push(s, acc)) != 0)
            return tr_seterr(err, rc, "%s: out of memory", s->report);
    }
    return 0;
}

/* Reads report lines; calls fn on each. */
typedef int (*line_fn)(import_state *s, import_parser *ps, const char *line, uint64_t lineno,
                       void *arg, tr_error *err);

static int read_report(import_state *s, import_parser *ps, line_fn fn, void *arg, tr_error *err)
{
    errno = 0;
    FILE *f = fopen(s->report, "r");
    if (!f) /* no such file is bad input (exit 2); a failing disk is not */
        return tr_seterr(err, errno == EIO || !errno ? TCESIM_EIO : TCESIM_EINVAL, "%s: %s", s->report,
                         strerror(errno ? errno : EIO));
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    uint64_t lineno = 0;
    int rc = 0;
    while (!rc && (n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (memchr(line, '\0', (size_t)n)) {
            rc = tr_seterr(err, TCESIM_EINVAL, "%s:%" PRIu64 ": NUL byte in line (not a text report?)",
                           s->report, lineno);
            break;
        }
        rc = fn(s, ps, line, lineno, arg, err);
    }
    if (!rc && ferror(f))
        rc = tr_seterr(err, TCESIM_EIO, "%s: %s", s->report, strerror(errno ? errno : EIO));
    free(line);
    fclose(f);
    return rc;
}

static int pass1_fn(import_state *s, import_parser *ps, const char *text, uint64_t lineno,
                    void *arg, tr_error *err)
{
    import_line l;
    import_skip why;
    int rc = import_parse_line(ps, text, &l, &why);
    if (rc < 0)
        return tr_seterr(err, rc, "%s: out of memory", s->report);
    return rc ? pass1_line(s, &l, lineno, arg, err) : 0;
}

static int pass2_fn(import_state *s, import_parser *ps, const char *text, uint64_t lineno,
                    void *arg, tr_error *err)
{
    import_line l;
    import_skip why;
    s->st->lines++;
    int rc = import_parse_line(ps, text, &l, &why);
    if (rc < 0)
        return tr_seterr(err, rc, "%s: out of memory", s->report);
    if (rc == 0) {
        skip(s, why, lineno);
        return 0;
    }
    s->st->raw_lines += l.raw;
    return pass2_line(s, &l, lineno, err);
}

int import_tracecmd(const char *report_path, const import_params *p, const char *out_path,
                    import_stats *st, tr_error *err)
{
    import_params defaults;
    import_stats local;
    if (!p) {
        import_params_default(&defaults);
        p = &defaults;
    }
    if (!st)
        st = &local;
    memset(st, 0, sizeof *st);
    if (p->sg_page_bytes == 0 || (p->sg_page_bytes & (p->sg_page_bytes - 1)))
        return tr_seterr(err, TCESIM_EINVAL, "sg_page_bytes: %" PRIu64 " is not a power of two",
                         p->sg_page_bytes);
    if (p->dma_mask_bits > 64)
        return tr_seterr(err, TCESIM_EINVAL, "dma_mask_bits: %u out of range (0: infer, 1..64)",
                         p->dma_mask_bits);

    /* Two passes read the report twice: a pipe or a FIFO would give the
     * second pass nothing (a trace of devices and no events, silently). */
    struct stat rst;
    if (stat(report_path, &rst) == 0 && !S_ISREG(rst.st_mode))
        return tr_seterr(err, TCESIM_EINVAL,
                         "%s: not a regular file: import reads REPORT twice (save `trace-cmd report` to a file first)",
                         report_path);
    int crc = tr_check_output("-o", out_path, "REPORT", report_path, err);
    if (crc)
        return crc;

    import_state s = {.p = p, .report = report_path, .st = st, .free_ent = -1};
    import_parser *ps = import_parser_new();
    if (ps)
        import_parser_set_big_endian(ps, p->big_endian);
    tr_device_decl *decls = NULL;
    int rc = TCESIM_ENOMEM;
    if (!ps) {
        tr_seterr(err, rc, "%s: out of memory", report_path);
        goto out;
    }

    bool all_pa = true;
    if ((rc = read_report(&s, ps, pass1_fn, &all_pa, err)) != 0)
        goto out;
    bool any_mapping = s.devs.nok > 0;
    s.use_pa = p->pa == IMPORT_PA_AUTO && all_pa && any_mapping;
    st->pa_omitted = p->pa == IMPORT_PA_AUTO && !all_pa;

    decls = calloc(s.devs.nok ? s.devs.nok : 1, sizeof *decls);
    if (!decls) {
        rc = tr_seterr(err, TCESIM_ENOMEM, "%s: out of memory", report_path);
        goto out;
    }
    for (size_t r = 0; r < s.devs.n; r++) {
        const dev_rec *d = &s.devs.recs[r];
        if (d->state != DEV_OK)
            continue;
        tr_device_decl *dd = &decls[d->id];
        dd->id = d->id;
        dd->rid = (uint16_t)(d->key & 0xffff);
        /* the domain rides on the RID (rid=0030:01:00.0): it sets the
         * run's phb.domain, so an imported trace needs no flag for it */
        dd->has_domain = true;
        dd->domain = (uint16_t)(d->key >> 16);
        dd->has_pe = p->pe_rule != IMPORT_PE_NONE;
        dd->pe = p->pe_rule == IMPORT_PE_BUS ? (uint32_t)(dd->rid >> 8) : d->id + 1;
        dd->has_mask = true;
        /* dma: events print no mask; the path the kernel chose shows in the
         * bus addresses (models/host/pe_setup.h dma_mask_path, after
         * pnv_pci_ioda_iommu_bypass_supported and pnv_pci_ioda_dma_64bit_bypass,
         * arch/powerpc/platforms/powernv/pci-ioda.c, Linux 6.12): TVE#1 maps
         * bus = pa + 2^59; PHB3's TVE#0 64-bit bypass maps all RAM from bus
         * 4 GiB; the 32-bit TCE window lies below 4 GiB. */
        if (p->dma_mask_bits) {
            dd->dma_mask_bits = p->dma_mask_bits;
        } else if (d->max_addr >= BYPASS_BASE) {
            dd->dma_mask_bits = 64;
            st->bypass_devices++;
        } else if (d->max_addr >= SZ_4G) {
            dd->dma_mask_bits = 59;   /* 2^59-1 < 2^59 + RAM - 1: never TVE#1 */
            st->tve0_devices++;
        } else {
            dd->dma_mask_bits = 32;
        }
    }
    st->devices = s.devs.nok;
    if ((rc = tr_writer_open(out_path, decls, s.devs.nok, &s.w, err)) != 0)
        goto out;
    if ((rc = read_report(&s, ps, pass2_fn, NULL, err)) == 0 &&
        (rc = heap_flush(&s, UINT64_MAX, err)) == 0) {
        st->live_at_end = s.nlive;
        rc = tr_writer_close(s.w, true, err);
    } else {
        tr_writer_close(s.w, false, NULL);
    }
out:
    free(decls);
    import_parser_free(ps);
    state_free(&s);
    return rc;
}
