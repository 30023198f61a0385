/* libFuzzer harness: the trace-cmd report importer (traces/import_tracecmd.c)
 * on arbitrary bytes as the report. The first byte picks the parameters:
 *   bit 0: access none (else once)   bits 1-2: pe rule (bus, device, none)
 *   bit 3: pa never (else auto)      bit 4: write .bin (else .trace)
 *   bit 5: domain 0x30 only (else all)
 *   bit 6: sg_page_bytes 64K (else 4K)
 *   bit 7: dma_mask_bits 64 and big-endian raw ARRAY[] bytes (else masks
 *          inferred, little-endian)
 * delay_ns and chunk_bytes stay at their defaults: a small chunk would turn
 * one legal size=ffffffffffff into 2^40 events, a slow input, not a bug.
 * Oracle: the import returns 0 or an error naming the report or the output;
 * what it writes must read back cleanly through tr_open (fuzz_drain.h). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_drain.h"
#include "fuzz_tmpfile.h"
#include "import_tracecmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint8_t sel = data[0];
    import_params p;
    import_params_default(&p);
    p.access = (sel & 1) ? IMPORT_ACCESS_NONE : IMPORT_ACCESS_ONCE;
    unsigned pe = (sel >> 1) & 3;
    p.pe_rule = pe == 1 ? IMPORT_PE_DEVICE : pe == 2 ? IMPORT_PE_NONE : IMPORT_PE_BUS;
    p.pa = (sel & 8) ? IMPORT_PA_NEVER : IMPORT_PA_AUTO;
    p.domain = (sel & 32) ? 0x30 : -1;
    p.sg_page_bytes = (sel & 64) ? 65536 : 4096;
    p.dma_mask_bits = (sel & 128) ? 64 : 0;
    p.big_endian = (sel & 128) != 0;

    const char *report = fuzz_tmp_path("import-report", ".txt");
    const char *out = (sel & 16) ? fuzz_tmp_path("import-out", ".bin")
                                 : fuzz_tmp_path("import-out", ".trace");
    fuzz_write_file(report, data + 1, size - 1);

    import_stats st;
    tr_error err;
    memset(&err, 0, sizeof err);
    int rc = import_tracecmd(report, &p, out, &st, &err);
    if (rc != 0) {
        size_t n = strnlen(err.msg, sizeof err.msg);
        if (rc > 0 || n == 0 || n == sizeof err.msg ||
            (strncmp(err.msg, report, strlen(report)) != 0 &&
             strncmp(err.msg, out, strlen(out)) != 0)) {
            fprintf(stderr, "fuzz: bad import error (rc %d): \"%.*s\"\n", rc, (int)n, err.msg);
            abort();
        }
        if (access(out, F_OK) == 0) {
            fprintf(stderr, "fuzz: failed import left %s behind\n", out);
            abort();
        }
        return 0;
    }
    if (fuzz_drain(out, &err) != 0) {
        fprintf(stderr, "fuzz: imported trace does not read back: %s\n", err.msg);
        abort();
    }
    unlink(out);
    return 0;
}
