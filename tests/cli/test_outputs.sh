# Outputs never destroy anything (README "Outputs"): an output that is an
# input or another output is refused, temp files are created exclusively
# under `.NAME.tcesim-XXXXXX` and never follow a planted link, FIFOs and
# devices are written straight, an empty path is an error, and standard
# output is checked to its close.
. "$(dirname "$0")/lib.sh"

SMALL="--set workload.count=2000"
D=$TMP/o
mkdir "$D"
"$TCESIM" gen nvme --set ios=20 -o "$D/t.trace" 2>/dev/null || bad "gen for the fixtures"
cp "$D/t.trace" "$D/t.orig"
# unchanged FILE ORIG WHAT: FILE still holds ORIG's bytes (restored if not,
# so that each case is checked on its own)
unchanged() { if cmp -s "$1" "$2"; then ok; else bad "$3: $1 was changed"; cp "$2" "$1"; fi; }
# no_temps DIR: no temp file (new or old pattern) left in DIR
no_temps() {
  local left
  left=$(ls -A "$1" | grep -E '\.tcesim-|\.tmp$' | grep -v "${2:-^$}")
  [ -z "$left" ] && ok || bad "temp files left in $1: $left"
}
# expect_full CODE REGEX CMD... : CMD with standard output on /dev/full
# (the full-disk stand-in; only read, never replaced)
expect_full() {
  local want=$1 re=$2; shift 2
  "$@" >/dev/full 2>"$TMP/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then ok; else bad "exit $got, wanted $want with stdout on /dev/full: $*"; fi
  expect_err "$re"
}

# ---- An output that is an input: refused, exit 2, the input untouched ----
expect_exit 2 "$TCESIM" run --trace "$D/t.trace" --json "$D/t.trace"
expect_err "^--json: .*t\.trace is the same file as --trace .*t\.trace$"
unchanged "$D/t.trace" "$D/t.orig" "run --json T"
for opt in --mappings --timeline; do
  expect_exit 2 "$TCESIM" run --trace "$D/t.trace" $opt "$D/t.trace"
  expect_err "^$opt: .* is the same file as --trace "
  unchanged "$D/t.trace" "$D/t.orig" "run $opt T"
done
# through a symlink, a hard link and another spelling of the path
ln -s t.trace "$D/sym.trace"
ln "$D/t.trace" "$D/hard.trace"
expect_exit 2 "$TCESIM" run --trace "$D/t.trace" --json "$D/sym.trace"
expect_err "^--json: .*sym\.trace is the same file as --trace "
expect_exit 2 "$TCESIM" run --trace "$D/sym.trace" --json "$D/hard.trace"
expect_err "^--json: .*hard\.trace is the same file as --trace "
expect_exit 2 "$TCESIM" run --trace "$D/t.trace" --mappings "$D/./t.trace"
expect_err "same file as --trace"
unchanged "$D/t.trace" "$D/t.orig" "run through links"
[ -L "$D/sym.trace" ] && ok || bad "the symlink was replaced"

# the config file
cp "$SRC/configs/phb3.json" "$D/c.json"
cp "$D/c.json" "$D/c.orig"
expect_exit 2 "$TCESIM" run "$D/c.json" --json "$D/c.json"
expect_err "^--json: .*c\.json is the same file as CONFIG "
unchanged "$D/c.json" "$D/c.orig" "run CFG --json CFG"

# trace convert IN IN, import trace-cmd R -o R
expect_exit 2 "$TCESIM" trace convert "$D/t.trace" "$D/sym.trace"
expect_err "^OUT: .*sym\.trace is the same file as IN .*t\.trace$"
expect_exit 2 "$TCESIM" trace convert "$D/t.trace" "$D/t.trace"
unchanged "$D/t.trace" "$D/t.orig" "trace convert T T"
cp "$DATA/tracecmd_sample.txt" "$D/r.txt"
cp "$D/r.txt" "$D/r.orig"
ln -s r.txt "$D/r.trace"
expect_exit 2 "$TCESIM" import trace-cmd "$D/r.txt" -o "$D/r.trace"
expect_err "^-o: .*r\.trace is the same file as REPORT .*r\.txt$"
unchanged "$D/r.txt" "$D/r.orig" "import R -o R"

