/* TCE tables and the functional walk.
 *
 * Sources (read, not copied):
 * - Linux arch/powerpc/platforms/powernv/pci-ioda-tce.c:
 *   pnv_pci_ioda2_table_alloc_pages (the geometry rule), pnv_tce (indirect
 *   entries hold __pa(next level) | TCE_PCI_READ | TCE_PCI_WRITE, lower
 *   levels allocated when `alloc` is set), pnv_alloc_tce_level (levels are
 *   whole naturally aligned page blocks).
 * - QEMU hw/pci-host/pnv_phb3.c / pnv_phb4.c pnv_phb*_translate_tve: the walk
 *   (taddr = base | index << 3, "Invalid indirect TCE" when R and W are both
 *   clear above the last level, next base = tce & ~0xfff, "TCE access fault"
 *   on a write without bit 1 or a read without bit 0).
 * - An address beyond the window is an error on real hardware (the TVE's
 *   TCE_TABLE_SIZE bounds the table, skiboot hw/phb3.c); QEMU's pnv_phb3.c
 *   masks the top index instead. We fault it. */
#include "tce_table.h"

#include "../common/tcesim_err.h"

/* x >> s for any s: C leaves shifts >= 64 undefined, and a 5-level table of
 * large levels has sh well above 63 (index 0 there, as in hardware). */
static inline uint64_t shr64(uint64_t x, unsigned s)
{
    return s >= 64 ? 0 : x >> s;
}

static unsigned ceil_div(unsigned a, unsigned b)
{
    return (a + b - 1) / b;
}

int tce_geometry(uint64_t window_bytes, unsigned page_shift, unsigned levels,
                 unsigned cpu_page_shift, tce_geom *out)
{
    if (levels < 1 || levels > TCE_MAX_LEVELS)
        return TCESIM_EINVAL;
    if (page_shift < 12 || page_shift > 62 || cpu_page_shift < 12 || cpu_page_shift > 62)
        return TCESIM_EINVAL;
    if (window_bytes == 0 || (window_bytes & (window_bytes - 1)))
        return TCESIM_EINVAL; /* !is_power_of_2(window_size) -> -EINVAL */
    unsigned window_shift = (unsigned)__builtin_ctzll(window_bytes);
    if (window_shift < page_shift)
        return TCESIM_EINVAL;
    unsigned entries_shift = ceil_div(window_shift - page_shift, levels);
    unsigned level_shift = entries_shift + 3;
    if (level_shift < cpu_page_shift)
        level_shift = cpu_page_shift;
    if ((level_shift - 3) * levels + page_shift >= 55)
        return TCESIM_ERANGE;
    out->page_shift = page_shift;
    out->levels = levels;
    out->level_shift = level_shift;
    out->window_bytes = window_bytes;
    return TCESIM_OK;
}

/* Fresh levels must read as zero even if the placement ever reuses memory;
 * physmem_zero is cheap when nothing is stored there. */
static int alloc_level(tce_table *t, uint64_t *pa)
{
    int rc = physalloc_table(t->alloc, t->g.level_shift, pa);
    if (rc)
        return rc;
    physmem_zero(t->mem, *pa, 1ull << t->g.level_shift);
    t->levels_allocated++;
    return TCESIM_OK;
}

int tce_table_create(tce_table *t, physmem *mem, physalloc *alloc, const tce_geom *g)
{
    if (!mem || !alloc || g->levels < 1 || g->levels > TCE_MAX_LEVELS)
        return TCESIM_EINVAL;
    /* The level must fit the TVE's table-size field (12..42, tve.h) and the
     * window must be whole IO pages. */
    if (g->level_shift < 12 || g->level_shift > 42 || g->page_shift < 12 || g->page_shift > 62 ||
        g->window_bytes < (1ull << g->page_shift))
        return TCESIM_EINVAL;
    *t = (tce_table){.g = *g, .mem = mem, .alloc = alloc};
    if ((uint64_t)(g->level_shift - 3) * g->levels + g->page_shift < 64 &&
        g->window_bytes > 1ull << ((g->level_shift - 3) * g->levels + g->page_shift))
        return TCESIM_EINVAL; /* the levels cannot cover the window */
    return alloc_level(t, &t->top_pa);
}

tve tce_table_tve(const tce_table *t)
{
    return (tve){
        .kind = TVE_TRANSLATED,
        .table_pa = t->top_pa,
        .levels = t->g.levels,
        .level_shift = t->g.level_shift,
        .page_shift = t->g.page_shift,
    };
}

/* Byte offset of `entry`'s slot within its level `lvl` (0 = top). */
static uint64_t slot_offset(const tce_table *t, uint64_t entry, unsigned lvl)
{
    unsigned tbl_shift = t->g.level_shift - 3;
    unsigned below = tbl_shift * (t->g.levels - 1 - lvl);
    return (shr64(entry, below) & ((1ull << tbl_shift) - 1)) << 3;
}

/* Address of entry's last-level TCE, or 0 if an upper level is missing. */
static uint64_t find_leaf(const tce_table *t, uint64_t entry)
{
    uint64_t base = t->top_pa;
    for (unsigned lvl = 0; lvl + 1 < t->g.levels; lvl++) {
        uint64_t ind = physmem_read_be64(t->mem, base | slot_offset(t, entry, lvl));
        if (!(ind & (TCE_READ | TCE_WRITE)))
            return 0;
        base = ind & ~0xfffull;
    }
    return base | slot_offset(t, entry, t->g.levels - 1);
}

