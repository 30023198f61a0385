# One line per error and the right exit code (issue 13): usage text only
# with --help, disk full is exit 1 in every command, outputs are checked
# before anything runs, --timeline-window needs --timeline.
. "$(dirname "$0")/lib.sh"
T=$TCESIM

# usage errors: exactly one line, exit 2, pointing at --help
usage_err() { expect_exit 2 "$T" "$@"; expect_err "^tcesim: .*--help"; }
usage_err run --bogus
usage_err config --bogus
usage_err frob
usage_err
usage_err trace
usage_err trace frob
usage_err import
usage_err import ftrace x
usage_err gen
usage_err gen --foo
usage_err gen window --foo
usage_err sweep --bogus
expect_exit 2 "$T" run --bogus; expect_err "^tcesim: unknown option '--bogus' \(tcesim run --help\)$"
expect_exit 2 "$T"; expect_err "^tcesim: a command is needed: run, config, gen, trace, import, sweep, report or calibrate \(tcesim --help\)$"
# --help prints the usage on stdout and exits 0
for c in "" run gen trace import sweep report calibrate; do
  expect_exit 0 "$T" $c --help
  [ "$(wc -l <"$TMP/out")" -ge 2 ] && ok || bad "tcesim $c --help printed $(wc -l <"$TMP/out") lines"
  [ -s "$TMP/err" ] && bad "tcesim $c --help wrote to stderr" || ok
done

# --help after any subcommand or pattern
for c in "trace merge" "trace info" "trace convert" "import trace-cmd" "gen window" "gen nic-rx"; do
  expect_exit 0 "$T" $c --help
  grep -q "^usage: " "$TMP/out" && ok || bad "tcesim $c --help printed no usage"
done
# "-" is standard output only where a command says so (run --json -)
expect_exit 2 "$T" run "$BW" --set workload.count=10 --mappings -
expect_err "^--mappings: -: standard output is not an output here"
expect_exit 2 "$T" run "$BW" --set workload.count=10 --timeline -
expect_err "^--timeline: -: standard output is not an output here"
[ -e ./- ] && bad "a file named - was written" || ok
# a digit string is an integer in a report only above 2^63 - 1 (as tcesim writes those)
"$T" run "$BW" --set workload.count=10 --json "$TMP/r.json" >/dev/null 2>&1
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["dma"]["reads"]="12"; json.dump(d,open(sys.argv[1],"w"))' "$TMP/r.json"
if /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  expect_exit 2 "$T" report "$TMP/r.json" -o "$TMP/r.html"
  expect_err "dma.reads: expected an integer, got a string$"
fi

expect_exit 2 "$T" run "$BW" --set workload.count=10 --timeline-window 0:100
expect_err "^tcesim: --timeline-window needs --timeline FILE"

# Disk full is a runtime failure (exit 1) in every command that writes: a
# link to /dev/full keeps the name's format and writes straight to it.
"$T" gen window --set count=2000 -o "$TMP/w.bin" 2>/dev/null
ln -s /dev/full "$TMP/full.bin"; ln -s /dev/full "$TMP/full.trace"; ln -s /dev/full "$TMP/full.json"
full() { expect_exit 1 "$@"; expect_err "No space left on device"; }
full "$T" gen window --set count=2000 -o "$TMP/full.bin"
full "$T" trace convert "$TMP/w.bin" "$TMP/full.trace"
full "$T" trace merge "$TMP/w.bin" "$TMP/w.bin" -o "$TMP/full.bin"
full "$T" import trace-cmd "$DATA/import/knew_tracecmd.txt" -o "$TMP/full.bin"
"$T" run "$BW" --set workload.count=10 --json "$TMP/full.json" >/dev/null 2>"$TMP/err"; expect_eq "$?" 1 "run --json to a full disk"
"$T" run "$BW" --set workload.count=10 --mappings "$TMP/full.json" >/dev/null 2>"$TMP/err"; expect_eq "$?" 1 "run --mappings to a full disk"
"$T" run "$BW" --set workload.count=10 >/dev/full 2>"$TMP/err"; expect_eq "$?" 1 "run, standard output full"
"$T" trace info "$TMP/w.bin" >/dev/full 2>"$TMP/err"; expect_eq "$?" 1 "trace info, standard output full"
"$T" config >/dev/full 2>"$TMP/err"; expect_eq "$?" 1 "config, standard output full"
# an input that is not there is bad input (exit 2), in every command
expect_exit 2 "$T" trace convert "$TMP/none.bin" "$TMP/x.trace"; expect_err "^$TMP/none.bin: No such file or directory$"
expect_exit 2 "$T" trace info "$TMP/none.bin"; expect_err "^$TMP/none.bin: No such file or directory$"
expect_exit 2 "$T" run --trace "$TMP/none.bin"; expect_err "No such file or directory$"

