// The command line's outputs, over traces/outfile.h (the rules are there and
// in the README's "Outputs"): whole files written atomically or straight to a
// FIFO or device, standard output written and checked to its final close,
// and the claims that refuse an output that is an input or another output.
#ifndef TCESIM_OUTPUT_HPP
#define TCESIM_OUTPUT_HPP

#include <string>

extern "C" {
#include "traces/outfile.h"
}

namespace tcesim {

// Writes content to path. Returns "" or one line "PATH: message".
std::string write_output(const std::string &path, const std::string &content);

// Writes content to standard output. Returns "" or "stdout: message".
std::string write_stdout(const std::string &content);

// The last thing a command does: checks standard output to its final close
// (of_stdout_close). Returns rc, or 1 after printing "stdout: message" when
// rc was 0 and standard output failed.
int finish_stdout(int rc);

// Inputs and outputs of one command, checked before anything is written:
// input() records a file read; output() refuses (returns "key: message",
// exit 2) an empty path, a directory, or the same file as an input or an
// earlier output.
class Claims {
public:
    Claims() { of_claims_init(&c_); }
    ~Claims() { of_claims_free(&c_); }
    Claims(const Claims &) = delete;
    Claims &operator=(const Claims &) = delete;
    std::string input(const std::string &label, const std::string &path);
    std::string output(const std::string &label, const std::string &path);
    // output() without recording it (of_check_output).
    std::string check(const std::string &label, const std::string &path) const;
    // Standard output against the inputs (of_check_stdout).
    std::string check_stdout() const;
    // Standard output as an output (of_claim_stdout): checked, then recorded
    // when it is a file or a pipe.
    std::string claim_stdout(const std::string &label);

private:
    of_claims c_;
};

} // namespace tcesim

#endif
