#!/usr/bin/env python3
"""Runs the pcie-bench window sweeps on the xeon-e5-vtd preset and prints the
simulated throughput next to the published measurements.

Anchors: Neugebauer et al., "Understanding PCIe performance for end host
networking", SIGCOMM 2018; data from pcie-bench/data, directory
nfp6000-1.2GHz_bdw-Xeon-E5-2630v4-dell-t430-s0-s0-s0-iommu-nosp, files
bw_dma_win_sweep_{rd,wr}_rnd_{64,256,512}.csv and lat_dma_sweep_rd_rnd_64.csv,
rows HWarm (Neugebauer et al., "Understanding PCIe performance for end host
networking", SIGCOMM 2018; the data published with pcie-bench). Throughput in Gb/s.

usage: validate_pciebench.py [--tcesim build/tcesim] [--preset xeon-e5-vtd]
                             [--quick] [--bound 0.15] [--count N] [--jobs 2]
                             [--plots DIR] [--set key=value]...
Exit status 1 when any point is off by more than --bound (relative).
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys

KIB = 1024
MIB = 1024 * KIB
WINDOWS = [4 * KIB, 16 * KIB, 256 * KIB, 512 * KIB, 1 * MIB, 3 * MIB // 2, 2 * MIB, 3 * MIB,
           4 * MIB, 8 * MIB, 16 * MIB, 32 * MIB, 64 * MIB]
MEASURED = {
    ("read", 64): [31.4, 32.1, 32.4, 22.3, 15.2, 13.0, 12.1, 11.3, 10.9, 10.4, 10.1, 9.90, 9.83],
    ("read", 256): [47.7, 47.7, 47.8, 46.0, 41.8, 40.3, 39.1, 37.5, 36.5, 35.2, 34.4, 33.9, 33.6],
    ("read", 512): [55.0, 55.0, 55.0, 55.0, 54.8, 54.8, 54.7, 54.6, 54.6, 54.5, 54.4, 54.0, 53.6],
    ("write", 64): [24.3, 24.3, 24.3, 24.3, 19.4, 15.1, 13.6, 12.5, 12.0, 11.5, 11.2, 10.9, 11.1],
    ("write", 256): [50.5, 50.5, 50.5, 50.5, 50.5, 50.5, 50.5, 50.4, 49.9, 47.7, 46.3, 45.5, 45.3],
}
# Unloaded latency of one 64 B read at a time (median, ns): 560 up to 512 KiB,
# about 830 from 1 MiB to 32 MiB, 880 at 64 MiB.
LATENCY = [(256 * KIB, 560.0), (4 * MIB, 830.0), (64 * MIB, 880.0)]


def fmt_size(b):
    if b >= MIB:
        return "%gM" % (b / MIB)
    return "%gK" % (b / KIB)


def run(tcesim, preset, sets, op, size, window, count, extra=()):
    cmd = [tcesim, "run", preset, "--json", "-",
           "--set", "workload.op=" + op, "--set", "workload.size=%d" % size,
           "--set", "workload.window=%d" % window, "--set", "workload.count=%d" % count]
    for s in list(sets) + list(extra):
        cmd += ["--set", s]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(cmd), p.stderr.strip()))
    return json.loads(p.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tcesim", default=os.path.join(os.path.dirname(__file__), "..", "build", "tcesim"))
    ap.add_argument("--preset", default="xeon-e5-vtd")
    ap.add_argument("--quick", action="store_true", help="a few windows per curve, fewer accesses")
    ap.add_argument("--bound", type=float, default=0.15)
    ap.add_argument("--count", type=int, default=0, help="accesses per point (default 300000, quick 60000)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--plots", default="", help="write PNG plots here (needs matplotlib)")
    ap.add_argument("--set", action="append", default=[], help="extra key=value for every run")
    a = ap.parse_args()
    count = a.count or (60000 if a.quick else 300000)
    windows = [4 * KIB, 512 * KIB, 2 * MIB, 64 * MIB] if a.quick else WINDOWS

    jobs = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        for (op, size), vals in MEASURED.items():
            for w in windows:
                jobs[(op, size, w)] = ex.submit(run, a.tcesim, a.preset, a.set, op, size, w, count)
        for w, _ in LATENCY:
            jobs[("latency", 64, w)] = ex.submit(run, a.tcesim, a.preset, a.set, "read", 64, w,
                                                 max(count // 20, 5000), ("devices.0.tags=1",))
        results = {k: f.result() for k, f in jobs.items()}

    worst = 0.0
    print("%-10s %-6s" % ("curve", "window") + "%10s %10s %8s" % ("measured", "simulated", "error"))
    curves = {}
    for (op, size), vals in MEASURED.items():
        for w in windows:
            meas = vals[WINDOWS.index(w)]
            sim = results[(op, size, w)]["dma"]["active_throughput_gbps"]
            err = (sim - meas) / meas
            worst = max(worst, abs(err))
            curves.setdefault((op, size), []).append((w, meas, sim))
            print("%-10s %-6s %10.2f %10.2f %+7.1f%%" % ("%s %d" % (op, size), fmt_size(w), meas, sim, 100 * err))
    for w, meas in LATENCY:
        sim = results[("latency", 64, w)]["dma"]["latency_ns"]["p50"]
        err = (sim - meas) / meas
        worst = max(worst, abs(err))
        print("%-10s %-6s %10.1f %10.1f %+7.1f%%" % ("lat64 ns", fmt_size(w), meas, sim, 100 * err))
    print("worst relative error: %.1f%% (bound %.0f%%)" % (100 * worst, 100 * a.bound))

    if a.plots:
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            print("matplotlib not available: no plots", file=sys.stderr)
        else:
            os.makedirs(a.plots, exist_ok=True)
            fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
            for (op, size), pts in curves.items():
                ax = axes[0 if op == "read" else 1]
                xs = [p[0] / KIB for p in pts]
                line, = ax.plot(xs, [p[1] for p in pts], "o", label="%d B measured" % size)
                ax.plot(xs, [p[2] for p in pts], "-", color=line.get_color(), label="%d B tcesim" % size)
            for ax, op in zip(axes, ("reads", "writes")):
                ax.set_xscale("log", base=2)
                ax.set_xlabel("window (KiB)")
                ax.set_ylabel("Gb/s")
                ax.set_title("random DMA %s, IOMMU on (pcie-bench vs tcesim)" % op)
                ax.grid(True, which="both", alpha=0.3)
                ax.legend(fontsize=8)
            fig.tight_layout()
            fig.savefig(os.path.join(a.plots, "validation_pciebench.png"), dpi=110)
            print("wrote", os.path.join(a.plots, "validation_pciebench.png"))
    return 1 if worst > a.bound else 0


if __name__ == "__main__":
    sys.exit(main())
