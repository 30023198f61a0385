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
expect_exit 2 "$TCESIM" run --epoch 0
expect_exit 2 "$TCESIM" run --timeline "$TMP/x.json" --timeline-window 5:5
finish
