// A page generated from the code (docs/keys.md from the key rows,
// docs/report-fields.md from the report schema) is held equal to what the
// code renders now; with the environment variable set the test rewrites it.
#ifndef TCESIM_TESTS_GENERATED_DOC_HPP
#define TCESIM_TESTS_GENERATED_DOC_HPP

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

// Returns "" when docs/<name> equals `want` (or was rewritten), else the
// failure message.
inline std::string check_generated_doc(const std::string &want, const std::string &name, const char *env,
                                       const char *test)
{
    std::string path = std::string(TCESIM_SOURCE_DIR) + "/docs/" + name;
    if (std::getenv(env)) {
        std::ofstream(path) << want;
        return "";
    }
    std::ifstream f(path);
    std::stringstream s;
    s << f.rdbuf();
    if (s.str() == want)
        return "";
    return "docs/" + name + " is out of date: " + env + "=1 " + test + " rewrites it";
}

#endif
