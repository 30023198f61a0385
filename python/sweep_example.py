#!/usr/bin/env python3
"""A sweep from Python: TCE cache sizes on the built-in workload (random 64 B
reads over a 1 MiB window of 4 KiB pages), one child process per run, as a
table. Usage: sweep_example.py [COUNT] (accesses a run, default 100000)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tcesim  # noqa: E402


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    print(f"{'entries':>8} {'hit_rate':>9} {'p50_ns':>8} {'p99_ns':>8} {'Gb/s':>8}")
    for entries in (16, 32, 64, 128, 256, 512):
        with tcesim.Run("bench-window", sets=[f"phb.tce_cache.entries={entries}", f"workload.count={count}"]) as r:
            r.simulate()
            print(f"{entries:>8} {r.hit_rate:>9.4f} {r.translation_p50_ns:>8.1f} {r.translation_p99_ns:>8.1f} "
                  f"{r.dma_throughput_gbps:>8.2f}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except tcesim.TcesimError as e:
        print(f"sweep_example: {e}", file=sys.stderr)
        sys.exit(2 if e.code == tcesim.BAD_INPUT else 1)
