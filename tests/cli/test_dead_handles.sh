# Memory bounded by what is live (issue 13): a dropped handle is remembered
# among the latest sim.dead_handles drops; a stale access through an older
# one is counted (dma.stale_untracked) and warned about, not simulated, and
# the replay's memory does not grow with the handles ever used.
. "$(dirname "$0")/lib.sh"
T=$TCESIM
t=$TMP/dead.trace
{
  echo "tcesim-trace 1"
  ts=0
  for h in 1 2 3 4 5 6 7 8 9 10; do
    echo "$ts cpu0 map dev=0 h=$h size=4096 dir=bidirectional"; ts=$((ts + 1000))
    echo "$ts dev0 read h=$h off=0 len=64"; ts=$((ts + 1000))
    echo "$ts cpu0 unmap h=$h"; ts=$((ts + 1000))
  done
  # h=1 and h=2: dropped 10 and 9 drops ago; h=9: 2 drops ago
  echo "$ts dev0 read h=1 off=0 len=64"; ts=$((ts + 1000))
  echo "$ts dev0 read h=2 off=0 len=64"; ts=$((ts + 1000))
  echo "$ts dev0 read h=9 off=0 len=64"
} >"$t"
# 4 remembered: h=7..10; h=1 and h=2 are forgotten, h=9 is a simulated stale read
expect_exit 0 "$T" run "$BW" --trace "$t" --set sim.dead_handles=4 --json "$TMP/a.json"
expect_eq "$(json_get "$TMP/a.json" dma.stale_untracked)" 2 "dma.stale_untracked"
expect_eq "$(json_get "$TMP/a.json" devices.0.stale_untracked)" 2 "devices.0.stale_untracked"
expect_eq "$(json_get "$TMP/a.json" pes.0.stale_untracked)" 2 "pes.0.stale_untracked"
expect_eq "$(json_get "$TMP/a.json" translation.faults_by_kind.stale)" 1 "the remembered stale read faults"
expect_eq "$(json_get "$TMP/a.json" dma.reads)" 10 "reads simulated: the 10 live ones (the stale one faulted)"
grep -q "^warning: 2 stale accesses not simulated: through handles dropped more than sim.dead_handles=4 drops before" "$TMP/err" && ok \
  || bad "no untracked warning: $(cat "$TMP/err")"
grep -q "stale untracked (not simulated) 2" "$TMP/out" && ok || bad "the text report does not say it"
# remembering 10 or more: the first stale read (h=1) faults and freezes the PE, nothing untracked
expect_exit 0 "$T" run "$BW" --trace "$t" --set sim.dead_handles=10 --json "$TMP/b.json"
expect_eq "$(json_get "$TMP/b.json" dma.stale_untracked)" 0 "dma.stale_untracked with 10 remembered"
expect_eq "$(json_get "$TMP/b.json" translation.faults_by_kind.stale)" 1 "h=1's stale read faults"
expect_eq "$(json_get "$TMP/b.json" dma.dropped)" 2 "the frozen PE drops the other two"
grep -q "not simulated" "$TMP/err" && bad "an untracked warning without untracked accesses" || ok
# the binary reader behaves the same
expect_exit 0 "$T" trace convert "$t" "$TMP/dead.bin"
expect_exit 0 "$T" run "$BW" --trace "$TMP/dead.bin" --set sim.dead_handles=4 --json "$TMP/c.json"
expect_eq "$(json_get "$TMP/c.json" dma.stale_untracked)" 2 "binary trace: dma.stale_untracked"
# an unmap of a forgotten handle is an error, one that was never mapped (outside the range) too
printf '999999 cpu0 unmap h=3\n' >>"$t"
expect_exit 2 "$T" run "$BW" --trace "$t" --set sim.dead_handles=4
expect_err "^$t:35: handle 3 is not mapped \(never, or dropped more than sim.dead_handles=4 drops ago\)$"
sed -i '$d' "$t"; printf '999999 dev0 read h=77 off=0 len=64\n' >>"$t"
expect_exit 2 "$T" run "$BW" --trace "$t" --set sim.dead_handles=4
expect_err "^$t:35: handle 77 was never mapped$"
expect_exit 2 "$T" run "$BW" --trace "$t" --set sim.dead_handles=0
expect_err "^sim.dead_handles: "

