#!/usr/bin/env python3
"""docs/presets.md: every preset's values, each with its source or "guess" and the results it moves.

For every preset in configs/ the page lists each key the preset sets and
each key it leaves at its default that models the machine (all but seed,
sim.* and workload.*). Values come
from `tcesim config PRESET`; provenance from docs/keys.md (itself generated
from sim/params/keys.c); sources and effects from the tables below. A preset
that sets a key with no source here, or a listed key with no effect here, is
an error, and --check (tests/cli/test_presets_doc.sh) fails when the page is
not what this script writes:

    python3 scripts/presets_doc.py --tcesim build/tcesim --write
"""
import argparse
import difflib
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PRESETS = ["phb3", "phb4", "xeon-e5-vtd"]

# The facts the POWER presets take from public sources, cited once here.
LMBENCH = ("POWER8 load-to-use latency by lmbench, ~90 ns at 384-512 MB working sets (L3 ~8 ns, "
           "16 MB ~55 ns, 96-128 MB 67-74 ns, 384-512 MB 89-91 ns): a proxy for the memory "
           "latency a PHB sees, not a measurement of it")
NFP = "pcie-bench, NFP6000 on a Xeon E5-2630 v4 (SIGCOMM 2018); the xeon-e5-vtd calibration, docs/validation.md"
HW560152 = ("firmware: skiboot hw/phb4.c phb4_tce_kill escalates every page kill to a PE kill "
            "(erratum HW560152, skiboot commit 2b0b6a1a0, 2021: \"It also affects P9\")")
HW557787 = ("firmware: skiboot disables the PHB4 TCE cache line buffer (hw/phb4.c phb4_init_hw, "
            "PHB_CTRLR_TCE_CLB_DISABLE, erratum HW557787, skiboot commit 15b93a301); in tcesim "
            "the buffer of fetched TCE lines is this key (see the published facts above)")

