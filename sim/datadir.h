/* Where tcesim's data (presets in configs/, scripts/report.py) is found, for
 * the CLI and for programs linked with libtcesim, wherever they run from. */
#ifndef TCESIM_DATADIR_H
#define TCESIM_DATADIR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Looks for `rel` (e.g. "configs/phb3.json") in, in order:
 *   $TCESIM_DATADIR/rel (when set and not empty),
 *   L/rel, L/../rel and L/../share/tcesim/rel for L = the directory of the
 *     object holding this code (libtcesim.so, or the program it is linked
 *     into: dladdr) and then of the program itself (/proc/self/exe; argv[0]
 *     has no slash when run from PATH), which covers an install (P/bin,
 *     P/lib -> P/share/tcesim) and a build tree (build/ -> ../configs),
 *   ./rel, and the source tree the library was built from.
 * Writes the first readable path into out and returns 0; -1 when none is
 * (out then holds the last candidate). */
int tcesim_find_data(const char *rel, char *out, size_t outlen);

#ifdef __cplusplus
}
#endif

#endif
