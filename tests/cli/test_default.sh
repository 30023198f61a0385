# The default scenario (issue 12): `tcesim run` with neither a CONFIG nor a
# trace runs a NIC, an NVMe drive and a bypass GPU on one PHB, each driven by
# its generator (workloads[]); every listed device moves data, nothing hides
# translation (no link or memory at 95%), and the headline says what
# translation costs each device. With a trace or a CONFIG the key defaults
# apply as before (configs/bench-window.json writes them out).
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$TCESIM" run --json "$TMP/d.json"
expect_eq "$(head -1 "$TMP/out")" "tcesim report: workloads: nic-rx (dev0), nvme (dev1), gpu-bulk (dev2), phb3 PHB, seed kernel, seed 1" "headline"
grep -q '^  translation.s share of DMA latency: dev0 [0-9.]*% (.* ns); dev1 [0-9.]*% (.* ns); dev2 bypasses the TCEs$' "$TMP/out" \
  && ok || bad "no translation share line: $(sed -n 2p "$TMP/out")"
python3 - "$TMP/d.json" "$TMP/out" <<'P' && ok || bad "the default scenario is not what it says"
import json, re, sys
r = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
devs = r["devices"]
assert len(devs) == 3, len(devs)
for d in devs:
    assert d["reads"] + d["writes"] > 0, d["id"]          # no device that does nothing
assert [d["dma_path"] for d in devs] == ["tce", "tce", "bypass"]
assert devs[2]["translation"]["latency_ns"]["max"] == 0  # the GPU bypasses
assert r["dma"]["hidden_by"] == [], r["dma"]["hidden_by"]  # translation is not hidden
assert r["dma"]["lost_bytes"] == 0 and r["host"]["late_starts"] == 0
assert r["translation"]["misses"] > 0.1 * r["translation"]["lookups"]  # the working set exceeds the cache
# the headline's share is the breakdown's translation mean over the latency mean
m = re.search(r"dev0 ([0-9.]+)% \(([0-9.]+) of ([0-9.]+) ns\)", text)
share = 100 * devs[0]["breakdown"]["translation"]["mean"] / devs[0]["latency_ns"]["mean"]
assert abs(float(m.group(1)) - share) < 0.06, (m.group(1), share)
# device costs are the xeon-e5-vtd preset's NFP6000 calibration, not zero
assert all(d["overhead_ns"] == 220 and d["read_hold_ns"] == 150 for d in r["config"]["devices"]), r["config"]["devices"]
P
# deterministic
expect_exit 0 "$TCESIM" run --json "$TMP/d2.json"
strip() { grep -v -e '"wall' -e '"version"' "$1"; }
if [ "$(strip "$TMP/d.json")" = "$(strip "$TMP/d2.json")" ]; then ok; else bad "the default scenario is not deterministic"; fi
# tcesim config shows it; a trace without CONFIG keeps the key defaults
expect_exit 0 "$TCESIM" config --json
python3 -c "import json,sys; c=json.load(open(sys.argv[1])); assert [w['generator'] for w in c['workloads']] == ['nic-rx','nvme','gpu-bulk'] and len(c['devices']) == 3" "$TMP/out" \
  && ok || bad "tcesim config does not show the default scenario"
expect_exit 0 "$TCESIM" run --trace "$DATA/faults.trace" --json "$TMP/t.json"
expect_eq "$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(len(r['devices']), 'workloads' in r['config'])" "$TMP/t.json")" "4 False" "with a trace: the key defaults"
# the window workload's keys beside it are an error that says what to do
expect_exit 2 "$TCESIM" run --set workload.window=16M
expect_err '^workload.window: the window workload does not run beside workloads\[\] \(3 entries, the default scenario.s\): give a config without workloads\[\] \(configs/bench-window.json is the window workload\), or set workloads.N.\* keys$'
expect_exit 0 "$TCESIM" run "$BW" --set workload.count=1000 --json "$TMP/bw.json"
expect_eq "$(json_get "$TMP/bw.json" run.trace)" "built-in workload (window generator)" "bench-window runs the window workload"
finish
