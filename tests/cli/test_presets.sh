# The presets in configs/ run, by path and by name, and say what they are.
. "$(dirname "$0")/lib.sh"
for p in phb3 phb4 xeon-e5-vtd; do
  expect_exit 0 "$TCESIM" run "$SRC/configs/$p.json" --set workload.count=2000 --json "$TMP/$p.json"
  expect_exit 0 "$TCESIM" run "$p" --set workload.count=2000 --json "$TMP/$p-name.json"
  if diff <(grep -v '"wall\|"trace"' "$TMP/$p.json") <(grep -v '"wall\|"trace"' "$TMP/$p-name.json") >/dev/null; then ok; else bad "$p by name differs from $p by path"; fi
  grep -q '"_about"' "$SRC/configs/$p.json" && ok || bad "$p has no _about"
done
expect_eq "$(json_get "$TMP/phb4.json" config.phb.model)" phb4 "phb4 preset model"
expect_eq "$(json_get "$TMP/phb4.json" pes.0.levels)" 2 "phb4: modern kernel, 2 levels"
# phb4: skiboot's phb4_tce_kill escalates page kills to a PE kill (HW560152,
# skiboot 2b0b6a1a0): the workload's one map of 1 MiB (16 TCEs of 64 KiB) is one
# OPAL call with one PE kill instead of 16 page kills, and the TCE cache line
# buffer is off (HW557787, skiboot 15b93a301: phb.walk_cache.lines=0).
expect_eq "$(json_get "$TMP/phb4.json" allocator.kills.pe)" 1 "phb4: one PE kill"
expect_eq "$(json_get "$TMP/phb4.json" allocator.kills.page)" 0 "phb4: no page kill"
expect_eq "$(json_get "$TMP/phb4.json" allocator.kills.escalated_pages)" 16 "phb4: 16 pages escalated"
expect_eq "$(json_get "$TMP/phb4.json" config.phb.walk_cache.lines)" 0 "phb4: no TCE cache line buffer"
# By hand: without the escalation the map stores 16 kills instead of 1, each
# host.kill_store_ns = 60 ns; the queue (4 slots, 20 ns a kill) never makes a
# store wait and is empty 20 ns after the last store, before the sync starts,
# so the map is 15 x 60 = 900 ns longer.
expect_exit 0 "$TCESIM" run phb4 --set workload.count=2000 --set host.kill_escalate_pe=false --json "$TMP/phb4-noesc.json"
expect_eq "$(python3 -c "print('%.1f' % ($(json_get "$TMP/phb4-noesc.json" host.ops.map.latency_ns.mean) - $(json_get "$TMP/phb4.json" host.ops.map.latency_ns.mean)))")" 900.0 "phb4: escalation saves 15 kill stores"
expect_eq "$(json_get "$TMP/xeon-e5-vtd.json" pes.0.page_size)" 4096 "xeon: 4 KiB pages"
expect_eq "$(json_get "$TMP/xeon-e5-vtd.json" pes.0.levels)" 4 "xeon: 4-level table"
# The POWER presets' devices carry the NFP6000 costs fitted for xeon-e5-vtd
# (docs/validation.md) and memory.latency_ns=90 (POWER8 lmbench, a proxy).
# One 64 B read at a time (tags 1) in a 256 KiB window, by hand: the device
# part is overhead 220 + read hold 150 + read request 8 + 64 B x 136 ps
# (8.704) = 386.704 ns; the memory part 90 + 64 B at 64 GB/s (1 ns) = 91 ns.
for p in phb3 phb4; do
  expect_exit 0 "$TCESIM" run $p --set workload.window=256K --set workload.count=5000 --set devices.0.tags=1 --json "$TMP/$p-lat.json"
  expect_eq "$(json_get "$TMP/$p-lat.json" dma.breakdown.device.mean)" 386.704 "$p: NFP6000-like device cost"
  expect_eq "$(json_get "$TMP/$p-lat.json" dma.breakdown.memory.mean)" 91.0 "$p: memory 90 ns + 1 ns transfer"
  for d in 0 1 2 3; do
    expect_eq "$(json_get "$TMP/$p.json" config.devices.$d.overhead_ns)" 220 "$p: device $d costs"
  done
done
expect_exit 0 "$TCESIM" config phb3
grep -Eq '^host\.kernel +\= seed' "$TMP/out" && ok || bad "phb3: seed kernel"

# The presets tcesim calibrate fitted (docs/validation.md "Fitting a preset"): each runs by
# name, its _about names its data directory (vendored, present) and the command, and every
# value the _about says was fitted is the value the preset resolves to.
for p in pciebench-bdw-e5-2630v4 pciebench-hsw-e5-2620v3 pciebench-hsw-e5-2637v3 pciebench-ib-e5-2620v2; do
  expect_exit 0 "$TCESIM" run "$p" --set workload.count=2000 --json "$TMP/$p.json"
  about=$(json_get "$SRC/configs/$p.json" _about)
  dir=$(printf '%s\n' "$about" | sed -n 's/^Fitted by `tcesim calibrate \([^ ]*\) .*/\1/p')
  [ -n "$dir" ] && [ -d "$SRC/$dir" ] && ok || bad "$p: _about names no vendored directory ($dir)"
  vals=$(printf '%s\n' "$about" | sed -n 's/.*Fitted values: \(.*\)\. Worst relative error.*/\1/p' | tr -d ',')
  [ "$(printf '%s\n' $vals | wc -l)" -eq 16 ] && ok || bad "$p: _about does not give the 16 fitted values: $vals"
  "$TCESIM" config "$p" >"$TMP/cfg"
  for kv in $vals; do
    k=${kv%%=*} v=${kv#*=}
    grep -Eq "^${k//./\\.} += $v( |$)" "$TMP/cfg" && ok || bad "$p: _about says $kv, tcesim config: $(grep "^$k " "$TMP/cfg")"
  done
done
finish
