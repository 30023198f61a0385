# tcesim calibrate DIR -o PRESET: the fit end to end on a small directory made here, in
# seconds. The "measurements" are what the xeon-e5-vtd preset gives with two device costs
# changed by hand (devices.0.overhead_ns 220 -> 300, devices.0.write_req_ns 15 -> 20), so the
# values a fit must find are known: it starts from the preset's 220 and 15 and must come
# back with 300 (within one latency histogram bucket, about 1%) and 20. A held-out curve
# (128 B writes) gets an absurd value: it must not move the fit, and the final table must
# show it as held out. Then: the preset it writes loads and checks to the same table;
# a budget too small stops the search with its state kept, and the same command resumes
# to the very preset an uninterrupted fit writes; the same result for --jobs 1 and 2; the
# errors, one line each, exit 2; no output over an input.
. "$(dirname "$0")/lib.sh"
P=xeon-e5-vtd
D="$TMP/data"
mkdir -p "$D"

# The two measured points, from runs with the changed costs (points.cpp's command lines:
# a latency point runs one access at a time, count/20 >= 5000 accesses; a throughput point
# runs workload.count accesses of the curve's op, size and window).
"$TCESIM" run $P --set devices.0.overhead_ns=300 --set devices.0.tags=1 --set workload.pattern=random \
  --set workload.op=read --set workload.size=64 --set workload.window=256K --set workload.count=5000 \
  --json "$TMP/lat.json" >/dev/null || bad "latency run"
"$TCESIM" run $P --set devices.0.write_req_ns=20 --set workload.pattern=random --set workload.op=write \
  --set workload.size=64 --set workload.window=4K --set workload.count=3000 --json "$TMP/wr.json" >/dev/null ||
  bad "write run"
lat=$(json_get "$TMP/lat.json" dma.latency_ns.p50)
gbps=$(json_get "$TMP/wr.json" dma.active_throughput_gbps)
# pcie-bench's columns (data/pcie-bench/SOURCE.md): Gb/s = Bytes x 8 / Time (ns).
python3 - "$D" "$lat" "$gbps" <<'EOF'
import sys
d, lat, gbps = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
b = 536870912
def bw(name, test, sz, win, g):
    with open(f"{d}/{name}", "w") as f:
        f.write("Test,PAT,Cache,HO,DO,WinSZ,SZ,Time(cyc),Time,Bytes,Trans,BW (GB/s),Trans/s\n")
        t = b * 8 / g
        f.write(f"{test},Rand,HWarm,0,0,{win},{sz},{int(t * 1.2)},{t!r},{b},{b // sz},{b * 8 / t!r},{b // sz / t * 1e9!r}\n")
bw("bw_dma_win_sweep_wr_rnd_64.csv", "BW_DMA_WR", 64, 4096, gbps)
bw("bw_dma_win_sweep_wr_rnd_128.csv", "BW_DMA_WR", 128, 4096, 1.0)
with open(f"{d}/lat_dma_sweep_rd_rnd_64.csv", "w") as f:
    f.write("Test,PAT,Cache,HO,DO,WinSZ,SZ,TAvg,Avg,Med,Min,Max,95%,99.9%,TAvg(ns),Avg(ns),Med(ns),Min(ns),Max(ns),95%(ns),99.9%(ns),#outliers,#samples\n")
    f.write(f"LAT_DMA_RD,Rand,HWarm,0,0,262144,64,0,0,0,0,0,0,0,0,0,{lat!r},0,0,0,0,0,1000\n")
EOF

FIT=(calibrate "$D" -o "$TMP/fit.json" --base $P --free devices.0.overhead_ns,devices.0.write_req_ns
     --count 3000 --check-count 3000)
