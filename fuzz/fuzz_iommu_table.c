/* libFuzzer harness: the powerpc iommu_table allocator and its DMA API
 * callers (models/host/iommu_table.c) under fuzzer-chosen parameters and
 * operations, windows small enough to fill, and map_sgs that fail part way.
 *
 * Input: 6 bytes of parameters, then operations of 8 bytes each (a short
 * tail is ignored).
 *   byte 0: bit 0 era (4.4 / 6.6), bits 1-2 large-pool fallback (era, on,
 *           off), bits 3-4 hash (era, modern, legacy), bit 5 CPU page
 *           (4 KiB / 64 KiB), bit 6 a reserved range, bit 7 a 1 MiB segment
 *           boundary
 *   byte 1: TCE page (4K, 64K, 2M, 16M), bits 2-3 pools (kernel rule, 1, 2, 8)
 *   byte 2: log2 of the entries, 1 + (b % 14): 2 .. 16384
 *   byte 3: window start: 0, 1 GiB, or 4 GiB - half the window (across the
 *           4 GiB boundary)
 *   bytes 4-5: unused (room for more parameters)
 *   op: [kind, cpu, mask bits, size log, size lo, pa lo, pa hi, nseg/pick]
 *
 * Oracle, after every operation: the bitmap is exactly the reserved
 * entries plus a shadow of every range allocated and not yet freed (so no
 * range is handed out twice, a failed map_sg gives back what its unwind
 * reports, and no free clears what was not allocated); pages_in_use agrees
 * with the shadow; every new range lies in the window and under the DMA
 * mask; a refused free changes nothing. ASan/UBSan catch the rest. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/tcesim_err.h"
#include "host/iommu_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXLIVE 512u
#define MAXSEG 16u

typedef struct live {
    uint64_t entry, npages;
} live;

typedef struct harness {
    iommu_table t;
    uint64_t *shadow;            /* allocated and not freed, one bit per entry */
    uint64_t *reserved;          /* entry 0 and the reserved range */
    uint64_t words;
    live lv[MAXLIVE];
    uint32_t nlive;
} harness;

static bool bit(const uint64_t *m, uint64_t i) { return (m[i / 64] >> (i % 64)) & 1; }

static void set_bits(harness *h, uint64_t e, uint64_t n, bool v)
{
    for (uint64_t i = e; i < e + n; i++) {
        if (v) {
            if (bit(h->shadow, i) || bit(h->reserved, i))
                abort(); /* handed out twice, or over a reserved entry */
            h->shadow[i / 64] |= 1ull << (i % 64);
        } else {
            if (!bit(h->shadow, i))
                abort(); /* freed what was not allocated */
            h->shadow[i / 64] &= ~(1ull << (i % 64));
        }
    }
}

static void check(const harness *h)
{
    uint64_t used = 0;
    for (uint64_t w = 0; w < h->words; w++) {
        if (h->t.bitmap[w] != (h->shadow[w] | h->reserved[w]))
            abort();
        used += (uint64_t)__builtin_popcountll(h->shadow[w]);
    }
    if (used != h->t.st.pages_in_use)
        abort();
}

static void new_range(harness *h, uint64_t e, uint64_t n, uint64_t mask, bool keep)
{
    const iommu_table_params *p = &h->t.p;
    if (n == 0 || e >= p->it_size || n > p->it_size - e)
        abort();
    if ((((e + p->it_offset + n) << p->page_shift) - 1) > mask)
        abort(); /* the device could not reach its last byte */
    set_bits(h, e, n, true);
    if (keep && h->nlive < MAXLIVE)
        h->lv[h->nlive++] = (live){e, n};
}

static void free_live(harness *h, uint32_t j)
{
    live l = h->lv[j];
    h->lv[j] = h->lv[--h->nlive];
    if (iommu_range_free(&h->t, l.entry, l.npages, NULL) != TCESIM_OK)
        abort();
    set_bits(h, l.entry, l.npages, false);
}

static uint64_t mask_of(uint8_t b)
{
    unsigned bits = 24 + b % 41; /* DMA_BIT_MASK(24..64) */
    return bits >= 64 ? UINT64_MAX : (1ull << bits) - 1;
}

