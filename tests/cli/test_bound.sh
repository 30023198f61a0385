# Say when translation is hidden (issue 12): devices[].link.{up,down}_busy_share,
# memory.busy_share, dma.hidden_by, the text report's note line and the HTML page.
# Expectations by hand: a 64 B read's completion is 20 + 64 = 84 wire bytes
# (a 3-DW CplD header, 12 B, plus 8 B of framing, sequence number and LCRC,
# plus the payload; a read request is 20 B the same way); Gen3 x8 carries
# 8 GT/s x 8 lanes x 128/130 / 8 = 7.877 GB/s before DLLP and SKIP overhead,
# so 10 000 completions take at least 10 000 x 84 / 7.877 = 106.6 us of wire.
. "$(dirname "$0")/lib.sh"

# The built-in 64 B random reads keep the downstream direction busy.
expect_exit 0 "$TCESIM" run "$BW" --set workload.count=10000 --json "$TMP/d.json"
grep -q '^  note: downstream link of dev0 busy [0-9.]*% of its active time: throughput is link-bound, translation cost is hidden$' "$TMP/out" \
  && ok || bad "no link-bound note in the text report: $(head -3 "$TMP/out")"
python3 - "$TMP/d.json" <<'P' && ok || bad "link busy share not as derived"
import json, sys
r = json.load(open(sys.argv[1]))
d = r["devices"][0]
busy_ns = d["link"]["down_busy_share"] * d["active_ns"]
raw_ns = 10000 * 84 / 7.877                 # no DLLP/SKIP overhead
assert raw_ns <= busy_ns <= raw_ns * 1.10, (busy_ns, raw_ns)   # overheads add a few %
assert d["link"]["down_busy_share"] >= 0.95
assert len(r["dma"]["hidden_by"]) == 1 and r["dma"]["hidden_by"][0].startswith("downstream link of dev0")
# upstream: one 20-byte read request (32-bit address) per read
up_ns = d["link"]["up_busy_share"] * d["active_ns"]
assert 10000 * 20 / 7.877 <= up_ns <= 10000 * 20 / 7.877 * 1.10, up_ns
P
expect_exit 0 "$TCESIM" report "$TMP/d.json" -o "$TMP/d.html"
grep -q 'Translation hidden:</b> downstream link of dev0' "$TMP/d.html" && ok || bad "the HTML page does not say it"

# A 2 us walk makes translation the bottleneck: nothing hides it, no note.
expect_exit 0 "$TCESIM" run "$BW" --set workload.count=10000 --set phb.walk_ns=2000 --json "$TMP/w.json"
if grep -q 'note:' "$TMP/out"; then bad "a note on a translation-bound run"; else ok; fi
expect_eq "$(json_get "$TMP/w.json" dma.hidden_by)" "[]" "hidden_by empty"

# A 1 GB/s memory channel: memory-bound.
expect_exit 0 "$TCESIM" run "$BW" --set workload.count=10000 --set memory.bandwidth_gbs=1 --json "$TMP/m.json"
grep -q '^  note: memory channel busy [0-9.]*% of the run: throughput is memory-bound' "$TMP/out" && ok || bad "no memory-bound note"
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert r['memory']['busy_share'] >= 0.95" "$TMP/m.json" && ok || bad "memory busy share"

finish
