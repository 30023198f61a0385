// tcesim sweep: a point's command, and --emit parallel | slurm.
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

// ---- A point's command ----

std::vector<std::string> point_argv(const Sweep &sw, const Point &p, const std::string &exe, const std::string &dir)
{
    std::vector<std::string> a = {exe, "run"};
    if (!sw.config_cmd.empty())
        a.push_back(sw.config_cmd);
    if (!sw.trace_cmds.empty()) {
        a.push_back("--trace");
        a.push_back(sw.trace_cmds[p.trace]);
    }
    for (const std::string &s : sw.sets) {
        a.push_back("--set");
        a.push_back(s);
    }
    for (size_t k = 0; k < sw.varies.size(); k++) {
        a.push_back("--set");
        a.push_back(sw.varies[k].key + "=" + p.values[k]);
    }
    if (sw.seeds > 1) {
        a.push_back("--set");
        a.push_back("seed=" + std::to_string(p.seed));
    }
    a.push_back("--json");
    a.push_back(dir + "/" + p.name + ".json");
    return a;
}

std::string shell_quote(const std::string &s)
{
    bool plain = !s.empty();
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::strchr("._-+=,/:@%", c)))
            plain = false;
    if (plain)
        return s;
    std::string q = "'";
    for (char c : s)
        q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

// ---- --emit parallel | slurm ----


std::string strprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = nullptr;
    int n = vasprintf(&p, fmt, ap);
    va_end(ap);
    std::string r = n >= 0 && p ? std::string(p, static_cast<size_t>(n)) : std::string();
    std::free(p);
    return r;
}

int emit_say(const std::string &text)
{
    std::string e = write_stdout(text);
    if (e.empty())
        return 0;
    std::fprintf(stderr, "%s\n", e.c_str());
    return 1;
}

int cmd_emit(const Options &o, const Sweep &sw, const std::string &exe, const std::vector<size_t> &todo)
{
    std::string jobs;
    for (size_t i : todo) {
        const Point &p = sw.points[i];
        std::string line;
        for (const std::string &a : point_argv(sw, p, exe, o.out))
            line += (line.empty() ? "" : " ") + shell_quote(a);
        line += " >" + shell_quote(o.out + "/logs/" + p.name + ".log") + " 2>&1";
        jobs += line + "\n";
    }
    std::string jobs_path = o.out + "/jobs.txt";
    std::string e = write_output(jobs_path, jobs);
    if (!e.empty()) {
        std::fprintf(stderr, "%s\n", e.c_str());
        return 1;
    }
    std::string say; // what to do next, for standard output (checked as a whole)
    // -j always: GNU parallel's default is one job per CPU of the host that
    // runs it, which on a login node is not what --jobs (or its default) said.
    unsigned nj = o.jobs;
    if (!nj) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        nj = n > 0 ? static_cast<unsigned>(n) : 1;
    }
    std::string n = std::to_string(nj);
    std::string collect = "then: " + shell_quote(exe) + " sweep --collect " + shell_quote(o.out) + "\n";
    say += strprintf("%s: %zu of %zu points to run, one command a line\n", jobs_path.c_str(), todo.size(), sw.points.size());
    if (todo.empty()) {
        say += "every point has its report; " + collect;
        return emit_say(say);
    }
    if (o.emit == "parallel") {
        // The spelling docs/sweeps.md uses: --sshlogin N/HOST (N jobs on HOST).
        std::string joblog = shell_quote(o.out + "/joblog"), list = shell_quote(jobs_path);
        say += strprintf("run them with GNU parallel on this machine:\n"
                         "  parallel --joblog %s -j %s < %s\n"
                         "or across hosts that see DIR and the binary at the same paths:\n"
                         "  parallel --joblog %s --sshlogin %s/HOST1,%s/HOST2 < %s\n"
                         "a joblog belongs to one jobs.txt: after emitting again, remove %s or name a new one\n"
                         "(--resume-failed matches jobs by line number, and a new jobs.txt has other lines)\n%s",
                         joblog.c_str(), n.c_str(), list.c_str(), joblog.c_str(), n.c_str(), n.c_str(), list.c_str(),
                         joblog.c_str(), collect.c_str());
        return emit_say(say);
    }
    // Slurm: one array task per line of jobs.txt. #SBATCH lines are read by
    // sbatch, not by a shell: their paths are written unquoted.
    std::string throttle = o.jobs ? "%" + std::to_string(o.jobs) : "";
    std::string script =
        "#!/bin/bash\n"
        "# tcesim sweep: one Slurm array task per line of jobs.txt (tcesim sweep --emit slurm).\n"
        "# Submit: sbatch " + o.out + "/sweep.slurm\n"
        "# Dry run of one point: SLURM_ARRAY_TASK_ID=0 bash " + o.out + "/sweep.slurm\n"
        "#SBATCH --job-name=tcesim-sweep\n"
        "#SBATCH --array=0-" + std::to_string(todo.size() - 1) + throttle + "\n"
        "#SBATCH --ntasks=1\n"
        "#SBATCH --cpus-per-task=1\n"
        "#SBATCH --output=" + o.out + "/logs/slurm-%A_%a.out\n"
        "set -eu\n"
        "jobs=" + shell_quote(jobs_path) + "\n"
        "task=${SLURM_ARRAY_TASK_ID:?not set: submit with sbatch, or set it for a dry run}\n"
        "case $task in *[!0-9]*|'') echo \"SLURM_ARRAY_TASK_ID: not a number: $task\" >&2; exit 2;; esac\n"
        "line=$(sed -n \"$((task + 1))p\" \"$jobs\")\n"
        "if [ -z \"$line\" ]; then echo \"$jobs: no line for task $task\" >&2; exit 2; fi\n"
        "# The task's status in its slurm-JOB_TASK.out, for clusters whose sacct\n"
        "# has no accounting storage to ask.\n"
        "rc=0\n"
        "bash -c \"$line\" || rc=$?\n"
        "echo \"tcesim sweep: task $task (line $((task + 1)) of $jobs): exit $rc\"\n"
        "exit $rc\n";
    std::string slurm_path = o.out + "/sweep.slurm";
    e = write_output(slurm_path, script);
    if (!e.empty() || chmod(slurm_path.c_str(), 0755) != 0) {
        std::fprintf(stderr, "%s\n", e.empty() ? errno_msg(slurm_path).c_str() : e.c_str());
        return 1;
    }
    say += strprintf("%s: a Slurm array job of %zu tasks\n"
                         "  sbatch %s\n"
                         "dry run of one point here: SLURM_ARRAY_TASK_ID=0 bash %s\n%s",
                         slurm_path.c_str(), todo.size(), shell_quote(slurm_path).c_str(), shell_quote(slurm_path).c_str(),
                         collect.c_str());
    return emit_say(say);
}

} // namespace sweep
} // namespace tcesim
