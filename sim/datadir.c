/* dladdr is a GNU extension (glibc <dlfcn.h>). */
#define _GNU_SOURCE
#include "datadir.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The directory part of path, in place ("" when it has no slash). */
static void dirname_inplace(char *path)
{
    char *slash = strrchr(path, '/');
    if (slash)
        *slash = 0;
    else
        path[0] = 0;
}

static int try_path(char *out, size_t outlen, const char *dir, const char *mid, const char *rel)
{
    if (!dir || !*dir)
        return -1;
    snprintf(out, outlen, "%s%s/%s", dir, mid, rel);
    return access(out, R_OK) == 0 ? 0 : -1;
}

static int try_dir(char *out, size_t outlen, const char *dir, const char *rel)
{
    static const char *const mids[] = {"", "/..", "/../share/tcesim"};
    for (size_t i = 0; i < sizeof mids / sizeof mids[0]; i++)
        if (try_path(out, outlen, dir, mids[i], rel) == 0)
            return 0;
    return -1;
}

int tcesim_find_data(const char *rel, char *out, size_t outlen)
{
    const char *env = getenv("TCESIM_DATADIR");
    if (env && *env && try_path(out, outlen, env, "", rel) == 0)
        return 0;
    char dir[PATH_MAX];
    Dl_info info;
    if (dladdr((void *)&tcesim_find_data, &info) && info.dli_fname && info.dli_fname[0] == '/') {
        snprintf(dir, sizeof dir, "%s", info.dli_fname);
        dirname_inplace(dir);
        if (try_dir(out, outlen, dir, rel) == 0)
            return 0;
    }
    ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
    if (n > 0) {
        dir[n] = 0;
        dirname_inplace(dir);
        if (try_dir(out, outlen, dir, rel) == 0)
            return 0;
    }
    if (try_path(out, outlen, ".", "", rel) == 0)
        return 0;
    return try_path(out, outlen, TCESIM_SOURCE_DIR, "", rel);
}
