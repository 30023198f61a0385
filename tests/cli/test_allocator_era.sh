# The allocator by kernel era, end to end (host.kernel: seed = Linux 4.4,
# modern = Linux 6.6; issue 9 section 1): the bus addresses of the mappings
# CSV are the kernel's, worked out by hand in the comments; and a map_sg
# that fails part way is unwound and counted instead of crashing.
. "$(dirname "$0")/lib.sh"

bus_of() { sed -n "$2p" "$1" | cut -d, -f6; }   # CSV row (1 = header) -> bus_addr
DEV='device id=0 rid=01:00.0 pe=1 dma_mask_bits=32'

# 1. The large-pool last resort (iommu_range_alloc: Linux 6.6 only). 2 MiB of
# 4 KiB TCEs, 4 KiB CPU pages, 1 CPU: 512 entries, 1 pool [0,384), large
# [384,512). 61440-byte maps take 15 entries on 16-entry blocks: the 24th at
# entry 368 (0x170000); the 25th finds no room below 383: 6.6 takes the large
# pool (384 << 12 = 0x180000), 4.4 fails.
t="$TMP/fill.trace"
{ echo "tcesim-trace 1"; echo "$DEV"
  for h in $(seq 1 25); do printf '%d cpu0 map dev=0 h=%d size=61440 pa=0x%x dir=to_device\n' "$h" "$h" $((h << 20)); done
} >"$t"
FILL="--set host.page_size=4K --set iommu.window=2M --set iommu.page_size=4K --set host.cpus=1"
for k in seed modern; do
  # shellcheck disable=SC2086
  expect_exit 0 "$TCESIM" run phb3 --trace "$t" $FILL --set host.kernel=$k --mappings "$TMP/fill_$k.csv" --json "$TMP/fill_$k.json"
  expect_eq "$(bus_of "$TMP/fill_$k.csv" 25)" 0x170000 "$k: 24th map"
done
expect_eq "$(bus_of "$TMP/fill_seed.csv" 26)" fail "seed: no large-pool fallback"
expect_eq "$(json_get "$TMP/fill_seed.json" allocator.failures)" 1 "seed: the failure counted"
expect_eq "$(bus_of "$TMP/fill_modern.csv" 26)" 0x180000 "modern: the large pool last"
# the override: the seed era with the fallback on behaves as 6.6
# shellcheck disable=SC2086
expect_exit 0 "$TCESIM" run phb3 --trace "$t" $FILL --set host.kernel=seed --set iommu.large_pool_fallback=true --mappings "$TMP/fill_on.csv"
expect_eq "$(bus_of "$TMP/fill_on.csv" 26)" 0x180000 "seed + large_pool_fallback=true"
# and from a JSON config, as a boolean: the modern era without it fails like 4.4
printf '{"host": {"kernel": "modern"}, "iommu": {"large_pool_fallback": false}}\n' >"$TMP/nofb.json"
# shellcheck disable=SC2086
expect_exit 0 "$TCESIM" run "$TMP/nofb.json" --trace "$t" $FILL --mappings "$TMP/fill_off.csv"
expect_eq "$(bus_of "$TMP/fill_off.csv" 26)" fail "modern + large_pool_fallback=false"

