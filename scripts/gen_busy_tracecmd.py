#!/usr/bin/env python3
"""Writes a `trace-cmd report` of a busy PowerNV host's dma: events, the
kind tcesim users import: a 100G NIC (0030:01:00.0) transmitting on 8 queues
and receiving on 4, its tx completion unmapping each packet 2-12 us after
mapping it (ixgbe_clean_tx_irq / mlx5e_poll_tx_cq run on the queue's CPU),
and an NVMe drive (0030:02:00.0) whose I/Os map sg lists of 4 KiB pages and
unmap them 8-40 us later (nvme_unmap_data after the completion).

Seeded and deterministic: the committed tests/data/tracecmd_busy.txt is
`scripts/gen_busy_tracecmd.py > tests/data/tracecmd_busy.txt`. The event
strings follow include/trace/events/dma.h at Linux 6.12 (dma_map_page,
dma_unmap_page, dma_map_sg with `{0x..}` arrays, dma_unmap_sg with the
input entries' physical addresses, dma_alloc); the NVMe lines carry the
flags column newer trace-cmd prints. The bus addresses are plausible
32-bit-window addresses, unique among live mappings: the importer uses them
only to pair each unmap with its map (tcesim allocates its own).
"""
import heapq
import random

rng = random.Random(20261201)
T0_NS = 5000 * 10**9
events = []  # (time_ns, seq, line)
seq = 0


def emit(t_ns, comm, cpu, name, text, flags=False):
    global seq
    if not flags:
        t_ns -= t_ns % 1000  # this line prints microseconds
    sec, ns = divmod(T0_NS + t_ns, 10**9)
    if flags:
        stamp = "[%03d] d..1. %d.%09d" % (cpu, sec, ns)
    else:
        stamp = "[%03d] %d.%06d" % (cpu, sec, ns // 1000)
    events.append((t_ns, seq, "%20s %s: %-22s %s" % (comm, stamp, name + ":", text)))
    seq += 1


next_bus = 0x80010000


def bus_alloc(size):
    global next_bus
    b = next_bus
    next_bus += (size + 0xFFFF) & ~0xFFFF
    return b


def phys_page():
    return rng.randrange(0x200000, 0x4000000) << 12  # 8 GiB .. 256 GiB


NIC, NVME = "0030:01:00.0", "0030:02:00.0"

# Coherent rings, allocated at start and kept: the NIC's descriptor rings and
# the NVMe admin/IO queues.
for i, (dev, size) in enumerate([(NIC, 65536), (NIC, 65536), (NVME, 16384), (NVME, 16384)]):
    emit(i * 500, "modprobe-400", 0, "dma_alloc",
         "%s dma_addr=%x size=%d phys_addr=%x flags=GFP_KERNEL|__GFP_ZERO attrs=" % (dev, bus_alloc(size), size, phys_page()))

SPAN_NS = 400_000
# NIC transmit: 8 queues on CPUs 0-7, 100 Gb/s offered in all.
for q in range(8):
    t = 10_000 + q * 37
    while t < SPAN_NS:
        size = rng.choice([1514, 1514, 4096, 9014, 9014, 65226])
        phys = phys_page() + 64
        bus = bus_alloc(size) + 64
        comm = "iperf3-%d" % (2000 + q)
        emit(t, comm, q, "dma_map_page", "%s dir=TO_DEVICE dma_addr=%x size=%d phys_addr=%x attrs=" % (NIC, bus, size, phys))
        u = t + rng.randrange(2_000, 12_001)
        emit(u, "ksoftirqd/%d-%d" % (q, 10 + q), q, "dma_unmap_page", "%s dir=TO_DEVICE dma_addr=%x size=%d attrs=" % (NIC, bus, size))
        t += size * 8 * 8 // 100 + rng.randrange(0, 200)  # ns at 100/8 Gb/s per queue
# NIC receive: 4 queues on CPUs 8-11, 2 KiB page-pool fragments refilled
# in batches and unmapped when a packet lands 5-50 us later.
for q in range(4):
    t = 12_000 + q * 53
    cpu = 8 + q
    while t < SPAN_NS:
        for k in range(8):
            phys = phys_page() + (k % 2) * 2048
            bus = bus_alloc(2048) + (k % 2) * 2048
            emit(t + k * 40, "napi/eth0-%d" % (700 + q), cpu, "dma_map_page",
                 "%s dir=FROM_DEVICE dma_addr=%x size=2048 phys_addr=%x attrs=SKIP_CPU_SYNC" % (NIC, bus, phys))
            u = t + k * 40 + rng.randrange(5_000, 50_001)
            emit(u, "napi/eth0-%d" % (700 + q), cpu, "dma_unmap_page",
                 "%s dir=FROM_DEVICE dma_addr=%x size=2048 attrs=SKIP_CPU_SYNC" % (NIC, bus))
        t += rng.randrange(6_000, 14_000)
# NVMe: 4 submission queues on CPUs 12-15, sg lists of 1-16 scattered 4 KiB
# pages, merged by the IOMMU into one bus range (ppc_iommu_map_sg chains the
# segments back to back, max_seg_size 64 KiB).
for q in range(4):
    t = 15_000 + q * 71
    cpu = 12 + q
    while t < SPAN_NS:
        n = rng.choice([1, 2, 4, 8, 8, 16])
        pas = [phys_page() for _ in range(n)]
        bus = bus_alloc(n * 4096)
        d = rng.choice(["TO_DEVICE", "FROM_DEVICE"])
        pl = ",".join("0x%x" % p for p in pas)
        emit(t, "fio-%d" % (3000 + q), cpu, "dma_map_sg",
             "%s dir=%s nents=%d/%d ents=1/1 dma_addrs={0x%x} sizes={0x%x} phys_addrs={%s} attrs=" % (NVME, d, n, n, bus, n * 4096, pl),
             flags=True)
        u = t + rng.randrange(8_000, 40_001)
        emit(u, "irq/nvme0q%d-%d" % (q + 1, 900 + q), cpu, "dma_unmap_sg",
             "%s dir=%s phys_addrs={%s} attrs=" % (NVME, d, pl), flags=True)
        t += rng.randrange(3_000, 9_000)

print("cpus=16")
for _, _, line in sorted(events):
    print(line)
