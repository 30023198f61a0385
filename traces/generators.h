/* The generator registry behind `tcesim gen PATTERN [--set key=value]...`:
 * every synthetic workload by name, its keys with defaults, and a
 * tr_source that yields its events.
 *
 * Patterns (traces/FORMAT.md, "Generators", has the long form):
 *   window    pcie-bench accesses within one long-lived mapping; the same
 *             generator as `tcesim run`'s built-in workload (workload.*)
 *   nic-rx    NIC receive rings: per-packet map/unmap or page_pool pages
 *   nic-tx    NIC transmit rings: per-packet map/unmap or premapped pages
 *   nvme      NVMe submission queues: map_sg per I/O, 4 KiB..1 MiB
 *   gpu-bulk  a few large coherent buffers, long sequential transfers
 *
 * Contract: every generator is seeded and deterministic (same pattern, keys
 * and seed -> the same events on every machine), yields events with
 * non-decreasing time that the text reader accepts (handles mapped before
 * use, never re-mapped before their unmap, accesses within the mapping),
 * streams in memory bounded by its queues and rings (never by the event
 * count), and with its defaults makes a trace that `tcesim run --trace`
 * replays on the default configuration (device 0, CPUs 0..15) without
 * faults. */
#ifndef TCESIM_GENERATORS_H
#define TCESIM_GENERATORS_H

#include <stdint.h>
#include <stdio.h>

#include "trace.h"

/* Opens pattern with keys[i] = values[i] (i < n; later pairs override
 * earlier ones) over the pattern's defaults. The key `seed`, accepted by
 * every pattern, overrides the seed argument. The strings are not kept.
 * Returns 0 and fills *out (close it with tr_close), or TCESIM_EINVAL with
 * err->msg one of:
 *   "gen: unknown pattern 'x' (known: window, nic-rx, ...)"
 *   "gen nic-rx: unknown key 'x' (known: queues, ring, ...)"
 *   "gen nic-rx: queues: bad value 'x'"
 *   "gen nic-rx: queues: 0 out of range (1..4096)"
 *   "gen nic-rx: KEY: message" (a rule between keys)
 * or TCESIM_ENOMEM. keys/values may be NULL when n is 0. */
int gen_open(const char *pattern, const char *const *keys, const char *const *values, unsigned n,
             uint64_t seed, tr_source *out, tr_error *err);

/* Writes the help text of `tcesim gen --help`: every pattern with its
 * one-line shape, then each key with its default and meaning. */
void gen_describe(FILE *f);

/* The patterns, for callers that enumerate them: i < gen_npatterns(). */
unsigned gen_npatterns(void);
const char *gen_pattern_name(unsigned i);

#endif