# standard output appended to an input
"$TCESIM" trace info "$D/t.trace" >>"$D/t.trace" 2>"$TMP/err"
expect_eq "$?" 2 "trace info T >> T"
expect_err "^stdout: is the same file as FILE .*t\.trace$"
"$TCESIM" run --trace "$D/t.trace" >>"$D/t.trace" 2>"$TMP/err"
expect_eq "$?" 2 "run --trace T >> T"
expect_err "^stdout: is the same file as --trace .*t\.trace$"
"$TCESIM" config "$D/c.json" >>"$D/c.json" 2>"$TMP/err"
expect_eq "$?" 2 "config CFG >> CFG"
expect_err "^stdout: is the same file as CONFIG .*c\.json$"
unchanged "$D/t.trace" "$D/t.orig" "stdout appended to the trace"
unchanged "$D/c.json" "$D/c.orig" "stdout appended to the config"

# a sweep whose point report would replace its CONFIG; report's page over its input
S=$TMP/s
mkdir "$S"
cp "$SRC/configs/phb3.json" "$S/phb.tce_cache.entries=16.json"
cp "$S/phb.tce_cache.entries=16.json" "$S/c.orig"
expect_exit 2 "$TCESIM" sweep "$S/phb.tce_cache.entries=16.json" --vary phb.tce_cache.entries=16,32 $SMALL --out "$S"
expect_err "^--out: .*entries=16\.json is the same file as CONFIG "
unchanged "$S/phb.tce_cache.entries=16.json" "$S/c.orig" "sweep over its CONFIG"
# a sweep removes the temp files a killed writer of a point's report left
# (it holds DIR's lock), and nothing else: a link or a file planted at a
# temp name stays, its target untouched
W=$TMP/w
mkdir -p "$W"
echo precious >"$TMP/w-victim"
ln -s "$TMP/w-victim" "$W/.seed=1.json.tcesim-Ab12Cd"
echo partial >"$W/.seed=2.json.tcesim-xYz789"
# a real one: a writer of seed=2.json killed outright (its temp is made at the start)
"$TCESIM" run "$BW" --set workload.count=50000000 --mappings "$W/seed=2.json" >/dev/null 2>&1 &
kp=$!
for i in $(seq 300); do [ "$(ls -A "$W" | grep -c tcesim-)" -ge 3 ] && break; sleep 0.1; done
kill -KILL $kp; wait $kp 2>/dev/null
expect_eq "$(ls -A "$W" | grep -c tcesim-)" 3 "the killed writer's temp file is there"
expect_exit 0 "$TCESIM" sweep "$BW" --vary seed=1,2 $SMALL --out "$W" --jobs 1
expect_eq "$(ls -A "$W" | grep tcesim- | sort | tr '\n' ' ')" ".seed=1.json.tcesim-Ab12Cd .seed=2.json.tcesim-xYz789 " "only the killed writer's temp removed"
grep -q "note: .*/\.seed=2\.json\.tcesim-.*: removed, a temp file an interrupted run left" "$TMP/err" && ok || bad "no note for the removed temp: $(cat "$TMP/err")"
expect_eq "$(cat "$TMP/w-victim")" precious "a planted link's target"
expect_eq "$(cat "$TMP/w-victim")" precious "the stale link's target"
expect_exit 0 "$TCESIM" run "$BW" $SMALL --json "$S/a.json"
cp "$S/a.json" "$S/a.orig"
expect_exit 2 "$TCESIM" report "$S/a.json" -o "$S/./a.json"
expect_err "^-o: .*a\.json is the same file as RUN\.json .*a\.json$"
unchanged "$S/a.json" "$S/a.orig" "report -o RUN.json"

# ---- Two outputs the same: refused before anything is written ----
expect_exit 2 "$TCESIM" run "$BW" $SMALL --json "$D/f.out" --mappings "$D/f.out"
expect_err "^--mappings: .*f\.out is the same file as --json .*f\.out$"
expect_exit 2 "$TCESIM" run "$BW" $SMALL --json "$D/f.out" --timeline "$D/./f.out"
expect_err "^--timeline: .* is the same file as --json "
[ -e "$D/f.out" ] && bad "a refused run wrote an output" || ok
echo old >"$D/g.out"
ln "$D/g.out" "$D/g2.out"
expect_exit 2 "$TCESIM" run "$BW" $SMALL --mappings "$D/g.out" --json "$D/g2.out"
expect_err "^--mappings: .*g\.out is the same file as --json .*g2\.out$"
expect_eq "$(cat "$D/g.out")" old "a refused run leaves an existing output"

# ---- Empty paths and directories: bad input ----
for opt in --json --mappings --timeline; do
  expect_exit 2 "$TCESIM" run "$BW" $SMALL $opt ''
  expect_err "^$opt: empty path$"