static uint64_t size_of(const uint8_t *op, unsigned io_shift)
{
    /* up to a few times the largest window, so that maps fail too */
    unsigned lg = op[3] % (io_shift + 16);
    return (1ull << lg) + op[4] * (1ull << (lg > 8 ? lg - 8 : 0));
}

static int setup(harness *h, const uint8_t *d)
{
    static const unsigned io_shifts[4] = {12, 16, 21, 24};
    static const uint32_t pools[4] = {0, 1, 2, 8};
    iommu_table_params p;
    memset(&p, 0, sizeof p);
    p.kernel = d[0] & 1 ? IOMMU_KERNEL_4_4 : IOMMU_KERNEL_6_6;
    p.large_fallback = (iommu_fallback)((d[0] >> 1) & 3) % 3;
    unsigned hash = ((d[0] >> 3) & 3) % 3;
    p.hash_mult = hash == 1 ? IOMMU_HASH_MULT_MODERN : hash == 2 ? IOMMU_HASH_MULT_LEGACY : 0;
    p.cpu_page_shift = d[0] & 0x20 ? 16 : 12;
    p.page_shift = io_shifts[d[1] & 3];
    p.nr_pools = pools[(d[1] >> 2) & 3];
    p.it_size = 1ull << (1 + d[2] % 14);
    p.blocksize = 16;
    switch (d[3] % 3) {
    case 0: p.it_offset = 0; break;
    case 1: p.it_offset = (1ull << 30) >> p.page_shift; break;
    default: {
        uint64_t four = (4ull << 30) >> p.page_shift;
        p.it_offset = four > p.it_size / 2 ? four - p.it_size / 2 : 0;
    }
    }
    if (d[0] & 0x40) {
        p.reserved_start = p.it_offset + p.it_size / 2;
        p.reserved_end = p.reserved_start + p.it_size / 8;
    }
    if (d[0] & 0x80)
        p.seg_boundary = 1ull << 20;
    if (iommu_table_init(&h->t, &p) != TCESIM_OK)
        return -1;
    h->words = (p.it_size + 63) / 64;
    h->shadow = calloc(h->words, sizeof(uint64_t));
    h->reserved = malloc(h->words * sizeof(uint64_t));
    if (!h->shadow || !h->reserved)
        abort();
    memcpy(h->reserved, h->t.bitmap, h->words * sizeof(uint64_t));
    h->nlive = 0;
    return 0;
}

