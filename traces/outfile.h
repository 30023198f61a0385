/* Output files that never destroy anything: every file tcesim writes (trace
 * writers, reports, CSVs, timelines, sweep files, standard output) goes
 * through here. Plain C11 + POSIX, usable from traces/ and from sim/ (C++).
 *
 * Rules (README "Outputs"):
 * - A target that is a regular file, or nothing yet, is written atomically:
 *   to a temp file `.NAME.tcesim-XXXXXX` (NAME = the target's basename, cut
 *   to fit NAME_MAX; XXXXXX random) created exclusively (O_CREAT | O_EXCL |
 *   O_NOFOLLOW, mode 0666 & ~umask as fopen) in the target's directory, and
 *   renamed onto the target only on a committed close. Exclusive creation
 *   means a file or link planted at a temp name is never opened, followed
 *   or removed. A failed or abandoned output removes its temp file; so does
 *   SIGINT, SIGTERM, SIGHUP or SIGPIPE (of_install_signal_cleanup); a
 *   process killed outright leaves it, and the next writer of the same
 *   target removes it (or of_remove_temps, for a sweep).
 * - A target that is a symlink is resolved first (realpath; a dangling link
 *   to where it points): the temp file goes next to the resolved file and
 *   the rename replaces that file, so the link survives.
 * - A target that exists and is not a regular file nor a directory (FIFO,
 *   character device, /dev/stdout and the like) is opened O_WRONLY without
 *   O_CREAT or O_TRUNC and written straight: it is never replaced. A
 *   target that is the file standard output goes to (/dev/stdout with
 *   stdout redirected to a file) is written through fd 1, in order with
 *   the rest of standard output. A directory is an error.
 * - Every write is checked: short writes are retried, EINTR retried, and an
 *   error is sticky (later writes fail, the close does not commit).
 *
 * Error codes are common/tcesim_err.h's: TCESIM_EINVAL for a bad target
 * (empty path, a directory, the same file as an input or another output:
 * bad input, exit 2), TCESIM_EIO for a failed write or open (exit 1),
 * TCESIM_ENOMEM. Messages are one line, "PATH: message" or "LABEL: message",
 * written to msg (cap bytes, always NUL-terminated when cap > 0). */
#ifndef TCESIM_OUTFILE_H
#define TCESIM_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every temp name is "." NAME OF_TMP_TAG and OF_TMP_RANDOM characters of
 * [A-Za-z0-9]: four random, then two that check the rest of the name (how a
 * temp file tcesim made is told from one planted at such a name). */
#define OF_TMP_TAG ".tcesim-"
#define OF_TMP_RANDOM 6

typedef struct of_file of_file;

/* Opens an output at path (see the rules above). "-" is not special here:
 * callers that accept "-" for standard output call of_open_stdout. */
int of_open(const char *path, of_file **out, char *msg, size_t cap);

/* Standard output (fd 1) as an of_file named "stdout". Flushes stdio's
 * stdout first so that bytes keep their order. of_close never closes fd 1:
 * of_stdout_close does, once, at the end. */
int of_open_stdout(of_file **out, char *msg, size_t cap);

/* Writes all n bytes (unbuffered: callers buffer). Returns 0 or TCESIM_EIO
 * ("PATH: strerror"). */
int of_write(of_file *f, const void *data, size_t n, char *msg, size_t cap);

/* commit=true: publishes the output (rename for an atomic target) when
 * every write succeeded and the close did; otherwise removes the temp file
 * (a straight target keeps whatever reached it). Frees f; accepts NULL.
 * Returns 0, or the first error (a failed earlier write included, when
 * commit). */
int of_close(of_file *f, bool commit, char *msg, size_t cap);

bool of_failed(const of_file *f);
/* The descriptor writes go to (the temp file's, for an atomic target), for
 * a child process that writes the content itself. */
int of_fd(const of_file *f);
/* The path as given ("stdout" for standard output), for messages. */
const char *of_path(const of_file *f);

/* of_open + of_write + of_close(true): a whole output at once. */
int of_write_file(const char *path, const void *data, size_t n, char *msg, size_t cap);

