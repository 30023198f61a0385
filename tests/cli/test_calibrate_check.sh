# tcesim calibrate --check PRESET DIR: a short run on tests/data/pcie-bench-mini (rows
# copied from the vendored bdw E5-2630v4 -iommu-nosp files: two 64 B read windows, one
# 64 B write window, one latency window), its measured column against the CSV rows
# worked out here by hand, the same table twice and for any --jobs, the --off twin, --json,
# and the errors: usage, a missing directory, a directory without CSVs, a malformed CSV.
. "$(dirname "$0")/lib.sh"
MINI="$DATA/pcie-bench-mini"
P=xeon-e5-vtd

expect_exit 0 "$TCESIM" calibrate --check $P "$MINI" --count 3000 --jobs 2
cp "$TMP/out" "$TMP/table"
# The rows, by hand: Gb/s = Bytes x 8 / Time (ns), columns 10 and 9 of the HWarm rows.
#   read 64 at 4096:       536870912 x 8 / 136890480.0       = 31.375... -> 31.38
#   read 64 at 1572864.0:  536870912 x 8 / 329395813.3333333 = 13.0389... -> 13.04
#   write 64 at 1048576:   536870912 x 8 / 221478946.66666666 = 19.3922... -> 19.39
#   latency at 262144:     Med(ns), column 17 = 560.0
# (table rows have a window column: 6 fields, 7 for latency's "ns"; the worst lines 5)
measured=$(awk '/^(read|write|latency) / && NF >= 6 {print $(NF-2)}' "$TMP/table" | tr '\n' ' ')
expect_eq "$measured" "31.38 13.04 19.39 560.0 " "measured column"
windows=$(awk '/^(read|write|latency) / && NF >= 6 {print $(NF-3)}' "$TMP/table" | tr '\n' ' ')
expect_eq "$windows" "4K 1.5M 1M 256K " "window column (1572864.0 read as 1.5M)"
grep -q '^latency 64 ns ' "$TMP/table" && ok || bad "no latency row: $(cat "$TMP/table")"
grep -Eq '^worst relative error: [0-9.]+% \((read|write|latency) 64 at [0-9.]+[KM]\)$' "$TMP/table" && ok ||
  bad "no worst line: $(tail -1 "$TMP/table")"
# each error is (tcesim - measured) / measured
awk '/^(read|write) 64 / && NF == 6 {e=($(NF-1)-$(NF-2))/$(NF-2)*100; s=$NF; sub("%","",s); if ((e-s)^2 > 0.01) print}' \
  "$TMP/table" >"$TMP/bad_err"
[ -s "$TMP/bad_err" ] && bad "error column is not (tcesim - measured) / measured: $(cat "$TMP/bad_err")" || ok

# Deterministic: the same table again, one job at a time.
expect_exit 0 "$TCESIM" calibrate --check $P "$MINI" --count 3000 --jobs 1
cmp -s "$TMP/out" "$TMP/table" && ok || bad "the table differs between --jobs 2 and --jobs 1"

# --json FILE: the same points; --json -: JSON on standard output, the table on stderr.
expect_exit 0 "$TCESIM" calibrate --check $P "$MINI" --count 3000 --json "$TMP/c.json"
cmp -s "$TMP/out" "$TMP/table" && ok || bad "--json FILE changed the table"
expect_eq "$(json_get "$TMP/c.json" schema)" "tcesim.calibrate-check/1" "schema"
expect_eq "$(json_get "$TMP/c.json" points.1.window_bytes)" "1572864" "points.1.window_bytes"
expect_eq "$(json_get "$TMP/c.json" points.3.measured)" "560.0" "points.3.measured"
expect_eq "$(json_get "$TMP/c.json" points.0.line)" "3" "points.0.line (the HWarm row of the 4 KiB window)"
expect_exit 0 "$TCESIM" calibrate --check $P "$MINI" --count 3000 --json -
python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$TMP/out" && ok || bad "--json - is not JSON"
grep -q '^worst relative error' "$TMP/err" && ok || bad "--json -: no table on stderr"

# --off: the same directory as its own twin, through the bypass window (no lookups).
expect_exit 0 "$TCESIM" calibrate --check $P "$MINI" --off "$MINI" --count 3000
expect_eq "$(awk '/^off / && NF >= 7' "$TMP/out" | wc -l | tr -d ' ')" "4" "rows of the --off twin"

# --set: a setting on top of the preset in every run, named in the title and the JSON. The
# device's fixed latency is outside the tag window: 100 ns more moves the latency row by
# 100 ns (within the histogram's ~1% buckets), the window reads' throughput by less than 1%
# (only the active span's ends).
expect_exit 0 "$TCESIM" calibrate --check $P "$MINI" --count 3000 --set devices.0.overhead_ns=320 --json "$TMP/s.json"
head -1 "$TMP/out" | grep -q -- "--set devices.0.overhead_ns=320 " && ok || bad "title lacks --set: $(head -1 "$TMP/out")"
expect_eq "$(json_get "$TMP/s.json" sets.0)" "devices.0.overhead_ns=320" "JSON sets"
l0=$(json_get "$TMP/c.json" points.3.tcesim); l1=$(json_get "$TMP/s.json" points.3.tcesim)
python3 -c "import sys; d=float(sys.argv[2])-float(sys.argv[1]); sys.exit(0 if 93 <= d <= 107 else 1)" "$l0" "$l1" && ok ||
  bad "latency moved from $l0 to $l1 with 100 ns more overhead"
