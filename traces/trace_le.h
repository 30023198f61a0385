/* Little-endian loads and stores for the binary trace format, at any
 * alignment (memcpy compiles to one load/store; a byte swap on big-endian
 * hosts). Internal to traces/. */
#ifndef TCESIM_TRACE_LE_H
#define TCESIM_TRACE_LE_H

#include <stdint.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define TR_LE16(x) __builtin_bswap16(x)
#define TR_LE32(x) __builtin_bswap32(x)
#define TR_LE64(x) __builtin_bswap64(x)
#else
#define TR_LE16(x) (x)
#define TR_LE32(x) (x)
#define TR_LE64(x) (x)
#endif

static inline uint16_t tr_ld16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return TR_LE16(v); }
static inline uint32_t tr_ld32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return TR_LE32(v); }
static inline uint64_t tr_ld64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return TR_LE64(v); }
static inline void tr_st16(uint8_t *p, uint16_t v) { v = TR_LE16(v); memcpy(p, &v, 2); }
static inline void tr_st32(uint8_t *p, uint32_t v) { v = TR_LE32(v); memcpy(p, &v, 4); }
static inline void tr_st64(uint8_t *p, uint64_t v) { v = TR_LE64(v); memcpy(p, &v, 8); }

#endif
