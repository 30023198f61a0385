#!/usr/bin/env bash
# python/tcesim.py over this build's libtcesim.so: runs in child processes,
# errors as TcesimError with the CLI's message, the sweep example's table.
source "$(dirname "$0")/lib.sh"
BUILD=$(dirname "$TCESIM")
export TCESIM_LIB="$BUILD/lib/libtcesim.so" PYTHONPATH="$SRC/python"
# A sanitizer build's library needs its runtimes loaded first into python
# (which is not instrumented and keeps memory until exit: no leak check).
if grep -q '^TCESIM_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt"; then
  export LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
  export ASAN_OPTIONS=detect_leaks=0
fi
python3 - "$SRC" >"$TMP/out" 2>"$TMP/err" <<'PY'
import json, math, subprocess, sys
import tcesim
src = sys.argv[1]
# The same inputs as the CLI: the same report, wall clock aside.
def strip(o):
    if isinstance(o, dict): return {k: strip(v) for k, v in o.items() if "wall" not in k}
    if isinstance(o, list): return [strip(x) for x in o]
    return o
r = tcesim.Run("phb3", sets=["workload.count=3000"])
a = r.simulate()
assert a["run"]["tlps"] == 3000, a["run"]
assert r.hit_rate == a["translation"]["hit_rate"]
assert r.metric("translation.latency_ns.p99") == a["translation"]["latency_ns"]["p99"]
assert "tcesim report" in r.text and r.warnings == ""
assert r.config()["phb"]["model"] == "phb3"
print(json.dumps(strip(a), sort_keys=True))
try:
    tcesim.Run("phb3", sets=["phb.nonesuch=1"])
    raise SystemExit("no error for an unknown key")
except tcesim.TcesimError as e:
    assert e.code == tcesim.BAD_INPUT and str(e) == "phb.nonesuch: unknown key", (e.code, str(e))
try:
    tcesim.Run("nonesuch")
    raise SystemExit("no error for an unknown preset")
except tcesim.TcesimError as e:
    assert e.code == 2 and "no preset of that name" in str(e), str(e)
with tcesim.Run(json_text='{"phb": {"model": "phb4"}}', sets=["workload.count=500"]) as j:
    assert j.simulate()["config"]["phb"]["model"] == "phb4"
    try:
        j.metric("nonesuch.x")
        raise SystemExit("no error for an absent metric")
    except tcesim.TcesimError as e:
        assert e.code == 2
PY
expect_eq "$?" 0 "python API checks ($(tail -3 "$TMP/err"))"
"$TCESIM" run phb3 --set workload.count=3000 --json "$TMP/cli.json" >/dev/null 2>&1
python3 -c "import json,sys
def s(o):
    if isinstance(o, dict): return {k: s(v) for k, v in o.items() if 'wall' not in k}
    if isinstance(o, list): return [s(x) for x in o]
    return o
print(json.dumps(s(json.load(open(sys.argv[1]))), sort_keys=True))" "$TMP/cli.json" >"$TMP/cli.txt"
if cmp -s <(head -1 "$TMP/out") "$TMP/cli.txt"; then ok; else bad "python's report differs from tcesim run's"; fi

# The example: six rows; the hit rate grows with the cache, and a cache that
# holds all 256 pages misses only their first touches (256 of 20 000).
python3 "$SRC/python/sweep_example.py" 20000 >"$TMP/sweep.txt" 2>"$TMP/err"
expect_eq "$?" 0 "sweep_example.py ($(tail -2 "$TMP/err"))"
python3 - "$TMP/sweep.txt" <<'PY' && ok || bad "sweep table: $(cat "$TMP/sweep.txt")"
import sys
rows = [l.split() for l in open(sys.argv[1]).read().splitlines()[1:]]
assert [int(r[0]) for r in rows] == [16, 32, 64, 128, 256, 512], rows
h = [float(r[1]) for r in rows]
assert all(a < b for a, b in zip(h[:4], h[1:5])), h
assert abs(h[4] - (1 - 256 / 20000)) < 0.005 and h[5] == h[4], h
PY
finish
