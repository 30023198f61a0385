# Per-op cost (issue 11): host.ops.<kind>, cpus[].ops_by_kind, the
# --mappings start/end/lock-wait columns, the pool locks' hold distribution.
# The latencies are derived by hand from the host cost keys (models/host/dma_api.c):
# a PHB3 map of n pages costs op + lock (+ search words, 0 here) + n TCE
# writes + n kill stores + mb; an unmap costs op + n TCE clears + n kill
# stores + the free's lock hold (no mb on the unmap side).
. "$(dirname "$0")/lib.sh"
COSTS="--set host.op_ns=100 --set host.lock_ns=10 --set host.search_word_ns=0 --set host.tce_write_ns=3
 --set host.kill_store_ns=50 --set host.mb_ns=7 --set host.lock_handoff_ns=5 --set iommu.pools=1"

# One 4 KiB map then its unmap on an idle host: map 100+10+3+50+7 = 170 ns,
# unmap 100+3+50+10 = 163 ns.
t="$TMP/idle.trace"
cat >"$t" <<'T'
tcesim-trace 1
device id=0 rid=01:00.0 pe=1 dma_mask_bits=32
0 cpu0 map dev=0 h=1 size=4096 dir=to_device pa=0x200000
2000 cpu0 unmap h=1
T
# shellcheck disable=SC2086
expect_exit 0 "$TCESIM" run --trace "$t" $COSTS --mappings "$TMP/idle.csv" --json "$TMP/idle.json"
expect_eq "$(json_get "$TMP/idle.json" host.ops.map.count)" 1 "one map"
expect_eq "$(json_get "$TMP/idle.json" host.ops.map.latency_ns.max)" 170.0 "map latency"
expect_eq "$(json_get "$TMP/idle.json" host.ops.map.latency_ns.p50)" 170.0 "map latency p50"
expect_eq "$(json_get "$TMP/idle.json" host.ops.unmap.count)" 1 "one unmap"
expect_eq "$(json_get "$TMP/idle.json" host.ops.unmap.latency_ns.mean)" 163.0 "unmap latency"
expect_eq "$(json_get "$TMP/idle.json" host.ops.unmap.device_wait_ns.max)" 0.0 "no device, no wait"
expect_eq "$(json_get "$TMP/idle.json" host.ops.map_sg.count)" 0 "no map_sg"
expect_eq "$(json_get "$TMP/idle.json" cpus.0.ops_by_kind.map.count)" 1 "per CPU: one map"
expect_eq "$(json_get "$TMP/idle.json" cpus.0.ops_by_kind.unmap.latency_ns.max)" 163.0 "per CPU: unmap latency"
expect_eq "$(json_get "$TMP/idle.json" allocator.pools.0.hold_ns.max)" 10.0 "lock hold max = host.lock_ns"
expect_eq "$(json_get "$TMP/idle.json" allocator.pools.0.hold_ns.p99)" 10.0 "lock hold p99"
expect_eq "$(head -1 "$TMP/idle.csv")" "time_ns,cpu,op,dev,handle,bus_addr,npages,pool,start_ns,end_ns,lock_wait_ns" "CSV header"
expect_eq "$(sed -n 2p "$TMP/idle.csv")" "0,0,map,0,1,0x1000,1,0,0,170,0" "map row"
expect_eq "$(sed -n 3p "$TMP/idle.csv")" "2000,0,unmap,0,1,0x1000,1,0,2000,2163,0" "unmap row: its map's pool"

# Queueing (host.ops.<kind>.queue_ns = start - trace time): two maps at time 0
# on one CPU, the second starts when the first is done (170 ns, as above);
# an unmap at 100 ns waits for its device's read, which waits for its map.
t="$TMP/queue.trace"
cat >"$t" <<'T'
tcesim-trace 1
device id=0 rid=01:00.0 pe=1 dma_mask_bits=32
0 cpu0 map dev=0 h=1 size=4096 dir=to_device pa=0x200000
0 cpu0 map dev=0 h=2 size=4096 dir=to_device pa=0x300000
T
# shellcheck disable=SC2086
expect_exit 0 "$TCESIM" run --trace "$t" $COSTS --json "$TMP/queue.json"
expect_eq "$(json_get "$TMP/queue.json" host.ops.map.queue_ns.max)" 170.0 "the second map queues behind the first"
expect_eq "$(json_get "$TMP/queue.json" host.ops.map.latency_ns.max)" 170.0 "queueing is not in the latency"
expect_eq "$(json_get "$TMP/idle.json" host.ops.unmap.queue_ns.max)" 0.0 "an unmap long after its map does not queue"

