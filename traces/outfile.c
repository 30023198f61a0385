/* Output files that never destroy anything; outfile.h has the rules. */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/tcesim_err.h"

#ifndef NAME_MAX
#define NAME_MAX 255
#endif

enum of_kind {
    OF_ATOMIC,  /* a regular file or nothing: temp file + rename */
    OF_DIRECT,  /* an existing FIFO, device, ...: written straight */
    OF_STDOUT,  /* fd 1 */
};

struct of_file {
    int fd;
    enum of_kind kind;
    char *path;   /* as given, for messages */
    char *final;  /* OF_ATOMIC: the resolved target the rename replaces */
    char *tmp;    /* OF_ATOMIC: the temp file */
    int errnum;   /* errno of the first failure, 0 while none */
    int live;     /* OF_ATOMIC: its slot in g_live, -1 when none */
};

/* ---- Interrupts ----
 * Every temp file being written is listed in a fixed table that a signal
 * handler can read without locks or allocation (POSIX async-signal-safe:
 * atomic loads, unlink, sigaction, raise). A slot goes FREE -> FILLING (its
 * path being copied, invisible to the handler) -> LIVE, and back to FREE
 * once the temp is renamed or removed. More outputs open at once than
 * slots: the extra ones are not removed on a signal (a later run removes
 * them as stale, see is_dead_temp). */
enum { SLOT_FREE, SLOT_FILLING, SLOT_LIVE };
#define OF_LIVE_SLOTS 32
static struct {
    atomic_int state;
    char path[PATH_MAX];
} g_live[OF_LIVE_SLOTS];
/* The process that installed the handler: a child forked before its exec
 * inherits the handler and the table, and must not remove its parent's
 * temp files. */
static volatile pid_t g_owner;
/* When this process started (a constructor, before any output): a temp file
 * modified since is some running writer's, never stale. */
static struct timespec g_started;
static void (*g_note)(const char *line);

__attribute__((constructor)) static void record_start(void) { clock_gettime(CLOCK_REALTIME, &g_started); }

static int live_add(const char *tmp)
{
    size_t n = strlen(tmp);
    if (n >= PATH_MAX)
        return -1;
    for (int i = 0; i < OF_LIVE_SLOTS; i++) {
        int expect = SLOT_FREE;
        if (atomic_compare_exchange_strong(&g_live[i].state, &expect, SLOT_FILLING)) {
            memcpy(g_live[i].path, tmp, n + 1);
            atomic_store(&g_live[i].state, SLOT_LIVE);
            return i;
        }
    }
    return -1;
}

static void live_drop(int slot)
{
    if (slot >= 0)
        atomic_store(&g_live[slot].state, SLOT_FREE);
}

static void on_signal(int sig)
{
    int saved = errno;
    if (getpid() == g_owner)
        for (int i = 0; i < OF_LIVE_SLOTS; i++)
            if (atomic_load(&g_live[i].state) == SLOT_LIVE)
                unlink(g_live[i].path);
    errno = saved;
    /* SA_RESETHAND restored the default action and SA_NODEFER left the
     * signal unblocked: re-raising ends the process as the signal would
     * have (the shell sees 128 + sig). */
    raise(sig);
}

void of_install_signal_cleanup(void (*note)(const char *line))
{
    g_note = note;
    g_owner = getpid();
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old;
        /* An ignored signal stays ignored (nohup, a shell's background job). */
        if (sigaction(sigs[i], NULL, &old) != 0 || old.sa_handler == SIG_IGN)
            continue;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESETHAND | SA_NODEFER;
        sigaction(sigs[i], &sa, NULL);
    }
}

bool of_signal_cleanup_handler(int sig)
{
    struct sigaction cur;
    return sigaction(sig, NULL, &cur) == 0 && cur.sa_handler == on_signal;
}

/* The errno of the last failed write to standard output through an
 * of_file, for of_stdout_close's message. */
static int g_stdout_errno;

