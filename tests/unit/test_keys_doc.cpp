// docs/keys.md is the key rows rendered (params_markdown): regenerated with
// TCESIM_WRITE_KEYS_DOC=1, otherwise compared byte for byte.
#include "generated_doc.hpp"
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "params/params.h"

// cmocka last: it defines fail() and skip() as macros.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}

extern "C" int sc_main(int, char **) { return 0; }

static void docs_keys_md_is_the_key_rows_rendered(void **state)
{
    (void)state;
    char *md = params_markdown();
    assert_non_null(md);
    std::string want = md;
    std::free(md);
    std::string e = check_generated_doc(want, "keys.md", "TCESIM_WRITE_KEYS_DOC", "test_keys_doc");
    if (!e.empty())
        fail_msg("%s", e.c_str());
}

static void every_row_has_no_table_breaking_character(void **state)
{
    (void)state;
    auto check = [](const param_row *rows, size_t n) {
        for (size_t i = 0; i < n; i++)
            for (const char *s : {rows[i].meaning, rows[i].range, rows[i].context, rows[i].unit, rows[i].def})
                if (std::string(s).find_first_of("|\n") != std::string::npos)
                    fail_msg("%s: '|' or a newline in a column", rows[i].name);
    };
    check(params_global, params_global_count);
    check(params_device, params_device_count);
    check(params_pe, params_pe_count);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_row_has_no_table_breaking_character),
        cmocka_unit_test(docs_keys_md_is_the_key_rows_rendered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
