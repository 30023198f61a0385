/* TVE encode/decode for IODA2 (PHB3) and IODA3 (PHB4).
 *
 * Sources, read for the layout (our own code):
 * - skiboot include/phb3-regs.h and include/phb4-regs.h: IODA2_TVT_* and
 *   IODA3_TVT_* fields, TABLE_ADDR PPC_BITMASK(0,47), NUM_LEVELS (48,50),
 *   TCE_TABLE_SIZE (51,55), IO_PSIZE (59,63); IODA3_TVT_NON_TRANSLATE_50
 *   PPC_BIT(56) (PHB4 only).
 * - skiboot hw/phb3.c phb3_map_pe_dma_window / hw/phb4.c
 *   phb4_map_pe_dma_window: table size field = ilog2(bytes of a level) - 11
 *   (> 31 rejected, size >= 4 KiB, so 1..31), levels 1..5 stored as
 *   levels - 1, IO_PSIZE codes PHB3 4K=1 64K=5 16M=13 256M=17, PHB4 4K=1
 *   64K=5 2M=10 1G=19; table size 0 disables the TVE.
 * - skiboot phb3_map_pe_dma_window_real / phb4_map_pe_dma_window_real: the
 *   bypass ("real") layout below; the window end written is start + size,
 *   i.e. one past the last byte, and must be <= 0x0003ffffffffffff.
 * - QEMU hw/pci-host/pnv_phb3.c / pnv_phb4.c pnv_phb*_translate_tve: IO_PSIZE
 *   0 means untranslated; tce_shift = IO_PSIZE + 11, tbl_shift =
 *   TCE_TABLE_SIZE + 8; PHB3 additionally requires bit 51 for an
 *   untranslated TVE ("xlate for invalid non-translate TVE").
 *
 * IBM bit n (bit 0 = MSB) is ordinary bit 63 - n, so a field spanning IBM
 * bits [first, last] is shifted left by 63 - last. */
#include "tve.h"

#include <stddef.h>

#include "../common/tcesim_err.h"

#define IBM_SHIFT(last) (63u - (last))
#define IBM_BIT(n) (1ull << IBM_SHIFT(n))

/* Translated layout (IODA2_TVT_* / IODA3_TVT_*). */
#define TVT_TABLE_ADDR_SHIFT IBM_SHIFT(47)      /* bits 0-47: 48 bits */
#define TVT_TABLE_ADDR_MASK ((1ull << 48) - 1)
#define TVT_NUM_LEVELS_SHIFT IBM_SHIFT(50)      /* bits 48-50: 3 bits */
#define TVT_NUM_LEVELS_MASK 0x7ull
#define TVT_TABLE_SIZE_SHIFT IBM_SHIFT(55)      /* bits 51-55: 5 bits */
#define TVT_TABLE_SIZE_MASK 0x1full
#define TVT_IO_PSIZE_SHIFT IBM_SHIFT(63)        /* bits 59-63: 5 bits */
#define TVT_IO_PSIZE_MASK 0x1full
#define TVT_NON_TRANSLATE_50 IBM_BIT(56)        /* IODA3 only */
#define TVT_RESERVED_56_58 (IBM_BIT(56) | IBM_BIT(57) | IBM_BIT(58))

/* Bypass layout (phb*_map_pe_dma_window_real): address bits 47:24 of start
 * in TVE bits 0-23, of end in 24-47; address bits 49:48 of start in TVE bits
 * 52-53, of end in 54-55; TVE bit 51 marks the entry untranslated. */
#define BYP_START_LO_SHIFT IBM_SHIFT(23)
#define BYP_END_LO_SHIFT IBM_SHIFT(47)
#define BYP_START_HI_SHIFT IBM_SHIFT(53)
#define BYP_END_HI_SHIFT IBM_SHIFT(55)
#define BYP_LO_MASK 0xffffffull                 /* 24 bits: address 47:24 */
#define BYP_HI_MASK 0x3ull                      /* 2 bits: address 49:48 */
#define BYP_VALID IBM_BIT(51)
#define BYP_ALIGN (1ull << 24)                  /* 16 MiB */
#define BYP_MAX_END_EXCL 0x0003ffffffffffffull  /* skiboot's limit on start + size */

