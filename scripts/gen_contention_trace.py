#!/usr/bin/env python3
"""Writes the 16-CPU map/unmap contention example trace (examples/contention).

A multiqueue NIC transmitting on every CPU, as in the workload the powerpc
IOMMU pools were made for (Anton Blanchard, kernel commit b4c3a8729ae5: a
100-session TCP round-robin test): each CPU maps a packet buffer
(dma_map_single, to_device), the device reads it, the CPU unmaps it once the
transmit completes. Packets arrive on each CPU as a Poisson process (seeded:
the same arguments give the same file), so CPUs collide on locks by chance,
not by a fixed phase.

usage: gen_contention_trace.py [--cpus 16] [--packets 400] [--period-ns 2000]
                               [--size 512] [--seed 1] [--completion-ns 20000] OUT
"""
import argparse
import os
import random


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cpus", type=int, default=16)
    ap.add_argument("--packets", type=int, default=400, help="per CPU")
    ap.add_argument("--period-ns", type=int, default=2000, help="between a CPU's packets")
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--completion-ns", type=int, default=20000,
                    help="map to unmap: the transmit completion the driver waits for")
    ap.add_argument("out")
    a = ap.parse_args()

    events = []  # (time, order, text); order keeps each CPU's ops in sequence
    inflight = 32  # handles per CPU in rotation: far more than are ever in flight
    rng = random.Random(a.seed)
    for cpu in range(a.cpus):
        t = 0
        for k in range(a.packets):
            t += int(rng.expovariate(1.0 / a.period_ns))
            h = cpu * inflight + k % inflight
            seq = (cpu * a.packets + k) * 3
            events.append((t, seq, f"cpu{cpu} map dev=0 h={h} size={a.size} dir=to_device"))
            events.append((t + 200, seq + 1, f"dev0 read h={h} off=0 len={a.size}"))
            events.append((t + a.completion_ns, seq + 2, f"cpu{cpu} unmap h={h}"))
    events.sort()
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        f.write("tcesim-trace 1\n")
        f.write(f"# {a.cpus} CPUs x {a.packets} packets of {a.size} B, one every {a.period_ns} ns per CPU\n")
        f.write("# written by scripts/gen_contention_trace.py\n")
        f.write("device id=0 rid=01:00.0 pe=1 dma_mask_bits=32\n")
        for t, _, text in events:
            f.write(f"{t} {text}\n")
    os.replace(tmp, a.out)


if __name__ == "__main__":
    main()