/* As find_leaf, allocating and linking missing levels (pnv_tce with
 * alloc=true). */
static int make_leaf(tce_table *t, uint64_t entry, uint64_t *out)
{
    uint64_t base = t->top_pa;
    for (unsigned lvl = 0; lvl + 1 < t->g.levels; lvl++) {
        uint64_t slot = base | slot_offset(t, entry, lvl);
        uint64_t ind = physmem_read_be64(t->mem, slot);
        if (!(ind & (TCE_READ | TCE_WRITE))) {
            uint64_t next;
            int rc = alloc_level(t, &next);
            if (rc)
                return rc;
            ind = next | TCE_READ | TCE_WRITE;
            rc = physmem_write_be64(t->mem, slot, ind);
            if (rc)
                return rc;
        }
        base = ind & ~0xfffull;
    }
    *out = base | slot_offset(t, entry, t->g.levels - 1);
    return TCESIM_OK;
}

int tce_table_set(tce_table *t, uint64_t entry, uint64_t pa, uint64_t perm)
{
    if (entry >= tce_table_entries(t))
        return TCESIM_EINVAL;
    if (pa & ((1ull << t->g.page_shift) - 1))
        return TCESIM_EINVAL;
    if (perm == 0 || (perm & ~(TCE_READ | TCE_WRITE)))
        return TCESIM_EINVAL;
    if (perm & TCE_WRITE)
        perm |= TCE_READ; /* Linux sets READ whenever WRITE is set */
    uint64_t slot;
    int rc = make_leaf(t, entry, &slot);
    if (rc)
        return rc;
    return physmem_write_be64(t->mem, slot, pa | perm);
}

void tce_table_clear(tce_table *t, uint64_t entry)
{
    if (entry >= tce_table_entries(t))
        return;
    uint64_t slot = find_leaf(t, entry);
    if (slot)
        physmem_write_be64(t->mem, slot, 0); /* cannot fail: the frame exists */
}

uint64_t tce_table_get(const tce_table *t, uint64_t entry)
{
    uint64_t slot = tce_table_leaf_pa(t, entry);
    return slot ? physmem_read_be64(t->mem, slot) : 0;
}

uint64_t tce_table_leaf_pa(const tce_table *t, uint64_t entry)
{
    if (entry >= tce_table_entries(t))
        return 0;
    return find_leaf(t, entry);
}

const char *tce_fault_name(tce_fault f)
{
    switch (f) {
    case TCE_OK: return "ok";
    case TCE_FAULT_INVALID_TVE: return "invalid_tve";
    case TCE_FAULT_INDIRECT: return "indirect";
    case TCE_FAULT_PERM: return "permission";
    case TCE_FAULT_WINDOW: return "window";
    case TCE_FAULT_KINDS: break;
    }
    return "unknown";
}

static void walk_bypass(const tve *t, uint64_t addr, tce_walk_result *out)
{
    /* bus = phys + 2^59 (pnv_pci_ioda2_set_bypass opens the window at
     * 1 << 59); an address below 2^59 cannot be in it. */
    if (addr < TVE_BYPASS_BIT59) {
        out->fault = TCE_FAULT_WINDOW;
        return;
    }
    uint64_t pa = addr - TVE_BYPASS_BIT59;
    if (pa < t->start || pa > t->end) {
        out->fault = TCE_FAULT_WINDOW;
        return;
    }
    out->pa = pa;
}

void tce_walk(const tve *t, const physmem *mem, uint64_t addr, bool is_write,
              tce_walk_result *out)
{
    *out = (tce_walk_result){.fault = TCE_OK};
    if (t->kind == TVE_BYPASS) {
        walk_bypass(t, addr, out);
        return;
    }
    if (t->kind != TVE_TRANSLATED || t->page_shift == 0 || t->levels < 1 ||
        t->levels > TCE_MAX_LEVELS || t->level_shift < 12 || t->level_shift > 42) {
        out->fault = TCE_FAULT_INVALID_TVE;
        return;
    }
    /* Bit 59 selects the TVE, it is not part of the IO address: a window
     * behind TVE#1 is indexed from 1 << 59 (Linux's it_offset). */
    uint64_t io = addr & ~TVE_BYPASS_BIT59;
    if (io >= tve_window_bytes(t)) {
        out->fault = TCE_FAULT_WINDOW;
        return;
    }
    unsigned tce_shift = t->page_shift;
    unsigned tbl_shift = t->level_shift - 3;
    unsigned sh = tbl_shift * (t->levels - 1) + tce_shift;
    uint64_t base = t->table_pa;
    uint64_t tce = 0;
    for (unsigned lvl = 0;; lvl++) {
        uint64_t taddr = base | (shr64(io, sh) & ((1ull << tbl_shift) - 1)) << 3;
        out->taddr[out->nreads++] = taddr;
        tce = physmem_read_be64(mem, taddr);
        if (lvl + 1 == t->levels)
            break;
        if (!(tce & (TCE_READ | TCE_WRITE))) {
            out->fault = TCE_FAULT_INDIRECT;
            return;
        }
        sh -= tbl_shift;
        base = tce & ~0xfffull;
    }
    out->tce = tce;
    if (!tce_perm_ok(tce, is_write)) {
        out->fault = TCE_FAULT_PERM;
        return;
    }
    uint64_t page_mask = (1ull << tce_shift) - 1;
    out->pa = (tce & ~page_mask) | (io & page_mask);
}
