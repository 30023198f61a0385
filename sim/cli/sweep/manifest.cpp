// tcesim sweep: the manifest, DIR/sweep.json, and the directory.
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

// ---- The manifest, DIR/sweep.json ----

json_t *string_array(const std::vector<std::string> &v)
{
    json_t *a = json_array();
    for (const std::string &s : v)
        json_array_append_new(a, json_string(s.c_str()));
    return a;
}

// The part of the manifest two runs of the same sweep agree on.
json_t *definition_json(const Sweep &sw)
{
    json_t *d = json_object();
    json_object_set_new(d, "config", json_string(sw.config_arg.c_str()));
    json_object_set_new(d, "config_path", json_string(sw.config_path.c_str()));
    json_object_set_new(d, "sets", string_array(sw.sets));
    json_t *vs = json_array();
    for (const Vary &v : sw.varies) {
        json_t *o = json_object();
        json_object_set_new(o, "key", json_string(v.key.c_str()));
        json_object_set_new(o, "values", string_array(v.values));
        json_array_append_new(vs, o);
    }
    json_object_set_new(d, "varies", vs);
    json_object_set_new(d, "traces", string_array(sw.trace_args));
    json_object_set_new(d, "trace_paths", string_array(sw.trace_paths));
    json_object_set_new(d, "seeds", json_integer(static_cast<json_int_t>(sw.seeds)));
    json_object_set_new(d, "first_seed", json_integer(static_cast<json_int_t>(sw.first_seed)));
    return d;
}

std::string manifest_text(const Sweep &sw)
{
    json_t *m = json_object();
    json_object_set_new(m, "schema", json_string(kSweepSchema));
    json_object_set_new(m, "definition", definition_json(sw));
    json_t *pts = json_array();
    for (const Point &p : sw.points) {
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(p.name.c_str()));
        json_t *params = json_object();
        for (size_t k = 0; k < sw.varies.size(); k++)
            json_object_set_new(params, sw.varies[k].key.c_str(), json_string(p.values[k].c_str()));
        json_object_set_new(o, "params", params);
        json_object_set_new(o, "trace", sw.trace_args.empty() ? json_null() : json_string(sw.trace_args[p.trace].c_str()));
        json_object_set_new(o, "seed", json_integer(static_cast<json_int_t>(p.seed)));
        json_object_set_new(o, "row", json_integer(static_cast<json_int_t>(p.row)));
        json_array_append_new(pts, o);
    }
    json_object_set_new(m, "points", pts);
    char *s = json_dumps(m, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    std::string text = s ? std::string(s) + "\n" : "";
    std::free(s);
    json_decref(m);
    return text;
}

std::vector<std::string> strings_of(json_t *a, bool &ok)
{
    std::vector<std::string> v;
    if (!json_is_array(a)) {
        ok = false;
        return v;
    }
    for (size_t i = 0; i < json_array_size(a); i++) {
        const char *s = json_string_value(json_array_get(a, i));
        if (!s)
            ok = false;
        else
            v.push_back(s);
    }
    return v;
}

