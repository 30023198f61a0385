/* Per-process scratch files for the fuzz harnesses: the trace readers and
 * the importer take paths, so each input is written to a file first.
 *
 * Contract: fuzz_tmp_path() names one file per (process, suffix) under
 * $TMPDIR, else /dev/shm (tmpfs: no disk I/O per iteration), else /tmp; the
 * name is built once and reused by every iteration, so nothing is allocated
 * per input. The files are removed at exit (a crash may leave one behind:
 * the name carries the pid, so concurrent fuzzers never share one).
 * Header-only: each harness is one translation unit. */
#ifndef TCESIM_FUZZ_TMPFILE_H
#define TCESIM_FUZZ_TMPFILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outfile.h"

#define FUZZ_TMP_MAX 8       /* distinct suffixes a harness may use */
#define FUZZ_PATH_LEN 512

static char fuzz_tmp_paths[FUZZ_TMP_MAX][FUZZ_PATH_LEN];
static unsigned fuzz_tmp_count;

static void fuzz_tmp_cleanup(void)
{
    for (unsigned i = 0; i < fuzz_tmp_count; i++) {
        unlink(fuzz_tmp_paths[i]);
        /* A writer that failed half-way removes its temp file itself;
         * this is for one interrupted by the exit. */
        of_remove_temps(fuzz_tmp_paths[i]);
    }
}

/* The scratch path for this process ending in suffix (".trace", ".bin.zst").
 * Aborts when more than FUZZ_TMP_MAX suffixes are asked for: a harness bug,
 * not an input's. */
static const char *fuzz_tmp_path(const char *name, const char *suffix)
{
    for (unsigned i = 0; i < fuzz_tmp_count; i++) {
        size_t n = strlen(fuzz_tmp_paths[i]), s = strlen(suffix);
        if (n >= s && strcmp(fuzz_tmp_paths[i] + n - s, suffix) == 0 &&
            strstr(fuzz_tmp_paths[i], name))
            return fuzz_tmp_paths[i];
    }
    if (fuzz_tmp_count == FUZZ_TMP_MAX)
        abort();
    if (fuzz_tmp_count == 0)
        atexit(fuzz_tmp_cleanup);
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    char *p = fuzz_tmp_paths[fuzz_tmp_count++];
    snprintf(p, FUZZ_PATH_LEN, "%s/tcesim-fuzz-%s-%ld%s", dir, name, (long)getpid(), suffix);
    return p;
}

/* Writes data to path, replacing it. Aborts when the scratch file cannot be
 * written (the environment's fault, and a silent skip would fuzz nothing). */
static void fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

#endif