# What each key moves (any preset).
MOVES = {
    "phb.domain": "the IOMMU groups' names (domainN-peM) and which RIDs belong to the PHB; no timing",
    "phb.model": "TVE layout and allowed TCE page sizes; the kill path (PHB3 MMIO stores, PHB4 OPAL calls with a sync): map/unmap latency, allocator.kills.*",
    "phb.tce_cache.entries": "translation hit rate (the cache's reach is entries x TCE page), hence DMA latency and throughput once the window exceeds it",
    "phb.tce_cache.ways": "conflict misses: hit rate",
    "phb.tce_cache.policy": "which entry a miss evicts: hit rate",
    "phb.tce_cache.line_fill": "hits on the neighbours of a fetched TCE: hit rate, walks",
    "phb.walk_cache.entries": "table reads per walk with 2 or more levels: miss latency, translation.walk_reads",
    "phb.walk_cache.lines": "walk reads served without memory (walk_line_hits): miss latency, walker throughput",
    "phb.line_bytes": "TCEs per line for line fill and the table-line cache",
    "phb.lookup_ns": "every translation's latency (the hit cost): DMA latency",
    "phb.bypass_ns": "latency of a TLP through the bypass window (64-bit mask)",
    "phb.walk_ns": "miss latency, and walker throughput (a walk holds its fetch slot longer)",
    "phb.fetch_slots": "misses in flight: fetch-slot waits, throughput under many misses",
    "phb.eeh_recovery_ns": "how long a faulted PE drops TLPs: dma.dropped, lost bytes",
    "phb.read_slots": "read throughput when reads queue at the root complex (read-slot waits)",
    "phb.kill_slots": "kill-queue waits (translation.kills.queue_waits), map/unmap latency; with host.kill_escalate_pe=true only when several CPUs' kills overlap",
    "phb.kill_ns": "when the kill queue drains, so the sync's end: map/unmap latency; with host.kill_escalate_pe=true only past host.kill_store_ns",
    "phb.kill_sync_ns": "every PHB4 OPAL kill call, escalated or not: map/unmap latency, cpus[].kill_ns",
    "memory.latency_ns": "the memory part of every DMA and every table read: DMA latency, miss latency, tag-bound throughput",
    "memory.remote_data_ns": "every DMA data access's latency (not the TCE fetches'): DMA latency, tag-bound read throughput",
    "memory.llc.bytes": "which DMA and table reads hit the LLC: memory part of DMA latency",
    "memory.llc.ways": "LLC conflict misses: memory part of DMA latency",
    "memory.llc.line": "LLC lines per access: memory part of DMA latency",
    "memory.llc.hit_ns": "memory part of an LLC hit: DMA and walk latency",
    "memory.llc.line_ns": "multi-line LLC hits (reads larger than a line): DMA latency, read-slot hold",
    "memory.bandwidth_gbs": "transfer time per access and channel queueing: DMA latency at high load",
    "iommu.page_size": "TCEs per mapping and the cache's reach: hit rate, TCE writes and kills per map",
    "iommu.levels": "table reads per walk: miss latency",
    "iommu.window": "where mappings fall and when the table is full: bus addresses, allocator.failures",
    "iommu.pools": "lock contention between CPUs: allocator.pools[] waits, map latency",
    "iommu.magazine_size": "magazine hits (iommu.cache=magazine only)",
    "iommu.pool_hash": "which pool a CPU takes: pool contention, bus addresses",
    "iommu.large_pool_fallback": "allocations that would fail when the small pools are full: allocator.failures, bus addresses",
    "iommu.flush_queue.entries": "when deferred kills happen (iommu.invalidate=flush_queue only)",
    "iommu.flush_queue.timeout_ns": "when deferred kills happen (iommu.invalidate=flush_queue only)",
    "host.cpus": "CPUs issuing host ops; the pool count (auto)",
    "host.page_size": "table geometry (window and level rounding), IO pages per mapping, physical allocation",
    "host.kernel": "the era's defaults (TCE page, window, levels, pool hash, large-pool fallback): bus addresses, hit rate, map cost",
    "host.ram": "end of DRAM: the bypass window, the modern window's cap",
    "host.m32_base": "the seed era's window size: bus addresses, allocation failures",
    "host.max_order": "the modern era's window size",
    "host.op_ns": "every host op's latency (host.ops.*, cpus[].busy_ns)",
    "host.lock_ns": "every allocation and free: host op latency",
    "host.lock_handoff_ns": "contended lock acquisitions: pool waits, host op latency",
    "host.spinlock": "who wins a contended pool lock: the tail of pool waits and host op latency (the mean hardly)",
    "host.search_word_ns": "allocation time in a filling bitmap: map latency",
    "host.tce_write_ns": "map/unmap latency per IO page",
    "host.mb_ns": "map latency",
    "host.kill_store_ns": "every kill store: map/unmap latency, cpus[].kill_ns",
    "host.opal_call_ns": "every PHB4 kill call: map/unmap latency, cpus[].kill_ns",
    "host.magazine_ns": "magazine hits and inserts (iommu.cache=magazine only)",
    "host.kill_escalate_pe": "PHB4 kills: allocator.kills.page/pe/escalated_pages, map/unmap latency (one store per call instead of one per page); a PE kill drops all of the PE's cached TCEs: hit rate when maps run alongside DMA",
    "devices.N.rid": "the RTT lookup of the device's TLPs (RID -> PE)",
    "devices.N.pe": "which PE, so which TVE and TCE table, the device's TLPs use",
    "devices.N.dma_mask_bits": "32: through the TCE table; 64: the bypass window, no translation",
    "devices.N.link": "link time of every TLP: DMA latency, link-bound throughput",
    "devices.N.mps": "write TLP and read completion sizes: link efficiency, throughput of large accesses",
    "devices.N.mrrs": "read requests per large read",
    "devices.N.rcb": "where read completions split: completions per read",
    "devices.N.tags": "reads in flight: tag waits, read throughput, merged misses",
    "devices.N.max_seg_size": "map_sg merging: IO pages per scatter list",
    "devices.N.cpl_split": "completions per read: link efficiency",
    "devices.N.link_overhead": "effective link bandwidth",
    "devices.N.read_req_ns": "device part of every read: DMA latency, device-bound read throughput",
    "devices.N.read_byte_ps": "device part of every read, per byte: DMA latency, device-bound read throughput",
    "devices.N.write_req_ns": "device part of every write: device-bound write throughput",
    "devices.N.write_byte_ps": "device part of every write, per byte: device-bound write throughput",
    "devices.N.overhead_ns": "device part of every access's latency, outside the tag window (latency, not throughput)",
    "devices.N.read_hold_ns": "how long a read holds its tag: DMA latency, tag-bound read throughput",
    "pes.N.page_size": "per-PE override of iommu.page_size (not set: iommu.page_size applies)",
    "pes.N.levels": "per-PE override of iommu.levels (not set: iommu.levels applies)",
    "pes.N.window": "per-PE override of iommu.window (not set: iommu.window applies)",
    "pes.N.pools": "per-PE override of iommu.pools (not set: iommu.pools applies)",
    "pes.N.bypass": "whether a 64-bit device reaches the bypass window (TVE#1)",
    "workload.pattern": "the built-in workload's offsets",
    "workload.size": "bytes per access: TLPs per access, link and device time",
    "workload.window": "the mapped range the accesses fall in: hit rate",
    "workload.op": "reads (tags, completions) or writes (posted)",
    "workload.count": "accesses: run length",
    "workload.device": "which device runs the workload",
    "iommu.lock": "lock contention: allocator.pools[] waits, host op latency",
    "iommu.cache": "lock acquisitions and bitmap searches per map: host op latency",
    "iommu.invalidate": "when kills happen: allocator.kills.*, map/unmap latency, stale TCEs in the cache",
    "host.unmap_wait": "whether an unmap waits for its device: stale DMA, faults, lost bytes",
}

