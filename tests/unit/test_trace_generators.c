/* The generator registry (traces/generators.h): key errors, determinism per
 * seed, validity (an in-memory check of the reader's rules, stricter: no
 * stale access, nothing left mapped; and a round trip through the text
 * writer and reader), and the statistical shape of each pattern. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/tcesim_err.h"
#include "gen_window.h"
#include "generators.h"
#include "trace.h"

#define MAX_KEYS 16

/* ---------------------------------------------------------------- helpers */

/* "k=v" pairs, NULL-terminated, into gen_open's arrays. */
static int open_kv(const char *pattern, uint64_t seed, const char *const *kv, tr_source *src, tr_error *err)
{
    static char buf[MAX_KEYS][128];
    const char *keys[MAX_KEYS] = {0}, *values[MAX_KEYS] = {0};
    unsigned n = 0;
    for (; kv && kv[n]; n++) {
        assert_true(n < MAX_KEYS);
        snprintf(buf[n], sizeof buf[n], "%s", kv[n]);
        char *eq = strchr(buf[n], '=');
        assert_non_null(eq);
        *eq = '\0';
        keys[n] = buf[n];
        values[n] = eq + 1;
    }
    return gen_open(pattern, keys, values, n, seed, src, err);
}

static uint64_t fnv(uint64_t h, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        h ^= (v >> (8 * i)) & 0xff;
        h *= 0x100000001b3ull;
    }
    return h;
}

/* Everything a reader reproduces (not `line`). */
static uint64_t event_hash(uint64_t h, const tr_event *ev)
{
    h = fnv(h, ev->time_ns);
    h = fnv(h, ev->op);
    h = fnv(h, ev->actor);
    h = fnv(h, ev->dev);
    h = fnv(h, ev->handle);
    h = fnv(h, ev->has_handle);
    switch (ev->op) {
    case TR_MAP:
    case TR_ALLOC:
        h = fnv(h, ev->size);
        h = fnv(h, ev->op == TR_MAP ? ev->dir : 0);
        break;
    case TR_MAP_SG:
        h = fnv(h, ev->dir);
        for (uint32_t i = 0; i < ev->nsegs; i++)
            h = fnv(h, ev->seg_sizes[i]);
        break;
    case TR_READ:
    case TR_WRITE:
        h = fnv(h, ev->off);
        h = fnv(h, ev->len);
        break;
    default:
        break;
    }
    return h;
}

typedef struct summary {
    uint64_t events, hash;
} summary;

static summary drain(tr_source *src)
{
    summary s = {0, 0xcbf29ce484222325ull};
    tr_event ev;
    tr_error err;
    int rc;
    while ((rc = tr_next(src, &ev, &err)) == 1) {
        s.events++;
        s.hash = event_hash(s.hash, &ev);
    }
    if (rc < 0)
        fail_msg("%s", err.msg);
    return s;
}

static summary run(const char *pattern, uint64_t seed, const char *const *kv)
{
    tr_source src;
    tr_error err;
    if (open_kv(pattern, seed, kv, &src, &err))
        fail_msg("%s", err.msg);
    summary s = drain(&src);
    tr_close(&src);
    return s;
}

/* The reader's rules, stricter: a device access only through a live
 * mapping (generators never make stale DMA), and nothing left mapped at the
 * end unless allowed. Handles in these generators are small integers. */
#define MAX_HANDLES (1u << 16)

typedef struct checker {
    uint8_t state[MAX_HANDLES];     /* 0 never, 1 live, 2 dropped */
    uint8_t kind[MAX_HANDLES];      /* tr_op that made it */
    uint64_t size[MAX_HANDLES];
    uint64_t last_time;
    uint64_t live;
} checker;

