# tcesim sweep's edges (issue 13): a hollow or another point's report is run
# again, --collect with points missing exits 3, every point's platform is
# checked before any runs (named in user terms), a failed point is reported
# by its error line, and the emitted job list and Slurm script keep paths as
# given, print -j and the docs' --sshlogin spelling, and say each task's status.
. "$(dirname "$0")/lib.sh"

SW=(--vary phb.tce_cache.entries=16,64,256 --set workload.count=3000)
A="phb.tce_cache.entries=16"
B="phb.tce_cache.entries=64"
C="phb.tce_cache.entries=256"

R=$TMP/ref
expect_exit 0 "$TCESIM" sweep "$BW" "${SW[@]}" --jobs 2 --out "$R"

# ---- A re-run checks a report is the point's finished one before skipping it.
H=$TMP/hollow
cp -r "$R" "$H"
echo '{"schema":"tcesim.report/1"}' >"$H/$A.json"
cp "$R/$C.json" "$H/$B.json"  # another point's complete report under B's name
rm "$H/results.csv"
expect_exit 0 "$TCESIM" sweep "$BW" "${SW[@]}" --jobs 2 --out "$H"
expect_eq "$(grep -c 'running the point again$' "$TMP/err")" 2 "re-run: one line per point it does not take as done"
expect_eq "$(grep -F "$H/$A.json:" "$TMP/err")" "$H/$A.json: incomplete report: no run section; running the point again" \
  "re-run names the hollow report"
expect_eq "$(grep -F "$H/$B.json:" "$TMP/err")" \
  "$H/$B.json: another point's report: config.phb.tce_cache.entries is 256, not 64 (phb.tce_cache.entries=64); running the point again" \
  "re-run names another point's report"
grep -q '^sweep: 3 points, 1 already done, 2 to run' "$TMP/err" && ok || bad "re-run counts: $(cat "$TMP/err")"
expect_eq "$(json_get "$H/$A.json" config.phb.tce_cache.entries)" 16 "the hollow point was run again"
expect_eq "$(json_get "$H/$B.json" config.phb.tce_cache.entries)" 64 "the mismatched point was run again"
cmp -s "$R/results.csv" "$H/results.csv" && ok || bad "results.csv after re-running hollow points"
# A truncated report and another seed's report are not done either.
head -c 200 "$R/$A.json" >"$H/$A.json"
python3 - "$R/$C.json" "$H/$C.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
r["run"]["seed"] = 7
json.dump(r, open(sys.argv[2], "w"))
EOF
expect_exit 0 "$TCESIM" sweep "$BW" "${SW[@]}" --emit parallel --out "$H"
grep -q "^$H/$A.json: unreadable: .*; listing the point again$" "$TMP/err" && ok || bad "truncated report: $(cat "$TMP/err")"
grep -qF "$H/$C.json: another point's report: run.seed is 7, not 1; listing the point again" "$TMP/err" && ok ||
  bad "another seed's report: $(cat "$TMP/err")"
expect_eq "$(wc -l <"$H/jobs.txt")" 2 "--emit lists the points whose reports are not theirs"

# The seed is part of a point's identity: --vary seed and --seeds re-runs keep their reports.
V=$TMP/vseed
expect_exit 0 "$TCESIM" sweep "$BW" --vary seed=3,4 --set workload.count=3000 --out "$V"
expect_exit 0 "$TCESIM" sweep "$BW" --vary seed=3,4 --set workload.count=3000 --out "$V"
grep -q '^sweep: 2 points, 2 already done, 0 to run' "$TMP/err" && ok || bad "--vary seed re-run: $(cat "$TMP/err")"
V=$TMP/seeds
expect_exit 0 "$TCESIM" sweep "$BW" --vary phb.tce_cache.entries=16 --set workload.count=3000 --seeds 2 --out "$V"
expect_exit 0 "$TCESIM" sweep "$BW" --vary phb.tce_cache.entries=16 --set workload.count=3000 --seeds 2 --out "$V"
grep -q '^sweep: 2 points, 2 already done, 0 to run' "$TMP/err" && ok || bad "--seeds re-run: $(cat "$TMP/err")"