# Sources of defaults (any preset that leaves the key at its default).
DEFAULT_SOURCE = {
    "phb.tce_cache.entries": "guess: QEMU's PHB3 masks suggest 64; neither skiboot nor QEMU gives the geometry",
    "phb.tce_cache.line_fill": "guess: whether PHB3/PHB4 fill the cache from a fetched line is not public",
    "phb.walk_cache.lines": "guess: off",
    "phb.line_bytes": "spec: 128-byte memory line of a TCE fetch on POWER",
    "phb.fetch_slots": "guess: PHB3 TCE_TAG_ENABLE suggests 32",
    "phb.kill_sync_ns": "guess (a PCIe-internal round trip); the sync itself: skiboot hw/phb4.c phb4_tce_kill after every kill type",
    "iommu.page_size": "kernel: auto = the era's TCE page (seed 4K, modern = CPU page); the PHB allows PHB3 4K/64K/16M/256M, PHB4 4K/64K/2M/1G (skiboot hw/phb3.c phb3_map_pe_dma_window, hw/phb4.c phb4_map_pe_dma_window IO_PSIZE codes; models/tvt/tve.c, models/host/pe_setup.c phb_supported_list)",
    "iommu.levels": "kernel: auto = the era's (seed 1, modern 2: Linux pci-ioda.c / pci-ioda-tce.c)",
    "iommu.window": "kernel: auto = the era's window rule (docs/keys.md)",
    "iommu.pools": "kernel: auto = iommu_init_table's rule (arch/powerpc/kernel/iommu.c)",
    "iommu.pool_hash": "kernel: auto = the era's hash_32 multiplier (include/linux/hash.h)",
    "iommu.large_pool_fallback": "kernel: auto = the era's iommu_range_alloc (Linux 6.6 yes, 4.4 no)",
    "iommu.magazine_size": "kernel: IOVA_MAG_SIZE",
    "iommu.flush_queue.entries": "kernel: IOVA_FQ_SIZE",
    "iommu.flush_queue.timeout_ns": "kernel: IOVA_FQ_TIMEOUT, 10 ms",
    "host.page_size": "kernel: POWER Linux 64 KiB pages",
    "host.m32_base": "firmware: skiboot's 32-bit MMIO window start (M32_PCI_START)",
    "host.max_order": "kernel: auto = powerpc's 64K-page MAX_ORDER",
    "host.lock_ns": "guess: two atomics on POWER8",
    "host.spinlock": "kernel: auto = the era's spinlock (4.4 test-and-set arch_spin_lock: unfair, a seeded draw; 6.6 PPC_QUEUED_SPINLOCKS, default on 64s since 5.12: FIFO; models/host/spinlock.h)",
    "host.kill_escalate_pe": "firmware before 2021 (skiboot before commit 2b0b6a1a0): page kills go to the kill queue",
    "devices.N.pe": "firmware: auto = the RID's bus number",
    "devices.N.dma_mask_bits": "kernel: a 32-bit mask goes through the TCE table",
    "devices.N.link": "spec: PCIe Gen3 x8",
    "devices.N.mps": "spec: a common Max_Payload_Size; the POWER root complex's is not used (guess)",
    "devices.N.mrrs": "spec: a common Max_Read_Request_Size (guess)",
    "devices.N.rcb": "spec: 128-byte read completion boundary; the POWER root complex's is not used (guess)",
    "devices.N.tags": "spec: 32 tags (5-bit tag field)",
    "devices.N.max_seg_size": "kernel: dma_set_max_seg_size default (64 KiB)",
    "devices.N.cpl_split": "spec: completions up to MPS, RCB-aligned",
    "devices.N.link_overhead": "spec: ACK/FC DLLPs and SKIP ordered sets (pcie-model)",
    "pes.N.bypass": "kernel: Linux opens TVE#1 (pnv_pci_ioda2_set_bypass)",
    "iommu.lock": "user (a what-if); the default, a lock per pool, is Linux's (arch/powerpc/kernel/iommu.c)",
    "iommu.cache": "user (a what-if); the default, none, is Linux powerpc's",
    "iommu.invalidate": "user (a what-if); the default, strict (kills in every map and unmap), is PowerNV's",
    "host.unmap_wait": "user: a driver waits for its device before it unmaps",
    "memory.llc.bytes": "user: none, POWER's PHB DMA is modelled to memory (a guess that it hits no cache)",
    "devices.N.read_req_ns": "user: 0, a device that costs nothing",
    "devices.N.read_byte_ps": "user: 0, a device that costs nothing",
    "devices.N.write_req_ns": "user: 0, a device that costs nothing",
    "devices.N.write_byte_ps": "user: 0, a device that costs nothing",
    "devices.N.overhead_ns": "user: 0, a device that costs nothing",
    "devices.N.read_hold_ns": "user: 0, a device that costs nothing",
}