static void check_event(checker *c, const tr_event *ev)
{
    assert_true(ev->time_ns >= c->last_time);
    c->last_time = ev->time_ns;
    assert_true(ev->has_handle);
    assert_true(ev->handle < MAX_HANDLES);
    uint64_t h = ev->handle;
    switch (ev->op) {
    case TR_MAP:
    case TR_ALLOC:
    case TR_MAP_SG:
        assert_int_not_equal(c->state[h], 1);
        c->state[h] = 1;
        c->kind[h] = (uint8_t)ev->op;
        c->live++;
        if (ev->op == TR_MAP_SG) {
            uint64_t sum = 0;
            assert_true(ev->nsegs >= 1 && ev->nsegs <= TR_MAX_SEGS);
            for (uint32_t i = 0; i < ev->nsegs; i++) {
                assert_true(ev->seg_sizes[i] > 0);
                sum += ev->seg_sizes[i];
            }
            assert_int_equal(sum, ev->size);
        }
        assert_true(ev->size > 0);
        c->size[h] = ev->size;
        break;
    case TR_UNMAP:
    case TR_FREE:
        assert_int_equal(c->state[h], 1);
        assert_int_equal(c->kind[h] == TR_ALLOC, ev->op == TR_FREE);
        c->state[h] = 2;
        c->live--;
        break;
    case TR_READ:
    case TR_WRITE:
        assert_int_equal(c->state[h], 1);
        assert_int_equal(ev->dev, ev->actor);
        assert_true(ev->len > 0);
        assert_true(ev->off + ev->len <= c->size[h]);
        break;
    default:
        fail();
    }
}

static void check_valid(const char *pattern, const char *const *kv, bool all_dropped)
{
    checker *c = calloc(1, sizeof *c);
    assert_non_null(c);
    tr_source src;
    tr_event ev;
    tr_error err;
    if (open_kv(pattern, 7, kv, &src, &err))
        fail_msg("%s", err.msg);
    int rc;
    while ((rc = tr_next(&src, &ev, &err)) == 1)
        check_event(c, &ev);
    assert_int_equal(rc, 0);
    if (all_dropped)
        assert_int_equal(c->live, 0);
    tr_close(&src);
    free(c);
}

/* Writes the generator's events as text and reads them back: the reader
 * applies every validation rule, and the events must come back equal. */
