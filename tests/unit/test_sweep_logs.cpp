// tcesim sweep's summary of a failed point quotes its log's error line: the
// first `key: ...` / `FILE:LINE: ...` line, not whatever a crash, a
// sanitizer or SystemC wrote after it; the last line when none looks like one.
#include "cli/sweep/sweep.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

#include <unistd.h>

// cmocka last: it defines fail() and skip() as macros.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}

// libsystemc needs an sc_main; this test has its own main and never starts
// SystemC.
extern "C" int sc_main(int, char **) { return 0; }

using tcesim::sweep::error_line;

static std::string log_of(const std::string &text)
{
    char path[] = "/tmp/test_sweep_logs.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    close(fd);
    std::string line = error_line(path);
    unlink(path);
    return line;
}

static void first_error_line_not_last_line(void **)
{
    assert_string_equal(log_of("Warning: (W571) no activity\n"
                               "t.trace:4: unknown op 'bogus'\n"
                               "In file: sc_simcontext.cpp:1234\n"
                               "==12==ABORTING\n")
                            .c_str(),
                        "t.trace:4: unknown op 'bogus'");
    assert_string_equal(log_of("tcesim report: built-in workload\n  hit rate: 0.5\n"
                               "iommu.page_size: 16M is not a TCE page size PHB4 supports\n\n")
                            .c_str(),
                        "iommu.page_size: 16M is not a TCE page size PHB4 supports");
    assert_string_equal(log_of("==7==ERROR: AddressSanitizer: heap-buffer-overflow\nSUMMARY: ...\n").c_str(),
                        "==7==ERROR: AddressSanitizer: heap-buffer-overflow");
}

static void last_line_when_no_error_line(void **)
{
    assert_string_equal(log_of("starting\nSegmentation fault (core dumped)\n\n").c_str(),
                        "Segmentation fault (core dumped)");
    assert_string_equal(log_of("").c_str(), "");
}

static void long_lines_read_whole_and_cut(void **)
{
    std::string key(300, 'k');
    std::string line = log_of("note: x\n" + key + ": bad\n");
    assert_int_equal(line.size(), 203);
    assert_string_equal(line.substr(0, 200).c_str(), key.substr(0, 200).c_str());
    assert_string_equal(line.substr(200).c_str(), "...");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_error_line_not_last_line),
        cmocka_unit_test(last_line_when_no_error_line),
        cmocka_unit_test(long_lines_read_whole_and_cut),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
