# tcesim sweep: the 3 x 3 sweep, its results.csv, determinism, resuming after
# lost reports and after a kill, --seeds, the GNU parallel job list with
# --collect, the Slurm script's dry run, bad input.
. "$(dirname "$0")/lib.sh"

VARY=("$BW" --vary phb.tce_cache.entries=16,64,256 --vary iommu.page_size=4K,64K,16M --set workload.count=3000)
HEADER="phb.tce_cache.entries,iommu.page_size,hit_rate,translation_p50_ns,translation_p99_ns,translation_p999_ns,dma_throughput_gbps,pool_wait_p99_ns,alloc_failures,faults,dma_lost_bytes"
reports() { find "$1" -maxdepth 1 -name '*.json' ! -name sweep.json | wc -l; }
# inode and mtime of every report: a report a re-run did not rewrite keeps both
stamps() { find "$1" -maxdepth 1 -name '*.json' ! -name sweep.json -printf '%f %i %T@\n' | sort; }

# The 3 x 3 sweep, two at a time.
R=$TMP/ref
expect_exit 0 "$TCESIM" sweep "${VARY[@]}" --jobs 2 --out "$R"
expect_eq "$(reports "$R")" 9 "reports of a 3 x 3 sweep"
expect_eq "$(head -1 "$R/results.csv")" "$HEADER" "results.csv header"
expect_eq "$(($(wc -l <"$R/results.csv") - 1))" 9 "results.csv rows"
expect_eq "$(sed -n 2p "$R/results.csv" | cut -d, -f1,2)" "16,4K" "first row: first values"
expect_eq "$(sed -n 4p "$R/results.csv" | cut -d, -f1,2)" "16,16M" "last --vary varies fastest"
P="$R/phb.tce_cache.entries=64,iommu.page_size=64K.json"
[ -f "$P" ] && ok || bad "point name: $P"
expect_eq "$(json_get "$P" config.phb.tce_cache.entries)" 64 "the point's config"
expect_eq "$(json_get "$P" run.tlps)" 3000 "--set applies to every point"
row=$(grep '^64,64K,' "$R/results.csv")
expect_eq "$(echo "$row" | cut -d, -f3)" "$(json_get "$P" translation.hit_rate)" "hit_rate column"
expect_eq "$(echo "$row" | cut -d, -f6)" "$(json_get "$P" translation.latency_ns.p999)" "translation_p999_ns column"
expect_eq "$(echo "$row" | cut -d, -f7)" "$(json_get "$P" dma.throughput_gbps)" "dma_throughput_gbps column"
expect_eq "$(json_get "$R/sweep.json" points.4.name)" "phb.tce_cache.entries=64,iommu.page_size=64K" "manifest names the points"

# Deterministic: a fresh directory gives the same results.csv.
expect_exit 0 "$TCESIM" sweep "${VARY[@]}" --jobs 2 --out "$TMP/again"
cmp -s "$R/results.csv" "$TMP/again/results.csv" && ok || bad "results.csv differs between two sweeps"

# Re-running skips finished points: three lost reports are the only ones recomputed.
cp -r "$TMP/again" "$TMP/lost"
rm "$TMP/lost/phb.tce_cache.entries=16,iommu.page_size=4K.json" \
   "$TMP/lost/phb.tce_cache.entries=64,iommu.page_size=16M.json" \
   "$TMP/lost/phb.tce_cache.entries=256,iommu.page_size=64K.json"
rm "$TMP/lost/results.csv"
before=$(stamps "$TMP/lost")
expect_exit 0 "$TCESIM" sweep "${VARY[@]}" --jobs 2 --out "$TMP/lost"
grep -q '9 points, 6 already done, 3 to run' "$TMP/err" && ok || bad "re-run: $(head -1 "$TMP/err")"
expect_eq "$(comm -23 <(echo "$before") <(stamps "$TMP/lost") | wc -l)" 0 "re-run rewrote a finished report"
expect_eq "$(reports "$TMP/lost")" 9 "re-run completes the sweep"
cmp -s "$R/results.csv" "$TMP/lost/results.csv" && ok || bad "results.csv after re-run"

