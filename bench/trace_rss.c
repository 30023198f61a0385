/* Helper for scripts/trace_rss.sh (and by hand):
 *   tcesim_trace_rss gen N FILE   writes a window trace of N events (one map,
 *                                 N-1 random 64 B reads over 1 GiB) to FILE,
 *                                 any format by its name (.bin, .bin.zst, ...)
 *   tcesim_trace_rss read FILE    reads FILE to the end through tr_open and
 *                                 prints "events=N maxrss_kib=K seconds=S"
 * Peak RSS is getrusage(RUSAGE_SELF).ru_maxrss: what a replay's reader
 * costs, since it holds no events. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "gen_window.h"
#include "trace.h"

static int gen(uint64_t n, const char *path)
{
    gen_window_params p = { .pattern = GEN_WINDOW_RANDOM, .window = UINT64_C(1) << 30,
                            .size = 64, .op = TR_READ, .count = n ? n - 1 : 0, .seed = 1 };
    tr_source src;
    tr_writer *w;
    tr_event ev;
    tr_error err;
    int rc = gen_window_open(&p, &src, &err);
    if (!rc)
        rc = tr_writer_open(path, NULL, 0, &w, &err);
    if (rc) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    while ((rc = tr_next(&src, &ev, &err)) == 1)
        if ((rc = tr_writer_put(w, &ev, &err)))
            break;
    tr_close(&src);
    if (tr_writer_close(w, rc == 0, rc ? NULL : &err) || rc) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    return 0;
}

static int readall(const char *path)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    tr_source src;
    tr_event ev;
    tr_error err;
    uint64_t n = 0, sum = 0;
    int rc = tr_open(path, &src, &err);
    if (!rc) {
        while ((rc = tr_next(&src, &ev, &err)) == 1) {
            n++;
            sum += ev.off;
        }
        tr_close(&src);
    }
    if (rc) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("events=%" PRIu64 " maxrss_kib=%ld seconds=%.3f (checksum %" PRIu64 ")\n", n,
           ru.ru_maxrss, s, sum);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "gen") == 0)
        return gen(strtoull(argv[2], NULL, 10), argv[3]);
    if (argc == 3 && strcmp(argv[1], "read") == 0)
        return readall(argv[2]);
    fprintf(stderr, "usage: %s gen N FILE | read FILE\n", argv[0]);
    return 2;
}