# Defaults whose source differs for one preset.
DEFAULT_SOURCE_PRESET = {
    "xeon-e5-vtd": {
        "host.kill_escalate_pe": "not skiboot's: the phb4 model stands in for VT-d here, its page kills for page-selective IOTLB invalidations (a guess)",
        "phb.kill_sync_ns": "guess: the phb4 model's sync stands in for VT-d's invalidation wait",
        "host.opal_call_ns": "guess: the phb4 model's firmware call stands in for VT-d's invalidation submission",
    },
}

# Not listed unless a preset sets them: choices of the run, not of the machine.
RUN_KEYS = ("seed", "sim.", "workload.")

POWER_DEVICE = {
    "devices.N.rid": "user: the embedded default's four devices (config_defaults)",
    "devices.N.pe": "user: the embedded default's PEs 1-4",
    "devices.N.dma_mask_bits": "user: three 32-bit devices through the TCE table, one 64-bit on the bypass window, as the embedded default",
    "devices.N.link": "the NFP6000's Gen3 x8 link (pcie-bench); the key's default too",
    "devices.N.tags": "fitted for the NFP6000: " + NFP,
    "devices.N.overhead_ns": "fitted for the NFP6000: " + NFP,
    "devices.N.read_hold_ns": "fitted for the NFP6000: " + NFP,
    "devices.N.read_req_ns": "fitted for the NFP6000: " + NFP,
    "devices.N.read_byte_ps": "fitted for the NFP6000: " + NFP,
    "devices.N.write_req_ns": "fitted for the NFP6000: " + NFP,
    "devices.N.write_byte_ps": "fitted for the NFP6000: " + NFP,
}