typedef struct psize_code {
    unsigned shift, code;
} psize_code;

static const psize_code PHB3_PSIZES[] = {{12, 1}, {16, 5}, {24, 13}, {28, 17}};
static const psize_code PHB4_PSIZES[] = {{12, 1}, {16, 5}, {21, 10}, {30, 19}};

static const psize_code *psizes_of(phb_gen gen, unsigned *n)
{
    *n = 4;
    switch (gen) {
    case PHB_GEN3: return PHB3_PSIZES;
    case PHB_GEN4: return PHB4_PSIZES;
    }
    *n = 0;
    return NULL;
}

/* Returns the IO_PSIZE code of page_shift, or 0 if unsupported. */
static unsigned psize_encode(phb_gen gen, unsigned page_shift)
{
    unsigned n;
    const psize_code *t = psizes_of(gen, &n);
    for (unsigned i = 0; i < n; i++)
        if (t[i].shift == page_shift)
            return t[i].code;
    return 0;
}

/* Returns the page shift of an IO_PSIZE code, or 0 if the generation does
 * not support it. Every supported code is page_shift - 11 (QEMU's
 * tce_shift = tps + 11). */
static unsigned psize_decode(phb_gen gen, unsigned code)
{
    unsigned n;
    const psize_code *t = psizes_of(gen, &n);
    for (unsigned i = 0; i < n; i++)
        if (t[i].code == code)
            return t[i].shift;
    return 0;
}

bool tve_page_shift_supported(phb_gen gen, unsigned page_shift)
{
    return psize_encode(gen, page_shift) != 0;
}

unsigned phb_num_pes(phb_gen gen)
{
    switch (gen) {
    case PHB_GEN3: return 256; /* PHB3_MAX_PE_NUM, skiboot include/phb3.h */
    case PHB_GEN4: return 512; /* PHB4 "big" mode, 512 PEs (skiboot hw/phb4.c) */
    }
    return 0;
}

static bool gen_known(phb_gen gen)
{
    return gen == PHB_GEN3 || gen == PHB_GEN4;
}

static int encode_translated(phb_gen gen, const tve *t, uint64_t *raw)
{
    unsigned code = psize_encode(gen, t->page_shift);
    if (!code)
        return TCESIM_EINVAL;
    if ((t->table_pa & 0xfff) || (t->table_pa >> 12) > TVT_TABLE_ADDR_MASK)
        return TCESIM_EINVAL;
    if (t->levels < 1 || t->levels > 5)
        return TCESIM_EINVAL;
    /* skiboot: tts = ilog2(size) - 11, size >= 0x1000 and tts <= 31. */
    if (t->level_shift < 12 || t->level_shift > 42)
        return TCESIM_EINVAL;
    *raw = (t->table_pa >> 12) << TVT_TABLE_ADDR_SHIFT |
           (uint64_t)(t->levels - 1) << TVT_NUM_LEVELS_SHIFT |
           (uint64_t)(t->level_shift - 11) << TVT_TABLE_SIZE_SHIFT |
           (uint64_t)code << TVT_IO_PSIZE_SHIFT;
    return TCESIM_OK;
}

static int encode_bypass(phb_gen gen, const tve *t, uint64_t *raw)
{
    /* The TVE holds one past the end (skiboot: end = start + size). */
    uint64_t end_excl = t->end + 1;
    if (t->end < t->start || end_excl == 0)
        return TCESIM_EINVAL;
    if ((t->start & (BYP_ALIGN - 1)) || (end_excl & (BYP_ALIGN - 1)))
        return TCESIM_EINVAL;
    if (end_excl > BYP_MAX_END_EXCL)
        return TCESIM_EINVAL;
    uint64_t v = ((t->start >> 24) & BYP_LO_MASK) << BYP_START_LO_SHIFT |
                 ((t->start >> 48) & BYP_HI_MASK) << BYP_START_HI_SHIFT |
                 ((end_excl >> 24) & BYP_LO_MASK) << BYP_END_LO_SHIFT |
                 ((end_excl >> 48) & BYP_HI_MASK) << BYP_END_HI_SHIFT |
                 BYP_VALID;
    if (gen == PHB_GEN4)
        v |= TVT_NON_TRANSLATE_50; /* phb4_map_pe_dma_window_real sets it */
    *raw = v;
    return TCESIM_OK;
}