/* Removes the temp files that writers of path killed mid-write left: names
 * ".NAME" OF_TMP_TAG "XXXXXX" in path's directory that tcesim made (the check
 * characters right), regular files of this user whose lock nobody holds,
 * whatever their age (unlinked, never followed; a note line each). For a
 * caller that holds path's directory (a sweep, under its lock): unlike a
 * plain writer's cleanup it also takes temps younger than this process (its
 * own killed points'). Returns how many were removed. O(entries in the
 * directory). */
int of_remove_temps(const char *path);
/* How many such temp files there are (for tests: none after a write). */
int of_count_temps(const char *path);

/* Interrupts leave nothing behind: installs a handler for SIGINT, SIGTERM,
 * SIGHUP and SIGPIPE (each unless ignored) that removes every temp file
 * this process is writing, then ends the process by the same signal. Once,
 * early in main. A later of_open of the same target removes the temp files
 * a killed writer left (SIGKILL, a crash, a power cut): those nobody holds
 * the lock of, of this user, with a name tcesim made (its check characters
 * right), last modified before this process started;
 * note (may be NULL) gets one line for each. */
void of_install_signal_cleanup(void (*note)(const char *line));
/* Whether sig's handler is of_install_signal_cleanup's (for tests). */
bool of_signal_cleanup_handler(int sig);

/* The final check of standard output, once, at the end of the process:
 * fflush(stdout) and its error flag, then a close of a duplicate of fd 1
 * (which reports what a file system defers to close, as NFS does, and keeps
 * fd 1 open for anything still printing). Returns 0 or TCESIM_EIO with
 * "stdout: strerror" (the errno of the write that failed, when known). */
int of_stdout_close(char *msg, size_t cap);

/* ---- The same file twice ----
 * A command claims its inputs and then its outputs before it writes
 * anything; an output that is the same file as an input or as an earlier
 * output (same st_dev and st_ino through stat(), so through symlinks, hard
 * links and any spelling of the path; for outputs not created yet, the
 * same resolved path) is refused. Caller-allocated; of_claims_free releases
 * the copies it keeps. Labels and paths are copied. Each claim or check
 * is O(claims so far). */
typedef struct of_claim {
    char *label, *path;     /* as given, for messages */
    char *resolved;         /* where an output would be written (NULL for inputs) */
    bool exists;
    bool output;
    dev_t dev;
    ino_t ino;
} of_claim;

typedef struct of_claims {
    size_t n, cap;
    of_claim *e;
} of_claims;

void of_claims_init(of_claims *c);
void of_claims_free(of_claims *c);

/* An input read from path. A path that cannot be stat()ed is not recorded
 * (its reader reports the error). Returns 0 or TCESIM_ENOMEM. */
int of_claim_input(of_claims *c, const char *label, const char *path, char *msg, size_t cap);

/* An output to path. Returns 0, or TCESIM_EINVAL with "LABEL: empty path",
 * "LABEL: PATH: Is a directory" or "LABEL: PATH is the same file as LABEL2
 * PATH2", or TCESIM_ENOMEM. A path whose directory does not exist is not an
 * error here (of_open reports it). */
int of_claim_output(of_claims *c, const char *label, const char *path, char *msg, size_t cap);
/* Standard output as an output: refused (TCESIM_EINVAL, "stdout: is the
 * same file as LABEL PATH") when it is the same file as a claimed input
 * (`tcesim trace info t.trace >> t.trace`). Not recorded: an output path
 * that names standard output's file is written through fd 1. */
int of_check_stdout(const of_claims *c, char *msg, size_t cap);
/* of_check_stdout(), then records standard output as an output named
 * `label` when it is a regular file, a FIFO or a socket, so that a later
 * output naming the same file (`--mappings /dev/stdout` beside the report on
 * standard output, redirected to a file or a pipe) is refused instead of
 * interleaving the two. A terminal or another character device is not
 * recorded: writing two outputs to it corrupts nothing stored. */
int of_claim_stdout(of_claims *c, const char *label, char *msg, size_t cap);
/* The same checks without recording the output: for many outputs that
 * cannot be each other (a sweep's point files), O(claims) each. */
int of_check_output(const of_claims *c, const char *label, const char *path, char *msg, size_t cap);

#ifdef __cplusplus
}
#endif

#endif