# Sources of the values a preset sets.
SET_SOURCE = {
    "phb3": dict(POWER_DEVICE, **{
        "phb.model": "spec: POWER8's PHB3, IODA2 (skiboot hw/phb3.c)",
        "phb.tce_cache.entries": "guess: QEMU's PHB3 masks suggest 64; neither skiboot nor QEMU gives the geometry",
        "phb.tce_cache.ways": "guess: fully associative",
        "phb.tce_cache.policy": "guess: LRU",
        "phb.fetch_slots": "guess: PHB3 TCE_TAG_ENABLE suggests 32",
        "phb.lookup_ns": "guess",
        "host.kernel": "kernel: Linux 4.4 (the seed era: pci-ioda.c, iommu.c)",
        "host.cpus": "user",
        "host.page_size": "kernel: POWER Linux 64 KiB pages",
        "host.ram": "user",
        "memory.latency_ns": LMBENCH + " (POWER8 = PHB3's processor)",
        "memory.bandwidth_gbs": "guess",
    }),
    "phb4": dict(POWER_DEVICE, **{
        "phb.model": "spec: POWER9's PHB4, IODA3 (skiboot hw/phb4.c)",
        "phb.tce_cache.entries": "guess: not public",
        "phb.tce_cache.ways": "guess: fully associative",
        "phb.tce_cache.policy": "guess: LRU",
        "phb.fetch_slots": "guess",
        "phb.lookup_ns": "guess",
        "phb.walk_cache.entries": "guess: not public",
        "phb.walk_cache.lines": HW557787,
        "phb.kill_slots": "guess",
        "host.kernel": "kernel: Linux 6.6 (the modern era: pci-ioda.c, pci-ioda-tce.c, iommu.c)",
        "host.cpus": "user",
        "host.page_size": "kernel: POWER Linux 64 KiB pages",
        "host.ram": "user",
        "host.kill_escalate_pe": HW560152,
        "memory.latency_ns": "guess: the POWER8 figure carried over to POWER9; for POWER8: " + LMBENCH,
        "memory.bandwidth_gbs": "guess",
    }),
    "xeon-e5-vtd": {
        "phb.model": "stand-in: the phb4 model's kill path for VT-d (docs/validation.md)",
        "phb.tce_cache.entries": "fitted: the measured cliff just past 256 KiB = 64 x 4 KiB (docs/validation.md)",
        "phb.tce_cache.ways": "fitted: fully associative (docs/validation.md)",
        "phb.tce_cache.policy": "fitted: LRU (docs/validation.md)",
        "phb.lookup_ns": "fitted (docs/validation.md)",
        "phb.fetch_slots": "fitted: write plateaus, 7 concurrent walks (docs/validation.md)",
        "phb.walk_ns": "fitted: 210 ns per walk (docs/validation.md)",
        "phb.line_bytes": "spec: 64-byte cache lines on the Xeon",
        "phb.read_slots": "fitted: 9 root-complex read entries (docs/validation.md)",
        "phb.walk_cache.entries": "fitted: upper-level cache of 16 entries (docs/validation.md)",
        "phb.walk_cache.lines": "fitted: the last 16 table lines (docs/validation.md)",
        "host.kernel": "kernel: Linux 6.6 rules for the table geometry",
        "host.page_size": "spec: x86 4 KiB pages",
        "host.ram": "user",
        "host.cpus": "user",
        "iommu.page_size": "spec: VT-d 4 KiB pages (the pcie-bench run: IOMMU on, 4 KiB pages)",
        "iommu.levels": "spec: VT-d second-level tables, 4 levels (48-bit)",
        "memory.latency_ns": "fitted: DRAM 150 ns past the LLC (docs/validation.md)",
        "memory.bandwidth_gbs": "guess",
        "memory.llc.bytes": "spec: E5-2630 v4, 2.5 MiB L3 per core x 10",
        "memory.llc.ways": "spec: 20-way L3",
        "memory.llc.line": "spec: 64-byte lines",
        "memory.llc.hit_ns": "fitted: the IOMMU-off drop past 16 MiB (docs/validation.md)",
        "memory.llc.line_ns": "fitted: the 256 B read curve (docs/validation.md)",
        "devices.N.rid": "user",
        "devices.N.pe": "user",
        "devices.N.dma_mask_bits": "user: a 32-bit mask, so every DMA is translated",
        "devices.N.link": "spec: the NFP6000's PCIe Gen3 x8",
        "devices.N.mps": "fitted: 512 B reads at 55.0 Gb/s need completions larger than 256 B (docs/validation.md)",
        "devices.N.mrrs": "fitted (docs/validation.md)",
        "devices.N.rcb": "fitted: 64 B read completion boundary (docs/validation.md)",
        "devices.N.tags": "fitted: " + NFP,
        "devices.N.overhead_ns": "fitted: the unloaded latency, 560 ns (docs/validation.md)",
        "devices.N.read_hold_ns": "fitted: the unloaded latency and the read curves (docs/validation.md)",
        "devices.N.read_req_ns": "fitted: 64 B and 256 B reads at small windows (docs/validation.md)",
        "devices.N.read_byte_ps": "fitted: 64 B and 256 B reads at small windows (docs/validation.md)",
        "devices.N.write_req_ns": "fitted: 64 B and 256 B writes at small windows (docs/validation.md)",
        "devices.N.write_byte_ps": "fitted: 64 B and 256 B writes at small windows (docs/validation.md)",
        "workload.pattern": "user: pcie-bench's random window sweep",
        "workload.size": "user: one point of the sweep (scripts/validate_pciebench.py sets it)",
        "workload.window": "user: one point of the sweep (scripts/validate_pciebench.py sets it)",
        "workload.op": "user: one point of the sweep (scripts/validate_pciebench.py sets it)",
        "workload.count": "user",
        "workload.device": "user",
    },
}