t0=$(json_get "$TMP/c.json" points.0.tcesim); t1=$(json_get "$TMP/s.json" points.0.tcesim)
python3 -c "import sys; a,b=map(float,sys.argv[1:]); sys.exit(0 if abs(b-a) < 0.01*a else 1)" "$t0" "$t1" && ok ||
  bad "read 64 at 4K moved from $t0 to $t1 with 100 ns more overhead"
expect_exit 2 "$TCESIM" calibrate --check $P "$MINI" --set no.such.key=1
expect_err "no.such.key"
expect_exit 2 "$TCESIM" calibrate --check $P "$MINI" --set novalue
expect_err "^tcesim calibrate: --set needs key=value$"

# Errors: one line, exit 2.
expect_exit 2 "$TCESIM" calibrate --check $P "$TMP/none"
expect_err "^$TMP/none: No such file or directory$"
mkdir -p "$TMP/empty" && echo x >"$TMP/empty/notes.txt"
expect_exit 2 "$TCESIM" calibrate --check $P "$TMP/empty"
expect_err "^$TMP/empty: no pcie-bench sweep file here"
mkdir -p "$TMP/bad"
cp "$MINI"/*.csv "$TMP/bad/"
sed -i '3s/,4096,64,/,4096,128,/' "$TMP/bad/bw_dma_win_sweep_rd_rnd_64.csv"
expect_exit 2 "$TCESIM" calibrate --check $P "$TMP/bad"
expect_err "^$TMP/bad/bw_dma_win_sweep_rd_rnd_64.csv:3: SZ '128' is not the file name's size 64$"
cp "$MINI"/*.csv "$TMP/bad/"
sed -i '2s/,HWarm,0,0,1048576,64,265774736/,HWarm,0,0,1048576,64/' "$TMP/bad/bw_dma_win_sweep_wr_rnd_64.csv"
expect_exit 2 "$TCESIM" calibrate --check $P "$TMP/bad"
expect_err "^$TMP/bad/bw_dma_win_sweep_wr_rnd_64.csv:2: 12 fields, the header has 13$"
cp "$MINI"/*.csv "$TMP/bad/"
expect_exit 2 "$TCESIM" calibrate --check $P "$MINI" --off "$TMP/none"
expect_err "^$TMP/none: No such file or directory$"
expect_exit 2 "$TCESIM" calibrate --check no-such-preset "$MINI"
expect_err "no-such-preset"
expect_exit 2 "$TCESIM" calibrate --check $P
expect_err "^tcesim calibrate: --check needs PRESET and DIR$"
expect_exit 2 "$TCESIM" calibrate --check $P "$MINI" --count 0
expect_err "^tcesim calibrate: --count needs a positive number of accesses$"
expect_exit 2 "$TCESIM" calibrate --check $P "$MINI" --bogus
expect_err "^tcesim calibrate: unknown option '--bogus'"
# An output never replaces an input.
expect_exit 2 "$TCESIM" calibrate --check $P "$TMP/bad" --json "$TMP/bad/lat_dma_sweep_rd_rnd_64.csv"
expect_err "same file"
cmp -s "$TMP/bad/lat_dma_sweep_rd_rnd_64.csv" "$MINI/lat_dma_sweep_rd_rnd_64.csv" && ok || bad "--json overwrote an input"
# Outputs: a directory that does not exist is refused before anything runs; a full disk,
# for --json or standard output, is exit 1.
expect_exit 2 "$TCESIM" calibrate --check $P "$MINI" --count 3000 --json "$TMP/nodir/c.json"
expect_err "^--json: $TMP/nodir/c.json: No such file or directory$"
ln -s /dev/full "$TMP/full.json"
expect_exit 1 "$TCESIM" calibrate --check $P "$MINI" --count 3000 --json "$TMP/full.json"
expect_err "No space left on device"
"$TCESIM" calibrate --check $P "$MINI" --count 3000 >/dev/full 2>"$TMP/err"
expect_eq "$?" "1" "exit code with standard output full"
# The runs' scratch directory cannot be made: exit 1, one line naming it.
TMPDIR="$TMP/none" "$TCESIM" calibrate --check $P "$MINI" --count 3000 >"$TMP/out" 2>"$TMP/err"
expect_eq "$?" "1" "exit code without a scratch directory"
expect_err "^$TMP/none/tcesim-calibrate-XXXXXX: No such file or directory$"
finish
