# The replay rule (traces/FORMAT.md, "Replay"): a driver waits for its
# device, so an unmap starts after the device ops on its handle that precede
# it in the trace; a device op after the unmap is stale and faults, or reaches
# whatever has been mapped there since. Loss is counted and said.
. "$(dirname "$0")/lib.sh"

# A busy host's trace-cmd report (scripts/gen_busy_tracecmd.py): NIC tx
# unmaps 2-12 us after their maps, rx 5-50 us, NVMe sg lists 8-40 us. The
# simulated devices are slower than the real ones were; the unmaps wait.
expect_exit 0 "$TCESIM" import trace-cmd "$DATA/tracecmd_busy.txt" -o "$TMP/busy.trace"
expect_exit 0 "$TCESIM" run phb3 --trace "$TMP/busy.trace" --json "$TMP/busy.json"
expect_eq "$(cat "$TMP/err")" "" "no warning when nothing is lost"
j() { json_get "$TMP/busy.json" "$1"; }
expect_eq "$(j translation.faults)" 0 "no fault"
expect_eq "$(j translation.dropped)" 0 "nothing dropped"
expect_eq "$(j dma.lost_bytes)" 0 "nothing lost"
# Every mapped byte moved: the importer touches each buffer once, fully.
mapped=$(awk '$3=="map"||$3=="alloc"{for(i=4;i<=NF;i++) if($i~/^size=/){sub("size=","",$i); s+=$i}}
  $3=="map_sg"{for(i=4;i<=NF;i++) if($i~/^sizes=/){sub("sizes=","",$i); n=split($i,a,","); for(k=1;k<=n;k++) s+=a[k]}}
  END{print s}' "$TMP/busy.trace")
expect_eq "$(j dma.bytes)" "$mapped" "every mapped byte moved"
# Deterministic.
expect_exit 0 "$TCESIM" run phb3 --trace "$TMP/busy.trace" --json "$TMP/busy2.json"
strip() { grep -v wall "$1"; }
[ "$(strip "$TMP/busy.json")" = "$(strip "$TMP/busy2.json")" ] && ok || bad "two runs differ"
# A driver that does not wait (host.unmap_wait=false) loses most of it, and says so.
expect_exit 0 "$TCESIM" run phb3 --trace "$TMP/busy.trace" --set host.unmap_wait=false --json "$TMP/nowait.json"
expect_err '^warning: [0-9.]+% of DMA bytes lost: PE 1 froze at [0-9.]+ us after a stale (read|write) \(h=[0-9]+, line [0-9]+\)$'
python3 -c "import json,sys; d=json.load(open(sys.argv[1]))['translation']['faults_by_kind']; sys.exit(0 if d['stale'] > 0 and d['permission'] == 0 else 1)" "$TMP/nowait.json" && ok ||
  bad "unmaps under the device: the faults are not counted as stale"

# By hand: a 64 KiB read at time 0 takes microseconds on the link; the unmap
# at 100 ns waits for it. The read after the unmap in the trace is stale:
# its TCEs are gone, it faults, freezes PE 1 and is reported.
t="$TMP/h.trace"
cat >"$t" <<'T'
tcesim-trace 1
device id=0 rid=01:00.0 pe=1 dma_mask_bits=32
0    cpu0 map    dev=0 h=1 size=65536 dir=to_device pa=0x200000
0    dev0 read   h=1 off=0 len=65536
100  cpu0 unmap  h=1
200  dev0 read   h=1 off=0 len=64
T
expect_exit 0 "$TCESIM" run --trace "$t" --json "$TMP/h.json"
expect_err '^warning: 0.0976% of DMA bytes lost: PE 1 froze at [0-9.]+ us after a stale read \(h=1, line 6\)$'
expect_eq "$(json_get "$TMP/h.json" dma.bytes)" 65536 "the read before the unmap completes"
expect_eq "$(json_get "$TMP/h.json" translation.faults_by_kind.stale)" 1 "the read after it is stale"
expect_eq "$(json_get "$TMP/h.json" translation.faults_by_kind.permission)" 0 "and not counted as a permission fault"
expect_eq "$(json_get "$TMP/h.json" dma.lost.faulted_bytes)" 64 "its bytes are lost"
# Unmapped under the device, the long read faults part way.
expect_exit 0 "$TCESIM" run --trace "$t" --set host.unmap_wait=false --json "$TMP/hn.json"
expect_eq "$(json_get "$TMP/hn.json" dma.bytes)" 0 "unmapped under the device: nothing completes"
expect_eq "$(json_get "$TMP/hn.json" dma.lost_bytes)" 65600 "both reads lost"

# A stale access whose address has been mapped again reaches the new buffer
# without a fault, as on hardware. 2 MiB window of 4K TCEs, 4K CPU pages:
# 512 entries, one small pool [0, 384), the large pool [384, 512). 64 KiB maps
# are 16 pages, large allocations from the large pool's hint, unaligned
# (iommu_range_alloc): h=1 gets [384, 400), h=2..h=7 the next 96 entries, and
# h=8 finds no room below the limit's last entry (511) from its hint (496),
# rescans from the pool's start and gets [384, 400) again: bus 0x180000.
t="$TMP/r.trace"
{
  echo "tcesim-trace 1"
  echo "device id=0 rid=01:00.0 pe=1 dma_mask_bits=32"
  echo "0 cpu0 map dev=0 h=1 size=65536 dir=bidirectional pa=0x200000"
  echo "10 cpu0 unmap h=1"
  for h in 2 3 4 5 6 7 8; do echo "$((h * 10)) cpu0 map dev=0 h=$h size=65536 dir=bidirectional pa=$((h * 0x100000))"; done
  echo "20000 dev0 read h=1 off=0 len=64   # after h=8's map has completed"
} >"$t"
expect_exit 0 "$TCESIM" run --trace "$t" --set host.page_size=4K --set iommu.page_size=4K --set iommu.window=2M \
  --json "$TMP/r.json" --mappings "$TMP/r.csv"
expect_eq "$(awk -F, '$5==1 && $3=="map"{print $6}' "$TMP/r.csv")" 0x180000 "h=1 at the large pool's start"
expect_eq "$(awk -F, '$5==8 {print $6}' "$TMP/r.csv")" 0x180000 "h=8 reuses h=1's entries"
expect_eq "$(json_get "$TMP/r.json" translation.faults)" 0 "the stale read does not fault"
expect_eq "$(json_get "$TMP/r.json" dma.stale_unfaulted)" 1 "but it is counted"

# An access whose map failed is skipped (the driver got DMA_MAPPING_ERROR),
# counted and said. A 4 MiB buffer cannot fit a 2 MiB window.
t="$TMP/s.trace"
cat >"$t" <<'T'
tcesim-trace 1
device id=0 rid=01:00.0 pe=1 dma_mask_bits=32
0    cpu0 map    dev=0 h=1 size=4194304 dir=to_device
100  dev0 read   h=1 off=0 len=4096
T
expect_exit 0 "$TCESIM" run --trace "$t" --set host.page_size=4K --set iommu.page_size=4K --set iommu.window=2M --json "$TMP/s.json"
expect_err '^warning: 100% of DMA bytes lost: 1 access skipped after a failed map \(first: h=1, line 4\)$'
expect_eq "$(json_get "$TMP/s.json" dma.skipped)" 1 "skipped access"
expect_eq "$(json_get "$TMP/s.json" dma.lost.skipped_bytes)" 4096 "skipped bytes"
expect_eq "$(json_get "$TMP/s.json" devices.0.skipped)" 1 "per device"
expect_eq "$(json_get "$TMP/s.json" pes.0.lost_bytes)" 4096 "per PE"
# A 1 MiB read through an unmapped handle: its first TLP faults and freezes
# the PE, the rest are dropped; the access counts as faulted (it has a
# faulted TLP), its bytes as faulted bytes. The next access is dropped.
t="$TMP/f.trace"
cat >"$t" <<'T'
tcesim-trace 1
device id=0 rid=01:00.0 pe=1
0     cpu0 map    dev=0 h=1 size=1M dir=bidirectional
0     dev0 read   h=1 off=0 len=4096
0     cpu0 unmap  h=1
10    dev0 read   h=1 off=0 len=1M
20000 dev0 read   h=1 off=0 len=4096
T
expect_exit 0 "$TCESIM" run --trace "$t" --json "$TMP/f.json"
# 1 MiB + 4 KiB lost of 1 MiB + 8 KiB offered
expect_err '^warning: 99.6% of DMA bytes lost: PE 1 froze at [0-9.]+ us after a stale read \(h=1, line 6\)$'
expect_eq "$(json_get "$TMP/f.json" dma.faulted)" 1 "the access with a faulted TLP is faulted"
expect_eq "$(json_get "$TMP/f.json" dma.dropped)" 1 "the later one is dropped"
expect_eq "$(json_get "$TMP/f.json" dma.lost.faulted_bytes)" 1048576 "its bytes are faulted bytes"
expect_eq "$(json_get "$TMP/f.json" dma.lost.dropped_bytes)" 4096 "the later one's are dropped bytes"
# A binary trace's positions are records (traces/FORMAT.md).
expect_exit 0 "$TCESIM" trace convert "$t" "$TMP/f.bin"
expect_exit 0 "$TCESIM" run --trace "$TMP/f.bin" --json "$TMP/fb.json"
expect_err 'after a stale read \(h=1, record 4\)$'

# The share never rounds to 100% while bytes moved: 64 B of 4 MiB + 64 B.
t="$TMP/p.trace"
cat >"$t" <<'T'
tcesim-trace 1
device id=0 rid=01:00.0 pe=1
0  cpu0 map    dev=0 h=1 size=4096 dir=to_device
0  cpu0 map    dev=0 h=2 size=4M dir=to_device
0  dev0 read   h=1 off=0 len=64
10 dev0 write  h=2 off=0 len=4M
T
expect_exit 0 "$TCESIM" run --trace "$t" --json "$TMP/p.json"
expect_err '^warning: >99.9% of DMA bytes lost: PE 1 froze at [0-9.]+ us after a permission write \(h=2, line 6\)$'

# A stale access that reaches memory is said too: through a bypass window
# nothing is translated, so DMA after the unmap goes through.
t="$TMP/b.trace"
cat >"$t" <<'T'
tcesim-trace 1
device id=0 rid=01:00.0 pe=1 dma_mask_bits=64
0  cpu0 map    dev=0 h=1 size=4096 dir=bidirectional
0  dev0 read   h=1 off=0 len=4096
0  cpu0 unmap  h=1
10 dev0 read   h=1 off=0 len=4096
T
expect_exit 0 "$TCESIM" run --trace "$t" --json "$TMP/bs.json"
expect_err '^warning: 1 stale access reached memory without a fault \(DMA after its unmap; first: h=1, line 6\)$'
expect_eq "$(json_get "$TMP/bs.json" dma.stale_unfaulted)" 1 "counted"
expect_eq "$(json_get "$TMP/bs.json" dma.lost_bytes)" 0 "not lost"

# An unmap of a mapping whose map failed here is not the driver's bad free:
# the driver got DMA_MAPPING_ERROR and has nothing to unmap.
t="$TMP/u.trace"
cat >"$t" <<'T'
tcesim-trace 1
device id=0 rid=01:00.0 pe=1 dma_mask_bits=32
0    cpu0 map    dev=0 h=1 size=4194304 dir=to_device
100  cpu0 unmap  h=1
T
expect_exit 0 "$TCESIM" run --trace "$t" --set host.page_size=4K --set iommu.page_size=4K --set iommu.window=2M --json "$TMP/u.json"
expect_eq "$(json_get "$TMP/u.json" allocator.failures)" 1 "the map fails"
expect_eq "$(json_get "$TMP/u.json" allocator.bad_frees)" 0 "its unmap is no bad free"
expect_eq "$(json_get "$TMP/u.json" allocator.unmaps_skipped)" 1 "it is skipped, and counted"
finish
