# tcesim report: one self-contained HTML page from a run report or a sweep
# directory; bad input exits 2; the page is written atomically.
. "$(dirname "$0")/lib.sh"

if ! /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  echo "SKIP: Debian's python3-matplotlib is not installed (scripts/setup.sh installs it)"
  exit 0
fi

# self_contained FILE MIN_PLOTS : no external resources, at least MIN_PLOTS embedded PNGs
self_contained() {
  if grep -Eiq '(src|href)="(https?:)?//' "$1" || grep -Eiq '@import|url\((https?:)?//' "$1"; then
    bad "$1 loads an external resource"
  else ok; fi
  local n
  n=$(grep -o '<img [^>]*src="data:image/png;base64,' "$1" | wc -l)
  if [ "$n" -ge "$2" ]; then ok; else bad "$1 has $n embedded plots, wanted at least $2"; fi
}
contains() { if grep -Fq -- "$2" "$1"; then ok; else bad "$1 lacks '$2'"; fi; }

# A single run: headline numbers, latency and breakdown plots, tables.
expect_exit 0 "$TCESIM" run "$BW" --set workload.count=20000 --json "$TMP/a.json"
expect_exit 0 "$TCESIM" report "$TMP/a.json" -o "$TMP/a.html"
[ -s "$TMP/a.html" ] && ok || bad "no a.html"
self_contained "$TMP/a.html" 3
contains "$TMP/a.html" "<details><summary>Configuration"
hr=$(python3 -c 'import json,sys; print("%.2f%%" % (100 * json.load(open(sys.argv[1]))["translation"]["hit_rate"]))' "$TMP/a.json")
contains "$TMP/a.html" "$hr"
for k in p50 p99 p999; do
  v=$(python3 -c 'import json,sys; print("%.4g ns" % json.load(open(sys.argv[1]))["translation"]["latency_ns"][sys.argv[2]])' "$TMP/a.json" "$k")
  contains "$TMP/a.html" "$v"
done
g=$(python3 -c 'import json,sys; print("%.2f Gb/s" % json.load(open(sys.argv[1]))["dma"]["throughput_gbps"])' "$TMP/a.json")
contains "$TMP/a.html" "$g"
for s in "TCE cache hit rate" "translation p99.9" "simulated time" "DMA latency breakdown" "<h2>PEs</h2>" \
         "<h2>CPUs</h2>" "IOMMU groups" "run with <code>--epoch NS</code>"; do
  contains "$TMP/a.html" "$s"
done
if ls -a "$TMP" | grep -Eq '\.tmp|\.tcesim-'; then bad "a temporary file is left: $(ls -a "$TMP")"; else ok; fi

# The contention example: the pool table with contended acquisitions.
expect_exit 0 "$TCESIM" run "$SRC/examples/contention/config.json" --trace "$SRC/examples/contention/nic16.trace" \
  --json "$TMP/c.json"
expect_exit 0 "$TCESIM" report "$TMP/c.json" -o "$TMP/c.html"
self_contained "$TMP/c.html" 4
contains "$TMP/c.html" "IOVA pools (allocator lock contention)"
contains "$TMP/c.html" "<th>contended %</th>"
contains "$TMP/c.html" 'alt="pool contention"'

# Histograms and epochs, as the report carries them when the run recorded
# them: [lower_edge_ns, count] buckets and per-epoch counts.
python3 - "$TMP/c.json" "$TMP/e.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["translation"]["latency_histogram"] = [[100, 50], [108, 6000], [123, 300], [149, 50]]
d["dma"]["latency_histogram"] = [[150, 10], [370, 5000], [633, 1200], [971, 190]]
d["epochs"] = {"ns": 100000, "series": [
    {"t_ns": i * 100000, "lookups": 750, "hits": 100 + 10 * i, "hit_rate": (100 + 10 * i) / 750.0,
     "faults": 0, "dma_bytes": 384000, "throughput_gbps": 30.0 + i, "lock_acquisitions": 3000,
     "lock_contended": 500 + 20 * i, "lock_wait_ns": 100000.0 + 1000 * i} for i in range(8)]}