done
expect_exit 2 "$TCESIM" gen nvme --set ios=5 -o ''
expect_err "^-o: empty path$"
expect_exit 2 "$TCESIM" trace convert "$D/t.trace" ''
expect_err "^OUT: empty path$"
expect_exit 2 "$TCESIM" import trace-cmd "$D/r.txt" -o ''
expect_err "^-o: empty path$"
mkdir "$D/dir"
expect_exit 2 "$TCESIM" run "$BW" $SMALL --json "$D/dir"
expect_err "^--json: .*dir: Is a directory$"
[ -d "$D/dir" ] && ok || bad "the directory was replaced"

# ---- Temp files: exclusive, never a planted link, none left ----
P=$TMP/p
mkdir "$P"
echo precious >"$P/victim"
# the old temp name and the new pattern: planted links and a planted file
ln -s victim "$P/r.json.tmp"
ln -s victim "$P/.r.json.tcesim-AAAAAA"
echo planted >"$P/.r.json.tcesim-BBBBBB"
ln -s victim "$P/m.csv.tmp"
ln -s victim "$P/t.json.tmp"
ln -s victim "$P/g.trace.tmp"
expect_exit 0 "$TCESIM" run "$BW" $SMALL --json "$P/r.json" --mappings "$P/m.csv" --timeline "$P/t.json"
expect_exit 0 "$TCESIM" gen nvme --set ios=5 -o "$P/g.trace"
expect_eq "$(cat "$P/victim")" precious "a planted link's target was written"
[ -L "$P/.r.json.tcesim-AAAAAA" ] && [ -L "$P/r.json.tmp" ] && ok || bad "a planted link was removed"
expect_eq "$(cat "$P/.r.json.tcesim-BBBBBB")" planted "a planted file was touched"
for f in r.json m.csv t.json g.trace; do
  [ -f "$P/$f" ] && [ ! -L "$P/$f" ] && ok || bad "$f not written as a regular file"
done
# the only temp-like names are the planted ones
left=$(ls -A "$P" | grep -E '\.tcesim-' | grep -Ev '^\.r\.json\.tcesim-(AAAAAA|BBBBBB)$')
[ -z "$left" ] && ok || bad "temp files left: $left"
# a failed run leaves neither the output nor a temp file
expect_exit 2 "$TCESIM" run --trace "$DATA/no-such.trace" --json "$P/x.json"
[ -e "$P/x.json" ] && bad "an output was left by a failed run" || ok
no_temps "$P" '^\.r\.json\.tcesim-\(AAAAAA\|BBBBBB\)$\|\.tmp$'

# an output that is a symlink to a regular file: the link stays, its target
# gets the output
echo old >"$P/real.json"
ln -s real.json "$P/link.json"
expect_exit 0 "$TCESIM" run "$BW" $SMALL --json "$P/link.json"
[ -L "$P/link.json" ] && ok || bad "the output's symlink was replaced by a file"
expect_eq "$(json_get "$P/real.json" schema)" "tcesim.report/1" "the link's target holds the report"
# a dangling link: the file appears where it points
ln -s made.json "$P/dangling.json"
expect_exit 0 "$TCESIM" run "$BW" $SMALL --json "$P/dangling.json"
[ -L "$P/dangling.json" ] && [ -f "$P/made.json" ] && ok || bad "a dangling link's target was not created"

