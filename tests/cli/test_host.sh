# The host side end to end: pools and their contention, bypass versus the
# allocator, --mappings, the what-if policies.
. "$(dirname "$0")/lib.sh"
EX="$SRC/examples/contention"

# 16 CPUs mapping and unmapping: lock contention falls as pools go 1 -> 4.
frac() { python3 -c "import json,sys; a=json.load(open(sys.argv[1]))['allocator']
acq=sum(p['acquisitions'] for p in a['pools']); con=sum(p['contended'] for p in a['pools'])
print('%.4f' % (con / acq))" "$1"; }
for p in 1 2 4; do
  expect_exit 0 "$TCESIM" run "$EX/config.json" --trace "$EX/nic16.trace" --set iommu.pools=$p --json "$TMP/p$p.json"
done
f1=$(frac "$TMP/p1.json"); f2=$(frac "$TMP/p2.json"); f4=$(frac "$TMP/p4.json")
python3 -c "import sys; sys.exit(0 if $f1 > $f2 > $f4 and $f1 > 0.5 and $f4 < 0.5 else 1)" && ok || bad "contention does not fall with pools: $f1 $f2 $f4"
expect_eq "$(json_get "$TMP/p4.json" allocator.pools.0.kind)" small "pool kind"
expect_eq "$(json_get "$TMP/p4.json" allocator.maps)" 6400 "maps counted"
expect_eq "$(json_get "$TMP/p4.json" translation.faults)" 0 "no stale DMA with 4 pools"
# One global lock behaves like one pool.
expect_exit 0 "$TCESIM" run "$EX/config.json" --trace "$EX/nic16.trace" --set iommu.lock=global --json "$TMP/g.json"
expect_eq "$(frac "$TMP/g.json")" "$f1" "global lock = one pool"
# Magazines take most allocations off the pool locks.
expect_exit 0 "$TCESIM" run "$EX/config.json" --trace "$EX/nic16.trace" --set iommu.cache=magazine --json "$TMP/m.json"
acq=$(python3 -c "import json; a=json.load(open('$TMP/m.json'))['allocator']; print(sum(p['acquisitions'] for p in a['pools']))")
[ "$acq" -lt 2000 ] && ok || bad "magazines still take $acq locks"
# Lazy invalidation: no page kills.
expect_exit 0 "$TCESIM" run "$EX/config.json" --trace "$EX/nic16.trace" --set iommu.invalidate=flush_queue --json "$TMP/f.json"
expect_eq "$(json_get "$TMP/f.json" allocator.kills.page)" 0 "flush queue: no page kills"
python3 -c "import json,sys; sys.exit(0 if json.load(open('$TMP/f.json'))['allocator']['kills']['pe'] > 0 else 1)" && ok || bad "flush queue never flushed"
# PHB4: kills through OPAL with a sync each; the firmware escalation turns them into PE kills.
expect_exit 0 "$TCESIM" run "$EX/config.json" --trace "$EX/nic16.trace" --set phb.model=phb4 --set host.kill_escalate_pe=true --json "$TMP/k.json"
expect_eq "$(json_get "$TMP/k.json" allocator.kills.page)" 0 "escalated: no page kills"
expect_eq "$(json_get "$TMP/k.json" allocator.kills.pe)" 12800 "escalated: a PE kill per call"

# Bypass devices never reach the allocator; 32-bit devices always do.
t="$TMP/b.trace"
cat >"$t" <<'T'
tcesim-trace 1
device id=0 rid=01:00.0 pe=1 dma_mask_bits=32
device id=1 rid=02:00.0 pe=2 dma_mask_bits=64
0 cpu0 map dev=0 h=1 size=4096 dir=to_device pa=0x200000
0 cpu1 map dev=1 h=2 size=4096 dir=to_device pa=0x300000
100 dev0 read h=1 off=0 len=64
100 dev1 read h=2 off=0 len=64
500 cpu0 unmap h=1
500 cpu1 unmap h=2
T
expect_exit 0 "$TCESIM" run --trace "$t" --mappings "$TMP/map.csv" --json "$TMP/b.json"
expect_eq "$(head -1 "$TMP/map.csv")" "time_ns,cpu,op,dev,handle,bus_addr,npages,pool,start_ns,end_ns,lock_wait_ns" "CSV header"
expect_eq "$(sed -n 2p "$TMP/map.csv" | cut -d, -f1-8)" "0,0,map,0,1,0x1000,1,0" "32-bit map: pool 0, entry 1"
expect_eq "$(sed -n 3p "$TMP/map.csv" | cut -d, -f1-8)" "0,1,map,1,2,0x800000000300000,0,"  "64-bit map: bus = pa + 2^59, no pool"
expect_eq "$(wc -l <"$TMP/map.csv")" 5 "one row per host op"
expect_eq "$(json_get "$TMP/b.json" devices.1.dma_path)" bypass "64-bit: bypass"
expect_eq "$(json_get "$TMP/b.json" devices.0.dma_path)" tce "32-bit: TCE"
expect_eq "$(json_get "$TMP/b.json" translation.faults)" 0 "both reads translate"
expect_eq "$(json_get "$TMP/b.json" translation.bypass)" 1 "one bypass TLP"
acq2=$(python3 -c "import json; a=json.load(open('$TMP/b.json'))['allocator']; print(sum(p['acquisitions'] for p in a['pools'] if p['pe']==2))")
expect_eq "$acq2" 0 "the bypass PE's allocator is never used"
expect_eq "$(json_get "$TMP/b.json" groups.0.name)" "domain0-pe1" "group name"
[ -n "$(find "$TMP" -name '.map.csv.tcesim-*')" ] && bad "temp CSV left behind" || ok
finish