static void round_trip(const char *pattern, const char *const *kv)
{
    char dir[] = "/tmp/tcesim-gen-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/g.trace", dir);

    tr_source src;
    tr_error err;
    tr_writer *w;
    tr_event ev;
    if (open_kv(pattern, 3, kv, &src, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(tr_writer_open_text(path, NULL, 0, &w, &err), 0);
    summary wrote = {0, 0xcbf29ce484222325ull};
    int rc;
    while ((rc = tr_next(&src, &ev, &err)) == 1) {
        wrote.events++;
        wrote.hash = event_hash(wrote.hash, &ev);
        if (tr_writer_put(w, &ev, &err))
            fail_msg("%s", err.msg);
    }
    assert_int_equal(rc, 0);
    tr_close(&src);
    assert_int_equal(tr_writer_close(w, true, &err), 0);

    if (tr_open_text(path, &src, &err))
        fail_msg("%s", err.msg);
    summary read = drain(&src);
    tr_close(&src);
    assert_int_equal(read.events, wrote.events);
    assert_int_equal(read.hash, wrote.hash);
    unlink(path);
    rmdir(dir);
}

static bool near(double x, double want, double tol)
{
    return x > want - tol && x < want + tol;
}

static const char *err_of(const char *pattern, const char *const *kv)
{
    static tr_error err;
    tr_source src;
    memset(&err, 0, sizeof err);
    int rc = open_kv(pattern, 1, kv, &src, &err);
    assert_int_equal(rc, TCESIM_EINVAL);
    assert_null(src.ctx);
    return err.msg;
}

/* ------------------------------------------------------------- registry */

static void unknown_pattern_names_the_known_ones(void **state)
{
    assert_string_equal(err_of("nic", NULL),
                        "gen: unknown pattern 'nic' (known: window, nic-rx, nic-tx, nvme, gpu-bulk)");
    assert_int_equal(gen_npatterns(), 5);
    assert_string_equal(gen_pattern_name(0), "window");
    assert_null(gen_pattern_name(5));
}

static void unknown_key_names_pattern_key_and_the_known_keys(void **state)
{
    const char *kv[] = {"x=1", NULL};
    const char *msg = err_of("nic-rx", kv);
    assert_non_null(strstr(msg, "gen nic-rx: unknown key 'x' (known: queues, ring, packets, sizes, rate,"));
    assert_non_null(strstr(msg, "buffer"));
    assert_non_null(strstr(msg, ", seed)"));
    /* buffer is a receive key only */
    const char *kv2[] = {"buffer=4096", NULL};
    assert_non_null(strstr(err_of("nic-tx", kv2), "gen nic-tx: unknown key 'buffer'"));
}

static void bad_values_name_pattern_and_key(void **state)
{
    const char *a[] = {"queues=x", NULL};
    assert_string_equal(err_of("nic-rx", a), "gen nic-rx: queues: bad value 'x' (decimal or 0x hex)");
    const char *b[] = {"queues=0", NULL};
    assert_string_equal(err_of("nic-rx", b), "gen nic-rx: queues: 0 out of range (1..4096)");
    const char *c[] = {"read=1.5", NULL};
    assert_string_equal(err_of("nvme", c), "gen nvme: read: bad value '1.5'");
    const char *d[] = {"sizes=64:", NULL};
    assert_string_equal(err_of("nic-tx", d), "gen nic-tx: sizes: bad value '64:'");
    const char *e[] = {"sizes=0:1", NULL};
    assert_string_equal(err_of("nic-tx", e), "gen nic-tx: sizes: bad value '0:1'");
    const char *f[] = {"mode=pool", NULL};
    assert_string_equal(err_of("nic-rx", f), "gen nic-rx: mode: bad value 'pool'");
    const char *g[] = {"pattern=zigzag", NULL};
    assert_string_equal(err_of("window", g), "gen window: pattern: bad value 'zigzag'");
    const char *h[] = {"chunk=4Q", NULL};
    assert_string_equal(err_of("gpu-bulk", h),
                        "gen gpu-bulk: chunk: bad value '4Q' (decimal or 0x hex, or decimal with K, M, G or T)");
    const char *i[] = {"seed=-1", NULL};
    assert_string_equal(err_of("nvme", i), "gen nvme: seed: bad value '-1' (no sign: numbers are non-negative, decimal or 0x hex)");
    /* the one number grammar (models/common/numparse.h) */
    const char *k[] = {"queues=010", NULL};
    assert_string_equal(err_of("nic-rx", k), "gen nic-rx: queues: bad value '010' (decimal or 0x hex, no leading zeros)");
    const char *l[] = {"queues=\t4", NULL};
    assert_string_equal(err_of("nic-rx", l), "gen nic-rx: queues: bad value '\t4' (no whitespace around a number)");
    const char *m[] = {"chunk=4k", NULL};
    assert_string_equal(err_of("gpu-bulk", m),
                        "gen gpu-bulk: chunk: bad value '4k' (suffixes are K, M, G, T (powers of 1024), uppercase)");
    const char *n[] = {"read_ns=9223372036854776", NULL};
    assert_string_equal(err_of("nvme", n), "gen nvme: read_ns: '9223372036854776' too large (max 9223372036854775 ns: "
                                           "times stay below 2^63 ps)");
    const char *o[] = {"queues=4K", NULL};
    assert_string_equal(err_of("nic-rx", o), "gen nic-rx: queues: bad value '4K' (no suffix: not a byte count (decimal or 0x hex))");
    const char *j[] = {"device=4096", NULL};
    assert_string_equal(err_of("window", j), "gen window: device: 4096 out of range (0..4095)");
}

static void rules_between_keys_name_the_key(void **state)
{
    const char *a[] = {"sizes=9000:1", NULL};
    assert_non_null(strstr(err_of("nic-rx", a), "gen nic-rx: buffer: 2048 is smaller than the largest packet size (9000)"));
    const char *b[] = {"mode=page_pool", "sizes=64:1,9000:1", NULL};
    assert_non_null(strstr(err_of("nic-rx", b), "gen nic-rx: page_size:"));
    const char *c[] = {"seg_size=512", NULL};
    assert_non_null(strstr(err_of("nvme", c), "gen nvme: seg_size:"));
    /* get_order(size) >= 13 fails: with 64K pages, at most 256M */
    const char *d[] = {"buffer=512M", NULL};
    assert_non_null(strstr(err_of("gpu-bulk", d), "gen gpu-bulk: buffer:"));
    const char *d2[] = {"buffer=256M", "transfers=1", "transfer=1M", NULL};
    tr_source src;
    tr_error err;
    assert_int_equal(open_kv("gpu-bulk", 1, d2, &src, &err), 0);
    tr_close(&src);
    const char *d3[] = {"buffer=32M", "page_size=4K", NULL};
    assert_non_null(strstr(err_of("gpu-bulk", d3), "gen gpu-bulk: buffer:"));
    const char *e[] = {"chunk=3K", NULL};
    assert_non_null(strstr(err_of("gpu-bulk", e), "gen gpu-bulk: chunk: must divide buffer"));
    const char *f[] = {"window=32", NULL};
    assert_non_null(strstr(err_of("window", f), "gen window: window:"));
    const char *g[] = {"queues=8", "cpu=4090", NULL};
    assert_non_null(strstr(err_of("nvme", g), "gen nvme: queues:"));
}

static void describe_lists_every_pattern_and_key(void **state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    gen_describe(f);
    fclose(f);
    const char *want[] = {"window:", "nic-rx:", "nic-tx:", "nvme:", "gpu-bulk:", "pattern", "stride",
                          "1000000", "queues", "ring", "64:0.5,576:0.2,1500:0.3", "page_pool", "depth",
                          "4K:0.6,64K:0.3,1M:0.1", "seg_size", "buffers", "64M", "chunk", "seed"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(text, want[i]))
            fail_msg("gen_describe lacks '%s'", want[i]);
    free(text);
}

static void later_pairs_override_and_seed_key_overrides_the_argument(void **state)
{
    const char *a[] = {"ios=50", "ios=80", NULL};
    const char *b[] = {"ios=80", NULL};
    summary sa = run("nvme", 1, a), sb = run("nvme", 1, b);
    assert_int_equal(sa.hash, sb.hash);
    const char *c[] = {"ios=80", "seed=9", NULL};
    summary sc = run("nvme", 1, c), sd = run("nvme", 9, b);
    assert_int_equal(sc.hash, sd.hash);
}

/* --------------------------------------------------- every pattern, alike */

typedef struct case_ {
    const char *pattern;
    const char *kv[8];
    bool all_dropped;    /* window keeps its mapping for the run */
} case_;

static const case_ cases[] = {
    {"window", {"count=2000", NULL}, false},
    {"window", {"count=2000", "pattern=strided", "stride=12K", "op=write", NULL}, false},
    {"nic-rx", {"packets=3000", NULL}, true},
    {"nic-rx", {"packets=3000", "mode=page_pool", NULL}, true},
    {"nic-rx", {"packets=3000", "desc_size=0", "arrival=fixed", "ring=16", NULL}, true},
    {"nic-tx", {"packets=3000", NULL}, true},
    {"nic-tx", {"packets=3000", "mode=page_pool", "ring=8", NULL}, true},
    {"nic-tx", {"packets=3", "queues=8", NULL}, true},
    {"nvme", {"ios=300", NULL}, true},
    {"nvme", {"ios=300", "depth=1", "read=0", "seg_size=64K", NULL}, true},
    {"nvme", {"ios=3", "queues=8", NULL}, true},
    {"gpu-bulk", {"transfers=4", NULL}, true},
    {"gpu-bulk", {"transfers=3", "transfer=1000000", "buffer=1M", "chunk=64K", NULL}, true},
};
#define NCASES (sizeof cases / sizeof cases[0])

static void same_seed_same_events_other_seed_other_events(void **state)
{
    for (size_t i = 0; i < NCASES; i++) {
        summary a = run(cases[i].pattern, 11, cases[i].kv);
        summary b = run(cases[i].pattern, 11, cases[i].kv);
        summary c = run(cases[i].pattern, 12, cases[i].kv);
        assert_true(a.events > 0);
        assert_int_equal(a.events, b.events);
        assert_int_equal(a.hash, b.hash);
        if (strstr(cases[i].kv[1] ? cases[i].kv[1] : "", "strided"))
            continue; /* strided offsets do not depend on the seed */
        if (a.hash == c.hash)
            fail_msg("case %zu (%s): seed does not change the events", i, cases[i].pattern);
    }
}

static void events_obey_the_readers_rules_in_memory(void **state)
{
    for (size_t i = 0; i < NCASES; i++)
        check_valid(cases[i].pattern, cases[i].kv, cases[i].all_dropped);
}

static void events_round_trip_through_the_text_format(void **state)
{
    for (size_t i = 0; i < NCASES; i++)
        round_trip(cases[i].pattern, cases[i].kv);
}

static void defaults_are_valid_and_free_everything(void **state)
{
    const char *small_window[] = {"count=1000", NULL};
    check_valid("window", small_window, false);
    check_valid("nic-rx", NULL, true);
    check_valid("nic-tx", NULL, true);
    const char *pp[] = {"mode=page_pool", NULL};
    check_valid("nic-rx", pp, true);
    check_valid("nvme", NULL, true);
    check_valid("gpu-bulk", NULL, true);
}

/* ----------------------------------------------------------------- window */

static void window_is_the_builtin_workload(void **state)
{
    gen_window_params p = {
        .pattern = GEN_WINDOW_RANDOM, .stride = 4096, .window = 1 << 20, .size = 64,
        .op = TR_READ, .count = 1000000, .device = 0, .cpu = 0, .seed = 42,
    };
    tr_source a, b;
    tr_error err;
    assert_int_equal(gen_window_open(&p, &a, &err), 0);
    assert_int_equal(gen_open("window", NULL, NULL, 0, 42, &b, &err), 0);
    tr_event ea, eb;
    for (int i = 0; i < 5000; i++) {
        assert_int_equal(tr_next(&a, &ea, &err), 1);
        assert_int_equal(tr_next(&b, &eb, &err), 1);
        assert_int_equal(event_hash(0, &ea), event_hash(0, &eb));
    }
    tr_close(&a);
    tr_close(&b);
}

/* ----------------------------------------------------------------- nic */

typedef struct nic_stats {
    uint64_t maps, unmaps, allocs, frees, data, desc, setup_maps;
    uint64_t per_cpu_unmaps[16], per_cpu_maps[16];
    uint64_t size_count[3];           /* 64, 576, 1500 */
    uint64_t writes_per_handle[2048];
    uint64_t max_live;
    bool maps_after_zero;
    bool len_equals_mapped_size;
} nic_stats;

/* ring: the ring size the keys set (descriptor rings are handle q*(ring+1)) */
static void nic_collect(const char *pattern, const char *const *kv, uint64_t ring, nic_stats *st)
{
    static uint64_t mapped[2048];
    memset(st, 0, sizeof *st);
    st->len_equals_mapped_size = true;
    tr_source src;
    tr_event ev;
    tr_error err;
    if (open_kv(pattern, 5, kv, &src, &err))
        fail_msg("%s", err.msg);
    uint64_t live = 0;
    while (tr_next(&src, &ev, &err) == 1) {
        assert_true(ev.handle < 2048);
        switch (ev.op) {
        case TR_MAP:
            st->maps++;
            st->per_cpu_maps[ev.actor % 16]++;
            if (ev.time_ns == 0)
                st->setup_maps++;
            else
                st->maps_after_zero = true;
            mapped[ev.handle] = ev.size;
            if (++live > st->max_live)
                st->max_live = live;
            break;
        case TR_UNMAP:
            st->unmaps++;
            st->per_cpu_unmaps[ev.actor % 16]++;
            live--;
            break;
        case TR_ALLOC:
            st->allocs++;
            break;
        case TR_FREE:
            st->frees++;
            break;
        case TR_READ:
        case TR_WRITE:
            if (ev.len == 16 && ev.off % 16 == 0 && ev.handle % (ring + 1) == 0) {
                st->desc++;
                break;
            }
            st->data++;
            st->writes_per_handle[ev.handle]++;
            st->size_count[ev.len == 64 ? 0 : ev.len == 576 ? 1 : 2]++;
            if (ev.len != mapped[ev.handle])
                st->len_equals_mapped_size = false;
            break;
        default:
            break;
        }
    }
    tr_close(&src);
}

static void nic_sizes_follow_the_mix(void **state)
{
    const char *kv[] = {"packets=20000", NULL};
    nic_stats *st = calloc(1, sizeof *st);
    assert_non_null(st);
    nic_collect("nic-rx", kv, 256, st);
    assert_int_equal(st->data, 20000);
    assert_true(near(st->size_count[0] / 20000.0, 0.5, 0.02));
    assert_true(near(st->size_count[1] / 20000.0, 0.2, 0.02));
    assert_true(near(st->size_count[2] / 20000.0, 0.3, 0.02));
    const char *kv2[] = {"packets=20000", "sizes=64:1,1500:3", NULL};
    nic_collect("nic-tx", kv2, 256, st);
    assert_int_equal(st->size_count[1], 0);
    assert_true(near(st->size_count[2] / 20000.0, 0.75, 0.02));
    free(st);
}

static void nic_rx_streaming_maps_and_unmaps_every_packet_on_its_queues_cpu(void **state)
{
    const char *kv[] = {"packets=8000", "queues=4", "cpu=2", NULL};
    nic_stats *st = calloc(1, sizeof *st);
    assert_non_null(st);
    nic_collect("nic-rx", kv, 256, st);
    assert_int_equal(st->allocs, 4);
    assert_int_equal(st->frees, 4);
    assert_int_equal(st->desc, 8000);
    assert_int_equal(st->unmaps, 8000);
    /* one map per slot at start, then one refill per packet but the last
     * ring's worth */
    assert_int_equal(st->setup_maps, 4 * 256);
    assert_int_equal(st->maps, 8000);
    for (unsigned c = 0; c < 16; c++)
        assert_int_equal(st->per_cpu_unmaps[c], c >= 2 && c < 6 ? 2000 : 0);
    assert_true(st->max_live <= 4 * 256);
    free(st);
}

static void nic_page_pool_maps_once_per_slot_and_recycles(void **state)
{
    const char *kv[] = {"packets=20000", "mode=page_pool", "ring=64", NULL};
    nic_stats *st = calloc(1, sizeof *st);
    assert_non_null(st);
    nic_collect("nic-rx", kv, 64, st);
    assert_int_equal(st->maps, 4 * 64);
    assert_int_equal(st->setup_maps, 4 * 64);
    assert_false(st->maps_after_zero);
    assert_int_equal(st->unmaps, 4 * 64); /* at teardown only */
    assert_int_equal(st->data, 20000);
    /* every slot is reused packets / (queues x ring) = 78.125 times */
    for (unsigned q = 0; q < 4; q++)
        for (unsigned s = 0; s < 64; s++) {
            uint64_t n = st->writes_per_handle[q * 65 + 1 + s];
            assert_true(n == 78 || n == 79);
        }
    free(st);
}

static void nic_tx_streaming_maps_each_packet_at_its_size(void **state)
{
    const char *kv[] = {"packets=4000", NULL};
    nic_stats *st = calloc(1, sizeof *st);
    assert_non_null(st);
    nic_collect("nic-tx", kv, 256, st);
    assert_int_equal(st->setup_maps, 0);
    assert_int_equal(st->maps, 4000);
    assert_int_equal(st->unmaps, 4000);
    assert_true(st->len_equals_mapped_size);
    free(st);
}

static void nic_full_ring_holds_packets_back(void **state)
{
    /* a device far slower than the arrivals: the ring fills, never more
     * than ring packets are in flight per queue */
    const char *kv[] = {"packets=2000", "ring=8", "rate=1000000", "bandwidth=10M", "mode=streaming", NULL};
    nic_stats *st = calloc(1, sizeof *st);
    assert_non_null(st);
    nic_collect("nic-tx", kv, 8, st);
    assert_true(st->max_live <= 4 * 8);
    assert_int_equal(st->unmaps, 2000);
    free(st);
    check_valid("nic-tx", kv, true);
    const char *kv2[] = {"packets=2000", "ring=8", "rate=1000000", "bandwidth=10M", NULL};
    check_valid("nic-rx", kv2, true);
}

/* ----------------------------------------------------------------- nvme */

static void nvme_maps_each_io_as_pages_and_moves_it_the_right_way(void **state)
{
    const char *kv[] = {"ios=4000", "queues=4", "depth=8", NULL};
    tr_source src;
    tr_event ev;
    tr_error err;
    assert_int_equal(open_kv("nvme", 2, kv, &src, &err), 0);
    uint64_t ios = 0, reads = 0, size_count[3] = {0}, per_cpu[4] = {0}, allocs = 0, frees = 0;
    uint64_t live[4] = {0}, max_live = 0;
    static uint8_t dir[4096];
    uint64_t wrong_way = 0, data_ops = 0;
    while (tr_next(&src, &ev, &err) == 1) {
        switch (ev.op) {
        case TR_MAP_SG:
            ios++;
            assert_true(ev.actor < 4);
            per_cpu[ev.actor]++;
            assert_int_equal(ev.nsegs, (ev.size + 4095) / 4096);
            for (uint32_t i = 0; i < ev.nsegs; i++)
                assert_int_equal(ev.seg_sizes[i], 4096);
            size_count[ev.size == 4096 ? 0 : ev.size == 65536 ? 1 : 2]++;
            if (ev.size != 4096 && ev.size != 65536)
                assert_int_equal(ev.size, 1 << 20);
            reads += ev.dir == TR_DIR_FROM_DEVICE;
            dir[ev.handle] = (uint8_t)ev.dir;
            if (++live[ev.actor] > max_live)
                max_live = live[ev.actor];
            break;
        case TR_UNMAP:
            live[ev.actor]--;
            break;
        case TR_ALLOC:
            allocs++;
            break;
        case TR_FREE:
            frees++;
            break;
        case TR_READ:
        case TR_WRITE:
            if (ev.handle % 10 < 2)
                break; /* SQ, CQ */
            data_ops++;
            assert_int_equal(ev.len, 4096);
            wrong_way += (ev.op == TR_WRITE) != (dir[ev.handle] == TR_DIR_FROM_DEVICE);
            break;
        default:
            break;
        }
    }
    tr_close(&src);
    assert_int_equal(ios, 4000);
    assert_int_equal(allocs, 8);
    assert_int_equal(frees, 8);
    for (unsigned c = 0; c < 4; c++)
        assert_int_equal(per_cpu[c], 1000);
    assert_true(max_live <= 8);
    assert_true(data_ops > ios);
    assert_int_equal(wrong_way, 0);
    assert_true(near(reads / 4000.0, 0.7, 0.03));
    assert_true(near(size_count[0] / 4000.0, 0.6, 0.03));
    assert_true(near(size_count[1] / 4000.0, 0.3, 0.03));
    assert_true(near(size_count[2] / 4000.0, 0.1, 0.02));
}

static void nvme_segments_of_a_partial_page_end_short(void **state)
{
    const char *kv[] = {"ios=20", "sizes=10000:1", NULL};
    tr_source src;
    tr_event ev;
    tr_error err;
    assert_int_equal(open_kv("nvme", 2, kv, &src, &err), 0);
    while (tr_next(&src, &ev, &err) == 1) {
        if (ev.op != TR_MAP_SG)
            continue;
        assert_int_equal(ev.nsegs, 3);
        assert_int_equal(ev.seg_sizes[0], 4096);
        assert_int_equal(ev.seg_sizes[1], 4096);
        assert_int_equal(ev.seg_sizes[2], 10000 - 8192);
    }
    tr_close(&src);
}

/* ------------------------------------------------------------------ gpu */

static void gpu_allocates_few_buffers_and_streams_through_them(void **state)
{
    const char *kv[] = {"transfers=6", "buffer=4M", "transfer=3M", "chunk=256K", NULL};
    tr_source src;
    tr_event ev;
    tr_error err;
    assert_int_equal(open_kv("gpu-bulk", 4, kv, &src, &err), 0);
    uint64_t allocs = 0, frees = 0, ops = 0, last_op_time = 0, in_transfer = 0, prev_off = 0;
    uint64_t prev_h = UINT64_MAX;
    while (tr_next(&src, &ev, &err) == 1) {
        switch (ev.op) {
        case TR_ALLOC:
            assert_int_equal(ev.time_ns, 0);
            assert_int_equal(ev.size, 4 << 20);
            allocs++;
            break;
        case TR_FREE:
            assert_true(ev.time_ns > last_op_time);
            frees++;
            break;
        case TR_READ:
        case TR_WRITE:
            ops++;
            last_op_time = ev.time_ns;
            assert_int_equal(ev.len, 256 << 10);
            if (in_transfer > 0) {
                /* sequential, wrapping within the buffer */
                assert_int_equal(ev.handle, prev_h);
                assert_int_equal(ev.off, (prev_off + (256 << 10)) % (4 << 20));
            }
            prev_h = ev.handle;
            prev_off = ev.off;
            in_transfer = (in_transfer + 1) % 12;
            break;
        default:
            fail();
        }
    }
    tr_close(&src);
    assert_int_equal(allocs, 4);
    assert_int_equal(frees, 4);
    assert_int_equal(ops, 6 * 12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unknown_pattern_names_the_known_ones),
        cmocka_unit_test(unknown_key_names_pattern_key_and_the_known_keys),
        cmocka_unit_test(bad_values_name_pattern_and_key),
        cmocka_unit_test(rules_between_keys_name_the_key),
        cmocka_unit_test(describe_lists_every_pattern_and_key),
        cmocka_unit_test(later_pairs_override_and_seed_key_overrides_the_argument),
        cmocka_unit_test(same_seed_same_events_other_seed_other_events),
        cmocka_unit_test(events_obey_the_readers_rules_in_memory),
        cmocka_unit_test(events_round_trip_through_the_text_format),
        cmocka_unit_test(defaults_are_valid_and_free_everything),
        cmocka_unit_test(window_is_the_builtin_workload),
        cmocka_unit_test(nic_sizes_follow_the_mix),
        cmocka_unit_test(nic_rx_streaming_maps_and_unmaps_every_packet_on_its_queues_cpu),
        cmocka_unit_test(nic_page_pool_maps_once_per_slot_and_recycles),
        cmocka_unit_test(nic_tx_streaming_maps_each_packet_at_its_size),
        cmocka_unit_test(nic_full_ring_holds_packets_back),
        cmocka_unit_test(nvme_maps_each_io_as_pages_and_moves_it_the_right_way),
        cmocka_unit_test(nvme_segments_of_a_partial_page_end_short),
        cmocka_unit_test(gpu_allocates_few_buffers_and_streams_through_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
