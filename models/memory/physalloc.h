/* Placement of simulated physical memory: where TCE tables and DMA buffers
 * live in the host's RAM. Functional only (no timing).
 *
 * Layout: RAM is [0, ram_bytes). Tables come from a bump allocator growing
 * down from the top of RAM (the kernel allocates them from node-local pages;
 * their exact addresses do not matter to translation, only their alignment).
 * Buffers are placed at seeded random CPU-page-aligned addresses below the
 * table region, each buffer physically contiguous (traces/FORMAT.md: "each buffer
 * starts on a CPU-page boundary of a seeded physical allocator"). Buffers are
 * not tracked: two buffers may overlap, as pages reused by the kernel do. */
#ifndef TCESIM_PHYSALLOC_H
#define TCESIM_PHYSALLOC_H

#include <stdint.h>
#include "../common/rng.h"

/* rng_seed() stream of buffer placement (see rng.h). */
#define PHYSALLOC_RNG_STREAM 0x9a11ull

typedef struct physalloc {
    uint64_t ram_bytes;
    uint64_t table_floor;  /* lowest byte handed to tables so far */
    unsigned cpu_page_shift;
    rng r;
} physalloc;

/* ram_bytes must be a multiple of the CPU page; returns TCESIM_EINVAL if not,
 * or if cpu_page_shift is outside 12..30. */
int physalloc_init(physalloc *a, uint64_t ram_bytes, unsigned cpu_page_shift, uint64_t seed);

/* A naturally aligned block of 2^size_shift bytes for a table level;
 * size_shift 12..62 (a level is at least 4 KiB, as the TVE's table-size field
 * allows), else TCESIM_EINVAL. Returns TCESIM_ENOSPC when tables would use
 * more than half of RAM: the table region is [ram_bytes / 2, ram_bytes). */
int physalloc_table(physalloc *a, unsigned size_shift, uint64_t *pa_out);

/* A buffer of `bytes` (> 0) starting on a CPU page boundary, wholly inside the
 * buffer region [0, ram_bytes / 2) (below any table), uniformly among the
 * page-aligned starts that fit. Returns TCESIM_EINVAL if it cannot fit. */
int physalloc_buffer(physalloc *a, uint64_t bytes, uint64_t *pa_out);

/* The same, starting on a 2^align_shift boundary (align_shift >= the CPU
 * page shift, <= 62): a dma_alloc_coherent() buffer, which
 * iommu_alloc_coherent() (arch/powerpc/kernel/iommu.c, Linux 4.4 and 6.6)
 * takes from alloc_pages_node(order = get_order(size)), and the buddy
 * allocator returns 2^order pages naturally aligned (mm/page_alloc.c). With
 * the CPU page shift it draws exactly as physalloc_buffer(). */
int physalloc_buffer_aligned(physalloc *a, uint64_t bytes, unsigned align_shift, uint64_t *pa_out);

#endif
