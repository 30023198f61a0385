// The program's version: the project version (CMakeLists.txt) and the git
// describe of the source it was built from, e.g. "0.9.0 (e27d48a1c2f3-dirty)";
// the plain version when the source was not a git checkout (a tarball).
// `tcesim --version` prints "tcesim " and this; the JSON report's run.version
// is this. Generated into tcesim_version.h by cmake/version.cmake at every
// build; only version.cpp includes it, so a new commit recompiles one file.
#ifndef TCESIM_VERSION_HPP
#define TCESIM_VERSION_HPP

namespace tcesim {

const char *version();

} // namespace tcesim

#endif