# The presets `tcesim calibrate DIR -o PRESET` fitted to other pcie-bench machines
# (docs/validation.md, "Fitting a preset"): the xeon-e5-vtd preset's structure and
# specifications, the fitted keys fitted again to the machine's directory and its
# IOMMU-off twin, and the machine's own LLC size. Each preset's _about gives the command.
FITTED_KEYS = [
    "devices.N.overhead_ns", "devices.N.read_hold_ns", "devices.N.tags", "devices.N.read_req_ns",
    "devices.N.read_byte_ps", "devices.N.write_req_ns", "devices.N.write_byte_ps", "memory.latency_ns",
    "memory.llc.hit_ns", "memory.llc.line_ns", "phb.tce_cache.entries", "phb.fetch_slots", "phb.walk_ns",
    "phb.walk_cache.entries", "phb.walk_cache.lines", "phb.read_slots",
]
FITTED = {
    # preset: (pcie-bench directory without -iommu-nosp, the CPU's L3 from Intel ARK)
    "pciebench-hsw-e5-2620v3": ("nfp6000-1.2GHz_hsw-Xeon-E5-2620v3_dell-t630", "E5-2620 v3, 15 MiB L3"),
    "pciebench-ib-e5-2620v2": ("nfp6000-1.2GHz_ib-Xeon-E5-2620v2_dell-t620-s0-s0-s0", "E5-2620 v2, 15 MiB L3"),
    "pciebench-hsw-e5-2637v3": ("nfp6000-1.2GHz_hsw-Xeon-E5-2637v3_supermicro", "E5-2637 v3, 15 MiB L3"),
    "pciebench-bdw-e5-2630v4": ("nfp6000-1.2GHz_bdw-Xeon-E5-2630v4-dell-t430-s0-s0-s0", "E5-2630 v4, 2.5 MiB L3 per core x 10"),
}
for _name, (_dir, _llc) in FITTED.items():
    _src = dict(SET_SOURCE["xeon-e5-vtd"])
    for _k in FITTED_KEYS:
        _src[_k] = ("fitted by tcesim calibrate to data/pcie-bench/%s-iommu-nosp and its IOMMU-off twin "
                    "(docs/validation.md, Fitting a preset)" % _dir)
    _src["memory.llc.bytes"] = "spec: " + _llc + " (Intel ARK)"
    SET_SOURCE[_name] = _src
    DEFAULT_SOURCE_PRESET[_name] = DEFAULT_SOURCE_PRESET["xeon-e5-vtd"]
PRESETS = PRESETS + list(FITTED)