// Reads DIR/sweep.json back into a Sweep (definition and points).
int load_manifest(const std::string &path, Sweep &sw)
{
    json_error_t jerr;
    json_t *m = json_load_file(path.c_str(), 0, &jerr);
    if (!m) {
        if (access(path.c_str(), F_OK) != 0)
            std::fprintf(stderr, "%s: no such file: not a sweep directory (tcesim sweep ... --out DIR writes it)\n", path.c_str());
        else
            std::fprintf(stderr, "%s:%d: %s\n", path.c_str(), jerr.line, jerr.text);
        return 2;
    }
    bool ok = json_is_string(json_object_get(m, "schema")) &&
              !std::strcmp(json_string_value(json_object_get(m, "schema")), kSweepSchema);
    json_t *d = json_object_get(m, "definition");
    json_t *pts = json_object_get(m, "points");
    ok = ok && json_is_object(d) && json_is_array(pts);
    if (ok) {
        const char *c = json_string_value(json_object_get(d, "config"));
        const char *cp = json_string_value(json_object_get(d, "config_path"));
        ok = c && cp;
        sw.config_arg = c ? c : "";
        sw.config_path = cp ? cp : "";
        sw.sets = strings_of(json_object_get(d, "sets"), ok);
        sw.trace_args = strings_of(json_object_get(d, "traces"), ok);
        sw.trace_paths = strings_of(json_object_get(d, "trace_paths"), ok);
        sw.seeds = static_cast<uint64_t>(json_integer_value(json_object_get(d, "seeds")));
        sw.first_seed = static_cast<uint64_t>(json_integer_value(json_object_get(d, "first_seed")));
        json_t *vs = json_object_get(d, "varies");
        ok = ok && json_is_array(vs) && sw.seeds >= 1;
        for (size_t i = 0; ok && i < json_array_size(vs); i++) {
            json_t *o = json_array_get(vs, i);
            Vary v;
            const char *k = json_string_value(json_object_get(o, "key"));
            ok = k != nullptr;
            v.key = k ? k : "";
            v.values = strings_of(json_object_get(o, "values"), ok);
            sw.varies.push_back(v);
        }
        for (size_t i = 0; ok && i < json_array_size(pts); i++) {
            json_t *o = json_array_get(pts, i);
            Point p;
            const char *n = json_string_value(json_object_get(o, "name"));
            json_t *params = json_object_get(o, "params");
            ok = n && *n && !std::strchr(n, '/') && json_is_object(params);
            p.name = n ? n : "";
            for (size_t k = 0; ok && k < sw.varies.size(); k++) {
                const char *v = json_string_value(json_object_get(params, sw.varies[k].key.c_str()));
                ok = v != nullptr;
                p.values.push_back(v ? v : "");
            }
            const char *t = json_string_value(json_object_get(o, "trace"));
            for (size_t k = 0; t && k < sw.trace_args.size(); k++)
                if (sw.trace_args[k] == t)
                    p.trace = k;
            p.seed = static_cast<uint64_t>(json_integer_value(json_object_get(o, "seed")));
            json_int_t row = json_integer_value(json_object_get(o, "row"));
            ok = ok && row >= 0;
            p.row = static_cast<size_t>(row);
            sw.points.push_back(p);
        }
    }
    json_decref(m);
    if (!ok) {
        std::fprintf(stderr, "%s: not a tcesim sweep manifest (%s)\n", path.c_str(), kSweepSchema);
        return 2;
    }
    return 0;
}

// Writes DIR/sweep.json, or checks that the one there describes this sweep:
// reports are found by name, and a name does not carry --set or CONFIG.
int ensure_manifest(const std::string &dir, const Sweep &sw)
{
    std::string path = dir + "/sweep.json";
    if (access(path.c_str(), F_OK) == 0) {
        Sweep old;
        if (int rc = load_manifest(path, old))
            return rc;
        json_t *a = definition_json(old), *b = definition_json(sw);
        bool same = json_equal(a, b);
        json_decref(a);
        json_decref(b);
        if (!same) {
            std::fprintf(stderr, "%s: DIR holds a different sweep (CONFIG, --set, --vary, --trace or --seeds differ); use another --out\n",
                         path.c_str());
            return 2;
        }
        return 0;
    }
    std::string e = write_output(path, manifest_text(sw));
    if (!e.empty()) {
        std::fprintf(stderr, "%s\n", e.c_str());
        return 1;
    }
    return 0;
}

// mkdir -p DIR/logs; `made` gets the directories it created, deepest last
// (for unmake_dirs).
int make_dirs(const std::string &dir, std::vector<std::string> &made)
{
    std::string logs = dir + "/logs";
    for (size_t i = 1; i <= logs.size(); i++) {
        if (i < logs.size() && logs[i] != '/')
            continue;
        std::string d = logs.substr(0, i);
        if (mkdir(d.c_str(), 0777) == 0)
            made.push_back(d);
        else if (errno != EEXIST) {
            std::fprintf(stderr, "%s\n", errno_msg(d).c_str());
            return 1;
        }
    }
    return 0;
}

// A sweep refused before it ran leaves no directory it made (each removed
// only while still empty).
void unmake_dirs(const std::vector<std::string> &made)
{
    for (size_t i = made.size(); i-- > 0;)
        rmdir(made[i].c_str());
}

// Only one sweep at a time works in a directory: two would run the same
// points. The lock goes with the process (flock), never with its children.
int lock_dir(const std::string &dir)
{
    std::string path = dir + "/.sweep.lock";
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) {
        std::fprintf(stderr, "%s\n", errno_msg(path).c_str());
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        std::fprintf(stderr, "%s: another tcesim sweep is running in this directory\n", dir.c_str());
        close(fd);
        return -1;
    }
    return fd; // held until exit
}

} // namespace sweep
} // namespace tcesim