# Two CPUs map at once on one pool: the second waits for the first's hold
# (released at 110 ns) plus the handoff: 110 - 100 + 5 = 15 ns, its latency 185.
t="$TMP/lock.trace"
cat >"$t" <<'T'
tcesim-trace 1
device id=0 rid=01:00.0 pe=1 dma_mask_bits=32
0 cpu0 map dev=0 h=1 size=4096 dir=to_device pa=0x200000
0 cpu1 map dev=0 h=2 size=4096 dir=to_device pa=0x300000
T
# shellcheck disable=SC2086
expect_exit 0 "$TCESIM" run --trace "$t" $COSTS --set host.cpus=2 --mappings "$TMP/lock.csv" --json "$TMP/lock.json"
expect_eq "$(json_get "$TMP/lock.json" host.ops.map.count)" 2 "two maps"
expect_eq "$(json_get "$TMP/lock.json" host.ops.map.latency_ns.max)" 185.0 "the waiter's latency"
expect_eq "$(cut -d, -f11 "$TMP/lock.csv" | tail -n +2 | sort -n | tr '\n' ' ')" "0 15 " "lock waits per op"
expect_eq "$(cut -d, -f9,10 "$TMP/lock.csv" | tail -n +2 | sort | tr '\n' ' ')" "0,170 0,185 " "starts and ends"

# On the contention example the ops' latencies add up to the CPUs' busy time
# and the CSV's lock waits to the CPUs' lock wait.
expect_exit 0 "$TCESIM" run "$SRC/examples/contention/config.json" --trace "$SRC/examples/contention/nic16.trace" \
  --mappings "$TMP/c.csv" --json "$TMP/c.json"
python3 - "$TMP/c.json" "$TMP/c.csv" <<'P' && ok || bad "latencies do not add up to the CPUs' busy time"
import csv, json, sys
r = json.load(open(sys.argv[1]))
ops = r["host"]["ops"]
assert ops["map"]["count"] == r["allocator"]["maps"] == 6400, ops["map"]["count"]
busy = sum(c["busy_ns"] for c in r["cpus"])
lat = sum(v["count"] * v["latency_ns"]["mean"] for v in ops.values())
assert abs(busy - lat) < 1e-4 * busy + 10, (busy, lat)
for c in r["cpus"]:
    n = sum(v["count"] for v in c["ops_by_kind"].values())
    assert n == c["ops"], (c["cpu"], n, c["ops"])
rows = list(csv.DictReader(open(sys.argv[2])))
lw = sum(float(x["lock_wait_ns"]) for x in rows)
want = sum(c["lock_wait_ns"] for c in r["cpus"])
assert abs(lw - want) < 1e-6 * want + 1, (lw, want)
assert all(float(x["end_ns"]) - float(x["start_ns"]) >= float(x["lock_wait_ns"]) for x in rows)
P

# An unmap behind a long device read: it waits for the read (apart from its
# latency). 16 pages: map 100+10+16*3+16*50+7 = 965 ns (done before the
# read at 1000), unmap 100+16*3+16*50+10 = 958 ns after the read completes.
t="$TMP/wait.trace"
cat >"$t" <<'T'
tcesim-trace 1
device id=0 rid=01:00.0 pe=1 dma_mask_bits=32
0 cpu0 map dev=0 h=1 size=65536 dir=to_device pa=0x400000
1000 dev0 read h=1 off=0 len=65536
1001 cpu0 unmap h=1
T
# shellcheck disable=SC2086
expect_exit 0 "$TCESIM" run --trace "$t" $COSTS --mappings "$TMP/wait.csv" --json "$TMP/wait.json"
expect_eq "$(json_get "$TMP/wait.json" host.ops.map.latency_ns.max)" 965.0 "16-page map latency"
expect_eq "$(json_get "$TMP/wait.json" host.ops.unmap.latency_ns.max)" 958.0 "unmap latency excludes the device wait"
expect_eq "$(json_get "$TMP/wait.json" translation.faults)" 0 "the read is not stale"
python3 - "$TMP/wait.json" "$TMP/wait.csv" <<'P' && ok || bad "device wait is not the read's duration"
import csv, json, sys
r = json.load(open(sys.argv[1]))
read = r["dma"]["latency_ns"]["max"]
wait = r["host"]["ops"]["unmap"]["device_wait_ns"]["max"]
# the read issued at 1000, the unmap due at 1001
assert read > 1000 and abs(wait - (read - 1)) <= 2, (read, wait)
rows = list(csv.DictReader(open(sys.argv[2])))
u = [x for x in rows if x["op"] == "unmap"][0]
assert abs(float(u["start_ns"]) - (1000 + read)) <= 2, (u, read)
assert float(u["end_ns"]) - float(u["start_ns"]) == 958, u
P
# shellcheck disable=SC2086
expect_exit 0 "$TCESIM" run --trace "$t" $COSTS
grep -q '^host ops' "$TMP/out" && ok || bad "text report: no host ops section"
grep -q 'device wait ns' "$TMP/out" && ok || bad "text report: no device wait line"
grep -q 'ops by kind' "$TMP/out" && ok || bad "text report: no per-CPU ops"
finish
