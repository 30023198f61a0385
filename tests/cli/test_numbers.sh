# One number grammar (traces/FORMAT.md "Numbers", models/common/numparse.h)
# through every door: config JSON, --set, --vary, a trace line, a generator
# key and the command-line flags. Each rejected form is one line on stderr
# naming the key and why, exit 2; every accepted form still works.
. "$(dirname "$0")/lib.sh"

TAB=$(printf '\t')
NS_MAX=9223372036854775      # 2^63 ps in ns, rounded down
NS_OVER=9223372036854776

# ---- config: --set ----
# reject_set KEY=VALUE REGEX
reject_set() { expect_exit 2 "$TCESIM" config "$BW" --set "$1" --json; expect_err "$2"; }
reject_set seed=010 "^seed: bad value '010' \(decimal or 0x hex, no leading zeros\)$"
reject_set host.ram=0100G "^host\.ram: bad value '0100G' \(decimal or 0x hex, no leading zeros\)$"
reject_set "seed=${TAB}1" "^seed: bad value '.1' \(no whitespace around a number\)$"
reject_set "seed=1${TAB}" "^seed: bad value '1.' \(no whitespace around a number\)$"
reject_set "seed= 1" "^seed: bad value ' 1' \(no whitespace around a number\)$"
reject_set "seed=1 " "^seed: bad value '1 ' \(no whitespace around a number\)$"
reject_set "workload.stride=4k" "^workload\.stride: bad value '4k' \(suffixes are K, M, G, T \(powers of 1024\), uppercase\)$"
reject_set "workload.stride=4KiB" "^workload\.stride: bad value '4KiB' \(.*no KiB, KB\)\)$"
reject_set "host.ram=4GB" "^host\.ram: bad value '4GB' \(.*no KiB, KB\)\)$"
reject_set "host.ram=0x1G" "^host\.ram: bad value '0x1G' \(a K, M, G or T suffix only on a decimal\)$"
reject_set "seed=0X10" "^seed: bad value '0X10' \(hex is written with a lowercase 0x\)$"
reject_set "iommu.pools=010" "^iommu\.pools: bad value '010' \(decimal or 0x hex, no leading zeros; or auto\)$"
reject_set "devices.0.tags=010" "^devices\.0\.tags: bad value '010' \(decimal or 0x hex, no leading zeros\)$"
reject_set "pes.2.levels=${TAB}1" "^pes\.2\.levels: bad value '.1' \(no whitespace around a number; or auto\)$"
reject_set "devices.00.tags=4" "^devices\.00\.tags: bad device index '00'$"
reject_set "sim.quantum_ns=$NS_OVER" "^sim\.quantum_ns: '$NS_OVER' too large \(max $NS_MAX ns: times stay below 2\^63 ps\)$"
reject_set "phb.kill_ns=19000000000000000" "^phb\.kill_ns: '19000000000000000' too large \(max $NS_MAX ns"
reject_set "devices.0.read_req_ns=0x21000000000000" "^devices\.0\.read_req_ns: '0x21000000000000' too large"
reject_set "devices.0.read_byte_ps=9223372036854775808" "^devices\.0\.read_byte_ps: '9223372036854775808' too large \(max 9223372036854775807 ps\)$"

