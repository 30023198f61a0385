# The functional walk end to end (tests/data/faults.trace): a write through a
# to_device mapping faults and a read does not; DMA after unmap faults; a
# faulted PE is frozen and its later DMA dropped; 64-bit devices bypass.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "$TCESIM" run --trace "$DATA/faults.trace" --json "$TMP/f.json"
j() { json_get "$TMP/f.json" "$1"; }
expect_eq "$(j translation.faults)" 2 "faults"
expect_eq "$(j translation.faults_by_kind.permission)" 1 "permission faults (the write through to_device)"
expect_eq "$(j translation.faults_by_kind.stale)" 1 "stale faults (the write after unmap), apart from permission"
# Loss is counted: the stale write (64 B) faulted, the next one (64 B) was dropped.
expect_eq "$(j dma.lost.faulted_bytes)" 128 "faulted bytes: dev1's write and the stale write"
expect_eq "$(j dma.lost.dropped_bytes)" 64 "dropped bytes"
expect_eq "$(j dma.lost_bytes)" 192 "lost bytes"
expect_eq "$(j devices.2.lost_bytes)" 128 "per device"
expect_eq "$(j pes.2.lost.dropped_bytes)" 64 "per PE"
# ... and said: one warning line naming the first freeze (dev1's write at 100 ns
# reaches the PHB first; 192 of 192 + 8512 bytes is 2.21%).
expect_exit 0 "$TCESIM" run --trace "$DATA/faults.trace" --json "$TMP/f2.json"
grep -v '^warning:' "$TMP/err" >/dev/null && bad "stderr has more than the warning: $(cat "$TMP/err")" || ok
expect_err '^warning: 2.21% of DMA bytes lost: PE 2 froze at 0\.[0-9] us after a permission write \(h=2, line 14\)$'
grep -q '^  warning: 2.21% of DMA bytes lost' "$TMP/out" && ok || bad "the text report's headline does not say it"
expect_eq "$(j devices.0.reads)" 1 "read through to_device"
expect_eq "$(j devices.0.faulted)" 0 "read through to_device does not fault"
expect_eq "$(j devices.1.faulted)" 1 "write through to_device faults"
expect_eq "$(j devices.2.writes)" 1 "write through from_device"
expect_eq "$(j devices.2.faulted)" 1 "write after unmap faults"
expect_eq "$(j devices.2.dropped)" 1 "frozen PE drops"
expect_eq "$(j devices.3.bypass)" True "64-bit mask uses the bypass window"
expect_eq "$(j translation.bypass)" 1 "one bypass TLP"
expect_eq "$(j pes.1.frozen_at_end)" True "PE 2 frozen"
expect_eq "$(j pes.0.frozen_at_end)" False "PE 1 not frozen"
# With EEH recovery the PE thaws and the last write goes through.
expect_exit 0 "$TCESIM" run --trace "$DATA/faults.trace" --set phb.eeh_recovery_ns=500 --json "$TMP/g.json"
expect_eq "$(json_get "$TMP/g.json" devices.2.dropped)" 0 "recovered PE does not drop"
finish
