# Region of interest (sim.warmup_ns): statistics restart at the warm-up's end;
# the state (TCE cache, tables, queues) does not, and what the warm-up lost is
# still counted and said.
. "$(dirname "$0")/lib.sh"
py() { python3 -c "$@"; }

# The default workload with one tag: no merged misses, so the steady-state hit
# rate of uniform random reads is entries x page / window = 64 x 4K / 1M = 0.25.
BASE=("$BW" --set devices.0.tags=1 --set workload.count=200000)
expect_exit 0 "$TCESIM" run "${BASE[@]}" --json "$TMP/w0.json"
# the one-off map: the DMA starts once it is done; warm up exactly that long
MAP_NS=$(py "import json; d=json.load(open('$TMP/w0.json')); print(int(d['cpus'][0]['busy_ns'] + 0.999))")
expect_exit 0 "$TCESIM" run "${BASE[@]}" --set sim.warmup_ns="$MAP_NS" --json "$TMP/w1.json"
py "
import json, sys
d0 = json.load(open('$TMP/w0.json')); d = json.load(open('$TMP/w1.json'))
t = d['translation']; w = $MAP_NS
hr = t['hits'] / t['lookups']
want = min(1.0, 64 * 4096 / (1 << 20))
assert abs(hr - want) < 0.005, ('hit rate', hr, want)
# lookups counted = TLPs after the warm-up (the map came first: all of them
# but those issued within a quantum, 1000 ns, ahead of the cut)
assert t['lookups'] == d['run']['tlps']
# the endpoint counts a TLP when it is timed, before the PHB sees it: at most
# the one in flight (one tag) apart
assert abs(sum(x['read_tlps'] + x['write_tlps'] for x in d['devices']) - t['lookups']) <= 1
assert 0 <= d0['run']['tlps'] - t['lookups'] <= 10, (t['lookups'], d0['run']['tlps'])
assert d['run']['simulated_ns'] == d0['run']['simulated_ns'], 'simulated_ns is the whole run'
assert d['run']['warmup_ns'] == w and abs(d['run']['measured_ns'] - (d0['run']['simulated_ns'] - w)) < 1e-6
# the map's host work was the warm-up's
assert d['allocator']['maps'] == 0 and d['cpus'][0]['busy_ns'] == 0, d['cpus'][0]
assert d0['allocator']['maps'] == 1
# throughput over the measured span
b = d['dma']['bytes']
assert abs(d['dma']['throughput_gbps'] - b * 8 / d['run']['measured_ns']) < 0.01, d['dma']['throughput_gbps']
assert d['warmup']['faults'] == 0 and d['warmup']['lost_bytes'] == 0
assert 'warmup' not in d0 and 'measured_ns' not in d0['run']
" && ok || bad "warm-up over the map: steady-state figures"

# Half the run as warm-up: the cold misses are gone, the cache is not emptied
# (the hit rate stays at the steady state), and lookups = TLPs after it.
HALF=$(py "import json; print(int(json.load(open('$TMP/w0.json'))['run']['simulated_ns'] / 2))")
expect_exit 0 "$TCESIM" run "${BASE[@]}" --set sim.warmup_ns="$HALF" --json "$TMP/w2.json"
py "
import json
d0 = json.load(open('$TMP/w0.json')); d = json.load(open('$TMP/w2.json'))
t = d['translation']
assert 0 < t['lookups'] < d0['translation']['lookups']
assert t['lookups'] == d['run']['tlps'], (t['lookups'], d['run']['tlps'])
assert abs(sum(x['read_tlps'] + x['write_tlps'] for x in d['devices']) - t['lookups']) <= 1
assert abs(t['hits'] / t['lookups'] - 0.25) < 0.005
assert d['dma']['reads'] < d0['dma']['reads'] and d['memory']['reads'] < d0['memory']['reads']
assert d['pes'][0]['lookups'] == t['lookups']
" && ok || bad "warm-up over half the run"

# Faults in the warm-up are not in the measured counts but are said.
expect_exit 0 "$TCESIM" run --trace "$DATA/faults.trace" --json "$TMP/f0.json"
END=$(py "import json; print(int(json.load(open('$TMP/f0.json'))['run']['simulated_ns']))")
expect_exit 0 "$TCESIM" run --trace "$DATA/faults.trace" --set sim.warmup_ns="$END" --json "$TMP/f1.json"
py "
import json
d0 = json.load(open('$TMP/f0.json')); d = json.load(open('$TMP/f1.json'))
assert d0['translation']['faults'] > 0
assert d['translation']['faults'] == 0
assert d['warmup']['faults'] == d0['translation']['faults'], d['warmup']
assert d['warmup']['lost_bytes'] == d0['dma']['lost_bytes'] == d['warmup']['run_lost_bytes'], (d['warmup'], d0['dma']['lost_bytes'])
" && ok || bad "faults in the warm-up are counted and said"
"$TCESIM" run --trace "$DATA/faults.trace" --set sim.warmup_ns="$END" >"$TMP/f1.txt" 2>"$TMP/f1.err"
grep -q "lost in the warm-up: [1-9]" "$TMP/f1.txt" && ok || bad "text report does not say the warm-up's losses"
grep -q "^warning: .* of DMA bytes lost (192 bytes in the warm-up): PE 2 froze" "$TMP/f1.err" && ok || bad "loss warning without the warm-up's: $(cat "$TMP/f1.err")"

# warmup 0 is off: the same report as without the key
expect_exit 0 "$TCESIM" run "${BASE[@]}" --set sim.warmup_ns=0 --json "$TMP/z.json"
py "
import json
a = json.load(open('$TMP/w0.json')); b = json.load(open('$TMP/z.json'))
for d in (a, b):
    for k in list(d['run']):
        if k.startswith('wall'): del d['run'][k]
assert a == b
" && ok || bad "sim.warmup_ns=0 changes the report"
finish