# ---- config: JSON ----
# reject_json JSON REGEX
reject_json() { printf '%s' "$1" >"$TMP/c.json"; expect_exit 2 "$TCESIM" config "$TMP/c.json" --json; expect_err "$2"; }
reject_json '{"seed": "010"}' "^seed: bad value '010' \(decimal or 0x hex, no leading zeros\)$"
reject_json '{"seed": "\t1"}' "^seed: bad value '.1' \(no whitespace around a number\)$"
reject_json '{"seed": {}}' '^seed: expected a non-negative integer or a string \("0x1000"\), got an object$'
reject_json '{"seed": [1]}' '^seed: expected a non-negative integer or a string \("0x1000"\), got an array$'
reject_json '{"seed": true}' '^seed: expected a non-negative integer or a string \("0x1000"\), got true$'
reject_json '{"seed": null}' '^seed: expected a non-negative integer or a string \("0x1000"\), got null$'
# Issue 13's config edges: an empty key is named, "_" comments go anywhere
# (device objects too), a NUL byte is an error, not the end of the file, and a
# seed may be any u64 (UINT64_MAX is "auto" only for keys that take auto).
reject_json '{"": 1}' '^"": an empty key$'
reject_json '{"phb": {"": 1}}' '^phb\."": an empty key$'
printf '{"devices": [{"rid": "01:00.0", "_note": "the NIC"}]}' >"$TMP/cm.json"
expect_exit 0 "$TCESIM" config "$TMP/cm.json" --json
printf '{"seed": 1\0}' >"$TMP/nul.json"
expect_exit 2 "$TCESIM" config "$TMP/nul.json"
expect_err 'nul\.json:1: a NUL byte \(the file is not JSON text\)$'
expect_exit 0 "$TCESIM" run "$BW" --set seed=18446744073709551615 --set workload.count=100 --json "$TMP/maxseed.json"
expect_eq "$(head -1 "$TMP/out" | sed 's/.*seed //')" 18446744073709551615 "the headline's seed"
expect_eq "$(python3 -c "import json,sys; print(repr(json.load(open(sys.argv[1]))['run']['seed']))" "$TMP/maxseed.json")" "'18446744073709551615'" "run.seed past 2^63: a decimal string"
expect_exit 2 "$TCESIM" config --set iommu.pools=18446744073709551615
expect_err "^iommu.pools: bad value '18446744073709551615' \(too large \(max 18446744073709551614; or auto\)\)$"
reject_json '{"seed": 1.5}' '^seed: expected a non-negative integer or a string \("0x1000"\), got 1.5$'
reject_json '{"seed": 1e3}' '^seed: expected a non-negative integer or a string \("0x1000"\), got 1000$'
reject_json '{"seed": -1}' '^seed: expected a non-negative integer or a string \("0x1000"\), got -1$'
reject_json '{"host": {"ram": 2.0}}' '^host\.ram: expected a non-negative integer or a string \("64K", "0x1000"\), got 2$'
reject_json '{"phb": {"tce_cache": {"entries": {}}}}' '^phb\.tce_cache\.entries: expected a non-negative integer'
reject_json '{"phb": {"model": {}}}' '^phb\.model: expected a string, got an object$'
reject_json '{"nosuch": {}}' '^nosuch: unknown key$'
reject_json '{"devices": [{"rid": "01:00.0", "tags": {}}]}' '^devices\.0\.tags: expected a non-negative integer'
reject_json '{"pes": {"2": {"levels": 1.5}}}' '^pes\.2\.levels: expected a non-negative integer'
reject_json "{\"sim\": {\"quantum_ns\": $NS_OVER}}" "^sim\.quantum_ns: $NS_OVER too large \(max $NS_MAX ns: times stay below 2\^63 ps\)$"
reject_json '{"memory": {"latency_ns": "19000000000000000"}}' "^memory\.latency_ns: '19000000000000000' too large"

# ---- sweep: --vary values and the flags ----
expect_exit 2 "$TCESIM" sweep "$BW" --vary seed=1,010 --out "$TMP/sw1"
expect_err "^seed: bad value '010' \(decimal or 0x hex, no leading zeros\)$"
[ -e "$TMP/sw1" ] && bad "a sweep directory was made for a bad --vary" || ok
expect_exit 2 "$TCESIM" sweep "$BW" --vary phb.tce_cache.entries=16,32 --seeds 010 --out "$TMP/sw2"
expect_err '^tcesim: --seeds: expected 1..100000'
expect_exit 2 "$TCESIM" sweep "$BW" --vary seed=1,2 --jobs "${TAB}2" --out "$TMP/sw3"
expect_err '^tcesim: --jobs: expected 1..4096'

# ---- run flags ----
expect_exit 2 "$TCESIM" run "$BW" --set workload.count=10 --epoch 010
expect_err '^tcesim: --epoch needs a positive number of nanoseconds'
expect_exit 2 "$TCESIM" run "$BW" --set workload.count=10 --epoch "$NS_OVER"
expect_err "^tcesim: --epoch: $NS_OVER too large \(max $NS_MAX ns\)"
expect_exit 2 "$TCESIM" run "$BW" --set workload.count=10 --timeline "$TMP/tl.csv" --timeline-window "0:${TAB}10"
expect_err '^tcesim: --timeline-window needs FROM_NS:TO_NS'
expect_exit 2 "$TCESIM" run "$BW" --set workload.count=10 --timeline "$TMP/tl.csv" --timeline-window "0:$NS_OVER"
expect_err "^tcesim: --timeline-window: 0:$NS_OVER too large"