# Output paths are checked before the simulation runs: a directory that
# does not exist fails at once, nothing simulated (the run would take
# seconds), and nothing is left.
start=$(date +%s%N)
expect_exit 2 "$T" run "$BW" --set workload.count=50000000 --json "$TMP/nodir/x.json"
expect_err "^--json: $TMP/nodir/x.json: No such file or directory$"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 3000 ] && ok || bad "--json into a missing directory took $ms ms: the run went ahead"
expect_exit 2 "$T" run "$BW" --set workload.count=50000000 --timeline "$TMP/nodir/t.json"
expect_err "^--timeline: $TMP/nodir/t.json: No such file or directory$"
expect_exit 2 "$T" trace convert "$TMP/w.bin" "$TMP/nodir/w.trace"
expect_err "nodir/w.trace: No such file or directory$"
expect_eq "$(find "$TMP" -name '.*.tcesim-*' | wc -l)" 0 "temp files left by the checks"

# import reads its REPORT twice: a pipe is refused, not turned into an empty trace
cat "$DATA/import/knew_tracecmd.txt" | "$T" import trace-cmd /dev/stdin -o "$TMP/pipe.bin" >/dev/null 2>"$TMP/err"
expect_eq "$?" 2 "import from a pipe"
expect_err "^/dev/stdin: not a regular file: import reads REPORT twice"
[ -e "$TMP/pipe.bin" ] && bad "import from a pipe wrote a trace" || ok

# A single huge access is legal but slow: said up front, once, with its size
t=$TMP/huge.trace
printf 'tcesim-trace 1\n0 cpu0 map dev=0 h=1 size=4096 dir=bidirectional\n1000000 dev0 read addr=0x0 len=1G\n2000000 dev0 write addr=0x0 len=2G\n' >"$t"
expect_exit 0 "$T" run "$BW" --trace "$t"
head -1 "$TMP/err" | grep -qx "$t:3: warning: dev0 reads 1073741824 bytes (1.0 GiB) in one access by raw bus address (no mapping bounds it): simulated TLP by TLP, about a second of wall time a GiB" \
  && ok || bad "no up-front warning for a 1 GiB access: $(head -2 "$TMP/err")"
expect_eq "$(grep -c 'in one access' "$TMP/err")" 1 "huge-access warnings (once a run)"
printf 'tcesim-trace 1\n0 cpu0 map dev=0 h=1 size=64M dir=bidirectional\n1000000 dev0 read h=1 off=0 len=64M\n' >"$t"
expect_exit 0 "$T" run "$BW" --trace "$t"
grep -q 'in one access' "$TMP/err" && bad "a 64 MiB access warned about" || ok

# As an ordinary user (CI runs as root, which may write anywhere): a
# directory it cannot write is refused before the run; --json /dev/stdout
# with standard output on a device works and writes the JSON there.
if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  as_nobody() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups -- "$@"; }
  if as_nobody test -r "$BW" && as_nobody test -x "$T"; then
    mkdir "$TMP/ro"; chmod 755 "$TMP/ro"; chmod 755 "$TMP"
    as_nobody "$T" run "$BW" --set workload.count=50000000 --json "$TMP/ro/x.json" >/dev/null 2>"$TMP/err"
    expect_eq "$?" 2 "nobody: --json into a directory it cannot write"
    expect_err "^--json: $TMP/ro/x.json: Permission denied$"
    as_nobody "$T" run "$BW" --set workload.count=1000 --json /dev/stdout 2>"$TMP/err" | cat >/dev/null
    # stdout is a pipe the text report also goes to: refused as the same file
    expect_err "^--json: /dev/stdout is the same file as standard output"
    as_nobody script -qec "$T run $BW --set workload.count=1000 --json /dev/stdout" /dev/null >"$TMP/tty.out" 2>&1
    expect_eq "$?" 0 "nobody: --json /dev/stdout on a terminal"
    grep -q '"schema": "tcesim.report/1"' "$TMP/tty.out" && ok || bad "nobody: no JSON on the terminal: $(head -c 300 "$TMP/tty.out")"
    as_nobody "$T" run "$BW" --set workload.count=1000 --json - 2>/dev/null >/dev/null
    expect_eq "$?" 0 "nobody: --json - to /dev/null"
  else
    echo "note: nobody cannot read the build or the source: the ordinary-user checks are skipped"
  fi
fi
finish