# ---- --collect: exit 3 while points are missing, 0 once all are there.
K=$TMP/collect
cp -r "$R" "$K"
expect_exit 0 "$TCESIM" sweep --collect "$K"
echo '{"schema":"tcesim.report/1"}' >"$K/$B.json"
rm "$K/$C.json"
expect_exit 3 "$TCESIM" sweep --collect "$K"
grep -qF "$K/$B.json: incomplete report: no run section" "$TMP/err" && ok || bad "--collect names the hollow report"
grep -qF "$K/$C.json: missing" "$TMP/err" && ok || bad "--collect names the missing report"
grep -q '^sweep: 1 of 3 points collected, 1 rows' "$TMP/err" && ok || bad "--collect summary: $(tail -1 "$TMP/err")"
expect_eq "$(($(wc -l <"$K/results.csv") - 1))" 1 "--collect writes the rows it has"
rm "$K/$A.json" "$K/$B.json"
expect_exit 3 "$TCESIM" sweep --collect "$K"
grep -q 'no reports yet (3 points)$' "$TMP/err" && ok || bad "--collect with no report: $(tail -1 "$TMP/err")"
"$TCESIM" sweep --help | grep -q 'exits 3' && ok || bad "sweep --help tells exit 3"
grep -q '3 `sweep --collect` with points$' "$SRC/docs/interface.md" && grep -q '3 when points are missing' "$SRC/docs/sweeps.md" &&
  ok || bad "docs tell --collect's exit 3"

# ---- Every point's platform is checked before any point runs.
P=$TMP/plat
expect_exit 2 "$TCESIM" sweep phb4 --vary iommu.page_size=4K,16M --out "$P"
expect_err '^iommu\.page_size: 16M is not a TCE page size PHB4 supports \(4K 64K 2M 1G\) \(point iommu\.page_size=16M\)$'
[ ! -e "$P" ] && ok || bad "a platform error created the sweep directory"
expect_exit 2 "$TCESIM" sweep phb4 --vary pes.1.page_size=64K,16M --out "$P"
expect_err '^pes\.1\.page_size: 16M is not a TCE page size PHB4 supports'
expect_exit 2 "$TCESIM" sweep phb3 --vary iommu.levels=1,5 --out "$P"
expect_err '^iommu\.levels: the kernel rejects window [0-9]+[KMGT]?, '
expect_exit 2 "$TCESIM" sweep phb3 --vary devices.0.pe=1,255 --out "$P"
expect_err '^devices\.0\.pe: 255 is not below the reserved PE 255 \(point devices\.0\.pe=255\)$'
[ ! -e "$P" ] && ok || bad "a PE error created the sweep directory"
expect_exit 2 "$TCESIM" sweep "$BW" --vary devices.0.link=gen3x8,gen9x99 --out "$P"
expect_err "^devices\.0\.link: bad link 'gen9x99' \(expected e\.g\. gen3x8\) \(point devices\.0\.link=gen9x99\)$"
# A trace's device declarations count: checked as the run merges them, and
# a trace header the run would refuse stops the sweep too.
printf 'tcesim-trace 1\ndevice id=0 rid=01:00.0 pe=255 dma_mask_bits=32\n0 cpu0 map dev=0 h=1 size=4096 dir=to_device\n' >"$TMP/pe.trace"
expect_exit 2 "$TCESIM" sweep phb3 --trace "$DATA/faults.trace" --trace "$TMP/pe.trace" --vary phb.tce_cache.entries=16,64 --out "$P"
expect_err '^devices\.0\.pe: 255 is not below the reserved PE 255 \(point phb\.tce_cache\.entries=16,trace=pe\.trace\)$'
printf 'tcesim-trace 1\ndevice id=0 rid=zz pe=1\n' >"$TMP/hdr.trace"
expect_exit 2 "$TCESIM" sweep phb3 --trace "$TMP/hdr.trace" --vary phb.tce_cache.entries=16,64 --out "$P"
expect_err "^$TMP/hdr\.trace:2: bad rid 'zz'"
[ ! -e "$P" ] && ok || bad "a trace's error created the sweep directory"
# tcesim run says it the same way (no hex, the key the user set).
expect_exit 2 "$TCESIM" run phb4 --set iommu.page_size=16M
expect_err '^iommu\.page_size: 16M is not a TCE page size PHB4 supports \(4K 64K 2M 1G\)$'

# ---- A point that fails at run time is reported by its error line.
printf 'tcesim-trace 1\n0 cpu0 map dev=0 h=1 size=4096 dir=to_device\n100 dev0 read h=1 off=0 len=64\n200 dev0 bogus h=1\n' >"$TMP/bad.trace"
F=$TMP/fail
expect_exit 1 "$TCESIM" sweep --trace "$TMP/bad.trace" --vary phb.tce_cache.entries=16,64 --jobs 1 --out "$F"
expect_eq "$(grep -c 'failed (exit 2)' "$TMP/err")" 2 "both points fail"
expect_eq "$(grep -F "point $A failed" "$TMP/err")" \
  "$F/logs/$A.log: point $A failed (exit 2): $TMP/bad.trace:4: unknown op 'bogus'" "the failure quotes the point's error line"

