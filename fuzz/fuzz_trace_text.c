/* libFuzzer harness: the text trace reader (traces/text_reader.c) on
 * arbitrary bytes as a .trace file. Oracle: fuzz_drain.h. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_drain.h"
#include "fuzz_tmpfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_tmp_path("text", ".trace");
    fuzz_write_file(path, data, size);
    tr_error err;
    fuzz_drain(path, &err);
    return 0;
}
