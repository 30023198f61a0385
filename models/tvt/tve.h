/* TVT entries (TVEs): how a PE's DMA window is translated.
 *
 * Index: pe << 1 | ((dma_addr >> 59) & 1), two TVEs per PE (skiboot
 * hw/phb3.c phb3_map_pe_dma_window, Linux pci-ioda.c pnv_pci_ioda2_set_window). A TVE is either translated (through a TCE table) or bypass (a real-
 * address window, bus = phys + 2^59). The bit layouts are IODA2 (PHB3) and
 * IODA3 (PHB4); field positions below use IBM bit numbering (bit 0 = MSB),
 * as skiboot's hw/phb3.c / hw/phb4.c and the register headers write them.
 *
 * Translated layout (IODA2 and IODA3):
 *   TABLE_ADDR     bits 0-47   table address >> 12
 *   NUM_LEVELS     bits 48-50  levels - 1 (1..5 levels)
 *   TCE_TABLE_SIZE bits 51-55  ilog2(bytes of ONE level) - 11; 0 disables
 *   IO_PSIZE       bits 59-63  0 = untranslated; PHB3 4K=1 64K=5 16M=13
 *                              256M=17; PHB4 4K=1 64K=5 2M=10 1G=19
 * Bypass layout: bit 51 set; start address bits 49:24 in TVE bits 52:53 ||
 *   0:23, end address bits 49:24 in TVE bits 54:55 || 24:47; PHB4 also sets
 *   bit 56 (NON_TRANSLATE_50). Window 16 MiB aligned, end <= 0x0003ffffffffffff.
 */
#ifndef TCESIM_TVE_H
#define TCESIM_TVE_H

#include <stdbool.h>
#include <stdint.h>

typedef enum phb_gen {
    PHB_GEN3 = 3, /* POWER8, IODA2 */
    PHB_GEN4 = 4, /* POWER9, IODA3 */
} phb_gen;

typedef enum tve_kind {
    TVE_INVALID = 0,    /* disabled: every access through it faults */
    TVE_TRANSLATED,
    TVE_BYPASS,
} tve_kind;

typedef struct tve {
    tve_kind kind;
    /* TVE_TRANSLATED */
    uint64_t table_pa;      /* 4 KiB aligned, < 2^60 */
    unsigned levels;        /* 1..5 */
    unsigned level_shift;   /* log2(bytes of one level), 12..42 */
    unsigned page_shift;    /* IO page shift, supported by the generation */
    /* TVE_BYPASS: the real-address window [start, end], 16 MiB aligned start,
     * end + 1 16 MiB aligned, end <= 0x0003ffffffffffff */
    uint64_t start, end;
} tve;

#define TVE_BYPASS_BIT59 (1ull << 59)

static inline unsigned tvt_index(uint16_t pe, uint64_t dma_addr)
{
    return (unsigned)pe << 1 | (unsigned)((dma_addr >> 59) & 1);
}

/* Is an IO page shift supported by this generation? PHB3 {12,16,24,28},
 * PHB4 {12,16,21,30} (skiboot hw/phb3.c / hw/phb4.c *_map_pe_dma_window's
 * IO_PSIZE switch). */
bool tve_page_shift_supported(phb_gen gen, unsigned page_shift);

/* Number of PEs and the reserved PE per generation: PHB3 256 (255 reserved);
 * PHB4 512 by default (511 reserved). */
unsigned phb_num_pes(phb_gen gen);

/* Encodes *t into the 64-bit TVE value. Returns 0 and sets *raw, or
 * TCESIM_EINVAL if a field does not fit the layout or the generation. A
 * TVE_INVALID encodes as 0. */
int tve_encode(phb_gen gen, const tve *t, uint64_t *raw);

/* Decodes a raw TVE. Returns 0, or TCESIM_EINVAL for a value no PHB of the
 * generation would accept (unsupported IO_PSIZE, table size field < 1, ...).
 * raw == 0 and table-size 0 decode as TVE_INVALID (returns 0). */
int tve_decode(phb_gen gen, uint64_t raw, tve *out);

/* Bytes of IO address space a translated TVE covers:
 * 2^((level_shift - 3) * levels + page_shift), saturating at 2^63; 0 for
 * any other TVE. Inline: every DMA TLP checks its address against it, twice
 * (PHB and walk). */
static inline uint64_t tve_window_bytes(const tve *t)
{
    if (t->kind != TVE_TRANSLATED || t->level_shift < 3)
        return 0;
    uint64_t shift = (uint64_t)(t->level_shift - 3) * t->levels + t->page_shift;
    return shift >= 63 ? 1ull << 63 : 1ull << shift;
}

#endif