expect_exit 0 "$TCESIM" "${FIT[@]}" --jobs 2
cp "$TMP/out" "$TMP/table"
ov=$(json_get "$TMP/fit.json" devices.0.overhead_ns)
wr=$(json_get "$TMP/fit.json" devices.0.write_req_ns)
[ "$ov" -ge 294 ] && [ "$ov" -le 306 ] && ok || bad "overhead_ns fitted to $ov, the data was made with 300"
expect_eq "$wr" "20" "write_req_ns (the data was made with 20)"
# Nothing else moved: the preset is the base with the two values written in.
expect_eq "$(json_get "$TMP/fit.json" devices.0.tags)" "16" "tags (not free)"
expect_eq "$(json_get "$TMP/fit.json" phb.walk_ns)" "210" "phb.walk_ns (not free)"
# (within 0.1%: the latency's histogram bucket leaves overhead_ns a few ns off, which moves
# the write curve's active span by that much)
grep -Eq '^write 64  .* [+-]0\.[01]%$' "$TMP/table" && ok || bad "write 64 not reproduced: $(cat "$TMP/table")"
grep -q '^latency 64 ns .* [+-]0.[0-9]%$' "$TMP/table" && ok || bad "latency not within 1%: $(cat "$TMP/table")"
grep -q '^write 128 .* (held out)$' "$TMP/table" && ok || bad "write 128 not marked held out"
grep -Eq '^worst error on the fitted curves: 0\.[0-9]%; on the held-out curves: [0-9]{3,}\.[0-9]%$' "$TMP/table" && ok ||
  bad "summary line: $(tail -1 "$TMP/table")"
grep -q 'converged' "$TMP/table" && ok || bad "the search did not converge: $(head -1 "$TMP/table")"
grep -q 'fitted curves worst 0\.' "$TMP/fit.json" && ok || bad "_about lacks the errors"
grep -q 'devices.0.overhead_ns=' "$TMP/fit.json" && ok || bad "_about lacks the fitted values"
[ ! -e "$TMP/fit.json.state" ] && ok || bad "the state file outlived a converged fit"

# The preset is a config: --check gives the fit's own rows.
expect_exit 0 "$TCESIM" calibrate --check "$TMP/fit.json" "$D" --count 3000
diff <(grep -E '^(write|latency) ' "$TMP/table" | sed 's/ (held out)$//') <(grep -E '^(write|latency) ' "$TMP/out") \
  >/dev/null && ok || bad "--check on the fitted preset differs from the fit's table"

# Deterministic: --jobs 1 writes the same preset.
expect_exit 0 "$TCESIM" calibrate "$D" -o "$TMP/fit1.json" --base $P --free devices.0.overhead_ns,devices.0.write_req_ns \
  --count 3000 --check-count 3000 --jobs 1
cmp -s "$TMP/fit.json" "$TMP/fit1.json" && ok || bad "--jobs 1 and --jobs 2 fitted different presets"

# A budget of 4 runs (two evaluations of the two fitted points) stops the search early,
# keeping its state; the same command with the
# default budget resumes (no saved evaluation is run again) and writes the same preset as
# the uninterrupted fit.
expect_exit 0 "$TCESIM" "${FIT[@]/fit.json/r.json}" --budget 4
grep -q 'stopped at its budget of 4 runs' "$TMP/err" && ok || bad "no budget message: $(cat "$TMP/err")"
[ -s "$TMP/r.json.state" ] && ok || bad "no state file kept"
grep -q 'stopped by the budget' "$TMP/r.json" && ok || bad "_about does not say the budget stopped it"
expect_exit 0 "$TCESIM" "${FIT[@]/fit.json/r.json}"
grep -q '^calibrate: resuming from .*r.json.state (2 evaluations saved)$' "$TMP/err" && ok ||
  bad "no resume message: $(cat "$TMP/err")"
sed 's#r\.json#fit.json#g' "$TMP/r.json" | cmp -s - "$TMP/fit.json" && ok || bad "the resumed fit differs from the uninterrupted one"
[ ! -e "$TMP/r.json.state" ] && ok || bad "the state file outlived the resumed fit"

# Stopped by a signal mid-search (TERM: a background job's INT is ignored), it dies by it
# (128 + 15), writes no preset, and keeps what it evaluated: the same command finishes the
# same preset.
mkdir -p "$TMP/runs"
TMPDIR="$TMP/runs" "$TCESIM" "${FIT[@]/fit.json/t.json}" >/dev/null 2>"$TMP/t.err" &
pid=$!
for _ in $(seq 200); do
  n=$(grep -c '"sets"' "$TMP/t.json.state" 2>/dev/null)
  [ "${n:-0}" -ge 3 ] && break
  sleep 0.05