INTRO = """# Presets: every value, its source, what it moves

Generated by `scripts/presets_doc.py` from `configs/*.json`, `tcesim config PRESET` and
[docs/keys.md](keys.md) (`python3 scripts/presets_doc.py --tcesim build/tcesim --write`);
tests/cli/test_presets_doc.sh fails when this page is stale, and the script refuses a preset
that sets a key it has no source for. For every preset: each key the preset sets, and each
key it leaves at its default that models the machine (every key of docs/keys.md but the
run's own: `seed`, `sim.*`, `workload.*`), with its source: the provenance of docs/keys.md
(spec, kernel, firmware, guess, or user: a choice of the experiment), made specific.
"guess" marks every value no public source fixes; each is a key, so a run can change it
(`--set`). "set by": `preset` (in the JSON file) or `default`
(the key's default).

## The published facts the presets use

- **PHB4 TCE kills** (`phb4`: `host.kill_escalate_pe=true`). skiboot's current
  `phb4_tce_kill` (hw/phb4.c) turns every page kill (`OPAL_PCI_TCE_KILL_PAGES`) into a PE
  kill: erratum HW560152, skiboot commit 2b0b6a1a0 "phb4/5: Escalate page-level TCE kills"
  (2021: "It also affects P9"). Each OPAL kill call then stores one PE kill and ends with
  the DMA read sync. So `phb.kill_slots` and `phb.kill_ns` matter (almost) only with the
  escalation off: the queue holds one kill per call, so its depth matters only when several
  CPUs' kills overlap and the time per kill only when it exceeds `host.kill_store_ns` (the
  sync waits for the queue). `phb.kill_sync_ns` is not among them: skiboot syncs after
  every kill type, and so does the model (one 32 KiB map with the escalation on:
  `phb.kill_sync_ns` 400 -> 40000 adds 39 600 ns).
- **PHB4 TCE cache line buffer** (`phb4`: `phb.walk_cache.lines=0`). skiboot disables it:
  `PHB_CTRLR_TCE_CLB_DISABLE` in `phb4_init_hw` (Init_17, "HW557787 circumvention"),
  skiboot commit 15b93a301 "phb4: Disable TCE cache line buffer" (2021: "under heavy
  loads, there's a possibility of an entry being re-allocated incorrectly"). Of tcesim's
  two line keys, `phb.walk_cache.lines` is the buffer: a store of recently fetched 128-byte
  TCE lines, apart from the TCE cache, that later fetches read instead of memory
  (models/phb/phb.c `timed_walk`). `phb.tce_cache.line_fill` is not a buffer: it writes
  the fetched line's other valid TCEs into the TCE cache itself (`fill_line`), a fill
  policy no public source describes; it stays at its default, false (a guess).
- **TCE page sizes.** PHB3 4K, 64K, 16M, 256M; PHB4 4K, 64K, 2M, 1G: the IO_PSIZE codes
  of skiboot hw/phb3.c `phb3_map_pe_dma_window` and hw/phb4.c `phb4_map_pe_dma_window`,
  checked in models/tvt/tve.c and models/host/pe_setup.c (`phb_supported_list`). The
  presets use the kernel era's page (`iommu.page_size=auto`: seed 4K, modern 64K).
- **Memory latency** (`phb3`, `phb4`: `memory.latency_ns=90`). POWER8's load-to-use
  latency by lmbench: L3 ~8 ns, 16 MB ~55 ns, 96-128 MB 67-74 ns, 384-512 MB 89-91 ns.
  A proxy for the memory latency a PHB sees, not a measurement of it; for PHB4 (POWER9)
  it is the POWER8 figure carried over, a guess.
- **Device costs** (`phb3`, `phb4`: every device). The NFP6000 costs fitted for
  `xeon-e5-vtd` ([docs/validation.md](validation.md), "The model and where each parameter
  comes from"; pcie-bench, Neugebauer et al., "Understanding PCIe performance for end host
  networking", SIGCOMM 2018, NFP6000 on a Xeon E5-2630 v4): tags 16, fixed latency 220
  ns, read hold 150 ns, read engine 8 ns + 136 ps/B, write engine 15 ns + 101 ps/B.
  Without them a device cost nothing and an unloaded 64 B read took ~124 ns against the
  560 ns measured; with them 500 ns (xeon-e5-vtd: 501 ns). MPS, MRRS and RCB stay at the
  key defaults (256, 512, 128): xeon-e5-vtd's 512/512/64 were fitted to the Xeon root
  complex, and no public POWER value is used (a guess).

## The embedded default

`tcesim run` without a config uses no preset: every key's default (sim/config.c
`config_defaults`) and four devices on PEs 1-4 (01:00.0 to 03:00.0 with 32-bit masks,
04:00.0 with a 64-bit one), which cost nothing: the `phb3` preset as it was before the facts
above (PHB3, seed kernel, `memory.latency_ns=100`, a guess). With neither a config nor a
trace (`make run`) the default scenario goes on top (sim/config.c
`config_default_scenario`, README "The default scenario"): three devices with the
xeon-e5-vtd preset's NFP6000 costs, `memory.latency_ns=90` (the POWER8 figure above) and
three generators. The key defaults are listed with each preset below.

`configs/bench-window.json` is not a machine but the speed benchmark's workload: every key
of the embedded default written out (`tcesim config --json`), frozen when the speed figures
were measured, so `bench/macro.sh` keeps timing the same work whatever the defaults become.
Its values are the defaults' (their sources are those of the rows below).

"""