static void op_map_sg(harness *h, const uint8_t *op, const uint8_t *tail, size_t tail_n)
{
    uint32_t n = 1 + op[7] % MAXSEG;
    uint64_t pas[MAXSEG], sizes[MAXSEG], bus[MAXSEG];
    iommu_sg_out outs[MAXSEG];
    iommu_sg_unwind unw[MAXSEG];
    static iommu_alloc_info infos[MAXSEG]; /* ~2 KiB each */
    uint64_t pa = ((uint64_t)op[6] << 28) | ((uint64_t)op[5] << 12);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t b = tail_n ? tail[i % tail_n] : (uint8_t)i;
        /* mostly small, page-offset segments; sometimes empty or huge */
        sizes[i] = b == 0 ? 0 : b == 0xff ? size_of(op, h->t.p.page_shift) * 64 : (uint64_t)b * 0x300;
        pas[i] = pa + (b & 0x7) * 0x200;
        pa = (pas[i] + sizes[i] + 0xfff) & ~0xfffull;
    }
    uint64_t mask = mask_of(op[2]);
    uint64_t max_seg = op[3] & 1 ? 65536 : 1u << 20;
    uint32_t nouts;
    iommu_sg_failure fail = {.unwound = unw};
    uint64_t *before = malloc(h->words * sizeof(uint64_t));
    if (!before)
        abort();
    memcpy(before, h->shadow, h->words * sizeof(uint64_t));
    uint64_t r = iommu_map_sg(&h->t, op[1], pas, sizes, n, mask, max_seg, op[4] & 1, bus, infos, outs, &nouts, &fail);
    /* every segment allocated up to the failed one */
    uint32_t upto = r == 0 ? n : fail.seg;
    if (upto > n)
        abort();
    for (uint32_t i = 0; i < upto; i++)
        if (sizes[i])
            new_range(h, infos[i].entry, infos[i].npages, mask, false);
    for (uint32_t i = upto + 1; i < n; i++)
        if (infos[i].nholds || bus[i] != IOMMU_MAP_ERROR)
            abort(); /* never reached */
    if (r == 0) {
        if (fail.seg != n || nouts == 0 || nouts > n)
            abort();
        /* dma_unmap_sg frees per output, until the first empty one */
        for (uint32_t k = 0; k < nouts && outs[k].len && h->nlive < MAXLIVE; k++)
            h->lv[h->nlive++] = (live){(outs[k].bus >> h->t.p.page_shift) - h->t.p.it_offset,
                                       iommu_sg_out_pages(&h->t, &outs[k])};
        free(before);
        return;
    }
    if (nouts != 0 || fail.nunwound > n)
        abort();
    for (uint32_t k = 0; k < fail.nunwound; k++) {
        if (unw[k].bad)
            abort(); /* the unwind frees only what this call took */
        set_bits(h, unw[k].entry, unw[k].npages, false);
    }
    /* Where no offset can be lost (Linux 6.6, or IO pages not above the CPU
     * page) the unwind gives back everything the call took. */
    if ((h->t.p.kernel == IOMMU_KERNEL_6_6 || h->t.p.page_shift <= h->t.p.cpu_page_shift) &&
        memcmp(before, h->shadow, h->words * sizeof(uint64_t)) != 0)
        abort();
    free(before);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 6)
        return 0;
    static harness h;
    if (setup(&h, data) != 0)
        return 0;
    const unsigned sh = h.t.p.page_shift;
    for (size_t off = 6; off + 8 <= size; off += 8) {
        const uint8_t *op = data + off;
        uint64_t mask = mask_of(op[2]);
        uint64_t pa = ((uint64_t)op[6] << 28) | ((uint64_t)op[5] << 12) | (op[7] & 1 ? 0 : (uint64_t)op[4] << 4);
        iommu_alloc_info info;
        uint64_t bus, e;
        switch (op[0] % 6) {
        case 0:
            e = iommu_map_page(&h.t, op[1], pa, size_of(op, sh), mask, &bus, &info);
            if (e != IOMMU_MAP_ERROR)
                new_range(&h, e, info.npages, mask, true);
            break;
        case 1:
            op_map_sg(&h, op, data + off + 8, size - off - 8 < 8 ? size - off - 8 : 8);
            break;
        case 2: {
            uint64_t cp = ((uint64_t)op[6] << 28) | ((uint64_t)op[5] << 16);
            e = iommu_alloc_coherent(&h.t, op[1], cp, size_of(op, sh), mask, &bus, &info);
            if (e != IOMMU_MAP_ERROR) {
                if (info.npages != iommu_coherent_pages(&h.t, size_of(op, sh)))
                    abort();
                new_range(&h, e, info.npages, mask, true);
            }
            break;
        }
        case 3:
        case 4:
            if (h.nlive)
                free_live(&h, op[1] % h.nlive);
            break;
        default: {
            /* a free of any range: refused (nothing changes) unless wholly allocated */
            uint64_t fe = ((uint64_t)op[1] << 8 | op[2]) % (h.t.p.it_size + 4), fn = op[3] % 40;
            bool whole = fn && fe < h.t.p.it_size && fn <= h.t.p.it_size - fe;
            for (uint64_t i = fe; whole && i < fe + fn; i++)
                whole = bit(h.shadow, i);
            int rc = iommu_range_free(&h.t, fe, fn, NULL);
            if ((rc == TCESIM_OK) != whole)
                abort();
            if (rc == TCESIM_OK) {
                set_bits(&h, fe, fn, false);
                for (uint32_t j = 0; j < h.nlive;) {
                    if (h.lv[j].entry < fe + fn && fe < h.lv[j].entry + h.lv[j].npages)
                        h.lv[j] = h.lv[--h.nlive]; /* its remains stay allocated */
                    else
                        j++;
                }
            }
        }
        }
        check(&h);
    }
    free(h.shadow);
    free(h.reserved);
    iommu_table_destroy(&h.t);
    return 0;
}