static int seterr(char *msg, size_t cap, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int seterr(char *msg, size_t cap, int code, const char *fmt, ...)
{
    if (msg && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, cap, fmt, ap);
        va_end(ap);
    }
    return code;
}

static char *join(const char *dir, const char *base)
{
    size_t d = strlen(dir), b = strlen(base);
    bool slash = d > 0 && dir[d - 1] == '/';
    char *s = malloc(d + b + 2);
    if (!s)
        return NULL;
    memcpy(s, dir, d);
    if (!slash)
        s[d++] = '/';
    memcpy(s + d, base, b + 1);
    return s;
}

/* Splits path into a malloc'd directory ("." when none) and a pointer to
 * its last component (empty after a trailing slash). */
static char *dir_of(const char *path, const char **base)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        *base = path;
        return strdup(".");
    }
    *base = slash + 1;
    if (slash == path)
        return strdup("/");
    size_t n = (size_t)(slash - path);
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, path, n);
        d[n] = 0;
    }
    return d;
}

/* Where an output at path goes. *final (malloc'd) is the file an atomic
 * write replaces (links resolved) or, for OF_DIRECT, the path to open.
 * *exists and *st say what stat(path) found. A path whose directory cannot
 * be resolved keeps its lexical form: opening the temp file there reports
 * the real error. Returns 0, TCESIM_EINVAL ("PATH: Is a directory"),
 * TCESIM_EIO or TCESIM_ENOMEM. */
static int resolve(const char *path, enum of_kind *kind, char **final, struct stat *st, bool *exists,
                   char *msg, size_t cap)
{
    *final = NULL;
    *exists = false;
    *kind = OF_ATOMIC;
    if (!*path)
        return seterr(msg, cap, TCESIM_EINVAL, "empty output path");
    /* "-" is standard output where a command says so (run --json -), and it
     * calls of_open_stdout; anywhere else a file named "-" would be a
     * surprise (./- names one). */
    if (!strcmp(path, "-"))
        return seterr(msg, cap, TCESIM_EINVAL, "-: standard output is not an output here: give a file (./- for a file named -)");
    if (stat(path, st) == 0) {
        *exists = true;
        if (S_ISDIR(st->st_mode))
            return seterr(msg, cap, TCESIM_EINVAL, "%s: %s", path, strerror(EISDIR));
        if (!S_ISREG(st->st_mode)) {
            *kind = OF_DIRECT;
            *final = strdup(path);
        } else if (!(*final = realpath(path, NULL))) {
            return seterr(msg, cap, TCESIM_EIO, "%s: %s", path, strerror(errno));
        }
        return *final ? 0 : seterr(msg, cap, TCESIM_ENOMEM, "%s: out of memory", path);
    }
    /* Nothing there, or a dangling link: follow the links by hand to the
     * name that will be created, as open(O_CREAT) would. 40 hops is
     * Linux's limit (MAXSYMLINKS). */
    char *cur = strdup(path);
    for (int hops = 0; cur; hops++) {
        struct stat ls;
        if (lstat(cur, &ls) != 0 || !S_ISLNK(ls.st_mode))
            break;
        if (hops == 40) {
            free(cur);
            return seterr(msg, cap, TCESIM_EIO, "%s: %s", path, strerror(ELOOP));
        }
        char buf[PATH_MAX];
        ssize_t k = readlink(cur, buf, sizeof buf - 1);
        if (k < 0) {
            int e = errno;
            free(cur);
            return seterr(msg, cap, TCESIM_EIO, "%s: %s", path, strerror(e));
        }
        buf[k] = 0;
        char *next;
        if (buf[0] == '/') {
            next = strdup(buf);
        } else {
            const char *b;
            char *d = dir_of(cur, &b);
            next = d ? join(d, buf) : NULL;
            free(d);
        }
        free(cur);
        cur = next;
    }
    if (!cur)
        return seterr(msg, cap, TCESIM_ENOMEM, "%s: out of memory", path);
    const char *base;
    char *dir = dir_of(cur, &base);
    if (!dir) {
        free(cur);
        return seterr(msg, cap, TCESIM_ENOMEM, "%s: out of memory", path);
    }
    if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) {
        free(dir);
        free(cur);
        return seterr(msg, cap, TCESIM_EINVAL, "%s: %s", path, strerror(EISDIR));
    }
    char *rdir = realpath(dir, NULL);
    if (rdir) {
        *final = join(rdir, base);
        free(cur);
    } else {
        *final = cur;
    }
    free(rdir);
    free(dir);
    return *final ? 0 : seterr(msg, cap, TCESIM_ENOMEM, "%s: out of memory", path);
}