# 2. The pool hash: 1 GiB of 4 KiB TCEs, 4 pools of 49152 entries. cpu1 hashes
# to (0x9e370001 >> 30) = pool 2 in 4.4 (bus 98304 << 12 = 0x18000000), to
# (0x61C88647 >> 30) = pool 1 in 6.6 (0xc000000).
t="$TMP/hash.trace"
printf 'tcesim-trace 1\n%s\n0 cpu1 map dev=0 h=1 size=4096 pa=0x1000000 dir=to_device\n' "$DEV" >"$t"
HASH="--set iommu.window=1G --set iommu.page_size=4K --set host.cpus=2"
# shellcheck disable=SC2086
expect_exit 0 "$TCESIM" run phb3 --trace "$t" $HASH --set host.kernel=seed --mappings "$TMP/h_seed.csv"
expect_eq "$(bus_of "$TMP/h_seed.csv" 2)" 0x18000000 "seed: legacy hash, pool 2"
# shellcheck disable=SC2086
expect_exit 0 "$TCESIM" run phb3 --trace "$t" $HASH --set host.kernel=modern --mappings "$TMP/h_modern.csv"
expect_eq "$(bus_of "$TMP/h_modern.csv" 2)" 0xc000000 "modern: pool 1"
# shellcheck disable=SC2086
expect_exit 0 "$TCESIM" run phb3 --trace "$t" $HASH --set host.kernel=seed --set iommu.pool_hash=modern --mappings "$TMP/h_over.csv"
expect_eq "$(bus_of "$TMP/h_over.csv" 2)" 0xc000000 "seed + pool_hash=modern"

# 3. A coherent buffer with 64 KiB TCEs under 4 KiB CPU pages, 4096 bytes at
# pa 0x12345000: 6.6 counts IOMMU_PAGE_ALIGN(4096) >> 16 = 1 page, entry 1,
# and returns mapping | (pa & 0xffff) = 0x15000; 4.4 counts 4096 >> 16 = 0
# pages and fails. A device read through it reaches the buffer (no fault).
t="$TMP/coh.trace"
printf 'tcesim-trace 1\n%s\n0 cpu0 alloc dev=0 h=1 size=4096 pa=0x12345000\n100 dev0 read h=1 off=0 len=64\n' "$DEV" >"$t"
COH="--set iommu.window=1G --set iommu.page_size=64K --set host.page_size=4K"
# shellcheck disable=SC2086
expect_exit 0 "$TCESIM" run phb3 --trace "$t" $COH --set host.kernel=modern --mappings "$TMP/c_modern.csv" --json "$TMP/c_modern.json"
expect_eq "$(bus_of "$TMP/c_modern.csv" 2)" 0x15000 "modern: coherent offset kept"
expect_eq "$(json_get "$TMP/c_modern.json" translation.faults)" 0 "modern: the read is translated"
# shellcheck disable=SC2086
expect_exit 0 "$TCESIM" run phb3 --trace "$t" $COH --set host.kernel=seed --mappings "$TMP/c_seed.csv"
expect_eq "$(bus_of "$TMP/c_seed.csv" 2)" fail "seed: 0 pages, refused"

# 4. The table is at least one CPU page of TCEs: 16 MiB of 4 KiB TCEs with
# 64 KiB CPU pages becomes 8192 entries (a 32 MiB window): 1 pool of 6144,
# large from 6144; a 1 MiB map (256 pages) starts the large pool: 6144 << 12
# = 0x1800000, and the PHB's window reaches it (the read is translated).
t="$TMP/tbl.trace"
printf 'tcesim-trace 1\n%s\n0 cpu0 map dev=0 h=1 size=1M pa=0x1000000 dir=to_device\n100 dev0 read h=1 off=0xff000 len=64\n' "$DEV" >"$t"
for k in seed modern; do
  expect_exit 0 "$TCESIM" run phb3 --trace "$t" --set host.kernel=$k --set iommu.window=16M --set iommu.page_size=4K \
    --set iommu.levels=1 --mappings "$TMP/t_$k.csv" --json "$TMP/t_$k.json"
  expect_eq "$(bus_of "$TMP/t_$k.csv" 2)" 0x1800000 "$k: 8192-entry table"
  expect_eq "$(json_get "$TMP/t_$k.json" translation.faults)" 0 "$k: inside the TVE window"
done

