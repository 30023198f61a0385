#include "output.hpp"

#include <cstdio>

namespace tcesim {

namespace {
constexpr size_t kMsg = 1024;
}

std::string write_output(const std::string &path, const std::string &content)
{
    char msg[kMsg];
    if (of_write_file(path.c_str(), content.data(), content.size(), msg, sizeof msg))
        return msg;
    return "";
}

std::string write_stdout(const std::string &content)
{
    char msg[kMsg];
    of_file *f;
    if (of_open_stdout(&f, msg, sizeof msg))
        return msg;
    int rc = of_write(f, content.data(), content.size(), msg, sizeof msg);
    of_close(f, rc == 0, nullptr, 0);
    return rc ? msg : "";
}

int finish_stdout(int rc)
{
    char msg[kMsg];
    if (of_stdout_close(msg, sizeof msg) == 0)
        return rc;
    if (rc == 0) {
        std::fprintf(stderr, "%s\n", msg);
        return 1;
    }
    return rc;
}

std::string Claims::input(const std::string &label, const std::string &path)
{
    char msg[kMsg];
    if (of_claim_input(&c_, label.c_str(), path.c_str(), msg, sizeof msg))
        return msg;
    return "";
}

std::string Claims::output(const std::string &label, const std::string &path)
{
    char msg[kMsg];
    if (of_claim_output(&c_, label.c_str(), path.c_str(), msg, sizeof msg))
        return msg;
    return "";
}

std::string Claims::check(const std::string &label, const std::string &path) const
{
    char msg[kMsg];
    if (of_check_output(&c_, label.c_str(), path.c_str(), msg, sizeof msg))
        return msg;
    return "";
}

std::string Claims::check_stdout() const
{
    char msg[kMsg];
    if (of_check_stdout(&c_, msg, sizeof msg))
        return msg;
    return "";
}

std::string Claims::claim_stdout(const std::string &label)
{
    char msg[kMsg];
    if (of_claim_stdout(&c_, label.c_str(), msg, sizeof msg))
        return msg;
    return "";
}

} // namespace tcesim