/* splitmix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014), seeded per thread from the clock, the pid and
 * an address: temp names need to be hard to predict for one run, not
 * cryptographic (exclusive creation is what makes them safe). */
static uint64_t next_random(void)
{
    static _Thread_local uint64_t state;
    if (!state) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        state = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ ((uint64_t)getpid() << 17) ^
                (uint64_t)(uintptr_t)&state;
    }
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static size_t temp_prefix(const char *base, char *out, size_t cap);
/* What scan_temps_in does with the temp files of one target: counts every
 * name of the pattern, or removes tcesim's own dead ones (is_dead_temp),
 * those older than this process only or any age (a sweep's). */
enum scan_mode { SCAN_COUNT, SCAN_REMOVE_DEAD, SCAN_REMOVE_STALE };
static int scan_temps_in(const char *dir, const char *prefix, enum scan_mode mode);

/* The temp name's last OF_TMP_CHECK characters are a check of the rest of
 * the name (FNV-1a, Fowler/Noll/Vo), so that a temp file tcesim made can be
 * told from a file someone planted at a name of the same pattern (1 in
 * 62^2 of those pass): only tcesim's own are ever removed as stale. */
static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
#define OF_ALPHABET_N (sizeof kAlphabet - 1)
#define OF_TMP_CHECK 2

/* The OF_TMP_CHECK check characters of name's first n characters. */
static void check_chars(const char *name, size_t n, char out[OF_TMP_CHECK])
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)name[i]) * 0x100000001b3ull;
    for (int i = 0; i < OF_TMP_CHECK; i++, h /= OF_ALPHABET_N)
        out[i] = kAlphabet[h % OF_ALPHABET_N];
}

/* name ends in OF_TMP_RANDOM - OF_TMP_CHECK random characters: appends the
 * check (name has room for it). */
static void sign_temp(char *name)
{
    size_t n = strlen(name);
    check_chars(name, n, name + n);
    name[n + OF_TMP_CHECK] = 0;
}

static bool signed_temp(const char *name)
{
    size_t n = strlen(name);
    char c[OF_TMP_CHECK];
    if (n < OF_TMP_CHECK)
        return false;
    check_chars(name, n - OF_TMP_CHECK, c);
    return !memcmp(c, name + n - OF_TMP_CHECK, OF_TMP_CHECK);
}

/* Creates the temp file next to f->final: ".NAME.tcesim-XXXXXX", NAME cut
 * so that the whole name fits NAME_MAX; first, with clean, removes the
 * stale temps of the same target (a probe, check_output, does not: the
 * open that follows does, once). */
