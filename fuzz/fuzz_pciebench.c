/* libFuzzer harness: the pcie-bench CSV reader (calib/pciebench.c
 * pb_parse_curve), which `tcesim calibrate` feeds with any directory it is
 * given.
 *
 * Input: byte 0 picks the file's kind (bit 0-1: read, write, latency) and
 * its size (bit 2: 64, else 128); the rest is the file's text.
 *
 * Oracle: an accepted file gives at least one point, windows strictly
 * ascending from 1 to 2^53, finite positive values, each point's line
 * between 2 and the text's line count; a refused one leaves the curve empty
 * and says why in one line that starts with the file's name. ASan/UBSan
 * catch the rest. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/tcesim_err.h"
#include "pciebench.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    pb_kind kind = (pb_kind)((data[0] & 3) % 3);
    uint32_t sz = (data[0] & 4) ? 64 : 128;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    pb_curve c;
    char msg[512];
    msg[0] = '\0';
    int rc = pb_parse_curve("fuzz.csv", text, len, kind, sz, &c, msg, sizeof msg);
    if (rc == TCESIM_OK) {
        size_t lines = 1;
        for (size_t i = 0; i < len; i++)
            lines += text[i] == '\n';
        if (c.npoints == 0 || !c.points || !c.path || strcmp(c.path, "fuzz.csv") != 0)
            abort();
        for (size_t i = 0; i < c.npoints; i++) {
            const pb_point *p = &c.points[i];
            if (p->window_bytes < 1 || p->window_bytes > (UINT64_C(1) << 53) || !isfinite(p->value) ||
                !(p->value > 0) || p->line < 2 || p->line > lines)
                abort();
            if (i && p->window_bytes <= c.points[i - 1].window_bytes)
                abort();
        }
        pb_curve_free(&c);
    } else {
        if (rc != TCESIM_EINVAL && rc != TCESIM_ENOMEM)
            abort();
        if (c.npoints || c.points || c.path || strncmp(msg, "fuzz.csv", 8) != 0 || strchr(msg, '\n'))
            abort();
    }
    return 0;
}
