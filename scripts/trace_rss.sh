#!/usr/bin/env bash
# Peak RSS of reading a binary trace to the end, for 1 M, 10 M and 100 M
# events (.bin and .bin.zst): a replay's reader must not grow with the
# trace's length. Not part of `make test` (the 100 M trace is 4 GB).
#
#   scripts/trace_rss.sh [BUILD_DIR] [WORK_DIR] [COUNTS...]
#
# BUILD_DIR: a Release build with bench/tcesim_trace_rss (default build);
# WORK_DIR: where the traces go (default a fresh /tmp dir, removed at the
# end); COUNTS: default "1000000 10000000 100000000". Prints one line per
# file: events, file bytes, peak RSS (getrusage ru_maxrss, KiB; and
# /usr/bin/time's when it exists), seconds.
set -euo pipefail

build=${1:-build}
work=${2:-}
shift $(( $# > 2 ? 2 : $# ))
counts=("$@")
[[ ${#counts[@]} -gt 0 ]] || counts=(1000000 10000000 100000000)

tool=$build/bench/tcesim_trace_rss
if [[ ! -x $tool ]]; then
  echo "trace_rss.sh: $tool not found (cmake --build $build --target tcesim_trace_rss)" >&2
  exit 2
fi
cleanup=0
if [[ -z $work ]]; then
  work=$(mktemp -d /tmp/tcesim-trace-rss-XXXXXX)
  cleanup=1
fi
mkdir -p "$work"

printf '%-12s %-9s %14s %14s %14s %9s\n' events format file_bytes maxrss_kib time_v_kib seconds
for n in "${counts[@]}"; do
  for fmt in bin bin.zst; do
    f=$work/t$n.$fmt
    "$tool" gen "$n" "$f"
    out=$("$tool" read "$f")
    tv=-
    if [[ -x /usr/bin/time ]]; then
      tv=$( { /usr/bin/time -v "$tool" read "$f" >/dev/null; } 2>&1 |
            awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }')
    fi
    ev=$(sed -E 's/.*events=([0-9]+).*/\1/' <<<"$out")
    rss=$(sed -E 's/.*maxrss_kib=([0-9]+).*/\1/' <<<"$out")
    sec=$(sed -E 's/.*seconds=([0-9.]+).*/\1/' <<<"$out")
    printf '%-12s %-9s %14s %14s %14s %9s\n' "$ev" "$fmt" "$(stat -c %s "$f")" "$rss" "$tv" "$sec"
    rm -f "$f"
  done
done
if (( cleanup )); then rmdir "$work"; fi