# 5. A map_sg failing part way (16 MiB TCEs: the NVMe sg lists soon find no
# room) used to crash (exit 139): now it unwinds, is counted, and the run ends.
expect_exit 0 "$TCESIM" gen nvme --set ios=200 -o "$TMP/n.trace"
expect_exit 0 "$TCESIM" run phb3 --trace "$TMP/n.trace" --set iommu.page_size=16M --json "$TMP/n.json"
python3 -c "import json,sys; a=json.load(open(sys.argv[1]))['allocator']
sys.exit(0 if a['failures'] > 0 and a['map_sg_unwinds'] > 0 and a['map_sg_unwinds'] <= a['failures'] else 1)" "$TMP/n.json" \
  && ok || bad "map_sg unwinds not counted: $(python3 -c "import json; print(json.load(open('$TMP/n.json'))['allocator'])")"
expect_eq "$(json_get "$TMP/n.json" allocator.pages_in_use)" 0 "everything unwound or unmapped"

# A map_sg failing part way on one CPU while another CPU maps: the kernel
# allocates segment by segment, releasing the pool lock in between, and its
# unwind clears the TCEs before it frees their bits (__iommu_free), so the
# other CPU's mapping is never cleared under it. 1 MiB window of 4 KiB TCEs
# (256 entries), 600 segments of 4 KiB: the map_sg fails; cpu1's map at
# 100 ns (one segment into the map_sg) gets entry 16, past the map_sg's
# first block (hint ALIGN(2, 16)), and its read much later does not fault.
t="$TMP/race.trace"
sizes=$(printf '4096,%.0s' $(seq 2 600))4096
printf 'tcesim-trace 1\ndevice id=0 rid=01:00.0 pe=1\n0 cpu0 map_sg dev=0 h=1 sizes=%s dir=to_device\n100 cpu1 map dev=0 h=2 size=4096 dir=to_device\n200000 dev0 read h=2 off=0 len=64\n' "$sizes" >"$t"
for k in seed modern; do
  expect_exit 0 "$TCESIM" run phb3 --trace "$t" --set host.kernel=$k --set host.page_size=4K --set iommu.page_size=4K \
    --set iommu.window=1M --set host.cpus=2 --json "$TMP/race_$k.json" --mappings "$TMP/race_$k.csv"
  expect_eq "$(awk -F, '$5==2 {print $6}' "$TMP/race_$k.csv")" 0x10000 "$k: cpu1 maps between two map_sg segments"
  expect_eq "$(json_get "$TMP/race_$k.json" translation.faults)" 0 "$k: the unwind does not clear cpu1's TCE"
  expect_eq "$(json_get "$TMP/race_$k.json" allocator.map_sg_unwinds)" 1 "$k: the map_sg unwound"
  expect_eq "$(json_get "$TMP/race_$k.json" allocator.pages_in_use)" 1 "$k: only cpu1's page is left"
done

# Coherent buffers are naturally aligned to their order, as the page
# allocator gives them to iommu_alloc_coherent (alloc_pages_node(order)): a
# 12 KiB buffer (order 2 with 4 KiB pages: 16 KiB) never straddles a 64 KiB
# IO page, so Linux 6.6's IOMMU_PAGE_ALIGN(size) >> shift = 1 TCE covers it.
t="$TMP/coh.trace"
{
  echo "tcesim-trace 1"
  echo "device id=0 rid=01:00.0 pe=1"
  for h in $(seq 1 40); do echo "0 cpu0 alloc dev=0 h=$h size=12K"; done
  for h in $(seq 1 40); do echo "1000 dev0 read h=$h off=0 len=12K"; done
} >"$t"
expect_exit 0 "$TCESIM" run phb3 --trace "$t" --set host.kernel=modern --set host.page_size=4K --set iommu.page_size=64K \
  --json "$TMP/coh.json"
expect_eq "$(json_get "$TMP/coh.json" translation.faults)" 0 "coherent buffers do not straddle an IO page"
expect_eq "$(json_get "$TMP/coh.json" dma.bytes)" $((40 * 12288)) "every coherent byte read"
finish
