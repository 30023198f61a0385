# tcesim trace merge (issue 12, "Workloads that compose"): time order (ties: the
# earlier input first), handles renumbered h*n+k, devices renumbered after the
# earlier inputs' devices, CPUs shared unless --renumber-cpus, RID/PE clashes
# refused with the clash named or moved with --renumber-rids, pa= all or none
# (--drop-pa), outputs never an input. Expectations written by hand from those rules.
. "$(dirname "$0")/lib.sh"
cat >"$TMP/a.trace" <<'T'
tcesim-trace 1
device id=0 rid=01:00.0 pe=1 dma_mask_bits=32
0 cpu0 map dev=0 h=5 size=4096 dir=to_device
100 dev0 read h=5 off=0 len=64
300 cpu0 unmap h=5
T
cat >"$TMP/b.trace" <<'T'
tcesim-trace 1
device id=0 rid=01:00.0 dma_mask_bits=64
0 cpu1 map dev=0 h=5 size=8192 dir=from_device
100 dev0 write h=5 off=64 len=128
200 cpu1 unmap h=5
T
sed 's/dir=to_device$/dir=to_device pa=0x200000/' "$TMP/a.trace" >"$TMP/apa.trace"

expect_exit 2 "$TCESIM" trace merge "$TMP/a.trace" "$TMP/b.trace" -o "$TMP/m.trace"
expect_err "^merge: $TMP/b.trace dev0 declares rid 01:00.0, as $TMP/a.trace dev0 does \(--renumber-rids moves it\)$"
# a RID in another domain is named in its canonical form, domain included
printf 'tcesim-trace 1\ndevice id=0 rid=0030:01:00.0 pe=1\n0 cpu0 map dev=0 h=1 size=4096 dir=to_device\n' >"$TMP/d30.trace"
expect_exit 2 "$TCESIM" trace merge "$TMP/d30.trace" "$TMP/d30.trace" -o "$TMP/d30m.trace"
expect_err "declares rid 0030:01:00.0, as "
[ -e "$TMP/m.trace" ] && bad "a refused merge left an output" || ok

expect_exit 0 "$TCESIM" trace merge "$TMP/a.trace" "$TMP/b.trace" -o "$TMP/m.trace" --renumber-rids
cat >"$TMP/want.trace" <<'T'
tcesim-trace 1
device id=0 rid=01:00.0 pe=1 dma_mask_bits=32
device id=1 rid=02:00.0 dma_mask_bits=64
0 cpu0 map dev=0 h=10 size=4096 dir=to_device
0 cpu1 map dev=1 h=11 size=8192 dir=from_device
100 dev0 read h=10 off=0 len=64
100 dev1 write h=11 off=64 len=128
200 cpu1 unmap h=11
300 cpu0 unmap h=10
T
if diff "$TMP/want.trace" "$TMP/m.trace" >"$TMP/diff"; then ok; else bad "merged trace differs: $(cat "$TMP/diff")"; fi
grep -q '^tcesim trace merge: 6 events from 2 inputs -> .*(2 devices; .*; 1 declaration moved to a free bus or PE)$' "$TMP/err" \
  && ok || bad "summary: $(cat "$TMP/err")"

expect_exit 0 "$TCESIM" trace merge "$TMP/a.trace" "$TMP/b.trace" -o "$TMP/c.trace" --renumber-rids --renumber-cpus
expect_eq "$(grep -c ' cpu2 ' "$TMP/c.trace")" 2 "--renumber-cpus: b's cpu1 follows a's one CPU: cpu2"

# A PE declared twice across inputs is a clash too.
sed 's/dma_mask_bits=64/pe=1 dma_mask_bits=64/; s/rid=01:00.0/rid=03:00.0/' "$TMP/b.trace" >"$TMP/bpe.trace"
expect_exit 2 "$TCESIM" trace merge "$TMP/a.trace" "$TMP/bpe.trace" -o "$TMP/p.trace"
expect_err 'declares pe 1, as .*a.trace dev0 does'

