// tcesim sweep: the local pool of `tcesim run` processes.
#include "cli/sweep/sweep.hpp"


#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdarg>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <jansson.h>

#include "config.h"
#include "output.hpp"
#include "report.hpp"

namespace tcesim {
namespace sweep {

// ---- The local pool ----

static volatile sig_atomic_t g_stop_signal = 0;

// Runs only if INT/TERM reaches a thread other than the pool's (which keeps
// them blocked and takes them with sigtimedwait).
extern "C" void on_stop_signal(int sig)
{
    g_stop_signal = sig;
}

double now_s()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string fmt_duration(double s)
{
    char buf[32];
    long t = std::lround(s);
    if (t < 120)
        std::snprintf(buf, sizeof buf, "%lds", t);
    else if (t < 7200)
        std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
    else
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t / 60) % 60);
    return buf;
}

struct Progress {
    bool tty;
    size_t total, done;  // done counts the points finished before this run too
    size_t ran = 0;      // finished (or failed) in this run
    double start;
    bool bar_shown = false;

    std::string status() const
    {
        double el = now_s() - start;
        double rate = el > 0 ? static_cast<double>(ran) / el : 0;
        char buf[160];
        std::string eta = rate > 0 ? fmt_duration(static_cast<double>(total - done) / rate) : "?";
        std::snprintf(buf, sizeof buf, "%zu/%zu points, %.1f points/s, ETA %s", done, total, rate, eta.c_str());
        return buf;
    }
    void bar()
    {
        if (!tty)
            return;
        const size_t width = 20;
        size_t fill = total ? done * width / total : width;
        std::string b(fill, '#');
        b += std::string(width - fill, '.');
        std::fprintf(stderr, "\r[%s] %s\033[K", b.c_str(), status().c_str());
        std::fflush(stderr);
        bar_shown = true;
    }
    // One finished point: a line of its own when not on a terminal.
    void finished(const std::string &name, const std::string &failure)
    {
        done++;
        ran++;
        if (tty) {
            if (!failure.empty())
                std::fprintf(stderr, "\r\033[K%s\n", failure.c_str());
            bar();
        } else if (!failure.empty()) {
            std::fprintf(stderr, "%s\n", failure.c_str());
        } else {
            std::fprintf(stderr, "sweep: %s done, %s\n", name.c_str(), status().c_str());
        }
    }
    void end()
    {
        if (tty && bar_shown)
            std::fputc('\n', stderr);
    }
};

pid_t spawn_run(const std::vector<std::string> &args, const std::string &log, bool stdout_to_log, mode_t mode,
                const char *exec_failed, const sigset_t &child_mask)
{
    std::vector<char *> argv;
    for (const std::string &a : args)
        argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    size_t exec_failed_len = std::strlen(exec_failed);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    // Child: async-signal-safe calls only.
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
        _exit(126);
#else
    (void)parent;
#endif
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    sigprocmask(SIG_SETMASK, &child_mask, nullptr);
    int in = open("/dev/null", O_RDONLY);
    int errfd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, mode);
    int out = stdout_to_log ? errfd : open("/dev/null", O_WRONLY);
    if (in < 0 || out < 0 || errfd < 0)
        _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(errfd, 2);
    if (in > 2)
        close(in);
    if (out > 2 && out != errfd)
        close(out);
    if (errfd > 2)
        close(errfd);
    execv(argv[0], argv.data());
    ssize_t w = write(2, exec_failed, exec_failed_len);
    (void)w;
    _exit(127);
}

void die_by_signal(int sig)
{
    std::fflush(stderr);
    signal(sig, SIG_DFL);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
    raise(sig);
}

struct Child {
    size_t point;
};

// Whether a log line is an error line: `key: ...`, `FILE:LINE: ...`,
// `tcesim: ...`, SystemC's `Error: ...`, a sanitizer's `==PID==ERROR: ...`
// (a first word without spaces, then ": "); not a warning or a note.
static bool is_error_line(const std::string &l)
{
    size_t colon = l.find(": ");
    if (colon == std::string::npos || colon == 0 || l.find_first_of(" \t") < colon)
        return false;
    std::string word = l.substr(0, colon);
    for (const char *quiet : {"Warning", "warning", "Info", "info", "Note", "note"})
        if (word == quiet)
            return false;
    return true;
}

// The line of a failed point's log that says why: the first error line (a
// run prints its error once, but a crash, a sanitizer or SystemC may write
// more after it), else the last non-empty line. Cut at 200 characters.
std::string error_line(const std::string &path)
{
    FILE *f = std::fopen(path.c_str(), "r");
    if (!f)
        return "";
    std::string first, last, l;
    char buf[512];
    while (std::fgets(buf, sizeof buf, f)) {
        l += buf;
        if (l.back() != '\n' && !std::feof(f))
            continue; // a line longer than buf: read on
        while (!l.empty() && (l.back() == '\n' || l.back() == '\r'))
            l.pop_back();
        if (!l.empty()) {
            last = l;
            if (first.empty() && is_error_line(l))
                first = l;
        }
        l.clear();
    }
    std::fclose(f);
    std::string why = first.empty() ? last : first;
    return why.size() > 200 ? why.substr(0, 200) + "..." : why;
}

