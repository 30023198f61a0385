/* TCE tables in simulated physical memory, and the functional walk.
 *
 * A TCE is 8 bytes, big-endian: bit 0x1 READ, 0x2 WRITE (Linux sets READ
 * whenever WRITE is set), the rest the page-aligned real address. Indirect
 * (upper-level) entries hold the next level's address | R | W; zero means
 * not present (Linux pci-ioda-tce.c pnv_tce_build / pnv_tce; QEMU
 * hw/pci-host/pnv_phb3.c pnv_phb3_translate_tve). Lower levels are allocated on demand,
 * as Linux does for multi-level tables (pnv_tce() with alloc=true in
 * arch/powerpc/platforms/powernv/pci-ioda-tce.c). */
#ifndef TCESIM_TCE_TABLE_H
#define TCESIM_TCE_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include "../memory/physmem.h"
#include "../memory/physalloc.h"
#include "../tvt/tve.h"

#define TCE_READ  0x1ull
#define TCE_WRITE 0x2ull
#define TCE_MAX_LEVELS 5

/* Table geometry. */
typedef struct tce_geom {
    unsigned page_shift;   /* IO page */
    unsigned levels;       /* 1..5 */
    unsigned level_shift;  /* log2(bytes of one level) */
    uint64_t window_bytes; /* the DMA window the kernel asked for */
} tce_geom;

/* Linux's geometry rule (pnv_pci_ioda2_table_alloc_pages in
 * pci-ioda-tce.c): entries_shift = ceil((log2(window) - page_shift) / levels);
 * level_shift = max(entries_shift + 3, cpu_page_shift); rejected with
 * TCESIM_ERANGE when (level_shift - 3) * levels + page_shift >= 55. window
 * must be a power of two >= the IO page; levels 1..5; else TCESIM_EINVAL. */
int tce_geometry(uint64_t window_bytes, unsigned page_shift, unsigned levels,
                 unsigned cpu_page_shift, tce_geom *out);

typedef struct tce_table {
    tce_geom g;
    uint64_t top_pa;       /* the top level, 2^level_shift aligned */
    physmem *mem;          /* not owned */
    physalloc *alloc;      /* not owned; lower levels come from it */
    uint64_t levels_allocated; /* table levels (blocks) allocated so far */
} tce_table;

/* Allocates the top level. mem and alloc must outlive the table. */
int tce_table_create(tce_table *t, physmem *mem, physalloc *alloc, const tce_geom *g);

/* The translated TVE that points at this table. */
tve tce_table_tve(const tce_table *t);

/* Number of IO pages (entries) of the window: window_bytes >> page_shift. */
static inline uint64_t tce_table_entries(const tce_table *t)
{
    return t->g.window_bytes >> t->g.page_shift;
}

/* Writes the TCE for IO page `entry` (< entries): pa (IO-page aligned, else
 * TCESIM_EINVAL) | perm (TCE_READ and/or TCE_WRITE; WRITE implies READ as
 * Linux sets it). Allocates missing lower levels. */
int tce_table_set(tce_table *t, uint64_t entry, uint64_t pa, uint64_t perm);

/* Zeroes the TCE of `entry`; lower levels stay allocated (Linux frees them
 * only with the table). */
void tce_table_clear(tce_table *t, uint64_t entry);

/* The TCE currently stored for `entry` (0 if none). */
uint64_t tce_table_get(const tce_table *t, uint64_t entry);

/* Physical address of the memory line holding entry's last-level TCE, or 0
 * when an upper level is missing (for the PHB's line-fill option). It is the
 * TCE's own 8-byte address; the caller aligns it down to its line size. */
uint64_t tce_table_leaf_pa(const tce_table *t, uint64_t entry);

/* ---- The walk: QEMU's reference semantics, plus the out-of-window check
 * real hardware makes (QEMU masks the top index instead). ---- */

typedef enum tce_fault {
    TCE_OK = 0,
    TCE_FAULT_INVALID_TVE,  /* TVE disabled or IO_PSIZE 0 */
    TCE_FAULT_INDIRECT,     /* an upper-level entry with R and W both clear */
    TCE_FAULT_PERM,         /* read without R, or write without W */
    TCE_FAULT_WINDOW,       /* beyond the TVE's window (or bypass range) */
    TCE_FAULT_KINDS
} tce_fault;

const char *tce_fault_name(tce_fault f); /* "invalid_tve", "indirect", "permission", "window" */

typedef struct tce_walk_result {
    tce_fault fault;
    unsigned nreads;                  /* 8-byte table reads made (<= levels) */
    uint64_t taddr[TCE_MAX_LEVELS];   /* their addresses, top level first */
    uint64_t tce;                     /* the last-level TCE (if reached) */
    uint64_t pa;                      /* translated address when fault == TCE_OK */
} tce_walk_result;

/* Walks a translated TVE for `addr` (bit 59 is not part of the IO address).
 * Permission is checked here too: write needs TCE_WRITE, read TCE_READ.
 *   tce_shift = page_shift; tbl_shift = level_shift - 3 (entries per level)
 *   sh = tbl_shift * (levels - 1) + tce_shift
 *   each level: taddr = base | ((addr >> sh) & ((1 << tbl_shift) - 1)) << 3
 * For a TVE_BYPASS entry: pa = addr - 2^59 if start <= pa <= end, else
 * TCE_FAULT_WINDOW (no reads). TVE_INVALID: TCE_FAULT_INVALID_TVE. */
void tce_walk(const tve *t, const physmem *mem, uint64_t addr, bool is_write,
              tce_walk_result *out);

/* Permission check of a (cached) TCE: true if the access is allowed. */
static inline bool tce_perm_ok(uint64_t tce, bool is_write)
{
    return (tce & (is_write ? TCE_WRITE : TCE_READ)) != 0;
}

#endif