# ---- Not regular files: written straight, never replaced ----
F=$TMP/f
mkdir "$F"
# through_fifo FIFO CMD... : CMD writing to the FIFO FIFO while a reader
# copies it to FIFO.got. A FIFO replaced by a file would leave the reader
# waiting for a writer: it is stopped then.
through_fifo() {
  local fifo=$1; shift
  mkfifo "$fifo"
  timeout 60 cat "$fifo" >"$fifo.got" &
  local reader=$!
  expect_exit 0 "$@"
  [ -p "$fifo" ] && ok || { bad "the FIFO $fifo was replaced: $*"; kill "$reader"; }
  wait "$reader" 2>/dev/null
}
through_fifo "$F/fifo" "$TCESIM" run "$BW" $SMALL --json "$F/fifo"
expect_eq "$(json_get "$F/fifo.got" schema 2>/dev/null)" "tcesim.report/1" "the report came through the FIFO"
through_fifo "$F/m.fifo" "$TCESIM" run "$BW" $SMALL --mappings "$F/m.fifo"
head -1 "$F/m.fifo.got" | grep -q '^time_ns,cpu,op' && ok || bad "--mappings through a FIFO"
through_fifo "$F/g.trace" "$TCESIM" gen nvme --set ios=5 -o "$F/g.trace"
head -1 "$F/g.trace.got" | grep -q '^tcesim-trace 1' && ok || bad "gen -o through a FIFO"
# a /dev/stdout-like link while the text report goes to standard output:
# two outputs into one file or pipe would interleave, so it is refused (the
# JSON on standard output is `--json -`); the link is kept
ln -s /proc/self/fd/1 "$F/so"
"$TCESIM" run "$BW" $SMALL --json "$F/so" 2>"$TMP/err" | cat >"$F/so.out"
[ -L "$F/so" ] && ok || bad "a /dev/stdout-like link was replaced"
expect_err "^--json: .*so is the same file as standard output \\(the text report\\) \\(standard output\\)$"
[ -s "$F/so.out" ] && bad "refused, yet wrote to standard output: $(head -c 100 "$F/so.out")" || ok
# the same with standard output redirected to a file
"$TCESIM" run "$BW" $SMALL --json "$F/so" >"$F/so2.out" 2>"$TMP/err"
expect_err "^--json: .*so is the same file as standard output"
# and --json - beside --mappings /dev/stdout (the review's case)
"$TCESIM" run "$BW" $SMALL --json - --mappings "$F/so" >"$F/so3.out" 2>"$TMP/err"
expect_err "^--mappings: .*so is the same file as --json - \\(standard output\\)$"
# a character device (made here, never the machine's own /dev entries)
if [ "$(id -u)" -eq 0 ] && mknod "$F/null" c 1 3 2>/dev/null; then
  expect_exit 0 "$TCESIM" run "$BW" $SMALL --json "$F/null"
  [ -c "$F/null" ] && ok || bad "the character device was replaced"
  expect_exit 0 "$TCESIM" trace convert "$D/t.trace" "$F/null.trace" # a regular file, next to it
  no_temps "$F"
fi

# ---- Standard output is checked to its close ----
# --json -: the JSON on standard output, the text report on stderr before
# the error
"$TCESIM" run "$BW" $SMALL --json - >/dev/full 2>"$TMP/err"
expect_eq "$?" 1 "run --json - with stdout on /dev/full"
expect_eq "$(tail -n 1 "$TMP/err")" "stdout: No space left on device" "run --json - on a full disk"
expect_full 1 '^stdout: No space left on device$' "$TCESIM" run "$BW" $SMALL
expect_full 1 '^stdout: No space left on device$' "$TCESIM" config "$BW"
expect_full 1 '^stdout: No space left on device$' "$TCESIM" config "$BW" --json
expect_full 1 '^stdout: No space left on device$' "$TCESIM" trace info "$D/t.trace"
expect_full 1 '^stdout: No space left on device$' "$TCESIM" --help
expect_full 1 '^stdout: No space left on device$' "$TCESIM" sweep "$BW" --vary seed=1,2 $SMALL --out "$TMP/sw" --emit parallel
# a closed standard output is an error too, not silence
"$TCESIM" config "$BW" >&- 2>"$TMP/err"
expect_eq "$?" 1 "config with stdout closed"
expect_err '^stdout: Bad file descriptor$'
# run says it before simulating (a 50 M-access run would take a minute)
start=$(date +%s%N)
"$TCESIM" run "$BW" --set workload.count=50000000 >&- 2>"$TMP/err"
expect_eq "$?" 1 "run with stdout closed"
expect_err '^stdout: Bad file descriptor$'
[ $(( ($(date +%s%N) - start) / 1000000 )) -lt 5000 ] && ok || bad "run with stdout closed simulated first"

# ---- A normal run's outputs: deterministic, the same bytes through every path ----
strip_wall() { grep -v wall "$1"; }
expect_exit 0 "$TCESIM" run $SMALL --trace "$D/t.trace" --json "$TMP/a.json" --mappings "$TMP/a.csv"
expect_exit 0 "$TCESIM" run $SMALL --trace "$D/t.trace" --json - --mappings "$TMP/b.csv"
mv "$TMP/out" "$TMP/b.json"
cmp -s <(strip_wall "$TMP/a.json") <(strip_wall "$TMP/b.json") && ok || bad "--json FILE and --json - differ"
cmp -s "$TMP/a.csv" "$TMP/b.csv" && ok || bad "--mappings not deterministic"
no_temps "$TMP"
finish
