/* Simulated time: integer picoseconds everywhere.
 *
 * Contract: every model takes the current time as an argument and returns
 * completion times; no model keeps a clock of its own or calls SystemC. */
#ifndef TCESIM_TIME_H
#define TCESIM_TIME_H

#include <stdint.h>

typedef uint64_t ps_t;

#define PS_PER_NS 1000ull
#define PS_NEVER UINT64_MAX

static inline ps_t ps_from_ns(uint64_t ns) { return ns * PS_PER_NS; }
static inline ps_t ps_max(ps_t a, ps_t b) { return a > b ? a : b; }
static inline ps_t ps_min(ps_t a, ps_t b) { return a < b ? a : b; }

#endif
