#!/usr/bin/env bash
# Installs the Debian packages tcesim needs, only those missing. Idempotent:
# a second run does nothing but check. Run as root (or with sudo available).
set -euo pipefail

# Build + test dependencies; each is the Debian package the brief names or the
# maintained C library that fits (see README "Dependencies").
PKGS=(
  build-essential cmake pkg-config
  python3             # CLI tests read JSON reports
  python3-matplotlib  # tcesim report: plots (Debian's /usr/bin/python3 runs scripts/report.py)
  libsystemc-dev      # SystemC 2.3.4 + TLM-2.0 (simulation kernel)
  libboost-dev        # Boost.Histogram (latency distributions)
  libbenchmark-dev    # Google Benchmark (bench/)
  libjansson-dev      # JSON config and reports
  libzstd-dev         # .zst traces
  libcmocka-dev       # unit tests under CTest
  clang               # fuzz/: libFuzzer harnesses (make fuzz)
  libclang-rt-14-dev  # libFuzzer's runtime for clang 14 (libclang_rt.fuzzer-x86_64.a)
  parallel            # GNU parallel: runs `tcesim sweep --emit parallel` job lists (tests/cli/test_sweep.sh)
  time                # GNU time (/usr/bin/time): peak RSS in tests/cli/test_dead_handles.sh (priority standard, not essential)
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
