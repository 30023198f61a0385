# --timeline (Chrome/Perfetto trace-event JSON) and --epoch (time series).
. "$(dirname "$0")/lib.sh"
EX="$SRC/examples/contention"

expect_exit 0 "$TCESIM" run "$EX/config.json" --trace "$EX/nic16.trace" --epoch 50000 \
  --timeline "$TMP/tl.json" --timeline-window 0:20000 --json "$TMP/r.json"
# A valid trace-event document with one track group per kind and named tracks.
python3 - "$TMP/tl.json" <<'PY' && ok || bad "timeline is not valid trace-event JSON with the expected tracks"
import json, sys
doc = json.load(open(sys.argv[1]))
ev = doc["traceEvents"]
procs = {e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "process_name"}
assert procs == {"devices", "host CPUs", "pool locks", "TCE fetch slots"}, procs
threads = {(e["pid"], e["tid"]): e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
assert any(n.startswith("dev0") for n in threads.values())
assert any(n == "cpu15" for n in threads.values())
assert any(n.startswith("pe 1 lock") for n in threads.values())
xs = [e for e in ev if e["ph"] == "X"]
assert len(xs) > 100
for e in xs:
    assert (e["pid"], e["tid"]) in threads, e
    assert e["dur"] >= 0 and 0 <= e["ts"] < 20.0 + 1e-9, e
kinds = {e["pid"] for e in xs}
assert kinds == {1, 2, 3, 4}, kinds
PY
# No two slices of one track overlap (viewers nest or drop them): the
# device's reads in flight go on lanes; every access carries its handle,
# bus address and length.
cat >"$TMP/nooverlap.py" <<'PY'
import json, sys, collections
doc = json.load(open(sys.argv[1]))
xs = [e for e in doc["traceEvents"] if e["ph"] == "X"]
assert xs, "no slices"
tracks = collections.defaultdict(list)
for e in xs:
    tracks[(e["pid"], e["tid"])].append(e)
for k, v in tracks.items():
    v.sort(key=lambda e: (e["ts"], e["dur"]))
    for a, b in zip(v, v[1:]):
        # ts and dur are printed to the picosecond (6 decimals of us)
        assert round(a["ts"] + a["dur"], 6) <= b["ts"], (k, a, b)
for e in xs:
    if e["pid"] == 1:
        assert "addr" in e["args"] and "len" in e["args"], e
        assert "h" in e["args"] or sys.argv[2] == "addr", e
print(len(xs), min(e["ts"] for e in xs))
PY
python3 "$TMP/nooverlap.py" "$TMP/tl.json" h >/dev/null && ok || bad "overlapping slices in the contention timeline"
# Without --timeline-window the window opens at the first device access: a
# 16 MiB window takes ~260 us to map (4096 TCEs), and the timeline shows the
# DMA after it, not the mapping alone.
expect_exit 0 "$TCESIM" run "$BW" --set workload.window=16M --set workload.count=20000 --timeline "$TMP/auto.json" --json "$TMP/auto.r.json"
python3 "$TMP/nooverlap.py" "$TMP/auto.json" h >"$TMP/auto.out" && ok || bad "overlapping slices in the default timeline"
python3 - "$TMP/auto.json" "$TMP/auto.r.json" <<'PY' && ok || bad "the automatic window does not start at the first DMA"
import json, sys
doc = json.load(open(sys.argv[1]))
xs = [e for e in doc["traceEvents"] if e["ph"] == "X"]
dev = [e for e in xs if e["pid"] == 1]
assert len(dev) > 100, len(dev)
start = min(e["ts"] for e in xs)
assert start > 100, start                                   # after the mapping
assert min(e["ts"] for e in dev) == start                    # opened by the first access
assert max(e["ts"] for e in xs) < start + 100, max(e["ts"] for e in xs)   # 100 us long
lanes = {e["tid"] for e in dev}
assert len(lanes) > 1                                        # reads in flight side by side
PY
# Faults and freezes are marked on their PE's track.
expect_exit 0 "$TCESIM" run --trace "$DATA/faults.trace" --timeline "$TMP/f.json" --timeline-window 0:10000000
python3 - "$TMP/f.json" <<'PY' && ok || bad "no fault / freeze markers"
import json, sys
doc = json.load(open(sys.argv[1]))
inst = [e for e in doc["traceEvents"] if e["ph"] == "i"]
names = {e["name"] for e in inst}
assert "fault: permission" in names and "PE frozen (EEH)" in names, names
assert all(e["pid"] == 5 and "rid" in e["args"] and "bus" in e["args"] for e in inst), inst
procs = {e["args"]["name"] for e in doc["traceEvents"] if e["ph"] == "M" and e["name"] == "process_name"}
assert "PHB faults and freezes" in procs, procs
PY
# Epochs: counts per epoch add up to the run's totals.
python3 - "$TMP/r.json" <<'PY' && ok || bad "epoch series does not add up"
import json, sys
r = json.load(open(sys.argv[1]))
ep = r["epochs"]
assert ep["ns"] == 50000
s = ep["series"]
assert sum(x["dma_bytes"] for x in s) == r["dma"]["bytes"]
assert sum(x["lookups"] for x in s) == r["translation"]["lookups"]
assert sum(x["lock_acquisitions"] for x in s) == sum(p["acquisitions"] for p in r["allocator"]["pools"])
assert all(s[i]["t_ns"] == (i + 1) * 50000 for i in range(len(s)))
PY
# Latency histograms are in the report and hold every sample.
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); h=r['translation']['latency_histogram']; assert sum(c for _, c in h) == r['translation']['hits'] + r['translation']['misses']" "$TMP/r.json" && ok || bad "histogram counts"
# Without the options nothing is added, and the report is unchanged otherwise.
expect_exit 0 "$TCESIM" run "$EX/config.json" --trace "$EX/nic16.trace" --json "$TMP/plain.json"
python3 -c "import json,sys; assert 'epochs' not in json.load(open(sys.argv[1]))" "$TMP/plain.json" && ok || bad "epochs without --epoch"
expect_exit 2 "$TCESIM" run "$BW" --epoch 0
expect_exit 2 "$TCESIM" run "$BW" --timeline "$TMP/x.json" --timeline-window 5:5
finish
