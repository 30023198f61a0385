# Translation latency per device and per PE (issue 12): devices[].translation.latency_ns,
# pes[].translation_latency_ns. By hand: dev0 reads its page twice (a cold miss, then a
# hit long after, which costs exactly phb.lookup_ns: the hit cost), dev1 once (a miss);
# the run's distribution is the merge of the devices', each PE's that of its device.
. "$(dirname "$0")/lib.sh"
t="$TMP/pd.trace"
cat >"$t" <<'T'
tcesim-trace 1
device id=0 rid=01:00.0 pe=1 dma_mask_bits=32
device id=1 rid=02:00.0 pe=2 dma_mask_bits=32
0 cpu0 map dev=0 h=1 size=4096 dir=to_device pa=0x200000
0 cpu1 map dev=1 h=2 size=4096 dir=to_device pa=0x300000
10000 dev0 read h=1 off=0 len=64
10000 dev1 read h=2 off=0 len=64
20000 dev0 read h=1 off=64 len=64
T
expect_exit 0 "$TCESIM" run --trace "$t" --set host.cpus=2 --set phb.lookup_ns=8 --json "$TMP/pd.json"
python3 - "$TMP/pd.json" <<'P' && ok || bad "per-device translation latency not as derived"
import json, sys
r = json.load(open(sys.argv[1]))
d0 = r["devices"][0]["translation"]["latency_ns"]
d1 = r["devices"][1]["translation"]["latency_ns"]
run = r["translation"]["latency_ns"]
assert r["translation"]["hits"] == 1 and r["translation"]["misses"] == 2, r["translation"]
# dev0: (miss + hit) / 2 with hit = phb.lookup_ns = 8 ns
assert abs(2 * d0["mean"] - d0["max"] - 8) < 0.002, d0
assert d1["mean"] == d1["max"] and d1["max"] > 8, d1          # one miss
assert abs(3 * run["mean"] - (2 * d0["mean"] + d1["mean"])) < 0.005, run
assert run["max"] == max(d0["max"], d1["max"])
pes = {p["pe"]: p["translation_latency_ns"] for p in r["pes"]}
assert pes[1] == d0 and pes[2] == d1, pes
P
finish