std::string exit_text(int status)
{
    if (WIFEXITED(status))
        return "exit " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return std::string("killed by ") + strsignal(WTERMSIG(status));
    return "stopped";
}

// Runs the points in `todo`, `jobs` at a time. Returns 0, 1 when a point
// failed (the others still run) or the sweep was interrupted.
int run_pool(const std::string &dir, const Sweep &sw, const std::string &exe, const std::vector<size_t> &todo,
             unsigned jobs, bool &interrupted)
{
    interrupted = false;
    g_stop_signal = 0;
    int stop = 0; // SIGINT or SIGTERM, or -1: could not start a point
    sigset_t stop_set, old_mask;
    sigemptyset(&stop_set);
    sigaddset(&stop_set, SIGINT);
    sigaddset(&stop_set, SIGTERM);
    sigaddset(&stop_set, SIGHUP);
    sigaddset(&stop_set, SIGCHLD);
    struct sigaction sa = {}, old_int = {}, old_term = {}, old_hup = {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    // SIGHUP (a closed terminal, a batch system's cancel) like the others,
    // unless it was ignored (nohup).
    sigaction(SIGHUP, nullptr, &old_hup);
    if (old_hup.sa_handler != SIG_IGN)
        sigaction(SIGHUP, &sa, nullptr);
    pthread_sigmask(SIG_BLOCK, &stop_set, &old_mask);
    sigset_t child_mask = old_mask;
    sigdelset(&child_mask, SIGINT);
    sigdelset(&child_mask, SIGTERM);
    sigdelset(&child_mask, SIGHUP);
    sigdelset(&child_mask, SIGCHLD);

    Progress pr{isatty(2) != 0, sw.points.size(), sw.points.size() - todo.size(), 0, now_s()};
    std::map<pid_t, Child> running;
    size_t next = 0, failed = 0;
    double last_bar = 0;
    pr.bar();
    while (next < todo.size() || !running.empty()) {
        while (!stop && running.size() < jobs && next < todo.size()) {
            const Point &p = sw.points[todo[next]];
            std::string report = dir + "/" + p.name + ".json";
            of_remove_temps(report.c_str()); // left by a point killed mid-write
            pid_t pid = spawn_run(point_argv(sw, p, exe, dir), dir + "/logs/" + p.name + ".log", true, 0666,
                                  "tcesim sweep: exec failed\n", child_mask);
            if (pid < 0) {
                std::fprintf(stderr, "%s\n", errno_msg("fork").c_str());
                stop = -1;
                break;
            }
            running[pid] = Child{todo[next]};
            next++;
        }
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            auto it = running.find(pid);
            if (it == running.end())
                continue;
            const Point &p = sw.points[it->second.point];
            running.erase(it);
            std::string failure;
            if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
                failed++;
                std::string log = dir + "/logs/" + p.name + ".log", why = error_line(log);
                failure = log + ": point " + p.name + " failed (" + exit_text(status) + ")" + (why.empty() ? "" : ": " + why);
            } else {
                std::string why = report_problem(dir + "/" + p.name + ".json", sw, p);
                if (!why.empty()) {
                    failed++;
                    failure = dir + "/" + p.name + ".json: point " + p.name + " wrote no complete report (" + why + ")";
                }
            }
            pr.finished(p.name, failure);
        }
        if (g_stop_signal && !stop)
            stop = g_stop_signal;
        if (stop)
            break;
        if (next >= todo.size() && running.empty())
            break;
        // Wakes on a child's exit or INT/TERM; the timeout redraws the bar
        // and covers a SIGCHLD that arrived before the block.
        timespec tmo = {0, 250 * 1000 * 1000};
        int sig = sigtimedwait(&stop_set, nullptr, &tmo);
        if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
            stop = sig;
        if (pr.tty && now_s() - last_bar > 0.5) {
            pr.bar();
            last_bar = now_s();
        }
    }
    if (stop) {
        // Points in flight are lost; their partial temp files go with them.
        for (auto &kv : running)
            kill(kv.first, SIGTERM);
        for (auto &kv : running) {
            int status;
            while (waitpid(kv.first, &status, 0) < 0 && errno == EINTR) {
            }
            of_remove_temps((dir + "/" + sw.points[kv.second.point].name + ".json").c_str());
        }
        pr.end();
        std::fprintf(stderr, "sweep: %s: %zu of %zu points done, %zu in flight lost; run the same command again to finish\n",
                     stop == SIGINT ? "interrupted by SIGINT" : stop == SIGTERM ? "interrupted by SIGTERM"
                                                : stop == SIGHUP ? "interrupted by SIGHUP" : "stopped",
                     pr.done, pr.total, running.size());
        interrupted = true;
    } else {
        pr.end();
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGTERM, &old_term, nullptr);
    sigaction(SIGHUP, &old_hup, nullptr);
    if (stop > 0) {
        // Interrupted: what is done is kept, the same command finishes it.
        die_by_signal(stop);
    }
    return stop || failed ? 1 : 0;
}

} // namespace sweep
} // namespace tcesim
