/* libFuzzer harness: the configuration parser (sim/config.c). The input is
 * JSON, optionally followed by a line "@@" and then one `--set` assignment
 * per line ("key=value"). Applies the JSON over the defaults, then each
 * assignment, then config_validate; a configuration that validates is also
 * printed both ways (config_describe, config_to_json), as `tcesim config`
 * does. Oracle: ASan/UBSan, plus every error is a non-empty message. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(int rc, const cfg_error *err)
{
    size_t n = strnlen(err->msg, sizeof err->msg);
    if (rc != 0 && (n == 0 || n == sizeof err->msg)) {
        fprintf(stderr, "fuzz: config error %d without a message\n", rc);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* tcesim_config is large (256 devices): one heap copy for the process. */
    static tcesim_config *c;
    if (!c && !(c = malloc(sizeof *c)))
        abort();
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = 0;

    char *sets = NULL;
    char *sep = strstr(text, "\n@@\n");
    if (sep) {
        *sep = 0;
        sets = sep + 4;
    }

    cfg_error err;
    config_defaults(c);
    memset(&err, 0, sizeof err);
    int rc = config_load_string(c, text, "fuzz.json", &err);
    check_error(rc, &err);
    for (char *line = sets; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        memset(&err, 0, sizeof err);
        check_error(config_set(c, line, &err), &err);
        line = nl ? nl + 1 : NULL;
    }
    memset(&err, 0, sizeof err);
    rc = config_validate(c, &err);
    check_error(rc, &err);
    if (rc == 0) {
        free(config_describe(c));
        free(config_to_json(c));
        for (uint32_t i = 0; i < c->npes; i++)
            (void)config_pe_iommu(c, c->pes[i].pe);
    }
    free(text);
    return 0;
}
