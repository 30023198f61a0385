/* traces/outfile.h: outputs that never destroy anything. Each test runs in
 * its own fresh temporary directory (removed with everything in it). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/tcesim_err.h"
#include "outfile.h"

typedef struct fixture {
    char dir[64];
    char oldcwd[4096];
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    strcpy(fx->dir, "/tmp/tcesim-outfile-XXXXXX");
    if (!mkdtemp(fx->dir) || !getcwd(fx->oldcwd, sizeof fx->oldcwd) || chdir(fx->dir) != 0) {
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    DIR *d = opendir(".");
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            unlink(e->d_name);
    if (d)
        closedir(d);
    int rc = chdir(fx->oldcwd);
    rmdir(fx->dir);
    free(fx);
    return rc;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

static char *read_text(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

/* Entries of "." other than "." and "..". */
static int entries(void)
{
    int n = 0;
    DIR *d = opendir(".");
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    if (d)
        closedir(d);
    return n;
}

static void output_appears_only_on_commit(void **state)
{
    of_file *f;
    char msg[256];
    assert_int_equal(of_open("out.txt", &f, msg, sizeof msg), 0);
    assert_int_equal(of_write(f, "hello\n", 6, msg, sizeof msg), 0);
    assert_int_equal(access("out.txt", F_OK), -1);
    assert_int_equal(of_count_temps("out.txt"), 1);
    assert_int_equal(of_close(f, true, msg, sizeof msg), 0);
    assert_string_equal(read_text("out.txt"), "hello\n");
    assert_int_equal(of_count_temps("out.txt"), 0);
    assert_int_equal(entries(), 1);
}

