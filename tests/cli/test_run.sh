# The default run, the JSON report's fields, determinism, presets by name.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "$TCESIM" run "$BW" --set workload.count=20000 --json "$TMP/a.json"
for f in lookups 'hit rate' 'p99.9' 'throughput' 'simulated' 'wall'; do
  grep -q "$f" "$TMP/out" && ok || bad "text report lacks '$f'"
done
expect_eq "$(json_get "$TMP/a.json" schema)" "tcesim.report/1" "schema"
expect_eq "$(json_get "$TMP/a.json" run.tlps)" "20000" "run.tlps"
expect_eq "$(json_get "$TMP/a.json" dma.reads)" "20000" "dma.reads"
expect_eq "$(json_get "$TMP/a.json" translation.lookups)" "20000" "translation.lookups (one per TLP)"
l=$(json_get "$TMP/a.json" translation.lookups); h=$(json_get "$TMP/a.json" translation.hits)
m=$(json_get "$TMP/a.json" translation.misses)
expect_eq "$((h + m))" "$l" "hits + misses = lookups"
for k in mean p50 p90 p99 p999 max; do json_get "$TMP/a.json" translation.latency_ns.$k >/dev/null && ok || bad "latency $k"; done

# Same config, trace and seed: byte-identical JSON apart from wall fields.
expect_exit 0 "$TCESIM" run "$BW" --set workload.count=20000 --json "$TMP/b.json"
if diff <(grep -v '"wall' "$TMP/a.json") <(grep -v '"wall' "$TMP/b.json") >/dev/null; then ok; else bad "reports differ"; fi
expect_exit 0 "$TCESIM" run "$BW" --set workload.count=20000 --set seed=2 --json "$TMP/c.json"
if diff <(grep -v '"wall' "$TMP/a.json") <(grep -v '"wall' "$TMP/c.json") >/dev/null; then bad "seed does not matter"; else ok; fi
expect_exit 0 "$TCESIM" run --trace "$DATA/walkthrough.trace" --json "$TMP/w1.json"
expect_exit 0 "$TCESIM" run --trace "$DATA/walkthrough.trace" --json "$TMP/w2.json"
if diff <(grep -v '"wall' "$TMP/w1.json") <(grep -v '"wall' "$TMP/w2.json") >/dev/null; then ok; else bad "trace reports differ"; fi

# A config file and --set on top of it; tcesim config lists every key.
printf '{"phb": {"model": "phb4", "tce_cache": {"entries": 1024, "ways": 8}}, "host": {"kernel": "modern"}}' >"$TMP/c4.json"
expect_exit 0 "$TCESIM" run "$TMP/c4.json" --set workload.count=5000 --json "$TMP/d.json"
expect_eq "$(json_get "$TMP/d.json" config.phb.model)" "phb4" "config echoed"
expect_eq "$(json_get "$TMP/d.json" pes.0.page_size)" "65536" "modern era: TCE page = CPU page"
expect_eq "$(json_get "$TMP/d.json" pes.0.levels)" "2" "modern era: 2 levels"
expect_exit 0 "$TCESIM" config "$TMP/c4.json"
grep -Eq '^phb\.tce_cache\.entries +\= 1024 +# .*\(default: 64\)' "$TMP/out" && ok || bad "config listing"
grep -q '^devices.0.rid' "$TMP/out" && ok || bad "config lists devices"
expect_exit 0 "$TCESIM" config "$BW" --json
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/out" && ok || bad "config --json is not JSON"
finish
