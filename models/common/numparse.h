/* The one number grammar of tcesim: config values (JSON strings and
 * --set), text traces, generator keys and command-line flags all parse
 * through here (traces/FORMAT.md, "Numbers", is the reference).
 *
 *   number := decimal | hex
 *   decimal := "0" | [1-9][0-9]*          no leading zeros: "010" is an error, not octal 8
 *   hex     := "0x" [0-9a-fA-F]+           leading zeros allowed ("0x00001000")
 *   size    := number | decimal suffix     suffix := "K" | "M" | "G" | "T" (2^10..2^40)
 *
 * Unsigned 64-bit; no sign, no whitespace anywhere (leading, trailing or
 * inside), no "0X", no lowercase or "KiB"/"KB" suffixes, no suffix on hex,
 * overflow is an error. Suffixes only where the value is a byte count
 * (num_parse_size). */
#ifndef TCESIM_NUMPARSE_H
#define TCESIM_NUMPARSE_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Largest time in ns whose picoseconds stay below 2^63 (the simulator's
 * time unit is the ps; reports write times as signed 64-bit integers). */
#define NUM_NS_MAX ((uint64_t)INT64_MAX / 1000)     /* 9223372036854775 */
/* Largest value of a key given in ps. */
#define NUM_PS_MAX ((uint64_t)INT64_MAX)

/* Each returns 0 with *out set, or -1 with *why (if why is not NULL) set to
 * a static phrase that fits "key: bad value 'S' (WHY)"; *out is left alone
 * on error. s may be NULL (an error). */
int num_parse_u64(const char *s, uint64_t *out, const char **why);
int num_parse_size(const char *s, uint64_t *out, const char **why);
/* As num_parse_u64 / num_parse_size, as the flag says. */
int num_parse(const char *s, bool size, uint64_t *out, const char **why);

/* The value of one hex digit (0-9, a-f, A-F), or -1. */
int num_hex_digit(char c);

/* Range of a value by its key's unit, from the key's name: a name ending in
 * "_ns" is a time in ns (max NUM_NS_MAX), "_ps" a time in ps (max
 * NUM_PS_MAX); anything else has no unit limit (UINT64_MAX). */
uint64_t num_unit_max(const char *key);

#ifdef __cplusplus
}
#endif

#endif
