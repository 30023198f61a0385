# workloads[] (issue 12): several generators in one run, merged in time order
# (traces/merge.h), each on its device, keys checked by the generator, --set and
# --vary reach them. Expected counts come from each generator's own replay: the
# merge interleaves, it never adds or drops an event.
. "$(dirname "$0")/lib.sh"
cat >"$TMP/wl.json" <<'J'
{"workloads": [{"generator": "nic-rx", "device": 1, "packets": 2000, "seed": 5, "_note": "the NIC"},
               {"generator": "nvme", "device": 2, "ios": 200, "seed": 6}]}
J
expect_exit 0 "$TCESIM" run "$TMP/wl.json" --json "$TMP/wl.out.json"
expect_eq "$(head -1 "$TMP/out")" "tcesim report: workloads: nic-rx (dev1), nvme (dev2), phb3 PHB, seed kernel, seed 1" "headline names the workloads"
expect_exit 0 "$TCESIM" gen nic-rx --set packets=2000 --set seed=5 --set device=1 -o "$TMP/nic.trace"
expect_exit 0 "$TCESIM" gen nvme --set ios=200 --set seed=6 --set device=2 -o "$TMP/nv.trace"
expect_exit 0 "$TCESIM" run --trace "$TMP/nic.trace" --json "$TMP/nic.json"
expect_exit 0 "$TCESIM" run --trace "$TMP/nv.trace" --json "$TMP/nv.json"
python3 - "$TMP/wl.out.json" "$TMP/nic.json" "$TMP/nv.json" <<'P' && ok || bad "workloads[] does not add up to its generators"
import json, sys
wl, nic, nv = (json.load(open(f)) for f in sys.argv[1:])
assert wl["run"]["events"] == nic["run"]["events"] + nv["run"]["events"]
for dev, one in ((1, nic), (2, nv)):
    a, b = wl["devices"][dev], one["devices"][dev]
    assert (a["reads"], a["writes"], a["bytes"]) == (b["reads"], b["writes"], b["bytes"]), (dev, a, b)
assert wl["dma"]["lost_bytes"] == 0
assert wl["config"]["workloads"][1] == {"generator": "nvme", "device": "2", "ios": "200", "seed": "6"}
P
# deterministic: the same config twice gives the same report
expect_exit 0 "$TCESIM" run "$TMP/wl.json" --json "$TMP/wl2.json"
strip() { grep -v -e '"wall' -e '"version"' "$1"; }
if [ "$(strip "$TMP/wl.out.json")" = "$(strip "$TMP/wl2.json")" ]; then ok; else bad "workloads[] run not deterministic"; fi
# --set reaches a generator key, and adds an entry in order
expect_exit 0 "$TCESIM" run "$TMP/wl.json" --set workloads.1.ios=100 --set workloads.2.generator=gpu-bulk --set workloads.2.device=3 --json "$TMP/s.json"
expect_eq "$(json_get "$TMP/s.json" run.trace)" "workloads: nic-rx (dev1), nvme (dev2), gpu-bulk (dev3)" "a third workload added by --set"
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert r['devices'][2]['reads'] + r['devices'][2]['writes'] < $(json_get "$TMP/nv.json" devices.2.reads) + $(json_get "$TMP/nv.json" devices.2.writes)" "$TMP/s.json" \
  && ok || bad "workloads.1.ios=100 did not shrink the nvme workload"
# errors: one line, the entry named
expect_exit 2 "$TCESIM" run "$TMP/wl.json" --set workloads.1.bogus=1
expect_err "^workloads.1: gen nvme: unknown key 'bogus' \(known: .*\)$"
expect_exit 2 "$TCESIM" run "$TMP/wl.json" --set workloads.0.device=9
expect_err '^workloads.0.device: no device 9 \(the config has 4\)$'
expect_exit 2 "$TCESIM" run "$TMP/wl.json" --set workloads.5.ios=1
expect_err '^workloads.5.ios: no workload 5 \(the config has 2; add them in order, at most 16\)$'
echo '{"workloads": [{"device": 1}]}' >"$TMP/nogen.json"
expect_exit 2 "$TCESIM" run "$TMP/nogen.json"
expect_err '^workloads.0.generator: missing$'
expect_exit 2 "$TCESIM" run --set workloads.0.generator=frob
expect_err "^workloads.0: gen: unknown pattern 'frob'"
# a CONFIG's own workload.* keys beside workloads[]: said without sending the
# user back to the config given; the arrays take arrays
expect_exit 2 "$TCESIM" run "$BW" --set workloads.0.generator=nvme
expect_err '^workload\.[a-z_]+: the window workload does not run beside workloads\[\] \(1 entry\): drop the workload\.\* keys or the workloads\[\] entries$'
expect_exit 2 "$TCESIM" run "$TMP/wl.json" --set workloads=foo
expect_err '^workloads: expected an array of objects \(in a config file\); on the command line set workloads.N.KEY=VALUE$'
# tcesim config lists them
expect_exit 0 "$TCESIM" config "$TMP/wl.json"
grep -q '^workloads.1.generator = nvme$' "$TMP/out" && grep -q '^workloads.1.ios = 200$' "$TMP/out" && ok || bad "tcesim config does not list workloads[]"
# a sweep varies a generator key
expect_exit 0 "$TCESIM" sweep "$TMP/wl.json" --vary workloads.1.ios=100,200 --out "$TMP/sw" --jobs 1
expect_eq "$(cut -d, -f1 "$TMP/sw/results.csv" | tail -n +2 | sort | tr '\n' ' ')" "100 200 " "one row per value"
finish
