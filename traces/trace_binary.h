/* Binary trace format, version 1 (layout: traces/FORMAT.md, "Binary
 * format"): a header with the device declarations, then fixed-size
 * little-endian records of TR_BIN_RECORD_BYTES, a map_sg's segments in
 * continuation records after it. Holds the same events as the text format;
 * the reader enforces the same rules (shared code, traces/validate.c).
 *
 * A ".zst" suffix (x.bin.zst) reads and writes through zstd transparently. */
#ifndef TCESIM_TRACE_BINARY_H
#define TCESIM_TRACE_BINARY_H

#include <stddef.h>
#include <stdint.h>

#include "trace.h"

#define TR_BIN_MAGIC "TCESIMTR"    /* 8 bytes, no NUL */
#define TR_BIN_VERSION 1u
#define TR_BIN_HEADER_BYTES 32u    /* fixed part, before the device declarations */
#define TR_BIN_DEVICE_BYTES 16u    /* one device declaration */
#define TR_BIN_RECORD_BYTES 40u    /* one record (event or continuation) */
#define TR_BIN_OP_CONT 0xffu       /* op byte of a map_sg continuation record */
#define TR_BIN_SEGS_PER_CONT 2u    /* (size, pa) pairs per continuation record */

/* Record byte 1 (flags). */
#define TR_BIN_F_HANDLE 0x01u      /* read/write: through h (else raw addr) */
#define TR_BIN_F_PA 0x02u          /* map/alloc: pa given; map_sg: pas given */
#define TR_BIN_F_DIR_SHIFT 2       /* map/map_sg: bits 2-3 hold tr_dir */
#define TR_BIN_F_DIR_MASK 0x0cu
/* Device declaration byte 6 (flags). */
#define TR_BIN_D_PE 0x01u          /* pe given */
#define TR_BIN_D_MASK 0x02u        /* dma_mask_bits given */
#define TR_BIN_D_DOMAIN 0x04u      /* domain given (bytes 12-13) */

/* Opens a binary trace (.bin or .bin.zst). Reads the header and device
 * declarations eagerly, records lazily. Errors: err->msg
 * "file: offset N: message" (N the byte offset in the decompressed stream
 * of the header field or record at fault; "record K: " follows it for
 * records), or "file: message" when it cannot be opened. tr_event.line is
 * the record number (from 1, continuation records counted). */
int tr_open_binary(const char *path, tr_source *out, tr_error *err);

/* Writes a binary trace (compressed when path ends in .zst); same atomic
 * contract as tr_writer_open_text (trace.h). */
int tr_writer_open_binary(const char *path, const tr_device_decl *devs, uint32_t ndevs,
                          tr_writer **out, tr_error *err);

/* Bytes a binary source holds (buffers, handle table, declarations; 0 for
 * any other source): constant but for O(distinct handles), whatever the
 * trace's length. For tests. */
size_t tr_binary_state_bytes(const tr_source *src);

#endif