# ---- a trace line ----
# reject_trace EVENT-LINES REGEX (after the header and one map)
reject_trace() {
  printf 'tcesim-trace 1\n%s\n' "$1" >"$TMP/t.trace"
  expect_exit 2 "$TCESIM" trace info "$TMP/t.trace"
  expect_err "$2"
}
MAP='0 cpu0 map dev=0 h=1 size=4096 dir=to_device'
reject_trace "0 cpu0 map dev=0 h=010 size=4096 dir=to_device" "t\.trace:2: bad number '010' for h \(decimal or 0x hex, no leading zeros\)$"
reject_trace "010 cpu0 map dev=0 h=1 size=4096 dir=to_device" "t\.trace:2: bad number '010' for time_ns \(decimal or 0x hex, no leading zeros\)$"
reject_trace "0 cpu0 map dev=0 h=1 size=4k dir=to_device" "t\.trace:2: bad number '4k' for size \(suffixes are K, M, G, T \(powers of 1024\), uppercase\)$"
reject_trace "0 cpu0 map dev=0 h=0X1 size=4096 dir=to_device" "t\.trace:2: bad number '0X1' for h \(hex is written with a lowercase 0x\)$"
reject_trace "$(printf '0 cpu0 map dev=0 h=1 size=4096\v dir=to_device')" "t\.trace:2: bad number '4096.' for size \(no whitespace around a number\)$"
reject_trace "$MAP
$NS_OVER dev0 read h=1 off=0 len=64" "t\.trace:3: time_ns $NS_OVER too large \(max $NS_MAX ns: times stay below 2\^63 ps\)$"
reject_trace "$MAP
19000000000000000 dev0 read h=1 off=0 len=64" "t\.trace:3: time_ns 19000000000000000 too large"
# a binary trace's time_ns (no text to parse; the validator checks the range)
printf 'tcesim-trace 1\n%s\n%s dev0 read h=1 off=0 len=64\n' "$MAP" $NS_MAX >"$TMP/max.trace"
expect_exit 0 "$TCESIM" trace convert "$TMP/max.trace" "$TMP/max.bin"
python3 - "$TMP/max.bin" $NS_MAX $NS_OVER <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
old, new = (int(v).to_bytes(8, 'little') for v in sys.argv[2:4])
i = d.rfind(old)
d[i:i + 8] = new
open(sys.argv[1], 'wb').write(d)
PY
expect_exit 2 "$TCESIM" trace info "$TMP/max.bin"
expect_err "max\.bin: offset [0-9]+: record 2: time_ns $NS_OVER too large \(max $NS_MAX ns"
reject_trace "device id=00 rid=01:00.0
$MAP" "t\.trace:2: bad number '00' for id \(decimal or 0x hex, no leading zeros\)$"
reject_trace "0 cpu010 map dev=0 h=1 size=4096 dir=to_device" "t\.trace:2: bad actor 'cpu010'"

# ---- a generator key, the generator's and the importer's flags ----
# reject_gen PATTERN KEY=VALUE REGEX
reject_gen() { expect_exit 2 "$TCESIM" gen "$1" --set "$2" -o "$TMP/g.trace"; expect_err "$3"; }
reject_gen nic-rx queues=010 "^gen nic-rx: queues: bad value '010' \(decimal or 0x hex, no leading zeros\)$"
reject_gen nic-rx "queues=${TAB}4" "^gen nic-rx: queues: bad value '.4' \(no whitespace around a number\)$"
reject_gen nic-rx queues=0X4 "^gen nic-rx: queues: bad value '0X4' \(hex is written with a lowercase 0x\)$"
reject_gen gpu-bulk chunk=4k "^gen gpu-bulk: chunk: bad value '4k' \(suffixes are K, M, G, T \(powers of 1024\), uppercase\)$"
reject_gen nvme read_ns=$NS_OVER "^gen nvme: read_ns: '$NS_OVER' too large \(max $NS_MAX ns: times stay below 2\^63 ps\)$"
reject_gen gpu-bulk gap_ns=19000000000000000 "^gen gpu-bulk: gap_ns: '19000000000000000' too large"
reject_gen nvme seed=010 "^gen nvme: seed: bad value '010' \(decimal or 0x hex, no leading zeros\)$"
[ -e "$TMP/g.trace" ] && bad "a trace was written for a bad generator key" || ok
expect_exit 2 "$TCESIM" gen nvme --seed 010 -o "$TMP/g.trace"
expect_err '^tcesim: --seed: expected a non-negative integer'
expect_exit 2 "$TCESIM" import trace-cmd "$DATA/tracecmd_sample.txt" --delay-ns 010 -o "$TMP/i.trace"
expect_err '^tcesim: --delay-ns: expected a non-negative integer'
expect_exit 2 "$TCESIM" import trace-cmd "$DATA/tracecmd_sample.txt" --delay-ns "$NS_OVER" -o "$TMP/i.trace"
expect_err "^tcesim: --delay-ns: $NS_OVER too large"
expect_exit 2 "$TCESIM" import trace-cmd "$DATA/tracecmd_sample.txt" --chunk 4k -o "$TMP/i.trace"
expect_err '^tcesim: --chunk: expected a size'

