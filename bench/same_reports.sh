#!/usr/bin/env bash
# Speed changes must not move a number (issue 14): runs two tcesim binaries
# on the same scenarios and compares their reports byte for byte, wall-clock
# fields removed, their text reports and standard error (loss warnings),
# and the observer files (--epoch, --timeline, --mappings).
# The scenarios cover the default (three devices, host pools, bypass), every
# preset, the generators replayed (window, nic-rx streaming and page_pool,
# nic-tx, nvme, gpu-bulk), several devices on one PHB, faults, an imported
# kernel trace and the README's contention example (1, 2 and 4 pools).
# Usage: bench/same_reports.sh OLD_TCESIM NEW_TCESIM
# Prints one line per scenario, "same" or "DIFF" (with the first lines of the
# difference); exit 1 when any differs.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: bench/same_reports.sh OLD_TCESIM NEW_TCESIM" >&2; exit 2; }
OLD=$(realpath "$1")
NEW=$(realpath "$2")
ROOT=$(realpath "$(dirname "$0")/..")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
N=${N:-200000}

"$NEW" gen window --set count="$N" -o "$T/window.bin" 2>/dev/null
"$NEW" gen window --set count="$N" --set op=write --set size=256 --set window=16M -o "$T/window_wr.bin" 2>/dev/null
"$NEW" gen nic-rx --set packets=$((N / 4)) -o "$T/nicrx.bin" 2>/dev/null
"$NEW" gen nic-rx --set packets=$((N / 4)) --set mode=page_pool -o "$T/nicpp.bin" 2>/dev/null
"$NEW" gen nic-tx --set packets=$((N / 4)) -o "$T/nictx.bin" 2>/dev/null
"$NEW" gen nvme -o "$T/nvme.bin" 2>/dev/null
"$NEW" gen gpu-bulk -o "$T/gpu.bin" 2>/dev/null
"$NEW" import trace-cmd "$ROOT/tests/data/import/knew_tracecmd.txt" -o "$T/knew.bin" 2>/dev/null

# name|arguments to `tcesim run`, word-split; @T@ is the traces' directory,
# @O@ the binary's own output directory, @ROOT@ the repository
SCENARIOS=(
  "default|"
  "default_observed|--epoch 20000 --timeline @O@/timeline.json --mappings @O@/mappings.json"
  "bench_window|@ROOT@/configs/bench-window.json --set workload.count=$N"
  "phb3|phb3 --set workload.count=$N"
  "phb4|phb4 --set workload.count=$N"
  "xeon|xeon-e5-vtd --set workload.count=$N"
  "xeon_write_16M|xeon-e5-vtd --set workload.count=$N --set workload.op=write --set workload.size=256 --set workload.window=16M"
  "replay_window|@ROOT@/configs/bench-window.json --trace @T@/window.bin"
  "replay_window_wr|phb4 --trace @T@/window_wr.bin"
  "nic_rx|--trace @T@/nicrx.bin"
  "nic_rx_page_pool|--trace @T@/nicpp.bin"
  "nic_tx|--trace @T@/nictx.bin --epoch 50000"
  "nvme|--trace @T@/nvme.bin"
  "gpu_bulk|--trace @T@/gpu.bin"
  "faults|--trace @ROOT@/tests/data/faults.trace"
  "imported|--trace @T@/knew.bin"
  "contention_pools1|@ROOT@/examples/contention/config.json --trace @ROOT@/examples/contention/nic16.trace --set iommu.pools=1 --mappings @O@/mappings.json"
  "contention_pools2|@ROOT@/examples/contention/config.json --trace @ROOT@/examples/contention/nic16.trace --set iommu.pools=2 --mappings @O@/mappings.json"
  "contention_pools4|@ROOT@/examples/contention/config.json --trace @ROOT@/examples/contention/nic16.trace --set iommu.pools=4 --mappings @O@/mappings.json"
)

strip_wall() {  # report JSON without wall-clock fields, keys sorted
  python3 - "$1" <<'EOF'
import json, sys
def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items() if not k.startswith("wall")}
    if isinstance(o, list):
        return [strip(v) for v in o]
    return o
r = json.load(open(sys.argv[1]))
r.get("run", {}).pop("version", None)
json.dump(strip(r), sys.stdout, sort_keys=True, indent=1)
EOF
}

bad=0
for s in "${SCENARIOS[@]}"; do
  name=${s%%|*}
  args=${s#*|}
  for who in old new; do
    bin=$OLD; [ $who = new ] && bin=$NEW
    mkdir -p "$T/$who"
    a=${args//@T@/$T}
    a=${a//@O@/$T/$who}
    a=${a//@ROOT@/$ROOT}
    # shellcheck disable=SC2086
    (cd "$ROOT" && "$bin" run $a --json "$T/$who/$name.json" >"$T/$who/$name.out" 2>"$T/$who/$name.err") ||
      echo "exit $?" >>"$T/$who/$name.err"
    if ! strip_wall "$T/$who/$name.json" >"$T/$who/$name.cmp" 2>/dev/null; then
      echo "FAIL  $name ($who): $(head -c 300 "$T/$who/$name.err")"
      bad=1
    fi
    for f in timeline mappings; do
      [ -f "$T/$who/$f.json" ] && mv "$T/$who/$f.json" "$T/$who/$name.$f"
    done
  done
  diffs=""
  for f in "$T/old/$name".*; do
    ext=${f##*.}
    case $ext in out | err | json) continue ;; esac
    cmp -s "$f" "$T/new/$name.$ext" || diffs="$diffs $ext"
  done
  # the text report and standard error (loss warnings), wall-clock lines removed
  for f in out err; do
    cmp -s <(grep -v -i -e wall -e version "$T/old/$name.$f") <(grep -v -i -e wall -e version "$T/new/$name.$f") ||
      diffs="$diffs $f"
  done
  if [ -z "$diffs" ]; then
    echo "same  $name"
  else
    echo "DIFF  $name:$diffs"
    diff "$T/old/$name.cmp" "$T/new/$name.cmp" | head -8 || true
    bad=1
  fi
done
exit $bad