static void temp_file_mode_is_fopens(void **state)
{
    mode_t old = umask(022);
    assert_int_equal(of_write_file("m.txt", "x", 1, NULL, 0), 0);
    umask(old);
    struct stat st;
    assert_int_equal(stat("m.txt", &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
}

static void abandoned_output_keeps_the_old_file_and_no_temp(void **state)
{
    write_text("out.txt", "old\n");
    of_file *f;
    assert_int_equal(of_open("out.txt", &f, NULL, 0), 0);
    assert_int_equal(of_write(f, "new\n", 4, NULL, 0), 0);
    assert_int_equal(of_close(f, false, NULL, 0), 0);
    assert_string_equal(read_text("out.txt"), "old\n");
    assert_int_equal(entries(), 1);
    assert_int_equal(of_close(NULL, true, NULL, 0), 0);
}

static void planted_temp_names_are_never_followed_nor_removed(void **state)
{
    write_text("victim", "precious\n");
    assert_int_equal(symlink("victim", ".out.txt.tcesim-aaaaaa"), 0);
    write_text(".out.txt.tcesim-bbbbbb", "planted\n");
    for (int i = 0; i < 20; i++)
        assert_int_equal(of_write_file("out.txt", "report\n", 7, NULL, 0), 0);
    assert_string_equal(read_text("victim"), "precious\n");
    assert_string_equal(read_text(".out.txt.tcesim-bbbbbb"), "planted\n");
    struct stat st;
    assert_int_equal(lstat(".out.txt.tcesim-aaaaaa", &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(entries(), 4);
}

static void symlinked_output_replaces_its_target_and_keeps_the_link(void **state)
{
    write_text("real.txt", "old\n");
    assert_int_equal(symlink("real.txt", "link.txt"), 0);
    assert_int_equal(of_write_file("link.txt", "new\n", 4, NULL, 0), 0);
    struct stat st;
    assert_int_equal(lstat("link.txt", &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_string_equal(read_text("real.txt"), "new\n");
    /* a dangling link: its target is created */
    assert_int_equal(symlink("made.txt", "dangling.txt"), 0);
    assert_int_equal(of_write_file("dangling.txt", "x\n", 2, NULL, 0), 0);
    assert_string_equal(read_text("made.txt"), "x\n");
    assert_int_equal(lstat("dangling.txt", &st), 0);
    assert_true(S_ISLNK(st.st_mode));
}

static void long_names_get_a_shortened_temp_name(void **state)
{
    char name[256];
    memset(name, 'n', 250);
    strcpy(name + 250, ".txt");
    assert_int_equal(of_write_file(name, "x", 1, NULL, 0), 0);
    assert_int_equal(access(name, F_OK), 0);
    assert_int_equal(entries(), 1);
}

static void directory_and_empty_path_are_bad_input(void **state)
{
    of_file *f = (of_file *)1;
    char msg[256];
    assert_int_equal(mkdir("d", 0777), 0);
    assert_int_equal(of_open("d", &f, msg, sizeof msg), TCESIM_EINVAL);
    assert_null(f);
    assert_string_equal(msg, "d: Is a directory");
    assert_int_equal(of_open("", &f, msg, sizeof msg), TCESIM_EINVAL);
    assert_int_equal(of_open("d/", &f, msg, sizeof msg), TCESIM_EINVAL);
    assert_int_equal(of_open("no/such/dir/x", &f, msg, sizeof msg), TCESIM_EIO);
    assert_string_equal(msg, "no/such/dir/x: No such file or directory");
    assert_int_equal(rmdir("d"), 0);
    assert_int_equal(entries(), 0);
}

/* /dev/full: the full-disk stand-in, a character device, so written
 * straight; the error is sticky and the close does not commit. */
static void write_errors_are_sticky_and_named(void **state)
{
    of_file *f;
    char msg[256];
    assert_int_equal(of_open("/dev/full", &f, msg, sizeof msg), 0);
    assert_int_equal(of_write(f, "x", 1, msg, sizeof msg), TCESIM_EIO);
    assert_string_equal(msg, "/dev/full: No space left on device");
    assert_true(of_failed(f));
    assert_int_equal(of_write(f, "y", 1, msg, sizeof msg), TCESIM_EIO);
    assert_int_equal(of_close(f, true, msg, sizeof msg), TCESIM_EIO);
    assert_string_equal(msg, "/dev/full: No space left on device");
}

static void fifo_is_written_straight(void **state)
{
    assert_int_equal(mkfifo("fifo", 0666), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        FILE *in = fopen("fifo", "r");
        char buf[64] = {0};
        size_t n = in ? fread(buf, 1, sizeof buf - 1, in) : 0;
        _exit(n == 6 && !strcmp(buf, "piped\n") ? 0 : 1);
    }
    assert_int_equal(of_write_file("fifo", "piped\n", 6, NULL, 0), 0);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct stat st;
    assert_int_equal(lstat("fifo", &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    assert_int_equal(entries(), 1);
}

static void output_that_is_an_input_is_refused_through_any_path(void **state)
{
    write_text("in.trace", "data\n");
    assert_int_equal(link("in.trace", "hard.trace"), 0);
    assert_int_equal(symlink("in.trace", "sym.trace"), 0);
    of_claims c;
    char msg[512];
    of_claims_init(&c);
    assert_int_equal(of_claim_input(&c, "--trace", "in.trace", msg, sizeof msg), 0);
    assert_int_equal(of_claim_input(&c, "CONFIG", "missing.json", msg, sizeof msg), 0);
    assert_int_equal(of_claim_output(&c, "--json", "./in.trace", msg, sizeof msg), TCESIM_EINVAL);
    assert_string_equal(msg, "--json: ./in.trace is the same file as --trace in.trace");
    assert_int_equal(of_claim_output(&c, "--json", "hard.trace", msg, sizeof msg), TCESIM_EINVAL);
    assert_int_equal(of_claim_output(&c, "--json", "sym.trace", msg, sizeof msg), TCESIM_EINVAL);
    assert_int_equal(of_check_output(&c, "--json", "sym.trace", msg, sizeof msg), TCESIM_EINVAL);
    assert_int_equal(of_claim_output(&c, "--json", "", msg, sizeof msg), TCESIM_EINVAL);
    assert_string_equal(msg, "--json: empty path");
    assert_int_equal(of_claim_output(&c, "--json", "r.json", msg, sizeof msg), 0);
    of_claims_free(&c);
    assert_string_equal(read_text("in.trace"), "data\n");
}

static void two_outputs_the_same_are_refused(void **state)
{
    of_claims c;
    char msg[512];
    of_claims_init(&c);
    assert_int_equal(of_claim_output(&c, "--json", "f", msg, sizeof msg), 0);
    assert_int_equal(of_claim_output(&c, "--mappings", "./f", msg, sizeof msg), TCESIM_EINVAL);
    assert_string_equal(msg, "--mappings: ./f is the same file as --json f");
    assert_int_equal(symlink("f", "to-f"), 0); /* dangling: resolves to f */
    assert_int_equal(of_claim_output(&c, "--timeline", "to-f", msg, sizeof msg), TCESIM_EINVAL);
    assert_int_equal(of_claim_output(&c, "--timeline", "g", msg, sizeof msg), 0);
    of_claims_free(&c);
    of_claims_free(&c); /* idempotent */
}

static void stdout_that_is_an_input_is_refused(void **state)
{
    write_text("in.trace", "data\n");
    of_claims c;
    char msg[512];
    of_claims_init(&c);
    assert_int_equal(of_claim_input(&c, "FILE", "in.trace", msg, sizeof msg), 0);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    int fd = open("in.trace", O_WRONLY | O_APPEND);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, STDOUT_FILENO);
    close(fd);
    int rc = of_check_stdout(&c, msg, sizeof msg);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    assert_int_equal(rc, TCESIM_EINVAL);
    assert_string_equal(msg, "stdout: is the same file as FILE in.trace");
    assert_int_equal(of_check_stdout(&c, msg, sizeof msg), 0);
    of_claims_free(&c);
}

/* The temp name's check, restated from outfile.h's contract: FNV-1a 64
 * (offset basis 0xcbf29ce484222325, prime 0x100000001b3) of the name so far,
 * as two base-62 digits of [a-zA-Z0-9], least significant first. */
static void signed_name(const char *stem, char *out, size_t cap)
{
    static const char a[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    uint64_t h = 0xcbf29ce484222325ull;
    for (const char *p = stem; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
    snprintf(out, cap, "%s%c%c", stem, a[h % 62], a[(h / 62) % 62]);
}

static void remove_temps_takes_only_dead_temps_tcesim_made(void **state)
{
    char dead[64], locked[64];
    signed_name(".p.json.tcesim-abcd", dead, sizeof dead);
    signed_name(".p.json.tcesim-wxyz", locked, sizeof locked);
    write_text(dead, "");
    write_text(locked, "");
    int fd = open(locked, O_RDONLY); /* a live writer holds its lock */
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0);
    write_text(".p.json.tcesim-abc123", ""); /* the pattern, not tcesim's name */
    write_text(".p.json.tcesim-abc1234", "");
    write_text(".q.json.tcesim-abc123", "");
    write_text("p.json", "keep");
    assert_int_equal(of_count_temps("p.json"), 3);
    assert_int_equal(of_remove_temps("./p.json"), 1);
    assert_int_equal(access(dead, F_OK), -1);
    assert_int_equal(access(locked, F_OK), 0);
    assert_int_equal(of_count_temps("p.json"), 2);
    assert_int_equal(entries(), 5);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(output_appears_only_on_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(temp_file_mode_is_fopens, setup, teardown),
        cmocka_unit_test_setup_teardown(abandoned_output_keeps_the_old_file_and_no_temp, setup, teardown),
        cmocka_unit_test_setup_teardown(planted_temp_names_are_never_followed_nor_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(symlinked_output_replaces_its_target_and_keeps_the_link, setup, teardown),
        cmocka_unit_test_setup_teardown(long_names_get_a_shortened_temp_name, setup, teardown),
        cmocka_unit_test_setup_teardown(directory_and_empty_path_are_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(write_errors_are_sticky_and_named, setup, teardown),
        cmocka_unit_test_setup_teardown(fifo_is_written_straight, setup, teardown),
        cmocka_unit_test_setup_teardown(output_that_is_an_input_is_refused_through_any_path, setup, teardown),
        cmocka_unit_test_setup_teardown(two_outputs_the_same_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(stdout_that_is_an_input_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(remove_temps_takes_only_dead_temps_tcesim_made, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
