# tcesim report A.json B.json -o cmp.html: two runs side by side, with their
# differences (headline metrics, config keys); exactly two run reports, never
# overwritten by the page.
. "$(dirname "$0")/lib.sh"

if ! /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  echo "SKIP: Debian's python3-matplotlib is not installed (scripts/setup.sh installs it)"
  exit 0
fi

contains() { if grep -Fq -- "$2" "$1"; then ok; else bad "$1 lacks '$2'"; fi; }
# section FILE TITLE: the HTML from <h2>TITLE</h2> to the next <h2>
section() { python3 -c 'import sys; s = open(sys.argv[1], encoding="utf-8").read(); h = "<h2>%s</h2>" % sys.argv[2]
i = s.find(h); print(s[i:s.find("<h2>", i + len(h))] if i >= 0 else "")' "$1" "$2"; }

# Two runs that differ in one key: the TCE cache size.
expect_exit 0 "$TCESIM" run "$BW" --set workload.count=20000 --set phb.tce_cache.entries=64 --json "$TMP/small.json"
expect_exit 0 "$TCESIM" run "$BW" --set workload.count=20000 --set phb.tce_cache.entries=1024 --json "$TMP/large.json"
sum_before=$(md5sum "$TMP/small.json" "$TMP/large.json")
expect_exit 0 "$TCESIM" report "$TMP/small.json" "$TMP/large.json" -o "$TMP/cmp.html"
[ -s "$TMP/cmp.html" ] && ok || bad "no cmp.html"
[ -s "$TMP/out" ] || [ -s "$TMP/err" ] && bad "report printed something: $(cat "$TMP/out" "$TMP/err")" || ok
expect_eq "$(md5sum "$TMP/small.json" "$TMP/large.json")" "$sum_before" "inputs after the report"

# Self-contained: no external resource, the plots embedded (two latency
# overlays and the breakdown at least).
if grep -Eiq '(src|href)="(https?:)?//|@import|url\(' "$TMP/cmp.html"; then bad "cmp.html loads an external resource"; else ok; fi
n=$(grep -o '<img [^>]*src="data:image/png;base64,' "$TMP/cmp.html" | wc -l)
[ "$n" -ge 3 ] && ok || bad "cmp.html has $n embedded plots, wanted at least 3"
contains "$TMP/cmp.html" 'alt="Translation latency A and B"'
contains "$TMP/cmp.html" 'alt="DMA latency A and B"'
contains "$TMP/cmp.html" 'alt="latency breakdown"'

# Names both files; the one differing key with both values, and no other key.
contains "$TMP/cmp.html" "$TMP/small.json"
contains "$TMP/cmp.html" "$TMP/large.json"
cfg=$(section "$TMP/cmp.html" "Configuration differences")
printf '%s' "$cfg" | grep -Fq '<code>phb.tce_cache.entries</code></td><td class="l">64</td><td class="l">1024</td>' && ok ||
  bad "the config diff lacks phb.tce_cache.entries 64 -> 1024: $cfg"
expect_eq "$(printf '%s' "$cfg" | grep -o '<code>' | wc -l)" 1 "keys in the config diff"

# The hit rates, their difference in percentage points and relative, highlighted.
read -r ha hb dpp rel <<<"$(python3 -c 'import json,sys
a, b = (json.load(open(p))["translation"]["hit_rate"] for p in sys.argv[1:3])
sign = lambda v: "+" if v > 0 else "\u2212"
print("%.2f%% %.2f%% %s%.2fpp %s%.1f%%" % (100 * a, 100 * b, sign(b - a), abs(100 * (b - a)), sign(b - a), abs(100 * (b - a) / a)))' \
  "$TMP/small.json" "$TMP/large.json")"
head=$(section "$TMP/cmp.html" "Headline metrics")
row=$(printf '%s' "$head" | grep -o '<tr[^>]*><td class="l">TCE cache hit rate</td>.*' | sed 's,</tr>.*,,')
expect_eq "$(printf '%s' "$row" | sed 's/<[^>]*>/|/g; s/||*/|/g')" \
  "|TCE cache hit rate|$ha|$hb|${dpp%pp} pp|$rel|" "the hit-rate row"
printf '%s' "$row" | grep -q '^<tr class="sig">' && ok || bad "the hit-rate difference is not highlighted: $row"
printf '%s' "$row" | grep -q 'class="good"' && ok || bad "a higher hit rate is not marked better: $row"
# An unchanged metric is not highlighted.
printf '%s' "$head" | grep -q '<tr><td class="l">translation lookups</td>' && ok || bad "lookups (equal) highlighted"
for s in "<h2>Latency</h2>" "<h2>DMA latency breakdown</h2>" "<h2>PEs</h2>" "<h2>Devices</h2>" \
         "<h2>IOVA pools (allocator lock contention)</h2>" "tcesim version"; do
  contains "$TMP/cmp.html" "$s"
done
if ls -a "$TMP" | grep -Eq '\.tcesim-'; then bad "a temporary file is left: $(ls -a "$TMP")"; else ok; fi

# A run against itself: nothing differs, said.
expect_exit 0 "$TCESIM" report "$TMP/small.json" "$TMP/small.json" -o "$TMP/same.html"
contains "$TMP/same.html" "no key differs"
contains "$TMP/same.html" "0 of "

# Usage errors, one line, exit 2, no page: three inputs; a sweep directory
# with a file, in either order; no -o.
mkdir -p "$TMP/sw"
cp "$TMP/small.json" "$TMP/sw/p.json"
echo "phb.tce_cache.entries,hit_rate" >"$TMP/sw/results.csv"
echo "64,0.5" >>"$TMP/sw/results.csv"
expect_exit 2 "$TCESIM" report "$TMP/small.json" "$TMP/large.json" "$TMP/small.json" -o "$TMP/bad.html"
expect_err "^tcesim: report: 3 inputs"
expect_exit 2 "$TCESIM" report "$TMP/sw" "$TMP/small.json" -o "$TMP/bad.html"
expect_err "^tcesim: report: '.*sw' is a directory"
expect_exit 2 "$TCESIM" report "$TMP/small.json" "$TMP/sw" -o "$TMP/bad.html"
expect_err "^tcesim: report: '.*sw' is a directory"
expect_exit 2 "$TCESIM" report "$TMP/small.json" "$TMP/large.json"
expect_err "^tcesim: report: .*-o FILE.html are required"
# Not a report: the file named, exit 2.
printf '{"schema": "other/1"}' >"$TMP/other.json"
expect_exit 2 "$TCESIM" report "$TMP/small.json" "$TMP/other.json" -o "$TMP/bad.html"
expect_err "other.json: schema: not a tcesim report"
[ -e "$TMP/bad.html" ] && bad "a usage error wrote a page" || ok

# The page never replaces an input: -o on A or on B (through a symlink too).
ln -s large.json "$TMP/link.json"
for o in "$TMP/small.json" "$TMP/large.json" "$TMP/link.json"; do
  expect_exit 2 "$TCESIM" report "$TMP/small.json" "$TMP/large.json" -o "$o"
  expect_err "^-o: .*(same file as|is) (A|B)\.json"
done
expect_eq "$(md5sum "$TMP/small.json" "$TMP/large.json")" "$sum_before" "inputs after the refused outputs"
finish