def keys_md():
    """key -> (provenance, context), in docs/keys.md's order."""
    prov = {}
    for line in open(os.path.join(ROOT, "docs", "keys.md")):
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        prov[cells[0].strip("`")] = (cells[5], cells[6])
    return prov


def flatten(obj, prefix=""):
    out = []
    for k, v in obj.items():
        if k.startswith("_"):
            continue
        path = prefix + "." + k if prefix else k
        if not prefix and k == "devices":
            for d in v:
                out += ["devices.N." + dk for dk in d if "devices.N." + dk not in out]
        elif not prefix and k == "pes":
            for pe in v.values():
                out += ["pes.N." + pk for pk in pe]
        elif isinstance(v, dict):
            out += flatten(v, path)
        else:
            out.append(path)
    return list(dict.fromkeys(out))


def config_values(tcesim, preset):
    p = subprocess.run([tcesim, "config", preset], capture_output=True, text=True, check=True)
    vals = {}
    for line in p.stdout.splitlines():
        m = re.match(r"^(\S+)\s+= (.*?)\s+# ", line)
        if m:
            vals[m.group(1)] = m.group(2).strip()
    return vals


def value_of(vals, key):
    if key.startswith("pes.N."):
        return "not set"
    if key.startswith("devices.N."):
        name = key[len("devices.N."):]
        per = [v for k, v in vals.items() if re.match(r"^devices\.\d+\." + re.escape(name) + "$", k)]
        return per[0] if len(set(per)) == 1 else ", ".join(per)
    return vals[key]


def render(tcesim):
    prov = keys_md()
    out = [INTRO]
    errors = []
    for preset in PRESETS:
        path = os.path.join(ROOT, "configs", preset + ".json")
        cfg = json.load(open(path))
        sets = flatten(cfg)
        vals = config_values(tcesim, preset)
        out.append("## %s\n\n%s\n\n" % (preset, cfg.get("_about", "")))
        out.append("| key | value | set by | source | moves |\n|---|---|---|---|---|\n")
        for key in prov:
            by_preset = key in sets
            if not by_preset and key.startswith(RUN_KEYS):
                continue
            if key not in MOVES:
                errors.append("%s: %s has no entry in MOVES" % (preset, key))
                continue
            if by_preset:
                src = SET_SOURCE[preset].get(key)
                if src is None:
                    errors.append("%s sets %s, which has no source in SET_SOURCE" % (preset, key))
                    continue
            else:
                src = DEFAULT_SOURCE_PRESET.get(preset, {}).get(key) or DEFAULT_SOURCE.get(key, prov[key][0])
            moves = MOVES[key] + (" (takes effect with %s)" % prov[key][1] if prov[key][1] else "")
            out.append("| `%s` | %s | %s | %s | %s |\n" % (key, value_of(vals, key),
                                                            "preset" if by_preset else "default",
                                                            src, moves))
        for key in sets:
            if key not in prov:
                errors.append("%s sets %s, which is not in docs/keys.md" % (preset, key))
        out.append("\n")
    return "".join(out).rstrip("\n") + "\n", errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tcesim", default=os.path.join(ROOT, "build", "tcesim"))
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--write", action="store_true", help="rewrite docs/presets.md")
    g.add_argument("--check", action="store_true", help="fail when docs/presets.md differs")
    a = ap.parse_args()
    text, errors = render(a.tcesim)
    for e in errors:
        print("presets_doc: " + e, file=sys.stderr)
    if errors:
        return 1
    doc = os.path.join(ROOT, "docs", "presets.md")
    if a.write:
        with open(doc, "w") as f:
            f.write(text)
        return 0
    have = open(doc).read() if os.path.exists(doc) else ""
    if have != text:
        sys.stderr.writelines(difflib.unified_diff(have.splitlines(True), text.splitlines(True),
                                                   "docs/presets.md", "generated"))
        print("presets_doc: docs/presets.md is stale: python3 scripts/presets_doc.py --write", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