done
kill -TERM $pid
wait $pid
expect_eq "$?" "143" "exit status of a fit stopped by TERM"
[ ! -e "$TMP/t.json" ] && ok || bad "a stopped fit wrote its preset"
[ -s "$TMP/t.json.state" ] && ok || bad "a stopped fit lost its state"
expect_exit 0 "$TCESIM" "${FIT[@]/fit.json/t.json}"
grep -q '^calibrate: resuming from' "$TMP/err" && ok || bad "no resume after TERM: $(cat "$TMP/err")"
sed 's#t\.json#fit.json#g' "$TMP/t.json" | cmp -s - "$TMP/fit.json" && ok || bad "the fit resumed after TERM differs"
[ -z "$(ls -A "$TMP/runs")" ] && ok || bad "a run's files outlived the stop: $(ls -A "$TMP/runs")"

# A state file of another fit is refused, not mixed in.
expect_exit 0 "$TCESIM" "${FIT[@]/fit.json/s.json}" --budget 2
expect_exit 2 "$TCESIM" calibrate "$D" -o "$TMP/s.json" --base $P --free devices.0.overhead_ns --count 3000
expect_err "^$TMP/s.json.state: the state of a fit with other inputs .*remove it to start this fit$"
echo '{"schema": "other"}' >"$TMP/s.json.state"
expect_exit 2 "$TCESIM" "${FIT[@]/fit.json/s.json}"
expect_err "^$TMP/s.json.state: not a tcesim calibrate state file"

# Errors: one line, exit 2.
expect_exit 2 "$TCESIM" calibrate "$D" -o "$TMP/e.json" --free devices.0.link
expect_err "^--free: 'devices.0.link' is not a fitted parameter \(tcesim calibrate --help lists them\)$"
expect_exit 2 "$TCESIM" calibrate "$D" -o "$TMP/e.json" --free ,devices.0.tags
expect_err "^tcesim calibrate: --free: an empty name in ',devices.0.tags'$"
# A start value outside the search's range (phb.tce_cache.entries: 1-65536) is refused, not
# moved into it, and leaves no state behind.
expect_exit 2 "$TCESIM" calibrate "$D" -o "$TMP/e.json" --set phb.tce_cache.entries=98304 --free phb.tce_cache.entries
expect_err "^phb.tce_cache.entries: the start value 98304 is outside the fit's range 1-65536"
[ ! -e "$TMP/e.json.state" ] && ok || bad "a refused fit left a state file"
echo '{"schema": ' >"$TMP/e.json.state"
expect_exit 2 "$TCESIM" "${FIT[@]/fit.json/e.json}"
expect_err "^$TMP/e.json.state:[0-9]+: not a tcesim calibrate state file"
rm -f "$TMP/e.json.state"
expect_exit 2 "$TCESIM" calibrate "$D"
expect_err "^tcesim calibrate: -o PRESET.json is needed"
expect_exit 2 "$TCESIM" calibrate -o "$TMP/e.json"
expect_err "^tcesim calibrate: DIR -o PRESET.json fits a preset"
expect_exit 2 "$TCESIM" calibrate "$D" -o "$TMP/e.json" --set no.such.key=1
expect_err "no.such.key"
expect_exit 2 "$TCESIM" calibrate "$D" -o "$TMP/e.json" --budget 0
expect_err "^tcesim calibrate: --budget needs a positive number of runs$"
expect_exit 2 "$TCESIM" calibrate "$TMP/none" -o "$TMP/e.json"
expect_err "^$TMP/none: No such file or directory$"
mkdir -p "$TMP/held"
cp "$D/bw_dma_win_sweep_wr_rnd_128.csv" "$TMP/held/"
expect_exit 2 "$TCESIM" calibrate "$TMP/held" -o "$TMP/e.json"
expect_err "^$TMP/held: no curve to fit here \(only held-out curves"
cp "$D/lat_dma_sweep_rd_rnd_64.csv" "$TMP/keep.csv"
expect_exit 2 "$TCESIM" calibrate "$D" -o "$D/lat_dma_sweep_rd_rnd_64.csv"
expect_err "same file"
cmp -s "$D/lat_dma_sweep_rd_rnd_64.csv" "$TMP/keep.csv" && ok || bad "-o overwrote an input"
[ ! -e "$TMP/e.json" ] && ok || bad "a refused fit wrote its preset"
finish
