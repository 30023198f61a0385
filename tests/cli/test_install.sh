#!/usr/bin/env bash
# The installed package, used as a newcomer would (docs/embedding.md):
# `cmake --install` of this build into a temporary prefix, the installed CLI
# run from elsewhere (presets found from its own place), both examples copied
# out of the tree and built with only the install on their paths, pkg-config.
source "$(dirname "$0")/lib.sh"
BUILD=$(dirname "$TCESIM")
P="$TMP/prefix"
if ! cmake --install "$BUILD" --prefix "$P" >"$TMP/install.log" 2>&1; then
  bad "cmake --install: $(tail -3 "$TMP/install.log")"; finish
fi
for f in bin/tcesim lib/libtcesim.a lib/libtcesim.so include/tcesim/tcesim.h include/tcesim/ip.hpp \
         lib/pkgconfig/tcesim.pc lib/pkgconfig/tcesim-ip.pc lib/cmake/tcesim/tcesimConfig.cmake \
         share/tcesim/configs/phb3.json share/tcesim/configs/bench-window.json share/tcesim/scripts/report.py; do
  if [ -e "$P/$f" ]; then ok; else bad "not installed: $f"; fi
done

# The installed CLI from an unrelated directory, by PATH (argv[0] without a
# slash): its presets are the installed ones.
mkdir -p "$TMP/elsewhere"
( cd "$TMP/elsewhere" && PATH="$P/bin:$PATH" tcesim run phb3 --set workload.count=2000 --json r.json >/dev/null 2>"$TMP/err" )
expect_eq "$?" 0 "installed tcesim run phb3 from another directory ($(head -c 200 "$TMP/err"))"
expect_eq "$(json_get "$TMP/elsewhere/r.json" config.phb.model)" phb3 "the installed preset's PHB"
( cd "$TMP/elsewhere" && PATH="$P/bin:$PATH" tcesim report r.json -o r.html 2>"$TMP/err" )
expect_eq "$?" 0 "installed tcesim report finds report.py ($(head -c 200 "$TMP/err"))"

# A sanitizer build installs an instrumented library: its users link with
# the same runtime.
FLAGS=()
if grep -q '^TCESIM_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt"; then
  FLAGS=(-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined)
fi
build_example() { # NAME: copied out of the repository, built against $P only
  cp -r "$SRC/examples/$1" "$TMP/$1"
  if cmake -S "$TMP/$1" -B "$TMP/$1/build" -DCMAKE_PREFIX_PATH="$P" "${FLAGS[@]}" >"$TMP/$1.log" 2>&1 &&
     cmake --build "$TMP/$1/build" >>"$TMP/$1.log" 2>&1 && [ -x "$TMP/$1/build/$1" ]; then ok
  else bad "$1 does not build against the install: $(grep -m3 -iE 'error' "$TMP/$1.log")"; fi
}
strip_wall() { python3 -c "import json,sys
def s(o):
    if isinstance(o, dict): return {k: s(v) for k, v in o.items() if 'wall' not in k}
    if isinstance(o, list): return [s(x) for x in o]
    return o
print(json.dumps(s(json.load(open(sys.argv[1]))), sort_keys=True))" "$1"; }

# embed-c: the C API's report is the CLI's, field for field (wall clock aside).
build_example embed-c
( cd "$TMP/elsewhere" && "$TMP/embed-c/build/embed-c" >"$TMP/api.json" 2>"$TMP/api.err" )
expect_eq "$?" 0 "embed-c runs ($(head -c 200 "$TMP/api.err"))"
( cd "$TMP/elsewhere" && "$P/bin/tcesim" run bench-window --set workload.count=100000 --json - >"$TMP/cli.json" 2>/dev/null )
if [ "$(strip_wall "$TMP/api.json")" = "$(strip_wall "$TMP/cli.json")" ]; then ok
else bad "embed-c's report differs from tcesim run bench-window --set workload.count=100000"; fi
expect_eq "$(json_get "$TMP/api.json" run.tlps)" 100000 "embed-c's TLPs"
grep -q "^embed-c: hit rate 0\.2" "$TMP/api.err" && ok || bad "embed-c's typed getters: $(cat "$TMP/api.err")"
# The same against the static archive (-DTCESIM_USE_STATIC=ON): no libtcesim.so
# needed at run time, the same report.
if cmake -S "$TMP/embed-c" -B "$TMP/embed-c/static" -DCMAKE_PREFIX_PATH="$P" -DTCESIM_USE_STATIC=ON "${FLAGS[@]}" \
     >"$TMP/static.log" 2>&1 && cmake --build "$TMP/embed-c/static" >>"$TMP/static.log" 2>&1; then
  if ldd "$TMP/embed-c/static/embed-c" | grep -q libtcesim; then bad "the static embed-c needs libtcesim.so"; else ok; fi
  ( cd "$TMP/elsewhere" && "$TMP/embed-c/static/embed-c" >"$TMP/static.json" 2>/dev/null )
  if [ "$(strip_wall "$TMP/static.json")" = "$(strip_wall "$TMP/cli.json")" ]; then ok
  else bad "the static embed-c's report differs from the CLI's"; fi
else bad "embed-c does not build against libtcesim.a: $(grep -m3 -iE 'error' "$TMP/static.log")"; fi
( cd "$TMP/elsewhere" && "$TMP/embed-c/build/embed-c" phb.nonesuch=1 >/dev/null 2>"$TMP/err" )
expect_eq "$?" 2 "embed-c with an unknown key"
expect_err '^embed-c: phb.nonesuch: unknown key \(bad input\)$'

# embed-systemc: a user's sc_main, its own initiator, tcesim's PHB and
# memory. Uniform random reads over 256 pages through a 32-entry LRU TCE
# cache hit 32/256 = 0.125 of the time once warm (each page is resident with
# probability C/N), and every miss is one walk of one level (one TCE read).
build_example embed-systemc
"$TMP/embed-systemc/build/embed-systemc" 20000 >"$TMP/ip.json" 2>"$TMP/ip.err"
expect_eq "$?" 0 "embed-systemc runs ($(head -c 200 "$TMP/ip.err"))"
python3 - "$TMP/ip.json" <<'PY' && ok || bad "embed-systemc's statistics: $(cat "$TMP/ip.json")"
import json, sys
d = json.load(open(sys.argv[1])); p = d["phb"]
assert d["ok"] == 20000 and d["errors"] == 0, d
assert p["lookups"] == 20000 and p["faults"] == 0, p
assert abs(p["hits"] / p["lookups"] - 32 / 256) < 0.01, p
assert p["walks"] == p["misses"] == p["walk_reads"], p
assert d["memory"]["reads"] == 20000 + p["walk_reads"], d
PY

# pkg-config: a C program with nothing but the .pc file's flags.
cat >"$TMP/pc.c" <<'C'
#include <stdio.h>
#include <tcesim/tcesim.h>
int main(void) { printf("%s\n", tcesim_version()); return 0; }
C
if cc "$TMP/pc.c" -o "$TMP/pc" $(PKG_CONFIG_PATH="$P/lib/pkgconfig" pkg-config --cflags --libs tcesim) "${FLAGS[@]/#-DCMAKE_EXE_LINKER_FLAGS=/}" 2>"$TMP/err"; then
  expect_eq "$(LD_LIBRARY_PATH="$P/lib" "$TMP/pc")" "$("$P/bin/tcesim" --version | sed 's/^tcesim //')" "pkg-config program's version"
else bad "pkg-config build: $(head -3 "$TMP/err")"; fi
finish