# Handles reused (a NIC's ring slots) past many evictions: a mapping made
# again on a handle is never taken for the dropped one it replaced (the
# feeder told records by address, which a freed record's successor reuses:
# "handle 522 was never mapped" on a 300 000-packet nic-rx trace)
expect_exit 0 "$T" gen nic-rx --set packets=20000 -o "$TMP/nic.bin"
# (ASan's quarantine would keep freed addresses from coming back: off)
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0" \
  expect_exit 0 "$T" run "$BW" --trace "$TMP/nic.bin" --set sim.dead_handles=16 --json "$TMP/nic16.json"
expect_exit 0 "$T" run "$BW" --trace "$TMP/nic.bin" --json "$TMP/nic.json"
for f in dma.reads dma.writes dma.bytes run.tlps translation.faults dma.stale_untracked; do
  expect_eq "$(json_get "$TMP/nic16.json" $f)" "$(json_get "$TMP/nic.json" $f)" "nic-rx with 16 remembered vs the default: $f"
done

# Bounded: 200 000 map/read/unmap triples with every handle distinct; with
# 1000 remembered, the peak RSS stays within a few MB of a 2 000-handle run
# (remembering all: about 500 bytes more a handle).
gen_distinct() { # gen_distinct N FILE
  python3 - "$1" "$2" <<'PY'
import sys
n = int(sys.argv[1])
with open(sys.argv[2], "w") as f:
    f.write("tcesim-trace 1\n")
    t = 0
    for h in range(1, n + 1):
        f.write("%d cpu0 map dev=0 h=%d size=4096 dir=to_device\n%d dev0 read h=%d off=0 len=64\n%d cpu0 unmap h=%d\n"
                % (t, h, t + 100, h, t + 200, h))
        t += 300
PY
}
gen_distinct 200000 "$TMP/big.trace"; "$T" trace convert "$TMP/big.trace" "$TMP/big.bin"
gen_distinct 2000 "$TMP/small.trace"; "$T" trace convert "$TMP/small.trace" "$TMP/small.bin"
# every access found its handle after 199 000 removals from the reader's
# table (backward-shift deletion keeps the probe runs whole)
expect_exit 0 "$T" run "$BW" --trace "$TMP/big.bin" --set sim.dead_handles=1000 --json "$TMP/big.json"
expect_eq "$(json_get "$TMP/big.json" dma.reads)" 200000 "reads of the 200 000-handle trace"
expect_eq "$(json_get "$TMP/big.json" dma.stale_untracked)" 0 "untracked in the 200 000-handle trace"
# ASan holds freed memory in its quarantine (RSS would grow with frees): off here
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"
rss() { /usr/bin/time -f %M "$T" run "$BW" --trace "$1" --set sim.dead_handles=1000 2>&1 >/dev/null | tail -1; }
small=$(rss "$TMP/small.bin"); big=$(rss "$TMP/big.bin")
all=$(/usr/bin/time -f %M "$T" run "$BW" --trace "$TMP/big.bin" --set sim.dead_handles=4294967296 2>&1 >/dev/null | tail -1)
echo "peak RSS: 2000 handles $small KB, 200000 handles $big KB (1000 remembered), $all KB (all remembered)"
[ $((big - small)) -lt 16384 ] && ok || bad "200 000 distinct handles took $((big - small)) KB more than 2 000"
[ $((all - big)) -gt 40000 ] && ok || bad "remembering every handle took only $((all - big)) KB more: the check would not catch a leak"
finish
