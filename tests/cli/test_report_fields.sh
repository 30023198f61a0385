# tcesim report --fields: the report schema's fields, one a line (path, unit,
# format, aggregation, meaning), each one a real report holds.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "$TCESIM" report --fields
"$TCESIM" report --fields > "$TMP/fields.tsv"
n=$(wc -l < "$TMP/fields.tsv")
if [ "$n" -ge 100 ]; then ok; else bad "only $n fields"; fi
if awk -F'\t' 'NF != 5 { exit 1 }' "$TMP/fields.tsv"; then ok; else bad "a line without five tab-separated columns"; fi
for f in translation.hit_rate dma.latency_ns allocator.pools[].kind pes[].lost.dropped_bytes epochs.series[].t_ns; do
  if cut -f1 "$TMP/fields.tsv" | grep -Fxq -- "$f"; then ok; else bad "no field $f"; fi
done
if grep -P '^dma\.latency_ns\tns\tsummary\tmerge\t' "$TMP/fields.tsv" >/dev/null; then ok; else bad "dma.latency_ns: $(grep '^dma.latency_ns' "$TMP/fields.tsv")"; fi
# Every listed field is in the magazine + epoch + warm-up report (group_add_reason only
# for a device not added).
expect_exit 0 "$TCESIM" run "$BW" --set workload.count=2000 --set iommu.cache=magazine --set sim.warmup_ns=1000 --epoch 1000 --json "$TMP/r.json"
missing=$(python3 - "$TMP/fields.tsv" "$TMP/r.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[2]))
def has(o, parts):
    if not parts:
        return True
    p = parts[0]
    if p.endswith("[]"):
        a = o.get(p[:-2]) if isinstance(o, dict) else None
        return isinstance(a, list) and (not a or has(a[0], parts[1:]))
    return isinstance(o, dict) and p in o and has(o[p], parts[1:])
for line in open(sys.argv[1]):
    path = line.split("\t")[0]
    if path != "devices[].group_add_reason" and not has(d, path.split(".")):
        print(path)
PY
)
if [ -z "$missing" ]; then ok; else bad "fields not in the report: $missing"; fi
finish
