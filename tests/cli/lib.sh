# Shared helpers for the CLI tests: $TCESIM, $DATA, $SRC, a temp dir, checks.
set -u
TCESIM=$1
DATA=$2
SRC=$3
# The window workload as the embedded default ran it before the default
# scenario (configs/bench-window.json): for tests that drive workload.*
BW="$SRC/configs/bench-window.json"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
FAILS=0
PASSES=0

ok() { PASSES=$((PASSES + 1)); }
bad() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

# expect_exit CODE CMD... : runs CMD, checks its exit code; stderr in $TMP/err
expect_exit() {
  local want=$1; shift
  "$@" >"$TMP/out" 2>"$TMP/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then ok; else bad "exit $got, wanted $want: $* ($(head -c 300 "$TMP/err"))"; fi
}
# expect_err REGEX : stderr is exactly one line matching REGEX
expect_err() {
  local lines
  lines=$(wc -l <"$TMP/err")
  if [ "$lines" -ne 1 ]; then bad "stderr has $lines lines, wanted 1: $(cat "$TMP/err")"; return; fi
  if grep -Eq -- "$1" "$TMP/err"; then ok; else bad "stderr '$(cat "$TMP/err")' does not match '$1'"; fi
}
# json_get FILE PATH : a value from a JSON file (python3 is Debian's, always there with cmake's deps)
json_get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split('.'):
    d = d[int(k)] if isinstance(d, list) else d[k]
print(d)" "$1" "$2"; }
expect_eq() { if [ "$1" = "$2" ]; then ok; else bad "$3: got '$1', wanted '$2'"; fi; }
finish() { echo "$PASSES passed, $FAILS failed"; [ "$FAILS" -eq 0 ]; exit $?; }