json.dump(d, open(sys.argv[2], "w"))
EOF
expect_exit 0 "$TCESIM" report "$TMP/e.json" -o "$TMP/e.html"
self_contained "$TMP/e.html" 5
contains "$TMP/e.html" 'alt="contention over time"'
if grep -q "Histogram not recorded" "$TMP/e.html"; then bad "histograms not drawn"; else ok; fi

# A sweep directory: results.csv (varied keys first, a _ci95 column) and the
# per-point reports; one plot per metric that varies, per varied key.
mkdir -p "$TMP/sw"
{
  echo "phb.tce_cache.entries,workload.window,hit_rate,translation_p50_ns,translation_p99_ns,translation_p999_ns,dma_throughput_gbps,pool_wait_p99_ns,alloc_failures,faults,dma_lost_bytes,hit_rate_ci95"
  for e in 16 64 256; do
    for w in 256K 1M; do
      expect_exit 0 "$TCESIM" run "$BW" --set workload.count=5000 --set phb.tce_cache.entries=$e --set workload.window=$w \
        --json "$TMP/sw/e$e-w$w.json"
      python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); t=d["translation"]; l=t["latency_ns"]
print(",".join(str(x) for x in [sys.argv[2], sys.argv[3], t["hit_rate"], l["p50"], l["p99"], l["p999"],
      d["dma"]["throughput_gbps"], 0, 0, t["faults"], d["dma"]["lost_bytes"], 0.01]))' "$TMP/sw/e$e-w$w.json" "$e" "$w"
    done
  done
} >"$TMP/sw/results.csv"
expect_exit 0 "$TCESIM" report "$TMP/sw" -o "$TMP/sw.html"
self_contained "$TMP/sw.html" 4
contains "$TMP/sw.html" "Metrics against phb.tce_cache.entries"
contains "$TMP/sw.html" "Metrics against workload.window"
contains "$TMP/sw.html" 'alt="hit_rate vs phb.tce_cache.entries"'
contains "$TMP/sw.html" 'alt="dma_throughput_gbps vs workload.window"'
contains "$TMP/sw.html" "± "

# Bad input: exit 2, one line naming the file.
printf '{"schema": "other/1"}' >"$TMP/bad.json"
expect_exit 2 "$TCESIM" report "$TMP/bad.json" -o "$TMP/bad.html"
expect_err "bad.json: schema: not a tcesim report \\(expected \"tcesim.report/1\"\\)$"
printf 'not json' >"$TMP/bad2.json"
expect_exit 2 "$TCESIM" report "$TMP/bad2.json" -o "$TMP/bad.html"
expect_err "bad2.json:1: .* expected"
expect_exit 2 "$TCESIM" report "$TMP/missing.json" -o "$TMP/bad.html"
expect_err "missing.json: "
mkdir -p "$TMP/empty"
expect_exit 2 "$TCESIM" report "$TMP/empty" -o "$TMP/bad.html"
expect_err "empty: not a tcesim sweep"
expect_exit 2 "$TCESIM" report "$TMP/a.json"
expect_err "-o FILE.html"
[ -e "$TMP/bad.html" ] && bad "bad input wrote a page" || ok

# An output that cannot be created: refused before the page is made (exit
# 2), the old page untouched, nothing left behind.
expect_exit 2 "$TCESIM" report "$TMP/a.json" -o "$TMP/nodir/a.html"
expect_err "^-o: .*nodir/a.html: No such file or directory$"
# No interpreter: the one-line hint, exit 1.
TCESIM_PYTHON=$TMP/no-python expect_exit 1 "$TCESIM" report "$TMP/a.json" -o "$TMP/x.html"
expect_err "needs Debian's python3-matplotlib"
if ls -a "$TMP" "$TMP/sw" | grep -Eq '\.tmp|\.tcesim-'; then bad "a temporary file is left"; else ok; fi
finish