# ---- Emitted paths as given: a directory reached through a symlink stays so.
mkdir -p "$TMP/real/wd" "$TMP/bin"
ln -s "$TMP/real/wd" "$TMP/link"
ln -s "$TCESIM" "$TMP/bin/tcesim"
cp "$BW" "$TMP/real/wd/bw.json"
cp "$TMP/bad.trace" "$TMP/real/wd/t.trace"
(cd "$TMP/link" && PWD=$TMP/link "$TMP/bin/tcesim" sweep bw.json "${SW[@]}" --jobs 2 --out sw/ --emit parallel \
  >"$TMP/out" 2>"$TMP/err") && ok || bad "--emit parallel from a symlinked directory: $(cat "$TMP/err")"
E=$TMP/link/sw
expect_eq "$(head -1 "$E/jobs.txt")" \
  "$TMP/bin/tcesim run $TMP/link/bw.json --set workload.count=3000 --set $A --json $E/$A.json >$E/logs/$A.log 2>&1" \
  "jobs.txt keeps the binary, CONFIG and DIR as given"
grep -q "$TMP/real" "$E/jobs.txt" "$TMP/out" && bad "a resolved path in jobs.txt or the instructions" || ok
# The printed commands: -j, and --sshlogin spelt as docs/sweeps.md spells it.
expect_eq "$(grep -c "^  parallel --joblog $E/joblog -j 2 < $E/jobs.txt$" "$TMP/out")" 1 "the printed parallel command has -j"
expect_eq "$(grep -c "^  parallel --joblog $E/joblog --sshlogin 2/HOST1,2/HOST2 < $E/jobs.txt$" "$TMP/out")" 1 \
  "the printed cross-host command: --sshlogin N/HOST"
grep -q -- '--sshlogin 8/host1,8/host2' "$SRC/docs/sweeps.md" && ok || bad "docs/sweeps.md: --sshlogin N/host"
# Without --jobs: -j the online CPUs, as the local pool would run.
expect_exit 0 "$TCESIM" sweep "$BW" "${SW[@]}" --out "$TMP/nojobs" --emit parallel
n=$(getconf _NPROCESSORS_ONLN)
expect_eq "$(grep -c -- "^  parallel --joblog [^ ]* -j $n < " "$TMP/out")" 1 \
  "the printed parallel command has -j without --jobs"
grep -q -- "--sshlogin $n/HOST1,$n/HOST2 <" "$TMP/out" && ok || bad "--sshlogin without --jobs: $(cat "$TMP/out")"
grep -q 'joblog' "$TMP/out" && grep -qi 'remove .*joblog.* or name a new one' "$TMP/out" && ok || bad "the instructions say to use a fresh joblog"
grep -qi 'fresh joblog\|new joblog' "$SRC/docs/sweeps.md" && ok || bad "docs/sweeps.md: a fresh joblog when emitting again"
# The lines run as they are, from any directory (GNU parallel or not).
(cd / && bash "$E/jobs.txt") && ok || bad "jobs.txt run by bash"
expect_exit 0 "$TCESIM" sweep --collect "$E"
cmp -s "$R/results.csv" "$E/results.csv" && ok || bad "results.csv from the emitted job list"

