// docs/report-fields.md is the report schema rendered (schema_markdown):
// regenerated with TCESIM_WRITE_REPORT_FIELDS_DOC=1, otherwise compared byte
// for byte; no row may hold a character that breaks its table.
#include "generated_doc.hpp"
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "report/schema.hpp"

// cmocka last: it defines fail() and skip() as macros.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}

using namespace tcesim;

extern "C" int sc_main(int, char **) { return 0; }

static void docs_report_fields_md_is_the_schema_rendered(void **state)
{
    (void)state;
    std::string want = schema_markdown();
    std::string e = check_generated_doc(want, "report-fields.md", "TCESIM_WRITE_REPORT_FIELDS_DOC", "test_report_fields_doc");
    if (!e.empty())
        fail_msg("%s", e.c_str());
}

static void every_field_has_a_meaning_and_no_table_breaking_character(void **state)
{
    (void)state;
    for (const FieldInfo &f : schema_fields()) {
        if (f.meaning.empty())
            fail_msg("%s: no meaning", f.path.c_str());
        for (const std::string &s : {f.path, f.unit, f.meaning})
            if (s.find_first_of("|\n") != std::string::npos)
                fail_msg("%s: '|' or a newline in a column", f.path.c_str());
    }
}

static void every_path_is_declared_once(void **state)
{
    (void)state;
    std::vector<FieldInfo> f = schema_fields();
    for (size_t i = 0; i < f.size(); i++)
        for (size_t j = i + 1; j < f.size(); j++)
            if (f[i].path == f[j].path)
                fail_msg("%s declared twice", f[i].path.c_str());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_field_has_a_meaning_and_no_table_breaking_character),
        cmocka_unit_test(every_path_is_declared_once),
        cmocka_unit_test(docs_report_fields_md_is_the_schema_rendered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
