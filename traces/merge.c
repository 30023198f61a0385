/* Time-ordered merges of traces (merge.h). */
#include "merge.h"
#include "rtt/rtt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/tcesim_err.h"

typedef struct merge_in {
    tr_source src;
    tr_event ev;
    bool has;          /* ev holds this input's next event */
    bool done;
    uint32_t dev_base, cpu_base;
} merge_in;

typedef struct merge_ctx {
    merge_in *in;
    unsigned n;
    int last;          /* the input whose event was handed out last: refilled first */
    bool drop_pa;
    const char *name;
    tr_device_decl *decls;  /* tr_merge_sources: the inputs' declarations, passed through */
} merge_ctx;

static int fill(merge_in *m, tr_error *err)
{
    if (m->done || m->has)
        return 0;
    int rc = tr_next(&m->src, &m->ev, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        m->done = true;
    else
        m->has = true;
    return 0;
}

static int merge_next(void *ctx, tr_event *ev, tr_error *err)
{
    merge_ctx *c = ctx;
    if (c->last >= 0) {
        /* its event's arrays (map_sg sizes) stayed valid until now */
        int rc = fill(&c->in[c->last], err);
        if (rc)
            return rc;
        c->last = -1;
    }
    int best = -1;
    for (unsigned k = 0; k < c->n; k++)
        if (c->in[k].has && (best < 0 || c->in[k].ev.time_ns < c->in[best].ev.time_ns))
            best = (int)k;
    if (best < 0)
        return 0;
    merge_in *m = &c->in[best];
    *ev = m->ev;
    m->has = false;
    c->last = best;
    uint64_t k = (uint64_t)best, n = c->n;
    bool handled = tr_op_is_host(ev->op) || ev->has_handle;
    if (handled) {
        if (ev->handle > (UINT64_MAX - k) / n) {
            snprintf(err->msg, sizeof err->msg, "%s:%llu: handle %llu too large to merge", m->src.name ? m->src.name : c->name,
                     (unsigned long long)ev->line, (unsigned long long)ev->handle);
            return TCESIM_EINVAL;
        }
        ev->handle = ev->handle * n + k;
    }
    if (tr_op_is_host(ev->op)) {
        ev->actor += m->cpu_base;
        ev->dev += m->dev_base;
    } else {
        ev->actor += m->dev_base;
        ev->dev += m->dev_base;
    }
    if (c->drop_pa) {
        ev->has_pa = false;
        ev->pa = 0;
        ev->seg_pas = NULL;
    }
    return 1;
}

static void merge_close(void *ctx)
{
    merge_ctx *c = ctx;
    for (unsigned k = 0; k < c->n; k++)
        tr_close(&c->in[k].src);
    free(c->in);
    free(c->decls);
    free(c);
}

static int open_merge(tr_source *srcs, unsigned n, const uint32_t *dev_base, const uint32_t *cpu_base, bool drop_pa,
                      const char *name, tr_source *out, tr_error *err)
{
    merge_ctx *c = calloc(1, sizeof *c);
    merge_in *in = calloc(n ? n : 1, sizeof *in);
    if (!c || !in) {
        free(c);
        free(in);
        for (unsigned k = 0; k < n; k++)
            tr_close(&srcs[k]);
        snprintf(err->msg, sizeof err->msg, "%s: out of memory", name);
        return TCESIM_ENOMEM;
    }
    c->in = in;
    c->n = n;
    c->last = -1;
    c->drop_pa = drop_pa;
    c->name = name;
    for (unsigned k = 0; k < n; k++) {
        in[k].src = srcs[k];
        memset(&srcs[k], 0, sizeof srcs[k]);
        in[k].dev_base = dev_base ? dev_base[k] : 0;
        in[k].cpu_base = cpu_base ? cpu_base[k] : 0;
    }
    memset(out, 0, sizeof *out);
    out->next = merge_next;
    out->close = merge_close;
    out->ctx = c;
    out->name = name;
    if (!dev_base) {
        uint32_t nd = 0;
        for (unsigned k = 0; k < n; k++)
            nd += in[k].src.ndevices;
        if (nd && !(c->decls = malloc(nd * sizeof *c->decls))) {
            tr_close(out);
            snprintf(err->msg, sizeof err->msg, "%s: out of memory", name);
            return TCESIM_ENOMEM;
        }
        for (unsigned k = 0; k < n; k++)
            for (uint32_t i = 0; i < in[k].src.ndevices; i++)
                c->decls[out->ndevices++] = in[k].src.devices[i];
        out->devices = c->decls;
    }
    for (unsigned k = 0; k < n; k++) {
        int rc = fill(&in[k], err);
        if (rc) {
            tr_close(out);
            return rc;
        }
    }
    return 0;
}

int tr_merge_sources(tr_source *srcs, unsigned n, const char *name, tr_source *out, tr_error *err)
{
    return open_merge(srcs, n, NULL, NULL, false, name, out, err);
}

/* ---- tr_merge: files ---- */

typedef struct scan {
    uint32_t ndev, ncpu;          /* highest device / CPU id used or declared, + 1 */
    int pa;                       /* -1 no mapping yet, 0 without pa=, 1 with */
    uint64_t pa_line;
} scan;

static int scan_input(const char *path, scan *s, tr_error *err)
{
    tr_source src;
    int rc = tr_open(path, &src, err);
    if (rc)
        return rc;
    memset(s, 0, sizeof *s);
    s->pa = -1;
    for (uint32_t i = 0; i < src.ndevices; i++)
        if (src.devices[i].id + 1 > s->ndev)
            s->ndev = src.devices[i].id + 1;
    tr_event ev;
    while ((rc = tr_next(&src, &ev, err)) == 1) {
        if (tr_op_is_host(ev.op)) {
            if (ev.actor + 1 > s->ncpu)
                s->ncpu = ev.actor + 1;
            if (ev.dev + 1 > s->ndev)
                s->ndev = ev.dev + 1;
            if ((ev.op == TR_MAP || ev.op == TR_ALLOC || ev.op == TR_MAP_SG) && s->pa < 0) {
                s->pa = ev.op == TR_MAP_SG ? ev.seg_pas != NULL : ev.has_pa;
                s->pa_line = ev.line;
            }
        } else if (ev.actor + 1 > s->ndev) {
            s->ndev = ev.actor + 1;
        }
    }
    tr_close(&src);
    return rc < 0 ? rc : 0;
}

int tr_merge(const char *const *in, unsigned n, const char *out, const tr_merge_opts *o, tr_merge_result *res,
             tr_error *err)
{
    static const tr_merge_opts none = {0};
    if (!o)
        o = &none;
    memset(res, 0, sizeof *res);
    if (n < 1 || n > TR_MERGE_MAX_INPUTS) {
        snprintf(err->msg, sizeof err->msg, "merge: %u inputs (1 to %u)", n, TR_MERGE_MAX_INPUTS);
        return TCESIM_EINVAL;
    }
    for (unsigned k = 0; k < n; k++) {
        int rc = tr_check_output("OUT", out, "IN", in[k], err);
        if (rc)
            return rc;
    }
    scan sc[TR_MERGE_MAX_INPUTS];
    uint32_t dev_base[TR_MERGE_MAX_INPUTS], cpu_base[TR_MERGE_MAX_INPUTS];
    uint32_t dev = 0, cpu = 0;
    int pa_first = -1;
    for (unsigned k = 0; k < n; k++) {
        int rc = scan_input(in[k], &sc[k], err);
        if (rc)
            return rc;
        dev_base[k] = dev;
        cpu_base[k] = o->renumber_cpus ? cpu : 0;
        dev += sc[k].ndev;
        cpu += sc[k].ncpu;
        if (sc[k].pa < 0 || o->drop_pa)
            continue;
        if (pa_first < 0)
            pa_first = (int)k;
        else if (sc[k].pa != sc[pa_first].pa) {
            unsigned with = sc[k].pa ? k : (unsigned)pa_first, without = sc[k].pa ? (unsigned)pa_first : k;
            snprintf(err->msg, sizeof err->msg, "merge: %s gives pa= and %s does not (--drop-pa writes none)", in[with],
                     in[without]);
            return TCESIM_EINVAL;
        }
    }
    /* Open every input; the declarations renumbered, clashes refused or moved. */
    tr_source srcs[TR_MERGE_MAX_INPUTS];
    tr_device_decl *decls = NULL;
    uint32_t ndecls = 0;
    unsigned opened = 0;
    int rc = 0;
    for (; opened < n && !rc; opened++) {
        rc = tr_open(in[opened], &srcs[opened], err);
        if (rc)
            break;
        const tr_source *s = &srcs[opened];
        uint32_t before = ndecls; /* clashes are with earlier inputs only */
        if (s->ndevices) {
            tr_device_decl *d = realloc(decls, (ndecls + s->ndevices) * sizeof *d);
            if (!d) {
                rc = TCESIM_ENOMEM;
                snprintf(err->msg, sizeof err->msg, "merge: out of memory");
                opened++;
                break;
            }
            decls = d;
        }
        for (uint32_t i = 0; i < s->ndevices && !rc; i++) {
            tr_device_decl nd = s->devices[i];
            nd.id += dev_base[opened];
            /* clashes with the earlier inputs' declarations: refused, or
             * (--renumber-rids) a free bus for the RID and the lowest free PE
             * number for a pe= */
            int first = -1;
            bool clash_rid = false, clash_pe = false;
            /* one PHB is one PCI domain: inputs of two domains do not merge */
            for (uint32_t j = 0; j < before && nd.has_domain; j++)
                if (decls[j].has_domain && decls[j].domain != nd.domain) {
                    unsigned owner = 0;
                    while (owner < opened && decls[j].id >= dev_base[owner + 1])
                        owner++;
                    snprintf(err->msg, sizeof err->msg,
                             "merge: %s dev%u is in PCI domain %04x, %s dev%u in %04x (one PHB is one domain)",
                             in[opened], s->devices[i].id, nd.domain, in[owner], decls[j].id - dev_base[owner],
                             decls[j].domain);
                    rc = TCESIM_EINVAL;
                    break;
                }
            if (rc)
                break;
            for (uint32_t j = 0; j < before; j++) {
                bool r = decls[j].rid == nd.rid;
                bool p = nd.has_pe && decls[j].has_pe && decls[j].pe == nd.pe;
                if ((r || p) && first < 0)
                    first = (int)j;
                clash_rid |= r;
                clash_pe |= p;
            }
            if (first >= 0 && !o->renumber_rids) {
                const tr_device_decl *f = &decls[first];
                unsigned owner = 0;
                while (owner < opened && f->id >= dev_base[owner + 1])
                    owner++;
                char r[RID_TEXT]; /* the canonical form a run reports (rtt.h) */
                rid_format_domain(nd.has_domain ? nd.domain : 0, nd.rid, r);
                if (f->rid == nd.rid)
                    snprintf(err->msg, sizeof err->msg, "merge: %s dev%u declares rid %s, as %s dev%u does (--renumber-rids moves it)",
                             in[opened], s->devices[i].id, r, in[owner], f->id - dev_base[owner]);
                else
                    snprintf(err->msg, sizeof err->msg, "merge: %s dev%u declares pe %u, as %s dev%u does (--renumber-rids moves it)",
                             in[opened], s->devices[i].id, nd.pe, in[owner], f->id - dev_base[owner]);
                rc = TCESIM_EINVAL;
                break;
            }
            if (clash_rid) {
                for (unsigned bus = 1; bus < 256; bus++) {
                    bool used = false;
                    for (uint32_t j = 0; j < ndecls; j++)
                        used |= (decls[j].rid >> 8) == bus;
                    for (uint32_t j = i + 1; j < s->ndevices; j++)
                        used |= (s->devices[j].rid >> 8) == bus;
                    if (!used) {
                        nd.rid = (uint16_t)(bus << 8 | (nd.rid & 0xff));
                        break;
                    }
                }
                res->moved++;
            }
            if (clash_pe) {
                for (uint32_t pe = 1; pe < 65536; pe++) {
                    bool used = false;
                    for (uint32_t j = 0; j < ndecls; j++)
                        used |= decls[j].has_pe && decls[j].pe == pe;
                    if (!used) {
                        nd.pe = pe;
                        break;
                    }
                }
                if (!clash_rid)
                    res->moved++;
            }
            decls[ndecls++] = nd;
        }
    }
    if (rc) {
        for (unsigned k = 0; k < opened && k < n; k++)
            tr_close(&srcs[k]);
        free(decls);
        return rc;
    }
    tr_source m;
    rc = open_merge(srcs, n, dev_base, cpu_base, o->drop_pa, "merge", &m, err);
    if (rc) {
        free(decls);
        return rc;
    }
    tr_writer *w = NULL;
    rc = tr_writer_open(out, decls, ndecls, &w, err);
    free(decls);
    tr_event ev;
    while (!rc && (rc = tr_next(&m, &ev, err)) == 1) {
        rc = tr_writer_put(w, &ev, err);
        res->events++;
    }
    if (rc == 1)
        rc = 0;
    tr_close(&m);
    if (w) {
        tr_error cerr;
        int crc = tr_writer_close(w, rc == 0, &cerr);
        if (!rc && crc) {
            *err = cerr;
            rc = crc;
        }
    }
    if (!rc) {
        for (unsigned k = 0; k < n; k++) {
            res->dev_base[k] = dev_base[k];
            res->cpu_base[k] = cpu_base[k];
        }
        res->ndevices = dev;
    }
    return rc;
}
