# Traces at scale through the CLI: generators, formats, convert, info,
# trace-cmd import, and `run --trace` taking every format.
. "$(dirname "$0")/lib.sh"

# Every generator writes a trace that runs without faults.
for p in window nic-rx nic-tx nvme gpu-bulk; do
  case $p in
    window) sets="--set count=20000" ;;
    nic-*) sets="--set packets=4000" ;;
    nvme) sets="--set ios=400" ;;
    gpu-bulk) sets="--set transfers=2" ;;
  esac
  expect_exit 0 "$TCESIM" gen $p $sets -o "$TMP/$p.trace"
  expect_exit 0 "$TCESIM" run --trace "$TMP/$p.trace" --json "$TMP/$p.json"
  expect_eq "$(json_get "$TMP/$p.json" translation.faults)" 0 "$p runs without faults"
done
expect_exit 0 "$TCESIM" gen --help
grep -q "nic-rx" "$TMP/out" && ok || bad "gen --help lists the patterns"
expect_exit 2 "$TCESIM" gen nic-rx --set bogus=1 -o "$TMP/x.trace"
expect_err "unknown key 'bogus'"
[ -e "$TMP/x.trace" ] && bad "output left after a generator error" || ok
expect_exit 2 "$TCESIM" gen warp-drive -o "$TMP/x.trace"
expect_err "unknown pattern 'warp-drive'"

# Same seed, same bytes.
expect_exit 0 "$TCESIM" gen nvme --set ios=300 --seed 7 -o "$TMP/a.trace"
expect_exit 0 "$TCESIM" gen nvme --set ios=300 --seed 7 -o "$TMP/b.trace"
cmp -s "$TMP/a.trace" "$TMP/b.trace" && ok || bad "generator not deterministic"

# convert: text -> binary -> zstd -> text gives the same events (the
# canonical text writer's output is identical).
t="$TMP/nvme.trace"
expect_exit 0 "$TCESIM" trace convert "$t" "$TMP/n.bin"
expect_exit 0 "$TCESIM" trace convert "$TMP/n.bin" "$TMP/n.bin.zst"
expect_exit 0 "$TCESIM" trace convert "$TMP/n.bin.zst" "$TMP/n.trace.zst"
expect_exit 0 "$TCESIM" trace convert "$TMP/n.trace.zst" "$TMP/n2.trace"
expect_exit 0 "$TCESIM" trace convert "$t" "$TMP/n1.trace"
cmp -s "$TMP/n1.trace" "$TMP/n2.trace" && ok || bad "round trip through binary and zstd changed events"
s1=$(stat -c %s "$t"); s2=$(stat -c %s "$TMP/n.bin.zst")
[ "$s2" -lt "$s1" ] && ok || bad "zstd did not compress ($s2 >= $s1)"

# run --trace takes every format, with the same result.
for f in "$t" "$TMP/n.bin" "$TMP/n.bin.zst" "$TMP/n.trace.zst"; do
  expect_exit 0 "$TCESIM" run --trace "$f" --json "$TMP/r.json"
  python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(json.dumps([r['translation'], r['dma'], r['allocator']], sort_keys=True))" "$TMP/r.json" >"$TMP/r.$(basename "$f").sig"
done
sigs=$(md5sum "$TMP"/r.*.sig | awk '{print $1}' | sort -u | wc -l)
expect_eq "$sigs" 1 "every format replays to the same report"

# trace info.
expect_exit 0 "$TCESIM" trace info "$TMP/n.bin.zst"
grep -q "distinct IO pages" "$TMP/out" && ok || bad "trace info lacks the footprint"
grep -q "map_sg 400," "$TMP/out" && ok || bad "trace info counts map_sg"

# Corrupt and truncated files: a clear error naming the offset or line.
head -c 100 "$TMP/n.bin" >"$TMP/cut.bin"
expect_exit 2 "$TCESIM" run --trace "$TMP/cut.bin"
expect_err "cut\.bin: .*offset"
printf 'garbage' >"$TMP/bad.bin.zst"
expect_exit 2 "$TCESIM" trace info "$TMP/bad.bin.zst"

# trace-cmd import: the sample gives the expected trace, unusable lines
# are summarised on stderr.
expect_exit 0 "$TCESIM" import trace-cmd "$DATA/tracecmd_sample.txt" -o "$TMP/imp.trace"
cmp -s "$TMP/imp.trace" "$DATA/tracecmd_sample.expected.trace" && ok || bad "import differs from the expected trace"
grep -q "not used" "$TMP/err" && ok || bad "import does not summarise unusable lines"
expect_exit 0 "$TCESIM" run --trace "$TMP/imp.trace"
expect_exit 2 "$TCESIM" import trace-cmd "$TMP/nope.txt" -o "$TMP/imp2.trace"
expect_err "nope\.txt"
finish
