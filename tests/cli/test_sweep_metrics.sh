# tcesim sweep --metrics: results.csv columns chosen by JSON path, after the
# default ones, with and without --collect; bad paths refused.
. "$(dirname "$0")/lib.sh"

D=$TMP/m
expect_exit 0 "$TCESIM" sweep "$BW" --vary phb.tce_cache.entries=16,64 --set workload.count=2000 --jobs 1 --out "$D" \
  --metrics dma.latency_ns.p99,pes[].lookups
head -1 "$D/results.csv" | grep -q ',dma_lost_bytes,dma.latency_ns.p99,pes\[\].lookups$' && ok || bad "--metrics columns after the defaults: $(head -1 "$D/results.csv")"
R="$D/phb.tce_cache.entries=16.json"
want=$(python3 -c "import json,sys; print('%g' % json.load(open(sys.argv[1]))['dma']['latency_ns']['p99'])" "$R")
got=$(python3 -c "import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print('%g' % float(r[0]['dma.latency_ns.p99']))" "$D/results.csv")
expect_eq "$got" "$want" "a --metrics column holds the report's value"
expect_eq "$(python3 -c "import csv,sys; print(list(csv.DictReader(open(sys.argv[1])))[0]['pes[].lookups'])" "$D/results.csv")" 2000 "name[]: the largest over the PEs"
# --collect with other metrics rewrites the columns; without, the defaults.
expect_exit 0 "$TCESIM" sweep --collect "$D" --metrics run.tlps
head -1 "$D/results.csv" | grep -q ',dma_lost_bytes,run.tlps$' && ok || bad "--collect --metrics"
expect_exit 0 "$TCESIM" sweep --collect "$D"
head -1 "$D/results.csv" | grep -q ',dma_lost_bytes$' && ok || bad "--collect alone: the default columns"
expect_exit 2 "$TCESIM" sweep --collect "$D" --metrics 'dma..p99'
expect_exit 2 "$TCESIM" sweep --collect "$D" --metrics 'dma.p 99'
finish
