# The presets in configs/ run, by path and by name, and say what they are.
. "$(dirname "$0")/lib.sh"
for p in phb3 phb4 xeon-e5-vtd; do
  expect_exit 0 "$TCESIM" run "$SRC/configs/$p.json" --set workload.count=2000 --json "$TMP/$p.json"
  expect_exit 0 "$TCESIM" run "$p" --set workload.count=2000 --json "$TMP/$p-name.json"
  if diff <(grep -v '"wall\|"trace"' "$TMP/$p.json") <(grep -v '"wall\|"trace"' "$TMP/$p-name.json") >/dev/null; then ok; else bad "$p by name differs from $p by path"; fi
  grep -q '"_about"' "$SRC/configs/$p.json" && ok || bad "$p has no _about"
done
expect_eq "$(json_get "$TMP/phb4.json" config.phb.model)" phb4 "phb4 preset model"
expect_eq "$(json_get "$TMP/phb4.json" pes.0.levels)" 2 "phb4: modern kernel, 2 levels"
expect_eq "$(json_get "$TMP/xeon-e5-vtd.json" pes.0.page_size)" 4096 "xeon: 4 KiB pages"
expect_eq "$(json_get "$TMP/xeon-e5-vtd.json" pes.0.levels)" 4 "xeon: 4-level table"
expect_exit 0 "$TCESIM" config phb3
grep -Eq '^host\.kernel +\= seed' "$TMP/out" && ok || bad "phb3: seed kernel"
finish