# Why a re-emitted jobs.txt needs a fresh joblog (what the docs and the
# instructions say): GNU parallel's --resume-failed matches the old joblog by
# line number, so the point that failed at line 2, now line 1 of the new
# list, counts as done and nothing reruns; a fresh joblog runs it.
if command -v parallel >/dev/null && parallel --version 2>/dev/null | grep -q 'GNU parallel'; then
  J=$TMP/joblog
  mkdir "$J" && cp "$BW" "$J/bw.json" &&
    printf 'tcesim-trace 1\n0 cpu0 map dev=0 h=1 size=4096 dir=to_device\n100 dev0 read h=1 off=0 len=64\n' >"$J/good.trace" &&
    cp "$TMP/bad.trace" "$J/late.trace"
  JS=("$J/bw.json" --trace "$J/good.trace" --trace "$J/late.trace" --vary phb.tce_cache.entries=16 --out "$J/sw" --emit parallel)
  expect_exit 0 "$TCESIM" sweep "${JS[@]}"
  parallel --will-cite --joblog "$J/sw/joblog" -j 2 <"$J/sw/jobs.txt" >/dev/null 2>&1
  expect_eq "$?" 1 "GNU parallel: one point of two fails"
  cp "$J/good.trace" "$J/late.trace" # fixed (a trace's contents are not compared)
  expect_exit 0 "$TCESIM" sweep "${JS[@]}"
  expect_eq "$(wc -l <"$J/sw/jobs.txt")" 1 "the re-emitted list holds the failed point alone"
  parallel --will-cite --resume-failed --joblog "$J/sw/joblog" -j 2 <"$J/sw/jobs.txt" >/dev/null 2>&1
  expect_exit 3 "$TCESIM" sweep --collect "$J/sw" # the old joblog: nothing reran
  parallel --will-cite --resume-failed --joblog "$J/sw/joblog2" -j 2 <"$J/sw/jobs.txt" && ok || bad "a fresh joblog"
  expect_exit 0 "$TCESIM" sweep --collect "$J/sw"
else
  echo "SKIP: GNU parallel is not installed (scripts/setup.sh installs Debian's parallel)" >&2
fi

# Slurm: paths as given, and each task's status line in its output.
(cd "$TMP/link" && PWD=$TMP/link "$TMP/bin/tcesim" sweep bw.json --trace t.trace --vary phb.tce_cache.entries=16 --out sl --emit slurm \
  >"$TMP/out" 2>"$TMP/err") && ok || bad "--emit slurm: $(cat "$TMP/err")"
S=$TMP/link/sl
grep -q "^#SBATCH --output=$S/logs/slurm-%A_%a.out$" "$S/sweep.slurm" && ok || bad "sweep.slurm --output: $(grep output "$S/sweep.slurm")"
grep -q "^jobs=$S/jobs.txt$" "$S/sweep.slurm" && ok || bad "sweep.slurm jobs path"
grep -q -- "--trace $TMP/link/t.trace " "$S/jobs.txt" && ok || bad "jobs.txt keeps the trace as given: $(cat "$S/jobs.txt")"
SLURM_ARRAY_TASK_ID=0 bash "$S/sweep.slurm" >"$TMP/out" 2>"$TMP/err"
expect_eq "$?" 2 "a failing task exits with its point's code"
expect_eq "$(cat "$TMP/out")" "tcesim sweep: task 0 (line 1 of $S/jobs.txt): exit 2" "the task's status line"
grep -q 'AccountingStorageType' "$SRC/docs/sweeps.md" && ok || bad "docs/sweeps.md: sacct needs accounting storage"
# --collect checks a report is its point's: another point's report copied
# over it is not collected as this point's row (review: exit 0, the row
# carried the other point's numbers)
C=$TMP/collect-id
expect_exit 0 "$TCESIM" sweep "$BW" --vary workload.count=1000,2000 --out "$C" --jobs 1
cp "$C/workload.count=1000.json" "$C/workload.count=2000.json"
expect_exit 3 "$TCESIM" sweep --collect "$C"
grep -q "workload.count=2000.json: another point's report: config.workload.count is 1000, not 2000" "$TMP/err" && ok \
  || bad "--collect took another point's report: $(cat "$TMP/err")"
expect_eq "$(grep -c '^2000,' "$C/results.csv")" 0 "a results row for the point whose report is another's"
# A sweep refused before it runs leaves no directory it made (review: DIR/logs)
R=$TMP/refused; mkdir "$R"; cp "$BW" "$R/seed=1.json"
expect_exit 2 "$TCESIM" sweep "$R/seed=1.json" --vary seed=1,2 --out "$R"
expect_err "is the same file as CONFIG"
[ -e "$R/logs" ] && bad "a refused sweep made $R/logs" || ok
# A seed above 2^63 - 1 (written as a string in the report) is read back as
# the point's seed: the points are done (review: every one was "incomplete")
G=$TMP/bigseed
expect_exit 0 "$TCESIM" sweep "$BW" --set seed=9223372036854775809 --set workload.count=1000 --vary phb.tce_cache.entries=16,32 --out "$G" --jobs 1
grep -q "2 of 2 points have reports" "$TMP/err" && ok || bad "big seeds: $(tail -2 "$TMP/err")"
expect_exit 0 "$TCESIM" sweep --collect "$G"
finish
