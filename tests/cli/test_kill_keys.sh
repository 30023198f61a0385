# The PHB4 kill-queue keys reach the PHB: phb.kill_slots, phb.kill_ns and
# phb.kill_sync_ns each change the report (issue 9 s.3: they were dropped on
# the way to the model and every setting gave the same numbers).
. "$(dirname "$0")/lib.sh"

# One map of 8 IO pages (32 KiB at 4K TCEs) on PHB4 without the firmware's
# PE escalation (the phb4 preset has it on, as skiboot since 2021; off here): OPAL stores one page kill per TCE into the kill queue, then
# a DMA read sync waits for the queue to drain (skiboot hw/phb4.c
# phb4_tce_kill). Nothing else runs, so the run ends when the map does.
t="$TMP/k.trace"
cat >"$t" <<'T'
tcesim-trace 1
device id=0 rid=01:00.0 pe=1 dma_mask_bits=32
0 cpu0 map dev=0 h=1 size=32768 dir=to_device pa=0x200000
T
run() { # NAME SETTINGS...
  local n=$1; shift
  expect_exit 0 "$TCESIM" run phb4 --trace "$t" --set iommu.page_size=4K --set host.kill_escalate_pe=false "$@" --json "$TMP/$n.json"
}
run base
run sync --set phb.kill_sync_ns=40000
run slow --set phb.kill_ns=2000 --set phb.kill_slots=1
run slow4 --set phb.kill_ns=2000 --set phb.kill_slots=4
sim() { json_get "$TMP/$1.json" run.simulated_ns; }
expect_eq "$(json_get "$TMP/base.json" translation.kills.page)" 8 "one page kill per TCE"
expect_eq "$(json_get "$TMP/base.json" translation.kills.syncs)" 1 "one sync per OPAL call"
# The sync is the last thing the map waits for: 40000 - 400 ns more.
expect_eq "$(python3 -c "print('%.1f' % ($(sim sync) - $(sim base)))")" 39600.0 "kill_sync_ns lengthens the map by its change"
expect_eq "$(json_get "$TMP/base.json" translation.kills.sync_ns)" 400.0 "an idle queue: the sync costs kill_sync_ns"
# 8 kills of 2 us through one slot: every store after the first waits for a slot.
expect_eq "$(json_get "$TMP/slow.json" translation.kills.queue_waits)" 7 "one slot: 7 of 8 stores wait"
expect_eq "$(json_get "$TMP/slow4.json" translation.kills.queue_waits)" 4 "four slots: the last 4 of 8 stores wait"
# The PHB works through the queue one kill at a time, so the sync ends
# 8 x 2000 + 400 ns after the first store; with 20 ns kills it ended 400 ns
# after the last store, 7 x 60 + 60 ns (host.kill_store_ns) after the first:
# 16400 - 880 = 15520 ns more.
expect_eq "$(python3 -c "print('%.1f' % ($(sim slow) - $(sim base)))")" 15520.0 "kill_ns paces the queue"
# A deeper queue frees the CPU's stores sooner, not the sync.
expect_eq "$(sim slow4)" "$(sim slow)" "the sync waits for the queue to drain either way"
python3 -c "import sys; sys.exit(0 if $(json_get "$TMP/slow.json" translation.kills.queue_wait_ns) > $(json_get "$TMP/slow4.json" translation.kills.queue_wait_ns) > 0 else 1)" && ok ||
  bad "kill_slots does not change the stores' wait"
finish
