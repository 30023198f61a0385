# tcesim --version: "tcesim X.Y.Z (git describe)" on stdout, exit 0; the JSON
# report's run.version is the same text; cmake/version.cmake falls back to the
# plain version outside a git checkout (a tarball).
. "$(dirname "$0")/lib.sh"

want=$(sed -n 's/^project(tcesim VERSION \([0-9][0-9.]*\) .*/\1/p' "$SRC/CMakeLists.txt")
[ -n "$want" ] && ok || bad "no project(tcesim VERSION ...) in CMakeLists.txt"

expect_exit 0 "$TCESIM" --version
[ -s "$TMP/err" ] && bad "--version wrote to stderr: $(cat "$TMP/err")" || ok
expect_eq "$(wc -l <"$TMP/out")" 1 "--version lines"
line=$(cat "$TMP/out")
if printf '%s\n' "$line" | grep -Eq '^tcesim [0-9]+\.[0-9]+\.[0-9]+( \([A-Za-z0-9._+~-]+\))?$'; then ok
else bad "--version printed '$line'"; fi
expect_eq "$(printf '%s\n' "$line" | cut -d' ' -f2)" "$want" "--version's version (CMakeLists.txt project VERSION)"

# Built from a git checkout (the CI builds from a clean clone): the describe
# is the source's, apart from -dirty (a file edited since the build).
if command -v git >/dev/null && [ "$(git -C "$SRC" rev-parse --show-toplevel 2>/dev/null)" = "$(cd "$SRC" && pwd -P)" ]; then
  desc=$(git -C "$SRC" describe --tags --always --abbrev=12 2>/dev/null)
  got=$(printf '%s\n' "$line" | sed -n 's/^tcesim [^ ]* (\(.*\))$/\1/p')
  expect_eq "${got%-dirty}" "$desc" "--version's git describe (a stale build? rebuild)"
fi

expect_exit 2 "$TCESIM" --version extra
expect_err "^tcesim: --version takes no argument"
expect_exit 0 "$TCESIM" --help
grep -q -- "--version" "$TMP/out" && ok || bad "--help does not mention --version"

# run.version: the same text as --version, next to run.seed.
expect_exit 0 "$TCESIM" run "$BW" --set workload.count=200 --json "$TMP/r.json"
expect_eq "tcesim $(json_get "$TMP/r.json" run.version)" "$line" "run.version"
keys=$(python3 -c 'import json,sys; print(",".join(json.load(open(sys.argv[1]))["run"]))' "$TMP/r.json")
case ",$keys," in *,seed,version,*) ok ;; *) bad "run.version is not next to run.seed: $keys" ;; esac
# The text report is unchanged; the two-run determinism (same binary) holds.
expect_exit 0 "$TCESIM" run "$BW" --set workload.count=200 --json "$TMP/r2.json"
if diff <(grep -v '"wall' "$TMP/r.json") <(grep -v '"wall' "$TMP/r2.json") >/dev/null; then ok; else bad "reports differ"; fi

# A sweep resumed by another build keeps the reports it has: a point's
# run.version is not part of its definition.
expect_exit 0 "$TCESIM" sweep "$BW" --vary phb.tce_cache.entries=16,64 --set workload.count=200 --jobs 1 --out "$TMP/sw"
P="$TMP/sw/phb.tce_cache.entries=16.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["run"]["version"]="0.0.1 (older)"
json.dump(d, open(sys.argv[1], "w"), indent=2)' "$P"
expect_exit 0 "$TCESIM" sweep "$BW" --vary phb.tce_cache.entries=16,64 --set workload.count=200 --jobs 1 --out "$TMP/sw"
grep -q '2 points, 2 already done, 0 to run' "$TMP/err" && ok || bad "resume with another version: $(head -1 "$TMP/err")"
expect_eq "$(json_get "$P" run.version)" "0.0.1 (older)" "the older point's report"

# cmake/version.cmake: a git checkout gives its describe, a tree that is not
# its own checkout (a tarball, a directory inside another repository) the
# plain version; the header is rewritten only when its text changes.
if command -v cmake >/dev/null; then
  gen() { cmake -DSRC="$1" -DOUT="$TMP/v.h" -DVERSION=1.2.3 -P "$SRC/cmake/version.cmake"; }
  mkdir -p "$TMP/tarball"
  gen "$TMP/tarball" && ok || bad "version.cmake failed on a plain directory"
  grep -q '^#define TCESIM_VERSION_FULL "1.2.3"$' "$TMP/v.h" && ok || bad "not a checkout: $(cat "$TMP/v.h")"
  touch -d '2000-01-01' "$TMP/v.h"
  gen "$TMP/tarball"
  [ "$(stat -c %Y "$TMP/v.h")" = "$(date -d 2000-01-01 +%s)" ] && ok || bad "an unchanged header was rewritten"
  if command -v git >/dev/null; then
    g() { git -C "$TMP/repo" -c user.name=t -c user.email=t@t -c commit.gpgsign=false "$@" >/dev/null 2>&1; }
    mkdir -p "$TMP/repo/sub" && git init -q "$TMP/repo" && echo x >"$TMP/repo/sub/f" && g add -A && g commit -qm c
    gen "$TMP/repo/sub"
    grep -q '^#define TCESIM_VERSION_FULL "1.2.3"$' "$TMP/v.h" && ok || bad "inside another repository: $(cat "$TMP/v.h")"
    gen "$TMP/repo"
    h=$(git -C "$TMP/repo" rev-parse --short=12 HEAD)
    grep -q "^#define TCESIM_VERSION_FULL \"1.2.3 ($h)\"$" "$TMP/v.h" && ok || bad "a checkout: $(cat "$TMP/v.h")"
    echo y >"$TMP/repo/sub/f"
    gen "$TMP/repo"
    grep -q "^#define TCESIM_VERSION_FULL \"1.2.3 ($h-dirty)\"$" "$TMP/v.h" && ok || bad "a dirty checkout: $(cat "$TMP/v.h")"
  fi
fi
finish
