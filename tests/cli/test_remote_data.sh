# memory.remote_data_ns: the device's buffers on the other socket, the translation tables
# local. What pcie-bench measured (data/pcie-bench, s0-s1-s1 against s0-s0-s0, 64 B reads
# one at a time, Med(ns); docs/validation.md "The far socket"): the unloaded latency grows
# by the same amount with the IOMMU off and on, and the miss penalty does not change
# (Broadwell E5-2630 v4: 560 -> 653 ns off, 840 -> 933 ns on at 8 MiB; 280 ns penalty both).
# So 100 ns of remote data must move a bypass read, a hitting read and a missing read by
# 100 ns each (within the latency histogram's ~1% buckets), and leave the walks alone.
. "$(dirname "$0")/lib.sh"
P=xeon-e5-vtd
lat() { # WINDOW REMOTE [extra --set...]: p50 of one 64 B read at a time
  local w=$1 r=$2; shift 2
  "$TCESIM" run $P --set devices.0.tags=1 --set workload.pattern=random --set workload.size=64 \
    --set workload.window=$w --set workload.count=5000 --set memory.remote_data_ns=$r "$@" --json "$TMP/l.json" \
    >/dev/null || bad "run $w $r $*"
  json_get "$TMP/l.json" dma.latency_ns.p50
}
near() { python3 -c "import sys; d, w = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if abs(d - w) <= 0.015 * float(sys.argv[3]) + 1 else 1)" "$@"; }
for case in "256K hit" "64M miss" "64M bypass"; do
  set -- $case
  extra=(); [ "$2" = bypass ] && extra=(--set devices.0.dma_mask_bits=64)
  a=$(lat "$1" 0 "${extra[@]}"); b=$(lat "$1" 100 "${extra[@]}")
  d=$(python3 -c "print(float('$b') - float('$a'))")
  near "$d" 100 "$b" && ok || bad "$2 at $1: remote data moved the latency by $d ns ($a -> $b), wanted 100"
done
# The miss penalty (64M miss - 256K hit) is the same with and without remote data.
p0=$(python3 -c "print($(lat 64M 0) - $(lat 256K 0))"); p1=$(python3 -c "print($(lat 64M 100) - $(lat 256K 100))")
near "$p1" "$p0" 900 && ok || bad "the miss penalty moved with remote data: $p0 -> $p1 ns"
# Walks: the translation latency of a missing read (lookup and walk, table reads included)
# is the same to the picosecond bucket with and without remote data.
lat 64M 0 >/dev/null; t0=$(json_get "$TMP/l.json" translation.latency_ns.p50)
lat 64M 100 >/dev/null; t1=$(json_get "$TMP/l.json" translation.latency_ns.p50)
expect_eq "$t1" "$t0" "translation latency p50 at 64M (walks) with remote data"
[ "$(json_get "$TMP/l.json" translation.misses)" -gt 4000 ] && ok || bad "the 64M run did not miss"
# Bad values: one line, exit 2.
expect_exit 2 "$TCESIM" run $P --set memory.remote_data_ns=-1
expect_err "memory.remote_data_ns"
finish