static int open_temp(of_file *f, bool clean, char *msg, size_t cap)
{
    const char *base;
    char *dir = dir_of(f->final, &base);
    if (!dir)
        return seterr(msg, cap, TCESIM_ENOMEM, "%s: out of memory", f->path);
    char prefix[NAME_MAX + 1], name[NAME_MAX + 1 + OF_TMP_RANDOM + 1];
    temp_prefix(base, prefix, sizeof prefix);
    if (clean)
        scan_temps_in(dir, prefix, SCAN_REMOVE_STALE);
    int rc = 0;
    for (int attempt = 0;; attempt++) {
        uint64_t r = next_random();
        char suffix[OF_TMP_RANDOM + 1];
        for (int i = 0; i < OF_TMP_RANDOM - OF_TMP_CHECK; i++, r /= OF_ALPHABET_N)
            suffix[i] = kAlphabet[r % OF_ALPHABET_N];
        suffix[OF_TMP_RANDOM - OF_TMP_CHECK] = 0;
        snprintf(name, sizeof name, "%s%s", prefix, suffix);
        sign_temp(name);
        free(f->tmp);
        if (!(f->tmp = join(dir, name))) {
            rc = seterr(msg, cap, TCESIM_ENOMEM, "%s: out of memory", f->path);
            break;
        }
        /* O_EXCL | O_NOFOLLOW: whatever is at this name (a file, a planted
         * link) is left alone and another name tried. */
        f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (f->fd >= 0) {
            /* Held until the process ends: the lock is what tells a later
             * run that this temp file's writer is alive (is_dead_temp). A
             * file system without locks: the temp is never taken for stale. */
            (void)flock(f->fd, LOCK_EX | LOCK_NB);
            f->live = live_add(f->tmp);
            break;
        }
        if (errno != EEXIST || attempt == 100) {
            int e = errno;
            free(f->tmp);
            f->tmp = NULL;
            rc = seterr(msg, cap, TCESIM_EIO, "%s: %s", f->path, strerror(e));
            break;
        }
    }
    free(dir);
    return rc;
}

static void of_free(of_file *f)
{
    free(f->path);
    free(f->final);
    free(f->tmp);
    free(f);
}