int tve_encode(phb_gen gen, const tve *t, uint64_t *raw)
{
    if (!gen_known(gen))
        return TCESIM_EINVAL;
    switch (t->kind) {
    case TVE_INVALID:
        *raw = 0;
        return TCESIM_OK;
    case TVE_TRANSLATED:
        return encode_translated(gen, t, raw);
    case TVE_BYPASS:
        return encode_bypass(gen, t, raw);
    }
    return TCESIM_EINVAL;
}

static int decode_bypass(phb_gen gen, uint64_t raw, tve *out)
{
    /* Bits 48-50 (NUM_LEVELS) are unused here; 57-58 are reserved; 56 is
     * NON_TRANSLATE_50, which skiboot always sets on PHB4 and PHB3 lacks. */
    if (raw & ((TVT_NUM_LEVELS_MASK << TVT_NUM_LEVELS_SHIFT) | IBM_BIT(57) | IBM_BIT(58)))
        return TCESIM_EINVAL;
    bool nt50 = (raw & TVT_NON_TRANSLATE_50) != 0;
    if (nt50 != (gen == PHB_GEN4))
        return TCESIM_EINVAL;
    uint64_t start = ((raw >> BYP_START_LO_SHIFT) & BYP_LO_MASK) << 24 |
                     ((raw >> BYP_START_HI_SHIFT) & BYP_HI_MASK) << 48;
    uint64_t end_excl = ((raw >> BYP_END_LO_SHIFT) & BYP_LO_MASK) << 24 |
                        ((raw >> BYP_END_HI_SHIFT) & BYP_HI_MASK) << 48;
    if (end_excl <= start)
        return TCESIM_EINVAL; /* an empty window: skiboot writes 0 instead */
    out->kind = TVE_BYPASS;
    out->start = start;
    out->end = end_excl - 1;
    return TCESIM_OK;
}

int tve_decode(phb_gen gen, uint64_t raw, tve *out)
{
    if (!gen_known(gen))
        return TCESIM_EINVAL;
    *out = (tve){.kind = TVE_INVALID};
    if (raw == 0)
        return TCESIM_OK;
    unsigned code = (unsigned)((raw >> TVT_IO_PSIZE_SHIFT) & TVT_IO_PSIZE_MASK);
    unsigned tts = (unsigned)((raw >> TVT_TABLE_SIZE_SHIFT) & TVT_TABLE_SIZE_MASK);
    if (code == 0) {
        /* Untranslated: QEMU's pnv_phb3_translate_tve requires bit 51. */
        if (!(raw & BYP_VALID)) {
            if (tts == 0)
                return TCESIM_OK; /* table size 0: disabled */
            return TCESIM_EINVAL;
        }
        return decode_bypass(gen, raw, out);
    }
    if (tts == 0)
        return TCESIM_OK; /* "TVE disabled" (pnv_phb*_translate_tve) */
    unsigned page_shift = psize_decode(gen, code);
    if (!page_shift || (raw & TVT_RESERVED_56_58))
        return TCESIM_EINVAL;
    out->kind = TVE_TRANSLATED;
    out->table_pa = ((raw >> TVT_TABLE_ADDR_SHIFT) & TVT_TABLE_ADDR_MASK) << 12;
    out->levels = (unsigned)((raw >> TVT_NUM_LEVELS_SHIFT) & TVT_NUM_LEVELS_MASK) + 1;
    out->level_shift = tts + 11;
    out->page_shift = page_shift;
    if (out->levels > 5) {
        *out = (tve){.kind = TVE_INVALID};
        return TCESIM_EINVAL; /* QEMU: "Invalid #levels in TVE" */
    }
    return TCESIM_OK;
}