# ---- accepted forms still work ----
expect_exit 0 "$TCESIM" config "$BW" --set seed=0 --set workload.count=0x10 --set host.ram=512G --set workload.window=1M \
  --set memory.llc.bytes=0x100000 --set host.m32_base=0x0080000000 --set iommu.window=auto \
  --set sim.quantum_ns=$NS_MAX --set workload.seed=18446744073709551614 --json
cp "$TMP/out" "$TMP/set.json"
expect_eq "$(json_get "$TMP/set.json" seed)" 0 "seed=0"
expect_eq "$(json_get "$TMP/set.json" workload.count)" 16 "hex count"
expect_eq "$(json_get "$TMP/set.json" host.ram)" $((512 << 30)) "512G"
expect_eq "$(json_get "$TMP/set.json" workload.window)" 1048576 "1M"
expect_eq "$(json_get "$TMP/set.json" memory.llc.bytes)" 1048576 "hex size"
expect_eq "$(json_get "$TMP/set.json" host.m32_base)" 2147483648 "hex with leading zeros"
expect_eq "$(json_get "$TMP/set.json" iommu.window)" auto "auto"
expect_eq "$(json_get "$TMP/set.json" sim.quantum_ns)" $NS_MAX "the largest time"
expect_eq "$(json_get "$TMP/set.json" workload.seed)" 18446744073709551614 "a value past 2^63 (a string in JSON)"
expect_exit 0 "$TCESIM" config "$BW" --set host.ram=1T --json
expect_eq "$(json_get "$TMP/out" host.ram)" $((1 << 40)) "1T"
printf '{"seed": 7, "workload": {"count": "0x20", "window": "2M"}, "host": {"ram": 274877906944},
  "sim": {"quantum_ns": %s}, "memory": {"llc": {"bytes": "1M"}}, "devices": [{"rid": "01:00.0", "tags": "0x40"}],
  "pes": {"1": {"levels": 2}}, "phb": {"tce_cache": {"line_fill": true}}}' $NS_MAX >"$TMP/ok.json"
expect_exit 0 "$TCESIM" config "$TMP/ok.json" --json
cp "$TMP/out" "$TMP/ok.out.json"
expect_eq "$(json_get "$TMP/ok.out.json" seed)" 7 "JSON integer"
expect_eq "$(json_get "$TMP/ok.out.json" workload.count)" 32 "JSON hex string"
expect_eq "$(json_get "$TMP/ok.out.json" workload.window)" 2097152 "JSON size string"
expect_eq "$(json_get "$TMP/ok.out.json" host.ram)" 274877906944 "JSON integer above 2^53"
expect_eq "$(json_get "$TMP/ok.out.json" devices.0.tags)" 64 "device key, hex string"
# the resolved config reads back
expect_exit 0 "$TCESIM" config "$TMP/set.json" --json
expect_eq "$(json_get "$TMP/out" workload.seed)" 18446744073709551614 "read back"

printf 'tcesim-trace 1\ndevice id=0 rid=01:00.0 pe=0x1 dma_mask_bits=32\n0 cpu0 map dev=0 h=0x0001 size=64K dir=to_device\n0 cpu0 map_sg dev=0 h=2 sizes=1K,0x1000,1M dir=to_device\n10 dev0 read h=1 off=0x10 len=4K\n%s dev0 read h=2 off=0 len=1K\n' $NS_MAX >"$TMP/ok.trace"
expect_exit 0 "$TCESIM" trace info "$TMP/ok.trace"
grep -q "$NS_MAX" "$TMP/out" && ok || bad "trace info of the accepted forms: $(cat "$TMP/out")"
expect_exit 0 "$TCESIM" gen gpu-bulk --set buffers=0x2 --set chunk=64K --set transfer=1M --set transfers=2 \
  --set gap_ns=0x10 --set seed=0x10 --seed 0 -o "$TMP/g.trace"
expect_exit 0 "$TCESIM" run "$BW" --set workload.count=0x20 --epoch 0x3e8 --timeline "$TMP/tl.csv" --timeline-window 0:0x100000 \
  --json "$TMP/r.json"
expect_exit 0 "$TCESIM" import trace-cmd "$DATA/tracecmd_sample.txt" --delay-ns 0x10 --chunk 4K -o "$TMP/i.trace"
expect_exit 0 "$TCESIM" sweep "$BW" --vary seed=1,0x2 --seeds 1 --jobs 1 --set workload.count=10 --out "$TMP/sw"
finish