# pa= all or none
expect_exit 2 "$TCESIM" trace merge "$TMP/apa.trace" "$TMP/b.trace" -o "$TMP/p.trace" --renumber-rids
expect_err "^merge: $TMP/apa.trace gives pa= and $TMP/b.trace does not \(--drop-pa writes none\)$"
expect_exit 0 "$TCESIM" trace merge "$TMP/apa.trace" "$TMP/b.trace" -o "$TMP/p.trace" --renumber-rids --drop-pa
if grep -q 'pa=' "$TMP/p.trace"; then bad "--drop-pa left a pa="; else ok; fi

# A merged declaration that takes the RID of a configured device another
# input uses is refused where that device is first used (one RID, one PE in
# the RTT): nodecl.trace declares nothing and uses the configured dev1
# (02:00.0); bpe2's declaration, moved to the first free bus, lands on 02.
printf 'tcesim-trace 1\n0 cpu0 map dev=0 h=1 size=4096 dir=to_device\n' >"$TMP/nodecl.trace"
sed 's/dma_mask_bits=64/pe=1 dma_mask_bits=64/' "$TMP/b.trace" >"$TMP/bpe2.trace"
expect_exit 0 "$TCESIM" trace merge "$TMP/a.trace" "$TMP/nodecl.trace" "$TMP/bpe2.trace" -o "$TMP/three.trace" --renumber-rids
expect_exit 2 "$TCESIM" run --trace "$TMP/three.trace"
expect_err '^.*three.trace:[0-9]+: dev1 \(devices.1, rid 02:00.0\) is used, but the trace.s dev2 declares that RID: each device needs its own \(declare dev1\)$'
# never an input
expect_exit 2 "$TCESIM" trace merge "$TMP/a.trace" "$TMP/b.trace" -o "$TMP/b.trace" --renumber-rids
expect_err "^OUT: .*b.trace is the same file as IN .*b.trace$"
expect_eq "$(head -2 "$TMP/b.trace" | tail -1)" "device id=0 rid=01:00.0 dma_mask_bits=64" "the input is intact"

# A NIC trace and an NVMe trace merge and replay together: every access of each
# comes out on its own device, nothing lost.
expect_exit 0 "$TCESIM" gen nic-rx --set packets=2000 -o "$TMP/nic.trace"
expect_exit 0 "$TCESIM" gen nvme --set ios=200 -o "$TMP/nv.trace"
expect_exit 0 "$TCESIM" trace merge "$TMP/nic.trace" "$TMP/nv.trace" -o "$TMP/both.bin"
expect_exit 0 "$TCESIM" run --trace "$TMP/nic.trace" --json "$TMP/nic.json"
expect_exit 0 "$TCESIM" run --trace "$TMP/nv.trace" --json "$TMP/nv.json"
expect_exit 0 "$TCESIM" run --trace "$TMP/both.bin" --json "$TMP/both.json"
python3 - "$TMP/nic.json" "$TMP/nv.json" "$TMP/both.json" <<'P' && ok || bad "the merged replay does not add up"
import json, sys
nic, nv, both = (json.load(open(f)) for f in sys.argv[1:])
assert both["run"]["events"] == nic["run"]["events"] + nv["run"]["events"]
d0, d1 = both["devices"][0], both["devices"][1]
assert (d0["reads"], d0["writes"], d0["bytes"]) == (nic["devices"][0]["reads"], nic["devices"][0]["writes"], nic["devices"][0]["bytes"])
assert (d1["reads"], d1["writes"], d1["bytes"]) == (nv["devices"][0]["reads"], nv["devices"][0]["writes"], nv["devices"][0]["bytes"])
assert both["dma"]["lost_bytes"] == 0 and both["host"]["late_starts"] == 0
assert both["allocator"]["maps"] == nic["allocator"]["maps"] + nv["allocator"]["maps"]
P
finish
