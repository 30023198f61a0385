"""tcesim from Python: ctypes over libtcesim's C API (include/tcesim/tcesim.h).

Standard library only. A run is what `tcesim run` does; the report is the
tcesim.report/1 JSON document as a dict.

    import tcesim
    r = tcesim.Run("bench-window", sets=["phb.tce_cache.entries=128"])
    report = r.simulate()                     # in a child process (the default)
    print(r.hit_rate, report["translation"]["latency_ns"]["p99"])

SystemC elaborates once per process, so Run.simulate() runs each simulation in
a forked child by default (tcesim_run_simulate_in_child): any number of runs
from one Python process. simulate(child=False) runs in this process, once.

The library is found through $TCESIM_LIB (a path to libtcesim.so), next to
this file in an install (PREFIX/share/tcesim/python -> PREFIX/lib), in the
source tree's build/lib, or by the loader (ctypes.util.find_library).
"""

import ctypes
import ctypes.util
import json
import math
import os

SUCCESS, FAILED, BAD_INPUT, MISUSE, NOMEM = 0, 1, 2, 3, 4


class TcesimError(Exception):
    """A call failed: .code is the API's (2 bad input, 1 failed, ...),
    str() the CLI's one-line message."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def _find_library():
    env = os.environ.get("TCESIM_LIB")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    for rel in ("../../../lib/libtcesim.so", "../build/lib/libtcesim.so"):
        p = os.path.normpath(os.path.join(here, rel))
        if os.path.exists(p):
            return p
    found = ctypes.util.find_library("tcesim")
    if found:
        return found
    raise OSError("libtcesim.so not found: set TCESIM_LIB, or install tcesim (make install PREFIX=...)")


_lib = None


def _api():
    global _lib
    if _lib is not None:
        return _lib
    lib = ctypes.CDLL(_find_library())
    P, S, I, D, U = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_double, ctypes.c_uint64
    for name, res, args in [
        ("tcesim_version", S, []),
        ("tcesim_status_str", S, [I]),
        ("tcesim_run_create", I, [S, S, ctypes.POINTER(P)]),
        ("tcesim_run_create_json", I, [S, S, S, ctypes.POINTER(P)]),
        ("tcesim_run_destroy", None, [P]),
        ("tcesim_run_set", I, [P, S]),
        ("tcesim_run_set_mappings", I, [P, S]),
        ("tcesim_run_set_epoch", I, [P, U]),
        ("tcesim_run_set_timeline", I, [P, S, U, U]),
        ("tcesim_run_config_json", S, [P]),
        ("tcesim_run_validate", I, [P]),
        ("tcesim_run_simulate", I, [P]),
        ("tcesim_run_simulate_in_child", I, [P]),
        ("tcesim_run_report_json", S, [P]),
        ("tcesim_run_report_text", S, [P]),
        ("tcesim_run_warnings", S, [P]),
        ("tcesim_run_metric", I, [P, S, ctypes.POINTER(D)]),
        ("tcesim_run_errmsg", S, [P]),
    ]:
        f = getattr(lib, name)
        f.restype, f.argtypes = res, args
    _lib = lib
    return lib


def _b(s):
    return None if s is None else os.fsencode(s) if not isinstance(s, bytes) else s


def version():
    """The library's version, as `tcesim --version` prints it."""
    return _api().tcesim_version().decode()


class Run:
    """One run: config (a preset name or JSON path; None = as `tcesim run`
    without one), or json_text; a trace path (None = the built-in workload);
    key=value settings. Raises TcesimError on bad input."""

    def __init__(self, config=None, trace=None, sets=(), json_text=None, name="config"):
        lib = _api()
        h = ctypes.c_void_p()
        if json_text is not None:
            rc = lib.tcesim_run_create_json(_b(json_text), _b(name), _b(trace), ctypes.byref(h))
        else:
            rc = lib.tcesim_run_create(_b(config), _b(trace), ctypes.byref(h))
        self._h = h
        self._check(rc)
        for s in sets:
            self.set(s)

    def _check(self, rc):
        if rc != SUCCESS:
            msg = _api().tcesim_run_errmsg(self._h).decode() if self._h else _api().tcesim_status_str(rc).decode()
            raise TcesimError(rc, msg)

    def close(self):
        if self._h:
            _api().tcesim_run_destroy(self._h)
            self._h = ctypes.c_void_p()

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def set(self, key_value):
        """One key=value, as --set (the keys of `tcesim config`)."""
        self._check(_api().tcesim_run_set(self._h, _b(key_value)))
        return self

    def config(self):
        """The resolved configuration (`tcesim config --json`) as a dict."""
        s = _api().tcesim_run_config_json(self._h)
        return json.loads(s) if s is not None else None

    def simulate(self, child=True):
        """Runs to the end of the trace; returns the report as a dict."""
        f = _api().tcesim_run_simulate_in_child if child else _api().tcesim_run_simulate
        self._check(f(self._h))
        return self.report()

    def report(self):
        s = _api().tcesim_run_report_json(self._h)
        return json.loads(s) if s is not None else None

    @property
    def text(self):
        """The text report `tcesim run` prints."""
        s = _api().tcesim_run_report_text(self._h)
        return s.decode() if s is not None else None

    @property
    def warnings(self):
        """The loss warnings the CLI prints on stderr, one per line."""
        s = _api().tcesim_run_warnings(self._h)
        return s.decode() if s is not None else None

    def metric(self, json_path):
        """A number of the report by its JSON path ("name[]": the largest over an array)."""
        v = ctypes.c_double()
        self._check(_api().tcesim_run_metric(self._h, _b(json_path), ctypes.byref(v)))
        return v.value

    def _maybe(self, path):
        try:
            return self.metric(path)
        except TcesimError:
            return math.nan

    hit_rate = property(lambda self: self._maybe("translation.hit_rate"))
    translation_p50_ns = property(lambda self: self._maybe("translation.latency_ns.p50"))
    translation_p99_ns = property(lambda self: self._maybe("translation.latency_ns.p99"))
    dma_throughput_gbps = property(lambda self: self._maybe("dma.throughput_gbps"))
    pool_wait_p99_ns = property(lambda self: self._maybe("allocator.pools[].wait_ns.p99"))


def run(config=None, trace=None, sets=(), child=True):
    """One simulation; returns its report (a dict)."""
    with Run(config, trace, sets) as r:
        return r.simulate(child=child)
