/* Simulated physical memory: the functional contents of host RAM that the
 * models need (TCE tables), stored sparsely in 4 KiB frames.
 *
 * Contract: never-written bytes read as zero; memory is big-endian where the
 * hardware says so (TCEs are big-endian: Linux pnv_tce_build writes cpu_to_be64), so the
 * accessors say the byte order in their names. Frames are allocated on first
 * write; physmem_zero gives whole frames back. Not thread-safe. */
#ifndef TCESIM_PHYSMEM_H
#define TCESIM_PHYSMEM_H

#include <stdint.h>

typedef struct physmem physmem;

/* Returns NULL on allocation failure. */
physmem *physmem_create(void);
void physmem_destroy(physmem *m); /* accepts NULL */

/* pa must be 8-byte aligned (asserted: the models only do aligned TCE I/O).
 * O(1) expected (hash of frame number). */
uint64_t physmem_read_be64(const physmem *m, uint64_t pa);
/* Returns TCESIM_ENOMEM if a new frame cannot be allocated. */
int physmem_write_be64(physmem *m, uint64_t pa, uint64_t val);

/* One byte, any alignment: lets tests (and dumps) see the byte order. */
uint8_t physmem_read_u8(const physmem *m, uint64_t pa);

/* Zeroes [pa, pa + bytes); frames that become wholly zero are freed. */
void physmem_zero(physmem *m, uint64_t pa, uint64_t bytes);

/* Frames currently allocated (each 4 KiB), for memory-use reports/tests. */
uint64_t physmem_frames(const physmem *m);

#endif
