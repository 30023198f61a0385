#!/usr/bin/env bash
# Renders a tcesim report page in headless Chromium and saves a PNG, to check
# by eye that the plots and tables are readable. Not part of `make test`: a
# browser does not belong there.
#
# usage: scripts/screenshot_report.sh REPORT.html OUT.png [WIDTH [HEIGHT]]
#   WIDTH x HEIGHT is the browser window (default 1400 x 3000); the PNG is that
#   size, the page below HEIGHT is cut off.
# Installs Debian's chromium with apt-get when it is missing (root or sudo).
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 4 ]; then
  echo "usage: $0 REPORT.html OUT.png [WIDTH [HEIGHT]]" >&2
  exit 2
fi
html=$1
out=$2
width=${3:-1400}
height=${4:-3000}
[ -f "$html" ] || { echo "$html: no such file" >&2; exit 2; }

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "screenshot: installing Debian's chromium" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  browser=$(command -v chromium)
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
abs=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
out_abs=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
rm -f "$out_abs"
# No network, no first-run or background services: the page is self-contained.
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --hide-scrollbars --user-data-dir="$profile" --screenshot="$out_abs" \
  --window-size="$width,$height" "file://$abs" >"$profile/log" 2>&1 || true
if [ ! -s "$out_abs" ]; then
  echo "screenshot: chromium wrote no $out ($(tail -n 3 "$profile/log" | tr '\n' ' '))" >&2
  exit 1
fi
echo "$out: ${width}x${height}, $(stat -c %s "$out_abs") bytes" >&2