# Killed mid-way (SIGTERM as soon as a first report exists), then re-run.
K=$TMP/killed
"$TCESIM" sweep "${VARY[@]}" --jobs 1 --out "$K" >"$TMP/kill.out" 2>"$TMP/kill.err" &
pid=$!
for _ in $(seq 3000); do
  [ "$(reports "$K" 2>/dev/null)" -gt 0 ] 2>/dev/null && break
  sleep 0.01
done
kill -TERM "$pid"
wait "$pid"
rc=$?
n=$(reports "$K")
if [ "$rc" -eq 143 ] && [ "$n" -lt 9 ]; then ok; else bad "kill: sweep exited $rc (wanted 143: by the signal) with $n reports ($(tail -1 "$TMP/kill.err"))"; fi
grep -q 'interrupted by SIGTERM' "$TMP/kill.err" && ok || bad "kill message: $(tail -1 "$TMP/kill.err")"
expect_eq "$(find "$K" -name '*.tmp' -o -name '.*.tcesim-*' | wc -l)" 0 "no partial report left"
[ ! -e "$K/results.csv" ] && ok || bad "an interrupted sweep wrote results.csv"
before=$(stamps "$K")
expect_exit 0 "$TCESIM" sweep "${VARY[@]}" --jobs 2 --out "$K"
grep -q "9 points, $n already done" "$TMP/err" && ok || bad "re-run after kill: $(head -1 "$TMP/err")"
expect_eq "$(comm -23 <(echo "$before") <(stamps "$K") | wc -l)" 0 "re-run after kill rewrote a finished report"
cmp -s "$R/results.csv" "$K/results.csv" && ok || bad "results.csv after kill and re-run"

# --seeds 3: the mean and a 95% confidence interval per point.
S=$TMP/seeds
expect_exit 0 "$TCESIM" sweep "$BW" --vary phb.tce_cache.entries=16,64 --set workload.count=3000 --seeds 3 --jobs 2 --out "$S"
expect_eq "$(reports "$S")" 6 "2 points x 3 seeds"
[ -f "$S/phb.tce_cache.entries=16,seed=3.json" ] && ok || bad "seed in the point name"
expect_eq "$(json_get "$S/phb.tce_cache.entries=16,seed=2.json" run.seed)" 2 "seeds 1..3"
h=$(head -1 "$S/results.csv")
expect_eq "${h%%,hit_rate_ci95*}" "phb.tce_cache.entries${HEADER#*iommu.page_size}" "--seeds: the metric columns first"
echo "$h" | grep -q ',hit_rate_ci95,.*,faults_ci95,dma_lost_bytes_ci95,seeds$' && ok || bad "--seeds header: $h"
expect_eq "$(($(wc -l <"$S/results.csv") - 1))" 2 "--seeds: one row per point"
python3 - "$S" <<'EOF' && ok || bad "--seeds: mean and ci95 of hit_rate"
import csv, json, math, sys
d = sys.argv[1]
row = next(csv.DictReader(open(d + "/results.csv")))
v = [json.load(open(f"{d}/phb.tce_cache.entries=16,seed={s}.json"))["translation"]["hit_rate"] for s in (1, 2, 3)]
m = sum(v) / 3
sd = math.sqrt(sum((x - m) ** 2 for x in v) / 2)
assert abs(float(row["hit_rate"]) - m) < 1e-9, (row["hit_rate"], m)
assert abs(float(row["hit_rate_ci95"]) - 4.303 * sd / math.sqrt(3)) < 1e-9, row["hit_rate_ci95"]
assert row["seeds"] == "3"
EOF