int of_open(const char *path, of_file **out, char *msg, size_t cap)
{
    *out = NULL;
    of_file *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path))) {
        free(f);
        return seterr(msg, cap, TCESIM_ENOMEM, "%s: out of memory", path);
    }
    f->fd = -1;
    f->live = -1;
    struct stat st;
    bool exists;
    int rc = resolve(path, &f->kind, &f->final, &st, &exists, msg, cap);
    struct stat so;
    if (!rc && exists && fstat(STDOUT_FILENO, &so) == 0 && so.st_dev == st.st_dev && so.st_ino == st.st_ino) {
        /* The file standard output goes to (--json /dev/stdout, stdout
         * redirected to a file or a pipe): written through fd 1, after and
         * in order with whatever went there, never replaced. */
        f->kind = OF_DIRECT;
        if (fflush(stdout) != 0 || (f->fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)) < 0)
            rc = seterr(msg, cap, TCESIM_EIO, "%s: %s", path, strerror(errno));
    } else if (!rc && f->kind == OF_DIRECT) {
        /* No O_CREAT, no O_TRUNC: a FIFO or a device is written, never
         * replaced. A FIFO's open waits for its reader, as any writer's. */
        f->fd = open(f->final, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (f->fd < 0)
            rc = seterr(msg, cap, TCESIM_EIO, "%s: %s", path, strerror(errno));
    } else if (!rc) {
        rc = open_temp(f, true, msg, cap);
    }
    if (rc) {
        of_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

int of_open_stdout(of_file **out, char *msg, size_t cap)
{
    *out = NULL;
    of_file *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup("stdout"))) {
        free(f);
        return seterr(msg, cap, TCESIM_ENOMEM, "stdout: out of memory");
    }
    f->fd = STDOUT_FILENO;
    f->kind = OF_STDOUT;
    if (fflush(stdout) != 0) {
        f->errnum = g_stdout_errno = errno;
        int rc = seterr(msg, cap, TCESIM_EIO, "stdout: %s", strerror(f->errnum));
        of_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

/* Records the first failure (sticky); standard output's also for
 * of_stdout_close. */
static void of_set_failed(of_file *f, int errnum)
{
    if (!f->errnum)
        f->errnum = errnum ? errnum : EIO;
    if (f->kind == OF_STDOUT)
        g_stdout_errno = f->errnum;
}

int of_write(of_file *f, const void *data, size_t n, char *msg, size_t cap)
{
    if (f->errnum)
        return seterr(msg, cap, TCESIM_EIO, "%s: %s", f->path, strerror(f->errnum));
    const char *p = data;
    while (n) {
        ssize_t r = write(f->fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            of_set_failed(f, r < 0 ? errno : EIO);
            return seterr(msg, cap, TCESIM_EIO, "%s: %s", f->path, strerror(f->errnum));
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

int of_close(of_file *f, bool commit, char *msg, size_t cap)
{
    if (!f)
        return 0;
    int rc = 0;
    if (commit && f->errnum)
        rc = seterr(msg, cap, TCESIM_EIO, "%s: %s", f->path, strerror(f->errnum));
    /* Linux closes the descriptor even when close fails with EINTR; only
     * a real error (EIO, ENOSPC, EDQUOT from a deferred write) counts. */
    if (f->kind != OF_STDOUT && f->fd >= 0 && close(f->fd) != 0 && errno != EINTR && commit && !rc) {
        of_set_failed(f, errno);
        rc = seterr(msg, cap, TCESIM_EIO, "%s: %s", f->path, strerror(f->errnum));
    }
    if (f->kind == OF_ATOMIC) {
        if (commit && !rc && rename(f->tmp, f->final) != 0)
            rc = seterr(msg, cap, TCESIM_EIO, "%s: %s", f->path, strerror(errno));
        if (!commit || rc)
            unlink(f->tmp);
        /* After the rename or unlink: a signal in between finds the temp
         * listed and at worst unlinks a name that is gone. */
        live_drop(f->live);
    }
    of_free(f);
    return rc;
}

bool of_failed(const of_file *f) { return f->errnum != 0; }
int of_fd(const of_file *f) { return f->fd; }
const char *of_path(const of_file *f) { return f->path; }

int of_write_file(const char *path, const void *data, size_t n, char *msg, size_t cap)
{
    of_file *f;
    int rc = of_open(path, &f, msg, cap);
    if (rc)
        return rc;
    rc = of_write(f, data, n, msg, cap);
    int crc = of_close(f, rc == 0, rc ? NULL : msg, rc ? 0 : cap);
    return rc ? rc : crc;
}

/* The temp name's prefix for a target basename: ".NAME" OF_TMP_TAG, NAME
 * cut as open_temp cuts it. */
static size_t temp_prefix(const char *base, char *out, size_t cap)
{
    size_t keep = strlen(base);
    size_t room = NAME_MAX - 1 - (sizeof OF_TMP_TAG - 1) - OF_TMP_RANDOM;
    if (keep > room)
        keep = room;
    int n = snprintf(out, cap, ".%.*s%s", (int)keep, base, OF_TMP_TAG);
    return n < 0 ? 0 : (size_t)n;
}

static int scan_temps(const char *path, enum scan_mode mode)
{
    const char *base;
    char *dir = dir_of(path, &base);
    if (!dir)
        return 0;
    char prefix[NAME_MAX + 1];
    temp_prefix(base, prefix, sizeof prefix);
    int n = scan_temps_in(dir, prefix, mode);
    free(dir);
    return n;
}

static void note_removed(const char *p, long long bytes)
{
    if (!g_note)
        return;
    char line[PATH_MAX + 128];
    snprintf(line, sizeof line, "%s: removed, a temp file an interrupted run left (%lld bytes)", p, bytes);
    g_note(line);
}

/* Whether p (named name) is a temp file tcesim made whose writer is gone:
 * its name's check right (sign_temp), a regular file of this user, nobody
 * holding its lock (flock is released when the process dies, SIGKILL
 * included) and, with check_age, last modified before this process started
 * (a writer that has created its temp but not yet locked it is younger than
 * that; a sweep, which holds its directory's lock, removes its own points'
 * temps without it). *bytes: its size. */
static bool is_dead_temp(const char *p, const char *name, bool check_age, long long *bytes)
{
    if (!signed_temp(name))
        return false;
    int fd = open(p, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st, lst;
    bool dead = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
                (!check_age || st.st_mtim.tv_sec < g_started.tv_sec ||
                 (st.st_mtim.tv_sec == g_started.tv_sec && st.st_mtim.tv_nsec < g_started.tv_nsec)) &&
                flock(fd, LOCK_EX | LOCK_NB) == 0 && lstat(p, &lst) == 0 && lst.st_dev == st.st_dev &&
                lst.st_ino == st.st_ino;
    if (dead)
        *bytes = (long long)st.st_size;
    close(fd);
    return dead;
}

/* The temp files of one target are dir/prefix + OF_TMP_RANDOM characters.
 * Returns how many were counted or removed. O(entries in dir). */
static int scan_temps_in(const char *dir, const char *prefix, enum scan_mode mode)
{
    size_t np = strlen(prefix);
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (strlen(e->d_name) != np + OF_TMP_RANDOM || strncmp(e->d_name, prefix, np) != 0)
            continue;
        if (mode == SCAN_COUNT) {
            n++;
            continue;
        }
        char *p = join(dir, e->d_name);
        long long bytes = 0;
        if (p && is_dead_temp(p, e->d_name, mode == SCAN_REMOVE_STALE, &bytes) && unlink(p) == 0) {
            n++;
            note_removed(p, bytes);
        }
        free(p);
    }
    if (d)
        closedir(d);
    return n;
}

int of_remove_temps(const char *path) { return scan_temps(path, SCAN_REMOVE_DEAD); }
int of_count_temps(const char *path) { return scan_temps(path, SCAN_COUNT); }

int of_stdout_close(char *msg, size_t cap)
{
    int e = 0;
    bool bad = false;
    if (fflush(stdout) != 0) {
        e = errno;
        bad = true;
    }
    /* glibc keeps the error flag of an earlier automatic flush but not its
     * errno: say what is known. */
    if (ferror(stdout)) {
        bad = true;
        if (!e)
            e = g_stdout_errno;
    }
    int d = dup(STDOUT_FILENO);
    if (d >= 0 && close(d) != 0 && errno != EINTR && !bad) {
        e = errno;
        bad = true;
    }
    if (!bad)
        return 0;
    if (e)
        return seterr(msg, cap, TCESIM_EIO, "stdout: %s", strerror(e));
    return seterr(msg, cap, TCESIM_EIO, "stdout: write error");
}

/* ---- The same file twice ---- */

void of_claims_init(of_claims *c)
{
    c->n = c->cap = 0;
    c->e = NULL;
}

void of_claims_free(of_claims *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->e[i].label);
        free(c->e[i].path);
        free(c->e[i].resolved);
    }
    free(c->e);
    of_claims_init(c);
}

static int add_claim(of_claims *c, const char *label, const char *path, char *resolved, bool exists, bool output,
                     const struct stat *st, char *msg, size_t cap)
{
    if (c->n == c->cap) {
        size_t ncap = c->cap ? 2 * c->cap : 8;
        of_claim *e = realloc(c->e, ncap * sizeof *e);
        if (!e) {
            free(resolved);
            return seterr(msg, cap, TCESIM_ENOMEM, "%s: out of memory", label);
        }
        c->e = e;
        c->cap = ncap;
    }
    of_claim *e = &c->e[c->n];
    memset(e, 0, sizeof *e);
    e->label = strdup(label);
    e->path = strdup(path);
    e->resolved = resolved;
    e->exists = exists;
    e->output = output;
    if (exists) {
        e->dev = st->st_dev;
        e->ino = st->st_ino;
    }
    if (!e->label || !e->path) {
        free(e->label);
        free(e->path);
        free(e->resolved);
        return seterr(msg, cap, TCESIM_ENOMEM, "%s: out of memory", label);
    }
    c->n++;
    return 0;
}

int of_claim_input(of_claims *c, const char *label, const char *path, char *msg, size_t cap)
{
    struct stat st;
    if (!path || !*path || stat(path, &st) != 0)
        return 0;
    return add_claim(c, label, path, NULL, true, false, &st, msg, cap);
}

/* Resolves an output and compares it with every claim; on success the
 * caller owns *final and gets what stat() found. */
static int check_output(const of_claims *c, const char *label, const char *path, char **final, struct stat *st,
                        bool *exists, char *msg, size_t cap)
{
    *final = NULL;
    if (!*path)
        return seterr(msg, cap, TCESIM_EINVAL, "%s: empty path", label);
    enum of_kind kind;
    char why[512];
    int rc = resolve(path, &kind, final, st, exists, why, sizeof why);
    if (rc == TCESIM_EINVAL || rc == TCESIM_ENOMEM)
        return seterr(msg, cap, rc, "%s: %s", label, why);
    if (rc && !(*final = strdup(path))) /* cannot be resolved: of_open will say why */
        return seterr(msg, cap, TCESIM_ENOMEM, "%s: out of memory", label);
    if (!rc && kind == OF_ATOMIC) {
        /* Checked before anything runs: a temp file is created where the
         * output's will be, and removed (no such directory, no permission,
         * a read-only file system: said now, not after the simulation). */
        of_file probe;
        memset(&probe, 0, sizeof probe);
        probe.fd = -1;
        probe.live = -1;
        probe.path = (char *)path;
        probe.final = *final;
        rc = open_temp(&probe, false, why, sizeof why);
        if (!rc) {
            close(probe.fd);
            unlink(probe.tmp);
            live_drop(probe.live);
        }
        free(probe.tmp);
        if (rc) {
            free(*final);
            *final = NULL;
            return seterr(msg, cap, TCESIM_EINVAL, "%s: %s", label, why);
        }
    }
    for (size_t i = 0; i < c->n; i++) {
        const of_claim *e = &c->e[i];
        bool same = *exists ? e->exists && e->dev == st->st_dev && e->ino == st->st_ino
                            : e->output && !e->exists && e->resolved && !strcmp(e->resolved, *final);
        if (same) {
            free(*final);
            *final = NULL;
            return seterr(msg, cap, TCESIM_EINVAL, "%s: %s is the same file as %s %s", label, path, e->label,
                          e->path);
        }
    }
    return 0;
}

int of_check_output(const of_claims *c, const char *label, const char *path, char *msg, size_t cap)
{
    char *final;
    struct stat st;
    bool exists;
    int rc = check_output(c, label, path, &final, &st, &exists, msg, cap);
    free(final);
    return rc;
}

int of_claim_output(of_claims *c, const char *label, const char *path, char *msg, size_t cap)
{
    char *final;
    struct stat st;
    bool exists;
    int rc = check_output(c, label, path, &final, &st, &exists, msg, cap);
    if (rc)
        return rc;
    return add_claim(c, label, path, final, exists, true, &st, msg, cap);
}

int of_check_stdout(const of_claims *c, char *msg, size_t cap)
{
    struct stat st;
    if (fstat(STDOUT_FILENO, &st) != 0)
        return 0; /* closed: the first write says so */
    for (size_t i = 0; i < c->n; i++) {
        const of_claim *e = &c->e[i];
        if (!e->output && e->dev == st.st_dev && e->ino == st.st_ino)
            return seterr(msg, cap, TCESIM_EINVAL, "stdout: is the same file as %s %s", e->label, e->path);
    }
    return 0;
}

int of_claim_stdout(of_claims *c, const char *label, char *msg, size_t cap)
{
    int rc = of_check_stdout(c, msg, cap);
    if (rc)
        return rc;
    struct stat st;
    if (fstat(STDOUT_FILENO, &st) != 0)
        return 0;
    if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode))
        return 0;
    return add_claim(c, label, "(standard output)", NULL, true, true, &st, msg, cap);
}
