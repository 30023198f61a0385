/* libFuzzer harness: the zstd layer (traces/io.c) and both readers under
 * it. The first byte of the input selects:
 *   bit 0: 0 = a .trace.zst (text reader), 1 = a .bin.zst (binary reader);
 *   bit 1: 0 = the rest is the compressed file as is (fuzzes frame parsing,
 *          truncated and concatenated frames, garbage after a frame);
 *          1 = the rest is the decompressed content, compressed here into a
 *          valid frame (fuzzes the readers through the streaming decoder).
 * Oracle: fuzz_drain.h. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <zstd.h>

#include "fuzz_drain.h"
#include "fuzz_tmpfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint8_t mode = data[0];
    data++;
    size--;
    const char *path = (mode & 1) ? fuzz_tmp_path("zstd", ".bin.zst")
                                  : fuzz_tmp_path("zstd", ".trace.zst");
    if (mode & 2) {
        size_t cap = ZSTD_compressBound(size);
        uint8_t *z = malloc(cap);
        if (!z)
            abort();
        size_t zn = ZSTD_compress(z, cap, data, size, 1);
        if (ZSTD_isError(zn))
            abort();
        fuzz_write_file(path, z, zn);
        free(z);
    } else {
        fuzz_write_file(path, data, size);
    }
    tr_error err;
    fuzz_drain(path, &err);
    return 0;
}