# GNU parallel runs the emitted job list to the same results.csv.
G=$TMP/gnu
expect_exit 0 "$TCESIM" sweep "${VARY[@]}" --emit parallel --out "$G"
expect_eq "$(wc -l <"$G/jobs.txt")" 9 "jobs.txt lines"
grep -q "parallel --joblog" "$TMP/out" && ok || bad "--emit parallel prints how to run it"
if command -v parallel >/dev/null && parallel --version 2>/dev/null | grep -q 'GNU parallel'; then
  parallel --will-cite -j 2 <"$G/jobs.txt" && ok || bad "GNU parallel failed on jobs.txt"
  expect_exit 0 "$TCESIM" sweep --collect "$G"
  cmp -s "$R/results.csv" "$G/results.csv" && ok || bad "results.csv from GNU parallel + --collect"
else
  echo "SKIP: GNU parallel is not installed (scripts/setup.sh installs Debian's parallel)" >&2
fi
# --collect with reports missing: names them, builds the rows it can, exits 3.
rm "$G/phb.tce_cache.entries=16,iommu.page_size=4K.json"
"$TCESIM" sweep --collect "$G" >"$TMP/out" 2>"$TMP/err"
expect_eq "$?" 3 "--collect with a report missing"
grep -q 'phb.tce_cache.entries=16,iommu.page_size=4K.json: missing' "$TMP/err" && ok || bad "--collect names the missing report"
expect_eq "$(($(wc -l <"$G/results.csv") - 1))" 8 "--collect rows"

# Slurm: the array script parses and its dry run makes one point's report.
L=$TMP/slurm
expect_exit 0 "$TCESIM" sweep "${VARY[@]}" --emit slurm --out "$L"
grep -q '^#SBATCH --array=0-8$' "$L/sweep.slurm" && ok || bad "sweep.slurm array: $(grep array "$L/sweep.slurm")"
bash -n "$L/sweep.slurm" && ok || bad "bash -n sweep.slurm"
SLURM_ARRAY_TASK_ID=4 bash "$L/sweep.slurm" && ok || bad "sweep.slurm dry run"
expect_eq "$(reports "$L")" 1 "the dry run made one report"
Q="$L/phb.tce_cache.entries=64,iommu.page_size=64K.json"
if diff <(grep -v '"wall' "$Q") <(grep -v '"wall' "$P") >/dev/null; then ok; else bad "dry run report differs from the direct run's"; fi
expect_exit 2 env SLURM_ARRAY_TASK_ID=9 bash "$L/sweep.slurm"
# Emitting again lists only what is left.
expect_exit 0 "$TCESIM" sweep "${VARY[@]}" --emit slurm --out "$L"
expect_eq "$(wc -l <"$L/jobs.txt")" 8 "finished points leave the job list"

# Bad input: exit 2, one line, nothing run.
expect_exit 2 "$TCESIM" sweep "$BW" --vary phb.foo=1,2 --out "$TMP/bad"
expect_err '^phb\.foo: unknown key$'
[ ! -e "$TMP/bad" ] && ok || bad "a bad key created the sweep directory"
expect_exit 2 "$TCESIM" sweep "$BW" --vary iommu.page_size=4K,3K --out "$TMP/bad"
expect_err '^iommu\.page_size: must be a power of two'
expect_exit 2 "$TCESIM" sweep "$BW" --vary phb.tce_cache.entries= --out "$TMP/bad"
expect_err 'phb\.tce_cache\.entries: empty value'
expect_exit 2 "$TCESIM" sweep "$BW" --vary phb.tce_cache.entries=16,64
expect_err 'out DIR is required'
expect_exit 2 "$TCESIM" sweep --collect "$TMP/nosuch"
expect_err 'sweep\.json: no such file'
# The same directory with another sweep's definition is refused.
expect_exit 2 "$TCESIM" sweep "$BW" --vary phb.tce_cache.entries=16,64 --out "$R"
expect_err 'holds a different sweep'
finish
